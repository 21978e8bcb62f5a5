/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "linux/terminal.h"
#include "util/util.h"

int terminal_open_pty(int *master, char **slave_path, struct husk_error *err)
{
        _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return husk_error_sys(err, "open /dev/ptmx");
        if (unlockpt(m) < 0)
                return husk_error_sys(err, "unlock pty");
        int n;
        if (ioctl(m, TIOCGPTN, &n) < 0)
                return husk_error_sys(err, "get pty number");
        *slave_path = xasprintf("/dev/pts/%d", n);
        *master = TAKE_FD(m);
        return 0;
}

int terminal_become_console(const char *slave_path, bool set_size, uint16_t rows, uint16_t cols,
                            struct husk_error *err)
{
        _cleanup_close_ int s = open(slave_path, O_RDWR | O_NOCTTY);
        if (s < 0)
                return husk_error_sys(err, "open %s", slave_path);
        if (ioctl(s, TIOCSCTTY, 0) < 0)
                return husk_error_sys(err, "make %s the controlling terminal", slave_path);
        if (set_size) {
                struct winsize ws = { .ws_row = rows, .ws_col = cols };
                if (ioctl(s, TIOCSWINSZ, &ws) < 0)
                        return husk_error_sys(err, "set console size");
        }
        for (int fd = 0; fd < 3; fd++)
                if (dup2(s, fd) < 0)
                        return husk_error_sys(err, "dup console to fd %d", fd);
        return 0;
}

int terminal_send_to_socket(const char *socket_path, int fd, const char *name, struct husk_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return husk_error_set(err, 0, "console socket path too long: %s", socket_path);
        strcpy(sa.sun_path, socket_path);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "socket");
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return husk_error_sys(err, "connect to console socket %s", socket_path);
        struct iovec iov = { (void *)name, strlen(name) };
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof(cbuf));
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (sendmsg(s, &msg, MSG_NOSIGNAL) < 0)
                return husk_error_sys(err, "send console to %s", socket_path);
        return 0;
}

int terminal_recv_fd(int sock, struct husk_error *err)
{
        char buf[256];
        struct iovec iov = { buf, sizeof(buf) };
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0)
                return husk_error_sys(err, "receive fd");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
                        return fd;
                }
        }
        return husk_error_set(err, EBADMSG, "no fd received");
}
