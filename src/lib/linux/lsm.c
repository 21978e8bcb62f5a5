/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LSM labels for the container process, taking effect at execve: the
 * SELinux exec context (libselinux) and the AppArmor profile.
 *
 * As runc: a label or profile that is set while its LSM is not enabled is
 * an error (runc refuses an SELinux label in validation, and fails to write
 * the AppArmor attr); an unset one is ignored.
 *
 * libselinux is loaded on first use (linux/selinux-dl.h): lsm_check_host()
 * loads it in the parent when a label is set, before any namespace is
 * entered, so the setexeccon() below calls an already loaded library.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "linux/lsm_labels.h"
#include "util/procfs.h"
#include "util/util.h"

#include "linux/selinux-dl.h"

/* "No" too when husk was built with SELinux support but libselinux.so.1
 * can not be loaded: a label then fails in lsm_check_host. */
bool selinux_enabled_host(void)
{
#if HAVE_SELINUX
        if (selinux_load(NULL) < 0)
                return false;
        return selinux_dl()->is_selinux_enabled() > 0;
#else
        return false;
#endif
}

bool apparmor_enabled_host(void)
{
        struct stat st;
        char c = 0;

        if (stat("/sys/kernel/security/apparmor", &st) < 0)
                return false;
        _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, &c, 1) != 1)
                return false;
        return c == 'Y';
}

/* The decision, apart from the host probe and the writes (unit-tested). */
int lsm_plan_exec(const struct husk_process *p, const struct lsm_host *h, struct lsm_plan *out, struct husk_error *err)
{
        *out = (struct lsm_plan){ 0 };
        if (!p)
                return 0;
        bool aa = p->apparmor_profile && *p->apparmor_profile;
        bool se = p->selinux_label && *p->selinux_label;
        if (se && !h->selinux_built)
                return husk_error_unsupported(err, "process.selinuxLabel: a label is set, but husk was built without SELinux support");
        if (se && !h->selinux)
                return husk_error_unsupported(err, "process.selinuxLabel: a label is set, but SELinux is disabled or not supported on this host");
        if (aa && !h->apparmor)
                return husk_error_unsupported(err, "process.apparmorProfile: profile \"%s\" is set, but AppArmor is not enabled on this host",
                                              p->apparmor_profile);
        if (aa) {
                /* Since Linux 5.1 (LSM stacking) AppArmor has its own attr
                 * dir; older kernels only have the shared one. */
                struct lsm_write *w = &out->w[out->n++];
                w->path = "/proc/thread-self/attr/apparmor/exec";
                w->alt_path = "/proc/thread-self/attr/exec";
                w->data = xasprintf("exec %s", p->apparmor_profile);
                w->len = strlen(w->data);
                w->what = "AppArmor profile";
        }
        if (se) {
                /* As libselinux's setexeccon: the label and its NUL. */
                struct lsm_write *w = &out->w[out->n++];
                w->path = "/proc/thread-self/attr/exec";
                w->data = xstrdup(p->selinux_label);
                w->len = strlen(w->data) + 1;
                w->what = "SELinux exec label";
        }
        return 0;
}

int lsm_plan_keycreate(const char *label, const struct lsm_host *h, struct lsm_plan *out)
{
        *out = (struct lsm_plan){ 0 };
        /* Without SELinux lsm_check_host already refused a process label. */
        if (!label || !*label || !h->selinux)
                return 0;
        struct lsm_write *w = &out->w[out->n++];
        w->path = "/proc/thread-self/attr/keycreate";
        w->data = xstrdup(label);
        w->len = strlen(label) + 1;
        w->what = "SELinux keyring label";
        return 0;
}

void lsm_plan_free(struct lsm_plan *plan)
{
        for (size_t i = 0; i < plan->n; i++)
                free(plan->w[i].data);
        plan->n = 0;
}

/* Probe only what a set label needs: is_selinux_enabled loads libselinux. */
static void lsm_host_probe(const struct husk_process *p, struct lsm_host *h)
{
        *h = (struct lsm_host){ .selinux_built = HAVE_SELINUX };
        if (p && p->selinux_label && *p->selinux_label)
                h->selinux = selinux_enabled_host();
        if (p && p->apparmor_profile && *p->apparmor_profile)
                h->apparmor = apparmor_enabled_host();
}

int lsm_check_host(const struct husk_process *p, struct husk_error *err)
{
        struct lsm_host h;
        struct lsm_plan plan;
        lsm_host_probe(p, &h);
        int r = lsm_plan_exec(p, &h, &plan, err);
        lsm_plan_free(&plan);
        return r;
}

/* Each attr write through a procfs fd proven to be one (util/procfs.h):
 * never through a /proc the container may have replaced. */
static int lsm_run(struct lsm_plan *plan, const char *value, struct husk_error *err)
{
        for (size_t i = 0; i < plan->n; i++) {
                const struct lsm_write *w = &plan->w[i];
                _cleanup_close_ int fd = procfs_open(w->path, O_WRONLY, err);
                if (fd < 0 && w->alt_path && err->errnum == ENOENT)
                        fd = procfs_open(w->alt_path, O_WRONLY, err);
                if (fd < 0)
                        return husk_error_wrap(err, "set %s \"%s\"", w->what, value);
                if (write(fd, w->data, w->len) != (ssize_t)w->len)
                        return husk_error_sys(err, "set %s \"%s\": write %s", w->what, value,
                                              w->alt_path && err->errnum == ENOENT ? w->alt_path : w->path);
        }
        return 0;
}

int lsm_set_exec_labels(const struct husk_process *p, struct husk_error *err)
{
        if (!p || ((!p->selinux_label || !*p->selinux_label) && (!p->apparmor_profile || !*p->apparmor_profile)))
                return 0;
#if HAVE_SELINUX
        /* We are in the container by now: never the first dlopen of
         * libselinux here, it would find the container's copy. */
        if (p->selinux_label && *p->selinux_label && !selinux_dl())
                return husk_error_set(err, 0, "process.selinuxLabel: libselinux was not loaded before entering the "
                                      "container (lsm_check_host must run first, in the parent)");
#endif
        struct lsm_host h;
        struct lsm_plan plan;
        lsm_host_probe(p, &h);
        if (lsm_plan_exec(p, &h, &plan, err) < 0)
                return -1;
        int r = 0;
        /* AppArmor first, then SELinux, as before: each names its value. */
        for (size_t i = 0; i < plan.n && r == 0; i++) {
                struct lsm_plan one = { .n = 1, .w = { plan.w[i] } };
                const char *value = strcmp(plan.w[i].what, "AppArmor profile") == 0 ? p->apparmor_profile : p->selinux_label;
                r = lsm_run(&one, value, err);
        }
        lsm_plan_free(&plan);
        return r;
}

int lsm_set_keycreate_label(const char *label, struct husk_error *err)
{
        if (!label || !*label)
                return 0;
        struct lsm_host h = { .selinux_built = HAVE_SELINUX };
#if HAVE_SELINUX
        h.selinux = selinux_dl() && selinux_enabled_host();
#endif
        struct lsm_plan plan;
        lsm_plan_keycreate(label, &h, &plan);
        int r = lsm_run(&plan, label, err);
        lsm_plan_free(&plan);
        return r;
}
