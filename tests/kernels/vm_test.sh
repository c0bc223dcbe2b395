#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The runner's pure parts without qemu or network: verdicts read from
# recorded consoles (consoles/, one per verdict, recorded from real boots that
# were made to end that way), output and collected files taken from a console,
# each architecture's qemu settings, kernel specs, the mirror and the private
# apt sources found in an apt configuration this test writes, and the
# initramfs's contents.  Run by `make test-kernels` before the real matrix.
#   usage: vm_test.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/vm
con=$here/consoles
. "$vm/console.sh"
tmp=$(mktemp -d /tmp/iot-vm-test.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
export KM_ARCH=amd64

failures=0
# expect NAME WANT GOT: one case
expect() {
	if [ "$2" = "$3" ]; then
		echo "vm_test: ok $1"
	else
		echo "vm_test: FAIL $1: got '$3', want '$2'"
		failures=$((failures + 1))
	fi
}

# verdicts: console, whether the host stopped qemu, then "VERDICT RC BOOT_s CMD_s"
while read -r log timed_out want; do
	expect "verdict of $log (timed out: $timed_out)" "$want" "$(console_verdict "$con/$log" "$timed_out")"
done <<'EOF'
pass.log	0	PASS 0 2.42 1.95
fail.log	0	FAIL 3 2.77 0.02
panic.log	0	PANIC - 4.23 -
crash.log	0	CRASH - 3.64 -
timeout.log	1	TIMEOUT - 3.35 -
noboot.log	0	NOBOOT - - -
pass.log	1	TIMEOUT 0 2.42 1.95
EOF
# the same consoles changed the ways a console can differ
tr -d '\r' < "$con/pass.log" > "$tmp/lf.log"
expect "verdict without carriage returns" "PASS 0 2.42 1.95" "$(console_verdict "$tmp/lf.log" 0)"
{ cat "$con/pass.log"; echo '[    5.1] Kernel panic - not syncing: Fatal exception'; } > "$tmp/late.log"
expect "a panic after the end marker is a PANIC" "PANIC 0 2.42 1.95" "$(console_verdict "$tmp/late.log" 0)"
grep -v 'IOTRACE-VM init' "$con/pass.log" > "$tmp/noinit.log"
expect "no init marker is NOBOOT whatever follows" "NOBOOT 0 2.42 1.95" \
	"$(console_verdict "$tmp/noinit.log" 0)"
sed 's/IOTRACE-VM end rc=0/IOTRACE-VM end rc=10/' "$con/pass.log" > "$tmp/rc10.log"
expect "rc=10 is a FAIL" "FAIL 10 2.42 1.95" "$(console_verdict "$tmp/rc10.log" 0)"
expect "an empty console is NOBOOT" "NOBOOT - - -" "$(console_verdict /dev/null 0)"

# the scenario's output and the guest's release
expect "output between the markers" \
	"$(printf 'iotrace exit status: 0\nsmoke check: ok, 313 fields compared, 0 differ')" \
	"$(console_output "$con/pass.log")"
expect "output to the end of a console without an end marker" \
	"$(printf 'going down\n[    3.642218] reboot: Power down')" "$(console_output "$con/crash.log")"
expect "release from the info marker" 6.12.118+deb12-amd64 "$(console_release "$con/pass.log")"

# collected files: the recorded guest printed its check.txt; the archive holds the same
console_collect "$con/pass.log" "$tmp/c1"
expect "collected check.txt is the one the guest printed" \
	"$(grep '^smoke check:' "$con/pass.log" | tr -d '\r')" "$(cat "$tmp/c1/km-smoke/check.txt" 2>&1)"
expect "collected result.json is there" yes "$([ -s "$tmp/c1/km-smoke/result.json" ] && echo yes)"
# files this test makes, sent as the guest sends them (base64 lines, \r\n)
# with kernel messages cut in, come back byte for byte
mkdir -p "$tmp/src/d/sub" && head -c 5000 /dev/urandom > "$tmp/src/d/bin" &&
	printf 'a\nb\n' > "$tmp/src/d/sub/text" || exit 2
{
	echo 'IOTRACE-VM end rc=0 uptime=1.00'
	echo 'IOTRACE-VM collect begin'
	tar -C "$tmp/src" -czf - d | base64 | awk 'NR == 3 { print "[    4.2] random: crng init done" } { print }'
	echo 'IOTRACE-VM collect end'
} | sed 's/$/\r/' > "$tmp/sent.log"
console_collect "$tmp/sent.log" "$tmp/c2"
expect "collected files round trip through the console" same \
	"$(diff -r "$tmp/src/d" "$tmp/c2/d" > /dev/null 2>&1 && echo same)"
grep -v 'collect end' "$tmp/sent.log" > "$tmp/cut.log"
console_collect "$tmp/cut.log" "$tmp/c3" 2> /dev/null
expect "a cut-off archive is refused and unpacks nothing" "1 0" \
	"$? $(find "$tmp/c3" -type f 2> /dev/null | wc -l)"

# each architecture's settings: "DEB QEMU PACKAGE CONSOLE | QEMU_ARGS"
arch_of() {
	(KM_ARCH=$1 && . "$vm/arch.sh" && arch_init &&
		echo "$ARCH_DEB $ARCH_QEMU $ARCH_QEMU_PKG $ARCH_CONSOLE | ${ARCH_QEMU_ARGS[*]}")
}
while IFS='	' read -r arch want; do
	expect "arch_init for $arch" "$want" "$(arch_of "$arch" 2> /dev/null)"
done <<'EOF'
amd64	amd64 qemu-system-x86_64 qemu-system-x86 ttyS0 | -machine pc -accel tcg -cpu max
arm64	arm64 qemu-system-aarch64 qemu-system-arm ttyAMA0 | -machine virt -accel tcg -cpu max,pauth-impdef=on
EOF
arch_of s390x 2> /dev/null
expect "arch_init fails for an architecture it does not know" 1 $?

# kernel specs, per architecture
while read -r arch spec want; do
	expect "spec $spec on $arch" "$want" \
		"$(KM_ARCH=$arch "$vm/fetch.sh" --resolve "$spec" 2> /dev/null)"
done <<'EOF'
amd64	5.10	bullseye linux-image-amd64
amd64	6.1	bookworm linux-image-amd64
amd64	6.12	bookworm linux-image-6.12-amd64
amd64	sid	sid linux-image-amd64
amd64	trixie:linux-image-6.12.9-amd64	trixie linux-image-6.12.9-amd64
arm64	5.10	bullseye linux-image-arm64
arm64	6.1	bookworm linux-image-arm64
arm64	6.12	bookworm linux-image-6.12-arm64
arm64	sid	sid linux-image-arm64
arm64	trixie:linux-image-6.12.9-arm64	trixie linux-image-6.12.9-arm64
EOF
"$vm/fetch.sh" --resolve 6.2 2> /dev/null
expect "an unknown spec exits 2" 2 $?
"$vm/fetch.sh" --resolve 'sid:bash' 2> /dev/null
expect "SUITE:PACKAGE must name a linux-image package" 2 $?
KM_ARCH=s390x "$vm/fetch.sh" --resolve 6.1 2> /dev/null
expect "an architecture the runner does not know exits 2" 2 $?

# the mirror, from an apt configuration of this test's own (APT_CONFIG)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mkdir -p "$tmp/apt/parts"
printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' \
	"$tmp/apt/sources.list" "$tmp/apt/parts" > "$tmp/apt/apt.conf"
printf '# deb http://commented.example/debian %s main\ndeb http://sec.example/debian-security %s-security main\n' \
	"$suite" "$suite" > "$tmp/apt/sources.list"
printf 'Types: deb-src\nURIs: http://src.example/debian\nSuites: %s\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: %s %s-updates\nComponents: main\n' \
	"$suite" "$suite" "$suite" > "$tmp/apt/parts/debian.sources"
mirror() { APT_CONFIG=$tmp/apt/apt.conf "$vm/fetch.sh" --mirror 2> /dev/null; }
expect "mirror from a deb822 source, not from deb-src or -security" http://mirror.example/debian "$(mirror)"
# another architecture's private apt sources: the host's suite with its
# security archive, any other suite on the mirror alone
sources() { APT_CONFIG=$tmp/apt/apt.conf KM_ARCH=arm64 "$vm/fetch.sh" --sources "$1" 2> /dev/null; }
opt=
[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	opt=' signed-by=/usr/share/keyrings/debian-archive-keyring.gpg'
expect "private sources of the host's suite: mirror and security archive" \
	"$(printf 'deb [arch=arm64%s] http://mirror.example/debian %s main\n' "$opt" "$suite"
		printf 'deb [arch=arm64%s] http://sec.example/debian-security %s-security main' "$opt" "$suite")" \
	"$(sources "$suite")"
expect "private sources of another suite: the mirror only" \
	"deb [arch=arm64$opt] http://mirror.example/debian other-suite main" "$(sources other-suite)"
printf 'Enabled: no\n' >> "$tmp/apt/parts/debian.sources"
printf 'deb [ arch=amd64 signed-by=/k.gpg ] http://one.example/debian %s main\n' "$suite" \
	> "$tmp/apt/parts/one.list"
expect "mirror from a one-line source with options; disabled ones skipped" \
	http://one.example/debian "$(mirror)"
expect "KM_MIRROR overrides" http://over.example/d "$(KM_MIRROR=http://over.example/d/ mirror)"
rm "$tmp/apt/parts/one.list"
expect "no source for the host's suite fails" 1 "$(mirror > /dev/null; echo $?)"

# the initramfs: what /init needs, where it looks for it, owned by root even
# when built by another user (as root, a copy of the two scripts is run as
# nobody, so the repository's own permissions do not matter)
printf 'not really busybox\n' > "$tmp/bb" && printf '#!/bin/sh\n' > "$tmp/scn" &&
	printf 'tool\n' > "$tmp/mytool" && mkdir "$tmp/ird" "$tmp/sh" && chmod 755 "$tmp" &&
	cp "$vm/initramfs.sh" "$vm/init.sh" "$tmp/sh/" || exit 2
as=()
[ "$(id -u)" != 0 ] || { chown 65534:65534 "$tmp/ird" && as=(setpriv --reuid=65534 --regid=65534 --clear-groups); }
"${as[@]}" "$tmp/sh/initramfs.sh" "$tmp/ird/initrd" "$tmp/bb" "$tmp/scn" km-smoke "$tmp/mytool"
expect "initramfs.sh exits 0" 0 $?
mv "$tmp/ird/initrd" "$tmp/initrd"
mkdir "$tmp/root" && (cd "$tmp/root" && zcat "$tmp/initrd" | cpio -id --quiet) 2> /dev/null
expect "initramfs file list" \
	"$(printf '%s\n' bin bin/busybox bin/sh init km km/bin km/bin/mytool km/collect km/scenario root)" \
	"$(cd "$tmp/root" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)"
expect "/init is init.sh" same "$(cmp -s "$vm/init.sh" "$tmp/root/init" && echo same)"
expect "busybox and the tool copied, executable" "yes yes" \
	"$(cmp -s "$tmp/bb" "$tmp/root/bin/busybox" && [ -x "$tmp/root/bin/busybox" ] && echo yes)\
 $(cmp -s "$tmp/mytool" "$tmp/root/km/bin/mytool" && [ -x "$tmp/root/km/bin/mytool" ] && echo yes)"
expect "/km/collect names the path" km-smoke "$(cat "$tmp/root/km/collect")"
expect "every entry owned by root" 0 \
	"$(zcat "$tmp/initrd" | cpio -tv --quiet 2> /dev/null | awk '$3 != "root" || $4 != "root"' | wc -l)"

if [ "$failures" != 0 ]; then
	echo "vm_test: $failures case(s) failed"
	exit 1
fi
echo "vm_test: all cases passed"
