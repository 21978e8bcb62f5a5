/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup manager: one interface over cgroup v1, hybrid, pure v2 and the
 * systemd driver. The lifecycle code calls only these functions. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_parse.h>

#include "cgroup/discovery.h"
#include "husk/error.h"
#include "husk/spec.h"

struct cgroup_manager;

struct cgroup_opts {
        const char *id;                 /* container id */
        bool systemd;                   /* --systemd-cgroup */
        bool rootless;                  /* rootless cgroups (runc's rules): no devices; without a
                                         * cgroupsPath the default is "<id>" and a cgroup we may not
                                         * create or join is skipped (limits then fail) */
};

/* Work out the cgroup path(s) from linux.cgroupsPath. Nothing is touched on
 * the host yet.
 *   - absolute "/a/b": that path below the root of every hierarchy;
 *   - relative "a/b": below the runtime's own cgroup of each hierarchy
 *     (/proc/self/cgroup); on cgroup2 below its *parent*, as runc does,
 *     because our own cgroup holds processes and so can not delegate
 *     controllers to a child;
 *   - absent: "/husk/<id>" (runc's default is the relative "<id>"; a fixed
 *     absolute path is the same on every layout and never lands inside the
 *     caller's session scope).
 * The manager also remembers linux.devices (spec may be NULL): their "rwm"
 * allow rules go into the device filter after the spec's rules.
 * opts->systemd: cgroupsPath is "slice:prefix:name" (default
 * "system.slice:husk:<id>"), the unit "<prefix>-<name>.scope" in that slice,
 * the cgroup /<slice path>/<unit>. Needs systemd running
 * (/run/systemd/system) and libsystemd; rootless (user bus) and a slice as
 * the unit are not supported yet (clear errors). See cgroup_is_systemd(). */
int cgroup_manager_new(const struct husk_spec *spec, const struct cgroup_opts *opts,
                       struct cgroup_manager **out, struct husk_error *err);
/* Rebuild a manager from cgroup_manager_save()'s string (state.json). */
int cgroup_manager_restore(const char *saved, struct cgroup_manager **out, struct husk_error *err);
/* With the cgroup mounts (cgroup_mounts_read) read once for many restores
 * (husk list): restore_in() with mounts NULL reads them itself, as
 * restore() does. */
int cgroup_manager_restore_in(const char *saved, const struct cgroup_mounts *mounts, struct cgroup_manager **out,
                              struct husk_error *err);
char *cgroup_manager_save(const struct cgroup_manager *m);
/* Is the container whose manager is saved frozen? What restore_in() and
 * cgroup_is_frozen() say together (1 frozen or freezing, 0 not, -1 no
 * freezer or no manager), without building the manager: `husk list` asks
 * this for every live container. reader (may be NULL): the saved object
 * read already, while state.json was parsed (below). */
struct cgroup_saved_reader;
int cgroup_saved_frozen(const char *saved, const struct cgroup_saved_reader *reader,
                        const struct cgroup_mounts *mounts);
/* A reader of the saved object: give it the object's events (yajl
 * callbacks with ctx), as a parser of the object alone would, from the
 * '{' to its '}'. `husk list` so parses each state.json once. */
struct cgroup_saved_reader *cgroup_saved_reader_new(void);
const yajl_callbacks *cgroup_saved_reader_callbacks(void);
void *cgroup_saved_reader_ctx(struct cgroup_saved_reader *r);
void cgroup_saved_reader_free(struct cgroup_saved_reader *r);
static inline void cgroup_saved_reader_freep(struct cgroup_saved_reader **r)
{
        cgroup_saved_reader_free(*r);
}
/* False when a rootless create could make no cgroup at all (the container
 * then runs without one, as with runc). */
bool cgroup_made(const struct cgroup_manager *m);
void cgroup_manager_free(struct cgroup_manager *m);

/* Joining from the init itself, in two halves. cgroup_join_prepare (the
 * parent, as root, before any user namespace): opens each v1 hierarchy's
 * "tasks" and cgroup2's directory and cgroup.procs. cgroup_join_prepared
 * (the stage to move, single-threaded): writes "0" to each, which moves the
 * caller; in_v2 when clone3(CLONE_INTO_CGROUP, cgroup_v2_fd) already put it
 * in the cgroup2 cgroup (a cgroup.procs write waits for an RCU grace period).
 * Neither needs the rights to open the files after prepare, and prepared
 * touches no memory. The fds are close-on-exec and >= min_fd. No-op with systemd (the parent moves the init). */
int cgroup_join_prepare(struct cgroup_manager *m, int min_fd, struct husk_error *err);
int cgroup_join_prepared(const struct cgroup_manager *m, bool in_v2, struct husk_error *err);
/* The hierarchies as cgroup_own_hierarchies() will list them once the
 * caller has run cgroup_join_prepared(): for an init that makes its mounts
 * (the cgroup one among them) before joining. -1 when that can't be known
 * beforehand: systemd (the parent moves the init), rootless (a join may
 * fail and is then skipped), another mount of a joined hierarchy listed
 * first. Free with cgroup_own_free(). */
int cgroup_joined_view(const struct cgroup_manager *m, struct cgroup_own **out, size_t *n);
/* The cgroup mounts the manager was built from (NULL if restored from a
 * state file): a forked init can reuse them (cgroup_own_hierarchies). */
const struct cgroup_mounts *cgroup_manager_mounts(const struct cgroup_manager *m);
enum cgroup_layout cgroup_manager_layout(const struct cgroup_manager *m);
/* The fds prepare opened (to keep across close_fds_from); at most max. */
size_t cgroup_join_fds(const struct cgroup_manager *m, int *out, size_t max);
/* Create the cgroup(s) (mkdir -p in every hierarchy; v1 cpuset levels get
 * cpus/mems from their parent; on cgroup2 the needed controllers are
 * enabled in the ancestors' subtree_control) and apply `res` (may be NULL).
 * Device rules are always applied (not rootless): default deny, then
 * res->devices, then allow rules for the spec's linux.devices, then
 * cgroup_default_device_rules() -- as runc; the caller passes the spec's
 * rules unchanged. On failure the directories it made are removed again. */
int cgroup_create(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
/* systemd driver: true. Then cgroup_create only remembers the resources,
 * cgroup_join_prepare is a no-op, and the parent must call
 * cgroup_add_pid(m, init_pid, NULL) once it knows the init's pid and before
 * the init may fork or exec (runc's order; a scope can not start empty). */
bool cgroup_is_systemd(const struct cgroup_manager *m);
/* Move another process in (exec; sub_cgroup: a path below the container's
 * cgroup, or NULL). systemd driver: the first call (sub_cgroup NULL) starts
 * the transient scope with `pid` in it, then makes the other v1
 * hierarchies, enables delegation and writes the resources' files. */
int cgroup_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err);
/* exec on cgroup v2, as runc: when the container's cgroup takes no process
 * (EBUSY: it has controllers enabled for its children), put pid into the
 * cgroup the init is in now, which must be below the container's. */
int cgroup_add_pid_beside_init(struct cgroup_manager *m, pid_t pid, pid_t init, struct husk_error *err);
/* An O_DIRECTORY fd of the container's cgroup2 cgroup (pure v2 and hybrid)
 * for clone3(CLONE_INTO_CGROUP), or -1 (pure v1). The manager owns it
 * (closed by cgroup_manager_free); call after cgroup_create. Cloning into it
 * avoids the RCU grace period a cgroup.procs write costs (5-18 ms on this
 * host); cgroup_join_prepared(in_v2) then skips the cgroup2 hierarchy and
 * still joins the v1 ones (hybrid). */
int cgroup_v2_fd(struct cgroup_manager *m);
/* Apply new resources (husk update). Device rules are not touched (as runc
 * update). A failure writes the old values back (single-line files). */
int cgroup_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err);
/* v1 freezer.state (short backoff until it reads FROZEN/THAWED), else v2
 * cgroup.freeze + poll on cgroup.events until "frozen 1/0". 10 s bound. */
int cgroup_freeze(struct cgroup_manager *m, bool freeze, struct husk_error *err);
/* 1 frozen, 0 not, -1 error/unknown. */
int cgroup_is_frozen(struct cgroup_manager *m);
/* Every pid in the cgroup and its sub-cgroups; *pids is malloc'd. */
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, struct husk_error *err);
/* Pure v2 + SIGKILL: cgroup.kill. Else freeze, signal each pid, thaw (a
 * paused container stays paused, except after SIGKILL). */
int cgroup_kill_all(struct cgroup_manager *m, int sig, struct husk_error *err);
/* How many processes the OOM killer killed in the cgroup so far (v2
 * memory.events "oom_kill", v1 memory.oom_control "oom_kill"), -1 when
 * unknown: `events` reports an "oom" event when it grows. */
int64_t cgroup_oom_kill_count(struct cgroup_manager *m);
/* runc's "events --stats" data object, as a JSON string. */
int cgroup_stats_json(struct cgroup_manager *m, char **json, struct husk_error *err);
/* Kill what is left (SIGKILL), wait until empty (5 s bound), rmdir the leaf
 * (and sub-cgroups below it, not its parents) in every hierarchy.
 * Idempotent: a cgroup already gone is fine. */
int cgroup_destroy(struct cgroup_manager *m, struct husk_error *err);
/* The path shown to users (e.g. "/husk/c1"). */
const char *cgroup_manager_path(const struct cgroup_manager *m);
/* Host directories of the container's cgroup (e.g. for CRIU): the one
 * that freezes it (v1 freezer hierarchy, or the cgroup2 one on pure v2),
 * and the cgroup2 one (pure v2 or hybrid). NULL when there is none. */
const char *cgroup_freezer_dir(struct cgroup_manager *m);
const char *cgroup_unified_dir(struct cgroup_manager *m);
/* The i-th hierarchy (false past the last): its host mount point, the
 * container's dir in it (NULL when unusable) and whether it is cgroup2. */
bool cgroup_hierarchy(struct cgroup_manager *m, size_t i, const char **mount, const char **dir, bool *v2);

/* runc's default allowed devices (mknod c/b *:*, null, zero, full, random,
 * urandom, tty, console, ptmx, pts, net/tun), all "allow". Static array. */
const struct husk_device_rule *cgroup_default_device_rules(size_t *n);
/* cpu.shares -> cpu.weight, runc's linear mapping: 1 + ((s-2)*9999)/262142. */
uint64_t cgroup_shares_to_weight(uint64_t shares);

#endif
