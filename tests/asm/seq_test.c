// SPDX-License-Identifier: GPL-2.0
/*
 * asm/seq.S in the kernel: seq_classify and seq_rewrite on a struct
 * seq_state held in a map value (tests/asm/seq.bpf.c), against a plain C
 * reference.  Each vector is (state before, start, size); the whole state
 * after the call is compared, so stray stores show up too.
 */
#include <stdint.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

#define RANDOM_CNT 96
#define VEC_CAP	   (64 + RANDOM_CNT)

struct seq_vec {
	struct seq_state before;
	uint64_t start;
	uint64_t size;
};

/* ---- reference -------------------------------------------------------- */

static uint64_t ref_classify(struct seq_state *st, uint64_t start, uint64_t size)
{
	uint64_t seq = st->next_off == start;

	st->next_off = start + size; /* unsigned: wraps modulo 2^64 */
	return seq;
}

static uint64_t ref_rewrite(struct seq_state *st, uint64_t start)
{
	uint64_t again = (st->flags & SEQ_F_HAVE_LAST) && st->last_start == start;

	st->last_start = start;
	st->flags |= SEQ_F_HAVE_LAST;
	return again;
}

/* ---- vectors ---------------------------------------------------------- */

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define V(n, l, f, s, z)                                                                           \
	{                                                                                          \
		{ (n), (l), (f) }, (s), (z)                                                        \
	}

static const struct seq_vec edges[] = {
	V(0, 0, 0, 0, 0), /* fresh state, first call at 0 */
	V(0, 0, 0, 0, 4096),
	V(0, 0, 0, 1, 4096),	   /* fresh state, first call at 1 */
	V(0, 0, 0, UINT64_MAX, 1), /* wraps to next_off 0 */
	V(4096, 0, 0, 4096, 4096),
	V(4096, 0, 0, 4095, 1),
	V(4096, 0, 0, 4097, 1),
	V(UINT64_MAX, 0, 0, UINT64_MAX, 1), /* sequential, wraps to 0 */
	V(UINT64_MAX, 0, 0, UINT64_MAX, UINT64_MAX),
	V(UINT64_MAX, 0, 0, 0, 0),
	V(UINT64_MAX - 9, 0, 0, UINT64_MAX - 9, 20), /* wraps to 10 */
	V(10, 0, 0, 10, UINT64_MAX),		     /* size UINT64_MAX wraps to 9 */
	V(1ULL << 63, 0, 0, 1ULL << 63, 1ULL << 63), /* 2^63 + 2^63 = 0 */
	V(1ULL << 63, 0, 0, (1ULL << 63) - 1, 1),
	V(1ULL << 32, 0, 0, 0, 0), /* equal low halves, not equal */
	V(0, 0, 0, 1ULL << 32, 0),
	V(0x100000005ULL, 0, 0, 5, 0),
	V(5, 5, 1, 5, 0), /* zero-size call: next_off stays */
	V(7, 3, 1, 3, 4), /* rewrite of last_start, not sequential */
	V(7, 7, 1, 7, 0),
	V(0, 0, UINT64_MAX, 0, 0),		     /* every flag bit set */
	V(0, 0, UINT64_MAX ^ SEQ_F_HAVE_LAST, 0, 0), /* other flags, no HAVE_LAST */
	V(0, UINT64_MAX, SEQ_F_HAVE_LAST, UINT64_MAX, 0),
	V(0, UINT64_MAX, 0, UINT64_MAX, 0), /* last_start matches but not valid */
	V(0, 1ULL << 32, SEQ_F_HAVE_LAST, 0, 0),
	V(0, 0x8000000000000000ULL, SEQ_F_HAVE_LAST, 0, 0),
	V(0, 42, 2, 42, 0), /* flag bit other than HAVE_LAST */
	V(0, 42, 3, 42, 0),
};

static size_t fill_vectors(struct seq_vec *v)
{
	uint64_t seed = 0x5e9c1a55;
	size_t n = sizeof(edges) / sizeof(edges[0]);
	size_t i;

	memcpy(v, edges, sizeof(edges));
	for (i = 0; i < RANDOM_CNT; i++, n++) {
		uint64_t r = next_rand(&seed);

		v[n].before.next_off = next_rand(&seed);
		v[n].before.last_start = next_rand(&seed);
		v[n].before.flags = r & 3;
		v[n].size = next_rand(&seed) >> (r >> 8) % 64;
		/* a third of the starts hit next_off, a third last_start */
		switch ((r >> 16) % 3) {
		case 0:
			v[n].start = v[n].before.next_off;
			break;
		case 1:
			v[n].start = v[n].before.last_start;
			break;
		default:
			v[n].start = next_rand(&seed);
		}
	}
	return n;
}

/* ---- harness ---------------------------------------------------------- */

static struct test_obj to;

static void load(void)
{
	static const char *const files[] = { "tests/asm/seq.bpf.o", "asm/seq.o" };

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, NULL), 0, "load failed:\n%s",
		     test_loader_messages());
}

static void unload(void)
{
	test_obj_close(&to);
}

/* set states[0], run prog with args, return results[0] and the new state */
static uint64_t run_seq(const char *prog, struct seq_state *st, const uint64_t *args, size_t cnt)
{
	int states = test_map_fd(&to, "states"), results = test_map_fd(&to, "results");
	uint64_t res = UINT64_MAX;
	uint32_t key = 0, retval = 1;

	cr_assert_eq(test_map_update(states, &key, st, 0), 0);
	cr_assert_eq(test_map_update(results, &key, &res, 0), 0);
	cr_assert_eq(test_run_args(&to, prog, args, cnt, &retval), 0);
	cr_assert_eq(retval, 0, "%s returned %u", prog, retval);
	cr_assert_eq(test_map_lookup(results, &key, &res), 0);
	cr_assert_eq(test_map_lookup(states, &key, st), 0);
	return res;
}

static void expect_state(const struct seq_state *got, const struct seq_state *want,
			 const struct seq_vec *v)
{
	cr_expect_eq(got->next_off, want->next_off, "next_off %#llx, want %#llx (start %#llx)",
		     (unsigned long long)got->next_off, (unsigned long long)want->next_off,
		     (unsigned long long)v->start);
	cr_expect_eq(got->last_start, want->last_start, "last_start %#llx, want %#llx",
		     (unsigned long long)got->last_start, (unsigned long long)want->last_start);
	cr_expect_eq(got->flags, want->flags, "flags %#llx, want %#llx",
		     (unsigned long long)got->flags, (unsigned long long)want->flags);
}

ParameterizedTestParameters(seq, classify_matches_reference)
{
	static struct seq_vec vec[VEC_CAP];
	size_t n = fill_vectors(vec);

	return cr_make_param_array(struct seq_vec, vec, n);
}

ParameterizedTest(struct seq_vec *v, seq, classify_matches_reference, .init = load, .fini = unload)
{
	struct seq_state got = v->before, want = v->before;
	uint64_t args[2] = { v->start, v->size };
	uint64_t res = run_seq("harness_seq_classify", &got, args, 2);
	uint64_t ref = ref_classify(&want, v->start, v->size);

	cr_expect_eq(res, ref, "seq_classify(next_off %#llx, start %#llx) = %llu, want %llu",
		     (unsigned long long)v->before.next_off, (unsigned long long)v->start,
		     (unsigned long long)res, (unsigned long long)ref);
	expect_state(&got, &want, v);
}

ParameterizedTestParameters(seq, rewrite_matches_reference)
{
	static struct seq_vec vec[VEC_CAP];
	size_t n = fill_vectors(vec);

	return cr_make_param_array(struct seq_vec, vec, n);
}

ParameterizedTest(struct seq_vec *v, seq, rewrite_matches_reference, .init = load, .fini = unload)
{
	struct seq_state got = v->before, want = v->before;
	uint64_t args[1] = { v->start };
	uint64_t res = run_seq("harness_seq_rewrite", &got, args, 1);
	uint64_t ref = ref_rewrite(&want, v->start);

	cr_expect_eq(res, ref,
		     "seq_rewrite(last_start %#llx, flags %#llx, start %#llx) = %llu, want %llu",
		     (unsigned long long)v->before.last_start, (unsigned long long)v->before.flags,
		     (unsigned long long)v->start, (unsigned long long)res,
		     (unsigned long long)ref);
	expect_state(&got, &want, v);
}

/*
 * A stream of calls on one state, as a reader would make them: a first read
 * at 0, sequential reads, a seek back (a rewrite of the same start), and
 * reads that cross UINT64_MAX.
 */
Test(seq, call_stream_keeps_state, .init = load, .fini = unload)
{
	static const struct {
		uint64_t start, size, seq, again;
	} calls[] = {
		{ 0, 4096, 1, 0 },   { 4096, 4096, 1, 0 }, { 8192, 100, 1, 0 },
		{ 8192, 100, 0, 1 }, /* same start again: a rewrite */
		{ 8292, 0, 1, 0 },   /* nothing transferred: next_off stays */
		{ 8292, 5, 1, 1 },   { 0, 1, 0, 0 },	   { UINT64_MAX - 9, 20, 0, 0 },
		{ 10, 1, 1, 0 }, /* next_off wrapped to 10 */
	};
	struct seq_state st = { 0 };
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		uint64_t a2[2] = { calls[i].start, calls[i].size };
		uint64_t again = run_seq("harness_seq_rewrite", &st, a2, 1);
		uint64_t seq = run_seq("harness_seq_classify", &st, a2, 2);

		cr_expect_eq(seq, calls[i].seq, "call %zu: seq %llu", i, (unsigned long long)seq);
		cr_expect_eq(again, calls[i].again, "call %zu: rewrite %llu", i,
			     (unsigned long long)again);
	}
	cr_expect_eq(st.next_off, 11);
	cr_expect_eq(st.last_start, 10);
	cr_expect_eq(st.flags, SEQ_F_HAVE_LAST);
}
