/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.user (user.c): the ids and umask the init takes. */
#ifndef HUSK_LINUX_USER_H
#define HUSK_LINUX_USER_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

/* setgroups(additionalGids, even when empty; skipped when !setgroups_allowed,
 * e.g. "deny" in /proc/self/setgroups), setresgid, setresuid, umask
 * (0022 when unset, as runc). */
int user_apply(const struct husk_user *u, bool setgroups_allowed, struct husk_error *err);

#endif
