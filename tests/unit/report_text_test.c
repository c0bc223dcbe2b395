// SPDX-License-Identifier: GPL-2.0
/*
 * Golden text output of `iotrace report` on the hand-made documents of
 * tests/fixtures/report/ (no color: the output is not a terminal and
 * NO_COLOR is set), and the number formats the views share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "format/document.h"
#include "report/report.h"

#define FIX SRC_DIR "/tests/fixtures/report/"

struct golden {
	const char *expect;   /* fixture file with the expected output */
	const char *args[12]; /* after "report" */
};

static const struct golden goldens[] = {
	{ "basic.txt", { FIX "basic.json" } },
	{ "basic-detail.txt", { FIX "basic.json", "--file", "/data/db/table.dat" } },
	{ "merged-dir1.txt",
	  { FIX "basic.json", FIX "b.json", FIX "c.json", "--by", "dir:1", "--sort", "fsync" } },
	{ "merged-detail.txt",
	  { FIX "basic.json", FIX "b.json", FIX "c.json", "--file", "/data/db/table.dat" } },
};

Test(report_text, output_matches_the_golden_files)
{
	setenv("NO_COLOR", "1", 1);
	unsetenv("COLUMNS"); /* 100 columns, whatever the shell that runs the tests says */
	for (size_t g = 0; g < sizeof(goldens) / sizeof(goldens[0]); g++) {
		char *argv[16] = { "report" }, *out = NULL, *expect, path[512];
		size_t len, elen;
		int argc = 1;
		FILE *f = open_memstream(&out, &len);

		for (const char *const *a = goldens[g].args; *a; a++)
			argv[argc++] = (char *)*a;
		cr_assert_eq(report_cli(argc, argv, f), 0, "%s", goldens[g].expect);
		fclose(f);
		snprintf(path, sizeof(path), FIX "%s", goldens[g].expect);
		cr_assert_eq(e2e_read_file(path, &expect, &elen), 0, "%s", path);
		cr_expect_str_eq(out, expect, "%s differs", goldens[g].expect);
		free(out);
		free(expect);
	}
}

Test(report_text, every_line_fits_100_columns)
{
	unsetenv("COLUMNS");
	char *argv[] = { "report", FIX "basic.json", FIX "b.json", FIX "c.json", NULL }, *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	cr_assert_eq(report_cli(4, argv, f), 0);
	fclose(f);
	for (char *l = out; *l; l += strcspn(l, "\n") + 1)
		cr_expect_leq(strcspn(l, "\n"), 100, "%.*s", (int)strcspn(l, "\n"), l);
	free(out);
}

/*
 * A file's detail fits one screen: the fixture's busiest file (three
 * syscalls with histograms, fsync, both sides) in at most 40 lines of at most
 * 100 columns, every histogram drawn once, and pread64's completed sizes,
 * equal to its requests, not drawn again.
 */
Test(report_text, a_file_s_detail_fits_one_screen)
{
	char *argv[] = { "report",	  FIX "basic.json",
			 "--file",	  "/data/db/table.dat",
			 "--no-findings", NULL },
	     *out;
	size_t len, lines = 0;
	FILE *f = open_memstream(&out, &len);
	const char *titles[] = { "pread64: request size", "pread64: completed",
				 "fdatasync: latency", "read: sequential sizes" };

	unsetenv("COLUMNS");
	setenv("NO_COLOR", "1", 1);
	cr_assert_eq(report_cli(5, argv, f), 0);
	fclose(f);
	for (char *l = out; *l; l += strcspn(l, "\n") + 1, lines++)
		cr_expect_leq(strcspn(l, "\n"), 100, "%.*s", (int)strcspn(l, "\n"), l);
	cr_expect_leq(lines, 40, "%zu lines:\n%s", lines, out);
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		const char *at = strstr(out, titles[i]);

		if (i == 1) {
			cr_expect_null(at, "completed sizes equal to the requests drawn again");
			continue;
		}
		cr_expect_not_null(at, "no %s", titles[i]);
		cr_expect(!at || !strstr(at + 1, titles[i]), "%s drawn twice", titles[i]);
	}
	free(out);
}

Test(report_text, sizes_and_times_are_short)
{
	static const struct {
		uint64_t v;
		const char *size, *ns;
	} cases[] = {
		{ 0, "0", "0ns" },
		{ 1023, "1023", "1.02us" },
		{ 1024, "1K", "1.02us" },
		{ 1536, "1.5K", "1.54us" },
		{ 4096000, "3.9M", "4.1ms" },
		{ 1ULL << 40, "1T", "1100s" },
		{ UINT64_MAX, "16E", "18446744074s" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char s[32], t[32];

		fmt_size(s, sizeof(s), cases[i].v);
		fmt_ns(t, sizeof(t), cases[i].v);
		cr_expect_str_eq(s, cases[i].size);
		cr_expect_str_eq(t, cases[i].ns);
	}
}

Test(report_text, usage_errors_exit_2_and_runtime_errors_exit_1)
{
	char *none[] = { "report", NULL };
	char *bad_by[] = { "report", "--by", "inode", "x.json", NULL };
	char *bad_sort[] = { "report", "--sort", "size", "x.json", NULL };
	char *missing[] = { "report", "/nonexistent/x.json", NULL };
	char *no_file[] = { "report", FIX "basic.json", "--file", "/nope", NULL };
	FILE *f = fopen("/dev/null", "w");

	cr_expect_eq(report_cli(1, none, f), 2);
	cr_expect_eq(report_cli(4, bad_by, f), 2);
	cr_expect_eq(report_cli(4, bad_sort, f), 2);
	cr_expect_eq(report_cli(2, missing, f), 1);
	cr_expect_eq(report_cli(4, no_file, f), 1);
	fclose(f);
}

/* report's text output for argv (stdout), with COLUMNS as given (NULL: unset) */
static char *report_out(char **argv, int argc, const char *columns)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	setenv("NO_COLOR", "1", 1);
	if (columns)
		setenv("COLUMNS", columns, 1);
	else
		unsetenv("COLUMNS");
	cr_assert_eq(report_cli(argc, argv, f), 0);
	fclose(f);
	return out;
}

Test(report_text, exclude_leaves_out_the_files_a_pattern_matches)
{
	char *argv[] = { "report",    FIX "basic.json", "--exclude", "/data/*",
			 "--exclude", "*.yaml",		NULL };
	char *out = report_out(argv, 6, NULL);

	cr_expect_null(strstr(out, "/data/"), "%s", out);
	cr_expect_null(strstr(out, "config.yaml"), "%s", out);
	cr_expect_not_null(strstr(out, "/var/log/app.log"), "%s", out);
	cr_expect_not_null(strstr(out, "2 of 2 entries"), "%s", out);
	free(out);
}

/* a path longer than the column keeps its start and its file name, "..." between */
Test(report_text, long_paths_are_shortened_in_the_middle_and_wide_keeps_them)
{
	static const char path[] = "/srv/archive/2026/customer-exports/region-eu-west/warehouse-7/"
				   "daily/compressed/batch-0042/part-00017-of-00032.parquet.tmp";
	char *argv[] = { "report", FIX "long.json", NULL }, *out = report_out(argv, 2, NULL), *l;
	char *wargv[] = { "report", FIX "long.json", "--wide", NULL }, *wout;
	size_t longest = 0;
	bool cut = false;

	for (l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		cr_expect_leq(strlen(l), 100, "a line wider than 100 columns: %s", l);
		/* the start of the path, "...", and its end, the file's name */
		cut |= !strncmp(l, "/srv/arc...", 11) && strstr(l, "00032.parquet.tmp ");
	}
	cr_expect(cut, "the long path is not cut in its middle");
	free(out);
	wout = report_out(wargv, 3, "100");
	cr_expect_not_null(strstr(wout, path), "--wide: the whole path");
	for (l = strtok(wout, "\n"); l; l = strtok(NULL, "\n"))
		if (l[0] == '/') {
			cr_expect_null(strstr(l, "..."), "--wide shortened a path: %s", l);
			longest = strlen(l) > longest ? strlen(l) : longest;
		}
	cr_expect_gt(longest, 100);
	free(wout);
}

/*
 * The table takes the terminal's width, up to what its paths need: at 100
 * and at 160 columns the fixture's short paths make it 100 wide; a path of
 * 140 bytes widens it to 160 and is shortened in its middle to fit; at 80
 * columns it leaves out P99, REWR and FS.P99, and every line fits.
 */
Test(report_text, the_table_takes_the_width_of_columns)
{
	char *argv[] = { "report", FIX "basic.json", NULL };
	char *narrow = report_out(argv, 2, NULL), *wide = report_out(argv, 2, "160");
	char *small = report_out(argv, 2, "80");
	const char *h1 = strstr(narrow, "PATH"), *h2 = strstr(wide, "PATH"), *h3;
	char *text, *doc, *out, tmp[] = "/tmp/iotrace-report-test.XXXXXX", name[141];
	char *longer[] = { "report", tmp, NULL };
	size_t len;
	int fd;

	cr_assert(h1 && h2);
	cr_expect_eq(strcspn(h1, "\n"), 100, "%.*s", (int)strcspn(h1, "\n"), h1);
	cr_expect_eq(strcspn(h2, "\n"), 100, "%.*s", (int)strcspn(h2, "\n"), h2);
	h3 = strstr(small, "PATH");
	cr_assert_not_null(h3);
	cr_expect_leq(strcspn(h3, "\n"), 80, "%.*s", (int)strcspn(h3, "\n"), h3);
	{
		char head[128];

		snprintf(head, sizeof(head), "%.*s", (int)strcspn(h3, "\n"), h3);
		cr_expect(!strstr(head, "P99") && !strstr(head, "REWR"), "%s", head);
	}
	for (char *l = small; *l; l += strcspn(l, "\n") + 1)
		cr_expect_leq(strcspn(l, "\n"), 80, "%.*s", (int)strcspn(l, "\n"), l);
	{
		char *merged[] = { "report", FIX "basic.json", FIX "b.json", FIX "c.json", NULL };
		char *detail[] = { "report", FIX "basic.json", FIX "b.json", FIX "c.json",
				   "--file", "table.dat",      NULL };
		char *outs[2] = { report_out(merged, 4, "80"), report_out(detail, 6, "80") };

		for (int k = 0; k < 2; k++) {
			for (char *l = outs[k]; *l; l += strcspn(l, "\n") + 1)
				cr_expect_leq(strcspn(l, "\n"), 80, "%.*s", (int)strcspn(l, "\n"),
					      l);
			free(outs[k]);
		}
	}
	/* one path of 140 bytes in place of /etc/app/config.yaml */
	cr_assert_eq(e2e_read_file(FIX "basic.json", &text, &len), 0);
	doc = strstr(text, "\"path\": \"/etc/app/config.yaml\"");
	cr_assert_not_null(doc);
	memset(name, 'x', 140);
	name[0] = '/';
	name[140] = '\0';
	fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	dprintf(fd, "%.*s\"path\": \"%s\"%s", (int)(doc - text), text, name,
		doc + strlen("\"path\": \"/etc/app/config.yaml\""));
	close(fd);
	out = report_out(longer, 2, "160");
	h2 = strstr(out, "PATH");
	cr_assert_not_null(h2);
	cr_expect_eq(strcspn(h2, "\n"), 160, "%.*s", (int)strcspn(h2, "\n"), h2);
	cr_expect_not_null(strstr(out, "\n/xxx"), "the long path's start not shown:\n%s", out);
	cr_expect_not_null(strstr(out, "x...x"), "the long path not shortened in its middle:\n%s",
			   out);
	unlink(tmp);
	free(out);
	free(text);
	free(narrow);
	free(wide);
	free(small);
}

/* --file takes the end of a path, whole components, when one path ends so */
Test(report_text, file_takes_a_unique_end_of_a_path)
{
	char *argv[] = { "report", FIX "basic.json", "--file", "db/table.dat", NULL }, *out;
	char *text, *doc, tmp[] = "/tmp/iotrace-report-test.XXXXXX";
	char *amb[] = { "report", tmp, "--file", "app.log", NULL };
	char *part[] = { "report", FIX "basic.json", "--file", "able.dat", NULL };
	size_t len;
	FILE *f;
	int fd;

	out = report_out(argv, 4, NULL);
	cr_expect(!strncmp(out, "/data/db/table.dat\n", 19), "%s", out);
	free(out);
	/* a part of a name is no end of a path */
	f = open_memstream(&out, &len);
	cr_expect_eq(report_cli(4, part, f), 1);
	fclose(f);
	free(out);
	/* two paths end with app.log: neither is chosen */
	cr_assert_eq(e2e_read_file(FIX "basic.json", &text, &len), 0);
	doc = strstr(text, "\"/etc/app/config.yaml\"");
	cr_assert_not_null(doc);
	memcpy(doc, "\"/srv/app.log\"        ", 22); /* the same length, blanks after it */
	fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	f = open_memstream(&out, &len);
	cr_expect_eq(report_cli(4, amb, f), 1, "app.log ends two paths");
	fclose(f);
	free(out);
	free(text);
	unlink(tmp);
}

/* records of processes (--per-process) lead with PID and COMM columns */
Test(report_text, per_process_rows_show_pid_and_comm)
{
	char *argv[] = { "report", SRC_DIR "/tests/fixtures/result/per-process.json", NULL };
	char *out = report_out(argv, 2, NULL), *l;
	bool header = false, row = false;

	for (l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		header |= !strncmp(l, "    PID COMM            PATH", 28);
		/* a row: the pid right-aligned in 7 columns, the comm, the path */
		row |= strlen(l) > 24 && l[6] >= '0' && l[6] <= '9' && l[7] == ' ' && l[24] == '/';
	}
	cr_expect(header, "no PID and COMM header");
	cr_expect(row, "no row with a pid, a comm and a path");
	free(out);
}
