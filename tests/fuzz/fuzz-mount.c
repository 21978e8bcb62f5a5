/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the mount option parser (linux/mount_flags.c):
 * runc's option words ("ro", "rbind", "rro", "private", "idmap",
 * "size=64k", ...) from a config's mounts[].options. The input is split
 * into words at ',' and '\n' (a word may be empty). Checked for any input:
 * no crash or leak; a flag is never both set and cleared; the data string
 * holds exactly the words the parser did not know, in order.
 *
 *   build-fuzz/tests/fuzz/fuzz-mount tests/fuzz/corpus-mount
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/rootfs.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is w a word the parser knows (it must not land in the data string)? */
static bool known(const char *w)
{
        char *one[] = { (char *)w, NULL };
        struct mount_flags mf;
        struct husk_error err;
        mount_flags_parse(one, &mf, &err);
        bool k = mf.data == NULL;
        mount_flags_free(&mf);
        return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        size_t n = 1;
        for (char *p = s; *p; p++)
                if (*p == ',' || *p == '\n')
                        n++;
        _cleanup_free_ char **words = xmalloc((n + 1) * sizeof(char *));
        n = 0;
        for (char *p = s, *w = s;; p++) {
                if (*p == ',' || *p == '\n' || *p == '\0') {
                        bool end = *p == '\0';
                        *p = '\0';
                        words[n++] = w;
                        w = p + 1;
                        if (end)
                                break;
                }
        }
        words[n] = NULL;

        struct mount_flags mf;
        struct husk_error err = { 0 };
        if (mount_flags_parse(words, &mf, &err) < 0) {
                if (!err.msg[0])
                        __builtin_trap();
                return 0;
        }
        if (mf.flags & mf.clear)
                __builtin_trap();
        if (mf.ridmap && !mf.idmap)
                __builtin_trap();
        /* the data string: the unknown non-empty words, comma-joined */
        _cleanup_free_ char *want = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!*words[i] || known(words[i]))
                        continue;
                char *j = want ? xasprintf("%s,%s", want, words[i]) : xstrdup(words[i]);
                free(want);
                want = j;
        }
        if ((want == NULL) != (mf.data == NULL) || (want && strcmp(want, mf.data) != 0))
                __builtin_trap();
        mount_flags_free(&mf);
        return 0;
}
