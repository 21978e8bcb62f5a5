#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The root filesystem and config.json's mounts, seen from inside through
# /proc/self/mountinfo.

load helpers

# mountinfo_of DEST: run the container and print the mountinfo line of DEST.
mountinfo_of() {
        set_cmd "awk -v d='$1' '\$5 == d' /proc/self/mountinfo"
        run runtime run "$CID" </dev/null
        assert_status 0
        echo "$output"
}

# mount options (field 6) of DEST, one per line
mount_opts() {
        mountinfo_of "$1" | awk '{ print $6 }' | tr , '\n'
}

@test "the root is read-only with root.readonly" {
        set_cmd 'touch /newfile'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Read-only file system"
}

@test "the root is writable without root.readonly" {
        writable_root
        set_cmd 'touch /newfile && echo done'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ -e $BUNDLE/rootfs/newfile ]]
}

@test "root.path relative to the bundle, and absolute" {
        mv "$BUNDLE/rootfs" "$BUNDLE/other"
        update_config '.root.path = "other"'
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
        update_config '.root.path = $p' --arg p "$BUNDLE/other"
        run runtime run "$CID" </dev/null
        assert_status 0
}

@test "a read-only bind mount cannot be written" {
        mkdir "$BATS_TEST_TMPDIR/src"
        echo hostdata >"$BATS_TEST_TMPDIR/src/f"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/src" '{destination: "/mnt", type: "bind", source: $s, options: ["bind", "ro"]}')"
        set_cmd 'cat /mnt/f; echo x >/mnt/f'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains hostdata
        assert_output_contains "Read-only file system"
        [[ $(cat "$BATS_TEST_TMPDIR/src/f") == hostdata ]]
}

@test "a read-write bind mount writes through to the host" {
        share_dir
        set_cmd 'echo fromcontainer >/shared/f'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(cat "$SHARED/f") == fromcontainer ]]
}

@test "a bind mount of a single file" {
        echo filedata >"$BATS_TEST_TMPDIR/file"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/file" '{destination: "/etc/extra", type: "bind", source: $s, options: ["rbind", "ro"]}')"
        set_cmd 'cat /etc/extra'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == filedata ]]
}

@test "nosuid, nodev, noexec in mountinfo" {
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec"]}'
        opts=$(mount_opts /mnt)
        grep -qx nosuid <<<"$opts"
        grep -qx nodev <<<"$opts"
        grep -qx noexec <<<"$opts"
}

@test "without options: suid, dev, exec" {
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"}'
        opts=$(mount_opts /mnt)
        ! grep -qx nosuid <<<"$opts"
        ! grep -qx nodev <<<"$opts"
        ! grep -qx noexec <<<"$opts"
}

@test "noexec forbids running a binary from the mount" {
        writable_root
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["noexec"]}'
        set_cmd 'cp /bin/busybox /mnt/bb && /mnt/bb true'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Permission denied"
}

@test "atime flags: noatime, nodiratime, strictatime" {
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["noatime"]}'
        mount_opts /mnt | grep -qx noatime
        update_config '.mounts[-1].options = ["strictatime"]'
        opts=$(mount_opts /mnt)
        ! grep -qx relatime <<<"$opts"
        ! grep -qx noatime <<<"$opts"
}

@test "tmpfs size and mode" {
        # a destination that does not exist yet: runc 1.1.5 gives an
        # existing directory's mode to the tmpfs instead
        add_mount '{"destination": "/m700", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700"]}'
        set_cmd 'stat -c %a /m700; df -k /m700 | tail -n 1; awk '"'"'$5 == "/m700"'"'"' /proc/self/mountinfo'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 700 ]]
        [[ $(awk '{ print $2 }' <<<"${lines[1]}") == 1024 ]]
        [[ ${lines[2]} == *size=1024k* ]]
}

# runc 1.1.5 gives the tmpfs the covered directory's mode and drops mode=;
# crun, and husk, honour the option the user wrote.
@test "tmpfs mode=1777 over a 0700 directory is 1777" {
        husk_only "runc 1.1.5 keeps the covered directory's 0700"
        mkdir -m 0700 "$BUNDLE/rootfs/m"
        add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]}'
        set_cmd 'stat -c %a /m'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 1777 ]]
}

@test "a tmpfs without mode= over an existing directory keeps its mode, as runc" {
        mkdir -m 0710 "$BUNDLE/rootfs/m"
        add_mount '{"destination": "/m", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
        set_cmd 'stat -c %a /m'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 710 ]]
}

@test "a process.cwd that does not exist is created before root.readonly" {
        update_config '.root.readonly = true | .process.cwd = "/doesnotexist/sub"'
        set_cmd 'pwd; touch /x 2>/dev/null || echo read-only'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == /doesnotexist/sub ]]
        [[ ${lines[1]} == read-only ]]
}

@test "root.readonly without a /proc mount" {
        husk_only "runc 1.1.5 can't run a container without /proc: error closing exec fds: open /proc/self/fd"
        update_config '.root.readonly = true | .mounts |= map(select(.destination != "/proc")) |
                .linux.maskedPaths = [] | .linux.readonlyPaths = []'
        set_cmd 'touch /x 2>/dev/null || echo read-only; ls /proc | wc -l'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == read-only ]]
        [[ ${lines[1]} == 0 ]]
}

@test "a bind mount on / replaces the rootfs; later mounts go on top of it" {
        local src=$BATS_TEST_TMPDIR/otherroot
        cp -a "$BUNDLE/rootfs" "$src"
        touch "$src/FROM-BIND"
        update_config '.mounts = [{"destination": "/", "type": "bind", "source": $s, "options": ["rbind"]}] + .mounts' --arg s "$src"
        set_cmd 'ls /FROM-BIND; grep -c " /proc " /proc/self/mountinfo; touch /x 2>/dev/null || echo read-only'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == /FROM-BIND ]]
        [[ ${lines[1]} == 1 ]]
        [[ ${lines[2]} == read-only ]]
}

@test "a ro tmpfs" {
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}'
        mount_opts /mnt | grep -qx ro
}

@test "a mount destination is created, nested directories included" {
        add_mount '{"destination": "/a/b/c", "type": "tmpfs", "source": "tmpfs"}'
        line=$(mountinfo_of /a/b/c)
        [[ -n $line ]]
}

@test "mounts happen in order: a later mount covers an earlier one" {
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
        add_mount '{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m"]}'
        set_cmd 'df -k /mnt | tail -n 1'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(awk '{ print $2 }' <<<"$output") == 2048 ]]
}

@test "proc, sysfs, devpts, mqueue, tmpfs /dev of the default spec" {
        set_cmd 'cat /proc/self/mountinfo'
        run runtime run "$CID" </dev/null
        assert_status 0
        for m in "/proc proc" "/dev tmpfs" "/dev/pts devpts" "/dev/shm tmpfs" "/dev/mqueue mqueue" "/sys sysfs"; do
                set -- $m
                echo "$output" | awk -v d="$1" -v t="$2" '$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == t) f = 1; break } } END { exit !f }'
        done
        # /sys is read-only
        echo "$output" | awk '$5 == "/sys" { print $6 }' | tr , '\n' | grep -qx ro
}

@test "the container's /proc is its own pid namespace" {
        set_cmd 'ls -d /proc/[0-9]* | wc -l'
        run runtime run "$CID" </dev/null
        assert_status 0
        # sh, ls and wc at most
        [[ $output -le 3 ]]
}

@test "masked paths: files read empty, directories are empty" {
        writable_root
        echo secret >"$BUNDLE/rootfs/etc/secret"
        mkdir "$BUNDLE/rootfs/secretdir"
        echo secret >"$BUNDLE/rootfs/secretdir/f"
        update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir", "/proc/keys", "/no/such/path"]'
        set_cmd 'cat /etc/secret; ls -A /secretdir; cat /proc/keys; echo end'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == end ]]
}

@test "masked paths cannot be written" {
        writable_root
        echo secret >"$BUNDLE/rootfs/etc/secret"
        mkdir "$BUNDLE/rootfs/secretdir"
        update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir"]'
        set_cmd 'touch /secretdir/x'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        [[ $(cat "$BUNDLE/rootfs/etc/secret") == secret ]]
        [[ ! -e $BUNDLE/rootfs/secretdir/x ]]
}

@test "readonly paths are mounted read-only" {
        writable_root
        mkdir "$BUNDLE/rootfs/rodir"
        update_config '.linux.readonlyPaths += ["/rodir"]'
        set_cmd 'touch /rodir/x; grep -E " /proc/sys | /rodir " /proc/self/mountinfo'
        run runtime run "$CID" </dev/null
        assert_output_contains "Read-only file system"
        for d in /proc/sys /rodir; do
                echo "$output" | awk -v d="$d" '$5 == d { print $6 }' | tr , '\n' | grep -qx ro
        done
}

@test "--no-pivot runs the container in its root" {
        set_cmd 'cat /etc/passwd | head -n 1; ls /; cat /proc/1/cmdline'
        run runtime run --no-pivot "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == root:x:0:0:root:/root:/bin/sh ]]
        assert_output_contains home
}

@test "rootfsPropagation private and rprivate" {
        for p in private rprivate slave rslave; do
                update_config '.linux.rootfsPropagation = $p' --arg p "$p"
                set_args true
                run runtime run "$CID-$p" </dev/null
                assert_status 0
        done
}

@test "a bind mount with propagation flags" {
        share_dir
        update_config '.mounts[-1].options += ["rprivate"]'
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
}

# runc and crun open bind sources as root on the host (in the container's
# mount namespace, before the container's user namespace has a say): the
# mapped root can't search a 000 directory, but the mount works.
@test "userns: bind sources under a directory the mapped root can't search, directly and through a symlink" {
        userns_config
        local locked=$BATS_TEST_TMPDIR/locked
        mkdir -p "$locked/dir"
        echo in-dir >"$locked/dir/f"
        echo a-file >"$locked/file"
        ln -s "$locked/dir" "$BATS_TEST_TMPDIR/link-to-dir"
        chmod 000 "$locked"
        add_mount "$(jq -n --arg s "$locked/dir" '{"destination": "/d", "type": "bind", "source": $s, "options": ["rbind", "ro"]}')"
        add_mount "$(jq -n --arg s "$locked/file" '{"destination": "/f", "type": "bind", "source": $s, "options": ["bind", "ro"]}')"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/link-to-dir" '{"destination": "/l", "type": "bind", "source": $s, "options": ["rbind", "ro"]}')"
        set_cmd 'cat /d/f /f /l/f'
        run runtime run "$CID" </dev/null
        chmod 755 "$locked"
        assert_status 0
        [[ ${lines[0]} == in-dir && ${lines[1]} == a-file && ${lines[2]} == in-dir ]]
}

@test "userns: an idmapped bind source reached through a symlink into a 000 directory" {
        husk_only "runc 1.1.5 has no idmapped mounts"
        userns_config
        local locked=$BATS_TEST_TMPDIR/locked
        mkdir -p "$locked/dir"
        echo in-dir >"$locked/dir/f"
        echo a-file >"$locked/file"
        ln -s "$locked/dir" "$BATS_TEST_TMPDIR/link-to-dir"
        ln -s "$locked/file" "$BATS_TEST_TMPDIR/link-to-file"
        chmod 000 "$locked"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/link-to-dir" '{"destination": "/i", "type": "bind", "source": $s, "options": ["rbind", "idmap"]}')"
        add_mount "$(jq -n --arg s "$BATS_TEST_TMPDIR/link-to-file" '{"destination": "/if", "type": "bind", "source": $s, "options": ["bind", "idmap"]}')"
        # host root's files appear as the container's root (idmapped)
        set_cmd 'cat /i/f /if; stat -c %u /i/f /if'
        run runtime run "$CID" </dev/null
        chmod 755 "$locked"
        assert_status 0
        [[ ${lines[0]} == in-dir && ${lines[1]} == a-file && ${lines[2]} == 0 && ${lines[3]} == 0 ]]
}

@test "70 idmapped mounts without a user namespace: every one reaches the container" {
        husk_only "runc 1.1.5 has no idmapped mounts"
        # Without a container user namespace husk makes the idmapped mounts
        # before the init forks, and stage 1 keeps their fds open when it
        # closes what it inherited. Its keep list had 64 entries: the fds
        # past it (here the cgroup's: "clone into the container's cgroup:
        # Bad file descriptor") were closed.
        local src=$BATS_TEST_TMPDIR/src i mounts
        mkdir -p "$src"
        echo data >"$src/f"
        mounts=$(jq -n --arg s "$src" '[range(70) | {"destination": "/m\(.)", "type": "bind", "source": $s,
                "options": ["bind"], "uidMappings": [{"containerID": 0, "hostID": 1234, "size": 1}],
                "gidMappings": [{"containerID": 0, "hostID": 1234, "size": 1}]}]')
        update_config '.mounts += $m' --argjson m "$mounts"
        set_cmd 'for i in $(seq 0 69); do stat -c "$i %u %g" /m$i/f; done'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${#lines[@]} -eq 70 ]]
        for ((i = 0; i < 70; i++)); do
                [[ ${lines[i]} == "$i 1234 1234" ]] || { echo "mount $i: ${lines[i]}" >&2; false; }
        done
}
