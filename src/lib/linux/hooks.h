/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI hooks: each gets the state JSON on stdin, runs with its own args/env,
 * and is killed when its timeout passes. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

const char *hook_kind_name(enum husk_hook_kind kind);   /* "prestart", ... */
/* Run the hooks of one kind in order. With stop_on_error, the first failure
 * returns -1 (err names the hook); otherwise failures are logged as warnings
 * and the rest still run (poststart, poststop). */
int hooks_run(const struct husk_spec *spec, enum husk_hook_kind kind, const char *state_json, bool stop_on_error,
              struct husk_error *err);

#endif
