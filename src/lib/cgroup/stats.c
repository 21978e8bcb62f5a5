/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "data" object of runc's `events --stats` (runc types/events.go):
 * cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces,
 * with runc's field names and its omitempty choices (a zero "omitempty"
 * number is left out; nested objects are always there).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cgroup/cgroup_internal.h"
#include "util/cpulist.h"
#include "util/jsongen.h"
#include "util/util.h"

static void num_oe(yajl_gen g, const char *k, uint64_t v)
{
        if (v)
                jgen_kv_u64(g, k, v);
}

static uint64_t rd(struct cg_hier *h, const char *file)
{
        uint64_t v = 0;
        if (!h || cg_read_u64(h, file, &v) < 0)
                return 0;
        return v;
}

/* Value of `k` in a flat keyed file ("key value\n" lines). */
static uint64_t keyed(const char *content, const char *k)
{
        size_t kl = strlen(k);
        for (const char *p = content; p && *p;) {
                if (strncmp(p, k, kl) == 0 && p[kl] == ' ')
                        return strtoull(p + kl + 1, NULL, 10);
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return 0;
}

static uint64_t keyed_file(struct cg_hier *h, const char *file, const char *k)
{
        _cleanup_free_ char *s = h ? cg_read(h, file) : NULL;
        return s ? keyed(s, k) : 0;
}

static void num_list(yajl_gen g, const char *k, const char *content)
{
        if (!content || !*content)
                return;
        jgen_str(g, k);
        yajl_gen_array_open(g);
        for (const char *p = content; *p;) {
                char *e;
                unsigned long long v = strtoull(p, &e, 10);
                if (e == p)
                        break;
                char buf[32];
                int n = snprintf(buf, sizeof(buf), "%llu", v);
                yajl_gen_number(g, buf, (size_t)n);
                p = e;
                while (*p == ' ' || *p == '\n')
                        p++;
        }
        yajl_gen_array_close(g);
}

static void cpu_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *cpu = cg_controller(m, "cpu");
        jgen_str(g, "cpu");
        yajl_gen_map_open(g);
        jgen_str(g, "usage");
        yajl_gen_map_open(g);
        uint64_t periods = 0, throttled = 0, ttime = 0;
        if (cpu && cpu->v2) {
                _cleanup_free_ char *s = cg_read(cpu, "cpu.stat");
                num_oe(g, "total", keyed(s, "usage_usec") * 1000);
                jgen_kv_u64(g, "kernel", keyed(s, "system_usec") * 1000);
                jgen_kv_u64(g, "user", keyed(s, "user_usec") * 1000);
                periods = keyed(s, "nr_periods");
                throttled = keyed(s, "nr_throttled");
                ttime = keyed(s, "throttled_usec") * 1000;
        } else {
                struct cg_hier *acct = cg_controller(m, "cpuacct");
                num_oe(g, "total", rd(acct, "cpuacct.usage"));
                _cleanup_free_ char *pc = acct ? cg_read(acct, "cpuacct.usage_percpu") : NULL;
                _cleanup_free_ char *pk = acct ? cg_read(acct, "cpuacct.usage_percpu_sys") : NULL;
                _cleanup_free_ char *pu = acct ? cg_read(acct, "cpuacct.usage_percpu_user") : NULL;
                num_list(g, "percpu", pc);
                num_list(g, "percpu_kernel", pk);
                num_list(g, "percpu_user", pu);
                /* cpuacct.stat is in USER_HZ ticks */
                long hz = sysconf(_SC_CLK_TCK);
                uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
                jgen_kv_u64(g, "kernel", keyed_file(acct, "cpuacct.stat", "system") * ns_per_tick);
                jgen_kv_u64(g, "user", keyed_file(acct, "cpuacct.stat", "user") * ns_per_tick);
                if (cpu) {
                        _cleanup_free_ char *s = cg_read(cpu, "cpu.stat");
                        periods = keyed(s, "nr_periods");
                        throttled = keyed(s, "nr_throttled");
                        ttime = keyed(s, "throttled_time");
                }
        }
        yajl_gen_map_close(g);
        jgen_str(g, "throttling");
        yajl_gen_map_open(g);
        num_oe(g, "periods", periods);
        num_oe(g, "throttledPeriods", throttled);
        num_oe(g, "throttledTime", ttime);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

static int gen_range(unsigned long a, unsigned long b, void *ctx)
{
        for (unsigned long i = a; i <= b && i - a < 65536; i++) {
                char buf[24];
                int n = snprintf(buf, sizeof(buf), "%lu", i);
                yajl_gen_number((yajl_gen)ctx, buf, (size_t)n);
        }
        return 0;
}

/* "0-3,7" -> [0,1,2,3,7] (as far as the list is well formed) */
static void cpu_list(yajl_gen g, const char *k, const char *list)
{
        if (!list || !*list)
                return;
        jgen_str(g, k);
        yajl_gen_array_open(g);
        (void)cpulist_each(list, CPULIST_BLANKS, gen_range, g);
        yajl_gen_array_close(g);
}

static void cpuset_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *h = cg_controller(m, "cpuset");
        jgen_str(g, "cpuset");
        yajl_gen_map_open(g);
        bool v2 = h && h->v2;
        _cleanup_free_ char *cpus = h ? cg_read(h, v2 ? "cpuset.cpus.effective" : "cpuset.cpus") : NULL;
        _cleanup_free_ char *mems = h ? cg_read(h, v2 ? "cpuset.mems.effective" : "cpuset.mems") : NULL;
        cpu_list(g, "cpus", cpus);
        jgen_kv_u64(g, "cpu_exclusive", v2 ? 0 : rd(h, "cpuset.cpu_exclusive"));
        cpu_list(g, "mems", mems);
        static const char *const flags[][2] = {
                { "mem_hardwall", "cpuset.mem_hardwall" },
                { "mem_exclusive", "cpuset.mem_exclusive" },
                { "memory_migrate", "cpuset.memory_migrate" },
                { "memory_spread_page", "cpuset.memory_spread_page" },
                { "memory_spread_slab", "cpuset.memory_spread_slab" },
                { "memory_pressure", "cpuset.memory_pressure" },
                { "sched_load_balance", "cpuset.sched_load_balance" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
                jgen_kv_u64(g, flags[i][0], v2 ? 0 : rd(h, flags[i][1]));
        _cleanup_free_ char *rdl = h && !v2 ? cg_read(h, "cpuset.sched_relax_domain_level") : NULL;
        jgen_str(g, "sched_relax_domain_level");
        char buf[24];
        int n = snprintf(buf, sizeof(buf), "%lld", rdl ? strtoll(rdl, NULL, 10) : 0LL);
        yajl_gen_number(g, buf, (size_t)n);
        yajl_gen_map_close(g);
}

static void mem_entry(yajl_gen g, const char *k, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
        jgen_str(g, k);
        yajl_gen_map_open(g);
        jgen_kv_u64(g, "limit", limit);
        num_oe(g, "usage", usage);
        num_oe(g, "max", max);
        jgen_kv_u64(g, "failcnt", failcnt);
        yajl_gen_map_close(g);
}

static void raw_map(yajl_gen g, const char *content, uint64_t *cache, const char *cache_key)
{
        if (!content)
                return;
        jgen_str(g, "raw");
        yajl_gen_map_open(g);
        _cleanup_free_ char *copy = xstrdup(content);
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(line, ' ');
                if (!sp)
                        continue;
                *sp = '\0';
                uint64_t v = strtoull(sp + 1, NULL, 10);
                jgen_kv_u64(g, line, v);
                if (strcmp(line, cache_key) == 0)
                        *cache = v;
        }
        yajl_gen_map_close(g);
}

static void memory_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *h = cg_controller(m, "memory");
        jgen_str(g, "memory");
        yajl_gen_map_open(g);
        uint64_t cache = 0;
        if (h && h->v2) {
                uint64_t usage = rd(h, "memory.current"), limit = rd(h, "memory.max");
                uint64_t swap = rd(h, "memory.swap.current"), swap_max = rd(h, "memory.swap.max");
                mem_entry(g, "usage", limit, usage, rd(h, "memory.peak"), keyed_file(h, "memory.events", "max"));
                /* runc reports v2 swap as memory+swap, like v1's memsw */
                uint64_t sl = limit == UINT64_MAX || swap_max == UINT64_MAX ? UINT64_MAX : limit + swap_max;
                mem_entry(g, "swap", sl, usage + swap, 0, 0);
                mem_entry(g, "kernel", 0, 0, 0, 0);
                mem_entry(g, "kernelTCP", 0, 0, 0, 0);
                _cleanup_free_ char *st = cg_read(h, "memory.stat");
                raw_map(g, st, &cache, "file");
        } else if (h) {
                mem_entry(g, "usage", rd(h, "memory.limit_in_bytes"), rd(h, "memory.usage_in_bytes"),
                          rd(h, "memory.max_usage_in_bytes"), rd(h, "memory.failcnt"));
                mem_entry(g, "swap", rd(h, "memory.memsw.limit_in_bytes"), rd(h, "memory.memsw.usage_in_bytes"),
                          rd(h, "memory.memsw.max_usage_in_bytes"), rd(h, "memory.memsw.failcnt"));
                mem_entry(g, "kernel", rd(h, "memory.kmem.limit_in_bytes"), rd(h, "memory.kmem.usage_in_bytes"),
                          rd(h, "memory.kmem.max_usage_in_bytes"), rd(h, "memory.kmem.failcnt"));
                mem_entry(g, "kernelTCP", rd(h, "memory.kmem.tcp.limit_in_bytes"),
                          rd(h, "memory.kmem.tcp.usage_in_bytes"), rd(h, "memory.kmem.tcp.max_usage_in_bytes"),
                          rd(h, "memory.kmem.tcp.failcnt"));
                _cleanup_free_ char *st = cg_read(h, "memory.stat");
                raw_map(g, st, &cache, "cache");
        }
        num_oe(g, "cache", cache);
        yajl_gen_map_close(g);
}

static void pids_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *h = cg_controller(m, "pids");
        jgen_str(g, "pids");
        yajl_gen_map_open(g);
        num_oe(g, "current", rd(h, "pids.current"));
        uint64_t lim = rd(h, "pids.max");
        num_oe(g, "limit", lim == UINT64_MAX ? 0 : lim);
        yajl_gen_map_close(g);
}

/* v1 blkio "MAJ:MIN Op value" lines ("Total n" skipped). */
static void blkio_v1_list(yajl_gen g, const char *k, const char *content)
{
        if (!content || !*content)
                return;
        bool open = false;
        _cleanup_free_ char *copy = xstrdup(content);
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long maj, min, v;
                char op[32];
                if (sscanf(line, "%llu:%llu %31s %llu", &maj, &min, op, &v) != 4)
                        continue;
                if (!open) {
                        jgen_str(g, k);
                        yajl_gen_array_open(g);
                        open = true;
                }
                yajl_gen_map_open(g);
                num_oe(g, "major", maj);
                num_oe(g, "minor", min);
                jgen_str(g, "op");
                yajl_gen_string(g, (const unsigned char *)op, strlen(op));
                num_oe(g, "value", v);
                yajl_gen_map_close(g);
        }
        if (open)
                yajl_gen_array_close(g);
}

static void blkio_entry(yajl_gen g, uint64_t maj, uint64_t min, const char *op, uint64_t v)
{
        yajl_gen_map_open(g);
        num_oe(g, "major", maj);
        num_oe(g, "minor", min);
        jgen_str(g, "op");
        yajl_gen_string(g, (const unsigned char *)op, strlen(op));
        num_oe(g, "value", v);
        yajl_gen_map_close(g);
}

/* v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. ..." */
static void io_v2(yajl_gen g, const char *content)
{
        if (!content || !*content)
                return;
        static const char *const sets[2][3] = { { "ioServiceBytesRecursive", "rbytes", "wbytes" },
                                                { "ioServicedRecursive", "rios", "wios" } };
        for (size_t s = 0; s < 2; s++) {
                jgen_str(g, sets[s][0]);
                yajl_gen_array_open(g);
                _cleanup_free_ char *copy = xstrdup(content);
                char *save = NULL;
                for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        unsigned long long maj, min;
                        if (sscanf(line, "%llu:%llu", &maj, &min) != 2)
                                continue;
                        for (int rw = 0; rw < 2; rw++) {
                                char pat[16];
                                snprintf(pat, sizeof(pat), " %s=", sets[s][1 + rw]);
                                const char *p = strstr(line, pat);
                                uint64_t v = p ? strtoull(p + strlen(pat), NULL, 10) : 0;
                                blkio_entry(g, maj, min, rw ? "Write" : "Read", v);
                        }
                }
                yajl_gen_array_close(g);
        }
}

static void blkio_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *h = cg_controller(m, "blkio");
        if (!h)
                h = cg_controller(m, "io");
        jgen_str(g, "blkio");
        yajl_gen_map_open(g);
        if (h && h->v2) {
                _cleanup_free_ char *s = cg_read(h, "io.stat");
                io_v2(g, s);
        } else if (h) {
                /* CFQ files first, then BFQ, then the throttle ones (runc's order). */
                static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };
                for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                        _cleanup_free_ char *f1 = xasprintf("%sio_service_bytes_recursive", prefixes[i]);
                        _cleanup_free_ char *f2 = xasprintf("%sio_serviced_recursive", prefixes[i]);
                        if (!cg_file_exists(h, f1))
                                continue;
                        _cleanup_free_ char *s1 = cg_read(h, f1), *s2 = cg_read(h, f2);
                        blkio_v1_list(g, "ioServiceBytesRecursive", s1);
                        blkio_v1_list(g, "ioServicedRecursive", s2);
                        break;
                }
        }
        yajl_gen_map_close(g);
}

static void hugetlb_stats(struct cgroup_manager *m, yajl_gen g)
{
        struct cg_hier *h = cg_controller(m, "hugetlb");
        jgen_str(g, "hugetlb");
        yajl_gen_map_open(g);
        DIR *d = h ? opendir("/sys/kernel/mm/hugepages") : NULL;
        struct dirent *de;
        while (d && (de = readdir(d))) {
                unsigned long long kb;
                if (sscanf(de->d_name, "hugepages-%llukB", &kb) != 1)
                        continue;
                char size[32];
                if (kb >= 1048576 && kb % 1048576 == 0)
                        snprintf(size, sizeof(size), "%lluGB", kb / 1048576);
                else if (kb >= 1024 && kb % 1024 == 0)
                        snprintf(size, sizeof(size), "%lluMB", kb / 1024);
                else
                        snprintf(size, sizeof(size), "%lluKB", kb);
                _cleanup_free_ char *cur = xasprintf(h->v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", size);
                if (!cg_file_exists(h, cur))
                        continue;
                jgen_str(g, size);
                yajl_gen_map_open(g);
                num_oe(g, "usage", rd(h, cur));
                if (h->v2) {
                        _cleanup_free_ char *ev = xasprintf("hugetlb.%s.events", size);
                        jgen_kv_u64(g, "failcnt", keyed_file(h, ev, "max"));
                } else {
                        _cleanup_free_ char *mx = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
                        _cleanup_free_ char *fc = xasprintf("hugetlb.%s.failcnt", size);
                        num_oe(g, "max", rd(h, mx));
                        jgen_kv_u64(g, "failcnt", rd(h, fc));
                }
                yajl_gen_map_close(g);
        }
        if (d)
                closedir(d);
        yajl_gen_map_close(g);
}

int cg_fs_stats_json(struct cgroup_manager *m, char **json, struct husk_error *err)
{
        struct cg_hier *any = NULL;
        for (size_t i = 0; i < m->n_h && !any; i++)
                if (!m->h[i].unusable && access(m->h[i].dir, F_OK) == 0)
                        any = &m->h[i];
        if (!any)
                return husk_error_not_found(err, "cgroup %s does not exist", m->path);
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        cpu_stats(m, g);
        cpuset_stats(m, g);
        memory_stats(m, g);
        pids_stats(m, g);
        blkio_stats(m, g);
        hugetlb_stats(m, g);
        jgen_str(g, "intel_rdt");
        yajl_gen_map_open(g);
        yajl_gen_map_close(g);
        jgen_str(g, "network_interfaces");
        yajl_gen_null(g);
        yajl_gen_map_close(g);
        *json = jgen_finish(g);
        return 0;
}
