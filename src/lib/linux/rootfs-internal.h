/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the files of the rootfs code (rootfs.c: prepare and the spec
 * mounts' dispatch, rootfs_mounts.c, rootfs_idmap.c, rootfs_pivot.c,
 * rootfs_finalize.c, rootfs_util.c); not part of linux/rootfs.h. Hidden
 * from libhusk's users. */
#ifndef HUSK_ROOTFS_INTERNAL_H
#define HUSK_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"
#include "linux/rootfs.h"

#pragma GCC visibility push(hidden)

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

/* rootfs_util.c */
/* husk_error_set with runc's lowercase reason ("...: permission denied"). */
int HUSK_FMT(3, 4) fail(struct husk_error *err, int errnum, const char *fmt, ...);
int fail_errno(struct husk_error *err, int errnum);
int mount_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data);
int fd_paths_safe(const char *path, struct husk_error *err);
bool is_type(const struct husk_mount *m, const char *t);
bool mount_says_bind(const struct husk_mount *m);
bool spec_has_ns(const struct husk_spec *spec, int type);
const char *mount_label(const struct husk_spec *spec);
char *label_data(const char *data, const char *label);
char *fd_path_in_root(const struct rootfs_ctx *ctx, int fd);
bool path_has_prefix(const char *path, const char *prefix);
unsigned long propagation_flag(const char *name);
unsigned long fd_mount_flags(int fd);
int bind_remount(int fd, unsigned long flags, unsigned long cleared, bool userns);
bool dev_is_bind(const struct husk_spec *spec);

/* rootfs_mounts.c */
int apply_propagation_and_attrs(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                                struct husk_error *err);
int finish_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                unsigned long flags, struct husk_error *err);
int bind_target(const struct rootfs_ctx *ctx, const char *dest, bool dir, bool src_proc, struct husk_error *err);
int mount_bind(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
               unsigned long flags, struct husk_error *err);
int mount_tmpfs(const struct rootfs_ctx *ctx, const char *source, const char *dest, const struct mount_flags *mf,
                unsigned long flags, const char *data, struct husk_error *err);
int mount_plain(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                const struct mount_flags *mf, unsigned long flags, struct husk_error *err);
int mount_sys_bind(const struct rootfs_ctx *ctx, const char *dest, const struct mount_flags *mf,
                   unsigned long flags, struct husk_error *err);

/* rootfs_idmap.c */
int mount_idmapped(const struct rootfs_ctx *ctx, int tree, const char *dest, const struct mount_flags *mf,
                   unsigned long flags, struct husk_error *err);

#pragma GCC visibility pop

#endif
