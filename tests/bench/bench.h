/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `make bench`: what each tracer adds to a traced call, against the floor
 * (nop programs on iotrace's hooks) and bpftrace.  Shared between the
 * workload children (workload.c), the tracers (tracer.c), the /proc and
 * bpf(2) readings (usage.c), the tables (report.c) and the rounds
 * (overhead_bench.c).  Functions return 0 or -errno and print once.
 */
#ifndef IOTRACE_BENCH_H
#define IOTRACE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifndef ROUNDS
#define ROUNDS 7 /* counted rounds; one more, uncounted, warms up */
#endif
#ifndef SCALE_ROUNDS
#define SCALE_ROUNDS 5 /* 3 let one noisy round move the median by 100 ns */
#endif
#define SCALE_FILES	100000
#define SCALE_MAX_FILES "131072" /* --max-files for the scale case: all 100,000 fit */
#define WARMUP_CALLS	2000	 /* untimed calls before each timed loop */
#define MAX_PROGS	128	 /* programs per process read back (floor + pair: 57) */
#define PROG_NAME_LEN	16	 /* the kernel keeps 15 chars of a program's name */

enum tracer_id { TR_NONE, TR_FLOOR, TR_PAIR, TR_IOTRACE, TR_BPFTRACE, TRACERS };

enum wl_id {
	WL_PREAD1,  /* pread64 4 KiB at offset 0, 1 thread */
	WL_PREAD2,  /* the same, 2 threads, ns per call per thread */
	WL_DD,	    /* read 4 KiB from A + write 4 KiB to B, per pair */
	WL_FSYNC,   /* write 512 B + fsync on tmpfs, per pair */
	WL_MISS,    /* pread64 loop in a process the tracer does not trace */
	WL_GETPPID, /* a syscall no tracer hooks */
	WL_COPY,    /* copy_file_range 4 KiB from A to B, per call (floor, iotrace only) */
	WL_AIO,	    /* one Linux AIO pread of 4 KiB, io_submit + io_getevents, per request */
	WL_URING,   /* one io_uring read of 4 KiB, submitted and waited by one io_uring_enter */
	WL_FAULT,   /* one write fault on a private mapping of a file, per fault */
	WL_SCALE0,  /* scale phase: pread64 loop, iotrace with --max-files as WL_SCALE */
	WL_SCALE,   /* scale phase: pread64 loop after touching SCALE_FILES files */
	WLS
};

struct wl_spec {
	const char *name;
	const char *unit; /* what one "call" of the row is */
	long calls;	  /* timed calls per thread */
	int threads;
	bool touch;  /* first open + pread + close every scale file */
	bool traced; /* the tracer targets this process */
};

/* Files every workload uses, under one tmpfs directory. */
struct bench_files {
	char dir[64];
	char pread_path[96];
	char dd_in[96], dd_out[96];
	char fsync_path[96];
	char result_path[96]; /* iotrace's CSV result, read back after each cell */
	char many_dir[96];    /* SCALE_FILES files f000000 ... once created */
	long many_cnt;
	/*
	 * io_uring's file, on the file system of URING_DIR: io_uring reads a
	 * cached tmpfs file in a worker thread (tens of us that swing from round
	 * to round), a cached ext4 or xfs one inline
	 */
	char uring_dir[64];
	char uring_path[96];
};
#define URING_DIR "/var/tmp"

/* A workload child between spawn and end. */
struct wl_proc {
	pid_t pid;
	int go_fd;  /* write end: one byte starts the timed loop, EOF ends the child */
	int res_fd; /* read end: 'r' once set up, then the ns per call (double) */
};

/* One program's cumulative counters, from fdinfo and BPF_OBJ_GET_INFO_BY_FD. */
struct prog_usage {
	uint32_t id;
	char name[PROG_NAME_LEN];
	uint64_t run_ns;
	uint64_t run_cnt;
};

struct bpf_usage {
	struct prog_usage progs[MAX_PROGS];
	size_t prog_cnt;
	uint64_t map_memlock; /* sum of memlock: over distinct map ids */
	size_t map_cnt;
};

/* A running tracer (external for iotrace and bpftrace). */
struct tracer_run {
	enum tracer_id id;
	pid_t pid;		 /* 0 for in-process tracers */
	int err_fd;		 /* its stderr (and stdout for bpftrace) */
	double ready_ms;	 /* launch -> ready line (bpftrace: "Attaching N probes") */
	double attached_ms;	 /* bpftrace: launch -> all its probes attached */
	double self_ready_ms;	 /* iotrace's own "ready X ms" */
	int probes;		 /* bpftrace: N of "Attaching N probes" */
	long counted;		 /* calls the tracer's result counted (iotrace, bpftrace) */
	struct bpf_usage before; /* in-process programs: counters before attach */
};

/* What one measurement (tracer x workload, one round) gave. */
struct cell {
	double ns; /* per call (per thread) */
	double ready_ms, attached_ms, self_ready_ms, stop_ms;
	long rss_kb;		/* tracer's VmRSS mid-run; -1 when not sampled */
	uint64_t memlock;	/* tracer's map memlock after the workload */
	struct bpf_usage usage; /* program counters added during the cell */
};

/* a measure of a cell, and min / median / max of one over several cells */
enum cell_field { F_NS, F_READY, F_ATTACHED, F_SELF_READY, F_STOP, F_RSS, F_MEMLOCK };
struct summary {
	double min, med, max;
	int n;
};

/* Tracer setup shared by all cells. */
struct tracers {
	const char *iotrace;	 /* path of the binary */
	const char *bpftrace;	 /* NULL when not installed */
	struct obj *floor;	 /* nop.bpf.o */
	struct obj *pair;	 /* pair.bpf.o */
	struct links *links;	 /* of floor or pair while attached */
	pid_t idle_pid;		 /* a process that does nothing: target of the miss path */
	const char *result_path; /* iotrace -o */
	char bpftrace_script[16384];
};

extern const struct wl_spec wl_specs[WLS];
extern const char *const tracer_names[TRACERS];

/* workload.c */
int files_create(struct bench_files *f);
int files_create_many(struct bench_files *f);
void files_remove(struct bench_files *f);
int workload_spawn(enum wl_id wl, const struct bench_files *f, struct wl_proc *w);
int workload_go(struct wl_proc *w);
int workload_result(struct wl_proc *w, double *ns, pid_t sample_pid, long *rss_kb);
int workload_end(struct wl_proc *w);
int idle_spawn(pid_t *pid, int *hold_fd);
int close_others(int keep_a, int keep_b);

/* tracer.c */
int tracers_init(struct tracers *t, const char *iotrace, const char *bpftrace);
void tracers_fini(struct tracers *t);
int tracers_script(struct tracers *t);
int tracer_start(struct tracers *t, enum tracer_id id, enum wl_id wl, pid_t target,
		 struct tracer_run *r);
int tracer_sample(struct tracer_run *r, struct cell *c);
int tracer_stop(struct tracers *t, struct tracer_run *r, double *stop_ms);
int tracefs_ensure(bool *mounted);
void tracefs_release(bool mounted);

/* usage.c */
double now_ms(void);
int rss_kb_of(pid_t pid, long *kb);
int bpf_usage_of(pid_t pid, struct bpf_usage *u);
void bpf_usage_delta(struct bpf_usage *after, const struct bpf_usage *before);
int bpf_stats_enable(int *saved);
int bpf_stats_set(bool on);
void bpf_stats_restore(int saved);

/* report.c */
struct results {
	struct cell cells[TRACERS][WLS][ROUNDS];
	int cnt[TRACERS][WLS];
	struct cell stat_cells[TRACERS][WLS]; /* the BPF time round, bpf_stats on */
	int stat_cnt[TRACERS][WLS];
	struct cell scale[2][2][SCALE_ROUNDS]; /* [none, iotrace][WL_SCALE0, WL_SCALE] */
	int scale_cnt;
	bool have_bpftrace;
};
void report_machine(const char *bpftrace, const char *bpftrace_note);
void report_all(const struct results *res);
void report_bpftrace_script(const char *script);
/* the verdict lines of the targets, as report_all prints them */
void report_targets(FILE *f, const struct results *res);
/* report.c's helpers for doc.c */
double report_added(const struct results *res, enum tracer_id t, enum wl_id w);
double report_added_min(const struct results *res, enum tracer_id t, enum wl_id w);
struct summary report_sum(const struct results *res, enum tracer_id t, enum cell_field f);
/* iotrace's median ns per call before (0) or after (1) the 100k files */
double report_scale_ns(const struct results *res, int after);
/* the slowest SIGINT-to-exit with 100k files */
double report_scale_stop_max(const struct results *res);
/* doc.c: replace the generated part of the Markdown file path with this run */
int report_doc(const char *path, const struct results *res, const char *bpftrace);

#endif
