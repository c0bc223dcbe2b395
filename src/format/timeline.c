// SPDX-License-Identifier: GPL-2.0
/*
 * Timelines in the model: series of time bins summed, rebinned to a
 * coarser width, and the width that documents of different widths share.
 * Widths only ever grow by whole factors, so every merge is exact: a bin
 * of the coarser width is the sum of whole bins of the finer one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/model.h"

static int add(uint64_t *d, uint64_t s)
{
	return __builtin_add_overflow(*d, s, d) ? -EOVERFLOW : 0;
}

static int add_bin(struct rtbin *d, const struct rtbin *s)
{
	int err = add(&d->calls, s->calls);

	err = err ?: add(&d->errors, s->errors);
	err = err ?: add(&d->bytes, s->bytes);
	return err ?: add(&d->total_ns, s->total_ns);
}

int rseries_add(struct rseries *d, const struct rseries *s)
{
	struct rtbin *v;
	size_t i = 0, j = 0, n = 0;
	int err = 0;

	if (!s->cnt)
		return 0;
	v = malloc((d->cnt + s->cnt) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (!err && (i < d->cnt || j < s->cnt)) {
		if (j == s->cnt || (i < d->cnt && d->b[i].bin < s->b[j].bin)) {
			v[n++] = d->b[i++];
		} else if (i == d->cnt || s->b[j].bin < d->b[i].bin) {
			v[n++] = s->b[j++];
		} else {
			v[n] = d->b[i++];
			err = add_bin(&v[n++], &s->b[j++]);
		}
	}
	if (err) {
		free(v);
		return err;
	}
	free(d->b);
	d->b = v;
	d->cnt = n;
	return 0;
}

void rseries_rebin(struct rseries *s, uint64_t factor)
{
	size_t n = 0;

	if (factor <= 1)
		return;
	for (size_t i = 0; i < s->cnt; i++) {
		struct rtbin b = s->b[i];

		b.bin /= factor;
		/* the sums fit: they are sums of what one entry already holds */
		if (n && s->b[n - 1].bin == b.bin)
			add_bin(&s->b[n - 1], &b);
		else
			s->b[n++] = b;
	}
	s->cnt = n;
}

struct rtbin rseries_total(const struct rseries *s)
{
	struct rtbin t = { 0 };

	for (size_t i = 0; i < s->cnt; i++) {
		t.calls += s->b[i].calls;
		t.errors += s->b[i].errors;
		t.bytes += s->b[i].bytes;
		t.total_ns += s->b[i].total_ns;
	}
	return t;
}

void rseries_free(struct rseries *s)
{
	free(s->b);
	s->b = NULL;
	s->cnt = 0;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void drop_timelines(struct rmodel *m)
{
	for (size_t i = 0; i < m->files.cnt; i++) {
		m->files.v[i]->has_tl = false;
		for (int s = 0; s < TL_SERIES; s++)
			rseries_free(&m->files.v[i]->tl[s]);
	}
	m->meta.tl = 0;
	m->meta.bin_ns = m->meta.bins = 0;
}

/* ceil(bins * from / to) without overflow for the widths a trace can have */
static uint64_t bins_at(uint64_t bins, uint64_t from, uint64_t to)
{
	unsigned __int128 span = (unsigned __int128)bins * from;

	return (uint64_t)((span + to - 1) / to);
}

void rmodel_timeline_meet(struct rmodel *m, const struct rmeta *doc, uint64_t *factor)
{
	struct rmeta *mt = &m->meta;
	bool first = !mt->docs;
	uint64_t w;

	*factor = 0;
	if (first)
		mt->tl = doc->tl == 1;
	if (mt->tl != 1 || doc->tl != 1) {
		if (mt->tl)
			drop_timelines(m);
		return;
	}
	w = doc->bin_ns;
	if (!first) {
		uint64_t g = gcd(mt->bin_ns, doc->bin_ns);

		if (__builtin_mul_overflow(mt->bin_ns / g, doc->bin_ns, &w)) {
			drop_timelines(m);
			return;
		}
	}
	while ((!first && bins_at(mt->bins, mt->bin_ns, w) > TL_MAX_BINS) ||
	       bins_at(doc->bins, doc->bin_ns, w) > TL_MAX_BINS) {
		if (__builtin_mul_overflow(w, 2, &w)) {
			drop_timelines(m);
			return;
		}
	}
	if (first) {
		mt->bin_ns = w;
		mt->bins = 0;
	}
	for (size_t i = 0; w != mt->bin_ns && i < m->files.cnt; i++)
		for (int s = 0; s < TL_SERIES; s++)
			rseries_rebin(&m->files.v[i]->tl[s], w / mt->bin_ns);
	mt->bins = bins_at(mt->bins, mt->bin_ns, w);
	if (bins_at(doc->bins, doc->bin_ns, w) > mt->bins)
		mt->bins = bins_at(doc->bins, doc->bin_ns, w);
	mt->bin_ns = w;
	*factor = w / doc->bin_ns;
}
