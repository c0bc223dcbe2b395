// SPDX-License-Identifier: GPL-2.0
/*
 * Timelines, taken by user space alone: at each interval's end the files
 * and fsync maps are read, and what each record's counters grew by since
 * the last read goes into the bin of that interval.  The BPF side does no
 * work for it.  The last bin is the final totals minus the last read, so
 * the bins of a file add up to its totals exactly.
 *
 * A call belongs to the interval in which its counters were updated, at
 * its return; the edge is the moment the maps are read, a few ms after
 * the interval's end at most.  Bins are a whole number of intervals wide:
 * when the trace outgrows the bin count, neighbours merge and the width
 * doubles.  With --stream, each interval's changes are also written out as
 * one JSON line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/record.h"
#include "format/json.h"
#include "loader.h"
#include "iotrace.skel.h"

/* bins of the default timeline (1 s, doubling) and of one whose width --interval fixes */
#define TL_BINS_AUTO  128
#define TL_BINS_FIXED 1024

void timeline_init(struct timeline *tl, const struct options *opts)
{
	memset(tl, 0, sizeof(*tl));
	tl->interval_ns = opts->interval_ns ? opts->interval_ns : 1000000000ULL;
	tl->max_bins = opts->interval_ns ? TL_BINS_FIXED : TL_BINS_AUTO;
	tl->fixed = opts->interval_ns != 0;
	tl->streaming = opts->stream != NULL;
	/* testing hook, not an option: fewer bins, so that a short trace doubles the width */
	if (getenv("IOTRACE_TIMELINE_BINS") && atoi(getenv("IOTRACE_TIMELINE_BINS")) > 0)
		tl->max_bins = (uint64_t)atoi(getenv("IOTRACE_TIMELINE_BINS"));
}

static struct file_tl *tl_of(struct file_table *t, struct file_entry *f)
{
	if (!f->tl)
		f->tl = files_alloc(t, sizeof(*f->tl));
	return f->tl;
}

/* the doubling of the width: every series' bins merged in pairs */
static void widen(struct trace_result *res)
{
	struct file_table *t = &res->files;

	res->tl.shift++;
	for (size_t i = 0; i < t->cnt; i++)
		for (int s = 0; t->v[i]->tl && s < TL_SERIES; s++) {
			struct file_series *fs = &t->v[i]->tl->s[s];
			struct rseries r = { fs->b, fs->cnt };

			rseries_rebin(&r, 2);
			fs->cnt = (uint32_t)r.cnt;
		}
}

/* the bin of interval k, the width doubled as often as the bin count needs */
static uint64_t bin_of(struct trace_result *res, uint64_t k)
{
	while ((k >> res->tl.shift) >= res->tl.max_bins)
		widen(res);
	return k >> res->tl.shift;
}

/*
 * A bin added to a series.  Series grow in the file table's chunks, as the
 * records' histograms do: nothing is freed one by one (a grown series
 * leaves its old block behind, at most the size of the new one), so the
 * end of a trace writes to none of these pages.  Written after the detach
 * child forked, each page would be copied.
 */
static int append(struct file_table *t, struct file_series *fs, uint64_t bin, const uint64_t d[4])
{
	struct rtbin *last = fs->cnt ? &fs->b[fs->cnt - 1] : NULL;

	if (last && last->bin == bin) {
		last->calls += d[0], last->errors += d[1], last->bytes += d[2];
		last->total_ns += d[3];
		return 0;
	}
	if (fs->cnt == fs->cap) {
		uint32_t cap = fs->cap ? 2 * fs->cap : 4;
		struct rtbin *b = files_alloc(t, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		if (fs->cnt)
			memcpy(b, fs->b, fs->cnt * sizeof(*b));
		fs->b = b;
		fs->cap = cap;
	}
	fs->b[fs->cnt++] = (struct rtbin){ bin, d[0], d[1], d[2], d[3] };
	return 0;
}

/* ---- reading the counters -------------------------------------------------------- */

static void add_counts(uint64_t c[4], uint64_t calls, uint64_t errors, uint64_t bytes, uint64_t ns)
{
	c[0] += calls, c[1] += errors, c[2] += bytes, c[3] += ns;
}

static int cur_rec(const void *key, const void *value, struct file_table *t)
{
	const struct file_rec *rec = value;
	struct file_key k = *(const struct file_key *)key;
	int base = k.part == FILE_PART_COPY    ? SIDE_COPY_READ
		   : k.part == FILE_PART_ASYNC ? SIDE_ASYNC_READ
					       : SIDE_READ;
	struct file_entry *f;
	struct file_tl *tl;

	k.part = FILE_PART_MAIN;
	f = files_get(t, &k);
	tl = f ? tl_of(t, f) : NULL;
	if (!tl)
		return -ENOMEM;
	for (int s = 0; s < 2; s++) {
		const struct rw_side *sd = &rec->side[s];

		add_counts(tl->cur[base + s], sd->calls, sd->errors, sd->bytes, sd->lat_total_ns);
		tl->cur[base + s][TC_SEQ] += sd->seq_calls;
		tl->cur[base + s][TC_REWRITES] += sd->rewrites;
	}
	return 0;
}

/*
 * A batch of the files map (1024 records of a few KiB).  Between batches
 * the events ring buffer is drained: a read of 100,000 records takes a few
 * hundred ms, long enough for new files' events to fill it otherwise.
 */
static int cur_recs(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	struct trace_result *res = ctx;

	for (uint32_t i = 0; i < cnt; i++) {
		int err = cur_rec((const struct file_key *)keys + i,
				  (const struct file_rec *)values + i, &res->files);

		if (err)
			return err;
	}
	if (res->tl.pump && res->tl.pump(res->tl.pump_ctx))
		return -ECANCELED;
	return 0;
}

static int cur_syncs(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	struct file_table *t = ctx;

	for (uint32_t i = 0; i < cnt; i++) {
		const struct sc_key *k = (const struct sc_key *)keys + i;
		const struct sync_stats *v = (const struct sync_stats *)values + i;
		struct file_entry *f;
		struct file_tl *tl;

		if (k->sc >= SC_MAX || sc_infos[k->sc].kind != SC_KIND_SYNC)
			continue;
		f = files_get(t, &k->fk);
		tl = f ? tl_of(t, f) : NULL;
		if (!tl)
			return -ENOMEM;
		add_counts(tl->cur[TL_FSYNC], v->calls, v->errors, 0, v->total_ns);
		if (!tl->fsync_hist)
			tl->fsync_hist = files_alloc(t, LAT_BUCKETS * sizeof(uint64_t));
		if (!tl->fsync_hist)
			return -ENOMEM;
		for (int b = 0; b < LAT_BUCKETS; b++)
			tl->fsync_hist[b] += v->lat_hist[b];
	}
	return 0;
}

/* the final totals of a record (after drain_maps) as its current counters */
static int cur_final(struct file_table *t, struct file_entry *f)
{
	struct file_tl *tl = tl_of(t, f);

	if (!tl)
		return -ENOMEM;
	memset(tl->cur, 0, sizeof(tl->cur));
	for (int s = 0; s < SIDES; s++) {
		const struct file_side *sd = &f->side[s];

		add_counts(tl->cur[s], sd->calls, sd->errors, sd->bytes, sd->lat_total_ns);
	}
	for (int i = 0; i < SC_MAX; i++)
		if (sc_infos[i].kind == SC_KIND_SYNC && f->sync[i])
			add_counts(tl->cur[TL_FSYNC], f->sync[i]->calls, f->sync[i]->errors, 0,
				   f->sync[i]->total_ns);
	return 0;
}

/* ---- the stream: one JSON line per interval ------------------------------------ */

static void stream_series(struct json *j, const char *key, const uint64_t d[4], bool fsync)
{
	json_obj_begin(j, key);
	json_u64(j, "calls", d[0]);
	json_u64(j, "errors", d[1]);
	if (!fsync)
		json_u64(j, "bytes", d[2]);
	json_u64(j, "total_ns", d[3]);
	json_obj_end(j);
}

static void stream_file(struct json *j, const struct file_entry *f, uint64_t d[TL_SERIES][4],
			bool per_process)
{
	char dev[32];

	json_obj_begin(j, NULL);
	if (f->path)
		json_bytes(j, "path", f->path, f->path_len);
	else
		json_null(j, "path");
	snprintf(dev, sizeof(dev), "%u:%u", f->key.dev >> 20, f->key.dev & 0xfffff);
	json_str(j, "dev", dev);
	json_u64(j, "ino", f->key.ino);
	if (per_process)
		json_u64(j, "pid", f->key.tgid);
	for (int s = 0; s < TL_SERIES; s++)
		if (d[s][0])
			stream_series(j, s == TL_FSYNC ? "fsync" : side_keys[s], d[s],
				      s == TL_FSYNC);
	json_obj_end(j);
}

/* ---- an interval's end ------------------------------------------------------------ */

/*
 * Interval k ended: what each record's counters grew by since the last
 * read is its bin's.  A counter below its last reading belongs to a record
 * the BPF side deleted (a file the filters left out): it starts over.
 */
static int close_interval(struct trace_result *res, uint64_t k, struct json *j, bool per_process)
{
	struct file_table *t = &res->files;
	uint64_t bin = bin_of(res, k);
	int err = 0;

	for (size_t i = 0; i < t->cnt && !err; i++) {
		struct file_entry *f = t->v[i];
		struct file_tl *tl = f->tl;
		uint64_t d[TL_SERIES][4];
		bool any = false;

		if (!tl)
			continue;
		for (int s = 0; s < TL_SERIES; s++) {
			bool reset = tl->cur[s][0] < tl->prev[s][0];

			for (int c = 0; c < 4; c++) {
				d[s][c] = reset ? 0 : tl->cur[s][c] - tl->prev[s][c];
				tl->prev[s][c] = tl->cur[s][c];
			}
			if (d[s][0])
				err = err ?: append(t, &tl->s[s], bin, d[s]);
			any |= d[s][0] != 0;
		}
		if (any && j)
			stream_file(j, f, d, per_process);
	}
	return err;
}

/* close_interval, with the interval's line on stream when there is one */
static int close_streamed(struct trace_result *res, uint64_t k, uint64_t start_ns, uint64_t end_ns,
			  FILE *stream, bool per_process)
{
	struct json j;
	int err;

	if (!stream)
		return close_interval(res, k, NULL, per_process);
	json_init(&j, stream, false);
	json_obj_begin(&j, NULL);
	json_u64(&j, "interval", k);
	json_u64(&j, "start_ns", start_ns);
	json_u64(&j, "end_ns", end_ns);
	json_arr_begin(&j, "files");
	err = close_interval(res, k, &j, per_process);
	json_arr_end(&j);
	json_obj_end(&j);
	fputc('\n', stream);
	fflush(stream);
	return err;
}

int timeline_read(const struct iotrace_skel *s, struct trace_result *res)
{
	struct file_table *t = &res->files;
	int err;

	for (size_t i = 0; i < t->cnt; i++) {
		struct file_tl *tl = t->v[i]->tl;

		if (!tl)
			continue;
		memset(tl->cur, 0, sizeof(tl->cur));
		if (tl->fsync_hist)
			memset(tl->fsync_hist, 0, LAT_BUCKETS * sizeof(uint64_t));
	}
	err = map__dump_batch(s->maps.files, cur_recs, res);
	return err ?: map__dump_batch(s->maps.syncstats, cur_syncs, t);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The reads' cost, bounded: a read copies every record (about 2 us each),
 * so with many files it takes a share of a CPU.  Without --interval and a
 * stream, the bins widen until a read takes at most 1/READ_SHARE of the
 * time between reads; otherwise iotrace says once what it costs.
 */
#define READ_SHARE 50

static void read_cost(struct trace_result *res, uint64_t started)
{
	struct timeline *tl = &res->tl;
	uint64_t took = mono_now() - started;

	pr_debug("timeline: %zu records read in %.1f ms", res->files.cnt, took / 1e6);
	while (!tl->fixed && !tl->streaming && took * READ_SHARE > (tl->interval_ns << tl->shift) &&
	       (tl->interval_ns << (tl->shift + 1)) < 3600000000000ULL)
		widen(res);
	if ((tl->fixed || tl->streaming) && !tl->warned && took * 10 > tl->interval_ns) {
		tl->warned = true;
		pr_warn("timeline: reading %zu records takes %.0f ms of each %.0f ms interval",
			res->files.cnt, took / 1e6, tl->interval_ns / 1e6);
	}
}

int timeline_tick(const struct iotrace_skel *s, struct trace_result *res, uint64_t now_mono,
		  FILE *stream, bool per_process)
{
	struct timeline *tl = &res->tl;
	uint64_t k, step, elapsed = now_mono - res->start_mono_ns;
	int err;

	if (now_mono < tl->next_edge_ns)
		return 0;
	/* the interval that ended last; with a late wake-up, the ones skipped join it */
	k = elapsed / tl->interval_ns - 1;
	err = timeline_read(s, res);
	if (err == -ECANCELED)
		return 0; /* the trace ends: the last bin takes what this read would have */
	read_cost(res, now_mono);
	if (err) {
		pr_warn("timeline: reading the maps: %s", strerror(-err));
		return err;
	}
	err = close_streamed(res, k, k * tl->interval_ns, (k + 1) * tl->interval_ns, stream,
			     per_process);
	/* without a stream, a read per bin is enough */
	step = tl->streaming ? 1 : 1ULL << tl->shift;
	tl->next_edge_ns = res->start_mono_ns + ((k + 1) / step + 1) * step * tl->interval_ns;
	return err;
}

uint64_t timeline_next_edge(struct trace_result *res)
{
	if (!res->tl.next_edge_ns)
		res->tl.next_edge_ns = res->start_mono_ns + res->tl.interval_ns;
	return res->tl.next_edge_ns;
}

int timeline_finish(struct trace_result *res, FILE *stream, bool per_process)
{
	struct file_table *t = &res->files;
	uint64_t k = res->duration_ns ? (res->duration_ns - 1) / res->tl.interval_ns : 0;
	int err = 0;

	for (size_t i = 0; i < t->cnt && !err; i++)
		err = cur_final(t, t->v[i]);
	/* the last line ends at the trace's end, inside its interval */
	err = err
		      ?: close_streamed(res, k, k * res->tl.interval_ns, res->duration_ns, stream,
					per_process);
	res->tl.bins = bin_of(res, k) + 1;
	res->tl.bin_ns = res->tl.interval_ns << res->tl.shift;
	return err;
}

/* ---- one record's histograms, for a live view's detail ------------------------------- */

int timeline_record_hists(const struct iotrace_skel *s, const struct file_entry *f,
			  struct rentry *e)
{
	static const uint32_t parts[3] = { FILE_PART_MAIN, FILE_PART_COPY, FILE_PART_ASYNC };
	struct file_rec *rec = malloc(sizeof(*rec));
	struct sync_stats *sy = malloc(sizeof(*sy));
	int err = rec && sy ? 0 : -ENOMEM;

	for (int p = 0; p < 3 && !err; p++) {
		struct file_key k = f->key;

		k.part = parts[p];
		if (map__lookup_elem(s->maps.files, &k, rec))
			continue;
		for (int d = 0; d < 2 && !err; d++) {
			struct rside *sd = &e->side[2 * p + d];

			err = rhist_add_counts(&sd->lat, (const uint64_t *)rec->side[d].lat_hist,
					       NULL, LAT_BUCKETS, lat_bucket_bounds);
			err = err
				      ?: rhist_add_counts(&sd->seq,
							  (const uint64_t *)rec->side[d].seq_hist,
							  NULL, HIST_BUCKETS, hist_bucket_bounds);
		}
	}
	for (int i = 0; i < SC_MAX && !err; i++) {
		struct sc_key k = { .fk = f->key, .sc = (uint32_t)i };

		if (sc_infos[i].kind != SC_KIND_SYNC || map__lookup_elem(s->maps.syncstats, &k, sy))
			continue;
		err = rhist_add_counts(&e->fsync.lat, (const uint64_t *)sy->lat_hist, NULL,
				       LAT_BUCKETS, lat_bucket_bounds);
	}
	free(rec);
	free(sy);
	return err;
}
