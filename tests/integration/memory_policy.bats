#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# linux.memoryPolicy applied with set_mempolicy; the fields husk parses but
# does not apply yet are announced, not dropped silently.

load helpers

@test "memoryPolicy MPOL_BIND to node 0 shows in numa_maps" {
        [[ -e /proc/self/numa_maps ]] || skip "kernel without NUMA (no numa_maps)"
        update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
        set_cmd 'grep -c " bind:0 " /proc/self/numa_maps'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output -gt 0 ]]
}

@test "memoryPolicy MPOL_INTERLEAVE with a flag" {
        [[ -e /proc/self/numa_maps ]] || skip "kernel without NUMA (no numa_maps)"
        update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
        set_cmd 'grep -c " interleave=static:0 " /proc/self/numa_maps'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output -gt 0 ]]
}

@test "memoryPolicy on a node the host lacks fails at create, naming the field, leaving nothing" {
        husk_only "husk applies linux.memoryPolicy"
        update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "63"}'
        set_args true
        run runtime run "$CID" </dev/null
        assert_status 1
        assert_output_contains "linux.memoryPolicy"
        assert_no_state
}

