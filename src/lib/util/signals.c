/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/signals.h"
#include "util/util.h"

static const struct {
        const char *name;
        int sig;
} table[] = {
        { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },    { "CONT", SIGCONT },
        { "STOP", SIGSTOP },   { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
        { "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
        { "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },
        { "PWR", SIGPWR },     { "SYS", SIGSYS },
};

const char *signal_name(int sig)
{
        static const char *const full[] = {
                [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",     [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
                [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",   [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
                [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",   [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
                [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",   [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
                [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",   [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
                [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",   [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
                [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
                [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",     [SIGSYS] = "SIGSYS",
        };
        if (sig > 0 && (size_t)sig < ARRAY_SIZE(full))
                return full[sig];
        return NULL;
}

int signal_parse(const char *s, struct husk_error *err)
{
        if (!s || !*s)
                return husk_error_invalid(err, "invalid signal \"\"");
        /* " 9" is no signal 9 (strtoll would skip the blank); runc refuses it */
        if (*s == ' ' || *s == '\t' || *s == '\n')
                goto bad;
        int64_t n;
        if (parse_int64(s, &n) == 0) {
                /* 0 probes without signalling (kill(2)): a liveness check, as runc takes it. */
                if (n < 0 || n > SIGRTMAX)
                        return husk_error_invalid(err, "invalid signal \"%s\": out of range 0-%d", s, SIGRTMAX);
                return (int)n;
        }
        const char *name = s;
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                if (strcasecmp(name, table[i].name) == 0)
                        return table[i].sig;
        /* RTMIN+N, RTMAX-N */
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool min = strncasecmp(name, "RTMIN", 5) == 0;
                const char *rest = name + 5;
                int64_t off = 0;
                if (*rest) {
                        if ((min && *rest != '+') || (!min && *rest != '-') || rest[1] < '0' || rest[1] > '9' ||
                            parse_int64(rest + 1, &off) < 0)
                                goto bad;
                }
                int sig = min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
                if (sig < SIGRTMIN || sig > SIGRTMAX)
                        goto bad;
                return sig;
        }
bad:
        return husk_error_invalid(err, "invalid signal \"%s\"", s);
}
