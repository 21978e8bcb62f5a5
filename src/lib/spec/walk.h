/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json walker (walk.c), shared by the section parsers (parse.c,
 * parse_linux.c). A struct pctx carries the JSON path of the value being
 * looked at ("process.rlimits[2]"), so every error names the field:
 *
 *     process.rlimits[2].hard: expected a non-negative integer, got -1
 *
 * Getters: jw_get_*(c, obj, key, ...) read obj[key]; absent or null is
 * "not set" (an error only when required), a wrong type or range is an
 * error naming obj's path plus key. They return 0 or -1 (c->err set).
 */
#ifndef HUSK_SPEC_WALK_H
#define HUSK_SPEC_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "husk/spec.h"
#include "util/util.h"

struct pctx {
        struct husk_error *err;
        size_t len;
        char path[1024];
};

/* The path: push a key (returns a mark), pop back to a mark. */
size_t jw_push_key(struct pctx *c, const char *key);
size_t jw_push_map_key(struct pctx *c, const char *key);
void jw_pop(struct pctx *c, size_t mark);
/* An error at the current path: "<path>: <message>". */
int jw_perr(struct pctx *c, const char *fmt, ...) HUSK_FMT(2, 3);
int jw_type_err(struct pctx *c, const char *expected, yajl_val v);
int jw_missing(struct pctx *c, const char *key);

/* obj[key], NULL when absent or null (the last one wins on duplicates). */
yajl_val jw_field(yajl_val obj, const char *key);
bool jw_key_repeats(yajl_val obj, size_t i);
int jw_expect_object(struct pctx *c, yajl_val v);

/* A value at the current path. */
int jw_val_string(struct pctx *c, yajl_val v, char **out);
int jw_val_bool(struct pctx *c, yajl_val v, bool *out);
int jw_val_u64(struct pctx *c, yajl_val v, uint64_t max, uint64_t *out);
int jw_val_i64(struct pctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out);
int jw_val_strv(struct pctx *c, yajl_val v, char ***out);

/* obj[key]. */
int jw_get_str(struct pctx *c, yajl_val obj, const char *key, bool required, char **out);
int jw_get_raw_str(struct pctx *c, yajl_val obj, const char *key, char **out);
int jw_get_strv(struct pctx *c, yajl_val obj, const char *key, bool required, char ***out);
int jw_get_bool(struct pctx *c, yajl_val obj, const char *key, bool *out);
int jw_get_opt_bool(struct pctx *c, yajl_val obj, const char *key, struct husk_opt_bool *out);
int jw_get_u64(struct pctx *c, yajl_val obj, const char *key, bool required, uint64_t max, uint64_t *out,
               bool *set);
int jw_get_u32(struct pctx *c, yajl_val obj, const char *key, bool required, uint32_t *out);
int jw_get_opt_u64(struct pctx *c, yajl_val obj, const char *key, uint64_t max, struct husk_opt_u64 *out);
int jw_get_i64(struct pctx *c, yajl_val obj, const char *key, bool required, int64_t min, int64_t max,
               int64_t *out, bool *set);
int jw_get_i32(struct pctx *c, yajl_val obj, const char *key, bool required, int32_t *out);
int jw_get_opt_i64(struct pctx *c, yajl_val obj, const char *key, int64_t min, int64_t max,
                   struct husk_opt_i64 *out);
/* A string field converted through a table: "unknown <what> \"x\"". */
int jw_get_enum(struct pctx *c, yajl_val obj, const char *key, bool required, int (*conv)(const char *),
                const char *what, char **name, int *num);

/* obj[key] is an object: *out (NULL when absent) with key pushed; the
 * caller pops *mark when done with it. */
int jw_enter(struct pctx *c, yajl_val obj, const char *key, yajl_val *out, size_t *mark);

typedef int (*elem_fn)(struct pctx *c, yajl_val v, void *elem);
typedef int (*entry_fn)(struct pctx *c, const char *key, yajl_val v, void *elem);
/* obj[key] is an array of elements of `size` bytes, each parsed by fn
 * (*arr and *n are set first, so a half-filled array is freed normally). */
int jw_get_array(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, elem_fn fn);
/* obj[key] is an object used as a map, each entry parsed by fn. */
int jw_get_map(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, entry_fn fn);
int jw_get_kv(struct pctx *c, yajl_val obj, const char *key, struct husk_kv **arr, size_t *n);
/* uidMappings/gidMappings arrays. */
int jw_get_idmaps(struct pctx *c, yajl_val obj, const char *key, struct husk_idmap **arr, size_t *n);

/* The sections of parse_linux.c, for parse.c. */
int spec_parse_linux_obj(struct pctx *c, yajl_val v, struct husk_linux *l);
int spec_parse_resources_obj(struct pctx *c, yajl_val v, struct husk_resources *r);

#endif
