/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * husk's error convention: functions return 0 or -1 and fill a struct
 * husk_error. Context is prefixed as the error climbs, so the message the
 * user reads names what failed, where, and why:
 *
 *     if (mount(...) < 0)
 *             return husk_error_sys(err, "mount \"%s\" on \"%s\"", src, dst);
 *     ...
 *     return husk_error_wrap(err, "create %s", id);
 *
 * The struct holds a fixed buffer (no allocation), so it is safe to fill in a
 * forked child and to send over the init sync socket as is.
 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define HUSK_ERROR_MSG_MAX 2048

struct husk_error {
        int errnum;                     /* errno of the root cause, 0 if none */
        char msg[HUSK_ERROR_MSG_MAX];   /* full message, context first */
};

#define HUSK_FMT(a, b) __attribute__((format(printf, a, b)))

/* Set the message; errnum != 0 appends ": <strerror(errnum)>". Returns -1. */
int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...) HUSK_FMT(3, 4);
/* Like husk_error_set with errnum = errno (read before anything else). */
int husk_error_sys(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
/* Prefix context: "<ctx>: <previous message>". Keeps errnum. Returns -1. */
int husk_error_wrap(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_vset(struct husk_error *err, int errnum, const char *fmt, va_list ap);
void husk_error_clear(struct husk_error *err);

#endif
