/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the e2e workload generator (tests/e2e/tools/workload.c) and the e2e
 * tests share: file names and sizes of each scenario.  The calls themselves
 * are written out twice on purpose, once as real I/O in the workload and
 * once as expectations in the test, so the test never learns from the tool.
 */
#ifndef TESTS_LIB_WORKLOAD_H
#define TESTS_LIB_WORKLOAD_H

#include <stdbool.h>
#include <string.h>

/* files the test creates before the trace, with these sizes */
#define WL_SEQ_FILE	"seq.dat"
#define WL_SEQ_SZ	200000
#define WL_RAND_FILE	"rand.dat"
#define WL_RAND_SZ	(1024 * 1024)
#define WL_APPEND_FILE	"app.log"
#define WL_APPEND_SZ	1000
#define WL_ERR_FILE	"err.dat"
#define WL_ERR_SZ	5000
#define WL_SPECIAL_FILE "ok.dat"
#define WL_SPECIAL_SZ	3000
#define WL_THR_FILE	"thr.dat"
#define WL_THR_SZ	(8 * 1024 * 1024)
#define WL_FORK_FILE	"fork.dat"
#define WL_FORK_SZ	(256 * 1024)
#define WL_GONE_FILE	"gone.dat"
#define WL_GONE_SZ	3000
#define WL_GONE2_FILE	"gone_early.dat" /* empty */

/* files the workload creates */
#define WL_PW_FILE    "pw.dat"
#define WL_CHILD_FILE "child%d.dat" /* fork: one per child */

/* threads: WL_THREADS threads x WL_THR_ITERS iterations */
#define WL_THREADS	 2
#define WL_THR_ITERS	 500
#define WL_THR_RD_SZ	 4096
#define WL_THR_WR_SZ	 100
#define WL_THR_BAD_EVERY 10 /* every 10th iteration also reads a write-only fd */

/*
 * Offsets no call starts at 0 and no call ends where another starts, so the
 * sequential and rewrite counters do not depend on how threads interleave:
 * starts are multiples of 8192 (plus 8192), ends are not.
 */
static inline unsigned long long wl_thr_off(int thread, int iter)
{
	return 8192ULL * (1 + (unsigned long long)iter * WL_THREADS + (unsigned long long)thread);
}

/* fork: child i does WL_FORK_CALLS(i) pread64 of 4096 at wl_fork_off(i, k) */
#define WL_FORK_CHILDREN 2
#define WL_FORK_CALLS(i) (3 + 2 * (i))
static inline unsigned long long wl_fork_off(int child, int k)
{
	return 8192ULL * (1 + (unsigned long long)k * WL_FORK_CHILDREN + (unsigned long long)child);
}
#define WL_FORK_WRITES 4
#define WL_FORK_WR_SZ  1000

/* paths: relative, openat, "..", and odd names below WL_NAMES_DIR */
#define WL_SUB_DIR   "sub"
#define WL_REL_FILE  "dir/rel.dat" /* opened from cwd WL_SUB_DIR */
#define WL_AT_FILE   "at.dat"	   /* openat(WL_SUB_DIR/dir) */
#define WL_UP_FILE   "../up.dat"   /* opened from cwd WL_SUB_DIR/dir */
#define WL_NAMES_DIR "n/\xc3\xa9t\xc3\xa9/d1/d2"
#define WL_NAME_SZ   7 /* bytes written to each named file */

struct wl_name {
	const char *raw;   /* bytes of the name */
	const char *shown; /* the name as the JSON path shows it */
	bool hex;	   /* not UTF-8: the record carries path_hex */
};

static const struct wl_name wl_names[] = {
	{ "utf8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xbcn\xc3\xaf.dat",
	  "utf8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xbcn\xc3\xaf.dat", false },
	{ "bad\xff\xfe-\xc3(.dat", "bad\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd(.dat", true },
	{ "ctl\n\t\"\\ ,.dat", "ctl\n\t\"\\ ,.dat", false },
	{ NULL, NULL, false }, /* WL_LONG_NAME, filled by wl_long_name */
};
#define WL_NAME_CNT (sizeof(wl_names) / sizeof(wl_names[0]))

/* a 255-byte name (NAME_MAX) */
static inline void wl_long_name(char buf[256])
{
	for (int i = 0; i < 251; i++)
		buf[i] = (char)('a' + i % 26);
	memcpy(buf + 251, ".dat", 5);
}

/* longpath: WL_DEEP_LEVELS directories "dNN" deep, then WL_LONG_LEVELS of 200 bytes */
#define WL_DEEP_LEVELS 64
#define WL_LONG_COMP   200
#define WL_DEEP_FILE   "deep.dat"
#define WL_PATH_LEN    4095 /* PATH_MAX - 1: the longest path open(2) takes */

static inline void wl_long_comp(char buf[WL_LONG_COMP + 1], int level)
{
	memset(buf, 'A' + level % 26, WL_LONG_COMP);
	buf[WL_LONG_COMP] = '\0';
}

/*
 * The long path: DIR "/long", then *levels components of WL_LONG_COMP bytes,
 * then a file name of *name_len 'z's, so that the whole absolute path is
 * exactly WL_PATH_LEN bytes (name_len is 1..201).
 */
static inline void wl_long_layout(size_t dir_len, int *levels, size_t *name_len)
{
	size_t left = WL_PATH_LEN - dir_len - 5; /* after DIR "/long" */

	*levels = (int)((left - 2) / (WL_LONG_COMP + 1));
	*name_len = left - (size_t)*levels * (WL_LONG_COMP + 1) - 1;
}

/* ---- vectored calls ---------------------------------------------------------------------- */
#define WL_VEC_FILE  "vec.dat" /* the test creates it */
#define WL_VEC_SZ    (1024 * 1024)
#define WL_VECW_FILE "vecw.dat" /* the workload creates it */
#define WL_VECA_FILE "veca.log" /* O_APPEND, the test creates it */
#define WL_VECA_SZ   777

/* the small vector: zero-length entries between others */
static const unsigned long wl_iov_small[] = { 100, 0, 4000, 0, 96 };
#define WL_IOV_SMALL_CNT 5
#define WL_IOV_SMALL_SUM 4196
/* the big vector: entry i of up to IOV_MAX + 1 entries */
#define WL_IOV_MAX	 1024
static inline unsigned long wl_iov_big(int i)
{
	return (unsigned long)((i * 37) % 129); /* 0 every 129 entries */
}
static inline unsigned long long wl_iov_big_sum(int cnt)
{
	unsigned long long s = 0;

	for (int i = 0; i < cnt; i++)
		s += wl_iov_big(i);
	return s;
}

/* ---- sendfile ----------------------------------------------------------------------------- */
#define WL_SF_SRC    "sf_src.dat" /* the test creates it */
#define WL_SF_SRC_SZ 100000
#define WL_SF_DST    "sf_dst.dat" /* the workload creates it */
#define WL_SF_APP    "sf_app.log" /* O_APPEND destination, the test creates it */
#define WL_SF_APP_SZ 123

/* ---- copy_file_range and splice ---------------------------------------------------------- */
#define WL_CP_SRC    "cp_src.dat" /* the test creates it */
#define WL_CP_SRC_SZ 100000
#define WL_CP_DST    "cp_dst.dat" /* the workload creates it */

/* ---- open flags ---------------------------------------------------------------------------- */
#define WL_OF_FILE "oflags.dat" /* the test creates it */
#define WL_OF_SZ   (64 * 1024)
#define WL_OF_LOG  "oflags.log" /* the workload creates it */

/* ---- Linux AIO ------------------------------------------------------------------------------ */
/*
 * filters: files the test creates in and out of the prefixes that
 * tests/e2e/filters_test.c gives (--path keep, --exclude keep/sub, ...).
 * Each of WL_FLT_SYNC gets a pread and a pwrite; each of WL_FLT_ASYNC is
 * first used by a Linux AIO pread (its record is named only at the end).
 */
#define WL_FLT_SZ   8192
#define WL_FLT_KEEP "keep"
#define WL_FLT_DIRS                                                                                \
	{                                                                                          \
		"keep", "keep/sub", "keepx", "skip"                                                \
	}
#define WL_FLT_SYNC                                                                                \
	{                                                                                          \
		"keep/a.dat", "keep/sub/b.dat", "keepx/c.dat", "skip/d.dat"                        \
	}
#define WL_FLT_ASYNC                                                                               \
	{                                                                                          \
		"keep/e.dat", "skip/f.dat"                                                         \
	}
#define WL_FLT_RD_SZ  100
#define WL_FLT_WR_SZ  50
#define WL_FLT_WR_AT  1000
#define WL_FLT_AIO_SZ 4096

/*
 * mapped: every page of WL_MAP_FILE read through a shared read-only
 * mapping, then the first WL_MAP_WR_PAGES pages written through a shared
 * writable one; the workload reports the page faults of each phase as
 * getrusage counts them ("MAPRD n", "MAPWR n").
 */
#define WL_MAP_FILE	"mapped.dat" /* the test creates it */
#define WL_MAP_SZ	(64 * 4096)
#define WL_MAP_WR_PAGES 8

/*
 * cached: WL_CACHE_FILE, out of the page cache when the trace starts (the
 * test syncs and drops it), read whole with read(2); the workload reports
 * how many of its pages are resident afterwards ("CACHED n", mincore).
 */
#define WL_CACHE_FILE "cached.dat"
#define WL_CACHE_SZ   (256 * 1024)

#define WL_AIO_FILE	"aio.dat" /* the test creates it */
#define WL_AIO_SZ	(64 * 1024)
#define WL_AIO_MANY	20 /* requests of the third io_submit, reaped by one io_getevents */
/* aio_big: more requests in one io_submit, and events in one io_getevents, than 32 steps take */
#define WL_AIO_BIG_FILE "aiobig.dat" /* the test creates it: WL_AIO_BIG * 512 bytes */
#define WL_AIO_BIG	300

/* ---- io_uring ----------------------------------------------------------------------------- */
#define WL_UR_FILE "uring.dat" /* the test creates it */
#define WL_UR_SZ   (64 * 1024)

/* ---- paths counted only as "unseen" --------------------------------------------------------- */
#define WL_UN_FILE "unseen.dat" /* the test creates it */
#define WL_UN_SZ   (16 * 1024)

/* ---- fsync / fdatasync -------------------------------------------------------------------- */
#define WL_SYNC_FILE	"sync.dat"     /* the workload creates it */
#define WL_SYNC_ONLY	"synconly.dat" /* the test creates it; only fsync'd */
#define WL_SYNC_ONLY_SZ 10
/* "syncmeta": what an fsync alone tells the file's record (the test creates both) */
#define WL_SYNCM_COMM	"sync_comm.dat" /* written, fsync'd, fsync'd again under WL_SYNCM_NAME */
#define WL_SYNCM_GONE	"sync_gone.dat" /* written, fsync'd, unlinked, fsync'd again */
#define WL_SYNCM_NAME	"wl-syncer"
#define WL_SYNCM_WR	300
/* "times": first entry and last return times against the workload's clock */
#define WL_TIMES_A	"times_a.dat" /* the test creates both */
#define WL_TIMES_B	"times_b.dat"
#define WL_TIMES_SZ	(4 * 4096)
#define WL_PROC_FILE	"/proc/sys/kernel/ostype" /* has no fsync: EINVAL */

/* ---- close -------------------------------------------------------------------------------- */
#define WL_CLOSE_ONLY  "openclose.dat" /* only opened and closed */
#define WL_CLOSE_LATER "later.dat"
#define WL_CLOSE_SZ    1000

/* ---- errors of the vectored kinds, sendfile ------------------------------------------------ */
#define WL_ERR2_FILE "err2.dat"
#define WL_ERR2_SZ   8000

/* ---- mounts (private mount namespace) ----------------------------------------------------- */
#define WL_MNT_DIR   "mnt" /* a tmpfs on DIR/mnt */
#define WL_MNT_A     "mnt/a.dat"
#define WL_MNT_INNER "mnt/inner" /* a tmpfs on a directory of that tmpfs */
#define WL_MNT_B     "mnt/inner/b.dat"
#define WL_BIND_SRC  "src"  /* the test creates src/c.dat */
#define WL_BIND_DST  "bind" /* DIR/src bind-mounted here */
#define WL_BIND_C    "c.dat"
#define WL_BIND_C_SZ 5000
#define WL_BIND2_DST "bind2" /* DIR/mnt/inner/sub bind-mounted here */
#define WL_BIND2_D   "d.dat"
#define WL_TMPF_LINK "linked.dat" /* O_TMPFILE, linked after some I/O */
#define WL_TMPF_PRE  300	  /* bytes written before the link */
#define WL_TMPF_POST 50		  /* bytes written after it */

/* ---- concurrency on shared descriptors ---------------------------------------------------- */
#define WL_TS_FILE	"tshared.dat"
#define WL_TS_SZ	(4 * 1024 * 1024)
#define WL_TS_ITERS	400
#define WL_TS_WR	100
#define WL_TS_RD	4096
#define WL_TS_VEC_EVERY 4 /* every 4th iteration also writes wl_iov_small with writev */

/* two processes: each WL_PS_ITERS iterations on the one file */
#define WL_PS_FILE	"pshared.dat"
#define WL_PS_SZ	(8 * 1024 * 1024)
#define WL_PS_ITERS	300
#define WL_PS_RD	4096
#define WL_PS_WR	64
#define WL_PS_BAD_EVERY 10
static inline unsigned long long wl_ps_off(int proc, int iter)
{
	return 8192ULL * (1 + (unsigned long long)iter * 2 + (unsigned long long)proc);
}

/* random: WL_RND_OPS calls of every traced kind on WL_RND_FILES files, seed from $WL_SEED */
#define WL_RND_FILES 3
#define WL_RND_FILE  "rnd%d.dat" /* the test creates them */
#define WL_RND_SZ    (256 * 1024)
#define WL_RND_OPS   600

/* ---- identity: inode reuse, renames, unlink before close -------------------------------- */
#define WL_ID_A	     "reuse_a.dat" /* written, closed, unlinked */
#define WL_ID_B	     "reuse_b.dat" /* created next: the file system may give it A's inode */
#define WL_ID_A_WR   100
#define WL_ID_B_WR   200
#define WL_ID_TMP    "config.lock" /* written, then renamed to WL_ID_FINAL */
#define WL_ID_FINAL  "config"
#define WL_ID_TMP_WR 300
#define WL_ID_SHM    "t.db-shm" /* written, unlinked, then closed */
#define WL_ID_SHM_WR 64
#define WL_ID_TRIES  16 /* creates of B until it gets A's inode (ext4 reuses at once) */

/* ---- streams: each open file is judged on its own ----------------------------------------- */
#define WL_ST_FILE    "quarters.dat" /* the test creates it: 4 quarters of WL_ST_CALLS reads */
#define WL_ST_THREADS 4
#define WL_ST_CALLS   64
#define WL_ST_RD      4096
#define WL_ST_SZ      (WL_ST_THREADS * WL_ST_CALLS * WL_ST_RD)
#define WL_ST_SHARED  "shared.dat" /* the test creates it: two threads take turns on one fd */
#define WL_ST_TURNS   32	   /* reads per thread */

/* ---- steady: a writer the clock tests trace while it runs ---------------------------------- */
#define WL_STEADY_FILE "steady.dat"
#define WL_STEADY_WR   64
#define WL_STEADY_MS   5000 /* one write per millisecond for this long */

/* ---- bursts: writes and an fsync in phases a gap apart, for the timelines ------------------- */
/*
 * findings: one file per rule of the report's findings, each on the side of
 * its threshold that triggers it, and one that triggers none:
 *   small.dat   WL_FN_SMALL_CALLS writes of WL_FN_SMALL_SZ (1 MiB)      small-requests
 *   rand.dat    1 MiB in 64 KiB writes, then WL_FN_RAND_CALLS preads of 4 KiB at
 *               offsets that never follow the previous one               random-access
 *   rewr.dat    WL_FN_REWR_CALLS blocks of 4 KiB, each written twice     rewrites
 *   sync.dat    WL_FN_SYNC_CALLS (write 4 KiB, fsync)                     fsync-per-write
 *   tiny.dat    written in 64 KiB writes, read in order in WL_FN_TINY_CALLS
 *               preads of 1 KiB                                          tiny-sequential-reads
 *   spill.dat   1 MiB in writes of 64 KiB, read back so, unlinked        write-then-read
 *   shared.dat  256 KiB written, then read whole by each of WL_FN_READERS
 *               children                                  many-readers (--per-process)
 *   calm.dat    1 MiB in writes of 64 KiB, read back so, one fsync       none
 */
#define WL_FN_READERS	  4
#define WL_FN_SMALL_CALLS 512
#define WL_FN_SMALL_SZ	  2048
#define WL_FN_RAND_CALLS  96
#define WL_FN_REWR_CALLS  32
#define WL_FN_SYNC_CALLS  24
#define WL_FN_TINY_CALLS  512

#define WL_BURST_FILE	  "bursts.dat"
#define WL_BURST_PHASES	  4
#define WL_BURST_WR	  4096
#define WL_BURST_CALLS(p) (5 * ((p) + 1)) /* writes of phase p, then one fsync */
#define WL_BURST_GAP_MS	  700

/* fork children name themselves, and each writes a brief file and exits without close */
#define WL_CHILD_COMM "wl-child%d"
#define WL_BRIEF_FILE "brief%d.dat"
#define WL_BRIEF_SZ   33

#endif
