/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How the host's cgroup hierarchies look from this process: the layout
 * (v1, hybrid, pure v2), the cgroup mounts of this mount namespace
 * (/proc/self/mountinfo) and our own cgroups (/proc/self/cgroup). Read-only:
 * nothing here touches a cgroup. Used by the cgroup manager and by
 * linux/rootfs.c for the container's cgroup mount. */
#ifndef HUSK_CGROUP_DISCOVERY_H
#define HUSK_CGROUP_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"

enum cgroup_layout { CGROUP_LAYOUT_V1, CGROUP_LAYOUT_HYBRID, CGROUP_LAYOUT_V2 };

/* Detect the host layout (statfs of /sys/fs/cgroup and .../unified). */
enum cgroup_layout cgroup_detect_layout(void);
/* "v1", "hybrid", "v2"; parse: -1 for anything else. */
const char *cgroup_layout_name(enum cgroup_layout l);
int cgroup_layout_parse(const char *s, enum cgroup_layout *out);

/* One cgroup or cgroup2 mount. */
struct cgroup_mount {
        char *controllers;      /* v1: its known controllers in the kernel's order ("cpu,cpuacct",
                                 * "name=systemd", "" if none); NULL for cgroup2 */
        char *super_opts;       /* mountinfo's super options */
        char *root;             /* mountinfo field 4: the cgroup shown at the mount point */
        char *point;            /* the mount point */
        bool dup;               /* not the first mount of its hierarchy, or a v1 mount of no known
                                 * controller: the manager skips it */
};

/* Every cgroup / cgroup2 mount of a mount namespace, in mountinfo order. */
struct cgroup_mounts {
        struct cgroup_mount *v;
        size_t n;
        int *fds;               /* cgroup_mounts_keep_fds: v[i]'s O_PATH fd once opened, else -1 */
};
/* Of this mount namespace: /proc/self/mountinfo. */
struct cgroup_mounts *cgroup_mounts_read(struct husk_error *err);
/* Of a mountinfo file (tests give a fake one; NULL: this namespace's). */
struct cgroup_mounts *cgroup_mounts_read_file(const char *path, struct husk_error *err);
void cgroup_mounts_free(struct cgroup_mounts *m);
/* From now on cgroup_mounts_fd() keeps an fd of each mount point it opens
 * (until cgroup_mounts_free), so that many files under one mount are
 * opened without walking the mount point's path each time (husk list).
 * Only for a process that runs nothing in a container meanwhile. */
void cgroup_mounts_keep_fds(struct cgroup_mounts *m);
/* mt's mount point as an O_PATH directory fd, kept; -1 when m keeps none
 * or it can't be opened (then open by path). */
int cgroup_mounts_fd(const struct cgroup_mounts *m, const struct cgroup_mount *mt);
static inline void cgroup_mounts_freep(struct cgroup_mounts **m)
{
        cgroup_mounts_free(*m);
}
/* The mount to use for the cgroup2 hierarchy of this layout (the one at
 * /sys/fs/cgroup resp. /sys/fs/cgroup/unified, else the first), or NULL. */
const struct cgroup_mount *cgroup_mounts_v2(const struct cgroup_mounts *m, enum cgroup_layout layout);
/* The v1 mount of these controllers (the same string first, then the same
 * set in any order), or NULL. */
const struct cgroup_mount *cgroup_mounts_v1(const struct cgroup_mounts *m, const char *controllers);

/* Is `item` one of the comma-separated `list`? */
bool cgroup_list_has(const char *list, const char *item);
/* Two comma lists name the same controllers (order-insensitive). */
bool cgroup_same_controllers(const char *a, const char *b);
/* Our own cgroup in a hierarchy (/proc/self/cgroup), malloc'd, or NULL:
 * controllers NULL is the cgroup2 one. */
char *cgroup_own_path(const char *controllers);

/* Our hierarchies, as the container's cgroup mount shows them: each line
 * of /proc/self/cgroup matched to the first mount that carries it. */
struct cgroup_own {
        char *controllers;      /* as /proc/self/cgroup lists them; "" for cgroup2 */
        bool v2;
        char *mount;            /* the mount point on the host */
        char *dir;              /* our cgroup's dir in that mount; NULL when the mount shows
                                 * another part of the tree */
};
int cgroup_own_hierarchies(const struct cgroup_mounts *mounts, struct cgroup_own **out, size_t *n,
                           struct husk_error *err);
void cgroup_own_free(struct cgroup_own *v, size_t n);

#endif
