/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers every part of libhusk uses: owned-resource cleanup,
 * allocation that aborts on OOM, whole-file I/O, string vectors. */
#ifndef HUSK_UTIL_H
#define HUSK_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "husk/error.h"

/* ---- cleanup attributes: early returns never leak ---- */
static inline void husk_freep(void *p) { free(*(void **)p); }
static inline void husk_closep(int *fd)
{
        if (*fd >= 0) {
                int e = errno;
                close(*fd);
                errno = e;
        }
}
static inline void husk_fclosep(FILE **f)
{
        if (*f) {
                int e = errno;
                fclose(*f);
                errno = e;
        }
}
void husk_strv_freep(char ***v);

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(husk_freep)
#define _cleanup_close_ _cleanup_(husk_closep)
#define _cleanup_fclose_ _cleanup_(husk_fclosep)
#define _cleanup_strv_ _cleanup_(husk_strv_freep)

/* Hand an owned value out of a cleanup variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation: out of memory aborts (as in crun/systemd) ---- */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) HUSK_FMT(1, 2);

/* ---- NULL-terminated string vectors ---- */
size_t strv_length(char *const *v);
void strv_free(char **v);
char **strv_append(char **v, const char *s);   /* copies s */

/* ---- whole-file I/O ---- */
/* Read a whole file (dirfd may be AT_FDCWD). *out is NUL-terminated. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err);
/* Files users hand us (config.json, --process, --resources, state.json,
 * the seccomp cache) are read whole into memory: never more than this, far
 * above any real one (runc's effective limit is higher still). */
#define HUSK_FILE_MAX ((size_t)64 << 20)
/* read_file_at for such a file: it must be a regular file (a FIFO would
 * hang, /dev/zero never ends; opened O_NONBLOCK, checked with fstat before
 * the first read) of at most HUSK_FILE_MAX bytes; errors name the path. */
int read_user_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_error *err);
/* The same for a small file read often (husk list: every state.json): one
 * read into buf (size bytes); when that returns less than it asked, the
 * text is complete (a regular file reads short only at its end) and is in
 * buf, NUL-terminated. Otherwise (empty, full, an error, anything but a
 * regular file) read_user_file_at() decides, into *heap (free it). Returns
 * the text, or NULL with err set. */
const char *read_user_file_small_at(int dirfd, const char *path, char *buf, size_t size, char **heap,
                                    struct husk_error *err);
/* The same bound for an fd that may be a pipe (stdin): "what" names it. */
int read_user_fd(int fd, const char *what, char **out, size_t *len, struct husk_error *err);
/* open(O_WRONLY|O_TRUNC) + write all + close: for /proc and cgroup files. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_error *err);
/* Write to a temp file in the same dir, fsync-free rename over path. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, struct husk_error *err);
/* Rename tmp to name in dirfd, atomically for readers of name, without
 * renaming over an existing file (see util.c). -1 with errno on failure. */
int replace_at(int dirfd, const char *tmp, const char *name);
/* Like write_file_atomic, relative to a directory fd, with replace_at. */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, struct husk_error *err);
/* Wait until the process behind pidfd exits; timeout_ms < 0 waits forever.
 * Returns 1 exited, 0 timed out, -1 error. */
int wait_pidfd(int pidfd, int timeout_ms);
int pidfd_open_pid(pid_t pid);
int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* mkdir -p for absolute host paths (not for container-controlled trees). */
int mkdir_p(const char *path, mode_t mode, struct husk_error *err);

/* Parse a whole decimal string into an int64 / uint64; -1 on junk. */
int parse_int64(const char *s, int64_t *out);
int parse_uint64(const char *s, uint64_t *out);

/* Process start time (field 22 of /proc/<pid>/stat), 0 if gone. */
uint64_t proc_start_time(pid_t pid);
/* One read of /proc/<pid>/stat: its state letter (field 3) and start time
 * (field 22). -1 if the process is gone or the file unreadable. */
int proc_stat_read(pid_t pid, char *state, uint64_t *start_time);

/* fd moved to min or above (the container's preserved fds are below),
 * close-on-exec; the old fd is closed. -1 (errno set) if fd < 0 or the dup fails. */
int fd_above(int fd, int min);
/* The caller's fds [first, end) go to a container process as they are.
 * One of them that is not open would be taken by the next fd we open (a
 * state dir's: a way out of the container): /dev/null (close-on-exec)
 * holds its place while we run. fd_held_free closes those. */
struct fd_held {
        int *fd;
        size_t n;
};
int fd_hold_gaps(int first, int end, struct fd_held *h, struct husk_error *err);
void fd_held_free(struct fd_held *h);

/* Now in UTC as RFC 3339 with nanoseconds ("2026-12-06T21:30:00.123456789Z"),
 * as runc writes state's "created" and logrus its "time"; size >= 40. */
void time_now_rfc3339(char *buf, size_t size);

/* Close every fd >= first except those in keep[] (close_range where it can). */
int close_fds_from(int first, const int *keep, size_t n_keep);

/* Lexically clean an absolute path, as Go's filepath.Clean (which runc
 * applies to spec paths): "/a//b/./c/" -> "/a/b/c", ".." never climbs above
 * "/". No symlink is read. Returns a new string. */
char *path_clean(const char *path);

#endif
