/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/path.h"
#include "util/util.h"

/* Symlinks followed by mkdir_in_root/mkfile_in_root before giving up, as
 * the kernel's own MAXSYMLINKS. */
#define PATH_MAX_SYMLINKS 40

/* ".." from cur: one level up, but never above the root. */
static int walk_dotdot(int *cur, const struct stat *root_st)
{
        struct stat st;
        if (fstat(*cur, &st) < 0)
                return -1;
        if (st.st_dev == root_st->st_dev && st.st_ino == root_st->st_ino)
                return 0;
        int up = openat(*cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (up < 0)
                return -1;
        close(*cur);
        *cur = up;
        return 0;
}

/* The symlink `link` (consumed) replaces its component: its target is
 * spliced before the rest of the path in *todo, and an absolute target
 * restarts the walk at the root. */
static int walk_symlink(int root_fd, int *cur, int link, char **todo, const char *rest, int *links)
{
        char target[PATH_MAX];
        ssize_t n = readlinkat(link, "", target, sizeof(target) - 1);
        close(link);
        if (n < 0)
                return -1;
        target[n] = '\0';
        if (++*links > PATH_MAX_SYMLINKS) {
                errno = ELOOP;
                return -1;
        }
        if (target[0] == '/') {
                int r = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (r < 0)
                        return -1;
                close(*cur);
                *cur = r;
        }
        char *spliced = xasprintf("%s/%s", target, rest);
        free(*todo);
        *todo = spliced;
        return 0;
}

/* The walk's result (an O_PATH fd) as the caller asked for it. */
static int walk_result(int *cur, int flags)
{
        struct stat st;
        if (fstat(*cur, &st) < 0)
                return -1;
        if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                return -1;
        }
        if (flags & O_PATH)
                return TAKE_FD(*cur);
        /* Reopen the resolved object with the access asked for. */
        char buf[32];
        return open(fd_path(*cur, buf), (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

/* Without openat2 (Linux < 5.6): walk one component at a time, each opened
 * O_PATH|O_NOFOLLOW; symlinks are read and spliced into the rest of the
 * path (absolute ones restart at the root), ".." never climbs above the
 * root, and magic links are read as plain text, so nothing can leave the
 * tree. Unlike RESOLVE_IN_ROOT it can't see a concurrent rename of a
 * directory out of the tree; openat2 is used whenever the kernel has it. */
int open_in_root_walk(int root_fd, const char *path, int flags)
{
        struct stat root_st, st;
        _cleanup_free_ char *todo = xstrdup(path ? path : "");
        int links = 0;

        if (fstat(root_fd, &root_st) < 0)
                return -1;
        _cleanup_close_ int cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -1;

        char *p = todo;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                char *end = strchrnul(p, '/');
                bool last = end[strspn(end, "/")] == '\0';
                char saved = *end;
                *end = '\0';
                char *rest = saved ? end + 1 : end;

                bool dotdot = strcmp(p, "..") == 0;
                if (dotdot || strcmp(p, ".") == 0) {
                        if (dotdot && walk_dotdot(&cur, &root_st) < 0)
                                return -1;
                        p = rest;
                        continue;
                }
                int next = openat(cur, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return -1;
                if (fstat(next, &st) < 0) {
                        close(next);
                        return -1;
                }
                if (S_ISLNK(st.st_mode) && (!last || !(flags & O_NOFOLLOW))) {
                        if (walk_symlink(root_fd, &cur, next, &todo, rest, &links) < 0)
                                return -1;
                        p = todo;
                        continue;
                }
                if (!last && !S_ISDIR(st.st_mode)) {
                        close(next);
                        errno = ENOTDIR;
                        return -1;
                }
                close(cur);
                cur = next;
                p = rest;
        }
        return walk_result(&cur, flags);
}

bool openat2_disabled(void)
{
        const char *v = getenv("HUSK_NO_OPENAT2");
        return v && *v && strcmp(v, "0") != 0;
}

static int sys_openat2(int dirfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (openat2_disabled())
                return open_in_root_walk(dirfd, path, flags);
        /* EAGAIN: a rename raced with the lookup somewhere under root; the
         * kernel asks us to retry rather than risk a wrong answer. */
        for (int i = 0; i < 32; i++) {
                fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
                if (fd < 0 && errno == ENOSYS)
                        return open_in_root_walk(dirfd, path, flags);
                if (fd >= 0 || errno != EAGAIN)
                        return fd;
        }
        return -1;
}

int open_in_root(int root_fd, const char *path, int flags, struct husk_error *err)
{
        const char *p = (path && *path) ? path : ".";
        int fd = sys_openat2(root_fd, p, flags);
        if (fd < 0)
                return husk_error_sys(err, "open %s in root", p);
        return fd;
}

const char *fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

/* Rebuild a path after a symlink at `prefix`/<link> pointed at `target`:
 * absolute targets restart from the root, relative ones from `prefix`. */
static char *splice_symlink(const char *prefix, const char *target, const char *rest)
{
        const char *base = target[0] == '/' ? "" : prefix;
        return xasprintf("%s/%s%s%s", base, target, (rest && *rest) ? "/" : "", rest ? rest : "");
}

static char *read_link_at(int dirfd, const char *name)
{
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return xstrdup(buf);
}

/* One pass of mkdir -p. Returns the fd, -1 on error, or -2 with *restart
 * set to a new path when a dangling symlink has to be followed. */
static int mkdir_walk(int root_fd, const char *path, mode_t mode, char **restart, struct husk_error *err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_free_ char *prefix = xzalloc(strlen(path) + 2);
        _cleanup_close_ int cur = sys_openat2(root_fd, ".", O_PATH | O_DIRECTORY);
        char *save = NULL;
        size_t plen = 0;

        if (cur < 0)
                return husk_error_sys(err, "open root");

        for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                prefix[plen++] = '/';
                strcpy(prefix + plen, comp);
                plen += strlen(comp);

                for (int tries = 0;; tries++) {
                        int fd = sys_openat2(root_fd, prefix, O_PATH | O_DIRECTORY);
                        if (fd >= 0) {
                                close(cur);
                                cur = fd;
                                break;
                        }
                        if (errno != ENOENT || tries > 4)
                                return husk_error_sys(err, "open %s in root", prefix);
                        if (mkdirat(cur, comp, mode) == 0 || errno == EEXIST) {
                                struct stat st;
                                if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                                        _cleanup_free_ char *target = read_link_at(cur, comp);
                                        if (!target)
                                                return husk_error_sys(err, "readlink %s in root", prefix);
                                        prefix[plen - strlen(comp)] = '\0';
                                        *restart = splice_symlink(prefix, target, save);
                                        return -2;
                                }
                                continue;
                        }
                        return husk_error_sys(err, "mkdir %s in root", prefix);
                }
        }
        return TAKE_FD(cur);
}

int mkdir_in_root(int root_fd, const char *path, mode_t mode, struct husk_error *err)
{
        /* Usually it exists: one lookup instead of one per component. */
        int fd = sys_openat2(root_fd, path && *path ? path : "/", O_PATH | O_DIRECTORY);
        if (fd >= 0 || errno != ENOENT) {
                if (fd < 0)
                        return husk_error_sys(err, "open %s in root", path);
                return fd;
        }
        /* Usually only the last component is missing. */
        _cleanup_free_ char *p = xstrdup(path && *path ? path : "/");
        size_t len = strlen(p);
        while (len > 1 && p[len - 1] == '/')
                p[--len] = '\0';
        char *slash = strrchr(p, '/');
        const char *name = slash ? slash + 1 : p;
        if (*name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                _cleanup_free_ char *dir = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(".");
                _cleanup_close_ int dfd = sys_openat2(root_fd, *dir ? dir : "/", O_PATH | O_DIRECTORY);
                if (dfd >= 0 && mkdirat(dfd, name, mode) == 0) {
                        fd = sys_openat2(root_fd, p, O_PATH | O_DIRECTORY);
                        if (fd >= 0)
                                return fd;
                }
        }

        for (int i = 0; i <= PATH_MAX_SYMLINKS; i++) {
                char *next = NULL;
                fd = mkdir_walk(root_fd, p, mode, &next, err);
                if (fd != -2)
                        return fd;
                free(p);
                p = next;
        }
        errno = ELOOP;
        return husk_error_sys(err, "mkdir %s in root", path);
}

int mkfile_in_root(int root_fd, const char *path, mode_t mode, struct husk_error *err)
{
        _cleanup_free_ char *p = xstrdup(path ? path : "");

        for (int i = 0; i <= PATH_MAX_SYMLINKS; i++) {
                /* Strip trailing slashes, then split into dir + name. */
                size_t len = strlen(p);
                while (len > 1 && p[len - 1] == '/')
                        p[--len] = '\0';
                char *slash = strrchr(p, '/');
                const char *name = slash ? slash + 1 : p;
                _cleanup_free_ char *dir = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup("");

                if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                        errno = EISDIR;
                        return husk_error_sys(err, "create file %s in root", path);
                }

                _cleanup_close_ int dfd = mkdir_in_root(root_fd, dir, 0755, err);
                if (dfd < 0)
                        return -1;

                int fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
                if (fd >= 0) {
                        close(fd);
                } else if (errno != EEXIST) {
                        return husk_error_sys(err, "create file %s in root", p);
                } else {
                        int existing = sys_openat2(root_fd, p, O_PATH);
                        if (existing >= 0)
                                return existing;
                        struct stat st;
                        if (errno == ENOENT && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISLNK(st.st_mode)) {
                                /* A dangling symlink: create its target
                                 * inside the root, as the mount would. */
                                _cleanup_free_ char *target = read_link_at(dfd, name);
                                if (!target)
                                        return husk_error_sys(err, "readlink %s in root", p);
                                char *next = splice_symlink(dir, target, NULL);
                                free(p);
                                p = next;
                                continue;
                        }
                        return husk_error_sys(err, "open %s in root", p);
                }
                return open_in_root(root_fd, p, O_PATH, err);
        }
        errno = ELOOP;
        return husk_error_sys(err, "create file %s in root", path);
}
