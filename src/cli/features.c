/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk features`: runtime-spec features.md. Every list here must be the
 * truth: an entry means husk applies it, not merely parses it. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "config.h"
#include "linux/process.h"
#include "spec/spec-internal.h"
#include "util/util.h"

static void str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void str_array(yajl_gen g, const char *key, const char *const *v, size_t n)
{
        str(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++)
                str(g, v[i]);
        yajl_gen_array_close(g);
}

static void kv_bool(yajl_gen g, const char *key, bool v)
{
        str(g, key);
        yajl_gen_bool(g, v);
}

static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
                                     "startContainer", "poststart", "poststop" };
static const char *const mount_options[] = {
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime",
        "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow",
        "private", "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime",
        "rnodev", "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow",
        "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
        "rsymfollow", "runbindable", "rw", "shared", "slave", "strictatime", "suid", "symfollow", "sync",
        "tmpcopyup", "unbindable",
};
static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts" };
static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                                       "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
                                       "SCMP_ACT_TRAP" };
static const char *const operators[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
                                         "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE" };
static const char *const mpol_modes[] = { "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE",
                                          "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
                                          "MPOL_PREFERRED_MANY", "MPOL_LOCAL" };
static const char *const mpol_flags[] = { "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES" };
static const char *const archs[] = {
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
};

int cmd_features(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = cli_help_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 0, "") < 0)
                return 1;

        yajl_gen g = yajl_gen_alloc(NULL);
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "    ");
        yajl_gen_map_open(g);
        str(g, "ociVersionMin");
        str(g, "1.0.0");
        str(g, "ociVersionMax");
        str(g, HUSK_OCI_VERSION);
        str_array(g, "hooks", hooks, ARRAY_SIZE(hooks));
        str_array(g, "mountOptions", mount_options, ARRAY_SIZE(mount_options));

        str(g, "linux");
        yajl_gen_map_open(g);
        str_array(g, "namespaces", namespaces, ARRAY_SIZE(namespaces));
        str(g, "capabilities");
        yajl_gen_array_open(g);
        /* Every name husk accepts (its table, and what libcap adds). */
        for (int cap = 0; cap <= 63; cap++) {
                _cleanup_free_ char *name = spec_cap_name(cap);
                if (name && strncmp(name, "CAP_", 4) == 0)
                        str(g, name);
        }
        yajl_gen_array_close(g);

        str(g, "cgroup");
        yajl_gen_map_open(g);
        kv_bool(g, "v1", true);
        kv_bool(g, "v2", true);
        kv_bool(g, "systemd", HAVE_SYSTEMD);
        kv_bool(g, "systemdUser", false);
        kv_bool(g, "rdma", true);
        yajl_gen_map_close(g);

        str(g, "seccomp");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", true);
        str_array(g, "actions", actions, ARRAY_SIZE(actions));
        str_array(g, "operators", operators, ARRAY_SIZE(operators));
        str_array(g, "archs", archs, ARRAY_SIZE(archs));
        const char *const *flags;
        size_t nflags = seccomp_known_flags(&flags);
        str_array(g, "knownFlags", flags, nflags);
        str(g, "supportedFlags");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < nflags; i++)
                if (seccomp_flag_supported(flags[i]))
                        str(g, flags[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);

        str(g, "apparmor");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", apparmor_enabled_host());
        yajl_gen_map_close(g);
        str(g, "selinux");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", HAVE_SELINUX && selinux_enabled_host());
        yajl_gen_map_close(g);
        /* what husk implements, whether or not this host has resctrl (as
         * the spec defines it; create says when the host lacks it) */
        str(g, "intelRdt");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", true);
        kv_bool(g, "schemata", true);
        kv_bool(g, "monitoring", true);
        yajl_gen_map_close(g);
        str(g, "mountExtensions");
        yajl_gen_map_open(g);
        str(g, "idmap");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", true);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        str(g, "memoryPolicy");
        yajl_gen_map_open(g);
        str_array(g, "modes", mpol_modes, ARRAY_SIZE(mpol_modes));
        str_array(g, "flags", mpol_flags, ARRAY_SIZE(mpol_flags));
        yajl_gen_map_close(g);
        str(g, "netDevices");
        yajl_gen_map_open(g);
        kv_bool(g, "enabled", true);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);  /* linux */

        str(g, "annotations");
        yajl_gen_map_open(g);
        const struct scmp_version *v = seccomp_version();
        char ver[64];
        snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->micro);
        str(g, "io.github.seccomp.libseccomp.version");
        str(g, ver);
        str(g, "io.github.husk.version");
        str(g, HUSK_VERSION);
        /* runtime-spec: a namespace the config does not list is the
         * runtime's; husk allows leaving out any of them, mount included */
        str(g, "io.github.husk.linux.namespaces.inheritable");
        str(g, "cgroup,ipc,mount,network,pid,time,user,uts");
        /* runc's key: engines look for it (built with CRIU support) */
        str(g, "org.opencontainers.runc.checkpoint.enabled");
        str(g, HAVE_CRIU ? "true" : "false");
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);

        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        printf("%.*s\n", (int)len, buf);
        yajl_gen_free(g);
        return 0;
}
