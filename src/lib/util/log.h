/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging. runc-compatible: with --log FILE --log-format json each entry is
 * one line {"level":"error","msg":"...","time":"..."}; containerd reads the
 * last error line. Errors and warnings also go to stderr as "husk: ...".
 * Debug lines (--debug) go where runc sends them: to the --log file, or
 * without one to stderr, in the --log-format (text or JSON lines).
 * The sink is process-wide state set once by cli/main.c (husk_log_init). */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "husk/error.h"

enum husk_log_level { HUSK_LOG_ERROR, HUSK_LOG_WARNING, HUSK_LOG_INFO, HUSK_LOG_DEBUG };

/* path may be NULL (stderr). json selects the JSON line format. */
int husk_log_init(const char *path, bool json, bool debug, struct husk_error *err);
void husk_log(enum husk_log_level level, const char *fmt, ...) HUSK_FMT(2, 3);
/* The fd logs go to, to keep open across fork in init stages (-1: stderr). */
int husk_log_fd(void);
/* True when a log file was given: errors then go to the file *and* stderr. */
bool husk_log_to_file(void);

#define log_error(...) husk_log(HUSK_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) husk_log(HUSK_LOG_WARNING, __VA_ARGS__)
#define log_info(...) husk_log(HUSK_LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                          \
        do {                                                    \
                if (husk_log_debug)                             \
                        husk_log(HUSK_LOG_DEBUG, __VA_ARGS__);  \
        } while (0)

/* --debug: set once by husk_log_init, read by the macros so that a
 * disabled debug line costs one test (no formatting, no clock). */
extern bool husk_log_debug;

/* Phase timing for --debug (and the performance work). A phase clock is a
 * CLOCK_MONOTONIC time in ns, 0 when debug is off:
 *
 *     int64_t t = log_clock();
 *     ...create the cgroup...
 *     log_phase(&t, "cgroup", "cgroup %s created", path);
 *
 * logs "cgroup /husk/c1 created" at debug level with the phase's name, its
 * duration (since t) and the time since husk started, in ms, then sets t to
 * now for the next phase. Text lines end with `phase=cgroup ms=0.412
 * at_ms=3.101`; JSON lines get "phase", "ms" and "at_ms" fields. */
int64_t husk_log_clock_ns(void);
void husk_log_phase(int64_t *t, const char *phase, const char *fmt, ...) HUSK_FMT(3, 4);
#define log_clock() (husk_log_debug ? husk_log_clock_ns() : 0)
#define log_phase(t, ...)                                       \
        do {                                                    \
                if (husk_log_debug)                             \
                        husk_log_phase((t), __VA_ARGS__);       \
        } while (0)

#endif
