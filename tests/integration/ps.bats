#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ps`: --format json (the cgroup's pids) and table (ps(1) rows of those
# pids, with ps options after the id), errors.

load helpers
load cgroup-helpers

three_procs() {
        set_cmd 'sleep 1000 & sleep 1000 & wait'
        run_detached "$CID"
        pid=$(container_pid "$CID")
        for i in $(seq 50); do
                [[ $(runtime ps --format json "$CID" | jq length) -ge 3 ]] && return 0
                sleep 0.05
        done
        return 1
}

@test "ps --format json: the host pids of every process in the cgroup" {
        three_procs
        run runtime ps --format json "$CID"
        assert_status 0
        [[ $(jq length <<<"$output") -eq 3 ]]
        jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
        # the children are the init's
        for p in $(jq '.[]' <<<"$output"); do
                [[ $p == "$pid" ]] || [[ $(awk '{ print $4 }' "/proc/$p/stat") == "$pid" ]]
        done
        run runtime ps -f json "$CID"
        assert_status 0
        [[ $(jq length <<<"$output") -eq 3 ]]
}

@test "ps: a table from ps -ef with the header and only the container's rows" {
        three_procs
        run runtime ps "$CID"
        assert_status 0
        [[ $(head -1 <<<"$output") == UID*PID*CMD ]]
        [[ $(wc -l <<<"$output") -eq 4 ]]
        # every row's PID (2nd column of -ef) is one of the container's
        want=$(runtime ps -f json "$CID" | jq -r '.[]' | sort)
        got=$(tail -n +2 <<<"$output" | awk '{ print $2 }' | sort)
        [[ $want == "$got" ]]
}

# The rows with the C column (CPU use over the process's life, which moves
# between two reads) as "-"; and the C values alone.
mask_c() { sed -E '2,$ s/^(\S+ +\S+ +\S+ +)\S+/\1-/'; }
c_values() { awk 'NR > 1 { print $4 }'; }

@test "ps: without options, the rows ps -ef prints, made by husk without running ps" {
        command -v ps >/dev/null || skip "no ps(1) to compare with"
        three_procs
        # another user; arguments with a tab, a DEL, UTF-8 and a stray byte;
        # a terminal
        runtime exec -d -u 65534 "$CID" sleep 1001
        runtime exec -d "$CID" sh -c 'sleep 1002; true' $'x\ty\x7fz' $'\xc3\xa9t\xc3\xa9' $'bad\xffbyte'
        if command -v script >/dev/null; then
                (script -qc "$RUNTIME --root $ROOT exec -t $CID sleep 1003" /dev/null </dev/null >/dev/null 2>&1 &)
        fi
        for i in $(seq 50); do
                [[ $(runtime ps --format json "$CID" | jq length) -ge 6 ]] && break
                sleep 0.05
        done
        local lang ours theirs c_ours c_theirs i
        # ps escapes by the locale: UTF-8 or not
        for lang in C.UTF-8 C; do
                ours=$(LANG=$lang LC_ALL= LC_CTYPE= "$RUNTIME" --root "$ROOT" ps "$CID")
                theirs=$(LANG=$lang LC_ALL= LC_CTYPE= "$RUNTIME" --root "$ROOT" ps "$CID" -ef)
                echo "LANG=$lang husk:"; echo "$ours"; echo "ps -ef:"; echo "$theirs"
                [[ $(mask_c <<<"$ours") == "$(mask_c <<<"$theirs")" ]]
                [[ $(wc -l <<<"$ours") -ge 7 ]]
                # C, the CPU use over the process's life, moves between the
                # two reads while the processes are young (in a slow VM by
                # several points): a percentage near ps's
                mapfile -t c_ours < <(c_values <<<"$ours")
                mapfile -t c_theirs < <(c_values <<<"$theirs")
                [[ ${#c_ours[@]} -eq ${#c_theirs[@]} ]]
                for i in "${!c_ours[@]}"; do
                        (( c_ours[i] <= 99 && c_ours[i] - c_theirs[i] <= 5 && c_theirs[i] - c_ours[i] <= 5 ))
                done
        done
        if is_husk && command -v strace >/dev/null; then
                ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=execve -o "$BATS_TEST_TMPDIR/strace" "$RUNTIME" --root "$ROOT" ps "$CID" >/dev/null
                [[ $(grep -c 'execve(' "$BATS_TEST_TMPDIR/strace") -eq 1 ]]
        fi
}

@test "ps: a process's own name is escaped like its arguments (no terminal control from the container)" {
        command -v cc >/dev/null || skip "no C compiler"
        # A process of the container with no arguments (ps then shows its
        # name) names itself with an ESC and a BEL, an xterm title sequence:
        # that must reach the terminal of whoever runs ps escaped.
        cat >"$BATS_TEST_TMPDIR/noargs.c" <<'EOF2'
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
        char *none[] = { NULL };
        if (argc > 0 && argv[0][0]) {
                execve("/proc/self/exe", none, none);
                return 1;
        }
        prctl(PR_SET_NAME, "\033]2;x\007n", 0, 0, 0);
        pause();
        return 0;
}
EOF2
        cc -static -o "$BUNDLE/rootfs/noargs" "$BATS_TEST_TMPDIR/noargs.c" || skip "no static C library"
        set_args /noargs
        run_detached "$CID"
        pid=$(container_pid "$CID")
        local i lang out
        for i in $(seq 50); do
                [[ $(cat "/proc/$pid/comm") == *n ]] && break
                sleep 0.05
        done
        for lang in C.UTF-8 C; do
                out=$(LANG=$lang LC_ALL= LC_CTYPE= "$RUNTIME" --root "$ROOT" ps "$CID")
                echo "LANG=$lang:"; od -c <<<"$out"
                [[ $(wc -l <<<"$out") -eq 2 ]]
                ! grep -q $'[\033\007]' <<<"$out"
        done
}

@test "ps: options after the id go to ps(1)" {
        three_procs
        run runtime ps "$CID" -o pid,args
        assert_status 0
        [[ $(head -1 <<<"$output") == *PID*COMMAND* ]]
        [[ $(wc -l <<<"$output") -eq 4 ]]
        grep -q "^ *$pid sh -c" <<<"$output"
        [[ $(grep -c '^ *[0-9]* sleep 1000$' <<<"$output") -eq 2 ]]
}

@test "ps: a leading -- before the ps options is dropped" {
        husk_only "runc passes -- to ps, which refuses it"
        three_procs
        run runtime ps "$CID" -- -o pid,comm
        assert_status 0
        [[ $(wc -l <<<"$output") -eq 4 ]]
}

@test "ps: ps output without a PID column is an error" {
        three_procs
        run runtime ps "$CID" -o comm
        [[ $status -ne 0 ]]
        assert_output_contains "PID"
}

@test "ps: an invalid --format is an error" {
        three_procs
        run runtime ps --format xml "$CID"
        [[ $status -ne 0 ]]
        assert_output_contains "invalid format option"
}

@test "ps of a created container shows its init" {
        set_args sleep 1000
        create_container "$CID"
        pid=$(container_pid "$CID")
        [[ $(runtime ps -f json "$CID") == "[$pid]" ]]
}

@test "ps of a stopped container: json null, a bare header" {
        set_args true
        run_detached "$CID"
        wait_status "$CID" stopped
        run runtime ps -f json "$CID"
        assert_status 0
        [[ $output == null ]]
        run runtime ps "$CID"
        assert_status 0
        [[ $(wc -l <<<"$output") -eq 1 ]]
}

@test "ps of an unknown id: does not exist" {
        run runtime ps "$CID-nope"
        assert_status 1
        assert_not_exist_error "$CID-nope"
}
