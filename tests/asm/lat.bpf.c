// SPDX-License-Identifier: GPL-2.0
/* Harness for lat_bucket (asm/hist.S): results[0] = lat_bucket(ctx[0]). */
#ifdef __bpf__ /* the test-asm link globs every .c of tests/asm, this one too */
#include "harness.bpf.h"

DEFINE_RESULTS();

/* u64 return on purpose: the test checks that r0's upper half is zero */
extern __u64 lat_bucket(__u64 v);

SEC("raw_tracepoint/harness_lat")
int harness_lat(__u64 *ctx)
{
	__u64 *res = result_slot(&results, 0);

	if (!res)
		return 1;
	*res = lat_bucket(ctx[0]);
	return 0;
}
#endif
