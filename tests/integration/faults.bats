#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection (husk's HUSK_FAILPOINT seam, src/lib/util/failpoint.h):
# every side effect of `create` goes through a failpoint (state dir and
# files, cgroup mkdir and writes, clones, sync messages, mounts). The tests
# list the steps of one create, then make each step fail in turn, and kill
# `husk create` (SIGKILL) at each step in turn, and check that nothing is
# left: no state dir, cgroup, mount or process — after the failed create
# alone, or after `delete -f` of the killed one.
#
# Before create recorded its state ahead of its cgroup (husk 155bf74), the
# kill test failed from the first cgroup step on: `delete -f` found a state
# dir without state.json, returned 0, and left the cgroups (and, killed
# after the init was ready, the init).

load helpers

setup() {
        common_setup
        set_args sleep 1000
}

# The steps of one create of this bundle: "N NAME" lines, N counting every
# failpoint passed by husk and its stages.
trace_steps() {
        local trace=$BATS_TEST_TMPDIR/trace
        rm -f "$trace"
        HUSK_FAILPOINT=trace:$trace runtime create "$CID-trace" </dev/null >/dev/null 2>&1
        runtime delete -f "$CID-trace"
        STEPS=$(tail -1 "$trace" | cut -d' ' -f1)
        # what they are, for the log
        cut -d' ' -f2- "$trace" | sort | uniq -c
        echo "steps: $STEPS"
}

# create_at MODE:N ID: create with HUSK_FAILPOINT=MODE:N, its output in
# $output (in a file: a created init keeps its stdout open), status in
# $status.
create_at() {
        local out=$BATS_TEST_TMPDIR/create.out
        status=0
        HUSK_FAILPOINT=$1 "$RUNTIME" --root "$ROOT" create "$2" </dev/null >"$out" 2>&1 || status=$?
        output=$(cat "$out")
}

# assert_gone ID: nothing of container ID is left (processes get a moment
# to see their parent gone and exit).
assert_gone() {
        local id=$1 i left
        [[ ! -e $ROOT/$id ]] || { echo "state dir of $id left" >&2; return 1; }
        left=$(ls -d /sys/fs/cgroup/*/husk/"$id" /sys/fs/cgroup/husk/"$id" 2>/dev/null || true)
        [[ -z $left ]] || { echo "cgroups of $id left: $left" >&2; return 1; }
        left=$(awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
        [[ -z $left ]] || { echo "mounts left after $id: $left" >&2; return 1; }
        for ((i = 0; i < 40; i++)); do
                left=$(procs_of_test)
                [[ -z $left ]] && return 0
                sleep 0.05
        done
        echo "processes left after $id: $left" >&2
        return 1
}

@test "create fails cleanly at each of its steps (HUSK_FAILPOINT=fail:N)" {
        husk_only 'HUSK_FAILPOINT is husk'"'"'s test seam'
        trace_steps
        [[ $STEPS -ge 40 ]]
        local k failed=0 tolerated=0
        for ((k = 1; k <= STEPS; k++)); do
                create_at "fail:$k" "$CID-$k"
                if [[ $status -eq 0 ]]; then
                        # a step whose failure create works around
                        tolerated=$((tolerated + 1))
                        runtime delete -f "$CID-$k"
                else
                        [[ $status -eq 1 ]] || { echo "step $k: exit $status: $output" >&2; false; }
                        # the injected error, as the step's caller reports it
                        [[ $output == *"(HUSK_FAILPOINT)"* || ${output,,} == *"input/output error"* ||
                                $output == *"container init"* ]] ||
                                { echo "step $k: $output" >&2; false; }
                        failed=$((failed + 1))
                fi
                assert_gone "$CID-$k"
        done
        echo "# steps: $STEPS, failed cleanly: $failed, tolerated: $tolerated" >&3
        [[ $failed -ge 40 ]]
}

@test "delete -f removes a create killed at each of its steps (HUSK_FAILPOINT=kill:N)" {
        husk_only 'HUSK_FAILPOINT is husk'"'"'s test seam'
        trace_steps
        [[ $STEPS -ge 40 ]]
        local k killed=0
        for ((k = 1; k <= STEPS; k++)); do
                create_at "kill:$k" "$CID-$k"
                [[ $status -eq 137 ]] && killed=$((killed + 1))
                run runtime delete -f "$CID-$k"
                [[ $status -eq 0 ]] || { echo "step $k: delete -f: $output" >&2; false; }
                assert_gone "$CID-$k"
        done
        echo "# steps: $STEPS, killed: $killed" >&3
        [[ $killed -eq $STEPS ]]
}

@test "an init killed by the OOM killer during create is reported as such, with the limit" {
        # 4096 bytes: too small for even the init. husk 155bf74 said
        # "container init exited unexpectedly: Broken pipe"; runc 1.1.5
        # refuses the limit itself (the usage is already higher).
        update_config '.linux.resources.memory = {"limit": 4096}'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        if is_husk; then
                assert_output_contains "container init was killed by the OOM killer"
                assert_output_contains "linux.resources.memory.limit (4096 bytes) is too small"
        fi
        assert_gone "$CID"
}
