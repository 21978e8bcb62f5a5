/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.memoryPolicy: the container process's NUMA memory policy
 * (set_mempolicy(2)), inherited across execve and fork. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/numa.h"
#include "spec/names.h"
#include "util/cpulist.h"
#include "util/util.h"

int memory_policy_apply(const struct husk_memory_policy *mp, struct husk_error *err)
{
        if (!mp)
                return 0;
        /* spec_validate refused unknown names */
        int mode = (int)spec_name_value(&spec_mpol_mode_names, mp->mode);
        for (size_t i = 0; mp->flags && mp->flags[i]; i++)
                mode |= (int)spec_name_value(&spec_mpol_flag_names, mp->flags[i]);
        /* A node list has the syntax of a CPU list (spec_validate checked it). */
        cpu_set_t nodes;
        if (!cpulist_to_set(mp->nodes, CPULIST_STRICT, &nodes))
                return husk_error_set(err, EINVAL, "linux.memoryPolicy.nodes: invalid node list \"%s\"", mp->nodes);
        bool any = CPU_COUNT(&nodes) > 0;
        if (syscall(SYS_set_mempolicy, mode, any ? (unsigned long *)&nodes : NULL,
                    any ? (unsigned long)CPU_SETSIZE + 1 : 0UL) < 0)
                return husk_error_sys(err, "linux.memoryPolicy: set_mempolicy(%s%s%s)", mp->mode,
                                      any ? ", nodes " : "", any ? mp->nodes : "");
        return 0;
}
