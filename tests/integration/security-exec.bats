#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# exec's identity flags as an attacker uses them: --cap must not reach the
# inheritable or ambient sets (CVE-2022-29162 class), and no user id may
# turn into "unchanged" (= root) through setresuid(-1).
#
# Checked against husk 155bf74: "--cap ... inheritable and ambient" and
# "cap_net_raw=ei file" fail there (CapInh/CapAmb 0x2000, CapEff regained);
# "-u 4294967295", "uid 4294967295 in config.json" ran the process as root.

load helpers

start_sleeper() {
        set_args sleep 600
        run_detached "$CID"
        wait_status "$CID" running
}

caps_line() {
        for s in CapInh CapPrm CapEff CapBnd CapAmb; do grep "^$s:" /proc/self/status | cut -f2; done | tr '\n' ' '
}

@test "exec --cap adds to bounding, effective and permitted, never inheritable or ambient" {
        start_sleeper
        run runtime exec "$CID" sh -c "$(declare -f caps_line); caps_line"
        assert_status 0
        read -r inh0 prm0 eff0 bnd0 amb0 <<<"$output"
        run runtime exec --cap CAP_NET_RAW "$CID" sh -c "$(declare -f caps_line); caps_line"
        assert_status 0
        read -r inh prm eff bnd amb <<<"$output"
        raw=$(cap_mask CAP_NET_RAW)
        (( (0x$bnd & 0x$raw) && (0x$prm & 0x$raw) && (0x$eff & 0x$raw) ))
        [[ $inh == "$inh0" && $amb == "$amb0" ]]
        (( (0x$inh & 0x$raw) == 0 && (0x$amb & 0x$raw) == 0 ))
}

@test "exec --cap as uid 1000: a cap_net_raw=ei file does not give CAP_NET_RAW back" {
        command -v setcap >/dev/null || skip "setcap (libcap2-bin) is not installed"
        update_config '.process.noNewPrivileges = false'
        # a copy of busybox whose file capabilities are inheritable+effective
        # (named sh: busybox picks the applet from the name)
        mkdir "$BUNDLE/rootfs/capbin"
        cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/capbin/sh"
        setcap cap_net_raw=ei "$BUNDLE/rootfs/capbin/sh"
        start_sleeper
        # the shell itself reads its status (a builtin loop, no child)
        run runtime exec -u 1000 --cap CAP_NET_RAW "$CID" /capbin/sh -c \
                'while read -r k v; do [ "$k" = CapEff: ] && echo "$v"; done </proc/self/status; true'
        assert_status 0
        [[ -n $output ]]
        (( (0x$output & 0x$(cap_mask CAP_NET_RAW)) == 0 ))
}

@test "exec -u: ids that mean \"unchanged\" or are not plain numbers are refused" {
        start_sleeper
        for u in 4294967295 1000:4294967295 4294967294 2147483648 -1 ' 1000' '1000 ' 1000: : abc 0x10 99999999999999999999; do
                run runtime exec -u "$u" "$CID" id -u
                echo "-u [$u]: $status $output"
                [[ $status -ne 0 ]]
                [[ $output != 0 ]]
        done
        run runtime exec --additional-gids 4294967295 "$CID" id -G
        [[ $status -ne 0 ]]
        # what runc accepts: a leading '+' (Go's Atoi), leading zeros
        run runtime exec -u +1000:+5 "$CID" id
        assert_status 0
        [[ $output == "uid=1000"*"gid=5"* ]]
        run runtime exec -u 01000 "$CID" id -u
        assert_status 0
        [[ $output == 1000 ]]
}

@test "exec -u errors name the flag and the range (husk)" {
        husk_only "husk's wording"
        start_sleeper
        run runtime exec -u 4294967295 "$CID" id -u
        assert_status 255
        assert_output_contains '--user: id 4294967295 is out of range 0..2147483647'
        run runtime exec -u ' 1000' "$CID" id -u
        assert_status 255
        assert_output_contains '--user: expected a numeric id, got " 1000"'
}

@test "uid, gid or an additional gid 4294967295 in config.json is refused before anything is made" {
        for f in '.process.user.uid = 4294967295' '.process.user.gid = 4294967295' \
                '.process.user.additionalGids = [4294967295]'; do
                cp "$BASE_BUNDLE/config.json" "$BUNDLE/config.json"
                update_config "$f"
                set_args id
                run runtime run "$CID" </dev/null
                echo "$f: $status $output"
                [[ $status -ne 0 ]]
                [[ $output != *uid=0* ]]
                assert_no_state
                if is_husk; then
                        assert_output_contains 'is out of range 0..2147483647'
                fi
        done
}

@test "exec --process with uid 4294967295 is refused" {
        start_sleeper
        jq '.process | .user.uid = 4294967295 | .args = ["id", "-u"]' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/p.json"
        run runtime exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
        echo "$output"
        [[ $status -ne 0 ]]
        [[ $output != 0 ]]
}
