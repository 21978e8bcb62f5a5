#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# runc's command line as engines and scripts send it: the option spellings of
# Go's flag package (-name, -name=V, -b=V, --flag=false), run --no-subreaper,
# --no-new-keyring, and `--help` listing every command.

load helpers

@test "single-dash long options, with = or a separate value, as runc takes them" {
        set_args true
        run "$RUNTIME" -root "$ROOT" -log "$BATS_TEST_TMPDIR/log" -log-format=json run -bundle "$BUNDLE" "$CID-a" </dev/null
        assert_status 0
        run "$RUNTIME" -root="$ROOT" run -bundle="$BUNDLE" -pid-file "$BATS_TEST_TMPDIR/pid" "$CID-b" </dev/null
        assert_status 0
        [[ -s $BATS_TEST_TMPDIR/pid ]]
        run "$RUNTIME" --root="$ROOT" run -b="$BUNDLE" "$CID-c" </dev/null
        assert_status 0
        # a boolean flag with a value: =false is as if it was absent
        run "$RUNTIME" --root "$ROOT" run -detach=false --keep=false -b "$BUNDLE" "$CID-d" </dev/null
        assert_status 0
        assert_no_state
        # and =true as if it was given
        set_args sleep 1000
        "$RUNTIME" --root "$ROOT" run --detach=true -b "$BUNDLE" "$CID-e" </dev/null >/dev/null 2>&1
        [[ $(state_field "$CID-e" .status) == running ]]
        run "$RUNTIME" -root "$ROOT" delete -force "$CID-e"
        assert_status 0
        assert_no_state
}

@test "single-dash options of create, exec, kill, list, state" {
        set_args sleep 1000
        cd "$BATS_TEST_TMPDIR"
        runtime create -bundle "$BUNDLE" -console-socket= -pid-file="$BATS_TEST_TMPDIR/pid" "$CID" </dev/null \
                >/dev/null 2>"$BATS_TEST_TMPDIR/err" || { cat "$BATS_TEST_TMPDIR/err"; false; }
        [[ $(cat "$BATS_TEST_TMPDIR/pid") == $(container_pid "$CID") ]]
        runtime start "$CID"
        run runtime exec -env FOO=bar -cwd /tmp "$CID" sh -c 'echo $FOO $(pwd)'
        assert_status 0
        [[ $output == "bar /tmp" ]]
        # the command's own arguments are not the runtime's options
        run runtime exec "$CID" echo -env -detach
        assert_status 0
        [[ $output == "-env -detach" ]]
        run runtime list -format json -quiet=false
        assert_status 0
        [[ $(jq -r '.[0].id' <<<"$output") == "$CID" ]]
        runtime kill -all=true "$CID" KILL
        wait_status "$CID" stopped
        runtime delete "$CID"
}

@test "a value that is not a boolean is an error for a flag" {
        run runtime run -detach=maybe "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

# A process that the container orphans: without a pid namespace it is
# reparented to the nearest subreaper. runc run (foreground) is one, unless
# --no-subreaper.
orphan_cmd='sh -c "sleep 5 & echo \$! > /tmp/orphan"; o=$(cat /tmp/orphan);
        echo "init-parent=$PPID orphan-parent=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$o/status)"; kill $o'

@test "run (foreground) adopts the container's orphans, as runc does" {
        update_config '.linux.namespaces |= map(select(.type != "pid")) | .root.readonly = false'
        set_cmd "$orphan_cmd"
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output =~ init-parent=([0-9]+)\ orphan-parent=([0-9]+) ]]
        [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]]
}

@test "run --no-subreaper leaves orphans to the host, and still returns the exit code" {
        update_config '.linux.namespaces |= map(select(.type != "pid")) | .root.readonly = false'
        set_cmd "$orphan_cmd"
        run runtime run --no-subreaper "$CID" </dev/null
        assert_status 0
        [[ $output =~ init-parent=([0-9]+)\ orphan-parent=([0-9]+) ]]
        [[ ${BASH_REMATCH[1]} != "${BASH_REMATCH[2]}" ]]
        # with a pid namespace too: the exit code and signals still reach us
        update_config '.linux.namespaces += [{"type": "pid"}]'
        set_cmd 'exit 42'
        run runtime run --no-subreaper "$CID-2" </dev/null
        assert_status 42
        set_args sleep 1000
        run_bg --no-subreaper "$CID-3"
        wait_status "$CID-3" running
        kill -TERM "$BG_PID"
        runtime kill "$CID-3" KILL
        wait_bg
        [[ $BG_STATUS -eq 137 ]]
}

@test "create refuses --no-subreaper (a run option)" {
        run runtime create --no-subreaper "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "-no-subreaper"
        assert_no_state
}

@test "the container gets a new session keyring named after it, unless --no-new-keyring" {
        set_args sleep 1000
        run_detached "$CID"
        grep -q " _ses\.$CID: " /proc/keys
        run_detached --no-new-keyring "$CID-k"
        ! grep -q " _ses\.$CID-k: " /proc/keys
}

@test "--help lists every command, and each command has help" {
        run runtime --help
        assert_status 0
        local cmds="create run exec start state kill delete list pause resume update events ps spec features"
        local c
        for c in $cmds; do
                [[ $output =~ $'\n'[[:space:]]+$c[[:space:]] ]] || { echo "--help does not list $c" >&2; false; }
        done
        for c in $cmds; do
                run runtime "$c" --help
                assert_status 0
                [[ -n $output ]]
        done
}

@test "with --root, commands that make no container don't look for rootless mode (no /proc/self/uid_map read)" {
        husk_only "counts husk's own system calls"
        command -v strace >/dev/null || skip "needs strace"
        set_args sleep 1000
        create_container "$CID"
        local trace=$BATS_TEST_TMPDIR/cli.strace cmd
        for cmd in "state $CID" "start $CID" "kill $CID KILL" list "delete -f $CID"; do
                # shellcheck disable=SC2086
                ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=openat -o "$trace" \
                        "$RUNTIME" --root "$ROOT" $cmd >/dev/null
                [[ -z $(grep uid_map "$trace") ]]
        done
        # create asks (rootless podman runs it as root of a user namespace);
        # not -f: strace would wait for the init
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -qq -e trace=openat -o "$trace" \
                "$RUNTIME" --root "$ROOT" create -b "$BUNDLE" "$CID"
        grep -q /proc/self/uid_map "$trace"
        runtime delete -f "$CID"
}
