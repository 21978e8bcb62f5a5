#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-static-libs.sh HUSK: with -Dstatic_libs=true (the default) husk loads
# no yajl, libseccomp or libcap shared object at run time.
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
