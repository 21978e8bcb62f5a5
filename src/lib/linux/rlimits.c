/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.rlimits → setrlimit(2), with errors that say why one can't be set. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/rlimits.h"
#include "util/util.h"
#include "util/procfs.h"

static void limit_text(uint64_t v, char *buf, size_t size)
{
        if (v == (uint64_t)RLIM_INFINITY)
                snprintf(buf, size, "unlimited");
        else
                snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* Is CAP_SYS_RESOURCE in our effective set? */
static bool has_sys_resource(void)
{
        struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct data[2];

        if (syscall(SYS_capget, &hdr, data) < 0)
                return false;
        return data[CAP_SYS_RESOURCE / 32].effective & (1U << (CAP_SYS_RESOURCE % 32));
}

static uint64_t nr_open(void)
{
        _cleanup_free_ char *s = NULL;
        struct husk_error e;
        uint64_t v = 0;

        if (procfs_read("/proc/sys/fs/nr_open", &s, &e) < 0)
                return 0;
        s[strcspn(s, "\n")] = '\0';
        if (parse_uint64(s, &v) < 0)
                return 0;
        return v;
}

/* Explain an EPERM from setrlimit. */
static int explain_eperm(const struct husk_rlimit *r, struct husk_error *err)
{
        struct rlimit cur;
        char want[32], have[32];

        limit_text(r->hard, want, sizeof(want));
        if (getrlimit(r->resource, &cur) == 0 && r->hard > (uint64_t)cur.rlim_max && !has_sys_resource()) {
                limit_text((uint64_t)cur.rlim_max, have, sizeof(have));
                return husk_error_explained(
                        err, EPERM,
                        "rlimit %s: hard limit %s exceeds the caller's hard limit %s (husk lacks CAP_SYS_RESOURCE)",
                        r->type, want, have);
        }
        if (r->resource == RLIMIT_NOFILE) {
                uint64_t max = nr_open();
                if (max && r->hard > max)
                        return husk_error_explained(err, EPERM, "rlimit %s: hard limit %s exceeds fs.nr_open %llu",
                                                    r->type, want, (unsigned long long)max);
        }
        limit_text(r->soft, have, sizeof(have));
        return husk_error_set(err, EPERM, "rlimit %s: set soft %s, hard %s", r->type, have, want);
}

int rlimits_apply(const struct husk_rlimit *rl, size_t n, struct husk_error *err)
{
        for (size_t i = 0; i < n; i++) {
                const struct husk_rlimit *r = &rl[i];
                char soft[32], hard[32];

                struct rlimit lim = { .rlim_cur = (rlim_t)r->soft, .rlim_max = (rlim_t)r->hard };
                if (setrlimit(r->resource, &lim) == 0)
                        continue;
                if (errno == EPERM)
                        return explain_eperm(r, err);
                limit_text(r->soft, soft, sizeof(soft));
                limit_text(r->hard, hard, sizeof(hard));
                return husk_error_sys(err, "rlimit %s: set soft %s, hard %s", r->type, soft, hard);
        }
        return 0;
}
