/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk: global options, command dispatch, help and version. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commit.h"
#include "config.h"
#include "linux/selfexe.h"
#include "linux/rootless.h"
#include "util/failpoint.h"
#include "util/log.h"
#include "util/util.h"

static const struct cli_command commands[] = {
        { "create", cmd_create, "create a container",
          "husk create [options] <container-id>\n\n"
          "Create a container from the bundle's config.json; it waits for `husk start`.\n\n"
          "Options:\n"
          "  -b, --bundle DIR          bundle directory (default: the current directory)\n"
          "      --console-socket PATH unix socket that receives the pty master (process.terminal)\n"
          "      --pid-file PATH       write the container's init pid here\n"
          "      --no-pivot            use MS_MOVE + chroot instead of pivot_root (rootfs on ramfs)\n"
          "      --no-new-keyring      keep the caller's session keyring\n"
          "      --preserve-fds N      pass fds 3..3+N-1 to the container (plus LISTEN_FDS)\n"
          "      --pidfd-socket PATH   unix socket that receives a pidfd of the container's init\n" },
        { "run", cmd_run, "create and start a container, and wait for it",
          "husk run [options] <container-id>\n\n"
          "Create and start a container. In the foreground husk waits for it, forwards\n"
          "signals, and exits with its exit code (128+N when killed by signal N).\n\n"
          "Options:\n"
          "  -b, --bundle DIR          bundle directory (default: the current directory)\n"
          "      --console-socket PATH unix socket that receives the pty master\n"
          "  -d, --detach              return once the container is running\n"
          "      --keep                keep the container's state after it exits\n"
          "      --no-subreaper        don't adopt (and reap) the container's orphaned processes\n"
          "      --pid-file PATH       write the container's init pid here\n"
          "      --no-pivot            use MS_MOVE + chroot instead of pivot_root\n"
          "      --no-new-keyring      keep the caller's session keyring\n"
          "      --preserve-fds N      pass fds 3..3+N-1 to the container (plus LISTEN_FDS)\n"
          "      --pidfd-socket PATH   unix socket that receives a pidfd of the container's init\n" },
        { "exec", cmd_exec, "run a process in a running container",
          "husk exec [options] <container-id> <command> [args...]\n\n"
          "Run another process in a running container: it joins every namespace of the\n"
          "container's init and its cgroup, gets the container's seccomp profile, and\n"
          "by default the container's process settings (user, capabilities, env, cwd).\n"
          "In the foreground husk exits with its exit code (128+N on signal N).\n\n"
          "Options:\n"
          "  -p, --process FILE        a runtime-spec process JSON (instead of a command)\n"
          "  -t, --tty                 give the process a pty\n"
          "      --console-socket PATH unix socket that receives the pty master\n"
          "  -d, --detach              return once the process runs\n"
          "      --pid-file PATH       write the process's pid here\n"
          "      --cwd DIR             working directory inside the container\n"
          "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
          "  -u, --user UID[:GID]      run as this user\n"
          "  -g, --additional-gids GID supplementary group (repeatable)\n"
          "  -c, --cap CAP             add a capability (repeatable)\n"
          "      --no-new-privs        set no_new_privs\n"
          "      --process-label LABEL SELinux label of the process\n"
          "      --apparmor PROFILE    AppArmor profile of the process\n"
          "      --preserve-fds N      pass fds 3..3+N-1 to the process\n"
          "      --cgroup [CTRL:]PATH  run in this sub-cgroup of the container's cgroup\n"
          "      --ignore-paused       allow exec into a paused container\n"
          "      --pidfd-socket PATH   unix socket that receives a pidfd of the process\n" },
        { "start", cmd_start, "start a created container",
          "husk start <container-id>\n\nRun the process of a container made by `husk create`.\n" },
        { "state", cmd_state, "print a container's state as JSON",
          "husk state <container-id>\n\nPrint the OCI state of a container (as runc does).\n" },
        { "kill", cmd_kill, "send a signal to a container",
          "husk kill [options] <container-id> [signal]\n\n"
          "Send a signal (default SIGTERM) to the container's init. The signal is a name\n"
          "(KILL, SIGKILL) or a number (9).\n\n"
          "Options:\n"
          "  -a, --all                 signal every process in the container's cgroup\n" },
        { "delete", cmd_delete, "delete a stopped container",
          "husk delete [options] <container-id>\n\n"
          "Delete a container's state, cgroup and resources; runs poststop hooks.\n\n"
          "Options:\n"
          "  -f, --force               kill the container first if it is still running\n" },
        { "list", cmd_list, "list containers",
          "husk list [options]\n\n"
          "Options:\n"
          "  -f, --format table|json   output format (default table)\n"
          "  -q, --quiet               print only the ids\n" },
        { "pause", cmd_pause, "suspend all processes of a container",
          "husk pause <container-id>\n\n"
          "Freeze every process in the container's cgroup (status \"paused\").\n" },
        { "resume", cmd_resume, "resume a paused container",
          "husk resume <container-id>\n\nThaw the processes of a container paused by `husk pause`.\n" },
        { "update", cmd_update, "update a container's resource limits",
          "husk update [options] <container-id>\n\n"
          "Change the cgroup limits of a created, running or paused container. A value\n"
          "of 0 (or an absent field) leaves the current limit. The options are applied\n"
          "on top of --resources (runc 1.1.5 ignores them when --resources is given).\n\n"
          "Options:\n"
          "  -r, --resources FILE|-    a linux.resources JSON object (\"-\": standard input)\n"
          "      --blkio-weight N      block I/O weight, 10-1000\n"
          "      --cpu-period N        CPU CFS period (microseconds)\n"
          "      --cpu-quota N         CPU CFS quota (microseconds per period; -1 no limit)\n"
          "      --cpu-share N         CPU shares (relative weight)\n"
          "      --cpu-rt-period N     CPU realtime period (microseconds)\n"
          "      --cpu-rt-runtime N    CPU realtime runtime (microseconds per period)\n"
          "      --cpuset-cpus LIST    CPUs to use (0-3,7)\n"
          "      --cpuset-mems LIST    memory nodes to use\n"
          "      --kernel-memory SIZE  obsolete, ignored with a warning\n"
          "      --kernel-memory-tcp SIZE obsolete, ignored with a warning\n"
          "      --memory SIZE         memory limit (bytes or 100k, 64m, 1.5g; -1 no limit)\n"
          "      --memory-reservation SIZE  memory soft limit\n"
          "      --memory-swap SIZE    memory + swap limit (-1 no limit)\n"
          "      --pids-limit N        maximum number of pids (-1 no limit)\n"
          "      --l3-cache-schema S   Intel RDT L3 cache schema of the container's resctrl group\n"
          "      --mem-bw-schema S     Intel RDT memory bandwidth schema of its resctrl group\n" },
        { "events", cmd_events, "print a container's resource stats and OOM events",
          "husk events [options] <container-id>\n\n"
          "Print JSON events, one per line: {\"type\":\"stats\",\"id\":...,\"data\":{...}} every\n"
          "interval and {\"type\":\"oom\",\"id\":...} when the OOM killer kills in the container,\n"
          "until the container stops.\n\n"
          "Options:\n"
          "      --interval DURATION   stats interval (Go syntax: 5s, 500ms, 1m; default 5s)\n"
          "      --stats               print the stats once and exit\n" },
        { "ps", cmd_ps, "list the processes of a container",
          "husk ps [options] <container-id> [ps options...]\n\n"
          "List the processes in the container's cgroup: as ps(1) rows (run with the\n"
          "given options, default -ef, keeping the rows of the container's pids) or as a\n"
          "JSON array of host pids.\n\n"
          "Options:\n"
          "  -f, --format table|json   output format (default table)\n" },
        { "spec", cmd_spec, "write a default config.json",
          "husk spec [options]\n\n"
          "Write a default config.json for a new bundle.\n\n"
          "Options:\n"
          "  -b, --bundle DIR          where to write it (default: the current directory)\n"
          "      --rootless            a config for a container run by an unprivileged user\n" },
        { "checkpoint", cmd_checkpoint, "checkpoint a running container (CRIU)",
          "husk checkpoint [options] <container-id>\n\n"
          "Save the state of a running container into CRIU images. Unless --leave-running\n"
          "or --pre-dump is given, the container is stopped and deleted afterwards.\n\n"
          "Options:\n"
          "      --image-path DIR      where the images go (default ./checkpoint)\n"
          "      --work-path DIR       CRIU's work files and logs (default: the image path)\n"
          "      --parent-path DIR     a pre-dump's images, relative to --image-path\n"
          "      --leave-running       keep the container running afterwards\n"
          "      --pre-dump            dump the memory only, leave the container running\n"
          "      --tcp-established     allow open TCP connections\n"
          "      --ext-unix-sk         allow external unix sockets\n"
          "      --shell-job           allow shell jobs (a controlling terminal from outside)\n"
          "      --file-locks          handle file locks\n"
          "      --lazy-pages          leave memory pages to be fetched lazily (userfaultfd)\n"
          "      --status-fd FD        with --lazy-pages: written \\0 once the page server is ready\n"
          "      --page-server ADDRESS:PORT  send the memory pages to a CRIU page server\n"
          "      --manage-cgroups-mode soft|full|strict|ignore  how CRIU handles cgroups\n"
          "      --empty-ns network    leave the namespace empty on restore (always done)\n"
          "      --auto-dedup          deduplicate memory images (with --parent-path)\n" },
        { "restore", cmd_restore, "restore a container from a checkpoint (CRIU)",
          "husk restore [options] <container-id>\n\n"
          "Create container <container-id> from a bundle and the CRIU images that\n"
          "'husk checkpoint' wrote. In the foreground husk waits for it like 'husk run'.\n\n"
          "Options:\n"
          "  -b, --bundle DIR          the bundle (default: the current directory)\n"
          "      --image-path DIR      the images (default ./checkpoint)\n"
          "      --work-path DIR       CRIU's work files and logs (default: the image path)\n"
          "  -d, --detach              return once the container is restored\n"
          "      --console-socket PATH receive the pty master (process.terminal)\n"
          "      --pid-file FILE       write the init's pid to FILE\n"
          "      --no-subreaper        do not become a subreaper in the foreground\n"
          "      --no-pivot            accepted (CRIU makes the root itself)\n"
          "      --tcp-established     restore open TCP connections\n"
          "      --ext-unix-sk         allow external unix sockets\n"
          "      --shell-job           allow shell jobs\n"
          "      --file-locks          restore file locks\n"
          "      --lazy-pages          fetch memory pages lazily (criu lazy-pages)\n"
          "      --manage-cgroups-mode soft|full|strict|ignore  how CRIU handles cgroups\n"
          "      --empty-ns network    leave the namespace empty (always done)\n"
          "      --auto-dedup          deduplicate memory images\n"
          "      --lsm-profile TYPE:NAME  the LSM profile to restore with\n"
          "      --lsm-mount-context CONTEXT  the SELinux mount context to restore with\n" },
        { "features", cmd_features, "print what husk supports as JSON",
          "husk features\n\nPrint the OCI runtime features document (runtime-spec features.md).\n" },
};

static const char global_usage[] =
        "husk - an OCI container runtime\n\n"
        "Usage: husk [global options] <command> [command options] [arguments]\n\n"
        "Global options:\n"
        "      --root DIR            state directory (default " HUSK_DEFAULT_ROOT ";\n"
        "                            rootless: $XDG_RUNTIME_DIR/husk, else /run/user/UID/husk)\n"
        "      --log FILE            also write logs and errors to FILE\n"
        "      --log-format FORMAT   text or json (for --log)\n"
        "      --debug               verbose logs\n"
        "      --systemd-cgroup      use the systemd cgroup driver (cgroupsPath slice:prefix:name)\n"
        "      --rootless true|false|auto  rootless cgroup handling (default auto: when not\n"
        "                            root, or root in a user namespace without the host's root)\n"
        "      --criu PATH           CRIU binary for checkpoint/restore (default: criu in PATH)\n"
        "  -v, --version             print the version\n"
        "  -h, --help                this help\n\n"
        "Options are also taken as runc spells them: -root DIR, -bundle=DIR, -b=DIR,\n"
        "--detach=true, --keep=false.\n\n"
        "Commands:\n";

static void print_usage(FILE *f)
{
        fputs(global_usage, f);
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fputs("  help       show a command's help\n\nRun 'husk help <command>' for a command's options.\n", f);
}

static const struct cli_command *find_command(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (strcmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

int cli_help(const char *name)
{
        const struct cli_command *c = find_command(name);
        if (!c) {
                fprintf(stderr, "husk: no help for unknown command \"%s\"\n", name);
                return 1;
        }
        fputs(c->usage, stdout);
        return 0;
}

int cli_fail(struct cli_ctx *ctx, struct husk_error *err)
{
        log_error("%s", err->msg[0] ? err->msg : "unknown error");
        return 1;
}

int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s: %s (see 'husk help %s')", ctx->cmd, msg, ctx->cmd);
        return 1;
}

int cli_help_only(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
        int c;
        while ((c = cli_getopt(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h')
                        return cli_help(ctx->cmd);
                return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
        }
        return -1;
}

int cli_need_args(struct cli_ctx *ctx, int argc, char **argv, int n, const char *what)
{
        int have = argc - optind;
        if (have < n) {
                cli_usage_error(ctx, "%s required", what);
                return -1;
        }
        if (have > n) {
                cli_usage_error(ctx, "unexpected argument \"%s\"", argv[optind + n]);
                return -1;
        }
        return 0;
}

#if HUSK_STATIC_EXE && defined(__x86_64__)
extern int husk_selfexe_verified;       /* selfexe_entry.c */
#endif

int cli_protect_exe(struct cli_ctx *ctx)
{
        extern char **environ;
#if HUSK_STATIC_EXE && defined(__x86_64__)
        /* the entry point checked this image's /proc/self/exe already, as
         * selfexe_protect would */
        if (husk_selfexe_verified)
                return 0;
#endif
        struct husk_error err = { 0 };
        if (selfexe_protect(ctx->argv, environ, &err) < 0)
                return cli_fail(ctx, &err);
        return 0;
}

static void print_version(void)
{
        printf("husk version %s\n", HUSK_VERSION);
        printf("commit: %s\n", HUSK_COMMIT);
        printf("spec: %s\n", HUSK_OCI_VERSION);
        printf("+SECCOMP +CAP +YAJL%s%s%s\n", HAVE_SELINUX ? " +SELINUX" : " -SELINUX",
               HAVE_SYSTEMD ? " +SYSTEMD" : " -SYSTEMD", HAVE_CRIU ? " +CRIU" : " -CRIU");
}

/* The global options, before the command: -1 to go on, else the exit status. */
static int global_options(int argc, char **argv, struct cli_ctx *ctx, const char **log_format)
{
        enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU };
        static const struct option opts[] = {
                { "root", required_argument, NULL, OPT_ROOT },
                { "log", required_argument, NULL, OPT_LOG },
                { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
                { "debug", no_argument, NULL, OPT_DEBUG },
                { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
                { "rootless", required_argument, NULL, OPT_ROOTLESS },
                { "criu", required_argument, NULL, OPT_CRIU },
                { "version", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        /* '+': stop at the command name; its options are its own. */
        int c;
        opterr = 0;
        while ((c = cli_getopt(argc, argv, "+vh", opts, NULL)) != -1) {
                switch (c) {
                case OPT_ROOT: ctx->root = optarg; break;
                case OPT_LOG: ctx->log = optarg; break;
                case OPT_LOG_FORMAT: *log_format = optarg; break;
                case OPT_DEBUG: ctx->debug = true; break;
                case OPT_SYSTEMD: ctx->systemd_cgroup = true; break;
                case OPT_ROOTLESS:
                        /* runc's values: true, false, auto */
                        if (strcmp(optarg, "true") && strcmp(optarg, "false") && strcmp(optarg, "auto")) {
                                fprintf(stderr, "husk: --rootless: expected true, false or auto, got \"%s\"\n",
                                        optarg);
                                return 1;
                        }
                        ctx->rootless = optarg;
                        break;
                case OPT_CRIU: ctx->criu = optarg; break;
                case 'v': print_version(); return 0;
                case 'h': print_usage(stdout); return 0;
                default:
                        fprintf(stderr, "husk: unknown global option \"%s\"\n", argv[optind - 1]);
                        print_usage(stderr);
                        return 1;
                }
        }
        return -1;
}

/* Rootless mode, the state root and the log sink from the global options;
 * 0, or 1 after an error was printed. */
bool cli_rootless(struct cli_ctx *ctx)
{
        if (strcmp(ctx->rootless, "auto") == 0)
                ctx->rootless = rootless_detect() ? "true" : "false";
        return strcmp(ctx->rootless, "true") == 0;
}

static int global_setup(struct cli_ctx *ctx, const char *log_format, char **default_root)
{
        /* --root wins; else a rootless caller's own runtime dir, as runc
         * and crun ($XDG_RUNTIME_DIR/husk, else /run/user/<uid>/husk). */
        if (!ctx->root) {
                bool detected = rootless_detect();
                if (strcmp(ctx->rootless, "auto") == 0)
                        ctx->rootless = detected ? "true" : "false";
                ctx->root = detected ? (*default_root = rootless_default_root()) : HUSK_DEFAULT_ROOT;
        }
        if (strcmp(log_format, "json") == 0) {
                ctx->log_json = true;
        } else if (strcmp(log_format, "text") != 0) {
                fprintf(stderr, "husk: --log-format: unknown format \"%s\" (text or json)\n", log_format);
                return 1;
        }
        struct husk_error err = { 0 };
        if (husk_log_init(ctx->log, ctx->log_json, ctx->debug, &err) < 0) {
                fprintf(stderr, "husk: %s\n", err.msg);
                return 1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        failpoint_init();
        /* getopt permutes argv; a re-execution must see it as given */
        char **orig_argv = xmalloc(((size_t)argc + 1) * sizeof(char *));
        memcpy(orig_argv, argv, ((size_t)argc + 1) * sizeof(char *));
        struct cli_ctx ctx = { .root = NULL, .rootless = "auto", .argv = orig_argv };
        const char *log_format = "text";
        int r = global_options(argc, argv, &ctx, &log_format);
        if (r >= 0)
                return r;
        _cleanup_free_ char *default_root = NULL;
        if (global_setup(&ctx, log_format, &default_root) != 0)
                return 1;
        if (optind >= argc) {
                print_usage(stderr);
                return 1;
        }
        const char *name = argv[optind];
        if (strcmp(name, "help") == 0) {
                if (optind + 1 < argc)
                        return cli_help(argv[optind + 1]);
                print_usage(stdout);
                return 0;
        }
        const struct cli_command *cmd = find_command(name);
        if (!cmd) {
                log_error("unknown command \"%s\" (see 'husk --help')", name);
                return 1;
        }
        ctx.cmd = cmd->name;
        log_debug("husk %s (commit %s): %s, pid %d, root %s", HUSK_VERSION, HUSK_COMMIT, name, (int)getpid(),
                  ctx.root);
        int sub_argc = argc - optind;
        char **sub_argv = argv + optind;
        r = cli_twin_dispatch(&ctx, sub_argc, sub_argv);
        if (r >= 0)
                return r;
        optind = 0;     /* re-initialise getopt for the command */
        opterr = 0;
        return cmd->run(&ctx, sub_argc, sub_argv);
}
