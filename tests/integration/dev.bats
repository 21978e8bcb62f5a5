#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# /dev inside the container: default devices, links, linux.devices.

load helpers

@test "the default devices are there, with their numbers and modes" {
        set_cmd 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "/dev/null character special file 1:3 666" ]]
        [[ ${lines[1]} == "/dev/zero character special file 1:5 666" ]]
        [[ ${lines[2]} == "/dev/full character special file 1:7 666" ]]
        [[ ${lines[3]} == "/dev/random character special file 1:8 666" ]]
        [[ ${lines[4]} == "/dev/urandom character special file 1:9 666" ]]
        [[ ${lines[5]} == "/dev/tty character special file 5:0 666" ]]
}

@test "the default devices work" {
        set_cmd 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c && ! echo x >/dev/full'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == 4 && ${lines[1]} == 4 ]]
}

@test "ptmx, pts, shm, mqueue and the fd links" {
        set_cmd 'ls -d /dev/pts /dev/shm /dev/mqueue && for l in fd stdin stdout stderr; do readlink /dev/$l; done && test -c /dev/ptmx -o -L /dev/ptmx && echo ok'
        run runtime run "$CID" </dev/null
        assert_status 0
        assert_output_contains /proc/self/fd
        assert_output_contains /proc/self/fd/0
        assert_output_contains /proc/self/fd/1
        assert_output_contains /proc/self/fd/2
        [[ ${lines[-1]} == ok ]]
}

@test "/dev holds no host device" {
        set_cmd 'ls /dev'
        run runtime run "$CID" </dev/null
        assert_status 0
        for d in sda vda mem kmem kmsg port loop0 console; do
                ! grep -qx "$d" <<<"$output"
        done
}

@test "linux.devices: mknod with type, numbers, fileMode, uid and gid" {
        update_config '.linux.devices = [
                {"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 1000, "gid": 1000},
                {"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5, "fileMode": 438, "uid": 0, "gid": 0}]'
        set_cmd 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull /dev/sub/myzero'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "/dev/mynull character special file 1:3 640 1000:1000" ]]
        [[ ${lines[1]} == "/dev/sub/myzero character special file 1:5 666 0:0" ]]
}

@test "linux.devices: a block device and a fifo" {
        update_config '.linux.devices = [
                {"path": "/dev/myblk", "type": "b", "major": 7, "minor": 200, "fileMode": 384},
                {"path": "/dev/myfifo", "type": "p"}]'
        set_cmd 'stat -c "%n %F" /dev/myblk /dev/myfifo; stat -c "%t:%T %a" /dev/myblk'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "/dev/myblk block special file" ]]
        [[ ${lines[1]} == "/dev/myfifo fifo" ]]
        [[ ${lines[2]} == "7:c8 600" ]]
}

@test "a device outside /dev is refused or created safely, never on the host" {
        update_config '.linux.devices = [{"path": "/dev/../../../../tmp/itest-escape-'"$CID"'", "type": "c", "major": 1, "minor": 3}]'
        set_args true
        run runtime run "$CID" </dev/null
        [[ ! -e /tmp/itest-escape-$CID ]]
}

@test "linux.devices: a path with a trailing slash or // and . is cleaned, as runc" {
        update_config '.linux.devices = [
                {"path": "/dev/slashnull/", "type": "c", "major": 1, "minor": 3},
                {"path": "//dev/./sub//dotzero", "type": "c", "major": 1, "minor": 5},
                {"path": "/mnt/", "type": "c", "major": 1, "minor": 7}]'
        set_cmd 'stat -c "%n %F %t:%T" /dev/slashnull /dev/sub/dotzero; test -e /mnt && echo mnt-there'
        run runtime run "$CID" </dev/null
        assert_status 0
        [[ ${lines[0]} == "/dev/slashnull character special file 1:3" ]]
        [[ ${lines[1]} == "/dev/sub/dotzero character special file 1:5" ]]
        [[ ${lines[2]} == mnt-there ]]
}

@test "linux.devices: a path that cleans to / is refused naming the field" {
        husk_only "deliberately stricter: runc 1.1.5 silently makes no device there"
        update_config '.linux.devices = [{"path": "/dev/..", "type": "c", "major": 1, "minor": 3}]'
        set_args true
        run runtime run "$CID" </dev/null
        [[ $status -ne 0 ]]
        assert_output_contains "linux.devices[0].path"
        assert_no_state "$CID"
}
