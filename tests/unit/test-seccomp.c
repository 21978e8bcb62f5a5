/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Seccomp filters built from struct husk_seccomp, loaded in forked children
 * (with no_new_privs, so no root is needed). */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "linux/seccomp_filter.h"
#include "spec/names.h"
#include "util/util.h"
#include "tap.h"

/* A path whose parent doesn't exist: mkdir fails with ENOENT unless the
 * filter stops it first, and never creates anything. */
#define NOPATH "/nonexistent-husk-seccomp-test/dir"

static char *mkdir_names[] = { "mkdir", "mkdirat", NULL };
static char *umask_names[] = { "umask", NULL };
static char *getppid_names[] = { "getppid", NULL };
static char *getpriority_names[] = { "getpriority", NULL };

/* Fork; the child sets no_new_privs (unless nnp is false), loads s and runs
 * fn, whose return value becomes its exit code. Returns the wait status. */
static int run_filtered(const struct husk_seccomp *s, bool nnp, int (*fn)(void))
{
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                struct husk_error err = { 0 };
                struct rlimit nocore = { 0, 0 };
                int nfd;
                setrlimit(RLIMIT_CORE, &nocore);   /* SIGSYS would dump core */
                if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                if (seccomp_load_filter(s, &nfd, &err) < 0) {
                        fprintf(stderr, "load: %s\n", err.msg);
                        _exit(101);
                }
                /* exit_group itself, not _exit(): under ASan/LSan _exit
                 * runs the leak checker, whose syscalls (clone, ptrace,
                 * ...) the allowlist filters would kill or fail. */
                syscall(SYS_exit_group, fn());
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return status;
}

static bool exited(int status, int code)
{
        return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static bool killed_by(int status, int sig)
{
        return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* ---- child bodies: 0 means "as expected" ---- */

static int mkdir_eperm(void)
{
        return mkdir(NOPATH, 0755) < 0 && errno == EPERM ? 0 : 1;
}

static int mkdir_exdev(void)
{
        return mkdir(NOPATH, 0755) < 0 && errno == EXDEV ? 0 : 1;
}

static int umask_eq(void)
{
        if (!(syscall(SYS_umask, 0123) < 0 && errno == EXDEV))
                return 1;
        if (syscall(SYS_umask, 022) < 0)
                return 2;
        return 0;
}

static int umask_masked(void)
{
        /* blocked when (mask & 0700) == 0700 */
        if (!(syscall(SYS_umask, 0755) < 0 && errno == EXDEV))
                return 1;
        if (!(syscall(SYS_umask, 0777) < 0 && errno == EXDEV))
                return 2;
        if (syscall(SYS_umask, 0055) < 0)
                return 3;
        if (syscall(SYS_umask, 0600) < 0)
                return 4;
        return 0;
}

static int umask_or(void)
{
        if (!(syscall(SYS_umask, 011) < 0 && errno == EXDEV))
                return 1;
        if (!(syscall(SYS_umask, 022) < 0 && errno == EXDEV))
                return 2;
        if (syscall(SYS_umask, 033) < 0)
                return 3;
        return 0;
}

static int getpriority_and(void)
{
        /* blocked only when which == PRIO_PROCESS && who == 999999 */
        if (!(syscall(SYS_getpriority, PRIO_PROCESS, 999999) < 0 && errno == EXDEV))
                return 1;
        if (syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0)
                return 2;
        if (!(syscall(SYS_getpriority, PRIO_PGRP, 999999) < 0 && errno == ESRCH))
                return 3;
        return 0;
}

static int call_getppid(void)
{
        syscall(SYS_getppid);
        return 0;
}

static int getppid_works(void)
{
        return syscall(SYS_getppid) > 0 ? 0 : 1;
}

static int getppid_eperm(void)
{
        return syscall(SYS_getppid) < 0 && errno == EPERM ? 0 : 1;
}

static int getppid_exdev(void)
{
        return syscall(SYS_getppid) < 0 && errno == EXDEV ? 0 : 1;
}

static int getppid_enosys(void)
{
        return syscall(SYS_getppid) < 0 && errno == ENOSYS ? 0 : 1;
}

/* getrandom(NULL, 0, 0) is 318 on x86_64: above every syscall these
 * profiles name; getpid (39) is below. */
static int newer_enosys_older_eperm(void)
{
        if (!(syscall(318, NULL, 0, 0) < 0 && errno == ENOSYS))
                return 1;
        if (!(syscall(SYS_getpid) < 0 && errno == EPERM))
                return 2;
        return 0;
}

static int newer_eperm(void)
{
        return syscall(318, NULL, 0, 0) < 0 && errno == EPERM ? 0 : 1;
}

static int newer_enosys_older_killed(void)
{
        if (!(syscall(318, NULL, 0, 0) < 0 && errno == ENOSYS))
                return 1;
        syscall(SYS_getpid);
        return 2;
}

static int return_zero(void)
{
        return 0;
}

/* ---- tests ---- */

static void test_default_allow_one_errno(void)
{
        struct husk_seccomp_rule r = { .names = mkdir_names, .action = HUSK_SCMP_ACT_ERRNO };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, mkdir_eperm);
        CHECK(exited(st, 0), "mkdir should fail with EPERM (status 0x%x)", st);

        r.errno_ret = (struct husk_opt_u64){ true, EXDEV };
        st = run_filtered(&s, true, mkdir_exdev);
        CHECK(exited(st, 0), "mkdir should fail with errnoRet EXDEV (status 0x%x)", st);

        /* And without the rule, mkdir reaches the kernel (ENOENT). */
        s.n_syscalls = 0;
        st = run_filtered(&s, true, mkdir_eperm);
        CHECK(exited(st, 1), "mkdir should not be blocked without a rule (status 0x%x)", st);
}

static void test_arg_eq(void)
{
        struct husk_seccomp_arg a = { .index = 0, .value = 0123, .op = HUSK_SCMP_CMP_EQ };
        struct husk_seccomp_rule r = { .names = umask_names, .action = HUSK_SCMP_ACT_ERRNO,
                                       .errno_ret = { true, EXDEV }, .args = &a, .n_args = 1 };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, umask_eq);
        CHECK(exited(st, 0), "umask(0123) blocked, umask(022) allowed (status 0x%x)", st);
}

static void test_arg_masked_eq(void)
{
        struct husk_seccomp_arg a = { .index = 0, .value = 0700, .value_two = 0700, .op = HUSK_SCMP_CMP_MASKED_EQ };
        struct husk_seccomp_rule r = { .names = umask_names, .action = HUSK_SCMP_ACT_ERRNO,
                                       .errno_ret = { true, EXDEV }, .args = &a, .n_args = 1 };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, umask_masked);
        CHECK(exited(st, 0), "MASKED_EQ: child step %d failed", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_same_index_is_or(void)
{
        struct husk_seccomp_arg a[] = {
                { .index = 0, .value = 011, .op = HUSK_SCMP_CMP_EQ },
                { .index = 0, .value = 022, .op = HUSK_SCMP_CMP_EQ },
        };
        struct husk_seccomp_rule r = { .names = umask_names, .action = HUSK_SCMP_ACT_ERRNO,
                                       .errno_ret = { true, EXDEV }, .args = a, .n_args = 2 };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, umask_or);
        CHECK(exited(st, 0), "same-index conditions are OR: child step %d failed",
              WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_different_index_is_and(void)
{
        struct husk_seccomp_arg a[] = {
                { .index = 0, .value = PRIO_PROCESS, .op = HUSK_SCMP_CMP_EQ },
                { .index = 1, .value = 999999, .op = HUSK_SCMP_CMP_EQ },
        };
        struct husk_seccomp_rule r = { .names = getpriority_names, .action = HUSK_SCMP_ACT_ERRNO,
                                       .errno_ret = { true, EXDEV }, .args = a, .n_args = 2 };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, getpriority_and);
        CHECK(exited(st, 0), "different-index conditions are AND: child step %d failed",
              WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_kill_actions(void)
{
        enum husk_seccomp_action acts[] = { HUSK_SCMP_ACT_KILL, HUSK_SCMP_ACT_KILL_THREAD,
                                            HUSK_SCMP_ACT_KILL_PROCESS, HUSK_SCMP_ACT_TRAP };
        for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
                struct husk_seccomp_rule r = { .names = getppid_names, .action = acts[i] };
                struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
                int st = run_filtered(&s, true, call_getppid);
                CHECK(killed_by(st, SIGSYS), "action %zu should kill with SIGSYS (status 0x%x)", i, st);
        }
}

static void test_trace_without_tracer(void)
{
        struct husk_seccomp_rule r = { .names = getppid_names, .action = HUSK_SCMP_ACT_TRACE };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, getppid_enosys);
        CHECK(exited(st, 0), "SCMP_ACT_TRACE without a tracer gives ENOSYS (status 0x%x)", st);
}

static void test_all_flags_without_notify(void)
{
        static char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
        struct husk_seccomp_rule r = { .names = mkdir_names, .action = HUSK_SCMP_ACT_ERRNO };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .flags = flags, .syscalls = &r, .n_syscalls = 1 };
        struct husk_error err = { 0 };
        CHECK(seccomp_check_host(&s, &err) == 0, "all flags validate: %s", err.msg);
        int st = run_filtered(&s, true, mkdir_eperm);
        CHECK(exited(st, 0), "all flags load (status 0x%x)", st);
}

static void test_log(void)
{
        static char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };
        struct husk_seccomp_rule r = { .names = getppid_names, .action = HUSK_SCMP_ACT_LOG };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .flags = flags, .syscalls = &r, .n_syscalls = 1 };
        struct husk_error err = { 0 };
        CHECK(seccomp_check_host(&s, &err) == 0, "LOG profile validates: %s", err.msg);
        int st = run_filtered(&s, true, getppid_works);
        CHECK(exited(st, 0), "SCMP_ACT_LOG lets the syscall run (status 0x%x)", st);
}

/* Default deny (kill), allow only what the child does after loading: proves
 * seccomp_load_filter makes no syscall once the filter is live. */
static void test_default_kill_allowlist(void)
{
        static char *allowed[] = { "exit_group", "exit", NULL };
        struct husk_seccomp_rule r = { .names = allowed, .action = HUSK_SCMP_ACT_ALLOW };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_KILL_PROCESS, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, return_zero);
        CHECK(exited(st, 0), "nothing runs after the filter is loaded (status 0x%x)", st);
        st = run_filtered(&s, true, call_getppid);
        CHECK(killed_by(st, SIGSYS), "default KILL_PROCESS kills getppid (status 0x%x)", st);
}

static void test_default_errno(void)
{
        static char *allowed[] = { "exit_group", "exit", NULL };
        struct husk_seccomp_rule r = { .names = allowed, .action = HUSK_SCMP_ACT_ALLOW };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ERRNO, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, true, getppid_eperm);
        CHECK(exited(st, 0), "default ERRNO is EPERM (status 0x%x)", st);
        s.default_errno_ret = (struct husk_opt_u64){ true, EXDEV };
        st = run_filtered(&s, true, getppid_exdev);
        CHECK(exited(st, 0), "defaultErrnoRet EXDEV (status 0x%x)", st);
}

static void test_unknown_syscall_skipped(void)
{
        static char *names[] = { "no_such_syscall_husk", "mkdir", "mkdirat", NULL };
        struct husk_seccomp_rule r = { .names = names, .action = HUSK_SCMP_ACT_ERRNO };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        struct husk_error err = { 0 };
        CHECK(seccomp_check_host(&s, &err) == 0, "unknown syscall names are skipped: %s", err.msg);
        int st = run_filtered(&s, true, mkdir_eperm);
        CHECK(exited(st, 0), "the known names of the rule still apply (status 0x%x)", st);
}

static void test_rule_with_default_action_skipped(void)
{
        static char *names[] = { "getppid", NULL };
        struct husk_seccomp_rule r[] = {
                { .names = names, .action = HUSK_SCMP_ACT_ALLOW },
                { .names = mkdir_names, .action = HUSK_SCMP_ACT_ERRNO },
        };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = r, .n_syscalls = 2 };
        struct husk_error err = { 0 };
        CHECK(seccomp_check_host(&s, &err) == 0, "a rule with the default action is skipped: %s", err.msg);
        int st = run_filtered(&s, true, mkdir_eperm);
        CHECK(exited(st, 0), "status 0x%x", st);
}

/* The host check: filter flags the running kernel has. (The rules on names,
 * actions and conditions are spec/validate.c's: test-spec checks them.) */
static void test_validation(void)
{
        struct husk_error err = { 0 };
        static char *all_flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                     "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .flags = all_flags };

        CHECK(seccomp_check_host(&s, &err) == 0, "known flags: %s", err.msg);
        CHECK(seccomp_check_host(NULL, &err) == 0, "no profile: %s", err.msg);
        CHECK(spec_seccomp_flag_names.n == 4, "four known flags");
        for (size_t i = 0; i < spec_seccomp_flag_names.n; i++)
                CHECK(seccomp_flag_supported(spec_seccomp_flag_names.v[i].name), "%s supported by this kernel",
                      spec_seccomp_flag_names.v[i].name);
        CHECK(!seccomp_flag_supported("SECCOMP_FILTER_FLAG_BOGUS"), "bogus flag unsupported");
}

/* SCMP_ACT_NOTIFY end to end: the child sends the listener fd over a socket
 * pair, then calls getppid; we answer 4242 for it. */
static void test_notify(void)
{
        /* TSYNC with a listener needs TSYNC_ESRCH; WAIT_KILLABLE_RECV needs
         * the listener: both must be handled. */
        static char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
        struct husk_seccomp_rule r = { .names = getppid_names, .action = HUSK_SCMP_ACT_NOTIFY };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .listener_path = "/unused",
                                  .flags = flags, .syscalls = &r, .n_syscalls = 1 };
        int sv[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                CHECK(false, "socketpair: %s", strerror(errno));
                return;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                struct husk_error err = { 0 };
                int nfd = -1;
                close(sv[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                if (seccomp_load_filter(&s, &nfd, &err) < 0 || nfd < 0)
                        _exit(101);
                char byte = 'x';
                char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
                struct iovec iov = { &byte, 1 };
                struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                      .msg_controllen = sizeof(cbuf) };
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &nfd, sizeof(int));
                if (sendmsg(sv[1], &msg, 0) != 1)
                        _exit(102);
                close(nfd);
                _exit(syscall(SYS_getppid) == 4242 ? 0 : 103);
        }
        close(sv[1]);
        char byte;
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { &byte, 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        int nfd = -1;
        if (recvmsg(sv[0], &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
                memcpy(&nfd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
        close(sv[0]);
        CHECK(nfd >= 0, "received the listener fd");
        if (nfd >= 0) {
                struct seccomp_notif *req = NULL;
                struct seccomp_notif_resp *resp = NULL;
                if (seccomp_notify_alloc(&req, &resp) == 0 && seccomp_notify_receive(nfd, req) == 0) {
                        resp->id = req->id;
                        resp->val = 4242;
                        resp->error = 0;
                        resp->flags = 0;
                        CHECK(seccomp_notify_respond(nfd, resp) == 0, "respond");
                } else {
                        CHECK(false, "receive a notification");
                }
                seccomp_notify_free(req, resp);
                close(nfd);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(exited(st, 0), "getppid answered by the listener (status 0x%x)", st);
}

/* Root with CAP_SYS_ADMIN may load a filter without no_new_privs. */
static void test_without_nnp(void)
{
        if (geteuid() != 0)
                return;
        struct husk_seccomp_rule r = { .names = mkdir_names, .action = HUSK_SCMP_ACT_ERRNO };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        int st = run_filtered(&s, false, mkdir_eperm);
        CHECK(exited(st, 0), "load without no_new_privs as root (status 0x%x)", st);
}

/* runc's -ENOSYS stub: syscalls newer than the profile get ENOSYS. */
static void test_enosys_stub(void)
{
        static char *allowed[] = { "exit_group", "exit", "no_such_syscall_husk", NULL };
        static char *x86_64[] = { "SCMP_ARCH_X86_64", NULL };
        static char *three[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
        struct husk_seccomp_rule r = { .names = allowed, .action = HUSK_SCMP_ACT_ALLOW };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ERRNO, .architectures = x86_64,
                                  .syscalls = &r, .n_syscalls = 1 };

        if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
                tap_skip(4, "not x86_64: ENOSYS stub test");
                return;
        }
        int st = run_filtered(&s, true, newer_enosys_older_eperm);
        CHECK(exited(st, 0), "ENOSYS above the profile, EPERM below: step %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

        s.architectures = three;
        st = run_filtered(&s, true, newer_enosys_older_eperm);
        CHECK(exited(st, 0), "three arches: step %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

        s.default_action = HUSK_SCMP_ACT_KILL_PROCESS;
        st = run_filtered(&s, true, newer_enosys_older_killed);
        CHECK(killed_by(st, SIGSYS), "default kill: ENOSYS above, killed below (status 0x%x)", st);

        /* No architectures listed: no stub (as runc). */
        s.default_action = HUSK_SCMP_ACT_ERRNO;
        s.architectures = NULL;
        st = run_filtered(&s, true, newer_eperm);
        CHECK(exited(st, 0), "no stub without architectures (status 0x%x)", st);
}

static int count_bpf(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;
        if (!d)
                return -1;
        while ((e = readdir(d)))
                if (strstr(e->d_name, ".bpf"))
                        n++;
        closedir(d);
        return n;
}

static ino_t only_bpf_inode(const char *dir, char *path, size_t size)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        struct stat st = { 0 };
        if (!d)
                return 0;
        while ((e = readdir(d)))
                if (strstr(e->d_name, ".bpf")) {
                        snprintf(path, size, "%s/%s", dir, e->d_name);
                        stat(path, &st);
                }
        closedir(d);
        return st.st_ino;
}

static const struct husk_seccomp_prog *child_prog;

static int load_child_prog_then_mkdir(void)
{
        struct husk_error err = { 0 };
        int nfd;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_prog(child_prog, &nfd, &err) < 0)
                return 101;
        return mkdir_eperm();
}

static int run_prog(const struct husk_seccomp_prog *p)
{
        child_prog = p;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
                _exit(load_child_prog_then_mkdir());
        int st = 0;
        waitpid(pid, &st, 0);
        return st;
}

/* seccomp_compile in the parent, seccomp_load_prog in the child, and the
 * program cache. */
static void test_compile_and_cache(void)
{
        char tmp[] = "/tmp/husk-seccomp-test-XXXXXX";
        char cache[128], path[512];
        struct husk_seccomp_rule r = { .names = mkdir_names, .action = HUSK_SCMP_ACT_ERRNO };
        struct husk_seccomp s = { .default_action = HUSK_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1 };
        struct husk_seccomp_prog *p = NULL;
        struct husk_error err = { 0 };

        if (!mkdtemp(tmp)) {
                CHECK(false, "mkdtemp: %s", strerror(errno));
                return;
        }
        snprintf(cache, sizeof(cache), "%s/cache", tmp);

        CHECK(seccomp_compile(NULL, cache, &p, &err) == 0 && p == NULL, "no profile, no program");
        CHECK(seccomp_compile(&s, NULL, &p, &err) == 0 && p, "compile without cache: %s", err.msg);
        CHECK(exited(run_prog(p), 0), "compiled program loads and blocks mkdir");
        seccomp_prog_free(p);
        CHECK(count_bpf(cache) == -1, "no cache dir was given, none is made");

        CHECK(seccomp_compile(&s, cache, &p, &err) == 0 && p, "compile with cache: %s", err.msg);
        seccomp_prog_free(p);
        CHECK(count_bpf(cache) == 1, "one cached program, got %d", count_bpf(cache));
        ino_t ino = only_bpf_inode(cache, path, sizeof(path));
        struct stat st;
        CHECK(stat(cache, &st) == 0 && (st.st_mode & 0777) == 0700, "cache dir is 0700");

        /* A hit reuses the file (a miss would rename a new one over it). */
        CHECK(seccomp_compile(&s, cache, &p, &err) == 0 && p, "cached compile: %s", err.msg);
        CHECK(only_bpf_inode(cache, path, sizeof(path)) == ino, "cache hit keeps the file");
        CHECK(exited(run_prog(p), 0), "cached program loads and blocks mkdir");
        seccomp_prog_free(p);

        /* Another errno is another program. */
        r.errno_ret = (struct husk_opt_u64){ true, EXDEV };
        CHECK(seccomp_compile(&s, cache, &p, &err) == 0 && p, "%s", err.msg);
        seccomp_prog_free(p);
        CHECK(count_bpf(cache) == 2, "a different profile is cached apart, got %d", count_bpf(cache));
        r.errno_ret.set = false;

        /* A damaged entry is rebuilt. */
        ino = only_bpf_inode(cache, path, sizeof(path));
        (void)ino;
        DIR *d = opendir(cache);
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (!strstr(e->d_name, ".bpf"))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", cache, e->d_name);
                CHECK(truncate(path, 20) == 0, "truncate %s", path);
        }
        if (d)
                closedir(d);
        CHECK(seccomp_compile(&s, cache, &p, &err) == 0 && p, "recompile after damage: %s", err.msg);
        CHECK(exited(run_prog(p), 0), "rebuilt program works");
        seccomp_prog_free(p);

        /* A cache dir others can write to is not trusted. */
        chmod(cache, 0777);
        r.errno_ret = (struct husk_opt_u64){ true, ENOSPC };
        CHECK(seccomp_compile(&s, cache, &p, &err) == 0 && p, "%s", err.msg);
        seccomp_prog_free(p);
        CHECK(count_bpf(cache) == 2, "untrusted cache dir not used, got %d", count_bpf(cache));

        d = opendir(cache);
        while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "%s/%s", cache, e->d_name);
                unlink(path);
        }
        if (d)
                closedir(d);
        rmdir(cache);
        CHECK(rmdir(tmp) == 0, "clean up %s: %s", tmp, strerror(errno));
}

int main(void)
{
        test_default_allow_one_errno();
        test_arg_eq();
        test_arg_masked_eq();
        test_same_index_is_or();
        test_different_index_is_and();
        test_kill_actions();
        test_trace_without_tracer();
        test_log();
        test_all_flags_without_notify();
        test_default_kill_allowlist();
        test_default_errno();
        test_unknown_syscall_skipped();
        test_rule_with_default_action_skipped();
        test_validation();
        test_notify();
        test_without_nnp();
        test_compile_and_cache();
        test_enosys_stub();
        return tap_done();
}
