/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SELinux and AppArmor labels of the process (lsm.c). */
#ifndef HUSK_LINUX_LSM_LABELS_H
#define HUSK_LINUX_LSM_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* LSM labels, effective at execve. SELinux: selinuxLabel to
 * /proc/thread-self/attr/exec (as setexeccon, but through a verified procfs fd).
 * AppArmor: "exec <profile>" to /proc/thread-self/attr/apparmor/exec (or
 * attr/exec). A label set while its LSM is not enabled is an error
 * (lsm_check_host catches it early). The mount label is the rootfs code's. */
int lsm_check_host(const struct husk_process *p, struct husk_error *err);
int lsm_set_exec_labels(const struct husk_process *p, struct husk_error *err);
/* SELinux label of keyrings this process creates (runc sets the process
 * label): call before joining a new session keyring. No-op without SELinux. */
int lsm_set_keycreate_label(const char *label, struct husk_error *err);
bool selinux_enabled_host(void);
bool apparmor_enabled_host(void);

/* The LSM decision without the host probe or the writes, for tests: which
 * LSMs the host has, and what goes to which /proc/thread-self/attr file. */
struct lsm_host {
        bool selinux_built;     /* husk built with libselinux */
        bool selinux;           /* SELinux enabled on the host */
        bool apparmor;          /* AppArmor enabled on the host */
};
struct lsm_write {
        const char *path;       /* under /proc, written via util/procfs.h */
        const char *alt_path;   /* used when path does not exist (old kernel) */
        char *data;
        size_t len;
        const char *what;       /* "AppArmor profile", ... for errors */
};
struct lsm_plan {
        struct lsm_write w[2];
        size_t n;
};
/* Error (naming the field) when a label is set for an LSM the host lacks. */
int lsm_plan_exec(const struct husk_process *p, const struct lsm_host *h, struct lsm_plan *out, struct husk_error *err);
int lsm_plan_keycreate(const char *label, const struct lsm_host *h, struct lsm_plan *out);
void lsm_plan_free(struct lsm_plan *plan);

#endif
