/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhusk's public lifecycle API: what `husk create`, `start`, `state`,
 * `kill`, `delete` and `exec` do, for a program that embeds husk (a shim,
 * a test harness) instead of running the binary. Build with
 *
 *     cc prog.c $(pkg-config --cflags --libs husk)
 *
 * contrib/libhusk-example.c is a complete program.
 *
 * Every function returns 0, or -1 with *err filled (husk/error.h): the
 * message is the one `husk` would print, e.g. `container "x" does not
 * exist`, and err->kind what kind of failure it is (HUSK_ERR_NOT_FOUND for
 * an unknown id, HUSK_ERR_EXISTS for a taken one, HUSK_ERR_STATE for a
 * container in the wrong state, HUSK_ERR_INVALID for a bad config or
 * option...): test the kind, the message is for people. `root` is the state directory (--root; NULL: husk's default,
 * /run/husk); containers made here are seen by `husk list` and the other
 * way round.
 *
 * What the embedding program takes on:
 *   - As with the binary, the container's init is orphaned when create
 *     returns (its first stage exits): it goes to the caller's nearest
 *     subreaper. To learn its exit status, make the calling process one
 *     first (prctl(PR_SET_CHILD_SUBREAPER), as containerd's shims do) and
 *     waitpid() the pid husk_container_state() gives.
 *   - The init stages are forks of the calling program, so its binary is
 *     visible to the container until the container's process runs: call
 *     husk_protect_binary() first thing in main(), as `husk` does before
 *     create, run and exec (CVE-2019-5736).
 *   - Errors and warnings are also written to stderr ("husk: ..."), as the
 *     binary does without --log. Out of memory aborts the process.
 *   - The functions are not thread-safe (they fork): call them from one
 *     thread.
 *   - What the binary takes from its environment is not done here: no
 *     NOTIFY_SOCKET relay (sd_notify) at start, no LISTEN_FDS added to
 *     preserve_fds at create.
 */
#ifndef HUSK_CONTAINER_PUBLIC_H
#define HUSK_CONTAINER_PUBLIC_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Re-executes the running program (argv, environ) from a copy the
 * container can't write, unless it already runs from one; returns 0 then.
 * Does not return on success; -1 when no protected copy could be made. */
int husk_protect_binary(char *const argv[], struct husk_error *err);

/* husk create: the container `id` from `bundle` (a directory with
 * config.json and the root filesystem), up to the point where its process
 * waits for husk_container_start(). Unset fields (zero) are the defaults. */
struct husk_create_options {
        const char *bundle;             /* required */
        const char *pid_file;           /* --pid-file: the init's pid is written there */
        const char *console_socket;     /* --console-socket: gets the pty master (process.terminal) */
        int preserve_fds;               /* --preserve-fds: fds 3..3+N-1 go to the container */
        bool no_pivot;                  /* --no-pivot */
        bool no_new_keyring;            /* --no-new-keyring */
        bool systemd_cgroup;            /* --systemd-cgroup */
};
int husk_container_create(const char *root, const char *id, const struct husk_create_options *o,
                          struct husk_error *err);

/* husk start: runs the process of a created container. */
int husk_container_start(const char *root, const char *id, struct husk_error *err);

enum husk_container_status {
        HUSK_CONTAINER_CREATING,
        HUSK_CONTAINER_CREATED,
        HUSK_CONTAINER_RUNNING,
        HUSK_CONTAINER_PAUSED,
        HUSK_CONTAINER_STOPPED,
};

/* husk state, as values. Free with husk_container_state_free(). */
struct husk_container_state {
        char *id;
        enum husk_container_status status;
        const char *status_name;        /* "created", "running", ... (static) */
        pid_t pid;                      /* the init; 0 when stopped */
        char *bundle;                   /* absolute */
        char *created;                  /* RFC 3339, UTC */
        char *json;                     /* the JSON `husk state` prints */
};
int husk_container_state(const char *root, const char *id, struct husk_container_state *st,
                         struct husk_error *err);
void husk_container_state_free(struct husk_container_state *st);

/* husk kill: signal the init (all: every process of the container). */
int husk_container_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err);

/* husk delete: a stopped container (force: kill it first if it runs). */
int husk_container_delete(const char *root, const char *id, bool force, struct husk_error *err);

/* husk exec: another process in a running container; by default the
 * container's own process settings with args instead of its args. Without
 * detach it waits and *exit_code is the process's exit code (128+N when
 * killed by signal N); with detach it returns once the process runs. */
struct husk_exec_options {
        char *const *args;              /* NULL-terminated; required without process_file */
        const char *process_file;       /* --process: a runtime-spec process JSON instead */
        char *const *env;               /* KEY=VALUE, NULL-terminated: added or replaced */
        const char *cwd;                /* absolute, inside the container */
        const char *user;               /* "UID[:GID]" */
        bool tty;                       /* a pty (needs console_socket, or the caller's terminal) */
        const char *console_socket;
        bool detach;
        const char *pid_file;
        int preserve_fds;
};
int husk_container_exec(const char *root, const char *id, const struct husk_exec_options *o, int *exit_code,
                        struct husk_error *err);

#ifdef __cplusplus
}
#endif

#endif
