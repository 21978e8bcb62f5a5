/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/compat.h"
#include "util/prefault.h"
#include "util/util.h"

#define PAGE 4096UL

/* Write-fault [a, b) without changing a byte: MADV_POPULATE_WRITE (5.14)
 * breaks copy-on-write like a write does; else touch each page. */
static void populate(uintptr_t a, uintptr_t b)
{
        if (a >= b || madvise((void *)a, b - a, MADV_POPULATE_WRITE) == 0)
                return;
        for (uintptr_t p = a; p < b; p += PAGE)
                __atomic_fetch_add((volatile unsigned char *)p, 0, __ATOMIC_RELAXED);
}

/* The address sanitizer (and the thread and memory ones) reserve their
 * shadow memory as private writable anonymous mappings: terabytes of
 * MAP_NORESERVE address space that /proc/self/maps lists as "rw-p" with no
 * name, like any heap. Populating them commits real memory until the OOM
 * killer ends the init (an earlier, mincore-driven version instead spun
 * through millions of calls over them). Only the runtime knows which
 * mappings are its own, and memory accounting means nothing in a build
 * that multiplies it anyway: under these sanitizers, prefault nothing. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SHADOW_MAPPINGS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SHADOW_MAPPINGS 1
#endif
#endif

void prefault_private_pages(size_t stack_below)
{
#ifdef SHADOW_MAPPINGS
        return;
#endif
        uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
        _cleanup_free_ char *maps = NULL;
        if (read_file_at(AT_FDCWD, "/proc/self/maps", &maps, NULL, NULL) < 0)
                return;
        for (char *line = maps, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                unsigned long a, b;
                char perms[5];
                int name_at = 0;
                if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &a, &b, perms, &name_at) < 3)
                        continue;
                /* private and writable: heap, stack, data, bss, TLS (not
                 * shared mappings, whose pages are never copied) */
                if (strcmp(perms, "rw-p") != 0)
                        continue;
                if (name_at && strcmp(line + name_at, "[stack]") == 0) {
                        uintptr_t lo = (sp - stack_below) & ~(PAGE - 1);
                        a = lo > a ? lo : a;
                }
                populate(a, b);
        }
}
