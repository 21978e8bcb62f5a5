/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/intelrdt.h"
#include "util/mountinfo.h"
#include "util/util.h"

static bool is_dir(const char *root, const char *sub)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, sub);
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int resctrl_mount(const struct mountinfo *mi, void *data)
{
        if (strcmp(mi->fstype, "resctrl") != 0)
                return 0;
        *(char **)data = xstrdup(mi->mountpoint);
        return 1;
}

int intelrdt_find_root(const char *mountinfo, char **root, struct husk_error *err)
{
        *root = NULL;
        return mountinfo_foreach(mountinfo, resctrl_mount, root, err);
}

static bool has_schema(const struct husk_intel_rdt *r)
{
        return (r->l3_cache_schema && *r->l3_cache_schema) || (r->mem_bw_schema && *r->mem_bw_schema) ||
               strv_length(r->schemata) > 0;
}

int intelrdt_check(const struct husk_intel_rdt *r, const char *root, struct husk_error *err)
{
        if (!root)
                return husk_error_unsupported(err, "linux.intelRdt: Intel RDT is not supported on this host: "
                                              "no resctrl file system is mounted (mount -t resctrl resctrl /sys/fs/resctrl)");
        if (r->l3_cache_schema && *r->l3_cache_schema && !is_dir(root, "info/L3"))
                return husk_error_unsupported(err, "linux.intelRdt.l3CacheSchema: specified, but Intel RDT/CAT "
                                              "is not enabled (no %s/info/L3)", root);
        if (r->mem_bw_schema && *r->mem_bw_schema && !is_dir(root, "info/MB"))
                return husk_error_unsupported(err, "linux.intelRdt.memBwSchema: specified, but Intel RDT/MBA "
                                              "is not enabled (no %s/info/MB)", root);
        if (r->enable_monitoring && !is_dir(root, "info/L3_MON"))
                return husk_error_unsupported(err, "linux.intelRdt.enableMonitoring: specified, but Intel RDT "
                                              "monitoring is not enabled (no %s/info/L3_MON)", root);
        if (r->clos_id && *r->clos_id && !has_schema(r) && !is_dir(root, r->clos_id))
                return husk_error_not_found(err, "linux.intelRdt.closID: class of service \"%s\" does not exist "
                                            "in %s (it must be made beforehand when no schema is given)",
                                            r->clos_id, root);
        return 0;
}

/* The kernel explains refused writes in info/last_cmd_status. */
static int rdt_fail(const char *root, struct husk_error *err, int errnum, const char *what)
{
        _cleanup_free_ char *p = xasprintf("%s/info/last_cmd_status", root);
        _cleanup_free_ char *status = NULL;
        size_t len = 0;
        struct husk_error e = { 0 };
        if (read_file_at(AT_FDCWD, p, &status, &len, &e) == 0 && len > 0) {
                while (len && (status[len - 1] == '\n'))
                        status[--len] = 0;
                return husk_error_errno(err, errnum, "linux.intelRdt: %s (last_cmd_status: %s)", what, status);
        }
        return husk_error_errno(err, errnum, "linux.intelRdt: %s", what);
}

static int write_to(const char *root, const char *dir, const char *file, const char *data, const char *what,
                    struct husk_error *err)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write_all(fd, data, strlen(data)) < 0) {
                int e = errno;
                _cleanup_free_ char *msg = xasprintf("%s (%s)", what, p);
                return rdt_fail(root, err, e, msg);
        }
        return 0;
}

static char *schemata_of(const struct husk_intel_rdt *r)
{
        const char *parts[2] = { r->l3_cache_schema, r->mem_bw_schema };
        char *schemata = xstrdup("");
        for (size_t i = 0; i < 2 + strv_length(r->schemata); i++) {
                const char *s = i < 2 ? parts[i] : r->schemata[i - 2];
                if (!s || !*s)
                        continue;
                char *n = xasprintf("%s%s\n", schemata, s);
                free(schemata);
                schemata = n;
        }
        return schemata;
}

/* Does the schemata file (its text) give every domain of `want` ("L3:0=7f0;1=1f")
 * the same value? The kernel prints values its own way (leading zeros,
 * spaces, domain order): compare numbers, hexadecimal but for MB lines. */
static bool schema_matches(const char *want, const char *file)
{
        const char *colon = strchr(want, ':');
        if (!colon)
                return false;
        _cleanup_free_ char *res = xasprintf("%.*s", (int)(colon - want), want);
        int base = strncmp(res, "MB", 2) == 0 ? 10 : 16;
        const char *line = NULL;
        for (const char *l = file; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                while (*l == ' ' || *l == '\t')
                        l++;
                if (strncmp(l, res, strlen(res)) == 0 && l[strlen(res)] == ':') {
                        line = l + strlen(res) + 1;
                        break;
                }
        }
        if (!line)
                return false;
        const char *end = strchr(line, '\n');
        _cleanup_free_ char *have = end ? xasprintf("%.*s", (int)(end - line), line) : xstrdup(line);
        _cleanup_free_ char *w = xstrdup(colon + 1);
        char *save = NULL;
        for (char *e = strtok_r(w, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(e, '=');
                if (!eq)
                        return false;
                unsigned long id = strtoul(e, NULL, 10);
                unsigned long long val = strtoull(eq + 1, NULL, base);
                bool found = false;
                for (const char *h = have; h && *h; h = strchr(h, ';') ? strchr(h, ';') + 1 : NULL) {
                        const char *heq = strchr(h, '=');
                        if (heq && strtoul(h, NULL, 10) == id) {
                                found = strtoull(heq + 1, NULL, base) == val;
                                break;
                        }
                }
                if (!found)
                        return false;
        }
        return true;
}

int intelrdt_write_schemata(const struct husk_intel_rdt *r, const char *root, const char *id, struct husk_error *err)
{
        const char *clos = r->clos_id && *r->clos_id ? r->clos_id : id;
        _cleanup_free_ char *path = strcmp(clos, "/") == 0 ? xstrdup(root) : xasprintf("%s/%s", root, clos);
        _cleanup_free_ char *schemata = schemata_of(r);
        if (!*schemata)
                return 0;
        return write_to(root, path, "schemata", schemata, "write the schemata", err);
}

int intelrdt_apply(const struct husk_intel_rdt *r, const char *root, const char *id, pid_t pid, int dirfd,
                   struct husk_error *err)
{
        const char *clos = r->clos_id && *r->clos_id ? r->clos_id : id;
        /* closID "/": the default CLOS, the root of resctrl */
        _cleanup_free_ char *path = strcmp(clos, "/") == 0 ? xstrdup(root) : xasprintf("%s/%s", root, clos);
        _cleanup_free_ char *mon = r->enable_monitoring ? xasprintf("%s/mon_groups/%s", path, id) : NULL;
        struct stat st;
        bool existed = stat(path, &st) == 0;
        /* ours to remove at delete: a group made for this container alone */
        bool remove_clos = !existed && !(r->clos_id && *r->clos_id);
        bool remove_mon = mon && stat(mon, &st) < 0;

        /* the record first, so a killed create is cleaned up */
        _cleanup_free_ char *rec = xasprintf("%s\n%s\n", remove_clos ? path : "", remove_mon ? mon : "");
        if (write_file_atomic_at(dirfd, STATE_INTELRDT, rec, strlen(rec), err) < 0)
                return -1;

        if (!existed && mkdir(path, 0755) < 0 && errno != EEXIST) {
                _cleanup_free_ char *msg = xasprintf("create the group %s", path);
                return rdt_fail(root, err, errno, msg);
        }
        /* An existing named CLOS keeps its schemata: the config's must match
         * (runtime-spec 1.3); only the schemata lines are written to it. */
        struct husk_intel_rdt w = *r;
        if (existed && r->clos_id && *r->clos_id) {
                _cleanup_free_ char *sp = xasprintf("%s/schemata", path);
                _cleanup_free_ char *cur = NULL;
                size_t n = 0;
                const char *fields[2] = { "l3CacheSchema", "memBwSchema" };
                const char *vals[2] = { r->l3_cache_schema, r->mem_bw_schema };
                for (int i = 0; i < 2; i++) {
                        if (!vals[i] || !*vals[i])
                                continue;
                        if (!cur && read_file_at(AT_FDCWD, sp, &cur, &n, err) < 0)
                                return husk_error_wrap(err, "linux.intelRdt.%s: read the schemata of \"%s\"",
                                                       fields[i], r->clos_id);
                        if (!schema_matches(vals[i], cur))
                                return husk_error_invalid(err, "linux.intelRdt.%s: \"%s\" does not match the schemata "
                                                          "of the existing class of service \"%s\"", fields[i],
                                                          vals[i], r->clos_id);
                }
                w.l3_cache_schema = w.mem_bw_schema = NULL;
        }
        /* one schema per line, as the schemata file takes them */
        if (intelrdt_write_schemata(&w, root, id, err) < 0)
                return -1;
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int)pid);
        if (write_to(root, path, "tasks", buf, "move the init into the group", err) < 0)
                return -1;
        if (mon) {
                if (mkdir(mon, 0755) < 0 && errno != EEXIST) {
                        _cleanup_free_ char *msg = xasprintf("create the monitoring group %s", mon);
                        return rdt_fail(root, err, errno, msg);
                }
                if (write_to(root, mon, "tasks", buf, "move the init into the monitoring group", err) < 0)
                        return -1;
        }
        return 0;
}

int intelrdt_destroy(int dirfd, struct husk_error *err)
{
        _cleanup_free_ char *rec = NULL;
        size_t len = 0;
        if (read_file_at(dirfd, STATE_INTELRDT, &rec, &len, err) < 0) {
                if (err->errnum != ENOENT)
                        return -1;
                memset(err, 0, sizeof(*err));
                return 0;
        }
        char *nl = strchr(rec, '\n');
        if (!nl)
                return husk_error_invalid(err, "%s: malformed record", STATE_INTELRDT);
        *nl = 0;
        char *clos = rec, *mon = nl + 1;
        char *nl2 = strchr(mon, '\n');
        if (nl2)
                *nl2 = 0;
        /* the monitoring group goes with its CLOS; alone, when the CLOS stays */
        const char *dir = *clos ? clos : mon;
        if (*dir && rmdir(dir) < 0 && errno != ENOENT)
                return husk_error_sys(err, "linux.intelRdt: remove the group %s", dir);
        unlinkat(dirfd, STATE_INTELRDT, 0);
        return 0;
}
