#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# process.terminal: a real pty whose master reaches --console-socket with
# SCM_RIGHTS (helpers/recvtty.c is the receiving end).

load helpers

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        RECVTTY=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/recvtty}
        if [[ -z $RECVTTY || ! -x $RECVTTY ]]; then
                RECVTTY=$BATS_FILE_TMPDIR/recvtty
                ${CC:-cc} -O2 -o "$RECVTTY" "$INTEGRATION_DIR/helpers/recvtty.c" ||
                        skip "cannot build helpers/recvtty.c (no C compiler?)"
        fi
        export RECVTTY
}

# start_receiver [INPUT]: a receiver on $SOCK writing to $TTYOUT.
start_receiver() {
        SOCK=$BATS_TEST_TMPDIR/console.sock
        TTYOUT=$BATS_TEST_TMPDIR/tty.out
        "$RECVTTY" "$SOCK" "$TTYOUT" "$@" &
        RECV_PID=$!
        BG_PIDS+=("$RECV_PID")
        wait_file "$SOCK"
        update_config '.process.terminal = true'
}

# wait_receiver: wait until the pty closed; TTYOUT without the \r.
wait_receiver() {
        wait "$RECV_PID"
        tr -d '\r' <"$TTYOUT" >"$TTYOUT.txt"
        cat "$TTYOUT.txt"
}

@test "create --console-socket: the process runs on a pty" {
        start_receiver
        set_cmd 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'
        runtime create --console-socket "$SOCK" "$CID" </dev/null >/dev/null 2>&1
        runtime start "$CID"
        wait_receiver
        grep -Eqx '/dev/pts/0|/dev/console' "$TTYOUT.txt"
        grep -qx all-ttys "$TTYOUT.txt"
}

@test "/dev/console is the pty, a character device" {
        start_receiver
        set_cmd 'stat -c "%F %t" /dev/console; stat -c "%t:%T" /dev/pts/0'
        runtime run -d --console-socket "$SOCK" "$CID" </dev/null >/dev/null 2>&1
        wait_receiver
        # pty slaves are major 136 (0x88)
        grep -qx 'character special file 88' "$TTYOUT.txt"
}

@test "no /dev/console without a terminal" {
        set_cmd 'test -e /dev/console && echo console'
        run runtime run "$CID" </dev/null
        [[ $output != *console* ]]
}

@test "input written to the master reaches the process" {
        start_receiver $'hello\n'
        set_cmd 'read line; echo "got:$line"'
        runtime run -d --console-socket "$SOCK" "$CID" </dev/null >/dev/null 2>&1
        wait_receiver
        grep -qx 'got:hello' "$TTYOUT.txt"
}

@test "consoleSize sets the window size" {
        start_receiver
        update_config '.process.consoleSize = {"height": 25, "width": 100}'
        set_cmd 'stty size'
        runtime run -d --console-socket "$SOCK" "$CID" </dev/null >/dev/null 2>&1
        wait_receiver
        grep -qx '25 100' "$TTYOUT.txt"
}

@test "the exit code of a detached terminal container is in state" {
        start_receiver
        set_cmd 'exit 0'
        runtime run -d --console-socket "$SOCK" "$CID" </dev/null >/dev/null 2>&1
        wait_receiver
        wait_status "$CID" stopped
}

@test "terminal without --console-socket: create fails and leaves nothing" {
        update_config '.process.terminal = true'
        set_args true
        run runtime create "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "--console-socket naming no socket fails and leaves nothing" {
        update_config '.process.terminal = true'
        set_args true
        run runtime create --console-socket "$BATS_TEST_TMPDIR/nosock" "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}
