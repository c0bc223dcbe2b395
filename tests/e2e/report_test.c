// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report` on real traces: the same workload traced twice on the
 * same file merges into one entry whose counters and histogram counts are
 * twice those of one run, and the validators accept the merged document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "e2e.h"
#include "expect.h"
#include "format/jsonr.h"
#include "workload.h"

static char *tdir;

static void teardown(void)
{
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

/* the FILE of path in doc */
static const struct jval *file_of(const struct jval *doc, const char *path)
{
	const struct jval *f = doc_record(doc, path);

	cr_assert_not_null(f, "no record of %s", path);
	return f;
}

static uint64_t u64_at(const struct jval *v, const char *a, const char *b, const char *c)
{
	uint64_t x = 0;

	v = jval_get(v, a);
	v = b ? jval_get(v, b) : v;
	v = c ? jval_get(v, c) : v;
	cr_assert_eq(jval_u64(v, &x), 0, "%s.%s.%s", a, b ? b : "", c ? c : "");
	return x;
}

static void expect_hist_doubled(const struct jval *one, const struct jval *two, const char *what)
{
	cr_assert_eq(jval_len(two), jval_len(one), "%s: bucket count", what);
	for (size_t i = 0; i < jval_len(one); i++) {
		uint64_t a[3], b[3];

		for (size_t k = 0; k < 3; k++) {
			jval_u64(jval_idx(jval_idx(one, i), k), &a[k]);
			jval_u64(jval_idx(jval_idx(two, i), k), &b[k]);
		}
		cr_expect(a[0] == b[0] && a[1] == b[1] && b[2] == 2 * a[2], "%s[%zu]", what, i);
	}
}

static struct jval *parse(const char *text, size_t len)
{
	struct jval *doc;
	struct jerr err;

	cr_assert_eq(jsonr_parse(text, len, &doc, &err), 0, "%s", err.msg);
	return doc;
}

static struct jval *parse_file(const char *path)
{
	struct jval *doc;
	char *text;
	size_t len;

	cr_assert_eq(e2e_read_file(path, &text, &len), 0, "%s", path);
	doc = parse(text, len);
	free(text);
	return doc;
}

/*
 * `iotrace report a b --format json` into out; the validators must accept it,
 * its histograms still in our bucket schemes (those of the traces it merges)
 */
static void report_json(const char *a, const char *b, const char *out)
{
	char *argv[] = { E2E_IOTRACE, "report", (char *)a, (char *)b, "--format", "json", NULL };
	struct e2e_proc p;
	char msg[2048];
	FILE *f;

	cr_assert_eq(e2e_run(argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "report: %s", p.err);
	f = fopen(out, "w");
	cr_assert_not_null(f);
	fwrite(p.out, 1, p.out_len, f);
	fclose(f);
	e2e_proc_free(&p);
	cr_expect_eq(doc_validate(out, DOCVAL_OWN_BUCKETS, msg, sizeof(msg)), 0, "%s", msg);
}

Test(report, two_traces_of_one_workload_merge_into_twice_the_counts, .fini = teardown)
{
	static const char *const counters[] = { "calls", "errors", "bytes", "seq_calls" };
	char first[PATH_MAX + 16], path[PATH_MAX + 16], merged[PATH_MAX + 16];
	const struct jval *f1, *fm;
	struct trace t1, t2;
	struct jval *d1, *dm;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	snprintf(path, sizeof(path), "%s/%s", tdir, WL_SEQ_FILE);
	cr_assert_eq(e2e_make_file(path, WL_SEQ_SZ, 'x'), 0);
	trace_workload(&t1, tdir, "seqread", NULL);
	snprintf(first, sizeof(first), "%s/first.json", tdir);
	cr_assert_eq(rename(t1.out, first), 0);
	trace_workload(&t2, tdir, "seqread", NULL);
	snprintf(merged, sizeof(merged), "%s/merged.json", tdir);
	report_json(first, t2.out, merged);
	d1 = parse_file(first);
	dm = parse_file(merged);
	f1 = file_of(d1, path);
	fm = file_of(dm, path);
	cr_assert_gt(u64_at(f1, "read", "calls", NULL), 0);
	for (size_t i = 0; i < 4; i++)
		cr_expect_eq(u64_at(fm, "read", counters[i], NULL),
			     2 * u64_at(f1, "read", counters[i], NULL), "read.%s", counters[i]);
	cr_expect_eq(u64_at(fm, "syscalls", "read", "calls"),
		     2 * u64_at(f1, "syscalls", "read", "calls"));
	expect_hist_doubled(jval_get(jval_get(jval_get(f1, "syscalls"), "read"), "req_hist"),
			    jval_get(jval_get(jval_get(fm, "syscalls"), "read"), "req_hist"),
			    "syscalls.read.req_hist");
	expect_hist_doubled(jval_get(jval_get(f1, "read"), "seq_hist"),
			    jval_get(jval_get(fm, "read"), "seq_hist"), "read.seq_hist");
	jval_free(d1);
	jval_free(dm);
	trace_free(&t1);
	trace_free(&t2);
}

/* a --path, --glob or --exclude that matches nothing is said, and the report goes on */
Test(report, a_selection_that_matches_no_file_says_so)
{
	char *argv[] = { E2E_IOTRACE,  "report",    SRC_DIR "/tests/fixtures/report/basic.json",
			 "--glob",     "*.xyz",	    "--exclude",
			 "/nowhere/*", "--exclude", "*.log",
			 NULL };
	struct e2e_proc p;

	cr_assert_eq(e2e_run(argv, 60, &p), 0);
	cr_expect_eq(p.status, 0, "%s", p.err);
	cr_expect_not_null(strstr(p.err, "iotrace: report: --glob '*.xyz' matches no file of the "
					 "documents\n"),
			   "%s", p.err);
	cr_expect_not_null(strstr(p.err, "--exclude '/nowhere/*' matches no file"), "%s", p.err);
	cr_expect_null(strstr(p.err, "'*.log'"), "'*.log' matches the logs: %s", p.err);
	e2e_proc_free(&p);
}

/*
 * Findings on a workload of one file per rule (tests/lib/workload.h): each
 * file crosses exactly the rules it was written for, the calm file none,
 * and the JSON carries them; the text report names each rule.  With
 * --per-process the readers of shared.dat are told apart: many-readers.
 */
static void expect_findings(bool per_process)
{
	static const char *const want[][2] = {
		{ "small-requests", "small.dat" },
		{ "random-access", "rand.dat" },
		{ "rewrites", "rewr.dat" },
		{ "fsync-per-write", "sync.dat" },
		{ "tiny-sequential-reads", "tiny.dat" },
		{ "write-then-read", "spill.dat" },
		{ "many-readers", "shared.dat" },
	};
	const size_t want_cnt = sizeof(want) / sizeof(want[0]) - !per_process;
	const char *const extra[] = { "--per-process", NULL };
	char out[PATH_MAX + 16], msg[2048];
	bool seen[sizeof(want) / sizeof(want[0])] = { false };
	const struct jval *fs;
	struct e2e_proc p;
	struct trace t;
	struct jval *doc;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	trace_workload(&t, tdir, "findings", per_process ? extra : NULL);
	{
		char *argv[] = { E2E_IOTRACE, "report",	  "--path", tdir,
				 t.out,	      "--format", "json",   NULL };

		cr_assert_eq(e2e_run(argv, 60, &p), 0);
	}
	cr_assert_eq(p.status, 0, "report: %s", p.err);
	snprintf(out, sizeof(out), "%s/report.json", tdir);
	{
		FILE *f = fopen(out, "w");

		cr_assert_not_null(f);
		fwrite(p.out, 1, p.out_len, f);
		fclose(f);
	}
	cr_expect_eq(doc_validate(out, DOCVAL_OWN_BUCKETS, msg, sizeof(msg)), 0, "%s", msg);
	doc = parse(p.out, p.out_len);
	e2e_proc_free(&p);
	fs = jval_get(doc, "findings");
	cr_assert_not_null(fs, "no findings in the report");
	for (size_t i = 0; i < jval_len(fs); i++) {
		const struct jval *f = jval_idx(fs, i), *es = jval_get(f, "entries");
		const char *rule = jval_str(jval_get(f, "rule"), NULL);

		cr_assert_not_null(rule);
		cr_expect_not_null(jval_get(f, "threshold"));
		cr_expect_not_null(jval_get(f, "advice"));
		for (size_t k = 0; k < jval_len(es); k++) {
			const struct jval *x = jval_idx(es, k);
			const char *path = jval_str(jval_get(x, "path"), NULL);
			size_t w;

			cr_assert_not_null(path);
			cr_expect_eq(jval_get(x, "pid") != NULL, per_process, "%s: pid", path);
			for (w = 0; w < want_cnt; w++)
				if (!strcmp(rule, want[w][0]) && strlen(path) > strlen(tdir) &&
				    !strcmp(path + strlen(tdir) + 1, want[w][1]))
					break;
			cr_expect_lt(w, want_cnt, "%s found on %s, which was not written for it",
				     rule, path);
			if (w < want_cnt)
				seen[w] = true;
		}
	}
	for (size_t w = 0; w < want_cnt; w++)
		cr_expect(seen[w], "%s: no finding on %s", want[w][0], want[w][1]);
	jval_free(doc);
	{
		char *argv[] = { E2E_IOTRACE, "report", "--path", tdir, t.out, NULL };

		cr_assert_eq(e2e_run(argv, 60, &p), 0);
	}
	for (size_t w = 0; w < want_cnt; w++)
		cr_expect_not_null(strstr(p.out, want[w][0]), "text: no %s in\n%s", want[w][0],
				   p.out);
	cr_expect_null(strstr(p.out, "calm.dat:"), "calm.dat has a finding:\n%s", p.out);
	e2e_proc_free(&p);
	trace_free(&t);
}

Test(report, each_finding_concerns_the_file_written_to_cross_it, .fini = teardown)
{
	expect_findings(false);
}

Test(report, many_readers_of_one_file_are_found_per_process, .fini = teardown)
{
	expect_findings(true);
}

/*
 * The CSV tables load into pandas as they are (Debian's python3-pandas,
 * installed by make deps), and what pandas sums from each is what the
 * findings workload did: small.dat's 512 writes of 2 KiB, in the files
 * table, the syscalls table, the request-size histogram rows and the
 * timeline's bins.
 */
Test(report, the_csv_tables_load_into_pandas_with_the_workload_s_figures, .fini = teardown)
{
	static const char *const tables[] = { "files", "syscalls", "hist", "timeline" };
	static const char script[] =
		"import sys, pandas\n"
		"d, f = sys.argv[1], sys.argv[1] + '/small.dat'\n"
		"files = pandas.read_csv(d + '/files.csv')\n"
		"sc = pandas.read_csv(d + '/syscalls.csv')\n"
		"h = pandas.read_csv(d + '/hist.csv')\n"
		"tl = pandas.read_csv(d + '/timeline.csv')\n"
		"row = files[files['path'] == f]\n"
		"w = sc[(sc['path'] == f) & (sc['syscall'] == 'write')]\n"
		"req = h[(h['path'] == f) & (h['of'] == 'write') & (h['hist'] == 'req_hist')]\n"
		"bins = tl[(tl['path'] == f) & (tl['series'] == 'write')]\n"
		"print(int(row['write.calls'].iloc[0]), int(row['write.bytes'].iloc[0]),\n"
		"      int(w['calls'].sum()), int(w['bytes'].sum()), int(req['count'].sum()),\n"
		"      int(req[req['hi'] < 2048]['count'].sum()), int(bins['calls'].sum()),\n"
		"      int(bins['bytes'].sum()))\n";
	const char *const extra[] = { "--interval", "10ms", NULL };
	char want[128], csv[PATH_MAX + 32];
	struct e2e_proc p;
	struct trace t;

	e2e_require_tracer();
	cr_assert_eq(access("/usr/bin/python3", X_OK), 0, "no /usr/bin/python3");
	tdir = e2e_tmpdir("/tmp");
	trace_workload(&t, tdir, "findings", extra);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *argv[] = { E2E_IOTRACE, "report",	 "--path",	    tdir,  "--format",
				 "csv",	      "--table", (char *)tables[i], t.out, NULL };
		FILE *f;

		cr_assert_eq(e2e_run(argv, 60, &p), 0);
		cr_assert_eq(p.status, 0, "--table %s: %s", tables[i], p.err);
		snprintf(csv, sizeof(csv), "%s/%s.csv", tdir, tables[i]);
		f = fopen(csv, "w");
		cr_assert_not_null(f);
		fwrite(p.out, 1, p.out_len, f);
		fclose(f);
		e2e_proc_free(&p);
	}
	{
		char *argv[] = { "/usr/bin/python3", "-c", (char *)script, tdir, NULL };

		cr_assert_eq(e2e_run(argv, 120, &p), 0);
	}
	cr_assert_eq(p.status, 0, "pandas: %s", p.err);
	snprintf(want, sizeof(want), "%d %d %d %d %d %d %d %d\n", WL_FN_SMALL_CALLS,
		 WL_FN_SMALL_CALLS * WL_FN_SMALL_SZ, WL_FN_SMALL_CALLS,
		 WL_FN_SMALL_CALLS * WL_FN_SMALL_SZ, WL_FN_SMALL_CALLS, 0, WL_FN_SMALL_CALLS,
		 WL_FN_SMALL_CALLS * WL_FN_SMALL_SZ);
	cr_expect_str_eq(p.out, want,
			 "pandas read (files: calls bytes; syscalls: calls bytes; hist: requests, "
			 "requests under 2 KiB; timeline: calls bytes) %s, want %s",
			 p.out, want);
	e2e_proc_free(&p);
	trace_free(&t);
}
