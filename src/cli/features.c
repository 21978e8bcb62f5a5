/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk features`: runtime-spec features.md. Every list here must be the
 * truth: an entry means husk applies it, not merely parses it. The lists
 * come from the tables the parser and the mechanisms use (spec/names.h, the
 * mount option words), so they can't drift: test-features checks it. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "cli.h"
#include "config.h"
#include "linux/lsm_labels.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "spec/names.h"
#include "spec/spec-internal.h"
#include "util/jsongen.h"
#include "util/util.h"

static void names_array(yajl_gen g, const char *key, const struct spec_names *t)
{
        jgen_str(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < t->n; i++)
                jgen_str(g, t->v[i].name);
        yajl_gen_array_close(g);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The option words the mount code knows, sorted. */
static void mount_options(yajl_gen g)
{
        const char *words[128];
        size_t n = 0;
        for (const char *w; n < ARRAY_SIZE(words) && (w = mount_option_word(n)); n++)
                words[n] = w;
        qsort(words, n, sizeof(words[0]), cmp_str);
        jgen_kv_strn(g, "mountOptions", words, n);
}

/* Every capability name husk accepts (its table, and what libcap adds). */
static void capabilities(yajl_gen g)
{
        jgen_str(g, "capabilities");
        yajl_gen_array_open(g);
        for (int cap = 0; cap <= 63; cap++) {
                _cleanup_free_ char *name = spec_cap_name(cap);
                if (name && strncmp(name, "CAP_", 4) == 0)
                        jgen_str(g, name);
        }
        yajl_gen_array_close(g);
}

static void seccomp(yajl_gen g)
{
        const struct spec_names *flags = &spec_seccomp_flag_names;

        jgen_str(g, "seccomp");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", true);
        names_array(g, "actions", &spec_seccomp_action_names);
        names_array(g, "operators", &spec_seccomp_op_names);
        jgen_str(g, "archs");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < spec_seccomp_arch_names.n; i++)
                if (spec_seccomp_arch_known(spec_seccomp_arch_names.v[i].name))
                        jgen_str(g, spec_seccomp_arch_names.v[i].name);
        yajl_gen_array_close(g);
        names_array(g, "knownFlags", flags);
        jgen_str(g, "supportedFlags");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < flags->n; i++)
                if (seccomp_flag_supported(flags->v[i].name))
                        jgen_str(g, flags->v[i].name);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
}

static void enabled(yajl_gen g, const char *key, bool v)
{
        jgen_str(g, key);
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", v);
        yajl_gen_map_close(g);
}

static void linux_features(yajl_gen g)
{
        jgen_str(g, "linux");
        yajl_gen_map_open(g);
        names_array(g, "namespaces", &spec_namespace_names);
        capabilities(g);
        jgen_str(g, "cgroup");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "v1", true);
        jgen_kv_bool(g, "v2", true);
        jgen_kv_bool(g, "systemd", HAVE_SYSTEMD);
        jgen_kv_bool(g, "systemdUser", false);
        jgen_kv_bool(g, "rdma", true);
        yajl_gen_map_close(g);
        seccomp(g);
        enabled(g, "apparmor", apparmor_enabled_host());
        enabled(g, "selinux", HAVE_SELINUX && selinux_enabled_host());
        /* what husk implements, whether or not this host has resctrl (as
         * the spec defines it; create says when the host lacks it) */
        jgen_str(g, "intelRdt");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", true);
        jgen_kv_bool(g, "schemata", true);
        jgen_kv_bool(g, "monitoring", true);
        yajl_gen_map_close(g);
        jgen_str(g, "mountExtensions");
        yajl_gen_map_open(g);
        enabled(g, "idmap", true);
        yajl_gen_map_close(g);
        jgen_str(g, "memoryPolicy");
        yajl_gen_map_open(g);
        names_array(g, "modes", &spec_mpol_mode_names);
        names_array(g, "flags", &spec_mpol_flag_names);
        yajl_gen_map_close(g);
        enabled(g, "netDevices", true);
        yajl_gen_map_close(g);
}

static void annotations(yajl_gen g)
{
        jgen_str(g, "annotations");
        yajl_gen_map_open(g);
        const struct scmp_version *v = seccomp_version();
        char ver[64];
        snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->micro);
        jgen_kv_str(g, "io.github.seccomp.libseccomp.version", ver);
        jgen_kv_str(g, "io.github.husk.version", HUSK_VERSION);
        /* runtime-spec: a namespace the config does not list is the
         * runtime's; husk allows leaving out any of them, mount included */
        jgen_kv_str(g, "io.github.husk.linux.namespaces.inheritable", "cgroup,ipc,mount,network,pid,time,user,uts");
        /* runc's key: engines look for it (built with CRIU support) */
        jgen_kv_str(g, "org.opencontainers.runc.checkpoint.enabled", HAVE_CRIU ? "true" : "false");
        yajl_gen_map_close(g);
}

int cmd_features(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = cli_help_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 0, "") < 0)
                return 1;

        yajl_gen g = jgen_new("    ");
        yajl_gen_map_open(g);
        jgen_kv_str(g, "ociVersionMin", "1.0.0");
        jgen_kv_str(g, "ociVersionMax", HUSK_OCI_VERSION);
        names_array(g, "hooks", &spec_hook_names);
        mount_options(g);
        linux_features(g);
        annotations(g);
        yajl_gen_map_close(g);

        _cleanup_free_ char *json = jgen_finish(g);
        printf("%s\n", json);
        return 0;
}
