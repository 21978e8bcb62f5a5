#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `list`: table, json, quiet.

load helpers

@test "list with no container: the table header only" {
        run runtime list
        assert_status 0
        [[ $(echo ${lines[0]}) == "ID PID STATUS BUNDLE CREATED OWNER" ]]
        [[ ${#lines[@]} -eq 1 ]]
}

@test "list -q and -f json with no container" {
        run runtime list -q
        assert_status 0
        [[ -z $output ]]
        run runtime list -f json
        assert_status 0
        # runc prints null, an empty array is fine too
        [[ $(jq 'length' <<<"$output") == 0 ]]
}

@test "list of a root that does not exist yet" {
        run "$RUNTIME" --root "$BATS_TEST_TMPDIR/no-root-yet" list -q
        assert_status 0
        [[ -z $output ]]
}

@test "list -q prints the ids" {
        set_args sleep 1000
        run_detached "$CID-a"
        create_container "$CID-b"
        run runtime list -q
        assert_status 0
        [[ $(sort <<<"$output" | tr '\n' ' ') == "$CID-a $CID-b " ]]
}

@test "list: one table row per container with pid, status, bundle, owner" {
        set_args sleep 1000
        run_detached "$CID-a"
        create_container "$CID-b"
        pa=$(container_pid "$CID-a")
        pb=$(container_pid "$CID-b")
        run runtime list
        assert_status 0
        [[ ${#lines[@]} -eq 3 ]]
        row_a=$(grep "^$CID-a " <<<"$output")
        row_b=$(grep "^$CID-b " <<<"$output")
        read -r id pid st bundle created owner <<<"$row_a"
        [[ $pid == "$pa" && $st == running && $bundle == "$BUNDLE" && $owner == root ]]
        read -r id pid st bundle created owner <<<"$row_b"
        [[ $pid == "$pb" && $st == created && $bundle == "$BUNDLE" && $owner == root ]]
}

@test "list --format json: runc's array of state objects" {
        update_config '.annotations = {"k": "v"}'
        set_args sleep 1000
        run_detached "$CID-a"
        run runtime list --format json
        assert_status 0
        echo "$output" | jq -e --arg id "$CID-a" --arg b "$BUNDLE" --argjson p "$(container_pid "$CID-a")" '
                type == "array" and length == 1 and
                (.[0] | .id == $id and .pid == $p and .status == "running" and
                        .bundle == $b and .rootfs == ($b + "/rootfs") and
                        (.created | type == "string") and .owner == "root" and
                        (.ociVersion | type == "string") and
                        .annotations == {"k": "v"})'
}

@test "list shows stopped containers as stopped" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime list -f json
        assert_status 0
        echo "$output" | jq -e '.[0].status == "stopped" and .[0].pid == 0'
}

@test "list -f with an unknown format fails" {
        run runtime list -f yaml
        [[ $status -ne 0 ]]
}

@test "list reads per container its state file and one /proc/<pid>/stat, the rest once" {
        husk_only "counts husk's own file opens"
        command -v strace >/dev/null || skip "needs strace"
        set_args sleep 1000
        run_detached "$CID-a"
        run_detached "$CID-b"
        create_container "$CID-c"
        local trace=$BATS_TEST_TMPDIR/list.strace
        # (the sanitize build: LeakSanitizer can't run under ptrace)
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=open,openat -o "$trace" "$RUNTIME" --root "$ROOT" list >/dev/null
        [[ $(grep -c '"/proc/self/mountinfo"' "$trace") -le 1 ]]
        [[ $(grep -c '"/etc/passwd"' "$trace") -le 1 ]]
        [[ $(grep -c '/state.json"' "$trace") -eq 3 ]]
        for id in "$CID-a" "$CID-b" "$CID-c"; do
                [[ $(grep -c "\"/proc/$(container_pid "$id")/stat\"" "$trace") -eq 1 ]]
                # <id>/state.json through the root's fd: the dir itself is not opened
                [[ $(grep -c "\"$id/state.json\"" "$trace") -eq 1 ]]
                [[ $(grep -c "$id\"" "$trace") -eq 0 ]]
        done
}

@test "list: a half-made container is left out, an init whose pid was reused is stopped" {
        husk_only "edits husk's state.json"
        set_args sleep 1000
        run_detached "$CID-r"
        create_container "$CID-c"
        mkdir -m 0700 "$ROOT/$CID-h"            # reserved, state.json never written
        local sf=$ROOT/$CID-r/state.json
        cp "$sf" "$BATS_TEST_TMPDIR/state.json"
        # the same pid with another start time: another process now
        jq -c '.start_time += 1' "$BATS_TEST_TMPDIR/state.json" >"$sf"
        run runtime list
        cp "$BATS_TEST_TMPDIR/state.json" "$sf"
        assert_status 0
        [[ ${#lines[@]} -eq 3 ]]
        [[ $(grep -c "^$CID-h " <<<"$output") -eq 0 ]]
        read -r id pid st _ <<<"$(grep "^$CID-r " <<<"$output")"
        [[ $pid == 0 && $st == stopped ]]
        read -r id pid st _ <<<"$(grep "^$CID-c " <<<"$output")"
        [[ $pid == "$(container_pid "$CID-c")" && $st == created ]]
}
