// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace top`.  Each refresh turns the tracer's records into two sets of
 * result entries (struct rentry, the report's model): what each file did
 * in total, and what it did since the last refresh.  Selection (the
 * filter), grouping (the report's --by) and the columns work on those, so
 * a group's rates are its files' summed, and -r shows saved documents the
 * same way (totals only: a document has no "last interval").
 *
 * Rates divide the last refresh's counts by its length; fsync p99 is the
 * upper bound of the latency bucket holding it, as in the report.
 */
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top/top.h"
#include "top/term.h"
#include "cli/log.h"
#include "format/document.h"
#include "report/report.h"
#include "loader.h"
#include "iotrace.skel.h"

enum col {
	K_PATH,
	K_COMM,
	K_RCALLS,
	K_WCALLS,
	K_RBYTES,
	K_WBYTES,
	K_RSZ,
	K_WSZ,
	K_SEQ,
	K_FSYNC,
	K_FSP99,
	K_ERR,
	K_REWR,
	K_CNT
};

static const struct {
	const char *rate, *total; /* titles in the two modes */
	int w;
} col_defs[K_CNT] = {
	[K_PATH] = { "PATH", "PATH", 0 },      [K_COMM] = { "COMM", "COMM", 15 },
	[K_RCALLS] = { "R/s", "READS", 8 },    [K_WCALLS] = { "W/s", "WRITES", 8 },
	[K_RBYTES] = { "RB/s", "RBYTES", 7 },  [K_WBYTES] = { "WB/s", "WBYTES", 7 },
	[K_RSZ] = { "RSZ", "RSZ", 6 },	       [K_WSZ] = { "WSZ", "WSZ", 6 },
	[K_SEQ] = { "SEQ%", "SEQ%", 5 },       [K_FSYNC] = { "FS/s", "FSYNC", 7 },
	[K_FSP99] = { "FS.P99", "FS.P99", 7 }, [K_ERR] = { "ERR", "ERR", 6 },
	[K_REWR] = { "REWR", "REWR", 6 },
};

static const char *const group_names[] = { "file", "dir", "ext", "comm", "fstype" };
static const enum rby group_by[] = { BY_FILE, BY_DIR, BY_EXT, BY_COMM, BY_FSTYPE };
#define GROUPS 5

struct row {
	struct rentry *tot, *dlt;   /* dlt NULL: no interval (saved results, or the trace ended) */
	const struct file_entry *f; /* the file of a live file row, for its histograms */
	double v[K_CNT];
};

struct top {
	struct options *opts;
	bool tty, live, ended, quit;
	uint64_t refresh_ns;
	bool totals, reverse, paused;
	int sort, group;
	char filter[128], edit[128];
	bool editing;
	size_t edit_len;
	size_t sel, scroll, detail_off;
	bool detail;
	int tl_off;
	/* the entries of the last refresh (owned), and the rows over them */
	struct rentry **tot, **dlt;
	const struct file_entry **files;
	size_t n;
	struct rtable gtot, gdlt;
	struct row *rows;
	size_t row_cnt;
	double secs;	   /* what dlt covers */
	double span_s;	   /* saved results: the documents' span */
	uint64_t shown_ns; /* CLOCK_MONOTONIC of the last refresh */
	uint64_t bin_ns, bins;
	const struct iotrace_skel *skel;
	struct rmodel *model; /* -r */
	int rows_seen, cols_seen;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- entries from the tracer's records ----------------------------------------------- */

static void free_entries(struct top *tp)
{
	for (size_t i = 0; i < tp->n; i++) {
		if (!tp->model)
			rentry_free(tp->tot[i]);
		if (tp->dlt)
			rentry_free(tp->dlt[i]);
	}
	free(tp->tot);
	free(tp->dlt);
	free(tp->files);
	tp->tot = tp->dlt = NULL;
	tp->files = NULL;
	tp->n = 0;
	rtable_free(&tp->gtot);
	rtable_free(&tp->gdlt);
	free(tp->rows);
	tp->rows = NULL;
	tp->row_cnt = 0;
}

static struct rentry *new_entry(const struct file_entry *f, bool per_process)
{
	struct rentry *e = calloc(1, sizeof(*e));
	char name[64];

	if (!e)
		return NULL;
	if (f->path) {
		e->path = strndup(f->path, f->path_len);
		e->path_len = f->path_len;
	} else {
		/* not named yet (a file first seen by AIO or io_uring) */
		snprintf(name, sizeof(name), "[%u:%u inode %llu]", f->key.dev >> 20,
			 f->key.dev & 0xfffff, (unsigned long long)f->key.ino);
		e->path = strdup(name);
		e->path_len = strlen(name);
	}
	e->fstype = strdup(f->fstype);
	e->dev_major = f->key.dev >> 20;
	e->dev_minor = f->key.dev & 0xfffff;
	e->ino = f->key.ino;
	e->gen = f->key.gen;
	if (per_process) {
		e->has_pid = true;
		e->pid = f->key.tgid;
		e->comm = strdup(f->comm);
	}
	for (unsigned int i = 0; i < f->comm_cnt; i++)
		rentry_add_comm(e, f->comms[i]);
	if (!e->path || !e->fstype || (per_process && !e->comm)) {
		rentry_free(e);
		return NULL;
	}
	return e;
}

static void set_side(struct rside *sd, const uint64_t c[TC_COLS])
{
	sd->present = c[TC_CALLS] != 0;
	sd->calls = c[TC_CALLS];
	sd->errors = c[TC_ERRORS];
	sd->bytes = c[TC_BYTES];
	sd->total_ns = c[TC_NS];
	sd->seq_calls = c[TC_SEQ];
	sd->rewrites = c[TC_REWRITES];
	sd->has_lat = true;
}

/* f's totals (tl->cur) and what they grew by since the last refresh (tl->shown) */
static int live_pair(struct top *tp, const struct file_entry *f, struct rentry **tot,
		     struct rentry **dlt)
{
	struct file_tl *tl = f->tl;
	uint64_t d[TC_COLS];
	int err = 0;

	*tot = new_entry(f, tp->opts->per_process);
	*dlt = new_entry(f, tp->opts->per_process);
	if (!*tot || !*dlt)
		return -ENOMEM;
	for (int s = 0; s < TL_SERIES; s++) {
		bool reset = !tl->shown || tl->cur[s][TC_CALLS] < tl->shown[s][TC_CALLS];

		for (int c = 0; c < TC_COLS; c++)
			d[c] = reset ? tl->cur[s][c] : tl->cur[s][c] - tl->shown[s][c];
		if (s < SIDES) {
			set_side(&(*tot)->side[s], tl->cur[s]);
			set_side(&(*dlt)->side[s], d);
		} else {
			(*tot)->fsync = (struct rfsync){ .present = tl->cur[s][TC_CALLS] != 0,
							 .calls = tl->cur[s][TC_CALLS],
							 .errors = tl->cur[s][TC_ERRORS],
							 .total_ns = tl->cur[s][TC_NS] };
			(*dlt)->fsync = (struct rfsync){ .present = d[TC_CALLS] != 0,
							 .calls = d[TC_CALLS],
							 .errors = d[TC_ERRORS],
							 .total_ns = d[TC_NS] };
		}
		(*tot)->tl[s] = (struct rseries){ 0 };
		err = err
			      ?: rseries_add(&(*tot)->tl[s],
					     &(struct rseries){ tl->s[s].b, tl->s[s].cnt });
	}
	err = err
		      ?: rhist_add_counts(&(*tot)->fsync.lat, tl->fsync_hist, NULL, LAT_BUCKETS,
					  lat_bucket_bounds);
	err = err
		      ?: rhist_add_counts(&(*dlt)->fsync.lat, tl->fsync_hist, tl->shown_hist,
					  LAT_BUCKETS, lat_bucket_bounds);
	return err;
}

/* the counters read now become what the next refresh's rates start from */
static void mark_shown(struct file_table *t, struct file_tl *tl)
{
	if (!tl->shown)
		tl->shown = files_alloc(t, sizeof(tl->cur));
	if (tl->shown)
		memcpy(tl->shown, tl->cur, sizeof(tl->cur));
	if (tl->fsync_hist && !tl->shown_hist)
		tl->shown_hist = files_alloc(t, LAT_BUCKETS * sizeof(uint64_t));
	if (tl->fsync_hist && tl->shown_hist)
		memcpy(tl->shown_hist, tl->fsync_hist, LAT_BUCKETS * sizeof(uint64_t));
}

static int load_live(struct top *tp, struct trace_result *res)
{
	struct file_table *t = &res->files;
	uint64_t now = mono_ns();
	int err = 0;

	free_entries(tp);
	tp->tot = calloc(t->cnt + 1, sizeof(*tp->tot));
	tp->dlt = calloc(t->cnt + 1, sizeof(*tp->dlt));
	tp->files = calloc(t->cnt + 1, sizeof(*tp->files));
	if (!tp->tot || !tp->dlt || !tp->files)
		return -ENOMEM;
	for (size_t i = 0; i < t->cnt && !err; i++) {
		const struct file_entry *f = t->v[i];

		if (!f->tl)
			continue;
		tp->files[tp->n] = f;
		err = live_pair(tp, f, &tp->tot[tp->n], &tp->dlt[tp->n]);
		tp->n++;
		mark_shown(t, f->tl);
	}
	tp->secs = tp->shown_ns ? (double)(now - tp->shown_ns) / 1e9 : 0;
	tp->shown_ns = now;
	tp->bin_ns = res->tl.interval_ns << res->tl.shift;
	tp->bins = res->tl.interval_ns ? (now - res->start_mono_ns) / tp->bin_ns + 1 : 0;
	return err;
}

/* the trace's end: each file's final totals (drain_maps) with its histograms */
static int rhist_of(struct rhist *out, const struct hist_nz *h,
		    void (*bounds)(int, uint64_t *, uint64_t *))
{
	struct rbucket b[LAT_BUCKETS];
	struct rhist tmp = { b, 0 };

	for (uint32_t i = 0; i < h->cnt && i < LAT_BUCKETS; i++) {
		bounds((int)h->b[i].idx, &b[i].lo, &b[i].hi);
		b[i].cnt = h->b[i].cnt;
		tmp.cnt++;
	}
	return tmp.cnt ? rhist_add(out, &tmp) : 0;
}

static int load_final(struct top *tp, struct trace_result *res)
{
	struct file_table *t = &res->files;
	int err = 0;

	free_entries(tp);
	tp->tot = calloc(t->cnt + 1, sizeof(*tp->tot));
	tp->files = calloc(t->cnt + 1, sizeof(*tp->files));
	if (!tp->tot || !tp->files)
		return -ENOMEM;
	for (size_t i = 0; i < t->cnt && !err; i++) {
		const struct file_entry *f = t->v[i];
		struct rentry *e = new_entry(f, tp->opts->per_process);

		if (!e)
			return -ENOMEM;
		tp->tot[tp->n++] = e;
		for (int s = 0; s < SIDES && !err; s++) {
			const struct file_side *fs = &f->side[s];
			uint64_t c[TC_COLS] = { fs->calls,	  fs->errors,	 fs->bytes,
						fs->lat_total_ns, fs->seq_calls, fs->rewrites };

			set_side(&e->side[s], c);
			err = rhist_of(&e->side[s].lat, &fs->lat_hist, lat_bucket_bounds);
			err = err ?: rhist_of(&e->side[s].seq, &fs->seq_hist, hist_bucket_bounds);
		}
		for (int k = 0; k < SC_MAX && !err; k++) {
			const struct file_sync *sy =
				sc_infos[k].kind == SC_KIND_SYNC ? f->sync[k] : NULL;

			if (!sy)
				continue;
			e->fsync.present = true;
			e->fsync.calls += sy->calls;
			e->fsync.errors += sy->errors;
			e->fsync.total_ns += sy->total_ns;
			err = rhist_of(&e->fsync.lat, &sy->lat_hist, lat_bucket_bounds);
		}
		for (int s = 0; s < TL_SERIES && !err && f->tl; s++)
			err = rseries_add(&e->tl[s],
					  &(struct rseries){ f->tl->s[s].b, f->tl->s[s].cnt });
	}
	tp->bin_ns = res->tl.bin_ns;
	tp->bins = res->tl.bins;
	tp->span_s = (double)res->duration_ns / 1e9;
	return err;
}

static int load_model(struct top *tp)
{
	struct rmodel *m = tp->model;

	free_entries(tp);
	tp->tot = calloc(m->files.cnt + 1, sizeof(*tp->tot));
	if (!tp->tot)
		return -ENOMEM;
	for (size_t i = 0; i < m->files.cnt; i++)
		tp->tot[tp->n++] = m->files.v[i];
	tp->bin_ns = m->meta.tl == 1 ? m->meta.bin_ns : 0;
	tp->bins = m->meta.tl == 1 ? m->meta.bins : 0;
	/* the runs' own time: documents apart in time do not count the gaps */
	tp->span_s = (double)(m->meta.end_ns - m->meta.start_ns) / 1e9;
	if (m->meta.run_cnt) {
		tp->span_s = 0;
		for (size_t i = 0; i < m->meta.run_cnt; i++)
			tp->span_s +=
				(double)(m->meta.runs[i].end_ns - m->meta.runs[i].start_ns) / 1e9;
	}
	return 0;
}

/* ---- rows ------------------------------------------------------------------------------ */

static bool selected(const struct top *tp, const struct rentry *e)
{
	char pat[sizeof(tp->filter) + 2];

	if (!tp->filter[0])
		return true;
	/* a pattern without wildcards matches anywhere in the path */
	if (!strpbrk(tp->filter, "*?["))
		snprintf(pat, sizeof(pat), "*%s*", tp->filter);
	else
		snprintf(pat, sizeof(pat), "%s", tp->filter);
	return !fnmatch(pat, e->path, 0);
}

static uint64_t dir_sum(const struct rentry *e, int dir, size_t off)
{
	uint64_t v = 0;

	for (int s = dir; s < SIDES; s += 2)
		v += *(const uint64_t *)((const char *)&e->side[s] + off);
	return v;
}

#define RCOL(e, d, field) dir_sum(e, d, offsetof(struct rside, field))

/* a row's values: rates from dlt over secs, or totals (per second over span in rate mode) */
static void row_values(const struct top *tp, struct row *r)
{
	const struct rentry *e = tp->totals || !r->dlt ? r->tot : r->dlt;
	double per = 1;
	unsigned int pm;
	const struct rbucket *p99;
	uint64_t rc = RCOL(e, 0, calls), wc = RCOL(e, 1, calls);

	if (!tp->totals)
		per = r->dlt ? (tp->secs > 0 ? tp->secs : 1) : (tp->span_s > 0 ? tp->span_s : 1);
	r->v[K_PATH] = r->v[K_COMM] = 0;
	r->v[K_RCALLS] = (double)rc / per;
	r->v[K_WCALLS] = (double)wc / per;
	r->v[K_RBYTES] = (double)RCOL(e, 0, bytes) / per;
	r->v[K_WBYTES] = (double)RCOL(e, 1, bytes) / per;
	r->v[K_RSZ] = rc ? (double)RCOL(e, 0, bytes) / (double)rc : 0;
	r->v[K_WSZ] = wc ? (double)RCOL(e, 1, bytes) / (double)wc : 0;
	r->v[K_SEQ] = rentry_seq_permille(e, SIDES_ALL, &pm) ? pm / 10.0 : -1;
	r->v[K_FSYNC] = (double)e->fsync.calls / per;
	p99 = rhist_percentile(&e->fsync.lat, 99);
	r->v[K_FSP99] = p99 ? (double)p99->lo : -1;
	r->v[K_ERR] = (double)(RCOL(e, 0, errors) + RCOL(e, 1, errors) + e->fsync.errors);
	r->v[K_REWR] = (double)RCOL(e, 1, rewrites);
}

static const struct top *sort_ctx;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int k = sort_ctx->sort, c;

	if (k == K_PATH)
		c = strcmp(a->tot->path, b->tot->path);
	else if (k == K_COMM)
		c = strcmp(a->tot->comm_cnt ? a->tot->comms[0] : "",
			   b->tot->comm_cnt ? b->tot->comms[0] : "");
	else
		c = a->v[k] < b->v[k] ? 1 : a->v[k] > b->v[k] ? -1 : 0; /* largest first */
	if (!c)
		c = strcmp(a->tot->path, b->tot->path);
	return sort_ctx->reverse ? -c : c;
}

static int build_rows(struct top *tp)
{
	struct rentry **st = calloc(tp->n + 1, sizeof(*st)), **sd = calloc(tp->n + 1, sizeof(*sd));
	struct rgroup g = { .by = group_by[tp->group], .depth = 0xffffffffu };
	size_t k = 0;
	int err = st && sd ? 0 : -ENOMEM;

	rtable_free(&tp->gtot);
	rtable_free(&tp->gdlt);
	free(tp->rows);
	tp->rows = calloc(tp->n + 1, sizeof(*tp->rows));
	tp->row_cnt = 0;
	if (!tp->rows)
		err = -ENOMEM;
	for (size_t i = 0; i < tp->n && !err; i++) {
		if (!selected(tp, tp->tot[i]))
			continue;
		if (g.by == BY_FILE) {
			tp->rows[tp->row_cnt++] =
				(struct row){ .tot = tp->tot[i],
					      .dlt = tp->dlt ? tp->dlt[i] : NULL,
					      .f = tp->files ? tp->files[i] : NULL };
			continue;
		}
		st[k] = tp->tot[i];
		sd[k++] = tp->dlt ? tp->dlt[i] : NULL;
	}
	if (!err && g.by != BY_FILE) {
		err = report_group(&tp->gtot, st, k, &g);
		if (!err && tp->dlt)
			err = report_group(&tp->gdlt, sd, k, &g);
		for (size_t i = 0; !err && i < tp->gtot.cnt; i++)
			tp->rows[tp->row_cnt++] = (struct row){
				.tot = tp->gtot.v[i],
				.dlt = tp->dlt ? rtable_find(&tp->gdlt, tp->gtot.v[i]) : NULL,
			};
	}
	for (size_t i = 0; i < tp->row_cnt; i++)
		row_values(tp, &tp->rows[i]);
	sort_ctx = tp;
	qsort(tp->rows, tp->row_cnt, sizeof(*tp->rows), cmp_rows);
	if (tp->sel >= tp->row_cnt)
		tp->sel = tp->row_cnt ? tp->row_cnt - 1 : 0;
	free(st);
	free(sd);
	return err;
}

/* ---- drawing ---------------------------------------------------------------------------- */

struct screen {
	char *buf;
	size_t len, cap;
	int rows, cols, line;
};

static void put(struct screen *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->len + n + 1) * 2;
		char *b = realloc(s->buf, cap);

		if (!b)
			return;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void puts_(struct screen *s, const char *p)
{
	put(s, p, strlen(p));
}

/*
 * One line of the screen: text cut to the width (a byte is a column but
 * for UTF-8 continuation bytes), attr an SGR sequence or NULL
 */
static void line(struct screen *s, const char *attr, const char *text)
{
	int cols = 0;
	size_t n = 0;

	if (s->line >= s->rows)
		return;
	put(s, "\033[", 2);
	{
		char pos[24];

		snprintf(pos, sizeof(pos), "%d;1H", s->line + 1);
		puts_(s, pos);
	}
	if (attr)
		puts_(s, attr);
	while (text[n] && (cols < s->cols || ((unsigned char)text[n] & 0xc0) == 0x80)) {
		if (((unsigned char)text[n] & 0xc0) != 0x80)
			cols++;
		if (cols > s->cols)
			break;
		n++;
	}
	put(s, text, n);
	if (attr && cols < s->cols) {
		char pad[512];
		int k = s->cols - cols < (int)sizeof(pad) ? s->cols - cols : (int)sizeof(pad) - 1;

		memset(pad, ' ', (size_t)k);
		put(s, pad, (size_t)k);
	}
	puts_(s, "\033[0m\033[K");
	s->line++;
}

static void fmt_cell(char *buf, size_t sz, const struct top *tp, const struct row *r, int k)
{
	double v = r->v[k];
	char t[24];

	switch (k) {
	case K_COMM:
		snprintf(buf, sz, "%s%s", r->tot->comm_cnt ? r->tot->comms[0] : "-",
			 r->tot->comm_cnt > 1 ? "+" : "");
		return;
	case K_RBYTES:
	case K_WBYTES:
	case K_RSZ:
	case K_WSZ:
		fmt_size(buf, sz, (uint64_t)(v + 0.5));
		return;
	case K_SEQ:
		if (v < 0)
			snprintf(buf, sz, "-");
		else
			snprintf(buf, sz, "%.0f%%", v);
		return;
	case K_FSP99:
		if (v < 0) {
			snprintf(buf, sz, "-");
			return;
		}
		fmt_ns(t, sizeof(t), (uint64_t)v);
		snprintf(buf, sz, "%s", t);
		return;
	case K_RCALLS:
	case K_WCALLS:
	case K_FSYNC:
		if (!tp->totals && v > 0 && v < 10)
			snprintf(buf, sz, "%.1f", v);
		else
			snprintf(buf, sz, "%.0f", v);
		return;
	default:
		snprintf(buf, sz, "%.0f", v);
	}
}

static int cols_w(int k)
{
	return col_defs[k].w;
}

static int path_width(int cols)
{
	int w = cols;

	for (int k = 1; k < K_CNT; k++)
		w -= cols_w(k) + 1;
	return w < 12 ? 12 : w;
}

/* a path in w columns: its end kept (the file's name), "..." before it */
static void fit_path(char *out, size_t sz, const char *p, int w)
{
	size_t len = strlen(p);

	if ((int)len <= w || w < 4)
		snprintf(out, sz, "%.*s", w, p);
	else
		snprintf(out, sz, "...%s", p + len - (size_t)(w - 3));
}

static void row_text(char *buf, size_t sz, const struct top *tp, const struct row *r, int cols)
{
	int pw = path_width(cols);
	char path[1024], cell[48];
	size_t n;

	fit_path(path, sizeof(path), r->tot->path, pw);
	n = (size_t)snprintf(buf, sz, "%-*s", pw, path);
	for (int k = 1; k < K_CNT && n < sz; k++) {
		fmt_cell(cell, sizeof(cell), tp, r, k);
		n += (size_t)snprintf(buf + n, sz - n, k == K_COMM ? " %-*.*s" : " %*.*s",
				      cols_w(k), cols_w(k), cell);
	}
}

static void head_text(char *buf, size_t sz, const struct top *tp, int cols)
{
	int pw = path_width(cols);
	size_t n = 0;

	for (int k = 0; k < K_CNT && n < sz; k++) {
		const char *t = k == K_PATH && tp->group ? "GROUP"
				: tp->totals		 ? col_defs[k].total
							 : col_defs[k].rate;
		char mark[64];

		snprintf(mark, sizeof(mark), "%s%s", t, k == tp->sort ? "*" : "");
		if (k == K_PATH)
			n += (size_t)snprintf(buf + n, sz - n, "%-*s", pw, mark);
		else
			n += (size_t)snprintf(buf + n, sz - n, k == K_COMM ? " %-*s" : " %*s",
					      cols_w(k), mark);
	}
}

/* ---- the detail of one row ------------------------------------------------------------- */

struct lines {
	char (*v)[512];
	size_t cnt, cap;
};

static void addl(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addl(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->cnt == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char(*v)[512] = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(l->v[l->cnt++], sizeof(l->v[0]), fmt, ap);
	va_end(ap);
}

static void detail_side(struct lines *l, const char *name, const struct rentry *e, int dir)
{
	uint64_t calls = RCOL(e, dir, calls), bytes = RCOL(e, dir, bytes);
	uint64_t ok = calls - RCOL(e, dir, errors), ns = RCOL(e, dir, total_ns);
	char b[16], m[16], lat[16];

	if (!calls)
		return;
	fmt_size(b, sizeof(b), bytes);
	fmt_size(m, sizeof(m), bytes / calls);
	fmt_ns(lat, sizeof(lat), ns / calls);
	addl(l,
	     "%-6s %llu calls, %llu errors, %s bytes, mean %s, %llu%% sequential, mean latency %s",
	     name, (unsigned long long)calls, (unsigned long long)RCOL(e, dir, errors), b, m,
	     ok ? (unsigned long long)(RCOL(e, dir, seq_calls) * 100 / ok) : 0ULL, lat);
	if (dir)
		addl(l, "       %llu rewrites", (unsigned long long)RCOL(e, dir, rewrites));
}

/* a histogram as bars, its non-empty buckets (bounds formatted by ns or as sizes) */
static void detail_hist(struct lines *l, const char *title, const struct rhist *h, bool ns,
			int width)
{
	uint64_t max = 0, total = rhist_total(h);
	int bar = width - 40 < 10 ? 10 : width - 40 > 50 ? 50 : width - 40;

	if (!h->cnt)
		return;
	for (size_t i = 0; i < h->cnt; i++)
		max = h->b[i].cnt > max ? h->b[i].cnt : max;
	addl(l, "%s (%llu):", title, (unsigned long long)total);
	for (size_t i = 0; i < h->cnt; i++) {
		char lo[16], hi[16], bars[64];
		int n = (int)((h->b[i].cnt * (uint64_t)bar + max - 1) / max);

		(ns ? fmt_ns : fmt_size)(lo, sizeof(lo), h->b[i].lo);
		(ns ? fmt_ns : fmt_size)(hi, sizeof(hi), h->b[i].hi);
		memset(bars, '#', (size_t)n);
		bars[n] = 0;
		addl(l, "  [%7s, %7s] %8llu |%-*s|", lo, hi, (unsigned long long)h->b[i].cnt, bar,
		     bars);
	}
}

/* the timeline: bytes read, bytes written, fsync calls, a column per bin from tl_off */
static void detail_timeline(struct lines *l, const struct top *tp, const struct rentry *e,
			    int width)
{
	static const char ramp[] = "._-=+*#@";
	int w = width - 12 < 8 ? 8 : width - 12;
	char t[16], row[600];

	if (!tp->bin_ns || !tp->bins)
		return;
	fmt_ns(t, sizeof(t), tp->bin_ns);
	addl(l, "timeline: bins %d to %llu of %llu, %s each (<- -> scroll)", tp->tl_off,
	     (unsigned long long)(tp->tl_off + w < (int)tp->bins ? (uint64_t)(tp->tl_off + w)
								 : tp->bins) -
		     1,
	     (unsigned long long)tp->bins, t);
	for (int dir = 0; dir < 3; dir++) {
		static const char *const names[] = { "read", "write", "fsync" };
		uint64_t cell[512] = { 0 }, peak = 0;
		int n = 0;

		for (int s = 0; s < TL_SERIES; s++) {
			if (dir == 2 ? s != TL_FSYNC : s == TL_FSYNC || (s & 1) != dir)
				continue;
			for (size_t i = 0; i < e->tl[s].cnt; i++) {
				int64_t c = (int64_t)e->tl[s].b[i].bin - tp->tl_off;

				if (c >= 0 && c < w && c < 512)
					cell[c] += s == TL_FSYNC ? e->tl[s].b[i].calls
								 : e->tl[s].b[i].bytes;
			}
		}
		for (int c = 0; c < w && c < 512; c++)
			peak = cell[c] > peak ? cell[c] : peak;
		if (!peak)
			continue;
		n = snprintf(row, sizeof(row), "  %-5s |", names[dir]);
		for (int c = 0; c < w && c < 512 && n < (int)sizeof(row) - 2; c++) {
			int lvl = (int)((cell[c] * 8 - 1) / peak);

			row[n++] = cell[c] ? ramp[lvl > 7 ? 7 : lvl] : ' ';
		}
		row[n++] = '|';
		row[n] = 0;
		addl(l, "%s", row);
	}
}

static void detail_lines(struct top *tp, struct lines *l, int width)
{
	struct row *r = &tp->rows[tp->sel];
	struct rentry *e = r->tot;
	char fs[16], p99[16];

	/* a live file's histograms come from its records now (the trace keeps only counters) */
	if (r->f && tp->live && !tp->ended && tp->skel) {
		for (int s = 0; s < SIDES; s++) {
			rhist_free(&e->side[s].lat);
			rhist_free(&e->side[s].seq);
		}
		rhist_free(&e->fsync.lat);
		timeline_record_hists(tp->skel, r->f, e);
	}
	addl(l, "%s", e->path);
	addl(l, "fstype %s, dev %u:%u, inode %llu; comms:%s%s", e->fstype, e->dev_major,
	     e->dev_minor, (unsigned long long)e->ino, e->comm_cnt ? " " : " -",
	     e->comm_cnt ? e->comms[0] : "");
	addl(l, "%s", "");
	detail_side(l, "read", e, 0);
	detail_side(l, "write", e, 1);
	if (e->fsync.calls) {
		fmt_ns(fs, sizeof(fs), e->fsync.total_ns / e->fsync.calls);
		if (rhist_percentile(&e->fsync.lat, 99))
			fmt_ns(p99, sizeof(p99), rhist_percentile(&e->fsync.lat, 99)->lo);
		else
			snprintf(p99, sizeof(p99), "-");
		addl(l, "fsync  %llu calls, %llu errors, mean %s, p99 %s",
		     (unsigned long long)e->fsync.calls, (unsigned long long)e->fsync.errors, fs,
		     p99);
	}
	addl(l, "%s", "");
	detail_timeline(l, tp, e, width);
	addl(l, "%s", "");
	if (!r->f && !tp->model && tp->group)
		addl(l, "%s", "(histograms: of files; g groups by file)");
	for (int s = 0; s < SIDES; s++) {
		char title[64];

		snprintf(title, sizeof(title), "%s latency", side_keys[s]);
		detail_hist(l, title, &e->side[s].lat, true, width);
		snprintf(title, sizeof(title), "%s sequential sizes", side_keys[s]);
		detail_hist(l, title, &e->side[s].seq, false, width);
	}
	detail_hist(l, "fsync latency", &e->fsync.lat, true, width);
}

/* ---- the screen ---------------------------------------------------------------------- */

static void title_text(char *buf, size_t sz, const struct top *tp)
{
	char what[48];

	if (tp->totals)
		snprintf(what, sizeof(what), "totals");
	else if (tp->model || tp->ended)
		snprintf(what, sizeof(what), "per second over the trace");
	else
		fmt_ns(what + snprintf(what, sizeof(what), "per second over "),
		       sizeof(what) - strlen("per second over "), tp->refresh_ns);
	snprintf(buf, sz, "iotrace top - %s%s - %zu %s - %s - sort %s%s - group by %s%s%s",
		 tp->model   ? "saved results"
		 : tp->ended ? "trace ended"
			     : "live",
		 tp->paused ? " (paused)" : "", tp->row_cnt, tp->group ? "groups" : "files", what,
		 tp->totals ? col_defs[tp->sort].total : col_defs[tp->sort].rate,
		 tp->reverse ? " ascending" : "", group_names[tp->group],
		 tp->filter[0] ? " - filter " : "", tp->filter);
}

static const char help_text[] =
	"q quit  </> sort  r reverse  g group  / filter  t totals  p pause  +/- interval  "
	"Enter detail";

static void draw(struct top *tp)
{
	struct screen s = { 0 };
	char text[2048];
	int body;

	term_size(&s.rows, &s.cols);
	tp->rows_seen = s.rows, tp->cols_seen = s.cols;
	title_text(text, sizeof(text), tp);
	line(&s, "\033[1m", text);
	if (tp->editing)
		snprintf(text, sizeof(text), "filter: %s_", tp->edit);
	else
		snprintf(text, sizeof(text), "%s", log_last());
	line(&s, NULL, text);
	body = s.rows - 3;
	if (tp->detail && tp->row_cnt) {
		struct lines l = { 0 };

		detail_lines(tp, &l, s.cols);
		if (tp->detail_off + (size_t)body > l.cnt)
			tp->detail_off = l.cnt > (size_t)body ? l.cnt - (size_t)body : 0;
		for (size_t i = tp->detail_off; i < l.cnt && s.line < s.rows - 1; i++)
			line(&s, NULL, l.v[i]);
		free(l.v);
		while (s.line < s.rows - 1)
			line(&s, NULL, "");
		line(&s, "\033[7m", "Esc back  Up/Down PgUp/PgDn scroll  <- -> timeline  q quit");
	} else {
		head_text(text, sizeof(text), tp, s.cols);
		line(&s, "\033[7m", text);
		if (tp->sel < tp->scroll)
			tp->scroll = tp->sel;
		if (body > 0 && tp->sel >= tp->scroll + (size_t)body)
			tp->scroll = tp->sel - (size_t)body + 1;
		for (size_t i = tp->scroll; i < tp->row_cnt && s.line < s.rows - 1; i++) {
			row_text(text, sizeof(text), tp, &tp->rows[i], s.cols);
			line(&s, i == tp->sel ? "\033[7m" : NULL, text);
		}
		while (s.line < s.rows - 1)
			line(&s, NULL, "");
		line(&s, "\033[7m", help_text);
	}
	(void)!write(STDOUT_FILENO, s.buf, s.len);
	free(s.buf);
}

/* without a terminal: the table, the first 20 rows, like top -b */
static void print_batch(struct top *tp)
{
	char text[2048];
	int cols = 160;

	title_text(text, sizeof(text), tp);
	printf("%s\n", text);
	head_text(text, sizeof(text), tp, cols);
	printf("%s\n", text);
	for (size_t i = 0; i < tp->row_cnt && i < 20; i++) {
		row_text(text, sizeof(text), tp, &tp->rows[i], cols);
		printf("%s\n", text);
	}
	printf("\n");
	fflush(stdout);
}

static void show(struct top *tp)
{
	if (build_rows(tp))
		log_hold(false), pr_warn("top: out of memory"), log_hold(tp->tty);
	if (tp->tty)
		draw(tp);
	else
		print_batch(tp);
}

/* ---- keys -------------------------------------------------------------------------------- */

static void edit_key(struct top *tp, int k)
{
	if (k == KEY_ENTER) {
		snprintf(tp->filter, sizeof(tp->filter), "%s", tp->edit);
		tp->editing = false;
	} else if (k == KEY_ESC) {
		tp->editing = false;
	} else if (k == KEY_BACKSPACE && tp->edit_len) {
		tp->edit[--tp->edit_len] = 0;
	} else if (k >= 0x20 && k < 0x7f && tp->edit_len + 1 < sizeof(tp->edit)) {
		tp->edit[tp->edit_len++] = (char)k;
		tp->edit[tp->edit_len] = 0;
	}
}

/* one key; true: quit */
static bool on_key(struct top *tp, int k)
{
	size_t page = tp->rows_seen > 4 ? (size_t)tp->rows_seen - 4 : 1;

	if (tp->editing) {
		edit_key(tp, k);
		return false;
	}
	switch (k) {
	case 'q':
	case 'Q':
		return true;
	case '<':
		tp->sort = tp->sort ? tp->sort - 1 : K_CNT - 1;
		break;
	case '>':
		tp->sort = (tp->sort + 1) % K_CNT;
		break;
	case 'r':
		tp->reverse = !tp->reverse;
		break;
	case 'g':
		tp->group = (tp->group + 1) % GROUPS;
		tp->sel = tp->scroll = 0;
		break;
	case 'G':
		tp->group = (tp->group + GROUPS - 1) % GROUPS;
		tp->sel = tp->scroll = 0;
		break;
	case '/':
		tp->editing = true;
		snprintf(tp->edit, sizeof(tp->edit), "%s", tp->filter);
		tp->edit_len = strlen(tp->edit);
		break;
	case 't':
		tp->totals = !tp->totals;
		break;
	case 'p':
	case ' ':
		tp->paused = !tp->paused;
		break;
	case '+':
		if (tp->refresh_ns < 60000000000ULL)
			tp->refresh_ns *= 2;
		break;
	case '-':
		if (tp->refresh_ns >= 200000000ULL)
			tp->refresh_ns /= 2;
		break;
	case KEY_UP:
		if (tp->detail)
			tp->detail_off -= tp->detail_off > 0;
		else
			tp->sel -= tp->sel > 0;
		break;
	case KEY_DOWN:
		if (tp->detail)
			tp->detail_off++;
		else if (tp->sel + 1 < tp->row_cnt)
			tp->sel++;
		break;
	case KEY_PGUP:
		if (tp->detail)
			tp->detail_off = tp->detail_off > page ? tp->detail_off - page : 0;
		else
			tp->sel = tp->sel > page ? tp->sel - page : 0;
		break;
	case KEY_PGDN:
		if (tp->detail)
			tp->detail_off += page;
		else
			tp->sel = tp->sel + page < tp->row_cnt ? tp->sel + page
				  : tp->row_cnt		       ? tp->row_cnt - 1
							       : 0;
		break;
	case KEY_HOME:
		tp->sel = 0;
		break;
	case KEY_END:
		tp->sel = tp->row_cnt ? tp->row_cnt - 1 : 0;
		break;
	case KEY_LEFT:
		tp->tl_off = tp->tl_off >= 8 ? tp->tl_off - 8 : 0;
		break;
	case KEY_RIGHT:
		if ((uint64_t)tp->tl_off + 8 < tp->bins)
			tp->tl_off += 8;
		break;
	case KEY_ENTER:
	case 'd':
		tp->detail = !tp->detail && tp->row_cnt;
		tp->detail_off = 0;
		break;
	case KEY_ESC:
	case KEY_BACKSPACE:
		tp->detail = false;
		break;
	default:
		return false;
	}
	return false;
}

/* every key waiting on stdin; true: quit */
static bool read_keys(struct top *tp)
{
	bool quit = false;
	int k;

	while (!quit && (k = term_key()) != KEY_NONE)
		quit = on_key(tp, k);
	return quit;
}

/* ---- the live view: record.c's hooks ------------------------------------------------- */

static bool ui_input(void *ctx)
{
	struct top *tp = ctx;
	bool quit = read_keys(tp);

	if (!quit)
		show(tp);
	return quit;
}

/* a resize: drawn again at once, not at the next refresh */
static void ui_idle(void *ctx)
{
	struct top *tp = ctx;
	int rows, cols;

	if (!tp->tty || !tp->rows_seen)
		return;
	term_size(&rows, &cols);
	if (rows != tp->rows_seen || cols != tp->cols_seen)
		draw(tp);
}

static uint64_t ui_refresh_ns(void *ctx)
{
	return ((struct top *)ctx)->refresh_ns;
}

static void ui_refresh(void *ctx, const struct iotrace_skel *s, struct trace_result *res)
{
	struct top *tp = ctx;

	tp->skel = s;
	if (tp->paused) {
		if (tp->tty)
			draw(tp);
		return;
	}
	if (load_live(tp, res))
		return;
	show(tp);
}

/*
 * Wait for q (or an end signal: they stay blocked, as record.c left them),
 * redrawing on a resize.  The terminal's input is polled every 200 ms.
 */
static void browse_loop(struct top *tp)
{
	sigset_t ends;
	struct timespec zero = { 0, 0 };

	sigemptyset(&ends);
	sigaddset(&ends, SIGINT);
	sigaddset(&ends, SIGTERM);
	sigaddset(&ends, SIGHUP);
	sigprocmask(SIG_BLOCK, &ends, NULL);
	show(tp);
	while (!tp->quit) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int rows, cols;

		if (sigtimedwait(&ends, NULL, &zero) > 0)
			break;
		if (poll(&pfd, 1, 200) > 0) {
			tp->quit = read_keys(tp);
			if (!tp->quit)
				show(tp);
			continue;
		}
		term_size(&rows, &cols);
		if (rows != tp->rows_seen || cols != tp->cols_seen)
			show(tp);
	}
}

static void ui_end(void *ctx, struct trace_result *res, bool by_signal)
{
	struct top *tp = ctx;

	tp->ended = true;
	tp->totals = true;
	if (load_final(tp, res))
		return;
	if (!tp->tty) {
		show(tp);
		return;
	}
	if (!by_signal)
		browse_loop(tp);
}

/* ---- top ------------------------------------------------------------------------------------ */

static int browse_results(struct top *tp)
{
	struct rmodel m;
	struct rerr err;
	int ret = 0;

	rmodel_init(&m);
	for (size_t i = 0; i < tp->opts->result_cnt && !ret; i++) {
		ret = report_read_file(&m, tp->opts->results[i], &err);
		if (ret)
			pr_warn("top: %s", ret == -ENOMEM ? "out of memory" : err.msg);
	}
	if (!ret) {
		tp->model = &m;
		tp->totals = true;
		ret = load_model(tp);
	}
	if (!ret && tp->tty) {
		ret = term_open();
		if (!ret) {
			log_hold(true);
			browse_loop(tp);
			term_restore();
			log_hold(false);
		}
	} else if (!ret) {
		show(tp);
	}
	free_entries(tp);
	rmodel_free(&m);
	return ret ? 1 : 0;
}

int top_run(struct options *o)
{
	struct top tp = { .opts = o, .sort = K_WBYTES };
	struct live_ui ui = { .ctx = &tp,
			      .on_input = ui_input,
			      .on_idle = ui_idle,
			      .refresh_ns = ui_refresh_ns,
			      .on_refresh = ui_refresh,
			      .on_end = ui_end };
	int code = 0, err;

	tp.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	tp.refresh_ns = o->interval_ns ? o->interval_ns : 1000000000ULL;
	if (o->result_cnt)
		return browse_results(&tp);
	tp.live = true;
	ui.fd = tp.tty ? STDIN_FILENO : -1;
	o->ui = &ui;
	o->quiet = true;
	if (tp.tty && (err = term_open())) {
		pr_warn("top: the terminal: %s", strerror(-err));
		return 1;
	}
	log_hold(tp.tty);
	err = record_run(o, &code);
	term_restore();
	log_hold(false);
	free_entries(&tp);
	if (err)
		return code > 1 ? code : 1;
	return code;
}
