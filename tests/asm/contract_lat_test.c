// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier contract of lat_bucket (asm/hist.S): its r0 indexes a
 * LAT_BUCKETS array unchecked and loads (and runs); an array one bucket
 * short is rejected at exactly the last bucket's offset.  Log checks are
 * loose substrings: verifier log formats change.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

static struct test_obj to;

static void unload(void)
{
	test_obj_close(&to);
}

Test(contract, lat_bucket_result_indexes_histogram_unchecked, .fini = unload)
{
	static const char *const files[] = { "tests/asm/contract_lat.bpf.o", "asm/hist.o" };
	static const uint64_t values[] = { 0, 9, 1024, 7ULL << 38, UINT64_MAX };
	struct obj_load_opts opts = { .log_level = 2 };
	uint64_t lat[LAT_BUCKETS], res;
	uint32_t key = 0, retval;
	const char *log, *p;
	size_t i;

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, &opts), 0, "rejected:\n%s",
		     test_loader_messages());

	/*
	 * Both exits of lat_bucket: the jgt fall-through prints r0 with
	 * umax 159 (tnum mask 0xff), the clamp the constant 159.
	 */
	log = prog__log(obj__find_prog(to.obj, "contract_lat_index"));
	cr_assert_not_null(log, "no log kept at log_level 2");
	cr_expect_not_null(strstr(log, "umax32=159,var_off=(0x0; 0xff)"),
			   "r0 in [0, 159] not visible in the level-2 log");
	cr_expect_not_null(strstr(log, "R0=159"), "the clamp path r0 = 159 not in the log");
	p = strstr(log, "processed ");
	cr_assert_not_null(p, "no processed insns line");
	cr_log_info("contract_lat_index: %.*s", (int)strcspn(p, "\n"), p);

	/* and it runs: each value lands in its bucket */
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		cr_assert_eq(test_run_args(&to, "contract_lat_index", &values[i], 1, &retval), 0);
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "lats"), &key, lat), 0);
	cr_expect_eq(lat[0], 1);
	cr_expect_eq(lat[8], 1);
	cr_expect_eq(lat[36], 1);
	cr_expect_eq(lat[LAT_LAST], 2, "7 << 38 and UINT64_MAX share the last bucket");
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	cr_expect_eq(res, LAT_LAST);
}

Test(contract, lat_bucket_result_overflows_short_histogram, .fini = unload)
{
	static const char *const files[] = { "tests/asm/contract_lat_short.bpf.o", "asm/hist.o" };
	char msg[64];
	int err;

	require_bpf();
	err = test_obj_load(&to, files, 2, NULL);
	cr_assert_neq(err, 0, "a LAT_BUCKETS - 1 array loaded: the bound is tighter than LAT_LAST");
	/* the first bad offset is the last bucket itself: r0 max is LAT_LAST, no less */
	snprintf(msg, sizeof(msg), "value_size=%d off=%d size=8", LAT_LAST * 8, LAT_LAST * 8);
	cr_expect_not_null(strstr(test_loader_messages(), "invalid access to map value"),
			   "rejected (%d), but not as an invalid map value access:\n%s", err,
			   test_loader_messages());
	cr_expect_not_null(strstr(test_loader_messages(), msg), "no \"%s\" in:\n%s", msg,
			   test_loader_messages());
}
