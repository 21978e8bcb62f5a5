/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The controller setters against a fake hierarchy: plain directories and
 * files in a temporary directory, announced by a fake mountinfo, so that
 * what `cgroup_update` writes (and puts back when it fails) is checked
 * without root, on a v1 and on a v2 layout, whatever the host has.
 * The real kernel's side (enforcement, clamping, delegation) is
 * test-cgroup.c's (root only).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "spec/spec-internal.h"
#include "state/state.h"
#include "util/jsongen.h"
#include "util/util.h"
#include "tap.h"

static char tmp[] = "/tmp/husk-cgfake-XXXXXX";

static void put(const char *dir, const char *file, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        struct husk_error e;
        if (mkdir_p(dir, 0755, &e) < 0 || write_file_atomic(p, content, strlen(content), 0644, &e) < 0) {
                printf("Bail out! setup %s: %s\n", p, e.msg);
                exit(1);
        }
}

static void expect(const char *dir, const char *file, const char *want)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *got = NULL;
        if (read_file_at(AT_FDCWD, p, &got, NULL, NULL) < 0)
                got = xstrdup("<missing>");
        ok(strcmp(got, want) == 0, "%s is \"%s\"", p + strlen(tmp) + 1, want);
        if (strcmp(got, want) != 0)
                tap_diag("got \"%s\"", got);
}

/* A manager over the fake mounts: the mountinfo lines name tmp's dirs. */
static struct cgroup_manager *fake_manager(const char *mountinfo, const char *saved)
{
        _cleanup_free_ char *mi = xasprintf("%s/mountinfo", tmp);
        put(tmp, "mountinfo", mountinfo);
        struct husk_error e;
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *mounts = cgroup_mounts_read_file(mi, &e);
        struct cgroup_manager *m = NULL;
        if (!mounts || cgroup_manager_restore_in(saved, mounts, &m, &e) < 0) {
                printf("Bail out! fake manager: %s\n", e.msg);
                exit(1);
        }
        return m;
}

static struct husk_memory mem_of(int64_t limit, int64_t swap)
{
        return (struct husk_memory){ .limit = { true, limit }, .swap = { true, swap } };
}

static void test_v2(void)
{
        _cleanup_free_ char *root = xasprintf("%s/v2", tmp);
        _cleanup_free_ char *leaf = xasprintf("%s/husk/t", root);
        _cleanup_free_ char *husk = xasprintf("%s/husk", root);
        put(root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids");
        put(root, "cgroup.subtree_control", "");
        put(husk, "cgroup.controllers", "cpuset cpu io memory hugetlb pids");
        put(husk, "cgroup.subtree_control", "");
        put(leaf, "memory.max", "max");
        put(leaf, "memory.swap.max", "max");
        put(leaf, "memory.low", "0");
        put(leaf, "cpu.weight", "100");
        put(leaf, "cpu.max", "max 100000");
        put(leaf, "cpu.max.burst", "0");
        put(leaf, "cpuset.cpus", "");
        put(leaf, "pids.max", "max");
        put(leaf, "io.weight", "default 100");
        _cleanup_free_ char *mi = xasprintf("30 25 0:27 / %s rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", root);
        struct cgroup_manager *m = fake_manager(mi, "husk-cg1 v2 0 /husk/t @v2:/husk/t");

        struct husk_memory mem = mem_of(1 << 30, 3LL << 29);
        mem.reservation = (struct husk_opt_i64){ true, 1 << 20 };
        struct husk_cpu cpu = { .shares = { true, 1024 }, .quota = { true, 50000 }, .period = { true, 200000 },
                                .cpus = (char *)"0-1" };
        struct husk_resources res = { .memory = &mem, .cpu = &cpu, .has_pids = true, .pids_limit = { true, 42 } };
        struct husk_error e = { 0 };
        CHECK(cgroup_update(m, &res, &e) == 0, "v2 update: %s", e.msg);
        expect(leaf, "memory.max", "1073741824");
        expect(leaf, "memory.swap.max", "536870912");     /* v2 swap is swap alone: 1.5G - 1G */
        expect(leaf, "memory.low", "1048576");
        expect(leaf, "cpu.weight", "39");                 /* runc's mapping of 1024 */
        expect(leaf, "cpu.max", "50000 200000");
        expect(leaf, "cpuset.cpus", "0-1");
        expect(leaf, "pids.max", "42");
        /* pure v2 delegates every controller the root offers */
        expect(root, "cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids");

        /* A period alone keeps the quota cpu.max has. */
        struct husk_cpu per = { .period = { true, 100000 } };
        struct husk_resources r2 = { .cpu = &per };
        CHECK(cgroup_update(m, &r2, &e) == 0, "v2 period: %s", e.msg);
        expect(leaf, "cpu.max", "50000 100000");

        /* unlimited memory means unlimited swap; a swap without a limit is refused */
        struct husk_memory unl = mem_of(-1, 0);
        struct husk_resources r3 = { .memory = &unl };
        CHECK(cgroup_update(m, &r3, &e) == 0, "v2 unlimited: %s", e.msg);
        expect(leaf, "memory.max", "max");
        expect(leaf, "memory.swap.max", "max");
        struct husk_memory bad = { .swap = { true, 1 << 20 } };
        struct husk_resources r4 = { .memory = &bad };
        CHECK(cgroup_update(m, &r4, &e) < 0 && strstr(e.msg, "linux.resources.memory.swap: a swap limit needs a "
                                                      "memory limit"), "v2 swap alone: %s", e.msg);

        /* A failed update puts back what it changed: pids.max can't be
         * written (a directory here), so memory.max and cpu.max return. */
        _cleanup_free_ char *pids = xasprintf("%s/pids.max", leaf);
        unlink(pids);
        mkdir(pids, 0755);
        struct husk_memory m2 = mem_of(1 << 29, 0);
        struct husk_cpu c2 = { .quota = { true, 20000 }, .period = { true, 100000 } };
        struct husk_resources r5 = { .memory = &m2, .cpu = &c2, .has_pids = true, .pids_limit = { true, 7 } };
        CHECK(cgroup_update(m, &r5, &e) < 0 && strstr(e.msg, "linux.resources.pids.limit"), "v2 rollback: %s",
              e.msg);
        expect(leaf, "memory.max", "max");
        expect(leaf, "cpu.max", "50000 100000");
        cgroup_manager_free(m);
}

static void test_v1(void)
{
        static const char *const ctrls[] = { "memory", "cpu,cpuacct", "cpuset", "pids", "blkio" };
        _cleanup_free_ char *mi = xstrdup("");
        for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
                char *n = xasprintf("%s%zu 25 0:%zu / %s/%s rw,nosuid - cgroup cgroup rw,%s\n", mi, 40 + i, 40 + i,
                                    tmp, ctrls[i], ctrls[i]);
                free(mi);
                mi = n;
        }
        _cleanup_free_ char *mem = xasprintf("%s/memory/husk/t", tmp);
        _cleanup_free_ char *cpu = xasprintf("%s/cpu,cpuacct/husk/t", tmp);
        _cleanup_free_ char *pids = xasprintf("%s/pids/husk/t", tmp);
        _cleanup_free_ char *blk = xasprintf("%s/blkio/husk/t", tmp);
        _cleanup_free_ char *cpuset = xasprintf("%s/cpuset/husk/t", tmp);
        put(mem, "memory.limit_in_bytes", "9223372036854771712");
        put(mem, "memory.memsw.limit_in_bytes", "9223372036854771712");
        put(mem, "memory.soft_limit_in_bytes", "9223372036854771712");
        put(mem, "memory.swappiness", "60");
        put(cpu, "cpu.shares", "1024");
        put(cpu, "cpu.cfs_quota_us", "-1");
        put(cpu, "cpu.cfs_period_us", "100000");
        put(cpuset, "cpuset.cpus", "0-3");
        put(pids, "pids.max", "max");
        put(blk, "blkio.weight", "500");
        put(blk, "blkio.throttle.read_bps_device", "");
        struct cgroup_manager *m = fake_manager(mi, "husk-cg1 v1 0 /husk/t memory:/husk/t cpu,cpuacct:/husk/t "
                                                    "cpuset:/husk/t pids:/husk/t blkio:/husk/t");

        struct husk_memory mm = mem_of(1 << 30, 3LL << 29);
        mm.swappiness = (struct husk_opt_u64){ true, 10 };
        struct husk_cpu c = { .shares = { true, 512 }, .quota = { true, 50000 }, .period = { true, 200000 },
                              .cpus = (char *)"1" };
        struct husk_throttle_device rbps = { .major = 8, .minor = 0, .rate = 1048576 };
        struct husk_blockio b = { .weight = { true, 300 }, .throttle_read_bps = &rbps, .n_throttle_read_bps = 1 };
        struct husk_resources res = { .memory = &mm, .cpu = &c, .block_io = &b, .has_pids = true,
                                      .pids_limit = { true, -1 } };
        struct husk_error e = { 0 };
        CHECK(cgroup_update(m, &res, &e) == 0, "v1 update: %s", e.msg);
        expect(mem, "memory.limit_in_bytes", "1073741824");
        expect(mem, "memory.memsw.limit_in_bytes", "1610612736");   /* v1 memsw is memory+swap */
        expect(mem, "memory.swappiness", "10");
        expect(cpu, "cpu.shares", "512");
        expect(cpu, "cpu.cfs_quota_us", "50000");
        expect(cpu, "cpu.cfs_period_us", "200000");
        expect(cpuset, "cpuset.cpus", "1");
        expect(pids, "pids.max", "max");
        expect(blk, "blkio.weight", "300");
        expect(blk, "blkio.throttle.read_bps_device", "8:0 1048576");

        /* swappiness out of range: refused, naming the field, by the rule's
         * one owner (spec/validate.c: spec_parse and update --resources run it) */
        struct husk_memory sw = { .swappiness = { true, 101 } };
        struct husk_resources r2 = { .memory = &sw };
        CHECK(spec_validate_resources(&r2, "linux.resources", &e) < 0 &&
                      strstr(e.msg, "linux.resources.memory.swappiness"),
              "v1 swappiness: %s", e.msg);

        /* No memsw file (no swap accounting): a swap limit is refused. */
        _cleanup_free_ char *memsw = xasprintf("%s/memory.memsw.limit_in_bytes", mem);
        unlink(memsw);
        struct husk_memory ms = mem_of(1 << 30, 3LL << 29);
        struct husk_resources r3 = { .memory = &ms };
        CHECK(cgroup_update(m, &r3, &e) < 0 && strstr(e.msg, "no swap accounting"), "v1 no memsw: %s", e.msg);

        /* Rollback on v1: cpu.shares comes back when pids fails. */
        _cleanup_free_ char *pm = xasprintf("%s/pids.max", pids);
        unlink(pm);
        mkdir(pm, 0755);
        struct husk_cpu c2 = { .shares = { true, 2048 } };
        struct husk_resources r4 = { .cpu = &c2, .has_pids = true, .pids_limit = { true, 5 } };
        CHECK(cgroup_update(m, &r4, &e) < 0, "v1 rollback: update should fail");
        expect(cpu, "cpu.shares", "512");
        cgroup_manager_free(m);
}

/* The string husk saved in state.json before the JSON object (b6d8a68,
 * `husk create` on a hybrid host), against the same host's mounts faked:
 * a container made then is still found, and saved again as JSON that
 * restores to the same hierarchies. */
static const char legacy[] = "husk-cg1 hybrid 0 /husk/cgroup-fx1 cpu:/husk/cgroup-fx1 cpuacct:/husk/cgroup-fx1 "
                             "cpuset:/husk/cgroup-fx1 memory:/husk/cgroup-fx1 devices:/husk/cgroup-fx1 "
                             "freezer:/husk/cgroup-fx1 blkio:/husk/cgroup-fx1 pids:/husk/cgroup-fx1 "
                             "name=systemd:/husk/cgroup-fx1 @v2:/husk/cgroup-fx1";

static void same_hierarchies(struct cgroup_manager *a, struct cgroup_manager *b, const char *what)
{
        const char *ma, *da, *mb, *db;
        bool va, vb;
        size_t i = 0;
        for (; cgroup_hierarchy(a, i, &ma, &da, &va); i++) {
                CHECK(cgroup_hierarchy(b, i, &mb, &db, &vb), "%s: hierarchy %zu missing", what, i);
                if (i < 64 && cgroup_hierarchy(b, i, &mb, &db, &vb))
                        CHECK(strcmp(ma, mb) == 0 && strcmp(da, db) == 0 && va == vb, "%s: %s vs %s", what, da, db);
        }
        CHECK(!cgroup_hierarchy(b, i, &mb, &db, &vb), "%s: more hierarchies", what);
        CHECK(strcmp(cgroup_manager_path(a), cgroup_manager_path(b)) == 0, "%s: path", what);
}

static void test_saved_formats(void)
{
        static const char *const v1[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
                                           "pids", "name=systemd" };
        _cleanup_free_ char *mi = xstrdup("");
        for (size_t i = 0; i < ARRAY_SIZE(v1); i++) {
                const char *dir = strcmp(v1[i], "name=systemd") == 0 ? "systemd" : v1[i];
                char *n = xasprintf("%s%zu 25 0:%zu / %s/h/%s rw - cgroup cgroup rw,%s%s\n", mi, 60 + i, 60 + i, tmp,
                                    dir, strcmp(dir, "systemd") == 0 ? "xattr," : "", v1[i]);
                free(mi);
                mi = n;
        }
        char *n = xasprintf("%s70 25 0:70 / %s/h/unified rw - cgroup2 cgroup2 rw\n", mi, tmp);
        free(mi);
        mi = n;
        struct cgroup_manager *old = fake_manager(mi, legacy);
        const char *mnt, *dir;
        bool is2;
        size_t nh = 0;
        while (cgroup_hierarchy(old, nh, &mnt, &dir, &is2))
                nh++;
        CHECK(nh == 10, "legacy: %zu hierarchies, want 10", nh);
        _cleanup_free_ char *want_pids = xasprintf("%s/h/pids/husk/cgroup-fx1", tmp);
        CHECK(cgroup_hierarchy(old, 7, &mnt, &dir, &is2) && strcmp(dir, want_pids) == 0 && !is2, "legacy pids: %s",
              dir);
        CHECK(cgroup_hierarchy(old, 9, &mnt, &dir, &is2) && is2, "legacy cgroup2 last");
        CHECK(strcmp(cgroup_manager_path(old), "/husk/cgroup-fx1") == 0, "legacy path");

        /* and it updates what it should */
        put(want_pids, "pids.max", "max");
        struct husk_resources res = { .has_pids = true, .pids_limit = { true, 9 } };
        struct husk_error e = { 0 };
        CHECK(cgroup_update(old, &res, &e) == 0, "legacy update: %s", e.msg);
        expect(want_pids, "pids.max", "9");

        _cleanup_free_ char *json = cgroup_manager_save(old);
        CHECK(strncmp(json, "{\"driver\":\"cgroupfs\",\"layout\":\"hybrid\",\"rootless\":false,"
                      "\"path\":\"/husk/cgroup-fx1\",\"hierarchies\":[{\"controllers\":\"cpu\",\"path\":"
                      "\"/husk/cgroup-fx1\"},", 128) == 0, "saved as JSON: %s", json);
        CHECK(strstr(json, "{\"cgroup2\":true,\"path\":\"/husk/cgroup-fx1\"}]}"), "cgroup2 saved: %s", json);
        struct cgroup_manager *again = fake_manager(mi, json);
        same_hierarchies(old, again, "JSON round trip");
        cgroup_manager_free(again);

        /* unknown formats are refused, naming the problem */
        _cleanup_free_ char *mip = xasprintf("%s/mountinfo", tmp);
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *mounts = cgroup_mounts_read_file(mip, &e);
        struct cgroup_manager *bad = NULL;
        CHECK(cgroup_manager_restore_in("husk-cg9 v2 0 /x @v2:/x", mounts, &bad, &e) < 0 &&
              strstr(e.msg, "unknown format"), "unknown string: %s", e.msg);
        CHECK(cgroup_manager_restore_in("{\"driver\":\"other\",\"layout\":\"v2\",\"path\":\"/x\","
                                        "\"hierarchies\":[]}", mounts, &bad, &e) < 0 &&
              strstr(e.msg, "not a cgroup manager this husk knows"), "unknown driver: %s", e.msg);
        CHECK(cgroup_manager_restore_in("{\"driver\":\"cgroupfs\",\"layout\":\"v2\",\"path\":\"/\","
                                        "\"hierarchies\":[{\"cgroup2\":true,\"path\":\"/../\"}]}", mounts, &bad,
                                        &e) < 0 && strstr(e.msg, "none of its hierarchies"), "root refused: %s", e.msg);
        CHECK(cgroup_manager_restore_in("{\"driver\":\"cgroupfs\",\"layout\":\"v2\",\"path\":\"/x\","
                                        "\"hierarchies\":[{\"cgroup2\":true,\"path\":", mounts, &bad, &e) < 0 &&
              e.kind == HUSK_ERR_INVALID && strstr(e.msg, "cgroup state: "), "broken JSON: %s", e.msg);
        CHECK(cgroup_manager_restore_in("{\"driver\":{},\"driver\":\"cgroupfs\",\"layout\":\"v2\","
                                        "\"path\":\"/x\",\"hierarchies\":[]}", mounts, &bad, &e) < 0 &&
              strstr(e.msg, "not a cgroup manager"), "a key's first value counts: %s", e.msg);
        bad = NULL;
        CHECK(cgroup_manager_restore_in("{\"driver\":\"cgroupfs\",\"layout\":\"v2\",\"path\":\"/x\","
                                        "\"x\":{\"path\":\"/\"},\"hierarchies\":[1,\"s\",[{}],"
                                        "{\"cgroup2\":true,\"path\":\"/x\",\"path\":\"/\",\"n\":{\"path\":\"/\"}}]}",
                                        mounts, &bad, &e) == 0 && bad, "non-objects skipped: %s", e.msg);
        const char *hm, *hd;
        bool hv;
        CHECK(bad && cgroup_hierarchy(bad, 0, &hm, &hd, &hv) && hv && strlen(hd) >= 2 &&
              strcmp(hd + strlen(hd) - 2, "/x") == 0 && !cgroup_hierarchy(bad, 1, &hm, &hd, &hv),
              "one cgroup2 hierarchy, its first path kept");
        cgroup_manager_free(bad);
        cgroup_manager_free(old);
}

/* What container_load says of a live container: restored, then asked. */
static int frozen_by_restore(const char *saved, const struct cgroup_mounts *mounts)
{
        struct cgroup_manager *m = NULL;
        struct husk_error e = { 0 };
        if (cgroup_manager_restore_in(saved, mounts, &m, &e) < 0)
                return -1;
        int r = cgroup_is_frozen(m);
        cgroup_manager_free(m);
        return r;
}

/* cgroup_saved_frozen (husk list) says what restore + cgroup_is_frozen say,
 * alone and with the object read while its state.json is parsed. */
static void check_frozen(const char *saved, const struct cgroup_mounts *mounts, int want, const char *what)
{
        int ref = frozen_by_restore(saved, mounts);
        CHECK(ref == want, "%s: restore + is_frozen %d, want %d", what, ref, want);
        int alone = cgroup_saved_frozen(saved, NULL, mounts);
        CHECK(alone == ref, "%s: saved_frozen %d, restore %d", what, alone, ref);
        /* as husk list asks: through the mount points' fds */
        _cleanup_free_ char *mip = xasprintf("%s/mountinfo-z", tmp);
        struct husk_error me = { 0 };
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *kept = cgroup_mounts_read_file(mip, &me);
        cgroup_mounts_keep_fds(kept);
        CHECK(kept && cgroup_saved_frozen(saved, NULL, kept) == ref && cgroup_saved_frozen(saved, NULL, kept) == ref,
              "%s: through kept fds", what);

        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "id", "x");
        if (saved[0] == '{')
                jgen_kv_raw(g, "cgroup", saved);
        else
                jgen_kv_str(g, "cgroup", saved);
        yajl_gen_map_close(g);
        _cleanup_free_ char *doc = jgen_finish(g);
        _cleanup_(cgroup_saved_reader_freep) struct cgroup_saved_reader *rd = cgroup_saved_reader_new();
        struct state_sub sub = { cgroup_saved_reader_callbacks(), cgroup_saved_reader_ctx(rd) };
        struct husk_state st;
        struct husk_error e = { 0 };
        CHECK(state_parse_with(doc, "x", &sub, &st, &e) == 0 && st.cgroup && strcmp(st.cgroup, saved) == 0,
              "%s: state parsed: %s", what, e.msg);
        if (st.cgroup) {
                int read = cgroup_saved_frozen(st.cgroup, rd, mounts);
                CHECK(read == ref, "%s: read with state.json %d, restore %d", what, read, ref);
        }
        state_free(&st);
}

static void test_saved_frozen(void)
{
        _cleanup_free_ char *mi = xasprintf("61 25 0:61 / %s/z/freezer rw - cgroup cgroup rw,freezer\n"
                                            "62 25 0:62 / %s/z/cpu rw - cgroup cgroup rw,cpu\n"
                                            "70 25 0:70 / %s/z/unified rw - cgroup2 cgroup2 rw\n", tmp, tmp, tmp);
        put(tmp, "mountinfo-z", mi);
        _cleanup_free_ char *mip = xasprintf("%s/mountinfo-z", tmp);
        struct husk_error e = { 0 };
        _cleanup_(cgroup_mounts_freep) struct cgroup_mounts *mounts = cgroup_mounts_read_file(mip, &e);
        CHECK(mounts, "fake mounts: %s", e.msg);
        if (!mounts)
                return;
        _cleanup_free_ char *fz = xasprintf("%s/z/freezer/husk/f1", tmp);
        _cleanup_free_ char *fz2 = xasprintf("%s/z/freezer/husk/f2", tmp);
        _cleanup_free_ char *u = xasprintf("%s/z/unified/husk/f1", tmp);
#define HY(h) "{\"driver\":\"cgroupfs\",\"layout\":\"hybrid\",\"rootless\":false,\"path\":\"/husk/f1\"," \
              "\"hierarchies\":[" h "]}"
        const char *v1 = HY("{\"controllers\":\"cpu\",\"path\":\"/husk/f1\"},"
                            "{\"controllers\":\"freezer\",\"path\":\"/husk/f1\"},"
                            "{\"cgroup2\":true,\"path\":\"/husk/f1\"}");
        put(u, "cgroup.freeze", "1\n");
        put(fz, "freezer.state", "THAWED\n");
        check_frozen(v1, mounts, 0, "v1 thawed (the v1 freezer wins over cgroup2)");
        put(fz, "freezer.state", "FROZEN\n");
        check_frozen(v1, mounts, 1, "v1 frozen");
        put(fz, "freezer.state", "FREEZING\n");
        check_frozen(v1, mounts, 1, "v1 freezing");
        check_frozen("husk-cg1 hybrid 0 /husk/f1 cpu:/husk/f1 freezer:/husk/f1 @v2:/husk/f1", mounts, 1,
                     "older husk's string");
        _cleanup_free_ char *fzs = xasprintf("%s/freezer.state", fz);
        unlink(fzs);
        check_frozen(v1, mounts, -1, "v1 freezer.state gone");

        const char *v2 = HY("{\"controllers\":\"cpu\",\"path\":\"/husk/f1\"},"
                            "{\"controllers\":\"memory\",\"path\":\"/husk/f1\"},"
                            "{\"cgroup2\":true,\"path\":\"/husk/f1\"}");
        check_frozen(v2, mounts, 1, "cgroup2 frozen (memory is not mounted)");
        put(u, "cgroup.freeze", "0\n");
        check_frozen(v2, mounts, 0, "cgroup2 thawed");
        check_frozen(HY("{\"controllers\":\"cpu\",\"path\":\"/husk/f1\"}"), mounts, -1, "no freezer at all");

        /* a root cgroup is never used: the next freezer hierarchy is */
        put(fz2, "freezer.state", "FROZEN\n");
        check_frozen(HY("{\"controllers\":\"freezer\",\"path\":\"/..\"},"
                        "{\"controllers\":\"freezer\",\"path\":\"/husk/f2\"},"
                        "{\"cgroup2\":true,\"path\":\"/husk/f1\"}"),
                     mounts, 1, "root freezer skipped");
        check_frozen(HY("{\"controllers\":\"freezer\",\"path\":\"/\"}"), mounts, -1, "only a root cgroup");
        check_frozen("{\"driver\":\"other\",\"layout\":\"hybrid\",\"path\":\"/x\",\"hierarchies\":["
                     "{\"cgroup2\":true,\"path\":\"/husk/f1\"}]}", mounts, -1, "unknown driver");
        check_frozen("{\"driver\":\"cgroupfs\",\"layout\":\"hybrid\",\"path\":\"/x\",\"hierarchies\":["
                     "{\"controllers\":\"pids\",\"path\":\"/husk/f1\"}]}", mounts, -1, "nothing mounted");
#undef HY
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* also on a bail out (exit) */
static void cleanup(void)
{
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
        if (!mkdtemp(tmp)) {
                perror("mkdtemp");
                return 1;
        }
        atexit(cleanup);
        test_v2();
        test_v1();
        test_saved_formats();
        test_saved_frozen();
        return tap_done();
}
