#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench.sh - husk's speed and memory next to runc, crun and the kernel's floor.
#
# USAGE (as root, from the source tree, after `ninja -C build`)
#   tests/bench/bench.sh [-n N] [-c C] [--only LIST] [--out FILE] [RUNTIME...]
#
#   RUNTIME is a runc-compatible binary, optionally labelled (label=/path).
#   Default: crun and runc when installed, then husk ($HUSK, else
#   build/src/cli/husk next to this script, else husk in PATH). The first
#   runtime is the baseline of the ratio column; husk is compared with it.
#
#   -n N        samples per latency metric (default 40)
#   -c C        containers in the scale test (default 50)
#   --only L    comma list of: run,phases,ops,rss,minmem,scale (default: all)
#   --out FILE  also write the medians as TSV (metric, runtime, median, unit)
#
#   Not part of the test suite: timings depend on the machine's load. Run it
#   on a quiet machine (it prints the load average) and compare ratios within
#   one run. About 2-3 minutes with three runtimes.
#
# WHAT IS MEASURED (every runtime interleaved in the same loop, medians)
#   run      `run` of a /bin/true busybox container, back to back, and each
#            after 50 ms idle (run.idle): on cgroup v1, the first cgroup.procs
#            write after an idle RCU grace period waits for one.
#   phases   create, start, delete of a /bin/true container, timed apart.
#   ops      on a running `sleep` container: exec /bin/true, state, kill
#            (SIGWINCH, ignored), list (one container).
#   rss      peak RSS (KiB, /usr/bin/time %M: the largest process the command
#            waited for) of run, create, start, delete (stopped), exec,
#            state, kill (SIGWINCH), list, ps, events --stats, update
#            (pids limit), spec, features.
#   minmem   the smallest linux.resources.memory.limit under which
#            `run /bin/true` exits 0, 3 times in a row (bisection, 4 KiB steps).
#   scale    C `sleep` containers: run -d total, list and state with C
#            present, delete -f total.
#   Floors (no runtime, same loop as `run`):
#     floor.exec    fork+exec of static busybox true (the harness's own cost)
#     floor.ns      unshare -m -u -i -n -p -f --mount-proc, chroot, true
#     floor.ns+cg   busybox sh writes its pid to cgroup.procs of one cgroup per
#                   hierarchy, then floor.ns (no mkdir, no limits: a lower bound)
#     floor.ns+cg0  the same writing 0 to each v1 `tasks` file (v1 only)
#
# SETUP
#   Every container has the same config.json (`husk spec`, i.e. runc's
#   default), a read-only static busybox rootfs and an explicit cgroupsPath
#   /huskbench.PID/LABEL/NAME; state roots are under /run (a tmpfs on most
#   hosts; the script prints its file system: on a disk one, ext4 here, the
#   state files cost each runtime more).
#   crun 1.8 refuses a hybrid cgroup host (v1 controllers plus cgroup2 at
#   /sys/fs/cgroup/unified). On such a host the script re-executes itself in a
#   private mount namespace (unshare -m --propagation private) and unmounts
#   /sys/fs/cgroup/unified there only; every runtime and floor runs in that
#   same namespace. The host's mounts are not touched.
#   On exit (also on Ctrl-C) it deletes its containers, cgroups, state roots
#   and work directory.
#
# NEEDS  root, bash >= 5, jq, /usr/bin/time, util-linux unshare, coreutils,
#        a static busybox (busybox-static).

set -uo pipefail
export LC_ALL=C

SELF=$(readlink -f "$0")
N=40
C=50
ONLY=run,phases,ops,rss,minmem,scale
OUT=
usage() { sed -n '4,/^$/{s/^# \{0,1\}//;p}' "$SELF"; exit "${1:-0}"; }
die() { echo "bench.sh: $*" >&2; exit 1; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

ARGS=("$@")
SPECS=()
while (($#)); do
        case $1 in
        -n) N=${2:-}; shift ;;
        -c) C=${2:-}; shift ;;
        --only) ONLY=${2:-}; shift ;;
        --out) OUT=${2:-}; shift ;;
        -h | --help) usage 0 ;;
        -*) usage 2 ;;
        *) SPECS+=("$1") ;;
        esac
        shift
done
[[ $N =~ ^[1-9][0-9]*$ ]] || die "-n: expected a positive integer, got \"$N\""
[[ $C =~ ^[1-9][0-9]*$ ]] || die "-c: expected a positive integer, got \"$C\""
for s in ${ONLY//,/ }; do
        [[ ,run,phases,ops,rss,minmem,scale, == *",$s,"* ]] || die "--only: unknown section \"$s\""
done
((EUID == 0)) || die "must run as root"
for dep in jq /usr/bin/time unshare chroot timeout; do
        command -v "$dep" >/dev/null || die "missing $dep"
done
BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || die "$BUSYBOX: need a static busybox (busybox-static)"
[[ -z $OUT ]] || OUT=$(readlink -f "$OUT")

# ---------------------------------------------------------------- namespace
hybrid() {
        [[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs ]] && mountpoint -q /sys/fs/cgroup/unified &&
                [[ $(stat -f -c %T /sys/fs/cgroup/unified) == cgroup2fs ]]
}
if [[ -z ${HUSKBENCH_NS:-} ]] && hybrid; then
        exec unshare -m --propagation private env HUSKBENCH_NS=1 "$BASH" "$SELF" "${ARGS[@]}"
fi
SETUP="host mount namespace"
if [[ -n ${HUSKBENCH_NS:-} ]]; then
        umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified in the private namespace"
        SETUP="private mount namespace, /sys/fs/cgroup/unified unmounted (crun 1.8 hybrid workaround), all runtimes alike"
fi

# ---------------------------------------------------------------- runtimes
if ((${#SPECS[@]} == 0)); then
        for r in crun runc; do
                p=$(command -v "$r") && SPECS+=("$r=$p")
        done
        h=${HUSK:-$(dirname "$SELF")/../../build/src/cli/husk}
        [[ -x $h ]] || h=$(command -v husk) || die "husk not found: build it or set HUSK"
        SPECS+=("husk=$h")
fi
LABELS=()
declare -A BIN ROOT
for s in "${SPECS[@]}"; do
        if [[ $s == *=* ]]; then l=${s%%=*} p=${s#*=}; else l=$(basename "$s") p=$s; fi
        p=$(readlink -f "$(command -v "$p" || echo "$p")")
        [[ -x $p ]] || die "not executable: $s"
        [[ -z ${BIN[$l]:-} ]] || die "label used twice: $l"
        LABELS+=("$l")
        BIN[$l]=$p
done
BASE=${LABELS[0]}

W=$(mktemp -d /run/huskbench.XXXXXX) || die "cannot make a work dir under /run"
ID=hb$$
CGP=huskbench.$$
for l in "${LABELS[@]}"; do ROOT[$l]=$W/root-$l; mkdir -p "${ROOT[$l]}"; done
rt() { local l=$1; shift; "${BIN[$l]}" --root "${ROOT[$l]}" "$@"; }

CG_MOUNTS=()
while read -r _ mp fs _; do
        [[ $fs == cgroup || $fs == cgroup2 ]] && CG_MOUNTS+=("$mp")
done </proc/self/mounts

cleanup() {
        local l id mp
        trap - EXIT INT TERM
        for l in "${LABELS[@]}"; do
                for id in $(ls "${ROOT[$l]}" 2>/dev/null); do rt "$l" delete -f "$id" >/dev/null 2>&1; done
        done
        for mp in "${CG_MOUNTS[@]}"; do
                [[ -d $mp/$CGP ]] && find "$mp/$CGP" -depth -type d -exec rmdir {} + 2>/dev/null
        done
        # crun writes plain files and dirs below the hidden unified mount point
        # (in the tmpfs of /sys/fs/cgroup): remove them, in this namespace only
        if [[ -n ${HUSKBENCH_NS:-} && $(stat -f -c %T /sys/fs/cgroup/unified) == tmpfs ]]; then
                rm -rf "/sys/fs/cgroup/unified/$CGP"
        fi
        rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- bundles
exec {SLEEPFD}<> <(:)
nap() { read -r -t "$1" -u "$SLEEPFD"; }   # sleep without forking
mkdir -p "$W/rootfs"/{bin,dev,proc,sys,tmp,etc}
cp "$BUSYBOX" "$W/rootfs/bin/busybox"
for a in true sleep sh; do ln -s busybox "$W/rootfs/bin/$a"; done
(cd "$W" && "${BIN[husk]:-${BIN[$BASE]}}" spec) || die "spec failed"
# bundle DIR CGNAME ARGS_JSON [JQ]  (ociVersion 1.0.2: crun 1.8 refuses newer ones)
bundle() {
        mkdir -p "$1"
        jq --argjson a "$3" --arg r "$W/rootfs" --arg cg "/$CGP/$2" \
                ".ociVersion = \"1.0.2\" | .process.terminal = false | .process.args = \$a | .root.path = \$r
                 | .root.readonly = true | .linux.cgroupsPath = \$cg | ${4:-.}" \
                "$W/config.json" >"$1/config.json"
}
TRUE='["/bin/true"]'
SLEEP='["/bin/sleep","1000"]'
for l in "${LABELS[@]}"; do
        bundle "$W/b/$l/true" "$l/true" "$TRUE"
        bundle "$W/b/$l/sleep" "$l/sleep" "$SLEEP"
done

# ---------------------------------------------------------------- samples
S=$W/samples
: >"$S"
sample() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$S"; }
us() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
# time_cmd METRIC LABEL CMD...: one wall-clock sample in ms; failures are
# logged and not sampled
time_cmd() {
        local m=$1 l=$2 t0 t1
        shift 2
        t0=${EPOCHREALTIME/./}
        if "$@" </dev/null >/dev/null 2>>"$W/errors"; then
                t1=${EPOCHREALTIME/./}
                sample "$m" "$l" "$(us $((t1 - t0)))"
        else
                echo "FAILED ($m $l): $*" >>"$W/errors"
        fi
}
# labels, rotated by $1 so that no runtime always goes first
rotated() { local i n=${#LABELS[@]}; for ((i = 0; i < n; i++)); do echo "${LABELS[(i + $1) % n]}"; done; }
# wait until PID is gone or a zombie
wait_gone() {
        local st
        while read -r st 2>/dev/null <"/proc/$1/stat"; do
                st=${st##*) }
                [[ ${st:0:1} == [ZX] ]] && return
                nap 0.0002
        done
}
on() { [[ ",$ONLY," == *",$1,"* ]]; }

# ---------------------------------------------------------------- floors
FLOORS=(floor.exec floor.ns floor.ns+cg)
floor_setup() {
        local mp d v1=0
        for mp in "${CG_MOUNTS[@]}"; do
                d=$mp/$CGP/floor
                mkdir -p "$d" || die "mkdir $d"
                if [[ -f $d/cpuset.cpus ]]; then
                        cat "$mp/cpuset.cpus" >"$mp/$CGP/cpuset.cpus"; cat "$mp/cpuset.mems" >"$mp/$CGP/cpuset.mems"
                        cat "$mp/cpuset.cpus" >"$d/cpuset.cpus"; cat "$mp/cpuset.mems" >"$d/cpuset.mems"
                fi
                [[ -f $d/tasks ]] && v1=1
        done
        NS_CMD=(unshare -m -u -i -n -p -f --mount-proc chroot "$W/rootfs" /bin/true)
        : >"$W/floor-cg.sh"
        : >"$W/floor-cg0.sh"
        for mp in "${CG_MOUNTS[@]}"; do
                echo "echo \$\$ > $mp/$CGP/floor/cgroup.procs" >>"$W/floor-cg.sh"
                [[ -f $mp/tasks ]] && echo "echo 0 > $mp/$CGP/floor/tasks" >>"$W/floor-cg0.sh"
        done
        echo "exec $(command -v unshare) ${NS_CMD[*]:1}" | tee -a "$W/floor-cg.sh" >>"$W/floor-cg0.sh"
        ((v1)) && FLOORS+=(floor.ns+cg0)
}
floor_cmd() {
        case $1 in
        floor.exec) echo "$BUSYBOX true" ;;
        floor.ns) echo "${NS_CMD[*]}" ;;
        floor.ns+cg) echo "$BUSYBOX sh $W/floor-cg.sh" ;;
        floor.ns+cg0) echo "$BUSYBOX sh $W/floor-cg0.sh" ;;
        esac
}

# ---------------------------------------------------------------- sections
bench_run() {
        local i l f
        floor_setup
        log "run: $N x run /bin/true back to back, and after 50 ms idle, with the floors"
        for ((i = 0; i < N; i++)); do
                for l in $(rotated "$i"); do
                        time_cmd run "$l" rt "$l" run -b "$W/b/$l/true" "$ID-r"
                done
                for f in "${FLOORS[@]}"; do
                        # shellcheck disable=SC2046
                        time_cmd "$f" floor $(floor_cmd "$f")
                done
                for l in $(rotated "$i"); do
                        nap 0.05
                        time_cmd run.idle "$l" rt "$l" run -b "$W/b/$l/true" "$ID-r"
                done
                nap 0.05
                time_cmd floor.ns+cg.idle floor $(floor_cmd floor.ns+cg)
                if [[ " ${FLOORS[*]} " == *" floor.ns+cg0 "* ]]; then
                        nap 0.05
                        time_cmd floor.ns+cg0.idle floor $(floor_cmd floor.ns+cg0)
                fi
        done
}

bench_phases() {
        local i l t0 t1 t2 pid pidf=$W/pid
        log "phases: $N x create / start / delete of a /bin/true container"
        for ((i = 0; i < N; i++)); do
                for l in $(rotated "$i"); do
                        rm -f "$pidf"
                        t0=${EPOCHREALTIME/./}
                        if ! rt "$l" create -b "$W/b/$l/true" --pid-file "$pidf" "$ID-p" </dev/null >/dev/null 2>>"$W/errors"; then
                                rt "$l" delete -f "$ID-p" >/dev/null 2>&1
                                continue
                        fi
                        t1=${EPOCHREALTIME/./}
                        read -r pid <"$pidf"
                        rt "$l" start "$ID-p" >/dev/null 2>>"$W/errors"
                        t2=${EPOCHREALTIME/./}
                        sample create "$l" "$(us $((t1 - t0)))"
                        sample start "$l" "$(us $((t2 - t1)))"
                        wait_gone "$pid"
                        time_cmd delete "$l" rt "$l" delete "$ID-p"
                        rt "$l" delete -f "$ID-p" >/dev/null 2>&1
                done
        done
}

start_sleepers() {
        local l
        for l in "${LABELS[@]}"; do
                rt "$l" run -d -b "$W/b/$l/sleep" "$ID-op" </dev/null >/dev/null 2>>"$W/errors" ||
                        echo "$l: cannot start the sleep container" >&2
        done
}
stop_sleepers() {
        local l
        for l in "${LABELS[@]}"; do rt "$l" delete -f "$ID-op" >/dev/null 2>&1; done
}

bench_ops() {
        local i l
        log "ops: $N x exec / state / kill / list on a running container"
        for ((i = 0; i < N; i++)); do
                for l in $(rotated "$i"); do
                        time_cmd exec "$l" rt "$l" exec "$ID-op" /bin/true
                        time_cmd state "$l" rt "$l" state "$ID-op"
                        time_cmd kill "$l" rt "$l" kill "$ID-op" WINCH
                        time_cmd list "$l" rt "$l" list
                done
        done
}

# rss METRIC LABEL CMD...: peak RSS in KiB
rss() {
        local m=$1 l=$2
        shift 2
        /usr/bin/time -f %M -o "$W/rss" "$@" </dev/null >/dev/null 2>>"$W/errors" &&
                sample "$m" "$l" "$(tail -n1 "$W/rss")"
}
bench_rss() {
        local i l pid
        mkdir -p "$W/spec"
        log "rss: peak RSS of run / create / start / delete / exec / state / kill / list / ps / events --stats / update / spec / features (5 each)"
        for ((i = 0; i < 5; i++)); do
                for l in $(rotated "$i"); do
                        rss rss.run "$l" "${BIN[$l]}" --root "${ROOT[$l]}" run -b "$W/b/$l/true" "$ID-r"
                        rm -f "$W/pid"
                        rss rss.create "$l" "${BIN[$l]}" --root "${ROOT[$l]}" create -b "$W/b/$l/true" --pid-file "$W/pid" "$ID-p"
                        rss rss.start "$l" "${BIN[$l]}" --root "${ROOT[$l]}" start "$ID-p"
                        [[ -s $W/pid ]] && wait_gone "$(<"$W/pid")"
                        rss rss.delete "$l" "${BIN[$l]}" --root "${ROOT[$l]}" delete "$ID-p"
                        rt "$l" delete -f "$ID-p" >/dev/null 2>&1
                        rss rss.exec "$l" "${BIN[$l]}" --root "${ROOT[$l]}" exec "$ID-op" /bin/true
                        rss rss.state "$l" "${BIN[$l]}" --root "${ROOT[$l]}" state "$ID-op"
                        rss rss.kill "$l" "${BIN[$l]}" --root "${ROOT[$l]}" kill "$ID-op" WINCH
                        rss rss.list "$l" "${BIN[$l]}" --root "${ROOT[$l]}" list
                        rss rss.ps "$l" "${BIN[$l]}" --root "${ROOT[$l]}" ps "$ID-op"
                        rss rss.events "$l" "${BIN[$l]}" --root "${ROOT[$l]}" events --stats "$ID-op"
                        rss rss.update "$l" "${BIN[$l]}" --root "${ROOT[$l]}" update --pids-limit 1000 "$ID-op"
                        (cd "$W/spec" && rss rss.spec "$l" "${BIN[$l]}" spec && rm -f config.json)
                        rss rss.features "$l" "${BIN[$l]}" features
                done
        done
}

MM=0
# mm_try LABEL BYTES: does run /bin/true exit 0 under that memory limit?
mm_try() {
        local l=$1 b=$2 name=mm$((MM++)) rc mp
        bundle "$W/b/$l/$name" "$l/$name" "$TRUE" ".linux.resources.memory = {\"limit\": $b}"
        timeout -k 5 30 "${BIN[$l]}" --root "${ROOT[$l]}" run -b "$W/b/$l/$name" "$ID-mm" </dev/null >/dev/null 2>&1
        rc=$?
        rt "$l" delete -f "$ID-mm" >/dev/null 2>&1
        for mp in "${CG_MOUNTS[@]}"; do rmdir "$mp/$CGP/$l/$name" 2>/dev/null; done
        rm -rf "${W:?}/b/$l/$name"
        return $rc
}
bench_minmem() {
        local l lo hi mid k step=4096
        log "minmem: smallest memory limit for run /bin/true (bisection, 4 KiB)"
        for l in "${LABELS[@]}"; do
                lo=0 hi=$((64 << 20))
                mm_try "$l" "$hi" || { echo "$l: run fails even under 64 MiB" >&2; continue; }
                while ((hi - lo > step)); do
                        mid=$(((lo + hi) / 2 / step * step))
                        if mm_try "$l" "$mid"; then hi=$mid; else lo=$mid; fi
                done
                for ((k = 0; k < 16; k++)); do # 3 successes in a row, else one step up
                        mm_try "$l" "$hi" && mm_try "$l" "$hi" && mm_try "$l" "$hi" && break
                        hi=$((hi + step))
                done
                sample minmem "$l" $((hi / 1024))
        done
}

bench_scale() {
        local i l t0 t1
        declare -A tot
        log "scale: $C containers per runtime: run -d, list, state, delete -f"
        for l in "${LABELS[@]}"; do
                tot[$l.c]=0 tot[$l.d]=0
                for ((i = 0; i < C; i++)); do bundle "$W/b/$l/s$i" "$l/s$i" "$SLEEP"; done
        done
        for ((i = 0; i < C; i++)); do
                for l in $(rotated "$i"); do
                        t0=${EPOCHREALTIME/./}
                        rt "$l" run -d -b "$W/b/$l/s$i" "$ID-s$i" </dev/null >/dev/null 2>>"$W/errors"
                        t1=${EPOCHREALTIME/./}
                        tot[$l.c]=$((${tot[$l.c]} + t1 - t0))
                done
        done
        for ((i = 0; i < N; i++)); do
                for l in $(rotated "$i"); do
                        time_cmd scale.list "$l" rt "$l" list
                        time_cmd scale.state "$l" rt "$l" state "$ID-s0"
                done
        done
        for ((i = 0; i < C; i++)); do
                for l in $(rotated "$i"); do
                        t0=${EPOCHREALTIME/./}
                        rt "$l" delete -f "$ID-s$i" >/dev/null 2>>"$W/errors"
                        t1=${EPOCHREALTIME/./}
                        tot[$l.d]=$((${tot[$l.d]} + t1 - t0))
                done
        done
        for l in "${LABELS[@]}"; do
                sample scale.run-d "$l" "$(us "${tot[$l.c]}")"
                sample scale.delete-f "$l" "$(us "${tot[$l.d]}")"
        done
}

# ---------------------------------------------------------------- report
METRICS="run|run /bin/true, back to back|ms
run.idle|run /bin/true, after 50 ms idle|ms
create|create|ms
start|start|ms
delete|delete (stopped)|ms
exec|exec /bin/true|ms
state|state (1 container)|ms
kill|kill (1 container)|ms
list|list (1 container)|ms
scale.state|state ($C containers)|ms
scale.list|list ($C containers)|ms
rss.run|peak RSS: run|KiB
rss.create|peak RSS: create|KiB
rss.start|peak RSS: start|KiB
rss.delete|peak RSS: delete|KiB
rss.exec|peak RSS: exec|KiB
rss.state|peak RSS: state|KiB
rss.kill|peak RSS: kill|KiB
rss.list|peak RSS: list|KiB
rss.ps|peak RSS: ps|KiB
rss.events|peak RSS: events --stats|KiB
rss.update|peak RSS: update|KiB
rss.spec|peak RSS: spec|KiB
rss.features|peak RSS: features|KiB
minmem|smallest memory limit for run|KiB
scale.run-d|$C x run -d, total|ms
scale.delete-f|$C x delete -f, total|ms
floor.exec|floor: fork+exec true|ms
floor.ns|floor: unshare+proc+chroot|ms
floor.ns+cg|floor: + cgroup attach|ms
floor.ns+cg0|floor: + cgroup attach (tasks 0)|ms
floor.ns+cg.idle|floor: + cgroup attach, after idle|ms
floor.ns+cg0.idle|floor: + attach (tasks 0), after idle|ms"

report() {
        local husk=
        [[ -n ${BIN[husk]:-} && $BASE != husk ]] && husk=husk
        echo
        echo "husk bench: $(uname -sr), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg) (at start: $LOAD0)"
        echo "setup: $SETUP; N=$N C=$C; state roots on $(stat -f -c %T "$W")"
        for l in "${LABELS[@]}"; do echo "  $l: ${BIN[$l]} ($("${BIN[$l]}" --version 2>&1 | head -n1))"; done
        if [[ -n $husk ]]; then echo "medians; the ratio column is husk / $BASE"; else echo "medians"; fi
        echo
        awk -F'\t' -v labels="${LABELS[*]}" -v base="$BASE" -v husk="$husk" -v out="$OUT" -v metrics="$METRICS" '
        function median(k,   n, i, j, t, a) {
                n = split(vals[k], a, " ")
                for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function fmt(v, unit) { return unit == "KiB" ? sprintf("%.0f", v) : (v < 100 ? sprintf("%.2f", v) : sprintf("%.0f", v)) }
        { vals[$1 "|" $2] = vals[$1 "|" $2] " " $3 }
        END {
                nl = split(labels, L, " ")
                printf "%-40s", "metric"
                for (i = 1; i <= nl; i++) printf "%12s", L[i]
                if (husk != "") printf "%12s", "husk/" base
                printf "\n"
                nm = split(metrics, M, "\n")
                for (m = 1; m <= nm; m++) {
                        split(M[m], f, "|")
                        key = f[1]; title = f[2] " [" f[3] "]"
                        if (key ~ /^floor/) {
                                if (!((key "|floor") in vals)) continue
                                v = median(key "|floor")
                                printf "%-40s%12s\n", title, fmt(v, f[3])
                                if (out != "") printf "%s\tfloor\t%s\t%s\n", key, v, f[3] >> out
                                continue
                        }
                        any = 0
                        for (i = 1; i <= nl; i++) if ((key "|" L[i]) in vals) any = 1
                        if (!any) continue
                        printf "%-40s", title
                        for (i = 1; i <= nl; i++) {
                                k = key "|" L[i]
                                if (k in vals) {
                                        med[i] = median(k); printf "%12s", fmt(med[i], f[3])
                                        if (out != "") printf "%s\t%s\t%s\t%s\n", key, L[i], med[i], f[3] >> out
                                } else { med[i] = ""; printf "%12s", "-" }
                        }
                        if (husk != "") {
                                b = ""; h = ""
                                for (i = 1; i <= nl; i++) { if (L[i] == base) b = med[i]; if (L[i] == husk) h = med[i] }
                                printf "%12s", (b != "" && h != "" && b > 0) ? sprintf("%.2f", h / b) : "-"
                        }
                        printf "\n"
                }
        }' "$S"
        if [[ -s $W/errors ]]; then
                echo
                echo "errors ($(wc -l <"$W/errors") lines, first 5):"
                head -n5 "$W/errors"
        fi
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
log "runtimes: ${LABELS[*]}; $SETUP"
awk '{ exit !($1 > 0.5) }' /proc/loadavg && log "load average ${LOAD0%% *} > 0.5: expect noisy timings"
[[ -z $OUT ]] || : >"$OUT"
on run && bench_run
on phases && bench_phases
if on ops || on rss; then
        start_sleepers
        on ops && bench_ops
        on rss && bench_rss
        stop_sleepers
fi
on minmem && bench_minmem
on scale && bench_scale
report
