/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "init/apply.h"
#include "init/exec.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/terminal.h"
#include "util/util.h"

static _Noreturn void stage_b(const struct exec_config *cfg)
{
        const struct husk_process *proc = cfg->proc;
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;

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
        struct apply_ctx ac = { .proc = proc, .spec = cfg->spec, .prog = cfg->prog, .extra_env = cfg->extra_env };
        if (apply_prepare(&ac, sock, cfg->preserve_fds, &err) < 0)
                sync_die(sock, &err);
        /* The sync socket closes on exec: husk reads EOF as success, and an
         * error message if execve fails. */
        if (sync_send(sock, SYNC_READY, 0, NULL, 0, -1) < 0)
                _exit(1);
        if (cfg->late_cgroup) {
                /* husk moves us into the (frozen) cgroup now; we go on when thawed */
                struct sync_msg m;
                if (sync_expect(sock, SYNC_CGROUP_DONE, &m, &err) < 0)
                        _exit(1);
                sync_msg_free(&m);
        }
        apply_exec(&ac, &err);
        sync_die(sock, &err);
}

static _Noreturn void stage_a(const struct exec_config *cfg)
{
        struct husk_error err = { 0 };
        int sock = cfg->sync_fd;

        init_child_start();
        int keep[] = { cfg->sync_fd, cfg->init_pidfd, cfg->root_fd };
        close_fds_from(3 + cfg->preserve_fds, keep, ARRAY_SIZE(keep));

        /* The cgroup first: its files are the host's, out of reach once we
         * are in the container's mount namespace. */
        if (cfg->late_cgroup) {
                /* B joins at the end */
        } else if (cfg->wait_for_cgroup) {
                struct sync_msg m;
                if (sync_expect(sock, SYNC_CGROUP_DONE, &m, &err) < 0)
                        _exit(1);
                sync_msg_free(&m);
        } else if (cfg->cgroup && cgroup_enter_self(cfg->cgroup, &err) < 0) {
                sync_die(sock, &err);
        }
        /* Every namespace of the init in one step: no half-joined state. */
        if (cfg->ns_flags && setns(cfg->init_pidfd, cfg->ns_flags) < 0) {
                if (errno == ESRCH)
                        husk_error_set(&err, 0, "cannot exec in a stopped container");
                else
                        husk_error_sys(&err, "join the container's namespaces");
                sync_die(sock, &err);
        }
        close(cfg->init_pidfd);
        /* No mount namespace of its own: the container's root is a chroot
         * in ours; take the init's. */
        if (cfg->root_fd >= 0 && (fchdir(cfg->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)) {
                husk_error_sys(&err, "chroot into the container's root");
                sync_die(sock, &err);
        }
        pid_t pid = fork_after_pid_sent(sock, false, &err);
        if (pid < 0)
                sync_die(sock, &err);
        if (pid == 0)
                stage_b(cfg);
        _exit(0);
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
