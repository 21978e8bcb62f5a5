/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copy-on-write accounting around fork: who pays for the init's pages. */
#ifndef HUSK_PREFAULT_H
#define HUSK_PREFAULT_H

#include <stddef.h>

/* Give this process its own copy of the pages of its private writable
 * mappings: the heap (all of it, so that malloc's next chunks are there
 * already), `stack_below` bytes of stack under the current frame and the
 * resident pages of the others (data, bss, TLS). A child forked next that
 * writes to them once we have exited reuses them instead of copying them on
 * write: they stay charged to our memory cgroup, not to the cgroup the child
 * joined. Best effort: no error, and nothing changes but residency. */
void prefault_private_pages(size_t stack_below);

#endif
