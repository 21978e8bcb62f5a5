# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers of the cgroup tests (cgroups, pause, update, events, ps .bats):
# find a container's cgroup on the host from /proc/PID/cgroup and read its
# files, on cgroup v1, hybrid and pure v2 alike.
#
#   cg_dir PID CONTROLLER   the host directory of PID's cgroup that holds
#                           CONTROLLER's files (v1 hierarchy, else cgroup2
#                           when the controller is enabled there); fails
#                           when the host has no such controller
#   cg_v2 PID CONTROLLER    true when that directory is cgroup2
#   cg_read PID CONTROLLER FILE   the file's content
#   need_cg PID CONTROLLER  skip the test when the host lacks it

# The mount point of the v1 hierarchy holding CONTROLLER, or of cgroup2.
_cg_mount() {
        local want=$1
        awk -v want="$want" '{
                for (i = 7; i <= NF; i++) if ($i == "-") break
                fstype = $(i + 1); opts = "," $(i + 3) ","
                if (want == "cgroup2" && fstype == "cgroup2") { print $5; exit }
                if (want != "cgroup2" && fstype == "cgroup" && index(opts, "," want ",")) { print $5; exit }
        }' /proc/self/mountinfo
}

cg_dir() {
        local pid=$1 ctrl=$2 hid ctrls path mnt
        while IFS=: read -r hid ctrls path; do
                [[ $hid == 0 ]] && continue
                if [[ ,$ctrls, == *,$ctrl,* ]]; then
                        mnt=$(_cg_mount "$ctrl")
                        [[ -n $mnt ]] || return 1
                        echo "$mnt$path"
                        return 0
                fi
        done <"/proc/$pid/cgroup"
        path=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
        mnt=$(_cg_mount cgroup2)
        [[ -n $mnt && -n $path ]] || return 1
        [[ -e $mnt$path/cgroup.controllers ]] || return 1
        [[ " $(cat "$mnt$path/cgroup.controllers") " == *" $ctrl "* ]] || return 1
        echo "$mnt$path"
}

cg_v2() {
        local d
        d=$(cg_dir "$1" "$2") || return 1
        [[ -e $d/cgroup.controllers ]]
}

cg_read() {
        local d
        d=$(cg_dir "$1" "$2") || {
                echo "no $2 cgroup for pid $1" >&2
                return 1
        }
        cat "$d/$3"
}

# The host has CONTROLLER somewhere (v1 mount or enabled at the cgroup2
# root)? For checks made before a container exists.
host_has_controller() {
        local ctrl=$1 mnt
        [[ -n $(_cg_mount "$ctrl") ]] && return 0
        mnt=$(_cg_mount cgroup2)
        [[ -n $mnt && " $(cat "$mnt/cgroup.controllers" 2>/dev/null) " == *" $ctrl "* ]]
}

need_controller() {
        host_has_controller "$1" || skip "this host has no $1 controller"
}

# Pure cgroup v2 (no v1 hierarchy mounted)?
host_pure_v2() {
        # (busybox stat -f does not know cgroup2fs: look for a v2 file)
        [[ -e /sys/fs/cgroup/cgroup.controllers ]]
}

# update_res JSON: merge JSON into linux.resources of config.json.
set_resources() {
        update_config '.linux.resources = ((.linux.resources // {}) * $r)' --argjson r "$1"
}

# try_detached [ARGS...] ID: `run -d` under bats' run, the container's stdio
# on files (a pipe would keep `run` waiting): sets $status, and $output to
# what the runtime wrote on stderr.
try_detached() {
        local id=${!#}
        run run_detached "$@"
        output=$(cat "$BATS_TEST_TMPDIR/$id.err" 2>/dev/null)
}
