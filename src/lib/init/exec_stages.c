/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "init/apply.h"
#include "init/exec_stages.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/terminal.h"
#include "util/util.h"

/* joined: A joined already (a cgroup namespace to enter, see stage_a) */
static _Noreturn void stage_b(const struct exec_config *cfg, bool in_v2, bool joined)
{
        const struct husk_process *proc = cfg->proc;
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;

        /* Join first, before anything can fork: through the files husk
         * opened (the host's cgroup files are not in this mount namespace),
         * then close them (the cgroup2 dir fd leads to the host's tree). */
        if (cfg->join_cgroup) {
                if (!joined && cgroup_join_prepared(cfg->cgroup, in_v2, &err) < 0)
                        sync_die(sock, &err);
                int fds[64];
                size_t n = cgroup_join_fds(cfg->cgroup, fds, ARRAY_SIZE(fds));
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
        }

        if (proc->terminal) {
                /* the container's own devpts: we are in its mount namespace */
                int master = -1;
                _cleanup_free_ char *slave = NULL;
                if (setsid() < 0) {
                        husk_error_sys(&err, "setsid");
                        sync_die(sock, &err);
                }
                if (terminal_open_pty(&master, &slave, &err) < 0)
                        sync_die(sock, &err);
                int r = sync_send(sock, SYNC_CONSOLE, 0, slave, strlen(slave), master);
                close(master);
                if (r < 0)
                        _exit(1);
                if (terminal_become_console(slave, proc->has_console_size, (uint16_t)proc->console_height,
                                            (uint16_t)proc->console_width, &err) < 0)
                        sync_die(sock, &err);
        }
        struct apply_ctx ac = { .proc = proc, .spec = cfg->spec, .prog = cfg->prog, .extra_env = cfg->extra_env,
                                .kernel_last_cap = cfg->kernel_last_cap, .initial_userns = cfg->initial_userns };
        if (apply_prepare(&ac, sock, cfg->preserve_fds, &err) < 0)
                sync_die(sock, &err);
        /* The sync socket closes on exec: husk reads EOF as success, and an
         * error message if execve fails. */
        if (sync_send(sock, SYNC_READY, 0, NULL, 0, -1) < 0)
                _exit(1);
        /* late_cgroup: husk moves us into the (frozen) cgroup now; we go on when thawed */
        if (cfg->late_cgroup && sync_wait_for(sock, SYNC_CGROUP_DONE, &err) < 0)
                _exit(1);
        apply_exec(&ac, &err);
        sync_die(sock, &err);
}

/* The first steps of a stage forked by husk: non-dumpable, clean
 * signals, only the fds it needs. */
static void stage_start(const struct exec_config *cfg)
{
        init_child_start();
        int keep[64] = { cfg->sync_fd, cfg->init_pidfd, cfg->root_fd };
        size_t nkeep = 3;
        if (cfg->join_cgroup)
                nkeep += cgroup_join_fds(cfg->cgroup, keep + nkeep, ARRAY_SIZE(keep) - nkeep);
        close_fds_from(3 + cfg->preserve_fds, keep, nkeep);
}

/* Every namespace of the init in one step (flags), then its root. */
static void join_init(const struct exec_config *cfg, int flags)
{
        struct husk_error err = { 0 };
        if (flags && setns(cfg->init_pidfd, flags) < 0) {
                if (errno == ESRCH)
                        husk_error_state(&err, "cannot exec in a stopped container");
                else
                        husk_error_sys(&err, "join the container's namespaces");
                sync_die(cfg->sync_fd, &err);
        }
        close(cfg->init_pidfd);
        /* No mount namespace of its own: the container's root is a chroot
         * in ours; take the init's. */
        if (cfg->root_fd >= 0 && (fchdir(cfg->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)) {
                husk_error_sys(&err, "chroot into the container's root");
                sync_die(cfg->sync_fd, &err);
        }
}

static _Noreturn void stage_a(const struct exec_config *cfg)
{
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;

        stage_start(cfg);

        /* join_cgroup: B joins (or is cloned into cgroup2's cgroup, which
         * saves the RCU grace period a cgroup.procs write waits for after
         * idle: 10-18 ms here). late_cgroup: husk moves B at the end. */
        if (cfg->wait_for_cgroup && sync_wait_for(sock, SYNC_CGROUP_DONE, &err) < 0)
                _exit(1);
        /* Where cgroup2 is mounted with nsdelegate (systemd mounts it so),
         * the kernel lets a process move another into a cgroup only when
         * its cgroup namespace shows both cgroups: from inside the
         * container's it sees only the container's (ENOENT). With a cgroup
         * namespace to enter, A joins first, from outside, and B inherits
         * the cgroup (a cgroup.procs write, not clone3's cheaper way). */
        bool joined = false;
        if (cfg->join_cgroup && (cfg->ns_flags & CLONE_NEWCGROUP)) {
                if (cgroup_join_prepared(cfg->cgroup, false, &err) < 0)
                        sync_die(sock, &err);
                joined = true;
        }
        /* Every namespace of the init in one step: no half-joined state. */
        join_init(cfg, cfg->ns_flags);
        /* not from the container's user namespace: the cgroup's permission
         * check would fail there; B then writes cgroup.procs */
        int cgfd = cfg->join_cgroup && !joined && !(cfg->ns_flags & CLONE_NEWUSER) ? cgroup_v2_fd(cfg->cgroup) : -1;
        bool in_v2 = false;
        pid_t pid = spawn_after_pid_sent(sock, false, cgfd, false, &in_v2, &err);
        if (pid < 0)
                sync_die(sock, &err);
        if (pid == 0)
                stage_b(cfg, in_v2, joined);
        _exit(0);
}

/* B cloned by husk itself (exec_spawn_direct): what stage A does first,
 * then B's work. */
static _Noreturn void stage_b_direct(const struct exec_config *cfg, bool in_v2)
{
        struct husk_error err = { 0 };
        stage_start(cfg);
        if (cfg->wait_for_cgroup && sync_wait_for(cfg->sync_fd, SYNC_CGROUP_DONE, &err) < 0)
                _exit(1);
        /* Into the cgroup before anything can fork, and from outside the
         * container's cgroup namespace (nsdelegate: see stage_a). */
        if (cfg->join_cgroup && cgroup_join_prepared(cfg->cgroup, in_v2, &err) < 0)
                sync_die(cfg->sync_fd, &err);
        join_init(cfg, cfg->ns_flags & ~CLONE_NEWPID);
        stage_b(cfg, in_v2, true);
}

pid_t exec_spawn_direct(const struct exec_config *cfg, struct husk_error *err)
{
        if (cfg->ns_flags & CLONE_NEWUSER)
                return 0;
        /* Our children are born in the container's pid namespace until B
         * is cloned (ours stays ours), then in ours again: a program using
         * libhusk forks on. Where we may not (a rootless husk), stage A
         * does it after joining. */
        _cleanup_close_ int own_pidns = -1;
        if (cfg->ns_flags & CLONE_NEWPID) {
                /* above the preserved fds: B keeps those (not this one) */
                own_pidns = fd_above(pidfd_open_pid(getpid()), 3 + cfg->preserve_fds);
                /* Can we come back? Not where our own pid namespace's
                 * owner is not ours (husk in rootless podman's user
                 * namespace): the same check as the way back, a no-op. */
                if (own_pidns < 0 || setns(own_pidns, CLONE_NEWPID) < 0)
                        return 0;
                if (setns(cfg->init_pidfd, CLONE_NEWPID) < 0) {
                        if (errno == ESRCH)
                                return husk_error_state(err, "cannot exec in a stopped container");
                        return 0;
                }
        }
        /* from husk's own user namespace: the cgroup's permission check passes */
        int cgfd = cfg->join_cgroup ? cgroup_v2_fd(cfg->cgroup) : -1;
        /* B is born in the container's pid namespace, visible there: born
         * non-dumpable too (the flag is the memory map's, copied by fork),
         * or a process of the container running as root could ptrace it or
         * open its /proc files before B's own prctl. Ours back after. */
        int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        pid_t pid = -1;
        bool in_v2 = false;
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                husk_error_sys(err, "prctl(PR_SET_DUMPABLE)");
        else
                pid = spawn_stage(false, cgfd, &in_v2, err);
        if (pid == 0)
                stage_b_direct(cfg, in_v2);
        if (dumpable == 1)
                prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0) {
                husk_error_sys(err, "return to husk's own pid namespace");
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return -1;
        }
        return pid;
}

pid_t exec_spawn(const struct exec_config *cfg, struct husk_error *err)
{
        pid_t pid = fork();
        if (pid < 0)
                return husk_error_sys(err, "fork");
        if (pid == 0)
                stage_a(cfg);
        return pid;
}
