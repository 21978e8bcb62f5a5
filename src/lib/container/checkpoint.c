/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `husk checkpoint`: dump a container with CRIU (criu swrk, see criu/). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#include "cgroup/cgroup.h"
#include "container/criu.h"
#include "container/internal.h"
#include "util/jsongen.h"
#include "util/log.h"
#include "util/util.h"

#if HAVE_CRIU
#include "criu/req.h"
#include "criu/swrk.h"

int criu_opts_validate(const struct husk_criu_opts *o, bool restore, struct husk_error *err)
{
        if (o->parent_path && *o->parent_path) {
                if (o->parent_path[0] == '/')
                        return husk_error_invalid(err, "--parent-path must be relative (to --image-path)");
                _cleanup_free_ char *p = xasprintf("%s/%s", criu_image_path(o), o->parent_path);
                struct stat st;
                if (stat(p, &st) < 0)
                        return husk_error_sys(err, "invalid --parent-path %s", p);
                if (!S_ISDIR(st.st_mode))
                        return husk_error_invalid(err, "invalid --parent-path %s: not a directory", p);
        }
        if (o->page_server && *o->page_server) {
                const char *colon = strrchr(o->page_server, ':');
                int64_t port;
                if (!colon || colon == o->page_server || parse_int64(colon + 1, &port) < 0 || port <= 0 ||
                    port > 65535)
                        return husk_error_invalid(err, "--page-server: expected ADDRESS:PORT, got \"%s\"",
                                                  o->page_server);
        }
        if (o->status_fd >= 0) {
                if (!o->lazy_pages)
                        return husk_error_invalid(err, "--status-fd is only used with --lazy-pages");
                int fl = fcntl(o->status_fd, F_GETFL);
                if (fl < 0)
                        return husk_error_sys(err, "invalid --status-fd %d", o->status_fd);
                if ((fl & O_ACCMODE) == O_RDONLY)
                        return husk_error_invalid(err, "invalid --status-fd %d: not writable", o->status_fd);
        }
        if (!restore && o->lazy_pages && o->pre_dump)
                return husk_error_invalid(err, "--lazy-pages and --pre-dump can't be used together");
        return 0;
}

const char *criu_image_path(const struct husk_criu_opts *o)
{
        return o->image_path && *o->image_path ? o->image_path : "checkpoint";
}

char *criu_log_path(const struct husk_criu_opts *o, const char *file)
{
        const char *dir = o->work_path && *o->work_path ? o->work_path : criu_image_path(o);
        char abs[PATH_MAX];
        if (dir[0] != '/' && getcwd(abs, sizeof(abs)))
                return xasprintf("%s/%s/%s", abs, dir, file);
        return xasprintf("%s/%s", dir, file);
}

int criu_open_dir(const char *path, bool create, const char *flag, struct husk_error *err)
{
        if (create && mkdir_p(path, 0700, err) < 0)
                return husk_error_wrap(err, "%s", flag);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "%s %s", flag, path);
        return fd;
}

void criu_common_opts(struct criu_build *b, const struct husk_criu_opts *o, const struct husk_spec *spec,
                      int image_fd, int work_fd, const char *log_file)
{
        CriuOpts *r = &b->opts;
        r->images_dir_fd = image_fd;
        if (work_fd >= 0) {
                r->has_work_dir_fd = true;
                r->work_dir_fd = work_fd;
        }
        r->has_log_level = true;
        r->log_level = 4;
        r->log_file = criu_build_str(b, log_file);
        r->has_manage_cgroups = true;
        r->manage_cgroups = o->cg_mode != HUSK_CG_MODE_IGNORE;
        if (o->cg_mode != HUSK_CG_MODE_DEFAULT) {
                r->has_manage_cgroups_mode = true;
                r->manage_cgroups_mode = (CriuCgMode)o->cg_mode;
        }
        r->has_notify_scripts = r->notify_scripts = true;
        r->has_shell_job = true;
        r->shell_job = o->shell_job;
        r->has_tcp_established = true;
        r->tcp_established = o->tcp_established;
        r->has_ext_unix_sk = true;
        r->ext_unix_sk = o->ext_unix_sk;
        r->has_file_locks = true;
        r->file_locks = o->file_locks;
        r->has_orphan_pts_master = r->orphan_pts_master = true;
        r->has_auto_dedup = true;
        r->auto_dedup = o->auto_dedup;
        r->has_lazy_pages = true;
        r->lazy_pages = o->lazy_pages;
        /* network devices are not husk's business: the network namespace
         * comes back empty (as runc, which always adds it) */
        r->has_empty_ns = true;
        r->empty_ns = o->empty_ns | CLONE_NEWNET;
        /* A per-container CRIU config file: annotation org.criu.config
         * ("" for none), else /etc/criu/husk.conf if it exists. */
        const char *cf = spec_annotation(spec, "org.criu.config");
        if (!cf)
                cf = "/etc/criu/husk.conf";
        if (*cf)
                r->config_file = criu_build_str(b, cf);
}

/* FEATURE_CHECK: does this CRIU + kernel do mem_track / lazy_pages? */
static int check_features(const struct husk_criu_opts *o, bool mem_track, bool lazy, struct husk_error *err)
{
        const struct criu_pb_fns *pb = criu_pb();
        struct criu_swrk_opts so = { .criu = o->criu, .stdio = { -1, -1, -1 } };
        struct criu_swrk sw;
        if (criu_swrk_spawn(&so, &sw, err) < 0) {
                criu_swrk_finish(&sw);
                return -1;
        }
        CriuOpts opts;
        CriuFeatures want;
        CriuReq req;
        pb->criu_opts__init(&opts);
        pb->criu_features__init(&want);
        pb->criu_req__init(&req);
        want.has_mem_track = mem_track;
        want.mem_track = mem_track;
        want.has_lazy_pages = lazy;
        want.lazy_pages = lazy;
        req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
        req.opts = &opts;
        req.features = &want;
        CriuResp *resp;
        int r = criu_swrk_call(&sw, &req, NULL, NULL, NULL, &resp, err);
        criu_swrk_finish(&sw);
        if (r < 0)
                return husk_error_wrap(err, "CRIU feature check");
        const CriuFeatures *f = resp->features;
        if (mem_track && !(f && f->has_mem_track && f->mem_track))
                r = husk_error_unsupported(err, "--pre-dump: CRIU or the kernel can't track memory changes "
                                                 "(soft-dirty bits)");
        else if (lazy && !(f && f->has_lazy_pages && f->lazy_pages))
                r = husk_error_unsupported(err, "--lazy-pages: CRIU or the kernel has no lazy pages (userfaultfd)");
        pb->criu_resp__free_unpacked(resp, NULL);
        return r;
}

/* The init's stdio as CRIU names them ("pipe:[123]", "/dev/null", ...),
 * for restore to hand in new pipes (runc's descriptors.json). */
static int write_descriptors(int image_fd, pid_t pid, struct husk_error *err)
{
        yajl_gen g = jgen_new(NULL);
        yajl_gen_array_open(g);
        for (int i = 0; i < 3; i++) {
                char p[64], t[PATH_MAX];
                snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, i);
                ssize_t n = readlink(p, t, sizeof(t) - 1);
                t[n > 0 ? n : 0] = '\0';
                jgen_str(g, t);
        }
        yajl_gen_array_close(g);
        _cleanup_free_ char *json = jgen_finish(g);
        return write_file_atomic_at(image_fd, CRIU_DESCRIPTORS, json, strlen(json), err);
}

static int criu_dump_notify(void *data, const char *script, pid_t pid, int fd, struct husk_error *err)
{
        const struct husk_criu_opts *o = data;
        if (fd >= 0)
                close(fd);
        if (strcmp(script, "status-ready") == 0 && o->status_fd >= 0) {
                /* lazy pages: the page server is up */
                if (write(o->status_fd, "", 1) != 1)
                        log_warn("--status-fd %d: %s", o->status_fd, strerror(errno));
        }
        return 0;
}

static int load_spec(int dirfd, struct husk_spec **spec, struct husk_error *err)
{
        _cleanup_free_ char *raw = NULL;
        size_t len;
        if (read_file_at(dirfd, STATE_CONFIG, &raw, &len, err) < 0)
                return -1;
        return spec_parse(raw, len, "config.json (saved at create)", spec, err);
}

/* What must hold before anything is written: a mount namespace of its
 * own, a CRIU new enough, with the features the flags need. */
static int checkpoint_check(const struct husk_criu_opts *o, const struct husk_spec *spec, int *version,
                            struct husk_error *err)
{
        if (!spec_has_namespace(spec, CLONE_NEWNS))
                /* its mounts live in the caller's namespace: nothing CRIU could restore */
                return husk_error_unsupported(err, "container %s has no mount namespace of its own: it can't be "
                                              "checkpointed", o->id);
        if (criu_check_version(o->criu, CRIU_MIN_VERSION, version, err) < 0)
                return -1;
        if ((o->pre_dump || o->lazy_pages) && check_features(o, o->pre_dump, o->lazy_pages, err) < 0)
                return -1;
        if (o->lazy_pages && o->status_fd >= 0 && *version < 31500)
                return husk_error_unsupported(err, "--status-fd needs CRIU 3.15 or newer");
        return 0;
}

/* CRIU's DUMP / PRE_DUMP options for container c (runc's set). */
static int build_dump_opts(const struct husk_criu_opts *o, const struct husk_container *c,
                           const struct husk_spec *spec, int version, int image_fd, struct criu_build *b,
                           struct husk_error *err)
{
        CriuOpts *r = &b->opts;
        r->root = criu_build_str(b, c->st.rootfs);
        r->has_pid = true;
        r->pid = c->st.pid;
        r->has_leave_running = true;
        r->leave_running = o->leave_running;
        /* joined network / pid namespaces stay outside the image: restore
         * expects them to exist (their paths in the config) */
        if (criu_dump_external_ns(b, spec, version, err) < 0)
                return -1;
        /* CRIU freezes through the cgroup (else it ptrace-stops task by task) */
        const char *fz = c->cgroup ? cgroup_freezer_dir(c->cgroup) : NULL;
        if (fz)
                r->freeze_cgroup = criu_build_str(b, fz);
        if (o->page_server && *o->page_server) {
                const char *colon = strrchr(o->page_server, ':');
                int64_t port = 0;
                parse_int64(colon + 1, &port);
                b->ps.address = xstrndup(o->page_server, (size_t)(colon - o->page_server));
                b->ps.has_port = true;
                b->ps.port = (int32_t)port;
                r->ps = &b->ps;
        }
        if (o->parent_path && *o->parent_path)
                r->parent_img = criu_build_str(b, o->parent_path);
        if (o->pre_dump || (o->parent_path && *o->parent_path))
                r->has_track_mem = r->track_mem = true;
        if (o->pre_dump)
                return 0;
        if (criu_external_mounts(b, spec, c->cgroup, false, c->st.bundle, c->st.pid, err) < 0)
                return -1;
        return write_descriptors(image_fd, c->st.pid, err);
}

/* One DUMP or PRE_DUMP request to a fresh `criu swrk`. */
static int run_dump(const struct husk_criu_opts *o, struct criu_build *b, struct husk_error *err)
{
        _cleanup_free_ char *log_path = criu_log_path(o, o->pre_dump ? "pre-dump.log" : "dump.log");
        /* CRIU complains on stderr when a pre-dump's socket closes: its log has all */
        _cleanup_close_ int devnull = o->pre_dump ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
        CriuReq req;
        criu_pb()->criu_req__init(&req);
        req.type = o->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
        req.opts = &b->opts;
        struct criu_swrk_opts so = { .criu = o->criu, .stdio = { -1, -1, devnull } };
        struct criu_swrk sw;
        if (criu_swrk_spawn(&so, &sw, err) < 0) {
                criu_swrk_finish(&sw);
                return -1;
        }
        CriuResp *resp;
        int cr = criu_swrk_call(&sw, &req, criu_dump_notify, (void *)o, log_path, &resp, err);
        /* after PRE_DUMP CRIU waits for more: closing the socket ends it */
        int st = criu_swrk_finish(&sw);
        if (cr < 0)
                return -1;
        criu_pb()->criu_resp__free_unpacked(resp, NULL);
        if (st != 0 && !o->pre_dump)
                return husk_error_set(err, 0, "criu exited with status %d; log file: %s", st, log_path);
        return 0;
}

static int do_checkpoint(const struct husk_criu_opts *o, struct husk_container *c, struct husk_error *err)
{
        struct husk_spec *spec = NULL;
        struct criu_build b = { 0 };
        bool built = false;
        int image_fd = -1, work_fd = -1, ret = -1, version;

        if (load_spec(c->dirfd, &spec, err) < 0 || checkpoint_check(o, spec, &version, err) < 0)
                goto out;
        if ((image_fd = criu_open_dir(criu_image_path(o), true, "--image-path", err)) < 0)
                goto out;
        if (o->work_path && *o->work_path && (work_fd = criu_open_dir(o->work_path, true, "--work-path", err)) < 0)
                goto out;
        criu_build_init(&b);
        built = true;
        criu_common_opts(&b, o, spec, image_fd, work_fd, o->pre_dump ? "pre-dump.log" : "dump.log");
        if (build_dump_opts(o, c, spec, version, image_fd, &b, err) < 0 || run_dump(o, &b, err) < 0)
                goto out;
        ret = 0;
out:
        if (built)
                criu_build_free(&b);
        if (image_fd >= 0)
                close(image_fd);
        if (work_fd >= 0)
                close(work_fd);
        spec_free(spec);
        return ret;
}

int container_checkpoint(const struct husk_criu_opts *o, struct husk_error *err)
{
        /* the image dir first (as runc): --parent-path is relative to it */
        if (mkdir_p(criu_image_path(o), 0700, err) < 0)
                return husk_error_wrap(err, "--image-path");
        if (criu_opts_validate(o, false, err) < 0)
                return -1;
        struct husk_container c;
        if (container_load(o->root, o->id, true, &c, err) < 0)
                return -1;
        int ret = -1;
        if (c.status != HUSK_STATUS_RUNNING && c.status != HUSK_STATUS_PAUSED) {
                husk_error_state(err, "container %s cannot be checkpointed in the %s state", o->id,
                                 state_status_name(c.status));
                goto out;
        }
        if (do_checkpoint(o, &c, err) < 0)
                goto out;
        ret = 0;
        if (!o->leave_running && !o->pre_dump) {
                /* CRIU killed the processes: the container is gone (as runc) */
                ret = container_destroy(o->root, o->id, c.dirfd, &c.st, c.cgroup, true, err);
        }
out:
        container_release(&c);
        return ret;
}

#else

int container_checkpoint(const struct husk_criu_opts *o, struct husk_error *err)
{
        return husk_error_unsupported(err, "checkpoint: husk was built without CRIU support (-CRIU)");
}

#endif
