#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-libhusk-abi.sh LIBHUSK_SO INCLUDE_DIR: the shared libhusk exports
# exactly the functions its installed headers declare (husk/container.h,
# husk/error.h), under the version node of src/lib/api/libhusk.map, and
# nothing internal (container_create, spec_parse, ...), whatever the
# symbols' names. Output is TAP.
set -u
so=$1 inc=$2
n=0 failed=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

exported=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
versioned=$(nm -D --defined-only "$so" | awk '$2 == "T" && $3 !~ /@@HUSK_0\.1$/ { print $3 }')
# "int husk_x(" / "void husk_x(" at the start of a declaration
declared=$(cat "$inc"/husk/container.h "$inc"/husk/error.h |
        grep -oE '^(int|void|char|bool|const char) \**husk_[a-z0-9_]+\(' | grep -oE 'husk_[a-z0-9_]+' | sort -u)
api=$(grep -oE '^(int|void) \**husk_[a-z0-9_]+\(' "$inc"/husk/container.h | grep -oE 'husk_[a-z0-9_]+' | sort -u)

ok "$([[ -n $exported && -n $api ]]; echo $?)" "symbols found ($(wc -w <<<"$exported") exported, $(wc -w <<<"$api") in container.h)"
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
ok "$([[ -z $extra ]]; echo $?)" "every exported function is declared in the public headers${extra:+: not declared: $(echo $extra)}"
missing=$(comm -13 <(echo "$exported") <(echo "$api"))
ok "$([[ -z $missing ]]; echo $?)" "every function of husk/container.h is exported${missing:+: missing: $(echo $missing)}"
ok "$([[ -z $versioned ]]; echo $?)" "every export has the version HUSK_0.1${versioned:+: $(echo $versioned)}"
internal=$(nm -D --defined-only "$so" | grep -wE 'container_create|spec_parse|state_reserve|cgroup_manager_new|husk_log' || true)
ok "$([[ -z $internal ]]; echo $?)" "no internal function is exported${internal:+: $(echo $internal)}"
# every public header compiles on its own
for h in container.h error.h; do
        echo "#include <husk/$h>" | cc -x c -fsyntax-only -Wall -Wextra -Werror -I"$inc" - 2>&1
        ok "${PIPESTATUS[1]}" "husk/$h compiles on its own"
done
echo "1..$n"
[[ $failed == 0 ]]
