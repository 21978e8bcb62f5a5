/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.intelRdt: the container's init joins a resctrl group (class of
 * service, CLOS) under the resctrl mount (found in mountinfo, usually
 * /sys/fs/resctrl), as runc does:
 *   - the group is <resctrl>/<closID>, or <resctrl>/<container id> without
 *     closID; it is made if missing, except that a closID with no schema at
 *     all must name a group that exists (made and configured beforehand);
 *   - l3CacheSchema, memBwSchema and the schemata lines are written, one per
 *     line, to its schemata file; the init's pid to its tasks file;
 *   - enableMonitoring: a monitoring group mon_groups/<container id> in it,
 *     which the init joins too;
 *   - delete removes the group if husk made it and no closID was given (a
 *     named CLOS may be shared by other containers), else only the
 *     container's monitoring group.
 * Kernel errors carry info/last_cmd_status. The resctrl root is a parameter
 * so that unit tests run against a fake tree. */
#ifndef HUSK_INTELRDT_H
#define HUSK_INTELRDT_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define STATE_INTELRDT "intelrdt"

/* The resctrl mount point from a mountinfo file (NULL: /proc/self/mountinfo).
 * Returns 1 and a malloc'd *root, 0 when there is none, -1 on error. */
int intelrdt_find_root(const char *mountinfo, char **root, struct husk_error *err);

/* Before any side effect: what the config asks is there under `root`
 * (NULL: not mounted, which is the error). */
int intelrdt_check(const struct husk_intel_rdt *r, const char *root, struct husk_error *err);

/* Record the plan in dirfd (for delete and for cleanup), make or join the
 * group, write the schemata, move pid into it (and its monitoring group). */
int intelrdt_apply(const struct husk_intel_rdt *r, const char *root, const char *id, pid_t pid, int dirfd,
                   struct husk_error *err);

/* Write the schemata of r to the container's group (update). */
int intelrdt_write_schemata(const struct husk_intel_rdt *r, const char *root, const char *id, struct husk_error *err);

/* Undo what the record in dirfd says husk made. No record: nothing. */
int intelrdt_destroy(int dirfd, struct husk_error *err);

#endif
