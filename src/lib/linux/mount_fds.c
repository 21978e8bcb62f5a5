/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/mount_fds.h"
#include "linux/rootfs.h"
#include "util/util.h"

static bool any_idmapped(const struct husk_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (rootfs_mount_is_idmapped(&spec->mounts[i]))
                        return true;
        return false;
}

bool mount_fds_needed(const struct husk_spec *spec)
{
        return any_idmapped(spec) || rootfs_needs_bind_sources(spec);
}

int *mount_fds_new(const struct husk_spec *spec)
{
        int *fds = xmalloc((spec->n_mounts ? spec->n_mounts : 1) * sizeof(int));
        for (size_t i = 0; i < spec->n_mounts; i++)
                fds[i] = -1;
        return fds;
}

void mount_fds_free(int *fds, size_t n)
{
        for (size_t i = 0; fds && i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(fds);
}

int mount_fds_open_idmapped(const struct husk_spec *spec, const char *bundle, pid_t userns_pid, int min_fd, int *fds,
                            struct husk_error *err)
{
        _cleanup_close_ int userns = -1;
        if (userns_pid > 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)userns_pid);
                userns = open(path, O_RDONLY | O_CLOEXEC);
                if (userns < 0)
                        return husk_error_sys(err, "open %s", path);
        }
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (!rootfs_mount_is_idmapped(m))
                        continue;
                int fd;
                if (rootfs_open_idmapped_mount(m, userns, bundle, &fd, err) < 0)
                        return husk_error_wrap(err, "mounts[%zu] (%s)", i, m->destination);
                fds[i] = fd_above(fd, min_fd);
        }
        return 0;
}

/* In the forked child: enter the namespace, open and send each source. */
static int open_and_send(const struct husk_spec *spec, const char *bundle, pid_t mntns_pid,
                         int (*send)(void *ctx, size_t index, int fd, struct husk_error *err), void *ctx,
                         struct husk_error *err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)mntns_pid);
        int ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNS) < 0)
                return husk_error_sys(err, "enter the container's mount namespace (%s)", path);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (!rootfs_mount_is_bind(m) || !m->source)
                        continue;
                _cleanup_free_ char *src = rootfs_mount_source(m, bundle);
                _cleanup_close_ int fd = open(src, O_PATH | O_CLOEXEC);
                if (fd < 0)
                        return husk_error_sys(err, "mounts[%zu] (%s): open source %s", i, m->destination, src);
                if (send(ctx, i, fd, err) < 0)
                        return -1;
        }
        return 0;
}

int mount_fds_send_bind_sources(const struct husk_spec *spec, const char *bundle, pid_t mntns_pid,
                                int (*send)(void *ctx, size_t index, int fd, struct husk_error *err), void *ctx,
                                struct husk_error *err)
{
        /* An unprivileged husk can't enter that namespace (setns needs
         * CAP_SYS_ADMIN in our own user namespace) and could open no more
         * than the container's root can: the init opens the sources. */
        if (geteuid() != 0)
                return 0;
        int ep[2];
        if (pipe2(ep, O_CLOEXEC) < 0)
                return husk_error_sys(err, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(ep[0]);
                close(ep[1]);
                return husk_error_sys(err, "fork");
        }
        if (pid == 0) {
                struct husk_error e = { 0 };
                close(ep[0]);
                if (open_and_send(spec, bundle, mntns_pid, send, ctx, &e) == 0)
                        _exit(0);
                (void)write_all(ep[1], &e, sizeof(e));
                _exit(1);
        }
        close(ep[1]);
        struct husk_error e = { 0 };
        ssize_t n = read_all(ep[0], &e, sizeof(e));
        close(ep[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (n == (ssize_t)sizeof(e)) {
                e.msg[sizeof(e.msg) - 1] = '\0';
                *err = e;
                return -1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return husk_error_set(err, 0, "open the bind mount sources: helper failed");
        return 0;
}
