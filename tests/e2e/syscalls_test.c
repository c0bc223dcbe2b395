// SPDX-License-Identifier: GPL-2.0
/*
 * The syscalls beyond read/write/pread64/pwrite64 end to end: vectored
 * calls (zero-length entries, IOV_MAX entries, IOV_MAX + 1 = EINVAL),
 * preadv2/pwritev2 with offset -1 and explicit offsets, O_APPEND starts,
 * sendfile on both sides, failed calls of every read/write kind, fsync and
 * fdatasync (latency histograms against the workload's own timing), close,
 * first entry and last return times against the workload's clock.
 * Each test replays the workload's calls (tests/e2e/tools/workload.c) on the
 * model (expect.h) and compares every field of every record below its
 * directory; sizes and names are shared through tests/lib/workload.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>

#include "e2e.h"
#include "uring.h"
#include "expect.h"
#include "loader.h"
#include "workload.h"

#define S WL_IOV_SMALL_SUM

Test(syscalls, vectored_calls_sum_iov_len_up_to_iov_max_and_v2_calls_use_offset_minus_one,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	const uint64_t B = wl_iov_big_sum(WL_IOV_MAX); /* also the request of IOV_MAX + 1 */
	struct m_file *f = m_create(m, WL_VEC_FILE, WL_VEC_SZ), *w, *a;
	int fd;

	cr_assert_eq(wl_iov_big(0) + wl_iov_big(129), 0, "the big vector has zero-length entries");
	fd = m_open(m, f, O_RDONLY);
	m_rcall(m, fd, M_READV, S, M_POS);
	m_rcall(m, fd, M_PREADV, S, 65536);
	m_rcall(m, fd, M_PREADV2, S, M_POS);	     /* -1: at the position, and moves it */
	m_rcall(m, fd, M_PREADV2, S, 2 * S);	     /* explicit: sequential, position kept */
	m_rcall(m, fd, M_READV, B, M_POS);	     /* 1024 entries */
	m_fail(m, fd, M_READV, B, m_pos(m, fd));     /* 1025: EINVAL */
	m_rcall(m, fd, M_PREADV, S, WL_VEC_SZ - 50); /* short */
	m_rcall(m, fd, M_PREADV2, S, WL_VEC_SZ);     /* EOF */
	m_rcall(m, fd, M_PREADV2, B, M_POS);
	m_fail(m, fd, M_PREADV, B, 0);
	m_fail(m, fd, M_PREADV2, B, 0);
	m_close(m, fd);

	w = m_file(m, WL_VECW_FILE, 0);
	fd = m_open(m, w, O_CREAT | O_RDWR | O_TRUNC);
	m_wcall(m, fd, M_WRITEV, S, M_POS);
	m_wcall(m, fd, M_PWRITEV, S, 0); /* rewrite */
	m_wcall(m, fd, M_PWRITEV2, S, M_POS);
	m_wcall(m, fd, M_PWRITEV2, S, 100);
	m_wcall(m, fd, M_WRITEV, B, M_POS);
	m_fail(m, fd, M_WRITEV, B, m_pos(m, fd));
	m_fail(m, fd, M_PWRITEV, B, 0);
	m_fail(m, fd, M_PWRITEV2, B, m_pos(m, fd));
	m_fail(m, fd, M_PWRITEV, S, (uint64_t)-5);
	m_wcall(m, fd, M_WRITEV, 0, M_POS); /* three zero-length entries */
	m_rcall(m, fd, M_READV, S, M_POS);  /* at EOF */
	m_rcall(m, fd, M_PREADV, S, 0);
	m_close(m, fd);

	a = m_create(m, WL_VECA_FILE, WL_VECA_SZ);
	fd = m_open(m, a, O_WRONLY | O_APPEND);
	m_wcall(m, fd, M_WRITEV, S, M_POS);   /* starts at the size */
	m_wcall(m, fd, M_PWRITEV2, S, M_POS); /* -1 on O_APPEND: the size too */
	m_write(m, fd, 10);
	m_close(m, fd);

	fx_run("vector", NULL);
	trace_check(&fx_trace, m);
}

Test(syscalls, failed_calls_of_every_read_and_write_kind_are_errors_of_their_file,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_ERR2_FILE, WL_ERR2_SZ);
	int fd = m_open(m, f, O_WRONLY);

	m_fail(m, fd, M_READV, S, 0); /* EBADF: write-only */
	m_fail(m, fd, M_PREADV, S, 10);
	m_fail(m, fd, M_PREADV2, S, 0); /* -1: the position */
	m_fail(m, fd, M_PREADV2, S, 20);
	m_fail(m, fd, M_WRITEV, 150, 0); /* EFAULT: first entry unmapped */
	m_fail(m, fd, M_PWRITEV, 150, 0);
	m_fail(m, fd, M_PWRITE64, 10, 0);	    /* EFAULT */
	m_write(m, fd, 10);			    /* same start: a rewrite */
	m_fail(m, fd, M_PWRITEV2, S, (uint64_t)-7); /* EINVAL */
	m_close(m, fd);
	fd = m_open(m, f, O_RDONLY);
	m_fail(m, fd, M_WRITEV, S, 0); /* EBADF: read-only */
	m_fail(m, fd, M_PWRITEV, S, 0);
	m_fail(m, fd, M_PWRITEV2, S, 0);
	m_fail(m, fd, M_WRITE, 10, 0);
	m_fail(m, fd, M_READ, 100, 0); /* EFAULT */
	m_fail(m, fd, M_READV, 150, 0);
	m_fail(m, fd, M_PREADV, S, (uint64_t)-3); /* EINVAL */
	m_fail(m, fd, M_PREAD64, 10, (uint64_t)-1);
	m_read(m, fd, 100);
	m_close(m, fd);

	fx_run("errors2", NULL);
	trace_check(&fx_trace, m);
}

Test(syscalls, sendfile_counts_on_the_source_and_on_a_regular_destination, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *src = m_create(m, WL_SF_SRC, WL_SF_SRC_SZ);
	struct m_file *dst = m_file(m, WL_SF_DST, 0);
	struct m_file *app = m_create(m, WL_SF_APP, WL_SF_APP_SZ);
	int in = m_open(m, src, O_RDONLY), out = m_open(m, dst, O_CREAT | O_WRONLY | O_TRUNC);
	int ro, ap, wo, sr, sw;
	uint64_t off;

	m_sendfile(m, out, in, NULL, 4096); /* position */
	off = 50000;
	m_sendfile(m, out, in, &off, 1000); /* *offset, position kept */
	m_sendfile(m, out, in, NULL, 4096);
	off = WL_SF_SRC_SZ - 10;
	m_sendfile(m, out, in, &off, 100); /* short */
	off = 2 * WL_SF_SRC_SZ;
	m_sendfile(m, out, in, &off, 100); /* EOF */
	m_sendfile(m, -1, in, NULL, 500);  /* into a pipe: the source only */
	ro = m_open(m, dst, O_RDONLY);
	m_sendfile_fail(m, ro, in, NULL, 10); /* EBADF, both files */
	ap = m_open(m, app, O_WRONLY | O_APPEND);
	m_sendfile_fail(m, ap, in, NULL, 10); /* EINVAL, destination starts at size */
	wo = m_open(m, src, O_WRONLY);
	m_sendfile_fail(m, out, wo, NULL, 10); /* EBADF: source not readable */
	sr = m_open(m, src, O_RDONLY);	       /* the file to itself: one call */
	sw = m_open(m, src, O_WRONLY);
	m_seek(m, sw, WL_SF_SRC_SZ);
	off = 0;
	m_sendfile(m, sw, sr, &off, 4096);
	m_close(m, sw);
	m_close(m, sr);
	m_close(m, wo);
	m_close(m, ap);
	m_close(m, ro);
	m_close(m, out);
	m_close(m, in);

	fx_run("sendfile", NULL);
	trace_check(&fx_trace, m);
}

Test(syscalls, copy_file_range_and_splice_count_on_the_copy_sides_of_source_and_destination,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *src = m_create(m, WL_CP_SRC, WL_CP_SRC_SZ);
	struct m_file *dst = m_file(m, WL_CP_DST, 0);
	int in = m_open(m, src, O_RDONLY), out = m_open(m, dst, O_CREAT | O_WRONLY | O_TRUNC);
	int ro, wo, sr, sw;
	uint64_t off, off2;

	m_copy(m, M_COPY_FILE_RANGE, in, NULL, out, NULL, 4096, 4096); /* both positions */
	off = 50000, off2 = 10000;
	m_copy(m, M_COPY_FILE_RANGE, in, &off, out, &off2, 1000, 1000); /* both pointers */
	m_copy(m, M_COPY_FILE_RANGE, in, NULL, out, NULL, 4096, 4096);
	off = WL_CP_SRC_SZ - 10;
	m_copy(m, M_COPY_FILE_RANGE, in, &off, out, NULL, 100, 10); /* short */
	off = 2 * WL_CP_SRC_SZ;
	m_copy(m, M_COPY_FILE_RANGE, in, &off, out, NULL, 100, 0); /* EOF */
	off = 20000;
	m_copy(m, M_SPLICE, in, &off, -1, NULL, 500, 500);  /* into a pipe: the source only */
	m_copy(m, M_SPLICE, -1, NULL, out, NULL, 500, 500); /* out of it: the destination */
	m_copy(m, M_SPLICE, in, NULL, -1, NULL, 300, 300);
	ro = m_open(m, dst, O_RDONLY);
	m_copy_fail(m, M_COPY_FILE_RANGE, in, NULL, ro, NULL, 10); /* EBADF, both files */
	wo = m_open(m, src, O_WRONLY);
	m_copy_fail(m, M_COPY_FILE_RANGE, wo, NULL, out, NULL, 10); /* EBADF: not readable */
	sr = m_open(m, src, O_RDONLY); /* the file to itself: one call */
	sw = m_open(m, src, O_WRONLY);
	off = 0, off2 = WL_CP_SRC_SZ;
	m_copy(m, M_COPY_FILE_RANGE, sr, &off, sw, &off2, 4096, 4096);
	m_close(m, sw);
	m_close(m, sr);
	m_close(m, wo);
	m_close(m, ro);
	m_close(m, out);
	m_close(m, in);

	fx_run("copies", NULL);
	trace_check(&fx_trace, m);
}

Test(syscalls, a_side_counts_its_streams_by_their_open_flags, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp"); /* O_DIRECT: a disk file system */
	struct m_file *f = m_create(m, WL_OF_FILE, WL_OF_SZ), *log = m_file(m, WL_OF_LOG, 0);
	int d1 = m_open(m, f, O_RDONLY | O_DIRECT), na = m_open(m, f, O_RDONLY | O_NOATIME);
	int pl = m_open(m, f, O_RDONLY), d2 = m_open(m, f, O_RDWR | O_DIRECT);
	int sy = m_open(m, log, O_CREAT | O_WRONLY | O_TRUNC | O_SYNC);
	int ds = m_open(m, log, O_WRONLY | O_DSYNC), ap = m_open(m, log, O_WRONLY | O_APPEND);

	m_read(m, d1, 8192);
	m_read(m, d1, 4096);
	m_read(m, na, 100);
	m_pread(m, pl, 100, 1000);
	m_pread(m, d2, 4096, 8192);
	m_pwrite(m, d2, 4096, 16384);
	m_write(m, sy, 300);
	m_pwrite(m, ds, 200, 300);
	m_write(m, ap, 50);
	for (int fd = ap; fd >= d1; fd--)
		m_close(m, fd);

	fx_run("oflags", NULL);
	trace_check(&fx_trace, m);
}

static uint64_t unseen_of(const char *key)
{
	uint64_t v = UINT64_MAX;

	jval_u64(jval_get(jval_get(fx_trace.doc, "unseen"), key), &v);
	return v;
}

/* the result the workload's event gave request i of batch b ("AIO<b>:<i> <res>") */
static int64_t aio_res(int b, int i)
{
	char key[32];

	snprintf(key, sizeof(key), "AIO%d:%d", b, i);
	return (int64_t)fx_wl_u64(key);
}

Test(syscalls, linux_aio_preads_and_pwrites_count_on_the_async_sides_when_reaped,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_AIO_FILE, WL_AIO_SZ);
	int fd = m_open(m, f, O_RDWR), fd2, h[WL_AIO_MANY];
	static const int64_t want1[5] = { 4096, 4096, 4096, 4096, 1000 },
			     want2[3] = { 1000, 0, 100 };

	fx_run("aio", NULL);
	/* the first io_submit: four preads in order, a pwrite; reaped */
	for (int i = 0; i < 4; i++)
		h[i] = m_aio_submit(m, fd, false, 4096, (uint64_t)i * 4096);
	h[4] = m_aio_submit(m, fd, true, 1000, 100000);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(aio_res(1, i), want1[i], "request 1:%d", i);
		m_aio_done(m, h[i], want1[i]);
	}
	/* a rewrite, a pread past the end, one where the reads ended; the fsync is not counted */
	h[0] = m_aio_submit(m, fd, true, 1000, 100000);
	h[1] = m_aio_submit(m, fd, false, 4096, 200000);
	h[2] = m_aio_submit(m, fd, false, 100, 16384);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(aio_res(2, i), want2[i], "request 2:%d", i);
		m_aio_done(m, h[i], want2[i]);
	}
	/* a second stream: 20 preads of 512 in order, one io_submit, one io_getevents */
	fd2 = m_open(m, f, O_RDONLY);
	for (int i = 0; i < WL_AIO_MANY; i++)
		h[i] = m_aio_submit(m, fd2, false, 512, (uint64_t)i * 512);
	for (int i = 0; i < WL_AIO_MANY; i++) {
		cr_assert_eq(aio_res(3, i), 512, "request 3:%d", i);
		m_aio_done(m, h[i], 512);
	}
	/* the pread io_submit took before the iocb with a bad fd, which it refused */
	cr_assert_eq(aio_res(4, 0), 300);
	m_aio_done(m, m_aio_submit(m, fd, false, 300, 0), 300);
	m_close(m, fd2);
	m_close(m, fd);
	trace_check(&fx_trace, m);
	cr_expect_eq(unseen_of("io_submit_calls"), 1, "the io_submit with the fsync request");
	cr_expect_eq(unseen_of("aio_requests"), 1, "the fsync request");
}

Test(syscalls, linux_aio_batches_past_the_steps_count_whole_where_bpf_loop_is, .fini = fx_teardown)
{
	static int h[WL_AIO_BIG];
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_AIO_BIG_FILE, WL_AIO_BIG * 512);
	int fd = m_open(m, f, O_RDONLY);

	if (loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop) != 1)
		cr_skip_test("no bpf_loop (5.17+): 128 requests of one io_submit count at most");
	fx_run("aio_big", NULL);
	cr_assert_eq(fx_wl_u64("AIOBIG"), WL_AIO_BIG, "every request read its 512 bytes");
	for (int i = 0; i < WL_AIO_BIG; i++)
		h[i] = m_aio_submit(m, fd, false, 512, (uint64_t)i * 512);
	for (int i = 0; i < WL_AIO_BIG; i++)
		m_aio_done(m, h[i], 512);
	m_close(m, fd);
	trace_check(&fx_trace, m);
	cr_expect_eq(unseen_of("aio_requests"), 0, "all %d counted per file", WL_AIO_BIG);
	cr_expect_eq(unseen_of("io_submit_calls"), 0);
}

/* the result the workload's completion gave io_uring request i ("UR:<i> <res>") */
static int64_t ur_res(int i)
{
	char key[32];

	snprintf(key, sizeof(key), "UR:%d", i);
	return (int64_t)fx_wl_u64(key);
}

Test(syscalls, io_uring_requests_count_on_the_async_sides_at_their_completion, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_UR_FILE, WL_UR_SZ);
	int fd = m_open(m, f, O_RDWR), fd2, wo, i = 0;
	static const int64_t want[] = { 4096, 4096, 4096, 1000, 1000,	300, 60,     4096,
					512,  512,  0,	  0,	-EBADF, 10,  -EBADF, 0 };

	if (!uring_attributed())
		cr_skip_test("io_uring requests are attributed on 6.1 and later only");
	fx_run("uring", NULL);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_assert_eq(ur_res((int)k), want[k], "request %zu", k);
	m_uring(m, fd, M_URING_READ, 4096, 0, ur_res(i++));
	m_uring(m, fd, M_URING_READ, 4096, 4096, ur_res(i++));
	/* at the file position, which the requests with offsets did not move */
	m_uring(m, fd, M_URING_READ, 4096, 0, ur_res(i++));
	m_seek(m, fd, 4096);
	m_uring(m, fd, M_URING_WRITE, 1000, 100000, ur_res(i++));
	m_uring(m, fd, M_URING_WRITE, 1000, 100000, ur_res(i++));
	m_uring(m, fd, M_URING_READV, 300, 0, ur_res(i++));
	m_uring(m, fd, M_URING_WRITEV, 60, 200000, ur_res(i++));
	m_uring(m, fd, M_URING_READ_FIXED, 4096, 8192, ur_res(i++));
	m_uring(m, fd, M_URING_WRITE_FIXED, 512, 300000, ur_res(i++));
	fd2 = m_open(m, f, O_RDONLY); /* registered: the request names index 0 */
	m_uring(m, fd2, M_URING_READ, 512, 0, ur_res(i++));
	m_uring_sync(m, fd, M_URING_FSYNC, ur_res(i++));
	m_uring_sync(m, fd, M_URING_FDATASYNC, ur_res(i++));
	wo = m_open(m, f, O_WRONLY); /* a read through it fails on the file */
	m_uring(m, wo, M_URING_READ, 100, 0, ur_res(i++));
	/* the pipe, the closed descriptor, the request without completion, the nop: no file */
	m_close(m, wo);
	m_close(m, fd2);
	m_close(m, fd);
	trace_check(&fx_trace, m);
	cr_expect_eq(unseen_of("io_uring_requests"), 1, "the read asking for no completion");
	cr_expect_eq(unseen_of("io_uring_enter_calls"), 0, "attributed, so not named");
}

Test(syscalls, aio_io_uring_shared_mappings_and_sync_file_range_are_named_in_unseen,
     .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	char *argv[] = { E2E_IOTRACE, "report", fx_trace.out, NULL };
	uint64_t uring;
	struct e2e_proc p;

	struct m_file *f = m_create(m, WL_UN_FILE, WL_UN_SZ);
	int fd = m_open(m, f, O_RDWR);

	fx_run("unseen", NULL);
	/* the AIO pread counts on the file; the fdsync request beside it is not counted */
	m_aio_done(m, m_aio_submit(m, fd, false, 4096, 0), 4096);
	m_close(m, fd);
	trace_check(&fx_trace, m);
	uring = fx_wl_u64("URING");
	cr_expect_eq(unseen_of("io_submit_calls"), 1);
	cr_expect_eq(unseen_of("aio_requests"), 1);
	/* where io_uring is attributed per file, an empty ring has no request to count */
	if (uring_attributed())
		uring = 0;
	cr_expect_eq(unseen_of("io_uring_enter_calls"), 2 * uring);
	cr_expect_eq(unseen_of("io_uring_submissions"), 3 * uring);
	cr_expect_eq(unseen_of("io_uring_requests"), 0);
	cr_expect_eq(unseen_of("shared_file_mappings"), 1, "only the shared mapping of the file");
	cr_expect_eq(unseen_of("shared_file_mapped_bytes"), 4096, "its length");
	cr_expect_eq(unseen_of("sync_file_range_calls"), 2);
	cr_assert_eq(e2e_run(argv, 60, &p), 0);
	cr_expect(strstr(p.out, "warning: not counted by the tracer: 1 Linux AIO requests in 1 "
				"io_submit calls"),
		  "report: %s", p.out);
	e2e_proc_free(&p);
}

static uint64_t lat(const char *file, const char *sc, int k)
{
	char key[128];

	snprintf(key, sizeof(key), "LAT:%s:%s:%d", file, sc, k);
	return fx_wl_u64(key);
}

Test(syscalls, fsync_and_fdatasync_latencies_errors_and_the_fsync_sum, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_file(m, WL_SYNC_FILE, 0), *o, *p;
	char *proc;
	size_t proc_len;
	int fd;

	o = m_create(m, WL_SYNC_ONLY, WL_SYNC_ONLY_SZ);
	cr_assert_eq(e2e_read_file(WL_PROC_FILE, &proc, &proc_len), 0);
	free(proc);
	fx_run("sync", NULL);
	cr_expect_eq(fx_wl_u64("PROCLEN"), proc_len, "the workload read %s differently",
		     WL_PROC_FILE);

	fd = m_open(m, f, O_CREAT | O_RDWR | O_TRUNC);
	m_write(m, fd, 4096);
	m_sync(m, fd, M_FSYNC, true, lat(WL_SYNC_FILE, "fsync", 0));
	m_write(m, fd, 4096);
	m_sync(m, fd, M_FDATASYNC, true, lat(WL_SYNC_FILE, "fdatasync", 0));
	m_sync(m, fd, M_FDATASYNC, true, lat(WL_SYNC_FILE, "fdatasync", 1));
	m_sync(m, fd, M_FSYNC, true, lat(WL_SYNC_FILE, "fsync", 1));
	m_close(m, fd);
	fd = m_open(m, o, O_RDONLY); /* a record made by fsync alone */
	m_sync(m, fd, M_FSYNC, true, lat(WL_SYNC_ONLY, "fsync", 0));
	m_close(m, fd);
	p = m_file_abs(m, WL_PROC_FILE, proc_len); /* procfs: no fsync, EINVAL */
	fd = m_open(m, p, O_RDONLY);
	m_read(m, fd, 4096);
	m_sync(m, fd, M_FSYNC, false, lat("proc", "fsync", 0));
	m_sync(m, fd, M_FDATASYNC, false, lat("proc", "fdatasync", 0));
	m_close(m, fd);
	trace_check(&fx_trace, m);
}

/*
 * An fsync looks up its syncstats entry alone, and the file's record only
 * when the comm or nlink changed since that entry's last call: both files
 * here end with an fsync that brings such a change.
 */
Test(syscalls, an_fsync_alone_adds_its_comm_and_sees_an_unlink, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *c = m_create(m, WL_SYNCM_COMM, 0), *g = m_create(m, WL_SYNCM_GONE, 0);
	int fc, fg;

	m_stat(g); /* the workload removes it */
	fx_run("syncmeta", NULL);
	fc = m_open(m, c, O_RDWR);
	fg = m_open(m, g, O_RDWR);
	m_write(m, fc, WL_SYNCM_WR);
	m_sync(m, fc, M_FSYNC, true, lat(WL_SYNCM_COMM, "fsync", 0));
	m_write(m, fg, WL_SYNCM_WR);
	m_sync(m, fg, M_FSYNC, true, lat(WL_SYNCM_GONE, "fsync", 0));
	m_sync(m, fg, M_FSYNC, true, lat(WL_SYNCM_GONE, "fsync", 1));
	g->deleted = true;
	m_sync(m, fc, M_FSYNC, true, lat(WL_SYNCM_COMM, "fsync", 1));
	c->comms[0] = m->comm;
	c->comms[1] = WL_SYNCM_NAME;
	m_close(m, fc);
	m_close(m, fg);
	trace_check(&fx_trace, m);
}

Test(syscalls, close_counts_only_on_files_that_have_a_record, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *l;
	int fd, fd2;

	m_create(m, WL_CLOSE_ONLY, 0); /* opened and closed: no record */
	l = m_create(m, WL_CLOSE_LATER, WL_CLOSE_SZ);
	fd = m_open(m, l, O_RDONLY);
	m_close(m, fd); /* before any I/O: not counted */
	fd = m_open(m, l, O_RDONLY);
	m_read(m, fd, 100);
	fd2 = m_dup(m, fd); /* the same open file: its stream goes on after this close */
	m_close(m, fd2);
	m_read(m, fd, 100);
	m_close(m, fd);
	fd = m_open(m, l, O_WRONLY);
	m_close(m, fd); /* no I/O on this fd, but the file has a record */

	fx_run("close", NULL);
	trace_check(&fx_trace, m);
}

/* the workload's "TIME:<tag> <before> <after>" around one call */
static void call_window(const char *tag, uint64_t *before, uint64_t *after)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "TIME:%s", tag);
	v = trace_wl_value(&fx_trace, key);
	cr_assert_not_null(v, "the workload did not report %s", key);
	cr_assert_eq(sscanf(v, "%" SCNu64 " %" SCNu64, before, after), 2, "%s: '%s'", key, v);
}

static uint64_t side_time(const char *path, const char *side, const char *field)
{
	const struct jval *rec = doc_record(fx_trace.doc, path);
	uint64_t v = 0;

	cr_assert_not_null(rec, "no record of %s", path);
	cr_assert_eq(jval_u64(jval_get(jval_get(rec, side), field), &v), 0, "%s %s.%s", path, side,
		     field);
	return v;
}

/*
 * Times are relative to the trace's start, the workload's are absolute on
 * the same clock: differences compare.  The event at time e of call x lies
 * in [before_x, after_x], so e_y - e_x lies in [before_y - after_x,
 * after_y - before_x].  Checked: A's first read to B's first read, to A's
 * last read's return, to A's first write and to its last write's return,
 * with 30 ms sleeps that a wrong first entry (say a later call's, when
 * the entry timestamp is skipped) or last return would fall outside of.
 */
static void expect_between(const char *what, uint64_t got_x, uint64_t got_y, const char *x,
			   const char *y)
{
	uint64_t bx, ax, by, ay;
	int64_t d = (int64_t)(got_y - got_x);

	call_window(x, &bx, &ax);
	call_window(y, &by, &ay);
	cr_expect(d >= (int64_t)(by - ax) && d <= (int64_t)(ay - bx),
		  "%s: %lld ns after A's first read, want %lld..%lld", what, (long long)d,
		  (long long)(by - ax), (long long)(ay - bx));
}

Test(syscalls, first_entry_and_last_return_times_follow_the_calls, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *a = m_create(m, WL_TIMES_A, WL_TIMES_SZ), *b;
	char pa[4096], pb[4096];
	uint64_t a_r0;
	int fa, fb;

	b = m_create(m, WL_TIMES_B, WL_TIMES_SZ);
	fx_run("times", NULL);
	fa = m_open(m, a, O_RDWR);
	fb = m_open(m, b, O_RDONLY);
	for (int i = 0; i < 3; i++)
		m_read(m, fa, 4096);
	m_read(m, fb, 4096);
	m_read(m, fa, 4096);
	m_write(m, fa, 4096);
	m_write(m, fa, 4096);
	m_close(m, fb);
	m_close(m, fa);
	trace_check(&fx_trace, m);

	snprintf(pa, sizeof(pa), "%s", fx_path(WL_TIMES_A));
	snprintf(pb, sizeof(pb), "%s", fx_path(WL_TIMES_B));
	a_r0 = side_time(pa, "read", "first_entry_ns");
	expect_between("B's first read entry", a_r0, side_time(pb, "read", "first_entry_ns"),
		       "a_read0", "b_read0");
	expect_between("A's last read return", a_r0, side_time(pa, "read", "last_return_ns"),
		       "a_read0", "a_read_last");
	expect_between("A's first write entry", a_r0, side_time(pa, "write", "first_entry_ns"),
		       "a_read0", "a_write0");
	expect_between("A's last write return", a_r0, side_time(pa, "write", "last_return_ns"),
		       "a_read0", "a_write_last");
}
