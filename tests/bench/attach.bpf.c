// SPDX-License-Identifier: GPL-2.0
/*
 * The two ways of hooking a syscall, doing the same small work (a tgid
 * filter and one per-CPU counter) so that only the hook differs:
 *   tp_*:  per-syscall tracepoints syscalls:sys_{enter,exit}_pread64
 *   raw_*: the raw tracepoints sys_enter/sys_exit, which fire for every
 *          syscall and dispatch on its number
 * Built twice by the Makefile: -DVARIANT_TP and -DVARIANT_RAW.
 */
#include "helpers.bpf.h"
#include "mapdef.bpf.h"

#define NR_PREAD64	17 /* x86_64 */
#define PT_REGS_ORIG_AX 120

const volatile __u32 bench_tgid = 0;
DEFINE_MAP(hits, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), 2, 0);

static __always_inline int count(__u32 slot)
{
	__u64 *n;

	if ((bpf_get_current_pid_tgid() >> 32) != bench_tgid)
		return 0;
	n = bpf_map_lookup_elem(&hits, &slot);
	if (n)
		*n += 1;
	return 0;
}

#ifdef VARIANT_TP
SEC("tracepoint/syscalls/sys_enter_pread64")
int tp_enter(void *ctx)
{
	return count(0);
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int tp_exit(void *ctx)
{
	return count(1);
}
#else
SEC("raw_tracepoint/sys_enter")
int raw_enter(__u64 *ctx)
{
	if (ctx[1] != NR_PREAD64)
		return 0;
	return count(0);
}

SEC("raw_tracepoint/sys_exit")
int raw_exit(__u64 *ctx)
{
	__u64 nr = 0;

	bpf_probe_read_kernel(&nr, sizeof(nr), (char *)ctx[0] + PT_REGS_ORIG_AX);
	if (nr != NR_PREAD64)
		return 0;
	return count(1);
}
#endif

char LICENSE[] SEC("license") = "GPL";
