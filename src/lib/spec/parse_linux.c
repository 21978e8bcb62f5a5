/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "linux" section of config.json (and linux.resources alone, for
 * `husk update --resources`), read with the walker of walk.h. */
#include <limits.h>
#include <string.h>

#include "spec/spec-internal.h"
#include "spec/walk.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* linux.resources                                                     */

/* A one-character type string out of `allowed`. */
static int get_type_char(struct pctx *c, yajl_val obj, const char *key, bool required, const char *allowed, char *out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        size_t mark = jw_push_key(c, key);
        int r = 0;
        if (!YAJL_IS_STRING(v)) {
                r = jw_type_err(c, "a string", v);
        } else {
                const char *s = YAJL_GET_STRING(v);
                if (strlen(s) != 1 || !strchr(allowed, s[0])) {
                        char list[32] = "";
                        for (const char *a = allowed; *a; a++)
                                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%c",
                                         a == allowed ? "" : ", ", *a);
                        r = jw_perr(c, "unknown device type \"%.20s\" (expected one of %s)", s, list);
                } else {
                        *out = s[0];
                }
        }
        jw_pop(c, mark);
        return r;
}

static int parse_device_rule(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_device_rule *d = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        d->type = 'a';
        yajl_val a = jw_field(v, "allow");
        if (!a)
                return jw_missing(c, "allow");
        if (jw_get_bool(c, v, "allow", &d->allow) < 0 || get_type_char(c, v, "type", false, "acb", &d->type) < 0 ||
            jw_get_opt_i64(c, v, "major", INT64_MIN, INT64_MAX, &d->major) < 0 ||
            jw_get_opt_i64(c, v, "minor", INT64_MIN, INT64_MAX, &d->minor) < 0 ||
            jw_get_raw_str(c, v, "access", &d->access) < 0)
                return -1;
        return 0;
}

static int parse_memory(struct pctx *c, yajl_val v, struct husk_memory *m)
{
        if (jw_get_opt_i64(c, v, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0 ||
            jw_get_opt_i64(c, v, "reservation", INT64_MIN, INT64_MAX, &m->reservation) < 0 ||
            jw_get_opt_i64(c, v, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0 ||
            jw_get_opt_i64(c, v, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0 ||
            jw_get_opt_i64(c, v, "kernelTCP", INT64_MIN, INT64_MAX, &m->kernel_tcp) < 0 ||
            jw_get_opt_u64(c, v, "swappiness", UINT64_MAX, &m->swappiness) < 0 ||
            jw_get_opt_bool(c, v, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
            jw_get_opt_bool(c, v, "useHierarchy", &m->use_hierarchy) < 0 ||
            jw_get_opt_bool(c, v, "checkBeforeUpdate", &m->check_before_update) < 0)
                return -1;
        /* runc reads 2^64-1 (Go's uint64(-1)) as "leave swappiness alone". */
        if (m->swappiness.set && m->swappiness.v == UINT64_MAX)
                m->swappiness.set = false;
        return 0;
}

static int parse_cpu(struct pctx *c, yajl_val v, struct husk_cpu *cpu)
{
        if (jw_get_opt_u64(c, v, "shares", UINT64_MAX, &cpu->shares) < 0 ||
            jw_get_opt_i64(c, v, "quota", INT64_MIN, INT64_MAX, &cpu->quota) < 0 ||
            jw_get_opt_u64(c, v, "burst", UINT64_MAX, &cpu->burst) < 0 ||
            jw_get_opt_u64(c, v, "period", UINT64_MAX, &cpu->period) < 0 ||
            jw_get_opt_i64(c, v, "realtimeRuntime", INT64_MIN, INT64_MAX, &cpu->realtime_runtime) < 0 ||
            jw_get_opt_u64(c, v, "realtimePeriod", UINT64_MAX, &cpu->realtime_period) < 0 ||
            jw_get_str(c, v, "cpus", false, &cpu->cpus) < 0 || jw_get_str(c, v, "mems", false, &cpu->mems) < 0 ||
            jw_get_opt_i64(c, v, "idle", INT64_MIN, INT64_MAX, &cpu->idle) < 0)
                return -1;
        return 0;
}

static int parse_weight_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_weight_device *d = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_i64(c, v, "major", true, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            jw_get_i64(c, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            jw_get_opt_u64(c, v, "weight", UINT16_MAX, &d->weight) < 0 ||
            jw_get_opt_u64(c, v, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
                return -1;
        return 0;
}

static int parse_throttle_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_throttle_device *d = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_i64(c, v, "major", true, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            jw_get_i64(c, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            jw_get_u64(c, v, "rate", true, UINT64_MAX, &d->rate, NULL) < 0)
                return -1;
        return 0;
}

static int get_throttle(struct pctx *c, yajl_val obj, const char *key, struct husk_throttle_device **arr, size_t *n)
{
        return jw_get_array(c, obj, key, sizeof(**arr), (void **)arr, n, parse_throttle_device);
}

static int parse_blockio(struct pctx *c, yajl_val v, struct husk_blockio *b)
{
        if (jw_get_opt_u64(c, v, "weight", UINT16_MAX, &b->weight) < 0 ||
            jw_get_opt_u64(c, v, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0 ||
            jw_get_array(c, v, "weightDevice", sizeof(*b->weight_device), (void **)&b->weight_device,
                      &b->n_weight_device, parse_weight_device) < 0 ||
            get_throttle(c, v, "throttleReadBpsDevice", &b->throttle_read_bps, &b->n_throttle_read_bps) < 0 ||
            get_throttle(c, v, "throttleWriteBpsDevice", &b->throttle_write_bps, &b->n_throttle_write_bps) < 0 ||
            get_throttle(c, v, "throttleReadIOPSDevice", &b->throttle_read_iops, &b->n_throttle_read_iops) < 0 ||
            get_throttle(c, v, "throttleWriteIOPSDevice", &b->throttle_write_iops, &b->n_throttle_write_iops) < 0)
                return -1;
        return 0;
}

static int parse_hugepage(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_hugepage_limit *h = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_str(c, v, "pageSize", true, &h->page_size) < 0 ||
            jw_get_u64(c, v, "limit", true, UINT64_MAX, &h->limit, NULL) < 0)
                return -1;
        return 0;
}

static int parse_net_priority(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_net_priority *p = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_str(c, v, "name", true, &p->name) < 0 || jw_get_u32(c, v, "priority", true, &p->priority) < 0)
                return -1;
        return 0;
}

static int parse_rdma(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_rdma_limit *r = elem;
        r->device = xstrdup(key);
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_opt_u64(c, v, "hcaHandles", UINT32_MAX, &r->hca_handles) < 0 ||
            jw_get_opt_u64(c, v, "hcaObjects", UINT32_MAX, &r->hca_objects) < 0)
                return -1;
        return 0;
}

int spec_parse_resources_obj(struct pctx *c, yajl_val v, struct husk_resources *r)
{
        yajl_val o;
        size_t mark;

        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_array(c, v, "devices", sizeof(*r->devices), (void **)&r->devices, &r->n_devices,
                      parse_device_rule) < 0)
                return -1;

        if (jw_enter(c, v, "memory", &o, &mark) < 0)
                return -1;
        if (o) {
                r->memory = xzalloc(sizeof(*r->memory));
                if (parse_memory(c, o, r->memory) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "cpu", &o, &mark) < 0)
                return -1;
        if (o) {
                r->cpu = xzalloc(sizeof(*r->cpu));
                if (parse_cpu(c, o, r->cpu) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "pids", &o, &mark) < 0)
                return -1;
        if (o) {
                r->has_pids = true;
                if (jw_get_opt_i64(c, o, "limit", INT64_MIN, INT64_MAX, &r->pids_limit) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "blockIO", &o, &mark) < 0)
                return -1;
        if (o) {
                r->block_io = xzalloc(sizeof(*r->block_io));
                if (parse_blockio(c, o, r->block_io) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_array(c, v, "hugepageLimits", sizeof(*r->hugepage_limits), (void **)&r->hugepage_limits,
                      &r->n_hugepage_limits, parse_hugepage) < 0)
                return -1;

        if (jw_enter(c, v, "network", &o, &mark) < 0)
                return -1;
        if (o) {
                r->has_network = true;
                if (jw_get_opt_u64(c, o, "classID", UINT32_MAX, &r->net_class_id) < 0 ||
                    jw_get_array(c, o, "priorities", sizeof(*r->net_priorities), (void **)&r->net_priorities,
                              &r->n_net_priorities, parse_net_priority) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_map(c, v, "rdma", sizeof(*r->rdma), (void **)&r->rdma, &r->n_rdma, parse_rdma) < 0 ||
            jw_get_kv(c, v, "unified", &r->unified, &r->n_unified) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux                                                               */

static int parse_namespace(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_namespace *ns = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_enum(c, v, "type", true, spec_namespace_type, "namespace type", &ns->type_name, &ns->type) < 0 ||
            jw_get_str(c, v, "path", false, &ns->path) < 0)
                return -1;
        return 0;
}

static int parse_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_device *d = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_str(c, v, "path", true, &d->path) < 0 || get_type_char(c, v, "type", true, "cbup", &d->type) < 0)
                return -1;
        /* runc cleans the path ("/dev/x/" is "/dev/x"); a relative one is
         * left for validation to refuse. */
        if (d->path[0] == '/') {
                char *clean = path_clean(d->path);
                free(d->path);
                d->path = clean;
        }
        bool need_numbers = d->type != 'p';
        if (jw_get_i64(c, v, "major", need_numbers, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            jw_get_i64(c, v, "minor", need_numbers, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            jw_get_opt_u64(c, v, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
            jw_get_opt_u64(c, v, "uid", UINT32_MAX, &d->uid) < 0 ||
            jw_get_opt_u64(c, v, "gid", UINT32_MAX, &d->gid) < 0)
                return -1;
        return 0;
}

static int parse_time_offset(struct pctx *c, yajl_val v, struct husk_time_offset *t)
{
        t->set = true;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_i64(c, v, "secs", false, INT64_MIN, INT64_MAX, &t->secs, NULL) < 0 ||
            jw_get_u32(c, v, "nanosecs", false, &t->nanosecs) < 0)
                return -1;
        return 0;
}

static int parse_time_offsets(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        for (size_t i = 0; i < v->u.object.len; i++) {
                yajl_val e = v->u.object.values[i];
                const char *clock = v->u.object.keys[i];
                if (YAJL_IS_NULL(e) || jw_key_repeats(v, i))
                        continue;
                size_t mark = jw_push_map_key(c, clock);
                struct husk_time_offset *t = NULL;
                if (strcmp(clock, "monotonic") == 0)
                        t = &l->time_monotonic;
                else if (strcmp(clock, "boottime") == 0)
                        t = &l->time_boottime;
                else
                        return jw_perr(c, "unknown clock (expected \"monotonic\" or \"boottime\")");
                if (parse_time_offset(c, e, t) < 0)
                        return -1;
                jw_pop(c, mark);
        }
        return 0;
}

static int parse_intel_rdt(struct pctx *c, yajl_val v, struct husk_intel_rdt *r)
{
        if (jw_get_str(c, v, "closID", false, &r->clos_id) < 0 ||
            jw_get_str(c, v, "l3CacheSchema", false, &r->l3_cache_schema) < 0 ||
            jw_get_str(c, v, "memBwSchema", false, &r->mem_bw_schema) < 0 ||
            jw_get_strv(c, v, "schemata", false, &r->schemata) < 0 ||
            jw_get_bool(c, v, "enableMonitoring", &r->enable_monitoring) < 0)
                return -1;
        return 0;
}

static int parse_seccomp_arg(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_seccomp_arg *a = elem;
        int op = 0;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_u32(c, v, "index", true, &a->index) < 0 ||
            jw_get_u64(c, v, "value", true, UINT64_MAX, &a->value, NULL) < 0 ||
            jw_get_u64(c, v, "valueTwo", false, UINT64_MAX, &a->value_two, NULL) < 0 ||
            jw_get_enum(c, v, "op", true, spec_seccomp_op, "seccomp operator", NULL, &op) < 0)
                return -1;
        a->op = (enum husk_seccomp_op)op;
        return 0;
}

static int parse_seccomp_rule(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_seccomp_rule *s = elem;
        int action = 0;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_strv(c, v, "names", true, &s->names) < 0 ||
            jw_get_enum(c, v, "action", true, spec_seccomp_action, "seccomp action", NULL, &action) < 0)
                return -1;
        s->action = (enum husk_seccomp_action)action;
        if (jw_get_opt_u64(c, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
            jw_get_array(c, v, "args", sizeof(*s->args), (void **)&s->args, &s->n_args, parse_seccomp_arg) < 0)
                return -1;
        return 0;
}

static int parse_seccomp(struct pctx *c, yajl_val v, struct husk_seccomp *s, bool *has_default)
{
        int action = 0;
        *has_default = jw_field(v, "defaultAction") != NULL;
        if (jw_get_enum(c, v, "defaultAction", false, spec_seccomp_action, "seccomp action", NULL, &action) < 0)
                return -1;
        s->default_action = (enum husk_seccomp_action)action;
        if (jw_get_opt_u64(c, v, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0 ||
            jw_get_strv(c, v, "architectures", false, &s->architectures) < 0 ||
            jw_get_strv(c, v, "flags", false, &s->flags) < 0 ||
            jw_get_str(c, v, "listenerPath", false, &s->listener_path) < 0 ||
            jw_get_str(c, v, "listenerMetadata", false, &s->listener_metadata) < 0 ||
            jw_get_array(c, v, "syscalls", sizeof(*s->syscalls), (void **)&s->syscalls, &s->n_syscalls,
                      parse_seccomp_rule) < 0)
                return -1;
        return 0;
}

static int parse_net_device(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_net_device *d = elem;
        d->host_name = xstrdup(key);
        if (jw_expect_object(c, v) < 0)
                return -1;
        return jw_get_str(c, v, "name", false, &d->name);
}

/* linux.seccomp; runc: no defaultAction and no rules means no filter. */
static int parse_linux_seccomp(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        yajl_val o;
        size_t mark;
        bool has_default;

        if (jw_enter(c, v, "seccomp", &o, &mark) < 0)
                return -1;
        if (!o)
                return 0;
        l->seccomp = xzalloc(sizeof(*l->seccomp));
        if (parse_seccomp(c, o, l->seccomp, &has_default) < 0)
                return -1;
        if (!has_default) {
                if (l->seccomp->n_syscalls > 0)
                        return jw_missing(c, "defaultAction");
                spec_seccomp_free(l->seccomp);
                l->seccomp = NULL;
        }
        jw_pop(c, mark);
        return 0;
}

static int parse_personality(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        yajl_val o;
        size_t mark;

        if (jw_enter(c, v, "personality", &o, &mark) < 0)
                return -1;
        if (!o)
                return 0;
        l->personality = xzalloc(sizeof(*l->personality));
        if (jw_get_str(c, o, "domain", true, &l->personality->domain) < 0 ||
            jw_get_strv(c, o, "flags", false, &l->personality->flags) < 0)
                return -1;
        jw_pop(c, mark);
        return 0;
}

static int parse_memory_policy(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        yajl_val o;
        size_t mark;

        if (jw_enter(c, v, "memoryPolicy", &o, &mark) < 0)
                return -1;
        if (!o)
                return 0;
        l->memory_policy = xzalloc(sizeof(*l->memory_policy));
        if (jw_get_str(c, o, "mode", true, &l->memory_policy->mode) < 0 ||
            jw_get_str(c, o, "nodes", false, &l->memory_policy->nodes) < 0 ||
            jw_get_strv(c, o, "flags", false, &l->memory_policy->flags) < 0)
                return -1;
        jw_pop(c, mark);
        return 0;
}

int spec_parse_linux_obj(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        yajl_val o;
        size_t mark;

        if (jw_get_array(c, v, "namespaces", sizeof(*l->namespaces), (void **)&l->namespaces, &l->n_namespaces,
                      parse_namespace) < 0 ||
            jw_get_idmaps(c, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
            jw_get_idmaps(c, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0)
                return -1;

        if (jw_enter(c, v, "timeOffsets", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_time_offsets(c, o, l) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_array(c, v, "devices", sizeof(*l->devices), (void **)&l->devices, &l->n_devices, parse_device) < 0 ||
            jw_get_str(c, v, "cgroupsPath", false, &l->cgroups_path) < 0)
                return -1;

        if (jw_enter(c, v, "resources", &o, &mark) < 0)
                return -1;
        if (o) {
                l->resources = xzalloc(sizeof(*l->resources));
                if (spec_parse_resources_obj(c, o, l->resources) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "intelRdt", &o, &mark) < 0)
                return -1;
        if (o) {
                l->intel_rdt = xzalloc(sizeof(*l->intel_rdt));
                if (parse_intel_rdt(c, o, l->intel_rdt) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_kv(c, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
                return -1;

        if (parse_linux_seccomp(c, v, l) < 0)
                return -1;

        if (jw_get_str(c, v, "rootfsPropagation", false, &l->rootfs_propagation) < 0 ||
            jw_get_strv(c, v, "maskedPaths", false, &l->masked_paths) < 0 ||
            jw_get_strv(c, v, "readonlyPaths", false, &l->readonly_paths) < 0 ||
            jw_get_str(c, v, "mountLabel", false, &l->mount_label) < 0)
                return -1;

        if (parse_personality(c, v, l) < 0 || parse_memory_policy(c, v, l) < 0)
                return -1;

        if (jw_get_map(c, v, "netDevices", sizeof(*l->net_devices), (void **)&l->net_devices, &l->n_net_devices,
                    parse_net_device) < 0)
                return -1;
        return 0;
}

