/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Terminals: the container's pty is made inside the container (its own
 * devpts), the master goes to the caller: over --console-socket (SCM_RIGHTS,
 * as runc does) or, for a foreground `husk run`, to a proxy in husk. */
#ifndef HUSK_TERMINAL_H
#define HUSK_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>

#include "husk/error.h"

/* Open /dev/ptmx (the container's), unlock; *slave_path gets "/dev/pts/N". */
int terminal_open_pty(int *master, char **slave_path, struct husk_error *err);
/* Open the slave, make it our controlling tty (we are a session leader),
 * set its size when given, and make it fds 0, 1, 2. */
int terminal_become_console(const char *slave_path, bool set_size, uint16_t rows, uint16_t cols,
                            struct husk_error *err);
#endif
