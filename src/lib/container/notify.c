/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/notify.h"
#include "util/log.h"
#include "util/util.h"

const char *notify_socket_from_env(void)
{
        const char *s = getenv("NOTIFY_SOCKET");
        return s && *s ? s : NULL;
}

int notify_make_dir(int dirfd, struct husk_error *err)
{
        if (mkdirat(dirfd, NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
                return husk_error_sys(err, "NOTIFY_SOCKET: mkdir %s in the state directory", NOTIFY_DIR);
        /* mkdir's mode is masked by the umask: the container's user must get in */
        if (fchmodat(dirfd, NOTIFY_DIR, 0755, 0) < 0)
                return husk_error_sys(err, "NOTIFY_SOCKET: chmod %s", NOTIFY_DIR);
        return 0;
}

/* The host's socket: a path, or "@name" for the abstract namespace. */
static int connect_host(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t n = strlen(path);
        if (n >= sizeof(sa.sun_path)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(sa.sun_path, path, n);
        if (path[0] == '@')
                sa.sun_path[0] = '\0';
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return -1;
        if (connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0) {
                int e = errno;
                close(s);
                errno = e;
                return -1;
        }
        return s;
}

int notify_relay_open(struct notify_relay *r, int dirfd, const char *host_path, struct husk_error *err)
{
        *r = (struct notify_relay){ .sock = -1, .host = -1, .host_path = host_path };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s/%s", dirfd, NOTIFY_DIR, NOTIFY_SOCK_NAME);
        /* made at create (run: just now); start checks it is there */
        if (notify_make_dir(dirfd, err) < 0)
                return -1;
        unlinkat(dirfd, NOTIFY_DIR "/" NOTIFY_SOCK_NAME, 0);
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "NOTIFY_SOCKET: socket");
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            fchmodat(dirfd, NOTIFY_DIR "/" NOTIFY_SOCK_NAME, 0777, 0) < 0) {
                husk_error_sys(err, "NOTIFY_SOCKET: bind %s/%s in the state directory", NOTIFY_DIR,
                               NOTIFY_SOCK_NAME);
                close(s);
                return -1;
        }
        r->sock = s;
        return 0;
}

static void send_host(struct notify_relay *r, const char *buf, size_t len)
{
        if (r->host < 0) {
                r->host = connect_host(r->host_path);
                if (r->host < 0) {
                        log_warn("NOTIFY_SOCKET: connect to %s: %s", r->host_path, strerror(errno));
                        r->done = true;
                        return;
                }
        }
        if (send(r->host, buf, len, MSG_NOSIGNAL) < 0)
                log_warn("NOTIFY_SOCKET: send to %s: %s", r->host_path, strerror(errno));
}

static bool has_ready_line(const char *buf, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if ((i == 0 || buf[i - 1] == '\n') && len - i >= 6 && memcmp(buf + i, "READY=", 6) == 0)
                        return true;
        return false;
}

void notify_relay_one(struct notify_relay *r)
{
        char buf[4096];
        ssize_t n = recv(r->sock, buf, sizeof(buf), MSG_DONTWAIT);
        if (n <= 0 || r->done)
                return;
        log_debug("NOTIFY_SOCKET: relaying %zd bytes to %s", n, r->host_path);
        send_host(r, buf, (size_t)n);
        if (!r->done && has_ready_line(buf, (size_t)n)) {
                char pid[32];
                int k = snprintf(pid, sizeof(pid), "MAINPID=%d\n", (int)r->mainpid);
                send_host(r, pid, (size_t)k);
                r->done = true;
        }
}

void notify_relay_until_ready(struct notify_relay *r, int pidfd)
{
        while (!r->done && r->sock >= 0) {
                struct pollfd p[2] = { { r->sock, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
                int k = poll(p, 2, -1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                if (p[0].revents & POLLIN) {
                        notify_relay_one(r);
                        continue;       /* drain before looking at the init */
                }
                if (p[1].revents)
                        return;         /* the init exited without READY */
        }
}

void notify_relay_close(struct notify_relay *r)
{
        if (r->sock >= 0)
                close(r->sock);
        if (r->host >= 0)
                close(r->host);
        r->sock = r->host = -1;
}
