// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of `make bench`: a program that does nothing, on exactly the
 * hooks iotrace uses: sys_enter_<tp> and sys_exit_<tp> for every line of
 * include/syscalls.def, and the sched_process_fork raw tracepoint.  What a
 * tracer adds beyond this is what its own work costs.  No filter: the
 * programs run for every process, which is also the floor of the miss path.
 */
#include "helpers.bpf.h"

#define X(name, tp, nargs, kind, fd, out, req, off)                                                \
	SEC("tracepoint/syscalls/sys_enter_" #tp)                                                  \
	int sys_enter_##tp(void *ctx)                                                              \
	{                                                                                          \
		return 0;                                                                          \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #tp)                                                   \
	int sys_exit_##tp(void *ctx)                                                               \
	{                                                                                          \
		return 0;                                                                          \
	}
#include "syscalls.def"
#undef X

SEC("raw_tracepoint/sched_process_fork")
int sched_process_fork(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
