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
#include "linux/fdpass.h"
#include "linux/caps.h"
#include "linux/lsm_labels.h"
#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "util/compat.h"
#include "util/log.h"
#include "linux/namespaces.h"
#include "util/util.h"

/* The namespaces of pid that differ from ours: those exec must join.
 * *initial_userns: ours is the initial user namespace. Compared by the
 * links' text ("net:[4026531840]": the namespace's inode), read through one
 * directory fd each: stat() of a namespace link makes the kernel look up
 * (and often allocate) the namespace's nsfs inode, 2-3 us a link here. */
static int namespaces_to_join(pid_t pid, bool *initial_userns)
{
        static const struct { const char *name; int flag; } kinds[] = {
                { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
                { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP },
                { "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
        };
        char dir[64], initial[64];
        snprintf(dir, sizeof(dir), "/proc/%d/ns", (int)pid);
        snprintf(initial, sizeof(initial), "user:[%u]", NS_INITIAL_USER_INO);
        _cleanup_close_ int theirs = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int ours = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int flags = 0;
        for (size_t i = 0; theirs >= 0 && ours >= 0 && i < ARRAY_SIZE(kinds); i++) {
                char a[64], b[64];
                ssize_t na = readlinkat(theirs, kinds[i].name, a, sizeof(a) - 1);
                ssize_t nb = readlinkat(ours, kinds[i].name, b, sizeof(b) - 1);
                if (na < 0 || nb < 0)
                        continue;       /* the kernel has no such namespace */
                a[na] = b[nb] = '\0';
                if (kinds[i].flag == CLONE_NEWUSER)
                        *initial_userns = strcmp(b, initial) == 0;
                if (strcmp(a, b) != 0)
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
                return husk_error_invalid(err, "%s: expected a numeric id, got \"%s\"", what, s);
        if (v > HUSK_ID_MAX)
                return husk_error_invalid(err, "%s: id %s is out of range 0..%u", what, s, HUSK_ID_MAX);
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
                        return husk_error_invalid(err, "--cwd: must be an absolute path, got \"%s\"", o->cwd);
                free(p->cwd);
                p->cwd = xstrdup(o->cwd);
        }
        for (size_t i = 0; o->env && o->env[i]; i++) {
                if (!strchr(o->env[i], '='))
                        return husk_error_invalid(err, "--env: expected KEY=VALUE, got \"%s\"", o->env[i]);
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
                /* An unknown name is dropped with a warning when applied
                 * (as in process.capabilities, and as runc and crun do). */
                if (o->caps[i][0] == '\0')
                        return husk_error_invalid(err, "--cap: empty capability name");
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
                return husk_error_invalid(err, "exec: a command (or --process FILE) is required");
        if (!spec->process)
                return husk_error_invalid(err, "exec: the container's config has no process to start from");
        /* The flags change a copy: the parsed spec stays immutable. */
        struct husk_process *p = spec_process_copy(spec->process);
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
        if (fdpass_send(socket_path, pidfd, "pidfd", err) < 0)
                return husk_error_wrap(err, "--pidfd-socket");
        return 0;
}

/* Everything one exec owns, so that one function can release it. */
struct exec_run {
        const struct husk_exec_opts *o;
        struct husk_container c;                /* the container, as loaded */
        struct husk_spec *spec;                 /* its saved config.json */
        struct husk_process *proc;              /* what to run */
        struct husk_seccomp_prog *prog;
        const char *bundle;
        int min_fd;                             /* our fds go above the preserved ones */
        int sfd;                                /* supervisor's signalfd (foreground), or -1 */
        int sock[2];                            /* the sync socketpair: ours, stage A's */
        int init_pidfd, root_fd;
        int nsflags;                            /* the namespaces to join */
        bool initial_userns;                    /* the process stays in the initial user namespace */
        bool late, placed_by_us, join;          /* how the process gets into the cgroup (exec_config) */
        struct cgroup_manager *late_cgroup;     /* move B in at READY (paused container) */
        const char *sub_cgroup;
        pid_t stage_a, pid;
        bool direct;            /* pid is our child: cloned without stage A */
        int pidfd;
        int console;
        bool frozen;            /* pid is in the paused container's cgroup */
        struct raw_tty tty;
        int64_t t;              /* --debug phase clock (log_phase) */
};

/* On failure: kill the process being set up and return only once it is
 * gone, so nothing is left in the container's cgroup when exec fails
 * (SIGKILL is delivered asynchronously: a ps right after exec could still
 * list it). reaper: it is our child (cloned by us, or we are its subreaper
 * and stage A has exited), and we reap it. A process already in a frozen cgroup can't exit
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
        if (x->o->console_socket && fdpass_send(x->o->console_socket, m->fd, m->data ? m->data : "", err) < 0)
                return husk_error_wrap(err, "--console-socket");
        if (x->o->console_socket)
                return 0;
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

static void exec_run_free(struct exec_run *x)
{
        tty_raw_end(&x->tty);
        if (x->stage_a > 0) {
                kill(x->stage_a, SIGKILL);
                waitpid(x->stage_a, NULL, 0);
        }
        int fds[] = { x->sock[0], x->sock[1], x->sfd, x->init_pidfd, x->root_fd, x->pidfd, x->console };
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        seccomp_prog_free(x->prog);
        spec_process_free(x->proc);
        spec_free(x->spec);
        container_release(&x->c);
}

/* The container's saved config, the process to run (checked), its seccomp
 * filter: nothing started yet. */
static int exec_load(struct exec_run *x, struct husk_error *err)
{
        const struct husk_exec_opts *o = x->o;
        if (x->c.status == HUSK_STATUS_STOPPED)
                return husk_error_state(err, "cannot exec in a stopped container");
        if (x->c.status == HUSK_STATUS_PAUSED && !o->ignore_paused)
                return husk_error_state(err, "cannot exec in a paused container (use --ignore-paused to override)");
        {
                _cleanup_free_ char *raw = NULL;
                size_t len;
                if (read_user_file_at(x->c.dirfd, STATE_CONFIG, &raw, &len, err) < 0 ||
                    spec_parse(raw, len, "config.json (saved at create)", &x->spec, err) < 0)
                        return -1;
        }
        x->bundle = x->c.st.bundle;
        if (build_process(o, x->spec, &x->proc, err) < 0 || lsm_check_host(x->proc, err) < 0)
                return -1;
        if (x->proc->terminal && !o->console_socket && o->detach)
                return husk_error_invalid(err, "--tty with --detach needs --console-socket");
        if (o->console_socket && *o->console_socket && (!x->proc->terminal || !o->detach))
                return husk_error_invalid(err, "--console-socket: only with --tty and --detach");
        log_phase(&x->t, "spec", "exec %s: process built from the saved config.json", o->id);
        if (!x->spec->linux || !x->spec->linux->seccomp)
                return 0;
        _cleanup_free_ char *cache = xasprintf("%s/.seccomp-cache", o->root);
        if (seccomp_compile(x->spec->linux->seccomp, cache, &x->prog, err) < 0)
                return -1;
        log_phase(&x->t, "seccomp", "exec %s: seccomp filter compiled (or loaded from %s)", o->id, cache);
        return 0;
}

/* What stage A needs: the init's pidfd (alive), the socketpair, the
 * namespaces to join, the init's root when it shares our mount namespace,
 * the cgroup's join fds. */
static int exec_prepare(struct exec_run *x, struct husk_error *err)
{
        const struct husk_exec_opts *o = x->o;
        struct husk_container *c = &x->c;
        x->init_pidfd = pidfd_open_pid(c->st.pid);
        if (x->init_pidfd < 0 || !state_init_alive(&c->st))
                return husk_error_state(err, "cannot exec in a stopped container");
        x->init_pidfd = fd_above(x->init_pidfd, x->min_fd);
        if (!o->detach && (x->sfd = supervisor_begin(true, err)) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sock) < 0)
                return husk_error_sys(err, "socketpair");
        for (int i = 0; i < 2; i++)
                x->sock[i] = fd_above(x->sock[i], x->min_fd);
        x->late = c->cgroup && c->status == HUSK_STATUS_PAUSED;
        x->placed_by_us = c->cgroup && !x->late && (o->cgroup || cgroup_is_systemd(c->cgroup));
        /* The init shares our mount namespace (a container without its
         * own): its root is a chroot, which setns can't give. */
        bool ours_initial = false;
        x->nsflags = namespaces_to_join(c->st.pid, &ours_initial);
        x->initial_userns = ours_initial && !(x->nsflags & CLONE_NEWUSER);
        if (!(x->nsflags & CLONE_NEWNS) && !spec_has_namespace(x->spec, CLONE_NEWNS)) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/root", (int)c->st.pid);
                x->root_fd = fd_above(open(p, O_PATH | O_DIRECTORY | O_CLOEXEC), x->min_fd);
                if (x->root_fd < 0)
                        return husk_error_sys(err, "open the root of container %s", o->id);
        }
        x->join = c->cgroup && !x->late && !x->placed_by_us;
        return x->join ? cgroup_join_prepare(c->cgroup, x->min_fd, err) : 0;
}

/* Clone the process (or fork stage A, which forks it), place it in the
 * cgroup if we must, and serve the protocol until it is about to execve
 * (or is frozen in its cgroup). */
static int exec_start(struct exec_run *x, struct husk_error *err)
{
        const struct husk_exec_opts *o = x->o;
        struct husk_container *c = &x->c;
        struct exec_config ec = {
                .spec = x->spec, .proc = x->proc, .prog = x->prog, .init_pidfd = x->init_pidfd,
                .ns_flags = x->nsflags, .root_fd = x->root_fd, .cgroup = c->cgroup,
                .wait_for_cgroup = x->placed_by_us, .join_cgroup = x->join, .late_cgroup = x->late,
                .sync_fd = x->sock[1], .preserve_fds = o->preserve_fds, .extra_env = o->extra_env,
                .kernel_last_cap = caps_kernel_last(), .initial_userns = x->initial_userns,
        };
        pid_t direct = exec_spawn_direct(&ec, err);
        if (direct < 0)
                return -1;
        if (direct > 0) {
                x->direct = true;
                x->pid = direct;
                x->pidfd = pidfd_open_pid(direct);
        } else if ((x->stage_a = exec_spawn(&ec, err)) < 0) {
                x->stage_a = 0;
                return -1;
        }
        pid_t placed = x->direct ? x->pid : x->stage_a;
        log_phase(&x->t, "spawn", "exec %s: %s forked (pid %d)", o->id, x->direct ? "process" : "exec stage",
                  (int)placed);
        close(TAKE_FD(x->sock[1]));
        if (x->placed_by_us) {
                if (cgroup_add_pid(c->cgroup, placed, o->cgroup, err) < 0 &&
                    (o->cgroup || err->errnum != EBUSY ||
                     cgroup_add_pid_beside_init(c->cgroup, placed, c->st.pid, err) < 0))
                        return -1;
                if (sync_send(x->sock[0], SYNC_CGROUP_DONE, 0, NULL, 0, -1) < 0)
                        return husk_error_sys(err, "sync with exec");
        } else if (o->cgroup && !c->cgroup) {
                return husk_error_not_found(err, "--cgroup: the container has no cgroup");
        }
        x->late_cgroup = x->late ? c->cgroup : NULL;
        x->sub_cgroup = o->cgroup;
        if (sync_serve(x->sock[0], &exec_protocol, x, err) < 0)
                return -1;
        log_phase(&x->t, "exec", "exec %s: process %d joined the container and executed %s", o->id, (int)x->pid,
                  x->proc->args[0]);
        if (o->pid_file && write_pid_file(o->pid_file, x->pid, err) < 0)
                return -1;
        if (o->pidfd_socket && send_pidfd(o->pidfd_socket, x->pid, err) < 0)
                return -1;
        return 0;
}

int container_exec(const struct husk_exec_opts *o, int *exit_code, struct husk_error *err)
{
        *exit_code = 0;
        _cleanup_(fd_held_free) struct fd_held held = { 0 };   /* freed after x */
        _cleanup_(exec_run_free) struct exec_run x = {
                .o = o, .c = { .dirfd = -1 }, .min_fd = 3 + o->preserve_fds, .sfd = -1, .sock = { -1, -1 },
                .init_pidfd = -1, .root_fd = -1, .pidfd = -1, .console = -1, .t = log_clock(),
        };
        int64_t t_all = x.t;
        if (fd_hold_gaps(3, x.min_fd, &held, err) < 0 || container_load(o->root, o->id, false, &x.c, err) < 0)
                return -1;
        log_phase(&x.t, "load", "exec %s: state loaded (init pid %d, %s)", o->id, (int)x.c.st.pid,
                  state_status_name(x.c.status));
        if (exec_load(&x, err) < 0 || exec_prepare(&x, err) < 0 || exec_start(&x, err) < 0) {
                if (x.pid > 0)
                        exec_kill_process(&x, x.direct || (x.sfd >= 0 && x.stage_a == 0));
                return -1;
        }
        log_phase(&t_all, "exec-total", "exec %s: started", o->id);
        if (!o->detach) {
                tty_raw_begin(&x.tty, x.console);
                *exit_code = supervise(x.pid, x.pidfd, x.sfd, x.console, NULL);
                log_phase(&x.t, "wait", "exec %s: process %d exited with %d", o->id, (int)x.pid, *exit_code);
        }
        return 0;
}
