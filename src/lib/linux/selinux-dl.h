/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libselinux, loaded at run time: husk links it only for the headers, so
 * the invocations that never look at an SELinux label do not pay for
 * loading it (and pcre2).
 *
 * selinux_load() dlopen()s libselinux.so.1 on first use and resolves the
 * functions below; after it succeeded, selinux_dl() returns the table and
 * callers call through it: selinux_dl()->is_selinux_enabled(). Only for
 * HAVE_SELINUX.
 *
 * The first selinux_load() must happen while "/" is still the host's: in
 * the parent, or in the init before pivot_root, never after setns() into
 * the container's mount namespace (the dynamic loader would look for the
 * library in the container's rootfs). lsm_check_host(), reached from
 * container_preflight() in the parent, loads it whenever process.selinuxLabel
 * is set; the children inherit the loaded table.
 */
#pragma once

#include "config.h"
#include "husk/error.h"

#if HAVE_SELINUX
#include <selinux/selinux.h>

/* Every libselinux function husk calls. Add one here to use it. */
#define SELINUX_FUNCS(X)        \
        X(is_selinux_enabled)

/* Each member has the type of the function of the same name in selinux.h. */
struct selinux_fns {
#define SELINUX_MEMBER(f) typeof(&f) f;
        SELINUX_FUNCS(SELINUX_MEMBER)
#undef SELINUX_MEMBER
};

/* Load libselinux.so.1 once (later calls return the first outcome at
 * once). -1 with "SELinux needs libselinux.so.1: <dlerror>" in err when the
 * library or one of the functions is missing. */
int selinux_load(struct husk_error *err);

/* The table; only after selinux_load() returned 0 (NULL before). */
const struct selinux_fns *selinux_dl(void);
#endif
