/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every tests/asm harness needs without libbpf headers: SEC(), the
 * legacy map definition our loader reads from SEC("maps"), the results map
 * and the one helper the harnesses call.  A harness takes its arguments
 * from ctx (a raw_tracepoint u64 array filled by BPF_PROG_TEST_RUN), calls
 * one asm routine and stores its full 64-bit r0 in results[0].
 */
#ifndef TESTS_ASM_HARNESS_BPF_H
#define TESTS_ASM_HARNESS_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def_legacy {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

/* results[0] = the routine's r0, as a u64 (upper half must be zero) */
#define RESULTS_CNT 4

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;

#define DEFINE_RESULTS()                                                                           \
	struct bpf_map_def_legacy results SEC("maps") = {                                          \
		.type = BPF_MAP_TYPE_ARRAY,                                                        \
		.key_size = sizeof(__u32),                                                         \
		.value_size = sizeof(__u64),                                                       \
		.max_entries = RESULTS_CNT,                                                        \
	};                                                                                         \
	char LICENSE[] SEC("license") = "GPL"

/*
 * What the verifier must make of a harness, written beside it (the kernel
 * selftests' __failure/__msg idea).  Each EXPECT_* line is one record
 * "KIND\0PROG\0TEXT" in the section .expect, which the loader ignores and
 * tests/asm/contract_test.c reads back from the object:
 *   EXPECT_WITH(obj)         link this object too (an asm object below OUT_DIR)
 *   EXPECT_LOADS(prog)       the program must load
 *   EXPECT_LOG(prog, text)   ... and a line of its level-2 log must contain text;
 *                            "A ... B" is A, then B later on the same line
 *   EXPECT_REJECT(prog, text) the object must be refused, text in the message
 * Log and message texts are loose substrings: verifier log formats change.
 */
#define EXPECT_CAT_(a, b) a##b
#define EXPECT_CAT(a, b)  EXPECT_CAT_(a, b)
#define EXPECT_(kind, prog, text)                                                                  \
	static const char EXPECT_CAT(expect_, __COUNTER__)[] SEC(".expect") =                      \
		kind "\0" #prog "\0" text
#define EXPECT_WITH(obj)	  EXPECT_("with", -, obj)
#define EXPECT_LOADS(prog)	  EXPECT_("loads", prog, "")
#define EXPECT_LOG(prog, text)	  EXPECT_("log", prog, text)
#define EXPECT_REJECT(prog, text) EXPECT_("reject", prog, text)

/* a pointer to results[idx], or NULL (the harness then returns 1) */
static __always_inline __u64 *result_slot(void *results_map, __u32 idx)
{
	return bpf_map_lookup_elem(results_map, &idx);
}

#endif
