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

/* Length of the valid UTF-8 sequence at s (1-4), 0 if there is none. */
static size_t utf8_seq(const unsigned char *s)
{
        unsigned c = s[0];
        size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        for (size_t i = 1; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
            (c == 0xf4 && s[1] > 0x8f))
                return 0;
        return n;
}

/* yajl's parser refuses invalid UTF-8, so a string that has some (a bundle
 * or cgroup path in another encoding) would make the whole document
 * unreadable (a state.json no command could load): each invalid byte is
 * written as U+FFFD instead, as Go's encoding/json does in runc's. */
void jgen_str(yajl_gen g, const char *s)
{
        const unsigned char *u = (const unsigned char *)s;
        size_t len = strlen(s), i = 0, n;
        while (i < len && (n = utf8_seq(u + i)) > 0)
                i += n;
        if (i == len) {
                yajl_gen_string(g, u, len);
                return;
        }
        _cleanup_free_ unsigned char *fixed = xmalloc(len * 3 + 1);
        size_t w = 0;
        for (i = 0; i < len;) {
                n = utf8_seq(u + i);
                if (n == 0) {
                        memcpy(fixed + w, "\xef\xbf\xbd", 3);
                        w += 3;
                        i++;
                        continue;
                }
                memcpy(fixed + w, u + i, n);
                w += n;
                i += n;
        }
        yajl_gen_string(g, fixed, w);
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
