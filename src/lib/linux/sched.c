/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduling and execution-domain settings of the process: scheduler policy
 * (sched_setattr), I/O priority (ioprio_set), personality, CPU affinity and
 * the OOM score adjustment.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/scheduling.h"
#include "util/compat.h"
#include "spec/names.h"
#include "util/log.h"
#include "util/cpulist.h"
#include "util/util.h"
#include "util/procfs.h"

/* <linux/sched/types.h> clashes with glibc's <sched.h>; this is its
 * SCHED_ATTR_SIZE_VER1 layout. */
struct husk_sched_attr {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
        uint32_t sched_util_min;
        uint32_t sched_util_max;
};

int scheduler_apply(const struct husk_scheduler *s, struct husk_error *err)
{
        struct husk_sched_attr attr = { .size = sizeof(attr) };

        if (!s)
                return 0;
        attr.sched_policy = (uint32_t)s->policy_num;
        attr.sched_nice = s->nice;
        attr.sched_priority = (uint32_t)s->priority;
        attr.sched_runtime = s->runtime;
        attr.sched_deadline = s->deadline;
        attr.sched_period = s->period;
        for (char **f = s->flags; f && *f; f++) {
                long bit = spec_name_value(&spec_sched_flag_names, *f);
                if (bit > 0)
                        attr.sched_flags |= (uint64_t)bit;
        }
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                return husk_error_sys(err, "set scheduler %s (nice %d, priority %d)", s->policy, s->nice, s->priority);
        return 0;
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int ioprio_apply(const struct husk_io_priority *p, struct husk_error *err)
{
        if (!p)
                return 0;
        int value = (p->class_num << IOPRIO_CLASS_SHIFT) | p->priority;
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
                return husk_error_sys(err, "set I/O priority %s %d", p->class_name, p->priority);
        return 0;
}

int personality_apply(const struct husk_personality *p, struct husk_error *err)
{
        if (!p)
                return 0;
        /* As runc: flags are not supported, and ignored with a warning. */
        if (p->flags && *p->flags)
                log_warn("linux.personality.flags: ignoring unsupported personality flags");
        unsigned long persona = strcmp(p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
        if (personality(persona) < 0)
                return husk_error_sys(err, "set personality %s", p->domain);
        return 0;
}

int cpu_affinity_apply(const char *cpu_list, struct husk_error *err)
{
        cpu_set_t set;

        if (!cpu_list)
                return 0;
        if (!cpulist_to_set(cpu_list, CPULIST_STRICT, &set))   /* (spec_validate checked it) */
                return husk_error_set(err, EINVAL, "set CPU affinity \"%s\": invalid CPU list", cpu_list);
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return husk_error_sys(err, "set CPU affinity \"%s\"", cpu_list);
        return 0;
}

int oom_score_adj_apply(pid_t pid, int value, struct husk_error *err)
{
        char path[64], buf[16];

        if (pid > 0)
                snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
        else
                snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
        int n = snprintf(buf, sizeof(buf), "%d", value);
        if (procfs_write(path, buf, (size_t)n, err) == 0)
                return 0;
        /* Going below the lowest value set with privilege (oom_score_adj_min,
         * usually what we inherited) needs CAP_SYS_RESOURCE. */
        _cleanup_free_ char *cur = NULL;
        struct husk_error e2;
        if ((err->errnum == EACCES || err->errnum == EPERM) && procfs_read(path, &cur, &e2) == 0 &&
            value < atoi(cur)) {
                return husk_error_explained(err, err->errnum,
                                            "set oom_score_adj to %d (now %d): permission denied, going this low "
                                            "needs CAP_SYS_RESOURCE",
                                            value, atoi(cur));
        }
        return husk_error_wrap(err, "set oom_score_adj to %d", value);
}
