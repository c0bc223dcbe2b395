/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracer: its options, the records that drain.c fills from the BPF maps
 * and events, and the stages of a trace.  Pipeline: record.c runs a trace
 * (objects, follow, attach, drain) and output.c writes it through the
 * format's writer.
 */
#ifndef IOTRACE_RECORD_H
#define IOTRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "iotrace_abi.h"
#include "cli/log.h"
#include "format/model.h"
#include "format/schema.h"

/* ---- options -------------------------------------------------------------- */
enum out_format { FORMAT_JSON, FORMAT_CSV };

#define FSTYPE_NAME_SZ 16 /* a file system type name, NUL-padded (struct ev_file) */

/* trace-time file filters (filters.c): canonical absolute prefixes, type names */
struct trace_filters {
	char *paths[NAME_FILTERS];
	char *excludes[NAME_FILTERS];
	char fstypes[FSTYPE_FILTERS][FSTYPE_NAME_SZ];
	char exclude_fstypes[FSTYPE_FILTERS][FSTYPE_NAME_SZ];
	size_t path_cnt, exclude_cnt, fstype_cnt, exclude_fstype_cnt;
};

struct options {
	pid_t *pids;
	size_t pid_cnt;
	char (*comms)[COMM_LEN];
	size_t comm_cnt;
	char **command;	    /* argv after --, NULL-terminated, or NULL */
	const char *output; /* path, "-" for stdout */
	enum out_format format;
	double duration_s; /* 0: until the command/pids end or a signal */
	bool per_process;
	uint32_t max_files;
	const char *verifier_log_dir;
	const char **bpf_objects; /* --bpf-object files replacing the built-in objects */
	size_t bpf_object_cnt;
	const char *btf_path; /* vmlinux BTF for CO-RE; NULL: the kernel's ($IOTRACE_BTF) */
	const char *tracefs;  /* tracefs to read event ids from; NULL: found ($IOTRACE_TRACEFS) */
	bool quiet;	      /* no human summary */
	bool mapped;	      /* --mapped: page faults counted */
	struct trace_filters filters;
	uint64_t interval_ns;	  /* --interval: the timeline's fixed width; 0: 1 s, doubling */
	const char *stream;	  /* --stream FILE ("-" = stdout): a JSON line per interval */
	const struct live_ui *ui; /* iotrace top: the live view, or NULL */
	const char **results;	  /* iotrace top -r: documents to browse instead of a trace */
	size_t result_cnt;
};

struct iotrace_skel;
struct trace_result;
/*
 * A live view of the trace (`iotrace top`), driven by the trace's event
 * loop: fd (the terminal) is polled with the rest, and the view refreshes
 * every refresh_ns() after reading the counters into the records.
 */
struct live_ui {
	int fd; /* input to poll, or -1 */
	void *ctx;
	/* input arrived on fd; true: end the trace (the command is sent SIGTERM) */
	bool (*on_input)(void *ctx);
	uint64_t (*refresh_ns)(void *ctx);
	/* every turn of the event loop (200 ms at most apart): a resize is redrawn */
	void (*on_idle)(void *ctx);
	/* the counters were read into res's records (timeline_read) */
	void (*on_refresh)(void *ctx, const struct iotrace_skel *s, struct trace_result *res);
	/* the trace is over and its document written; by_signal: an end signal ended it */
	void (*on_end)(void *ctx, struct trace_result *res, bool by_signal);
};

/* ---- records ---------------------------------------------------------------- */
/* A histogram as its non-zero buckets, by ascending bucket index. */
struct hbin {
	uint64_t cnt;
	uint32_t idx;
};

struct hist_nz {
	const struct hbin *b;
	uint32_t cnt;
};

/* struct rw_side without the BPF-only state */
struct file_side {
	uint64_t calls, errors, bytes, streams;
	uint64_t first_entry_ns, last_return_ns; /* bpf_ktime_get_ns() clock, 0 = none */
	uint64_t seq_calls, rewrites;
	struct hist_nz seq_hist;
	uint64_t lat_total_ns;
	struct hist_nz lat_hist;
	uint64_t oflag_streams[OFLAGS];
};

struct file_sc {
	uint64_t calls, errors, bytes;
	struct hist_nz req_hist, done_hist;
};

struct file_sync {
	uint64_t calls, errors, total_ns;
	struct hist_nz lat_hist;
};

/* page faults on the file's mappings (struct map_stats); faults 0: none */
struct file_mapped {
	uint64_t faults, write_faults;
	uint64_t first_ns, last_ns;
};

/* one timeline series of a record (timeline.c): struct rseries, growing in the table's chunks */
struct file_series {
	struct rtbin *b;
	uint32_t cnt, cap;
};

/* the counters of a series that timeline.c reads (struct rw_side's, or fsync's) */
enum tl_col { TC_CALLS, TC_ERRORS, TC_BYTES, TC_NS, TC_SEQ, TC_REWRITES, TC_COLS };

/*
 * A record's counters at the last interval's end (prev: the timeline's
 * four first columns) and at the last read (cur, with the fsync latency
 * histogram of the read), its bins, and what a live view showed last.
 */
struct file_tl {
	uint64_t prev[TL_SERIES][4], cur[TL_SERIES][TC_COLS];
	uint64_t *fsync_hist; /* LAT_BUCKETS of the last read, or NULL: no fsync yet */
	struct file_series s[TL_SERIES];
	/* top.c: cur and fsync_hist at its last refresh (NULL before; only top takes them) */
	uint64_t (*shown)[TC_COLS];
	uint64_t *shown_hist;
};

struct file_entry {
	struct file_key key;
	char *path; /* raw bytes, NUL-terminated; NULL until EV_FILE */
	size_t path_len;
	bool path_truncated;
	bool have_rec;	   /* the files map had a record: side[] and deleted are valid */
	bool deleted;	   /* i_nlink was 0 when last seen */
	bool filtered;	   /* judged by the trace-time filters in BPF (its path was whole) */
	char *former_path; /* the name it had when first seen, when renamed since; or NULL */
	size_t former_len;
	uint64_t name_dentry, name_mnt, name_inode; /* where the name was walked from */
	char fstype[16];
	char comm[COMM_LEN]; /* first comm seen (the process's, with --per-process) */
	char comms[MAX_COMMS][COMM_LEN];
	unsigned int comm_cnt;
	struct file_side side[SIDES];	/* SIDE_* */
	struct file_sc *sc[SC_MAX];	/* read/write/close kinds; NULL: never seen */
	struct file_sync *sync[SC_MAX]; /* fsync kinds; NULL: never seen */
	struct file_mapped mapped;
	uint64_t cache_pages; /* pages added to the page cache (struct cache_key's) */
	struct file_tl *tl;   /* NULL until an interval ended with its record there */
};

struct files_chunk;
struct files_slot;

struct file_table {
	struct file_entry **v; /* insertion order; sorted by path before output */
	size_t cnt, cap;
	struct files_slot *idx; /* open addressing: key -> entry */
	size_t idx_cap;
	struct files_chunk *chunks; /* entries, stats and histograms live here */
};

/* the timeline of a trace: intervals of interval_ns, bins of 2^shift intervals */
struct timeline {
	uint64_t interval_ns;
	uint64_t max_bins;
	unsigned int shift;
	bool streaming;
	uint64_t next_edge_ns; /* CLOCK_MONOTONIC of the next read; 0: not yet set */
	uint64_t bin_ns, bins; /* at the end: the document's timeline */
	bool fixed;  /* --interval: the width is the user's (doubled past max_bins only) */
	bool warned; /* said once that the reads are slow */
	/*
	 * called between batches of a read: the events ring buffer is drained
	 * meanwhile; true: an end signal came, the read is abandoned (-ECANCELED)
	 */
	bool (*pump)(void *ctx);
	void *pump_ctx;
};

struct trace_result {
	struct file_table files;
	struct timeline tl;
	uint64_t start_unix_ns;
	uint64_t start_mono_ns; /* bpf_ktime_get_ns() clock at start */
	uint64_t duration_ns;
	uint64_t drops[DROP_MAX];
	uint64_t unseen[UNSEEN_MAX]; /* calls along paths not counted (UNSEEN_*) */
	uint64_t dropped_files;	     /* records without a path (event lost) + table full */
	uint64_t excluded_files;     /* files the trace-time filters left out */
	bool mapped;		     /* page faults on mappings were counted */
	bool mapped_unable;	     /* --mapped, on a kernel that cannot count them */
	uint64_t dropped_events;
	/* runs of the programs the kernel skipped (see count_missed_runs) */
	bool missed_counted;
	uint64_t missed_runs;
	char hostname[65], kernel[65], machine[65]; /* struct utsname sizes */
};

struct file_entry *files_get(struct file_table *t, const struct file_key *key);
struct file_entry *files_find(const struct file_table *t, const struct file_key *key);
void files_prefetch(const struct file_table *t, const struct file_key *key);
void files_add_comm(struct file_entry *f, const char *comm);
int files_set_path(struct file_entry *f, const char *comps, size_t sz, bool truncated);
void files_sort_by_path(struct file_table *t);
/* zeroed memory that lives as long as the table; NULL when out of memory */
void *files_alloc(struct file_table *t, size_t sz);
/* the non-zero buckets of h[0..n) into out; -ENOMEM */
int files_hist(struct file_table *t, const __u64 *h, int n, struct hist_nz *out);
/*
 * Add one syscall's kernel stats to f->sc[sc]: created, or summed with what
 * an earlier map gave for the same syscall (a record's own slot and a
 * scstats entry can both hold part of one syscall's calls).  -ENOMEM.
 */
int files_add_sc(struct file_table *t, struct file_entry *f, uint32_t sc, const struct sc_stats *v);
void files_free(struct file_table *t);

/* ---- modules --------------------------------------------------------------- */
struct obj;
/*
 * The loader object's typed handles: struct iotrace_skel of iotrace.skel.h,
 * which the build generates from the embedded objects (mk/build.mk); the
 * files that use the handles include it.
 */
struct iotrace_skel;
/*
 * objects.c: the embedded BPF objects, or the files given, as one loader
 * object whose messages are iotrace's (-v, -vv), bound to *s: every map and
 * program the embedded objects define must be there (-ENOENT, reported).
 * tracefs as in struct options.  s->obj is set once opened, even when
 * binding fails: objects_close it.
 */
int objects_open(struct iotrace_skel *s, const char *const *files, size_t file_cnt,
		 const char *tracefs);
/* obj__close, and free what objects_open read */
void objects_close(struct obj *o);
/*
 * Can the page-fault program (mapped_fault) load on this kernel?  It finds
 * the faulting address's mapping with bpf_find_vma (5.17).  Whether its
 * event exists (x86 only) is known at attach.
 */
bool objects_can_count_faults(void);
/*
 * Before load: each tail-call slot of IOT_TAIL_LOOPS in the form this
 * kernel takes: its loop form with bpf_loop (5.17+; Linux AIO's requests
 * and events, one run per call), else its first form (tail-called steps of
 * a few entries: 128 requests per io_submit, 256 events per io_getevents at
 * most).  fill_tails puts the loaded one in the table.
 */
void objects_choose_loops(struct iotrace_skel *s);
/* drop the embedded objects' pages from the resident set (after loading) */
void objects_release_embedded(void);

/* follow.c: run the command stopped until released */
struct child {
	bool null_stdio; /* the command's stdin, stdout and stderr on /dev/null */
	pid_t pid;
	int go_fd;  /* write end: closing it lets the child exec */
	int err_fd; /* read end: exec errno, or EOF when exec succeeded */
};
/* exec path (PATH searched) of argv[0], which follow_spawn then runs */
int follow_spawn(struct child *c, const char *path, char *const argv[]);
int follow_release(struct child *c);
int follow_check_command(const char *cmd, char *path, size_t path_sz);
int exit_code_of(int wstatus);

/*
 * detach.c: destroy ls (obj__attach's links) in a child process named comm
 * (ps, /proc/PID/comm) that closes every other fd first; *child its pid, or
 * 0 when there was nothing to detach or fork failed (then detached here).
 */
struct links;
void detach_in_background(struct links *ls, const char *comm, pid_t *child);
/* the name (comm) of iotrace's detaching child, as ps shows it */
#define DETACH_COMM "iotrace-detach"
/*
 * The pids of processes named comm (at most max): earlier traces' detaching
 * children, which keep their attachments a moment; detach_wake tells them
 * to close now, once this trace is attached.
 */
size_t detach_lingering(const char *comm, pid_t *pids, size_t max);
void detach_wake(const pid_t *pids, size_t n);

/* filters.c: --path, --exclude, --fstype, --exclude-fstype */
int filters_add_prefix(struct trace_filters *f, bool exclude, const char *arg, char *why,
		       size_t why_sz);
int filters_add_fstype(struct trace_filters *f, bool exclude, const char *name, char *why,
		       size_t why_sz);
bool filters_any(const struct trace_filters *f);
void filters_to_cfg(const struct trace_filters *f, struct iot_config *cfg);
bool filters_keep(const struct trace_filters *f, const char *path, size_t len, const char *fstype);
/* after drain_named_only: leave out the records the BPF side could not judge */
void filters_apply(const struct trace_filters *f, struct trace_result *res);
void filters_free(struct trace_filters *f);

/*
 * drain.c: the events ring buffer of o, decoded into res; drain_events
 * takes what has arrived (ringbuf__fd polls for it)
 */
struct ringbuf;
int drain_events_open(struct ringbuf **rb, const struct iotrace_skel *s, struct trace_result *res);
int drain_events(struct ringbuf *rb);
int drain_maps(const struct iotrace_skel *s, struct trace_result *res);
/* after names_refresh: the records still without a name are dropped */
void drain_named_only(struct trace_result *res);

/*
 * timeline.c: timeline_tick at each interval's end (timeline_next_edge
 * says when) reads the counters into the records' bins, and with stream
 * writes the interval's changes as one JSON line; timeline_finish, after
 * drain_maps, closes the last interval from the final totals.
 */
void timeline_init(struct timeline *tl, const struct options *opts);
uint64_t timeline_next_edge(struct trace_result *res);
int timeline_tick(const struct iotrace_skel *s, struct trace_result *res, uint64_t now_mono,
		  FILE *stream, bool per_process);
int timeline_finish(struct trace_result *res, FILE *stream, bool per_process);
/* every record's counters into its tl->cur (records new to the table are added) */
int timeline_read(const struct iotrace_skel *s, struct trace_result *res);
/*
 * The histograms of one record from the maps (sides' sequential sizes and
 * latencies, fsync latency) into e, whose other fields the caller fills; -errno
 */
int timeline_record_hists(const struct iotrace_skel *s, const struct file_entry *f,
			  struct rentry *e);

/* names.c: name every record again at the end (renames, unlinks) */
int names_refresh(const struct iotrace_skel *s, struct trace_result *res);

/* output.c */
int output_write(const struct trace_result *res, const struct options *opts);
void output_summary(const struct trace_result *res, const struct options *opts, FILE *f);
/* warn about each -c NAME that no record names */
void output_warn_unmatched(const struct trace_result *res, const struct options *opts);
int output_check_path(const char *path);

/* record.c */
int record_run(const struct options *opts, int *exit_code);

/* verify.c: `iotrace debug verify DIR`, the verifier-logs generator */
int verify_run(const char *dir);

#endif
