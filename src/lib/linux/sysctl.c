/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.sysctl → /proc/sys. Only sysctls that belong to a namespace the
 * container has of its own may be set (runc's rules, spec/validate.c's
 * check_sysctl): the IPC ones with an IPC namespace, net.* with a network
 * namespace, kernel.domainname with a UTS namespace. What depends on the
 * host is here: a network namespace joined by path may be the host's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "linux/sysctls.h"
#include "util/util.h"
#include "util/procfs.h"

/* The file under /proc/sys: dots become slashes unless the key is already
 * written as a path. */
static char *sysctl_path(const char *key)
{
        size_t first = strcspn(key, "./");
        char *s = xasprintf("/proc/sys/%s", key);

        if (key[first] == '/')
                return s;
        for (char *p = s + strlen("/proc/sys/"); *p; p++)
                if (*p == '.')
                        *p = '/';
        return s;
}

static const struct husk_namespace *find_ns(const struct husk_spec *spec, int type)
{
        if (!spec->linux)
                return NULL;
        for (size_t i = 0; i < spec->linux->n_namespaces; i++)
                if (spec->linux->namespaces[i].type == type)
                        return &spec->linux->namespaces[i];
        return NULL;
}

/* Is the netns at path the one we are in ("host" = current)? */
static int is_current_netns(const char *path, bool *out, struct husk_error *err)
{
        struct stat a, b;

        if (stat("/proc/self/ns/net", &a) < 0)
                return husk_error_sys(err, "stat /proc/self/ns/net");
        if (stat(path, &b) < 0)
                return husk_error_sys(err, "stat network namespace %s", path);
        *out = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        return 0;
}

int sysctl_check_host(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_namespace *ns = spec ? find_ns(spec, CLONE_NEWNET) : NULL;
        if (!ns || !ns->path)
                return 0;
        for (size_t i = 0; i < spec->linux->n_sysctl; i++) {
                const char *key = spec->linux->sysctl[i].key;
                size_t first = strcspn(key, "./");
                bool host = true;
                if (strncmp(key, "net", 3) != 0 || first != 3)
                        continue;
                if (is_current_netns(ns->path, &host, err) < 0)
                        return husk_error_wrap(err, "linux.sysctl: \"%s\"", key);
                if (host)
                        return husk_error_set(err, 0, "linux.sysctl: \"%s\" is not allowed in the host's network namespace",
                                              key);
        }
        return 0;
}

int sysctl_apply(const struct husk_kv *kv, size_t n, struct husk_error *err)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = sysctl_path(kv[i].key);
                const char *v = kv[i].value ? kv[i].value : "";
                size_t len = strlen(path);
                if (strstr(path, "/../") || (len >= 3 && strcmp(path + len - 3, "/..") == 0))
                        return husk_error_invalid(err, "sysctl %s: invalid key", kv[i].key);
                if (procfs_write(path, v, strlen(v), err) < 0)
                        return husk_error_wrap(err, "sysctl %s", kv[i].key);
        }
        return 0;
}
