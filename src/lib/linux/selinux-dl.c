/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libselinux loaded on first use; see selinux-dl.h.
 *
 * The table below is global mutable state, the accepted exception to the
 * rule (like the log sink in util/log.c): it is filled at most once, by the
 * first selinux_load(), is never freed (the library stays loaded for the
 * life of the process) and only ever goes from empty to complete. A child
 * forked after the load inherits it. No lock: husk loads it from one thread.
 */
#include <dlfcn.h>
#include <errno.h>

#include "linux/selinux-dl.h"
#include "util/util.h"

#if HAVE_SELINUX

#define SELINUX_SONAME "libselinux.so.1"

static struct selinux_fns selinux_table;
static int selinux_state;               /* 0 not tried, 1 loaded, -1 failed */
static char *selinux_error;             /* why it failed, when it did */

static int selinux_try_load(void)
{
        void *h = dlopen(SELINUX_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                selinux_error = xstrdup(dlerror());
                return -1;
        }
        struct selinux_fns t;
        void *sym;
#define SELINUX_RESOLVE(f)                                                              \
        if (!(sym = dlsym(h, #f))) {                                                    \
                const char *e = dlerror();                                              \
                selinux_error = e ? xstrdup(e) : xasprintf("%s: symbol %s not found",   \
                                                           SELINUX_SONAME, #f);         \
                dlclose(h);                                                             \
                return -1;                                                              \
        }                                                                               \
        t.f = (typeof(t.f))sym;
        SELINUX_FUNCS(SELINUX_RESOLVE)
#undef SELINUX_RESOLVE
        selinux_table = t;
        return 0;
}

int selinux_load(struct husk_error *err)
{
        if (selinux_state == 0)
                selinux_state = selinux_try_load() < 0 ? -1 : 1;
        if (selinux_state < 0)
                return husk_error_set(err, ENOTSUP, "SELinux needs " SELINUX_SONAME ": %s", selinux_error);
        return 0;
}

const struct selinux_fns *selinux_dl(void)
{
        return selinux_state > 0 ? &selinux_table : NULL;
}

#endif
