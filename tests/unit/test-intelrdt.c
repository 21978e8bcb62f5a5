/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of linux.intelRdt against a fake resctrl tree in a temporary
 * directory (this host, like most CI machines, has no resctrl): finding the
 * mount, the checks before side effects, the group, schemata, tasks and
 * monitoring group that apply writes, and what destroy removes. The kernel
 * makes the files of a new group by itself and removes them with the group:
 * the test plays that part where it matters (mon_groups, rmdir). */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/intelrdt.h"
#include "util/util.h"
#include "tap.h"

static char tmp[] = "/tmp/husk-test-rdt.XXXXXX";

static char *path(const char *sub)
{
        return xasprintf("%s/%s", tmp, sub);
}

static void mk(const char *sub)
{
        _cleanup_free_ char *p = path(sub);
        mkdir(p, 0755);
}

static void put(const char *sub, const char *data)
{
        _cleanup_free_ char *p = path(sub);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
                (void)write_all(fd, data, strlen(data));
                close(fd);
        }
}

static char *get(const char *sub)
{
        _cleanup_free_ char *p = path(sub);
        char *s = NULL;
        size_t len = 0;
        struct husk_error e = { 0 };
        if (read_file_at(AT_FDCWD, p, &s, &len, &e) < 0)
                return NULL;
        return s;
}

static bool exists(const char *sub)
{
        _cleanup_free_ char *p = path(sub);
        return access(p, F_OK) == 0;
}

static void rm(const char *sub)
{
        _cleanup_free_ char *p = path(sub);
        unlink(p);
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *f)
{
        (void)st;
        (void)f;
        return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void test_find_root(void)
{
        struct husk_error e = { 0 };
        char *root = NULL;
        put("mi1", "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                   "40 22 0:40 / /sys/fs/res\\040ctrl rw,relatime shared:9 - resctrl resctrl rw,mba_MBps\n");
        put("mi2", "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                   "23 1 0:22 / /sys rw - sysfs sysfs rw\n");
        _cleanup_free_ char *mi1 = path("mi1"), *mi2 = path("mi2");
        CHECK(intelrdt_find_root(mi1, &root, &e) == 1 && root && strcmp(root, "/sys/fs/res ctrl") == 0,
              "resctrl mount found, unescaped: %s", root ? root : e.msg);
        free(root);
        CHECK(intelrdt_find_root(mi2, &root, &e) == 0 && !root, "no resctrl mount: 0");
}

static void test_check(const char *root)
{
        struct husk_error e = { 0 };
        struct husk_intel_rdt r = { .l3_cache_schema = "L3:0=f" };
        CHECK(intelrdt_check(&r, NULL, &e) < 0 && strstr(e.msg, "Intel RDT is not supported") &&
              strstr(e.msg, "resctrl"), "no resctrl: %s", e.msg);
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_check(&r, root, &e) < 0 && strstr(e.msg, "linux.intelRdt.l3CacheSchema") &&
              strstr(e.msg, "CAT"), "no info/L3: %s", e.msg);
        mk("info/L3");
        CHECK(intelrdt_check(&r, root, &e) == 0, "info/L3 present: %s", e.msg);
        struct husk_intel_rdt mb = { .mem_bw_schema = "MB:0=50" };
        CHECK(intelrdt_check(&mb, root, &e) < 0 && strstr(e.msg, "linux.intelRdt.memBwSchema"), "no info/MB: %s",
              e.msg);
        mk("info/MB");
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_check(&mb, root, &e) == 0, "info/MB present: %s", e.msg);
        struct husk_intel_rdt mon = { .enable_monitoring = true };
        CHECK(intelrdt_check(&mon, root, &e) < 0 && strstr(e.msg, "linux.intelRdt.enableMonitoring"),
              "no info/L3_MON: %s", e.msg);
        mk("info/L3_MON");
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_check(&mon, root, &e) == 0, "info/L3_MON present: %s", e.msg);
        /* a closID alone names a group made beforehand */
        struct husk_intel_rdt clos = { .clos_id = "gold" };
        CHECK(intelrdt_check(&clos, root, &e) < 0 && strstr(e.msg, "linux.intelRdt.closID") &&
              strstr(e.msg, "\"gold\""), "missing CLOS: %s", e.msg);
        mk("gold");
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_check(&clos, root, &e) == 0, "existing CLOS: %s", e.msg);
        /* with a schema, a missing closID group is made */
        struct husk_intel_rdt clos2 = { .clos_id = "silver", .l3_cache_schema = "L3:0=3" };
        CHECK(intelrdt_check(&clos2, root, &e) == 0, "CLOS made with a schema: %s", e.msg);
}

static void test_apply_own_group(const char *root, int state)
{
        struct husk_error e = { 0 };
        char *sch[] = { "L2:0=3", NULL };
        struct husk_intel_rdt r = { .l3_cache_schema = "L3:0=f", .mem_bw_schema = "MB:0=50", .schemata = sch };
        CHECK(intelrdt_apply(&r, root, "c1", 4242, state, &e) == 0, "apply: %s", e.msg);
        _cleanup_free_ char *s = get("c1/schemata"), *t = get("c1/tasks");
        CHECK(s && strcmp(s, "L3:0=f\nMB:0=50\nL2:0=3\n") == 0, "schemata, one per line: %s", s ? s : "(none)");
        CHECK(t && strcmp(t, "4242") == 0, "init in tasks: %s", t ? t : "(none)");
        CHECK(faccessat(state, STATE_INTELRDT, F_OK, 0) == 0, "recorded in the state dir");
        /* the kernel's files go with rmdir; ours are plain files */
        rm("c1/schemata");
        rm("c1/tasks");
        CHECK(intelrdt_destroy(state, &e) == 0 && !exists("c1"), "delete removes the group made for it: %s",
              e.msg);
        CHECK(faccessat(state, STATE_INTELRDT, F_OK, 0) < 0, "record gone");
        CHECK(intelrdt_destroy(state, &e) == 0, "destroy without a record does nothing");
}

static void test_apply_closid(const char *root, int state)
{
        struct husk_error e = { 0 };
        /* a shared CLOS with a monitoring group for the container */
        mk("gold/mon_groups");
        struct husk_intel_rdt r = { .clos_id = "gold", .enable_monitoring = true };
        CHECK(intelrdt_apply(&r, root, "c2", 77, state, &e) == 0, "apply to gold: %s", e.msg);
        _cleanup_free_ char *t = get("gold/tasks"), *mt = get("gold/mon_groups/c2/tasks");
        CHECK(t && strcmp(t, "77") == 0, "init in the CLOS: %s", t ? t : "(none)");
        CHECK(mt && strcmp(mt, "77") == 0, "init in its monitoring group: %s", mt ? mt : "(none)");
        CHECK(!exists("gold/schemata"), "no schema given: the CLOS's schemata untouched");
        rm("gold/mon_groups/c2/tasks");
        CHECK(intelrdt_destroy(state, &e) == 0, "destroy: %s", e.msg);
        CHECK(exists("gold") && !exists("gold/mon_groups/c2"), "a named CLOS stays, the monitoring group goes");

        /* a closID with a schema: made if missing, but never removed (shared) */
        struct husk_intel_rdt r2 = { .clos_id = "silver", .l3_cache_schema = "L3:0=3" };
        CHECK(intelrdt_apply(&r2, root, "c3", 78, state, &e) == 0, "apply to silver: %s", e.msg);
        _cleanup_free_ char *s = get("silver/schemata");
        CHECK(s && strcmp(s, "L3:0=3\n") == 0, "silver schemata: %s", s ? s : "(none)");
        CHECK(intelrdt_destroy(state, &e) == 0 && exists("silver"), "named CLOS kept: %s", e.msg);
}

static void test_existing_closid_schemata(const char *root, int state)
{
        struct husk_error e = { 0 };
        /* the kernel's way of printing: padded, its own domain order */
        mk("bronze");
        put("bronze/schemata", "    L3:0=00f0;1=1f\n    MB:0= 20;1= 70\n");
        struct husk_intel_rdt ok = { .clos_id = "bronze", .l3_cache_schema = "L3:1=1f;0=f0", .mem_bw_schema = "MB:0=20" };
        CHECK(intelrdt_apply(&ok, root, "c5", 90, state, &e) == 0, "matching schemata: %s", e.msg);
        _cleanup_free_ char *s = get("bronze/schemata");
        CHECK(s && strstr(s, "L3:0=00f0;1=1f"), "an existing CLOS's schemata are not rewritten: %s", s ? s : "");
        CHECK(intelrdt_destroy(state, &e) == 0 && exists("bronze"), "kept");

        struct husk_intel_rdt bad = { .clos_id = "bronze", .l3_cache_schema = "L3:0=ff" };
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_apply(&bad, root, "c6", 91, state, &e) < 0 && strstr(e.msg, "linux.intelRdt.l3CacheSchema") &&
              strstr(e.msg, "does not match") && strstr(e.msg, "\"bronze\""), "mismatch: %s", e.msg);
        struct husk_intel_rdt badmb = { .clos_id = "bronze", .mem_bw_schema = "MB:1=50" };
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_apply(&badmb, root, "c6", 91, state, &e) < 0 && strstr(e.msg, "linux.intelRdt.memBwSchema"),
              "MB mismatch: %s", e.msg);
        CHECK(intelrdt_destroy(state, &e) == 0 && exists("bronze"), "a refused apply removes nothing");

        /* the default CLOS, "/": the root group itself */
        mk("mon_groups");
        struct husk_intel_rdt def = { .clos_id = "/", .enable_monitoring = true };
        memset(&e, 0, sizeof(e));
        CHECK(intelrdt_check(&def, root, &e) == 0, "closID / exists: %s", e.msg);
        CHECK(intelrdt_apply(&def, root, "c7", 92, state, &e) == 0, "apply to /: %s", e.msg);
        _cleanup_free_ char *t = get("tasks"), *mt = get("mon_groups/c7/tasks");
        CHECK(t && strcmp(t, "92") == 0 && mt && strcmp(mt, "92") == 0, "root tasks and its monitoring group");
        rm("mon_groups/c7/tasks");
        CHECK(intelrdt_destroy(state, &e) == 0 && !exists("mon_groups/c7") && exists("info"),
              "only the monitoring group goes: %s", e.msg);
}

static void test_kernel_error(const char *root, int state)
{
        struct husk_error e = { 0 };
        mk("bad");
        mk("bad/tasks");        /* writing it fails, as the kernel refusing a pid */
        put("info/last_cmd_status", "invalid pid\n");
        struct husk_intel_rdt r = { .clos_id = "bad" };
        CHECK(intelrdt_apply(&r, root, "c4", 1, state, &e) < 0 && strstr(e.msg, "linux.intelRdt") &&
              strstr(e.msg, "last_cmd_status: invalid pid"), "kernel's reason in the error: %s", e.msg);
        CHECK(intelrdt_destroy(state, &e) == 0 && exists("bad"), "a failed apply on a named CLOS removes nothing");
}

int main(void)
{
        if (!mkdtemp(tmp)) {
                perror("mkdtemp");
                return 1;
        }
        mk("info");
        mk("state");
        _cleanup_free_ char *sp = path("state");
        int state = open(sp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        test_find_root();
        test_check(tmp);
        test_apply_own_group(tmp, state);
        test_apply_closid(tmp, state);
        test_existing_closid_schemata(tmp, state);
        test_kernel_error(tmp, state);
        close(state);
        if (nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
                tap_diag("note: could not remove %s", tmp);
        return tap_done();
}
