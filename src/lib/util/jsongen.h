/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One set of yajl generator helpers for every JSON document husk writes
 * (state.json, `husk state`, `husk spec`, `husk features`, `events --stats`).
 * Keys and strings are NUL-terminated C strings; allocation failure aborts,
 * as with xmalloc. */
#ifndef HUSK_UTIL_JSONGEN_H
#define HUSK_UTIL_JSONGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

/* A new generator; indent != NULL turns on beautify with that indent. */
yajl_gen jgen_new(const char *indent);
/* The document as a new NUL-terminated string; frees g. */
char *jgen_finish(yajl_gen g);

void jgen_str(yajl_gen g, const char *s);
/* A document that is already JSON, spliced in unchanged. */
void jgen_raw(yajl_gen g, const char *json);

/* "key": value pairs inside a map. */
void jgen_kv_str(yajl_gen g, const char *k, const char *v);     /* NULL v -> "" */
void jgen_kv_int(yajl_gen g, const char *k, long long v);
void jgen_kv_u64(yajl_gen g, const char *k, uint64_t v);
void jgen_kv_bool(yajl_gen g, const char *k, bool v);
void jgen_kv_raw(yajl_gen g, const char *k, const char *json);   /* already JSON */
/* "key": [strings]: v NULL-terminated (strv) or n long (strn). */
void jgen_kv_strv(yajl_gen g, const char *k, const char *const *v);
void jgen_kv_strn(yajl_gen g, const char *k, const char *const *v, size_t n);

#endif
