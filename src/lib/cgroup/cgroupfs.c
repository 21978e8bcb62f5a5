/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroupfs driver: the container's cgroups made, joined, frozen,
 * signalled and removed by writing the hierarchies directly (every v1
 * hierarchy of the manager and, on hybrid and pure v2 hosts, cgroup2). The
 * systemd driver (systemd.c) uses these steps for what systemd leaves to
 * it. Also the reads both drivers share: pids, freezer state, OOM count,
 * the join fds.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup/cgroup_internal.h"
#include "util/log.h"
#include "util/failpoint.h"
#include "util/util.h"

/* Sleep `*ms` milliseconds and double it (capped): short waits for the few
 * kernel transitions that have no notification (v1 freezer, rmdir EBUSY). */
static void backoff(unsigned *ms)
{
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)*ms * 1000000L };
        nanosleep(&ts, NULL);
        if (*ms < 16)
                *ms *= 2;
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* create / destroy                                                     */

/* v1 cpuset: a new cgroup starts with empty cpuset.cpus/mems and refuses
 * tasks until they are set; copy them from the parent. */
static int cpuset_fill_from_parent(const char *dir, struct husk_error *err)
{
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);
                _cleanup_free_ char *cur = NULL;
                if (read_file_at(AT_FDCWD, p, &cur, NULL, err) < 0)
                        return -1;
                if (cur[0] && cur[0] != '\n')
                        continue;
                _cleanup_free_ char *pp = xasprintf("%s/../%s", dir, files[i]);
                _cleanup_free_ char *parent = NULL;
                if (read_file_at(AT_FDCWD, pp, &parent, NULL, err) < 0)
                        return -1;
                if (write_file_at(AT_FDCWD, p, parent, strlen(parent), err) < 0)
                        return -1;
        }
        return 0;
}

/* mkdir every missing component below the mount; remember what we made. */
static int hier_mkdir(struct cgroup_manager *m, struct cg_hier *h, struct husk_error *err)
{
        bool cpuset = cg_hier_has(h, "cpuset");
        _cleanup_free_ char *p = xstrdup(h->dir);
        size_t base = strlen(h->mount);
        int tries = 0;
again:
        for (char *s = p + base + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (failpoint("cgroup: mkdir", err) < 0)
                        return -1;
                if (mkdir(p, 0755) == 0) {
                        h->made = strv_append(h->made, p);
                } else if (errno == ENOENT && tries++ < 3) {
                        /* a parent removed by a concurrent delete (the
                         * default "/husk" goes with its last container) */
                        *s = c;
                        goto again;
                } else if (errno != EEXIST) {
                        if (m->optional && (errno == EACCES || errno == EPERM || errno == EROFS)) {
                                log_debug("cgroup: cannot create %s (rootless): %s", p, strerror(errno));
                                h->unusable = true;
                                return 0;
                        }
                        return husk_error_sys(err, "create cgroup %s", p);
                }
                if (cpuset && cpuset_fill_from_parent(p, err) < 0)
                        return husk_error_wrap(err, "cgroup %s", p);
                if (!c)
                        break;
                *s = c;
        }
        return 0;
}

/* rmdir a cgroup and the sub-cgroups below it (exec --cgroup ones). The
 * rmdir is tried first: a cgroup rarely has children, and only those (or
 * tasks) make it fail, with EBUSY. */
static int rmdir_tree(const char *dir)
{
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        if (errno != EBUSY && errno != ENOTEMPTY)
                return -1;
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -1;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
                rmdir_tree(sub);
        }
        closedir(d);
        unsigned ms = 1;
        int64_t deadline = now_ms() + 2000;
        for (;;) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                /* EBUSY right after the last task left: the kernel is
                 * still tearing the css down. */
                if (errno != EBUSY || now_ms() > deadline)
                        return -1;
                backoff(&ms);
        }
}

static void rollback(struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++) {
                struct cg_hier *h = &m->h[i];
                if (h->made)
                        cg_rt_release(h);
                for (size_t j = strv_length(h->made); j > 0; j--)
                        rmdir_tree(h->made[j - 1]);
                strv_free(h->made);
                h->made = NULL;
        }
        cg_evacuate_undo(m);
}

/* cgroup2: enable controllers for the leaf by writing "+ctrl" to the
 * cgroup.subtree_control of every ancestor, from the mount down. */
/* rootless: a level we may not write (above the subtree delegated to us)
 * is skipped; what it lacks shows later as a missing file. */
static int v2_enable(struct cg_hier *u, char **ctrls, bool rootless, struct husk_error *err)
{
        if (!ctrls || !*ctrls)
                return 0;
        _cleanup_free_ char *p = xstrdup(u->dir);
        size_t base = strlen(u->mount);
        char *last = strrchr(p, '/');
        if (!last || (size_t)(last - p) < base)
                return 0;
        for (char *s = p + base;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                if (s > last)
                        break;
                char c = *s;
                *s = '\0';
                const char *lvl = *p ? p : "/";
                _cleanup_free_ char *avail_p = xasprintf("%s/cgroup.controllers", lvl);
                _cleanup_free_ char *avail = NULL;
                if (read_file_at(AT_FDCWD, avail_p, &avail, NULL, err) < 0)
                        return -1;
                /* What is on already is not written again: a rootless
                 * caller may not write the levels above its delegation. */
                _cleanup_free_ char *on_p = xasprintf("%s/cgroup.subtree_control", lvl);
                _cleanup_free_ char *on = NULL;
                if (read_file_at(AT_FDCWD, on_p, &on, NULL, NULL) < 0)
                        on = xstrdup("");
                for (char *q = on; *q; q++)
                        if (*q == ' ' || *q == '\n')
                                *q = ',';
                _cleanup_free_ char *cmd = xstrdup("");
                for (char **c2 = ctrls; *c2; c2++) {
                        struct cg_hier tmp = { .controllers = avail }, enabled = { .controllers = on };
                        for (char *q = avail; *q; q++)
                                if (*q == ' ' || *q == '\n')
                                        *q = ',';
                        if (!cg_hier_has(&tmp, *c2) || cg_hier_has(&enabled, *c2))
                                continue;
                        char *n = xasprintf("%s%s+%s", cmd, *cmd ? " " : "", *c2);
                        free(cmd);
                        cmd = n;
                }
                if (*cmd) {
                        _cleanup_free_ char *sc = xasprintf("%s/cgroup.subtree_control", lvl);
                        if (write_file_at(AT_FDCWD, sc, cmd, strlen(cmd), err) < 0) {
                                if (rootless && (errno == EACCES || errno == EPERM || errno == EROFS)) {
                                        log_debug("cgroup (rootless): cannot enable \"%s\" in %s", cmd, lvl);
                                        husk_error_clear(err);
                                } else {
                                        return husk_error_wrap(err, "enable controllers \"%s\"", cmd);
                                }
                        }
                }
                if (!c)
                        break;
                *s = c;
        }
        return 0;
}

/* Which controllers to delegate on the cgroup2 hierarchy: on pure v2 every
 * one the root offers (as runc does, so stats and later updates work); on
 * hybrid only those the resources need, so we do not change the host's
 * unified hierarchy for nothing. */
static int v2_prepare(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (!u)
                return 0;
        _cleanup_strv_ char **want = NULL;
        if (m->layout == CGROUP_LAYOUT_V2) {
                _cleanup_free_ char *p = xasprintf("%s/cgroup.controllers", u->mount);
                _cleanup_free_ char *s = NULL;
                if (read_file_at(AT_FDCWD, p, &s, NULL, err) < 0)
                        return -1;
                char *save = NULL;
                for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
                        want = strv_append(want, t);
        } else {
                want = cg_needed_v2_controllers(m, res);
        }
        if (m->evac && cg_evacuate(m, err) < 0)
                return -1;
        if (v2_enable(u, want, m->rootless, err) < 0) {
                if (!m->optional)
                        return -1;
                log_debug("cgroup (rootless): %s", err->msg);
        }
        return 0;
}

static struct cg_hier *procs_hier(struct cgroup_manager *m);
static struct cg_hier *freezer_hier(struct cgroup_manager *m);
static int keyed_value(const char *content, const char *key, int64_t *out);

/* A cgroup that existed before us must be empty and not frozen, as runc
 * (>= 1.2) requires: a second container on the same cgroupsPath would share
 * limits and be killed with the first; a frozen one would hang our init. */
static int check_reusable(struct cgroup_manager *m, struct husk_error *err)
{
        /* Frozen first, whichever hierarchy we made: on v1 the freezer
         * cgroup may pre-exist (or sit below a frozen parent) while the
         * others are new, and an init that joins it sleeps for good. */
        struct cg_hier *fz = freezer_hier(m);
        _cleanup_free_ char *events = fz && fz->v2 ? cg_read(fz, "cgroup.events") : NULL;
        int64_t v2_frozen = 0;
        if (events && keyed_value(events, "frozen", &v2_frozen) < 0)
                v2_frozen = 0;
        if (cgroup_is_frozen(m) == 1 || v2_frozen == 1)
                return husk_error_state(err, "container's cgroup unexpectedly frozen: %s (thaw it, or "
                                 "choose another linux.cgroupsPath)", fz->dir);
        struct cg_hier *h = procs_hier(m);
        if (!h || (strv_length(h->made) > 0 && strcmp(h->made[strv_length(h->made) - 1], h->dir) == 0))
                return 0;
        _cleanup_free_ char *procs = cg_read(h, "cgroup.procs");
        if (procs && *procs)
                return husk_error_exists(err, "container's cgroup is not empty: %s already exists and has "
                                         "processes", h->dir);
        return 0;
}

/* The same check before systemd starts the scope (the systemd driver): a
 * frozen scope cgroup left behind would freeze the init it is given. */
int cg_fs_check_reusable(struct cgroup_manager *m, struct husk_error *err)
{
        if (check_reusable(m, err) < 0)
                return husk_error_wrap(err, "cgroup %s", m->path);
        return 0;
}

int cg_fs_create(struct cgroup_manager *m, const struct husk_resources *res, bool check_reuse,
                 struct husk_error *err)
{
        for (size_t i = 0; i < m->n_h; i++) {
                if (hier_mkdir(m, &m->h[i], err) < 0)
                        goto fail;
        }
        if (check_reuse && check_reusable(m, err) < 0)
                goto fail;
        if (check_reuse && cg_check_slice_parent(m, res, err) < 0)
                goto fail;
        if (v2_prepare(m, res, err) < 0)
                goto fail;
        if (cg_apply_resources(NULL, m, res, false, err) < 0)
                goto fail;
        for (size_t i = 0; i < m->n_h; i++) {
                strv_free(m->h[i].made);
                m->h[i].made = NULL;
        }
        return 0;
fail:
        rollback(m);
        return husk_error_wrap(err, "cgroup %s", m->path);
}

static int fs_create(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        return cg_fs_create(m, res, true, err);
}

int cg_fs_update_in(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                    struct husk_error *err)
{
        if (v2_prepare(m, res, err) < 0)
                return husk_error_wrap(err, "cgroup %s", m->path);
        if (cg_apply_resources(tx, m, res, true, err) < 0)
                return husk_error_wrap(err, "update cgroup %s", m->path);
        return 0;
}

int cg_fs_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        struct cg_txn tx = { 0 };
        int r = cg_fs_update_in(&tx, m, res, err);
        if (r < 0)
                cg_txn_rollback(&tx);
        cg_txn_free(&tx);
        return r;
}

/* ------------------------------------------------------------------ */
/* joining                                                              */

/* fd at or above min (the container's preserved fds are below), close-on-exec */
static int fd_at_least(int fd, int min)
{
        if (fd < 0 || fd >= min)
                return fd;
        int n = fcntl(fd, F_DUPFD_CLOEXEC, min);
        close(fd);
        return n;
}

int cg_fs_join_prepare(struct cgroup_manager *m, int min_fd, struct husk_error *err)
{
        if (m->join_fds)
                return 0;
        if (cgroup_v2_fd(m) >= 0)
                m->v2_fd = fd_at_least(m->v2_fd, min_fd);
        m->join_fds = xmalloc((m->n_h ? m->n_h : 1) * sizeof(int));
        for (size_t i = 0; i < m->n_h; i++)
                m->join_fds[i] = -1;
        for (size_t i = 0; i < m->n_h; i++) {
                struct cg_hier *h = &m->h[i];
                if (h->unusable)
                        continue;
                if (h->v2 && cgroup_v2_fd(m) < 0 && !m->optional)
                        return husk_error_sys(err, "open cgroup %s", h->dir);
                /* v1 "tasks" with "0" moves only the calling thread and
                 * skips the threadgroup lock (and its RCU grace period);
                 * the init is single-threaded. cgroup2's cgroup.procs is the
                 * fallback for when clone3 can't put the init there. */
                _cleanup_free_ char *p = xasprintf("%s/%s", h->dir, h->v2 ? "cgroup.procs" : "tasks");
                m->join_fds[i] = fd_at_least(open(p, O_WRONLY | O_CLOEXEC), min_fd);
                if (m->join_fds[i] < 0) {
                        if (m->optional && (errno == EACCES || errno == EPERM || errno == EROFS)) {
                                log_debug("cgroup: cannot join %s (rootless)", h->dir);
                                continue;
                        }
                        return husk_error_sys(err, "join cgroup: open %s", p);
                }
        }
        return 0;
}

size_t cgroup_join_fds(const struct cgroup_manager *m, int *out, size_t max)
{
        size_t n = 0;
        if (m->v2_fd >= 0 && n < max)
                out[n++] = m->v2_fd;
        for (size_t i = 0; m->join_fds && i < m->n_h && n < max; i++)
                if (m->join_fds[i] >= 0)
                        out[n++] = m->join_fds[i];
        return n;
}

int cgroup_join_prepared(const struct cgroup_manager *m, bool in_v2, struct husk_error *err)
{
        for (size_t i = 0; m->join_fds && i < m->n_h; i++) {
                if (m->join_fds[i] < 0 || (in_v2 && m->h[i].v2))
                        continue;
                if (write(m->join_fds[i], "0", 1) != 1) {
                        if (m->optional)
                                continue;
                        return husk_error_sys(err, "join cgroup %s", m->h[i].dir);
                }
        }
        return 0;
}

/* Does hierarchy h hold one of the comma-separated controllers? */
static bool hier_has_any(const struct cgroup_manager *m, const struct cg_hier *h, const char *ctrls)
{
        _cleanup_free_ char *copy = xstrdup(ctrls);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (h->v2 ? m->layout == CGROUP_LAYOUT_V2 && cg_v2_root_offers(h, t) : cg_hier_has(h, t))
                        return true;
        return false;
}

/* runc's exec --cgroup, one entry per line (the flag may repeat): "path"
 * for every hierarchy (alone only), or "ctrl[,ctrl]:path" for the
 * hierarchies of those controllers; the others keep the container's
 * cgroup. Checked whole before the process moves anywhere. */
struct sub_entry {
        char *ctrls;    /* NULL: every hierarchy */
        const char *path;
        bool matched;
};

static bool csv_has(const char *csv, const char *t)
{
        size_t len = strlen(t);
        for (const char *p = csv; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                if (strncmp(p, t, len) == 0 && (p[len] == ',' || p[len] == '\0'))
                        return true;
        return false;
}

static int parse_sub_cgroups(char *list, struct sub_entry *e, size_t max, size_t *n, struct husk_error *err)
{
        *n = 0;
        char *save = NULL;
        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (*n == max)
                        return husk_error_invalid(err, "--cgroup: more than %zu entries", max);
                char *colon = strchr(line, ':');
                e[*n] = (struct sub_entry){ .path = line };
                if (colon) {
                        *colon = '\0';
                        e[*n].ctrls = line;
                        e[*n].path = colon + 1;
                        if (!*line || strstr(line, ",,") || *line == ',' || line[strlen(line) - 1] == ',')
                                return husk_error_invalid(err, "--cgroup \"%s:%s\": empty controller name", line,
                                                          colon + 1);
                }
                (*n)++;
        }
        for (size_t i = 0; i < *n; i++) {
                if (!e[i].ctrls && *n > 1)
                        return husk_error_invalid(err, "--cgroup \"%s\": a path without a controller: prefix "
                                                  "must be the only --cgroup", e[i].path);
                for (size_t j = 0; e[i].ctrls && j < i; j++) {
                        _cleanup_free_ char *copy = xstrdup(e[i].ctrls);
                        char *sv = NULL;
                        for (char *t = strtok_r(copy, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
                                if (csv_has(e[j].ctrls, t))
                                        return husk_error_invalid(err, "--cgroup: controller %s given more "
                                                                  "than once", t);
                }
        }
        return 0;
}

/* The sub-cgroup of hierarchy h, or NULL for the container's own. */
static const char *sub_for(const struct cgroup_manager *m, const struct cg_hier *h, struct sub_entry *e, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (e[i].ctrls && !hier_has_any(m, h, e[i].ctrls))
                        continue;
                e[i].matched = true;
                return *e[i].path ? e[i].path : NULL;
        }
        return NULL;
}

int cg_fs_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err)
{
        _cleanup_free_ char *list = xstrdup(sub_cgroup ? sub_cgroup : "");
        struct sub_entry e[32];
        size_t n;
        if (parse_sub_cgroups(list, e, ARRAY_SIZE(e), &n, err) < 0)
                return -1;
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].unusable)
                        (void)sub_for(m, &m->h[i], e, n);
        for (size_t i = 0; i < n; i++)
                if (e[i].ctrls && !e[i].matched)
                        return husk_error_not_found(err, "--cgroup \"%s:%s\": no hierarchy has controller "
                                                    "\"%s\"", e[i].ctrls, e[i].path, e[i].ctrls);
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < m->n_h; i++) {
                struct cg_hier *h = &m->h[i];
                if (h->unusable)
                        continue;
                const char *sub = sub_for(m, h, e, n);
                _cleanup_free_ char *dir = sub ? xasprintf("%s/%s", h->dir, sub) : xstrdup(h->dir);
                _cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
                if (write_file_at(AT_FDCWD, p, buf, strlen(buf), err) < 0) {
                        if (m->optional && (errno == EACCES || errno == EPERM || errno == EROFS)) {
                                log_debug("cgroup: cannot move %d into %s (rootless)", (int)pid, dir);
                                continue;
                        }
                        return husk_error_wrap(err, "move process %d into cgroup", (int)pid);
                }
        }
        return 0;
}

int cgroup_add_pid_beside_init(struct cgroup_manager *m, pid_t pid, pid_t init, struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (m->layout != CGROUP_LAYOUT_V2 || !u)
                return husk_error_unsupported(err, "join the init's cgroup: needs cgroup v2");
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)init);
        _cleanup_free_ char *content = NULL;
        if (read_file_at(AT_FDCWD, path, &content, NULL, err) < 0)
                return husk_error_wrap(err, "join the init's cgroup");
        const char *line = strncmp(content, "0::", 3) == 0 ? content : strstr(content, "\n0::");
        if (!line)
                return husk_error_not_found(err, "join the init's cgroup: no cgroup v2 line in %s", path);
        line += line[0] == '\n' ? 4 : 3;
        _cleanup_free_ char *cg = xstrndup(line, strcspn(line, "\n"));
        size_t rl = strcmp(u->rel, "/") == 0 ? 0 : strlen(u->rel);
        if (strncmp(cg, u->rel, rl) != 0 || (cg[rl] != '/' && cg[rl] != '\0') || strstr(cg, "/.."))
                return husk_error_invalid(err, "join the init's cgroup: %s is not below the container's %s", cg,
                                          u->rel);
        _cleanup_free_ char *procs = xasprintf("%s%s/cgroup.procs", u->mount, cg);
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        log_debug("cgroup: %s takes no process, joining the init's cgroup %s", u->dir, cg);
        if (write_file_at(AT_FDCWD, procs, buf, strlen(buf), err) < 0)
                return husk_error_wrap(err, "move process %d into the init's cgroup", (int)pid);
        return 0;
}

int cgroup_v2_fd(struct cgroup_manager *m)
{
        if (m->v2_fd >= 0)
                return m->v2_fd;
        struct cg_hier *u = cg_unified(m);
        if (!u)
                return -1;
        m->v2_fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return m->v2_fd;
}

/* ------------------------------------------------------------------ */
/* freezer                                                              */

static struct cg_hier *freezer_hier(struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].unusable && cg_hier_has(&m->h[i], "freezer"))
                        return &m->h[i];
        struct cg_hier *u = cg_unified(m);
        if (u && cg_file_exists(u, "cgroup.freeze"))
                return u;
        return NULL;
}

/* Read "key value" from a flat-keyed file like cgroup.events. */
static int keyed_value(const char *content, const char *key, int64_t *out)
{
        size_t kl = strlen(key);
        for (const char *p = content; p && *p;) {
                if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
                        *out = strtoll(p + kl + 1, NULL, 10);
                        return 0;
                }
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return -1;
}

/* Wait (poll, no sleeping) until cgroup.events says `key want`. */
static int v2_wait_event(struct cg_hier *u, const char *key, int64_t want, int timeout_ms, struct husk_error *err)
{
        _cleanup_free_ char *p = xasprintf("%s/cgroup.events", u->dir);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "open %s", p);
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
                char buf[512];
                ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        return husk_error_sys(err, "read %s", p);
                buf[n] = '\0';
                int64_t v;
                if (keyed_value(buf, key, &v) < 0)
                        return husk_error_set(err, 0, "%s: no \"%s\" key", p, key);
                if (v == want)
                        return 0;
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return husk_error_set(err, ETIMEDOUT, "waiting for \"%s %lld\" in %s", key,
                                              (long long)want, p);
                struct pollfd pfd = { .fd = fd, .events = POLLPRI };
                if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
                        return husk_error_sys(err, "poll %s", p);
        }
}

static int v1_freeze(struct cg_hier *h, bool freeze, struct husk_error *err)
{
        const char *want = freeze ? "FROZEN" : "THAWED";
        unsigned ms = 1;
        int64_t deadline = now_ms() + 10000;
        for (;;) {
                /* Rewriting FROZEN kicks tasks that raced the first try. */
                if (cg_write(NULL, h, "freezer.state", want, freeze ? "pause" : "resume", err) < 0)
                        return -1;
                _cleanup_free_ char *state = cg_read(h, "freezer.state");
                if (state && strcmp(state, want) == 0)
                        return 0;
                if (now_ms() > deadline) {
                        if (freeze)
                                cg_write(NULL, h, "freezer.state", "THAWED", "pause", NULL);
                        return husk_error_set(err, ETIMEDOUT, "%s/freezer.state stays \"%s\", wanted \"%s\"",
                                              h->dir, state ? state : "?", want);
                }
                backoff(&ms);
        }
}

int cg_fs_freeze(struct cgroup_manager *m, bool freeze, struct husk_error *err)
{
        struct cg_hier *h = freezer_hier(m);
        if (!h)
                return husk_error_unsupported(err, "%s: no freezer: neither the v1 freezer controller nor "
                                     "cgroup.freeze is available", freeze ? "pause" : "resume");
        if (!h->v2)
                return v1_freeze(h, freeze, err);
        if (cg_write(NULL, h, "cgroup.freeze", freeze ? "1" : "0", freeze ? "pause" : "resume", err) < 0)
                return -1;
        if (v2_wait_event(h, "frozen", freeze ? 1 : 0, 10000, err) < 0) {
                if (freeze)
                        cg_write(NULL, h, "cgroup.freeze", "0", "pause", NULL);
                return husk_error_wrap(err, freeze ? "pause" : "resume");
        }
        return 0;
}

int cgroup_is_frozen(struct cgroup_manager *m)
{
        struct cg_hier *h = freezer_hier(m);
        if (!h)
                return -1;
        _cleanup_free_ char *s = cg_read(h, h->v2 ? "cgroup.freeze" : "freezer.state");
        if (!s)
                return -1;
        if (h->v2)
                return strcmp(s, "1") == 0;
        /* FREEZING counts as frozen too: a pause is under way or a parent
         * is frozen; runc reports it as paused as well. */
        return strcmp(s, "THAWED") != 0;
}

/* ------------------------------------------------------------------ */
/* processes                                                            */

static struct cg_hier *procs_hier(struct cgroup_manager *m)
{
        static const char *const pref[] = { "pids", "freezer", "devices", "memory" };
        struct cg_hier *u = cg_unified(m);
        if (m->layout == CGROUP_LAYOUT_V2 && u)
                return u;
        for (size_t k = 0; k < ARRAY_SIZE(pref); k++)
                for (size_t i = 0; i < m->n_h; i++)
                        if (!m->h[i].unusable && cg_hier_has(&m->h[i], pref[k]))
                                return &m->h[i];
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].unusable)
                        return &m->h[i];
        return NULL;
}

static int collect_pids(const char *dir, pid_t **pids, size_t *n, struct husk_error *err)
{
        _cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
        _cleanup_free_ char *s = NULL;
        if (read_file_at(AT_FDCWD, p, &s, NULL, err) < 0)
                return -1;
        for (char *q = s; *q;) {
                char *e;
                long v = strtol(q, &e, 10);
                if (e == q)
                        break;
                *pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
                (*pids)[(*n)++] = (pid_t)v;
                q = e;
                while (*q == '\n')
                        q++;
        }
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d)) && r == 0) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
                r = collect_pids(sub, pids, n, err);
        }
        closedir(d);
        return r;
}

int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, struct husk_error *err)
{
        *pids = NULL;
        *n = 0;
        struct cg_hier *h = procs_hier(m);
        if (!h)
                return husk_error_not_found(err, "cgroup %s: no usable hierarchy", m->path);
        if (collect_pids(h->dir, pids, n, err) < 0) {
                free(*pids);
                *pids = NULL;
                *n = 0;
                return husk_error_wrap(err, "list processes of cgroup %s", m->path);
        }
        return 0;
}

static bool cgroup_exists(struct cgroup_manager *m)
{
        struct cg_hier *h = procs_hier(m);
        return h && access(h->dir, F_OK) == 0;
}

int cg_fs_kill(struct cgroup_manager *m, int sig, struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (sig == SIGKILL && m->layout == CGROUP_LAYOUT_V2 && u && cg_file_exists(u, "cgroup.kill")) {
                if (cg_write(NULL, u, "cgroup.kill", "1", "kill --all", err) < 0)
                        return -1;
                /* Like the v1 path below: after SIGKILL a paused
                 * container is thawed, so nothing new stays frozen in it. */
                if (cgroup_is_frozen(m) == 1)
                        return cg_fs_freeze(m, false, err);
                return 0;
        }

        /* Freeze so nothing forks between listing and signalling. */
        int was_frozen = cgroup_is_frozen(m);
        bool froze = false;
        if (was_frozen == 0) {
                struct husk_error ferr;
                if (cg_fs_freeze(m, true, &ferr) == 0)
                        froze = true;
                else
                        log_warn("kill --all: cannot freeze, signalling anyway: %s", ferr.msg);
        }
        pid_t *pids = NULL;
        size_t n = 0;
        int r = cgroup_pids(m, &pids, &n, err);
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (kill(pids[i], sig) < 0 && errno != ESRCH) {
                        r = husk_error_sys(err, "kill %d with signal %d", (int)pids[i], sig);
                        break;
                }
        }
        free(pids);
        /* A SIGKILLed task must run to die: thaw a paused container too. */
        if (froze || (was_frozen == 1 && sig == SIGKILL)) {
                struct husk_error terr;
                if (cg_fs_freeze(m, false, &terr) < 0 && r == 0)
                        r = husk_error_copy(err, &terr);
        }
        return r;
}

/* Wait until no process is left in the cgroup, up to timeout_ms. */
static int wait_empty(struct cgroup_manager *m, int timeout_ms, struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (m->layout == CGROUP_LAYOUT_V2 && u)
                return v2_wait_event(u, "populated", 0, timeout_ms, err);
        int64_t deadline = now_ms() + timeout_ms;
        unsigned ms = 1;
        for (;;) {
                pid_t *pids = NULL;
                size_t n = 0;
                if (cgroup_pids(m, &pids, &n, err) < 0)
                        return -1;
                free(pids);
                if (n == 0)
                        return 0;
                if (now_ms() > deadline)
                        return husk_error_set(err, EBUSY, "cgroup %s still has %zu processes", m->path, n);
                backoff(&ms);
        }
}

/* 0 when the cgroup (with its sub-cgroups) has no process, 1 when it has,
 * -1 when that can't be read (the cgroup is gone, or no hierarchy). */
static int populated(struct cgroup_manager *m)
{
        struct cg_hier *u = cg_unified(m);
        if (m->layout == CGROUP_LAYOUT_V2 && u) {
                _cleanup_free_ char *s = cg_read(u, "cgroup.events");
                int64_t v;
                return s && keyed_value(s, "populated", &v) == 0 ? v != 0 : -1;
        }
        pid_t *pids = NULL;
        size_t n = 0;
        struct husk_error e;
        if (cgroup_pids(m, &pids, &n, &e) < 0)
                return -1;
        free(pids);
        return n > 0;
}

int cg_fs_drain(struct cgroup_manager *m, struct husk_error *err)
{
        /* Nothing in an empty cgroup can fork: no freeze, no signal (a
         * stopped container with a pid namespace of its own, usually). */
        int pop = populated(m);
        if (pop == 0 || (pop < 0 && !cgroup_exists(m)))
                return 0;
        /* systemd may remove an emptied scope's cgroup meanwhile (ENOENT,
         * or ENODEV while it dies) */
        if (cg_fs_kill(m, SIGKILL, err) < 0 && err->errnum != ENODEV && cgroup_exists(m))
                return husk_error_wrap(err, "destroy cgroup %s", m->path);
        if (wait_empty(m, 5000, err) < 0 && err->errnum != ENODEV && cgroup_exists(m))
                return husk_error_wrap(err, "destroy cgroup %s", m->path);
        return 0;
}

int cg_fs_remove(struct cgroup_manager *m, bool parent, struct husk_error *err)
{
        int r = 0;
        for (size_t i = 0; i < m->n_h; i++) {
                if (strcmp(m->h[i].rel, "/") == 0)
                        continue;
                cg_rt_release(&m->h[i]);
                if (rmdir_tree(m->h[i].dir) < 0 && r == 0)
                        r = husk_error_sys(err, "remove cgroup %s", m->h[i].dir);
                /* The default path's parent "/husk" goes with its last
                 * container (rmdir fails while others are in it), so a
                 * host keeps no trace of husk. hier_mkdir copes with a
                 * create racing this. */
                const char *rel = m->h[i].rel;
                if (parent && r == 0 && strncmp(rel, "/husk/", 6) == 0 && !strchr(rel + 6, '/')) {
                        _cleanup_free_ char *p = xasprintf("%s/husk", m->h[i].mount);
                        (void)rmdir(p);
                }
        }
        return r;
}

/* The cgroup where its processes are listed, removed if it can be: the
 * kernel refuses while a process or a sub-cgroup is in it. Then it was
 * empty, and there is nothing to drain: true. */
static bool removed_empty(struct cgroup_manager *m)
{
        struct cg_hier *h = procs_hier(m);
        if (!h || strcmp(h->rel, "/") == 0)
                return false;
        cg_rt_release(h);
        return rmdir(h->dir) == 0 || errno == ENOENT;
}

static int fs_destroy(struct cgroup_manager *m, struct husk_error *err)
{
        if (!removed_empty(m) && cg_fs_drain(m, err) < 0)
                return -1;
        if (cg_fs_remove(m, true, err) < 0)
                return -1;
        /* a create that failed after its cgroup was made */
        cg_evacuate_undo(m);
        return 0;
}

int64_t cgroup_oom_kill_count(struct cgroup_manager *m)
{
        struct cg_hier *h = cg_controller(m, "memory");
        if (!h)
                return -1;
        _cleanup_free_ char *s = cg_read(h, h->v2 ? "memory.events" : "memory.oom_control");
        int64_t v;
        if (!s || keyed_value(s, "oom_kill", &v) < 0)
                return -1;
        return v;
}

const struct cg_driver cg_cgroupfs = {
        .name = "cgroupfs",
        .create = fs_create,
        .add_pid = cg_fs_add_pid,
        .update = cg_fs_update,
        .freeze = cg_fs_freeze,
        .kill = cg_fs_kill,
        .destroy = fs_destroy,
        .stats = cg_fs_stats_json,
};
