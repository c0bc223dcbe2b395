// SPDX-License-Identifier: GPL-2.0
/*
 * Harness for asm/filter.S, with the production map names the asm binds to.
 *   harness_filter_task: results[0] = task_filter(ctx[0], comm, ctx[1], ctx[2],
 *                        &comm_targets), production's composition of the pids
 *                        lookup, asm filter_task and the comms lookup
 *                        (bpf/filter.bpf.h), where comm (16 bytes, on this
 *                        stack) = ctx[3], ctx[4]; comm_targets is set from
 *                        user space
 *   harness_filter_task_raw: results[0] = filter_task(ctx[0], ctx[1], comm,
 *                        ctx[2], &comm_targets), the asm alone, comm as above
 *   harness_filter_file: results[0] = filter_file(ctx[0], ctx[1])
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

struct bpf_map_def_legacy pids SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = PID_WORDS,
};

struct bpf_map_def_legacy comms SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = COMM_LEN,
	.value_size = sizeof(__u32),
	.max_entries = 64,
};

/* the comm list filter_task compares in place; cnt 0: the comms hash */
struct comm_list comm_targets;

#include "filter.bpf.h"

extern __u64 filter_file(__u32 i_mode, __u64 s_flags);

/* comm (16 bytes, on this stack) from ctx[3], ctx[4]; raw: the asm alone */
static __always_inline int run_filter_task(__u64 *ctx, int raw)
{
	__u64 comm[COMM_LEN / sizeof(__u64)] = { ctx[3], ctx[4] };
	__u64 *res = result_slot(&results, 0);

	if (!res)
		return 1;
	*res = raw ? filter_task(ctx[0], ctx[1], (const char *)comm, ctx[2], &comm_targets)
		   : task_filter(ctx[0], (const char *)comm, ctx[1], ctx[2], &comm_targets);
	return 0;
}

SEC("raw_tracepoint/harness_filter_task")
int harness_filter_task(__u64 *ctx)
{
	return run_filter_task(ctx, 0);
}

SEC("raw_tracepoint/harness_filter_task_raw")
int harness_filter_task_raw(__u64 *ctx)
{
	return run_filter_task(ctx, 1);
}

SEC("raw_tracepoint/harness_filter_file")
int harness_filter_file(__u64 *ctx)
{
	__u64 *res = result_slot(&results, 0);

	if (!res)
		return 1;
	*res = filter_file(ctx[0], ctx[1]);
	return 0;
}
#endif
