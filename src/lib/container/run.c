/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `husk run`: create + start, then, in the foreground, wait for the container
 * as its subreaper, forward signals, proxy the pty, and delete it. */
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/notify.h"
#include "util/log.h"
#include "util/util.h"

int container_run(const struct husk_create_opts *o, int *exit_code, struct husk_error *err)
{
        struct husk_create_opts ro = *o;
        ro.run_foreground = !o->detach;
        *exit_code = 0;

        int sfd = -1;
        if (!o->detach && (sfd = supervisor_begin(!o->no_subreaper, err)) < 0)
                return -1;

        struct created cr;
        if (container_do_create(&ro, &cr, err) < 0) {
                if (sfd >= 0)
                        close(sfd);
                return -1;
        }
        /* The pty gets our terminal's size before the process starts. */
        struct raw_tty tty;
        tty_raw_begin(&tty, cr.console);
        struct husk_state st;
        struct notify_relay nr = { .sock = -1, .host = -1 };
        int r = state_read(cr.dirfd, o->id, &st, err);
        /* NOTIFY_SOCKET: listen before the process can send */
        if (r == 0 && o->notify_socket && (r = notify_relay_open(&nr, cr.dirfd, o->notify_socket, err)) < 0)
                state_free(&st);
        if (r == 0) {
                bool destroy;   /* any start failure destroys a container of run */
                r = container_do_start(cr.dirfd, &st, cr.spec, &destroy, err);
                state_free(&st);
        }
        if (r < 0) {
                struct husk_error e = { 0 };
                tty_raw_end(&tty);
                close(cr.dirfd);
                cr.dirfd = -1;
                if (container_delete(o->root, o->id, true, &e) < 0)
                        log_warn("cleanup: %s", e.msg);
                notify_relay_close(&nr);
                created_free(&cr);
                if (sfd >= 0)
                        close(sfd);
                return -1;
        }
        /* Unlock: `husk kill`/`state` must work while we wait. */
        close(cr.dirfd);
        cr.dirfd = -1;
        if (o->detach) {
                /* as runc: return once the container is ready (or gone) */
                nr.mainpid = cr.pid;
                notify_relay_until_ready(&nr, cr.pidfd);
                notify_relay_close(&nr);
                created_free(&cr);
                return 0;
        }
        /* in the foreground we are the service's main process (as runc) */
        nr.mainpid = getpid();
        *exit_code = supervise(cr.pid, cr.pidfd, sfd, cr.console, nr.sock >= 0 ? &nr : NULL);
        notify_relay_close(&nr);
        tty_raw_end(&tty);
        close(sfd);
        created_free(&cr);
        if (!o->keep) {
                struct husk_error e = { 0 };
                if (container_delete(o->root, o->id, true, &e) < 0)
                        log_warn("delete %s: %s", o->id, e.msg);
        }
        return 0;
}
