/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "linux/netdev.h"
#include "util/compat.h"
#include "util/log.h"
#include "util/util.h"

static const char *dest_name(const struct husk_net_device *d)
{
        return d->name && *d->name ? d->name : d->host_name;
}

/* ---------------------------------------------------------------- rtnetlink */

struct link_req {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
        char attrs[128];
};

static void add_attr(struct link_req *r, unsigned short type, const void *data, size_t len)
{
        struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
        a->rta_type = type;
        a->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(a), data, len);
        r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Wait for the kernel's answer to one request: 0 or -errno. */
static int nl_ack(int sock)
{
        char buf[1024];
        for (;;) {
                ssize_t n = recv(sock, buf, sizeof(buf), 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        }
}

/* RTM_NEWLINK on ifindex: move to ns_fd (>= 0), rename to name (or NULL),
 * set IFF_UP to `up` (-1: leave it). Returns 0 or -errno. */
static int link_change(int sock, int ifindex, int ns_fd, const char *name, int up)
{
        struct link_req r;
        memset(&r, 0, sizeof(r));
        r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        r.nh.nlmsg_type = RTM_NEWLINK;
        r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        r.nh.nlmsg_seq = 1;
        r.ifi.ifi_family = AF_UNSPEC;
        r.ifi.ifi_index = ifindex;
        if (up >= 0) {
                r.ifi.ifi_change = IFF_UP;
                r.ifi.ifi_flags = up ? IFF_UP : 0;
        }
        if (ns_fd >= 0) {
                uint32_t fd = (uint32_t)ns_fd;
                add_attr(&r, IFLA_NET_NS_FD, &fd, sizeof(fd));
        }
        if (name)
                add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        if (sendto(sock, &r, r.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
                return -errno;
        return nl_ack(sock);
}

/* ---------------------------------------------------------------- addresses */

/* The kernel drops a device's addresses when it changes namespace; the spec
 * asks to keep the permanent ones of global scope. One saved address: its
 * ifaddrmsg and attributes, as RTM_NEWADDR takes them back. */
struct saved_addr {
        struct ifaddrmsg ifa;
        unsigned char local[16], address[16], broadcast[4];
        int local_len, address_len, broadcast_len;
};


/* The permanent, global addresses of ifindex (IPv4 and IPv6). */
static int addrs_save(int sock, int ifindex, struct saved_addr **out, size_t *n_out)
{
        struct {
                struct nlmsghdr nh;
                struct ifaddrmsg ifa;
        } req;
        memset(&req, 0, sizeof(req));
        req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        req.nh.nlmsg_type = RTM_GETADDR;
        req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        req.nh.nlmsg_seq = 2;
        req.ifa.ifa_family = AF_UNSPEC;
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        if (sendto(sock, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
                return -errno;
        struct saved_addr *v = NULL;
        size_t n = 0;
        /* one batch of the dump: on the heap, not in static storage */
        const size_t buf_size = 32768;
        _cleanup_free_ char *buf = xmalloc(buf_size);
        for (;;) {
                ssize_t len = recv(sock, buf, buf_size, 0);
                if (len < 0) {
                        if (errno == EINTR)
                                continue;
                        free(v);
                        return -errno;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
                        if (h->nlmsg_type == NLMSG_DONE) {
                                *out = v;
                                *n_out = n;
                                return 0;
                        }
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                free(v);
                                return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
                        }
                        if (h->nlmsg_type != RTM_NEWADDR)
                                continue;
                        struct ifaddrmsg *ifa = NLMSG_DATA(h);
                        if ((int)ifa->ifa_index != ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
                                continue;
                        uint32_t flags = ifa->ifa_flags;
                        struct saved_addr s;
                        memset(&s, 0, sizeof(s));
                        s.ifa = *ifa;
                        int alen = (int)IFA_PAYLOAD(h);
                        for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                                int l = (int)RTA_PAYLOAD(a);
                                if (a->rta_type == IFA_FLAGS && l == 4)
                                        memcpy(&flags, RTA_DATA(a), 4);
                                else if (a->rta_type == IFA_LOCAL && l <= 16)
                                        memcpy(s.local, RTA_DATA(a), (size_t)(s.local_len = l));
                                else if (a->rta_type == IFA_ADDRESS && l <= 16)
                                        memcpy(s.address, RTA_DATA(a), (size_t)(s.address_len = l));
                                else if (a->rta_type == IFA_BROADCAST && l <= 4)
                                        memcpy(s.broadcast, RTA_DATA(a), (size_t)(s.broadcast_len = l));
                        }
                        if (!(flags & IFA_F_PERMANENT))
                                continue;
                        v = xrealloc(v, (n + 1) * sizeof(*v));
                        v[n++] = s;
                }
        }
}

static int addr_restore(int sock, int ifindex, const struct saved_addr *s)
{
        struct {
                struct nlmsghdr nh;
                struct ifaddrmsg ifa;
                char attrs[128];
        } r;
        memset(&r, 0, sizeof(r));
        r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        r.nh.nlmsg_type = RTM_NEWADDR;
        r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        r.nh.nlmsg_seq = 3;
        r.ifa = s->ifa;
        r.ifa.ifa_index = (unsigned)ifindex;
        struct {
                unsigned short type;
                const void *data;
                int len;
        } attrs[] = { { IFA_LOCAL, s->local, s->local_len },
                      { IFA_ADDRESS, s->address, s->address_len },
                      { IFA_BROADCAST, s->broadcast, s->broadcast_len } };
        for (size_t i = 0; i < 3; i++) {
                if (!attrs[i].len)
                        continue;
                struct rtattr *a = (struct rtattr *)((char *)&r + NLMSG_ALIGN(r.nh.nlmsg_len));
                a->rta_type = attrs[i].type;
                a->rta_len = (unsigned short)RTA_LENGTH(attrs[i].len);
                memcpy(RTA_DATA(a), attrs[i].data, (size_t)attrs[i].len);
                r.nh.nlmsg_len = NLMSG_ALIGN(r.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
        }
        struct sockaddr_nl to = { .nl_family = AF_NETLINK };
        if (sendto(sock, &r, r.nh.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
                return -errno;
        return nl_ack(sock);
}

/* A rtnetlink socket in the network namespace ns_fd (-1: ours). */
static int rtnl_socket_in(int ns_fd, struct husk_error *err)
{
        _cleanup_close_ int self = -1;
        if (ns_fd >= 0) {
                self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (self < 0)
                        return husk_error_sys(err, "open /proc/self/ns/net");
                if (setns(ns_fd, CLONE_NEWNET) < 0)
                        return husk_error_sys(err, "enter the container's network namespace");
        }
        int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        int saved = errno;
        if (self >= 0 && setns(self, CLONE_NEWNET) < 0) {
                /* we can't stay in the container's namespace */
                log_error("return to husk's network namespace: %s", strerror(errno));
                abort();
        }
        if (sock < 0) {
                errno = saved;
                return husk_error_sys(err, "rtnetlink socket");
        }
        return sock;
}

/* The index of `name` in the namespace of `sock`; 0 if there is none. */
static int ifindex_of(int sock, const char *name)
{
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0)
                return 0;
        return ifr.ifr_ifindex;
}

static bool index_exists(int sock, int ifindex)
{
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_ifindex = ifindex;
        return ioctl(sock, SIOCGIFNAME, &ifr) == 0;
}

/* ------------------------------------------------------------------- check */

static int netns_of_spec(const struct husk_spec *spec, const char **path)
{
        *path = NULL;
        for (size_t i = 0; spec->linux && i < spec->linux->n_namespaces; i++)
                if (spec->linux->namespaces[i].type == CLONE_NEWNET) {
                        *path = spec->linux->namespaces[i].path;
                        return 1;
                }
        return 0;
}

int netdev_check(const struct husk_spec *spec, struct husk_error *err)
{
        if (!spec->linux || !spec->linux->n_net_devices)
                return 0;
        const char *path;
        if (!netns_of_spec(spec, &path))
                return husk_error_invalid(err, "linux.netDevices: needs a network namespace");
        if (path && *path) {
                struct stat a, b;
                if (stat(path, &a) < 0)
                        return husk_error_sys(err, "linux.netDevices: network namespace %s", path);
                if (stat("/proc/self/ns/net", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        return husk_error_invalid(err, "linux.netDevices: the container's network namespace "
                                                  "(%s) is the runtime's own", path);
        }
        const struct husk_linux *l = spec->linux;
        for (size_t i = 0; i < l->n_net_devices; i++) {
                const struct husk_net_device *d = &l->net_devices[i];
                if (if_nametoindex(d->host_name) == 0)
                        return husk_error_not_found(err, "linux.netDevices[\"%s\"]: no network device \"%s\" "
                                                    "in the runtime's network namespace", d->host_name, d->host_name);
                if (strcmp(dest_name(d), "lo") == 0)
                        return husk_error_invalid(err, "linux.netDevices[\"%s\"].name: \"lo\" exists in every "
                                                  "network namespace", d->host_name);
                for (size_t j = 0; j < i && !strstr(dest_name(d), "%d"); j++)
                        if (strcmp(dest_name(&l->net_devices[j]), dest_name(d)) == 0)
                                return husk_error_invalid(err, "linux.netDevices[\"%s\"].name: \"%s\" is also the "
                                                          "name of linux.netDevices[\"%s\"] in the container",
                                                          d->host_name, dest_name(d), l->net_devices[j].host_name);
        }
        return 0;
}

/* ------------------------------------------------------------------ move */

static int pin_netns(int dirfd, int ns_fd, struct husk_error *err)
{
        int f = openat(dirfd, STATE_NETNS, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (f < 0)
                return husk_error_sys(err, "create %s", STATE_NETNS);
        char src[64], dst[64];
        snprintf(src, sizeof(src), "/proc/self/fd/%d", ns_fd);
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", f);
        int r = mount(src, dst, NULL, MS_BIND, NULL);
        int saved = errno;
        close(f);
        if (r < 0) {
                errno = saved;
                return husk_error_sys(err, "keep the container's network namespace at %s", STATE_NETNS);
        }
        return 0;
}

int netdev_move_in(const struct husk_spec *spec, pid_t pid, int dirfd, struct husk_error *err)
{
        if (!spec->linux || !spec->linux->n_net_devices)
                return 0;
        const struct husk_linux *l = spec->linux;
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
        _cleanup_close_ int ns = open(p, O_RDONLY | O_CLOEXEC);
        if (ns < 0)
                return husk_error_sys(err, "open %s", p);
        _cleanup_close_ int here = rtnl_socket_in(-1, err);
        if (here < 0)
                return -1;
        _cleanup_close_ int there = rtnl_socket_in(ns, err);
        if (there < 0)
                return -1;
        /* A namespace given by path may have devices: never take its own
         * (delete would move them out). */
        for (size_t i = 0; i < l->n_net_devices; i++)
                if (ifindex_of(there, dest_name(&l->net_devices[i])) != 0)
                        return husk_error_exists(err, "linux.netDevices[\"%s\"]%s: a device \"%s\" exists in the "
                                                 "container's network namespace already",
                                                 l->net_devices[i].host_name,
                                                 l->net_devices[i].name && *l->net_devices[i].name ? ".name" : "",
                                                 dest_name(&l->net_devices[i]));

        /* The record, then the pin: a create killed from here on is cleaned up. */
        _cleanup_free_ char *rec = xstrdup("");
        for (size_t i = 0; i < l->n_net_devices; i++) {
                char *n = xasprintf("%s%s %s\n", rec, l->net_devices[i].host_name, dest_name(&l->net_devices[i]));
                free(rec);
                rec = n;
        }
        if (write_file_atomic_at(dirfd, STATE_NETDEVICES, rec, strlen(rec), err) < 0)
                return -1;
        if (pin_netns(dirfd, ns, err) < 0)
                return -1;
        for (size_t i = 0; i < l->n_net_devices; i++) {
                const struct husk_net_device *d = &l->net_devices[i];
                int idx = ifindex_of(here, d->host_name);
                if (idx == 0)
                        return husk_error_not_found(err, "linux.netDevices[\"%s\"]: no network device \"%s\" "
                                                    "in the runtime's network namespace", d->host_name, d->host_name);
                _cleanup_free_ struct saved_addr *addrs = NULL;
                size_t n_addrs = 0;
                int e = addrs_save(here, idx, &addrs, &n_addrs);
                if (e < 0)
                        return husk_error_errno(err, -e, "linux.netDevices[\"%s\"]: read its addresses", d->host_name);
                e = link_change(here, idx, ns, dest_name(d), -1);
                if (e == -EINVAL)
                        return husk_error_unsupported(err, "linux.netDevices[\"%s\"]: the kernel can't move this device to "
                                                      "another network namespace (bridges and other netns-local devices)",
                                                      d->host_name);
                if (e < 0)
                        return husk_error_errno(err, -e, "linux.netDevices[\"%s\"]: move into the container as \"%s\"",
                                                d->host_name, dest_name(d));
                /* a "%d" template: the kernel named it; it kept its index
                 * (the new namespace has only lo) */
                int in = strstr(dest_name(d), "%d") ? (index_exists(there, idx) ? idx : 0)
                                                     : ifindex_of(there, dest_name(d));
                for (size_t k = 0; in != 0 && k < n_addrs; k++)
                        if ((e = addr_restore(there, in, &addrs[k])) < 0 && e != -EEXIST)
                                return husk_error_errno(err, -e, "linux.netDevices[\"%s\"]: keep its address in the "
                                                        "container (family %d, /%d)", d->host_name,
                                                        addrs[k].ifa.ifa_family, addrs[k].ifa.ifa_prefixlen);
                if (in == 0 || (e = link_change(there, in, -1, NULL, 1)) < 0)
                        return husk_error_errno(err, in == 0 ? ENODEV : -e,
                                                "linux.netDevices[\"%s\"]: set \"%s\" up in the container",
                                                d->host_name, dest_name(d));
        }
        return 0;
}

int netdev_move_out(int dirfd, struct husk_error *err)
{
        _cleanup_free_ char *rec = NULL;
        size_t len = 0;
        if (read_file_at(dirfd, STATE_NETDEVICES, &rec, &len, err) < 0) {
                if (err->errnum != ENOENT)
                        return -1;
                memset(err, 0, sizeof(*err));
                return 0;
        }
        int ret = 0;
        _cleanup_close_ int ns = openat(dirfd, STATE_NETNS, O_RDONLY | O_CLOEXEC);
        if (ns >= 0) {
                _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                _cleanup_close_ int there = rtnl_socket_in(ns, err);
                struct statfs sfs;
                /* not pinned (a create that died before): nothing to move */
                bool pinned = fstatfs(ns, &sfs) == 0 && sfs.f_type == NSFS_MAGIC;
                if (there < 0 || self < 0) {
                        ret = -1;
                } else if (pinned) {
                        char *save = NULL;
                        for (char *line = strtok_r(rec, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                                char *sp = strchr(line, ' ');
                                if (!sp)
                                        continue;
                                *sp = 0;
                                const char *host = line, *inside = sp + 1;
                                int idx = ifindex_of(there, inside);
                                if (idx == 0)
                                        continue;       /* gone with the container, or never moved */
                                /* down first: no traffic, no address conflict, on the way back */
                                int e = link_change(there, idx, -1, NULL, 0);
                                if (e == 0)
                                        e = link_change(there, idx, self, host, -1);
                                if (e < 0 && ret == 0)
                                        ret = husk_error_errno(err, -e, "linux.netDevices[\"%s\"]: move \"%s\" back "
                                                               "to the runtime's network namespace", host, inside);
                        }
                }
        }
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dirfd, STATE_NETNS);
        if (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT && ret == 0)
                ret = husk_error_sys(err, "release the container's network namespace");
        if (ret == 0) {
                unlinkat(dirfd, STATE_NETNS, 0);
                unlinkat(dirfd, STATE_NETDEVICES, 0);
        }
        return ret;
}

int netdev_release(int dirfd, struct husk_error *err)
{
        if (faccessat(dirfd, STATE_NETDEVICES, F_OK, 0) < 0)
                return 0;
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dirfd, STATE_NETNS);
        if (umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return husk_error_sys(err, "release the container's network namespace");
        unlinkat(dirfd, STATE_NETNS, 0);
        unlinkat(dirfd, STATE_NETDEVICES, 0);
        return 0;
}
