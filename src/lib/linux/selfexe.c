/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Re-execute from a copy of the binary the container can't write
 * (CVE-2019-5736 class); see selfexe.h. */
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/selfexe.h"
#include "util/compat.h"
#include "util/util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool selfexe_fd_is_protected(int fd)
{
        int seals = fcntl(fd, F_GET_SEALS);
        if (seals >= 0)
                return (seals & (F_SEAL_WRITE | F_SEAL_SEAL)) == (F_SEAL_WRITE | F_SEAL_SEAL);
        /* A read-only file system alone is not enough: the host may remount
         * it read-write while the container keeps an fd. A read-only mount
         * whose root is the file itself was made for it (our detached
         * clone, which nobody else can reach to remount). */
        struct statvfs vfs;
        if (fstatvfs(fd, &vfs) < 0 || !(vfs.f_flag & ST_RDONLY))
                return false;
        struct statx sx;
        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &sx) < 0)
                return false;
        return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* A detached read-only bind mount of the binary: no copy, no change to
 * any mount namespace; it goes away with the last process running it. */
static int ro_clone(void)
{
        int fd = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -1;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* A sealed in-memory copy, for kernels without the new mount API (< 5.12)
 * and callers without CAP_SYS_ADMIN. */
static int memfd_copy(struct husk_error *err)
{
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return husk_error_sys(err, "open /proc/self/exe");
        struct stat st;
        if (fstat(src, &st) < 0)
                return husk_error_sys(err, "stat /proc/self/exe");
        /* MFD_EXEC: needed where vm.memfd_noexec = 1, unknown before 6.3 */
        _cleanup_close_ int fd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return husk_error_sys(err, "memfd_create");
        for (off_t done = 0; done < st.st_size;) {
                ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
                if (n <= 0)
                        return husk_error_set(err, n < 0 ? errno : EIO, "copy /proc/self/exe to a memfd");
                done += n;
        }
        if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
                return husk_error_sys(err, "seal the memfd copy of /proc/self/exe");
        return TAKE_FD(fd);
}

int selfexe_protect(char *const argv[], char *const envp[], struct husk_error *err)
{
        {
                /* readable for F_GET_SEALS; an execute-only binary can't be a memfd */
                _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
                if (self < 0 && errno == EACCES)
                        self = open("/proc/self/exe", O_PATH | O_CLOEXEC);
                if (self < 0)
                        return husk_error_sys(err, "open /proc/self/exe");
                if (selfexe_fd_is_protected(self))
                        return 0;
        }
        _cleanup_close_ int fd = ro_clone();
        /* Check the copy as the new process will check itself: never a loop. */
        if (fd >= 0 && !selfexe_fd_is_protected(fd)) {
                close(fd);
                fd = -1;
        }
        if (fd < 0) {
                fd = memfd_copy(err);
                if (fd < 0)
                        return husk_error_wrap(err, "protect the runtime binary from the container");
                if (!selfexe_fd_is_protected(fd))
                        return husk_error_set(err, 0,
                                              "protect the runtime binary from the container: the memfd copy "
                                              "is not sealed");
        }
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        return husk_error_sys(err, "protect the runtime binary from the container: execute the protected copy");
}
