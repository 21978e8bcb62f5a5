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
 * Every error has a kind, set by the constructor that made it, kept by
 * husk_error_wrap. Callers decide by the kind (and, for system errors, by
 * errnum), never by the message text, which is for people and may change.
 *
 * One formatting rule (util/error.c): "<context>: ... : <message>", and only
 * a system error ends in ": <strerror(errnum)>" (unless its maker explained
 * the errno in words: husk_error_explained). A message of another kind says
 * why itself ("a swap limit needs a memory limit", not "...: Invalid
 * argument").
 *
 * The struct holds a fixed buffer (no allocation), so it is safe to fill in a
 * forked child and to send over the init sync socket as is (kind included).
 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define HUSK_ERROR_MSG_MAX 2048

enum husk_error_kind {
        HUSK_ERR_NONE = 0,      /* cleared: no error */
        HUSK_ERR_SYSTEM,        /* a system call failed; errnum says why */
        HUSK_ERR_INVALID,       /* bad input: config.json, a flag, a file's content */
        HUSK_ERR_NOT_FOUND,     /* the thing named doesn't exist (container, device...) */
        HUSK_ERR_EXISTS,        /* the thing to create exists already */
        HUSK_ERR_STATE,         /* wrong state for the operation ("container not running") */
        HUSK_ERR_UNSUPPORTED,   /* this host, kernel or build can't do what was asked */
        HUSK_ERR_FAILED,        /* another program or step failed, the message says how
                                 * (a hook exited 1, the init died, a protocol error) */
};

struct husk_error {
        int errnum;                     /* errno of the root cause; for the kinds
                                         * other than SYSTEM and FAILED the errno
                                         * closest to it (EINVAL, ENOENT, EEXIST,
                                         * ENOTSUP; 0 for STATE) */
        int kind;                       /* enum husk_error_kind */
        char msg[HUSK_ERROR_MSG_MAX];   /* full message, context first */
};

#define HUSK_FMT(a, b) __attribute__((format(printf, a, b)))

/* The constructors. Each sets kind, errnum and the message; returns -1. */

/* A system call failed: errnum = errno (read before anything else, and
 * restored on return); the message ends in ": <strerror(errno)>". */
int husk_error_sys(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
/* The same with an explicit errno (a return value, a saved errno). */
int husk_error_errno(struct husk_error *err, int errnum, const char *fmt, ...) HUSK_FMT(3, 4);
/* The same with the reason in lowercase, as runc (Go) words it: used where
 * husk prints the messages runc prints (mounts and the rootfs). An empty
 * format gives the reason alone. */
int husk_error_errno_lower(struct husk_error *err, int errnum, const char *fmt, ...) HUSK_FMT(3, 4);
/* A system call failed and the message says why in better words than
 * strerror ("hard limit 2048 exceeds the caller's hard limit 1024"): kind
 * system, errnum as given, no strerror appended. */
int husk_error_explained(struct husk_error *err, int errnum, const char *fmt, ...) HUSK_FMT(3, 4);
int husk_error_invalid(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_not_found(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_exists(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_state(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_unsupported(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
int husk_error_fail(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
/* The one formatter under all of them, for helpers that forward a format
 * (a parser that prefixes the JSON path, say). errnum 0 means the kind's
 * own (see struct husk_error); strerror is appended for HUSK_ERR_SYSTEM only. */
int husk_error_vmake(struct husk_error *err, enum husk_error_kind kind, int errnum, const char *fmt, va_list ap);

/* Older form: errnum != 0 is husk_error_errno, 0 is husk_error_fail.
 * New code says what kind of error it makes with a constructor above. */
int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...) HUSK_FMT(3, 4);
int husk_error_vset(struct husk_error *err, int errnum, const char *fmt, va_list ap);

/* Prefix context: "<ctx>: <previous message>". Keeps kind and errnum. Returns -1. */
int husk_error_wrap(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
void husk_error_clear(struct husk_error *err);
/* *dst = *src (kind, errnum and message as they are). Returns -1. */
int husk_error_copy(struct husk_error *dst, const struct husk_error *src);

static inline bool husk_error_is(const struct husk_error *err, enum husk_error_kind kind)
{
        return err && err->kind == (int)kind;
}

/* "system", "invalid", "not found", ...: for logs and tests. */
const char *husk_error_kind_name(int kind);

#endif
