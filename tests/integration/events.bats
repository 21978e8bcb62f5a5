#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `events`: --stats (runc's JSON shape, what containerd reads), the stream
# of stats every --interval, OOM events, errors.

load helpers
load cgroup-helpers

# events_bg ARGS...: `runtime events ARGS` in the background, lines in
# $EVENTS; its pid in EV_PID.
events_bg() {
        EVENTS=$BATS_TEST_TMPDIR/events.out
        "$RUNTIME" --root "$ROOT" events "$@" >"$EVENTS" 2>"$BATS_TEST_TMPDIR/events.err" </dev/null &
        EV_PID=$!
}

# runc's stream never ends by itself; husk's ends with the container.
events_end() {
        if is_husk; then
                wait_pid_gone "$EV_PID" 5
        else
                kill "$EV_PID" 2>/dev/null || true
        fi
        wait "$EV_PID" 2>/dev/null || true
}

@test "events --stats prints one stats object in runc's shape" {
        set_resources '{"pids":{"limit":10},"memory":{"limit":67108864}}'
        share_dir
        set_cmd 'sleep 1000 & sleep 1000 & : >/shared/ready; wait'
        run_detached "$CID"
        wait_file "$SHARED/ready"       # both sleeps forked (a builtin: no 4th pid)
        run runtime events --stats "$CID"
        assert_status 0
        [[ $(echo "$output" | wc -l) -eq 1 ]]
        jq -e --arg id "$CID" '.type == "stats" and .id == $id' <<<"$output"
        jq -e '.data | has("cpu") and has("memory") and has("pids") and has("blkio") and has("hugetlb")' <<<"$output"
        [[ $(jq '.data.pids.current' <<<"$output") -eq 3 ]]
        [[ $(jq '.data.pids.limit' <<<"$output") -eq 10 ]]
        [[ $(jq '.data.cpu.usage.total' <<<"$output") -gt 0 ]]
        [[ $(jq '.data.memory.usage.usage' <<<"$output") -gt 0 ]]
        [[ $(jq '.data.memory.usage.limit' <<<"$output") -eq 67108864 ]]
        # per-CPU usage comes from v1 cpuacct (cgroup2 has none)
        if host_has_controller cpuacct && [[ -n $(_cg_mount cpuacct) ]]; then
                jq -e '.data.cpu.usage.percpu | length > 0' <<<"$output"
        fi
}

@test "events --stats of a created and of a paused container" {
        set_args sleep 1000
        create_container "$CID"
        run runtime events --stats "$CID"
        assert_status 0
        [[ $(jq -r .type <<<"$output") == stats ]]
        runtime start "$CID"
        runtime pause "$CID"
        run runtime events --stats "$CID"
        assert_status 0
        [[ $(jq '.data.pids.current' <<<"$output") -eq 1 ]]
        runtime resume "$CID"
}

@test "events streams stats every --interval and ends when the container stops" {
        set_args sleep 1000
        run_detached "$CID"
        events_bg --interval 200ms "$CID"
        for i in $(seq 60); do
                [[ $(grep -c '"type":"stats"' "$EVENTS") -ge 3 ]] && break
                sleep 0.05
        done
        [[ $(grep -c '"type":"stats"' "$EVENTS") -ge 3 ]]
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        events_end
        # every line is a stats event of this container
        jq -e -s --arg id "$CID" 'all(.type == "stats" and .id == $id and (.data | type) == "object")' "$EVENTS"
}

@test "events reports an OOM kill as {\"type\":\"oom\"}" {
        need_controller memory
        share_dir
        set_resources '{"memory":{"limit":33554432}}'
        d=$(_cg_mount memory)
        # no swap to escape to
        if [[ -e $d/memory.memsw.limit_in_bytes ]] || { host_pure_v2 && [[ $(wc -l </proc/swaps) -gt 1 ]]; }; then
                set_resources '{"memory":{"swap":33554432}}'
        fi
        set_cmd 'while [ ! -e /shared/go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1000'
        run_detached "$CID"
        events_bg --interval 1h "$CID"
        sleep 0.3
        touch "$SHARED/go"
        for i in $(seq 100); do
                grep -q '"type":"oom"' "$EVENTS" && break
                sleep 0.05
        done
        grep -q '"type":"oom"' "$EVENTS"
        jq -e -s --arg id "$CID" 'map(select(.type == "oom")) | .[0] | .id == $id and (has("data") | not)' "$EVENTS"
        # the shell survived: only dd was killed
        [[ $(state_field "$CID" .status) == running ]]
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        events_end
}

@test "events of a stopped container: not running" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime events --stats "$CID"
        assert_status 1
        assert_output_contains "is not running"
        run runtime events "$CID"
        assert_status 1
        assert_output_contains "is not running"
}

@test "events: a bad or non-positive --interval is an error" {
        set_args sleep 1000
        run_detached "$CID"
        run runtime events --interval 0s "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "duration interval must be greater than 0"
        run runtime events --interval -1s "$CID"
        [[ $status -ne 0 ]]
        run runtime events --interval abc "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "interval"
}

@test "events of an unknown id: does not exist" {
        run runtime events --stats "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
}
