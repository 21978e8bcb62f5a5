#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-podman-rootless.sh
#
# Rootless podman with --runtime husk on a pure cgroup v2 host with systemd,
# in a throw-away VM (QEMU, ../shared/vm/run-in-vm.sh --systemd; the host's
# podman, conmon, newuidmap/newgidmap and the D-Bus user-session units are
# carried in, as tests/vm/run-criu.sh carries podman). An unprivileged user
# (with a subordinate id range) whose systemd instance (user@UID.service,
# with a session bus) delegates memory and pids runs
#   podman --runtime R --cgroup-manager M run -d --memory 64m --pids-limit 42
# for R in husk and runc 1.1.5 (/usr/sbin/runc, for comparison) and M in
# systemd and cgroupfs, and checks in the container's cgroup (read on the
# host side, as root): memory.max is 67108864 and pids.max 42; `podman
# update --memory 96m` reaches memory.max; `podman exec` works; `podman rm
# -f` leaves no cgroup. A combination that fails with runc too is reported
# (runc's result beside husk's) but fails the run only when husk does worse
# than runc.
#
# Environment:
#   HUSK_BUILD_DIR  the meson build dir (default: build/ of this tree)
#   HUSK_VM_RUNNER  run-in-vm.sh to use (default: ../shared/vm/run-in-vm.sh)
#   HUSK_VM_TIMEOUT seconds before the VM is killed (default 1200)
#
# Exit status: 0 when husk passed every check runc passes and applied the
# limits with the systemd cgroup manager; 1 otherwise; 77 (skip) when the VM
# runner, podman, conmon, newuidmap/newgidmap, the D-Bus user units
# (dbus-user-session), busybox or jq is missing.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)

case ${1:-} in
-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
"") ;;
*) echo "run-podman-rootless.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

me=run-podman-rootless.sh
# shellcheck source=vm-common.sh
. "$here/vm-common.sh"
vm_need_built "$husk"
podman=$(command -v podman) || skip "podman is not installed"
conmon=$(command -v conmon) || skip "conmon is not installed"
newuidmap=$(command -v newuidmap) || skip "newuidmap is not installed (apt-get install uidmap)"
newgidmap=$(command -v newgidmap) || skip "newgidmap is not installed (apt-get install uidmap)"
dbus_units=(/usr/lib/systemd/user/dbus.socket /usr/lib/systemd/user/dbus.service)
for f in "${dbus_units[@]}"; do
        [[ -e $f ]] || skip "no $f (apt-get install dbus-user-session)"
done
[[ -x /bin/busybox ]] || skip "no /bin/busybox (apt-get install busybox-static)"
command -v jq >/dev/null || skip "jq is not installed"
runc=/usr/sbin/runc
[[ -x $runc ]] || runc=

work=$(mktemp -d /tmp/husk-podman-rl.XXXXXX)
trap 'rm -rf "$work"' EXIT
RUNTIME= "$src/contrib/mkbundle.sh" "$work/bundle" -- /bin/sh >/dev/null
tar --numeric-owner -C "$work/bundle/rootfs" -cf "$work/rootfs.tar" .
rm -rf "$work/bundle"
# the build dir may not be traversable for the user: a copy of husk
install -D -m 0755 "$husk" "$work/bin/husk"
# a statically linked husk runs husk-dynamic (next to it) for systemd
[[ ! -x $build/src/cli/husk-dynamic ]] || install -m 0755 "$build/src/cli/husk-dynamic" "$work/bin/husk-dynamic"
chmod -R a+rX "$work"

inner=$(cat <<'EOF'
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
W=$WORK
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
echo "=== $(uname -r), systemd $(systemctl --version | head -1 | cut -d' ' -f2), $(podman --version)"

# the user, its subordinate ids, the setuid helpers, its session bus
U=hrlpod
useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$U" || { bad "useradd"; exit 1; }
UID_=$(id -u "$U") GID_=$(id -g "$U")
echo "$U:200000:65536" >>/etc/subuid
echo "$U:200000:65536" >>/etc/subgid
chown root:root "$NEWUIDMAP" "$NEWGIDMAP"
chmod 4755 "$NEWUIDMAP" "$NEWGIDMAP"
mkdir -p /etc/systemd/user/sockets.target.wants
ln -sf /usr/lib/systemd/user/dbus.socket /etc/systemd/user/sockets.target.wants/dbus.socket
systemctl start "user@$UID_.service" || { bad "start user@$UID_.service"; exit 1; }
XDG=/run/user/$UID_
for i in $(seq 100); do [[ -S $XDG/bus ]] && break; sleep 0.1; done
[[ -S $XDG/bus ]] && ok "user@$UID_.service with a session bus" || { bad "no $XDG/bus"; exit 1; }
U_ROOT=/sys/fs/cgroup/user.slice/user-$UID_.slice/user@$UID_.service
echo "    delegated to the user: $(cat "$U_ROOT/cgroup.controllers")"

H=$W/home
install -d -m 0700 -o "$UID_" -g "$GID_" "$H"
cat >"$H/containers.conf" <<CONF
[containers]
netns = "none"
log_driver = "k8s-file"

[engine]
events_logger = "file"
events_logfile_path = "$H/events.log"
pull_policy = "never"
runtime_supports_json = ["crun", "runc", "husk"]
conmon_env_vars = ["PATH=$PATH", "CONTAINERS_CONF=$H/containers.conf", "CONTAINERS_STORAGE_CONF=$H/storage.conf"]
CONF
cat >"$H/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$H/store"
runroot = "$XDG/containers"
CONF
chown "$UID_:$GID_" "$H"/*.conf
# as the user, with a login's environment
as() {
        (cd "$H" && setpriv --reuid "$UID_" --regid "$GID_" --init-groups env -i PATH="$PATH" HOME="$H" USER="$U" \
                LOGNAME="$U" XDG_RUNTIME_DIR="$XDG" DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG/bus" \
                CONTAINERS_CONF="$H/containers.conf" CONTAINERS_STORAGE_CONF="$H/storage.conf" "$@")
}
as podman import -q "$W/rootfs.tar" localhost/husk-rl >/dev/null 2>"$H/import.err" &&
        ok "podman import as $U" || { bad "podman import: $(cat "$H/import.err")"; exit 1; }
as podman run --rm --runtime "$HUSK" --cgroup-manager cgroupfs localhost/husk-rl cat /proc/self/uid_map >"$H/map" 2>&1
echo "    the user namespace of the containers: $(tr -s ' \n' ' ' <"$H/map")"

# one container: R (runtime) M (cgroup manager); the result as words
try() {
        local rt=$1 mgr=$2 name=rl-$(basename "$1")-$2 res="" pid cg
        local P=(podman --runtime "$rt" --cgroup-manager "$mgr")
        if ! as "${P[@]}" run -d --name "$name" --memory 64m --pids-limit 42 localhost/husk-rl sleep 1000 \
                >"$H/$name.run" 2>&1; then
                echo "    $name: podman run: $(tail -n 3 "$H/$name.run" | tr '\n' ' ')" >&2
                echo "run=failed"
                as podman rm -f -t 0 "$name" >/dev/null 2>&1
                return
        fi
        res="run=ok"
        pid=$(as podman inspect -f '{{.State.Pid}}' "$name")
        cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
        echo "    $name: pid $pid, cgroup $cg" >&2
        res+=" memory.max=$(cat "/sys/fs/cgroup$cg/memory.max" 2>/dev/null || echo none)"
        res+=" pids.max=$(cat "/sys/fs/cgroup$cg/pids.max" 2>/dev/null || echo none)"
        if as "${P[@]}" update --memory 96m "$name" >"$H/$name.update" 2>&1; then
                res+=" update:memory.max=$(cat "/sys/fs/cgroup$cg/memory.max" 2>/dev/null || echo none)"
        else
                echo "    $name: podman update: $(tail -n 2 "$H/$name.update" | tr '\n' ' ')" >&2
                res+=" update=failed"
        fi
        if [[ $(as "${P[@]}" exec "$name" echo hi 2>"$H/$name.exec") == hi ]]; then
                res+=" exec=ok"
        else
                echo "    $name: podman exec: $(tail -n 3 "$H/$name.exec" | tr '\n' ' ')" >&2
                res+=" exec=failed"
        fi
        # still there after other podman commands made and ended their scopes
        res+=" later:pids.max=$(cat "/sys/fs/cgroup$cg/pids.max" 2>/dev/null || echo none)"
        as "${P[@]}" rm -f -t 0 "$name" >"$H/$name.rm" 2>&1 && res+=" rm=ok" || res+=" rm=failed"
        [[ -n $cg && ! -e /sys/fs/cgroup$cg ]] && res+=" cgroup-left=no" || res+=" cgroup-left=yes"
        echo "$res"
}

want="run=ok memory.max=67108864 pids.max=42 update:memory.max=100663296 exec=ok later:pids.max=42 rm=ok cgroup-left=no"
for mgr in systemd cgroupfs; do
        echo "=== podman --cgroup-manager $mgr"
        r_runc=none
        if [[ -n $RUNC ]]; then
                r_runc=$(try "$RUNC" "$mgr")
                echo "    runc: $r_runc"
        fi
        r_husk=$(try "$HUSK" "$mgr")
        echo "    husk: $r_husk"
        if [[ $r_husk == "$want" ]]; then
                ok "$mgr: husk applies --memory 64m and --pids-limit 42, update --memory 96m, exec, rm"
        elif [[ $mgr == systemd ]]; then
                bad "$mgr: husk: $r_husk (want $want)"
        else
                # cgroupfs: as well as runc, check for check
                worse=
                for w in $want; do
                        [[ " $r_runc " == *" $w "* && " $r_husk " != *" $w "* ]] && worse+=" $w"
                done
                [[ -z $worse ]] && ok "$mgr: husk does as well as runc (husk: $r_husk)" ||
                        bad "$mgr: husk lacks what runc has:$worse"
        fi
done
left=$(find "$U_ROOT" -mindepth 1 -type d -name '*libpod*' ! -name '*conmon*' 2>/dev/null)
[[ -z $left ]] && ok "no container cgroup left" || bad "cgroups left: $left"
echo "=== $fails failed"
[[ $fails -eq 0 ]]
EOF
)

carry=(--carry "$podman" --carry "$conmon" --carry "$newuidmap" --carry "$newgidmap"
       --carry /usr/share/containers --carry "$work")
for f in "${dbus_units[@]}"; do carry+=(--carry "$f"); done
[[ -d /etc/containers ]] && carry+=(--carry /etc/containers)
[[ -z $runc ]] || carry+=(--carry "$runc")
[[ -n $runc ]] || echo "run-podman-rootless.sh: no /usr/sbin/runc: husk's results are not compared" >&2
rc=0
"$runner" --systemd -t "${HUSK_VM_TIMEOUT:-1200}" "${carry[@]}" -w "$work" \
        -e "HUSK=$work/bin/husk" -e "RUNC=$runc" -e "WORK=$work" -e "NEWUIDMAP=$newuidmap" -e "NEWGIDMAP=$newgidmap" \
        -- /bin/bash -c "$inner" || rc=$?
exit $rc
