#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by fetch.sh and run.sh: everything that depends on the guest's
# architecture, in one place.  KM_ARCH (a Debian architecture name, default
# the host's) selects the set; arch_init fills the ARCH_* variables below or
# fails for an architecture the matrix does not know yet.
set -u

# ARCH_DEB         Debian architecture of the kernel and busybox packages
# ARCH_QEMU        the qemu system emulator, ARCH_QEMU_PKG the package holding it
# ARCH_QEMU_ARGS   machine and CPU, an array (TCG: this machine's KVM cannot run stock kernels)
# ARCH_CONSOLE     the serial console device as the kernel names it
# shellcheck disable=SC2034 # used by the scripts that source this one
arch_init() {
	ARCH_DEB=${KM_ARCH:-$(dpkg --print-architecture)}
	case $ARCH_DEB in
	amd64)
		ARCH_QEMU=qemu-system-x86_64
		ARCH_QEMU_PKG=qemu-system-x86
		ARCH_QEMU_ARGS=(-machine pc -accel tcg -cpu max)
		ARCH_CONSOLE=ttyS0
		;;
	*)
		echo "vm: architecture '$ARCH_DEB' is not supported (amd64 is)" >&2
		return 1
		;;
	esac
}
