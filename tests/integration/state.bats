#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `state`: the OCI state JSON, as runc prints it.

load helpers

@test "state of a created container has every runc field" {
        set_args sleep 1000
        create_container "$CID"
        run runtime state "$CID"
        assert_status 0
        echo "$output" | jq -e --arg id "$CID" --arg b "$BUNDLE" '
                (.ociVersion | type == "string" and length > 0) and
                .id == $id and
                .status == "created" and
                (.pid | type == "number" and . > 0) and
                .bundle == $b and
                .rootfs == $b + "/rootfs" and
                (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")) and
                .owner == ""'   # as runc: list names the owner, state does not
}

@test "state pid is the container's init, visible on the host" {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == "sleep 1000 " ]]
        [[ $(readlink "/proc/$pid/ns/pid") != "$(readlink /proc/self/ns/pid)" ]]
}

@test "state shows the annotations of config.json" {
        update_config '.annotations = {"org.example.a": "1", "b": "two words"}'
        set_args sleep 1000
        create_container "$CID"
        run runtime state "$CID"
        assert_status 0
        echo "$output" | jq -e '.annotations == {"org.example.a": "1", "b": "two words"}'
}

@test "state of a stopped container: status stopped, pid 0" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime state "$CID"
        assert_status 0
        echo "$output" | jq -e '.status == "stopped" and .pid == 0'
}

@test "state of an unknown id fails: does not exist" {
        run runtime state "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
}

@test "state of an unknown id names it (husk wording)" {
        husk_only 'runc 1.1.5 says: container does not exist'
        run runtime state "$CID-nope"
        assert_status 1
        assert_output_contains "container \"$CID-nope\" does not exist"
}

@test "created time stays the same across status changes" {
        set_args sleep 1000
        create_container "$CID"
        c1=$(state_field "$CID" .created)
        runtime start "$CID"
        [[ $(state_field "$CID" .created) == "$c1" ]]
}

@test "a process killed from outside the runtime makes the container stopped" {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        kill -9 "$pid"
        wait_status "$CID" stopped
}

@test "a bundle whose path is not UTF-8: state, kill and delete still work" {
        # husk 4b44d5e wrote the path's bytes into state.json as they were,
        # which yajl then refused to read ("corrupt state.json: invalid bytes
        # in UTF8 string"): no command could load the container, delete -f
        # left its init and cgroups. Found by fuzz-cgroup. Now (as runc, Go's
        # encoding/json) each invalid byte is written as U+FFFD.
        husk_only "runc 1.1.5 can't create it: its init gets the rootfs path through JSON, mangled (no such file or directory)"
        local b
        b=$BATS_TEST_TMPDIR/$(printf 'b\xe4ndle')
        set_args sleep 1000
        cp -a "$BUNDLE" "$b"
        cd "$b"
        run_detached "$CID"
        run runtime state "$CID"
        assert_status 0
        [[ $(echo "$output" | jq -r .status) == running ]]
        [[ $(echo "$output" | jq -r .bundle) == "$BATS_TEST_TMPDIR/b"$'\xef\xbf\xbd'"ndle" ]]
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        runtime delete "$CID"
        ! runtime state "$CID" >/dev/null 2>&1
}

@test "state and kill of a stopped container read no mountinfo; a running one's state reads it once" {
        husk_only "counts husk's own file opens"
        command -v strace >/dev/null || skip "needs strace"
        set_args true
        run_detached "$CID-s"
        wait_status "$CID-s" stopped
        set_args sleep 1000
        run_detached "$CID-r"
        local trace=$BATS_TEST_TMPDIR/state.strace
        # (the sanitize build: LeakSanitizer can't run under ptrace)
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=open,openat -o "$trace" \
                "$RUNTIME" --root "$ROOT" state "$CID-s" >/dev/null
        [[ $(grep -c '"state.json"' "$trace") -eq 1 && $(grep -c '/proc/self/mountinfo' "$trace") -eq 0 ]]
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=open,openat -o "$trace" \
                "$RUNTIME" --root "$ROOT" kill "$CID-s" KILL 2>/dev/null || true
        [[ $(grep -c '/proc/self/mountinfo' "$trace") -eq 0 ]]
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=open,openat -o "$trace" \
                "$RUNTIME" --root "$ROOT" state "$CID-r" >/dev/null
        [[ $(grep -c '/proc/self/mountinfo' "$trace") -eq 1 ]]
        run runtime state "$CID-r"
        assert_status 0
        [[ $(jq -r .status <<<"$output") == running ]]
}
