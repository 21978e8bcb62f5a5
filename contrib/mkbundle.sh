#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkbundle.sh DIR [-- ARGS...]
#
# Make an OCI bundle at DIR from Debian's busybox-static:
#   DIR/rootfs/bin/busybox and one symlink per applet, /etc/passwd and
#   /etc/group (root and user 1000), empty /proc /sys /dev /tmp ...
#   DIR/config.json from `$RUNTIME spec` when RUNTIME is set, else a built-in
#   default identical to `runc spec`; process.terminal is false, and
#   process.args is ARGS when given.
#
# Environment:
#   RUNTIME   a runc-compatible binary whose `spec` makes config.json
#   BUSYBOX   the static busybox to copy (default /bin/busybox)
#
# Needs: bash, jq, a static busybox (apt-get install busybox-static jq).

set -euo pipefail

usage() {
        echo "usage: $0 DIR [-- ARGS...]" >&2
        exit 2
}

[[ $# -ge 1 ]] || usage
case $1 in
-h|--help) usage ;;
esac
dir=$1
shift
have_args=0
if [[ $# -gt 0 ]]; then
        [[ $1 == -- ]] || usage
        shift
        have_args=1
fi

busybox=${BUSYBOX:-/bin/busybox}
die() {
        echo "mkbundle.sh: $*" >&2
        exit 1
}
[[ -x $busybox ]] || die "$busybox not found (apt-get install busybox-static)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"
# A dynamically linked busybox would need its libraries in the rootfs.
if command -v file >/dev/null &&
        LC_ALL=C file -L "$busybox" | grep -q 'dynamically linked'; then
        die "$busybox is dynamically linked; install busybox-static"
fi
[[ -e $dir/config.json ]] && die "$dir/config.json exists; remove it first"

mkdir -p "$dir"
rootfs=$dir/rootfs
mkdir -p "$rootfs"/{bin,sbin,etc,dev,proc,sys,tmp,root,home/user,run,var/tmp,usr/bin}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
chmod 0700 "$rootfs/root"
chown 1000:1000 "$rootfs/home/user"

cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
        case $applet in
        busybox|*/*) continue ;;
        esac
        [[ -e $rootfs/bin/$applet || -L $rootfs/bin/$applet ]] ||
                ln -s busybox "$rootfs/bin/$applet"
done
# A few programs look for an absolute path (/usr/bin/env in shebangs).
ln -sf ../../bin/env "$rootfs/usr/bin/env"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
tty:x:5:
user:x:1000:
users:x:100:user
nogroup:x:65534:
EOF
echo 'hosts: files' >"$rootfs/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n' >"$rootfs/etc/hosts"

if [[ -n ${RUNTIME:-} ]]; then
        # `spec` writes config.json into the current directory, with runc's
        # defaults; -b is not used so any runc-compatible runtime works.
        (cd "$dir" && "$RUNTIME" spec) || die "$RUNTIME spec failed"
else
        # The same document `runc spec` (1.1.5) writes.
        cat >"$dir/config.json" <<'EOF'
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
EOF
fi

tmp=$dir/.config.json.tmp
if [[ $have_args -eq 1 ]]; then
        # One jq -Rs per argument: jq 1.6 would take "-c" after --args as
        # its own option.
        args_json=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -cs .)
        jq --argjson a "$args_json" '.process.terminal = false | .process.args = $a' \
                "$dir/config.json" >"$tmp"
else
        jq '.process.terminal = false' "$dir/config.json" >"$tmp"
fi
mv "$tmp" "$dir/config.json"
