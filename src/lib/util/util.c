/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>

#include "util/compat.h"
#include "util/util.h"

static void oom(void)
{
        static const char m[] = "husk: out of memory\n";
        (void)!write(2, m, sizeof(m) - 1);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xzalloc(size_t n)
{
        void *p = calloc(1, n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                oom();
        return p;
}

char *xstrdup(const char *s)
{
        if (!s)
                return NULL;
        char *r = strdup(s);
        if (!r)
                oom();
        return r;
}

char *xstrndup(const char *s, size_t n)
{
        char *r = strndup(s, n);
        if (!r)
                oom();
        return r;
}

char *xasprintf(const char *fmt, ...)
{
        char *r;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&r, fmt, ap);
        va_end(ap);
        if (n < 0)
                oom();
        return r;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

void husk_strv_freep(char ***v)
{
        strv_free(*v);
}

char **strv_append(char **v, const char *s)
{
        size_t n = strv_length(v);
        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n] = xstrdup(s);
        v[n + 1] = NULL;
        return v;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                p += w;
                len -= (size_t)w;
        }
        return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
        size_t got = 0;
        while (got < len) {
                ssize_t r = read(fd, (char *)buf + got, len - got);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                if (r == 0)
                        break;
                got += (size_t)r;
        }
        return (ssize_t)got;
}

/* Read fd to its end into a NUL-terminated buffer; more than max bytes is
 * an error naming the limit (max = SIZE_MAX: no limit). */
static int read_fd_max(int fd, const char *what, size_t max, char **out, size_t *len, struct husk_error *err)
{
        size_t cap = 4096, n = 0;
        _cleanup_free_ char *buf = xmalloc(cap);
        for (;;) {
                if (n + 1 >= cap) {
                        if (n > max)
                                break;
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                ssize_t r = read(fd, buf + n, cap - n - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return husk_error_sys(err, "read %s", what);
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (n > max)
                return husk_error_invalid(err, "%s: larger than the %zu MiB limit", what, max >> 20);
        buf[n] = '\0';
        if (len)
                *len = n;
        *out = TAKE_PTR(buf);
        return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "open %s", path);
        return read_fd_max(fd, path, SIZE_MAX, out, len, err);
}

int read_user_fd(int fd, const char *what, char **out, size_t *len, struct husk_error *err)
{
        return read_fd_max(fd, what, HUSK_FILE_MAX, out, len, err);
}

static bool is_anonymous_pipe(int fd, const struct stat *st)
{
        struct statfs sfs;
        return S_ISFIFO(st->st_mode) && fstatfs(fd, &sfs) == 0 && sfs.f_type == PIPEFS_MAGIC;
}

int read_user_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "open %s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return husk_error_sys(err, "stat %s", path);
        if (is_anonymous_pipe(fd, &st)) {
                /* `-p <(...)`, /dev/stdin: a pipe the caller already holds,
                 * read like stdin (bounded). A named FIFO is still refused:
                 * nobody may ever open its other end. */
                if (fcntl(fd, F_SETFL, O_RDONLY) < 0)
                        return husk_error_sys(err, "read %s", path);
                return read_user_fd(fd, path, out, len, err);
        }
        if (!S_ISREG(st.st_mode))
                return husk_error_invalid(err, "%s: not a regular file (%s)", path,
                                          S_ISFIFO(st.st_mode)  ? "a FIFO"
                                          : S_ISCHR(st.st_mode) ? "a character device"
                                          : S_ISBLK(st.st_mode) ? "a block device"
                                          : S_ISDIR(st.st_mode) ? "a directory"
                                          : S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
        if ((uint64_t)st.st_size > HUSK_FILE_MAX)
                return husk_error_invalid(err, "%s: %lld bytes, larger than the %zu MiB limit", path,
                                          (long long)st.st_size, HUSK_FILE_MAX >> 20);
        return read_user_fd(fd, path, out, len, err);
}

const char *read_user_file_small_at(int dirfd, const char *path, char *buf, size_t size, char **heap,
                                    struct husk_error *err)
{
        *heap = NULL;
        {
                _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd < 0) {
                        husk_error_sys(err, "open %s", path);
                        return NULL;
                }
                ssize_t n = read(fd, buf, size - 1);
                if (n > 0 && (size_t)n < size - 1) {
                        buf[n] = '\0';
                        return buf;
                }
        }
        /* A FIFO reads 0 bytes (O_NONBLOCK), a device may fill buf: the
         * checked way names what is wrong, and reads a big file whole. */
        if (read_user_file_at(dirfd, path, heap, NULL, err) < 0)
                return NULL;
        return *heap;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_error *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "open %s", path);
        if (write_all(fd, data, len) < 0)
                return husk_error_sys(err, "write %s", path);
        return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, struct husk_error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return husk_error_sys(err, "create %s", tmp);
        if (write_all(fd, data, len) < 0) {
                husk_error_sys(err, "write %s", tmp);
                unlink(tmp);
                return -1;
        }
        if (rename(tmp, path) < 0) {
                husk_error_sys(err, "rename %s to %s", tmp, path);
                unlink(tmp);
                return -1;
        }
        return 0;
}

int mkdir_p(const char *path, mode_t mode, struct husk_error *err)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return husk_error_sys(err, "mkdir %s", p);
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return husk_error_sys(err, "mkdir %s", p);
        return 0;
}

int parse_int64(const char *s, int64_t *out)
{
        if (!s || !*s)
                return -1;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end)
                return -1;
        *out = v;
        return 0;
}

int parse_uint64(const char *s, uint64_t *out)
{
        if (!s || !*s || *s == '-')
                return -1;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return -1;
        *out = v;
        return 0;
}

int proc_stat_read(pid_t pid, char *state, uint64_t *start_time)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        /* one read: procfs makes the line whole, so a short read is all of it */
        ssize_t n;
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        /* comm may hold spaces and parens: fields start after the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ' || !p[2])
                return -1;
        *state = p[2];
        /* p is on ')', the end of field 2; start time is field 22 */
        for (int field = 2; field < 22 && p; field++)
                p = strchr(p + 1, ' ');
        if (!p)
                return -1;
        *start_time = strtoull(p + 1, NULL, 10);
        return 0;
}

uint64_t proc_start_time(pid_t pid)
{
        char state;
        uint64_t t;
        return proc_stat_read(pid, &state, &t) < 0 ? 0 : t;
}

int fd_above(int fd, int min)
{
        if (fd < 0 || fd >= min)
                return fd;
        int n = fcntl(fd, F_DUPFD_CLOEXEC, min);
        int saved = errno;
        close(fd);
        errno = saved;
        return n;
}

int fd_hold_gaps(int first, int end, struct fd_held *h, struct husk_error *err)
{
        for (int fd = first; fd < end; fd++) {
                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                int n = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (n >= 0 && n != fd) {
                        int d = dup3(n, fd, O_CLOEXEC);
                        close(n);
                        n = d;
                }
                if (n < 0)
                        return husk_error_sys(err, "--preserve-fds: hold fd %d (not open) with /dev/null", fd);
                h->fd = xrealloc(h->fd, (h->n + 1) * sizeof(*h->fd));
                h->fd[h->n++] = n;
        }
        return 0;
}

void fd_held_free(struct fd_held *h)
{
        for (size_t i = 0; i < h->n; i++)
                close(h->fd[i]);
        free(h->fd);
        h->fd = NULL;
        h->n = 0;
}

static int cmp_int(const void *a, const void *b)
{
        return *(const int *)a - *(const int *)b;
}

int close_fds_from(int first, const int *keep, size_t n_keep)
{
        _cleanup_free_ int *sorted = xmalloc((n_keep ? n_keep : 1) * sizeof(int));
        size_t n = 0;
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] >= first)
                        sorted[n++] = keep[i];
        qsort(sorted, n, sizeof(int), cmp_int);
        int lo = first;
        for (size_t i = 0; i <= n; i++) {
                int hi = i < n ? sorted[i] - 1 : INT32_MAX;
                if (hi >= lo && syscall(SYS_close_range, lo, hi, 0) < 0) {
                        /* old kernel: walk /proc/self/fd */
                        DIR *d = opendir("/proc/self/fd");
                        if (!d)
                                return -1;
                        int dfd = dirfd(d);
                        struct dirent *e;
                        while ((e = readdir(d))) {
                                int fd = atoi(e->d_name);
                                if (e->d_name[0] != '.' && fd >= lo && fd <= hi && fd != dfd)
                                        close(fd);
                        }
                        closedir(d);
                }
                if (i < n)
                        lo = sorted[i] + 1;
        }
        return 0;
}

int replace_at(int dirfd, const char *tmp, const char *name)
{
        /* ext4 (auto_da_alloc) starts writing a file back at once when it is
         * renamed over another one, and unlinking it later waits for that I/O:
         * milliseconds on a disk-backed state root, per container. Exchanging
         * the two names and unlinking the old content is as atomic for readers
         * and never replaces. tmpfs and the others take the same path. */
        if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0) {
                if (unlinkat(dirfd, tmp, 0) == 0 || errno != EISDIR)
                        return 0;               /* the old content is gone */
                /* name was a directory: swap back, and fail as rename(2) */
                renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE);
                errno = EISDIR;
                return -1;
        }
        if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
                return -1;
        return renameat(dirfd, tmp, dirfd, name);  /* nothing to replace, or no exchange here */
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, struct husk_error *err)
{
        char tmp[256];
        snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return husk_error_sys(err, "create %s", name);
        if (write_all(fd, data, len) < 0 || replace_at(dirfd, tmp, name) < 0) {
                husk_error_sys(err, "write %s", name);
                unlinkat(dirfd, tmp, 0);
                return -1;
        }
        return 0;
}

int pidfd_open_pid(pid_t pid)
{
        return (int)syscall(SYS_pidfd_open, pid, 0);
}

int wait_pidfd(int pidfd, int timeout_ms)
{
        struct pollfd p = { pidfd, POLLIN, 0 };
        for (;;) {
                int r = poll(&p, 1, timeout_ms);
                if (r > 0)
                        return 1;
                if (r == 0)
                        return 0;
                if (errno != EINTR)
                        return -1;
        }
}

char *path_clean(const char *path)
{
        const char *p = path ? path : "";
        char *out = xzalloc(strlen(p) + 2);
        size_t n = 0;

        while (*p) {
                while (*p == '/')
                        p++;
                const char *e = strchrnul(p, '/');
                size_t len = (size_t)(e - p);
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (n > 0 && out[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--;
                } else if (len > 0 && !(len == 1 && p[0] == '.')) {
                        out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p = e;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        return out;
}

void time_now_rfc3339(char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}
