/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "linux/namespaces.h"
#include "util/compat.h"
#include "util/util.h"
#include "util/procfs.h"

/* Join order: the user namespace first (it grants the rights for the rest),
 * the mount namespace last (it changes our view of every later path). */
static const int join_order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID,
                                  CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS };

const char *ns_name(int type)
{
        switch (type) {
        case CLONE_NEWUSER: return "user";
        case CLONE_NEWIPC: return "ipc";
        case CLONE_NEWUTS: return "uts";
        case CLONE_NEWNET: return "network";
        case CLONE_NEWPID: return "pid";
        case CLONE_NEWCGROUP: return "cgroup";
        case CLONE_NEWTIME: return "time";
        case CLONE_NEWNS: return "mount";
        default: return "unknown";
        }
}

int ns_new_flags(const struct husk_spec *spec)
{
        int flags = 0;
        if (!spec->linux)
                return 0;
        for (size_t i = 0; i < spec->linux->n_namespaces; i++)
                if (!spec->linux->namespaces[i].path || !*spec->linux->namespaces[i].path)
                        flags |= spec->linux->namespaces[i].type;
        return flags;
}

int ns_join_all(const struct husk_spec *spec, struct husk_error *err)
{
        if (!spec->linux)
                return 0;
        int fds[ARRAY_SIZE(join_order)];
        for (size_t k = 0; k < ARRAY_SIZE(join_order); k++)
                fds[k] = -1;
        int ret = 0;
        for (size_t k = 0; k < ARRAY_SIZE(join_order) && ret == 0; k++) {
                const struct husk_namespace *ns = spec_namespace(spec, join_order[k]);
                if (!ns || !ns->path || !*ns->path)
                        continue;
                fds[k] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fds[k] < 0)
                        ret = husk_error_sys(err, "open %s namespace %s", ns_name(ns->type), ns->path);
        }
        for (size_t k = 0; k < ARRAY_SIZE(join_order) && ret == 0; k++) {
                if (fds[k] < 0)
                        continue;
                const struct husk_namespace *ns = spec_namespace(spec, join_order[k]);
                if (setns(fds[k], join_order[k]) < 0)
                        ret = husk_error_sys(err, "join %s namespace %s", ns_name(join_order[k]), ns->path);
        }
        for (size_t k = 0; k < ARRAY_SIZE(join_order); k++)
                if (fds[k] >= 0)
                        close(fds[k]);
        return ret;
}

int ns_write_time_offsets(const struct husk_spec *spec, struct husk_error *err)
{
        const struct husk_linux *l = spec->linux;
        char buf[256];
        size_t len = 0;
        if (l->time_monotonic.set)
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %lld %u\n",
                                        (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
        if (l->time_boottime.set)
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %lld %u\n",
                                        (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
        if (len == 0)
                return 0;
        if (procfs_write("/proc/self/timens_offsets", buf, len, err) < 0)
                return husk_error_wrap(err, "linux.timeOffsets");
        return 0;
}

bool ns_in_initial_userns(void)
{
        struct stat st;
        return stat("/proc/self/ns/user", &st) == 0 && st.st_ino == NS_INITIAL_USER_INO;
}
