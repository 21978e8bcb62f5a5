/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-process settings of runtime-spec's "process" object (plus
 * linux.seccomp, linux.sysctl, linux.personality), applied by the container's
 * init (and by exec) right before execve.
 *
 * The spec comes from spec_parse(), which checked every rule that does not
 * depend on the host (spec/validate.c). Before the first side effect, in
 * the parent, container_preflight() runs the host checks (lsm_check_host,
 * sysctl_check_host, seccomp_check_host), then seccomp_compile(linux.seccomp,
 * cache_dir) — still in the parent, before the init is forked: the init
 * inherits the program and never runs libseccomp (slow, and it allocates
 * inside the container's memory cgroup).
 *
 * Order, in init (root in the container's namespaces):
 *
 *   sysctl_apply()           after pivot_root, before readonlyPaths and
 *                            maskedPaths make /proc/sys read-only (runc order)
 *   rlimits_apply()          before setuid, while we may still raise limits
 *   oom_score_adj_apply(), scheduler_apply(), ioprio_apply(),
 *   personality_apply(), cpu_affinity_apply(initial)
 *   [seccomp_load_prog()     HERE instead of last when noNewPrivileges is
 *                            false: without no_new_privs the kernel needs
 *                            CAP_SYS_ADMIN to load a filter (runc does the same)]
 *   lsm_set_keycreate_label() before the session keyring is made
 *   caps_drop_bounding()     needs CAP_SETPCAP: before changing user
 *   caps_keep_on_setuid()    PR_SET_KEEPCAPS, so permitted survives setresuid
 *   user_apply()             setgroups/setresgid/setresuid/umask
 *   caps_apply()             effective/permitted/inheritable/ambient
 *   lsm_set_exec_labels()    SELinux exec label / AppArmor profile
 *   prctl(PR_SET_NO_NEW_PRIVS) + seccomp_load_prog() last
 *                            (seccomp may forbid the rest)
 */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

/* rlimits: setrlimit each, in order. Soft > hard is an error naming the
 * rlimit; an EPERM is explained, e.g. "rlimit RLIMIT_NOFILE: hard limit
 * 1048576 exceeds the caller's hard limit 20000 (husk lacks CAP_SYS_RESOURCE)". */
int rlimits_apply(const struct husk_rlimit *rl, size_t n, struct husk_error *err);
/* Writes /proc/<pid>/oom_score_adj; pid 0 = self. */
int oom_score_adj_apply(pid_t pid, int value, struct husk_error *err);
/* sched_setattr(0, ...) for the calling thread; NULL: nothing. */
int scheduler_apply(const struct husk_scheduler *s, struct husk_error *err);
/* ioprio_set(IOPRIO_WHO_PROCESS, 0, class << 13 | priority); NULL: nothing. */
int ioprio_apply(const struct husk_io_priority *p, struct husk_error *err);
/* LINUX → PER_LINUX, LINUX32 → PER_LINUX32; flags are ignored with a
 * warning (runc); NULL: nothing. */
int personality_apply(const struct husk_personality *p, struct husk_error *err);
/* sched_setaffinity(0, list); NULL: nothing. */
int cpu_affinity_apply(const char *cpu_list, struct husk_error *err);

/* Capabilities (libcap). As runc, capabilities the running kernel doesn't
 * know are ignored with a warning when applied (names no kernel has are
 * refused by spec validation).
 * caps == NULL means "process.capabilities absent": every set ends up
 * empty. kernel_last: the running kernel's highest capability as
 * caps_kernel_last() read it on the host, before the container's /proc
 * replaced the host's; -1: ask libcap. */
int caps_kernel_last(void);
/* Drop every capability not in caps->bounding from the bounding set. */
int caps_drop_bounding(const struct husk_caps *caps, int kernel_last, struct husk_error *err);
/* Set effective/permitted/inheritable exactly, clear ambient and raise the
 * spec's ambient caps (one the kernel refuses — not in permitted and
 * inheritable — is skipped with runc's warning). Call after user_apply:
 * it first raises effective to permitted, which setresuid cleared. */
int caps_apply(const struct husk_caps *caps, int kernel_last, struct husk_error *err);
/* Keep permitted caps across setuid (PR_SET_KEEPCAPS) — call before user_apply.
 * execve resets it. */
int caps_keep_on_setuid(struct husk_error *err);

/* setgroups(additionalGids, even when empty; skipped when !setgroups_allowed,
 * e.g. "deny" in /proc/self/setgroups), setresgid, setresuid, umask
 * (0022 when unset, as runc). */
int user_apply(const struct husk_user *u, bool setgroups_allowed, struct husk_error *err);

/* Seccomp (libseccomp builds the program, seccomp(2) loads it with the
 * spec's flags). s == NULL: nothing.
 *
 * The profile comes from spec_parse(), which checked every name, action and
 * condition (spec/validate.c owns those rules).
 *
 * seccomp_check_host: the filter flags the running kernel lacks.
 *
 * seccomp_compile: build the BPF program (the slow part: ~30 ms for Docker's
 * profile). Call it in the parent before forking the init, so the init
 * inherits the program and only loads it. With cache_dir (e.g.
 * "<root>/.seccomp-cache"; created 0700, ignored unless owned by us and not
 * group/world-writable) the program is kept there keyed by the whole profile
 * and the libseccomp version, and a later identical profile skips
 * libseccomp. NULL: no cache. *out is NULL when s is NULL.
 *
 * seccomp_load_prog: seccomp(2) and nothing else, so the filter can never
 * deny a syscall husk still needs: only execve should follow. Works with
 * or without no_new_privs (without it, CAP_SYS_ADMIN is needed). With
 * SCMP_ACT_NOTIFY rules, *notify_fd receives the listener fd (O_CLOEXEC;
 * else -1) that the caller sends to linux.seccomp.listenerPath.
 *
 * seccomp_load_filter: compile (no cache) + load, for callers that have no
 * parent to compile in. */
struct husk_seccomp_prog;
int seccomp_check_host(const struct husk_seccomp *s, struct husk_error *err);
int seccomp_compile(const struct husk_seccomp *s, const char *cache_dir, struct husk_seccomp_prog **out,
                    struct husk_error *err);
int seccomp_load_prog(const struct husk_seccomp_prog *prog, int *notify_fd, struct husk_error *err);
void seccomp_prog_free(struct husk_seccomp_prog *prog);
int seccomp_load_filter(const struct husk_seccomp *s, int *notify_fd, struct husk_error *err);
/* linux.memoryPolicy: set_mempolicy(2) for the calling process (NULL: nothing). */
int memory_policy_apply(const struct husk_memory_policy *mp, struct husk_error *err);

/* Does the profile have SCMP_ACT_NOTIFY rules (a listener fd to hand over)? */
bool seccomp_has_listener(const struct husk_seccomp *s);
/* For `husk features`: does the running kernel accept this filter flag
 * (a name of spec_seccomp_flag_names)? */
bool seccomp_flag_supported(const char *name);

/* runc's rule for linux.sysctl (only namespaced sysctls) is spec_validate's;
 * the host part is here: net.* in a network namespace joined by path that
 * is the current (host's) one. */
int sysctl_check_host(const struct husk_spec *spec, struct husk_error *err);
/* Write linux.sysctl through /proc/sys (after /proc is mounted in the
 * container). "a.b.c" → /proc/sys/a/b/c; a key already written with '/'
 * separators ("net/ipv4/conf/eth0.100/rp_filter") is used as it is. */
int sysctl_apply(const struct husk_kv *kv, size_t n, struct husk_error *err);

/* LSM labels, effective at execve. SELinux: selinuxLabel to
 * /proc/thread-self/attr/exec (as setexeccon, but through a verified procfs fd).
 * AppArmor: "exec <profile>" to /proc/thread-self/attr/apparmor/exec (or
 * attr/exec). A label set while its LSM is not enabled is an error
 * (lsm_check_host catches it early). The mount label is the rootfs code's. */
int lsm_check_host(const struct husk_process *p, struct husk_error *err);
int lsm_set_exec_labels(const struct husk_process *p, struct husk_error *err);
/* SELinux label of keyrings this process creates (runc sets the process
 * label): call before joining a new session keyring. No-op without SELinux. */
int lsm_set_keycreate_label(const char *label, struct husk_error *err);
bool selinux_enabled_host(void);
bool apparmor_enabled_host(void);

/* The LSM decision without the host probe or the writes, for tests: which
 * LSMs the host has, and what goes to which /proc/thread-self/attr file. */
struct lsm_host {
        bool selinux_built;     /* husk built with libselinux */
        bool selinux;           /* SELinux enabled on the host */
        bool apparmor;          /* AppArmor enabled on the host */
};
struct lsm_write {
        const char *path;       /* under /proc, written via util/procfs.h */
        const char *alt_path;   /* used when path does not exist (old kernel) */
        char *data;
        size_t len;
        const char *what;       /* "AppArmor profile", ... for errors */
};
struct lsm_plan {
        struct lsm_write w[2];
        size_t n;
};
/* Error (naming the field) when a label is set for an LSM the host lacks. */
int lsm_plan_exec(const struct husk_process *p, const struct lsm_host *h, struct lsm_plan *out, struct husk_error *err);
int lsm_plan_keycreate(const char *label, const struct lsm_host *h, struct lsm_plan *out);
void lsm_plan_free(struct lsm_plan *plan);

#endif
