/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/prefault.h"
#include "util/util.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096UL

/* Write-fault [a, b) without changing a byte (MADV_POPULATE_WRITE breaks
 * COW the same way; touch by hand on kernels before 5.14). Only where
 * `resident` is NULL or says the page is there. */
static void populate(uintptr_t a, uintptr_t b, const unsigned char *resident)
{
        if (!resident && madvise((void *)a, b - a, MADV_POPULATE_WRITE) == 0)
                return;
        for (uintptr_t p = a; p < b; p += PAGE) {
                if (resident && !(resident[(p - a) / PAGE] & 1))
                        continue;
                volatile unsigned char *c = (volatile unsigned char *)p;
                __atomic_fetch_add(c, 0, __ATOMIC_RELAXED);
        }
}

void prefault_private_pages(size_t stack_below)
{
        uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
        _cleanup_free_ char *maps = NULL;
        if (read_file_at(AT_FDCWD, "/proc/self/maps", &maps, NULL, NULL) < 0)
                return;
        /* the lines are parsed in place; nothing below allocates */
        for (char *line = maps, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                unsigned long a, b;
                char perms[5];
                int name_at = 0;
                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &a, &b, perms, &name_at) < 3)
                        continue;
                if (strcmp(perms, "rw-p") != 0)
                        continue;
                const char *name = name_at ? line + name_at : "";
                if (strcmp(name, "[stack]") == 0) {
                        uintptr_t lo = (sp - stack_below) & ~(PAGE - 1);
                        populate(lo > a ? lo : a, b, NULL);
                } else if (strcmp(name, "[heap]") == 0) {
                        populate(a, b, NULL);
                } else {
                        size_t n = (b - a) / PAGE;
                        unsigned char vec[256];
                        /* a big mapping: its resident pages, in chunks */
                        for (size_t off = 0; off < n; off += sizeof(vec)) {
                                size_t k = n - off < sizeof(vec) ? n - off : sizeof(vec);
                                uintptr_t ca = a + off * PAGE;
                                if (mincore((void *)ca, k * PAGE, vec) == 0)
                                        populate(ca, ca + k * PAGE, vec);
                        }
                }
        }
}
