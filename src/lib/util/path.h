/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Safe path resolution inside a container-controlled tree. A rootfs is
 * hostile: any component may be a symlink pointing at the host. Everything
 * that touches a path under the rootfs resolves it here, with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) (or a careful component
 * walk where openat2 is missing), and then acts on the returned fd, e.g.
 * mount(src, "/proc/self/fd/N", ...). Never on the string path. */
#ifndef HUSK_PATH_H
#define HUSK_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"

/* Open `path` (absolute or relative, interpreted inside root_fd) with
 * openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS. flags: O_PATH, O_DIRECTORY,
 * ... (O_CLOEXEC is always added). Returns an fd or -1. */
int open_in_root(int root_fd, const char *path, int flags, struct husk_error *err);

/* mkdir -p of `path` inside root_fd, each component created with `mode` and
 * resolved safely. Returns an O_PATH|O_DIRECTORY fd of the last component. */
int mkdir_in_root(int root_fd, const char *path, mode_t mode, struct husk_error *err);

/* Make sure `path` exists inside root_fd as a regular file (for bind mounts
 * of files and devices): creates parents as directories, the file empty.
 * Returns an O_PATH fd of it. */
int mkfile_in_root(int root_fd, const char *path, mode_t mode, struct husk_error *err);

/* The fallback open_in_root uses where openat2 is missing (ENOSYS): a
 * component walk that reads symlinks itself. Returns an fd or -1 (errno).
 * Exposed for tests. */
int open_in_root_walk(int root_fd, const char *path, int flags);

/* HUSK_NO_OPENAT2=1 in the environment: behave as on a kernel without
 * openat2 (Linux < 5.6), for testing the component-walk fallbacks. */
bool openat2_disabled(void);

/* "/proc/self/fd/N" into buf (at least 32 bytes). */
const char *fd_path(int fd, char buf[static 32]);

#endif
