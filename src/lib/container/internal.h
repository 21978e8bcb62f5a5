/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HUSK_CONTAINER_INTERNAL_H
#define HUSK_CONTAINER_INTERNAL_H

#include "container/container.h"
#include "util/util.h"

struct cgroup_manager;

/* Cleanup types for what a lifecycle function owns (util.h's pattern):
 * released on every way out, so the function has one failure path. */
static inline void spec_freep(struct husk_spec **spec)
{
        spec_free(*spec);
}
#define _cleanup_spec_ _cleanup_(spec_freep)
/* A loaded container: { .dirfd = -1 } before container_load. */
#define _cleanup_container_ _cleanup_(container_release)

/* What create hands to run. */
struct created {
        pid_t pid;
        int pidfd;
        int dirfd;                      /* locked state dir */
        int console;                    /* pty master for a foreground run, or -1 */
        struct husk_spec *spec;
        struct cgroup_manager *cgroup;
};

int container_do_create(const struct husk_create_opts *o, struct created *out, struct husk_error *err);
void created_free(struct created *cr);
/* The start half of `start`, on an already locked, loaded container.
 * spec: the saved config, for its poststart hooks (NULL: it has none).
 * *must_destroy: the process ran but a poststart hook failed; the caller
 * stops and destroys the container (runtime-spec lifecycle step 9). */
int container_do_start(int dirfd, const struct husk_state *st, const struct husk_spec *spec, bool *must_destroy,
                       struct husk_error *err);
/* Kill, wait, run poststop hooks, remove cgroup and state. */
int container_destroy(const char *root, const char *id, int dirfd, const struct husk_state *st,
                      struct cgroup_manager *cg, bool kill_first, struct husk_error *err);

/* The host checks of a parsed spec (preflight.c), before the first side
 * effect of create: each mechanism's *_check_host. */
int container_preflight(const struct husk_spec *spec, struct husk_error *err);
/* --pid-file: the pid, written atomically (a relative path is the cwd's). */
int write_pid_file(const char *path, pid_t pid, struct husk_error *err);
/* Hand a seccomp listener fd to linux.seccomp.listenerPath with the
 * runtime-spec ContainerProcessState JSON. */
int container_send_seccomp_fd(const struct husk_spec *spec, const char *id, pid_t pid, const char *bundle, int fd,
                              struct husk_error *err);

/* Foreground waiting (supervise.c). supervisor_begin: subreaper, block
 * the forwarded signals, return a signalfd. supervise: wait for pid,
 * forwarding signals and the pty; returns the exit code (128+N on signal N). */
#include <termios.h>
struct raw_tty {
        bool raw;
        struct termios saved;
};
int supervisor_begin(bool subreaper, struct husk_error *err);
struct notify_relay;
/* nr: NOTIFY_SOCKET relay served in the same loop (NULL: none). */
int supervise(pid_t pid, int pidfd, int sfd, int console, struct notify_relay *nr);
/* Our terminal raw and its size copied to the pty (console >= 0 and a tty). */
void tty_raw_begin(struct raw_tty *t, int console);
void tty_raw_end(struct raw_tty *t);

#endif
