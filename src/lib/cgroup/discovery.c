/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cgroup discovery: the host layout, the cgroup mounts of this mount
 * namespace and our own cgroups. Read-only; the cgroup manager builds its
 * hierarchies from this, linux/rootfs.c the container's cgroup mount.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "cgroup/discovery.h"
#include "util/mountinfo.h"
#include "util/util.h"

#define CG_ROOT "/sys/fs/cgroup"

enum cgroup_layout cgroup_detect_layout(void)
{
        struct statfs fs;
        if (statfs(CG_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                return CGROUP_LAYOUT_V2;
        if (statfs(CG_ROOT "/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                return CGROUP_LAYOUT_HYBRID;
        return CGROUP_LAYOUT_V1;
}

const char *cgroup_layout_name(enum cgroup_layout l)
{
        switch (l) {
        case CGROUP_LAYOUT_V1: return "v1";
        case CGROUP_LAYOUT_HYBRID: return "hybrid";
        case CGROUP_LAYOUT_V2: return "v2";
        }
        return "?";
}

int cgroup_layout_parse(const char *s, enum cgroup_layout *out)
{
        for (enum cgroup_layout l = CGROUP_LAYOUT_V1; l <= CGROUP_LAYOUT_V2; l++)
                if (strcmp(s, cgroup_layout_name(l)) == 0) {
                        *out = l;
                        return 0;
                }
        return -1;
}

bool cgroup_list_has(const char *list, const char *item)
{
        size_t len = strlen(item);
        for (const char *p = list; *p;) {
                const char *e = strchrnul(p, ',');
                if ((size_t)(e - p) == len && strncmp(p, item, len) == 0)
                        return true;
                p = *e ? e + 1 : e;
        }
        return false;
}

bool cgroup_same_controllers(const char *a, const char *b)
{
        _cleanup_free_ char *ca = xstrdup(a), *cb = xstrdup(b);
        char *save = NULL;
        for (char *t = strtok_r(ca, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (!cgroup_list_has(b, t))
                        return false;
        for (char *t = strtok_r(cb, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (!cgroup_list_has(a, t))
                        return false;
        return true;
}

/* ------------------------------------------------------------------ */
/* mounts                                                               */

static const char *const v1_controllers[] = {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "net_cls",
        "net_prio", "perf_event", "hugetlb", "rdma", "misc", "debug",
};

/* The controllers of a v1 mount from its super options, as a list in the
 * kernel's order: "rw,cpu,cpuacct" -> "cpu,cpuacct". "" if none. */
static char *v1_controllers_of(const char *superopts)
{
        _cleanup_free_ char *copy = xstrdup(superopts);
        char *out = xstrdup("");
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                bool known = strncmp(tok, "name=", 5) == 0;
                for (size_t i = 0; !known && i < ARRAY_SIZE(v1_controllers); i++)
                        known = strcmp(tok, v1_controllers[i]) == 0;
                if (!known)
                        continue;
                char *n = xasprintf("%s%s%s", out, *out ? "," : "", tok);
                free(out);
                out = n;
        }
        return out;
}

void cgroup_mounts_free(struct cgroup_mounts *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].controllers);
                free(m->v[i].super_opts);
                free(m->v[i].root);
                free(m->v[i].point);
        }
        for (size_t i = 0; m->fds && i < m->n; i++)
                if (m->fds[i] >= 0)
                        close(m->fds[i]);
        free(m->fds);
        free(m->v);
        free(m);
}

void cgroup_mounts_keep_fds(struct cgroup_mounts *m)
{
        if (!m || m->fds)
                return;
        m->fds = xmalloc((m->n ? m->n : 1) * sizeof(*m->fds));
        for (size_t i = 0; i < m->n; i++)
                m->fds[i] = -1;
}

int cgroup_mounts_fd(const struct cgroup_mounts *m, const struct cgroup_mount *mt)
{
        if (!m || !m->fds || mt < m->v || mt >= m->v + m->n)
                return -1;
        int *fd = &m->fds[mt - m->v];
        if (*fd == -1) {
                *fd = open(mt->point, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (*fd < 0)
                        *fd = -2;       /* not again */
        }
        return *fd >= 0 ? *fd : -1;
}

/* A hierarchy mounted twice: the first mount of it wins. */
static bool seen_before(const struct cgroup_mounts *m, const char *ctrls)
{
        for (size_t i = 0; i < m->n; i++) {
                if (m->v[i].dup)
                        continue;
                if (!ctrls ? !m->v[i].controllers
                           : m->v[i].controllers && strcmp(m->v[i].controllers, ctrls) == 0)
                        return true;
        }
        return false;
}

/* Appends a cgroup or cgroup2 mount. */
static int add_mount(const struct mountinfo *mi, void *data)
{
        struct cgroup_mounts *m = data;
        bool v2 = strcmp(mi->fstype, "cgroup2") == 0;
        if (!v2 && strcmp(mi->fstype, "cgroup") != 0)
                return 0;
        char *ctrls = v2 ? NULL : v1_controllers_of(mi->super_opts);
        bool dup = (ctrls && !*ctrls) || seen_before(m, ctrls);
        m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
        m->v[m->n++] = (struct cgroup_mount){
                .controllers = ctrls,
                .super_opts = xstrdup(mi->super_opts),
                .root = xstrdup(mi->root),
                .point = xstrdup(mi->mountpoint),
                .dup = dup,
        };
        return 0;
}

struct cgroup_mounts *cgroup_mounts_read_file(const char *path, struct husk_error *err)
{
        static const char *const cgroupfs[] = { "cgroup", "cgroup2", NULL };
        struct cgroup_mounts *m = xzalloc(sizeof(*m));
        if (mountinfo_foreach_fs(path, cgroupfs, add_mount, m, err) < 0) {
                cgroup_mounts_free(m);
                return NULL;
        }
        return m;
}

struct cgroup_mounts *cgroup_mounts_read(struct husk_error *err)
{
        return cgroup_mounts_read_file(NULL, err);
}

const struct cgroup_mount *cgroup_mounts_v2(const struct cgroup_mounts *m, enum cgroup_layout layout)
{
        const char *want = layout == CGROUP_LAYOUT_V2 ? CG_ROOT : CG_ROOT "/unified";
        const struct cgroup_mount *first = NULL;
        for (size_t i = 0; i < m->n; i++) {
                if (m->v[i].controllers || m->v[i].dup)
                        continue;
                if (strcmp(m->v[i].point, want) == 0)
                        return &m->v[i];
                if (!first)
                        first = &m->v[i];
        }
        return first;
}

const struct cgroup_mount *cgroup_mounts_v1(const struct cgroup_mounts *m, const char *controllers)
{
        /* the same string first (both in the kernel's order), any order then */
        for (size_t i = 0; i < m->n; i++)
                if (!m->v[i].dup && m->v[i].controllers && strcmp(m->v[i].controllers, controllers) == 0)
                        return &m->v[i];
        for (size_t i = 0; i < m->n; i++)
                if (!m->v[i].dup && m->v[i].controllers && cgroup_same_controllers(m->v[i].controllers, controllers))
                        return &m->v[i];
        return NULL;
}

/* ------------------------------------------------------------------ */
/* our own cgroups                                                      */

char *cgroup_own_path(const char *controllers)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
                if (line[len - 1] == '\n')
                        line[len - 1] = '\0';
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                const char *ctrls = c1 + 1;
                bool match = controllers ? (*ctrls && cgroup_same_controllers(ctrls, controllers))
                                         : (strncmp(line, "0:", 2) == 0 && !*ctrls);
                if (match)
                        return xstrdup(c2 + 1);
        }
        return NULL;
}

/* Every controller of `controllers` is among a mount's super options. */
static bool opts_have_all(const char *opts, const char *controllers)
{
        _cleanup_free_ char *c = xstrdup(controllers);
        char *save = NULL;
        size_t n = 0;
        for (char *w = strtok_r(c, ",", &save); w; w = strtok_r(NULL, ",", &save), n++)
                if (!cgroup_list_has(opts, w))
                        return false;
        return n > 0;
}

static bool under(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);
        if (strcmp(prefix, "/") == 0)
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void own_add(struct cgroup_own **v, size_t *n, const struct cgroup_mount *mt, const char *ctrls,
                    const char *path)
{
        bool v2 = !mt->controllers;
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].v2 == v2 && strcmp((*v)[i].controllers, ctrls) == 0)
                        return; /* first mount of a hierarchy wins */
        /* Our path relative to the mount's root: none when the mount shows
         * a part of the tree we're not in (only a cgroupns mount works). */
        const char *rel = path;
        if (strcmp(mt->root, "/") != 0)
                rel = under(path, mt->root) ? path + strlen(mt->root) : NULL;
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = (struct cgroup_own){
                .controllers = xstrdup(ctrls),
                .v2 = v2,
                .mount = xstrdup(mt->point),
                .dir = rel ? xasprintf("%s%s%s", mt->point, *rel == '/' ? "" : "/", rel) : NULL,
        };
}

int cgroup_own_hierarchies(const struct cgroup_mounts *mounts, struct cgroup_own **out, size_t *n_out,
                           struct husk_error *err)
{
        *out = NULL;
        *n_out = 0;
        _cleanup_free_ char *buf = NULL;
        if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, err) < 0)
                return -1;
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *own = mounts ? NULL : cgroup_mounts_read(err);
        const struct cgroup_mounts *m = mounts ? mounts : own;
        if (!m)
                return -1;
        _cleanup_strv_ char **ctrls = NULL, **paths = NULL;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                ctrls = strv_append(ctrls, c1 + 1);
                paths = strv_append(paths, c2 + 1);
        }
        for (size_t i = 0; i < m->n; i++) {
                const struct cgroup_mount *mt = &m->v[i];
                for (size_t k = 0; ctrls && ctrls[k]; k++)
                        if (!mt->controllers ? !*ctrls[k] : *ctrls[k] && opts_have_all(mt->super_opts, ctrls[k]))
                                own_add(out, n_out, mt, ctrls[k], paths[k]);
        }
        return 0;
}

void cgroup_own_free(struct cgroup_own *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].controllers);
                free(v[i].mount);
                free(v[i].dir);
        }
        free(v);
}
