/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcriu (protobuf-c code) loaded on first use; see criu-dl.h. The loading and
 * its global table (the documented exception to "no global mutable state")
 * are util/dl.h's.
 */
#include <stddef.h>

#include "criu/criu-dl.h"
#include "util/dl.h"
#include "util/util.h"

#if HAVE_CRIU
#define CRIU_SYM(f) DL_SYM(struct criu_pb_fns, f)
static const struct dl_sym criu_syms[] = { CRIU_PB_FUNCS(CRIU_SYM) };
#undef CRIU_SYM

static struct criu_pb_fns criu_table;
static struct dl_lib criu_lib = {
        .soname = CRIU_LIB_SONAME,
        .syms = criu_syms,
        .n_syms = ARRAY_SIZE(criu_syms),
        .table = &criu_table,
};

int criu_pb_load(struct husk_error *err)
{
        return dl_load(&criu_lib, "checkpoint/restore", " (install the criu package)", err);
}

const struct criu_pb_fns *criu_pb(void)
{
        return dl_table(&criu_lib);
}

#endif
