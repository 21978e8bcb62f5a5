#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# process.*: args, env, cwd, user and groups, umask, oomScoreAdj; PID 1,
# hostname, domainname and namespaces.

load helpers

@test "the process is PID 1 of its own pid namespace" {
        set_cmd 'echo $$; cat /proc/1/cmdline | tr "\0" " "; echo; ps -o pid,comm | wc -l'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 1 ]]
        [[ ${lines[1]} == "sh -c "* ]]
}

@test "hostname" {
        update_config '.hostname = "itest-host"'
        set_cmd 'hostname'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == itest-host ]]
        [[ $(hostname) != itest-host ]]
}

@test "domainname" {
        is_runc && skip "runc 1.1.5 does not implement domainname"
        update_config '.hostname = "itest-host" | .domainname = "itest.example"'
        set_cmd 'cat /proc/sys/kernel/domainname'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == itest.example ]]
}

@test "the container has its own namespaces" {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        for ns in pid net ipc uts mnt; do
                [[ $(readlink "/proc/$pid/ns/$ns") != "$(readlink "/proc/self/ns/$ns")" ]]
        done
}

# runc and crun bring lo up in a network namespace they create: 127.0.0.1
# works with no network set up. (/sys/class/net/lo/flags: IFF_UP is 0x1.)
@test "lo is up in a new network namespace, also in a user namespace" {
        set_cmd 'echo $(( $(cat /sys/class/net/lo/flags) & 1 ))'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 1 ]]
        userns_config
        run runtime run "$CID-u" </dev/null
        assert_status 0
        [[ $output == 1 ]]
}

@test "joining a namespace by path" {
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        update_config '.linux.namespaces |= map(if .type == "network" or .type == "uts" then .path = ("/proc/" + $p + "/ns/" + (if .type == "network" then "net" else "uts" end)) else . end) | del(.hostname)' --arg p "$pid"
        run_detached "$CID-b"
        pid2=$(container_pid "$CID-b")
        [[ $(readlink "/proc/$pid2/ns/net") == "$(readlink "/proc/$pid/ns/net")" ]]
        [[ $(readlink "/proc/$pid2/ns/uts") == "$(readlink "/proc/$pid/ns/uts")" ]]
        [[ $(readlink "/proc/$pid2/ns/pid") != "$(readlink "/proc/$pid/ns/pid")" ]]
}

@test "a namespace left out is shared with the host" {
        update_config '.linux.namespaces |= map(select(.type != "network"))'
        set_args sleep 1000
        run_detached "$CID"
        pid=$(container_pid "$CID")
        [[ $(readlink "/proc/$pid/ns/net") == "$(readlink /proc/self/ns/net)" ]]
}

@test "args are passed verbatim" {
        set_args /bin/echo 'two words' '"quoted"' '$HOME' ''
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 'two words "quoted" $HOME ' ]]
}

@test "env, and HOME from /etc/passwd when unset" {
        update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
        set_cmd 'echo "$FOO|$EMPTY|$PATH|$HOME"'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == "bar baz||/bin|/root" ]]
}

@test "cwd" {
        update_config '.process.cwd = "/home/user"'
        set_cmd 'pwd'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == /home/user ]]
}

@test "a relative process.args[0] is looked up in PATH" {
        set_args echo hi
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == hi ]]
}

@test "uid and gid" {
        update_config '.process.user = {"uid": 1000, "gid": 1000}'
        set_cmd 'id; echo $HOME'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "uid=1000(user) gid=1000(user)" || ${lines[0]} == "uid=1000(user) gid=1000(user) groups=1000(user)" ]]
        [[ ${lines[1]} == /home/user ]]
}

@test "additionalGids" {
        update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [100, 5]}'
        set_cmd 'id; grep ^Groups: /proc/self/status'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "uid=1000(user) gid=1000(user) groups=5(tty),100(users)" ]]
        [[ $(echo ${lines[1]}) == "Groups: 5 100" ]]
}

@test "root keeps no supplementary groups of the host" {
        set_cmd 'grep ^Groups: /proc/self/status'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(echo $output) == "Groups:" ]]
}

@test "a uid without a passwd entry" {
        update_config '.process.user = {"uid": 4242, "gid": 4243}'
        set_cmd 'id -u; id -g'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 4242 && ${lines[1]} == 4243 ]]
}

@test "umask" {
        update_config '.process.user.umask = 23'
        set_cmd 'umask'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 0027 ]]
}

@test "files are created with the umask" {
        share_dir
        update_config '.process.user.umask = 63'
        set_cmd 'touch /shared/f; mkdir /shared/d; stat -c %a /shared/f /shared/d'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 600 && ${lines[1]} == 700 ]]
}

@test "oomScoreAdj" {
        update_config '.process.oomScoreAdj = 100'
        set_cmd 'cat /proc/self/oom_score_adj'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == 100 ]]
}

@test "a new session keyring, none with --no-new-keyring" {
        [[ -e /proc/keys ]] || skip "no /proc/keys (CONFIG_KEYS off)"
        update_config '.linux.maskedPaths -= ["/proc/keys"]'
        set_cmd 'cat /proc/keys'
        run runtime run "$CID" </dev/null
        assert_status 0
        # a new session keyring: runc names it _ses.<id>, husk _ses
        grep -Eq "keyring +_ses(\.$CID)?:" <<<"$output"
        # another id: the first keyring may linger until the kernel's gc
        run runtime run --no-new-keyring "$CID-nk" </dev/null
        assert_status 0
        [[ $output != *"_ses.$CID-nk:"* ]]
}

@test "sysctl" {
        update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"}'
        # the default spec has /proc/sys read-only; sysctls are set before
        set_cmd 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 1 && ${lines[1]} == 1 ]]
}

# As for exec (exec.bats): setgroups(2) can be refused only in a user
# namespace whose setgroups file says "deny"; the init reads it through a
# procfs of its own (fsopen), so only where there is a user namespace.
@test "create without a user namespace mounts no procfs to check setgroups; the groups are set" {
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        update_config '.process.user = {"uid": 1000, "gid": 100, "additionalGids": [5, 6]}'
        set_cmd 'id -G'
        setgroups_traced run "$CID"
        ! grep -q fsopen "$BATS_TEST_TMPDIR/strace"
}

@test "create in a user namespace still checks setgroups there; the groups are set" {
        husk_only "husk's system calls"
        command -v strace >/dev/null || skip "no strace"
        userns_config
        update_config '.process.user = {"uid": 1000, "gid": 100, "additionalGids": [5, 6]}'
        set_cmd 'id -G'
        setgroups_traced run "$CID"
        grep -q 'fsopen("proc"' "$BATS_TEST_TMPDIR/strace"
}
