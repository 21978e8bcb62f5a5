/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libselinux loaded on first use; see selinux-dl.h. The loading and
 * its global table (the documented exception to "no global mutable state")
 * are util/dl.h's.
 */
#include <stddef.h>

#include "linux/selinux-dl.h"
#include "util/dl.h"
#include "util/util.h"

#if HAVE_SELINUX
#define SELINUX_SYM(f) DL_SYM(struct selinux_fns, f)
static const struct dl_sym selinux_syms[] = { SELINUX_FUNCS(SELINUX_SYM) };
#undef SELINUX_SYM

static struct selinux_fns selinux_table;
static struct dl_lib selinux_lib = {
        .soname = "libselinux.so.1",
        .syms = selinux_syms,
        .n_syms = ARRAY_SIZE(selinux_syms),
        .table = &selinux_table,
};

int selinux_load(struct husk_error *err)
{
        return dl_load(&selinux_lib, "SELinux", NULL, err);
}

const struct selinux_fns *selinux_dl(void)
{
        return dl_table(&selinux_lib);
}

#endif
