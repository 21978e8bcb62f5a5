#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sanitize-bats.sh BATS-ARGS...: bats against a husk built with
# -Db_sanitize=address,undefined, failing when any husk process reported
# anything. Every report goes to a file (log_path), not to stderr: a test
# that expects husk to fail with exit 1 would not notice an ASan error
# (also exit 1), and the forked init stages have no terminal to print on.
# Leak detection stays on: it runs where a process exits through exit(),
# the CLI and libhusk's callers, whose leaks matter (a forked stage leaves
# with _exit or execve, so it is never checked and needs no exception; tests
# that run husk under strace turn it off: LeakSanitizer can't run under
# ptrace). A stage that fails after pivot_root can't reach the log file:
# the sanitizer then says so on its stderr and the stage dies, which fails
# the test too.
set -u
logdir=$(mktemp -d /tmp/husk-sanitize.XXXXXX)
trap 'rm -rf "$logdir"' EXIT
export ASAN_OPTIONS="log_path=$logdir/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$logdir/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
bats "$@"
rc=$?
if [[ -n $(ls -A "$logdir") ]]; then
        echo "sanitize-bats.sh: sanitizer reports:" >&2
        for f in "$logdir"/*; do
                echo "==== $f" >&2
                cat "$f" >&2
        done
        rc=1
fi
exit $rc
