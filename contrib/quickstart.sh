#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# quickstart.sh: on a fresh Debian 12 machine, as root: install husk's build
# dependencies, build husk into build/, make a busybox bundle and run a
# container in it that shows how it is isolated from the host, then delete
# it.
#
# Environment: BUILD_DIR (default build), SKIP_APT=1 to not call apt-get.

set -euo pipefail

cd "$(dirname "$0")/.."
src=$PWD
build=${BUILD_DIR:-build}

if [[ $EUID -ne 0 ]]; then
        echo "quickstart.sh: run me as root (containers need it)" >&2
        exit 1
fi

deps=(meson ninja-build pkg-config gcc libc6-dev libyajl-dev libseccomp-dev
      libcap-dev libselinux1-dev libsystemd-dev busybox-static jq)

install_deps() {
        local missing=() p
        for p in "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
                        missing+=("$p")
        done
        [[ ${#missing[@]} -eq 0 ]] && return 0
        if [[ ${SKIP_APT:-0} == 1 ]]; then
                echo "quickstart.sh: missing packages: ${missing[*]}" >&2
                exit 1
        fi
        echo "==> apt-get install ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_deps "${deps[@]}"

echo "==> building husk in $build/"
if [[ -f $build/build.ninja ]]; then
        meson setup --reconfigure "$build" >/dev/null
else
        meson setup "$build" >/dev/null
fi
# husk-dynamic: what a statically linked husk runs for --systemd-cgroup,
# checkpoint and restore (built when husk is static and has either)
ninja -C "$build" src/cli/husk $(ninja -C "$build" -t targets all | grep -o '^src/cli/husk-dynamic:' | tr -d :) >/dev/null
husk=$src/$build/src/cli/husk
"$husk" --version

tmp=$(mktemp -d /tmp/husk-quickstart.XXXXXX)
id=quickstart-$$
cleanup() {
        "$husk" --root "$tmp/state" delete --force "$id" >/dev/null 2>&1 || true
        rm -rf "$tmp"
}
trap cleanup EXIT

echo "==> making a busybox bundle in $tmp/bundle"
"$src/contrib/mkbundle.sh" "$tmp/bundle" -- /bin/sh /bin/show-isolation
# shellcheck disable=SC2016 # expanded inside the container
cat >"$tmp/bundle/rootfs/bin/show-isolation" <<'SCRIPT'
echo "  hostname:        $(hostname)"
echo "  id:              $(id)"
echo "  PID 1:           $(tr '\0' ' ' </proc/1/cmdline)"
echo "  processes seen:  $(ls -d /proc/[0-9]* | wc -l)"
echo "  mounts:          $(wc -l </proc/self/mountinfo)"
echo "  network devices: $(ls /sys/class/net | tr '\n' ' ')"
echo "  root dir:        $(ls / | tr '\n' ' ')"
echo "  capabilities:    $(grep CapEff /proc/self/status | cut -f2)"
SCRIPT
jq '.hostname = "husk-quickstart"' "$tmp/bundle/config.json" >"$tmp/config.json"
mv "$tmp/config.json" "$tmp/bundle/config.json"

echo "==> the host:"
echo "  hostname:        $(hostname)"
echo "  processes seen:  $(ls -d /proc/[0-9]* | wc -l)"
echo "  mounts:          $(wc -l </proc/self/mountinfo)"
echo "  capabilities:    $(grep CapEff /proc/self/status | cut -f2)"
echo "==> husk run $id (inside the container):"
"$husk" --root "$tmp/state" run --keep -b "$tmp/bundle" "$id" </dev/null
echo "==> husk state $id:"
"$husk" --root "$tmp/state" state "$id"
echo "==> husk delete $id"
"$husk" --root "$tmp/state" delete "$id"
echo "done: husk is at $build/src/cli/husk"
