/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tests' one harness: every check is a TAP test point, so
 * `meson test` (protocol 'tap') reports each failing check by name.
 *
 *   CHECK(cond)               a test point named "file:line: cond"
 *   CHECK(cond, fmt, ...)     same; on failure fmt is printed as a diagnostic.
 *                             fmt and its arguments are evaluated only on
 *                             failure, so they may read what exists only then.
 *   ok(cond, fmt, ...)        a test point named by fmt (always formatted)
 *   tap_diag(fmt, ...)        a "# ..." comment
 *   tap_skip(n, why)          n test points skipped (e.g. not root)
 *   tap_skip_all(why)         nothing can run here: "1..0 # SKIP why", exit 0
 *   tap_failures()            failed points so far
 *   return tap_done();        the plan line; 0 if every point passed, else 1
 *
 * Forked children may check too, while the parent waits for them: the
 * counters live in a shared mapping and every line is one write(2), so
 * the numbers stay in order whatever the child's stdio or namespaces.
 * A child that exec()s a program which checks (test-selfexe) shares them
 * too after tap_keep_across_exec().
 *
 * #define TAP_ERRNO before the include to add errno to every failure.
 */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct tap_counts {
        int n, failed;
};

static struct tap_counts *tap_counts_;

#define TAP_FD_ENV "HUSK_TAP_FD"

__attribute__((constructor)) static void tap_init_(void)
{
        const char *e = getenv(TAP_FD_ENV);
        struct stat st;
        void *p = MAP_FAILED;

        if (e) {
                /* exec()ed by a test that shared its counters */
                int fd = atoi(e);
                if (fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof(struct tap_counts))
                        p = mmap(NULL, sizeof(struct tap_counts), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
        if (p == MAP_FAILED)
                p = mmap(NULL, sizeof(struct tap_counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                         -1, 0);
        if (p == MAP_FAILED) {
                perror("tap: mmap");
                _exit(99);
        }
        tap_counts_ = p;
}

/* Move the counters into a memfd that an exec()ed test program maps again. */
__attribute__((unused)) static void tap_keep_across_exec(void)
{
        int fd = memfd_create("tap", 0);
        if (fd < 0 || ftruncate(fd, sizeof(struct tap_counts)) < 0) {
                perror("tap: memfd");
                _exit(99);
        }
        void *p = mmap(tap_counts_, sizeof(struct tap_counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                       fd, 0);
        struct tap_counts now = *tap_counts_;
        if (p == MAP_FAILED) {
                perror("tap: mmap memfd");
                _exit(99);
        }
        /* MAP_FIXED replaced the old pages: put the counts back */
        *tap_counts_ = now;
        char v[16];
        snprintf(v, sizeof(v), "%d", fd);
        setenv(TAP_FD_ENV, v, 1);
}

/* One line (or several, each prefixed) in one write(2). */
static void tap_emit_(const char *prefix, const char *text)
{
        char buf[4096];
        size_t len = 0;
        bool bol = true;
        for (const char *s = text; *s && len + 8 < sizeof(buf); s++) {
                if (bol) {
                        size_t pl = strlen(prefix);
                        if (len + pl + 8 >= sizeof(buf))
                                break;
                        memcpy(buf + len, prefix, pl);
                        len += pl;
                        bol = false;
                }
                buf[len++] = *s;
                if (*s == '\n')
                        bol = true;
        }
        if (len == 0 || buf[len - 1] != '\n')
                buf[len++] = '\n';
        (void)!write(STDOUT_FILENO, buf, len);
}

static void tap_point_(bool pass, const char *name, const char *directive)
{
        char line[1024], clean[900];
        size_t i;
        /* a '#' or a newline in a name would end it early */
        for (i = 0; name[i] && i < sizeof(clean) - 1; i++)
                clean[i] = name[i] == '#' ? '_' : name[i] == '\n' ? ' ' : name[i];
        clean[i] = '\0';
        int n = __atomic_add_fetch(&tap_counts_->n, 1, __ATOMIC_SEQ_CST);
        if (!pass)
                __atomic_add_fetch(&tap_counts_->failed, 1, __ATOMIC_SEQ_CST);
        snprintf(line, sizeof(line), "%s %d - %s%s", pass ? "ok" : "not ok", n, clean, directive ? directive : "");
        tap_emit_("", line);
}

__attribute__((format(printf, 1, 2), unused)) static void tap_diag(const char *fmt, ...)
{
        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        tap_emit_("# ", msg);
}

/* CHECK's failure path: the name, then the message as a diagnostic. */
__attribute__((format(printf, 5, 6), unused)) static void tap_check_failed_(const char *file, int line, const char *expr,
                                                                   int errnum, const char *fmt, ...)
{
        char name[1024], msg[2048];
        va_list ap;
        snprintf(name, sizeof(name), "%s:%d: %s", file, line, expr);
        tap_point_(false, name, NULL);
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt + 1, ap);
        va_end(ap);
#ifdef TAP_ERRNO
        tap_diag("%s:%d: %s%s(errno: %s)", file, line, msg, msg[0] ? " " : "", strerror(errnum));
#else
        (void)errnum;
        if (msg[0])
                tap_diag("%s:%d: %s", file, line, msg);
#endif
}

__attribute__((unused)) static void tap_check_passed_(const char *file, int line, const char *expr)
{
        char name[1024];
        snprintf(name, sizeof(name), "%s:%d: %s", file, line, expr);
        tap_point_(true, name, NULL);
}

/* " " __VA_ARGS__: the format gets a leading space (dropped when printed),
 * so CHECK(cond) without a message still has a format string. */
#define CHECK(cond, ...)                                                                                \
        do {                                                                                            \
                if (cond)                                                                               \
                        tap_check_passed_(__FILE__, __LINE__, #cond);                                  \
                else                                                                                    \
                        tap_check_failed_(__FILE__, __LINE__, #cond, errno, " " __VA_ARGS__);           \
        } while (0)

__attribute__((format(printf, 2, 3), unused)) static void ok(bool cond, const char *fmt, ...)
{
        char name[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(name, sizeof(name), fmt, ap);
        va_end(ap);
        tap_point_(cond, name, NULL);
}

__attribute__((unused)) static void tap_skip(int n, const char *why)
{
        char d[512];
        snprintf(d, sizeof(d), " # SKIP %s", why);
        for (int i = 0; i < n; i++)
                tap_point_(true, "", d);
}

__attribute__((noreturn, unused)) static void tap_skip_all(const char *why)
{
        char line[512];
        snprintf(line, sizeof(line), "1..0 # SKIP %s", why);
        tap_emit_("", line);
        exit(0);
}

__attribute__((unused)) static int tap_failures(void)
{
        return __atomic_load_n(&tap_counts_->failed, __ATOMIC_SEQ_CST);
}

__attribute__((unused)) static int tap_done(void)
{
        char line[64];
        int n = __atomic_load_n(&tap_counts_->n, __ATOMIC_SEQ_CST);
        int failed = tap_failures();
        snprintf(line, sizeof(line), "1..%d", n);
        tap_emit_("", line);
        if (failed)
                tap_diag("%d of %d check(s) failed", failed, n);
        return failed ? 1 : 0;
}

#endif
