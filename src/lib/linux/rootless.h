/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Are we rootless, and where does a rootless husk keep its state? */
#ifndef HUSK_LINUX_ROOTLESS_H
#define HUSK_LINUX_ROOTLESS_H

#include <stdbool.h>

#include "husk/error.h"

/* --rootless auto: rootless when the euid is not 0, or when we are uid 0
 * in a user namespace that does not map the host's root (rootless podman
 * runs its runtime so). */
bool rootless_detect(void);

/* True when /proc/self/uid_map maps uid 0 of the parent namespace, i.e. we
 * are in the initial user namespace or one made by root for root. */
bool rootless_maps_host_root(void);

/* The default state root of a rootless husk: $XDG_RUNTIME_DIR/husk, else
 * /run/user/<uid>/husk (malloc'd). */
char *rootless_default_root(void);

#endif
