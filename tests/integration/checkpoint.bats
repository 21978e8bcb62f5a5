#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# checkpoint and restore (CRIU): the command lines, the refusals, and that a
# failure leaves the container as it was (checkpoint) or nothing at all
# (restore). Whether CRIU can dump and restore depends on the kernel: CRIU
# 3.17 fails on kernels newer than it knows (this host's 6.18: vDSO); the
# test that needs a working CRIU skips with CRIU's reason then. The full
# proof (counting container checkpointed, restored, pre-dump, terminal...)
# runs in a VM with Debian's kernel: tests/vm/run-criu.sh.

load helpers

have_criu() {
        PATH=$PATH:/usr/sbin:/sbin command -v criu >/dev/null || skip "criu is not installed"
        if is_husk; then
                "$RUNTIME" --version | grep -q ' +CRIU' || skip "husk was built without CRIU (-CRIU)"
        fi
}

start_counter() {
        writable_root
        set_args /bin/sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'
        update_config '.linux.namespaces |= map(select(.type != "network"))'
        run_detached "$CID"
}

@test "checkpoint and restore --help list runc's flags" {
        husk_only "help text"
        run runtime checkpoint --help
        [[ $status -eq 0 ]]
        for f in --image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk \
                --shell-job --lazy-pages --status-fd --page-server --file-locks --pre-dump \
                --manage-cgroups-mode --empty-ns --auto-dedup; do
                assert_output_contains "$f"
        done
        run runtime restore --help
        [[ $status -eq 0 ]]
        for f in --bundle --console-socket --pid-file --detach --no-subreaper --no-pivot --image-path \
                --work-path --tcp-established --ext-unix-sk --shell-job --file-locks --manage-cgroups-mode \
                --lazy-pages --empty-ns --auto-dedup --lsm-profile --lsm-mount-context; do
                assert_output_contains "$f"
        done
}

@test "husk --version and features say whether checkpoint is built in" {
        husk_only "+CRIU in --version"
        run runtime --version
        [[ $status -eq 0 ]]
        [[ $output == *" +CRIU"* || $output == *" -CRIU"* ]]
        local want=false
        [[ $output == *" +CRIU"* ]] && want=true
        [[ $(runtime features | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]') == "$want" ]]
}

@test "checkpoint and restore refuse bad flags before doing anything" {
        set_args sleep 100
        run_detached "$CID"
        run runtime checkpoint --no-such-flag "$CID"
        [[ $status -ne 0 ]]
        run runtime checkpoint --manage-cgroups-mode sideways "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "--manage-cgroups-mode: expected soft, full, strict or ignore"
        run runtime checkpoint --empty-ns pid "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains 'namespace "pid" is not supported'
        run runtime checkpoint --parent-path /abs --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "--parent-path must be relative"
        run runtime checkpoint --parent-path no-such --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "--parent-path"
        run runtime checkpoint --page-server nowhere --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "--page-server: expected ADDRESS:PORT"
        run runtime restore --empty-ns ipc "$CID-r"
        [[ $status -ne 0 ]]
        run runtime restore -d --no-such-flag "$CID-r"
        [[ $status -ne 0 ]]
        # nothing happened to the container
        [[ $(state_field "$CID" .status) == running ]]
}

@test "checkpoint of a missing, created or stopped container" {
        run runtime checkpoint "$CID-none"
        [[ $status -ne 0 ]]
        assert_not_exist_error "$CID-none"
        create_container "$CID"
        run runtime checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "cannot be checkpointed in the created state"
        [[ $(state_field "$CID" .status) == created ]]
        runtime delete -f "$CID"
        set_args true
        run_detached "$CID-2"
        wait_status "$CID-2" stopped
        run runtime checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID-2"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "cannot be checkpointed in the stopped state"
        true
}

@test "checkpoint without criu names what is missing; the container keeps running" {
        husk_only "--criu PATH: runc takes a name too, but words its error differently"
        set_args sleep 100
        run_detached "$CID"
        run runtime --criu "$BATS_TEST_TMPDIR/no-criu" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -eq 1 ]]
        assert_output_contains "no-criu (--criu) is not an executable file"
        run env PATH=/nonexistent "$RUNTIME" --root "$ROOT" --criu husk-no-such-criu checkpoint \
                --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -eq 1 ]]
        assert_output_contains '"husk-no-such-criu" not found in PATH (install criu'
        # a "criu" that is not CRIU: the version check says so
        printf '#!/bin/sh\nexit 3\n' >"$BATS_TEST_TMPDIR/fake-criu"
        chmod +x "$BATS_TEST_TMPDIR/fake-criu"
        run runtime --criu "$BATS_TEST_TMPDIR/fake-criu" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -eq 1 ]]
        assert_output_contains "CRIU version check"
        [[ $(state_field "$CID" .status) == running ]]
}

@test "restore refusals leave nothing behind" {
        have_criu
        # not a checkpoint
        mkdir "$BATS_TEST_TMPDIR/empty"
        run runtime restore -d --image-path "$BATS_TEST_TMPDIR/empty" "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "not a checkpoint of a container"
        assert_no_state
        # a missing image dir
        run runtime restore -d --image-path "$BATS_TEST_TMPDIR/none" "$CID"
        [[ $status -ne 0 ]]
        assert_no_state
        # a terminal, detached, without --console-socket
        echo '["/dev/null","/dev/null","/dev/null"]' >"$BATS_TEST_TMPDIR/empty/descriptors.json"
        update_config '.process.terminal = true'
        run runtime restore -d --image-path "$BATS_TEST_TMPDIR/empty" "$CID"
        [[ $status -ne 0 ]]
        is_husk && assert_output_contains "--console-socket is required"
        assert_no_state
        # a missing bundle
        run runtime restore -d -b "$BATS_TEST_TMPDIR/no-bundle" --image-path "$BATS_TEST_TMPDIR/empty" "$CID"
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "a restore that CRIU fails leaves no state, cgroup, mount or process" {
        have_criu
        husk_only "husk's error text: CRIU's reason and log path"
        mkdir "$BATS_TEST_TMPDIR/img"
        echo '["/dev/null","/dev/null","/dev/null"]' >"$BATS_TEST_TMPDIR/img/descriptors.json"
        run runtime restore -d --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        [[ $status -eq 1 ]]
        # CRIU's reason and its log
        assert_output_contains "criu failed"
        assert_output_contains "log file: $BATS_TEST_TMPDIR/img/restore.log"
        [[ -s $BATS_TEST_TMPDIR/img/restore.log ]]
        assert_no_state
        ! grep -q "$CID" /proc/self/mountinfo
        # teardown checks cgroups and processes
}

@test "checkpoint and restore a counting container (where CRIU works)" {
        have_criu
        start_counter
        wait_file "$BUNDLE/rootfs/tmp/count"
        run runtime checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
        if [[ $status -ne 0 ]]; then
                # the container is untouched by a failed checkpoint
                [[ $(state_field "$CID" .status) == running ]]
                local a
                a=$(cat "$BUNDLE/rootfs/tmp/count")
                counts_on() { [[ $(cat "$BUNDLE/rootfs/tmp/count") -gt $a ]]; }
                wait_until 5 counts_on
                skip "CRIU can't checkpoint on this kernel ($(uname -r)); tests/vm/run-criu.sh proves it in a VM: $output"
        fi
        ! runtime state "$CID" >/dev/null 2>&1
        local before
        before=$(cat "$BUNDLE/rootfs/tmp/count")
        runtime restore -d --image-path "$BATS_TEST_TMPDIR/img" "$CID" </dev/null >/dev/null 2>&1
        [[ $(state_field "$CID" .status) == running ]]
        counts_on_after_restore() { [[ $(cat "$BUNDLE/rootfs/tmp/count") -gt $before ]]; }
        wait_until 5 counts_on_after_restore
}

# Nothing of container ID left: state dir, cgroup, a mount in any process's
# mount namespace (criu-root), a process of the test.
restore_gone() {
        local id=$1 i left
        [[ ! -e $ROOT/$id ]] || { echo "state dir of $id left: $(ls -A "$ROOT/$id")" >&2; return 1; }
        left=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "$id" 2>/dev/null)
        [[ -z $left ]] || { echo "cgroups of $id left: $left" >&2; return 1; }
        left=$(grep -ls "$ROOT/$id/" /proc/[0-9]*/mountinfo || true)
        [[ -z $left ]] || { echo "mounts of $id left in: $left" >&2; return 1; }
        for ((i = 0; i < 40; i++)); do
                left=$(procs_of_test)
                [[ -z $left ]] && return 0
                sleep 0.05
        done
        echo "processes left after $id: $left" >&2
        return 1
}

@test "delete -f removes a restore killed at each of its steps (HUSK_FAILPOINT=kill:N)" {
        have_criu
        husk_only 'HUSK_FAILPOINT is husk'"'"'s test seam'
        # Images CRIU fails on (here and on any kernel): the steps up to and
        # including CRIU's start; tests/vm/run-criu.sh kills a restore that
        # CRIU carries out. Before husk recorded the state ahead of the
        # cgroup and bound criu-root in CRIU's own mount namespace, delete -f
        # left the cgroup (from the 4th step) and failed on the mount ("remove
        # state dir ...: Device or resource busy").
        local img=$BATS_TEST_TMPDIR/img trace=$BATS_TEST_TMPDIR/trace k steps killed=0 st
        mkdir "$img"
        echo '["/dev/null","/dev/null","/dev/null"]' >"$img/descriptors.json"
        HUSK_FAILPOINT=trace:$trace "$RUNTIME" --root "$ROOT" restore -d --image-path "$img" "$CID-t" \
                </dev/null >/dev/null 2>&1 || true
        restore_gone "$CID-t"
        cut -d' ' -f2- "$trace" | sort | uniq -c
        steps=$(tail -1 "$trace" | cut -d' ' -f1)
        grep -q "criu: bind the root in a private mount namespace" "$trace"
        [[ $steps -ge 5 ]]
        for ((k = 1; k <= steps; k++)); do
                st=0
                HUSK_FAILPOINT=kill:$k "$RUNTIME" --root "$ROOT" restore -d --image-path "$img" "$CID-$k" \
                        </dev/null >/dev/null 2>&1 || st=$?
                [[ $st -eq 137 ]] && killed=$((killed + 1))
                run runtime delete -f "$CID-$k"
                [[ $status -eq 0 ]] || { echo "step $k: delete -f: $output" >&2; false; }
                restore_gone "$CID-$k" || { echo "step $k: $(sed -n "${k}p" "$trace")" >&2; false; }
        done
        echo "# steps: $steps, killed: $killed" >&3
        [[ $killed -eq $steps ]]
}
