/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime binary out of the container's reach (CVE-2019-5736 class).
 *
 * husk forks its stages without re-exec, so every process it makes has
 * /proc/self/exe as its exe until the container's program is executed. A
 * process in the container's pid namespace with CAP_SYS_PTRACE can open
 * /proc/<pid>/exe of such a process (non-dumpable or not), keep the fd,
 * and write the binary once ETXTBSY clears. Only an execve changes a
 * process's exe (PR_SET_MM_EXE_FILE refuses while the old file is mapped),
 * so the commands that make container-visible processes (create, run,
 * exec) first execute themselves again from a copy the container can't
 * write, with the same argv and environment. The static husk on x86-64
 * makes exec's copy before glibc starts (cli/selfexe_entry.c); main's
 * check then finds /proc/self/exe protected. */
#ifndef HUSK_LINUX_SELFEXE_H
#define HUSK_LINUX_SELFEXE_H

#include <stdbool.h>

#include "husk/error.h"

/* Is the file behind fd unwritable by construction: a memfd sealed against
 * writes, or the root of a read-only mount of just this file (a file bind
 * mount such as the one selfexe_protect makes)? */
bool selfexe_fd_is_protected(int fd);

/* Returns 0 at once when /proc/self/exe is already protected. Otherwise
 * executes argv/envp from a protected copy of it: a detached read-only
 * bind mount of the binary (open_tree + mount_setattr: no mount namespace
 * changes), or, without the new mount API or the privilege for it, a
 * sealed memfd copy. Does not return on success; -1 with err set when no
 * protected copy could be made or executed. */
int selfexe_protect(char *const argv[], char *const envp[], struct husk_error *err);

#endif
