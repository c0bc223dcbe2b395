#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-kernels: the smoke scenario (scenario.sh) under iotrace on each
# kernel of KERNELS, through shared/tools/kernel-matrix, then per kernel:
#   VM      kernel-matrix's verdict: scenario.sh ran to the end with exit 0
#           (else FAIL, TIMEOUT, PANIC, CRASH, NOBOOT, SETUP_FAIL)
#   SMOKE   `smoke check` found every field of the result as the workload made it
#   SCHEMA  shared/tools/check-result accepts the result document (run here)
# WALL_s is the whole VM under qemu TCG, CMD_s the scenario in the guest.
# Kernels are downloaded first, each up to KM_FETCH_TRIES times (default 3,
# waiting 15 s, then 30 s), so a flaky mirror does not end the run.
# RESULT tells iotrace's failures from the harness's:
#   PASS    all three passed
#   FAIL    iotrace or its result failed (FAIL, TIMEOUT, PANIC, CRASH, or
#           SMOKE/SCHEMA): a test failure
#   NOTRUN  the kernel could not be downloaded (NOFETCH, SETUP_FAIL) or did
#           not reach its /init (NOBOOT): nothing of iotrace ran there
# A PANIC that is an int3 trap on patched kernel text (qemu, see stale_int3
# below) boots that kernel once more; the table notes it.
# Prints one table; exits 1 when any kernel FAILed, else 3 when any was
# NOTRUN, else 0.
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

# downloads, retried; a kernel that still cannot be had is NOTRUN, the others run
tries=${KM_FETCH_TRIES:-3} run_kernels= nofetch=
for k in $kernels; do
	[ "$k" = host ] && { run_kernels+="$k "; continue; }
	for ((i = 1; ; i++)); do
		"$km/setup.sh" "$k" >> "$out/fetch.log" 2>&1 && { run_kernels+="$k "; break; }
		if [ "$i" -ge "$tries" ]; then
			echo "test-kernels: $k: download failed $tries times (see $out/fetch.log)" >&2
			nofetch+="$k "
			break
		fi
		echo "test-kernels: $k: download failed (attempt $i of $tries), retrying in $((15 * i)) s" >&2
		sleep $((15 * i))
	done
done

[ -n "$run_kernels" ] && "$km/run.sh" -k "$run_kernels" -o "$out/vm" -t "${KM_TIMEOUT:-300}" -a "$iotrace" -a "$smoke" \
	-c km-smoke "$here/scenario.sh" 2>&1 | tee "$out/run.log" |
	grep --line-buffered -E '^\[kernel-matrix\] [^ ]+: (fetching|booting|running|PASS|FAIL|TIMEOUT|PANIC|CRASH|NOBOOT)' 

# A guest that died of an int3 trap on a byte that is not int3 (the oops's
# "Code:" line shows memory now; the byte before the <..> mark is the one that
# trapped) ran a stale translation of kernel text the kernel had patched:
# static keys flip when tracepoints are enabled and disabled, and qemu's TCG
# now and then keeps executing the int3 of a finished patch (6.12, about 1
# boot in 20 here).  Nothing of iotrace can put it there, so that kernel is
# booted once more and the second verdict is the one shown, with a note.
# Any other panic, or this one twice, stays a FAIL.
stale_int3() {
	awk '/Oops: int3/ { o = 1; next }
		o && /Code:/ { n = split($0, w, " ")
			for (i = 2; i <= n; i++) if (w[i] ~ /^</) { print (w[i - 1] != "cc") ? "yes" : "no"; exit }
			exit }' "$1" | grep -q yes
}
rerun=
for k in $run_kernels; do
	[ "$k" = host ] && continue
	awk -v k="$k" '$1 == k && $3 == "PANIC" { f = 1 } END { exit !f }' "$out/vm/summary.txt" \
		2>/dev/null || continue
	stale_int3 "$out/vm/$k.log" || continue
	echo "[kernel-matrix] $k: PANIC was an int3 trap on patched kernel text (qemu TCG), booting once more"
	mv "$out/vm/$k.log" "$out/vm/$k.first.log"
	"$km/run.sh" -k "$k" -o "$out/vm-$k" -t "${KM_TIMEOUT:-300}" -a "$iotrace" -a "$smoke" \
		-c km-smoke "$here/scenario.sh" 2>&1 | tee -a "$out/run.log" |
		grep --line-buffered -E "^\[kernel-matrix\] $k: (booting|PASS|FAIL|TIMEOUT|PANIC|CRASH|NOBOOT)"
	line=$(awk -v k="$k" '$1 == k { print; exit }' "$out/vm-$k/summary.txt" 2>/dev/null)
	[ -n "$line" ] || continue
	awk -v k="$k" -v l="$line" '$1 == k { print l; next } { print }' "$out/vm/summary.txt" \
		> "$out/vm/summary.new" && mv "$out/vm/summary.new" "$out/vm/summary.txt"
	rm -rf "$out/vm/$k.out" "$out/vm/$k.collect"
	for f in "$out/vm-$k/$k".*; do mv "$f" "$out/vm/"; done
	rerun+="$k "
done
t1=$(date +%s.%N)

failed= notrun=
printf '\n%-8s %-26s %-6s %-10s %-6s %-6s %7s %6s  %s\n' KERNEL RELEASE RESULT VM SMOKE SCHEMA \
	WALL_s CMD_s NOTE
for k in $kernels; do
	line=$(awk -v k="$k" '$1 == k { print; exit }' "$out/vm/summary.txt" 2>/dev/null)
	rel=$(awk '{ print $2 }' <<<"$line"); vm=$(awk '{ print $3 }' <<<"$line")
	wall=$(awk '{ print $5 }' <<<"$line"); cmd=$(awk '{ print $7 }' <<<"$line")
	case " $nofetch " in *" $k "*) vm=NOFETCH ;; esac
	dir=$out/vm/$k.collect/km-smoke
	smoke_r=FAIL note=
	if [ -f "$dir/check.txt" ] && tail -n1 "$dir/check.txt" | grep -q '^smoke check: ok'; then
		smoke_r=PASS
	fi
	note=$(grep -m1 'FAIL' "$dir/check.txt" 2>/dev/null | cut -c1-100)
	[ -n "$note" ] || note=$(grep -m1 '^iotrace:' "$out/vm/$k.out" 2>/dev/null | cut -c1-100)
	case " $rerun " in *" $k "*) note="booted twice: int3 on patched text the first time (qemu), $k.first.log${note:+; $note}" ;; esac
	schema=FAIL
	if [ -f "$dir/result.json" ] &&
		python3 "$checker" "$dir/result.json" > "$dir/schema.txt" 2>&1; then
		schema=PASS
	fi
	case ${vm:-?} in
	PASS) result=PASS ;;
	NOFETCH | SETUP_FAIL | NOBOOT | \?) result=NOTRUN ;;
	*) result=FAIL ;;
	esac
	[ "$result" = PASS ] && { [ "$smoke_r" = PASS ] && [ "$schema" = PASS ] || result=FAIL; }
	case $result in
	FAIL) failed+="$k " ;;
	NOTRUN)
		notrun+="$k " smoke_r=- schema=-
		case ${vm:-?} in
		NOFETCH | SETUP_FAIL) note="not tested: the kernel could not be downloaded" ;;
		NOBOOT) note="not tested: the kernel never reached /init (see $k.log)" ;;
		*) note="not tested: kernel-matrix did not run it (see run.log)" ;;
		esac
		;;
	esac
	printf '%-8s %-26s %-6s %-10s %-6s %-6s %7s %6s  %s\n' "$k" "${rel:-?}" "$result" \
		"${vm:-?}" "$smoke_r" "$schema" "${wall:--}" "${cmd:--}" "$note"
done
printf 'total %.1f s; logs in %s/vm/<kernel>.out, results in %s/vm/<kernel>.collect/km-smoke/\n' \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$out" "$out"
if [ -n "$failed" ]; then
	echo "test-kernels: FAIL on ${failed% }${notrun:+ (and not run on ${notrun% })}"
	exit 1
fi
if [ -n "$notrun" ]; then
	echo "test-kernels: NOT RUN on ${notrun% }: download or boot failed, no iotrace result there"
	exit 3
fi
echo 'test-kernels: PASS'
exit 0
