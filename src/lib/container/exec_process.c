/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `husk exec`: run one more process in a running container. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <yajl/yajl_gen.h>

#include "cgroup/cgroup.h"
#include "container/internal.h"
#include "init/exec_stages.h"
#include "init/sync.h"
#include "linux/process.h"
#include "linux/terminal.h"
#include "spec/spec-internal.h"
#include "util/compat.h"
#include "util/log.h"
#include "util/util.h"

/* The namespaces of pid that differ from ours: those exec must join. */
static int namespaces_to_join(pid_t pid)
{
        static const struct { const char *name; int flag; } kinds[] = {
                { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
                { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP },
                { "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
        };
        int flags = 0;
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
                char theirs[64], ours[64];
                snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
                snprintf(ours, sizeof(ours), "/proc/self/ns/%s", kinds[i].name);
                struct stat a, b;
                if (stat(theirs, &a) < 0 || stat(ours, &b) < 0)
                        continue;       /* the kernel has no such namespace */
                if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        flags |= kinds[i].flag;
        }
        return flags;
}

static char **strv_set_env(char **env, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
        for (size_t i = 0; env && env[i]; i++) {
                if (strncmp(env[i], kv, klen) == 0 && env[i][klen] == '=') {
                        free(env[i]);
                        env[i] = xstrdup(kv);
                        return env;
                }
        }
        return strv_append(env, kv);
}

/* A decimal id as runc reads it (Go's Atoi: an optional '+', digits; no
 * blanks), 0..HUSK_ID_MAX: 4294967295 would be setresuid's "unchanged". */
static int parse_id(const char *s, const char *what, uint32_t *out, struct husk_error *err)
{
        uint64_t v;
        const char *d = *s == '+' ? s + 1 : s;
        if (*d < '0' || *d > '9' || parse_uint64(d, &v) < 0)
                return husk_error_set(err, 0, "%s: expected a numeric id, got \"%s\"", what, s);
        if (v > HUSK_ID_MAX)
                return husk_error_set(err, 0, "%s: id %s is out of range 0..%u", what, s, HUSK_ID_MAX);
        *out = (uint32_t)v;
        return 0;
}

/* The container's process, changed as the flags say (runc's rules). */
static int apply_flags(const struct husk_exec_opts *o, struct husk_process *p, struct husk_error *err)
{
        strv_free(p->args);
        p->args = NULL;
        for (size_t i = 0; o->args && o->args[i]; i++)
                p->args = strv_append(p->args, o->args[i]);
        p->terminal = o->tty;
        p->has_console_size = false;
        if (o->cwd) {
                if (o->cwd[0] != '/')
                        return husk_error_set(err, 0, "--cwd: must be an absolute path, got \"%s\"", o->cwd);
                free(p->cwd);
                p->cwd = xstrdup(o->cwd);
        }
        for (size_t i = 0; o->env && o->env[i]; i++) {
                if (!strchr(o->env[i], '='))
                        return husk_error_set(err, 0, "--env: expected KEY=VALUE, got \"%s\"", o->env[i]);
                p->env = strv_set_env(p->env, o->env[i]);
        }
        if (o->user) {
                _cleanup_free_ char *u = xstrdup(o->user);
                char *colon = strchr(u, ':');
                if (colon)
                        *colon++ = '\0';
                if (parse_id(u, "--user", &p->user.uid, err) < 0)
                        return -1;
                if (colon && parse_id(colon, "--user", &p->user.gid, err) < 0)
                        return -1;
        }
        for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++) {
                uint32_t g = 0;
                if (parse_id(o->additional_gids[i], "--additional-gids", &g, err) < 0)
                        return -1;
                p->user.additional_gids = xrealloc(p->user.additional_gids,
                                                   (p->user.n_additional_gids + 1) * sizeof(uint32_t));
                p->user.additional_gids[p->user.n_additional_gids++] = g;
        }
        for (size_t i = 0; o->caps && o->caps[i]; i++) {
                struct husk_caps *c = &p->capabilities;
                if (spec_cap_number(o->caps[i]) < 0)
                        return husk_error_set(err, 0, "--cap: unknown capability \"%s\"", o->caps[i]);
                p->has_capabilities = true;
                c->bounding = strv_append(c->bounding, o->caps[i]);
                c->effective = strv_append(c->effective, o->caps[i]);
                c->permitted = strv_append(c->permitted, o->caps[i]);
                /* Never inheritable or ambient (CVE-2022-29162): a
                 * non-root process would keep the capability across
                 * execve of a file whose inheritable set has it. */
        }
        if (o->no_new_privs)
                p->no_new_privileges = true;
        if (o->process_label) {
                free(p->selinux_label);
                p->selinux_label = xstrdup(o->process_label);
        }
        if (o->apparmor) {
                free(p->apparmor_profile);
                p->apparmor_profile = xstrdup(o->apparmor);
        }
        return 0;
}

/* The process to run: --process FILE, or the container's own process
 * (re-read from the saved config) with the flags applied. */
static int build_process(const struct husk_exec_opts *o, const struct husk_spec *spec, struct husk_process **out,
                         struct husk_error *err)
{
        if (o->process_file) {
                _cleanup_free_ char *raw = NULL;
                size_t len;
                if (read_user_file_at(AT_FDCWD, o->process_file, &raw, &len, err) < 0)
                        return husk_error_wrap(err, "--process");
                return spec_parse_process(raw, len, o->process_file, out, err);
        }
        if (!o->args || !o->args[0])
                return husk_error_set(err, 0, "exec: a command (or --process FILE) is required");
        if (!spec->process)
                return husk_error_set(err, 0, "exec: the container's config has no process to start from");
        /* Steal the saved spec's process: the caller's copy is ours alone. */
        struct husk_process *p = spec->process;
        ((struct husk_spec *)spec)->process = NULL;
        if (apply_flags(o, p, err) < 0) {
                spec_process_free(p);
                return -1;
        }
        *out = p;
        return 0;
}

static int send_pidfd(const char *socket_path, pid_t pid, struct husk_error *err)
{
        _cleanup_close_ int pidfd = pidfd_open_pid(pid);
        if (pidfd < 0)
                return husk_error_sys(err, "--pidfd-socket: pidfd of %d", (int)pid);
        if (terminal_send_to_socket(socket_path, pidfd, "pidfd", err) < 0)
                return husk_error_wrap(err, "--pidfd-socket");
        return 0;
}

struct exec_run {
        const struct husk_exec_opts *o;
        const struct husk_spec *spec;
        const char *bundle;
        struct cgroup_manager *late_cgroup;     /* move B in at READY (paused container) */
        const char *sub_cgroup;
        pid_t stage_a, pid;
        int pidfd;
        int console;
        bool frozen;            /* pid is in the paused container's cgroup */
};

/* On failure: kill the process being set up and return only once it is
 * gone, so nothing is left in the container's cgroup when exec fails
 * (SIGKILL is delivered asynchronously: a ps right after exec could still
 * list it). reaper: we are its subreaper (stage A has exited), so it is our
 * child and we reap it. A process already in a frozen cgroup can't exit
 * before the thaw: it dies on resume. */
static void exec_kill_process(const struct exec_run *x, bool reaper)
{
        if (x->pidfd >= 0)
                syscall(SYS_pidfd_send_signal, x->pidfd, SIGKILL, NULL, 0);
        else if (reaper)
                kill(x->pid, SIGKILL);  /* our unreaped child: the pid can't be reused */
        else
                return;
        if (x->frozen)
                return;
        if (x->pidfd >= 0 && wait_pidfd(x->pidfd, 10000) != 1) {
                log_warn("exec: process %d did not die after SIGKILL", (int)x->pid);
                return;
        }
        if (reaper)
                while (waitpid(x->pid, NULL, x->pidfd >= 0 ? WNOHANG : 0) < 0 && errno == EINTR)
                        ;
}

static int on_pid(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct exec_run *x = ctx;
        (void)sock, (void)err;
        x->pid = m->value;
        x->pidfd = pidfd_open_pid(x->pid);
        waitpid(x->stage_a, NULL, 0);
        x->stage_a = 0;
        return 0;
}

static int on_console(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct exec_run *x = ctx;
        (void)sock;
        if (x->o->console_socket)
                return terminal_send_to_socket(x->o->console_socket, m->fd, m->data ? m->data : "", err);
        x->console = m->fd;
        m->fd = -1;
        return 0;
}

static int on_seccomp_fd(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct exec_run *x = ctx;
        if (container_send_seccomp_fd(x->spec, x->o->id, x->pid, x->bundle, m->fd, err) < 0)
                return -1;
        if (sync_send(sock, SYNC_SECCOMP_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with exec");
        return 0;
}

static const struct sync_protocol exec_protocol;

static int on_ready(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct exec_run *x = ctx;
        (void)m;
        if (x->pid <= 0)
                return husk_error_set(err, EPROTO, "exec: ready before its pid");
        if (x->late_cgroup) {
                /* frozen as soon as it is in: it execs on resume */
                x->frozen = true;       /* even if only some hierarchies took it */
                if (cgroup_add_pid(x->late_cgroup, x->pid, x->sub_cgroup, err) < 0)
                        return -1;
                if (sync_send(sock, SYNC_CGROUP_DONE, 0, NULL, 0, -1) < 0)
                        return husk_error_sys(err, "sync with exec");
                return 1;
        }
        return sync_await_exec(sock, &exec_protocol, err) < 0 ? -1 : 1;
}

static const struct sync_handler exec_handlers[] = {
        { SYNC_PID, on_pid },
        { SYNC_CONSOLE, on_console },
        { SYNC_SECCOMP_FD, on_seccomp_fd },
        { SYNC_READY, on_ready },
};

/* The parent's side of exec's protocol (init/sync.h). */
static const struct sync_protocol exec_protocol = {
        .during = "exec", .peer = "exec: the process", .on_eof = "exec: the process died while being set up",
        .handlers = exec_handlers, .n_handlers = ARRAY_SIZE(exec_handlers),
};

int container_exec(const struct husk_exec_opts *o, int *exit_code, struct husk_error *err)
{
        *exit_code = 0;
        int64_t t = log_clock(), t_all = t;
        struct husk_container c;
        if (container_load(o->root, o->id, false, &c, err) < 0)
                return -1;
        log_phase(&t, "load", "exec %s: state loaded (init pid %d, %s)", o->id, (int)c.st.pid,
                  state_status_name(c.status));
        int ret = -1, sfd = -1, sock[2] = { -1, -1 }, init_pidfd = -1, root_fd = -1;
        struct husk_spec *spec = NULL;
        struct husk_process *proc = NULL;
        struct husk_seccomp_prog *prog = NULL;
        struct exec_run x = { .o = o, .pidfd = -1, .console = -1 };
        struct raw_tty tty = { 0 };

        if (c.status == HUSK_STATUS_STOPPED) {
                husk_error_set(err, 0, "cannot exec in a stopped container");
                goto out;
        }
        if (c.status == HUSK_STATUS_PAUSED && !o->ignore_paused) {
                husk_error_set(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
                goto out;
        }
        {
                _cleanup_free_ char *raw = NULL;
                size_t len;
                if (read_user_file_at(c.dirfd, STATE_CONFIG, &raw, &len, err) < 0 ||
                    spec_parse(raw, len, "config.json (saved at create)", &spec, err) < 0)
                        goto out;
        }
        x.spec = spec;
        x.bundle = c.st.bundle;
        if (build_process(o, spec, &proc, err) < 0 || process_validate(proc, err) < 0)
                goto out;
        if (proc->terminal && !o->console_socket && o->detach) {
                husk_error_set(err, 0, "--tty with --detach needs --console-socket");
                goto out;
        }
        if (o->console_socket && *o->console_socket && (!proc->terminal || !o->detach)) {
                husk_error_set(err, 0, "--console-socket: only with --tty and --detach");
                goto out;
        }
        log_phase(&t, "spec", "exec %s: process built from the saved config.json", o->id);
        if (spec->linux && spec->linux->seccomp) {
                _cleanup_free_ char *cache = xasprintf("%s/.seccomp-cache", o->root);
                if (seccomp_compile(spec->linux->seccomp, cache, &prog, err) < 0)
                        goto out;
                log_phase(&t, "seccomp", "exec %s: seccomp filter compiled (or loaded from %s)", o->id, cache);
        }
        init_pidfd = pidfd_open_pid(c.st.pid);
        if (init_pidfd < 0 || !state_init_alive(&c.st)) {
                husk_error_set(err, 0, "cannot exec in a stopped container");
                goto out;
        }
        int min_fd = 3 + o->preserve_fds;
        if (init_pidfd < min_fd) {
                int n = fcntl(init_pidfd, F_DUPFD_CLOEXEC, min_fd);
                close(init_pidfd);
                init_pidfd = n;
        }
        if (!o->detach && (sfd = supervisor_begin(true, err)) < 0)
                goto out;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0) {
                husk_error_sys(err, "socketpair");
                goto out;
        }
        for (int i = 0; i < 2; i++)
                if (sock[i] < min_fd) {
                        int n = fcntl(sock[i], F_DUPFD_CLOEXEC, min_fd);
                        close(sock[i]);
                        sock[i] = n;
                }
        bool late = c.cgroup && c.status == HUSK_STATUS_PAUSED;
        bool placed_by_us = c.cgroup && !late && (o->cgroup || cgroup_is_systemd(c.cgroup));
        /* The init shares our mount namespace (a container without its
         * own): its root is a chroot, which setns can't give. */
        int nsflags = namespaces_to_join(c.st.pid);
        if (!(nsflags & CLONE_NEWNS) && !spec_has_namespace(spec, CLONE_NEWNS)) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/root", (int)c.st.pid);
                root_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd >= 0 && root_fd < min_fd) {
                        int n = fcntl(root_fd, F_DUPFD_CLOEXEC, min_fd);
                        close(root_fd);
                        root_fd = n;
                }
                if (root_fd < 0) {
                        husk_error_sys(err, "open the root of container %s", o->id);
                        goto out;
                }
        }
        bool join = c.cgroup && !late && !placed_by_us;
        if (join && cgroup_join_prepare(c.cgroup, min_fd, err) < 0)
                goto out;
        struct exec_config ec = {
                .spec = spec, .proc = proc, .prog = prog, .init_pidfd = init_pidfd,
                .ns_flags = nsflags, .root_fd = root_fd, .cgroup = c.cgroup, .wait_for_cgroup = placed_by_us,
                .join_cgroup = join, .late_cgroup = late,
                .sync_fd = sock[1], .preserve_fds = o->preserve_fds, .extra_env = o->extra_env,
                .kernel_last_cap = caps_kernel_last(),
        };
        x.stage_a = exec_spawn(&ec, err);
        if (x.stage_a < 0) {
                x.stage_a = 0;
                goto out;
        }
        log_phase(&t, "spawn", "exec %s: exec stage forked (pid %d)", o->id, (int)x.stage_a);
        close(sock[1]);
        sock[1] = -1;
        if (placed_by_us) {
                if (cgroup_add_pid(c.cgroup, x.stage_a, o->cgroup, err) < 0 ||
                    sync_send(sock[0], SYNC_CGROUP_DONE, 0, NULL, 0, -1) < 0) {
                        if (!err->msg[0])
                                husk_error_sys(err, "sync with exec");
                        goto out;
                }
        } else if (o->cgroup && !c.cgroup) {
                husk_error_set(err, 0, "--cgroup: the container has no cgroup");
                goto out;
        }
        x.late_cgroup = late ? c.cgroup : NULL;
        x.sub_cgroup = o->cgroup;
        if (sync_serve(sock[0], &exec_protocol, &x, err) < 0)
                goto out;
        log_phase(&t, "exec", "exec %s: process %d joined the container and executed %s", o->id, (int)x.pid,
                  proc->args[0]);
        if (o->pid_file && write_pid_file(o->pid_file, x.pid, err) < 0)
                goto out;
        if (o->pidfd_socket && send_pidfd(o->pidfd_socket, x.pid, err) < 0)
                goto out;
        ret = 0;
        log_phase(&t_all, "exec-total", "exec %s: started", o->id);
        if (!o->detach) {
                tty_raw_begin(&tty, x.console);
                *exit_code = supervise(x.pid, x.pidfd, sfd, x.console, NULL);
                log_phase(&t, "wait", "exec %s: process %d exited with %d", o->id, (int)x.pid, *exit_code);
        }
out:
        tty_raw_end(&tty);
        if (ret < 0 && x.pid > 0)
                exec_kill_process(&x, sfd >= 0 && x.stage_a == 0);
        if (x.stage_a > 0) {
                kill(x.stage_a, SIGKILL);
                waitpid(x.stage_a, NULL, 0);
        }
        for (int i = 0; i < 2; i++)
                if (sock[i] >= 0)
                        close(sock[i]);
        if (sfd >= 0)
                close(sfd);
        if (init_pidfd >= 0)
                close(init_pidfd);
        if (root_fd >= 0)
                close(root_fd);
        if (x.pidfd >= 0)
                close(x.pidfd);
        if (x.console >= 0)
                close(x.console);
        seccomp_prog_free(prog);
        spec_process_free(proc);
        spec_free(spec);
        container_release(&c);
        return ret;
}
