#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's /init (pid 1, busybox ash) in the initramfs that initramfs.sh
# builds: mounts the kernel's filesystems, runs /km/scenario in /root with
# /km/bin on PATH, prints the markers console.sh reads, sends back the paths
# listed in /km/collect as base64 of a tar.gz, and powers the VM off.
# /bin/sh is busybox (a link in the initramfs) until --install adds the rest.
set -u
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /dev /proc /sys /tmp /run /root
/bin/busybox --install -s
export PATH=/km/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t devtmpfs devtmpfs /dev
exec < /dev/null > /dev/console 2>&1
echo 'IOTRACE-VM init'

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up

btf=no syscall_tp=no
[ -e /sys/kernel/btf/vmlinux ] && btf=yes
[ -d /sys/kernel/tracing/events/syscalls ] && syscall_tp=yes
echo "IOTRACE-VM info release=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" \
	"btf=$btf syscall_tp=$syscall_tp"

cd /root
read -r up _ < /proc/uptime
echo "IOTRACE-VM begin uptime=$up"
/km/scenario
rc=$?
read -r up _ < /proc/uptime
echo "IOTRACE-VM end rc=$rc uptime=$up"

if [ -s /km/collect ]; then
	# only emergencies (a panic) on the console while the archive goes out
	echo 1 > /proc/sys/kernel/printk
	echo 'IOTRACE-VM collect begin'
	# shellcheck disable=SC2046 # one path a line, no spaces (initramfs.sh)
	tar -czf - $(cat /km/collect) | base64
	echo 'IOTRACE-VM collect end'
fi
poweroff -f
# pid 1 must not exit (the kernel would panic): power off by sysrq instead
sleep 5
echo o > /proc/sysrq-trigger
sleep 30
