/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhusk-example: a container's whole life through libhusk's public API
 * (include/husk/container.h), as a shim would drive it:
 *
 *     libhusk-example ROOT ID BUNDLE
 *
 * creates the container from BUNDLE (state under ROOT), checks it is
 * "created", starts it, reaps its init (orphaned to this program, a
 * subreaper), checks it is "stopped", deletes it and checks it is gone. Prints what it sees
 * and exits with the container's exit code (0-255), or 100 + a step number
 * when a step fails.
 *
 *     cc libhusk-example.c $(pkg-config --cflags --libs husk)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <husk/container.h>

static int fail(int step, const char *what, const struct husk_error *err)
{
        fprintf(stderr, "libhusk-example: %s: %s\n", what, err ? err->msg : strerror(errno));
        return 100 + step;
}

static int expect_status(const char *root, const char *id, enum husk_container_status want, pid_t *pid)
{
        struct husk_error err = { 0 };
        struct husk_container_state st;
        if (husk_container_state(root, id, &st, &err) < 0) {
                fprintf(stderr, "libhusk-example: state: %s\n", err.msg);
                return -1;
        }
        printf("state: %s\n", st.json);
        int ok = st.status == want && strcmp(st.id, id) == 0;
        if (pid)
                *pid = st.pid;
        if (!ok)
                fprintf(stderr, "libhusk-example: status %s, wanted another\n", st.status_name);
        husk_container_state_free(&st);
        return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
        struct husk_error err = { 0 };
        if (argc != 4) {
                fprintf(stderr, "usage: %s ROOT ID BUNDLE\n", argv[0]);
                return 2;
        }
        const char *root = argv[1], *id = argv[2];
        setvbuf(stdout, NULL, _IOLBF, 0);       /* in order with the container's output */
        /* before any container exists: run from a copy it can't write */
        if (husk_protect_binary(argv, &err) < 0)
                return fail(1, "protect the binary", &err);

        /* the init is orphaned when create returns: to us, to reap it */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return fail(1, "become a subreaper", NULL);

        struct husk_create_options o = { .bundle = argv[3] };
        if (husk_container_create(root, id, &o, &err) < 0)
                return fail(2, "create", &err);
        pid_t pid = 0;
        if (expect_status(root, id, HUSK_CONTAINER_CREATED, &pid) < 0 || pid <= 0)
                return 103;
        if (husk_container_start(root, id, &err) < 0)
                return fail(4, "start", &err);

        int status = 0;
        if (waitpid(pid, &status, 0) != pid)
                return fail(5, "wait for the container's init", NULL);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        printf("exit: %d\n", code);
        if (expect_status(root, id, HUSK_CONTAINER_STOPPED, NULL) < 0)
                return 106;

        if (husk_container_delete(root, id, false, &err) < 0)
                return fail(7, "delete", &err);
        struct husk_container_state st;
        if (husk_container_state(root, id, &st, &err) == 0) {
                husk_container_state_free(&st);
                return fail(8, "the container is still there after delete", NULL);
        }
        /* decide by the kind, never by the message */
        if (!husk_error_is(&err, HUSK_ERR_NOT_FOUND))
                return fail(9, "state after delete: not a \"not found\" error", &err);
        printf("after delete: %s\n", err.msg);
        return code;
}
