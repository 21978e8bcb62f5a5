/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `husk run`: create + start, then, in the foreground, wait for the container
 * as its subreaper, forward signals, proxy the pty, and delete it. */
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
#include "util/log.h"
#include "util/util.h"

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
static int supervise(pid_t pid, int pidfd, int sfd, int console)
{
        int status = -1;
        bool stdin_open = console >= 0;
        while (status < 0) {
                struct pollfd p[3] = { { sfd, POLLIN, 0 }, { console, POLLIN, 0 }, { stdin_open ? 0 : -1, POLLIN, 0 } };
                int r = poll(p, 3, -1);
                if (r < 0 && errno != EINTR)
                        break;
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

int container_run(const struct husk_create_opts *o, int *exit_code, struct husk_error *err)
{
        struct husk_create_opts ro = *o;
        ro.run_foreground = !o->detach;
        *exit_code = 0;

        /* Block the signals we forward before anything is forked; the init
         * unblocks them in its first stage. */
        sigset_t mask, old;
        sigfillset(&mask);
        sigdelset(&mask, SIGSEGV);
        sigdelset(&mask, SIGBUS);
        sigdelset(&mask, SIGILL);
        sigdelset(&mask, SIGFPE);
        sigdelset(&mask, SIGABRT);
        int sfd = -1;
        if (!o->detach) {
                if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                        return husk_error_sys(err, "become subreaper");
                sigprocmask(SIG_BLOCK, &mask, &old);
                sfd = signalfd(-1, &mask, SFD_CLOEXEC);
                if (sfd < 0)
                        return husk_error_sys(err, "signalfd");
        }

        struct created cr;
        if (container_do_create(&ro, &cr, err) < 0) {
                if (sfd >= 0)
                        close(sfd);
                return -1;
        }
        /* The pty gets our terminal's size before the process starts. */
        struct termios saved;
        bool raw = false;
        if (cr.console >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
                resize_pty(cr.console);
                struct termios t = saved;
                cfmakeraw(&t);
                raw = tcsetattr(0, TCSANOW, &t) == 0;
        }
        struct husk_state st;
        int r = state_read(cr.dirfd, o->id, &st, err);
        if (r == 0) {
                r = container_do_start(cr.dirfd, &st, cr.spec, err);
                state_free(&st);
        }
        if (r < 0) {
                struct husk_error e = { 0 };
                if (raw)
                        tcsetattr(0, TCSANOW, &saved);
                close(cr.dirfd);
                cr.dirfd = -1;
                if (container_delete(o->root, o->id, true, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
                created_free(&cr);
                if (sfd >= 0)
                        close(sfd);
                return -1;
        }
        /* Unlock: `husk kill`/`state` must work while we wait. */
        close(cr.dirfd);
        cr.dirfd = -1;
        if (o->detach) {
                created_free(&cr);
                return 0;
        }
        *exit_code = supervise(cr.pid, cr.pidfd, sfd, cr.console);
        if (raw)
                tcsetattr(0, TCSANOW, &saved);
        close(sfd);
        created_free(&cr);
        if (!o->keep) {
                struct husk_error e = { 0 };
                if (container_delete(o->root, o->id, true, &e) < 0)
                        log_warn("delete %s: %s", o->id, e.msg);
        }
        return 0;
}
