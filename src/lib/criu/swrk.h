/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `criu swrk 3`: CRIU as a child of husk, driven over a SOCK_SEQPACKET
 * socketpair with rpc.proto messages (one criu_req, then criu_resp
 * messages: NOTIFY ones that husk answers, then the final one). This is
 * how runc talks to CRIU; it lets husk put CRIU into the container's
 * cgroup before the restore, hand it fds (stdio pipes, namespaces), run the
 * hooks at "setup-namespaces", learn the pid at "post-restore" and receive
 * the console's pty master at "orphan-pts-master".
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "husk/error.h"

#if HAVE_CRIU
#include "criu/criu-dl.h"

/* Oldest CRIU husk drives: 3.11 (external net namespaces, config files,
 * the VERSION request). Debian 12 has 3.17. */
#define CRIU_MIN_VERSION 31100

struct criu_swrk_opts {
        const char *criu;               /* --criu: a path, or a name looked up in PATH (default "criu") */
        int stdio[3];                   /* CRIU's fds 0-2 (-1: husk's own) */
        const int *extra_fds;           /* become CRIU's fds 4, 5, ... (3 is the socket) */
        size_t n_extra;
        /* With hold, the child waits after fork until criu_swrk_release()
         * (the parent puts it into the container's cgroup meanwhile), then
         * runs prepare (in the child: a private mount namespace...), then
         * execs CRIU. An error of prepare or exec reaches the parent from
         * criu_swrk_release. */
        bool hold;
        int (*prepare)(void *data, struct husk_error *err);
        void *data;
};

struct criu_swrk {
        pid_t pid;                      /* the CRIU process, 0 once reaped */
        int sock;                       /* our end of the socketpair */
        int hold_fd, err_fd;            /* hold: release pipe; errors of the child */
        char *criu;                     /* resolved binary */
};

/* Find the CRIU binary (a path, or a name in PATH, /usr/sbin, /sbin):
 * "CRIU binary \"criu\" not found in PATH (install criu, or give --criu PATH)". */
int criu_find_binary(const char *criu, char **out, struct husk_error *err);

int criu_swrk_spawn(const struct criu_swrk_opts *o, struct criu_swrk *sw, struct husk_error *err);
/* Let a held child go on; returns once CRIU runs (or with its error). */
int criu_swrk_release(struct criu_swrk *sw, struct husk_error *err);

/* Called for each NOTIFY: script is CRIU's name ("setup-namespaces",
 * "post-restore", "orphan-pts-master", "status-ready", ...), pid its pid
 * (0 when none), fd an fd that came with it (the callee owns it) or -1. A
 * failure is reported to CRIU (which aborts) and returned. */
typedef int (*criu_notify_fn)(void *data, const char *script, pid_t pid, int fd, struct husk_error *err);

/* Send req, answer notifications, return the final response (free it
 * with criu_pb()->criu_resp__free_unpacked(resp, NULL)). An unsuccessful
 * response is an error: "criu failed: type RESTORE errno N: <last error
 * line of log_path>; log file: <log_path>" (log_path may be NULL). */
int criu_swrk_call(struct criu_swrk *sw, CriuReq *req, criu_notify_fn fn, void *data, const char *log_path,
                   CriuResp **resp, struct husk_error *err);

/* Close the socket and reap CRIU; its exit status (-1 if unknown). */
int criu_swrk_finish(struct criu_swrk *sw);

/* The version of the CRIU binary, as major*10000 + minor*100 + sublevel
 * (runc's encoding): one VERSION request to a fresh `criu swrk`. Loads
 * libcriu. Too old: "CRIU 3.10.0 is too old: husk needs 3.11 or newer". */
int criu_check_version(const char *criu, int min, int *version, struct husk_error *err);
#endif
