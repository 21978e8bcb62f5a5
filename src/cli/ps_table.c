/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `husk ps ID` with no ps options: the rows `ps -ef` would print for the
 * container's processes, made from /proc by husk itself, in procps-ng's
 * -f layout (UID PID PPID C STIME TTY TIME CMD). Running ps(1) for it
 * costs its whole start (4.4 MiB resident here, three times husk's); with
 * ps options husk still runs ps (cgroups.c).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util/passwd.h"
#include "util/util.h"

/* What a row needs from /proc/<pid>. */
struct ps_proc {
        char comm[64];
        char state;
        long ppid, tty;
        unsigned long long utime, stime, start;         /* clock ticks */
        long euid;
        char *cmdline;                                  /* NUL-separated, or NULL */
        size_t cmdline_len;
};

/* The host clock: boot time (seconds since 1970), seconds since boot, ticks
 * per second, now. */
struct ps_clock {
        long long btime;
        double uptime;
        long hz;
        time_t now;
};

static char *read_proc(pid_t pid, const char *file, size_t *len)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        char *s = NULL;
        if (read_file_at(AT_FDCWD, path, &s, len, NULL) < 0)
                return NULL;
        return s;
}

/* /proc/<pid>/stat after the command's closing parenthesis: state is field
 * 3, ppid 4, tty_nr 7, utime 14, stime 15, starttime 22. */
static bool parse_stat(const char *s, struct ps_proc *p)
{
        const char *open = strchr(s, '('), *close = strrchr(s, ')');
        if (!open || !close || close < open)
                return false;
        size_t n = (size_t)(close - open - 1);
        if (n >= sizeof(p->comm))
                n = sizeof(p->comm) - 1;
        memcpy(p->comm, open + 1, n);
        p->comm[n] = '\0';
        char st;
        long ppid, tty;
        unsigned long long ut, sy, start;
        if (sscanf(close + 2, "%c %ld %*d %*d %ld %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
                   &st, &ppid, &tty, &ut, &sy, &start) != 6)
                return false;
        p->state = st;
        p->ppid = ppid;
        p->tty = tty;
        p->utime = ut;
        p->stime = sy;
        p->start = start;
        return true;
}

static long status_euid(const char *s)
{
        const char *u = strstr(s, "\nUid:");
        long r, e;
        if (!u || sscanf(u + 5, "%ld %ld", &r, &e) != 2)
                return -1;
        return e;
}

/* Gone (or unreadable) processes get no row, as ps -ef would not list them. */
static bool read_proc_entry(pid_t pid, struct ps_proc *p)
{
        memset(p, 0, sizeof(*p));
        _cleanup_free_ char *stat = read_proc(pid, "stat", NULL);
        _cleanup_free_ char *status = read_proc(pid, "status", NULL);
        if (!stat || !status || !parse_stat(stat, p))
                return false;
        p->euid = status_euid(status);
        p->cmdline = read_proc(pid, "cmdline", &p->cmdline_len);
        return p->euid >= 0;
}

/* USER as ps prints it: the name when it fits the 8 columns, else the id. */
static char *user_of(long uid)
{
        char *name = passwd_lookup("/etc/passwd", (uid_t)uid, PASSWD_NAME);
        if (name && strlen(name) <= 8)
                return name;
        free(name);
        return xasprintf("%ld", uid);
}

/* pts/N, ttyN, ttySN from tty_nr; "?" for none or another kind. */
static void tty_name(long nr, char *out, size_t size)
{
        unsigned major = (unsigned)((nr >> 8) & 0xfff), minor = (unsigned)((nr & 0xff) | ((nr >> 12) & 0xfff00));
        if (nr == 0)
                snprintf(out, size, "?");
        else if (major >= 136 && major <= 143)
                snprintf(out, size, "pts/%u", (major - 136) * 256 + minor);
        else if (major == 4 && minor < 64)
                snprintf(out, size, "tty%u", minor);
        else if (major == 4)
                snprintf(out, size, "ttyS%u", minor - 64);
        else
                snprintf(out, size, "?");
}

/* STIME: the hour that day, the day that year, else the year. */
static void stime_of(const struct ps_clock *c, unsigned long long start, char *out, size_t size)
{
        time_t t = (time_t)(c->btime + (long long)(start / (unsigned long long)c->hz));
        struct tm now, then;
        localtime_r(&c->now, &now);
        localtime_r(&t, &then);
        const char *fmt = then.tm_year != now.tm_year ? "%Y" : then.tm_yday != now.tm_yday ? "%b%d" : "%H:%M";
        if (strftime(out, size, fmt, &then) == 0)
                snprintf(out, size, "?");
}

/* TIME: the CPU time, [days-]hh:mm:ss. */
static void time_of(unsigned long long secs, char *out, size_t size)
{
        unsigned long long d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
        if (d)
                snprintf(out, size, "%llu-%02llu:%02llu:%02llu", d, h, m, s);
        else
                snprintf(out, size, "%02llu:%02llu:%02llu", h, m, s);
}

/* C: the CPU use over the process's life, in percent, at most 99. */
static unsigned cpu_of(const struct ps_clock *c, const struct ps_proc *p)
{
        double life = c->uptime - (double)p->start / (double)c->hz;
        if (life < 1)
                return 0;
        unsigned long long pct = (p->utime + p->stime) * 100ULL / (unsigned long long)c->hz / (unsigned long long)life;
        return pct > 99 ? 99 : (unsigned)pct;
}

/* Does the caller's locale (as ps would set it from LC_ALL, LC_CTYPE,
 * LANG) use UTF-8? */
static bool utf8_locale(void)
{
        const char *v = getenv("LC_ALL");
        if (!v || !*v)
                v = getenv("LC_CTYPE");
        if (!v || !*v)
                v = getenv("LANG");
        const char *dot = v ? strchr(v, '.') : NULL;
        if (!dot)
                return false;
        /* the codeset as glibc normalizes it ("UTF-8" -> "utf8") */
        char cs[16];
        size_t n = 0;
        const char *p = dot + 1;
        for (; *p && *p != '@' && n < sizeof(cs) - 1; p++)
                if (isalnum((unsigned char)*p))
                        cs[n++] = (char)tolower((unsigned char)*p);
        cs[n] = '\0';
        if (strcmp(cs, "utf8") != 0)
                return false;
        /* A locale the system lacks leaves ps(1) in "C": it must be in the
         * archive (taken as there when there is one) or a directory of its
         * own. (husk is static: glibc can't load it here to ask.) */
        if (access("/usr/lib/locale/locale-archive", R_OK) == 0)
                return true;
        char path[256];
        snprintf(path, sizeof(path), "/usr/lib/locale/%.*s.utf8%s/LC_CTYPE", (int)(dot - v), v, p);
        if (access(path, R_OK) == 0)
                return true;
        snprintf(path, sizeof(path), "/usr/lib/locale/%s/LC_CTYPE", v);
        return access(path, R_OK) == 0;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes) of a
 * printable character, or 0. */
static size_t utf8_printable(const unsigned char *s, size_t n)
{
        size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
        if (len == 0 || s[0] >= 0xf5 || len > n)
                return 0;
        uint32_t c = s[0] & (0x7f >> len);
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        bool overlong = (len == 3 && c < 0x800) || (len == 4 && c < 0x10000);
        if (overlong || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c < 0xa0)
                return 0;       /* < 0xa0: the C1 controls */
        return len;
}

/* s (n bytes) with what ps(1) escapes escaped as it does (procps: in a
 * UTF-8 locale every unprintable or invalid byte is '?'; else controls are
 * '.' and bytes above 127 '?'); NULs as spaces. */
static void print_escaped(const unsigned char *s, size_t n, bool utf8)
{
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = s[i];
                if (ch == '\0') {
                        putchar(' ');
                } else if (ch >= 0x20 && ch < 0x7f) {
                        putchar(ch);
                } else if (!utf8) {
                        putchar(ch < 0x80 ? '.' : '?');
                } else {
                        size_t len = ch >= 0x80 ? utf8_printable(s + i, n - i) : 0;
                        if (len == 0) {
                                putchar('?');
                                continue;
                        }
                        fwrite(s + i, 1, len, stdout);
                        i += len - 1;
                }
        }
}

/* CMD: the arguments joined by spaces, escaped (print_escaped); "[comm]"
 * without any argument (a kernel thread, a zombie, an empty argv[0]),
 * escaped too (the container's processes set their comm), "<defunct>"
 * added to a zombie. */
static void print_cmd(const struct ps_proc *p, bool utf8)
{
        size_t n = p->cmdline_len;
        while (n > 0 && p->cmdline[n - 1] == '\0')
                n--;
        if (!p->cmdline || n == 0) {
                putchar('[');
                print_escaped((const unsigned char *)p->comm, strlen(p->comm), utf8);
                printf("]%s\n", p->state == 'Z' ? " <defunct>" : "");
                return;
        }
        print_escaped((const unsigned char *)p->cmdline, n, utf8);
        putchar('\n');
}

static bool ps_clock_read(struct ps_clock *c)
{
        _cleanup_free_ char *stat = NULL, *up = NULL;
        if (read_file_at(AT_FDCWD, "/proc/stat", &stat, NULL, NULL) < 0 ||
            read_file_at(AT_FDCWD, "/proc/uptime", &up, NULL, NULL) < 0)
                return false;
        const char *b = strstr(stat, "\nbtime ");
        c->hz = sysconf(_SC_CLK_TCK);
        c->now = time(NULL);
        return b && sscanf(b + 7, "%lld", &c->btime) == 1 && sscanf(up, "%lf", &c->uptime) == 1 && c->hz > 0;
}

/* The PID and PPID columns are as wide as the largest pid can be
 * (procps-ng: 5 where pid_max is 32768, 7 where systemd raised it to
 * 4194304). */
static int pid_width(void)
{
        _cleanup_free_ char *s = NULL;
        long max = 0;
        if (read_file_at(AT_FDCWD, "/proc/sys/kernel/pid_max", &s, NULL, NULL) < 0 || sscanf(s, "%ld", &max) != 1 ||
            max < 2)
                return 5;
        int w = 0;
        for (long v = max - 1; v > 0; v /= 10)
                w++;
        return w < 5 ? 5 : w;
}

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

int ps_table_print(const pid_t *pids, size_t n, struct husk_error *err)
{
        struct ps_clock c;
        if (!ps_clock_read(&c))
                return husk_error_sys(err, "read the boot time from /proc/stat and /proc/uptime");
        _cleanup_free_ pid_t *sorted = xmalloc((n ? n : 1) * sizeof(pid_t));
        if (n)
                memcpy(sorted, pids, n * sizeof(pid_t));
        qsort(sorted, n, sizeof(pid_t), cmp_pid);    /* ps -e goes by pid */
        bool utf8 = utf8_locale();
        int w = pid_width();
        printf("UID      %*s %*s  C STIME TTY          TIME CMD\n", w, "PID", w, "PPID");
        for (size_t i = 0; i < n; i++) {
                struct ps_proc p;
                if (!read_proc_entry(sorted[i], &p)) {
                        free(p.cmdline);
                        continue;
                }
                _cleanup_free_ char *user = user_of(p.euid);
                char tty[32], stime[32], cpu_time[40];
                tty_name(p.tty, tty, sizeof(tty));
                stime_of(&c, p.start, stime, sizeof(stime));
                time_of((p.utime + p.stime) / (unsigned long long)c.hz, cpu_time, sizeof(cpu_time));
                printf("%-8s %*d %*ld %2u %5s %-8s %8s ", user, w, (int)sorted[i], w, p.ppid, cpu_of(&c, &p), stime, tty,
                       cpu_time);
                print_cmd(&p, utf8);
                free(p.cmdline);
        }
        return 0;
}
