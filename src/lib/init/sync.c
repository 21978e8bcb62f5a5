/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

int sync_expect(int sock, uint32_t type, struct sync_msg *m, struct husk_error *err)
{
        if (sync_recv(sock, m, err) < 0)
                return -1;
        if (m->type == SYNC_ERROR) {
                if (m->data && m->len >= sizeof(struct husk_error)) {
                        memcpy(err, m->data, sizeof(*err));
                        err->msg[sizeof(err->msg) - 1] = '\0';
                } else {
                        husk_error_set(err, 0, "container init failed");
                }
                sync_msg_free(m);
                return -1;
        }
        if (m->type != type) {
                uint32_t got = m->type;
                sync_msg_free(m);
                return husk_error_set(err, EPROTO, "init sync: expected message %u, got %u", type, got);
        }
        return 0;
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
