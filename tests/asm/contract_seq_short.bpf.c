// SPDX-License-Identifier: GPL-2.0
/*
 * Must be REJECTED: seq_rewrite on a map value of 16 bytes, short of
 * SEQ_STATE_SZ.  The asm reads flags at SEQ_FLAGS (16); the verifier checks
 * that access against the caller's pointer at this call site.
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

EXPECT_WITH("asm/seq.o");
EXPECT_REJECT(contract_seq_short, "invalid access to map value");

struct bpf_map_def_legacy states SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = SEQ_FLAGS,
	.max_entries = 1,
};

extern __u64 seq_rewrite(void *st, __u64 start);

SEC("raw_tracepoint/contract_seq_short")
int contract_seq_short(__u64 *ctx)
{
	__u32 zero = 0;
	void *st = bpf_map_lookup_elem(&states, &zero);

	if (!st)
		return 1;
	return seq_rewrite(st, ctx[0]) ? 2 : 0;
}
#endif
