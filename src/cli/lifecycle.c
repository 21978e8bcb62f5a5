/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create, run, start, kill, delete */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "container/container.h"
#include "container/notify.h"
#include "util/signals.h"
#include "util/util.h"
#include "values.h"

int cli_parse_preserve_fds(struct cli_ctx *ctx, const char *s, int *out)
{
        if (cli_preserve_fds_value(s, out) < 0)
                return cli_usage_error(ctx, "--preserve-fds: expected a non-negative integer, got \"%s\"", s), -1;
        return 0;
}

/* Shared by create and run. */
static int create_or_run(struct cli_ctx *ctx, int argc, char **argv, bool run)
{
        enum { OPT_CONSOLE = 256, OPT_PIDFILE, OPT_NOPIVOT, OPT_NOKEYRING, OPT_PRESERVE, OPT_KEEP, OPT_PIDFD, OPT_NOSUBREAPER };
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "console-socket", required_argument, NULL, OPT_CONSOLE },
                { "pid-file", required_argument, NULL, OPT_PIDFILE },
                { "no-pivot", no_argument, NULL, OPT_NOPIVOT },
                { "no-new-keyring", no_argument, NULL, OPT_NOKEYRING },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
                { "detach", no_argument, NULL, 'd' },
                { "keep", no_argument, NULL, OPT_KEEP },
                { "no-subreaper", no_argument, NULL, OPT_NOSUBREAPER },
                { "pidfd-socket", required_argument, NULL, OPT_PIDFD },
                CLI_HELP_OPTION,
                { 0 },
        };
        struct husk_create_opts o = {
                .root = ctx->root, .systemd_cgroup = ctx->systemd_cgroup, .rootless = cli_rootless(ctx),
        };
        int c;
        while ((c = cli_getopt(argc, argv, run ? "b:dh" : "b:h", opts, NULL)) != -1) {
                switch (c) {
                case 'b': o.bundle = optarg; break;
                case OPT_CONSOLE: o.console_socket = optarg; break;
                case OPT_PIDFILE: o.pid_file = optarg; break;
                case OPT_PIDFD: o.pidfd_socket = optarg; break;
                case OPT_NOPIVOT: o.no_pivot = true; break;
                case OPT_NOKEYRING: o.no_new_keyring = true; break;
                case OPT_PRESERVE:
                        if (cli_parse_preserve_fds(ctx, optarg, &o.preserve_fds) < 0)
                                return 1;
                        break;
                case 'd':
                case OPT_KEEP:
                case OPT_NOSUBREAPER:
                        if (!run)
                                return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                        if (c == 'd')
                                o.detach = true;
                        else if (c == OPT_KEEP)
                                o.keep = true;
                        else
                                o.no_subreaper = true;
                        break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        o.id = argv[optind];
        if (cli_protect_exe(ctx) != 0)
                return 1;
        /* sd_notify from the container (systemd units, podman --sdnotify=container) */
        o.notify_socket = notify_socket_from_env();

        /* Socket activation: LISTEN_FDS fds follow the preserved ones. */
        char listen_env[64];
        char *extra[3] = { NULL };
        const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
        int64_t nl, np;
        /* sd_listen_fds(3): the fds are ours only if LISTEN_PID is our pid */
        if (lfds && parse_int64(lfds, &nl) == 0 && nl > 0 && nl < 65536 && lpid &&
            parse_int64(lpid, &np) == 0 && np == getpid()) {
                o.preserve_fds += (int)nl;
                snprintf(listen_env, sizeof(listen_env), "LISTEN_FDS=%d", (int)nl);
                extra[0] = listen_env;
                extra[1] = "LISTEN_PID=1";
                o.extra_env = extra;
        }

        struct husk_error err = { 0 };
        if (!run)
                return container_create(&o, &err) < 0 ? cli_fail(ctx, &err) : 0;
        int code = 0;
        if (container_run(&o, &code, &err) < 0)
                return cli_fail(ctx, &err);
        return code;
}

int cmd_create(struct cli_ctx *ctx, int argc, char **argv)
{
        return create_or_run(ctx, argc, argv, false);
}

int cmd_run(struct cli_ctx *ctx, int argc, char **argv)
{
        return create_or_run(ctx, argc, argv, true);
}

int cmd_start(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = cli_help_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        struct husk_error err = { 0 };
        return container_start(ctx->root, argv[optind], notify_socket_from_env(), &err) < 0 ? cli_fail(ctx, &err) : 0;
}

int cmd_kill(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, CLI_HELP_OPTION, { 0 } };
        bool all = false;
        int c;
        while ((c = cli_getopt(argc, argv, "ah", opts, NULL)) != -1) {
                switch (c) {
                case 'a': all = true; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        int have = argc - optind;
        if (have < 1 || have > 2)
                return cli_usage_error(ctx, have < 1 ? "container id required" : "too many arguments");
        struct husk_error err = { 0 };
        int sig = SIGTERM;
        if (have == 2 && (sig = signal_parse(argv[optind + 1], &err)) < 0)
                return cli_fail(ctx, &err);
        return container_kill(ctx->root, argv[optind], sig, all, &err) < 0 ? cli_fail(ctx, &err) : 0;
}

int cmd_delete(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, CLI_HELP_OPTION, { 0 } };
        bool force = false;
        int c;
        while ((c = cli_getopt(argc, argv, "fh", opts, NULL)) != -1) {
                switch (c) {
                case 'f': force = true; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        struct husk_error err = { 0 };
        if (!cli_twin_does_systemd())
                return container_delete(ctx->root, argv[optind], force, &err) < 0 ? cli_fail(ctx, &err) : 0;
        int r = container_delete_unless_systemd(ctx->root, argv[optind], force, &err);
        if (r > 0)
                return cli_twin_exec(ctx);
        return r < 0 ? cli_fail(ctx, &err) : 0;
}
