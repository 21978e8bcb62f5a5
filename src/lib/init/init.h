/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two-stage init (see DESIGN.md):
 *
 *   stage 1 (forked by `husk create`, still in husk's cgroup): joins the
 *     namespaces given by path, creates the user namespace (the parent writes
 *     its id maps), unshares the other new namespaces but the cgroup one
 *     (time offsets written), forks stage 2 (on cgroup2 straight into the
 *     container's cgroup), reports its pid and exits.
 *   stage 2 (the container's PID 1): joins the container's cgroup through
 *     the files the parent opened, unshares the cgroup namespace; hostname,
 *     rootfs, hooks, pivot_root, console, masked paths, sysctl, the process's
 *     own settings; reports "ready", blocks on the start socket until `husk
 *     start`, then execs. Only what stage 2 does is charged to the
 *     container's memory cgroup, as with runc's and crun's init.
 *
 * The stages are forks of husk, marked non-dumpable at once. Their exe is
 * not the host's husk binary: create, run and exec first re-execute husk
 * from a copy the container can't write (linux/selfexe.h), since a
 * container process with CAP_SYS_PTRACE can open /proc/<pid>/exe of a
 * non-dumpable process too. */
#ifndef HUSK_INIT_H
#define HUSK_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct cgroup_manager;
struct husk_seccomp_prog;

struct init_config {
        const struct husk_spec *spec;
        const char *id;
        const char *bundle;             /* absolute */
        const char *rootfs;             /* absolute */
        int sync_fd;                    /* the child's end of the sync socketpair */
        int start_listener;             /* the start barrier: a unix socket listening at <state>/exec.sock */
        int preserve_fds;               /* fds 3 .. 3+N-1 stay open in the container */
        bool no_pivot;
        bool no_new_keyring;
        bool stop_for_parent;           /* SYNC_HOOKS stop: the parent has work then (hooks...) */
        bool child_of_husk;             /* stage 2 is husk's child (run --no-subreaper waits for it) */
        struct cgroup_manager *cgroup;  /* NULL: no cgroup */
        char *const *extra_env;         /* appended to process.env (LISTEN_FDS, ...) */
        const struct husk_seccomp_prog *seccomp;        /* compiled by the parent, or NULL */
        int *mount_fds;                 /* per spec mount: idmapped mount fd or -1; NULL if none */
        int kernel_last_cap;            /* caps_kernel_last() */
        bool initial_userns;            /* no user namespace: husk's, the initial one, is the
                                         * container's too (setgroups is always allowed) */
};

/* Fork stage 1. Returns its pid in the parent; the child never returns. */
pid_t init_spawn(const struct init_config *cfg, struct husk_error *err);

/* First thing in a forked stage: non-dumpable, signals unblocked and at
 * their defaults. */
void init_child_start(void);

/* Fork a stage (sibling: as a child of our parent, CLONE_PARENT), born in
 * the cgroup2 cgroup of cgroup_fd (>= 0, cgroup_v2_fd) where the kernel has
 * clone3 and CLONE_INTO_CGROUP (*into then true); else a plain fork. -1 on
 * error, 0 in the child, the pid in the parent. */
pid_t spawn_stage(bool sibling, int cgroup_fd, bool *into, struct husk_error *err);

/* Fork the next stage (sibling: as a child of husk, CLONE_PARENT); its pid reaches husk (SYNC_PID) before the child can
 * send anything. -1 on error, 0 in the child, the pid in the parent. */
pid_t fork_after_pid_sent(int sock, bool sibling, struct husk_error *err);
/* The same, and: sibling (CLONE_PARENT) makes it a child of husk itself;
 * with cgroup_fd >= 0 (cgroup_v2_fd) the child is born in that cgroup2
 * cgroup (*into true, in both) unless the kernel lacks clone3 or
 * CLONE_INTO_CGROUP; until_exit: the child goes on only once the caller
 * has exited (its memory released: see prefault_private_pages). */
pid_t spawn_after_pid_sent(int sock, bool sibling, int cgroup_fd, bool until_exit, bool *into,
                           struct husk_error *err);

/* Look up `file` in PATH (from env, else the default) the way execvp does,
 * for an error before `start` rather than after. Returns a malloc'd path. */
char *init_find_executable(const char *file, char *const *env, struct husk_error *err);

#endif
