// SPDX-License-Identifier: GPL-2.0
/*
 * Timelines against a workload that timed itself: the bursts scenario
 * writes and fsyncs in four phases 700 ms apart and prints the wall clock
 * before and after every call.  A call is counted in the bin of its
 * return, read by the tracer at most SLACK after the bin's end: each bin
 * of the document must hold at least the calls that certainly returned in
 * it and at most those that may have, and the bins add up to the totals.
 * The same holds of the JSON lines --stream writes per interval, of a
 * timeline whose width doubled, and of -o - --interval, whose stdout is
 * the lines and then the document on one line.  The report's chart shows
 * the four phases apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "e2e.h"
#include "expect.h"
#include "workload.h"

/* how late after a bin's end the tracer may read the maps */
#define SLACK_NS  60000000ULL
#define MAX_CALLS 64

struct call {
	char kind; /* 'W' write, 'F' fsync */
	uint64_t before, after;
};

/* the workload's "W|F BEFORE AFTER" lines */
static size_t calls_of(const char *wl_out, struct call *c)
{
	size_t n = 0;

	for (const char *p = wl_out; p && *p && n < MAX_CALLS;
	     p = strchr(p, '\n'), p = p ? p + 1 : p) {
		unsigned long long b, a;
		char k;

		if (sscanf(p, "%c %llu %llu", &k, &b, &a) == 3 && (k == 'W' || k == 'F'))
			c[n++] = (struct call){ k, b, a };
	}
	return n;
}

static uint64_t u64_of(const struct jval *o, const char *key)
{
	uint64_t v = 0;

	cr_assert_eq(jval_u64(jval_get(o, key), &v), 0, "%s", key);
	return v;
}

/*
 * The counts a bin [lo, hi) of the trace may hold.  A call counts when its
 * counters change, between its entry and its return, in the bin of the
 * read that follows; the read at an edge x happens in [x, x + SLACK_NS].
 * So a call is surely in the bin when it entered after the latest read at
 * lo and returned before hi, and may be when it returned after lo and
 * entered before the latest read at hi.
 */
static void bounds(const struct call *c, size_t n, char kind, uint64_t start, uint64_t lo,
		   uint64_t hi, uint64_t *sure, uint64_t *maybe)
{
	*sure = *maybe = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t b, a;

		if (c[i].kind != kind)
			continue;
		b = c[i].before - start;
		a = c[i].after - start;
		*sure += b >= lo + SLACK_NS && a < hi;
		*maybe += a >= lo && b < hi + SLACK_NS;
	}
}

/* the series' calls in each bin, checked against the calls' own times */
static void check_series(const struct jval *ser, char kind, const struct call *c, size_t n,
			 uint64_t start, uint64_t w, uint64_t bins, const char *what)
{
	const struct jval *bv = jval_get(ser, "bins"), *cv = jval_get(ser, "calls");
	uint64_t total = 0, want = 0;

	cr_assert_not_null(bv, "%s: no series", what);
	for (uint64_t b = 0, k = 0; b < bins; b++) {
		uint64_t got = 0, sure, maybe, at = 0;

		if (k < jval_len(bv) && !jval_u64(jval_idx(bv, k), &at) && at == b)
			jval_u64(jval_idx(cv, k++), &got);
		bounds(c, n, kind, start, b * w, (b + 1) * w, &sure, &maybe);
		cr_expect(sure <= got && got <= maybe,
			  "%s: bin %llu (%llu to %llu ms) holds %llu calls; the workload made %llu "
			  "surely, %llu at most in it",
			  what, (unsigned long long)b, (unsigned long long)(b * w / 1000000),
			  (unsigned long long)((b + 1) * w / 1000000), (unsigned long long)got,
			  (unsigned long long)sure, (unsigned long long)maybe);
		total += got;
	}
	for (size_t i = 0; i < n; i++)
		want += c[i].kind == kind;
	cr_expect_eq(total, want, "%s: %llu calls in the bins, the workload made %llu", what,
		     (unsigned long long)total, (unsigned long long)want);
}

/* the document's timeline of the bursts file, checked; its bin width */
static uint64_t check_doc(const struct jval *doc, const char *path, const struct call *c, size_t n)
{
	const struct jval *tl = jval_get(doc, "timeline"), *rec, *ft;
	uint64_t start = u64_of(doc, "start_unix_ns"), w, bins;

	cr_assert_not_null(tl, "no top-level timeline");
	w = u64_of(tl, "bin_ns");
	bins = u64_of(tl, "bins");
	cr_expect_geq(bins * w, u64_of(doc, "duration_ns"), "the bins do not span the trace");
	rec = doc_record(doc, path);
	cr_assert_not_null(rec, "no record of %s", path);
	ft = jval_get(rec, "timeline");
	cr_assert_not_null(ft);
	check_series(jval_get(ft, "write"), 'W', c, n, start, w, bins, "write");
	check_series(jval_get(ft, "fsync"), 'F', c, n, start, w, bins, "fsync");
	return w;
}

Test(timeline, calls_land_in_the_bins_of_their_return, .fini = fx_teardown)
{
	struct call c[MAX_CALLS];
	char stream[4096], *text, *line;
	size_t n, len;
	uint64_t start, last_end = 0, sum = 0, want = 0;
	long prev = -1;

	fx_setup("/tmp");
	snprintf(stream, sizeof(stream), "%s.lines", fx_dir);
	fx_run("bursts", (const char *const[]){ "--interval", "250ms", "--stream", stream, NULL });
	n = calls_of(fx_trace.wl_out, c);
	for (int p = 0; p < WL_BURST_PHASES; p++)
		want += WL_BURST_CALLS(p) + 1;
	cr_assert_eq(n, want, "the workload printed %zu calls", n);
	want = 0;
	cr_expect_eq(check_doc(fx_trace.doc, fx_path(WL_BURST_FILE), c, n), 250000000ULL);

	/* the stream: one line per interval, in order, adding up to the totals */
	start = u64_of(fx_trace.doc, "start_unix_ns");
	cr_assert_eq(e2e_read_file(stream, &text, &len), 0);
	for (size_t i = 0; i < n; i++)
		want += c[i].kind == 'W';
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct jval *root;
		const struct jval *files;
		char *end = strchr(line, '\n');
		uint64_t k, lo, hi, got = 0, sure, maybe;

		cr_assert_not_null(end, "a stream line without its newline");
		cr_assert_eq(jsonr_parse(line, (size_t)(end - line), &root, NULL), 0, "%.200s",
			     line);
		k = u64_of(root, "interval");
		lo = u64_of(root, "start_ns");
		hi = u64_of(root, "end_ns");
		cr_expect_gt((long)k, prev, "interval %llu after %ld", (unsigned long long)k, prev);
		cr_expect_eq(lo, k * 250000000ULL);
		prev = (long)k;
		last_end = hi;
		files = jval_get(root, "files");
		for (size_t i = 0; i < jval_len(files); i++) {
			const struct jval *f = jval_idx(files, i);
			size_t pl;
			const char *p = jval_str(jval_get(f, "path"), &pl);

			if (p && !strcmp(p, fx_path(WL_BURST_FILE)) && jval_get(f, "write"))
				got += u64_of(jval_get(f, "write"), "calls");
		}
		bounds(c, n, 'W', start, lo, hi, &sure, &maybe);
		cr_expect(sure <= got && got <= maybe,
			  "stream interval %llu holds %llu writes; the workload made %llu surely, "
			  "%llu at most in it",
			  (unsigned long long)k, (unsigned long long)got, (unsigned long long)sure,
			  (unsigned long long)maybe);
		sum += got;
		jval_free(root);
	}
	cr_expect_eq(sum, want, "the stream has %llu writes, the workload made %llu",
		     (unsigned long long)sum, (unsigned long long)want);
	cr_expect_leq(last_end, u64_of(fx_trace.doc, "duration_ns") + 1000000,
		      "the last line ends after the trace");
	free(text);
}

/* 4 bins at most (a testing hook): 100 ms doubles to 800 ms over the 2.1 s of bursts */
Test(timeline, a_trace_longer_than_its_bins_doubles_the_width, .fini = fx_teardown)
{
	struct call c[MAX_CALLS];
	size_t n;
	uint64_t w;

	fx_setup("/tmp");
	setenv("IOTRACE_TIMELINE_BINS", "4", 1);
	fx_run("bursts", (const char *const[]){ "--interval", "100ms", NULL });
	unsetenv("IOTRACE_TIMELINE_BINS");
	n = calls_of(fx_trace.wl_out, c);
	w = check_doc(fx_trace.doc, fx_path(WL_BURST_FILE), c, n);
	cr_expect(w == 800000000ULL || w == 1600000000ULL, "bin_ns %llu: not 100 ms doubled to fit",
		  (unsigned long long)w);
	cr_expect_leq(u64_of(jval_get(fx_trace.doc, "timeline"), "bins"), 4);
}

/* -o - --interval: JSON lines on stdout, the document last, on one line */
Test(timeline, o_dash_with_interval_streams_lines_then_the_document, .fini = fx_teardown)
{
	char out[4096], msg[2048], *text, *last, *comm_arg = "workload";
	FILE *f;
	const char *wl[] = { E2E_WORKLOAD, NULL, "bursts", NULL };
	const char *tr[] = { E2E_IOTRACE,  "-q",    "-c", comm_arg, "-d", "3.5",
			     "--interval", "500ms", "-o", "-",	    NULL };
	struct e2e_proc r;
	struct call c[MAX_CALLS];
	struct jval *doc;
	size_t len, lines = 0, n;
	pid_t tracer;

	fx_setup("/tmp");
	wl[1] = fx_dir;
	snprintf(out, sizeof(out), "%s.out", fx_dir);
	tracer = e2e_spawn((char *const *)tr, out);
	cr_assert_gt(tracer, 0);
	cr_assert(e2e_wait_attached(tracer, 20000), "the tracer did not attach");
	cr_assert_eq(e2e_run((char *const *)wl, 30, &r), 0);
	cr_assert_eq(r.status, 0, "workload: %s", r.err);
	n = calls_of(r.out, c);
	cr_assert_eq(e2e_wait(tracer, 30), 0, "iotrace -o - failed");
	cr_assert_eq(e2e_read_file(out, &text, &len), 0);
	cr_assert_gt(len, 1);
	cr_assert_eq(text[len - 1], '\n', "stdout does not end a line");
	text[len - 1] = 0;
	last = strrchr(text, '\n');
	cr_assert_not_null(last, "no interval line before the document");
	/* stderr shares the file: iotrace's own lines are not stdout's */
	for (char *p = text; p < last; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, "iotrace: ", 9))
			continue;
		cr_expect_eq(strncmp(p, "{\"interval\":", 12), 0, "line %zu: %.60s", lines, p);
		lines++;
	}
	cr_expect_geq(lines, 6, "%zu interval lines in 3.5 s of 500 ms", lines);
	snprintf(out, sizeof(out), "%s.json", fx_dir);
	f = fopen(out, "w");
	cr_assert_not_null(f);
	fputs(last + 1, f);
	fclose(f);
	cr_expect_eq(doc_validate(out, DOCVAL_OWN_BUCKETS, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(jsonr_parse(last + 1, strlen(last + 1), &doc, NULL), 0, "%.200s", last + 1);
	cr_expect_neq(u64_of(doc, "schema"), 0);
	check_doc(doc, e2e_join(fx_dir, WL_BURST_FILE), c, n);
	jval_free(doc);
	free(text);
	e2e_proc_free(&r);
}

/* the report's chart of the bursts file: four runs of marks, one per phase */
Test(timeline, the_report_chart_shows_the_phases_apart, .fini = fx_teardown)
{
	const char *argv[] = { E2E_IOTRACE, "report", "--file", NULL, NULL, NULL };
	struct e2e_proc r;
	const char *row, *bar;
	int runs = 0;

	fx_setup("/tmp");
	fx_run("bursts", (const char *const[]){ "--interval", "250ms", NULL });
	argv[3] = fx_path(WL_BURST_FILE);
	argv[4] = fx_trace.out;
	setenv("LANG", "C", 1);
	cr_assert_eq(e2e_run((char *const *)argv, 30, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	row = strstr(r.out, "  write |");
	cr_assert_not_null(row, "no write row in the chart:\n%s", r.out);
	bar = row + 9;
	for (const char *p = bar; *p && *p != '|'; p++)
		runs += *p != ' ' && (p == bar || p[-1] == ' ');
	cr_expect_eq(runs, WL_BURST_PHASES, "%d runs of writes in the chart: %.120s", runs, row);
	e2e_proc_free(&r);
}
