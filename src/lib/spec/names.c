/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime-spec's name tables (see names.h): each name written once. */
#include <ctype.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "spec/names.h"
#include "util/compat.h"
#include "util/util.h"

#define HUSK_SCHED_ISO 4        /* reserved by the kernel, never implemented */
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

#define TABLE(var, ...)                                                                                            \
        static const struct spec_name var##_v[] = { __VA_ARGS__ };                                                 \
        const struct spec_names var = { var##_v, ARRAY_SIZE(var##_v) }

long spec_name_value(const struct spec_names *t, const char *name)
{
        for (size_t i = 0; name && i < t->n; i++)
                if (strcmp(t->v[i].name, name) == 0)
                        return t->v[i].value;
        return -1;
}

const char *spec_name_of(const struct spec_names *t, long value)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].value == value)
                        return t->v[i].name;
        return NULL;
}

TABLE(spec_hook_names,
      { "prestart", HUSK_HOOK_PRESTART },
      { "createRuntime", HUSK_HOOK_CREATE_RUNTIME },
      { "createContainer", HUSK_HOOK_CREATE_CONTAINER },
      { "startContainer", HUSK_HOOK_START_CONTAINER },
      { "poststart", HUSK_HOOK_POSTSTART },
      { "poststop", HUSK_HOOK_POSTSTOP });

const char *spec_hook_name(enum husk_hook_kind kind)
{
        const char *name = spec_name_of(&spec_hook_names, (long)kind);
        return name ? name : "unknown";
}

TABLE(spec_namespace_names,
      { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "mount", CLONE_NEWNS },
      { "network", CLONE_NEWNET },   { "pid", CLONE_NEWPID }, { "time", CLONE_NEWTIME },
      { "user", CLONE_NEWUSER },     { "uts", CLONE_NEWUTS });

TABLE(spec_rlimit_names,
      { "RLIMIT_CPU", RLIMIT_CPU },               { "RLIMIT_FSIZE", RLIMIT_FSIZE },
      { "RLIMIT_DATA", RLIMIT_DATA },             { "RLIMIT_STACK", RLIMIT_STACK },
      { "RLIMIT_CORE", RLIMIT_CORE },             { "RLIMIT_RSS", RLIMIT_RSS },
      { "RLIMIT_NPROC", RLIMIT_NPROC },           { "RLIMIT_NOFILE", RLIMIT_NOFILE },
      { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },       { "RLIMIT_AS", RLIMIT_AS },
      { "RLIMIT_LOCKS", RLIMIT_LOCKS },           { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
      { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },     { "RLIMIT_NICE", RLIMIT_NICE },
      { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },         { "RLIMIT_RTTIME", RLIMIT_RTTIME });

TABLE(spec_seccomp_action_names,
      { "SCMP_ACT_ALLOW", HUSK_SCMP_ACT_ALLOW },
      { "SCMP_ACT_ERRNO", HUSK_SCMP_ACT_ERRNO },
      { "SCMP_ACT_KILL", HUSK_SCMP_ACT_KILL },
      { "SCMP_ACT_KILL_PROCESS", HUSK_SCMP_ACT_KILL_PROCESS },
      { "SCMP_ACT_KILL_THREAD", HUSK_SCMP_ACT_KILL_THREAD },
      { "SCMP_ACT_LOG", HUSK_SCMP_ACT_LOG },
      { "SCMP_ACT_NOTIFY", HUSK_SCMP_ACT_NOTIFY },
      { "SCMP_ACT_TRACE", HUSK_SCMP_ACT_TRACE },
      { "SCMP_ACT_TRAP", HUSK_SCMP_ACT_TRAP });

TABLE(spec_seccomp_op_names,
      { "SCMP_CMP_EQ", HUSK_SCMP_CMP_EQ }, { "SCMP_CMP_GE", HUSK_SCMP_CMP_GE },
      { "SCMP_CMP_GT", HUSK_SCMP_CMP_GT }, { "SCMP_CMP_LE", HUSK_SCMP_CMP_LE },
      { "SCMP_CMP_LT", HUSK_SCMP_CMP_LT }, { "SCMP_CMP_MASKED_EQ", HUSK_SCMP_CMP_MASKED_EQ },
      { "SCMP_CMP_NE", HUSK_SCMP_CMP_NE });

TABLE(spec_seccomp_flag_names,
      { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
      { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
      { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
      { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV });

/* The runtime-spec v1.3.0 list (sorted); value unused: see
 * spec_seccomp_arch_token. */
TABLE(spec_seccomp_arch_names,
      { "SCMP_ARCH_AARCH64", 0 }, { "SCMP_ARCH_ARM", 0 }, { "SCMP_ARCH_LOONGARCH64", 0 },
      { "SCMP_ARCH_M68K", 0 }, { "SCMP_ARCH_MIPS", 0 }, { "SCMP_ARCH_MIPS64", 0 },
      { "SCMP_ARCH_MIPS64N32", 0 }, { "SCMP_ARCH_MIPSEL", 0 }, { "SCMP_ARCH_MIPSEL64", 0 },
      { "SCMP_ARCH_MIPSEL64N32", 0 }, { "SCMP_ARCH_PARISC", 0 }, { "SCMP_ARCH_PARISC64", 0 },
      { "SCMP_ARCH_PPC", 0 }, { "SCMP_ARCH_PPC64", 0 }, { "SCMP_ARCH_PPC64LE", 0 },
      { "SCMP_ARCH_RISCV64", 0 }, { "SCMP_ARCH_S390", 0 }, { "SCMP_ARCH_S390X", 0 },
      { "SCMP_ARCH_SH", 0 }, { "SCMP_ARCH_SHEB", 0 }, { "SCMP_ARCH_X32", 0 },
      { "SCMP_ARCH_X86", 0 }, { "SCMP_ARCH_X86_64", 0 });

uint32_t spec_seccomp_arch_token(const char *name)
{
        if (spec_name_value(&spec_seccomp_arch_names, name) < 0)
                return 0;
        /* libseccomp knows "SCMP_ARCH_X86_64" as "x86_64" */
        char lower[32];
        const char *tail = name + strlen("SCMP_ARCH_");
        size_t n = strlen(tail);
        if (n >= sizeof(lower))
                return 0;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)tail[i]);
        return seccomp_arch_resolve_name(lower);
}

bool spec_seccomp_arch_known(const char *name)
{
        return spec_seccomp_arch_token(name) != 0;
}

TABLE(spec_sched_policy_names,
      { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },    { "SCHED_RR", SCHED_RR },
      { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", HUSK_SCHED_ISO }, { "SCHED_IDLE", SCHED_IDLE },
      { "SCHED_DEADLINE", SCHED_DEADLINE });

/* <linux/sched.h>'s SCHED_FLAG_* bits */
TABLE(spec_sched_flag_names,
      { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
      { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
      { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
      { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 });

TABLE(spec_ioprio_class_names, { "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 });

/* <linux/mempolicy.h> */
TABLE(spec_mpol_mode_names,
      { "MPOL_DEFAULT", 0 }, { "MPOL_BIND", 2 }, { "MPOL_INTERLEAVE", 3 }, { "MPOL_WEIGHTED_INTERLEAVE", 6 },
      { "MPOL_PREFERRED", 1 }, { "MPOL_PREFERRED_MANY", 5 }, { "MPOL_LOCAL", 4 });

TABLE(spec_mpol_flag_names,
      { "MPOL_F_NUMA_BALANCING", 1 << 13 }, { "MPOL_F_RELATIVE_NODES", 1 << 14 }, { "MPOL_F_STATIC_NODES", 1 << 15 });

/* The typed lookups the parser converts through (-1: unknown name). */
int spec_namespace_type(const char *name)
{
        return (int)spec_name_value(&spec_namespace_names, name);
}

const char *spec_namespace_type_name(int type)
{
        return spec_name_of(&spec_namespace_names, type);
}

int spec_rlimit_resource(const char *name)
{
        return (int)spec_name_value(&spec_rlimit_names, name);
}

int spec_seccomp_action(const char *name)
{
        return (int)spec_name_value(&spec_seccomp_action_names, name);
}

const char *spec_seccomp_action_name(enum husk_seccomp_action action)
{
        return spec_name_of(&spec_seccomp_action_names, (long)action);
}

int spec_seccomp_op(const char *name)
{
        return (int)spec_name_value(&spec_seccomp_op_names, name);
}

const char *spec_seccomp_op_name(enum husk_seccomp_op op)
{
        return spec_name_of(&spec_seccomp_op_names, (long)op);
}

int spec_sched_policy(const char *name)
{
        return (int)spec_name_value(&spec_sched_policy_names, name);
}

int spec_ioprio_class(const char *name)
{
        return (int)spec_name_value(&spec_ioprio_class_names, name);
}

/* mount propagation: linux.rootfsPropagation and mounts[].options words */
TABLE(spec_propagation_names,
      { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
      { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
      { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
      { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC });
