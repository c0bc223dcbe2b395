// SPDX-License-Identifier: GPL-2.0
/*
 * Golden text output of `iotrace report` on the hand-made documents of
 * tests/fixtures/report/ (no color: the output is not a terminal and
 * NO_COLOR is set), and the number formats the views share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	char *argv[] = { "report", FIX "basic.json", FIX "b.json", FIX "c.json", NULL }, *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	cr_assert_eq(report_cli(4, argv, f), 0);
	fclose(f);
	for (char *l = out; *l; l += strcspn(l, "\n") + 1)
		cr_expect_leq(strcspn(l, "\n"), 100, "%.*s", (int)strcspn(l, "\n"), l);
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
