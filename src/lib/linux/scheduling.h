/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scheduling and execution domain of the process (sched.c): oomScoreAdj,
 * scheduler, ioPriority, linux.personality, execCPUAffinity. (Not
 * "sched.h": <linux/sched.h> is the kernel's.) */
#ifndef HUSK_LINUX_SCHEDULING_H
#define HUSK_LINUX_SCHEDULING_H

#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

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

#endif
