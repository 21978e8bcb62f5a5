#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `kill`: signal names, numbers, the default TERM, --all, and its errors.

load helpers

# A PID 1 that reports the signals it receives in /shared/sig and exits 3
# on TERM.
trap_cmd='trap "echo USR1 >>/shared/sig" USR1; trap "echo TERM >>/shared/sig; exit 3" TERM; touch /shared/ready; while :; do sleep 0.05; done'

@test "kill with no signal sends TERM" {
        share_dir
        set_cmd "$trap_cmd"
        run_bg "$CID"
        wait_file "$SHARED/ready"
        runtime kill "$CID"
        wait_bg
        [[ $BG_STATUS -eq 3 ]]
        [[ $(cat "$SHARED/sig") == TERM ]]
}

@test "kill by name without SIG, with SIG, and by number" {
        share_dir
        set_cmd "$trap_cmd"
        run_detached "$CID"
        wait_file "$SHARED/ready"
        # one at a time: a pending signal absorbs a second one
        n=0
        for sig in USR1 SIGUSR1 10; do
                runtime kill "$CID" "$sig"
                n=$((n + 1))
                for i in $(seq 100); do
                        [[ $(cat "$SHARED/sig" 2>/dev/null | wc -l) -ge $n ]] && break
                        sleep 0.05
                done
        done
        [[ $(cat "$SHARED/sig") == $'USR1\nUSR1\nUSR1' ]]
        [[ $(state_field "$CID" .status) == running ]]
}

@test "kill KILL, SIGKILL and 9 stop the container" {
        set_args sleep 1000
        for s in KILL SIGKILL 9; do
                run_detached "$CID-$s"
                runtime kill "$CID-$s" "$s"
                wait_status "$CID-$s" stopped
        done
}

@test "kill of a created container stops it" {
        set_args sleep 1000
        create_container "$CID"
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
}

@test "kill --all and -a signal every process" {
        set_args sh -c 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        runtime kill --all "$CID" KILL
        wait_status "$CID" stopped
        run_detached "$CID-a"
        runtime kill -a "$CID-a" KILL
        wait_status "$CID-a" stopped
}

@test "kill of a stopped container: container not running" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime kill "$CID" KILL
        assert_status 1
        assert_output_contains "container not running"
}

@test "kill --all of a stopped container kills what its init left in the cgroup" {
        # No pid namespace of its own: the init's death does not end its
        # children. containerd's shim cleans up with kill --all ID KILL.
        share_dir
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        set_cmd 'sleep 1000 & echo $! >/shared/bgpid; exit 0'
        run_detached "$CID"
        wait_status "$CID" stopped
        wait_file "$SHARED/bgpid"
        bg=$(cat "$SHARED/bgpid")
        track_pid "$bg"
        [[ -e /proc/$bg ]]
        runtime kill --all "$CID" KILL
        wait_pid_gone "$bg" 5
        # nothing left: still fine, as runc
        runtime kill --all "$CID" KILL
        run runtime kill "$CID" KILL
        assert_status 1
        assert_output_contains "container not running"
}

@test "kill of a running container opens only its state and the init's stat, once (no cgroup mounts or freezer)" {
        husk_only "counts husk's own system calls"
        command -v strace >/dev/null || skip "needs strace"
        set_args sleep 1000
        run_detached "$CID"
        local pid trace=$BATS_TEST_TMPDIR/kill.strace
        pid=$(container_pid "$CID")
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=openat -o "$trace" \
                "$RUNTIME" --root "$ROOT" kill "$CID" WINCH
        [[ $(state_field "$CID" .status) == running ]]
        [[ -z $(grep -E 'mountinfo|/sys/fs/cgroup' "$trace") ]]
        run grep -c "/proc/$pid/stat\"" "$trace"
        [[ $output -eq 1 ]]
}

@test "kill of an unknown id: does not exist" {
        run runtime kill "$CID-nope" KILL
        assert_status 1
        assert_not_exist_error "$CID-nope"
}

@test "kill with an unknown signal fails and leaves the container running" {
        set_args sleep 1000
        run_detached "$CID"
        run runtime kill "$CID" NOSUCHSIG
        [[ $status -ne 0 ]]
        run runtime kill "$CID" 1000
        [[ $status -ne 0 ]]
        [[ $(state_field "$CID" .status) == running ]]
}

@test "kill: a signal number with blanks around it is refused, not taken as the number (as runc)" {
        set_args sleep 1000
        run_detached "$CID"
        local s
        for s in " 9" "9 " $'\t9'; do
                run runtime kill "$CID" "$s"
                echo "[$s]: $status $output"
                assert_status 1
                [[ $(state_field "$CID" .status) == running ]]
        done
}

@test "kill with signal 0 is a liveness probe (with and without --all), as runc" {
        share_dir
        set_cmd "$trap_cmd"
        run_detached "$CID"
        wait_file "$SHARED/ready"
        runtime kill "$CID" 0
        runtime kill -a "$CID" 0
        # nothing was delivered: the trap would have logged TERM/USR1
        sleep 0.2
        [[ ! -e $SHARED/sig ]]
        [[ $(state_field "$CID" .status) == running ]]
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        run runtime kill "$CID" 0
        assert_status 1
        assert_output_contains "container not running"
}
