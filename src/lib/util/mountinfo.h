/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one parser of /proc/<pid>/mountinfo (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent maj:min root mountpoint mount-opts [optional...] - fstype source super-opts
 * root, mountpoint and source come back unescaped (the kernel writes space,
 * tab, newline and backslash as \040 \011 \012 \134). */
#ifndef HUSK_UTIL_MOUNTINFO_H
#define HUSK_UTIL_MOUNTINFO_H

#include <stdbool.h>

#include "husk/error.h"

struct mountinfo {
        int id, parent;
        unsigned major, minor;
        char *root, *mountpoint, *mount_opts;
        char *optional;         /* "shared:1 master:2", "" if none */
        char *fstype, *source, *super_opts;
};

/* Parse one line (without or with its '\n') in place: the strings point into
 * line. Returns false on a malformed line. */
bool mountinfo_parse_line(char *line, struct mountinfo *mi);

/* Calls fn for each well-formed line of path (NULL: /proc/self/mountinfo);
 * malformed lines are skipped. fn returns 0 to go on, > 0 to stop (returned),
 * < 0 on error (returns -1). */
typedef int (*mountinfo_fn)(const struct mountinfo *mi, void *data);
int mountinfo_foreach(const char *path, mountinfo_fn fn, void *data, struct husk_error *err);
/* The same for the lines of these filesystem types only (a NULL-terminated
 * list, e.g. cgroup and cgroup2): the others are not decoded. */
int mountinfo_foreach_fs(const char *path, const char *const *fstypes, mountinfo_fn fn, void *data,
                         struct husk_error *err);

#endif
