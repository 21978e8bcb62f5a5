/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcriu loaded on first use; see criu-dl.h. Like selinux-dl.c, the table
 * is the accepted exception to "no global mutable state": filled at most
 * once, from one thread, never freed.
 */
#include <dlfcn.h>
#include <errno.h>

#include "criu/criu-dl.h"
#include "util/util.h"

#if HAVE_CRIU

static struct criu_pb_fns criu_table;
static int criu_state;                  /* 0 not tried, 1 loaded, -1 failed */
static char *criu_error;

static int criu_try_load(void)
{
        void *h = dlopen(CRIU_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                criu_error = xstrdup(dlerror());
                return -1;
        }
        struct criu_pb_fns t;
        void *sym;
#define CRIU_RESOLVE(f)                                                                 \
        if (!(sym = dlsym(h, #f))) {                                                    \
                const char *e = dlerror();                                              \
                criu_error = e ? xstrdup(e) : xasprintf("%s: symbol %s not found",      \
                                                        CRIU_LIB_SONAME, #f);           \
                dlclose(h);                                                             \
                return -1;                                                              \
        }                                                                               \
        t.f = (typeof(t.f))sym;
        CRIU_PB_FUNCS(CRIU_RESOLVE)
#undef CRIU_RESOLVE
        criu_table = t;
        return 0;
}

int criu_pb_load(struct husk_error *err)
{
        if (criu_state == 0)
                criu_state = criu_try_load() < 0 ? -1 : 1;
        if (criu_state < 0)
                return husk_error_set(err, 0,
                                      "checkpoint/restore needs CRIU's " CRIU_LIB_SONAME
                                      " (install the criu package): %s", criu_error);
        return 0;
}

const struct criu_pb_fns *criu_pb(void)
{
        return criu_state > 0 ? &criu_table : NULL;
}

#endif
