/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The systemd driver (--systemd-cgroup): a transient scope started over
 * D-Bus (sd-bus) with Delegate=yes, the resources systemd knows as unit
 * properties (so a daemon-reload does not undo them), and everything else
 * through the cgroupfs code on the scope's cgroup path.
 *
 * A scope can not exist without a process, so the unit starts in
 * cgroup_add_pid(m, <init pid>, NULL), called by the parent once the init
 * exists (runc does the same); cgroup_create() only remembers the resources.
 *
 * libsystemd is not linked but loaded by open_bus() (cgroup/sdbus-dl.h),
 * and every sd-bus call goes through its table, sdbus()->...
 */
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cgroup/cgroup_internal.h"
#include "util/log.h"
#include "util/util.h"

#include "cgroup/sdbus-dl.h"

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "". */
static int expand_slice(const char *slice, char **out, struct husk_error *err)
{
        size_t len = strlen(slice);
        if (len < 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
                return husk_error_invalid(err, "invalid slice name \"%s\"", slice);
        if (strcmp(slice, "-.slice") == 0) {
                *out = xstrdup("");
                return 0;
        }
        _cleanup_free_ char *name = xstrndup(slice, len - 6);
        if (name[0] == '-' || name[strlen(name) - 1] == '-' || strstr(name, "--"))
                return husk_error_invalid(err, "invalid slice name \"%s\"", slice);
        char *path = xstrdup("");
        for (char *p = name;; p++) {
                if (*p != '-' && *p != '\0')
                        continue;
                char *n = xasprintf("%s/%.*s.slice", path, (int)(p - name), name);
                free(path);
                path = n;
                if (!*p)
                        break;
        }
        *out = path;
        return 0;
}

int cg_systemd_parse(const char *cgpath, const char *id, bool user, char **unit, char **slice, char **rel,
                     struct husk_error *err)
{
        _cleanup_free_ char *def = NULL;
        /* rootless: the user's instance, whose slices are its own */
        if (!cgpath || !*cgpath)
                cgpath = def = xasprintf("%s:husk:%s", user ? "user.slice" : "system.slice", id);
        _cleanup_free_ char *copy = xstrdup(cgpath);
        char *c1 = strchr(copy, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || strchr(c2 + 1, ':'))
                return husk_error_invalid(err, "linux.cgroupsPath: \"%s\": the systemd driver expects "
                                          "\"slice:prefix:name\"", cgpath);
        *c1 = *c2 = '\0';
        const char *sl = *copy ? copy : user ? "user.slice" : "system.slice", *prefix = c1 + 1, *name = c2 + 1;
        if (!*name)
                return husk_error_invalid(err, "linux.cgroupsPath: \"%s\": empty name", cgpath);
        size_t nl = strlen(name);
        if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0)
                return husk_error_unsupported(err, "linux.cgroupsPath: \"%s\": a slice as the container's "
                                              "unit is not supported yet", cgpath);
        _cleanup_free_ char *slice_path = NULL;
        if (expand_slice(sl, &slice_path, err) < 0)
                return husk_error_wrap(err, "linux.cgroupsPath");
        *unit = *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
        *slice = xstrdup(sl);
        *rel = xasprintf("%s/%s", slice_path, *unit);
        return 0;
}

/* The resource properties of a unit husk sets, all of D-Bus type "t": what
 * an update sends, and what it reads back first to undo them. */
struct sd_props {
        const char *name[16];
        uint64_t v[16];
        size_t n;
};

#if HAVE_SYSTEMD

struct job_wait {
        const char *job;
        char *result;
};

static int on_job_removed(sd_bus_message *msg, void *userdata, sd_bus_error *e)
{
        struct job_wait *w = userdata;
        uint32_t id;
        const char *path, *unit, *result;
        if (sdbus()->sd_bus_message_read(msg, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && strcmp(path, w->job) == 0 && !w->result)
                w->result = xstrdup(result);
        return 0;
}

static int bus_err(struct husk_error *err, int r, const sd_bus_error *e, const char *what)
{
        if (e && sdbus()->sd_bus_error_is_set(e))
                return husk_error_set(err, -r, "%s: %s", what, e->message ? e->message : e->name);
        return husk_error_set(err, -r, "%s", what);
}

/* Call a Manager method that returns a job, and wait for that job. */
static int call_job(sd_bus *bus, sd_bus_message *msg, const char *what, bool missing_ok, struct husk_error *err)
{
        struct job_wait w = { 0 };
        sd_bus_slot *slot = NULL;
        int r = sdbus()->sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                    "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return husk_error_set(err, -r, "%s: subscribe to JobRemoved", what);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        r = sdbus()->sd_bus_call(bus, msg, 30 * 1000000ULL, &e, &reply);
        if (r < 0) {
                if (missing_ok && sdbus()->sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
                        sdbus()->sd_bus_error_free(&e);
                        sdbus()->sd_bus_slot_unref(slot);
                        return 0;
                }
                bus_err(err, r, &e, what);
                sdbus()->sd_bus_error_free(&e);
                sdbus()->sd_bus_slot_unref(slot);
                return -1;
        }
        const char *job = NULL;
        r = sdbus()->sd_bus_message_read(reply, "o", &job);
        _cleanup_free_ char *jobc = xstrdup(job);
        sdbus()->sd_bus_message_unref(reply);
        if (r < 0) {
                sdbus()->sd_bus_slot_unref(slot);
                return husk_error_set(err, -r, "%s: bad reply", what);
        }
        w.job = jobc;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (!w.result) {
                r = sdbus()->sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                struct timespec t1;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (t1.tv_sec - t0.tv_sec > 30) {
                        r = -ETIMEDOUT;
                        break;
                }
                r = sdbus()->sd_bus_wait(bus, 1000000);
                if (r < 0)
                        break;
        }
        sdbus()->sd_bus_slot_unref(slot);
        if (!w.result)
                return husk_error_set(err, -r, "%s: waiting for job %s", what, jobc);
        _cleanup_free_ char *res = w.result;
        if (strcmp(res, "done") != 0)
                return husk_error_fail(err, "%s: job %s", what, res);
        return 0;
}

/* The cgroup's current CPU quota (-1: none) and period, for what an update
 * leaves out. */
static void cpu_current(struct cgroup_manager *m, int64_t *quota, uint64_t *period)
{
        struct cg_hier *h = cg_controller(m, "cpu");
        if (!h)
                return;
        _cleanup_free_ char *q = cg_read(h, h->v2 ? "cpu.max" : "cpu.cfs_quota_us");
        _cleanup_free_ char *p = h->v2 ? NULL : cg_read(h, "cpu.cfs_period_us");
        if (q && h->v2) {       /* "max 100000", "50000 200000" */
                char *sp = strchr(q, ' ');
                if (sp) {
                        *sp = '\0';
                        p = xstrdup(sp + 1);
                }
        }
        int64_t qv;
        uint64_t pv;
        if (*quota == 0 && q)
                *quota = strcmp(q, "max") == 0 ? -1 : parse_int64(q, &qv) == 0 ? qv : 0;
        if (*period == 0 && p && parse_uint64(p, &pv) == 0)
                *period = pv;
}

static void prop_add(struct sd_props *p, const char *name, uint64_t v)
{
        if (p->n < sizeof(p->v) / sizeof(p->v[0])) {
                p->name[p->n] = name;
                p->v[p->n++] = v;
        }
}

/* CPU quota and period as systemd takes them. Like runc's update, a quota or
 * a period alone keeps the other's current value, and systemd is told both:
 * it writes cpu.max (cfs_period_us) with its own default period (100 ms)
 * when it has none, undoing the container's. */
static void cpu_quota_props(struct sd_props *p, struct cgroup_manager *m, const struct husk_cpu *cpu, bool update)
{
        int64_t quota = cpu->quota.set ? cpu->quota.v : 0;
        uint64_t period = cpu->period.set ? cpu->period.v : 0;
        if (quota == 0 && period == 0)
                return;
        if (update && (quota == 0 || period == 0))
                cpu_current(m, &quota, &period);
        if (period)
                prop_add(p, "CPUQuotaPeriodUSec", period);
        if (quota != 0) {
                uint64_t per_sec = quota < 0 ? UINT64_MAX : (uint64_t)quota * 1000000ULL / (period ? period : 100000);
                /* systemd rounds to whole 10 ms per second; the file
                 * write that follows sets the exact value. */
                if (per_sec != UINT64_MAX && per_sec % 10000)
                        per_sec += 10000 - per_sec % 10000;
                prop_add(p, "CPUQuotaPerSecUSec", per_sec);
        }
}

/* "max" or a number as a systemd limit; false if neither. */
static bool unified_limit(const char *v, uint64_t *out)
{
        if (strcmp(v, "max") == 0) {
                *out = UINT64_MAX;
                return true;
        }
        return parse_uint64(v, out) == 0;
}

/* linux.resources.unified keys systemd has properties for, as runc tells
 * it (after the typed fields, so they win). Other keys are only written to
 * the files. */
static void unified_props(struct sd_props *p, struct cgroup_manager *m, const struct husk_resources *res, bool update)
{
        static const char *const limits[][2] = {
                { "memory.min", "MemoryMin" }, { "memory.low", "MemoryLow" },         { "memory.high", "MemoryHigh" },
                { "memory.max", "MemoryMax" }, { "memory.swap.max", "MemorySwapMax" }, { "pids.max", "TasksMax" },
        };
        for (size_t i = 0; i < res->n_unified; i++) {
                const char *k = res->unified[i].key, *v = res->unified[i].value;
                uint64_t n;
                for (size_t j = 0; j < ARRAY_SIZE(limits); j++)
                        if (strcmp(k, limits[j][0]) == 0 && unified_limit(v, &n))
                                prop_add(p, limits[j][1], n);
                if (strcmp(k, "cpu.weight") == 0 && parse_uint64(v, &n) == 0)
                        prop_add(p, "CPUWeight", n);
                if (strcmp(k, "cpu.max") == 0) {
                        _cleanup_free_ char *q = xstrdup(v);
                        char *period = strchr(q, ' ');
                        if (period)
                                *period++ = '\0';
                        int64_t quota = 0;
                        struct husk_cpu cpu = { 0 };
                        cpu.quota.set = strcmp(q, "max") == 0 || parse_int64(q, &quota) == 0;
                        cpu.quota.v = strcmp(q, "max") == 0 ? -1 : quota;
                        cpu.period.set = period && parse_uint64(period, &n) == 0;
                        cpu.period.v = cpu.period.set ? n : 0;
                        if (cpu.quota.set)
                                cpu_quota_props(p, m, &cpu, update);
                }
        }
}

/* The unit properties of res: what systemd would otherwise reset on a
 * daemon-reload. */
static void resource_props(struct sd_props *p, struct cgroup_manager *m, const struct husk_resources *res, bool update)
{
        bool v2 = m->layout == CGROUP_LAYOUT_V2;
        const struct husk_memory *mem = res->memory;
        if (mem && mem->limit.set && mem->limit.v != 0)
                prop_add(p, v2 ? "MemoryMax" : "MemoryLimit", mem->limit.v < 0 ? UINT64_MAX : (uint64_t)mem->limit.v);
        if (v2 && mem && mem->reservation.set && mem->reservation.v > 0)
                prop_add(p, "MemoryLow", (uint64_t)mem->reservation.v);
        if (v2 && mem && mem->swap.set && mem->swap.v != 0) {
                int64_t lim = mem->limit.set ? mem->limit.v : 0;
                if (mem->swap.v == -1)
                        prop_add(p, "MemorySwapMax", UINT64_MAX);
                else if (lim > 0 && mem->swap.v >= lim)
                        prop_add(p, "MemorySwapMax", (uint64_t)(mem->swap.v - lim));
        }
        if (res->has_pids && res->pids_limit.set && res->pids_limit.v != 0)
                prop_add(p, "TasksMax", res->pids_limit.v < 0 ? UINT64_MAX : (uint64_t)res->pids_limit.v);
        const struct husk_cpu *cpu = res->cpu;
        if (cpu && cpu->shares.set && cpu->shares.v)
                prop_add(p, v2 ? "CPUWeight" : "CPUShares", v2 ? cgroup_shares_to_weight(cpu->shares.v) : cpu->shares.v);
        if (cpu)
                cpu_quota_props(p, m, cpu, update);
        if (v2)
                unified_props(p, m, res, update);
}

static int append_resource_props(sd_bus_message *msg, const struct sd_props *p)
{
        int r = 0;
        for (size_t i = 0; i < p->n; i++)
                r |= sdbus()->sd_bus_message_append(msg, "(sv)", p->name[i], "t", p->v[i]);
        return r < 0 ? -1 : 0;
}

/* The properties of a new scope with the init (pid) in it. */
static int append_props(sd_bus_message *msg, struct cgroup_manager *m, const struct husk_resources *res, pid_t pid)
{
        bool v2 = m->layout == CGROUP_LAYOUT_V2;
        _cleanup_free_ char *desc = xasprintf("husk container %s", m->id ? m->id : "");
        int r = 0;
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "Description", "s", desc);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "Slice", "s", m->sd_slice);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "Delegate", "b", 1);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "DefaultDependencies", "b", 0);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "MemoryAccounting", "b", 1);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "CPUAccounting", "b", 1);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", "TasksAccounting", "b", 1);
        r |= sdbus()->sd_bus_message_append(msg, "(sv)", v2 ? "IOAccounting" : "BlockIOAccounting", "b", 1);
        if (r < 0)
                return -1;
        if (!res)
                return 0;
        struct sd_props p = { 0 };
        resource_props(&p, m, res, false);
        return append_resource_props(msg, &p);
}

/* The first sd-bus use of every entry point: libsystemd is loaded here,
 * on first use (cgroup/sdbus-dl.h), and sdbus() is valid after it. */
/* The user instance's own socket, as systemctl --user uses it: no session
 * bus (dbus-user-session) needed. 0 connected, <0 not there. */
static int connect_user_private(sd_bus **bus)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (!xdg || !*xdg)
                return -ENOENT;
        _cleanup_free_ char *path = xasprintf("%s/systemd/private", xdg);
        if (access(path, F_OK) < 0 || strpbrk(path, ",;=%"))
                return -ENOENT;
        sd_bus *b = NULL;
        int r = sdbus()->sd_bus_new(&b);
        if (r < 0)
                return r;
        _cleanup_free_ char *addr = xasprintf("unix:path=%s", path);
        r = sdbus()->sd_bus_set_address(b, addr);
        if (r >= 0)
                r = sdbus()->sd_bus_start(b);
        if (r < 0) {
                sdbus()->sd_bus_unref(b);
                return r;
        }
        *bus = b;
        return 0;
}

static int connect_bus(bool user, sd_bus **bus, struct husk_error *err)
{
        if (sdbus_load(err) < 0)
                return -1;
        if (user && connect_user_private(bus) == 0)
                return 0;
        int r = user ? sdbus()->sd_bus_open_user(bus) : sdbus()->sd_bus_open_system(bus);
        if (r < 0 && user)
                return husk_error_set(err, -r, "connect to the user's systemd instance ($XDG_RUNTIME_DIR/"
                                      "systemd/private, else the session bus; is user@UID.service running? "
                                      "loginctl enable-linger)");
        if (r < 0)
                return husk_error_set(err, -r, "connect to the systemd system bus");
        return 0;
}

/* Rootless: the scope goes to the user's own systemd instance. */
static int open_bus(struct cgroup_manager *m, sd_bus **bus, struct husk_error *err)
{
        return connect_bus(m->rootless, bus, err);
}

int cg_systemd_user_root(char **out, struct husk_error *err)
{
        sd_bus *bus = NULL;
        if (connect_bus(true, &bus, err) < 0)
                return -1;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *cg = NULL;
        int r = sdbus()->sd_bus_get_property_string(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                    "org.freedesktop.systemd1.Manager", "ControlGroup", &e, &cg);
        int ret = 0;
        if (r < 0)
                ret = bus_err(err, r, &e, "systemd user instance: get its ControlGroup");
        else if (!cg || cg[0] != '/')
                ret = husk_error_set(err, 0, "systemd user instance: ControlGroup \"%s\" is not a cgroup path",
                                     cg ? cg : "");
        sdbus()->sd_bus_error_free(&e);
        sdbus()->sd_bus_flush_close_unref(bus);
        if (ret < 0) {
                free(cg);
                return -1;
        }
        *out = cg;
        return 0;
}

int cg_systemd_start(struct cgroup_manager *m, pid_t pid, const struct husk_resources *res, struct husk_error *err)
{
        sd_bus *bus = NULL;
        if (open_bus(m, &bus, err) < 0)
                return -1;
        sd_bus_message *msg = NULL;
        int r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "ss", m->sd_unit, "replace");
        if (r >= 0)
                r = sdbus()->sd_bus_message_open_container(msg, 'a', "(sv)");
        if (r >= 0)
                r = append_props(msg, m, res, pid);
        if (r >= 0)
                r = sdbus()->sd_bus_message_close_container(msg);
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "a(sa(sv))", 0);
        int ret;
        if (r < 0)
                ret = husk_error_set(err, -r, "start unit %s: build the message", m->sd_unit);
        else
                ret = call_job(bus, msg, m->sd_unit, false, err);
        sdbus()->sd_bus_message_unref(msg);
        sdbus()->sd_bus_flush_close_unref(bus);
        if (ret < 0)
                return husk_error_wrap(err, "systemd: start transient unit");
        return 0;
}

/* The current values of p's properties of the unit, into old. */
static int unit_get(sd_bus *bus, struct cgroup_manager *m, const struct sd_props *p, struct sd_props *old,
                    struct husk_error *err)
{
        sd_bus_message *msg = NULL, *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *path = NULL;
        int r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1",
                                                        "/org/freedesktop/systemd1",
                                                        "org.freedesktop.systemd1.Manager", "GetUnit");
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "s", m->sd_unit);
        if (r >= 0)
                r = sdbus()->sd_bus_call(bus, msg, 30 * 1000000ULL, &e, &reply);
        if (r >= 0)
                r = sdbus()->sd_bus_message_read(reply, "o", &path);
        old->n = 0;
        for (size_t i = 0; r >= 0 && i < p->n; i++) {
                uint64_t v = 0;
                r = sdbus()->sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path,
                                                         "org.freedesktop.systemd1.Scope", p->name[i], &e, 't', &v);
                if (r >= 0)
                        prop_add(old, p->name[i], v);
        }
        int ret = r < 0 ? bus_err(err, r, &e, "read its properties") : 0;
        sdbus()->sd_bus_error_free(&e);
        sdbus()->sd_bus_message_unref(reply);
        sdbus()->sd_bus_message_unref(msg);
        return ret;
}

/* SetUnitProperties (runtime) with p, and the accounting switches when
 * accounting. Returns once systemd has written them to the cgroup: it does
 * that from its main loop after the reply, before it serves the Ping that
 * follows, and the file writes of the update must come after its own. */
static int unit_set(sd_bus *bus, struct cgroup_manager *m, const struct sd_props *p, bool accounting,
                    struct husk_error *err)
{
        bool v2 = m->layout == CGROUP_LAYOUT_V2;
        sd_bus_message *msg = NULL;
        int r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "SetUnitProperties");
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "sb", m->sd_unit, 1);
        if (r >= 0)
                r = sdbus()->sd_bus_message_open_container(msg, 'a', "(sv)");
        if (r >= 0 && accounting)
                r = sdbus()->sd_bus_message_append(msg, "(sv)(sv)(sv)(sv)", "MemoryAccounting", "b", 1, "CPUAccounting",
                                                   "b", 1, "TasksAccounting", "b", 1,
                                                   v2 ? "IOAccounting" : "BlockIOAccounting", "b", 1);
        if (r >= 0)
                r = append_resource_props(msg, p);
        if (r >= 0)
                r = sdbus()->sd_bus_message_close_container(msg);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int ret = 0;
        if (r < 0)
                ret = husk_error_set(err, -r, "build the message");
        else if ((r = sdbus()->sd_bus_call(bus, msg, 30 * 1000000ULL, &e, NULL)) < 0)
                ret = bus_err(err, r, &e, "SetUnitProperties");
        sdbus()->sd_bus_message_unref(msg);
        msg = NULL;
        if (ret == 0) {
                r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1",
                                                            "/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer",
                                                            "Ping");
                if (r >= 0)
                        r = sdbus()->sd_bus_call(bus, msg, 30 * 1000000ULL, &e, NULL);
                if (r < 0)
                        ret = bus_err(err, r, &e, "Ping after SetUnitProperties");
                sdbus()->sd_bus_message_unref(msg);
        }
        sdbus()->sd_bus_error_free(&e);
        return ret;
}

/* An update's unit properties, their old values first read into old (for
 * unit_restore). */
static int unit_update(struct cgroup_manager *m, const struct husk_resources *res, struct sd_props *old,
                       struct husk_error *err)
{
        sd_bus *bus = NULL;
        if (open_bus(m, &bus, err) < 0)
                return -1;
        struct sd_props p = { 0 };
        resource_props(&p, m, res, true);
        int r = unit_get(bus, m, &p, old, err);
        if (r == 0)
                r = unit_set(bus, m, &p, true, err);
        sdbus()->sd_bus_flush_close_unref(bus);
        if (r < 0)
                return husk_error_wrap(err, "systemd: update unit %s", m->sd_unit);
        return 0;
}

static int unit_restore(struct cgroup_manager *m, const struct sd_props *old, struct husk_error *err)
{
        sd_bus *bus = NULL;
        if (open_bus(m, &bus, err) < 0)
                return -1;
        int r = unit_set(bus, m, old, false, err);
        sdbus()->sd_bus_flush_close_unref(bus);
        if (r < 0)
                return husk_error_wrap(err, "systemd: put back the properties of unit %s", m->sd_unit);
        return 0;
}

int cg_systemd_stop(struct cgroup_manager *m, struct husk_error *err)
{
        sd_bus *bus = NULL;
        if (open_bus(m, &bus, err) < 0)
                return -1;
        sd_bus_message *msg = NULL;
        int r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", "StopUnit");
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "ss", m->sd_unit, "replace");
        int ret = r < 0 ? husk_error_set(err, -r, "stop unit %s", m->sd_unit)
                        : call_job(bus, msg, m->sd_unit, true, err);
        sdbus()->sd_bus_message_unref(msg);
        sdbus()->sd_bus_flush_close_unref(bus);
        if (ret < 0)
                return husk_error_wrap(err, "systemd: stop unit");
        return 0;
}

bool cg_systemd_available(void)
{
        return access("/run/systemd/system", F_OK) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a > b && strcmp(s + a - b, suffix) == 0;
}

bool cg_systemd_unit_delegated(const char *cg)
{
        const char *unit = strrchr(cg, '/');
        unit = unit ? unit + 1 : cg;
        const char *iface = ends_with(unit, ".scope")     ? "org.freedesktop.systemd1.Scope"
                            : ends_with(unit, ".service") ? "org.freedesktop.systemd1.Service"
                                                          : NULL;
        if (!iface || !cg_systemd_available())
                return false;
        struct husk_error err;
        sd_bus *bus = NULL;
        if (connect_bus(strstr(cg, "/user@") != NULL, &bus, &err) < 0)
                return false;
        sd_bus_message *msg = NULL, *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *path = NULL;
        int delegate = 0;
        int r = sdbus()->sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1",
                                                        "/org/freedesktop/systemd1",
                                                        "org.freedesktop.systemd1.Manager", "GetUnit");
        if (r >= 0)
                r = sdbus()->sd_bus_message_append(msg, "s", unit);
        if (r >= 0)
                r = sdbus()->sd_bus_call(bus, msg, 5 * 1000000ULL, &e, &reply);
        if (r >= 0)
                r = sdbus()->sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sdbus()->sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, "Delegate",
                                                         &e, 'b', &delegate);
        if (r < 0)
                log_debug("cgroup: is systemd unit %s delegated? %s", unit,
                          sdbus()->sd_bus_error_is_set(&e) && e.message ? e.message : strerror(-r));
        sdbus()->sd_bus_error_free(&e);
        sdbus()->sd_bus_message_unref(reply);
        sdbus()->sd_bus_message_unref(msg);
        sdbus()->sd_bus_flush_close_unref(bus);
        return r >= 0 && delegate;
}

#else

bool cg_systemd_unit_delegated(const char *cg)
{
        return false;
}

int cg_systemd_user_root(char **out, struct husk_error *err)
{
        return husk_error_unsupported(err, "--systemd-cgroup: husk was built without libsystemd");
}

static int unit_update(struct cgroup_manager *m, const struct husk_resources *res, struct sd_props *old,
                       struct husk_error *err)
{
        return husk_error_unsupported(err, "--systemd-cgroup: husk was built without libsystemd");
}

static int unit_restore(struct cgroup_manager *m, const struct sd_props *old, struct husk_error *err)
{
        return husk_error_unsupported(err, "--systemd-cgroup: husk was built without libsystemd");
}

int cg_systemd_start(struct cgroup_manager *m, pid_t pid, const struct husk_resources *res, struct husk_error *err)
{
        return husk_error_unsupported(err, "--systemd-cgroup: husk was built without libsystemd");
}

int cg_systemd_stop(struct cgroup_manager *m, struct husk_error *err)
{
        return husk_error_unsupported(err, "--systemd-cgroup: husk was built without libsystemd");
}

bool cg_systemd_available(void)
{
        return false;
}

#endif

/* ------------------------------------------------------------------ */
/* the driver                                                           */

/* --systemd-cgroup: the unit, its slice and the cgroup path (below the
 * user instance's own cgroup when rootless) of cgpath ("slice:prefix:name"). */
int cg_systemd_resolve(const char *cgpath, const struct cgroup_opts *opts, char **unit, char **slice, char **path,
                       struct husk_error *err)
{
        if (!opts->rootless && !cg_systemd_available())
                return husk_error_unsupported(err, "--systemd-cgroup: systemd is not running "
                                     "(no /run/systemd/system)");
        if (opts->rootless && cgroup_detect_layout() != CGROUP_LAYOUT_V2)
                return husk_error_unsupported(err, "--systemd-cgroup (rootless): needs a pure cgroup v2 "
                                     "host (the user's systemd can delegate only there)");
        if (cg_systemd_parse(cgpath, opts->id ? opts->id : "", opts->rootless, unit, slice, path,
                             err) < 0)
                return -1;
        if (opts->rootless) {
                /* the user instance's units live below its own cgroup */
                _cleanup_free_ char *base = NULL;
                if (cg_systemd_user_root(&base, err) < 0)
                        return husk_error_wrap(err, "--systemd-cgroup (rootless)");
                char *full = xasprintf("%s%s", strcmp(base, "/") == 0 ? "" : base, *path);
                free(*path);
                *path = full;
        }
        return 0;
}

/* A scope needs a process: it starts in add_pid. Its cgroup must not be
 * left frozen or busy from before (systemd would put the init into it). */
static int sd_create(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        m->sd_res = res;
        return cg_fs_check_reusable(m, err);
}

/* Start the scope with the init in it, then do what systemd does not
 * (other v1 hierarchies, the resources' files, devices). */
static int sd_start(struct cgroup_manager *m, pid_t pid, struct husk_error *err)
{
        if (cg_systemd_start(m, pid, m->sd_res, err) < 0)
                return -1;
        m->sd_started = true;
        if (cg_fs_create(m, m->sd_res, false, err) < 0) {
                struct husk_error e2;
                kill(pid, SIGKILL);
                if (cg_systemd_stop(m, &e2) < 0)
                        log_warn("%s", e2.msg);
                return -1;
        }
        return 0;
}

static int sd_add_pid(struct cgroup_manager *m, pid_t pid, const char *sub_cgroup, struct husk_error *err)
{
        if (!m->sd_started) {
                if (sub_cgroup && *sub_cgroup)
                        return husk_error_state(err, "systemd unit %s is not started yet", m->sd_unit);
                if (sd_start(m, pid, err) < 0)
                        return -1;
        }
        return cg_fs_add_pid(m, pid, sub_cgroup, err);
}

/* The files systemd writes when it applies a unit's memory, CPU, pids and
 * IO settings (all of a controller's, whichever property changed): their
 * values before it does, so that a failed update puts back the exact ones
 * (systemd rounds the CPU quota, and resets what it has no property for). */
static void record_unit_files(struct cg_txn *tx, struct cgroup_manager *m)
{
        static const char *const files[][2] = {
                { "memory", "memory.min" }, { "memory", "memory.low" }, { "memory", "memory.high" },
                { "memory", "memory.max" }, { "memory", "memory.swap.max" }, { "memory", "memory.limit_in_bytes" },
                { "pids", "pids.max" }, { "cpu", "cpu.weight" }, { "cpu", "cpu.max" }, { "cpu", "cpu.shares" },
                { "cpu", "cpu.cfs_period_us" }, { "cpu", "cpu.cfs_quota_us" }, { "io", "io.weight" },
                { "blkio", "blkio.weight" },
        };
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                struct cg_hier *h = cg_controller(m, files[i][0]);
                if (h)
                        cg_txn_record(tx, h, files[i][1]);
        }
}

/* systemd first, so a daemon-reload keeps the new values. If the file
 * writes then fail, the unit gets its old properties back (systemd writes
 * them), then the files their old values: both show the old limits. */
static int sd_update(struct cgroup_manager *m, const struct husk_resources *res, struct husk_error *err)
{
        if (!m->sd_started)
                return cg_fs_update(m, res, err);
        struct cg_txn tx = { 0 };
        struct sd_props old = { 0 };
        record_unit_files(&tx, m);
        int r = unit_update(m, res, &old, err);
        if (r == 0)
                r = cg_fs_update_in(&tx, m, res, err);
        if (r < 0) {
                struct husk_error e2;
                if (old.n > 0 && unit_restore(m, &old, &e2) < 0)
                        log_warn("%s", e2.msg);
                cg_txn_rollback(&tx);
        }
        cg_txn_free(&tx);
        return r;
}

/* Empty the cgroup, stop the unit, remove what systemd leaves. */
static int sd_destroy(struct cgroup_manager *m, struct husk_error *err)
{
        if (cg_fs_drain(m, err) < 0)
                return -1;
        if (cg_systemd_stop(m, err) < 0) {
                struct husk_error ignored;
                cg_fs_remove(m, false, &ignored);
                return -1;
        }
        return cg_fs_remove(m, true, err);
}

const struct cg_driver cg_systemd = {
        .name = "systemd",
        .parent_adds_init = true,
        .create = sd_create,
        .add_pid = sd_add_pid,
        .update = sd_update,
        .freeze = cg_fs_freeze,
        .kill = cg_fs_kill,
        .destroy = sd_destroy,
        .stats = cg_fs_stats_json,
};
