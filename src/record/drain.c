// SPDX-License-Identifier: GPL-2.0
/*
 * Getting results out of the kernel: the new-file and new-comm events of
 * the ring buffer (read by loader/ringbuf.c), decoded while tracing, and
 * the final read of the files, scstats and drops maps after detach.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"
#include "loader.h"
#include "iotrace.skel.h"

/* a new file; without its path (EV_FILE_UNNAMED), names_refresh names it at the end */
static int on_file_event(struct trace_result *res, const struct ev_file *ev, size_t len)
{
	size_t hdr = __builtin_offsetof(struct ev_file, path), sz = ev->path_sz;
	bool unnamed = ev->hdr.type == EV_FILE_UNNAMED;
	struct file_entry *f;

	if (len < hdr || (!unnamed && sz > len - hdr))
		return -EINVAL;
	f = files_get(&res->files, &ev->hdr.fk);
	if (!f)
		return -ENOMEM;
	memcpy(f->fstype, ev->fstype, sizeof(f->fstype));
	f->fstype[sizeof(f->fstype) - 1] = 0;
	f->name_dentry = ev->dentry;
	f->name_mnt = ev->mnt;
	f->name_inode = ev->inode;
	files_add_comm(f, ev->comm);
	/* the BPF side applied the trace-time filters to a whole path (filters.c) */
	f->filtered = !unnamed && ev->truncated == NAME_WHOLE;
	return unnamed ? 0 : files_set_path(f, ev->path, sz, ev->truncated);
}

/* one record of the events ring buffer (loader/ringbuf.c hands it in place) */
static int on_event(const void *data, size_t len, void *ctx)
{
	struct trace_result *res = ctx;
	const struct ev_hdr *h = data;
	struct file_entry *f;

	if (len < sizeof(*h))
		return -EINVAL;
	if (h->type == EV_FILE || h->type == EV_FILE_UNNAMED)
		return on_file_event(res, data, len);
	if (h->type != EV_COMM || len < sizeof(struct ev_comm))
		return -EINVAL;
	f = files_get(&res->files, &h->fk);
	if (!f)
		return -ENOMEM;
	files_add_comm(f, ((const struct ev_comm *)data)->comm);
	return 0;
}

int drain_events_open(struct ringbuf **rb, const struct iotrace_skel *s, struct trace_result *res)
{
	return ringbuf__open(rb, s->maps.events, on_event, res);
}

int drain_events(struct ringbuf *rb)
{
	int err = ringbuf__consume(rb);

	if (err)
		pr_warn("ring buffer: malformed event: %s", strerror(-err));
	return err;
}

/* ---- final map reads ---------------------------------------------------------- */

static int side_of(struct file_table *t, const struct rw_side *s, struct file_side *out)
{
	out->calls = s->calls;
	out->errors = s->errors;
	out->bytes = s->bytes;
	out->streams = s->streams;
	out->first_entry_ns = s->first_entry_ns;
	out->last_return_ns = s->last_return_ns;
	out->seq_calls = s->seq_calls;
	out->rewrites = s->rewrites;
	out->lat_total_ns = s->lat_total_ns;
	memcpy(out->oflag_streams, s->oflag_streams, sizeof(out->oflag_streams));
	return files_hist(t, s->seq_hist, HIST_BUCKETS, &out->seq_hist)
		       ?: files_hist(t, s->lat_hist, LAT_BUCKETS, &out->lat_hist);
}

static int add_file_rec(const void *key, const void *value, struct file_table *t)
{
	const struct file_rec *rec = value;
	struct file_key k = *(const struct file_key *)key;
	struct file_entry *f;

	if (k.part == FILE_PART_COPY || k.part == FILE_PART_ASYNC) {
		/* the record's copy or async sides (iotrace_abi.h) */
		int s = k.part == FILE_PART_COPY ? SIDE_COPY_READ : SIDE_ASYNC_READ;

		k.part = FILE_PART_MAIN;
		f = files_get(t, &k);
		if (!f)
			return -ENOMEM;
		return side_of(t, &rec->side[0], &f->side[s])
			       ?: side_of(t, &rec->side[1], &f->side[s + 1]);
	}
	f = files_get(t, key);
	if (!f)
		return -ENOMEM;
	f->have_rec = true;
	f->deleted = rec->nlink == 0;
	if (rec->own_sc && rec->own_sc <= SC_MAX && files_add_sc(t, f, rec->own_sc - 1, &rec->own))
		return -ENOMEM;
	return side_of(t, &rec->side[SC_KIND_READ], &f->side[SC_KIND_READ])
		       ?: side_of(t, &rec->side[SC_KIND_WRITE], &f->side[SC_KIND_WRITE]);
}

/*
 * The per-syscall maps: the record's entry is found by a hash lookup on its
 * key (created when the record itself is missing: prune_unnamed drops it),
 * and the map value is kept only as counters and non-zero buckets.
 */
static int add_sc_stats(const void *key, const void *value, struct file_table *t)
{
	const struct sc_key *k = key;
	struct file_entry *f = files_get(t, &k->fk);

	if (!f)
		return -ENOMEM;
	if (k->sc >= SC_MAX)
		return 0;
	return files_add_sc(t, f, k->sc, value);
}

static int add_sync_stats(const void *key, const void *value, struct file_table *t)
{
	const struct sc_key *k = key;
	const struct sync_stats *v = value;
	struct file_entry *f = files_get(t, &k->fk);
	struct file_sync *sy;

	if (!f)
		return -ENOMEM;
	if (k->sc >= SC_MAX)
		return 0;
	sy = files_alloc(t, sizeof(*sy));
	if (!sy)
		return -ENOMEM;
	sy->calls = v->calls;
	sy->errors = v->errors;
	sy->total_ns = v->total_ns;
	f->sync[k->sc] = sy;
	return files_hist(t, v->lat_hist, LAT_BUCKETS, &sy->lat_hist);
}

static int add_map_stats(const void *key, const void *value, struct file_table *t)
{
	const struct map_stats *v = value;
	struct file_entry *f = files_get(t, key);

	if (!f)
		return -ENOMEM;
	f->mapped = (struct file_mapped){ v->faults, v->write_faults, v->first_ns, v->last_ns };
	return 0;
}

/*
 * Keys arrive in the kernel's hash order, random to the table's: while
 * element i is joined, the index slot of element i + 2 * AHEAD and the
 * entry of element i + AHEAD are already on their way from memory.
 */
#define AHEAD 8

static void prefetch_ahead(const struct file_table *t, const void *keys, size_t key_sz, uint32_t i,
			   uint32_t cnt)
{
	const struct file_entry *f;

	if (i + 2 * AHEAD < cnt)
		files_prefetch(t, (const void *)((const char *)keys + (i + 2 * AHEAD) * key_sz));
	if (i + AHEAD < cnt) {
		f = files_find(t, (const void *)((const char *)keys + (i + AHEAD) * key_sz));
		if (f)
			__builtin_prefetch(f->sc, 1);
	}
}

static void prefetch_first(const struct file_table *t, const void *keys, size_t key_sz,
			   uint32_t cnt)
{
	for (uint32_t i = 0; i < 2 * AHEAD && i < cnt; i++)
		files_prefetch(t, (const void *)((const char *)keys + i * key_sz));
}

/* one batch of a dump joined into the table, element by element (prefetch: see AHEAD) */
static int join_batch(const void *keys, size_t key_sz, const void *values, size_t value_sz,
		      uint32_t cnt, struct file_table *t, bool prefetch,
		      int (*add)(const void *key, const void *value, struct file_table *t))
{
	const char *k = keys, *v = values;
	int err = 0;

	if (prefetch)
		prefetch_first(t, keys, key_sz, cnt);
	for (uint32_t i = 0; i < cnt && !err; i++) {
		if (prefetch)
			prefetch_ahead(t, keys, key_sz, i, cnt);
		err = add(k + i * key_sz, v + i * value_sz, t);
	}
	return err;
}

static int add_file_recs(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	return join_batch(keys, sizeof(struct file_key), values, sizeof(struct file_rec), cnt, ctx,
			  true, add_file_rec);
}

static int add_sc_batch(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	return join_batch(keys, sizeof(struct sc_key), values, sizeof(struct sc_stats), cnt, ctx,
			  true, add_sc_stats);
}

/* fsync-type entries are few: no prefetch */
static int add_sync_batch(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	return join_batch(keys, sizeof(struct sc_key), values, sizeof(struct sync_stats), cnt, ctx,
			  false, add_sync_stats);
}

/* mapped faults are per file, few: no prefetch */
static int add_map_batch(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	return join_batch(keys, sizeof(struct file_key), values, sizeof(struct map_stats), cnt, ctx,
			  false, add_map_stats);
}

/* the arrays of a batch are packed by the map's sizes: they must be the ABI's */
static int dump_map(struct map *m, size_t key_sz, size_t value_sz, map_batch_fn fn,
		    struct file_table *t)
{
	if (map__key_size(m) != key_sz || map__value_size(m) != value_sz) {
		pr_warn("map '%s': key or value size is not the one of iotrace_abi.h",
			map__name(m));
		return -EINVAL;
	}
	return map__dump_batch(m, fn, t);
}

static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo, hi, n = 0;

	if (!f)
		return -errno;
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fgetc(f) == '-' && fscanf(f, "%d", &hi) == 1)
			fgetc(f);
		n += hi - lo + 1;
	}
	fclose(f);
	return n > 0 ? n : -EINVAL;
}

/* the n counters of a per-CPU array of u64, summed over the CPUs into out[] */
static int drain_percpu(struct map *m, uint32_t n, uint64_t *out)
{
	int ncpu = possible_cpus();
	uint64_t *v;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t r = 0; r < n && !err; r++) {
		err = map__lookup_elem(m, &r, v);
		for (int c = 0; c < ncpu && !err; c++)
			out[r] += v[c];
	}
	free(v);
	return err;
}

static int count_one(const void *key, const void *value, void *ctx)
{
	(void)key, (void)value;
	(*(uint64_t *)ctx)++;
	return 0;
}

static uint64_t count_keys(struct map *m)
{
	uint64_t n = 0;

	map__dump(m, count_one, &n);
	return n;
}

/*
 * Records whose path never arrived cannot be named: count them as dropped.
 * Before names_refresh, keep the ones it may name (announced without a
 * path, with the pointers to walk).
 */
static void prune_unnamed(struct trace_result *res, bool keep_walkable)
{
	struct file_table *t = &res->files;
	size_t kept = 0;

	for (size_t i = 0; i < t->cnt; i++) {
		struct file_entry *f = t->v[i];

		if (f->have_rec && (f->path || (keep_walkable && f->name_dentry))) {
			t->v[kept++] = f;
			continue;
		}
		if (f->have_rec)
			res->dropped_files++;
		free(f->path); /* the entry itself lives in the table's chunks */
	}
	t->cnt = kept;
}

void drain_named_only(struct trace_result *res)
{
	prune_unnamed(res, false);
	files_sort_by_path(&res->files);
}

/* ---- page cache additions, joined by inode -------------------------------------------- */

struct cache_ent {
	struct cache_key k;
	uint64_t pages;
	bool used;
};

struct cache_set {
	struct cache_ent *v;
	size_t cnt, cap;
};

static int cache_cmp(const void *a, const void *b)
{
	const struct cache_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cache_add(const void *key, const void *value, void *ctx)
{
	struct cache_set *c = ctx;

	if (c->cnt == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct cache_ent *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->cnt++] = (struct cache_ent){ *(const struct cache_key *)key,
					     *(const uint64_t *)value, false };
	return 0;
}

static struct cache_ent *cache_find(struct cache_set *c, uint32_t dev, uint64_t ino, uint32_t tgid)
{
	struct cache_key k = { .ino = ino, .dev = dev, .tgid = tgid };

	return c->cnt ? bsearch(&k, c->v, c->cnt, sizeof(*c->v), cache_cmp) : NULL;
}

/* an excluded file's pages are the filter's business, not unseen */
static int cache_drop_excluded(const void *key, const void *value, void *ctx)
{
	const struct file_key *fk = key;
	struct cache_ent *e = cache_find(ctx, fk->dev, fk->ino, fk->tgid);

	(void)value;
	if (e)
		e->used = true;
	return 0;
}

/*
 * Each inode's pages go to its record (the first of a reused inode number's
 * generations, which the event does not tell apart); the rest, metadata or
 * an executable loaded by exec, to unseen.
 */
static int join_cache(const struct iotrace_skel *s, struct trace_result *res)
{
	struct cache_set c = { 0 };
	int err = map__dump(s->maps.cachestats, cache_add, &c);

	if (!err && c.cnt) {
		qsort(c.v, c.cnt, sizeof(*c.v), cache_cmp);
		for (size_t i = 0; i < res->files.cnt; i++) {
			struct file_entry *f = res->files.v[i];
			struct cache_ent *e =
				f->have_rec ? cache_find(&c, f->key.dev, f->key.ino, f->key.tgid)
					    : NULL;

			if (e && !e->used) {
				f->cache_pages = e->pages;
				e->used = true;
			}
		}
		err = map__dump(s->maps.excluded, cache_drop_excluded, &c);
		for (size_t i = 0; i < c.cnt; i++)
			res->unseen[UNSEEN_CACHE_PAGES] += c.v[i].used ? 0 : c.v[i].pages;
	}
	free(c.v);
	return err;
}

int drain_maps(const struct iotrace_skel *s, struct trace_result *res)
{
	int err;

	err = dump_map(s->maps.files, sizeof(struct file_key), sizeof(struct file_rec),
		       add_file_recs, &res->files);
	err = err
		      ?: dump_map(s->maps.scstats, sizeof(struct sc_key), sizeof(struct sc_stats),
				  add_sc_batch, &res->files);
	err = err
		      ?: dump_map(s->maps.syncstats, sizeof(struct sc_key),
				  sizeof(struct sync_stats), add_sync_batch, &res->files);
	err = err
		      ?: dump_map(s->maps.mapstats, sizeof(struct file_key),
				  sizeof(struct map_stats), add_map_batch, &res->files);
	err = err ?: drain_percpu(s->maps.drops, DROP_MAX, res->drops);
	err = err ?: drain_percpu(s->maps.unseen, UNSEEN_MAX, res->unseen);
	err = err ?: join_cache(s, res);
	/* requests submitted and never reaped (or reaped past what a call could hold) */
	res->unseen[UNSEEN_AIO_IOCBS] += count_keys(s->maps.aioreq);
	res->unseen[UNSEEN_URING_REQS] += count_keys(s->maps.uringreq);
	if (err) {
		pr_warn("reading results: %s", strerror(-err));
		return err;
	}
	prune_unnamed(res, true);
	res->dropped_files += count_keys(s->maps.lostfiles);
	res->excluded_files = count_keys(s->maps.excluded);
	res->dropped_events = res->drops[DROP_FILES_FULL] + res->drops[DROP_SCSTATS_FULL] +
			      res->drops[DROP_INFLIGHT_FULL] + res->drops[DROP_FD_READ];
	if (res->drops[DROP_LOST_FULL])
		pr_warn("warning: more files lost than counted: dropped.files is a lower bound");
	if (res->drops[DROP_PIDS_FULL])
		pr_warn("warning: %llu forked processes could not be followed",
			(unsigned long long)res->drops[DROP_PIDS_FULL]);
	{
		char what[256];

		unseen_text(res->unseen, what, sizeof(what));
		if (what[0])
			pr_warn("warning: not counted: %s; the file I/O they do is not in the "
				"result%s",
				what,
				res->unseen[UNSEEN_SHARED_MMAP] && !res->mapped &&
						!res->mapped_unable
					? " (--mapped counts page faults on mappings per file)"
					: "");
	}
	files_sort_by_path(&res->files);
	return 0;
}
