/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last steps before execve, shared by the container's init and by
 * `husk exec`: the process's own settings, then seccomp/capabilities/user,
 * then the exec itself. Called in this order:
 *
 *   apply_settings()         cwd, rlimits, oom_score_adj, scheduler, I/O
 *                            priority, personality, initial CPU affinity;
 *                            finds the executable and HOME
 *   apply_seccomp_early()    loads the filter now if it must be (no
 *                            no_new_privs: needs CAP_SYS_ADMIN; or a
 *                            listener fd to hand over)
 *   apply_identity()         bounding set, user, capabilities, LSM labels
 *   apply_seccomp_now()      (only before startContainer hooks, which
 *                            run under the filter as in runc)
 *   apply_exec()             no_new_privs, final affinity, seccomp, execve
 *
 * apply_prepare() runs the first three, handing a seccomp listener fd to
 * husk over the sync socket, and clears close-on-exec on the preserved fds.
 */
#ifndef HUSK_APPLY_H
#define HUSK_APPLY_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

struct husk_seccomp_prog;

struct apply_ctx {
        const struct husk_process *proc;
        const struct husk_spec *spec;           /* linux.personality, linux.seccomp */
        const struct husk_seccomp_prog *prog;   /* compiled by the parent, or NULL */
        char *const *extra_env;
        bool create_cwd;                        /* the init makes a missing cwd, exec doesn't */
        int kernel_last_cap;                    /* caps_kernel_last(), read by husk on the host */
        bool initial_userns;                    /* known to run in the initial user namespace,
                                                 * where setgroups(2) is always allowed */
        /* filled in by the steps */
        bool seccomp_loaded;
        char *exe;
        char *home;                             /* "HOME=..." when process.env has none */
};

int apply_settings(struct apply_ctx *a, struct husk_error *err);
int apply_prepare(struct apply_ctx *a, int sync_fd, int preserve_fds, struct husk_error *err);
int apply_seccomp_early(struct apply_ctx *a, int *notify_fd, struct husk_error *err);
int apply_identity(struct apply_ctx *a, struct husk_error *err);
int apply_seccomp_now(struct apply_ctx *a, struct husk_error *err);
/* Returns only on failure. */
int apply_exec(struct apply_ctx *a, struct husk_error *err);
void apply_ctx_clear(struct apply_ctx *a);

#endif
