#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# --version, --help, global options, unknown commands.

load helpers

@test "--version: the name, its version, the spec version" {
        run "$RUNTIME" --version
        assert_status 0
        [[ ${lines[0]} == "$RUNTIME_NAME version "* ]]
        assert_output_contains "spec: 1."
}

@test "--version: spec 1.3.0, the commit and compiled-in features (husk)" {
        husk_only 'husk version format'
        run "$RUNTIME" --version
        assert_status 0
        assert_output_contains "1.3.0"
        assert_output_contains "commit"
        assert_output_contains "+SECCOMP"
        assert_output_contains "+CAP"
        assert_output_contains "+YAJL"
}

@test "--help and help: usage and the commands" {
        run "$RUNTIME" --help
        assert_status 0
        for cmd in create start run state kill delete list spec features; do
                assert_output_contains "$cmd"
        done
}

@test "each command has --help" {
        for cmd in create start run state kill delete list spec features; do
                run "$RUNTIME" "$cmd" --help
                assert_status 0
        done
        run "$RUNTIME" create --help
        for opt in --bundle --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds; do
                assert_output_contains "$opt"
        done
        run "$RUNTIME" run --help
        assert_output_contains --detach
        assert_output_contains --keep
}

@test "help COMMAND" {
        run "$RUNTIME" help create
        assert_status 0
        assert_output_contains --bundle
}

@test "an unknown command fails" {
        run "$RUNTIME" no-such-command
        [[ $status -ne 0 ]]
}

@test "an unknown option fails" {
        run runtime create --no-such-option "$CID"
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "a missing container id fails" {
        for cmd in create start state kill delete; do
                run runtime "$cmd"
                [[ $status -ne 0 ]]
        done
}

@test "global options are accepted before the command" {
        run "$RUNTIME" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log" --log-format text --debug list -q
        assert_status 0
        run "$RUNTIME" --root "$ROOT" --systemd-cgroup list -q
        assert_status 0
}
