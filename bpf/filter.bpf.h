/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a task traced?  The map lookups around asm filter_task, which is a
 * leaf the loader inlines: the pids bitmap word before it, the comms hash
 * after it when it answers FILTER_TASK_ASK (a comm filter with more
 * targets than the in-place list holds).  The includer declares
 * bpf_map_lookup_elem and defines the `pids` and `comms` maps
 * (bpf/helpers.bpf.h and bpf/maps.bpf.h; the asm test harness its own).
 */
#ifndef IOTRACE_FILTER_BPF_H
#define IOTRACE_FILTER_BPF_H

#include "iotrace_abi.h"

extern __u64 filter_task(__u64 ids, __u64 word, const char *comm, __u32 mode,
			 const struct comm_list *list);

/*
 * 1 if the task is traced, else 0.  comm: COMM_LEN bytes, read only with
 * FILTER_COMMS.  mode from .rodata is a constant to the verifier, which
 * drops the lookups and branches of the modes not in use.
 */
static __always_inline int task_filter(__u32 tgid, const char *comm, __u32 self, __u32 mode,
				       const struct comm_list *list)
{
	__u32 key = tgid >> PID_WORD_SHIFT;
	__u64 word = 0, *w, r;

	if ((mode & FILTER_PIDS) && tgid < PID_LIMIT) {
		w = bpf_map_lookup_elem(&pids, &key);
		if (w)
			word = *w;
	}
	r = filter_task((__u64)self << 32 | tgid, word, comm, mode, list);
	if (r == FILTER_TASK_ASK)
		r = bpf_map_lookup_elem(&comms, comm) != 0;
	return r == FILTER_TASK_YES;
}

#endif
