// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier contract of hist_bucket: its r0 indexes a HIST_BUCKETS array in
 * a map value with no check of its own.  This loads only if the verifier
 * sees r0 <= HIST_LAST at hist_bucket's exit.  results[0] = the bucket,
 * and hists[0][bucket] is incremented.
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

/*
 * hist_bucket's last insn is `and r0, 63` (inlined by the loader); after it
 * the level-2 log prints r0 as a tnum with mask 0x3f.
 */
EXPECT_WITH("asm/hist.o");
EXPECT_LOADS(contract_hist_index);
EXPECT_LOG(contract_hist_index, "r0 &= 63 ... R0 ... var_off=(0x0; 0x3f))");

struct bpf_map_def_legacy hists SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = HIST_BUCKETS * sizeof(__u64),
	.max_entries = 1,
};

extern __u64 hist_bucket(__u64 v);

SEC("raw_tracepoint/contract_hist_index")
int contract_hist_index(__u64 *ctx)
{
	__u32 zero = 0;
	__u64 *hist = bpf_map_lookup_elem(&hists, &zero);
	__u64 *res = result_slot(&results, 0);
	__u64 b;

	if (!hist || !res)
		return 1;
	b = hist_bucket(ctx[0]);
	hist[b] += 1; /* no bound check: the asm contract is the check */
	*res = b;
	return 0;
}
#endif
