// SPDX-License-Identifier: GPL-2.0
/*
 * The findings' thresholds, each from both sides: an entry built with the
 * figures just at a rule's threshold crosses it, one step short does not
 * (iotrace-report(1), FINDINGS, states the thresholds these mirror).
 */
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "report/report.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024)

struct built {
	struct rentry e;
	struct rsc sc;
	struct rbucket b[2];
};

/* a file with calls on one side (SIDE_READ or SIDE_WRITE) of known figures */
static void build(struct built *x, int side, uint64_t calls, uint64_t bytes, uint64_t seq)
{
	struct rside *s = &x->e.side[side];

	memset(x, 0, sizeof(*x));
	x->e.path = "/f";
	x->e.path_len = 2;
	s->present = true;
	s->calls = calls;
	s->bytes = bytes;
	s->seq_calls = seq;
	x->sc.idx = side == SIDE_READ ? SC_read : SC_write;
	x->sc.calls = calls;
	x->e.sc = &x->sc;
	x->e.sc_cnt = 1;
}

/* the request sizes: under calls in [2048, 4095], the rest in [4096, 8191] */
static void asking(struct built *x, uint64_t under)
{
	uint64_t calls = x->sc.calls;

	x->b[0] = (struct rbucket){ 2048, 4095, under };
	x->b[1] = (struct rbucket){ 4096, 8191, calls - under };
	x->sc.req.b = under ? x->b : x->b + 1;
	x->sc.req.cnt = (under != 0) + (calls != under);
}

/* the rules that an entry crosses, as "rule rule ..." */
static char *found(struct rentry *const *v, size_t n)
{
	static char buf[256];
	struct rfindings fs;

	cr_assert_eq(report_findings(v, n, &fs), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < fs.cnt; i++) {
		strcat(buf, fs.v[i].rule->id);
		strcat(buf, " ");
	}
	report_findings_free(&fs);
	return buf;
}

static char *found1(struct built *x)
{
	struct rentry *v[1] = { &x->e };

	return found(v, 1);
}

Test(findings, small_requests_at_80_percent_under_4k_of_1mib)
{
	struct built x;

	build(&x, SIDE_WRITE, 100, MIB, 100);
	asking(&x, 80);
	cr_expect_str_eq(found1(&x), "small-requests ");
	asking(&x, 79);
	cr_expect_str_eq(found1(&x), "");
	build(&x, SIDE_WRITE, 100, MIB - 1, 100);
	asking(&x, 100);
	cr_expect_str_eq(found1(&x), "", "under 1 MiB moved");
	build(&x, SIDE_WRITE, 63, MIB, 63);
	asking(&x, 63);
	cr_expect_str_eq(found1(&x), "", "63 calls");
}

Test(findings, random_access_under_half_sequential)
{
	struct built x;

	build(&x, SIDE_READ, 64, 256 * KIB, 31);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "random-access ");
	build(&x, SIDE_READ, 64, 256 * KIB, 32);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "", "half sequential");
	build(&x, SIDE_READ, 64, 256 * KIB - 1, 0);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "", "under 256 KiB");
}

Test(findings, rewrites_at_16_and_a_tenth)
{
	struct built x;

	build(&x, SIDE_WRITE, 160, 160 * 4 * KIB, 160);
	asking(&x, 0);
	x.e.side[SIDE_WRITE].rewrites = 16;
	cr_expect_str_eq(found1(&x), "rewrites ");
	x.e.side[SIDE_WRITE].rewrites = 15;
	cr_expect_str_eq(found1(&x), "", "15 rewrites");
	build(&x, SIDE_WRITE, 170, 170 * 4 * KIB, 170);
	asking(&x, 0);
	x.e.side[SIDE_WRITE].rewrites = 16;
	cr_expect_str_eq(found1(&x), "", "16 of 170: under a tenth");
}

Test(findings, fsync_per_write_at_one_per_two_writes)
{
	struct built x;

	build(&x, SIDE_WRITE, 32, 32 * 4 * KIB, 32);
	asking(&x, 0);
	x.e.fsync = (struct rfsync){ .present = true, .calls = 16, .total_ns = 16000 };
	cr_expect_str_eq(found1(&x), "fsync-per-write ");
	x.e.fsync.calls = 15;
	cr_expect_str_eq(found1(&x), "", "15 syncs");
	build(&x, SIDE_WRITE, 33, 33 * 4 * KIB, 33);
	asking(&x, 0);
	x.e.fsync = (struct rfsync){ .present = true, .calls = 16, .total_ns = 16000 };
	cr_expect_str_eq(found1(&x), "", "16 syncs for 33 writes");
}

Test(findings, tiny_sequential_reads_at_256_in_order_under_16k)
{
	struct built x;

	build(&x, SIDE_READ, 256, 256 * 16 * KIB - 1, 231);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "tiny-sequential-reads ");
	build(&x, SIDE_READ, 256, 256 * 16 * KIB, 256);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "", "16 KiB on average");
	build(&x, SIDE_READ, 256, 256 * KIB, 230);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "", "under 90%% in order");
	build(&x, SIDE_READ, 255, 255 * KIB, 255);
	asking(&x, 0);
	cr_expect_str_eq(found1(&x), "", "255 reads");
}

Test(findings, write_then_read_of_a_deleted_file)
{
	struct built x;

	build(&x, SIDE_WRITE, 16, MIB, 16);
	asking(&x, 0);
	x.e.side[SIDE_READ] =
		(struct rside){ .present = true, .calls = 8, .bytes = MIB / 2, .first_ns = 2 };
	x.e.side[SIDE_WRITE].first_ns = 1;
	x.e.deleted = true;
	cr_expect_str_eq(found1(&x), "write-then-read ");
	x.e.deleted = false;
	cr_expect_str_eq(found1(&x), "", "not deleted");
	x.e.deleted = true;
	x.e.side[SIDE_READ].bytes = MIB / 2 - 1;
	cr_expect_str_eq(found1(&x), "", "under half read back");
	x.e.side[SIDE_READ].bytes = MIB;
	x.e.side[SIDE_READ].first_ns = 0;
	cr_expect_str_eq(found1(&x), "", "read before written");
}

/* four processes reading one file, 1 MiB in all: one finding, on the first of them */
Test(findings, many_readers_are_four_processes_of_one_file)
{
	struct built x[5];
	struct rentry *v[5];

	for (int i = 0; i < 5; i++) {
		build(&x[i], SIDE_READ, 4, 256 * KIB, 4);
		asking(&x[i], 0);
		x[i].e.has_pid = true;
		x[i].e.pid = (uint64_t)(100 + i);
		v[i] = &x[i].e;
	}
	cr_expect_str_eq(found(v, 4), "many-readers ");
	cr_expect_str_eq(found(v, 5), "many-readers ", "one finding for five readers");
	cr_expect_str_eq(found(v, 3), "", "three processes");
	x[0].e.side[SIDE_READ].bytes = 256 * KIB - 1;
	cr_expect_str_eq(found(v, 4), "", "under 1 MiB in all");
	x[0].e.side[SIDE_READ].bytes = 256 * KIB;
	for (int i = 0; i < 4; i++)
		x[i].e.has_pid = false;
	cr_expect_str_eq(found(v, 4), "", "processes not told apart");
	x[3].e.ino = 7;
	for (int i = 0; i < 4; i++)
		x[i].e.has_pid = true;
	cr_expect_str_eq(found(v, 4), "", "one of them another file");
}
