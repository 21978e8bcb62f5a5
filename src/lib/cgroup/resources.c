/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.resources -> cgroup files, for v1 and v2 alike: each setter asks
 * cg_controller() for the hierarchy that carries its controller and picks
 * the v1 or v2 file names from it. So a hybrid host uses its v1 mounts for
 * the v1 controllers and the unified mount for the rest (hugetlb here).
 *
 * Values the host cannot apply are errors naming the field and the file,
 * except where runc deliberately tolerates them (commented at each place).
 *
 * "Not set" is what runc reads as its Go zero value, because engines send
 * it for "the user asked for nothing": dockerd puts "blockIO":{"weight":0}
 * in every spec, "pids":{"limit":-1}-style values for "no limit", and
 * swappiness 2^64-1 for "leave it". So 0 is "not set" for memory
 * limit/reservation/swap/kernel, cpu shares/quota/period/realtime*, pids
 * limit, blkio weight/leafWeight and each weightDevice's weight/leafWeight,
 * and "" for cpuset cpus/mems. A field that is not set touches no file and
 * needs no controller: only a set one fails when its controller or file is
 * missing (the *_is_set predicates below decide, for both).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "cgroup/cgroup_internal.h"
#include "util/log.h"
#include "util/util.h"

#define F_MEM "linux.resources.memory"
#define F_CPU "linux.resources.cpu"
#define F_BLK "linux.resources.blockIO"

/* ------------------------------------------------------------------ */
/* what counts as set                                                   */

static bool nz_i64(struct husk_opt_i64 o)
{
        return o.set && o.v != 0;
}

static bool nz_u64(struct husk_opt_u64 o)
{
        return o.set && o.v != 0;
}

static bool memory_is_set(const struct husk_memory *m)
{
        return m && (nz_i64(m->limit) || nz_i64(m->reservation) || nz_i64(m->swap) || nz_i64(m->kernel) ||
                     nz_i64(m->kernel_tcp) || m->swappiness.set || (m->disable_oom_killer.set &&
                     m->disable_oom_killer.v) || m->use_hierarchy.set);
}

static bool cpu_is_set(const struct husk_cpu *c)
{
        return c && (nz_u64(c->shares) || nz_i64(c->quota) || nz_u64(c->period) || c->burst.set ||
                     nz_i64(c->realtime_runtime) || nz_u64(c->realtime_period) || c->idle.set);
}

static bool cpuset_is_set(const struct husk_cpu *c)
{
        return c && ((c->cpus && *c->cpus) || (c->mems && *c->mems));
}

static bool weight_device_is_set(const struct husk_weight_device *d)
{
        return nz_u64(d->weight) || nz_u64(d->leaf_weight);
}

static bool blkio_is_set(const struct husk_blockio *b)
{
        if (!b)
                return false;
        if (nz_u64(b->weight) || nz_u64(b->leaf_weight) || b->n_throttle_read_bps || b->n_throttle_write_bps ||
            b->n_throttle_read_iops || b->n_throttle_write_iops)
                return true;
        for (size_t i = 0; i < b->n_weight_device; i++)
                if (weight_device_is_set(&b->weight_device[i]))
                        return true;
        return false;
}

static bool pids_is_set(const struct husk_resources *res)
{
        return res->has_pids && nz_i64(res->pids_limit);
}

/* ------------------------------------------------------------------ */
/* memory                                                               */

static int write_i64_or_max(struct cg_txn *tx, struct cg_hier *h, const char *file, int64_t v, const char *field,
                            struct husk_error *err)
{
        if (v < 0)
                return cg_write(tx, h, file, h->v2 ? "max" : "-1", field, err);
        return cg_writef(tx, h, file, field, err, "%" PRId64, v);
}

/* Deprecated kernel-memory knobs: kernels >= 6.1 refuse kmem limits
 * (EOPNOTSUPP) and v2 has none at all. runc warns and goes on; so do we. */
static int set_kmem(struct cg_txn *tx, struct cg_hier *h, const char *file, int64_t v, const char *field,
                    struct husk_error *err)
{
        if (h->v2) {
                log_warn("%s: not supported on cgroup v2, ignored", field);
                return 0;
        }
        if (!cg_file_exists(h, file)) {
                log_warn("%s: %s/%s does not exist (deprecated by the kernel), ignored", field, h->dir, file);
                return 0;
        }
        if (write_i64_or_max(tx, h, file, v, field, err) < 0) {
                if (err->errnum == EOPNOTSUPP || err->errnum == ENOTSUP) {
                        log_warn("%s: the kernel no longer supports it, ignored", field);
                        return 0;
                }
                return -1;
        }
        return 0;
}

static int v2_swap_value(int64_t swap, int64_t limit, int64_t *out, struct husk_error *err)
{
        /* Same reading as runc: v1's memsw is memory+swap; v2's
         * memory.swap.max is swap alone. */
        if (limit == -1 && swap == 0) {
                *out = -1;
                return 0;
        }
        if (swap == -1 || swap == 0) {
                *out = swap;
                return 0;
        }
        if (limit == 0 || limit == -1)
                return husk_error_invalid(err, F_MEM ".swap: a swap limit needs a memory limit");
        if (swap < limit)
                return husk_error_invalid(err, F_MEM ".swap: %" PRId64 " is below memory.limit %" PRId64
                                          " (swap is memory+swap)", swap, limit);
        *out = swap - limit;
        return 0;
}

static int set_memory_v2(struct cg_txn *tx, struct cg_hier *h, const struct husk_memory *mem, int64_t limit,
                         int64_t swap, struct husk_error *err)
{
        int64_t sw = 0;
        if (v2_swap_value(swap, limit, &sw, err) < 0)
                return -1;
        /* swap == limit is "no swap at all": swap.max 0, as runc. */
        if (sw != 0 || swap > 0) {
                if (!cg_file_exists(h, "memory.swap.max")) {
                        /* No swap accounting: "unlimited" and "none"
                         * are what we have (runc ignores both). */
                        if (sw != -1 && sw != 0)
                                return husk_error_unsupported(err, F_MEM ".swap: %s/memory.swap.max does not "
                                                      "exist (no swap accounting)", h->dir);
                } else if (write_i64_or_max(tx, h, "memory.swap.max", sw, F_MEM ".swap", err) < 0) {
                        return -1;
                }
        }
        if (limit != 0 && write_i64_or_max(tx, h, "memory.max", limit, F_MEM ".limit", err) < 0)
                return -1;
        if (mem->reservation.set && mem->reservation.v != 0 &&
            write_i64_or_max(tx, h, "memory.low", mem->reservation.v, F_MEM ".reservation", err) < 0)
                return -1;
        /* runc ignores these on v2 (no equivalent); warn at least. */
        if (mem->swappiness.set)
                log_warn(F_MEM ".swappiness: not supported on cgroup v2, ignored");
        if (mem->disable_oom_killer.set && mem->disable_oom_killer.v)
                log_warn(F_MEM ".disableOOMKiller: not supported on cgroup v2, ignored");
        return 0;
}

static int set_memory_v1(struct cg_txn *tx, struct cg_hier *h, const struct husk_memory *mem, int64_t limit,
                         int64_t swap, struct husk_error *err)
{
        if (limit == -1 && swap == 0)
                swap = -1;      /* runc: unlimited memory means unlimited swap too */
        bool has_memsw = cg_file_exists(h, "memory.memsw.limit_in_bytes");
        if (swap != 0 && !has_memsw && swap != -1)
                return husk_error_unsupported(err, F_MEM ".swap: %s/memory.memsw.limit_in_bytes does not "
                                      "exist (no swap accounting)", h->dir);
        if (!has_memsw)
                swap = 0;
        bool swap_first = false;
        if (limit != 0 && swap != 0) {
                /* The kernel wants memory <= memsw at every step:
                 * raise memsw first when it grows. */
                uint64_t cur = 0;
                swap_first = swap == -1 ||
                             (cg_read_u64(h, "memory.memsw.limit_in_bytes", &cur) == 0 &&
                              (uint64_t)swap > cur);
        }
        if (swap_first && write_i64_or_max(tx, h, "memory.memsw.limit_in_bytes", swap, F_MEM ".swap", err) < 0)
                return -1;
        if (limit != 0 && write_i64_or_max(tx, h, "memory.limit_in_bytes", limit, F_MEM ".limit", err) < 0)
                return -1;
        if (!swap_first && swap != 0 &&
            write_i64_or_max(tx, h, "memory.memsw.limit_in_bytes", swap, F_MEM ".swap", err) < 0)
                return -1;
        if (mem->reservation.set && mem->reservation.v != 0 &&
            write_i64_or_max(tx, h, "memory.soft_limit_in_bytes", mem->reservation.v, F_MEM ".reservation",
                             err) < 0)
                return -1;
        if (mem->swappiness.set) {
                if (cg_writef(tx, h, "memory.swappiness", F_MEM ".swappiness", err, "%" PRIu64,
                              mem->swappiness.v) < 0)
                        return -1;
        }
        if (mem->disable_oom_killer.set && mem->disable_oom_killer.v &&
            cg_write(tx, h, "memory.oom_control", "1", F_MEM ".disableOOMKiller", err) < 0)
                return -1;
        if (mem->use_hierarchy.set &&
            cg_write(tx, h, "memory.use_hierarchy", mem->use_hierarchy.v ? "1" : "0", F_MEM ".useHierarchy",
                     err) < 0)
                return -1;
        return 0;
}

static int set_memory(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_memory *mem, bool update,
                      struct husk_error *err)
{
        struct cg_hier *h = cg_controller(m, "memory");
        if (!h)
                return cg_missing(m, err, F_MEM, "memory");
        int64_t limit = mem->limit.set ? mem->limit.v : 0;
        int64_t swap = mem->swap.set ? mem->swap.v : 0;

        if (update && mem->check_before_update.set && mem->check_before_update.v && limit > 0) {
                uint64_t usage = 0;
                if (cg_read_u64(h, h->v2 ? "memory.current" : "memory.usage_in_bytes", &usage) == 0 &&
                    usage > (uint64_t)limit)
                        return husk_error_set(err, EBUSY, F_MEM ".limit: %" PRId64 " is below the current usage %"
                                              PRIu64 " (checkBeforeUpdate)", limit, usage);
        }
        if ((h->v2 ? set_memory_v2 : set_memory_v1)(tx, h, mem, limit, swap, err) < 0)
                return -1;
        if (mem->kernel.set && mem->kernel.v != 0 &&
            set_kmem(tx, h, "memory.kmem.limit_in_bytes", mem->kernel.v, F_MEM ".kernel", err) < 0)
                return -1;
        if (mem->kernel_tcp.set && mem->kernel_tcp.v != 0 &&
            set_kmem(tx, h, "memory.kmem.tcp.limit_in_bytes", mem->kernel_tcp.v, F_MEM ".kernelTCP", err) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* cpu and cpuset                                                       */

/* runc's linear mapping of v1 shares [2, 262144] onto v2 weight
 * [1, 10000]. (crun >= 1.18 uses a quadratic curve that maps the default
 * 1024 onto 100; we follow runc, what containerd and Kubernetes expect.) */
uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

/* A group's realtime share as the kernel counts it (to_ratio(): runtime
 * over period, fixed point with 20 bits, both in ns). */
static uint64_t rt_ratio(uint64_t period_us, int64_t runtime_us)
{
        if (runtime_us <= 0 || period_us == 0)
                return 0;
        return (((uint64_t)runtime_us * 1000) << 20) / (period_us * 1000);
}

static bool read_u64_at(const char *dir, const char *file, uint64_t *out)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *s = NULL;
        int64_t v;
        if (read_file_at(AT_FDCWD, p, &s, NULL, NULL) < 0)
                return false;
        s[strcspn(s, "\n")] = '\0';
        if (parse_int64(s, &v) < 0 || v < 0)
                return false;
        *out = (uint64_t)v;
        return true;
}

static bool is_default_path(const struct cg_hier *h)
{
        return strncmp(h->rel, "/husk/", 6) == 0 && !strchr(h->rel + 6, '/');
}

/* Size "/husk"'s realtime budget to what its children other than h add up
 * to, plus `own` (h's share at its new values). raise_only: never lower. */
static int rt_fit_default_parent(struct cg_hier *h, uint64_t own, bool raise_only, struct husk_error *err)
{
        _cleanup_free_ char *parent = xasprintf("%s/husk", h->mount);
        uint64_t pperiod = 0, pruntime = 0;
        if (!read_u64_at(parent, "cpu.rt_period_us", &pperiod) || pperiod == 0)
                return 0;       /* no RT group scheduling: the child write says so */
        (void)read_u64_at(parent, "cpu.rt_runtime_us", &pruntime);

        uint64_t sum = own;
        DIR *d = opendir(parent);
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *child = xasprintf("%s/%s", parent, e->d_name);
                uint64_t cp = 0, cr = 0;
                if (strcmp(child, h->dir) != 0 && read_u64_at(child, "cpu.rt_period_us", &cp) &&
                    read_u64_at(child, "cpu.rt_runtime_us", &cr))
                        sum += rt_ratio(cp, (int64_t)cr);
        }
        if (d)
                closedir(d);
        /* The smallest runtime whose ratio covers the sum, plus 1 us for
         * the kernel's rounding down. */
        uint64_t need = sum ? ((sum * pperiod * 1000) >> 20) / 1000 + 1 : 0;
        if (need > pperiod)
                need = pperiod;
        if (need == pruntime || (raise_only && need < pruntime))
                return 0;
        _cleanup_free_ char *file = xasprintf("%s/cpu.rt_runtime_us", parent);
        char v[32];
        snprintf(v, sizeof(v), "%" PRIu64, need);
        if (write_file_at(AT_FDCWD, file, v, strlen(v), err) < 0)
                return husk_error_wrap(err, "set the realtime budget of the default parent %s to %" PRIu64
                                       " us of %" PRIu64, parent, need, pperiod);
        return 0;
}

/* The default cgroup path "/husk/<id>" interposes "/husk", made with
 * cpu.rt_runtime_us 0, and the kernel wants a group's realtime share to
 * cover the sum of its children's: without this a realtimeRuntime under the
 * default path always fails with EINVAL (under runc's default, "/<id>" below
 * the root, it works). So "/husk" gets what its children add up to, and
 * gives it back as they go (cg_rt_release). Paths the user chose are left
 * as they are: their parents' budgets are the user's policy (runc doesn't
 * touch them either). */
static int rt_budget_default_parent(struct cg_hier *h, uint64_t period, int64_t runtime, struct husk_error *err)
{
        if (!is_default_path(h) || runtime <= 0)
                return 0;
        if (rt_fit_default_parent(h, rt_ratio(period, runtime), true, err) < 0)
                return husk_error_wrap(err, F_CPU ".realtimeRuntime");
        return 0;
}

void cg_rt_release(struct cg_hier *h)
{
        uint64_t rt = 0;
        if (!is_default_path(h) || !cg_hier_has(h, "cpu") || h->v2)
                return;
        /* Zero the (empty) child first: a removed cgroup stays on its
         * parent's list, budget and all, until the kernel frees it. */
        if (!read_u64_at(h->dir, "cpu.rt_runtime_us", &rt) || rt == 0)
                return;
        struct husk_error e = { 0 };
        _cleanup_free_ char *own = xasprintf("%s/cpu.rt_runtime_us", h->dir);
        if (write_file_at(AT_FDCWD, own, "0", 1, &e) < 0 || rt_fit_default_parent(h, 0, false, &e) < 0)
                log_debug("cgroup: give back the realtime budget: %s", e.msg);
}

static int set_cpu_v2(struct cg_txn *tx, struct cg_hier *h, const struct husk_cpu *cpu, struct husk_error *err)
{
        if (nz_i64(cpu->realtime_runtime) || nz_u64(cpu->realtime_period))
                return husk_error_unsupported(err, F_CPU ".realtimeRuntime/realtimePeriod: "
                                     "not supported on cgroup v2");
        if (cpu->shares.set && cpu->shares.v &&
            cg_writef(tx, h, "cpu.weight", F_CPU ".shares", err, "%" PRIu64,
                      cgroup_shares_to_weight(cpu->shares.v)) < 0)
                return -1;
        int64_t quota = cpu->quota.set ? cpu->quota.v : 0;
        uint64_t period = cpu->period.set ? cpu->period.v : 0;
        /* burst must fit under the quota: write it before cpu.max when
         * lowering, after when raising; try both, as runc does. */
        bool burst_done = false;
        if (cpu->burst.set)
                burst_done = cg_writef(tx, h, "cpu.max.burst", F_CPU ".burst", NULL, "%" PRIu64,
                                       cpu->burst.v) == 0;
        if (quota != 0 || period != 0) {
                char v[64];
                /* A period alone keeps the current quota (as runc):
                 * cpu.max takes both, "max" would drop it. */
                _cleanup_free_ char *cur = quota == 0 ? cg_read(h, "cpu.max") : NULL;
                int64_t keep = 0;
                if (cur) {
                        cur[strcspn(cur, " \n")] = '\0';
                        if (parse_int64(cur, &keep) < 0)
                                keep = 0;       /* "max" */
                }
                if (quota == 0)
                        quota = keep;
                int n = quota > 0 ? snprintf(v, sizeof(v), "%" PRId64, quota) : snprintf(v, sizeof(v), "max");
                if (period)
                        snprintf(v + n, sizeof(v) - (size_t)n, " %" PRIu64, period);
                if (cg_write(tx, h, "cpu.max", v, cpu->quota.set ? F_CPU ".quota" : F_CPU ".period", err) < 0)
                        return -1;
        }
        if (cpu->burst.set && !burst_done &&
            cg_writef(tx, h, "cpu.max.burst", F_CPU ".burst", err, "%" PRIu64, cpu->burst.v) < 0)
                return -1;
        return 0;
}

/* v1 realtime: the runtime must fit in the period, so the period first. */
static int set_cpu_v1_rt(struct cg_txn *tx, struct cg_hier *h, const struct husk_cpu *cpu, struct husk_error *err)
{
        if (nz_i64(cpu->realtime_runtime)) {
                uint64_t period = cpu->realtime_period.v;
                if (!nz_u64(cpu->realtime_period) && cg_read_u64(h, "cpu.rt_period_us", &period) < 0)
                        period = 1000000;
                if (rt_budget_default_parent(h, period, cpu->realtime_runtime.v, err) < 0)
                        return -1;
        }
        if (nz_u64(cpu->realtime_period) &&
            cg_writef(tx, h, "cpu.rt_period_us", F_CPU ".realtimePeriod", err, "%" PRIu64,
                      cpu->realtime_period.v) < 0)
                return -1;
        if (nz_i64(cpu->realtime_runtime) &&
            cg_writef(tx, h, "cpu.rt_runtime_us", F_CPU ".realtimeRuntime", err, "%" PRId64,
                      cpu->realtime_runtime.v) < 0)
                return -1;
        return 0;
}

static int set_cpu_v1(struct cg_txn *tx, struct cg_hier *h, const struct husk_cpu *cpu, struct husk_error *err)
{
        if (cpu->shares.set && cpu->shares.v) {
                if (cg_writef(tx, h, "cpu.shares", F_CPU ".shares", err, "%" PRIu64, cpu->shares.v) < 0)
                        return -1;
                /* The kernel clamps silently; say so, as runc does. */
                uint64_t got = 0;
                if (cg_read_u64(h, "cpu.shares", &got) == 0 && got != cpu->shares.v)
                        return husk_error_invalid(err, F_CPU ".shares: %" PRIu64
                                          " is out of range, the kernel set %" PRIu64, cpu->shares.v, got);
        }
        /* The period may be refused before the quota fits it (EINVAL):
         * retry it after the quota. */
        bool period_done = true;
        if (cpu->period.set && cpu->period.v)
                period_done = cg_writef(tx, h, "cpu.cfs_period_us", F_CPU ".period", NULL, "%" PRIu64,
                                        cpu->period.v) == 0;
        if (cpu->quota.set && cpu->quota.v &&
            cg_writef(tx, h, "cpu.cfs_quota_us", F_CPU ".quota", err, "%" PRId64,
                      cpu->quota.v < 0 ? -1 : cpu->quota.v) < 0)
                return -1;
        if (!period_done &&
            cg_writef(tx, h, "cpu.cfs_period_us", F_CPU ".period", err, "%" PRIu64, cpu->period.v) < 0)
                return -1;
        if (cpu->burst.set &&
            cg_writef(tx, h, "cpu.cfs_burst_us", F_CPU ".burst", err, "%" PRIu64, cpu->burst.v) < 0)
                return -1;
        return set_cpu_v1_rt(tx, h, cpu, err);
}

static int set_cpu(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_cpu *cpu, struct husk_error *err)
{
        if (cpu_is_set(cpu)) {
                struct cg_hier *h = cg_controller(m, "cpu");
                if (!h)
                        return cg_missing(m, err, F_CPU, "cpu");
                if ((h->v2 ? set_cpu_v2 : set_cpu_v1)(tx, h, cpu, err) < 0)
                        return -1;
                if (cpu->idle.set &&
                    cg_writef(tx, h, "cpu.idle", F_CPU ".idle", err, "%" PRId64, cpu->idle.v) < 0)
                        return -1;
        }
        if (cpuset_is_set(cpu)) {
                struct cg_hier *h = cg_controller(m, "cpuset");
                if (!h)
                        return cg_missing(m, err, cpu->cpus && *cpu->cpus ? F_CPU ".cpus" : F_CPU ".mems", "cpuset");
                if (cpu->cpus && *cpu->cpus && cg_write(tx, h, "cpuset.cpus", cpu->cpus, F_CPU ".cpus", err) < 0)
                        return -1;
                if (cpu->mems && *cpu->mems && cg_write(tx, h, "cpuset.mems", cpu->mems, F_CPU ".mems", err) < 0)
                        return -1;
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* pids, block I/O, hugetlb, network, rdma, unified                     */

static int set_pids(struct cg_txn *tx, struct cgroup_manager *m, int64_t limit, struct husk_error *err)
{
        /* As runc: 0 is "not set" (never gets here), < 0 is "no limit". */
        struct cg_hier *h = cg_controller(m, "pids");
        if (!h)
                return cg_missing(m, err, "linux.resources.pids.limit", "pids");
        if (limit < 0)
                return cg_write(tx, h, "pids.max", "max", "linux.resources.pids.limit", err);
        return cg_writef(tx, h, "pids.max", "linux.resources.pids.limit", err, "%" PRId64, limit);
}

/* v1 blkio weight [10, 1000] onto v2 io.weight [1, 10000], as runc. */
static uint64_t blkio_to_io_weight(uint64_t w)
{
        if (w < 10)
                w = 10;
        return 1 + (w - 10) * 9999 / 990;
}

static int set_throttles(struct cg_txn *tx, struct cg_hier *h, const struct husk_throttle_device *d, size_t n,
                         const char *v1file, const char *v2key, const char *field, struct husk_error *err)
{
        for (size_t i = 0; i < n; i++) {
                char f[128];
                snprintf(f, sizeof(f), "%s[%zu]", field, i);
                int r = h->v2 ? cg_writef(tx, h, "io.max", f, err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
                                          d[i].minor, v2key, d[i].rate)
                              : cg_writef(tx, h, v1file, f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major,
                                          d[i].minor, d[i].rate);
                if (r < 0)
                        return -1;
        }
        return 0;
}

static int set_blkio(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_blockio *b, struct husk_error *err)
{
        struct cg_hier *h = cg_controller(m, "blkio");
        if (!h)
                h = cg_controller(m, "io");
        if (!h)
                return cg_missing(m, err, F_BLK, m->layout == CGROUP_LAYOUT_V2 ? "io" : "blkio");
        if (h->v2) {
                bool bfq = cg_file_exists(h, "io.bfq.weight");
                if (nz_u64(b->weight)) {
                        /* io.bfq.weight takes blkio's range as is. */
                        int r = bfq ? cg_writef(tx, h, "io.bfq.weight", F_BLK ".weight", err, "%" PRIu64, b->weight.v)
                                    : cg_writef(tx, h, "io.weight", F_BLK ".weight", err, "%" PRIu64,
                                                blkio_to_io_weight(b->weight.v));
                        if (r < 0)
                                return -1;
                }
                /* No leaf weights on v2; runc ignores them there too. */
                if (nz_u64(b->leaf_weight))
                        log_warn(F_BLK ".leafWeight: not supported on cgroup v2, ignored");
                for (size_t i = 0; i < b->n_weight_device; i++) {
                        const struct husk_weight_device *d = &b->weight_device[i];
                        char f[128];
                        snprintf(f, sizeof(f), F_BLK ".weightDevice[%zu]", i);
                        if (nz_u64(d->leaf_weight))
                                log_warn("%s.leafWeight: not supported on cgroup v2, ignored", f);
                        if (!nz_u64(d->weight))
                                continue;
                        int r = bfq ? cg_writef(tx, h, "io.bfq.weight", f, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                                d->major, d->minor, d->weight.v)
                                    : cg_writef(tx, h, "io.weight", f, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                                                d->minor, blkio_to_io_weight(d->weight.v));
                        if (r < 0)
                                return -1;
                }
        } else {
                const char *wfile = cg_file_exists(h, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
                const char *wdfile = cg_file_exists(h, "blkio.weight_device") ? "blkio.weight_device"
                                                                                : "blkio.bfq.weight_device";
                if (nz_u64(b->weight)) {
                        if (!cg_file_exists(h, wfile))
                                return husk_error_unsupported(err, F_BLK ".weight: neither blkio.weight nor "
                                                      "blkio.bfq.weight exists in %s (no CFQ/BFQ scheduler)", h->dir);
                        if (cg_writef(tx, h, wfile, F_BLK ".weight", err, "%" PRIu64, b->weight.v) < 0)
                                return -1;
                }
                if (nz_u64(b->leaf_weight) &&
                    cg_writef(tx, h, "blkio.leaf_weight", F_BLK ".leafWeight", err, "%" PRIu64, b->leaf_weight.v) < 0)
                        return -1;
                for (size_t i = 0; i < b->n_weight_device; i++) {
                        const struct husk_weight_device *d = &b->weight_device[i];
                        char f[128];
                        snprintf(f, sizeof(f), F_BLK ".weightDevice[%zu]", i);
                        if (nz_u64(d->weight) && cg_writef(tx, h, wdfile, f, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                                       d->major, d->minor, d->weight.v) < 0)
                                return -1;
                        if (nz_u64(d->leaf_weight) &&
                            cg_writef(tx, h, "blkio.leaf_weight_device", f, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                      d->major, d->minor, d->leaf_weight.v) < 0)
                                return -1;
                }
        }
        if (set_throttles(tx, h, b->throttle_read_bps, b->n_throttle_read_bps, "blkio.throttle.read_bps_device", "rbps",
                          F_BLK ".throttleReadBpsDevice", err) < 0 ||
            set_throttles(tx, h, b->throttle_write_bps, b->n_throttle_write_bps, "blkio.throttle.write_bps_device",
                          "wbps", F_BLK ".throttleWriteBpsDevice", err) < 0 ||
            set_throttles(tx, h, b->throttle_read_iops, b->n_throttle_read_iops, "blkio.throttle.read_iops_device",
                          "riops", F_BLK ".throttleReadIOPSDevice", err) < 0 ||
            set_throttles(tx, h, b->throttle_write_iops, b->n_throttle_write_iops, "blkio.throttle.write_iops_device",
                          "wiops", F_BLK ".throttleWriteIOPSDevice", err) < 0)
                return -1;
        return 0;
}

static int set_hugetlb(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                       struct husk_error *err)
{
        struct cg_hier *h = cg_controller(m, "hugetlb");
        if (!h)
                return cg_missing(m, err, "linux.resources.hugepageLimits", "hugetlb");
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct husk_hugepage_limit *l = &res->hugepage_limits[i];
                char f[128];
                snprintf(f, sizeof(f), "linux.resources.hugepageLimits[%zu]", i);
                if (!l->page_size || strchr(l->page_size, '/'))
                        return husk_error_invalid(err, "%s.pageSize: invalid", f);
                _cleanup_free_ char *file = xasprintf(h->v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
                                                      l->page_size);
                if (!cg_file_exists(h, file))
                        return husk_error_unsupported(err, "%s: page size \"%s\" is not supported (no %s/%s)", f,
                                              l->page_size, h->dir, file);
                if (cg_writef(tx, h, file, f, err, "%" PRIu64, l->limit) < 0)
                        return -1;
                /* Reservations follow the limit where the kernel has them,
                 * so a reserved-but-unfaulted page can not dodge it. */
                _cleanup_free_ char *rsvd = xasprintf(h->v2 ? "hugetlb.%s.rsvd.max"
                                                            : "hugetlb.%s.rsvd.limit_in_bytes", l->page_size);
                if (cg_file_exists(h, rsvd) && cg_writef(tx, h, rsvd, f, err, "%" PRIu64, l->limit) < 0)
                        return -1;
        }
        return 0;
}

static int set_network(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                       struct husk_error *err)
{
        if (res->net_class_id.set) {
                struct cg_hier *h = cg_controller(m, "net_cls");
                if (!h || h->v2)
                        return cg_missing(m, err, "linux.resources.network.classID", "net_cls (v1)");
                if (cg_writef(tx, h, "net_cls.classid", "linux.resources.network.classID", err, "%" PRIu64,
                              res->net_class_id.v) < 0)
                        return -1;
        }
        if (res->n_net_priorities) {
                struct cg_hier *h = cg_controller(m, "net_prio");
                if (!h || h->v2)
                        return cg_missing(m, err, "linux.resources.network.priorities", "net_prio (v1)");
                for (size_t i = 0; i < res->n_net_priorities; i++) {
                        char f[96];
                        snprintf(f, sizeof(f), "linux.resources.network.priorities[%zu]", i);
                        if (cg_writef(tx, h, "net_prio.ifpriomap", f, err, "%s %" PRIu32, res->net_priorities[i].name,
                                      res->net_priorities[i].priority) < 0)
                                return -1;
                }
        }
        return 0;
}

static int set_rdma(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                    struct husk_error *err)
{
        struct cg_hier *h = cg_controller(m, "rdma");
        if (!h)
                return cg_missing(m, err, "linux.resources.rdma", "rdma");
        for (size_t i = 0; i < res->n_rdma; i++) {
                const struct husk_rdma_limit *r = &res->rdma[i];
                char f[256];
                snprintf(f, sizeof(f), "linux.resources.rdma[\"%s\"]", r->device);
                if (!r->hca_handles.set && !r->hca_objects.set)
                        continue;
                char v[256];
                int n = snprintf(v, sizeof(v), "%s", r->device);
                if (r->hca_handles.set)
                        n += snprintf(v + n, sizeof(v) - (size_t)n, " hca_handle=%" PRIu64, r->hca_handles.v);
                if (r->hca_objects.set)
                        snprintf(v + n, sizeof(v) - (size_t)n, " hca_object=%" PRIu64, r->hca_objects.v);
                if (cg_write(tx, h, "rdma.max", v, f, err) < 0)
                        return -1;
        }
        return 0;
}

static int set_unified(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res,
                       struct husk_error *err)
{
        struct cg_hier *u = cg_unified(m);
        if (!u)
                return husk_error_unsupported(err, "linux.resources.unified: needs cgroup v2 (this host is "
                                              "cgroup v1 without a unified hierarchy)");
        for (size_t i = 0; i < res->n_unified; i++) {
                const struct husk_kv *kv = &res->unified[i];
                char f[256];
                snprintf(f, sizeof(f), "linux.resources.unified[\"%s\"]", kv->key);
                if (!*kv->key || strchr(kv->key, '/') || kv->key[0] == '.')
                        return husk_error_invalid(err, "%s: not a cgroup file name", f);
                if (!cg_file_exists(u, kv->key)) {
                        _cleanup_free_ char *ctrl = xstrndup(kv->key, strcspn(kv->key, "."));
                        /* the errno text too, as runc and crun print it */
                        return husk_error_not_found(err, "%s: open %s/%s: no such file or directory (is the %s "
                                                    "controller enabled?)", f, u->dir, kv->key, ctrl);
                }
                if (cg_write(tx, u, kv->key, kv->value ? kv->value : "", f, err) < 0)
                        return -1;
        }
        return 0;
}

/* ------------------------------------------------------------------ */

static void need(struct cgroup_manager *m, char ***list, const char *ctrl)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (!m->h[i].v2 && cg_hier_has(&m->h[i], ctrl))
                        return;         /* a v1 mount has it */
        for (char **p = *list; p && *p; p++)
                if (strcmp(*p, ctrl) == 0)
                        return;
        *list = strv_append(*list, ctrl);
}

char **cg_needed_v2_controllers(struct cgroup_manager *m, const struct husk_resources *res)
{
        char **list = NULL;
        if (!res)
                return NULL;
        if (memory_is_set(res->memory))
                need(m, &list, "memory");
        if (cpuset_is_set(res->cpu))
                need(m, &list, "cpuset");
        if (cpu_is_set(res->cpu))
                need(m, &list, "cpu");
        if (pids_is_set(res))
                need(m, &list, "pids");
        if (blkio_is_set(res->block_io)) {
                bool v1blk = false;
                for (size_t i = 0; i < m->n_h; i++)
                        v1blk |= cg_hier_has(&m->h[i], "blkio");
                if (!v1blk)
                        need(m, &list, "io");
        }
        if (res->n_hugepage_limits)
                need(m, &list, "hugetlb");
        if (res->n_rdma)
                need(m, &list, "rdma");
        for (size_t i = 0; i < res->n_unified; i++) {
                _cleanup_free_ char *ctrl = xstrndup(res->unified[i].key, strcspn(res->unified[i].key, "."));
                if (strcmp(ctrl, "cgroup") != 0)
                        need(m, &list, ctrl);
        }
        return list;
}

int cg_apply_resources(struct cg_txn *tx, struct cgroup_manager *m, const struct husk_resources *res, bool update,
                       struct husk_error *err)
{
        /* Devices only on create: like runc, `update` leaves them alone.
         * Rootless: the kernel would refuse anyway (runc skips them).
         * Exactly resources.devices plus the defaults every container has:
         * making a node for linux.devices must not widen the access policy
         * (engines that want a device usable add its allow rule, as runc
         * expects). */
        if (!update && !m->rootless) {
                size_t n_def = 0;
                const struct husk_device_rule *def = cgroup_default_device_rules(&n_def);
                size_t n_spec = res ? res->n_devices : 0;
                size_t n = n_spec + n_def;
                _cleanup_free_ struct husk_device_rule *rules = xzalloc((n + 1) * sizeof(*rules));
                size_t k = 0;
                for (size_t i = 0; i < n_spec; i++)
                        rules[k++] = res->devices[i];
                for (size_t i = 0; i < n_def; i++)
                        rules[k++] = def[i];
                if (cg_devices_apply(m, rules, k, err) < 0)
                        return husk_error_wrap(err, "linux.resources.devices");
        }
        if (!res)
                return 0;
        if (memory_is_set(res->memory) && set_memory(tx, m, res->memory, update, err) < 0)
                return -1;
        if ((cpu_is_set(res->cpu) || cpuset_is_set(res->cpu)) && set_cpu(tx, m, res->cpu, err) < 0)
                return -1;
        if (pids_is_set(res) && set_pids(tx, m, res->pids_limit.v, err) < 0)
                return -1;
        if (blkio_is_set(res->block_io) && set_blkio(tx, m, res->block_io, err) < 0)
                return -1;
        if (res->n_hugepage_limits && set_hugetlb(tx, m, res, err) < 0)
                return -1;
        if ((res->has_network || res->net_class_id.set || res->n_net_priorities) && set_network(tx, m, res, err) < 0)
                return -1;
        if (res->n_rdma && set_rdma(tx, m, res, err) < 0)
                return -1;
        if (res->n_unified && set_unified(tx, m, res, err) < 0)
                return -1;
        return 0;
}
