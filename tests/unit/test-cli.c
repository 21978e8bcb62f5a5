/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The values of husk's options (src/cli/values.c), signal names
 * (util/signals.c) and runc's option spellings (src/cli/getopt.c), without
 * running husk. The expectations are runc 1.1.5's (Go's parsers); where
 * husk deliberately differs the case says so.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/values.h"
#include "util/signals.h"
#include "util/util.h"
#include "tap.h"

#define KIB 1024LL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

static void test_ram_in_bytes(void)
{
        static const struct {
                const char *s;
                int64_t want;
        } good[] = {
                { "0", 0 },
                { "100", 100 },
                { "100b", 100 },
                { "100B", 100 },
                { "1k", KIB },
                { "1K", KIB },
                { "1kb", KIB },
                { "1KiB", KIB },
                { "1kib", KIB },
                { "1ib", 1 },           /* go-units' regexp: unit, i and b are each optional */
                { "64m", 64 * MIB },
                { "1.5g", 3 * GIB / 2 },
                { "100 MB", 100 * MIB },
                { "100 ", 100 },        /* the optional space, then nothing */
                { "1t", 1024 * GIB },
                { "1p", 1024 * 1024 * GIB },
                { "0.5k", 512 },
                { "1.5", 1 },           /* Go's int64(1.5) truncates */
                { "8191p", 8191LL * 1024 * 1024 * GIB },
        };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                int64_t v = -2;
                ok(cli_ram_in_bytes(good[i].s, &v) == 0 && v == good[i].want, "size \"%s\" = %lld (got %lld)",
                   good[i].s, (long long)good[i].want, (long long)v);
        }
        /* "1.2.3" matches go-units' regexp and then fails ParseFloat: an
         * error either way. "8192p" is 2^63: runc's int64() of it wraps to
         * a negative limit, husk refuses it. */
        static const char *const bad[] = {
                "", "-1", "-5m", "m", "1.", ".5", "1.2.3", "1x", "1  m", "1mm", "1kk", "1e3", "0x10", " 1",
                "1bi", "8192p", "99999999999p",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                int64_t v = 7;
                ok(cli_ram_in_bytes(bad[i], &v) < 0 && v == 7, "size \"%s\" is refused", bad[i]);
        }
}

static void test_go_integers(void)
{
        static const struct {
                const char *s;
                uint64_t want;
        } ugood[] = { { "0", 0 }, { "10", 10 }, { "007", 7 }, { "18446744073709551615", UINT64_MAX } };
        for (size_t i = 0; i < ARRAY_SIZE(ugood); i++) {
                uint64_t v = 1;
                ok(cli_go_uint(ugood[i].s, &v) == 0 && v == ugood[i].want, "uint %s", ugood[i].s);
        }
        /* " -1" went through strtoull as 2^64-1 (update --cpu-share " -1") */
        static const char *const ubad[] = { "", "-1", " -1", "+1", " 1", "1 ", "18446744073709551616", "0x10", "1_0" };
        for (size_t i = 0; i < ARRAY_SIZE(ubad); i++) {
                uint64_t v = 1;
                ok(cli_go_uint(ubad[i], &v) < 0 && v == 1, "uint \"%s\" is refused", ubad[i]);
        }
        static const struct {
                const char *s;
                int64_t want;
        } igood[] = {
                { "0", 0 }, { "-5", -5 }, { "+5", 5 }, { "9223372036854775807", INT64_MAX },
                { "-9223372036854775808", INT64_MIN },
        };
        for (size_t i = 0; i < ARRAY_SIZE(igood); i++) {
                int64_t v = 1;
                ok(cli_go_int(igood[i].s, &v) == 0 && v == igood[i].want, "int %s", igood[i].s);
        }
        static const char *const ibad[] = { "", "-", "+", " 5", "5 ", "--5", "+-5", "9223372036854775808", "0x10" };
        for (size_t i = 0; i < ARRAY_SIZE(ibad); i++) {
                int64_t v = 1;
                ok(cli_go_int(ibad[i], &v) < 0 && v == 1, "int \"%s\" is refused", ibad[i]);
        }
}

static void test_memory_value(void)
{
        int64_t v = 0;
        ok(cli_memory_value("-1", &v) == 0 && v == -1, "memory -1 is no limit");
        ok(cli_memory_value("0", &v) == 0 && v == 0, "memory 0");
        ok(cli_memory_value("256m", &v) == 0 && v == 256 * MIB, "memory 256m");
        ok(cli_memory_value("-2", &v) < 0, "memory -2 is refused");
        ok(cli_memory_value("-1k", &v) < 0, "memory -1k is refused");
        ok(cli_memory_value("-1 ", &v) < 0, "memory \"-1 \" is refused");
}

static void test_go_duration(void)
{
        static const struct {
                const char *s;
                double ns;
        } good[] = {
                { "0", 0 },
                { "-0", 0 },
                { "+0", 0 },
                { "5s", 5e9 },
                { "100ms", 1e8 },
                { "1m30s", 90e9 },
                { "1.5h", 5400e9 },
                { "1us", 1e3 },
                { "1\xc2\xb5s", 1e3 },  /* U+00B5 micro sign */
                { "1\xce\xbcs", 1e3 },  /* U+03BC greek mu */
                { "1ns", 1 },
                { ".5s", 5e8 },
                { "5.s", 5e9 },
                { "-1s", -1e9 },
                { "+2m", 120e9 },
                { "1h1m1s1ms1us1ns", 3661001001001 },
                { "0s", 0 },
                { "2562047h", 2562047 * 3600e9 },       /* Go's largest whole hour */
        };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                double ns = -42;
                ok(cli_go_duration(good[i].s, &ns) == 0 && fabs(ns - good[i].ns) < 1e-3 * (fabs(good[i].ns) + 1),
                   "duration \"%s\" = %.0f ns (got %.0f)", good[i].s, good[i].ns, ns);
        }
        /* Go: "missing unit", "unknown unit", "invalid duration". */
        static const char *const bad[] = {
                "", "-", "+", "5", "s", "1x", "1 s", " 1s", "1s ", "1.5.5s", ".s", "1sm", "1e3s", "1E3s", "0x10s",
                "1ss", "1S", "1H", "inf", "nan", "1..s", "2562048h", "1e300h",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                double ns = 0;
                ok(cli_go_duration(bad[i], &ns) < 0, "duration \"%s\" is refused", bad[i]);
        }
}

static void test_preserve_fds(void)
{
        static const struct {
                const char *s;
                int want;
        } good[] = { { "0", 0 }, { "3", 3 }, { "65536", 65536 }, { "007", 7 } };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                int n = -1;
                ok(cli_preserve_fds_value(good[i].s, &n) == 0 && n == good[i].want, "--preserve-fds %s", good[i].s);
        }
        /* runc (a Go uint flag, base 0) also takes "0x10" and has no upper
         * bound (then fails to stat the missing fds); husk: decimal digits,
         * at most 65536. */
        static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "1a", "65537", "0x10", "99999999999999999999" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                int n = 5;
                ok(cli_preserve_fds_value(bad[i], &n) < 0 && n == 5, "--preserve-fds \"%s\" is refused", bad[i]);
        }
}

static void test_gid_list(void)
{
        ok(cli_gid_list_ok("1"), "gids 1");
        ok(cli_gid_list_ok("1,2,3"), "gids 1,2,3");
        static const char *const bad[] = { "", ",", "1,", ",1", "1,,2" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                ok(!cli_gid_list_ok(bad[i]), "gids \"%s\" is refused", bad[i]);
}

static void test_signals(void)
{
        const struct {
                const char *s;
                int sig;
        } good[] = {
                { "KILL", SIGKILL },     { "SIGKILL", SIGKILL }, { "kill", SIGKILL }, { "sigkill", SIGKILL },
                { "SigTerm", SIGTERM },  { "9", 9 },             { "+9", 9 },          { "0", 0 },
                { "64", 64 },            { "STKFLT", SIGSTKFLT }, { "PWR", SIGPWR },   { "SYS", SIGSYS },
                /* not in Go's x/sys/unix list (runc: unknown signal): */
                { "IOT", SIGABRT },      { "CLD", SIGCHLD },     { "POLL", SIGIO },    { "RTMIN", SIGRTMIN },
                { "RTMIN+1", SIGRTMIN + 1 }, { "SIGRTMAX-2", SIGRTMAX - 2 }, { "RTMAX", SIGRTMAX },
        };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                struct husk_error e = { 0 };
                int s = signal_parse(good[i].s, &e);
                ok(s == good[i].sig, "signal \"%s\" = %d (got %d: %s)", good[i].s, good[i].sig, s, e.msg);
        }
        /* runc sends -1, 65 and 100 to kill(2), which says EINVAL; husk
         * refuses them first. runc's "" means SIGTERM. */
        static const char *const bad[] = {
                "", "-1", "65", "100", "SIGFOO", "SIG", "RTMIN-1", "RTMAX+1", "RTMIN+100", "9x", "SIG9", "K ILL",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct husk_error e = { 0 };
                ok(signal_parse(bad[i], &e) < 0 && strstr(e.msg, "invalid signal") && strstr(e.msg, bad[i]),
                   "signal \"%s\" is refused: %s", bad[i], e.msg);
        }
}

/* ---- runc's option spellings through cli_getopt ---- */

enum { OPT_PIDFILE = 300, OPT_KEEP };
static const struct option lopts[] = {
        { "bundle", required_argument, NULL, 'b' },
        { "detach", no_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, OPT_PIDFILE },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "help", no_argument, NULL, 'h' },
        { 0 },
};

/* Run cli_getopt over argv; "c=optarg" per option ("b=/x", "d", "?"), then
 * "|" and the arguments left. argv must be a fresh array (cli_getopt
 * rewrites it once per array). */
static char *getopt_trace(const char *shortopts, int argc, char **argv)
{
        char out[512] = "";
        size_t len = 0;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = cli_getopt(argc, argv, shortopts, lopts, NULL)) != -1) {
                char name[16];
                if (c == OPT_PIDFILE)
                        snprintf(name, sizeof(name), "pid-file");
                else if (c == OPT_KEEP)
                        snprintf(name, sizeof(name), "keep");
                else
                        snprintf(name, sizeof(name), "%c", c);
                len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s%s%s", len ? " " : "", name,
                                        optarg && c != '?' ? "=" : "", optarg && c != '?' ? optarg : "");
        }
        len += (size_t)snprintf(out + len, sizeof(out) - len, " |");
        for (int i = optind; i < argc; i++)
                len += (size_t)snprintf(out + len, sizeof(out) - len, " %s", argv[i]);
        return xstrdup(out);
}

#define GETOPT(shortopts, want, ...)                                                            \
        do {                                                                                    \
                static char *av[] = { "cmd", __VA_ARGS__, NULL };                               \
                _cleanup_free_ char *got = getopt_trace(shortopts, (int)ARRAY_SIZE(av) - 1, av); \
                ok(strcmp(got, want) == 0, "getopt %s: \"%s\", want \"%s\"", #__VA_ARGS__, got, want); \
        } while (0)

static void test_getopt(void)
{
        /* getopt_long's own spellings */
        GETOPT("b:dh", "b=/x d | id", "--bundle", "/x", "-d", "id");
        GETOPT("b:dh", "b=/x pid-file=/p | id", "--bundle=/x", "--pid-file", "/p", "id");
        GETOPT("b:dh", "b=/x d | id", "-b/x", "-d", "id");
        GETOPT("b:dh", "b=/x | id", "--bund", "/x", "id");      /* getopt's abbreviation */
        /* Go's: one dash, name=value, one-letter with '=' or two dashes */
        GETOPT("b:dh", "b=/x pid-file=/p | id", "-bundle", "/x", "-pid-file=/p", "id");
        GETOPT("b:dh", "b=/y b=/z | id", "-b=/y", "--b", "/z", "id");
        GETOPT("b:dh", "b= | id", "-b=", "id");
        /* booleans with a value: strconv.ParseBool's spellings; false is absent */
        GETOPT("b:dh", "d d d keep | id", "--detach=true", "-detach=1", "-d=t", "--keep=TRUE", "id");
        GETOPT("b:dh", " | id", "--detach=false", "-d=0", "-detach=F", "--keep=False", "id");
        GETOPT("b:dh", "? | id", "--detach=yes", "id");
        /* '+': the command after the id keeps its options */
        GETOPT("+b:dh", "d | id sh -c -bundle", "-d", "id", "sh", "-c", "-bundle");
        /* "--" ends the options, and nothing after it is rewritten */
        GETOPT("b:dh", " | id -bundle", "--", "id", "-bundle");
        /* the value of an option is never taken for an option */
        GETOPT("b:dh", "b=-detach=false | id", "-bundle", "-detach=false", "id");
        /* exact names only, as Go: "-bund" is getopt's -b und */
        GETOPT("b:dh", "b=und | id", "-bund", "id");
        /* unknown options reach the caller as '?' (the commands stop at
         * the first); an unknown one-dash word is getopt's cluster of
         * letters */
        GETOPT("b:dh", "? | id", "--nope", "id");
        GETOPT("b:dh", "? ? ? ? ? ? | id", "-nope=1", "id");
}

int main(void)
{
        test_ram_in_bytes();
        test_go_integers();
        test_memory_value();
        test_go_duration();
        test_preserve_fds();
        test_gid_list();
        test_signals();
        test_getopt();
        return tap_done();
}
