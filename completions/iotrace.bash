# SPDX-License-Identifier: GPL-2.0
# bash completion for iotrace(1) (also as iotrace record), iotrace report
# (iotrace-report(1)) and iotrace top (iotrace-top(1)).  It relies on the bash-completion package
# (_init_completion, _filedir, _pids, _pnames, _command_offset), which loads
# this file from its completions directory the first time a word of an
# iotrace command line is completed.  The option lists are those of
# "iotrace --help", "iotrace report --help" and "iotrace top --help".
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)): words without blanks or globs

# Complete the last item of a comma-separated list ("1,2,<TAB>") with the
# helper given as arguments, which completes $cur.
_iotrace_list()
{
	local head=${cur%"${cur##*,}"} cur=${cur##*,}

	"$@"
	COMPREPLY=("${COMPREPLY[@]/#/$head}")
}

_iotrace_report()
{
	local i

	# after "--" every word is a document, even one that begins with a dash
	for ((i = 2; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			_filedir
			return
		fi
	done

	case $prev in
	-n | --top | --glob | --exclude | -f | --file)
		return # a number, a pattern, a path as the documents name it
		;;
	-s | --sort)
		COMPREPLY=($(compgen -W 'bytes calls errors seq rewrites fsync' -- "$cur"))
		return
		;;
	-b | --by)
		COMPREPLY=($(compgen -W 'dir ext comm pid fstype file' -- "$cur"))
		return
		;;
	--path)
		_filedir
		return
		;;
	--format)
		COMPREPLY=($(compgen -W 'text json csv' -- "$cur"))
		return
		;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		return
		;;
	--table)
		COMPREPLY=($(compgen -W 'files timeline syscalls hist' -- "$cur"))
		return
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-n --top -s --sort -b --by --path --glob --exclude -w
			--wide --no-findings --html --fio-job -f --file --format --table --color -h --help' -- "$cur"))
		return
	fi
	_filedir
}

_iotrace()
{
	local cur prev words cword split
	_init_completion -s || return

	if ((cword > 1)) && [[ ${words[1]} == report ]]; then
		_iotrace_report
		return
	fi

	# The traced command begins after "--", or at the first word that is
	# neither an option nor an option's argument ("iotrace dd ..." runs dd),
	# after "record" if that is the first word.  COMP_WORDS, not words:
	# _command_offset counts in COMP_WORDS, where "--output=x" is three words.
	local i w first=1
	((cword > 1)) && [[ ${words[1]} == record || ${words[1]} == top ]] && first=2
	for ((i = first; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == = || ${COMP_WORDS[i - 1]} == = ]] && continue
		case $w in
		--)
			if ((i < COMP_CWORD)); then
				_command_offset $((i + 1))
				return
			fi
			;;
		-*([qvVh])[pcdor] | --pid | --comm | --duration | --output | --format | --max-files | \
			--verifier-log | --bpf-object | --path | --exclude | --fstype | --exclude-fstype | \
			--interval | --stream | --result)
			((i++))
			;;
		-*) ;;
		*)
			_command_offset $i
			((i == 1)) && COMPREPLY+=($(compgen -W 'record report top' -- "$cur"))
			return
			;;
		esac
	done

	case $prev in
	-*([qvVh])p | --pid)
		_iotrace_list _pids
		return
		;;
	-*([qvVh])c | --comm)
		_iotrace_list _pnames -s
		return
		;;
	-*([qvVh])d | --duration | --max-files | --interval)
		return
		;;
	-*([qvVh])[or] | --output | --stream | --result)
		_filedir
		return
		;;
	--format)
		COMPREPLY=($(compgen -W 'json csv' -- "$cur"))
		return
		;;
	--verifier-log | --path | --exclude)
		_filedir -d
		return
		;;
	--fstype | --exclude-fstype)
		COMPREPLY=($(compgen -W "$(awk '{ print $NF }' /proc/filesystems 2>/dev/null)" -- "$cur"))
		return
		;;
	--bpf-object)
		_filedir o
		return
		;;
	esac
	$split && return

	if ((first == 2)) && [[ ${words[1]} == top ]]; then
		COMPREPLY=($(compgen -W '-p --pid -c --comm -d --duration -o --output
			--path --exclude --fstype --exclude-fstype --mapped --interval
			--per-process --max-files --verifier-log --bpf-object -v --verbose
			-V --version -h --help -r --result' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W '-p --pid -c --comm -d --duration -o --output --format
		--path --exclude --fstype --exclude-fstype --mapped --interval --stream
		--per-process --max-files --verifier-log --bpf-object -q --quiet -v --verbose
		-V --version -h --help' -- "$cur"))
} &&
	complete -F _iotrace iotrace
