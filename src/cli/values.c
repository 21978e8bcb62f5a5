/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option values as runc reads them (see values.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "values.h"

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* strtoull alone would also take blanks and a sign (" -1" is 2^64-1). */
int cli_go_uint(const char *s, uint64_t *out)
{
        return all_digits(s) ? parse_uint64(s, out) : -1;
}

int cli_go_int(const char *s, int64_t *out)
{
        return all_digits(*s == '-' || *s == '+' ? s + 1 : s) ? parse_int64(s, out) : -1;
}

/* docker/go-units RAMInBytes, as runc's update reads sizes: a decimal
 * number, optional space, an optional unit k/m/g/t/p (powers of 1024),
 * optional "i", optional "b", case-insensitive: "100", "100m", "1.5g",
 * "10KiB", "100 MB". */
int cli_ram_in_bytes(const char *s, int64_t *out)
{
        const char *p = s;
        if (!isdigit((unsigned char)*p))
                return -1;
        while (isdigit((unsigned char)*p))
                p++;
        /* go-units accepts "1.2.3" through its regexp, then ParseFloat
         * refuses it: one dot at most here. */
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -1;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        _cleanup_free_ char *num = xstrndup(s, (size_t)(p - s));
        if (*p == ' ')
                p++;
        double mul = 1;
        switch (tolower((unsigned char)*p)) {
        case 'k': mul = 1024.0; p++; break;
        case 'm': mul = 1024.0 * 1024; p++; break;
        case 'g': mul = 1024.0 * 1024 * 1024; p++; break;
        case 't': mul = 1024.0 * 1024 * 1024 * 1024; p++; break;
        case 'p': mul = 1024.0 * 1024 * 1024 * 1024 * 1024; p++; break;
        default: break;
        }
        if (tolower((unsigned char)*p) == 'i')
                p++;
        if (tolower((unsigned char)*p) == 'b')
                p++;
        if (*p)
                return -1;
        char *end;
        errno = 0;
        double v = strtod(num, &end);
        if (errno || *end)
                return -1;
        v *= mul;
        if (v >= 9223372036854775807.0)
                return -1;
        *out = (int64_t)v;
        return 0;
}

int cli_memory_value(const char *s, int64_t *out)
{
        if (strcmp(s, "-1") == 0) {
                *out = -1;
                return 0;
        }
        return cli_ram_in_bytes(s, out);
}

/* One "<number><unit>" of a Go duration at *s: Go's grammar, digits with
 * at most one '.' and a digit on either side of it (no sign, exponent or
 * hex, which strtod would take), then the unit: the run of bytes up to the
 * next digit or '.', one of Go's exactly. */
static int duration_part(const char **s, double *ns)
{
        static const struct {
                const char *u;
                double mul;
        } units[] = {
                { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 }, { "ms", 1e6 },
                { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
        };
        const char *p = *s;
        size_t digits = 0;
        for (; isdigit((unsigned char)*p); p++)
                digits++;
        if (*p == '.')
                for (p++; isdigit((unsigned char)*p); p++)
                        digits++;
        if (!digits)
                return -1;
        _cleanup_free_ char *num = xstrndup(*s, (size_t)(p - *s));
        const char *u = p;
        while (*p && *p != '.' && !isdigit((unsigned char)*p))
                p++;
        for (size_t k = 0; k < ARRAY_SIZE(units); k++) {
                if (strlen(units[k].u) == (size_t)(p - u) && strncmp(u, units[k].u, (size_t)(p - u)) == 0) {
                        *ns = strtod(num, NULL) * units[k].mul;
                        *s = p;
                        return 0;
                }
        }
        return -1;      /* Go: "missing unit" / "unknown unit" */
}

/* A Go time.Duration string ("5s", "100ms", "1m30s", "1.5h"), in ns; as Go,
 * at most 2^63-1 ns (about 2562047h). */
int cli_go_duration(const char *s, double *ns)
{
        double total = 0;
        bool neg = false;
        if (*s == '-' || *s == '+')
                neg = *s++ == '-';
        if (strcmp(s, "0") == 0) {
                *ns = 0;
                return 0;
        }
        if (!*s)
                return -1;
        while (*s) {
                double v;
                if (duration_part(&s, &v) < 0)
                        return -1;
                total += v;
        }
        if (total >= 9223372036854775808.0)
                return -1;      /* Go: "invalid duration" */
        *ns = neg ? -total : total;
        return 0;
}

int cli_preserve_fds_value(const char *s, int *out)
{
        int64_t n;
        /* digits only, as Go's ParseUint: no sign, no blanks */
        if (*s < '0' || *s > '9' || parse_int64(s, &n) < 0 || n > 65536)
                return -1;
        *out = (int)n;
        return 0;
}

/* runc: each comma-separated item is a (signed) number, else a usage error;
 * whether it is a valid id is checked later, as exec's failure. */
bool cli_gid_list_ok(const char *s)
{
        if (!*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
                return false;
        for (const char *p = s; *p; p++) {
                if (*p == '-' && (p == s || p[-1] == ',') && p[1] >= '0' && p[1] <= '9')
                        continue;
                if (*p != ',' && (*p < '0' || *p > '9'))
                        return false;
        }
        return true;
}
