// SPDX-License-Identifier: GPL-2.0
/*
 * Findings: rules that turn an entry's figures into something to act on.
 * Each rule has a fixed threshold (iotrace-report(1) gives them all, and a
 * test per rule holds a workload on each side of it), judges one entry
 * (a file, a process's file, or a group) and says in words which figures
 * crossed it.  Rules look at the read and write sides, where the calls of
 * read(2) and write(2) and their vectored and positioned kinds count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024)

/* thresholds: iotrace-report(1), FINDINGS, names each */
#define SMALL_BYTES	 MIB /* small-requests: the side moved at least this */
#define SMALL_CALLS	 64  /* ... in at least this many calls */
#define SMALL_SIZE	 (4 * KIB)
#define SMALL_SHARE_PM	 800	     /* ... this share of them asked for less than SMALL_SIZE */
#define RANDOM_CALLS	 64	     /* random-access: successful calls on the side */
#define RANDOM_BYTES	 (256 * KIB) /* ... moving at least this */
#define RANDOM_SEQ_PM	 500	     /* ... fewer than this share sequential */
#define REWRITE_MIN	 16	     /* rewrites: at least this many */
#define REWRITE_PM	 100	     /* ... and this share of the writes */
#define FSYNC_MIN	 16	     /* fsync-per-write: fsync and fdatasync calls */
#define FSYNC_PER_WRITES 2	     /* ... at least one per this many writes */
#define TINY_CALLS	 256	     /* tiny-sequential-reads: reads */
#define TINY_SEQ_PM	 900	     /* ... at least this share sequential */
#define TINY_MEAN	 (16 * KIB)  /* ... under this mean size */
#define READERS_MIN	 4	     /* many-readers: processes that read the file */
#define READERS_BYTES	 MIB	     /* ... reading at least this in all */
#define SPILL_BYTES	 MIB	     /* write-then-read: written at least this */

static const char *const side_noun[2] = { "reads", "writes" };

static uint64_t ok_calls(const struct rside *s)
{
	return s->calls - s->errors;
}

/* calls of the side's syscalls that asked for less than size bytes (buckets wholly below) */
static int calls_asking_under(const struct rentry *e, int side, uint64_t size, uint64_t *under,
			      uint64_t *all)
{
	struct rhist h;
	int err = rentry_req_hist(e, side, &h);

	*under = *all = 0;
	for (size_t i = 0; !err && i < h.cnt; i++) {
		*all += h.b[i].cnt;
		if (h.b[i].hi < size)
			*under += h.b[i].cnt;
	}
	rhist_free(&h);
	return err;
}

/* most calls of a side that moved megabytes asked for less than 4 KiB */
static bool small_requests(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *s = &e->side[side];
	uint64_t under, all;
	unsigned int pm;
	char b[16];

	if (!s->present || s->bytes < SMALL_BYTES || s->calls < SMALL_CALLS)
		return false;
	/* reads mostly in order are tiny-sequential-reads' */
	if (side == SIDE_READ && rentry_seq_permille(e, side, &pm) && pm >= TINY_SEQ_PM)
		return false;
	if (calls_asking_under(e, side, SMALL_SIZE, &under, &all) || !all ||
	    under * 1000 < (uint64_t)SMALL_SHARE_PM * all)
		return false;
	fmt_size(b, sizeof(b), s->bytes);
	snprintf(what, sz, "%llu%% of %llu %s asked for less than 4K; %s moved",
		 (unsigned long long)(under * 100 / all), (unsigned long long)all, side_noun[side],
		 b);
	return true;
}

/* a side of many calls, most not where the previous one of its stream ended */
static bool random_access(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *s = &e->side[side];
	unsigned int pm;

	if (!s->present || ok_calls(s) < RANDOM_CALLS || s->bytes < RANDOM_BYTES ||
	    !rentry_seq_permille(e, side, &pm) || pm >= RANDOM_SEQ_PM)
		return false;
	snprintf(what, sz, "%u%% of %llu %s were not where the previous one ended", 100 - pm / 10,
		 (unsigned long long)ok_calls(s), side_noun[side]);
	return true;
}

static bool rewrites(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *s = &e->side[side];

	if (side != SIDE_WRITE || !s->present || s->rewrites < REWRITE_MIN ||
	    s->rewrites * 1000 < (uint64_t)REWRITE_PM * ok_calls(s))
		return false;
	snprintf(what, sz, "%llu of %llu writes started where the write before them did",
		 (unsigned long long)s->rewrites, (unsigned long long)ok_calls(s));
	return true;
}

static bool fsync_per_write(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *s = &e->side[SIDE_WRITE];
	char lat[16];

	if (side != SIDE_WRITE || !e->fsync.present || e->fsync.calls < FSYNC_MIN ||
	    e->fsync.calls * FSYNC_PER_WRITES < (s->present ? ok_calls(s) : 0))
		return false;
	fmt_ns(lat, sizeof(lat), e->fsync.total_ns / e->fsync.calls);
	snprintf(what, sz, "%llu syncs for %llu writes, %s each on average",
		 (unsigned long long)e->fsync.calls,
		 (unsigned long long)(s->present ? ok_calls(s) : 0), lat);
	return true;
}

static bool tiny_sequential_reads(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *s = &e->side[side];
	unsigned int pm;
	char b[16];

	if (side != SIDE_READ || !s->present || ok_calls(s) < TINY_CALLS ||
	    !rentry_seq_permille(e, side, &pm) || pm < TINY_SEQ_PM ||
	    s->bytes >= TINY_MEAN * ok_calls(s))
		return false;
	fmt_size(b, sizeof(b), s->bytes / ok_calls(s));
	snprintf(what, sz, "%llu reads, %u%% in order, %s each on average",
		 (unsigned long long)ok_calls(s), pm / 10, b);
	return true;
}

/* one file read by many processes (documents traced with --per-process) */
static bool many_readers(const struct rjudge *j, int side, char *what, size_t sz)
{
	char b[16];

	if (side != SIDE_READ || !j->first || j->readers < READERS_MIN ||
	    j->read_bytes < READERS_BYTES)
		return false;
	fmt_size(b, sizeof(b), j->read_bytes);
	snprintf(what, sz, "read by %zu processes, %s in all", j->readers, b);
	return true;
}

/* written, read back and deleted: a temporary file */
static bool write_then_read(const struct rjudge *j, int side, char *what, size_t sz)
{
	const struct rentry *e = j->e;
	const struct rside *r = &e->side[SIDE_READ], *w = &e->side[SIDE_WRITE];
	char rb[16], wb[16];

	if (side != SIDE_READ || !e->deleted || !r->present || !w->present ||
	    w->bytes < SPILL_BYTES || 2 * r->bytes < w->bytes || r->first_ns < w->first_ns)
		return false;
	fmt_size(wb, sizeof(wb), w->bytes);
	fmt_size(rb, sizeof(rb), r->bytes);
	snprintf(what, sz, "%s written, %s read back, deleted by the end", wb, rb);
	return true;
}

const struct rrule report_rules[] = {
	{ "small-requests", small_requests,
	  "at least 1 MiB moved in at least 64 calls, and at least 80% of the calls asked for less "
	  "than 4 KiB (reads mostly in order are left to tiny-sequential-reads)",
	  "make fewer, larger calls: a bigger buffer (setvbuf, the read or write size) or writes "
	  "gathered in memory; every call costs a system call whatever its size" },
	{ "random-access", random_access,
	  "at least 64 successful calls on a side moving at least 256 KiB, fewer than 50% of them "
	  "where the previous one of their stream ended",
	  "size requests to the records, keep the working set in memory or the page cache "
	  "(posix_fadvise POSIX_FADV_RANDOM turns read-ahead off), and benchmark it with a "
	  "random pattern (fio rw=randread or randwrite)" },
	{ "rewrites", rewrites,
	  "at least 16 writes, and at least 10% of the writes, started at the offset of the write "
	  "before them on their stream (the same bytes written again)",
	  "update in memory and write once, or look for a block rewritten in place (a header, "
	  "a counter): an append-only layout or a journal avoids rewriting" },
	{ "fsync-per-write", fsync_per_write,
	  "at least 16 fsync or fdatasync calls, one or more per 2 writes",
	  "sync per transaction, not per write: group writes under one fsync, or use fdatasync "
	  "where the file's metadata need not reach the disk" },
	{ "many-readers", many_readers,
	  "at least 4 processes read the file, at least 1 MiB in all (documents traced with "
	  "--per-process, where the processes are told apart)",
	  "one reader sharing what it read (a cache, a shared mapping), or make sure the page "
	  "cache holds the file; in a benchmark, as many jobs reading one file (fio numjobs)" },
	{ "write-then-read", write_then_read,
	  "at least 1 MiB written, at least half of it read back after the first write, and the "
	  "file deleted by the end of the trace: a temporary file",
	  "keep the data in memory (a larger buffer, or tmpfs for the file), or avoid the round "
	  "trip; the page cache may hide its cost only until memory is short" },
	{ "tiny-sequential-reads", tiny_sequential_reads,
	  "at least 256 reads, at least 90% of them in order, under 16 KiB each on average",
	  "the file is read front to back in small pieces: a buffer of 64 KiB or more, one large "
	  "read, or a mapping cuts the calls" },
};
const size_t report_rule_cnt = sizeof(report_rules) / sizeof(report_rules[0]);

void report_findings_free(struct rfindings *fs)
{
	free(fs->v);
	fs->v = NULL;
	fs->cnt = 0;
}

static bool same_file(const struct rentry *a, const struct rentry *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino &&
	       a->gen == b->gen && a->path_len == b->path_len &&
	       !memcmp(a->path, b->path, a->path_len);
}

/* an entry and its place in the caller's order */
struct placed {
	const struct rentry *e;
	size_t at;
};

static int by_file(const void *x, const void *y)
{
	const struct placed *p = x, *q = y;
	const struct rentry *a = p->e, *b = q->e;
	int c = a->path_len == b->path_len ? memcmp(a->path, b->path, a->path_len)
					   : (a->path_len < b->path_len ? -1 : 1);

	if (c)
		return c;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	if (a->gen != b->gen)
		return a->gen < b->gen ? -1 : 1;
	if (a->dev_major != b->dev_major)
		return a->dev_major < b->dev_major ? -1 : 1;
	if (a->dev_minor != b->dev_minor)
		return a->dev_minor < b->dev_minor ? -1 : 1;
	return p->at < q->at ? -1 : p->at > q->at;
}

/*
 * What the rules see of each entry: with a process, how many processes read
 * the same file and what they read in all, on the first of them (in v's order).
 */
static struct rjudge *judges_of(struct rentry *const *v, size_t n)
{
	struct rjudge *j = calloc(n ? n : 1, sizeof(*j));
	struct placed *s = malloc((n ? n : 1) * sizeof(*s));
	bool pids = false;

	if (!j || !s) {
		free(j);
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		j[i].e = v[i];
		s[i] = (struct placed){ v[i], i };
		pids |= v[i]->has_pid;
	}
	/* without processes told apart there is nothing to count: no sort */
	if (!pids) {
		free(s);
		return j;
	}
	qsort(s, n, sizeof(*s), by_file);
	for (size_t a = 0, b; a < n; a = b) {
		size_t readers = 0, first = SIZE_MAX;
		uint64_t bytes = 0;

		/* sorted by place within a file: the first with a process comes first */
		for (b = a; b < n && same_file(s[a].e, s[b].e); b++) {
			const struct rside *r = &s[b].e->side[SIDE_READ];

			if (s[b].e->has_pid && first == SIZE_MAX)
				first = s[b].at;
			if (!s[b].e->has_pid || !r->present || !r->calls)
				continue;
			readers++;
			bytes += r->bytes;
		}
		if (first != SIZE_MAX) {
			j[first].first = true;
			j[first].readers = readers;
			j[first].read_bytes = bytes;
		}
	}
	free(s);
	return j;
}

int report_findings(struct rentry *const *v, size_t n, struct rfindings *out)
{
	struct rjudge *j = judges_of(v, n);
	size_t cap = 0;

	out->v = NULL;
	out->cnt = 0;
	if (!j)
		return -1;
	for (size_t r = 0; r < report_rule_cnt; r++) {
		for (size_t i = 0; i < n; i++) {
			for (int side = SIDE_READ; side <= SIDE_WRITE; side++) {
				struct rfinding f = { .rule = &report_rules[r], .e = v[i] };

				if (!report_rules[r].judge(&j[i], side, f.what, sizeof(f.what)))
					continue;
				if (out->cnt == cap) {
					size_t nc = cap ? 2 * cap : 16;
					struct rfinding *nv = realloc(out->v, nc * sizeof(*nv));

					if (!nv) {
						report_findings_free(out);
						free(j);
						return -1;
					}
					out->v = nv;
					cap = nc;
				}
				out->v[out->cnt++] = f;
			}
		}
	}
	free(j);
	return 0;
}
