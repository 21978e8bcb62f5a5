/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.netDevices (runtime-spec 1.3): network devices of the runtime's
 * network namespace moved into the container's, renamed to .name when given,
 * and set up; on delete set down, given back their name and moved back to
 * the runtime's network namespace. rtnetlink by hand (RTM_NEWLINK with
 * IFLA_NET_NS_FD and IFLA_IFNAME: move and rename in one step).
 *
 * So that they can be moved back after the container's processes are gone
 * (a network namespace that dies destroys its virtual devices and sends the
 * physical ones to the initial namespace under their container name), create
 * keeps the container's network namespace alive with a bind mount of it at
 * <state>/netns until delete. What was moved is recorded in
 * <state>/netdevices before the first move, for delete and for the cleanup of
 * a failed or killed create. */
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
/* Move back what the record lists (devices that are gone are skipped), then
 * release the pinned namespace. No record: nothing to do. */
int netdev_move_out(int dirfd, struct husk_error *err);

#endif
