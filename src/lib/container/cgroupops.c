/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pause, resume, update, events, ps: the commands that act on a container's
 * cgroup. Statuses and error words follow runc 1.1.5 (libcontainer's
 * ErrNotRunning "container not running", ErrNotPaused "container not
 * paused"). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "util/jsongen.h"
#include "util/log.h"
#include "util/util.h"

static int need_cgroup(const struct husk_container *c, const char *id, struct husk_error *err)
{
        if (!c->cgroup && c->st.rootless)
                return husk_error_not_found(err,
                                            "container %s has no cgroup: it was created rootless without permission to "
                                            "create one (use a cgroup delegated to you: systemd's user instance with "
                                            "--systemd-cgroup, or a delegated cgroup v2 subtree)",
                                            id);
        if (!c->cgroup)
                return husk_error_not_found(err, "container %s has no cgroup", id);
        return 0;
}

int container_pause(const char *root, const char *id, struct husk_error *err)
{
        struct husk_container c;
        if (container_load(root, id, true, &c, err) < 0)
                return -1;
        int ret;
        /* runc pauses a running or a created container; anything else
         * (paused included) is "not running". */
        if (c.status != HUSK_STATUS_RUNNING && c.status != HUSK_STATUS_CREATED)
                ret = husk_error_state(err, "container not running");
        else if (need_cgroup(&c, id, err) < 0)
                ret = -1;
        else
                ret = cgroup_freeze(c.cgroup, true, err);
        container_release(&c);
        return ret;
}

int container_resume(const char *root, const char *id, struct husk_error *err)
{
        struct husk_container c;
        if (container_load(root, id, true, &c, err) < 0)
                return -1;
        int ret;
        if (c.status != HUSK_STATUS_PAUSED)
                ret = husk_error_state(err, "container not paused");
        else
                ret = cgroup_freeze(c.cgroup, false, err);
        container_release(&c);
        return ret;
}

int container_update(const char *root, const char *id, const struct husk_resources *res, struct husk_error *err)
{
        struct husk_container c;
        if (container_load(root, id, true, &c, err) < 0)
                return -1;
        int ret;
        switch (c.status) {
        case HUSK_STATUS_RUNNING:
        case HUSK_STATUS_CREATED:
        case HUSK_STATUS_PAUSED:
                ret = need_cgroup(&c, id, err);
                if (ret == 0)
                        ret = cgroup_update(c.cgroup, res, err);
                break;
        default:
                ret = husk_error_state(err, "container not running");
                break;
        }
        container_release(&c);
        return ret;
}

int container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct husk_error *err)
{
        *pids = NULL;
        *n = 0;
        struct husk_container c;
        if (container_load(root, id, false, &c, err) < 0)
                return -1;
        int ret = 0;
        /* A stopped container whose cgroup is gone (systemd removes an empty
         * scope's) has no processes: runc prints none too. */
        if (c.cgroup) {
                struct husk_error e = { 0 };
                ret = cgroup_pids(c.cgroup, pids, n, &e);
                if (ret < 0 && c.status == HUSK_STATUS_STOPPED)
                        ret = 0;
                else if (ret < 0) {
                        husk_error_copy(err, &e);
                        husk_error_wrap(err, "unable to get all container pids");
                }
        } else if (c.status != HUSK_STATUS_STOPPED) {
                ret = need_cgroup(&c, id, err);
        }
        container_release(&c);
        return ret;
}

/* {"type":TYPE,"id":ID[,"data":DATA]}: DATA is already JSON. */
static char *event_json(const char *type, const char *id, const char *data)
{
        yajl_gen g = jgen_new(NULL);
        yajl_gen_map_open(g);
        jgen_kv_str(g, "type", type);
        jgen_kv_str(g, "id", id);
        if (data)
                jgen_kv_raw(g, "data", data);
        yajl_gen_map_close(g);
        return jgen_finish(g);
}

static int emit(int out, const char *line)
{
        _cleanup_free_ char *l = xasprintf("%s\n", line);
        return write_all(out, l, strlen(l));
}

static int stats_event(struct husk_container *c, const char *id, int out, struct husk_error *err)
{
        _cleanup_free_ char *data = NULL;
        if (cgroup_stats_json(c->cgroup, &data, err) < 0)
                return -1;
        _cleanup_free_ char *line = event_json("stats", id, data);
        if (emit(out, line) < 0)
                return husk_error_sys(err, "write event");
        return 0;
}

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int container_events(const char *root, const char *id, bool stats_once, uint64_t interval_ms, int out,
                     struct husk_error *err)
{
        struct husk_container c;
        if (container_load(root, id, false, &c, err) < 0)
                return -1;
        int ret = 0;
        if (c.status == HUSK_STATUS_STOPPED) {
                ret = husk_error_state(err, "container with id %s is not running", id);
                goto out;
        }
        if ((ret = need_cgroup(&c, id, err)) < 0)
                goto out;
        if (stats_once) {
                ret = stats_event(&c, id, out, err);
                goto out;
        }
        if (interval_ms == 0) {
                ret = husk_error_invalid(err, "duration interval must be greater than 0");
                goto out;
        }
        /* runc: a stats event every interval (the first after one interval)
         * and an "oom" event per OOM kill. The kernel's count is polled at
         * most every 100 ms; the stream ends once the container's init is
         * gone (runc's goes on until killed), after a last OOM check so an
         * OOM that ended the container is reported. */
        int64_t ooms = cgroup_oom_kill_count(c.cgroup);
        uint64_t next_stats = now_ms() + interval_ms;
        for (;;) {
                bool alive = state_init_alive(&c.st);
                int64_t k = cgroup_oom_kill_count(c.cgroup);
                if (k > ooms && ooms >= 0) {
                        for (int64_t i = ooms; i < k; i++) {
                                _cleanup_free_ char *line = event_json("oom", id, NULL);
                                if (emit(out, line) < 0) {
                                        ret = husk_error_sys(err, "write event");
                                        goto out;
                                }
                        }
                }
                if (k >= 0)
                        ooms = k;
                if (!alive)
                        break;
                uint64_t t = now_ms();
                if (t >= next_stats) {
                        struct husk_error e = { 0 };
                        /* runc logs a failed collection and goes on */
                        if (stats_event(&c, id, out, &e) < 0) {
                                if (e.errnum == EPIPE) {
                                        ret = husk_error_copy(err, &e);
                                        goto out;
                                }
                                log_error("%s", e.msg);
                        }
                        next_stats += interval_ms;
                        if (next_stats < t)
                                next_stats = t + interval_ms;
                        continue;
                }
                uint64_t wait = next_stats - t;
                if (wait > 100)
                        wait = 100;
                poll(NULL, 0, (int)wait);
        }
out:
        container_release(&c);
        return ret;
}
