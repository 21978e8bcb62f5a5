# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for husk(8). Needs nothing but bash (bash-completion's
# helpers are not required). Container ids come from `husk list -q`, asked of
# the same husk binary with the --root given on the command line.

# Options of each command; a trailing '=' marks an option that takes a value.
_husk_options()
{
        case "$1" in
        '')
                echo "--root= --log= --log-format= --debug --systemd-cgroup --rootless= --criu= -v --version -h --help" ;;
        create)
                echo "-b= --bundle= --console-socket= --pid-file= --no-pivot --no-new-keyring --preserve-fds= --pidfd-socket= -h --help" ;;
        run)
                echo "-b= --bundle= --console-socket= -d --detach --keep --no-subreaper --pid-file= --no-pivot --no-new-keyring --preserve-fds= --pidfd-socket= -h --help" ;;
        start|state|pause|resume|features)
                echo "-h --help" ;;
        kill)
                echo "-a --all -h --help" ;;
        delete)
                echo "-f --force -h --help" ;;
        list)
                echo "-f= --format= -q --quiet -h --help" ;;
        spec)
                echo "-b= --bundle= --rootless -h --help" ;;
        exec)
                echo "--console-socket= --cwd= -e= --env= -t --tty -u= --user= -g= --additional-gids= -p= --process= -d --detach --pid-file= --process-label= --apparmor= --no-new-privs -c= --cap= --preserve-fds= --cgroup= --ignore-paused --pidfd-socket= -h --help" ;;
        update)
                echo "-r= --resources= --blkio-weight= --cpu-period= --cpu-quota= --cpu-share= --cpu-rt-period= --cpu-rt-runtime= --cpuset-cpus= --cpuset-mems= --kernel-memory= --kernel-memory-tcp= --memory= --memory-reservation= --memory-swap= --pids-limit= --l3-cache-schema= --mem-bw-schema= -h --help" ;;
        events)
                echo "--stats --interval= -h --help" ;;
        ps)
                echo "-f= --format= -h --help" ;;
        checkpoint)
                echo "--image-path= --work-path= --parent-path= --leave-running --tcp-established --ext-unix-sk --shell-job --lazy-pages --status-fd= --page-server= --file-locks --pre-dump --manage-cgroups-mode= --empty-ns= --auto-dedup -h --help" ;;
        restore)
                echo "-b= --bundle= --console-socket= --image-path= --work-path= -d --detach --pid-file= --no-subreaper --no-pivot --tcp-established --ext-unix-sk --shell-job --file-locks --lazy-pages --manage-cgroups-mode= --empty-ns= --auto-dedup --lsm-profile= --lsm-mount-context= -h --help" ;;
        esac
}

_husk_commands="create run start state kill delete list spec features exec pause resume update events ps checkpoint restore help"

# Does option $2 of command $1 take a value?
_husk_takes_value()
{
        local o
        for o in $(_husk_options "$1"); do
                [[ $o == "$2=" ]] && return 0
        done
        return 1
}

_husk_signals="SIGTERM SIGKILL SIGHUP SIGINT SIGQUIT SIGUSR1 SIGUSR2 SIGSTOP SIGCONT SIGWINCH SIGALRM SIGPIPE"
_husk_caps="CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND CAP_BPF CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_IPC_OWNER CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_PERFMON CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYSLOG CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_CHROOT CAP_SYS_MODULE CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_WAKE_ALARM"

# Set COMPREPLY to the words of $1 that start with $cur.
_husk_reply()
{
        COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

_husk()
{
        # Split the line ourselves: bash breaks words at '=' and ':', which
        # would make "--root=/x" three words.
        local line=${COMP_LINE:0:COMP_POINT}
        local -a words
        read -ra words <<<"$line"
        if [[ ${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then
                words+=("")
        fi
        local cword=$((${#words[@]} - 1))
        local cur=${words[cword]} prev="" eq=""
        ((cword > 0)) && prev=${words[cword - 1]}
        if [[ $cur == --*=* ]]; then
                prev=${cur%%=*}
                cur=${cur#*=}
                eq=1
        fi
        local husk=${words[0]}
        COMPREPLY=()

        # The words before the cursor: global options, the command, its
        # options, and how many positional arguments it already has.
        local i w cmd="" root=() npos=0 skip=0 dashdash=0
        for ((i = 1; i < cword; i++)); do
                w=${words[i]}
                if ((skip)); then
                        skip=0
                        continue
                fi
                if [[ -z $cmd ]]; then
                        case $w in
                        --root) root=(--root "${words[i + 1]}") ;;
                        --root=*) root=("$w") ;;
                        esac
                        if [[ $w == -* ]]; then
                                [[ $w != *=* ]] && _husk_takes_value "" "$w" && skip=1
                        else
                                cmd=$w
                        fi
                elif [[ $dashdash -eq 0 && $w == -- ]]; then
                        dashdash=1
                elif [[ $dashdash -eq 0 && $w == -?* && ! ($cmd == exec && $npos -gt 0) ]]; then
                        [[ $w != *=* ]] && _husk_takes_value "$cmd" "$w" && skip=1
                else
                        npos=$((npos + 1))
                fi
        done

        # The value of an option.
        if [[ -n $eq || ($npos -eq 0 || $cmd != exec) && -n $prev && $prev == -* ]]; then
                case "$cmd:$prev" in
                :--root|create:--bundle|create:-b|run:--bundle|run:-b|spec:--bundle|spec:-b|exec:--cwd|restore:--bundle|restore:-b|*:--image-path|*:--work-path|checkpoint:--parent-path)
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -d -- "$cur")) ;;
                :--log|:--criu|*:--pid-file|*:--console-socket|*:--pidfd-socket|exec:--process|exec:-p|update:--resources|update:-r)
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -f -- "$cur")) ;;
                :--log-format)
                        _husk_reply "text json" ;;
                :--rootless)
                        _husk_reply "true false auto" ;;
                list:--format|list:-f|ps:--format|ps:-f)
                        _husk_reply "table json" ;;
                *:--manage-cgroups-mode)
                        _husk_reply "soft full strict ignore" ;;
                *:--empty-ns)
                        _husk_reply "network" ;;
                exec:--cap|exec:-c)
                        _husk_reply "$_husk_caps" ;;
                esac
                if [[ -n $eq ]] || _husk_takes_value "$cmd" "$prev"; then
                        # bash without '=' in COMP_WORDBREAKS wants the whole word
                        if [[ -n $eq && $COMP_WORDBREAKS != *=* ]]; then
                                COMPREPLY=("${COMPREPLY[@]/#/$prev=}")
                        fi
                        return 0
                fi
        fi

        if [[ $cur == -* && $dashdash -eq 0 && ! ($cmd == exec && $npos -gt 0) ]]; then
                local o opts=()
                for o in $(_husk_options "$cmd"); do
                        opts+=("${o%=}")
                done
                _husk_reply "${opts[*]}"
                return 0
        fi

        if [[ -z $cmd ]]; then
                _husk_reply "$_husk_commands"
                return 0
        fi
        case $cmd in
        help)
                ((npos == 0)) && _husk_reply "${_husk_commands% help}" ;;
        start|state|kill|delete|exec|pause|resume|update|events|ps)
                if ((npos == 0)); then
                        _husk_reply "$("$husk" "${root[@]}" list -q 2>/dev/null)"
                elif [[ $cmd == kill && $npos -eq 1 ]]; then
                        _husk_reply "$_husk_signals"
                fi ;;
        esac
        return 0
}

complete -F _husk husk
