/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing the result document.  The reader validates a
 * document from any conforming writer and merges it into a model; the
 * writer is the one writer of the JSON document and of its CSV form, used
 * by the tracer (a view of each of its records) and by `iotrace report
 * --format json|csv`, so reports compose.
 */
#ifndef IOTRACE_FORMAT_DOCUMENT_H
#define IOTRACE_FORMAT_DOCUMENT_H

#include <stdio.h>

#include "format/model.h"

/* ---- read.c -------------------------------------------------------------------- */
/*
 * Validate one document (name is for messages) and merge it into m.  0,
 * -EINVAL (err says where and what), -EOVERFLOW (a merged counter would
 * overflow) or -ENOMEM.  On failure m holds what was merged before.
 */
int report_read_buf(struct rmodel *m, const char *buf, size_t len, struct rerr *err);
/* the same for a file ("-" = stdin), its name as err's prefix */
int report_read_file(struct rmodel *m, const char *path, struct rerr *err);

/* ---- write.c ------------------------------------------------------------------- */
/*
 * The writer of the format, shared with the tracer (record/output.c).  A document:
 * rdoc_json_begin (everything up to the "files" array), rentry_write_json
 * for each FILE, rdoc_json_end; CSV: csv_header, then rentry_write_csv for
 * each row.  Times are written minus base.
 */
struct json;
struct outbuf;

/* the document around the FILE objects */
struct rdoc {
	const char *hostname, *kernel, *machine;
	uint64_t start_ns, duration_ns; /* start: ns since the Unix epoch */
	const uint64_t *pids;
	size_t pid_cnt;
	char *const *comms;
	size_t comm_cnt;
	char *const *command; /* NULL: null (no command) */
	size_t command_cnt;
	bool per_process;
	int mapped; /* filter.mapped: 1 or 0; -1: not known (left out) */
	/* trace-time file filters: written when a list is not empty or a file was excluded */
	const struct rstrs *paths, *exclude, *fstypes, *exclude_fstypes; /* NULL: empty */
	uint64_t excluded_files;
	uint64_t dropped_files, dropped_events;
	const uint64_t *missed_runs; /* NULL: the kernel does not count them (no key) */
	const uint64_t *unseen;	     /* UNSEEN_MAX counters, or NULL: no "unseen" object */
	uint64_t bin_ns, bins;	     /* the FILE timelines' bins; bin_ns 0: no timelines */
	bool compact;		     /* on one line (after the JSON lines of a stream) */
};

void rdoc_json_begin(struct json *j, FILE *f, const struct rdoc *d);
void rdoc_json_end(struct json *j);
void rentry_write_json(struct json *j, const struct rentry *e, uint64_t base);
/* with per_process, the pid and comm columns (empty when e has none) */
void rentry_write_csv(struct outbuf *o, const struct rentry *e, uint64_t base, bool per_process);
/*
 * v[0..n) as a result document (sorted by path) / as its CSV form; extra
 * (when not NULL) writes keys of the document's object after "files"
 */
void report_write_json(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       bool per_process, void (*extra)(struct json *, void *), void *ctx);
void report_write_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process);
/* long tables: a row per entry and syscall; per entry, histogram and bucket */
void report_write_syscalls_csv(FILE *f, struct rentry **v, size_t n, bool per_process);
void report_write_hist_csv(FILE *f, struct rentry **v, size_t n, bool per_process);
/* the timelines of v[0..n) as a long CSV table: a row per entry, series and bin */
void report_write_timeline_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
			       bool per_process);

#endif
