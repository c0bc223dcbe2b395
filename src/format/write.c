// SPDX-License-Identifier: GPL-2.0
/*
 * The one writer of the result document and of its CSV form, over struct
 * rentry (a FILE object in memory): `iotrace report --format json|csv` writes
 * its entries (files or groups) with it, so reports compose, and the tracer
 * (record/output.c) writes each of its file_entry records through an rentry view.
 * Times are written minus a base: the earliest start of the documents read,
 * or 0 for the tracer, whose times are already relative.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "format/json.h"
#include "format/outbuf.h"
#include "format/document.h"
#include "format/schema.h"

static void write_hist(struct json *j, const char *key, const struct rhist *h)
{
	json_arr_begin(j, key);
	for (size_t i = 0; i < h->cnt; i++)
		json_u64_triple(j, NULL, h->b[i].lo, h->b[i].hi, h->b[i].cnt);
	json_arr_end(j);
}

static void write_sc(struct json *j, const struct rsc *sc)
{
	json_obj_begin(j, sc->name);
	json_u64(j, "calls", sc->calls);
	json_u64(j, "errors", sc->errors);
	if (sc->has & RSC_BYTES)
		json_u64(j, "bytes", sc->bytes);
	if (sc->has & RSC_REQ)
		write_hist(j, "req_hist", &sc->req);
	if (sc->has & RSC_DONE)
		write_hist(j, "done_hist", &sc->done);
	if (sc->has & RSC_LAT)
		write_hist(j, "lat_hist", &sc->lat);
	if (sc->has & RSC_TOTAL)
		json_u64(j, "total_ns", sc->total_ns);
	json_obj_end(j);
}

static void write_side(struct json *j, const char *key, const struct rside *s, uint64_t base,
		       bool is_write)
{
	if (!s->present) {
		json_null(j, key);
		return;
	}
	json_obj_begin(j, key);
	json_u64(j, "calls", s->calls);
	json_u64(j, "errors", s->errors);
	json_u64(j, "bytes", s->bytes);
	json_u64(j, "first_entry_ns", s->first_ns - base);
	if (s->has_last)
		json_u64(j, "last_return_ns", s->last_ns - base);
	else
		json_null(j, "last_return_ns");
	json_u64(j, "seq_calls", s->seq_calls);
	json_u64(j, "streams", s->streams);
	json_obj_begin(j, "open_flags");
	for (int i = 0; i < OFLAGS; i++)
		if (s->oflags[i])
			json_u64(j, oflag_keys[i], s->oflags[i]);
	json_obj_end(j);
	write_hist(j, "seq_hist", &s->seq);
	if (is_write)
		json_u64(j, "rewrites", s->rewrites);
	if (s->has_lat) {
		json_u64(j, "total_ns", s->total_ns);
		write_hist(j, "lat_hist", &s->lat);
	}
	json_obj_end(j);
}

static void write_fsync(struct json *j, const struct rfsync *fs)
{
	if (!fs->present) {
		json_null(j, "fsync");
		return;
	}
	json_obj_begin(j, "fsync");
	json_u64(j, "calls", fs->calls);
	json_u64(j, "errors", fs->errors);
	json_u64(j, "total_ns", fs->total_ns);
	write_hist(j, "lat_hist", &fs->lat);
	json_obj_end(j);
}

/* only for a file that had faults: documents before iotrace 0.4 have no "mapped" */
static void write_mapped(struct json *j, const struct rmapped *m, uint64_t base)
{
	if (!m->present)
		return;
	json_obj_begin(j, "mapped");
	json_u64(j, "faults", m->faults);
	json_u64(j, "write_faults", m->write_faults);
	json_u64(j, "first_fault_ns", m->first_ns - base);
	json_u64(j, "last_fault_ns", m->last_ns - base);
	json_obj_end(j);
}

static void write_col(struct json *j, const char *key, const struct rseries *s, size_t off)
{
	json_u64_row(j, key, (const char *)s->b + off, sizeof(*s->b), s->cnt);
}

/* the series with calls, as columns: bins, calls, errors, bytes (sides only), total_ns */
static void write_timeline(struct json *j, const struct rentry *e)
{
	if (!e->has_tl)
		return;
	json_obj_begin(j, "timeline");
	for (int s = 0; s < TL_SERIES; s++) {
		const struct rseries *sr = &e->tl[s];

		if (!sr->cnt)
			continue;
		json_obj_begin(j, s == TL_FSYNC ? "fsync" : side_keys[s]);
		write_col(j, "bins", sr, offsetof(struct rtbin, bin));
		write_col(j, "calls", sr, offsetof(struct rtbin, calls));
		write_col(j, "errors", sr, offsetof(struct rtbin, errors));
		if (s != TL_FSYNC)
			write_col(j, "bytes", sr, offsetof(struct rtbin, bytes));
		write_col(j, "total_ns", sr, offsetof(struct rtbin, total_ns));
		json_obj_end(j);
	}
	json_obj_end(j);
}

#define RDEV_SZ (2 * U64_DIGITS + 2)

/* "major:minor" of e, built backwards from the end of buf[RDEV_SZ] */
static const char *fmt_dev(char *buf, const struct rentry *e)
{
	char *p = buf + RDEV_SZ;

	*--p = 0;
	p = ob_fmt_u64(p, e->dev_minor);
	*--p = ':';
	return ob_fmt_u64(p, e->dev_major);
}

void rentry_write_json(struct json *j, const struct rentry *e, uint64_t base)
{
	char dev[RDEV_SZ];

	json_obj_begin(j, NULL);
	json_bytes(j, "path", e->path, e->path_len);
	if (!json_is_utf8(e->path, e->path_len))
		json_hex(j, "path_hex", e->path, e->path_len);
	json_arr_begin(j, "former_paths");
	for (size_t i = 0; i < e->former.cnt; i++)
		json_bytes(j, NULL, e->former.v[i], strlen(e->former.v[i]));
	json_arr_end(j);
	if (e->has_pid) {
		json_u64(j, "pid", e->pid);
		json_str(j, "comm", e->comm ? e->comm : "");
	}
	json_bool(j, "deleted", e->deleted);
	json_str(j, "dev", fmt_dev(dev, e));
	json_u64(j, "ino", e->ino);
	json_u64(j, "generation", e->gen);
	json_str(j, "fstype", e->fstype);
	json_arr_begin(j, "comms");
	for (unsigned int i = 0; i < e->comm_cnt; i++)
		json_str(j, NULL, e->comms[i]);
	json_arr_end(j);
	json_obj_begin(j, "syscalls");
	for (size_t i = 0; i < e->sc_cnt; i++)
		write_sc(j, &e->sc[i]);
	json_obj_end(j);
	for (int s = 0; s < SIDES; s++)
		write_side(j, side_keys[s], &e->side[s], base, s & 1);
	write_fsync(j, &e->fsync);
	write_mapped(j, &e->mapped, base);
	if (e->cache_pages) {
		json_obj_begin(j, "page_cache");
		json_u64(j, "pages_added", e->cache_pages);
		json_obj_end(j);
	}
	write_timeline(j, e);
	json_obj_end(j);
}

static void write_strs(struct json *j, const char *key, char *const *v, size_t n)
{
	json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++)
		json_str(j, NULL, v[i]);
	json_arr_end(j);
}

static size_t rstrs_cnt(const struct rstrs *s)
{
	return s ? s->cnt : 0;
}

static void write_rstrs(struct json *j, const char *key, const struct rstrs *s)
{
	write_strs(j, key, s ? s->v : NULL, rstrs_cnt(s));
}

static bool has_file_filters(const struct rdoc *d)
{
	return rstrs_cnt(d->paths) || rstrs_cnt(d->exclude) || rstrs_cnt(d->fstypes) ||
	       rstrs_cnt(d->exclude_fstypes) || d->excluded_files;
}

static void write_filter(struct json *j, const struct rdoc *d)
{
	json_obj_begin(j, "filter");
	json_arr_begin(j, "pids");
	for (size_t i = 0; i < d->pid_cnt; i++)
		json_u64(j, NULL, d->pids[i]);
	json_arr_end(j);
	write_strs(j, "comms", d->comms, d->comm_cnt);
	if (d->command)
		write_strs(j, "command", d->command, d->command_cnt);
	else
		json_null(j, "command");
	json_bool(j, "per_process", d->per_process);
	if (d->mapped >= 0)
		json_bool(j, "mapped", d->mapped);
	if (has_file_filters(d)) {
		write_rstrs(j, "paths", d->paths);
		write_rstrs(j, "exclude", d->exclude);
		write_rstrs(j, "fstypes", d->fstypes);
		write_rstrs(j, "exclude_fstypes", d->exclude_fstypes);
		json_u64(j, "excluded_files", d->excluded_files);
	}
	json_obj_end(j);
}

void rdoc_json_begin(struct json *j, FILE *f, const struct rdoc *d)
{
	char start[64];

	json_init(j, f, !d->compact);
	json_obj_begin(j, NULL);
	json_u64(j, "schema", FORMAT_SCHEMA);
	json_obj_begin(j, "tool");
	json_str(j, "name", "iotrace");
	json_str(j, "version", IOTRACE_VERSION);
	json_obj_end(j);
	json_obj_begin(j, "host");
	json_str(j, "hostname", d->hostname);
	json_str(j, "kernel", d->kernel);
	json_str(j, "machine", d->machine);
	json_obj_end(j);
	format_rfc3339(d->start_ns, start, sizeof(start));
	json_str(j, "start", start);
	json_u64(j, "start_unix_ns", d->start_ns);
	json_u64(j, "duration_ns", d->duration_ns);
	if (d->bin_ns) {
		json_obj_begin(j, "timeline");
		json_u64(j, "bin_ns", d->bin_ns);
		json_u64(j, "bins", d->bins);
		json_obj_end(j);
	}
	write_filter(j, d);
	json_obj_begin(j, "dropped");
	json_u64(j, "files", d->dropped_files);
	json_u64(j, "events", d->dropped_events);
	if (d->missed_runs)
		json_u64(j, "missed_runs", *d->missed_runs);
	json_obj_end(j);
	if (d->unseen) {
		json_obj_begin(j, "unseen");
		for (int i = 0; i < UNSEEN_MAX; i++)
			json_u64(j, unseen_keys[i], d->unseen[i]);
		json_obj_end(j);
	}
	json_arr_begin(j, "files");
}

void rdoc_json_end(struct json *j)
{
	json_arr_end(j);
	json_obj_end(j);
}

/* distinct values of a host field, comma-separated; NULL when out of memory */
static char *joined(const struct rstrs *s)
{
	size_t len = 0;
	char *buf;

	for (size_t i = 0; i < s->cnt; i++)
		len += strlen(s->v[i]) + 1;
	buf = calloc(1, len + 1);
	for (size_t i = 0; buf && i < s->cnt; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, s->v[i]);
	}
	return buf;
}

/* the span of the documents, stretched to hold every time of the entries */
static uint64_t duration_of(const struct rmeta *m, struct rentry **v, size_t n)
{
	uint64_t end = m->end_ns;

	for (size_t i = 0; i < n; i++) {
		for (int s = 0; s < SIDES; s++) {
			const struct rside *sd = &v[i]->side[s];

			if (sd->present && sd->first_ns > end)
				end = sd->first_ns;
			if (sd->has_last && sd->last_ns > end)
				end = sd->last_ns;
		}
	}
	return end - m->start_ns;
}

void report_write_json(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       bool per_process, void (*extra)(struct json *, void *), void *ctx)
{
	const struct rmeta *mt = &m->meta;
	char *host[3] = { joined(&mt->hostname), joined(&mt->kernel), joined(&mt->machine) };
	struct rdoc d = {
		.hostname = host[0] ? host[0] : "",
		.kernel = host[1] ? host[1] : "",
		.machine = host[2] ? host[2] : "",
		.start_ns = mt->start_ns,
		.pids = mt->pids,
		.pid_cnt = mt->pid_cnt,
		.comms = mt->comms.v,
		.comm_cnt = mt->comms.cnt,
		.command = mt->command,
		.command_cnt = mt->command_cnt,
		.per_process = per_process,
		.mapped = mt->mapped,
		.paths = &mt->ff.paths,
		.exclude = &mt->ff.exclude,
		.fstypes = &mt->ff.fstypes,
		.exclude_fstypes = &mt->ff.exclude_fstypes,
		.excluded_files = mt->ff.excluded_files,
		.dropped_files = mt->dropped_files,
		.dropped_events = mt->dropped_events,
		.missed_runs = mt->has_missed ? &mt->missed_runs : NULL,
		.unseen = mt->has_unseen ? mt->unseen : NULL,
		.bin_ns = mt->tl == 1 ? mt->bin_ns : 0,
		.bins = mt->bins,
	};
	struct json j;

	rentry_sort_path(v, n);
	d.duration_ns = duration_of(mt, v, n);
	rdoc_json_begin(&j, f, &d);
	for (size_t i = 0; i < n; i++)
		rentry_write_json(&j, v[i], mt->start_ns);
	json_arr_end(&j);
	if (extra)
		extra(&j, ctx);
	json_obj_end(&j);
	for (int i = 0; i < 3; i++)
		free(host[i]);
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_u64(struct outbuf *o, char before, uint64_t v)
{
	ob_putc(o, before);
	ob_u64(o, v);
}

/* csv_field, with the common case (nothing to quote) copied in place */
static void csv_put_field(struct outbuf *o, const char *s, size_t len)
{
	if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
	    !memchr(s, '\r', len)) {
		ob_write(o, s, len);
		return;
	}
	ob_flush(o);
	csv_field(o->f, s, len);
}

static void csv_str(struct outbuf *o, const char *s)
{
	csv_put_field(o, s, strlen(s));
}

static void csv_side(struct outbuf *o, const struct rside *s, uint64_t base)
{
	if (!s->present) {
		ob_put(o, ",,,,,,,,", 8);
		return;
	}
	csv_u64(o, ',', s->calls);
	csv_u64(o, ',', s->errors);
	csv_u64(o, ',', s->bytes);
	csv_u64(o, ',', s->seq_calls);
	csv_u64(o, ',', s->streams);
	csv_u64(o, ',', s->first_ns - base);
	ob_putc(o, ',');
	if (s->has_last)
		ob_u64(o, s->last_ns - base);
	ob_putc(o, ',');
	if (s->has_lat)
		ob_u64(o, s->total_ns);
}

/* calls, errors, bytes of each syscall of syscalls.def; unknown ones have no column */
static void csv_syscalls(struct outbuf *o, const struct rentry *e)
{
	size_t k = 0;

	for (int i = 0; i < SC_MAX; i++) {
		const struct rsc *sc = k < e->sc_cnt && e->sc[k].idx == i ? &e->sc[k++] : NULL;

		if (!sc) {
			ob_put(o, ",,,", 3);
			continue;
		}
		csv_u64(o, ',', sc->calls);
		csv_u64(o, ',', sc->errors);
		ob_putc(o, ',');
		if (sc->has & RSC_BYTES)
			ob_u64(o, sc->bytes);
	}
}

/* the identity columns of a long table's row: path, [pid, comm,] dev, ino, generation */
static void csv_ident(struct outbuf *o, const struct rentry *e, bool per_process)
{
	csv_put_field(o, e->path, e->path_len);
	if (per_process) {
		ob_putc(o, ',');
		if (e->has_pid)
			ob_u64(o, e->pid);
		ob_putc(o, ',');
		if (e->comm)
			csv_str(o, e->comm);
	}
	csv_u64(o, ',', e->dev_major);
	csv_u64(o, ':', e->dev_minor);
	csv_u64(o, ',', e->ino);
	csv_u64(o, ',', e->gen);
}

void rentry_write_csv(struct outbuf *o, const struct rentry *e, uint64_t base, bool per_process)
{
	csv_ident(o, e, per_process);
	ob_putc(o, ',');
	csv_str(o, e->fstype);
	ob_str(o, e->deleted ? ",true," : ",false,");
	for (size_t i = 0; i < e->former.cnt; i++) {
		if (i)
			ob_putc(o, ';');
		csv_str(o, e->former.v[i]);
	}
	ob_putc(o, ',');
	for (unsigned int i = 0; i < e->comm_cnt; i++) {
		if (i)
			ob_putc(o, ';');
		csv_str(o, e->comms[i]);
	}
	for (int s = 0; s < SIDES; s++) {
		const struct rside *sd = &e->side[s];

		csv_side(o, sd, base);
		if (!(s & 1))
			continue;
		if (sd->present)
			csv_u64(o, ',', sd->rewrites);
		else
			ob_putc(o, ',');
	}
	if (e->fsync.present) {
		csv_u64(o, ',', e->fsync.calls);
		csv_u64(o, ',', e->fsync.errors);
		csv_u64(o, ',', e->fsync.total_ns);
	} else {
		ob_put(o, ",,,", 3);
	}
	csv_syscalls(o, e);
	if (e->mapped.present) {
		csv_u64(o, ',', e->mapped.faults);
		csv_u64(o, ',', e->mapped.write_faults);
		csv_u64(o, ',', e->mapped.first_ns - base);
		csv_u64(o, ',', e->mapped.last_ns - base);
	} else {
		ob_put(o, ",,,,", 4);
	}
	if (e->cache_pages)
		csv_u64(o, ',', e->cache_pages);
	else
		ob_putc(o, ',');
	ob_put(o, "\r\n", 2);
}

void report_write_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process)
{
	struct outbuf o;

	rentry_sort_path(v, n);
	csv_header(f, per_process);
	ob_init(&o, f);
	for (size_t i = 0; i < n; i++)
		rentry_write_csv(&o, v[i], m->meta.start_ns, per_process);
	ob_flush(&o);
}

/*
 * A long table's start: the entries in path order, then the header, whose
 * identity columns are the ones csv_ident writes, then columns
 */
static void long_table_begin(FILE *f, struct outbuf *o, struct rentry **v, size_t n,
			     bool per_process, const char *columns)
{
	rentry_sort_path(v, n);
	fprintf(f, "path%s,dev,ino,generation,%s\r\n", per_process ? ",pid,comm" : "", columns);
	ob_init(o, f);
}

void report_write_syscalls_csv(FILE *f, struct rentry **v, size_t n, bool per_process)
{
	struct outbuf o;

	long_table_begin(f, &o, v, n, per_process, "syscall,calls,errors,bytes,total_ns");
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i]->sc_cnt; k++) {
			const struct rsc *sc = &v[i]->sc[k];

			csv_ident(&o, v[i], per_process);
			ob_putc(&o, ',');
			csv_str(&o, sc->name);
			csv_u64(&o, ',', sc->calls);
			csv_u64(&o, ',', sc->errors);
			ob_putc(&o, ',');
			if (sc->has & RSC_BYTES)
				ob_u64(&o, sc->bytes);
			ob_putc(&o, ',');
			if (sc->has & RSC_TOTAL)
				ob_u64(&o, sc->total_ns);
			ob_put(&o, "\r\n", 2);
		}
	}
	ob_flush(&o);
}

static void csv_hist_rows(struct outbuf *o, const struct rentry *e, bool per_process,
			  const char *of, const char *hist, const struct rhist *h)
{
	for (size_t b = 0; b < h->cnt; b++) {
		csv_ident(o, e, per_process);
		ob_putc(o, ',');
		csv_str(o, of);
		ob_putc(o, ',');
		ob_str(o, hist);
		csv_u64(o, ',', h->b[b].lo);
		csv_u64(o, ',', h->b[b].hi);
		csv_u64(o, ',', h->b[b].cnt);
		ob_put(o, "\r\n", 2);
	}
}

void report_write_hist_csv(FILE *f, struct rentry **v, size_t n, bool per_process)
{
	struct outbuf o;

	long_table_begin(f, &o, v, n, per_process, "of,hist,lo,hi,count");
	for (size_t i = 0; i < n; i++) {
		const struct rentry *e = v[i];

		for (int s = 0; s < SIDES; s++) {
			csv_hist_rows(&o, e, per_process, side_keys[s], "seq_hist",
				      &e->side[s].seq);
			csv_hist_rows(&o, e, per_process, side_keys[s], "lat_hist",
				      &e->side[s].lat);
		}
		csv_hist_rows(&o, e, per_process, "fsync", "lat_hist", &e->fsync.lat);
		for (size_t k = 0; k < e->sc_cnt; k++) {
			const struct rsc *sc = &e->sc[k];

			csv_hist_rows(&o, e, per_process, sc->name, "req_hist", &sc->req);
			csv_hist_rows(&o, e, per_process, sc->name, "done_hist", &sc->done);
			csv_hist_rows(&o, e, per_process, sc->name, "lat_hist", &sc->lat);
		}
	}
	ob_flush(&o);
}

/*
 * The timelines in long form: a row per entry, series and bin with calls.
 * start_ns and end_ns are from the start of the entry's documents; bytes
 * is empty for fsync.
 */
void report_write_timeline_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
			       bool per_process)
{
	uint64_t w = m->meta.bin_ns;
	struct outbuf o;

	long_table_begin(f, &o, v, n, per_process,
			 "series,bin,start_ns,end_ns,calls,errors,bytes,total_ns");
	for (size_t i = 0; i < n; i++) {
		const struct rentry *e = v[i];

		for (int s = 0; s < TL_SERIES; s++) {
			for (size_t b = 0; b < e->tl[s].cnt; b++) {
				const struct rtbin *t = &e->tl[s].b[b];

				csv_ident(&o, e, per_process);
				ob_putc(&o, ',');
				ob_str(&o, s == TL_FSYNC ? "fsync" : side_keys[s]);
				csv_u64(&o, ',', t->bin);
				csv_u64(&o, ',', t->bin * w);
				csv_u64(&o, ',', (t->bin + 1) * w);
				csv_u64(&o, ',', t->calls);
				csv_u64(&o, ',', t->errors);
				ob_putc(&o, ',');
				if (s != TL_FSYNC)
					ob_u64(&o, t->bytes);
				csv_u64(&o, ',', t->total_ns);
				ob_put(&o, "\r\n", 2);
			}
		}
	}
	ob_flush(&o);
}
