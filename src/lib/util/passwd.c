/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passwd lines without NSS; see passwd.h. */
#include "util/passwd.h"

#include <string.h>

#include "util/util.h"

char *passwd_lookup(const char *path, uid_t uid, enum passwd_field field)
{
        /* on the stack: stdio would malloc 4 KiB (in the init, that is the
         * container's memory) */
        char buf[1024], line[1024];
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        setvbuf(f, buf, _IOFBF, sizeof(buf));
        bool rest = false;      /* in the rest of a line too long to match */
        while (fgets(line, sizeof(line), f)) {
                size_t len = strcspn(line, "\n");
                bool skip = rest;
                rest = line[len] != '\n' && !feof(f);
                if (skip || rest)
                        continue;
                line[len] = '\0';
                char *fields[7] = { 0 };
                char *p = line;
                int n = 0;
                for (; n < 7 && p; n++) {
                        fields[n] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                uint64_t u;
                if (n > (int)field && n >= 3 && parse_uint64(fields[2], &u) == 0 && u == uid && *fields[field])
                        return xstrdup(fields[field]);
        }
        return NULL;
}
