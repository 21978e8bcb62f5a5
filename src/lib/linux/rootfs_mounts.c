/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spec mounts by kind: bind, tmpfs (with tmpcopyup), plain filesystems
 * (proc, sysfs, mqueue, devpts, ...), each on a target resolved inside the
 * rootfs, then their flags, propagation and recursive attributes. */

#include <dirent.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>

#include "config.h"
#include "linux/rootfs-internal.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

int apply_propagation_and_attrs(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                                struct husk_error *err)
{
        if (!mf->propagation && !mf->rec_attr)
                return 0;
        /* Re-resolve: the fd we mounted on is the directory under the new
         * mount, not the mount itself. */
        _cleanup_close_ int fd = open_in_root(ctx->root_fd, dest, O_PATH, err);
        if (fd < 0)
                return -1;
        if (mf->propagation && mount_fd(NULL, fd, NULL, mf->propagation, NULL) < 0)
                return fail(err, errno, "set propagation");
        if (mf->rec_attr) {
                struct mount_attr attr = { .attr_set = mf->attr_set, .attr_clr = mf->attr_clr };
                if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                        return fail(err, errno, "mount_setattr");
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* mounts */

/* runc refuses mounts inside /proc except a few files that lxcfs-like
 * tools emulate; /proc itself only takes a procfs. `p` is a path inside the
 * rootfs: checked as written before anything is created, and again as
 * resolved (a symlink could lead into /proc). */
static int check_proc_path(const char *p, bool is_proc, struct husk_error *err)
{
        static const char *const allowed[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
                "/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo",
                "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
        };
        if (!p || !path_has_prefix(p, "/proc"))
                return 0;
        if (strcmp(p, "/proc") == 0) {
                if (is_proc)
                        return 0;
                return fail(err, 0, "%s cannot be mounted because it is not of type proc", p);
        }
        for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
                if (strcmp(p, allowed[i]) == 0)
                        return 0;
        return fail(err, 0, "%s cannot be mounted because it is inside /proc", p);
}

static int check_proc_dest(const struct rootfs_ctx *ctx, int fd, bool is_proc, struct husk_error *err)
{
        _cleanup_free_ char *p = fd_path_in_root(ctx, fd);
        return check_proc_path(p, is_proc, err);
}

/* After a bind (or an idmapped tree) lands on dest: a bind mount ignores
 * flags, so a remount applies them; then propagation and recursive attrs. */
int finish_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                unsigned long flags, struct husk_error *err)
{
        if (flags & ~(MS_REC | MS_REMOUNT | MS_BIND)) {
                _cleanup_close_ int fd = open_in_root(ctx->root_fd, dest, O_PATH, err);
                if (fd < 0)
                        return -1;
                if (bind_remount(fd, flags, mf->clear, ctx->opts->userns) < 0)
                        return fail(err, errno, "remount");
        }
        return apply_propagation_and_attrs(ctx, dest, mf, err);
}

/* The mount point of a bind (or an attached idmapped tree) at dest: checked
 * against /proc as written, made a directory or a file like what goes on
 * it, checked again as resolved. An O_PATH fd, or -1. */
int bind_target(const struct rootfs_ctx *ctx, const char *dest, bool dir, bool src_proc, struct husk_error *err)
{
        if (check_proc_path(dest, src_proc, err) < 0)
                return -1;
        _cleanup_close_ int fd = dir ? mkdir_in_root(ctx->root_fd, dest, 0755, err)
                                     : mkfile_in_root(ctx->root_fd, dest, 0755, err);
        if (fd < 0 || check_proc_dest(ctx, fd, src_proc, err) < 0)
                return -1;
        return TAKE_FD(fd);
}

int mount_bind(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
               unsigned long flags, struct husk_error *err)
{
        struct stat st;
        struct statfs sfs;
        if (stat(source, &st) < 0)
                return fail(err, errno, "stat source");
        bool src_proc = statfs(source, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
        _cleanup_close_ int fd = bind_target(ctx, dest, S_ISDIR(st.st_mode), src_proc, err);
        if (fd < 0)
                return -1;
        if (mount_fd(source, fd, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
                return fail_errno(err, errno);
        close(fd);
        fd = -1;

        return finish_bind(ctx, dest, mf, flags, err);
}

/* Copy the tree at src_fd into dst_fd (tmpcopyup): contents, modes, owners. */
static int copy_tree(int src_fd, int dst_fd, struct husk_error *err)
{
        int dup_fd = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0)
                return fail(err, errno, "tmpcopyup: open source");
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                close(dup_fd);
                return fail(err, errno, "tmpcopyup: opendir");
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                const char *n = de->d_name;
                struct stat st;
                if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
                        continue;
                if (fstatat(src_fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = fail(err, errno, "tmpcopyup: stat %s", n);
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (mkdirat(dst_fd, n, st.st_mode & 07777) < 0 && errno != EEXIST) {
                                r = fail(err, errno, "tmpcopyup: mkdir %s", n);
                                break;
                        }
                        _cleanup_close_ int s = openat(src_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int t = openat(dst_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s < 0 || t < 0) {
                                r = fail(err, errno, "tmpcopyup: open %s", n);
                                break;
                        }
                        r = copy_tree(s, t, err);
                } else if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int s = openat(src_fd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int t =
                                openat(dst_fd, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
                        if (s < 0 || t < 0) {
                                r = fail(err, errno, "tmpcopyup: open %s", n);
                                break;
                        }
                        /* In-kernel copy: no buffer on this recursive stack. */
                        ssize_t k;
                        while ((k = sendfile(t, s, NULL, 1 << 30)) > 0)
                                ;
                        if (k != 0) {
                                r = fail(err, errno, "tmpcopyup: copy %s", n);
                                break;
                        }
                } else if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t k = readlinkat(src_fd, n, target, sizeof(target) - 1);
                        if (k < 0 || (target[k] = '\0', symlinkat(target, dst_fd, n) < 0)) {
                                r = fail(err, errno, "tmpcopyup: symlink %s", n);
                                break;
                        }
                } else if (mknodat(dst_fd, n, st.st_mode, st.st_rdev) < 0) {
                        r = fail(err, errno, "tmpcopyup: mknod %s", n);
                        break;
                }
                if (fchownat(dst_fd, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM &&
                    errno != EINVAL) {
                        r = fail(err, errno, "tmpcopyup: chown %s", n);
                        break;
                }
                if (!S_ISLNK(st.st_mode))
                        (void)fchmodat(dst_fd, n, st.st_mode & 07777, 0);
        }
        closedir(d);
        return r;
}

/* Whether a comma-separated mount data string has option `name`=... */
static bool data_has_option(const char *data, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = data; p && *p;) {
                if (strncmp(p, name, n) == 0 && p[n] == '=')
                        return true;
                p = strchr(p, ',');
                if (p)
                        p++;
        }
        return false;
}

/* A tmpfs mounted over an existing directory gets that directory's mode
 * (an image's 1777 /tmp stays 1777), as runc, unless the mount says mode=:
 * an explicit option is honoured (as crun; runc 1.1.5 drops it). With
 * tmpcopyup the tmpfs is a copy of the directory, mode included. */
static int keep_mode(const struct rootfs_ctx *ctx, const char *dest, bool existed, mode_t mode,
                     const struct mount_flags *mf, struct husk_error *err)
{
        if (!existed || (!mf->tmpcopyup && data_has_option(mf->data, "mode")))
                return 0;
        _cleanup_close_ int fd = open_in_root(ctx->root_fd, dest, O_RDONLY | O_DIRECTORY, err);
        if (fd < 0)
                return -1;
        if (fchmod(fd, mode) < 0)
                return fail(err, errno, "chmod");
        return 0;
}

int mount_tmpfs(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
                unsigned long flags, const char *data, struct husk_error *err)
{
        _cleanup_close_ int fd = open_in_root(ctx->root_fd, dest, O_PATH, NULL);
        struct stat st;
        bool existed = fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);

        if (fd < 0) {
                fd = mkdir_in_root(ctx->root_fd, dest, 0755, err);
                if (fd < 0)
                        return -1;
        }
        _cleanup_free_ char *d = label_data(data, ctx->label);
        /* Mounted writable; rootfs_finalize makes it read-only if asked, so
         * /dev can be populated first. */
        flags &= ~MS_RDONLY;

        /* tmpcopyup: hold the directory the tmpfs will cover; it stays
         * readable through this fd, and is copied into the new tmpfs. */
        _cleanup_close_ int under = -1;
        if (mf->tmpcopyup) {
                under = open_in_root(ctx->root_fd, dest, O_RDONLY | O_DIRECTORY, err);
                if (under < 0)
                        return husk_error_wrap(err, "tmpcopyup");
        }
        if (mount_fd(source, fd, "tmpfs", flags, d) < 0)
                return fail_errno(err, errno);
        if (mf->tmpcopyup) {
                _cleanup_close_ int top = open_in_root(ctx->root_fd, dest, O_RDONLY | O_DIRECTORY, err);
                if (top < 0 || copy_tree(under, top, err) < 0) {
                        char p[32];
                        if (top >= 0)
                                umount2(fd_path(top, p), MNT_DETACH);
                        return -1;
                }
        }
        if (keep_mode(ctx, dest, existed, st.st_mode & 07777, mf, err) < 0)
                return -1;
        return apply_propagation_and_attrs(ctx, dest, mf, err);
}

/* proc, sysfs, mqueue, devpts, cgroup2, overlay, ...: a plain mount on a
 * directory. */
int mount_plain(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                const struct mount_flags *mf, unsigned long flags, struct husk_error *err)
{
        const char *type = m->type;

        if (is_type(m, "proc") || is_type(m, "sysfs")) {
                /* Never through a symlink: the container could point it at
                 * a place where a procfs does harm. */
                _cleanup_close_ int cur = open_in_root(ctx->root_fd, dest, O_PATH | O_NOFOLLOW, NULL);
                struct stat st;
                if (cur >= 0 && fstat(cur, &st) == 0 && !S_ISDIR(st.st_mode))
                        return fail(err, 0, "filesystem \"%s\" must be mounted on ordinary directory", type);
        }
        if (check_proc_path(dest, is_type(m, "proc"), err) < 0)
                return -1;
        _cleanup_close_ int fd = mkdir_in_root(ctx->root_fd, dest, 0755, err);
        if (fd < 0)
                return -1;
        if (check_proc_dest(ctx, fd, is_type(m, "proc"), err) < 0)
                return -1;

        _cleanup_free_ char *data = NULL;
        if (is_type(m, "devpts") || is_type(m, "mqueue"))
                data = label_data(mf->data, ctx->label);
        else
                data = xstrdup(mf->data);
        if (strcmp(dest, "/dev") == 0)
                flags &= ~MS_RDONLY;
        if (mount_fd(m->source ? m->source : type, fd, type, flags, data) < 0) {
                int e = errno;
                /* Older kernels can't label mqueue: retry without (runc). */
                if (!(ctx->label && is_type(m, "mqueue")) ||
                    mount_fd(m->source ? m->source : type, fd, type, flags, mf->data) < 0)
                        return fail_errno(err, e);
        }
        return apply_propagation_and_attrs(ctx, dest, mf, err);
}

int mount_sys_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                   unsigned long flags, struct husk_error *err)
{
        return mount_bind(ctx, "/sys", dest, mf, flags | MS_BIND | MS_REC | MS_RDONLY | DEFAULT_MOUNT_FLAGS, err);
}
