#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# exec: another process in a running container, with each of runc's flags.

load helpers

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        for h in recvtty recvfd; do
                local bin=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/$h}
                if [[ -z $bin || ! -x $bin ]]; then
                        bin=$BATS_FILE_TMPDIR/$h
                        ${CC:-cc} -O2 -o "$bin" "$INTEGRATION_DIR/helpers/$h.c" || return 1
                fi
                export "${h^^}=$bin"
        done
}

# A long-running container to exec into.
start_sleeper() {
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
}

@test "exec runs in every namespace of the container and returns its exit code" {
        start_sleeper
        run runtime exec "$CID" sh -c 'hostname; for n in pid mnt uts ipc; do readlink /proc/self/ns/$n; done; exit 7'
        [[ $status -eq 7 ]]
        local pid=$(container_pid "$CID")
        [[ ${lines[0]} == runc ]]
        [[ ${lines[1]} == "$(readlink /proc/$pid/ns/pid)" ]]
        [[ ${lines[2]} == "$(readlink /proc/$pid/ns/mnt)" ]]
        [[ ${lines[3]} == "$(readlink /proc/$pid/ns/uts)" ]]
        [[ ${lines[4]} == "$(readlink /proc/$pid/ns/ipc)" ]]
}

@test "exec sees the container's pid namespace and joins its cgroup" {
        start_sleeper
        local pid=$(container_pid "$CID")
        run runtime exec "$CID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/self/cgroup'
        assert_status 0
        [[ ${lines[0]} == "sleep 600 " ]]
        # every hierarchy line of the exec'd process equals the init's
        diff <(printf '%s\n' "${lines[@]:1}") "/proc/$pid/cgroup"
}

@test "exec is cloned straight into the container's cgroup2 cgroup (no cgroup.procs write after idle)" {
        husk_only "counts husk's own syscalls"
        command -v strace >/dev/null || skip "needs strace"
        grep -q ' cgroup2 ' /proc/self/mounts || skip "no cgroup2 hierarchy mounted"
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        local trace=$BATS_TEST_TMPDIR/exec.strace
        # (the sanitize build: LeakSanitizer can't run under ptrace)
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=clone3 -o "$trace" "$RUNTIME" --root "$ROOT" exec "$CID" \
                cat /proc/self/cgroup >"$BATS_TEST_TMPDIR/cg"
        cat "$trace"
        grep -q 'CLONE_INTO_CGROUP' "$trace"
        # and in the init's cgroup of every hierarchy
        diff <(sort "$BATS_TEST_TMPDIR/cg") <(sort "/proc/$pid/cgroup")
}

@test "exec killed by a signal: 128+N" {
        start_sleeper
        run runtime exec "$CID" sh -c 'kill -9 $$'
        [[ $status -eq 137 ]]
}

@test "exec forwards signals to the process" {
        start_sleeper
        "$RUNTIME" --root "$ROOT" exec "$CID" sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done' \
                >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
        local bg=$!
        BG_PIDS+=("$bg")
        wait_file "$BATS_TEST_TMPDIR/out"
        for _ in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.05; done
        kill -TERM "$bg"
        local st=0
        wait "$bg" || st=$?
        [[ $st -eq 3 ]]
        grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "--env, --cwd, --user, --additional-gids" {
        start_sleeper
        run runtime exec --env FOO=bar --env PATH=/bin:/sbin --cwd /tmp -u 1000:100 -g 5 -g 6 "$CID" \
                sh -c 'echo "$FOO $PATH"; pwd; id -u; id -g; id -G'
        assert_status 0
        [[ ${lines[0]} == "bar /bin:/sbin" ]]
        [[ ${lines[1]} == /tmp ]]
        [[ ${lines[2]} == 1000 ]]
        [[ ${lines[3]} == 100 ]]
        [[ ${lines[4]} == "100 5 6" ]]
}

@test "exec keeps the container's env and sets HOME from /etc/passwd" {
        update_config '.process.env = ["PATH=/bin", "ONLY_IN_CONFIG=1"]'
        start_sleeper
        run runtime exec -u 1000 "$CID" sh -c 'echo "$ONLY_IN_CONFIG $HOME"'
        assert_status 0
        [[ $output == "1 /home/user" ]]
}

@test "--cap adds a capability; the container's caps are the base" {
        start_sleeper
        run runtime exec "$CID" sh -c 'grep CapEff /proc/self/status'
        assert_status 0
        local base=${output##*[[:space:]]}
        run runtime exec --cap CAP_SYS_ADMIN "$CID" sh -c 'grep CapEff /proc/self/status'
        assert_status 0
        local more=${output##*[[:space:]]}
        [[ $base != "$more" ]]
        (( (0x$more & (1 << 21)) != 0 ))
        (( (0x$base & (1 << 21)) == 0 ))
}

@test "--cap with a name no kernel has: a warning, and the process runs with the others" {
        start_sleeper
        run runtime exec --cap CAP_NO_SUCH_THING --cap CAP_SYS_ADMIN "$CID" sh -c 'grep CapEff /proc/self/status'
        assert_status 0
        assert_output_contains CAP_NO_SUCH_THING
        local eff=${lines[-1]##*[[:space:]]}
        (( (0x$eff & (1 << 21)) != 0 ))
}

@test "--no-new-privs" {
        update_config '.process.noNewPrivileges = false'
        start_sleeper
        run runtime exec "$CID" sh -c 'grep NoNewPrivs /proc/self/status'
        [[ $output =~ NoNewPrivs:[[:space:]]+0$ ]]
        run runtime exec --no-new-privs "$CID" sh -c 'grep NoNewPrivs /proc/self/status'
        [[ $output =~ NoNewPrivs:[[:space:]]+1$ ]]
}

@test "--process FILE: a runtime-spec process" {
        start_sleeper
        cat >"$BATS_TEST_TMPDIR/p.json" <<'JSON'
{"args": ["sh", "-c", "echo from-process-json; id -u; pwd; echo $X"], "cwd": "/etc",
 "env": ["PATH=/bin", "X=y"], "user": {"uid": 1000, "gid": 1000}}
JSON
        run runtime exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
        assert_status 0
        [[ ${lines[0]} == from-process-json && ${lines[1]} == 1000 && ${lines[2]} == /etc && ${lines[3]} == y ]]
}

@test "--process from a pipe: process substitution and /dev/stdin" {
        start_sleeper
        local p='{"args": ["sh", "-c", "echo piped-$0"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"]}'
        run runtime exec --process <(echo "$p") "$CID"
        assert_status 0
        [[ $output == piped-sh ]]
        run bash -c 'echo "$1" | "$2" --root "$3" exec --process /dev/stdin "$4"' _ "$p" "$RUNTIME" "$ROOT" "$CID"
        assert_status 0
        [[ $output == piped-sh ]]
}

@test "--process with a bad field names it" {
        husk_only "JSON paths in errors"
        start_sleeper
        echo '{"args": ["true"], "cwd": "relative"}' >"$BATS_TEST_TMPDIR/p.json"
        run runtime exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
        assert_status 255
        assert_output_contains "cwd"
}

@test "--detach --pid-file: returns while the process runs" {
        start_sleeper
        # stdio on /dev/null: the detached process keeps what it is given
        runtime exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sleep 300 </dev/null >/dev/null 2>&1
        local p=$(cat "$BATS_TEST_TMPDIR/pid")
        track_pid "$p"
        [[ $(tr '\0' ' ' <"/proc/$p/cmdline") == "sleep 300 " ]]
        # it is in the container's pid namespace
        [[ "$(readlink /proc/$p/ns/pid)" == "$(readlink /proc/$(container_pid "$CID")/ns/pid)" ]]
}

@test "--tty through --console-socket" {
        start_sleeper
        local sock=$BATS_TEST_TMPDIR/console.sock
        "$RECVTTY" "$sock" "$BATS_TEST_TMPDIR/tty.out" &
        BG_PIDS+=($!)
        local recv=$!
        wait_file "$sock"
        run runtime exec -t -d --console-socket "$sock" "$CID" sh -c 'tty; [ -t 0 ] && echo is-a-tty'
        assert_status 0
        wait "$recv"
        tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out" >"$BATS_TEST_TMPDIR/tty.txt"
        grep -Eqx '/dev/pts/[0-9]+' "$BATS_TEST_TMPDIR/tty.txt"
        grep -qx is-a-tty "$BATS_TEST_TMPDIR/tty.txt"
}

# runc chowns the stdio it made (fixStdioPermissions) to the process's uid,
# keeping gid and mode: the pty slave of exec -t, the pipes of plain exec.
@test "exec -t --user 1: the pty slave belongs to uid 1; a pipe too" {
        start_sleeper
        local sock=$BATS_TEST_TMPDIR/console.sock
        "$RECVTTY" "$sock" "$BATS_TEST_TMPDIR/tty.out" &
        BG_PIDS+=($!)
        local recv=$!
        wait_file "$sock"
        run runtime exec -t -d --user 1:1 --console-socket "$sock" "$CID" sh -c 'stat -L -c "%u %g %a" /proc/self/fd/0; stat -c "%u %a" $(tty); echo hi >/dev/stdout && echo reopened'
        assert_status 0
        wait "$recv"
        tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out" >"$BATS_TEST_TMPDIR/tty.txt"
        cat "$BATS_TEST_TMPDIR/tty.txt"
        # devpts gives the slave gid 5 (tty) and mode 620; both are kept
        [[ $(sed -n 1p "$BATS_TEST_TMPDIR/tty.txt") == "1 5 620" ]]
        [[ $(sed -n 2p "$BATS_TEST_TMPDIR/tty.txt") == "1 620" ]]
        grep -qx reopened "$BATS_TEST_TMPDIR/tty.txt"
        # without a tty: stdout is a pipe made by the caller
        run runtime exec --user 1:1 "$CID" sh -c 'stat -L -c %u /proc/self/fd/1; echo hi >/dev/stdout'
        assert_status 0
        [[ ${lines[0]} == 1 && ${lines[1]} == hi ]]
}

@test "--tty --detach without a console socket is refused" {
        start_sleeper
        run runtime exec -t -d "$CID" true
        assert_status 255
        assert_output_contains "console-socket"
}

@test "--preserve-fds passes fd 3" {
        start_sleeper
        echo preserved-data >"$BATS_TEST_TMPDIR/data"
        run bash -c 'exec "$0" --root "$1" exec --preserve-fds 1 "$2" sh -c "cat <&3; ls /proc/self/fd" 3<"$3"' \
                "$RUNTIME" "$ROOT" "$CID" "$BATS_TEST_TMPDIR/data"
        assert_status 0
        [[ ${lines[0]} == preserved-data ]]
        # 0 1 2 3 and the fd of ls's own directory listing
        [[ $(printf '%s ' "${lines[@]:1}") == "0 1 2 3 4 " ]]
}

@test "no other fd reaches the exec'd process" {
        start_sleeper
        run bash -c 'exec "$0" --root "$1" exec "$2" ls /proc/self/fd 3</dev/null 4</dev/null' "$RUNTIME" "$ROOT" "$CID"
        assert_status 0
        [[ $(printf '%s ' "${lines[@]}") == "0 1 2 3 " ]]
}

@test "--pidfd-socket receives a pidfd of the process" {
        start_sleeper
        local sock=$BATS_TEST_TMPDIR/pidfd.sock
        "$RECVFD" "$sock" "$BATS_TEST_TMPDIR/fd.out" &
        local recv=$!
        BG_PIDS+=("$recv")
        wait_file "$sock"
        runtime exec -d --pid-file "$BATS_TEST_TMPDIR/pid" --pidfd-socket "$sock" "$CID" sleep 300 \
                </dev/null >/dev/null 2>&1
        wait "$recv"
        local p=$(cat "$BATS_TEST_TMPDIR/pid")
        track_pid "$p"
        grep -qx "link: anon_inode:\[pidfd\]" "$BATS_TEST_TMPDIR/fd.out"
        grep -Eqx "Pid:[[:space:]]+$p" "$BATS_TEST_TMPDIR/fd.out"
}

@test "create --pidfd-socket receives a pidfd of the init" {
        local sock=$BATS_TEST_TMPDIR/pidfd.sock
        "$RECVFD" "$sock" "$BATS_TEST_TMPDIR/fd.out" &
        local recv=$!
        BG_PIDS+=("$recv")
        wait_file "$sock"
        set_args sleep 600
        create_container --pidfd-socket "$sock" "$CID"
        wait "$recv"
        grep -Eqx "Pid:[[:space:]]+$(container_pid "$CID")" "$BATS_TEST_TMPDIR/fd.out"
}

@test "an unreachable --pidfd-socket or --console-socket is named as such, and nothing is left" {
        # husk's fd-passing helper called every socket a "console socket"
        local gone=$BATS_TEST_TMPDIR/nonexistent/sock
        set_args sleep 600
        run runtime create --pidfd-socket "$gone" "$CID" </dev/null
        [[ $status -ne 0 ]]
        if is_husk; then
                assert_output_contains "--pidfd-socket: connect to $gone"
                [[ $output != *"console socket"* ]]
        fi
        assert_no_state
        update_config '.process.terminal = true'
        run runtime create --console-socket "$gone" "$CID" </dev/null
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "--console-socket: connect to $gone"
        assert_no_state
}

@test "exec gets the container's seccomp filter" {
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
        start_sleeper
        run runtime exec "$CID" sh -c 'grep Seccomp: /proc/self/status; mkdir /dev/shm/x 2>&1'
        [[ ${lines[0]} == *"	2" ]]
        assert_output_contains "Permission denied"
}

@test "exec into a paused container needs --ignore-paused" {
        start_sleeper
        runtime pause "$CID"
        run runtime exec "$CID" true
        assert_status 255
        assert_output_contains "paused"
        runtime exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sleep 300 \
                </dev/null >/dev/null 2>&1
        # frozen with the container until resume
        [[ $(runtime state "$CID" | jq -r .status) == paused ]]
        track_pid "$(cat "$BATS_TEST_TMPDIR/pid")"
        runtime resume "$CID"
        wait_status "$CID" running
}

@test "exec into a stopped or unknown container fails as engines expect" {
        set_args true
        runtime run "$CID" --keep </dev/null 2>/dev/null || runtime run --keep "$CID" </dev/null
        run runtime exec "$CID" true
        assert_status 255
        assert_output_contains "stopped"
        run runtime exec "${CID}-nope" true
        assert_status 255
        assert_not_exist_error "${CID}-nope"
}

@test "exec of a missing binary fails and leaves no process behind" {
        start_sleeper
        local pid=$(container_pid "$CID")
        run runtime exec "$CID" /no/such/binary
        assert_status 255
        assert_output_contains "/no/such/binary"
        # only the init is left in the container
        run runtime ps --format json "$CID"
        [[ $(jq length <<<"$output") -eq 1 ]]
        # the same with -d (husk is not the process's reaper there)
        run runtime exec -d "$CID" /no/such/binary
        assert_status 255
        assert_output_contains "/no/such/binary"
        run runtime ps --format json "$CID"
        [[ $(jq length <<<"$output") -eq 1 ]]
}

# runc's exec exits 255 when the process could not be run, so that a caller
# tells that from the process's own status; podman and docker map the
# message to 126 (permission denied) or 127 (no such file, not in $PATH).
@test "a failed exec exits 255 with the message engines map, never the process's own status" {
        start_sleeper
        echo data >"$BUNDLE/rootfs/not-executable"
        chmod 0644 "$BUNDLE/rootfs/not-executable"
        local c
        for c in /no/such/binary no-such-command-in-path /not-executable /tmp; do
                run runtime exec "$CID" "$c"
                echo "exec $c: $status $output"
                assert_status 255
                case $c in
                /no/*) grep -qi "no such file or directory" <<<"$output" ;;
                no-such*) assert_output_contains 'executable file not found in $PATH' ;;
                *) grep -qi "permission denied" <<<"$output" ;;
                esac
        done
        run runtime exec --cwd /no/such/dir "$CID" true
        assert_status 255
        grep -qi "no such file or directory" <<<"$output"
        run runtime exec -d "$CID" /no/such/binary
        assert_status 255
        # the process's own statuses, 1 and 255 included, are passed on
        for c in 0 1 2 255; do
                run runtime exec "$CID" sh -c "exit $c"
                assert_status "$c"
        done
}

@test "the husk binary can't be opened for writing from the container during exec" {
        husk_only "husk's exec stages are forks of the husk binary"
        writable_root
        update_config '.process.capabilities.bounding += ["CAP_SYS_PTRACE"] | .process.capabilities.effective += ["CAP_SYS_PTRACE"] | .process.capabilities.permitted += ["CAP_SYS_PTRACE"]'
        start_sleeper
        local before=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
        # a process in the container tries every pid's exe while execs run
        runtime exec -d "$CID" sh -c 'for i in $(seq 300); do for e in /proc/[0-9]*/exe; do (echo x >>"$e") 2>/dev/null && echo "WROTE $e"; done; done >/tmp/attack 2>&1; echo done >>/tmp/attack'
        for i in $(seq 20); do runtime exec "$CID" true; done
        for i in $(seq 200); do
                runtime exec "$CID" grep -q done /tmp/attack 2>/dev/null && break
                sleep 0.1
        done
        [[ $(sha256sum "$RUNTIME" | cut -d' ' -f1) == "$before" ]]
        run runtime exec "$CID" cat /tmp/attack
        [[ $output == *done* ]]
        [[ $output != *WROTE* ]]
}

# setgroups(2) is refused only in a user namespace whose setgroups file says
# "deny"; the initial user namespace has none. husk reads that file through
# a procfs of its own (fsopen), so only where there is a user namespace.
@test "exec without a user namespace mounts no procfs to check setgroups; the groups are set" {
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        start_sleeper
        setgroups_traced exec -u 1000:100 -g 5 -g 6 "$CID" id -G
        ! grep -q fsopen "$BATS_TEST_TMPDIR/strace"
}

@test "exec into a user namespace still checks setgroups there; the groups are set" {
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        userns_config
        start_sleeper
        setgroups_traced exec -u 1000:100 -g 5 -g 6 "$CID" id -G
        grep -q 'fsopen("proc"' "$BATS_TEST_TMPDIR/strace"
}

@test "exec without a user namespace clones the process from husk itself: no intermediate stage" {
        husk_only "husk's process tree"
        command -v strace >/dev/null || skip "no strace"
        start_sleeper
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=clone,clone3,fork,vfork -o "$BATS_TEST_TMPDIR/strace" \
                "$RUNTIME" --root "$ROOT" exec "$CID" true
        cat "$BATS_TEST_TMPDIR/strace"
        # one process made (the one that executes true), by husk's own pid
        [[ $(grep -Ec '(clone3?|v?fork)\(' "$BATS_TEST_TMPDIR/strace") == 1 ]]
        local husk_pid
        husk_pid=$(head -n1 "$BATS_TEST_TMPDIR/strace" | awk '{ print $1 }')
        grep -E '(clone3?|v?fork)\(' "$BATS_TEST_TMPDIR/strace" | grep -q "^$husk_pid "
}

@test "exec compares namespaces by their links' text, without a stat of each link" {
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        start_sleeper
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=stat,newfstatat,statx,readlinkat -o "$BATS_TEST_TMPDIR/strace" \
                "$RUNTIME" --root "$ROOT" exec "$CID" true
        cat "$BATS_TEST_TMPDIR/strace"
        ! grep -q '/ns/' "$BATS_TEST_TMPDIR/strace"
        grep -q 'readlinkat([0-9]*, "net", "net:\[' "$BATS_TEST_TMPDIR/strace"
}

@test "the process exec clones into the container's pid namespace is born non-dumpable" {
        # Visible in the container from its birth: dumpable even for a moment,
        # a root process of the container could ptrace it (its capabilities
        # are not dropped yet) or open its /proc files. Dumpability belongs to
        # the memory map, which the clone copies: husk clears it in its own
        # before the clone (and sets it back after).
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        start_sleeper
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=prctl,clone,clone3,fork,vfork -o "$BATS_TEST_TMPDIR/strace" \
                "$RUNTIME" --root "$ROOT" exec "$CID" true
        cat "$BATS_TEST_TMPDIR/strace"
        local husk_pid
        husk_pid=$(head -n1 "$BATS_TEST_TMPDIR/strace" | awk '{ print $1 }')
        # husk's own calls, up to the one that makes the process
        grep "^$husk_pid " "$BATS_TEST_TMPDIR/strace" | awk '{ print } /(clone3?|v?fork)\(/ { exit }' \
                >"$BATS_TEST_TMPDIR/before"
        grep -Eq '(clone3?|v?fork)\(' "$BATS_TEST_TMPDIR/before"
        # the last dumpability husk set before it is "not dumpable"
        grep 'PR_SET_DUMPABLE' "$BATS_TEST_TMPDIR/before" | tail -n1 | grep -q SUID_DUMP_DISABLE
}
