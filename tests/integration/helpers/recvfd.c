/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recvfd SOCKET OUTPUT: the receiving end of --pidfd-socket (and of a
 * seccomp listenerPath). Listens on SOCKET, accepts one connection,
 * receives one fd with SCM_RIGHTS and writes to OUTPUT the message that
 * came with it on its first line, then "link: " and what the fd is
 * ("anon_inode:[pidfd]", "anon_inode:seccomp notify"), then its
 * /proc/self/fdinfo (a pidfd shows "Pid: N"). Gives up after 60 seconds.
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
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: recvfd SOCKET OUTPUT\n");
                return 2;
        }
        alarm(60);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        unlink(argv[1]);
        if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
                perror("recvfd: listen");
                return 1;
        }
        int c = accept(s, NULL, NULL);
        if (c < 0) {
                perror("recvfd: accept");
                return 1;
        }
        char data[65536];
        struct iovec iov = { data, sizeof(data) - 1 };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof(u.buf) };
        ssize_t n = recvmsg(c, &msg, 0);
        if (n < 0) {
                perror("recvfd: recvmsg");
                return 1;
        }
        data[n] = '\0';
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (!cm || cm->cmsg_type != SCM_RIGHTS) {
                fprintf(stderr, "recvfd: no fd received\n");
                return 1;
        }
        int fd;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        FILE *out = fopen(argv[2], "w");
        if (!out) {
                perror("recvfd: output");
                return 1;
        }
        fprintf(out, "%s\n", data);
        char path[64], line[256], link[256];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ssize_t l = readlink(path, link, sizeof(link) - 1);
        link[l > 0 ? l : 0] = '\0';
        fprintf(out, "link: %s\n", link);
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        FILE *fi = fopen(path, "r");
        while (fi && fgets(line, sizeof(line), fi))
                fputs(line, out);
        fclose(out);
        close(fd);
        return 0;
}
