/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Only in the statically linked husk (-Dstatic_exe, see meson.build): the
 * libraries util/dl.c would dlopen() are linked in, and this table gives
 * dl_load() their symbols (util/dl.h). Taking their addresses here is what
 * links them. libsystemd and libcriu are not among them: husk-dynamic runs
 * what needs them (twin.c).
 */
#include "config.h"
#include "util/dl.h"
#include "util/util.h"

#include "linux/selinux-dl.h"

#define STATIC_SYM(f) { #f, (void *)&f },

#if HAVE_SELINUX
static const struct dl_static_sym selinux_syms[] = { SELINUX_FUNCS(STATIC_SYM) };
#endif

static const struct dl_static_lib libs[] = {
#if HAVE_SELINUX
        { "libselinux.so.1", selinux_syms, ARRAY_SIZE(selinux_syms) },
#endif
        { "", NULL, 0 },
};

const struct dl_static_lib *dl_static_libs(size_t *n)
{
        *n = ARRAY_SIZE(libs) - 1;
        return libs;
}
