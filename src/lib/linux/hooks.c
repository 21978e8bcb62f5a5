/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/hooks.h"
#include "spec/names.h"
#include "util/log.h"
#include "util/util.h"

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_one(const struct husk_hook *h, char *const *default_env, const char *state_json, const char *cwd,
                   struct husk_error *err)
{
        int in[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return husk_error_sys(err, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(in[0]);
                close(in[1]);
                return husk_error_sys(err, "fork");
        }
        if (pid == 0) {
                dup2(in[0], 0);
                signal(SIGPIPE, SIG_DFL);
                if (cwd && chdir(cwd) < 0) {
                        dprintf(2, "husk: hook %s: chdir %s: %s\n", h->path, cwd, strerror(errno));
                        _exit(127);
                }
                char *const empty[] = { NULL };
                char *argv0[] = { h->path, NULL };
                execve(h->path, h->args && h->args[0] ? h->args : argv0,
                       h->env ? h->env : default_env ? default_env : empty);
                _exit(127);
        }
        close(in[0]);
        /* A hook that doesn't read its stdin must not make us fail: ignore EPIPE. */
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        (void)write_all(in[1], state_json, strlen(state_json));
        close(in[1]);
        signal(SIGPIPE, old);

        int status = 0;
        if (h->timeout.set) {
                int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
                int64_t deadline = now_ms() + h->timeout.v * 1000;
                bool timed_out = false;
                while (pfd >= 0) {
                        int64_t left = deadline - now_ms();
                        if (left <= 0) {
                                timed_out = true;
                                break;
                        }
                        struct pollfd p = { pfd, POLLIN, 0 };
                        int r = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
                        if (r > 0 || (r < 0 && errno != EINTR))
                                break;
                }
                if (pfd >= 0)
                        close(pfd);
                if (timed_out) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return husk_error_set(err, ETIMEDOUT, "hook %s: timed out after %lld s", h->path,
                                              (long long)h->timeout.v);
                }
        }
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return husk_error_sys(err, "wait for hook %s", h->path);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return husk_error_set(err, 0, "hook %s: could not be executed (exit status 127)", h->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                return husk_error_set(err, 0, "hook %s: exited with status %d", h->path, WEXITSTATUS(status));
        if (WIFSIGNALED(status)) {
                /* "bad system call", as runc words it (a seccomp kill) */
                char what[64];
                snprintf(what, sizeof(what), "%s", strsignal(WTERMSIG(status)));
                what[0] = (char)tolower((unsigned char)what[0]);
                return husk_error_set(err, 0, "hook %s: killed by signal %d (%s)", h->path, WTERMSIG(status), what);
        }
        return 0;
}

int hooks_run(const struct husk_spec *spec, enum husk_hook_kind kind, const char *state_json, const char *cwd,
              struct husk_error *err)
{
        const struct husk_hook_list *l = &spec->hooks[kind];
        bool stop_on_error = kind != HUSK_HOOK_POSTSTOP;
        bool in_container = kind == HUSK_HOOK_CREATE_CONTAINER || kind == HUSK_HOOK_START_CONTAINER;
        char *const *env = in_container ? (spec->process ? spec->process->env : NULL) : environ;
        for (size_t i = 0; i < l->n; i++) {
                struct husk_error e = { 0 };
                int64_t t = log_clock();
                int r = run_one(&l->hooks[i], env, state_json, cwd, &e);
                log_phase(&t, "hook", "%s hook #%zu (%s): %s", spec_hook_name(kind), i, l->hooks[i].path,
                          r < 0 ? "failed" : "done");
                if (r < 0) {
                        if (stop_on_error) {
                                *err = e;
                                return husk_error_wrap(err, "error running %s hook #%zu", spec_hook_name(kind), i);
                        }
                        log_warn("%s hook #%zu: %s", spec_hook_name(kind), i, e.msg);
                }
        }
        return 0;
}
