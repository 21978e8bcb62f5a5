/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup manager: one interface over cgroup v1, hybrid, pure v2 and the
 * systemd driver. The lifecycle code calls only these functions. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct cgroup_manager;

enum cgroup_layout { CGROUP_LAYOUT_V1, CGROUP_LAYOUT_HYBRID, CGROUP_LAYOUT_V2 };

struct cgroup_opts {
        const char *id;                 /* container id */
        bool systemd;                   /* --systemd-cgroup */
        bool rootless;                  /* failures to create are warnings */
};

/* Detect the host layout (statfs of /sys/fs/cgroup and .../unified). */
enum cgroup_layout cgroup_detect_layout(void);

/* Work out the cgroup path(s) from linux.cgroupsPath (default when NULL:
 * "/husk/<id>" cgroupfs, "system.slice:husk:<id>" systemd). Nothing is
 * touched on the host yet. */
int cgroup_manager_new(const struct husk_spec *spec, const struct cgroup_opts *opts,
                       struct cgroup_manager **out, struct husk_error *err);
/* Rebuild a manager from cgroup_manager_save()'s string (state.json). */
int cgroup_manager_restore(const char *saved, struct cgroup_manager **out, struct husk_error *err);
char *cgroup_manager_save(const struct cgroup_manager *m);
void cgroup_manager_free(struct cgroup_manager *m);

/* Create the cgroup(s) and apply spec resources. On failure nothing is left. */
int cgroup_create(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
/* Called by the container's own init before it can fork: join every
 * hierarchy (v1: write "0" to each tasks file, avoids the RCU wait). */
int cgroup_enter_self(struct cgroup_manager *m, struct husk_error *err);
/* Move another process in (exec, systemd scope). */
int cgroup_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err);
/* v2: an O_DIRECTORY fd of the container's cgroup for clone3(CLONE_INTO_CGROUP), or -1. */
int cgroup_v2_fd(struct cgroup_manager *m);
/* Apply new resources (husk update). A failure leaves the old limits. */
int cgroup_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
int cgroup_freeze(struct cgroup_manager *m, bool freeze, struct husk_error *err);
/* 1 frozen, 0 not, -1 error/unknown. */
int cgroup_is_frozen(struct cgroup_manager *m);
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, struct husk_error *err);
int cgroup_kill_all(struct cgroup_manager *m, int sig, struct husk_error *err);
/* runc's "events --stats" data object, as a JSON string. */
int cgroup_stats_json(struct cgroup_manager *m, char **json, struct husk_error *err);
/* Kill what is left, remove the cgroup(s) (and systemd unit). Idempotent. */
int cgroup_destroy(struct cgroup_manager *m, struct husk_error *err);
/* The path shown to users (e.g. "/husk/c1"). */
const char *cgroup_manager_path(const struct cgroup_manager *m);

#endif
