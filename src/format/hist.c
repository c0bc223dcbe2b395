// SPDX-License-Identifier: GPL-2.0
/*
 * Histograms of `iotrace report` as (lo, hi)-keyed buckets.  Adding two
 * histograms matches buckets by their bounds; buckets of another writer's
 * scheme that overlap ours are coalesced into one bucket spanning both, the
 * only exact answer a non-overlapping histogram can give.  Coalescing is the
 * union of overlapping intervals, so the sum is commutative and associative.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/document.h"
#include "format/schema.h"

/* append b to out[0..*n), coalescing it with the last bucket when they overlap */
static int push(struct rbucket *out, size_t *n, const struct rbucket *b)
{
	struct rbucket *last = *n ? &out[*n - 1] : NULL;

	if (!last || b->lo > last->hi) {
		out[(*n)++] = *b;
		return 0;
	}
	if (__builtin_add_overflow(last->cnt, b->cnt, &last->cnt))
		return -EOVERFLOW;
	if (b->hi > last->hi)
		last->hi = b->hi;
	return 0;
}

static bool before(const struct rbucket *a, const struct rbucket *b)
{
	return a->lo < b->lo || (a->lo == b->lo && a->hi <= b->hi);
}

int rhist_add(struct rhist *dst, const struct rhist *src)
{
	size_t i = 0, k = 0, n = 0;
	struct rbucket *out;
	int err = 0;

	if (!src->cnt)
		return 0;
	out = malloc((dst->cnt + src->cnt) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	while (!err && (i < dst->cnt || k < src->cnt)) {
		if (k >= src->cnt || (i < dst->cnt && before(&dst->b[i], &src->b[k])))
			err = push(out, &n, &dst->b[i++]);
		else
			err = push(out, &n, &src->b[k++]);
	}
	if (err) {
		free(out);
		return err;
	}
	free(dst->b);
	dst->b = out;
	dst->cnt = n;
	return 0;
}

int rhist_add_counts(struct rhist *dst, const uint64_t *h, const uint64_t *minus, int n,
		     void (*bounds)(int, uint64_t *, uint64_t *))
{
	struct rbucket b[64];
	struct rhist tmp = { b, 0 };

	for (int i = 0; h && i < n && i < 64; i++) {
		uint64_t less = minus ? minus[i] : 0;

		if (h[i] <= less)
			continue;
		bounds(i, &b[tmp.cnt].lo, &b[tmp.cnt].hi);
		b[tmp.cnt++].cnt = h[i] - less;
	}
	return rhist_add(dst, &tmp);
}

int rhist_copy(struct rhist *dst, const struct rhist *src)
{
	dst->b = NULL;
	dst->cnt = 0;
	return rhist_add(dst, src);
}

uint64_t rhist_total(const struct rhist *h)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < h->cnt; i++)
		sum += h->b[i].cnt; /* validated on read: cannot overflow */
	return sum;
}

const struct rbucket *rhist_percentile(const struct rhist *h, double p)
{
	unsigned __int128 total = rhist_total(h), rank, seen = 0;
	uint64_t hundredths = (uint64_t)(p * 100 + 0.5);

	if (!total)
		return NULL;
	rank = (total * hundredths + 9999) / 10000;
	if (!rank)
		rank = 1;
	for (size_t i = 0; i < h->cnt; i++) {
		seen += h->b[i].cnt;
		if (seen >= rank)
			return &h->b[i];
	}
	return &h->b[h->cnt - 1];
}

static bool is_log2_bucket(const struct rbucket *b)
{
	int i = b->lo ? 64 - __builtin_clzll(b->lo) : 0;
	uint64_t lo, hi;

	if (i > HIST_LAST)
		return false;
	hist_bucket_bounds(i, &lo, &hi);
	return lo == b->lo && hi == b->hi;
}

/* the bucket index of v in the latency scheme (see LAT_BUCKETS) */
static int lat_index(uint64_t v)
{
	int k, idx;

	if (v < 4)
		return (int)v;
	k = 63 - __builtin_clzll(v);
	idx = 4 * (k - 1) + (int)((v >> (k - 2)) & 3);
	return idx > LAT_LAST ? LAT_LAST : idx;
}

static bool is_lat_bucket(const struct rbucket *b)
{
	uint64_t lo, hi;

	lat_bucket_bounds(lat_index(b->lo), &lo, &hi);
	return lo == b->lo && hi == b->hi;
}

bool rhist_in_scheme(const struct rhist *h, enum rscheme s)
{
	for (size_t i = 0; i < h->cnt; i++)
		if (!(s == RS_LOG2 ? is_log2_bucket(&h->b[i]) : is_lat_bucket(&h->b[i])))
			return false;
	return true;
}

void rhist_free(struct rhist *h)
{
	free(h->b);
	h->b = NULL;
	h->cnt = 0;
}
