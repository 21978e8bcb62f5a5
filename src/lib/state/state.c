/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <errno.h>
#include <yajl/yajl_parse.h>

#include "config.h"
#include "state/state.h"
#include "util/failpoint.h"
#include "util/jsongen.h"
#include "util/passwd.h"
#include "util/util.h"

int state_validate_id(const char *id, struct husk_error *err)
{
        if (!id || !*id)
                return husk_error_invalid(err, "container id must not be empty");
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
                return husk_error_invalid(err, "invalid container id \"%s\"", id);
        for (const char *p = id; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '+' || c == '-'))
                        return husk_error_invalid(err,
                                                  "invalid container id \"%s\": only [A-Za-z0-9_.+-] are allowed", id);
        }
        return 0;
}

int state_reserve(const char *root, const char *id, struct husk_error *err)
{
        if (state_validate_id(id, err) < 0)
                return -1;
        if (mkdir_p(root, 0700, err) < 0)
                return husk_error_wrap(err, "state root %s", root);
        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return husk_error_sys(err, "open state root %s", root);
        if (failpoint("state: reserve the dir", err) < 0)
                return -1;
        if (mkdirat(rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return husk_error_exists(err, "container \"%s\" already exists", id);
                return husk_error_sys(err, "create state dir %s/%s", root, id);
        }
        int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                husk_error_sys(err, "open state dir %s/%s", root, id);
                unlinkat(rootfd, id, AT_REMOVEDIR);
                return -1;
        }
        /* Nobody else can hold it yet: it was made a moment ago. */
        flock(fd, LOCK_EX);
        return fd;
}

int state_open(const char *root, const char *id, bool lock, struct husk_error *err)
{
        if (state_validate_id(id, err) < 0)
                return -1;
        _cleanup_free_ char *path = xasprintf("%s/%s", root, id);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return husk_error_not_found(err, "container \"%s\" does not exist", id);
                return husk_error_sys(err, "open state dir %s", path);
        }
        if (lock) {
                while (flock(fd, LOCK_EX) < 0) {
                        if (errno != EINTR) {
                                husk_error_sys(err, "lock %s", path);
                                close(fd);
                                return -1;
                        }
                }
                /* It may have been deleted while we waited for the lock. */
                struct stat st;
                if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
                        close(fd);
                        return husk_error_not_found(err, "container \"%s\" does not exist", id);
                }
        }
        return fd;
}

/* ---- JSON ---- */

char *state_owner_name(uid_t uid)
{
        char *name = passwd_lookup("/etc/passwd", uid, PASSWD_NAME);
        return name ? name : xasprintf("#%u", (unsigned)uid);
}

/* What the OCI state JSON shows, from state.json or from a spec. */
struct state_view {
        const char *id, *bundle, *rootfs, *created;
        pid_t pid;
        const struct husk_kv *annotations;
        size_t n_annotations;
};

static char *to_json(const struct state_view *st, enum husk_status status, bool runc_fields, bool pretty,
                     const char *owner);

static struct state_view view_of(const struct husk_state *st)
{
        return (struct state_view){ .id = st->id, .bundle = st->bundle, .rootfs = st->rootfs,
                                    .created = st->created, .pid = st->pid, .annotations = st->annotations,
                                    .n_annotations = st->n_annotations };
}

char *state_to_json(const struct husk_state *st, enum husk_status status, bool runc_fields, bool pretty)
{
        struct state_view v = view_of(st);
        if (!runc_fields)
                return to_json(&v, status, false, pretty, NULL);
        _cleanup_free_ char *o = state_owner_name(st->owner);
        return to_json(&v, status, true, pretty, o);
}

char *state_to_json_owned(const struct husk_state *st, enum husk_status status, bool pretty, const char *owner)
{
        struct state_view v = view_of(st);
        return to_json(&v, status, true, pretty, owner);
}

char *state_hook_json(const char *id, pid_t pid, const char *bundle, const struct husk_spec *spec,
                      enum husk_status status)
{
        struct state_view v = { .id = id, .pid = pid, .bundle = bundle, .annotations = spec->annotations,
                                .n_annotations = spec->n_annotations };
        return to_json(&v, status, false, false, NULL);
}

static void gen_json(yajl_gen g, const struct state_view *st, enum husk_status status, bool runc_fields,
                     const char *owner);

static char *to_json(const struct state_view *st, enum husk_status status, bool runc_fields, bool pretty,
                     const char *owner)
{
        yajl_gen g = jgen_new(pretty ? "  " : NULL);
        gen_json(g, st, status, runc_fields, owner);
        return jgen_finish(g);
}

void state_to_json_gen(yajl_gen g, const struct husk_state *st, enum husk_status status, const char *owner)
{
        struct state_view v = view_of(st);
        gen_json(g, &v, status, true, owner);
}

static void gen_json(yajl_gen g, const struct state_view *st, enum husk_status status, bool runc_fields,
                     const char *owner)
{
        yajl_gen_map_open(g);
        jgen_kv_str(g, "ociVersion", HUSK_OCI_VERSION);
        jgen_kv_str(g, "id", st->id);
        if (runc_fields) {
                jgen_kv_int(g, "pid", status == HUSK_STATUS_STOPPED ? 0 : st->pid);
                jgen_kv_str(g, "status", state_status_name(status));
        } else {
                jgen_kv_str(g, "status", state_status_name(status));
                if (status != HUSK_STATUS_STOPPED || st->pid > 0) {
                        jgen_kv_int(g, "pid", st->pid);
                }
        }
        jgen_kv_str(g, "bundle", st->bundle);
        if (runc_fields) {
                jgen_kv_str(g, "rootfs", st->rootfs);
                jgen_kv_str(g, "created", st->created);
        }
        if (st->n_annotations > 0 || !runc_fields) {
                jgen_str(g, "annotations");
                yajl_gen_map_open(g);
                for (size_t i = 0; i < st->n_annotations; i++)
                        jgen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
                yajl_gen_map_close(g);
        }
        if (runc_fields)
                jgen_kv_str(g, "owner", owner);
        yajl_gen_map_close(g);
}

int state_write(int dirfd, const struct husk_state *st, struct husk_error *err)
{
        if (failpoint("state: write state.json", err) < 0)
                return -1;
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "id", st->id);
        jgen_kv_int(g, "pid", st->pid);
        jgen_kv_int(g, "start_time", (long long)st->start_time);
        jgen_kv_str(g, "bundle", st->bundle);
        jgen_kv_str(g, "rootfs", st->rootfs);
        jgen_kv_str(g, "created", st->created);
        jgen_kv_int(g, "owner", st->owner);
        if (st->cgroup && st->cgroup[0] == '{') {
                jgen_str(g, "cgroup");
                jgen_raw(g, st->cgroup);        /* the cgroup manager's object */
        } else if (st->cgroup) {
                jgen_kv_str(g, "cgroup", st->cgroup);
        }
        jgen_kv_bool(g, "systemd_cgroup", st->systemd_cgroup);
        jgen_kv_bool(g, "rootless", st->rootless);
        if (st->hooks_known) {
                jgen_kv_bool(g, "poststart_hooks", st->poststart_hooks);
                jgen_kv_bool(g, "poststop_hooks", st->poststop_hooks);
        }
        jgen_str(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < st->n_annotations; i++)
                jgen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        _cleanup_free_ char *json = jgen_finish(g);

        /* atomic: temp file in the same dir, then rename */
        char tmp[64];
        snprintf(tmp, sizeof(tmp), ".%s.%d", STATE_FILE, (int)getpid());
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return husk_error_sys(err, "write state");
        if (write_all(fd, json, strlen(json)) < 0) {
                husk_error_sys(err, "write state");
                unlinkat(dirfd, tmp, 0);
                return -1;
        }
        if (replace_at(dirfd, tmp, STATE_FILE) < 0) {
                husk_error_sys(err, "write state");
                unlinkat(dirfd, tmp, 0);
                return -1;
        }
        return 0;
}

/* state.json is read by a yajl callback parser, not a tree: `list` reads one
 * per container, and a tree of the cgroup manager's object costs an
 * allocation per node. Top-level keys only; the first occurrence of a key
 * wins (as yajl_tree_get's first match did); numbers count only when they
 * are integers that fit a long long. */
enum { K_ID, K_PID, K_START, K_BUNDLE, K_ROOTFS, K_CREATED, K_OWNER, K_CGROUP, K_SDCG,
       K_ROOTLESS, K_ANN, K_POSTSTART, K_POSTSTOP, K_OTHER };
static const char *const state_keys[] = { "id", "pid", "start_time", "bundle", "rootfs", "created",
                                          "owner", "cgroup", "systemd_cgroup", "rootless",
                                          "annotations", "poststart_hooks", "poststop_hooks" };

struct sparse {
        struct husk_state *st;
        char *id;
        int depth;              /* containers open around the current token */
        int key;                /* the top-level key whose value comes next */
        unsigned seen;          /* top-level keys already met */
        unsigned hook_bools;    /* of K_POSTSTART, K_POSTSTOP: those met as booleans */
        yajl_handle h;
        const char *data;       /* the text parsed, in one piece */
        size_t cg_start;        /* offset of the cgroup object's '{' */
        int cg_depth;           /* > 0: inside the cgroup object */
        bool in_ann;            /* inside the first "annotations" object */
        size_t ann_cap;
        const struct state_sub *sub;    /* given the cgroup object's events, or NULL */
};

/* The value of top-level key k starts (depth 1): true if it is the first. */
static bool sp_first(struct sparse *p)
{
        if (p->depth != 1 || p->key == K_OTHER || (p->seen & (1u << p->key)))
                return false;
        p->seen |= 1u << p->key;
        return true;
}

/* Inside the cgroup object: its text is copied as it is once it ends, not
 * rebuilt token by token (it is most of state.json). */
static bool sp_in_cg(const struct sparse *p)
{
        return p->cg_depth > 0;
}

/* An event of the cgroup object, to the sub-parser (its answer: 0 cancels). */
#define SP_SUB(p, fn, ...) ((p)->sub && (p)->sub->cb->fn ? (p)->sub->cb->fn((p)->sub->ctx, ##__VA_ARGS__) : 1)

static int sp_null(void *ctx)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p))
                return SP_SUB(p, yajl_null);
        sp_first(p);
        return 1;
}

static int sp_bool(void *ctx, int v)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p))
                return SP_SUB(p, yajl_boolean, v);
        if (sp_first(p)) {
                if (p->key == K_SDCG)
                        p->st->systemd_cgroup = v;
                else if (p->key == K_ROOTLESS)
                        p->st->rootless = v;
                else if (p->key == K_POSTSTART)
                        p->st->poststart_hooks = v;
                else if (p->key == K_POSTSTOP)
                        p->st->poststop_hooks = v;
                if (p->key == K_POSTSTART || p->key == K_POSTSTOP)
                        p->hook_bools |= 1u << p->key;
        }
        return 1;
}

static int sp_number(void *ctx, const char *n, size_t len)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p))
                return SP_SUB(p, yajl_number, n, len);
        if (!sp_first(p) || (p->key != K_PID && p->key != K_START && p->key != K_OWNER))
                return 1;
        char buf[32];
        if (len >= sizeof(buf) || memchr(n, '.', len) || memchr(n, 'e', len) || memchr(n, 'E', len))
                return 1;
        memcpy(buf, n, len);
        buf[len] = '\0';
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == ERANGE)
                return 1;
        if (p->key == K_PID)
                p->st->pid = (pid_t)v;
        else if (p->key == K_START)
                p->st->start_time = (uint64_t)v;
        else
                p->st->owner = (uid_t)v;
        return 1;
}

static int sp_string(void *ctx, const unsigned char *s, size_t len)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p))
                return SP_SUB(p, yajl_string, s, len);
        if (p->in_ann && p->depth == 2 && p->st->n_annotations > 0) {
                struct husk_kv *a = &p->st->annotations[p->st->n_annotations - 1];
                if (!a->value)
                        a->value = xstrndup((const char *)s, len);
                return 1;
        }
        if (!sp_first(p))
                return 1;
        char **dst = p->key == K_ID ? &p->id : p->key == K_BUNDLE ? &p->st->bundle :
                     p->key == K_ROOTFS ? &p->st->rootfs : p->key == K_CREATED ? &p->st->created :
                     p->key == K_CGROUP ? &p->st->cgroup : NULL;
        if (dst)
                *dst = xstrndup((const char *)s, len);
        return 1;
}

static int sp_start(void *ctx, bool map)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p)) {
                p->cg_depth++;
        } else if (sp_first(p)) {
                if (map && p->key == K_CGROUP) {
                        /* the lexer's offset is just past the '{' */
                        p->cg_start = yajl_get_bytes_consumed(p->h) - 1;
                        p->cg_depth = 1;
                } else if (map && p->key == K_ANN) {
                        p->in_ann = true;
                }
        }
        p->depth++;
        if (!sp_in_cg(p))
                return 1;
        return map ? SP_SUB(p, yajl_start_map) : SP_SUB(p, yajl_start_array);
}

static int sp_start_map(void *ctx) { return sp_start(ctx, true); }
static int sp_start_array(void *ctx) { return sp_start(ctx, false); }

static int sp_end(void *ctx, bool map)
{
        struct sparse *p = ctx;
        p->depth--;
        if (sp_in_cg(p)) {
                if (!(map ? SP_SUB(p, yajl_end_map) : SP_SUB(p, yajl_end_array)))
                        return 0;
                if (--p->cg_depth > 0)
                        return 1;
                /* the whole text was given to one yajl_parse: offsets are into it */
                size_t end = yajl_get_bytes_consumed(p->h);
                if (end <= p->cg_start || p->data[p->cg_start] != '{' || p->data[end - 1] != '}')
                        return 0;       /* cannot be: yajl reports the parse as cancelled */
                p->st->cgroup = xstrndup(p->data + p->cg_start, end - p->cg_start);
        } else if (p->in_ann && p->depth == 1) {
                p->in_ann = false;
        }
        return 1;
}

static int sp_end_map(void *ctx) { return sp_end(ctx, true); }
static int sp_end_array(void *ctx) { return sp_end(ctx, false); }

static int sp_key(void *ctx, const unsigned char *k, size_t len)
{
        struct sparse *p = ctx;
        if (sp_in_cg(p))
                return SP_SUB(p, yajl_map_key, k, len);
        if (p->in_ann && p->depth == 2) {
                struct husk_state *st = p->st;
                if (st->n_annotations == p->ann_cap) {
                        p->ann_cap = p->ann_cap ? 2 * p->ann_cap : 8;
                        st->annotations = xrealloc(st->annotations, p->ann_cap * sizeof(*st->annotations));
                }
                st->annotations[st->n_annotations].key = xstrndup((const char *)k, len);
                st->annotations[st->n_annotations++].value = NULL;
                return 1;
        }
        if (p->depth == 1) {
                p->key = K_OTHER;
                for (int i = 0; i < K_OTHER; i++) {
                        if (len && state_keys[i][0] == k[0] && strlen(state_keys[i]) == len &&
                            memcmp(state_keys[i], k, len) == 0) {
                                p->key = i;
                                break;  /* the names are distinct */
                        }
                }
        }
        return 1;
}

static const yajl_callbacks state_callbacks = {
        .yajl_null = sp_null,
        .yajl_boolean = sp_bool,
        .yajl_number = sp_number,
        .yajl_string = sp_string,
        .yajl_start_map = sp_start_map,
        .yajl_map_key = sp_key,
        .yajl_end_map = sp_end_map,
        .yajl_start_array = sp_start_array,
        .yajl_end_array = sp_end_array,
};

/* <id>/<file> below the state root, for the *_in functions. */
#define STATE_PATH_MAX (1024 + 64)
static const char *in_dir(char buf[STATE_PATH_MAX], const char *id, const char *file)
{
        size_t li = strnlen(id, STATE_PATH_MAX), lf = strlen(file);
        if (li + 1 + lf >= STATE_PATH_MAX) {
                buf[0] = '\0';  /* no valid id is this long: a path that is never found */
                return buf;
        }
        memcpy(buf, id, li);
        buf[li] = '/';
        memcpy(buf + li + 1, file, lf + 1);
        return buf;
}

/* state.json could not be read: err says why. */
static int no_state(const char *id, struct husk_error *err)
{
        if (err && err->errnum == ENOENT)
                /* reserved but never committed: a half-made container */
                return husk_error_state(err, "container \"%s\" has no state (still being created?)", id);
        return -1;
}

int state_read(int dirfd, const char *id, struct husk_state *st, struct husk_error *err)
{
        return state_read_with(dirfd, id, NULL, st, err);
}

int state_read_with(int dirfd, const char *id, const struct state_sub *cg, struct husk_state *st,
                    struct husk_error *err)
{
        memset(st, 0, sizeof(*st));
        char buf[8192];
        _cleanup_free_ char *heap = NULL;
        const char *data = read_user_file_small_at(dirfd, STATE_FILE, buf, sizeof(buf), &heap, err);
        if (!data)
                return no_state(id, err);
        return state_parse_with(data, id, cg, st, err);
}

int state_read_in(int rootfd, const char *id, const struct state_sub *cg, struct husk_state *st,
                  struct husk_error *err)
{
        memset(st, 0, sizeof(*st));
        if (state_validate_id(id, err) < 0)
                return -1;
        char path[STATE_PATH_MAX], buf[8192];
        _cleanup_free_ char *heap = NULL;
        const char *data = read_user_file_small_at(rootfd, in_dir(path, id, STATE_FILE), buf, sizeof(buf), &heap, err);
        if (!data)
                return no_state(id, err);
        return state_parse_with(data, id, cg, st, err);
}

int state_parse(const char *data, const char *id, struct husk_state *st, struct husk_error *err)
{
        return state_parse_with(data, id, NULL, st, err);
}

int state_parse_with(const char *data, const char *id, const struct state_sub *cg, struct husk_state *st,
                     struct husk_error *err)
{
        memset(st, 0, sizeof(*st));
        struct sparse p = { .st = st, .key = K_OTHER, .data = data, .sub = cg };
        yajl_handle h = yajl_alloc(&state_callbacks, NULL, &p);
        p.h = h;
        yajl_config(h, yajl_allow_comments, 1);
        size_t len = strlen(data);
        yajl_status s = yajl_parse(h, (const unsigned char *)data, len);
        if (s == yajl_status_ok)
                s = yajl_complete_parse(h);
        if (s != yajl_status_ok) {
                unsigned char *e = yajl_get_error(h, 1, (const unsigned char *)data, len);
                husk_error_invalid(err, "container \"%s\": corrupt state.json: %.255s", id, (char *)e);
                yajl_free_error(h, e);
                yajl_free(h);
                free(p.id);
                state_free(st);
                memset(st, 0, sizeof(*st));
                return -1;
        }
        yajl_free(h);
        st->hooks_known = p.hook_bools == (1u << K_POSTSTART | 1u << K_POSTSTOP);
        if (!st->hooks_known)
                st->poststart_hooks = st->poststop_hooks = false;
        for (size_t i = 0; i < st->n_annotations; i++)
                if (!st->annotations[i].value)
                        st->annotations[i].value = xstrdup("");
        st->id = p.id ? p.id : xstrdup(id);
        return 0;
}

void state_free(struct husk_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->cgroup);
        for (size_t i = 0; i < st->n_annotations; i++) {
                free(st->annotations[i].key);
                free(st->annotations[i].value);
        }
        free(st->annotations);
        memset(st, 0, sizeof(*st));
}

/* A directory of the state dir (notify/, for NOTIFY_SOCKET): its entries
 * (files, sockets) and itself. */
static void remove_subdir(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                DIR *d = fdopendir(fd);
                if (d) {
                        struct dirent *e;
                        while ((e = readdir(d)))
                                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                                        unlinkat(fd, e->d_name, 0);
                        closedir(d);
                } else {
                        close(fd);
                }
        }
        unlinkat(dirfd, name, AT_REMOVEDIR);
}

int state_remove(const char *root, const char *id, int dirfd, struct husk_error *err)
{
        /* What a state dir usually holds once its container ran; anything
         * else (exec.sock, notify/, records of a half-made create...) is
         * found by listing the dir when the rmdir says it isn't empty. */
        _cleanup_free_ char *path = xasprintf("%s/%s", root, id);
        unlinkat(dirfd, STATE_FILE, 0);
        unlinkat(dirfd, STATE_CONFIG, 0);
        if (rmdir(path) == 0 || errno == ENOENT)
                return 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
                return husk_error_sys(err, "remove state dir %s", path);
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
                DIR *d = fdopendir(TAKE_FD(fd));
                if (d) {
                        struct dirent *e;
                        while ((e = readdir(d))) {
                                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                                        continue;
                                if (unlinkat(dirfd, e->d_name, 0) == 0 || errno != EISDIR)
                                        continue;
                                /* only notify/ is emptied: another directory
                                 * (restore's criu-root) may be a mount point */
                                if (strcmp(e->d_name, "notify") == 0)
                                        remove_subdir(dirfd, e->d_name);
                                else
                                        unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
                        }
                        closedir(d);
                }
        }
        if (rmdir(path) < 0 && errno != ENOENT)
                return husk_error_sys(err, "remove state dir %s", path);
        return 0;
}

bool state_init_alive(const struct husk_state *st)
{
        if (st->pid <= 0)
                return false;
        char state;
        uint64_t start;
        if (proc_stat_read(st->pid, &state, &start) < 0)
                return false;
        if (state == 'Z' || state == 'X')
                return false;
        return start == st->start_time;
}

/* exec.sock is path below fd */
static enum husk_status status_of(int fd, const char *path, const struct husk_state *st, bool alive, bool paused)
{
        if (st->pid <= 0)
                return HUSK_STATUS_CREATING;
        if (!alive)
                return HUSK_STATUS_STOPPED;
        if (paused)
                return HUSK_STATUS_PAUSED;
        if (faccessat(fd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return HUSK_STATUS_CREATED;
        return HUSK_STATUS_RUNNING;
}

enum husk_status state_status_of(int dirfd, const struct husk_state *st, bool alive, bool paused)
{
        return status_of(dirfd, STATE_EXEC_SOCK, st, alive, paused);
}

enum husk_status state_status_in(int rootfd, const char *id, const struct husk_state *st, bool alive, bool paused)
{
        char path[STATE_PATH_MAX];
        return status_of(rootfd, in_dir(path, id, STATE_EXEC_SOCK), st, alive, paused);
}

enum husk_status state_status(int dirfd, const struct husk_state *st, bool paused)
{
        return state_status_of(dirfd, st, state_init_alive(st), paused);
}

const char *state_status_name(enum husk_status s)
{
        switch (s) {
        case HUSK_STATUS_CREATING: return "creating";
        case HUSK_STATUS_CREATED: return "created";
        case HUSK_STATUS_RUNNING: return "running";
        case HUSK_STATUS_PAUSED: return "paused";
        default: return "stopped";
        }
}

char *state_now_rfc3339(void)
{
        char buf[64];
        time_now_rfc3339(buf, sizeof(buf));
        return xstrdup(buf);
}
