/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.user → supplementary groups, gid, uid and umask of the process. */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process.h"
#include "util/util.h"

/* "[1 2 3]" for error messages, truncated if very long. */
static void gid_list_text(const uint32_t *gids, size_t n, char *buf, size_t size)
{
        size_t off = 0;

        off += (size_t)snprintf(buf, size, "[");
        for (size_t i = 0; i < n && off + 16 < size; i++)
                off += (size_t)snprintf(buf + off, size - off, i ? " %u" : "%u", gids[i]);
        if (off + 5 >= size)
                off = size - 5;
        snprintf(buf + off, size - off, "%s]", off + 16 >= size ? "..." : "");
}

int user_apply(const struct husk_user *u, bool setgroups_allowed, struct husk_error *err)
{
        /* setgroups is refused in a user namespace whose setgroups file says
         * "deny"; the caller knows, and then we leave the groups alone, as
         * runc does. Otherwise the list is set even when empty, so no host
         * group survives. */
        if (setgroups_allowed) {
                gid_t *gids = u->n_additional_gids ? xmalloc(u->n_additional_gids * sizeof(gid_t)) : NULL;
                for (size_t i = 0; i < u->n_additional_gids; i++)
                        gids[i] = u->additional_gids[i];
                int r = setgroups(u->n_additional_gids, gids);
                int e = errno;
                free(gids);
                if (r < 0) {
                        char list[256];
                        gid_list_text(u->additional_gids, u->n_additional_gids, list, sizeof(list));
                        return husk_error_set(err, e, "setgroups %s", list);
                }
        }
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return husk_error_sys(err, "setresgid to gid %u", u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return husk_error_sys(err, "setresuid to uid %u", u->uid);
        /* runc's default when process.user.umask is absent. */
        umask(u->umask.set ? (mode_t)(u->umask.v & 07777) : 0022);
        return 0;
}
