/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookups in a parsed spec, used by the runtime and by the validator. */
#include <string.h>

#include "husk/spec.h"

/* ------------------------------------------------------------------ */
/* Lookups.                                                            */

const struct husk_namespace *spec_namespace(const struct husk_spec *spec, int type)
{
        if (!spec || !spec->linux)
                return NULL;
        for (size_t i = 0; i < spec->linux->n_namespaces; i++)
                if (spec->linux->namespaces[i].type == type)
                        return &spec->linux->namespaces[i];
        return NULL;
}

bool spec_has_namespace(const struct husk_spec *spec, int type)
{
        return spec_namespace(spec, type) != NULL;
}

const char *spec_annotation(const struct husk_spec *spec, const char *key)
{
        if (!spec || !key)
                return NULL;
        for (size_t i = 0; i < spec->n_annotations; i++)
                if (strcmp(spec->annotations[i].key, key) == 0)
                        return spec->annotations[i].value;
        return NULL;
}

