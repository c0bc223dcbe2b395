#!/bin/sh
# verifier-logs/<arch>/<uname -r>/: the verifier's view of every production
# program, loaded through iotrace's own loader (iotrace debug verify).
#   generate  rewrite the directory for the running kernel
#   check     fail when a program's processed insns grew by more than 10%
#             against the committed summary of this kernel: its own release,
#             else the newest committed one of the same version (6.18.44-*:
#             the same source built again)
set -eu
cd "$(dirname "$0")/../.."
rel=$(uname -r)
arch=$(uname -m)
dir=verifier-logs/$arch/$rel
case "${1:-}" in
generate)
	rm -rf "$dir" && mkdir -p "$dir"
	./iotrace debug verify "$dir"
	{
		echo "# verifier logs for $rel"
		echo
		echo "- kernel: $rel ($(uname -m))"
		echo "- clang: $(clang --version | head -n 1)"
		echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo none) (logs are regenerated before that commit lands)"
		echo "- command: make verifier-logs (iotrace debug verify $dir)"
		echo "- config: loaded as for a -p/command trace (filter mode FILTER_PIDS)"
		echo "- normalised: kernel pointers -> <ptr>, map ids -> map[id:*], no verification time"
	} >"$dir/README.md"
	echo "verifier-logs: wrote $dir"
	;;
check)
	if [ ! -f "$dir/summary.tsv" ]; then
		same=$(ls -d "verifier-logs/$arch/${rel%%-*}"-* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$same" ] && dir=$same
	fi
	if [ ! -f "$dir/summary.tsv" ]; then
		echo "check-verifier-logs: no committed logs for kernel $rel; skipping (run make verifier-logs on it)"
		exit 0
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	./iotrace debug verify "$tmp"
	awk -F'\t' 'NR == FNR { if (FNR > 1) old[$1] = $4; next }
		FNR > 1 {
			if (!($1 in old)) { printf "new program %s: %s insns processed (not in committed logs)\n", $1, $4; bad = 1; next }
			if ($4 > old[$1] * 1.10) { printf "%s: processed insns grew %s -> %s (>10%%)\n", $1, old[$1], $4; bad = 1 }
		}
		END { exit bad }' "$dir/summary.tsv" "$tmp/summary.tsv" || {
		echo "check-verifier-logs: regenerate with make verifier-logs and commit, with a reason"
		exit 1
	}
	echo "check-verifier-logs: $(($(wc -l <"$tmp/summary.tsv") - 1)) programs within 10% of $dir"
	;;
*)
	echo "usage: $0 generate|check" >&2
	exit 2
	;;
esac
