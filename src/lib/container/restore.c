/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `husk restore`: a new container from a bundle and CRIU images.
 *
 * CRIU runs as our child (criu swrk). It wants the root to be a mount point
 * whose parent is not overmounted: the rootfs is bound onto
 * <state>/criu-root for the time of the restore (as runc does; in our own
 * mount namespace, because CRIU resolves the image dir fd through
 * /proc/<husk>/fd and can only mount there from the same namespace), after
 * the mount points CRIU needs were made in it. Before it starts, CRIU joins
 * the container's cgroup,
 * so the restored processes land there. The restored init is CRIU's
 * sibling (rst_sibling): our child, which `restore` in the foreground
 * supervises like `run`. Notifications: "setup-namespaces" runs the
 * prestart and createRuntime hooks (as runc), "post-restore" writes
 * state.json and --pid-file, "orphan-pts-master" brings the console's new
 * pty master (to --console-socket, or proxied in the foreground).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "config.h"

#include "cgroup/cgroup.h"
#include "container/criu.h"
#include "container/internal.h"
#include "linux/hooks.h"
#include "linux/rootfs.h"
#include "linux/terminal.h"
#include "util/log.h"
#include "util/path.h"
#include "util/procfs.h"
#include "util/util.h"

#if HAVE_CRIU
#include "criu/req.h"
#include "criu/swrk.h"

#define CRIU_ROOT "criu-root"

struct restore {
        const struct husk_criu_opts *o;
        struct husk_spec *spec;
        char *bundle, *rootfs, *state_dir, *criu_root;
        int dirfd, image_fd, work_fd;
        struct cgroup_manager *cgroup;
        char *descriptors[3];
        int ns_fds[2];                  /* joined net/pid namespaces, CRIU's fds 4.. */
        int ns_types[2];
        size_t n_ns;
        pid_t pid;
        int pidfd, console;
        bool hooks_ran;
};

static int check_spec(const struct restore *r, struct husk_error *err)
{
        const struct husk_spec *spec = r->spec;
        if (!spec->root_path)
                return husk_error_set(err, 0, "root.path: required");
        if (!spec_has_namespace(spec, CLONE_NEWNS))
                return husk_error_set(err, 0, "linux.namespaces: restore needs a mount namespace");
        if (spec->process && spec->process->terminal && r->o->detach && !r->o->console_socket)
                return husk_error_set(err, 0, "process.terminal is true: --console-socket is required when detached "
                                              "(or set \"terminal\": false)");
        return 0;
}

static int resolve_paths(struct restore *r, struct husk_error *err)
{
        const char *b = r->o->bundle && *r->o->bundle ? r->o->bundle : ".";
        char buf[PATH_MAX];
        if (!realpath(b, buf))
                return husk_error_sys(err, "bundle %s", b);
        r->bundle = xstrdup(buf);
        _cleanup_free_ char *p = r->spec->root_path[0] == '/' ? xstrdup(r->spec->root_path)
                                                               : xasprintf("%s/%s", r->bundle, r->spec->root_path);
        if (!realpath(p, buf))
                return husk_error_sys(err, "root.path: rootfs %s", p);
        r->rootfs = xstrdup(buf);
        return 0;
}

/* runc's descriptors.json: ["pipe:[12]", "/dev/null", ...] */
static int read_descriptors(struct restore *r, struct husk_error *err)
{
        _cleanup_free_ char *raw = NULL;
        if (read_file_at(r->image_fd, CRIU_DESCRIPTORS, &raw, NULL, err) < 0)
                return husk_error_wrap(err, "--image-path %s: not a checkpoint of a container",
                                       criu_image_path(r->o));
        char ebuf[256];
        yajl_val v = yajl_tree_parse(raw, ebuf, sizeof(ebuf));
        if (!v || !YAJL_IS_ARRAY(v)) {
                yajl_tree_free(v);
                return husk_error_set(err, EINVAL, "%s/%s: expected a JSON array of strings", criu_image_path(r->o),
                                      CRIU_DESCRIPTORS);
        }
        for (size_t i = 0; i < v->u.array.len && i < 3; i++)
                if (YAJL_IS_STRING(v->u.array.values[i]))
                        r->descriptors[i] = xstrdup(YAJL_GET_STRING(v->u.array.values[i]));
        yajl_tree_free(v);
        return 0;
}

/* Namespaces the config joins by path, opened before any side effect. */
static int open_namespaces(struct restore *r, struct criu_build *b, struct husk_error *err)
{
        const struct husk_linux *l = r->spec->linux;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct husk_namespace *ns = &l->namespaces[i];
                if (!ns->path)
                        continue;
                if (ns->type == CLONE_NEWNET || ns->type == CLONE_NEWPID) {
                        /* dumped as external: handed to CRIU as an fd */
                        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return husk_error_sys(err, "linux.namespaces[%zu].path %s", i, ns->path);
                        r->ns_types[r->n_ns] = ns->type;
                        r->ns_fds[r->n_ns++] = fd;
                        if (b)
                                criu_build_inherit_fd(b, criu_ns_key(ns->type), 4 + (int)r->n_ns - 1);
                } else if (ns->type == CLONE_NEWCGROUP) {
                        return husk_error_set(err, 0,
                                              "linux.namespaces[%zu]: CRIU can't restore into an existing cgroup "
                                              "namespace (path %s)", i, ns->path);
                } else {
                        if (access(ns->path, F_OK) < 0)
                                return husk_error_sys(err, "linux.namespaces[%zu].path %s", i, ns->path);
                        if (b)
                                criu_build_join_ns(b, criu_ns_name(ns->type), ns->path);
                }
        }
        return 0;
}

/* dest strictly below dir ("/dev/pts" below "/dev")? */
static bool path_below(const char *dest, const char *dir)
{
        size_t n = strlen(dir);
        while (n > 0 && dir[n - 1] == '/')
                n--;
        return strncmp(dest, dir, n) == 0 && dest[n] == '/' && dest[n + 1] != '\0';
}

static bool under_tmpfs(const struct husk_spec *spec, const char *dest)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if (m->type && strcmp(m->type, "tmpfs") == 0 && path_below(dest, m->destination))
                        return true;
        }
        return false;
}

/* The mount points CRIU needs inside the rootfs, as create would make
 * them (resolved inside it); the tmpfs mounts' contents come from the
 * images, the cgroup mount points with /sys. */
static int make_mountpoints(const struct restore *r, struct husk_error *err)
{
        const struct husk_spec *spec = r->spec;
        _cleanup_close_ int root_fd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return husk_error_sys(err, "open rootfs %s", r->rootfs);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct husk_mount *m = &spec->mounts[i];
                if ((m->type && strcmp(m->type, "cgroup") == 0) || under_tmpfs(spec, m->destination))
                        continue;
                struct mount_flags mf = { 0 };
                if (mount_flags_parse(m->options, &mf, err) < 0)
                        return husk_error_wrap(err, "mounts[%zu].options", i);
                bool bind = mf.bind || (m->type && strcmp(m->type, "bind") == 0);
                mount_flags_free(&mf);
                bool dir = true;
                if (bind) {
                        _cleanup_free_ char *src = m->source && m->source[0] == '/'
                                                           ? xstrdup(m->source)
                                                           : xasprintf("%s/%s", r->bundle, m->source ? m->source : "");
                        struct stat st;
                        if (stat(src, &st) < 0)
                                return husk_error_sys(err, "mounts[%zu].source %s", i, src);
                        dir = S_ISDIR(st.st_mode);
                }
                _cleanup_close_ int fd = dir ? mkdir_in_root(root_fd, m->destination, 0755, err)
                                             : mkfile_in_root(root_fd, m->destination, 0644, err);
                if (fd < 0)
                        return husk_error_wrap(err, "mounts[%zu]: mount point %s", i, m->destination);
        }
        return 0;
}

static int write_state(struct restore *r, struct husk_error *err)
{
        struct husk_state st = {
                .id = (char *)r->o->id,
                .pid = r->pid,
                .start_time = proc_start_time(r->pid),
                .bundle = r->bundle,
                .rootfs = r->rootfs,
                .created = state_now_rfc3339(),
                .owner = getuid(),
                .cgroup = r->cgroup ? cgroup_manager_save(r->cgroup) : NULL,
                .systemd_cgroup = r->o->systemd_cgroup,
                .rootless = r->o->rootless,
                .annotations = r->spec->annotations,
                .n_annotations = r->spec->n_annotations,
        };
        int w = state_write(r->dirfd, &st, err);
        free(st.created);
        free(st.cgroup);
        if (w < 0 || (r->o->pid_file && write_pid_file(r->o->pid_file, r->pid, err) < 0))
                return -1;
        return 0;
}

static int restore_notify(void *data, const char *script, pid_t pid, int fd, struct husk_error *err)
{
        struct restore *r = data;
        if (strcmp(script, "orphan-pts-master") == 0) {
                if (fd < 0)
                        return husk_error_set(err, EPROTO, "no pty master came with it");
                if (r->o->console_socket) {
                        int s = terminal_send_to_socket(r->o->console_socket, fd, "orphan-pts-master", err);
                        close(fd);
                        return s < 0 ? husk_error_wrap(err, "--console-socket") : 0;
                }
                if (r->console >= 0)
                        close(r->console);
                r->console = fd;
                return 0;
        }
        if (fd >= 0)
                close(fd);
        if (strcmp(script, "setup-namespaces") == 0 && pid > 0) {
                r->pid = pid;
                struct husk_state st = { .id = (char *)r->o->id, .pid = pid, .bundle = r->bundle,
                                         .annotations = r->spec->annotations,
                                         .n_annotations = r->spec->n_annotations };
                _cleanup_free_ char *json = state_to_json(&st, HUSK_STATUS_CREATING, false, false);
                r->hooks_ran = true;
                if (hooks_run(r->spec, HUSK_HOOK_PRESTART, json, r->bundle, err) < 0 ||
                    hooks_run(r->spec, HUSK_HOOK_CREATE_RUNTIME, json, r->bundle, err) < 0)
                        return -1;
        } else if (strcmp(script, "post-restore") == 0 && pid > 0) {
                r->pid = pid;
                if (r->pidfd < 0)
                        r->pidfd = pidfd_open_pid(pid);
                return write_state(r, err);
        }
        return 0;
}

/* CRIU moves the restored tasks into the cgroups of the image, relative
 * to a root: that of CRIU itself, which joined the container's cgroup (so
 * a restore under another id or cgroupsPath lands in the new cgroup).
 * v1: one root per controller, as runc; pure v2: the default root. */
static int add_cg_roots(struct criu_build *b, pid_t criu, bool v2, struct husk_error *err)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)criu);
        _cleanup_free_ char *buf = NULL;
        if (procfs_read(p, &buf, err) < 0)
                return -1;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                if (c2 == c1 + 1) {     /* cgroup2's "0::" line */
                        if (v2)
                                criu_build_cg_root(b, NULL, c2 + 1);
                        continue;
                }
                if (v2)
                        continue;
                char *s2 = NULL;
                for (char *c = strtok_r(c1 + 1, ",", &s2); c; c = strtok_r(NULL, ",", &s2))
                        criu_build_cg_root(b, c, c2 + 1);
        }
        return 0;
}

static void restore_undo(struct restore *r)
{
        if (r->pidfd >= 0)
                syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
        else if (r->pid > 0)
                kill(r->pid, SIGKILL);
        if (r->pidfd >= 0)
                wait_pidfd(r->pidfd, 5000);
        struct husk_error e = { 0 };
        if (r->cgroup && cgroup_destroy(r->cgroup, &e) < 0)
                log_warn("cleanup: %s", e.msg);
        if (r->dirfd >= 0 && state_remove(r->o->root, r->o->id, r->dirfd, &e) < 0)
                log_warn("cleanup: %s", e.msg);
}

static void restore_free(struct restore *r)
{
        spec_free(r->spec);
        free(r->bundle);
        free(r->rootfs);
        free(r->state_dir);
        free(r->criu_root);
        for (int i = 0; i < 3; i++)
                free(r->descriptors[i]);
        for (size_t i = 0; i < r->n_ns; i++)
                close(r->ns_fds[i]);
        if (r->dirfd >= 0)
                close(r->dirfd);
        if (r->image_fd >= 0)
                close(r->image_fd);
        if (r->work_fd >= 0)
                close(r->work_fd);
        if (r->pidfd >= 0)
                close(r->pidfd);
        if (r->console >= 0)
                close(r->console);
        cgroup_manager_free(r->cgroup);
}

/* Everything up to a restored, recorded container (r->pid). */
static int do_restore(struct restore *r, int version, struct husk_error *err)
{
        const struct husk_criu_opts *o = r->o;
        struct criu_build b;
        criu_build_init(&b);
        struct criu_swrk sw = { .pid = 0, .sock = -1, .hold_fd = -1, .err_fd = -1 };
        int ret = -1;
        _cleanup_free_ char *log_path = criu_log_path(o, "restore.log");
        _cleanup_free_ char *state_raw = NULL;
        bool root_mounted = false;

        r->dirfd = state_reserve(o->root, o->id, err);
        if (r->dirfd < 0)
                goto out;
        {
                _cleanup_free_ char *raw = NULL;
                size_t len;
                _cleanup_free_ char *cfg = xasprintf("%s/config.json", r->bundle);
                if (read_file_at(AT_FDCWD, cfg, &raw, &len, err) < 0 ||
                    write_file_atomic_at(r->dirfd, STATE_CONFIG, raw, len, err) < 0)
                        goto fail;
        }
        struct cgroup_opts co = { .id = o->id, .systemd = o->systemd_cgroup, .rootless = o->rootless };
        if (cgroup_manager_new(r->spec, &co, &r->cgroup, err) < 0)
                goto fail;
        if (cgroup_create(r->cgroup, r->spec->linux ? r->spec->linux->resources : NULL, err) < 0) {
                cgroup_manager_free(r->cgroup);
                r->cgroup = NULL;
                goto fail;
        }
        if (make_mountpoints(r, err) < 0)
                goto fail;
        if (mkdirat(r->dirfd, CRIU_ROOT, 0755) < 0 && errno != EEXIST) {
                husk_error_sys(err, "mkdir %s", r->criu_root);
                goto fail;
        }
        if (mount(r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0) {
                husk_error_sys(err, "bind the rootfs %s on %s", r->rootfs, r->criu_root);
                goto fail;
        }
        root_mounted = true;
        if (o->work_path && *o->work_path && (r->work_fd = criu_open_dir(o->work_path, true, "--work-path", err)) < 0)
                goto fail;

        criu_common_opts(&b, o, r->spec, r->image_fd, r->work_fd, "restore.log");
        CriuOpts *ro = &b.opts;
        ro->root = criu_build_str(&b, r->criu_root);
        ro->has_rst_sibling = ro->rst_sibling = true;
        ro->has_evasive_devices = ro->evasive_devices = true;
        if (o->lsm_profile || o->lsm_mount_context) {
                if (version < 31600) {
                        husk_error_set(err, 0, "--lsm-profile/--lsm-mount-context need CRIU 3.16 or newer");
                        goto fail;
                }
                if (o->lsm_profile)
                        ro->lsm_profile = criu_build_str(&b, o->lsm_profile);
                if (o->lsm_mount_context)
                        ro->lsm_mount_context = criu_build_str(&b, o->lsm_mount_context);
        }
        for (size_t i = 0; i < r->n_ns; i++)
                criu_build_inherit_fd(&b, criu_ns_key(r->ns_types[i]), 4 + (int)i);
        for (size_t i = 0; r->spec->linux && i < r->spec->linux->n_namespaces; i++) {
                const struct husk_namespace *ns = &r->spec->linux->namespaces[i];
                if (ns->path && ns->type != CLONE_NEWNET && ns->type != CLONE_NEWPID)
                        criu_build_join_ns(&b, criu_ns_name(ns->type), ns->path);
        }
        if (criu_external_mounts(&b, r->spec, r->cgroup, true, r->bundle, 0, err) < 0)
                goto fail;
        /* the init's stdio pipes: ours now (CRIU's fds 0-2 are ours) */
        for (int i = 0; i < 3; i++)
                if (r->descriptors[i] && strstr(r->descriptors[i], "pipe:"))
                        criu_build_inherit_fd(&b, r->descriptors[i], i);

        struct criu_swrk_opts so = {
                .criu = o->criu, .stdio = { -1, -1, -1 }, .extra_fds = r->ns_fds, .n_extra = r->n_ns,
                .hold = true,
        };
        if (criu_swrk_spawn(&so, &sw, err) < 0)
                goto fail;
        /* CRIU into the container's cgroup before it forks anything */
        if (r->cgroup && cgroup_add_pid(r->cgroup, sw.pid, NULL, err) < 0) {
                husk_error_wrap(err, "put criu into the container's cgroup");
                goto fail;
        }
        if (r->cgroup && o->cg_mode != HUSK_CG_MODE_IGNORE &&
            add_cg_roots(&b, sw.pid, cgroup_detect_layout() == CGROUP_LAYOUT_V2, err) < 0)
                goto fail;
        if (criu_swrk_release(&sw, err) < 0)
                goto fail;

        const struct criu_pb_fns *pb = criu_pb();
        CriuReq req;
        pb->criu_req__init(&req);
        req.type = CRIU_REQ_TYPE__RESTORE;
        req.opts = ro;
        CriuResp *resp;
        if (criu_swrk_call(&sw, &req, restore_notify, r, log_path, &resp, err) < 0)
                goto fail;
        if (resp->restore && resp->restore->pid > 0 && r->pid <= 0)
                r->pid = resp->restore->pid;
        pb->criu_resp__free_unpacked(resp, NULL);
        criu_swrk_finish(&sw);
        if (r->pid <= 0) {
                husk_error_set(err, EPROTO, "criu restored no process");
                goto fail;
        }
        if (r->pidfd < 0)
                r->pidfd = pidfd_open_pid(r->pid);
        /* no post-restore notification (old CRIU): record it now */
        struct husk_error e = { 0 };
        if (read_file_at(r->dirfd, STATE_FILE, &state_raw, NULL, &e) < 0 && write_state(r, err) < 0)
                goto fail;
        ret = 0;
        goto out;
fail:
        criu_swrk_finish(&sw);
out:
        if (root_mounted && umount2(r->criu_root, MNT_DETACH) < 0)
                log_warn("unmount %s: %s", r->criu_root, strerror(errno));
        if (r->dirfd >= 0)
                unlinkat(r->dirfd, CRIU_ROOT, AT_REMOVEDIR);
        if (ret < 0)
                restore_undo(r);
        criu_build_free(&b);
        return ret;
}

int container_restore(const struct husk_criu_opts *o, int *exit_code, struct husk_error *err)
{
        struct restore r = { .o = o, .dirfd = -1, .image_fd = -1, .work_fd = -1, .pidfd = -1, .console = -1 };
        int ret = -1, sfd = -1, version;
        *exit_code = 0;

        /* Everything checked before the first side effect. */
        if (state_validate_id(o->id, err) < 0 || criu_opts_validate(o, true, err) < 0)
                return -1;
        {
                const char *bdir = o->bundle && *o->bundle ? o->bundle : ".";
                _cleanup_free_ char *cfg = xasprintf("%s/config.json", bdir);
                _cleanup_free_ char *raw = NULL;
                size_t len;
                if (read_file_at(AT_FDCWD, cfg, &raw, &len, err) < 0)
                        return husk_error_wrap(err, "bundle %s", bdir);
                if (spec_parse(raw, len, "config.json", &r.spec, err) < 0)
                        return -1;
        }
        if (check_spec(&r, err) < 0 || resolve_paths(&r, err) < 0 || open_namespaces(&r, NULL, err) < 0)
                goto out;
        if ((r.image_fd = criu_open_dir(criu_image_path(o), false, "--image-path", err)) < 0 ||
            read_descriptors(&r, err) < 0)
                goto out;
        if (criu_check_version(o->criu, CRIU_MIN_VERSION, &version, err) < 0)
                goto out;
        char buf[PATH_MAX];
        if (mkdir_p(o->root, 0700, err) < 0)
                goto out;
        if (!realpath(o->root, buf)) {
                husk_error_sys(err, "--root %s", o->root);
                goto out;
        }
        r.state_dir = xasprintf("%s/%s", buf, o->id);
        r.criu_root = xasprintf("%s/%s", r.state_dir, CRIU_ROOT);

        if (!o->detach) {
                if ((sfd = supervisor_begin(!o->no_subreaper, err)) < 0)
                        goto out;
        }
        if (o->no_pivot)
                log_debug("--no-pivot: CRIU makes the root itself; nothing to do");
        if (do_restore(&r, version, err) < 0)
                goto out;
        /* unlock: state, exec, kill must work on it now */
        close(r.dirfd);
        r.dirfd = -1;
        ret = 0;
        if (o->detach)
                goto out;
        struct raw_tty tty;
        tty_raw_begin(&tty, r.console);
        *exit_code = supervise(r.pid, r.pidfd, sfd, r.console, NULL);
        tty_raw_end(&tty);
        struct husk_error e = { 0 };
        if (container_delete(o->root, o->id, true, &e) < 0)
                log_warn("delete %s: %s", o->id, e.msg);
out:
        if (sfd >= 0)
                close(sfd);
        restore_free(&r);
        return ret;
}

#else

int container_restore(const struct husk_criu_opts *o, int *exit_code, struct husk_error *err)
{
        *exit_code = 0;
        return husk_error_set(err, 0, "restore: husk was built without CRIU support (-CRIU)");
}

#endif
