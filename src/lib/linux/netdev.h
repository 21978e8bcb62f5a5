/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.netDevices (runtime-spec 1.3): network devices of the runtime's
 * network namespace moved into the container's, renamed to .name when given
 * (a "%d" template lets the kernel pick), and set up. rtnetlink by hand
 * (RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME: move and rename in one
 * request).
 *
 * Once the container is created the devices belong to its network namespace:
 * the spec says the runtime MUST NOT move them out before deletion; when the
 * namespace dies the kernel destroys the virtual ones and sends the physical
 * ones to the initial namespace. Only a create that fails gives them back:
 * while it runs, what is moved is recorded in <state>/netdevices (before the
 * first move) and the namespace is kept alive by a bind mount at
 * <state>/netns, so the cleanup of a failed (or killed) create can move them
 * back; a successful create drops both. */
#ifndef HUSK_NETDEV_H
#define HUSK_NETDEV_H

#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define STATE_NETDEVICES "netdevices"
#define STATE_NETNS "netns"

/* Before any side effect: every device exists in our network namespace, the
 * container's network namespace (new, or a path) is not ours, no device is
 * asked to be "lo" and no two get the same name. */
int netdev_check(const struct husk_spec *spec, struct husk_error *err);
/* Move the devices into the network namespace of `pid` (the container's
 * init), recording them in dirfd first. */
int netdev_move_in(const struct husk_spec *spec, pid_t pid, int dirfd, struct husk_error *err);
/* A failed create: move back what the record lists (devices that are gone
 * are skipped), then release the pinned namespace. No record: nothing. */
int netdev_move_out(int dirfd, struct husk_error *err);
/* A successful create: drop the record and the pin, moving nothing. */
int netdev_release(int dirfd, struct husk_error *err);

#endif
