/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk-dynamic, for what a statically linked husk can't do (-Dstatic_exe,
 * see meson.build): talk to systemd, and checkpoint or restore. libsystemd
 * is only a shared library here, libcriu can't be linked in, and a static
 * process must not dlopen() them (glibc would load a second libc). So these
 * invocations are handed, before anything else, to husk-dynamic: the same
 * sources linked dynamically, with the same arguments and environment:
 *   checkpoint, restore   always (libcriu's protobuf code);
 *   create, run, restore  with --systemd-cgroup (the scope is started over
 *                         D-Bus); rootless on a pure cgroup v2 host run by
 *                         systemd (whether the caller's own unit is
 *                         delegated may be asked so: cgroup.c);
 *   update, checkpoint    of a container whose state says it was made with
 *                         --systemd-cgroup (they set the unit's properties);
 *   delete                of such a container too (it stops the unit): told
 *                         by container_delete_unless_systemd(), which reads
 *                         the state once, with the lock (cli_twin_exec()).
 * Every other command finds the driver in the container's state and uses
 * the cgroup files only, with or without --systemd-cgroup.
 *
 * husk-dynamic is looked for next to the running binary (the build tree),
 * else in HUSK_LIBEXECDIR (where meson installs it).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/discovery.h"
#include "cli.h"
#include "config.h"
#include "state/state.h"
#include "util/log.h"
#include "util/util.h"

#if HUSK_STATIC_EXE && (HAVE_SYSTEMD || HAVE_CRIU)

static bool is_one_of(const char *s, const char *const *names)
{
        for (; *names; names++)
                if (strcmp(s, *names) == 0)
                        return true;
        return false;
}

/* Does a word of argv name a container made with --systemd-cgroup? An
 * option's value that happens to be such an id only costs an exec. */
static bool names_systemd_container(const char *root, int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                struct husk_error err = { 0 };
                if (argv[i][0] == '-' || state_validate_id(argv[i], &err) < 0)
                        continue;
                _cleanup_close_ int dirfd = state_open(root, argv[i], false, &err);
                if (dirfd < 0)
                        continue;
                struct husk_state st = { 0 };
                bool sd = state_read(dirfd, argv[i], &st, &err) == 0 && st.systemd_cgroup;
                state_free(&st);
                if (sd)
                        return true;
        }
        return false;
}

static bool needs_dynamic(struct cli_ctx *ctx, int argc, char **argv)
{
        static const char *const criu[] = { "checkpoint", "restore", NULL };
        static const char *const creating[] = { "create", "run", "restore", NULL };
        static const char *const unit_ops[] = { "update", "checkpoint", NULL };
        if (HAVE_CRIU && is_one_of(ctx->cmd, criu))
                return true;
        if (!HAVE_SYSTEMD)
                return false;
        if (is_one_of(ctx->cmd, creating))
                return ctx->systemd_cgroup || (cli_rootless(ctx) && cgroup_detect_layout() == CGROUP_LAYOUT_V2 &&
                                               access("/run/systemd/system", F_OK) == 0);
        return is_one_of(ctx->cmd, unit_ops) && names_systemd_container(ctx->root, argc, argv);
}

static char *twin_path(void)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0 && self[0] == '/') {
                self[n] = '\0';
                *strrchr(self, '/') = '\0';
                char *p = xasprintf("%s/husk-dynamic", self);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return xstrdup(HUSK_LIBEXECDIR "/husk-dynamic");
}

bool cli_twin_does_systemd(void)
{
        return HAVE_SYSTEMD;
}

int cli_twin_dispatch(struct cli_ctx *ctx, int argc, char **argv)
{
        if (!needs_dynamic(ctx, argc, argv))
                return -1;
        return cli_twin_exec(ctx);
}

int cli_twin_exec(struct cli_ctx *ctx)
{
        extern char **environ;
        _cleanup_free_ char *twin = twin_path();
        log_debug("%s: needs libsystemd or libcriu, and this husk is statically linked: running %s", ctx->cmd,
                  twin);
        execve(twin, ctx->argv, environ);
        struct husk_error err = { 0 };
        husk_error_sys(&err, "%s needs %s (husk linked dynamically)", ctx->cmd, twin);
        return cli_fail(ctx, &err);
}

#else

int cli_twin_dispatch(struct cli_ctx *ctx, int argc, char **argv)
{
        return -1;
}

bool cli_twin_does_systemd(void)
{
        return false;
}

int cli_twin_exec(struct cli_ctx *ctx)
{
        abort();        /* only after cli_twin_does_systemd() */
}

#endif
