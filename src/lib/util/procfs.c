/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

/* procfs's root directory inode number (fs/proc/root.c). */
#define PROC_ROOT_INO 1

bool fd_is_procfs(int fd)
{
        struct statfs sfs;
        return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* A procfs instance of our pid namespace that is mounted nowhere: nothing
 * in any rootfs can hide or replace a file of it. -1 where the kernel
 * refuses (before 5.2, or a user namespace that may not mount proc). */
static int private_procfs(void)
{
        _cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -1;
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -1;
        return fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

static int proc_mounted(const char *path, struct husk_error *err)
{
        _cleanup_close_ int root = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root < 0)
                return husk_error_sys(err, "%s: open /proc", path);
        struct statfs sfs;
        struct stat st;
        if (fstatfs(root, &sfs) < 0 || fstat(root, &st) < 0)
                return husk_error_sys(err, "%s: stat /proc", path);
        if (sfs.f_type != PROC_SUPER_MAGIC)
                return husk_error_set(err, 0, "%s: /proc is not a procfs mount (filesystem type 0x%lx), refusing to use it",
                                      path, (unsigned long)sfs.f_type);
        if (st.st_ino != PROC_ROOT_INO)
                return husk_error_set(err, 0, "%s: /proc is not the root of a procfs mount, refusing to use it", path);
        return TAKE_FD(root);
}

static int procfs_root(const char *path, struct husk_error *err)
{
        int fd = private_procfs();
        if (fd >= 0)
                return fd;
        return proc_mounted(path, err);
}

int procfs_verify_mounted(const char *why, struct husk_error *err)
{
        int fd = proc_mounted(why, err);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

/* Mount id of fd (statx), or its device where the kernel has no mount ids:
 * a walk must not cross into anything mounted over a procfs file. */
static int mount_key(int fd, uint64_t *key)
{
        struct statx stx;
        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
                return -1;
        *key = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id
                                             : ((uint64_t)stx.stx_dev_major << 32 | stx.stx_dev_minor);
        return 0;
}

/* Without openat2: one component at a time, each O_NOFOLLOW (a symlink
 * fails with ELOOP), each on the root's mount (EXDEV otherwise). */
static int walk_beneath(int root, const char *rel, int flags)
{
        uint64_t root_key, key;
        _cleanup_free_ char *copy = xstrdup(rel);
        char *save = NULL;
        if (mount_key(root, &root_key) < 0)
                return -1;
        _cleanup_close_ int cur = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -1;
        char *comp = strtok_r(copy, "/", &save);
        while (comp) {
                char *next = strtok_r(NULL, "/", &save);
                int f = next ? O_PATH | O_DIRECTORY : flags;
                int fd = openat(cur, comp, f | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -1;
                close(cur);
                cur = fd;
                if (mount_key(cur, &key) < 0)
                        return -1;
                if (key != root_key) {
                        errno = EXDEV;
                        return -1;
                }
                comp = next;
        }
        return TAKE_FD(cur);
}

static int open_beneath(int root, const char *rel, int flags)
{
        if (!openat2_disabled()) {
                struct open_how how = {
                        .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
                };
                int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
                if (fd >= 0 || errno != ENOSYS)
                        return fd;
        }
        return walk_beneath(root, rel, flags);
}

int procfs_open(const char *path, int flags, struct husk_error *err)
{
        if (strncmp(path, "/proc/", 6) != 0 || strstr(path, "/../") || strstr(path, "/./"))
                return husk_error_invalid(err, "%s: not a path under /proc", path);
        _cleanup_close_ int root = procfs_root(path, err);
        if (root < 0)
                return -1;

        /* "self" and "thread-self" are symlinks: resolve them by hand, in
         * this procfs (which may belong to another pid namespace). */
        const char *rel = path + 6;
        _cleanup_free_ char *spliced = NULL;
        size_t first = strcspn(rel, "/");
        if ((first == 4 && strncmp(rel, "self", 4) == 0) || (first == 11 && strncmp(rel, "thread-self", 11) == 0)) {
                char link[64];
                _cleanup_free_ char *name = xstrndup(rel, first);
                ssize_t n = readlinkat(root, name, link, sizeof(link) - 1);
                if (n <= 0)
                        return husk_error_sys(err, "%s: readlink /proc/%s", path, name);
                link[n] = '\0';
                spliced = xasprintf("%s%s", link, rel + first);
                rel = spliced;
        }

        int fd = open_beneath(root, rel, flags);
        if (fd < 0) {
                if (errno == ELOOP || errno == EXDEV)
                        return husk_error_sys(err, "%s: refusing a symlink or a mount over a procfs file", path);
                return husk_error_sys(err, "open %s", path);
        }
        if (!fd_is_procfs(fd)) {
                close(fd);
                return husk_error_set(err, 0, "%s: not on procfs, refusing to use it", path);
        }
        return fd;
}

int procfs_write(const char *path, const char *data, size_t len, struct husk_error *err)
{
        _cleanup_close_ int fd = procfs_open(path, O_WRONLY, err);
        if (fd < 0)
                return -1;
        if (write_all(fd, data, len) < 0)
                return husk_error_sys(err, "write %s", path);
        return 0;
}

int procfs_read(const char *path, char **out, struct husk_error *err)
{
        _cleanup_close_ int fd = procfs_open(path, O_RDONLY, err);
        if (fd < 0)
                return -1;
        char buf[4096];
        ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return husk_error_sys(err, "read %s", path);
        buf[n] = '\0';
        *out = xstrdup(buf);
        return 0;
}
