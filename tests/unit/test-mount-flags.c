/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount_flags_parse: runc's option words, no root needed. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "linux/rootfs.h"
#include "tap.h"

static struct mount_flags parse(char **opts)
{
        struct mount_flags mf;
        struct husk_error err = { 0 };
        CHECK(mount_flags_parse(opts, &mf, &err) == 0);
        return mf;
}

struct word { const char *w; unsigned long set, clear; };

static void test_each_word(void)
{
        static const struct word words[] = {
                { "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
                { "suid", 0, MS_NOSUID },        { "nosuid", MS_NOSUID, 0 },
                { "dev", 0, MS_NODEV },          { "nodev", MS_NODEV, 0 },
                { "exec", 0, MS_NOEXEC },        { "noexec", MS_NOEXEC, 0 },
                { "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
                { "dirsync", MS_DIRSYNC, 0 },    { "remount", MS_REMOUNT, 0 },
                { "mand", MS_MANDLOCK, 0 },      { "nomand", 0, MS_MANDLOCK },
                { "atime", 0, MS_NOATIME },      { "noatime", MS_NOATIME, 0 },
                { "diratime", 0, MS_NODIRATIME }, { "nodiratime", MS_NODIRATIME, 0 },
                { "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
                { "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
                { "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
                { "nosymfollow", MS_NOSYMFOLLOW, 0 },
        };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                char *o[] = { (char *)words[i].w, NULL };
                struct mount_flags mf = parse(o);
                CHECK(mf.flags == words[i].set && mf.clear == words[i].clear && !mf.data,
                      "word %s: flags %#lx clear %#lx", words[i].w, mf.flags, mf.clear);
                CHECK(mf.bind == ((words[i].set & MS_BIND) != 0));
                mount_flags_free(&mf);
        }
}

static void test_propagation(void)
{
        static const struct word p[] = {
                { "private", MS_PRIVATE, 0 },       { "rprivate", MS_PRIVATE | MS_REC, 0 },
                { "shared", MS_SHARED, 0 },         { "rshared", MS_SHARED | MS_REC, 0 },
                { "slave", MS_SLAVE, 0 },           { "rslave", MS_SLAVE | MS_REC, 0 },
                { "unbindable", MS_UNBINDABLE, 0 }, { "runbindable", MS_UNBINDABLE | MS_REC, 0 },
        };
        for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
                char *o[] = { (char *)p[i].w, NULL };
                struct mount_flags mf = parse(o);
                CHECK(mf.propagation == p[i].set);
                CHECK(mf.flags == 0 && !mf.data);
        }
}

static void test_rec_attrs(void)
{
        struct { const char *w; unsigned long long set, clr; } a[] = {
                { "rro", MOUNT_ATTR_RDONLY, 0 },          { "rrw", 0, MOUNT_ATTR_RDONLY },
                { "rnosuid", MOUNT_ATTR_NOSUID, 0 },      { "rsuid", 0, MOUNT_ATTR_NOSUID },
                { "rnodev", MOUNT_ATTR_NODEV, 0 },        { "rdev", 0, MOUNT_ATTR_NODEV },
                { "rnoexec", MOUNT_ATTR_NOEXEC, 0 },      { "rexec", 0, MOUNT_ATTR_NOEXEC },
                { "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
                { "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME }, { "rnorelatime", 0, 0 },
                { "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },   { "ratime", 0, MOUNT_ATTR_NOATIME },
                { "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
                { "rnostrictatime", 0, MOUNT_ATTR_STRICTATIME },
                { "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 }, { "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
        };
        for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
                char *o[] = { (char *)a[i].w, NULL };
                struct mount_flags mf = parse(o);
                CHECK(mf.attr_set == a[i].set && mf.attr_clr == a[i].clr && mf.rec_attr && !mf.flags && !mf.data,
                      "word %s: set %#llx clr %#llx", a[i].w, mf.attr_set, mf.attr_clr);
        }
}

static void test_mixed(void)
{
        char *o[] = { "nosuid", "mode=755", "ro", "size=65536k", "rw", "strictatime", "tmpcopyup",
                      "rprivate", "rro", "idmap", NULL };
        struct mount_flags mf = parse(o);
        CHECK(mf.flags == (MS_NOSUID | MS_STRICTATIME));
        CHECK(mf.clear == MS_RDONLY);
        CHECK(mf.data && strcmp(mf.data, "mode=755,size=65536k") == 0);
        CHECK(mf.tmpcopyup);
        CHECK(mf.propagation == (MS_PRIVATE | MS_REC));
        CHECK(mf.rec_attr && mf.attr_set == MOUNT_ATTR_RDONLY);
        CHECK(mf.idmap && !mf.ridmap);
        CHECK(!mf.bind);
        mount_flags_free(&mf);

        char *o2[] = { "ridmap", "rbind", "newinstance", "ptmxmode=0666", "defaults", NULL };
        mf = parse(o2);
        CHECK(mf.idmap && mf.ridmap && mf.bind);
        CHECK(mf.flags == (MS_BIND | MS_REC));
        CHECK(mf.data && strcmp(mf.data, "newinstance,ptmxmode=0666") == 0);
        mount_flags_free(&mf);

        mf = parse(NULL);
        CHECK(mf.flags == 0 && mf.data == NULL && !mf.rec_attr);
        mount_flags_free(&mf);
}

int main(void)
{
        test_each_word();
        test_propagation();
        test_rec_attrs();
        test_mixed();
        return tap_done();
}
