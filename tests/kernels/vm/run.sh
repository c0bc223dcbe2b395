#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs SCRIPT on one kernel and judges it: `host` runs it on this machine,
# any other spec is fetched (fetch.sh), booted under qemu (TCG) with an
# initramfs around SCRIPT (initramfs.sh, init.sh) and judged from its serial
# console (console.sh).  Missing host tools are installed (deps.sh).
#   usage: run.sh -o DIR [-t SEC] [-a FILE]... [-c PATH] KERNEL SCRIPT
#     -a FILE  on SCRIPT's PATH      -c PATH  brought back (relative to SCRIPT's cwd)
#     -t SEC   time limit (default 300)
# Writes in DIR, as KERNEL.*: log (qemu's command line, then the console),
# out (SCRIPT's output), collect/ (PATH), setup.log (tools and download),
# summary (one line: KERNEL RELEASE VERDICT RC WALL_s BOOT_s CMD_s).
# Exits 0 on PASS, 1 on any other verdict, 2 on a usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
. "$here/console.sh"

usage() {
	echo 'usage: run.sh -o DIR [-t SEC] [-a FILE]... [-c PATH] KERNEL SCRIPT' >&2
	exit 2
}
dir= limit=300 collect= files=()
while getopts o:t:a:c: opt; do
	case $opt in
	o) dir=$OPTARG ;;
	t) limit=$OPTARG ;;
	a) files+=("$(realpath "$OPTARG")") || exit 2 ;;
	c) collect=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 2 ] && [ -n "$dir" ] || usage
k=$1 script=$(realpath "$2") || exit 2
[ -f "$script" ] || { echo "vm: no script $2" >&2; exit 2; }
mkdir -p "$dir" || exit 2
rm -rf "${dir:?}/$k".{log,out,summary,setup.log,collect}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
progress() { echo "vm: $k: $*" >&2; }

# finish RELEASE VERDICT RC WALL BOOT CMD: the summary line, the last progress line
finish() {
	local rc=" rc=$3"
	echo "$k $*" > "$dir/$k.summary"
	[ "$3" != - ] || rc=
	progress "$2$rc (wall $4 s)"
	[ "$2" = PASS ]
}

# the script on this machine, in a scratch directory, the FILEs on PATH
run_host() {
	local tmp t0 rc verdict wall f
	tmp=$(mktemp -d /tmp/iot-vm-host.XXXXXX) || return 1
	mkdir "$tmp/bin" "$tmp/cwd" || return 1
	for f in "${files[@]}"; do ln -s "$f" "$tmp/bin/" || return 1; done
	progress "running on $(uname -r)"
	t0=$(now)
	(cd "$tmp/cwd" && PATH=$tmp/bin:$PATH exec timeout -k 10 "$limit" "$script" < /dev/null) \
		> "$dir/$k.out" 2>&1
	rc=$? wall=$(since "$t0")
	cp "$dir/$k.out" "$dir/$k.log"
	case $rc in
	0) verdict=PASS ;;
	124 | 137) verdict=TIMEOUT rc= ;;
	*) verdict=FAIL ;;
	esac
	if [ -n "$collect" ]; then
		mkdir -p "$dir/$k.collect" && cp -a "$tmp/cwd/$collect" "$dir/$k.collect/"
	fi
	rm -rf "$tmp"
	finish "$(uname -r)" "$verdict" "${rc:--}" "$wall" - "$wall"
}

run_vm() {
	local t0 got kdir= busybox= initrd rc timed_out=0 verdict vrc boot cmd release wall
	local log=$dir/$k.log
	t0=$(now)
	arch_init && "$here/deps.sh" ||
		{ finish - SETUP_FAIL - "$(since "$t0")" - -; return; }
	progress fetching
	got=$("$here/fetch.sh" "$k" 2>> "$dir/$k.setup.log") ||
		{ finish - SETUP_FAIL - "$(since "$t0")" - -; return; }
	kdir=$(sed -n 's/^kernel=//p' <<<"$got") busybox=$(sed -n 's/^busybox=//p' <<<"$got")
	initrd=$(mktemp /tmp/iot-vm-initrd.XXXXXX) || return 1
	"$here/initramfs.sh" "$initrd" "$busybox" "$script" "$collect" "${files[@]}" \
		2>> "$dir/$k.setup.log" || { rm -f "$initrd"; finish - SETUP_FAIL - "$(since "$t0")" - -; return; }

	# panic=-1 reboots at once on a panic and -no-reboot turns that into
	# qemu's exit; oops=panic makes every oops a panic
	local qemu=("$ARCH_QEMU" "${ARCH_QEMU_ARGS[@]}" -smp "${KM_SMP:-2}" -m "${KM_MEM:-1024}"
		-nodefaults -display none -no-reboot -serial stdio
		-kernel "$kdir/vmlinuz" -initrd "$initrd"
		-append "console=$ARCH_CONSOLE rdinit=/init panic=-1 oops=panic quiet")
	printf "%q " "${qemu[@]}" > "$log" && echo >> "$log"
	progress "booting $(cat "$kdir/release")"
	t0=$(now)
	timeout -k 10 "$limit" "${qemu[@]}" < /dev/null >> "$log" 2>&1
	rc=$? wall=$(since "$t0")
	rm -f "$initrd"
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && timed_out=1
	read -r verdict vrc boot cmd <<<"$(console_verdict "$log" "$timed_out")"
	console_output "$log" > "$dir/$k.out"
	[ -z "$collect" ] || console_collect "$log" "$dir/$k.collect" ||
		echo "vm: $k: nothing brought back (no complete archive on the console)" >> "$dir/$k.setup.log"
	release=$(console_release "$log")
	finish "${release:-$(cat "$kdir/release")}" "$verdict" "$vrc" "$wall" "$boot" "$cmd"
}

if [ "$k" = host ]; then
	run_host
else
	run_vm
fi
