/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/hostns_mounts.h"
#include "util/compat.h"
#include "util/util.h"

/* The id of the topmost mount at `path` (which must not be a symlink). */
static int mount_id_at(const char *path, uint64_t *id, struct husk_error *err)
{
        struct statx stx;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
                return husk_error_sys(err, "statx %s", path);
        if (!(stx.stx_mask & STATX_MNT_ID))
                return husk_error_unsupported(err, "statx %s: no mount id (Linux 5.8 or newer is needed "
                                              "for a container without a mount namespace)", path);
        *id = stx.stx_mnt_id;
        return 0;
}

int hostns_mounts_record(int dirfd, const char *path, struct husk_error *err)
{
        uint64_t id;
        _cleanup_free_ char *rootfs = realpath(path, NULL);
        if (!rootfs)
                return husk_error_sys(err, "rootfs %s", path);
        if (mount_id_at(rootfs, &id, err) < 0)
                return husk_error_wrap(err, "record the mounts of rootfs");
        _cleanup_free_ char *rec = xasprintf("%" PRIu64 " %s\n", id, rootfs);
        return write_file_atomic_at(dirfd, STATE_HOST_MOUNTS, rec, strlen(rec), err);
}

int hostns_mounts_cleanup(int dirfd, struct husk_error *err)
{
        _cleanup_free_ char *rec = NULL;
        size_t len = 0;
        if (read_file_at(dirfd, STATE_HOST_MOUNTS, &rec, &len, err) < 0) {
                if (err->errnum == ENOENT) {
                        memset(err, 0, sizeof(*err));
                        return 0;
                }
                return -1;
        }
        char *sp = strchr(rec, ' ');
        char *nl = sp ? strchr(sp, '\n') : NULL;
        char *end;
        errno = 0;
        uint64_t base = strtoull(rec, &end, 10);
        if (!sp || !nl || end != sp || errno || sp[1] != '/')
                return husk_error_invalid(err, "%s: malformed record", STATE_HOST_MOUNTS);
        *nl = 0;
        const char *rootfs = sp + 1;
        /* Our bind and anything stacked on it; bounded, in case something
         * keeps coming back. */
        for (int i = 0; i < 64; i++) {
                uint64_t top;
                if (mount_id_at(rootfs, &top, err) < 0) {
                        if (err->errnum == ENOENT) {    /* the bundle is gone: so are the mounts */
                                memset(err, 0, sizeof(*err));
                                return 0;
                        }
                        return -1;
                }
                if (top == base)
                        return 0;
                if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return husk_error_sys(err, "unmount the container's mounts on %s", rootfs);
        }
        return husk_error_set(err, EBUSY, "unmount the container's mounts on %s: still mounted", rootfs);
}
