#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The smoke scenario, run by vm/run.sh in each guest (busybox ash, cwd
# /root, root) and on the host (cwd a temporary directory): iotrace traces
# `smoke run A B`, then `smoke check` compares the result with the scenario;
# last, iotrace debug verify records the verifier's work on this kernel.
# Everything lands in ./km-smoke/, which the matrix brings back.  A is on
# /tmp (tmpfs in the guest, a mount to cross), B below the cwd (rootfs).
#
# Every field must be exact.  One thing may differ and be said: the kernel
# runs one tracepoint program at a time per CPU and skips the others, and
# counts it (dropped.missed_runs, 6.7 on); a trace whose document declares
# skipped runs is run again, up to three times, and the note says so.  A
# difference in a document that declares none is a failure at once.
out=km-smoke
rm -rf "$out" && mkdir "$out" || exit 2
a=$(mktemp -d /tmp/iot-smoke.XXXXXX) && b=$(mktemp -d "$PWD/iot-smoke.XXXXXX") || exit 2
a=$(realpath "$a") && b=$(realpath "$b") || exit 2
rc=0
: > "$out/check.txt"

# the runs the kernel skipped, as the document says (0 where it does not count them)
skipped() {
	sed -n 's/.*"missed_runs": *\([0-9]*\).*/\1/p' "$1" | head -n1 | grep . || echo 0
}

# NAME: a trace and its check, in functions run_NAME and check_NAME (exit
# status 0: the check passed); run again while it fails with skipped runs
attempt() {
	n=1
	while :; do
		rm -rf "${a:?}"/* "${b:?}"/*
		if ! "run_$1"; then
			rc=1
			return
		fi
		if "check_$1" > "$out/$1.check"; then
			cat "$out/$1.check" >> "$out/check.txt"
			return
		fi
		s=$(skipped "$out/$1.json")
		if [ "$s" = 0 ] || [ "$n" -ge 3 ]; then
			cat "$out/$1.check" >> "$out/check.txt"
			rc=1
			return
		fi
		echo "smoke check: note: $1: the kernel skipped $s runs of the programs;" \
			"attempt $((n + 1))" | tee -a "$out/check.txt"
		cp "$out/$1.json" "$out/$1.skipped$n.json"
		n=$((n + 1))
	done
}

# 1. the whole scenario; stdout of the workload is a pipe: its "fact" lines are not file I/O
run_result() {
	(iotrace -q --mapped -o "$out/result.json" -- smoke run "$a" "$b"
		echo $? > "$out/iotrace.rc") | cat > "$out/facts.txt"
	st=$(cat "$out/iotrace.rc")
	echo "iotrace exit status: $st"
	[ "$st" = 0 ] && return
	echo "smoke check: FAIL iotrace exited with $st" | tee -a "$out/check.txt"
	return 1
}
check_result() {
	smoke check "$out/result.json" "$out/facts.txt" "$a" "$b"
}
attempt result

# 2. iotrace raises RLIMIT_MEMLOCK for loading only (5.10 needs it): the
# command must run with the caller's limit
want=$(ulimit -l)
got=$(iotrace -q -o "$out/ulimit.json" -- sh -c 'ulimit -l')
if [ "$got" != "$want" ]; then
	echo "smoke check: FAIL RLIMIT_MEMLOCK of the traced command: $got, want $want" \
		>> "$out/check.txt"
	rc=1
fi

# 3. the file filters, judged in the kernel: the same scenario again, A left out
run_filtered() {
	(iotrace -q -o "$out/filtered.json" --exclude "$a" --exclude-fstype proc -- \
		smoke run "$a" "$b"
		echo $? > "$out/filtered.rc") | cat > "$out/facts-filtered.txt"
	[ "$(cat "$out/filtered.rc")" = 0 ] && return
	echo "smoke check: FAIL iotrace --exclude exited with $(cat "$out/filtered.rc")" \
		>> "$out/check.txt"
	return 1
}
check_filtered() {
	smoke check "$out/filtered.json" "$out/facts-filtered.txt" "$a" "$b" exclude-a
}
attempt filtered

# 4. iotrace top without a terminal, refreshing every 100 ms: a table per
# interval, the totals at the end, and with -o the same document as a trace's
# (the workload's facts go to the pipe through fd 3, top's tables to a file)
run_top() {
	(iotrace top --interval 100ms -o "$out/top.json" -- sh -c 'exec smoke run "$0" "$1" >&3' \
		"$a" "$b" 3>&1 > "$out/top.txt"; echo $? > "$out/top.rc") |
		cat > "$out/facts-top.txt"
	if [ "$(cat "$out/top.rc")" != 0 ]; then
		echo "smoke check: FAIL iotrace top exited with $(cat "$out/top.rc")" \
			>> "$out/check.txt"
		return 1
	fi
	grep -q "^iotrace top - live" "$out/top.txt" &&
		grep -q "^iotrace top - trace ended" "$out/top.txt" && return
	echo "smoke check: FAIL iotrace top printed no interval or final table" >> "$out/check.txt"
	return 1
}
check_top() {
	smoke check "$out/top.json" "$out/facts-top.txt" "$a" "$b"
}
attempt top

# 5. the verifier's work on this kernel: every program loaded at log level 2,
# as make verifier-logs commits it; the matrix compares it with those logs
if ! mkdir "$out/verifier" || ! iotrace debug verify "$out/verifier" > "$out/verifier.txt" 2>&1; then
	echo "smoke check: FAIL iotrace debug verify: $(tail -n1 "$out/verifier.txt")" >> "$out/check.txt"
	rc=1
fi

# the last line is the verdict the matrix reads
if [ "$rc" = 0 ]; then
	grep -v '^smoke check: ok' "$out/check.txt" > "$out/notes.txt"
	grep '^smoke check: ok' "$out/check.txt" | tail -n1 > "$out/verdict.txt"
	cat "$out/notes.txt" "$out/verdict.txt" > "$out/check.txt"
	rm -f "$out/notes.txt" "$out/verdict.txt"
else
	tail -n1 "$out/check.txt" | grep -q FAIL || echo "smoke check: FAIL" >> "$out/check.txt"
fi
cat "$out/check.txt"
rm -rf "$a" "$b"
exit $rc
