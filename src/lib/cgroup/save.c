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
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

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

/* One saved hierarchy: v1 by its controllers, or cgroup2 (ctrls NULL). */
static void restore_hier(struct cgroup_manager *m, const struct cgroup_mounts *mounts, const char *ctrls,
                         const char *rel)
{
        const struct cgroup_mount *mt = ctrls ? cgroup_mounts_v1(mounts, ctrls) : cgroup_mounts_v2(mounts, m->layout);
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
        cg_add_hier(m, ctrls ? ctrls : "", !ctrls, mt->point, clean);
}

/* ------------------------------------------------------------------ */
/* the JSON object                                                      */

static const char *obj_str(yajl_val o, const char *key)
{
        const char *path[] = { key, NULL };
        yajl_val v = yajl_tree_get(o, path, yajl_t_string);
        return v ? YAJL_GET_STRING(v) : NULL;
}

static bool obj_true(yajl_val o, const char *key)
{
        const char *path[] = { key, NULL };
        yajl_val v = yajl_tree_get(o, path, yajl_t_any);
        return v && YAJL_IS_TRUE(v);
}

static int restore_json(struct cgroup_manager *m, const char *saved, const struct cgroup_mounts *mounts,
                        struct husk_error *err)
{
        char ebuf[128];
        yajl_val root = yajl_tree_parse(saved, ebuf, sizeof(ebuf));
        const char *hp[] = { "hierarchies", NULL };
        yajl_val hs = root ? yajl_tree_get(root, hp, yajl_t_array) : NULL;
        const char *layout = root ? obj_str(root, "layout") : NULL, *path = root ? obj_str(root, "path") : NULL;
        const char *driver = root ? obj_str(root, "driver") : NULL, *unit = root ? obj_str(root, "unit") : NULL;
        int r = 0;
        if (!root)
                r = husk_error_invalid(err, "cgroup state: %s", ebuf);
        else if (!hs || !layout || cgroup_layout_parse(layout, &m->layout) < 0 || !path || !driver ||
                 (strcmp(driver, "cgroupfs") != 0 && (strcmp(driver, "systemd") != 0 || !unit)))
                r = husk_error_invalid(err, "cgroup state %s: not a cgroup manager this husk knows", saved);
        if (r < 0) {
                yajl_tree_free(root);
                return r;
        }
        m->rootless = obj_true(root, "rootless");
        m->path = xstrdup(path);
        if (strcmp(driver, "systemd") == 0) {
                m->driver = &cg_systemd;
                m->sd_unit = xstrdup(unit);
                m->sd_started = true;   /* saved after create: the unit exists */
        }
        for (size_t i = 0; i < YAJL_GET_ARRAY(hs)->len; i++) {
                yajl_val h = YAJL_GET_ARRAY(hs)->values[i];
                const char *ctrls = obj_str(h, "controllers"), *rel = obj_str(h, "path");
                bool v2 = obj_true(h, "cgroup2");
                if (rel && (v2 || ctrls))
                        restore_hier(m, mounts, v2 ? NULL : ctrls, rel);
        }
        yajl_tree_free(root);
        return 0;
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

static int restore_legacy(struct cgroup_manager *m, const char *saved, const struct cgroup_mounts *mounts,
                          struct husk_error *err)
{
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
                restore_hier(m, mounts, strcmp(t, "@v2") == 0 ? NULL : t, rel);
        }
        return 0;
}

int cgroup_manager_restore(const char *saved, struct cgroup_manager **out, struct husk_error *err)
{
        return cgroup_manager_restore_in(saved, NULL, out, err);
}

int cgroup_manager_restore_in(const char *saved, const struct cgroup_mounts *mounts, struct cgroup_manager **out,
                              struct husk_error *err)
{
        bool json = saved[0] == '{';
        if (!json && strncmp(saved, LEGACY_MAGIC " ", strlen(LEGACY_MAGIC) + 1) != 0)
                return husk_error_invalid(err, "cgroup state \"%s\": unknown format", saved);
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *own = NULL;
        if (!mounts) {
                own = cgroup_mounts_read(err);
                if (!own)
                        return -1;
                mounts = own;
        }
        struct cgroup_manager *m = cg_manager_alloc();
        m->driver = &cg_cgroupfs;
        if ((json ? restore_json : restore_legacy)(m, saved, mounts, err) < 0) {
                cgroup_manager_free(m);
                return -1;
        }
        if (m->n_h == 0) {
                cgroup_manager_free(m);
                return husk_error_not_found(err, "cgroup state \"%s\": none of its hierarchies is mounted",
                                            saved);
        }
        *out = m;
        return 0;
}
