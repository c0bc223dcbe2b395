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
#define WL_SPECIAL_FILE	"ok.dat"
#define WL_SPECIAL_SZ	3000
#define WL_THR_FILE	"thr.dat"
#define WL_THR_SZ	(8 * 1024 * 1024)
#define WL_FORK_FILE	"fork.dat"
#define WL_FORK_SZ	(256 * 1024)
#define WL_GONE_FILE	"gone.dat"
#define WL_GONE_SZ	3000
#define WL_GONE2_FILE	"gone_early.dat"	/* empty */

/* files the workload creates */
#define WL_PW_FILE	"pw.dat"
#define WL_CHILD_FILE	"child%d.dat"	/* fork: one per child */

/* threads: WL_THREADS threads x WL_THR_ITERS iterations */
#define WL_THREADS	2
#define WL_THR_ITERS	500
#define WL_THR_RD_SZ	4096
#define WL_THR_WR_SZ	100
#define WL_THR_BAD_EVERY 10	/* every 10th iteration also reads a write-only fd */

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
#define WL_FORK_WRITES	4
#define WL_FORK_WR_SZ	1000

/* paths: relative, openat, "..", and odd names below WL_NAMES_DIR */
#define WL_SUB_DIR	"sub"
#define WL_REL_FILE	"dir/rel.dat"		/* opened from cwd WL_SUB_DIR */
#define WL_AT_FILE	"at.dat"		/* openat(WL_SUB_DIR/dir) */
#define WL_UP_FILE	"../up.dat"		/* opened from cwd WL_SUB_DIR/dir */
#define WL_NAMES_DIR	"n/\xc3\xa9t\xc3\xa9/d1/d2"
#define WL_NAME_SZ	7			/* bytes written to each named file */

struct wl_name {
	const char *raw;	/* bytes of the name */
	const char *shown;	/* the name as the JSON path shows it */
	bool hex;		/* not UTF-8: the record carries path_hex */
};

static const struct wl_name wl_names[] = {
	{ "utf8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xbcn\xc3\xaf.dat",
	  "utf8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xbcn\xc3\xaf.dat", false },
	{ "bad\xff\xfe-\xc3(.dat", "bad\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd(.dat", true },
	{ "ctl\n\t\"\\ ,.dat", "ctl\n\t\"\\ ,.dat", false },
	{ NULL, NULL, false },	/* WL_LONG_NAME, filled by wl_long_name */
};
#define WL_NAME_CNT	(sizeof(wl_names) / sizeof(wl_names[0]))

/* a 255-byte name (NAME_MAX) */
static inline void wl_long_name(char buf[256])
{
	for (int i = 0; i < 251; i++)
		buf[i] = (char)('a' + i % 26);
	memcpy(buf + 251, ".dat", 5);
}

/* longpath: WL_DEEP_LEVELS directories "dNN" deep, then WL_LONG_LEVELS of 200 bytes */
#define WL_DEEP_LEVELS	64
#define WL_LONG_LEVELS	19
#define WL_LONG_COMP	200
#define WL_DEEP_FILE	"deep.dat"
#define WL_LONGP_FILE	"long.dat"

static inline void wl_long_comp(char buf[WL_LONG_COMP + 1], int level)
{
	memset(buf, 'A' + level % 26, WL_LONG_COMP);
	buf[WL_LONG_COMP] = '\0';
}

#endif
