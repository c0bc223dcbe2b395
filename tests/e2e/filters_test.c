// SPDX-License-Identifier: GPL-2.0
/*
 * Trace-time filters (--path, --exclude, --fstype, --exclude-fstype): the
 * workload's "filters" scenario does known I/O on files in and out of the
 * prefixes, some of them first used by an AIO request (named only at the
 * end, so judged in user space), and reads /proc/self/stat.  The model
 * holds only the files the filters keep: trace_check fails on a record of
 * any other file below the directory, and on a kept file's wrong counts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static const char *const dirs[] = WL_FLT_DIRS;
static const char *const sync_files[] = WL_FLT_SYNC, *const async_files[] = WL_FLT_ASYNC;

#define SYNC_CNT  (sizeof(sync_files) / sizeof(sync_files[0]))
#define ASYNC_CNT (sizeof(async_files) / sizeof(async_files[0]))

static void make_files(void)
{
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cr_assert_eq(mkdir(fx_path(dirs[i]), 0755), 0, "mkdir %s", dirs[i]);
	for (size_t i = 0; i < SYNC_CNT; i++)
		cr_assert_eq(e2e_make_file(fx_path(sync_files[i]), WL_FLT_SZ, 'f'), 0);
	for (size_t i = 0; i < ASYNC_CNT; i++)
		cr_assert_eq(e2e_make_file(fx_path(async_files[i]), WL_FLT_SZ, 'f'), 0);
}

/* the workload's calls on sync_files[i], on the model */
static void expect_sync(struct model *m, size_t i)
{
	struct m_file *f = m_file(m, sync_files[i], WL_FLT_SZ);
	int fd = m_open(m, f, O_RDWR);

	m_pread(m, fd, WL_FLT_RD_SZ, 0);
	m_pwrite(m, fd, WL_FLT_WR_SZ, WL_FLT_WR_AT);
	m_close(m, fd);
}

static void expect_async(struct model *m, size_t i)
{
	struct m_file *f = m_file(m, async_files[i], WL_FLT_SZ);
	int fd = m_open(m, f, O_RDONLY);

	m_aio_done(m, m_aio_submit(m, fd, false, WL_FLT_AIO_SZ, 0), WL_FLT_AIO_SZ);
	m_close(m, fd);
}

/* fx_path(rel) in memory of its own (fx_path's buffer is reused) */
static char *abs_of(const char *rel)
{
	char *p = strdup(fx_path(rel));

	cr_assert_not_null(p);
	return p;
}

static const struct jval *filter_of(const char *key)
{
	const struct jval *v = jval_get(jval_get(fx_trace.doc, "filter"), key);

	cr_assert_not_null(v, "filter.%s missing", key);
	return v;
}

/* filter.key is exactly [want] (want NULL: []) */
static void expect_list(const char *key, const char *want)
{
	const struct jval *v = filter_of(key);

	cr_expect_eq(jval_len(v), want ? 1u : 0u, "filter.%s length", key);
	if (want && jval_len(v) == 1)
		cr_expect_str_eq(jval_idx(v, 0)->str.s, want, "filter.%s", key);
}

static size_t records_where(const char *key, const char *prefix)
{
	const struct jval *files = jval_get(fx_trace.doc, "files");
	size_t n = 0;

	for (size_t i = 0; i < jval_len(files); i++) {
		const struct jval *s = jval_get(jval_idx(files, i), key);

		n += s && !strncmp(s->str.s, prefix, strlen(prefix));
	}
	return n;
}

static uint64_t excluded_files(void)
{
	uint64_t n = 0;

	cr_assert_eq(jval_u64(filter_of("excluded_files"), &n), 0);
	return n;
}

Test(filters, path_and_exclude_keep_only_the_files_below_the_prefix_and_not_below_the_exclusion,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	char *keep, *sub;

	make_files();
	keep = abs_of(WL_FLT_KEEP);
	sub = abs_of(WL_FLT_KEEP "/sub");
	fx_run("filters", (const char *const[]){ "--path", keep, "--exclude", sub, NULL });
	expect_sync(m, 0);  /* keep/a.dat; not keep/sub/b.dat, keepx/c.dat, skip/d.dat */
	expect_async(m, 0); /* keep/e.dat, judged at the end; not skip/f.dat */
	trace_check(&fx_trace, m);
	expect_list("paths", keep);
	expect_list("exclude", sub);
	expect_list("fstypes", NULL);
	/* b, c, d, f and /proc/self/stat at least (the loader's reads of libc too) */
	cr_expect_geq(excluded_files(), 5);
	cr_expect_eq(records_where("path", "/proc/"), 0);
	free(keep);
	free(sub);
}

Test(filters, exclude_fstype_and_exclude_leave_out_proc_and_one_directory, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	char *skip;

	make_files();
	skip = abs_of("skip/");
	fx_run("filters",
	       (const char *const[]){ "--exclude-fstype", "proc,sysfs", "--exclude", skip, NULL });
	for (size_t i = 0; i < 3; i++) /* keep/a, keep/sub/b, keepx/c: keepx is not below keep */
		expect_sync(m, i);
	expect_async(m, 0);
	trace_check(&fx_trace, m);
	skip[strlen(skip) - 1] = '\0'; /* given with a trailing slash, kept without */
	expect_list("exclude", skip);
	cr_expect_eq(records_where("fstype", "proc"), 0, "the read of /proc/self/stat");
	cr_expect_geq(excluded_files(), 3); /* d, f, /proc/self/stat */
	free(skip);
}

Test(filters, fstype_keeps_only_files_of_that_type, .fini = fx_teardown)
{
	char stat_path[64];
	const struct jval *r;
	uint64_t calls = 0;

	fx_setup("/tmp");
	make_files();
	fx_run("filters", (const char *const[]){ "--fstype", "proc", NULL });
	cr_expect_eq(records_where("path", fx_dir), 0, "no file below the directory is on proc");
	snprintf(stat_path, sizeof(stat_path), "/proc/%llu/stat",
		 (unsigned long long)fx_wl_u64("PID"));
	r = doc_record(fx_trace.doc, stat_path);
	cr_assert_not_null(r, "%s: no record", stat_path);
	cr_expect_str_eq(jval_get(r, "fstype")->str.s, "proc");
	cr_assert_eq(jval_u64(jval_get(jval_get(r, "read"), "calls"), &calls), 0);
	cr_expect_eq(calls, 1);
	cr_expect_eq(records_where("fstype", "proc"), jval_len(jval_get(fx_trace.doc, "files")),
		     "every record is on proc");
	expect_list("fstypes", "proc");
	cr_expect_geq(excluded_files(), SYNC_CNT + ASYNC_CNT);
}

Test(filters, bad_filters_are_one_line_usage_errors)
{
	static const char *const bad[][3] = {
		{ "--path", "relative/nowhere", "not an absolute path" },
		{ "--exclude", "", "empty prefix" },
		{ "--fstype", "ext4,,xfs", "invalid --fstype list" },
		{ "--exclude-fstype", "a-name-longer-than-15", "not a file system type name" },
	};

	e2e_require_tracer();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { E2E_IOTRACE, "-o", "/dev/null", bad[i][0],
				       bad[i][1],   "--", "true",      NULL };
		struct e2e_proc p;

		cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
		cr_expect_eq(p.status, 2, "%s '%s': exit %d", bad[i][0], bad[i][1], p.status);
		cr_expect(strstr(p.err, bad[i][2]) && strchr(p.err, '\n') == p.err + p.err_len - 1,
			  "%s '%s': %s", bad[i][0], bad[i][1], p.err);
		e2e_proc_free(&p);
	}
}
