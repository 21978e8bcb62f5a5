/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json → struct husk_spec.
 *
 * The document is read with yajl_tree and walked field by field. The walker
 * keeps the JSON path of the value it is looking at ("process.rlimits[2]"),
 * so every error names the offending field:
 *
 *     process.rlimits[2].hard: expected a non-negative integer, got -1
 *
 * Rules, as in runc (Go's encoding/json):
 *   - unknown fields are ignored, a null value is the same as an absent one;
 *   - integers are read from yajl's raw number text (no double rounding), so
 *     18446744073709551615 survives; fractions and exponents are rejected;
 *   - names the kernel knows by number are converted here and unknown ones
 *     rejected; everything that needs more than one field is checked by
 *     spec_validate() (validate.c), which runs last.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <yajl/yajl_tree.h>

#include "husk/spec.h"
#include "spec/spec-internal.h"
#include "util/util.h"

/* Deeper documents are refused before yajl sees them: yajl_tree_free()
 * recurses once per level, and no config.json nests more than ~8 levels. */
#define MAX_DEPTH 256

/* ------------------------------------------------------------------ */
/* The JSON path being walked, for error messages.                     */

struct pctx {
        struct husk_error *err;
        size_t len;
        char path[1024];
};

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

static size_t push_key(struct pctx *c, const char *key)
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

static size_t push_map_key(struct pctx *c, const char *key)
{
        size_t mark = c->len;
        advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len, "[\"%.200s\"]", key));
        return mark;
}

static void pop(struct pctx *c, size_t mark)
{
        c->len = mark;
        c->path[mark] = '\0';
}

static int perr(struct pctx *c, const char *fmt, ...) HUSK_FMT(2, 3);
static int perr(struct pctx *c, const char *fmt, ...)
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

static int type_err(struct pctx *c, const char *expected, yajl_val v)
{
        char buf[64];
        return perr(c, "expected %s, got %s", expected, describe(v, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------ */
/* Values.                                                             */

/* obj[key], NULL when absent or null. The last one wins on duplicates. */
static yajl_val field(yajl_val obj, const char *key)
{
        yajl_val r = NULL;
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        r = obj->u.object.values[i];
        if (r && YAJL_IS_NULL(r))
                return NULL;
        return r;
}

static int expect_object(struct pctx *c, yajl_val v)
{
        if (!YAJL_IS_OBJECT(v))
                return type_err(c, "an object", v);
        return 0;
}

static int val_string(struct pctx *c, yajl_val v, char **out)
{
        if (!YAJL_IS_STRING(v))
                return type_err(c, "a string", v);
        free(*out);
        *out = xstrdup(YAJL_GET_STRING(v));
        return 0;
}

static int val_bool(struct pctx *c, yajl_val v, bool *out)
{
        if (YAJL_IS_TRUE(v))
                *out = true;
        else if (YAJL_IS_FALSE(v))
                *out = false;
        else
                return type_err(c, "a boolean", v);
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

static int val_u64(struct pctx *c, yajl_val v, uint64_t max, uint64_t *out)
{
        if (!YAJL_IS_NUMBER(v) || !raw_is_integer(YAJL_GET_NUMBER(v)) || YAJL_GET_NUMBER(v)[0] == '-')
                return type_err(c, "a non-negative integer", v);
        errno = 0;
        char *end;
        unsigned long long x = strtoull(YAJL_GET_NUMBER(v), &end, 10);
        if (errno == ERANGE || x > max)
                return perr(c, "value %.40s out of range (0..%llu)", YAJL_GET_NUMBER(v), (unsigned long long)max);
        *out = x;
        return 0;
}

static int val_i64(struct pctx *c, yajl_val v, int64_t min, int64_t max, int64_t *out)
{
        if (!YAJL_IS_NUMBER(v) || !raw_is_integer(YAJL_GET_NUMBER(v)))
                return type_err(c, "an integer", v);
        errno = 0;
        char *end;
        long long x = strtoll(YAJL_GET_NUMBER(v), &end, 10);
        if (errno == ERANGE || x < min || x > max)
                return perr(c, "value %.40s out of range (%lld..%lld)", YAJL_GET_NUMBER(v), (long long)min,
                            (long long)max);
        *out = x;
        return 0;
}

/* An array of strings. Present (even empty) gives a non-NULL vector. */
static int val_strv(struct pctx *c, yajl_val v, char ***out)
{
        if (!YAJL_IS_ARRAY(v))
                return type_err(c, "an array of strings", v);
        size_t n = v->u.array.len;
        char **r = xzalloc((n + 1) * sizeof(char *));
        strv_free(*out);
        *out = r;
        for (size_t i = 0; i < n; i++) {
                yajl_val e = v->u.array.values[i];
                if (!YAJL_IS_STRING(e)) {
                        size_t mark = push_index(c, i);
                        int ret = type_err(c, "a string", e);
                        pop(c, mark);
                        return ret;
                }
                r[i] = xstrdup(YAJL_GET_STRING(e));
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* Fields of an object: push the key, convert, pop.                    */

static int missing(struct pctx *c, const char *key)
{
        size_t mark = push_key(c, key);
        perr(c, "required");
        pop(c, mark);
        return -1;
}

/* A string field. An optional one that is "" stays NULL: for runc (Go)
 * an empty string is the same as an absent one (no hostname, create the
 * namespace, default cgroup path, ...), and consumers test for NULL. */
static int get_str(struct pctx *c, yajl_val obj, const char *key, bool required, char **out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        if (!required && YAJL_IS_STRING(v) && !*YAJL_GET_STRING(v))
                return 0;
        size_t mark = push_key(c, key);
        int r = val_string(c, v, out);
        pop(c, mark);
        return r;
}

/* A string field kept as written, "" included. */
static int get_raw_str(struct pctx *c, yajl_val obj, const char *key, char **out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return 0;
        size_t mark = push_key(c, key);
        int r = val_string(c, v, out);
        pop(c, mark);
        return r;
}

static int get_strv(struct pctx *c, yajl_val obj, const char *key, bool required, char ***out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        size_t mark = push_key(c, key);
        int r = val_strv(c, v, out);
        pop(c, mark);
        return r;
}

static int get_bool(struct pctx *c, yajl_val obj, const char *key, bool *out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return 0;
        size_t mark = push_key(c, key);
        int r = val_bool(c, v, out);
        pop(c, mark);
        return r;
}

static int get_opt_bool(struct pctx *c, yajl_val obj, const char *key, struct husk_opt_bool *out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return 0;
        size_t mark = push_key(c, key);
        int r = val_bool(c, v, &out->v);
        pop(c, mark);
        out->set = r == 0;
        return r;
}

static int get_u64(struct pctx *c, yajl_val obj, const char *key, bool required, uint64_t max, uint64_t *out,
                   bool *set)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        size_t mark = push_key(c, key);
        int r = val_u64(c, v, max, out);
        pop(c, mark);
        if (set)
                *set = r == 0;
        return r;
}

static int get_u32(struct pctx *c, yajl_val obj, const char *key, bool required, uint32_t *out)
{
        uint64_t x = 0;
        bool set = false;
        if (get_u64(c, obj, key, required, UINT32_MAX, &x, &set) < 0)
                return -1;
        if (set)
                *out = (uint32_t)x;
        return 0;
}

static int get_opt_u64(struct pctx *c, yajl_val obj, const char *key, uint64_t max, struct husk_opt_u64 *out)
{
        return get_u64(c, obj, key, false, max, &out->v, &out->set);
}

static int get_i64(struct pctx *c, yajl_val obj, const char *key, bool required, int64_t min, int64_t max,
                   int64_t *out, bool *set)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        size_t mark = push_key(c, key);
        int r = val_i64(c, v, min, max, out);
        pop(c, mark);
        if (set)
                *set = r == 0;
        return r;
}

static int get_i32(struct pctx *c, yajl_val obj, const char *key, bool required, int32_t *out)
{
        int64_t x = 0;
        bool set = false;
        if (get_i64(c, obj, key, required, INT32_MIN, INT32_MAX, &x, &set) < 0)
                return -1;
        if (set)
                *out = (int32_t)x;
        return 0;
}

static int get_opt_i64(struct pctx *c, yajl_val obj, const char *key, int64_t min, int64_t max,
                       struct husk_opt_i64 *out)
{
        return get_i64(c, obj, key, false, min, max, &out->v, &out->set);
}

/* A nested object: NULL (and 0) when absent, -1 when not an object. The
 * key stays pushed on success; the caller pops it with the returned mark. */
static int enter(struct pctx *c, yajl_val obj, const char *key, yajl_val *out, size_t *mark)
{
        *out = field(obj, key);
        *mark = push_key(c, key);
        if (!*out) {
                pop(c, *mark);
                return 0;
        }
        if (expect_object(c, *out) < 0)
                return -1;
        return 0;
}

typedef int (*elem_fn)(struct pctx *c, yajl_val v, void *elem);
typedef int (*entry_fn)(struct pctx *c, const char *key, yajl_val v, void *elem);

/* obj[key] is an array of elements of `size` bytes, each parsed by fn.
 * *arr and *n are set before the elements are parsed, so a half-filled
 * array is freed by the normal free functions. */
static int get_array(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, elem_fn fn)
{
        yajl_val v = field(obj, key);
        if (!v)
                return 0;
        size_t mark = push_key(c, key);
        if (!YAJL_IS_ARRAY(v)) {
                type_err(c, "an array", v);
                pop(c, mark);
                return -1;
        }
        size_t len = v->u.array.len;
        *arr = xzalloc(len * size);
        *n = len;
        for (size_t i = 0; i < len; i++) {
                size_t m = push_index(c, i);
                if (fn(c, v->u.array.values[i], (char *)*arr + i * size) < 0)
                        return -1;
                pop(c, m);
        }
        pop(c, mark);
        return 0;
}

/* True when the key at index i appears again later: as in Go, the last
 * one of a repeated map key wins. */
static bool key_repeats(yajl_val obj, size_t i)
{
        for (size_t j = i + 1; j < obj->u.object.len; j++)
                if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
                        return true;
        return false;
}

/* obj[key] is an object used as a map; each entry parsed by fn. Null
 * entries are skipped. */
static int get_map(struct pctx *c, yajl_val obj, const char *key, size_t size, void **arr, size_t *n, entry_fn fn)
{
        yajl_val v = field(obj, key);
        if (!v)
                return 0;
        size_t mark = push_key(c, key);
        if (expect_object(c, v) < 0)
                return -1;
        size_t len = v->u.object.len;
        *arr = xzalloc(len * size);
        *n = 0;
        for (size_t i = 0; i < len; i++) {
                if (YAJL_IS_NULL(v->u.object.values[i]) || key_repeats(v, i))
                        continue;
                size_t m = push_map_key(c, v->u.object.keys[i]);
                (*n)++;
                if (fn(c, v->u.object.keys[i], v->u.object.values[i], (char *)*arr + (*n - 1) * size) < 0)
                        return -1;
                pop(c, m);
        }
        pop(c, mark);
        return 0;
}

static int parse_kv(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_kv *kv = elem;
        kv->key = xstrdup(key);
        return val_string(c, v, &kv->value);
}

static int get_kv(struct pctx *c, yajl_val obj, const char *key, struct husk_kv **arr, size_t *n)
{
        return get_map(c, obj, key, sizeof(**arr), (void **)arr, n, parse_kv);
}

/* ------------------------------------------------------------------ */
/* Name tables.                                                        */

/* A string field converted through a table: "unknown <what> \"x\"". */
static int get_enum(struct pctx *c, yajl_val obj, const char *key, bool required, int (*conv)(const char *),
                    const char *what, char **name, int *num)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        size_t mark = push_key(c, key);
        int r = -1;
        char *s = NULL;
        if (val_string(c, v, &s) == 0) {
                int n = conv(s);
                if (n < 0) {
                        perr(c, "unknown %s \"%.100s\"", what, s);
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
        pop(c, mark);
        return r;
}

/* ------------------------------------------------------------------ */
/* Common pieces.                                                      */

static int parse_idmap(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_idmap *m = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_u32(c, v, "containerID", true, &m->container_id) < 0 ||
            get_u32(c, v, "hostID", true, &m->host_id) < 0 || get_u32(c, v, "size", true, &m->size) < 0)
                return -1;
        return 0;
}

static int get_idmaps(struct pctx *c, yajl_val obj, const char *key, struct husk_idmap **arr, size_t *n)
{
        return get_array(c, obj, key, sizeof(**arr), (void **)arr, n, parse_idmap);
}

static int parse_mount(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_mount *m = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_str(c, v, "destination", true, &m->destination) < 0 || get_str(c, v, "source", false, &m->source) < 0 ||
            get_str(c, v, "type", false, &m->type) < 0 || get_strv(c, v, "options", false, &m->options) < 0 ||
            get_idmaps(c, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
            get_idmaps(c, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* process                                                             */

static int parse_u32_elem(struct pctx *c, yajl_val v, void *elem)
{
        uint64_t x;
        if (val_u64(c, v, UINT32_MAX, &x) < 0)
                return -1;
        *(uint32_t *)elem = (uint32_t)x;
        return 0;
}

static int parse_rlimit(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_rlimit *rl = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_enum(c, v, "type", true, spec_rlimit_resource, "rlimit type", &rl->type, &rl->resource) < 0 ||
            get_u64(c, v, "hard", true, UINT64_MAX, &rl->hard, NULL) < 0 ||
            get_u64(c, v, "soft", true, UINT64_MAX, &rl->soft, NULL) < 0)
                return -1;
        return 0;
}

static int parse_user(struct pctx *c, yajl_val v, struct husk_user *u)
{
        if (get_u32(c, v, "uid", false, &u->uid) < 0 || get_u32(c, v, "gid", false, &u->gid) < 0 ||
            get_opt_u64(c, v, "umask", UINT32_MAX, &u->umask) < 0 ||
            get_array(c, v, "additionalGids", sizeof(uint32_t), (void **)&u->additional_gids, &u->n_additional_gids,
                      parse_u32_elem) < 0 ||
            get_str(c, v, "username", false, &u->username) < 0)
                return -1;
        return 0;
}

static int parse_caps(struct pctx *c, yajl_val v, struct husk_caps *caps)
{
        if (get_strv(c, v, "bounding", false, &caps->bounding) < 0 ||
            get_strv(c, v, "effective", false, &caps->effective) < 0 ||
            get_strv(c, v, "inheritable", false, &caps->inheritable) < 0 ||
            get_strv(c, v, "permitted", false, &caps->permitted) < 0 ||
            get_strv(c, v, "ambient", false, &caps->ambient) < 0)
                return -1;
        return 0;
}

static int parse_scheduler(struct pctx *c, yajl_val v, struct husk_scheduler *s)
{
        if (get_enum(c, v, "policy", true, spec_sched_policy, "scheduler policy", &s->policy, &s->policy_num) < 0 ||
            get_i32(c, v, "nice", false, &s->nice) < 0 || get_i32(c, v, "priority", false, &s->priority) < 0 ||
            get_strv(c, v, "flags", false, &s->flags) < 0 ||
            get_u64(c, v, "runtime", false, UINT64_MAX, &s->runtime, NULL) < 0 ||
            get_u64(c, v, "deadline", false, UINT64_MAX, &s->deadline, NULL) < 0 ||
            get_u64(c, v, "period", false, UINT64_MAX, &s->period, NULL) < 0)
                return -1;
        return 0;
}

static int parse_io_priority(struct pctx *c, yajl_val v, struct husk_io_priority *io)
{
        if (get_enum(c, v, "class", true, spec_ioprio_class, "I/O priority class", &io->class_name,
                     &io->class_num) < 0 ||
            get_i32(c, v, "priority", true, &io->priority) < 0)
                return -1;
        return 0;
}

static int parse_process_obj(struct pctx *c, yajl_val v, struct husk_process *p)
{
        yajl_val o;
        size_t mark;

        if (expect_object(c, v) < 0)
                return -1;
        if (get_bool(c, v, "terminal", &p->terminal) < 0)
                return -1;

        if (enter(c, v, "consoleSize", &o, &mark) < 0)
                return -1;
        if (o) {
                p->has_console_size = true;
                if (get_u32(c, o, "height", true, &p->console_height) < 0 ||
                    get_u32(c, o, "width", true, &p->console_width) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "user", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_user(c, o, &p->user) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_strv(c, v, "args", false, &p->args) < 0 || get_str(c, v, "commandLine", false, &p->command_line) < 0 ||
            get_strv(c, v, "env", false, &p->env) < 0 || get_str(c, v, "cwd", false, &p->cwd) < 0)
                return -1;

        if (enter(c, v, "capabilities", &o, &mark) < 0)
                return -1;
        if (o) {
                p->has_capabilities = true;
                if (parse_caps(c, o, &p->capabilities) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_array(c, v, "rlimits", sizeof(*p->rlimits), (void **)&p->rlimits, &p->n_rlimits, parse_rlimit) < 0 ||
            get_bool(c, v, "noNewPrivileges", &p->no_new_privileges) < 0 ||
            get_str(c, v, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
            get_opt_i64(c, v, "oomScoreAdj", INT32_MIN, INT32_MAX, &p->oom_score_adj) < 0 ||
            get_str(c, v, "selinuxLabel", false, &p->selinux_label) < 0)
                return -1;

        if (enter(c, v, "scheduler", &o, &mark) < 0)
                return -1;
        if (o) {
                p->scheduler = xzalloc(sizeof(*p->scheduler));
                if (parse_scheduler(c, o, p->scheduler) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "ioPriority", &o, &mark) < 0)
                return -1;
        if (o) {
                p->io_priority = xzalloc(sizeof(*p->io_priority));
                if (parse_io_priority(c, o, p->io_priority) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "execCPUAffinity", &o, &mark) < 0)
                return -1;
        if (o) {
                if (get_str(c, o, "initial", false, &p->exec_cpu_affinity_initial) < 0 ||
                    get_str(c, o, "final", false, &p->exec_cpu_affinity_final) < 0)
                        return -1;
                pop(c, mark);
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int parse_hook(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_hook *h = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_str(c, v, "path", true, &h->path) < 0 || get_strv(c, v, "args", false, &h->args) < 0 ||
            get_strv(c, v, "env", false, &h->env) < 0 ||
            get_opt_i64(c, v, "timeout", INT32_MIN, INT32_MAX, &h->timeout) < 0)
                return -1;
        return 0;
}

static int parse_hooks(struct pctx *c, yajl_val v, struct husk_hook_list *lists)
{
        for (int k = 0; k < HUSK_HOOK__MAX; k++)
                if (get_array(c, v, spec_hook_name(k), sizeof(struct husk_hook), (void **)&lists[k].hooks, &lists[k].n,
                              parse_hook) < 0)
                        return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux.resources                                                     */

/* A one-character type string out of `allowed`. */
static int get_type_char(struct pctx *c, yajl_val obj, const char *key, bool required, const char *allowed, char *out)
{
        yajl_val v = field(obj, key);
        if (!v)
                return required ? missing(c, key) : 0;
        size_t mark = push_key(c, key);
        int r = 0;
        if (!YAJL_IS_STRING(v)) {
                r = type_err(c, "a string", v);
        } else {
                const char *s = YAJL_GET_STRING(v);
                if (strlen(s) != 1 || !strchr(allowed, s[0])) {
                        char list[32] = "";
                        for (const char *a = allowed; *a; a++)
                                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%c",
                                         a == allowed ? "" : ", ", *a);
                        r = perr(c, "unknown device type \"%.20s\" (expected one of %s)", s, list);
                } else {
                        *out = s[0];
                }
        }
        pop(c, mark);
        return r;
}

static int parse_device_rule(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_device_rule *d = elem;
        if (expect_object(c, v) < 0)
                return -1;
        d->type = 'a';
        yajl_val a = field(v, "allow");
        if (!a)
                return missing(c, "allow");
        if (get_bool(c, v, "allow", &d->allow) < 0 || get_type_char(c, v, "type", false, "acb", &d->type) < 0 ||
            get_opt_i64(c, v, "major", INT64_MIN, INT64_MAX, &d->major) < 0 ||
            get_opt_i64(c, v, "minor", INT64_MIN, INT64_MAX, &d->minor) < 0 ||
            get_raw_str(c, v, "access", &d->access) < 0)
                return -1;
        return 0;
}

static int parse_memory(struct pctx *c, yajl_val v, struct husk_memory *m)
{
        if (get_opt_i64(c, v, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0 ||
            get_opt_i64(c, v, "reservation", INT64_MIN, INT64_MAX, &m->reservation) < 0 ||
            get_opt_i64(c, v, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0 ||
            get_opt_i64(c, v, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0 ||
            get_opt_i64(c, v, "kernelTCP", INT64_MIN, INT64_MAX, &m->kernel_tcp) < 0 ||
            get_opt_u64(c, v, "swappiness", UINT64_MAX, &m->swappiness) < 0 ||
            get_opt_bool(c, v, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
            get_opt_bool(c, v, "useHierarchy", &m->use_hierarchy) < 0 ||
            get_opt_bool(c, v, "checkBeforeUpdate", &m->check_before_update) < 0)
                return -1;
        /* runc reads 2^64-1 (Go's uint64(-1)) as "leave swappiness alone". */
        if (m->swappiness.set && m->swappiness.v == UINT64_MAX)
                m->swappiness.set = false;
        return 0;
}

static int parse_cpu(struct pctx *c, yajl_val v, struct husk_cpu *cpu)
{
        if (get_opt_u64(c, v, "shares", UINT64_MAX, &cpu->shares) < 0 ||
            get_opt_i64(c, v, "quota", INT64_MIN, INT64_MAX, &cpu->quota) < 0 ||
            get_opt_u64(c, v, "burst", UINT64_MAX, &cpu->burst) < 0 ||
            get_opt_u64(c, v, "period", UINT64_MAX, &cpu->period) < 0 ||
            get_opt_i64(c, v, "realtimeRuntime", INT64_MIN, INT64_MAX, &cpu->realtime_runtime) < 0 ||
            get_opt_u64(c, v, "realtimePeriod", UINT64_MAX, &cpu->realtime_period) < 0 ||
            get_str(c, v, "cpus", false, &cpu->cpus) < 0 || get_str(c, v, "mems", false, &cpu->mems) < 0 ||
            get_opt_i64(c, v, "idle", INT64_MIN, INT64_MAX, &cpu->idle) < 0)
                return -1;
        return 0;
}

static int parse_weight_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_weight_device *d = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_i64(c, v, "major", true, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            get_i64(c, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            get_opt_u64(c, v, "weight", UINT16_MAX, &d->weight) < 0 ||
            get_opt_u64(c, v, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
                return -1;
        return 0;
}

static int parse_throttle_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_throttle_device *d = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_i64(c, v, "major", true, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            get_i64(c, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            get_u64(c, v, "rate", true, UINT64_MAX, &d->rate, NULL) < 0)
                return -1;
        return 0;
}

static int get_throttle(struct pctx *c, yajl_val obj, const char *key, struct husk_throttle_device **arr, size_t *n)
{
        return get_array(c, obj, key, sizeof(**arr), (void **)arr, n, parse_throttle_device);
}

static int parse_blockio(struct pctx *c, yajl_val v, struct husk_blockio *b)
{
        if (get_opt_u64(c, v, "weight", UINT16_MAX, &b->weight) < 0 ||
            get_opt_u64(c, v, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0 ||
            get_array(c, v, "weightDevice", sizeof(*b->weight_device), (void **)&b->weight_device,
                      &b->n_weight_device, parse_weight_device) < 0 ||
            get_throttle(c, v, "throttleReadBpsDevice", &b->throttle_read_bps, &b->n_throttle_read_bps) < 0 ||
            get_throttle(c, v, "throttleWriteBpsDevice", &b->throttle_write_bps, &b->n_throttle_write_bps) < 0 ||
            get_throttle(c, v, "throttleReadIOPSDevice", &b->throttle_read_iops, &b->n_throttle_read_iops) < 0 ||
            get_throttle(c, v, "throttleWriteIOPSDevice", &b->throttle_write_iops, &b->n_throttle_write_iops) < 0)
                return -1;
        return 0;
}

static int parse_hugepage(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_hugepage_limit *h = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_str(c, v, "pageSize", true, &h->page_size) < 0 ||
            get_u64(c, v, "limit", true, UINT64_MAX, &h->limit, NULL) < 0)
                return -1;
        return 0;
}

static int parse_net_priority(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_net_priority *p = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_str(c, v, "name", true, &p->name) < 0 || get_u32(c, v, "priority", true, &p->priority) < 0)
                return -1;
        return 0;
}

static int parse_rdma(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_rdma_limit *r = elem;
        r->device = xstrdup(key);
        if (expect_object(c, v) < 0)
                return -1;
        if (get_opt_u64(c, v, "hcaHandles", UINT32_MAX, &r->hca_handles) < 0 ||
            get_opt_u64(c, v, "hcaObjects", UINT32_MAX, &r->hca_objects) < 0)
                return -1;
        return 0;
}

static int parse_resources_obj(struct pctx *c, yajl_val v, struct husk_resources *r)
{
        yajl_val o;
        size_t mark;

        if (expect_object(c, v) < 0)
                return -1;
        if (get_array(c, v, "devices", sizeof(*r->devices), (void **)&r->devices, &r->n_devices,
                      parse_device_rule) < 0)
                return -1;

        if (enter(c, v, "memory", &o, &mark) < 0)
                return -1;
        if (o) {
                r->memory = xzalloc(sizeof(*r->memory));
                if (parse_memory(c, o, r->memory) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "cpu", &o, &mark) < 0)
                return -1;
        if (o) {
                r->cpu = xzalloc(sizeof(*r->cpu));
                if (parse_cpu(c, o, r->cpu) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "pids", &o, &mark) < 0)
                return -1;
        if (o) {
                r->has_pids = true;
                if (get_opt_i64(c, o, "limit", INT64_MIN, INT64_MAX, &r->pids_limit) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "blockIO", &o, &mark) < 0)
                return -1;
        if (o) {
                r->block_io = xzalloc(sizeof(*r->block_io));
                if (parse_blockio(c, o, r->block_io) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_array(c, v, "hugepageLimits", sizeof(*r->hugepage_limits), (void **)&r->hugepage_limits,
                      &r->n_hugepage_limits, parse_hugepage) < 0)
                return -1;

        if (enter(c, v, "network", &o, &mark) < 0)
                return -1;
        if (o) {
                r->has_network = true;
                if (get_opt_u64(c, o, "classID", UINT32_MAX, &r->net_class_id) < 0 ||
                    get_array(c, o, "priorities", sizeof(*r->net_priorities), (void **)&r->net_priorities,
                              &r->n_net_priorities, parse_net_priority) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_map(c, v, "rdma", sizeof(*r->rdma), (void **)&r->rdma, &r->n_rdma, parse_rdma) < 0 ||
            get_kv(c, v, "unified", &r->unified, &r->n_unified) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* linux                                                               */

static int parse_namespace(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_namespace *ns = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_enum(c, v, "type", true, spec_namespace_type, "namespace type", &ns->type_name, &ns->type) < 0 ||
            get_str(c, v, "path", false, &ns->path) < 0)
                return -1;
        return 0;
}

static int parse_device(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_device *d = elem;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_str(c, v, "path", true, &d->path) < 0 || get_type_char(c, v, "type", true, "cbup", &d->type) < 0)
                return -1;
        /* runc cleans the path ("/dev/x/" is "/dev/x"); a relative one is
         * left for validation to refuse. */
        if (d->path[0] == '/') {
                char *clean = path_clean(d->path);
                free(d->path);
                d->path = clean;
        }
        bool need_numbers = d->type != 'p';
        if (get_i64(c, v, "major", need_numbers, INT64_MIN, INT64_MAX, &d->major, NULL) < 0 ||
            get_i64(c, v, "minor", need_numbers, INT64_MIN, INT64_MAX, &d->minor, NULL) < 0 ||
            get_opt_u64(c, v, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
            get_opt_u64(c, v, "uid", UINT32_MAX, &d->uid) < 0 || get_opt_u64(c, v, "gid", UINT32_MAX, &d->gid) < 0)
                return -1;
        return 0;
}

static int parse_time_offset(struct pctx *c, yajl_val v, struct husk_time_offset *t)
{
        t->set = true;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_i64(c, v, "secs", false, INT64_MIN, INT64_MAX, &t->secs, NULL) < 0 ||
            get_u32(c, v, "nanosecs", false, &t->nanosecs) < 0)
                return -1;
        return 0;
}

static int parse_time_offsets(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        for (size_t i = 0; i < v->u.object.len; i++) {
                yajl_val e = v->u.object.values[i];
                const char *clock = v->u.object.keys[i];
                if (YAJL_IS_NULL(e) || key_repeats(v, i))
                        continue;
                size_t mark = push_map_key(c, clock);
                struct husk_time_offset *t = NULL;
                if (strcmp(clock, "monotonic") == 0)
                        t = &l->time_monotonic;
                else if (strcmp(clock, "boottime") == 0)
                        t = &l->time_boottime;
                else
                        return perr(c, "unknown clock (expected \"monotonic\" or \"boottime\")");
                if (parse_time_offset(c, e, t) < 0)
                        return -1;
                pop(c, mark);
        }
        return 0;
}

static int parse_intel_rdt(struct pctx *c, yajl_val v, struct husk_intel_rdt *r)
{
        if (get_str(c, v, "closID", false, &r->clos_id) < 0 ||
            get_str(c, v, "l3CacheSchema", false, &r->l3_cache_schema) < 0 ||
            get_str(c, v, "memBwSchema", false, &r->mem_bw_schema) < 0 ||
            get_strv(c, v, "schemata", false, &r->schemata) < 0 ||
            get_bool(c, v, "enableMonitoring", &r->enable_monitoring) < 0)
                return -1;
        return 0;
}

static int parse_seccomp_arg(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_seccomp_arg *a = elem;
        int op = 0;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_u32(c, v, "index", true, &a->index) < 0 ||
            get_u64(c, v, "value", true, UINT64_MAX, &a->value, NULL) < 0 ||
            get_u64(c, v, "valueTwo", false, UINT64_MAX, &a->value_two, NULL) < 0 ||
            get_enum(c, v, "op", true, spec_seccomp_op, "seccomp operator", NULL, &op) < 0)
                return -1;
        a->op = (enum husk_seccomp_op)op;
        return 0;
}

static int parse_seccomp_rule(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_seccomp_rule *s = elem;
        int action = 0;
        if (expect_object(c, v) < 0)
                return -1;
        if (get_strv(c, v, "names", true, &s->names) < 0 ||
            get_enum(c, v, "action", true, spec_seccomp_action, "seccomp action", NULL, &action) < 0)
                return -1;
        s->action = (enum husk_seccomp_action)action;
        if (get_opt_u64(c, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
            get_array(c, v, "args", sizeof(*s->args), (void **)&s->args, &s->n_args, parse_seccomp_arg) < 0)
                return -1;
        return 0;
}

static int parse_seccomp(struct pctx *c, yajl_val v, struct husk_seccomp *s, bool *has_default)
{
        int action = 0;
        *has_default = field(v, "defaultAction") != NULL;
        if (get_enum(c, v, "defaultAction", false, spec_seccomp_action, "seccomp action", NULL, &action) < 0)
                return -1;
        s->default_action = (enum husk_seccomp_action)action;
        if (get_opt_u64(c, v, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0 ||
            get_strv(c, v, "architectures", false, &s->architectures) < 0 ||
            get_strv(c, v, "flags", false, &s->flags) < 0 ||
            get_str(c, v, "listenerPath", false, &s->listener_path) < 0 ||
            get_str(c, v, "listenerMetadata", false, &s->listener_metadata) < 0 ||
            get_array(c, v, "syscalls", sizeof(*s->syscalls), (void **)&s->syscalls, &s->n_syscalls,
                      parse_seccomp_rule) < 0)
                return -1;
        return 0;
}

static void seccomp_free(struct husk_seccomp *s);

static int parse_net_device(struct pctx *c, const char *key, yajl_val v, void *elem)
{
        struct husk_net_device *d = elem;
        d->host_name = xstrdup(key);
        if (expect_object(c, v) < 0)
                return -1;
        return get_str(c, v, "name", false, &d->name);
}

static int parse_linux(struct pctx *c, yajl_val v, struct husk_linux *l)
{
        yajl_val o;
        size_t mark;

        if (get_array(c, v, "namespaces", sizeof(*l->namespaces), (void **)&l->namespaces, &l->n_namespaces,
                      parse_namespace) < 0 ||
            get_idmaps(c, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
            get_idmaps(c, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0)
                return -1;

        if (enter(c, v, "timeOffsets", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_time_offsets(c, o, l) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_array(c, v, "devices", sizeof(*l->devices), (void **)&l->devices, &l->n_devices, parse_device) < 0 ||
            get_str(c, v, "cgroupsPath", false, &l->cgroups_path) < 0)
                return -1;

        if (enter(c, v, "resources", &o, &mark) < 0)
                return -1;
        if (o) {
                l->resources = xzalloc(sizeof(*l->resources));
                if (parse_resources_obj(c, o, l->resources) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "intelRdt", &o, &mark) < 0)
                return -1;
        if (o) {
                l->intel_rdt = xzalloc(sizeof(*l->intel_rdt));
                if (parse_intel_rdt(c, o, l->intel_rdt) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_kv(c, v, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
                return -1;

        if (enter(c, v, "seccomp", &o, &mark) < 0)
                return -1;
        if (o) {
                bool has_default;
                l->seccomp = xzalloc(sizeof(*l->seccomp));
                if (parse_seccomp(c, o, l->seccomp, &has_default) < 0)
                        return -1;
                /* runc: no defaultAction and no rules means no filter. */
                if (!has_default) {
                        if (l->seccomp->n_syscalls > 0) {
                                missing(c, "defaultAction");
                                return -1;
                        }
                        seccomp_free(l->seccomp);
                        l->seccomp = NULL;
                }
                pop(c, mark);
        }

        if (get_str(c, v, "rootfsPropagation", false, &l->rootfs_propagation) < 0 ||
            get_strv(c, v, "maskedPaths", false, &l->masked_paths) < 0 ||
            get_strv(c, v, "readonlyPaths", false, &l->readonly_paths) < 0 ||
            get_str(c, v, "mountLabel", false, &l->mount_label) < 0)
                return -1;

        if (enter(c, v, "personality", &o, &mark) < 0)
                return -1;
        if (o) {
                l->personality = xzalloc(sizeof(*l->personality));
                if (get_str(c, o, "domain", true, &l->personality->domain) < 0 ||
                    get_strv(c, o, "flags", false, &l->personality->flags) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "memoryPolicy", &o, &mark) < 0)
                return -1;
        if (o) {
                l->memory_policy = xzalloc(sizeof(*l->memory_policy));
                if (get_str(c, o, "mode", true, &l->memory_policy->mode) < 0 ||
                    get_str(c, o, "nodes", false, &l->memory_policy->nodes) < 0 ||
                    get_strv(c, o, "flags", false, &l->memory_policy->flags) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_map(c, v, "netDevices", sizeof(*l->net_devices), (void **)&l->net_devices, &l->n_net_devices,
                    parse_net_device) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* The document.                                                       */

static int parse_spec_obj(struct pctx *c, yajl_val v, struct husk_spec *s)
{
        yajl_val o;
        size_t mark;

        if (get_str(c, v, "ociVersion", false, &s->oci_version) < 0)
                return -1;

        if (enter(c, v, "root", &o, &mark) < 0)
                return -1;
        if (o) {
                if (get_str(c, o, "path", false, &s->root_path) < 0 ||
                    get_bool(c, o, "readonly", &s->root_readonly) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_str(c, v, "hostname", false, &s->hostname) < 0 ||
            get_str(c, v, "domainname", false, &s->domainname) < 0 ||
            get_array(c, v, "mounts", sizeof(*s->mounts), (void **)&s->mounts, &s->n_mounts, parse_mount) < 0)
                return -1;

        yajl_val p = field(v, "process");
        if (p) {
                mark = push_key(c, "process");
                s->process = xzalloc(sizeof(*s->process));
                if (parse_process_obj(c, p, s->process) < 0)
                        return -1;
                pop(c, mark);
        }

        if (enter(c, v, "hooks", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_hooks(c, o, s->hooks) < 0)
                        return -1;
                pop(c, mark);
        }

        if (get_kv(c, v, "annotations", &s->annotations, &s->n_annotations) < 0)
                return -1;

        if (enter(c, v, "linux", &o, &mark) < 0)
                return -1;
        if (o) {
                s->linux = xzalloc(sizeof(*s->linux));
                if (parse_linux(c, o, s->linux) < 0)
                        return -1;
                pop(c, mark);
        }
        return 0;
}

/* Refuse what yajl_tree would mishandle: nesting deeper than MAX_DEPTH
 * (its free is recursive) and "\u0000" inside strings (C strings would
 * silently end there, e.g. a mount destination). */
static int doc_err(struct husk_error *err, const char *fmt, ...) HUSK_FMT(2, 3);
static int doc_err(struct husk_error *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        husk_error_vmake(err, HUSK_ERR_INVALID, 0, fmt, ap);
        va_end(ap);
        return -1;
}

static int prescan(const char *json, size_t len, const char *what, struct husk_error *err)
{
        size_t depth = 0;
        bool in_string = false;
        for (size_t i = 0; i < len; i++) {
                char ch = json[i];
                if (in_string) {
                        if (ch == '\\') {
                                if (i + 5 < len && json[i + 1] == 'u' && memcmp(json + i + 2, "0000", 4) == 0)
                                        return doc_err(err, "%s: invalid JSON: NUL character (\\u0000) in a string",
                                                       what);
                                i++;
                        } else if (ch == '"') {
                                in_string = false;
                        }
                } else if (ch == '"') {
                        in_string = true;
                } else if (ch == '[' || ch == '{') {
                        if (++depth > MAX_DEPTH)
                                return doc_err(err, "%s: invalid JSON: nested deeper than %d levels", what,
                                               MAX_DEPTH);
                } else if (ch == ']' || ch == '}') {
                        if (depth > 0)
                                depth--;
                }
        }
        return 0;
}

/* Parse a whole document into a yajl tree whose root is an object. */
static int parse_tree(const char *json, size_t len, const char *what, yajl_val *out, struct husk_error *err)
{
        if (!what)
                what = "config.json";
        if (memchr(json, '\0', len))
                return doc_err(err, "%s: invalid JSON: NUL byte in the document", what);
        if (prescan(json, len, what, err) < 0)
                return -1;
        _cleanup_free_ char *copy = xstrndup(json, len);
        char ebuf[1024] = "";
        yajl_val tree = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
        if (!tree) {
                /* yajl's message is several lines: keep the first, which
                 * names the problem; the rest draws the context. */
                char *nl = strchr(ebuf, '\n');
                if (nl)
                        *nl = '\0';
                return doc_err(err, "%s: invalid JSON: %s", what, ebuf[0] ? ebuf : "parse error");
        }
        if (!YAJL_IS_OBJECT(tree)) {
                yajl_tree_free(tree);
                return doc_err(err, "%s: expected a JSON object at the top level", what);
        }
        *out = tree;
        return 0;
}

int spec_parse(const char *json, size_t len, const char *what, struct husk_spec **out, struct husk_error *err)
{
        yajl_val tree;
        *out = NULL;
        if (parse_tree(json, len, what, &tree, err) < 0)
                return -1;
        struct pctx c = { .err = err };
        struct husk_spec *s = xzalloc(sizeof(*s));
        int r = parse_spec_obj(&c, tree, s);
        yajl_tree_free(tree);
        if (r == 0)
                r = spec_validate(s, err);
        if (r < 0) {
                spec_free(s);
                return -1;
        }
        *out = s;
        return 0;
}

int spec_load(const char *bundle, struct husk_spec **out, struct husk_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle && *bundle ? bundle : ".");
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        *out = NULL;
        if (read_user_file_at(AT_FDCWD, path, &data, &len, err) < 0)
                return -1;
        return spec_parse(data, len, "config.json", out, err);
}

int spec_parse_process(const char *json, size_t len, const char *what, struct husk_process **out,
                       struct husk_error *err)
{
        yajl_val tree;
        *out = NULL;
        if (!what)
                what = "process.json";
        if (parse_tree(json, len, what, &tree, err) < 0)
                return -1;
        struct pctx c = { .err = err };
        struct husk_process *p = xzalloc(sizeof(*p));
        int r = parse_process_obj(&c, tree, p);
        yajl_tree_free(tree);
        if (r == 0)
                r = spec_validate_process(p, NULL, err);
        if (r < 0) {
                spec_process_free(p);
                return husk_error_wrap(err, "%s", what);
        }
        *out = p;
        return 0;
}

int spec_parse_resources(const char *json, size_t len, const char *what, struct husk_resources **out,
                         struct husk_error *err)
{
        yajl_val tree;
        *out = NULL;
        if (!what)
                what = "resources.json";
        if (parse_tree(json, len, what, &tree, err) < 0)
                return -1;
        struct pctx c = { .err = err };
        struct husk_resources *r = xzalloc(sizeof(*r));
        int ret = parse_resources_obj(&c, tree, r);
        yajl_tree_free(tree);
        if (ret == 0)
                ret = spec_validate_resources(r, NULL, err);
        if (ret < 0) {
                spec_resources_free(r);
                return husk_error_wrap(err, "%s", what);
        }
        *out = r;
        return 0;
}

/* ------------------------------------------------------------------ */
/* Freeing.                                                            */

static void kv_free(struct husk_kv *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

void spec_process_free(struct husk_process *p)
{
        if (!p)
                return;
        free(p->user.additional_gids);
        free(p->user.username);
        strv_free(p->args);
        free(p->command_line);
        strv_free(p->env);
        free(p->cwd);
        strv_free(p->capabilities.bounding);
        strv_free(p->capabilities.effective);
        strv_free(p->capabilities.inheritable);
        strv_free(p->capabilities.permitted);
        strv_free(p->capabilities.ambient);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        if (p->scheduler) {
                free(p->scheduler->policy);
                strv_free(p->scheduler->flags);
                free(p->scheduler);
        }
        if (p->io_priority) {
                free(p->io_priority->class_name);
                free(p->io_priority);
        }
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
        free(p);
}

void spec_resources_free(struct husk_resources *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_devices; i++)
                free(r->devices[i].access);
        free(r->devices);
        free(r->memory);
        if (r->cpu) {
                free(r->cpu->cpus);
                free(r->cpu->mems);
                free(r->cpu);
        }
        if (r->block_io) {
                free(r->block_io->weight_device);
                free(r->block_io->throttle_read_bps);
                free(r->block_io->throttle_write_bps);
                free(r->block_io->throttle_read_iops);
                free(r->block_io->throttle_write_iops);
                free(r->block_io);
        }
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        for (size_t i = 0; i < r->n_rdma; i++)
                free(r->rdma[i].device);
        free(r->rdma);
        kv_free(r->unified, r->n_unified);
        free(r);
}

static void seccomp_free(struct husk_seccomp *s)
{
        if (!s)
                return;
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                strv_free(s->syscalls[i].names);
                free(s->syscalls[i].args);
        }
        free(s->syscalls);
        free(s);
}

static void linux_free(struct husk_linux *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n_namespaces; i++) {
                free(l->namespaces[i].type_name);
                free(l->namespaces[i].path);
        }
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        spec_resources_free(l->resources);
        if (l->intel_rdt) {
                free(l->intel_rdt->clos_id);
                free(l->intel_rdt->l3_cache_schema);
                free(l->intel_rdt->mem_bw_schema);
                strv_free(l->intel_rdt->schemata);
                free(l->intel_rdt);
        }
        kv_free(l->sysctl, l->n_sysctl);
        seccomp_free(l->seccomp);
        free(l->rootfs_propagation);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        if (l->personality) {
                free(l->personality->domain);
                strv_free(l->personality->flags);
                free(l->personality);
        }
        if (l->memory_policy) {
                free(l->memory_policy->mode);
                free(l->memory_policy->nodes);
                strv_free(l->memory_policy->flags);
                free(l->memory_policy);
        }
        for (size_t i = 0; i < l->n_net_devices; i++) {
                free(l->net_devices[i].host_name);
                free(l->net_devices[i].name);
        }
        free(l->net_devices);
        free(l);
}

void spec_free(struct husk_spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->root_path);
        free(spec->hostname);
        free(spec->domainname);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                struct husk_mount *m = &spec->mounts[i];
                free(m->destination);
                free(m->source);
                free(m->type);
                strv_free(m->options);
                free(m->uid_mappings);
                free(m->gid_mappings);
        }
        free(spec->mounts);
        spec_process_free(spec->process);
        for (int k = 0; k < HUSK_HOOK__MAX; k++) {
                for (size_t i = 0; i < spec->hooks[k].n; i++) {
                        free(spec->hooks[k].hooks[i].path);
                        strv_free(spec->hooks[k].hooks[i].args);
                        strv_free(spec->hooks[k].hooks[i].env);
                }
                free(spec->hooks[k].hooks);
        }
        kv_free(spec->annotations, spec->n_annotations);
        linux_free(spec->linux);
        free(spec);
}

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
