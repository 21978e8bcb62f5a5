/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts husk prepares for the init, one fd per spec mount (-1 where
 * the init makes the mount itself):
 *   - idmapped mounts need CAP_SYS_ADMIN over the source's filesystem:
 *     only husk, in the host's user namespace, can make them (detached
 *     clones, rootfs_open_idmapped_mount);
 *   - bind sources of a container with a user namespace, opened by husk as
 *     root on the host but inside the container's new mount namespace
 *     (O_PATH), as runc does: the container's root may not be able to
 *     search the way there (a 0700 directory), and fds of that namespace's
 *     own (locked) copies of the host's mounts keep their locked flags.
 * How the fds travel to the init is the caller's business. */
#ifndef HUSK_MOUNT_FDS_H
#define HUSK_MOUNT_FDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Does any mount of spec need an fd from husk? */
bool mount_fds_needed(const struct husk_spec *spec);
/* A table of spec->n_mounts fds, all -1. */
int *mount_fds_new(const struct husk_spec *spec);
/* Close the open ones and free the table (NULL is fine). */
void mount_fds_free(int *fds, size_t n);

/* Make each idmapped mount of spec into fds[i], at min_fd or above.
 * userns_pid: the process whose user namespace maps them (0: none, each
 * mount brings its own uidMappings/gidMappings). Errors name the mount. */
int mount_fds_open_idmapped(const struct husk_spec *spec, const char *bundle, pid_t userns_pid, int min_fd, int *fds,
                            struct husk_error *err);

/* Open each bind mount's source (O_PATH) in the mount namespace of
 * mntns_pid, from a forked child (husk keeps its own root and cwd), and
 * hand each fd to send(ctx, index, fd) in that child; the fd is closed
 * after. Only root can enter that namespace: an unprivileged husk does
 * nothing (the init opens the sources, reaching no more than it could). */
int mount_fds_send_bind_sources(const struct husk_spec *spec, const char *bundle, pid_t mntns_pid,
                                int (*send)(void *ctx, size_t index, int fd, struct husk_error *err), void *ctx,
                                struct husk_error *err);

#endif
