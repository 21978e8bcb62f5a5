/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * process.capabilities → the five capability sets of the process (libcap).
 *
 * As runc 1.1.5: a capability the running kernel doesn't have (newer than
 * /proc/sys/kernel/cap_last_cap), or a name no kernel has, is dropped with
 * a warning, so a new engine's CAP_BPF works on an old kernel. Beyond runc,
 * as runtime-spec v1.3.0 asks ("SHOULD NOT fail if the container
 * configuration requests capabilities that cannot be granted ... in a
 * restricted environment"): a capability husk itself does not hold (not in
 * its permitted set, e.g. husk run by a root without CAP_SYS_RESOURCE, or
 * under capsh --drop) is left out of the effective and permitted sets with
 * a warning, and out of the inheritable set if the bounding set lacks it,
 * instead of failing the whole capset with EPERM. Nothing is ever added
 * that the caller did not have. An ambient capability the kernel refuses to
 * raise (not in both permitted and inheritable) is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "linux/caps.h"
#include "spec/spec-internal.h"
#include "util/log.h"
#include "util/util.h"

struct cap_mask { uint64_t bits; };

static void cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}

/* "CAP_KILL" for error messages. */
static void cap_upper_name(int v, char *buf, size_t size)
{
        _cleanup_free_ char *name = spec_cap_name(v);
        snprintf(buf, size, "%s", name ? name : "?");
}

static int cap_last(void)
{
        int n = cap_max_bits();    /* what the running kernel supports */
        return n > 0 ? n - 1 : CAP_LAST_CAP;
}

int caps_kernel_last(void)
{
        /* The file runc reads, read by husk on the host (never in a rootfs).
         * Bounded by what the kernel answers to prctl: a wrong file can
         * only make us keep fewer capabilities, never skip a drop. */
        int probe = cap_last();
        _cleanup_free_ char *s = NULL;
        int64_t v;
        if (read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &s, NULL, NULL) < 0)
                return probe;
        s[strcspn(s, "\n")] = '\0';
        if (parse_int64(s, &v) < 0 || v < 0 || v >= probe)
                return probe;
        return (int)v;
}

/* Names → a bit mask of the capabilities the kernel knows (up to `last`);
 * the others are logged one by one (as the field they came from) and left
 * out. */
static struct cap_mask mask_of(char **names, const char *set, int last)
{
        struct cap_mask m = { 0 };

        if (last < 0)
                last = cap_last();
        for (char **n = names; n && *n; n++) {
                int v = spec_cap_number(*n);
                if (v < 0 || v > last) {
                        log_warn("process.capabilities.%s: ignoring unknown or unavailable capability %s", set, *n);
                        continue;
                }
                m.bits |= UINT64_C(1) << v;
        }
        return m;
}

int caps_keep_on_setuid(struct husk_error *err)
{
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return husk_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
        return 0;
}

int caps_drop_bounding(const struct husk_caps *caps, int kernel_last, struct husk_error *err)
{
        struct cap_mask keep = mask_of(caps ? caps->bounding : NULL, "bounding", kernel_last);
        int last = cap_last();

        for (int c = 0; c <= last; c++) {
                if (keep.bits & (UINT64_C(1) << c))
                        continue;
                /* Drop first, ask only when that fails: with CAP_SETPCAP a
                 * drop of what isn't there succeeds, so the common case is
                 * one prctl per capability instead of two. */
                if (cap_drop_bound((cap_value_t)c) < 0) {
                        int e = errno;
                        if (e == EINVAL)        /* the kernel doesn't know it */
                                continue;
                        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
                                continue;       /* not there: nothing to drop */
                        char name[64];
                        cap_upper_name(c, name, sizeof(name));
                        return husk_error_set(err, e, "drop %s from the bounding set", name);
                }
        }
        return 0;
}

static int set_flags(cap_t c, cap_flag_t flag, struct cap_mask m)
{
        for (int v = 0; v < 64; v++) {
                if (!(m.bits & (UINT64_C(1) << v)))
                        continue;
                cap_value_t cv = v;
                if (cap_set_flag(c, flag, 1, &cv, CAP_SET) < 0)
                        return -1;
        }
        return 0;
}

static char *mask_text(struct cap_mask m)
{
        return xasprintf("%016llx", (unsigned long long)m.bits);
}

/* Leave out what this process can't grant: effective and permitted
 * capabilities outside its own permitted set, inheritable ones outside its
 * bounding and inheritable sets (capset would fail with EPERM). One warning
 * per capability, naming it. */
static void withhold_unheld(cap_t cur, struct cap_mask *eff, struct cap_mask *prm, struct cap_mask *inh, int last)
{
        struct cap_mask held = { 0 }, inheritable_ok = { 0 };
        for (int v = 0; v <= last && v < 64; v++) {
                cap_value_t cv = v;
                cap_flag_value_t p = CAP_CLEAR, i = CAP_CLEAR;
                cap_get_flag(cur, cv, CAP_PERMITTED, &p);
                cap_get_flag(cur, cv, CAP_INHERITABLE, &i);
                if (p == CAP_SET)
                        held.bits |= UINT64_C(1) << v;
                /* the bounding set only matters for what is asked for */
                if (i == CAP_SET || ((inh->bits & (UINT64_C(1) << v)) && prctl(PR_CAPBSET_READ, v, 0, 0, 0) == 1))
                        inheritable_ok.bits |= UINT64_C(1) << v;
        }
        uint64_t missing = ((eff->bits | prm->bits) & ~held.bits) | (inh->bits & ~inheritable_ok.bits);
        for (int v = 0; v < 64; v++) {
                if (!(missing & (UINT64_C(1) << v)))
                        continue;
                char name[64];
                cap_upper_name(v, name, sizeof(name));
                log_warn("process.capabilities: not granting %s: husk itself does not hold it "
                         "(the caller's capability sets lack it)", name);
        }
        eff->bits &= held.bits;
        prm->bits &= held.bits;
        inh->bits &= inheritable_ok.bits;
}

int caps_apply(const struct husk_caps *caps, int kernel_last, struct husk_error *err)
{
        struct cap_mask eff = mask_of(caps ? caps->effective : NULL, "effective", kernel_last);
        struct cap_mask prm = mask_of(caps ? caps->permitted : NULL, "permitted", kernel_last);
        struct cap_mask inh = mask_of(caps ? caps->inheritable : NULL, "inheritable", kernel_last);
        struct cap_mask amb = mask_of(caps ? caps->ambient : NULL, "ambient", kernel_last);
        _cleanup_(cap_freep) cap_t cur = NULL;
        _cleanup_(cap_freep) cap_t want = NULL;

        /* After setuid to non-root the effective set is empty even with
         * keepcaps; raise it back to the permitted set first, so the final
         * capset below runs with CAP_SETPCAP (inheritable outside the old
         * permitted set needs it). */
        cur = cap_get_proc();
        if (!cur)
                return husk_error_sys(err, "read the process capabilities");
        if (cap_clear_flag(cur, CAP_EFFECTIVE) < 0)
                return husk_error_sys(err, "clear effective capabilities");
        int last = cap_last();
        for (int v = 0; v <= last; v++) {
                cap_value_t cv = v;
                cap_flag_value_t fv;
                if (cap_get_flag(cur, cv, CAP_PERMITTED, &fv) == 0 && fv == CAP_SET)
                        cap_set_flag(cur, CAP_EFFECTIVE, 1, &cv, CAP_SET);
        }
        if (cap_set_proc(cur) < 0)
                return husk_error_sys(err, "raise the effective capabilities to the permitted set");
        withhold_unheld(cur, &eff, &prm, &inh, last);

        want = cap_init();
        if (!want)
                return husk_error_sys(err, "cap_init");
        if (set_flags(want, CAP_EFFECTIVE, eff) < 0 || set_flags(want, CAP_PERMITTED, prm) < 0 ||
            set_flags(want, CAP_INHERITABLE, inh) < 0)
                return husk_error_sys(err, "build the capability sets");
        if (cap_set_proc(want) < 0) {
                _cleanup_free_ char *e = mask_text(eff), *p = mask_text(prm), *i = mask_text(inh);
                return husk_error_sys(err, "apply capabilities (effective %s, permitted %s, inheritable %s)", e, p,
                                      i);
        }

        /* Ambient: start from nothing, raise what the kernel lets us. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return husk_error_sys(err, "clear the ambient capabilities");
        for (int v = 0; v < 64; v++) {
                if (!(amb.bits & (UINT64_C(1) << v)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0) {
                        int e = errno;
                        char name[64];
                        cap_upper_name(v, name, sizeof(name));
                        /* runc 1.1's own default spec asks for ambient caps
                         * without inheritable ones: not worth a warning on
                         * every run. */
                        log_debug("can't raise ambient capability %s: %s", name, strerror(e));
                }
        }
        return 0;
}
