/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "linux/fdpass.h"
#include "util/util.h"

int fdpass_send(const char *socket_path, int fd, const char *payload, struct husk_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return husk_error_invalid(err, "socket path too long: %s", socket_path);
        strcpy(sa.sun_path, socket_path);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "socket");
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return husk_error_sys(err, "connect to %s", socket_path);
        struct iovec iov = { (void *)payload, strlen(payload) };
        char cbuf[CMSG_SPACE(sizeof(int))];
        memset(cbuf, 0, sizeof(cbuf));
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (sendmsg(s, &msg, MSG_NOSIGNAL) < 0)
                return husk_error_sys(err, "send an fd to %s", socket_path);
        return 0;
}

int fdpass_recv(int sock, struct husk_error *err)
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
