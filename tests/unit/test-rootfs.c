/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs_prepare/pivot/console/finalize on the real kernel (root only).
 *
 * Builds a busybox rootfs in a temp dir, then in a child that unshared
 * mount/pid/uts/ipc namespaces (and made "/" a slave first, so nothing
 * reaches the host) runs the rootfs setup as PID 1 of the new pid namespace
 * and checks the result from inside. The host's mount table must be the same
 * before and after. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/rootfs.h"
#include "util/path.h"
#include "util/util.h"
#define TAP_ERRNO
#include "tap.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

static char tmp[64];            /* the test's temp dir */
static char rootfs[128];        /* tmp/rootfs */
static char host_target[128];   /* a host dir a rootfs symlink points at */

static void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, ": %s\n", strerror(errno));
        exit(2);
}

/* ---- building the rootfs ---- */

static void put_file(const char *path, const char *content, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0 || write_all(fd, content, strlen(content)) < 0)
                die("write %s", path);
        close(fd);
}

static void mk(const char *fmt, ...)
{
        char p[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p, sizeof(p), fmt, ap);
        va_end(ap);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                die("mkdir %s", p);
}

static void copy_busybox(void)
{
        char dst[256];
        snprintf(dst, sizeof(dst), "%s/bin/busybox", rootfs);
        int in = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
        int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (in < 0 || out < 0)
                die("copy busybox");
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write_all(out, buf, (size_t)n) < 0)
                        die("write busybox");
        close(in);
        close(out);
        static const char *const applets[] = { "sh", "ls", "cat", "mount", "touch", "true" };
        for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
                snprintf(dst, sizeof(dst), "%s/bin/%s", rootfs, applets[i]);
                if (symlink("busybox", dst) < 0)
                        die("symlink %s", dst);
        }
}

static void build_rootfs(void)
{
        char p[512];

        snprintf(tmp, sizeof(tmp), "/tmp/husk-test-rootfs-XXXXXX");
        if (!mkdtemp(tmp))
                die("mkdtemp");
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
        snprintf(host_target, sizeof(host_target), "%s/host-target", tmp);
        mk("%s", rootfs);
        mk("%s", host_target);
        mk("%s/bin", rootfs);
        mk("%s/etc", rootfs);
        mk("%s/proc", rootfs);
        mk("%s/ro-dir", rootfs);
        mk("%s/masked-dir", rootfs);
        mk("%s/src", tmp);
        mk("%s/fakedev", tmp);
        snprintf(p, sizeof(p), "%s/fakedev/console", tmp);
        if (symlink("/proc/sys/kernel/core_pattern", p) < 0)
                die("symlink %s", p);
        copy_busybox();

        snprintf(p, sizeof(p), "%s/etc/hello", rootfs);
        put_file(p, "hello from the image\n", 0640);
        mk("%s/etc/sub", rootfs);
        snprintf(p, sizeof(p), "%s/etc/sub/deep", rootfs);
        put_file(p, "deep\n", 0600);
        snprintf(p, sizeof(p), "%s/etc/link", rootfs);
        if (symlink("sub/deep", p) < 0 || lchown(p, 7, 8) < 0)
                die("symlink %s", p);
        snprintf(p, sizeof(p), "%s/etc", rootfs);
        if (chmod(p, 0750) < 0)
                die("chmod %s", p);
        snprintf(p, sizeof(p), "%s/masked-dir/secret", rootfs);
        put_file(p, "secret\n", 0644);
        snprintf(p, sizeof(p), "%s/src/file", tmp);
        put_file(p, "host data\n", 0644);
        /* A mount destination that points at the host: must land inside. */
        snprintf(p, sizeof(p), "%s/evil", rootfs);
        if (symlink(host_target, p) < 0)
                die("symlink evil");
}

static void rm_rf_at(int dfd)
{
        DIR *d = fdopendir(dfd);
        struct dirent *de;
        if (!d)
                return;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                rm_rf_at(sub);
                        unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                } else {
                        unlinkat(dirfd(d), de->d_name, 0);
                }
        }
        closedir(d);
}

static pid_t main_pid;

static void cleanup(void)
{
        /* exit() in a forked child runs this too: only the test's own
         * process removes the tree. */
        if (!tmp[0] || getpid() != main_pid)
                return;
        int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
                rm_rf_at(fd);
        rmdir(tmp);
}

/* ---- specs ---- */

#define OPTS(...) ((char *[]){ __VA_ARGS__, NULL })

static struct husk_mount mnt(const char *dest, const char *type, const char *source, char **opts)
{
        return (struct husk_mount){ .destination = (char *)dest, .type = (char *)type, .source = (char *)source,
                                    .options = opts };
}

static int count_lines(const char *path)
{
        FILE *f = fopen(path, "re");
        int n = 0, c;
        if (!f)
                return -1;
        while ((c = fgetc(f)) != EOF)
                n += c == '\n';
        fclose(f);
        return n;
}

/* The mountinfo line whose mount point is `mp` (last one wins). */
static char *mountinfo_line(const char *mp)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096], *found = NULL;
        while (f && fgets(line, sizeof(line), f)) {
                char m[1024];
                if (sscanf(line, "%*s %*s %*s %*s %1023s", m) == 1 && strcmp(m, mp) == 0) {
                        free(found);
                        found = xstrdup(line);
                }
        }
        if (f)
                fclose(f);
        return found;
}

static bool has_opt(const char *line, const char *opt)
{
        /* Per-mount options are field 6. */
        char opts[512];
        if (!line || sscanf(line, "%*s %*s %*s %*s %*s %511s", opts) != 1)
                return false;
        size_t n = strlen(opt);
        for (char *p = opts; (p = strstr(p, opt)); p += n)
                if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

static long fs_type(const char *path)
{
        struct statfs s;
        return statfs(path, &s) == 0 ? (long)s.f_type : -1;
}

static bool write_fails_with(const char *path, int e)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
                close(fd);
                return false;
        }
        return errno == e;
}

/* ---- the full container ---- */

static void checks_inside(void)
{
        struct stat st;
        char buf[256];
        ssize_t n;
        int fd;

        /* A new procfs of our pid namespace. */
        CHECK(getpid() == 1, "pid %d", getpid());
        n = readlink("/proc/self", buf, sizeof(buf) - 1);
        CHECK(n == 1 && buf[0] == '1', "/proc/self");
        int pids = 0;
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d)))
                pids += de->d_name[0] >= '0' && de->d_name[0] <= '9';
        if (d)
                closedir(d);
        CHECK(pids >= 1 && pids <= 3, "%d pids in /proc", pids);

        /* The image is the root. */
        CHECK(access("/bin/busybox", X_OK) == 0, "busybox");
        fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        CHECK(n >= 10 && memcmp(buf, "host data\n", 10) == 0, "bind onto allowed /proc/uptime");
        if (fd >= 0)
                close(fd);

        /* ro,nosuid,noexec,nodev bind. */
        CHECK(write_fails_with("/data-ro/new", EROFS), "write into ro bind");
        CHECK(access("/data-ro/file", R_OK) == 0, "ro bind content");
        CHECK(access("/rel/file", R_OK) == 0, "bind with a source relative to the bundle");
        _cleanup_free_ char *ro = mountinfo_line("/data-ro");
        CHECK(ro && has_opt(ro, "ro") && has_opt(ro, "nosuid") && has_opt(ro, "noexec") && has_opt(ro, "nodev"),
              "ro bind flags: %s", ro ? ro : "(no mount)");
        /* rw bind of a single file. */
        fd = open("/data-file", O_WRONLY | O_APPEND | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x\n", 2) == 2, "write rw file bind");
        if (fd >= 0)
                close(fd);

        /* tmpfs with size and mode. */
        struct statfs sfs;
        CHECK(statfs("/scratch", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC &&
                      (unsigned long long)sfs.f_blocks * sfs.f_bsize == 1024 * 1024,
              "tmpfs size");
        CHECK(stat("/scratch", &st) == 0 && (st.st_mode & 07777) == 01777, "tmpfs mode %o", st.st_mode & 07777);
        _cleanup_free_ char *sc = mountinfo_line("/scratch");
        CHECK(sc && has_opt(sc, "noexec"), "tmpfs noexec");

        /* tmpcopyup keeps the image's files. */
        CHECK(fs_type("/etc") == TMPFS_MAGIC, "/etc is tmpfs");
        fd = open("/etc/hello", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        CHECK(n == 21 && memcmp(buf, "hello from the image\n", 21) == 0, "tmpcopyup content");
        CHECK(stat("/etc/hello", &st) == 0 && (st.st_mode & 0777) == 0640, "tmpcopyup mode");
        CHECK(stat("/etc", &st) == 0 && (st.st_mode & 07777) == 0750, "tmpfs keeps the mode of the dir it covers");
        CHECK(stat("/etc/link", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 && st.st_size == 5,
              "tmpcopyup: nested file through a copied symlink");
        CHECK(lstat("/etc/link", &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid == 7 && st.st_gid == 8,
              "tmpcopyup: symlink owner");
        if (fd >= 0)
                close(fd);

        /* The symlinked destination mounted inside the rootfs. */
        CHECK(fs_type(host_target) == TMPFS_MAGIC, "evil symlink target inside root is the tmpfs");

        /* A tmpfs mounted ro is read-only after finalize. */
        CHECK(write_fails_with("/ro-tmpfs/x", EROFS), "ro tmpfs");

        /* /dev. */
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
                      (st.st_mode & 0777) == 0666,
              "/dev/null");
        static const struct { const char *p; unsigned ma, mi; } devs[] = {
                { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 }, { "/dev/random", 1, 8 },
                { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
                CHECK(stat(devs[i].p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(devs[i].ma, devs[i].mi),
                      "%s", devs[i].p);
        CHECK(lstat("/dev/mydev", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5) &&
                      (st.st_mode & 07777) == 0600 && st.st_uid == 1 && st.st_gid == 2,
              "linux.devices entry");
        CHECK(lstat("/dev/sub/dir/fifo", &st) == 0 && S_ISFIFO(st.st_mode), "fifo device in subdir");
        n = readlink("/dev/fd", buf, sizeof(buf) - 1);
        CHECK(n == 13 && memcmp(buf, "/proc/self/fd", 13) == 0, "/dev/fd");
        n = readlink("/dev/stderr", buf, sizeof(buf) - 1);
        CHECK(n == 15 && memcmp(buf, "/proc/self/fd/2", 15) == 0, "/dev/stderr");
        n = readlink("/dev/ptmx", buf, sizeof(buf) - 1);
        CHECK(n == 8 && memcmp(buf, "pts/ptmx", 8) == 0, "/dev/ptmx");
        CHECK(fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC, "devpts");
        CHECK(fs_type("/dev/mqueue") == MQUEUE_MAGIC, "mqueue");
        CHECK(fs_type("/dev/shm") == TMPFS_MAGIC, "shm");
        CHECK(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 136, "/dev/console");

        /* sysfs read-only, cgroups. */
        CHECK(fs_type("/sys") == SYSFS_MAGIC, "sysfs");
        _cleanup_free_ char *sys = mountinfo_line("/sys");
        CHECK(sys && has_opt(sys, "ro"), "sysfs ro");
        if (fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC) {
                CHECK(access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0, "cgroup2");
        } else {
                CHECK(fs_type("/sys/fs/cgroup") == TMPFS_MAGIC, "cgroup tmpfs");
                CHECK(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0, "memory hierarchy");
                CHECK(readlink("/sys/fs/cgroup/cpu", buf, sizeof(buf)) > 0 || access("/sys/fs/cgroup/cpu/tasks", F_OK) == 0,
                      "cpu link");
                CHECK(access("/sys/fs/cgroup/cpu/tasks", F_OK) == 0, "cpu hierarchy through its link");
                if (access("/sys/fs/cgroup/unified", F_OK) == 0)
                        CHECK(fs_type("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC, "unified is cgroup2");
                /* runc: the tmpfs keeps sysfs's mode of the directory, and the
                 * hierarchies are read-only. */
                CHECK(stat("/sys/fs/cgroup", &st) == 0 && (st.st_mode & 07777) == 0555, "cgroup tmpfs mode %o",
                      st.st_mode & 07777);
                CHECK(write_fails_with("/sys/fs/cgroup/memory/x", EROFS), "cgroup hierarchy ro");
        }

        /* masked and readonly paths. */
        fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked /proc/keys reads empty");
        if (fd >= 0)
                close(fd);
        CHECK(stat("/proc/keys", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
              "/proc/keys masked by /dev/null");
        CHECK(access("/masked-dir/secret", F_OK) < 0 && errno == ENOENT, "masked dir hides files");
        CHECK(fs_type("/masked-dir") == TMPFS_MAGIC, "masked dir is tmpfs");
        CHECK(write_fails_with("/masked-dir/x", EROFS), "masked dir ro");
        CHECK(write_fails_with("/proc/sys/kernel/hostname", EROFS), "readonly /proc/sys");
        CHECK(write_fails_with("/ro-dir/x", EROFS), "readonly path");

        /* root.readonly. */
        CHECK(write_fails_with("/newfile", EROFS), "readonly root");
        _cleanup_free_ char *root = mountinfo_line("/");
        CHECK(root && has_opt(root, "ro"), "root ro: %s", root ? root : "?");

        /* Run something from the image. */
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/sh", "sh", "-c", "cat /etc/hello >/dev/null && ls /dev >/dev/null", (char *)NULL);
                _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "busybox sh in the container: %#x", status);
}

static struct husk_device test_devices[] = {
        { .path = "/dev/mydev", .type = 'c', .major = 1, .minor = 5, .file_mode = { true, 0600 },
          .uid = { true, 1 }, .gid = { true, 2 } },
        { .path = "/dev/sub/dir/fifo", .type = 'p' },
};

static void run_full(void)
{
        char src_dir[256], src_file[256];
        snprintf(src_dir, sizeof(src_dir), "%s/src", tmp);
        snprintf(src_file, sizeof(src_file), "%s/src/file", tmp);

        struct husk_mount mounts[] = {
                mnt("/proc", "proc", "proc", NULL),
                mnt("/dev", "tmpfs", "tmpfs", OPTS("nosuid", "strictatime", "mode=755", "size=65536k")),
                mnt("/dev/pts", "devpts", "devpts",
                    OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mnt("/dev/shm", "tmpfs", "shm", OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mnt("/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev")),
                mnt("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
                mnt("/sys/fs/cgroup", "cgroup", "cgroup", OPTS("nosuid", "noexec", "nodev", "relatime", "ro")),
                mnt("/data-ro", "bind", src_dir, OPTS("rbind", "ro", "nosuid", "noexec", "nodev")),
                mnt("/data-file", "none", src_file, OPTS("bind", "rw")),
                mnt("/scratch", "tmpfs", "tmpfs", OPTS("size=1m", "mode=1777", "noexec")),
                mnt("/etc", "tmpfs", "tmpfs", OPTS("tmpcopyup", "mode=755")),
                mnt("/evil", "tmpfs", "tmpfs", NULL),
                mnt("/ro-tmpfs", "tmpfs", "tmpfs", OPTS("ro")),
                mnt("/proc/uptime", "bind", src_file, OPTS("bind", "ro")),
                mnt("/rel", "none", "src", OPTS("rbind")),      /* relative to the bundle */
        };
        struct husk_linux lx = {
                .devices = test_devices,
                .n_devices = ARRAY_SIZE(test_devices),
                .masked_paths = OPTS("/proc/kcore", "/proc/keys", "/masked-dir", "/does/not/exist", "/proc/acpi"),
                .readonly_paths = OPTS("/proc/sys", "/ro-dir", "/also/not/there"),
        };
        struct husk_spec spec = {
                .root_readonly = true,
                .mounts = mounts,
                .n_mounts = ARRAY_SIZE(mounts),
                .linux = &lx,
        };
        struct rootfs_opts opts = { .rootfs = rootfs, .bundle = tmp };
        struct husk_error err = { 0 };

        if (rootfs_prepare(&spec, &opts, &err) < 0) {
                fprintf(stderr, "rootfs_prepare: %s\n", err.msg);
                exit(1);
        }
        /* Before the pivot, the host side of the evil symlink is untouched. */
        _cleanup_free_ char *ht = mountinfo_line(host_target);
        CHECK(!ht, "a mount landed on the host path %s", host_target);

        if (rootfs_pivot(&spec, &opts, &err) < 0) {
                fprintf(stderr, "rootfs_pivot: %s\n", err.msg);
                exit(1);
        }
        /* A pty of our devpts instance as the console. */
        int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        char *slave = master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 ? ptsname(master) : NULL;
        CHECK(slave, "open a pty");
        if (slave)
                CHECK(rootfs_console(slave, &err) == 0, "rootfs_console: %s", err.msg);
        if (rootfs_finalize(&spec, &opts, &err) < 0) {
                fprintf(stderr, "rootfs_finalize: %s\n", err.msg);
                exit(1);
        }
        checks_inside();
}

/* --no-pivot: MS_MOVE + chroot. */
static void run_no_pivot(void)
{
        char src_dir[256];
        snprintf(src_dir, sizeof(src_dir), "%s/src", tmp);
        char fake_dev[256];
        snprintf(fake_dev, sizeof(fake_dev), "%s/fakedev", tmp);
        /* /dev bound from the host: runc creates no devices in it. */
        struct husk_mount mounts[] = {
                mnt("/proc", "proc", "proc", NULL),
                mnt("/dev", "bind", fake_dev, OPTS("rbind", "nosuid")),
                mnt("/data-ro", "bind", src_dir, OPTS("bind", "ro")),
                mnt("/shared", "bind", src_dir, OPTS("bind", "rshared")),
        };
        struct husk_linux lx = { .devices = test_devices, .n_devices = 1 };
        struct husk_spec spec = { .mounts = mounts, .n_mounts = ARRAY_SIZE(mounts), .linux = &lx };
        struct rootfs_opts opts = { .rootfs = rootfs, .no_pivot = true };
        struct husk_error err = { 0 };
        struct stat st;
        char buf[64];

        if (rootfs_prepare(&spec, &opts, &err) < 0 || rootfs_pivot(&spec, &opts, &err) < 0 ||
            rootfs_finalize(&spec, &opts, &err) < 0) {
                fprintf(stderr, "no-pivot: %s\n", err.msg);
                exit(1);
        }
        CHECK(access("/bin/busybox", X_OK) == 0 && access("/etc/hello", F_OK) == 0, "chrooted into the rootfs");
        CHECK(readlink("/proc/self", buf, sizeof(buf)) == 1, "new /proc");
        CHECK(write_fails_with("/data-ro/new", EROFS), "ro bind");
        CHECK(lstat("/dev/null", &st) < 0 && lstat("/dev/ptmx", &st) < 0 && lstat("/dev/fd", &st) < 0,
              "no devices in a bound /dev");
        _cleanup_free_ char *sh = mountinfo_line("/shared");
        CHECK(sh && strstr(sh, " shared:"), "rshared bind: %s", sh ? sh : "?");
        CHECK(write_fails_with("/newfile", EROFS) == false, "root stays writable");
        /* A /dev/console symlink into procfs is refused, not followed. */
        CHECK(rootfs_console("/etc/hello", &err) < 0 && strstr(err.msg, "not a regular file"), "console: %s",
              err.msg);
        _cleanup_free_ char *cp = mountinfo_line("/proc/sys/kernel/core_pattern");
        CHECK(!cp, "console bound over core_pattern");
        unlink("/newfile");
        /* The host's procfs got detached from our namespace. */
        int host_procs = 0;
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        while (f && fgets(line, sizeof(line), f))
                host_procs += strstr(line, " - proc ") != NULL;
        if (f)
                fclose(f);
        CHECK(host_procs == 1, "%d procfs mounts visible", host_procs);
}

/* Errors name the mount. */
static void run_error(void)
{
        struct husk_mount mounts[] = {
                mnt("/proc", "proc", "proc", NULL),
                mnt("/x", "bind", "/nonexistent-husk-source", OPTS("bind")),
        };
        struct husk_spec spec = { .mounts = mounts, .n_mounts = ARRAY_SIZE(mounts) };
        struct rootfs_opts opts = { .rootfs = rootfs };
        struct husk_error err = { 0 };

        CHECK(rootfs_prepare(&spec, &opts, &err) < 0, "bad bind source accepted");
        const char *want = "mount \"/nonexistent-husk-source\" on \"/x\" (mounts[1]): stat source: no such file or "
                           "directory";
        CHECK(strcmp(err.msg, want) == 0, "message: %s", err.msg);
        CHECK(err.errnum == ENOENT, "errnum %d", err.errnum);

        /* The mount's own failure: just the reason after the mount's name. */
        struct husk_mount m1[] = { mnt("/x", "nosuchfs", "none", NULL) };
        struct husk_spec s1 = { .mounts = m1, .n_mounts = 1 };
        CHECK(rootfs_prepare(&s1, &opts, &err) < 0 &&
                      strcmp(err.msg, "mount \"none\" on \"/x\" (mounts[0]): no such device") == 0,
              "message: %s", err.msg);

        /* A procfs can't go through a symlink or onto a file. */
        struct husk_mount m2[] = { mnt("/etc/hello", "proc", "proc", NULL) };
        struct husk_spec s2 = { .mounts = m2, .n_mounts = 1 };
        CHECK(rootfs_prepare(&s2, &opts, &err) < 0 && strstr(err.msg, "ordinary directory"), "proc on a file: %s",
              err.msg);
        /* Nothing can go inside /proc but the allowed files. */
        struct husk_mount m3[] = { mnt("/proc", "proc", "proc", NULL),
                                   mnt("/proc/foo", "bind", "/etc/hostname", OPTS("bind")) };
        struct husk_spec s3 = { .mounts = m3, .n_mounts = 2 };
        CHECK(rootfs_prepare(&s3, &opts, &err) < 0 && strstr(err.msg, "inside /proc"), "bind in /proc: %s",
              err.msg);
}

static struct husk_device userns_devices[] = {
        { .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .file_mode = { true, 0600 } },
};

/* In a user namespace: devices are bind mounts, sysfs without a network
 * namespace is the host's, and host mounts carry locked flags. */
static void run_userns(void)
{
        char src_dir[256];
        snprintf(src_dir, sizeof(src_dir), "%s/src", tmp);
        struct husk_mount mounts[] = {
                mnt("/proc", "proc", "proc", NULL),
                mnt("/dev", "tmpfs", "tmpfs", OPTS("nosuid", "strictatime", "mode=755", "size=65536k")),
                mnt("/dev/pts", "devpts", "devpts",
                    OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mnt("/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev")),
                mnt("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
                mnt("/sys/fs/cgroup", "cgroup", "cgroup", OPTS("nosuid", "noexec", "nodev", "relatime", "ro")),
                /* No atime word: the source's locked atime mode must be kept. */
                mnt("/data-ro", "bind", src_dir, OPTS("rbind", "ro", "nosuid", "nodev")),
                mnt("/data-rro", "bind", src_dir, OPTS("rbind", "rro")),
        };
        struct husk_linux lx = {
                .devices = userns_devices,
                .n_devices = ARRAY_SIZE(userns_devices),
                .masked_paths = OPTS("/proc/keys", "/masked-dir"),
                .readonly_paths = OPTS("/proc/sys"),
        };
        struct husk_spec spec = { .mounts = mounts, .n_mounts = ARRAY_SIZE(mounts), .linux = &lx };
        struct rootfs_opts opts = { .rootfs = rootfs, .userns = true };
        struct husk_error err = { 0 };
        struct stat st;

        if (rootfs_prepare(&spec, &opts, &err) < 0 || rootfs_pivot(&spec, &opts, &err) < 0 ||
            rootfs_finalize(&spec, &opts, &err) < 0) {
                fprintf(stderr, "userns: %s\n", err.msg);
                exit(1);
        }
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "/dev/null");
        _cleanup_free_ char *null = mountinfo_line("/dev/null");
        CHECK(null != NULL, "/dev/null is a bind mount");
        CHECK(stat("/dev/zero", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5), "device bound");
        _cleanup_free_ char *zero = mountinfo_line("/dev/zero");
        CHECK(zero != NULL, "/dev/zero is a bind mount");
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1, "write /dev/null");
        if (fd >= 0)
                close(fd);
        CHECK(fs_type("/sys") == SYSFS_MAGIC, "sysfs");
        _cleanup_free_ char *sys = mountinfo_line("/sys");
        CHECK(sys && has_opt(sys, "ro") && has_opt(sys, "nosuid"), "sysfs bind ro: %s", sys ? sys : "?");
        CHECK(write_fails_with("/data-ro/new", EROFS), "ro bind in userns");
        _cleanup_free_ char *ro = mountinfo_line("/data-ro");
        CHECK(ro && has_opt(ro, "ro") && has_opt(ro, "nosuid") && has_opt(ro, "nodev"), "flags %s", ro ? ro : "?");
        /* The source's (locked) atime mode survived the remount. */
        _cleanup_free_ char *src_line = mountinfo_line("/");
        CHECK(ro && (has_opt(ro, "relatime") == has_opt(src_line, "relatime")), "atime kept: %s", ro ? ro : "?");
        CHECK(write_fails_with("/data-rro/new", EROFS), "rro bind in userns");
        CHECK(write_fails_with("/proc/sys/kernel/hostname", EROFS), "readonly /proc/sys");
        CHECK(access("/masked-dir/secret", F_OK) < 0, "masked dir");
        fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
        char buf[16];
        CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0, "masked /proc/keys");
        if (fd >= 0)
                close(fd);
        CHECK(readlink("/dev/ptmx", buf, sizeof(buf)) == 8, "/dev/ptmx");
}

/* Idmapped mounts: made here in the host's user namespace (as husk does),
 * attached by stage 2. */
static struct husk_idmap idm_map[] = { { .container_id = 0, .host_id = 1000, .size = 1 } };
static struct husk_mount idm_mounts[2];
static int idm_fds[2] = { -1, -1 };

static void run_idmap(void)
{
        struct husk_spec spec = { .mounts = idm_mounts, .n_mounts = ARRAY_SIZE(idm_mounts) };
        struct rootfs_opts opts = { .rootfs = rootfs, .mount_fds = idm_fds };
        struct husk_error err = { 0 };
        struct stat st;

        if (rootfs_prepare(&spec, &opts, &err) < 0 || rootfs_pivot(&spec, &opts, &err) < 0 ||
            rootfs_finalize(&spec, &opts, &err) < 0) {
                fprintf(stderr, "idmap: %s\n", err.msg);
                exit(1);
        }
        CHECK(stat("/idm/file", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000, "idmapped owner %u:%u",
              st.st_uid, st.st_gid);
        CHECK(write_fails_with("/idm/new", EROFS), "idmapped mount is ro");
        _cleanup_free_ char *l = mountinfo_line("/idm");
        CHECK(l && strstr(l, "idmapped"), "mountinfo shows idmapped: %s", l ? l : "?");
}

static int prepare_idmap(void)
{
        char src_dir[256];
        struct husk_error err = { 0 };
        snprintf(src_dir, sizeof(src_dir), "%s/src", tmp);
        static char *idm_opts[] = { "bind", "ro", "idmap", NULL };
        idm_mounts[0] = mnt("/proc", "proc", "proc", NULL);
        idm_mounts[1] = (struct husk_mount){ .destination = "/idm", .type = "bind", .source = xstrdup(src_dir),
                                             .options = idm_opts,
                                             .uid_mappings = idm_map, .n_uid_mappings = 1,
                                             .gid_mappings = idm_map, .n_gid_mappings = 1 };
        CHECK(!rootfs_mount_is_idmapped(&idm_mounts[0]) && rootfs_mount_is_idmapped(&idm_mounts[1]), "is_idmapped");
        if (rootfs_open_idmapped_mount(&idm_mounts[0], -1, NULL, &idm_fds[0], &err) < 0 || idm_fds[0] != -1 ||
            rootfs_open_idmapped_mount(&idm_mounts[1], -1, NULL, &idm_fds[1], &err) < 0) {
                fprintf(stderr, "open idmapped mount: %s\n", err.msg);
                return -1;
        }
        return 0;
}

static void run_idmap_missing(void)
{
        struct husk_mount m[] = { { .destination = "/idm", .type = "bind", .source = "/tmp",
                                    .options = OPTS("bind", "idmap") } };
        struct husk_spec spec = { .mounts = m, .n_mounts = 1 };
        struct rootfs_opts opts = { .rootfs = rootfs };
        struct husk_error err = { 0 };
        CHECK(rootfs_prepare(&spec, &opts, &err) < 0 && err.errnum == EOPNOTSUPP, "idmap without fd: %s", err.msg);
}

/* With a cgroup namespace: cgroup filesystems mounted, not bound. */
static void run_cgroupns(void)
{
        struct husk_mount mounts[] = {
                mnt("/proc", "proc", "proc", NULL),
                mnt("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
                mnt("/sys/fs/cgroup", "cgroup", "cgroup", OPTS("nosuid", "noexec", "nodev", "relatime", "ro")),
        };
        struct husk_spec spec = { .mounts = mounts, .n_mounts = ARRAY_SIZE(mounts) };
        struct rootfs_opts opts = { .rootfs = rootfs, .cgroupns = true };
        struct husk_error err = { 0 };

        if (rootfs_prepare(&spec, &opts, &err) < 0 || rootfs_pivot(&spec, &opts, &err) < 0 ||
            rootfs_finalize(&spec, &opts, &err) < 0) {
                fprintf(stderr, "cgroupns: %s\n", err.msg);
                exit(1);
        }
        if (fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC) {
                CHECK(access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0, "cgroup2 mounted");
                return;
        }
        _cleanup_free_ char *mem = mountinfo_line("/sys/fs/cgroup/memory");
        CHECK(mem && strstr(mem, " / /sys/fs/cgroup/memory ") && strstr(mem, " - cgroup ") && has_opt(mem, "ro"),
              "memory cgroupfs: %s", mem ? mem : "?");
        CHECK(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0, "memory files");
        _cleanup_free_ char *sd = mountinfo_line("/sys/fs/cgroup/systemd");
        CHECK(sd && strstr(sd, "name=systemd"), "named hierarchy: %s", sd ? sd : "?");
        if (access("/sys/fs/cgroup/unified", F_OK) == 0)
                CHECK(fs_type("/sys/fs/cgroup/unified") == CGROUP2_SUPER_MAGIC, "unified");
}

/* Run fn as PID 1 of new mount/pid/uts/ipc namespaces. Returns failures. */
static int in_container_ns(void (*fn)(void), int extra_ns);

static int in_container(void (*fn)(void))
{
        return in_container_ns(fn, 0);
}

static int in_container_ns(void (*fn)(void), int extra_ns)
{
        pid_t pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | extra_ns) < 0)
                        die("unshare");
                if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        die("make / rslave");
                pid_t init = fork();
                if (init < 0)
                        die("fork init");
                if (init == 0) {
                        int before = tap_failures();
                        fn();
                        _exit(tap_failures() > before ? 1 : 0);
                }
                int st = 0;
                if (waitpid(init, &st, 0) < 0)
                        die("waitpid");
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 3);
        }
        int st = 0;
        if (waitpid(pid, &st, 0) < 0)
                die("waitpid");
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* Same, with a user namespace first (identity map written by the parent,
 * so the host's mounts become locked in the container's mount namespace). */
static int in_userns_container(void (*fn)(void))
{
        int up[2], down[2];
        char c;
        if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0)
                die("pipe");
        pid_t pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                if (unshare(CLONE_NEWUSER) < 0)
                        die("unshare user");
                if (write(up[1], "u", 1) != 1 || read(down[0], &c, 1) != 1)
                        die("sync");
                if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
                        die("unshare");
                if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        die("make / rslave");
                pid_t init = fork();
                if (init < 0)
                        die("fork init");
                if (init == 0) {
                        int before = tap_failures();
                        fn();
                        _exit(tap_failures() > before ? 1 : 0);
                }
                int st = 0;
                if (waitpid(init, &st, 0) < 0)
                        die("waitpid");
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 3);
        }
        if (read(up[0], &c, 1) != 1)
                die("sync");
        static const char map[] = "0 0 4294967295\n";
        char path[64];
        struct husk_error err = { 0 };
        snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
        if (write_file_at(AT_FDCWD, path, map, sizeof(map) - 1, &err) < 0)
                die("%s", err.msg);
        snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
        if (write_file_at(AT_FDCWD, path, map, sizeof(map) - 1, &err) < 0)
                die("%s", err.msg);
        if (write(down[1], "g", 1) != 1)
                die("sync");
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        int st = 0;
        if (waitpid(pid, &st, 0) < 0)
                die("waitpid");
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* ---- util/path.h (no root needed) ---- */

static char *fd_target(int fd)
{
        char p[32], buf[4096];
        ssize_t n = readlink(fd_path(fd, p), buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return xstrdup(buf);
}

static void in_tree(const char *base, const char *rel, char *out, size_t len)
{
        snprintf(out, len, "%s/%s", base, rel);
}

static void test_path(void)
{
        char base[64] = "/tmp/husk-test-path-XXXXXX", p[512], outside[128];
        if (!mkdtemp(base))
                die("mkdtemp");
        snprintf(outside, sizeof(outside), "%s-outside", base);   /* never created */

        static const char *const dirs[] = { "a", "a/b", "etc" };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                in_tree(base, dirs[i], p, sizeof(p));
                mk("%s", p);
        }
        in_tree(base, "a/b/file", p, sizeof(p));
        put_file(p, "f", 0644);
        in_tree(base, "etc/marker", p, sizeof(p));
        put_file(p, "m", 0644);
        static const char *const links[][2] = {
                { "/a", "abs" },         { "../../../../etc", "esc" }, { "loop", "loop" },
                { "../..", "a/up" },     { "a/b/file", "file-link" },  { "/made/here", "dangle" },
                { "/made/file", "dfile" }, { "/proc/self/root", "magic" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
                in_tree(base, links[i][1], p, sizeof(p));
                if (symlink(links[i][0], p) < 0)
                        die("symlink %s", p);
        }
        in_tree(base, "out", p, sizeof(p));
        if (symlink(outside, p) < 0)
                die("symlink %s", p);

        int root = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                die("open %s", base);

        /* openat2 and the fallback walk agree, and both stay in the tree. */
        static const struct { const char *path; int flags; const char *want; int err; } cases[] = {
                { "a/b/file", O_PATH, "/a/b/file", 0 },
                { "/abs/b/file", O_PATH, "/a/b/file", 0 },
                { "esc/marker", O_PATH, "/etc/marker", 0 },
                { "a/up/a/b", O_PATH | O_DIRECTORY, "/a/b", 0 },
                { "../../a", O_PATH, "/a", 0 },
                { "file-link", O_PATH | O_NOFOLLOW, "/file-link", 0 },
                { "file-link", O_RDONLY, "/a/b/file", 0 },
                { "a/b", O_RDONLY | O_DIRECTORY, "/a/b", 0 },
                { "a/b/file", O_PATH | O_DIRECTORY, NULL, ENOTDIR },
                { "loop", O_PATH, NULL, ELOOP },
                { "a/b/file/x", O_PATH, NULL, ENOTDIR },
                { "nope", O_PATH, NULL, ENOENT },
                { "dangle", O_PATH, NULL, ENOENT },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct husk_error err = { 0 };
                int a = open_in_root(root, cases[i].path, cases[i].flags, &err);
                int ea = errno;
                int b = open_in_root_walk(root, cases[i].path, cases[i].flags);
                int eb = errno;
                for (int k = 0; k < 2; k++) {
                        int fd = k ? b : a, e = k ? eb : ea;
                        const char *how = k ? "walk" : "openat2";
                        if (cases[i].want) {
                                _cleanup_free_ char *t = fd >= 0 ? fd_target(fd) : NULL;
                                char want[512];
                                snprintf(want, sizeof(want), "%s%s", base, cases[i].want);
                                CHECK(t && strcmp(t, want) == 0, "%s %s: got %s", how, cases[i].path, t ? t : "error");
                        } else {
                                CHECK(fd < 0 && e == cases[i].err, "%s %s: fd %d errno %d", how, cases[i].path, fd, e);
                        }
                        if (fd >= 0)
                                close(fd);
                }
        }
        /* A magic link is refused by openat2; the walk reads it as text. */
        struct husk_error err = { 0 };
        CHECK(open_in_root(root, "magic/etc", O_PATH, &err) < 0, "magic link followed");

        /* mkdir/mkfile follow dangling symlinks inside the tree only. */
        int fd = mkdir_in_root(root, "/abs/new/dir", 0755, &err);
        in_tree(base, "a/new/dir", p, sizeof(p));
        CHECK(fd >= 0 && access(p, F_OK) == 0, "mkdir through a symlink: %s", err.msg);
        if (fd >= 0)
                close(fd);
        fd = mkdir_in_root(root, "dangle/sub", 0755, &err);
        in_tree(base, "made/here/sub", p, sizeof(p));
        CHECK(fd >= 0 && access(p, F_OK) == 0, "mkdir through a dangling symlink: %s", err.msg);
        if (fd >= 0)
                close(fd);
        fd = mkfile_in_root(root, "dfile", 0644, &err);
        in_tree(base, "made/file", p, sizeof(p));
        struct stat st;
        CHECK(fd >= 0 && stat(p, &st) == 0 && S_ISREG(st.st_mode), "mkfile through a dangling symlink: %s", err.msg);
        if (fd >= 0)
                close(fd);
        fd = mkdir_in_root(root, "out/x", 0755, &err);
        char inside[512];
        snprintf(inside, sizeof(inside), "%s%s/x", base, outside);
        CHECK(fd >= 0 && access(outside, F_OK) < 0 && access(inside, F_OK) == 0, "mkdir escaped to %s", outside);
        if (fd >= 0)
                close(fd);
        fd = mkfile_in_root(root, "a/b", 0644, &err);
        CHECK(fd >= 0, "mkfile on an existing dir returns it: %s", err.msg);
        if (fd >= 0)
                close(fd);
        CHECK(mkdir_in_root(root, "a/b/file/sub", 0755, &err) < 0, "mkdir under a file");

        close(root);
        int dfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0)
                rm_rf_at(dfd);
        rmdir(base);
}

int main(void)
{
        test_path();
        if (tap_failures())
                return tap_done();      /* path resolution is broken: no container */
        if (geteuid() != 0) {
                tap_skip(1, "needs root: the containers");
                return tap_done();
        }
        if (access("/bin/busybox", X_OK) < 0) {
                tap_skip(1, "no /bin/busybox: the containers");
                return tap_done();
        }
        int before = count_lines("/proc/self/mountinfo");
        main_pid = getpid();
        build_rootfs();
        atexit(cleanup);

        CHECK(!in_container(run_full), "scenario: full container");
        CHECK(!in_container(run_no_pivot), "scenario: no-pivot");
        CHECK(prepare_idmap() == 0 && !in_container(run_idmap), "scenario: idmapped mount");
        if (idm_fds[1] >= 0)
                close(idm_fds[1]);
        free(idm_mounts[1].source);
        /* Without the runtime's fd, stage 2 refuses the idmapped mount. */
        CHECK(!in_container(run_idmap_missing), "scenario: idmapped mount without fd");
        CHECK(!in_container_ns(run_cgroupns, CLONE_NEWCGROUP), "scenario: cgroup namespace");
        CHECK(!in_userns_container(run_userns), "scenario: user namespace");
        CHECK(!in_container(run_error), "scenario: errors");

        /* The rw file bind wrote through to the host. */
        char p[256], buf[64];
        snprintf(p, sizeof(p), "%s/src/file", tmp);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        CHECK(n == 12, "rw bind wrote through (%zd bytes)", n);
        if (fd >= 0)
                close(fd);
        /* Nothing landed on the host: same mounts, untouched symlink target. */
        int after = count_lines("/proc/self/mountinfo");
        CHECK(before == after, "host mountinfo had %d lines, now %d", before, after);
        DIR *d = opendir(host_target);
        struct dirent *de;
        int entries = 0;
        while (d && (de = readdir(d)))
                entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
        if (d)
                closedir(d);
        _cleanup_free_ char *ht = mountinfo_line(host_target);
        CHECK(entries == 0 && !ht, "host target touched");

        return tap_done();
}
