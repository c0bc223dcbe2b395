// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report --fio-job OUT.fio`: a fio job file that does to a scratch
 * file what the application did to each of its busiest files (or groups):
 * the read/write mix of the calls, the request sizes of each direction
 * (bssplit), the random share of each (percentage_random), the syncs (one
 * per so many writes), the I/O engine of the syscalls that moved most of
 * the bytes, O_DIRECT where the opens used it, a job per process with
 * --per-process, and the number of I/Os itself.  The figures it was made
 * from are written above each job as comments.  fio issues a sync after
 * every N I/Os (reads too) once N writes were issued, so N is the calls
 * per sync, not the writes.
 *
 * What a record cannot say is named in the comments: the file's size (the
 * region is the bytes the calls moved, at least 1 MiB), the offsets
 * themselves (fio draws its own), and think time between calls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define FIO_JOBS_MAX 8 /* jobs: the files or groups that moved the most */
#define MIB	     ((uint64_t)1024 * 1024)

/* fio's I/O engines, and the syscalls each makes */
enum { E_SYNC, E_PSYNC, E_VSYNC, E_PVSYNC, E_PVSYNC2, E_LIBAIO, E_URING, E_CNT };
static const char *const engine_names[E_CNT] = { "sync",    "psync",  "vsync",	 "pvsync",
						 "pvsync2", "libaio", "io_uring" };

static int engine_of(int sc)
{
	switch (sc) {
	case SC_read:
	case SC_write:
		return E_SYNC;
	case SC_pread64:
	case SC_pwrite64:
		return E_PSYNC;
	case SC_readv:
	case SC_writev:
		return E_VSYNC;
	case SC_preadv:
	case SC_pwritev:
		return E_PVSYNC;
	case SC_preadv2:
	case SC_pwritev2:
		return E_PVSYNC2;
	case SC_aio_pread:
	case SC_aio_pwrite:
		return E_LIBAIO;
	case SC_uring_read:
	case SC_uring_write:
	case SC_uring_readv:
	case SC_uring_writev:
	case SC_uring_read_fixed:
	case SC_uring_write_fixed:
		return E_URING;
	}
	return -1;
}

/* the engine of the syscalls that moved the most bytes (calls break a tie); psync if none */
static const char *engine(const struct rentry *e)
{
	uint64_t bytes[E_CNT] = { 0 };
	int best = E_PSYNC;

	for (size_t s = 0; s < e->sc_cnt; s++) {
		int k = engine_of(e->sc[s].idx);

		if (k >= 0)
			bytes[k] += e->sc[s].bytes + e->sc[s].calls;
	}
	for (int k = 0; k < E_CNT; k++)
		if (bytes[k] > bytes[best])
			best = k;
	return engine_names[best];
}

static uint64_t sc_calls(const struct rentry *e, int sc)
{
	for (size_t s = 0; s < e->sc_cnt; s++)
		if (e->sc[s].idx == sc)
			return e->sc[s].calls;
	return 0;
}

/* a size for fio: k, m or g when it divides evenly */
static void fio_size(char *b, size_t sz, uint64_t v)
{
	if (v && !(v % (1024 * MIB)))
		snprintf(b, sz, "%" PRIu64 "g", v / (1024 * MIB));
	else if (v && !(v % MIB))
		snprintf(b, sz, "%" PRIu64 "m", v / MIB);
	else if (v && !(v % 1024))
		snprintf(b, sz, "%" PRIu64 "k", v / 1024);
	else
		snprintf(b, sz, "%" PRIu64, v);
}

/*
 * The request sizes of a direction as "SIZE/PCT:SIZE/PCT", each bucket by
 * its lower bound (at least 1 byte), percentages rounded so that they add
 * up to 100 (largest remainders first); sizes under 1% left out.  False
 * when the direction had no request.
 */
static bool bssplit(const struct rentry *e, int d, char *out, size_t sz)
{
	struct rhist h = { 0 };
	uint64_t all = 0;
	size_t n = 0, len = 0;
	int err = 0;

	for (int k = 0; k < 3 && !err; k++) {
		struct rhist one;

		err = rentry_req_hist(e, rdir_sides[d][k], &one);
		err = err ?: rhist_add(&h, &one);
		if (!err)
			rhist_free(&one);
	}
	for (size_t i = 0; i < h.cnt; i++)
		all += h.b[i].cnt;
	out[0] = '\0';
	if (err || !all) {
		rhist_free(&h);
		return false;
	}
	{
		unsigned int pct[h.cnt], used = 0;
		uint64_t rem[h.cnt];

		for (size_t i = 0; i < h.cnt; i++) {
			pct[i] = (unsigned int)(h.b[i].cnt * 100 / all);
			rem[i] = h.b[i].cnt * 100 % all;
			used += pct[i];
		}
		while (used < 100) {
			size_t best = 0;

			for (size_t i = 1; i < h.cnt; i++)
				if (rem[i] > rem[best])
					best = i;
			pct[best]++;
			rem[best] = 0;
			used++;
		}
		for (size_t i = 0; i < h.cnt; i++) {
			char b[32];

			if (!pct[i])
				continue;
			fio_size(b, sizeof(b), h.b[i].lo ? h.b[i].lo : 1);
			len += (size_t)snprintf(out + len, len < sz ? sz - len : 0, "%s%s/%u",
						n++ ? ":" : "", b, pct[i]);
		}
	}
	rhist_free(&h);
	return len < sz;
}

/* the random share of a direction in percent (100 - the sequential share) */
static unsigned int random_pct(const struct rentry *e, int d)
{
	uint64_t ok = 0, seq = 0;

	for (int k = 0; k < 3; k++) {
		const struct rside *s = &e->side[rdir_sides[d][k]];

		ok += s->calls - s->errors;
		seq += s->seq_calls;
	}
	return ok ? (unsigned int)(100 - (seq * 100 + ok / 2) / ok) : 0;
}

static void job(FILE *f, const struct rentry *e, size_t idx)
{
	uint64_t r = rentry_dir_calls(e, 0, true), w = rentry_dir_calls(e, 1, true);
	uint64_t fs = sc_calls(e, SC_fsync) + sc_calls(e, SC_uring_fsync);
	uint64_t fds = sc_calls(e, SC_fdatasync) + sc_calls(e, SC_uring_fdatasync);
	uint64_t rb = rentry_dir_bytes(e, 0), wb = rentry_dir_bytes(e, 1);
	uint64_t region_mib = ((rb > wb ? rb : wb) + MIB - 1) / MIB; /* at least 1 MiB */
	char split[2][512], b[32];
	bool has[2];
	bool direct = false;
	const char *base = memrchr(e->path, '/', e->path_len);

	base = base ? base + 1 : e->path;
	for (int d = 0; d < 2; d++)
		has[d] = bssplit(e, d, split[d], sizeof(split[d]));
	for (int s = 0; s < SIDES; s++)
		direct |= e->side[s].oflags[OFLAG_DIRECT] != 0;
	fprintf(f, "\n# %.*s\n", (int)e->path_len, e->path);
	fprintf(f,
		"#   reads %" PRIu64 " (%" PRIu64 " bytes, %u%% random), writes %" PRIu64
		" (%" PRIu64 " bytes, %u%% random), fsync %" PRIu64 ", fdatasync %" PRIu64 "\n",
		r, rb, random_pct(e, 0), w, wb, random_pct(e, 1), fs, fds);
	if (has[0])
		fprintf(f, "#   read request sizes: %s\n", split[0]);
	if (has[1])
		fprintf(f, "#   write request sizes: %s\n", split[1]);
	fprintf(f, "#   the region is the bytes moved (the file's size is not in the record)\n");
	fprintf(f, "[file%zu]\n", idx);
	fprintf(f, "filename=iotrace-replay.%zu.", idx);
	for (const char *c = base; c < e->path + e->path_len; c++)
		fputc((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ||
				      *c == '_'
			      ? *c
			      : '_',
		      f);
	fputc('\n', f);
	fprintf(f, "ioengine=%s\n", engine(e));
	if (r && w)
		fprintf(f, "rw=randrw\nrwmixread=%u\n",
			(unsigned int)((r * 100 + (r + w) / 2) / (r + w)));
	else
		fprintf(f, "rw=%s\n", w ? "randwrite" : "randread");
	fprintf(f, "percentage_random=%u,%u\n", random_pct(e, 0), random_pct(e, 1));
	if (has[0] && has[1])
		fprintf(f, "bssplit=%s,%s\n", split[0], split[1]);
	else if (has[0] || has[1])
		fprintf(f, "bssplit=%s\n", has[0] ? split[0] : split[1]);
	/* fio syncs after every N I/Os, reads included, once N writes were issued */
	if (w && (fs || fds)) {
		uint64_t syncs = fs >= fds ? fs : fds, every = (r + w + syncs / 2) / syncs;

		fprintf(f, "%s=%" PRIu64 "\n", fs >= fds ? "fsync" : "fdatasync",
			every ? every : 1);
	}
	if (direct)
		fprintf(f, "direct=1\n");
	fio_size(b, sizeof(b), (region_mib ? region_mib : 1) * MIB);
	fprintf(f, "size=%s\n", b);
	/* as many I/Os as the calls; io_size leaves room so that their count ends the job */
	fio_size(b, sizeof(b), 2 * (rb + wb) + MIB);
	fprintf(f, "io_size=%s\nnumber_ios=%" PRIu64 "\n", b, r + w);
	/* no random map: sizes stay those of bssplit, not cut to fill holes */
	fprintf(f, "norandommap=1\n");
}

int report_write_fio(FILE *f, struct rentry *const *v, size_t n)
{
	struct rentry **s = malloc((n ? n : 1) * sizeof(*s));
	size_t jobs = 0;

	if (!s)
		return -ENOMEM;
	memcpy(s, v, n * sizeof(*s));
	report_sort(s, n, SORT_BYTES);
	fprintf(f, "# fio job file written by iotrace report: the I/O of the files (or groups)\n"
		   "# that moved the most, replayed on scratch files in fio's directory.\n"
		   "[global]\n");
	for (size_t i = 0; i < n && jobs < FIO_JOBS_MAX; i++) {
		if (!rentry_dir_calls(s[i], 0, true) && !rentry_dir_calls(s[i], 1, true))
			continue;
		job(f, s[i], jobs++);
	}
	if (!jobs)
		fprintf(f, "\n# no file had reads or writes: no job\n");
	free(s);
	return 0;
}
