#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Concurrency: many containers at once, and races on one id (create vs
# create, start vs delete, kill vs delete), with `state` reading all along.
# Never a corrupt state file, two containers under one id, a leak (the
# teardown checks state dirs, processes, cgroups, mounts) or a hang (every
# command runs under `timeout`).

load helpers

T=30    # seconds before a command counts as hung

# rt ARGS...: the runtime under `timeout`, stdio off a pipe (a created init
# keeps its stdout).
rt() {
        timeout "$T" "$RUNTIME" --root "$ROOT" "$@" </dev/null >/dev/null 2>&1
}

# check_state ID: `state` prints valid JSON, or says the container is not
# (or not yet) there: never a torn or corrupt file.
check_state() {
        local out
        if out=$(timeout "$T" "$RUNTIME" --root "$ROOT" state "$1" 2>&1); then
                jq -e .status <<<"$out" >/dev/null || { echo "state $1: not JSON: $out" >&2; return 1; }
        else
                [[ $? -ne 124 ]] || { echo "state $1 hung" >&2; return 1; }
                [[ $out == *"does not exist"* || $out == *"has no state"* ]] ||
                        { echo "state $1: $out" >&2; return 1; }
        fi
}

@test "200 containers created, started and deleted in parallel" {
        set_args true
        local n=200 i
        export RUNTIME ROOT T
        export -f rt
        # 25 at a time: each one its own create, start, delete
        seq 1 "$n" | xargs -P 25 -I{} bash -c '
                id='"$CID"'-{}
                rt create "$id" || { echo "create $id: $?"; exit 1; }
                rt start "$id" || { echo "start $id: $?"; exit 1; }
                rt delete -f "$id" || { echo "delete $id: $?"; exit 1; }
                echo "$id" >>'"$BATS_TEST_TMPDIR"'/done'
        [[ $(sort -u "$BATS_TEST_TMPDIR/done" | wc -l) -eq $n ]]
        assert_no_state
}

@test "create vs create of one id: exactly one container" {
        # runc 1.1.5 fails this: the losing create can leave cgroups and a
        # `runc init` while `state` says the container does not exist
        husk_only 'runc 1.1.5 leaks a half-made container when two creates of one id race'
        set_args sleep 1000
        local i a b
        for ((i = 0; i < 10; i++)); do
                rt create "$CID-$i" & a=$!
                rt create "$CID-$i" & b=$!
                check_state "$CID-$i"
                local sa=0 sb=0
                wait $a || sa=$?
                wait $b || sb=$?
                [[ $sa -ne 124 && $sb -ne 124 ]]
                # one created it, the other was refused
                [[ $((sa == 0)) -ne $((sb == 0)) ]] || { echo "round $i: exits $sa and $sb" >&2; false; }
                [[ $(state_field "$CID-$i" .status) == created ]]
                # a single init: the one state names, and nothing else in its cgroup
                pid=$(container_pid "$CID-$i")
                [[ -e /proc/$pid ]]
                rt delete -f "$CID-$i"
        done
}

@test "start vs delete -f, kill vs delete -f of one id: never stuck, nothing left" {
        set_args sleep 1000
        local i a b c sa sb
        for ((i = 0; i < 10; i++)); do
                rt create "$CID-s$i"
                rt start "$CID-s$i" & a=$!
                rt delete -f "$CID-s$i" & b=$!
                check_state "$CID-s$i"
                sa=0 sb=0
                wait $a || sa=$?
                wait $b || sb=$?
                [[ $sa -ne 124 && $sb -ne 124 ]]
                [[ $sb -eq 0 ]]         # delete -f always gets it
                [[ ! -e $ROOT/$CID-s$i ]]

                rt run -d "$CID-k$i"
                rt kill "$CID-k$i" KILL & a=$!
                rt delete -f "$CID-k$i" & b=$!
                check_state "$CID-k$i"
                sa=0 sb=0
                wait $a || sa=$?
                wait $b || sb=$?
                [[ $sa -ne 124 && $sb -ne 124 ]]
                [[ $sb -eq 0 ]]
                [[ ! -e $ROOT/$CID-k$i ]]
        done
}
