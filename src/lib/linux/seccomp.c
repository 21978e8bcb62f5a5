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
 * Building is slow (libseccomp needs ~30 ms for Docker's default profile on
 * three architectures), so seccomp_compile() runs in the parent before the
 * init is forked, and can keep the program in a cache directory keyed by
 * the whole profile: the next container with the same profile loads it in
 * microseconds. The init then only calls seccomp_load_prog().
 *
 * Semantics follow runc: a rule whose action equals the default action is
 * dropped, syscall names unknown to libseccomp are skipped (profiles list
 * syscalls of every architecture), and a rule with several conditions on the
 * same argument index becomes one rule per condition (OR) instead of one rule
 * with all of them (AND).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/seccomp_filter.h"
#include "util/compat.h"
#include "spec/spec-internal.h"
#include "util/log.h"
#include "util/util.h"

#define SECCOMP_MAX_ARGS 6

static const char *action_name(enum husk_seccomp_action a)
{
        const char *name = spec_seccomp_action_name(a);
        return name ? name : "?";
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

static int flag_value(const char *name, unsigned long *out)
{
        long v = spec_name_value(&spec_seccomp_flag_names, name);
        if (v < 0)
                return -1;
        *out = (unsigned long)v;
        return 0;
}

/* Does the running kernel accept this filter flag? With a NULL program the
 * kernel checks the flags first (EINVAL) and only then faults (EFAULT). */
static bool kernel_has_flag(unsigned long flag)
{
        /* (WAIT_KILLABLE_RECV is refused without NEW_LISTENER.) */
        if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
                flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
        return r < 0 && errno == EFAULT;
}

bool seccomp_flag_supported(const char *name)
{
        unsigned long v;
        return flag_value(name, &v) == 0 && kernel_has_flag(v);
}

static bool uses_notify(const struct husk_seccomp *s);

bool seccomp_has_listener(const struct husk_seccomp *s)
{
        return s && uses_notify(s);
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

        /* spec_validate refused these; a profile that skipped it must not
         * overflow cmps[] */
        if (r->n_args > SECCOMP_MAX_ARGS)
                return husk_error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].args: not validated", idx);
        for (size_t i = 0; i < r->n_args; i++) {
                const struct husk_seccomp_arg *a = &r->args[i];
                enum scmp_compare op = SCMP_CMP_EQ;
                if (a->index >= SECCOMP_MAX_ARGS)
                        return husk_error_set(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu]: not validated", idx, i);
                (void)op_value(a->op, &op);
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

/* The seccomp(2) flags of a validated profile (spec_validate owns the
 * rules on names, actions and conditions). */
static unsigned long filter_flags(const struct husk_seccomp *s)
{
        unsigned long kflags = 0;

        for (char **f = s->flags; f && *f; f++) {
                unsigned long v = 0;
                (void)flag_value(*f, &v);
                kflags |= v;
        }
        /* WAIT_KILLABLE_RECV only means something for notifications, and the
         * kernel refuses it without a listener: drop it then. */
        if (!uses_notify(s))
                kflags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        if (uses_notify(s)) {
                kflags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                /* TSYNC reports a failing thread as its tid, which collides
                 * with the listener fd as return value: ask for ESRCH. */
                if (kflags & SECCOMP_FILTER_FLAG_TSYNC)
                        kflags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        return kflags;
}

/* Build the libseccomp filter for a checked profile. No side effect
 * besides memory. */
static int build_filter(const struct husk_seccomp *s, scmp_filter_ctx *out, struct husk_error *err)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t def;
        int rc;

        (void)action_value(s->default_action, &s->default_errno_ret, &def);
        ctx = seccomp_init(def);
        if (!ctx)
                return husk_error_set(err, EINVAL, "linux.seccomp: create filter with default action %s",
                                      action_name(s->default_action));
        /* The caller decides about no_new_privs. */
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (rc < 0)
                return husk_error_set(err, -rc, "linux.seccomp: clear SCMP_FLTATR_CTL_NNP");

        for (char **a = s->architectures; a && *a; a++) {
                uint32_t tok = spec_seccomp_arch_token(*a);
                if (tok == 0)   /* (spec_validate refuses it) */
                        continue;
                rc = seccomp_arch_add(ctx, tok);
                if (rc == -EDOM) {
                        /* A filter can't mix byte orders; an arch of the
                         * other order can't run here anyway. */
                        log_warn("seccomp: architecture %s has another byte order than this host, ignored", *a);
                        continue;
                }
                if (rc < 0 && rc != -EEXIST)
                        return husk_error_set(err, -rc, "linux.seccomp.architectures: add %s", *a);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct husk_seccomp_rule *r = &s->syscalls[i];
                uint32_t act;

                (void)action_value(r->action, &r->errno_ret, &act);
                /* libseccomp refuses a rule with the default action; it would
                 * change nothing anyway. */
                if (act == def) {
                        log_debug("seccomp: syscalls[%zu] has the default action, skipped", i);
                        continue;
                }
                for (char **n = r->names; n && *n; n++) {
                        int nr = seccomp_syscall_resolve_name(*n);
                        if (nr == __NR_SCMP_ERROR) {
                                log_debug("seccomp: unknown syscall %s, skipped", *n);
                                continue;
                        }
                        if (add_rule(ctx, r, i, act, *n, nr, err) < 0)
                                return -1;
                }
        }
        *out = TAKE_PTR(ctx);
        return 0;
}

int seccomp_check_host(const struct husk_seccomp *s, struct husk_error *err)
{
        for (char **f = s ? s->flags : NULL; f && *f; f++) {
                unsigned long v = 0;
                (void)flag_value(*f, &v);
                if (!kernel_has_flag(v))
                        return husk_error_unsupported(err, "linux.seccomp.flags: %s is not supported by the running kernel", *f);
        }
        return 0;
}

/* ---- the -ENOSYS stub ----
 *
 * A profile that denies by default would make a syscall newer than the
 * profile fail with EPERM (or kill), and C libraries fall back to older
 * syscalls only on ENOSYS (clone3 → clone, faccessat2 → faccessat...). As
 * runc does, a stub in front of libseccomp's program returns ENOSYS for
 * every syscall number above the largest one the profile names, per
 * listed architecture. Not added when the default action lets syscalls run
 * (ALLOW, LOG, TRACE) or is already ERRNO(ENOSYS). */

#define STUB_MAX 160
#define X32_SYSCALL_BIT 0x40000000U
#define RET_ENOSYS (SECCOMP_RET_ERRNO | ENOSYS)

struct stub {
        struct sock_filter insn[STUB_MAX];
        size_t n;
        size_t to_filter[STUB_MAX];     /* indexes of "ja filter" to fix up */
        size_t n_to_filter;
};

static void stub_put(struct stub *st, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
        if (st->n < STUB_MAX)
                st->insn[st->n] = (struct sock_filter){ code, jt, jf, k };
        st->n++;
}

static void stub_ja_filter(struct stub *st)
{
        if (st->n_to_filter < STUB_MAX)
                st->to_filter[st->n_to_filter++] = st->n;
        stub_put(st, BPF_JMP | BPF_JA, 0, 0, 0);
}

/* nr > max → ENOSYS, else into the filter (3 instructions); with no
 * maximum, straight into the filter. */
static void stub_limit(struct stub *st, int max)
{
        if (max < 0) {
                stub_ja_filter(st);
                return;
        }
        stub_put(st, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t)max);
        stub_put(st, BPF_RET | BPF_K, 0, 0, RET_ENOSYS);
        stub_ja_filter(st);
}

/* The largest syscall number the profile names on arch, -1 if none. */
static int largest_syscall(const struct husk_seccomp *s, uint32_t arch)
{
        int max = -1;
        for (size_t i = 0; i < s->n_syscalls; i++)
                for (char **n = s->syscalls[i].names; n && *n; n++) {
                        int nr = seccomp_syscall_resolve_name_arch(arch, *n);
                        if (nr > max)
                                max = nr;
                }
        return max;
}

static bool stub_wanted(const struct husk_seccomp *s)
{
        switch (s->default_action) {
        case HUSK_SCMP_ACT_ALLOW:
        case HUSK_SCMP_ACT_LOG:
        case HUSK_SCMP_ACT_TRACE:
                return false;
        case HUSK_SCMP_ACT_ERRNO:
                return !(s->default_errno_ret.set && s->default_errno_ret.v == ENOSYS);
        default:
                return true;
        }
}

static int build_stub(const struct husk_seccomp *s, struct stub *st, struct husk_error *err)
{
        /* Kernel arch (AUDIT_ARCH_*) → largest syscall; x86_64 and x32 share
         * one kernel arch, told apart by bit 30 of the number. */
        struct {
                uint32_t audit;
                int max, max_x32;
                bool has, has_x32;
        } arches[32];
        size_t n_arches = 0;

        st->n = st->n_to_filter = 0;
        if (!stub_wanted(s))
                return 0;
        for (char **a = s->architectures; a && *a; a++) {
                uint32_t tok = spec_seccomp_arch_token(*a);
                if (tok == 0)
                        continue;
                bool x32 = tok == SCMP_ARCH_X32;
                uint32_t audit = x32 ? SCMP_ARCH_X86_64 : tok;
                size_t i = 0;
                while (i < n_arches && arches[i].audit != audit)
                        i++;
                if (i == n_arches) {
                        if (n_arches == ARRAY_SIZE(arches))
                                break;
                        arches[n_arches++] = (typeof(arches[0])){ .audit = audit, .max = -1, .max_x32 = -1 };
                }
                if (x32) {
                        arches[i].has_x32 = true;
                        arches[i].max_x32 = largest_syscall(s, tok);
                } else {
                        arches[i].has = true;
                        arches[i].max = largest_syscall(s, tok);
                }
        }
        if (n_arches == 0)
                return 0;

        stub_put(st, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);        /* arch */
        for (size_t i = 0; i < n_arches; i++) {
                size_t check = st->n;
                stub_put(st, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, arches[i].audit);   /* jf fixed below */
                stub_put(st, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0);                  /* nr */
                if (arches[i].audit == SCMP_ARCH_X86_64) {
                        size_t jset = st->n;
                        stub_put(st, BPF_JMP | BPF_JSET | BPF_K, 0, 0, X32_SYSCALL_BIT);
                        stub_limit(st, arches[i].has ? arches[i].max : -1);
                        st->insn[jset].jt = (uint8_t)(st->n - jset - 1);
                        stub_limit(st, arches[i].has_x32 ? arches[i].max_x32 : -1);
                } else {
                        /* s390: unknown large syscalls arrive as number 0. */
                        if (arches[i].audit == SCMP_ARCH_S390 || arches[i].audit == SCMP_ARCH_S390X) {
                                stub_put(st, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
                                stub_put(st, BPF_RET | BPF_K, 0, 0, RET_ENOSYS);
                        }
                        stub_limit(st, arches[i].max);
                }
                st->insn[check].jf = (uint8_t)(st->n - check - 1);
                /* the arch register was overwritten: reload for the next check */
                if (i + 1 < n_arches)
                        stub_put(st, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4);
        }
        if (st->n > STUB_MAX)
                return husk_error_unsupported(err, "seccomp: too many architectures for the ENOSYS stub");
        for (size_t i = 0; i < st->n_to_filter; i++)
                st->insn[st->to_filter[i]].k = (uint32_t)(st->n - st->to_filter[i] - 1);
        return 0;
}

/* ---- compiled programs and their cache ---- */

struct husk_seccomp_prog {
        unsigned long flags;            /* for seccomp(2), NEW_LISTENER included */
        size_t len;                     /* instructions */
        struct sock_filter insns[];
};

void seccomp_prog_free(struct husk_seccomp_prog *prog)
{
        free(prog);
}

/* libseccomp's BPF, read back from a memfd, behind the -ENOSYS stub. */
static int export_prog(scmp_filter_ctx ctx, const struct husk_seccomp *s, unsigned long kflags,
                       struct husk_seccomp_prog **out, struct husk_error *err)
{
        _cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
        struct stub stub;
        struct stat st;
        int rc;

        if (build_stub(s, &stub, err) < 0)
                return -1;
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
        if (stub.n + n > BPF_MAXINSNS)
                return husk_error_invalid(err, "seccomp: the filter has %zu instructions, the kernel allows %d",
                                          stub.n + n, BPF_MAXINSNS);
        struct husk_seccomp_prog *p = xmalloc(sizeof(*p) + (stub.n + n) * sizeof(struct sock_filter));
        p->flags = kflags;
        p->len = stub.n + n;
        memcpy(p->insns, stub.insn, stub.n * sizeof(struct sock_filter));
        if (pread(fd, p->insns + stub.n, (size_t)st.st_size, 0) != st.st_size) {
                free(p);
                return husk_error_sys(err, "seccomp: read exported filter");
        }
        *out = p;
        return 0;
}

/* The cache key: everything the program depends on, serialized. A cache
 * file holds its full key, so a hash collision only costs a recompile. */
struct keybuf {
        char *data;
        size_t len, cap;
};

static void key_put(struct keybuf *k, const void *p, size_t n)
{
        if (k->len + n > k->cap) {
                k->cap = (k->len + n) * 2 + 256;
                k->data = xrealloc(k->data, k->cap);
        }
        memcpy(k->data + k->len, p, n);
        k->len += n;
}

static void key_u64(struct keybuf *k, uint64_t v)
{
        key_put(k, &v, sizeof(v));
}

static void key_str(struct keybuf *k, const char *s)
{
        key_put(k, s, strlen(s) + 1);
}

static void key_strv(struct keybuf *k, char **v)
{
        key_u64(k, strv_length(v));
        for (; v && *v; v++)
                key_str(k, *v);
}

static void profile_key(const struct husk_seccomp *s, unsigned long kflags, struct keybuf *k)
{
        const struct scmp_version *ver = seccomp_version();
        uint32_t v;

        key_str(k, "husk-seccomp-2");
        key_u64(k, ((uint64_t)ver->major << 32) | ((uint64_t)ver->minor << 16) | ver->micro);
        key_u64(k, seccomp_arch_native());
        key_u64(k, seccomp_api_get());
        key_u64(k, kflags);
        (void)action_value(s->default_action, &s->default_errno_ret, &v);
        key_u64(k, v);
        key_strv(k, s->architectures);
        key_u64(k, s->n_syscalls);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const struct husk_seccomp_rule *r = &s->syscalls[i];
                (void)action_value(r->action, &r->errno_ret, &v);
                key_u64(k, v);
                key_strv(k, r->names);
                key_u64(k, r->n_args);
                for (size_t j = 0; j < r->n_args; j++) {
                        key_u64(k, r->args[j].index);
                        key_u64(k, (uint64_t)r->args[j].op);
                        key_u64(k, r->args[j].value);
                        key_u64(k, r->args[j].value_two);
                }
        }
}

static uint64_t fnv1a(const char *p, size_t n)
{
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

#define CACHE_MAGIC "HUSKBPF1"

/* A cache dir we may trust: ours, not writable by others. Created 0700. */
static bool cache_dir_usable(const char *dir)
{
        struct stat st;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return false;
        if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return false;
        return st.st_uid == geteuid() && !(st.st_mode & 022);
}

static struct husk_seccomp_prog *cache_lookup(const char *path, const struct keybuf *k)
{
        _cleanup_free_ char *data = NULL;
        struct husk_error e;
        size_t len = 0, off = 0;
        uint32_t klen, n;
        uint64_t flags;

        if (read_user_file_at(AT_FDCWD, path, &data, &len, &e) < 0)
                return NULL;
        if (len < 8 + 4 || memcmp(data, CACHE_MAGIC, 8) != 0)
                return NULL;
        off = 8;
        memcpy(&klen, data + off, 4);
        off += 4;
        if (klen != k->len || len - off < (size_t)klen + 8 + 4 || memcmp(data + off, k->data, klen) != 0)
                return NULL;
        off += klen;
        memcpy(&flags, data + off, 8);
        off += 8;
        memcpy(&n, data + off, 4);
        off += 4;
        if (n == 0 || n > BPF_MAXINSNS || len - off != (size_t)n * sizeof(struct sock_filter))
                return NULL;
        struct husk_seccomp_prog *p = xmalloc(sizeof(*p) + len - off);
        p->flags = (unsigned long)flags;
        p->len = n;
        memcpy(p->insns, data + off, len - off);
        return p;
}

static void cache_store(const char *path, const struct keybuf *k, const struct husk_seccomp_prog *p)
{
        struct keybuf f = { 0 };
        struct husk_error e;
        uint32_t klen = (uint32_t)k->len, n = (uint32_t)p->len;
        uint64_t flags = p->flags;

        key_put(&f, CACHE_MAGIC, 8);
        key_put(&f, &klen, 4);
        key_put(&f, k->data, k->len);
        key_put(&f, &flags, 8);
        key_put(&f, &n, 4);
        key_put(&f, p->insns, p->len * sizeof(struct sock_filter));
        if (write_file_atomic(path, f.data, f.len, 0600, &e) < 0)
                log_debug("seccomp: cache %s not written: %s", path, e.msg);
        free(f.data);
}

int seccomp_compile(const struct husk_seccomp *s, const char *cache_dir, struct husk_seccomp_prog **out,
                    struct husk_error *err)
{
        _cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_free_ char *path = NULL;
        struct keybuf key = { 0 };
        unsigned long kflags;

        *out = NULL;
        if (!s)
                return 0;
        kflags = filter_flags(s);
        if (cache_dir && cache_dir_usable(cache_dir)) {
                profile_key(s, kflags, &key);
                path = xasprintf("%s/%016llx.bpf", cache_dir, (unsigned long long)fnv1a(key.data, key.len));
                *out = cache_lookup(path, &key);
                if (*out) {
                        free(key.data);
                        return 0;
                }
        }
        if (build_filter(s, &ctx, err) < 0 || export_prog(ctx, s, kflags, out, err) < 0) {
                free(key.data);
                return -1;
        }
        if (path)
                cache_store(path, &key, *out);
        free(key.data);
        return 0;
}

/* seccomp(2) and nothing else: the filter is live when it returns. */
static int load_raw(unsigned long flags, struct sock_filter *insns, size_t n, int *notify_fd, struct husk_error *err)
{
        struct sock_fprog fprog = { .len = (unsigned short)n, .filter = insns };
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);

        if (r < 0) {
                if (errno == EACCES)
                        return husk_error_sys(err, "load seccomp filter (no_new_privs is not set and the process lacks "
                                                   "CAP_SYS_ADMIN: load it before dropping capabilities)");
                return husk_error_sys(err, "load seccomp filter (flags 0x%lx)", flags);
        }
        if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
                if (notify_fd)
                        *notify_fd = (int)r;
                else
                        close((int)r);
        }
        return 0;
}

int seccomp_load_prog(const struct husk_seccomp_prog *prog, int *notify_fd, struct husk_error *err)
{
        if (notify_fd)
                *notify_fd = -1;
        if (!prog)
                return 0;
        return load_raw(prog->flags, (struct sock_filter *)prog->insns, prog->len, notify_fd, err);
}

int seccomp_load_filter(const struct husk_seccomp *s, int *notify_fd, struct husk_error *err)
{
        /* Copied to the stack so nothing is freed once the filter is live. */
        struct sock_filter insns[BPF_MAXINSNS];
        struct husk_seccomp_prog *heap = NULL;

        if (notify_fd)
                *notify_fd = -1;
        if (!s)
                return 0;
        if (seccomp_compile(s, NULL, &heap, err) < 0)
                return -1;
        unsigned long flags = heap->flags;
        size_t n = heap->len;
        memcpy(insns, heap->insns, n * sizeof(struct sock_filter));
        seccomp_prog_free(heap);
        return load_raw(flags, insns, n, notify_fd, err);
}
