/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building CRIU's criu_opts for a container: the repeated fields (external
 * mounts, inherited fds, cgroup roots, namespaces to join) with their
 * memory, and what in a container is external to CRIU -- the mounts whose
 * source lies outside the container (bind mounts, the cgroup binds, the
 * /dev/null over masked files, host devices), which CRIU can neither dump
 * nor make, so they are named at dump ("mountpoint" -> key) and given back
 * at restore (key -> host path), as runc does.
 */
#pragma once

#include "config.h"
#include "husk/error.h"
#include "husk/spec.h"
#include <sys/types.h>

#if HAVE_CRIU
#include "criu/criu-dl.h"

struct cgroup_manager;

struct criu_build {
        CriuOpts opts;
        CriuPageServerInfo ps;
};

/* criu_pb_load() must have succeeded. */
void criu_build_init(struct criu_build *b);
void criu_build_free(struct criu_build *b);
void criu_build_ext_mount(struct criu_build *b, const char *key, const char *val);
void criu_build_inherit_fd(struct criu_build *b, const char *key, int fd);
void criu_build_cg_root(struct criu_build *b, const char *ctrl, const char *path);
void criu_build_join_ns(struct criu_build *b, const char *ns, const char *file);
void criu_build_external(struct criu_build *b, const char *what);
/* Owned string fields (root, log_file, freeze_cgroup, ...): a copy. */
char *criu_build_str(struct criu_build *b, const char *s);

/* The external mounts of a container made from spec with cgroup manager
 * cg: at dump (key = val = mountpoint; masked files: val "/dev/null"), or
 * at restore (key -> host source; relative bind sources are the bundle's).
 * pid: the container's init at dump (masked paths that are files). */
int criu_external_mounts(struct criu_build *b, const struct husk_spec *spec, struct cgroup_manager *cg,
                         bool restore, const char *bundle, pid_t pid, struct husk_error *err);

/* CRIU's name of a namespace type ("net", "ipc", "uts", "mnt", "user",
 * "pid", "cgroup", "time"), NULL for an unknown flag. */
const char *criu_ns_name(int clone_flag);

/* Namespaces joined by path that CRIU keeps out of the images (network,
 * pid: as runc): declared external at dump, handed back as fds at
 * restore under their key, "extRootNetNS" or "extRootPidNS". The other
 * joined namespaces are joined again by path at restore. */
bool criu_ns_external(int clone_flag);
const char *criu_ns_key(int clone_flag);
/* At dump: "net[INODE]:extRootNetNS" (and pid with CRIU >= 3.15, version
 * as criu_check_version's) for each external namespace the spec joins. */
int criu_dump_external_ns(struct criu_build *b, const struct husk_spec *spec, int version, struct husk_error *err);
#endif
