/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.memoryPolicy (numa.c). */
#ifndef HUSK_LINUX_NUMA_H
#define HUSK_LINUX_NUMA_H


#include "husk/error.h"
#include "husk/spec.h"

/* linux.memoryPolicy: set_mempolicy(2) for the calling process (NULL: nothing). */
int memory_policy_apply(const struct husk_memory_policy *mp, struct husk_error *err);

#endif
