/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.seccomp (seccomp.c). (Not "seccomp.h": <linux/seccomp.h> is the
 * kernel's.) */
#ifndef HUSK_LINUX_SECCOMP_FILTER_H
#define HUSK_LINUX_SECCOMP_FILTER_H

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Seccomp (libseccomp builds the program, seccomp(2) loads it with the
 * spec's flags). s == NULL: nothing.
 *
 * The profile comes from spec_parse(), which checked every name, action and
 * condition (spec/validate.c owns those rules).
 *
 * seccomp_check_host: the filter flags the running kernel lacks.
 *
 * seccomp_compile: build the BPF program (the slow part: ~30 ms for Docker's
 * profile). Call it in the parent before forking the init, so the init
 * inherits the program and only loads it. With cache_dir (e.g.
 * "<root>/.seccomp-cache"; created 0700, ignored unless owned by us and not
 * group/world-writable) the program is kept there keyed by the whole profile
 * and the libseccomp version, and a later identical profile skips
 * libseccomp. NULL: no cache. *out is NULL when s is NULL.
 *
 * seccomp_load_prog: seccomp(2) and nothing else, so the filter can never
 * deny a syscall husk still needs: only execve should follow. Works with
 * or without no_new_privs (without it, CAP_SYS_ADMIN is needed). With
 * SCMP_ACT_NOTIFY rules, *notify_fd receives the listener fd (O_CLOEXEC;
 * else -1) that the caller sends to linux.seccomp.listenerPath.
 *
 * seccomp_load_filter: compile (no cache) + load, for callers that have no
 * parent to compile in. */
struct husk_seccomp_prog;
int seccomp_check_host(const struct husk_seccomp *s, struct husk_error *err);
int seccomp_compile(const struct husk_seccomp *s, const char *cache_dir, struct husk_seccomp_prog **out,
                    struct husk_error *err);
int seccomp_load_prog(const struct husk_seccomp_prog *prog, int *notify_fd, struct husk_error *err);
void seccomp_prog_free(struct husk_seccomp_prog *prog);
int seccomp_load_filter(const struct husk_seccomp *s, int *notify_fd, struct husk_error *err);
/* Does the profile have SCMP_ACT_NOTIFY rules (a listener fd to hand over)? */
bool seccomp_has_listener(const struct husk_seccomp *s);
/* For `husk features`: does the running kernel accept this filter flag
 * (a name of spec_seccomp_flag_names)? */
bool seccomp_flag_supported(const char *name);

#endif
