/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files under /proc, opened only on a procfs proven to be one.
 *
 * "/proc" in a container's mount namespace is whatever the image and the
 * config made of it: a plain directory shipped by the image, a tmpfs the
 * container mounted there before `husk exec`, or a real procfs with some
 * other procfs file bind-mounted over the one we want (CVE-2019-19921,
 * CVE-2023-27561, CVE-2025-52881). Every read or write husk does under /proc
 * goes through here:
 *   - the root is a private procfs instance (fsopen+fsmount, attached
 *     nowhere, so nothing can be mounted over its files) or, where the
 *     kernel refuses that (old kernel, user namespace), "/proc" itself, but
 *     only if fstatfs says PROC_SUPER_MAGIC and it is procfs's root inode;
 *   - "self" and "thread-self" are read (readlink) and replaced by the
 *     numbers they point at, so the rest resolves with openat2
 *     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 *     RESOLVE_NO_XDEV (or a component walk that refuses symlinks and mount
 *     crossings where openat2 is missing);
 *   - the opened file is checked with fstatfs once more.
 * Anything else fails with an error naming the path. */
#ifndef HUSK_PROCFS_H
#define HUSK_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "util/compat.h"

/* Open an absolute path under /proc ("/proc/self/oom_score_adj",
 * "/proc/1234/uid_map", "/proc/sys/net/ipv4/ip_forward"); flags as open(2),
 * O_CLOEXEC|O_NOFOLLOW always added. Returns an fd or -1 (err names path). */
int procfs_open(const char *path, int flags, struct husk_error *err);

/* open(O_WRONLY) + one write of data, as the kernel's proc handlers want. */
int procfs_write(const char *path, const char *data, size_t len, struct husk_error *err);

/* Read a whole (small) file under /proc; *out NUL-terminated. */
int procfs_read(const char *path, char **out, struct husk_error *err);

/* "/proc" (as this process sees it) is the root of a procfs mount: what
 * mount(2) on "/proc/self/fd/N" needs, after pivot_root, to mean fd N and
 * not a path a fake /proc in the image chose. `why` goes into the error. */
int procfs_verify_mounted(const char *why, struct husk_error *err);

/* Is fd on procfs? (fstatfs) */
bool fd_is_procfs(int fd);

#endif
