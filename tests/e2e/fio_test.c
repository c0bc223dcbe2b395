// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report --fio-job`, closed: fio runs a job of a known shape under
 * iotrace, report writes a job from that trace, fio runs the written job
 * under iotrace, and the two traces of the file are compared figure by
 * figure.  The fidelity of each figure is printed, one line per shape, and
 * held to bounds: the read share of the calls within 2 points, each request
 * size's share within 2 points per direction, the random share within 5
 * points per direction, the calls per sync exactly (rounded), the I/O engine
 * the same syscalls.  The original's figures are also held to the shape it
 * was given, so the loop cannot agree with itself on the wrong thing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "format/jsonr.h"

static char *tdir;

static void teardown(void)
{
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

/* a shape: its fio options, what the trace must show of it, and the syscalls it makes */
struct shape {
	const char *name, *opts;
	double mix;	/* read share of the calls, percent */
	double rnd[2];	/* random share of reads, writes */
	long per_sync;	/* calls per sync, 0: none */
	const char *sc; /* the syscall name of its reads or writes (the engine's) */
};

static const struct shape shapes[] = {
	{ "psync-randrw-fsync",
	  "ioengine=psync\nrw=randrw\nrwmixread=70\nbssplit=4k/50:64k/50\nfsync=8\nsize=16m\n"
	  "number_ios=20000\n",
	  70,
	  { 100, 100 },
	  8,
	  "pread64" },
	{ "sync-seqread",
	  "ioengine=sync\nrw=read\nbs=128k\nsize=64m\nnumber_ios=512\n",
	  100,
	  { 0, 0 },
	  0,
	  "read" },
	{ "pvsync2-halfrandom-fdatasync",
	  "ioengine=pvsync2\nrw=randwrite\nbssplit=8k/30:16k/70\npercentage_random=50\n"
	  "fdatasync=4\nsize=32m\nnumber_ios=8000\n",
	  0,
	  { 0, 50 },
	  4,
	  "pwritev2" },
	{ "io_uring-randread",
	  "ioengine=io_uring\nrw=randread\nbs=8k\niodepth=4\nsize=32m\n"
	  "number_ios=8000\n",
	  100,
	  { 100, 0 },
	  0,
	  "io_uring_read" },
};

/* the syscalls of each direction, and the syncs */
static const char *const reads_sc[] = { "read",		  "readv",
					"pread64",	  "preadv",
					"preadv2",	  "io_uring_read",
					"io_uring_readv", "io_uring_read_fixed",
					"aio_pread",	  NULL };
static const char *const writes_sc[] = { "write",	    "writev",
					 "pwrite64",	    "pwritev",
					 "pwritev2",	    "io_uring_write",
					 "io_uring_writev", "io_uring_write_fixed",
					 "aio_pwrite",	    NULL };
static const char *const syncs_sc[] = { "fsync", "fdatasync", "io_uring_fsync",
					"io_uring_fdatasync", NULL };

#define SIZES 64

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

/* a trace's figures of one file */
struct figures {
	double calls[2], syncs;
	double size_cnt[2][SIZES]; /* calls by log2 of the request's lower bucket bound */
	double seq[2], ok[2];
	bool made[16]; /* which of the engine names' syscalls it made */
};

static uint64_t u64(const struct jval *v)
{
	uint64_t x = 0;

	jval_u64(v, &x);
	return x;
}

static void add_sc(struct figures *g, const struct jval *sc, int d)
{
	const struct jval *h = jval_get(sc, "req_hist");

	g->calls[d] += (double)(u64(jval_get(sc, "calls")) - u64(jval_get(sc, "errors")));
	for (size_t i = 0; i < jval_len(h); i++) {
		uint64_t lo = u64(jval_idx(jval_idx(h, i), 0));
		int k = 0;

		while (k < SIZES - 1 && (1ULL << (k + 1)) <= lo)
			k++;
		g->size_cnt[d][k] += (double)u64(jval_idx(jval_idx(h, i), 2));
	}
}

static struct figures figures_of(const char *doc_path, const char *file)
{
	static const char *const sides[2][2] = { { "read", "async_read" },
						 { "write", "async_write" } };
	const char *const *names[2] = { reads_sc, writes_sc };
	struct figures g = { 0 };
	const struct jval *f, *scs;
	struct jval *doc;

	doc = doc_load(doc_path);
	f = doc_record(doc, file);
	cr_assert_not_null(f, "%s: no record of %s", doc_path, file);
	scs = jval_get(f, "syscalls");
	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; names[d][i]; i++) {
			const struct jval *sc = jval_get(scs, names[d][i]);

			if (sc)
				add_sc(&g, sc, d);
		}
		for (int s = 0; s < 2; s++) {
			const struct jval *side = jval_get(f, sides[d][s]);

			if (!side || side->type != JT_OBJ)
				continue;
			g.seq[d] += (double)u64(jval_get(side, "seq_calls"));
			g.ok[d] += (double)(u64(jval_get(side, "calls")) -
					    u64(jval_get(side, "errors")));
		}
	}
	for (size_t i = 0; syncs_sc[i]; i++)
		g.syncs += (double)u64(jval_get(jval_get(scs, syncs_sc[i]), "calls"));
	jval_free(doc);
	return g;
}

static double mix_of(const struct figures *g)
{
	return 100 * g->calls[0] / (g->calls[0] + g->calls[1]);
}

static double rnd_of(const struct figures *g, int d)
{
	return g->ok[d] ? 100 - 100 * g->seq[d] / g->ok[d] : 0;
}

static long per_sync_of(const struct figures *g)
{
	return g->syncs ? (long)((g->calls[0] + g->calls[1]) / g->syncs + 0.5) : 0;
}

/* the largest difference of a request size's share between the two, in points */
static double split_gap(const struct figures *a, const struct figures *b, int d)
{
	double worst = 0;

	for (int k = 0; k < SIZES; k++) {
		double x = a->calls[d] ? 100 * a->size_cnt[d][k] / a->calls[d] : 0;
		double y = b->calls[d] ? 100 * b->size_cnt[d][k] / b->calls[d] : 0;

		worst = dabs(x - y) > worst ? dabs(x - y) : worst;
	}
	return worst;
}

static void run_ok(char *const argv[], const char *what)
{
	struct e2e_proc p;

	cr_assert_eq(e2e_run(argv, 300, &p), 0, "%s", what);
	cr_assert(!p.timed_out, "%s timed out", what);
	cr_assert_eq(p.status, 0, "%s: exit %d: %s", what, p.status, p.err);
	e2e_proc_free(&p);
}

/* a file of size bytes (sparse), so that fio does not lay it out under the trace */
static void make_sparse(const char *path, const char *size)
{
	char *argv[] = { "truncate", "-s", (char *)size, (char *)path, NULL };

	run_ok(argv, "truncate");
}

/* filename= and size= of the written job's first job */
static void job_file(const char *fio, char *name, size_t nsz, char *size, size_t ssz)
{
	char *text, *at;
	size_t len;

	cr_assert_eq(e2e_read_file(fio, &text, &len), 0, "%s", fio);
	at = strstr(text, "\nfilename=");
	cr_assert_not_null(at, "no filename= in the job:\n%s", text);
	snprintf(name, nsz, "%.*s", (int)strcspn(at + 10, "\n"), at + 10);
	at = strstr(text, "\nsize=");
	cr_assert_not_null(at, "no size= in the job:\n%s", text);
	snprintf(size, ssz, "%.*s", (int)strcspn(at + 6, "\n"), at + 6);
	free(text);
}

static void closed_loop(const struct shape *s)
{
	char dir[PATH_MAX], job[PATH_MAX + 16], orig[PATH_MAX + 16], odoc[PATH_MAX + 16];
	char written[PATH_MAX + 16], rdoc[PATH_MAX + 16], rname[256], rsize[32],
		rfile[PATH_MAX + 300], dirarg[PATH_MAX + 16], size[32];
	struct figures a, b;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s", tdir, s->name);
	cr_assert_eq(mkdir(dir, 0700), 0, "%s", dir);
	snprintf(job, sizeof(job), "%s/orig.fio", dir);
	snprintf(orig, sizeof(orig), "%s/orig.dat", dir);
	snprintf(odoc, sizeof(odoc), "%s/orig.json", dir);
	snprintf(written, sizeof(written), "%s/replay.fio", dir);
	snprintf(rdoc, sizeof(rdoc), "%s/replay.json", dir);
	f = fopen(job, "w");
	cr_assert_not_null(f);
	fprintf(f, "[orig]\nfilename=%s\nio_size=4g\nnorandommap=1\n%s", orig, s->opts);
	fclose(f);
	snprintf(size, sizeof(size), "%.*s", (int)strcspn(strstr(s->opts, "size=") + 5, "\n"),
		 strstr(s->opts, "size=") + 5);
	make_sparse(orig, size);
	{
		char *argv[] = { E2E_IOTRACE,	       "-q", "-o", odoc, "--", "fio",
				 "--output=/dev/null", job,  NULL };

		run_ok(argv, "iotrace -- fio (the original)");
	}
	{
		char *argv[] = { E2E_IOTRACE, "report", "--path", orig,
				 "--fio-job", written,	odoc,	  NULL };

		run_ok(argv, "report --fio-job");
	}
	job_file(written, rname, sizeof(rname), rsize, sizeof(rsize));
	snprintf(rfile, sizeof(rfile), "%s/%s", dir, rname);
	make_sparse(rfile, rsize);
	snprintf(dirarg, sizeof(dirarg), "--directory=%s", dir);
	{
		char *argv[] = { E2E_IOTRACE,	       "-q",	"-o", rdoc, "--", "fio", dirarg,
				 "--output=/dev/null", written, NULL };

		run_ok(argv, "iotrace -- fio (the written job)");
	}
	a = figures_of(odoc, orig);
	b = figures_of(rdoc, rfile);
	fprintf(stderr,
		"fio closed loop %-30s mix %5.1f/%5.1f  size split gap r %.1f w %.1f  random r "
		"%5.1f/%5.1f w %5.1f/%5.1f  calls per sync %ld/%ld\n",
		s->name, mix_of(&a), mix_of(&b), split_gap(&a, &b, 0), split_gap(&a, &b, 1),
		rnd_of(&a, 0), rnd_of(&b, 0), rnd_of(&a, 1), rnd_of(&b, 1), per_sync_of(&a),
		per_sync_of(&b));
	/* the original is the shape it was given */
	cr_expect_leq(dabs(mix_of(&a) - s->mix), 2, "%s: the original's mix", s->name);
	for (int d = 0; d < 2; d++)
		if (a.ok[d])
			cr_expect_leq(dabs(rnd_of(&a, d) - s->rnd[d]), 5,
				      "%s: the original's random share, direction %d", s->name, d);
	cr_expect_eq(per_sync_of(&a), s->per_sync, "%s: the original's calls per sync", s->name);
	/* the replay is the original */
	cr_expect_leq(dabs(mix_of(&a) - mix_of(&b)), 2, "%s: mix", s->name);
	for (int d = 0; d < 2; d++) {
		cr_expect_leq(split_gap(&a, &b, d), 2, "%s: size split, direction %d", s->name, d);
		cr_expect_leq(dabs(rnd_of(&a, d) - rnd_of(&b, d)), 5,
			      "%s: random share, direction %d", s->name, d);
	}
	cr_expect_eq(per_sync_of(&b), per_sync_of(&a), "%s: calls per sync", s->name);
	{
		struct jval *doc = doc_load(rdoc);

		cr_expect_not_null(jval_get(jval_get(doc_record(doc, rfile), "syscalls"), s->sc),
				   "%s: the written job does not use %s", s->name, s->sc);
		jval_free(doc);
	}
}

Test(fio, a_written_job_replays_the_traced_one, .fini = teardown, .timeout = 600)
{
	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		closed_loop(&shapes[i]);
}
