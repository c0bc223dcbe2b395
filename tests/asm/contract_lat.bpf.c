// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier contract of lat_bucket: its r0 indexes a LAT_BUCKETS array in a
 * map value with no check of its own, as sync_stats.lat_hist is in
 * production.  This loads only if the verifier sees r0 <= LAT_LAST at every
 * exit of lat_bucket.  results[0] = the bucket, and lats[0][bucket] is
 * incremented.
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

/*
 * Both paths of lat_bucket to its exit: the jgt fall-through prints r0 with
 * umax 159 (tnum mask 0xff), the clamp the constant 159.
 */
EXPECT_WITH("asm/hist.o");
EXPECT_LOADS(contract_lat_index);
EXPECT_LOG(contract_lat_index, "umax32=159,var_off=(0x0; 0xff)");
EXPECT_LOG(contract_lat_index, "R0=159");

struct bpf_map_def_legacy lats SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = LAT_BUCKETS * sizeof(__u64),
	.max_entries = 1,
};

extern __u64 lat_bucket(__u64 v);

SEC("raw_tracepoint/contract_lat_index")
int contract_lat_index(__u64 *ctx)
{
	__u32 zero = 0;
	__u64 *lat = bpf_map_lookup_elem(&lats, &zero);
	__u64 *res = result_slot(&results, 0);
	__u64 b;

	if (!lat || !res)
		return 1;
	b = lat_bucket(ctx[0]);
	lat[b] += 1; /* no bound check: the asm contract is the check */
	*res = b;
	return 0;
}
#endif
