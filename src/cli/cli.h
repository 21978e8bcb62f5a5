/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "husk/error.h"

/* Global options (before the command), runc's set. */
struct cli_ctx {
        const char *root;
        const char *log;
        bool log_json;
        bool debug;
        bool systemd_cgroup;
        const char *rootless;           /* --rootless: "true", "false" or "auto"; see cli_rootless() */
        const char *criu;               /* --criu: CRIU binary (NULL: "criu" in PATH) */
        const char *cmd;                /* the command's name, for messages */
        char **argv;                    /* main's argv as given (getopt permutes it) */
};

struct cli_command {
        const char *name;
        int (*run)(struct cli_ctx *ctx, int argc, char **argv);
        const char *summary;
        const char *usage;              /* "husk NAME [options] <container-id>\n\nOptions:\n..." */
};

/* Rootless mode: --rootless true, or auto and not root or root of a user
 * namespace that does not map the host's root (rootless podman runs us
 * so). Found out on first use: the commands that don't ask spare the read
 * of /proc/self/uid_map. */
bool cli_rootless(struct cli_ctx *ctx);
/* Log the error (stderr, and --log) and return the exit status 1. */
int cli_fail(struct cli_ctx *ctx, struct husk_error *err);
int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the command's usage to stdout and return 0. */
int cli_help(const char *name);
/* getopt_long with husk's conventions (-h/--help handled by the caller). */
#define CLI_HELP_OPTION { "help", no_argument, NULL, 'h' }
/* For commands whose only option is --help: -1 to go on, else the exit
 * status (help printed, or a usage error). */
int cli_help_only(struct cli_ctx *ctx, int argc, char **argv);
/* getopt_long that also takes runc's spellings (getopt.c): -name, -name=V,
 * -b=V, --flag=true|false. Use it instead of getopt_long everywhere. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int *idx);
/* For the commands that make processes the container can see (create,
 * run, exec): run from a copy of the binary the container can't write
 * (re-executes with the same arguments unless already so). 0 to go on,
 * else the exit status. */
int cli_protect_exe(struct cli_ctx *ctx);
/* A statically linked husk hands what needs libsystemd to husk-dynamic
 * (twin.c): -1 to go on here, else the exit status (the exec failed). */
int cli_twin_dispatch(struct cli_ctx *ctx, int argc, char **argv);
/* Does husk-dynamic do the systemd cgroup driver for this husk (a static
 * one)? Then cli_twin_exec() runs it with our arguments (the exit status
 * when that failed). */
bool cli_twin_does_systemd(void);
int cli_twin_exec(struct cli_ctx *ctx);
/* Exactly `n` positional arguments remain? Else usage error. */
/* --preserve-fds N: 0..65536; -1 after a usage error was printed. */
int cli_parse_preserve_fds(struct cli_ctx *ctx, const char *s, int *out);
int cli_need_args(struct cli_ctx *ctx, int argc, char **argv, int n, const char *what);

int cmd_create(struct cli_ctx *, int, char **);
int cmd_run(struct cli_ctx *, int, char **);
int cmd_start(struct cli_ctx *, int, char **);
int cmd_exec(struct cli_ctx *, int, char **);
int cmd_kill(struct cli_ctx *, int, char **);
int cmd_delete(struct cli_ctx *, int, char **);
int cmd_state(struct cli_ctx *, int, char **);
int cmd_list(struct cli_ctx *, int, char **);
int cmd_spec(struct cli_ctx *, int, char **);
int cmd_features(struct cli_ctx *, int, char **);
int cmd_pause(struct cli_ctx *, int, char **);
int cmd_resume(struct cli_ctx *, int, char **);
int cmd_update(struct cli_ctx *, int, char **);
int cmd_events(struct cli_ctx *, int, char **);
int cmd_ps(struct cli_ctx *, int, char **);
/* The rows `ps -ef` prints for these processes, made from /proc (ps_table.c). */
int ps_table_print(const pid_t *pids, size_t n, struct husk_error *err);
int cmd_checkpoint(struct cli_ctx *, int, char **);
int cmd_restore(struct cli_ctx *, int, char **);

#endif
