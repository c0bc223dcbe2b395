// SPDX-License-Identifier: GPL-2.0
/*
 * The e2e ground-truth model and the record comparison (see expect.h).  No
 * Test() here: the file name ends in _test.c only so the Makefile links it
 * into .output/test-e2e.  The model never looks at the tool's output to
 * decide what it expects; it follows output-format.md line by line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"

static const char *const sc_names[M_SC_CNT] = { "read", "pread64", "write", "pwrite64", "close" };
static const int sc_side[M_SC_CNT] = { 0, 0, 1, 1, -1 };

/* the bucket scheme of iotrace_abi.h, written out independently */
static int bucket(uint64_t v)
{
	int bits = 0;

	while (v) {
		bits++;
		v >>= 1;
	}
	return bits > 63 ? 63 : bits;
}

static void bucket_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	*lo = i == 0 ? 0 : 1ULL << (i - 1);
	*hi = i == 0 ? 0 : i == 63 ? UINT64_MAX : (1ULL << i) - 1;
}

/* ---- model -------------------------------------------------------------------------------- */

void m_init(struct model *m, const char *dir)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	m->comm = "workload";
}

void m_free(struct model *m)
{
	for (size_t i = 0; i < m->file_cnt; i++)
		free(m->files[i]);
	m->file_cnt = 0;
}

struct m_file *m_file_named(struct model *m, const char *rel, const char *shown_rel, bool hex,
			    uint64_t size)
{
	struct m_file *f = calloc(1, sizeof(*f));

	cr_assert_not_null(f);
	cr_assert_lt(m->file_cnt, M_MAX_FILES);
	f->path_len = (size_t)snprintf(f->path, sizeof(f->path), "%s/%s", m->dir, rel);
	f->shown_len = (size_t)snprintf(f->shown, sizeof(f->shown), "%s/%s", m->dir, shown_rel);
	f->hex = hex;
	f->size = size;
	m->files[m->file_cnt++] = f;
	return f;
}

struct m_file *m_file(struct model *m, const char *rel, uint64_t size)
{
	return m_file_named(m, rel, rel, false, size);
}

struct m_file *m_create(struct model *m, const char *rel, uint64_t size)
{
	struct m_file *f = m_file(m, rel, size);
	int err = e2e_make_file(f->path, size, 'x');

	cr_assert_eq(err, 0, "create %s: %s", f->path, strerror(-err));
	return f;
}

void m_stat(struct m_file *f)
{
	struct stat st;
	int err;

	cr_assert_eq(stat(f->path, &st), 0, "stat %s: %s", f->path, strerror(errno));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	err = e2e_fstype(st.st_dev, f->fstype, sizeof(f->fstype));
	cr_assert_eq(err, 0, "no mount for %s in mountinfo", f->path);
	f->have_stat = true;
}

int m_open(struct model *m, struct m_file *f, int flags)
{
	for (int fd = 0; fd < M_MAX_FDS; fd++) {
		struct m_fd *d = &m->fds[fd];

		if (d->f)
			continue;
		d->f = f;
		d->pos = 0;
		d->append = flags & O_APPEND;
		d->rd = (flags & O_ACCMODE) != O_WRONLY;
		d->wr = (flags & O_ACCMODE) != O_RDONLY;
		if (flags & O_TRUNC)
			f->size = 0;
		return fd;
	}
	cr_assert_fail("model: out of descriptors");
	return -1;
}

static struct m_fd *fd_of(struct model *m, int fd)
{
	cr_assert(fd >= 0 && fd < M_MAX_FDS && m->fds[fd].f, "model: bad fd %d", fd);
	return &m->fds[fd];
}

/* one call as the spec counts it; ret < 0 is a failure */
static void record(struct m_file *f, enum m_sc sc, uint64_t req, uint64_t start, int64_t ret)
{
	struct m_sc_stats *s = &f->sc[sc];
	struct m_side *side;

	s->calls++;
	if (sc == M_CLOSE) {
		s->errors += ret < 0;
		return;
	}
	side = &f->side[sc_side[sc]];
	s->req[bucket(req)]++;
	side->calls++;
	if (ret < 0) {
		s->errors++;
		side->errors++;
	} else {
		s->bytes += (uint64_t)ret;
		s->done[bucket((uint64_t)ret)]++;
		side->bytes += (uint64_t)ret;
		side->any_ok = true;
		/* Sequential: starts where the previous success ended (0 for the first) */
		if (start == side->next_off) {
			side->seq_calls++;
			side->seq_hist[bucket((uint64_t)ret)]++;
		}
		side->next_off = start + (uint64_t)ret;
	}
	/* rewrites: every write-type call, failed ones too, against the previous start */
	if (sc_side[sc] == 1) {
		if (side->have_start && side->last_start == start)
			side->rewrites++;
		side->have_start = true;
		side->last_start = start;
	}
}

uint64_t m_pos(struct model *m, int fd)
{
	struct m_fd *d = fd_of(m, fd);

	return d->append ? d->f->size : d->pos;
}

static uint64_t readable(const struct m_file *f, uint64_t off, uint64_t count)
{
	if (off >= f->size)
		return 0;
	return f->size - off < count ? f->size - off : count;
}

void m_read(struct model *m, int fd, uint64_t count)
{
	struct m_fd *d = fd_of(m, fd);
	uint64_t n;

	cr_assert(d->rd, "model: read on a write-only fd: use m_fail");
	n = readable(d->f, d->pos, count);
	record(d->f, M_READ, count, d->pos, (int64_t)n);
	d->pos += n;
}

void m_pread(struct model *m, int fd, uint64_t count, uint64_t off)
{
	struct m_fd *d = fd_of(m, fd);

	record(d->f, M_PREAD64, count, off, (int64_t)readable(d->f, off, count));
}

void m_write(struct model *m, int fd, uint64_t count)
{
	struct m_fd *d = fd_of(m, fd);
	uint64_t start = m_pos(m, fd);

	record(d->f, M_WRITE, count, start, (int64_t)count);
	d->pos = start + count;
	if (d->pos > d->f->size)
		d->f->size = d->pos;
}

void m_pwrite(struct model *m, int fd, uint64_t count, uint64_t off)
{
	struct m_fd *d = fd_of(m, fd);

	record(d->f, M_PWRITE64, count, off, (int64_t)count);
	if (off + count > d->f->size)
		d->f->size = off + count;
}

void m_fail(struct model *m, int fd, enum m_sc sc, uint64_t count, uint64_t start)
{
	record(fd_of(m, fd)->f, sc, count, start, -1);
}

void m_seek(struct model *m, int fd, uint64_t pos)
{
	fd_of(m, fd)->pos = pos;
}

void m_close(struct model *m, int fd)
{
	record(fd_of(m, fd)->f, M_CLOSE, 0, 0, 0);
	m->fds[fd].f = NULL;
}

/* ---- running the tracer ------------------------------------------------------------------- */

void trace_workload(struct trace *t, const char *dir, const char *scenario,
		    const char *const *extra_args)
{
	const char *argv[32];
	struct e2e_proc p;
	size_t n = 0;
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(t->out, sizeof(t->out), "%s/out.json", dir);
	argv[n++] = E2E_IOTRACE;
	argv[n++] = "-q";
	argv[n++] = "-o";
	argv[n++] = t->out;
	for (; extra_args && *extra_args; extra_args++)
		argv[n++] = *extra_args;
	argv[n++] = "--";
	argv[n++] = E2E_WORKLOAD;
	argv[n++] = dir;
	argv[n++] = scenario;
	argv[n] = NULL;
	err = e2e_run((char *const *)argv, 120, &p);
	cr_assert_eq(err, 0, "running iotrace: %s", strerror(-err));
	cr_assert(!p.timed_out, "iotrace timed out; stderr:\n%s", p.err);
	cr_assert_eq(p.status, 0, "iotrace ... workload %s: exit %d; stderr:\n%s", scenario,
		     p.status, p.err);
	e2e_proc_free(&p);
}

void trace_validate(struct trace *t)
{
	const char *argv[] = { "python3", E2E_CHECKER, t->out, NULL };
	struct e2e_proc p;
	struct jerr jerr;
	int err;

	err = e2e_run((char *const *)argv, 60, &p);
	cr_assert_eq(err, 0, "running check-result: %s", strerror(-err));
	cr_expect(p.status == 0 && strstr(p.out, ": ok"), "check-result %s (exit %d): %s%s",
		  t->out, p.status, p.out, p.err);
	e2e_proc_free(&p);
	err = e2e_read_file(t->out, &t->text, &t->text_len);
	cr_assert_eq(err, 0, "read %s: %s", t->out, strerror(-err));
	err = jsonr_parse(t->text, t->text_len, &t->doc, &jerr);
	cr_assert_eq(err, 0, "%s: %s", t->out, jerr.msg);
	cr_assert_eq(jval_u64(jval_get(t->doc, "duration_ns"), &t->duration_ns), 0,
		     "duration_ns missing");
}

void trace_free(struct trace *t)
{
	jval_free(t->doc);
	free(t->text);
	t->doc = NULL;
	t->text = NULL;
}

/* ---- comparison --------------------------------------------------------------------------- */

struct cmp {
	const struct model *m;
	const struct m_file *f;
	bool report;
	int bad;
};

#define MISMATCH(c, fmt, ...)                                                                  \
	do {                                                                                   \
		(c)->bad++;                                                                    \
		if ((c)->report)                                                               \
			cr_expect(0, "%s: " fmt, (c)->f->shown, __VA_ARGS__);                  \
	} while (0)

static void cmp_u64(struct cmp *c, const struct jval *obj, const char *what, const char *key,
		    uint64_t want)
{
	uint64_t got;

	if (jval_u64(jval_get(obj, key), &got))
		MISMATCH(c, "%s.%s: missing or not an unsigned integer, want %llu", what, key,
			 (unsigned long long)want);
	else if (got != want)
		MISMATCH(c, "%s.%s: got %llu, want %llu", what, key, (unsigned long long)got,
			 (unsigned long long)want);
}

static void cmp_hist(struct cmp *c, const struct jval *obj, const char *what, const char *key,
		     const uint64_t *want)
{
	const struct jval *h = jval_get(obj, key);
	size_t idx = 0;

	if (!h || h->type != JT_ARR) {
		MISMATCH(c, "%s.%s: missing or not an array", what, key);
		return;
	}
	for (int i = 0; i < M_HIST; i++) {
		const struct jval *b;
		uint64_t lo, hi, cnt, wlo, whi;

		if (!want[i])
			continue;
		bucket_bounds(i, &wlo, &whi);
		b = jval_idx(h, idx++);
		if (jval_len(b) != 3 || jval_u64(jval_idx(b, 0), &lo) ||
		    jval_u64(jval_idx(b, 1), &hi) || jval_u64(jval_idx(b, 2), &cnt)) {
			MISMATCH(c, "%s.%s[%zu]: missing, want [%llu, %llu, %llu]", what, key,
				 idx - 1, (unsigned long long)wlo, (unsigned long long)whi,
				 (unsigned long long)want[i]);
			return;
		}
		if (lo != wlo || hi != whi || cnt != want[i]) {
			MISMATCH(c, "%s.%s[%zu]: got [%llu, %llu, %llu], want [%llu, %llu, %llu]",
				 what, key, idx - 1, (unsigned long long)lo, (unsigned long long)hi,
				 (unsigned long long)cnt, (unsigned long long)wlo,
				 (unsigned long long)whi, (unsigned long long)want[i]);
			return;
		}
	}
	if (jval_len(h) != idx)
		MISMATCH(c, "%s.%s: %zu buckets, want %zu", what, key, jval_len(h), idx);
}

static void cmp_syscalls(struct cmp *c, const struct jval *rec)
{
	const struct jval *scs = jval_get(rec, "syscalls");
	char what[64];

	if (!scs || scs->type != JT_OBJ) {
		MISMATCH(c, "syscalls: %s", "missing or not an object");
		return;
	}
	for (size_t i = 0; i < jval_len(scs); i++) {
		const struct jmember *mem = jval_member(scs, i);
		bool known = false;

		for (int k = 0; k < M_SC_CNT; k++)
			known |= strlen(sc_names[k]) == mem->key_len &&
				 !memcmp(sc_names[k], mem->key, mem->key_len);
		if (!known)
			MISMATCH(c, "syscalls.%.*s: present, but the workload made no such call",
				 (int)mem->key_len, mem->key);
	}
	for (int k = 0; k < M_SC_CNT; k++) {
		const struct m_sc_stats *s = &c->f->sc[k];
		const struct jval *o = jval_get(scs, sc_names[k]);

		snprintf(what, sizeof(what), "syscalls.%s", sc_names[k]);
		if (k == M_CLOSE && !o)
			continue; /* close is not traced in this slice; exact once it is */
		if (!s->calls) {
			if (o)
				MISMATCH(c, "%s: present, want absent (no calls)", what);
			continue;
		}
		if (!o || o->type != JT_OBJ) {
			MISMATCH(c, "%s: missing, want %llu calls", what,
				 (unsigned long long)s->calls);
			continue;
		}
		cmp_u64(c, o, what, "calls", s->calls);
		cmp_u64(c, o, what, "errors", s->errors);
		if (k == M_CLOSE)
			continue;
		cmp_u64(c, o, what, "bytes", s->bytes);
		cmp_hist(c, o, what, "req_hist", s->req);
		cmp_hist(c, o, what, "done_hist", s->done);
	}
}

static void cmp_side(struct cmp *c, const struct jval *rec, const char *key, int idx,
		     uint64_t duration)
{
	const struct m_side *s = &c->f->side[idx];
	const struct jval *o = jval_get(rec, key), *last;
	uint64_t first = 0, lastv = 0;

	if (!s->calls) {
		if (!jval_is_null(o))
			MISMATCH(c, "%s: want null (no %s-type calls)", key, key);
		return;
	}
	if (!o || o->type != JT_OBJ) {
		MISMATCH(c, "%s: missing or not an object, want %llu calls", key,
			 (unsigned long long)s->calls);
		return;
	}
	cmp_u64(c, o, key, "calls", s->calls);
	cmp_u64(c, o, key, "errors", s->errors);
	cmp_u64(c, o, key, "bytes", s->bytes);
	cmp_u64(c, o, key, "seq_calls", s->seq_calls);
	cmp_hist(c, o, key, "seq_hist", s->seq_hist);
	if (idx == 1)
		cmp_u64(c, o, key, "rewrites", s->rewrites);
	else if (jval_get(o, "rewrites"))
		MISMATCH(c, "%s.rewrites: present, the spec has it for write only", key);
	if (jval_u64(jval_get(o, "first_entry_ns"), &first))
		MISMATCH(c, "%s.first_entry_ns: %s", key, "missing or not an unsigned integer");
	else if (first > duration)
		MISMATCH(c, "%s.first_entry_ns %llu > duration_ns %llu", key,
			 (unsigned long long)first, (unsigned long long)duration);
	last = jval_get(o, "last_return_ns");
	if (!s->any_ok) {
		if (!jval_is_null(last))
			MISMATCH(c, "%s.last_return_ns: want null (no call succeeded)", key);
	} else if (jval_u64(last, &lastv)) {
		MISMATCH(c, "%s.last_return_ns: want an integer (%llu calls succeeded)", key,
			 (unsigned long long)(s->calls - s->errors));
	} else if (lastv < first || lastv > duration) {
		MISMATCH(c, "%s: want first_entry_ns %llu <= last_return_ns %llu <= duration_ns %llu",
			 key, (unsigned long long)first, (unsigned long long)lastv,
			 (unsigned long long)duration);
	}
}

static void cmp_identity(struct cmp *c, const struct jval *rec, bool per_process)
{
	const struct m_file *f = c->f;
	const struct jval *comms = jval_get(rec, "comms"), *hex = jval_get(rec, "path_hex");
	char dev[32], want_hex[2 * sizeof(f->path) + 1];
	bool deleted;
	uint64_t u;

	snprintf(dev, sizeof(dev), "%u:%u", major(f->dev), minor(f->dev));
	if (!jval_str_eq(jval_get(rec, "dev"), dev))
		MISMATCH(c, "dev: got %s, want %s", jval_str(jval_get(rec, "dev"), NULL), dev);
	cmp_u64(c, rec, "file", "ino", (uint64_t)f->ino);
	if (!jval_str_eq(jval_get(rec, "fstype"), f->fstype))
		MISMATCH(c, "fstype: got %s, want %s", jval_str(jval_get(rec, "fstype"), NULL),
			 f->fstype);
	if (jval_bool(jval_get(rec, "deleted"), &deleted) || deleted != f->deleted)
		MISMATCH(c, "deleted: want %s", f->deleted ? "true" : "false");
	if (jval_len(comms) != 1 || !jval_str_eq(jval_idx(comms, 0), c->m->comm))
		MISMATCH(c, "comms: want [\"%s\"] (got %zu entries, first %s)", c->m->comm,
			 jval_len(comms), jval_str(jval_idx(comms, 0), NULL));
	for (size_t i = 0; i < f->path_len; i++)
		sprintf(want_hex + 2 * i, "%02x", (unsigned char)f->path[i]);
	want_hex[2 * f->path_len] = '\0';
	if (f->hex && !jval_str_eq(hex, want_hex))
		MISMATCH(c, "path_hex: got %s, want %s", jval_str(hex, NULL), want_hex);
	if (!f->hex && hex)
		MISMATCH(c, "path_hex: present for a UTF-8 path (%s)", jval_str(hex, NULL));
	if (per_process) {
		if (jval_u64(jval_get(rec, "pid"), &u) || !u)
			MISMATCH(c, "pid: %s", "missing with --per-process");
		if (!jval_str_eq(jval_get(rec, "comm"), c->m->comm))
			MISMATCH(c, "comm: want \"%s\" (--per-process)", c->m->comm);
	} else if (jval_get(rec, "pid") || jval_get(rec, "comm")) {
		MISMATCH(c, "pid/comm: %s", "present without --per-process");
	}
	if (!jval_is_null(jval_get(rec, "fsync")))
		MISMATCH(c, "fsync: want null (%s)", "the workload made no fsync");
}

static int compare(const struct jval *rec, const struct model *m, const struct m_file *f,
		   uint64_t duration, bool per_process, bool report)
{
	struct cmp c = { .m = m, .f = f, .report = report };

	cmp_identity(&c, rec, per_process);
	cmp_syscalls(&c, rec);
	cmp_side(&c, rec, "read", 0, duration);
	cmp_side(&c, rec, "write", 1, duration);
	return c.bad;
}

static bool path_is(const struct jval *rec, const char *s, size_t len)
{
	size_t n;
	const char *p = jval_str(jval_get(rec, "path"), &n);

	return p && n == len && !memcmp(p, s, len);
}

/* records not ours: never a pipe, socket, device, memfd or anything not a regular file */
static void check_foreign(const struct jval *rec)
{
	static const char *const never[] = { "/dev/", "pipe:", "socket:", "anon_inode:",
					     "/memfd:" };
	const char *p = jval_str(jval_get(rec, "path"), NULL);
	struct stat st;

	cr_assert_not_null(p, "record without a path");
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		cr_expect(strncmp(p, never[i], strlen(never[i])), "record for %s: not a named "
			  "regular file, must have no record", p);
	cr_expect(!stat(p, &st) && S_ISREG(st.st_mode),
		  "record for %s: not an existing regular file", p);
}

static void check_records(struct trace *t, struct model *m, const char *only);

void trace_check(struct trace *t, struct model *m)
{
	check_records(t, m, NULL);
}

void trace_check_only(struct trace *t, struct model *m, const char *rel)
{
	check_records(t, m, rel);
}

static void check_records(struct trace *t, struct model *m, const char *only)
{
	char only_path[PATH_MAX];

	const struct jval *files = jval_get(t->doc, "files"), *dropped = jval_get(t->doc, "dropped");
	size_t dir_len = strlen(m->dir);
	uint64_t u = 1;
	bool per_process = false;

	cr_assert(files && files->type == JT_ARR, "files: missing");
	jval_bool(jval_get(jval_get(t->doc, "filter"), "per_process"), &per_process);
	cr_expect(!jval_u64(jval_get(dropped, "files"), &u) && !u, "dropped.files: %llu",
		  (unsigned long long)u);
	cr_expect(!jval_u64(jval_get(dropped, "events"), &u) && !u, "dropped.events: %llu",
		  (unsigned long long)u);
	if (only)
		snprintf(only_path, sizeof(only_path), "%s/%s", m->dir, only);
	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];
		bool skip = only && strcmp(f->path, only_path);

		if (!f->have_stat && !skip)
			m_stat(f);
		f->matched = skip; /* files not checked count as matched */
	}
	for (size_t r = 0; r < jval_len(files); r++) {
		const struct jval *rec = jval_idx(files, r);
		const char *p = jval_str(jval_get(rec, "path"), NULL);
		struct m_file *first = NULL, *hit = NULL;

		if (!p || strncmp(p, m->dir, dir_len) || p[dir_len] != '/') {
			check_foreign(rec);
			continue;
		}
		if (only && strcmp(p, only_path))
			continue;
		/* with --per-process several records share a path: take the one that fits */
		for (size_t i = 0; i < m->file_cnt && !hit; i++) {
			struct m_file *f = m->files[i];

			if (f->matched || !path_is(rec, f->shown, f->shown_len))
				continue;
			first = first ? first : f;
			if (!compare(rec, m, f, t->duration_ns, per_process, false))
				hit = f;
		}
		if (!first) {
			cr_expect(0, "unexpected record for %s", p);
			continue;
		}
		hit = hit ? hit : first;
		hit->matched = true;
		compare(rec, m, hit, t->duration_ns, per_process, true);
	}
	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];
		bool any = f->side[0].calls || f->side[1].calls;

		if (only && strcmp(f->path, only_path))
			continue;
		cr_expect(f->matched || !any, "%s: no record in %s", f->shown, t->out);
		cr_expect(!f->matched || any, "%s: a record, but the workload did no I/O on it",
			  f->shown);
	}
}
