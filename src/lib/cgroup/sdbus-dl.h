/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsystemd (sd-bus), loaded at run time: husk links it only for the
 * headers, so the dozen husk invocations that never use --systemd-cgroup
 * do not pay for loading it and its dependency chain.
 *
 * sdbus_load() dlopen()s libsystemd.so.0 on first use and resolves the
 * functions below; after it succeeded, sdbus() returns the table and callers
 * call through it: sdbus()->sd_bus_open_system(&bus). Only for HAVE_SYSTEMD.
 */
#pragma once

#include "config.h"
#include "husk/error.h"

#if HAVE_SYSTEMD
#include <systemd/sd-bus.h>

/* Every libsystemd function husk calls. Add one here to use it. */
#define SDBUS_FUNCS(X)                          \
        X(sd_bus_open_system)                   \
        X(sd_bus_open_user)                     \
        X(sd_bus_new)                           \
        X(sd_bus_set_address)                   \
        X(sd_bus_start)                         \
        X(sd_bus_unref)                         \
        X(sd_bus_get_property_string)           \
        X(sd_bus_get_property_trivial)          \
        X(sd_bus_flush_close_unref)             \
        X(sd_bus_call)                          \
        X(sd_bus_process)                       \
        X(sd_bus_wait)                          \
        X(sd_bus_match_signal)                  \
        X(sd_bus_slot_unref)                    \
        X(sd_bus_message_new_method_call)       \
        X(sd_bus_message_append)                \
        X(sd_bus_message_open_container)        \
        X(sd_bus_message_close_container)       \
        X(sd_bus_message_read)                  \
        X(sd_bus_message_unref)                 \
        X(sd_bus_error_free)                    \
        X(sd_bus_error_is_set)                  \
        X(sd_bus_error_has_name)

/* Each member has the type of the function of the same name in sd-bus.h. */
struct sdbus_fns {
#define SDBUS_MEMBER(f) typeof(&f) f;
        SDBUS_FUNCS(SDBUS_MEMBER)
#undef SDBUS_MEMBER
};

/* Load libsystemd.so.0 once (later calls return the first outcome at
 * once). -1 with "--systemd-cgroup needs libsystemd.so.0: <dlerror>" in err
 * when the library or one of the functions is missing. */
int sdbus_load(struct husk_error *err);

/* The table; only after sdbus_load() returned 0 (NULL before). */
const struct sdbus_fns *sdbus(void);
#endif
