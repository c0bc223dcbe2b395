#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# syscall-numbers.sh ARCH INCLUDE_DIR: every syscall of include/syscalls.def
# has a number (__NR_<name>) in ARCH's asm/unistd.h below INCLUDE_DIR; the
# C compiler says which ones do not.  Run by make test-syscalls for each
# architecture iotrace is built for: a syscall added to the table must exist
# on all of them (or be handled per architecture).
set -eu
arch=$1 inc=$2
src=${SYSCALLS_DIR:-$(dirname "$0")/../../include}
if [ ! -f "$inc/asm/unistd.h" ]; then
	echo "syscall-numbers: $arch: no $inc/asm/unistd.h (make deps installs it)" >&2
	exit 1
fi
case $arch in
x86_64) def=-D__x86_64__ ;;
arm64) def=-D__aarch64__ ;;
*) echo "syscall-numbers: unknown architecture $arch" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/check.c" <<'END'
#include <asm/unistd.h>
#define X(name, tp, ...) static const long check_##name = __NR_##name;
#include "syscalls.def"
END
# only the architecture's own headers: -nostdinc keeps the host's out
if ! LC_ALL=C ${CC:-cc} -fsyntax-only -nostdinc -U__x86_64__ -U__i386__ $def -I"$inc" -I"$src" \
	-Wno-unused-const-variable "$tmp/check.c" 2> "$tmp/err"; then
	echo "syscall-numbers: $arch: syscalls of include/syscalls.def without a number:" >&2
	sed -n "s/.*'__NR_\([a-z0-9_]*\)' undeclared.*/  \1/p" "$tmp/err" | sort -u >&2
	exit 1
fi
n=$(grep -c '^X(' "$src/syscalls.def")
echo "syscall-numbers: $arch: all $n syscalls have a number"
