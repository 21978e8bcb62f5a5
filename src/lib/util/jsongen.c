/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "util/jsongen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

yajl_gen jgen_new(const char *indent)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g)
                abort();
        if (indent) {
                yajl_gen_config(g, yajl_gen_beautify, 1);
                yajl_gen_config(g, yajl_gen_indent_string, indent);
        }
        return g;
}

char *jgen_finish(yajl_gen g)
{
        const unsigned char *buf;
        size_t len;
        char *r = NULL;
        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
                r = xstrndup((const char *)buf, len);
        yajl_gen_free(g);
        return r;
}

void jgen_str(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void jgen_raw(yajl_gen g, const char *json)
{
        yajl_gen_number(g, json, strlen(json));
}

void jgen_kv_str(yajl_gen g, const char *k, const char *v)
{
        jgen_str(g, k);
        jgen_str(g, v ? v : "");
}

void jgen_kv_raw(yajl_gen g, const char *k, const char *json)
{
        jgen_str(g, k);
        jgen_raw(g, json);
}

void jgen_kv_int(yajl_gen g, const char *k, long long v)
{
        jgen_str(g, k);
        yajl_gen_integer(g, v);
}

void jgen_kv_u64(yajl_gen g, const char *k, uint64_t v)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
        jgen_str(g, k);
        yajl_gen_number(g, buf, (size_t)n);
}

void jgen_kv_bool(yajl_gen g, const char *k, bool v)
{
        jgen_str(g, k);
        yajl_gen_bool(g, v);
}

void jgen_kv_strv(yajl_gen g, const char *k, const char *const *v)
{
        jgen_kv_strn(g, k, v, strv_length((char *const *)v));
}

void jgen_kv_strn(yajl_gen g, const char *k, const char *const *v, size_t n)
{
        jgen_str(g, k);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < n; i++)
                jgen_str(g, v[i]);
        yajl_gen_array_close(g);
}
