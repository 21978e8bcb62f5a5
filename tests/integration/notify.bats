#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# NOTIFY_SOCKET (sd_notify), as runc: the container gets a socket at
# /run/notify/notify.sock (NOTIFY_SOCKET set in its env), and run/start relay
# READY=1 and then MAINPID=<pid> to the caller's NOTIFY_SOCKET.
# helpers/sdnotify.c is both ends: `send` in the container, `listen` on the
# host side (standing in for systemd or podman).

load helpers

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        SDNOTIFY=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/sdnotify}
        if [[ -z $SDNOTIFY || ! -x $SDNOTIFY ]]; then
                SDNOTIFY=$BATS_FILE_TMPDIR/sdnotify
                ${CC:-cc} -O2 -static -o "$SDNOTIFY" "$INTEGRATION_DIR/helpers/sdnotify.c" || return 1
        fi
        export SDNOTIFY
}

setup() {
        common_setup
        cp "$SDNOTIFY" "$BUNDLE/rootfs/bin/sdnotify"
}

# start_listener N: the host's notify socket at $HOSTSOCK; what it gets goes
# to $GOT, one datagram per line; it exits after N datagrams.
start_listener() {
        HOSTSOCK=$BATS_TEST_TMPDIR/host-notify.sock
        GOT=$BATS_TEST_TMPDIR/notify.got
        "$SDNOTIFY" listen "$HOSTSOCK" "$GOT" "$1" 20 &
        LISTENER=$!
        BG_PIDS+=("$LISTENER")
        wait_file "$HOSTSOCK"
}

@test "NOTIFY_SOCKET: run -d relays READY=1, then MAINPID=<init pid>, and returns after READY" {
        start_listener 2
        set_cmd 'sleep 0.3; sdnotify send READY=1; sleep 1000'
        NOTIFY_SOCKET=$HOSTSOCK run_detached "$CID"
        # run -d waited for READY: it is there already
        wait "$LISTENER"
        pid=$(container_pid "$CID")
        cat "$GOT"
        [[ $(sed -n 1p "$GOT") == READY=1 ]]
        [[ $(sed -n 2p "$GOT") == "MAINPID=$pid" ]]
}

@test "NOTIFY_SOCKET reaches the container's process env; the socket is at /run/notify/notify.sock" {
        start_listener 2
        set_cmd 'echo "env=$NOTIFY_SOCKET"; test -S /run/notify/notify.sock && echo socket; sdnotify send READY=1'
        NOTIFY_SOCKET=$HOSTSOCK run runtime run "$CID" </dev/null
        assert_status 0
        assert_output_contains "env=/run/notify/notify.sock"
        assert_output_contains "socket"
        wait "$LISTENER"
        [[ $(sed -n 1p "$GOT") == READY=1 ]]
}

@test "NOTIFY_SOCKET: foreground run relays READY=1 and its own pid as MAINPID" {
        start_listener 2
        set_cmd 'sdnotify send READY=1; sleep 0.5'
        NOTIFY_SOCKET=$HOSTSOCK run_bg "$CID"
        wait "$LISTENER"
        wait_bg
        [[ $BG_STATUS -eq 0 ]]
        cat "$GOT"
        [[ $(sed -n 1p "$GOT") == READY=1 ]]
        # the service's main process is the runtime that waits for the container
        [[ $(sed -n 2p "$GOT") == "MAINPID=$BG_PID" ]]
}

@test "NOTIFY_SOCKET: create, then start relays READY=1 (podman --sdnotify=container)" {
        start_listener 2
        set_cmd 'sdnotify send READY=1; sleep 1000'
        NOTIFY_SOCKET=$HOSTSOCK create_container "$CID"
        pid=$(container_pid "$CID")
        # nothing before start
        [[ ! -s $GOT ]]
        NOTIFY_SOCKET=$HOSTSOCK runtime start "$CID"
        wait "$LISTENER"
        cat "$GOT"
        [[ $(sed -n 1p "$GOT") == READY=1 ]]
        [[ $(sed -n 2p "$GOT") == "MAINPID=$pid" ]]
}

@test "NOTIFY_SOCKET: messages before READY are relayed too (husk)" {
        husk_only "runc 1.1.5 relays only the READY line"
        start_listener 3
        set_cmd 'sdnotify send STATUS=warming-up; sleep 0.2; sdnotify send "READY=1
STATUS=serving"; sleep 1000'
        NOTIFY_SOCKET=$HOSTSOCK run_detached "$CID"
        wait "$LISTENER"
        pid=$(container_pid "$CID")
        cat "$GOT"
        [[ $(sed -n 1p "$GOT") == STATUS=warming-up ]]
        [[ $(sed -n 2,3p "$GOT" | tr '\n' ' ') == "READY=1 STATUS=serving " ]]
        [[ $(sed -n 4p "$GOT") == "MAINPID=$pid" ]]
}

@test "NOTIFY_SOCKET: run -d of a container that exits without READY returns" {
        husk_only "runc 1.1.5 keeps waiting for READY (it polls /proc/<pid> of the init, its own unreaped child)"
        start_listener 1
        set_cmd 'exit 0'
        SECONDS=0
        NOTIFY_SOCKET=$HOSTSOCK timeout 20 "$RUNTIME" --root "$ROOT" run -d "$CID" </dev/null
        [[ $SECONDS -lt 10 ]]
        kill "$LISTENER" 2>/dev/null || true
}

@test "NOTIFY_SOCKET in a user namespace: the socket directory is reachable" {
        userns_config
        start_listener 2
        set_cmd 'sdnotify send READY=1; sleep 1000'
        NOTIFY_SOCKET=$HOSTSOCK run_detached "$CID"
        wait "$LISTENER"
        [[ $(sed -n 1p "$GOT") == READY=1 ]]
}

@test "NOTIFY_SOCKET only at start, not at create: start does not wait (husk)" {
        husk_only "runc 1.1.5 fails start: listen unixgram <root>/<id>/notify/notify.sock: no such file or directory"
        start_listener 1
        set_args sleep 600
        create_container "$CID"
        NOTIFY_SOCKET=$HOSTSOCK timeout 20 "$RUNTIME" --root "$ROOT" start "$CID"
        [[ $(state_field "$CID" .status) == running ]]
        [[ ! -s $GOT ]]
        kill "$LISTENER" 2>/dev/null || true
}
