/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk features`: runtime-spec features.md. Every list here must be the
 * truth: an entry means husk applies it, not merely parses it. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "cli.h"
#include "config.h"
#include "linux/process.h"
#include "spec/spec-internal.h"
#include "util/jsongen.h"
#include "util/util.h"

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

        yajl_gen g = jgen_new("    ");
        yajl_gen_map_open(g);
        jgen_kv_str(g, "ociVersionMin", "1.0.0");
        jgen_kv_str(g, "ociVersionMax", HUSK_OCI_VERSION);
        jgen_kv_strn(g, "hooks", hooks, ARRAY_SIZE(hooks));
        jgen_kv_strn(g, "mountOptions", mount_options, ARRAY_SIZE(mount_options));

        jgen_str(g, "linux");
        yajl_gen_map_open(g);
        jgen_kv_strn(g, "namespaces", namespaces, ARRAY_SIZE(namespaces));
        jgen_str(g, "capabilities");
        yajl_gen_array_open(g);
        /* Every name husk accepts (its table, and what libcap adds). */
        for (int cap = 0; cap <= 63; cap++) {
                _cleanup_free_ char *name = spec_cap_name(cap);
                if (name && strncmp(name, "CAP_", 4) == 0)
                        jgen_str(g, name);
        }
        yajl_gen_array_close(g);

        jgen_str(g, "cgroup");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "v1", true);
        jgen_kv_bool(g, "v2", true);
        jgen_kv_bool(g, "systemd", HAVE_SYSTEMD);
        jgen_kv_bool(g, "systemdUser", false);
        jgen_kv_bool(g, "rdma", true);
        yajl_gen_map_close(g);

        jgen_str(g, "seccomp");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", true);
        jgen_kv_strn(g, "actions", actions, ARRAY_SIZE(actions));
        jgen_kv_strn(g, "operators", operators, ARRAY_SIZE(operators));
        jgen_kv_strn(g, "archs", archs, ARRAY_SIZE(archs));
        const char *const *flags;
        size_t nflags = seccomp_known_flags(&flags);
        jgen_kv_strn(g, "knownFlags", flags, nflags);
        jgen_str(g, "supportedFlags");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < nflags; i++)
                if (seccomp_flag_supported(flags[i]))
                        jgen_str(g, flags[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);

        jgen_str(g, "apparmor");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", apparmor_enabled_host());
        yajl_gen_map_close(g);
        jgen_str(g, "selinux");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", HAVE_SELINUX && selinux_enabled_host());
        yajl_gen_map_close(g);
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
        jgen_str(g, "idmap");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", true);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        jgen_str(g, "memoryPolicy");
        yajl_gen_map_open(g);
        jgen_kv_strn(g, "modes", mpol_modes, ARRAY_SIZE(mpol_modes));
        jgen_kv_strn(g, "flags", mpol_flags, ARRAY_SIZE(mpol_flags));
        yajl_gen_map_close(g);
        jgen_str(g, "netDevices");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "enabled", true);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);  /* linux */

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
        yajl_gen_map_close(g);

        _cleanup_free_ char *json = jgen_finish(g);
        printf("%s\n", json);
        return 0;
}
