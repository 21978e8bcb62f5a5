/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "init/sync.h"
#include "util/failpoint.h"
#include "util/util.h"

struct wire_hdr {
        uint32_t type;
        int32_t value;
};

int sync_send(int sock, uint32_t type, int32_t value, const void *data, size_t len, int fd)
{
        struct husk_error fp;
        if (failpoint("sync: send a message", &fp) < 0) {
                errno = EIO;
                return -1;
        }
        struct wire_hdr h = { type, value };
        struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = data && len ? 2 : 1 };
        char cbuf[CMSG_SPACE(sizeof(int))];
        if (fd >= 0) {
                memset(cbuf, 0, sizeof(cbuf));
                msg.msg_control = cbuf;
                msg.msg_controllen = sizeof(cbuf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t r;
        do
                r = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        return r < 0 ? -1 : 0;
}

int sync_send_error(int sock, const struct husk_error *e)
{
        return sync_send(sock, SYNC_ERROR, e->errnum, e, sizeof(*e), -1);
}

int sync_recv(int sock, struct sync_msg *m, struct husk_error *err)
{
        memset(m, 0, sizeof(*m));
        m->fd = -1;
        struct wire_hdr h;
        /* peek the size so any payload fits */
        ssize_t want;
        do
                want = recv(sock, NULL, 0, MSG_PEEK | MSG_TRUNC);
        while (want < 0 && errno == EINTR);
        if (want < 0)
                return husk_error_sys(err, "read from container init");
        if (want == 0)
                return husk_error_set(err, EPIPE, "container init exited unexpectedly");
        size_t plen = (size_t)want > sizeof(h) ? (size_t)want - sizeof(h) : 0;
        char *payload = xmalloc(plen + 1);
        struct iovec iov[2] = { { &h, sizeof(h) }, { payload, plen } };
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        ssize_t r;
        do
                r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r < (ssize_t)sizeof(h)) {
                free(payload);
                if (r < 0)
                        return husk_error_sys(err, "read from container init");
                return husk_error_set(err, EPIPE, "container init exited unexpectedly");
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&m->fd, CMSG_DATA(c), sizeof(int));
        payload[plen] = '\0';
        m->type = h.type;
        m->value = h.value;
        m->len = plen;
        if (plen) {
                m->data = payload;
        } else {
                free(payload);
        }
        return 0;
}

const char *sync_type_name(uint32_t type)
{
        static const char *const names[] = {
                [SYNC_ERROR] = "SYNC_ERROR",
                [SYNC_CGROUP_DONE] = "SYNC_CGROUP_DONE",
                [SYNC_NEED_IDMAP] = "SYNC_NEED_IDMAP",
                [SYNC_MOUNT_FD] = "SYNC_MOUNT_FD",
                [SYNC_IDMAP_DONE] = "SYNC_IDMAP_DONE",
                [SYNC_PID] = "SYNC_PID",
                [SYNC_HOOKS] = "SYNC_HOOKS",
                [SYNC_HOOKS_DONE] = "SYNC_HOOKS_DONE",
                [SYNC_CONSOLE] = "SYNC_CONSOLE",
                [SYNC_SECCOMP_FD] = "SYNC_SECCOMP_FD",
                [SYNC_SECCOMP_DONE] = "SYNC_SECCOMP_DONE",
                [SYNC_READY] = "SYNC_READY",
                [SYNC_NEED_BIND_SOURCES] = "SYNC_NEED_BIND_SOURCES",
                [SYNC_BIND_SOURCES_DONE] = "SYNC_BIND_SOURCES_DONE",
        };
        return type < ARRAY_SIZE(names) ? names[type] : NULL;
}

/* "unexpected message SYNC_READY during exec"; waiting for one message:
 * "unexpected message SYNC_READY (waiting for SYNC_HOOKS_DONE)". */
static int unexpected(uint32_t type, const char *during, bool waiting, struct husk_error *err)
{
        char got[48];
        if (sync_type_name(type))
                snprintf(got, sizeof(got), "%s", sync_type_name(type));
        else
                snprintf(got, sizeof(got), "of unknown type %u", type);
        if (waiting)
                return husk_error_set(err, EPROTO, "unexpected message %s (waiting for %s)", got, during);
        return husk_error_set(err, EPROTO, "unexpected message %s during %s", got, during);
}

int sync_error_decode(const struct sync_msg *m, const char *peer, struct husk_error *err)
{
        if (m->data && m->len >= sizeof(struct husk_error)) {
                memcpy(err, m->data, sizeof(*err));
                err->msg[sizeof(err->msg) - 1] = '\0';
                return -1;
        }
        return husk_error_set(err, 0, "%s failed", peer);
}

int sync_expect(int sock, uint32_t type, struct sync_msg *m, struct husk_error *err)
{
        if (sync_recv(sock, m, err) < 0)
                return -1;
        if (m->type == type)
                return 0;
        if (m->type == SYNC_ERROR)
                sync_error_decode(m, "husk", err);
        else
                unexpected(m->type, sync_type_name(type) ? sync_type_name(type) : "?", true, err);
        sync_msg_free(m);
        return -1;
}

int sync_wait_for(int sock, uint32_t type, struct husk_error *err)
{
        struct sync_msg m;
        if (sync_expect(sock, type, &m, err) < 0)
                return -1;
        sync_msg_free(&m);
        return 0;
}

static const struct sync_handler *find_handler(const struct sync_protocol *p, uint32_t type)
{
        for (size_t i = 0; i < p->n_handlers; i++)
                if (p->handlers[i].type == type)
                        return &p->handlers[i];
        return NULL;
}

static int recv_from_peer(int sock, const struct sync_protocol *p, struct sync_msg *m, struct husk_error *err)
{
        if (sync_recv(sock, m, err) == 0)
                return 0;
        if (p->on_eof)
                husk_error_set(err, 0, "%s", p->on_eof);
        return -1;
}

int sync_serve(int sock, const struct sync_protocol *p, void *ctx, struct husk_error *err)
{
        for (;;) {
                struct sync_msg m;
                if (recv_from_peer(sock, p, &m, err) < 0)
                        return -1;
                const struct sync_handler *h = find_handler(p, m.type);
                int r;
                if (m.type == SYNC_ERROR)
                        r = sync_error_decode(&m, p->peer, err);
                else if (!h)
                        r = unexpected(m.type, p->during, false, err);
                else
                        r = h->handle(ctx, sock, &m, err);
                sync_msg_free(&m);
                if (r != 0)
                        return r < 0 ? -1 : 0;
        }
}

int sync_await_exec(int sock, const struct sync_protocol *p, struct husk_error *err)
{
        struct sync_msg m;
        if (sync_recv(sock, &m, err) < 0) {
                memset(err, 0, sizeof(*err));
                return 0;
        }
        if (m.type == SYNC_ERROR)
                sync_error_decode(&m, p->peer, err);
        else
                unexpected(m.type, p->during, false, err);
        sync_msg_free(&m);
        return -1;
}

void sync_msg_free(struct sync_msg *m)
{
        free(m->data);
        m->data = NULL;
        if (m->fd >= 0)
                close(m->fd);
        m->fd = -1;
}

_Noreturn void sync_die(int sock, const struct husk_error *err)
{
        if (sync_send_error(sock, err) < 0)
                dprintf(2, "husk: %s\n", err->msg);
        _exit(1);
}
