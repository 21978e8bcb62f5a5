/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.capabilities (caps.c), applied by the init: see linux/process.h for the order. */
#ifndef HUSK_LINUX_CAPS_H
#define HUSK_LINUX_CAPS_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Capabilities (libcap). As runc, capabilities the running kernel doesn't
 * know are ignored with a warning when applied (names no kernel has are
 * refused by spec validation).
 * caps == NULL means "process.capabilities absent": every set ends up
 * empty. kernel_last: the running kernel's highest capability as
 * caps_kernel_last() read it on the host, before the container's /proc
 * replaced the host's; -1: ask libcap. */
int caps_kernel_last(void);
/* Drop every capability not in caps->bounding from the bounding set. */
int caps_drop_bounding(const struct husk_caps *caps, int kernel_last, struct husk_error *err);
/* Set effective/permitted/inheritable exactly, clear ambient and raise the
 * spec's ambient caps (one the kernel refuses — not in permitted and
 * inheritable — is skipped with runc's warning). Call after user_apply:
 * it first raises effective to permitted, which setresuid cleared. */
int caps_apply(const struct husk_caps *caps, int kernel_last, struct husk_error *err);
/* Keep permitted caps across setuid (PR_SET_KEEPCAPS) — call before user_apply.
 * execve resets it. */
int caps_keep_on_setuid(struct husk_error *err);

#endif
