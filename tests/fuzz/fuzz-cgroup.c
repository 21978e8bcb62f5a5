/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the cgroup manager as state.json keeps it
 * (cgroup/save.c): the JSON object, and the string older husk wrote, that
 * delete, kill, update and pause read back to find a container's cgroups.
 * The mounts are fixed (a cgroup v1 hybrid host's mountinfo, below), so a
 * run does not depend on the machine. Checked for any input: no crash or
 * leak; no restored hierarchy is a root cgroup (delete would kill and
 * remove from it); a restored manager saved and read back saves the same;
 * `husk list`'s cgroup_saved_frozen says what restore + cgroup_is_frozen
 * say, also when it got the object while a state.json around it was parsed.
 *
 *   build-fuzz/tests/fuzz/fuzz-cgroup tests/fuzz/corpus-cgroup
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/cgroup_internal.h"
#include "state/state.h"
#include "util/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hybrid[] =
        "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static struct cgroup_mounts *mounts;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc;
        (void)argv;
        struct husk_error err = { 0 };
        int fd = memfd_create("mountinfo", MFD_CLOEXEC);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (fd < 0 || write_all(fd, hybrid, sizeof(hybrid) - 1) < 0 || !(mounts = cgroup_mounts_read_file(path, &err)))
                __builtin_trap();
        close(fd);
        return 0;
}

static void check(const struct cgroup_manager *m)
{
        for (size_t i = 0; i < m->n_h; i++)
                if (strcmp(m->h[i].rel, "/") == 0 || strcmp(m->h[i].dir, m->h[i].mount) == 0)
                        __builtin_trap();
}

static int frozen_by_restore(const char *saved)
{
        struct cgroup_manager *m = NULL;
        if (cgroup_manager_restore_in(saved, mounts, &m, NULL) < 0)
                return -1;
        int r = cgroup_is_frozen(m);
        cgroup_manager_free(m);
        return r;
}

static void check_saved_frozen(const char *s)
{
        int ref = frozen_by_restore(s);
        if (cgroup_saved_frozen(s, NULL, mounts) != ref)
                __builtin_trap();
        _cleanup_free_ char *doc = xasprintf("{\"cgroup\":%s}", s);
        _cleanup_(cgroup_saved_reader_freep) struct cgroup_saved_reader *rd = cgroup_saved_reader_new();
        struct state_sub sub = { cgroup_saved_reader_callbacks(), cgroup_saved_reader_ctx(rd) };
        struct husk_state st;
        if (state_parse_with(doc, "fuzz", &sub, &st, NULL) < 0)
                return;
        if (st.cgroup && cgroup_saved_frozen(st.cgroup, rd, mounts) != frozen_by_restore(st.cgroup))
                __builtin_trap();
        state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        struct cgroup_manager *m = NULL;
        struct husk_error err = { 0 };
        check_saved_frozen(s);
        if (cgroup_manager_restore_in(s, mounts, &m, &err) < 0) {
                if (!err.msg[0])
                        __builtin_trap();
                return 0;
        }
        check(m);
        _cleanup_free_ char *saved = cgroup_manager_save(m);
        cgroup_manager_free(m);
        m = NULL;
        if (cgroup_manager_restore_in(saved, mounts, &m, &err) < 0) {
                fprintf(stderr, "DBG saved=%s err=%s\n", saved, err.msg);
                __builtin_trap();
        }
        check(m);
        _cleanup_free_ char *again = cgroup_manager_save(m);
        cgroup_manager_free(m);
        if (strcmp(saved, again) != 0) {
                fprintf(stderr, "DBG saved=%s\nDBG again=%s\n", saved, again);
                __builtin_trap();
        }
        return 0;
}
