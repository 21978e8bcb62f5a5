/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.user → supplementary groups, gid, uid and umask of the process. */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/user.h"
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

/* As runc (fixStdioPermissions): stdio made outside the container (the pty
 * slave of -t, pipes) goes to the process's uid, keeping its gid and mode,
 * so that a non-root process can reopen /dev/stdout or use its terminal.
 * Skipped: /dev/null, what already has that uid, and (unlike runc, which
 * chowns them too) regular files and directories, which belong to the host
 * user who redirected into them. EINVAL/EPERM/EROFS (an owner not mapped
 * in our user namespace, a read-only /dev) leave it as it is, as runc. */
static int stdio_chown(uid_t uid, struct husk_error *err)
{
        for (int fd = 0; fd <= 2; fd++) {
                struct stat st;
                if (fstat(fd, &st) < 0) {
                        if (errno == EBADF)
                                continue;
                        return husk_error_sys(err, "fstat stdio fd %d", fd);
                }
                if (st.st_uid == uid || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
                    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
                        continue;
                if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
                        return husk_error_sys(err, "chown stdio fd %d to uid %u", fd, uid);
        }
        return 0;
}

int user_apply(const struct husk_user *u, bool setgroups_allowed, struct husk_error *err)
{
        if (stdio_chown(u->uid, err) < 0)
                return -1;
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
