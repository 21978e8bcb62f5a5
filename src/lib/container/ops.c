/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start, kill, delete: the commands that act on an existing container. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "cgroup/cgroup.h"
#include "container/internal.h"
#include "container/notify.h"
#include "linux/hooks.h"
#include "linux/hostns_mounts.h"
#include "linux/intelrdt.h"
#include "linux/netdev.h"
#include "util/log.h"
#include "util/util.h"

int container_load_status(const char *root, const char *id, bool lock, struct husk_container *c,
                          struct husk_error *err)
{
        memset(c, 0, sizeof(*c));
        c->dirfd = state_open(root, id, lock, err);
        if (c->dirfd < 0)
                return -1;
        /* the saved cgroup object is read as state.json is parsed, not again */
        _cleanup_(cgroup_saved_reader_freep) struct cgroup_saved_reader *cg = cgroup_saved_reader_new();
        struct state_sub sub = { .cb = cgroup_saved_reader_callbacks(), .ctx = cgroup_saved_reader_ctx(cg) };
        if (state_read_with(c->dirfd, id, &sub, &c->st, err) < 0) {
                close(c->dirfd);
                c->dirfd = -1;
                return -1;
        }
        c->cgroup_pending = c->st.cgroup && *c->st.cgroup;
        /* one /proc/<pid>/stat read; the freezer only for a live init */
        bool alive = state_init_alive(&c->st);
        bool paused = false;
        if (alive && c->cgroup_pending) {
                c->mounts = cgroup_mounts_read(NULL);
                paused = c->mounts && cgroup_saved_frozen(c->st.cgroup, cg, c->mounts) == 1;
        }
        c->status = state_status_of(c->dirfd, &c->st, alive, paused);
        return 0;
}

struct cgroup_manager *container_cgroup(struct husk_container *c)
{
        if (!c->cgroup_pending)
                return c->cgroup;
        c->cgroup_pending = false;
        struct husk_error e = { 0 };
        if (cgroup_manager_restore_in(c->st.cgroup, c->mounts, &c->cgroup, &e) < 0) {
                log_debug("container %s: cgroup: %s", c->st.id, e.msg);
                c->cgroup = NULL;
        }
        return c->cgroup;
}

int container_load(const char *root, const char *id, bool lock, struct husk_container *c, struct husk_error *err)
{
        if (container_load_status(root, id, lock, c, err) < 0)
                return -1;
        container_cgroup(c);
        return 0;
}

int container_peek(int rootfd, const char *id, const struct cgroup_mounts *mounts, struct husk_state *st,
                   enum husk_status *status, struct husk_error *err)
{
        /* the saved cgroup object is read as state.json is parsed, not again */
        _cleanup_(cgroup_saved_reader_freep) struct cgroup_saved_reader *cg = cgroup_saved_reader_new();
        struct state_sub sub = { .cb = cgroup_saved_reader_callbacks(), .ctx = cgroup_saved_reader_ctx(cg) };
        if (state_read_in(rootfd, id, &sub, st, err) < 0)
                return -1;
        bool alive = state_init_alive(st);
        bool paused = alive && st->cgroup && *st->cgroup && cgroup_saved_frozen(st->cgroup, cg, mounts) == 1;
        *status = state_status_in(rootfd, id, st, alive, paused);
        return 0;
}

void container_release(struct husk_container *c)
{
        if (c->dirfd >= 0)
                close(c->dirfd);
        c->dirfd = -1;
        state_free(&c->st);
        cgroup_manager_free(c->cgroup);
        c->cgroup = NULL;
        c->cgroup_pending = false;
        cgroup_mounts_free(c->mounts);
        c->mounts = NULL;
}

/* Does the saved config.json have hooks of this kind (poststart,
 * poststop)? state.json says so, except an older husk's. */
static bool may_have_hooks(const struct husk_state *st, enum husk_hook_kind kind)
{
        if (!st->hooks_known)
                return true;
        return kind == HUSK_HOOK_POSTSTART ? st->poststart_hooks : st->poststop_hooks;
}

static int load_saved_spec(int dirfd, struct husk_spec **spec, struct husk_error *err)
{
        _cleanup_free_ char *raw = NULL;
        size_t len;
        if (read_user_file_at(dirfd, STATE_CONFIG, &raw, &len, err) < 0)
                return -1;
        return spec_parse(raw, len, "config.json (saved at create)", spec, err);
}

/* Open the init's pidfd, making sure it is still the same process. */
static int init_pidfd(const struct husk_state *st)
{
        int fd = pidfd_open_pid(st->pid);
        if (fd < 0)
                return -1;
        if (!state_init_alive(st)) {
                close(fd);
                errno = ESRCH;
                return -1;
        }
        return fd;
}

int container_do_start(int dirfd, const struct husk_state *st, const struct husk_spec *spec, bool *must_destroy,
                       struct husk_error *err)
{
        *must_destroy = false;
        int64_t t = log_clock();
        /* The init listens on exec.sock: say go, then wait for the connection
         * to close, which happens at its execve (close-on-exec). Anything it
         * writes first is an error (startContainer hook, exec failure). */
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return husk_error_sys(err, "socket");
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                if (errno == ECONNREFUSED)
                        return husk_error_set(err, 0, "container init exited before start");
                return husk_error_sys(err, "connect to the container init");
        }
        if (write_all(s, "0", 1) < 0)
                return husk_error_sys(err, "start the container init");
        log_phase(&t, "go", "start %s: told the init (pid %d) to go", st->id, (int)st->pid);
        unlinkat(dirfd, STATE_EXEC_SOCK, 0);
        char msg[HUSK_ERROR_MSG_MAX];
        ssize_t n = read_all(s, msg, sizeof(msg) - 1);
        if (n > 0) {
                msg[n] = '\0';
                return husk_error_set(err, 0, "%s", msg);
        }
        /* EOF without a word: execve happened (the process may be done already). */
        log_phase(&t, "execve", "start %s: startContainer hooks done, process executed", st->id);

        /* runtime-spec lifecycle step 9: a failing poststart hook is an
         * error, and the container is stopped and destroyed (step 12). */
        if (spec && spec->hooks[HUSK_HOOK_POSTSTART].n) {
                _cleanup_free_ char *json = state_to_json(st, HUSK_STATUS_RUNNING, false, false);
                if (hooks_run(spec, HUSK_HOOK_POSTSTART, json, st->bundle, err) < 0) {
                        *must_destroy = true;
                        return -1;
                }
                log_phase(&t, "hooks", "start %s: poststart hooks done", st->id);
        }
        return 0;
}

int container_start(const char *root, const char *id, const char *notify_socket, struct husk_error *err)
{
        int64_t t_all = log_clock();
        _cleanup_container_ struct husk_container c = { .dirfd = -1 };
        if (container_load_status(root, id, true, &c, err) < 0)
                return -1;
        switch (c.status) {
        case HUSK_STATUS_CREATED:
                break;
        case HUSK_STATUS_STOPPED:
                return husk_error_state(err, "cannot start a container that has stopped");
        case HUSK_STATUS_RUNNING:
                return husk_error_state(err, "cannot start an already running container");
        default:
                return husk_error_state(err, "cannot start a container in the %s state", state_status_name(c.status));
        }
        _cleanup_spec_ struct husk_spec *spec = NULL;
        if (may_have_hooks(&c.st, HUSK_HOOK_POSTSTART) && load_saved_spec(c.dirfd, &spec, err) < 0)
                return -1;
        /* Only for a container created with NOTIFY_SOCKET: otherwise no
         * process in it can reach the socket, and waiting for its READY
         * would block until it exits. (runc 1.1.5 fails start: it can't
         * bind the socket in the missing notify/ directory.) */
        if (notify_socket && faccessat(c.dirfd, NOTIFY_DIR, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                log_debug("start %s: NOTIFY_SOCKET ignored: the container was created without it", id);
                notify_socket = NULL;
        }
        _cleanup_(notify_relay_close) struct notify_relay nr = { .sock = -1, .host = -1 };
        if (notify_socket && notify_relay_open(&nr, c.dirfd, notify_socket, err) < 0)
                return -1;
        bool destroy;
        if (container_do_start(c.dirfd, &c.st, spec, &destroy, err) < 0) {
                struct husk_error e = { 0 };
                if (destroy && container_destroy(root, id, c.dirfd, &c.st, container_cgroup(&c), true, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
                return -1;
        }
        log_phase(&t_all, "start", "start %s: started", id);
        if (nr.sock < 0)
                return 0;
        /* as runc: start returns once the container said READY=1 (or its
         * init exited); unlocked, so state/kill work */
        _cleanup_close_ int pidfd = init_pidfd(&c.st);
        close(TAKE_FD(c.dirfd));
        nr.mainpid = c.st.pid;
        int64_t t = log_clock();
        if (pidfd >= 0)
                notify_relay_until_ready(&nr, pidfd);
        log_phase(&t, "notify", "start %s: NOTIFY_SOCKET: %s", id,
                  nr.done ? "READY relayed" : "the init exited before READY");
        return 0;
}

/* The saved cgroup manager, restored on first use (NULL when there is none
 * or it can't be read, as container_load has it). */
static struct cgroup_manager *loaded_cgroup(struct husk_container *c)
{
        if (!c->cgroup && c->st.cgroup && *c->st.cgroup) {
                struct husk_error e = { 0 };
                if (cgroup_manager_restore(c->st.cgroup, &c->cgroup, &e) < 0) {
                        log_debug("container %s: cgroup: %s", c->st.id, e.msg);
                        c->cgroup = NULL;
                }
        }
        return c->cgroup;
}

int container_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err)
{
        /* Only the state: the cgroup is needed for --all and for a SIGKILL
         * (a paused container is thawed); the status is the init's pidfd. */
        _cleanup_container_ struct husk_container c = { .dirfd = -1 };
        c.dirfd = state_open(root, id, true, err);
        if (c.dirfd < 0 || state_read(c.dirfd, id, &c.st, err) < 0)
                return -1;
        if (all && loaded_cgroup(&c)) {
                /* Also when the init has exited: without a pid namespace of
                 * its own, its children outlive it in the cgroup, and
                 * containerd's shim kills them with kill --all then. */
                return cgroup_kill_all(c.cgroup, sig, err);
        }
        _cleanup_close_ int pidfd = init_pidfd(&c.st);
        if (pidfd < 0)
                return husk_error_state(err, "container not running");
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                return husk_error_sys(err, "kill container %s with signal %d", id, sig);
        log_debug("kill %s: signal %d sent to the init (pid %d)", id, sig, (int)c.st.pid);
        /* A frozen process can't act on SIGKILL: thaw it (as runc). */
        if (sig == SIGKILL && loaded_cgroup(&c) && cgroup_is_frozen(c.cgroup) == 1 &&
            cgroup_freeze(c.cgroup, false, err) < 0)
                return husk_error_wrap(err, "thaw after SIGKILL");
        return 0;
}

int container_destroy(const char *root, const char *id, int dirfd, const struct husk_state *st,
                      struct cgroup_manager *cg, bool kill_first, struct husk_error *err)
{
        int64_t t = log_clock(), t_all = t;
        if (kill_first) {
                _cleanup_close_ int pidfd = init_pidfd(st);
                if (cg) {
                        struct husk_error e = { 0 };
                        if (cgroup_kill_all(cg, SIGKILL, &e) < 0)
                                log_debug("kill all: %s", e.msg);
                }
                if (pidfd >= 0) {
                        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                        if (wait_pidfd(pidfd, 10000) == 0)
                                return husk_error_set(err, ETIMEDOUT, "container %s: init %d did not die", id,
                                                      (int)st->pid);
                }
                log_phase(&t, "kill", "delete %s: processes killed, init %d gone", id, (int)st->pid);
        }
        _cleanup_spec_ struct husk_spec *spec = NULL;
        struct husk_error e = { 0 };
        if (may_have_hooks(st, HUSK_HOOK_POSTSTOP) && load_saved_spec(dirfd, &spec, &e) == 0 &&
            spec->hooks[HUSK_HOOK_POSTSTOP].n) {
                _cleanup_free_ char *json = state_to_json(st, HUSK_STATUS_STOPPED, false, false);
                hooks_run(spec, HUSK_HOOK_POSTSTOP, json, st->bundle, &e);
                log_phase(&t, "hooks", "delete %s: poststop hooks done", id);
        }
        if (cg && cgroup_destroy(cg, err) < 0)
                return -1;
        log_phase(&t, "cgroup", "delete %s: cgroup removed", id);
        /* a create killed half-way: its devices go back (a created
         * container's stay in its namespace, see netdev.h) */
        if (netdev_move_out(dirfd, err) < 0 || intelrdt_destroy(dirfd, err) < 0 ||
            hostns_mounts_cleanup(dirfd, err) < 0)
                return husk_error_wrap(err, "container %s", id);
        if (state_remove(root, id, dirfd, err) < 0)
                return -1;
        log_phase(&t, "state", "delete %s: state directory removed", id);
        log_phase(&t_all, "delete", "delete %s: deleted", id);
        return 0;
}

/* not_systemd: leave a container made with --systemd-cgroup alone, before
 * any side effect, and return 1 */
static int delete_container(const char *root, const char *id, bool force, bool not_systemd, struct husk_error *err)
{
        _cleanup_container_ struct husk_container c = { .dirfd = -1 };
        if (container_load(root, id, true, &c, err) < 0) {
                /* A dir without state.json: a create that died half-way. */
                if (husk_error_is(err, HUSK_ERR_STATE)) {
                        int fd = state_open(root, id, true, err);
                        if (fd >= 0) {
                                int r = netdev_move_out(fd, err);
                                if (r == 0)
                                        r = intelrdt_destroy(fd, err);
                                if (r == 0)
                                        r = hostns_mounts_cleanup(fd, err);
                                if (r == 0)
                                        r = state_remove(root, id, fd, err);
                                close(fd);
                                if (r == 0 && !force)
                                        return husk_error_set(err, 0, "container \"%s\" was half-made; removed", id);
                                return r;
                        }
                }
                if (force && husk_error_is(err, HUSK_ERR_NOT_FOUND))
                        return 0;
                return -1;
        }
        if (not_systemd && c.st.systemd_cgroup)
                return 1;
        switch (c.status) {
        case HUSK_STATUS_STOPPED:
                return container_destroy(root, id, c.dirfd, &c.st, c.cgroup, false, err);
        case HUSK_STATUS_CREATED:
        case HUSK_STATUS_CREATING:
                return container_destroy(root, id, c.dirfd, &c.st, c.cgroup, true, err);
        default:
                if (!force)
                        return husk_error_state(err, "cannot delete container %s that is not stopped: %s", id,
                                                state_status_name(c.status));
                return container_destroy(root, id, c.dirfd, &c.st, c.cgroup, true, err);
        }
}

int container_delete(const char *root, const char *id, bool force, struct husk_error *err)
{
        return delete_container(root, id, force, false, err);
}

int container_delete_unless_systemd(const char *root, const char *id, bool force, struct husk_error *err)
{
        return delete_container(root, id, force, true, err);
}

int container_update_rdt(const char *root, const char *id, const char *l3, const char *mb, bool apply,
                         struct husk_error *err)
{
        _cleanup_free_ char *rdt_root = NULL;
        if (intelrdt_find_root(NULL, &rdt_root, err) < 0)
                return -1;
        /* runc's words when the host can't */
        if (l3 && (!rdt_root || intelrdt_check(&(struct husk_intel_rdt){ .l3_cache_schema = (char *)l3 },
                                               rdt_root, err) < 0))
                return husk_error_unsupported(err, "Intel RDT/CAT: l3 cache schema is not enabled%s%s%s",
                                              rdt_root ? " (" : "", rdt_root ? err->msg : "", rdt_root ? ")" : "");
        if (mb && (!rdt_root || intelrdt_check(&(struct husk_intel_rdt){ .mem_bw_schema = (char *)mb },
                                               rdt_root, err) < 0))
                return husk_error_unsupported(err, "Intel RDT/MBA: memory bandwidth schema is not enabled%s%s%s",
                                              rdt_root ? " (" : "", rdt_root ? err->msg : "", rdt_root ? ")" : "");
        if (!apply)
                return 0;
        _cleanup_container_ struct husk_container c = { .dirfd = -1 };
        if (container_load(root, id, true, &c, err) < 0)
                return -1;
        if (c.status == HUSK_STATUS_STOPPED)
                return husk_error_state(err, "container not running");
        _cleanup_spec_ struct husk_spec *spec = NULL;
        if (load_saved_spec(c.dirfd, &spec, err) < 0)
                return -1;
        const struct husk_intel_rdt *saved = spec->linux ? spec->linux->intel_rdt : NULL;
        struct husk_intel_rdt r = { 0 };
        if (saved)
                r = *saved;
        if (l3)
                r.l3_cache_schema = (char *)l3;
        if (mb)
                r.mem_bw_schema = (char *)mb;
        /* As runc: a container made without intelRdt joins a group of its
         * own now (removed by delete); else its group gets the schemata. */
        if (!saved)
                return intelrdt_apply(&r, rdt_root, id, c.st.pid, c.dirfd, err);
        return intelrdt_write_schemata(&r, rdt_root, id, err);
}
