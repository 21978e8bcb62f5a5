#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libhusk as a library: contrib/libhusk-example drives a container's whole
# life through the shared library's public API (include/husk/container.h),
# from the build tree and from a `meson install --destdir` tree through
# husk.pc. husk-only: runc has no library.

load helpers

BUILD_DIR=${HUSK_BUILD_DIR:-$SRC_ROOT/build}
EXAMPLE=$BUILD_DIR/contrib/libhusk-example

is_stopped() {
        [ "$(runtime state "$1" | jq -r .status)" = stopped ]
}

setup() {
        common_setup
        husk_only "libhusk, the embeddable library"
        [[ -x $EXAMPLE ]] || skip "no $EXAMPLE (build the tree first)"
        # a program using a -Db_sanitize libhusk must load the sanitizers first
        SANITIZE_CFLAGS=()
        if is_sanitized; then
                SANITIZE_CFLAGS=(-fsanitize=address,undefined)
        fi
}

@test "libhusk: the example creates, starts, reaps, inspects and deletes a container" {
        set_cmd 'echo hello from $HOSTNAME; exit 7'
        run "$EXAMPLE" "$ROOT" "$CID" "$BUNDLE"
        echo "$output"
        [ "$status" -eq 7 ]
        [[ $output == *"hello from"* ]]
        # created (with the init's pid), then stopped, then gone
        created=$(sed -n '/^state: {/,/^}/p' <<<"$output" | sed 's/^state: //' | jq -s '.[0]')
        [ "$(jq -r .status <<<"$created")" = created ]
        [ "$(jq -r .id <<<"$created")" = "$CID" ]
        [ "$(jq -r .bundle <<<"$created")" = "$BUNDLE" ]
        [ "$(jq -r .pid <<<"$created")" -gt 0 ]
        [[ $output == *'"status": "stopped"'* ]]
        [[ $output == *"exit: 7"* ]]
        [[ $output == *"after delete: container \"$CID\" does not exist"* ]]
        # the binary agrees: nothing left under the same root
        run runtime list -q
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}

@test "libhusk: the binary's container through the library: state, exec, kill, delete" {
        set_cmd 'sleep 100'
        run_detached "$CID"
        cat >"$BATS_TEST_TMPDIR/drive.c" <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <husk/container.h>
int main(int argc, char **argv)
{
        const char *root = argv[1], *id = argv[2];
        struct husk_error err = { 0 };
        struct husk_container_state st;
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc != 3 || husk_container_state(root, id, &st, &err) < 0) {
                printf("error: %s\n", err.msg);
                return 1;
        }
        printf("%s %d\n", st.status_name, (int)st.pid);
        husk_container_state_free(&st);
        /* a running container: delete without force refuses */
        if (husk_container_delete(root, id, false, &err) < 0)
                printf("delete: %s\n", err.msg);
        char *args[] = { "sh", "-c", "echo exec in $HOSTNAME; exit 5", NULL };
        struct husk_exec_options x = { .args = args };
        int code = -1;
        if (husk_container_exec(root, id, &x, &code, &err) < 0)
                printf("exec: %s\n", err.msg);
        printf("exec exit %d\n", code);
        if (husk_container_kill(root, id, SIGKILL, false, &err) < 0)
                printf("kill: %s\n", err.msg);
        return 0;
}
EOF
        cc "${SANITIZE_CFLAGS[@]}" -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/drive" "$BATS_TEST_TMPDIR/drive.c" -I"$SRC_ROOT/include" \
                -L"$BUILD_DIR" -lhusk -Wl,-rpath,"$BUILD_DIR"
        pid=$(runtime state "$CID" | jq -r .pid)
        run "$BATS_TEST_TMPDIR/drive" "$ROOT" "$CID"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "running $pid" ]
        [[ ${lines[1]} == "delete: "*"$CID"* ]]
        [[ ${lines[2]} == "exec in "* ]]
        [ "${lines[3]}" = "exec exit 5" ]
        [ "${#lines[@]}" -eq 4 ]
        # the kill reached the binary's container
        wait_until 5 is_stopped "$CID"
        runtime delete "$CID"
        run "$BATS_TEST_TMPDIR/drive" "$ROOT" "$CID"
        [ "$status" -eq 1 ]
        [ "$output" = "error: container \"$CID\" does not exist" ]
}

@test "libhusk: a bad config fails create with husk's message and leaves nothing" {
        update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5}]'
        run "$EXAMPLE" "$ROOT" "$CID" "$BUNDLE"
        echo "$output"
        [ "$status" -eq 102 ]
        [[ $output == *"libhusk-example: create: "*"process.rlimits[0]"* ]]
        [ -z "$(ls -A "$ROOT")" ]
}

@test "libhusk: meson install puts the library, headers and husk.pc in place; the example builds against them" {
        command -v meson >/dev/null || skip "no meson"
        command -v pkg-config >/dev/null || skip "no pkg-config"
        # meson test points LD_LIBRARY_PATH at the build tree's libhusk
        unset LD_LIBRARY_PATH
        dest=$BATS_TEST_TMPDIR/dest
        meson install -C "$BUILD_DIR" --no-rebuild --quiet --destdir "$dest" >/dev/null
        pc=$(find "$dest" -name husk.pc)
        [ -n "$pc" ]
        libdir=$(dirname "$(dirname "$pc")")
        [ -L "$libdir/libhusk.so" ]
        [ -f "$libdir/libhusk.so.0" ]
        inc=$(find "$dest" -path '*/include/husk' -type d)
        [ -f "$inc/container.h" ] && [ -f "$inc/error.h" ]
        # only the public headers
        [ "$(ls "$inc" | sort | tr '\n' ' ')" = "container.h error.h " ]

        flags=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs husk)
        echo "pkg-config: $flags"
        [[ $flags == *"-I$dest/"*"include"* && $flags == *"-L$libdir"* && $flags == *-lhusk* ]]
        # shellcheck disable=SC2086
        cc "${SANITIZE_CFLAGS[@]}" -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/example" "$SRC_ROOT/contrib/libhusk-example.c" $flags \
                -Wl,-rpath,"$libdir"
        deps=$(ldd "$BATS_TEST_TMPDIR/example")
        echo "$deps"
        [[ $deps == *"libhusk.so.0 => $libdir/libhusk.so.0"* ]]

        set_cmd 'exit 3'
        run "$BATS_TEST_TMPDIR/example" "$ROOT" "$CID" "$BUNDLE"
        echo "$output"
        [ "$status" -eq 3 ]
        [[ $output == *"after delete: container \"$CID\" does not exist"* ]]
}

@test "libhusk: exec leaves the caller's own children in the caller's pid namespace" {
        # exec may enter the container's pid namespace for the children of
        # the process calling it (to clone the exec'd process there): a
        # program using the library must get its own back, or everything it
        # forks later (a second container's init too) is born inside the
        # first container's pid namespace, where the container's root sees
        # (and may ptrace) it.
        set_cmd 'sleep 100'
        run_detached "$CID"
        cat >"$BATS_TEST_TMPDIR/drive.c" <<'EOF2'
#include <stdio.h>
#include <unistd.h>
#include <husk/container.h>
int main(int argc, char **argv)
{
        struct husk_error err = { 0 };
        char *args[] = { "true", NULL };
        struct husk_exec_options x = { .args = args };
        int code = -1;
        char own[64] = "", children[64] = "";
        (void)argc;
        if (husk_container_exec(argv[1], argv[2], &x, &code, &err) < 0)
                printf("exec: %s\n", err.msg);
        if (readlink("/proc/self/ns/pid", own, sizeof(own) - 1) < 0 ||
            readlink("/proc/self/ns/pid_for_children", children, sizeof(children) - 1) < 0)
                return 2;
        printf("exec exit %d\n%s\n%s\n", code, own, children);
        return 0;
}
EOF2
        cc "${SANITIZE_CFLAGS[@]}" -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/drive" "$BATS_TEST_TMPDIR/drive.c" -I"$SRC_ROOT/include" \
                -L"$BUILD_DIR" -lhusk -Wl,-rpath,"$BUILD_DIR"
        run "$BATS_TEST_TMPDIR/drive" "$ROOT" "$CID"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "exec exit 0" ]
        [[ ${lines[1]} == "pid:["* ]]
        [ "${lines[2]}" = "${lines[1]}" ]
        runtime kill "$CID" KILL
}
