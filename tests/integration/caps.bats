#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# process.capabilities: the five sets, read from /proc/self/status.

load helpers

# caps_of: run the container and print "Inh Prm Eff Bnd Amb" masks.
caps_of() {
        set_cmd 'for s in CapInh CapPrm CapEff CapBnd CapAmb; do grep "^$s:" /proc/self/status | cut -f2; done | tr "\n" " "'
        run runtime run "$CID" </dev/null
        assert_status 0
        echo "$output"
}

@test "the default spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE in every set but inheritable" {
        m=$(cap_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
        read -r inh prm eff bnd amb <<<"$(caps_of)"
        [[ $inh == 0000000000000000 ]]
        [[ $prm == "$m" && $eff == "$m" && $bnd == "$m" ]]
        # ambient needs the inheritable set: with none, none is raised
        [[ $amb == 0000000000000000 || $amb == "$m" ]]
}

@test "each set on its own" {
        update_config '.process.capabilities = {
                "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"],
                "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"],
                "effective": ["CAP_CHOWN", "CAP_KILL"],
                "inheritable": ["CAP_KILL", "CAP_SYS_ADMIN"],
                "ambient": ["CAP_KILL"]}'
        read -r inh prm eff bnd amb <<<"$(caps_of)"
        [[ $bnd == "$(cap_mask CAP_CHOWN CAP_KILL CAP_SYS_ADMIN CAP_NET_RAW)" ]]
        [[ $prm == "$(cap_mask CAP_CHOWN CAP_KILL CAP_SYS_ADMIN)" ]]
        # execve as root makes the effective set the permitted one
        [[ $eff == "$(cap_mask CAP_CHOWN CAP_KILL CAP_SYS_ADMIN)" ]]
        [[ $inh == "$(cap_mask CAP_KILL CAP_SYS_ADMIN)" ]]
        [[ $amb == "$(cap_mask CAP_KILL)" ]]
}

@test "no capabilities at all" {
        update_config '.process.capabilities = {}'
        read -r inh prm eff bnd amb <<<"$(caps_of)"
        for m in $inh $prm $eff $bnd $amb; do
                [[ $m == 0000000000000000 ]]
        done
}

@test "no process.capabilities object: no capabilities" {
        update_config 'del(.process.capabilities)'
        read -r inh prm eff bnd amb <<<"$(caps_of)"
        for m in $inh $prm $eff $bnd $amb; do
                [[ $m == 0000000000000000 ]]
        done
}

@test "a non-root user keeps ambient capabilities" {
        update_config '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {
                "bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
                "permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
                "effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
                "inheritable": ["CAP_NET_BIND_SERVICE"],
                "ambient": ["CAP_NET_BIND_SERVICE"]}'
        read -r inh prm eff bnd amb <<<"$(caps_of)"
        m=$(cap_mask CAP_NET_BIND_SERVICE)
        [[ $amb == "$m" && $eff == "$m" && $prm == "$m" ]]
}

@test "a dropped capability is enforced: chown without CAP_CHOWN fails" {
        writable_root
        set_cmd 'touch /f && chown 1000 /f && echo chowned'
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "Operation not permitted"
        update_config '.process.capabilities.effective += ["CAP_CHOWN"] | .process.capabilities.permitted += ["CAP_CHOWN"] | .process.capabilities.bounding += ["CAP_CHOWN"]'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == chowned ]]
}

@test "names no kernel has are left out with a warning and the container runs (runtime-spec, runc, crun)" {
        # every set asks for KILL plus two names that map to nothing
        update_config '.process.capabilities = ({} | .bounding = ["CAP_KILL", "CAP_NO_SUCH_THING", "kill"]
                | .permitted = .bounding | .effective = .bounding | .inheritable = .bounding | .ambient = .bounding)'
        set_cmd 'for s in CapInh CapPrm CapEff CapBnd CapAmb; do grep "^$s:" /proc/self/status | cut -f2; done | tr "\n" " "'
        run runtime run "$CID" </dev/null
        assert_status 0
        assert_output_contains CAP_NO_SUCH_THING
        m=$(cap_mask CAP_KILL)
        read -r inh prm eff bnd amb <<<"${lines[-1]}"
        [[ $inh == "$m" && $prm == "$m" && $eff == "$m" && $bnd == "$m" && $amb == "$m" ]]
}

@test "only unknown names: every set ends up empty" {
        update_config '.process.capabilities = ({} | .bounding = ["CAP_NO_SUCH_THING"]
                | .permitted = .bounding | .effective = .bounding | .inheritable = .bounding | .ambient = .bounding)'
        read -r inh prm eff bnd amb <<<"$(caps_of | tail -n 1)"
        z=0000000000000000
        [[ $inh == "$z" && $prm == "$z" && $eff == "$z" && $bnd == "$z" && $amb == "$z" ]]
}

# run_old_kernel LAST ARGS...: the runtime in a private mount namespace whose
# /proc/sys/kernel/cap_last_cap says LAST, as on a kernel that predates the
# later capabilities (5.8 added CAP_PERFMON 38, CAP_BPF 39 and
# CAP_CHECKPOINT_RESTORE 40). runc reads that file too; the host is untouched.
run_old_kernel() {
        local last=$1
        shift
        echo "$last" >"$BATS_TEST_TMPDIR/cap_last_cap"
        run unshare -m --propagation private sh -c \
                'mount --bind "$1" /proc/sys/kernel/cap_last_cap && shift && exec "$@"' sh \
                "$BATS_TEST_TMPDIR/cap_last_cap" "$RUNTIME" --root "$ROOT" "$@"
}

@test "capabilities the running kernel lacks are dropped with a warning, as runc" {
        all='["CAP_CHOWN", "CAP_KILL", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]'
        update_config ".process.capabilities = {\"bounding\": $all, \"permitted\": $all,
                \"effective\": $all, \"inheritable\": $all, \"ambient\": $all}"
        set_cmd 'for s in CapInh CapPrm CapEff CapBnd CapAmb; do grep "^$s:" /proc/self/status | cut -f2; done | tr "\n" " "'
        run_old_kernel 37 run "$CID" </dev/null
        assert_status 0
        assert_output_contains CAP_BPF
        m=$(cap_mask CAP_CHOWN CAP_KILL)
        read -r inh prm eff bnd amb <<<"${lines[-1]}"
        [[ $prm == "$m" && $eff == "$m" && $inh == "$m" && $amb == "$m" ]]
        # bits 0-37 (runc leaves the faked-away ones the real kernel has in
        # the bounding set; on a real old kernel they don't exist)
        [[ $(printf '%016x' $((0x$bnd & 0x3fffffffff))) == "$m" ]]
}

@test "exec: capabilities the running kernel lacks are dropped there too" {
        husk_only "runc's exec reads cap_last_cap inside the container, where this test can't fake it"
        set_args sleep 1000
        run_detached "$CID"
        all='["CAP_CHOWN", "CAP_BPF"]'
        echo "{\"args\": [\"/bin/grep\", \"^CapEff:\", \"/proc/self/status\"], \"cwd\": \"/\",
                \"capabilities\": {\"bounding\": $all, \"permitted\": $all, \"effective\": $all}}" \
                >"$BATS_TEST_TMPDIR/proc.json"
        run_old_kernel 38 exec --process "$BATS_TEST_TMPDIR/proc.json" "$CID"
        assert_status 0
        assert_output_contains CAP_BPF
        [[ ${lines[-1]} == *"$(cap_mask CAP_CHOWN)" ]]
}

@test "capabilities husk itself lacks (capsh --drop) are left out with a warning, not an EPERM for the whole set" {
        husk_only "runc 1.1.5 fails: unable to apply caps: operation not permitted; runtime-spec v1.3.0 says SHOULD NOT fail"
        all='["CAP_CHOWN", "CAP_SYS_NICE"]'
        update_config ".process.capabilities = {\"bounding\": $all, \"permitted\": $all,
                \"effective\": $all, \"inheritable\": $all}"
        set_cmd 'for s in CapInh CapPrm CapEff CapBnd CapAmb; do grep "^$s:" /proc/self/status | cut -f2; done | tr "\n" " "'
        run capsh --drop=cap_sys_nice -- -c 'exec "$@"' sh "$RUNTIME" --root "$ROOT" run "$CID" </dev/null
        assert_status 0
        assert_output_contains "not granting CAP_SYS_NICE"
        m=$(cap_mask CAP_CHOWN)
        read -r inh prm eff bnd amb <<<"${lines[-1]}"
        [[ $prm == "$m" && $eff == "$m" && $inh == "$m" && $bnd == "$m" ]]
}

@test "exec: capabilities husk itself lacks are left out with a warning too" {
        husk_only "runc 1.1.5 fails the exec with EPERM"
        set_args sleep 1000
        run_detached "$CID"
        all='["CAP_CHOWN", "CAP_SYS_NICE"]'
        echo "{\"args\": [\"/bin/grep\", \"^CapEff:\", \"/proc/self/status\"], \"cwd\": \"/\",
                \"capabilities\": {\"bounding\": $all, \"permitted\": $all, \"effective\": $all}}" \
                >"$BATS_TEST_TMPDIR/proc.json"
        run capsh --drop=cap_sys_nice -- -c 'exec "$@"' sh "$RUNTIME" --root "$ROOT" exec \
                --process "$BATS_TEST_TMPDIR/proc.json" "$CID"
        assert_status 0
        assert_output_contains "not granting CAP_SYS_NICE"
        [[ ${lines[-1]} == *"$(cap_mask CAP_CHOWN)" ]]
}

@test "the bounding set is dropped with one prctl per capability, and read only for asked-for inheritable ones" {
        husk_only "counts husk's own system calls"
        command -v strace >/dev/null || skip "needs strace"
        update_config '.process.capabilities = {"bounding": [], "permitted": [], "effective": []}'
        set_cmd 'grep "^CapBnd:" /proc/self/status'
        local trace=$BATS_TEST_TMPDIR/caps.strace
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=prctl -o "$trace" \
                "$RUNTIME" --root "$ROOT" run "$CID" </dev/null >"$BATS_TEST_TMPDIR/out"
        grep -q "CapBnd:.*0000000000000000" "$BATS_TEST_TMPDIR/out"
        grep -q "PR_CAPBSET_DROP, CAP_CHOWN" "$trace"
        # no read before each drop (libcap's own probes at start ask only
        # for the highest numbers), none for the inheritable check
        ! grep -q "PR_CAPBSET_READ, CAP_CHOWN" "$trace"
}
