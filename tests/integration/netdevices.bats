#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.netDevices (runtime-spec 1.3): devices of the runtime's network
# namespace moved into the container's (renamed when asked, set up). Once
# created they belong to that namespace (the spec forbids moving them out
# before deletion: virtual ones die with it); only a failed create gives them
# back. Every test makes its own network namespace with veth
# devices and runs the runtime in it (nsenter --net, which keeps the mount
# namespace: create and delete must share it), so the machine's own network
# namespace and devices are never touched. This host has no dummy module:
# veth pairs stand in for devices. runc 1.1.5 ignores netDevices.

load helpers

setup() {
        common_setup
        husk_only "runc 1.1.5 does not implement linux.netDevices"
        NETNS=husk-${CID#itest-}
        ip netns add "$NETNS"
        ip -n "$NETNS" link add hv0 type veth peer name hv1
}

teardown() {
        common_teardown
        local s=$?
        [[ -n ${NETNS:-} ]] && ip netns del "$NETNS" 2>/dev/null
        return $s
}

# the runtime, always in the test's network namespace (teardown's too)
runtime() {
        nsenter --net="/run/netns/$NETNS" "$RUNTIME" --root "$ROOT" "$@"
}

# try_create: create that is expected to fail; sets status and output (its
# stderr) like bats' run, without a pipe a created container could hold.
try_create() {
        status=0
        runtime create "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
        output=$(cat "$BATS_TEST_TMPDIR/err")
}

# links of the test's namespace: "name state" lines, sorted
links() {
        ip -n "$NETNS" -o link | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort | tr '\n' ' '
}

only_lo() {
        [[ $(links) == "lo " ]]
}

@test "netDevices: moved into the container, renamed when asked, and up" {
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}, "hv1": {}}'
        set_cmd 'ip -o link show eth7; ip -o link show hv1'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == *"eth7@hv1: <"*",UP,"* ]]
        [[ ${lines[1]} == *"hv1@eth7: <"*",UP,"* ]]
        # a veth pair is virtual: it dies with the container's namespace,
        # which the kernel dismantles asynchronously (a workqueue, after RCU
        # grace periods) once the init is gone
        wait_until 10 only_lo
}

@test "netDevices: they stay in the container's namespace until it goes (not moved out by delete)" {
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}}'
        set_args sleep 1000
        runtime run -d "$CID" </dev/null >/dev/null 2>&1
        [[ $(links) == "hv1 lo " ]]
        # nothing of the move is kept in the state directory
        [[ ! -e $ROOT/$CID/netns && ! -e $ROOT/$CID/netdevices ]]
        runtime delete --force "$CID"
        # the namespace goes with its init (asynchronously), the veth with it
        wait_until 10 only_lo
        assert_no_state
}

@test "netDevices: permanent global addresses go with the device, others don't" {
        ip -n "$NETNS" addr add 192.0.2.5/24 dev hv0
        ip -n "$NETNS" addr add 2001:db8::5/64 dev hv0 nodad
        ip -n "$NETNS" addr add 198.51.100.7/24 dev hv0 valid_lft 300 preferred_lft 300
        ip -n "$NETNS" addr add 10.9.8.7/8 scope link dev hv0
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}}'
        set_cmd 'ip -o addr show dev eth7'
        run runtime run "$CID" </dev/null
        assert_status 0
        assert_output_contains "inet 192.0.2.5/24"
        assert_output_contains "inet6 2001:db8::5/64"
        [[ $output != *198.51.100.7* ]]       # has a lifetime: not permanent
        [[ $output != *10.9.8.7* ]]           # link scope
}

@test "netDevices: a %d template lets the kernel name it" {
        update_config '.linux.netDevices = {"hv0": {"name": "net%d"}, "hv1": {"name": "net%d"}}'
        set_cmd 'ip -o link | grep -o "net[0-9]*@net[0-9]*: <[^>]*UP"'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == *"net0@net1: <"* && $output == *"net1@net0: <"* ]]
}

@test "netDevices: a device that does not exist is an error naming it, before anything is done" {
        update_config '.linux.netDevices = {"hv0": {}, "nosuch0": {}}'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains 'linux.netDevices["nosuch0"]: no network device "nosuch0"'
        [[ $(links) == "hv0 hv1 lo " ]]
        assert_no_state
}

@test "netDevices: bad names are errors naming the field" {
        update_config '.linux.netDevices = {"hv0": {"name": "lo"}}'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains 'linux.netDevices["hv0"].name: "lo"'
        update_config '.linux.netDevices = {"hv0": {"name": "a/b"}}'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains 'linux.netDevices["hv0"].name: invalid network device name "a/b"'
        update_config '.linux.netDevices = {"hv0": {"name": "x"}, "hv1": {"name": "x"}}'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains '.name: "x" is also the name of'
        [[ $(links) == "hv0 hv1 lo " ]]
        assert_no_state
}

@test "netDevices: needs a network namespace of the container's own" {
        update_config '.linux.netDevices = {"hv0": {}} | .linux.namespaces |= map(select(.type != "network"))'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains "linux.netDevices: needs a network namespace"
        update_config '.linux.namespaces += [{"type": "network", "path": "/run/netns/\($n)"}]' --arg n "$NETNS"
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains "is the runtime's own"
        [[ $(links) == "hv0 hv1 lo " ]]
        assert_no_state
}

@test "netDevices: a device that can't be moved fails create, and the ones already moved come back" {
        ip -n "$NETNS" link add hbr0 type bridge
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}, "hbr0": {}}'
        try_create
        [[ $status -ne 0 ]]
        assert_output_contains 'linux.netDevices["hbr0"]: the kernel can'"'"'t move this device'
        [[ $(links) == "hbr0 hv0 hv1 lo " ]]
        assert_no_state
}

@test "netDevices: into a network namespace given by path, where they stay" {
        ip netns add "$NETNS-c"
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}}
                | .linux.namespaces |= map(select(.type != "network"))
                | .linux.namespaces += [{"type": "network", "path": "/run/netns/\($n)"}]' --arg n "$NETNS-c"
        set_args sleep 1000
        runtime run -d "$CID" </dev/null >/dev/null 2>&1
        run ip -n "$NETNS-c" -o link show eth7
        local s=$status
        runtime delete --force "$CID"
        # the engine's namespace outlives the container: the device stays there
        run ip -n "$NETNS-c" -o link show eth7
        local after=$status here
        here=$(links)
        ip netns del "$NETNS-c"
        [[ $s -eq 0 && $after -eq 0 ]]
        [[ $here == "hv1 lo " ]]
}

@test "netDevices: a name taken in a namespace given by path is refused, and its device is left alone" {
        ip netns add "$NETNS-c"
        ip -n "$NETNS-c" link add eth7 type veth peer name eth8
        update_config '.linux.netDevices = {"hv0": {"name": "eth7"}}
                | .linux.namespaces |= map(select(.type != "network"))
                | .linux.namespaces += [{"type": "network", "path": "/run/netns/\($n)"}]' --arg n "$NETNS-c"
        try_create
        local inside
        inside=$(ip -n "$NETNS-c" -o link | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort | tr '\n' ' ')
        ip netns del "$NETNS-c"
        [[ $status -ne 0 ]]
        assert_output_contains 'linux.netDevices["hv0"].name: a device "eth7" exists in the container'
        [[ $inside == "eth7 eth8 lo " ]]
        [[ $(links) == "hv0 hv1 lo " ]]
        assert_no_state
}
