#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the guest's initramfs (a gzip'd newc cpio owned by root): busybox as
# /bin/busybox and /bin/sh, init.sh as /init, SCRIPT as /km/scenario, each FILE in
# /km/bin (on the guest's PATH), and /km/collect naming the paths, relative
# to the guest's /root, that /init sends back (none when COLLECT is empty).
#   usage: initramfs.sh OUT BUSYBOX SCRIPT COLLECT [FILE...]
set -u -o pipefail
[ $# -ge 4 ] || { echo 'usage: initramfs.sh OUT BUSYBOX SCRIPT COLLECT [FILE...]' >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$1 busybox=$2 script=$3 collect=$4
shift 4
stage=$(mktemp -d /tmp/iot-initramfs.XXXXXX) || exit 1
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/km/bin" "$stage/root" || exit 1
install -m 755 "$busybox" "$stage/bin/busybox" && ln -s busybox "$stage/bin/sh" &&
	install -m 755 "$here/init.sh" "$stage/init" &&
	install -m 755 "$script" "$stage/km/scenario" || exit 1
for f; do
	install -m 755 "$f" "$stage/km/bin/$(basename "$f")" || exit 1
done
[ -z "$collect" ] || echo "$collect" > "$stage/km/collect" || exit 1
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 > "$out"
