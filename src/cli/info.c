/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state, list, spec */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cgroup/cgroup.h"
#include "container/container.h"
#include "util/util.h"
#include "util/jsongen.h"

int cmd_state(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = cli_help_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        struct husk_error err = { 0 };
        struct husk_container ct;
        if (container_load_status(ctx->root, argv[optind], false, &ct, &err) < 0)
                return cli_fail(ctx, &err);
        /* "owner" is empty, as runc's state prints it (list names the user) */
        _cleanup_free_ char *json = state_to_json_owned(&ct.st, ct.status, true, "");
        printf("%s\n", json);
        container_release(&ct);
        return 0;
}

/* One container as list shows it: its state, kept until the table is
 * printed (its columns' widths depend on every row). */
struct row {
        struct husk_state st;
        enum husk_status status;
        const char *owner;      /* in listing.owners */
};

/* The user names of the owners met so far (a handful of uids at most):
 * every lookup reads /etc/passwd again. */
struct owner {
        uid_t uid;
        char *name;
};

/* What list prints, one container at a time. */
struct listing {
        bool json, quiet;
        yajl_gen g;             /* json */
        struct row *rows;       /* table */
        size_t nrows;
        struct owner *owners;
        size_t nowners;
};

static const char *owner_of(struct listing *l, uid_t uid)
{
        for (size_t i = 0; i < l->nowners; i++)
                if (l->owners[i].uid == uid)
                        return l->owners[i].name;
        l->owners = xrealloc(l->owners, (l->nowners + 1) * sizeof(*l->owners));
        l->owners[l->nowners] = (struct owner){ uid, state_owner_name(uid) };
        return l->owners[l->nowners++].name;
}

static const char *str_or_empty(const char *s)
{
        return s ? s : "";
}

/* Columns as runc's tabwriter prints them: min width 12, padding 3. */
static void print_table(const struct row *rows, size_t n)
{
        static const char *const hdr[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
        size_t w[6];
        for (int k = 0; k < 6; k++)
                w[k] = strlen(hdr[k]) + 3;
        char pid[24];
        for (size_t i = 0; i < n; i++) {
                const struct row *r = &rows[i];
                const char *cells[6] = { r->st.id, pid, state_status_name(r->status), str_or_empty(r->st.bundle),
                                         str_or_empty(r->st.created), r->owner };
                snprintf(pid, sizeof(pid), "%d", r->status == HUSK_STATUS_STOPPED ? 0 : (int)r->st.pid);
                for (int k = 0; k < 6; k++) {
                        size_t len = strlen(cells[k]) + 3;
                        if (len > w[k])
                                w[k] = len;
                }
        }
        for (int k = 0; k < 6; k++)
                if (w[k] < 12)
                        w[k] = 12;
        printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)w[0], hdr[0], (int)w[1], hdr[1], (int)w[2], hdr[2], (int)w[3],
               hdr[3], (int)w[4], hdr[4], hdr[5]);
        for (size_t i = 0; i < n; i++) {
                const struct row *r = &rows[i];
                printf("%-*s%-*d%-*s%-*s%-*s%s\n", (int)w[0], r->st.id, (int)w[1],
                       r->status == HUSK_STATUS_STOPPED ? 0 : (int)r->st.pid, (int)w[2],
                       state_status_name(r->status), (int)w[3], str_or_empty(r->st.bundle), (int)w[4],
                       str_or_empty(r->st.created), r->owner);
        }
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The container ids under root (its fd in *rootfd), sorted (none if root
 * does not exist). */
static int list_ids(const char *root, int *rootfd, char ***out, size_t *n, struct husk_error *err)
{
        char **names = NULL;
        size_t len = 0, cap = 0;
        *rootfd = -1;
        DIR *d = opendir(root);
        if (d) {
                struct dirent *e;
                while ((e = readdir(d))) {
                        if (e->d_name[0] == '.' || e->d_type != DT_DIR)
                                continue;
                        if (len + 2 > cap) {
                                cap = cap ? 2 * cap : 64;
                                names = xrealloc(names, cap * sizeof(*names));
                        }
                        names[len++] = xstrdup(e->d_name);
                        names[len] = NULL;
                }
                *rootfd = fcntl(dirfd(d), F_DUPFD_CLOEXEC, 3);
                closedir(d);
                if (*rootfd < 0) {
                        strv_free(names);
                        return husk_error_sys(err, "open state root %s", root);
                }
        } else if (errno != ENOENT) {
                return husk_error_sys(err, "open state root %s", root);
        }
        *n = len;
        if (len)
                qsort(names, len, sizeof(char *), cmp_names);
        *out = names;
        return 0;
}

/* Adds one container; the listing takes st. */
static void listing_add(struct listing *l, const char *name, struct husk_state *st, enum husk_status s)
{
        if (l->quiet) {
                printf("%s\n", name);
                state_free(st);
                return;
        }
        const char *owner = owner_of(l, st->owner);
        if (l->json) {
                state_to_json_gen(l->g, st, s, owner);
                state_free(st);
                return;
        }
        l->rows[l->nrows++] = (struct row){ .st = *st, .status = s, .owner = owner };
}

/* Print what was added, and free it all. */
static void listing_finish(struct listing *l)
{
        if (l->json) {
                yajl_gen_array_close(l->g);
                _cleanup_free_ char *json = jgen_finish(l->g);
                printf("%s\n", json ? json : "");
        } else if (!l->quiet) {
                print_table(l->rows, l->nrows);
        }
        for (size_t i = 0; i < l->nrows; i++)
                state_free(&l->rows[i].st);
        free(l->rows);
        for (size_t i = 0; i < l->nowners; i++)
                free(l->owners[i].name);
        free(l->owners);
}

int cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                CLI_HELP_OPTION,
                { 0 },
        };
        const char *format = "table";
        struct listing l = { 0 };
        int c;
        while ((c = cli_getopt(argc, argv, "f:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'f': format = optarg; break;
                case 'q': l.quiet = true; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        l.json = strcmp(format, "json") == 0;
        if (!l.json && strcmp(format, "table") != 0)
                return cli_usage_error(ctx, "--format: expected table or json, got \"%s\"", format);
        if (cli_need_args(ctx, argc, argv, 0, "") < 0)
                return 1;

        _cleanup_strv_ char **names = NULL;
        _cleanup_close_ int rootfd = -1;
        size_t n = 0;
        struct husk_error err = { 0 };
        if (list_ids(ctx->root, &rootfd, &names, &n, &err) < 0)
                return cli_fail(ctx, &err);
        l.rows = xzalloc((n + 1) * sizeof(*l.rows));
        if (l.json) {
                l.g = jgen_new(NULL);
                yajl_gen_array_open(l.g);
        }
        /* Per container only what its status needs: the state file, one
         * /proc/<pid>/stat read, the freezer of a live one. The cgroup mounts
         * and the owners' names are looked up once for all. */
        struct husk_error merr = { 0 };
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *mounts = n ? cgroup_mounts_read(&merr) : NULL;
        cgroup_mounts_keep_fds(mounts);
        for (size_t i = 0; i < n; i++) {
                struct husk_state st;
                enum husk_status s;
                if (container_peek(rootfd, names[i], mounts, &st, &s, NULL) < 0)
                        continue;       /* being created or half-made: runc skips these too */
                listing_add(&l, names[i], &st, s);
        }
        listing_finish(&l);
        return 0;
}

int cmd_spec(struct cli_ctx *ctx, int argc, char **argv)
{
        enum { OPT_ROOTLESS = 256 };
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "rootless", no_argument, NULL, OPT_ROOTLESS },
                CLI_HELP_OPTION,
                { 0 },
        };
        const char *bundle = ".";
        bool rootless = false;
        int c;
        while ((c = cli_getopt(argc, argv, "b:h", opts, NULL)) != -1) {
                switch (c) {
                case 'b': bundle = optarg; break;
                case OPT_ROOTLESS: rootless = true; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (cli_need_args(ctx, argc, argv, 0, "") < 0)
                return 1;
        struct husk_error err = { 0 };
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
        struct stat st;
        if (stat(bundle, &st) < 0 || !S_ISDIR(st.st_mode)) {
                husk_error_invalid(&err, "bundle %s: not a directory", bundle);
                return cli_fail(ctx, &err);
        }
        if (lstat(path, &st) == 0) {
                husk_error_exists(&err, "%s exists: remove it first", path);
                return cli_fail(ctx, &err);
        }
        _cleanup_free_ char *json = spec_default_json(rootless);
        size_t len = strlen(json);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 || write_all(fd, json, len) < 0 || (json[len - 1] != '\n' && write_all(fd, "\n", 1) < 0)) {
                husk_error_sys(&err, "write %s", path);
                return cli_fail(ctx, &err);
        }
        return 0;
}
