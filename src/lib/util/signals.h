/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HUSK_SIGNALS_H
#define HUSK_SIGNALS_H

#include "husk/error.h"

/* "KILL", "SIGKILL", "9", "RTMIN+3", "SIGRTMAX-1" -> number; -1 + err if bad. */
int signal_parse(const char *s, struct husk_error *err);
/* "SIGKILL" etc. (static string), or NULL. */
const char *signal_name(int sig);

#endif
