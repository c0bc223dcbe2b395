// SPDX-License-Identifier: GPL-2.0
/*
 * `smoke check`: every field of iotrace's result against the scenario.
 * The model replays scenario.h with the rules of output-format.md (what is
 * a record, request and completed sizes, the Sequential rule, rewrites,
 * fsync-type latencies), takes dev and inode from the workload's fstat and
 * the file system type from /proc/self/mountinfo, and compares.  Times are
 * checked for order: entries and returns must follow the order of the steps.
 * Runs where the workload ran (the guest), after iotrace has exited.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "format/jsonr.h"
#include "scenario.h"
#include "smoke.h"

#define HIST_N	  64
#define LAT_N	  160
#define MAX_FILES 16
#define MAX_TIMES 64

enum sc {
	READ,
	READV,
	PREAD64,
	PREADV,
	PREADV2,
	WRITE,
	WRITEV,
	PWRITE64,
	PWRITEV,
	PWRITEV2,
	SENDFILE,
	FSYNC,
	FDATASYNC,
	CLOSE,
	SC_CNT
};
static const char *const sc_names[SC_CNT] = {
	"read",	    "readv",   "pread64",  "preadv",   "preadv2", "write",     "writev",
	"pwrite64", "pwritev", "pwritev2", "sendfile", "fsync",	  "fdatasync", "close",
};
/* what each I/O op is; S_OPEN.. S_FORK are not calls the tool counts */
static const enum sc op_sc[] = {
	[S_READ] = READ,	   [S_READV] = READV,	    [S_PREAD] = PREAD64,
	[S_PREADV] = PREADV,	   [S_PREADV2] = PREADV2,   [S_WRITE] = WRITE,
	[S_WRITEV] = WRITEV,	   [S_PWRITE] = PWRITE64,   [S_PWRITEV] = PWRITEV,
	[S_PWRITEV2] = PWRITEV2,   [S_SENDFILE] = SENDFILE, [S_FSYNC] = FSYNC,
	[S_FDATASYNC] = FDATASYNC,
};

struct m_sc {
	uint64_t calls, errors, bytes;
	uint64_t req[HIST_N], done[HIST_N];
};

struct m_side {
	uint64_t calls, errors, bytes, seq_calls, rewrites, seq[HIST_N];
	uint64_t next_off, last_start;
	bool have_start;
	long first_step, last_ok_step; /* -1: none */
};

struct m_file {
	char path[PATH_MAX];  /* the name it was opened by (facts use it) */
	char name[PATH_MAX];  /* its name now: path, or a link left when path is gone */
	char link[PATH_MAX];  /* the last link made to it */
	char shown[PATH_MAX]; /* the record's path: name when the record was made */
	char dev[32], fstype[64];
	uint64_t ino;
	int links;
	bool named;  /* a regular file below A or B: worth a record */
	bool record; /* a read, write or sync made it one */
	bool deleted;
	bool seen; /* matched by a record of the result */
	struct m_sc sc[SC_CNT];
	struct m_side side[2];
};

struct model {
	struct m_file files[MAX_FILES];
	size_t file_cnt;
	int slots[SMOKE_SLOTS];
};

/* one timestamp of the result and the step it belongs to */
struct stamp {
	long step;
	int phase; /* 0 entry, 1 return */
	uint64_t ns;
	char what[PATH_MAX + 64];
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

static int bucket(uint64_t v)
{
	int bits = 0;

	for (; v; v >>= 1)
		bits++;
	return bits > HIST_N - 1 ? HIST_N - 1 : bits;
}

static void bucket_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	*lo = i == 0 ? 0 : 1ULL << (i - 1);
	*hi = i == 0 ? 0 : i == HIST_N - 1 ? UINT64_MAX : (1ULL << i) - 1;
}

/* README "Histograms": latency bucket i, 4 per octave */
static void lat_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	int k = i / 4 + 1, sub = i % 4;

	if (i < 4) {
		*lo = *hi = (uint64_t)i;
	} else if (i == LAT_N - 1) {
		*lo = 7ULL << 38;
		*hi = UINT64_MAX;
	} else {
		*lo = (uint64_t)(4 + sub) << (k - 2);
		*hi = ((uint64_t)(5 + sub) << (k - 2)) - 1;
	}
}

/* ---- model -------------------------------------------------------------------------------- */

static struct m_file *file_of(struct model *m, const char *rel, const char *a, const char *b)
{
	char path[PATH_MAX];
	struct m_file *f;

	if (smoke_path(path, sizeof(path), rel, a, b))
		return NULL;
	for (size_t i = 0; i < m->file_cnt; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	if (m->file_cnt == MAX_FILES)
		return NULL;
	f = &m->files[m->file_cnt++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->name, sizeof(f->name), "%s", path);
	f->links = 1;
	f->named = rel[0] == 'A' || rel[0] == 'B';
	for (int s = 0; s < 2; s++)
		f->side[s].first_step = f->side[s].last_ok_step = -1;
	return f;
}

/* one call as output-format.md counts it */
static void count(struct m_file *f, enum sc sc, int kind, uint64_t req, uint64_t start, int64_t ret,
		  long step)
{
	struct m_sc *s = &f->sc[sc];
	struct m_side *d;

	if (!f->named)
		return;
	if (!f->record)
		memcpy(f->shown, f->name, sizeof(f->shown));
	f->record = true;
	f->deleted = !f->links; /* nlink as last seen */
	s->calls++;
	s->errors += ret < 0;
	if (sc == FSYNC || sc == FDATASYNC)
		return;
	s->req[bucket(req)]++;
	d = &f->side[kind];
	d->calls++;
	if (d->first_step < 0)
		d->first_step = step;
	if (kind == 1) {
		d->rewrites += d->have_start && d->last_start == start;
		d->have_start = true;
		d->last_start = start;
	}
	if (ret < 0) {
		d->errors++;
		return;
	}
	s->bytes += (uint64_t)ret;
	s->done[bucket((uint64_t)ret)]++;
	d->bytes += (uint64_t)ret;
	d->last_ok_step = step;
	if (start == d->next_off) {
		d->seq_calls++;
		d->seq[bucket((uint64_t)ret)]++;
	}
	d->next_off = start + (uint64_t)ret;
}

static int model_build(struct model *m, const char *a, const char *b)
{
	for (size_t i = 0; i < SMOKE_STEP_CNT; i++) {
		const struct smoke_step *s = &smoke_steps[i];
		bool by_path = s->op == S_OPEN || s->op == S_UNLINK || s->op == S_LINK;

		if (s->op == S_FORK)
			continue; /* the child's calls count like its parent's */
		struct m_file *f =
			by_path ? file_of(m, s->path, a, b) : &m->files[m->slots[s->slot]];
		char path[PATH_MAX];
		enum sc sc = op_sc[s->op];

		if (!f)
			return -ENOMEM;
		switch (s->op) {
		case S_OPEN:
			m->slots[s->slot] = (int)(f - m->files);
			break;
		case S_LINK:
			f->links++;
			if (smoke_path(f->link, sizeof(f->link), s->path2, a, b))
				return -ENAMETOOLONG;
			break;
		case S_UNLINK:
			/* named by a remaining link from now on (here only path or link) */
			f->links--;
			if (smoke_path(path, sizeof(path), s->path, a, b))
				return -ENAMETOOLONG;
			if (f->links && !strcmp(path, f->name))
				memcpy(f->name, f->link, sizeof(f->name));
			break;
		case S_SEEK:
			break;
		case S_CLOSE:
			/* counted only on files that already have a record */
			if (f->record)
				f->sc[CLOSE].calls++;
			break;
		case S_SENDFILE:
			count(f, sc, 0, smoke_req(s), s->start, s->ret, (long)i);
			count(&m->files[m->slots[s->out]], sc, 1, smoke_req(s), s->out_start,
			      s->ret, (long)i);
			break;
		default:
			count(f, sc, sc >= WRITE && sc <= PWRITEV2, smoke_req(s), s->start, s->ret,
			      (long)i);
			break;
		}
	}
	return 0;
}

/* dev and inode from the workload's fstat, fstype from this mount namespace */
static int fstype_of(const char *dev, char *buf, size_t sz)
{
	char line[4096], mdev[32], *sep;
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!mi)
		return -errno;
	while (err && fgets(line, sizeof(line), mi)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %31s", mdev) != 1 || strcmp(mdev, dev))
			continue;
		if (sscanf(sep + 3, "%63s", buf) == 1 && strlen(buf) < sz)
			err = 0;
	}
	fclose(mi);
	return err;
}

static int read_facts(struct model *m, const char *facts)
{
	char line[PATH_MAX + 128], path[PATH_MAX], dev[32];
	unsigned long long ino;
	FILE *in = fopen(facts, "re");
	int err = 0;

	if (!in)
		return -errno;
	while (!err && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "fact %4095s %31s %llu", path, dev, &ino) != 3)
			continue;
		for (size_t i = 0; i < m->file_cnt; i++) {
			struct m_file *f = &m->files[i];

			if (strcmp(f->path, path))
				continue;
			snprintf(f->dev, sizeof(f->dev), "%s", dev);
			f->ino = ino;
			if (f->record && fstype_of(dev, f->fstype, sizeof(f->fstype)))
				err = -ENOENT;
		}
	}
	fclose(in);
	for (size_t i = 0; !err && i < m->file_cnt; i++)
		if (m->files[i].record && !m->files[i].dev[0])
			err = -ENODATA;
	return err;
}

/* ---- comparison --------------------------------------------------------------------------- */

static void want_u64(struct checker *c, const struct jval *o, const char *where, const char *key,
		     uint64_t want)
{
	uint64_t got;

	c->fields++;
	if (jval_u64(jval_get(o, key), &got))
		fail(c, "%s.%s: missing or not an integer, want %llu", where, key,
		     (unsigned long long)want);
	else if (got != want)
		fail(c, "%s.%s: got %llu, want %llu", where, key, (unsigned long long)got,
		     (unsigned long long)want);
}

static void want_str(struct checker *c, const struct jval *o, const char *where, const char *key,
		     const char *want)
{
	const char *got = jval_str(jval_get(o, key), NULL);

	c->fields++;
	if (!got || strcmp(got, want))
		fail(c, "%s.%s: got \"%s\", want \"%s\"", where, key, got ? got : "(none)", want);
}

static void want_hist(struct checker *c, const struct jval *o, const char *where, const char *key,
		      const uint64_t *want)
{
	const struct jval *h = jval_get(o, key);
	size_t idx = 0;

	c->fields++;
	if (!h || h->type != JT_ARR) {
		fail(c, "%s.%s: missing or not an array", where, key);
		return;
	}
	for (int i = 0; i < HIST_N; i++) {
		const struct jval *t;
		uint64_t lo, hi, n, wlo, whi;

		if (!want[i])
			continue;
		bucket_bounds(i, &wlo, &whi);
		t = jval_idx(h, idx++);
		if (jval_len(t) != 3 || jval_u64(jval_idx(t, 0), &lo) ||
		    jval_u64(jval_idx(t, 1), &hi) || jval_u64(jval_idx(t, 2), &n) || lo != wlo ||
		    hi != whi || n != want[i]) {
			fail(c, "%s.%s[%zu]: want [%llu, %llu, %llu]", where, key, idx - 1,
			     (unsigned long long)wlo, (unsigned long long)whi,
			     (unsigned long long)want[i]);
			return;
		}
	}
	if (jval_len(h) != idx)
		fail(c, "%s.%s: %zu buckets, want %zu", where, key, jval_len(h), idx);
}

/* a latency histogram of calls entries whose bounds enclose total_ns */
static void want_lat(struct checker *c, const struct jval *o, const char *where, uint64_t calls)
{
	const struct jval *h = jval_get(o, "lat_hist");
	uint64_t total, sum_lo = 0, sum_hi = 0, n_all = 0;
	size_t i;
	int b = 0;

	c->fields += 2;
	if (!h || h->type != JT_ARR || jval_u64(jval_get(o, "total_ns"), &total)) {
		fail(c, "%s: lat_hist or total_ns missing", where);
		return;
	}
	for (i = 0; i < jval_len(h); i++) {
		const struct jval *t = jval_idx(h, i);
		uint64_t lo, hi, n, wlo = 0, whi = 0;

		if (jval_u64(jval_idx(t, 0), &lo) || jval_u64(jval_idx(t, 1), &hi) ||
		    jval_u64(jval_idx(t, 2), &n))
			break;
		for (; b < LAT_N; b++) {
			lat_bounds(b, &wlo, &whi);
			if (wlo >= lo)
				break;
		}
		if (b == LAT_N || wlo != lo || whi != hi) {
			fail(c, "%s.lat_hist[%zu]: [%llu, %llu] is no bucket of the scheme", where,
			     i, (unsigned long long)lo, (unsigned long long)hi);
			return;
		}
		n_all += n;
		sum_lo += lo * n;
		sum_hi =
			hi == UINT64_MAX || sum_hi + hi * n < sum_hi ? UINT64_MAX : sum_hi + hi * n;
	}
	if (i != jval_len(h) || n_all != calls)
		fail(c, "%s.lat_hist: %llu calls counted, want %llu", where,
		     (unsigned long long)n_all, (unsigned long long)calls);
	else if (total < sum_lo || total > sum_hi || !total || total > c->duration)
		fail(c, "%s.total_ns %llu: outside its buckets [%llu, %llu] or the trace", where,
		     (unsigned long long)total, (unsigned long long)sum_lo,
		     (unsigned long long)sum_hi);
}

static void check_syscalls(struct checker *c, const struct jval *rec, const struct m_file *f)
{
	const struct jval *scs = jval_get(rec, "syscalls");
	char where[PATH_MAX + 64];
	size_t present = 0;

	for (int k = 0; k < SC_CNT; k++) {
		const struct m_sc *s = &f->sc[k];
		const struct jval *o = jval_get(scs, sc_names[k]);

		snprintf(where, sizeof(where), "%s: syscalls.%s", f->shown, sc_names[k]);
		c->fields++;
		if (!s->calls) {
			if (o)
				fail(c, "%s: present, the workload made no such call", where);
			continue;
		}
		present++;
		if (!o || o->type != JT_OBJ) {
			fail(c, "%s: missing, want %llu calls", where,
			     (unsigned long long)s->calls);
			continue;
		}
		want_u64(c, o, where, "calls", s->calls);
		want_u64(c, o, where, "errors", s->errors);
		if (k == CLOSE)
			continue;
		if (k == FSYNC || k == FDATASYNC) {
			want_lat(c, o, where, s->calls);
			continue;
		}
		want_u64(c, o, where, "bytes", s->bytes);
		want_hist(c, o, where, "req_hist", s->req);
		want_hist(c, o, where, "done_hist", s->done);
	}
	if (jval_len(scs) != present)
		fail(c, "%s: syscalls has %zu entries, want %zu", f->shown, jval_len(scs), present);
}

static void add_time(struct checker *c, long step, int phase, uint64_t ns, const char *where,
		     const char *key)
{
	struct stamp *t;

	if (c->time_cnt == MAX_TIMES)
		return;
	t = &c->times[c->time_cnt++];
	t->step = step;
	t->phase = phase;
	t->ns = ns;
	snprintf(t->what, sizeof(t->what), "%s.%s (step %ld)", where, key, step);
}

static void check_side(struct checker *c, const struct jval *rec, const struct m_file *f, int kind)
{
	const char *key = kind ? "write" : "read";
	const struct m_side *s = &f->side[kind];
	const struct jval *o = jval_get(rec, key);
	char where[PATH_MAX + 16];
	uint64_t first, last;

	snprintf(where, sizeof(where), "%s: %s", f->shown, key);
	c->fields++;
	if (!s->calls) {
		if (!jval_is_null(o))
			fail(c, "%s: want null, the workload made no %s-type call", where, key);
		return;
	}
	if (!o || o->type != JT_OBJ) {
		fail(c, "%s: missing, want %llu calls", where, (unsigned long long)s->calls);
		return;
	}
	want_u64(c, o, where, "calls", s->calls);
	want_u64(c, o, where, "errors", s->errors);
	want_u64(c, o, where, "bytes", s->bytes);
	want_u64(c, o, where, "seq_calls", s->seq_calls);
	want_hist(c, o, where, "seq_hist", s->seq);
	if (kind)
		want_u64(c, o, where, "rewrites", s->rewrites);
	else if (jval_get(o, "rewrites"))
		fail(c, "%s.rewrites: present on the read side", where);
	c->fields += 2;
	if (jval_u64(jval_get(o, "first_entry_ns"), &first))
		fail(c, "%s.first_entry_ns: missing", where);
	else
		add_time(c, s->first_step, 0, first, where, "first_entry_ns");
	if (s->last_ok_step < 0) {
		if (!jval_is_null(jval_get(o, "last_return_ns")))
			fail(c, "%s.last_return_ns: want null, no call succeeded", where);
	} else if (jval_u64(jval_get(o, "last_return_ns"), &last)) {
		fail(c, "%s.last_return_ns: missing", where);
	} else {
		add_time(c, s->last_ok_step, 1, last, where, "last_return_ns");
	}
}

static void check_fsync(struct checker *c, const struct jval *rec, const struct m_file *f)
{
	const struct jval *o = jval_get(rec, "fsync");
	uint64_t calls = f->sc[FSYNC].calls + f->sc[FDATASYNC].calls, total, part, sum = 0;
	char where[PATH_MAX + 16];

	snprintf(where, sizeof(where), "%s: fsync", f->shown);
	c->fields++;
	if (!calls) {
		if (!jval_is_null(o))
			fail(c, "%s: want null, the workload made no fsync-type call", where);
		return;
	}
	want_u64(c, o, where, "calls", calls);
	want_u64(c, o, where, "errors", f->sc[FSYNC].errors + f->sc[FDATASYNC].errors);
	want_lat(c, o, where, calls);
	/* the file's total is the sum over fsync and fdatasync */
	for (int k = FSYNC; k <= FDATASYNC; k++)
		if (!jval_u64(
			    jval_get(jval_get(jval_get(rec, "syscalls"), sc_names[k]), "total_ns"),
			    &part))
			sum += part;
	c->fields++;
	if (!jval_u64(jval_get(o, "total_ns"), &total) && total != sum)
		fail(c, "%s.total_ns %llu: want the syscalls' sum %llu", where,
		     (unsigned long long)total, (unsigned long long)sum);
}

static void check_record(struct checker *c, const struct jval *rec, struct m_file *f)
{
	const struct jval *comms = jval_get(rec, "comms");
	bool deleted;

	f->seen = true;
	want_str(c, rec, f->shown, "dev", f->dev);
	want_u64(c, rec, f->shown, "ino", f->ino);
	want_str(c, rec, f->shown, "fstype", f->fstype);
	c->fields += 3;
	if (jval_bool(jval_get(rec, "deleted"), &deleted) || deleted != f->deleted)
		fail(c, "%s.deleted: want %s", f->shown, f->deleted ? "true" : "false");
	if (jval_len(comms) != 1 || !jval_str_eq(jval_idx(comms, 0), SMOKE_COMM))
		fail(c, "%s.comms: want [\"%s\"]", f->shown, SMOKE_COMM);
	if (jval_get(rec, "pid") || jval_get(rec, "comm") || jval_get(rec, "path_hex"))
		fail(c, "%s: pid, comm or path_hex present", f->shown);
	check_syscalls(c, rec, f);
	check_side(c, rec, f, 0);
	check_side(c, rec, f, 1);
	check_fsync(c, rec, f);
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
	const struct jval *dropped = jval_get(doc, "dropped");
	const struct jval *filter = jval_get(doc, "filter");
	struct utsname u;
	bool pp = true;

	want_u64(c, doc, "result", "schema", 1);
	if (!uname(&u))
		want_str(c, jval_get(doc, "host"), "host", "kernel", u.release);
	want_u64(c, dropped, "dropped", "files", 0);
	want_u64(c, dropped, "dropped", "events", 0);
	c->fields++;
	if (jval_bool(jval_get(filter, "per_process"), &pp) || pp)
		fail(c, "filter.per_process: want false");
	if (jval_u64(jval_get(doc, "duration_ns"), &c->duration) || !c->duration)
		fail(c, "duration_ns: missing or 0");
}

static void check_files(struct checker *c, const struct jval *doc, struct model *m)
{
	const struct jval *files = jval_get(doc, "files");

	for (size_t r = 0; r < jval_len(files); r++) {
		const struct jval *rec = jval_idx(files, r);
		const char *p = jval_str(jval_get(rec, "path"), NULL);
		struct m_file *f = NULL;

		for (size_t i = 0; p && i < m->file_cnt && !f; i++)
			if (!strcmp(m->files[i].shown, p) && m->files[i].record &&
			    !m->files[i].seen)
				f = &m->files[i];
		if (f)
			check_record(c, rec, f);
		else
			fail(c, "unexpected record for %s", p ? p : "(no path)");
	}
	for (size_t i = 0; i < m->file_cnt; i++)
		if (m->files[i].record && !m->files[i].seen)
			fail(c, "%s: no record", m->files[i].shown);
}

int smoke_check(const char *result, const char *facts, const char *a, const char *b)
{
	struct checker c = { 0 };
	static struct model m;
	struct jval *doc = NULL;
	struct jerr jerr = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *in;
	int err;

	err = model_build(&m, a, b);
	err = err ?: read_facts(&m, facts);
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
	check_files(&c, doc, &m);
	check_times(&c);
	printf("smoke check: %s, %d fields compared, %d differ\n", c.bad ? "FAIL" : "ok", c.fields,
	       c.bad);
	jval_free(doc);
	free(text);
	return c.bad ? 1 : 0;
}
