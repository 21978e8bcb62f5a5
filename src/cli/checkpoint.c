/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checkpoint, restore: runc 1.1's flags, through CRIU (container/checkpoint.c). */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "container/container.h"
#include "util/util.h"

static int parse_cg_mode(struct cli_ctx *ctx, const char *s, enum husk_cg_mode *out)
{
        if (strcmp(s, "soft") == 0)
                *out = HUSK_CG_MODE_SOFT;
        else if (strcmp(s, "full") == 0)
                *out = HUSK_CG_MODE_FULL;
        else if (strcmp(s, "strict") == 0)
                *out = HUSK_CG_MODE_STRICT;
        else if (strcmp(s, "ignore") == 0)
                *out = HUSK_CG_MODE_IGNORE;
        else
                return cli_usage_error(ctx, "--manage-cgroups-mode: expected soft, full, strict or ignore, got \"%s\"",
                                       s);
        return 0;
}

/* --empty-ns: runc knows only "network" (which it always adds anyway). */
static int parse_empty_ns(struct cli_ctx *ctx, const char *s, unsigned *mask)
{
        if (strcmp(s, "network") != 0)
                return cli_usage_error(ctx, "--empty-ns: namespace \"%s\" is not supported (only \"network\")", s);
        *mask |= CLONE_NEWNET;
        return 0;
}

enum {
        OPT_IMAGE = 256, OPT_WORK, OPT_PARENT, OPT_LEAVE, OPT_TCP, OPT_UNIX, OPT_SHELL, OPT_LAZY, OPT_STATUS,
        OPT_PAGE, OPT_LOCKS, OPT_PREDUMP, OPT_CGMODE, OPT_EMPTYNS, OPT_DEDUP, OPT_CONSOLE, OPT_PIDFILE,
        OPT_NOSUB, OPT_NOPIVOT, OPT_LSMP, OPT_LSMM,
};

/* Shared by both commands; returns -1 to go on, else the exit status. */
static int parse_common(struct cli_ctx *ctx, int c, struct husk_criu_opts *o)
{
        switch (c) {
        case OPT_IMAGE: o->image_path = optarg; return -1;
        case OPT_WORK: o->work_path = optarg; return -1;
        case OPT_TCP: o->tcp_established = true; return -1;
        case OPT_UNIX: o->ext_unix_sk = true; return -1;
        case OPT_SHELL: o->shell_job = true; return -1;
        case OPT_LAZY: o->lazy_pages = true; return -1;
        case OPT_LOCKS: o->file_locks = true; return -1;
        case OPT_DEDUP: o->auto_dedup = true; return -1;
        case OPT_CGMODE: return parse_cg_mode(ctx, optarg, &o->cg_mode) < 0 ? 1 : -1;
        case OPT_EMPTYNS: return parse_empty_ns(ctx, optarg, &o->empty_ns) < 0 ? 1 : -1;
        case 'h': return cli_help(ctx->cmd);
        default: return cli_usage_error(ctx, "unknown option");
        }
}

int cmd_checkpoint(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "image-path", required_argument, NULL, OPT_IMAGE },
                { "work-path", required_argument, NULL, OPT_WORK },
                { "parent-path", required_argument, NULL, OPT_PARENT },
                { "leave-running", no_argument, NULL, OPT_LEAVE },
                { "tcp-established", no_argument, NULL, OPT_TCP },
                { "ext-unix-sk", no_argument, NULL, OPT_UNIX },
                { "shell-job", no_argument, NULL, OPT_SHELL },
                { "lazy-pages", no_argument, NULL, OPT_LAZY },
                { "status-fd", required_argument, NULL, OPT_STATUS },
                { "page-server", required_argument, NULL, OPT_PAGE },
                { "file-locks", no_argument, NULL, OPT_LOCKS },
                { "pre-dump", no_argument, NULL, OPT_PREDUMP },
                { "manage-cgroups-mode", required_argument, NULL, OPT_CGMODE },
                { "empty-ns", required_argument, NULL, OPT_EMPTYNS },
                { "auto-dedup", no_argument, NULL, OPT_DEDUP },
                CLI_HELP_OPTION,
                { 0 },
        };
        struct husk_criu_opts o = { .root = ctx->root, .criu = ctx->criu, .cg_mode = HUSK_CG_MODE_DEFAULT,
                                    .status_fd = -1 };
        int c, r;
        int64_t n;
        while ((c = cli_getopt(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_PARENT: o.parent_path = optarg; break;
                case OPT_LEAVE: o.leave_running = true; break;
                case OPT_PREDUMP: o.pre_dump = true; break;
                case OPT_PAGE: o.page_server = optarg; break;
                case OPT_STATUS:
                        if (parse_int64(optarg, &n) < 0 || n < 0 || n > 1 << 20)
                                return cli_usage_error(ctx, "--status-fd: expected a file descriptor number, got \"%s\"",
                                                       optarg);
                        o.status_fd = (int)n;
                        break;
                case '?': return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                default:
                        if ((r = parse_common(ctx, c, &o)) >= 0)
                                return r;
                }
        }
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        o.id = argv[optind];
        struct husk_error err = { 0 };
        return container_checkpoint(&o, &err) < 0 ? cli_fail(ctx, &err) : 0;
}

int cmd_restore(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "console-socket", required_argument, NULL, OPT_CONSOLE },
                { "image-path", required_argument, NULL, OPT_IMAGE },
                { "work-path", required_argument, NULL, OPT_WORK },
                { "tcp-established", no_argument, NULL, OPT_TCP },
                { "ext-unix-sk", no_argument, NULL, OPT_UNIX },
                { "shell-job", no_argument, NULL, OPT_SHELL },
                { "file-locks", no_argument, NULL, OPT_LOCKS },
                { "manage-cgroups-mode", required_argument, NULL, OPT_CGMODE },
                { "bundle", required_argument, NULL, 'b' },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, OPT_PIDFILE },
                { "no-subreaper", no_argument, NULL, OPT_NOSUB },
                { "no-pivot", no_argument, NULL, OPT_NOPIVOT },
                { "empty-ns", required_argument, NULL, OPT_EMPTYNS },
                { "auto-dedup", no_argument, NULL, OPT_DEDUP },
                { "lazy-pages", no_argument, NULL, OPT_LAZY },
                { "lsm-profile", required_argument, NULL, OPT_LSMP },
                { "lsm-mount-context", required_argument, NULL, OPT_LSMM },
                CLI_HELP_OPTION,
                { 0 },
        };
        struct husk_criu_opts o = { .root = ctx->root, .criu = ctx->criu, .cg_mode = HUSK_CG_MODE_DEFAULT,
                                    .status_fd = -1, .systemd_cgroup = ctx->systemd_cgroup,
                                    .rootless = cli_rootless(ctx) };
        int c, r;
        while ((c = cli_getopt(argc, argv, "b:dh", opts, NULL)) != -1) {
                switch (c) {
                case 'b': o.bundle = optarg; break;
                case 'd': o.detach = true; break;
                case OPT_CONSOLE: o.console_socket = optarg; break;
                case OPT_PIDFILE: o.pid_file = optarg; break;
                case OPT_NOSUB: o.no_subreaper = true; break;
                case OPT_NOPIVOT: o.no_pivot = true; break;
                case OPT_LSMP: o.lsm_profile = optarg; break;
                case OPT_LSMM: o.lsm_mount_context = optarg; break;
                case '?': return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                default:
                        if ((r = parse_common(ctx, c, &o)) >= 0)
                                return r;
                }
        }
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        o.id = argv[optind];
        struct husk_error err = { 0 };
        int code = 0;
        if (container_restore(&o, &code, &err) < 0)
                return cli_fail(ctx, &err);
        return code;
}
