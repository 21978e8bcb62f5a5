/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The values of husk's options, read as runc 1.1.5 reads them. Pure
 * functions (no cli_ctx, no output): tests/unit/test-cli.c runs them. The
 * callers print the usage errors. */
#ifndef HUSK_CLI_VALUES_H
#define HUSK_CLI_VALUES_H

#include <stdbool.h>
#include <stdint.h>

/* Go's strconv.ParseUint(s, 10, 64): decimal digits only (update's
 * --cpu-period, --cpu-rt-period, --cpu-share). */
int cli_go_uint(const char *s, uint64_t *out);
/* Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits
 * (update's --cpu-quota, --cpu-rt-runtime). */
int cli_go_int(const char *s, int64_t *out);
/* A memory size of `husk update` (docker/go-units RAMInBytes): "100",
 * "64m", "1.5g", "10KiB", "100 MB"; units are powers of 1024. 0 or -1. */
int cli_ram_in_bytes(const char *s, int64_t *out);
/* `update --memory` and friends: "-1" (no limit) or a RAMInBytes size. */
int cli_memory_value(const char *s, int64_t *out);
/* A Go time.Duration ("5s", "100ms", "1m30s", "1.5h", "-1s", "0") in ns. */
int cli_go_duration(const char *s, double *ns);
/* --preserve-fds N: decimal digits only, 0..65536. */
int cli_preserve_fds_value(const char *s, int *out);
/* exec --additional-gids: a comma-separated list without empty items. */
bool cli_gid_list_ok(const char *s);

#endif
