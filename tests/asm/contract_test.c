// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier contracts of the asm routines, checked by loading harnesses:
 * one that relies on hist_bucket's bound must load (and run), ones that
 * break a precondition must be rejected with the named verifier message.
 * Log checks are loose substrings: verifier log formats change.
 */
#include <stdint.h>
#include <string.h>
#include <criterion/criterion.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

static struct test_obj to;

static void unload(void)
{
	test_obj_close(&to);
}

Test(contract, hist_bucket_result_indexes_histogram_unchecked, .fini = unload)
{
	static const char *const files[] = { "tests/asm/contract_hist.bpf.o", "asm/hist.o" };
	static const uint64_t values[] = { 0, 1, 4096, 1ULL << 62, UINT64_MAX };
	struct obj_load_opts opts = { .log_level = 2 };
	uint64_t hist[HIST_BUCKETS], res;
	uint32_t key = 0, retval;
	const char *log;
	size_t i;

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, &opts), 0, "rejected:\n%s",
		     test_loader_messages());

	/*
	 * hist_bucket's last insn before exit is `and r0, 63`; at level 2 the
	 * verifier prints r0 as a tnum with mask 0x3f there.
	 */
	log = prog__log(obj__find_prog(to.obj, "contract_hist_index"));
	cr_assert_not_null(log, "no log kept at log_level 2");
	cr_expect_not_null(strstr(log, "var_off=(0x0; 0x3f)"),
			   "r0 in [0, 63] not visible in the level-2 log");

	/* and it runs: each value lands in its bucket */
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		cr_assert_eq(test_run_args(&to, "contract_hist_index", &values[i], 1, &retval), 0);
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "hists"), &key, hist), 0);
	cr_expect_eq(hist[0], 1);
	cr_expect_eq(hist[1], 1);
	cr_expect_eq(hist[13], 1);
	cr_expect_eq(hist[HIST_LAST], 2, "2^62 and UINT64_MAX share the last bucket");
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	cr_expect_eq(res, HIST_LAST);
}

static void expect_rejected(const char *harness, const char *asm_obj, const char *msg)
{
	const char *files[] = { harness, asm_obj };
	int err;

	require_bpf();
	err = test_obj_load(&to, files, 2, NULL);
	cr_assert_neq(err, 0, "%s loaded, but it breaks an asm precondition", harness);
	cr_expect_not_null(strstr(test_loader_messages(), msg),
			   "%s rejected (%d), but not with \"%s\":\n%s", harness, err, msg,
			   test_loader_messages());
}

Test(contract, hist_bucket_result_overflows_short_histogram, .fini = unload)
{
	expect_rejected("tests/asm/contract_hist_short.bpf.o", "asm/hist.o",
			"invalid access to map value");
}

Test(contract, seq_rewrite_needs_whole_seq_state, .fini = unload)
{
	expect_rejected("tests/asm/contract_seq_short.bpf.o", "asm/seq.o",
			"invalid access to map value");
}
