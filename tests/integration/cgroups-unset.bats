#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.resources values that engines send to mean "not set" (runc reads
# them as Go zero values): they must touch no cgroup file, need no
# controller file, and leave the kernel's defaults in place. dockerd 20.10
# puts {"memory":{"disableOOMKiller":false},"cpu":{"shares":0},
# "blockIO":{"weight":0}} in every spec; docker/CRI send -1 for "no limit".
# Read back from the container's cgroup files (v1, hybrid and pure v2).

load helpers
load cgroup-helpers

# What a fresh cgroup's memory limit reads when nothing limits it (v1).
v1_mem_unlimited() {
        cat "$(_cg_mount memory)/memory.limit_in_bytes"
}

# cg_parent_read PID CONTROLLER FILE: the file of the parent of PID's cgroup.
cg_parent_read() {
        local d
        d=$(cg_dir "$1" "$2") || return 1
        cat "${d%/*}/$3"
}

# A block device of this host as MAJ:MIN (not zram/loop).
block_dev() {
        local d
        for d in /sys/block/*; do
                [[ -e $d/dev ]] || continue
                case ${d##*/} in zram*|loop*) continue ;; esac
                cat "$d/dev"
                return 0
        done
        return 1
}

# The cgroup files of a container left at their defaults: no memory or pids
# limit, the kernel's cpu defaults. LOW: what v2's memory.low must read
# (default 0; a reservation of -1 makes it "max").
assert_cpu_mem_pids_defaults() {
        local pid=$1 low=${2:-0}
        if host_has_controller memory; then
                if cg_v2 "$pid" memory; then
                        [[ $(cg_read "$pid" memory memory.max) == max ]]
                        [[ $(cg_read "$pid" memory memory.low) == "$low" ]]
                else
                        [[ $(cg_read "$pid" memory memory.limit_in_bytes) == "$(v1_mem_unlimited)" ]]
                        [[ $(cg_read "$pid" memory memory.soft_limit_in_bytes) == "$(v1_mem_unlimited)" ]]
                        cg_read "$pid" memory memory.oom_control | grep -qx 'oom_kill_disable 0'
                fi
        fi
        if host_has_controller cpu; then
                if cg_v2 "$pid" cpu; then
                        [[ $(cg_read "$pid" cpu cpu.weight) == 100 ]]
                        [[ $(cg_read "$pid" cpu cpu.max) == "max 100000" ]]
                else
                        [[ $(cg_read "$pid" cpu cpu.shares) == 1024 ]]
                        [[ $(cg_read "$pid" cpu cpu.cfs_quota_us) == -1 ]]
                        [[ $(cg_read "$pid" cpu cpu.cfs_period_us) == 100000 ]]
                fi
        fi
        if host_has_controller pids; then
                [[ $(cg_read "$pid" pids pids.max) == "$(unset_pids_max)" ]]
        fi
}

# What pids.max reads with no pids limit in config.json (absent, or the
# unset value 0): "max", but under the systemd driver systemd's own
# DefaultTasksMax for the scope, as with runc 1.1.5 --systemd-cgroup (both
# send TasksMax only for a limit that is set).
unset_pids_max() {
        local limit
        limit=$(jq -r '.linux.resources.pids.limit // 0' "$BUNDLE/config.json")
        if [[ -n ${HUSK_TEST_SYSTEMD:-} && $limit == 0 ]]; then
                limit=$(systemctl show -p DefaultTasksMax --value)
                [[ $limit == infinity ]] && limit=max
                echo "$limit"
        else
                echo max
        fi
}

@test "docker's defaults: blockIO.weight 0, cpu.shares 0, disableOOMKiller false are not set" {
        # dockerd 20.10's resources when the user sets none (oci_linux.go):
        # weight 0 failed on hosts without CFQ/BFQ (no blkio.weight file).
        set_args sleep 1000
        set_resources '{"memory":{"disableOOMKiller":false},"cpu":{"shares":0},"blockIO":{"weight":0}}'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        assert_cpu_mem_pids_defaults "$pid"
}

@test "zero forms of every field leave the cgroup at its defaults" {
        set_args sleep 1000
        res='{"memory":{"limit":0,"reservation":0,"swap":0},
                "cpu":{"shares":0,"quota":0,"period":0,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
                "pids":{"limit":0},"blockIO":{"weight":0,"leafWeight":0}}'
        set_resources "$res"
        run_detached "$CID"
        pid=$(container_pid "$CID")
        assert_cpu_mem_pids_defaults "$pid"
        if host_has_controller cpu && ! cg_v2 "$pid" cpu; then
                [[ $(cg_read "$pid" cpu cpu.rt_period_us) == 1000000 ]]
                [[ $(cg_read "$pid" cpu cpu.rt_runtime_us) == 0 ]]
        fi
        if host_has_controller cpuset && cg_v2 "$pid" cpuset; then
                # "" writes nothing: v2's cpuset.cpus stays empty (all of the parent's)
                [[ -z $(cg_read "$pid" cpuset cpuset.cpus) ]]
                [[ -n $(cg_read "$pid" cpuset cpuset.cpus.effective) ]]
        elif host_has_controller cpuset; then
                # "" keeps what the parent has (a non-empty list)
                [[ -n $(cg_read "$pid" cpuset cpuset.cpus) ]]
                [[ $(cg_read "$pid" cpuset cpuset.cpus) == "$(cg_parent_read "$pid" cpuset cpuset.cpus)" ]]
                [[ $(cg_read "$pid" cpuset cpuset.mems) == "$(cg_parent_read "$pid" cpuset cpuset.mems)" ]]
        fi
}

@test "kernel memory 0 is not set (and needs no kmem file)" {
        need_controller memory
        set_args sleep 1000
        set_resources '{"memory":{"kernel":0,"kernelTCP":0}}'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        assert_cpu_mem_pids_defaults "$pid"
}

@test "-1 forms: no memory, swap, quota or pids limit; swappiness 2^64-1 leaves it alone" {
        set_args sleep 1000
        res='{"memory":{"limit":-1,"reservation":-1},"cpu":{"quota":-1},"pids":{"limit":-1}}'
        set_resources "$res"
        # docker sends uint64(-1) for "--memory-swappiness not given"
        # (jq would round it through a double: put the literal in by hand)
        set_resources '{"memory":{"swappiness":424242}}'
        sed -i 's/\b424242\b/18446744073709551615/' "$BUNDLE/config.json"
        grep -q '"swappiness": *18446744073709551615' "$BUNDLE/config.json"
        run_detached "$CID"
        pid=$(container_pid "$CID")
        assert_cpu_mem_pids_defaults "$pid" max
        if host_has_controller memory && ! cg_v2 "$pid" memory; then
                [[ $(cg_read "$pid" memory memory.swappiness) == "$(cg_parent_read "$pid" memory memory.swappiness)" ]]
                # memory -1 with no swap given: swap unlimited too (runc)
                if d=$(cg_dir "$pid" memory) && [[ -e $d/memory.memsw.limit_in_bytes ]]; then
                        [[ $(cat "$d/memory.memsw.limit_in_bytes") == "$(v1_mem_unlimited)" ]]
                fi
        fi
}

@test "swappiness 0 is a value (written), not 'unset'" {
        need_controller memory
        set_args sleep 1000
        set_resources '{"memory":{"swappiness":0}}'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        cg_v2 "$pid" memory && skip "no swappiness on cgroup v2"
        [[ $(cg_read "$pid" memory memory.swappiness) == 0 ]]
}

@test "swap equal to the memory limit means no swap (v1 memsw = limit, v2 swap.max 0)" {
        need_controller memory
        set_args sleep 1000
        set_resources '{"memory":{"limit":67108864,"swap":67108864}}'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        d=$(cg_dir "$pid" memory)
        if cg_v2 "$pid" memory; then
                [[ $(cat "$d/memory.max") == 67108864 ]]
                [[ ! -e $d/memory.swap.max || $(cat "$d/memory.swap.max") == 0 ]]
        else
                [[ $(cat "$d/memory.limit_in_bytes") == 67108864 ]]
                [[ ! -e $d/memory.memsw.limit_in_bytes || $(cat "$d/memory.memsw.limit_in_bytes") == 67108864 ]]
        fi
}

@test "blockIO: weightDevice entries with weight 0 and leafWeight 0 are not set" {
        if host_has_controller blkio; then ctrl=blkio; else ctrl=io; fi
        need_controller $ctrl
        dev=$(block_dev) || skip "no block device"
        set_args sleep 1000
        res='{"blockIO":{"weight":0,"weightDevice":[{"major":M,"minor":N,"weight":0,"leafWeight":0}]}}'
        res=${res//M/${dev%:*}}
        res=${res//N/${dev#*:}}
        set_resources "$res"
        run_detached "$CID"
        [[ $(state_field "$CID" .status) == running ]]
}

@test "blockIO: a set weight without a weight file (no CFQ/BFQ) fails naming the field, as runc" {
        need_controller blkio
        set_args sleep 1000
        probe=$(_cg_mount blkio)
        [[ -e $probe/blkio.weight || -e $probe/blkio.bfq.weight ]] && skip "this host has a blkio weight file"
        set_resources '{"blockIO":{"weight":500}}'
        try_detached "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "linux.resources.blockIO.weight"
        run runtime state "$CID"
        [[ $status -ne 0 ]]
}
