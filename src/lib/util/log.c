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

/* The one piece of process-wide state in libhusk: where logs go. */
static struct {
        int fd;
        bool json;
        bool debug;
} sink = { -1, false, false };

int husk_log_init(const char *path, bool json, bool debug, struct husk_error *err)
{
        sink.json = json;
        sink.debug = debug;
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
        if (sink.fd >= 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                struct tm tm;
                gmtime_r(&ts.tv_sec, &tm);
                char when[64];
                size_t w = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf(when + w, sizeof(when) - w, ".%09ldZ", ts.tv_nsec);
                int n;
                if (sink.json) {
                        char esc[6000];
                        json_escape(esc, sizeof(esc), msg);
                        n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                                     level_name(level), esc, when);
                } else {
                        n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", when,
                                     level_name(level), msg);
                }
                if (n > 0)
                        (void)write_all(sink.fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        }
        /* People read stderr: errors and warnings always go there too
         * (runc also prints the error to stderr when --log is given). */
        if (level <= HUSK_LOG_WARNING || sink.debug) {
                int n = snprintf(line, sizeof(line), "husk: %s%s\n",
                                 level == HUSK_LOG_WARNING ? "warning: " : level == HUSK_LOG_ERROR ? "" : "", msg);
                if (n > 0)
                        (void)write_all(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        }
}
