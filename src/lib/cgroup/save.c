/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The manager as state.json keeps it, so that later commands (delete,
 * kill, update, pause, ps, events) find the container's cgroups:
 *
 *   {"driver": "cgroupfs", "layout": "hybrid", "rootless": false,
 *    "path": "/husk/c1",
 *    "hierarchies": [{"controllers": "cpu,cpuacct", "path": "/husk/c1"},
 *                    {"cgroup2": true, "path": "/husk/c1"}]}
 *
 * plus "unit": "husk-c1.scope" with "driver": "systemd". Mount points are
 * not saved but looked up again (discovery.c), so a hierarchy mounted
 * elsewhere later is still found. husk before this format saved a string,
 * "husk-cg1 <layout> <rootless> <path> [@systemd:<unit>] <ctrls>:<rel>...
 * (@v2 for cgroup2, ' ', '%' and control characters %-escaped)": it is
 * still read, so containers made by an older husk can be deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "cgroup/cgroup_internal.h"
#include "util/jsongen.h"
#include "util/log.h"
#include "util/util.h"

#define LEGACY_MAGIC "husk-cg1"

char *cgroup_manager_save(const struct cgroup_manager *m)
{
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "driver", m->driver->name);
        jgen_kv_str(g, "layout", cgroup_layout_name(m->layout));
        jgen_kv_bool(g, "rootless", m->rootless);
        jgen_kv_str(g, "path", m->path);
        if (m->sd_unit)
                jgen_kv_str(g, "unit", m->sd_unit);
        jgen_str(g, "hierarchies");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < m->n_h; i++) {
                if (m->h[i].unusable)
                        continue;       /* rootless: never made */
                yajl_gen_map_open(g);
                if (m->h[i].v2) {
                        jgen_kv_bool(g, "cgroup2", true);
                } else {
                        jgen_kv_str(g, "controllers", m->h[i].controllers);
                }
                jgen_kv_str(g, "path", m->h[i].rel);
                yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        return jgen_finish(g);
}

/* Where a restore puts the hierarchies it finds: into the manager (a full
 * restore), or only the two a status needs (cgroup_saved_frozen). */
struct rj;
struct restore_to {
        struct cgroup_manager *m;
        const struct rj *read;  /* the object, read already (cgroup_saved_reader) */
        const struct cgroup_mounts *mounts;
        size_t n;               /* hierarchies found */
        bool probe;             /* only note the first freezer and the first cgroup2 dir */
        char *v1_freezer, *v2;  /* probe: their freezer.state, cgroup.freeze */
        const struct cgroup_mount *v1_mt, *v2_mt;       /* and the mounts they are under */
};

/* <mount><rel>/<file> */
static char *cg_file(const char *mount, const char *rel, const char *file)
{
        size_t lm = strlen(mount), lr = strlen(rel), lf = strlen(file);
        char *d = xmalloc(lm + lr + lf + 2);
        memcpy(d, mount, lm);
        memcpy(d + lm, rel, lr);
        d[lm + lr] = '/';
        memcpy(d + lm + lr + 1, file, lf + 1);
        return d;
}

/* One saved hierarchy: v1 by its controllers, or cgroup2 (ctrls NULL). */
/* A probe needs a hierarchy only while it may still change its answer:
 * the first v1 freezer, the first cgroup2 (which counts only without a v1
 * freezer). */
static bool probe_needs(const struct restore_to *to, const char *ctrls)
{
        if (to->v1_freezer)
                return false;
        /* a v1 hierarchy without the freezer never changes it: only a
         * freezer or cgroup2 dir found counts, and those count as found */
        return ctrls ? cgroup_list_has(ctrls, "freezer") : !to->v2;
}

static void restore_hier(struct restore_to *to, const char *ctrls, const char *rel)
{
        struct cgroup_manager *m = to->m;
        if (to->probe && !probe_needs(to, ctrls))
                return;
        const struct cgroup_mount *mt = ctrls ? cgroup_mounts_v1(to->mounts, ctrls)
                                              : cgroup_mounts_v2(to->mounts, m->layout);
        if (!mt) {
                log_debug("cgroup hierarchy %s is no longer mounted", ctrls ? ctrls : "cgroup2");
                return;
        }
        _cleanup_free_ char *clean = path_clean(rel);
        if (strcmp(clean, "/") == 0) {
                /* never let a bad state file point destroy at a root */
                log_warn("cgroup state: ignoring the root cgroup of %s", ctrls ? ctrls : "cgroup2");
                return;
        }
        to->n++;
        if (!to->probe) {
                cg_add_hier(m, ctrls ? ctrls : "", !ctrls, mt->point, clean);
        } else if (ctrls && !to->v1_freezer && cgroup_list_has(ctrls, "freezer")) {
                to->v1_freezer = cg_file(mt->point, clean, "freezer.state");
                to->v1_mt = mt;
        } else if (!ctrls && !to->v2) {
                to->v2 = cg_file(mt->point, clean, "cgroup.freeze");
                to->v2_mt = mt;
        }
}

/* ------------------------------------------------------------------ */
/* the JSON object                                                      */

/* Read with yajl callbacks, not a tree (`list` restores one manager per
 * container). The first occurrence of a key wins; a value of the wrong type
 * counts as absent; hierarchies that are not objects are skipped. */
enum { RK_DRIVER, RK_LAYOUT, RK_PATH, RK_UNIT, RK_ROOTLESS, RK_HIERS, RK_OTHER };
static const char *const rj_keys[] = { "driver", "layout", "path", "unit", "rootless", "hierarchies" };
enum { HK_CTRLS, HK_PATH, HK_V2, HK_OTHER };
static const char *const rj_hkeys[] = { "controllers", "path", "cgroup2" };

struct rj_hier {
        char *ctrls, *rel;
        bool v2;
        unsigned seen;
};

struct rj {
        int depth;              /* containers open around the current token */
        int key, hkey;          /* the key whose value comes next (object, hierarchy) */
        unsigned seen;
        char *str[RK_ROOTLESS]; /* driver, layout, path, unit */
        bool rootless, hiers;   /* "hierarchies" was an array */
        bool in_hiers;          /* inside that array */
        struct rj_hier *h;      /* in_hiers: the hierarchy object being read, NULL if none */
        struct rj_hier *all;
        size_t n, cap;
        bool done;              /* the object ended */
};

static int rj_match(const char *const *names, int n, const unsigned char *k, size_t len)
{
        for (int i = 0; i < n; i++)
                if (len && names[i][0] == k[0] && strlen(names[i]) == len && memcmp(names[i], k, len) == 0)
                        return i;
        return n;
}

/* A value starts: for the object's key (depth 1) or a hierarchy's (depth 3);
 * true if it is that key's first value. */
static bool rj_first(struct rj *r, int *which)
{
        if (r->depth == 1 && r->key != RK_OTHER && !(r->seen & (1u << r->key))) {
                r->seen |= 1u << r->key;
                *which = r->key;
                return true;
        }
        if (r->depth == 3 && r->h && r->hkey != HK_OTHER && !(r->h->seen & (1u << r->hkey))) {
                r->h->seen |= 1u << r->hkey;
                *which = 100 + r->hkey;
                return true;
        }
        return false;
}

static int rj_scalar(struct rj *r, const unsigned char *s, size_t len, int boolean)
{
        int w;
        if (!rj_first(r, &w))
                return 1;
        if (s && w < RK_ROOTLESS)
                r->str[w] = xstrndup((const char *)s, len);
        else if (boolean >= 0 && w == RK_ROOTLESS)
                r->rootless = boolean;
        else if (s && w == 100 + HK_CTRLS)
                r->h->ctrls = xstrndup((const char *)s, len);
        else if (s && w == 100 + HK_PATH)
                r->h->rel = xstrndup((const char *)s, len);
        else if (boolean >= 0 && w == 100 + HK_V2)
                r->h->v2 = boolean;
        return 1;
}

static int rj_null(void *ctx) { return rj_scalar(ctx, NULL, 0, -1); }
static int rj_bool(void *ctx, int v) { return rj_scalar(ctx, NULL, 0, v != 0); }
static int rj_number(void *ctx, const char *n, size_t len) { (void)n; (void)len; return rj_scalar(ctx, NULL, 0, -1); }
static int rj_string(void *ctx, const unsigned char *s, size_t len) { return rj_scalar(ctx, s, len, -1); }

static int rj_start(void *ctx, bool map)
{
        struct rj *r = ctx;
        int w;
        if (r->depth == 2 && r->in_hiers && map) {
                if (r->n == r->cap) {
                        r->cap = r->cap ? 2 * r->cap : 8;
                        r->all = xrealloc(r->all, r->cap * sizeof(*r->all));
                }
                r->h = &r->all[r->n++];
                memset(r->h, 0, sizeof(*r->h));
                r->hkey = HK_OTHER;
        } else if (rj_first(r, &w) && w == RK_HIERS && !map) {
                r->hiers = r->in_hiers = true;
        }
        r->depth++;
        return 1;
}

static int rj_start_map(void *ctx) { return rj_start(ctx, true); }
static int rj_start_array(void *ctx) { return rj_start(ctx, false); }

static int rj_end(void *ctx)
{
        struct rj *r = ctx;
        r->depth--;
        if (r->depth == 2)
                r->h = NULL;
        else if (r->depth == 1)
                r->in_hiers = false;
        else if (r->depth == 0)
                r->done = true;
        return 1;
}

static int rj_key(void *ctx, const unsigned char *k, size_t len)
{
        struct rj *r = ctx;
        if (r->depth == 1)
                r->key = rj_match(rj_keys, RK_OTHER, k, len);
        else if (r->depth == 3 && r->h)
                r->hkey = rj_match(rj_hkeys, HK_OTHER, k, len);
        return 1;
}

static const yajl_callbacks rj_callbacks = {
        .yajl_null = rj_null,
        .yajl_boolean = rj_bool,
        .yajl_number = rj_number,
        .yajl_string = rj_string,
        .yajl_start_map = rj_start_map,
        .yajl_map_key = rj_key,
        .yajl_end_map = rj_end,
        .yajl_start_array = rj_start_array,
        .yajl_end_array = rj_end,
};

static void rj_free(struct rj *r)
{
        for (int i = 0; i < RK_ROOTLESS; i++)
                free(r->str[i]);
        for (size_t i = 0; i < r->n; i++) {
                free(r->all[i].ctrls);
                free(r->all[i].rel);
        }
        free(r->all);
}

static int rj_parse(struct rj *r, const char *saved, struct husk_error *err)
{
        yajl_handle h = yajl_alloc(&rj_callbacks, NULL, r);
        yajl_config(h, yajl_allow_comments, 1);
        size_t len = strlen(saved);
        yajl_status st = yajl_parse(h, (const unsigned char *)saved, len);
        if (st == yajl_status_ok)
                st = yajl_complete_parse(h);
        int ret = 0;
        if (st != yajl_status_ok) {
                unsigned char *e = yajl_get_error(h, 1, (const unsigned char *)saved, len);
                ret = husk_error_invalid(err, "cgroup state: %.127s", (char *)e);
                yajl_free_error(h, e);
        }
        yajl_free(h);
        return ret;
}

/* Validate what was read, then restore it. */
static int restore_from(struct restore_to *to, const struct rj *r, const char *saved, struct husk_error *err)
{
        struct cgroup_manager *m = to->m;
        const char *driver = r->str[RK_DRIVER], *layout = r->str[RK_LAYOUT], *path = r->str[RK_PATH],
                   *unit = r->str[RK_UNIT];
        if (!r->hiers || !layout || cgroup_layout_parse(layout, &m->layout) < 0 || !path || !driver ||
            (strcmp(driver, "cgroupfs") != 0 && (strcmp(driver, "systemd") != 0 || !unit)))
                return husk_error_invalid(err, "cgroup state %s: not a cgroup manager this husk knows", saved);
        if (!to->probe) {
                m->rootless = r->rootless;
                m->path = xstrdup(path);
                if (strcmp(driver, "systemd") == 0) {
                        m->driver = &cg_systemd;
                        m->sd_unit = xstrdup(unit);
                        m->sd_started = true;   /* saved after create: the unit exists */
                }
        }
        for (size_t i = 0; i < r->n; i++)
                if (r->all[i].rel && (r->all[i].v2 || r->all[i].ctrls))
                        restore_hier(to, r->all[i].v2 ? NULL : r->all[i].ctrls, r->all[i].rel);
        return 0;
}

static int restore_json(struct restore_to *to, const char *saved, struct husk_error *err)
{
        if (to->read)
                return restore_from(to, to->read, saved, err);
        struct rj r = { .key = RK_OTHER, .hkey = HK_OTHER };
        int ret = rj_parse(&r, saved, err);
        if (ret == 0)
                ret = restore_from(to, &r, saved, err);
        rj_free(&r);
        return ret;
}

/* ------------------------------------------------------------------ */
/* the string of husk before the JSON object                            */

static void unescape_pct(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                unsigned v;
                if (r[0] == '%' && sscanf(r + 1, "%2X", &v) == 1 && r[1] && r[2]) {
                        *w++ = (char)v;
                        r += 3;
                } else {
                        *w++ = *r++;
                }
        }
        *w = '\0';
}

static int restore_legacy(struct restore_to *to, const char *saved, struct husk_error *err)
{
        struct cgroup_manager *m = to->m;
        _cleanup_free_ char *copy = xstrdup(saved);
        char *save = NULL;
        char *tok[4];
        for (int i = 0; i < 4; i++) {
                tok[i] = strtok_r(i ? NULL : copy, " ", &save);
                if (!tok[i])
                        return husk_error_invalid(err, "cgroup state \"%s\": truncated", saved);
        }
        if (cgroup_layout_parse(tok[1], &m->layout) < 0)
                m->layout = CGROUP_LAYOUT_V2;
        m->rootless = strcmp(tok[2], "1") == 0;
        unescape_pct(tok[3]);
        m->path = xstrdup(tok[3]);
        for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                char *colon = strchr(t, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                char *rel = colon + 1;
                unescape_pct(rel);
                if (strcmp(t, "@systemd") == 0) {
                        m->driver = &cg_systemd;
                        free(m->sd_unit);
                        m->sd_unit = xstrdup(rel);
                        m->sd_started = true;
                        continue;
                }
                restore_hier(to, strcmp(t, "@v2") == 0 ? NULL : t, rel);
        }
        return 0;
}

int cgroup_manager_restore(const char *saved, struct cgroup_manager **out, struct husk_error *err)
{
        return cgroup_manager_restore_in(saved, NULL, out, err);
}

/* Parse saved into m (its driver cgroupfs unless saved says systemd), the
 * hierarchies going where `to` says. */
static int check_format(const char *saved, struct husk_error *err)
{
        if (saved[0] != '{' && strncmp(saved, LEGACY_MAGIC " ", strlen(LEGACY_MAGIC) + 1) != 0)
                return husk_error_invalid(err, "cgroup state \"%s\": unknown format", saved);
        return 0;
}

static int restore_walk(struct restore_to *to, const char *saved, struct husk_error *err)
{
        if (check_format(saved, err) < 0)
                return -1;
        to->m->driver = &cg_cgroupfs;
        if ((saved[0] == '{' ? restore_json : restore_legacy)(to, saved, err) < 0)
                return -1;
        if (to->n == 0)
                return husk_error_not_found(err, "cgroup state \"%s\": none of its hierarchies is mounted",
                                            saved);
        return 0;
}

int cgroup_manager_restore_in(const char *saved, const struct cgroup_mounts *mounts, struct cgroup_manager **out,
                              struct husk_error *err)
{
        if (check_format(saved, err) < 0)
                return -1;
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *own = NULL;
        if (!mounts) {
                own = cgroup_mounts_read(err);
                if (!own)
                        return -1;
                mounts = own;
        }
        struct restore_to to = { .m = cg_manager_alloc(), .mounts = mounts };
        if (restore_walk(&to, saved, err) < 0) {
                cgroup_manager_free(to.m);
                return -1;
        }
        *out = to.m;
        return 0;
}

/* A small cgroup file in one read: a short read of a cgroup file is all
 * of it. NULL when missing or unreadable. */
/* path is under mt: through the mount point's fd when mounts keep them. */
static bool read_small(const struct cgroup_mounts *mounts, const struct cgroup_mount *mt, const char *path,
                       char *buf, size_t size)
{
        int dir = cgroup_mounts_fd(mounts, mt);
        _cleanup_close_ int fd = dir >= 0 ? openat(dir, path + strlen(mt->point) + 1, O_RDONLY | O_CLOEXEC)
                                          : open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return false;
        while (n > 0 && buf[n - 1] == '\n')
                n--;
        buf[n] = '\0';
        return true;
}

struct cgroup_saved_reader {
        struct rj rj;
};

struct cgroup_saved_reader *cgroup_saved_reader_new(void)
{
        struct cgroup_saved_reader *r = xzalloc(sizeof(*r));
        r->rj.key = RK_OTHER;
        r->rj.hkey = HK_OTHER;
        return r;
}

const yajl_callbacks *cgroup_saved_reader_callbacks(void)
{
        return &rj_callbacks;
}

void *cgroup_saved_reader_ctx(struct cgroup_saved_reader *r)
{
        return &r->rj;
}

void cgroup_saved_reader_free(struct cgroup_saved_reader *r)
{
        if (r) {
                rj_free(&r->rj);
                free(r);
        }
}

int cgroup_saved_frozen(const char *saved, const struct cgroup_saved_reader *rd, const struct cgroup_mounts *mounts)
{
        if (check_format(saved, NULL) < 0)
                return -1;
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *own = NULL;
        if (!mounts && !(mounts = own = cgroup_mounts_read(NULL)))
                return -1;
        struct cgroup_manager m = { .v2_fd = -1 };
        struct restore_to to = { .m = &m, .mounts = mounts, .probe = true };
        if (rd && rd->rj.done && saved[0] == '{')
                to.read = &rd->rj;
        int r = restore_walk(&to, saved, NULL);
        free(m.path);           /* an older husk's string sets these */
        free(m.sd_unit);
        char buf[64];
        if (r == 0 && to.v1_freezer)
                /* FREEZING counts as frozen too, as cgroup_is_frozen says */
                r = read_small(mounts, to.v1_mt, to.v1_freezer, buf, sizeof(buf)) ? strcmp(buf, "THAWED") != 0 : -1;
        else if (r == 0 && to.v2)
                r = read_small(mounts, to.v2_mt, to.v2, buf, sizeof(buf)) ? strcmp(buf, "1") == 0 : -1;
        else
                r = -1;
        free(to.v1_freezer);
        free(to.v2);
        return r;
}
