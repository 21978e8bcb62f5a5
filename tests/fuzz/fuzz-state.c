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

#include "init/sync.h"
#include "state/state.h"
#include "util/signals.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct husk_error err;
        _cleanup_free_ char *s = xstrndup((const char *)data, size);

        struct husk_state st;
        if (state_parse(s, "fuzz", &st, &err) == 0)
                state_free(&st);
        else if (!err.msg[0])
                __builtin_trap();

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
