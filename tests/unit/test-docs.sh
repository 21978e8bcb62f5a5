#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The manual pages and the shell completion against the code:
#  (a) every command of the table in src/cli/main.c has a page (and is listed
#      in husk(8), man/meson.build and the completion), and every page is
#      of a command;
#  (b) every long option (and its short form) of each command's
#      `struct option` array in src/cli/*.c is documented in its page and
#      offered by the completion, and every option a page documents exists;
#  (c) the bash completion parses, registers itself, and completes commands,
#      options and container ids (asked of `husk --root R list -q`);
#  (d) scdoc renders every page, and groff finds nothing to warn about.
#
# Usage: test-docs.sh [SOURCE_ROOT]
set -u

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
man=$src/man
bashcomp=$src/contrib/completion/husk.bash
zshcomp=$src/contrib/completion/_husk
fail=0
failed() {
        echo "FAIL: $*"
        fail=1
}

# Pages written ahead of a command that is being added; its page may exist
# before main.c has the command. Once the command is in the table, all
# checks apply to it.
pending=""
# Options a command's array has but refuses at run time (create shares its
# array with run).
refused_create="detach keep no-subreaper"

main_c=$src/src/cli/main.c
commands=$(sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z0-9-]*\)",[[:space:]]*cmd_[a-z0-9_]*,.*/\1/p' "$main_c")
if [ -z "$commands" ]; then
        echo "FAIL: found no command table in $main_c (did its layout change? fix this test)"
        exit 1
fi
echo "commands in main.c: " $commands

has_word() {    # has_word WORD LIST...
        local w=$1 x
        shift
        for x in $*; do
                [ "$x" = "$w" ] && return 0
        done
        return 1
}

# ---------------------------------------------------------------- (a) pages
for c in $commands; do
        [ -f "$man/husk-$c.8.scd" ] || failed "command '$c' has no man page man/husk-$c.8.scd"
        grep -q "^\*$c\*\$" "$man/husk.8.scd" || failed "husk(8) does not list command '$c' under COMMANDS"
        grep -q "'husk-$c\.8'" "$man/meson.build" || failed "man/meson.build does not build husk-$c.8"
done
for f in "$man"/husk-*.8.scd; do
        c=${f##*/husk-}
        c=${c%.8.scd}
        if ! has_word "$c" $commands; then
                if has_word "$c" $pending; then
                        echo "note: man page for '$c', which main.c does not have yet"
                else
                        failed "man/husk-$c.8.scd documents a command main.c does not have"
                fi
        fi
done
grep -q "'husk\.8'" "$man/meson.build" || failed "man/meson.build does not build husk.8"

# --------------------------------------------------------- (b) options
# The body of C function $2 in file $1 (from its definition to the first
# line that is a lone closing brace).
c_function() {
        sed -n "/^[a-z].*[^a-z0-9_]$2(.*[^;]\$/,/^}/p" "$1"
}

# The C source that parses the options of command $1: the body of its
# cmd_ function plus the static helpers of the same file that it calls
# (two levels: create -> create_or_run, pause -> id_only), and main.c's
# cli_help_only where a command uses it.
command_source() {
        local fn=cmd_${1//-/_} file body helpers h
        file=$(grep -l "^int $fn(" "$src"/src/cli/*.c | head -n 1)
        [ -n "$file" ] || return 1
        body=$(c_function "$file" "$fn")
        for _ in 1 2; do
                helpers=$(printf '%s\n' "$body" | grep -o '[a-z_][a-z0-9_]*(' | tr -d '(' | sort -u)
                for h in $helpers; do
                        if grep -q "^static .*[^a-z0-9_]$h(" "$file" && ! printf '%s' "$body" | grep -q "^static .*[^a-z0-9_]$h("; then
                                body+=$'\n'$(c_function "$file" "$h")
                        elif [ "$h" = cli_help_only ] && ! printf '%s' "$body" | grep -q "^int $h("; then
                                # main.c's shared parser of help-only commands
                                body+=$'\n'$(c_function "$src/src/cli/main.c" "$h")
                        fi
                done
        done
        printf '%s\n' "$body"
}

# "long[:short]" for every entry of the struct option arrays in C source on stdin.
c_options() {
        local text
        text=$(cat)
        printf '%s\n' "$text" |
                grep -o '{[[:space:]]*"[a-z0-9-]*",[[:space:]]*[a-z_]*_argument,[^}]*}' |
                sed -n "s/{[[:space:]]*\"\([a-z0-9-]*\)\",[^}]*'\(.\)'[[:space:]]*}/\1:\2/p; t; s/{[[:space:]]*\"\([a-z0-9-]*\)\".*/\1/p"
        printf '%s\n' "$text" | grep -q 'CLI_HELP_OPTION' && echo "help:h"
}

# The options a page documents: the terms of its definition lists that are
# options (a line that starts with a bold option and is followed by an
# indented description).
page_options() {
        awk '/^\t/ && prev ~ /^\*-/ { print prev } { prev = $0 }' "$1" |
                grep -o '\*--*[a-zA-Z0-9][a-z0-9-]*\*' | tr -d '*' | sort -u
}

# check_options NAME PAGE COMPLETION-WORDS REFUSED < C source
check_options() {
        local name=$1 page=$2 comp=$3 refused=$4 o long short documented code=""
        documented=$(page_options "$page")
        for o in $(c_options | sort -u); do
                long=${o%%:*}
                short=
                [ "$long" != "$o" ] && short=${o#*:}
                has_word "$long" $refused && continue
                code+=" --$long"
                has_word "--$long" $documented || failed "$name: option --$long is not documented in ${page#$src/}"
                has_word "--$long" $comp || failed "$name: option --$long is not offered by the bash completion"
                in_zsh "$long" || failed "$name: option --$long is not in the zsh completion contrib/completion/_husk"
                if [ -n "$short" ]; then
                        code+=" -$short"
                        has_word "-$short" $documented || failed "$name: option -$short (--$long) is not documented in ${page#$src/}"
                        has_word "-$short" $comp || failed "$name: option -$short is not offered by the bash completion"
                fi
        done
        for o in $documented; do
                has_word "$o" $code || failed "$name: ${page#$src/} documents $o, which the code does not accept"
        done
}

# Is long option $1 in the zsh completion (as --name[, --name= or --name})?
in_zsh() {
        [ -f "$zshcomp" ] && grep -q -e "--$1\[" -e "--$1=" -e "--$1}" "$zshcomp"
}

completion_options() {
        bash --norc --noprofile -c 'source "$1" && _husk_options "$2"' _ "$bashcomp" "$1" | tr ' ' '\n' | sed 's/=$//'
}

[ -f "$bashcomp" ] || failed "missing $bashcomp"
[ -f "$zshcomp" ] || failed "missing $zshcomp"
for c in $commands; do
        grep -q "^    '$c:" "$zshcomp" 2>/dev/null || failed "the zsh completion does not offer command '$c'"
done
# (here-strings, not pipes: check_options must run in this shell to set $fail)
check_options "global options" "$man/husk.8.scd" "$(completion_options '')" "" <<<"$(c_function "$main_c" global_options)"
for c in $commands; do
        [ -f "$man/husk-$c.8.scd" ] || continue
        srcs=$(command_source "$c")
        if [ -z "$srcs" ]; then
                failed "no 'int cmd_${c//-/_}(' in src/cli/*.c"
                continue
        fi
        refused=
        [ "$c" = create ] && refused=$refused_create
        check_options "$c" "$man/husk-$c.8.scd" "$(completion_options "$c")" "$refused" <<<"$srcs"
done

# ------------------------------------------------------ (c) bash completion
if ! bash -n "$bashcomp"; then
        failed "bash -n $bashcomp"
else
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        # A fake husk that logs how it was called and lists three containers.
        cat >"$tmp/husk" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/calls"
printf 'web\nwork\ndb\n'
EOF
        chmod +x "$tmp/husk"
        out=$(PATH="$tmp:$PATH" bash --norc --noprofile -c '
                source "$1" || exit 1
                complete -p husk || exit 1
                t() {
                        COMP_LINE=$1
                        COMP_POINT=${#COMP_LINE}
                        read -ra COMP_WORDS <<<"$1"
                        COMP_CWORD=${#COMP_WORDS[@]}
                        [[ $1 == *" " ]] || COMP_CWORD=$((COMP_CWORD - 1))
                        COMPREPLY=()
                        _husk
                        echo "$1|${COMPREPLY[*]}"
                }
                t "husk "
                t "husk --root /srv/st kill w"
                t "husk --root=/srv/x delete "
                t "husk kill web SIGK"
                t "husk list --format=j"
                t "husk --rootless="
                t "husk run --de"
                t "husk exec web ls -"
        ' _ "$bashcomp" 2>&1)
        expect() {      # expect LINE REPLY
                printf '%s\n' "$out" | grep -qxF "$1|$2" ||
                        failed "completion of '$1' should give '$2'; got: $(printf '%s\n' "$out" | grep -F "$1|" || echo nothing)"
        }
        printf '%s\n' "$out" | grep -q '^complete -F _husk husk$' || failed "sourcing husk.bash does not set 'complete -F _husk husk': $out"
        for c in $commands; do
                printf '%s\n' "$out" | grep '^husk |' | grep -qw -- "$c" || failed "the completion does not offer command '$c'"
        done
        expect "husk --root /srv/st kill w" "web work"
        expect "husk --root=/srv/x delete " "web work db"
        expect "husk kill web SIGK" "SIGKILL"
        expect "husk list --format=j" "json"
        expect "husk --rootless=" "true false auto"
        expect "husk run --de" "--detach"
        expect "husk exec web ls -" ""
        grep -qxF -- "--root /srv/st list -q" "$tmp/calls" 2>/dev/null ||
                failed "container ids were not asked of 'husk --root /srv/st list -q' (calls: $(cat "$tmp/calls" 2>/dev/null))"
        grep -qxF -- "--root=/srv/x list -q" "$tmp/calls" 2>/dev/null ||
                failed "container ids were not asked of 'husk --root=/srv/x list -q'"
fi

# ------------------------------------------------------------ (d) rendering
if command -v scdoc >/dev/null; then
        for f in "$man"/*.scd; do
                if ! roff=$(scdoc <"$f" 2>&1); then
                        failed "scdoc ${f#$src/}: $roff"
                        continue
                fi
                grep -q '^\.TH ' <<<"$roff" || failed "scdoc ${f#$src/}: no .TH header"
                # scdoc leaves _X_ as it is where it does not take it for markup (3+_N_)
                left=$(grep -E '(^|[^A-Za-z0-9_])_[A-Za-z][A-Za-z-]*_([^A-Za-z0-9_]|$)' <<<"$roff")
                [ -z "$left" ] || failed "scdoc ${f#$src/}: underline markup left as text: $left"
                if command -v groff >/dev/null; then
                        w=$(printf '%s\n' "$roff" | groff -man -ww -z -Tutf8 2>&1)
                        [ -z "$w" ] || failed "groff warns about ${f#$src/}: $w"
                fi
        done
else
        echo "note: scdoc is not installed; pages not rendered"
fi

if [ $fail -ne 0 ]; then
        echo "test-docs: FAILED"
        exit 1
fi
echo "test-docs: ok"
