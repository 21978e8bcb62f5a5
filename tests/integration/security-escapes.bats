#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Known container-escape classes, attacked as an attacker would (the
# runtime binary class is in runtime-binary.bats, /proc in
# security-proc.bats, exec's identity in security-exec.bats, plain mount
# symlinks and fds 0-2 in security.bats):
#   - a leaked host fd or a cwd outside the rootfs (CVE-2016-9962,
#     CVE-2024-21626), in the waiting init, in pid 1 and in exec'd processes;
#   - mount destinations swapped between a directory and a symlink while the
#     runtime mounts (CVE-2021-30465, CVE-2024-45310);
#   - /dev/null or /dev/console swapped for a symlink or a file when the
#     image controls /dev (CVE-2025-31133, CVE-2025-52565).
# How each was checked to fail on a weakened husk is said in the test.

load helpers

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        RECVTTY=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/recvtty}
        if [[ -z $RECVTTY || ! -x $RECVTTY ]]; then
                RECVTTY=$BATS_FILE_TMPDIR/recvtty
                ${CC:-cc} -O2 -o "$RECVTTY" "$INTEGRATION_DIR/helpers/recvtty.c" || return 1
        fi
        export RECVTTY
}

# fd_targets_ok PID: every fd of PID (seen from the host) is a pipe, socket,
# anon inode, a pty, /dev/null, or something inside the container's rootfs.
fd_targets_ok() {
        local pid=$1 fd t bad=0 root
        root=$(readlink "/proc/$pid/root")
        for fd in /proc/"$pid"/fd/*; do
                t=$(readlink "$fd") || continue
                case $t in
                pipe:* | socket:* | anon_inode:* | /dev/null | /dev/pts/* | /dev/ptmx) ;;
                /*)
                        # a path the container sees: inside its root
                        if [[ $root != / && $t == "$root"* ]]; then :; elif [[ -e $root$t || $t == / ]] &&
                                [[ $(stat -Lc %d:%i "$fd") == $(stat -c %d:%i "$root$t" 2>/dev/null) ]]; then :; else
                                echo "pid $pid fd ${fd##*/} -> $t (outside the container)"
                                bad=1
                        fi ;;
                *) echo "pid $pid fd ${fd##*/} -> $t"; bad=1 ;;
                esac
        done
        return $bad
}

@test "the init waiting for start holds no host fd (CVE-2016-9962)" {
        # Checked: a husk whose init leaks one host directory fd (an
        # open("/sys/fs/cgroup") after its close_fds_from) fails here.
        exec 7<"$BATS_TEST_TMPDIR" 8<"$BUNDLE/config.json"
        set_args sleep 600
        create_container "$CID"
        exec 7<&- 8<&-
        pid=$(container_pid "$CID")
        fd_targets_ok "$pid"
        runtime start "$CID"
        wait_status "$CID" running
        fd_targets_ok "$pid"
        [[ $(ls /proc/$pid/fd | sort -n | tr '\n' ' ') == "0 1 2 " ]]
}

@test "an exec'd process holds no host fd, even while exec runs (CVE-2016-9962)" {
        share_dir
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        exec 7<"$BATS_TEST_TMPDIR"
        runtime exec -d "$CID" sh -c 'echo $$ >/shared/pid; exec sleep 600' </dev/null >/dev/null 2>&1
        exec 7<&-
        wait_file "$SHARED/pid"
        init=$(container_pid "$CID")
        # the exec'd process's host pid: the sleep in the container's pid
        # namespace that is not the init
        for p in $(ls /proc | grep -E '^[0-9]+$'); do
                [[ $p != "$init" && $(readlink /proc/$p/ns/pid 2>/dev/null) == "$(readlink /proc/$init/ns/pid)" ]] || continue
                fd_targets_ok "$p"
                [[ $(ls /proc/$p/fd | sort -n | tr '\n' ' ') == "0 1 2 " ]]
        done
}

@test "process.cwd /proc/self/fd/N never leaves the rootfs (CVE-2024-21626)" {
        # Checked: the same leaky husk prints ESCAPED for N = 3.
        echo marker >"$BATS_TEST_TMPDIR/host-marker"
        for n in 3 4 5 6 7 8 9 10 11 12 15 20; do
                cp "$BASE_BUNDLE/config.json" "$BUNDLE/config.json"
                update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
                set_cmd "cd ../../../../../../../../../../..; test -e .$BATS_TEST_TMPDIR/host-marker && echo ESCAPED; echo ran"
                run runtime run "$CID" </dev/null
                echo "cwd fd $n: $status $output"
                [[ $output != *ESCAPED* ]]
                assert_no_state
        done
}

@test "exec --cwd /proc/self/fd/N never leaves the rootfs (CVE-2024-21626)" {
        echo marker >"$BATS_TEST_TMPDIR/host-marker"
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
        for n in 3 4 5 6 7 8 9 10 12 15; do
                run runtime exec --cwd "/proc/self/fd/$n" "$CID" sh -c \
                        "cd ../../../../../../../../../../..; test -e .$BATS_TEST_TMPDIR/host-marker && echo ESCAPED; echo ran"
                echo "exec cwd fd $n: $status $output"
                [[ $output != *ESCAPED* ]]
        done
}

@test "mount destinations swapped to symlinks during setup stay inside the rootfs (CVE-2021-30465, CVE-2024-45310)" {
        # A shared volume whose directory a racer swaps with a symlink to
        # the host's filesystem while the runtime creates and mounts onto a
        # path through it. Checked: husk with open_in_root() replaced by a
        # plain openat() (following symlinks) creates the host directory
        # within a few runs.
        local vol=$BATS_TEST_TMPDIR/vol escape=/tmp/itest-escape-$CID
        mkdir -p "$vol/d"
        writable_root
        add_mount "$(jq -n --arg s "$vol" '{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rw"]}')"
        add_mount "$(jq -n --arg d "/vol/d/itest-escape-$CID/sub" '{destination: $d, type: "tmpfs", source: "tmpfs"}')"
        add_mount "$(jq -n --arg d "/vol/d/itest-escape-$CID/file" --arg s "$BUNDLE/config.json" '{destination: $d, type: "bind", source: $s, options: ["bind", "ro"]}')"
        set_args true
        (
                # the racer: d is a directory, then a symlink out of it
                while :; do
                        rm -rf "$vol/d" && ln -s /tmp "$vol/d"
                        rm -f "$vol/d" && mkdir -p "$vol/d"
                        rm -rf "$vol/d" && ln -s ../../../../../../../../tmp "$vol/d"
                        rm -f "$vol/d" && mkdir -p "$vol/d"
                done
        ) 2>/dev/null &
        racer=$!
        local ran=0
        for i in $(seq 40); do
                runtime run "$CID-$i" </dev/null >/dev/null 2>&1 && ran=$((ran + 1))
                [[ ! -e $escape ]] || break
        done
        kill "$racer"
        wait "$racer" 2>/dev/null || true
        echo "$ran of $i runs succeeded"
        local escaped=0
        if [[ -e $escape ]]; then
                ls -la "$escape"
                rm -rf "$escape"
                escaped=1
        fi
        [[ $escaped == 0 && $ran -gt 0 ]]
        assert_no_state
}

# The image controls /dev: no tmpfs /dev in the config.
image_owns_dev() {
        update_config '.mounts |= map(select(.destination != "/dev"))'
        mkdir -p "$BUNDLE/rootfs/dev"
}

@test "maskedPaths with /dev/null swapped for a symlink or a file: refused, never masked with something else (CVE-2025-31133)" {
        # Checked: husk without mask_path()'s O_NOFOLLOW and null-device
        # check masks /proc/kcore with core_pattern and fails here.
        image_owns_dev
        set_cmd 'cat /proc/kcore | head -c 20; echo; echo ran'
        rm -f "$BUNDLE/rootfs/dev/null"
        ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
        run runtime run "$CID" </dev/null
        echo "symlink: $status $output"
        [[ $status -ne 0 || $output != *"|"* ]]
        [[ $output != *"core"* ]]
        if is_husk; then
                [[ $status -ne 0 ]]
                assert_output_contains "/dev/null is not the null device"
        fi
        assert_no_state
        rm -f "$BUNDLE/rootfs/dev/null"
        echo "not the null device" >"$BUNDLE/rootfs/dev/null"
        run runtime run "$CID" </dev/null
        echo "file: $status $output"
        [[ $output != *"not the null device"* || $status -ne 0 ]]
        assert_no_state
}

@test "/dev/console swapped for a symlink: refused, the target is not touched (CVE-2025-52565)" {
        # Checked: husk without rootfs_console()'s O_NOFOLLOW bind-mounts
        # the pty over the symlink's target (stat says character special).
        husk_only "runc 1.1.5 bind-mounts the pty through the symlink (fixed in runc 1.2.8)"
        image_owns_dev
        echo target >"$BUNDLE/rootfs/console-target"
        ln -s /console-target "$BUNDLE/rootfs/dev/console"
        SOCK=$BATS_TEST_TMPDIR/console.sock
        "$RECVTTY" "$SOCK" "$BATS_TEST_TMPDIR/tty.out" &
        BG_PIDS+=($!)
        wait_file "$SOCK"
        update_config '.process.terminal = true'
        set_cmd 'stat -c %F /console-target'
        run runtime run -d --console-socket "$SOCK" "$CID" </dev/null
        echo "$status $output"
        if [[ $status -eq 0 ]]; then
                wait_status "$CID" stopped 10 || true
                tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out"
                [[ $(grep -c "character special" "$BATS_TEST_TMPDIR/tty.out") == 0 ]]
        else
                kill "${BG_PIDS[-1]}" 2>/dev/null || true
        fi
        [[ $(cat "$BUNDLE/rootfs/console-target") == target ]]
}
