#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Failures: each one is an error with exit status 1 and leaves nothing
# behind (teardown checks processes, cgroups and mounts; these tests check
# the state dir right away).

load helpers

expect_create_failure() {
        run runtime create "$CID" </dev/null
        if [[ $status -eq 0 ]]; then
                echo "create succeeded; it should have failed" >&2
                return 1
        fi
        assert_no_state
        # keep create's $output for the caller
        ! runtime state "$CID" >/dev/null 2>&1
}

@test "config.json that is not JSON" {
        echo '{"ociVersion": ' >"$BUNDLE/config.json"
        expect_create_failure
}

@test "missing config.json" {
        rm "$BUNDLE/config.json"
        expect_create_failure
}

@test "missing root filesystem" {
        update_config '.root.path = "no-such-rootfs"'
        expect_create_failure
}

@test "bind mount of a missing source" {
        add_mount '{"destination": "/mnt", "type": "bind", "source": "/no/such/source", "options": ["bind"]}'
        expect_create_failure
}

@test "mount of an unknown filesystem type" {
        add_mount '{"destination": "/mnt", "type": "nosuchfs", "source": "none"}'
        expect_create_failure
}

@test "an unknown namespace type" {
        update_config '.linux.namespaces += [{"type": "nosuchns"}]'
        expect_create_failure
}

@test "joining a namespace path that does not exist" {
        update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/999999999/ns/net" else . end)'
        expect_create_failure
}

@test "failing run of a missing binary leaves nothing" {
        set_args /no/such/binary
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "a wrong type in config.json fails" {
        update_config '.process.rlimits[0].hard = "lots"'
        expect_create_failure
}

@test "a wrong type names its JSON path (husk)" {
        husk_only 'runc reports Go unmarshal errors without the path'
        update_config '.process.rlimits[0].hard = "lots"'
        expect_create_failure
        assert_output_contains 'process.rlimits[0].hard'
}

@test "a negative value names its JSON path (husk)" {
        husk_only 'runc reports Go unmarshal errors without the path'
        update_config '.process.user.uid = -1'
        expect_create_failure
        assert_output_contains 'process.user.uid'
}

@test "a missing process.args is an error" {
        update_config 'del(.process.args)'
        expect_create_failure
}

@test "--log-format json writes the error as a JSON line in --log" {
        log=$BATS_TEST_TMPDIR/log.json
        run "$RUNTIME" --root "$ROOT" --log "$log" --log-format json state "$CID-nope"
        assert_status 1
        tail -n 1 "$log" | jq -e '.level == "error" and (.msg | contains("does not exist")) and (.time | type == "string")'
}

@test "--log-format=json is accepted too" {
        log=$BATS_TEST_TMPDIR/log.json
        run "$RUNTIME" --root "$ROOT" --log "$log" --log-format=json state "$CID-nope"
        assert_status 1
        tail -n 1 "$log" | jq -e '.level == "error"'
}

@test "start, delete of an unknown id: does not exist" {
        for cmd in start delete; do
                run runtime "$cmd" "$CID-nope"
                assert_status 1
                assert_not_exist_error "$CID-nope"
        done
}

@test "a failed create can be retried with the same id" {
        update_config '.root.path = "no-such-rootfs"'
        run runtime create "$CID" </dev/null
        [[ $status -ne 0 ]]
        update_config '.root.path = "rootfs" | .process.args = ["sleep", "1000"]'
        create_container "$CID"
        [[ $(state_field "$CID" .status) == created ]]
}

@test "create of a missing binary fails at create or at start, and delete cleans up" {
        set_args /no/such/binary
        if runtime create "$CID" </dev/null >/dev/null 2>&1; then
                # runtimes that exec only at start must fail there
                run runtime start "$CID"
                [[ $status -ne 0 ]]
                wait_status "$CID" stopped
                runtime delete "$CID"
        fi
        assert_no_state
}
