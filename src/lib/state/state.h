/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-container state under <root>/<id>/:
 *   state.json   what `husk state` needs, written atomically (tmp + rename)
 *   config.json  the bundle's config at create time (hooks, cgroup at delete)
 *   exec.sock    the create/start barrier, a unix socket the init listens
 *                on; gone once started
 * The directory itself is the lock: every mutating command holds flock() on
 * it. Status is derived from the init process, never trusted from the file. */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "husk/error.h"
#include "husk/spec.h"

enum husk_status {
        HUSK_STATUS_CREATING,
        HUSK_STATUS_CREATED,
        HUSK_STATUS_RUNNING,
        HUSK_STATUS_PAUSED,
        HUSK_STATUS_STOPPED,
};

struct husk_state {
        char *id;
        pid_t pid;                      /* init, in husk's pid namespace; 0 while creating */
        uint64_t start_time;            /* /proc/<pid>/stat field 22: defends against pid reuse */
        char *bundle;                   /* absolute */
        char *rootfs;                   /* absolute */
        char *created;                  /* RFC 3339 with nanoseconds, UTC */
        uid_t owner;
        char *cgroup;                   /* cgroup_manager_save()'s JSON object (kept in state.json as
                                         * an object), an older husk's string, or NULL */
        bool systemd_cgroup;
        bool rootless;
        struct husk_kv *annotations; size_t n_annotations;
        /* Has the saved config.json poststart / poststop hooks (the ones
         * start and delete run)? Without them those commands need not read
         * it. hooks_known: said by state.json ("poststart_hooks",
         * "poststop_hooks"); an older husk's says nothing: read config.json. */
        bool hooks_known, poststart_hooks, poststop_hooks;
};

#define STATE_FILE "state.json"
#define STATE_CONFIG "config.json"
#define STATE_EXEC_SOCK "exec.sock"

/* [A-Za-z0-9_.+-]+, not "." or "..", at most 1024 bytes. */
int state_validate_id(const char *id, struct husk_error *err);

/* mkdir <root> (0700, parents) and <root>/<id> exclusively, lock it.
 * Returns the locked dir fd. An existing id: `container "<id>" already exists`
 * (HUSK_ERR_EXISTS). */
int state_reserve(const char *root, const char *id, struct husk_error *err);
/* Open an existing container's dir; lock it (LOCK_EX) when `lock`.
 * Missing: `container "<id>" does not exist` (HUSK_ERR_NOT_FOUND). */
int state_open(const char *root, const char *id, bool lock, struct husk_error *err);

int state_write(int dirfd, const struct husk_state *st, struct husk_error *err);
/* A dir without state.json (a create still running, or one that died
 * half-way) is HUSK_ERR_STATE: `container "<id>" has no state ...`. */
int state_read(int dirfd, const char *id, struct husk_state *st, struct husk_error *err);
/* A parser given the events of state.json's "cgroup" object (the first
 * "cgroup" key's value, when it is an object) as a parser of that object
 * alone would get them, from its '{' to its '}' (numbers as yajl_number).
 * A callback's 0 makes the whole parse fail. */
struct state_sub {
        const yajl_callbacks *cb;
        void *ctx;
};
/* state_read giving the cgroup object to cg (may be NULL) on the way. */
int state_read_with(int dirfd, const char *id, const struct state_sub *cg, struct husk_state *st,
                    struct husk_error *err);
/* state_read through the state root's fd, without opening <id>'s dir
 * (husk list); the id is validated as state_open() does. cg may be NULL. */
int state_read_in(int rootfd, const char *id, const struct state_sub *cg, struct husk_state *st,
                  struct husk_error *err);
/* The parsing half of state_read: a NUL-terminated state.json (fuzzed). */
int state_parse(const char *data, const char *id, struct husk_state *st, struct husk_error *err);
int state_parse_with(const char *data, const char *id, const struct state_sub *cg, struct husk_state *st,
                     struct husk_error *err);
void state_free(struct husk_state *st);

/* Remove everything in the dir and the dir itself. */
int state_remove(const char *root, const char *id, int dirfd, struct husk_error *err);

/* Is the init process (pid, start_time) still the same live process?
 * A zombie counts as gone. */
bool state_init_alive(const struct husk_state *st);
/* Derived status: stopped if init is gone, created while exec.sock exists,
 * paused if `paused` (the caller asks the cgroup), else running. */
enum husk_status state_status(int dirfd, const struct husk_state *st, bool paused);
/* The same when the caller already asked state_init_alive(). */
enum husk_status state_status_of(int dirfd, const struct husk_state *st, bool alive, bool paused);
/* The same through the state root's fd. */
enum husk_status state_status_in(int rootfd, const char *id, const struct husk_state *st, bool alive, bool paused);
const char *state_status_name(enum husk_status s);

/* The OCI state JSON (ociVersion id status pid bundle annotations) plus, with
 * `runc_fields`, rootfs created owner as `runc state` prints. */
char *state_to_json(const struct husk_state *st, enum husk_status status, bool runc_fields, bool pretty);
/* With runc's fields and the owner's name given (husk list looks each uid
 * up once: every lookup reads /etc/passwd again). */
char *state_to_json_owned(const struct husk_state *st, enum husk_status status, bool pretty, const char *owner);
/* The same object written into g (husk list -f json: one array of them). */
void state_to_json_gen(yajl_gen g, const struct husk_state *st, enum husk_status status, const char *owner);
/* The OCI state given to hooks (and to a seccomp listener) while creating
 * or starting, before or apart from state.json: id, status, pid, bundle,
 * the spec's annotations. */
char *state_hook_json(const char *id, pid_t pid, const char *bundle, const struct husk_spec *spec,
                      enum husk_status status);
/* The user name of uid (the host's /etc/passwd, read as runc reads it:
 * no NSS), else "#<uid>". */
char *state_owner_name(uid_t uid);

/* RFC 3339 UTC with nanoseconds, like Go's time.Time JSON. */
char *state_now_rfc3339(void);

#endif
