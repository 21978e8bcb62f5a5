#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# A container without a mount namespace of its own (runtime-spec: a
# namespace that is not listed is inherited from the runtime): its mounts are
# made in the caller's mount namespace, on the bundle's rootfs, and it is
# jailed there with chroot. Every test runs the runtime inside a private
# mount namespace that the test makes (unshare -m --propagation private), so
# the machine's own mount table is never touched; teardown checks that
# nothing is left there either.

load helpers

setup() {
        common_setup
        # runc refuses maskedPaths/readonlyPaths without a mount namespace
        update_config '.linux.namespaces |= map(select(.type != "mount"))
                | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
}

# in_ns SCRIPT: bash SCRIPT in a new private mount namespace, with RUNTIME,
# ROOT, BUNDLE, CID exported and `rt` = the runtime with --root. It prints
# "mounts-before=IDS" and "mounts-after=IDS" of that namespace around SCRIPT
# (each mount as ID:MOUNTPOINT, separated by '|').
in_ns() {
        RUNTIME=$RUNTIME ROOT=$ROOT BUNDLE=$BUNDLE CID=$CID unshare -m --propagation private bash -c '
                rt() { "$RUNTIME" --root "$ROOT" "$@"; }
                ids() { awk "{ print \$1 \":\" \$5 }" /proc/self/mountinfo | paste -sd"|" -; }
                echo "mounts-before=$(ids)"
                eval "$1"
                s=$?
                echo "mounts-after=$(ids)"
                exit $s' in_ns "$1"
}

# No mount of the namespace after SCRIPT that was not there before. (A mount
# that disappears is not ours: the namespace is a copy of the host's, and a
# directory another program removes on the host detaches the mounts on it
# here too, so counting lines would fail while other tests run.)
mounts_unchanged() {
        local before after m new=()
        before="|$(sed -n 's/^mounts-before=//p' <<<"$output")|"
        after=$(sed -n 's/^mounts-after=//p' <<<"$output")
        [[ $before != "||" && -n $after ]] || return 1
        local IFS='|'
        for m in $after; do
                [[ $before == *"|$m|"* ]] || new+=("$m")
        done
        if [[ ${#new[@]} -gt 0 ]]; then
                echo "mounts left in the test's namespace (id:mountpoint): ${new[*]}" >&2
                return 1
        fi
}

@test "no mount namespace: the container runs in its rootfs, with its own /proc and /dev" {
        touch "$BUNDLE/rootfs/marker-$CID"
        set_cmd 'ls /marker-* && echo pid1=$(cat /proc/1/comm) && ls /dev/null /dev/pts/ptmx && echo root-ok'
        run in_ns 'rt run "$CID" </dev/null'
        assert_status 0
        assert_output_contains "/marker-$CID"
        assert_output_contains "pid1=sh"
        assert_output_contains "root-ok"
}

@test "no mount namespace: the mounts are on the rootfs in the caller's namespace while it runs" {
        set_args sleep 1000
        run in_ns 'rt run -d "$CID" </dev/null >/dev/null 2>&1 || exit 1
                grep -c " $BUNDLE/rootfs/proc " /proc/self/mountinfo
                grep -c " $BUNDLE/rootfs/dev " /proc/self/mountinfo
                rt delete -f "$CID"'
        assert_status 0
        [[ ${lines[1]} == 1 && ${lines[2]} == 1 ]]
}

@test "no mount namespace: delete (and run's own delete) removes every mount it made" {
        husk_only "runc 1.1.5 leaves the container's mounts in the caller's namespace"
        set_cmd 'true'
        run in_ns 'rt run "$CID" </dev/null'
        assert_status 0
        mounts_unchanged
        set_args sleep 1000
        run in_ns 'rt create "$CID" </dev/null >/dev/null 2>&1 || exit 1
                rt start "$CID"
                rt kill "$CID" KILL
                for i in $(seq 100); do [ "$(rt state "$CID" | grep -o stopped)" ] && break; sleep 0.05; done
                rt delete "$CID"'
        assert_status 0
        mounts_unchanged
        run in_ns 'rt run -d "$CID" </dev/null >/dev/null 2>&1 || exit 1; rt delete -f "$CID"'
        assert_status 0
        mounts_unchanged
}

@test "no mount namespace: a create that fails half-way leaves no mount" {
        husk_only "runc 1.1.5 leaves the mounts made before the failure"
        add_mount '{"destination": "/fail", "type": "no-such-fs", "source": "x"}'
        run in_ns 'rt create "$CID" </dev/null'
        [[ $status -ne 0 ]]
        assert_output_contains "/fail"
        mounts_unchanged
        assert_no_state
}

@test "no mount namespace: the engine's own mount at the rootfs stays after delete" {
        husk_only "runc 1.1.5 leaves the container's mounts in the caller's namespace"
        set_args true
        # as podman's overlay: a mount at the rootfs path, made before create
        run in_ns 'mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs" || exit 1
                rt run "$CID" </dev/null || exit 1
                grep -c " $BUNDLE/rootfs " /proc/self/mountinfo
                umount "$BUNDLE/rootfs"'
        assert_status 0
        [[ ${lines[1]} == 1 ]]
        mounts_unchanged
}

@test "no mount namespace: mount targets are resolved inside the rootfs" {
        writable_root
        mkdir "$BATS_TEST_TMPDIR/outside"
        ln -s "$BATS_TEST_TMPDIR/outside" "$BUNDLE/rootfs/escape"
        add_mount '{"destination": "/escape/x", "type": "tmpfs", "source": "tmpfs"}'
        set_cmd 'grep -q " /escape/x " /proc/self/mountinfo && echo inside'
        run in_ns 'rt run -d "$CID" </dev/null >/dev/null 2>&1 || exit 1
                grep -c " $BATS_TEST_TMPDIR/outside" /proc/self/mountinfo
                rt delete -f "$CID"' 
        assert_status 0
        # nothing mounted under the host directory the symlink names
        [[ ${lines[1]} == 0 ]]
        [[ -d $BUNDLE/rootfs$BATS_TEST_TMPDIR/outside/x ]]
}

@test "no mount namespace: exec runs in the container's root" {
        husk_only "runc 1.1.5's exec runs in the host's root and /proc"
        set_args sleep 1000
        touch "$BUNDLE/rootfs/marker-$CID"
        run in_ns 'rt run -d "$CID" </dev/null >/dev/null 2>&1 || exit 1
                rt exec "$CID" sh -c "ls /marker-*; cat /proc/1/comm"
                rt delete -f "$CID"'
        assert_status 0
        assert_output_contains "/marker-$CID"
        assert_output_contains "sleep"
}

@test "no mount namespace: maskedPaths are refused, naming the field" {
        update_config '.linux.maskedPaths = ["/proc/kcore"]'
        run in_ns 'rt create "$CID" </dev/null'
        [[ $status -ne 0 ]]
        if is_husk; then
                assert_output_contains "linux.maskedPaths: needs a mount namespace"
        fi
        assert_no_state
}
