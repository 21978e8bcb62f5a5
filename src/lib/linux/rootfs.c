/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's root filesystem: propagation, the rootfs bind, every spec
 * mount (bind, tmpfs, proc, sysfs, cgroup, ...), /dev, pivot_root, masked
 * and read-only paths. Every path under the rootfs is resolved with
 * util/path.h and mounted on through /proc/self/fd/N, never by string. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "linux/rootfs.h"
#include "util/compat.h"
#include "util/failpoint.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

#include "linux/selinux-dl.h"

/* noexec,nosuid,nodev: runc's flags for the cgroup tmpfs and cgroupfs. */
#define DEFAULT_MOUNT_FLAGS (MS_NOEXEC | MS_NOSUID | MS_NODEV)
/* The per-mount flags a bind remount sets (all others are per-superblock). */
#define PER_MOUNT_FLAGS                                                                              \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
         MS_STRICTATIME | MS_NOSYMFOLLOW)
#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

struct rootfs_ctx {
        const struct husk_spec *spec;
        const struct rootfs_opts *opts;
        char *rootfs;           /* realpath of opts->rootfs */
        int root_fd;            /* O_PATH of the rootfs mount */
        const char *label;      /* linux.mountLabel when SELinux is on */
};

/* ------------------------------------------------------------------ */
/* small helpers */

/* Like husk_error_set with a lowercase reason, as runc prints them
 * ("permission denied"), so both runtimes read the same. */
static int HUSK_FMT(3, 4) fail(struct husk_error *err, int errnum, const char *fmt, ...)
{
        char reason[128] = "";
        va_list ap;

        if (errnum) {
                snprintf(reason, sizeof(reason), "%s", strerror(errnum));
                reason[0] = (char)tolower((unsigned char)reason[0]);
        }
        va_start(ap, fmt);
        husk_error_vset(err, 0, fmt, ap);
        va_end(ap);
        if (errnum) {
                size_t n = strlen(err->msg);
                snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", reason);
        }
        err->errnum = errnum;
        errno = errnum;
        return -1;
}

/* Just the reason: the caller's context already says what was mounted. */
static int fail_errno(struct husk_error *err, int errnum)
{
        fail(err, errnum, "%s", "");
        /* fail() wrote ": reason"; drop the separator. */
        size_t n = strlen(err->msg);
        if (n >= 2 && err->msg[0] == ':' && err->msg[1] == ' ')
                memmove(err->msg, err->msg + 2, n - 1);
        errno = errnum;
        return -1;
}

static int mount_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data)
{
        char p[32];
        struct husk_error fp;
        if (failpoint("rootfs: mount", &fp) < 0) {
                errno = EIO;
                return -1;
        }
        return mount(src, fd_path(fd, p), type, flags, data);
}

/* After pivot_root, "/proc/self/fd/N" goes through the container's /proc:
 * only a real procfs makes it mean fd N (a fake one in the image could send
 * a mount elsewhere). */
static int fd_paths_safe(const char *path, struct husk_error *err)
{
        return procfs_verify_mounted(path, err);
}

static bool is_type(const struct husk_mount *m, const char *t)
{
        return m->type && strcmp(m->type, t) == 0;
}

static bool spec_has_ns(const struct husk_spec *spec, int type)
{
        if (!spec->linux)
                return false;
        for (size_t i = 0; i < spec->linux->n_namespaces; i++)
                if (spec->linux->namespaces[i].type == type)
                        return true;
        return false;
}

static const char *mount_label(const struct husk_spec *spec)
{
#if HAVE_SELINUX
        /* First called by rootfs_prepare (ctx_init), before pivot_root, so
         * the dlopen of libselinux finds the host's (linux/selinux-dl.h);
         * rootfs_finalize, after pivot_root, reuses that outcome. */
        if (spec->linux && spec->linux->mount_label && *spec->linux->mount_label &&
            selinux_load(NULL) == 0 && selinux_dl()->is_selinux_enabled() > 0)
                return spec->linux->mount_label;
#endif
        (void)spec;
        return NULL;
}

/* data + context="label" for filesystems that take a mount label. */
static char *label_data(const char *data, const char *label)
{
        if (!label)
                return xstrdup(data);
        if (data && *data)
                return xasprintf("%s,context=\"%s\"", data, label);
        return xasprintf("context=\"%s\"", label);
}

/* Host path of a resolved fd, relative to the rootfs ("/proc/cpuinfo"). */
static char *fd_path_in_root(const struct rootfs_ctx *ctx, int fd)
{
        char p[32], buf[PATH_MAX];
        ssize_t n = readlink(fd_path(fd, p), buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        size_t rl = strlen(ctx->rootfs);
        if (strcmp(ctx->rootfs, "/") == 0)
                return xstrdup(buf);
        if (strncmp(buf, ctx->rootfs, rl) == 0 && (buf[rl] == '/' || buf[rl] == '\0'))
                return xstrdup(buf[rl] ? buf + rl : "/");
        return xstrdup(buf);
}

/* ------------------------------------------------------------------ */
/* the mount that holds the rootfs */

static bool path_has_prefix(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);
        if (strcmp(prefix, "/") == 0)
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

struct parent_mount {
        const char *path;
        char *mountpoint;
        bool shared;
};

static int find_parent_mount(const struct mountinfo *mi, void *data)
{
        struct parent_mount *pm = data;
        if (!path_has_prefix(pm->path, mi->mountpoint))
                return 0;
        /* Later lines mount over earlier ones: keep the last longest. */
        if (pm->mountpoint && strlen(pm->mountpoint) > strlen(mi->mountpoint))
                return 0;
        free(pm->mountpoint);
        pm->mountpoint = xstrdup(mi->mountpoint);
        /* Unbindable (rootfsPropagation "runbindable") would refuse the
         * rootfs bind just as shared breaks pivot_root. */
        pm->shared = strstr(mi->optional, "shared:") != NULL || strstr(mi->optional, "unbindable") != NULL;
        return 0;
}

/* pivot_root(2) refuses a new root whose parent mount is shared, and the
 * rootfs bind must not propagate to the host's peers: make the mount that
 * holds the rootfs private, as runc does. */
static int rootfs_parent_private(const char *rootfs, struct husk_error *err)
{
        struct parent_mount pm = { .path = rootfs };
        if (mountinfo_foreach(NULL, find_parent_mount, &pm, err) < 0)
                return -1;
        _cleanup_free_ char *mp = pm.mountpoint;
        if (mp && pm.shared && mount("", mp, NULL, MS_PRIVATE, NULL) < 0)
                return fail(err, errno, "make parent mount %s of the rootfs private", mp);
        return 0;
}

/* ------------------------------------------------------------------ */
/* flags */

static unsigned long propagation_flag(const char *name)
{
        static const struct { const char *name; unsigned long flag; } t[] = {
                { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
                { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
                { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
                { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
        };
        for (size_t i = 0; name && i < ARRAY_SIZE(t); i++)
                if (strcmp(t[i].name, name) == 0)
                        return t[i].flag;
        return 0;
}

/* The per-mount flags of the mount at fd, as MS_* (statfs's ST_* share
 * the values of most, not of relatime and nosymfollow); strictatime is the
 * absence of noatime and relatime. */
static unsigned long fd_mount_flags(int fd)
{
        static const struct { unsigned long st, ms; } map[] = {
                { ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
                { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },       { ST_NODIRATIME, MS_NODIRATIME },
                { ST_RELATIME, MS_RELATIME }, { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW },
        };
        struct statfs sfs;
        unsigned long f = 0;
        if (fstatfs(fd, &sfs) < 0)
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if ((unsigned long)sfs.f_flags & map[i].st)
                        f |= map[i].ms;
        if (!(f & (MS_NOATIME | MS_RELATIME)))
                f |= MS_STRICTATIME;
        return f;
}

/* Flags of the current mount a remount must keep: in a user namespace the
 * kernel locks nosuid/nodev/noexec/ro and the atime mode of mounts that
 * came from a more privileged namespace, and refuses (EPERM) a remount that
 * drops them. Words the user gave explicitly win. */
static unsigned long locked_flags(int fd, unsigned long want, unsigned long cleared)
{
        unsigned long cur = fd_mount_flags(fd);
        unsigned long keep = cur & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) & ~cleared;
        if (!(want & (ATIME_FLAGS | MS_NODIRATIME)) && !(cleared & (ATIME_FLAGS | MS_NODIRATIME)))
                keep |= cur & (ATIME_FLAGS | MS_NODIRATIME);
        return keep;
}

/* MS_BIND|MS_REMOUNT with `flags` on the mount at fd, keeping locked flags
 * in a user namespace (and retrying with them on EPERM elsewhere). */
static int bind_remount(int fd, unsigned long flags, unsigned long cleared, bool userns)
{
        unsigned long f = (flags & PER_MOUNT_FLAGS) | MS_BIND | MS_REMOUNT;
        if (userns)
                f |= locked_flags(fd, flags, cleared);
        if (mount_fd(NULL, fd, NULL, f, NULL) == 0)
                return 0;
        if (errno != EPERM || userns)
                return -1;
        return mount_fd(NULL, fd, NULL, f | locked_flags(fd, flags, cleared), NULL);
}

static int apply_propagation_and_attrs(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
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
static int finish_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
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

static int mount_bind(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
                      unsigned long flags, struct husk_error *err)
{
        struct stat st;
        struct statfs sfs;
        if (stat(source, &st) < 0)
                return fail(err, errno, "stat source");
        bool src_proc = statfs(source, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
        if (check_proc_path(dest, src_proc, err) < 0)
                return -1;

        _cleanup_close_ int fd = S_ISDIR(st.st_mode) ? mkdir_in_root(ctx->root_fd, dest, 0755, err)
                                                      : mkfile_in_root(ctx->root_fd, dest, 0755, err);
        if (fd < 0)
                return -1;

        if (check_proc_dest(ctx, fd, src_proc, err) < 0)
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

static int mount_tmpfs(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
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
static int mount_plain(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
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

/* ---- cgroup ---- */

struct cgroup_line {
        char *controllers;      /* "cpu,cpuacct", "name=systemd", "" (v2) */
        char *path;
};

struct cgroup_hier {
        char *name;             /* basename of the host mount: "cpu,cpuacct" */
        char *source;           /* host dir of our cgroup in it */
        char *controllers;      /* mount data with a cgroup namespace */
        bool v2;
};

struct cgroup_scan {
        struct cgroup_line *lines;
        size_t n_lines;
        struct cgroup_hier *hiers;
        size_t n_hiers;
};

static bool opts_have_all(const char *opts, const char *controllers)
{
        _cleanup_free_ char *c = xstrdup(controllers);
        char *save = NULL;
        size_t n = 0;
        for (char *w = strtok_r(c, ",", &save); w; w = strtok_r(NULL, ",", &save), n++) {
                size_t wl = strlen(w);
                const char *p = opts;
                bool found = false;
                while ((p = strstr(p, w))) {
                        if ((p == opts || p[-1] == ',') && (p[wl] == ',' || p[wl] == '\0')) {
                                found = true;
                                break;
                        }
                        p += wl;
                }
                if (!found)
                        return false;
        }
        return n > 0;
}

static void hier_add(struct cgroup_scan *cs, const struct mountinfo *mi, const struct cgroup_line *l, bool v2)
{
        for (size_t i = 0; i < cs->n_hiers; i++)
                if (cs->hiers[i].v2 == v2 && strcmp(cs->hiers[i].controllers, l->controllers) == 0)
                        return; /* first mount of a hierarchy wins */
        /* Our path relative to the mount's root: none when the mount shows
         * a part of the tree we're not in (only a cgroupns mount works). */
        const char *rel = l->path;
        if (strcmp(mi->root, "/") != 0)
                rel = path_has_prefix(l->path, mi->root) ? l->path + strlen(mi->root) : NULL;
        const char *base = strrchr(mi->mountpoint, '/');
        base = base ? base + 1 : mi->mountpoint;
        cs->hiers = xrealloc(cs->hiers, (cs->n_hiers + 1) * sizeof(*cs->hiers));
        cs->hiers[cs->n_hiers++] = (struct cgroup_hier){
                .name = xstrdup(base),
                .source = rel ? xasprintf("%s%s%s", mi->mountpoint, *rel == '/' ? "" : "/", rel) : NULL,
                .controllers = xstrdup(l->controllers),
                .v2 = v2,
        };
}

static int scan_cgroup_mount(const struct mountinfo *mi, void *data)
{
        struct cgroup_scan *cs = data;
        bool v2 = strcmp(mi->fstype, "cgroup2") == 0;
        if (!v2 && strcmp(mi->fstype, "cgroup") != 0)
                return 0;
        for (size_t i = 0; i < cs->n_lines; i++) {
                const struct cgroup_line *l = &cs->lines[i];
                if (v2 ? *l->controllers == '\0' : (*l->controllers && opts_have_all(mi->super_opts, l->controllers)))
                        hier_add(cs, mi, l, v2);
        }
        return 0;
}

static void cgroup_scan_free(struct cgroup_scan *cs)
{
        for (size_t i = 0; i < cs->n_lines; i++) {
                free(cs->lines[i].controllers);
                free(cs->lines[i].path);
        }
        for (size_t i = 0; i < cs->n_hiers; i++) {
                free(cs->hiers[i].name);
                free(cs->hiers[i].source);
                free(cs->hiers[i].controllers);
        }
        free(cs->lines);
        free(cs->hiers);
}

/* Our hierarchies: /proc/self/cgroup matched to the host's cgroup mounts. */
static int cgroup_scan(struct cgroup_scan *cs, struct husk_error *err)
{
        _cleanup_free_ char *buf = NULL;
        memset(cs, 0, sizeof(*cs));
        if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, err) < 0)
                return -1;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                cs->lines = xrealloc(cs->lines, (cs->n_lines + 1) * sizeof(*cs->lines));
                cs->lines[cs->n_lines++] = (struct cgroup_line){ xstrdup(c1 + 1), xstrdup(c2 + 1) };
        }
        return mountinfo_foreach(NULL, scan_cgroup_mount, cs, err);
}

static int mount_cgroup2(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                         const struct cgroup_hier *h, const struct mount_flags *mf, unsigned long flags,
                         struct husk_error *err)
{
        if (ctx->opts->cgroupns) {
                _cleanup_close_ int fd = mkdir_in_root(ctx->root_fd, dest, 0755, err);
                if (fd < 0)
                        return -1;
                if (mount_fd(m->source ? m->source : "cgroup2", fd, "cgroup2", flags & ~MS_BIND, mf->data) < 0)
                        return fail_errno(err, errno);
                return apply_propagation_and_attrs(ctx, dest, mf, err);
        }
        if (!h || !h->source)
                return fail(err, ENOENT, "no cgroup2 mount on the host shows our cgroup");
        /* No cgroup namespace: show only our own cgroup, not the host's tree. */
        return mount_bind(ctx, h->source, dest, mf, flags | MS_BIND, err);
}

static int mount_cgroup(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                        const struct mount_flags *mf, unsigned long flags, struct husk_error *err)
{
        struct statfs sfs;
        _cleanup_(cgroup_scan_free) struct cgroup_scan cs = { 0 };
        if (cgroup_scan(&cs, err) < 0)
                return -1;

        const struct cgroup_hier *unified = NULL;
        for (size_t i = 0; i < cs.n_hiers; i++)
                if (cs.hiers[i].v2)
                        unified = &cs.hiers[i];

        if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                return mount_cgroup2(ctx, m, dest, unified, mf, flags, err);

        /* cgroup v1: a tmpfs holding one mount per hierarchy. */
        struct mount_flags tmf = { .propagation = mf->propagation };
        if (mount_tmpfs(ctx, "tmpfs", dest, &tmf, DEFAULT_MOUNT_FLAGS, "mode=755", err) < 0)
                return husk_error_wrap(err, "cgroup tmpfs");

        for (size_t i = 0; i < cs.n_hiers; i++) {
                const struct cgroup_hier *h = &cs.hiers[i];
                _cleanup_free_ char *sub = xasprintf("%s/%s", dest, h->v2 ? "unified" : h->name);
                int r;
                if (h->v2) {
                        r = mount_cgroup2(ctx, m, sub, h, mf, flags, err);
                } else if (ctx->opts->cgroupns) {
                        _cleanup_close_ int fd = mkdir_in_root(ctx->root_fd, sub, 0755, err);
                        if (fd < 0)
                                return -1;
                        unsigned long f = DEFAULT_MOUNT_FLAGS | (flags & MS_RDONLY);
                        const char *src = strcmp(h->name, "systemd") == 0 ? "systemd" : "cgroup";
                        r = mount_fd(src, fd, "cgroup", f, h->controllers);
                        if (r < 0)
                                fail_errno(err, errno);
                } else if (!h->source) {
                        r = fail(err, ENOENT, "no mount on the host shows our cgroup");
                } else {
                        r = mount_bind(ctx, h->source, sub, mf, flags | MS_BIND | MS_REC, err);
                }
                if (r < 0)
                        return husk_error_wrap(err, "%s", sub + strlen(dest) + 1);
        }

        /* cpu -> cpu,cpuacct, as on the host. */
        _cleanup_close_ int dfd = open_in_root(ctx->root_fd, dest, O_PATH | O_DIRECTORY, err);
        if (dfd < 0)
                return -1;
        for (size_t i = 0; i < cs.n_hiers; i++) {
                const struct cgroup_hier *h = &cs.hiers[i];
                if (h->v2 || !strchr(h->name, ','))
                        continue;
                _cleanup_free_ char *names = xstrdup(h->name);
                char *save = NULL;
                for (char *w = strtok_r(names, ",", &save); w; w = strtok_r(NULL, ",", &save))
                        if (symlinkat(h->name, dfd, w) < 0 && errno != EEXIST)
                                return fail(err, errno, "symlink %s/%s", dest, w);
        }

        /* runc leaves the tmpfs itself writable (the hierarchies are
         * read-only when asked): so do we. */
        return 0;
}

/* ---- idmapped mounts ---- */

bool rootfs_mount_is_bind(const struct husk_mount *m)
{
        if (rootfs_mount_is_idmapped(m))
                return false;
        bool bind = is_type(m, "bind");
        for (size_t j = 0; !bind && m->options && m->options[j]; j++)
                bind = strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0;
        return bind;
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

static int write_idmap(pid_t pid, const char *file, const struct husk_idmap *map, size_t n, struct husk_error *err)
{
        _cleanup_free_ char *buf = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *next = xasprintf("%s%u %u %u\n", buf, map[i].container_id, map[i].host_id, map[i].size);
                free(buf);
                buf = next;
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        return procfs_write(path, buf, strlen(buf), err);
}

/* A user namespace holding the mount's own mappings, made by a short-lived
 * child (the kernel only maps ids of a namespace that has a process). */
static int userns_for_mappings(const struct husk_mount *m, struct husk_error *err)
{
        int sync[2];
        if (!m->n_uid_mappings || !m->n_gid_mappings)
                return fail(err, EINVAL, "uidMappings and gidMappings go together");
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
        } else if (write_idmap(pid, "uid_map", m->uid_mappings, m->n_uid_mappings, err) == 0 &&
                   write_idmap(pid, "gid_map", m->gid_mappings, m->n_gid_mappings, err) == 0) {
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
                return fail(err, EINVAL, "idmapped mount of %s without a source", m->destination);
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
                return fail(err, EINVAL, "idmapped mount of %s: no user namespace to map with", m->destination);

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
static int mount_idmapped(const struct rootfs_ctx *ctx, int tree, const char *dest, const struct mount_flags *mf,
                          unsigned long flags, struct husk_error *err)
{
        struct stat st;
        if (fstat(tree, &st) < 0)
                return fail(err, errno, "stat idmapped mount");
        if (check_proc_path(dest, false, err) < 0)
                return -1;
        _cleanup_close_ int fd = S_ISDIR(st.st_mode) ? mkdir_in_root(ctx->root_fd, dest, 0755, err)
                                                      : mkfile_in_root(ctx->root_fd, dest, 0755, err);
        if (fd < 0)
                return -1;
        if (check_proc_dest(ctx, fd, false, err) < 0)
                return -1;
        if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return fail_errno(err, errno);
        close(fd);
        fd = -1;
        return finish_bind(ctx, dest, mf, flags, err);
}

static int mount_sys_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                          unsigned long flags, struct husk_error *err)
{
        return mount_bind(ctx, "/sys", dest, mf, flags | MS_BIND | MS_REC | MS_RDONLY | DEFAULT_MOUNT_FLAGS, err);
}

static int mount_one(const struct rootfs_ctx *ctx, const struct husk_mount *m, size_t idx, struct husk_error *err)
{
        struct mount_flags mf;
        _cleanup_free_ char *dest = path_clean(m->destination);
        int r;

        if (mount_flags_parse(m->options, &mf, err) < 0)
                return -1;
        unsigned long flags = mf.flags;

        if (rootfs_mount_is_idmapped(m)) {
                int tree = ctx->opts->mount_fds ? ctx->opts->mount_fds[idx] : -1;
                if (tree < 0)
                        r = fail(err, EOPNOTSUPP, "idmapped mount not prepared by the runtime");
                else
                        r = mount_idmapped(ctx, tree, dest, &mf, flags, err);
        } else if (mf.bind || is_type(m, "bind")) {
                if (!m->source) {
                        mount_flags_free(&mf);
                        return fail(err, EINVAL, "bind mount without a source");
                }
                /* opened by husk on the host's side when we are in a user
                 * namespace (rootfs_needs_bind_sources) */
                int sfd = ctx->opts->mount_fds ? ctx->opts->mount_fds[idx] : -1;
                _cleanup_free_ char *src = sfd >= 0 ? xasprintf("/proc/self/fd/%d", sfd)
                                                    : rootfs_mount_source(m, ctx->opts->bundle);
                r = mount_bind(ctx, src, dest, &mf, flags | MS_BIND, err);
        } else if (is_type(m, "sysfs") && (ctx->opts->userns && !spec_has_ns(ctx->spec, CLONE_NEWNET))) {
                /* sysfs can't be mounted in a user namespace that doesn't
                 * own the network namespace: show the host's, read-only. */
                r = mount_sys_bind(ctx, dest, &mf, flags, err);
        } else if (is_type(m, "sysfs")) {
                /* Same when we joined a network namespace we don't own. */
                r = mount_plain(ctx, m, dest, &mf, flags, err);
                if (r < 0 && (err->errnum == EPERM || err->errnum == EBUSY))
                        r = mount_sys_bind(ctx, dest, &mf, flags, err);
        } else if (is_type(m, "tmpfs")) {
                r = mount_tmpfs(ctx, m->source ? m->source : "tmpfs", dest, &mf, flags, mf.data, err);
        } else if (is_type(m, "cgroup")) {
                r = mount_cgroup(ctx, m, dest, &mf, flags, err);
        } else {
                r = mount_plain(ctx, m, dest, &mf, flags, err);
        }
        mount_flags_free(&mf);
        return r;
}

/* ------------------------------------------------------------------ */

static void ctx_free(struct rootfs_ctx *ctx)
{
        free(ctx->rootfs);
        if (ctx->root_fd >= 0)
                close(ctx->root_fd);
}

static int ctx_init(struct rootfs_ctx *ctx, const struct husk_spec *spec, const struct rootfs_opts *opts,
                    struct husk_error *err)
{
        memset(ctx, 0, sizeof(*ctx));
        ctx->root_fd = -1;
        ctx->spec = spec;
        ctx->opts = opts;
        ctx->label = mount_label(spec);
        if (!opts->rootfs)
                return fail(err, EINVAL, "rootfs path missing");
        ctx->rootfs = realpath(opts->rootfs, NULL);
        if (!ctx->rootfs)
                return fail(err, errno, "rootfs %s", opts->rootfs);
        return 0;
}

static bool dev_is_bind(const struct husk_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                _cleanup_free_ char *d = path_clean(m->destination);
                if (strcmp(d, "/dev") != 0)
                        continue;
                bool bind = is_type(m, "bind");
                for (size_t j = 0; !bind && m->options && m->options[j]; j++)
                        bind = strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0;
                if (bind)
                        return true;
        }
        return false;
}

int rootfs_prepare(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err)
{
        _cleanup_(ctx_free) struct rootfs_ctx ctx = { .root_fd = -1 };
        unsigned long prop = MS_SLAVE | MS_REC;

        if (ctx_init(&ctx, spec, opts, err) < 0)
                return -1;

        if (spec->linux && spec->linux->rootfs_propagation) {
                prop = propagation_flag(spec->linux->rootfs_propagation);
                if (!prop)
                        return fail(err, EINVAL, "rootfsPropagation \"%s\"", spec->linux->rootfs_propagation);
        }
        /* Stop our mounts from reaching the host (the namespace is a copy).
         * Without a mount namespace of our own, "/" is the caller's: leave
         * its propagation alone (hostns_mounts.h). */
        if (!opts->no_mountns && mount("", "/", NULL, prop, NULL) < 0)
                return fail(err, errno, "set propagation of / (%s)",
                            spec->linux && spec->linux->rootfs_propagation ? spec->linux->rootfs_propagation
                                                                            : "rslave");
        if (!opts->no_mountns && rootfs_parent_private(ctx.rootfs, err) < 0)
                return -1;
        /* pivot_root needs the new root to be a mount point; without a mount
         * namespace, this bind holds every mount of the container, and delete
         * detaches it. */
        if (mount(ctx.rootfs, ctx.rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return fail(err, errno, "bind rootfs \"%s\" onto itself", ctx.rootfs);
        ctx.root_fd = open(ctx.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ctx.root_fd < 0)
                return fail(err, errno, "open rootfs \"%s\"", ctx.rootfs);

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (mount_one(&ctx, m, i, err) < 0)
                        return husk_error_wrap(err, "mount \"%s\" on \"%s\" (mounts[%zu])",
                                               m->source ? m->source : (m->type ? m->type : "none"),
                                               m->destination, i);
                /* A mount on "/" covers the rootfs: later mounts (and
                 * pivot_root) go on top of it, as in runc. */
                _cleanup_free_ char *d = path_clean(m->destination);
                if (strcmp(d, "/") == 0) {
                        close(ctx.root_fd);
                        ctx.root_fd = open(ctx.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (ctx.root_fd < 0)
                                return fail(err, errno, "open rootfs \"%s\" after mounts[%zu] on /", ctx.rootfs, i);
                }
        }

        if (!dev_is_bind(spec) && rootfs_setup_dev(ctx.root_fd, spec, opts->userns, err) < 0)
                return -1;
        return 0;
}

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

/* ------------------------------------------------------------------ */
/* finalize (after pivot: "/" is the container's root) */

static int remount_ro(int root_fd, const char *path, unsigned long flags, bool userns, struct husk_error *err)
{
        _cleanup_close_ int fd = open_in_root(root_fd, path, O_PATH, err);
        if (fd < 0 || fd_paths_safe(path, err) < 0)
                return -1;
        /* EBUSY: something still holds a writable file on it for a moment. */
        for (int i = 0; i < 5; i++) {
                if (bind_remount(fd, flags | MS_RDONLY, 0, userns) == 0)
                        return 0;
                if (errno != EBUSY)
                        break;
                usleep(100000);
        }
        return fail(err, errno, "remount %s read-only", path);
}

static int readonly_path(int root_fd, const char *path, struct husk_error *err)
{
        _cleanup_close_ int fd = open_in_root(root_fd, path, O_PATH, err);
        if (fd < 0)
                return errno == ENOENT ? 0 : -1;
        if (fd_paths_safe(path, err) < 0)
                return -1;
        char p[32];
        if (mount(fd_path(fd, p), p, NULL, MS_BIND | MS_REC, NULL) < 0)
                return fail(err, errno, "bind %s onto itself", path);
        close(fd);
        fd = open_in_root(root_fd, path, O_PATH, err);
        if (fd < 0)
                return -1;
        unsigned long keep = fd_mount_flags(fd) & (MS_NOSUID | MS_NODEV | MS_NOEXEC | ATIME_FLAGS | MS_NODIRATIME);
        if (mount_fd(NULL, fd, NULL, keep | MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                return fail(err, errno, "remount %s read-only", path);
        return 0;
}

static int mask_path(int root_fd, const char *path, const char *label, struct husk_error *err)
{
        _cleanup_close_ int fd = open_in_root(root_fd, path, O_PATH, err);
        struct stat st;
        if (fd < 0)
                return errno == ENOENT ? 0 : -1;
        if (fstat(fd, &st) < 0)
                return fail(err, errno, "stat %s", path);
        if (fd_paths_safe(path, err) < 0)
                return -1;

        if (S_ISDIR(st.st_mode)) {
                _cleanup_free_ char *data = label_data(NULL, label);
                if (mount_fd("tmpfs", fd, "tmpfs", MS_RDONLY, data) < 0)
                        return fail(err, errno, "mask %s", path);
                return 0;
        }
        /* Bind what is really the null device: the container controls its
         * /dev and could have put anything there (CVE-2025-31133). */
        _cleanup_close_ int null = open_in_root(root_fd, "/dev/null", O_PATH | O_NOFOLLOW, err);
        if (null < 0)
                return husk_error_wrap(err, "mask %s", path);
        struct stat nst;
        if (fstat(null, &nst) < 0 || !S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
                return fail(err, 0, "mask %s: /dev/null is not the null device", path);
        char np[32];
        if (mount_fd(fd_path(null, np), fd, NULL, MS_BIND, NULL) < 0)
                return fail(err, errno, "mask %s", path);
        return 0;
}

int rootfs_finalize(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return fail(err, errno, "open /");

        /* tmpfs mounts and /dev were mounted writable to be filled. */
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                struct mount_flags mf;
                _cleanup_free_ char *dest = path_clean(m->destination);
                if (mount_flags_parse(m->options, &mf, err) < 0)
                        return -1;
                mount_flags_free(&mf);
                if (!(mf.flags & MS_RDONLY) || mf.bind || !(is_type(m, "tmpfs") || strcmp(dest, "/dev") == 0))
                        continue;
                if (remount_ro(root, dest, mf.flags, opts->userns, err) < 0)
                        return husk_error_wrap(err, "mounts[%zu]", i);
        }

        if (spec->root_readonly) {
                /* "/" by name, not /proc/self/fd: the spec may mount no /proc.
                 * After pivot_root it can only be the container's root. */
                unsigned long keep = fd_mount_flags(root) & (MS_NOSUID | MS_NODEV | MS_NOEXEC | ATIME_FLAGS | MS_NODIRATIME);
                if (mount(NULL, "/", NULL, keep | MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                        return fail(err, errno, "make rootfs read-only");
        }

        if (spec->linux) {
                const char *label = mount_label(spec);
                for (size_t i = 0; spec->linux->readonly_paths && spec->linux->readonly_paths[i]; i++)
                        if (readonly_path(root, spec->linux->readonly_paths[i], err) < 0)
                                return husk_error_wrap(err, "readonly path %s", spec->linux->readonly_paths[i]);
                for (size_t i = 0; spec->linux->masked_paths && spec->linux->masked_paths[i]; i++)
                        if (mask_path(root, spec->linux->masked_paths[i], label, err) < 0)
                                return husk_error_wrap(err, "masked path %s", spec->linux->masked_paths[i]);

                const char *rp = spec->linux->rootfs_propagation;
                unsigned long prop = opts->no_mountns ? 0 : propagation_flag(rp);
                if (prop && mount("", "/", NULL, prop, NULL) < 0)
                        return fail(err, errno, "set propagation of / (%s)", rp);
        }
        return 0;
}
