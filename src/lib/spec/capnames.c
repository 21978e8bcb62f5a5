/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capability names, husk's own table: whether a name is a capability must
 * not depend on how old the libcap husk was built against (libcap < 2.44
 * doesn't know CAP_BPF, CAP_PERFMON, CAP_CHECKPOINT_RESTORE, which new
 * engines send). A name newer than this table is still one if the libcap at
 * hand knows it. Whether the *running kernel* has it is another question,
 * answered when the sets are applied (linux/caps.c).
 */
#include <string.h>
#include <sys/capability.h>

#include "spec/spec-internal.h"
#include "util/util.h"

static const char *const cap_names[] = {
        "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
        "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
        "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};

int spec_cap_number(const char *name)
{
        if (!name || strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
                if (strcmp(name, cap_names[i]) == 0)
                        return (int)i;
        /* Newer than the table: libcap may know it. runc's spelling only
         * (upper case), though libcap would take any case. */
        for (const char *p = name; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return -1;
        cap_value_t v;
        if (cap_from_name(name, &v) < 0 || v < (cap_value_t)ARRAY_SIZE(cap_names) || v > 63)
                return -1;
        return (int)v;
}

char *spec_cap_name(int cap)
{
        if (cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names))
                return xstrdup(cap_names[cap]);
        char *lower = cap_to_name((cap_value_t)cap);
        if (!lower)
                return NULL;
        char *up = xstrdup(lower);
        cap_free(lower);
        for (char *p = up; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char)(*p - 'a' + 'A');
        return up;
}
