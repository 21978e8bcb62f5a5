/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "config.h"

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "container/internal.h"
#include "container/notify.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/fdpass.h"
#include "linux/hooks.h"
#include "linux/hostns_mounts.h"
#include "linux/intelrdt.h"
#include "linux/mount_fds.h"
#include "linux/netdev.h"
#include "linux/namespaces.h"
#include "linux/caps.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "state/state.h"
#include "util/failpoint.h"
#include "util/jsongen.h"
#include "util/log.h"
#include "util/util.h"

/* Everything a half-made container owns, so one function can undo it. */
struct creation {
        const struct husk_create_opts *o;
        char *raw;                      /* config.json as read (saved in the state dir) */
        size_t raw_len;
        int min_fd;                     /* our fds go above the preserved ones */
        int dirfd;
        int start_listener;             /* <state>/exec.sock: the start barrier */
        int sock[2];                    /* the sync socketpair: ours, the init's */
        char **extra_env;               /* process.env additions (NOTIFY_SOCKET...), or NULL */
        struct husk_spec *spec;
        char *bundle, *rootfs;
        struct cgroup_manager *cgroup;
        struct husk_seccomp_prog *seccomp;
        int *mount_fds;                 /* idmapped mounts, per spec mount, or NULL */
        size_t n_mount_fds;
        pid_t stage1, init;
        int pidfd;
        int64_t t;                      /* --debug phase clock (log_phase) */
        char *created;                  /* RFC 3339, at the first state record */
        bool hooks_stop;                /* the init stopped for hooks (SYNC_HOOKS) */
        int *console_out;               /* where the pty master goes (foreground run) */
};

static void creation_undo(struct creation *c)
{
        if (c->init > 0) {
                if (c->pidfd >= 0)
                        syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
                else
                        kill(c->init, SIGKILL);
        }
        if (c->stage1 > 0) {
                kill(c->stage1, SIGKILL);
                waitpid(c->stage1, NULL, 0);
        }
        if (c->init > 0 && c->pidfd >= 0)
                wait_pidfd(c->pidfd, -1);
        if (c->cgroup) {
                struct husk_error e = { 0 };
                if (cgroup_destroy(c->cgroup, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
        }
        if (c->dirfd >= 0) {
                struct husk_error e = { 0 };
                if (netdev_move_out(c->dirfd, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
                memset(&e, 0, sizeof(e));
                if (intelrdt_destroy(c->dirfd, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
                memset(&e, 0, sizeof(e));
                if (hostns_mounts_cleanup(c->dirfd, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
        }
        if (c->dirfd >= 0) {
                struct husk_error e = { 0 };
                if (state_remove(c->o->root, c->o->id, c->dirfd, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
        }
}

static void creation_free(struct creation *c)
{
        for (int i = 0; i < 2; i++)
                if (c->sock[i] >= 0)
                        close(c->sock[i]);
        if (c->start_listener >= 0)
                close(c->start_listener);
        if (c->dirfd >= 0)
                close(c->dirfd);
        if (c->pidfd >= 0)
                close(c->pidfd);
        cgroup_manager_free(c->cgroup);
        seccomp_prog_free(c->seccomp);
        mount_fds_free(c->mount_fds, c->n_mount_fds);
        spec_free(c->spec);
        free(c->bundle);
        free(c->rootfs);
        free(c->created);
        free(c->raw);
        strv_free(c->extra_env);
}

/* state.json as far as it is known: first with pid 0 ("creating"), before
 * the cgroup is made, so that a create killed at any later point leaves a
 * record delete -f can undo whole (the cgroup from the saved manager, the
 * init by the cgroup's processes, the state dir); then with the init. */
static int record_state(struct creation *c, struct husk_error *err)
{
        if (!c->created)
                c->created = state_now_rfc3339();
        struct husk_state st = {
                .id = (char *)c->o->id,
                .pid = c->init,
                .start_time = c->init > 0 ? proc_start_time(c->init) : 0,
                .bundle = c->bundle,
                .rootfs = c->rootfs,
                .created = c->created,
                .owner = getuid(),
                .cgroup = c->cgroup ? cgroup_manager_save(c->cgroup) : NULL,
                .systemd_cgroup = c->o->systemd_cgroup,
                .rootless = c->o->rootless,
                .annotations = c->spec->annotations,
                .n_annotations = c->spec->n_annotations,
                /* c->raw is the saved config.json */
                .hooks_known = true,
                .poststart_hooks = c->spec->hooks[HUSK_HOOK_POSTSTART].n > 0,
                .poststop_hooks = c->spec->hooks[HUSK_HOOK_POSTSTOP].n > 0,
        };
        int r = state_write(c->dirfd, &st, err);
        free(st.cgroup);
        return r;
}

/* Checks that only make sense for create (the parser checked the rest). */
static int check_spec_for_create(const struct husk_create_opts *o, const struct husk_spec *spec,
                                 struct husk_error *err)
{
        if (!spec->process)
                return husk_error_invalid(err, "process: required to create a container");
        if (!spec->process->args || !spec->process->args[0])
                return husk_error_invalid(err, "process.args: must not be empty");
        if (!spec->root_path)
                return husk_error_invalid(err, "root.path: required");
        if (spec->process->terminal && !o->console_socket && !o->run_foreground)
                return husk_error_invalid(err,
                                          "process.terminal is true: --console-socket is required when detached "
                                          "(or set \"terminal\": false)");
        /* As runc: a console socket that would go unused is a mistake. */
        if (o->console_socket && *o->console_socket && (!spec->process->terminal || o->run_foreground))
                return husk_error_invalid(err, "--console-socket: %s",
                                          o->run_foreground ? "only for a detached container (run -d, create)"
                                                        : "process.terminal is false, no console to send");
        return container_preflight(spec, err);
}

static int resolve_paths(struct creation *c, struct husk_error *err)
{
        const char *b = c->o->bundle && *c->o->bundle ? c->o->bundle : ".";
        char buf[PATH_MAX];
        if (!realpath(b, buf))
                return husk_error_sys(err, "bundle %s", b);
        c->bundle = xstrdup(buf);
        _cleanup_free_ char *r = c->spec->root_path[0] == '/' ? xstrdup(c->spec->root_path)
                                                               : xasprintf("%s/%s", c->bundle, c->spec->root_path);
        if (!realpath(r, buf))
                return husk_error_sys(err, "root.path: rootfs %s", r);
        struct stat st;
        if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
                return husk_error_invalid(err, "root.path: rootfs %s is not a directory", buf);
        c->rootfs = xstrdup(buf);
        return 0;
}

/* The start barrier: a unix socket in the state dir that the init listens
 * on (bound through /proc/self/fd so a long root path still fits). */
static int start_listen(int dirfd, struct husk_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "socket");
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 4) < 0) {
                husk_error_sys(err, "listen on %s", STATE_EXEC_SOCK);
                close(s);
                return -1;
        }
        return s;
}

/* runtime-spec "seccomp listener": connect to linux.seccomp.listenerPath and
 * send the notify fd with a ContainerProcessState JSON as the payload. */
int container_send_seccomp_fd(const struct husk_spec *spec, const char *id, pid_t pid, const char *bundle, int fd,
                              struct husk_error *err)
{
        const struct husk_seccomp *s = spec->linux->seccomp;
        _cleanup_free_ char *state = state_hook_json(id, pid, bundle, spec, HUSK_STATUS_CREATING);
        static const char *const fds[] = { "seccompFd" };
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
        jgen_kv_strn(g, "fds", fds, ARRAY_SIZE(fds));
        jgen_kv_int(g, "pid", pid);
        jgen_kv_str(g, "metadata", s->listener_metadata);
        jgen_kv_raw(g, "state", state);
        yajl_gen_map_close(g);
        _cleanup_free_ char *json = jgen_finish(g);
        if (fdpass_send(s->listener_path, fd, json, err) < 0)
                return husk_error_wrap(err, "linux.seccomp.listenerPath");
        return 0;
}

/* The idmapped mounts made for the container's user namespace, to stage 1. */
static int send_idmapped_mounts(struct creation *c, int sock, struct husk_error *err)
{
        if (!c->mount_fds)
                return 0;
        if (mount_fds_open_idmapped(c->spec, c->bundle, c->stage1, 3, c->mount_fds, err) < 0)
                return -1;
        for (size_t i = 0; i < c->spec->n_mounts; i++) {
                if (c->mount_fds[i] < 0)
                        continue;
                if (sync_send(sock, SYNC_MOUNT_FD, (int32_t)i, NULL, 0, c->mount_fds[i]) < 0)
                        return husk_error_sys(err, "send idmapped mount to init");
                close(c->mount_fds[i]);
                c->mount_fds[i] = -1;
        }
        return 0;
}

static int send_mount_fd(void *ctx, size_t index, int fd, struct husk_error *err)
{
        if (sync_send(*(int *)ctx, SYNC_MOUNT_FD, (int32_t)index, NULL, 0, fd) < 0)
                return husk_error_sys(err, "send mounts[%zu]'s source to init", index);
        return 0;
}

/* The init died without a word: if the OOM killer killed it (the memory
 * limit too small for even the init), say so instead of "exited
 * unexpectedly". */
static void explain_oom_kill(struct creation *c, struct husk_error *err)
{
        if (!c->cgroup || err->errnum != EPIPE || cgroup_oom_kill_count(c->cgroup) <= 0)
                return;
        const struct husk_resources *r = c->spec->linux ? c->spec->linux->resources : NULL;
        if (r && r->memory && r->memory->limit.set && r->memory->limit.v > 0)
                husk_error_set(err, 0,
                               "container init was killed by the OOM killer while it was set up: "
                               "linux.resources.memory.limit (%lld bytes) is too small",
                               (long long)r->memory->limit.v);
        else
                husk_error_set(err, 0, "container init was killed by the OOM killer while it was set up");
}

/* Has the SYNC_HOOKS case of talk_to_init work to do? Without, the init
 * does not stop there (a round trip fewer). Whatever that case does must
 * be covered here. */
static bool parent_stop_needed(const struct husk_spec *spec)
{
        const struct husk_linux *l = spec->linux;
        return spec->hooks[HUSK_HOOK_PRESTART].n || spec->hooks[HUSK_HOOK_CREATE_RUNTIME].n ||
               spec->hooks[HUSK_HOOK_CREATE_CONTAINER].n || spec->hooks[HUSK_HOOK_START_CONTAINER].n ||
               (l && (l->n_net_devices || l->intel_rdt));
}

static int on_need_idmap(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)m;
        if (ns_write_idmaps(c->stage1, c->spec, err) < 0 || send_idmapped_mounts(c, sock, err) < 0)
                return -1;
        log_phase(&c->t, "userns", "create %s: user namespace id maps written", c->o->id);
        if (sync_send(sock, SYNC_IDMAP_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with init");
        return 0;
}

static int on_need_bind_sources(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)m;
        if (mount_fds_send_bind_sources(c->spec, c->bundle, c->stage1, send_mount_fd, &sock, err) < 0)
                return -1;
        log_phase(&c->t, "bind-sources", "create %s: bind mount sources opened for the init", c->o->id);
        if (sync_send(sock, SYNC_BIND_SOURCES_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with init");
        return 0;
}

static int on_pid(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)sock, (void)err;
        c->init = m->value;
        c->pidfd = (int)syscall(SYS_pidfd_open, c->init, 0);
        waitpid(c->stage1, NULL, 0);
        c->stage1 = 0;
        log_phase(&c->t, "namespaces", "create %s: namespaces made, init (stage 2) is pid %d", c->o->id,
                  (int)c->init);
        return 0;
}

/* The devices are there for the hooks that configure them; Intel RDT
 * before the process can run. */
static int place_devices_and_rdt(struct creation *c, struct husk_error *err)
{
        if (netdev_move_in(c->spec, c->init, c->dirfd, err) < 0)
                return -1;
        if (!c->spec->linux || !c->spec->linux->intel_rdt)
                return 0;
        _cleanup_free_ char *root = NULL;
        if (intelrdt_find_root(NULL, &root, err) < 0 || intelrdt_check(c->spec->linux->intel_rdt, root, err) < 0 ||
            intelrdt_apply(c->spec->linux->intel_rdt, root, c->o->id, c->init, c->dirfd, err) < 0)
                return -1;
        return 0;
}

/* keep parent_stop_needed() in step */
static int on_hooks(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)m;
        c->hooks_stop = true;
        if (place_devices_and_rdt(c, err) < 0)
                return -1;
        _cleanup_free_ char *json = state_hook_json(c->o->id, c->init, c->bundle, c->spec, HUSK_STATUS_CREATING);
        log_phase(&c->t, "rootfs", "create %s: init prepared the root filesystem (mounts, /dev)", c->o->id);
        /* in the bundle, as runc (which runs from there) */
        if (hooks_run(c->spec, HUSK_HOOK_PRESTART, json, c->bundle, err) < 0 ||
            hooks_run(c->spec, HUSK_HOOK_CREATE_RUNTIME, json, c->bundle, err) < 0)
                return -1;
        log_phase(&c->t, "hooks", "create %s: prestart and createRuntime hooks done (%zu)", c->o->id,
                  c->spec->hooks[HUSK_HOOK_PRESTART].n + c->spec->hooks[HUSK_HOOK_CREATE_RUNTIME].n);
        if (sync_send(sock, SYNC_HOOKS_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with init");
        return 0;
}

static int on_seccomp_fd(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        if (container_send_seccomp_fd(c->spec, c->o->id, c->init, c->bundle, m->fd, err) < 0)
                return -1;
        if (sync_send(sock, SYNC_SECCOMP_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with init");
        return 0;
}

static int on_console(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)sock;
        if (m->fd < 0)
                return husk_error_set(err, EPROTO, "init sent no console");
        if (c->o->console_socket && fdpass_send(c->o->console_socket, m->fd, m->data ? m->data : "", err) < 0)
                return husk_error_wrap(err, "--console-socket");
        if (c->o->console_socket)
                return 0;
        *c->console_out = m->fd;
        m->fd = -1;
        return 0;
}

static int on_ready(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct creation *c = ctx;
        (void)sock, (void)m;
        /* without hooks the init does not stop in between */
        if (!c->hooks_stop)
                log_phase(&c->t, "rootfs", "create %s: init prepared the root filesystem (no hooks: with what follows)",
                          c->o->id);
        log_phase(&c->t, "init", "create %s: init ready (pivot_root, sysctl, process settings done)", c->o->id);
        if (c->init <= 0)
                return husk_error_set(err, EPROTO, "init sync: ready before its pid");
        return 1;
}

/* The parent's side of the init protocol for create (init/sync.h). */
static int talk_to_init(struct creation *c, int sock, struct husk_error *err)
{
        static const struct sync_handler handlers[] = {
                { SYNC_NEED_IDMAP, on_need_idmap },     { SYNC_NEED_BIND_SOURCES, on_need_bind_sources },
                { SYNC_PID, on_pid },                   { SYNC_HOOKS, on_hooks },
                { SYNC_SECCOMP_FD, on_seccomp_fd },     { SYNC_CONSOLE, on_console },
                { SYNC_READY, on_ready },
        };
        static const struct sync_protocol create = {
                .during = "create", .peer = "container init", .handlers = handlers,
                .n_handlers = ARRAY_SIZE(handlers),
        };
        if (sync_serve(sock, &create, c, err) == 0)
                return 0;
        explain_oom_kill(c, err);
        return -1;
}

/* NOTIFY_SOCKET, as runc: <state>/notify bound read-only at /run/notify in
 * the container (the socket in it is made by run/start), and
 * NOTIFY_SOCKET=/run/notify/notify.sock added to the process's env. */
static int notify_setup(struct creation *c, char ***extra_env, struct husk_error *err)
{
        if (notify_make_dir(c->dirfd, err) < 0)
                return -1;
        struct husk_spec *spec = c->spec;
        char dir[PATH_MAX], link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", c->dirfd);
        ssize_t n = readlink(link, dir, sizeof(dir) - 1);
        if (n < 0)
                return husk_error_sys(err, "NOTIFY_SOCKET: the state directory's path");
        dir[n] = '\0';
        for (size_t i = 0; c->o->extra_env && c->o->extra_env[i]; i++)
                *extra_env = strv_append(*extra_env, c->o->extra_env[i]);
        if (!spec_has_namespace(spec, CLONE_NEWNS)) {
                /* no mount namespace: the container sees the host's paths */
                _cleanup_free_ char *e = xasprintf("NOTIFY_SOCKET=%s/%s/%s", dir, NOTIFY_DIR, NOTIFY_SOCK_NAME);
                *extra_env = strv_append(*extra_env, e);
                return 0;
        }
        spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
        struct husk_mount *m = &spec->mounts[spec->n_mounts++];
        memset(m, 0, sizeof(*m));
        m->destination = xstrdup(NOTIFY_CONTAINER_DIR);
        m->source = xasprintf("%s/%s", dir, NOTIFY_DIR);
        m->type = xstrdup("bind");
        static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro" };
        for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
                m->options = strv_append(m->options, opts[i]);
        *extra_env = strv_append(*extra_env, "NOTIFY_SOCKET=" NOTIFY_CONTAINER_SOCKET);
        return 0;
}

int write_pid_file(const char *path, pid_t pid, struct husk_error *err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        char abs[PATH_MAX];
        const char *p = path;
        if (path[0] != '/') {
                if (!getcwd(abs, sizeof(abs) - strlen(path) - 2))
                        return husk_error_sys(err, "getcwd");
                strcat(abs, "/");
                strcat(abs, path);
                p = abs;
        }
        if (write_file_atomic(p, buf, (size_t)n, 0644, err) < 0)
                return husk_error_wrap(err, "--pid-file");
        return 0;
}

/* Everything before the first side effect: config.json read, parsed and
 * checked, the bundle's paths resolved, the seccomp filter compiled. */
static int creation_load(struct creation *c, struct husk_error *err)
{
        const struct husk_create_opts *o = c->o;
        if (state_validate_id(o->id, err) < 0)
                return -1;
        const char *b = o->bundle && *o->bundle ? o->bundle : ".";
        _cleanup_free_ char *cfg = xasprintf("%s/config.json", b);
        if (read_user_file_at(AT_FDCWD, cfg, &c->raw, &c->raw_len, err) < 0)
                return husk_error_wrap(err, "bundle %s", b);
        if (spec_parse(c->raw, c->raw_len, "config.json", &c->spec, err) < 0 ||
            check_spec_for_create(o, c->spec, err) < 0 || resolve_paths(c, err) < 0)
                return -1;
        log_phase(&c->t, "spec", "create %s: config.json read and validated (bundle %s, rootfs %s)", o->id, c->bundle,
                  c->rootfs);
        if (!c->spec->linux || !c->spec->linux->seccomp)
                return 0;
        /* libseccomp is slow: compile here (cached under the root), the
         * init only loads the program. */
        _cleanup_free_ char *cache = xasprintf("%s/.seccomp-cache", o->root);
        if (mkdir_p(o->root, 0700, err) < 0 || seccomp_compile(c->spec->linux->seccomp, cache, &c->seccomp, err) < 0)
                return -1;
        log_phase(&c->t, "seccomp", "create %s: seccomp filter compiled (or loaded from %s)", o->id, cache);
        return 0;
}

/* The state dir: config.json, what a container without a mount namespace
 * will mount on the host, the notify dir, the start barrier's socket. */
static int reserve_state(struct creation *c, struct husk_error *err)
{
        const struct husk_create_opts *o = c->o;
        c->dirfd = state_reserve(o->root, o->id, err);
        if (c->dirfd < 0)
                return -1;
        if (failpoint("state: write config.json", err) < 0 ||
            write_file_atomic_at(c->dirfd, STATE_CONFIG, c->raw, c->raw_len, err) < 0)
                return -1;
        if (!spec_has_namespace(c->spec, CLONE_NEWNS) && hostns_mounts_record(c->dirfd, c->rootfs, err) < 0)
                return -1;
        if (o->notify_socket && notify_setup(c, &c->extra_env, err) < 0)
                return -1;
        c->start_listener = fd_above(start_listen(c->dirfd, err), c->min_fd);
        if (c->start_listener < 0)
                return -1;
        c->dirfd = fd_above(c->dirfd, c->min_fd);
        log_phase(&c->t, "state", "create %s: state directory %s/%s reserved", o->id, o->root, o->id);
        return 0;
}

/* The cgroup, recorded in state.json before it is made (delete -f finds it). */
static int make_cgroup(struct creation *c, struct husk_error *err)
{
        const struct husk_create_opts *o = c->o;
        struct cgroup_opts co = { .id = o->id, .systemd = o->systemd_cgroup, .rootless = o->rootless };
        if (cgroup_manager_new(c->spec, &co, &c->cgroup, err) < 0 || record_state(c, err) < 0)
                return -1;
        if (cgroup_create(c->cgroup, c->spec->linux ? c->spec->linux->resources : NULL, err) < 0) {
                cgroup_manager_free(c->cgroup);
                c->cgroup = NULL;
                return -1;
        }
        if (!cgroup_made(c->cgroup)) {
                /* rootless, no cgroupsPath, no permission: none, as runc */
                log_debug("rootless: container %s runs without a cgroup", o->id);
                cgroup_manager_free(c->cgroup);
                c->cgroup = NULL;
        }
        if (c->cgroup && cgroup_join_prepare(c->cgroup, c->min_fd, err) < 0)
                return -1;
        log_phase(&c->t, "cgroup", "create %s: cgroup (cgroupsPath %s) created, resources applied", o->id,
                  c->spec->linux && c->spec->linux->cgroups_path ? c->spec->linux->cgroups_path : "unset: default");
        return 0;
}

/* The per-mount fds stage 1 gets: idmapped mounts made now when there is
 * no new user namespace to wait for; bind sources and the rest later. */
static int prepare_mount_fds(struct creation *c, struct husk_error *err)
{
        if (!mount_fds_needed(c->spec))
                return 0;
        c->n_mount_fds = c->spec->n_mounts;
        c->mount_fds = mount_fds_new(c->spec);
        if (ns_new_flags(c->spec) & CLONE_NEWUSER)
                return 0;
        return mount_fds_open_idmapped(c->spec, c->bundle, 0, c->min_fd, c->mount_fds, err);
}

static int spawn_init(struct creation *c, struct husk_error *err)
{
        const struct husk_create_opts *o = c->o;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sock) < 0)
                return husk_error_sys(err, "socketpair");
        c->sock[0] = fd_above(c->sock[0], c->min_fd);
        c->sock[1] = fd_above(c->sock[1], c->min_fd);
        if (prepare_mount_fds(c, err) < 0)
                return -1;
        struct init_config ic = {
                .spec = c->spec, .id = o->id, .bundle = c->bundle, .rootfs = c->rootfs,
                .sync_fd = c->sock[1], .start_listener = c->start_listener, .preserve_fds = o->preserve_fds,
                .no_pivot = o->no_pivot, .no_new_keyring = o->no_new_keyring,
                .child_of_husk = o->run_foreground && o->no_subreaper, .cgroup = c->cgroup,
                .stop_for_parent = parent_stop_needed(c->spec),
                .extra_env = c->extra_env ? c->extra_env : o->extra_env, .seccomp = c->seccomp,
                .mount_fds = c->mount_fds, .kernel_last_cap = caps_kernel_last(),
                .initial_userns = !spec_has_namespace(c->spec, CLONE_NEWUSER) && ns_in_initial_userns(),
        };
        c->stage1 = init_spawn(&ic, err);
        if (c->stage1 < 0) {
                c->stage1 = 0;
                return -1;
        }
        log_phase(&c->t, "spawn", "create %s: init stage 1 forked (pid %d)", o->id, (int)c->stage1);
        close(TAKE_FD(c->sock[1]));
        if (!c->cgroup || !cgroup_is_systemd(c->cgroup))
                return 0;
        /* a transient scope can't start empty: it starts with stage 1 */
        if (cgroup_add_pid(c->cgroup, c->stage1, NULL, err) < 0)
                return -1;
        if (sync_send(c->sock[0], SYNC_CGROUP_DONE, 0, NULL, 0, -1) < 0)
                return husk_error_sys(err, "sync with init");
        return 0;
}

/* The init is ready: state.json with its pid, --pid-file, --pidfd-socket;
 * the network devices are the container's now. */
static int commit_created(struct creation *c, struct husk_error *err)
{
        const struct husk_create_opts *o = c->o;
        if (record_state(c, err) < 0 || (o->pid_file && write_pid_file(o->pid_file, c->init, err) < 0))
                return -1;
        log_phase(&c->t, "state", "create %s: state.json written (init pid %d)", o->id, (int)c->init);
        if (o->pidfd_socket) {
                if (c->pidfd < 0) {
                        husk_error_sys(err, "pidfd of the init");
                        return husk_error_wrap(err, "--pidfd-socket");
                }
                if (fdpass_send(o->pidfd_socket, c->pidfd, "pidfd", err) < 0)
                        return husk_error_wrap(err, "--pidfd-socket");
        }
        /* created: the devices are the network namespace's now (spec 1.3) */
        return netdev_release(c->dirfd, err);
}

int container_do_create(const struct husk_create_opts *o, struct created *out, struct husk_error *err)
{
        _cleanup_(creation_free) struct creation c = {
                .o = o, .min_fd = 3 + o->preserve_fds, .dirfd = -1, .start_listener = -1, .sock = { -1, -1 },
                .pidfd = -1, .t = log_clock(), .console_out = &out->console,
        };
        int64_t t_all = c.t;
        out->console = -1;
        if (creation_load(&c, err) < 0)
                return -1;
        /* Side effects start here; from now on every failure undoes all. */
        if (reserve_state(&c, err) < 0 || make_cgroup(&c, err) < 0 || spawn_init(&c, err) < 0 ||
            talk_to_init(&c, c.sock[0], err) < 0 || commit_created(&c, err) < 0) {
                if (out->console >= 0)
                        close(TAKE_FD(out->console));
                creation_undo(&c);
                return -1;
        }
        out->pid = c.init;
        out->pidfd = TAKE_FD(c.pidfd);
        out->dirfd = TAKE_FD(c.dirfd);
        out->spec = TAKE_PTR(c.spec);
        out->cgroup = TAKE_PTR(c.cgroup);
        log_phase(&t_all, "create", "create %s: created", o->id);
        return 0;
}

int container_create(const struct husk_create_opts *o, struct husk_error *err)
{
        struct created cr;
        if (container_do_create(o, &cr, err) < 0)
                return -1;
        created_free(&cr);
        return 0;
}

void created_free(struct created *cr)
{
        if (cr->dirfd >= 0)
                close(cr->dirfd);
        if (cr->pidfd >= 0)
                close(cr->pidfd);
        if (cr->console >= 0)
                close(cr->console);
        spec_free(cr->spec);
        cgroup_manager_free(cr->cgroup);
        memset(cr, 0, sizeof(*cr));
        cr->dirfd = cr->pidfd = cr->console = -1;
}
