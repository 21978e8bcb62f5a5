/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Into the rootfs: pivot_root (or MS_MOVE + chroot for --no-pivot, chroot
 * without a mount namespace), then the console bind. */

#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "config.h"
#include "linux/rootfs-internal.h"
#include "util/mountinfo.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* pivot */

struct host_pseudo_fs {
        const char *rootfs;
        char **paths;
};

static int collect_host_pseudo_fs(const struct mountinfo *mi, void *data)
{
        struct host_pseudo_fs *h = data;
        if (strcmp(mi->root, "/") != 0 || (strcmp(mi->fstype, "proc") != 0 && strcmp(mi->fstype, "sysfs") != 0) ||
            path_has_prefix(mi->mountpoint, h->rootfs))
                return 0;
        h->paths = strv_append(h->paths, mi->mountpoint);
        return 0;
}

/* --no-pivot: the host's full procfs/sysfs mounts stay reachable in our
 * namespace after chroot, and the kernel's "may this procfs be mounted"
 * check looks at every mount in it: detach (or cover) them first, as runc. */
static int ms_move_root(const char *rootfs, struct husk_error *err)
{
        struct host_pseudo_fs h = { .rootfs = rootfs };
        if (mountinfo_foreach(NULL, collect_host_pseudo_fs, &h, err) < 0)
                return -1;
        _cleanup_strv_ char **paths = h.paths;
        for (size_t i = 0; paths && paths[i]; i++) {
                if (mount("", paths[i], NULL, MS_SLAVE | MS_REC, NULL) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return fail(err, errno, "make %s a slave", paths[i]);
                }
                if (umount2(paths[i], MNT_DETACH) < 0) {
                        if (errno != EINVAL && errno != EPERM)
                                return fail(err, errno, "unmount %s", paths[i]);
                        if (mount("tmpfs", paths[i], "tmpfs", 0, NULL) < 0)
                                return fail(err, errno, "cover %s", paths[i]);
                }
        }
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return fail(err, errno, "move rootfs onto /");
        if (chroot(".") < 0)
                return fail(err, errno, "chroot");
        if (chdir("/") < 0)
                return fail(err, errno, "chdir /");
        return 0;
}

static int pivot(struct husk_error *err)
{
        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0)
                return fail(err, errno, "open /");
        /* pivot_root(".", "."): the old root ends up stacked on top of the
         * new one at "/", where we can detach it without a directory. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return fail(err, errno, "pivot_root");
        if (fchdir(oldroot) < 0)
                return fail(err, errno, "fchdir to old root");
        /* rslave first, so detaching the old root doesn't unmount anything
         * on the host through shared peers. */
        if (mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return fail(err, errno, "make old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
                return fail(err, errno, "detach old root");
        if (chdir("/") < 0)
                return fail(err, errno, "chdir /");
        return 0;
}

/* stdio that pointed at the host's /dev/null now points at ours (runc). */
static void reopen_dev_null(void)
{
        struct stat null_st, st;
        _cleanup_close_ int fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || fstat(fd, &null_st) < 0 || !S_ISCHR(null_st.st_mode))
                return;
        for (int i = 0; i < 3; i++)
                if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev)
                        (void)dup3(fd, i, 0);
}

int rootfs_pivot(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err)
{
        _cleanup_free_ char *rootfs = opts->rootfs ? realpath(opts->rootfs, NULL) : NULL;
        if (!rootfs)
                return fail(err, opts->rootfs ? errno : EINVAL, "rootfs %s", opts->rootfs ? opts->rootfs : "");
        _cleanup_close_ int fd = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fchdir(fd) < 0)
                return fail(err, errno, "chdir to rootfs \"%s\"", rootfs);

        int r;
        if (opts->no_mountns)
                /* pivot_root or MS_MOVE would change the caller's namespace */
                r = chroot(".") < 0 || chdir("/") < 0 ? fail(err, errno, "chroot") : 0;
        else
                r = opts->no_pivot ? ms_move_root(rootfs, err) : pivot(err);
        if (r < 0)
                return husk_error_wrap(err, "jail in rootfs \"%s\"", rootfs);

        if (!dev_is_bind(spec))
                reopen_dev_null();
        return 0;
}

int rootfs_console(const char *slave_path, struct husk_error *err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return fail(err, errno, "open /");
        _cleanup_close_ int dev = mkdir_in_root(root, "/dev", 0755, err);
        if (dev < 0)
                return husk_error_wrap(err, "create /dev/console");

        /* Never through a symlink, never onto procfs/sysfs: the container
         * owns /dev and could point console at a file whose masking or
         * read-only protection the bind would undo (CVE-2025-52565). */
        _cleanup_close_ int fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                int c = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
                if (c < 0)
                        return fail(err, errno, "create /dev/console");
                close(c);
                fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return fail(err, errno, "open /dev/console");
        struct stat st;
        struct statfs sfs;
        if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
                return fail(err, errno, "stat /dev/console");
        if (!(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) || sfs.f_type == PROC_SUPER_MAGIC ||
            sfs.f_type == SYSFS_MAGIC)
                return fail(err, 0, "/dev/console is not a regular file or a device in /dev");
        if (fd_paths_safe("/dev/console", err) < 0)
                return -1;
        if (mount_fd(slave_path, fd, NULL, MS_BIND, NULL) < 0)
                return fail(err, errno, "bind %s onto /dev/console", slave_path);
        return 0;
}

