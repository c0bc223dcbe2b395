// SPDX-License-Identifier: GPL-2.0
/*
 * Memory-side I/O.  Mapped: the workload reads and writes a file through shared
 * mappings and reports the page faults of each phase as getrusage(2)
 * counts them, an oracle independent of the tracer.  The file's "mapped"
 * object must hold exactly those faults, the writes among them, and the
 * faults must stay out of the read and write counts: the only syscall on
 * the file is its close (--mapped; without it, faults are not counted).  The page cache: a file dropped from the cache
 * before the trace and read whole gets as many pages added as mincore(2)
 * finds resident afterwards.
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "loader.h"
#include "workload.h"

static uint64_t u64_of(const struct jval *obj, const char *key)
{
	uint64_t v = 0;

	cr_assert_eq(jval_u64(jval_get(obj, key), &v), 0, "%s missing", key);
	return v;
}

Test(mapped, faults_through_mappings_count_on_the_file_as_getrusage_counts_them,
     .fini = fx_teardown)
{
	const struct jval *rec, *m, *sc;
	uint64_t rd, wr, dur, first, last;
	bool counted = false;

	fx_setup("/tmp");
	if (loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma) != 1)
		cr_skip_test("this kernel has no bpf_find_vma (5.17+): faults are not attributed");
	cr_assert_eq(e2e_make_file(fx_path(WL_MAP_FILE), WL_MAP_SZ, 'p'), 0);
	fx_run("mapped", (const char *const[]){ "--mapped", NULL });
	rd = fx_wl_u64("MAPRD");
	wr = fx_wl_u64("MAPWR");
	cr_assert_gt(rd, 0, "reading %d pages took no fault", WL_MAP_SZ / 4096);
	cr_assert_gt(wr, 0);
	rec = doc_record(fx_trace.doc, fx_path(WL_MAP_FILE));
	cr_assert_not_null(rec, "no record of the mapped file");
	m = jval_get(rec, "mapped");
	cr_assert_not_null(m, "no \"mapped\" object");
	cr_expect_eq(u64_of(m, "faults"), rd + wr, "faults: got %llu, getrusage %llu + %llu",
		     (unsigned long long)u64_of(m, "faults"), (unsigned long long)rd,
		     (unsigned long long)wr);
	cr_expect_eq(u64_of(m, "write_faults"), wr);
	first = u64_of(m, "first_fault_ns");
	last = u64_of(m, "last_fault_ns");
	dur = u64_of(fx_trace.doc, "duration_ns");
	cr_expect(first <= last && last <= dur, "faults at %llu .. %llu of %llu ns",
		  (unsigned long long)first, (unsigned long long)last, (unsigned long long)dur);
	cr_expect(jval_is_null(jval_get(rec, "read")), "faults are not reads");
	cr_expect(jval_is_null(jval_get(rec, "write")), "faults are not writes");
	sc = jval_get(rec, "syscalls");
	cr_expect_eq(jval_len(sc), 1, "the close alone");
	cr_expect_eq(u64_of(jval_get(sc, "close"), "calls"), 1);
	cr_expect(jval_bool(jval_get(jval_get(fx_trace.doc, "filter"), "mapped"), &counted) == 0 &&
			  counted,
		  "filter.mapped is not true");
}

Test(mapped, without_mapped_faults_are_not_counted_and_the_document_says_so, .fini = fx_teardown)
{
	const struct jval *rec;
	bool counted = true;

	fx_setup("/tmp");
	cr_assert_eq(e2e_make_file(fx_path(WL_MAP_FILE), WL_MAP_SZ, 'p'), 0);
	fx_run("mapped", NULL);
	cr_assert_eq(jval_bool(jval_get(jval_get(fx_trace.doc, "filter"), "mapped"), &counted), 0);
	cr_expect(!counted, "filter.mapped is true without --mapped");
	/* the file was only mapped (and closed): without faults it has no record */
	rec = doc_record(fx_trace.doc, fx_path(WL_MAP_FILE));
	cr_expect_null(rec, "a record of a file only mapped, without --mapped");
}

/* the file's pages resident in the page cache, by mincore(2) on a mapping */
static long resident(const char *path)
{
	unsigned char vec[WL_CACHE_SZ / 4096];
	int fd = open(path, O_RDONLY);
	void *m = fd >= 0 ? mmap(NULL, WL_CACHE_SZ, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	long n = 0;

	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq(mincore(m, WL_CACHE_SZ, vec), 0);
	for (size_t i = 0; i < sizeof(vec); i++)
		n += vec[i] & 1;
	munmap(m, WL_CACHE_SZ);
	close(fd);
	return n;
}

Test(mapped, pages_read_into_the_page_cache_count_on_the_file, .fini = fx_teardown)
{
	const struct jval *rec, *pc;
	uint64_t cached;
	int fd;

	fx_setup("/tmp");
	cr_assert_eq(e2e_make_file(fx_path(WL_CACHE_FILE), WL_CACHE_SZ, 'c'), 0);
	fd = open(fx_path(WL_CACHE_FILE), O_RDONLY);
	cr_assert(fd >= 0);
	cr_assert_eq(fsync(fd), 0);
	cr_assert_eq(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
	if (resident(fx_path(WL_CACHE_FILE)))
		cr_skip_test("this file system keeps the file in memory (tmpfs?)");
	fx_run("cached", NULL);
	cached = fx_wl_u64("CACHED");
	cr_assert_eq(cached, WL_CACHE_SZ / 4096, "the read brought in %llu pages",
		     (unsigned long long)cached);
	rec = doc_record(fx_trace.doc, fx_path(WL_CACHE_FILE));
	cr_assert_not_null(rec);
	pc = jval_get(rec, "page_cache");
	cr_assert_not_null(pc, "no \"page_cache\" object");
	cr_expect_eq(u64_of(pc, "pages_added"), cached);
	cr_expect_eq(u64_of(jval_get(rec, "read"), "bytes"), WL_CACHE_SZ, "the reads themselves");
}
