/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One pattern for the libraries husk loads on first use instead of linking
 * (libsystemd for --systemd-cgroup, libselinux for labels, libcriu's
 * protobuf code for checkpoint/restore): a table of symbol names and the
 * offsets of the matching members of a struct of typed function pointers,
 * filled by one dlopen() + dlsym() pass.
 *
 * Global mutable state, the accepted exception to DESIGN's "no global
 * mutable state outside cli/main.c" (with the log sink in util/log.c): each
 * user keeps one static struct dl_lib and one static table. dl_load() fills
 * them at most once and never frees them (the library stays loaded for the
 * life of the process); they only ever go from empty to complete, so a
 * child forked after a load inherits a usable table. No lock: husk loads
 * from one thread. tests/unit/test-architecture.py lists these tables among
 * the few writable globals libhusk may have (GLOBAL_STATE).
 *
 * The first load must happen while "/" is still the host's (in the parent,
 * or in the init before pivot_root/setns into the container's mount
 * namespace): the dynamic loader looks the library up in the current root.
 */
#ifndef HUSK_UTIL_DL_H
#define HUSK_UTIL_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"

struct dl_sym {
        const char *name;
        size_t offset;          /* of the member in the table struct */
};
#define DL_SYM(type, f) { #f, offsetof(type, f) },

struct dl_lib {
        const char *soname;
        const struct dl_sym *syms;
        size_t n_syms;
        void *table;            /* the struct the offsets point into */
        int state;              /* 0 not tried, 1 loaded, -1 failed */
        char *error;            /* why it failed, when it did */
};

/* A statically linked husk (-Dstatic_exe) must not dlopen(): glibc would
 * load a second, shared libc into the process. It links the libraries in
 * and src/cli/static_libs.c defines this function, which lists them by
 * soname with their symbols; dl_load() then takes the symbols from there,
 * and a library that is not listed (libsystemd: Debian ships no
 * libsystemd.a) fails to load. In every other program it is undefined (weak:
 * NULL) and dl_load() dlopen()s. */
struct dl_static_sym {
        const char *name;
        void *addr;
};
struct dl_static_lib {
        const char *soname;
        const struct dl_static_sym *syms;
        size_t n_syms;
};
const struct dl_static_lib *dl_static_libs(size_t *n) __attribute__((weak));

/* Load lib once; later calls return the first outcome at once. On failure
 * err (may be NULL) gets an unsupported error "<what> needs <soname>[<hint>]:
 * <dlerror>": the library or one of its symbols is missing. */
int dl_load(struct dl_lib *lib, const char *what, const char *hint, struct husk_error *err);

/* lib's table once dl_load() succeeded, NULL before. */
static inline const void *dl_table(const struct dl_lib *lib)
{
        return lib->state > 0 ? lib->table : NULL;
}

#endif
