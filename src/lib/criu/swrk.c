/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu/swrk.h"
#include "util/log.h"
#include "util/util.h"

#if HAVE_CRIU

/* Big enough for any response CRIU sends (runc uses 40 KiB). */
#define CRIU_RESP_MAX (64 * 1024)

static bool is_exec(const char *p)
{
        struct stat st;
        return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int criu_find_binary(const char *criu, char **out, struct husk_error *err)
{
        if (!criu || !*criu)
                criu = "criu";
        if (strchr(criu, '/')) {
                if (!is_exec(criu))
                        return husk_error_invalid(err, "CRIU binary %s (--criu) is not an executable file", criu);
                *out = xstrdup(criu);
                return 0;
        }
        /* root's usual PATH may lack the sbin dirs (e.g. under a shim) */
        const char *env = getenv("PATH");
        _cleanup_free_ char *path = xasprintf("%s:/usr/local/sbin:/usr/sbin:/sbin", env && *env ? env : "/usr/bin:/bin");
        char *save = NULL;
        for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = xasprintf("%s/%s", *d ? d : ".", criu);
                if (is_exec(p)) {
                        *out = TAKE_PTR(p);
                        return 0;
                }
        }
        return husk_error_not_found(err,
                                    "checkpoint/restore needs CRIU: \"%s\" not found in PATH (install criu, or give its "
                                    "path with --criu)", criu);
}

/* Move fd to >= min, close-on-exec (so the dup2 below can't clobber it). */
static int fd_high(int fd, int min)
{
        return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, min);
}

static void child_fail(int err_fd, struct husk_error *e)
{
        (void)!write(err_fd, e, sizeof(*e));
        _exit(127);
}

static void swrk_child(const struct criu_swrk_opts *o, const char *criu, int sock, int hold, int err_fd)
{
        struct husk_error e = { 0 };
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        if (hold >= 0) {
                char c;
                if (read(hold, &c, 1) != 1)
                        _exit(127);     /* the parent gave up */
        }
        if (o->prepare && o->prepare(o->data, &e) < 0)
                child_fail(err_fd, &e);

        /* Everything we need above the range we are about to fill. */
        int base = 64 + (int)o->n_extra;
        int in[3], s = fd_high(sock, base), ef = fd_high(err_fd, base);
        int extra[o->n_extra + 1];
        for (int i = 0; i < 3; i++)
                in[i] = fd_high(o->stdio[i], base);
        for (size_t i = 0; i < o->n_extra; i++)
                extra[i] = fd_high(o->extra_fds[i], base);
        if (s < 0 || ef < 0)
                _exit(127);
        err_fd = ef;
        for (int i = 0; i < 3; i++)
                if (in[i] >= 0 && dup2(in[i], i) < 0) {
                        husk_error_sys(&e, "dup2 stdio for criu");
                        child_fail(err_fd, &e);
                }
        if (dup2(s, 3) < 0) {
                husk_error_sys(&e, "dup2 socket for criu");
                child_fail(err_fd, &e);
        }
        for (size_t i = 0; i < o->n_extra; i++)
                if (extra[i] < 0 || dup2(extra[i], 4 + (int)i) < 0) {
                        husk_error_sys(&e, "pass fd %d to criu", o->extra_fds[i]);
                        child_fail(err_fd, &e);
                }
        int keep[] = { err_fd };
        close_fds_from(4 + (int)o->n_extra, keep, 1);
        char *argv[] = { (char *)criu, "swrk", "3", NULL };
        execv(criu, argv);
        husk_error_sys(&e, "exec %s swrk", criu);
        child_fail(err_fd, &e);
}

int criu_swrk_spawn(const struct criu_swrk_opts *o, struct criu_swrk *sw, struct husk_error *err)
{
        memset(sw, 0, sizeof(*sw));
        sw->sock = sw->hold_fd = sw->err_fd = -1;
        if (criu_find_binary(o->criu, &sw->criu, err) < 0)
                return -1;
        int sk[2], ep[2], hp[2] = { -1, -1 };
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
                return husk_error_sys(err, "socketpair for criu");
        if (pipe2(ep, O_CLOEXEC) < 0 || (o->hold && pipe2(hp, O_CLOEXEC) < 0)) {
                husk_error_sys(err, "pipe for criu");
                close(sk[0]);
                close(sk[1]);
                return -1;
        }
        pid_t pid = fork();
        if (pid < 0) {
                husk_error_sys(err, "fork criu");
                close(sk[0]);
                close(sk[1]);
                close(ep[0]);
                close(ep[1]);
                if (hp[0] >= 0) {
                        close(hp[0]);
                        close(hp[1]);
                }
                return -1;
        }
        if (pid == 0) {
                close(sk[0]);
                close(ep[0]);
                if (hp[1] >= 0)
                        close(hp[1]);
                swrk_child(o, sw->criu, sk[1], hp[0], ep[1]);
        }
        close(sk[1]);
        close(ep[1]);
        if (hp[0] >= 0)
                close(hp[0]);
        sw->pid = pid;
        sw->sock = sk[0];
        sw->err_fd = ep[0];
        sw->hold_fd = hp[1];
        if (!o->hold)
                return criu_swrk_release(sw, err);
        return 0;
}

int criu_swrk_release(struct criu_swrk *sw, struct husk_error *err)
{
        if (sw->hold_fd >= 0) {
                if (write(sw->hold_fd, "1", 1) != 1)
                        return husk_error_sys(err, "release criu");
                close(sw->hold_fd);
                sw->hold_fd = -1;
        }
        if (sw->err_fd < 0)
                return 0;
        /* EOF: CRIU was exec'ed (close-on-exec); else the child's error */
        struct husk_error e;
        ssize_t n = read_all(sw->err_fd, &e, sizeof(e));
        close(sw->err_fd);
        sw->err_fd = -1;
        if (n == (ssize_t)sizeof(e)) {
                e.msg[sizeof(e.msg) - 1] = '\0';
                *err = e;
                return -1;
        }
        return 0;
}

static const char *req_type_name(CriuReqType t)
{
        switch (t) {
        case CRIU_REQ_TYPE__DUMP: return "DUMP";
        case CRIU_REQ_TYPE__RESTORE: return "RESTORE";
        case CRIU_REQ_TYPE__PRE_DUMP: return "PRE_DUMP";
        case CRIU_REQ_TYPE__NOTIFY: return "NOTIFY";
        case CRIU_REQ_TYPE__FEATURE_CHECK: return "FEATURE_CHECK";
        case CRIU_REQ_TYPE__VERSION: return "VERSION";
        default: return "other";
        }
}

/* The last "Error (...)" line of CRIU's log that says why: not the
 * generic "exited, status=N" of a helper program CRIU ran, nor the final
 * "Dumping FAILED" (NULL when the log has none). */
static char *log_last_error(const char *log_path)
{
        _cleanup_free_ char *buf = NULL;
        struct husk_error e;
        if (!log_path || read_file_at(AT_FDCWD, log_path, &buf, NULL, &e) < 0)
                return NULL;
        char *last = NULL, *generic = NULL, *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *p = strstr(l, "Error (");
                if (!p || strstr(p, "Dumping FAILED") || strstr(p, "Restoring FAILED"))
                        continue;
                if (strstr(p, "exited, status="))
                        generic = p;
                else
                        last = p;
        }
        last = last ? last : generic;
        return last ? xstrdup(last) : NULL;
}

static int send_req(int sock, CriuReq *req, struct husk_error *err)
{
        const struct criu_pb_fns *pb = criu_pb();
        size_t len = pb->criu_req__get_packed_size(req);
        _cleanup_free_ uint8_t *buf = xmalloc(len ? len : 1);
        pb->criu_req__pack(req, buf);
        if (send(sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
                return husk_error_sys(err, "send %s request to criu", req_type_name(req->type));
        return 0;
}

/* One message; *fd: a passed fd or -1. 0 on EOF. */
static ssize_t recv_resp(int sock, uint8_t *buf, size_t size, int *fd, struct husk_error *err)
{
        union {
                char b[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } cm;
        struct iovec iov = { buf, size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
        *fd = -1;
        ssize_t n;
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return husk_error_sys(err, "read from criu");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(fd, CMSG_DATA(c), sizeof(int));
        if (mh.msg_flags & MSG_TRUNC) {
                if (*fd >= 0)
                        close(*fd);
                return husk_error_set(err, EMSGSIZE, "criu sent a response larger than %zu bytes", size);
        }
        return n;
}

int criu_swrk_call(struct criu_swrk *sw, CriuReq *req, criu_notify_fn fn, void *data, const char *log_path,
                   CriuResp **resp, struct husk_error *err)
{
        const struct criu_pb_fns *pb = criu_pb();
        *resp = NULL;
        if (send_req(sw->sock, req, err) < 0)
                return -1;
        _cleanup_free_ uint8_t *buf = xmalloc(CRIU_RESP_MAX);
        for (;;) {
                int fd;
                ssize_t n = recv_resp(sw->sock, buf, CRIU_RESP_MAX, &fd, err);
                if (n < 0)
                        return -1;
                if (n == 0) {
                        int st = criu_swrk_finish(sw);
                        _cleanup_free_ char *why = log_last_error(log_path);
                        husk_error_set(err, 0, "criu exited (status %d) during %s%s%s%s%s", st,
                                       req_type_name(req->type), why ? ": " : "", why ? why : "",
                                       log_path ? "; log file: " : "", log_path ? log_path : "");
                        return -1;
                }
                CriuResp *r = pb->criu_resp__unpack(NULL, (size_t)n, buf);
                if (!r) {
                        if (fd >= 0)
                                close(fd);
                        return husk_error_set(err, EPROTO, "criu sent a response husk can't decode");
                }
                if (!r->success) {
                        /* CRIU's reason: from its log, else its own message */
                        _cleanup_free_ char *why = log_last_error(log_path);
                        if (!why && r->cr_errmsg) {
                                why = xstrdup(r->cr_errmsg);
                                why[strcspn(why, "\n")] = '\0';
                        }
                        husk_error_set(err, 0, "criu failed: type %s%s%s%s%s", req_type_name(r->type),
                                       why ? ": " : "", why ? why : "", log_path ? "; log file: " : "",
                                       log_path ? log_path : "");
                        pb->criu_resp__free_unpacked(r, NULL);
                        if (fd >= 0)
                                close(fd);
                        return -1;
                }
                if (r->type != CRIU_REQ_TYPE__NOTIFY) {
                        if (fd >= 0)
                                close(fd);
                        *resp = r;
                        return 0;
                }
                int rc = 0;
                if (!r->notify) {
                        rc = husk_error_set(err, EPROTO, "criu sent a NOTIFY without a script");
                        if (fd >= 0)
                                close(fd);
                } else {
                        const char *script = r->notify->script ? r->notify->script : "";
                        log_debug("criu notify: %s", script);
                        pid_t pid = r->notify->has_pid ? r->notify->pid : 0;
                        if (fn)
                                rc = fn(data, script, pid, fd, err);
                        else if (fd >= 0)
                                close(fd);
                        if (rc < 0)
                                husk_error_wrap(err, "criu %s", script);
                }
                pb->criu_resp__free_unpacked(r, NULL);
                CriuReq ack;
                pb->criu_req__init(&ack);
                ack.type = CRIU_REQ_TYPE__NOTIFY;
                ack.has_notify_success = true;
                ack.notify_success = rc == 0;
                struct husk_error e2 = { 0 };
                if (send_req(sw->sock, &ack, rc < 0 ? &e2 : err) < 0 && rc == 0)
                        return -1;
                if (rc < 0)
                        return -1;
        }
}

int criu_swrk_finish(struct criu_swrk *sw)
{
        int status = -1;
        if (sw->sock >= 0) {
                close(sw->sock);
                sw->sock = -1;
        }
        if (sw->hold_fd >= 0) {
                close(sw->hold_fd);     /* a held child exits */
                sw->hold_fd = -1;
        }
        if (sw->err_fd >= 0) {
                close(sw->err_fd);
                sw->err_fd = -1;
        }
        if (sw->pid > 0) {
                int ws;
                pid_t r;
                do
                        r = waitpid(sw->pid, &ws, 0);
                while (r < 0 && errno == EINTR);
                if (r == sw->pid)
                        status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
                sw->pid = 0;
        }
        free(sw->criu);
        sw->criu = NULL;
        return status;
}

int criu_check_version(const char *criu, int min, int *version, struct husk_error *err)
{
        if (criu_pb_load(err) < 0)
                return -1;
        const struct criu_pb_fns *pb = criu_pb();
        struct criu_swrk_opts o = { .criu = criu, .stdio = { -1, -1, -1 } };
        struct criu_swrk sw;
        if (criu_swrk_spawn(&o, &sw, err) < 0) {
                criu_swrk_finish(&sw);
                return -1;
        }
        _cleanup_free_ char *bin = xstrdup(sw.criu);
        CriuReq req;
        pb->criu_req__init(&req);
        req.type = CRIU_REQ_TYPE__VERSION;
        CriuResp *resp;
        int r = criu_swrk_call(&sw, &req, NULL, NULL, NULL, &resp, err);
        criu_swrk_finish(&sw);
        if (r < 0)
                return husk_error_wrap(err, "CRIU version check (%s)", bin);
        if (!resp->version) {
                pb->criu_resp__free_unpacked(resp, NULL);
                return husk_error_set(err, EPROTO, "CRIU version check (%s): no version in the answer", bin);
        }
        const CriuVersion *v = resp->version;
        int sub = v->has_sublevel ? v->sublevel : 0;
        *version = v->major_number * 10000 + v->minor_number * 100 + sub;
        if (*version < min) {
                husk_error_unsupported(err, "CRIU %d.%d.%d (%s) is too old: husk needs %d.%d or newer",
                                       v->major_number, v->minor_number, sub, bin, min / 10000, min / 100 % 100);
                r = -1;
        }
        pb->criu_resp__free_unpacked(resp, NULL);
        return r;
}

#endif
