#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh's verdicts without qemu: a scripted runner (a fetch.sh and a
# run.sh with vm/'s interface, written below) answers each download and boot
# from a plan, stub validators answer as each case says, and each case checks
# the verdict line, the exit status, the number of boots and the table's note.
# Run by `make test-kernels` before the real matrix.
#   usage: matrix_test.sh
set -u
# the cases set what they need: nothing of the caller's matrix settings (make
# test-kernels KERNELS=... exports KERNELS) may reach them
unset KERNELS KM_CACHE KM_TIMEOUT KM_FETCH_TRIES KM_FETCH_WAIT KM_VM KM_ARCH KM_VERIFIER_LOGS \
	VALIDATE_RESULT CHECK_RESULT
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/iot-matrix-test.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
km=$tmp/vm
mkdir -p "$km"

# fetch.sh SPEC: FAKE_FETCH says how every download goes: ok, fail (exit 1)
# or unknown (exit 2, an unknown spec); each call is counted in $km/fetches
cat > "$km/fetch.sh" <<'END'
#!/bin/bash
echo "$1" >> "$(dirname "$0")/fetches"
case ${FAKE_FETCH:-ok} in
ok) echo "kernel=/nonexistent/$1"; echo "busybox=/nonexistent/busybox" ;;
fail) echo "fetch: download failed" >&2; exit 1 ;;
unknown) echo "fetch: unknown kernel spec '$1'" >&2; exit 2 ;;
esac
END
# run.sh -o DIR ... KERNEL SCRIPT: the next line of $km/plan decides the boot:
#   pass    the scenario ran and its check passed
#   check   the scenario ran to the end, exit 1: smoke check found a difference
#   retried the check passed on a second attempt (the first declared skipped runs)
#   stale   an int3 trap on a byte that now holds 66 (text patched since)
#   int3    an int3 trap on a byte that holds cc (an int3 really there)
#   null    a NULL dereference oops
#   noboot  the kernel never ran /init
#   lost    the scenario passed and its result came back, but not the check's report
cat > "$km/run.sh" <<'END'
#!/bin/bash
o=
while getopts o:t:a:c: opt; do
	case $opt in o) o=$OPTARG ;; esac
done
shift $((OPTIND - 1))
k=$1
dir=$(dirname "$0")
what=$(head -n1 "$dir/plan")
sed -i 1d "$dir/plan"
echo "$what" >> "$dir/boots"
mkdir -p "$o"
res=$o/$k.collect/km-smoke
oops() {
	echo '[    4.0] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI'
	echo '[    4.0] RIP: 0010:syscall_exit_to_user_mode_prepare+0xe1/0x170'
	echo "[    4.0] Code: e7 80 00 00 eb b8 48 8b 53 50 $1 <90> e9 77 ff ff ff 65 8b 05"
	echo '[    4.0] Kernel panic - not syncing: Fatal exception in interrupt'
}
case $what in
pass | check | retried)
	mkdir -p "$res"
	echo '{}' > "$res/result.json"
	: > "$o/$k.log"
	echo 'iotrace exit status: 0' > "$o/$k.out"
	mkdir -p "$res/verifier" && printf 'program\n' > "$res/verifier/summary.tsv"
	if [ "$what" = pass ]; then
		echo 'smoke check: ok' > "$res/check.txt"
		verdict="PASS 0"
	elif [ "$what" = retried ]; then
		printf '%s\n' 'smoke check: note: top: the kernel skipped 2 runs of the programs; attempt 2' \
			'smoke check: ok' > "$res/check.txt"
		verdict="PASS 0"
	else
		echo 'smoke check: FAIL read.calls: 3, want 4' > "$res/check.txt"
		verdict="FAIL 1"
	fi
	echo "$k 9.9.9-test $verdict 5.0 2.0 1.0" > "$o/$k.summary"
	;;
lost)
	mkdir -p "$res"
	echo '{}' > "$res/result.json"
	: > "$o/$k.log"
	echo 'iotrace exit status: 0' > "$o/$k.out"
	echo "$k 9.9.9-test PASS 0 5.0 2.0 1.0" > "$o/$k.summary"
	;;
noboot)
	echo '[    2.3] Kernel panic - not syncing: No working init found.' > "$o/$k.log"
	: > "$o/$k.out"
	echo "$k 9.9.9-test NOBOOT - 5.0 - -" > "$o/$k.summary"
	;;
*)
	case $what in
	stale) oops 66 ;;
	int3) oops cc ;;
	null)
		echo '[    4.0] BUG: kernel NULL pointer dereference, address: 0000000000000008'
		echo '[    4.0] Kernel panic - not syncing: Fatal exception'
		;;
	esac > "$o/$k.log"
	: > "$o/$k.out"
	echo "$k 9.9.9-test PANIC - 5.0 2.0 -" > "$o/$k.summary"
	;;
esac
echo "vm: $k: $(awk '{ print $3 }' "$o/$k.summary")" >&2
END
# the verifier-log gate: FAKE_VLOG says ok, grew (exit 1), new (exit 3, nothing
# committed) or broken (exit 2, the gate itself failed)
cat > "$tmp/verifier-logs.sh" <<'END'
#!/bin/bash
[ "$1" = gate ] && [ $# = 4 ] && [ -f "$4" ] || { echo "fake gate: bad call: $*"; exit 2; }
case ${FAKE_VLOG:-ok} in
ok) echo "verifier-logs: 1 programs within 10%" ;;
grew) echo "sys_exit_read: processed insns grew 7000 -> 9000 (>10%)"; exit 1 ;;
new) echo "verifier-logs: no committed logs for $2 $3"; exit 3 ;;
broken) echo "awk: cannot open summary.tsv"; exit 2 ;;
esac
END
# the validators: FAKE_VALIDATOR and FAKE_CHECKER say ok or bad
cat > "$tmp/validate-result" <<'END'
#!/bin/bash
f=${!#}
[ "${FAKE_VALIDATOR:-ok}" = ok ] && { echo "$f: ok (1 files)"; exit 0; }
echo "$f: read.calls is 3, the sum of its syscalls 4"
exit 1
END
printf 'import os, sys\nprint("%%s: second opinion: %%s" %% (sys.argv[1], os.environ.get("FAKE_CHECKER", "ok")))\nsys.exit(os.environ.get("FAKE_CHECKER", "ok") != "ok")\n' \
	> "$tmp/check-result"
chmod +x "$km/run.sh" "$km/fetch.sh" "$tmp/validate-result" "$tmp/verifier-logs.sh"
mkdir -p "$tmp/repo/tests/kernels" && cp "$here/matrix.sh" "$tmp/repo/tests/kernels/" || exit 2

failures=0
# check NAME PLAN WANT_RC WANT_BOOTS WANT_LAST_LINE [WANT_IN_OUTPUT]; KERNELS
# (default 6.12), NO_CHECKER and the FAKE_* variables come from the caller's
# environment; the output is left in $out
check() {
	local name=$1 plan=$2 want_rc=$3 want_boots=$4 want_last=$5 want_in=${6:-}
	local rc boots last bad=
	printf '%s\n' $plan > "$km/plan"
	rm -f "$km/boots" "$km/fetches"
	touch "$km/boots" "$km/fetches"
	# NO_CHECKER: a copy of matrix.sh in a repository with nothing beside it
	local matrix=$here/matrix.sh checker=(CHECK_RESULT="$tmp/check-result")
	[ -z "${NO_CHECKER:-}" ] || matrix=$tmp/repo/tests/kernels/matrix.sh checker=(-u CHECK_RESULT)
	out=$(env "${checker[@]}" KM_VM="$km" VALIDATE_RESULT="$tmp/validate-result" \
		KM_VERIFIER_LOGS="$tmp/verifier-logs.sh" \
		KM_FETCH_TRIES=2 KM_FETCH_WAIT=0 \
		"$matrix" /bin/true /bin/true "$tmp/out" "${KERNELS:-6.12}" 2>&1)
	rc=$?
	boots=$(wc -l < "$km/boots")
	last=$(tail -n1 <<< "$out")
	[ "$rc" = "$want_rc" ] || bad+=" exit $rc, want $want_rc;"
	[ "$boots" = "$want_boots" ] || bad+=" $boots boot(s), want $want_boots;"
	[ "$last" = "$want_last" ] || bad+=" last line '$last', want '$want_last';"
	if [ -n "$want_in" ] && ! grep -qF -- "$want_in" <<< "$out"; then
		bad+=" no '$want_in' in the output;"
	fi
	result "$name" "$bad"
}
# result NAME PROBLEMS: reports one case
result() {
	if [ -n "$2" ]; then
		echo "matrix_test: FAIL $1:$2"
		sed 's/^/    /' <<< "$out"
		failures=$((failures + 1))
	else
		echo "matrix_test: ok $1"
	fi
}

check "a clean boot passes" pass 0 1 "test-kernels: PASS"
check "an int3 trap on patched text boots again and the second verdict counts" \
	"stale pass" 0 2 "test-kernels: PASS" "booted twice: int3 on patched text the first time"
[ -s "$tmp/out/vm/6.12.first.log" ] || result "the first boot's log is kept as 6.12.first.log" " it is not"
check "the same trap twice fails" "stale stale" 1 2 "test-kernels: FAIL on 6.12"
check "a trap on patched text, then another panic, fails" "stale null" 1 2 \
	"test-kernels: FAIL on 6.12"
check "an int3 trap on a byte holding int3 fails without a second boot" "int3 pass" 1 1 \
	"test-kernels: FAIL on 6.12"
check "any other panic fails without a second boot" "null pass" 1 1 "test-kernels: FAIL on 6.12"
check "a failed smoke check fails" check 1 1 "test-kernels: FAIL on 6.12" \
	"smoke check: FAIL read.calls: 3, want 4"
check "a PASS without the check's report fails" lost 1 1 "test-kernels: FAIL on 6.12"
check "a check passed at a second attempt passes, and the note says why" retried 0 1 \
	"test-kernels: PASS" "top: the kernel skipped 2 runs of the programs; attempt 2"
check "a kernel that never reached /init is not run" noboot 3 1 \
	"test-kernels: NOT RUN on 6.12: download or boot failed, no iotrace result there" \
	"not tested: the kernel never reached /init"

FAKE_VALIDATOR=bad check "a result the project's validator rejects fails" pass 1 1 \
	"test-kernels: FAIL on 6.12" "read.calls is 3, the sum of its syscalls 4"
FAKE_CHECKER=bad check "a result the second opinion rejects fails" pass 1 1 \
	"test-kernels: FAIL on 6.12"
grep -q 'second opinion: bad' "$tmp/out/vm/6.12.collect/km-smoke/schema.txt" ||
	result "the second opinion's answer is kept in schema.txt" " it is not"
msg="test-kernels: ../shared/tools/check-result not found: the independent second opinion is skipped"
NO_CHECKER=1 KERNELS="6.12 sid" check "no second opinion beside the repository: said once, then passes" \
	"pass pass" 0 2 "test-kernels: PASS" "$msg"
[ "$(grep -cxF "$msg" <<< "$out")" = 1 ] || result "the missing second opinion is said once" " it is not"
NO_CHECKER=1 FAKE_VALIDATOR=bad check "without the second opinion the validator still decides" pass 1 1 \
	"test-kernels: FAIL on 6.12"

FAKE_VLOG=grew check "a program the verifier works on 10% more than its committed logs fails" pass 1 1 \
	"test-kernels: FAIL on 6.12" "sys_exit_read: processed insns grew 7000 -> 9000"
FAKE_VLOG=broken check "a gate that fails by itself fails the kernel, with its message" pass 1 1 \
	"test-kernels: FAIL on 6.12" "awk: cannot open summary.tsv"
FAKE_VLOG=new check "a kernel without committed verifier logs passes, and the note says so" pass 0 1 \
	"test-kernels: PASS" "no committed verifier logs for 9.9.9-test"
KM_ARCH=arm64 KERNELS="host 6.12" check "another architecture than the host's does not run on the host" \
	pass 3 1 "test-kernels: NOT RUN on host: download or boot failed, no iotrace result there" \
	"not tested: the host is $(dpkg --print-architecture), not arm64"
grep -q '^arm64 ' <<< "$out" || result "the table names the architecture" " it does not"

FAKE_FETCH=fail check "a kernel that cannot be downloaded is not run" "" 3 0 \
	"test-kernels: NOT RUN on 6.12: download or boot failed, no iotrace result there" \
	"not tested: the kernel could not be downloaded"
[ "$(wc -l < "$km/fetches")" = 2 ] || result "a failed download is tried KM_FETCH_TRIES times" \
	" $(wc -l < "$km/fetches") tries, want 2"
FAKE_FETCH=unknown check "an unknown kernel spec is not run" "" 3 0 \
	"test-kernels: NOT RUN on 6.12: download or boot failed, no iotrace result there" \
	"not tested: unknown kernel spec"
[ "$(wc -l < "$km/fetches")" = 1 ] || result "an unknown spec is not retried" \
	" $(wc -l < "$km/fetches") tries, want 1"
FAKE_FETCH=fail KERNELS="host 6.12" check "a failure and a kernel not run: both named, exit 1" \
	null 1 1 "test-kernels: FAIL on host (and not run on 6.12)"

if [ "$failures" != 0 ]; then
	echo "matrix_test: $failures case(s) failed"
	exit 1
fi
echo "matrix_test: all cases passed"
