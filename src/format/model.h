/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result document in memory: one struct rentry per FILE object (a file,
 * a process and file, or a group of them), the document's own fields merged
 * into struct rmeta, and a table of entries by identity (path, dev, ino,
 * pid).  Histograms stay (lo, hi)-keyed buckets, never bucket indices, so
 * any writer's scheme merges exactly.  The reader (read.c) fills it, the
 * writer (write.c) writes it, `iotrace report` groups and shows it.
 */
#ifndef IOTRACE_FORMAT_MODEL_H
#define IOTRACE_FORMAT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/schema.h"

struct rbucket {
	uint64_t lo, hi; /* inclusive bounds */
	uint64_t cnt;	 /* > 0 */
};

/* ascending, non-overlapping buckets */
struct rhist {
	struct rbucket *b;
	size_t cnt;
};

/* which optional members a syscalls[NAME] entry carries */
#define RSC_BYTES 1
#define RSC_REQ	  2
#define RSC_DONE  4
#define RSC_LAT	  8
#define RSC_TOTAL 16

struct rsc {
	char *name;
	int idx;	  /* enum sc_idx; SC_MAX: a syscall this build does not know */
	unsigned int has; /* RSC_* */
	uint64_t calls, errors, bytes, total_ns;
	struct rhist req, done, lat;
};

struct rside {
	bool present;  /* false: null in the document */
	bool has_last; /* some call succeeded */
	uint64_t calls, errors, bytes, seq_calls, rewrites;
	uint64_t streams;	    /* open files that made the calls; 0 in schema-1 documents */
	uint64_t first_ns, last_ns; /* absolute: ns since the Unix epoch */
	struct rhist seq;
	uint64_t oflags[OFLAGS]; /* streams opened with each OFLAG_*; 0 before iotrace 0.2 */
	bool has_lat;		 /* total_ns and lat (documents of iotrace before 0.2 have none) */
	uint64_t total_ns;	 /* latencies, entry to return, summed */
	struct rhist lat;
};

struct rfsync {
	bool present;
	uint64_t calls, errors, total_ns;
	struct rhist lat;
};

/* page faults on the file's mappings; present: the FILE has "mapped" */
struct rmapped {
	bool present;
	uint64_t faults, write_faults;
	uint64_t first_ns, last_ns; /* ns since the Unix epoch, as a side's times */
};

/*
 * Timelines: what returned in each time bin of a document, per file.  Bin
 * i holds the calls counted in [start + i * bin_ns, start + (i + 1) *
 * bin_ns) of the document's own start; a series holds the bins with calls,
 * ascending.  The series are the sides (SIDE_*), then fsync.
 */
#define TL_FSYNC  SIDES
#define TL_SERIES (SIDES + 1)

struct rtbin {
	uint64_t bin;
	uint64_t calls, errors, bytes, total_ns; /* bytes: 0 for fsync */
};

struct rseries {
	struct rtbin *b;
	size_t cnt;
};

/* a set of distinct strings, sorted */
struct rstrs {
	char **v;
	size_t cnt;
};

/* one FILE: a file, a (process, file), or a group of them */
struct rentry {
	char *path; /* raw bytes (from path_hex when given), NUL-terminated */
	size_t path_len;
	uint32_t dev_major, dev_minor; /* 0:0 for a group of several devices */
	uint64_t ino;
	uint64_t gen;	     /* the inode's generation; 0 in schema-1 documents */
	struct rstrs former; /* names the file had before path, while traced */
	bool has_pid;
	uint64_t pid;
	char *comm; /* with has_pid */
	bool deleted;
	char *fstype;		/* "mixed" for a group of several */
	char *comms[MAX_COMMS]; /* sorted, distinct; the smallest MAX_COMMS kept */
	unsigned int comm_cnt;
	struct rsc *sc; /* syscalls.def order, then unknown ones by name */
	size_t sc_cnt;
	struct rside side[SIDES]; /* SIDE_*: read, write, copy_read, copy_write */
	struct rfsync fsync;
	struct rmapped mapped;
	uint64_t cache_pages; /* "page_cache": pages added; 0: no "page_cache" */
	bool has_tl;	      /* "timeline": the document has timelines */
	struct rseries tl[TL_SERIES];
};

/*
 * Trace-time file filters of a document (filter.paths ... excluded_files);
 * each list empty when not given.  Merged so that the lists stay true of
 * every file: paths and fstypes (a file matches one) by union, the
 * exclusions (it matches none) by intersection, a missing list absorbing.
 */
struct rfilters {
	struct rstrs paths, exclude, fstypes, exclude_fstypes;
	uint64_t excluded_files;
};

/* a time span of traced runs: [start_ns, end_ns], ns since the Unix epoch */
struct rspan {
	uint64_t start_ns, end_ns;
};

/* what the documents say about themselves, merged */
struct rmeta {
	size_t docs;
	uint64_t start_ns, end_ns; /* earliest start, latest start + duration */
	/* the documents' spans, overlapping ones joined: the runs, by start */
	struct rspan *runs;
	size_t run_cnt;
	uint64_t dropped_files, dropped_events;
	bool has_missed; /* some document had dropped.missed_runs */
	uint64_t missed_runs;
	bool has_unseen; /* some document had "unseen" (iotrace 0.2 and later) */
	uint64_t unseen[UNSEEN_MAX];
	struct rstrs hostname, kernel, machine, comms;
	uint64_t *pids; /* sorted, distinct */
	size_t pid_cnt;
	char **command; /* the command all documents share, else NULL */
	size_t command_cnt;
	bool command_mixed;
	bool per_process; /* every document was */
	int mapped; /* filter.mapped: 1 every document counted faults, 0 one did not, -1 unknown */
	struct rfilters ff;
	/* timelines: 1 every document has them (bin_ns, bins), else 0 */
	int tl;
	uint64_t bin_ns, bins;
};

/* entries by identity: path, dev, ino and pid */
struct rtable {
	bool groups; /* identity is the path (the group key) alone */
	struct rentry **v;
	size_t cnt, cap;
	size_t *idx; /* open addressing over v, SIZE_MAX = empty */
	size_t idx_cap;
};

struct rmodel {
	struct rmeta meta;
	struct rtable files;
};

/* a reader's failure: "files[3].syscalls.read.req_hist: counts add up to 5, want 6" */
struct rerr {
	char msg[320];
};

/* ---- hist.c: histograms as (lo, hi) buckets ------------------------------------ */
int rhist_add(struct rhist *dst, const struct rhist *src);
int rhist_copy(struct rhist *dst, const struct rhist *src);
/*
 * A histogram of n counters by bucket index (at most 64), less minus[]
 * where given (a bucket below it is left out), added to dst; bounds() gives
 * a bucket's range.
 */
int rhist_add_counts(struct rhist *dst, const uint64_t *h, const uint64_t *minus, int n,
		     void (*bounds)(int, uint64_t *, uint64_t *));
uint64_t rhist_total(const struct rhist *h);
/* the bucket holding the sample of rank ceil(p% of the total); NULL when empty */
const struct rbucket *rhist_percentile(const struct rhist *h, double p);
enum rscheme { RS_LOG2, RS_LAT };
/* every bucket of h is a bucket of our size (RS_LOG2) or latency (RS_LAT) scheme */
bool rhist_in_scheme(const struct rhist *h, enum rscheme s);
void rhist_free(struct rhist *h);

/* ---- timeline.c: series of time bins ------------------------------------------------- */
/* sum src into dst bin by bin; -EOVERFLOW, -ENOMEM */
int rseries_add(struct rseries *dst, const struct rseries *src);
/* bins of factor times the width: bin i goes to i / factor */
void rseries_rebin(struct rseries *s, uint64_t factor);
/* the sums over the bins */
struct rtbin rseries_total(const struct rseries *s);
void rseries_free(struct rseries *s);
/*
 * A document's timelines (bin_ns, bins; tl 0: none) against the model's:
 * the common width is the least common multiple, doubled while over
 * TL_MAX_BINS bins; the model's entries are rebinned to it and *factor is
 * what the document's bins are divided by (0: its timelines are dropped,
 * as are the model's when one document has none).
 */
#define TL_MAX_BINS 4096
void rmodel_timeline_meet(struct rmodel *m, const struct rmeta *doc, uint64_t *factor);

/* ---- model.c: entries, tables and the document's fields, merged ------------------ */
void rmodel_init(struct rmodel *m);
void rmodel_free(struct rmodel *m);
void rentry_free(struct rentry *e);
void rsc_free(struct rsc *sc);
/* the order of syscalls in an entry: syscalls.def, then unknown ones by name */
int rsc_order(const struct rsc *a, const struct rsc *b);
/* sum src into dst (same identity, or a group); -EOVERFLOW leaves dst partly summed */
int rentry_merge(struct rentry *dst, const struct rentry *src, bool group);
int rentry_clone(struct rentry **out, const struct rentry *src);
/* add a comm to the sorted set of e's comms (the smallest MAX_COMMS are kept) */
int rentry_add_comm(struct rentry *e, const char *comm);
/* merge e into t: adopts e when its identity is new (then *e = NULL), else frees it */
int rtable_add(struct rtable *t, struct rentry **e);
struct rentry *rtable_find(const struct rtable *t, const struct rentry *e);
/* append e, whose identity is new: the table owns it */
int rtable_insert(struct rtable *t, struct rentry *e);
void rtable_free(struct rtable *t);
int rstrs_add(struct rstrs *s, const char *str, size_t len);
void rstrs_free(struct rstrs *s);
/* merge a document's meta into the model's */
int rmeta_merge(struct rmeta *dst, const struct rmeta *src);
void rmeta_free(struct rmeta *m);

/* qsort comparator of struct rentry *: path, dev, ino, pid (the document order) */
int rentry_cmp_ident(const void *pa, const void *pb);
/* v[0..n) in the document order */
void rentry_sort_path(struct rentry **v, size_t n);

#endif
