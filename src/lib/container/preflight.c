/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checks of a parsed spec against the running host, in one place,
 * before create makes anything. spec_parse() already checked every rule
 * that does not depend on the host (spec/validate.c owns those); what is
 * left is what only this machine can answer, each asked of the mechanism
 * that will apply it:
 *   lsm_check_host       a label for an LSM the host doesn't run
 *   intelrdt_check       resctrl present, the schemata acceptable
 *   netdev_check         linux.netDevices exist on the host
 *   sysctl_check_host    net.* in a network namespace that is the host's own
 *   seccomp_check_host   filter flags the running kernel lacks
 */
#include "container/internal.h"
#include "linux/intelrdt.h"
#include "linux/netdev.h"
#include "linux/seccomp_filter.h"
#include "linux/sysctls.h"
#include "linux/lsm_labels.h"
#include "util/util.h"

int container_preflight(const struct husk_spec *spec, struct husk_error *err)
{
        if (lsm_check_host(spec->process, err) < 0)
                return -1;
        /* Parsed and validated, not applied yet: say so, never drop silently. */
        if (spec->linux && spec->linux->intel_rdt) {
                _cleanup_free_ char *root = NULL;
                if (intelrdt_find_root(NULL, &root, err) < 0 || intelrdt_check(spec->linux->intel_rdt, root, err) < 0)
                        return -1;
        }
        if (netdev_check(spec, err) < 0)
                return -1;
        if (sysctl_check_host(spec, err) < 0)
                return -1;
        return seccomp_check_host(spec->linux ? spec->linux->seccomp : NULL, err);
}
