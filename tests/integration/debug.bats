#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# --debug: debug lines as runc writes them (logrus text or JSON, on stderr or
# into the --log file); husk's name each phase with its duration.

load helpers

@test "--debug without --log: debug lines on stderr" {
        set_args true
        run runtime --debug run "$CID" </dev/null
        assert_status 0
        [[ $(grep -c 'level=debug' <<<"$output") -ge 1 ]]
}

@test "--debug --log FILE --log-format json: JSON debug lines in the file, not on stderr" {
        set_args true
        local log=$BATS_TEST_TMPDIR/log.json
        runtime --debug --log "$log" --log-format json run "$CID" </dev/null 2>"$BATS_TEST_TMPDIR/stderr"
        cat "$log"
        # every line is JSON with level, msg and time
        jq -e -s 'length > 0 and all(.[]; has("level") and has("msg") and has("time"))' "$log"
        jq -e -s 'map(select(.level == "debug")) | length > 0' "$log"
        ! grep -q 'level=debug\|"level":"debug"' "$BATS_TEST_TMPDIR/stderr"
}

@test "--debug --log FILE (text): logrus text lines" {
        set_args true
        local log=$BATS_TEST_TMPDIR/log.txt
        runtime --debug --log "$log" run "$CID" </dev/null
        grep -E '^time="[^"]+" level=debug msg=' "$log"
}

@test "without --debug: no debug lines" {
        set_args true
        local log=$BATS_TEST_TMPDIR/log.json
        run runtime --log "$log" --log-format json run "$CID" </dev/null
        assert_status 0
        [[ -z $output ]]
        ! grep -q '"level":"debug"' "$log"
}

@test "--debug: each phase of create, start, exec, kill, delete with its duration (husk)" {
        husk_only "husk's phase names and timing fields"
        set_args sleep 600
        local log=$BATS_TEST_TMPDIR/log.json
        runtime --debug --log "$log" --log-format json create "$CID" </dev/null >/dev/null 2>&1
        runtime --debug --log "$log" --log-format json start "$CID"
        runtime --debug --log "$log" --log-format json exec "$CID" true
        runtime --debug --log "$log" --log-format json kill "$CID" KILL
        wait_status "$CID" stopped
        runtime --debug --log "$log" --log-format json delete "$CID"
        jq -c 'select(.phase)' "$log"
        # every phase line has a duration and a time since husk started, in ms
        jq -e -s 'map(select(.phase)) | length > 10 and all(.[]; (.ms | type) == "number" and .ms >= 0 and (.at_ms | type) == "number")' "$log"
        local p
        for p in spec state cgroup spawn namespaces rootfs init create go execve start load exec exec-total delete; do
                jq -e -s --arg p "$p" 'any(.[]; .phase == $p)' "$log" >/dev/null || {
                        echo "no phase $p" >&2
                        return 1
                }
        done
        grep -q "kill $CID: signal 9 sent" "$log"
        # the whole create is at least as long as its first phase
        jq -e -s '(map(select(.phase == "create"))[0].ms) >= (map(select(.phase == "spec"))[0].ms)' "$log"
}
