/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The static husk's entry point (-Wl,-e,husk_selfexe_entry, x86-64): for
 * `husk exec`, the re-execution from a protected copy of the binary
 * (linux/selfexe.h, CVE-2019-5736 class) is made here, before glibc starts,
 * instead of from main: the first image then costs the kernel's execve and
 * a dozen system calls, not a whole glibc start (the cpuid probes of its
 * cache-size setup, about 60 of them, are VM exits under a hypervisor), the
 * constructors of libselinux and libcap, and main's global setup, all of
 * which the protected image does again anyway. Measured: 0.15-0.2 ms less
 * per exec on a 1.3 ms exec.
 *
 * Nothing is decided here that main does not decide again: this only makes
 * the copy earlier, the way selfexe_protect makes it (a detached read-only
 * bind mount of the binary, checked as the new image will check itself),
 * and main's cli_protect_exe still checks /proc/self/exe in the new image
 * and falls back to a sealed memfd copy. Whatever fails here, or whatever
 * this scan of argv misreads, leaves the work to main as before.
 *
 * Only exec: create and run may hand over to husk-dynamic (cli/twin.c),
 * which is looked for next to /proc/self/exe, and a detached mount has no
 * path.
 *
 * The rules for code that runs before glibc: the static-pie is not yet
 * relocated (no pointers in initialised data: only string literals, read
 * pc-relative), there is no TLS (no stack protector: this file is built
 * with -fno-stack-protector), and no libc function may be called (raw
 * system calls only, no compiler-made memset/memcpy: fixed-size fields are
 * set one by one).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "util/compat.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

void husk_selfexe_entry(void);
void husk_selfexe_early(long *sp);

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
        long ret;
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}

#define SYS(nr, a, b, c, d, e) sys6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static bool streq(const char *a, const char *b)
{
        while (*a && *a == *b)
                a++, b++;
        return *a == *b;
}

/* Does the global option `name` (dashes and any "=value" stripped, n
 * bytes) take the next argument as its value? Also for a prefix of such
 * an option, as getopt_long takes an unambiguous one. */
static bool takes_value(const char *name, size_t n)
{
        static const char opts[][12] = { "root", "log", "log-format", "rootless", "criu" };
        if (n == 0)
                return false;
        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
                size_t k = 0;
                while (k < n && opts[i][k] && opts[i][k] == name[k])
                        k++;
                if (k == n)
                        return true;
        }
        return false;
}

/* Is `name` (n bytes) a prefix of `opt`, as getopt_long matches? */
static bool prefix_of(const char *name, size_t n, const char *opt)
{
        size_t k = 0;
        while (k < n && opt[k] && opt[k] == name[k])
                k++;
        return n > 0 && k == n;
}

/* The command, found as main's getopt ("+" mode) finds it: the global
 * options skipped. NULL for anything unusual (main then protects). A
 * global --systemd-cgroup or --rootless (or a prefix of either beyond
 * "root") sets *twin: the command may hand over to husk-dynamic. */
static const char *command_of(long argc, char **argv, bool *twin)
{
        *twin = false;
        for (long i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (a[0] != '-')
                        return a;
                if (a[1] == '\0' || streq(a, "--"))
                        return NULL;
                const char *name = a + (a[1] == '-' ? 2 : 1);
                size_t n = 0;
                while (name[n] && name[n] != '=')
                        n++;
                if (prefix_of(name, n, "systemd-cgroup") || (n > 4 && prefix_of(name, n, "rootless")))
                        *twin = true;
                if (name[n] != '=' && takes_value(name, n))
                        i++;
        }
        return NULL;
}

/* Is /proc/self/uid_map the initial user namespace's, "0 0 4294967295"
 * alone? Anything else (or no /proc) answers no. */
static bool initial_userns(void)
{
        char buf[128];
        long fd = SYS(SYS_open, "/proc/self/uid_map", O_RDONLY | O_CLOEXEC, 0, 0, 0);
        if (fd < 0)
                return false;
        long len = SYS(SYS_read, fd, buf, sizeof(buf) - 1, 0, 0);
        SYS(SYS_close, fd, 0, 0, 0, 0);
        if (len <= 0)
                return false;
        unsigned long v[3];
        long i = 0;
        for (int k = 0; k < 3; k++) {
                while (i < len && buf[i] == ' ')
                        i++;
                if (i >= len || buf[i] < '0' || buf[i] > '9')
                        return false;
                v[k] = 0;
                while (i < len && buf[i] >= '0' && buf[i] <= '9')
                        v[k] = v[k] * 10 + (unsigned long)(buf[i++] - '0');
        }
        return v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL && i == len - 1 && buf[i] == '\n';
}

/* Does the command re-execute from a protected copy, and can it start
 * from one made here? exec always; create and run unless they may hand
 * over to husk-dynamic (cli/twin.c: --systemd-cgroup, or rootless), which
 * is found next to /proc/self/exe, and a detached copy has no path. */
static bool copy_early(long argc, char **argv)
{
        bool twin;
        const char *cmd = command_of(argc, argv, &twin);
        if (!cmd)
                return false;
        if (streq(cmd, "exec"))
                return true;
        if (!streq(cmd, "run") && !streq(cmd, "create"))
                return false;
        return !twin && SYS(SYS_geteuid, 0, 0, 0, 0, 0) == 0 && initial_userns();
}

/* selfexe_fd_is_protected, in system calls. */
static bool fd_is_protected(int fd)
{
        long seals = SYS(SYS_fcntl, fd, F_GET_SEALS, 0, 0, 0);
        if (seals >= 0)
                return (seals & (F_SEAL_WRITE | F_SEAL_SEAL)) == (F_SEAL_WRITE | F_SEAL_SEAL);
        struct statfs fs;
        if (SYS(SYS_fstatfs, fd, &fs, 0, 0, 0) < 0 || !(fs.f_flags & ST_RDONLY))
                return false;
        struct statx sx;
        if (SYS(SYS_statx, fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &sx) < 0)
                return false;
        return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* 1 once this image found /proc/self/exe protected (selfexe.h): main's
 * cli_protect_exe then needs no second look. Nothing but this file sets
 * it, and the kernel starts every image with it 0 (.bss). */
__attribute__((visibility("hidden"))) int husk_selfexe_verified;

static bool self_is_protected(void)
{
        long fd = SYS(SYS_open, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0, 0, 0);
        if (fd == -EACCES)
                fd = SYS(SYS_open, "/proc/self/exe", O_PATH | O_CLOEXEC, 0, 0, 0);
        if (fd < 0)
                return true;    /* main will say why */
        bool r = fd_is_protected((int)fd);
        SYS(SYS_close, fd, 0, 0, 0, 0);
        if (r)
                husk_selfexe_verified = 1;
        return r;
}

/* argc at sp[0], then argv, NULL, envp (the ELF entry's stack). Returns
 * when the copy could not be made: glibc starts, and main does the rest. */
void husk_selfexe_early(long *sp)
{
        long argc = sp[0];
        char **argv = (char **)(sp + 1);
        char **envp = argv + argc + 1;
        if (!copy_early(argc, argv) || self_is_protected())
                return;
        long fd = SYS(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0, 0);
        if (fd < 0)
                return;
        struct mount_attr attr;
        attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        attr.attr_clr = 0;
        attr.propagation = 0;
        attr.userns_fd = 0;
        /* Check the copy as the new image will check itself: never a loop. */
        if (SYS(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0 && fd_is_protected((int)fd))
                sys6(SYS_execveat, fd, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH, 0);
        SYS(SYS_close, fd, 0, 0, 0, 0);
}

/* The kernel starts us with the stack as the ELF ABI says and %rdx = 0
 * (glibc's _start hands it to __libc_start_main as rtld_fini): both are
 * given back unchanged to _start. */
__asm__(".text\n"
        ".globl husk_selfexe_entry\n"
        ".type husk_selfexe_entry,@function\n"
        "husk_selfexe_entry:\n"
        "        mov %rdx, %r12\n"
        "        mov %rsp, %rdi\n"
        "        call husk_selfexe_early\n"
        "        mov %r12, %rdx\n"
        "        xor %ebp, %ebp\n"
        "        jmp _start\n"
        ".size husk_selfexe_entry, .-husk_selfexe_entry\n");
