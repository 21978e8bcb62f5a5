/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Libraries loaded on first use; see dl.h. */
#include "util/dl.h"

#include <dlfcn.h>
#include <string.h>

#include "util/util.h"

static int dl_try_load(struct dl_lib *lib)
{
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
