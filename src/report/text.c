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

/* a bucket bound in a hist() label: 4K for multiples of a power of 1024, else exact */
static void fmt_bound(char *buf, size_t sz, uint64_t v)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (v && v % 1024 == 0 && u < 5)
		v /= 1024, u++;
	if (u < 0)
		snprintf(buf, sz, "%llu", (unsigned long long)v);
	else
		snprintf(buf, sz, "%llu%c", (unsigned long long)v, units[u]);
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
/* its rows are processes' records (--per-process): PID and COMM columns lead */
static bool table_pids;
#define PID_W  7
#define COMM_W 15

static int path_width(void)
{
	int w = table_width - (table_pids ? PID_W + COMM_W + 2 : 0);

	for (int c = 0; c < C_CNT; c++)
		w -= cols[c].w + 1;
	return w;
}

/* o->width, or with 0 (--wide) what the longest path shown needs */
static void set_table_width(const struct rtext_opts *o, struct rentry **v, size_t n)
{
	size_t longest = 5; /* "GROUP" */
	int fixed = 0;

	table_pids = false;
	for (size_t i = 0; i < n; i++)
		table_pids |= v[i]->has_pid;
	if (table_pids)
		fixed += PID_W + COMM_W + 2;
	for (int c = 0; c < C_CNT; c++)
		fixed += cols[c].w + 1;
	/* a given width, but never less than a path column of 28 */
	table_width = o->width && o->width < fixed + 28 ? fixed + 28 : o->width;
	if (table_width)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t c = path_cols(v[i]->path, v[i]->path_len);

		longest = c > longest ? c : longest;
	}
	table_width = fixed + (int)(longest < 4096 ? longest : 4096);
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

static void file_cells(const struct rentry *e, char cell[C_CNT][32])
{
	uint64_t first, last;

	snprintf(cell[C_FSYNC], 32, "%llu", (unsigned long long)e->fsync.calls);
	fmt_pct(cell[C_FSP99], 32, rhist_percentile(&e->fsync.lat, 99), true);
	if (rentry_window(e, &first, &last))
		fmt_ns(cell[C_ACTIVE], 32, last - first);
	else
		snprintf(cell[C_ACTIVE], 32, "-");
}

static void put_entry(FILE *f, const struct rentry *e)
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
			file_cells(e, cell);
		put_row(f, first ? e : NULL, first ? path : "", cell);
		first = false;
	}
	if (first) {
		memset(cell, 0, sizeof(cell));
		snprintf(cell[C_OP], 32, "-");
		file_cells(e, cell);
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
	fprintf(f, "%s%zu file%s in %zu document%s%s: %s read, %s written; from %s for %s\n",
		st->bold, m->files.cnt, m->files.cnt == 1 ? "" : "s", m->meta.docs,
		m->meta.docs == 1 ? "" : "s", st->off, a, b, start, dur);
	if (m->meta.run_cnt > 1)
		fprintf(f, "%zu runs apart in time: %s is their traced time, without the gaps\n",
			m->meta.run_cnt, dur);
	if (o->by_name)
		fprintf(f, "%zu group%s by %s\n", n, n == 1 ? "" : "s", o->by_name);
	filters_line(f, &m->meta.ff);
	if (m->meta.dropped_files || m->meta.dropped_events)
		fprintf(f, "warning: %llu files and %llu calls were not counted by the tracer\n",
			(unsigned long long)m->meta.dropped_files,
			(unsigned long long)m->meta.dropped_events);
	if (m->meta.missed_runs)
		fprintf(f,
			"warning: the kernel skipped %llu run%s of the tracer's programs: up to as "
			"many calls may be missing\n",
			(unsigned long long)m->meta.missed_runs,
			m->meta.missed_runs == 1 ? "" : "s");
	{
		char what[256];

		unseen_text(m->meta.unseen, what, sizeof(what));
		if (what[0])
			fprintf(f, "warning: not counted by the tracer: %s\n", what);
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

	fmt_ns(w, sizeof(w), m->meta.bin_ns * k);
	fmt_ns(span, sizeof(span), m->meta.bin_ns * m->meta.bins);
	fprintf(f, "%s over time: a character per %s, from the start to %s%s\n", what, w, span,
		m->meta.docs > 1 ? " (each document's own start)" : "");
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
		fputc(' ', f);
		put_cell(f, cols[c].title, cols[c].w, c == C_OP);
	}
	fprintf(f, "%s\n", st.off);
	for (size_t i = 0; i < rows; i++)
		put_entry(f, v[i]);
	fprintf(f,
		"\n%zu of %zu %s by %s.  R/W: read-type/write-type calls; CR/CW: in-kernel "
		"copies\n(copy_file_range, splice) from/to the file; AR/AW: asynchronous "
		"requests (Linux AIO,\nio_uring); BYTES completed, MEAN per call; P50/P99: "
		"request size, the lower bound of\nits histogram bucket (64K: 64K to 128K); "
		"SEQ%%: of the successful calls; REWR: writes at\nthe offset of the previous "
		"write; FSYNC: fsync + fdatasync calls, FS.P99 their latency\n(also a bucket's "
		"lower bound); ACTIVE: first call to last return.  Sizes are 1024-based.\n",
		rows, n, o->by_name ? "groups" : "entries", sort_names[o->sort]);
	put_table_timelines(f, m, v, rows, &st);
}

/* ---- the detail of one entry ---------------------------------------------------------- */

/* a side's latency: mean, and the buckets of the 50th and 99th percentiles */
static void put_side_lat(FILE *f, const struct rside *sd)
{
	char mean[24], p50[32], p99[32];

	if (!sd->has_lat || !sd->calls)
		return;
	fmt_ns(mean, sizeof(mean), sd->total_ns / sd->calls);
	fmt_pct(p50, sizeof(p50), rhist_percentile(&sd->lat, 50), true);
	fmt_pct(p99, sizeof(p99), rhist_percentile(&sd->lat, 99), true);
	fprintf(f, "         latency: mean %s, p50 %s, p99 %s\n", mean, p50, p99);
}

/* the streams' open flags that change how the kernel does the I/O, when any */
static void put_side_oflags(FILE *f, const struct rside *sd)
{
	const char *sep = "         opened with ";

	for (int i = 0; i < OFLAGS; i++) {
		if (!sd->oflags[i])
			continue;
		fprintf(f, "%s%s (%llu of %llu streams)", sep, oflag_keys[i],
			(unsigned long long)sd->oflags[i], (unsigned long long)sd->streams);
		sep = ", ";
	}
	if (*sep == ',')
		fputc('\n', f);
}

static void put_side_line(FILE *f, const struct rentry *e, int s)
{
	const struct rside *sd = &e->side[s];
	char bytes[16], win[16], bw[16], label[16];
	unsigned int pm;

	fmt_size(bytes, sizeof(bytes), sd->bytes);
	snprintf(label, sizeof(label), "%s:", side_keys[s]);
	fprintf(f, "  %-6s %llu calls, %llu errors, %s", label, (unsigned long long)sd->calls,
		(unsigned long long)sd->errors, bytes);
	if (rentry_seq_permille(e, s, &pm))
		fprintf(f, ", %u.%u%% sequential", pm / 10, pm % 10);
	if (s & 1)
		fprintf(f, ", %llu rewrites", (unsigned long long)sd->rewrites);
	if (!sd->has_last || sd->last_ns <= sd->first_ns) {
		fputs("; no time span for IOPS\n", f);
		put_side_lat(f, sd);
		put_side_oflags(f, sd);
		return;
	}
	double secs = (double)(sd->last_ns - sd->first_ns) / 1e9;

	fmt_ns(win, sizeof(win), sd->last_ns - sd->first_ns);
	fmt_size(bw, sizeof(bw), (uint64_t)((double)sd->bytes / secs));
	fprintf(f, "\n         %.1f IOPS, %s/s over %s\n", (double)sd->calls / secs, bw, win);
	put_side_lat(f, sd);
	put_side_oflags(f, sd);
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
		fmt_ns(path, sizeof(path), last - first);
		fprintf(f, "  active from %s to %s after the start (%s)\n", a, b, path);
	}
	for (int s = 0; s < SIDES; s++)
		if (e->side[s].present)
			put_side_line(f, e, s);
	if (e->fsync.present) {
		fmt_ns(a, sizeof(a), e->fsync.total_ns);
		fprintf(f, "  fsync: %llu calls, %llu errors, %s in total\n",
			(unsigned long long)e->fsync.calls, (unsigned long long)e->fsync.errors, a);
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

static void put_syscalls(FILE *f, const struct rentry *e, const struct style *st)
{
	int w = 12; /* the name column: as wide as the longest name shown */

	for (size_t i = 0; i < e->sc_cnt; i++)
		if (strlen(e->sc[i].name) > (size_t)w)
			w = strlen(e->sc[i].name) > 32 ? 32 : (int)strlen(e->sc[i].name);
	fprintf(f, "\n  %s%-*s %12s %8s %16s %12s%s\n", st->bold, w, "SYSCALL", "CALLS", "ERRORS",
		"BYTES", "TIME", st->off);
	for (size_t i = 0; i < e->sc_cnt; i++) {
		const struct rsc *sc = &e->sc[i];
		char bytes[24] = "-", time[16] = "-";

		if (sc->has & RSC_BYTES)
			snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)sc->bytes);
		if (sc->has & RSC_TOTAL)
			fmt_ns(time, sizeof(time), sc->total_ns);
		fprintf(f, "  %-*.32s %12llu %8llu %16s %12s\n", w, sc->name,
			(unsigned long long)sc->calls, (unsigned long long)sc->errors, bytes, time);
	}
}

static void bucket_label(char *buf, size_t sz, const struct rbucket *b)
{
	char lo[24], hi[24];

	fmt_bound(lo, sizeof(lo), b->lo);
	if (b->lo == b->hi) {
		snprintf(buf, sz, "[%s]", lo);
		return;
	}
	if (b->hi == UINT64_MAX)
		snprintf(hi, sizeof(hi), "...");
	else
		fmt_bound(hi, sizeof(hi), b->hi + 1);
	snprintf(buf, sz, "[%s, %s)", lo, hi);
}

static void put_bars(FILE *f, const struct rhist *h, const struct style *st)
{
	uint64_t max = 0;
	int lw = 0;
	char label[64];

	for (size_t i = 0; i < h->cnt; i++) {
		bucket_label(label, sizeof(label), &h->b[i]);
		lw = (int)strlen(label) > lw ? (int)strlen(label) : lw;
		max = h->b[i].cnt > max ? h->b[i].cnt : max;
	}
	for (size_t i = 0; i < h->cnt; i++) {
		int n = (int)((unsigned __int128)h->b[i].cnt * BAR_W / max);
		char bar[BAR_W + 1];

		memset(bar, '@', (size_t)n);
		bar[n] = '\0';
		bucket_label(label, sizeof(label), &h->b[i]);
		fprintf(f, "  %-*s %10llu |%s%-*s%s|\n", lw, label, (unsigned long long)h->b[i].cnt,
			st->bar, BAR_W, bar, st->off);
	}
}

static const double pcts[] = { 1,  5,  10, 20, 30,   40,   50,	  60,	70,
			       80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99 };

/* p is supported when both sides of it hold a sample: min(p, 100 - p)% of n >= 1 */
static bool supported(double p, uint64_t n)
{
	uint64_t h = (uint64_t)(p * 100 + 0.5), tail = h < 5000 ? h : 10000 - h;

	return h == 5000 || (unsigned __int128)n * tail >= 10000;
}

static void put_percentiles(FILE *f, const struct rhist *h)
{
	uint64_t n = rhist_total(h);
	int shown = 0, w = 1;

	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		char v[24];
		int len;

		if (!supported(pcts[i], n))
			continue;
		len = snprintf(v, sizeof(v), "%llu",
			       (unsigned long long)rhist_percentile(h, pcts[i])->hi);
		w = len > w ? len : w;
	}
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		if (!supported(pcts[i], n))
			continue;
		fprintf(f, "%s%5.2fth=[%*llu]",
			shown % 4 ? ", "
			: shown	  ? ",\n   | "
				  : "   | ",
			pcts[i], w, (unsigned long long)rhist_percentile(h, pcts[i])->hi);
		shown++;
	}
	fputc('\n', f);
}

static void bucket_label(char *buf, size_t sz, const struct rbucket *b);

static void put_resolution(FILE *f, const struct rhist *h, bool ns)
{
	const struct rbucket *wide = &h->b[0];
	char label[64];

	if (!ns && rhist_in_scheme(h, RS_LOG2)) {
		fputs("log2 buckets, each x2 wide", f);
	} else if (ns && rhist_in_scheme(h, RS_LAT)) {
		fputs("4 buckets per octave, each <= 25% wide", f);
	} else {
		for (size_t i = 1; i < h->cnt; i++)
			if (h->b[i].hi - h->b[i].lo > wide->hi - wide->lo)
				wide = &h->b[i];
		bucket_label(label, sizeof(label), wide);
		fprintf(f, "the writer's buckets, widest %s", label);
	}
}

static void put_hist(FILE *f, const char *name, const char *what, const struct rhist *h, bool ns,
		     const struct style *st)
{
	if (!h->cnt)
		return;
	fprintf(f, "\n  %s%s%s: %s, %s\n", st->bold, name, st->off, what, ns ? "ns" : "bytes");
	put_bars(f, h, st);
	fprintf(f, "  percentiles (%s, bucket upper bounds; ", ns ? "ns" : "bytes");
	put_resolution(f, h, ns);
	fputs("):\n", f);
	put_percentiles(f, h);
}

static void put_all_hists(FILE *f, const struct rentry *e, const struct style *st)
{
	char name[96];
	int syncs = 0;

	for (size_t i = 0; i < e->sc_cnt; i++) {
		const struct rsc *sc = &e->sc[i];

		snprintf(name, sizeof(name), "syscalls.%.32s.req_hist", sc->name);
		put_hist(f, name, "request size", &sc->req, false, st);
		snprintf(name, sizeof(name), "syscalls.%.32s.done_hist", sc->name);
		put_hist(f, name, "completed size", &sc->done, false, st);
		snprintf(name, sizeof(name), "syscalls.%.32s.lat_hist", sc->name);
		put_hist(f, name, "latency", &sc->lat, true, st);
		syncs += sc->lat.cnt != 0;
	}
	put_hist(f, "read.seq_hist", "completed size of sequential reads", &e->side[0].seq, false,
		 st);
	put_hist(f, "write.seq_hist", "completed size of sequential writes", &e->side[1].seq, false,
		 st);
	put_hist(f, "copy_read.seq_hist", "completed size of sequential copies from the file",
		 &e->side[SIDE_COPY_READ].seq, false, st);
	put_hist(f, "copy_write.seq_hist", "completed size of sequential copies to the file",
		 &e->side[SIDE_COPY_WRITE].seq, false, st);
	for (int s = 0; s < SIDES; s++) {
		char name[32], what[48];

		snprintf(name, sizeof(name), "%s.lat_hist", side_keys[s]);
		snprintf(what, sizeof(what), "latency of the %s calls", side_keys[s]);
		put_hist(f, name, what, &e->side[s].lat, true, st);
	}
	if (syncs != 1) /* with one sync-type syscall, it is the one drawn above */
		put_hist(f, "fsync.lat_hist", "fsync and fdatasync latency", &e->fsync.lat, true,
			 st);
}

void report_text_detail(FILE *f, const struct rmodel *m, const struct rentry *e,
			const struct rtext_opts *o)
{
	struct style st = style_of(o->color);

	put_head(f, m, e, &st);
	put_syscalls(f, e, &st);
	put_all_hists(f, e, &st);
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

/* lead, then text's words wrapped at width columns, lines after the first indented */
static void put_wrapped(FILE *f, const char *lead, const char *text, int width, int indent)
{
	int col = fprintf(f, "%s", lead);

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col > indent && col + 1 + len > width) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
		} else {
			fputc(' ', f);
			col++;
		}
		col += fprintf(f, "%.*s", len, text);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

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
		fprintf(f, "  %s", path);
		if (x->e->has_pid)
			fprintf(f, " [%llu %s]", (unsigned long long)x->e->pid,
				x->e->comm ? x->e->comm : "");
		fprintf(f, ": %s\n", x->what);
		if (i + 1 == fs->cnt || fs->v[i + 1].rule != x->rule)
			put_wrapped(f, "  what to do:", x->rule->advice, width ? width : 100, 4);
	}
}
