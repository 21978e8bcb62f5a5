/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `husk exec`'s processes. Stage A (forked by husk): joins the container's
 * cgroup, then every namespace of its init at once (setns on a pidfd), forks
 * B and exits. B (in the container's pid namespace): the pty, the process's
 * settings, seccomp, capabilities, user, then execve. Without a user
 * namespace to join, husk enters the init's pid namespace for its children
 * and clones B itself; B then joins the cgroup and the other namespaces.
 * Both are non-dumpable from the start, and run from husk's protected copy
 * (linux/selfexe.h), so the container can't reach the husk binary through
 * /proc/<pid>/exe while they run. */
#ifndef HUSK_EXEC_INIT_H
#define HUSK_EXEC_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct cgroup_manager;
struct husk_seccomp_prog;

struct exec_config {
        const struct husk_spec *spec;           /* the container's (seccomp profile, personality) */
        const struct husk_process *proc;        /* what to run */
        const struct husk_seccomp_prog *prog;   /* compiled by husk, or NULL */
        int init_pidfd;                         /* the container's init */
        int ns_flags;                           /* CLONE_NEW* to join */
        int root_fd;                            /* the init's root, when its mount namespace is
                                                 * husk's own (chroot to it), else -1 */
        struct cgroup_manager *cgroup;          /* NULL: none */
        bool wait_for_cgroup;                   /* husk places A (systemd, --cgroup): wait for it */
        bool join_cgroup;                       /* B joins through cgroup_join_prepare's fds */
        bool late_cgroup;                       /* paused container: husk places B right before
                                                 * its execve (a frozen cgroup would freeze the setup) */
        int sync_fd;
        int preserve_fds;
        char *const *extra_env;
        int kernel_last_cap;                    /* caps_kernel_last() */
        bool initial_userns;                    /* B runs in the initial user namespace */
};

/* Fork stage A; its pid. */
pid_t exec_spawn(const struct exec_config *cfg, struct husk_error *err);
/* Without a user namespace to join, where husk may enter the container's
 * pid namespace for its children: clone B itself, no stage A (a fork, an
 * exit and a message less). B's pid; 0 where stage A is needed; -1 on
 * error. */
pid_t exec_spawn_direct(const struct exec_config *cfg, struct husk_error *err);

#endif
