#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-criu.sh
#
# Prove husk checkpoint/restore with CRIU in a throw-away VM (QEMU, through
# ../shared/vm/run-in-vm.sh of the machine's shared tools; Debian's kernel,
# where CRIU works -- CRIU 3.17 fails on newer kernels such as 6.18:
# vDSO). A busybox container counts in a loop (to its stdout, a pipe, and
# to a bind-mounted host dir) and is:
#   1. checkpointed (and so stopped and deleted), restored: it goes on
#      counting from where it was; state/exec/kill/delete work, the pid
#      file and the cgroup are right;
#   2. checkpointed with --leave-running, killed, restored: it goes on
#      from the checkpoint;
#   3. pre-dumped, dumped with --parent-path, restored;
#   4. with a terminal: restored with --console-socket (the new pty master
#      goes there), a prestart hook sees the restored pid;
#   5. restored in the foreground, under another id: in its own cgroup,
#      husk waits and returns 137 on SIGKILL;
#   6. joining a network namespace by path: CRIU leaves it out of the
#      images (--external net[INODE]:extRootNetNS, as runc) and husk hands
#      it back at restore (an inherited fd). CRIU asks the sock_diag modules
#      about the sockets of a network namespace other than its own and
#      fails the dump when they answer ENOENT; the VM's initramfs has none,
#      so they are taken from the runner's cached kernel package and
#      loaded in the VM (skipped, with a message, when the cache has none);
#   7. paused: a checkpoint --leave-running leaves it paused, a restore of
#      the images runs.
#   8. a restore killed (SIGKILL, HUSK_FAILPOINT=kill:N) at each of its
#      steps, CRIU's included: `delete -f` leaves no state dir, cgroup,
#      criu-root mount (in any mount namespace), CRIU or container process;
#   9. checkpoint --page-server to a `criu page-server`: the pages land
#      there, not in the image dir; with them copied back, the restore goes
#      on counting;
#  10. lazy migration: checkpoint --lazy-pages --page-server --status-fd
#      (the status fd says when the pages are served), `criu lazy-pages`,
#      restore --lazy-pages under another id: it counts on from the dump
#      while its memory comes over userfaultfd; the checkpointed container
#      is gone once all pages went (skipped when CRIU finds no userfaultfd);
#  11. podman (the host's, carried with conmon and its configuration) with
#      --runtime husk: `podman container checkpoint` and `podman container
#      restore` of a counting container (host network, vfs storage,
#      cgroupfs): it counts on from the checkpoint, never from 1 again
#      (skipped when podman or conmon is missing).
# The container has no network namespace of its own: the VM has no
# iptables for CRIU's network lock.
#
# Environment:
#   HUSK_BUILD_DIR  the meson build dir (default: build/ of this tree)
#   HUSK_VM_RUNNER  run-in-vm.sh to use (default: ../shared/vm/run-in-vm.sh)
#   HUSK_VM_TIMEOUT seconds before the VM is killed (default 600)
#   HUSK_CRIU_ONLY  the numbers of the tests to run (e.g. "6 9"); 1 always
#                   runs (5 and 8 use its images)
#
# Exit status: 0 when every check passed, 1 if one failed; 77 (skip) when
# the VM runner, criu, busybox or jq is missing or husk was built -CRIU.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)

case ${1:-} in
-h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
"") ;;
*) echo "run-criu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

me=run-criu.sh
# shellcheck source=vm-common.sh
. "$here/vm-common.sh"
recvtty=$build/tests/integration/recvtty
vm_need_built "$husk" "$recvtty"
"$husk" --version | grep -q ' +CRIU' || skip "husk was built without CRIU support (-CRIU)"
criu=$(PATH=$PATH:/usr/sbin:/sbin command -v criu) || skip "criu is not installed (apt-get install criu)"
libcriu=$(ldconfig -p | awk '$1 == "libcriu.so.2" { print $NF; exit }')
[[ -n $libcriu ]] || skip "libcriu.so.2 is not installed (apt-get install criu)"
tar=$(command -v tar) || skip "no tar (CRIU archives tmpfs contents with it)"
command -v jq >/dev/null || skip "jq is not installed"
[[ -x /bin/busybox ]] || skip "no /bin/busybox (apt-get install busybox-static)"

work=$(mktemp -d /tmp/husk-criu-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
count='i=0; while true; do i=$((i+1)); echo $i; echo $i > /shared/count; sleep 0.2; done'
RUNTIME= "$src/contrib/mkbundle.sh" "$work/bundle" -- /bin/sh -c "$count" >/dev/null
# no network namespace; a bind mount of a host dir at /shared; a prestart hook
jq --arg w "$work" '
  .linux.namespaces |= map(select(.type != "network"))
  | .mounts += [{destination: "/shared", type: "bind", source: ($w + "/share"), options: ["rbind", "rw"]}]
  | .hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "cat > " + $w + "/hook.json"]}]' \
        "$work/bundle/config.json" >"$work/c" && mv "$work/c" "$work/bundle/config.json"
cp -a "$work/bundle" "$work/bundle-tty"
jq '.process.terminal = true' "$work/bundle/config.json" >"$work/bundle-tty/config.json"
cp -a "$work/bundle" "$work/bundle-netns"
jq '.linux.namespaces += [{type: "network", path: "/run/netns/husk-criu"}]' "$work/bundle/config.json" \
        >"$work/bundle-netns/config.json"
unshare=$(command -v unshare) || skip "no unshare (util-linux)"
# CRIU locks the network of a container in a network namespace with
# iptables-restore: the VM has none, so carry the host's (iptables-nft) when
# there is one; test 6 is skipped (with a message) otherwise.
xtables=$(readlink -f "$(PATH=$PATH:/usr/sbin:/sbin command -v iptables-restore)" 2>/dev/null || true)
xt_ext=/usr/lib/x86_64-linux-gnu/xtables
[[ -n $xtables && -x $xtables && -d $xt_ext ]] || xtables=

inner=$(cat <<'EOF'
set -u
export PATH=/usr/bin:/usr/sbin:/bin:/sbin:$PATH
H=$HUSK
W=$WORK
fails=0
want() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
last() { tail -n 1 "$1" 2>/dev/null | tr -dc '0-9'; }
first() { grep -m 1 -o '^[0-9][0-9]*' "$1"; }
wait_count() {  # FILE MIN: until FILE's last number is >= MIN (20 s)
        local i v
        for i in $(seq 200); do
                v=$(last "$1")
                [[ -n $v && $v -ge $2 ]] && return 0
                sleep 0.1
        done
        return 1
}
status() { "$H" state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
spid() { "$H" state "$1" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'; }
logs() { for f in "$@"; do echo "--- $f"; grep -in "error\|fail\|can.t\|unable\|warn" "$f" | grep -v "Diag module\|tun" | tail -12; [[ -n ${LOGS_FULL:-} ]] && grep -v "pie:\|compel" "$f" | tail -n 150; done; }
start() {       # ID LOG: husk run -d with stdio on pipes (CRIU can't dump a host file as stdio)
        (sleep 100000 | "$H" run -d "$1" 2>&1 | cat >>"$2") &
        wait_count "$2" 5 || bad "$1: no counting"
}
restore_bg() {  # LOG ARGS...: husk restore -d with stdio on new pipes
        local log=$1
        shift
        (sleep 100000 | "$H" restore -d "$@" 2>&1 | cat >>"$log") &
}
gone() {        # ID: killed, deleted
        "$H" kill "$1" KILL 2>/dev/null
        for i in $(seq 50); do [[ $(status "$1") == stopped ]] && break; sleep 0.1; done
        "$H" delete "$1" || bad "$1: delete"
}
mkdir -p "$W/share"
cd "$W/bundle"
echo "=== $(uname -r), $(criu --version | head -1)"

echo "=== 1. checkpoint (the container stops), restore: it goes on counting"
start c1 "$W/c1.log"
"$H" checkpoint --image-path "$W/c1.img" c1 && ok "checkpoint" || { bad "checkpoint"; logs "$W/c1.img/dump.log"; }
before=$(last "$W/c1.log")
"$H" state c1 >/dev/null 2>&1 && bad "c1 still exists after checkpoint" || ok "c1 deleted after checkpoint"
sleep 1
[[ $(last "$W/c1.log") == "$before" ]] && ok "stopped at $before" || bad "still counting after checkpoint"
rm -f "$W/hook.json"
restore_bg "$W/c1.after" --image-path "$W/c1.img" --pid-file "$W/c1.pid" c1
if wait_count "$W/c1.after" $((before + 3)); then
        f=$(first "$W/c1.after")
        echo "    counter before checkpoint: $before, first value after restore: $f, now: $(last "$W/c1.after")"
        [[ $f == $((before + 1)) ]] && ok "continues from $before" || bad "restored counter starts at $f, not $((before + 1))"
else
        bad "restore: no counting"; cat "$W/c1.after"; logs "$W/c1.img/restore.log"
fi
[[ $(status c1) == running ]] && ok "status running" || bad "status $(status c1)"
p=$(spid c1)
[[ -n $p && $(cat "$W/c1.pid" 2>/dev/null) == "$p" ]] && ok "pid file $p" || bad "pid file $(cat "$W/c1.pid" 2>/dev/null) vs state pid $p"
grep -q "\"pid\": *$p" "$W/hook.json" 2>/dev/null && ok "prestart hook ran with the restored pid" || bad "prestart hook: $(cat "$W/hook.json" 2>/dev/null)"
grep -q '/husk/c1' "/proc/$p/cgroup" && ok "in its cgroup: $(cat /proc/$p/cgroup)" || bad "cgroup: $(cat /proc/$p/cgroup)"
s1=$(cat "$W/share/count")
sleep 0.5
[[ $(cat "$W/share/count") -gt $s1 ]] && ok "the bind mount /shared works after restore" || bad "/shared/count does not move"
[[ $("$H" exec c1 sh -c 'echo exec:$(cat /proc/1/cmdline | tr "\0" " ")') == *"exec:/bin/sh -c"* ]] && ok "exec" || bad "exec"
"$H" list | grep -q '^c1 .*running' && ok "list" || bad "list: $("$H" list)"
left=$(grep -ls criu-root /proc/[0-9]*/mountinfo)
[[ -z $left ]] && ok "no criu-root mount left in any mount namespace" || bad "criu-root mounted in $left"
gone c1
[[ -z $("$H" list -q) ]] && ok "kill + delete" || bad "left: $("$H" list -q)"

if want 2; then
echo "=== 2. checkpoint --leave-running, kill, restore: it goes on from the checkpoint"
start c2 "$W/c2.log"
b0=$(last "$W/c2.log")
"$H" checkpoint --leave-running --image-path "$W/c2.img" c2 && ok "checkpoint --leave-running" || { bad "checkpoint --leave-running"; logs "$W/c2.img/dump.log"; }
b1=$(last "$W/c2.log")
[[ $(status c2) == running ]] && ok "still running" || bad "status $(status c2)"
wait_count "$W/c2.log" $((b1 + 5)) && ok "still counting" || bad "not counting after --leave-running"
gone c2
end=$(last "$W/c2.log")
restore_bg "$W/c2.after" --image-path "$W/c2.img" c2
if wait_count "$W/c2.after" 1; then
        f=$(first "$W/c2.after")
        echo "    checkpoint taken between $b0 and $b1, original killed at $end, first value after restore: $f"
        [[ $f -gt $b0 && $f -le $((b1 + 1)) && $f -lt $end ]] && ok "continues from the checkpoint" || bad "restored counter at $f"
else
        bad "restore: no counting"; logs "$W/c2.img/restore.log"
fi
gone c2
fi

if want 3; then
echo "=== 3. pre-dump, dump with --parent-path, restore"
start c3 "$W/c3.log"
"$H" checkpoint --pre-dump --image-path "$W/c3.pre" c3 && ok "pre-dump" || { bad "pre-dump"; logs "$W/c3.pre/pre-dump.log"; }
[[ $(status c3) == running ]] && ok "running after pre-dump" || bad "status $(status c3)"
"$H" checkpoint --image-path "$W/c3.img" --parent-path ../c3.pre c3 && ok "dump --parent-path" || { bad "dump --parent-path"; logs "$W/c3.img/dump.log"; }
before=$(last "$W/c3.log")
[[ -L $W/c3.img/parent ]] && ok "images link to the pre-dump ($(readlink "$W/c3.img/parent"))" || bad "no parent link"
restore_bg "$W/c3.after" --image-path "$W/c3.img" c3
if wait_count "$W/c3.after" $((before + 1)); then
        f=$(first "$W/c3.after")
        echo "    counter at dump: $before, first value after restore: $f"
        [[ $f == $((before + 1)) ]] && ok "continues from $before" || bad "restored counter at $f"
else
        bad "restore: no counting"; logs "$W/c3.img/restore.log"
fi
gone c3
fi

if want 4; then
echo "=== 4. a terminal: restore --console-socket"
cd "$W/bundle-tty"
"$RECVTTY" "$W/tty1.sock" "$W/tty1.out" &
sleep 0.3
"$H" run -d --console-socket "$W/tty1.sock" c4 </dev/null >/dev/null 2>&1 || bad "run with a terminal"
wait_count "$W/tty1.out" 5
"$H" checkpoint --image-path "$W/c4.img" c4 && ok "checkpoint with a terminal" || { bad "checkpoint with a terminal"; logs "$W/c4.img/dump.log"; }
sleep 0.5
before=$(last "$W/tty1.out")
"$RECVTTY" "$W/tty2.sock" "$W/tty2.out" &
sleep 0.3
"$H" restore -d --console-socket "$W/tty2.sock" --image-path "$W/c4.img" c4 </dev/null >/dev/null 2>"$W/c4.err" ||
        { bad "restore --console-socket: $(cat "$W/c4.err")"; logs "$W/c4.img/restore.log"; }
if wait_count "$W/tty2.out" $((before + 2)); then
        f=$(first "$W/tty2.out")
        echo "    counter on the old pty: $before, first on the new one: $f"
        [[ $f == $((before + 1)) ]] && ok "the new pty master reached --console-socket, counting goes on" || bad "tty counter at $f"
else
        bad "nothing on the new pty"
fi
gone c4
fi

if want 5; then
echo "=== 5. restore in the foreground, under another id"
cd "$W/bundle"
(sleep 100000 | ("$H" restore --image-path "$W/c1.img" c5 2>&1; echo "exit=$?" >"$W/c5.exit") |
        cat >>"$W/c5.after") &
if wait_count "$W/c5.after" 1; then
        ok "restored in the foreground: $(first "$W/c5.after")"
        p=$(spid c5)
        grep -q '/husk/c5' "/proc/$p/cgroup" && ok "in its own cgroup: $(cat /proc/$p/cgroup)" ||
                bad "cgroup of c5: $(cat /proc/$p/cgroup)"
        "$H" kill c5 KILL
        for i in $(seq 100); do [[ -s $W/c5.exit ]] && break; sleep 0.1; done
        [[ $(cat "$W/c5.exit" 2>/dev/null) == exit=137 ]] && ok "husk restore returned 137" || bad "restore returned $(cat "$W/c5.exit" 2>/dev/null)"
        "$H" state c5 >/dev/null 2>&1 && bad "c5 left behind" || ok "c5 deleted when it ended"
else
        bad "foreground restore: $(cat "$W/c5.after")"; logs "$W/c1.img/restore.log"
fi
fi

if want 6; then
echo "=== 6. a network namespace joined by path"
if [[ -z $XTABLES ]]; then
        echo "skip - no iptables-restore on the host to carry (CRIU's network lock needs it)"
elif [[ -z $DIAG ]]; then
        echo "skip - no sock_diag modules for the VM's kernel (the VM runner's kernel cache has no package)"
else
for m in inet_diag tcp_diag udp_diag raw_diag unix_diag netlink_diag af_packet_diag; do
        insmod "$(find "$DIAG" -name "$m.ko*" | head -n 1)" || bad "insmod $m"
done
mkdir -p /tmp/xt-bin
for n in iptables-restore ip6tables-restore iptables-save ip6tables-save iptables ip6tables; do
        ln -sf "$XTABLES" /tmp/xt-bin/$n
done
export PATH=/tmp/xt-bin:$PATH
mkdir -p /run/netns
touch /run/netns/husk-criu
"$UNSHARE" --net=/run/netns/husk-criu true || bad "make a network namespace"
ino=$(stat -L -c %i /run/netns/husk-criu)
cd "$W/bundle-netns"
start c6 "$W/c6.log"
p=$(spid c6)
[[ $(stat -L -c %i /proc/$p/ns/net) == "$ino" ]] && ok "c6 is in the namespace (inode $ino)" || bad "c6 netns"
"$H" checkpoint --image-path "$W/c6.img" c6 && ok "checkpoint" || { bad "checkpoint"; LOGS_FULL=1 logs "$W/c6.img/dump.log"; }
grep -q "net\[$ino\] netns is external" "$W/c6.img/dump.log" && ok "dumped as external net[$ino] (CRIU: \"The net[$ino] netns is external\")" || bad "not external in dump.log"
before=$(last "$W/c6.log")
restore_bg "$W/c6.after" --image-path "$W/c6.img" c6
if wait_count "$W/c6.after" $((before + 1)); then
        f=$(first "$W/c6.after")
        p=$(spid c6)
        echo "    counter at dump: $before, first after restore: $f, netns inode $(stat -L -c %i /proc/$p/ns/net)"
        [[ $f == $((before + 1)) ]] && ok "continues from $before" || bad "restored counter at $f"
        [[ $(stat -L -c %i /proc/$p/ns/net) == "$ino" ]] && ok "back in the same network namespace" || bad "restored into another netns"
else
        bad "restore: no counting"; logs "$W/c6.img/restore.log"
fi
gone c6
fi
fi

if want 7; then
echo "=== 7. a paused container"
cd "$W/bundle"
start c7 "$W/c7.log"
"$H" pause c7
"$H" checkpoint --leave-running --image-path "$W/c7.img" c7 && ok "checkpoint --leave-running of a paused container" ||
        { bad "checkpoint paused"; logs "$W/c7.img/dump.log"; }
before=$(last "$W/c7.log")
[[ $(status c7) == paused ]] && ok "still paused" || bad "status $(status c7)"
sleep 0.5
[[ $(last "$W/c7.log") == "$before" ]] && ok "not counting while paused" || bad "counting while paused"
gone c7
restore_bg "$W/c7.after" --image-path "$W/c7.img" c7
if wait_count "$W/c7.after" $((before + 1)); then
        ok "restored and counting from $(first "$W/c7.after") (paused at $before), status $(status c7)"
else
        echo "    status after restore: $(status c7)"
        bad "restore of a paused checkpoint: no counting"; logs "$W/c7.img/restore.log"
fi
gone c7
fi

if want 8; then
echo "=== 8. a restore killed at each of its steps, then delete -f"
cd "$W/bundle"
ncriu() { grep -lx criu /proc/[0-9]*/comm 2>/dev/null | wc -l; }
restore_killed() {      # FAILPOINT ID: husk restore -d, its exit status in $W/ID.st
        rm -f "$W/$2.st"
        (true | (HUSK_FAILPOINT=$1 "$H" restore -d --image-path "$W/c1.img" "$2"; echo $? >"$W/$2.st") 2>&1 |
                cat >"$W/$2.out") &
        for i in $(seq 600); do [[ -s $W/$2.st ]] && break; sleep 0.1; done
}
restore_killed "trace:$W/trace" k0
steps=$(tail -n 1 "$W/trace" | cut -d' ' -f1)
[[ $(cat "$W/k0.st") == 0 && $(status k0) == running ]] && ok "traced restore: $steps steps" ||
        bad "traced restore: exit $(cat "$W/k0.st"), $(cat "$W/k0.out")"
cut -d' ' -f2- "$W/trace" | sort | uniq -c | sed 's/^/    /'
gone k0
killed=0 clean=0
for k in $(seq "${steps:-0}"); do
        restore_killed "kill:$k" "k$k"
        [[ $(cat "$W/k$k.st") == 137 ]] && killed=$((killed + 1))
        "$H" delete -f "k$k" >"$W/k$k.del" 2>&1 || bad "step $k: delete -f: $(cat "$W/k$k.del")"
        why=
        [[ -e /run/husk/k$k ]] && why+=" state dir"
        [[ -e /sys/fs/cgroup/husk/k$k ]] && why+=" cgroup"
        for i in $(seq 50); do [[ $(ncriu) == 0 ]] && break; sleep 0.1; done
        [[ $(ncriu) == 0 ]] || why+=" criu process"
        grep -qs criu-root /proc/[0-9]*/mountinfo && why+=" criu-root mount"
        c0=$(cat "$W/share/count"); sleep 0.5
        [[ $(cat "$W/share/count") == "$c0" ]] || why+=" a counting container"
        [[ -z $why ]] && clean=$((clean + 1)) || bad "step $k ($(sed -n "${k}p" "$W/trace")): left$why"
done
[[ $killed == "$steps" ]] && ok "killed at each of the $steps steps" || bad "killed at $killed of $steps steps"
[[ $clean == "$steps" ]] && ok "delete -f left nothing after each" || bad "something left after $((steps - clean)) steps"
fi

if want 9; then
echo "=== 9. checkpoint --page-server to criu page-server, restore"
ip link set lo up 2>/dev/null
cd "$W/bundle"
start c9 "$W/c9.log"
mkdir -p "$W/c9.ps" "$W/c9.img"
criu page-server --daemon --images-dir "$W/c9.ps" --address 127.0.0.1 --port 27270 -o ps.log ||
        bad "criu page-server"
"$H" checkpoint --page-server 127.0.0.1:27270 --image-path "$W/c9.img" c9 && ok "checkpoint --page-server" ||
        { bad "checkpoint --page-server"; logs "$W/c9.img/dump.log" "$W/c9.ps/ps.log"; }
before=$(last "$W/c9.log")
ls "$W/c9.ps"/pages-*.img >/dev/null 2>&1 && ! ls "$W/c9.img"/pages-*.img >/dev/null 2>&1 &&
        ok "the pages went to the page server: $(cd "$W/c9.ps" && echo pages-*.img)" ||
        bad "pages: server $(ls "$W/c9.ps"), images $(ls "$W/c9.img")"
for f in "$W/c9.ps"/*.img; do [[ -e $W/c9.img/${f##*/} ]] || cp "$f" "$W/c9.img/"; done
restore_bg "$W/c9.after" --image-path "$W/c9.img" c9
if wait_count "$W/c9.after" $((before + 1)); then
        f=$(first "$W/c9.after")
        echo "    counter at dump: $before, first value after restore: $f"
        [[ $f == $((before + 1)) ]] && ok "continues from $before" || bad "restored counter at $f"
else
        bad "restore after --page-server: no counting"; logs "$W/c9.img/restore.log"
fi
gone c9
fi

if want 10; then
echo "=== 10. lazy migration: checkpoint --lazy-pages, criu lazy-pages, restore --lazy-pages"
if ! criu check --feature uffd-noncoop >/dev/null 2>&1; then
        echo "skip - CRIU finds no userfaultfd (non-cooperative) in this kernel: $(criu check --feature uffd-noncoop 2>&1 | tail -n 1)"
else
ip link set lo up 2>/dev/null
cd "$W/bundle"
start c10 "$W/c10.log"
mkdir -p "$W/c10.img"
mkfifo "$W/c10.fifo"
("$H" checkpoint --lazy-pages --page-server 127.0.0.1:27271 --status-fd 3 --image-path "$W/c10.img" c10 \
        3>"$W/c10.fifo" >"$W/c10.ck.out" 2>&1; echo $? >"$W/c10.ck") &
st=$(timeout 120 head -c 1 "$W/c10.fifo" | od -An -tx1 | tr -d ' \n')
if [[ $st == 00 ]]; then
        ok "--status-fd: the pages are served (a \\0 came)"
else
        bad "--status-fd: nothing ($(cat "$W/c10.ck.out"))"; logs "$W/c10.img/dump.log"
fi
before=$(last "$W/c10.log")
sleep 0.5
[[ $(last "$W/c10.log") == "$before" ]] && ok "stopped at $before while its pages are served" || bad "still counting"
criu lazy-pages --daemon --page-server --address 127.0.0.1 --port 27271 -D "$W/c10.img" -o lazy.log ||
        bad "criu lazy-pages"
restore_bg "$W/c10.after" --image-path "$W/c10.img" --lazy-pages c10r
if wait_count "$W/c10.after" $((before + 3)); then
        f=$(first "$W/c10.after")
        echo "    counter at dump: $before, first value after the lazy restore: $f"
        [[ $f == $((before + 1)) ]] && ok "continues from $before" || bad "restored counter at $f"
else
        bad "lazy restore: no counting"; logs "$W/c10.img/restore.log" "$W/c10.img/lazy.log"
fi
for i in $(seq 300); do [[ -s $W/c10.ck ]] && break; sleep 0.1; done
[[ $(cat "$W/c10.ck" 2>/dev/null) == 0 ]] && ok "checkpoint --lazy-pages ended once the pages went" ||
        { bad "checkpoint --lazy-pages: $(cat "$W/c10.ck" 2>/dev/null) $(cat "$W/c10.ck.out")"; logs "$W/c10.img/dump.log"; }
"$H" state c10 >/dev/null 2>&1 && bad "c10 still exists" || ok "the checkpointed container is gone"
[[ $("$H" exec c10r cat /proc/1/cmdline | tr '\0' ' ') == "/bin/sh -c"* ]] && ok "exec in the restored one" || bad "exec c10r"
gone c10r
fi
fi

if want 11; then
echo "=== 11. podman container checkpoint / restore with --runtime husk"
if [[ -z $PODMAN ]]; then
        echo "skip - no podman and conmon on the host to carry"
else
mkdir -p "$W/pshare"
P=(podman --root "$W/pstore" --runroot "$W/prun" --storage-driver vfs --cgroup-manager cgroupfs
   --events-backend file --runtime "$H")
tar -C "$W/bundle/rootfs" -c . | "${P[@]}" import -q - localhost/husk-criu >/dev/null || bad "podman import"
pcount='i=0; while true; do i=$((i+1)); echo $i; echo $i > /shared/count; sleep 0.2; done'
"${P[@]}" run -d --name p1 --network host -v "$W/pshare:/shared" localhost/husk-criu /bin/sh -c "$pcount" \
        >"$W/p1.run" 2>&1 || bad "podman run: $(cat "$W/p1.run")"
wait_count "$W/pshare/count" 5 || bad "p1: no counting"
if "${P[@]}" container checkpoint p1 >"$W/p1.ck" 2>&1; then
        ok "podman container checkpoint"
else
        bad "podman container checkpoint: $(cat "$W/p1.ck")"
fi
before=$(cat "$W/pshare/count")
sleep 0.5
[[ $(cat "$W/pshare/count") == "$before" ]] && ok "stopped at $before" || bad "still counting after the checkpoint"
[[ $("${P[@]}" inspect -f '{{.State.Status}}' p1) == exited ]] && ok "podman says exited" || bad "podman: $("${P[@]}" inspect -f '{{.State.Status}}' p1)"
if "${P[@]}" container restore p1 >"$W/p1.rs" 2>&1; then
        ok "podman container restore"
else
        bad "podman container restore: $(cat "$W/p1.rs")"
fi
if wait_count "$W/pshare/count" $((before + 3)); then
        ones=$("${P[@]}" logs p1 | grep -c '^1$')
        after=$("${P[@]}" logs p1 | grep -n "^$((before + 1))\$" | head -n 1)
        echo "    counter at checkpoint: $before, logs after restore: $after, restarts from 1: $((ones - 1))"
        [[ $ones == 1 && -n $after ]] && ok "counts on from $before" || bad "restarted ($ones ones) or skipped"
        [[ $("${P[@]}" inspect -f '{{.State.Status}}' p1) == running ]] && ok "podman says running" || bad "status"
        [[ $("${P[@]}" exec p1 cat /proc/1/cmdline | tr '\0' ' ') == "/bin/sh -c"* ]] && ok "podman exec" || bad "podman exec"
else
        bad "podman restore: no counting"
        for f in "$W"/pstore/vfs-containers/*/userdata/restore.log; do logs "$f"; done
fi
"${P[@]}" rm -f -t 0 p1 >/dev/null 2>&1 || bad "podman rm -f"
fi
fi

[[ -z $("$H" list -q) ]] || bad "containers left: $("$H" list -q)"
left=$(find /sys/fs/cgroup -mindepth 1 -type d -path '*husk*' 2>/dev/null)
[[ -z $left ]] && ok "no cgroup left" || bad "cgroups left: $left"
echo "=== $fails failed"
[[ $fails -eq 0 ]]
EOF
)

carry=(--carry "$husk" --carry "$recvtty" --carry "$criu" --carry "$tar" --carry "$libcriu"
       --carry "$(readlink -f "$libcriu")" --carry "$work" --carry "$unshare")
[[ -z $xtables ]] || carry+=(--carry "$xtables" --carry "$xt_ext")
# a statically linked husk runs husk-dynamic (next to it) for CRIU and systemd
[[ -x $build/src/cli/husk-dynamic ]] && carry+=(--carry "$build/src/cli/husk-dynamic")
# The sock_diag modules of the VM's kernel (test 6), from the runner's
# cached kernel package: its initramfs ships a subset without them.
vmcache=${HUSK_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/husk-vm}
kver=$(cat "$vmcache/kernel/current-linux-image-amd64" 2>/dev/null || true)
deb=$(ls "$vmcache/debs/linux-image-${kver:-none}_"*.deb 2>/dev/null | head -n 1 || true)
diag=
if [[ -n $deb ]] && mkdir -p "$work/diag" && dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$work/diag" --wildcards '*_diag.ko*' 2>/dev/null; then
        diag=$work/diag
fi
# podman and conmon (test 11), with their configuration
podman=
if command -v podman >/dev/null && command -v conmon >/dev/null; then
        podman=$(command -v podman)
        carry+=(--carry "$podman" --carry "$(command -v conmon)" --carry /usr/share/containers)
        [[ -d /etc/containers ]] && carry+=(--carry /etc/containers)
fi
rc=0
"$runner" -t "${HUSK_VM_TIMEOUT:-600}" "${carry[@]}" -w "$work" \
        -e "HUSK=$husk" -e "RECVTTY=$recvtty" -e "WORK=$work" -e "UNSHARE=$unshare" -e "XTABLES=$xtables" \
        -e "DIAG=$diag" -e "ONLY=${HUSK_CRIU_ONLY:-}" -e "PODMAN=$podman" -- /bin/bash -c "$inner" || rc=$?
exit $rc
