// SPDX-License-Identifier: GPL-2.0
/*
 * asm/hist.S in the kernel: lat_bucket through the raw_tracepoint harness
 * tests/asm/lat.bpf.c, against a reference built on __builtin_clzll, and
 * the bucket bounds of include/iotrace_abi.h (lo/hi written from the ABI
 * comment, not from the asm): every vector lies in [lo, hi] of the bucket
 * the kernel gives it, and the buckets tile [0, UINT64_MAX] without gaps.
 * Vectors: 0..9; 2^k - 1, 2^k, 2^k + 1, (5 << k) - 1 and 5 << k for every
 * k; both sides of 7 << 38 (the last bucket); UINT64_MAX; seeded random
 * values spread over all bit lengths.
 */
#include <stdint.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

#define RANDOM_CNT  256
#define VEC_CAP	    (10 + 5 * 64 + 3 + RANDOM_CNT)
#define LAT_LAST_LO (7ULL << 38)

/* bit length minus one, then the two bits after the leading one */
static uint64_t ref_lat_bucket(uint64_t v)
{
	unsigned int k;
	uint64_t idx;

	if (v < 4)
		return v;
	k = 63 - (unsigned int)__builtin_clzll(v); /* 2..63 */
	idx = 4 * (uint64_t)(k - 1) + ((v >> (k - 2)) & 3);
	return idx < LAT_LAST ? idx : LAT_LAST;
}

/* bounds of bucket i, as the comment next to LAT_BUCKETS states them */
static uint64_t ref_lat_lo(unsigned int i)
{
	unsigned int k = i / 4 + 1, sub = i % 4;

	return i < 4 ? i : (uint64_t)(4 + sub) << (k - 2);
}

static uint64_t ref_lat_hi(unsigned int i)
{
	unsigned int k = i / 4 + 1, sub = i % 4;

	if (i == LAT_LAST)
		return UINT64_MAX;
	return i < 4 ? i : ((uint64_t)(5 + sub) << (k - 2)) - 1;
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
	uint64_t seed = 0x1a7b0c4e7;
	size_t n = 0;
	int k;

	for (k = 0; k < 10; k++)
		v[n++] = k;
	for (k = 0; k < 64; k++) {
		v[n++] = (1ULL << k) - 1;
		v[n++] = 1ULL << k;
		v[n++] = (1ULL << k) + 1;
		/* 5 << k starts sub-bucket 1 of its octave; wraps for k >= 62: harmless */
		v[n++] = (5ULL << k) - 1;
		v[n++] = 5ULL << k;
	}
	v[n++] = LAT_LAST_LO - 1;
	v[n++] = LAT_LAST_LO;
	v[n++] = UINT64_MAX;
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
	static const char *const files[] = { "tests/asm/lat.bpf.o", "asm/hist.o" };

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, NULL), 0, "load failed:\n%s",
		     test_loader_messages());
}

static void unload(void)
{
	test_obj_close(&to);
}

static uint64_t run_lat(uint64_t v)
{
	uint64_t args[1] = { v };
	uint64_t res = UINT64_MAX;
	uint32_t key = 0, retval = 1;

	cr_assert_eq(test_map_update(test_map_fd(&to, "results"), &key, &res, 0), 0);
	cr_assert_eq(test_run_args(&to, "harness_lat", args, 1, &retval), 0);
	cr_assert_eq(retval, 0, "harness returned %u", retval);
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	return res;
}

ParameterizedTestParameters(lat, bucket_matches_reference)
{
	static uint64_t vec[VEC_CAP];
	size_t n = fill_vectors(vec);

	return cr_make_param_array(uint64_t, vec, n);
}

/* the kernel result equals the reference and its bucket contains v */
ParameterizedTest(uint64_t *v, lat, bucket_matches_reference, .init = load, .fini = unload)
{
	uint64_t got = run_lat(*v), want = ref_lat_bucket(*v);

	cr_assert_eq(got, want, "lat_bucket(%#llx) = %llu, want %llu", (unsigned long long)*v,
		     (unsigned long long)got, (unsigned long long)want);
	cr_assert_lt(got, LAT_BUCKETS);
	cr_assert(ref_lat_lo(got) <= *v && *v <= ref_lat_hi(got),
		  "%#llx outside its bucket %llu [%#llx, %#llx]", (unsigned long long)*v,
		  (unsigned long long)got, (unsigned long long)ref_lat_lo(got),
		  (unsigned long long)ref_lat_hi(got));
}

/* pure C: the documented bounds tile [0, UINT64_MAX], in order, no gaps */
Test(lat, bounds_contiguous)
{
	unsigned int i;

	cr_assert_eq(ref_lat_lo(0), 0);
	cr_assert_eq(ref_lat_hi(LAT_LAST), UINT64_MAX);
	cr_assert_eq(ref_lat_lo(LAT_LAST), LAT_LAST_LO);
	for (i = 0; i < LAT_BUCKETS; i++) {
		cr_assert_leq(ref_lat_lo(i), ref_lat_hi(i), "bucket %u empty", i);
		if (i + 1 < LAT_BUCKETS)
			cr_assert_eq(ref_lat_hi(i) + 1, ref_lat_lo(i + 1),
				     "gap or overlap between buckets %u and %u", i, i + 1);
	}
}

/* both ends of every bucket land in it, in the kernel */
Test(lat, every_bucket_both_ends, .init = load, .fini = unload)
{
	unsigned int i;

	for (i = 0; i < LAT_BUCKETS; i++) {
		cr_expect_eq(run_lat(ref_lat_lo(i)), i, "lo of bucket %u: %#llx", i,
			     (unsigned long long)ref_lat_lo(i));
		cr_expect_eq(run_lat(ref_lat_hi(i)), i, "hi of bucket %u: %#llx", i,
			     (unsigned long long)ref_lat_hi(i));
	}
}

/* The examples of the asm comment, spelled out, so a wrong reference shows. */
Test(lat, documented_examples, .init = load, .fini = unload)
{
	static const struct {
		uint64_t v, bucket;
	} ex[] = {
		{ 0, 0 },
		{ 3, 3 },
		{ 4, 4 },
		{ 7, 7 },
		{ 8, 8 },
		{ 9, 8 },
		{ 10, 9 },
		{ 16, 12 },
		{ 19, 12 },
		{ 1000, 35 },
		{ 1024, 36 },
		{ 1279, 36 },
		{ 1280, 37 },
		{ LAT_LAST_LO - 1, 158 },
		{ LAT_LAST_LO, 159 },
		{ 1ULL << 63, 159 },
		{ UINT64_MAX, 159 },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		cr_expect_eq(run_lat(ex[i].v), ex[i].bucket, "lat_bucket(%#llx)",
			     (unsigned long long)ex[i].v);
}
