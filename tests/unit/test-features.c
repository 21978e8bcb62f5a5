/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `husk features` lists exactly what husk accepts (issue 10):
 *
 *   test-features HUSK_BINARY
 *
 * runs `HUSK_BINARY features` and, for each list, feeds every name it
 * prints through spec_parse() (it must be accepted, and land where it
 * should), and candidates it does not print (the runtime-spec's other
 * names, near misses) through the same parser (they must be refused).
 * Mount options: every listed word must be one the mount code knows (not
 * passed to mount(2) as filesystem data). Output is TAP.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "husk/spec.h"
#include "tap.h"
#include "linux/rootfs.h"
#include "spec/names.h"
#include "util/util.h"

/* The output of `husk features`. */
static char *run_features(const char *husk)
{
        int p[2];
        if (pipe(p) < 0)
                return NULL;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(p[1], 1);
                close(p[0]);
                execl(husk, husk, "features", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        char *out = NULL;
        size_t len = 0;
        struct husk_error err = { 0 };
        int r = read_user_fd(p[0], "features", &out, &len, &err);
        close(p[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The strings of the array at path (NULL-terminated path of keys). */
static char **list_at(yajl_val doc, const char *const *path)
{
        yajl_val a = yajl_tree_get(doc, (const char **)path, yajl_t_array);
        char **v = NULL;
        for (size_t i = 0; a && i < a->u.array.len; i++)
                if (YAJL_IS_STRING(a->u.array.values[i]))
                        v = strv_append(v, YAJL_GET_STRING(a->u.array.values[i]));
        return v;
}

static bool listed(char *const *v, const char *name)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], name) == 0)
                        return true;
        return false;
}

/* Parse a config made of ociVersion, root and the members in fmt (a printf
 * format whose one %s is the name); *keep gets the spec when it parses. */
static bool parses(const char *fmt, const char *name, struct husk_spec **keep)
{
        _cleanup_free_ char *tail = xasprintf(fmt, name);
        _cleanup_free_ char *doc = xasprintf("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},%s}", tail);
        struct husk_spec *s = NULL;
        struct husk_error err = { 0 };
        int r = spec_parse(doc, strlen(doc), "config.json", &s, &err);
        if (keep && r == 0)
                *keep = s;
        else
                spec_free(s);
        return r == 0;
}

/* Every listed name parses; every candidate parses iff it is listed. */
static void check_list(const char *what, char *const *list, const char *fmt, const char *const *candidates)
{
        size_t bad = 0;
        ok(strv_length(list) > 0, "%s: features lists %zu", what, strv_length(list));
        for (size_t i = 0; list && list[i]; i++)
                if (!parses(fmt, list[i], NULL)) {
                        bad++;
                        ok(false, "%s: listed \"%s\" is refused", what, list[i]);
                }
        ok(bad == 0, "%s: every listed name is accepted", what);
        bad = 0;
        for (size_t i = 0; candidates[i]; i++) {
                bool in = listed(list, candidates[i]), acc = parses(fmt, candidates[i], NULL);
                if (in != acc) {
                        bad++;
                        ok(false, "%s: \"%s\" is %s but %s", what, candidates[i], in ? "listed" : "not listed",
                           acc ? "accepted" : "refused");
                }
        }
        ok(bad == 0, "%s: every unlisted candidate is refused", what);
}

static const char *const arches[] = {
        /* runtime-spec v1.3.0, and near misses */
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_VAX", "SCMP_ARCH_x86_64",
        "x86_64", "SCMP_ARCH_", "SCMP_ARCH_NATIVE", NULL,
};
static const char *const actions[] = {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_DENY", "scmp_act_allow",
        NULL,
};
static const char *const operators[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_XX", "EQ", NULL,
};
static const char *const flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_NEW_LISTENER",
        "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", "SECCOMP_FILTER_FLAG_BOGUS", NULL,
};
static const char *const namespaces[] = {
        "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", "net", "mnt", "PID", NULL,
};
/* The first CAPS_REAL are capabilities, the rest no names at all. */
#define CAPS_REAL 5
static const char *const caps[] = {
        "CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_BPF", "CAP_PERFMON", "CAP_CHECKPOINT_RESTORE", "CAP_NOPE", "cap_kill",
        "CAP_", "KILL", NULL,
};
static const char *const mpol_modes[] = {
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
        "MPOL_PREFERRED_MANY", "MPOL_LOCAL", "MPOL_BOGUS", NULL,
};
static const char *const mpol_flags[] = {
        "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES", "MPOL_F_BOGUS", NULL,
};

/* Capabilities: every listed name parses, and so does every unknown one
 * (runtime-spec: an unmappable capability is a warning, and the init drops
 * it); the list has the real names and none of the others. */
static void check_caps(char *const *list, const char *fmt)
{
        size_t bad = 0;
        ok(strv_length(list) > 0, "capabilities: features lists %zu", strv_length(list));
        for (size_t i = 0; list && list[i]; i++)
                if (!parses(fmt, list[i], NULL)) {
                        bad++;
                        ok(false, "capabilities: listed \"%s\" is refused", list[i]);
                }
        ok(bad == 0, "capabilities: every listed name is accepted");
        bad = 0;
        for (size_t i = 0; caps[i]; i++) {
                bool in = listed(list, caps[i]), real = i < CAPS_REAL;
                if (!parses(fmt, caps[i], NULL) || in != real) {
                        bad++;
                        ok(false, "capabilities: \"%s\" is %s (a %s)", caps[i], in ? "listed" : "not listed",
                           real ? "capability" : "bogus name");
                }
        }
        ok(bad == 0, "capabilities: unknown names are accepted and never listed");
}

#define PATH(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void check_hooks(char *const *list)
{
        size_t bad = 0;
        ok(strv_length(list) == HUSK_HOOK__MAX, "hooks: %zu listed", strv_length(list));
        for (size_t i = 0; list && list[i]; i++) {
                struct husk_spec *s = NULL;
                long k = spec_name_value(&spec_hook_names, list[i]);
                if (!parses("\"hooks\":{\"%s\":[{\"path\":\"/bin/true\"}]}", list[i], &s) || k < 0 ||
                    s->hooks[k].n != 1) {
                        bad++;
                        ok(false, "hooks: \"%s\" does not reach its hook list", list[i]);
                }
                spec_free(s);
        }
        ok(bad == 0, "hooks: every listed hook is parsed into its list");
}

static void check_mount_options(char *const *list)
{
        size_t bad = 0;
        ok(strv_length(list) > 0, "mountOptions: %zu listed", strv_length(list));
        for (size_t i = 0; list && list[i]; i++) {
                char *opts[] = { list[i], NULL };
                struct mount_flags mf;
                struct husk_error err = { 0 };
                if (mount_flags_parse(opts, &mf, &err) < 0 || mf.data) {
                        bad++;
                        ok(false, "mountOptions: \"%s\" is not an option word husk knows", list[i]);
                }
                mount_flags_free(&mf);
        }
        ok(bad == 0, "mountOptions: every listed word is known to the mount code");
        size_t n = 0;
        while (mount_option_word(n))
                n++;
        ok(n == strv_length(list), "mountOptions: all %zu known words are listed", n);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: %s HUSK_BINARY\n", argv[0]);
                return 2;
        }
        _cleanup_free_ char *out = run_features(argv[1]);
        char ebuf[256];
        yajl_val doc = out ? yajl_tree_parse(out, ebuf, sizeof(ebuf)) : NULL;
        ok(doc != NULL, "husk features prints JSON");
        if (!doc)
                return tap_done();
        char **v;
        v = list_at(doc, PATH("hooks"));
        check_hooks(v);
        strv_free(v);
        v = list_at(doc, PATH("mountOptions"));
        check_mount_options(v);
        strv_free(v);
        v = list_at(doc, PATH("linux", "namespaces"));
        check_list("namespaces", v, "\"linux\":{\"namespaces\":[{\"type\":\"%s\",\"path\":\"/proc/1/ns/x\"}]}",
                   namespaces);
        strv_free(v);
        v = list_at(doc, PATH("linux", "capabilities"));
        check_caps(v, "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"%s\"]}}");
        strv_free(v);
        v = list_at(doc, PATH("linux", "seccomp", "actions"));
        check_list("seccomp.actions", v, "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                         "\"listenerPath\":\"/l\",\"syscalls\":[{\"names\":[\"getpid\"],"
                                         "\"action\":\"%s\"}]}}", actions);
        strv_free(v);
        v = list_at(doc, PATH("linux", "seccomp", "operators"));
        check_list("seccomp.operators", v, "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                           "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\","
                                           "\"args\":[{\"index\":0,\"value\":1,\"op\":\"%s\"}]}]}}", operators);
        strv_free(v);
        v = list_at(doc, PATH("linux", "seccomp", "archs"));
        check_list("seccomp.archs", v, "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                       "\"architectures\":[\"%s\"]}}", arches);
        strv_free(v);
        v = list_at(doc, PATH("linux", "seccomp", "knownFlags"));
        check_list("seccomp.knownFlags", v, "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                                            "\"flags\":[\"%s\"]}}", flags);
        strv_free(v);
        v = list_at(doc, PATH("linux", "memoryPolicy", "modes"));
        /* DEFAULT and LOCAL take no node list, the others need one: try both */
        for (size_t i = 0; mpol_modes[i]; i++) {
                bool acc = parses("\"linux\":{\"memoryPolicy\":{\"mode\":\"%s\"}}", mpol_modes[i], NULL) ||
                           parses("\"linux\":{\"memoryPolicy\":{\"mode\":\"%s\",\"nodes\":\"0\"}}", mpol_modes[i],
                                  NULL);
                ok(acc == listed(v, mpol_modes[i]), "memoryPolicy.modes: \"%s\" %s and %s", mpol_modes[i],
                   listed(v, mpol_modes[i]) ? "listed" : "not listed", acc ? "accepted" : "refused");
        }
        strv_free(v);
        v = list_at(doc, PATH("linux", "memoryPolicy", "flags"));
        check_list("memoryPolicy.flags", v, "\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\","
                                            "\"flags\":[\"%s\"]}}", mpol_flags);
        strv_free(v);
        yajl_tree_free(doc);

        return tap_done();
}
