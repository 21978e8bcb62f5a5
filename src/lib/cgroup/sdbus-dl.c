/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsystemd loaded on first use; see sdbus-dl.h. The loading and
 * its global table (the documented exception to "no global mutable state")
 * are util/dl.h's.
 */
#include <stddef.h>

#include "cgroup/sdbus-dl.h"
#include "util/dl.h"
#include "util/util.h"

#if HAVE_SYSTEMD
#define SDBUS_SYM(f) DL_SYM(struct sdbus_fns, f)
static const struct dl_sym sdbus_syms[] = { SDBUS_FUNCS(SDBUS_SYM) };
#undef SDBUS_SYM

static struct sdbus_fns sdbus_table;
static struct dl_lib sdbus_lib = {
        .soname = "libsystemd.so.0",
        .syms = sdbus_syms,
        .n_syms = ARRAY_SIZE(sdbus_syms),
        .table = &sdbus_table,
};

int sdbus_load(struct husk_error *err)
{
        return dl_load(&sdbus_lib, "--systemd-cgroup", NULL, err);
}

const struct sdbus_fns *sdbus(void)
{
        return dl_table(&sdbus_lib);
}

#endif
