/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process attributes applied in forked children: capabilities after setuid,
 * rlimits and their error messages, user/groups/umask, scheduler, I/O
 * priority, personality, CPU affinity, oom_score_adj, sysctl (in private
 * namespaces) — plus the side-effect-free parsers and validators. The
 * children change only themselves; the host is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/process.h"
#include "util/procfs.h"
#include "util/util.h"
#include "tap.h"
#include "util/cpulist.h"

/* The rules on these values are spec/validate.c's (the mechanisms only
 * apply): check them there, on the structs the mechanisms get. */
static char *validate_args[] = { "sh", NULL };

static int validate_process(struct husk_process p, struct husk_error *err)
{
        p.args = validate_args;
        p.cwd = "/";
        husk_error_clear(err);
        return spec_validate_process(&p, "process", err);
}

static int validate_spec(struct husk_spec spec, struct husk_error *err)
{
        spec.oci_version = "1.0.0";
        spec.root_path = "rootfs";
        husk_error_clear(err);
        return spec_validate(&spec, err);
}

/* Run fn in a child: its checks count as ours (tap.h); it exits 1 if any failed. */
static void in_child(const char *what, void (*fn)(void))
{
        int before = tap_failures();
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                fn();
                _exit(tap_failures() > before ? 1 : 0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s (status 0x%x)", what, st);
}

/* The value of "Key:" in /proc/self/status, or "" */
static void status_field(const char *key, char *out, size_t size)
{
        _cleanup_free_ char *s = NULL;
        struct husk_error err;
        size_t klen = strlen(key);

        out[0] = '\0';
        if (read_file_at(AT_FDCWD, "/proc/self/status", &s, NULL, &err) < 0)
                return;
        for (char *line = s; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        const char *v = line + klen + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        snprintf(out, size, "%s", v);
                        return;
                }
                line = nl ? nl + 1 : NULL;
        }
}

static unsigned long long status_hex(const char *key)
{
        char v[128];
        status_field(key, v, sizeof(v));
        return strtoull(v, NULL, 16);
}

/* ---------------- capabilities + user ---------------- */

static char *bnd[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_UNKNOWN", "not_a_cap", NULL };
static char *prm[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static char *eff[] = { "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static char *inh[] = { "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
/* CAP_CHOWN is not inheritable: the kernel refuses it as ambient (warning). */
static char *amb[] = { "CAP_NET_BIND_SERVICE", "CAP_CHOWN", NULL };

static void child_caps_after_setuid(void)
{
        struct husk_caps caps = { .bounding = bnd, .effective = eff, .inheritable = inh, .permitted = prm,
                                  .ambient = amb };
        uint32_t groups[] = { 1000, 2000 };
        struct husk_user u = { .uid = 1000, .gid = 1001, .umask = { true, 027 },
                               .additional_gids = groups, .n_additional_gids = 2 };
        struct husk_error err = { 0 };
        char v[256];

        /* (names: spec/validate.c refuses an empty one and lets unknown ones
         * through; the sets here have unknown ones on purpose, for
         * caps_apply's warning) */
        static char *empty_name[] = { "", NULL };
        CHECK(validate_process((struct husk_process){ .has_capabilities = true,
                                                      .capabilities = { .bounding = empty_name } },
                               &err) < 0 &&
                      strstr(err.msg, "process.capabilities.bounding[0]"),
              "%s", err.msg);
        CHECK(caps_drop_bounding(&caps, -1, &err) == 0, "%s", err.msg);
        CHECK(caps_keep_on_setuid(&err) == 0, "%s", err.msg);
        CHECK(user_apply(&u, true, &err) == 0, "%s", err.msg);
        CHECK(caps_apply(&caps, -1, &err) == 0, "%s", err.msg);

        /* CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10 */
        CHECK(status_hex("CapBnd") == 0x421, "CapBnd %llx", status_hex("CapBnd"));
        CHECK(status_hex("CapPrm") == 0x421, "CapPrm %llx", status_hex("CapPrm"));
        CHECK(status_hex("CapEff") == 0x420, "CapEff %llx", status_hex("CapEff"));
        CHECK(status_hex("CapInh") == 0x420, "CapInh %llx", status_hex("CapInh"));
        CHECK(status_hex("CapAmb") == 0x400, "CapAmb %llx", status_hex("CapAmb"));

        status_field("Uid", v, sizeof(v));
        CHECK(strcmp(v, "1000\t1000\t1000\t1000") == 0, "Uid %s", v);
        status_field("Gid", v, sizeof(v));
        CHECK(strcmp(v, "1001\t1001\t1001\t1001") == 0, "Gid %s", v);
        status_field("Groups", v, sizeof(v));
        CHECK(strncmp(v, "1000 2000", 9) == 0, "Groups %s", v);
        status_field("Umask", v, sizeof(v));
        CHECK(strcmp(v, "0027") == 0, "Umask %s", v);
}

static void child_caps_absent(void)
{
        struct husk_error err = { 0 };

        CHECK(caps_drop_bounding(NULL, -1, &err) == 0, "%s", err.msg);
        CHECK(caps_apply(NULL, -1, &err) == 0, "%s", err.msg);
        CHECK(status_hex("CapBnd") == 0, "CapBnd %llx", status_hex("CapBnd"));
        CHECK(status_hex("CapPrm") == 0, "CapPrm %llx", status_hex("CapPrm"));
        CHECK(status_hex("CapEff") == 0, "CapEff %llx", status_hex("CapEff"));
        CHECK(status_hex("CapInh") == 0, "CapInh %llx", status_hex("CapInh"));
        CHECK(status_hex("CapAmb") == 0, "CapAmb %llx", status_hex("CapAmb"));
}

/* Root keeps its uid: the sets are exactly the spec's too. */
static void child_caps_as_root(void)
{
        struct husk_caps caps = { .bounding = prm, .effective = prm, .inheritable = NULL, .permitted = prm };
        struct husk_error err = { 0 };

        CHECK(caps_drop_bounding(&caps, -1, &err) == 0, "%s", err.msg);
        CHECK(caps_apply(&caps, -1, &err) == 0, "%s", err.msg);
        CHECK(status_hex("CapBnd") == 0x421, "CapBnd %llx", status_hex("CapBnd"));
        CHECK(status_hex("CapEff") == 0x421, "CapEff %llx", status_hex("CapEff"));
        CHECK(status_hex("CapPrm") == 0x421, "CapPrm %llx", status_hex("CapPrm"));
        CHECK(status_hex("CapInh") == 0, "CapInh %llx", status_hex("CapInh"));
        CHECK(status_hex("CapAmb") == 0, "CapAmb %llx", status_hex("CapAmb"));
}

static void child_caps_effective_not_permitted(void)
{
        static char *p[] = { "CAP_KILL", NULL };
        static char *e[] = { "CAP_KILL", "CAP_CHOWN", NULL };
        struct husk_caps caps = { .bounding = e, .effective = e, .permitted = p };
        struct husk_error err = { 0 };

        CHECK(caps_apply(&caps, -1, &err) < 0 && err.errnum == EPERM, "effective beyond permitted must fail: %s",
               err.msg);
}

static void child_user_no_setgroups(void)
{
        uint32_t groups[] = { 3000 };
        struct husk_user u = { .uid = 0, .gid = 0, .additional_gids = groups, .n_additional_gids = 1 };
        struct husk_error err = { 0 };
        gid_t g[1] = { 4000 };
        char v[256];

        CHECK(setgroups(1, g) == 0, "setgroups: %s", strerror(errno));
        umask(0);
        CHECK(user_apply(&u, false, &err) == 0, "%s", err.msg);
        status_field("Groups", v, sizeof(v));
        CHECK(strncmp(v, "4000", 4) == 0, "groups must be left alone: %s", v);
        status_field("Umask", v, sizeof(v));
        CHECK(strcmp(v, "0022") == 0, "default umask 0022: %s", v);

        /* Allowed and empty: clears the groups. */
        u.n_additional_gids = 0;
        CHECK(user_apply(&u, true, &err) == 0, "%s", err.msg);
        status_field("Groups", v, sizeof(v));
        CHECK(v[0] == '\0', "groups must be empty: %s", v);
}

static void child_user_error_names_ids(void)
{
        struct husk_user u = { .uid = 1000, .gid = 1000 };
        struct husk_user back = { .uid = 0, .gid = 0 };
        struct husk_error err = { 0 };

        /* Become 1000 without keepcaps: then switching back must fail and say
         * which id. */
        CHECK(user_apply(&u, true, &err) == 0, "%s", err.msg);
        CHECK(user_apply(&back, false, &err) < 0 && strstr(err.msg, "gid 0"), "error names the gid: %s", err.msg);
}

/* ---------------- rlimits ---------------- */

static void child_rlimits(void)
{
        struct husk_rlimit ok[] = {
                { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 100, .hard = 200 },
                { .type = "RLIMIT_CORE", .resource = RLIMIT_CORE, .soft = 0, .hard = 0 },
        };
        struct husk_rlimit soft_gt_hard = { .type = "RLIMIT_NPROC", .resource = RLIMIT_NPROC, .soft = 10, .hard = 5 };
        struct husk_rlimit too_high = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 1024,
                                        .hard = 1048576 };
        struct husk_error err = { 0 };
        struct rlimit r;

        /* Above the host's hard limit, without CAP_SYS_RESOURCE. */
        getrlimit(RLIMIT_NOFILE, &r);
        bool can_raise = false;
        {
                /* Does this process have CAP_SYS_RESOURCE (bit 24)? */
                can_raise = (status_hex("CapEff") >> 24) & 1;
        }
        if (!can_raise && r.rlim_max < 1048576) {
                char want[256];
                snprintf(want, sizeof(want),
                         "rlimit RLIMIT_NOFILE: hard limit 1048576 exceeds the caller's hard limit %llu (husk lacks CAP_SYS_RESOURCE)",
                         (unsigned long long)r.rlim_max);
                CHECK(rlimits_apply(&too_high, 1, &err) < 0 && strcmp(err.msg, want) == 0, "got \"%s\"", err.msg);
        }

        CHECK(rlimits_apply(ok, 2, &err) == 0, "%s", err.msg);
        getrlimit(RLIMIT_NOFILE, &r);
        CHECK(r.rlim_cur == 100 && r.rlim_max == 200, "NOFILE %llu/%llu", (unsigned long long)r.rlim_cur,
               (unsigned long long)r.rlim_max);
        getrlimit(RLIMIT_CORE, &r);
        CHECK(r.rlim_cur == 0 && r.rlim_max == 0, "CORE");

        /* (the rule is spec_validate's; the kernel refuses it too) */
        CHECK(rlimits_apply(&soft_gt_hard, 1, &err) < 0 && strstr(err.msg, "RLIMIT_NPROC") &&
                       strstr(err.msg, "set soft 10, hard 5"),
               "got \"%s\"", err.msg);

        /* Now the caller's hard limit is 200. */
        if (!can_raise)
                CHECK(rlimits_apply(&too_high, 1, &err) < 0 &&
                               strcmp(err.msg, "rlimit RLIMIT_NOFILE: hard limit 1048576 exceeds the caller's hard limit 200 (husk lacks CAP_SYS_RESOURCE)") == 0,
                       "got \"%s\"", err.msg);
}

/* ---------------- scheduler, ioprio, personality, affinity, oom ---------------- */

static void child_sched(void)
{
        struct husk_scheduler s = { .policy = "SCHED_BATCH", .policy_num = SCHED_BATCH, .nice = 5 };
        struct husk_io_priority io = { .class_name = "IOPRIO_CLASS_BE", .class_num = 2, .priority = 3 };
        struct husk_personality per = { .domain = "LINUX32" };
        struct husk_error err = { 0 };

        CHECK(scheduler_apply(&s, &err) == 0, "%s", err.msg);
        CHECK(sched_getscheduler(0) == SCHED_BATCH, "policy %d", sched_getscheduler(0));
        errno = 0;
        CHECK(getpriority(PRIO_PROCESS, 0) == 5, "nice %d", getpriority(PRIO_PROCESS, 0));

        CHECK(ioprio_apply(&io, &err) == 0, "%s", err.msg);
        long v = syscall(SYS_ioprio_get, 1, 0);
        CHECK(v == ((2 << 13) | 3), "ioprio %lx", v);

        CHECK(personality_apply(&per, &err) == 0, "%s", err.msg);
        CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX32, "personality %x", personality(0xffffffff));
        per.domain = "LINUX";
        CHECK(personality_apply(&per, &err) == 0, "%s", err.msg);
        CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX, "personality %x", personality(0xffffffff));

        CHECK(cpu_affinity_apply("0", &err) == 0, "%s", err.msg);
        cpu_set_t set;
        CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set),
               "affinity");
        CHECK(cpu_affinity_apply("0-1023", &err) == 0, "%s", err.msg);
        CHECK(cpu_affinity_apply("7-3", &err) < 0 && strstr(err.msg, "7-3"), "%s", err.msg);

        CHECK(oom_score_adj_apply(0, 500, &err) == 0, "%s", err.msg);
        _cleanup_free_ char *s1 = NULL;
        CHECK(read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", &s1, NULL, &err) == 0 && atoi(s1) == 500, "%s",
               s1 ? s1 : err.msg);
        CHECK(oom_score_adj_apply(0, 1001, &err) < 0, "out of range");
        /* This host's root lacks CAP_SYS_RESOURCE: lowering must be explained. */
        if (!((status_hex("CapEff") >> 24) & 1))
                CHECK(oom_score_adj_apply(0, -100, &err) < 0 && strstr(err.msg, "CAP_SYS_RESOURCE"), "%s", err.msg);
}

static int child_wait(void)
{
        pause();
        return 0;
}

static void test_oom_of_other_pid(void)
{
        struct husk_error err = { 0 };
        pid_t pid = fork();
        if (pid == 0)
                _exit(child_wait());
        CHECK(oom_score_adj_apply(pid, 300, &err) == 0, "%s", err.msg);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
        _cleanup_free_ char *s = NULL;
        CHECK(read_file_at(AT_FDCWD, path, &s, NULL, &err) == 0 && atoi(s) == 300, "%s", s ? s : err.msg);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

static void test_sched_validation(void)
{
        struct husk_error err = { 0 };
        struct husk_scheduler s = { .policy = "SCHED_OTHER", .policy_num = SCHED_OTHER, .priority = 5 };
        CHECK(validate_process((struct husk_process){ .scheduler = &s }, &err) < 0 && strstr(err.msg, "priority"), "%s",
              err.msg);
        s = (struct husk_scheduler){ .policy = "SCHED_OTHER", .policy_num = SCHED_OTHER, .nice = 20 };
        CHECK(validate_process((struct husk_process){ .scheduler = &s }, &err) < 0 && strstr(err.msg, "nice"), "%s",
              err.msg);
        s = (struct husk_scheduler){ .policy = "SCHED_RR", .policy_num = SCHED_RR, .runtime = 10 };
        CHECK(validate_process((struct husk_process){ .scheduler = &s }, &err) < 0 &&
                      strstr(err.msg, "SCHED_DEADLINE"),
              "%s", err.msg);
        /* (flag names: see test-spec) */
        static char *flags[] = { "SCHED_FLAG_RESET_ON_FORK", NULL };
        s = (struct husk_scheduler){ .policy = "SCHED_RR", .policy_num = SCHED_RR, .priority = 1, .flags = flags };
        CHECK(validate_process((struct husk_process){ .scheduler = &s }, &err) == 0, "%s", err.msg);

        struct husk_personality p = { .domain = "LINUX64" };
        struct husk_linux lx = { .personality = &p };
        CHECK(validate_spec((struct husk_spec){ .linux = &lx }, &err) < 0 && strstr(err.msg, "LINUX64"), "%s", err.msg);
}

/* ---------------- cpu lists ---------------- */

static void test_cpu_lists(void)
{
        static const struct {
                const char *list;
                const int cpus[8];      /* -1 terminated */
        } good[] = {
                { "0", { 0, -1 } },
                { "0-3,7", { 0, 1, 2, 3, 7, -1 } },
                { "7,0-1", { 0, 1, 7, -1 } },
                { "2-2", { 2, -1 } },
                { " 1 , 3 ", { 1, 3, -1 } },
                { "1023", { 1023, -1 } },
        };
        static const char *const bad[] = { "", "a", "3-1", "0-", "-1", "0,,1", "1,", "0-1024", "1 2", "0x1", "+1" };
        struct husk_error err = { 0 };
        cpu_set_t set;

        /* one parser (util/cpulist.c): blanks are the kernel's files' (cgroup
         * cpuset), config values are strict */
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                int n = 0;
                CHECK(cpulist_to_set(good[i].list, CPULIST_BLANKS, &set), "\"%s\"", good[i].list);
                for (; good[i].cpus[n] >= 0; n++)
                        CHECK(CPU_ISSET(good[i].cpus[n], &set), "\"%s\" has cpu %d", good[i].list, good[i].cpus[n]);
                CHECK(CPU_COUNT(&set) == n, "\"%s\": %d cpus, want %d", good[i].list, CPU_COUNT(&set), n);
                bool blanks = strchr(good[i].list, ' ') != NULL;
                CHECK(validate_process((struct husk_process){ .exec_cpu_affinity_initial = (char *)good[i].list },
                                       &err) == (blanks ? -1 : 0),
                      "execCPUAffinity \"%s\": %s", good[i].list, err.msg);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char quoted[64];
                snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
                CHECK(validate_process((struct husk_process){ .exec_cpu_affinity_initial = (char *)bad[i] }, &err) < 0 &&
                              strstr(err.msg, quoted),
                      "\"%s\" must fail: %s", bad[i], err.msg);
                if (*bad[i])
                        CHECK(!cpulist_to_set(bad[i], CPULIST_BLANKS, &set), "\"%s\" is not a cpu set", bad[i]);
        }
}

/* ---------------- sysctl ---------------- */

static void test_sysctl_validation(void)
{
        struct husk_namespace ipc = { .type = CLONE_NEWIPC, .type_name = "ipc" };
        struct husk_namespace net = { .type = CLONE_NEWNET, .type_name = "network" };
        struct husk_namespace uts = { .type = CLONE_NEWUTS, .type_name = "uts" };
        struct husk_namespace hostnet = { .type = CLONE_NEWNET, .type_name = "network", .path = "/proc/self/ns/net" };
        static const struct {
                const char *key;
                unsigned ns;            /* 1 ipc, 2 net, 4 uts, 8 joined host netns */
                bool ok;
        } cases[] = {
                { "kernel.msgmax", 1, true },
                { "kernel.msgmax", 0, false },
                { "kernel.shm_rmid_forced", 1, true },
                { "kernel/shmmax", 1, true },
                { "fs.mqueue.msg_max", 1, true },
                { "fs.mqueue.msg_max", 2 | 4, false },
                { "net.ipv4.ip_forward", 2, true },
                { "net.ipv4.ip_forward", 0, false },
                { "net.ipv4.ip_forward", 8, false },
                { "net/ipv4/conf/eno2.100/rp_filter", 2, true },
                { "kernel.domainname", 4, true },
                { "kernel.domainname", 0, false },
                { "kernel.hostname", 4, false },
                { "kernel.pid_max", 1 | 2 | 4, false },
                { "vm.swappiness", 1 | 2 | 4, false },
                { "kernel.msgmaxx", 1, false },
        };
        struct husk_error err = { 0 };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct husk_namespace nss[4];
                struct husk_linux lx = { 0 };
                struct husk_kv kv = { (char *)cases[i].key, "1" };
                struct husk_spec spec = { .linux = &lx };
                size_t n = 0;
                if (cases[i].ns & 1)
                        nss[n++] = ipc;
                if (cases[i].ns & 2)
                        nss[n++] = net;
                if (cases[i].ns & 4)
                        nss[n++] = uts;
                if (cases[i].ns & 8)
                        nss[n++] = hostnet;
                lx.namespaces = nss;
                lx.n_namespaces = n;
                lx.sysctl = &kv;
                lx.n_sysctl = 1;
                int r = validate_spec(spec, &err);
                if (r == 0)
                        r = sysctl_check_host(&spec, &err);
                CHECK((r == 0) == cases[i].ok, "sysctl %s with ns %u: want %s, got \"%s\"", cases[i].key, cases[i].ns,
                      cases[i].ok ? "ok" : "error", err.msg);
                if (!cases[i].ok)
                        CHECK(strstr(err.msg, "linux.sysctl") != NULL, "error names the field: %s", err.msg);
        }
}

/* Write sysctls in private net and IPC namespaces (root only). */
static void child_sysctl_apply(void)
{
        struct husk_kv kv[] = {
                { "net.ipv4.ip_forward", "1" },
                { "net/ipv4/conf/lo/forwarding", "1" },
                { "kernel.msgmax", "12345" },
        };
        struct husk_kv bad = { "net.ipv4.no_such_sysctl", "1" };
        struct husk_error err = { 0 };
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        if (unshare(CLONE_NEWNET | CLONE_NEWIPC) < 0) {
                tap_skip(4, "unshare net+ipc failed: sysctl apply not tested");
                return;
        }
        CHECK(sysctl_apply(kv, ARRAY_SIZE(kv), &err) == 0, "%s", err.msg);
        read_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", &a, NULL, &err);
        read_file_at(AT_FDCWD, "/proc/sys/net/ipv4/conf/lo/forwarding", &b, NULL, &err);
        read_file_at(AT_FDCWD, "/proc/sys/kernel/msgmax", &c, NULL, &err);
        CHECK(a && atoi(a) == 1, "ip_forward %s", a);
        CHECK(b && atoi(b) == 1, "lo forwarding %s", b);
        CHECK(c && atoi(c) == 12345, "msgmax %s", c);
        CHECK(sysctl_apply(&bad, 1, &err) < 0 && strstr(err.msg, "net.ipv4.no_such_sysctl"), "%s", err.msg);
}

/* ---------------- process_validate, LSM ---------------- */

static void test_process_validate(void)
{
        struct husk_error err = { 0 };
        struct husk_rlimit rl = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 10, .hard = 5 };
        struct husk_process p = { .cwd = "/" };

        CHECK(validate_process(p, &err) == 0, "%s", err.msg);
        CHECK(lsm_check_host(&p, &err) == 0, "%s", err.msg);
        p.rlimits = &rl;
        p.n_rlimits = 1;
        CHECK(validate_process(p, &err) < 0 && strstr(err.msg, "process.rlimits[0]") &&
                      strstr(err.msg, "soft limit 10 is above hard limit 5"),
              "%s", err.msg);
        p.n_rlimits = 0;
        p.exec_cpu_affinity_final = "1-0";
        CHECK(validate_process(p, &err) < 0 && strstr(err.msg, "process.execCPUAffinity.final"), "%s", err.msg);
        p.exec_cpu_affinity_final = NULL;
        p.oom_score_adj = (struct husk_opt_i64){ true, -1001 };
        CHECK(validate_process(p, &err) < 0 && strstr(err.msg, "oomScoreAdj"), "%s", err.msg);
        p.oom_score_adj.set = false;
        p.user.umask = (struct husk_opt_u64){ true, 010000 };
        CHECK(validate_process(p, &err) < 0 && strstr(err.msg, "process.user.umask: 10000 is not a file mode mask"),
              "%s", err.msg);
        p.user.umask.set = false;

        p.apparmor_profile = "husk-test-profile";
        int r = lsm_check_host(&p, &err);
        if (apparmor_enabled_host())
                CHECK(r == 0, "%s", err.msg);
        else
                CHECK(r < 0 && strstr(err.msg, "AppArmor is not enabled"), "%s", err.msg);
        p.apparmor_profile = NULL;
        p.selinux_label = "system_u:system_r:container_t:s0";
        r = lsm_check_host(&p, &err);
        if (selinux_enabled_host())
                CHECK(r == 0, "%s", err.msg);
        else
                CHECK(r < 0 && strstr(err.msg, "SELinux"), "%s", err.msg);
        p.selinux_label = NULL;
        CHECK(lsm_set_exec_labels(&p, &err) == 0, "no labels: nothing to do: %s", err.msg);
}

/* The LSM decision: which attr file gets what, and the errors when the host
 * lacks the LSM (neither is enabled on the CI host, so the probe is faked). */
static void test_lsm_plan(void)
{
        struct husk_error err;
        struct lsm_plan plan;
        struct husk_process p = { .cwd = "/" };
        struct lsm_host none = { .selinux_built = true }, aa = { .apparmor = true },
                        se = { .selinux_built = true, .selinux = true }, both = { true, true, true };

        CHECK(lsm_plan_exec(&p, &none, &plan, &err) == 0 && plan.n == 0, "no labels, no writes");
        p.apparmor_profile = "prof";
        CHECK(lsm_plan_exec(&p, &none, &plan, &err) < 0 && strstr(err.msg, "process.apparmorProfile") &&
                      strstr(err.msg, "\"prof\"") && strstr(err.msg, "AppArmor is not enabled"),
              "%s", err.msg);
        CHECK(lsm_plan_exec(&p, &aa, &plan, &err) == 0 && plan.n == 1, "%s", err.msg);
        CHECK(strcmp(plan.w[0].path, "/proc/thread-self/attr/apparmor/exec") == 0 &&
                      strcmp(plan.w[0].alt_path, "/proc/thread-self/attr/exec") == 0 && plan.w[0].len == 9 &&
                      memcmp(plan.w[0].data, "exec prof", 9) == 0,
              "apparmor write %s", plan.w[0].path);
        lsm_plan_free(&plan);
        p.apparmor_profile = NULL;
        p.selinux_label = "system_u:system_r:container_t:s0";
        CHECK(lsm_plan_exec(&p, &none, &plan, &err) < 0 && strstr(err.msg, "process.selinuxLabel") &&
                      strstr(err.msg, "SELinux is disabled"),
              "%s", err.msg);
        CHECK(lsm_plan_exec(&p, &aa, &plan, &err) < 0 && strstr(err.msg, "built without SELinux"), "%s", err.msg);
        CHECK(lsm_plan_exec(&p, &se, &plan, &err) == 0 && plan.n == 1 &&
                      strcmp(plan.w[0].path, "/proc/thread-self/attr/exec") == 0 && !plan.w[0].alt_path &&
                      plan.w[0].len == strlen(p.selinux_label) + 1 && plan.w[0].data[plan.w[0].len - 1] == '\0',
              "selinux write: %s", err.msg);
        lsm_plan_free(&plan);
        p.apparmor_profile = "prof";
        CHECK(lsm_plan_exec(&p, &se, &plan, &err) < 0 && strstr(err.msg, "AppArmor"), "%s", err.msg);
        CHECK(lsm_plan_exec(&p, &both, &plan, &err) == 0 && plan.n == 2 && strstr(plan.w[0].what, "AppArmor") &&
                      strstr(plan.w[1].what, "SELinux"),
              "both: AppArmor first, then SELinux");
        lsm_plan_free(&plan);
        lsm_plan_keycreate(p.selinux_label, &none, &plan);
        CHECK(plan.n == 0, "no keyring label without SELinux");
        lsm_plan_keycreate(p.selinux_label, &se, &plan);
        CHECK(plan.n == 1 && strcmp(plan.w[0].path, "/proc/thread-self/attr/keycreate") == 0, "keycreate");
        lsm_plan_free(&plan);
}

/* util/procfs.h: real procfs files open; symlinks, magic links and ".."
 * out of procfs do not, with openat2 and with the component walk. */
static void test_procfs(void)
{
        struct husk_error err;
        for (int walk = 0; walk < 2; walk++) {
                if (walk)
                        setenv("HUSK_NO_OPENAT2", "1", 1);
                _cleanup_free_ char *s = NULL;
                CHECK(procfs_read("/proc/self/status", &s, &err) == 0 && strstr(s, "Pid:"), "walk=%d: %s", walk, err.msg);
                free(s);
                s = NULL;
                CHECK(procfs_read("/proc/thread-self/comm", &s, &err) == 0, "walk=%d: %s", walk, err.msg);
                CHECK(procfs_open("/proc/self/root/etc/passwd", O_RDONLY, &err) < 0, "walk=%d: magic link followed", walk);
                CHECK(procfs_open("/proc/self/cwd", O_RDONLY, &err) < 0, "walk=%d: magic link followed", walk);
                CHECK(procfs_open("/proc/../etc/passwd", O_RDONLY, &err) < 0 && strstr(err.msg, "/proc/../etc/passwd"),
                      "walk=%d: .. left /proc: %s", walk, err.msg);
                CHECK(procfs_open("/etc/passwd", O_RDONLY, &err) < 0, "walk=%d: not under /proc", walk);
                CHECK(procfs_open("/proc/self/nonexistent", O_RDONLY, &err) < 0 && err.errnum == ENOENT &&
                              strstr(err.msg, "/proc/self/nonexistent"),
                      "walk=%d: %s", walk, err.msg);
        }
        unsetenv("HUSK_NO_OPENAT2");
}

int main(void)
{
        test_cpu_lists();
        test_lsm_plan();
        test_procfs();
        test_sysctl_validation();
        test_sched_validation();
        test_process_validate();

        if (geteuid() != 0) {
                tap_skip(1, "not root: the tests that change credentials");
                return tap_done();
        }
        in_child("caps after setuid", child_caps_after_setuid);
        in_child("caps absent", child_caps_absent);
        in_child("caps as root", child_caps_as_root);
        in_child("effective not in permitted", child_caps_effective_not_permitted);
        in_child("user without setgroups", child_user_no_setgroups);
        in_child("user errors", child_user_error_names_ids);
        in_child("rlimits", child_rlimits);
        in_child("scheduler, ioprio, personality, affinity, oom", child_sched);
        in_child("sysctl apply", child_sysctl_apply);
        test_oom_of_other_pid();

        return tap_done();
}
