/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Libraries loaded on first use; see dl.h. */
#include "util/dl.h"

#include <dlfcn.h>
#include <string.h>

#include "util/util.h"

/* The symbols of a library linked into a static husk (dl.h). */
static int dl_static_load(struct dl_lib *lib)
{
        size_t n = 0;
        const struct dl_static_lib *libs = dl_static_libs(&n);
        for (size_t i = 0; i < n; i++) {
                if (strcmp(libs[i].soname, lib->soname) != 0)
                        continue;
                for (size_t k = 0; k < lib->n_syms; k++) {
                        void *sym = NULL;
                        for (size_t j = 0; j < libs[i].n_syms && !sym; j++)
                                if (strcmp(libs[i].syms[j].name, lib->syms[k].name) == 0)
                                        sym = libs[i].syms[j].addr;
                        if (!sym) {
                                lib->error = xasprintf("%s: symbol %s not linked into this statically linked husk",
                                                       lib->soname, lib->syms[k].name);
                                return -1;
                        }
                        memcpy((char *)lib->table + lib->syms[k].offset, &sym, sizeof(sym));
                }
                return 0;
        }
        lib->error = xasprintf("not linked into this statically linked husk (husk-dynamic loads it)");
        return -1;
}

static int dl_try_load(struct dl_lib *lib)
{
        if (dl_static_libs)
                return dl_static_load(lib);
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                lib->error = xstrdup(dlerror());
                return -1;
        }
        for (size_t i = 0; i < lib->n_syms; i++) {
                dlerror();
                void *sym = dlsym(h, lib->syms[i].name);
                if (!sym) {
                        const char *e = dlerror();
                        lib->error = e ? xstrdup(e)
                                       : xasprintf("%s: symbol %s not found", lib->soname, lib->syms[i].name);
                        dlclose(h);
                        return -1;
                }
                /* POSIX: a dlsym() result converts to the function's type */
                memcpy((char *)lib->table + lib->syms[i].offset, &sym, sizeof(sym));
        }
        return 0;
}

int dl_load(struct dl_lib *lib, const char *what, const char *hint, struct husk_error *err)
{
        if (lib->state == 0)
                lib->state = dl_try_load(lib) < 0 ? -1 : 1;
        if (lib->state < 0)
                return husk_error_unsupported(err, "%s needs %s%s: %s", what, lib->soname, hint ? hint : "",
                                              lib->error);
        return 0;
}
