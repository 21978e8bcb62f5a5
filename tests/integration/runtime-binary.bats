#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CVE-2019-5736 class, attacked as an attacker would: a container with
# CAP_SYS_PTRACE (the default capabilities plus that one, as podman
# --cap-add SYS_PTRACE gives) watches its pid namespace for runtime
# processes, opens /proc/<pid>/exe of each (for writing at once, and O_PATH
# to reopen later), and once the runtime has exited and ETXTBSY no longer
# protects the file, writes through the kept fd (helpers/exe-attack.c).
# Every runtime process the container can see must have an exe it can't
# write: the runtime binary stays as it was.
#
# The last test is the original attack, which needs no capability: the
# container makes the runtime's stage execute /proc/self/exe.
#
# Each test runs a COPY of the runtime, so a successful attack damages the
# copy, not the build (the attacker spares the built binary, which runs its
# own container). Checked against husk 155bf74 (which forked its stages
# from the host binary and ran them from it): all four tests failed there,
# with "WROTE .../runtime-copy" and a changed checksum; runc 1.1.5 passes.

load helpers

setup_file() {
        common_setup_file
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        local bin=${HUSK_BUILD_DIR:+$HUSK_BUILD_DIR/tests/integration/exe-attack}
        if [[ -z $bin || ! -x $bin ]]; then
                bin=$BATS_FILE_TMPDIR/exe-attack
                ${CC:-cc} -O2 -static -o "$bin" "$INTEGRATION_DIR/helpers/exe-attack.c" || return 1
        fi
        export EXE_ATTACK=$bin
}

setup() {
        common_setup
        BUILT_RUNTIME=$RUNTIME
        cp "$RUNTIME" "$BATS_TEST_TMPDIR/runtime-copy"
        RUNTIME=$BATS_TEST_TMPDIR/runtime-copy
        SUM=$(sha256sum <"$RUNTIME")
        cp "$EXE_ATTACK" "$BUNDLE/rootfs/bin/exe-attack"
        share_dir
        # the default capabilities plus CAP_SYS_PTRACE
        update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
        ROUNDS=${ROUNDS:-20}
}

# attacker_bundle DIR [PIDNS-PATH]: a copy of $BUNDLE whose process is the
# attacker (it stops when /shared/stop exists), in a new pid namespace or
# in the given one.
attacker_bundle() {
        local dir=$1 ns=${2:-}
        cp -a "$BUNDLE" "$dir"
        CONFIG=$dir/config.json update_config '.process.args = ["/bin/exe-attack", "/shared/stop"]'
        if [[ -n $ns ]]; then
                CONFIG=$dir/config.json update_config \
                        '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' --arg p "$ns"
        fi
}

# start_attack DIR ID: run the attacker container in the foreground, in
# the background (so the runtime reaps its init: a zombie left to the
# host's init delays the end of a pid namespace it joined by seconds).
# That runtime is the built one, not the copy under attack, which must be
# idle (not busy) when the attacker writes; the attacker is told to spare
# the built binary.
start_attack() {
        local dir=$1 id=$2
        CONFIG=$dir/config.json update_config '.process.args += [$s]' --arg s "$(stat -L -c %d:%i "$BUILT_RUNTIME")"
        "$BUILT_RUNTIME" --root "$ROOT" run -b "$dir" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.out" \
                2>"$BATS_TEST_TMPDIR/$id.err" &
        BG_PID=$!
        BG_PIDS+=("$BG_PID")
        wait_file "$SHARED/stop.ready"
}

# finish_attack ID: tell the attacker container to write, wait for it to
# stop, and check that it saw runtime processes and wrote nothing.
finish_attack() {
        local id=$1 out=$BATS_TEST_TMPDIR/$1.out
        touch "$SHARED/stop"
        wait_bg
        [[ $BG_STATUS -eq 0 ]]
        cat "$out" "$BATS_TEST_TMPDIR/$id.err"
        grep -q '^done' "$out"
        # it held the exe of at least one runtime process (anything but busybox)
        grep '^held ' "$out" | grep -qv '/bin/busybox$'
        ! grep -q WROTE "$out"
        [[ $(sha256sum <"$RUNTIME") == "$SUM" ]]
}

@test "a container with CAP_SYS_PTRACE can't write the runtime through the exe of an init being created and started" {
        set_args sleep 1000
        attacker_bundle "$BATS_TEST_TMPDIR/b" /proc/0/ns/pid
        cp "$BATS_TEST_TMPDIR/b/config.json" "$BATS_TEST_TMPDIR/b.json"
        for ((i = 0; i < ROUNDS; i++)); do
                create_container "$CID-$i"
                pid=$(container_pid "$CID-$i")
                rm -f "$SHARED"/stop*
                jq '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
                        --arg p "/proc/$pid/ns/pid" "$BATS_TEST_TMPDIR/b.json" >"$BATS_TEST_TMPDIR/b/config.json"
                # it scans while the init waits for start, then while it starts
                start_attack "$BATS_TEST_TMPDIR/b" "$CID-b$i"
                runtime start "$CID-$i"
                finish_attack "$CID-b$i"
                runtime delete -f "$CID-$i"
        done
}

@test "a container with CAP_SYS_PTRACE can't write the runtime through the exe of an exec'd process" {
        attacker_bundle "$BATS_TEST_TMPDIR/a"
        start_attack "$BATS_TEST_TMPDIR/a" "$CID"
        for ((i = 0; i < ROUNDS * 2; i++)); do
                runtime exec "$CID" /bin/true
        done
        finish_attack "$CID"
}

@test "a container with CAP_SYS_PTRACE can't write the runtime through the init of a container joining its pid namespace" {
        attacker_bundle "$BATS_TEST_TMPDIR/a"
        start_attack "$BATS_TEST_TMPDIR/a" "$CID"
        pid=$(container_pid "$CID")
        cp -a "$BUNDLE" "$BATS_TEST_TMPDIR/c"
        CONFIG=$BATS_TEST_TMPDIR/c/config.json update_config \
                '.process.args = ["true"] | .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
                --arg p "/proc/$pid/ns/pid"
        for ((i = 0; i < ROUNDS; i++)); do
                create_container -b "$BATS_TEST_TMPDIR/c" "$CID-c$i"
                runtime start "$CID-c$i"
                runtime delete -f "$CID-c$i"
        done
        finish_attack "$CID"
}

# wait_self_exe STRING: a process that executed /proc/self/exe (its
# argv[0]) with STRING in its command line appears.
wait_self_exe() {
        local i f first
        for ((i = 0; i < 100; i++)); do
                for f in /proc/[0-9]*/cmdline; do
                        IFS= read -r -d '' first <"$f" 2>/dev/null || continue
                        [[ $first == /proc/self/exe ]] && grep -qsF -- "$1" "$f" && return 0
                done
                sleep 0.05
        done
        echo "no /proc/self/exe process with \"$1\" in its command line" >&2
        return 1
}

@test "the original CVE-2019-5736: a process executing /proc/self/exe can't write the runtime (no CAP_SYS_PTRACE)" {
        # The runtime's stage executes the container's program, here its own
        # /proc/self/exe (as a "#!/proc/self/exe" script would): the runtime
        # binary then runs as a dumpable process of the container, whose exe
        # any process of the same user may open. It blocks on opening a FIFO
        # as its log until the test lets it go.
        update_config '.process.capabilities |= with_entries(.value -= ["CAP_SYS_PTRACE"])'
        # the runtime's shared libraries, so that it can run in the rootfs
        local lib
        for lib in $(ldd "$RUNTIME" | grep -o '/[^ ]*'); do
                mkdir -p "$BUNDLE/rootfs$(dirname "$lib")"
                cp -L "$lib" "$BUNDLE/rootfs$lib"
        done
        mkfifo "$SHARED/fifo"
        attacker_bundle "$BATS_TEST_TMPDIR/a"
        start_attack "$BATS_TEST_TMPDIR/a" "$CID"
        for ((i = 0; i < 3; i++)); do
                runtime exec "$CID" /proc/self/exe --log /shared/fifo --root /shared/r$i list &
                # (the FIFO is opened in any case, so nothing waits forever)
                wait_self_exe "/shared/r$i" || { : 1<>"$SHARED/fifo"; false; }
                # open the FIFO: the runtime inside goes on and exits
                : 1<>"$SHARED/fifo"
                wait $! || true
        done
        finish_attack "$CID"
}
