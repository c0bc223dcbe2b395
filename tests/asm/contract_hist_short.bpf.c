// SPDX-License-Identifier: GPL-2.0
/*
 * Must be REJECTED: hist_bucket's r0 indexes an array one bucket short
 * (HIST_BUCKETS - 1 entries).  Proves the verifier really uses r0's bound
 * (and that the bound is not tighter than HIST_LAST), so the accepted
 * contract_hist.bpf.c means something.
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

EXPECT_WITH("asm/hist.o");
EXPECT_REJECT(contract_hist_short, "invalid access to map value");

struct bpf_map_def_legacy hists SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = (HIST_BUCKETS - 1) * sizeof(__u64),
	.max_entries = 1,
};

extern __u64 hist_bucket(__u64 v);

SEC("raw_tracepoint/contract_hist_short")
int contract_hist_short(__u64 *ctx)
{
	__u32 zero = 0;
	__u64 *hist = bpf_map_lookup_elem(&hists, &zero);

	if (!hist)
		return 1;
	hist[hist_bucket(ctx[0])] += 1;
	return 0;
}
#endif
