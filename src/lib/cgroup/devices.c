/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device access rules: v1 devices.allow/deny, v2 an eBPF program
 * (devices_bpf.c). Semantics on both: default deny, then the rules in
 * order, the last matching rule wins.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup_internal.h"
#include "util/failpoint.h"
#include "util/util.h"

#define R(t, maj, min, acc) \
        { .allow = true, .type = (t), .major = { (maj) >= 0, (maj) }, .minor = { (min) >= 0, (min) }, \
          .access = (char *)(acc) }

/* runc's default allowed devices (libcontainer/specconv AllowedDevices):
 * mknod of any char/block node, then the standard /dev nodes. */
static const struct husk_device_rule default_rules[] = {
        R('c', -1, -1, "m"),            /* mknod any char device */
        R('b', -1, -1, "m"),            /* mknod any block device */
        R('c', 1, 3, "rwm"),            /* /dev/null */
        R('c', 1, 8, "rwm"),            /* /dev/random */
        R('c', 1, 7, "rwm"),            /* /dev/full */
        R('c', 5, 0, "rwm"),            /* /dev/tty */
        R('c', 1, 5, "rwm"),            /* /dev/zero */
        R('c', 1, 9, "rwm"),            /* /dev/urandom */
        R('c', 5, 1, "rwm"),            /* /dev/console */
        R('c', 136, -1, "rwm"),         /* /dev/pts/N */
        R('c', 5, 2, "rwm"),            /* /dev/ptmx */
        R('c', 10, 200, "rwm"),         /* /dev/net/tun */
};

const struct husk_device_rule *cgroup_default_device_rules(size_t *n)
{
        *n = ARRAY_SIZE(default_rules);
        return default_rules;
}

/* devices.deny and devices.allow of one v1 hierarchy, open for the whole
 * list: the kernel takes each write(2) as one rule. */
struct v1_files {
        const struct cg_hier *h;
        int fd[2];              /* deny, allow */
};

static int v1_write(struct v1_files *f, bool allow, const char *rule, const char *field, struct husk_error *err)
{
        const char *name = allow ? "devices.allow" : "devices.deny";
        if (failpoint("cgroup: write a file", err) < 0)
                return -1;
        if (f->fd[allow] < 0) {
                _cleanup_free_ char *p = xasprintf("%s/%s", f->h->dir, name);
                /* O_TRUNC: ignored by the kernel, for the tests' plain files */
                f->fd[allow] = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
                if (f->fd[allow] < 0)
                        return husk_error_sys(err, "%s: open %s", field, p);
        }
        if (write(f->fd[allow], rule, strlen(rule)) != (ssize_t)strlen(rule))
                return husk_error_sys(err, "%s: write \"%s\" to %s/%s", field, rule, f->h->dir, name);
        return 0;
}

static int v1_rule(struct v1_files *f, const struct husk_device_rule *r, size_t idx, struct husk_error *err)
{
        char maj[24] = "*", min[24] = "*";
        if (r->major.set && r->major.v >= 0)
                snprintf(maj, sizeof(maj), "%" PRId64, r->major.v);
        if (r->minor.set && r->minor.v >= 0)
                snprintf(min, sizeof(min), "%" PRId64, r->minor.v);
        const char *acc = r->access && *r->access ? r->access : "rwm";
        char type = r->type ? r->type : 'a';
        char field[64];
        snprintf(field, sizeof(field), "rule %zu", idx);
        char rule[96];
        if (type == 'a')        /* "a" means everything, numbers are ignored */
                snprintf(rule, sizeof(rule), "a *:* %s", acc);
        else
                snprintf(rule, sizeof(rule), "%c %s:%s %s", type, maj, min, acc);
        return v1_write(f, r->allow, rule, field, err);
}

int cg_devices_apply(struct cgroup_manager *m, const struct husk_device_rule *rules, size_t n,
                     struct husk_error *err)
{
        for (size_t i = 0; i < n; i++) {
                char t = rules[i].type ? rules[i].type : 'a';
                if (t != 'a' && t != 'c' && t != 'b')
                        return husk_error_invalid(err, "rule %zu: type \"%c\" is not a, b or c", i, t);
                for (const char *a = rules[i].access; a && *a; a++)
                        if (*a != 'r' && *a != 'w' && *a != 'm')
                                return husk_error_invalid(err, "rule %zu: access \"%s\" is not a subset of rwm",
                                                          i, rules[i].access);
        }
        for (size_t i = 0; i < m->n_h; i++) {
                struct cg_hier *h = &m->h[i];
                if (h->unusable || !cg_hier_has(h, "devices"))
                        continue;
                /* Start from nothing, then replay the rules in order. */
                struct v1_files f = { .h = h, .fd = { -1, -1 } };
                int r = v1_write(&f, false, "a", "deny all", err);
                for (size_t k = 0; r == 0 && k < n; k++)
                        r = v1_rule(&f, &rules[k], k, err);
                for (int k = 0; k < 2; k++)
                        if (f.fd[k] >= 0)
                                close(f.fd[k]);
                return r;
        }
        struct cg_hier *u = cg_unified(m);
        if (u)
                return cg_bpf_devices_attach(u->dir, rules, n, err);
        return cg_missing(m, err, "linux.resources.devices", "devices");
}
