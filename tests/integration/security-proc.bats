#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# /proc that is not procfs (CVE-2019-19921, CVE-2023-27561, CVE-2025-52881
# class): every write the runtime does under /proc (oom_score_adj, sysctl,
# attr/*, setgroups, uid_map) must reach the kernel through a real procfs,
# or fail naming the path; never land in files the image ships.
#
# Checked against husk 155bf74 (before util/procfs.c): the first two tests
# fail there (the image's /proc/self/oom_score_adj and
# /proc/sys/kernel/shmmax were overwritten, the real values unchanged).

load helpers

# No proc mount, nothing masked or made read-only under /proc, and an image
# whose /proc holds plain files where the kernel's would be.
fake_proc_image() {
        writable_root
        update_config '.mounts |= map(select(.destination != "/proc")) |
                .linux.maskedPaths = [] | .linux.readonlyPaths = []'
        mkdir -p "$BUNDLE/rootfs/proc/self" "$BUNDLE/rootfs/proc/sys/kernel" "$BUNDLE/rootfs/proc/thread-self/attr"
        echo fake >"$BUNDLE/rootfs/proc/self/oom_score_adj"
        echo fake >"$BUNDLE/rootfs/proc/sys/kernel/shmmax"
        echo fake >"$BUNDLE/rootfs/proc/thread-self/attr/exec"
}

# A user namespace mapping root to 100000: the kernel then refuses a private
# procfs (mount_too_revealing), leaving only the check of /proc itself.
userns_container() {
        update_config '.linux.namespaces += [{"type": "user"}] |
                .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
                .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
        chown -R 100000:100000 "$BUNDLE/rootfs"
        local d=$BUNDLE
        while [[ $d != / ]]; do
                chmod o+x "$d"
                d=$(dirname "$d")
        done
}

fake_files_untouched() {
        [[ $(cat "$BUNDLE/rootfs/proc/self/oom_score_adj") == fake ]]
        [[ $(cat "$BUNDLE/rootfs/proc/sys/kernel/shmmax") == fake ]]
        [[ $(cat "$BUNDLE/rootfs/proc/thread-self/attr/exec") == fake ]]
}

@test "a fake /proc/self in the image: oomScoreAdj reaches the kernel or fails, never the image's file" {
        fake_proc_image
        update_config '.process.oomScoreAdj = 123'
        set_args sleep 1000
        run create_container "$CID"
        if [[ $status -eq 0 ]]; then
                pid=$(container_pid "$CID")
                [[ $(cat /proc/$pid/oom_score_adj) == 123 ]]
        else
                grep -q '/proc' "$BATS_TEST_TMPDIR/$CID.err"
        fi
        fake_files_untouched
}

@test "a fake /proc/sys in the image: sysctl reaches the kernel or fails, never the image's file" {
        husk_only "runc 1.1.5 writes the image's file (CVE-2025-52881 class, fixed in later runc)"
        fake_proc_image
        update_config '.linux.sysctl = {"kernel.shmmax": "12345678"}'
        set_args sleep 1000
        run create_container "$CID"
        if [[ $status -eq 0 ]]; then
                pid=$(container_pid "$CID")
                [[ $(nsenter -t "$pid" -i cat /proc/sys/kernel/shmmax) == 12345678 ]]
        else
                grep -q '/proc' "$BATS_TEST_TMPDIR/$CID.err"
        fi
        fake_files_untouched
}

@test "a fake /proc in a user-namespaced container: a clear error naming the path (husk)" {
        husk_only "husk's wording; the kernel forbids a private procfs here, so only the check remains"
        fake_proc_image
        update_config '.process.oomScoreAdj = 123'
        userns_container
        set_args true
        run runtime run "$CID" </dev/null
        echo "$output"
        [[ $status -ne 0 ]]
        assert_output_contains '/proc/self/oom_score_adj: /proc is not a procfs mount'
        fake_files_untouched
        assert_no_state
}

@test "exec after the container replaced its /proc: oomScoreAdj reaches the kernel or fails, never the fake file" {
        # A container with CAP_SYS_ADMIN hides its procfs under a tmpfs that
        # holds a fake /proc/self/oom_score_adj, then waits for an exec.
        writable_root
        update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
                .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
                .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
        share_dir
        set_cmd 'mount -t tmpfs tmpfs /proc && mkdir -p /proc/self && echo fake >/proc/self/oom_score_adj &&
                touch /shared/ready && exec sleep 1000'
        run_detached "$CID"
        wait_file "$SHARED/ready"
        jq '.process | .oomScoreAdj = 55 | .args = ["sh", "-c", "sleep 1000 & echo $! >/shared/pid; wait"]' \
                "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/p.json"
        status=0
        runtime exec -d --process "$BATS_TEST_TMPDIR/p.json" "$CID" </dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 || status=$?
        output=$(cat "$BATS_TEST_TMPDIR/exec.out")
        echo "$output"
        if [[ $status -eq 0 ]]; then
                wait_file "$SHARED/pid"
                # the exec'd process's pid as the host sees it
                init=$(container_pid "$CID")
                # the exec'd shell: the process in the container's pid
                # namespace whose command line is ours
                ok=0
                for p in $(ls /proc | grep -E '^[0-9]+$'); do
                        [[ $(readlink /proc/$p/ns/pid 2>/dev/null) == "$(readlink /proc/$init/ns/pid)" ]] || continue
                        [[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == "sh -c sleep 1000 & echo"* ]] || continue
                        [[ $(cat /proc/$p/oom_score_adj) == 55 ]] && ok=1
                done
                [[ $ok == 1 ]]
        else
                assert_output_contains '/proc'
        fi
        [[ $(nsenter -t "$(container_pid "$CID")" -m cat /proc/self/oom_score_adj) == fake ]]
}

@test "/proc in the image is a symlink to a fake proc: the mount and the writes never land in it (CVE-2019-19921)" {
        # The image's /proc points at a directory of plain files; the config
        # mounts procfs on /proc and sets oomScoreAdj.
        writable_root
        rmdir "$BUNDLE/rootfs/proc"
        mkdir -p "$BUNDLE/rootfs/fakeproc/self"
        echo fake >"$BUNDLE/rootfs/fakeproc/self/oom_score_adj"
        ln -s /fakeproc "$BUNDLE/rootfs/proc"
        update_config '.process.oomScoreAdj = 321'
        set_args sleep 600
        run create_container "$CID"
        if [[ $status -eq 0 ]]; then
                pid=$(container_pid "$CID")
                [[ $(cat /proc/$pid/oom_score_adj) == 321 ]]
        fi
        [[ $(cat "$BUNDLE/rootfs/fakeproc/self/oom_score_adj") == fake ]]
}

@test "a fake /proc/self/fd in the image can't send the masking of a path elsewhere" {
        # No proc mount; the image's /proc/self/fd/N all point at /decoy,
        # so a mount onto "/proc/self/fd/N" after pivot_root would mask
        # /decoy and leave /secret readable. Checked: fails on husk 6e35f6e
        # (SECRET is printed).
        fake_proc_image
        echo SECRET >"$BUNDLE/rootfs/secret"
        echo decoy >"$BUNDLE/rootfs/decoy"
        mkdir -p "$BUNDLE/rootfs/proc/self/fd"
        for n in $(seq 0 64); do ln -s /decoy "$BUNDLE/rootfs/proc/self/fd/$n"; done
        update_config '.linux.maskedPaths = ["/secret"]'
        set_args cat /secret
        run runtime run "$CID" </dev/null
        echo "$status $output"
        [[ $output != *SECRET* ]]
        if is_husk; then
                [[ $status -ne 0 ]]
                assert_output_contains "/proc is not a procfs mount"
        fi
        assert_no_state
}
