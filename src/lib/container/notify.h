/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify for containers (NOTIFY_SOCKET in husk's environment), as runc:
 *
 *   create/run  make <state>/notify/ (0755), bind it read-only at
 *               /run/notify in the container and set
 *               NOTIFY_SOCKET=/run/notify/notify.sock in its process env;
 *   run, start  bind <state>/notify/notify.sock (a datagram socket, 0777)
 *               before the process starts, then relay what the container
 *               sends to the host's NOTIFY_SOCKET until READY=1 arrives
 *               (then MAINPID=<pid>), or until the container's init exits.
 *
 * runc 1.1.5 forwards only the READY line; husk forwards every datagram
 * the container sends until then (STATUS=..., READY=1, ...), unchanged. */
#ifndef HUSK_NOTIFY_H
#define HUSK_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCK_NAME "notify.sock"
#define NOTIFY_CONTAINER_DIR "/run/notify"
#define NOTIFY_CONTAINER_SOCKET "/run/notify/notify.sock"

struct notify_relay {
        int sock;               /* <state>/notify/notify.sock, bound */
        int host;               /* connected to the host's NOTIFY_SOCKET, or -1 */
        const char *host_path;
        pid_t mainpid;          /* sent as MAINPID= after READY */
        bool done;              /* READY relayed (or gave up): nothing more to do */
};

/* The host's socket from the environment (NULL when unset or empty). */
const char *notify_socket_from_env(void);
/* create: mkdir <state>/notify (dirfd: the state dir). */
int notify_make_dir(int dirfd, struct husk_error *err);
/* run, start: bind <state>/notify/notify.sock. r->sock = -1 on error. */
int notify_relay_open(struct notify_relay *r, int dirfd, const char *host_path, struct husk_error *err);
/* Read one datagram from r->sock and forward it; after a READY= line send
 * MAINPID and set r->done. Errors towards the host are warnings. */
void notify_relay_one(struct notify_relay *r);
/* Relay until READY (r->done) or until pidfd says the init exited. */
void notify_relay_until_ready(struct notify_relay *r, int pidfd);
void notify_relay_close(struct notify_relay *r);

#endif
