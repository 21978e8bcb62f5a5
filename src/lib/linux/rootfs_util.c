/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every part of the rootfs code shares (rootfs-internal.h): errors in
 * runc's wording, mounting on a resolved fd, mount flags and propagation,
 * small questions about the spec. */
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "config.h"
#include "linux/rootfs-internal.h"
#include "spec/names.h"
#include "util/compat.h"
#include "util/failpoint.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

#include "linux/selinux-dl.h"

/* ------------------------------------------------------------------ */
/* small helpers */

/* A system error worded as runc words them (lowercase reason: "permission
 * denied"), so both runtimes read the same; errno = errnum on return. */
int HUSK_FMT(3, 4) fail(struct husk_error *err, int errnum, const char *fmt, ...)
{
        char msg[HUSK_ERROR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        husk_error_errno_lower(err, errnum, "%s", msg);
        errno = errnum;
        return -1;
}

/* Just the reason: the caller's context already says what was mounted. */
int fail_errno(struct husk_error *err, int errnum)
{
        husk_error_errno_lower(err, errnum, "%s", "");
        errno = errnum;
        return -1;
}

int mount_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data)
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
int fd_paths_safe(const char *path, struct husk_error *err)
{
        return procfs_verify_mounted(path, err);
}

bool is_type(const struct husk_mount *m, const char *t)
{
        return m->type && strcmp(m->type, t) == 0;
}

/* "type": "bind", or a bind/rbind option. */
bool mount_says_bind(const struct husk_mount *m)
{
        bool bind = is_type(m, "bind");
        for (size_t j = 0; !bind && m->options && m->options[j]; j++)
                bind = strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0;
        return bind;
}

bool spec_has_ns(const struct husk_spec *spec, int type)
{
        if (!spec->linux)
                return false;
        for (size_t i = 0; i < spec->linux->n_namespaces; i++)
                if (spec->linux->namespaces[i].type == type)
                        return true;
        return false;
}

const char *mount_label(const struct husk_spec *spec)
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
char *label_data(const char *data, const char *label)
{
        if (!label)
                return xstrdup(data);
        if (data && *data)
                return xasprintf("%s,context=\"%s\"", data, label);
        return xasprintf("context=\"%s\"", label);
}

/* Host path of a resolved fd, relative to the rootfs ("/proc/cpuinfo"). */
char *fd_path_in_root(const struct rootfs_ctx *ctx, int fd)
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

bool path_has_prefix(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);
        if (strcmp(prefix, "/") == 0)
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ------------------------------------------------------------------ */
/* flags */

/* spec_propagation_names (spec/names.c), 0 for an unknown name */
unsigned long propagation_flag(const char *name)
{
        long v = spec_name_value(&spec_propagation_names, name);
        return v > 0 ? (unsigned long)v : 0;
}

/* The per-mount flags of the mount at fd, as MS_* (statfs's ST_* share
 * the values of most, not of relatime and nosymfollow); strictatime is the
 * absence of noatime and relatime. */
unsigned long fd_mount_flags(int fd)
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
int bind_remount(int fd, unsigned long flags, unsigned long cleared, bool userns)
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

bool dev_is_bind(const struct husk_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                _cleanup_free_ char *d = path_clean(m->destination);
                if (strcmp(d, "/dev") != 0)
                        continue;
                if (mount_says_bind(m))
                        return true;
        }
        return false;
}
