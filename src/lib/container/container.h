/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle: create, start, run, kill, delete, state, list. Each
 * function is one command; the CLI only parses flags and calls these. */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"
#include "state/state.h"

struct husk_create_opts {
        const char *root;               /* --root */
        const char *id;
        const char *bundle;             /* -b (default: cwd) */
        const char *pid_file;
        const char *console_socket;
        int preserve_fds;               /* --preserve-fds + LISTEN_FDS */
        char *const *extra_env;         /* added to process.env (LISTEN_FDS=N, LISTEN_PID=1) */
        bool no_pivot;
        bool no_new_keyring;
        bool systemd_cgroup;
        bool rootless;
        /* run only */
        bool detach;                    /* run -d */
        bool keep;                      /* run --keep */
        bool no_subreaper;              /* run --no-subreaper: orphans in the container are not ours */
        bool run_foreground;            /* set by container_run: the pty goes to husk */
        const char *pidfd_socket;       /* --pidfd-socket: gets a pidfd of the init */
        const char *notify_socket;      /* NOTIFY_SOCKET of husk's environment, or NULL */
};

int container_create(const struct husk_create_opts *o, struct husk_error *err);
/* notify_socket: the host's NOTIFY_SOCKET (or NULL): relay the container's
 * sd_notify messages there until READY (see container/notify.h). */
int container_start(const char *root, const char *id, const char *notify_socket, struct husk_error *err);
/* create + start; foreground: waits, forwards signals, proxies the pty,
 * deletes (unless keep) and returns the exit code in *exit_code. */
int container_run(const struct husk_create_opts *o, int *exit_code, struct husk_error *err);
int container_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err);
int container_delete(const char *root, const char *id, bool force, struct husk_error *err);
/* The same in a process that can't use the systemd cgroup driver (the
 * static husk, see cli/twin.c): a container made with --systemd-cgroup is
 * left as it is, and 1 says so. */
int container_delete_unless_systemd(const char *root, const char *id, bool force, struct husk_error *err);

/* husk exec: a process in a running container. With process_file the
 * process is that runtime-spec process JSON; otherwise it is the container's
 * own process with args and the flags' overrides (as runc). */
struct husk_exec_opts {
        const char *root, *id;
        const char *process_file;       /* --process */
        char *const *args;              /* the command (without --process) */
        const char *cwd;                /* --cwd */
        char *const *env;               /* --env KEY=VALUE (replaces KEY) */
        bool tty;                       /* --tty */
        const char *user;               /* --user UID[:GID] */
        char *const *additional_gids;   /* --additional-gids */
        char *const *caps;              /* --cap: added to all five sets */
        bool no_new_privs;
        const char *process_label, *apparmor;
        bool detach;
        const char *pid_file;
        const char *console_socket;
        const char *pidfd_socket;
        int preserve_fds;
        const char *cgroup;             /* --cgroup: sub-cgroups ([ctrl[,ctrl]:]path), one per line */
        bool ignore_paused;
        char *const *extra_env;
};
int container_exec(const struct husk_exec_opts *o, int *exit_code, struct husk_error *err);

/* A loaded container: state + derived status. */
struct husk_container {
        int dirfd;
        struct husk_state st;
        enum husk_status status;
        struct cgroup_manager *cgroup;  /* NULL if none */
        bool cgroup_pending;            /* container_load_status: not restored yet */
        struct cgroup_mounts *mounts;   /* read for the status, kept for the restore */
};
int container_load(const char *root, const char *id, bool lock, struct husk_container *c, struct husk_error *err);
/* The same without restoring the cgroup manager (the status asks a live
 * container's freezer only): for the commands that need the manager
 * rarely (state; kill and start on some paths), which then ask
 * container_cgroup(). A stopped container's status reads no mountinfo. */
int container_load_status(const char *root, const char *id, bool lock, struct husk_container *c,
                          struct husk_error *err);
/* c->cgroup, restored on first use after container_load_status. */
struct cgroup_manager *container_cgroup(struct husk_container *c);
/* What `husk list` needs of a container: its state and status, read
 * through the state root's fd, unlocked, without building its cgroup
 * manager (only a live one's freezer is read). The status is
 * container_load()'s. mounts: the cgroup mounts (cgroup.h), read once by
 * the caller for all. */
struct cgroup_mounts;
int container_peek(int rootfd, const char *id, const struct cgroup_mounts *mounts, struct husk_state *st,
                   enum husk_status *status, struct husk_error *err);
void container_release(struct husk_container *c);

/* cgroup commands */
/* pause: a running or created container (else "container not running");
 * freezes its cgroup. resume: a paused one (else "container not paused"). */
int container_pause(const char *root, const char *id, struct husk_error *err);
int container_resume(const char *root, const char *id, struct husk_error *err);
/* Apply `res` (only what is set in it) to a created, running or paused
 * container's cgroup; a failure leaves the old values (cgroup_update). */
int container_update(const char *root, const char *id, const struct husk_resources *res, struct husk_error *err);
/* update --l3-cache-schema / --mem-bw-schema (NULL: not given). apply
 * false: only check that the host can (before any other update). */
int container_update_rdt(const char *root, const char *id, const char *l3, const char *mb, bool apply,
                         struct husk_error *err);
/* The pids in the container's cgroup (malloc'd; none for a stopped
 * container whose cgroup is gone). */
int container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct husk_error *err);
/* runc's events: stats_once prints one {"type":"stats","id","data"} line;
 * else a stats line every interval_ms and {"type":"oom","id"} per OOM kill,
 * until the container's init is gone, one line each on out_fd. A stopped
 * container is an error. */
int container_events(const char *root, const char *id, bool stats_once, uint64_t interval_ms, int out_fd,
                     struct husk_error *err);

/* checkpoint and restore, through CRIU (runc 1.1's flags). */
enum husk_cg_mode {                     /* --manage-cgroups-mode */
        HUSK_CG_MODE_DEFAULT = -1,      /* CRIU's default (soft) */
        HUSK_CG_MODE_IGNORE = 0,        /* CRIU leaves cgroups alone */
        HUSK_CG_MODE_SOFT = 3,
        HUSK_CG_MODE_FULL = 4,
        HUSK_CG_MODE_STRICT = 5,
};
struct husk_criu_opts {
        const char *root, *id;
        const char *criu;               /* --criu (global): CRIU binary */
        const char *image_path;         /* default: ./checkpoint */
        const char *work_path;          /* CRIU's logs (default: the image path) */
        bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup, lazy_pages;
        enum husk_cg_mode cg_mode;
        unsigned empty_ns;              /* --empty-ns: CLONE_NEW* flags */
        /* checkpoint */
        const char *parent_path;        /* relative to image_path */
        bool leave_running, pre_dump;
        int status_fd;                  /* --status-fd (lazy pages), -1 */
        const char *page_server;        /* ADDRESS:PORT */
        /* restore */
        const char *bundle, *console_socket, *pid_file;
        const char *lsm_profile, *lsm_mount_context;
        bool detach, no_subreaper, no_pivot;
        bool systemd_cgroup, rootless;
};
/* Dump a running or paused container into image_path; unless leave_running
 * or pre_dump the container is gone afterwards (deleted, as runc). */
int container_checkpoint(const struct husk_criu_opts *o, struct husk_error *err);
/* A new container `id` from the bundle's config and the images: running,
 * with hooks (prestart, createRuntime) run as at create; in the foreground
 * (not detach) husk waits for it like run and returns its exit code. */
int container_restore(const struct husk_criu_opts *o, int *exit_code, struct husk_error *err);

#endif
