/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE program built from
 * the rules, loaded and attached with the bpf() syscall.
 *
 * The program checks the rules from last to first and returns the verdict
 * of the first match (= last match wins in spec order); no match denies.
 * It is attached with BPF_F_ALLOW_MULTI, then every program that was on the
 * cgroup before (our previous filter) is detached, so an update never
 * leaves a window with no filter at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/cgroup_internal.h"
#include "util/util.h"

static int bpf(int cmd, union bpf_attr *attr)
{
        return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct prog {
        struct bpf_insn *v;
        size_t n;
};

static void emit(struct prog *p, struct bpf_insn i)
{
        p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
        p->v[p->n++] = i;
}

static short rule_len(const struct husk_device_rule *r, char type, unsigned acc)
{
        short n = 2;                                    /* mov r0; exit */
        if (type != 'a')
                n += 1;
        if (acc != 7)
                n += 3;
        if (type != 'a' && r->major.set && r->major.v >= 0)
                n += 1;
        if (type != 'a' && r->minor.set && r->minor.v >= 0)
                n += 1;
        return n;
}

static unsigned access_mask(const char *a)
{
        if (!a || !*a)
                return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
        unsigned m = 0;
        for (; *a; a++)
                m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
        return m;
}

/* r2 = device type, r3 = access, r4 = major, r5 = minor. */
static void build(struct prog *p, const struct husk_device_rule *rules, size_t n)
{
        /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } */
        emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0));
        emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
        emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0));
        emit(p, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
        emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0));
        emit(p, INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0));
        for (size_t k = n; k > 0; k--) {
                const struct husk_device_rule *r = &rules[k - 1];
                char type = r->type ? r->type : 'a';
                unsigned acc = access_mask(r->access);
                short left = rule_len(r, type, acc);    /* insns of this block not yet emitted */
                if (type != 'a') {
                        left--;
                        emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, left,
                                     type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
                }
                if (acc != 7) {
                        /* requested access must be a subset of the rule's */
                        emit(p, INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
                        emit(p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)(~acc & 7)));
                        left -= 3;
                        emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, left, 0));
                }
                if (type != 'a' && r->major.set && r->major.v >= 0) {
                        left--;
                        emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, left, (int)r->major.v));
                }
                if (type != 'a' && r->minor.set && r->minor.v >= 0) {
                        left--;
                        emit(p, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, left, (int)r->minor.v));
                }
                emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
                emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
                /* A rule that matches everything decides alone: what
                 * follows would be unreachable (the verifier refuses it). */
                if (type == 'a' && acc == 7)
                        return;
        }
        emit(p, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
        emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

static int load(const struct prog *p, struct husk_error *err)
{
        char log[4096] = "";
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        a.insns = (uint64_t)(uintptr_t)p->v;
        a.insn_cnt = (uint32_t)p->n;
        a.license = (uint64_t)(uintptr_t) "GPL";
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = sizeof(log);
        a.log_level = 1;
        int fd = bpf(BPF_PROG_LOAD, &a);
        if (fd < 0 && errno == ENOSPC) {        /* log too small; load without it */
                a.log_buf = 0;
                a.log_size = 0;
                a.log_level = 0;
                fd = bpf(BPF_PROG_LOAD, &a);
        }
        /* the verifier's log, on one line */
        size_t ll = strlen(log);
        while (ll > 0 && (log[ll - 1] == '\n' || log[ll - 1] == ' '))
                log[--ll] = '\0';
        for (char *c = log; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        if (fd < 0)
                return husk_error_sys(err, "load the device filter (%zu instructions)%s%s", p->n, *log ? ": " : "",
                                      log);
        return fd;
}

/* Ids of the device programs attached to the cgroup now. */
static int query(int cgfd, uint32_t **ids, uint32_t *n)
{
        uint32_t cap = 64;
        *ids = xzalloc(cap * sizeof(uint32_t));
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.query.target_fd = (uint32_t)cgfd;
        a.query.attach_type = BPF_CGROUP_DEVICE;
        a.query.prog_ids = (uint64_t)(uintptr_t)*ids;
        a.query.prog_cnt = cap;
        if (bpf(BPF_PROG_QUERY, &a) < 0)
                return -1;
        *n = a.query.prog_cnt;
        return 0;
}

static int detach_id(int cgfd, uint32_t id)
{
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_id = id;
        _cleanup_close_ int pfd = bpf(BPF_PROG_GET_FD_BY_ID, &a);
        if (pfd < 0)
                return errno == ENOENT ? 0 : -1;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cgfd;
        a.attach_bpf_fd = (uint32_t)pfd;
        a.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
                return -1;
        return 0;
}

static int attach(int cgfd, int pfd)
{
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cgfd;
        a.attach_bpf_fd = (uint32_t)pfd;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        return bpf(BPF_PROG_ATTACH, &a);
}

int cg_bpf_devices_attach(const char *dir, const struct husk_device_rule *rules, size_t n,
                          struct husk_error *err)
{
        struct prog p = { 0 };
        build(&p, rules, n);
        _cleanup_close_ int pfd = load(&p, err);
        free(p.v);
        if (pfd < 0)
                return -1;
        _cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0)
                return husk_error_sys(err, "open %s", dir);
        _cleanup_free_ uint32_t *old = NULL;
        uint32_t n_old = 0;
        if (query(cgfd, &old, &n_old) < 0)
                return husk_error_sys(err, "query the device programs of %s", dir);
        if (attach(cgfd, pfd) < 0) {
                /* A program attached without ALLOW_MULTI blocks ours:
                 * take the old ones off first (a short window, but the only
                 * way to replace it). */
                if (errno != EPERM || n_old == 0)
                        return husk_error_sys(err, "attach the device filter to %s", dir);
                for (uint32_t i = 0; i < n_old; i++)
                        if (detach_id(cgfd, old[i]) < 0)
                                return husk_error_sys(err, "detach device program %u from %s", old[i], dir);
                n_old = 0;
                if (attach(cgfd, pfd) < 0)
                        return husk_error_sys(err, "attach the device filter to %s", dir);
        }
        for (uint32_t i = 0; i < n_old; i++)
                if (detach_id(cgfd, old[i]) < 0)
                        return husk_error_sys(err, "detach the previous device program %u from %s", old[i], dir);
        return 0;
}
