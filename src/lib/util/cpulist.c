/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "util/cpulist.h"

static const char *skip_blanks(const char *p, int flags)
{
        while ((flags & CPULIST_BLANKS) && (*p == ' ' || *p == '\t' || *p == '\n'))
                p++;
        return p;
}

static bool number(const char **p, unsigned long *out)
{
        char *end;
        if (**p < '0' || **p > '9')
                return false;
        errno = 0;
        *out = strtoul(*p, &end, 10);
        if (errno)
                return false;
        *p = end;
        return true;
}

int cpulist_each(const char *list, int flags, int (*fn)(unsigned long a, unsigned long b, void *ctx), void *ctx)
{
        const char *p = skip_blanks(list ? list : "", flags);
        if (!*p)
                return 0;
        for (;;) {
                unsigned long a, b;
                if (!number(&p, &a))
                        return -1;
                b = a;
                if (*p == '-') {
                        p++;
                        if (!number(&p, &b) || b < a)
                                return -1;
                }
                int r = fn(a, b, ctx);
                if (r != 0)
                        return r;
                p = skip_blanks(p, flags);
                if (!*p)
                        return 0;
                if (*p != ',')
                        return -1;
                p = skip_blanks(p + 1, flags);
        }
}

struct tally {
        size_t count;
        unsigned long max;
};

static int add_range(unsigned long a, unsigned long b, void *ctx)
{
        struct tally *t = ctx;
        t->count += b - a + 1;
        if (b > t->max)
                t->max = b;
        return 0;
}

bool cpulist_valid(const char *list, int flags, size_t *count, unsigned long *max)
{
        struct tally t = { 0, 0 };
        if (cpulist_each(list, flags, add_range, &t) != 0)
                return false;
        if (count)
                *count = t.count;
        if (max)
                *max = t.max;
        return true;
}

static int set_range(unsigned long a, unsigned long b, void *ctx)
{
        if (b >= CPU_SETSIZE)
                return -1;
        for (unsigned long c = a; c <= b; c++)
                CPU_SET(c, (cpu_set_t *)ctx);
        return 0;
}

bool cpulist_to_set(const char *list, int flags, cpu_set_t *set)
{
        CPU_ZERO(set);
        return cpulist_each(list, flags, set_range, set) == 0;
}
