/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the mountinfo parser (util/mountinfo.c), which
 * reads what the kernel writes in /proc/<pid>/mountinfo: rootfs, cgroup
 * discovery, Intel RDT and the no-mount-namespace cleanup trust it. The
 * input is a whole file. Checked for any input: no crash or leak;
 * mountinfo_foreach (through a memfd) reports exactly the lines that
 * mountinfo_parse_line accepts one by one; and an accepted line written
 * back as the kernel would (root, mount point and source escaped) parses
 * to the same fields.
 *
 *   build-fuzz/tests/fuzz/fuzz-mountinfo tests/fuzz/corpus-mountinfo
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/mountinfo.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As the kernel's show_mountinfo: space, tab, newline, backslash as \ooo. */
static char *escape(const char *s)
{
        char *out = xmalloc(strlen(s) * 4 + 1), *w = out;
        for (; *s; s++) {
                if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
                        w += sprintf(w, "\\%03o", (unsigned char)*s);
                else
                        *w++ = *s;
        }
        *w = '\0';
        return out;
}

static void check_roundtrip(const struct mountinfo *a)
{
        if (!*a->root || !*a->mountpoint)
                return;         /* a leading \000 emptied it: the kernel never writes one */
        _cleanup_free_ char *r = escape(a->root), *m = escape(a->mountpoint), *s = escape(a->source);
        _cleanup_free_ char *line = xasprintf("%d %d %u:%u %s %s %s %s%s- %s %s %s", a->id, a->parent, a->major,
                                              a->minor, r, m, a->mount_opts, a->optional, *a->optional ? " " : "",
                                              a->fstype, s, a->super_opts);
        struct mountinfo b;
        if (!mountinfo_parse_line(line, &b))
                __builtin_trap();
        if (a->id != b.id || a->parent != b.parent || a->major != b.major || a->minor != b.minor ||
            strcmp(a->root, b.root) || strcmp(a->mountpoint, b.mountpoint) || strcmp(a->mount_opts, b.mount_opts) ||
            strcmp(a->optional, b.optional) || strcmp(a->fstype, b.fstype) || strcmp(a->source, b.source) ||
            strcmp(a->super_opts, b.super_opts))
                __builtin_trap();
}

static int count(const struct mountinfo *mi, void *data)
{
        if (!mi->root || !mi->mountpoint || !mi->mount_opts || !mi->optional || !mi->fstype || !mi->source ||
            !mi->super_opts)
                __builtin_trap();
        (*(size_t *)data)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *buf = xstrndup((const char *)data, size);
        size_t accepted = 0;
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                struct mountinfo mi;
                if (!mountinfo_parse_line(l, &mi))
                        continue;
                accepted++;
                count(&mi, &(size_t){ 0 });
                check_roundtrip(&mi);
        }

        _cleanup_close_ int fd = memfd_create("mountinfo", MFD_CLOEXEC);
        if (fd < 0 || write_all(fd, data, size) < 0)
                return 0;
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        size_t seen = 0;
        struct husk_error err = { 0 };
        if (mountinfo_foreach(path, count, &seen, &err) < 0) {
                if (!err.msg[0])
                        __builtin_trap();
                return 0;
        }
        if (seen != accepted)
                __builtin_trap();
        return 0;
}
