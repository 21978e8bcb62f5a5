/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one channel between `husk create` and the init stages: a SOCK_SEQPACKET
 * socketpair carrying typed messages. Errors travel as messages (the whole
 * struct husk_error), so a failure deep in stage 2 reaches the user as one
 * line from the parent. */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"

enum sync_type {
        SYNC_ERROR = 1,         /* child → parent: payload struct husk_error */
        SYNC_CGROUP_DONE,       /* parent → stage 1: placed in the systemd scope */
        SYNC_NEED_IDMAP,        /* stage 1 → parent: write my uid/gid maps */
        SYNC_MOUNT_FD,          /* parent → stage 1: value = mounts[] index, an idmapped mount or a
                                 * bind source (SCM_RIGHTS) */
        SYNC_IDMAP_DONE,        /* parent → stage 1 */
        SYNC_PID,               /* stage 1 → parent: value = stage 2's pid */
        SYNC_HOOKS,             /* stage 2 → parent: run prestart + createRuntime */
        SYNC_HOOKS_DONE,        /* parent → stage 2: payload = state JSON for createContainer */
        SYNC_CONSOLE,           /* stage 2 → parent: the pty master (SCM_RIGHTS) */
        SYNC_SECCOMP_FD,        /* stage 2 → parent: the seccomp listener fd (SCM_RIGHTS) */
        SYNC_SECCOMP_DONE,      /* parent → stage 2: sent to linux.seccomp.listenerPath */
        SYNC_READY,             /* stage 2 → parent: all set, waiting on the exec fifo */
        SYNC_ABORT,             /* parent → child: give up */
        SYNC_NEED_BIND_SOURCES, /* stage 1 → parent: open the bind sources (in my new mount ns) */
        SYNC_BIND_SOURCES_DONE, /* parent → stage 1, after a SYNC_MOUNT_FD (O_PATH fd) per bind mount */
};

struct sync_msg {
        uint32_t type;
        int32_t value;
        char *data;             /* malloc'd payload, NUL-terminated; may be NULL */
        size_t len;
        int fd;                 /* received fd, or -1 */
};

int sync_send(int sock, uint32_t type, int32_t value, const void *data, size_t len, int fd);
int sync_send_error(int sock, const struct husk_error *e);
/* Blocks. Returns -1 with err filled on EOF / failure. */
int sync_recv(int sock, struct sync_msg *m, struct husk_error *err);
/* Receive, and require `type`; a SYNC_ERROR becomes err (the child's message). */
int sync_expect(int sock, uint32_t type, struct sync_msg *m, struct husk_error *err);
void sync_msg_free(struct sync_msg *m);
/* In a child stage: report the error to husk (or stderr) and _exit(1). */
_Noreturn void sync_die(int sock, const struct husk_error *err);

#endif
