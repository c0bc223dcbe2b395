// SPDX-License-Identifier: GPL-2.0
/*
 * A full file table loses nothing silently: with --max-files 2, a shell
 * that reads five files of our own after the dynamic loader read libc
 * leaves two records (libc and the first file) and counts the other four
 * files in dropped.files, their calls in dropped.events, and says so on
 * stderr.  The ground truth is the script below.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "expect.h"
#include "jsonr.h"

#define FILE_CNT 5

Test(capacity, full_file_table_counts_lost_files_once_each)
{
	char script[FILE_CNT * (PATH_MAX + 16)] = "", out[PATH_MAX], path[PATH_MAX], *dir;
	const char *argv[] = { E2E_IOTRACE, "--max-files", "2",	 "-o",	 out,
			       "--",	    "/bin/sh",	   "-c", script, NULL };
	struct trace t = { 0 };
	const struct jval *files, *dropped;
	uint64_t lost_files = 0, lost_calls = 0;
	size_t in_dir = 0;
	struct e2e_proc p;

	e2e_require_tracer();
	dir = e2e_tmpdir("/tmp");
	for (int i = 1; i <= FILE_CNT; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		cr_assert_eq(e2e_make_file(path, 64, 'a' + i), 0);
		/* dash's read builtin: read(2) on the redirected file */
		snprintf(script + strlen(script), sizeof(script) - strlen(script),
			 "read x < '%s' || :; ", path);
	}
	snprintf(out, sizeof(out), "%s/out.json", dir);
	snprintf(t.out, sizeof(t.out), "%s", out);
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace exit %d: %s", p.status, p.err);
	cr_expect(strstr(p.err, "4 files and"), "no warning on stderr: %s", p.err);
	trace_validate(&t);
	files = jval_get(t.doc, "files");
	dropped = jval_get(t.doc, "dropped");
	cr_assert_eq(jval_len(files), 2, "records: %zu, want --max-files 2", jval_len(files));
	for (size_t i = 0; i < jval_len(files); i++)
		in_dir += !strncmp(jval_str(jval_get(jval_idx(files, i), "path"), NULL), dir,
				   strlen(dir));
	cr_expect_eq(in_dir, 1, "records of our files: %zu, want the first one only", in_dir);
	cr_assert_eq(jval_u64(jval_get(dropped, "files"), &lost_files), 0);
	cr_assert_eq(jval_u64(jval_get(dropped, "events"), &lost_calls), 0);
	cr_expect_eq(lost_files, FILE_CNT - 1, "dropped.files %llu, want %d",
		     (unsigned long long)lost_files, FILE_CNT - 1);
	cr_expect_geq(lost_calls, FILE_CNT - 1,
		      "dropped.events %llu: at least one read per lost file",
		      (unsigned long long)lost_calls);
	e2e_proc_free(&p);
	trace_free(&t);
	e2e_rmtree(dir);
	free(dir);
}
