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

/* a pointer to results[idx], or NULL (the harness then returns 1) */
static __always_inline __u64 *result_slot(void *results_map, __u32 idx)
{
	return bpf_map_lookup_elem(results_map, &idx);
}

#endif
