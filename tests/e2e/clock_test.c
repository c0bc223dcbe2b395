// SPDX-License-Identifier: GPL-2.0
/*
 * The trace's clock counts from the moment tracing is live.  Two traces of a
 * steady writer back to back (the second attaches right after the first
 * ended, while the kernel may still be detaching it): the second's
 * duration_ns is its -d, and it counts exactly the writes made inside
 * [start, start + duration_ns], as the writer timed them itself on the
 * wall clock; none made after it was live is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static char *tdir;

static void teardown(void)
{
	if (tdir)
		e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

/* iotrace -p pid -d sec -o out, to its end; its stderr */
static char *trace_for(pid_t pid, const char *sec, const char *out)
{
	char p[32];
	const char *argv[] = { E2E_IOTRACE, "-v", "-q", "-p", p, "-d", sec, "-o", out, NULL };
	struct e2e_proc r;
	char *err;

	snprintf(p, sizeof(p), "%d", (int)pid);
	cr_assert_eq(e2e_run((char *const *)argv, 60, &r), 0);
	cr_assert_eq(r.status, 0, "iotrace -p %s -d %s: exit %d; %s", p, sec, r.status, r.err);
	err = r.err;
	r.err = NULL;
	e2e_proc_free(&r);
	return err;
}

static uint64_t u64_at(const struct jval *o, const char *key)
{
	uint64_t v = 0;

	cr_assert_eq(jval_u64(jval_get(o, key), &v), 0, "%s", key);
	return v;
}

Test(clock, back_to_back_traces_start_when_live_and_miss_no_write, .fini = teardown)
{
	const char *wl[] = { E2E_WORKLOAD, NULL, "steady", NULL };
	char out1[4096], out2[4096], log[4096], *text, *err2;
	uint64_t start, dur, counted = 0, lo = 0, hi = 0, calls = 0;
	const struct jval *rec;
	struct jval *doc;
	size_t len;
	pid_t w;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	wl[1] = tdir;
	snprintf(log, sizeof(log), "%s.log", tdir);
	w = e2e_spawn((char *const *)wl, log);
	cr_assert_gt(w, 0);
	snprintf(out1, sizeof(out1), "%s/one.json", tdir);
	snprintf(out2, sizeof(out2), "%s/two.json", tdir);
	free(trace_for(w, "0.5", out1));
	err2 = trace_for(w, "2", out2);
	cr_assert_eq(e2e_wait(w, 30), 0, "the writer failed");

	doc = doc_load(out2);
	start = u64_at(doc, "start_unix_ns");
	dur = u64_at(doc, "duration_ns");
	cr_expect(dur >= 2000000000ULL && dur <= 2010000000ULL,
		  "duration_ns %llu, want 2 s within 10 ms (stderr: %s)", (unsigned long long)dur,
		  err2);
	rec = doc_record(doc, e2e_join(tdir, WL_STEADY_FILE));
	cr_assert_not_null(rec, "no record of the writer's file");
	calls = u64_at(jval_get(rec, "write"), "calls");
	jval_free(doc);

	/* the writer's own times: inside the trace for sure, or possibly */
	cr_assert_eq(e2e_read_file(log, &text, &len), 0);
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned long long b, a;

		if (sscanf(l, "W %llu %llu", &b, &a) != 2)
			continue;
		counted++;
		lo += b >= start && a <= start + dur;
		hi += a >= start && b <= start + dur;
	}
	free(text);
	cr_assert_eq(counted, WL_STEADY_MS, "the writer reported %llu writes",
		     (unsigned long long)counted);
	cr_expect(calls >= lo && calls <= hi,
		  "the second trace counted %llu writes; the writer made %llu inside it for sure, "
		  "%llu at most",
		  (unsigned long long)calls, (unsigned long long)lo, (unsigned long long)hi);
	cr_expect_gt(lo, 1000, "a steady writer makes about 2000 writes in 2 s, not %llu",
		     (unsigned long long)lo);
	free(err2);
}
