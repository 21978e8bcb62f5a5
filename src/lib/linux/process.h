/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-process settings of runtime-spec's "process" object, applied by the
 * container's init (and by exec) right before execve. Order, in init:
 *
 *   rlimits_apply()          before setuid, while we may still raise limits
 *   oom_score_adj_apply(), scheduler_apply(), ioprio_apply(),
 *   personality_apply(), cpu_affinity_apply(initial)
 *   caps_drop_bounding()     needs CAP_SETPCAP: before changing user
 *   user_apply()             setgroups/setresgid/setresuid/umask, keeping caps
 *   caps_apply()             effective/permitted/inheritable/ambient
 *   lsm_set_exec_labels()    SELinux exec label / AppArmor profile
 *   no_new_privs + seccomp_load_filter() last (seccomp may forbid the rest)
 */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

/* rlimits: an rlimit above the caller's hard limit without CAP_SYS_RESOURCE
 * fails with a message that says exactly that. */
int rlimits_apply(const struct husk_rlimit *rl, size_t n, struct husk_error *err);
int oom_score_adj_apply(pid_t pid, int value, struct husk_error *err);   /* pid 0 = self */
int scheduler_apply(const struct husk_scheduler *s, struct husk_error *err);
int ioprio_apply(const struct husk_io_priority *p, struct husk_error *err);
int personality_apply(const struct husk_personality *p, struct husk_error *err);
int cpu_affinity_apply(const char *cpu_list, struct husk_error *err);

/* Capabilities (libcap). Names are validated by caps_validate(); an unknown
 * name is an error naming the field ("process.capabilities.bounding"). */
int caps_validate(const struct husk_caps *caps, const char *path, struct husk_error *err);
int caps_drop_bounding(const struct husk_caps *caps, struct husk_error *err);
int caps_apply(const struct husk_caps *caps, struct husk_error *err);
/* Keep permitted caps across setuid (PR_SET_KEEPCAPS) — call before user_apply. */
int caps_keep_on_setuid(struct husk_error *err);

/* setgroups(additionalGids; or [] when not allowed, e.g. setgroups deny),
 * setresgid, setresuid, umask (default 0022). */
int user_apply(const struct husk_user *u, bool setgroups_allowed, struct husk_error *err);

/* Seccomp (libseccomp). Build and load the filter. With SCMP_ACT_NOTIFY
 * rules, *notify_fd receives the listener fd (else -1). */
int seccomp_validate(const struct husk_seccomp *s, struct husk_error *err);
int seccomp_load_filter(const struct husk_seccomp *s, int *notify_fd, struct husk_error *err);

/* Write linux.sysctl through /proc/sys (after /proc is mounted in the container). */
int sysctl_apply(const struct husk_kv *kv, size_t n, struct husk_error *err);

/* LSM labels. SELinux: setexeccon for the process label, setfscreatecon
 * or mount option for mountLabel. AppArmor: "exec <profile>" to
 * /proc/self/attr/apparmor/exec (or attr/exec). Errors if the label is set
 * and the LSM is not enabled (as runc). */
int lsm_set_exec_labels(const struct husk_process *p, struct husk_error *err);
bool selinux_enabled_host(void);
bool apparmor_enabled_host(void);

#endif
