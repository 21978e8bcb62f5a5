/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* linux.sysctl (sysctl.c). (Not "sysctl.h": <linux/sysctl.h> is the
 * kernel's.) */
#ifndef HUSK_LINUX_SYSCTLS_H
#define HUSK_LINUX_SYSCTLS_H

#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* runc's rule for linux.sysctl (only namespaced sysctls) is spec_validate's;
 * the host part is here: net.* in a network namespace joined by path that
 * is the current (host's) one. */
int sysctl_check_host(const struct husk_spec *spec, struct husk_error *err);
/* Write linux.sysctl through /proc/sys (after /proc is mounted in the
 * container). "a.b.c" → /proc/sys/a/b/c; a key already written with '/'
 * separators ("net/ipv4/conf/eth0.100/rp_filter") is used as it is. */
int sysctl_apply(const struct husk_kv *kv, size_t n, struct husk_error *err);

#endif
