/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container without its own mount namespace (runtime-spec: a namespace
 * not listed is inherited from the runtime) gets its mounts in the caller's
 * mount namespace, all stacked on one recursive bind of the rootfs onto
 * itself (rootfs_prepare with no_mountns). Nothing else in the caller's
 * namespace is changed: no propagation of "/", no private parent; the
 * mounts propagate as any mount made on the rootfs there would.
 *
 * Before stage 2 makes any mount, create records in the state dir the mount
 * that is at the rootfs path now (its mount id), so that delete, or the
 * cleanup of a failed or killed create, detaches exactly what was stacked
 * on it since, and never the engine's own rootfs mount (an overlay mounted
 * at the rootfs stays). */
#ifndef HUSK_HOSTNS_MOUNTS_H
#define HUSK_HOSTNS_MOUNTS_H

#include "husk/error.h"

#define STATE_HOST_MOUNTS "host-mounts"

/* Write <dirfd>/host-mounts: "<mount id> <rootfs>\n". */
int hostns_mounts_record(int dirfd, const char *rootfs, struct husk_error *err);
/* Detach every mount stacked on the rootfs since the record (lazily, with
 * what is under them). No record: nothing to do. */
int hostns_mounts_cleanup(int dirfd, struct husk_error *err);

#endif
