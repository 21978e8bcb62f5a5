/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "husk/error.h"

int husk_error_vset(struct husk_error *err, int errnum, const char *fmt, va_list ap)
{
        if (!err)
                return -1;
        int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        if (n < 0)
                n = 0;
        if (errnum != 0 && (size_t)n < sizeof(err->msg))
                snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
        err->errnum = errnum;
        return -1;
}

int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        husk_error_vset(err, errnum, fmt, ap);
        va_end(ap);
        return -1;
}

int husk_error_sys(struct husk_error *err, const char *fmt, ...)
{
        int e = errno;
        va_list ap;
        va_start(ap, fmt);
        husk_error_vset(err, e, fmt, ap);
        va_end(ap);
        errno = e;
        return -1;
}

int husk_error_wrap(struct husk_error *err, const char *fmt, ...)
{
        if (!err)
                return -1;
        char prefix[HUSK_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        char old[HUSK_ERROR_MSG_MAX];
        memcpy(old, err->msg, sizeof(old));
        old[sizeof(old) - 1] = '\0';
        size_t plen = strnlen(prefix, sizeof(err->msg) - 3);
        memcpy(err->msg, prefix, plen);
        memcpy(err->msg + plen, ": ", 2);
        size_t room = sizeof(err->msg) - plen - 3;
        size_t olen = strnlen(old, room);
        memcpy(err->msg + plen + 2, old, olen);
        err->msg[plen + 2 + olen] = '\0';
        return -1;
}

void husk_error_clear(struct husk_error *err)
{
        if (err) {
                err->errnum = 0;
                err->msg[0] = '\0';
        }
}
