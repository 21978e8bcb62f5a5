/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the config.json parser and validator.
 *
 *   test-spec FIXTURES_DIR
 *
 * Every FIXTURES_DIR/valid/NAME.json must parse; every invalid case (a
 * patch of FIXTURES_DIR/invalid/base.json, or a whole document: see
 * run_invalid) must fail with a message containing its expected error. Then the conversions, the parsed values of the big
 * fixtures, spec_default_json() and the standalone process/resources
 * parsers are checked. Output is TAP; the exit code is 1 on any failure.
 */
#include <dirent.h>
#include <seccomp.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "husk/spec.h"
#include "spec/spec-internal.h"
#include "util/cpulist.h"
#include "util/util.h"
#include "tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NAME.json files of dir, sorted. */
static char **list_json(const char *dir)
{
        char **v = NULL;
        DIR *d = opendir(dir);
        if (!d)
                return NULL;
        struct dirent *e;
        while ((e = readdir(d))) {
                size_t l = strlen(e->d_name);
                if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
                        v = strv_append(v, e->d_name);
        }
        closedir(d);
        if (v)
                qsort(v, strv_length(v), sizeof(char *), cmp_str);
        return v;
}

static char *slurp(const char *path, size_t *len)
{
        char *data = NULL;
        struct husk_error err = { 0 };
        size_t l = 0;
        if (read_file_at(AT_FDCWD, path, &data, &l, &err) < 0)
                return NULL;
        if (len)
                *len = l;
        return data;
}

static struct husk_spec *parse_file(const char *path, struct husk_error *err)
{
        size_t len;
        _cleanup_free_ char *data = slurp(path, &len);
        struct husk_spec *s = NULL;
        if (!data) {
                husk_error_set(err, 0, "cannot read %s", path);
                return NULL;
        }
        if (spec_parse(data, len, "config.json", &s, err) < 0)
                return NULL;
        return s;
}

static size_t run_valid(const char *root)
{
        _cleanup_free_ char *dir = xasprintf("%s/valid", root);
        _cleanup_strv_ char **files = list_json(dir);
        for (size_t i = 0; files && files[i]; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, files[i]);
                struct husk_error err = { 0 };
                struct husk_spec *s = parse_file(path, &err);
                ok(s != NULL, "valid/%s parses%s%s", files[i], s ? "" : ": ", s ? "" : err.msg);
                spec_free(s);
        }
        return strv_length(files);
}

/* Lines of a text: each with its length (without '\n') and whether a
 * '\n' ended it (only the last may lack one). */
struct lines {
        const char **text;
        size_t *len;
        bool *nl;
        size_t n;
};

static void lines_add(struct lines *l, const char *t, size_t len, bool nl)
{
        l->text = xrealloc(l->text, (l->n + 1) * sizeof(*l->text));
        l->len = xrealloc(l->len, (l->n + 1) * sizeof(*l->len));
        l->nl = xrealloc(l->nl, (l->n + 1) * sizeof(*l->nl));
        l->text[l->n] = t;
        l->len[l->n] = len;
        l->nl[l->n++] = nl;
}

static void lines_split(struct lines *l, const char *s, size_t len)
{
        const char *end = s + len;
        while (s < end) {
                const char *e = memchr(s, '\n', (size_t)(end - s));
                lines_add(l, s, e ? (size_t)(e - s) : (size_t)(end - s), e != NULL);
                s = e ? e + 1 : end;
        }
}

static void lines_free(struct lines *l)
{
        free(l->text);
        free(l->len);
        free(l->nl);
}

/* base with a unified diff applied (`diff -u base.json NAME.json`, any
 * text before the first "@@" is ignored). Every context and removed line
 * must match the base where the hunk says: a patch that no longer applies
 * is an error (*why), not a different document. Returns a malloc'ed text. */
static char *apply_patch(const char *base, size_t base_len, const char *patch, size_t patch_len, size_t *out_len,
                         const char **why)
{
        struct lines b = { 0 }, p = { 0 }, o = { 0 };
        lines_split(&b, base, base_len);
        lines_split(&p, patch, patch_len);
        char *out = NULL;
        size_t bi = 0, pi = 0;
        *why = NULL;
        while (pi < p.n && !(p.len[pi] >= 2 && strncmp(p.text[pi], "@@", 2) == 0))
                pi++;
        if (pi == p.n)
                *why = "no hunk";
        while (!*why && pi < p.n) {
                unsigned long start, count = 1;
                char hdr[64];
                snprintf(hdr, sizeof(hdr), "%.*s", (int)(p.len[pi] < 63 ? p.len[pi] : 63), p.text[pi]);
                if (sscanf(hdr, "@@ -%lu,%lu", &start, &count) < 1 && sscanf(hdr, "@@ -%lu", &start) < 1) {
                        *why = "bad hunk header";
                        break;
                }
                /* "-N,0" inserts after line N; otherwise the hunk starts at line N */
                size_t at = count == 0 ? start : start - 1;
                if (at < bi || at > b.n) {
                        *why = "hunk out of order or past the end";
                        break;
                }
                while (bi < at) {
                        lines_add(&o, b.text[bi], b.len[bi], b.nl[bi]);
                        bi++;
                }
                for (pi++; pi < p.n && !(p.len[pi] >= 2 && strncmp(p.text[pi], "@@", 2) == 0); pi++) {
                        const char *t = p.text[pi] + 1;
                        size_t len = p.len[pi] ? p.len[pi] - 1 : 0;
                        char op = p.len[pi] ? p.text[pi][0] : ' ';
                        if (op == '\\') {       /* "\ No newline at end of file": of the line before */
                                char prev = p.text[pi - 1][0];
                                if (prev == '+' || prev == ' ')
                                        o.nl[o.n - 1] = false;
                                continue;
                        }
                        if (op == '+') {
                                lines_add(&o, t, len, true);
                                continue;
                        }
                        if ((op != ' ' && op != '-') || bi == b.n || b.len[bi] != len ||
                            memcmp(b.text[bi], t, len) != 0) {
                                *why = "a context or removed line does not match the base";
                                break;
                        }
                        if (op == ' ')
                                lines_add(&o, b.text[bi], b.len[bi], b.nl[bi]);
                        bi++;
                }
        }
        if (!*why) {
                while (bi < b.n) {
                        lines_add(&o, b.text[bi], b.len[bi], b.nl[bi]);
                        bi++;
                }
                size_t n = 0;
                for (size_t i = 0; i < o.n; i++)
                        n += o.len[i] + o.nl[i];
                out = xmalloc(n + 1);
                *out_len = 0;
                for (size_t i = 0; i < o.n; i++) {
                        memcpy(out + *out_len, o.text[i], o.len[i]);
                        *out_len += o.len[i];
                        if (o.nl[i])
                                out[(*out_len)++] = '\n';
                }
                out[*out_len] = '\0';
        }
        lines_free(&b);
        lines_free(&p);
        lines_free(&o);
        return out;
}

/* One invalid case: the document must be refused with a message
 * containing want. */
static void check_invalid(const char *name, const char *doc, size_t len, const char *want)
{
        struct husk_error err = { 0 };
        struct husk_spec *s = NULL;
        if (spec_parse(doc, len, "config.json", &s, &err) == 0) {
                ok(false, "invalid/%s is rejected (it parsed)", name);
                spec_free(s);
                return;
        }
        ok(strstr(err.msg, want) != NULL, "invalid/%s: \"%s\" contains \"%s\"", name, err.msg, want);
        ok(err.kind == HUSK_ERR_INVALID && err.errnum == EINVAL, "invalid/%s: an error of kind invalid, not %s",
           name, husk_error_kind_name(err.kind));
}

/* NAME.patch files of dir, sorted. */
static char **list_patches(const char *dir)
{
        char **v = NULL;
        DIR *d = opendir(dir);
        if (!d)
                return NULL;
        struct dirent *e;
        while ((e = readdir(d))) {
                size_t l = strlen(e->d_name);
                if (l > 6 && strcmp(e->d_name + l - 6, ".patch") == 0)
                        v = strv_append(v, e->d_name);
        }
        closedir(d);
        if (v)
                qsort(v, strv_length(v), sizeof(char *), cmp_str);
        return v;
}

/*
 * The invalid cases, in FIXTURES_DIR/invalid:
 * - NAME.patch: base.json (runc's default config, which must parse) with a
 *   unified diff applied; its first line is "error: TEXT", the message the
 *   result must be refused with contains TEXT;
 * - NAME.json with NAME.err: a whole document (those that are not JSON or
 *   not an object), refused with a message containing NAME.err's first line.
 */
static size_t run_invalid(const char *root)
{
        _cleanup_free_ char *dir = xasprintf("%s/invalid", root);
        _cleanup_free_ char *base_path = xasprintf("%s/base.json", dir);
        size_t base_len = 0;
        _cleanup_free_ char *base = slurp(base_path, &base_len);
        struct husk_error err = { 0 };
        struct husk_spec *s = base ? parse_file(base_path, &err) : NULL;
        ok(s != NULL, "invalid/base.json parses%s%s", s ? "" : ": ", s ? "" : base ? err.msg : "cannot read it");
        spec_free(s);

        _cleanup_strv_ char **patches = list_patches(dir);
        for (size_t i = 0; base && patches && patches[i]; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, patches[i]);
                _cleanup_free_ char *name = xasprintf("%.*s.json", (int)(strlen(patches[i]) - 6), patches[i]);
                size_t plen = 0, dlen = 0;
                _cleanup_free_ char *patch = slurp(path, &plen);
                if (!patch || strncmp(patch, "error: ", 7) != 0) {
                        ok(false, "invalid/%s starts with \"error: \"", patches[i]);
                        continue;
                }
                _cleanup_free_ char *want = xstrndup(patch + 7, strcspn(patch + 7, "\n"));
                const char *why;
                _cleanup_free_ char *doc = apply_patch(base, base_len, patch, plen, &dlen, &why);
                if (!doc) {
                        ok(false, "invalid/%s applies to base.json: %s", patches[i], why);
                        continue;
                }
                check_invalid(name, doc, dlen, want);
        }

        _cleanup_strv_ char **files = list_json(dir);
        size_t n = strv_length(patches);
        for (size_t i = 0; files && files[i]; i++) {
                if (strcmp(files[i], "base.json") == 0)
                        continue;
                n++;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, files[i]);
                _cleanup_free_ char *errpath = xasprintf("%.*s.err", (int)(strlen(path) - 5), path);
                _cleanup_free_ char *want = slurp(errpath, NULL);
                size_t len = 0;
                _cleanup_free_ char *doc = slurp(path, &len);
                if (!want || !doc) {
                        ok(false, "invalid/%s has a .err file", files[i]);
                        continue;
                }
                want[strcspn(want, "\n")] = '\0';
                check_invalid(files[i], doc, len, want);
        }
        return n;
}

/* ------------------------------------------------------------------ */

static void test_conversions(void)
{
        CHECK(spec_namespace_type("pid") == CLONE_NEWPID);
        CHECK(spec_namespace_type("network") == CLONE_NEWNET);
        CHECK(spec_namespace_type("mount") == CLONE_NEWNS);
        CHECK(spec_namespace_type("ipc") == CLONE_NEWIPC);
        CHECK(spec_namespace_type("uts") == CLONE_NEWUTS);
        CHECK(spec_namespace_type("user") == CLONE_NEWUSER);
        CHECK(spec_namespace_type("cgroup") == CLONE_NEWCGROUP);
        CHECK(spec_namespace_type("time") == CLONE_NEWTIME);
        CHECK(spec_namespace_type("net") == -1);
        CHECK(spec_namespace_type("PID") == -1);
        CHECK(strcmp(spec_namespace_type_name(CLONE_NEWNET), "network") == 0);

        CHECK(spec_rlimit_resource("RLIMIT_NOFILE") == RLIMIT_NOFILE);
        CHECK(spec_rlimit_resource("RLIMIT_CPU") == RLIMIT_CPU);
        CHECK(spec_rlimit_resource("RLIMIT_RTTIME") == RLIMIT_RTTIME);
        CHECK(spec_rlimit_resource("RLIMIT_MSGQUEUE") == RLIMIT_MSGQUEUE);
        CHECK(spec_rlimit_resource("RLIMIT_AS") == RLIMIT_AS);
        CHECK(spec_rlimit_resource("RLIMIT_NOFILES") == -1);
        CHECK(spec_rlimit_resource("nofile") == -1);

        CHECK(spec_seccomp_action("SCMP_ACT_ERRNO") == HUSK_SCMP_ACT_ERRNO);
        CHECK(spec_seccomp_action("SCMP_ACT_KILL") == HUSK_SCMP_ACT_KILL);
        CHECK(spec_seccomp_action("SCMP_ACT_NOTIFY") == HUSK_SCMP_ACT_NOTIFY);
        CHECK(spec_seccomp_action("SCMP_ACT_KILL_PROCESS") == HUSK_SCMP_ACT_KILL_PROCESS);
        CHECK(spec_seccomp_action("SCMP_ACT_DENY") == -1);
        CHECK(strcmp(spec_seccomp_action_name(HUSK_SCMP_ACT_LOG), "SCMP_ACT_LOG") == 0);
        CHECK(spec_seccomp_op("SCMP_CMP_MASKED_EQ") == HUSK_SCMP_CMP_MASKED_EQ);
        CHECK(spec_seccomp_op("SCMP_CMP_NE") == HUSK_SCMP_CMP_NE);
        CHECK(spec_seccomp_op("SCMP_CMP_XX") == -1);
        CHECK(strcmp(spec_seccomp_op_name(HUSK_SCMP_CMP_GE), "SCMP_CMP_GE") == 0);

        CHECK(spec_sched_policy("SCHED_OTHER") == SCHED_OTHER);
        CHECK(spec_sched_policy("SCHED_FIFO") == SCHED_FIFO);
        CHECK(spec_sched_policy("SCHED_RR") == SCHED_RR);
        CHECK(spec_sched_policy("SCHED_BATCH") == SCHED_BATCH);
        CHECK(spec_sched_policy("SCHED_IDLE") == SCHED_IDLE);
        CHECK(spec_sched_policy("SCHED_DEADLINE") == 6);
        CHECK(spec_sched_policy("SCHED_ISO") == 4);
        CHECK(spec_sched_policy("SCHED_FOO") == -1);

        CHECK(spec_ioprio_class("IOPRIO_CLASS_RT") == 1);
        CHECK(spec_ioprio_class("IOPRIO_CLASS_BE") == 2);
        CHECK(spec_ioprio_class("IOPRIO_CLASS_IDLE") == 3);
        CHECK(spec_ioprio_class("IOPRIO_CLASS_NONE") == -1);

        CHECK(spec_seccomp_arch_known("SCMP_ARCH_X86_64"));
        CHECK(spec_seccomp_arch_known("SCMP_ARCH_AARCH64"));
        CHECK(spec_seccomp_arch_known("SCMP_ARCH_MIPSEL64N32"));
        CHECK(spec_seccomp_arch_known("SCMP_ARCH_LOONGARCH64") == (seccomp_arch_resolve_name("loongarch64") != 0));
        CHECK(spec_seccomp_arch_known("SCMP_ARCH_PARISC64") == (seccomp_arch_resolve_name("parisc64") != 0));
        CHECK(!spec_seccomp_arch_known("SCMP_ARCH_VAX"));
        CHECK(!spec_seccomp_arch_known("x86_64"));
        CHECK(!spec_seccomp_arch_known("SCMP_ARCH_"));

        size_t n;
        CHECK(cpulist_valid("0-3,7", CPULIST_STRICT, &n, NULL) && n == 5);
        CHECK(cpulist_valid("", CPULIST_STRICT, &n, NULL) && n == 0);
        CHECK(cpulist_valid("5", CPULIST_STRICT, &n, NULL) && n == 1);
        CHECK(!cpulist_valid("3-1", CPULIST_STRICT, NULL, NULL));
        CHECK(!cpulist_valid("1,", CPULIST_STRICT, NULL, NULL));
        CHECK(!cpulist_valid("a", CPULIST_STRICT, NULL, NULL));
        CHECK(!cpulist_valid("1--2", CPULIST_STRICT, NULL, NULL));
}

static const struct husk_rlimit *find_rlimit(const struct husk_process *p, int res)
{
        for (size_t i = 0; i < p->n_rlimits; i++)
                if (p->rlimits[i].resource == res)
                        return &p->rlimits[i];
        return NULL;
}

static bool streq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

/* valid/everything.json: one value of every field, read back. */
static void test_everything(const char *root)
{
        _cleanup_free_ char *path = xasprintf("%s/valid/everything.json", root);
        struct husk_error err = { 0 };
        struct husk_spec *s = parse_file(path, &err);
        ok(s != NULL, "everything.json parses %s", s ? "" : err.msg);
        if (!s)
                return;

        CHECK(streq(s->oci_version, "1.3.0"));
        CHECK(streq(s->root_path, "rootfs") && s->root_readonly);
        CHECK(streq(s->hostname, "box") && streq(s->domainname, "example.org"));
        CHECK(s->n_mounts == 3);
        if (s->n_mounts == 3) {
                CHECK(streq(s->mounts[2].destination, "/data"));
                CHECK(strv_length(s->mounts[2].options) == 2);
                CHECK(s->mounts[2].n_uid_mappings == 1 && s->mounts[2].uid_mappings[0].host_id == 100000 &&
                      s->mounts[2].uid_mappings[0].size == 65536);
                CHECK(s->mounts[2].n_gid_mappings == 1);
        }

        const struct husk_process *p = s->process;
        CHECK(p != NULL);
        if (p) {
                CHECK(p->terminal && p->has_console_size && p->console_height == 25 && p->console_width == 80);
                CHECK(p->user.uid == 1000 && p->user.gid == 1000);
                CHECK(p->user.umask.set && p->user.umask.v == 18);
                CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 2147483647u);
                CHECK(strv_length(p->args) == 3 && streq(p->args[0], "/bin/sh"));
                CHECK(strv_length(p->env) == 2);
                CHECK(streq(p->cwd, "/home/user"));
                CHECK(p->has_capabilities && strv_length(p->capabilities.bounding) == 3 &&
                      p->capabilities.inheritable && strv_length(p->capabilities.inheritable) == 0);
                const struct husk_rlimit *rl = find_rlimit(p, RLIMIT_NOFILE);
                CHECK(rl && rl->soft == 1024 && rl->hard == 1048576 && streq(rl->type, "RLIMIT_NOFILE"));
                rl = find_rlimit(p, RLIMIT_CORE);
                CHECK(rl && rl->soft == UINT64_MAX && rl->hard == UINT64_MAX);
                CHECK(p->no_new_privileges);
                CHECK(streq(p->apparmor_profile, "husk-default"));
                CHECK(p->oom_score_adj.set && p->oom_score_adj.v == -500);
                CHECK(streq(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2"));
                CHECK(p->scheduler && p->scheduler->policy_num == 6 && streq(p->scheduler->policy, "SCHED_DEADLINE") &&
                      p->scheduler->runtime == 10000000 && p->scheduler->deadline == 20000000 &&
                      p->scheduler->period == 30000000 && strv_length(p->scheduler->flags) == 1);
                CHECK(p->io_priority && p->io_priority->class_num == 2 && p->io_priority->priority == 4 &&
                      streq(p->io_priority->class_name, "IOPRIO_CLASS_BE"));
                CHECK(streq(p->exec_cpu_affinity_initial, "0-1") && streq(p->exec_cpu_affinity_final, "1"));
        }

        CHECK(s->hooks[HUSK_HOOK_PRESTART].n == 1);
        CHECK(s->hooks[HUSK_HOOK_CREATE_RUNTIME].n == 1 && s->hooks[HUSK_HOOK_CREATE_CONTAINER].n == 1 &&
              s->hooks[HUSK_HOOK_START_CONTAINER].n == 1 && s->hooks[HUSK_HOOK_POSTSTART].n == 1 &&
              s->hooks[HUSK_HOOK_POSTSTOP].n == 2);
        CHECK(s->hooks[HUSK_HOOK_POSTSTOP].hooks[1].timeout.set && s->hooks[HUSK_HOOK_POSTSTOP].hooks[1].timeout.v == 5);
        CHECK(!s->hooks[HUSK_HOOK_POSTSTOP].hooks[0].timeout.set);
        CHECK(streq(spec_annotation(s, "org.example.key"), "value"));
        CHECK(spec_annotation(s, "missing") == NULL);

        const struct husk_linux *l = s->linux;
        CHECK(l != NULL);
        if (!l) {
                spec_free(s);
                return;
        }
        CHECK(l->n_namespaces == 8);
        CHECK(spec_has_namespace(s, CLONE_NEWTIME) && spec_has_namespace(s, CLONE_NEWCGROUP));
        CHECK(spec_namespace(s, CLONE_NEWNET) && streq(spec_namespace(s, CLONE_NEWNET)->type_name, "network"));
        CHECK(l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].host_id == 100000);
        CHECK(l->time_monotonic.set && l->time_monotonic.secs == -3600 && l->time_monotonic.nanosecs == 5);
        CHECK(l->time_boottime.set && l->time_boottime.secs == 86400 && l->time_boottime.nanosecs == 0);
        CHECK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 &&
              l->devices[0].minor == 229 && l->devices[0].file_mode.set && l->devices[0].file_mode.v == 438);
        CHECK(l->n_devices == 2 && l->devices[1].type == 'p' && !l->devices[1].uid.set);
        CHECK(streq(l->cgroups_path, "/husk/everything"));

        const struct husk_resources *r = l->resources;
        CHECK(r != NULL);
        if (r) {
                CHECK(r->n_devices == 2 && !r->devices[0].allow && r->devices[0].type == 'a' &&
                      !r->devices[0].major.set && streq(r->devices[0].access, "rwm"));
                CHECK(r->n_devices == 2 && r->devices[1].allow && r->devices[1].type == 'c' &&
                      r->devices[1].major.v == 10 && r->devices[1].minor.v == 229);
                CHECK(r->memory && r->memory->limit.set && r->memory->limit.v == 9223372036854775807LL);
                CHECK(r->memory && r->memory->swap.v == -1 && r->memory->reservation.v == 268435456);
                CHECK(r->memory && r->memory->kernel.set && r->memory->kernel_tcp.set);
                CHECK(r->memory && r->memory->swappiness.v == 60 && r->memory->disable_oom_killer.set &&
                      !r->memory->disable_oom_killer.v && r->memory->use_hierarchy.v &&
                      r->memory->check_before_update.set && r->memory->check_before_update.v);
                CHECK(r->cpu && r->cpu->shares.v == 1024 && r->cpu->quota.v == 200000 && r->cpu->burst.v == 100000 &&
                      r->cpu->period.v == 100000 && r->cpu->realtime_runtime.v == 950000 &&
                      r->cpu->realtime_period.v == 1000000 && streq(r->cpu->cpus, "0-1") &&
                      streq(r->cpu->mems, "0") && r->cpu->idle.set && r->cpu->idle.v == 1);
                CHECK(r->has_pids && r->pids_limit.set && r->pids_limit.v == -1);
                CHECK(r->block_io && r->block_io->weight.v == 500 && r->block_io->n_weight_device == 1 &&
                      r->block_io->n_throttle_read_bps == 1 && r->block_io->n_throttle_write_bps == 1 &&
                      r->block_io->n_throttle_read_iops == 1 && r->block_io->n_throttle_write_iops == 1 &&
                      r->block_io->throttle_read_bps[0].rate == 18446744073709551615ULL);
                CHECK(r->n_hugepage_limits == 2 && streq(r->hugepage_limits[1].page_size, "1GB"));
                CHECK(r->has_network && r->net_class_id.v == 1048577 && r->n_net_priorities == 2 &&
                      r->net_priorities[1].priority == 1000);
                CHECK(r->n_rdma == 2 && streq(r->rdma[0].device, "mlx5_1") && r->rdma[0].hca_handles.v == 3 &&
                      !r->rdma[1].hca_handles.set);
                CHECK(r->n_unified == 2 && streq(r->unified[0].key, "io.max"));
        }
        CHECK(l->intel_rdt && streq(l->intel_rdt->clos_id, "guaranteed_group") &&
              strv_length(l->intel_rdt->schemata) == 2 && l->intel_rdt->enable_monitoring);
        CHECK(l->n_sysctl == 2);
        const struct husk_seccomp *sc = l->seccomp;
        CHECK(sc != NULL);
        if (sc) {
                CHECK(sc->default_action == HUSK_SCMP_ACT_ERRNO && sc->default_errno_ret.set &&
                      sc->default_errno_ret.v == 1);
                CHECK(strv_length(sc->architectures) == 3 && strv_length(sc->flags) == 2);
                CHECK(streq(sc->listener_path, "/run/agent.sock") && streq(sc->listener_metadata, "meta"));
                CHECK(sc->n_syscalls == 3);
                CHECK(sc->n_syscalls == 3 && sc->syscalls[1].action == HUSK_SCMP_ACT_ERRNO &&
                      sc->syscalls[1].errno_ret.v == 38 && sc->syscalls[1].n_args == 1 &&
                      sc->syscalls[1].args[0].op == HUSK_SCMP_CMP_MASKED_EQ &&
                      sc->syscalls[1].args[0].value == 18446744073709551615ULL && sc->syscalls[1].args[0].value_two == 7);
                CHECK(sc->n_syscalls == 3 && sc->syscalls[2].action == HUSK_SCMP_ACT_NOTIFY);
        }
        CHECK(streq(l->rootfs_propagation, "rslave"));
        CHECK(strv_length(l->masked_paths) == 2 && strv_length(l->readonly_paths) == 1);
        CHECK(streq(l->mount_label, "system_u:object_r:container_file_t:s0"));
        CHECK(l->personality && streq(l->personality->domain, "LINUX32"));
        CHECK(l->memory_policy && streq(l->memory_policy->mode, "MPOL_INTERLEAVE") &&
              streq(l->memory_policy->nodes, "0-1") && strv_length(l->memory_policy->flags) == 1);
        CHECK(l->n_net_devices == 2);
        spec_free(s);
}

static void test_minimal(const char *root)
{
        _cleanup_free_ char *path = xasprintf("%s/valid/minimal.json", root);
        struct husk_error err = { 0 };
        struct husk_spec *s = parse_file(path, &err);
        CHECK(s != NULL);
        if (!s)
                return;
        CHECK(s->process == NULL && s->linux == NULL && s->n_mounts == 0 && s->mounts == NULL);
        CHECK(!spec_has_namespace(s, CLONE_NEWPID));
        CHECK(spec_annotation(s, "x") == NULL);
        spec_free(s);
}

/* Small facts about other valid fixtures. */
static void test_fixture_details(const char *root)
{
        struct husk_error err = { 0 };
        _cleanup_free_ char *p1 = xasprintf("%s/valid/seccomp-empty.json", root);
        struct husk_spec *s = parse_file(p1, &err);
        CHECK(s && s->linux && s->linux->seccomp == NULL);
        spec_free(s);

        _cleanup_free_ char *p2 = xasprintf("%s/valid/nulls-and-unknown.json", root);
        s = parse_file(p2, &err);
        CHECK(s && s->process == NULL && s->hostname == NULL && !s->root_readonly && s->n_mounts == 1 &&
              s->mounts[0].options == NULL && s->linux && s->linux->seccomp == NULL && !s->linux->resources &&
              s->linux->n_namespaces == 0);
        spec_free(s);

        _cleanup_free_ char *p3 = xasprintf("%s/valid/joined-namespaces.json", root);
        s = parse_file(p3, &err);
        const struct husk_namespace *ns = spec_namespace(s, CLONE_NEWUSER);
        CHECK(ns && streq(ns->path, "/proc/1234/ns/user") && s->linux->n_uid_mappings == 0);
        ns = spec_namespace(s, CLONE_NEWNS);
        CHECK(ns && ns->path == NULL);
        spec_free(s);

        _cleanup_free_ char *p4 = xasprintf("%s/valid/seccomp-heavy.json", root);
        s = parse_file(p4, &err);
        CHECK(s && s->linux->seccomp && s->linux->seccomp->n_syscalls == 16 &&
              strv_length(s->linux->seccomp->syscalls[0].names) > 100 &&
              s->linux->seccomp->syscalls[7].n_args == 2 && s->linux->seccomp->syscalls[7].args[1].index == 5 &&
              s->linux->seccomp->syscalls[9].action == HUSK_SCMP_ACT_TRACE);
        spec_free(s);

        _cleanup_free_ char *p5 = xasprintf("%s/valid/process-extras.json", root);
        s = parse_file(p5, &err);
        CHECK(s && s->process->n_rlimits == 16 && s->process->user.uid == 2147483647u &&
              s->process->user.umask.set && s->process->user.umask.v == 0 &&
              s->process->scheduler->policy_num == SCHED_FIFO && s->process->scheduler->priority == 50 &&
              s->process->io_priority->class_num == 1 && s->process->exec_cpu_affinity_final == NULL &&
              s->process->exec_cpu_affinity_initial == NULL);
        spec_free(s);
}

static void test_map_duplicates(void)
{
        const char *doc = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
                          "\"annotations\":{\"k\":\"first\",\"other\":\"x\",\"k\":\"last\",\"n\":null},"
                          "\"linux\":{\"namespaces\":[{\"type\":\"time\"}],"
                          "\"timeOffsets\":{\"boottime\":{\"secs\":5},\"boottime\":{\"nanosecs\":7}}}}";
        struct husk_spec *s = NULL;
        struct husk_error err = { 0 };
        ok(spec_parse(doc, strlen(doc), "config.json", &s, &err) == 0, "map duplicates parse %s", err.msg);
        CHECK(s && s->n_annotations == 2 && streq(spec_annotation(s, "k"), "last"));
        CHECK(s && s->linux->time_boottime.set && s->linux->time_boottime.secs == 0 &&
              s->linux->time_boottime.nanosecs == 7);
        spec_free(s);
}

/* Optional strings that are "" read as absent, like in runc. */
static void test_empty_strings(void)
{
        const char *doc = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"\","
                          "\"mounts\":[{\"destination\":\"/m\",\"source\":\"\",\"type\":\"\"}],"
                          "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"\"}],\"cgroupsPath\":\"\","
                          "\"rootfsPropagation\":\"\",\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"\"}]}}}";
        struct husk_spec *s = NULL;
        struct husk_error err = { 0 };
        /* ... except a device rule's access, which runc rejects when empty. */
        ok(spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0 && strstr(err.msg, "devices[0].access"),
           "empty access rejected: %s", err.msg);
        _cleanup_free_ char *fixed = xstrdup(doc);
        char *a = strstr(fixed, "\"access\":\"\"");
        memcpy(a, "\"aXcess\"", 8);
        ok(spec_parse(fixed, strlen(fixed), "config.json", &s, &err) == 0, "empty strings parse %s", err.msg);
        CHECK(s && s->hostname == NULL && s->mounts[0].source == NULL && s->mounts[0].type == NULL);
        CHECK(s && s->linux->namespaces[0].path == NULL && s->linux->cgroups_path == NULL &&
              s->linux->rootfs_propagation == NULL && s->linux->resources->devices[0].access == NULL);
        spec_free(s);
}

static void test_default(bool rootless)
{
        _cleanup_free_ char *json = spec_default_json(rootless);
        CHECK(json != NULL);
        if (!json)
                return;
        struct husk_error err = { 0 };
        struct husk_spec *s = NULL;
        int r = spec_parse(json, strlen(json), "default", &s, &err);
        ok(r == 0, "spec_default_json(%d) parses back %s", rootless, r == 0 ? "" : err.msg);
        if (r < 0)
                return;
        CHECK(streq(s->oci_version, "1.3.0"));
        CHECK(streq(s->root_path, "rootfs") && s->root_readonly);
        CHECK(s->process && s->process->terminal && streq(s->process->args[0], "sh"));
        CHECK(s->process && s->process->n_rlimits == 1 && s->process->rlimits[0].resource == RLIMIT_NOFILE);
        CHECK(s->n_mounts == 7);
        CHECK(spec_has_namespace(s, CLONE_NEWPID) && spec_has_namespace(s, CLONE_NEWNS));
        CHECK(spec_has_namespace(s, CLONE_NEWNET) == !rootless);
        CHECK(spec_has_namespace(s, CLONE_NEWUSER) == rootless);
        if (rootless)
                CHECK(s->linux->n_uid_mappings == 1 && s->linux->uid_mappings[0].host_id == geteuid() &&
                      s->linux->resources == NULL);
        else
                CHECK(s->linux->resources && s->linux->resources->n_devices == 1 && s->linux->n_uid_mappings == 0);
        CHECK(strv_length(s->linux->masked_paths) == 10 && strv_length(s->linux->readonly_paths) == 5);
        spec_free(s);
}

static void test_process_doc(void)
{
        const char *good = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"user\":{\"uid\":5,\"gid\":6},\"env\":[\"A=b\"]}";
        struct husk_process *p = NULL;
        struct husk_error err = { 0 };
        CHECK(spec_parse_process(good, strlen(good), "process.json", &p, &err) == 0);
        CHECK(p && p->user.uid == 5 && p->user.gid == 6 && streq(p->args[0], "ls"));
        spec_process_free(p);

        const char *bad = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"user\":{\"uid\":-5}}";
        p = NULL;
        CHECK(spec_parse_process(bad, strlen(bad), "process.json", &p, &err) < 0 && p == NULL);
        ok(strstr(err.msg, "process.json: user.uid: expected a non-negative integer") != NULL, "process doc: %s",
           err.msg);

        const char *rel = "{\"args\":[\"ls\"],\"cwd\":\"tmp\"}";
        CHECK(spec_parse_process(rel, strlen(rel), "p.json", &p, &err) < 0);
        ok(strstr(err.msg, "p.json: cwd: must be an absolute path") != NULL, "process doc: %s", err.msg);

        const char *noargs = "{\"cwd\":\"/\"}";
        CHECK(spec_parse_process(noargs, strlen(noargs), "p.json", &p, &err) < 0);
        ok(strstr(err.msg, "args: required") != NULL, "process doc: %s", err.msg);
}

static void test_resources_doc(void)
{
        const char *good = "{\"memory\":{\"limit\":-1,\"swap\":1073741824},\"pids\":{\"limit\":100},"
                           "\"cpu\":{\"shares\":512,\"cpus\":\"0\"}}";
        struct husk_resources *r = NULL;
        struct husk_error err = { 0 };
        CHECK(spec_parse_resources(good, strlen(good), "resources.json", &r, &err) == 0);
        CHECK(r && r->memory && r->memory->limit.v == -1 && r->memory->swap.v == 1073741824);
        CHECK(r && r->has_pids && r->pids_limit.v == 100 && r->cpu && r->cpu->shares.v == 512);
        spec_resources_free(r);

        const char *unset = "{\"memory\":{\"swappiness\":18446744073709551615}}";
        r = NULL;
        CHECK(spec_parse_resources(unset, strlen(unset), "resources.json", &r, &err) == 0 && r &&
              !r->memory->swappiness.set);
        spec_resources_free(r);

        const char *bad = "{\"memory\":{\"limit\":\"1g\"}}";
        r = NULL;
        CHECK(spec_parse_resources(bad, strlen(bad), "resources.json", &r, &err) < 0 && r == NULL);
        ok(strstr(err.msg, "memory.limit: expected an integer, got \"1g\"") != NULL, "resources doc: %s", err.msg);

        const char *badunified = "{\"unified\":{\"../../etc/passwd\":\"x\"}}";
        CHECK(spec_parse_resources(badunified, strlen(badunified), "r.json", &r, &err) < 0);
        ok(strstr(err.msg, "not a cgroup file name") != NULL, "resources doc: %s", err.msg);
}

static void expect_fail(const char *json, size_t len, const char *want)
{
        struct husk_spec *s = NULL;
        struct husk_error err = { 0 };
        int r = spec_parse(json, len, "config.json", &s, &err);
        ok(r < 0 && s == NULL && strstr(err.msg, want), "rejects (%s): %s", want, err.msg);
        spec_free(s);
}

static void test_raw_documents(void)
{
        /* Nesting deep enough to blow yajl_tree_free's recursion. */
        size_t depth = 100000;
        char *deep = xmalloc(depth + 1);
        memset(deep, '[', depth);
        deep[depth] = '\0';
        expect_fail(deep, depth, "nested deeper than");
        free(deep);

        const char nul[] = "{\"ociVersion\":\"1.0.0\",\0}";
        expect_fail(nul, sizeof(nul) - 1, "NUL byte");
        const char *esc = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
                          "\"mounts\":[{\"destination\":\"/a\\u0000b\"}]}";
        expect_fail(esc, strlen(esc), "\\u0000");
        expect_fail("", 0, "config.json: invalid JSON");
        expect_fail("[]", 2, "expected a JSON object");
        expect_fail("{} {}", 5, "invalid JSON");

        /* Escaped quotes and backslashes do not confuse the pre-scan. */
        const char *tricky = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
                             "\"annotations\":{\"a\":\"[[[\\\\\",\"b\":\"\\\"{\\\\u0000\"}}";
        struct husk_spec *s = NULL;
        struct husk_error err = { 0 };
        ok(spec_parse(tricky, strlen(tricky), "config.json", &s, &err) == 0, "tricky strings parse %s", err.msg);
        CHECK(s && streq(spec_annotation(s, "a"), "[[[\\") && streq(spec_annotation(s, "b"), "\"{\\u0000"));
        spec_free(s);

        static const char *const versions[] = { "1.0.2-dev", "1.2.0+dev", "1.0.0-rc5", "1.3.0-rc.1+build.5",
                                                "0.5.0", "1.10.100" };
        for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
                _cleanup_free_ char *doc = xasprintf("{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"}}", versions[i]);
                s = NULL;
                ok(spec_parse(doc, strlen(doc), "config.json", &s, &err) == 0, "ociVersion %s accepted %s",
                   versions[i], s ? "" : err.msg);
                spec_free(s);
        }
        static const char *const bad_versions[] = { "1", "1.0.", "v1.0.0", "1.0.0-", "1.0.0+", "1.0.0 " };
        for (size_t i = 0; i < ARRAY_SIZE(bad_versions); i++) {
                _cleanup_free_ char *doc =
                        xasprintf("{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"}}", bad_versions[i]);
                expect_fail(doc, strlen(doc), "is not a SemVer version");
        }

        /* Duplicated keys: the last one wins, as in Go. */
        const char *dup = "{\"ociVersion\":\"1.0.0\",\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"}}";
        s = NULL;
        CHECK(spec_parse(dup, strlen(dup), "config.json", &s, &err) == 0 && streq(s->oci_version, "1.2.0"));
        spec_free(s);
}

static void test_load(void)
{
        char bundle[] = "/tmp/husk-test-spec-XXXXXX";
        CHECK(mkdtemp(bundle) != NULL);
        _cleanup_free_ char *cfg = xasprintf("%s/config.json", bundle);
        _cleanup_free_ char *json = spec_default_json(false);
        struct husk_error err = { 0 };
        int fd = open(cfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0 && write_all(fd, json, strlen(json)) == 0);
        if (fd >= 0)
                close(fd);

        struct husk_spec *s = NULL;
        ok(spec_load(bundle, &s, &err) == 0, "spec_load(%s) %s", bundle, err.msg);
        CHECK(s && s->process && streq(s->process->args[0], "sh"));
        spec_free(s);
        unlink(cfg);
        rmdir(bundle);

        s = NULL;
        CHECK(spec_load("/nonexistent-husk-bundle", &s, &err) < 0 && s == NULL);
        ok(strstr(err.msg, "config.json") != NULL, "spec_load missing: %s", err.msg);
}

/* Capability names from husk's own table (not libcap's build), and the
 * path cleaning linux.devices gets. */
static void test_cap_names_and_clean_paths(void)
{
        CHECK(spec_cap_number("CAP_CHOWN") == 0);
        CHECK(spec_cap_number("CAP_BPF") == 39);
        CHECK(spec_cap_number("CAP_CHECKPOINT_RESTORE") == 40);
        CHECK(spec_cap_number("cap_chown") < 0);
        CHECK(spec_cap_number("CHOWN") < 0);
        CHECK(spec_cap_number("CAP_NO_SUCH_THING") < 0);
        CHECK(spec_cap_number("CAP_") < 0);
        _cleanup_free_ char *n = spec_cap_name(38);
        CHECK(n && strcmp(n, "CAP_PERFMON") == 0);

        static const char *const cases[][2] = {
                { "/mnt/", "/mnt" },         { "//dev/./x", "/dev/x" }, { "/dev/x//", "/dev/x" },
                { "/dev/..", "/" },           { "/../../a", "/a" },      { "/a/b/../c", "/a/c" },
                { "/", "/" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *c = path_clean(cases[i][0]);
                ok(strcmp(c, cases[i][1]) == 0, "path_clean(%s) = %s, want %s", cases[i][0], c, cases[i][1]);
        }
}

static bool strv_eq_apart(char *const *a, char *const *b)
{
        if (!a || !b)
                return !a && !b;
        if (a == b || strv_length(a) != strv_length(b))
                return false;
        for (size_t i = 0; a[i]; i++)
                if (a[i] == b[i] || !streq(a[i], b[i]))
                        return false;
        return true;
}

static bool str_eq_apart(const char *a, const char *b)
{
        return (!a && !b) || (a && b && a != b && streq(a, b));
}

/* spec_process_copy: equal values, no shared memory (husk exec changes the
 * copy; the parsed spec must stay as it was). */
static void test_process_copy(const char *root)
{
        _cleanup_free_ char *path = xasprintf("%s/valid/everything.json", root);
        struct husk_error err = { 0 };
        struct husk_spec *s = parse_file(path, &err);
        ok(s && s->process, "everything.json parses %s", s ? "" : err.msg);
        if (!s || !s->process)
                return;
        const struct husk_process *p = s->process;
        struct husk_process *c = spec_process_copy(p);
        CHECK(c && c != p);
        CHECK(c->terminal == p->terminal && c->console_height == p->console_height && c->user.uid == p->user.uid &&
              c->user.umask.v == p->user.umask.v && c->no_new_privileges == p->no_new_privileges &&
              c->oom_score_adj.v == p->oom_score_adj.v);
        CHECK(c->user.n_additional_gids == p->user.n_additional_gids && c->user.additional_gids != p->user.additional_gids &&
              memcmp(c->user.additional_gids, p->user.additional_gids, p->user.n_additional_gids * sizeof(uint32_t)) == 0);
        CHECK(str_eq_apart(c->user.username, p->user.username) && str_eq_apart(c->cwd, p->cwd) &&
              str_eq_apart(c->command_line, p->command_line) && str_eq_apart(c->apparmor_profile, p->apparmor_profile) &&
              str_eq_apart(c->selinux_label, p->selinux_label) &&
              str_eq_apart(c->exec_cpu_affinity_initial, p->exec_cpu_affinity_initial) &&
              str_eq_apart(c->exec_cpu_affinity_final, p->exec_cpu_affinity_final));
        CHECK(strv_eq_apart(c->args, p->args) && strv_eq_apart(c->env, p->env));
        CHECK(strv_eq_apart(c->capabilities.bounding, p->capabilities.bounding) &&
              strv_eq_apart(c->capabilities.effective, p->capabilities.effective) &&
              strv_eq_apart(c->capabilities.inheritable, p->capabilities.inheritable) &&
              strv_eq_apart(c->capabilities.permitted, p->capabilities.permitted) &&
              strv_eq_apart(c->capabilities.ambient, p->capabilities.ambient));
        CHECK(c->n_rlimits == p->n_rlimits && p->n_rlimits > 0 && c->rlimits != p->rlimits &&
              str_eq_apart(c->rlimits[0].type, p->rlimits[0].type) && c->rlimits[0].hard == p->rlimits[0].hard);
        CHECK(p->scheduler && c->scheduler && c->scheduler != p->scheduler &&
              str_eq_apart(c->scheduler->policy, p->scheduler->policy) &&
              strv_eq_apart(c->scheduler->flags, p->scheduler->flags) && c->scheduler->nice == p->scheduler->nice);
        CHECK(p->io_priority && c->io_priority && c->io_priority != p->io_priority &&
              str_eq_apart(c->io_priority->class_name, p->io_priority->class_name) &&
              c->io_priority->priority == p->io_priority->priority);
        spec_free(s);
        /* still whole once the spec is gone (ASan/valgrind would see a dangling pointer) */
        CHECK(c->args && c->args[0] && c->cwd && c->cwd[0] == '/');
        spec_process_free(c);
        CHECK(spec_process_copy(NULL) == NULL);
}

/* A document with linux.seccomp = seccomp (JSON text). */
static bool seccomp_doc_ok(const char *seccomp, struct husk_error *err)
{
        _cleanup_free_ char *doc = xasprintf("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
                                             "\"linux\":{\"seccomp\":%s}}",
                                             seccomp);
        struct husk_spec *s = NULL;
        int r = spec_parse(doc, strlen(doc), "config.json", &s, err);
        spec_free(s);
        return r == 0;
}

/* linux.seccomp's rules live in spec/validate.c alone (linux/seccomp.c
 * only checks what the running kernel has). */
static void test_seccomp_rules(void)
{
        struct husk_error err = { 0 };
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                              "\"SCMP_ARCH_FOO\"]}", &err) && strstr(err.msg, "SCMP_ARCH_FOO"));
        ok(seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                          "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\"]}", &err),
           "known arches: %s", err.msg);
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_BOGUS\"]}",
                              &err) && strstr(err.msg, "SECCOMP_FILTER_FLAG_BOGUS"));
        ok(seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\","
                          "\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
                          "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}", &err),
           "known flags: %s", err.msg);
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", &err) && strstr(err.msg, "default action"));
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\",\"syscalls\":"
                              "[{\"names\":[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err) &&
              strstr(err.msg, "write"));
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
                              "[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err) &&
              strstr(err.msg, "linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set"));
        ok(seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\",\"syscalls\":"
                          "[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", &err),
           "NOTIFY with listener: %s", err.msg);
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
                              "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
                              "\"op\":\"SCMP_CMP_EQ\"}]}]}", &err) &&
              strstr(err.msg, "syscalls[0].args[0].index"));
        CHECK(!seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
                              "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
                              "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":3,\"op\":"
                              "\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":4,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,"
                              "\"value\":5,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":6,\"op\":\"SCMP_CMP_EQ\"},"
                              "{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}]}]}", &err) &&
              strstr(err.msg, "linux.seccomp.syscalls[0].args: at most 6 conditions, got 7"));
        /* runtime-spec names the linked libseccomp can't filter for are refused, not ignored */
        bool loong = seccomp_arch_resolve_name("loongarch64") != 0;
        ok(seccomp_doc_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_LOONGARCH64\"]}",
                          &err) == loong,
           "SCMP_ARCH_LOONGARCH64 accepted iff libseccomp knows it (%d): %s", loong, err.msg);
        if (!loong)
                CHECK(strstr(err.msg, "architecture \"SCMP_ARCH_LOONGARCH64\" is not supported by libseccomp"));
}

/* process rules owned by spec/validate.c, on structs as the mechanisms'
 * tests build them */
static void test_process_rules(void)
{
        struct husk_error err = { 0 };
        static char *args[] = { "sh", NULL };
        static char *bad_flags[] = { "SCHED_FLAG_BOGUS", NULL };
        static char *flags[] = { "SCHED_FLAG_RESET_ON_FORK", NULL };
        struct husk_scheduler sch = { .policy = "SCHED_RR", .policy_num = SCHED_RR, .priority = 1, .flags = bad_flags };
        struct husk_process p = { .args = args, .cwd = "/", .scheduler = &sch };
        CHECK(spec_validate_process(&p, "process", &err) < 0 && strstr(err.msg, "SCHED_FLAG_BOGUS"));
        sch.flags = flags;
        ok(spec_validate_process(&p, "process", &err) == 0, "known scheduler flag: %s", err.msg);
        /* nice: one range for every policy (sched.c checked it for all, validate.c for OTHER/BATCH) */
        sch.nice = 20;
        CHECK(spec_validate_process(&p, "process", &err) < 0 &&
              strstr(err.msg, "process.scheduler.nice: 20 out of range (-20..19) for SCHED_RR"));
        sch.nice = 0;
        /* execCPUAffinity: empty and beyond a cpu_set_t are refused here, not when applied */
        p.exec_cpu_affinity_initial = "";
        CHECK(spec_validate_process(&p, "process", &err) < 0 && strstr(err.msg, "execCPUAffinity.initial"));
        p.exec_cpu_affinity_initial = "0,1024";
        CHECK(spec_validate_process(&p, "process", &err) < 0 && strstr(err.msg, "cpu 1024 is above the limit 1023"));
        p.exec_cpu_affinity_initial = NULL;

        /* linux.sysctl keys: namespaced ones only, no ".." (sysctl.c checked that at create) */
        const char *bad_key = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":"
                              "[{\"type\":\"network\"}],\"sysctl\":{\"net..ipv4\":\"1\"}}}";
        struct husk_spec *s = NULL;
        CHECK(spec_parse(bad_key, strlen(bad_key), "config.json", &s, &err) < 0 &&
              strstr(err.msg, "linux.sysctl: invalid key \"net..ipv4\""));
        spec_free(s);
        const char *user_key = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":"
                               "[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,"
                               "\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                               "\"sysctl\":{\"user.max_user_namespaces\":\"1\"}}}";
        s = NULL;
        CHECK(spec_parse(user_key, strlen(user_key), "config.json", &s, &err) < 0 &&
              strstr(err.msg, "not in a namespace the container owns"));
        spec_free(s);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
                return 2;
        }
        const char *root = argv[1];

        size_t nv = run_valid(root);
        size_t ni = run_invalid(root);
        ok(nv >= 12, "at least 12 valid fixtures (%zu)", nv);
        ok(ni >= 30, "at least 30 invalid fixtures (%zu)", ni);

        test_conversions();
        test_minimal(root);
        test_everything(root);
        test_fixture_details(root);
        test_map_duplicates();
        test_empty_strings();
        test_default(false);
        test_default(true);
        test_process_doc();
        test_resources_doc();
        test_raw_documents();
        test_load();
        test_cap_names_and_clean_paths();
        test_process_copy(root);
        test_seccomp_rules();
        test_process_rules();

        return tap_done();
}
