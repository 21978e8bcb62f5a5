/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-process settings of runtime-spec's "process" object (plus
 * linux.seccomp, linux.sysctl, linux.personality, linux.memoryPolicy),
 * applied by the container's init (and by exec) right before execve: each
 * mechanism has its own header (included here for the init, which applies
 * them all); this one says in which order.
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

#include "linux/caps.h"
#include "linux/lsm_labels.h"
#include "linux/numa.h"
#include "linux/rlimits.h"
#include "linux/scheduling.h"
#include "linux/seccomp_filter.h"
#include "linux/sysctls.h"
#include "linux/user.h"

#endif
