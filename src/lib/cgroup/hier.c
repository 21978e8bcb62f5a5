/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bottom layer of the cgroup code: which hierarchy of a manager carries
 * a controller, and the reads and writes of one cgroup's files, with the
 * transaction (undo log) an update passes down. Everything above calls
 * down into this file; it calls nothing above it.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup_internal.h"
#include "util/failpoint.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* the update transaction                                               */

/* Remember the old value of `path` once (the first write wins), if it is a
 * single line: multi-line keyed files (io.max, devices.list) can not be
 * restored by writing back what they read. */
static void txn_record(struct cg_txn *t, const char *path)
{
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->paths[i], path) == 0)
                        return;
        char *old = NULL;
        size_t len = 0;
        if (read_file_at(AT_FDCWD, path, &old, &len, NULL) < 0)
                return;
        while (len > 0 && old[len - 1] == '\n')
                old[--len] = '\0';
        if (strchr(old, '\n') || len == 0) {
                free(old);
                return;
        }
        t->paths = xrealloc(t->paths, (t->n + 1) * sizeof(char *));
        t->olds = xrealloc(t->olds, (t->n + 1) * sizeof(char *));
        t->paths[t->n] = xstrdup(path);
        t->olds[t->n] = old;
        t->n++;
}

void cg_txn_record(struct cg_txn *t, const struct cg_hier *h, const char *file)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", h->dir, file);
        txn_record(t, p);
}

void cg_txn_rollback(struct cg_txn *t)
{
        /* Reverse order, twice: limits that depend on each other (memory
         * and memsw, quota and burst) may refuse the first pass. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = t->n; i > 0; i--)
                        write_file_at(AT_FDCWD, t->paths[i - 1], t->olds[i - 1], strlen(t->olds[i - 1]), NULL);
}

void cg_txn_free(struct cg_txn *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->paths[i]);
                free(t->olds[i]);
        }
        free(t->paths);
        free(t->olds);
        t->paths = t->olds = NULL;
        t->n = 0;
}

/* ------------------------------------------------------------------ */
/* the manager's hierarchies                                            */

static void hier_free(struct cg_hier *h)
{
        free(h->controllers);
        free(h->mount);
        free(h->rel);
        free(h->dir);
        strv_free(h->made);
}

struct cgroup_manager *cg_manager_alloc(void)
{
        struct cgroup_manager *m = xzalloc(sizeof(*m));
        m->v2_fd = -1;
        return m;
}

void cgroup_manager_free(struct cgroup_manager *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n_h; i++)
                hier_free(&m->h[i]);
        free(m->h);
        free(m->id);
        free(m->path);
        free(m->sd_unit);
        free(m->sd_slice);
        if (m->evac) {
                free(m->evac->dir);
                free(m->evac->subtree_before);
                free(m->evac->moved);
                free(m->evac);
        }
        if (m->v2_fd >= 0)
                close(m->v2_fd);
        for (size_t i = 0; m->join_fds && i < m->n_h; i++)
                if (m->join_fds[i] >= 0)
                        close(m->join_fds[i]);
        free(m->join_fds);
        cgroup_mounts_free(m->mounts);
        free(m);
}

void cg_add_hier(struct cgroup_manager *m, const char *controllers, bool v2, const char *mount, const char *rel)
{
        m->h = xrealloc(m->h, (m->n_h + 1) * sizeof(*m->h));
        struct cg_hier *h = &m->h[m->n_h++];
        memset(h, 0, sizeof(*h));
        h->controllers = xstrdup(controllers);
        h->v2 = v2;
        h->mount = xstrdup(mount);
        h->rel = xstrdup(rel);
        if (strcmp(rel, "/") == 0) {
                h->dir = xstrdup(mount);
        } else {
                /* not xasprintf: husk list restores ten of these per container */
                size_t lm = strlen(mount), lr = strlen(rel);
                h->dir = xmalloc(lm + lr + 1);
                memcpy(h->dir, mount, lm);
                memcpy(h->dir + lm, rel, lr + 1);
        }
}

/* ------------------------------------------------------------------ */
/* hierarchies and files                                                */

bool cg_hier_has(const struct cg_hier *h, const char *controller)
{
        return !h->v2 && cgroup_list_has(h->controllers, controller);
}

struct cg_hier *cg_unified(struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (m->h[i].v2 && !m->h[i].unusable)
                        return &m->h[i];
        return NULL;
}

bool cg_v2_root_offers(const struct cg_hier *u, const char *controller)
{
        _cleanup_free_ char *path = xasprintf("%s/cgroup.controllers", u->mount);
        _cleanup_free_ char *s = NULL;
        if (read_file_at(AT_FDCWD, path, &s, NULL, NULL) < 0)
                return false;
        size_t len = strlen(controller);
        for (char *p = s; (p = strstr(p, controller)); p += len)
                if ((p == s || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
                        return true;
        return false;
}

struct cg_hier *cg_controller(struct cgroup_manager *m, const char *controller)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].unusable && cg_hier_has(&m->h[i], controller))
                        return &m->h[i];
        struct cg_hier *u = cg_unified(m);
        if (u && cg_v2_root_offers(u, controller))
                return u;
        return NULL;
}

bool cg_file_exists(const struct cg_hier *h, const char *file)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", h->dir, file);
        return access(p, F_OK) == 0;
}

int cg_write(struct cg_txn *tx, const struct cg_hier *h, const char *file, const char *value, const char *field,
             struct husk_error *err)
{
        if (failpoint("cgroup: write a file", err) < 0)
                return -1;
        _cleanup_free_ char *p = xasprintf("%s/%s", h->dir, file);
        if (tx)
                txn_record(tx, p);
        /* O_TRUNC: the kernel ignores it; a fake hierarchy of plain
         * files (tests/unit/test-cgroup-fake.c) needs it. */
        _cleanup_close_ int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "%s: open %s", field, p);
        if (write_all(fd, value, strlen(value)) < 0)
                return husk_error_sys(err, "%s: write \"%s\" to %s", field, value, p);
        return 0;
}

int cg_writef(struct cg_txn *tx, const struct cg_hier *h, const char *file, const char *field,
              struct husk_error *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *v = NULL;
        if (vasprintf(&v, fmt, ap) < 0)
                abort();
        va_end(ap);
        return cg_write(tx, h, file, v, field, err);
}

char *cg_read(const struct cg_hier *h, const char *file)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", h->dir, file);
        char *s = NULL;
        size_t len;
        if (read_file_at(AT_FDCWD, p, &s, &len, NULL) < 0)
                return NULL;
        while (len > 0 && s[len - 1] == '\n')
                s[--len] = '\0';
        return s;
}

int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *out)
{
        _cleanup_free_ char *s = cg_read(h, file);
        if (!s)
                return -1;
        if (strcmp(s, "max") == 0) {
                *out = UINT64_MAX;
                return 0;
        }
        return parse_uint64(s, out);
}

int cg_missing(const struct cgroup_manager *m, struct husk_error *err, const char *field, const char *controller)
{
        for (size_t i = 0; m->optional && i < m->n_h; i++)
                if (m->h[i].unusable && (m->h[i].v2 || cg_hier_has(&m->h[i], controller)))
                        return husk_error_unsupported(err,
                                                      "%s: cannot set %s limit: container could not join or create cgroup "
                                                      "(rootless without a cgroup delegated to you)",
                                                      field, controller);
        return husk_error_unsupported(err, "%s: the %s cgroup controller is not available on this host", field,
                                   controller);
}
