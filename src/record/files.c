// SPDX-License-Identifier: GPL-2.0
/*
 * The file table: one entry per record key (dev, ino[, tgid]), filled from
 * ring-buffer events during the trace and from the maps at its end.  An
 * open-addressing index that holds the keys themselves (a lookup touches one
 * slot, not the entry), over an insertion-ordered array.  Entries, their
 * statistics and histograms are carved from large chunks: at 100,000 files
 * a malloc per statistic was most of the time spent reading the maps.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

#define CHUNK_SZ (1U << 20)

struct files_slot {
	struct file_key key;
	struct file_entry *f; /* NULL: free */
};

struct files_chunk {
	struct files_chunk *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

void *files_alloc(struct file_table *t, size_t sz)
{
	struct files_chunk *c = t->chunks;
	void *p;

	sz = (sz + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < sz) {
		size_t cap = sz > CHUNK_SZ ? sz : CHUNK_SZ;

		c = calloc(1, sizeof(*c) + cap); /* a fresh mapping: no memset */
		if (!c)
			return NULL;
		c->cap = cap;
		c->next = t->chunks;
		t->chunks = c;
	}
	p = c->data + c->used;
	c->used += sz;
	return p;
}

int files_hist(struct file_table *t, const __u64 *h, int n, struct hist_nz *out)
{
	struct hbin *b;
	uint32_t cnt = 0;

	for (int i = 0; i < n; i++)
		cnt += h[i] != 0;
	out->cnt = cnt;
	out->b = NULL;
	if (!cnt)
		return 0;
	b = files_alloc(t, cnt * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (int i = 0, k = 0; i < n; i++) {
		if (h[i])
			b[k++] = (struct hbin){ h[i], (uint32_t)i };
	}
	out->b = b;
	return 0;
}

/* h[] += the buckets of a sparse histogram */
static void hist_add_sparse(__u64 *h, const struct hist_nz *nz)
{
	for (uint32_t i = 0; i < nz->cnt; i++)
		h[nz->b[i].idx] += nz->b[i].cnt;
}

int files_add_sc(struct file_table *t, struct file_entry *f, uint32_t sc, const struct sc_stats *v)
{
	__u64 req[HIST_BUCKETS], done[HIST_BUCKETS];
	struct file_sc *s = f->sc[sc];

	memcpy(req, v->req_hist, sizeof(req));
	memcpy(done, v->done_hist, sizeof(done));
	if (!s) {
		s = files_alloc(t, sizeof(*s));
		if (!s)
			return -ENOMEM;
		f->sc[sc] = s;
	} else {
		/* rare (a record's first moments): the old sparse arrays stay in the chunk */
		hist_add_sparse(req, &s->req_hist);
		hist_add_sparse(done, &s->done_hist);
	}
	s->calls += v->calls;
	s->errors += v->errors;
	s->bytes += v->bytes;
	return files_hist(t, req, HIST_BUCKETS, &s->req_hist)
		       ?: files_hist(t, done, HIST_BUCKETS, &s->done_hist);
}

static uint64_t key_hash(const struct file_key *k)
{
	uint64_t h = k->ino * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)k->dev << 32 | k->tgid) * 0xc2b2ae3d27d4eb4fULL;
	h ^= k->gen * 0x165667b19e3779f9ULL;
	return h ^ (h >> 29);
}

static bool key_eq(const struct file_key *a, const struct file_key *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->gen == b->gen && a->tgid == b->tgid;
}

static struct files_slot *slot_of(const struct file_table *t, const struct file_key *key)
{
	size_t mask = t->idx_cap - 1, i = key_hash(key) & mask;

	while (t->idx[i].f && !key_eq(&t->idx[i].key, key))
		i = (i + 1) & mask;
	return &t->idx[i];
}

static void index_all(struct file_table *t)
{
	memset(t->idx, 0, t->idx_cap * sizeof(*t->idx));
	for (size_t i = 0; i < t->cnt; i++) {
		struct files_slot *s = slot_of(t, &t->v[i]->key);

		s->key = t->v[i]->key;
		s->f = t->v[i];
	}
}

static int grow_index(struct file_table *t)
{
	size_t cap = t->idx_cap ? t->idx_cap * 2 : 1024;
	struct files_slot *idx = malloc(cap * sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	free(t->idx);
	t->idx = idx;
	t->idx_cap = cap;
	index_all(t);
	return 0;
}

struct file_entry *files_find(const struct file_table *t, const struct file_key *key)
{
	if (!t->idx_cap)
		return NULL;
	return slot_of(t, key)->f;
}

/*
 * A lookup of key is coming: start loading its index slot, so that a batch
 * of lookups waits for memory once and not once per key (the map order is
 * the kernel's hash order, random to ours).
 */
void files_prefetch(const struct file_table *t, const struct file_key *key)
{
	if (t->idx_cap)
		__builtin_prefetch(&t->idx[key_hash(key) & (t->idx_cap - 1)]);
}

/* Find or create; NULL only when out of memory. */
struct file_entry *files_get(struct file_table *t, const struct file_key *key)
{
	struct file_entry *f = files_find(t, key);
	struct files_slot *s;

	if (f)
		return f;
	if ((t->cnt + 1) * 2 > t->idx_cap && grow_index(t))
		return NULL;
	if (t->cnt == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct file_entry **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	f = files_alloc(t, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *key;
	t->v[t->cnt++] = f;
	s = slot_of(t, key);
	s->key = *key;
	s->f = f;
	return f;
}

void files_add_comm(struct file_entry *f, const char *comm)
{
	char c[COMM_LEN] = { 0 };

	strncpy(c, comm, COMM_LEN - 1);
	if (!f->comm[0])
		memcpy(f->comm, c, COMM_LEN);
	for (unsigned int i = 0; i < f->comm_cnt; i++)
		if (!strcmp(f->comms[i], c))
			return;
	if (f->comm_cnt < MAX_COMMS)
		memcpy(f->comms[f->comm_cnt++], c, COMM_LEN);
}

/*
 * comps holds the components leaf first, each NUL-terminated, as the BPF path
 * walk wrote them: "b.txt\0dir\0tmp\0" becomes "/tmp/dir/b.txt".
 */
int files_set_path(struct file_entry *f, const char *comps, size_t sz, bool truncated)
{
	size_t starts[PATH_MAX_DEPTH + 1], n = 0, len = 0;
	char *path, *p;

	for (size_t off = 0; off < sz && n <= PATH_MAX_DEPTH;) {
		size_t l = strnlen(comps + off, sz - off);

		starts[n++] = off;
		len += l + 1;
		off += l + 1;
	}
	path = malloc(len + 2);
	if (!path)
		return -ENOMEM;
	p = path;
	while (n--) {
		size_t l = strnlen(comps + starts[n], sz - starts[n]);

		*p++ = '/';
		memcpy(p, comps + starts[n], l);
		p += l;
	}
	if (p == path)
		*p++ = '/';
	*p = 0;
	free(f->path);
	f->path = path;
	f->path_len = (size_t)(p - path);
	f->path_truncated = truncated;
	return 0;
}

static int by_path(const void *a, const void *b)
{
	const struct file_entry *x = *(struct file_entry *const *)a;
	const struct file_entry *y = *(struct file_entry *const *)b;
	size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
	int c;

	if (!x->path || !y->path) /* not named yet: last */
		return !x->path - !y->path;
	c = memcmp(x->path, y->path, n);

	if (c)
		return c;
	if (x->path_len != y->path_len)
		return x->path_len < y->path_len ? -1 : 1;
	if (x->key.tgid != y->key.tgid)
		return x->key.tgid < y->key.tgid ? -1 : 1;
	if (x->key.ino != y->key.ino)
		return x->key.ino < y->key.ino ? -1 : 1;
	return x->key.gen < y->key.gen ? -1 : x->key.gen > y->key.gen;
}

/* Sort by path (entries without a path must have been removed: the index forgets them). */
void files_sort_by_path(struct file_table *t)
{
	if (t->cnt > 1) /* v is NULL in an empty table: qsort(NULL, 0, ...) is UB */
		qsort(t->v, t->cnt, sizeof(*t->v), by_path);
	if (t->idx_cap)
		index_all(t);
}

void files_free(struct file_table *t)
{
	for (size_t i = 0; i < t->cnt; i++) {
		free(t->v[i]->path);
		free(t->v[i]->former_path);
	}
	while (t->chunks) {
		struct files_chunk *c = t->chunks;

		t->chunks = c->next;
		free(c);
	}
	free(t->v);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}
