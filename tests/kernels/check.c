// SPDX-License-Identifier: GPL-2.0
/*
 * `smoke check`: every field of iotrace's result against the scenario.
 * The scenario (scenario.h) is replayed on the ground-truth model the e2e
 * tests use too (tests/lib/model.h), which derives every field the way
 * docs/output-format.md defines it; dev and inode come from the workload's
 * fstat, the file system type from this mount namespace.  Beside what the
 * model compares, times are checked for order: entries and returns must
 * follow the order of the steps.  Runs where the workload ran (the guest),
 * after iotrace has exited.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include "format/jsonr.h"
#include "format/schema.h"
#include "model.h"
#include "scenario.h"
#include "smoke.h"
#include "uring.h"

#define MAX_TIMES 64

/* what each I/O op is; S_OPEN.. S_FORK are not calls the tool counts */
static const enum m_sc op_sc[] = {
	[S_READ] = M_READ,
	[S_READV] = M_READV,
	[S_PREAD] = M_PREAD64,
	[S_PREADV] = M_PREADV,
	[S_PREADV2] = M_PREADV2,
	[S_WRITE] = M_WRITE,
	[S_WRITEV] = M_WRITEV,
	[S_PWRITE] = M_PWRITE64,
	[S_PWRITEV] = M_PWRITEV,
	[S_PWRITEV2] = M_PWRITEV2,
	[S_SENDFILE] = M_SENDFILE,
	[S_FSYNC] = M_FSYNC,
	[S_FDATASYNC] = M_FDATASYNC,
	[S_COPY] = M_COPY_FILE_RANGE,
	[S_SPLICE] = M_SPLICE,
	[S_AIO_READ] = M_AIO_PREAD,
	[S_AIO_WRITE] = M_AIO_PWRITE,
	[S_URING_READ] = M_URING_READ,
	[S_URING_WRITE] = M_URING_WRITE,
	[S_URING_FSYNC] = M_URING_FSYNC,
};
/* the sides of a FILE, as the model numbers them */
static const char *const side_keys4[6] = { "read",	 "write",      "copy_read",
					   "copy_write", "async_read", "async_write" };

/* a scenario file beside its model file: its names and the steps of its sides */
struct smoke_file {
	char path[PATH_MAX];	/* the name it was opened by (facts use it) */
	char name[PATH_MAX];	/* its name now: path, or a link left when path is gone */
	char link[PATH_MAX];	/* the last link made to it */
	char born[PATH_MAX];	/* its name at its first I/O, when its record was made */
	int links;		/* names it has */
	struct m_file *f;	/* NULL: not below A or B, not a file the tool records */
	long first[6], last[6]; /* first step of each side, last that succeeded; -1: none */
};

struct replay {
	struct model m;
	struct smoke_file files[16];
	size_t file_cnt;
	int fd[SMOKE_SLOTS];		    /* model fd of each slot */
	struct smoke_file *sf[SMOKE_SLOTS]; /* and its file */
	struct replay_aio {		    /* AIO requests queued for the next S_AIO_SUBMIT */
		int handle;
		struct smoke_file *sf;
		int side;
		int64_t ret;
	} aio[8];
	size_t aio_cnt;
	bool uring;	       /* this kernel attributes io_uring requests to files */
	uint64_t uring_unseen; /* the io_uring requests it cannot attribute */
};

/* one timestamp of the result and the step it belongs to */
struct stamp {
	long step;
	int phase; /* 0 entry, 1 return */
	uint64_t ns;
	char what[PATH_MAX + 128];
};

struct checker {
	int bad, fields;
	uint64_t duration;
	struct stamp times[MAX_TIMES];
	size_t time_cnt;
};

__attribute__((format(printf, 2, 3))) static void fail(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	c->bad++;
	printf("smoke check: FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- the scenario on the model ------------------------------------------------------------- */

static struct smoke_file *file_of(struct replay *r, const char *rel, const char *a, const char *b)
{
	char path[PATH_MAX];
	struct smoke_file *sf;

	if (smoke_path(path, sizeof(path), rel, a, b))
		return NULL;
	for (size_t i = 0; i < r->file_cnt; i++)
		if (!strcmp(r->files[i].path, path))
			return &r->files[i];
	if (r->file_cnt == sizeof(r->files) / sizeof(r->files[0]))
		return NULL;
	sf = &r->files[r->file_cnt++];
	memset(sf, 0, sizeof(*sf));
	snprintf(sf->path, sizeof(sf->path), "%s", path);
	snprintf(sf->name, sizeof(sf->name), "%s", path);
	sf->links = 1;
	for (int s = 0; s < 6; s++)
		sf->first[s] = sf->last[s] = -1;
	/* only regular files below A and B get records; /dev/null and the like do not */
	if (rel[0] == 'A' || rel[0] == 'B')
		sf->f = m_file_abs(&r->m, path, 0);
	return sf;
}

static void side_step(struct smoke_file *sf, int side, int64_t ret, long step)
{
	if (!sf || !sf->f)
		return;
	if (sf->first[side] < 0)
		sf->first[side] = step;
	if (ret >= 0)
		sf->last[side] = step;
}

/* a copy_file_range or splice: copy_read on its source, copy_write on its destination */
static void replay_copy(struct replay *r, const struct smoke_step *s, long step)
{
	struct smoke_file *in = s->slot == SMOKE_PIPE ? NULL : r->sf[s->slot];
	struct smoke_file *out = s->out == SMOKE_PIPE ? NULL : r->sf[s->out];
	int ifd = in && in->f ? r->fd[s->slot] : -1, ofd = out && out->f ? r->fd[s->out] : -1;
	uint64_t o = (uint64_t)s->off, oo = (uint64_t)s->off_out;
	uint64_t *op = s->off == NOPTR ? NULL : &o, *oop = s->off_out == NOPTR ? NULL : &oo;

	if (ifd >= 0 && !in->born[0])
		memcpy(in->born, in->name, sizeof(in->born));
	if (ofd >= 0 && !out->born[0])
		memcpy(out->born, out->name, sizeof(out->born));
	side_step(ifd >= 0 ? in : NULL, 2, s->ret, step);
	side_step(ofd >= 0 ? out : NULL, 3, s->ret, step);
	if (s->ret < 0)
		m_copy_fail(&r->m, op_sc[s->op], ifd, op, ofd, oop, s->len[0]);
	else
		m_copy(&r->m, op_sc[s->op], ifd, op, ofd, oop, s->len[0], (uint64_t)s->ret);
}

static void replay_io(struct replay *r, const struct smoke_step *s, long step)
{
	struct smoke_file *sf = s->slot < SMOKE_SLOTS ? r->sf[s->slot] : NULL;
	enum m_sc sc = op_sc[s->op];
	int fd = s->slot < SMOKE_SLOTS ? r->fd[s->slot] : -1;
	int side = sc >= M_WRITE && sc <= M_PWRITEV2;
	uint64_t req = smoke_req(s), off = s->off == NOPTR ? M_POS : (uint64_t)s->off;

	if (s->op == S_COPY || s->op == S_SPLICE) {
		replay_copy(r, s, step);
		return;
	}
	if (!sf->f)
		return;
	if (!sf->born[0])
		memcpy(sf->born, sf->name, sizeof(sf->born));
	if (s->op == S_FSYNC || s->op == S_FDATASYNC) {
		m_sync(&r->m, fd, sc, s->ret >= 0, 0);
		return;
	}
	side_step(sf, side, s->ret, step);
	if (s->op == S_SENDFILE) {
		struct smoke_file *out = r->sf[s->out];
		uint64_t o = (uint64_t)s->off;

		side_step(out, 1, s->ret, step);
		m_sendfile(&r->m, out->f ? r->fd[s->out] : -1, fd, s->off == NOPTR ? NULL : &o,
			   req);
	} else if (s->ret < 0) {
		m_fail(&r->m, fd, sc, req, s->start);
	} else if (side) {
		m_wcall(&r->m, fd, sc, req, sc == M_WRITE || sc == M_WRITEV ? M_POS : off);
	} else {
		m_rcall(&r->m, fd, sc, req, sc == M_READ || sc == M_READV ? M_POS : off);
	}
}

static int replay_path(struct replay *r, const struct smoke_step *s, const char *a, const char *b)
{
	struct smoke_file *sf = file_of(r, s->path, a, b);
	char path[PATH_MAX];

	if (!sf)
		return -ENOMEM;
	switch (s->op) {
	case S_OPEN:
		r->sf[s->slot] = sf;
		r->fd[s->slot] = sf->f ? m_open(&r->m, sf->f, s->flags) : -1;
		return 0;
	case S_LINK:
		sf->links++;
		return smoke_path(sf->link, sizeof(sf->link), s->path2, a, b);
	case S_RENAME:
		return smoke_path(sf->name, sizeof(sf->name), s->path2, a, b);
	default: /* S_UNLINK: named by a remaining link from now on (here only path or link) */
		sf->links--;
		if (smoke_path(path, sizeof(path), s->path, a, b))
			return -ENAMETOOLONG;
		if (sf->links && !strcmp(path, sf->name))
			memcpy(sf->name, sf->link, sizeof(sf->name));
		return 0;
	}
}

static int replay(struct replay *r, const char *a, const char *b)
{
	int err = 0;

	for (size_t i = 0; i < SMOKE_STEP_CNT && !err; i++) {
		const struct smoke_step *s = &smoke_steps[i];

		switch (s->op) {
		case S_OPEN:
		case S_LINK:
		case S_RENAME:
		case S_UNLINK:
			err = replay_path(r, s, a, b);
			break;
		case S_FORK: /* the child's calls count like its parent's */
			break;
		case S_AIO_READ: /* submitted (judged) in queue order, counted when reaped */
		case S_AIO_WRITE:
			if (r->sf[s->slot]->f)
				r->aio[r->aio_cnt++] = (struct replay_aio){
					m_aio_submit(&r->m, r->fd[s->slot], s->op == S_AIO_WRITE,
						     s->len[0], (uint64_t)s->off),
					r->sf[s->slot], s->op == S_AIO_WRITE ? 5 : 4, s->ret
				};
			break;
		case S_AIO_SUBMIT: /* io_submit's entry and io_getevents' return: this step */
			for (size_t k = 0; k < r->aio_cnt; k++) {
				side_step(r->aio[k].sf, r->aio[k].side, r->aio[k].ret, (long)i);
				m_aio_done(&r->m, r->aio[k].handle, r->aio[k].ret);
			}
			r->aio_cnt = 0;
			break;
		case S_URING_READ: /* counted at its completion, this step */
		case S_URING_WRITE:
		case S_URING_FSYNC:
			if (!r->uring)
				r->uring_unseen++;
			else if (r->sf[s->slot]->f && s->op == S_URING_FSYNC)
				m_uring_sync(&r->m, r->fd[s->slot], M_URING_FSYNC, s->ret);
			else if (r->sf[s->slot]->f) {
				m_uring(&r->m, r->fd[s->slot], op_sc[s->op], s->len[0],
					(uint64_t)s->off, s->ret);
				side_step(r->sf[s->slot], s->op == S_URING_WRITE ? 5 : 4, s->ret,
					  (long)i);
			}
			break;
		case S_SEEK:
			if (r->sf[s->slot]->f)
				m_seek(&r->m, r->fd[s->slot], (uint64_t)s->off);
			break;
		case S_MAP_READ: /* faults: compared apart (check_mapped), never calls */
			break;
		case S_CLOSE:
			if (r->sf[s->slot]->f)
				m_close(&r->m, r->fd[s->slot]);
			break;
		default:
			replay_io(r, s, (long)i);
			break;
		}
	}
	/* the name a record ends with: the one it has at the end, its last when it has none */
	for (size_t i = 0; i < r->file_cnt && !err; i++) {
		struct m_file *f = r->files[i].f;

		if (!f)
			continue;
		f->deleted = !r->files[i].links;
		f->shown_len = (size_t)snprintf(f->shown, sizeof(f->shown), "%s", r->files[i].name);
		/* renamed since its record was made: the first name is its former path */
		if (r->files[i].born[0] && strcmp(r->files[i].born, r->files[i].name))
			snprintf(f->former, sizeof(f->former), "%s", r->files[i].born);
	}
	return err;
}

/* dev and inode from the workload's fstat, fstype from this mount namespace */
static int read_facts(struct replay *r, const char *facts)
{
	char line[PATH_MAX + 128], path[PATH_MAX], fstype[64];
	unsigned int maj, min;
	unsigned long long ino;
	FILE *in = fopen(facts, "re");
	int err = 0;

	if (!in)
		return -errno;
	while (!err && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "fact %4095s %u:%u %llu", path, &maj, &min, &ino) != 4)
			continue;
		for (size_t i = 0; i < r->file_cnt && !err; i++) {
			if (strcmp(r->files[i].path, path) || !r->files[i].f)
				continue;
			err = m_fstype(makedev(maj, min), fstype, sizeof(fstype));
			m_set_id(r->files[i].f, makedev(maj, min), (ino_t)ino, fstype);
		}
	}
	fclose(in);
	for (size_t i = 0; !err && i < r->file_cnt; i++)
		if (r->files[i].f && !r->files[i].f->have_stat)
			err = -ENODATA;
	return err;
}

/* ---- what the model does not compare ---------------------------------------------------------- */

static void add_time(struct checker *c, long step, int phase, uint64_t ns, const char *where)
{
	struct stamp *t;

	if (c->time_cnt == MAX_TIMES)
		return;
	t = &c->times[c->time_cnt++];
	t->step = step;
	t->phase = phase;
	t->ns = ns;
	snprintf(t->what, sizeof(t->what), "%s (step %ld)", where, step);
}

static void collect_times(struct checker *c, const struct jval *doc, const struct replay *r)
{
	const struct jval *files = jval_get(doc, "files");

	for (size_t i = 0; i < jval_len(files); i++) {
		const struct jval *rec = jval_idx(files, i);
		const char *p = jval_str(jval_get(rec, "path"), NULL);

		for (size_t k = 0; p && k < r->file_cnt; k++) {
			const struct smoke_file *sf = &r->files[k];
			char where[PATH_MAX + 16];
			uint64_t ns;

			if (!sf->f || strcmp(sf->f->shown, p))
				continue;
			for (int s = 0; s < 6; s++) {
				const struct jval *o = jval_get(rec, side_keys4[s]);

				snprintf(where, sizeof(where), "%.*s: %s", PATH_MAX - 1, p,
					 side_keys4[s]);
				if (sf->first[s] >= 0 &&
				    !jval_u64(jval_get(o, "first_entry_ns"), &ns))
					add_time(c, sf->first[s], 0, ns, where);
				if (sf->last[s] >= 0 &&
				    !jval_u64(jval_get(o, "last_return_ns"), &ns))
					add_time(c, sf->last[s], 1, ns, where);
			}
		}
	}
}

static int cmp_stamp(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return x->phase - y->phase;
}

/*
 * Entries and returns happened in step order, inside the trace.  Stamps of
 * the same step and phase (sendfile's two files) are taken one after the
 * other in either order, so each is held only to the groups before it.
 */
static void check_times(struct checker *c)
{
	const struct stamp *t = c->times, *latest = NULL, *group_latest = NULL;

	qsort(c->times, c->time_cnt, sizeof(c->times[0]), cmp_stamp);
	for (size_t i = 0; i < c->time_cnt; i++) {
		if (i && cmp_stamp(&t[i - 1], &t[i]))
			latest = group_latest;
		c->fields++;
		if (t[i].ns > c->duration)
			fail(c, "%s %llu: after the end of the trace (%llu)", t[i].what,
			     (unsigned long long)t[i].ns, (unsigned long long)c->duration);
		if (latest && t[i].ns < latest->ns)
			fail(c, "%s %llu: earlier than %s %llu", t[i].what,
			     (unsigned long long)t[i].ns, latest->what,
			     (unsigned long long)latest->ns);
		if (!group_latest || t[i].ns > group_latest->ns)
			group_latest = &t[i];
	}
}

static void check_top(struct checker *c, const struct jval *doc)
{
	const char *kernel = jval_str(jval_get(jval_get(doc, "host"), "kernel"), NULL);
	uint64_t schema = 0;
	struct utsname u;

	c->fields += 3;
	if (jval_u64(jval_get(doc, "schema"), &schema) || schema != FORMAT_SCHEMA)
		fail(c, "result.schema: got %llu, want %d", (unsigned long long)schema,
		     FORMAT_SCHEMA);
	if (!uname(&u) && (!kernel || strcmp(kernel, u.release)))
		fail(c, "host.kernel: got %s, want %s", kernel ? kernel : "(none)", u.release);
	if (jval_u64(jval_get(doc, "duration_ns"), &c->duration) || !c->duration)
		fail(c, "duration_ns: missing or 0");
}

static uint64_t u64_or0(const struct jval *v)
{
	uint64_t x = 0;

	jval_u64(v, &x);
	return x;
}

/*
 * The timelines: a top-level timeline, and in every FILE one series per
 * side and fsync that had calls, bins ascending below timeline.bins, each
 * column adding up to its total
 */
static void check_timelines(struct checker *c, const struct jval *doc)
{
	static const char *const series[] = { "read",	    "write",	  "copy_read",
					      "copy_write", "async_read", "async_write",
					      "fsync" };
	static const char *const cols[] = { "calls", "errors", "bytes", "total_ns" };
	const struct jval *tl = jval_get(doc, "timeline"), *files = jval_get(doc, "files");
	uint64_t bins = u64_or0(jval_get(tl, "bins"));

	c->fields++;
	if (!tl || !u64_or0(jval_get(tl, "bin_ns")) || !bins) {
		fail(c, "timeline: missing, or no bins");
		return;
	}
	for (size_t i = 0; i < jval_len(files); i++) {
		const struct jval *f = jval_idx(files, i), *ft = jval_get(f, "timeline");
		const char *path = jval_str(jval_get(f, "path"), NULL);

		c->fields++;
		for (size_t s = 0; s < sizeof(series) / sizeof(series[0]); s++) {
			const struct jval *tot = jval_get(f, series[s]),
					  *ser = jval_get(ft, series[s]);
			const struct jval *b = jval_get(ser, "bins");

			for (size_t k = 0; k < jval_len(b); k++)
				if (u64_or0(jval_idx(b, k)) >= bins ||
				    (k && u64_or0(jval_idx(b, k)) <= u64_or0(jval_idx(b, k - 1))))
					fail(c, "%s: timeline.%s: bins out of order or range", path,
					     series[s]);
			for (size_t k = 0; k < 4; k++) {
				const struct jval *col = jval_get(ser, cols[k]);
				uint64_t sum = 0;

				if (s == 6 && k == 2)
					continue; /* fsync has no bytes */
				for (size_t j = 0; j < jval_len(col); j++)
					sum += u64_or0(jval_idx(col, j));
				if (sum != u64_or0(jval_get(tot, cols[k])))
					fail(c,
					     "%s: timeline.%s.%s adds up to %llu, the total is %llu",
					     path, series[s], cols[k], (unsigned long long)sum,
					     (unsigned long long)u64_or0(jval_get(tot, cols[k])));
			}
		}
	}
}

/* io_uring where the kernel cannot attribute it: each request was one io_uring_enter of one */
static void check_unseen(struct checker *c, const struct jval *doc, const struct replay *r)
{
	static const char *const keys[3] = { "io_uring_enter_calls", "io_uring_submissions",
					     "io_uring_requests" };
	const uint64_t want[3] = { r->uring_unseen, r->uring_unseen, 0 };
	const struct jval *u = jval_get(doc, "unseen");

	for (int i = 0; i < 3; i++) {
		uint64_t got = UINT64_MAX;

		c->fields++;
		if (jval_u64(jval_get(u, keys[i]), &got) || got != want[i])
			fail(c, "unseen.%s: got %lld, want %llu", keys[i],
			     got == UINT64_MAX ? -1LL : (long long)got,
			     (unsigned long long)want[i]);
	}
}

/*
 * Skipped runs (dropped.missed_runs, 6.7 on; model_check wants the rest of
 * dropped 0) are the kernel's, mostly of other processes' calls: said, not
 * judged; the fields decide, and scenario.sh traces again when they differ
 * in a document that declares skipped runs.
 */
static void note_missed_runs(const struct jval *doc)
{
	uint64_t missed;

	if (!jval_u64(jval_get(jval_get(doc, "dropped"), "missed_runs"), &missed) && missed)
		printf("smoke check: note: the kernel skipped %llu run%s of the programs\n",
		       (unsigned long long)missed, missed == 1 ? "" : "s");
}

static const struct jval *record_of_path(const struct jval *doc, const char *path)
{
	const struct jval *files = jval_get(doc, "files");

	for (size_t i = 0; i < jval_len(files); i++)
		if (jval_str_eq(jval_get(jval_idx(files, i), "path"), path))
			return jval_idx(files, i);
	return NULL;
}

/*
 * Page faults through a mapping ("mapfact PATH FAULTS" of the workload, by
 * getrusage): the file's mapped.faults where the document says faults were
 * counted (filter.mapped), no "mapped" where it says they were not.
 */
static void check_mapped(struct checker *c, const struct jval *doc, const char *facts,
			 const char *a, const char *b)
{
	char line[PATH_MAX + 64], rel[PATH_MAX], path[PATH_MAX];
	bool counted = false;
	long faults;
	FILE *in = fopen(facts, "re");

	jval_bool(jval_get(jval_get(doc, "filter"), "mapped"), &counted);
	while (in && fgets(line, sizeof(line), in)) {
		const struct jval *rec, *m;
		uint64_t got = 0;

		if (sscanf(line, "mapfact %4095s %ld", rel, &faults) != 2 ||
		    smoke_path(path, sizeof(path), rel, a, b))
			continue;
		c->fields++;
		rec = record_of_path(doc, path);
		m = jval_get(rec, "mapped");
		if (!counted && m)
			fail(c, "%s: mapped, where filter.mapped says faults were not counted",
			     rel);
		else if (counted &&
			 (jval_u64(jval_get(m, "faults"), &got) || got != (uint64_t)faults))
			fail(c, "%s: mapped.faults: got %llu, getrusage says %ld", rel,
			     (unsigned long long)got, faults);
	}
	if (in)
		fclose(in);
}

static void print_mismatch(void *ctx, const char *msg)
{
	fail(ctx, "%s", msg);
}

/*
 * With --exclude A, no file first named below A has a record: the model
 * keeps the others (model_check still fails on any record below A), and
 * the document must say what was filtered.
 */
static void leave_out_a(struct checker *c, const struct jval *doc, struct model *m, const char *a)
{
	const struct jval *flt = jval_get(doc, "filter"), *ex = jval_get(flt, "exclude");
	size_t n = strlen(a), kept = 0;
	uint64_t excluded = 0;

	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];
		const char *first = f->former[0] ? f->former : f->path;

		if (strncmp(first, a, n) || first[n] != '/')
			m->files[kept++] =
				f; /* the others stay allocated: the replay points at them */
	}
	m->file_cnt = kept;
	c->fields += 2;
	if (jval_len(ex) != 1 || !jval_str_eq(jval_idx(ex, 0), a))
		fail(c, "filter.exclude: not [\"%s\"]", a);
	/* A's files, and /proc/self/... and the like if the run touched any */
	if (jval_u64(jval_get(flt, "excluded_files"), &excluded) || !excluded)
		fail(c, "filter.excluded_files: missing or 0");
}

int smoke_check(const char *result, const char *facts, const char *a, const char *b, bool exclude_a)
{
	struct checker c = { 0 };
	const struct model_report rep = { print_mismatch, &c };
	static struct replay r;
	struct jval *doc = NULL;
	struct jerr jerr = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *in;
	int err;

	m_init(&r.m, a);
	snprintf(r.m.dir2, sizeof(r.m.dir2), "%s", b);
	r.m.comm = SMOKE_COMM;
	r.uring = uring_attributed();
	err = replay(&r, a, b);
	err = err ?: read_facts(&r, facts);
	if (err) {
		printf("smoke check: FAIL facts %s: %s\n", facts, strerror(-err));
		return 1;
	}
	in = fopen(result, "re");
	if (!in || getdelim(&text, &len, '\0', in) < 0) {
		printf("smoke check: FAIL cannot read %s: %s\n", result, strerror(errno));
		return 1;
	}
	fclose(in);
	if (jsonr_parse(text, strlen(text), &doc, &jerr)) {
		printf("smoke check: FAIL %s: %s\n", result, jerr.msg);
		return 1;
	}
	check_top(&c, doc);
	check_timelines(&c, doc);
	check_unseen(&c, doc, &r);
	note_missed_runs(doc);
	if (exclude_a)
		leave_out_a(&c, doc, &r.m, a);
	c.fields += (int)jval_len(jval_get(doc, "files"));
	model_check(doc, &r.m, NULL, &rep);
	check_mapped(&c, doc, facts, a, b);
	collect_times(&c, doc, &r);
	check_times(&c);
	printf("smoke check: %s, %d records and times compared, %d differences\n",
	       c.bad ? "FAIL" : "ok", c.fields, c.bad);
	jval_free(doc);
	free(text);
	m_free(&r.m);
	return c.bad ? 1 : 0;
}
