/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp → a BPF filter (libseccomp builds it, the kernel loads it).
 *
 * libseccomp only generates the program: we export it into a memfd, free
 * every libseccomp resource, and then hand the program to seccomp(2)
 * ourselves. That way
 *   - nothing but the seccomp(2) call itself runs after the filter is live
 *     (no free()/munmap()/write() that a strict profile might deny before
 *     execve), and
 *   - every filter flag of the spec can be passed, including those libseccomp
 *     2.5 has no attribute for (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV).
 *
 * Semantics follow runc: a rule whose action equals the default action is
 * dropped, syscall names unknown to libseccomp are skipped (profiles list
 * syscalls of every architecture), and a rule with several conditions on the
 * same argument index becomes one rule per condition (OR) instead of one rule
 * with all of them (AND).
 */
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/process.h"
#include "util/log.h"
#include "util/util.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define SECCOMP_MAX_ARGS 6

static const struct {
        const char *name;
        unsigned long flag;
} filter_flags[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* OCI architecture names; libseccomp knows them by the lower-case tail. Some
 * are valid OCI names that this libseccomp may not know: those are skipped
 * with a warning, unknown names are an error. */
static const char *const oci_arches[] = {
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

static const char *action_name(enum husk_seccomp_action a)
{
        switch (a) {
        case HUSK_SCMP_ACT_KILL: return "SCMP_ACT_KILL";
        case HUSK_SCMP_ACT_KILL_PROCESS: return "SCMP_ACT_KILL_PROCESS";
        case HUSK_SCMP_ACT_KILL_THREAD: return "SCMP_ACT_KILL_THREAD";
        case HUSK_SCMP_ACT_TRAP: return "SCMP_ACT_TRAP";
        case HUSK_SCMP_ACT_ERRNO: return "SCMP_ACT_ERRNO";
        case HUSK_SCMP_ACT_TRACE: return "SCMP_ACT_TRACE";
        case HUSK_SCMP_ACT_ALLOW: return "SCMP_ACT_ALLOW";
        case HUSK_SCMP_ACT_LOG: return "SCMP_ACT_LOG";
        case HUSK_SCMP_ACT_NOTIFY: return "SCMP_ACT_NOTIFY";
        }
        return "?";
}

/* The libseccomp action value; errnoRet applies to ERRNO and TRACE only and
 * defaults to EPERM (as runc). */
static int action_value(enum husk_seccomp_action a, const struct husk_opt_u64 *errno_ret, uint32_t *out)
{
        uint32_t ret = errno_ret && errno_ret->set ? (uint32_t)(errno_ret->v & 0xffff) : EPERM;

        switch (a) {
        case HUSK_SCMP_ACT_KILL: *out = SCMP_ACT_KILL; return 0;
        case HUSK_SCMP_ACT_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
        case HUSK_SCMP_ACT_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
        case HUSK_SCMP_ACT_TRAP: *out = SCMP_ACT_TRAP; return 0;
        case HUSK_SCMP_ACT_ERRNO: *out = SCMP_ACT_ERRNO(ret); return 0;
        case HUSK_SCMP_ACT_TRACE: *out = SCMP_ACT_TRACE(ret); return 0;
        case HUSK_SCMP_ACT_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
        case HUSK_SCMP_ACT_LOG: *out = SCMP_ACT_LOG; return 0;
        case HUSK_SCMP_ACT_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
        }
        return -1;
}

static int op_value(enum husk_seccomp_op op, enum scmp_compare *out)
{
        switch (op) {
        case HUSK_SCMP_CMP_NE: *out = SCMP_CMP_NE; return 0;
        case HUSK_SCMP_CMP_LT: *out = SCMP_CMP_LT; return 0;
        case HUSK_SCMP_CMP_LE: *out = SCMP_CMP_LE; return 0;
        case HUSK_SCMP_CMP_EQ: *out = SCMP_CMP_EQ; return 0;
        case HUSK_SCMP_CMP_GE: *out = SCMP_CMP_GE; return 0;
        case HUSK_SCMP_CMP_GT: *out = SCMP_CMP_GT; return 0;
        case HUSK_SCMP_CMP_MASKED_EQ: *out = SCMP_CMP_MASKED_EQ; return 0;
        }
        return -1;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token; 0 when this libseccomp doesn't
 * know it. *known tells whether the OCI name itself is valid. */
static uint32_t arch_token(const char *name, bool *known)
{
        *known = false;
        for (size_t i = 0; i < ARRAY_SIZE(oci_arches); i++)
                if (strcmp(name, oci_arches[i]) == 0)
                        *known = true;
        if (!*known)
                return 0;
        char lower[32];
        const char *tail = name + strlen("SCMP_ARCH_");
        size_t n = strlen(tail);
        if (n >= sizeof(lower))
                return 0;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)tail[i]);
        return seccomp_arch_resolve_name(lower);
}

static int flag_value(const char *name, unsigned long *out)
{
        for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++) {
                if (strcmp(name, filter_flags[i].name) == 0) {
                        *out = filter_flags[i].flag;
                        return 0;
                }
        }
        return -1;
}

/* Does the running kernel accept this filter flag? With a NULL program the
 * kernel checks the flags first (EINVAL) and only then faults (EFAULT). */
static bool kernel_has_flag(unsigned long flag)
{
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
        return r < 0 && errno == EFAULT;
}

static bool uses_notify(const struct husk_seccomp *s)
{
        for (size_t i = 0; i < s->n_syscalls; i++)
                if (s->syscalls[i].action == HUSK_SCMP_ACT_NOTIFY)
                        return true;
        return false;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_rule(scmp_filter_ctx ctx, const struct husk_seccomp_rule *r, size_t idx, uint32_t action,
                    const char *name, int nr, struct husk_error *err)
{
        struct scmp_arg_cmp cmps[SECCOMP_MAX_ARGS];
        unsigned int count[SECCOMP_MAX_ARGS] = { 0 };
        bool split = false;
        int rc;

        if (r->n_args > SECCOMP_MAX_ARGS)
                return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu].args: at most %d conditions, got %zu",
                                      idx, SECCOMP_MAX_ARGS, r->n_args);
        for (size_t i = 0; i < r->n_args; i++) {
                const struct husk_seccomp_arg *a = &r->args[i];
                enum scmp_compare op;
                if (a->index >= SECCOMP_MAX_ARGS)
                        return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range 0..5",
                                              idx, i, a->index);
                if (op_value(a->op, &op) < 0)
                        return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator",
                                              idx, i);
                cmps[i] = (struct scmp_arg_cmp){
                        .arg = a->index,
                        .op = op,
                        .datum_a = a->value,
                        .datum_b = op == SCMP_CMP_MASKED_EQ ? a->value_two : 0,
                };
                if (++count[a->index] > 1)
                        split = true;
        }

        if (r->n_args == 0) {
                rc = seccomp_rule_add_array(ctx, action, nr, 0, NULL);
        } else if (!split) {
                rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)r->n_args, cmps);
        } else {
                /* Two conditions on one argument can't both hold in a single
                 * libseccomp rule: like runc, each condition gets its own. */
                rc = 0;
                for (size_t i = 0; i < r->n_args && rc == 0; i++)
                        rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
        }
        if (rc < 0)
                return husk_error_set(err, -rc, "linux.seccomp.syscalls[%zu]: add rule %s for syscall %s", idx,
                                      action_name(r->action), name);
        return 0;
}

/* Build the libseccomp filter for s. No side effect besides memory. */
static int build_filter(const struct husk_seccomp *s, scmp_filter_ctx *out, unsigned long *kflags,
                        struct husk_error *err)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t def;
        int rc;

        *kflags = 0;
        if (action_value(s->default_action, &s->default_errno_ret, &def) < 0)
                return husk_error_set(err, 0, "linux.seccomp.defaultAction: unknown action");
        /* The notification fd travels to the listener with write(); a default
         * of NOTIFY would block that too. */
        if (s->default_action == HUSK_SCMP_ACT_NOTIFY)
                return husk_error_set(err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");

        for (char **f = s->flags; f && *f; f++) {
                unsigned long v;
                if (flag_value(*f, &v) < 0)
                        return husk_error_set(err, 0, "linux.seccomp.flags: unknown flag %s", *f);
                *kflags |= v;
        }

        ctx = seccomp_init(def);
        if (!ctx)
                return husk_error_set(err, EINVAL, "linux.seccomp: create filter with default action %s",
                                      action_name(s->default_action));
        /* The caller decides about no_new_privs. */
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (rc < 0)
                return husk_error_set(err, -rc, "linux.seccomp: clear SCMP_FLTATR_CTL_NNP");

        for (char **a = s->architectures; a && *a; a++) {
                bool known;
                uint32_t tok = arch_token(*a, &known);
                if (!known)
                        return husk_error_set(err, 0, "linux.seccomp.architectures: unknown architecture %s", *a);
                if (tok == 0) {
                        log_warn("seccomp: architecture %s is not supported by libseccomp %d.%d.%d, ignored", *a,
                                 SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
                        continue;
                }
                rc = seccomp_arch_add(ctx, tok);
                if (rc < 0 && rc != -EEXIST)
                        return husk_error_set(err, -rc, "linux.seccomp.architectures: add %s", *a);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct husk_seccomp_rule *r = &s->syscalls[i];
                uint32_t act;

                if (action_value(r->action, &r->errno_ret, &act) < 0)
                        return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu].action: unknown action", i);
                if (r->action == HUSK_SCMP_ACT_NOTIFY)
                        for (char **n = r->names; n && *n; n++)
                                if (strcmp(*n, "write") == 0)
                                        return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for the write syscall", i);
                for (char **n = r->names; n && *n; n++) {
                        if (**n == '\0')
                                return husk_error_set(err, 0, "linux.seccomp.syscalls[%zu].names: empty syscall name", i);
                        /* libseccomp refuses a rule with the default action;
                         * it would change nothing anyway. */
                        if (act == def) {
                                log_debug("seccomp: rule for %s has the default action, skipped", *n);
                                continue;
                        }
                        int nr = seccomp_syscall_resolve_name(*n);
                        if (nr == __NR_SCMP_ERROR) {
                                log_debug("seccomp: unknown syscall %s, skipped", *n);
                                continue;
                        }
                        if (add_rule(ctx, r, i, act, *n, nr, err) < 0)
                                return -1;
                }
        }

        if (uses_notify(s)) {
                *kflags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                /* TSYNC reports a failing thread as its tid, which collides
                 * with the listener fd as return value: ask for ESRCH. */
                if (*kflags & SECCOMP_FILTER_FLAG_TSYNC)
                        *kflags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }

        *out = TAKE_PTR(ctx);
        return 0;
}

int seccomp_validate(const struct husk_seccomp *s, struct husk_error *err)
{
        scmp_filter_ctx ctx = NULL;
        unsigned long kflags;

        if (!s)
                return 0;
        if (build_filter(s, &ctx, &kflags, err) < 0)
                return -1;
        seccomp_release(ctx);

        for (char **f = s->flags; f && *f; f++) {
                unsigned long v = 0;
                (void)flag_value(*f, &v);
                if (!kernel_has_flag(v))
                        return husk_error_set(err, 0, "linux.seccomp.flags: %s is not supported by the running kernel", *f);
        }
        if (uses_notify(s) && !s->listener_path)
                return husk_error_set(err, 0, "linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
        return 0;
}

/* libseccomp's BPF, read back from a memfd into prog (BPF_MAXINSNS at most). */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter *prog, size_t *n_insns, struct husk_error *err)
{
        _cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
        struct stat st;
        int rc;

        if (fd < 0)
                return husk_error_sys(err, "seccomp: memfd_create");
        rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
                return husk_error_set(err, -rc, "seccomp: export filter");
        if (fstat(fd, &st) < 0)
                return husk_error_sys(err, "seccomp: stat exported filter");
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
                return husk_error_set(err, EINVAL, "seccomp: exported filter has a bad size %lld",
                                      (long long)st.st_size);
        size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
        if (n > BPF_MAXINSNS)
                return husk_error_set(err, E2BIG, "seccomp: filter has %zu instructions, the kernel allows %d", n,
                                      BPF_MAXINSNS);
        if (pread(fd, prog, (size_t)st.st_size, 0) != st.st_size)
                return husk_error_sys(err, "seccomp: read exported filter");
        *n_insns = n;
        return 0;
}

int seccomp_load_filter(const struct husk_seccomp *s, int *notify_fd, struct husk_error *err)
{
        /* On the stack: after the filter is loaded nothing is freed. */
        struct sock_filter insns[BPF_MAXINSNS];
        scmp_filter_ctx ctx = NULL;
        unsigned long kflags;
        size_t n = 0;

        if (notify_fd)
                *notify_fd = -1;
        if (!s)
                return 0;
        if (build_filter(s, &ctx, &kflags, err) < 0)
                return husk_error_wrap(err, "seccomp");
        int rc = export_bpf(ctx, insns, &n, err);
        seccomp_release(ctx);
        if (rc < 0)
                return -1;

        struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflags, &prog);
        if (r < 0) {
                if (errno == EACCES)
                        return husk_error_sys(err, "load seccomp filter (no_new_privs is not set and the process lacks "
                                                   "CAP_SYS_ADMIN: load it before dropping capabilities)");
                return husk_error_sys(err, "load seccomp filter (flags 0x%lx)", kflags);
        }
        if (kflags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
                if (notify_fd)
                        *notify_fd = (int)r;
                else
                        close((int)r);
        }
        return 0;
}
