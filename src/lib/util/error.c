/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "husk/error.h"

/* The errno a kind stands for when the maker gave none. */
static int kind_errnum(enum husk_error_kind kind)
{
        switch (kind) {
        case HUSK_ERR_INVALID:
                return EINVAL;
        case HUSK_ERR_NOT_FOUND:
                return ENOENT;
        case HUSK_ERR_EXISTS:
                return EEXIST;
        case HUSK_ERR_UNSUPPORTED:
                return ENOTSUP;
        default:
                return 0;
        }
}

enum reason { REASON, REASON_LOWER, NO_REASON };

/* The one formatting rule: the message, then for a system error
 * ": <strerror>" (lowercased when asked, as runc words it; left out when
 * the message explains it); an empty message gives the reason alone. */
static int make(struct husk_error *err, enum husk_error_kind kind, int errnum, enum reason how, const char *fmt,
                va_list ap)
{
        if (!err)
                return -1;
        if (errnum == 0)
                errnum = kind_errnum(kind);
        /* through a copy: the arguments may include err->msg itself */
        char msg[HUSK_ERROR_MSG_MAX];
        int n = vsnprintf(msg, sizeof(msg), fmt, ap);
        if (n < 0)
                n = 0;
        if ((size_t)n >= sizeof(msg))
                n = sizeof(msg) - 1;
        msg[n] = '\0';
        memcpy(err->msg, msg, (size_t)n + 1);
        if (kind == HUSK_ERR_SYSTEM && how != NO_REASON && errnum != 0 && (size_t)n < sizeof(err->msg) - 1) {
                char reason[128];
                snprintf(reason, sizeof(reason), "%s", strerror(errnum));
                if (how == REASON_LOWER)
                        reason[0] = (char)tolower((unsigned char)reason[0]);
                snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s", n ? ": " : "", reason);
        }
        err->errnum = errnum;
        err->kind = kind;
        return -1;
}

int husk_error_vmake(struct husk_error *err, enum husk_error_kind kind, int errnum, const char *fmt, va_list ap)
{
        return make(err, kind, errnum, REASON, fmt, ap);
}

#define MAKE(err, kind, errnum, how, fmt)                       \
        do {                                                      \
                va_list ap;                                       \
                va_start(ap, fmt);                                \
                make(err, kind, errnum, how, fmt, ap);            \
                va_end(ap);                                       \
                return -1;                                        \
        } while (0)

int husk_error_sys(struct husk_error *err, const char *fmt, ...)
{
        int e = errno;
        va_list ap;
        va_start(ap, fmt);
        make(err, HUSK_ERR_SYSTEM, e, REASON, fmt, ap);
        va_end(ap);
        errno = e;
        return -1;
}

int husk_error_errno(struct husk_error *err, int errnum, const char *fmt, ...)
{
        MAKE(err, errnum ? HUSK_ERR_SYSTEM : HUSK_ERR_FAILED, errnum, REASON, fmt);
}

int husk_error_errno_lower(struct husk_error *err, int errnum, const char *fmt, ...)
{
        MAKE(err, errnum ? HUSK_ERR_SYSTEM : HUSK_ERR_FAILED, errnum, REASON_LOWER, fmt);
}

int husk_error_explained(struct husk_error *err, int errnum, const char *fmt, ...)
{
        MAKE(err, errnum ? HUSK_ERR_SYSTEM : HUSK_ERR_FAILED, errnum, NO_REASON, fmt);
}

int husk_error_invalid(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_INVALID, 0, REASON, fmt);
}

int husk_error_not_found(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_NOT_FOUND, 0, REASON, fmt);
}

int husk_error_exists(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_EXISTS, 0, REASON, fmt);
}

int husk_error_state(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_STATE, 0, REASON, fmt);
}

int husk_error_unsupported(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_UNSUPPORTED, 0, REASON, fmt);
}

int husk_error_fail(struct husk_error *err, const char *fmt, ...)
{
        MAKE(err, HUSK_ERR_FAILED, 0, REASON, fmt);
}

int husk_error_vset(struct husk_error *err, int errnum, const char *fmt, va_list ap)
{
        return make(err, errnum ? HUSK_ERR_SYSTEM : HUSK_ERR_FAILED, errnum, REASON, fmt, ap);
}

int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
{
        MAKE(err, errnum ? HUSK_ERR_SYSTEM : HUSK_ERR_FAILED, errnum, REASON, fmt);
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
        if (err->kind == HUSK_ERR_NONE)
                err->kind = HUSK_ERR_FAILED;
        return -1;
}

void husk_error_clear(struct husk_error *err)
{
        if (err) {
                err->errnum = 0;
                err->kind = HUSK_ERR_NONE;
                err->msg[0] = '\0';
        }
}

int husk_error_copy(struct husk_error *dst, const struct husk_error *src)
{
        if (dst && src && dst != src) {
                *dst = *src;
                dst->msg[sizeof(dst->msg) - 1] = '\0';
        }
        return -1;
}

const char *husk_error_kind_name(int kind)
{
        static const char *const names[] = {
                [HUSK_ERR_NONE] = "none",
                [HUSK_ERR_SYSTEM] = "system",
                [HUSK_ERR_INVALID] = "invalid",
                [HUSK_ERR_NOT_FOUND] = "not found",
                [HUSK_ERR_EXISTS] = "exists",
                [HUSK_ERR_STATE] = "wrong state",
                [HUSK_ERR_UNSUPPORTED] = "unsupported",
                [HUSK_ERR_FAILED] = "failed",
        };
        if (kind < 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
                return "unknown";
        return names[kind];
}
