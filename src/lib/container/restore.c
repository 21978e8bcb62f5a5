/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `husk restore`: a new container from a bundle and CRIU images.
 *
 * CRIU runs as our child (criu swrk). It wants the root to be a mount point
 * whose parent is not overmounted: the rootfs is bound onto
 * <state>/criu-root (as runc does), after the mount points CRIU needs were
 * made in it. The bind is made in a private mount namespace that husk
 * enters only to fork CRIU (slave of ours: it sees the host's mounts,
 * nothing goes back), so it can't outlive CRIU: a killed `husk restore`
 * leaves no mount on the host. Before it starts, CRIU joins the container's cgroup,
 * so the restored processes land there; the state (status "creating",
 * pid 0, the cgroup) is recorded before the cgroup is made, so `delete -f`
 * of a killed restore finds and removes everything. The restored init is
 * CRIU's sibling (rst_sibling): our child, which `restore` in the
 * foreground
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
#include "linux/fdpass.h"
#include "linux/hooks.h"
#include "linux/rootfs.h"
#include "util/log.h"
#include "util/path.h"
#include "util/failpoint.h"
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
        char *created;
        bool hooks_ran, recorded;       /* recorded: state.json has the restored pid */
};

static int check_spec(const struct restore *r, struct husk_error *err)
{
        const struct husk_spec *spec = r->spec;
        if (!spec->root_path)
                return husk_error_invalid(err, "root.path: required");
        if (!spec_has_namespace(spec, CLONE_NEWNS))
                return husk_error_invalid(err, "linux.namespaces: restore needs a mount namespace");
        if (spec->process && spec->process->terminal && r->o->detach && !r->o->console_socket)
                return husk_error_invalid(err, "process.terminal is true: --console-socket is required when detached "
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
                return husk_error_invalid(err, "%s/%s: expected a JSON array of strings", criu_image_path(r->o),
                                          CRIU_DESCRIPTORS);
        }
        for (size_t i = 0; i < v->u.array.len && i < 3; i++)
                if (YAJL_IS_STRING(v->u.array.values[i]))
                        r->descriptors[i] = xstrdup(YAJL_GET_STRING(v->u.array.values[i]));
        yajl_tree_free(v);
        return 0;
}

/* Namespaces the config joins by path, checked (and the external ones
 * opened) before any side effect. */
static int open_namespaces(struct restore *r, struct husk_error *err)
{
        const struct husk_linux *l = r->spec->linux;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct husk_namespace *ns = &l->namespaces[i];
                if (!ns->path)
                        continue;
                if (criu_ns_external(ns->type)) {
                        /* dumped as external: handed to CRIU as an fd */
                        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return husk_error_sys(err, "linux.namespaces[%zu].path %s", i, ns->path);
                        r->ns_types[r->n_ns] = ns->type;
                        r->ns_fds[r->n_ns++] = fd;
                } else if (ns->type == CLONE_NEWCGROUP) {
                        return husk_error_unsupported(err,
                                                      "linux.namespaces[%zu]: CRIU can't restore into an existing cgroup "
                                                      "namespace (path %s)", i, ns->path);
                } else if (access(ns->path, F_OK) < 0) {
                        return husk_error_sys(err, "linux.namespaces[%zu].path %s", i, ns->path);
                }
        }
        return 0;
}

/* The external namespaces as the fds CRIU gets (4, 5...), the others to
 * join by path. */
static void add_namespaces(const struct restore *r, struct criu_build *b)
{
        for (size_t i = 0; i < r->n_ns; i++)
                criu_build_inherit_fd(b, criu_ns_key(r->ns_types[i]), 4 + (int)i);
        const struct husk_linux *l = r->spec->linux;
        for (size_t i = 0; l && i < l->n_namespaces; i++) {
                const struct husk_namespace *ns = &l->namespaces[i];
                if (ns->path && !criu_ns_external(ns->type))
                        criu_build_join_ns(b, criu_ns_name(ns->type), ns->path);
        }
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

/* state.json: first with pid 0 ("creating": what delete -f of a killed
 * restore needs, the cgroup), then with the restored init. */
static int write_state(struct restore *r, struct husk_error *err)
{
        if (!r->created)
                r->created = state_now_rfc3339();
        struct husk_state st = {
                .id = (char *)r->o->id,
                .pid = r->pid,
                .start_time = r->pid > 0 ? proc_start_time(r->pid) : 0,
                .bundle = r->bundle,
                .rootfs = r->rootfs,
                .created = r->created,
                .owner = getuid(),
                .cgroup = r->cgroup ? cgroup_manager_save(r->cgroup) : NULL,
                .systemd_cgroup = r->o->systemd_cgroup,
                .rootless = r->o->rootless,
                .annotations = r->spec->annotations,
                .n_annotations = r->spec->n_annotations,
        };
        int w = state_write(r->dirfd, &st, err);
        free(st.cgroup);
        if (w < 0 || r->pid <= 0)
                return w;
        if (r->o->pid_file && write_pid_file(r->o->pid_file, r->pid, err) < 0)
                return -1;
        r->recorded = true;
        return 0;
}

static int restore_notify(void *data, const char *script, pid_t pid, int fd, struct husk_error *err)
{
        struct restore *r = data;
        if (failpoint("criu: a notification", err) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        if (strcmp(script, "orphan-pts-master") == 0) {
                if (fd < 0)
                        return husk_error_set(err, EPROTO, "no pty master came with it");
                if (r->o->console_socket) {
                        int s = fdpass_send(r->o->console_socket, fd, "orphan-pts-master", err);
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
                _cleanup_free_ char *json = state_hook_json(r->o->id, pid, r->bundle, r->spec, HUSK_STATUS_CREATING);
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
        free(r->created);
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

/* The side effects before CRIU, each recorded before it is made: the
 * state dir with the config, state.json naming the cgroup, the cgroup, the
 * mount points in the rootfs, the criu-root directory. */
static int restore_prepare(struct restore *r, struct husk_error *err)
{
        const struct husk_criu_opts *o = r->o;
        r->dirfd = state_reserve(o->root, o->id, err);
        if (r->dirfd < 0)
                return -1;
        _cleanup_free_ char *raw = NULL;
        size_t len;
        _cleanup_free_ char *cfg = xasprintf("%s/config.json", r->bundle);
        if (read_file_at(AT_FDCWD, cfg, &raw, &len, err) < 0 || failpoint("state: write config.json", err) < 0 ||
            write_file_atomic_at(r->dirfd, STATE_CONFIG, raw, len, err) < 0)
                return -1;
        struct cgroup_opts co = { .id = o->id, .systemd = o->systemd_cgroup, .rootless = o->rootless };
        if (cgroup_manager_new(r->spec, &co, &r->cgroup, err) < 0 || write_state(r, err) < 0)
                return -1;
        if (cgroup_create(r->cgroup, r->spec->linux ? r->spec->linux->resources : NULL, err) < 0) {
                cgroup_manager_free(r->cgroup);
                r->cgroup = NULL;
                return -1;
        }
        if (make_mountpoints(r, err) < 0)
                return -1;
        if (mkdirat(r->dirfd, CRIU_ROOT, 0755) < 0 && errno != EEXIST)
                return husk_error_sys(err, "mkdir %s", r->criu_root);
        if (o->work_path && *o->work_path && (r->work_fd = criu_open_dir(o->work_path, true, "--work-path", err)) < 0)
                return -1;
        return 0;
}

/* CRIU's RESTORE options (runc's set). */
static int build_opts(struct restore *r, struct criu_build *b, int version, struct husk_error *err)
{
        const struct husk_criu_opts *o = r->o;
        criu_common_opts(b, o, r->spec, r->image_fd, r->work_fd, "restore.log");
        CriuOpts *ro = &b->opts;
        ro->root = criu_build_str(b, r->criu_root);
        ro->has_rst_sibling = ro->rst_sibling = true;
        ro->has_evasive_devices = ro->evasive_devices = true;
        if (o->lsm_profile || o->lsm_mount_context) {
                if (version < 31600)
                        return husk_error_unsupported(err, "--lsm-profile/--lsm-mount-context need CRIU 3.16 or newer");
                if (o->lsm_profile)
                        ro->lsm_profile = criu_build_str(b, o->lsm_profile);
                if (o->lsm_mount_context)
                        ro->lsm_mount_context = criu_build_str(b, o->lsm_mount_context);
        }
        add_namespaces(r, b);
        if (criu_external_mounts(b, r->spec, r->cgroup, true, r->bundle, 0, err) < 0)
                return -1;
        /* the init's stdio pipes: ours now (CRIU's fds 0-2 are ours) */
        for (int i = 0; i < 3; i++)
                if (r->descriptors[i] && strncmp(r->descriptors[i], "pipe:", 5) == 0)
                        criu_build_inherit_fd(b, r->descriptors[i], i);
        return 0;
}

/* Reopen *fd (a directory) from path in the current mount namespace, at
 * the same number. */
static int reopen_dir(int *fd, const char *path, const char *flag, struct husk_error *err)
{
        if (*fd < 0)
                return 0;
        _cleanup_close_ int nfd = criu_open_dir(path, false, flag, err);
        if (nfd < 0 || dup3(nfd, *fd, O_CLOEXEC) < 0)
                return nfd < 0 ? -1 : husk_error_sys(err, "%s %s", flag, path);
        return 0;
}

/* A private mount namespace (a slave of ours: it sees the host's mounts,
 * nothing goes back) with the rootfs bound on criu-root, for CRIU: it dies
 * with CRIU, and with us, so the bind can't outlive a killed restore. CRIU
 * opens the image and work dirs through /proc/<husk>/fd/N and mounts its
 * cgroup yard in the work dir: they are reopened in the new namespace. *host
 * and *cwd: to come back with leave_private_ns once CRIU is forked. */
static int enter_private_ns(struct restore *r, int *host, int *cwd, struct husk_error *err)
{
        const struct husk_criu_opts *o = r->o;
        if (failpoint("criu: bind the root in a private mount namespace", err) < 0)
                return -1;
        *host = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        *cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*host < 0 || *cwd < 0)
                return husk_error_sys(err, "open our mount namespace");
        if (unshare(CLONE_NEWNS) < 0)
                return husk_error_sys(err, "unshare a mount namespace for criu");
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return husk_error_sys(err, "make criu's mounts slaves of the host's");
        if (mount(r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return husk_error_sys(err, "bind the rootfs %s on %s", r->rootfs, r->criu_root);
        if (reopen_dir(&r->image_fd, criu_image_path(o), "--image-path", err) < 0 ||
            reopen_dir(&r->work_fd, o->work_path, "--work-path", err) < 0)
                return -1;
        return 0;
}

static int leave_private_ns(int host, int cwd, struct husk_error *err)
{
        if (host < 0)
                return 0;
        if (setns(host, CLONE_NEWNS) < 0 || fchdir(cwd) < 0)
                return husk_error_sys(err, "back to our mount namespace");
        return 0;
}

/* CRIU forked (held) in the private namespace, and we back in ours: the
 * hooks, the supervision, the rest happen there. */
static int spawn_criu(struct restore *r, const struct criu_swrk_opts *so, struct criu_swrk *sw,
                      struct husk_error *err)
{
        _cleanup_close_ int host = -1, cwd = -1;
        int ret = enter_private_ns(r, &host, &cwd, err);
        if (ret == 0)
                ret = failpoint("criu: spawn", err) < 0 ? -1 : criu_swrk_spawn(so, sw, err);
        struct husk_error ignored = { 0 };
        if (leave_private_ns(host, cwd, ret < 0 ? &ignored : err) < 0)
                return -1;
        return ret;
}

/* CRIU, started in the container's cgroup, restores; r->pid is the init. */
static int run_criu(struct restore *r, struct criu_build *b, struct husk_error *err)
{
        const struct husk_criu_opts *o = r->o;
        _cleanup_free_ char *log_path = criu_log_path(o, "restore.log");
        struct criu_swrk_opts so = {
                .criu = o->criu, .stdio = { -1, -1, -1 }, .extra_fds = r->ns_fds, .n_extra = r->n_ns,
                .hold = true,
        };
        struct criu_swrk sw = { .pid = 0, .sock = -1, .hold_fd = -1, .err_fd = -1 };
        CriuResp *resp = NULL;
        int ret = -1;
        if (spawn_criu(r, &so, &sw, err) < 0)
                goto out;
        /* CRIU into the container's cgroup before it forks anything */
        if (r->cgroup && cgroup_add_pid(r->cgroup, sw.pid, NULL, err) < 0) {
                husk_error_wrap(err, "put criu into the container's cgroup");
                goto out;
        }
        if (r->cgroup && o->cg_mode != HUSK_CG_MODE_IGNORE &&
            add_cg_roots(b, sw.pid, cgroup_detect_layout() == CGROUP_LAYOUT_V2, err) < 0)
                goto out;
        if (criu_swrk_release(&sw, err) < 0)
                goto out;
        CriuReq req;
        criu_pb()->criu_req__init(&req);
        req.type = CRIU_REQ_TYPE__RESTORE;
        req.opts = &b->opts;
        if (criu_swrk_call(&sw, &req, restore_notify, r, log_path, &resp, err) < 0)
                goto out;
        if (resp->restore && resp->restore->pid > 0 && r->pid <= 0)
                r->pid = resp->restore->pid;
        criu_pb()->criu_resp__free_unpacked(resp, NULL);
        ret = 0;
out:
        criu_swrk_finish(&sw);
        return ret;
}

/* Everything up to a restored, recorded container (r->pid). */
static int do_restore(struct restore *r, int version, struct husk_error *err)
{
        struct criu_build b;
        criu_build_init(&b);
        int ret = -1;
        if (restore_prepare(r, err) < 0 || build_opts(r, &b, version, err) < 0 || run_criu(r, &b, err) < 0)
                goto out;
        if (r->pid <= 0) {
                husk_error_set(err, EPROTO, "criu restored no process");
                goto out;
        }
        if (r->pidfd < 0)
                r->pidfd = pidfd_open_pid(r->pid);
        /* no post-restore notification (old CRIU): record it now */
        if (!r->recorded && write_state(r, err) < 0)
                goto out;
        ret = 0;
out:
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
        if (check_spec(&r, err) < 0 || resolve_paths(&r, err) < 0 || open_namespaces(&r, err) < 0)
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
        return husk_error_unsupported(err, "restore: husk was built without CRIU support (-CRIU)");
}

#endif
