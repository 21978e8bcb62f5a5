/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rootless cgroupfs on a pure cgroup2 host, run from a unit that systemd
 * delegated to the caller (`systemd-run --user --scope -p Delegate=yes`, a
 * Delegate=yes service): the container's cgroup goes inside that unit's
 * cgroup, the only part of the tree systemd leaves to the caller. runc's
 * and crun's rule (beside the caller's cgroup) puts it in the unit's slice,
 * where systemd enables and disables controllers for its own units: a limit
 * written there vanishes, memory.max and all, when systemd next realizes the
 * slice (seen in the systemd VM when the delegated scope ended).
 * A create that fails puts the unit's cgroup back as it found it: its
 * processes out of husk-caller, the controllers it enabled disabled.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "cgroup/cgroup_internal.h"
#include "util/log.h"
#include "util/util.h"

/* The leaf the delegated cgroup's own processes move to: cgroup v2 lets a
 * cgroup enable controllers for its children only while it has no
 * processes itself. */
#define CALLER_LEAF "husk-caller"

bool cg_is_delegated(const char *dir)
{
        /* systemd marks a delegated unit's cgroup: trusted.delegate (the
         * system instance) and, since v251, user.delegate (which the
         * user's instance can set and anyone can read). */
        static const char *const names[] = { "user.delegate", "trusted.delegate" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                char v[8];
                ssize_t n = getxattr(dir, names[i], v, sizeof(v));
                if (n == 1 && v[0] == '1')
                        return true;
        }
        return false;
}

/* The pids in dir/cgroup.procs; 0 (none) or -1. */
static int read_procs(const char *dir, pid_t **out, size_t *n, struct husk_error *err)
{
        _cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
        _cleanup_free_ char *s = NULL;
        *out = NULL;
        *n = 0;
        if (read_file_at(AT_FDCWD, p, &s, NULL, err) < 0)
                return -1;
        char *save = NULL;
        for (char *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
                *out = xrealloc(*out, (*n + 1) * sizeof(**out));
                (*out)[(*n)++] = (pid_t)strtol(t, NULL, 10);
        }
        return 0;
}

static bool moved_by_us(const struct cg_evacuation *ev, pid_t pid)
{
        for (size_t i = 0; i < ev->n_moved; i++)
                if (ev->moved[i] == pid)
                        return true;
        return false;
}

int cg_evacuate(struct cgroup_manager *m, struct husk_error *err)
{
        struct cg_evacuation *ev = m->evac;
        const char *dir = ev->dir;
        _cleanup_free_ char *leaf = xasprintf("%s/" CALLER_LEAF, dir);
        _cleanup_free_ char *dest = xasprintf("%s/cgroup.procs", leaf);
        _cleanup_free_ char *sc = xasprintf("%s/cgroup.subtree_control", dir);
        if (!ev->subtree_before && read_file_at(AT_FDCWD, sc, &ev->subtree_before, NULL, err) < 0)
                return husk_error_wrap(err, "cgroup %s (delegated to you)", dir);
        /* a few rounds: a process may fork while we move the others */
        for (int round = 0; round < 10; round++) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                if (read_procs(dir, &pids, &n, err) < 0)
                        return husk_error_wrap(err, "cgroup %s (delegated to you)", dir);
                if (n == 0)
                        return 0;
                if (mkdir(leaf, 0755) == 0)
                        ev->made_leaf = true;
                else if (errno != EEXIST)
                        return husk_error_sys(err, "create cgroup %s for the processes of %s", leaf, dir);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *pid = xasprintf("%d", (int)pids[i]);
                        if (write_file_at(AT_FDCWD, dest, pid, strlen(pid), err) < 0) {
                                if (errno == ESRCH) {
                                        husk_error_clear(err);
                                        continue;
                                }
                                return husk_error_wrap(err, "move process %s out of cgroup %s (delegated to "
                                                       "you: cgroup v2 enables controllers for a child only "
                                                       "when the parent has no processes)", pid, dir);
                        }
                        if (!moved_by_us(ev, pids[i])) {
                                ev->moved = xrealloc(ev->moved, (ev->n_moved + 1) * sizeof(*ev->moved));
                                ev->moved[ev->n_moved++] = pids[i];
                        }
                        log_debug("cgroup: moved process %s of %s to %s", pid, dir, leaf);
                }
        }
        return husk_error_fail(err, "cgroup %s (delegated to you) keeps getting new processes: cannot move "
                               "them all to %s", dir, leaf);
}

/* Does dir have a child cgroup other than husk-caller? */
static bool has_other_child(const char *dir)
{
        DIR *d = opendir(dir);
        if (!d)
                return true;
        bool other = false;
        struct dirent *de;
        while (!other && (de = readdir(d)))
                other = de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
                        strcmp(de->d_name, "..") != 0 && strcmp(de->d_name, CALLER_LEAF) != 0;
        closedir(d);
        return other;
}

/* Is `word` one of the blank-separated words of `list`? */
static bool has_word(const char *list, const char *word, size_t len)
{
        for (const char *p = list; *p;) {
                p += strspn(p, " \n");
                size_t l = strcspn(p, " \n");
                if (l == len && strncmp(p, word, len) == 0)
                        return true;
                p += l;
        }
        return false;
}

/* "-c" for every controller in `now` that is not in `before`; "" if none */
static char *disable_cmd(const char *before, const char *now)
{
        char *cmd = xstrdup("");
        for (const char *p = now; *p;) {
                p += strspn(p, " \n");
                size_t l = strcspn(p, " \n");
                if (l && !has_word(before, p, l)) {
                        char *n = xasprintf("%s%s-%.*s", cmd, *cmd ? " " : "", (int)l, p);
                        free(cmd);
                        cmd = n;
                }
                p += l;
        }
        return cmd;
}

static void undo(const struct cg_evacuation *ev)
{
        const char *dir = ev->dir;
        struct husk_error e = { 0 };
        if (has_other_child(dir)) {
                log_debug("cgroup: %s has other children: its controllers and processes stay", dir);
                return;
        }
        _cleanup_free_ char *sc = xasprintf("%s/cgroup.subtree_control", dir);
        _cleanup_free_ char *now = NULL;
        if (read_file_at(AT_FDCWD, sc, &now, NULL, &e) == 0) {
                _cleanup_free_ char *cmd = disable_cmd(ev->subtree_before, now);
                if (*cmd && write_file_at(AT_FDCWD, sc, cmd, strlen(cmd), &e) < 0)
                        log_warn("cleanup: disable controllers \"%s\" in %s: %s", cmd, dir, e.msg);
        }
        husk_error_clear(&e);
        _cleanup_free_ char *leaf = xasprintf("%s/" CALLER_LEAF, dir);
        _cleanup_free_ char *back = xasprintf("%s/cgroup.procs", dir);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (read_procs(leaf, &pids, &n, &e) < 0)
                husk_error_clear(&e);
        for (size_t i = 0; i < n; i++) {
                /* a leaf we made holds only what we moved and its children */
                if (!ev->made_leaf && !moved_by_us(ev, pids[i]))
                        continue;
                _cleanup_free_ char *pid = xasprintf("%d", (int)pids[i]);
                if (write_file_at(AT_FDCWD, back, pid, strlen(pid), &e) < 0 && errno != ESRCH)
                        log_warn("cleanup: move process %s back to cgroup %s: %s", pid, dir, e.msg);
                husk_error_clear(&e);
        }
        if (ev->made_leaf && rmdir(leaf) < 0)
                log_warn("cleanup: remove cgroup %s: %s", leaf, strerror(errno));
}

void cg_evacuate_undo(struct cgroup_manager *m)
{
        struct cg_evacuation *ev = m->evac;
        if (!ev || !ev->subtree_before)
                return;
        undo(ev);
        free(ev->subtree_before);
        ev->subtree_before = NULL;
        ev->made_leaf = false;
        ev->n_moved = 0;
}

/* systemd manages a slice's cgroup.subtree_control for its own units. */
static bool parent_is_systemd_slice(const char *dir)
{
        _cleanup_free_ char *d = xstrdup(dir);
        char *slash = strrchr(d, '/');
        if (!slash || slash == d)
                return false;
        *slash = '\0';
        const char *base = strrchr(d, '/');
        base = base ? base + 1 : d;
        size_t len = strlen(base);
        return len > 6 && strcmp(base + len - 6, ".slice") == 0;
}

/* Rootless: a cgroup made right in a slice of the user's systemd gets its
 * controllers from the slice's cgroup.subtree_control, which systemd sets
 * for its own units and rewrites when they come and go: a limit there
 * would silently disappear. Refuse limits there, naming what to do. */
int cg_check_slice_parent(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (!m->rootless || !u || !parent_is_systemd_slice(u->dir))
                return 0;
        _cleanup_strv_ char **want = cg_needed_v2_controllers(m, res);
        if (!want || !*want)
                return 0;
        _cleanup_free_ char *list = xstrdup(want[0]);
        for (char **w = want + 1; *w; w++) {
                char *n = xasprintf("%s, %s", list, *w);
                free(list);
                list = n;
        }
        return husk_error_unsupported(err, "cannot apply the %s limits in cgroup %s: its parent is a systemd "
                                      "slice, where systemd enables and disables controllers for its own units "
                                      "(the limits would not stay); run husk in a unit with Delegate=yes "
                                      "(systemd-run --user --scope -p Delegate=yes ...) or use --systemd-cgroup",
                                      list, u->dir);
}
