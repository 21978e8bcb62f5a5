/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.rlimits (rlimits.c), applied by the init before it changes user. */
#ifndef HUSK_LINUX_RLIMITS_H
#define HUSK_LINUX_RLIMITS_H

#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* rlimits: setrlimit each, in order. An EPERM is explained, e.g. "rlimit RLIMIT_NOFILE: hard limit
 * 1048576 exceeds the caller's hard limit 20000 (husk lacks CAP_SYS_RESOURCE)". */
int rlimits_apply(const struct husk_rlimit *rl, size_t n, struct husk_error *err);

#endif
