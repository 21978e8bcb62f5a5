/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the cgroupfs driver's files share: the manager's insides and the
 * bottom layer every controller setter uses (hier.c: which hierarchy
 * carries a controller, cgroup file I/O, the update transaction). Not for
 * other modules. */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup/cgroup.h"

/* One hierarchy the container lives in: a v1 mount (one or more co-mounted
 * controllers, or a named one like name=systemd) or the cgroup2 mount. */
struct cg_hier {
        char *controllers;      /* v1: "cpu,cpuacct", "name=systemd"; v2: "" */
        bool v2;
        char *mount;            /* where the hierarchy is mounted */
        char *rel;              /* container cgroup, relative to the mount: "/husk/c1" */
        char *dir;              /* mount + rel */
        bool unusable;          /* rootless (m->optional) and we could not create or join it */
        char **made;            /* dirs cgroup_create made, shallowest first (rollback) */
};

/* An update's transaction: the old single-line values of the files it
 * wrote, so that a failed update can put them back (multi-line keyed files
 * such as io.max are not restorable this way and are left as they are).
 * cgroup_update passes one down to every write; create passes NULL (its
 * rollback removes the directories instead). */
struct cg_txn {
        char **paths;
        char **olds;
        size_t n;
};
/* Record <h->dir>/<file>'s current value (if it is a single line) before
 * something other than cg_write changes it: systemd, for its unit. */
void cg_txn_record(struct cg_txn *t, const struct cg_hier *h, const char *file);
void cg_txn_rollback(struct cg_txn *t);
void cg_txn_free(struct cg_txn *t);

/* A driver: how the container's cgroups are made, joined, changed and
 * removed (libcrun's cgroup manager, youki's CgroupManager). cgroupfs.c
 * writes the hierarchies itself; systemd.c has systemd start a transient
 * scope and does the rest with cgroupfs.c's steps. The public functions of
 * cgroup.h call these. */
struct cg_driver {
        const char *name;
        /* the parent moves the init in (add_pid) once it exists, instead
         * of the init joining from prepared fds: a scope can't start empty */
        bool parent_adds_init;
        int (*create)(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
        int (*add_pid)(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err);
        int (*update)(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
        int (*freeze)(struct cgroup_manager *m, bool freeze, struct husk_error *err);
        int (*kill)(struct cgroup_manager *m, int sig, struct husk_error *err);
        int (*destroy)(struct cgroup_manager *m, struct husk_error *err);
        int (*stats)(struct cgroup_manager *m, char **json, struct husk_error *err);
};
extern const struct cg_driver cg_cgroupfs, cg_systemd;

struct cgroup_manager {
        const struct cg_driver *driver;
        enum cgroup_layout layout;
        bool rootless;
        bool optional;          /* rootless without a cgroupsPath: no permission is no error */
        char *id;
        char *path;             /* shown to users */
        struct cg_hier *h;
        size_t n_h;
        int v2_fd;
        /* cgroup_join_prepare: per hierarchy (index of h), the file the
         * init writes "0" to, or -1 */
        int *join_fds;
        /* systemd driver */
        char *sd_unit;          /* "husk-c1.scope" */
        char *sd_slice;         /* "system.slice" */
        bool sd_started;
        const struct husk_resources *sd_res;    /* from cgroup_create, until the unit starts */
        /* rootless, pure v2, our own cgroup delegated to us (delegate.c):
         * its processes move to a leaf before it enables controllers */
        struct cg_evacuation *evac;
        /* the cgroup mounts build_hiers read (NULL for a restored manager):
         * the init, a fork of the creating process, reuses them instead of
         * reading its mountinfo again */
        struct cgroup_mounts *mounts;
};

/* What cg_evacuate did to the delegated cgroup `dir`, so that a create
 * that fails can put it back as it was (cg_evacuate_undo). Only the
 * creating process has it: it is not saved in the state. */
struct cg_evacuation {
        char *dir;
        char *subtree_before;   /* its cgroup.subtree_control before; NULL: untouched yet */
        bool made_leaf;         /* we made dir/husk-caller */
        pid_t *moved;           /* the processes we moved there */
        size_t n_moved;
};

/* hier.c: a new empty manager (v2_fd -1); append a hierarchy (mount + rel
 * is its dir). */
struct cgroup_manager *cg_manager_alloc(void);
void cg_add_hier(struct cgroup_manager *m, const char *controllers, bool v2, const char *mount, const char *rel);

/* The hierarchy that carries `controller` ("memory", "hugetlb", ...): its v1
 * mount when there is one, else the cgroup2 hierarchy when that controller is
 * available there (pure v2, or hybrid for the controllers the unified mount
 * holds). NULL when the host has it nowhere. */
struct cg_hier *cg_controller(struct cgroup_manager *m, const char *controller);
struct cg_hier *cg_unified(struct cgroup_manager *m);
bool cg_hier_has(const struct cg_hier *h, const char *controller);
/* Is `controller` listed in the cgroup.controllers of the cgroup2 mount's
 * root (what the hierarchy can offer at all)? */
bool cg_v2_root_offers(const struct cg_hier *u, const char *controller);
bool cg_file_exists(const struct cg_hier *h, const char *file);

/* Write `value` to <h->dir>/<file>, first recording its old value in tx
 * (may be NULL); the error names the spec field, the value and the file:
 * "linux.resources.memory.limit: write "10" to
 * /sys/fs/cgroup/memory/husk/c1/memory.limit_in_bytes: Invalid argument". */
int cg_write(struct cg_txn *tx, const struct cg_hier *h, const char *file, const char *value, const char *field,
             struct husk_error *err);
int cg_writef(struct cg_txn *tx, const struct cg_hier *h, const char *file, const char *field,
              struct husk_error *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Read a whole cgroup file (trailing newline stripped); NULL when missing. */
char *cg_read(const struct cg_hier *h, const char *file);
int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *out);
/* Error for a resource whose controller the host lacks, or (rootless) that
 * we could not create or join. */
int cg_missing(const struct cgroup_manager *m, struct husk_error *err, const char *field, const char *controller);
/* Before h's (empty) cgroup is removed: give back the realtime budget the
 * default parent "/husk" holds for it (resources.c). */
void cg_rt_release(struct cg_hier *h);

/* cgroupfs.c: the cgroupfs driver's steps, which the systemd driver uses
 * too. create: mkdir, check_reuse (a cgroup that exists must be empty and
 * not frozen), delegation, resources; undone on failure. drain: kill
 * what is in the cgroup and wait until it's empty. remove: rmdir every
 * hierarchy's cgroup, and with parent the default "/husk" when empty. */
int cg_fs_create(struct cgroup_manager *m, const struct husk_resources *res, bool check_reuse,
                 struct husk_error *err);
int cg_fs_join_prepare(struct cgroup_manager *m, int min_fd, struct husk_error *err);
int cg_fs_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err);
int cg_fs_check_reusable(struct cgroup_manager *m, struct husk_error *err);
int cg_fs_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
/* update's writes, recorded in tx (which may hold earlier records: the first
 * of a file wins); the caller rolls back on failure */
int cg_fs_update_in(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                    struct husk_error *err);
int cg_fs_freeze(struct cgroup_manager *m, bool freeze, struct husk_error *err);
int cg_fs_kill(struct cgroup_manager *m, int sig, struct husk_error *err);
int cg_fs_drain(struct cgroup_manager *m, struct husk_error *err);
int cg_fs_remove(struct cgroup_manager *m, bool parent, struct husk_error *err);
/* stats.c: runc's "events --stats" data object */
int cg_fs_stats_json(struct cgroup_manager *m, char **json, struct husk_error *err);

/* resources.c: write the resources' files (update: a `husk update`, tx
 * its transaction; create: tx NULL, and the device rules too). */
int cg_apply_resources(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res, bool update,
                       struct husk_error *err);
/* Which v2 controllers the resources need (for subtree_control in hybrid). */
char **cg_needed_v2_controllers(struct cgroup_manager *m, const struct husk_resources *res);

/* devices.c: rules in order, last match wins, default deny. */
int cg_devices_apply(struct cgroup_manager *m, const struct husk_device_rule *rules, size_t n,
                     struct husk_error *err);
/* devices_bpf.c */
int cg_bpf_devices_attach(const char *dir, const struct husk_device_rule *rules, size_t n,
                          struct husk_error *err);


/* delegate.c */
/* Did systemd delegate the cgroup `dir` (a full path) to its owner? */
bool cg_is_delegated(const char *dir);
/* Move every process of m->evac->dir into its leaf child "husk-caller",
 * recording what it changes there. */
int cg_evacuate(struct cgroup_manager *m, struct husk_error *err);
/* After a failed create (the container's cgroup removed already): the
 * controllers enabled in m->evac->dir since cg_evacuate are disabled, the
 * processes moved go back, husk-caller goes if we made it. Left alone
 * when dir has another child (another container uses the delegation). */
void cg_evacuate_undo(struct cgroup_manager *m);
/* Rootless: refuse limits for a cgroup right in a systemd slice. */
int cg_check_slice_parent(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);

/* systemd.c */
/* user: rootless, the default slice is user.slice (of the user's instance) */
int cg_systemd_parse(const char *cgpath, const char *id, bool user, char **unit, char **slice, char **rel,
                     struct husk_error *err);
/* The cgroup of the user's systemd instance (its Manager's ControlGroup,
 * "/user.slice/user-1000.slice/user@1000.service"): its units live below. */
int cg_systemd_user_root(char **out, struct husk_error *err);
bool cg_systemd_available(void);
int cg_systemd_resolve(const char *cgpath, const struct cgroup_opts *opts, char **unit, char **slice, char **path,
                       struct husk_error *err);
/* Is the systemd unit whose cgroup is `cg` (below the cgroup2 mount; a
 * *.scope or *.service) Delegate=yes? Asks the user's instance for a cgroup
 * below user@UID.service, else the system's; false when it can't tell. */
bool cg_systemd_unit_delegated(const char *cg);
int cg_systemd_start(struct cgroup_manager *m, pid_t pid, const struct husk_resources *res, struct husk_error *err);
int cg_systemd_stop(struct cgroup_manager *m, struct husk_error *err);

#endif
