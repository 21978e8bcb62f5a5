/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.sysctl → /proc/sys. Only sysctls that belong to a namespace the
 * container has of its own may be set (runc's rules): the IPC ones with an
 * IPC namespace, net.* unless the network namespace is the host's (ours),
 * kernel.domainname with a UTS namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "linux/process.h"
#include "util/util.h"
#include "util/procfs.h"

/* sysctl(8) accepts "a.b.c" and "a/b/c"; when the first separator is '/',
 * the key is a path and a '.' in it is part of a name ("eno2.100"). This
 * returns the dotted form for the checks: separators swapped. */
static char *dotted_key(const char *key)
{
        char *s = xstrdup(key);
        size_t first = strcspn(s, "./");

        if (s[first] != '/')
                return s;
        for (char *p = s; *p; p++) {
                if (*p == '.')
                        *p = '/';
                else if (*p == '/')
                        *p = '.';
        }
        return s;
}

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

static bool is_ipc_sysctl(const char *s)
{
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
        };
        for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
                if (strcmp(s, ipc[i]) == 0)
                        return true;
        return strncmp(s, "fs.mqueue.", strlen("fs.mqueue.")) == 0;
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

int sysctl_validate(const struct husk_spec *spec, struct husk_error *err)
{
        if (!spec || !spec->linux)
                return 0;
        for (size_t i = 0; i < spec->linux->n_sysctl; i++) {
                const char *key = spec->linux->sysctl[i].key;
                if (!key || !*key)
                        return husk_error_set(err, 0, "linux.sysctl: empty key");
                _cleanup_free_ char *s = dotted_key(key);

                if (strstr(s, "..") || s[0] == '.' || strstr(key, "/../") || strncmp(key, "../", 3) == 0)
                        return husk_error_set(err, 0, "linux.sysctl: invalid key \"%s\"", key);
                if (is_ipc_sysctl(s)) {
                        if (find_ns(spec, CLONE_NEWIPC))
                                continue;
                        return husk_error_set(err, 0, "linux.sysctl: \"%s\" is not allowed in the host's IPC namespace", s);
                }
                if (strncmp(s, "net.", 4) == 0) {
                        const struct husk_namespace *ns = find_ns(spec, CLONE_NEWNET);
                        bool host = true;
                        if (ns && !ns->path)
                                host = false;
                        else if (ns && is_current_netns(ns->path, &host, err) < 0)
                                return husk_error_wrap(err, "linux.sysctl: \"%s\"", s);
                        if (host)
                                return husk_error_set(err, 0, "linux.sysctl: \"%s\" is not allowed in the host's network namespace", s);
                        continue;
                }
                if (find_ns(spec, CLONE_NEWUTS)) {
                        if (strcmp(s, "kernel.domainname") == 0)
                                continue;
                        if (strcmp(s, "kernel.hostname") == 0)
                                return husk_error_set(err, 0, "linux.sysctl: \"%s\" is not allowed as it conflicts with the OCI \"hostname\" field", s);
                }
                return husk_error_set(err, 0, "linux.sysctl: \"%s\" is not in a separate kernel namespace", s);
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
