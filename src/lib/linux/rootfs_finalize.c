/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* After pivot_root: read-only remounts, read-only and masked paths, the
 * final propagation of "/". */

#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "linux/rootfs-internal.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

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

