/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging. runc-compatible: with --log FILE --log-format json each entry is
 * one line {"level":"error","msg":"...","time":"..."}; containerd reads the
 * last error line. Without --log, warnings and errors go to stderr as text.
 * The sink is process-wide state set once by cli/main.c (husk_log_init). */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>

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
#define log_debug(...) husk_log(HUSK_LOG_DEBUG, __VA_ARGS__)

#endif
