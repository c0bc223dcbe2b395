#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-kernels: the smoke scenario (scenario.sh) under iotrace on each
# kernel of KERNELS, through shared/tools/kernel-matrix, then per kernel:
#   VM      kernel-matrix's verdict: scenario.sh ran to the end with exit 0
#           (else FAIL, TIMEOUT, PANIC, CRASH, NOBOOT, SETUP_FAIL)
#   SMOKE   `smoke check` found every field of the result as the workload made it
#   SCHEMA  shared/tools/check-result accepts the result document (run here)
# WALL_s is the whole VM under qemu TCG, CMD_s the scenario in the guest.
# Prints one table; exits 1 when any kernel fails any of the three.
#   usage: matrix.sh IOTRACE SMOKE OUT_DIR "KERNELS"
set -u
iotrace=$1 smoke=$2 out=$3 kernels=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
km=${KM_DIR:-$root/../shared/tools/kernel-matrix}
checker=${CHECK_RESULT:-$root/../shared/tools/check-result}

[ -x "$km/run.sh" ] || { echo "test-kernels: no kernel-matrix at $km" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out" || exit 2
t0=$(date +%s.%N)
"$km/run.sh" -k "$kernels" -o "$out/vm" -t "${KM_TIMEOUT:-300}" -a "$iotrace" -a "$smoke" \
	-c km-smoke "$here/scenario.sh" 2>&1 | tee "$out/run.log" |
	grep --line-buffered -E '^\[kernel-matrix\] [^ ]+: (fetching|booting|running|PASS|FAIL|TIMEOUT|PANIC|CRASH|NOBOOT)' 
t1=$(date +%s.%N)

overall=0
printf '\n%-8s %-26s %-7s %-6s %-6s %7s %6s  %s\n' KERNEL RELEASE VM SMOKE SCHEMA WALL_s CMD_s NOTE
for k in $kernels; do
	line=$(awk -v k="$k" '$1 == k { print; exit }' "$out/vm/summary.txt" 2>/dev/null)
	rel=$(awk '{ print $2 }' <<<"$line"); vm=$(awk '{ print $3 }' <<<"$line")
	wall=$(awk '{ print $5 }' <<<"$line"); cmd=$(awk '{ print $7 }' <<<"$line")
	dir=$out/vm/$k.collect/km-smoke
	smoke_r=FAIL note=
	if [ -f "$dir/check.txt" ] && tail -n1 "$dir/check.txt" | grep -q '^smoke check: ok'; then
		smoke_r=PASS
	fi
	note=$(grep -m1 'FAIL' "$dir/check.txt" 2>/dev/null | cut -c1-100)
	[ -n "$note" ] || note=$(grep -m1 '^iotrace:' "$out/vm/$k.out" 2>/dev/null | cut -c1-100)
	schema=FAIL
	if [ -f "$dir/result.json" ] &&
		python3 "$checker" "$dir/result.json" > "$dir/schema.txt" 2>&1; then
		schema=PASS
	fi
	[ "$vm" = PASS ] && [ "$smoke_r" = PASS ] && [ "$schema" = PASS ] || overall=1
	printf '%-8s %-26s %-7s %-6s %-6s %7s %6s  %s\n' "$k" "${rel:-?}" "${vm:-?}" "$smoke_r" \
		"$schema" "${wall:--}" "${cmd:--}" "$note"
done
printf 'total %.1f s; logs in %s/vm/<kernel>.out, results in %s/vm/<kernel>.collect/km-smoke/\n' \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$out" "$out"
[ "$overall" = 0 ] && echo 'test-kernels: PASS' || echo 'test-kernels: FAIL'
exit $overall
