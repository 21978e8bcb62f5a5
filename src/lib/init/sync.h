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

/* Who sends what (P: `husk create` or `husk exec`, the parent; 1, 2: the
 * init's stages; A, B: exec's). value and payload are 0/empty unless said. */
enum sync_type {
        SYNC_ERROR = 1,         /* 1, 2, A, B → P: payload struct husk_error, value its errnum */
        SYNC_CGROUP_DONE,       /* P → 1 (systemd scope), A (systemd, --cgroup) or B (paused
                                 * container): placed in the cgroup */
        SYNC_NEED_IDMAP,        /* 1 → P: user namespace made, write its uid/gid maps */
        SYNC_MOUNT_FD,          /* P → 1: value = mounts[] index; fd (SCM_RIGHTS) = its idmapped
                                 * mount, or its bind source (O_PATH) */
        SYNC_IDMAP_DONE,        /* P → 1: maps written, idmapped mounts sent */
        SYNC_PID,               /* 1 → P, A → P: value = the next stage's pid (2, B) */
        SYNC_HOOKS,             /* 2 → P: rootfs mounted: move the netDevices in, apply Intel RDT,
                                 * run the prestart and createRuntime hooks */
        SYNC_HOOKS_DONE,        /* P → 2: hooks done, go on */
        SYNC_CONSOLE,           /* 2, B → P: fd = the pty master; payload = the pty's path */
        SYNC_SECCOMP_FD,        /* 2, B → P: fd = the seccomp listener, for linux.seccomp.listenerPath */
        SYNC_SECCOMP_DONE,      /* P → 2, B: the listener fd was sent */
        SYNC_READY,             /* 2 → P: set up, waiting for `husk start`; B → P: about to execve */
        SYNC_NEED_BIND_SOURCES, /* 1 → P: new mount namespace made, open the bind sources in it */
        SYNC_BIND_SOURCES_DONE, /* P → 1, after a SYNC_MOUNT_FD per bind source */
};

/* "SYNC_READY"; NULL for a type not in the enum. */
const char *sync_type_name(uint32_t type);

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
/* Wait for a message of `type` that carries nothing (a go-ahead). */
int sync_wait_for(int sock, uint32_t type, struct husk_error *err);
/* A SYNC_ERROR's payload into err; a payload too short to be a struct
 * husk_error becomes "<peer> failed". Returns -1. */
int sync_error_decode(const struct sync_msg *m, const char *peer, struct husk_error *err);

/* The parent's side of a protocol: one handler per message type it
 * expects. handle() gets the message (freed after it returns: take m->fd
 * by setting it to -1) and returns 0 to serve on, 1 when done, -1 on
 * failure with err set. */
struct sync_handler {
        uint32_t type;
        int (*handle)(void *ctx, int sock, struct sync_msg *m, struct husk_error *err);
};
struct sync_protocol {
        const char *during;                     /* "create", "exec": named in protocol errors */
        const char *peer;                       /* "container init": who failed (short SYNC_ERROR) */
        const char *on_eof;                     /* the error when the peer is gone; NULL: sync_recv's */
        const struct sync_handler *handlers;
        size_t n_handlers;
};
/* Receive and dispatch until a handler says done. A SYNC_ERROR is the
 * peer's error; a type without a handler is an error that names it
 * ("unexpected message SYNC_READY during exec"). */
int sync_serve(int sock, const struct sync_protocol *p, void *ctx, struct husk_error *err);
/* After the peer's last message, before its execve: EOF (execve closed the
 * socket) is success; a SYNC_ERROR is why the execve failed. */
int sync_await_exec(int sock, const struct sync_protocol *p, struct husk_error *err);

/* In a child stage: report the error to husk (or stderr) and _exit(1). */
_Noreturn void sync_die(int sock, const struct husk_error *err);

#endif
