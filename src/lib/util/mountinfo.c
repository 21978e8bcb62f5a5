/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/mountinfo.h"

#include <fcntl.h>
#include <stdlib.h>
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

/* What sscanf("%d%c") == 1 accepts (blanks, a sign, digits, nothing
 * after), without sscanf's cost: a docker host has hundreds of lines. */
static bool parse_int(const char *s, int *out)
{
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || *end)
                return false;
        *out = (int)v;
        return true;
}

/* sscanf("%u:%u%c") == 2 */
static bool parse_dev(const char *s, unsigned *major, unsigned *minor)
{
        char *end;
        unsigned long a = strtoul(s, &end, 10);
        if (end == s || *end != ':')
                return false;
        s = end + 1;
        unsigned long b = strtoul(s, &end, 10);
        if (end == s || *end)
                return false;
        *major = (unsigned)a;
        *minor = (unsigned)b;
        return true;
}

static bool parse_ids(const char *id, const char *parent, const char *dev, struct mountinfo *mi)
{
        return parse_int(id, &mi->id) && parse_int(parent, &mi->parent) && parse_dev(dev, &mi->major, &mi->minor);
}

static bool fstype_in(const char *fstype, const char *const *fstypes)
{
        if (!fstypes)
                return true;
        for (; *fstypes; fstypes++)
                if (strcmp(fstype, *fstypes) == 0)
                        return true;
        return false;
}

/* The parser; a line of another filesystem type than fstypes (NULL: any)
 * is refused before its numbers and strings are decoded. */
static bool parse_line(char *line, const char *const *fstypes, struct mountinfo *mi)
{
        char *f[6];
        char *p = line;

        memset(mi, 0, sizeof(*mi));
        char *nl = strchr(p, '\n');
        if (nl)
                *nl = '\0';
        for (int i = 0; i < 6; i++) {
                f[i] = strsep(&p, " ");
                if (!p)         /* every field up to the options has a successor */
                        return false;
        }
        if (!*f[3] || !*f[4])
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
        if (!*mi->fstype || !mi->source || !fstype_in(mi->fstype, fstypes))
                return false;
        if (!parse_ids(f[0], f[1], f[2], mi))
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

bool mountinfo_parse_line(char *line, struct mountinfo *mi)
{
        return parse_line(line, NULL, mi);
}

int mountinfo_foreach_fs(const char *path, const char *const *fstypes, mountinfo_fn fn, void *data,
                         struct husk_error *err)
{
        _cleanup_free_ char *buf = NULL;
        if (!path)
                path = "/proc/self/mountinfo";
        if (read_file_at(AT_FDCWD, path, &buf, NULL, err) < 0)
                return -1;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct mountinfo mi;
                if (!parse_line(line, fstypes, &mi))
                        continue;
                int r = fn(&mi, data);
                if (r != 0)
                        return r < 0 ? -1 : r;
        }
        return 0;
}

int mountinfo_foreach(const char *path, mountinfo_fn fn, void *data, struct husk_error *err)
{
        return mountinfo_foreach_fs(path, NULL, fn, data, err);
}
