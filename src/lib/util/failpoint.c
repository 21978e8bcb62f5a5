/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HUSK_FAILPOINT (see failpoint.h). The state is process-global on purpose:
 * a test seam, set once before any fork; the counter lives in a shared
 * anonymous page so that the stages count with husk. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/failpoint.h"
#include "util/util.h"

enum fp_mode { FP_TRACE, FP_FAIL, FP_KILL };

bool failpoint_active;
static enum fp_mode mode;
static long target;
static pid_t owner;
static int stage_fd = -1;         /* trace: the file; kill:N: the pipe that kills us */
static atomic_long *counter;

void failpoint_init(void)
{
        const char *v = getenv("HUSK_FAILPOINT");
        if (!v || !*v)
                return;
        if (strncmp(v, "trace:", 6) == 0 && v[6]) {
                mode = FP_TRACE;
                /* opened now: a stage after pivot_root can't reach the path */
                int fd = open(v + 6, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0) {
                        fprintf(stderr, "husk: HUSK_FAILPOINT: %s: %m\n", v + 6);
                        return;
                }
                stage_fd = fcntl(fd, F_DUPFD_CLOEXEC, 512);
                close(fd);
        } else if ((strncmp(v, "fail:", 5) == 0 || strncmp(v, "kill:", 5) == 0) && atol(v + 5) > 0) {
                mode = v[0] == 'f' ? FP_FAIL : FP_KILL;
                target = atol(v + 5);
        } else {
                fprintf(stderr, "husk: HUSK_FAILPOINT: expected trace:FILE, fail:N or kill:N, got \"%s\"\n", v);
                return;
        }
        void *p = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return;
        counter = p;
        owner = getpid();
        if (mode == FP_KILL) {
                /* A stage in the container's pid namespace can't name us,
                 * by pid or pidfd: it writes to a pipe whose read end
                 * sends us SIGKILL (F_SETSIG) as its I/O signal. Both ends
                 * out of the way of --preserve-fds. */
                int fds[2];
                if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
                        int r = fcntl(fds[0], F_DUPFD_CLOEXEC, 512);
                        stage_fd = fcntl(fds[1], F_DUPFD_CLOEXEC, 512);
                        close(fds[0]);
                        close(fds[1]);
                        if (r < 0 || stage_fd < 0 || fcntl(r, F_SETOWN, owner) < 0 ||
                            fcntl(r, F_SETSIG, SIGKILL) < 0 || fcntl(r, F_SETFL, O_ASYNC | O_NONBLOCK) < 0) {
                                fprintf(stderr, "husk: HUSK_FAILPOINT: kill pipe: %m\n");
                                return;
                        }
                }
        }
        failpoint_active = true;
}

int failpoint_fd(void)
{
        return failpoint_active ? stage_fd : -1;
}

int failpoint_hit(const char *name, struct husk_error *err)
{
        long n = atomic_fetch_add(counter, 1) + 1;
        if (mode == FP_TRACE) {
                dprintf(stage_fd, "%ld %s\n", n, name);
                return 0;
        }
        if (n != target)
                return 0;
        if (mode == FP_KILL) {
                if (getpid() == owner || stage_fd < 0 || write(stage_fd, "k", 1) != 1)
                        kill(owner, SIGKILL);
                return 0;
        }
        errno = EIO;
        return husk_error_set(err, EIO, "%s (HUSK_FAILPOINT)", name);
}
