# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vm-common.sh: sourced by tests/vm/run-*.sh after they set `me` (their
# name, for messages) and `src` (the source tree). Defines skip and finds
# what every VM script needs:
#   runner  ../shared/vm/run-in-vm.sh of the machine's shared tools (or
#           $HUSK_VM_RUNNER); from a worktree (../wt/NAME) one level up
#   build   the meson build dir ($HUSK_BUILD_DIR, default build/), absolute
#   husk    $build/src/cli/husk
# vm_need_built FILE... exits 1 naming the first one not built.

skip() {
        echo "$me: SKIP: $*" >&2
        exit 77
}

runner=${HUSK_VM_RUNNER:-$(cd "$src/.." && pwd)/shared/vm/run-in-vm.sh}
[[ -n ${HUSK_VM_RUNNER:-} || -x $runner ]] || runner=$(cd "$src/../.." && pwd)/shared/vm/run-in-vm.sh
[[ -x $runner ]] || skip "no VM runner at $runner (set HUSK_VM_RUNNER)"

build=${HUSK_BUILD_DIR:-$src/build}
[[ -d $build ]] || { echo "$me: no build dir $build (meson setup build && ninja -C build)" >&2; exit 1; }
build=$(cd "$build" && pwd)
husk=$build/src/cli/husk

vm_need_built() {
        local f
        for f in "$@"; do
                [[ -x $f ]] || { echo "$me: $f is not built (ninja -C $build)" >&2; exit 1; }
        done
}
