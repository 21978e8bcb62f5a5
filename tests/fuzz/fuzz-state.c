/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for what husk reads back from its state directory and
 * from its own stages: state.json (state_parse), a sync message
 * (sync_recv over a SEQPACKET socket, as the init stages send them) and a
 * signal name or number (signal_parse, from `husk kill`). Any input must
 * parse or fail with a message; never crash, hang or leak.
 *
 *   build-fuzz/tests/fuzz/fuzz-state tests/fuzz/corpus-state
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "init/sync.h"
#include "state/state.h"
#include "util/signals.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A sub-parser that counts: how deep, how many objects it was given. */
struct depth {
        int depth, objects;
};
static int d_scalar(void *ctx) { return ((struct depth *)ctx)->depth > 0 ? 1 : (__builtin_trap(), 0); }
static int d_null(void *ctx) { return d_scalar(ctx); }
static int d_bool(void *ctx, int v) { (void)v; return d_scalar(ctx); }
static int d_number(void *ctx, const char *n, size_t l) { (void)n; (void)l; return d_scalar(ctx); }
static int d_string(void *ctx, const unsigned char *s, size_t l) { (void)s; (void)l; return d_scalar(ctx); }
static int d_start(void *ctx)
{
        struct depth *d = ctx;
        if (d->depth++ == 0)
                d->objects++;
        return 1;
}
static int d_end(void *ctx)
{
        struct depth *d = ctx;
        if (--d->depth < 0)
                __builtin_trap();
        return 1;
}
static const yajl_callbacks depth_callbacks = {
        .yajl_null = d_null, .yajl_boolean = d_bool, .yajl_number = d_number, .yajl_string = d_string,
        .yajl_start_map = d_start, .yajl_map_key = d_string, .yajl_end_map = d_end,
        .yajl_start_array = d_start, .yajl_end_array = d_end,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct husk_error err;
        _cleanup_free_ char *s = xstrndup((const char *)data, size);

        struct husk_state st;
        struct depth d = { 0 };
        struct state_sub sub = { &depth_callbacks, &d };
        if (state_parse_with(s, "fuzz", &sub, &st, &err) == 0) {
                /* the cgroup object: its events went to sub, balanced, and
                 * its text is that of a JSON object */
                if (d.depth != 0)
                        __builtin_trap();
                if (d.objects) {
                        if (!st.cgroup || st.cgroup[0] != '{' || d.objects != 1)
                                __builtin_trap();
                        yajl_handle h = yajl_alloc(NULL, NULL, NULL);
                        yajl_config(h, yajl_allow_comments, 1);
                        size_t len = strlen(st.cgroup);
                        if (yajl_parse(h, (const unsigned char *)st.cgroup, len) != yajl_status_ok ||
                            yajl_complete_parse(h) != yajl_status_ok || st.cgroup[len - 1] != '}')
                                __builtin_trap();
                        yajl_free(h);
                }
                state_free(&st);
        } else if (!err.msg[0]) {
                __builtin_trap();
        }

        (void)signal_parse(s, &err);

        int sv[2];
        if (size > 0 && size <= 65536 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
                if (send(sv[0], data, size, 0) == (ssize_t)size) {
                        close(sv[0]);
                        sv[0] = -1;
                        struct sync_msg m;
                        if (sync_recv(sv[1], &m, &err) == 0)
                                sync_msg_free(&m);
                        else if (!err.msg[0])
                                __builtin_trap();
                }
                if (sv[0] >= 0)
                        close(sv[0]);
                close(sv[1]);
        }
        return 0;
}
