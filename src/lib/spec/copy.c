/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deep copies of spec parts, for callers that need a changed version of
 * one: the parsed spec itself stays immutable (husk exec applies its flags
 * to a copy of the container's process). Every field of the struct is
 * copied here, as spec_process_free() frees every one. */
#include <string.h>

#include "husk/spec.h"
#include "util/util.h"

static char **strv_copy(char *const *v)
{
        if (!v)
                return NULL;
        size_t n = strv_length(v);
        char **out = xzalloc((n + 1) * sizeof(*out));
        for (size_t i = 0; i < n; i++)
                out[i] = xstrdup(v[i]);
        return out;
}

static void *mem_copy(const void *p, size_t size)
{
        if (!p || size == 0)
                return NULL;
        void *out = xmalloc(size);
        memcpy(out, p, size);
        return out;
}

struct husk_process *spec_process_copy(const struct husk_process *p)
{
        if (!p)
                return NULL;
        struct husk_process *c = xmalloc(sizeof(*c));
        *c = *p;        /* the scalars; every pointer is replaced below */
        c->user.additional_gids = mem_copy(p->user.additional_gids,
                                           p->user.n_additional_gids * sizeof(*p->user.additional_gids));
        c->user.username = xstrdup(p->user.username);
        c->args = strv_copy(p->args);
        c->command_line = xstrdup(p->command_line);
        c->env = strv_copy(p->env);
        c->cwd = xstrdup(p->cwd);
        c->capabilities.bounding = strv_copy(p->capabilities.bounding);
        c->capabilities.effective = strv_copy(p->capabilities.effective);
        c->capabilities.inheritable = strv_copy(p->capabilities.inheritable);
        c->capabilities.permitted = strv_copy(p->capabilities.permitted);
        c->capabilities.ambient = strv_copy(p->capabilities.ambient);
        c->rlimits = mem_copy(p->rlimits, p->n_rlimits * sizeof(*p->rlimits));
        for (size_t i = 0; i < p->n_rlimits; i++)
                c->rlimits[i].type = xstrdup(p->rlimits[i].type);
        c->apparmor_profile = xstrdup(p->apparmor_profile);
        c->selinux_label = xstrdup(p->selinux_label);
        c->scheduler = mem_copy(p->scheduler, sizeof(*p->scheduler));
        if (c->scheduler) {
                c->scheduler->policy = xstrdup(p->scheduler->policy);
                c->scheduler->flags = strv_copy(p->scheduler->flags);
        }
        c->io_priority = mem_copy(p->io_priority, sizeof(*p->io_priority));
        if (c->io_priority)
                c->io_priority->class_name = xstrdup(p->io_priority->class_name);
        c->exec_cpu_affinity_initial = xstrdup(p->exec_cpu_affinity_initial);
        c->exec_cpu_affinity_final = xstrdup(p->exec_cpu_affinity_final);
        return c;
}
