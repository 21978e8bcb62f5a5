/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Handing an fd to another program over a unix socket (SCM_RIGHTS), as
 * runc does for --console-socket (the pty master), --pidfd-socket (the
 * process's pidfd) and linux.seccomp.listenerPath (the notify fd). The
 * caller names which in its error ("--console-socket: connect to ..."). */
#ifndef HUSK_FDPASS_H
#define HUSK_FDPASS_H

#include "husk/error.h"

/* Connect to the unix socket at path and send fd with `payload` as the
 * message's data (non-empty: a stream socket drops an fd sent with none). */
int fdpass_send(const char *socket_path, int fd, const char *payload, struct husk_error *err);
/* Receive one fd from a connected unix socket. */
int fdpass_recv(int sock, struct husk_error *err);

#endif
