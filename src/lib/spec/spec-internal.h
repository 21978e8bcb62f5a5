/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed lookups over spec/names.h's tables, shared by the parser, the
 * validator and the unit tests. Each returns -1 for a name it does not know. */
#ifndef HUSK_SPEC_INTERNAL_H
#define HUSK_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/spec.h"
#include "spec/names.h"

/* "pid", "network", ... → CLONE_NEW*; and back ("network" for CLONE_NEWNET). */
int spec_namespace_type(const char *name);
const char *spec_namespace_type_name(int type);

/* "CAP_BPF" → 39: every capability name (runc's upper-case spelling) that
 * husk or the libcap it runs with knows, whatever the running kernel has.
 * spec_cap_name(39) → "CAP_BPF" (malloc'd; NULL for no such number). */
int spec_cap_number(const char *name);
char *spec_cap_name(int cap);

/* "RLIMIT_NOFILE" → RLIMIT_NOFILE (every Linux rlimit). */
int spec_rlimit_resource(const char *name);

/* "SCMP_ACT_ERRNO" → HUSK_SCMP_ACT_ERRNO; and back. */
int spec_seccomp_action(const char *name);
const char *spec_seccomp_action_name(enum husk_seccomp_action action);
/* "SCMP_CMP_EQ" → HUSK_SCMP_CMP_EQ; and back. */
int spec_seccomp_op(const char *name);
const char *spec_seccomp_op_name(enum husk_seccomp_op op);

/* "SCHED_FIFO" → SCHED_FIFO. */
int spec_sched_policy(const char *name);
/* "IOPRIO_CLASS_RT" → 1, "IOPRIO_CLASS_BE" → 2, "IOPRIO_CLASS_IDLE" → 3. */
int spec_ioprio_class(const char *name);

/* Frees a linux.seccomp object and what it holds (free.c). */
void spec_seccomp_free(struct husk_seccomp *s);

/* linux.resources rules; path prefixes messages ("linux.resources"), NULL
 * for none. spec_validate() and spec_parse_resources() call it. */
int spec_validate_resources(const struct husk_resources *r, const char *path, struct husk_error *err);

#endif
