/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "init/apply.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/hooks.h"
#include "linux/namespaces.h"
#include "linux/network.h"
#include "linux/sysctls.h"
#include "linux/rootfs.h"
#include "linux/terminal.h"
#include "state/state.h"
#include "util/compat.h"
#include "util/prefault.h"
#include "util/failpoint.h"
#include "util/util.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

/* Fork the next stage and report its pid to husk. The child waits until
 * the report is queued on the sync socket, so husk always learns the pid
 * before any message of the child's; with until_exit, until the parent has
 * exited too (its memory is gone: see prefault_private_pages). sibling
 * (CLONE_PARENT): a child of husk itself, not of this stage. With
 * cgroup_fd >= 0 the child is born in that cgroup2 cgroup when the kernel
 * lets us (*into then true, in both); else it is a plain fork. Returns the
 * pid in the parent (which should exit), 0 in the child. */
pid_t spawn_stage(bool sibling, int cgroup_fd, bool *into, struct husk_error *err)
{
        if (failpoint("clone: stage 2", err) < 0)
                return -1;
        pid_t pid = -1;
        *into = false;
        if (cgroup_fd >= 0) {
                struct clone_args_v2 a = { .flags = CLONE_INTO_CGROUP | (sibling ? CLONE_PARENT : 0),
                                           .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_fd };
                pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
                /* an old kernel (ENOSYS, E2BIG, EINVAL: refused before
                 * anything is allocated): the child writes cgroup.procs.
                 * Anything else (EAGAIN at the pids limit...) is the answer. */
                if (pid < 0 && errno != ENOSYS && errno != E2BIG && errno != EINVAL)
                        return husk_error_sys(err, "clone into the container's cgroup");
                *into = pid >= 0;
        }
        if (pid < 0)
                pid = sibling ? (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0) : fork();
        if (pid < 0)
                return husk_error_sys(err, "fork");
        return pid;
}

pid_t spawn_after_pid_sent(int sock, bool sibling, int cgroup_fd, bool until_exit, bool *into,
                           struct husk_error *err)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return husk_error_sys(err, "pipe");
        pid_t pid = spawn_stage(sibling, cgroup_fd, into, err);
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return -1;
        }
        if (pid == 0) {
                close(p[1]);
                char c;
                ssize_t r;
                /* until_exit: EOF once the parent's exit closed its end,
                 * which the kernel does after it has released its memory */
                while ((r = read(p[0], &c, 1)) != 0 && (until_exit || r < 0))
                        if (r < 0 && errno != EINTR)
                                break;
                close(p[0]);
                return 0;
        }
        close(p[0]);
        if (sync_send(sock, SYNC_PID, pid, NULL, 0, -1) < 0) {
                /* husk would never learn of it: it must not live on */
                husk_error_sys(err, "report the next stage's pid to husk");
                kill(pid, SIGKILL);
                close(p[1]);
                return -1;
        }
        if (!until_exit) {
                (void)write_all(p[1], "1", 1);
                close(p[1]);
        }
        return pid;
}

pid_t fork_after_pid_sent(int sock, bool sibling, struct husk_error *err)
{
        bool into;
        return spawn_after_pid_sent(sock, sibling, -1, false, &into, err);
}

static void stage2(const struct init_config *cfg, bool in_v2);

/* Accept `husk start`'s connection and read its go byte. A connection that
 * closes without one (a start that gave up) is not a go: wait for the next. */
static int wait_for_start(int listener)
{
        for (;;) {
                int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (conn < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        return -1;
                }
                char go;
                ssize_t n;
                do
                        n = read(conn, &go, 1);
                while (n < 0 && errno == EINTR);
                if (n == 1) {
                        close(listener);
                        return conn;
                }
                close(conn);
        }
}

/* After start: the error goes to `husk start` (or our stderr), then exit. */
static _Noreturn void die_started(int conn, struct husk_error *err)
{
        if (write_all(conn, err->msg, strlen(err->msg)) < 0)
                dprintf(2, "husk: %s\n", err->msg);
        _exit(127);
}

void init_child_start(void)
{
        /* Before the container can see us: /proc/<pid>/exe is the husk binary. */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* `husk run`/`exec` block signals to forward them; the container starts clean. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
}

static int on_mount_fd(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        const struct init_config *cfg = ctx;
        (void)sock, (void)err;
        if (cfg->mount_fds && m->value >= 0 && (size_t)m->value < cfg->spec->n_mounts) {
                cfg->mount_fds[m->value] = m->fd;
                m->fd = -1;
        }
        return 0;
}

static int on_mount_fds_done(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        (void)ctx, (void)sock, (void)m, (void)err;
        return 1;
}

/* SYNC_MOUNT_FD messages into cfg->mount_fds, until `done`. */
static int recv_mount_fds(const struct init_config *cfg, int sock, uint32_t done, struct husk_error *err)
{
        const struct sync_handler handlers[] = { { SYNC_MOUNT_FD, on_mount_fd }, { done, on_mount_fds_done } };
        const struct sync_protocol p = { .during = "mount setup", .peer = "husk", .handlers = handlers,
                                         .n_handlers = ARRAY_SIZE(handlers) };
        return sync_serve(sock, &p, (void *)cfg, err);
}

/* Every fd husk had but the preserved ones and those stage 1 and 2 need:
 * the sync socket, the start barrier, one per idmapped mount made before
 * the fork (as many as the spec has mounts), the cgroup's join fds, the
 * failpoint fd. */
static void close_inherited_fds(const struct init_config *cfg)
{
        enum { MAX_CGROUP_FDS = 64 };   /* one per hierarchy, and the kernel has fewer */
        size_t n_mounts = cfg->mount_fds ? cfg->spec->n_mounts : 0;
        _cleanup_free_ int *keep = xmalloc((3 + n_mounts + MAX_CGROUP_FDS) * sizeof(int));
        size_t n = 0;
        keep[n++] = cfg->sync_fd;
        keep[n++] = cfg->start_listener;
        for (size_t i = 0; i < n_mounts; i++)
                if (cfg->mount_fds[i] >= 0)
                        keep[n++] = cfg->mount_fds[i];
        if (cfg->cgroup)
                n += cgroup_join_fds(cfg->cgroup, keep + n, MAX_CGROUP_FDS);
        if (failpoint_fd() >= 0)
                keep[n++] = failpoint_fd();
        close_fds_from(3 + cfg->preserve_fds, keep, n);
}

/* The user namespace: made here, mapped by the parent (SYNC_NEED_IDMAP),
 * which sends the idmapped mounts made for it; then root in it. */
static int enter_new_userns(const struct init_config *cfg, int sock, struct husk_error *err)
{
        /* An unprivileged husk writes our /proc/<pid>/uid_map: that file
         * belongs to root while we are not dumpable. Nothing of the
         * container runs yet; dumpable again once mapped. */
        if (geteuid() != 0)
                prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (unshare(CLONE_NEWUSER) < 0)
                return husk_error_sys(err, "create user namespace");
        if (sync_send(sock, SYNC_NEED_IDMAP, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "user namespace setup");
        /* idmapped mounts made by the parent for this namespace */
        if (recv_mount_fds(cfg, sock, SYNC_IDMAP_DONE, err) < 0)
                return -1;
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* root of the new namespace, if the maps have one */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return husk_error_sys(err, "become root in the user namespace (is uid 0 mapped?)");
        return 0;
}

/* The other new namespaces but the cgroup one (stage 2's, once in its
 * cgroup): time offsets, loopback up, bind sources opened by husk in the
 * new mount namespace. */
static int make_namespaces(const struct init_config *cfg, int sock, int rest, struct husk_error *err)
{
        const struct husk_spec *spec = cfg->spec;
        if (rest && unshare(rest) < 0)
                return husk_error_sys(err, "create namespaces (flags 0x%x)", rest);
        if ((rest & CLONE_NEWTIME) && ns_write_time_offsets(spec, err) < 0)
                return -1;
        if ((rest & CLONE_NEWNET) && net_loopback_up(err) < 0)
                return -1;
        /* Bind sources, opened by husk as root on the host in our new mount
         * namespace: our root may not be able to reach them (runc does so). */
        if (!cfg->mount_fds || !rootfs_needs_bind_sources(spec))
                return 0;
        if (sync_send(sock, SYNC_NEED_BIND_SOURCES, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "ask for the bind mount sources");
        return recv_mount_fds(cfg, sock, SYNC_BIND_SOURCES_DONE, err);
}

static _Noreturn void stage1(const struct init_config *cfg)
{
        const struct husk_spec *spec = cfg->spec;
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;

        init_child_start();
        close_inherited_fds(cfg);

        /* Stage 1 stays in husk's cgroup: what it makes (namespaces, the
         * fork of stage 2: task, stack, page tables) is charged to the
         * runtime, as when runc or crun clone the init. Stage 2 joins the
         * container's cgroup first thing, before it can fork and before its
         * cgroup namespace is made, through the files the parent opened
         * (cgroup_join_prepare). With systemd, the parent starts a scope
         * holding stage 1; wait for it. */
        if (cfg->cgroup && cgroup_is_systemd(cfg->cgroup) && sync_wait_for(sock, SYNC_CGROUP_DONE, &err) < 0)
                _exit(1);       /* the parent knows why */
        int flags = ns_new_flags(spec);
        if (ns_join_all(spec, &err) < 0 || ((flags & CLONE_NEWUSER) && enter_new_userns(cfg, sock, &err) < 0) ||
            make_namespaces(cfg, sock, flags & ~(CLONE_NEWUSER | CLONE_NEWCGROUP), &err) < 0)
                sync_die(sock, &err);

        /* Stage 2 writes to pages it shares with husk: their copies would be
         * charged to the container. Copy them here, outside its cgroup;
         * once we have exited, stage 2 has them to itself. */
        prefault_private_pages(32 * 1024);
        bool in_v2 = false;
        /* Not from a new user namespace: clone3 would fail the cgroup's
         * permission check there after taking the new pid namespace's first
         * pid, which leaves that namespace unable to fork at all (ENOMEM).
         * Stage 2 then writes cgroup.procs through the parent's fd. */
        int cgfd = cfg->cgroup && !cgroup_is_systemd(cfg->cgroup) && !(flags & CLONE_NEWUSER)
                           ? cgroup_v2_fd(cfg->cgroup)
                           : -1;
        pid_t pid = spawn_after_pid_sent(sock, cfg->child_of_husk, cgfd, true, &in_v2, &err);
        if (pid < 0)
                sync_die(sock, &err);
        if (pid == 0)
                stage2(cfg, in_v2);
        _exit(0);
}

static int setup_terminal(const struct init_config *cfg, struct husk_error *err)
{
        const struct husk_process *p = cfg->spec->process;
        int master = -1;
        _cleanup_free_ char *slave = NULL;
        if (terminal_open_pty(&master, &slave, err) < 0)
                return -1;
        int r = sync_send(cfg->sync_fd, SYNC_CONSOLE, 0, slave, strlen(slave), master);
        close(master);
        if (r < 0)
                return husk_error_sys(err, "send the console to husk");
        if (rootfs_console(slave, err) < 0)
                return -1;
        return terminal_become_console(slave, p->has_console_size, (uint16_t)p->console_height,
                                       (uint16_t)p->console_width, err);
}

/* Where stage 2 joins the container's cgroup: first thing, or, when
 * join_late() holds, once the root filesystem is made. Late, the kernel
 * objects of the mounts (mounts, superblocks, dentries, inodes: about 64
 * KiB for runc's default spec on cgroup v1, the masked paths included) are
 * charged to husk, as the namespaces stage 1 makes are, and `run` of
 * /bin/true works under about 128 KiB instead of 192. Never later than
 * what must see the init in its cgroup: the parent's stop (prestart and
 * createRuntime hooks; nvidia's reads /proc/PID/cgroup), createContainer
 * hooks, and apply_prepare (cpuset then CPU affinity, rlimits, the user). */
struct cgroup_join {
        bool in_v2;                     /* cloned into the cgroup2 cgroup */
        bool done;
        struct cgroup_own *view;        /* late: the hierarchies once joined */
        size_t n_view;
};

static bool has_tmpcopyup(const struct husk_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                for (char **o = spec->mounts[i].options; o && *o; o++)
                        if (strcmp(*o, "tmpcopyup") == 0)
                                return true;
        return false;
}

/* Only where it is known what the cgroup mount will show, and nothing made
 * before the join holds the container's data: cgroup v1 memory (on pure v2
 * stage 2 is cloned into its cgroup), the cgroupfs driver (with systemd
 * stage 1 is in the scope already), not rootless, no cgroup or user
 * namespace (a cgroupns is made once in the cgroup, and its cgroup mount
 * after), no tmpcopyup (the copy is the container's data). */
static bool join_late(const struct init_config *cfg, struct cgroup_join *j)
{
        const struct husk_spec *spec = cfg->spec;
        if (!cfg->cgroup || cgroup_manager_layout(cfg->cgroup) == CGROUP_LAYOUT_V2 ||
            spec_has_namespace(spec, CLONE_NEWCGROUP) || spec_has_namespace(spec, CLONE_NEWUSER) ||
            has_tmpcopyup(spec))
                return false;
        return cgroup_joined_view(cfg->cgroup, &j->view, &j->n_view) == 0;
}

/* Into the container's cgroup through the files the parent opened, then
 * the cgroup namespace (its root is that cgroup). Once. */
static int join_cgroup(const struct init_config *cfg, struct cgroup_join *j, struct husk_error *err)
{
        if (j->done)
                return 0;
        j->done = true;
        if (cfg->cgroup) {
                if (cgroup_join_prepared(cfg->cgroup, j->in_v2, err) < 0)
                        return -1;
                /* gone before anything else: the cgroup2 dir fd leads to the
                 * host's hierarchy with openat("..") */
                int fds[64];
                size_t n = cgroup_join_fds(cfg->cgroup, fds, ARRAY_SIZE(fds));
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
        }
        if ((ns_new_flags(cfg->spec) & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return husk_error_sys(err, "create the cgroup namespace");
        return 0;
}

/* A session of our own (and a session keyring), hostname, domainname. */
static int set_identity(const struct init_config *cfg, struct husk_error *err)
{
        const struct husk_spec *spec = cfg->spec;
        if (setsid() < 0)
                return husk_error_sys(err, "setsid");
        char keyring[1100];
        snprintf(keyring, sizeof(keyring), "_ses.%s", cfg->id);
        if (!cfg->no_new_keyring &&
            syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, keyring) < 0 && errno != ENOSYS && errno != EACCES)
                return husk_error_sys(err, "join a new session keyring");
        if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return husk_error_sys(err, "hostname: set \"%s\"", spec->hostname);
        if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return husk_error_sys(err, "domainname: set \"%s\"", spec->domainname);
        return 0;
}

/* prestart and createRuntime (and what else the parent does at this stop)
 * run in the parent, now. Nothing to do there: no round trip (two context
 * switches fewer per create). -1: the parent failed (it knows why). */
static int stop_for_parent(const struct init_config *cfg, struct husk_error *err)
{
        if (!cfg->stop_for_parent)
                return 0;
        if (sync_send(cfg->sync_fd, SYNC_HOOKS, 0, NULL, 0, -1) < 0)
                return -1;
        return sync_wait_for(cfg->sync_fd, SYNC_HOOKS_DONE, err);
}

/* createContainer and startContainer hooks run in the container's
 * namespaces: their state has the pid as the container sees it (the
 * runtime-spec's rule; runc gives its init's getpid() too). */
static int run_container_hooks(const struct init_config *cfg, enum husk_hook_kind hook, enum husk_status status,
                               const char *cwd, struct husk_error *err)
{
        if (!cfg->spec->hooks[hook].n)
                return 0;
        _cleanup_free_ char *json = state_hook_json(cfg->id, getpid(), cfg->bundle, cfg->spec, status);
        return hooks_run(cfg->spec, hook, json, cwd, err);
}

/* The root filesystem from the mounts to the pivot and its final flags,
 * with createContainer hooks and the console in between, as runc orders
 * them. */
static int make_rootfs(const struct init_config *cfg, struct rootfs_opts *ro, struct cgroup_join *j,
                       struct husk_error *err)
{
        const struct husk_spec *spec = cfg->spec;
        const struct husk_process *proc = spec->process;
        if (rootfs_prepare(spec, ro, err) < 0)
                return -1;
        /* host fds: none may reach the container */
        for (size_t i = 0; cfg->mount_fds && i < spec->n_mounts; i++)
                if (cfg->mount_fds[i] >= 0) {
                        close(cfg->mount_fds[i]);
                        cfg->mount_fds[i] = -1;
                }
        if ((cfg->stop_for_parent || spec->hooks[HUSK_HOOK_CREATE_CONTAINER].n) && join_cgroup(cfg, j, err) < 0)
                return -1;
        if (stop_for_parent(cfg, err) < 0)
                _exit(1);       /* the parent failed and knows why */
        /* as runc: in the rootfs (not yet pivoted), so hooks can write
         * ./lib/... relative to it */
        if (run_container_hooks(cfg, HUSK_HOOK_CREATE_CONTAINER, HUSK_STATUS_CREATING, cfg->rootfs, err) < 0)
                return -1;
        if (rootfs_pivot(spec, ro, err) < 0 || (proc->terminal && setup_terminal(cfg, err) < 0))
                return -1;
        /* sysctl before finalize: readonlyPaths make /proc/sys read-only */
        if (spec->linux && sysctl_apply(spec->linux->sysctl, spec->linux->n_sysctl, err) < 0)
                return -1;
        /* A missing process.cwd is created before root.readonly (as runc). */
        if (mkdir_p(proc->cwd, 0755, err) < 0)
                return husk_error_wrap(err, "process.cwd");
        return rootfs_finalize(spec, ro, err);
}

static void stage2(const struct init_config *cfg, bool in_v2)
{
        const struct husk_spec *spec = cfg->spec;
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;
        struct rootfs_opts ro = {
                .rootfs = cfg->rootfs,
                .userns = spec_has_namespace(spec, CLONE_NEWUSER),
                .cgroupns = spec_has_namespace(spec, CLONE_NEWCGROUP),
                .no_pivot = cfg->no_pivot,
                .no_mountns = !spec_has_namespace(spec, CLONE_NEWNS),
                .bundle = cfg->bundle,
                .mount_fds = cfg->mount_fds,
                .cgroup_mounts = cgroup_manager_mounts(cfg->cgroup),
        };
        struct apply_ctx ac = { .proc = spec->process, .spec = spec, .prog = cfg->seccomp,
                                .extra_env = cfg->extra_env, .create_cwd = true,
                                .kernel_last_cap = cfg->kernel_last_cap, .initial_userns = cfg->initial_userns };
        struct cgroup_join j = { .in_v2 = in_v2 };
        if (join_late(cfg, &j)) {
                ro.cgroup_view = j.view;
                ro.n_cgroup_view = j.n_view;
        } else if (join_cgroup(cfg, &j, &err) < 0) {
                sync_die(sock, &err);
        }
        if (set_identity(cfg, &err) < 0 || make_rootfs(cfg, &ro, &j, &err) < 0 || join_cgroup(cfg, &j, &err) < 0 ||
            apply_prepare(&ac, sock, cfg->preserve_fds, &err) < 0)
                sync_die(sock, &err);

        if (sync_send(sock, SYNC_READY, 0, NULL, 0, -1) < 0)
                _exit(1);
        close(sock);

        /* The create/start barrier: wait for `husk start` to connect to
         * exec.sock and say go. The connection stays open (close-on-exec)
         * until execve, so `start` returns only once the process runs, and
         * an error from here on reaches it as text. */
        int conn = wait_for_start(cfg->start_listener);
        if (conn < 0)
                _exit(1);

        /* startContainer hooks run under the process's seccomp filter, as
         * in runc (with no_new_privs it is otherwise loaded just before
         * execve) */
        if (spec->hooks[HUSK_HOOK_START_CONTAINER].n && apply_seccomp_now(&ac, &err) < 0)
                die_started(conn, &err);
        if (run_container_hooks(cfg, HUSK_HOOK_START_CONTAINER, HUSK_STATUS_CREATED, NULL, &err) < 0)
                die_started(conn, &err);
        apply_exec(&ac, &err);
        die_started(conn, &err);
}

pid_t init_spawn(const struct init_config *cfg, struct husk_error *err)
{
        if (failpoint("clone: stage 1", err) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return husk_error_sys(err, "fork");
        if (pid == 0)
                stage1(cfg);
        return pid;
}
