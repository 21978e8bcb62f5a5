/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json → struct husk_spec.
 *
 * The document is read with yajl_tree and walked field by field (walk.c
 * keeps the JSON path, so every error names the offending field):
 *
 *     process.rlimits[2].hard: expected a non-negative integer, got -1
 *
 * This file: the document, mounts, process and hooks; parse_linux.c: the
 * "linux" section; free.c: the free functions; query.c: lookups.
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
#include "spec/walk.h"
#include "util/util.h"

/* Deeper documents are refused before yajl sees them: yajl_tree_free()
 * recurses once per level, and no config.json nests more than ~8 levels. */
#define MAX_DEPTH 256

/* ------------------------------------------------------------------ */
/* mounts                                                              */

static int parse_mount(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_mount *m = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_str(c, v, "destination", true, &m->destination) < 0 ||
            jw_get_str(c, v, "source", false, &m->source) < 0 || jw_get_str(c, v, "type", false, &m->type) < 0 ||
            jw_get_strv(c, v, "options", false, &m->options) < 0 ||
            jw_get_idmaps(c, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
            jw_get_idmaps(c, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
                return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* process                                                             */

static int parse_u32_elem(struct pctx *c, yajl_val v, void *elem)
{
        uint64_t x;
        if (jw_val_u64(c, v, UINT32_MAX, &x) < 0)
                return -1;
        *(uint32_t *)elem = (uint32_t)x;
        return 0;
}

static int parse_rlimit(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_rlimit *rl = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_enum(c, v, "type", true, spec_rlimit_resource, "rlimit type", &rl->type, &rl->resource) < 0 ||
            jw_get_u64(c, v, "hard", true, UINT64_MAX, &rl->hard, NULL) < 0 ||
            jw_get_u64(c, v, "soft", true, UINT64_MAX, &rl->soft, NULL) < 0)
                return -1;
        return 0;
}

static int parse_user(struct pctx *c, yajl_val v, struct husk_user *u)
{
        if (jw_get_u32(c, v, "uid", false, &u->uid) < 0 || jw_get_u32(c, v, "gid", false, &u->gid) < 0 ||
            jw_get_opt_u64(c, v, "umask", UINT32_MAX, &u->umask) < 0 ||
            jw_get_array(c, v, "additionalGids", sizeof(uint32_t), (void **)&u->additional_gids, &u->n_additional_gids,
                      parse_u32_elem) < 0 ||
            jw_get_str(c, v, "username", false, &u->username) < 0)
                return -1;
        return 0;
}

static int parse_caps(struct pctx *c, yajl_val v, struct husk_caps *caps)
{
        if (jw_get_strv(c, v, "bounding", false, &caps->bounding) < 0 ||
            jw_get_strv(c, v, "effective", false, &caps->effective) < 0 ||
            jw_get_strv(c, v, "inheritable", false, &caps->inheritable) < 0 ||
            jw_get_strv(c, v, "permitted", false, &caps->permitted) < 0 ||
            jw_get_strv(c, v, "ambient", false, &caps->ambient) < 0)
                return -1;
        return 0;
}

static int parse_scheduler(struct pctx *c, yajl_val v, struct husk_scheduler *s)
{
        if (jw_get_enum(c, v, "policy", true, spec_sched_policy, "scheduler policy", &s->policy, &s->policy_num) < 0 ||
            jw_get_i32(c, v, "nice", false, &s->nice) < 0 || jw_get_i32(c, v, "priority", false, &s->priority) < 0 ||
            jw_get_strv(c, v, "flags", false, &s->flags) < 0 ||
            jw_get_u64(c, v, "runtime", false, UINT64_MAX, &s->runtime, NULL) < 0 ||
            jw_get_u64(c, v, "deadline", false, UINT64_MAX, &s->deadline, NULL) < 0 ||
            jw_get_u64(c, v, "period", false, UINT64_MAX, &s->period, NULL) < 0)
                return -1;
        return 0;
}

static int parse_io_priority(struct pctx *c, yajl_val v, struct husk_io_priority *io)
{
        if (jw_get_enum(c, v, "class", true, spec_ioprio_class, "I/O priority class", &io->class_name,
                     &io->class_num) < 0 ||
            jw_get_i32(c, v, "priority", true, &io->priority) < 0)
                return -1;
        return 0;
}

static int parse_process_obj(struct pctx *c, yajl_val v, struct husk_process *p)
{
        yajl_val o;
        size_t mark;

        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_bool(c, v, "terminal", &p->terminal) < 0)
                return -1;

        if (jw_enter(c, v, "consoleSize", &o, &mark) < 0)
                return -1;
        if (o) {
                p->has_console_size = true;
                if (jw_get_u32(c, o, "height", true, &p->console_height) < 0 ||
                    jw_get_u32(c, o, "width", true, &p->console_width) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "user", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_user(c, o, &p->user) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_strv(c, v, "args", false, &p->args) < 0 ||
            jw_get_str(c, v, "commandLine", false, &p->command_line) < 0 ||
            jw_get_strv(c, v, "env", false, &p->env) < 0 || jw_get_str(c, v, "cwd", false, &p->cwd) < 0)
                return -1;

        if (jw_enter(c, v, "capabilities", &o, &mark) < 0)
                return -1;
        if (o) {
                p->has_capabilities = true;
                if (parse_caps(c, o, &p->capabilities) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_array(c, v, "rlimits", sizeof(*p->rlimits), (void **)&p->rlimits, &p->n_rlimits, parse_rlimit) < 0 ||
            jw_get_bool(c, v, "noNewPrivileges", &p->no_new_privileges) < 0 ||
            jw_get_str(c, v, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
            jw_get_opt_i64(c, v, "oomScoreAdj", INT32_MIN, INT32_MAX, &p->oom_score_adj) < 0 ||
            jw_get_str(c, v, "selinuxLabel", false, &p->selinux_label) < 0)
                return -1;

        if (jw_enter(c, v, "scheduler", &o, &mark) < 0)
                return -1;
        if (o) {
                p->scheduler = xzalloc(sizeof(*p->scheduler));
                if (parse_scheduler(c, o, p->scheduler) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "ioPriority", &o, &mark) < 0)
                return -1;
        if (o) {
                p->io_priority = xzalloc(sizeof(*p->io_priority));
                if (parse_io_priority(c, o, p->io_priority) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "execCPUAffinity", &o, &mark) < 0)
                return -1;
        if (o) {
                if (jw_get_str(c, o, "initial", false, &p->exec_cpu_affinity_initial) < 0 ||
                    jw_get_str(c, o, "final", false, &p->exec_cpu_affinity_final) < 0)
                        return -1;
                jw_pop(c, mark);
        }
        return 0;
}

/* ------------------------------------------------------------------ */
/* hooks                                                               */

static int parse_hook(struct pctx *c, yajl_val v, void *elem)
{
        struct husk_hook *h = elem;
        if (jw_expect_object(c, v) < 0)
                return -1;
        if (jw_get_str(c, v, "path", true, &h->path) < 0 || jw_get_strv(c, v, "args", false, &h->args) < 0 ||
            jw_get_strv(c, v, "env", false, &h->env) < 0 ||
            jw_get_opt_i64(c, v, "timeout", INT32_MIN, INT32_MAX, &h->timeout) < 0)
                return -1;
        return 0;
}

static int parse_hooks(struct pctx *c, yajl_val v, struct husk_hook_list *lists)
{
        for (int k = 0; k < HUSK_HOOK__MAX; k++)
                if (jw_get_array(c, v, spec_hook_name(k), sizeof(struct husk_hook), (void **)&lists[k].hooks,
                                 &lists[k].n, parse_hook) < 0)
                        return -1;
        return 0;
}

/* ------------------------------------------------------------------ */
/* The document.                                                       */

static int parse_spec_obj(struct pctx *c, yajl_val v, struct husk_spec *s)
{
        yajl_val o;
        size_t mark;

        if (jw_get_str(c, v, "ociVersion", false, &s->oci_version) < 0)
                return -1;

        if (jw_enter(c, v, "root", &o, &mark) < 0)
                return -1;
        if (o) {
                if (jw_get_str(c, o, "path", false, &s->root_path) < 0 ||
                    jw_get_bool(c, o, "readonly", &s->root_readonly) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_str(c, v, "hostname", false, &s->hostname) < 0 ||
            jw_get_str(c, v, "domainname", false, &s->domainname) < 0 ||
            jw_get_array(c, v, "mounts", sizeof(*s->mounts), (void **)&s->mounts, &s->n_mounts, parse_mount) < 0)
                return -1;

        yajl_val p = jw_field(v, "process");
        if (p) {
                mark = jw_push_key(c, "process");
                s->process = xzalloc(sizeof(*s->process));
                if (parse_process_obj(c, p, s->process) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_enter(c, v, "hooks", &o, &mark) < 0)
                return -1;
        if (o) {
                if (parse_hooks(c, o, s->hooks) < 0)
                        return -1;
                jw_pop(c, mark);
        }

        if (jw_get_kv(c, v, "annotations", &s->annotations, &s->n_annotations) < 0)
                return -1;

        if (jw_enter(c, v, "linux", &o, &mark) < 0)
                return -1;
        if (o) {
                s->linux = xzalloc(sizeof(*s->linux));
                if (spec_parse_linux_obj(c, o, s->linux) < 0)
                        return -1;
                jw_pop(c, mark);
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
        int ret = spec_parse_resources_obj(&c, tree, r);
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

