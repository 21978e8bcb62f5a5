/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/apply.h"
#include "init/init.h"
#include "init/sync.h"
#include "linux/process.h"
#include "util/util.h"
#include "util/passwd.h"
#include "util/procfs.h"

static const char *env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

char *init_find_executable(const char *file, char *const *env, struct husk_error *err)
{
        struct stat st;
        if (strchr(file, '/')) {
                if (stat(file, &st) < 0)
                        return husk_error_sys(err, "exec \"%s\"", file), NULL;
                /* EACCES, what execve says: engines map "permission
                 * denied" to 126, as with runc */
                if (S_ISDIR(st.st_mode))
                        return husk_error_set(err, EACCES, "exec \"%s\": is a directory", file), NULL;
                return xstrdup(file);
        }
        const char *path = env_get(env, "PATH");
        if (!path)
                path = default_path;
        _cleanup_free_ char *copy = xstrdup(path);
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", file);
                if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
                        return TAKE_PTR(cand);
        }
        husk_error_set(err, ENOENT, "exec \"%s\": executable file not found in $PATH", file);
        return NULL;
}

/* HOME for uid from the container's /etc/passwd ("/" when not found), as
 * runc sets it when process.env has none. Read after pivot_root / setns. */
static char *passwd_home(uid_t uid)
{
        char *home = passwd_lookup("/etc/passwd", uid, PASSWD_HOME);
        return home ? home : xstrdup("/");
}

/* In a user namespace whose setgroups is "deny", setgroups(2) fails. The
 * initial user namespace has no such switch: no procfs to read there (a
 * private one is mounted for it: procfs_read). */
static bool setgroups_allowed(const struct apply_ctx *a)
{
        if (a->initial_userns)
                return true;
        _cleanup_free_ char *s = NULL;
        struct husk_error e;
        if (procfs_read("/proc/self/setgroups", &s, &e) < 0)
                return true;
        return strncmp(s, "deny", 4) != 0;
}

int apply_settings(struct apply_ctx *a, struct husk_error *err)
{
        const struct husk_process *proc = a->proc;
        if (a->create_cwd && mkdir_p(proc->cwd, 0755, err) < 0)
                return husk_error_wrap(err, "process.cwd");
        if (chdir(proc->cwd) < 0)
                return husk_error_sys(err, "process.cwd: chdir to %s", proc->cwd);
        if (rlimits_apply(proc->rlimits, proc->n_rlimits, err) < 0)
                return -1;
        if (proc->oom_score_adj.set && oom_score_adj_apply(0, (int)proc->oom_score_adj.v, err) < 0)
                return -1;
        if (proc->scheduler && scheduler_apply(proc->scheduler, err) < 0)
                return -1;
        if (proc->io_priority && ioprio_apply(proc->io_priority, err) < 0)
                return -1;
        const struct husk_linux *l = a->spec ? a->spec->linux : NULL;
        if (l && l->personality && personality_apply(l->personality, err) < 0)
                return -1;
        if (l && memory_policy_apply(l->memory_policy, err) < 0)
                return -1;
        if (proc->exec_cpu_affinity_initial && cpu_affinity_apply(proc->exec_cpu_affinity_initial, err) < 0)
                return -1;
        if (!env_get(proc->env, "HOME")) {
                _cleanup_free_ char *dir = passwd_home(proc->user.uid);
                a->home = xasprintf("HOME=%s", dir);
        }
        a->exe = init_find_executable(proc->args[0], proc->env, err);
        if (!a->exe)
                return husk_error_wrap(err, "process.args[0]");
        return 0;
}

int apply_seccomp_early(struct apply_ctx *a, int *notify_fd, struct husk_error *err)
{
        *notify_fd = -1;
        const struct husk_seccomp *profile = a->spec && a->spec->linux ? a->spec->linux->seccomp : NULL;
        /* Without no_new_privs, loading needs CAP_SYS_ADMIN: do it while we
         * still have it (as runc does). A filter with a listener is loaded
         * here too, so its fd can still reach husk. */
        if (!a->prog || (a->proc->no_new_privileges && !seccomp_has_listener(profile)))
                return 0;
        if (a->proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return husk_error_sys(err, "set no_new_privs");
        if (seccomp_load_prog(a->prog, notify_fd, err) < 0)
                return -1;
        a->seccomp_loaded = true;
        return 0;
}

int apply_identity(struct apply_ctx *a, struct husk_error *err)
{
        const struct husk_process *proc = a->proc;
        const struct husk_caps *caps = proc->has_capabilities ? &proc->capabilities : NULL;
        if (caps_drop_bounding(caps, a->kernel_last_cap, err) < 0 || caps_keep_on_setuid(err) < 0)
                return -1;
        if (user_apply(&proc->user, setgroups_allowed(a), err) < 0)
                return -1;
        if (caps_apply(caps, a->kernel_last_cap, err) < 0)
                return -1;
        return lsm_set_exec_labels(proc, err);
}

int apply_seccomp_now(struct apply_ctx *a, struct husk_error *err)
{
        if (!a->prog || a->seccomp_loaded)
                return 0;
        if (a->proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return husk_error_sys(err, "set no_new_privs");
        int notify_fd;
        if (seccomp_load_prog(a->prog, &notify_fd, err) < 0)
                return -1;
        a->seccomp_loaded = true;
        return 0;
}

int apply_exec(struct apply_ctx *a, struct husk_error *err)
{
        const struct husk_process *proc = a->proc;
        if (proc->no_new_privileges && !a->seccomp_loaded && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return husk_error_sys(err, "set no_new_privs");
        if (proc->exec_cpu_affinity_final && cpu_affinity_apply(proc->exec_cpu_affinity_final, err) < 0)
                return -1;
        char **env = NULL;
        for (size_t i = 0; proc->env && proc->env[i]; i++)
                env = strv_append(env, proc->env[i]);
        if (a->home)
                env = strv_append(env, a->home);
        for (size_t i = 0; a->extra_env && a->extra_env[i]; i++)
                env = strv_append(env, a->extra_env[i]);
        if (!env)
                env = xzalloc(sizeof(char *));
        /* The filter goes last: only execve follows it. */
        int notify_fd;
        if (a->prog && !a->seccomp_loaded && seccomp_load_prog(a->prog, &notify_fd, err) < 0) {
                strv_free(env);
                return -1;
        }
        execve(a->exe, proc->args, env);
        husk_error_sys(err, "exec %s", a->exe);
        strv_free(env);
        return -1;
}

int apply_prepare(struct apply_ctx *a, int sync_fd, int preserve_fds, struct husk_error *err)
{
        if (apply_settings(a, err) < 0)
                return -1;
        int notify_fd = -1;
        if (apply_seccomp_early(a, &notify_fd, err) < 0)
                return -1;
        if (notify_fd >= 0) {
                /* husk hands it to linux.seccomp.listenerPath */
                int r = sync_send(sync_fd, SYNC_SECCOMP_FD, 0, NULL, 0, notify_fd);
                close(notify_fd);
                if (r < 0)
                        return husk_error_sys(err, "send the seccomp listener fd");
                if (sync_wait_for(sync_fd, SYNC_SECCOMP_DONE, err) < 0)
                        return -1;
        }
        if (apply_identity(a, err) < 0)
                return -1;
        for (int fd = 3; fd < 3 + preserve_fds; fd++)
                fcntl(fd, F_SETFD, 0);
        return 0;
}

void apply_ctx_clear(struct apply_ctx *a)
{
        free(a->exe);
        free(a->home);
        a->exe = a->home = NULL;
}
