/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HUSK_CONTAINER_INTERNAL_H
#define HUSK_CONTAINER_INTERNAL_H

#include "container/container.h"

struct cgroup_manager;

/* What create hands to run. */
struct created {
        pid_t pid;
        int pidfd;
        int dirfd;                      /* locked state dir */
        int console;                    /* pty master for a foreground run, or -1 */
        struct husk_spec *spec;
        struct cgroup_manager *cgroup;
};

int container_do_create(const struct husk_create_opts *o, struct created *out, struct husk_error *err);
void created_free(struct created *cr);
/* The start half of `start`, on an already locked, loaded container. */
int container_do_start(int dirfd, const struct husk_state *st, const struct husk_spec *spec,
                       struct husk_error *err);
/* Kill, wait, run poststop hooks, remove cgroup and state. */
int container_destroy(const char *root, const char *id, int dirfd, const struct husk_state *st,
                      struct cgroup_manager *cg, bool kill_first, struct husk_error *err);

#endif
