/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "linux/rootless.h"
#include "util/util.h"

bool rootless_maps_host_root(void)
{
        _cleanup_free_ char *map = NULL;
        struct husk_error e = { 0 };
        /* no /proc: assume the plain case, the euid decides */
        if (read_file_at(AT_FDCWD, "/proc/self/uid_map", &map, NULL, &e) < 0)
                return true;
        char *save = NULL;
        for (char *line = strtok_r(map, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long inside, outside, count;
                if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && outside == 0 && count > 0)
                        return true;
        }
        return false;
}

bool rootless_detect(void)
{
        return geteuid() != 0 || !rootless_maps_host_root();
}

char *rootless_default_root(void)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg && *xdg)
                return xasprintf("%s/husk", xdg);
        return xasprintf("/run/user/%u/husk", (unsigned)getuid());
}
