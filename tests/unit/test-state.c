/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: container ids, signal names, the error convention, state.json
 * round trip and derived status, and the init sync protocol. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <yajl/yajl_tree.h>

#include "init/sync.h"
#include "state/state.h"
#include "util/signals.h"
#include "util/util.h"
#include "tap.h"

static void test_ids(void)
{
        struct husk_error e = { 0 };
        const char *good[] = { "a", "c1", "my.container_1+x-y", "A-Z" };
        const char *bad[] = { "", ".", "..", "a/b", "a b", "x\n", "ü", "../etc" };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                CHECK(state_validate_id(good[i], &e) == 0, "id %s should be valid: %s", good[i], e.msg);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                CHECK(state_validate_id(bad[i], &e) < 0 && e.kind == HUSK_ERR_INVALID, "id \"%s\" should be invalid",
                      bad[i]);
        char longid[1100];
        memset(longid, 'a', sizeof(longid) - 1);
        longid[sizeof(longid) - 1] = '\0';
        CHECK(state_validate_id(longid, &e) < 0, "over-long id accepted");
}

static void test_signals(void)
{
        struct husk_error e = { 0 };
        CHECK(signal_parse("KILL", &e) == SIGKILL, "KILL");
        CHECK(signal_parse("SIGKILL", &e) == SIGKILL, "SIGKILL");
        CHECK(signal_parse("sigterm", &e) == SIGTERM, "sigterm");
        CHECK(signal_parse("9", &e) == 9, "9");
        CHECK(signal_parse("15", &e) == 15, "15");
        CHECK(signal_parse("HUP", &e) == SIGHUP, "HUP");
        CHECK(signal_parse("WINCH", &e) == SIGWINCH, "WINCH");
        CHECK(signal_parse("RTMIN", &e) == SIGRTMIN, "RTMIN");
        CHECK(signal_parse("RTMIN+3", &e) == SIGRTMIN + 3, "RTMIN+3");
        CHECK(signal_parse("SIGRTMAX-1", &e) == SIGRTMAX - 1, "SIGRTMAX-1");
        CHECK(signal_parse("NOPE", &e) < 0 && strstr(e.msg, "NOPE") && e.kind == HUSK_ERR_INVALID, "NOPE: %s", e.msg);
        CHECK(signal_parse("0", &e) == 0, "0 probes, as kill(2)");
        CHECK(signal_parse("999", &e) < 0, "999 out of range");
        CHECK(signal_parse("-9", &e) < 0, "-9");
        CHECK(signal_parse("", &e) < 0, "empty");
        CHECK(strcmp(signal_name(SIGTERM), "SIGTERM") == 0, "name of 15");
}

static void test_errors(void)
{
        struct husk_error e = { 0 };
        errno = ENOENT;
        husk_error_sys(&e, "open %s", "/x");
        husk_error_wrap(&e, "mounts[%d]", 2);
        CHECK(strcmp(e.msg, "mounts[2]: open /x: No such file or directory") == 0, "wrap: %s", e.msg);
        CHECK(e.errnum == ENOENT, "errnum kept");
        char big[4000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        husk_error_set(&e, 0, "%s", big);
        husk_error_wrap(&e, "ctx");
        CHECK(strlen(e.msg) < HUSK_ERROR_MSG_MAX && strncmp(e.msg, "ctx: ", 5) == 0, "truncation");
}

static void test_start_time(void)
{
        /* field 22 of /proc/self/stat, counted independently */
        char buf[1024];
        FILE *f = fopen("/proc/self/stat", "r");
        CHECK(f && fgets(buf, sizeof(buf), f), "read stat");
        if (f)
                fclose(f);
        char *p = strrchr(buf, ')') + 2; /* field 3 */
        unsigned long long v = 0;
        for (int field = 3; field <= 22; field++) {
                if (field == 22)
                        v = strtoull(p, NULL, 10);
                p = strchr(p, ' ') + 1;
        }
        CHECK(proc_start_time(getpid()) == v, "start time %llu != %llu", (unsigned long long)proc_start_time(getpid()), v);
        CHECK(proc_start_time(0x3fffffff) == 0, "no such pid");
}

static void test_state_roundtrip(void)
{
        struct husk_error e = { 0 };
        char tmpl[] = "/tmp/husk-test-state.XXXXXX";
        char *root = mkdtemp(tmpl);
        CHECK(root != NULL, "mkdtemp");
        int fd = state_reserve(root, "c1", &e);
        CHECK(fd >= 0, "reserve: %s", e.msg);
        CHECK(state_reserve(root, "c1", &e) < 0 && strstr(e.msg, "container \"c1\" already exists"),
              "second reserve: %s", e.msg);
        struct husk_kv ann[] = { { "org.example.a", "1" }, { "b", "two \"quoted\"" } };
        struct husk_state st = {
                .id = "c1", .pid = getpid(), .start_time = proc_start_time(getpid()),
                .bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-11-22T07:00:00.000000001Z",
                .owner = 0, .cgroup = "v1:/husk/c1", .annotations = ann, .n_annotations = 2,
        };
        CHECK(state_write(fd, &st, &e) == 0, "write: %s", e.msg);
        struct husk_state rd;
        CHECK(state_read(fd, "c1", &rd, &e) == 0, "read: %s", e.msg);
        CHECK(rd.pid == st.pid && rd.start_time == st.start_time, "pid/start time");
        CHECK(strcmp(rd.bundle, "/b") == 0 && strcmp(rd.cgroup, "v1:/husk/c1") == 0, "strings");
        CHECK(rd.n_annotations == 2 && strcmp(rd.annotations[1].value, "two \"quoted\"") == 0, "annotations");

        /* the cgroup manager's JSON object is kept as an object, and
         * read back as the text it was */
        struct husk_state st2 = st;
        const char *cg = "{\"driver\":\"cgroupfs\",\"layout\":\"v2\",\"rootless\":false,\"path\":\"/a b\","
                         "\"hierarchies\":[{\"cgroup2\":true,\"path\":\"/a b\"}]}";
        st2.cgroup = (char *)cg;
        CHECK(state_write(fd, &st2, &e) == 0, "write: %s", e.msg);
        _cleanup_free_ char *raw = NULL;
        CHECK(read_file_at(fd, STATE_FILE, &raw, NULL, &e) == 0 && strstr(raw, "\"cgroup\":{\"driver\""),
              "cgroup kept as an object: %s", raw ? raw : e.msg);
        struct husk_state rd2;
        CHECK(state_read(fd, "c1", &rd2, &e) == 0 && rd2.cgroup && strcmp(rd2.cgroup, cg) == 0,
              "cgroup object read back: %s", rd2.cgroup ? rd2.cgroup : "(null)");
        state_free(&rd2);
        CHECK(state_write(fd, &st, &e) == 0, "write: %s", e.msg);

        /* status is derived: we are alive; a fifo makes it "created" */
        CHECK(state_status(fd, &rd, false) == HUSK_STATUS_RUNNING, "running");
        CHECK(mknodat(fd, STATE_EXEC_SOCK, S_IFSOCK | 0600, 0) == 0, "exec.sock");
        CHECK(state_status(fd, &rd, false) == HUSK_STATUS_CREATED, "created");
        CHECK(state_status(fd, &rd, true) == HUSK_STATUS_PAUSED, "paused");
        /* pid reuse: same pid, other start time -> stopped */
        rd.start_time += 1;
        CHECK(state_status(fd, &rd, false) == HUSK_STATUS_STOPPED, "pid reuse detected");
        rd.start_time -= 1;
        /* a zombie counts as stopped */
        pid_t z = fork();
        if (z == 0)
                _exit(0);
        /* wait until it is a zombie, without reaping it */
        siginfo_t si;
        waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT);
        struct husk_state zs = rd;
        zs.pid = z;
        zs.start_time = proc_start_time(z);
        CHECK(!state_init_alive(&zs), "zombie is not alive");
        waitpid(z, NULL, 0);

        char *json = state_to_json(&rd, HUSK_STATUS_RUNNING, true, true);
        char ebuf[128];
        yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
        CHECK(v != NULL, "state json parses: %s", ebuf);
        const char *keys[] = { "ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner",
                               "annotations" };
        for (size_t i = 0; v && i < ARRAY_SIZE(keys); i++) {
                const char *p[] = { keys[i], NULL };
                CHECK(yajl_tree_get(v, p, yajl_t_any) != NULL, "state json has %s", keys[i]);
        }
        const char *sp[] = { "status", NULL };
        yajl_val sv = v ? yajl_tree_get(v, sp, yajl_t_string) : NULL;
        CHECK(sv && strcmp(sv->u.string, "running") == 0, "status field");
        const char *op[] = { "owner", NULL };
        yajl_val ov = v ? yajl_tree_get(v, op, yajl_t_string) : NULL;
        CHECK(getuid() != 0 || (ov && strcmp(ov->u.string, "root") == 0), "owner is a user name");
        yajl_tree_free(v);
        free(json);
        /* stopped: runc prints pid 0 */
        json = state_to_json(&rd, HUSK_STATUS_STOPPED, true, false);
        CHECK(strstr(json, "\"pid\":0") != NULL, "stopped pid 0: %s", json);
        free(json);

        state_free(&rd);
        CHECK(state_remove(root, "c1", fd, &e) == 0, "remove: %s", e.msg);
        close(fd);
        CHECK(state_open(root, "c1", false, &e) < 0 && strstr(e.msg, "container \"c1\" does not exist"),
              "gone: %s", e.msg);
        CHECK(state_open(root, "../x", false, &e) < 0 && strstr(e.msg, "invalid container id"), "bad id: %s",
              e.msg);
        rmdir(root);
}

static void test_sync(void)
{
        int sv[2];
        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
        struct husk_error e = { 0 }, sent = { 0 };
        husk_error_set(&sent, EACCES, "mount \"proc\" on \"/proc\"");
        CHECK(sync_send(sv[1], SYNC_PID, 1234, NULL, 0, -1) == 0, "send pid");
        CHECK(sync_send(sv[1], SYNC_CONSOLE, 0, "/dev/pts/3", 10, 0) == 0, "send fd");
        CHECK(sync_send_error(sv[1], &sent) == 0, "send error");
        struct sync_msg m;
        CHECK(sync_expect(sv[0], SYNC_PID, &m, &e) == 0 && m.value == 1234, "pid message");
        sync_msg_free(&m);
        CHECK(sync_expect(sv[0], SYNC_CONSOLE, &m, &e) == 0 && m.fd >= 0 && strcmp(m.data, "/dev/pts/3") == 0,
              "fd message");
        sync_msg_free(&m);
        CHECK(sync_expect(sv[0], SYNC_READY, &m, &e) < 0 && strcmp(e.msg, sent.msg) == 0 && e.errnum == EACCES,
              "error travels whole: %s", e.msg);
        close(sv[1]);
        CHECK(sync_recv(sv[0], &m, &e) < 0 && strstr(e.msg, "exited unexpectedly"), "EOF: %s", e.msg);
        close(sv[0]);
}

/* sync_serve: handlers record what they got */
struct serve_log {
        int pid, console_fd, ready, calls;
        char tty[32];
};

static int h_pid(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct serve_log *l = ctx;
        (void)sock, (void)err;
        l->calls++;
        l->pid = m->value;
        return 0;
}

static int h_console(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct serve_log *l = ctx;
        (void)sock, (void)err;
        l->calls++;
        snprintf(l->tty, sizeof(l->tty), "%s", m->data ? m->data : "");
        l->console_fd = m->fd;          /* taken: sync_serve must not close it */
        m->fd = -1;
        return 0;
}

static int h_ready(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        struct serve_log *l = ctx;
        (void)sock, (void)m, (void)err;
        l->calls++;
        l->ready = 1;
        return 1;
}

static int h_fail(void *ctx, int sock, struct sync_msg *m, struct husk_error *err)
{
        (void)ctx, (void)sock, (void)m;
        return husk_error_set(err, EINVAL, "handler said no");
}

static const struct sync_handler serve_handlers[] = {
        { SYNC_PID, h_pid }, { SYNC_CONSOLE, h_console }, { SYNC_READY, h_ready }, { SYNC_HOOKS, h_fail },
};
static const struct sync_protocol serve_proto = {
        .during = "exec", .peer = "exec: the process", .handlers = serve_handlers,
        .n_handlers = ARRAY_SIZE(serve_handlers),
};

/* the message, whatever the error convention appends (strerror) */
static bool starts(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void pair(int sv[2])
{
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                perror("socketpair");
                exit(1);
        }
}

static void test_sync_serve(void)
{
        int sv[2];
        struct husk_error e = { 0 };
        struct serve_log l = { .console_fd = -1 };

        /* dispatch by type, in order, until a handler says done; the rest stays queued */
        pair(sv);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        sync_send(sv[1], SYNC_PID, 4321, NULL, 0, -1);
        sync_send(sv[1], SYNC_CONSOLE, 0, "/dev/pts/7", 10, devnull);
        sync_send(sv[1], SYNC_READY, 0, NULL, 0, -1);
        sync_send(sv[1], SYNC_PID, 1, NULL, 0, -1);
        close(devnull);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) == 0, "serve: %s", e.msg);
        CHECK(l.calls == 3 && l.pid == 4321 && l.ready && strcmp(l.tty, "/dev/pts/7") == 0,
              "handlers: calls %d pid %d tty %s", l.calls, l.pid, l.tty);
        CHECK(l.console_fd >= 0 && fcntl(l.console_fd, F_GETFD) >= 0, "a taken fd stays open");
        if (l.console_fd >= 0)
                close(l.console_fd);
        struct sync_msg m;
        CHECK(sync_expect(sv[0], SYNC_PID, &m, &e) == 0 && m.value == 1, "next message left queued");
        sync_msg_free(&m);

        /* a type without a handler is named, as is one outside the enum */
        sync_send(sv[1], SYNC_HOOKS_DONE, 0, NULL, 0, -1);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 &&
              starts(e.msg, "unexpected message SYNC_HOOKS_DONE during exec") && e.errnum == EPROTO,
              "unexpected: %s", e.msg);
        sync_send(sv[1], 99, 0, NULL, 0, -1);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 &&
              starts(e.msg, "unexpected message of unknown type 99 during exec"),
              "unknown type: %s", e.msg);
        sync_send(sv[1], SYNC_READY, 0, NULL, 0, -1);
        CHECK(sync_expect(sv[0], SYNC_PID, &m, &e) < 0 &&
              starts(e.msg, "unexpected message SYNC_READY (waiting for SYNC_PID)"),
              "expect: %s", e.msg);

        /* a handler's failure is the answer */
        sync_send(sv[1], SYNC_HOOKS, 0, NULL, 0, -1);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 && starts(e.msg, "handler said no"),
              "handler error: %s", e.msg);

        /* the peer's error, whole */
        struct husk_error sent = { 0 };
        husk_error_set(&sent, EACCES, "mount \"proc\" on \"/proc\"");
        sync_send_error(sv[1], &sent);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 && strcmp(e.msg, sent.msg) == 0 && e.errnum == EACCES,
              "peer error: %s", e.msg);

        /* a SYNC_ERROR too short to hold an error (empty, or a few bytes) is
         * not copied: the message says who failed, nothing stale or partial */
        husk_error_set(&e, EIO, "stale");
        sync_send(sv[1], SYNC_ERROR, 0, NULL, 0, -1);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 && strcmp(e.msg, "exec: the process failed") == 0,
              "empty error: %s", e.msg);
        sync_send(sv[1], SYNC_ERROR, 0, "abc", 3, -1);
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 && strcmp(e.msg, "exec: the process failed") == 0 &&
              e.errnum == 0, "short error: %s", e.msg);

        /* after the last message: EOF is success (execve closed the
         * socket), an error is why execve failed */
        sync_send_error(sv[1], &sent);
        CHECK(sync_await_exec(sv[0], &serve_proto, &e) < 0 && strcmp(e.msg, sent.msg) == 0, "exec failed: %s",
              e.msg);
        close(sv[1]);
        CHECK(sync_await_exec(sv[0], &serve_proto, &e) == 0 && !e.msg[0], "EOF after ready: %s", e.msg);
        /* the peer gone mid-protocol: sync_recv's error, or the protocol's */
        CHECK(sync_serve(sv[0], &serve_proto, &l, &e) < 0 && strstr(e.msg, "exited unexpectedly"), "EOF: %s",
              e.msg);
        struct sync_protocol eof = serve_proto;
        eof.on_eof = "exec: the process died while being set up";
        CHECK(sync_serve(sv[0], &eof, &l, &e) < 0 && strcmp(e.msg, eof.on_eof) == 0, "EOF: %s", e.msg);
        close(sv[0]);

        /* every type has a name */
        for (uint32_t t = SYNC_ERROR; t <= SYNC_BIND_SOURCES_DONE; t++)
                CHECK(sync_type_name(t) && strncmp(sync_type_name(t), "SYNC_", 5) == 0, "name of %u", t);
        CHECK(!sync_type_name(0) && !sync_type_name(SYNC_BIND_SOURCES_DONE + 1), "no name out of the enum");
}

/* state_parse reads state.json with a callback parser: the cgroup manager's
 * object comes back as the JSON text it was, a duplicated key keeps its first
 * value, non-string annotation values read as "", a number that is not an
 * integer or does not fit counts as absent, broken JSON is an invalid error. */
static void test_state_parse(void)
{
        struct husk_error e = { 0 };
        struct husk_state st;
        const char *doc = "{\"id\":\"a\",\"pid\":12,\"pid\":13,\"start_time\":99999999999999999999,"
                          "\"owner\":1.5,\"bundle\":\"/b\",\"cgroup\":{\"driver\":\"cgroupfs\","
                          "\"hierarchies\":[{\"controllers\":\"cpu\",\"path\":\"/x\"},{\"cgroup2\":true}],"
                          "\"n\":null,\"k\":-3},\"rootless\":true,\"rootless\":false,"
                          "\"annotations\":{\"x\":\"1\",\"y\":{\"z\":\"2\"},\"w\":[\"3\"],\"v\":\"4\"},"
                          "\"extra\":{\"id\":\"no\"}}";
        CHECK(state_parse(doc, "fallback", &st, &e) == 0, "parse: %s", e.msg);
        CHECK(strcmp(st.id, "a") == 0, "id %s", st.id);
        CHECK(st.pid == 12, "first pid wins: %d", (int)st.pid);
        CHECK(st.start_time == 0 && st.owner == 0, "out-of-range and fractional numbers are absent");
        CHECK(st.bundle && strcmp(st.bundle, "/b") == 0 && !st.rootfs, "bundle, no rootfs");
        CHECK(st.rootless, "first rootless wins");
        CHECK(st.cgroup && strcmp(st.cgroup, "{\"driver\":\"cgroupfs\",\"hierarchies\":[{\"controllers\":\"cpu\","
                                             "\"path\":\"/x\"},{\"cgroup2\":true}],\"n\":null,\"k\":-3}") == 0,
              "cgroup object text: %s", st.cgroup);
        CHECK(st.n_annotations == 4, "4 annotations: %zu", st.n_annotations);
        if (st.n_annotations == 4)
                CHECK(strcmp(st.annotations[0].value, "1") == 0 && strcmp(st.annotations[1].value, "") == 0 &&
                      strcmp(st.annotations[2].value, "") == 0 && strcmp(st.annotations[3].key, "v") == 0 &&
                      strcmp(st.annotations[3].value, "4") == 0, "annotation values");
        state_free(&st);
        CHECK(state_parse("{\"cgroup\":\"husk-cg1 x\"}", "f", &st, &e) == 0 && strcmp(st.id, "f") == 0 &&
              st.cgroup && strcmp(st.cgroup, "husk-cg1 x") == 0, "old string cgroup, fallback id");
        state_free(&st);
        CHECK(state_parse("{\"id\":\"a\",\"cgroup\":{", "c", &st, &e) < 0 && e.kind == HUSK_ERR_INVALID &&
              strstr(e.msg, "corrupt state.json") && !st.id && !st.cgroup, "broken JSON refused, nothing kept");
        /* the object's text is taken as it is in the file, spaces and comments too */
        CHECK(state_parse("{\"cgroup\" : { \"a\" : [1, {\"b\":{}}] /* } */ } , \"id\":\"z\", \"cgroup\":{}}", "f",
                          &st, &e) == 0 && st.cgroup && strcmp(st.cgroup, "{ \"a\" : [1, {\"b\":{}}] /* } */ }") == 0 &&
              strcmp(st.id, "z") == 0, "cgroup object text as written: %s", st.cgroup);
        state_free(&st);
        CHECK(state_parse("{\"x\":{\"cgroup\":{\"a\":1}},\"cgroup\":[{}],\"cgroup\":{\"b\":2}}", "f", &st, &e) == 0 &&
              !st.cgroup, "a nested cgroup key or a first value that is no object is no cgroup");
        state_free(&st);
        CHECK(state_parse("[1,2]", "arr", &st, &e) == 0 && strcmp(st.id, "arr") == 0 && st.pid == 0,
              "a non-object document has no fields");
        state_free(&st);
}

/* Which poststart/poststop hooks the saved config has: known only when
 * state.json says both (an older husk's says neither: start and delete
 * then read config.json). */
static void test_state_hooks(void)
{
        struct husk_error e = { 0 };
        struct husk_state st;
        CHECK(state_parse("{\"id\":\"a\",\"poststart_hooks\":false,\"poststop_hooks\":true}", "a", &st, &e) == 0 &&
              st.hooks_known && !st.poststart_hooks && st.poststop_hooks, "both said");
        state_free(&st);
        CHECK(state_parse("{\"id\":\"a\"}", "a", &st, &e) == 0 && !st.hooks_known, "an older husk's: not known");
        state_free(&st);
        CHECK(state_parse("{\"poststop_hooks\":false}", "a", &st, &e) == 0 && !st.hooks_known &&
              !st.poststop_hooks, "one of two: not known");
        state_free(&st);
        CHECK(state_parse("{\"poststart_hooks\":\"no\",\"poststop_hooks\":false}", "a", &st, &e) == 0 &&
              !st.hooks_known, "a value that is no boolean: not known");
        state_free(&st);

        char tmpl[] = "/tmp/husk-test-state.XXXXXX";
        char *root = mkdtemp(tmpl);
        CHECK(root != NULL, "mkdtemp");
        int fd = state_reserve(root, "h1", &e);
        CHECK(fd >= 0, "reserve: %s", e.msg);
        struct husk_state w = { .id = "h1", .pid = 1, .bundle = "/b", .hooks_known = true, .poststart_hooks = true };
        CHECK(state_write(fd, &w, &e) == 0, "write: %s", e.msg);
        CHECK(state_read(fd, "h1", &st, &e) == 0 && st.hooks_known && st.poststart_hooks && !st.poststop_hooks,
              "written and read back");
        state_free(&st);
        w.hooks_known = false;
        CHECK(state_write(fd, &w, &e) == 0, "write: %s", e.msg);
        _cleanup_free_ char *raw = NULL;
        CHECK(read_file_at(fd, STATE_FILE, &raw, NULL, &e) == 0 && !strstr(raw, "_hooks"),
              "not known: not written: %s", raw ? raw : e.msg);
        CHECK(state_remove(root, "h1", fd, &e) == 0, "remove: %s", e.msg);
        close(fd);
        rmdir(root);
}

/* state_remove: the usual state.json and config.json, and whatever else a
 * state dir holds (found by listing it when the rmdir says it isn't empty) */
static void test_state_remove(void)
{
        struct husk_error e = { 0 };
        char tmpl[] = "/tmp/husk-test-state.XXXXXX";
        char *root = mkdtemp(tmpl);
        CHECK(root != NULL, "mkdtemp");
        const char *extra[] = { NULL, "exec.sock", "netdevices" };
        for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
                int fd = state_reserve(root, "r", &e);
                CHECK(fd >= 0, "reserve: %s", e.msg);
                CHECK(write_file_atomic_at(fd, STATE_FILE, "{}", 2, &e) == 0 &&
                      write_file_atomic_at(fd, STATE_CONFIG, "{}", 2, &e) == 0, "files: %s", e.msg);
                if (extra[i]) {
                        CHECK(write_file_atomic_at(fd, extra[i], "x", 1, &e) == 0, "%s: %s", extra[i], e.msg);
                        CHECK(mkdirat(fd, "notify", 0700) == 0, "notify/");
                        int nd = openat(fd, "notify", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        CHECK(nd >= 0 && write_file_atomic_at(nd, "notify.sock", "", 0, &e) == 0, "notify/notify.sock");
                        close(nd);
                }
                CHECK(state_remove(root, "r", fd, &e) == 0, "remove (%s): %s", extra[i] ? extra[i] : "usual", e.msg);
                close(fd);
                _cleanup_free_ char *dir = xasprintf("%s/r", root);
                CHECK(access(dir, F_OK) < 0 && errno == ENOENT, "%s gone", dir);
        }
        rmdir(root);
}

int main(void)
{
        test_ids();
        test_signals();
        test_errors();
        test_start_time();
        test_state_roundtrip();
        test_state_parse();
        test_state_hooks();
        test_state_remove();
        test_sync();
        test_sync_serve();
        return tap_done();
}
