/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `iotrace report`: read schema-1 result documents from any conforming
 * writer into one model (report_read.c), merge the same file across runs and
 * group files (report_merge.c), and show the result as a table or one entry's
 * detail (report_text.c) or again as a schema-1 document or CSV (report_out.c).
 * Histograms stay (lo, hi)-keyed buckets, never our bucket indices, so any
 * writer's scheme merges exactly.
 */
#ifndef IOTRACE_REPORT_H
#define IOTRACE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iotrace.h"

/* ---- model ------------------------------------------------------------------- */

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
	uint64_t first_ns, last_ns; /* absolute: ns since the Unix epoch */
	struct rhist seq;
};

struct rfsync {
	bool present;
	uint64_t calls, errors, total_ns;
	struct rhist lat;
};

/* one FILE: a file, a (process, file), or a group of them */
struct rentry {
	char *path; /* raw bytes (from path_hex when given), NUL-terminated */
	size_t path_len;
	uint32_t dev_major, dev_minor; /* 0:0 for a group of several devices */
	uint64_t ino;
	bool has_pid;
	uint64_t pid;
	char *comm; /* with has_pid */
	bool deleted;
	char *fstype;		/* "mixed" for a group of several */
	char *comms[MAX_COMMS]; /* sorted, distinct; the smallest MAX_COMMS kept */
	unsigned int comm_cnt;
	struct rsc *sc; /* syscalls.def order, then unknown ones by name */
	size_t sc_cnt;
	struct rside side[2]; /* [SC_KIND_READ], [SC_KIND_WRITE] */
	struct rfsync fsync;
};

/* a set of distinct strings, sorted */
struct rstrs {
	char **v;
	size_t cnt;
};

/* what the documents say about themselves, merged */
struct rmeta {
	size_t docs;
	uint64_t start_ns, end_ns; /* earliest start, latest start + duration */
	uint64_t dropped_files, dropped_events;
	struct rstrs hostname, kernel, machine, comms;
	uint64_t *pids; /* sorted, distinct */
	size_t pid_cnt;
	char **command; /* the command all documents share, else NULL */
	size_t command_cnt;
	bool command_mixed;
	bool per_process; /* every document was */
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

/* ---- report_read.c ------------------------------------------------------------- */
/*
 * Validate one document (name is for messages) and merge it into m.  0,
 * -EINVAL (err says where and what), -EOVERFLOW (a merged counter would
 * overflow) or -ENOMEM.  On failure m holds what was merged before.
 */
int report_read_buf(struct rmodel *m, const char *buf, size_t len, struct rerr *err);
/* the same for a file ("-" = stdin), its name as err's prefix */
int report_read_file(struct rmodel *m, const char *path, struct rerr *err);

/* ---- report_hist.c ------------------------------------------------------------- */
int rhist_add(struct rhist *dst, const struct rhist *src);
int rhist_copy(struct rhist *dst, const struct rhist *src);
uint64_t rhist_total(const struct rhist *h);
/* the bucket holding the sample of rank ceil(p% of the total); NULL when empty */
const struct rbucket *rhist_percentile(const struct rhist *h, double p);
enum rscheme { RS_LOG2, RS_LAT };
/* every bucket of h is a bucket of our size (RS_LOG2) or latency (RS_LAT) scheme */
bool rhist_in_scheme(const struct rhist *h, enum rscheme s);
void rhist_free(struct rhist *h);

/* ---- report_merge.c ------------------------------------------------------------ */
enum rby { BY_FILE, BY_DIR, BY_EXT, BY_COMM, BY_FSTYPE };

struct rgroup {
	enum rby by;
	unsigned int depth; /* BY_DIR: components kept; UINT_MAX: the whole directory */
};

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
/* v[0..n) by path, dev, ino, pid (the document order) */
void report_sort_path(struct rentry **v, size_t n);
/* entry values the views share */
uint64_t rentry_bytes(const struct rentry *e);
uint64_t rentry_calls(const struct rentry *e);
uint64_t rentry_errors(const struct rentry *e);
/* successful read and write calls that were sequential, in per mille of them */
bool rentry_seq_permille(const struct rentry *e, int side, unsigned int *pm);
/* request-size histogram of the read-type (write-type) syscalls; free with rhist_free */
int rentry_req_hist(const struct rentry *e, int side, struct rhist *out);
/* first entry to last successful return over both sides; false when none returned */
bool rentry_window(const struct rentry *e, uint64_t *first, uint64_t *last);

/* ---- report_text.c ------------------------------------------------------------- */
struct rtext_opts {
	enum rsort sort;
	size_t top; /* rows; 0 = all */
	bool color;
	const char *by_name; /* "dir:1", NULL for files */
};
void report_text_table(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       const struct rtext_opts *o);
void report_text_detail(FILE *f, const struct rmodel *m, const struct rentry *e,
			const struct rtext_opts *o);
/* 4.0K, 12M: 1024-based, at most 5 characters */
void fmt_size(char *buf, size_t sz, uint64_t v);
/* 850ns, 1.23us, 12.3ms, 4.56s */
void fmt_ns(char *buf, size_t sz, uint64_t ns);

/* ---- report_out.c --------------------------------------------------------------- */
/*
 * The writer of the format, shared with the tracer (output.c).  A document:
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
	uint64_t dropped_files, dropped_events;
};

void rdoc_json_begin(struct json *j, FILE *f, const struct rdoc *d);
void rdoc_json_end(struct json *j);
void rentry_write_json(struct json *j, const struct rentry *e, uint64_t base);
/* with per_process, the pid and comm columns (empty when e has none) */
void rentry_write_csv(struct outbuf *o, const struct rentry *e, uint64_t base, bool per_process);
/* v[0..n) as a schema-1 document (sorted by path) / as the spec's CSV form */
void report_write_json(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       bool per_process);
void report_write_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process);

/* ---- report.c -------------------------------------------------------------------- */
/* `iotrace report ARGS`; argv[0] is "report".  The exit code: 0, 1, or 2 (usage). */
int report_main(int argc, char **argv);
/* the same, writing the report to out */
int report_cli(int argc, char **argv, FILE *out);

#endif
