#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-kernels: the smoke scenario (scenario.sh) under iotrace on each
# kernel of KERNELS, through the runner in vm/ (see README.md), then per kernel:
#   VM      the runner's verdict: scenario.sh ran to the end with exit 0
#           (else FAIL, TIMEOUT, PANIC, CRASH, NOBOOT, SETUP_FAIL, or NOFETCH
#           when the download below failed)
#   SMOKE   `smoke check` found every field of the result as the workload made it
#   SCHEMA  the project's validator (tests/lib/validate-result) accepts the
#           result document, and so does ../shared/tools/check-result, an
#           independent second opinion, when it exists beside the repository
# WALL_s is the whole VM under qemu TCG, CMD_s the scenario in the guest.
# Kernels are downloaded first, each up to KM_FETCH_TRIES times (default 3,
# waiting KM_FETCH_WAIT s, default 15, then twice that), so a flaky mirror
# does not end the run; an unknown kernel spec is not retried.
# RESULT tells iotrace's failures from the harness's:
#   PASS    all three passed
#   FAIL    iotrace or its result failed (FAIL, TIMEOUT, PANIC, CRASH, or
#           SMOKE/SCHEMA): a test failure
#   NOTRUN  the kernel could not be downloaded (NOFETCH, SETUP_FAIL) or did
#           not reach its /init (NOBOOT): nothing of iotrace ran there
# A PANIC that is an int3 trap on patched kernel text (qemu, see stale_int3
# below) boots that kernel once more; the table notes it.
# VLOG compares the verifier's work on that kernel (iotrace debug verify, run
# by scenario.sh) with the logs committed for it (tests/lib/verifier-logs.sh
# gate): GREW (a program's processed insns grew by more than 10%, or is new)
# and ERROR (the gate itself failed) are a FAIL, NEW (no committed logs of
# that kernel) a note.
# Prints one table; exits 1 when any kernel FAILed, else 3 when any was
# NOTRUN, else 0.
#   usage: matrix.sh IOTRACE SMOKE OUT_DIR "KERNELS"
# IOTRACE and SMOKE are built for KM_ARCH (a Debian architecture, default
# the host's), whose kernels the runner boots; `host` is this machine, for
# its own architecture only.
# Environment: KM_TIMEOUT (s per VM, default 300), KM_CACHE (vm/fetch.sh),
# KM_VM (the runner's directory), VALIDATE_RESULT and CHECK_RESULT (the two
# validators' paths), KM_VERIFIER_LOGS (the script that holds the gate).
set -u
iotrace=$1 smoke=$2 out=$3 kernels=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vm=${KM_VM:-$here/vm}
validator=${VALIDATE_RESULT:-$root/tests/lib/validate-result}
checker=${CHECK_RESULT:-$root/../shared/tools/check-result}
vlogs=${KM_VERIFIER_LOGS:-$root/tests/lib/verifier-logs.sh}
host_arch=$(dpkg --print-architecture)
export KM_ARCH=${KM_ARCH:-$host_arch}

rm -rf "$out" && mkdir -p "$out/vm" "$out/bin" || exit 2
# the guest calls them iotrace and smoke, whatever the build named them
cp "$iotrace" "$out/bin/iotrace" && cp "$smoke" "$out/bin/smoke" || exit 2
iotrace=$out/bin/iotrace smoke=$out/bin/smoke
if [ ! -x "$validator" ]; then
	echo "test-kernels: no result validator at $validator: every SCHEMA fails" >&2
fi
if [ ! -e "$checker" ]; then
	echo "test-kernels: ${CHECK_RESULT:-../shared/tools/check-result} not found:" \
		"the independent second opinion is skipped"
	checker=
fi
t0=$(date +%s.%N)

# downloads, retried; a kernel that still cannot be had is NOTRUN, the others run
tries=${KM_FETCH_TRIES:-3} wait=${KM_FETCH_WAIT:-15} run_kernels= nofetch= unknown=
for k in $kernels; do
	if [ "$k" = host ]; then
		[ "$KM_ARCH" = "$host_arch" ] && run_kernels+="$k " || nofetch+="$k "
		continue
	fi
	for ((i = 1; ; i++)); do
		"$vm/fetch.sh" "$k" >> "$out/fetch.log" 2>&1
		case $? in
		0)
			run_kernels+="$k "
			break
			;;
		2)
			echo "test-kernels: $k: unknown kernel spec (see $out/fetch.log)" >&2
			nofetch+="$k " unknown+="$k "
			break
			;;
		esac
		if [ "$i" -ge "$tries" ]; then
			echo "test-kernels: $k: download failed $tries times (see $out/fetch.log)" >&2
			nofetch+="$k "
			break
		fi
		echo "test-kernels: $k: download failed (attempt $i of $tries), retrying in $((wait * i)) s" >&2
		sleep $((wait * i))
	done
done

# boot K: one run of the scenario on K; its files land in $out/vm as K.*
boot() {
	"$vm/run.sh" -o "$out/vm" -t "${KM_TIMEOUT:-300}" -a "$iotrace" -a "$smoke" -c km-smoke \
		"$1" "$here/scenario.sh" 2>&1 | tee -a "$out/run.log"
}
# field K N: the Nth field of K's summary line (KERNEL RELEASE VERDICT RC WALL_s BOOT_s CMD_s)
field() { awk -v n="$2" '{ print $n; exit }' "$out/vm/$1.summary" 2>/dev/null; }

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
	boot "$k"
	[ "$k" != host ] && [ "$(field "$k" 3)" = PANIC ] && stale_int3 "$out/vm/$k.log" || continue
	echo "test-kernels: $k: PANIC was an int3 trap on patched kernel text (qemu TCG), booting once more"
	mv "$out/vm/$k.log" "$out/vm/$k.first.log"
	boot "$k"
	rerun+="$k "
done
t1=$(date +%s.%N)

# schema FILE: the validator (the tracer's own histogram buckets required, as
# iotrace wrote the document), then the second opinion when there is one
schema() {
	"$validator" --own-buckets "$1" && { [ -z "$checker" ] || python3 "$checker" "$1"; }
}

# vlog KERNEL RELEASE: the verifier's work there against the committed logs (PASS, GREW, NEW)
vlog() {
	local sum=$out/vm/$1.collect/km-smoke/verifier/summary.tsv rc=0
	[ -f "$sum" ] || { echo -; return; }
	"$vlogs" gate "$KM_ARCH" "$2" "$sum" > "$out/vm/$1.vlog" 2>&1 || rc=$?
	case $rc in 0) echo PASS ;; 1) echo GREW ;; 3) echo NEW ;; *) echo ERROR ;; esac
}

failed= notrun=
printf '\n%-8s %-8s %-26s %-6s %-10s %-6s %-6s %-5s %7s %6s  %s\n' ARCH KERNEL RELEASE RESULT VM \
	SMOKE SCHEMA VLOG WALL_s CMD_s NOTE
for k in $kernels; do
	rel=$(field "$k" 2) vm_r=$(field "$k" 3) wall=$(field "$k" 5) cmd=$(field "$k" 7)
	case " $nofetch " in *" $k "*) vm_r=NOFETCH ;; esac
	dir=$out/vm/$k.collect/km-smoke
	smoke_r=FAIL note=
	if [ -f "$dir/check.txt" ] && tail -n1 "$dir/check.txt" | grep -q '^smoke check: ok'; then
		smoke_r=PASS
	fi
	schema_r=FAIL
	[ -f "$dir/result.json" ] && schema "$dir/result.json" > "$dir/schema.txt" 2>&1 && schema_r=PASS
	note=$(grep -m1 'FAIL' "$dir/check.txt" 2>/dev/null | cut -c1-100)
	[ -n "$note" ] ||
		note=$(grep -m1 '^smoke check: note: ' "$dir/check.txt" 2>/dev/null | cut -c20-119)
	[ -n "$note" ] || note=$(grep -m1 '^iotrace:' "$out/vm/$k.out" 2>/dev/null | cut -c1-100)
	[ -n "$note" ] || [ "$schema_r" = PASS ] ||
		note=$(grep -v -m1 ': ok' "$dir/schema.txt" 2>/dev/null | sed 's|^.*/result\.json: ||' | cut -c1-100)
	vlog_r=$(vlog "$k" "$rel")
	case $vlog_r in
	GREW | ERROR) note=$(head -n1 "$out/vm/$k.vlog" | cut -c1-100) ;;
	NEW) note="${note:+$note; }no committed verifier logs for $rel (make verifier-logs)" ;;
	esac
	case " $rerun " in *" $k "*) note="booted twice: int3 on patched text the first time (qemu), $k.first.log${note:+; $note}" ;; esac
	case ${vm_r:-?} in
	PASS) result=PASS ;;
	NOFETCH | SETUP_FAIL | NOBOOT | \?) result=NOTRUN ;;
	*) result=FAIL ;;
	esac
	[ "$result" = PASS ] && { [ "$smoke_r" = PASS ] && [ "$schema_r" = PASS ] &&
		[ "$vlog_r" != GREW ] && [ "$vlog_r" != ERROR ] || result=FAIL; }
	case $result in
	FAIL) failed+="$k " ;;
	NOTRUN)
		notrun+="$k " smoke_r=- schema_r=- vlog_r=-
		case ${vm_r:-?} in
		NOFETCH) note="not tested: the kernel could not be downloaded" ;;
		SETUP_FAIL) note="not tested: the kernel could not be set up (see $k.setup.log)" ;;
		NOBOOT) note="not tested: the kernel never reached /init (see $k.log)" ;;
		*) note="not tested: the runner did not run it (see run.log)" ;;
		esac
		case " $unknown " in *" $k "*) note="not tested: unknown kernel spec" ;; esac
		[ "$k" = host ] && [ "$KM_ARCH" != "$host_arch" ] &&
			note="not tested: the host is $host_arch, not $KM_ARCH"

		;;
	esac
	printf '%-8s %-8s %-26s %-6s %-10s %-6s %-6s %-5s %7s %6s  %s\n' "$KM_ARCH" "$k" "${rel:-?}" \
		"$result" "${vm_r:-?}" "$smoke_r" "$schema_r" "$vlog_r" "${wall:--}" "${cmd:--}" "$note"
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
