# SPDX-License-Identifier: GPL-2.0
# What bash offers for command lines: for each LINE, the matches one a
# line, then a line END_OF_COMPLETION:
#   bash --norc --noprofile tests/lib/bash-complete.bash COMPLETION_FILE DIR 'iotrace -o ' ...
# Loads bash-completion and COMPLETION_FILE as an interactive bash does,
# then for each line, in a subshell in DIR: splits it into COMP_WORDS as
# readline does for these lines (at blanks, with "=" a word of its own),
# calls the function "complete -p" names for its first word and prints
# COMPREPLY.  Exits 2 when bash-completion is missing.
set -u
bc=/usr/share/bash-completion/bash_completion
if [[ ! -r $bc ]]; then
	echo "bash-complete: $bc is missing (Debian package bash-completion)" >&2
	exit 2
fi
# shellcheck source=/dev/null # bash-completion, then the file under test
source "$bc"
# shellcheck source=/dev/null
source "$1" || exit 2
cd "$2" || exit 2
shift 2

# compopt works only while readline completes: a no-op here
compopt() { :; }

complete_line()
{
	local line=$1 spec func prev=
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -ra COMP_WORDS <<<"${line//=/ = }"
	[[ $line == *[[:blank:]=] ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	spec=$(complete -p "${COMP_WORDS[0]}") || return
	func=${spec##*-F }
	func=${func%% *}
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "$prev"
	((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}"
}

for line in "$@"; do
	(complete_line "$line") || exit 2
	echo END_OF_COMPLETION
done
