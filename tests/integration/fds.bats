#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# File descriptors: no leak from the caller, --preserve-fds, LISTEN_FDS.

load helpers

# The open fds of the container's shell (not of ls, which opens its dir),
# one a line; no pipeline, as the shell would hold the pipe's fds, and not
# last, as sh -c would exec it.
fd_cmd='ls -1 /proc/$$/fd; true'

# fd_list LINE...: the fds among the output lines that are numbers, on one line
fd_list() {
        printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n | tr '\n' ' '
}

@test "only 0 1 2 reach the process, whatever the caller had open" {
        set_cmd "$fd_cmd"
        run runtime run "$CID" </dev/null 4<"$BATS_TEST_TMPDIR" 5<"$BUNDLE/config.json" 7>"$BATS_TEST_TMPDIR/fd7" 9</dev/null
        assert_status 0
        [[ $(fd_list "${lines[@]}") == "0 1 2 " ]]
}

@test "no fd of the process points at a host path" {
        set_cmd 'ls -l /proc/$$/fd'
        run runtime run "$CID" </dev/null 5<"$BUNDLE/config.json"
        assert_status 0
        [[ $output != *"$BATS_TEST_TMPDIR"* ]]
}

@test "--preserve-fds 1 passes fd 3" {
        echo preserved-data >"$BATS_TEST_TMPDIR/data"
        set_cmd "cat <&3; $fd_cmd"
        run runtime run --preserve-fds 1 "$CID" </dev/null 3<"$BATS_TEST_TMPDIR/data" 4</dev/null
        assert_status 0
        [[ ${lines[0]} == preserved-data ]]
        [[ $(fd_list "${lines[@]:1}") == "0 1 2 3 " ]]
}

@test "--preserve-fds 2 passes fds 3 and 4, to create and start too" {
        echo three >"$BATS_TEST_TMPDIR/three"
        echo four >"$BATS_TEST_TMPDIR/four"
        set_cmd "cat <&3; cat <&4; $fd_cmd"
        # the container's stdout is create's: a file
        runtime create --preserve-fds 2 "$CID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 \
                3<"$BATS_TEST_TMPDIR/three" 4<"$BATS_TEST_TMPDIR/four"
        runtime start "$CID"
        wait_status "$CID" stopped
        mapfile -t out <"$BATS_TEST_TMPDIR/out"
        printf '%s\n' "${out[@]}"
        [[ ${out[0]} == three && ${out[1]} == four ]]
        [[ $(fd_list "${out[@]:2}") == "0 1 2 3 4 " ]]
}

@test "exec --preserve-fds with fds not open: none of them becomes one of the runtime's" {
        # fds 3..3+N-1 reach the process as they are: one the caller did not
        # open must not be taken by the runtime for its own files (the state
        # dir's fd in the process: a way out to the host).
        husk_only "runc 1.1.5 passes its own /sys/fs/cgroup fd there (CVE-2024-21626 class)"
        set_cmd 'sleep 1000'
        run_detached "$CID"
        run bash -c 'exec 3</dev/null 4>&- 5>&- 6>&- 7>&- 8>&-; exec "$0" --root "$1" exec --preserve-fds 6 "$2" \
                sh -c "ls -l /proc/\$\$/fd; true"' "$RUNTIME" "$ROOT" "$CID"
        echo "$output"
        assert_status 0
        [[ $output == *" 3 -> /dev/null"* ]]
        # each of 4..8 closed or a stand-in: nothing of the host's
        local fd
        for fd in 4 5 6 7 8; do
                [[ -z $(grep -E " $fd -> " <<<"$output" | grep -v ' -> /dev/null$') ]]
        done
        [[ $output != *"$ROOT"* ]]
}

@test "LISTEN_FDS adds to --preserve-fds and reaches the process as LISTEN_FDS, LISTEN_PID=1" {
        echo listened >"$BATS_TEST_TMPDIR/data"
        set_cmd "cat <&3; echo \$LISTEN_FDS \$LISTEN_PID; $fd_cmd"
        # LISTEN_PID must be the runtime's pid: exec in a subshell keeps it
        run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$BASHPID; exec "$0" --root "$1" run "$2" </dev/null 3<"$3"' \
                "$RUNTIME" "$ROOT" "$CID" "$BATS_TEST_TMPDIR/data"
        assert_status 0
        [[ ${lines[0]} == listened ]]
        [[ ${lines[1]} == "1 1" ]]
        [[ $(fd_list "${lines[@]:2}") == "0 1 2 3 " ]]
}

@test "LISTEN_FDS for another pid is ignored" {
        set_cmd "echo \"[\$LISTEN_FDS]\"; $fd_cmd"
        run bash -c 'export LISTEN_FDS=1 LISTEN_PID=1; exec "$0" --root "$1" run "$2" </dev/null 3</dev/null' \
                "$RUNTIME" "$ROOT" "$CID"
        assert_status 0
        [[ ${lines[0]} == "[]" ]]
        [[ $(fd_list "${lines[@]:1}") == "0 1 2 " ]]
}
