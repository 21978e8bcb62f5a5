/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Idmapped mounts: husk opens a detached, idmapped clone of the source on
 * the host's side (rootfs_open_idmapped_mount), stage 2 attaches it
 * (rootfs_mount_idmapped). Also which mounts are binds and where their
 * sources are. */

#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "config.h"
#include "linux/namespaces.h"
#include "linux/rootfs-internal.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

/* ---- idmapped mounts ---- */

bool rootfs_mount_is_bind(const struct husk_mount *m)
{
        return !rootfs_mount_is_idmapped(m) && mount_says_bind(m);
}

bool rootfs_needs_bind_sources(const struct husk_spec *spec)
{
        if (!spec_has_ns(spec, CLONE_NEWUSER))
                return false;
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (rootfs_mount_is_bind(&spec->mounts[i]) && spec->mounts[i].source)
                        return true;
        return false;
}

char *rootfs_mount_source(const struct husk_mount *m, const char *bundle)
{
        return (m->source[0] != '/' && bundle) ? xasprintf("%s/%s", bundle, m->source) : xstrdup(m->source);
}

bool rootfs_mount_is_idmapped(const struct husk_mount *m)
{
        if (m->n_uid_mappings || m->n_gid_mappings)
                return true;
        for (size_t i = 0; m->options && m->options[i]; i++)
                if (strcmp(m->options[i], "idmap") == 0 || strcmp(m->options[i], "ridmap") == 0)
                        return true;
        return false;
}

/* A user namespace holding the mount's own mappings, made by a short-lived
 * child (the kernel only maps ids of a namespace that has a process). */
static int userns_for_mappings(const struct husk_mount *m, struct husk_error *err)
{
        int sync[2];
        if (!m->n_uid_mappings || !m->n_gid_mappings)
                return husk_error_invalid(err, "uidMappings and gidMappings go together");
        if (pipe2(sync, O_CLOEXEC) < 0)
                return fail(err, errno, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(sync[0]);
                close(sync[1]);
                return fail(err, errno, "fork");
        }
        if (pid == 0) {
                char c = 0;
                close(sync[0]);
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(1);
                (void)!write(sync[1], &c, 1);
                /* Wait for the parent to be done with us (pipe closed). */
                pause();
                _exit(0);
        }
        close(sync[1]);
        char c;
        int fd = -1;
        if (read(sync[0], &c, 1) != 1) {
                fail(err, ECHILD, "create a user namespace");
        } else if (ns_write_idmap_file(pid, "uid_map", m->uid_mappings, m->n_uid_mappings, err) == 0 &&
                   ns_write_idmap_file(pid, "gid_map", m->gid_mappings, m->n_gid_mappings, err) == 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        fail(err, errno, "open %s", path);
        }
        close(sync[0]);
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return fd;
}

int rootfs_open_idmapped_mount(const struct husk_mount *m, int userns_fd, const char *bundle, int *fd,
                               struct husk_error *err)
{
        struct mount_flags mf;
        *fd = -1;
        if (!rootfs_mount_is_idmapped(m))
                return 0;
        if (!m->source)
                return husk_error_invalid(err, "idmapped mount of %s without a source", m->destination);
        if (mount_flags_parse(m->options, &mf, err) < 0)
                return -1;
        bool recursive = (mf.flags & MS_REC) || mf.ridmap;
        mount_flags_free(&mf);

        _cleanup_free_ char *src = rootfs_mount_source(m, bundle);
        _cleanup_close_ int own_userns = -1;
        if (m->n_uid_mappings || m->n_gid_mappings) {
                own_userns = userns_for_mappings(m, err);
                if (own_userns < 0)
                        return husk_error_wrap(err, "idmapped mount of %s", m->destination);
                userns_fd = own_userns;
        }
        if (userns_fd < 0)
                return husk_error_invalid(err, "idmapped mount of %s: no user namespace to map with", m->destination);

        _cleanup_close_ int tree =
                open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
        if (tree < 0)
                return fail(err, errno, "idmapped mount of %s: clone %s", m->destination, src);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return fail(err, errno, "idmapped mount of %s: idmap %s", m->destination, src);
        *fd = TAKE_FD(tree);
        return 0;
}

/* Stage 2's half: attach the detached idmapped mount husk made, then apply
 * the mount's flags as for a bind mount. */
int mount_idmapped(const struct rootfs_ctx *ctx, int tree, const char *dest, const struct mount_flags *mf,
                   unsigned long flags, struct husk_error *err)
{
        struct stat st;
        if (fstat(tree, &st) < 0)
                return fail(err, errno, "stat idmapped mount");
        _cleanup_close_ int fd = bind_target(ctx, dest, S_ISDIR(st.st_mode), false, err);
        if (fd < 0)
                return -1;
        if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return fail_errno(err, errno);
        close(fd);
        fd = -1;
        return finish_bind(ctx, dest, mf, flags, err);
}
