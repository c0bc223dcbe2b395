// SPDX-License-Identifier: GPL-2.0
/*
 * The text views of `iotrace report`, 100 columns wide: the table of
 * entries (one line per read and write side) and the detail of one entry,
 * with its histograms drawn as bpftrace draws hist() and fio-style
 * percentiles.  A percentile is the upper bound of the bucket holding it:
 * the histograms are all a report knows, and the output says so.
 */
#include <stdlib.h>
#include <string.h>

#include "format/json.h"
#include "format/document.h"
#include "report/report.h"
#include "format/schema.h"

#define WIDTH 100
#define BAR_W 52

struct style {
	const char *bold, *bar, *off;
};

static struct style style_of(bool color)
{
	if (color)
		return (struct style){ "\033[1m", "\033[36m", "\033[0m" };
	return (struct style){ "", "", "" };
}

/* ---- numbers ---------------------------------------------------------------------- */

void fmt_size(char *buf, size_t sz, uint64_t v)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, sz, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 1024 && u < 5)
		d /= 1024, u++;
	if (d < 10 && d != (double)(uint64_t)d)
		snprintf(buf, sz, "%.1f%c", d, units[u]);
	else
		snprintf(buf, sz, "%.0f%c", d, units[u]);
}

void fmt_ns(char *buf, size_t sz, uint64_t ns)
{
	double d = (double)ns;

	if (ns < 1000)
		snprintf(buf, sz, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, sz, "%.3gus", d / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, sz, "%.3gms", d / 1e6);
	else if (ns < 10000000000ULL)
		snprintf(buf, sz, "%.3gs", d / 1e9);
	else
		snprintf(buf, sz, "%.0fs", d / 1e9);
}

/*
 * A percentile in a table cell: the lower bound of its bucket, as people
 * name a size (a 64 KiB request is in [64K, 128K) and reads 64K), or the
 * value itself for a one-value bucket; ">=" marks the open last bucket.
 */
static void fmt_pct(char *buf, size_t sz, const struct rbucket *b, bool ns)
{
	char v[24];

	if (!b) {
		snprintf(buf, sz, "-");
		return;
	}
	(ns ? fmt_ns : fmt_size)(v, sizeof(v), b->lo);
	snprintf(buf, sz, "%s%s", b->lo != b->hi && b->hi == UINT64_MAX ? ">=" : "", v);
}

/* code points of the path as fmt_path shows it */
static size_t path_cols(const char *p, size_t len)
{
	size_t cols = 0;

	for (size_t i = 0; i < len; i += json_utf8_seq((const unsigned char *)p + i, len - i) ?: 1)
		cols++;
	return cols;
}

/*
 * The path as printable UTF-8 ('?' for control and invalid bytes); wider
 * than w columns, shortened in the middle with "...", keeping a third of
 * the room for its start and the rest for its end (the file's name).
 */
static void fmt_path(char *buf, size_t sz, const char *p, size_t len, size_t w)
{
	size_t n = 0, cols = path_cols(p, len), head = cols, tail_col = cols, col = 0;

	if (cols > w && w > 3) {
		head = (w - 3) / 3;
		tail_col = cols - (w - 3 - head);
	}
	for (size_t i = 0; i < len && n + 8 < sz; col++) {
		size_t k = json_utf8_seq((const unsigned char *)p + i, len - i);
		bool shown = col < head || col >= tail_col;

		if (col == head && head < tail_col)
			n += (size_t)snprintf(buf + n, sz - n, "...");
		if (shown && (!k || (unsigned char)p[i] < 0x20 || p[i] == 0x7f))
			buf[n++] = '?';
		else if (shown)
			memcpy(buf + n, p + i, k), n += k;
		i += k ? k : 1;
	}
	buf[n] = '\0';
}

/* pad to w columns a string of w or fewer code points */
static void put_cell(FILE *f, const char *s, int w, bool left)
{
	int cols = 0;

	for (const char *c = s; *c; c++)
		cols += ((unsigned char)*c & 0xc0) != 0x80;
	if (!left)
		fprintf(f, "%*s", w - cols > 0 ? w - cols : 0, "");
	fputs(s, f);
	if (left)
		fprintf(f, "%*s", w - cols > 0 ? w - cols : 0, "");
}

/* ---- the table -------------------------------------------------------------------- */

enum col {
	C_OP,
	C_CALLS,
	C_BYTES,
	C_MEAN,
	C_P50,
	C_P99,
	C_SEQ,
	C_REWR,
	C_FSYNC,
	C_FSP99,
	C_ACTIVE,
	C_CNT
};

/* lead, then text's words wrapped at width columns, lines after the first indented */
static void put_wrapped(FILE *f, const char *lead, const char *text, int width, int indent)
{
	int col = fprintf(f, "%s", lead);

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col > indent && col + 1 + len > width) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		col += fprintf(f, "%.*s", len, text);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static const struct {
	const char *title;
	int w;
} cols[C_CNT] = {
	[C_OP] = { "OP", 2 },	     [C_CALLS] = { "CALLS", 7 },   [C_BYTES] = { "BYTES", 6 },
	[C_MEAN] = { "MEAN", 5 },    [C_P50] = { "P50", 6 },	   [C_P99] = { "P99", 6 },
	[C_SEQ] = { "SEQ%", 4 },     [C_REWR] = { "REWR", 6 },	   [C_FSYNC] = { "FSYNC", 5 },
	[C_FSP99] = { "FS.P99", 7 }, [C_ACTIVE] = { "ACTIVE", 7 },
};

/* the width of the table being written (report_text_table sets it) */
static int table_width = WIDTH;
/*
 * Under WIDTH columns the table leaves out P99, REWR and FS.P99 (a file's
 * detail has them) so that the path keeps its 28 columns: 80 fit.
 */
static bool table_narrow;

static bool shown(int c)
{
	return !table_narrow || (c != C_P99 && c != C_REWR && c != C_FSP99);
}
/* its rows are processes' records (--per-process): PID and COMM columns lead */
static bool table_pids;
#define PID_W  7
#define COMM_W 15

static int path_width(void)
{
	int w = table_width - (table_pids ? PID_W + COMM_W + 2 : 0);

	for (int c = 0; c < C_CNT; c++)
		w -= shown(c) ? cols[c].w + 1 : 0;
	return w;
}

/* o->width, or with 0 (--wide) what the longest path shown needs */
static void set_table_width(const struct rtext_opts *o, struct rentry **v, size_t n)
{
	size_t longest = 5; /* "GROUP" */
	int fixed = 0;

	table_pids = false;
	table_narrow = o->width > 0 && o->width < WIDTH;
	for (size_t i = 0; i < n; i++)
		table_pids |= v[i]->has_pid;
	if (table_pids)
		fixed += PID_W + COMM_W + 2;
	for (int c = 0; c < C_CNT; c++)
		fixed += shown(c) ? cols[c].w + 1 : 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = path_cols(v[i]->path, v[i]->path_len);

		longest = c > longest ? c : longest;
	}
	longest = longest < 4096 ? longest : 4096;
	/* --wide: what the longest path needs */
	table_width = fixed + (int)longest;
	if (!o->width)
		return;
	/* a given width: no wider than the paths need, never a path column under 28 */
	if (o->width < table_width)
		table_width = o->width;
	if (table_width < fixed + 28)
		table_width = fixed + 28;
}

/* the PID and COMM cells of a row, when the table has them (NULL e: blank) */
static void put_pid_cells(FILE *f, const struct rentry *e)
{
	char pid[24] = "";

	if (!table_pids)
		return;
	if (e && e->has_pid)
		snprintf(pid, sizeof(pid), "%llu", (unsigned long long)e->pid);
	put_cell(f, pid, PID_W, false);
	fputc(' ', f);
	put_cell(f, e && e->comm ? e->comm : "", COMM_W, true);
	fputc(' ', f);
}

static void put_row(FILE *f, const struct rentry *e, const char *path, char cell[C_CNT][32])
{
	int last = C_CNT - 1;

	while (last > C_OP && !cell[last][0])
		last--; /* no trailing blanks */
	put_pid_cells(f, e);
	put_cell(f, path, path_width(), true);
	for (int c = 0; c <= last; c++) {
		if (!shown(c))
			continue;
		fputc(' ', f);
		put_cell(f, cell[c], cols[c].w, c == C_OP);
	}
	fputc('\n', f);
}

static void side_cells(const struct rentry *e, int s, char cell[C_CNT][32])
{
	const struct rside *sd = &e->side[s];
	struct rhist req;
	unsigned int pm;

	static const char *const op[SIDES] = { "R", "W", "CR", "CW", "AR", "AW" };

	snprintf(cell[C_OP], 32, "%s", op[s]);
	snprintf(cell[C_CALLS], 32, "%llu", (unsigned long long)sd->calls);
	fmt_size(cell[C_BYTES], 32, sd->bytes);
	if (sd->calls)
		fmt_size(cell[C_MEAN], 32, sd->bytes / sd->calls);
	if (!rentry_req_hist(e, s, &req)) {
		fmt_pct(cell[C_P50], 32, rhist_percentile(&req, 50), false);
		fmt_pct(cell[C_P99], 32, rhist_percentile(&req, 99), false);
		rhist_free(&req);
	}
	if (rentry_seq_permille(e, s, &pm))
		snprintf(cell[C_SEQ], 32, "%u%%", (pm + 5) / 10);
	else
		snprintf(cell[C_SEQ], 32, "-");
	if (s & 1)
		snprintf(cell[C_REWR], 32, "%llu", (unsigned long long)sd->rewrites);
}

static void file_cells(const struct rentry *e, const struct rmeta *mt, char cell[C_CNT][32])
{
	uint64_t first, last;

	snprintf(cell[C_FSYNC], 32, "%llu", (unsigned long long)e->fsync.calls);
	fmt_pct(cell[C_FSP99], 32, rhist_percentile(&e->fsync.lat, 99), true);
	if (rentry_window(e, &first, &last))
		fmt_ns(cell[C_ACTIVE], 32, rentry_active_ns(e, mt));
	else
		snprintf(cell[C_ACTIVE], 32, "-");
}

static void put_entry(FILE *f, const struct rentry *e, const struct rmeta *mt)
{
	char cell[C_CNT][32], path[1024];
	bool first = true;

	fmt_path(path, sizeof(path), e->path, e->path_len, (size_t)path_width());
	for (int s = 0; s < SIDES; s++) {
		if (!e->side[s].present)
			continue;
		memset(cell, 0, sizeof(cell));
		side_cells(e, s, cell);
		if (first)
			file_cells(e, mt, cell);
		put_row(f, first ? e : NULL, first ? path : "", cell);
		first = false;
	}
	if (first) {
		memset(cell, 0, sizeof(cell));
		snprintf(cell[C_OP], 32, "-");
		file_cells(e, mt, cell);
		put_row(f, e, path, cell);
	}
}

static void filter_list(FILE *f, const char *opt, const struct rstrs *s, const char **sep)
{
	for (size_t i = 0; i < s->cnt; i++) {
		fprintf(f, "%s%s %s", *sep, opt, s->v[i]);
		*sep = " ";
	}
}

/* "traced with --path /data --exclude-fstype proc: 12 more files left out" */
static void filters_line(FILE *f, const struct rfilters *ff)
{
	const char *sep = "";

	if (!ff->paths.cnt && !ff->exclude.cnt && !ff->fstypes.cnt && !ff->exclude_fstypes.cnt &&
	    !ff->excluded_files)
		return;
	fprintf(f, "traced with ");
	filter_list(f, "--path", &ff->paths, &sep);
	filter_list(f, "--exclude", &ff->exclude, &sep);
	filter_list(f, "--fstype", &ff->fstypes, &sep);
	filter_list(f, "--exclude-fstype", &ff->exclude_fstypes, &sep);
	fprintf(f, "%s%llu more files left out\n",
		*sep ? ": " : "filters: ", (unsigned long long)ff->excluded_files);
}

static void put_summary(FILE *f, const struct rmodel *m, size_t n, const struct rtext_opts *o,
			const struct style *st)
{
	uint64_t rd = 0, wr = 0;
	char start[64], a[16], b[16], dur[16];

	for (size_t i = 0; i < m->files.cnt; i++) {
		for (int s = 0; s < SIDES; s++)
			*(s & 1 ? &wr : &rd) += m->files.v[i]->side[s].bytes;
	}
	format_rfc3339(m->meta.start_ns, start, sizeof(start));
	memcpy(start + 19, "Z", 2); /* whole seconds are enough here */
	fmt_size(a, sizeof(a), rd);
	fmt_size(b, sizeof(b), wr);
	fmt_ns(dur, sizeof(dur), m->meta.end_ns - m->meta.start_ns);
	if (m->meta.run_cnt > 1) {
		/* runs apart in time: their own spans, not one across the gaps */
		uint64_t traced = 0;

		for (size_t i = 0; i < m->meta.run_cnt; i++)
			traced += m->meta.runs[i].end_ns - m->meta.runs[i].start_ns;
		fmt_ns(dur, sizeof(dur), traced);
	}
	fprintf(f, "%s%zu file%s in %zu document%s%s: %s read, %s written;%sfrom %s for %s\n",
		st->bold, m->files.cnt, m->files.cnt == 1 ? "" : "s", m->meta.docs,
		m->meta.docs == 1 ? "" : "s", st->off, a, b, table_narrow ? "\n" : " ", start, dur);
	if (m->meta.run_cnt > 1)
		fprintf(f, "%zu runs apart in time: %s is their traced time, without the gaps\n",
			m->meta.run_cnt, dur);
	if (o->by_name)
		fprintf(f, "%zu group%s by %s\n", n, n == 1 ? "" : "s", o->by_name);
	filters_line(f, &m->meta.ff);
	{
		int w = table_narrow ? table_width : 200;
		char text[512], what[256];

		if (m->meta.dropped_files || m->meta.dropped_events) {
			snprintf(
				text, sizeof(text),
				"warning: %llu files and %llu calls were not counted by the tracer",
				(unsigned long long)m->meta.dropped_files,
				(unsigned long long)m->meta.dropped_events);
			put_wrapped(f, "", text, w, 2);
		}
		if (m->meta.missed_runs) {
			snprintf(
				text, sizeof(text),
				"warning: the kernel skipped %llu run%s of the tracer's programs: up "
				"to as many calls may be missing",
				(unsigned long long)m->meta.missed_runs,
				m->meta.missed_runs == 1 ? "" : "s");
			put_wrapped(f, "", text, w, 2);
		}
		unseen_text(m->meta.unseen, what, sizeof(what));
		if (what[0]) {
			snprintf(text, sizeof(text), "warning: not counted by the tracer: %s",
				 what);
			put_wrapped(f, "", text, w, 2);
		}
	}
}

/* ---- timelines ------------------------------------------------------------------------ */

/* block characters where the locale is UTF-8 (LC_ALL, LC_CTYPE, LANG), else ASCII */
static bool utf8_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (int i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") ||
			       strstr(v, "utf-8");
	}
	return false;
}

/* what a series adds to the chart: bytes of a side, calls of fsync */
static uint64_t tl_value(const struct rtbin *b, int series)
{
	return series == TL_FSYNC ? b->calls : b->bytes;
}

/*
 * cell[0..ncell) of a direction: the reading sides (dir 0), the writing
 * ones (1) or fsync (2), k bins to a cell; the largest cell
 */
static uint64_t tl_cells(const struct rentry *e, int dir, uint64_t k, uint64_t *cell, size_t ncell)
{
	uint64_t peak = 0;

	memset(cell, 0, ncell * sizeof(*cell));
	for (int s = 0; s < TL_SERIES; s++) {
		if (dir == 2 ? s != TL_FSYNC : s == TL_FSYNC || (s & 1) != dir)
			continue;
		for (size_t i = 0; i < e->tl[s].cnt; i++) {
			uint64_t c = e->tl[s].b[i].bin / k;

			if (c < ncell)
				cell[c] += tl_value(&e->tl[s].b[i], s);
		}
	}
	for (size_t c = 0; c < ncell; c++)
		peak = cell[c] > peak ? cell[c] : peak;
	return peak;
}

/* one chart row: a level per cell, scaled to peak (any value at all shows) */
static void tl_spark(FILE *f, const uint64_t *cell, size_t ncell, uint64_t peak, bool utf8)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "._-=+*#@";

	fputc('|', f);
	for (size_t c = 0; c < ncell; c++) {
		int lvl = peak ? (int)((cell[c] * 8 - 1) / peak) : 0;

		if (!cell[c])
			fputc(' ', f);
		else if (utf8)
			fputs(blocks[lvl > 7 ? 7 : lvl], f);
		else
			fputc(ascii[lvl > 7 ? 7 : lvl], f);
	}
	fputc('|', f);
}

/* bins to a character so that bins fit in cols characters */
static uint64_t tl_per_cell(uint64_t bins, size_t cols)
{
	return bins > cols ? (bins + cols - 1) / cols : 1;
}

/* the rows of an entry's chart: read and write bytes, fsync calls, those that had any */
static void tl_rows(FILE *f, const struct rmodel *m, const struct rentry *e, const char *indent,
		    size_t cols, bool utf8)
{
	static const char *const names[] = { "read ", "write", "fsync" };
	uint64_t k = tl_per_cell(m->meta.bins, cols), cell[512];
	size_t ncell = (size_t)((m->meta.bins + k - 1) / k);
	char peak[16], width[16];

	fmt_ns(width, sizeof(width), m->meta.bin_ns * k);
	for (int dir = 0; dir < 3; dir++) {
		uint64_t top = tl_cells(e, dir, k, cell, ncell);

		if (!top)
			continue;
		fprintf(f, "%s%s ", indent, names[dir]);
		tl_spark(f, cell, ncell, top, utf8);
		if (dir == 2) {
			fprintf(f, " peak %llu in %s\n", (unsigned long long)top, width);
		} else {
			fmt_size(peak, sizeof(peak), top);
			fprintf(f, " peak %s in %s\n", peak, width);
		}
	}
}

/* the chart's columns: what the width leaves after the labels and the peak */
static size_t tl_cols(int width)
{
	int c = (width ? width : WIDTH) - 32;

	return c < 16 ? 16 : c > 512 ? 512 : (size_t)c;
}

static void tl_caption(FILE *f, const struct rmodel *m, size_t cols, const char *what)
{
	uint64_t k = tl_per_cell(m->meta.bins, cols);
	char w[16], span[16];

	char text[256];

	fmt_ns(w, sizeof(w), m->meta.bin_ns * k);
	fmt_ns(span, sizeof(span), m->meta.bin_ns * m->meta.bins);
	snprintf(text, sizeof(text), "%s over time: a character per %s, from the start to %s%s",
		 what, w, span, m->meta.docs > 1 ? " (each document's own start)" : "");
	put_wrapped(f, "", text, table_width > 0 && table_width < WIDTH ? table_width : WIDTH, 0);
}

/* the chart of each row of the table */
static void put_table_timelines(FILE *f, const struct rmodel *m, struct rentry **v, size_t rows,
				const struct style *st)
{
	size_t cols = tl_cols(table_width > 0 && table_width < 200 ? table_width : 200);
	bool utf8 = utf8_locale();
	char path[1024];

	if (m->meta.tl != 1 || m->meta.bins < 2) /* one bin shows no change over time */
		return;
	fputc('\n', f);
	fputs(st->bold, f);
	tl_caption(f, m, cols, "Bytes read and written, fsync calls,");
	fputs(st->off, f);
	for (size_t i = 0; i < rows && i < 10; i++) {
		fmt_path(path, sizeof(path), v[i]->path, v[i]->path_len, cols + 24);
		fprintf(f, "%s\n", path);
		tl_rows(f, m, v[i], "  ", cols, utf8);
	}
	if (rows > 10)
		fprintf(f, "(the first 10 rows; --file shows any one)\n");
}

static const char *const sort_names[] = { "bytes", "calls", "errors", "seq", "rewrites", "fsync" };

void report_text_table(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       const struct rtext_opts *o)
{
	struct style st = style_of(o->color);
	size_t rows = o->top && o->top < n ? o->top : n;

	report_sort(v, n, o->sort);
	set_table_width(o, v, rows);
	put_summary(f, m, n, o, &st);
	fputc('\n', f);
	fputs(st.bold, f);
	if (table_pids) {
		put_cell(f, "PID", PID_W, false);
		fputc(' ', f);
		put_cell(f, "COMM", COMM_W, true);
		fputc(' ', f);
	}
	put_cell(f, o->by_name ? "GROUP" : "PATH", path_width(), true);
	for (int c = 0; c < C_CNT; c++) {
		if (!shown(c))
			continue;
		fputc(' ', f);
		put_cell(f, cols[c].title, cols[c].w, c == C_OP);
	}
	fprintf(f, "%s\n", st.off);
	for (size_t i = 0; i < rows; i++)
		put_entry(f, v[i], &m->meta);
	{
		char legend[1024];

		snprintf(legend, sizeof(legend),
			 "%zu of %zu %s by %s.  R/W: read-type/write-type calls; CR/CW: in-kernel "
			 "copies (copy_file_range, splice) from/to the file; AR/AW: asynchronous "
			 "requests (Linux AIO, io_uring); BYTES completed, MEAN per call; "
			 "P50/P99: request size, the lower bound of its histogram bucket (64K: 64K "
			 "to 128K); SEQ%%: of the successful calls; REWR: writes at the offset of "
			 "the previous write; FSYNC: fsync + fdatasync calls, FS.P99 their latency "
			 "(also a bucket's lower bound); ACTIVE: first call to last return, gaps "
			 "between runs left out.%s  Sizes are 1024-based.",
			 rows, n, o->by_name ? "groups" : "entries", sort_names[o->sort],
			 table_narrow ? "  P99, REWR and FS.P99 need 100 columns." : "");
		fputc('\n', f);
		put_wrapped(f, "", legend, table_width && table_width < WIDTH ? table_width : WIDTH,
			    0);
	}
	put_table_timelines(f, m, v, rows, &st);
}

/* ---- the detail of one entry ---------------------------------------------------------- */

/*
 * One screen for a typical file: who and when; a line per side (calls,
 * bytes, mean size, sequential share, rewrites, rate, latency); a line per
 * syscall with the percentiles of its sizes and latency; then every
 * histogram once, side by side as the width allows.  Sizes and latencies
 * are written alike everywhere: a bucket, or a percentile that falls in
 * it, by its lower bound (a 64 KiB request reads 64K).
 */

/* the p-th percentile of h by its bucket's lower bound, "-" when h is empty */
static void pct_of(char *buf, size_t sz, const struct rhist *h, double p, bool ns)
{
	fmt_pct(buf, sz, h->cnt ? rhist_percentile(h, p) : NULL, ns);
}

static void put_head(FILE *f, const struct rmodel *m, const struct rentry *e,
		     const struct style *st)
{
	char path[8192], a[16], b[16];
	uint64_t first, last;

	fmt_path(path, sizeof(path), e->path, e->path_len, sizeof(path) / 4);
	fprintf(f, "%s%s%s\n  dev %u:%u, ino %llu, %s", st->bold, path, st->off, e->dev_major,
		e->dev_minor, (unsigned long long)e->ino, e->fstype);
	if (e->has_pid)
		fprintf(f, ", pid %llu (%s)", (unsigned long long)e->pid, e->comm ? e->comm : "?");
	fputs(", comms:", f);
	for (unsigned int i = 0; i < e->comm_cnt; i++)
		fprintf(f, " %s", e->comms[i]);
	fprintf(f, "%s\n", e->deleted ? "; deleted" : "");
	if (rentry_window(e, &first, &last)) {
		fmt_ns(a, sizeof(a), first - m->meta.start_ns);
		fmt_ns(b, sizeof(b), last - m->meta.start_ns);
		fmt_ns(path, sizeof(path), rentry_active_ns(e, &m->meta));
		fprintf(f, "  active from %s to %s after the start (%s%s)\n", a, b, path,
			rentry_active_ns(e, &m->meta) < last - first ? " within the runs" : "");
	}
	if (e->mapped.present) {
		fmt_ns(a, sizeof(a), e->mapped.first_ns - m->meta.start_ns);
		fmt_ns(b, sizeof(b), e->mapped.last_ns - m->meta.start_ns);
		fprintf(f,
			"  mapped: %llu page faults (%llu on writes), from %s to %s after the start\n",
			(unsigned long long)e->mapped.faults,
			(unsigned long long)e->mapped.write_faults, a, b);
	}
	if (e->cache_pages)
		fprintf(f, "  page cache: %llu pages added\n", (unsigned long long)e->cache_pages);
}

/* the streams' open flags that change how the kernel does the I/O, when any */
static void put_oflags(FILE *f, const struct rentry *e)
{
	for (int s = 0; s < SIDES; s++) {
		const struct rside *sd = &e->side[s];
		const char *sep = "";

		for (int i = 0; i < OFLAGS; i++) {
			if (!sd->oflags[i])
				continue;
			fprintf(f, "%s%s", *sep ? sep : "  ", *sep ? "" : side_keys[s]);
			fprintf(f, "%s%s on %llu of %llu streams", *sep ? "" : " opened with ",
				oflag_keys[i], (unsigned long long)sd->oflags[i],
				(unsigned long long)sd->streams);
			sep = ", ";
		}
		if (*sep)
			fputc('\n', f);
	}
}

/* a column of the detail's tables; wide: only where 100 columns are given */
struct dcol {
	const char *title;
	int w; /* < 0: left-aligned */
	bool wide;
};

/* a row of cells (titles when cell is NULL), the wide-only columns left out when narrow */
static void put_drow(FILE *f, const struct dcol *c, int n, char (*cell)[24], bool narrow,
		     const struct style *st)
{
	fprintf(f, "  %s", cell ? "" : st->bold);
	for (int i = 0; i < n; i++) {
		if (narrow && c[i].wide)
			continue;
		fprintf(f, "%s%*s", i ? " " : "", c[i].w, cell ? cell[i] : c[i].title);
	}
	fprintf(f, "%s\n", cell ? "" : st->off);
}

static void put_sides(FILE *f, const struct rentry *e, bool narrow, const struct style *st)
{
	/* 100 columns, 75 narrow */
	static const struct dcol c[12] = {
		{ "SIDE", -11, 0 }, { "CALLS", 9, 0 }, { "ERRORS", 6, 0 }, { "BYTES", 7, 0 },
		{ "MEAN", 6, 0 },   { "SEQ%", 5, 0 },  { "REWR", 6, 1 },   { "IOPS", 8, 1 },
		{ "RATE", 8, 1 },   { "LAT", 7, 0 },   { "P50", 7, 0 },	   { "P99", 7, 0 },
	};
	char cell[12][24];

	fputc('\n', f);
	put_drow(f, c, 12, NULL, narrow, st);
	for (int s = 0; s < SIDES; s++) {
		const struct rside *sd = &e->side[s];
		uint64_t ok = sd->calls - sd->errors;
		unsigned int pm;

		if (!sd->present)
			continue;
		for (int k = 0; k < 12; k++)
			strcpy(cell[k], "-");
		snprintf(cell[0], 24, "%s", side_keys[s]);
		snprintf(cell[1], 24, "%llu", (unsigned long long)sd->calls);
		snprintf(cell[2], 24, "%llu", (unsigned long long)sd->errors);
		fmt_size(cell[3], 24, sd->bytes);
		fmt_size(cell[4], 24, ok ? sd->bytes / ok : 0);
		if (rentry_seq_permille(e, s, &pm))
			snprintf(cell[5], 24, "%u.%u", pm / 10, pm % 10);
		if (s & 1)
			snprintf(cell[6], 24, "%llu", (unsigned long long)sd->rewrites);
		else
			cell[6][0] = '\0';
		if (sd->has_last && sd->last_ns > sd->first_ns) {
			double secs = (double)(sd->last_ns - sd->first_ns) / 1e9;

			snprintf(cell[7], 24, "%.1f", (double)sd->calls / secs);
			fmt_size(cell[8], 20, (uint64_t)((double)sd->bytes / secs));
			strcat(cell[8], "/s");
		}
		if (sd->has_lat && sd->calls) {
			fmt_ns(cell[9], 24, sd->total_ns / sd->calls);
			pct_of(cell[10], 24, &sd->lat, 50, true);
			pct_of(cell[11], 24, &sd->lat, 99, true);
		}
		put_drow(f, c, 12, cell, narrow, st);
	}
	if (e->fsync.present) {
		for (int k = 0; k < 12; k++)
			strcpy(cell[k], "-");
		snprintf(cell[0], 24, "fsync");
		snprintf(cell[1], 24, "%llu", (unsigned long long)e->fsync.calls);
		snprintf(cell[2], 24, "%llu", (unsigned long long)e->fsync.errors);
		cell[6][0] = '\0';
		if (e->fsync.calls)
			fmt_ns(cell[9], 24, e->fsync.total_ns / e->fsync.calls);
		pct_of(cell[10], 24, &e->fsync.lat, 50, true);
		pct_of(cell[11], 24, &e->fsync.lat, 99, true);
		put_drow(f, c, 12, cell, narrow, st);
	}
	put_oflags(f, e);
}

static void put_syscalls(FILE *f, const struct rentry *e, bool narrow, const struct style *st)
{
	struct dcol c[11] = {
		{ "SYSCALL", -10, 0 }, { "CALLS", 9, 0 },    { "ERRORS", 6, 0 },
		{ "BYTES", 7, 0 },     { "REQ.P50", 7, 0 },  { "REQ.P99", 7, 0 },
		{ "DONE.P50", 8, 1 },  { "DONE.P99", 8, 1 }, { "TIME", 7, 1 },
		{ "LAT.P50", 7, 0 },   { "LAT.P99", 7, 0 },
	};
	char cell[11][24];

	/* the name column: as wide as the longest name shown */
	for (size_t i = 0; i < e->sc_cnt; i++)
		if ((int)strlen(e->sc[i].name) > -c[0].w)
			c[0].w = -(strlen(e->sc[i].name) > 23 ? 23 : (int)strlen(e->sc[i].name));
	fputc('\n', f);
	put_drow(f, c, 11, NULL, narrow, st);
	for (size_t i = 0; i < e->sc_cnt; i++) {
		const struct rsc *sc = &e->sc[i];

		for (int k = 0; k < 11; k++)
			strcpy(cell[k], "-");
		snprintf(cell[0], 24, "%.23s", sc->name);
		snprintf(cell[1], 24, "%llu", (unsigned long long)sc->calls);
		snprintf(cell[2], 24, "%llu", (unsigned long long)sc->errors);
		if (sc->has & RSC_BYTES)
			fmt_size(cell[3], 24, sc->bytes);
		pct_of(cell[4], 24, &sc->req, 50, false);
		pct_of(cell[5], 24, &sc->req, 99, false);
		pct_of(cell[6], 24, &sc->done, 50, false);
		pct_of(cell[7], 24, &sc->done, 99, false);
		if (sc->has & RSC_TOTAL)
			fmt_ns(cell[8], 24, sc->total_ns);
		pct_of(cell[9], 24, &sc->lat, 50, true);
		pct_of(cell[10], 24, &sc->lat, 99, true);
		put_drow(f, c, 11, cell, narrow, st);
	}
}

/* ---- histograms, side by side ---- */

#define HBLOCK_W    36 /* columns of one histogram block, its gap included */
#define HBLOCK_ROWS 12 /* buckets shown per block; the rest summed in one row */
#define HBAR_W	    14
#define HBAR	    "##############" /* HBAR_W of them */
_Static_assert(sizeof(HBAR) - 1 == HBAR_W, "HBAR is HBAR_W wide");

struct hblock {
	char title[64];
	const struct rhist *h;
	bool ns;
};

static bool same_hist(const struct rhist *a, const struct rhist *b)
{
	if (a->cnt != b->cnt)
		return false;
	for (size_t i = 0; i < a->cnt; i++)
		if (a->b[i].lo != b->b[i].lo || a->b[i].hi != b->b[i].hi ||
		    a->b[i].cnt != b->b[i].cnt)
			return false;
	return true;
}

/*
 * Line r of a block (its title, then its buckets), padded to HBLOCK_W columns (blank past its
 * last bucket) unless it is the last block of the line
 */
static void put_hblock_line(FILE *f, const struct hblock *b, size_t r, const struct style *st,
			    bool last)
{
	size_t rows = b->h->cnt > HBLOCK_ROWS ? HBLOCK_ROWS : b->h->cnt;
	uint64_t max = 1;
	char label[24], line[HBLOCK_W + 64];
	int n;

	if (r == 0) {
		n = snprintf(line, sizeof(line), "%.*s", HBLOCK_W - 2, b->title);
		fprintf(f, "%s%s%s%*s", st->bold, line, st->off, last ? 0 : HBLOCK_W - n, "");
		return;
	}
	if (r > rows) {
		if (!last)
			fprintf(f, "%*s", HBLOCK_W, "");
		return;
	}
	for (size_t i = 0; i < b->h->cnt; i++)
		max = b->h->b[i].cnt > max ? b->h->b[i].cnt : max;
	if (r == HBLOCK_ROWS && b->h->cnt > HBLOCK_ROWS) {
		uint64_t rest = 0;

		for (size_t i = HBLOCK_ROWS - 1; i < b->h->cnt; i++)
			rest += b->h->b[i].cnt;
		fmt_pct(label, sizeof(label), &b->h->b[HBLOCK_ROWS - 1], b->ns);
		n = snprintf(line, sizeof(line), "%7s+ %9llu", label, (unsigned long long)rest);
	} else {
		const struct rbucket *x = &b->h->b[r - 1];
		int bar = (int)((unsigned __int128)x->cnt * HBAR_W / max);

		fmt_pct(label, sizeof(label), x, b->ns);
		n = snprintf(line, sizeof(line), "%8s %9llu %s%.*s%s", label,
			     (unsigned long long)x->cnt, st->bar, bar ? bar : 1, HBAR, st->off);
		n -= (int)(strlen(st->bar) + strlen(st->off));
	}
	fputs(line, f);
	if (!last)
		fprintf(f, "%*s", HBLOCK_W - n > 0 ? HBLOCK_W - n : 1, "");
}

static void put_hblocks(FILE *f, const struct hblock *v, size_t n, int width,
			const struct style *st)
{
	size_t per = width > 0 ? (size_t)width / HBLOCK_W : 4;

	per = per < 1 ? 1 : per;
	for (size_t at = 0; at < n; at += per) {
		size_t k = n - at < per ? n - at : per;

		size_t rows = 0;

		for (size_t i = 0; i < k; i++) {
			size_t r = v[at + i].h->cnt > HBLOCK_ROWS ? HBLOCK_ROWS : v[at + i].h->cnt;

			rows = r > rows ? r : rows;
		}
		fputc('\n', f);
		for (size_t r = 0; r <= rows; r++) {
			size_t last =
				0; /* the last block with a line here: nothing is padded after it */

			for (size_t i = 0; i < k; i++)
				if (r == 0 || r <= v[at + i].h->cnt)
					last = i;
			fputs("  ", f);
			for (size_t i = 0; i <= last; i++)
				put_hblock_line(f, &v[at + i], r, st, i == last);
			fputc('\n', f);
		}
	}
}

static void put_all_hists(FILE *f, const struct rentry *e, int width, const struct style *st)
{
	struct hblock v[3 * 64 + 2 * SIDES + 1];
	size_t n = 0;
	int syncs = 0;

	for (size_t i = 0; i < e->sc_cnt && n + 3 < sizeof(v) / sizeof(v[0]); i++) {
		const struct rsc *sc = &e->sc[i];

		if (sc->req.cnt) {
			v[n] = (struct hblock){ .h = &sc->req };
			snprintf(v[n++].title, sizeof(v[0].title), "%.20s: request size", sc->name);
		}
		/* the completed sizes only where they differ from the requests */
		if (sc->done.cnt && !same_hist(&sc->done, &sc->req)) {
			v[n] = (struct hblock){ .h = &sc->done };
			snprintf(v[n++].title, sizeof(v[0].title), "%.20s: completed", sc->name);
		}
		if (sc->lat.cnt) {
			v[n] = (struct hblock){ .h = &sc->lat, .ns = true };
			snprintf(v[n++].title, sizeof(v[0].title), "%.20s: latency", sc->name);
			syncs++;
		}
	}
	for (int s = 0; s < SIDES; s++) {
		if (e->side[s].seq.cnt) {
			v[n] = (struct hblock){ .h = &e->side[s].seq };
			snprintf(v[n++].title, sizeof(v[0].title), "%s: sequential sizes",
				 side_keys[s]);
		}
		if (e->side[s].lat.cnt) {
			v[n] = (struct hblock){ .h = &e->side[s].lat, .ns = true };
			snprintf(v[n++].title, sizeof(v[0].title), "%s: latency", side_keys[s]);
		}
	}
	/* with one sync syscall, its own histogram above is this one */
	if (syncs != 1 && e->fsync.lat.cnt) {
		v[n] = (struct hblock){ .h = &e->fsync.lat, .ns = true };
		snprintf(v[n++].title, sizeof(v[0].title), "fsync + fdatasync: latency");
	}
	if (!n)
		return;
	fprintf(f,
		"\n  %sHistograms%s (calls per bucket; buckets and percentiles by their lower "
		"bound):\n",
		st->bold, st->off);
	put_hblocks(f, v, n, width, st);
}

void report_text_detail(FILE *f, const struct rmodel *m, const struct rentry *e,
			const struct rtext_opts *o)
{
	struct style st = style_of(o->color);

	put_head(f, m, e, &st);
	put_sides(f, e, o->width > 0 && o->width < WIDTH, &st);
	put_syscalls(f, e, o->width > 0 && o->width < WIDTH, &st);
	put_all_hists(f, e, o->width, &st);
	if (m->meta.tl == 1 && m->meta.bins >= 2) {
		size_t cols = tl_cols(o->width);

		fputc('\n', f);
		fputs(st.bold, f);
		tl_caption(f, m, cols, "Timeline: bytes read and written, fsync calls,");
		fputs(st.off, f);
		tl_rows(f, m, e, "  ", cols, utf8_locale());
	}
}

/* ---- findings ------------------------------------------------------------------------ */

/*
 * The findings after the table: per rule, one line per entry that crossed
 * it (the path shortened to leave room for the figures), then the advice.
 */
void report_text_findings(FILE *f, const struct rfindings *fs, int width)
{
	char path[8192];

	if (!fs->cnt)
		return;
	fprintf(f, "\nfindings (the rules' thresholds: iotrace-report(1), FINDINGS)\n");
	for (size_t i = 0; i < fs->cnt; i++) {
		const struct rfinding *x = &fs->v[i];
		size_t room = width > 0 ? (size_t)width / 2 : SIZE_MAX;

		if (!i || x->rule != fs->v[i - 1].rule)
			fprintf(f, "%s\n", x->rule->id);
		fmt_path(path, sizeof(path), x->e->path, x->e->path_len, room < 24 ? 24 : room);
		{
			char lead[8300];

			if (x->e->has_pid)
				snprintf(lead, sizeof(lead), "  %s [%llu %s]:", path,
					 (unsigned long long)x->e->pid,
					 x->e->comm ? x->e->comm : "");
			else
				snprintf(lead, sizeof(lead), "  %s:", path);
			put_wrapped(f, lead, x->what, width ? width : 100, 4);
		}
		if (i + 1 == fs->cnt || fs->v[i + 1].rule != x->rule)
			put_wrapped(f, "  what to do:", x->rule->advice, width ? width : 100, 4);
	}
}
