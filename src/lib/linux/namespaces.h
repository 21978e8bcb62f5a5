/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces: which to create, joining the ones given by path, user
 * namespace id maps and time namespace offsets. */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

/* CLONE_NEW* flags of the namespaces the spec asks to create (no path). */
int ns_new_flags(const struct husk_spec *spec);
/* setns() into every namespace given by path, user first and mount last.
 * Opens every path before joining any, so a bad path fails cleanly. */
int ns_join_all(const struct husk_spec *spec, struct husk_error *err);
/* Write /proc/<pid>/{uid_map,setgroups,gid_map} of a process that made a
 * new user namespace (linux/idmap.c). Directly when we may (root, or an
 * unprivileged caller mapping only its own id: setgroups "deny" first);
 * ranges of an unprivileged caller go through newuidmap/newgidmap. */
int ns_write_idmaps(pid_t pid, const struct husk_spec *spec, struct husk_error *err);
/* Write one map file ("uid_map", "gid_map") of pid as it is, whole. */
int ns_write_idmap_file(pid_t pid, const char *file, const struct husk_idmap *m, size_t n,
                        struct husk_error *err);
/* After unshare(CLONE_NEWTIME), before the first child: linux.timeOffsets. */
int ns_write_time_offsets(const struct husk_spec *spec, struct husk_error *err);
const char *ns_name(int type);
/* The inode number of the initial user namespace (PROC_USER_INIT_INO:
 * fixed by the kernel; the others are allocated from 0xF0000000 up). */
#define NS_INITIAL_USER_INO 0xEFFFFFFDU
/* Is the caller in the initial user namespace (the kernel's fixed inode
 * number of /proc/self/ns/user)? false when that can't be told. */
bool ns_in_initial_userns(void);

#endif
