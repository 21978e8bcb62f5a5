/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* include/husk/container.h over container/: the same calls the husk
 * binary's commands make, with the binary's defaults. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "container/container.h"
#include "husk/container.h"
#include "linux/rootless.h"
#include "linux/selfexe.h"
#include "util/util.h"

extern char **environ;

_Static_assert((int)HUSK_CONTAINER_CREATING == (int)HUSK_STATUS_CREATING &&
                       (int)HUSK_CONTAINER_CREATED == (int)HUSK_STATUS_CREATED &&
                       (int)HUSK_CONTAINER_RUNNING == (int)HUSK_STATUS_RUNNING &&
                       (int)HUSK_CONTAINER_PAUSED == (int)HUSK_STATUS_PAUSED &&
                       (int)HUSK_CONTAINER_STOPPED == (int)HUSK_STATUS_STOPPED,
               "husk_container_status and husk_status differ");

/* What the binary does without --root and --rootless: rootless when not
 * root (or root of a user namespace), and then the caller's runtime dir. */
struct defaults {
        const char *root;
        bool rootless;
        char *owned_root;
};

static void defaults_init(struct defaults *d, const char *root)
{
        d->rootless = rootless_detect();
        d->owned_root = NULL;
        d->root = root;
        if (!d->root)
                d->root = d->rootless ? (d->owned_root = rootless_default_root()) : HUSK_DEFAULT_ROOT;
}

static void defaults_done(struct defaults *d)
{
        free(d->owned_root);
}

int husk_protect_binary(char *const argv[], struct husk_error *err)
{
        return selfexe_protect(argv, environ, err);
}

int husk_container_create(const char *root, const char *id, const struct husk_create_options *o,
                          struct husk_error *err)
{
        if (!o || !o->bundle)
                return husk_error_invalid(err, "create %s: no bundle given", id ? id : "(null)");
        struct defaults d;
        defaults_init(&d, root);
        struct husk_create_opts c = {
                .root = d.root,
                .id = id,
                .bundle = o->bundle,
                .pid_file = o->pid_file,
                .console_socket = o->console_socket,
                .preserve_fds = o->preserve_fds,
                .no_pivot = o->no_pivot,
                .no_new_keyring = o->no_new_keyring,
                .systemd_cgroup = o->systemd_cgroup,
                .rootless = d.rootless,
        };
        int r = container_create(&c, err);
        defaults_done(&d);
        return r;
}

int husk_container_start(const char *root, const char *id, struct husk_error *err)
{
        struct defaults d;
        defaults_init(&d, root);
        int r = container_start(d.root, id, NULL, err);
        defaults_done(&d);
        return r;
}

int husk_container_state(const char *root, const char *id, struct husk_container_state *st,
                         struct husk_error *err)
{
        struct defaults d;
        struct husk_container ct;
        memset(st, 0, sizeof(*st));
        defaults_init(&d, root);
        int r = container_load_status(d.root, id, false, &ct, err);
        defaults_done(&d);
        if (r < 0)
                return -1;
        /* the enums list the same states in the same order */
        st->status = (enum husk_container_status)ct.status;
        st->status_name = state_status_name(ct.status);
        st->id = xstrdup(ct.st.id);
        st->pid = ct.status == HUSK_STATUS_STOPPED ? 0 : ct.st.pid;
        st->bundle = xstrdup(ct.st.bundle);
        st->created = xstrdup(ct.st.created);
        /* "owner" empty, as `husk state` prints it */
        st->json = state_to_json_owned(&ct.st, ct.status, true, "");
        container_release(&ct);
        return 0;
}

void husk_container_state_free(struct husk_container_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->bundle);
        free(st->created);
        free(st->json);
        memset(st, 0, sizeof(*st));
}

int husk_container_kill(const char *root, const char *id, int sig, bool all, struct husk_error *err)
{
        struct defaults d;
        defaults_init(&d, root);
        int r = container_kill(d.root, id, sig, all, err);
        defaults_done(&d);
        return r;
}

int husk_container_delete(const char *root, const char *id, bool force, struct husk_error *err)
{
        struct defaults d;
        defaults_init(&d, root);
        int r = container_delete(d.root, id, force, err);
        defaults_done(&d);
        return r;
}

int husk_container_exec(const char *root, const char *id, const struct husk_exec_options *o, int *exit_code,
                        struct husk_error *err)
{
        static char *const no_args[] = { NULL };
        if (!o || (!o->process_file && (!o->args || !o->args[0])))
                return husk_error_invalid(err, "exec %s: a command to run is required (or a process file)",
                                          id ? id : "(null)");
        struct defaults d;
        defaults_init(&d, root);
        struct husk_exec_opts x = {
                .root = d.root,
                .id = id,
                .process_file = o->process_file,
                .args = o->args ? o->args : no_args,
                .cwd = o->cwd,
                .env = o->env,
                .tty = o->tty,
                .user = o->user,
                .detach = o->detach,
                .pid_file = o->pid_file,
                .console_socket = o->console_socket,
                .preserve_fds = o->preserve_fds,
        };
        int code = 0;
        int r = container_exec(&x, &code, err);
        defaults_done(&d);
        if (r == 0 && exit_code)
                *exit_code = code;
        return r;
}
