#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# pause / resume: the freezer, the "paused" status, runc's errors, and
# kill/delete of a paused container.

load helpers
load cgroup-helpers

# The freezer's own word for the container's cgroup: FROZEN/THAWED (v1
# freezer.state) or 1/0 (v2 cgroup.freeze).
frozen() {
        local pid=$1 d
        if d=$(cg_dir "$pid" freezer); then
                [[ $(cat "$d/freezer.state") == FROZEN ]]
        else
                d=$(_cg_mount cgroup2)$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
                grep -qx 'frozen 1' "$d/cgroup.events"
        fi
}

# freeze_directly PID: freeze the container's cgroup behind the runtime's
# back (freezer.state FROZEN on v1, cgroup.freeze 1 on v2), as a user or
# another tool would.
freeze_directly() {
        local pid=$1 d
        if d=$(cg_dir "$pid" freezer); then
                echo FROZEN >"$d/freezer.state"
        else
                d=$(_cg_mount cgroup2)$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
                echo 1 >"$d/cgroup.freeze"
        fi
        wait_until 5 frozen "$pid"
}

# A PID 1 that counts in /shared/n every 50 ms.
counter='i=0; while :; do i=$((i+1)); echo $i >/shared/n; sleep 0.05; done'

@test "pause freezes the processes and resume thaws them; status paused in state and list" {
        share_dir
        set_cmd "$counter"
        run_detached "$CID"
        wait_file "$SHARED/n"
        pid=$(container_pid "$CID")
        runtime pause "$CID"
        [[ $(state_field "$CID" .status) == paused ]]
        frozen "$pid"
        [[ $(runtime list --format json | jq -r --arg id "$CID" '.[] | select(.id == $id) | .status') == paused ]]
        runtime list | grep -q "^$CID .* paused "
        # frozen: the counter stands still
        a=$(cat "$SHARED/n")
        sleep 0.3
        [[ $(cat "$SHARED/n") == "$a" ]]

        runtime resume "$CID"
        [[ $(state_field "$CID" .status) == running ]]
        ! frozen "$pid"
        counter_moved() { [[ $(cat "$SHARED/n") != "$a" ]]; }
        wait_until 5 counter_moved
}

@test "pause of a created container; resume makes it created again" {
        set_args sleep 1000
        create_container "$CID"
        runtime pause "$CID"
        [[ $(state_field "$CID" .status) == paused ]]
        runtime resume "$CID"
        [[ $(state_field "$CID" .status) == created ]]
        runtime start "$CID"
        [[ $(state_field "$CID" .status) == running ]]
}

@test "pause of a paused container: container not running" {
        set_args sleep 1000
        run_detached "$CID"
        runtime pause "$CID"
        run runtime pause "$CID"
        assert_status 1
        assert_output_contains "container not running"
        [[ $(state_field "$CID" .status) == paused ]]
}

@test "pause of a stopped container: container not running" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime pause "$CID"
        assert_status 1
        assert_output_contains "container not running"
}

@test "resume of a running or stopped container: container not paused" {
        set_args sleep 1000
        run_detached "$CID"
        run runtime resume "$CID"
        assert_status 1
        assert_output_contains "container not paused"
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        run runtime resume "$CID"
        assert_status 1
        assert_output_contains "container not paused"
}

@test "pause and resume of an unknown id: does not exist" {
        run runtime pause "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
        run runtime resume "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
}

@test "pause and resume need exactly one id" {
        run runtime pause
        [[ $status -ne 0 ]]
        run runtime resume a b
        [[ $status -ne 0 ]]
}

@test "kill -9 of a paused container kills it (runc thaws after SIGKILL)" {
        set_args sleep 1000
        run_detached "$CID"
        runtime pause "$CID"
        runtime kill "$CID" 9
        wait_status "$CID" stopped
}

@test "kill --all KILL of a paused container kills every process" {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        runtime pause "$CID"
        runtime kill --all "$CID" KILL
        wait_status "$CID" stopped
}

@test "kill TERM of a paused container: it stays paused until resumed, then gets the signal" {
        share_dir
        set_cmd 'trap "echo TERM >/shared/sig; exit 3" TERM; touch /shared/ready; while :; do sleep 0.05; done'
        run_bg "$CID"
        wait_file "$SHARED/ready"
        runtime pause "$CID"
        runtime kill "$CID" TERM
        sleep 0.2
        [[ $(state_field "$CID" .status) == paused ]]
        [[ ! -e $SHARED/sig ]]
        runtime resume "$CID"
        wait_bg
        [[ $BG_STATUS -eq 3 ]]
        [[ $(cat "$SHARED/sig") == TERM ]]
}

@test "delete of a paused container needs --force; delete --force removes it" {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        runtime pause "$CID"
        run runtime delete "$CID"
        assert_status 1
        assert_output_contains "paused"
        runtime delete --force "$CID"
        assert_no_state
        wait_pid_gone "$pid" 2
        [[ -z $(procs_of_test) ]]
        [[ -z $(leftover_cgroups) ]]
}

@test "a container frozen behind the runtime's back is paused: exec refused, kill -9 and delete leave nothing" {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        freeze_directly "$pid"
        [[ $(state_field "$CID" .status) == paused ]]
        # runc 1.1.5 exits 255 here, husk 1
        run timeout 10 "$RUNTIME" --root "$ROOT" exec "$CID" true
        [[ $status -ne 0 && $status -ne 124 ]]
        assert_output_contains "paused"
        run timeout 10 "$RUNTIME" --root "$ROOT" kill "$CID" 9
        assert_status 0
        wait_status "$CID" stopped
        run timeout 10 "$RUNTIME" --root "$ROOT" delete "$CID"
        assert_status 0
        assert_no_state
        wait_pid_gone "$pid" 2
        [[ -z $(procs_of_test) ]]
        [[ -z $(leftover_cgroups) ]]
}

@test "kill -9 of a paused container, then delete without --force, leaves nothing" {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        runtime pause "$CID"
        runtime kill "$CID" 9
        wait_status "$CID" stopped
        runtime delete "$CID"
        assert_no_state
        wait_pid_gone "$pid" 2
        [[ -z $(procs_of_test) ]]
        [[ -z $(leftover_cgroups) ]]
}

@test "delete --force of a container frozen behind the runtime's back leaves nothing" {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        freeze_directly "$pid"
        run timeout 10 "$RUNTIME" --root "$ROOT" delete --force "$CID"
        assert_status 0
        assert_no_state
        wait_pid_gone "$pid" 2
        [[ -z $(procs_of_test) ]]
        [[ -z $(leftover_cgroups) ]]
}
