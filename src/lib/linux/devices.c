/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /dev inside the rootfs: device nodes (mknod, or bind mounts from the host
 * in a user namespace, where mknod is refused), /dev/ptmx and the
 * /proc/self/fd symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/rootfs.h"
#include "util/path.h"
#include "util/util.h"

/* The devices every container gets (runc's AllowedDevices with a path). */
static const struct husk_device default_devices[] = {
        { .path = (char *)"/dev/null", .type = 'c', .major = 1, .minor = 3 },
        { .path = (char *)"/dev/zero", .type = 'c', .major = 1, .minor = 5 },
        { .path = (char *)"/dev/full", .type = 'c', .major = 1, .minor = 7 },
        { .path = (char *)"/dev/random", .type = 'c', .major = 1, .minor = 8 },
        { .path = (char *)"/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
        { .path = (char *)"/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

/* Bind the host's node at the same path onto an empty file in the rootfs. */
static int bind_device(int root_fd, const struct husk_device *d, struct husk_error *err)
{
        _cleanup_close_ int fd = mkfile_in_root(root_fd, d->path, 0666, err);
        if (fd < 0)
                return -1;
        char p[32];
        if (mount(d->path, fd_path(fd, p), "bind", MS_BIND, NULL) < 0)
                return husk_error_sys(err, "bind device %s", d->path);
        return 0;
}

static int create_device(int root_fd, const struct husk_device *d, bool userns, struct husk_error *err)
{
        mode_t type;

        switch (d->type) {
        case 'c':
        case 'u':
                type = S_IFCHR;
                break;
        case 'b':
                type = S_IFBLK;
                break;
        case 'p':
                type = S_IFIFO;
                break;
        default:
                return husk_error_invalid(err, "device %s: type '%c' is not c, u, b or p", d->path, d->type);
        }
        if (userns)
                return bind_device(root_fd, d, err);

        _cleanup_free_ char *copy = xstrdup(d->path);
        char *slash = strrchr(copy, '/');
        const char *name = slash ? slash + 1 : copy;
        if (slash)
                *slash = '\0';
        if (!*name)
                return husk_error_invalid(err, "device path %s: no file name", d->path);
        _cleanup_close_ int dir = mkdir_in_root(root_fd, copy, 0755, err);
        if (dir < 0)
                return -1;

        mode_t perm = d->file_mode.set ? (mode_t)(d->file_mode.v & 07777) : 0666;
        dev_t dev = type == S_IFIFO ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
        if (mknodat(dir, name, type | perm, dev) < 0) {
                if (errno == EEXIST)
                        return 0; /* the rootfs has one: keep it (runc) */
                if (errno == EPERM)
                        return bind_device(root_fd, d, err);
                return husk_error_sys(err, "mknod %s", d->path);
        }
        uid_t uid = d->uid.set ? (uid_t)d->uid.v : 0;
        gid_t gid = d->gid.set ? (gid_t)d->gid.v : 0;
        if (fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return husk_error_sys(err, "chown %s", d->path);
        return 0;
}

static bool spec_has_device(const struct husk_spec *spec, const char *path)
{
        for (size_t i = 0; spec->linux && i < spec->linux->n_devices; i++)
                if (spec->linux->devices[i].path && strcmp(spec->linux->devices[i].path, path) == 0)
                        return true;
        return false;
}

static int dev_symlinks(int dev_fd, struct husk_error *err)
{
        static const char *const links[][2] = {
                { "/proc/self/fd", "fd" },
                { "/proc/self/fd/0", "stdin" },
                { "/proc/self/fd/1", "stdout" },
                { "/proc/self/fd/2", "stderr" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][0], dev_fd, links[i][1]) < 0 && errno != EEXIST)
                        return husk_error_sys(err, "symlink /dev/%s", links[i][1]);
        /* Only where the kernel has CONFIG_PROC_KCORE (runc). */
        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev_fd, "core") < 0 && errno != EEXIST)
                return husk_error_sys(err, "symlink /dev/core");

        /* /dev/ptmx is the devpts instance's multiplexer. */
        if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT)
                return husk_error_sys(err, "remove /dev/ptmx");
        if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0)
                return husk_error_sys(err, "symlink /dev/ptmx");
        return 0;
}

int rootfs_setup_dev(int root_fd, const struct husk_spec *spec, bool userns, struct husk_error *err)
{
        mode_t old = umask(0);
        int r = 0;

        for (size_t i = 0; r == 0 && spec->linux && i < spec->linux->n_devices; i++)
                if (spec->linux->devices[i].path)
                        r = create_device(root_fd, &spec->linux->devices[i], userns, err);
        for (size_t i = 0; r == 0 && i < ARRAY_SIZE(default_devices); i++)
                if (!spec_has_device(spec, default_devices[i].path))
                        r = create_device(root_fd, &default_devices[i], userns, err);
        umask(old);
        if (r < 0)
                return husk_error_wrap(err, "create devices");

        _cleanup_close_ int dev_fd = mkdir_in_root(root_fd, "/dev", 0755, err);
        if (dev_fd < 0)
                return husk_error_wrap(err, "/dev");
        if (dev_symlinks(dev_fd, err) < 0)
                return husk_error_wrap(err, "set up /dev");
        return 0;
}
