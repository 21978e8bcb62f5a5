/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's root filesystem, prepared: propagation, the rootfs bind,
 * every spec mount (dispatched by kind to rootfs_mounts.c, rootfs_idmap.c
 * and the cgroup mounts below), then /dev (devices.c). pivot_root is in
 * rootfs_pivot.c, read-only and masked paths in rootfs_finalize.c, what they
 * share in rootfs_util.c (rootfs-internal.h). Every path under the rootfs is
 * resolved with util/path.h and mounted on through /proc/self/fd/N, never by
 * string. */

#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "config.h"
#include "cgroup/discovery.h"
#include "linux/rootfs-internal.h"
#include "util/compat.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* the mount that holds the rootfs */

struct parent_mount {
        const char *path;
        char *mountpoint;
        bool shared;
};

static int find_parent_mount(const struct mountinfo *mi, void *data)
{
        struct parent_mount *pm = data;
        if (!path_has_prefix(pm->path, mi->mountpoint))
                return 0;
        /* Later lines mount over earlier ones: keep the last longest. */
        if (pm->mountpoint && strlen(pm->mountpoint) > strlen(mi->mountpoint))
                return 0;
        free(pm->mountpoint);
        pm->mountpoint = xstrdup(mi->mountpoint);
        /* Unbindable (rootfsPropagation "runbindable") would refuse the
         * rootfs bind just as shared breaks pivot_root. */
        pm->shared = strstr(mi->optional, "shared:") != NULL || strstr(mi->optional, "unbindable") != NULL;
        return 0;
}

/* pivot_root(2) refuses a new root whose parent mount is shared, and the
 * rootfs bind must not propagate to the host's peers: make the mount that
 * holds the rootfs private, as runc does. */
static int rootfs_parent_private(const char *rootfs, struct husk_error *err)
{
        struct parent_mount pm = { .path = rootfs };
        if (mountinfo_foreach(NULL, find_parent_mount, &pm, err) < 0)
                return -1;
        _cleanup_free_ char *mp = pm.mountpoint;
        if (mp && pm.shared && mount("", mp, NULL, MS_PRIVATE, NULL) < 0)
                return fail(err, errno, "make parent mount %s of the rootfs private", mp);
        return 0;
}

/* ---- cgroup ---- */

/* basename of the host mount: "cpu,cpuacct" */
static const char *hier_name(const struct cgroup_own *h)
{
        const char *base = strrchr(h->mount, '/');
        return base ? base + 1 : h->mount;
}

static int mount_cgroup2(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                         const struct cgroup_own *h, const struct mount_flags *mf, unsigned long flags,
                         struct husk_error *err)
{
        if (ctx->opts->cgroupns) {
                _cleanup_close_ int fd = mkdir_in_root(ctx->root_fd, dest, 0755, err);
                if (fd < 0)
                        return -1;
                if (mount_fd(m->source ? m->source : "cgroup2", fd, "cgroup2", flags & ~MS_BIND, mf->data) == 0)
                        return apply_propagation_and_attrs(ctx, dest, mf, err);
                /* A user namespace may not be allowed a cgroup2 superblock
                 * even with a cgroup namespace of its own (EPERM, or EBUSY
                 * where /sys came in as a locked rbind, as for rootless
                 * containers on a systemd host): show the container's own
                 * cgroup by a bind instead; inside the namespace husk can't
                 * tell which host directory that is, so, as runc does, the
                 * host's cgroup2 mount (what the /sys rbind already shows
                 * there), read-only as asked. */
                if (errno != EPERM && errno != EBUSY)
                        return fail_errno(err, errno);
                const char *src = h && h->dir ? h->dir : "/sys/fs/cgroup";
                log_debug("cgroup2 mount on %s refused (%s): binding %s instead", dest, strerror(errno), src);
                return mount_bind(ctx, src, dest, mf, flags | MS_BIND, err);
        }
        if (!h || !h->dir)
                return husk_error_not_found(err, "no cgroup2 mount on the host shows our cgroup");
        /* No cgroup namespace: show only our own cgroup, not the host's tree. */
        return mount_bind(ctx, h->dir, dest, mf, flags | MS_BIND, err);
}

/* A cgroup2 mount on pure v2, else a tmpfs holding one mount per hierarchy. */
static int mount_cgroup_hiers(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                              const struct cgroup_own *hs, size_t n_hs, const struct mount_flags *mf,
                              unsigned long flags, struct husk_error *err)
{
        const struct cgroup_own *unified = NULL;
        for (size_t i = 0; i < n_hs; i++)
                if (hs[i].v2)
                        unified = &hs[i];

        if (cgroup_detect_layout() == CGROUP_LAYOUT_V2)
                return mount_cgroup2(ctx, m, dest, unified, mf, flags, err);

        /* cgroup v1: a tmpfs holding one mount per hierarchy. */
        struct mount_flags tmf = { .propagation = mf->propagation };
        if (mount_tmpfs(ctx, "tmpfs", dest, &tmf, DEFAULT_MOUNT_FLAGS, "mode=755", err) < 0)
                return husk_error_wrap(err, "cgroup tmpfs");

        for (size_t i = 0; i < n_hs; i++) {
                const struct cgroup_own *h = &hs[i];
                _cleanup_free_ char *sub = xasprintf("%s/%s", dest, h->v2 ? "unified" : hier_name(h));
                int r;
                if (h->v2) {
                        r = mount_cgroup2(ctx, m, sub, h, mf, flags, err);
                } else if (ctx->opts->cgroupns) {
                        _cleanup_close_ int fd = mkdir_in_root(ctx->root_fd, sub, 0755, err);
                        if (fd < 0)
                                return -1;
                        unsigned long f = DEFAULT_MOUNT_FLAGS | (flags & MS_RDONLY);
                        const char *src = strcmp(hier_name(h), "systemd") == 0 ? "systemd" : "cgroup";
                        r = mount_fd(src, fd, "cgroup", f, h->controllers);
                        if (r < 0)
                                fail_errno(err, errno);
                } else if (!h->dir) {
                        r = husk_error_not_found(err, "no mount on the host shows our cgroup");
                } else {
                        r = mount_bind(ctx, h->dir, sub, mf, flags | MS_BIND | MS_REC, err);
                }
                if (r < 0)
                        return husk_error_wrap(err, "%s", sub + strlen(dest) + 1);
        }

        /* cpu -> cpu,cpuacct, as on the host. */
        _cleanup_close_ int dfd = open_in_root(ctx->root_fd, dest, O_PATH | O_DIRECTORY, err);
        if (dfd < 0)
                return -1;
        for (size_t i = 0; i < n_hs; i++) {
                const struct cgroup_own *h = &hs[i];
                if (h->v2 || !strchr(hier_name(h), ','))
                        continue;
                _cleanup_free_ char *names = xstrdup(hier_name(h));
                char *save = NULL;
                for (char *w = strtok_r(names, ",", &save); w; w = strtok_r(NULL, ",", &save))
                        if (symlinkat(hier_name(h), dfd, w) < 0 && errno != EEXIST)
                                return fail(err, errno, "symlink %s/%s", dest, w);
        }

        /* runc leaves the tmpfs itself writable (the hierarchies are
         * read-only when asked): so do we. */
        return 0;
}

static int mount_cgroup(const struct rootfs_ctx *ctx, const struct husk_mount *m, const char *dest,
                        const struct mount_flags *mf, unsigned long flags, struct husk_error *err)
{
        if (ctx->opts->cgroup_view)
                return mount_cgroup_hiers(ctx, m, dest, ctx->opts->cgroup_view, ctx->opts->n_cgroup_view, mf, flags,
                                          err);
        struct cgroup_own *hs = NULL;
        size_t n_hs = 0;
        if (cgroup_own_hierarchies(ctx->opts->cgroup_mounts, &hs, &n_hs, err) < 0)
                return -1;
        int r = mount_cgroup_hiers(ctx, m, dest, hs, n_hs, mf, flags, err);
        cgroup_own_free(hs, n_hs);
        return r;
}

static int mount_one(const struct rootfs_ctx *ctx, const struct husk_mount *m, size_t idx, struct husk_error *err)
{
        struct mount_flags mf;
        _cleanup_free_ char *dest = path_clean(m->destination);
        int r;

        if (mount_flags_parse(m->options, &mf, err) < 0)
                return -1;
        unsigned long flags = mf.flags;

        if (rootfs_mount_is_idmapped(m)) {
                int tree = ctx->opts->mount_fds ? ctx->opts->mount_fds[idx] : -1;
                if (tree < 0)
                        r = fail(err, EOPNOTSUPP, "idmapped mount not prepared by the runtime");
                else
                        r = mount_idmapped(ctx, tree, dest, &mf, flags, err);
        } else if (mf.bind || is_type(m, "bind")) {
                if (!m->source) {
                        mount_flags_free(&mf);
                        return husk_error_invalid(err, "bind mount without a source");
                }
                /* opened by husk on the host's side when we are in a user
                 * namespace (rootfs_needs_bind_sources) */
                int sfd = ctx->opts->mount_fds ? ctx->opts->mount_fds[idx] : -1;
                _cleanup_free_ char *src = sfd >= 0 ? xasprintf("/proc/self/fd/%d", sfd)
                                                    : rootfs_mount_source(m, ctx->opts->bundle);
                r = mount_bind(ctx, src, dest, &mf, flags | MS_BIND, err);
        } else if (is_type(m, "sysfs") && (ctx->opts->userns && !spec_has_ns(ctx->spec, CLONE_NEWNET))) {
                /* sysfs can't be mounted in a user namespace that doesn't
                 * own the network namespace: show the host's, read-only. */
                r = mount_sys_bind(ctx, dest, &mf, flags, err);
        } else if (is_type(m, "sysfs")) {
                /* Same when we joined a network namespace we don't own. */
                r = mount_plain(ctx, m, dest, &mf, flags, err);
                if (r < 0 && (err->errnum == EPERM || err->errnum == EBUSY))
                        r = mount_sys_bind(ctx, dest, &mf, flags, err);
        } else if (is_type(m, "tmpfs")) {
                r = mount_tmpfs(ctx, m->source ? m->source : "tmpfs", dest, &mf, flags, mf.data, err);
        } else if (is_type(m, "cgroup")) {
                r = mount_cgroup(ctx, m, dest, &mf, flags, err);
        } else {
                r = mount_plain(ctx, m, dest, &mf, flags, err);
        }
        mount_flags_free(&mf);
        return r;
}

/* ------------------------------------------------------------------ */

static void ctx_free(struct rootfs_ctx *ctx)
{
        free(ctx->rootfs);
        if (ctx->root_fd >= 0)
                close(ctx->root_fd);
}

static int ctx_init(struct rootfs_ctx *ctx, const struct husk_spec *spec, const struct rootfs_opts *opts,
                    struct husk_error *err)
{
        memset(ctx, 0, sizeof(*ctx));
        ctx->root_fd = -1;
        ctx->spec = spec;
        ctx->opts = opts;
        ctx->label = mount_label(spec);
        if (!opts->rootfs)
                return husk_error_invalid(err, "rootfs path missing");
        ctx->rootfs = realpath(opts->rootfs, NULL);
        if (!ctx->rootfs)
                return fail(err, errno, "rootfs %s", opts->rootfs);
        return 0;
}

int rootfs_prepare(const struct husk_spec *spec, const struct rootfs_opts *opts, struct husk_error *err)
{
        _cleanup_(ctx_free) struct rootfs_ctx ctx = { .root_fd = -1 };
        unsigned long prop = MS_SLAVE | MS_REC;

        if (ctx_init(&ctx, spec, opts, err) < 0)
                return -1;

        if (spec->linux && spec->linux->rootfs_propagation) {
                prop = propagation_flag(spec->linux->rootfs_propagation);
                if (!prop)
                        return husk_error_invalid(err, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                                  spec->linux->rootfs_propagation);
        }
        /* Stop our mounts from reaching the host (the namespace is a copy).
         * Without a mount namespace of our own, "/" is the caller's: leave
         * its propagation alone (hostns_mounts.h). */
        if (!opts->no_mountns && mount("", "/", NULL, prop, NULL) < 0)
                return fail(err, errno, "set propagation of / (%s)",
                            spec->linux && spec->linux->rootfs_propagation ? spec->linux->rootfs_propagation
                                                                            : "rslave");
        if (!opts->no_mountns && rootfs_parent_private(ctx.rootfs, err) < 0)
                return -1;
        /* pivot_root needs the new root to be a mount point; without a mount
         * namespace, this bind holds every mount of the container, and delete
         * detaches it. */
        if (mount(ctx.rootfs, ctx.rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return fail(err, errno, "bind rootfs \"%s\" onto itself", ctx.rootfs);
        ctx.root_fd = open(ctx.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ctx.root_fd < 0)
                return fail(err, errno, "open rootfs \"%s\"", ctx.rootfs);

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (mount_one(&ctx, m, i, err) < 0)
                        return husk_error_wrap(err, "mount \"%s\" on \"%s\" (mounts[%zu])",
                                               m->source ? m->source : (m->type ? m->type : "none"),
                                               m->destination, i);
                /* A mount on "/" covers the rootfs: later mounts (and
                 * pivot_root) go on top of it, as in runc. */
                _cleanup_free_ char *d = path_clean(m->destination);
                if (strcmp(d, "/") == 0) {
                        close(ctx.root_fd);
                        ctx.root_fd = open(ctx.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (ctx.root_fd < 0)
                                return fail(err, errno, "open rootfs \"%s\" after mounts[%zu] on /", ctx.rootfs, i);
                }
        }

        if (!dev_is_bind(spec) && rootfs_setup_dev(ctx.root_fd, spec, opts->userns, err) < 0)
                return -1;
        return 0;
}

