/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freeing a parsed spec (or its process/resources parts): every field
 * parse.c and parse_linux.c fill. */
#include <stdlib.h>

#include "husk/spec.h"
#include "spec/spec-internal.h"
#include "util/util.h"

/* ------------------------------------------------------------------ */
/* Freeing.                                                            */

static void kv_free(struct husk_kv *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

void spec_process_free(struct husk_process *p)
{
        if (!p)
                return;
        free(p->user.additional_gids);
        free(p->user.username);
        strv_free(p->args);
        free(p->command_line);
        strv_free(p->env);
        free(p->cwd);
        strv_free(p->capabilities.bounding);
        strv_free(p->capabilities.effective);
        strv_free(p->capabilities.inheritable);
        strv_free(p->capabilities.permitted);
        strv_free(p->capabilities.ambient);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        if (p->scheduler) {
                free(p->scheduler->policy);
                strv_free(p->scheduler->flags);
                free(p->scheduler);
        }
        if (p->io_priority) {
                free(p->io_priority->class_name);
                free(p->io_priority);
        }
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
        free(p);
}

void spec_resources_free(struct husk_resources *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_devices; i++)
                free(r->devices[i].access);
        free(r->devices);
        free(r->memory);
        if (r->cpu) {
                free(r->cpu->cpus);
                free(r->cpu->mems);
                free(r->cpu);
        }
        if (r->block_io) {
                free(r->block_io->weight_device);
                free(r->block_io->throttle_read_bps);
                free(r->block_io->throttle_write_bps);
                free(r->block_io->throttle_read_iops);
                free(r->block_io->throttle_write_iops);
                free(r->block_io);
        }
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        for (size_t i = 0; i < r->n_rdma; i++)
                free(r->rdma[i].device);
        free(r->rdma);
        kv_free(r->unified, r->n_unified);
        free(r);
}

void spec_seccomp_free(struct husk_seccomp *s)
{
        if (!s)
                return;
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                strv_free(s->syscalls[i].names);
                free(s->syscalls[i].args);
        }
        free(s->syscalls);
        free(s);
}

static void linux_free(struct husk_linux *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n_namespaces; i++) {
                free(l->namespaces[i].type_name);
                free(l->namespaces[i].path);
        }
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        spec_resources_free(l->resources);
        if (l->intel_rdt) {
                free(l->intel_rdt->clos_id);
                free(l->intel_rdt->l3_cache_schema);
                free(l->intel_rdt->mem_bw_schema);
                strv_free(l->intel_rdt->schemata);
                free(l->intel_rdt);
        }
        kv_free(l->sysctl, l->n_sysctl);
        spec_seccomp_free(l->seccomp);
        free(l->rootfs_propagation);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        if (l->personality) {
                free(l->personality->domain);
                strv_free(l->personality->flags);
                free(l->personality);
        }
        if (l->memory_policy) {
                free(l->memory_policy->mode);
                free(l->memory_policy->nodes);
                strv_free(l->memory_policy->flags);
                free(l->memory_policy);
        }
        for (size_t i = 0; i < l->n_net_devices; i++) {
                free(l->net_devices[i].host_name);
                free(l->net_devices[i].name);
        }
        free(l->net_devices);
        free(l);
}

void spec_free(struct husk_spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->root_path);
        free(spec->hostname);
        free(spec->domainname);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                struct husk_mount *m = &spec->mounts[i];
                free(m->destination);
                free(m->source);
                free(m->type);
                strv_free(m->options);
                free(m->uid_mappings);
                free(m->gid_mappings);
        }
        free(spec->mounts);
        spec_process_free(spec->process);
        for (int k = 0; k < HUSK_HOOK__MAX; k++) {
                for (size_t i = 0; i < spec->hooks[k].n; i++) {
                        free(spec->hooks[k].hooks[i].path);
                        strv_free(spec->hooks[k].hooks[i].args);
                        strv_free(spec->hooks[k].hooks[i].env);
                }
                free(spec->hooks[k].hooks);
        }
        kv_free(spec->annotations, spec->n_annotations);
        linux_free(spec->linux);
        free(spec);
}

