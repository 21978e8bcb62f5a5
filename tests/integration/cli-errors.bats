#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every command-line error exits 1, says why on stderr, and happens before
# any side effect: no container, no state, no cgroup, no change to a running
# container. Table-driven: each option of each command with bad values
# (negative, non-numeric, overflow, empty, missing paths).
#
# Checked against husk 155bf74: "create --preserve-fds -1/abc/99999999999"
# printed an error, created the container anyway and exited 0.

load helpers

# A row is one shell-quoted command line after "runtime"; @ID@ is replaced
# by the id of a running container, @NEW@ by an id that must not appear.
rows_create() {
        local c
        for c in create run; do
                for v in -1 abc 99999999999 '' 1.5 ' 3' 0x3; do
                        printf '%s --preserve-fds %q @NEW@\n' "$c" "$v"
                done
                printf '%s\n' "$c --bundle /nonexistent-itest @NEW@" \
                        "$c --pid-file /nonexistent-itest/dir/pid @NEW@" \
                        "$c --pidfd-socket /nonexistent-itest/sock @NEW@" \
                        "$c --bogus @NEW@" "$c" "$c @NEW@ extra" "$c ''" "$c ../@NEW@" "$c a/@NEW@" "$c ."
        done
        printf '%s\n' 'run -d --console-socket /nonexistent-itest/sock @NEW@' \
                'create --console-socket /nonexistent-itest/sock @NEW@' 'run --console-socket /nonexistent-itest/sock @NEW@'
}

# exec rows start with the exit status they expect: 1 for a usage error
# (option syntax, nothing to run), 255 as runc
# for an exec that can't start its process.
rows_exec() {
        local v
        for v in -1 abc 99999999999 ''; do
                printf '1 exec --preserve-fds %q @ID@ true\n' "$v"
        done
        for v in -1 abc '' ' 1000' 4294967295 1000:abc 1000:-1; do
                printf '255 exec -u %q @ID@ true\n' "$v"
        done
        for v in -1 4294967295 99999999999; do
                printf '255 exec --additional-gids %q @ID@ true\n' "$v"
        done
        printf '255 %s\n' "exec --cwd relative @ID@ true" "exec --cwd '' @ID@ true" "exec --env NOEQUALS @ID@ true" \
                "exec --process /nonexistent-itest @ID@" "exec --process '' @ID@" \
                "exec --cap '' @ID@ true" "exec --pid-file /nonexistent-itest/dir/pid @ID@ true" "exec @NEW@ true" \
                "exec -d --tty @ID@ true" "exec --console-socket /nonexistent-itest/sock @ID@ true" \
                "exec -d --console-socket /nonexistent-itest/sock @ID@ true"
        printf '1 %s\n' "exec --additional-gids '' @ID@ true" "exec --additional-gids abc @ID@ true" "exec --bogus @ID@ true" "exec @ID@" "exec"
}

rows_other() {
        local v
        for v in SIGBOGUS -1 99999999999 '' 65 abc; do
                printf 'kill @ID@ %q\n' "$v"
        done
        printf '%s\n' "kill" "kill @ID@ KILL extra" "kill --bogus @ID@" "delete" "delete --bogus @ID@" \
                "delete @ID@ extra" "start" "start @ID@ extra" "start --bogus @ID@" "state" "state @ID@ extra" \
                "pause" "resume" "pause @ID@ extra" "ps --format xml @ID@" "ps" "list --format xml" \
                "list extra" "list --bogus" "events --interval abc @ID@" "events --interval '' @ID@" \
                "events --interval -1s @ID@" "events --interval 0 @ID@" "events" "features extra" \
                "spec --bundle /nonexistent-itest" "spec extra" "--log-format xml list" "--bogus list" \
                "bogus-command"
        for o in blkio-weight pids-limit cpu-quota cpu-rt-runtime; do
                for v in abc '' 99999999999999999999 1.5; do
                        printf 'update --%s %q @ID@\n' "$o" "$v"
                done
        done
        for o in cpu-period cpu-rt-period cpu-share; do
                for v in -1 abc '' 99999999999999999999; do
                        printf 'update --%s %q @ID@\n' "$o" "$v"
                done
        done
        for o in memory memory-reservation memory-swap kernel-memory kernel-memory-tcp; do
                for v in abc '' -2 1x 99999999999999999999999; do
                        printf 'update --%s %q @ID@\n' "$o" "$v"
                done
        done
        printf '%s\n' "update --blkio-weight -1 @ID@" "update --blkio-weight 70000 @ID@" \
                "update --resources /nonexistent-itest @ID@" "update --resources '' @ID@" "update" \
                "update --memory 10M @ID@ extra" "update --bogus @ID@"
}

# One row: exit 1 (or the status the row starts with), something on
# stderr, nothing made.
check_row() {
        local want=1 row=$1
        if [[ $row =~ ^([0-9]+)\ (.*)$ ]]; then
                want=${BASH_REMATCH[1]}
                row=${BASH_REMATCH[2]}
        fi
        row=${row//@ID@/$CID}
        row=${row//@NEW@/$CID-new}
        local before after
        before=$(state_entries | sort | tr '\n' ' ')
        eval "set -- $row"
        local status=0
        (cd "$BUNDLE" && runtime "$@" </dev/null >"$BATS_TEST_TMPDIR/row.out" 2>"$BATS_TEST_TMPDIR/row.err") || status=$?
        after=$(state_entries | sort | tr '\n' ' ')
        if [[ $status -ne $want || ! -s $BATS_TEST_TMPDIR/row.err || $before != "$after" ]]; then
                echo "FAIL: $row: exit $status (want $want), state before [$before] after [$after]" \
                        "stdout: $(head -c 300 "$BATS_TEST_TMPDIR/row.out") stderr: $(head -c 300 "$BATS_TEST_TMPDIR/row.err")"
                # so that the next rows are not refused for "exists" alone
                runtime delete -f "$CID-new" >/dev/null 2>&1
                return 1
        fi
}

check_rows() {
        local row failed=0 n=0
        while IFS= read -r row; do
                n=$((n + 1))
                check_row "$row" || failed=$((failed + 1))
        done
        echo "$n rows, $failed failed"
        [[ $failed -eq 0 && $n -gt 0 ]]
}

@test "create and run: every bad option value exits 1 and makes nothing" {
        husk_only "runc 1.1.5 creates the container with --preserve-fds -1"
        set_args sleep 600
        run check_rows < <(rows_create)
        echo "$output"
        [[ $status -eq 0 ]]
        assert_no_state
}

@test "exec: every bad option value exits 1 or 255 and runs nothing" {
        husk_only "runc 1.1.5 accepts -u '', --cwd '', --preserve-fds -1"
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        pid=$(container_pid "$CID")
        run check_rows < <(rows_exec)
        echo "$output"
        [[ $status -eq 0 ]]
        # nothing ran in the container: only its init is there
        [[ $(cat /proc/$pid/task/$pid/children 2>/dev/null) == "" ]]
}

@test "kill, delete, update and the other commands: every bad value exits 1 and changes nothing" {
        husk_only "runc 1.1.5 accepts kill ID '' and update --memory '', exits 3 for an unknown command"
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        pid=$(container_pid "$CID")
        state0=$(runtime state "$CID" | jq -c '{status, pid}')
        run check_rows < <(rows_other)
        echo "$output"
        [[ $status -eq 0 ]]
        [[ $(runtime state "$CID" | jq -c '{status, pid}') == "$state0" ]]
}
