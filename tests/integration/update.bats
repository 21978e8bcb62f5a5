#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `update`: every runc flag and --resources FILE|-, read back from the
# cgroup files; a failed update leaves the old limits; errors.

load helpers
load cgroup-helpers

# mem PID V1FILE V2FILE: the memory controller's file for this layout.
mem() {
        if cg_v2 "$1" memory; then cg_read "$1" memory "$3"; else cg_read "$1" memory "$2"; fi
}

start_sleeper() {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
}

@test "update --memory and --memory-reservation, with runc's size syntax" {
        need_controller memory
        set_resources '{"memory":{"limit":67108864}}'
        start_sleeper
        runtime update --memory 100m --memory-reservation 50M "$CID"
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 104857600 ]]
        [[ $(mem "$pid" memory.soft_limit_in_bytes memory.low) == 52428800 ]]
        runtime update --memory 1.5g "$CID"
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 1610612736 ]]
        runtime update --memory "100 MB" "$CID"
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 104857600 ]]
        runtime update --memory 131072KiB "$CID"
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 134217728 ]]
        runtime update --memory 200000000 "$CID"
        v=$(mem "$pid" memory.limit_in_bytes memory.max)
        # the kernel rounds to pages
        [[ $v -le 200000000 && $v -gt 199990000 ]]
        runtime update --memory -1 "$CID"
        v=$(mem "$pid" memory.limit_in_bytes memory.max)
        [[ $v == max || $v -ge 9223372036854000000 ]]
}

@test "update --memory-swap (memory+swap)" {
        need_controller memory
        set_resources '{"memory":{"limit":67108864}}'
        start_sleeper
        d=$(cg_dir "$pid" memory)
        [[ -e $d/memory.memsw.limit_in_bytes || -e $d/memory.swap.max ]] || skip "no swap accounting"
        runtime update --memory 100m --memory-swap 200m "$CID"
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 104857600 ]]
        if cg_v2 "$pid" memory; then
                [[ $(cg_read "$pid" memory memory.swap.max) == 104857600 ]]
        else
                [[ $(cg_read "$pid" memory memory.memsw.limit_in_bytes) == 209715200 ]]
        fi
}

@test "update --cpu-share, --cpu-period, --cpu-quota; one of period/quota keeps the other" {
        need_controller cpu
        start_sleeper
        runtime update --cpu-share 256 --cpu-period 200000 --cpu-quota 100000 "$CID"
        if cg_v2 "$pid" cpu; then
                # 1 + ((256 - 2) * 9999) / 262142
                [[ $(cg_read "$pid" cpu cpu.weight) == 10 ]]
                [[ $(cg_read "$pid" cpu cpu.max) == "100000 200000" ]]
                runtime update --cpu-quota 50000 "$CID"
                [[ $(cg_read "$pid" cpu cpu.max) == "50000 200000" ]]
                runtime update --cpu-period 100000 "$CID"
                [[ $(cg_read "$pid" cpu cpu.max) == "50000 100000" ]]
                runtime update --cpu-quota -1 "$CID"
                [[ $(cg_read "$pid" cpu cpu.max) == "max 100000" ]]
        else
                [[ $(cg_read "$pid" cpu cpu.shares) == 256 ]]
                [[ $(cg_read "$pid" cpu cpu.cfs_period_us) == 200000 ]]
                [[ $(cg_read "$pid" cpu cpu.cfs_quota_us) == 100000 ]]
                runtime update --cpu-quota 50000 "$CID"
                [[ $(cg_read "$pid" cpu cpu.cfs_quota_us) == 50000 ]]
                [[ $(cg_read "$pid" cpu cpu.cfs_period_us) == 200000 ]]
                runtime update --cpu-period 100000 "$CID"
                [[ $(cg_read "$pid" cpu cpu.cfs_quota_us) == 50000 ]]
                [[ $(cg_read "$pid" cpu cpu.cfs_period_us) == 100000 ]]
                runtime update --cpu-quota -1 "$CID"
                [[ $(cg_read "$pid" cpu cpu.cfs_quota_us) == -1 ]]
        fi
}

@test "update --cpu-rt-period and --cpu-rt-runtime (v1); an error on v2" {
        need_controller cpu
        start_sleeper
        if cg_v2 "$pid" cpu; then
                run runtime update --cpu-rt-period 500000 "$CID"
                [[ $status -ne 0 ]]
                return 0
        fi
        runtime update --cpu-rt-period 500000 "$CID"
        [[ $(cg_read "$pid" cpu cpu.rt_period_us) == 500000 ]]
        # the default path's parent has a budget to hand out: runc's is the
        # root, husk gives its "/husk" what the container asks for
        runtime update --cpu-rt-runtime 1000 "$CID"
        [[ $(cg_read "$pid" cpu cpu.rt_runtime_us) == 1000 ]]
        # more than the period: refused, the old value stays
        run runtime update --cpu-rt-runtime 600000 "$CID"
        [[ $status -ne 0 ]]
        [[ $(cg_read "$pid" cpu cpu.rt_runtime_us) == 1000 ]]
}

@test "update --cpuset-cpus and --cpuset-mems" {
        need_controller cpuset
        [[ $(nproc) -ge 2 ]] || skip "needs 2 CPUs"
        start_sleeper
        runtime update --cpuset-cpus 1 --cpuset-mems 0 "$CID"
        [[ $(cg_read "$pid" cpuset cpuset.cpus) == 1 ]]
        [[ $(cg_read "$pid" cpuset cpuset.mems) == 0 ]]
        grep -q '^Cpus_allowed_list:[[:space:]]*1$' "/proc/$pid/status"
        runtime update --cpuset-cpus 0-1 "$CID"
        [[ $(cg_read "$pid" cpuset cpuset.cpus) == 0-1 ]]
}

@test "update --pids-limit, -1 is no limit, and a lowered limit is enforced" {
        need_controller pids
        start_sleeper
        runtime update --pids-limit 20 "$CID"
        [[ $(cg_read "$pid" pids pids.max) == 20 ]]
        runtime update --pids-limit -1 "$CID"
        [[ $(cg_read "$pid" pids pids.max) == max ]]
        # a shell that forks every 50 ms dies at its first failed fork
        set_cmd 'while :; do sleep 0.05; done'
        run_detached "$CID-sh"
        runtime update --pids-limit 1 "$CID-sh"
        wait_status "$CID-sh" stopped
}

@test "update --blkio-weight where a weight file exists" {
        if host_has_controller blkio; then ctrl=blkio; else ctrl=io; fi
        need_controller $ctrl
        start_sleeper
        d=$(cg_dir "$pid" $ctrl)
        for f in blkio.weight blkio.bfq.weight io.bfq.weight io.weight; do
                [[ -e $d/$f ]] && break
        done
        [[ -e $d/$f ]] || skip "no blkio weight file"
        runtime update --blkio-weight 300 "$CID"
        case $f in
        io.weight) grep -q 2930 "$d/$f" ;;
        *) grep -q 300 "$d/$f" ;;
        esac
}

@test "update --resources - reads linux.resources JSON from stdin" {
        need_controller memory
        need_controller pids
        start_sleeper
        runtime update --resources - "$CID" <<<'{"memory":{"limit":83886080},"pids":{"limit":11}}'
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 83886080 ]]
        [[ $(cg_read "$pid" pids pids.max) == 11 ]]
        # -r and a file
        echo '{"pids":{"limit":12}}' >"$BATS_TEST_TMPDIR/res.json"
        runtime update -r "$BATS_TEST_TMPDIR/res.json" "$CID"
        [[ $(cg_read "$pid" pids pids.max) == 12 ]]
        # absent fields are left alone
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 83886080 ]]
}

@test "update: flags override the --resources document" {
        husk_only "runc 1.1.5 ignores the flags when --resources is given"
        need_controller pids
        need_controller memory
        start_sleeper
        runtime update --pids-limit 13 --resources - "$CID" <<<'{"memory":{"limit":83886080},"pids":{"limit":11}}'
        [[ $(cg_read "$pid" pids pids.max) == 13 ]]
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 83886080 ]]
}

@test "update: invalid --resources JSON is an error and changes nothing" {
        need_controller pids
        set_resources '{"pids":{"limit":10}}'
        start_sleeper
        run runtime update --resources - "$CID" <<<'{"pids":{"limit":"many"}'
        [[ $status -ne 0 ]]
        [[ $(cg_read "$pid" pids pids.max) == 10 ]]
}

@test "update: a failed update leaves the old limits" {
        need_controller pids
        need_controller memory
        need_controller cpuset
        set_resources '{"memory":{"limit":67108864},"pids":{"limit":10}}'
        start_sleeper
        run runtime update --memory 200m --pids-limit 33 --cpuset-cpus 99 "$CID"
        [[ $status -ne 0 ]]
        [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 67108864 ]]
        [[ $(cg_read "$pid" pids pids.max) == 10 ]]
        [[ $(state_field "$CID" .status) == running ]]
        if [[ -n ${HUSK_TEST_SYSTEMD:-} ]]; then
                # the systemd driver: the scope's properties are the old
                # ones too (a daemon-reload would write them back)
                local unit v2=0
                unit=$(awk -F/ '$1 ~ /^0::/ || $1 ~ /:pids:/ { print $NF }' "/proc/$pid/cgroup" | head -1)
                [[ $unit == *.scope ]]
                cg_v2 "$pid" memory && v2=1
                v=$(systemctl show -p "$( ((v2)) && echo MemoryMax || echo MemoryLimit)" --value "$unit")
                echo "$unit: memory $v, tasks $(systemctl show -p TasksMax --value "$unit")"
                [[ $v == 67108864 ]]
                [[ $(systemctl show -p TasksMax --value "$unit") == 10 ]]
                systemctl daemon-reload
                [[ $(mem "$pid" memory.limit_in_bytes memory.max) == 67108864 ]]
                [[ $(cg_read "$pid" pids pids.max) == 10 ]]
        fi
}

@test "update --kernel-memory and --kernel-memory-tcp: ignored with a warning" {
        start_sleeper
        run runtime update --kernel-memory 10m --kernel-memory-tcp 10m "$CID"
        assert_status 0
        assert_output_contains "Kernel memory settings are ignored"
}

@test "update --l3-cache-schema and --mem-bw-schema without resctrl: refused, as runc" {
        ! grep -q " - resctrl " /proc/self/mountinfo || skip "resctrl is mounted here"
        start_sleeper
        run runtime update --l3-cache-schema 'L3:0=f' "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "Intel RDT"
        run runtime update --mem-bw-schema 'MB:0=50' "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "Intel RDT"
}

@test "update: invalid values are errors naming the flag" {
        need_controller pids
        set_resources '{"pids":{"limit":10}}'
        start_sleeper
        run runtime update --memory abc "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "memory"
        run runtime update --cpu-period x "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "cpu-period"
        run runtime update --cpu-quota 1.5 "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "cpu-quota"
        run runtime update --pids-limit abc "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "pids-limit"
        [[ $(cg_read "$pid" pids pids.max) == 10 ]]
}

@test "update of a created and of a paused container" {
        need_controller pids
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        runtime update --pids-limit 21 "$CID"
        [[ $(cg_read "$pid" pids pids.max) == 21 ]]
        runtime start "$CID"
        runtime pause "$CID"
        runtime update --pids-limit 22 "$CID"
        [[ $(cg_read "$pid" pids pids.max) == 22 ]]
        [[ $(state_field "$CID" .status) == paused ]]
        runtime resume "$CID"
}

@test "update of a stopped container: container not running" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime update --pids-limit 5 "$CID"
        assert_status 1
        assert_output_contains "container not running"
}

@test "update of an unknown id, and without an id" {
        run runtime update --pids-limit 5 "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
        run runtime update --pids-limit 5
        [[ $status -ne 0 ]]
        run runtime update a b
        [[ $status -ne 0 ]]
}
