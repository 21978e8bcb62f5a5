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

#include "linux/process.h"
#include "util/compat.h"
#include "spec/names.h"
#include "util/log.h"
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


int scheduler_validate(const struct husk_scheduler *s, struct husk_error *err)
{
        if (!s)
                return 0;
        if (!s->policy)
                return husk_error_set(err, 0, "process.scheduler.policy: required");
        if (s->nice < -20 || s->nice > 19)
                return husk_error_set(err, 0, "process.scheduler.nice: %d is out of range -20..19", s->nice);
        if (s->priority != 0 && s->policy_num != SCHED_FIFO && s->policy_num != SCHED_RR)
                return husk_error_set(err, 0, "process.scheduler.priority: can only be set for SCHED_FIFO or SCHED_RR, not %s",
                                      s->policy);
        if (s->policy_num != SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
                return husk_error_set(err, 0, "process.scheduler: runtime, deadline and period can only be set for SCHED_DEADLINE, not %s",
                                      s->policy);
        return 0;
}

int scheduler_apply(const struct husk_scheduler *s, struct husk_error *err)
{
        struct husk_sched_attr attr = { .size = sizeof(attr) };

        if (!s)
                return 0;
        if (scheduler_validate(s, err) < 0)
                return -1;
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
        if (p->class_num < 1 || p->class_num > 3)
                return husk_error_set(err, 0, "process.ioPriority.class: unknown class %s",
                                      p->class_name ? p->class_name : "(none)");
        if (p->priority < 0 || p->priority > 7)
                return husk_error_set(err, 0, "process.ioPriority.priority: %d is out of range 0..7", p->priority);
        int value = (p->class_num << IOPRIO_CLASS_SHIFT) | p->priority;
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
                return husk_error_sys(err, "set I/O priority %s %d", p->class_name, p->priority);
        return 0;
}

int personality_validate(const struct husk_personality *p, struct husk_error *err)
{
        if (!p)
                return 0;
        if (!p->domain || (strcmp(p->domain, "LINUX") != 0 && strcmp(p->domain, "LINUX32") != 0))
                return husk_error_set(err, 0, "linux.personality.domain: unknown domain %s (expected LINUX or LINUX32)",
                                      p->domain ? p->domain : "(none)");
        return 0;
}

int personality_apply(const struct husk_personality *p, struct husk_error *err)
{
        if (!p)
                return 0;
        if (personality_validate(p, err) < 0)
                return -1;
        /* As runc: flags are not supported, and ignored with a warning. */
        if (p->flags && *p->flags)
                log_warn("linux.personality.flags: ignoring unsupported personality flags");
        unsigned long persona = strcmp(p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
        if (personality(persona) < 0)
                return husk_error_sys(err, "set personality %s", p->domain);
        return 0;
}

/* "0-3,7" → set. Whitespace around items is tolerated (as the kernel's own
 * cpulist parser does); an empty list, a reversed range or junk is an error. */
int cpu_list_parse(const char *list, cpu_set_t *set, struct husk_error *err)
{
        const char *p = list;

        CPU_ZERO(set);
        if (!list)
                return husk_error_set(err, 0, "empty cpu list");
        for (;;) {
                char *end;
                unsigned long a, b;

                while (*p == ' ' || *p == '\t' || *p == '\n')
                        p++;
                if (*p < '0' || *p > '9')
                        return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
                errno = 0;
                a = strtoul(p, &end, 10);
                if (errno)
                        return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
                b = a;
                p = end;
                if (*p == '-') {
                        p++;
                        if (*p < '0' || *p > '9')
                                return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
                        b = strtoul(p, &end, 10);
                        if (errno)
                                return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
                        p = end;
                        if (b < a)
                                return husk_error_set(err, 0, "invalid cpu list \"%s\": range %lu-%lu is reversed", list,
                                                      a, b);
                }
                if (b >= CPU_SETSIZE)
                        return husk_error_set(err, 0, "invalid cpu list \"%s\": cpu %lu is above the limit %d", list, b,
                                              CPU_SETSIZE - 1);
                for (unsigned long c = a; c <= b; c++)
                        CPU_SET(c, set);
                while (*p == ' ' || *p == '\t' || *p == '\n')
                        p++;
                if (*p == '\0')
                        return 0;
                if (*p != ',')
                        return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
                p++;
        }
}

int cpu_affinity_apply(const char *cpu_list, struct husk_error *err)
{
        cpu_set_t set;

        if (!cpu_list)
                return 0;
        if (cpu_list_parse(cpu_list, &set, err) < 0)
                return -1;
        if (sched_setaffinity(0, sizeof(set), &set) < 0)
                return husk_error_sys(err, "set CPU affinity \"%s\"", cpu_list);
        return 0;
}

int oom_score_adj_apply(pid_t pid, int value, struct husk_error *err)
{
        char path[64], buf[16];

        if (value < -1000 || value > 1000)
                return husk_error_set(err, 0, "process.oomScoreAdj: %d is out of range -1000..1000", value);
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
