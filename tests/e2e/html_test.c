// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report --html` in a real browser: headless Chromium (installed by
 * make deps) renders the page of a traced workload whose every call the test
 * knows (tests/lib/workload.h, "findings").  The page's script ran (it marks
 * the body with the number of files it read from the embedded document), the
 * table's figures are the workload's, every rule is there, a screenshot is
 * not blank (tests/lib/png-ink), and the browser's network log has no
 * request made by the page, a check that a page with one remote image fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static char *tdir;

static void teardown(void)
{
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

/* a file's row: reads, read bytes, writes, written bytes, seq per mille, fsync, errors */
struct row {
	long long v[7];
};

static const char *const browsers[] = { "chromium", "/usr/bin/chromium", NULL };

/* headless Chromium on the page at path; out: what it prints (--dump-dom), netlog: its log */
static void browse(const char *page, const char *what, const char *netlog, const char *png,
		   struct e2e_proc *p)
{
	char url[PATH_MAX + 16], log[PATH_MAX + 32], prof[PATH_MAX + 16], shot[PATH_MAX + 32];
	char *argv[20];
	int n = 0;

	cr_assert_eq(access(browsers[1], X_OK), 0,
		     "no %s: make deps installs Debian's chromium for this test", browsers[1]);
	snprintf(url, sizeof(url), "file://%s", page);
	snprintf(log, sizeof(log), "--log-net-log=%s", netlog);
	snprintf(prof, sizeof(prof), "--user-data-dir=%s/chromium", tdir);
	argv[n++] = (char *)browsers[0];
	argv[n++] = "--headless";
	argv[n++] = "--no-sandbox"; /* root */
	argv[n++] = "--disable-gpu";
	argv[n++] = "--no-first-run";
	argv[n++] = "--hide-scrollbars";
	argv[n++] = "--window-size=1280,2400";
	argv[n++] = "--virtual-time-budget=3000";
	argv[n++] = prof;
	argv[n++] = log;
	if (png) {
		snprintf(shot, sizeof(shot), "--screenshot=%s", png);
		argv[n++] = shot;
	} else {
		argv[n++] = "--dump-dom";
	}
	argv[n++] = url;
	argv[n] = NULL;
	cr_assert_eq(e2e_run(argv, 120, p), 0, "%s: chromium did not run", what);
	cr_assert(!p->timed_out, "%s: chromium timed out", what);
	cr_assert_eq(p->status, 0, "%s: chromium exit %d: %s", what, p->status, p->err);
}

/* requests the page made: Chromium logs a file:// page's own requests with initiator "null" */
static size_t page_requests(const char *netlog)
{
	const char *key = "\"initiator\":\"null\"";
	size_t len, cnt = 0;
	char *text;

	cr_assert_eq(e2e_read_file(netlog, &text, &len), 0, "%s", netlog);
	for (const char *at = text; (at = strstr(at, key)); at += strlen(key))
		cnt++;
	free(text);
	return cnt;
}

/* the row of the file name below tdir in the dumped DOM */
static struct row row_of(const char *dom, const char *name)
{
	char cell[PATH_MAX + 64];
	struct row r;
	const char *at;

	snprintf(cell, sizeof(cell), "<td class=\"path\">%s/%s</td>", tdir, name);
	at = strstr(dom, cell);
	cr_assert_not_null(at, "no row of %s in the page", name);
	for (int i = 0; i < 7; i++) {
		at = strstr(at, "data-v=\"");
		cr_assert_not_null(at, "%s: cell %d", name, i);
		at += strlen("data-v=\"");
		r.v[i] = strtoll(at, NULL, 10);
	}
	return r;
}

static void expect_row(const char *dom, const char *name, long long reads, long long rbytes,
		       long long writes, long long wbytes, long long fsyncs)
{
	struct row r = row_of(dom, name);
	const long long want[7] = { reads, rbytes, writes, wbytes, r.v[4], fsyncs, 0 };
	static const char *const col[7] = { "reads", "read",  "writes", "written",
					    "seq",   "fsync", "errors" };

	for (int i = 0; i < 7; i++)
		cr_expect_eq(r.v[i], want[i], "%s: %s %lld, the workload made %lld", name, col[i],
			     r.v[i], want[i]);
}

Test(html, the_page_shows_the_workload_and_fetches_nothing, .fini = teardown)
{
	static const char *const rules[] = { "small-requests",	"random-access",
					     "rewrites",	"fsync-per-write",
					     "write-then-read", "tiny-sequential-reads" };
	char page[PATH_MAX + 16], net[PATH_MAX + 16], png[PATH_MAX + 16], ctl[PATH_MAX + 16];
	struct e2e_proc p;
	struct trace t;
	char want[32];
	FILE *f;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	trace_workload(&t, tdir, "findings", NULL);
	snprintf(page, sizeof(page), "%s/report.html", tdir);
	{
		char *argv[] = {
			E2E_IOTRACE, "report", "--path", tdir, "--html", page, t.out, NULL
		};

		cr_assert_eq(e2e_run(argv, 60, &p), 0);
		cr_assert_eq(p.status, 0, "report --html: %s", p.err);
		e2e_proc_free(&p);
	}

	snprintf(net, sizeof(net), "%s/net.json", tdir);
	browse(page, "the report", net, NULL, &p);
	/* the script parsed the embedded document: the 8 files below tdir (spill.dat deleted) */
	snprintf(want, sizeof(want), "data-ready=\"%d\"", 8);
	cr_expect_not_null(strstr(p.out, want), "the page's script did not run to its end");
	expect_row(p.out, "small.dat", 0, 0, WL_FN_SMALL_CALLS,
		   (long long)WL_FN_SMALL_CALLS * WL_FN_SMALL_SZ, 0);
	expect_row(p.out, "rand.dat", WL_FN_RAND_CALLS, WL_FN_RAND_CALLS * 4096LL, 16, 1 << 20, 0);
	expect_row(p.out, "rewr.dat", 0, 0, 2 * WL_FN_REWR_CALLS, 2 * WL_FN_REWR_CALLS * 4096LL, 0);
	expect_row(p.out, "sync.dat", 0, 0, WL_FN_SYNC_CALLS, WL_FN_SYNC_CALLS * 4096LL,
		   WL_FN_SYNC_CALLS);
	expect_row(p.out, "tiny.dat", WL_FN_TINY_CALLS, WL_FN_TINY_CALLS * 1024LL,
		   WL_FN_TINY_CALLS / 64, WL_FN_TINY_CALLS * 1024LL, 0);
	expect_row(p.out, "calm.dat", 16, 1 << 20, 16, 1 << 20, 1);
	expect_row(p.out, "shared.dat", 4 * WL_FN_READERS, WL_FN_READERS * 4 * 65536LL, 4,
		   4 * 65536, 0);
	cr_expect_not_null(strstr(p.out, "id=\"tot-files\" class=\"n\" data-v=\"8\""),
			   "overview: files");
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		cr_expect_not_null(strstr(p.out, rules[i]), "finding %s not on the page", rules[i]);
	e2e_proc_free(&p);
	cr_expect_eq(page_requests(net), 0, "the page made network requests (see %s)", net);

	snprintf(png, sizeof(png), "%s/report.png", tdir);
	browse(page, "the screenshot", net, png, &p);
	e2e_proc_free(&p);
	{
		char *argv[] = { SRC_DIR "/tests/lib/png-ink", png, NULL };

		cr_assert_eq(e2e_run(argv, 60, &p), 0);
		cr_assert_eq(p.status, 0, "png-ink: %s", p.err);
		cr_expect_gt(atoi(p.out), 20, "the screenshot is blank: %s per mille inked", p.out);
		e2e_proc_free(&p);
	}

	/* the check can fail: a page with one remote image is seen requesting it */
	snprintf(ctl, sizeof(ctl), "%s/control.html", tdir);
	f = fopen(ctl, "w");
	cr_assert_not_null(f);
	fputs("<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>", f);
	fclose(f);
	browse(ctl, "the control page", net, NULL, &p);
	e2e_proc_free(&p);
	cr_expect_gt(page_requests(net), 0, "the network log does not show a page's request");
	trace_free(&t);
}
