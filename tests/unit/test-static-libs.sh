#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-static-libs.sh HUSK [--static-exe [HUSK_DYNAMIC]]: with
# -Dstatic_libs=true (the default) husk loads no yajl, libseccomp or libcap
# shared object at run time. With --static-exe (-Dstatic_exe): husk is one
# static-pie executable (no interpreter, no shared object at all), and
# HUSK_DYNAMIC, its twin for libsystemd and libcriu, is dynamically linked.
set -euo pipefail
husk=$1
command -v readelf >/dev/null || { echo "no readelf: skipped"; exit 77; }
needed=$(readelf -d "$husk" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo $needed)"
if grep -E '^lib(yajl|seccomp|cap)\.' <<<"$needed"; then
        echo "husk links the libraries above dynamically despite -Dstatic_libs=true" >&2
        exit 1
fi
"$husk" --version | grep -q '+SECCOMP' || { echo "husk --version lacks +SECCOMP" >&2; exit 1; }
[[ ${2:-} == --static-exe ]] || exit 0
if [[ -n $needed ]] || readelf -l "$husk" | grep -q INTERP; then
        echo "-Dstatic_exe: husk has an interpreter or needs shared objects" >&2
        exit 1
fi
readelf -h "$husk" | grep -q 'DYN (' || { echo "-Dstatic_exe: husk is not position independent (static-pie)" >&2; exit 1; }
if [[ -n ${3:-} ]]; then
        readelf -d "$3" | grep -q 'NEEDED.*libc\.so' || { echo "husk-dynamic is not dynamically linked" >&2; exit 1; }
        [[ $("$3" --version) == "$("$husk" --version)" ]] || { echo "husk-dynamic is another version" >&2; exit 1; }
fi
