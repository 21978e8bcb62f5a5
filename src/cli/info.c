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
        if (container_load(ctx->root, argv[optind], false, &ct, &err) < 0)
                return cli_fail(ctx, &err);
        /* "owner" is empty, as runc's state prints it (list names the user) */
        _cleanup_free_ char *json = state_to_json_owned(&ct.st, ct.status, true, "");
        printf("%s\n", json);
        container_release(&ct);
        return 0;
}

struct row {
        char *cells[6];
};

static void print_table(struct row *rows, size_t n)
{
        /* Columns as runc's tabwriter prints them: min width 12, padding 3. */
        size_t w[6] = { 0 };
        for (size_t i = 0; i < n; i++)
                for (int k = 0; k < 6; k++) {
                        size_t l = strlen(rows[i].cells[k]) + 3;
                        if (l > w[k])
                                w[k] = l;
                }
        for (int k = 0; k < 6; k++)
                if (w[k] < 12)
                        w[k] = 12;
        for (size_t i = 0; i < n; i++) {
                for (int k = 0; k < 5; k++)
                        printf("%-*s", (int)w[k], rows[i].cells[k]);
                printf("%s\n", rows[i].cells[5]);
        }
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The container ids under root, sorted (none if root does not exist). */
static int list_ids(const char *root, char ***out, size_t *n, struct husk_error *err)
{
        char **names = NULL;
        DIR *d = opendir(root);
        if (d) {
                struct dirent *e;
                while ((e = readdir(d)))
                        if (e->d_name[0] != '.' && e->d_type == DT_DIR)
                                names = strv_append(names, e->d_name);
                closedir(d);
        } else if (errno != ENOENT) {
                return husk_error_sys(err, "open state root %s", root);
        }
        *n = strv_length(names);
        if (*n)
                qsort(names, *n, sizeof(char *), cmp_names);
        *out = names;
        return 0;
}

/* What list prints, one container at a time. */
struct listing {
        bool json, quiet;
        yajl_gen g;             /* json */
        struct row *rows;       /* table: the header, then one per container */
        size_t nrows;
        char *owner;            /* the last owner's name, for its uid */
        uid_t owner_uid;
};

static void listing_add(struct listing *l, const char *name, struct husk_container *ct)
{
        enum husk_status s = ct->status;
        if (!l->quiet && (!l->owner || l->owner_uid != ct->st.owner)) {
                free(l->owner);
                l->owner = state_owner_name(ct->st.owner);
                l->owner_uid = ct->st.owner;
        }
        if (l->quiet) {
                printf("%s\n", name);
        } else if (l->json) {
                _cleanup_free_ char *one = state_to_json_owned(&ct->st, s, false, l->owner);
                jgen_raw(l->g, one);
        } else {
                char **cells = l->rows[l->nrows++].cells;
                cells[0] = xstrdup(ct->st.id);
                cells[1] = xasprintf("%d", s == HUSK_STATUS_STOPPED ? 0 : (int)ct->st.pid);
                cells[2] = xstrdup(state_status_name(s));
                cells[3] = xstrdup(ct->st.bundle);
                cells[4] = xstrdup(ct->st.created);
                cells[5] = xstrdup(l->owner);
        }
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
                for (int k = 0; k < 6; k++)
                        free(l->rows[i].cells[k]);
        free(l->rows);
        free(l->owner);
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
        size_t n = 0;
        struct husk_error err = { 0 };
        if (list_ids(ctx->root, &names, &n, &err) < 0)
                return cli_fail(ctx, &err);
        l.rows = xzalloc((n + 1) * sizeof(*l.rows));
        if (l.json) {
                l.g = jgen_new(NULL);
                yajl_gen_array_open(l.g);
        } else if (!l.quiet) {
                static const char *hdr[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
                for (int k = 0; k < 6; k++)
                        l.rows[0].cells[k] = xstrdup(hdr[k]);
                l.nrows = 1;
        }
        /* Per container only what its status needs: the state file, one
         * /proc/<pid>/stat read, the freezer of a live one. The cgroup mounts
         * and the owners' names are looked up once for all. */
        struct husk_error merr = { 0 };
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *mounts = n ? cgroup_mounts_read(&merr) : NULL;
        for (size_t i = 0; i < n; i++) {
                struct husk_error lerr = { 0 };
                struct husk_container ct;
                if (container_load_in(ctx->root, names[i], false, mounts, &ct, &lerr) < 0)
                        continue;       /* being created or half-made: runc skips these too */
                listing_add(&l, names[i], &ct);
                container_release(&ct);
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
