/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk exec */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "container/container.h"
#include "util/util.h"
#include "values.h"

/* Repeated list options; "1,2" also splits for --additional-gids. */
static char **add_list(char **v, const char *arg, bool split)
{
        if (!split)
                return strv_append(v, arg);
        _cleanup_free_ char *copy = xstrdup(arg);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                v = strv_append(v, t);
        return v;
}

/* --cgroup may repeat (one per controller set): one entry per line. */
static char *add_line(char *list, const char *arg)
{
        char *r = list ? xasprintf("%s\n%s", list, arg) : xstrdup(arg);
        free(list);
        return r;
}

/* As runc: an exec that fails (unknown or stopped container, bad
 * --user, missing binary...) exits 255, so a caller can tell it from the
 * process's own exit status; usage errors exit 1. */
#define EXEC_FAILED 255

int cmd_exec(struct cli_ctx *ctx, int argc, char **argv)
{
        enum {
                OPT_CONSOLE = 256, OPT_CWD, OPT_PIDFILE, OPT_LABEL, OPT_APPARMOR, OPT_NNP, OPT_PRESERVE,
                OPT_CGROUP, OPT_IGNORE_PAUSED, OPT_PIDFD,
        };
        static const struct option opts[] = {
                { "console-socket", required_argument, NULL, OPT_CONSOLE },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "env", required_argument, NULL, 'e' },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "process", required_argument, NULL, 'p' },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, OPT_PIDFILE },
                { "process-label", required_argument, NULL, OPT_LABEL },
                { "apparmor", required_argument, NULL, OPT_APPARMOR },
                { "no-new-privs", no_argument, NULL, OPT_NNP },
                { "cap", required_argument, NULL, 'c' },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
                { "cgroup", required_argument, NULL, OPT_CGROUP },
                { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
                { "pidfd-socket", required_argument, NULL, OPT_PIDFD },
                CLI_HELP_OPTION,
                { 0 },
        };
        struct husk_exec_opts o = { .root = ctx->root };
        _cleanup_strv_ char **env = NULL, **gids = NULL, **caps = NULL;
        _cleanup_free_ char *cgroups = NULL;
        int c;
        /* '+': the command after the id keeps its own options */
        while ((c = cli_getopt(argc, argv, "+e:tu:g:p:dc:h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_CONSOLE: o.console_socket = optarg; break;
                case OPT_CWD: o.cwd = optarg; break;
                case 'e': env = add_list(env, optarg, false); break;
                case 't': o.tty = true; break;
                case 'u': o.user = optarg; break;
                case 'g':
                        if (!cli_gid_list_ok(optarg))
                                return cli_usage_error(ctx, "--additional-gids: expected numeric ids, got \"%s\"", optarg);
                        gids = add_list(gids, optarg, true);
                        break;
                case 'p': o.process_file = optarg; break;
                case 'd': o.detach = true; break;
                case OPT_PIDFILE: o.pid_file = optarg; break;
                case OPT_LABEL: o.process_label = optarg; break;
                case OPT_APPARMOR: o.apparmor = optarg; break;
                case OPT_NNP: o.no_new_privs = true; break;
                case 'c': caps = add_list(caps, optarg, false); break;
                case OPT_PRESERVE:
                        if (cli_parse_preserve_fds(ctx, optarg, &o.preserve_fds) < 0)
                                return 1;
                        break;
                case OPT_CGROUP: cgroups = add_line(cgroups, optarg); break;
                case OPT_IGNORE_PAUSED: o.ignore_paused = true; break;
                case OPT_PIDFD: o.pidfd_socket = optarg; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error(ctx, "container id required");
        o.id = argv[optind];
        o.args = argv + optind + 1;
        if (!o.process_file && !o.args[0])
                return cli_usage_error(ctx, "a command to run is required (or --process FILE)");
        if (cli_protect_exe(ctx) != 0)
                return 1;
        o.cgroup = cgroups;
        o.env = env;
        o.additional_gids = gids;
        o.caps = caps;
        struct husk_error err = { 0 };
        int code = 0;
        if (container_exec(&o, &code, &err) < 0) {
                cli_fail(ctx, &err);
                return EXEC_FAILED;
        }
        return code;
}
