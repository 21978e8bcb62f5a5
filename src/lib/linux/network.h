/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespace setup: loopback. */
#ifndef HUSK_NETWORK_H
#define HUSK_NETWORK_H

#include "husk/error.h"

/* In a network namespace the container created (not one it joined):
 * set IFF_UP on "lo" (SIOCSIFFLAGS; needs CAP_NET_ADMIN over it). */
int net_loopback_up(struct husk_error *err);

#endif
