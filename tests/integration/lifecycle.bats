#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# create → start → kill → delete, and the state machine's errors.

load helpers

@test "create, start, kill, delete: each status in turn" {
        set_args sleep 1000
        create_container "$CID"
        [[ $(state_field "$CID" .status) == created ]]
        pid=$(container_pid "$CID")
        [[ $pid -gt 0 ]]
        [[ -d /proc/$pid ]]

        runtime start "$CID"
        [[ $(state_field "$CID" .status) == running ]]
        [[ $(container_pid "$CID") == "$pid" ]]

        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        run runtime delete "$CID"
        assert_status 0
        wait_pid_gone "$pid" 2
        run runtime state "$CID"
        assert_status 1
        assert_no_state
}

@test "create -b BUNDLE from another directory; --bundle too" {
        set_args sleep 1000
        cd /
        runtime create -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
        [[ $(state_field "$CID" .bundle) == "$BUNDLE" ]]
        runtime create --bundle "$BUNDLE" "$CID-b" </dev/null >/dev/null 2>&1
        [[ $(state_field "$CID-b" .bundle) == "$BUNDLE" ]]
}

@test "create takes the current directory as the bundle" {
        set_args sleep 1000
        create_container "$CID"
        [[ $(state_field "$CID" .bundle) == "$BUNDLE" ]]
        [[ $(state_field "$CID" .rootfs) == "$BUNDLE/rootfs" ]]
}

@test "create --pid-file writes the init pid (absolute and relative paths)" {
        set_args sleep 1000
        create_container --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
        [[ $(cat "$BATS_TEST_TMPDIR/pid") == "$(container_pid "$CID")" ]]
        cd "$BATS_TEST_TMPDIR"
        runtime create -b "$BUNDLE" --pid-file rel.pid "$CID-b" </dev/null >/dev/null 2>&1
        [[ $(cat "$BATS_TEST_TMPDIR/rel.pid") == "$(container_pid "$CID-b")" ]]
}

@test "the process does not run before start" {
        share_dir
        set_cmd 'touch /shared/started; sleep 1000'
        create_container "$CID"
        sleep 0.3
        [[ ! -e $SHARED/started ]]
        runtime start "$CID"
        wait_file "$SHARED/started"
}

@test "start twice fails and leaves the container running" {
        set_args sleep 1000
        create_container "$CID"
        runtime start "$CID"
        run runtime start "$CID"
        assert_status 1
        [[ $(state_field "$CID" .status) == running ]]
}

@test "start of a stopped container fails" {
        set_args true
        create_container "$CID"
        runtime start "$CID"
        wait_status "$CID" stopped
        run runtime start "$CID"
        assert_status 1
        [[ $(state_field "$CID" .status) == stopped ]]
}

@test "the status becomes stopped when the process exits" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        [[ $(state_field "$CID" .pid) == 0 ]]
}

@test "create on an existing id fails and leaves the first container untouched" {
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        before=$(runtime state "$CID")
        run runtime create "$CID" </dev/null
        assert_status 1
        [[ $(runtime state "$CID") == "$before" ]]
        [[ -d /proc/$pid ]]
        runtime start "$CID"
        [[ $(state_field "$CID" .status) == running ]]
        [[ $(container_pid "$CID") == "$pid" ]]
}

@test "delete of a running container fails without --force" {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        run runtime delete "$CID"
        assert_status 1
        [[ $(state_field "$CID" .status) == running ]]
        run runtime delete --force "$CID"
        assert_status 0
        wait_pid_gone "$pid" 2
        assert_no_state
}

@test "delete -f of a created container kills it" {
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        run runtime delete -f "$CID"
        assert_status 0
        wait_pid_gone "$pid" 2
        assert_no_state
}

@test "delete -f of an unknown id succeeds" {
        run runtime delete -f "$CID-nope"
        assert_status 0
}

# A state dir without state.json: a create that died right after reserving
# the id. delete removes it (and says so: it was not a real container, so
# without --force it still fails, as runc 1.1.5's does); delete -f quietly.
@test "delete of a state dir without state.json (a create that died half-way) removes it" {
        mkdir -p "$ROOT/$CID"
        run runtime delete "$CID"
        assert_status 1
        is_husk && assert_output_contains "container \"$CID\" was half-made; removed"
        [[ ! -e $ROOT/$CID ]]
        mkdir "$ROOT/$CID"
        run runtime delete -f "$CID"
        assert_status 0
        assert_no_state
}

@test "invalid container ids are refused and leave no state" {
        set_args true
        for id in "../$CID" "$CID/x" ".." "."; do
                run runtime create "$id" </dev/null
                [[ $status -ne 0 ]]
        done
        assert_no_state
        [[ ! -e $BATS_TEST_TMPDIR/$CID ]]
}

@test "several containers from one bundle" {
        set_args sleep 1000
        for i in 1 2 3; do
                run_detached "$CID-$i"
        done
        for i in 1 2 3; do
                [[ $(state_field "$CID-$i" .status) == running ]]
        done
        runtime delete -f "$CID-2"
        [[ $(runtime list -q | grep -c "^$CID") -eq 2 ]]
}

@test "poststop-free delete of a stopped container removes its state" {
        set_args true
        run runtime run --keep "$CID" </dev/null
        assert_status 0
        [[ $(state_field "$CID" .status) == stopped ]]
        runtime delete "$CID"
        assert_no_state
}

@test "delete of a stopped container removes its state files by name, without listing the state dir" {
        husk_only "counts husk's own system calls"
        command -v strace >/dev/null || skip "needs strace"
        set_args true
        run runtime run --keep "$CID" </dev/null
        assert_status 0
        local trace=$BATS_TEST_TMPDIR/delete.strace
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=getdents64,unlinkat,rmdir -o "$trace" \
                "$RUNTIME" --root "$ROOT" delete "$CID"
        assert_no_state
        grep -q "rmdir(\"$ROOT/$CID\") = 0" "$trace"
        [[ -z $(grep getdents64 "$trace") ]]
}
