#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.intelRdt on the real host. Where resctrl is not mounted (this
# machine, most CI machines), create must refuse with a clear error before
# doing anything; tests/unit/test-intelrdt.c covers the groups, schemata and
# tasks against a fake resctrl tree. Where it is mounted, a container joins
# a group made for it, which delete removes.

load helpers

# try_create: a create expected to fail; status and output (its stderr) as
# bats' run sets them, without a pipe that a created container would hold.
try_create() {
        status=0
        runtime create "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
        output=$(cat "$BATS_TEST_TMPDIR/err")
}

resctrl_root() {
        awk '$0 ~ / - resctrl / { print $5; exit }' /proc/self/mountinfo
}

@test "intelRdt.l3CacheSchema without resctrl/CAT: a clear error, nothing left" {
        [[ -z $(resctrl_root) ]] || skip "resctrl is mounted here"
        update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f"}'
        set_args true
        try_create
        [[ $status -ne 0 ]]
        if is_husk; then
                assert_output_contains "linux.intelRdt: Intel RDT is not supported on this host: no resctrl"
        else
                assert_output_contains "Intel RDT/CAT is not enabled"
        fi
        assert_no_state
}

@test "intelRdt with only a closID without resctrl: refused rather than ignored" {
        husk_only "runc 1.1.5 ignores a closID-only intelRdt when resctrl is not mounted"
        [[ -z $(resctrl_root) ]] || skip "resctrl is mounted here"
        update_config '.linux.intelRdt = {"closID": "c1", "enableMonitoring": true}'
        set_args true
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains "linux.intelRdt: Intel RDT is not supported"
        assert_no_state
}

@test "intelRdt.closID that is not a plain name is refused, naming the field" {
        update_config '.linux.intelRdt = {"closID": "a/b"}'
        try_create
        [[ $status -ne 0 ]]
        if is_husk; then
                assert_output_contains 'linux.intelRdt.closID: invalid class of service "a/b"'
        else
                assert_output_contains 'invalid intelRdt.ClosID'
        fi
        assert_no_state
}

@test "intelRdt on a host with resctrl: a group for the container, removed by delete" {
        local root
        root=$(resctrl_root)
        [[ -n $root && -d $root/info/L3 ]] || skip "no resctrl with CAT on this host"
        update_config '.linux.intelRdt = {"enableMonitoring": false}'
        set_args sleep 1000
        run_detached "$CID"
        [[ -d $root/$CID ]]
        grep -qx "$(container_pid "$CID")" "$root/$CID/tasks"
        runtime delete -f "$CID"
        [[ ! -e $root/$CID ]]
}
