// SPDX-License-Identifier: GPL-2.0
/*
 * files_add_sc: a syscall's kernel stats land in the record once, and a
 * second part of the same syscall (a record's own slot, then a scstats
 * entry for calls made while the record was being created) is summed into
 * it, counters and every histogram bucket.  The expected sums are worked
 * out here from the inputs, bucket by bucket.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "record/record.h"

/* the dense form of a sparse histogram */
static void dense_of(const struct hist_nz *h, __u64 *out)
{
	memset(out, 0, HIST_BUCKETS * sizeof(*out));
	for (uint32_t i = 0; i < h->cnt; i++) {
		cr_assert_lt(h->b[i].idx, HIST_BUCKETS);
		cr_assert_neq(h->b[i].cnt, 0, "a zero bucket kept in the sparse form");
		out[h->b[i].idx] = h->b[i].cnt;
	}
}

Test(files, add_sc_creates_then_sums_the_same_syscall)
{
	struct file_table t = { 0 };
	struct file_key k = { .dev = 8, .ino = 42 };
	struct sc_stats own = { .calls = 5, .errors = 1, .bytes = 16384 };
	struct sc_stats more = { .calls = 2, .errors = 0, .bytes = 8192 };
	__u64 got[HIST_BUCKETS];
	struct file_entry *f = files_get(&t, &k);

	cr_assert(f);
	/* own: 4 completed 4 KiB reads (bucket 13) and a failed 1 MiB request (bucket 21) */
	own.req_hist[13] = 4;
	own.req_hist[21] = 1;
	own.done_hist[13] = 4;
	/* more: a 4 KiB read and a 4 KiB request that completed 2 KiB (bucket 12) */
	more.req_hist[13] = 2;
	more.done_hist[13] = 1;
	more.done_hist[12] = 1;

	cr_assert_eq(files_add_sc(&t, f, SC_read, &own), 0);
	cr_assert(f->sc[SC_read]);
	cr_assert_null(f->sc[SC_pread64], "only the syscall given is filled");
	cr_assert_eq(f->sc[SC_read]->calls, 5);
	dense_of(&f->sc[SC_read]->req_hist, got);
	cr_assert_arr_eq(got, own.req_hist, sizeof(got));

	cr_assert_eq(files_add_sc(&t, f, SC_read, &more), 0);
	cr_assert_eq(f->sc[SC_read]->calls, 7);
	cr_assert_eq(f->sc[SC_read]->errors, 1);
	cr_assert_eq(f->sc[SC_read]->bytes, 16384 + 8192);
	dense_of(&f->sc[SC_read]->req_hist, got);
	cr_assert_eq(got[13], 6);
	cr_assert_eq(got[21], 1);
	cr_assert_eq(f->sc[SC_read]->req_hist.cnt, 2, "buckets 13 and 21, nothing else");
	dense_of(&f->sc[SC_read]->done_hist, got);
	cr_assert_eq(got[13], 5);
	cr_assert_eq(got[12], 1);
	cr_assert_eq(f->sc[SC_read]->done_hist.cnt, 2);

	/* another syscall of the same file is its own entry */
	cr_assert_eq(files_add_sc(&t, f, SC_pread64, &more), 0);
	cr_assert_eq(f->sc[SC_pread64]->calls, 2);
	cr_assert_eq(f->sc[SC_read]->calls, 7);
	files_free(&t);
}
