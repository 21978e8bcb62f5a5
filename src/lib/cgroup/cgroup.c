/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup manager: where the container's cgroups are (its hierarchies,
 * from linux.cgroupsPath and discovery.c), and the public interface, which
 * goes through the manager's driver (struct cg_driver): cgroupfs.c writes
 * the hierarchies itself, systemd.c asks systemd for a scope first. Saved
 * to and restored from state.json in save.c; resource values are in
 * resources.c, device rules in devices.c / devices_bpf.c, statistics in
 * stats.c, the file I/O below them all in hier.c.
 *
 * One manager covers every hierarchy the container lives in: each mounted v1
 * hierarchy (found in /proc/self/mountinfo, so co-mounted "cpu,cpuacct" and
 * named ones like name=systemd work wherever they are mounted) and, on
 * hybrid and pure v2 hosts, the cgroup2 hierarchy.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup/cgroup_internal.h"
#include "util/log.h"
#include "util/failpoint.h"
#include "util/util.h"


bool cgroup_made(const struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].unusable)
                        return true;
        return false;
}

static char *join_rel(const char *a, const char *b)
{
        _cleanup_free_ char *j = xasprintf("%s/%s", a, b);
        return path_clean(j);
}

/* ------------------------------------------------------------------ */
/* the manager                                                          */

/* Strip a mount's root from a /proc/self/cgroup path: a hierarchy mounted
 * from "/foo" shows cgroup "/foo/bar" at <mount>/bar. */
static char *own_rel_to_mount(const char *own, const char *root)
{
        size_t rl = strlen(root);
        if (strcmp(root, "/") != 0 && strncmp(own, root, rl) == 0 && (own[rl] == '/' || !own[rl]))
                return path_clean(own + rl);
        return path_clean(own);
}

static int build_hiers(struct cgroup_manager *m, const char *cgpath, struct husk_error *err)
{
        struct cgroup_mounts *mounts = cgroup_mounts_read(err);
        if (!mounts)
                return -1;
        const struct cgroup_mount *mnts = mounts->v;
        size_t n = mounts->n;
        bool relative = cgpath[0] != '/';
        int r = 0;

        if (m->layout != CGROUP_LAYOUT_V2) {
                for (size_t i = 0; i < n; i++) {
                        if (!mnts[i].controllers || mnts[i].dup)
                                continue;
                        _cleanup_free_ char *rel = NULL;
                        if (relative) {
                                _cleanup_free_ char *own = cgroup_own_path(mnts[i].controllers);
                                if (!own) {
                                        r = husk_error_not_found(err, "cannot find own cgroup of %s in /proc/self/cgroup",
                                                                 mnts[i].controllers);
                                        goto out;
                                }
                                _cleanup_free_ char *base = own_rel_to_mount(own, mnts[i].root);
                                rel = join_rel(base, cgpath);
                        } else {
                                rel = path_clean(cgpath);
                        }
                        cg_add_hier(m, mnts[i].controllers, false, mnts[i].point, rel);
                }
        }
        if (m->layout != CGROUP_LAYOUT_V1) {
                const struct cgroup_mount *u = cgroup_mounts_v2(mounts, m->layout);
                if (!u) {
                        r = husk_error_not_found(err, "no cgroup2 mount found in /proc/self/mountinfo");
                        goto out;
                }
                _cleanup_free_ char *rel = NULL;
                if (relative) {
                        _cleanup_free_ char *own = cgroup_own_path(NULL);
                        if (!own) {
                                r = husk_error_not_found(err, "cannot find own cgroup2 path in /proc/self/cgroup");
                                goto out;
                        }
                        _cleanup_free_ char *base = own_rel_to_mount(own, u->root);
                        /* runc's rule on v2: our own cgroup most likely has
                         * processes (us), so by the no-internal-processes rule
                         * it cannot delegate controllers to a child; use its
                         * parent as the base. Rootless in a cgroup systemd
                         * delegated to us: inside it (delegate.c). */
                        _cleanup_free_ char *own_dir = xasprintf("%s%s", u->point, base);
                        if (m->rootless && m->layout == CGROUP_LAYOUT_V2 && strcmp(base, "/") != 0 &&
                            (cg_is_delegated(own_dir) || cg_systemd_unit_delegated(base))) {
                                m->evac = xzalloc(sizeof(*m->evac));
                                m->evac->dir = TAKE_PTR(own_dir);
                                rel = join_rel(base, cgpath);
                        } else {
                                _cleanup_free_ char *parent = join_rel(base, "..");
                                rel = join_rel(parent, cgpath);
                        }
                } else {
                        rel = path_clean(cgpath);
                }
                cg_add_hier(m, "", true, u->point, rel);
        }
        if (m->n_h == 0)
                r = husk_error_unsupported(err, "no cgroup hierarchy is mounted");
        for (size_t i = 0; r == 0 && i < m->n_h; i++)
                if (strcmp(m->h[i].rel, "/") == 0)
                        r = husk_error_invalid(err, "\"%s\" resolves to the root cgroup", cgpath);
out:
        if (r < 0) {
                cgroup_mounts_free(mounts);
        } else {
                cgroup_mounts_free(m->mounts);
                m->mounts = mounts;
        }
        return r;
}

/* The path users see: the v2 one, else the memory one, else the first. */
static void set_display_path(struct cgroup_manager *m)
{
        struct cg_hier *h = cg_unified(m);
        for (size_t i = 0; !h && i < m->n_h; i++)
                if (cg_hier_has(&m->h[i], "memory"))
                        h = &m->h[i];
        if (!h)
                h = &m->h[0];
        free(m->path);
        m->path = xstrdup(h->rel);
}

int cgroup_manager_new(const struct husk_spec *spec, const struct cgroup_opts *opts,
                       struct cgroup_manager **out, struct husk_error *err)
{
        const char *cgpath = spec && spec->linux ? spec->linux->cgroups_path : NULL;
        _cleanup_free_ char *def = NULL, *unit = NULL, *slice = NULL;
        if (opts->systemd) {
                if (cg_systemd_resolve(cgpath, opts, &unit, &slice, &def, err) < 0)
                        return -1;
                cgpath = def;
        }
        /* runc's rootless rule: without a cgroupsPath, a cgroup we may not
         * create or join is no error; limits then fail (cg_missing). */
        bool optional = opts->rootless && !opts->systemd && (!cgpath || !*cgpath);
        if (!cgpath || !*cgpath) {
                if (!opts->id || !*opts->id)
                        return husk_error_invalid(err, "cgroup: no cgroupsPath and no container id");
                /* Unlike runc (whose default is the relative path "<id>",
                 * under its caller's cgroup), the default is a fixed
                 * absolute "/husk/<id>": the same on every host layout and
                 * never nested in the caller's session scope. */
                /* Rootless: runc's relative "<id>", so that it lands in a
                 * subtree delegated to the caller (on cgroup2 beside the
                 * caller's own cgroup). */
                def = opts->rootless ? xstrdup(opts->id) : xasprintf("/husk/%s", opts->id);
                cgpath = def;
        }
        if (strchr(cgpath, '\n'))
                return husk_error_invalid(err, "linux.cgroupsPath: contains a newline");

        struct cgroup_manager *m = cg_manager_alloc();
        m->layout = cgroup_detect_layout();
        m->rootless = opts->rootless;
        m->optional = optional;
        m->id = xstrdup(opts->id);
        m->driver = opts->systemd ? &cg_systemd : &cg_cgroupfs;
        m->sd_unit = TAKE_PTR(unit);
        m->sd_slice = TAKE_PTR(slice);
        if (build_hiers(m, cgpath, err) < 0) {
                cgroup_manager_free(m);
                return husk_error_wrap(err, "linux.cgroupsPath");
        }
        set_display_path(m);
        *out = m;
        return 0;
}

bool cgroup_is_systemd(const struct cgroup_manager *m)
{
        return m->driver->parent_adds_init;
}

const char *cgroup_manager_path(const struct cgroup_manager *m)
{
        return m->path;
}

const char *cgroup_freezer_dir(struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].v2 && !m->h[i].unusable && cg_hier_has(&m->h[i], "freezer"))
                        return m->h[i].dir;
        struct cg_hier *u = m->layout == CGROUP_LAYOUT_V2 ? cg_unified(m) : NULL;
        return u ? u->dir : NULL;
}

bool cgroup_hierarchy(struct cgroup_manager *m, size_t i, const char **mount, const char **dir, bool *v2)
{
        if (i >= m->n_h)
                return false;
        *mount = m->h[i].mount;
        *dir = m->h[i].unusable ? NULL : m->h[i].dir;
        *v2 = m->h[i].v2;
        return true;
}

const char *cgroup_unified_dir(struct cgroup_manager *m)
{
        struct cg_hier *u = cg_unified(m);
        return u && !u->unusable ? u->dir : NULL;
}

/* ------------------------------------------------------------------ */
/* through the driver                                                   */

int cgroup_create(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        return m->driver->create(m, res, err);
}

int cgroup_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err)
{
        if (sub_cgroup && *sub_cgroup && strstr(sub_cgroup, ".."))
                return husk_error_invalid(err, "sub-cgroup: %s is not a sub cgroup path (\"..\" is not allowed)",
                                          sub_cgroup);
        return m->driver->add_pid(m, pid, sub_cgroup, err);
}

int cgroup_join_prepare(struct cgroup_manager *m, int min_fd, struct husk_error *err)
{
        if (m->driver->parent_adds_init)
                return 0;
        return cg_fs_join_prepare(m, min_fd, err);
}

/* The manager's hierarchy for the one /proc/self/cgroup lists as `own`,
 * when the init will join it; NULL when it stays where it is. */
static const struct cg_hier *joined_hier(const struct cgroup_manager *m, const struct cgroup_own *own)
{
        for (size_t k = 0; k < m->n_h; k++)
                if (m->join_fds[k] >= 0 && m->h[k].v2 == own->v2 && strcmp(m->h[k].controllers, own->controllers) == 0)
                        return &m->h[k];
        return NULL;
}

int cgroup_joined_view(const struct cgroup_manager *m, struct cgroup_own **out, size_t *n_out)
{
        *out = NULL;
        *n_out = 0;
        if (m->driver->parent_adds_init || m->optional || !m->join_fds)
                return -1;
        struct husk_error err;
        struct cgroup_own *hs = NULL;
        size_t n = 0;
        if (cgroup_own_hierarchies(m->mounts, &hs, &n, &err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const struct cg_hier *h = joined_hier(m, &hs[i]);
                if (!h)
                        continue;
                /* another mount of that hierarchy: can't say what the
                 * init's /proc/self/cgroup will make of it */
                if (strcmp(h->mount, hs[i].mount) != 0) {
                        cgroup_own_free(hs, n);
                        return -1;
                }
                free(hs[i].dir);
                hs[i].dir = xstrdup(h->dir);
        }
        *out = hs;
        *n_out = n;
        return 0;
}

const struct cgroup_mounts *cgroup_manager_mounts(const struct cgroup_manager *m)
{
        return m ? m->mounts : NULL;
}

enum cgroup_layout cgroup_manager_layout(const struct cgroup_manager *m)
{
        return m->layout;
}

int cgroup_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        return m->driver->update(m, res, err);
}

int cgroup_freeze(struct cgroup_manager *m, bool freeze, struct husk_error *err)
{
        return m->driver->freeze(m, freeze, err);
}

int cgroup_kill_all(struct cgroup_manager *m, int sig, struct husk_error *err)
{
        return m->driver->kill(m, sig, err);
}

int cgroup_destroy(struct cgroup_manager *m, struct husk_error *err)
{
        return m->driver->destroy(m, err);
}

int cgroup_stats_json(struct cgroup_manager *m, char **json, struct husk_error *err)
{
        return m->driver->stats(m, json, err);
}
