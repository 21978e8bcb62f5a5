#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Security invariants (DESIGN.md): the runtime binary is never writable
# from inside (CVE-2019-5736 class), no runtime fd reaches the container,
# mount targets can't be redirected out of the rootfs by symlinks.

load helpers

# Run the test against a copy of the runtime, so a failing test can't
# damage the real binary; and remember its checksum.
use_runtime_copy() {
        cp "$RUNTIME" "$BATS_TEST_TMPDIR/runtime-copy"
        RUNTIME=$BATS_TEST_TMPDIR/runtime-copy
        SUM=$(sha256sum <"$RUNTIME")
}

# Container $CID-b joins the pid namespace of $CID (created, not started:
# its PID 1 is still the runtime's init) and runs CMD.
attacker_bundle() {
        local pid=$1 cmd=$2
        cp -a "$BASE_BUNDLE" "$BATS_TEST_TMPDIR/bundle-b"
        CONFIG=$BATS_TEST_TMPDIR/bundle-b/config.json update_config '
                .linux.namespaces |= map(if .type == "pid" then .path = $p else . end) |
                .process.args = ["sh", "-c", $c] |
                .mounts += [{"destination": "/shared", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
                --arg p "/proc/$pid/ns/pid" --arg c "$cmd" --arg s "$SHARED"
}

@test "the runtime binary can't be opened for writing through /proc/<init>/exe during create" {
        use_runtime_copy
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        attacker_bundle "$pid" '(echo pwned >>/proc/1/exe) && echo WROTE; (: >/proc/1/exe) && echo TRUNCATED; echo done'
        run runtime run -b "$BATS_TEST_TMPDIR/bundle-b" "$CID-b" </dev/null
        echo "$output"
        [[ $output == *done* ]]
        [[ $output != *WROTE* && $output != *TRUNCATED* ]]
        [[ $(sha256sum <"$RUNTIME") == "$SUM" ]]
}

@test "an fd on /proc/<init>/exe kept across start can't write the binary" {
        use_runtime_copy
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        attacker_bundle "$pid" '
                if (: </proc/1/exe) 2>/dev/null; then exec 3</proc/1/exe; echo opened; fi
                touch /shared/opened
                while [ ! -e /shared/go ]; do sleep 0.05; done
                if [ -e /proc/self/fd/3 ]; then
                        echo pwned >>/proc/self/fd/3 && echo WROTE
                fi
                echo done >/shared/done'
        run_detached -b "$BATS_TEST_TMPDIR/bundle-b" "$CID-b"
        wait_file "$SHARED/opened"
        # the runtime's init execs the container's program; the runtime exits
        runtime start "$CID"
        touch "$SHARED/go"
        wait_file "$SHARED/done"
        cat "$BATS_TEST_TMPDIR/$CID-b.out" "$BATS_TEST_TMPDIR/$CID-b.err"
        ! grep -q WROTE "$BATS_TEST_TMPDIR/$CID-b.out"
        [[ $(sha256sum <"$RUNTIME") == "$SUM" ]]
}

@test "the runtime's init can't even be read through /proc/<init>/exe (husk)" {
        husk_only 'runc 1.1.5 runs its init from a sealed memfd copy instead'
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        attacker_bundle "$pid" 'cat /proc/1/exe >/dev/null && echo READ; ls /proc/1/fd >/dev/null 2>&1 && echo LISTED; echo done'
        run runtime run -b "$BATS_TEST_TMPDIR/bundle-b" "$CID-b" </dev/null
        [[ $output == *done* ]]
        [[ $output != *READ* ]]
}

@test "the started process holds only fds 0 1 2" {
        exec 5<"$BATS_TEST_TMPDIR" 6>"$BATS_TEST_TMPDIR/fd6"
        set_args sleep 1000
        create_container "$CID"
        runtime start "$CID"
        exec 5<&- 6>&-
        pid=$(container_pid "$CID")
        [[ $(ls /proc/$pid/fd | sort -n | tr '\n' ' ') == "0 1 2 " ]]
}

@test "a symlink in the rootfs can't send a mount outside it" {
        target=$BATS_TEST_TMPDIR/host-target
        mkdir "$target"
        mkdir "$BATS_TEST_TMPDIR/src"
        echo marker >"$BATS_TEST_TMPDIR/src/marker"
        # /evil -> the host directory's absolute path
        ln -s "$target" "$BUNDLE/rootfs/evil"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/evil", type: "bind", source: $s, options: ["rbind", "ro"]}')"
        set_cmd 'cat /evil/marker'
        run runtime run "$CID" </dev/null
        # either refused, or mounted at <rootfs>/<target> inside the rootfs
        if [[ $status -eq 0 ]]; then
                [[ $output == marker ]]
                [[ -d $BUNDLE/rootfs$target ]]
        fi
        [[ ! -e $target/marker ]]
        [[ -z $(ls -A "$target") ]]
}

@test "a symlink with .. in the rootfs stays inside it" {
        mkdir -p "$BUNDLE/rootfs/a"
        ln -s ../../../../../../../../tmp "$BUNDLE/rootfs/a/up"
        add_mount '{"destination": "/a/up/itest-escape", "type": "tmpfs", "source": "tmpfs"}'
        set_cmd 'touch /a/up/itest-escape/x'
        run runtime run "$CID" </dev/null
        [[ ! -e /tmp/itest-escape ]]
}

@test "/proc/sys, /proc/sysrq-trigger are read-only; /proc/kcore-like paths are masked" {
        set_cmd '(echo 1 >/proc/sysrq-trigger) 2>/dev/null && echo WROTE; (echo x >/proc/sys/kernel/hostname) 2>/dev/null && echo WROTE2; cat /proc/timer_list 2>/dev/null | wc -c'
        run runtime run "$CID" </dev/null
        [[ $output != *WROTE* ]]
        [[ ${lines[-1]} == 0 ]]
}
