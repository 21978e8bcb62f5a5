/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of util's low-level helpers: the mountinfo parser (escapes,
 * optional fields, empty fields, malformed lines, a whole file) and the
 * loader of dlopen()ed libraries (table filled, errors, first outcome kept),
 * the JSON generator helpers, replace_at (the state files' atomic
 * replacement that never renames over an existing file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "util/dl.h"
#include "util/jsongen.h"
#include "util/mountinfo.h"
#include "util/util.h"
#include "tap.h"

#define STREQ(a, b) ((a) && strcmp((a), (b)) == 0)

static bool parse(const char *line, struct mountinfo *mi, char **keep)
{
        free(*keep);
        *keep = xstrdup(line);
        return mountinfo_parse_line(*keep, mi);
}

static void test_mountinfo_line(void)
{
        _cleanup_free_ char *l = NULL;
        struct mountinfo mi;

        CHECK(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n", &mi, &l),
              "proc(5) example");
        CHECK(mi.id == 36 && mi.parent == 35 && mi.major == 98 && mi.minor == 0, "ids %d %d %u:%u", mi.id,
              mi.parent, mi.major, mi.minor);
        CHECK(STREQ(mi.root, "/mnt1") && STREQ(mi.mountpoint, "/mnt2") && STREQ(mi.mount_opts, "rw,noatime"),
              "root/mountpoint/opts");
        CHECK(STREQ(mi.optional, "master:1"), "optional %s", mi.optional);
        CHECK(STREQ(mi.fstype, "ext3") && STREQ(mi.source, "/dev/root") &&
              STREQ(mi.super_opts, "rw,errors=continue"), "fstype/source/super %s|%s|%s", mi.fstype, mi.source,
              mi.super_opts);

        /* no optional fields */
        CHECK(parse("22 1 0:21 / /proc rw,nosuid - proc proc rw", &mi, &l), "no optional");
        CHECK(STREQ(mi.optional, "") && STREQ(mi.fstype, "proc") && STREQ(mi.super_opts, "rw"), "no optional: %s|%s",
              mi.optional, mi.fstype);

        /* several optional fields */
        CHECK(parse("30 25 0:26 / /sys/fs/cgroup rw shared:4 master:9 propagate_from:2 - cgroup2 cgroup2 rw,nsdelegate",
                    &mi, &l), "several optional");
        CHECK(STREQ(mi.optional, "shared:4 master:9 propagate_from:2") && STREQ(mi.fstype, "cgroup2") &&
              STREQ(mi.super_opts, "rw,nsdelegate"), "several optional: %s", mi.optional);

        /* escapes: space, tab, newline, backslash; only in root/mountpoint/source */
        CHECK(parse("40 22 0:50 /a\\040b /mnt/x\\011y\\012z\\134w rw - tmpfs my\\040src rw,size=1k\\040x", &mi, &l),
              "escaped");
        CHECK(STREQ(mi.root, "/a b") && STREQ(mi.mountpoint, "/mnt/x\ty\nz\\w") && STREQ(mi.source, "my src"),
              "unescaped: %s|%s|%s", mi.root, mi.mountpoint, mi.source);
        CHECK(STREQ(mi.super_opts, "rw,size=1k\\040x"), "super opts raw: %s", mi.super_opts);
        /* not an escape: a lone backslash, \4xx and a short sequence stay */
        CHECK(parse("41 22 0:51 / /m\\\\n\\400\\04 rw - tmpfs t rw", &mi, &l), "non-escapes");
        CHECK(STREQ(mi.mountpoint, "/m\\\\n\\400\\04"), "non-escapes kept: %s", mi.mountpoint);

        /* an empty source (mount("", ...)): two spaces, not a shifted field */
        CHECK(parse("42 22 0:52 / /e rw - tmpfs  rw,size=4k", &mi, &l), "empty source");
        CHECK(STREQ(mi.source, "") && STREQ(mi.super_opts, "rw,size=4k"), "empty source: '%s' '%s'", mi.source,
              mi.super_opts);
        /* no super options at all */
        CHECK(parse("43 22 0:53 / /n rw - tmpfs none", &mi, &l) && STREQ(mi.super_opts, ""), "no super opts");

        /* malformed */
        static const char *const bad[] = {
                "",
                "36 35 98:0 /mnt1 /mnt2",
                "36 35 98:0 /mnt1 /mnt2 rw",
                "36 35 98:0 /mnt1 /mnt2 rw master:1 ext3 /dev/root rw",
                "36 35 98:0 /mnt1 /mnt2 rw -",
                "36 35 98:0 /mnt1 /mnt2 rw - ext3",
                "x 35 98:0 / /m rw - ext3 /dev/root rw",
                "36 35 98 / /m rw - ext3 /dev/root rw",
                "36 35 98:0x / /m rw - ext3 /dev/root rw",
                "36 35 98:0  /m rw - ext3 /dev/root rw",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                CHECK(!parse(bad[i], &mi, &l), "accepted bad line %zu: %s", i, bad[i]);
}

/* The ids and device numbers read as sscanf "%d%c" / "%u:%u%c" read them
 * (before it was replaced: a docker host's mountinfo has hundreds of lines);
 * a field never holds a space. */
static void test_mountinfo_numbers(void)
{
        static const char *const ids[] = { "36", "+7", "-3", "\t9", "", "x", "5x", "0x10", "-",
                                           "2147483647", "2147483648", "99999999999999999999", "-2147483649" };
        static const char *const devs[] = { "98:0", "0:52", ":1", "1:", "1:\t2", "-1:2",
                                            "1:+2", "1:2:3", "1:2x", "4294967296:1", "+0:-0", "1", "" };
        _cleanup_free_ char *l = NULL;
        struct mountinfo mi;
        for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
                int want;
                char c;
                bool ok = sscanf(ids[i], "%d%c", &want, &c) == 1;
                _cleanup_free_ char *line = xasprintf("%s 1 0:1 / /m rw - t s o", ids[i]);
                bool got = parse(line, &mi, &l);
                CHECK(got == ok && (!ok || mi.id == want), "id \"%s\": %d %d, %d %d", ids[i], got, mi.id, ok, want);
                _cleanup_free_ char *line2 = xasprintf("1 %s 0:1 / /m rw - t s o", ids[i]);
                got = parse(line2, &mi, &l);
                CHECK(got == ok && (!ok || mi.parent == want), "parent \"%s\"", ids[i]);
        }
        for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
                unsigned a, b;
                char c;
                bool ok = sscanf(devs[i], "%u:%u%c", &a, &b, &c) == 2;
                _cleanup_free_ char *line = xasprintf("1 1 %s / /m rw - t s o", devs[i]);
                bool got = parse(line, &mi, &l);
                CHECK(got == ok && (!ok || (mi.major == a && mi.minor == b)), "dev \"%s\": %d %u:%u, %d %u:%u",
                      devs[i], got, mi.major, mi.minor, ok, a, b);
        }
}

struct seen {
        int n;
        char points[8][64];
};

static int collect(const struct mountinfo *mi, void *data)
{
        struct seen *s = data;
        snprintf(s->points[s->n], sizeof(s->points[0]), "%s", mi->mountpoint);
        return ++s->n == 3 ? 7 : 0;
}

static void test_mountinfo_file(void)
{
        char path[] = "/tmp/husk-test-mountinfo.XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0, "mkstemp");
        const char *text = "1 0 0:1 / / rw - rootfs rootfs rw\n"
                           "garbage line\n"
                           "2 1 0:2 / /a\\040b rw shared:1 - tmpfs tmpfs rw\n"
                           "3 1 0:3 / /c rw - tmpfs tmpfs rw\n"
                           "4 1 0:4 / /d rw - tmpfs tmpfs rw\n";
        CHECK(write_all(fd, text, strlen(text)) == 0, "write");
        close(fd);

        struct husk_error err = { 0 };
        struct seen s = { 0 };
        int r = mountinfo_foreach(path, collect, &s, &err);
        CHECK(r == 7 && s.n == 3, "stops with fn's value: r=%d n=%d", r, s.n);
        CHECK(STREQ(s.points[0], "/") && STREQ(s.points[1], "/a b") && STREQ(s.points[2], "/c"),
              "bad line skipped: %s %s %s", s.points[0], s.points[1], s.points[2]);
        unlink(path);
        CHECK(mountinfo_foreach(path, collect, &s, &err) < 0, "missing file fails");

        /* only some filesystem types: the others are not even decoded */
        static const char *const tmpfs[] = { "tmpfs", NULL };
        text = "1 0 0:1 / / rw - rootfs rootfs rw\n"
               "x 1 0:2 / /bad rw - tmpfs tmpfs rw\n"
               "2 1 0:2 / /a\\040b rw shared:1 - tmpfs tmpfs rw\n"
               "3 1 0:3 / /c rw - tmpfs2 tmpfs rw\n"
               "4 1 0:4 / /d rw - tmpfs tmpfs rw\n";
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write_all(fd, text, strlen(text)) == 0, "write");
        close(fd);
        struct seen t = { 0 };
        CHECK(mountinfo_foreach_fs(path, tmpfs, collect, &t, &err) == 0 && t.n == 2 &&
              STREQ(t.points[0], "/a b") && STREQ(t.points[1], "/d"), "tmpfs lines: %d", t.n);
        unlink(path);

        /* the real one parses and has a root mount */
        struct seen all = { 0 };
        CHECK(mountinfo_foreach(NULL, collect, &all, &err) >= 0 && all.n >= 1, "/proc/self/mountinfo");
}

struct libc_fns {
        size_t (*strlen)(const char *);
        int (*abs)(int);
};

static void test_dl(void)
{
        static struct libc_fns t;
        static const struct dl_sym syms[] = { DL_SYM(struct libc_fns, strlen) DL_SYM(struct libc_fns, abs) };
        struct dl_lib lib = { .soname = "libc.so.6", .syms = syms, .n_syms = ARRAY_SIZE(syms), .table = &t };
        struct husk_error err = { 0 };

        CHECK(dl_table(&lib) == NULL, "no table before the load");
        CHECK(dl_load(&lib, "test", NULL, &err) == 0, "load libc: %s", err.msg);
        const struct libc_fns *f = dl_table(&lib);
        CHECK(f == &t && f->strlen("husk") == 4 && f->abs(-3) == 3, "table filled");
        CHECK(dl_load(&lib, "test", NULL, &err) == 0, "second load");

        static struct libc_fns t2;
        static const struct dl_sym bad_sym[] = { { "husk_no_such_symbol", 0 } };
        struct dl_lib nosym = { .soname = "libc.so.6", .syms = bad_sym, .n_syms = 1, .table = &t2 };
        CHECK(dl_load(&nosym, "feature X", " (install x)", &err) < 0, "missing symbol fails");
        CHECK(strncmp(err.msg, "feature X needs libc.so.6 (install x): ", 39) == 0 &&
              strstr(err.msg, "husk_no_such_symbol"), "missing symbol named: %s", err.msg);
        CHECK(husk_error_is(&err, HUSK_ERR_UNSUPPORTED) && err.errnum == ENOTSUP, "kind unsupported: %d", err.kind);
        CHECK(dl_table(&nosym) == NULL, "no table after a failed load");

        struct dl_lib nolib = { .soname = "libhusk-no-such-lib.so.9", .syms = syms, .n_syms = 2, .table = &t2 };
        CHECK(dl_load(&nolib, "feature Y", NULL, &err) < 0 && strstr(err.msg, "feature Y needs libhusk-no-such-lib.so.9: "),
              "missing library: %s", err.msg);
        CHECK(err.kind == HUSK_ERR_UNSUPPORTED && err.errnum == ENOTSUP, "a missing library: kind unsupported, not %s",
              husk_error_kind_name(err.kind));
        husk_error_clear(&err);
        CHECK(dl_load(&nolib, "feature Y", NULL, &err) < 0 && strstr(err.msg, "libhusk-no-such-lib.so.9"),
              "the first outcome is kept: %s", err.msg);
        husk_error_clear(&err);
        /* kept for the process's life in real (static) dl_libs; ours are on the stack */
        free(nosym.error);
        free(nolib.error);
}

static void test_jsongen(void)
{
        static const char *const v[] = { "a", "b\"c", NULL };
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "s", "x");
        jgen_kv_str(g, "null", NULL);
        jgen_kv_int(g, "i", -42);
        jgen_kv_u64(g, "u", UINT64_MAX);
        jgen_kv_bool(g, "b", true);
        jgen_kv_strv(g, "v", v);
        jgen_kv_strn(g, "n", v, 1);
        jgen_kv_raw(g, "raw", "{\"k\":[1,2]}");
        yajl_gen_map_close(g);
        _cleanup_free_ char *json = jgen_finish(g);
        const char *want = "{\"s\":\"x\",\"null\":\"\",\"i\":-42,\"u\":18446744073709551615,\"b\":true,"
                           "\"v\":[\"a\",\"b\\\"c\"],\"n\":[\"a\"],\"raw\":{\"k\":[1,2]}}";
        CHECK(json && strcmp(json, want) == 0, "got %s", json);

        g = jgen_new("  ");
        yajl_gen_array_open(g);
        jgen_str(g, "p");
        yajl_gen_array_close(g);
        _cleanup_free_ char *pretty = jgen_finish(g);
        CHECK(pretty && strcmp(pretty, "[\n  \"p\"\n]\n") == 0, "pretty: %s", pretty);

        /* invalid UTF-8 (a Latin-1 path, a cut or overlong sequence, a
         * surrogate) becomes U+FFFD, valid UTF-8 stays: yajl must read it back */
        g = jgen_new(NULL);
        yajl_gen_array_open(g);
        jgen_str(g, "/b\xe4ndle");
        jgen_str(g, "\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80");
        jgen_str(g, "x\xe2\x82");
        jgen_str(g, "\xc0\xaf\xed\xa0\x80");
        yajl_gen_array_close(g);
        _cleanup_free_ char *utf = jgen_finish(g);
        CHECK(utf && strcmp(utf, "[\"/b\xef\xbf\xbdndle\",\"\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\","
                                 "\"x\xef\xbf\xbd\xef\xbf\xbd\",\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                 "\xef\xbf\xbd\xef\xbf\xbd\"]") == 0, "utf-8: %s", utf ? utf : "(none)");
        char ebuf[128];
        yajl_val back = utf ? yajl_tree_parse(utf, ebuf, sizeof(ebuf)) : NULL;
        CHECK(back != NULL, "read back: %s", ebuf);
        yajl_tree_free(back);
}

static void put(int dirfd, const char *name, const char *text)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
                write_all(fd, text, strlen(text));
                close(fd);
        }
}

static char *get_fd(int fd)
{
        char buf[64] = { 0 };
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        return xstrdup(n >= 0 ? buf : "");
}

static char *get(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return xstrdup("(none)");
        char *s = get_fd(fd);
        close(fd);
        return s;
}

/* A rename over an existing file makes ext4 write the new file back at once
 * (and a later unlink wait for it): replace_at exchanges the names and
 * unlinks the old content under the temporary name instead. inotify tells
 * which happened: IN_DELETE of the temporary name. */
static bool tmp_deleted(int in, const char *tmp)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n = read(in, buf, sizeof(buf));
        for (char *p = buf; n > 0 && p < buf + n;) {
                struct inotify_event *ev = (struct inotify_event *)p;
                if ((ev->mask & IN_DELETE) && ev->len && strcmp(ev->name, tmp) == 0)
                        return true;
                p += sizeof(*ev) + ev->len;
        }
        return false;
}

static void test_replace_at(void)
{
        char dir[] = "/tmp/husk-test-util.XXXXXX";
        if (!mkdtemp(dir)) {
                ok(false, "replace_at: mkdtemp");
                return;
        }
        int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        put(d, ".f.1", "one");
        ok(replace_at(d, ".f.1", "f") == 0, "replace_at: to a new name");
        _cleanup_free_ char *a = get(d, "f");
        _cleanup_free_ char *a_tmp = get(d, ".f.1");
        ok(STREQ(a, "one") && STREQ(a_tmp, "(none)"), "replace_at: new name has the content, temp gone");

        int old = openat(d, "f", O_RDONLY | O_CLOEXEC);
        int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        put(d, ".f.2", "two");
        struct stat tmp_st, new_st;
        fstatat(d, ".f.2", &tmp_st, 0);
        inotify_add_watch(in, dir, IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
        ok(replace_at(d, ".f.2", "f") == 0, "replace_at: over an existing name");
        _cleanup_free_ char *b = get(d, "f");
        _cleanup_free_ char *b_tmp = get(d, ".f.2");
        _cleanup_free_ char *b_old = get_fd(old);
        fstatat(d, "f", &new_st, 0);
        ok(STREQ(b, "two") && STREQ(b_tmp, "(none)") && new_st.st_ino == tmp_st.st_ino,
               "replace_at: the new file took the name, temp gone");
        ok(STREQ(b_old, "one"), "replace_at: a reader of the old file still reads it whole");
        ok(tmp_deleted(in, ".f.2"), "replace_at: the old content was unlinked, not renamed over");
        close(in);
        close(old);
        ok(replace_at(d, ".missing", "f") < 0 && errno == ENOENT, "replace_at: missing temp file: ENOENT");
        /* a directory where the file belongs: refused as rename(2) does */
        mkdirat(d, "dir", 0700);
        put(d, ".dir.1", "three");
        ok(replace_at(d, ".dir.1", "dir") < 0 && errno == EISDIR, "replace_at: over a directory: EISDIR");
        struct stat dir_st;
        _cleanup_free_ char *kept = get(d, ".dir.1");
        ok(fstatat(d, "dir", &dir_st, 0) == 0 && S_ISDIR(dir_st.st_mode) && STREQ(kept, "three"),
           "replace_at: the directory stays, the temp file too (the caller removes it)");
        unlinkat(d, ".dir.1", 0);
        unlinkat(d, "dir", AT_REMOVEDIR);
        unlinkat(d, "f", 0);
        close(d);
        rmdir(dir);
}

/* read_user_file_small_at: a small file in one read into the caller's
 * buffer; anything else as read_user_file_at reads (and refuses) it. */
static void test_read_small(void)
{
        char dir[] = "/tmp/husk-test-small.XXXXXX";
        CHECK(mkdtemp(dir) != NULL, "mkdtemp");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct husk_error e = { 0 };
        char buf[16], *heap = NULL;
        const char *got;

        int fd = openat(dfd, "small", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write_all(fd, "hello", 5) == 0, "small file");
        close(fd);
        got = read_user_file_small_at(dfd, "small", buf, sizeof(buf), &heap, &e);
        CHECK(got == buf && STREQ(got, "hello") && !heap, "small: in the buffer");

        fd = openat(dfd, "big", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write_all(fd, "0123456789abcdefXYZ", 19) == 0, "big file");
        close(fd);
        got = read_user_file_small_at(dfd, "big", buf, sizeof(buf), &heap, &e);
        CHECK(got && got == heap && STREQ(got, "0123456789abcdefXYZ"), "larger than the buffer: whole, on the heap");
        free(heap);
        heap = NULL;

        fd = openat(dfd, "empty", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        close(fd);
        got = read_user_file_small_at(dfd, "empty", buf, sizeof(buf), &heap, &e);
        CHECK(got && STREQ(got, ""), "empty");
        free(heap);
        heap = NULL;

        CHECK(mkfifoat(dfd, "fifo", 0600) == 0, "mkfifo");
        got = read_user_file_small_at(dfd, "fifo", buf, sizeof(buf), &heap, &e);
        CHECK(!got && strstr(e.msg, "not a regular file (a FIFO)"), "a FIFO is refused, not waited for: %s", e.msg);
        CHECK(!read_user_file_small_at(dfd, "missing", buf, sizeof(buf), &heap, &e) && e.errnum == ENOENT,
              "missing: ENOENT");

        unlinkat(dfd, "small", 0);
        unlinkat(dfd, "big", 0);
        unlinkat(dfd, "empty", 0);
        unlinkat(dfd, "fifo", 0);
        close(dfd);
        rmdir(dir);
}

int main(void)
{
        test_replace_at();
        test_jsongen();
        test_dl();
        test_mountinfo_line();
        test_mountinfo_numbers();
        test_read_small();
        test_mountinfo_file();
        return tap_done();
}
