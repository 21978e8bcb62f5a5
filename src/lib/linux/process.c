/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of a "process" object that need no side effect, run before the
 * container is created (and before husk exec starts the process). */
#include <sched.h>

#include "linux/process.h"
#include "util/util.h"

int process_validate(const struct husk_process *p, struct husk_error *err)
{
        if (!p)
                return 0;
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct husk_rlimit *r = &p->rlimits[i];
                if (r->soft > r->hard)
                        return husk_error_set(err, 0, "process.rlimits[%zu]: %s soft limit %llu exceeds hard limit %llu", i,
                                              r->type, (unsigned long long)r->soft, (unsigned long long)r->hard);
        }
        if (p->user.umask.set && p->user.umask.v > 07777)
                return husk_error_set(err, 0, "process.user.umask: %llo is not a file mode mask",
                                      (unsigned long long)p->user.umask.v);
        if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
                return husk_error_set(err, 0, "process.oomScoreAdj: %lld is out of range -1000..1000",
                                      (long long)p->oom_score_adj.v);
        if (scheduler_validate(p->scheduler, err) < 0)
                return -1;
        if (p->io_priority) {
                if (p->io_priority->class_num < 1 || p->io_priority->class_num > 3)
                        return husk_error_set(err, 0, "process.ioPriority.class: unknown class %s",
                                              p->io_priority->class_name ? p->io_priority->class_name : "(none)");
                if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
                        return husk_error_set(err, 0, "process.ioPriority.priority: %d is out of range 0..7",
                                              p->io_priority->priority);
        }
        cpu_set_t set;
        if (p->exec_cpu_affinity_initial && cpu_list_parse(p->exec_cpu_affinity_initial, &set, err) < 0)
                return husk_error_wrap(err, "process.execCPUAffinity.initial");
        if (p->exec_cpu_affinity_final && cpu_list_parse(p->exec_cpu_affinity_final, &set, err) < 0)
                return husk_error_wrap(err, "process.execCPUAffinity.final");
        if (p->has_capabilities && caps_validate(&p->capabilities, "process.capabilities", err) < 0)
                return -1;
        return lsm_validate(p, err);
}
