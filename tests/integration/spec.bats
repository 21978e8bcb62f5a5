#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `spec`: the default config.json, -b, --rootless.

load helpers

@test "spec writes a valid config.json in the current directory" {
        mkdir "$BATS_TEST_TMPDIR/s"
        cd "$BATS_TEST_TMPDIR/s"
        run runtime spec
        assert_status 0
        jq -e '
                (.ociVersion | test("^1\\.")) and
                .process.terminal == true and
                .process.args == ["sh"] and
                .process.cwd == "/" and
                .process.user.uid == 0 and
                .root.path == "rootfs" and
                .root.readonly == true and
                (.mounts | map(.destination) | index("/proc") != null) and
                (.linux.namespaces | map(.type) | sort) == ($v2 + ["ipc", "mount", "network", "pid", "uts"] | sort) and
                (.linux.maskedPaths | length > 0) and
                (.linux.readonlyPaths | length > 0) and
                .process.noNewPrivileges == true' --argjson v2 "$(cgroup2_only_ns)" config.json
}

# ["cgroup"] on a pure cgroup v2 host (runc spec adds a cgroup namespace
# there), else [].
cgroup2_only_ns() {
        if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
                echo '["cgroup"]'
        else
                echo '[]'
        fi
}

@test "spec on a pure cgroup v2 host adds a cgroup namespace, as runc (also --rootless, before user)" {
        # a private mount namespace whose /sys/fs/cgroup is cgroup2 stands
        # for such a host, whatever this one is
        mkdir "$BATS_TEST_TMPDIR/s" "$BATS_TEST_TMPDIR/r"
        unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup &&
                "$0" spec -b "$1" && "$0" spec --rootless -b "$2"' \
                "$RUNTIME" "$BATS_TEST_TMPDIR/s" "$BATS_TEST_TMPDIR/r"
        [[ $(jq -c '[.linux.namespaces[].type]' "$BATS_TEST_TMPDIR/s/config.json") == '["pid","network","ipc","uts","mount","cgroup"]' ]]
        [[ $(jq -c '[.linux.namespaces[].type]' "$BATS_TEST_TMPDIR/r/config.json") == '["pid","ipc","uts","mount","cgroup","user"]' ]]
}

@test "spec -b DIR and --bundle DIR write there" {
        mkdir "$BATS_TEST_TMPDIR/s1" "$BATS_TEST_TMPDIR/s2"
        runtime spec -b "$BATS_TEST_TMPDIR/s1"
        runtime spec --bundle "$BATS_TEST_TMPDIR/s2"
        jq -e . "$BATS_TEST_TMPDIR/s1/config.json" >/dev/null
        jq -e . "$BATS_TEST_TMPDIR/s2/config.json" >/dev/null
}

@test "spec refuses to overwrite config.json" {
        mkdir "$BATS_TEST_TMPDIR/s"
        echo '{"mine": true}' >"$BATS_TEST_TMPDIR/s/config.json"
        run runtime spec -b "$BATS_TEST_TMPDIR/s"
        assert_status 1
        [[ $(cat "$BATS_TEST_TMPDIR/s/config.json") == '{"mine": true}' ]]
}

@test "spec --rootless: a user namespace mapping the caller, no network namespace" {
        mkdir "$BATS_TEST_TMPDIR/s"
        runtime spec --rootless -b "$BATS_TEST_TMPDIR/s"
        jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" '
                (.linux.namespaces | map(.type) | index("user") != null) and
                (.linux.namespaces | map(.type) | index("network") == null) and
                .linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}] and
                .linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]' \
                "$BATS_TEST_TMPDIR/s/config.json"
}

@test "the runtime's own spec runs the busybox bundle" {
        rm "$BUNDLE/config.json"
        runtime spec -b "$BUNDLE"
        update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo $$; hostname"]'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 1 ]]
}

@test "spec's ociVersion is 1.3.0 (husk)" {
        husk_only 'husk targets runtime-spec 1.3.0'
        mkdir "$BATS_TEST_TMPDIR/s"
        runtime spec -b "$BATS_TEST_TMPDIR/s"
        [[ $(jq -r .ociVersion "$BATS_TEST_TMPDIR/s/config.json") == 1.3.0 ]]
}

@test "mkbundle.sh with RUNTIME set uses the runtime's spec" {
        RUNTIME=$RUNTIME "$MKBUNDLE" "$BATS_TEST_TMPDIR/mb" -- echo from-mkbundle >/dev/null
        [[ $(jq -c .process.args "$BATS_TEST_TMPDIR/mb/config.json") == '["echo","from-mkbundle"]' ]]
        [[ $(jq -r .process.terminal "$BATS_TEST_TMPDIR/mb/config.json") == false ]]
        run runtime run -b "$BATS_TEST_TMPDIR/mb" "$CID" </dev/null
        assert_status 0
        [[ $output == from-mkbundle ]]
}
