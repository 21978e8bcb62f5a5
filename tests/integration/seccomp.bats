#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.seccomp through libseccomp, and noNewPrivileges.

load helpers

# seccomp_deny ACTION [ERRNO-RET] SYSCALL...: allow all but SYSCALLs.
seccomp_deny() {
        local action=$1 ret=$2
        shift 2
        local names
        names=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": $n, "action": $a} + (if $r == "" then {} else {"errnoRet": ($r | tonumber)} end)]}' \
                --argjson n "$names" --arg a "$action" --arg r "$ret"
}

@test "without seccomp mkdir works (control)" {
        writable_root
        set_cmd 'mkdir /tmp/d && echo made; grep ^Seccomp: /proc/self/status'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == made ]]
        [[ $(echo ${lines[1]}) == "Seccomp: 0" ]]
}

@test "SCMP_ACT_ERRNO denies mkdir with EPERM" {
        writable_root
        seccomp_deny SCMP_ACT_ERRNO "" mkdir mkdirat
        set_cmd 'grep ^Seccomp: /proc/self/status; mkdir /tmp/d'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        [[ $(echo ${lines[0]}) == "Seccomp: 2" ]]
        assert_output_contains "Operation not permitted"
        [[ ! -e $BUNDLE/rootfs/tmp/d ]]
}

@test "errnoRet chooses the errno" {
        writable_root
        # EACCES
        seccomp_deny SCMP_ACT_ERRNO 13 mkdir mkdirat
        set_cmd 'mkdir /tmp/d'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Permission denied"
}

@test "SCMP_ACT_KILL kills the process: exit 128+SIGSYS" {
        writable_root
        seccomp_deny SCMP_ACT_KILL "" mkdir mkdirat
        set_args mkdir /tmp/d
        run runtime run "$CID" </dev/null
        assert_status 159
}

@test "an argument condition: kill(_, SIGUSR1) is denied, kill(_, 0) is not" {
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                        "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}'
        set_cmd 'kill -0 $$ && echo zero-ok; kill -USR1 $$ || echo usr1-denied'
        run runtime run "$CID" </dev/null
        assert_output_contains zero-ok
        assert_output_contains usr1-denied
}

@test "defaultAction ERRNO with an allow list" {
        # what busybox true needs, plus what a runtime may still call
        # between loading the filter and execve
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO",
                "syscalls": [{"names": ["execve", "execveat", "arch_prctl", "set_tid_address", "exit_group",
                        "exit", "brk", "mmap", "munmap", "mprotect", "madvise", "getuid", "geteuid", "getgid",
                        "getegid", "getpid", "gettid", "getppid", "tgkill", "rt_sigaction", "rt_sigprocmask",
                        "rt_sigreturn", "sigaltstack", "read", "write", "close", "fstat", "newfstatat",
                        "readlink", "readlinkat", "open", "openat", "fcntl", "futex", "nanosleep",
                        "sched_yield", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait",
                        "pipe2", "getrandom", "capget", "capset", "prctl", "setgroups", "setuid",
                        "setgid", "setresuid", "setresgid", "dup3", "fchdir", "chdir", "getcwd",
                        "clone", "mlock", "statfs", "fstatfs", "poll", "ppoll", "getdents64", "lseek", "set_robust_list", "rseq", "prlimit64", "close_range"],
                        "action": "SCMP_ACT_ALLOW"}]}'
        set_args /bin/true
        run runtime run "$CID" </dev/null
        assert_status 0
}

@test "architectures list is accepted" {
        writable_root
        seccomp_deny SCMP_ACT_ERRNO "" mkdir mkdirat
        update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'
        set_cmd 'mkdir /tmp/d'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Operation not permitted"
}

@test "an unknown syscall name is ignored or refused, never fatal at run time" {
        writable_root
        seccomp_deny SCMP_ACT_ERRNO "" mkdir mkdirat no_such_syscall_itest
        set_cmd 'mkdir /tmp/d'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "an unknown action is an error" {
        seccomp_deny SCMP_ACT_NO_SUCH "" mkdir
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "noNewPrivileges true: NoNewPrivs 1" {
        set_cmd 'grep ^NoNewPrivs: /proc/self/status'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(echo $output) == "NoNewPrivs: 1" ]]
}

@test "noNewPrivileges false: NoNewPrivs 0" {
        update_config '.process.noNewPrivileges = false'
        set_cmd 'grep ^NoNewPrivs: /proc/self/status'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(echo $output) == "NoNewPrivs: 0" ]]
}

@test "seccomp without noNewPrivileges works as root" {
        writable_root
        update_config '.process.noNewPrivileges = false'
        seccomp_deny SCMP_ACT_ERRNO "" mkdir mkdirat
        set_cmd 'mkdir /tmp/d'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Operation not permitted"
}

@test "SCMP_ACT_NOTIFY: the listener gets the fd and the process state" {
        local recvfd=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/recvfd}
        if [[ -z $recvfd || ! -x $recvfd ]]; then
                recvfd=$BATS_TEST_TMPDIR/recvfd
                ${CC:-cc} -O2 -o "$recvfd" "$INTEGRATION_DIR/helpers/recvfd.c"
        fi
        local sock=$BATS_TEST_TMPDIR/listener.sock
        "$recvfd" "$sock" "$BATS_TEST_TMPDIR/listener.out" &
        local recv=$!
        BG_PIDS+=("$recv")
        wait_file "$sock"
        writable_root
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s,
                "listenerMetadata": "meta-1", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}' \
                --arg s "$sock"
        # recvfd closes the fd at once: a notifying syscall then fails with ENOSYS
        set_cmd 'mkdir /tmp/d 2>&1; echo rc=$?'
        run runtime run "$CID" </dev/null
        assert_status 0
        wait "$recv"
        assert_output_contains "Function not implemented"
        local json
        json=$(head -1 "$BATS_TEST_TMPDIR/listener.out")
        [[ $(jq -r '.fds[0]' <<<"$json") == seccompFd ]]
        [[ $(jq -r .metadata <<<"$json") == meta-1 ]]
        [[ $(jq -r .state.id <<<"$json") == "$CID" ]]
        [[ $(jq -r .state.status <<<"$json") == creating ]]
        [[ $(jq -r .pid <<<"$json") -gt 0 ]]
        # what came with it really is a seccomp listener
        grep -qx "link: anon_inode:seccomp notify" "$BATS_TEST_TMPDIR/listener.out"
}

@test "SCMP_ACT_NOTIFY on write is refused before anything runs, in runc's words" {
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent-itest/sock",
                "syscalls": [{"names": ["write"], "action": "SCMP_ACT_NOTIFY"}]}'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "SCMP_ACT_NOTIFY cannot be used for the write syscall"
        assert_no_state
}
