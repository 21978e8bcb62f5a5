#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rootless: the runtime run by a real unprivileged user that setup_file
# creates (with a subordinate id range in /etc/subuid and /etc/subgid) and
# teardown_file removes. The user gets its own directory (the build dir may
# not be traversable): a copy of the runtime and the helpers, its
# XDG_RUNTIME_DIR (so the default state root is $XDG_RUNTIME_DIR/<runtime>),
# and one directory per test with the bundle.

load helpers

# runc keeps its state in $XDG_RUNTIME_DIR/runc, husk in .../husk
state_name() {
        if is_runc; then echo runc; else echo husk; fi
}

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
                export ITEST_SKIP="needs useradd and setpriv"
                return 0
        fi
        if [[ $(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1) != 1 ]]; then
                export ITEST_SKIP="unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone)"
                return 0
        fi
        export RL_USER=hrl$(printf '%04x%04x' $RANDOM $RANDOM)
        useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
                --comment "husk rootless.bats" "$RL_USER"
        export RL_UID RL_GID
        RL_UID=$(id -u "$RL_USER")
        RL_GID=$(id -g "$RL_USER")
        # useradd may have given it a range already (SUB_UID_MIN in
        # login.defs); else take one past every range in use
        local f end
        for f in /etc/subuid /etc/subgid; do
                if ! grep -q "^$RL_USER:" "$f" 2>/dev/null; then
                        end=$(awk -F: 'BEGIN { m = 400000 } $2 + $3 > m { m = $2 + $3 } END { print m }' \
                                /etc/subuid /etc/subgid 2>/dev/null)
                        echo "$RL_USER:$end:65536" >>"$f"
                fi
        done
        export RL_SUBUID RL_SUBGID
        RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
        RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)

        export RL_DIR
        RL_DIR=$(mktemp -d /tmp/husk-rootless.XXXXXX)
        chmod 0755 "$RL_DIR"
        mkdir -m 0755 "$RL_DIR/bin"
        install -m 0755 "$RUNTIME" "$RL_DIR/bin/$RUNTIME_NAME"
        # a statically linked husk runs husk-dynamic, next to it, for
        # what talks to systemd (rootless on a systemd host)
        local twin
        twin=$(dirname "$RUNTIME")/husk-dynamic
        [[ ! -x $twin ]] || install -m 0755 "$twin" "$RL_DIR/bin/husk-dynamic"
        local h src
        for h in recvtty recvfd; do
                src=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/$h}
                if [[ -n $src && -x $src ]]; then
                        install -m 0755 "$src" "$RL_DIR/bin/$h"
                else
                        ${CC:-cc} -O2 -o "$RL_DIR/bin/$h" "$INTEGRATION_DIR/helpers/$h.c" || true
                fi
        done
        export RL_RUNTIME=$RL_DIR/bin/$RUNTIME_NAME
        export RL_XDG=$RL_DIR/xdg
        install -d -m 0700 -o "$RL_UID" -g "$RL_GID" "$RL_XDG"
}

teardown_file() {
        [[ -n ${RL_USER:-} ]] || return 0
        # the user's systemd instance, if a test started it
        systemctl stop "user@$RL_UID.service" >/dev/null 2>&1 || true
        local pid
        # anything of the user's still running is a leftover of ours
        for pid in $(ps -u "$RL_USER" -o pid= 2>/dev/null); do
                kill -9 "$pid" 2>/dev/null
        done
        userdel "$RL_USER" 2>/dev/null
        local f
        for f in /etc/subuid /etc/subgid; do
                if grep -q "^$RL_USER:" "$f"; then
                        sed -i "/^$RL_USER:/d" "$f"
                fi
        done
        [[ -n ${RL_DIR:-} && -d $RL_DIR ]] && rm -rf "$RL_DIR"
        return 0
}

setup() {
        [[ -z ${ITEST_SKIP:-} ]] || skip "$ITEST_SKIP"
        CID=itest-$(printf '%04x%04x' $RANDOM $RANDOM)-$BATS_SUITE_TEST_NUMBER
        T=$RL_DIR/t$BATS_SUITE_TEST_NUMBER
        BUNDLE=$T/bundle
        SHARED=$T/shared
        install -d -m 0755 "$T"
        cp -a "$BASE_BUNDLE" "$BUNDLE"
        # root of the user namespace is not root of the rootfs (host root
        # owns it): the mount points must exist
        mkdir -p "$BUNDLE/rootfs/shared" "$BUNDLE/rootfs/ro" "$BUNDLE/rootfs/nope"
        install -d -m 0755 -o "$RL_UID" -g "$RL_GID" "$SHARED"
        # config.json: the rootless spec, written by the runtime as the user
        rm -f "$BUNDLE/config.json"
        chown "$RL_UID:$RL_GID" "$BUNDLE"
        rl_runtime spec --rootless
        chown root:root "$BUNDLE" "$BUNDLE/config.json"
        update_config '.process.terminal = false'
        STATE=$RL_XDG/$(state_name)
        cd "$BUNDLE" || return 1
}

teardown() {
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        cd / || return 1
        local id problems=() pid
        for id in $(rl_runtime list -q 2>/dev/null) $(ls "$STATE" 2>/dev/null); do
                [[ $id == .* ]] && continue
                rl_runtime delete --force "$id" >/dev/null 2>&1 || problems+=("delete --force $id failed")
        done
        local left
        left=$(ls "$STATE" 2>/dev/null | grep -v '^\.' || true)
        [[ -z $left ]] || problems+=("state left in $STATE: $left")
        for pid in $(ps -u "$RL_USER" -o pid= 2>/dev/null); do
                # the user's systemd instance, started by a test, stays
                grep -q "/user@$RL_UID.service/init.scope" "/proc/$pid/cgroup" 2>/dev/null && continue
                wait_pid_gone "$pid" 2 && continue
                problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still running")
                kill -9 "$pid" 2>/dev/null
        done
        if [[ -n $(find /sys/fs/cgroup -maxdepth 8 -type d -name "*$CID*" 2>/dev/null) ]]; then
                problems+=("cgroups left: $(find /sys/fs/cgroup -maxdepth 8 -type d -name "*$CID*")")
        fi
        local mnt
        mnt=$(awk -v d="$T" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
        [[ -z $mnt ]] || problems+=("mounts left: $mnt")
        rm -rf "$T"
        if [[ ${#problems[@]} -gt 0 ]]; then
                printf 'teardown: %s\n' "${problems[@]}" >&2
                return 1
        fi
}

# rl CMD...: CMD as the unprivileged user, in the bundle, with a clean
# environment as a login session would give it.
rl() {
        (cd "$BUNDLE" && setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
                env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/nonexistent USER="$RL_USER" \
                XDG_RUNTIME_DIR="$RL_XDG" "$@")
}

# rl_runtime ARGS...: the runtime as the user, with its default --root.
rl_runtime() {
        rl "$RL_RUNTIME" "$@"
}

# ranges: uid/gid 0 is the user, 1..65536 its subordinate ids.
use_ranges() {
        update_config '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
                                             {"containerID": 1, "hostID": $su, "size": 65536}]
                     | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
                                             {"containerID": 1, "hostID": $sg, "size": 65536}]' \
                --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" --argjson sg "$RL_SUBGID"
}

share_rw() {
        update_config '.mounts += [{"destination": "/shared", "type": "bind", "source": $s,
                                    "options": ["rbind", "rw"]}]' --arg s "$SHARED"
}

@test "rootless: spec --rootless maps only the user's own ids, no network namespace, /sys bound" {
        run jq -c '[.linux.uidMappings, .linux.gidMappings]' "$BUNDLE/config.json"
        [[ $output == "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]]" ]]
        run jq -r '[.linux.namespaces[].type] | sort | join(",")' "$BUNDLE/config.json"
        # on a pure cgroup v2 host a cgroup namespace too, as runc's spec
        if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
                [[ $output == cgroup,ipc,mount,pid,user,uts ]]
        else
                [[ $output == ipc,mount,pid,user,uts ]]
        fi
        run jq -c '.mounts[] | select(.destination == "/sys") | [.type, .source, (.options | index("rbind") != null)]' \
                "$BUNDLE/config.json"
        [[ $output == '["none","/sys",true]' ]]
        # no cgroup limits, no device rules to apply
        run jq -c '.linux.resources' "$BUNDLE/config.json"
        [[ $output == null ]]
}

@test "rootless: run with a single mapping, written by the runtime itself" {
        set_cmd 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
        run rl_runtime run "$CID"
        assert_status 0
        [[ ${lines[0]} == 0 && ${lines[1]} == 0 ]]
        [[ $(echo ${lines[2]}) == "0 $RL_UID 1" ]]
        [[ $(echo ${lines[3]}) == "0 $RL_GID 1" ]]
        # an unprivileged writer of gid_map must deny setgroups first
        [[ ${lines[4]} == deny ]]
}

@test "rootless: the state lives in \$XDG_RUNTIME_DIR, owned by the user, mode 0700" {
        set_cmd 'sleep 100'
        rl_runtime create "$CID" </dev/null >/dev/null 2>&1
        [[ -d $STATE/$CID ]]
        [[ $(stat -c %u "$STATE") == "$RL_UID" ]]
        # husk makes it 0700; runc 0711
        if is_husk; then
                [[ $(stat -c %a "$STATE") == 700 ]]
        else
                [[ $(( 0$(stat -c %a "$STATE") & 022 )) == 0 ]]
        fi
        run rl_runtime list -q
        [[ $output == "$CID" ]]
        run rl_runtime state "$CID"
        [[ $(jq -r .status <<<"$output") == created ]]
        rl_runtime delete --force "$CID"
        [[ ! -e $STATE/$CID ]]
}

@test "rootless: --root wins over \$XDG_RUNTIME_DIR" {
        install -d -m 0700 -o "$RL_UID" -g "$RL_GID" "$T/root"
        set_cmd 'true'
        rl_runtime --root "$T/root" create "$CID" </dev/null >/dev/null 2>&1
        [[ -d $T/root/$CID && ! -e $STATE/$CID ]]
        rl_runtime --root "$T/root" delete --force "$CID"
        [[ ! -e $T/root/$CID ]]
}

@test "rootless: uid and gid ranges go through newuidmap/newgidmap" {
        command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap)"
        use_ranges
        writable_root
        share_rw
        update_config '.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
                       | .process.capabilities.permitted += ["CAP_CHOWN"]'
        set_cmd 'cat /proc/self/uid_map /proc/self/gid_map; touch /shared/f; chown 1000:1001 /shared/f && echo chowned'
        run rl_runtime run "$CID"
        assert_status 0
        [[ $(echo ${lines[0]}) == "0 $RL_UID 1" && $(echo ${lines[1]}) == "1 $RL_SUBUID 65536" ]]
        [[ $(echo ${lines[2]}) == "0 $RL_GID 1" && $(echo ${lines[3]}) == "1 $RL_SUBGID 65536" ]]
        assert_output_contains chowned
        # uid 1000 in the container is subordinate id 999 on the host
        [[ $(stat -c '%u %g' "$SHARED/f") == "$((RL_SUBUID + 999)) $((RL_SUBGID + 1000))" ]]
}

@test "rootless: a range not granted in /etc/subuid fails and leaves nothing" {
        command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap)"
        use_ranges
        update_config '.linux.uidMappings[1].hostID = 4000000000 - 65536'
        set_cmd 'echo NOT-REACHED'
        run rl_runtime run "$CID"
        [[ $status -ne 0 ]]
        [[ $output != *NOT-REACHED* ]]
        # newuidmap's own reason reaches the user
        assert_output_contains "newuidmap"
        if is_husk; then
                assert_output_contains "linux.uidMappings"
                assert_output_contains "/etc/subuid"
        fi
        [[ ! -e $STATE/$CID ]]
}

@test "rootless: a bind mount: what root writes belongs to the user on the host" {
        share_rw
        echo from-host >"$SHARED/in"
        chown "$RL_UID:$RL_GID" "$SHARED/in"
        set_cmd 'cat /shared/in; echo from-container >/shared/out; stat -c "%u %g" /shared/in'
        run rl_runtime run "$CID"
        assert_status 0
        [[ ${lines[0]} == from-host && ${lines[1]} == "0 0" ]]
        [[ $(cat "$SHARED/out") == from-container ]]
        [[ $(stat -c '%u %g' "$SHARED/out") == "$RL_UID $RL_GID" ]]
}

@test "rootless: a read-only bind of a nosuid,nodev mount keeps its locked flags" {
        # /shared's source is on /tmp; re-binding it read-only and nosuid in the
        # user namespace must keep whatever flags the host mount has locked
        share_rw
        update_config '.mounts += [{"destination": "/ro", "type": "bind", "source": $s,
                                    "options": ["rbind", "ro", "nosuid"]}]' --arg s "$SHARED"
        set_cmd 'touch /ro/x 2>/dev/null && echo WRITABLE; grep " /ro " /proc/self/mountinfo'
        run rl_runtime run "$CID"
        assert_status 0
        [[ $output != *WRITABLE* ]]
        assert_output_contains "ro,nosuid"
}

@test "rootless: devices are bind-mounted from the host (no mknod in a user namespace)" {
        update_config '.linux.devices = [{"path": "/dev/full", "type": "c", "major": 1, "minor": 7,
                                          "fileMode": 438, "uid": 0, "gid": 0}]'
        set_cmd 'stat -c "%n %t:%T %F" /dev/null /dev/full; echo x >/dev/null && echo null-ok;
                 head -c 4 /dev/zero | wc -c; grep -c " /dev/null \| /dev/full " /proc/self/mountinfo'
        run rl_runtime run "$CID"
        assert_status 0
        assert_output_contains "/dev/null 1:3 character special file"
        assert_output_contains "/dev/full 1:7 character special file"
        assert_output_contains null-ok
        [[ ${lines[3]} == 4 ]]
        # both are mounts (binds of the host's nodes), not nodes of their own
        [[ ${lines[4]} == 2 ]]
}

@test "rootless: sysfs without a network namespace is the host's /sys, bound read-only" {
        husk_only "runc 1.1.5 fails the sysfs mount with EPERM"
        update_config '(.mounts[] | select(.destination == "/sys")) |= {"destination": "/sys", "type": "sysfs",
                                   "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}'
        set_cmd 'ls /sys/class >/dev/null && echo sys-ok; touch /sys/x 2>/dev/null || echo sys-ro'
        run rl_runtime run "$CID"
        assert_status 0
        assert_output_contains sys-ok
        assert_output_contains sys-ro
}

@test "rootless: exec, kill and delete" {
        set_cmd 'echo started; sleep 100'
        rl_runtime run -d "$CID" </dev/null >/dev/null 2>&1
        run rl_runtime exec "$CID" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
        assert_status 0
        [[ ${lines[0]} == 0 ]]
        assert_output_contains "sleep 100"
        run rl_runtime exec "$CID" sh -c 'exit 7'
        assert_status 7
        rl_runtime kill "$CID" KILL
        local i s
        for ((i = 0; i < 100; i++)); do
                s=$(rl_runtime state "$CID" | jq -r .status)
                [[ $s == stopped ]] && break
                sleep 0.05
        done
        [[ $s == stopped ]]
        rl_runtime delete "$CID"
        [[ ! -e $STATE/$CID ]]
        run rl_runtime state "$CID"
        [[ $status -ne 0 ]]
}

@test "rootless: exec from the user namespace the container shares (rootless podman's way)" {
        # Rootless podman runs the runtime as root of its own user namespace
        # and the container has no user namespace of its own: exec joins no
        # user namespace, and the runtime may enter the container's pid
        # namespace (owned by that user namespace) but not go back to its
        # own (owned by the host's).
        update_config 'del(.linux.uidMappings, .linux.gidMappings) | .linux.namespaces |= map(select(.type != "user"))'
        set_cmd 'sleep 100'
        run rl unshare --user --map-root-user sh -c '
                "$0" run -d "$1" </dev/null >/dev/null 2>&1 || { echo run failed; exit 1; }
                "$0" exec "$1" sh -c "echo exec in \$(readlink /proc/self/ns/pid) \$(readlink /proc/1/ns/pid)"
                echo exec status $?
                "$0" delete -f "$1"' "$RL_RUNTIME" "$CID"
        echo "$output"
        assert_status 0
        [[ ${lines[0]} == "exec in pid:["* ]]
        # in the container's pid namespace, as its init
        local a b
        read -r _ _ a b <<<"${lines[0]}"
        [[ $a == "$b" ]]
        [[ ${lines[1]} == "exec status 0" ]]
}

@test "rootless: no cgroup without permission, and a limit is refused as runc does" {
        # a host that delegates a cgroup to the user would apply it
        if [[ -w /sys/fs/cgroup/cgroup.procs ]] || [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
                skip "cgroup v2 host: the limit depends on delegation (tests/vm covers it)"
        fi
        set_cmd 'sleep 100'
        rl_runtime create "$CID" </dev/null >/dev/null 2>&1
        # nothing made anywhere, and no error for it
        [[ -z $(find /sys/fs/cgroup -maxdepth 8 -type d -name "*$CID*") ]]
        if is_husk; then
                run rl_runtime update --pids-limit 10 "$CID"
                [[ $status -ne 0 ]]
                assert_output_contains "has no cgroup"
        fi
        rl_runtime delete --force "$CID"

        update_config '.linux.resources = {"memory": {"limit": 104857600}}'
        run rl_runtime run "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "cannot set memory limit: container could not join or create cgroup"
        [[ ! -e $STATE/$CID ]]

        # an explicit cgroupsPath must be made: its error is not ignored
        update_config 'del(.linux.resources) | .linux.cgroupsPath = $p' --arg p "/$CID"
        run rl_runtime run "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "ermission denied"
        [[ ! -e $STATE/$CID ]]
}

@test "rootless: a failed create leaves nothing behind" {
        update_config '.mounts += [{"destination": "/nope", "type": "bind", "source": "/nonexistent/src",
                                    "options": ["rbind"]}]'
        set_cmd 'echo NOT-REACHED'
        run rl_runtime run "$CID"
        [[ $status -ne 0 ]]
        [[ $output != *NOT-REACHED* ]]
        [[ ! -e $STATE/$CID ]]
        run rl_runtime list -q
        [[ -z $output ]]
}

@test "rootless: hooks, --preserve-fds and capabilities within the namespace" {
        writable_root
        share_rw
        update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "cat > " + $s + "/hook.json"]}]' \
                --arg s "$SHARED"
        local caps='["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"]'
        update_config '.process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}' --argjson c "$caps"
        set_cmd 'cat <&3; grep CapEff /proc/self/status; touch /shared/f; chown 0:0 /shared/f && echo chown-ok'
        echo preserved >"$T/fd3"
        chmod 0644 "$T/fd3"
        run rl sh -c "exec 3<'$T/fd3'; '$RL_RUNTIME' run --preserve-fds 1 '$CID'"
        assert_status 0
        assert_output_contains preserved
        assert_output_contains chown-ok
        # exactly the spec's capabilities, in the container's user namespace
        assert_output_contains "CapEff:	$(cap_mask CAP_CHOWN CAP_KILL CAP_SETUID)"
        # the hook ran (as the user) and got the state
        [[ $(jq -r .id "$SHARED/hook.json") == "$CID" ]]
        [[ $(stat -c %u "$SHARED/hook.json") == "$RL_UID" ]]
}

@test "rootless: seccomp applies" {
        update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
        share_rw
        set_cmd 'mkdir /shared/d 2>/dev/null && echo MADE; echo done'
        run rl_runtime run "$CID"
        assert_status 0
        [[ $output == done ]]
        [[ ! -e $SHARED/d ]]
}

# start_helper NAME SOCKET OUT: a receiver (recvtty/recvfd) run as the user.
start_helper() {
        [[ -x $RL_DIR/bin/$1 ]] || skip "no $1 helper"
        rl "$RL_DIR/bin/$1" "$2" "$3" &
        HELPER_PID=$!
        local i
        for ((i = 0; i < 100; i++)); do
                [[ -S $2 ]] && return 0
                sleep 0.05
        done
        return 1
}

@test "rootless: --console-socket" {
        update_config '.process.terminal = true'
        set_cmd 'tty'
        start_helper recvtty "$SHARED/c.sock" "$SHARED/tty.out"
        run rl_runtime run -d --console-socket "$SHARED/c.sock" "$CID"
        assert_status 0
        wait "$HELPER_PID"
        grep -q '/dev/pts/0\|/dev/console' "$SHARED/tty.out"
}

@test "rootless: --pidfd-socket" {
        husk_only "runc 1.1.5 has no --pidfd-socket"
        set_cmd 'sleep 100'
        start_helper recvfd "$SHARED/p.sock" "$SHARED/fd.out"
        # stdio on files: the init keeps them open
        rl timeout -s KILL 60 "$RL_RUNTIME" create --pidfd-socket "$SHARED/p.sock" "$CID" </dev/null >"$T/create.out" 2>&1
        wait "$HELPER_PID"
        grep -q pidfd "$SHARED/fd.out"
        grep -q "Pid:.*$(rl_runtime state "$CID" | jq -r .pid)" "$SHARED/fd.out"
}

# The user's own systemd instance (user@UID.service, as `loginctl
# enable-linger` or a login would start it), on a pure cgroup v2 host with
# systemd: its subtree is delegated to the user (memory and pids).
start_user_systemd() {
        [[ -d /run/systemd/system ]] || skip "systemd is not running"
        [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] || skip "not a pure cgroup v2 host"
        systemctl start "user@$RL_UID.service" || skip "cannot start user@$RL_UID.service"
        USER_RUNTIME_DIR=/run/user/$RL_UID
        local i
        for ((i = 0; i < 100; i++)); do
                [[ -S $USER_RUNTIME_DIR/systemd/private ]] && return 0
                sleep 0.1
        done
        skip "user@$RL_UID.service has no $USER_RUNTIME_DIR/systemd/private"
}

# rl_user_instance CMD...: CMD as the user, with the user instance's
# XDG_RUNTIME_DIR (state still under $STATE).
rl_user_instance() {
        (cd "$BUNDLE" && setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
                env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/nonexistent USER="$RL_USER" \
                XDG_RUNTIME_DIR="$USER_RUNTIME_DIR" "$@")
}

@test "rootless: --systemd-cgroup: a scope of the user's systemd applies memory and pids limits" {
        start_user_systemd
        update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
        set_cmd 'cat /proc/self/cgroup; sleep 100'
        rl_user_instance "$RL_RUNTIME" --root "$STATE" --systemd-cgroup run -d "$CID" </dev/null >"$T/out" 2>"$T/err" ||
                { cat "$T/err" >&2; false; }
        local pid cg
        pid=$(rl_runtime state "$CID" | jq -r .pid)
        cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
        echo "cgroup: $cg" >&2
        # the default unit: husk-<id>.scope in the user instance's user.slice
        [[ $cg == "/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/husk-$CID.scope" ]] ||
                [[ ! $RUNTIME_NAME == husk* ]]
        [[ $(cat "/sys/fs/cgroup$cg/memory.max") == 67108864 ]]
        [[ $(cat "/sys/fs/cgroup$cg/pids.max") == 42 ]]
        if is_husk; then
                run rl_user_instance "$RL_RUNTIME" --root "$STATE" --systemd-cgroup update --pids-limit 43 "$CID"
                assert_status 0
                [[ $(cat "/sys/fs/cgroup$cg/pids.max") == 43 ]]
        fi
        rl_user_instance "$RL_RUNTIME" --root "$STATE" --systemd-cgroup delete --force "$CID"
        [[ ! -e /sys/fs/cgroup$cg ]]
}

# rl_delegated_scope [-p PROP]... CMD...: CMD as the user in a transient
# scope of its systemd instance, as `systemd-run --user --scope` makes one.
rl_scope() {
        rl_user_instance systemd-run --user --scope --quiet "$@"
}

# diagnostics for a failed run in the VM
dump_user_cgroups() {
        local x U=/sys/fs/cgroup/user.slice/user-$RL_UID.slice/user@$RL_UID.service
        for x in $(find "$U" -type d); do
                echo "$x: controllers=[$(cat "$x/cgroup.controllers")] subtree=[$(cat "$x/cgroup.subtree_control")] procs=[$(cat "$x/cgroup.procs" | tr '\n' ' ')]"
        done
        journalctl --no-pager -n 20
} >&2

@test "rootless: cgroupfs in a delegated scope (systemd-run --user --scope -p Delegate=yes): limits apply inside it and stay" {
        husk_only "runc 1.1.5 and crun make the cgroup beside the scope, in the slice, where systemd drops the controllers"
        start_user_systemd
        share_rw
        update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
        set_cmd 'cat /proc/self/cgroup >/shared/cgroup; sleep 100'
        # the container's stdio on files: a pipe (bats' run) would stay
        # open in it, and run would wait for the container to end
        rl_scope -p Delegate=yes "$RL_RUNTIME" --root "$STATE" run -d "$CID" </dev/null >"$T/out" 2>"$T/err" ||
                { cat "$T/err" >&2; dump_user_cgroups; false; }
        wait_file "$SHARED/cgroup" || { dump_user_cgroups; false; }
        local pid cg scope
        pid=$(rl_runtime state "$CID" | jq -r .pid)
        [[ $pid -gt 0 ]] || { rl_runtime state "$CID" >&2; dump_user_cgroups; false; }
        cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
        echo "cgroup: $cg" >&2
        # inside the scope systemd delegated, not beside it in app.slice
        scope=$(dirname "$cg")
        [[ $scope == /user.slice/user-$RL_UID.slice/user@$RL_UID.service/app.slice/run-*.scope ]]
        [[ $(basename "$cg") == "$CID" ]]
        [[ $(cat "/sys/fs/cgroup$cg/memory.max") == 67108864 ]]
        [[ $(cat "/sys/fs/cgroup$cg/pids.max") == 42 ]]
        # the caller (husk, gone by now) left the scope's own cgroup for a leaf
        [[ -z $(cat "/sys/fs/cgroup$scope/cgroup.procs") ]]
        # systemd realizes app.slice again when another scope comes and goes:
        # what it does there must not touch the container's limits
        rl_scope -p Delegate=yes true
        rl_scope true
        [[ $(rl_runtime state "$CID" | jq -r .status) == running ]] || { dump_user_cgroups; false; }
        [[ $(cat "/sys/fs/cgroup$cg/memory.max") == 67108864 ]]
        [[ $(cat "/sys/fs/cgroup$cg/pids.max") == 42 ]]
        run rl_runtime update --pids-limit 43 "$CID"
        assert_status 0
        [[ $(cat "/sys/fs/cgroup$cg/pids.max") == 43 ]]
        rl_runtime delete --force "$CID"
        [[ ! -e /sys/fs/cgroup$cg ]]
        # the scope, empty now, ends (systemd removes it and the leaf)
        wait_until 30 test ! -e "/sys/fs/cgroup$scope" ||
                { cat "/sys/fs/cgroup$scope/cgroup.events" >&2; dump_user_cgroups; false; }
}

@test "rootless: a create that fails in a delegated scope leaves the scope as it was" {
        husk_only "runc 1.1.5 and crun make the cgroup beside the scope, in the slice"
        start_user_systemd
        update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
        set_cmd 'echo NOT-REACHED'
        local b1=$T/b-mount b2=$T/b-cpuset out=$T/out
        install -d -m 0755 "$b1" "$b2"
        install -d -m 0755 -o "$RL_UID" -g "$RL_GID" "$out"
        # fails in the container's init, after the cgroup was made, the
        # caller moved to husk-caller and the limits written
        jq --arg r "$BUNDLE/rootfs" '.root.path = $r | .mounts += [{"destination": "/nope", "type": "bind",
                "source": "/nonexistent/src", "options": ["rbind"]}]' "$BUNDLE/config.json" >"$b1/config.json"
        # fails while writing the limits: the user's systemd delegates no cpuset
        jq --arg r "$BUNDLE/rootfs" '.root.path = $r | .linux.resources.cpu = {"cpus": "0"}' \
                "$BUNDLE/config.json" >"$b2/config.json"
        # a shell in the scope (as a Delegate=yes service's would be) runs
        # husk: afterwards the shell is back in the scope's own cgroup, no
        # controller is left enabled there and no cgroup is left below it
        cat >"$T/scope.sh" <<'EOF'
r=$1 st=$2 id=$3 out=$4
shift 4
own() { awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup; }
scope=$(own)
echo "$scope" >"$out/scope"
for b; do
        "$r" --root "$st" run --bundle "$b" "$id" </dev/null >>"$out/err" 2>&1
        echo "rc=$? cgroup=$(own) subtree=[$(cat "/sys/fs/cgroup$scope/cgroup.subtree_control")]" \
                "children=[$(cd "/sys/fs/cgroup$scope" && find . -mindepth 1 -type d)]" >>"$out/after"
done
EOF
        rl_scope -p Delegate=yes /bin/sh "$T/scope.sh" "$RL_RUNTIME" "$STATE" "$CID" "$out" "$b1" "$b2" \
                </dev/null || { dump_user_cgroups; false; }
        local scope
        scope=$(cat "$out/scope")
        cat "$out/err" "$out/after" >&2
        [[ $scope == /user.slice/user-$RL_UID.slice/user@$RL_UID.service/app.slice/run-*.scope ]]
        grep -q /nonexistent/src "$out/err"
        grep -q cpuset "$out/err"
        [[ $(grep -c NOT-REACHED "$out/err") == 0 ]]
        [[ $(wc -l <"$out/after") == 2 ]]
        run grep -vxF "rc=1 cgroup=$scope subtree=[] children=[]" "$out/after"
        [[ -z $output ]]
        [[ ! -e $STATE/$CID ]]
}

@test "rootless: cgroupfs beside the caller in a systemd slice refuses limits instead of losing them" {
        husk_only "runc 1.1.5 makes the cgroup in the slice, and systemd drops its controllers later"
        start_user_systemd
        update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
        set_cmd 'sleep 100'
        # a scope without Delegate=yes: its parent app.slice is systemd's
        run rl_scope "$RL_RUNTIME" --root "$STATE" run -d "$CID" </dev/null
        assert_status 1
        assert_output_contains "app.slice/$CID"
        assert_output_contains "systemd slice"
        assert_output_contains "memory, pids"
        assert_output_contains "Delegate=yes"
        [[ -z $(ls "$STATE" 2>/dev/null | grep -v '^\.') ]]
        [[ -z $(find /sys/fs/cgroup -name "*$CID*") ]]
}
