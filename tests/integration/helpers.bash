# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Common setup for the bats integration suite.
#
# Every test gets, under its own $BATS_TEST_TMPDIR:
#   $BUNDLE  a busybox bundle (copied from one built per file by setup_file)
#            with config.json = `runc spec` defaults, terminal false
#   $ROOT    the runtime's --root state directory
#   $SHARED  a host directory bind-mounted read-write at /shared inside the
#            container when the test calls `share_dir`
#   $CID     a container id unique to this test ("itest-..."); further
#            containers in the same test must use ids that start with $CID
# and `runtime ARGS...` runs "$RUNTIME" --root "$ROOT" ARGS...
#
# teardown force-deletes every container in $ROOT and fails the test if
# anything is left: a state dir entry, a process it started, a cgroup named
# after the test's ids, a mount under the test's directory.
#
# RUNTIME: any runc-compatible binary. Default: the husk built in
# $HUSK_BUILD_DIR, else in build/ of this source tree.

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$INTEGRATION_DIR/../.." && pwd)
MKBUNDLE=$SRC_ROOT/contrib/mkbundle.sh

if [[ -z ${RUNTIME:-} ]]; then
        if [[ -n ${HUSK_BUILD_DIR:-} ]]; then
                RUNTIME=$HUSK_BUILD_DIR/src/cli/husk
        else
                RUNTIME=$SRC_ROOT/build/src/cli/husk
        fi
fi
export RUNTIME
RUNTIME_NAME=$(basename "$RUNTIME")

# ---------------------------------------------------------------------------
# setup / teardown

setup_file() {
        common_setup_file
}

setup() {
        common_setup
}

teardown() {
        common_teardown
}

# bats 1.8 can't skip from setup_file: it records why, and setup skips
# each test.
common_setup_file() {
        if [[ $EUID -ne 0 ]]; then
                export ITEST_SKIP="the integration tests need root (run them as root, e.g. sudo meson test -C build --suite integration)"
                return 0
        fi
        if [[ ! -x $RUNTIME ]]; then
                echo "RUNTIME=$RUNTIME is not an executable: build husk (meson setup build && ninja -C build) or set RUNTIME" >&2
                return 1
        fi
        command -v jq >/dev/null || {
                echo "jq is needed (apt-get install jq)" >&2
                return 1
        }
        # Built once per file; each test copies it (a few ms).  RUNTIME is
        # cleared so the config is the built-in runc default, not the output
        # of the runtime under test (spec.bats tests that).
        export BASE_BUNDLE=$BATS_FILE_TMPDIR/base
        RUNTIME= "$MKBUNDLE" "$BASE_BUNDLE" >/dev/null
}

common_setup() {
        [[ -z ${ITEST_SKIP:-} ]] || skip "$ITEST_SKIP"
        ROOT=$BATS_TEST_TMPDIR/root
        BUNDLE=$BATS_TEST_TMPDIR/bundle
        SHARED=$BATS_TEST_TMPDIR/shared
        mkdir -m 0700 "$ROOT"
        mkdir -m 0777 "$SHARED"
        cp -a "$BASE_BUNDLE" "$BUNDLE"
        CID=itest-$(printf '%04x%04x' $RANDOM $RANDOM)-$BATS_SUITE_TEST_NUMBER
        TRACKED_PIDS=()
        BG_PIDS=()
        cd "$BUNDLE" || return 1
}

common_teardown() {
        [[ -z ${ITEST_SKIP:-} ]] || return 0
        cd "$BATS_TEST_TMPDIR" || return 1
        local id pid problems=() ids=()

        # Remember the init pids before deleting, to check they are gone.
        for id in $(container_ids); do
                ids+=("$id")
                pid=$(runtime state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || true
                [[ -n $pid && $pid != 0 && $pid != null ]] && TRACKED_PIDS+=("$pid")
        done
        for id in "${ids[@]}"; do
                runtime delete --force "$id" >/dev/null 2>&1 ||
                        problems+=("delete --force $id failed")
        done
        # Foreground `runtime run` processes started with `&` end with
        # their containers.
        for pid in "${BG_PIDS[@]}"; do
                wait_pid_gone "$pid" 5 || {
                        problems+=("background runtime process $pid still running")
                        kill -9 "$pid" 2>/dev/null
                }
                wait "$pid" 2>/dev/null
        done

        if [[ -n $(state_entries) ]]; then
                problems+=("state left in $ROOT: $(state_entries | tr '\n' ' ')")
        fi
        for pid in "${TRACKED_PIDS[@]}"; do
                if ! wait_pid_gone "$pid" 2; then
                        problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still running")
                        kill -9 "$pid" 2>/dev/null
                fi
        done
        for pid in $(procs_of_test); do
                problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still running")
                kill -9 "$pid" 2>/dev/null
        done
        local cg
        cg=$(leftover_cgroups)
        if [[ -n $cg ]]; then
                problems+=("cgroups left: $(echo $cg)")
                # The processes in a cgroup named after our ids are ours.
                for pid in $(cat $(printf '%s/cgroup.procs\n' $cg) 2>/dev/null | sort -u); do
                        problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) left in the cgroup")
                        kill -9 "$pid" 2>/dev/null
                        wait_pid_gone "$pid" 2
                done
                # deepest first
                echo "$cg" | sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
        fi
        local mnt
        mnt=$(awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
        if [[ -n $mnt ]]; then
                problems+=("mounts left: $(echo $mnt)")
                echo "$mnt" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        fi

        if [[ ${#problems[@]} -gt 0 ]]; then
                printf 'teardown: %s\n' "${problems[@]}" >&2
                return 1
        fi
}

# Ids of the containers in $ROOT: what `list -q` says plus every state dir
# (a half-made container may be missing from list).
container_ids() {
        {
                runtime list -q 2>/dev/null
                local d
                for d in "$ROOT"/*/; do
                        [[ -d $d ]] && basename "$d"
                done
        } | sort -u
}

# Processes, other than this shell and its ancestors, whose command line
# or working directory is inside this test's directory: a runtime left
# running, a half-made container's init.
procs_of_test() {
        local p pat=$BATS_TEST_TMPDIR/.procpat
        local -A skip=()
        p=$BASHPID
        while [[ -n $p && $p != 0 && $p != 1 ]]; do
                skip[$p]=1
                p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)
        done
        skip[$$]=1
        # the pattern is read from a file so grep does not match itself
        printf '%s\n' "$BATS_TEST_TMPDIR" >"$pat"
        for p in $({
                grep -lsF -f "$pat" /proc/[0-9]*/cmdline | cut -d/ -f3
                find /proc/[0-9]*/cwd -maxdepth 0 -printf '%l %p\n' 2>/dev/null |
                        awk -v d="$BATS_TEST_TMPDIR" 'index($1, d) == 1 { split($2, a, "/"); print a[3] }'
        } | sort -u); do
                [[ -n ${skip[$p]:-} ]] && continue
                [[ -e /proc/$p ]] || continue
                # a zombie is its parent's business, not ours
                [[ $(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) == Z ]] && continue
                echo "$p"
        done
        rm -f "$pat"
}

leftover_cgroups() {
        find /sys/fs/cgroup -maxdepth 8 -type d -name "*$CID*" 2>/dev/null
}

# wait_pid_gone PID SECONDS: true once PID is gone (or a zombie).
wait_pid_gone() {
        local pid=$1 i n=$(($2 * 20))
        for ((i = 0; i < n; i++)); do
                [[ -e /proc/$pid ]] || return 0
                [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
                sleep 0.05
        done
        [[ ! -e /proc/$pid ]]
}

# ---------------------------------------------------------------------------
# running the runtime

runtime() {
        "$RUNTIME" --root "$ROOT" "$@"
}

is_runc() {
        [[ $RUNTIME_NAME == runc* ]]
}

is_husk() {
        [[ $RUNTIME_NAME == husk* ]]
}

# setgroups_traced ARGS...: husk ARGS under strace (fsopen, setgroups) into
# $BATS_TEST_TMPDIR/strace (printed), stdout into $BATS_TEST_TMPDIR/out;
# succeeds when the process printed "100 5 6" (id -G) and got groups 5 6
# through setgroups(2). The callers look for fsopen: the private procfs
# through which husk reads /proc/self/setgroups in a user namespace.
setgroups_traced() {
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -e trace=fsopen,setgroups -o "$BATS_TEST_TMPDIR/strace" \
                "$RUNTIME" --root "$ROOT" "$@" </dev/null >"$BATS_TEST_TMPDIR/out"
        cat "$BATS_TEST_TMPDIR/strace"
        [[ $(cat "$BATS_TEST_TMPDIR/out") == "100 5 6" ]] &&
                grep -Eq 'setgroups\(2, \[5, 6\]\) += 0' "$BATS_TEST_TMPDIR/strace"
}

# For a test of behaviour where husk deliberately differs from runc.
husk_only() {
        local why="$*"
        [[ -n $why ]] || why="husk's own wording"
        is_husk || skip "husk-only ($why); RUNTIME is $RUNTIME_NAME"
}

# The runtime was built with -Db_sanitize (it links the sanitizer runtimes):
# its memory figures are not husk's (ASan's shadow, no prefault).
is_sanitized() {
        ldd "$RUNTIME" 2>/dev/null | grep -q -e libasan -e libubsan
}

# run_detached [RUNTIME-ARGS...] ID: `run -d` with the container's stdio on
# files ($BATS_TEST_TMPDIR/ID.out, .err) so nothing waits on a pipe.
run_detached() {
        local id=${!#}
        runtime run -d "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

# create_container [ARGS...] ID: create with stdio on files, like run_detached.
create_container() {
        local id=${!#}
        runtime create "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err"
}

# run_bg [RUNTIME-ARGS...] ID: a foreground `run` in the background; its
# exit code is collected with `wait_bg` and its output is in ID.out/ID.err.
run_bg() {
        local id=${!#}
        # a simple command, so $! is the runtime itself (signals reach it)
        "$RUNTIME" --root "$ROOT" run "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err" &
        BG_PID=$!
        BG_PIDS+=("$BG_PID")
}

# wait_bg: wait for the last run_bg; sets BG_STATUS.
wait_bg() {
        BG_STATUS=0
        wait "$BG_PID" || BG_STATUS=$?
}

state_field() {
        runtime state "$1" | jq -r "$2"
}

container_pid() {
        state_field "$1" .pid
}

# wait_status ID STATUS [SECONDS]
wait_status() {
        local id=$1 want=$2 n=$((${3:-5} * 20)) i s
        for ((i = 0; i < n; i++)); do
                s=$(runtime state "$id" 2>/dev/null | jq -r .status)
                [[ $s == "$want" ]] && return 0
                sleep 0.05
        done
        echo "container $id is '$s', not '$want'" >&2
        return 1
}

# wait_file PATH [SECONDS]
wait_file() {
        local f=$1 n=$((${2:-5} * 20)) i
        for ((i = 0; i < n; i++)); do
                [[ -e $f ]] && return 0
                sleep 0.05
        done
        echo "$f did not appear" >&2
        return 1
}

# wait_until SECONDS CMD...: true once CMD succeeds (tried every 50 ms),
# for a condition that becomes true after an action, however loaded the
# machine is; a fixed sleep before a check makes the test flaky.
wait_until() {
        local n=$(($1 * 20)) i
        shift
        for ((i = 0; i < n; i++)); do
                "$@" && return 0
                sleep 0.05
        done
        "$@"
}

track_pid() {
        TRACKED_PIDS+=("$@")
}

# ---------------------------------------------------------------------------
# editing config.json

# update_config JQ-FILTER [JQ-ARGS...]: edit $BUNDLE/config.json in place.
update_config() {
        local f=${CONFIG:-$BUNDLE/config.json}
        jq "${@:2}" "$1" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# set_args ARG...: process.args = the arguments.
set_args() {
        local a
        a=$(for x in "$@"; do printf '%s' "$x" | jq -Rs .; done | jq -cs .)
        update_config '.process.args = $a' --argjson a "$a"
}

# set_cmd 'SHELL CMD': process.args = ["sh", "-c", CMD].
set_cmd() {
        set_args sh -c "$1"
}

# A writable root filesystem (the default spec has root.readonly = true).
writable_root() {
        update_config '.root.readonly = false'
}

# Bind-mount $SHARED at /shared, read-write.
share_dir() {
        update_config '.mounts += [{"destination": "/shared", "type": "bind",
                "source": $s, "options": ["rbind", "rw"]}]' --arg s "$SHARED"
}

# add_mount JSON: append one mount object.
add_mount() {
        update_config '.mounts += [$m]' --argjson m "$1"
}

# The bats `run` output must contain STRING.
assert_output_contains() {
        if [[ $output != *"$1"* ]]; then
                echo "expected output to contain: $1" >&2
                echo "output was: $output" >&2
                return 1
        fi
}

assert_status() {
        if [[ $status -ne $1 ]]; then
                echo "expected exit status $1, got $status; output: $output" >&2
                return 1
        fi
}

# The entries of $ROOT that can be a container's: not hidden ones (a
# runtime may keep caches there, e.g. husk's .seccomp-cache).
state_entries() {
        ls "$ROOT" 2>/dev/null
}

# No container state, whatever the command said.
assert_no_state() {
        local left
        left=$(state_entries)
        if [[ -n $left ]]; then
                echo "state left in $ROOT: $left" >&2
                return 1
        fi
}

# The unknown-container error: runc 1.1.5 says "container does not exist";
# husk names the id as engines expect: container "<id>" does not exist.
assert_not_exist_error() {
        local id=$1
        if is_husk; then
                assert_output_contains "container \"$id\" does not exist"
        else
                assert_output_contains "does not exist"
        fi
}

# CAP bits in a /proc/self/status mask: cap_mask NAME... prints the hex mask.
cap_mask() {
        local m=0 n
        for n in "$@"; do
                case $n in
                CAP_CHOWN) m=$((m | 1 << 0)) ;;
                CAP_DAC_OVERRIDE) m=$((m | 1 << 1)) ;;
                CAP_FOWNER) m=$((m | 1 << 3)) ;;
                CAP_KILL) m=$((m | 1 << 5)) ;;
                CAP_SETGID) m=$((m | 1 << 6)) ;;
                CAP_SETUID) m=$((m | 1 << 7)) ;;
                CAP_NET_BIND_SERVICE) m=$((m | 1 << 10)) ;;
                CAP_NET_RAW) m=$((m | 1 << 13)) ;;
                CAP_SYS_CHROOT) m=$((m | 1 << 18)) ;;
                CAP_SYS_ADMIN) m=$((m | 1 << 21)) ;;
                CAP_MKNOD) m=$((m | 1 << 27)) ;;
                CAP_AUDIT_WRITE) m=$((m | 1 << 29)) ;;
                *) echo "cap_mask: unknown $n" >&2; return 1 ;;
                esac
        done
        printf '%016x\n' "$m"
}

# A user namespace mapping container root to host 100000 (65536 ids), the
# rootfs chowned to it and the bundle's path searchable by it.
userns_config() {
        update_config '.linux.namespaces += [{"type": "user"}] |
                .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
                .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
        chown -R 100000:100000 "$BUNDLE/rootfs"
        local d=$BUNDLE
        while [[ $d != / ]]; do
                chmod o+x "$d"
                d=$(dirname "$d")
        done
}
