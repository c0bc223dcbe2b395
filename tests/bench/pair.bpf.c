// SPDX-License-Identifier: GPL-2.0
/*
 * The "minimal hash-paired" comparator of `make bench`: on the same hooks
 * as the floor (nop.bpf.c), a tgid filter, then sys_enter stores the entry
 * time, fd and request size in a tid-keyed hash and sys_exit looks it up,
 * counts the call and its latency into a per-CPU array and deletes the
 * entry: one hash update and one lookup + delete per call, the pairing
 * iotrace must not cost more than.
 */
#include "helpers.bpf.h"

#include "mapdef.bpf.h"

struct pending {
	__u64 ts;
	__u64 fd;
	__u64 req;
};

DEFINE_MAP(pending, MAP_HASH, sizeof(__u32), sizeof(struct pending), 16384, 0);
/* [0] calls, [1] total ns, [2] completed bytes */
DEFINE_MAP(totals, MAP_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), 3, 0);

/* the traced process, set by the bench before each measurement (.bss) */
volatile __u32 target_tgid;

/* include/trace/events/syscalls.h: 8 bytes of common fields, then the nr */
struct sys_enter_ctx {
	__u64 common;
	__s64 nr;
	__u64 args[6];
};

struct sys_exit_ctx {
	__u64 common;
	__s64 nr;
	__s64 ret;
};

static __always_inline void add(__u32 idx, __u64 v)
{
	__u64 *t = bpf_map_lookup_elem(&totals, &idx);

	if (t)
		*t += v;
}

static __always_inline int on_enter(__u64 fd, __u64 req)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending p;
	__u32 tid = id;

	if ((id >> 32) != target_tgid)
		return 0;
	p.ts = bpf_ktime_get_ns();
	p.fd = fd;
	p.req = req;
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(struct sys_exit_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending *p;
	__u32 tid = id;

	if ((id >> 32) != target_tgid)
		return 0;
	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	add(0, 1);
	add(1, bpf_ktime_get_ns() - p->ts);
	if (ctx->ret > 0)
		add(2, ctx->ret);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

/*
 * The request size as syscalls.def gives it, without the iovec walk.  Only
 * the arguments a syscall has may be read: the kernel refuses to attach a
 * program that reads past its tracepoint's record (EACCES).
 */
#define ARG_COUNT(n)	  ctx->args[n]
#define ARG_IOV(iov, cnt) 0
#define ARG_NONE	  0

#define X(name, tp, nargs, kind, fd, out, req, off)                                                \
	SEC("tracepoint/syscalls/sys_enter_" #tp)                                                  \
	int sys_enter_##tp(struct sys_enter_ctx *ctx)                                              \
	{                                                                                          \
		return on_enter(ctx->args[fd], req);                                               \
	}                                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #tp)                                                   \
	int sys_exit_##tp(struct sys_exit_ctx *ctx)                                                \
	{                                                                                          \
		return on_exit(ctx);                                                               \
	}
#include "syscalls.def"
#undef X

char LICENSE[] SEC("license") = "GPL";
