// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of `make bench`: a program that does nothing, on exactly the
 * hooks iotrace uses: sys_enter_<tp> and sys_exit_<tp> for every line of
 * include/syscalls.def and of the Linux AIO syscalls, io_uring's submission
 * and completion events, and the sched_process_fork raw tracepoint.  What a
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

/* Linux AIO: iotrace's hooks on io_submit, io_getevents and io_pgetevents; and the rest */
#define NOP_IN(cat, tp)                                                                            \
	SEC("tracepoint/" #cat "/" #tp)                                                            \
	int tp(void *ctx)                                                                          \
	{                                                                                          \
		return 0;                                                                          \
	}
#define NOP(tp) NOP_IN(syscalls, tp)
NOP(sys_enter_io_submit)
NOP(sys_exit_io_submit)
NOP(sys_enter_io_getevents)
NOP(sys_exit_io_getevents)
NOP(sys_enter_io_pgetevents)
NOP(sys_exit_io_pgetevents)
/* the entries of the paths iotrace only counts (unseen) */
NOP(sys_enter_io_uring_enter)
NOP(sys_enter_mmap)
NOP(sys_enter_sync_file_range)

/* io_uring: its submission event under either name (a kernel has one; the other is left
 * unattached), and its completion */
NOP_IN(io_uring, io_uring_submit_req)
NOP_IN(io_uring, io_uring_submit_sqe)
NOP_IN(io_uring, io_uring_complete)
/* page faults (x86), page cache additions */
NOP_IN(exceptions, page_fault_user)
NOP_IN(filemap, mm_filemap_add_to_page_cache)

SEC("raw_tracepoint/sched_process_fork")
int sched_process_fork(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
