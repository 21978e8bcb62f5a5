/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/util.h"

/* Process-wide state, one of the documented exceptions (tests/unit/
 * test-architecture.py, GLOBAL_STATE): where logs go, set once by cli/main.c. */
static struct {
        int fd;
        bool json;
        bool debug;
        int64_t start_ns;       /* CLOCK_MONOTONIC at husk_log_init */
} sink = { -1, false, false, 0 };

bool husk_log_debug;

int64_t husk_log_clock_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int husk_log_init(const char *path, bool json, bool debug, struct husk_error *err)
{
        sink.json = json;
        sink.debug = debug;
        husk_log_debug = debug;
        if (debug)
                sink.start_ns = husk_log_clock_ns();
        if (path && *path) {
                int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd < 0)
                        return husk_error_sys(err, "open log file %s", path);
                if (sink.fd >= 0)
                        close(sink.fd);
                sink.fd = fd;
        }
        return 0;
}

int husk_log_fd(void)
{
        return sink.fd;
}

bool husk_log_to_file(void)
{
        return sink.fd >= 0;
}

static const char *level_name(enum husk_log_level l)
{
        switch (l) {
        case HUSK_LOG_ERROR: return "error";
        case HUSK_LOG_WARNING: return "warning";
        case HUSK_LOG_INFO: return "info";
        default: return "debug";
        }
}

/* JSON string escaping into buf. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
        size_t n = 0;
        for (; *s && n + 7 < cap; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\') {
                        out[n++] = '\\';
                        out[n++] = (char)c;
                } else if (c == '\n') {
                        out[n++] = '\\';
                        out[n++] = 'n';
                } else if (c == '\t') {
                        out[n++] = '\\';
                        out[n++] = 't';
                } else if (c < 0x20) {
                        n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
                } else {
                        out[n++] = (char)c;
                }
        }
        out[n] = '\0';
        return n;
}

/* One record in the --log-format, to fd. extra: text "k=v ..." / JSON
 * ",\"k\":v..." fields, or NULL. */
static void write_record(int fd, enum husk_log_level level, const char *msg, const char *text_extra,
                         const char *json_extra)
{
        char line[8192];
        char when[64];
        time_now_rfc3339(when, sizeof(when));
        int n;
        /* quotes, backslashes and control characters escaped in both
         * formats (logrus quotes such a text value the same way) */
        char esc[6000];
        json_escape(esc, sizeof(esc), msg);
        if (sink.json) {
                n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"%s}\n",
                             level_name(level), esc, when, json_extra ? json_extra : "");
        } else {
                n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"%s%s\n", when, level_name(level),
                             esc, text_extra ? " " : "", text_extra ? text_extra : "");
        }
        if (n > 0)
                (void)write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void husk_log_phase(int64_t *t, const char *phase, const char *fmt, ...)
{
        if (!sink.debug)
                return;
        int64_t now = husk_log_clock_ns();
        char msg[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        double ms = *t ? (double)(now - *t) / 1e6 : 0, at = (double)(now - sink.start_ns) / 1e6;
        char text[256], json[256];
        snprintf(text, sizeof(text), "phase=%s ms=%.3f at_ms=%.3f", phase, ms, at);
        snprintf(json, sizeof(json), ",\"phase\":\"%s\",\"ms\":%.3f,\"at_ms\":%.3f", phase, ms, at);
        write_record(sink.fd >= 0 ? sink.fd : 2, HUSK_LOG_DEBUG, msg, text, json);
        *t = now;
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
        if (level == HUSK_LOG_DEBUG && !sink.debug)
                return;
        if (level == HUSK_LOG_INFO && !sink.debug && sink.fd < 0)
                return;
        char msg[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        char line[8192];
        /* info and debug: to the log file, or to stderr without one (runc) */
        if (level >= HUSK_LOG_INFO) {
                write_record(sink.fd >= 0 ? sink.fd : 2, level, msg, NULL, NULL);
                return;
        }
        if (sink.fd >= 0)
                write_record(sink.fd, level, msg, NULL, NULL);
        /* People read stderr: errors and warnings always go there too
         * (runc also prints the error to stderr when --log is given). */
        {
                int n = snprintf(line, sizeof(line), "husk: %s%s\n",
                                 level == HUSK_LOG_WARNING ? "warning: " : level == HUSK_LOG_ERROR ? "" : "", msg);
                if (n > 0)
                        (void)write_all(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        }
}
