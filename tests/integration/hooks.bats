#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# hooks: order, the state on stdin, failures, timeouts, env.

load helpers

# A hook writes its name to $SHARED/order and its stdin to $SHARED/<name>.json.
# Host-side hooks run $HOOK; startContainer runs in the container, so its
# script is in the rootfs and writes to /shared.
make_hooks() {
        HOOK=$BATS_TEST_TMPDIR/hook.sh
        cat >"$HOOK" <<HOOKEOF
#!/bin/sh
cat >"$SHARED/\$1.json"
echo "\$1" >>"$SHARED/order"
HOOKEOF
        chmod 755 "$HOOK"
        cat >"$BUNDLE/rootfs/bin/hook-in-container" <<'HOOKEOF'
#!/bin/sh
cat >"/shared/$1.json"
echo "$1" >>/shared/order
HOOKEOF
        chmod 755 "$BUNDLE/rootfs/bin/hook-in-container"
        share_dir
}

all_hooks_config() {
        update_config '.hooks = {
                "prestart": [{"path": $h, "args": ["hook.sh", "prestart"]}],
                "createRuntime": [{"path": $h, "args": ["hook.sh", "createRuntime"]}],
                "createContainer": [{"path": $h, "args": ["hook.sh", "createContainer"]}],
                "startContainer": [{"path": "/bin/hook-in-container", "args": ["hook", "startContainer"]}],
                "poststart": [{"path": $h, "args": ["hook.sh", "poststart"]}],
                "poststop": [{"path": $h, "args": ["hook.sh", "poststop"]}]}' --arg h "$HOOK"
}

@test "every hook runs, in order, at its step" {
        is_runc && skip "runc 1.1.5 runs poststart hooks during create, before startContainer (fixed in runc 1.2)"
        make_hooks
        all_hooks_config
        set_args sleep 1000
        create_container "$CID"
        cat "$SHARED/order"
        [[ $(cat "$SHARED/order" | tr '\n' ' ') == "prestart createRuntime createContainer " ]]
        runtime start "$CID"
        cat "$SHARED/order"
        [[ $(cat "$SHARED/order" | tr '\n' ' ') == "prestart createRuntime createContainer startContainer poststart " ]]
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        runtime delete "$CID"
        cat "$SHARED/order"
        [[ $(cat "$SHARED/order" | tr '\n' ' ') == "prestart createRuntime createContainer startContainer poststart poststop " ]]
}

@test "each hook gets the state on stdin with the right status" {
        make_hooks
        all_hooks_config
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        runtime start "$CID"
        runtime delete --force "$CID"
        for h in prestart createRuntime createContainer startContainer poststart poststop; do
                echo "$h: $(cat "$SHARED/$h.json")"
                jq -e --arg id "$CID" --arg b "$BUNDLE" '.id == $id and .bundle == $b and (.ociVersion | length > 0)' "$SHARED/$h.json"
        done
        for h in prestart createRuntime createContainer; do
                [[ $(jq -r .status "$SHARED/$h.json") == creating ]]
        done
        [[ $(jq -r .status "$SHARED/startContainer.json") == created ]]
        # runc 1.1.5 says created, the spec's state at that point is running
        [[ $(jq -r .status "$SHARED/poststart.json") =~ ^(created|running)$ ]]
        [[ $(jq -r .status "$SHARED/poststop.json") == stopped ]]
        # the host-side hooks see the init's host pid
        for h in prestart createRuntime poststart; do
                [[ $(jq -r .pid "$SHARED/$h.json") == "$pid" ]]
        done
}

# createContainer and startContainer run in the container's namespaces: the
# runtime-spec gives them the pid as the container sees it, and runc 1.1.5
# its init's getpid(). husk gave them the host pid.
container_hooks_pids() {
        make_hooks
        update_config '.hooks = {
                "createContainer": [{"path": $h, "args": ["hook.sh", "createContainer"]}],
                "startContainer": [{"path": "/bin/hook-in-container", "args": ["hook", "startContainer"]}]}' \
                --arg h "$HOOK"
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        runtime start "$CID"
        runtime delete --force "$CID"
        cat "$SHARED/createContainer.json" "$SHARED/startContainer.json"
}

@test "createContainer and startContainer hooks get the container's pid, as runc" {
        container_hooks_pids
        [[ $(jq -r .pid "$SHARED/createContainer.json") == 1 ]]
        [[ $(jq -r .pid "$SHARED/startContainer.json") == 1 ]]
}

@test "createContainer and startContainer hooks get the host pid without a pid namespace, as runc" {
        update_config '.linux.namespaces |= map(select(.type != "pid"))'
        container_hooks_pids
        [[ $pid -gt 1 ]]
        [[ $(jq -r .pid "$SHARED/createContainer.json") == "$pid" ]]
        [[ $(jq -r .pid "$SHARED/startContainer.json") == "$pid" ]]
}

@test "run calls the hooks and poststop when the process exits" {
        is_runc && skip "runc 1.1.5 runs poststart hooks during create, before startContainer (fixed in runc 1.2)"
        make_hooks
        all_hooks_config
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
        cat "$SHARED/order"
        [[ $(cat "$SHARED/order" | tr '\n' ' ') == "prestart createRuntime createContainer startContainer poststart poststop " ]]
}

@test "a hook's args and env are passed" {
        share_dir
        update_config '.hooks = {"prestart": [{"path": "/bin/sh",
                "args": ["sh", "-c", "echo \"$0 $1 $HOOKVAR\" >\"$2\"", "a b", "c", $f],
                "env": ["HOOKVAR=hookval"]}]}' --arg f "$SHARED/out"
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(cat "$SHARED/out") == "a b c hookval" ]]
}

@test "a failing prestart hook fails create and leaves nothing" {
        update_config '.hooks = {"prestart": [{"path": "/bin/false"}]}'
        set_args sleep 1000
        run runtime create "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
        run runtime state "$CID"
        assert_status 1
}

@test "a failing createRuntime or createContainer hook fails create and leaves nothing" {
        for kind in createRuntime createContainer; do
                update_config '.hooks = {($k): [{"path": "/bin/false"}]}' --arg k "$kind"
                set_args sleep 1000
                run runtime create "$CID-$kind" </dev/null
                [[ $status -ne 0 ]]
                assert_no_state
        done
}

@test "a failing startContainer hook fails start" {
        update_config '.hooks = {"startContainer": [{"path": "/bin/false"}]}'
        set_args sleep 1000
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "a startContainer hook runs under the process's seccomp filter (no_new_privs too)" {
        share_dir
        # mkdir is killed; the architectures list leaves out the native one,
        # which a filter always covers
        update_config '.process.noNewPrivileges = true
                | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"],
                        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}
                | .hooks = {"startContainer": [{"path": "/bin/mkdir", "args": ["mkdir", "/shared/made-by-hook"]}]}'
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        [[ ! -e $SHARED/made-by-hook ]]
        # the words runc uses: users search for them
        assert_output_contains "error running"
        assert_output_contains "bad system call"
        assert_no_state
}

@test "a failing poststop hook does not stop delete" {
        make_hooks
        update_config '.hooks = {"poststop": [{"path": "/bin/false"}, {"path": $h, "args": ["hook.sh", "poststop"]}]}' --arg h "$HOOK"
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime delete "$CID"
        assert_no_state
}

@test "a hook past its timeout fails create" {
        update_config '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
        set_args true
        SECONDS=0
        run runtime create "$CID" </dev/null
        [[ $status -ne 0 ]]
        [[ $SECONDS -lt 20 ]]
        assert_no_state
}

@test "a missing hook binary fails create and leaves nothing" {
        update_config '.hooks = {"prestart": [{"path": "/no/such/hook"}]}'
        set_args true
        run runtime create "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

# runc runs a hook without "env" with its own environment (Go's exec with
# a nil Env), and the in-container ones (createContainer, startContainer)
# with process.env, which its init has taken on by then.
@test "a hook without env gets the runtime's environment (in-container hooks: process.env)" {
        make_hooks
        update_config '.process.env += ["INPROC=fromprocess"]'
        update_config '.hooks = {
                "prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >\"$0\"", ($s + "/prestart")]}],
                "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >\"$0\"", ($s + "/createRuntime")]}],
                "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >\"$0\"", ($s + "/createContainer")]}],
                "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >/shared/startContainer"]}],
                "poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >\"$0\"", ($s + "/poststart")]}],
                "poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$HOOKVAR:$INPROC:${PATH:+path}\" >\"$0\"", ($s + "/poststop")]}]}' --arg s "$SHARED"
        set_args true
        HOOKVAR=fromruntime runtime run "$CID" </dev/null
        for h in prestart createRuntime poststart poststop; do
                echo "$h: $(cat "$SHARED/$h")"
                [[ $(cat "$SHARED/$h") == fromruntime::path ]]
        done
        for h in createContainer startContainer; do
                echo "$h: $(cat "$SHARED/$h")"
                [[ $(cat "$SHARED/$h") == :fromprocess:path ]]
        done
}

# runc runs from the bundle (create/run chdir there); createContainer hooks
# run in its init, in the rootfs before pivot_root; startContainer in the
# container, after the chdir to process.cwd.
@test "each hook runs in runc's working directory: bundle, rootfs, process.cwd" {
        share_dir
        writable_root
        mkdir -p "$BUNDLE/rootfs/work"
        update_config '.process.cwd = "/work"'
        local k hooks='{}'
        for k in prestart createRuntime createContainer poststart poststop; do
                hooks=$(jq --arg k "$k" --arg f "$SHARED/$k" \
                        '.[$k] = [{"path": "/bin/sh", "args": ["sh", "-c", "pwd -P >\"$0\"", $f]}]' <<<"$hooks")
        done
        hooks=$(jq '.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "pwd -P >/shared/startContainer"]}]' <<<"$hooks")
        update_config '.hooks = $h' --argjson h "$hooks"
        set_args true
        local bundle
        bundle=$(cd "$BUNDLE" && pwd -P)
        cd /
        runtime run -b "$BUNDLE" "$CID" </dev/null
        for k in prestart createRuntime poststart poststop; do
                echo "$k: $(cat "$SHARED/$k")"
                [[ $(cat "$SHARED/$k") == "$bundle" ]]
        done
        echo "createContainer: $(cat "$SHARED/createContainer")"
        [[ $(cat "$SHARED/createContainer") == "$bundle/rootfs" ]]
        echo "startContainer: $(cat "$SHARED/startContainer")"
        [[ $(cat "$SHARED/startContainer") == /work ]]
}

# runtime-spec v1.3.0 lifecycle step 9: "If any poststart hook fails, the
# runtime MUST generate an error, stop the container, and continue the
# lifecycle at step 12" (destroy, then the poststop hooks).
@test "a failing poststart hook fails run, stops and destroys the container, runs poststop" {
        make_hooks
        update_config '.hooks = {"poststart": [{"path": "/bin/false"}],
                "poststop": [{"path": $h, "args": ["hook.sh", "poststop"]}]}' --arg h "$HOOK"
        set_args sleep 1000
        # stdio on files: a container left running must not hold a pipe
        run run_detached "$CID"
        cat "$BATS_TEST_TMPDIR/$CID.err"
        [[ $status -ne 0 ]]
        assert_no_state
        [[ $(cat "$SHARED/order") == poststop ]]
}

@test "a failing poststart hook fails start, stops and destroys the container" {
        make_hooks
        update_config '.hooks = {"poststart": [{"path": "/bin/false"}],
                "poststop": [{"path": $h, "args": ["hook.sh", "poststop"]}]}' --arg h "$HOOK"
        set_args sleep 1000
        # runc 1.1.5 runs poststart hooks in create: there it is create that fails
        if create_container "$CID"; then
                pid=$(container_pid "$CID")
                track_pid "$pid"
                run runtime start "$CID"
                echo "$output"
                [[ $status -ne 0 ]]
                wait_pid_gone "$pid" 5
        else
                is_runc
        fi
        assert_no_state
        [[ $(cat "$SHARED/order") == poststop ]]
}

@test "prestart and createRuntime hooks see the init in the container's cgroup; createContainer hooks run in it" {
        HOOK=$BATS_TEST_TMPDIR/cg-hook.sh
        cat >"$HOOK" <<HOOKEOF
#!/bin/sh
pid=\$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
cat "/proc/\$pid/cgroup" >"$BATS_TEST_TMPDIR/\$1.init"
cat /proc/self/cgroup >"$BATS_TEST_TMPDIR/\$1.self"
HOOKEOF
        chmod 755 "$HOOK"
        update_config '.linux.cgroupsPath = $p | .hooks = {
                "prestart": [{"path": $h, "args": ["cg-hook.sh", "prestart"]}],
                "createRuntime": [{"path": $h, "args": ["cg-hook.sh", "createRuntime"]}],
                "createContainer": [{"path": $h, "args": ["cg-hook.sh", "createContainer"]}]}' \
                --arg h "$HOOK" --arg p "/$CID"
        set_args sleep 1000
        create_container "$CID"
        local f line
        # (createContainer's state has the pid as the container sees it)
        for f in prestart.init createRuntime.init createContainer.self; do
                echo "$f:"
                cat "$BATS_TEST_TMPDIR/$f"
                # the memory hierarchy (v1) or the unified one (v2)
                line=$(grep -E '^[0-9]+:(memory|[^:]*,memory|):' "$BATS_TEST_TMPDIR/$f" | head -n1)
                [[ -n $line ]]
                [[ $line == *":/$CID" ]]
        done
}

@test "start and delete of a container without poststart and poststop hooks do not read its saved config" {
        husk_only "counts husk's own system calls"
        command -v strace >/dev/null || skip "needs strace"
        make_hooks
        # hooks of the other kinds don't make start or delete read it
        update_config '.hooks = {"prestart": [{"path": $h, "args": ["hook.sh", "prestart"]}]}' --arg h "$HOOK"
        set_args true
        create_container "$CID"
        local trace=$BATS_TEST_TMPDIR/hooks.strace
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=openat -o "$trace.start" \
                "$RUNTIME" --root "$ROOT" start "$CID"
        wait_status "$CID" stopped
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=openat -o "$trace.delete" \
                "$RUNTIME" --root "$ROOT" delete "$CID"
        assert_no_state
        [[ -z $(grep config.json "$trace.start" "$trace.delete") ]]
}

@test "poststart and poststop hooks run for a container whose state.json does not say which hooks it has (an older husk's)" {
        husk_only "husk's state.json"
        make_hooks
        all_hooks_config
        set_args sleep 1000
        create_container "$CID"
        local st=$ROOT/$CID/state.json
        jq -e '.poststart_hooks == true and .poststop_hooks == true' "$st"
        jq -c 'del(.poststart_hooks, .poststop_hooks)' "$st" >"$st.new"
        mv "$st.new" "$st"
        runtime start "$CID"
        runtime kill "$CID" KILL
        wait_status "$CID" stopped
        runtime delete "$CID"
        [[ $(cat "$SHARED/order" | tr '\n' ' ') == "prestart createRuntime createContainer startContainer poststart poststop " ]]
}
