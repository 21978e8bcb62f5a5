/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * struct husk_spec: an OCI runtime-spec v1.3.0 config.json (Linux), parsed
 * and validated. Once spec_load() returns, the spec is immutable: every other
 * part of husk reads it and none writes it.
 *
 * Conventions:
 *   - strings are char* (NULL when absent); string arrays are NULL-terminated
 *     char ** (NULL when absent, see strv_length());
 *   - arrays of structs are pointer + n_ count;
 *   - optional numbers use husk_opt_* ({ set, v }) so 0 and "absent" differ;
 *   - names the kernel knows by number (namespaces, rlimits, seccomp actions
 *     and operators) are converted by the parser, which rejects unknown ones.
 */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"

/* GNU C predefines `linux` as 1; the spec has a field of that name. */
#undef linux

struct husk_opt_i64 { bool set; int64_t v; };
struct husk_opt_u64 { bool set; uint64_t v; };
struct husk_opt_bool { bool set; bool v; };

struct husk_kv { char *key; char *value; };   /* annotations, sysctl, unified */

struct husk_idmap { uint32_t container_id, host_id, size; };

struct husk_mount {
        char *destination;              /* required, absolute inside the container */
        char *source;
        char *type;
        char **options;
        struct husk_idmap *uid_mappings; size_t n_uid_mappings;   /* idmapped mounts */
        struct husk_idmap *gid_mappings; size_t n_gid_mappings;
};

/* ---------------- process ---------------- */

/* The largest uid/gid a process may get (runc's limit): 4294967295 is
 * (uid_t)-1, which setresuid() reads as "leave unchanged", i.e. root. */
#define HUSK_ID_MAX 2147483647u

struct husk_user {
        uint32_t uid, gid;              /* 0..HUSK_ID_MAX (validated) */
        struct husk_opt_u64 umask;
        uint32_t *additional_gids; size_t n_additional_gids;
        char *username;                 /* Windows only; ignored */
};

struct husk_caps {                      /* capability names, e.g. "CAP_KILL" */
        char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct husk_rlimit {
        char *type;                     /* "RLIMIT_NOFILE" as written */
        int resource;                   /* RLIMIT_NOFILE */
        uint64_t hard, soft;
};

struct husk_scheduler {
        char *policy;                   /* "SCHED_OTHER", ... */
        int policy_num;                 /* SCHED_OTHER, ... */
        int32_t nice;
        int32_t priority;
        char **flags;                   /* "SCHED_FLAG_RESET_ON_FORK", ... */
        uint64_t runtime, deadline, period;
};

struct husk_io_priority {
        char *class_name;               /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
        int class_num;                  /* IOPRIO_CLASS_* value (1..3) */
        int32_t priority;               /* 0..7 */
};

struct husk_process {
        bool terminal;
        bool has_console_size;
        uint32_t console_height, console_width;
        struct husk_user user;
        char **args;
        char *command_line;             /* Windows only; ignored */
        char **env;
        char *cwd;                      /* required, absolute */
        bool has_capabilities;          /* "capabilities" present */
        struct husk_caps capabilities;
        struct husk_rlimit *rlimits; size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        struct husk_opt_i64 oom_score_adj;
        char *selinux_label;
        struct husk_scheduler *scheduler;       /* NULL when absent */
        struct husk_io_priority *io_priority;   /* NULL when absent */
        char *exec_cpu_affinity_initial;        /* cpu list "0-3,7" */
        char *exec_cpu_affinity_final;
};

/* ---------------- hooks ---------------- */

enum husk_hook_kind {
        HUSK_HOOK_PRESTART,
        HUSK_HOOK_CREATE_RUNTIME,
        HUSK_HOOK_CREATE_CONTAINER,
        HUSK_HOOK_START_CONTAINER,
        HUSK_HOOK_POSTSTART,
        HUSK_HOOK_POSTSTOP,
        HUSK_HOOK__MAX,
};

struct husk_hook {
        char *path;                     /* absolute */
        char **args;
        char **env;
        struct husk_opt_i64 timeout;    /* seconds, > 0 */
};

struct husk_hook_list { struct husk_hook *hooks; size_t n; };

/* ---------------- linux ---------------- */

struct husk_namespace {
        int type;                       /* CLONE_NEWPID, ..., CLONE_NEWTIME */
        char *type_name;                /* "pid", "network", ... as written */
        char *path;                     /* join this one; NULL: create */
};

struct husk_time_offset { bool set; int64_t secs; uint32_t nanosecs; };

struct husk_device {
        char *path;                     /* absolute inside the container */
        char type;                      /* 'c', 'b', 'u', 'p' */
        int64_t major, minor;           /* required for c/b/u */
        struct husk_opt_u64 file_mode;
        struct husk_opt_u64 uid;
        struct husk_opt_u64 gid;
};

/* linux.resources ------------------------------------------------------ */

struct husk_device_rule {               /* linux.resources.devices[] */
        bool allow;
        char type;                      /* 'a', 'c', 'b'; 'a' when absent */
        struct husk_opt_i64 major, minor;   /* absent = wildcard */
        char *access;                   /* "rwm" subset; NULL = "rwm" */
};

struct husk_memory {
        struct husk_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
        struct husk_opt_u64 swappiness;
        struct husk_opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct husk_cpu {
        struct husk_opt_u64 shares;
        struct husk_opt_i64 quota;
        struct husk_opt_u64 burst;
        struct husk_opt_u64 period;
        struct husk_opt_i64 realtime_runtime;
        struct husk_opt_u64 realtime_period;
        char *cpus;
        char *mems;
        struct husk_opt_i64 idle;
};

struct husk_weight_device {
        int64_t major, minor;
        struct husk_opt_u64 weight, leaf_weight;
};

struct husk_throttle_device { int64_t major, minor; uint64_t rate; };

struct husk_blockio {
        struct husk_opt_u64 weight, leaf_weight;
        struct husk_weight_device *weight_device; size_t n_weight_device;
        struct husk_throttle_device *throttle_read_bps; size_t n_throttle_read_bps;
        struct husk_throttle_device *throttle_write_bps; size_t n_throttle_write_bps;
        struct husk_throttle_device *throttle_read_iops; size_t n_throttle_read_iops;
        struct husk_throttle_device *throttle_write_iops; size_t n_throttle_write_iops;
};

struct husk_hugepage_limit { char *page_size; uint64_t limit; };

struct husk_net_priority { char *name; uint32_t priority; };

struct husk_rdma_limit {
        char *device;                   /* map key */
        struct husk_opt_u64 hca_handles, hca_objects;
};

struct husk_resources {
        struct husk_device_rule *devices; size_t n_devices;
        struct husk_memory *memory;     /* NULL when absent */
        struct husk_cpu *cpu;
        struct husk_opt_i64 pids_limit; /* linux.resources.pids.limit */
        bool has_pids;
        struct husk_blockio *block_io;
        struct husk_hugepage_limit *hugepage_limits; size_t n_hugepage_limits;
        bool has_network;
        struct husk_opt_u64 net_class_id;
        struct husk_net_priority *net_priorities; size_t n_net_priorities;
        struct husk_rdma_limit *rdma; size_t n_rdma;
        struct husk_kv *unified; size_t n_unified;
};

struct husk_intel_rdt {
        char *clos_id;
        char *l3_cache_schema;
        char *mem_bw_schema;
        char **schemata;
        bool enable_monitoring;
};

/* linux.seccomp -------------------------------------------------------- */

enum husk_seccomp_action {
        HUSK_SCMP_ACT_KILL,             /* SCMP_ACT_KILL (= KILL_THREAD) */
        HUSK_SCMP_ACT_KILL_PROCESS,
        HUSK_SCMP_ACT_KILL_THREAD,
        HUSK_SCMP_ACT_TRAP,
        HUSK_SCMP_ACT_ERRNO,
        HUSK_SCMP_ACT_TRACE,
        HUSK_SCMP_ACT_ALLOW,
        HUSK_SCMP_ACT_LOG,
        HUSK_SCMP_ACT_NOTIFY,
};

enum husk_seccomp_op {
        HUSK_SCMP_CMP_NE,
        HUSK_SCMP_CMP_LT,
        HUSK_SCMP_CMP_LE,
        HUSK_SCMP_CMP_EQ,
        HUSK_SCMP_CMP_GE,
        HUSK_SCMP_CMP_GT,
        HUSK_SCMP_CMP_MASKED_EQ,
};

struct husk_seccomp_arg {
        uint32_t index;
        uint64_t value, value_two;
        enum husk_seccomp_op op;
};

struct husk_seccomp_rule {
        char **names;
        enum husk_seccomp_action action;
        struct husk_opt_u64 errno_ret;
        struct husk_seccomp_arg *args; size_t n_args;
};

struct husk_seccomp {
        enum husk_seccomp_action default_action;
        struct husk_opt_u64 default_errno_ret;
        char **architectures;           /* "SCMP_ARCH_X86_64", ... */
        char **flags;                   /* "SECCOMP_FILTER_FLAG_LOG", ... */
        char *listener_path;
        char *listener_metadata;
        struct husk_seccomp_rule *syscalls; size_t n_syscalls;
};

struct husk_personality { char *domain; char **flags; };   /* "LINUX" | "LINUX32" */

struct husk_memory_policy { char *mode; char *nodes; char **flags; };

struct husk_net_device { char *host_name; char *name; };   /* map key, .name */

struct husk_linux {
        struct husk_namespace *namespaces; size_t n_namespaces;
        struct husk_idmap *uid_mappings; size_t n_uid_mappings;
        struct husk_idmap *gid_mappings; size_t n_gid_mappings;
        struct husk_time_offset time_monotonic, time_boottime;
        struct husk_device *devices; size_t n_devices;
        char *cgroups_path;
        struct husk_resources *resources;       /* NULL when absent */
        struct husk_intel_rdt *intel_rdt;       /* NULL when absent */
        struct husk_kv *sysctl; size_t n_sysctl;
        struct husk_seccomp *seccomp;           /* NULL when absent */
        char *rootfs_propagation;               /* "private", "rslave", ... */
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        struct husk_personality *personality;   /* NULL when absent */
        struct husk_memory_policy *memory_policy;
        struct husk_net_device *net_devices; size_t n_net_devices;
};

struct husk_spec {
        char *oci_version;
        char *root_path;                /* as written (may be relative) */
        bool root_readonly;
        char *hostname;
        char *domainname;
        struct husk_mount *mounts; size_t n_mounts;
        struct husk_process *process;   /* NULL when absent (create needs it) */
        struct husk_hook_list hooks[HUSK_HOOK__MAX];
        struct husk_kv *annotations; size_t n_annotations;
        struct husk_linux *linux;       /* NULL when absent */
};

/* Parse and validate <bundle>/config.json. On error, err->msg names the JSON
 * path of the offending field: "process.rlimits[2].hard: expected a
 * non-negative integer". */
int spec_load(const char *bundle, struct husk_spec **out, struct husk_error *err);
/* Same for an in-memory document; `what` names it in errors ("config.json"). */
int spec_parse(const char *json, size_t len, const char *what, struct husk_spec **out, struct husk_error *err);
/* A runtime-spec "process" object alone (husk exec --process FILE). */
int spec_parse_process(const char *json, size_t len, const char *what, struct husk_process **out,
                       struct husk_error *err);
/* linux.resources alone (husk update --resources FILE). */
int spec_parse_resources(const char *json, size_t len, const char *what, struct husk_resources **out,
                         struct husk_error *err);
void spec_free(struct husk_spec *spec);
void spec_process_free(struct husk_process *p);
/* A deep copy the caller owns and may change (free: spec_process_free);
 * NULL for NULL. The spec it comes from stays untouched. */
struct husk_process *spec_process_copy(const struct husk_process *p);
void spec_resources_free(struct husk_resources *r);

/* Checks that need the whole document (cross-field rules): mounts'
 * destinations absolute, cwd absolute, user namespace needs mappings,
 * known capability names, ... Called by spec_parse(). */
int spec_validate(const struct husk_spec *spec, struct husk_error *err);
int spec_validate_process(const struct husk_process *p, const char *path, struct husk_error *err);

/* The config.json `husk spec` writes (runc's default, or its --rootless one).
 * Returns a malloc'd, pretty-printed JSON document. */
char *spec_default_json(bool rootless);

/* Lookups used by the runtime. */
const struct husk_namespace *spec_namespace(const struct husk_spec *spec, int type);
bool spec_has_namespace(const struct husk_spec *spec, int type);   /* present (created or joined) */
const char *spec_annotation(const struct husk_spec *spec, const char *key);

#endif
