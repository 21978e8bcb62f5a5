/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CRIU's RPC messages (rpc.proto, as compiled into libcriu), loaded at run
 * time. husk talks to `criu swrk` itself (swrk.c) and needs from libcriu only
 * the protobuf-c code of the messages: the structs come from the installed
 * <criu/rpc.pb-c.h>, the functions from libcriu.so.2, dlopen()ed on the
 * first checkpoint or restore so that no other command loads it (nor
 * libprotobuf-c). Debian ships both in the criu package, next to
 * /usr/sbin/criu: a missing library means CRIU is not installed.
 *
 * Only for HAVE_CRIU (meson -Dcriu=auto finds criu.pc and libprotobuf-c).
 */
#pragma once

#include "config.h"
#include "husk/error.h"

#if HAVE_CRIU
#include <rpc.pb-c.h>

/* Every libcriu function husk calls. Add one here to use it. */
#define CRIU_PB_FUNCS(X)                \
        X(criu_opts__init)              \
        X(criu_req__init)               \
        X(criu_features__init)          \
        X(criu_page_server_info__init)  \
        X(ext_mount_map__init)          \
        X(inherit_fd__init)             \
        X(cgroup_root__init)            \
        X(join_namespace__init)         \
        X(criu_req__get_packed_size)    \
        X(criu_req__pack)               \
        X(criu_resp__unpack)            \
        X(criu_resp__free_unpacked)

struct criu_pb_fns {
#define CRIU_PB_MEMBER(f) typeof(&f) f;
        CRIU_PB_FUNCS(CRIU_PB_MEMBER)
#undef CRIU_PB_MEMBER
};

#define CRIU_LIB_SONAME "libcriu.so.2"

/* Load libcriu.so.2 once; -1 with "checkpoint/restore needs libcriu.so.2
 * (install the criu package): <dlerror>" in err when it or a function is
 * missing. */
int criu_pb_load(struct husk_error *err);
/* The table; only after criu_pb_load() returned 0 (NULL before). */
const struct criu_pb_fns *criu_pb(void);
#endif
