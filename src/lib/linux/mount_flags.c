/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* runc's mount option words → mount(2) flags, propagation, mount_setattr(2)
 * attributes and the leftover filesystem data string. */
#include <string.h>
#include <sys/mount.h>

#include "linux/rootfs.h"
#include "spec/names.h"
#include "util/util.h"

struct flag_word {
        const char *name;
        bool clear;             /* the word removes the flag ("rw", "suid", ...) */
        unsigned long flag;
};

static const struct flag_word mount_words[] = {
        { "acl", false, MS_POSIXACL },
        { "async", true, MS_SYNCHRONOUS },
        { "atime", true, MS_NOATIME },
        { "bind", false, MS_BIND },
        { "defaults", false, 0 },
        { "dev", true, MS_NODEV },
        { "diratime", true, MS_NODIRATIME },
        { "dirsync", false, MS_DIRSYNC },
        { "exec", true, MS_NOEXEC },
        { "iversion", false, MS_I_VERSION },
        { "lazytime", false, MS_LAZYTIME },
        { "loud", true, MS_SILENT },
        { "mand", false, MS_MANDLOCK },
        { "noacl", true, MS_POSIXACL },
        { "noatime", false, MS_NOATIME },
        { "nodev", false, MS_NODEV },
        { "nodiratime", false, MS_NODIRATIME },
        { "noexec", false, MS_NOEXEC },
        { "noiversion", true, MS_I_VERSION },
        { "nolazytime", true, MS_LAZYTIME },
        { "nomand", true, MS_MANDLOCK },
        { "norelatime", true, MS_RELATIME },
        { "nostrictatime", true, MS_STRICTATIME },
        { "nosuid", false, MS_NOSUID },
        { "nosymfollow", false, MS_NOSYMFOLLOW },
        { "rbind", false, MS_BIND | MS_REC },
        { "relatime", false, MS_RELATIME },
        { "remount", false, MS_REMOUNT },
        { "ro", false, MS_RDONLY },
        { "rw", true, MS_RDONLY },
        { "silent", false, MS_SILENT },
        { "strictatime", false, MS_STRICTATIME },
        { "suid", true, MS_NOSUID },
        { "symfollow", true, MS_NOSYMFOLLOW },
        { "sync", false, MS_SYNCHRONOUS },
};

static const struct flag_word attr_words[] = {
        { "rro", false, MOUNT_ATTR_RDONLY },
        { "rrw", true, MOUNT_ATTR_RDONLY },
        { "rnosuid", false, MOUNT_ATTR_NOSUID },
        { "rsuid", true, MOUNT_ATTR_NOSUID },
        { "rnodev", false, MOUNT_ATTR_NODEV },
        { "rdev", true, MOUNT_ATTR_NODEV },
        { "rnoexec", false, MOUNT_ATTR_NOEXEC },
        { "rexec", true, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", false, MOUNT_ATTR_RELATIME },
        { "rnorelatime", true, MOUNT_ATTR_RELATIME },
        { "rnoatime", false, MOUNT_ATTR_NOATIME },
        { "ratime", true, MOUNT_ATTR_NOATIME },
        { "rstrictatime", false, MOUNT_ATTR_STRICTATIME },
        { "rnostrictatime", true, MOUNT_ATTR_STRICTATIME },
        { "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct flag_word *lookup(const struct flag_word *t, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0)
                        return &t[i];
        return NULL;
}

static void data_append(char **data, const char *word)
{
        if (!*data) {
                *data = xstrdup(word);
                return;
        }
        char *n = xasprintf("%s,%s", *data, word);
        free(*data);
        *data = n;
}

/* The words the parser knows, for `husk features`: i-th of them, NULL past
 * the last. (Any other option is filesystem data, passed to mount(2).) */
const char *mount_option_word(size_t i)
{
        static const char *const others[] = { "tmpcopyup", "idmap", "ridmap" };
        const struct {
                const struct flag_word *v;
                size_t n;
        } tables[] = {
                { mount_words, ARRAY_SIZE(mount_words) },
                { attr_words, ARRAY_SIZE(attr_words) },
        };
        for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
                if (i < tables[t].n)
                        return tables[t].v[i].name;
                i -= tables[t].n;
        }
        if (i < spec_propagation_names.n)
                return spec_propagation_names.v[i].name;
        i -= spec_propagation_names.n;
        return i < ARRAY_SIZE(others) ? others[i] : NULL;
}

int mount_flags_parse(char *const *options, struct mount_flags *out, struct husk_error *err)
{
        const struct flag_word *w;
        long prop;

        memset(out, 0, sizeof(*out));
        for (size_t i = 0; options && options[i]; i++) {
                const char *o = options[i];

                if ((w = lookup(mount_words, ARRAY_SIZE(mount_words), o))) {
                        if (w->clear) {
                                out->flags &= ~w->flag;
                                out->clear |= w->flag;
                        } else {
                                out->flags |= w->flag;
                                out->clear &= ~w->flag;
                        }
                        if (w->flag & MS_BIND)
                                out->bind = true;
                } else if ((prop = spec_name_value(&spec_propagation_names, o)) > 0) {
                        /* The last propagation word wins, as the kernel
                         * takes one propagation type per call. */
                        out->propagation = (unsigned long)prop;
                } else if ((w = lookup(attr_words, ARRAY_SIZE(attr_words), o))) {
                        out->rec_attr = true;
                        if (w->clear) {
                                out->attr_clr |= w->flag;
                                out->attr_set &= ~(unsigned long long)w->flag;
                        } else {
                                out->attr_set |= w->flag;
                                out->attr_clr &= ~(unsigned long long)w->flag;
                                /* mount_setattr(2): an access-time mode is
                                 * set by also clearing the whole atime field. */
                                if ((w->flag & MOUNT_ATTR__ATIME) == w->flag)
                                        out->attr_clr |= MOUNT_ATTR__ATIME;
                        }
                } else if (strcmp(o, "tmpcopyup") == 0) {
                        out->tmpcopyup = true;
                } else if (strcmp(o, "idmap") == 0) {
                        out->idmap = true;
                } else if (strcmp(o, "ridmap") == 0) {
                        out->idmap = true;
                        out->ridmap = true;
                } else if (*o) {
                        data_append(&out->data, o);
                }
        }
        (void)err;
        return 0;
}

void mount_flags_free(struct mount_flags *mf)
{
        if (!mf)
                return;
        free(mf->data);
        mf->data = NULL;
}
