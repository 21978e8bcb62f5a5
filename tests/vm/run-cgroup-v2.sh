#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-cgroup-v2.sh [--systemd] [--rootless] [-- BATS-ARGS...]
#
# Run the cgroup part of the test suite -- the unit test test-cgroup and
# tests/integration/{cgroups,cgroups-unset,pause,update,events,ps}.bats -- inside a
# throw-away pure cgroup v2 VM (QEMU, through ../shared/vm/run-in-vm.sh of
# the machine's shared tools). With --systemd the VM boots systemd as PID 1
# and husk runs with --systemd-cgroup (the transient-scope driver).
# With --rootless (implies --systemd) it runs tests/integration/rootless.bats
# instead: an unprivileged user whose systemd instance (user@UID.service)
# delegates a cgroup v2 subtree gets memory and pids limits through
# --systemd-cgroup, and through cgroupfs when husk runs in a scope of its
# own with Delegate=yes (systemd-run --user --scope -p Delegate=yes); in a
# plain scope (the cgroup would go into systemd's app.slice) husk refuses
# the limits.
#
# Environment:
#   HUSK_BUILD_DIR  the meson build dir to test (default: build/ of this
#                   tree); it needs src/cli/husk and tests/unit/test-cgroup
#   HUSK_VM_RUNNER  run-in-vm.sh to use (default: ../shared/vm/run-in-vm.sh
#                   next to this tree)
#   HUSK_VM_TIMEOUT seconds before the VM is killed (default 1800)
#
# Exit status: that of the tests; 77 (skip) when the VM runner or a needed
# host tool (bats, jq, procps ps) is missing; 1 when not built.
#
# bats, jq and procps' ps are not in the VM's busybox userland: they are
# carried in from the host (the runner adds their shared libraries).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)

systemd=0
rootless=0
bats_args=()
while [[ $# -gt 0 ]]; do
        case $1 in
        --systemd) systemd=1 ;;
        --rootless) systemd=1; rootless=1 ;;
        -h|--help)
                sed -n '3,/^$/s/^# \{0,1\}//p' "$0"
                exit 0
                ;;
        --) shift; bats_args=("$@"); break ;;
        *) echo "run-cgroup-v2.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
        esac
        shift
done

me=run-cgroup-v2.sh
# shellcheck source=vm-common.sh
. "$here/vm-common.sh"
unit=$build/tests/unit/test-cgroup
vm_need_built "$husk" "$unit"

bats=$(command -v bats) || skip "bats is not installed (apt-get install bats)"
jq=$(command -v jq) || skip "jq is not installed"
ps=/usr/bin/ps
[[ -x $ps ]] || ps=/bin/ps
"$ps" -o pid= -p $$ >/dev/null 2>&1 || skip "procps ps is not installed"
carry=(--carry "$src/tests" --carry "$src/contrib" --carry "$husk" --carry "$unit"
       --carry "$bats" --carry "$jq" --carry "$ps")
# a statically linked husk runs husk-dynamic (next to it) for systemd
[[ ! -x $build/src/cli/husk-dynamic ]] || carry+=(--carry "$build/src/cli/husk-dynamic")
# a statically linked husk runs husk-dynamic (next to it) for CRIU and systemd
[[ -x $build/src/cli/husk-dynamic ]] && carry+=(--carry "$build/src/cli/husk-dynamic")
for d in /usr/lib/bats-core /usr/libexec/bats-core /usr/lib/bats /usr/share/bats; do
        [[ -e $d ]] && carry+=(--carry "$d")
done

files=(cgroups cgroups-unset pause update events ps)
[[ $rootless == 0 ]] || files=(rootless)
bats_files=()
for f in "${files[@]}"; do
        bats_files+=("$src/tests/integration/$f.bats")
done

# What runs in the VM. husk under --systemd-cgroup is a wrapper named
# husk-* so the suite still knows it tests husk.
inner=$(cat <<'EOF'
set -u
export PATH=/usr/bin:/usr/sbin:/bin:/sbin:$PATH
rc=0
echo "=== $(uname -r), cgroup2 root controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
echo "=== unit: test-cgroup"
"$UNIT" || rc=$?
echo "=== unit: test-cgroup exit $rc"
runtime=$HUSK
if [[ $SYSTEMD == 1 && $ROOTLESS == 0 ]]; then
        runtime=/run/husk-systemd
        printf '#!/bin/sh\nexec %s --systemd-cgroup "$@"\n' "$HUSK" >"$runtime"
        chmod +x "$runtime"
        export HUSK_TEST_SYSTEMD=1
fi
echo "=== integration: $RUNTIME_FILES"
brc=0
RUNTIME=$runtime HUSK_BUILD_DIR=$BUILD bats --tap $BATS_ARGS $RUNTIME_FILES || brc=$?
echo "=== integration exit $brc"
[[ $rc -ne 0 ]] || rc=$brc
exit $rc
EOF
)

opts=(-t "${HUSK_VM_TIMEOUT:-1800}")
if [[ $systemd == 1 ]]; then
        opts+=(--systemd)
        # the Debian image has no busybox for the test bundles (the plain
        # VM's userland is busybox: not replaced)
        [[ -x /bin/busybox ]] || skip "no /bin/busybox (apt-get install busybox-static)"
        carry+=(--carry /bin/busybox)
fi
exec "$runner" "${opts[@]}" "${carry[@]}" -w "$src" \
        -e "UNIT=$unit" -e "HUSK=$husk" -e "BUILD=$build" -e "SYSTEMD=$systemd" -e "ROOTLESS=$rootless" \
        -e "RUNTIME_FILES=${bats_files[*]}" -e "BATS_ARGS=${bats_args[*]:-}" \
        -- /bin/bash -c "$inner"
