/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The walker of config.json (see walk.h): a yajl tree visited field by
 * field, keeping the JSON path for error messages, and the typed getters
 * that convert a field and name it when it is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "spec/walk.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* The JSON path being walked, for error messages.                     */

static void advance(struct pctx *c, int n)
{
        if (n < 0)
                return;
        c->len += (size_t)n;
        if (c->len >= sizeof(c->path))
                c->len = sizeof(c->path) - 1;
}

/* The path is built on every field visited, so no printf here. */
static void append(struct pctx *c, const char *s, size_t n)
{
        size_t room = sizeof(c->path) - 1 - c->len;
        if (n > room)
                n = room;
        memcpy(c->path + c->len, s, n);
        c->len += n;
        c->path[c->len] = '\0';
}

size_t jw_push_key(struct pctx *c, const char *key)
{
        size_t mark = c->len;
        if (c->len)
                append(c, ".", 1);
        append(c, key, strlen(key));
        return mark;
}

static size_t push_index(struct pctx *c, size_t i)
{
        size_t mark = c->len;
        advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len, "[%zu]", i));
        return mark;
}

size_t jw_push_map_key(struct pctx *c, const char *key)
{
        size_t mark = c->len;
        advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len, "[\"%.200s\"]", key));
        return mark;
}

void jw_pop(struct pctx *c, size_t mark)
{
        c->len = mark;
        c->path[mark] = '\0';
}

int jw_perr(struct pctx *c, const char *fmt, ...)
{
        char msg[HUSK_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (c->len)
                return husk_error_invalid(c->err, "%s: %s", c->path, msg);
        return husk_error_invalid(c->err, "%s", msg);
}

/* A short rendering of a value for "got ..." in messages. */
static const char *describe(yajl_val v, char *buf, size_t size)
{
        if (!v)
                return "nothing";
        if (YAJL_IS_STRING(v)) {
                const char *s = YAJL_GET_STRING(v);
                if (strlen(s) > 40)
                        snprintf(buf, size, "\"%.40s...\"", s);
                else
                        snprintf(buf, size, "\"%s\"", s);
                return buf;
        }
        if (YAJL_IS_NUMBER(v)) {
                snprintf(buf, size, "%.40s", YAJL_GET_NUMBER(v));
                return buf;
        }
        if (YAJL_IS_TRUE(v))
                return "true";
        if (YAJL_IS_FALSE(v))
                return "false";
        if (YAJL_IS_NULL(v))
                return "null";
        if (YAJL_IS_OBJECT(v))
                return "an object";
        return "an array";
}

int jw_type_err(struct pctx *c, const char *expected, yajl_val v)
{
        char buf[64];
        return jw_perr(c, "expected %s, got %s", expected, describe(v, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------ */
/* Values.                                                             */

/* obj[key], NULL when absent or null. The last one wins on duplicates. */
yajl_val jw_field(yajl_val obj, const char *key)
{
        yajl_val r = NULL;
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        r = obj->u.object.values[i];
        if (r && YAJL_IS_NULL(r))
                return NULL;
        return r;
}

int jw_expect_object(struct pctx *c, yajl_val v)
{
        if (!YAJL_IS_OBJECT(v))
                return jw_type_err(c, "an object", v);
        return 0;
}

int jw_val_string(struct pctx *c, yajl_val v, char **out)
{
        if (!YAJL_IS_STRING(v))
                return jw_type_err(c, "a string", v);
        free(*out);
        *out = xstrdup(YAJL_GET_STRING(v));
        return 0;
}

int jw_val_bool(struct pctx *c, yajl_val v, bool *out)
{
        if (YAJL_IS_TRUE(v))
                *out = true;
        else if (YAJL_IS_FALSE(v))
                *out = false;
        else
                return jw_type_err(c, "a boolean", v);
        return 0;
}

/* The raw text of an integer: "-"? digits, nothing else. */
static bool raw_is_integer(const char *s)
{
        if (*s == '-')
                s++;
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

int jw_val_u64(struct pctx *c, yajl_val v, uint64_t max, uint64_t *out)
{
        if (!YAJL_IS_NUMBER(v) || !raw_is_integer(YAJL_GET_NUMBER(v)) || YAJL_GET_NUMBER(v)[0] == '-')
                return jw_type_err(c, "a non-negative integer", v);
        errno = 0;
        char *end;
        unsigned long long x = strtoull(YAJL_GET_NUMBER(v), &end, 10);
        if (errno == ERANGE || x > max)
                return jw_perr(c, "value %.40s out of range (0..%llu)", YAJL_GET_NUMBER(v), (unsigned long long)max);
        *out = x;
        return 0;
}

int jw_val_i64(struct pctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
        if (!YAJL_IS_NUMBER(v) || !raw_is_integer(YAJL_GET_NUMBER(v)))
                return jw_type_err(c, "an integer", v);
        errno = 0;
        char *end;
        long long x = strtoll(YAJL_GET_NUMBER(v), &end, 10);
        if (errno == ERANGE || x < min || x > max)
                return jw_perr(c, "value %.40s out of range (%lld..%lld)", YAJL_GET_NUMBER(v), (long long)min,
                            (long long)max);
        *out = x;
        return 0;
}

/* An array of strings. Present (even empty) gives a non-NULL vector. */
int jw_val_strv(struct pctx *c, yajl_val v, char ***out)
{
        if (!YAJL_IS_ARRAY(v))
                return jw_type_err(c, "an array of strings", v);
        size_t n = v->u.array.len;
        char **r = xzalloc((n + 1) * sizeof(char *));
        strv_free(*out);
        *out = r;
        for (size_t i = 0; i < n; i++) {
                yajl_val e = v->u.array.values[i];
                if (!YAJL_IS_STRING(e)) {
                        size_t mark = push_index(c, i);
                        int ret = jw_type_err(c, "a string", e);
                        jw_pop(c, mark);
                        return ret;
                }
                r[i] = xstrdup(YAJL_GET_STRING(e));
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* Fields of an object: push the key, convert, pop.                    */

int jw_missing(struct pctx *c, const char *key)
{
        size_t mark = jw_push_key(c, key);
        jw_perr(c, "required");
        jw_pop(c, mark);
        return -1;
}

/* A string field. An optional one that is "" stays NULL: for runc (Go)
 * an empty string is the same as an absent one (no hostname, create the
 * namespace, default cgroup path, ...), and consumers test for NULL. */
int jw_get_str(struct pctx *c, yajl_val obj, const char *key, bool required, char **out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        if (!required && YAJL_IS_STRING(v) && !*YAJL_GET_STRING(v))
                return 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_string(c, v, out);
        jw_pop(c, mark);
        return r;
}

/* A string field kept as written, "" included. */
int jw_get_raw_str(struct pctx *c, yajl_val obj, const char *key, char **out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_string(c, v, out);
        jw_pop(c, mark);
        return r;
}

int jw_get_strv(struct pctx *c, yajl_val obj, const char *key, bool required, char ***out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_strv(c, v, out);
        jw_pop(c, mark);
        return r;
}

int jw_get_bool(struct pctx *c, yajl_val obj, const char *key, bool *out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_bool(c, v, out);
        jw_pop(c, mark);
        return r;
}

int jw_get_opt_bool(struct pctx *c, yajl_val obj, const char *key, struct husk_opt_bool *out)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_bool(c, v, &out->v);
        jw_pop(c, mark);
        out->set = r == 0;
        return r;
}

int jw_get_u64(struct pctx *c, yajl_val obj, const char *key, bool required, uint64_t max, uint64_t *out,
                   bool *set)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_u64(c, v, max, out);
        jw_pop(c, mark);
        if (set)
                *set = r == 0;
        return r;
}

int jw_get_u32(struct pctx *c, yajl_val obj, const char *key, bool required, uint32_t *out)
{
        uint64_t x = 0;
        bool set = false;
        if (jw_get_u64(c, obj, key, required, UINT32_MAX, &x, &set) < 0)
                return -1;
        if (set)
                *out = (uint32_t)x;
        return 0;
}

int jw_get_opt_u64(struct pctx *c, yajl_val obj, const char *key, uint64_t max, struct husk_opt_u64 *out)
{
        return jw_get_u64(c, obj, key, false, max, &out->v, &out->set);
}

int jw_get_i64(struct pctx *c, yajl_val obj, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *out, bool *set)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        size_t mark = jw_push_key(c, key);
        int r = jw_val_i64(c, v, min, max, out);
        jw_pop(c, mark);
        if (set)
                *set = r == 0;
        return r;
}

int jw_get_i32(struct pctx *c, yajl_val obj, const char *key, bool required, int32_t *out)
{
        int64_t x = 0;
        bool set = false;
        if (jw_get_i64(c, obj, key, required, INT32_MIN, INT32_MAX, &x, &set) < 0)
                return -1;
        if (set)
                *out = (int32_t)x;
        return 0;
}

int jw_get_opt_i64(struct pctx *c, yajl_val obj, const char *key, int64_t min, int64_t max,
                       struct husk_opt_i64 *out)
{
        return jw_get_i64(c, obj, key, false, min, max, &out->v, &out->set);
}

/* A nested object: NULL (and 0) when absent, -1 when not an object. The
 * key stays pushed on success; the caller pops it with the returned mark. */
int jw_enter(struct pctx *c, yajl_val obj, const char *key, yajl_val *out, size_t *mark)
{
        *out = jw_field(obj, key);
        *mark = jw_push_key(c, key);
        if (!*out) {
                jw_pop(c, *mark);
                return 0;
        }
        if (jw_expect_object(c, *out) < 0)
                return -1;
        return 0;
}

/* obj[key] is an array of elements of `size` bytes, each parsed by fn.
 * *arr and *n are set before the elements are parsed, so a half-filled
 * array is freed by the normal free functions. */
int jw_get_array(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, elem_fn fn)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return 0;
        size_t mark = jw_push_key(c, key);
        if (!YAJL_IS_ARRAY(v)) {
                jw_type_err(c, "an array", v);
                jw_pop(c, mark);
                return -1;
        }
        size_t len = v->u.array.len;
        *arr = xzalloc(len * size);
        *n = len;
        for (size_t i = 0; i < len; i++) {
                size_t m = push_index(c, i);
                if (fn(c, v->u.array.values[i], (char *)*arr + i * size) < 0)
                        return -1;
                jw_pop(c, m);
        }
        jw_pop(c, mark);
        return 0;
}

/* True when the key at index i appears again later: as in Go, the last
 * one of a repeated map key wins. */
bool jw_key_repeats(yajl_val obj, size_t i)
{
        for (size_t j = i + 1; j < obj->u.object.len; j++)
                if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
                        return true;
        return false;
}

/* obj[key] is an object used as a map; each entry parsed by fn. Null
 * entries are skipped. */
int jw_get_map(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, entry_fn fn)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return 0;
        size_t mark = jw_push_key(c, key);
        if (jw_expect_object(c, v) < 0)
                return -1;
        size_t len = v->u.object.len;
        *arr = xzalloc(len * size);
        *n = 0;
        for (size_t i = 0; i < len; i++) {
                if (YAJL_IS_NULL(v->u.object.values[i]) || jw_key_repeats(v, i))
                        continue;
                size_t m = jw_push_map_key(c, v->u.object.keys[i]);
                (*n)++;
                if (fn(c, v->u.object.keys[i], v->u.object.values[i], (char *)*arr + (*n - 1) * size) < 0)
                        return -1;
                jw_pop(c, m);
        }
        jw_pop(c, mark);
        return 0;
}

static int parse_kv(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_kv *kv = elem;
        kv->key = xstrdup(key);
        return jw_val_string(c, v, &kv->value);
}

int jw_get_kv(struct pctx *c, yajl_val obj, const char *key, struct husk_kv **arr, size_t *n)
{
        return jw_get_map(c, obj, key, sizeof(**arr), (void **)arr, n, parse_kv);
}

/* A string field converted through a table: "unknown <what> \"x\"". */
int jw_get_enum(struct pctx *c, yajl_val obj, const char *key, bool required, int (*conv)(const char *),
                    const char *what, char **name, int *num)
{
        yajl_val v = jw_field(obj, key);
        if (!v)
                return required ? jw_missing(c, key) : 0;
        size_t mark = jw_push_key(c, key);
        int r = -1;
        char *s = NULL;
        if (jw_val_string(c, v, &s) == 0) {
                int n = conv(s);
                if (n < 0) {
                        jw_perr(c, "unknown %s \"%.100s\"", what, s);
                        free(s);
                } else {
                        *num = n;
                        if (name) {
                                free(*name);
                                *name = s;
                        } else {
                                free(s);
                        }
                        r = 0;
                }
        }
        jw_pop(c, mark);
        return r;
}


/* ------------------------------------------------------------------ */
/* Common pieces.                                                      */

static int parse_idmap(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_idmap *m = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_u32(c, v, "containerID", true, &m->container_id) < 0 ||
            jw_get_u32(c, v, "hostID", true, &m->host_id) < 0 || jw_get_u32(c, v, "size", true, &m->size) < 0)
                return -1;
        return 0;
}

int jw_get_idmaps(struct pctx *c, yajl_val obj, const char *key, struct husk_idmap **arr, size_t *n)
{
        return jw_get_array(c, obj, key, sizeof(**arr), (void **)arr, n, parse_idmap);
}
