/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json `husk spec` writes: the same document as `runc spec`
 * (and `runc spec --rootless`), with ociVersion set to the spec version husk
 * implements.
 */
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "config.h"
#include "husk/spec.h"
#include "util/jsongen.h"
#include "util/util.h"

#ifndef HUSK_OCI_VERSION
#define HUSK_OCI_VERSION "1.3.0"
#endif

static void mount(yajl_gen g, const char *dest, const char *type, const char *src, const char *const *opts)
{
        yajl_gen_map_open(g);
        jgen_kv_str(g, "destination", dest);
        jgen_kv_str(g, "type", type);
        jgen_kv_str(g, "source", src);
        if (opts)
                jgen_kv_strv(g, "options", opts);
        yajl_gen_map_close(g);
}

static void idmap(yajl_gen g, const char *k, unsigned host_id)
{
        jgen_str(g, k);
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        jgen_kv_int(g, "containerID", 0);
        jgen_kv_int(g, "hostID", host_id);
        jgen_kv_int(g, "size", 1);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
}

/* As runc spec: a cgroup namespace too on a pure cgroup v2 host. */
static bool host_pure_cgroup2(void)
{
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static void namespaces(yajl_gen g, bool rootless)
{
        static const char *const normal[] = { "pid", "network", "ipc", "uts", "mount", NULL };
        static const char *const rootless_ns[] = { "pid", "ipc", "uts", "mount", NULL };
        jgen_str(g, "namespaces");
        yajl_gen_array_open(g);
        for (const char *const *t = rootless ? rootless_ns : normal; *t; t++) {
                yajl_gen_map_open(g);
                jgen_kv_str(g, "type", *t);
                yajl_gen_map_close(g);
        }
        if (host_pure_cgroup2()) {
                yajl_gen_map_open(g);
                jgen_kv_str(g, "type", "cgroup");
                yajl_gen_map_close(g);
        }
        if (rootless) {
                yajl_gen_map_open(g);
                jgen_kv_str(g, "type", "user");
                yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
}

static void process(yajl_gen g)
{
        static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
        static const char *const env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
                NULL,
        };
        static const char *const args[] = { "sh", NULL };

        jgen_str(g, "process");
        yajl_gen_map_open(g);
        jgen_kv_bool(g, "terminal", true);
        jgen_str(g, "user");
        yajl_gen_map_open(g);
        jgen_kv_int(g, "uid", 0);
        jgen_kv_int(g, "gid", 0);
        yajl_gen_map_close(g);
        jgen_kv_strv(g, "args", args);
        jgen_kv_strv(g, "env", env);
        jgen_kv_str(g, "cwd", "/");
        jgen_str(g, "capabilities");
        yajl_gen_map_open(g);
        jgen_kv_strv(g, "bounding", caps);
        jgen_kv_strv(g, "effective", caps);
        jgen_kv_strv(g, "permitted", caps);
        jgen_kv_strv(g, "ambient", caps);
        yajl_gen_map_close(g);
        jgen_str(g, "rlimits");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "type", "RLIMIT_NOFILE");
        jgen_kv_int(g, "hard", 1024);
        jgen_kv_int(g, "soft", 1024);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
        jgen_kv_bool(g, "noNewPrivileges", true);
        yajl_gen_map_close(g);
}

static void mounts(yajl_gen g, bool rootless)
{
        static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
        static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
                                           NULL };
        static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                                                    NULL };
        static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
        static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
        static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
        static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
        static const char *const cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

        jgen_str(g, "mounts");
        yajl_gen_array_open(g);
        mount(g, "/proc", "proc", "proc", NULL);
        mount(g, "/dev", "tmpfs", "tmpfs", dev);
        mount(g, "/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
        mount(g, "/dev/shm", "tmpfs", "shm", shm);
        mount(g, "/dev/mqueue", "mqueue", "mqueue", mqueue);
        if (rootless)
                mount(g, "/sys", "none", "/sys", sys_rootless);
        else
                mount(g, "/sys", "sysfs", "sysfs", sys);
        mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
        yajl_gen_array_close(g);
}

static void linux_section(yajl_gen g, bool rootless)
{
        static const char *const masked[] = {
                "/proc/acpi",         "/proc/asound",      "/proc/kcore",       "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/sys/firmware",      "/proc/scsi",        NULL,
        };
        static const char *const readonly[] = {
                "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
        };

        jgen_str(g, "linux");
        yajl_gen_map_open(g);
        if (rootless) {
                /* runc maps the invoking user to root in the container. */
                idmap(g, "uidMappings", (unsigned)geteuid());
                idmap(g, "gidMappings", (unsigned)getegid());
        } else {
                jgen_str(g, "resources");
                yajl_gen_map_open(g);
                jgen_str(g, "devices");
                yajl_gen_array_open(g);
                yajl_gen_map_open(g);
                jgen_kv_bool(g, "allow", false);
                jgen_kv_str(g, "access", "rwm");
                yajl_gen_map_close(g);
                yajl_gen_array_close(g);
                yajl_gen_map_close(g);
        }
        namespaces(g, rootless);
        jgen_kv_strv(g, "maskedPaths", masked);
        jgen_kv_strv(g, "readonlyPaths", readonly);
        yajl_gen_map_close(g);
}

char *spec_default_json(bool rootless)
{
        yajl_gen g = jgen_new("\t");

        yajl_gen_map_open(g);
        jgen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
        process(g);
        jgen_str(g, "root");
        yajl_gen_map_open(g);
        jgen_kv_str(g, "path", "rootfs");
        jgen_kv_bool(g, "readonly", true);
        yajl_gen_map_close(g);
        jgen_kv_str(g, "hostname", "runc");
        mounts(g, rootless);
        linux_section(g, rootless);
        yajl_gen_map_close(g);

        return jgen_finish(g);
}
