/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the config.json parser: any input must either parse
 * (and then free cleanly) or fail with a message; never crash, hang or
 * leak. The same bytes are also fed to the standalone process and
 * resources parsers.
 *
 *   meson setup build-fuzz -Dfuzz=true   (CC=clang)
 *   ninja -C build-fuzz tests/fuzz/fuzz-spec
 *   build-fuzz/tests/fuzz/fuzz-spec spec-fixtures/valid spec-fixtures/invalid
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "husk/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct husk_error err;
        struct husk_spec *spec = NULL;
        struct husk_process *process = NULL;
        struct husk_resources *resources = NULL;

        if (spec_parse((const char *)data, size, "fuzz", &spec, &err) == 0) {
                /* Exercise the lookups on whatever parsed. */
                (void)spec_has_namespace(spec, 0);
                (void)spec_annotation(spec, "a");
                spec_free(spec);
        } else if (strlen(err.msg) == 0) {
                __builtin_trap();       /* every failure must say why */
        }
        if (spec_parse_process((const char *)data, size, "fuzz", &process, &err) == 0)
                spec_process_free(process);
        if (spec_parse_resources((const char *)data, size, "fuzz", &resources, &err) == 0)
                spec_resources_free(resources);
        return 0;
}
