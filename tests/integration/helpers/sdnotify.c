/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify for the NOTIFY_SOCKET tests, both ends, built static so the
 * busybox container can run it (busybox nc has no unix datagrams):
 *
 *   sdnotify send MSG...             one datagram per MSG to $NOTIFY_SOCKET
 *                                    ("@name": abstract namespace)
 *   sdnotify listen PATH OUT N [S]   bind a datagram socket at PATH, append
 *                                    each datagram received to OUT (with a
 *                                    newline when it has none), exit after N
 *                                    datagrams or S seconds (default 30). */
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t addr(struct sockaddr_un *sa, const char *path)
{
        size_t n = strlen(path);
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (n >= sizeof(sa->sun_path)) {
                fprintf(stderr, "sdnotify: path too long: %s\n", path);
                exit(2);
        }
        memcpy(sa->sun_path, path, n);
        if (path[0] == '@')
                sa->sun_path[0] = '\0';
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa;
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0 || argc < 2) {
                perror("sdnotify");
                return 2;
        }
        if (strcmp(argv[1], "send") == 0) {
                const char *path = getenv("NOTIFY_SOCKET");
                if (!path || !*path) {
                        fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n");
                        return 1;
                }
                socklen_t len = addr(&sa, path);
                for (int i = 2; i < argc; i++)
                        if (sendto(s, argv[i], strlen(argv[i]), 0, (struct sockaddr *)&sa, len) < 0) {
                                perror("sdnotify: sendto");
                                return 1;
                        }
                return 0;
        }
        if (strcmp(argv[1], "listen") == 0 && argc >= 5) {
                socklen_t len = addr(&sa, argv[2]);
                if (bind(s, (struct sockaddr *)&sa, len) < 0) {
                        perror("sdnotify: bind");
                        return 1;
                }
                FILE *out = fopen(argv[3], "a");
                if (!out) {
                        perror("sdnotify: open output");
                        return 1;
                }
                int want = atoi(argv[4]), secs = argc > 5 ? atoi(argv[5]) : 30;
                for (int got = 0; got < want;) {
                        struct pollfd p = { s, POLLIN, 0 };
                        if (poll(&p, 1, secs * 1000) <= 0)
                                return 3;       /* timed out */
                        char buf[4096];
                        ssize_t n = recv(s, buf, sizeof(buf), 0);
                        if (n < 0)
                                continue;
                        fwrite(buf, 1, (size_t)n, out);
                        if (n == 0 || buf[n - 1] != '\n')
                                fputc('\n', out);
                        fflush(out);
                        got++;
                }
                return 0;
        }
        fprintf(stderr, "usage: sdnotify send MSG... | sdnotify listen PATH OUT N [SECONDS]\n");
        return 2;
}
