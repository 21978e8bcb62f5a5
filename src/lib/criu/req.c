/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cgroup/cgroup.h"
#include "criu/req.h"
#include "linux/rootfs.h"
#include "util/util.h"

#if HAVE_CRIU


void criu_build_init(struct criu_build *b)
{
        memset(b, 0, sizeof(*b));
        criu_pb()->criu_opts__init(&b->opts);
        criu_pb()->criu_page_server_info__init(&b->ps);
}

#define GROW(arr, n) (arr = xrealloc(arr, ((n) + 1) * sizeof(*(arr))))

void criu_build_ext_mount(struct criu_build *b, const char *key, const char *val)
{
        for (size_t i = 0; i < b->opts.n_ext_mnt; i++)
                if (strcmp(b->opts.ext_mnt[i]->key, key) == 0)
                        return;         /* first wins (CRIU refuses duplicate keys) */
        ExtMountMap *m = xmalloc(sizeof(*m));
        criu_pb()->ext_mount_map__init(m);
        m->key = xstrdup(key);
        m->val = xstrdup(val);
        GROW(b->opts.ext_mnt, b->opts.n_ext_mnt);
        b->opts.ext_mnt[b->opts.n_ext_mnt++] = m;
}

void criu_build_inherit_fd(struct criu_build *b, const char *key, int fd)
{
        InheritFd *f = xmalloc(sizeof(*f));
        criu_pb()->inherit_fd__init(f);
        f->key = xstrdup(key);
        f->fd = fd;
        GROW(b->opts.inherit_fd, b->opts.n_inherit_fd);
        b->opts.inherit_fd[b->opts.n_inherit_fd++] = f;
}

void criu_build_cg_root(struct criu_build *b, const char *ctrl, const char *path)
{
        CgroupRoot *r = xmalloc(sizeof(*r));
        criu_pb()->cgroup_root__init(r);
        r->ctrl = xstrdup(ctrl);
        r->path = xstrdup(path);
        GROW(b->opts.cg_root, b->opts.n_cg_root);
        b->opts.cg_root[b->opts.n_cg_root++] = r;
}

void criu_build_join_ns(struct criu_build *b, const char *ns, const char *file)
{
        JoinNamespace *j = xmalloc(sizeof(*j));
        criu_pb()->join_namespace__init(j);
        j->ns = xstrdup(ns);
        j->ns_file = xstrdup(file);
        GROW(b->opts.join_ns, b->opts.n_join_ns);
        b->opts.join_ns[b->opts.n_join_ns++] = j;
}

void criu_build_external(struct criu_build *b, const char *what)
{
        GROW(b->opts.external, b->opts.n_external);
        b->opts.external[b->opts.n_external++] = xstrdup(what);
}

char *criu_build_str(struct criu_build *b, const char *s)
{
        (void)b;
        return xstrdup(s);
}

void criu_build_free(struct criu_build *b)
{
        CriuOpts *o = &b->opts;
        for (size_t i = 0; i < o->n_ext_mnt; i++) {
                free(o->ext_mnt[i]->key);
                free(o->ext_mnt[i]->val);
                free(o->ext_mnt[i]);
        }
        for (size_t i = 0; i < o->n_inherit_fd; i++) {
                free(o->inherit_fd[i]->key);
                free(o->inherit_fd[i]);
        }
        for (size_t i = 0; i < o->n_cg_root; i++) {
                free(o->cg_root[i]->ctrl);
                free(o->cg_root[i]->path);
                free(o->cg_root[i]);
        }
        for (size_t i = 0; i < o->n_join_ns; i++) {
                free(o->join_ns[i]->ns);
                free(o->join_ns[i]->ns_file);
                free(o->join_ns[i]);
        }
        for (size_t i = 0; i < o->n_external; i++)
                free(o->external[i]);
        free(o->ext_mnt);
        free(o->inherit_fd);
        free(o->cg_root);
        free(o->join_ns);
        free(o->external);
        free(o->root);
        free(o->log_file);
        free(o->parent_img);
        free(o->freeze_cgroup);
        free(o->config_file);
        free(o->lsm_profile);
        free(o->lsm_mount_context);
        free(b->ps.address);
        memset(b, 0, sizeof(*b));
}

const char *criu_ns_name(int clone_flag)
{
        switch (clone_flag) {
        case CLONE_NEWNET: return "net";
        case CLONE_NEWIPC: return "ipc";
        case CLONE_NEWUTS: return "uts";
        case CLONE_NEWNS: return "mnt";
        case CLONE_NEWUSER: return "user";
        case CLONE_NEWPID: return "pid";
        case CLONE_NEWCGROUP: return "cgroup";
        case CLONE_NEWTIME: return "time";
        default: return NULL;
        }
}

bool criu_ns_external(int clone_flag)
{
        return clone_flag == CLONE_NEWNET || clone_flag == CLONE_NEWPID;
}

const char *criu_ns_key(int clone_flag)
{
        return clone_flag == CLONE_NEWNET ? "extRootNetNS" : "extRootPidNS";
}

int criu_dump_external_ns(struct criu_build *b, const struct husk_spec *spec, int version, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct husk_namespace *ns = &l->namespaces[i];
                if (!ns->path || !criu_ns_external(ns->type) || (ns->type == CLONE_NEWPID && version < 31500))
                        continue;
                struct stat st;
                if (stat(ns->path, &st) < 0)
                        return husk_error_sys(err, "linux.namespaces: %s path %s", ns->type_name, ns->path);
                _cleanup_free_ char *ext = xasprintf("%s[%llu]:%s", criu_ns_name(ns->type),
                                                     (unsigned long long)st.st_ino, criu_ns_key(ns->type));
                criu_build_external(b, ext);
        }
        return 0;
}

static bool is_bind(const struct husk_mount *m, struct husk_error *err, int *r)
{
        struct mount_flags mf = { 0 };
        *r = 0;
        if (m->type && strcmp(m->type, "bind") == 0)
                return true;
        if (mount_flags_parse(m->options, &mf, err) < 0) {
                *r = -1;
                return false;
        }
        bool b = mf.bind;
        mount_flags_free(&mf);
        return b;
}

static const char *const default_devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                               "/dev/urandom", "/dev/tty" };

static int cgroup_mounts(struct criu_build *b, const char *dest, struct cgroup_manager *cg, bool restore,
                         struct husk_error *err)
{
        if (!cg)
                return husk_error_not_found(err, "mount %s: the container has no cgroup husk knows", dest);
        if (cgroup_detect_layout() == CGROUP_LAYOUT_V2) {
                /* no cgroup namespace: husk bound the container's cgroup dir there */
                const char *dir = cgroup_unified_dir(cg);
                if (!dir)
                        return husk_error_not_found(err, "mount %s: no cgroup2 dir of the container", dest);
                criu_build_ext_mount(b, dest, restore ? dir : dest);
                return 0;
        }
        /* v1/hybrid: a tmpfs with one bind per hierarchy, named after the
         * host mount ("cpu,cpuacct", "memory", ...; cgroup2: "unified") */
        const char *mount, *dir;
        bool v2;
        for (size_t i = 0; cgroup_hierarchy(cg, i, &mount, &dir, &v2); i++) {
                if (!dir)
                        continue;
                const char *base = strrchr(mount, '/');
                _cleanup_free_ char *key = xasprintf("%s/%s", dest, v2 ? "unified" : base ? base + 1 : mount);
                criu_build_ext_mount(b, key, restore ? dir : key);
        }
        return 0;
}

int criu_external_mounts(struct criu_build *b, const struct husk_spec *spec, struct cgroup_manager *cg,
                         bool restore, const char *bundle, pid_t pid, struct husk_error *err)
{
        bool cgroupns = spec_has_namespace(spec, CLONE_NEWCGROUP);
        bool userns = spec_has_namespace(spec, CLONE_NEWUSER);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                _cleanup_free_ char *dest = path_clean(m->destination);
                int r;
                if (is_bind(m, err, &r)) {
                        if (!m->source)
                                return husk_error_invalid(err, "mounts[%zu].source: required for a bind mount", i);
                        _cleanup_free_ char *src = m->source[0] == '/' || !bundle
                                                           ? xstrdup(m->source)
                                                           : xasprintf("%s/%s", bundle, m->source);
                        criu_build_ext_mount(b, dest, restore ? src : dest);
                } else if (r < 0) {
                        return husk_error_wrap(err, "mounts[%zu].options", i);
                } else if (m->type && strcmp(m->type, "cgroup") == 0 && !cgroupns) {
                        if (cgroup_mounts(b, dest, cg, restore, err) < 0)
                                return husk_error_wrap(err, "mounts[%zu]", i);
                }
        }
        /* masked files get the host's /dev/null bound over them */
        if (spec->linux && spec->linux->masked_paths && spec->linux->masked_paths[0]) {
                if (restore) {
                        criu_build_ext_mount(b, "/dev/null", "/dev/null");
                } else {
                        /* only files: directories get an inner tmpfs */
                        for (char **p = spec->linux->masked_paths; *p; p++) {
                                _cleanup_free_ char *dest = path_clean(*p);
                                _cleanup_free_ char *in = xasprintf("/proc/%d/root%s", (int)pid, dest);
                                struct stat st;
                                if (stat(in, &st) < 0 || S_ISDIR(st.st_mode))
                                        continue;
                                criu_build_ext_mount(b, dest, "/dev/null");
                        }
                }
        }
        /* Device nodes: bound from the host in a user namespace (else
         * mknod'ed, and CRIU ignores the keys it does not meet). */
        if (spec->linux)
                for (size_t i = 0; i < spec->linux->n_devices; i++) {
                        _cleanup_free_ char *dest = path_clean(spec->linux->devices[i].path);
                        criu_build_ext_mount(b, dest, dest);
                }
        if (userns)
                for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
                        criu_build_ext_mount(b, default_devices[i], default_devices[i]);
        return 0;
}

#endif
