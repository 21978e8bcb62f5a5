/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for a container process in the foreground (run, exec): husk is
 * its subreaper, forwards the signals it gets, and proxies the pty. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "container/internal.h"
#include "container/notify.h"
#include "util/util.h"

int supervisor_begin(bool subreaper, struct husk_error *err)
{
        /* Block the signals we forward before anything is forked; the
         * container's processes unblock them in their first stage. */
        sigset_t mask;
        sigfillset(&mask);
        sigdelset(&mask, SIGSEGV);
        sigdelset(&mask, SIGBUS);
        sigdelset(&mask, SIGILL);
        sigdelset(&mask, SIGFPE);
        sigdelset(&mask, SIGABRT);
        /* As runc: the container's orphans are reparented to us and reaped
         * (not with run --no-subreaper, where the init is our own child). */
        if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return husk_error_sys(err, "become subreaper");
        sigprocmask(SIG_BLOCK, &mask, NULL);
        int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0)
                return husk_error_sys(err, "signalfd");
        return sfd;
}

void tty_raw_begin(struct raw_tty *t, int console)
{
        t->raw = false;
        if (console < 0 || !isatty(0) || tcgetattr(0, &t->saved) < 0)
                return;
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                ioctl(console, TIOCSWINSZ, &ws);
        struct termios r = t->saved;
        cfmakeraw(&r);
        t->raw = tcsetattr(0, TCSANOW, &r) == 0;
}

void tty_raw_end(struct raw_tty *t)
{
        if (t->raw)
                tcsetattr(0, TCSANOW, &t->saved);
        t->raw = false;
}

static int copy_some(int from, int to)
{
        char buf[16384];
        ssize_t n = read(from, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 0;
        if (n <= 0)
                return -1;
        return write_all(to, buf, (size_t)n);
}

static void resize_pty(int master)
{
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
}

/* Wait for the container's init, forwarding signals and the pty. */
int supervise(pid_t pid, int pidfd, int sfd, int console, struct notify_relay *nr)
{
        int status = -1;
        bool stdin_open = console >= 0;
        while (status < 0) {
                int nfd = nr && !nr->done ? nr->sock : -1;
                struct pollfd p[4] = { { sfd, POLLIN, 0 }, { console, POLLIN, 0 }, { stdin_open ? 0 : -1, POLLIN, 0 },
                                       { nfd, POLLIN, 0 } };
                int r = poll(p, 4, -1);
                if (r < 0 && errno != EINTR)
                        break;
                if (p[3].revents & POLLIN)
                        notify_relay_one(nr);
                if (p[1].revents & POLLIN)
                        copy_some(console, 1);
                if (p[2].revents & (POLLIN | POLLHUP)) {
                        if (copy_some(0, console) < 0)
                                stdin_open = false;
                }
                if (p[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) != sizeof(si))
                                continue;
                        if (si.ssi_signo == SIGCHLD) {
                                int ws;
                                pid_t w;
                                while ((w = waitpid(-1, &ws, WNOHANG)) > 0)
                                        if (w == pid)
                                                status = ws;
                        } else if (si.ssi_signo == SIGWINCH) {
                                if (console >= 0)
                                        resize_pty(console);
                        } else {
                                syscall(SYS_pidfd_send_signal, pidfd, si.ssi_signo, NULL, 0);
                        }
                }
        }
        /* Drain what the container wrote before it exited. */
        if (console >= 0) {
                fcntl(console, F_SETFL, O_NONBLOCK);
                while (copy_some(console, 1) == 0) {
                        struct pollfd p = { console, POLLIN, 0 };
                        if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
                                break;
                }
        }
        if (status < 0)
                return 255;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

