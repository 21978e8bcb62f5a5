/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's root filesystem, built by the container's init (stage 2)
 * inside its new mount namespace (already in its other new namespaces, PID 1
 * of a new pid namespace, root in its user namespace, in its cgroups).
 * Called in this order:
 *
 *   rootfs_prepare()   propagation of "/" (linux.rootfsPropagation, default
 *                      MS_SLAVE|MS_REC as runc), the mount holding the
 *                      rootfs made private if shared (pivot_root needs it),
 *                      the rootfs bound onto itself, every spec mount in
 *                      order, resolved inside the rootfs (openat2) and mounted
 *                      through /proc/self/fd/N; then, unless /dev is a bind
 *                      mount, /dev: default devices + linux.devices (mknod,
 *                      or binds from the host in a user namespace), ptmx ->
 *                      pts/ptmx, fd/stdin/stdout/stderr (and core) symlinks.
 *                      tmpfs mounts and /dev stay writable until finalize.
 *   ... createContainer hooks run here (before pivot_root) ...
 *   rootfs_pivot()     pivot_root(".", ".") + detach of the old root (made
 *                      rslave first), or with no_pivot: host procfs/sysfs
 *                      detached, MS_MOVE onto "/" + chroot; cwd is "/";
 *                      stdio on the host's /dev/null reopened on ours.
 *   rootfs_console()   bind the pty slave onto /dev/console (terminal: true)
 *   rootfs_finalize()  read-only tmpfs and /dev remounted ro, root.readonly,
 *                      readonlyPaths, maskedPaths (skipping missing paths),
 *                      then rootfsPropagation (if set) on the new "/".
 *
 * Errors name the mount: `mount "proc" on "/proc" (mounts[0]): permission
 * denied`. Nothing reaches the host's mount table: "/" is made a slave
 * (or what rootfsPropagation asks for) before the first mount.
 */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

struct cgroup_own;
struct cgroup_mounts;

struct rootfs_opts {
        const char *rootfs;     /* absolute host path of root.path */
        bool userns;            /* a user namespace was created: devices are bind-mounted */
        bool cgroupns;          /* a cgroup namespace was created */
        bool no_pivot;          /* --no-pivot */
        bool no_mountns;        /* no mount namespace of its own: the caller's
                                 * "/" is left alone, chroot instead of pivot
                                 * (see hostns_mounts.h) */
        const char *bundle;     /* relative bind-mount sources are taken from
                                 * here, as runc (which runs in the bundle);
                                 * NULL: the current directory */
        const int *mount_fds;   /* per spec mount (n_mounts entries): a detached
                                 * idmapped mount from rootfs_open_idmapped_mount(),
                                 * an O_PATH fd of a bind mount's source (see
                                 * rootfs_needs_bind_sources()) or -1; NULL when
                                 * there are none */
        /* The cgroup mount shows these hierarchies (cgroup_joined_view: the
         * init makes its mounts before it joins); NULL: the caller's own
         * (/proc/self/cgroup). */
        const struct cgroup_own *cgroup_view;
        size_t n_cgroup_view;
        /* the host's cgroup mounts as the parent read them, or NULL */
        const struct cgroup_mounts *cgroup_mounts;
};

/* Idmapped mounts ("idmap"/"ridmap" options, or uidMappings/gidMappings
 * on a mount) can only be made with CAP_SYS_ADMIN over the source's
 * filesystem: by husk itself, in the host's user namespace, not by stage 2.
 * So husk calls this once the container's user namespace exists (after the
 * id maps are written), for each mount where rootfs_mount_is_idmapped(),
 * and hands the fds to stage 2 in rootfs_opts.mount_fds (SCM_RIGHTS).
 * *fd: a detached clone of the source (recursive for rbind/ridmap) with the
 * mount's own mappings, or with userns_fd (the container's user namespace,
 * e.g. open("/proc/<stage1>/ns/user")) when it gives none. */
bool rootfs_mount_is_idmapped(const struct husk_mount *m);
/* A bind mount that is not idmapped ("bind" type, or a bind/rbind option). */
bool rootfs_mount_is_bind(const struct husk_mount *m);
/* Whether stage 2 runs in a user namespace and has bind mounts to make: then
 * their sources are opened by husk (root on the host), in the container's
 * new mount namespace, as runc does: a mapped root may not be able to
 * search the way to them (a 0700 directory). The O_PATH fds reach stage 2
 * in rootfs_opts.mount_fds, and bind mounts use them as their source. */
bool rootfs_needs_bind_sources(const struct husk_spec *spec);
/* The host path of a mount's source: relative ones are the bundle's. */
char *rootfs_mount_source(const struct husk_mount *m, const char *bundle);
int rootfs_open_idmapped_mount(const struct husk_mount *m, int userns_fd, const char *bundle, int *fd,
                               struct husk_error *err);

int rootfs_prepare(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err);
int rootfs_pivot(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err);
/* Bind the pty slave at `slave_path` (e.g. "/dev/pts/0", after pivot) onto
 * /dev/console, creating /dev/console as an empty file if needed. */
int rootfs_console(const char *slave_path, struct husk_error *err);
int rootfs_finalize(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err);

/* Mount option parsing, exposed for unit tests: runc's option words
 * ("ro", "nosuid", "rbind", "rro", "private", "tmpcopyup", "idmap", ...)
 * to mount(2)/mount_setattr(2) flags plus the leftover data string. */
struct mount_flags {
        unsigned long flags;            /* MS_* for mount(2) */
        unsigned long clear;            /* MS_* explicitly cleared (rw, suid, dev, exec, atime...) */
        unsigned long propagation;      /* MS_PRIVATE|MS_REC, ... or 0 */
        unsigned long long attr_set, attr_clr;  /* MOUNT_ATTR_* for recursive r* options */
        bool rec_attr;                  /* any r* (rro, rnosuid, ...) option */
        bool bind;                      /* bind or rbind */
        bool tmpcopyup;
        bool idmap, ridmap;
        char *data;                     /* comma-joined unknown options, e.g. "size=65536k,mode=755" */
};
int mount_flags_parse(char *const *options, struct mount_flags *out, struct husk_error *err);
void mount_flags_free(struct mount_flags *mf);
/* The i-th option word mount_flags_parse() knows (NULL past the last). */
const char *mount_option_word(size_t i);

/* Internal to rootfs.c and devices.c (rootfs_prepare calls it when /dev is
 * not a bind mount, as runc): the default devices (null zero full random
 * urandom tty) and linux.devices, mknod'ed (bind-mounted from the host when
 * `userns`), /dev/ptmx -> pts/ptmx, and the fd/stdin/stdout/stderr/core
 * symlinks. root_fd is an fd of the rootfs; paths resolve inside it. */
int rootfs_setup_dev(int root_fd, const struct husk_spec *spec, bool userns, struct husk_error *err);

#endif
