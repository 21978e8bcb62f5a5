/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pause, resume, update, events, ps: runc 1.1.5's flags and output. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "container/container.h"
#include "husk/spec.h"
#include "util/log.h"
#include "util/util.h"
#include "values.h"

/* Commands whose only option is --help and whose one argument is the id. */
static int id_only(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = cli_help_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        return -1;      /* go on */
}

int cmd_pause(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = id_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        struct husk_error err = { 0 };
        return container_pause(ctx->root, argv[optind], &err) < 0 ? cli_fail(ctx, &err) : 0;
}

int cmd_resume(struct cli_ctx *ctx, int argc, char **argv)
{
        int r = id_only(ctx, argc, argv);
        if (r >= 0)
                return r;
        struct husk_error err = { 0 };
        return container_resume(ctx->root, argv[optind], &err) < 0 ? cli_fail(ctx, &err) : 0;
}

/* ------------------------------------------------------------------ */
/* update                                                               */

enum {
        OPT_BLKIO_WEIGHT = 256, OPT_CPU_PERIOD, OPT_CPU_QUOTA, OPT_CPU_SHARE, OPT_CPU_RT_PERIOD,
        OPT_CPU_RT_RUNTIME, OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_KMEM, OPT_KMEM_TCP, OPT_MEMORY,
        OPT_MEMORY_RES, OPT_MEMORY_SWAP, OPT_PIDS_LIMIT, OPT_L3, OPT_MEMBW,
};

static struct husk_memory *mem_of(struct husk_resources *r)
{
        if (!r->memory)
                r->memory = xzalloc(sizeof(*r->memory));
        return r->memory;
}

static struct husk_cpu *cpu_of(struct husk_resources *r)
{
        if (!r->cpu)
                r->cpu = xzalloc(sizeof(*r->cpu));
        return r->cpu;
}

/* One update flag onto `r`; 0 or -1 after a usage error was printed. */
static int update_flag(struct cli_ctx *ctx, int opt, const char *name, const char *val, struct husk_resources *r)
{
        int64_t i;
        uint64_t u;
        switch (opt) {
        case OPT_BLKIO_WEIGHT:
        case OPT_PIDS_LIMIT:
                /* urfave/cli Int flags */
                if (parse_int64(val, &i) < 0)
                        return cli_usage_error(ctx, "invalid value \"%s\" for flag -%s: parse error", val, name),
                               -1;
                if (opt == OPT_PIDS_LIMIT) {
                        r->has_pids = true;
                        r->pids_limit.set = true;
                        r->pids_limit.v = i;
                } else {
                        if (i < 0 || i > 65535)
                                return cli_usage_error(ctx, "invalid value \"%s\" for flag -%s: out of range",
                                                       val, name), -1;
                        if (!r->block_io)
                                r->block_io = xzalloc(sizeof(*r->block_io));
                        r->block_io->weight.set = true;
                        r->block_io->weight.v = (uint64_t)i;
                }
                return 0;
        case OPT_CPU_PERIOD:
        case OPT_CPU_RT_PERIOD:
        case OPT_CPU_SHARE:
                if (cli_go_uint(val, &u) < 0)
                        return cli_usage_error(ctx, "invalid value for %s: \"%s\" is not an unsigned integer", name,
                                               val), -1;
                struct husk_opt_u64 *du = opt == OPT_CPU_PERIOD ? &cpu_of(r)->period
                                          : opt == OPT_CPU_RT_PERIOD ? &cpu_of(r)->realtime_period
                                                                     : &cpu_of(r)->shares;
                du->set = true;
                du->v = u;
                return 0;
        case OPT_CPU_QUOTA:
        case OPT_CPU_RT_RUNTIME:
                if (cli_go_int(val, &i) < 0)
                        return cli_usage_error(ctx, "invalid value for %s: \"%s\" is not an integer", name, val), -1;
                struct husk_opt_i64 *di = opt == OPT_CPU_QUOTA ? &cpu_of(r)->quota : &cpu_of(r)->realtime_runtime;
                di->set = true;
                di->v = i;
                return 0;
        case OPT_CPUSET_CPUS:
        case OPT_CPUSET_MEMS: {
                if (!*val)
                        return 0;       /* runc: empty is "not given" */
                char **dst = opt == OPT_CPUSET_CPUS ? &cpu_of(r)->cpus : &cpu_of(r)->mems;
                free(*dst);
                *dst = xstrdup(val);
                return 0;
        }
        default: {
                /* sizes: -1 or go-units RAM sizes */
                if (cli_memory_value(val, &i) < 0)
                        return cli_usage_error(ctx, "invalid value for %s: invalid size: '%s'", name, val), -1;
                struct husk_memory *m = mem_of(r);
                struct husk_opt_i64 *d = opt == OPT_MEMORY ? &m->limit
                                         : opt == OPT_MEMORY_RES ? &m->reservation
                                         : opt == OPT_MEMORY_SWAP ? &m->swap
                                         : opt == OPT_KMEM ? &m->kernel : &m->kernel_tcp;
                d->set = true;
                d->v = i;
                return 0;
        }
        }
}

/* runc's update reads 0 as "leave it" for every field it has: clear those,
 * so the cgroup library writes nothing for them. */
static void zero_is_unset(struct husk_resources *r)
{
        if (r->memory) {
                struct husk_memory *m = r->memory;
                struct husk_opt_i64 *f[] = { &m->limit, &m->reservation, &m->swap };
                for (size_t k = 0; k < ARRAY_SIZE(f); k++)
                        if (f[k]->set && f[k]->v == 0)
                                f[k]->set = false;
        }
        if (r->cpu) {
                struct husk_cpu *c = r->cpu;
                if (c->shares.set && !c->shares.v)
                        c->shares.set = false;
                if (c->period.set && !c->period.v)
                        c->period.set = false;
                if (c->realtime_period.set && !c->realtime_period.v)
                        c->realtime_period.set = false;
                if (c->quota.set && !c->quota.v)
                        c->quota.set = false;
                if (c->realtime_runtime.set && !c->realtime_runtime.v)
                        c->realtime_runtime.set = false;
                if (c->cpus && !*c->cpus) {
                        free(c->cpus);
                        c->cpus = NULL;
                }
                if (c->mems && !*c->mems) {
                        free(c->mems);
                        c->mems = NULL;
                }
        }
        if (r->block_io && r->block_io->weight.set && !r->block_io->weight.v)
                r->block_io->weight.set = false;
        if (r->has_pids && r->pids_limit.set && r->pids_limit.v == 0) {
                r->has_pids = false;
                r->pids_limit.set = false;
        }
}

/* update's command line: the flags in order, applied after --resources. */
struct update_args {
        const char *resources, *l3, *membw;
        struct {
                int opt;
                const char *name;
                const char *val;
        } flags[64];
        size_t nflags;
};

/* -1 to go on, else the exit status. */
static int update_options(struct cli_ctx *ctx, int argc, char **argv, struct update_args *a)
{
        static const struct option opts[] = {
                { "resources", required_argument, NULL, 'r' },
                { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
                { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
                { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
                { "cpu-share", required_argument, NULL, OPT_CPU_SHARE },
                { "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
                { "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
                { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
                { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
                { "kernel-memory", required_argument, NULL, OPT_KMEM },
                { "kernel-memory-tcp", required_argument, NULL, OPT_KMEM_TCP },
                { "memory", required_argument, NULL, OPT_MEMORY },
                { "memory-reservation", required_argument, NULL, OPT_MEMORY_RES },
                { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
                { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
                { "l3-cache-schema", required_argument, NULL, OPT_L3 },
                { "mem-bw-schema", required_argument, NULL, OPT_MEMBW },
                CLI_HELP_OPTION,
                { 0 },
        };
        int c, idx;
        while ((c = cli_getopt(argc, argv, "r:h", opts, &idx)) != -1) {
                switch (c) {
                case 'r': a->resources = optarg; break;
                case 'h': return cli_help(ctx->cmd);
                case OPT_L3: a->l3 = *optarg ? optarg : NULL; break;
                case OPT_MEMBW: a->membw = *optarg ? optarg : NULL; break;
                case '?':
                case ':':
                        return cli_usage_error(ctx, "unknown option or missing value \"%s\"", argv[optind - 1]);
                default:
                        if (a->nflags == ARRAY_SIZE(a->flags))
                                return cli_usage_error(ctx, "too many options");
                        a->flags[a->nflags].opt = c;
                        a->flags[a->nflags].name = opts[idx].name;
                        a->flags[a->nflags].val = optarg;
                        a->nflags++;
                        break;
                }
        }
        return -1;
}

/* --resources FILE or - (stdin): a linux.resources object; else an empty one. */
static int update_read_resources(const char *resources, struct husk_resources **res, struct husk_error *err)
{
        if (!resources) {
                *res = xzalloc(sizeof(**res));
                return 0;
        }
        _cleanup_free_ char *raw = NULL;
        size_t len = 0;
        if (strcmp(resources, "-") == 0) {
                if (read_user_fd(STDIN_FILENO, "--resources: stdin", &raw, &len, err) < 0)
                        return -1;
        } else if (read_user_file_at(AT_FDCWD, resources, &raw, &len, err) < 0) {
                return -1;
        }
        return spec_parse_resources(raw, len, strcmp(resources, "-") == 0 ? "resources (stdin)" : resources, res,
                                    err);
}

/* Kernel memory limits: a warning, never applied (as runc's update). */
static void drop_kernel_memory(struct husk_resources *res)
{
        if (res->memory && ((res->memory->kernel.set && res->memory->kernel.v) ||
                            (res->memory->kernel_tcp.set && res->memory->kernel_tcp.v)))
                log_warn("Kernel memory settings are ignored and will be removed");
        if (res->memory) {
                res->memory->kernel.set = false;
                res->memory->kernel_tcp.set = false;
        }
}

int cmd_update(struct cli_ctx *ctx, int argc, char **argv)
{
        struct update_args a = { 0 };
        int r = update_options(ctx, argc, argv, &a);
        if (r >= 0)
                return r;
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        const char *id = argv[optind];

        struct husk_error err = { 0 };
        struct husk_resources *res = NULL;
        if (update_read_resources(a.resources, &res, &err) < 0)
                return cli_fail(ctx, &err);
        int ret = 1;
        for (size_t i = 0; i < a.nflags; i++)
                if (update_flag(ctx, a.flags[i].opt, a.flags[i].name, a.flags[i].val, res) < 0)
                        goto out;
        zero_is_unset(res);
        drop_kernel_memory(res);
        /* Intel RDT is checked first and applied last, as runc */
        if ((a.l3 || a.membw) && container_update_rdt(ctx->root, id, a.l3, a.membw, false, &err) < 0) {
                ret = cli_fail(ctx, &err);
                goto out;
        }
        ret = container_update(ctx->root, id, res, &err) < 0 ? cli_fail(ctx, &err) : 0;
        if (ret == 0 && (a.l3 || a.membw) && container_update_rdt(ctx->root, id, a.l3, a.membw, true, &err) < 0)
                ret = cli_fail(ctx, &err);
out:
        spec_resources_free(res);
        return ret;
}

/* ------------------------------------------------------------------ */
/* events                                                               */

int cmd_events(struct cli_ctx *ctx, int argc, char **argv)
{
        enum { OPT_INTERVAL = 256, OPT_STATS };
        static const struct option opts[] = {
                { "interval", required_argument, NULL, OPT_INTERVAL },
                { "stats", no_argument, NULL, OPT_STATS },
                CLI_HELP_OPTION,
                { 0 },
        };
        double ns = 5e9;
        bool stats = false;
        int c;
        while ((c = cli_getopt(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_INTERVAL:
                        if (cli_go_duration(optarg, &ns) < 0)
                                return cli_usage_error(ctx, "invalid value \"%s\" for flag -interval: parse error",
                                                       optarg);
                        break;
                case OPT_STATS: stats = true; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (cli_need_args(ctx, argc, argv, 1, "container id") < 0)
                return 1;
        struct husk_error err = { 0 };
        if (ns <= 0) {
                husk_error_invalid(&err, "duration interval must be greater than 0");
                return cli_fail(ctx, &err);
        }
        uint64_t ms = (uint64_t)(ns / 1e6);
        if ((double)ms * 1e6 < ns)
                ms++;       /* round up: "1us" is not 0 */
        return container_events(ctx->root, argv[optind], stats, ms, STDOUT_FILENO, &err) < 0 ? cli_fail(ctx, &err)
                                                                                            : 0;
}

/* ------------------------------------------------------------------ */
/* ps                                                                   */

/* Run ps(1) with `args`; stdout and stderr together in *out. */
static int run_ps(char **args, char **out, int *status, struct husk_error *err)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return husk_error_sys(err, "pipe");
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return husk_error_sys(err, "fork");
        }
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                dup2(p[1], STDERR_FILENO);
                execvp("ps", args);
                dprintf(STDERR_FILENO, "exec ps: %s\n", strerror(errno));
                _exit(127);
        }
        close(p[1]);
        size_t len;
        int r = read_user_fd(p[0], "the output of ps", out, &len, err);
        close(p[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return -1;
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return 0;
}

/* Go's encoding of a nil []int is null: runc prints that for an empty
 * cgroup. */
static void print_pids_json(const pid_t *pids, size_t n)
{
        if (n == 0) {
                printf("null\n");
                return;
        }
        printf("[");
        for (size_t i = 0; i < n; i++)
                printf("%s%d", i ? "," : "", (int)pids[i]);
        printf("]\n");
}

/* The index of the PID column in ps's header line, or -1. */
static int pid_column(const char *header)
{
        _cleanup_free_ char *hdr = xstrdup(header);
        char *save = NULL;
        int k = 0;
        for (char *f = strtok_r(hdr, " \t", &save); f; f = strtok_r(NULL, " \t", &save), k++)
                if (strcmp(f, "PID") == 0)
                        return k;
        return -1;
}

/* ps's output: the header, then the rows whose PID is one of pids. */
static int filter_ps_rows(char *out, const pid_t *pids, size_t n, struct husk_error *err)
{
        char *save = NULL;
        char *line = strtok_r(out, "\n", &save);
        int pid_index = line ? pid_column(line) : -1;
        if (pid_index < 0)
                return husk_error_set(err, 0, "couldn't find PID field in ps output");
        printf("%s\n", line);
        while ((line = strtok_r(NULL, "\n", &save))) {
                _cleanup_free_ char *copy = xstrdup(line);
                char *s2 = NULL, *f = strtok_r(copy, " \t", &s2);
                for (int k = 0; f && k < pid_index; k++)
                        f = strtok_r(NULL, " \t", &s2);
                int64_t p;
                if (!f || parse_int64(f, &p) < 0) {
                        fflush(stdout);
                        return husk_error_set(err, 0, "unable to parse pid: \"%s\"", f ? f : "");
                }
                for (size_t i = 0; i < n; i++)
                        if (pids[i] == (pid_t)p) {
                                printf("%s\n", line);
                                break;
                        }
        }
        return 0;
}

int cmd_ps(struct cli_ctx *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                CLI_HELP_OPTION,
                { 0 },
        };
        const char *format = "table";
        int c;
        /* '+': everything after the id goes to ps(1) */
        while ((c = cli_getopt(argc, argv, "+f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f': format = optarg; break;
                case 'h': return cli_help(ctx->cmd);
                default: return cli_usage_error(ctx, "unknown option \"%s\"", argv[optind - 1]);
                }
        }
        if (argc - optind < 1)
                return cli_usage_error(ctx, "container id required");
        const char *id = argv[optind];
        bool json = strcmp(format, "json") == 0;
        struct husk_error err = { 0 };
        if (!json && strcmp(format, "table") != 0) {
                husk_error_invalid(&err, "invalid format option");
                return cli_fail(ctx, &err);
        }
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (container_pids(ctx->root, id, &pids, &n, &err) < 0)
                return cli_fail(ctx, &err);
        if (json) {
                print_pids_json(pids, n);
                return 0;
        }

        /* ps ARGS; a leading "--" is dropped (runc passes it on and ps
         * refuses it). Without any, the rows of `ps -ef`, made by husk. */
        int first = optind + 1;
        if (first < argc && strcmp(argv[first], "--") == 0)
                first++;
        if (first >= argc)
                return ps_table_print(pids, n, &err) < 0 ? cli_fail(ctx, &err) : 0;
        _cleanup_strv_ char **args = strv_append(NULL, "ps");
        for (int i = first; i < argc; i++)
                args = strv_append(args, argv[i]);
        _cleanup_free_ char *out = NULL;
        int status = 0;
        if (run_ps(args, &out, &status, &err) < 0)
                return cli_fail(ctx, &err);
        if (status != 0) {
                husk_error_set(&err, 0, "exit status %d: %s", status, out);
                return cli_fail(ctx, &err);
        }
        return filter_ps_rows(out, pids, n, &err) < 0 ? cli_fail(ctx, &err) : 0;
}
