// SPDX-License-Identifier: GPL-2.0
/*
 * Merging and grouping in `iotrace report`, on the hand-made documents of
 * tests/fixtures/report/: totals equal the sums over the input files (read
 * independently with jsonr), merging is commutative and associative, a
 * --by dir:1 report read again gives the same groups, a foreign writer's
 * buckets merge exactly, and the validators accept the json output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "e2e.h"
#include "format/jsonr.h"
#include "format/document.h"
#include "report/report.h"

#define FIX SRC_DIR "/tests/fixtures/report/"

/* `iotrace report ARGS...` (NULL-terminated); its output, malloc'd; asserts exit 0 */
static char *cli(const char *arg0, ...)
{
	char *argv[32] = { "report" }, *out = NULL;
	size_t len, argc = 1;
	va_list ap;
	FILE *f = open_memstream(&out, &len);
	int code;

	cr_assert_not_null(f);
	va_start(ap, arg0);
	for (const char *a = arg0; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	code = report_cli((int)argc, argv, f);
	fclose(f);
	cr_assert_eq(code, 0, "report %s ... exited %d", arg0, code);
	return out;
}

static char *save(const char *text, const char *name)
{
	static char dir[64];
	char *path = malloc(128);
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/report-test-%d", (int)getpid());
		mkdir(dir, 0700);
	}
	snprintf(path, 128, "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* sum of files[*].SIDE.KEY over the documents (0 for null sides) */
static uint64_t sum_over(const char *const *docs, const char *side, const char *key)
{
	uint64_t sum = 0;

	for (; *docs; docs++) {
		struct jval *root;
		char *buf;
		size_t len;
		const struct jval *files;

		cr_assert_eq(e2e_read_file(*docs, &buf, &len), 0, "%s", *docs);
		cr_assert_eq(jsonr_parse(buf, len, &root, NULL), 0);
		files = jval_get(root, "files");
		for (size_t i = 0; i < jval_len(files); i++) {
			uint64_t v = 0;

			jval_u64(jval_get(jval_get(jval_idx(files, i), side), key), &v);
			sum += v;
		}
		jval_free(root);
		free(buf);
	}
	return sum;
}

static const char *const keys[] = { "calls", "errors", "bytes", "seq_calls", "rewrites" };

Test(report_merge, totals_equal_the_sums_over_the_files_of_every_document)
{
	const char *docs[] = { FIX "basic.json", FIX "b.json", FIX "c.json", NULL };
	const char *by[] = { "file", "dir:1", "dir", "ext", "fstype" };

	for (size_t b = 0; b < sizeof(by) / sizeof(by[0]); b++) {
		char *out = cli(docs[0], docs[1], docs[2], "--by", by[b], "--format", "json", NULL);
		const char *merged[] = { save(out, "merged.json"), NULL };

		for (int s = 0; s < 2; s++)
			for (size_t k = 0; k < 5; k++)
				cr_expect_eq(sum_over(merged, s ? "write" : "read", keys[k]),
					     sum_over(docs, s ? "write" : "read", keys[k]),
					     "--by %s: %s.%s", by[b], s ? "write" : "read",
					     keys[k]);
		cr_expect_eq(sum_over(merged, "fsync", "total_ns"),
			     sum_over(docs, "fsync", "total_ns"));
		free((char *)merged[0]);
		free(out);
	}
}

Test(report_merge, the_same_file_in_three_documents_is_one_entry_with_summed_counters)
{
	char *out = cli(FIX "basic.json", FIX "b.json", FIX "c.json", "--format", "json", NULL);
	const struct jval *f = NULL, *files;
	struct jval *root;
	uint64_t v;

	cr_assert_eq(jsonr_parse(out, strlen(out), &root, NULL), 0);
	files = jval_get(root, "files");
	cr_expect_eq(jval_len(files), 7);
	for (size_t i = 0; i < jval_len(files); i++)
		if (jval_str_eq(jval_get(jval_idx(files, i), "path"), "/data/db/table.dat"))
			f = jval_idx(files, i);
	cr_assert_not_null(f);
	jval_u64(jval_get(jval_get(f, "read"), "calls"), &v);
	cr_expect_eq(v, 5000 + 1000 + 10);
	jval_u64(jval_get(jval_get(jval_get(f, "syscalls"), "pread64"), "errors"), &v);
	cr_expect_eq(v, 5);
	/* c.json starts 60 s before basic.json: its first read (10 ns) is the earliest */
	jval_u64(jval_get(jval_get(f, "read"), "first_entry_ns"), &v);
	cr_expect_eq(v, 10);
	/* b.json starts 3600 s after basic.json, its last read 2 s later */
	jval_u64(jval_get(jval_get(f, "read"), "last_return_ns"), &v);
	cr_expect_eq(v, 60000000000ULL + 3600000000000ULL + 2000000000ULL);
	jval_u64(jval_get(root, "start_unix_ns"), &v);
	cr_expect_eq(v, 1764115200000000000ULL - 60000000000ULL);
	jval_free(root);
	free(out);
}

Test(report_merge, merging_is_commutative)
{
	char *ab = cli(FIX "basic.json", FIX "b.json", "--format", "json", NULL);
	char *ba = cli(FIX "b.json", FIX "basic.json", "--format", "json", NULL);
	char *cba = cli(FIX "c.json", FIX "b.json", FIX "basic.json", "--format", "json", NULL);
	char *bca = cli(FIX "b.json", FIX "c.json", FIX "basic.json", "--format", "json", NULL);

	cr_expect_str_eq(ab, ba);
	cr_expect_str_eq(cba, bca);
	free(ab);
	free(ba);
	free(cba);
	free(bca);
}

Test(report_merge, merging_is_associative)
{
	char *ab = cli(FIX "basic.json", FIX "b.json", "--format", "json", NULL);
	char *bc = cli(FIX "b.json", FIX "c.json", "--format", "json", NULL);
	char *ab_path = save(ab, "ab.json"), *bc_path = save(bc, "bc.json");
	char *ab_c = cli(ab_path, FIX "c.json", "--format", "json", NULL);
	char *a_bc = cli(FIX "basic.json", bc_path, "--format", "json", NULL);
	char *abc = cli(FIX "basic.json", FIX "b.json", FIX "c.json", "--format", "json", NULL);

	cr_expect_str_eq(ab_c, a_bc);
	cr_expect_str_eq(ab_c, abc);
	free(ab);
	free(bc);
	free(ab_path);
	free(bc_path);
	free(ab_c);
	free(a_bc);
	free(abc);
}

Test(report_merge, a_dir_1_report_read_again_gives_the_same_groups)
{
	char *grp = cli(FIX "basic.json", FIX "b.json", "--by", "dir:1", "--format", "json", NULL);
	char *path = save(grp, "dir1.json");
	char *again = cli(path, "--format", "json", NULL);
	char *regroup = cli(path, "--by", "dir:1", "--format", "json", NULL);

	cr_expect_str_eq(again, grp);
	cr_expect_str_eq(regroup, grp);
	cr_expect(strstr(grp, "\"path\": \"/data/\""));
	cr_expect(strstr(grp, "\"path\": \"/var/\""));
	free(grp);
	free(path);
	free(again);
	free(regroup);
}

Test(report_merge, a_file_with_two_comms_counts_once_in_each_comm_group)
{
	char *out = cli(FIX "basic.json", "--by", "comm", "--format", "json", NULL);
	const char *names[] = { "/[comm]/app", "/[comm]/logger", "/[comm]/postgres",
				"/[comm]/cat" };
	uint64_t calls[] = { 500 + 8, 500, 5000 + 2000 + 10000, 1 };
	struct jval *root;
	const struct jval *files;

	cr_assert_eq(jsonr_parse(out, strlen(out), &root, NULL), 0);
	files = jval_get(root, "files");
	cr_expect_eq(jval_len(files), 4);
	for (size_t n = 0; n < 4; n++) {
		uint64_t got = 0, v;

		for (size_t i = 0; i < jval_len(files); i++) {
			const struct jval *f = jval_idx(files, i);

			if (!jval_str_eq(jval_get(f, "path"), names[n]))
				continue;
			for (int s = 0; s < 2; s++)
				if (!jval_u64(jval_get(jval_get(f, s ? "write" : "read"), "calls"),
					      &v))
					got += v;
		}
		cr_expect_eq(got, calls[n], "%s", names[n]);
	}
	jval_free(root);
	free(out);
}

Test(report_merge, overlapping_buckets_of_another_writer_coalesce_exactly)
{
	struct rbucket ours[] = { { 4096, 8191, 3 }, { 8192, 16383, 5 } };
	struct rbucket theirs[] = { { 0, 999, 1 }, { 8000, 8999, 2 }, { 20000, 20999, 4 } };
	struct rhist a = { 0 }, b = { ours, 2 }, c = { theirs, 3 }, d = { 0 };

	cr_assert_eq(rhist_add(&a, &b), 0);
	cr_assert_eq(rhist_add(&a, &c), 0);
	cr_assert_eq(a.cnt, 3);
	cr_expect_eq(a.b[0].lo, 0);
	cr_expect_eq(a.b[0].cnt, 1);
	cr_expect_eq(a.b[1].lo, 4096);
	cr_expect_eq(a.b[1].hi, 16383);
	cr_expect_eq(a.b[1].cnt, 10);
	cr_expect_eq(a.b[2].cnt, 4);
	/* the other order gives the same histogram */
	cr_assert_eq(rhist_add(&d, &c), 0);
	cr_assert_eq(rhist_add(&d, &b), 0);
	cr_assert_eq(d.cnt, a.cnt);
	cr_expect_eq(memcmp(d.b, a.b, a.cnt * sizeof(*a.b)), 0);
	rhist_free(&a);
	rhist_free(&d);
}

/*
 * c.json is another writer's: its buckets are not ours, and merged with ours
 * they coalesce into buckets of neither scheme, which the format allows
 */
Test(report_merge, the_validators_accept_the_json_output)
{
	const char *by[] = { "file", "dir:1", "dir", "ext", "comm", "fstype" };
	char msg[2048];

	for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
		char *out = cli(FIX "basic.json", FIX "b.json", FIX "c.json", "--by", by[i],
				"--format", "json", NULL);
		char *path = save(out, "checked.json");

		cr_expect_eq(doc_validate(path, 0, msg, sizeof(msg)), 0, "--by %s: %s", by[i], msg);
		free(path);
		free(out);
	}
}

Test(report_merge, csv_rows_have_the_header_s_columns)
{
	char *out = cli(FIX "basic.json", FIX "b.json", "--format", "csv", NULL);
	size_t cols = 0, rows = 0;

	for (char *line = out; *line; line = strstr(line, "\r\n") + 2) {
		size_t n = 1;
		bool quoted = false;

		cr_assert_not_null(strstr(line, "\r\n"));
		for (char *c = line; c < strstr(line, "\r\n"); c++) {
			quoted ^= *c == '"';
			n += *c == ',' && !quoted;
		}
		if (!cols)
			cols = n;
		cr_expect_eq(n, cols, "row %zu", rows);
		rows++;
	}
	cr_expect_eq(rows, 1 + 6);
	/* path, dev, ino, generation, fstype, deleted, former_paths, comms; 7 + 8 for the sides;
	 * fsync; the syscalls; mapped; page_cache */
	cr_expect_eq(cols, 8 + 3 * (8 + 9) + 3 + 3 * SC_MAX + 4 + 1);
	free(out);
}

/*
 * --by pid: one group per process of a --per-process document, named
 * "/[pid]/PID COMM", each with the calls of that process's records (summed
 * here from the document, independently of the grouping code).
 */
Test(report_merge, by_pid_groups_the_records_of_each_process)
{
	char *argv[] = { "report",   SRC_DIR "/tests/fixtures/result/per-process.json",
			 "--by",     "pid",
			 "--format", "json",
			 NULL };
	char *text, *out = NULL, name[64];
	struct jval *doc, *rep;
	struct jerr jerr;
	uint64_t pids[64], calls[64], v;
	size_t len, np = 0;
	FILE *f;

	cr_assert_eq(e2e_read_file(argv[1], &text, &len), 0);
	cr_assert_eq(jsonr_parse(text, len, &doc, &jerr), 0, "%s", jerr.msg);
	free(text);
	for (size_t i = 0; i < jval_len(jval_get(doc, "files")); i++) {
		const struct jval *r = jval_idx(jval_get(doc, "files"), i);
		size_t k = 0;

		cr_assert_eq(jval_u64(jval_get(r, "pid"), &v), 0);
		while (k < np && pids[k] != v)
			k++;
		if (k == np) {
			cr_assert_lt(np, 64);
			pids[np] = v, calls[np++] = 0;
		}
		for (int s = 0; s < 2; s++) {
			uint64_t c = 0;

			jval_u64(jval_get(jval_get(r, s ? "write" : "read"), "calls"), &c);
			calls[k] += c;
		}
	}
	f = open_memstream(&out, &len);
	cr_assert_eq(report_cli(6, argv, f), 0);
	fclose(f);
	cr_assert_eq(jsonr_parse(out, len, &rep, &jerr), 0, "%s", jerr.msg);
	cr_expect_eq(jval_len(jval_get(rep, "files")), np, "one group per process");
	for (size_t k = 0; k < np; k++) {
		const struct jval *g = NULL;
		uint64_t got = 0;

		snprintf(name, sizeof(name), "/[pid]/%llu ", (unsigned long long)pids[k]);
		for (size_t i = 0; i < jval_len(jval_get(rep, "files")) && !g; i++) {
			const char *p = jval_str(
				jval_get(jval_idx(jval_get(rep, "files"), i), "path"), NULL);

			if (p && !strncmp(p, name, strlen(name)))
				g = jval_idx(jval_get(rep, "files"), i);
		}
		cr_assert_not_null(g, "no group %s", name);
		for (int s = 0; s < 2; s++) {
			uint64_t c = 0;

			jval_u64(jval_get(jval_get(g, s ? "write" : "read"), "calls"), &c);
			got += c;
		}
		cr_expect_eq(got, calls[k], "%s: calls", name);
	}
	jval_free(rep);
	jval_free(doc);
	free(out);
}

/* ---- trace-time filters of merged documents ------------------------------------------------ */

static void strs(struct rstrs *s, const char *const *v)
{
	for (; *v; v++)
		cr_assert_eq(rstrs_add(s, *v, strlen(*v)), 0);
}

static void expect_strs(const struct rstrs *s, const char *const *want, const char *what)
{
	size_t n = 0;

	for (; want[n]; n++)
		if (n < s->cnt)
			cr_expect_str_eq(s->v[n], want[n], "%s[%zu]", what, n);
	cr_expect_eq(s->cnt, n, "%s: %zu names, want %zu", what, s->cnt, n);
}

static void filtered_meta(struct rmeta *m, int which)
{
	memset(m, 0, sizeof(*m));
	m->docs = 1;
	if (which == 0) {
		strs(&m->ff.paths, (const char *const[]){ "/a", NULL });
		strs(&m->ff.exclude, (const char *const[]){ "/a/x", "/a/y", NULL });
		strs(&m->ff.fstypes, (const char *const[]){ "ext4", NULL });
		strs(&m->ff.exclude_fstypes, (const char *const[]){ "proc", NULL });
		m->ff.excluded_files = 3;
	} else {
		strs(&m->ff.paths, (const char *const[]){ "/b", NULL });
		strs(&m->ff.exclude, (const char *const[]){ "/a/y", NULL });
		strs(&m->ff.exclude_fstypes, (const char *const[]){ "proc", "sysfs", NULL });
		m->ff.excluded_files = 4;
	}
}

/*
 * Every file of either document is below /a or /b, below neither exclusion
 * both documents have (/a/y), of any type (the second chose none), and on
 * neither excluded type both chose (proc); in either order.
 */
Test(report_merge, merged_filters_stay_true_of_every_file)
{
	for (int order = 0; order < 2; order++) {
		struct rmeta m = { 0 }, d[2];

		filtered_meta(&d[0], 0);
		filtered_meta(&d[1], 1);
		cr_assert_eq(rmeta_merge(&m, &d[order]), 0);
		cr_assert_eq(rmeta_merge(&m, &d[1 - order]), 0);
		expect_strs(&m.ff.paths, (const char *const[]){ "/a", "/b", NULL }, "paths");
		expect_strs(&m.ff.exclude, (const char *const[]){ "/a/y", NULL }, "exclude");
		expect_strs(&m.ff.fstypes, (const char *const[]){ NULL }, "fstypes");
		expect_strs(&m.ff.exclude_fstypes, (const char *const[]){ "proc", NULL },
			    "exclude_fstypes");
		cr_expect_eq(m.ff.excluded_files, 7);
		rmeta_free(&m);
		rmeta_free(&d[0]);
		rmeta_free(&d[1]);
	}
}

/* start_unix_ns and duration_ns of a document */
static void span_of(const char *doc, uint64_t *start, uint64_t *dur)
{
	struct jval *root;
	char *buf;
	size_t len;

	cr_assert_eq(e2e_read_file(doc, &buf, &len), 0, "%s", doc);
	cr_assert_eq(jsonr_parse(buf, len, &root, NULL), 0);
	cr_assert_eq(jval_u64(jval_get(root, "start_unix_ns"), start), 0);
	cr_assert_eq(jval_u64(jval_get(root, "duration_ns"), dur), 0);
	jval_free(root);
	free(buf);
}

/*
 * Documents of runs apart in time: the summary gives their traced time,
 * the sum of their durations (they do not overlap: checked here from the
 * documents), and says how many runs; the same document twice is one run.
 */
Test(report_merge, runs_apart_in_time_keep_their_own_spans)
{
	const char *docs[] = { FIX "basic.json", FIX "b.json", FIX "c.json" };
	uint64_t s[3], d[3], sum = 0;
	char want[64], *out;

	for (int i = 0; i < 3; i++) {
		span_of(docs[i], &s[i], &d[i]);
		sum += d[i];
	}
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 3; k++)
			cr_assert(i == k || s[i] + d[i] < s[k] || s[k] + d[k] < s[i],
				  "the fixtures overlap in time");
	out = cli(docs[0], docs[1], docs[2], NULL);
	snprintf(want, sizeof(want), "for %llus\n3 runs apart in time",
		 (unsigned long long)(sum / 1000000000));
	cr_expect_not_null(strstr(out, want), "no '%s' in:\n%s", want, out);
	free(out);
	out = cli(docs[0], docs[0], NULL);
	snprintf(want, sizeof(want), "for %llus\n", (unsigned long long)(d[0] / 1000000000));
	cr_expect_not_null(strstr(out, want), "the same document twice: no '%s' in:\n%s", want,
			   out);
	cr_expect_null(strstr(out, "runs apart"), "one run said to be several:\n%s", out);
	free(out);
	/* a file active in several runs: its active time leaves the gaps out */
	out = cli(docs[0], docs[1], docs[2], "--file", "/data/db/table.dat", NULL);
	{
		const char *at = strstr(out, "after the start (");
		char *end;
		double secs;

		cr_assert_not_null(at, "%s", out);
		secs = strtod(at + strlen("after the start ("), &end);
		cr_expect_eq(*end, 's', "%s", at);
		cr_expect_leq(secs, (double)sum / 1e9 + 1, "active %gs, more than the runs' %llus",
			      secs, (unsigned long long)(sum / 1000000000));
		cr_expect_not_null(strstr(at, "within the runs"), "%s", at);
	}
	free(out);
}

/* basic.json with its "dropped" object given missed_runs (N < 0: left out, as before 6.7) */
static char *with_missed_runs(long long n, const char *name)
{
	const char *key = "\"events\": 0";
	char *buf, *text = NULL, *at, *path;
	size_t len;

	cr_assert_eq(e2e_read_file(FIX "basic.json", &buf, &len), 0);
	at = strstr(buf, key);
	cr_assert_not_null(at, "basic.json has no %s", key);
	at += strlen(key);
	if (n >= 0)
		cr_assert_gt(asprintf(&text, "%.*s, \"missed_runs\": %lld%s", (int)(at - buf), buf,
				      n, at),
			     0);
	path = save(text ? text : buf, name);
	free(text);
	free(buf);
	return path;
}

/* dropped.missed_runs of a JSON report, -1 when the key is left out */
static long long missed_in(const char *json)
{
	struct jval *root;
	uint64_t v;
	long long got = -1;

	cr_assert_eq(jsonr_parse(json, strlen(json), &root, NULL), 0, "%s", json);
	if (!jval_u64(jval_get(jval_get(root, "dropped"), "missed_runs"), &v))
		got = (long long)v;
	jval_free(root);
	return got;
}

/*
 * Skipped runs of the tracer's programs: summed over the documents that
 * count them, said in the text summary, left out where no document had
 * the count (a kernel before 6.7 cannot tell: 0 would claim too much).
 */
Test(report_merge, missed_runs_are_summed_and_absent_where_never_counted)
{
	char *a = with_missed_runs(3, "missed3.json"), *b = with_missed_runs(4, "missed4.json");
	char *old = with_missed_runs(-1, "nomissed.json"), *out;

	out = cli("--format", "json", a, b, old, NULL);
	cr_expect_eq(missed_in(out), 7);
	free(out);
	out = cli("--format", "json", old, NULL);
	cr_expect_eq(missed_in(out), -1);
	free(out);
	out = cli(a, b, NULL);
	cr_expect_not_null(strstr(out, "the kernel skipped 7 runs"), "%s", out);
	free(out);
	out = cli(old, NULL);
	cr_expect_null(strstr(out, "skipped"), "%s", out);
	free(out);
	free(a);
	free(b);
	free(old);
}
