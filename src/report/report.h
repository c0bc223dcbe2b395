/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `iotrace report`: read result documents into one model (format/), select
 * and group its entries (group.c), and show them as a table or one entry's
 * detail (text.c), or again as a document or CSV (format/write.c).
 */
#ifndef IOTRACE_REPORT_H
#define IOTRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format/model.h"

/* ---- group.c ------------------------------------------------------------------- */
enum rby { BY_FILE, BY_DIR, BY_EXT, BY_COMM, BY_FSTYPE, BY_PID };

struct rgroup {
	enum rby by;
	unsigned int depth; /* BY_DIR: components kept; UINT_MAX: the whole directory */
};

/* e's path matches the glob ('*' matches '/' too); e's path is at or below the prefix */
bool report_matches(const struct rentry *e, const char *glob);
bool report_under(const struct rentry *e, const char *prefix);
/* the entries whose path matches: some prefix (none given: any) and some glob (likewise) */
bool report_selected(const struct rentry *e, char *const *prefixes, size_t prefix_cnt,
		     char *const *globs, size_t glob_cnt);
/* the group key(s) of e, for BY_COMM one per comm; *cnt keys in keys (free each) */
int report_group_keys(const struct rentry *e, const struct rgroup *g, char ***keys, size_t *cnt);
/* dst (empty): the groups of v[0..n), each entry merged once into each of its groups */
int report_group(struct rtable *dst, struct rentry *const *v, size_t n, const struct rgroup *g);

/* sort keys of the table */
enum rsort { SORT_BYTES, SORT_CALLS, SORT_ERRORS, SORT_SEQ, SORT_REWRITES, SORT_FSYNC };
/* v[0..n) by the key, descending; ties by path, dev, ino, pid */
void report_sort(struct rentry **v, size_t n, enum rsort key);
/* entry values the views share */
uint64_t rentry_bytes(const struct rentry *e);
uint64_t rentry_calls(const struct rentry *e);
uint64_t rentry_errors(const struct rentry *e);
/* successful calls of a side (SIDE_*, or SIDES_ALL) that were sequential, in per mille */
#define SIDES_ALL (-1)
bool rentry_seq_permille(const struct rentry *e, int side, unsigned int *pm);
/* request-size histogram of the syscalls counted on a side; free with rhist_free */
int rentry_req_hist(const struct rentry *e, int side, struct rhist *out);
/* the same for the sizes the calls completed */
int rentry_done_hist(const struct rentry *e, int side, struct rhist *out);
/* the read (0) or write (1) direction: its sides (read or write, copies, async) */
extern const int rdir_sides[2][3];
/* bytes, and calls (only the successful ones with ok_only), of a direction's sides */
uint64_t rentry_dir_bytes(const struct rentry *e, int d);
uint64_t rentry_dir_calls(const struct rentry *e, int d, bool ok_only);
/* first entry to last successful return over every side; false when none returned */
bool rentry_window(const struct rentry *e, uint64_t *first, uint64_t *last);
/*
 * first entry to last return, less the gaps between the documents' runs
 * (documents apart in time): the time the entry could have been active
 */
uint64_t rentry_active_ns(const struct rentry *e, const struct rmeta *mt);

/* ---- findings.c ---------------------------------------------------------------- */
/* an entry as the rules see it */
struct rjudge {
	const struct rentry *e;
	bool first;	     /* the first entry (with a process) of its file */
	size_t readers;	     /* with first: processes that read the file */
	uint64_t read_bytes; /* ... and the bytes they read */
};

struct rrule {
	const char *id; /* "small-requests" */
	/* the side (SIDE_READ or SIDE_WRITE) of the entry crossed the threshold: what, in words */
	bool (*judge)(const struct rjudge *j, int side, char *what, size_t sz);
	const char *threshold, *advice;
};
extern const struct rrule report_rules[];
extern const size_t report_rule_cnt;

struct rfinding {
	const struct rrule *rule;
	const struct rentry *e;
	char what[128];
};

struct rfindings {
	struct rfinding *v; /* by rule, then in the entries' order */
	size_t cnt;
};

/* every rule on v[0..n); -1 when out of memory */
int report_findings(struct rentry *const *v, size_t n, struct rfindings *out);
void report_findings_free(struct rfindings *fs);
void report_text_findings(FILE *f, const struct rfindings *fs, int width);

/* ---- html.c -------------------------------------------------------------------- */
struct json;
/*
 * v[0..n) (sorted by path) as one self-contained HTML page, with the
 * findings fs (NULL: none were sought); extra/ctx as report_write_json's
 */
int report_write_html(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process, const struct rfindings *fs,
		      void (*extra)(struct json *, void *), void *ctx);

/* ---- fio.c --------------------------------------------------------------------- */
/* a fio job file replaying the I/O of the entries that moved the most; -errno */
int report_write_fio(FILE *f, struct rentry *const *v, size_t n);

/* ---- text.c -------------------------------------------------------------------- */
struct rtext_opts {
	enum rsort sort;
	size_t top; /* rows; 0 = all */
	bool color;
	const char *by_name; /* "dir:1", NULL for files */
	int width;	     /* columns of the table; 0: as wide as the longest path needs */
};
void report_text_table(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       const struct rtext_opts *o);
void report_text_detail(FILE *f, const struct rmodel *m, const struct rentry *e,
			const struct rtext_opts *o);
/* 4.0K, 12M: 1024-based, at most 5 characters */
void fmt_size(char *buf, size_t sz, uint64_t v);
/* 850ns, 1.23us, 12.3ms, 4.56s */
void fmt_ns(char *buf, size_t sz, uint64_t ns);

/* ---- report.c ------------------------------------------------------------------ */
/* `iotrace report ARGS`; argv[0] is "report".  The exit code: 0, 1, or 2 (usage). */
int report_main(int argc, char **argv);
/* the same, writing the report to out */
int report_cli(int argc, char **argv, FILE *out);

#endif
