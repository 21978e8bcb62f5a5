/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI hooks: each gets the state JSON on stdin, runs with its own args/env,
 * and is killed when its timeout passes. As runc: a hook without "env"
 * gets the runtime's environment (Go's exec with a nil Env), except the
 * hooks that run in the container (createContainer, startContainer), which
 * get process.env as runc's init does. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Run the hooks of one kind in order, each with `cwd` as its working
 * directory (NULL: ours). The first failure returns -1 (err names the
 * hook), except for poststop, whose failures are logged as warnings and the
 * rest still run (runtime-spec lifecycle step 13). */
int hooks_run(const struct husk_spec *spec, enum husk_hook_kind kind, const char *state_json, const char *cwd,
              struct husk_error *err);

#endif
