#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Files users hand the runtime (config.json, --process, --resources,
# state.json) are read whole: a symlink to /dev/zero, a huge file or a FIFO
# must give a clear error at once, not exhaust memory (SIGABRT) or hang.
#
# Checked against husk 155bf74: config.json -> /dev/zero aborted with
# SIGABRT ("out of memory", exit 134), a FIFO hung until the timeout.

load helpers

# expect_refused WHAT CMD...: exit 1 (or $want) within 20 s, an error
# naming WHAT.
expect_refused() {
        local what=$1
        shift
        [[ $1 == runtime ]] && set -- "$RUNTIME" --root "$ROOT" "${@:2}"
        run timeout 20 "$@"
        echo "status $status: $output"
        [[ $status -eq ${want:-1} ]]
        if is_husk; then
                assert_output_contains "$what"
        fi
}

@test "config.json that is a symlink to /dev/zero: refused at once" {
        husk_only "runc 1.1.5 reads it until memory runs out"
        ln -sf /dev/zero "$BUNDLE/config.json.zero"
        mv "$BUNDLE/config.json.zero" "$BUNDLE/config.json"
        expect_refused "config.json: not a regular file (a character device)" runtime create "$CID"
        assert_no_state
        expect_refused "not a regular file" runtime run "$CID"
        assert_no_state
}

@test "config.json that is a FIFO: refused, no hang" {
        husk_only "runc 1.1.5 waits for a writer forever"
        rm "$BUNDLE/config.json"
        mkfifo "$BUNDLE/config.json"
        expect_refused "config.json: not a regular file (a FIFO)" runtime create "$CID"
        assert_no_state
}

@test "config.json larger than 64 MiB: refused without reading it" {
        husk_only "runc 1.1.5 reads it"
        truncate -s 100M "$BUNDLE/config.json"
        expect_refused "larger than the 64 MiB limit" runtime create "$CID"
        assert_no_state
}

@test "exec --process and update --resources: no device, FIFO or huge file" {
        husk_only "runc 1.1.5 hangs on a FIFO"
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        mkfifo "$BATS_TEST_TMPDIR/fifo"
        truncate -s 65M "$BATS_TEST_TMPDIR/huge"
        for f in /dev/zero "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/huge"; do
                # exec exits 255 when it can't start the process, as runc
                want=255 expect_refused "$f" runtime exec --process "$f" "$CID"
                expect_refused "$f" runtime update --resources "$f" "$CID"
        done
        # stdin is a pipe: allowed, but bounded too
        run bash -c 'head -c 70000000 /dev/zero | timeout 20 "$0" --root "$1" update --resources - "$2"' "$RUNTIME" "$ROOT" "$CID"
        echo "$status $output"
        [[ $status -eq 1 ]]
        assert_output_contains "larger than the 64 MiB limit"
}

@test "a state.json replaced by a FIFO: state and list do not hang" {
        husk_only "husk's state layout"
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        mv "$ROOT/$CID/state.json" "$BATS_TEST_TMPDIR/state.json"
        mkfifo "$ROOT/$CID/state.json"
        expect_refused "state.json: not a regular file (a FIFO)" runtime state "$CID"
        run timeout 20 "$RUNTIME" --root "$ROOT" list
        [[ $status -ne 124 ]]
        # put it back for teardown's delete
        rm "$ROOT/$CID/state.json"
        mv "$BATS_TEST_TMPDIR/state.json" "$ROOT/$CID/state.json"
}
