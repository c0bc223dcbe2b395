// SPDX-License-Identifier: GPL-2.0
/*
 * Timelines in `iotrace report`, on documents written here with known
 * bins: documents of different widths merge at their least common
 * multiple, bin by bin, to the sums computed here by hand; a document
 * without timelines drops them all; too many bins double the width;
 * groups sum their files' bins; the CSV table has a row per bin; and a
 * timeline that does not add up to its totals, or whose bins are out of
 * order or range, is refused with where and why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "format/jsonr.h"
#include "report/report.h"

/* one bin of a write series: bin, calls, bytes (4096 per call), total_ns */
struct wbin {
	uint64_t bin, calls, ns;
};

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/timeline-test-%d", (int)getpid());
	mkdir(dir, 0700);
}

/*
 * A document with one FILE, path, that wrote the bins wb[0..n) (4096
 * bytes a call) and had fsync calls in the bins fb[0..fn); bin_ns 0: no
 * timelines at all.  bad_sum adds a call to the first bin only.
 */
static char *doc(const char *name, const char *path, uint64_t bin_ns, uint64_t bins,
		 const struct wbin *wb, size_t n, const struct wbin *fb, size_t fn, bool bad_sum)
{
	char *text = NULL, *file = malloc(128);
	size_t len;
	FILE *f = open_memstream(&text, &len);
	uint64_t calls = 0, ns = 0, fcalls = 0, fns = 0;

	for (size_t i = 0; i < n; i++)
		calls += wb[i].calls, ns += wb[i].ns;
	for (size_t i = 0; i < fn; i++)
		fcalls += fb[i].calls, fns += fb[i].ns;
	fprintf(f,
		"{\"schema\": 2, \"tool\": {\"name\": \"iotrace\", \"version\": \"0.5.0\"},"
		"\"host\": {\"hostname\": \"h\", \"kernel\": \"k\", \"machine\": \"x86_64\"},"
		"\"start\": \"2026-01-01T00:00:00.000000000Z\", \"start_unix_ns\": "
		"1767225600000000000, \"duration_ns\": %llu,",
		(unsigned long long)(bin_ns ? bin_ns * bins : 1000000000ULL));
	if (bin_ns)
		fprintf(f, "\"timeline\": {\"bin_ns\": %llu, \"bins\": %llu},",
			(unsigned long long)bin_ns, (unsigned long long)bins);
	fprintf(f,
		"\"filter\": {\"pids\": [], \"comms\": [], \"command\": null, \"per_process\": "
		"false}, \"dropped\": {\"files\": 0, \"events\": 0}, \"files\": [{"
		"\"path\": \"%s\", \"former_paths\": [], \"deleted\": false, \"dev\": \"8:1\", "
		"\"ino\": 7, \"generation\": 1, \"fstype\": \"ext4\", \"comms\": [\"w\"], "
		"\"syscalls\": {\"write\": {\"calls\": %llu, \"errors\": 0, \"bytes\": %llu, "
		"\"req_hist\": [[4096, 8191, %llu]], \"done_hist\": [[4096, 8191, %llu]]}",
		path, (unsigned long long)calls, (unsigned long long)calls * 4096,
		(unsigned long long)calls, (unsigned long long)calls);
	if (fcalls)
		fprintf(f,
			", \"fsync\": {\"calls\": %llu, \"errors\": 0, \"lat_hist\": [[0, 16383, "
			"%llu]], \"total_ns\": %llu}",
			(unsigned long long)fcalls, (unsigned long long)fcalls,
			(unsigned long long)fns);
	fprintf(f,
		"}, \"read\": null, \"write\": {\"calls\": %llu, \"errors\": 0, \"bytes\": %llu, "
		"\"first_entry_ns\": 0, \"last_return_ns\": 1, \"seq_calls\": 0, \"streams\": 1, "
		"\"open_flags\": {}, \"seq_hist\": [], \"rewrites\": 0, \"total_ns\": %llu, "
		"\"lat_hist\": [[0, 16383, %llu]]}, \"copy_read\": null, \"copy_write\": null, "
		"\"async_read\": null, \"async_write\": null, ",
		(unsigned long long)calls, (unsigned long long)calls * 4096, (unsigned long long)ns,
		(unsigned long long)calls);
	if (fcalls)
		fprintf(f,
			"\"fsync\": {\"calls\": %llu, \"errors\": 0, \"total_ns\": %llu, "
			"\"lat_hist\": [[0, 16383, %llu]]}",
			(unsigned long long)fcalls, (unsigned long long)fns,
			(unsigned long long)fcalls);
	else
		fprintf(f, "\"fsync\": null");
	if (bin_ns) {
		const char *cols[] = { "bins", "calls", "errors", "bytes", "total_ns" };

		fprintf(f, ", \"timeline\": {\"write\": {");
		for (int c = 0; c < 5; c++) {
			fprintf(f, "%s\"%s\": [", c ? ", " : "", cols[c]);
			for (size_t i = 0; i < n; i++) {
				uint64_t v[5] = { wb[i].bin, wb[i].calls + (bad_sum && !i), 0,
						  wb[i].calls * 4096, wb[i].ns };

				fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)v[c]);
			}
			fprintf(f, "]");
		}
		fprintf(f, "}");
		if (fn) {
			fprintf(f, ", \"fsync\": {\"bins\": [");
			for (size_t i = 0; i < fn; i++)
				fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)fb[i].bin);
			fprintf(f, "], \"calls\": [");
			for (size_t i = 0; i < fn; i++)
				fprintf(f, "%s%llu", i ? ", " : "",
					(unsigned long long)fb[i].calls);
			fprintf(f, "], \"errors\": [");
			for (size_t i = 0; i < fn; i++)
				fprintf(f, "%s0", i ? ", " : "");
			fprintf(f, "], \"total_ns\": [");
			for (size_t i = 0; i < fn; i++)
				fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)fb[i].ns);
			fprintf(f, "]}");
		}
		fprintf(f, "}");
	}
	fprintf(f, "}]}\n");
	fclose(f);
	snprintf(file, 128, "%s/%s", dir, name);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	return file;
}

/* `iotrace report ARGS...`; its output and exit code */
static char *report(int *code, const char *arg0, ...)
{
	char *argv[32] = { "report" }, *out = NULL;
	size_t len, argc = 1;
	va_list ap;
	FILE *f = open_memstream(&out, &len);

	va_start(ap, arg0);
	for (const char *a = arg0; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	*code = report_cli((int)argc, argv, f);
	fclose(f);
	return out;
}

static uint64_t u64(const struct jval *v)
{
	uint64_t x = 0;

	cr_assert_eq(jval_u64(v, &x), 0);
	return x;
}

/* the merged document's write series of its first file, as bins of (bin, calls, ns) */
static size_t write_series(const char *json, uint64_t *bin_ns, uint64_t *bins, struct wbin *out,
			   size_t max, const char *series)
{
	const struct jval *tl, *s;
	struct jval *root;
	size_t n;

	cr_assert_eq(jsonr_parse(json, strlen(json), &root, NULL), 0, "%s", json);
	tl = jval_get(root, "timeline");
	cr_assert_not_null(tl, "no top-level timeline");
	*bin_ns = u64(jval_get(tl, "bin_ns"));
	*bins = u64(jval_get(tl, "bins"));
	s = jval_get(jval_get(jval_idx(jval_get(root, "files"), 0), "timeline"), series);
	n = jval_len(jval_get(s, "bins"));
	cr_assert_leq(n, max);
	for (size_t i = 0; i < n; i++)
		out[i] = (struct wbin){ u64(jval_idx(jval_get(s, "bins"), i)),
					u64(jval_idx(jval_get(s, "calls"), i)),
					u64(jval_idx(jval_get(s, "total_ns"), i)) };
	jval_free(root);
	return n;
}

TestSuite(timeline, .init = setup);

/*
 * 1 s and 1.5 s bins meet at 3 s: A's bins 0 and 2 (0-1 s, 2-3 s) and B's
 * 0 and 1 (0-3 s) fall in bin 0, B's bin 3 (4.5-6 s) in bin 1.
 */
Test(timeline, documents_of_different_widths_merge_at_their_least_common_multiple)
{
	const struct wbin a[] = { { 0, 4, 100 }, { 2, 6, 200 } };
	const struct wbin b[] = { { 0, 1, 10 }, { 1, 2, 20 }, { 3, 5, 50 } };
	const struct wbin af[] = { { 3, 1, 7000 } }, bf[] = { { 1, 2, 9000 } };
	char *pa = doc("a.json", "/d/f", 1000000000, 4, a, 2, af, 1, false);
	char *pb = doc("b.json", "/d/f", 1500000000, 4, b, 3, bf, 1, false);
	struct wbin got[8];
	uint64_t w, bins;
	char msg[2048], path[128];
	int code;
	char *out = report(&code, pa, pb, "--format", "json", NULL);
	size_t n;

	cr_assert_eq(code, 0);
	n = write_series(out, &w, &bins, got, 8, "write");
	cr_expect_eq(w, 3000000000ULL);
	cr_expect_eq(bins, 2); /* A spans 4 s, B 6 s: two bins of 3 s */
	cr_assert_eq(n, 2);
	cr_expect_eq(got[0].bin, 0);
	cr_expect_eq(got[0].calls, 4 + 6 + 1 + 2);
	cr_expect_eq(got[0].ns, 100 + 200 + 10 + 20);
	cr_expect_eq(got[1].bin, 1);
	cr_expect_eq(got[1].calls, 5);
	cr_expect_eq(got[1].ns, 50);
	/* A's fsync at 3-4 s is bin 1, B's at 1.5-3 s bin 0 */
	n = write_series(out, &w, &bins, got, 8, "fsync");
	cr_assert_eq(n, 2);
	cr_expect(got[0].bin == 0 && got[0].calls == 2 && got[0].ns == 9000);
	cr_expect(got[1].bin == 1 && got[1].calls == 1 && got[1].ns == 7000);
	snprintf(path, sizeof(path), "%s/merged.json", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(out, f);
	fclose(f);
	cr_expect_eq(doc_validate(path, 0, msg, sizeof(msg)), 0, "%s", msg);
	free(out);
	/* the same, the other way round */
	out = report(&code, pb, pa, "--format", "json", NULL);
	cr_assert_eq(code, 0);
	n = write_series(out, &w, &bins, got, 8, "write");
	cr_expect(w == 3000000000ULL && n == 2 && got[0].calls == 13 && got[1].calls == 5);
	free(out);
	free(pa);
	free(pb);
}

Test(timeline, a_document_without_timelines_drops_them_all)
{
	const struct wbin a[] = { { 0, 4, 100 } };
	char *pa = doc("a.json", "/d/f", 1000000000, 2, a, 1, NULL, 0, false);
	char *pc = doc("c.json", "/d/f", 0, 0, a, 1, NULL, 0, false);
	int code;
	char *out = report(&code, pa, pc, "--format", "json", NULL);

	cr_assert_eq(code, 0);
	cr_expect_null(strstr(out, "\"timeline\""), "%s", out);
	free(out);
	out = report(&code, pc, pa, "--format", "json", NULL);
	cr_expect_null(strstr(out, "\"timeline\""), "%s", out);
	free(out);
	out = report(&code, pa, pc, "--format", "csv", "--table", "timeline", NULL);
	cr_expect_neq(code, 0, "a timeline table of documents without one");
	free(out);
	free(pa);
	free(pc);
}

/* 5000 bins of 1 ms are more than a report holds: 2 ms bins, neighbours summed */
Test(timeline, too_many_bins_double_the_width)
{
	const struct wbin a[] = { { 0, 1, 1 }, { 1, 2, 2 }, { 4001, 3, 3 }, { 4999, 4, 4 } };
	char *pa = doc("a.json", "/d/f", 1000000, 5000, a, 4, NULL, 0, false);
	struct wbin got[8];
	uint64_t w, bins;
	int code;
	char *out = report(&code, pa, "--format", "json", NULL);
	size_t n;

	cr_assert_eq(code, 0);
	n = write_series(out, &w, &bins, got, 8, "write");
	cr_expect_eq(w, 2000000);
	cr_expect_eq(bins, 2500);
	cr_assert_eq(n, 3);
	cr_expect(got[0].bin == 0 && got[0].calls == 3);
	cr_expect(got[1].bin == 2000 && got[1].calls == 3);
	cr_expect(got[2].bin == 2499 && got[2].calls == 4);
	free(out);
	free(pa);
}

Test(timeline, groups_sum_the_bins_of_their_files)
{
	const struct wbin a[] = { { 0, 4, 100 }, { 2, 6, 200 } }, b[] = { { 2, 1, 10 } };
	char *pa = doc("a.json", "/d/f", 1000000000, 4, a, 2, NULL, 0, false);
	char *pb = doc("b.json", "/d/g", 1000000000, 4, b, 1, NULL, 0, false);
	struct wbin got[8];
	uint64_t w, bins;
	int code;
	char *out = report(&code, pa, pb, "--by", "dir", "--format", "json", NULL);
	size_t n;

	cr_assert_eq(code, 0);
	n = write_series(out, &w, &bins, got, 8, "write");
	cr_assert_eq(n, 2);
	cr_expect(got[0].bin == 0 && got[0].calls == 4);
	cr_expect(got[1].bin == 2 && got[1].calls == 7 && got[1].ns == 210);
	free(out);
	free(pa);
	free(pb);
}

Test(timeline, the_csv_table_has_a_row_per_file_series_and_bin)
{
	const struct wbin a[] = { { 0, 4, 100 }, { 2, 6, 200 } }, af[] = { { 3, 1, 7000 } };
	char *pa = doc("a.json", "/d/f", 1000000000, 4, a, 2, af, 1, false);
	int code;
	char *out = report(&code, pa, "--format", "csv", "--table", "timeline", NULL);

	cr_assert_eq(code, 0);
	cr_expect_str_eq(out, "path,dev,ino,generation,series,bin,start_ns,end_ns,calls,errors,"
			      "bytes,total_ns\r\n"
			      "/d/f,8:1,7,1,write,0,0,1000000000,4,0,16384,100\r\n"
			      "/d/f,8:1,7,1,write,2,2000000000,3000000000,6,0,24576,200\r\n"
			      "/d/f,8:1,7,1,fsync,3,3000000000,4000000000,1,0,,7000\r\n");
	free(out);
	out = report(&code, pa, "--table", "timeline", NULL);
	cr_expect_eq(code, 2, "--table without --format csv is a usage error");
	free(out);
	free(pa);
}

/* "calls" of a bin one too many: the reader says which series and both sums */
Test(timeline, a_timeline_that_does_not_add_up_is_refused)
{
	const struct wbin a[] = { { 0, 4, 100 }, { 2, 6, 200 } };
	char *pa = doc("bad.json", "/d/f", 1000000000, 4, a, 2, NULL, 0, true);
	char msg[2048];
	int code;
	char *out = report(&code, pa, NULL);

	cr_expect_eq(code, 1);
	cr_expect_neq(doc_validate(pa, 0, msg, sizeof(msg)), 0, "the validator accepted it");
	free(out);
	free(pa);
}

Test(timeline, bins_out_of_order_or_range_are_refused)
{
	const struct wbin desc[] = { { 2, 4, 100 }, { 1, 6, 200 } };
	const struct wbin far[] = { { 0, 4, 100 }, { 4, 6, 200 } };
	char *p1 = doc("desc.json", "/d/f", 1000000000, 4, desc, 2, NULL, 0, false);
	char *p2 = doc("far.json", "/d/f", 1000000000, 4, far, 2, NULL, 0, false);
	int code;
	char *out = report(&code, p1, NULL);

	cr_expect_eq(code, 1, "descending bins accepted");
	free(out);
	out = report(&code, p2, NULL);
	cr_expect_eq(code, 1, "a bin at timeline.bins accepted");
	free(out);
	free(p1);
	free(p2);
}

/*
 * Counters by bucket into a histogram: what grew since the earlier counters,
 * each bucket with its range; a bucket that did not grow (or shrank, as
 * after a reset) is left out, and the result merges into what dst held.
 */
Test(timeline, bucket_counters_become_the_histogram_of_their_growth)
{
	uint64_t now[HIST_BUCKETS] = { 0 }, before[HIST_BUCKETS] = { 0 };
	struct rhist h = { 0 };

	now[3] = 10, before[3] = 4;  /* grew by 6: bucket 3 is [2^2, 2^3 - 1] */
	now[5] = 7, before[5] = 7;   /* did not grow */
	now[12] = 2, before[12] = 5; /* shrank: left out */
	now[63] = 1;		     /* the last bucket: from 2^62 up */
	cr_assert_eq(rhist_add_counts(&h, now, before, HIST_BUCKETS, hist_bucket_bounds), 0);
	cr_assert_eq(h.cnt, 2);
	cr_expect_eq(h.b[0].lo, 4);
	cr_expect_eq(h.b[0].hi, 7);
	cr_expect_eq(h.b[0].cnt, 6);
	cr_expect_eq(h.b[1].lo, 1ULL << 62);
	cr_expect_eq(h.b[1].hi, UINT64_MAX);
	cr_expect_eq(h.b[1].cnt, 1);
	/* again, without earlier counters: added to what h holds */
	cr_assert_eq(rhist_add_counts(&h, now, NULL, HIST_BUCKETS, hist_bucket_bounds), 0);
	cr_assert_eq(h.cnt, 4);
	cr_expect_eq(h.b[0].cnt, 16, "bucket 3: 6 + 10");
	cr_expect_eq(h.b[3].cnt, 2, "the last bucket: 1 + 1");
	free(h.b);
}
