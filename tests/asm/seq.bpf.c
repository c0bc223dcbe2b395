// SPDX-License-Identifier: GPL-2.0
/*
 * Harness for asm/seq.S.  The state is a map value, as in production:
 * states[0] is a struct seq_state the test sets before and reads after.
 *   harness_seq_classify: results[0] = seq_classify(&states[0], ctx[0], ctx[1])
 *   harness_seq_rewrite:  results[0] = seq_rewrite(&states[0], ctx[0])
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

struct bpf_map_def_legacy states SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct seq_state),
	.max_entries = 1,
};

extern __u64 seq_classify(struct seq_state *st, __u64 start, __u64 size);
extern __u64 seq_rewrite(struct seq_state *st, __u64 start);

SEC("raw_tracepoint/harness_seq_classify")
int harness_seq_classify(__u64 *ctx)
{
	__u32 zero = 0;
	struct seq_state *st = bpf_map_lookup_elem(&states, &zero);
	__u64 *res = result_slot(&results, 0);

	if (!st || !res)
		return 1;
	*res = seq_classify(st, ctx[0], ctx[1]);
	return 0;
}

SEC("raw_tracepoint/harness_seq_rewrite")
int harness_seq_rewrite(__u64 *ctx)
{
	__u32 zero = 0;
	struct seq_state *st = bpf_map_lookup_elem(&states, &zero);
	__u64 *res = result_slot(&results, 0);

	if (!st || !res)
		return 1;
	*res = seq_rewrite(st, ctx[0]);
	return 0;
}
#endif
