/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* selfexe_protect: this program re-executes itself the way husk does, once
 * with CAP_SYS_ADMIN (a detached read-only bind mount, when root) and once
 * without (the sealed memfd copy), and the re-executed program checks its
 * own /proc/self/exe: not writable, of the expected kind, and a second
 * selfexe_protect returns at once. The copy's argv tells it what to check;
 * a plain binary (fstatvfs not read-only, no seals) is never "protected". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/selfexe.h"
#include "util/util.h"
#include "tap.h"

extern char **environ;

/* In the re-executed copy: what is /proc/self/exe now? */
static int check_protected(const char *want)
{
        int before = tap_failures();
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0, "open /proc/self/exe: %m");
        CHECK(selfexe_fd_is_protected(fd), "the re-executed exe is not protected");
        int seals = fcntl(fd, F_GET_SEALS);
        if (strcmp(want, "memfd") == 0) {
                CHECK(seals >= 0 && (seals & F_SEAL_WRITE), "expected a sealed memfd, seals %d", seals);
        } else {
                struct statvfs v;
                CHECK(seals < 0, "expected a bind mount, got a memfd");
                CHECK(fstatvfs(fd, &v) == 0 && (v.f_flag & ST_RDONLY), "expected a read-only mount");
        }
        int w = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
        CHECK(w < 0 && (errno == EROFS || errno == EPERM || errno == ETXTBSY),
              "/proc/self/exe opened for writing (or failed with %m)");
        if (w >= 0)
                close(w);
        /* a second call sees the protection and returns without exec */
        struct husk_error err = { 0 };
        char *argv[] = { "test-selfexe", "--never", NULL };
        CHECK(selfexe_protect(argv, environ, &err) == 0, "second protect: %s", err.msg);
        return tap_failures() > before ? 1 : 0;
}

/* Fork; in the child optionally drop CAP_SYS_ADMIN, then protect with
 * argv "test-selfexe --check KIND". Returns the child's exit status. */
static int run_protect(const char *kind, bool drop_admin)
{
        pid_t pid = fork();
        if (pid == 0) {
                if (drop_admin) {
                        cap_t c = cap_get_proc();
                        cap_value_t v = CAP_SYS_ADMIN;
                        cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
                        if (cap_set_proc(c) < 0)
                                _exit(90);
                        cap_free(c);
                }
                char *argv[] = { "test-selfexe", "--check", (char *)kind, NULL };
                struct husk_error err = { 0 };
                selfexe_protect(argv, environ, &err);
                fprintf(stderr, "protect (%s): %s\n", kind, err.msg);
                _exit(91);
        }
        int st;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
        if (argc == 3 && strcmp(argv[1], "--check") == 0)
                return check_protected(argv[2]);
        if (argc == 2 && strcmp(argv[1], "--never") == 0)
                return 99;      /* a second protect must not re-execute */

        /* the re-executed copies (--check) add their checks to ours */
        tap_keep_across_exec();
        /* the build's binary itself: a plain file on a writable mount */
        {
                _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
                CHECK(fd >= 0 && !selfexe_fd_is_protected(fd), "the plain binary counts as protected");
        }
        int r;
        if (geteuid() == 0) {
                r = run_protect("mount", false);
                CHECK(r == 0, "read-only bind mount: child exited %d", r);
        } else {
                tap_skip(1, "not root: the read-only bind mount is not tested");
        }
        r = run_protect("memfd", geteuid() == 0);
        CHECK(r == 0, "sealed memfd: child exited %d", r);
        return tap_done();
}
