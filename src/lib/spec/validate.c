/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rules on a parsed spec that types alone cannot express: required fields,
 * absolute paths, names the kernel or libraries must know, and fields that
 * only make sense together (a hostname needs a UTS namespace, a created
 * user namespace needs id mappings, ...). The list follows the
 * runtime-spec's MUSTs and the checks runc makes before it creates
 * anything; every message starts with the JSON path it is about.
 *
 * This file is the one owner of every rule that does not depend on the
 * host: the mechanisms in linux/ and cgroup/ apply a spec that passed it
 * and never check these again. Names come from spec/names.h's tables.
 * Nothing here touches the system: checks that need the host (is this netns
 * path the host's? is selinux on?) are the mechanisms' *_check_host(),
 * called once by container_preflight() before create's first side effect.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <string.h>

#include "husk/spec.h"
#include "spec/spec-internal.h"
#include "util/compat.h"
#include "util/cpulist.h"
#include "util/util.h"

static int verr(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
static int verr(struct husk_error *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        husk_error_vmake(err, HUSK_ERR_INVALID, 0, fmt, ap);
        va_end(ap);
        return -1;
}

static bool empty(const char *s)
{
        return !s || !*s;
}

static bool absolute(const char *s)
{
        return s && s[0] == '/';
}

static bool in_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

/* "process." for path "process", "" for NULL. */
static void prefix(char *buf, size_t size, const char *path)
{
        snprintf(buf, size, "%s%s", path && *path ? path : "", path && *path ? "." : "");
}

/* An execCPUAffinity list: well formed, not empty, within a cpu_set_t. */
static int check_affinity(const char *list, const char *pfx, const char *name, struct husk_error *err)
{
        size_t n = 0;
        unsigned long max = 0;
        if (!list)
                return 0;
        if (!cpulist_valid(list, CPULIST_STRICT, &n, &max) || n == 0)
                return verr(err, "%sexecCPUAffinity.%s: invalid CPU list \"%.100s\"", pfx, name, list);
        if (max >= CPU_SETSIZE)
                return verr(err, "%sexecCPUAffinity.%s: invalid CPU list \"%.100s\": cpu %lu is above the limit %d",
                            pfx, name, list, max, CPU_SETSIZE - 1);
        return 0;
}

/* ------------------------------------------------------------------ */
/* process                                                             */

static int check_caps(char *const *set, const char *pfx, const char *name, struct husk_error *err)
{
        for (size_t i = 0; set && set[i]; i++) {
                /* runtime-spec (since v1.1.0): a name that cannot be mapped
                 * is logged as a warning, not an error; the init drops it
                 * from the set (caps.c), as runc and crun do. An empty
                 * string is no name at all. */
                if (set[i][0] == '\0')
                        return verr(err, "%scapabilities.%s[%zu]: empty capability name", pfx, name, i);
        }
        return 0;
}

static int check_scheduler(const struct husk_scheduler *s, const char *pfx, struct husk_error *err)
{
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                if (spec_name_value(&spec_sched_flag_names, s->flags[i]) < 0)
                        return verr(err, "%sscheduler.flags[%zu]: unknown scheduler flag \"%.100s\"", pfx, i,
                                    s->flags[i]);
        if (s->nice < -20 || s->nice > 19)
                return verr(err, "%sscheduler.nice: %d out of range (-20..19) for %s", pfx, s->nice, s->policy);
        if (s->priority != 0 && s->policy_num != SCHED_FIFO && s->policy_num != SCHED_RR)
                return verr(err, "%sscheduler.priority: only valid with SCHED_FIFO or SCHED_RR", pfx);
        if (s->policy_num != SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
                return verr(err, "%sscheduler: runtime, deadline and period are only valid with SCHED_DEADLINE", pfx);
        return 0;
}

int spec_validate_process(const struct husk_process *p, const char *path, struct husk_error *err)
{
        char pfx[64];
        prefix(pfx, sizeof(pfx), path);

        if (strv_length(p->args) == 0)
                return verr(err, "%sargs: required (at least one entry)", pfx);
        if (empty(p->args[0]))
                return verr(err, "%sargs[0]: must not be empty", pfx);
        if (empty(p->cwd))
                return verr(err, "%scwd: required", pfx);
        if (!absolute(p->cwd))
                return verr(err, "%scwd: must be an absolute path, got \"%.200s\"", pfx, p->cwd);

        for (size_t i = 0; p->env && p->env[i]; i++) {
                const char *eq = strchr(p->env[i], '=');
                if (!eq)
                        return verr(err, "%senv[%zu]: invalid environment variable \"%.100s\": missing '='", pfx, i,
                                    p->env[i]);
                if (eq == p->env[i])
                        return verr(err, "%senv[%zu]: invalid environment variable: empty name", pfx, i);
        }

        if (p->user.umask.set && p->user.umask.v > 07777)
                return verr(err, "%suser.umask: %llo is not a file mode mask", pfx,
                            (unsigned long long)p->user.umask.v);
        if (p->user.uid > HUSK_ID_MAX)
                return verr(err, "%suser.uid: %u is out of range 0..%u", pfx, p->user.uid, HUSK_ID_MAX);
        if (p->user.gid > HUSK_ID_MAX)
                return verr(err, "%suser.gid: %u is out of range 0..%u", pfx, p->user.gid, HUSK_ID_MAX);
        for (size_t i = 0; i < p->user.n_additional_gids; i++)
                if (p->user.additional_gids[i] > HUSK_ID_MAX)
                        return verr(err, "%suser.additionalGids[%zu]: %u is out of range 0..%u", pfx, i,
                                    p->user.additional_gids[i], HUSK_ID_MAX);

        if (check_caps(p->capabilities.bounding, pfx, "bounding", err) < 0 ||
            check_caps(p->capabilities.effective, pfx, "effective", err) < 0 ||
            check_caps(p->capabilities.inheritable, pfx, "inheritable", err) < 0 ||
            check_caps(p->capabilities.permitted, pfx, "permitted", err) < 0 ||
            check_caps(p->capabilities.ambient, pfx, "ambient", err) < 0)
                return -1;

        for (size_t i = 0; i < p->n_rlimits; i++) {
                const struct husk_rlimit *rl = &p->rlimits[i];
                for (size_t j = 0; j < i; j++)
                        if (p->rlimits[j].resource == rl->resource)
                                return verr(err, "%srlimits[%zu].type: duplicate %s (also rlimits[%zu])", pfx, i,
                                            rl->type, j);
                if (rl->soft > rl->hard)
                        return verr(err, "%srlimits[%zu]: soft limit %llu is above hard limit %llu", pfx, i,
                                    (unsigned long long)rl->soft, (unsigned long long)rl->hard);
        }

        if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
                return verr(err, "%soomScoreAdj: value %lld out of range (-1000..1000)", pfx,
                            (long long)p->oom_score_adj.v);

        if (p->scheduler && check_scheduler(p->scheduler, pfx, err) < 0)
                return -1;

        if (p->io_priority && (p->io_priority->priority < 0 || p->io_priority->priority > 7))
                return verr(err, "%sioPriority.priority: value %d out of range (0..7)", pfx, p->io_priority->priority);

        if (check_affinity(p->exec_cpu_affinity_initial, pfx, "initial", err) < 0 ||
            check_affinity(p->exec_cpu_affinity_final, pfx, "final", err) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux.resources                                                     */

/* A name that becomes part of a cgroup file name or of a line written
 * to one: no separators, no whitespace, not "." or "..". */
static bool safe_token(const char *s)
{
        if (empty(s) || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (*s == '/' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                        return false;
        return true;
}

static bool valid_page_size(const char *s)
{
        if (!s || *s < '0' || *s > '9')
                return false;
        while (*s >= '0' && *s <= '9')
                s++;
        return strcmp(s, "KB") == 0 || strcmp(s, "MB") == 0 || strcmp(s, "GB") == 0 || strcmp(s, "TB") == 0 ||
               strcmp(s, "PB") == 0;
}

int spec_validate_resources(const struct husk_resources *r, const char *path, struct husk_error *err)
{
        char pfx[64];
        prefix(pfx, sizeof(pfx), path);

        for (size_t i = 0; i < r->n_devices; i++) {
                const char *a = r->devices[i].access;
                if (!a)
                        continue;
                if (!*a || strspn(a, "rwm") != strlen(a))
                        return verr(err, "%sdevices[%zu].access: must be a combination of r, w and m, got \"%.20s\"",
                                    pfx, i, a);
        }

        if (r->memory) {
                const struct husk_memory *m = r->memory;
                const struct {
                        const char *name;
                        const struct husk_opt_i64 *v;
                } limits[] = {
                        { "limit", &m->limit },   { "reservation", &m->reservation }, { "swap", &m->swap },
                        { "kernel", &m->kernel }, { "kernelTCP", &m->kernel_tcp },
                };
                for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
                        if (limits[i].v->set && limits[i].v->v < -1)
                                return verr(err, "%smemory.%s: %lld is neither a size in bytes nor -1 (unlimited)",
                                            pfx, limits[i].name, (long long)limits[i].v->v);
        }
        if (r->memory && r->memory->swappiness.set && r->memory->swappiness.v > 100)
                return verr(err, "%smemory.swappiness: value %llu out of range (0..100)", pfx,
                            (unsigned long long)r->memory->swappiness.v);

        if (r->cpu) {
                const struct husk_cpu *c = r->cpu;
                if (c->quota.set && c->quota.v > 0 && c->burst.set && c->burst.v > (uint64_t)c->quota.v)
                        return verr(err, "%scpu.burst: %llu is larger than cpu.quota %lld", pfx,
                                    (unsigned long long)c->burst.v, (long long)c->quota.v);
                if (!cpulist_valid(c->cpus, CPULIST_STRICT, NULL, NULL))
                        return verr(err, "%scpu.cpus: invalid CPU list \"%.100s\"", pfx, c->cpus);
                if (!cpulist_valid(c->mems, CPULIST_STRICT, NULL, NULL))
                        return verr(err, "%scpu.mems: invalid memory node list \"%.100s\"", pfx, c->mems);
        }

        if (r->block_io)
                for (size_t i = 0; i < r->block_io->n_weight_device; i++) {
                        const struct husk_weight_device *w = &r->block_io->weight_device[i];
                        if (!w->weight.set && !w->leaf_weight.set)
                                return verr(err, "%sblockIO.weightDevice[%zu]: needs weight or leafWeight", pfx, i);
                }

        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                if (!valid_page_size(r->hugepage_limits[i].page_size))
                        return verr(err, "%shugepageLimits[%zu].pageSize: expected a size like \"2MB\", got \"%.40s\"",
                                    pfx, i, r->hugepage_limits[i].page_size);

        for (size_t i = 0; i < r->n_net_priorities; i++)
                if (!safe_token(r->net_priorities[i].name))
                        return verr(err, "%snetwork.priorities[%zu].name: invalid interface name \"%.40s\"", pfx, i,
                                    r->net_priorities[i].name);

        for (size_t i = 0; i < r->n_rdma; i++) {
                const struct husk_rdma_limit *l = &r->rdma[i];
                if (!safe_token(l->device))
                        return verr(err, "%srdma[\"%.40s\"]: invalid device name", pfx, l->device);
                if (!l->hca_handles.set && !l->hca_objects.set)
                        return verr(err, "%srdma[\"%.40s\"]: needs hcaHandles or hcaObjects", pfx, l->device);
        }

        for (size_t i = 0; i < r->n_unified; i++)
                if (!safe_token(r->unified[i].key) || !strchr(r->unified[i].key, '.'))
                        return verr(err, "%sunified[\"%.100s\"]: not a cgroup file name", pfx, r->unified[i].key);
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux.seccomp                                                       */

static bool takes_errno(enum husk_seccomp_action a)
{
        return a == HUSK_SCMP_ACT_ERRNO || a == HUSK_SCMP_ACT_TRACE;
}

static int check_seccomp(const struct husk_seccomp *s, struct husk_error *err)
{
        if (s->default_action == HUSK_SCMP_ACT_NOTIFY)
                return verr(err, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        if (s->default_errno_ret.set && !takes_errno(s->default_action))
                return verr(err, "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
                                 "not %s",
                            spec_seccomp_action_name(s->default_action));
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                const char *a = s->architectures[i];
                if (spec_name_value(&spec_seccomp_arch_names, a) < 0)
                        return verr(err, "linux.seccomp.architectures[%zu]: unknown architecture \"%.60s\"", i, a);
                if (!spec_seccomp_arch_known(a)) {
                        const struct scmp_version *v = seccomp_version();
                        return verr(err,
                                    "linux.seccomp.architectures[%zu]: architecture \"%s\" is not supported by "
                                    "libseccomp %u.%u.%u",
                                    i, a, v->major, v->minor, v->micro);
                }
        }
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                if (spec_name_value(&spec_seccomp_flag_names, s->flags[i]) < 0)
                        return verr(err, "linux.seccomp.flags[%zu]: unknown seccomp flag \"%.60s\"", i, s->flags[i]);
        if (!empty(s->listener_metadata) && empty(s->listener_path))
                return verr(err, "linux.seccomp.listenerMetadata: set without listenerPath");

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct husk_seccomp_rule *r = &s->syscalls[i];
                if (strv_length(r->names) == 0)
                        return verr(err, "linux.seccomp.syscalls[%zu].names: must name at least one syscall", i);
                for (size_t j = 0; r->names[j]; j++) {
                        if (!*r->names[j])
                                return verr(err, "linux.seccomp.syscalls[%zu].names[%zu]: must not be empty", i, j);
                        if (r->action == HUSK_SCMP_ACT_NOTIFY && strcmp(r->names[j], "write") == 0)
                                return verr(err,
                                            "linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY cannot be used "
                                            "for the write syscall",
                                            i, j);
                }
                if (r->errno_ret.set && !takes_errno(r->action))
                        return verr(err,
                                    "linux.seccomp.syscalls[%zu].errnoRet: only valid with SCMP_ACT_ERRNO or "
                                    "SCMP_ACT_TRACE, not %s",
                                    i, spec_seccomp_action_name(r->action));
                if (r->n_args > 6)
                        return verr(err, "linux.seccomp.syscalls[%zu].args: at most 6 conditions, got %zu", i,
                                    r->n_args);
                for (size_t j = 0; j < r->n_args; j++)
                        if (r->args[j].index >= 6)
                                return verr(err,
                                            "linux.seccomp.syscalls[%zu].args[%zu].index: %u is not a syscall "
                                            "argument (0..5)",
                                            i, j, r->args[j].index);
        }
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (s->syscalls[i].action == HUSK_SCMP_ACT_NOTIFY && !s->listener_path)
                        return verr(err, "linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux                                                               */

static int check_idmaps(const struct husk_idmap *m, size_t n, const char *what, struct husk_error *err)
{
        for (size_t i = 0; i < n; i++) {
                if (m[i].size == 0)
                        return verr(err, "%s[%zu].size: must be greater than zero", what, i);
                if ((uint64_t)m[i].container_id + m[i].size - 1 > UINT32_MAX ||
                    (uint64_t)m[i].host_id + m[i].size - 1 > UINT32_MAX)
                        return verr(err, "%s[%zu]: range does not fit in 32 bits", what, i);
        }
        return 0;
}

/* sysctl keys may use '/' as separator (sysctl.d(5)); compare with dots. */
static void sysctl_dots(const char *key, char *buf, size_t size)
{
        snprintf(buf, size, "%s", key);
        size_t first = strcspn(buf, "./");
        if (buf[first] != '/')
                return;
        for (char *p = buf; *p; p++) {
                if (*p == '/')
                        *p = '.';
                else if (*p == '.')
                        *p = '/';
        }
}

static int check_sysctl(const struct husk_spec *spec, struct husk_error *err)
{
        static const char *const ipc_keys[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
                NULL,
        };
        const struct husk_linux *l = spec->linux;
        for (size_t i = 0; i < l->n_sysctl; i++) {
                const char *key = l->sysctl[i].key;
                char k[256];
                if (empty(key))
                        return verr(err, "linux.sysctl: empty key");
                sysctl_dots(key, k, sizeof(k));
                if (strstr(k, "..") || k[0] == '.' || strstr(key, "/../") || strncmp(key, "../", 3) == 0)
                        return verr(err, "linux.sysctl: invalid key \"%s\"", k);
                if (in_list(k, ipc_keys) || strncmp(k, "fs.mqueue.", 10) == 0) {
                        if (!spec_has_namespace(spec, CLONE_NEWIPC))
                                return verr(err, "linux.sysctl[\"%.100s\"]: needs an IPC namespace", key);
                        continue;
                }
                if (strncmp(k, "net.", 4) == 0) {
                        if (!spec_has_namespace(spec, CLONE_NEWNET))
                                return verr(err, "linux.sysctl[\"%.100s\"]: needs a network namespace", key);
                        continue;
                }
                if (spec_has_namespace(spec, CLONE_NEWUTS)) {
                        if (strcmp(k, "kernel.domainname") == 0)
                                continue;
                        if (strcmp(k, "kernel.hostname") == 0)
                                return verr(err, "linux.sysctl[\"%.100s\"]: conflicts with the \"hostname\" field",
                                            key);
                }
                return verr(err, "linux.sysctl[\"%.100s\"]: not in a namespace the container owns (it would change "
                                 "the host)",
                            key);
        }
        return 0;
}

static bool valid_ifname(const char *s)
{
        return !empty(s) && strlen(s) < IFNAMSIZ && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
               !strpbrk(s, "/: \t\n");
}

static int check_memory_policy(const struct husk_memory_policy *m, struct husk_error *err)
{
        size_t nodes = 0;
        if (empty(m->mode))
                return verr(err, "linux.memoryPolicy.mode: required");
        if (spec_name_value(&spec_mpol_mode_names, m->mode) < 0)
                return verr(err, "linux.memoryPolicy.mode: unknown mode \"%.60s\"", m->mode);
        for (size_t i = 0; m->flags && m->flags[i]; i++)
                if (spec_name_value(&spec_mpol_flag_names, m->flags[i]) < 0)
                        return verr(err, "linux.memoryPolicy.flags[%zu]: unknown flag \"%.60s\"", i, m->flags[i]);
        unsigned long max = 0;
        if (!cpulist_valid(m->nodes, CPULIST_STRICT, &nodes, &max))
                return verr(err, "linux.memoryPolicy.nodes: invalid node list \"%.100s\"", m->nodes);
        if (max >= CPU_SETSIZE)
                return verr(err,
                            "linux.memoryPolicy.nodes: invalid node list \"%.100s\": node %lu is above the limit %d",
                            m->nodes, max, CPU_SETSIZE - 1);
        if ((strcmp(m->mode, "MPOL_DEFAULT") == 0 || strcmp(m->mode, "MPOL_LOCAL") == 0) && nodes > 0)
                return verr(err, "linux.memoryPolicy.nodes: must be empty for %s", m->mode);
        if ((strcmp(m->mode, "MPOL_BIND") == 0 || strcmp(m->mode, "MPOL_INTERLEAVE") == 0 ||
             strcmp(m->mode, "MPOL_WEIGHTED_INTERLEAVE") == 0 || strcmp(m->mode, "MPOL_PREFERRED_MANY") == 0) &&
            nodes == 0)
                return verr(err, "linux.memoryPolicy.nodes: %s needs at least one node", m->mode);
        return 0;
}

static int check_intel_rdt(const struct husk_intel_rdt *r, struct husk_error *err)
{
        const char *clos = r->clos_id;
        if (clos && (strcmp(clos, ".") == 0 || strcmp(clos, "..") == 0 || (strlen(clos) > 1 && strchr(clos, '/'))))
                return verr(err, "linux.intelRdt.closID: invalid class of service \"%.60s\"", clos);
        if (r->l3_cache_schema && strchr(r->l3_cache_schema, '\n'))
                return verr(err, "linux.intelRdt.l3CacheSchema: must not contain newlines");
        if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) != 0 || strchr(r->mem_bw_schema, '\n')))
                return verr(err, "linux.intelRdt.memBwSchema: must start with \"MB:\" and be one line");
        for (size_t i = 0; r->schemata && r->schemata[i]; i++)
                if (strchr(r->schemata[i], '\n'))
                        return verr(err, "linux.intelRdt.schemata[%zu]: must not contain newlines", i);
        return 0;
}

static int check_namespaces(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;

        for (size_t i = 0; i < l->n_namespaces; i++) {
                const struct husk_namespace *ns = &l->namespaces[i];
                for (size_t j = 0; j < i; j++)
                        if (l->namespaces[j].type == ns->type)
                                return verr(err, "linux.namespaces[%zu].type: duplicate namespace type \"%s\"", i,
                                            ns->type_name);
                if (ns->path && !absolute(ns->path))
                        return verr(err, "linux.namespaces[%zu].path: must be an absolute path, got \"%.200s\"", i,
                                    ns->path);
        }

        const struct husk_namespace *userns = spec_namespace(spec, CLONE_NEWUSER);
        if (userns && empty(userns->path)) {
                if (l->n_uid_mappings == 0)
                        return verr(err, "linux.uidMappings: required when a user namespace is created");
                if (l->n_gid_mappings == 0)
                        return verr(err, "linux.gidMappings: required when a user namespace is created");
        }
        if (!userns && l->n_uid_mappings > 0)
                return verr(err, "linux.uidMappings: set, but there is no user namespace");
        if (!userns && l->n_gid_mappings > 0)
                return verr(err, "linux.gidMappings: set, but there is no user namespace");
        if (check_idmaps(l->uid_mappings, l->n_uid_mappings, "linux.uidMappings", err) < 0 ||
            check_idmaps(l->gid_mappings, l->n_gid_mappings, "linux.gidMappings", err) < 0)
                return -1;
        return 0;
}

static int check_time_offsets(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;

        const struct husk_namespace *timens = spec_namespace(spec, CLONE_NEWTIME);
        bool offsets = l->time_monotonic.set || l->time_boottime.set;
        if (offsets && !timens)
                return verr(err, "linux.timeOffsets: set, but there is no time namespace");
        if (offsets && !empty(timens->path))
                return verr(err, "linux.timeOffsets: cannot be set when joining a time namespace by path");
        if (l->time_monotonic.set && l->time_monotonic.nanosecs >= 1000000000u)
                return verr(err, "linux.timeOffsets[\"monotonic\"].nanosecs: must be less than 1000000000");
        if (l->time_boottime.set && l->time_boottime.nanosecs >= 1000000000u)
                return verr(err, "linux.timeOffsets[\"boottime\"].nanosecs: must be less than 1000000000");
        return 0;
}

static int check_paths(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;

        if ((strv_length(l->masked_paths) || strv_length(l->readonly_paths)) && !spec_has_namespace(spec, CLONE_NEWNS))
                return verr(err, "linux.%s: needs a mount namespace",
                            strv_length(l->masked_paths) ? "maskedPaths" : "readonlyPaths");
        for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
                if (!absolute(l->masked_paths[i]))
                        return verr(err, "linux.maskedPaths[%zu]: must be an absolute path, got \"%.200s\"", i,
                                    l->masked_paths[i]);
        for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
                if (!absolute(l->readonly_paths[i]))
                        return verr(err, "linux.readonlyPaths[%zu]: must be an absolute path, got \"%.200s\"", i,
                                    l->readonly_paths[i]);
        return 0;
}

static int check_net_devices(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;

        if (l->n_net_devices > 0 && !spec_has_namespace(spec, CLONE_NEWNET))
                return verr(err, "linux.netDevices: needs a network namespace");
        for (size_t i = 0; i < l->n_net_devices; i++) {
                const struct husk_net_device *d = &l->net_devices[i];
                if (!valid_ifname(d->host_name))
                        return verr(err, "linux.netDevices[\"%.40s\"]: invalid network device name", d->host_name);
                if (d->name && *d->name && !valid_ifname(d->name))
                        return verr(err, "linux.netDevices[\"%.40s\"].name: invalid network device name \"%.40s\"",
                                    d->host_name, d->name);
        }
        return 0;
}

static int check_linux(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;

        if (check_namespaces(spec, err) < 0 || check_time_offsets(spec, err) < 0)
                return -1;

        for (size_t i = 0; i < l->n_devices; i++) {
                if (!absolute(l->devices[i].path))
                        return verr(err, "linux.devices[%zu].path: must be an absolute path, got \"%.200s\"", i,
                                    l->devices[i].path);
                /* (parsing cleaned it: "/", "//", "/.." all end up here) */
                if (strcmp(l->devices[i].path, "/") == 0)
                        return verr(err, "linux.devices[%zu].path: names the root itself, not a device file", i);
        }

        if (l->resources && spec_validate_resources(l->resources, "linux.resources", err) < 0)
                return -1;
        if (l->intel_rdt && check_intel_rdt(l->intel_rdt, err) < 0)
                return -1;
        if (check_sysctl(spec, err) < 0)
                return -1;
        if (l->seccomp && check_seccomp(l->seccomp, err) < 0)
                return -1;

        if (l->rootfs_propagation && spec_name_value(&spec_propagation_names, l->rootfs_propagation) < 0)
                return verr(err, "linux.rootfsPropagation: unknown propagation \"%.60s\"", l->rootfs_propagation);

        if (check_paths(spec, err) < 0)
                return -1;

        if (l->personality && (empty(l->personality->domain) || (strcmp(l->personality->domain, "LINUX") != 0 &&
                                                                 strcmp(l->personality->domain, "LINUX32") != 0)))
                return verr(err, "linux.personality.domain: unknown domain \"%.60s\" (expected LINUX or LINUX32)",
                            l->personality->domain);

        if (l->memory_policy && check_memory_policy(l->memory_policy, err) < 0)
                return -1;

        if (check_net_devices(spec, err) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* The document.                                                       */

static bool has_option(char *const *opts, const char *a, const char *b)
{
        for (size_t i = 0; opts && opts[i]; i++)
                if (strcmp(opts[i], a) == 0 || (b && strcmp(opts[i], b) == 0))
                        return true;
        return false;
}

static int check_mounts(const struct husk_spec *spec, struct husk_error *err)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (!absolute(m->destination))
                        return verr(err, "mounts[%zu].destination: must be an absolute path, got \"%.200s\"", i,
                                    m->destination ? m->destination : "");
                if (m->n_uid_mappings && !m->n_gid_mappings)
                        return verr(err, "mounts[%zu].gidMappings: required with uidMappings", i);
                if (m->n_gid_mappings && !m->n_uid_mappings)
                        return verr(err, "mounts[%zu].uidMappings: required with gidMappings", i);
                char what[64];
                snprintf(what, sizeof(what), "mounts[%zu].uidMappings", i);
                if (check_idmaps(m->uid_mappings, m->n_uid_mappings, what, err) < 0)
                        return -1;
                snprintf(what, sizeof(what), "mounts[%zu].gidMappings", i);
                if (check_idmaps(m->gid_mappings, m->n_gid_mappings, what, err) < 0)
                        return -1;
                if (has_option(m->options, "idmap", "ridmap") && !m->n_uid_mappings &&
                    !spec_has_namespace(spec, CLONE_NEWUSER))
                        return verr(err,
                                    "mounts[%zu].options: \"idmap\" needs uidMappings/gidMappings or a user namespace",
                                    i);
        }
        return 0;
}

static const char *digits(const char *s)
{
        if (*s < '0' || *s > '9')
                return NULL;
        while (*s >= '0' && *s <= '9')
                s++;
        return s;
}

/* SemVer 2.0.0: MAJOR.MINOR.PATCH[-pre][+build]. runtime-tools checks that
 * a runtime refuses "invalid". */
static bool valid_semver(const char *v)
{
        for (int i = 0; i < 3; i++) {
                v = digits(v);
                if (!v)
                        return false;
                if (i < 2 && *v++ != '.')
                        return false;
        }
        if (*v == '-') {
                v++;
                size_t n = strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.");
                if (n == 0)
                        return false;
                v += n;
        }
        if (*v == '+') {
                v++;
                size_t n = strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.");
                if (n == 0)
                        return false;
                v += n;
        }
        return *v == '\0';
}

int spec_validate(const struct husk_spec *spec, struct husk_error *err)
{
        if (empty(spec->oci_version))
                return verr(err, "ociVersion: required");
        if (!valid_semver(spec->oci_version))
                return verr(err, "ociVersion: \"%.40s\" is not a SemVer version like \"1.3.0\"", spec->oci_version);
        if (empty(spec->root_path))
                return verr(err, "root.path: required");

        if (check_mounts(spec, err) < 0)
                return -1;

        if (spec->process && spec_validate_process(spec->process, "process", err) < 0)
                return -1;

        for (int k = 0; k < HUSK_HOOK__MAX; k++)
                for (size_t i = 0; i < spec->hooks[k].n; i++) {
                        const struct husk_hook *h = &spec->hooks[k].hooks[i];
                        if (!absolute(h->path))
                                return verr(err, "hooks.%s[%zu].path: must be an absolute path, got \"%.200s\"",
                                            spec_hook_name(k), i, h->path ? h->path : "");
                        if (h->timeout.set && h->timeout.v <= 0)
                                return verr(err, "hooks.%s[%zu].timeout: must be greater than zero",
                                            spec_hook_name(k), i);
                }

        if (!empty(spec->hostname) && !spec_has_namespace(spec, CLONE_NEWUTS))
                return verr(err, "hostname: needs a UTS namespace (linux.namespaces type \"uts\")");
        if (!empty(spec->domainname) && !spec_has_namespace(spec, CLONE_NEWUTS))
                return verr(err, "domainname: needs a UTS namespace (linux.namespaces type \"uts\")");

        if (spec->linux && check_linux(spec, err) < 0)
                return -1;
        return 0;
}
