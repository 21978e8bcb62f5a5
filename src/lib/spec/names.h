/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The name tables of the runtime-spec, each written once: the parser and
 * the validator accept exactly these names, the mechanisms in linux/ map
 * them to the kernel's numbers through them, and `husk features` lists them.
 * A unit test (test-features) feeds every name `features` prints through
 * spec_parse() and checks that names it does not print are refused.
 */
#ifndef HUSK_SPEC_NAMES_H
#define HUSK_SPEC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/spec.h"

struct spec_name {
        const char *name;
        long value;                     /* the kernel's (or husk's enum) number */
};

struct spec_names {
        const struct spec_name *v;
        size_t n;
};

/* value of name in t; -1 when t has no such name. */
long spec_name_value(const struct spec_names *t, const char *name);
/* name of value in t; NULL when none. */
const char *spec_name_of(const struct spec_names *t, long value);

extern const struct spec_names spec_hook_names;            /* "prestart" → HUSK_HOOK_PRESTART */
extern const struct spec_names spec_namespace_names;       /* "pid" → CLONE_NEWPID */
extern const struct spec_names spec_rlimit_names;          /* "RLIMIT_NOFILE" → RLIMIT_NOFILE */
extern const struct spec_names spec_seccomp_action_names;  /* → enum husk_seccomp_action */
extern const struct spec_names spec_seccomp_op_names;      /* → enum husk_seccomp_op */
extern const struct spec_names spec_seccomp_flag_names;    /* → SECCOMP_FILTER_FLAG_* */
extern const struct spec_names spec_sched_policy_names;    /* → SCHED_* */
extern const struct spec_names spec_sched_flag_names;      /* → SCHED_FLAG_* bits */
extern const struct spec_names spec_ioprio_class_names;    /* → IOPRIO_CLASS_* (1..3) */
extern const struct spec_names spec_mpol_mode_names;       /* → MPOL_* */
extern const struct spec_names spec_mpol_flag_names;       /* → MPOL_F_* */
extern const struct spec_names spec_propagation_names;     /* "rslave" → MS_SLAVE | MS_REC */

/* "prestart", ... for a hook kind ("unknown" out of range). */
const char *spec_hook_name(enum husk_hook_kind kind);

/* Seccomp architectures: spec_seccomp_arch_names holds the runtime-spec's
 * names; husk supports those the libseccomp it is linked with can build a
 * filter for (2.5 lacks LOONGARCH64, M68K, SH and SHEB) and refuses the
 * others, since it could not apply them. spec_seccomp_arch_token() gives
 * libseccomp's token, 0 for a name that is not supported. */
extern const struct spec_names spec_seccomp_arch_names;
uint32_t spec_seccomp_arch_token(const char *name);
bool spec_seccomp_arch_known(const char *name);

#endif
