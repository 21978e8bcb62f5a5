/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection for the test suite (tests/integration/faults.bats).
 *
 * The few wrappers every side effect of create goes through (state dir and
 * files, cgroup mkdir and writes, sync messages, clones, mounts) call
 * failpoint() first. With HUSK_FAILPOINT unset (always, outside the tests)
 * that is one load and a branch. HUSK_FAILPOINT=
 *   trace:FILE   append "NAME" to FILE at each failpoint passed (the steps)
 *   fail:N       the Nth failpoint passed fails with EIO, as the real
 *                operation could
 *   kill:N       the Nth failpoint passed SIGKILLs the husk command (the
 *                process that called failpoint_init), as an OOM killer or
 *                an impatient engine would
 * N counts across husk and the stages it forks (a shared counter), in the
 * order they pass them. */
#ifndef HUSK_FAILPOINT_H
#define HUSK_FAILPOINT_H

#include <stdbool.h>

#include "husk/error.h"

/* Read HUSK_FAILPOINT; call once, early, before any fork (cli/main.c). */
void failpoint_init(void);

/* The fd a stage needs for its failpoints (trace: the file, which it may
 * not reach by path after pivot_root; kill:N: the pipe through which it
 * kills the husk command, which it can't name from another pid namespace):
 * a stage that closes its fds keeps it. -1 when not needed. Close-on-exec:
 * no container process inherits it. */
int failpoint_fd(void);

extern bool failpoint_active;
int failpoint_hit(const char *name, struct husk_error *err);

/* 0 to go on; -1 with err (errno EIO) when this step is to fail. */
static inline int failpoint(const char *name, struct husk_error *err)
{
        return failpoint_active ? failpoint_hit(name, err) : 0;
}

#endif
