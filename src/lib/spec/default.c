/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json `husk spec` writes: the same document as `runc spec`
 * (and `runc spec --rootless`), with ociVersion set to the spec version husk
 * implements.
 */
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "config.h"
#include "husk/spec.h"
#include "util/util.h"

#ifndef HUSK_OCI_VERSION
#define HUSK_OCI_VERSION "1.3.0"
#endif

static void str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void key_str(yajl_gen g, const char *k, const char *v)
{
        str(g, k);
        str(g, v);
}

static void key_int(yajl_gen g, const char *k, long long v)
{
        str(g, k);
        yajl_gen_integer(g, v);
}

static void key_bool(yajl_gen g, const char *k, bool v)
{
        str(g, k);
        yajl_gen_bool(g, v);
}

static void key_strv(yajl_gen g, const char *k, const char *const *v)
{
        str(g, k);
        yajl_gen_array_open(g);
        for (; *v; v++)
                str(g, *v);
        yajl_gen_array_close(g);
}

static void mount(yajl_gen g, const char *dest, const char *type, const char *src, const char *const *opts)
{
        yajl_gen_map_open(g);
        key_str(g, "destination", dest);
        key_str(g, "type", type);
        key_str(g, "source", src);
        if (opts)
                key_strv(g, "options", opts);
        yajl_gen_map_close(g);
}

static void idmap(yajl_gen g, const char *k, unsigned host_id)
{
        str(g, k);
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        key_int(g, "containerID", 0);
        key_int(g, "hostID", host_id);
        key_int(g, "size", 1);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
}

static void namespaces(yajl_gen g, bool rootless)
{
        static const char *const normal[] = { "pid", "network", "ipc", "uts", "mount", NULL };
        static const char *const rootless_ns[] = { "pid", "ipc", "uts", "mount", "user", NULL };
        str(g, "namespaces");
        yajl_gen_array_open(g);
        for (const char *const *t = rootless ? rootless_ns : normal; *t; t++) {
                yajl_gen_map_open(g);
                key_str(g, "type", *t);
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

        str(g, "process");
        yajl_gen_map_open(g);
        key_bool(g, "terminal", true);
        str(g, "user");
        yajl_gen_map_open(g);
        key_int(g, "uid", 0);
        key_int(g, "gid", 0);
        yajl_gen_map_close(g);
        key_strv(g, "args", args);
        key_strv(g, "env", env);
        key_str(g, "cwd", "/");
        str(g, "capabilities");
        yajl_gen_map_open(g);
        key_strv(g, "bounding", caps);
        key_strv(g, "effective", caps);
        key_strv(g, "permitted", caps);
        key_strv(g, "ambient", caps);
        yajl_gen_map_close(g);
        str(g, "rlimits");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        key_str(g, "type", "RLIMIT_NOFILE");
        key_int(g, "hard", 1024);
        key_int(g, "soft", 1024);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
        key_bool(g, "noNewPrivileges", true);
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

        str(g, "mounts");
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

        str(g, "linux");
        yajl_gen_map_open(g);
        if (rootless) {
                /* runc maps the invoking user to root in the container. */
                idmap(g, "uidMappings", (unsigned)geteuid());
                idmap(g, "gidMappings", (unsigned)getegid());
        } else {
                str(g, "resources");
                yajl_gen_map_open(g);
                str(g, "devices");
                yajl_gen_array_open(g);
                yajl_gen_map_open(g);
                key_bool(g, "allow", false);
                key_str(g, "access", "rwm");
                yajl_gen_map_close(g);
                yajl_gen_array_close(g);
                yajl_gen_map_close(g);
        }
        namespaces(g, rootless);
        key_strv(g, "maskedPaths", masked);
        key_strv(g, "readonlyPaths", readonly);
        yajl_gen_map_close(g);
}

char *spec_default_json(bool rootless)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g)
                return NULL;
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "\t");

        yajl_gen_map_open(g);
        key_str(g, "ociVersion", HUSK_OCI_VERSION);
        process(g);
        str(g, "root");
        yajl_gen_map_open(g);
        key_str(g, "path", "rootfs");
        key_bool(g, "readonly", true);
        yajl_gen_map_close(g);
        key_str(g, "hostname", "runc");
        mounts(g, rootless);
        linux_section(g, rootless);
        yajl_gen_map_close(g);

        const unsigned char *buf;
        size_t len;
        char *out = NULL;
        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
                out = xstrndup((const char *)buf, len);
        yajl_gen_free(g);
        return out;
}
