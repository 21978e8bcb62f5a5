/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recvtty SOCKET OUTPUT [INPUT]: the receiving end of --console-socket.
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives the
 * pty master the runtime sends with SCM_RIGHTS, writes INPUT (if given) to
 * it, and copies everything the container prints to OUTPUT until the pty
 * closes (EIO once the last slave fd is gone). Exits 0 on success; gives
 * up after 60 seconds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
        fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
        return 1;
}

static int recv_fd(int conn)
{
        char name[4096];
        struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = u.buf,
                .msg_controllen = sizeof(u.buf),
        };
        struct cmsghdr *c;
        int fd;

        if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
                return -1;
        c = CMSG_FIRSTHDR(&msg);
        if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len != CMSG_LEN(sizeof(int))) {
                errno = EBADMSG;
                return -1;
        }
        memcpy(&fd, CMSG_DATA(c), sizeof(fd));
        return fd;
}

int main(int argc, char **argv)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char buf[4096];
        int lfd, conn, master, out;
        ssize_t n;

        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: %s SOCKET OUTPUT [INPUT]\n", argv[0]);
                return 2;
        }
        if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "recvtty: socket path too long\n");
                return 2;
        }
        alarm(60);
        strcpy(addr.sun_path, argv[1]);

        out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                return fail(argv[2]);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0)
                return fail("socket");
        if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return fail("bind");
        if (listen(lfd, 1) < 0)
                return fail("listen");
        conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return fail("accept");
        master = recv_fd(conn);
        if (master < 0)
                return fail("recvmsg");
        close(conn);
        close(lfd);
        unlink(argv[1]);

        if (argc == 4 && write(master, argv[3], strlen(argv[3])) < 0)
                return fail("write to the pty");
        for (;;) {
                n = read(master, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break; /* EIO: the container closed its side */
                if (write(out, buf, (size_t)n) != n)
                        return fail("write output");
        }
        return 0;
}
