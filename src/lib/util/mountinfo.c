/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/mountinfo.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

static bool is_octal(char c, char max)
{
        return c >= '0' && c <= max;
}

/* \ooo -> the byte; the kernel escapes only bytes <= \377. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && is_octal(r[1], '3') && is_octal(r[2], '7') && is_octal(r[3], '7')) {
                        *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 4;
                } else {
                        *w++ = *r++;
                }
        }
        *w = '\0';
}

static bool parse_ids(const char *id, const char *parent, const char *dev, struct mountinfo *mi)
{
        char end;
        return sscanf(id, "%d%c", &mi->id, &end) == 1 && sscanf(parent, "%d%c", &mi->parent, &end) == 1 &&
               sscanf(dev, "%u:%u%c", &mi->major, &mi->minor, &end) == 2;
}

bool mountinfo_parse_line(char *line, struct mountinfo *mi)
{
        char *f[6];
        char *p = line;

        memset(mi, 0, sizeof(*mi));
        p[strcspn(p, "\n")] = '\0';
        for (int i = 0; i < 6; i++) {
                f[i] = strsep(&p, " ");
                if (!p)         /* every field up to the options has a successor */
                        return false;
        }
        if (!parse_ids(f[0], f[1], f[2], mi) || !*f[3] || !*f[4])
                return false;
        /* Optional fields, up to a lone "-". */
        char *rest;
        if (strncmp(p, "- ", 2) == 0) {
                rest = p + 2;
                *p = '\0';
                mi->optional = p;
        } else {
                char *sep = strstr(p, " - ");
                if (!sep)
                        return false;
                *sep = '\0';
                mi->optional = p;
                rest = sep + 3;
        }
        mi->fstype = strsep(&rest, " ");
        mi->source = rest ? strsep(&rest, " ") : NULL;
        if (!*mi->fstype || !mi->source)
                return false;
        mi->super_opts = rest ? rest : (char *)"";
        mi->root = f[3];
        mi->mountpoint = f[4];
        mi->mount_opts = f[5];
        unescape_octal(mi->root);
        unescape_octal(mi->mountpoint);
        unescape_octal(mi->source);
        return true;
}

int mountinfo_foreach(const char *path, mountinfo_fn fn, void *data, struct husk_error *err)
{
        _cleanup_free_ char *buf = NULL;
        if (!path)
                path = "/proc/self/mountinfo";
        if (read_file_at(AT_FDCWD, path, &buf, NULL, err) < 0)
                return -1;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct mountinfo mi;
                if (!mountinfo_parse_line(line, &mi))
                        continue;
                int r = fn(&mi, data);
                if (r != 0)
                        return r < 0 ? -1 : r;
        }
        return 0;
}
