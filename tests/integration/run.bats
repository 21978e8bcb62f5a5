#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `run`: foreground exit codes, signals, -d, --keep, stdio.

load helpers

@test "run returns the process's exit code" {
        for code in 0 1 42 255; do
                set_cmd "exit $code"
                run runtime run "$CID-$code" </dev/null
                assert_status "$code"
        done
        assert_no_state
}

@test "run prints the process's stdout and stderr, and passes stdin" {
        set_cmd 'cat; echo out; echo err >&2'
        run bash -c 'echo hello | "$0" --root "$1" run "$2" 2>&1' "$RUNTIME" "$ROOT" "$CID"
        assert_status 0
        [[ $output == $'hello\nout\nerr' ]]
}

@test "run returns 128+9 when the container is killed with KILL" {
        set_args sleep 1000
        run_bg "$CID"
        wait_status "$CID" running
        runtime kill "$CID" KILL
        wait_bg
        [[ $BG_STATUS -eq 137 ]]
}

@test "run returns 128+15 when a non-init process is killed with TERM" {
        # without a pid namespace the process is not an init that ignores TERM
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        set_args sleep 1000
        run_bg "$CID"
        wait_status "$CID" running
        runtime kill "$CID" TERM
        wait_bg
        [[ $BG_STATUS -eq 143 ]]
}

@test "run forwards signals it receives to the container" {
        share_dir
        set_cmd 'trap "exit 7" USR1; touch /shared/ready; while :; do sleep 0.05; done'
        run_bg "$CID"
        wait_file "$SHARED/ready"
        kill -USR1 "$BG_PID"
        wait_bg
        [[ $BG_STATUS -eq 7 ]]
}

@test "run -d returns at once with the container running" {
        set_args sleep 1000
        SECONDS=0
        run_detached "$CID"
        [[ $SECONDS -lt 10 ]]
        [[ $(state_field "$CID" .status) == running ]]
}

@test "run -d --pid-file" {
        set_args sleep 1000
        run_detached --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
        [[ $(cat "$BATS_TEST_TMPDIR/pid") == "$(container_pid "$CID")" ]]
}

@test "run deletes the container when it exits; --keep keeps it stopped" {
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
        run runtime state "$CID"
        assert_status 1

        run runtime run --keep "$CID-k" </dev/null
        assert_status 0
        [[ $(state_field "$CID-k" .status) == stopped ]]
}

@test "run -b BUNDLE from another directory" {
        set_cmd 'echo in-container'
        cd /
        run runtime run -b "$BUNDLE" "$CID" </dev/null
        assert_status 0
        [[ $output == in-container ]]
}

@test "run of a missing binary fails and leaves nothing" {
        set_args /no/such/binary
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "run of a non-executable file fails and leaves nothing" {
        set_args /etc/passwd
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}
