// SPDX-License-Identifier: GPL-2.0
/*
 * Must be REJECTED: lat_bucket's r0 indexes an array one bucket short
 * (LAT_BUCKETS - 1 entries).  Proves the verifier really uses r0's bound
 * (and that the bound is not tighter than LAT_LAST), so the accepted
 * contract_lat.bpf.c means something.
 */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"
#include "iotrace_abi.h"

DEFINE_RESULTS();

/* the first bad offset is the last bucket itself: r0's maximum is LAT_LAST, no less */
_Static_assert(LAT_LAST * 8 == 1272, "the message below names LAT_LAST's offset");
EXPECT_WITH("asm/hist.o");
EXPECT_REJECT(contract_lat_short, "invalid access to map value");
EXPECT_REJECT(contract_lat_short, "value_size=1272 off=1272 size=8");

struct bpf_map_def_legacy lats SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = (LAT_BUCKETS - 1) * sizeof(__u64),
	.max_entries = 1,
};

extern __u64 lat_bucket(__u64 v);

SEC("raw_tracepoint/contract_lat_short")
int contract_lat_short(__u64 *ctx)
{
	__u32 zero = 0;
	__u64 *lat = bpf_map_lookup_elem(&lats, &zero);

	if (!lat)
		return 1;
	lat[lat_bucket(ctx[0])] += 1;
	return 0;
}
#endif
