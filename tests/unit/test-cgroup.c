/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroupfs driver on the real kernel: create, every resource read back
 * from its file, join, enforcement (pids, memory OOM, devices), freeze,
 * kill, stats, update rollback, destroy. Root only (77 otherwise). Runs on
 * whatever layout the host has (v1, hybrid, pure v2 in the VM). Every
 * cgroup it makes is named husk-cgtest-<pid> and removed at the end.
 *
 * HUSK_CGTEST_HUGETLB=1 also tests hugepage limits on a hybrid host, where
 * that needs "+hugetlb" in the unified root's subtree_control (a host-wide
 * change the test reverts if it made it). HUSK_CGTEST_VERBOSE=1 prints the
 * stats JSON.
 *
 * Every layout, from a build dir B (as root):
 *   hybrid/v1 host:  B/tests/unit/test-cgroup
 *   pure v1:         unshare -m --propagation private sh -c \
 *                      'mount -t tmpfs none /sys/fs/cgroup/unified && B/tests/unit/test-cgroup'
 *   pure v2:         ../shared/vm/run-in-vm.sh --carry B/tests/unit/test-cgroup -- B/tests/unit/test-cgroup
 *   v2 + systemd:    ../shared/vm/run-in-vm.sh --systemd --carry B/tests/unit/test-cgroup -- B/tests/unit/test-cgroup
 * (B must be an absolute path for --carry.)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <yajl/yajl_tree.h>

#include "cgroup/cgroup.h"
#include "cgroup/cgroup_internal.h"
#include "util/util.h"
#include "tap.h"

static char base[64];
static char memnode[128];       /* a c 1:1 (/dev/mem) node the rules do not allow */

/* call returns 0 or -1 and fills e */
#define OK(call, e)                                                     \
        do {                                                            \
                husk_error_clear(&(e));                                 \
                CHECK((call) >= 0, "%s", (e).msg);                      \
        } while (0)

static struct cgroup_manager *mk(const char *path)
{
        struct husk_linux lx = { .cgroups_path = (char *)path };
        struct husk_spec spec = { .linux = &lx };
        struct cgroup_opts o = { .id = "cgtest" };
        struct cgroup_manager *m = NULL;
        struct husk_error e;
        if (cgroup_manager_new(&spec, &o, &m, &e) < 0) {
                fprintf(stderr, "FAIL manager_new %s: %s\n", path, e.msg);
                exit(1);
        }
        return m;
}

static char *rd(struct cgroup_manager *m, const char *ctrl, const char *file)
{
        struct cg_hier *h = cg_controller(m, ctrl);
        if (!h)
                return xstrdup("<no controller>");
        char *s = cg_read(h, file);
        return s ? s : xstrdup("<missing>");
}

static void expect_file(struct cgroup_manager *m, const char *ctrl, const char *file, const char *want)
{
        _cleanup_free_ char *got = rd(m, ctrl, file);
        CHECK(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"", file, got, want);
}

static bool is_v2(struct cgroup_manager *m, const char *ctrl)
{
        struct cg_hier *h = cg_controller(m, ctrl);
        return h && h->v2;
}

/* A child that joins the cgroup (through the fds prepared here), reports,
 * then runs `body` (or waits). */
struct kid {
        pid_t pid;
        int to_kid, from_kid;
};

static struct kid spawn_into(struct cgroup_manager *m, int (*body)(void), int cgfd)
{
        int a[2], b[2];
        if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0)
                abort();
        struct husk_error pe = { 0 };
        CHECK(cgroup_join_prepare(m, 3, &pe) == 0, "join prepare: %s", pe.msg);
        pid_t pid;
        if (cgfd >= 0) {
                struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
                                         .cgroup = (uint64_t)cgfd };
                pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
                CHECK(pid >= 0, "clone3 into cgroup: %m");
        } else {
                pid = fork();
        }
        if (pid == 0) {
                close(a[1]);
                close(b[0]);
                struct husk_error e;
                char ok = cgroup_join_prepared(m, cgfd >= 0, &e) == 0 ? 'y' : 'n';
                if (ok == 'n')
                        fprintf(stderr, "child: enter: %s\n", e.msg);
                if (write(b[1], &ok, 1) != 1)
                        _exit(99);
                char c;
                if (read(a[0], &c, 1) != 1)
                        _exit(0);
                _exit(body ? body() : 0);
        }
        close(a[0]);
        close(b[1]);
        char c = 0;
        if (read(b[0], &c, 1) != 1 || c != 'y')
                CHECK(0, "child %d could not join", pid);
        return (struct kid){ pid, a[1], b[0] };
}

static struct kid spawn(struct cgroup_manager *m, int (*body)(void))
{
        return spawn_into(m, body, -1);
}

static void go(struct kid *k)
{
        char c = 'g';
        if (write(k->to_kid, &c, 1) != 1)
                CHECK(0, "go");
}

static int reap(struct kid *k)
{
        close(k->to_kid);
        close(k->from_kid);
        int st = 0;
        waitpid(k->pid, &st, 0);
        return st;
}

/* ------------------------------------------------------------------ */

static int body_fork(void)
{
        pid_t p = fork();
        if (p == 0)
                _exit(0);
        if (p < 0)
                return errno == EAGAIN ? 42 : 43;
        waitpid(p, NULL, 0);
        return 0;
}

static int body_alloc(void)
{
        size_t sz = 256 << 20;
        char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return 3;
        for (size_t i = 0; i < sz; i += 4096)
                p[i] = 1;
        return 0;
}

static __attribute__((noreturn)) int body_spin(void)
{
        for (;;)
                pause();
}

static int body_devices(void)
{
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0)
                return 10;
        close(fd);
        fd = open("/dev/full", O_WRONLY);       /* 1:7: allowed by the defaults */
        if (fd < 0)
                return 11;
        close(fd);
        /* mknod is allowed for any char device (runc's defaults) */
        char mk[160];
        snprintf(mk, sizeof(mk), "%s-kid", memnode);
        if (mknod(mk, S_IFCHR | 0600, makedev(1, 1)) < 0)
                return 14;
        unlink(mk);
        /* but /dev/mem (1:1) is not in the rules */
        fd = open(memnode, O_RDONLY);
        if (fd >= 0)
                return 12;
        return errno == EPERM ? 0 : 13;
}

static int body_bpf_only_null(void)
{
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0)
                return 20;
        close(fd);
        fd = open("/dev/zero", O_RDONLY);
        if (fd >= 0)
                return 21;
        return errno == EPERM ? 0 : 22;
}

/* ------------------------------------------------------------------ */

static void test_paths(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/c1", base);
        struct cgroup_manager *m = mk(p);
        CHECK(strcmp(cgroup_manager_path(m), p) == 0, "path %s", cgroup_manager_path(m));
        _cleanup_free_ char *s = cgroup_manager_save(m);
        CHECK(!strchr(s, '\n'), "save has a newline");
        struct cgroup_manager *r = NULL;
        struct husk_error e;
        OK(cgroup_manager_restore(s, &r, &e), e);
        if (r) {
                _cleanup_free_ char *s2 = cgroup_manager_save(r);
                CHECK(strcmp(s, s2) == 0, "restore: %s vs %s", s, s2);
                CHECK(r->n_h == m->n_h, "restore: %zu hierarchies vs %zu", r->n_h, m->n_h);
                for (size_t i = 0; i < r->n_h && i < m->n_h; i++)
                        CHECK(strcmp(r->h[i].dir, m->h[i].dir) == 0, "dir %s vs %s", r->h[i].dir, m->h[i].dir);
        }
        cgroup_manager_free(r);
        /* cleaned like runc: "..", "." and "//" */
        _cleanup_free_ char *messy = xasprintf("/../%s//./x/../c1/", base);
        struct cgroup_manager *m2 = mk(messy);
        CHECK(strcmp(cgroup_manager_path(m2), p) == 0, "clean path %s", cgroup_manager_path(m2));
        cgroup_manager_free(m2);
        cgroup_manager_free(m);

        struct husk_spec spec = { 0 };
        struct cgroup_opts o = { .id = "abc" };
        struct cgroup_manager *d = NULL;
        OK(cgroup_manager_new(&spec, &o, &d, &e), e);
        if (d)
                CHECK(strcmp(cgroup_manager_path(d), "/husk/abc") == 0, "default %s", cgroup_manager_path(d));
        cgroup_manager_free(d);
        o.systemd = true;
        if (cg_systemd_available()) {
                OK(cgroup_manager_new(&spec, &o, &d, &e), e);
                CHECK(d && strcmp(cgroup_manager_path(d), "/system.slice/husk-abc.scope") == 0, "systemd default %s",
                      d ? cgroup_manager_path(d) : "?");
                cgroup_manager_free(d);
                d = NULL;
                struct husk_linux lx = { .cgroups_path = (char *)"a-b.slice:pre:n1" };
                struct husk_spec s2 = { .linux = &lx };
                OK(cgroup_manager_new(&s2, &o, &d, &e), e);
                CHECK(d && strcmp(cgroup_manager_path(d), "/a.slice/a-b.slice/pre-n1.scope") == 0, "systemd slice %s",
                      d ? cgroup_manager_path(d) : "?");
                cgroup_manager_free(d);
                lx.cgroups_path = (char *)"/not/systemd";
                CHECK(cgroup_manager_new(&s2, &o, &d, &e) < 0 && strstr(e.msg, "slice:prefix:name"), "bad: %s", e.msg);
        } else {
                CHECK(cgroup_manager_new(&spec, &o, &d, &e) < 0 && strstr(e.msg, "systemd"), "systemd: %s", e.msg);
        }
        CHECK(cgroup_shares_to_weight(1024) == 39 && cgroup_shares_to_weight(2) == 1 &&
                      cgroup_shares_to_weight(262144) == 10000,
              "shares->weight %" PRIu64, cgroup_shares_to_weight(1024));
}

/* The first block device's "maj:min" (for throttles), or NULL. */
static char *a_block_device(void)
{
        static const char *const cands[] = { "/sys/block/vda/dev", "/sys/block/sda/dev", "/sys/block/nvme0n1/dev",
                                             "/sys/block/xvda/dev" };
        for (size_t i = 0; i < ARRAY_SIZE(cands); i++) {
                char *s = NULL;
                size_t n;
                if (read_file_at(AT_FDCWD, cands[i], &s, &n, NULL) == 0) {
                        s[strcspn(s, "\n")] = '\0';
                        return s;
                }
        }
        return NULL;
}

static bool gone_everywhere(struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (access(m->h[i].dir, F_OK) == 0) {
                        fprintf(stderr, "still there: %s\n", m->h[i].dir);
                        return false;
                }
        return true;
}

static void test_resources(enum cgroup_layout layout)
{
        _cleanup_free_ char *p = xasprintf("/%s/res", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;

        struct husk_memory mem = {
                .limit = { true, 64 << 20 }, .reservation = { true, 32 << 20 }, .swap = { true, 96 << 20 },
                .swappiness = { true, 10 }, .kernel_tcp = { true, 16 << 20 }, .kernel = { true, 16 << 20 },
        };
        struct husk_cpu cpu = {
                .shares = { true, 512 }, .quota = { true, 50000 }, .period = { true, 100000 }, .burst = { true, 1000 },
                .cpus = (char *)"0", .mems = (char *)"0", .idle = { true, 0 },
        };
        _cleanup_free_ char *dev = a_block_device();
        int64_t maj = 0, min = 0;
        if (dev)
                sscanf(dev, "%" SCNd64 ":%" SCNd64, &maj, &min);
        struct husk_throttle_device rbps = { maj, min, 1048576 }, wiops = { maj, min, 100 };
        struct husk_blockio bio = { .throttle_read_bps = &rbps, .n_throttle_read_bps = dev ? 1 : 0,
                                    .throttle_write_iops = &wiops, .n_throttle_write_iops = dev ? 1 : 0 };
        struct husk_kv uni = { (char *)"cgroup.max.descendants", (char *)"7" };
        struct husk_resources res = {
                .memory = &mem, .cpu = &cpu, .has_pids = true, .pids_limit = { true, 33 }, .block_io = &bio,
        };
        if (layout != CGROUP_LAYOUT_V1) {
                res.unified = &uni;
                res.n_unified = 1;
        }
        if (layout == CGROUP_LAYOUT_V1 || layout == CGROUP_LAYOUT_HYBRID)
                cpu.realtime_period = (struct husk_opt_u64){ true, 1000000 };
        OK(cgroup_create(m, &res, &e), e);

        if (is_v2(m, "memory")) {
                expect_file(m, "memory", "memory.max", "67108864");
                expect_file(m, "memory", "memory.low", "33554432");
                expect_file(m, "memory", "memory.swap.max", "33554432");
        } else {
                expect_file(m, "memory", "memory.limit_in_bytes", "67108864");
                expect_file(m, "memory", "memory.soft_limit_in_bytes", "33554432");
                expect_file(m, "memory", "memory.memsw.limit_in_bytes", "100663296");
                expect_file(m, "memory", "memory.swappiness", "10");
                expect_file(m, "memory", "memory.kmem.tcp.limit_in_bytes", "16777216");
        }
        if (is_v2(m, "cpu")) {
                expect_file(m, "cpu", "cpu.weight", "20");
                expect_file(m, "cpu", "cpu.max", "50000 100000");
                expect_file(m, "cpu", "cpu.max.burst", "1000");
        } else {
                expect_file(m, "cpu", "cpu.shares", "512");
                expect_file(m, "cpu", "cpu.cfs_quota_us", "50000");
                expect_file(m, "cpu", "cpu.cfs_period_us", "100000");
                expect_file(m, "cpu", "cpu.cfs_burst_us", "1000");
                expect_file(m, "cpu", "cpu.rt_period_us", "1000000");
        }
        expect_file(m, "cpu", "cpu.idle", "0");
        expect_file(m, "cpuset", "cpuset.cpus", "0");
        expect_file(m, "cpuset", "cpuset.mems", "0");
        expect_file(m, "pids", "pids.max", "33");
        if (dev) {
                if (is_v2(m, "io")) {
                        _cleanup_free_ char *want = xasprintf("%s rbps=1048576 wbps=max riops=max wiops=100", dev);
                        expect_file(m, "io", "io.max", want);
                } else {
                        _cleanup_free_ char *w1 = xasprintf("%s 1048576", dev), *w2 = xasprintf("%s 100", dev);
                        expect_file(m, "blkio", "blkio.throttle.read_bps_device", w1);
                        expect_file(m, "blkio", "blkio.throttle.write_iops_device", w2);
                }
        }
        if (layout != CGROUP_LAYOUT_V1) {
                struct cg_hier *u = cg_unified(m);
                _cleanup_free_ char *s = u ? cg_read(u, "cgroup.max.descendants") : NULL;
                CHECK(s && strcmp(s, "7") == 0, "unified cgroup.max.descendants: %s", s ? s : "?");
        }
        /* v1 devices: the whitelist holds the defaults, not "a" */
        struct cg_hier *dh = NULL;
        for (size_t i = 0; i < m->n_h; i++)
                if (cg_hier_has(&m->h[i], "devices"))
                        dh = &m->h[i];
        if (dh) {
                _cleanup_free_ char *l = cg_read(dh, "devices.list");
                CHECK(l && strstr(l, "c 1:3 rwm") && strstr(l, "c 136:* rwm") && !strstr(l, "a *:*"),
                      "devices.list: %s", l ? l : "?");
        }

        /* update: a good value, then one the host lacks: the old limit stays */
        struct husk_memory mem2 = { .limit = { true, 80 << 20 }, .swap = { true, 160 << 20 } };
        struct husk_resources up = { .memory = &mem2 };
        OK(cgroup_update(m, &up, &e), e);
        if (is_v2(m, "memory"))
                expect_file(m, "memory", "memory.max", "83886080");
        else
                expect_file(m, "memory", "memory.limit_in_bytes", "83886080");
        struct husk_memory mem3 = { .limit = { true, 40 << 20 }, .swap = { true, 80 << 20 } };
        struct husk_resources bad = { .memory = &mem3, .has_network = true, .net_class_id = { true, 0x100001 } };
        bool have_netcls = cg_controller(m, "net_cls") != NULL;
        if (!have_netcls) {
                CHECK(cgroup_update(m, &bad, &e) < 0 && strstr(e.msg, "linux.resources.network.classID"),
                      "net_cls error: %s", e.msg);
                if (is_v2(m, "memory"))
                        expect_file(m, "memory", "memory.max", "83886080");
                else
                        expect_file(m, "memory", "memory.limit_in_bytes", "83886080");
        }
        /* errors name the field */
        struct husk_rdma_limit rl = { (char *)"mlx5_0", { true, 3 }, { false, 0 } };
        struct husk_resources rd_res = { .rdma = &rl, .n_rdma = 1 };
        if (!cg_controller(m, "rdma"))
                CHECK(cgroup_update(m, &rd_res, &e) < 0 && strstr(e.msg, "linux.resources.rdma"), "rdma: %s", e.msg);
        /* (on hybrid that would enable hugetlb on the host's unified root) */
        if (layout != CGROUP_LAYOUT_HYBRID || getenv("HUSK_CGTEST_HUGETLB")) {
                struct husk_hugepage_limit hp_bad = { (char *)"3MB", 1 << 20 };
                struct husk_resources hp_res = { .hugepage_limits = &hp_bad, .n_hugepage_limits = 1 };
                CHECK(cgroup_update(m, &hp_res, &e) < 0 && strstr(e.msg, "linux.resources.hugepageLimits"),
                      "hugetlb: %s", e.msg);
        }
        if (layout == CGROUP_LAYOUT_V1) {
                CHECK(cgroup_update(m, &(struct husk_resources){ .unified = &uni, .n_unified = 1 }, &e) < 0 &&
                              strstr(e.msg, "linux.resources.unified"),
                      "unified on v1: %s", e.msg);
        }

        /* stats parse and carry the limits */
        char *js = NULL;
        OK(cgroup_stats_json(m, &js, &e), e);
        if (js) {
                if (getenv("HUSK_CGTEST_VERBOSE"))
                        fprintf(stderr, "stats: %s\n", js);
                char ebuf[256];
                yajl_val t = yajl_tree_parse(js, ebuf, sizeof(ebuf));
                CHECK(t != NULL, "stats JSON: %s: %s", ebuf, js);
                const char *lim[] = { "memory", "usage", "limit", NULL };
                const char *pl[] = { "pids", "limit", NULL };
                const char *thr[] = { "cpu", "throttling", NULL };
                const char *hg[] = { "hugetlb", NULL };
                yajl_val v = t ? yajl_tree_get(t, lim, yajl_t_number) : NULL;
                CHECK(v && YAJL_GET_INTEGER(v) == 80 << 20, "memory.usage.limit in %s", js);
                v = t ? yajl_tree_get(t, pl, yajl_t_number) : NULL;
                CHECK(v && YAJL_GET_INTEGER(v) == 33, "pids.limit in %s", js);
                CHECK(t && yajl_tree_get(t, thr, yajl_t_object), "cpu.throttling in %s", js);
                CHECK(t && yajl_tree_get(t, hg, yajl_t_object), "hugetlb in %s", js);
                yajl_tree_free(t);
                free(js);
        }
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "res cgroup left behind");
        OK(cgroup_destroy(m, &e), e);   /* idempotent */
        cgroup_manager_free(m);
}

static void test_hugetlb(enum cgroup_layout layout)
{
        if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) != 0)
                return;
        const char *unified_root = layout == CGROUP_LAYOUT_HYBRID ? "/sys/fs/cgroup/unified" : NULL;
        bool revert = false;
        if (unified_root) {
                if (!getenv("HUSK_CGTEST_HUGETLB")) {
                        fprintf(stderr, "skip hugetlb on hybrid (set HUSK_CGTEST_HUGETLB=1)\n");
                        return;
                }
                _cleanup_free_ char *sc = NULL;
                read_file_at(AT_FDCWD, "/sys/fs/cgroup/unified/cgroup.subtree_control", &sc, NULL, NULL);
                revert = sc && !strstr(sc, "hugetlb");
        }
        _cleanup_free_ char *p = xasprintf("/%s/huge", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        struct husk_hugepage_limit hp = { (char *)"2MB", 4 << 20 };
        struct husk_resources res = { .hugepage_limits = &hp, .n_hugepage_limits = 1 };
        if (!cg_controller(m, "hugetlb")) {
                CHECK(cgroup_create(m, &res, &e) < 0 && strstr(e.msg, "linux.resources.hugepageLimits"),
                      "no hugetlb: %s", e.msg);
                CHECK(gone_everywhere(m), "failed create left something");
                cgroup_manager_free(m);
                return;
        }
        OK(cgroup_create(m, &res, &e), e);
        if (is_v2(m, "hugetlb")) {
                expect_file(m, "hugetlb", "hugetlb.2MB.max", "4194304");
                if (cg_file_exists(cg_controller(m, "hugetlb"), "hugetlb.2MB.rsvd.max"))
                        expect_file(m, "hugetlb", "hugetlb.2MB.rsvd.max", "4194304");
        } else {
                expect_file(m, "hugetlb", "hugetlb.2MB.limit_in_bytes", "4194304");
        }
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "huge cgroup left behind");
        cgroup_manager_free(m);
        if (revert) {
                /* the base cgroup delegates it too; it is removed at the end,
                 * so take it off there first */
                _cleanup_free_ char *bsc = xasprintf("/sys/fs/cgroup/unified/%s/cgroup.subtree_control", base);
                write_file_at(AT_FDCWD, bsc, "-hugetlb", 8, NULL);
                if (write_file_at(AT_FDCWD, "/sys/fs/cgroup/unified/cgroup.subtree_control", "-hugetlb", 8, &e) < 0)
                        CHECK(0, "revert +hugetlb: %s", e.msg);
        }
}

static void test_join_and_enforce(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/c1", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        struct husk_resources res = { .has_pids = true, .pids_limit = { true, 1 } };
        OK(cgroup_create(m, &res, &e), e);

        /* join: every line of /proc/<pid>/cgroup shows our path */
        struct kid k = spawn(m, body_fork);
        _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", k.pid);
        _cleanup_free_ char *cg = NULL;
        read_file_at(AT_FDCWD, path, &cg, NULL, NULL);
        int lines = 0;
        for (char *l = cg; l && *l;) {
                char *nl = strchrnul(l, '\n');
                char *c2 = memchr(l, ':', (size_t)(nl - l));
                c2 = c2 ? memchr(c2 + 1, ':', (size_t)(nl - c2 - 1)) : NULL;
                bool v2line = c2 && l[0] == '0' && l[1] == ':' && l[2] == ':';
                if (c2 && !(v2line && !cg_unified(m))) {
                        lines++;
                        CHECK((size_t)(nl - c2 - 1) == strlen(p) && strncmp(c2 + 1, p, strlen(p)) == 0,
                              "cgroup line: %.*s", (int)(nl - l), l);
                }
                l = *nl ? nl + 1 : nl;
        }
        CHECK(lines > 0, "no cgroup lines");
        pid_t *pids = NULL;
        size_t n = 0;
        OK(cgroup_pids(m, &pids, &n, &e), e);
        CHECK(n == 1 && pids && pids[0] == k.pid, "pids: %zu", n);
        free(pids);
        /* a second container on the same, busy cgroup is refused */
        struct cgroup_manager *m2 = mk(p);
        CHECK(cgroup_create(m2, NULL, &e) < 0 && strstr(e.msg, "not empty"), "reuse busy cgroup: %s", e.msg);
        CHECK(access(m->h[0].dir, F_OK) == 0, "refused create removed the first one's cgroup");
        cgroup_manager_free(m2);
        /* pids.max 1: the child's fork fails with EAGAIN */
        go(&k);
        int st = reap(&k);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "fork under pids.max=1: status %#x", st);

        /* freeze / thaw / kill_all */
        struct husk_resources unl = { .has_pids = true, .pids_limit = { true, -1 } };
        OK(cgroup_update(m, &unl, &e), e);
        expect_file(m, "pids", "pids.max", "max");
        struct kid k2 = spawn(m, body_spin);
        go(&k2);
        OK(cgroup_freeze(m, true, &e), e);
        CHECK(cgroup_is_frozen(m) == 1, "not frozen");
        OK(cgroup_freeze(m, false, &e), e);
        CHECK(cgroup_is_frozen(m) == 0, "still frozen");
        OK(cgroup_kill_all(m, SIGTERM, &e), e);
        st = reap(&k2);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "kill_all SIGTERM: %#x", st);
        /* a paused container is killed by SIGKILL */
        struct kid k3 = spawn(m, body_spin);
        go(&k3);
        OK(cgroup_freeze(m, true, &e), e);
        OK(cgroup_kill_all(m, SIGKILL, &e), e);
        st = reap(&k3);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill_all SIGKILL when paused: %#x", st);

        /* clone3(CLONE_INTO_CGROUP) with cgroup_v2_fd, then enter_self
         * for the v1 hierarchies (hybrid) */
        int v2fd = cgroup_v2_fd(m);
        CHECK((v2fd >= 0) == (cg_unified(m) != NULL), "cgroup_v2_fd %d", v2fd);
        if (v2fd >= 0) {
                struct kid kc = spawn_into(m, NULL, v2fd);
                _cleanup_free_ char *cp = xasprintf("/proc/%d/cgroup", kc.pid);
                _cleanup_free_ char *c = NULL;
                read_file_at(AT_FDCWD, cp, &c, NULL, NULL);
                _cleanup_free_ char *want = xasprintf("0::%s\n", p);
                CHECK(c && strstr(c, want), "clone3 child cgroup: %s", c ? c : "?");
                if (cg_controller(m, "memory") && !is_v2(m, "memory")) {
                        _cleanup_free_ char *wm = xasprintf("memory:%s\n", p);
                        CHECK(c && strstr(c, wm), "clone3 child v1 memory: %s", c ? c : "?");
                }
                go(&kc);
                reap(&kc);
        }

        /* destroy kills what is left */
        struct kid k4 = spawn(m, body_spin);
        go(&k4);
        OK(cgroup_destroy(m, &e), e);
        st = reap(&k4);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "destroy kills: %#x", st);
        CHECK(gone_everywhere(m), "c1 left behind");
        cgroup_manager_free(m);
}

/* exec --cgroup: "path" and "ctrl:path"; destroy removes sub-cgroups. */
static void test_sub_cgroup(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/sub", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        OK(cgroup_create(m, NULL, &e), e);
        struct cg_hier *mh = cg_controller(m, "memory");
        for (size_t i = 0; i < m->n_h; i++) {
                _cleanup_free_ char *d = xasprintf("%s/s1", m->h[i].dir);
                CHECK(mkdir(d, 0755) == 0, "mkdir %s: %m", d);
        }
        struct kid k = spawn(m, NULL);
        OK(cgroup_add_pid(m, k.pid, mh && !mh->v2 ? "memory:s1" : "s1", &e), e);
        _cleanup_free_ char *cp = xasprintf("/proc/%d/cgroup", k.pid);
        _cleanup_free_ char *c = NULL;
        read_file_at(AT_FDCWD, cp, &c, NULL, NULL);
        _cleanup_free_ char *in = xasprintf("%s/s1\n", p);
        CHECK(c && strstr(c, in), "sub-cgroup: %s", c ? c : "?");
        if (mh && !mh->v2) {
                _cleanup_free_ char *pm = xasprintf(":pids:%s\n", p);
                CHECK(!cg_controller(m, "pids") || (c && strstr(c, pm)), "pids stays: %s", c ? c : "?");
        }
        CHECK(cgroup_add_pid(m, k.pid, "nosuchctrl:s1", &e) < 0, "unknown controller accepted");
        go(&k);
        reap(&k);
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "sub left behind");
        cgroup_manager_free(m);
}

/* A failed create leaves nothing behind. */
static void test_rollback(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/rb/x/y", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        struct husk_memory mem = { .limit = { true, 1 << 30 } };
        struct husk_resources res = { .memory = &mem, .has_network = true, .net_class_id = { true, 1 } };
        if (cg_controller(m, "net_cls")) {
                struct husk_memory bad = { .swappiness = { true, 1000 } };
                res = (struct husk_resources){ .memory = &bad };
        }
        CHECK(cgroup_create(m, &res, &e) < 0, "create should fail");
        CHECK(gone_everywhere(m), "failed create left its cgroup");
        for (size_t i = 0; i < m->n_h; i++) {
                _cleanup_free_ char *rb = xasprintf("%s/%s/rb", m->h[i].mount, base);
                CHECK(access(rb, F_OK) != 0, "failed create left %s", rb);
        }
        cgroup_manager_free(m);
}

static void test_oom(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/oom", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        struct husk_memory mem = { .limit = { true, 16 << 20 }, .swap = { true, 16 << 20 } };
        struct husk_resources res = { .memory = &mem };
        OK(cgroup_create(m, &res, &e), e);
        struct kid k = spawn(m, body_alloc);
        go(&k);
        int st = reap(&k);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "OOM: status %#x", st);
        CHECK(cgroup_oom_kill_count(m) >= 1, "oom_kill count %lld", (long long)cgroup_oom_kill_count(m));
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "oom left behind");
        cgroup_manager_free(m);
}

static void test_devices(void)
{
        _cleanup_free_ char *p = xasprintf("/%s/dev", base);
        struct cgroup_manager *m = mk(p);
        struct husk_error e;
        struct husk_device_rule deny_all = { .allow = false, .type = 'a', .access = (char *)"rwm" };
        struct husk_resources res = { .devices = &deny_all, .n_devices = 1 };
        /* in /dev: /tmp may be nodev (the VM's is) */
        snprintf(memnode, sizeof(memnode), "/dev/%s-mem", base);
        unlink(memnode);
        CHECK(mknod(memnode, S_IFCHR | 0600, makedev(1, 1)) == 0, "mknod %s: %m", memnode);
        OK(cgroup_create(m, &res, &e), e);
        struct kid k = spawn(m, body_devices);
        go(&k);
        int st = reap(&k);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "devices: exit %d", WEXITSTATUS(st));

        /* the eBPF filter, on the cgroup2 hierarchy (hybrid too): only
         * /dev/null; attaching twice replaces the first program */
        struct cg_hier *u = cg_unified(m);
        if (u) {
                struct husk_device_rule only_null[] = {
                        { .allow = false, .type = 'a' },
                        { .allow = true, .type = 'c', .major = { true, 1 }, .minor = { true, 3 }, .access = (char *)"rw" },
                };
                OK(cg_bpf_devices_attach(u->dir, only_null, 2, &e), e);
                OK(cg_bpf_devices_attach(u->dir, only_null, 2, &e), e);
                _cleanup_close_ int fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                uint32_t ids[8] = { 0 };
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.query.target_fd = (uint32_t)fd;
                a.query.attach_type = BPF_CGROUP_DEVICE;
                a.query.prog_ids = (uint64_t)(uintptr_t)ids;
                a.query.prog_cnt = 8;
                CHECK(syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)) == 0 && a.query.prog_cnt == 1,
                      "programs attached: %u", a.query.prog_cnt);
                struct kid k2 = spawn(m, body_bpf_only_null);
                go(&k2);
                st = reap(&k2);
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "bpf devices: exit %d", WEXITSTATUS(st));
        }
        unlink(memnode);
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "dev left behind");
        cgroup_manager_free(m);
}

static void test_relative(void)
{
        _cleanup_free_ char *rel = xasprintf("%s-rel", base);
        struct cgroup_manager *m = mk(rel);
        struct husk_error e;
        OK(cgroup_create(m, NULL, &e), e);
        _cleanup_free_ char *own = NULL;
        read_file_at(AT_FDCWD, "/proc/self/cgroup", &own, NULL, NULL);
        for (size_t i = 0; i < m->n_h; i++) {
                struct cg_hier *h = &m->h[i];
                CHECK(access(h->dir, F_OK) == 0, "relative: %s missing", h->dir);
                /* <own cgroup>/<rel> (v1) or <parent of own>/<rel> (v2) */
                char *line = NULL;
                for (char *l = own; l && *l && !line;) {
                        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                        if (c2 && (h->v2 ? c2 == c1 + 1 : (size_t)(c2 - c1 - 1) == strlen(h->controllers) &&
                                                                  !strncmp(c1 + 1, h->controllers, strlen(h->controllers))))
                                line = c2 + 1;
                        l = strchr(l, '\n');
                        l = l ? l + 1 : NULL;
                }
                if (!line)
                        continue;
                _cleanup_free_ char *ownp = xstrndup(line, strcspn(line, "\n"));
                if (h->v2) {
                        char *slash = strrchr(ownp, '/');
                        if (slash)
                                *slash = '\0';
                }
                _cleanup_free_ char *want = xasprintf("%s/%s", strcmp(ownp, "/") ? ownp : "", rel);
                CHECK(strcmp(h->rel, want) == 0, "relative %s: %s, want %s", h->controllers, h->rel, want);
        }
        OK(cgroup_destroy(m, &e), e);
        CHECK(gone_everywhere(m), "relative left behind");
        cgroup_manager_free(m);
}

/* The systemd driver, where systemd runs (the --systemd VM): a scope that
 * starts when the init's pid is added, resources as properties and files,
 * update, save/restore, destroy stopping the unit. */
static void test_systemd(void)
{
        if (!cg_systemd_available()) {
                fprintf(stderr, "skip systemd driver: systemd is not running\n");
                return;
        }
        _cleanup_free_ char *cgp = xasprintf("system.slice:husk-cgtest:%d", (int)getpid());
        struct husk_linux lx = { .cgroups_path = cgp };
        struct husk_spec spec = { .linux = &lx };
        struct cgroup_opts o = { .id = "cgtest", .systemd = true };
        struct cgroup_manager *m = NULL;
        struct husk_error e;
        OK(cgroup_manager_new(&spec, &o, &m, &e), e);
        if (!m)
                return;
        _cleanup_free_ char *want = xasprintf("/system.slice/husk-cgtest-%d.scope", (int)getpid());
        CHECK(strcmp(cgroup_manager_path(m), want) == 0, "systemd path %s", cgroup_manager_path(m));
        struct husk_memory mem = { .limit = { true, 64 << 20 } };
        struct husk_cpu cpu = { .shares = { true, 2048 }, .quota = { true, 25000 }, .period = { true, 100000 } };
        struct husk_resources res = { .memory = &mem, .cpu = &cpu, .has_pids = true, .pids_limit = { true, 10 } };
        OK(cgroup_create(m, &res, &e), e);
        struct kid k = spawn(m, body_spin);     /* enter_self is a no-op here */
        OK(cgroup_add_pid(m, k.pid, NULL, &e), e);
        _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", k.pid);
        _cleanup_free_ char *cg = NULL;
        read_file_at(AT_FDCWD, path, &cg, NULL, NULL);
        CHECK(cg && strstr(cg, want), "systemd child cgroup: %s", cg ? cg : "?");
        if (is_v2(m, "memory")) {
                expect_file(m, "memory", "memory.max", "67108864");
                expect_file(m, "cpu", "cpu.weight", "79");
                expect_file(m, "cpu", "cpu.max", "25000 100000");
        } else {
                expect_file(m, "memory", "memory.limit_in_bytes", "67108864");
        }
        expect_file(m, "pids", "pids.max", "10");
        struct husk_memory mem2 = { .limit = { true, 80 << 20 } };
        struct husk_resources up = { .memory = &mem2 };
        OK(cgroup_update(m, &up, &e), e);
        expect_file(m, "memory", is_v2(m, "memory") ? "memory.max" : "memory.limit_in_bytes", "83886080");
        _cleanup_free_ char *saved = cgroup_manager_save(m);
        struct cgroup_manager *r = NULL;
        OK(cgroup_manager_restore(saved, &r, &e), e);
        if (r) {
                CHECK(r->sd_unit && strcmp(r->sd_unit, m->sd_unit) == 0, "restored unit: %s", saved);
                OK(cgroup_destroy(r, &e), e);
                CHECK(gone_everywhere(r), "systemd scope left behind");
                cgroup_manager_free(r);
        }
        int st = reap(&k);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "systemd destroy kills: %#x", st);
        OK(cgroup_destroy(m, &e), e);   /* idempotent, unit already gone */
        cgroup_manager_free(m);
}

int main(void)
{
        if (geteuid() != 0)
                tap_skip_all("needs root");
        enum cgroup_layout layout = cgroup_detect_layout();
        fprintf(stderr, "layout: %s\n", layout == CGROUP_LAYOUT_V1 ? "v1" : layout == CGROUP_LAYOUT_HYBRID ? "hybrid" : "v2");
        snprintf(base, sizeof(base), "husk-cgtest-%d", (int)getpid());

        fprintf(stderr, "== %s\n", "test_paths");
        test_paths();
        fprintf(stderr, "== %s\n", "test_resources");
        test_resources(layout);
        fprintf(stderr, "== %s\n", "test_hugetlb");
        test_hugetlb(layout);
        fprintf(stderr, "== %s\n", "test_join_and_enforce");
        test_join_and_enforce();
        fprintf(stderr, "== test_sub_cgroup\n");
        test_sub_cgroup();
        fprintf(stderr, "== %s\n", "test_rollback");
        test_rollback();
        fprintf(stderr, "== %s\n", "test_oom");
        test_oom();
        fprintf(stderr, "== %s\n", "test_devices");
        test_devices();
        fprintf(stderr, "== %s\n", "test_relative");
        test_relative();
        fprintf(stderr, "== test_systemd\n");
        test_systemd();

        /* the shared parent: remove it, then nothing is left anywhere */
        _cleanup_free_ char *bp = xasprintf("/%s", base);
        struct cgroup_manager *b = mk(bp);
        struct husk_error e;
        OK(cgroup_destroy(b, &e), e);
        CHECK(gone_everywhere(b), "base left behind");
        cgroup_manager_free(b);

        return tap_done();
}
