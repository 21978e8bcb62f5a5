/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "linux/terminal.h"
#include "util/util.h"

int terminal_open_pty(int *master, char **slave_path, struct husk_error *err)
{
        _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return husk_error_sys(err, "open /dev/ptmx");
        if (unlockpt(m) < 0)
                return husk_error_sys(err, "unlock pty");
        int n;
        if (ioctl(m, TIOCGPTN, &n) < 0)
                return husk_error_sys(err, "get pty number");
        *slave_path = xasprintf("/dev/pts/%d", n);
        *master = TAKE_FD(m);
        return 0;
}

int terminal_become_console(const char *slave_path, bool set_size, uint16_t rows, uint16_t cols,
                            struct husk_error *err)
{
        _cleanup_close_ int s = open(slave_path, O_RDWR | O_NOCTTY);
        if (s < 0)
                return husk_error_sys(err, "open %s", slave_path);
        if (ioctl(s, TIOCSCTTY, 0) < 0)
                return husk_error_sys(err, "make %s the controlling terminal", slave_path);
        if (set_size) {
                struct winsize ws = { .ws_row = rows, .ws_col = cols };
                if (ioctl(s, TIOCSWINSZ, &ws) < 0)
                        return husk_error_sys(err, "set console size");
        }
        for (int fd = 0; fd < 3; fd++)
                if (dup2(s, fd) < 0)
                        return husk_error_sys(err, "dup console to fd %d", fd);
        return 0;
}
