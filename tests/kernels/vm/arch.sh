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
	arm64)
		# max: every feature TCG has, so the kernel takes its newest paths, as on
		# current arm64 servers (pointer authentication and BTI landing pads in
		# the BPF JIT's prologues, LSE atomics).  Its QARMA pointer-authentication
		# hash makes boots 3x slower (median 5.1 s to the scenario over the four
		# kernel specs, qemu 7.2); pauth-impdef signs with a cheap hash instead,
		# still checked (1.6 s; cortex-a72, none of these features, 1.2 s).
		ARCH_QEMU=qemu-system-aarch64
		ARCH_QEMU_PKG=qemu-system-arm
		# shellcheck disable=SC2054 # one word: the CPU model and its option
		ARCH_QEMU_ARGS=(-machine virt -accel tcg -cpu max,pauth-impdef=on)
		ARCH_CONSOLE=ttyAMA0
		;;
	*)
		echo "vm: architecture '$ARCH_DEB' is not supported (amd64 and arm64 are)" >&2
		return 1
		;;
	esac
}
