#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The smoke scenario, run by vm/run.sh in each guest (busybox ash, cwd
# /root, root) and on the host (cwd a temporary directory): iotrace traces
# `smoke run A B`, then `smoke check` compares the result with the scenario.
# Everything lands in ./km-smoke/, which the matrix brings back.  A is on
# /tmp (tmpfs in the guest, a mount to cross), B below the cwd (rootfs).
out=km-smoke
rm -rf "$out" && mkdir "$out" || exit 2
a=$(mktemp -d /tmp/iot-smoke.XXXXXX) && b=$(mktemp -d "$PWD/iot-smoke.XXXXXX") || exit 2
a=$(realpath "$a") && b=$(realpath "$b") || exit 2
# stdout of the workload is a pipe: its "fact" lines are not file I/O
(iotrace -q --mapped -o "$out/result.json" -- smoke run "$a" "$b"; echo $? > "$out/iotrace.rc") |
	cat > "$out/facts.txt"
rc=$(cat "$out/iotrace.rc")
echo "iotrace exit status: $rc"
if [ "$rc" != 0 ]; then
	echo "smoke check: FAIL iotrace exited with $rc" | tee "$out/check.txt"
	exit 1
fi
smoke check "$out/result.json" "$out/facts.txt" "$a" "$b" > "$out/check.txt"
rc=$?
# iotrace raises RLIMIT_MEMLOCK for loading only (5.10 needs it): the
# command must run with the caller's limit
want=$(ulimit -l)
got=$(iotrace -q -o "$out/ulimit.json" -- sh -c 'ulimit -l')
if [ "$got" != "$want" ]; then
	echo "smoke check: FAIL RLIMIT_MEMLOCK of the traced command: $got, want $want" \
		>> "$out/check.txt"
	rc=1
fi
# the file filters, judged in the kernel: the same scenario again, A left out
rm -rf "$a"/* "$b"/*
(iotrace -q -o "$out/filtered.json" --exclude "$a" --exclude-fstype proc -- smoke run "$a" "$b"
	echo $? > "$out/filtered.rc") | cat > "$out/facts-filtered.txt"
if [ "$(cat "$out/filtered.rc")" != 0 ]; then
	echo "smoke check: FAIL iotrace --exclude exited with $(cat "$out/filtered.rc")" >> "$out/check.txt"
	rc=1
elif ! smoke check "$out/filtered.json" "$out/facts-filtered.txt" "$a" "$b" exclude-a \
	>> "$out/check.txt"; then
	rc=1
fi
# iotrace top without a terminal, refreshing every 100 ms: a table per
# interval, the totals at the end, and with -o the same document as a trace's
# (the workload's facts go to the pipe through fd 3, top's tables to a file)
rm -rf "$a"/* "$b"/*
(iotrace top --interval 100ms -o "$out/top.json" -- sh -c 'exec smoke run "$0" "$1" >&3' \
	"$a" "$b" 3>&1 > "$out/top.txt"; echo $? > "$out/top.rc") | cat > "$out/facts-top.txt"
if [ "$(cat "$out/top.rc")" != 0 ]; then
	echo "smoke check: FAIL iotrace top exited with $(cat "$out/top.rc")" >> "$out/check.txt"
	rc=1
elif ! grep -q "^iotrace top - live" "$out/top.txt" ||
	! grep -q "^iotrace top - trace ended" "$out/top.txt"; then
	echo "smoke check: FAIL iotrace top printed no interval or final table" >> "$out/check.txt"
	rc=1
elif ! smoke check "$out/top.json" "$out/facts-top.txt" "$a" "$b" >> "$out/check.txt"; then
	rc=1
fi
# the last line is the verdict the matrix reads
[ "$rc" = 0 ] || tail -n1 "$out/check.txt" | grep -q FAIL || echo "smoke check: FAIL" >> "$out/check.txt"
cat "$out/check.txt"
rm -rf "$a" "$b"
exit $rc
