#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh's verdicts without qemu: a scripted kernel-matrix (its run.sh is
# written below) answers each boot from a plan, and each case checks the
# verdict line, the exit status, the number of boots and the table's note.
# Run by `make test-kernels` before the real matrix.
#   usage: matrix_test.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/iot-matrix-test.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
km=$tmp/km
mkdir -p "$km"

# run.sh -k K -o DIR ...: the next line of $km/plan decides the boot:
#   pass   the scenario ran and its check passed
#   stale  an int3 trap on a byte that now holds 66 (text patched since)
#   int3   an int3 trap on a byte that holds cc (an int3 really there)
#   null   a NULL dereference oops
cat > "$km/run.sh" <<'END'
#!/bin/bash
k= o=
while [ $# -gt 0 ]; do
	case $1 in -k) k=$2; shift ;; -o) o=$2; shift ;; esac
	shift
done
k=${k% }
dir=$(dirname "$0")
what=$(head -n1 "$dir/plan")
sed -i 1d "$dir/plan"
echo "$what" >> "$dir/boots"
mkdir -p "$o"
row() { printf '%-12s %-26s %-8s %4s %8s %8s %8s\n' "$@"; }
row KERNEL RELEASE RESULT RC WALL_s BOOT_s CMD_s > "$o/summary.txt"
oops() {
	echo '[    4.0] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI'
	echo '[    4.0] RIP: 0010:syscall_exit_to_user_mode_prepare+0xe1/0x170'
	echo "[    4.0] Code: e7 80 00 00 eb b8 48 8b 53 50 $1 <90> e9 77 ff ff ff 65 8b 05"
	echo '[    4.0] Kernel panic - not syncing: Fatal exception in interrupt'
}
case $what in
pass)
	mkdir -p "$o/$k.collect/km-smoke"
	echo 'smoke check: ok' > "$o/$k.collect/km-smoke/check.txt"
	echo '{}' > "$o/$k.collect/km-smoke/result.json"
	echo 'iotrace exit status: 0' > "$o/$k.out"
	: > "$o/$k.log"
	row "$k" 9.9.9-test PASS 0 5.0 2.0 1.0 >> "$o/summary.txt"
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
	row "$k" 9.9.9-test PANIC - 5.0 2.0 - >> "$o/summary.txt"
	;;
esac
echo "[kernel-matrix] $k: $(awk 'END { print $3 }' "$o/summary.txt")"
END
printf '#!/bin/sh\nexit 0\n' > "$km/setup.sh"
printf 'import sys\nsys.exit(0)\n' > "$tmp/check-result"
chmod +x "$km/run.sh" "$km/setup.sh"

failures=0
# check NAME PLAN WANT_RC WANT_BOOTS WANT_LAST_LINE [WANT_IN_OUTPUT]
check() {
	local name=$1 plan=$2 want_rc=$3 want_boots=$4 want_last=$5 want_in=${6:-}
	local out rc boots last bad=
	printf '%s\n' $plan > "$km/plan"
	rm -f "$km/boots"
	out=$(KM_DIR=$km CHECK_RESULT=$tmp/check-result \
		"$here/matrix.sh" /bin/true /bin/true "$tmp/out" 6.12 2>&1)
	rc=$?
	boots=$(wc -l < "$km/boots")
	last=$(tail -n1 <<< "$out")
	[ "$rc" = "$want_rc" ] || bad+=" exit $rc, want $want_rc;"
	[ "$boots" = "$want_boots" ] || bad+=" $boots boot(s), want $want_boots;"
	[ "$last" = "$want_last" ] || bad+=" last line '$last', want '$want_last';"
	if [ -n "$want_in" ] && ! grep -qF -- "$want_in" <<< "$out"; then
		bad+=" no '$want_in' in the output;"
	fi
	if [ -n "$bad" ]; then
		echo "matrix_test: FAIL $name:$bad"
		sed 's/^/    /' <<< "$out"
		failures=$((failures + 1))
	else
		echo "matrix_test: ok $name"
	fi
}

check "a clean boot passes" pass 0 1 "test-kernels: PASS"
check "an int3 trap on patched text boots again and the second verdict counts" \
	"stale pass" 0 2 "test-kernels: PASS" "booted twice: int3 on patched text the first time"
if [ ! -s "$tmp/out/vm/6.12.first.log" ]; then
	echo "matrix_test: FAIL the first boot's log was not kept as 6.12.first.log"
	failures=$((failures + 1))
fi
check "the same trap twice fails" "stale stale" 1 2 "test-kernels: FAIL on 6.12"
check "a trap on patched text, then another panic, fails" "stale null" 1 2 \
	"test-kernels: FAIL on 6.12"
check "an int3 trap on a byte holding int3 fails without a second boot" "int3 pass" 1 1 \
	"test-kernels: FAIL on 6.12"
check "any other panic fails without a second boot" "null pass" 1 1 "test-kernels: FAIL on 6.12"

if [ "$failures" != 0 ]; then
	echo "matrix_test: $failures case(s) failed"
	exit 1
fi
echo "matrix_test: all cases passed"
