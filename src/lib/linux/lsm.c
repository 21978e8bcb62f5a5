/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LSM labels for the container process, taking effect at execve: the
 * SELinux exec context (libselinux) and the AppArmor profile.
 *
 * As runc: a label or profile that is set while its LSM is not enabled is
 * an error (runc refuses an SELinux label in validation, and fails to write
 * the AppArmor attr); an unset one is ignored.
 *
 * libselinux is loaded on first use (linux/selinux-dl.h): lsm_validate()
 * loads it in the parent when a label is set, before any namespace is
 * entered, so the setexeccon() below calls an already loaded library.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "linux/process.h"
#include "util/util.h"

#include "linux/selinux-dl.h"

/* "No" too when husk was built with SELinux support but libselinux.so.1
 * can not be loaded: a label then fails in lsm_validate. */
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

int lsm_validate(const struct husk_process *p, struct husk_error *err)
{
        if (!p)
                return 0;
        if (p->selinux_label && *p->selinux_label) {
#if HAVE_SELINUX
                if (!selinux_enabled_host())
                        return husk_error_set(err, 0, "process.selinuxLabel: a label is set, but SELinux is disabled or not supported on this host");
#else
                return husk_error_set(err, 0, "process.selinuxLabel: a label is set, but husk was built without SELinux support");
#endif
        }
        if (p->apparmor_profile && *p->apparmor_profile && !apparmor_enabled_host())
                return husk_error_set(err, 0, "process.apparmorProfile: profile \"%s\" is set, but AppArmor is not enabled on this host",
                                      p->apparmor_profile);
        return 0;
}

static int apparmor_change_onexec(const char *profile, struct husk_error *err)
{
        _cleanup_free_ char *data = xasprintf("exec %s", profile);
        /* Since Linux 5.1 (LSM stacking) AppArmor has its own attr dir. */
        const char *path = "/proc/thread-self/attr/apparmor/exec";

        if (access(path, F_OK) < 0)
                path = "/proc/thread-self/attr/exec";
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return husk_error_sys(err, "apply AppArmor profile \"%s\": open %s", profile, path);
        if (write(fd, data, strlen(data)) != (ssize_t)strlen(data))
                return husk_error_sys(err, "apply AppArmor profile \"%s\": write %s", profile, path);
        return 0;
}

int lsm_set_exec_labels(const struct husk_process *p, struct husk_error *err)
{
        if (!p)
                return 0;
#if HAVE_SELINUX
        /* We are in the container by now: never the first dlopen of
         * libselinux here, it would find the container's copy. */
        if (p->selinux_label && *p->selinux_label && !selinux_dl())
                return husk_error_set(err, 0, "process.selinuxLabel: libselinux was not loaded before entering the "
                                      "container (lsm_validate must run first, in the parent)");
#endif
        if (lsm_validate(p, err) < 0)
                return -1;
        if (p->apparmor_profile && *p->apparmor_profile) {
                if (apparmor_change_onexec(p->apparmor_profile, err) < 0)
                        return -1;
        }
#if HAVE_SELINUX
        if (p->selinux_label && *p->selinux_label) {
                if (selinux_dl()->setexeccon(p->selinux_label) < 0)
                        return husk_error_sys(err, "set SELinux exec label \"%s\"", p->selinux_label);
        }
#endif
        return 0;
}

int lsm_set_keycreate_label(const char *label, struct husk_error *err)
{
        if (!label || !*label)
                return 0;
#if HAVE_SELINUX
        if (!selinux_enabled_host())
                return 0;   /* lsm_validate already refused the label */
        if (selinux_dl()->setkeycreatecon(label) < 0)
                return husk_error_sys(err, "set SELinux keyring label \"%s\"", label);
#endif
        return 0;
}
