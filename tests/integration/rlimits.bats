#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# process.rlimits.

load helpers

@test "the default spec's RLIMIT_NOFILE 1024/1024" {
        set_cmd 'ulimit -Sn; ulimit -Hn'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 1024 && ${lines[1]} == 1024 ]]
}

@test "soft below hard, several limits" {
        update_config '.process.rlimits = [
                {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000},
                {"type": "RLIMIT_NPROC", "soft": 100, "hard": 200},
                {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                {"type": "RLIMIT_STACK", "soft": 8388608, "hard": 16777216}]'
        set_cmd 'ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu; ulimit -c; ulimit -Ss; ulimit -Hs'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $(echo $output) == "512 1000 100 200 0 8192 16384" ]]
}

@test "limits not named keep the runtime's" {
        update_config '.process.rlimits = []'
        want=$(ulimit -Hn)
        set_cmd 'ulimit -Hn'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ $output == "$want" ]]
}

# A hard RLIMIT_NOFILE the host can't grant: above the host's hard limit
# and above fs.nr_open, which even CAP_SYS_RESOURCE can't pass.
@test "an rlimit above the host's hard limit fails and leaves nothing" {
        host=$(ulimit -Hn)
        nr_open=$(cat /proc/sys/fs/nr_open)
        big=$(( (host > nr_open ? host : nr_open) + 1 ))
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $n}]' --argjson n "$big"
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "the rlimit error names RLIMIT_NOFILE (husk)" {
        husk_only 'runc 1.1.5 says "error setting rlimit type 7"'
        host=$(ulimit -Hn)
        nr_open=$(cat /proc/sys/fs/nr_open)
        big=$(( (host > nr_open ? host : nr_open) + 1 ))
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $n}]' --argjson n "$big"
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains RLIMIT_NOFILE
}

@test "soft above hard is an error" {
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}

@test "an unknown rlimit type is an error" {
        update_config '.process.rlimits = [{"type": "RLIMIT_NOSUCH", "soft": 1, "hard": 1}]'
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_no_state
}
