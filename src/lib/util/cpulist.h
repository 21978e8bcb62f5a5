/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CPU and memory-node lists in the kernel's cpulist syntax ("0-3,7"), the
 * one parser for config fields (cpu.cpus, execCPUAffinity, memoryPolicy
 * nodes: CPULIST_STRICT, no blanks, as runc) and cgroup files
 * (cpuset.cpus.effective: CPULIST_BLANKS, blanks and newlines around items,
 * as the kernel writes them). An empty list is valid and empty. */
#ifndef HUSK_UTIL_CPULIST_H
#define HUSK_UTIL_CPULIST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/* Calls fn for each range a-b (a <= b) in order; stops at the first
 * nonzero return of fn and returns it. -1 for a malformed list (then fn
 * may have seen the ranges before the fault). */
enum { CPULIST_STRICT = 0, CPULIST_BLANKS = 1 };

int cpulist_each(const char *list, int flags, int (*fn)(unsigned long a, unsigned long b, void *ctx), void *ctx);

/* Well formed? *count (if not NULL) gets the number of entries, *max the
 * highest one (0 for an empty list). */
bool cpulist_valid(const char *list, int flags, size_t *count, unsigned long *max);

/* The list as a cpu_set_t; false when malformed or an entry is >= CPU_SETSIZE. */
bool cpulist_to_set(const char *list, int flags, cpu_set_t *set);

#endif
