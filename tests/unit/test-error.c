/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the error convention: each constructor's kind, errnum and
 * message (strerror only on system errors), wrapping keeps the kind, and the
 * kind crosses the init sync socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "husk/error.h"
#include "init/sync.h"
#include "tap.h"

static void expect(const struct husk_error *e, int kind, int errnum, const char *msg)
{
        CHECK(e->kind == kind, "\"%s\": kind %s, want %s", e->msg, husk_error_kind_name(e->kind),
              husk_error_kind_name(kind));
        CHECK(e->errnum == errnum, "\"%s\": errnum %d, want %d", e->msg, e->errnum, errnum);
        CHECK(strcmp(e->msg, msg) == 0, "message \"%s\", want \"%s\"", e->msg, msg);
}

static void test_constructors(void)
{
        struct husk_error e = { 0 };

        errno = ENOENT;
        CHECK(husk_error_sys(&e, "open %s", "/x") == -1 && errno == ENOENT, "sys returns -1, keeps errno");
        expect(&e, HUSK_ERR_SYSTEM, ENOENT, "open /x: No such file or directory");
        husk_error_errno(&e, EACCES, "mount \"%s\"", "proc");
        expect(&e, HUSK_ERR_SYSTEM, EACCES, "mount \"proc\": Permission denied");
        husk_error_errno_lower(&e, EACCES, "mount \"%s\"", "proc");
        expect(&e, HUSK_ERR_SYSTEM, EACCES, "mount \"proc\": permission denied");
        husk_error_errno_lower(&e, EPERM, "%s", "");
        expect(&e, HUSK_ERR_SYSTEM, EPERM, "operation not permitted");

        husk_error_explained(&e, EPERM, "hard limit %d exceeds the caller's hard limit %d", 2048, 1024);
        expect(&e, HUSK_ERR_SYSTEM, EPERM, "hard limit 2048 exceeds the caller's hard limit 1024");

        /* the other kinds say why themselves: no ": Invalid argument" */
        CHECK(husk_error_invalid(&e, "a swap limit needs a memory limit") == -1, "invalid returns -1");
        expect(&e, HUSK_ERR_INVALID, EINVAL, "a swap limit needs a memory limit");
        husk_error_not_found(&e, "container \"%s\" does not exist", "c1");
        expect(&e, HUSK_ERR_NOT_FOUND, ENOENT, "container \"c1\" does not exist");
        husk_error_exists(&e, "container \"%s\" already exists", "c1");
        expect(&e, HUSK_ERR_EXISTS, EEXIST, "container \"c1\" already exists");
        husk_error_state(&e, "container not running");
        expect(&e, HUSK_ERR_STATE, 0, "container not running");
        husk_error_unsupported(&e, "no time namespace");
        expect(&e, HUSK_ERR_UNSUPPORTED, ENOTSUP, "no time namespace");
        husk_error_fail(&e, "hook exited with status %d", 1);
        expect(&e, HUSK_ERR_FAILED, 0, "hook exited with status 1");

        /* the older form: errnum means a system error, 0 a plain failure */
        husk_error_set(&e, EBUSY, "umount");
        expect(&e, HUSK_ERR_SYSTEM, EBUSY, "umount: Device or resource busy");
        husk_error_set(&e, 0, "plain");
        expect(&e, HUSK_ERR_FAILED, 0, "plain");

        husk_error_clear(&e);
        expect(&e, HUSK_ERR_NONE, 0, "");
        CHECK(husk_error_invalid(NULL, "x") == -1, "NULL err is allowed");
        CHECK(strcmp(husk_error_kind_name(99), "unknown") == 0, "unknown kind name");
}

static void test_wrap(void)
{
        struct husk_error e = { 0 };
        errno = ENOENT;
        husk_error_sys(&e, "open %s", "/x");
        husk_error_wrap(&e, "mounts[%d]", 2);
        expect(&e, HUSK_ERR_SYSTEM, ENOENT, "mounts[2]: open /x: No such file or directory");

        husk_error_not_found(&e, "container \"c1\" does not exist");
        husk_error_wrap(&e, "delete");
        husk_error_wrap(&e, "outer %s", "ctx");
        expect(&e, HUSK_ERR_NOT_FOUND, ENOENT, "outer ctx: delete: container \"c1\" does not exist");

        /* a message made from the previous one (err->msg as an argument) */
        husk_error_invalid(&e, "bad schema");
        husk_error_unsupported(&e, "not enabled (%s)", e.msg);
        expect(&e, HUSK_ERR_UNSUPPORTED, ENOTSUP, "not enabled (bad schema)");

        struct husk_error copy = { 0 };
        CHECK(husk_error_copy(&copy, &e) == -1, "copy returns -1");
        expect(&copy, HUSK_ERR_UNSUPPORTED, ENOTSUP, "not enabled (bad schema)");

        husk_error_clear(&e);
        husk_error_wrap(&e, "ctx");
        CHECK(e.kind == HUSK_ERR_FAILED, "wrapping nothing is still an error: %s", husk_error_kind_name(e.kind));

        char big[4000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        husk_error_invalid(&e, "%s", big);
        CHECK(strlen(e.msg) == HUSK_ERROR_MSG_MAX - 1, "truncated to the buffer");
        husk_error_wrap(&e, "ctx");
        CHECK(strlen(e.msg) < HUSK_ERROR_MSG_MAX && strncmp(e.msg, "ctx: xx", 7) == 0 && e.kind == HUSK_ERR_INVALID,
              "wrap of a full message");
        errno = EIO;
        husk_error_sys(&e, "%s", big);
        CHECK(strlen(e.msg) == HUSK_ERROR_MSG_MAX - 1 && e.kind == HUSK_ERR_SYSTEM, "full message, no room for reason");
}

/* What the init sends is what create reads: kind, errnum and message. */
static void test_sync(void)
{
        int (*make[])(struct husk_error *, const char *, ...) = {
                husk_error_invalid, husk_error_not_found, husk_error_state, husk_error_unsupported,
        };
        int kinds[] = { HUSK_ERR_INVALID, HUSK_ERR_NOT_FOUND, HUSK_ERR_STATE, HUSK_ERR_UNSUPPORTED };
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                int sv[2];
                CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
                struct husk_error sent = { 0 }, got = { 0 };
                make[i](&sent, "process.cwd: \"%s\" is wrong", "x");
                husk_error_wrap(&sent, "stage 2");
                CHECK(sync_send_error(sv[1], &sent) == 0, "send error");
                struct sync_msg m;
                CHECK(sync_expect(sv[0], SYNC_READY, &m, &got) < 0, "error message");
                expect(&got, kinds[i], sent.errnum, "stage 2: process.cwd: \"x\" is wrong");
                close(sv[0]);
                close(sv[1]);
        }
}

int main(void)
{
        test_constructors();
        test_wrap();
        test_sync();
        return tap_done();
}
