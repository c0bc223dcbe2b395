#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the host tools that booting a guest needs, with apt-get, when they
# are missing: the architecture's qemu (arch.sh) and cpio.  Quiet when all are
# there.  Downloads need only apt and dpkg-deb, which every Debian host has.
#   usage: deps.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/arch.sh"
arch_init || exit 1
missing=
command -v "$ARCH_QEMU" > /dev/null || missing+=" $ARCH_QEMU_PKG"
command -v cpio > /dev/null || missing+=" cpio"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "vm: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "vm: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
if ! apt-get -q update > /dev/null ||
	! apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends $missing > /dev/null; then
	echo "vm: could not install$missing" >&2
	exit 1
fi
