#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# -Dstatic_exe: husk as one static-pie executable (less memory per command),
# and husk-dynamic, the same husk linked dynamically, for what needs
# libsystemd or libcriu (src/cli/twin.c).

load helpers

need_static_husk() {
        husk_only "husk's -Dstatic_exe"
        ! readelf -l "$RUNTIME" | grep -q INTERP || skip "$RUNTIME is dynamically linked (-Dstatic_exe=disabled or sanitized)"
}

# the debug lines of `runtime --debug ARGS...` that say it went to husk-dynamic
twin_lines() {
        runtime --debug "$@" </dev/null 2>&1 | grep 'this husk is statically linked: running' || true
}

@test "static husk: --systemd-cgroup create/run/restore, checkpoint and restore run in husk-dynamic" {
        need_static_husk
        [[ -x $(dirname "$RUNTIME")/husk-dynamic ]] || skip "built without libsystemd and CRIU: no husk-dynamic"
        local twin
        twin=$(dirname "$RUNTIME")/husk-dynamic
        if "$twin" --version | grep -q '+SYSTEMD'; then
                for cmd in run create restore; do
                        [[ $(twin_lines --systemd-cgroup "$cmd" "$CID") == *"running $twin"* ]]
                done
        fi
        if "$twin" --version | grep -q '+CRIU'; then
                [[ $(twin_lines checkpoint "$CID") == *"running $twin"* ]]
                [[ $(twin_lines restore "$CID") == *"running $twin"* ]]
        fi
        # husk-dynamic runs the command as husk would
        run runtime checkpoint "$CID"
        assert_status 1
        assert_output_contains "container \"$CID\" does not exist"
        # what never talks to systemd stays in the static husk
        for cmd in list "state $CID" "kill $CID" "delete $CID"; do
                # shellcheck disable=SC2086
                [[ -z $(twin_lines --systemd-cgroup $cmd) ]]
        done
}

@test "static husk: delete and update of a container made with --systemd-cgroup run in husk-dynamic" {
        need_static_husk
        "$(dirname "$RUNTIME")/husk-dynamic" --version 2>/dev/null | grep -q '+SYSTEMD' || skip "built without libsystemd"
        set_args sleep 1000
        run_detached "$CID"
        [[ -z $(twin_lines update --pids-limit 100 "$CID") ]]
        # as if it had been made with --systemd-cgroup (its cgroup manager
        # stays cgroupfs, so husk-dynamic can delete it here too)
        local st=$ROOT/$CID/state.json
        jq -c '.systemd_cgroup = true' "$st" >"$st.new" && mv "$st.new" "$st"
        [[ $(twin_lines update --pids-limit 100 "$CID") == *husk-dynamic* ]]
        [[ -z $(twin_lines state "$CID") ]]
        [[ $(twin_lines delete -f "$CID") == *husk-dynamic* ]]
        assert_no_state
}

@test "static husk: delete reads the container's state once (whether husk-dynamic must delete it is told from that read)" {
        need_static_husk
        command -v strace >/dev/null || skip "needs strace"
        set_args true
        run runtime run --keep "$CID" </dev/null
        assert_status 0
        local trace=$BATS_TEST_TMPDIR/delete.strace
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=openat,execve -o "$trace" \
                "$RUNTIME" --root "$ROOT" delete "$CID"
        assert_no_state
        run grep -c 'openat(.*"state.json"' "$trace"
        [[ $output -eq 1 ]]
        [[ $(grep -c execve "$trace") -eq 1 ]]
        # a stopped container made with --systemd-cgroup still goes to husk-dynamic
        "$(dirname "$RUNTIME")/husk-dynamic" --version 2>/dev/null | grep -q '+SYSTEMD' || return 0
        run runtime run --keep "$CID" </dev/null
        assert_status 0
        local st=$ROOT/$CID/state.json
        jq -c '.systemd_cgroup = true' "$st" >"$st.new" && mv "$st.new" "$st"
        [[ $(twin_lines delete "$CID") == *husk-dynamic* ]]
        assert_no_state
}

@test "static husk: no husk-dynamic, a clear error" {
        need_static_husk
        cp "$RUNTIME" "$BATS_TEST_TMPDIR/husk"
        run "$BATS_TEST_TMPDIR/husk" --root "$ROOT" --debug checkpoint "$CID"
        [[ $output == *"running "*/husk-dynamic* ]] || skip "built without CRIU"
        local twin=${output##*running }
        twin=${twin%%\"*}
        [[ ! -e $twin ]] || skip "$twin is installed"
        assert_status 1
        assert_output_contains "checkpoint needs $twin (husk linked dynamically): No such file or directory"
}

@test "static husk: peak RSS of state and list under 1.6 MiB (a dynamically linked husk: 2.1-2.3)" {
        need_static_husk
        command -v /usr/bin/time >/dev/null || skip "no /usr/bin/time"
        set_args sleep 1000
        run_detached "$CID"
        local kib
        for cmd in "state $CID" list "kill $CID WINCH"; do
                # shellcheck disable=SC2086
                kib=$(/usr/bin/time -f %M "$RUNTIME" --root "$ROOT" $cmd 2>&1 >/dev/null | tail -n1)
                echo "$cmd: $kib KiB"
                ((kib < 1600))
        done
}

# The system calls of the process until its first execveat (the re-execution
# from the protected copy), or all of them when there is none.
first_image_calls() {
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -e trace=execveat,arch_prctl,open_tree -o "$BATS_TEST_TMPDIR/strace" "$RUNTIME" "$@" </dev/null \
                >/dev/null 2>&1 || echo "FAILED: $*"
        awk '{ print } /^execveat\(/ { exit }' "$BATS_TEST_TMPDIR/strace"
}

@test "static husk: exec makes its protected copy before glibc starts, whatever the global options' spelling" {
        need_static_husk
        [[ $(uname -m) == x86_64 ]] || skip "the early entry is x86-64 only"
        command -v strace >/dev/null || skip "no strace"
        set_args sleep 1000
        run_detached "$CID"
        local calls
        for g in "--root $ROOT" "-root=$ROOT" "--log-f text --root $ROOT" "--debug --root $ROOT --log /dev/null"; do
                # shellcheck disable=SC2086
                calls=$(first_image_calls $g exec "$CID" true)
                echo "$g: $calls"
                [[ $calls != *FAILED* ]]
                # the copy is made and executed without a glibc start
                # (arch_prctl(ARCH_SET_FS) is glibc setting up its TLS)
                [[ $calls == *"open_tree("*"execveat("* ]]
                [[ $calls != *arch_prctl* ]]
        done
        # commands that need no protected copy run as they are
        calls=$(first_image_calls --root "$ROOT" state "$CID")
        [[ $calls != *open_tree* && $calls != *execveat* ]]
}

@test "static husk: run and create make their protected copy before glibc starts, unless they may need husk-dynamic" {
        need_static_husk
        [[ $(uname -m) == x86_64 ]] || skip "the early entry is x86-64 only"
        command -v strace >/dev/null || skip "no strace"
        [[ $(cat /proc/self/uid_map) == *" 0 "*4294967295* ]] || skip "not in the initial user namespace"
        local calls
        calls=$(first_image_calls --root "$ROOT" run "$CID")
        [[ $calls != *FAILED* && $calls == *"open_tree("*"execveat("* && $calls != *arch_prctl* ]]
        calls=$(first_image_calls --log /dev/null --root "$ROOT" create "$CID-c")
        [[ $calls != *FAILED* && $calls == *"open_tree("*"execveat("* && $calls != *arch_prctl* ]]
        runtime delete -f "$CID-c"
        # --rootless or --systemd-cgroup may send them to husk-dynamic, found
        # next to the binary: main decides, after glibc started
        calls=$(first_image_calls --rootless false --root "$ROOT" run "$CID-r")
        [[ $calls != *FAILED* && $calls == *arch_prctl*"open_tree("* ]]
        # (no systemd here: it may fail; what counts is who made the copy)
        calls=$(first_image_calls --systemd-cgroup --root "$ROOT" run "$CID-s")
        runtime delete -f "$CID-s" >/dev/null 2>&1 || true
        [[ $(grep -v FAILED <<<"$calls" | head -1) != open_tree* ]]
}

@test "static husk: exec's protected image looks at /proc/self/exe once (its entry point), not again in main" {
        need_static_husk
        [[ $(uname -m) == x86_64 ]] || skip "the early entry is x86-64 only"
        command -v strace >/dev/null || skip "no strace"
        set_args sleep 1000
        run_detached "$CID"
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -e trace=open,openat -o "$BATS_TEST_TMPDIR/strace" "$RUNTIME" --root "$ROOT" exec "$CID" true
        cat "$BATS_TEST_TMPDIR/strace"
        # the first image's check, the protected image's (then exec goes on)
        [[ $(grep -c '"/proc/self/exe", O_RDONLY' "$BATS_TEST_TMPDIR/strace") == 2 ]]
}
