/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsystemd loaded on first use; see sdbus-dl.h.
 *
 * The table below is global mutable state, the accepted exception to the
 * rule (like the log sink in util/log.c): it is filled at most once, by the
 * first sdbus_load(), is never freed (the library stays loaded for the life
 * of the process) and only ever goes from empty to complete. husk is single
 * threaded when it talks to systemd, so there is no lock.
 */
#include <dlfcn.h>
#include <errno.h>

#include "cgroup/sdbus-dl.h"
#include "util/util.h"

#if HAVE_SYSTEMD

#define SDBUS_SONAME "libsystemd.so.0"

static struct sdbus_fns sdbus_table;
static int sdbus_state;                 /* 0 not tried, 1 loaded, -1 failed */
static char *sdbus_error;               /* why it failed, when it did */

static int sdbus_try_load(void)
{
        void *h = dlopen(SDBUS_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                sdbus_error = xstrdup(dlerror());
                return -1;
        }
        struct sdbus_fns t;
        void *sym;
#define SDBUS_RESOLVE(f)                                                                \
        if (!(sym = dlsym(h, #f))) {                                                    \
                const char *e = dlerror();                                              \
                sdbus_error = e ? xstrdup(e) : xasprintf("%s: symbol %s not found",     \
                                                         SDBUS_SONAME, #f);             \
                dlclose(h);                                                             \
                return -1;                                                              \
        }                                                                               \
        t.f = (typeof(t.f))sym;
        SDBUS_FUNCS(SDBUS_RESOLVE)
#undef SDBUS_RESOLVE
        sdbus_table = t;
        return 0;
}

int sdbus_load(struct husk_error *err)
{
        if (sdbus_state == 0)
                sdbus_state = sdbus_try_load() < 0 ? -1 : 1;
        if (sdbus_state < 0)
                return husk_error_set(err, ENOTSUP, "--systemd-cgroup needs " SDBUS_SONAME ": %s", sdbus_error);
        return 0;
}

const struct sdbus_fns *sdbus(void)
{
        return sdbus_state > 0 ? &sdbus_table : NULL;
}

#endif
