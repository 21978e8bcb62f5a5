/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network namespace a container gets: its loopback device up, as runc
 * and crun leave it (127.0.0.1 works with no network set up). */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linux/network.h"
#include "util/util.h"

int net_loopback_up(struct husk_error *err)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "bring up lo: socket");
        struct ifreq ifr = { 0 };
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return husk_error_sys(err, "bring up lo: get flags");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return husk_error_sys(err, "bring up lo");
        return 0;
}
