// SPDX-License-Identifier: GPL-2.0
/*
 * asm/hist.S in the kernel: hist_bucket through the raw_tracepoint harness
 * tests/asm/hist.bpf.c, against a reference built on __builtin_clzll.
 * Vectors: 0, 2^k - 1, 2^k and 2^k + 1 for every k, UINT64_MAX, and seeded
 * random values spread over all bit lengths.
 */
#include <stdint.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

#define RANDOM_CNT 256
#define VEC_CAP	   (3 * 64 + 2 + RANDOM_CNT)

static uint64_t ref_hist_bucket(uint64_t v)
{
	uint64_t bits = v ? 64 - (uint64_t)__builtin_clzll(v) : 0;

	return bits < HIST_LAST ? bits : HIST_LAST;
}

/* splitmix64: a fixed seed, so every run and every worker sees one table */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t fill_vectors(uint64_t *v)
{
	uint64_t seed = 0x10742ace;
	size_t n = 0;
	int k;

	v[n++] = 0;
	v[n++] = UINT64_MAX;
	for (k = 0; k < 64; k++) {
		v[n++] = (1ULL << k) - 1; /* k = 0 gives 0 again: harmless */
		v[n++] = 1ULL << k;
		v[n++] = (1ULL << k) + 1;
	}
	/* random value, then a random right shift: every bit length is hit */
	for (k = 0; k < RANDOM_CNT; k++) {
		uint64_t r = next_rand(&seed);

		v[n++] = r >> (next_rand(&seed) % 64);
	}
	return n;
}

static struct test_obj to;

static void load(void)
{
	static const char *const files[] = { "tests/asm/hist.bpf.o", "asm/hist.o" };

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, NULL), 0, "load failed:\n%s",
		     test_loader_messages());
}

static void unload(void)
{
	test_obj_close(&to);
}

static uint64_t run_hist(uint64_t v)
{
	uint64_t args[1] = { v };
	uint64_t res = UINT64_MAX;
	uint32_t key = 0, retval = 1;

	cr_assert_eq(test_map_update(test_map_fd(&to, "results"), &key, &res, 0), 0);
	cr_assert_eq(test_run_args(&to, "harness_hist", args, 1, &retval), 0);
	cr_assert_eq(retval, 0, "harness returned %u", retval);
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	return res;
}

ParameterizedTestParameters(hist, bucket_matches_reference)
{
	static uint64_t vec[VEC_CAP];
	size_t n = fill_vectors(vec);

	return cr_make_param_array(uint64_t, vec, n);
}

ParameterizedTest(uint64_t *v, hist, bucket_matches_reference, .init = load, .fini = unload)
{
	uint64_t got = run_hist(*v);

	cr_assert_eq(got, ref_hist_bucket(*v), "hist_bucket(%#llx) = %llu, want %llu",
		     (unsigned long long)*v, (unsigned long long)got,
		     (unsigned long long)ref_hist_bucket(*v));
}

/* The examples of the ABI comment, spelled out, so a wrong reference shows. */
Test(hist, documented_examples, .init = load, .fini = unload)
{
	static const struct {
		uint64_t v, bucket;
	} ex[] = {
		{ 0, 0 },	    { 1, 1 },		{ 2, 2 },
		{ 3, 2 },	    { 4096, 13 },	{ 65535, 16 },
		{ 65536, 17 },	    { 1ULL << 61, 62 }, { (1ULL << 62) - 1, 62 },
		{ 1ULL << 62, 63 }, { 1ULL << 63, 63 }, { UINT64_MAX, 63 },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		cr_expect_eq(run_hist(ex[i].v), ex[i].bucket, "hist_bucket(%#llx)",
			     (unsigned long long)ex[i].v);
}

/* Every bucket is reachable and buckets are monotonic in the value. */
Test(hist, every_bucket_reached_in_order, .init = load, .fini = unload)
{
	uint64_t prev = 0, seen = 0;
	int k;

	for (k = 0; k < 64; k++) {
		uint64_t b = run_hist(1ULL << k);

		cr_assert_geq(b, prev, "bucket of 2^%d went down", k);
		cr_assert_lt(b, HIST_BUCKETS);
		seen |= 1ULL << b;
		prev = b;
	}
	seen |= 1ULL << run_hist(0);
	cr_assert_eq(seen, UINT64_MAX, "buckets never returned: %#llx", (unsigned long long)~seen);
}
