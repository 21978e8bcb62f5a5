/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The id maps of a new user namespace: written by us, or, for ranges an
 * unprivileged caller is granted in /etc/subuid and /etc/subgid, by the
 * setuid helpers newuidmap/newgidmap (Debian's uidmap package). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "util/passwd.h"
#include "util/procfs.h"
#include "util/util.h"

struct map_kind {
        const char *file;       /* uid_map */
        const char *field;      /* linux.uidMappings */
        const char *tool;       /* newuidmap */
        const char *subfile;    /* /etc/subuid */
};
static const struct map_kind uid_kind = { "uid_map", "linux.uidMappings", "newuidmap", "/etc/subuid" };
static const struct map_kind gid_kind = { "gid_map", "linux.gidMappings", "newgidmap", "/etc/subgid" };

/* What the kernel lets an unprivileged writer map: its own id, once. */
static bool only_own_id(const struct husk_idmap *m, size_t n, uid_t own)
{
        return n == 1 && m[0].host_id == own && m[0].size == 1;
}

int ns_write_idmap_file(pid_t pid, const char *file, const struct husk_idmap *m, size_t n,
                        struct husk_error *err)
{
        _cleanup_free_ char *buf = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *next = xasprintf("%s%u %u %u\n", buf, m[i].container_id, m[i].host_id, m[i].size);
                free(buf);
                buf = next;
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        return procfs_write(path, buf, strlen(buf), err);
}

/* newuidmap PID ID HOSTID SIZE...: it checks the ranges against /etc/subuid
 * and writes the map with its own privilege. Its stderr is ours, so its
 * reason reaches the user too. */
static int write_with_tool(pid_t pid, const struct map_kind *k, const struct husk_idmap *m, size_t n,
                           struct husk_error *err)
{
        if (n > 340)
                return husk_error_invalid(err, "%s: too many mappings (%zu)", k->field, n);
        char *argv[2 + 3 * 340 + 1];
        char nums[1 + 3 * 340][12];
        size_t a = 0;
        argv[a++] = (char *)k->tool;
        snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
        argv[a++] = nums[0];
        for (size_t i = 0; i < n; i++) {
                uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
                for (int j = 0; j < 3; j++) {
                        snprintf(nums[1 + 3 * i + j], sizeof(nums[0]), "%u", v[j]);
                        argv[a++] = nums[1 + 3 * i + j];
                }
        }
        argv[a] = NULL;

        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return husk_error_sys(err, "pipe");
        pid_t child = fork();
        if (child < 0) {
                close(p[0]);
                close(p[1]);
                return husk_error_sys(err, "fork %s", k->tool);
        }
        if (child == 0) {
                close(p[0]);
                /* PATH may be minimal under an engine: Debian's place too */
                execvp(k->tool, argv);
                if (errno == ENOENT) {
                        char path[64];
                        snprintf(path, sizeof(path), "/usr/bin/%s", k->tool);
                        execv(path, argv);
                }
                int e = errno;
                (void)write_all(p[1], &e, sizeof(e));
                _exit(127);
        }
        close(p[1]);
        int exec_errno = 0;
        ssize_t got = read_all(p[0], &exec_errno, sizeof(exec_errno));
        close(p[0]);
        int status;
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return husk_error_sys(err, "wait for %s", k->tool);
        if (got == (ssize_t)sizeof(exec_errno) && exec_errno == ENOENT)
                return husk_error_not_found(err,
                                            "%s: mapping more than your own id needs %s (install the uidmap package), "
                                            "not found in PATH or /usr/bin",
                                            k->field, k->tool);
        if (got == (ssize_t)sizeof(exec_errno))
                return husk_error_errno(err, exec_errno, "%s: run %s", k->field, k->tool);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                _cleanup_free_ char *name = passwd_lookup("/etc/passwd", geteuid(), PASSWD_NAME);
                return husk_error_set(err, 0,
                                      "%s: %s failed (%s %d): are these ranges granted to %s in %s?", k->field,
                                      k->tool, WIFEXITED(status) ? "exit status" : "signal",
                                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                                      name ? name : "this user", k->subfile);
        }
        return 0;
}

static int write_map(pid_t pid, const struct map_kind *k, const struct husk_idmap *m, size_t n, uid_t own,
                     struct husk_error *err)
{
        if (n == 0)
                return 0;
        /* root (also root of an engine's user namespace) may map what it
         * has; an unprivileged caller only its own id. */
        bool privileged = geteuid() == 0;
        if (!privileged && !only_own_id(m, n, own))
                return write_with_tool(pid, k, m, n, err);
        if (ns_write_idmap_file(pid, k->file, m, n, err) == 0)
                return 0;
        if (err->errnum == EPERM && !only_own_id(m, n, own)) {
                /* root without CAP_SETUID over the parent namespace */
                struct husk_error e2 = { 0 };
                if (write_with_tool(pid, k, m, n, &e2) == 0)
                        return 0;
        }
        return husk_error_wrap(err, "%s", k->field);
}

int ns_write_idmaps(pid_t pid, const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;
        if (write_map(pid, &uid_kind, l->uid_mappings, l->n_uid_mappings, geteuid(), err) < 0)
                return -1;
        /* An unprivileged writer must give up setgroups(2) before it may
         * write gid_map itself (user_namespaces(7)); newgidmap decides that
         * on its own. */
        if (geteuid() != 0 && only_own_id(l->gid_mappings, l->n_gid_mappings, getegid())) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
                if (procfs_write(path, "deny", 4, err) < 0 && errno != ENOENT)
                        return husk_error_wrap(err, "linux.gidMappings: deny setgroups");
        }
        return write_map(pid, &gid_kind, l->gid_mappings, l->n_gid_mappings, getegid(), err);
}
