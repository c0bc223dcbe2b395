/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vocabulary of the result format (docs/output-format.md) that the
 * tracer and `iotrace report` share: the tool's version, syscall
 * names and kinds in syscalls.def order, the bounds of our two histogram
 * schemes, the RFC 3339 start time, and the CSV header and field quoting.
 */
#ifndef IOTRACE_FORMAT_SCHEMA_H
#define IOTRACE_FORMAT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iotrace_abi.h"

/* the version written into every document ("tool": {"version": ...}) */
#define IOTRACE_VERSION "0.5.1"

/*
 * The schema this build writes.  2: identity includes the inode's
 * generation, sequential access and rewrites are judged per stream (open
 * file), files carry former_paths and sides streams.  Readers take 1 and 2.
 * Keys added since (the copy sides, syscalls) change no meaning: a reader
 * that does not know them ignores them, and its sums still hold.
 */
#define FORMAT_SCHEMA 2

/* a FILE's "comms" holds at most this many command names */
#define MAX_COMMS 16

struct sc_info {
	const char *name;
	int kind;  /* SC_KIND_* */
	bool two;  /* counted on two files (OUT_FD): its histograms have no fixed total */
	int sides; /* the sides it counts on: a bit per SIDE_* */
};

extern const struct sc_info sc_infos[SC_MAX];

/* the key of each side of a FILE: "read", "write", "copy_read", ..., "async_write" */
extern const char *const side_keys[SIDES];
/* the keys of the document's "unseen" object, by UNSEEN_* */
extern const char *const unseen_keys[UNSEEN_MAX];
/*
 * The unseen counters in words ("12 io_submit calls (Linux AIO, 48
 * requests), 2 shared file mappings"), "" when all are 0.
 */
void unseen_text(const uint64_t *unseen, char *buf, size_t sz);
/* the keys of a side's open_flags, by OFLAG_*: "O_DIRECT", ... */
extern const char *const oflag_keys[OFLAGS];

/* index of the syscall called name[0..len), or SC_MAX */
int sc_lookup(const char *name, size_t len);

/* Bounds of size-histogram bucket i (HIST_BUCKETS in iotrace_abi.h). */
void hist_bucket_bounds(int i, uint64_t *lo, uint64_t *hi);
/* Bounds of latency-histogram bucket i (LAT_BUCKETS in iotrace_abi.h). */
void lat_bucket_bounds(int i, uint64_t *lo, uint64_t *hi);

/* "2026-11-25T21:56:30.123456789Z" */
void format_rfc3339(uint64_t unix_ns, char *buf, size_t sz);

/* one field, quoted per RFC 4180 when it holds , " CR or LF */
void csv_field(FILE *f, const char *s, size_t len);
/* the header row of the CSV form, CRLF-terminated */
void csv_header(FILE *f, bool per_process);

#endif
