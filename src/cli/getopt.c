/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option spellings of runc's parser (Go's flag package under urfave/cli),
 * which engines and scripts still send, on top of getopt_long:
 *   -name, -name=V, -name V     the same as --name...
 *   -b=V, --b V                 a one-letter flag with '=' or two dashes
 *   --flag=true, -flag=false    a boolean flag with a value (false: absent)
 * Only exact names are rewritten (Go has no abbreviations; getopt's own
 * --abbrev stays as it was), and the scan follows getopt's: it skips the
 * values of options that take one, stops at "--", and in '+' mode at the
 * first argument that is not an option, so a command's own arguments (exec's
 * "sh -c ...") are never touched. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A boolean flag given "=false": getopt sees this element, reports it as
 * unknown, and cli_getopt skips it. Compared by address. */
static char skip_marker[] = "--\x01husk-false";

/* The strings put into argv live as long as the process; keep them
 * reachable (leak checkers). */
static char **owned;
static size_t n_owned;

static char *own(char *s)
{
        char **n = realloc(owned, (n_owned + 1) * sizeof(*owned));
        if (!s || !n) {
                fputs("husk: out of memory\n", stderr);
                exit(1);
        }
        owned = n;
        owned[n_owned++] = s;
        return s;
}

static char *fmt2(const char *a, const char *b, size_t blen)
{
        char *s;
        if (asprintf(&s, "%s%.*s", a, (int)blen, b) < 0)
                s = NULL;
        return own(s);
}

/* Go's strconv.ParseBool: 1 if true, 0 if false, -1 if neither. */
static int go_bool(const char *v)
{
        static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                if (strcmp(v, t[i]) == 0)
                        return 1;
                if (strcmp(v, f[i]) == 0)
                        return 0;
        }
        return -1;
}

static const struct option *find_long(const struct option *lo, const char *name, size_t len)
{
        for (; lo && lo->name; lo++)
                if (strlen(lo->name) == len && strncmp(lo->name, name, len) == 0)
                        return lo;
        return NULL;
}

/* The long option of a one-letter flag that takes a value. */
static const struct option *find_val(const struct option *lo, char c)
{
        for (; lo && lo->name; lo++)
                if (lo->val == c && lo->flag == NULL && lo->has_arg == required_argument)
                        return lo;
        return NULL;
}

/* A unique prefix, as getopt_long accepts: only to know whether it takes a
 * value in the next argument. */
static const struct option *find_prefix(const struct option *lo, const char *name, size_t len)
{
        const struct option *found = NULL;
        for (; lo && lo->name; lo++) {
                if (strncmp(lo->name, name, len) == 0) {
                        if (found)
                                return NULL;
                        found = lo;
                }
        }
        return found;
}

/* 0: not a short option; 1: a flag; 2: takes a value. */
static int short_kind(const char *shortopts, char c)
{
        if (c == ':' || c == '+' || c == '-')
                return 0;
        const char *p = strchr(shortopts, c);
        if (!p)
                return 0;
        return p[1] == ':' ? 2 : 1;
}

/* Rewrite argv[i]; returns how many following elements are its value (0/1). */
static int normalize_one(char **argv, int i, const char *shortopts, const struct option *lo)
{
        const char *a = argv[i];
        bool two = a[1] == '-';
        const char *name = a + (two ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);

        if (len == 1) {
                /* -b=V, --b, --b=V, -d=false: a one-letter flag */
                int kind = short_kind(shortopts, name[0]);
                if (!kind || (!eq && !two))
                        goto cluster;
                char flag[3] = { '-', name[0], 0 };
                if (kind == 2) {
                        /* -b= is an empty value: only its long form says so
                         * to getopt ("-b" would take the next argument) */
                        const struct option *l = eq && !eq[1] ? find_val(lo, name[0]) : NULL;
                        if (l) {
                                char *longname = fmt2("--", l->name, strlen(l->name));
                                argv[i] = fmt2(longname, "=", 1);
                        } else {
                                argv[i] = eq ? fmt2(flag, eq + 1, strlen(eq + 1)) : own(strdup(flag));
                        }
                        return eq ? 0 : 1;
                }
                int b = eq ? go_bool(eq + 1) : 1;
                if (b < 0)
                        return 0;       /* getopt reports it */
                argv[i] = b ? own(strdup(flag)) : skip_marker;
                return 0;
        }
        const struct option *o = find_long(lo, name, len);
        if (!o) {
                if (two) {
                        o = find_prefix(lo, name, len);
                        return o && o->has_arg == required_argument && !eq;
                }
                goto cluster;
        }
        if (o->has_arg == no_argument) {
                int b = eq ? go_bool(eq + 1) : 1;
                if (b < 0)
                        return 0;
                argv[i] = b ? fmt2("--", o->name, strlen(o->name)) : skip_marker;
                return 0;
        }
        if (!two)
                argv[i] = fmt2("-", a, strlen(a));
        return o->has_arg == required_argument && !eq;

cluster:
        /* getopt's -abc / -bVALUE / -b VALUE */
        for (const char *p = a + 1; *p; p++) {
                int kind = short_kind(shortopts, *p);
                if (kind == 2)
                        return p[1] == 0;
                if (kind == 0)
                        return 0;
        }
        return 0;
}

static void normalize(int argc, char **argv, const char *shortopts, const struct option *lo)
{
        bool stop_at_arg = shortopts[0] == '+';
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        return;
                if (a[0] != '-' || a[1] == 0) {
                        if (stop_at_arg)
                                return;
                        continue;
                }
                i += normalize_one(argv, i, shortopts, lo);
        }
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int *idx)
{
        static char **done;
        if (done != argv) {
                normalize(argc, argv, shortopts, longopts);
                done = argv;
        }
        for (;;) {
                int c = getopt_long(argc, argv, shortopts, longopts, idx);
                if (c == '?' && optind > 0 && optind <= argc && argv[optind - 1] == skip_marker)
                        continue;
                return c;
        }
}
