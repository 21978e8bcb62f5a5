/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.memoryPolicy: the container process's NUMA memory policy
 * (set_mempolicy(2)), inherited across execve and fork. */
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/process.h"
#include "util/util.h"

static const struct { const char *name; int value; } modes[] = {
        { "MPOL_DEFAULT", 0 }, { "MPOL_PREFERRED", 1 }, { "MPOL_BIND", 2 }, { "MPOL_INTERLEAVE", 3 },
        { "MPOL_LOCAL", 4 },   { "MPOL_PREFERRED_MANY", 5 }, { "MPOL_WEIGHTED_INTERLEAVE", 6 },
};
static const struct { const char *name; int value; } flags[] = {
        { "MPOL_F_NUMA_BALANCING", 1 << 13 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 },
        { "MPOL_F_STATIC_NODES", 1 << 15 },
};

int memory_policy_apply(const struct husk_memory_policy *mp, struct husk_error *err)
{
        if (!mp)
                return 0;
        int mode = -1;
        for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
                if (strcmp(mp->mode, modes[i].name) == 0)
                        mode = modes[i].value;
        if (mode < 0)
                return husk_error_set(err, 0, "linux.memoryPolicy.mode: unknown mode \"%s\"", mp->mode);
        for (size_t i = 0; mp->flags && mp->flags[i]; i++) {
                size_t k = 0;
                while (k < ARRAY_SIZE(flags) && strcmp(mp->flags[i], flags[k].name) != 0)
                        k++;
                if (k == ARRAY_SIZE(flags))
                        return husk_error_set(err, 0, "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", i,
                                              mp->flags[i]);
                mode |= flags[k].value;
        }
        /* A node list has the syntax of a CPU list: reuse its parser. */
        cpu_set_t nodes;
        CPU_ZERO(&nodes);
        if (mp->nodes && *mp->nodes && cpu_list_parse(mp->nodes, &nodes, err) < 0)
                return husk_error_wrap(err, "linux.memoryPolicy.nodes");
        bool any = CPU_COUNT(&nodes) > 0;
        if (syscall(SYS_set_mempolicy, mode, any ? (unsigned long *)&nodes : NULL,
                    any ? (unsigned long)CPU_SETSIZE + 1 : 0UL) < 0)
                return husk_error_sys(err, "linux.memoryPolicy: set_mempolicy(%s%s%s)", mp->mode,
                                      any ? ", nodes " : "", any ? mp->nodes : "");
        return 0;
}
