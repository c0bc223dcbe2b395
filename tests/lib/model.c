// SPDX-License-Identifier: GPL-2.0
/*
 * The ground-truth model and the record comparison (see model.h).  The
 * model never looks at the tool's output to decide what it expects: it
 * follows docs/output-format.md line by line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "model.h"

__attribute__((weak, format(printf, 1, 2), noreturn)) void model_abort(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "model: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* the test's own bug, not the tool's: the model cannot go on */
#define M_ASSERT(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			model_abort(__VA_ARGS__);                                                  \
	} while (0)

int m_fstype(dev_t dev, char *buf, size_t sz)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		char *sep;

		if (sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2 || makedev(maj, min) != dev)
			continue;
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		sep += 3;
		sep[strcspn(sep, " ")] = '\0';
		snprintf(buf, sz, "%s", sep);
		err = 0; /* the last match is the mount on top */
	}
	fclose(f);
	return err;
}

static const char *const sc_names[M_SC_CNT] = {
	"read",
	"readv",
	"pread64",
	"preadv",
	"preadv2",
	"write",
	"writev",
	"pwrite64",
	"pwritev",
	"pwritev2",
	"sendfile",
	"copy_file_range",
	"splice",
	"fsync",
	"fdatasync",
	"close",
	"aio_pread",
	"aio_pwrite",
	"io_uring_read",
	"io_uring_write",
	"io_uring_readv",
	"io_uring_writev",
	"io_uring_read_fixed",
	"io_uring_write_fixed",
	"io_uring_fsync",
	"io_uring_fdatasync",
};
/*
 * 0 read-type, 1 write-type, 2 sendfile (either, by the file's side), 3 a
 * copy (copy_read or copy_write, by the file's side), 4 and 5 asynchronous
 * reads and writes (async_read, async_write), -2 sync, -3 asynchronous
 * sync (not in the fsync object), -1 close
 */
static const int sc_kind[M_SC_CNT] = { 0,  0,  0,  0, 0, 1, 1, 1, 1, 1, 2, 3,  3,
				       -2, -2, -1, 4, 5, 4, 5, 4, 5, 4, 5, -3, -3 };
static const char *const side_names[6] = { "read",	 "write",      "copy_read",
					   "copy_write", "async_read", "async_write" };

/* does syscall k count on side idx (for a file that is its source or destination)? */
static bool on_side(int k, int idx)
{
	return sc_kind[k] == idx || (sc_kind[k] == 2 && idx < 2) ||
	       (sc_kind[k] == 3 && (idx == 2 || idx == 3));
}

/* the size bucket scheme of the README, written out independently */
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

/*
 * The latency bucket scheme of the README: 0..3 are the values 0..3, then
 * 4 buckets per octave, bucket i = [(4+sub) << (k-2), ((5+sub) << (k-2)) - 1]
 * with k = i/4 + 1, sub = i%4; the last one ends at 2^64 - 1.
 */
static void lat_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	int k = i / 4 + 1, sub = i % 4;

	if (i < 4) {
		*lo = *hi = (uint64_t)i;
		return;
	}
	*lo = (uint64_t)(4 + sub) << (k - 2);
	*hi = i == M_LAT_HIST - 1 ? UINT64_MAX : ((uint64_t)(5 + sub) << (k - 2)) - 1;
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

static struct m_file *new_file(struct model *m, uint64_t size)
{
	struct m_file *f = calloc(1, sizeof(*f));

	M_ASSERT(f, "out of memory");
	M_ASSERT(m->file_cnt < M_MAX_FILES, "more than %d files", M_MAX_FILES);
	f->size = size;
	m->files[m->file_cnt++] = f;
	return f;
}

struct m_file *m_file_named(struct model *m, const char *rel, const char *shown_rel, bool hex,
			    uint64_t size)
{
	struct m_file *f = new_file(m, size);

	f->path_len = (size_t)snprintf(f->path, sizeof(f->path), "%s/%s", m->dir, rel);
	f->shown_len = (size_t)snprintf(f->shown, sizeof(f->shown), "%s/%s", m->dir, shown_rel);
	f->hex = hex;
	return f;
}

struct m_file *m_file(struct model *m, const char *rel, uint64_t size)
{
	return m_file_named(m, rel, rel, false, size);
}

struct m_file *m_file_abs(struct model *m, const char *path, uint64_t size)
{
	struct m_file *f = new_file(m, size);

	f->path_len = (size_t)snprintf(f->path, sizeof(f->path), "%s", path);
	f->shown_len = (size_t)snprintf(f->shown, sizeof(f->shown), "%s", path);
	return f;
}

void m_stat(struct m_file *f)
{
	struct stat st;
	int err;

	M_ASSERT(!stat(f->path, &st), "stat %s: %s", f->path, strerror(errno));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	err = m_fstype(st.st_dev, f->fstype, sizeof(f->fstype));
	M_ASSERT(!err, "no mount for %s in mountinfo", f->path);
	f->have_stat = true;
}

void m_set_id(struct m_file *f, dev_t dev, ino_t ino, const char *fstype)
{
	f->dev = dev;
	f->ino = ino;
	snprintf(f->fstype, sizeof(f->fstype), "%s", fstype);
	f->have_stat = true;
}

static int free_fd(struct model *m)
{
	for (int fd = 0; fd < M_MAX_FDS; fd++)
		if (!m->fds[fd])
			return fd;
	model_abort("model: out of descriptors");
	return -1;
}

int m_open(struct model *m, struct m_file *f, int flags)
{
	int fd = free_fd(m);

	for (int i = 0; i < M_MAX_FDS; i++) {
		struct m_fd *d = &m->files_open[i];

		if (d->f)
			continue;
		memset(d, 0, sizeof(*d));
		d->f = f;
		d->refs = 1;
		d->append = flags & O_APPEND;
		d->flags = flags;
		d->rd = (flags & O_ACCMODE) != O_WRONLY;
		d->wr = (flags & O_ACCMODE) != O_RDONLY;
		if (flags & O_TRUNC)
			f->size = 0;
		m->fds[fd] = d;
		return fd;
	}
	model_abort("model: out of open files");
	return -1;
}

static struct m_fd *fd_of(struct model *m, int fd)
{
	M_ASSERT(fd >= 0 && fd < M_MAX_FDS && m->fds[fd], "model: bad fd %d", fd);
	return m->fds[fd];
}

void m_renamed_from(struct model *m, struct m_file *f, const char *from_rel)
{
	size_t dl = strlen(m->dir), rl = strlen(from_rel);

	M_ASSERT(dl + rl + 2 <= sizeof(f->former), "name too long");
	memcpy(f->former, m->dir, dl);
	f->former[dl] = '/';
	memcpy(f->former + dl + 1, from_rel, rl + 1);
}

int m_dup(struct model *m, int fd)
{
	struct m_fd *d = fd_of(m, fd);
	int nfd = free_fd(m);

	d->refs++;
	m->fds[nfd] = d;
	return nfd;
}

/*
 * One read/write-type call as the spec counts it on the file's side; ret < 0
 * is a failure.  A sendfile from a file to itself is one call of the file:
 * its syscalls.sendfile counts it once (the source side), both sides count it.
 */
static void new_stream(struct m_side *side, const struct m_fd *d);

static void record_side(struct m_fd *d, enum m_sc sc, int sidx, uint64_t req, uint64_t start,
			int64_t ret, bool per_sc)
{
	struct m_file *f = d->f;
	struct m_sc_stats *s = &f->sc[sc];
	struct m_side *side = &f->side[sidx];
	struct m_stream *st = &d->stream[sidx];

	M_ASSERT(on_side(sc, sidx), "model: %s on side %d", sc_names[sc], sidx);
	f->recorded = true;
	if (per_sc) {
		s->calls++;
		s->req[bucket(req)]++;
	}
	side->calls++;
	if (!st->used)
		new_stream(side, d);
	st->used = true;
	if (ret < 0) {
		s->errors += per_sc;
		side->errors++;
	} else if (per_sc) {
		s->bytes += (uint64_t)ret;
		s->done[bucket((uint64_t)ret)]++;
	}
	if (ret >= 0) {
		side->bytes += (uint64_t)ret;
		side->any_ok = true;
		/* Sequential: starts where the stream's previous success ended (0 for its first) */
		if (start == st->next_off) {
			side->seq_calls++;
			side->seq_hist[bucket((uint64_t)ret)]++;
		}
		st->next_off = start + (uint64_t)ret;
	}
	/* rewrites: every write-type call, failed ones too, against the stream's previous start */
	if (sidx & 1) {
		if (st->have_start && st->last_start == start)
			side->rewrites++;
		st->have_start = true;
		st->last_start = start;
	}
}

static void record(struct m_fd *d, enum m_sc sc, int sidx, uint64_t req, uint64_t start,
		   int64_t ret)
{
	record_side(d, sc, sidx, req, start, ret, true);
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

void m_rcall(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t off)
{
	struct m_fd *d = fd_of(m, fd);
	uint64_t start = off == M_POS ? d->pos : off, n;

	M_ASSERT(d->rd, "model: read on a write-only fd: use m_fail");
	M_ASSERT(!d->append || off != M_POS, "model: the spec's start of a read on an O_APPEND "
					     "fd is the size, not where it reads; not modelled");
	n = readable(d->f, start, req);
	record(d, sc, 0, req, start, (int64_t)n);
	if (off == M_POS)
		d->pos += n;
}

void m_wcall(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t off)
{
	struct m_fd *d = fd_of(m, fd);
	uint64_t start = off == M_POS ? m_pos(m, fd) : off;

	M_ASSERT(d->wr, "model: write on a read-only fd: use m_fail");
	M_ASSERT(!d->append || off == M_POS, "model: positional writes on O_APPEND not modelled");
	record(d, sc, 1, req, start, (int64_t)req);
	if (off == M_POS)
		d->pos = start + req;
	if (start + req > d->f->size)
		d->f->size = start + req;
}

void m_read(struct model *m, int fd, uint64_t count)
{
	m_rcall(m, fd, M_READ, count, M_POS);
}

void m_pread(struct model *m, int fd, uint64_t count, uint64_t off)
{
	m_rcall(m, fd, M_PREAD64, count, off);
}

void m_write(struct model *m, int fd, uint64_t count)
{
	m_wcall(m, fd, M_WRITE, count, M_POS);
}

void m_pwrite(struct model *m, int fd, uint64_t count, uint64_t off)
{
	m_wcall(m, fd, M_PWRITE64, count, off);
}

uint64_t m_sendfile(struct model *m, int out_fd, int in_fd, uint64_t *off, uint64_t count)
{
	struct m_fd *in = fd_of(m, in_fd);
	uint64_t start = off ? *off : in->pos, n = readable(in->f, start, count);

	record(in, M_SENDFILE, 0, count, start, (int64_t)n);
	if (off)
		*off += n;
	else
		in->pos += n;
	if (out_fd >= 0) {
		struct m_fd *out = fd_of(m, out_fd);
		uint64_t ostart = m_pos(m, out_fd);

		record_side(out, M_SENDFILE, 1, count, ostart, (int64_t)n, out->f != in->f);
		out->pos = ostart + n;
		if (out->pos > out->f->size)
			out->f->size = out->pos;
	}
	return n;
}

void m_sendfile_fail(struct model *m, int out_fd, int in_fd, const uint64_t *off, uint64_t count)
{
	struct m_fd *in = fd_of(m, in_fd);

	record(in, M_SENDFILE, 0, count, off ? *off : in->pos, -1);
	if (out_fd >= 0)
		record_side(fd_of(m, out_fd), M_SENDFILE, 1, count, m_pos(m, out_fd), -1,
			    fd_of(m, out_fd)->f != in->f);
}

void m_copy(struct model *m, enum m_sc sc, int in_fd, uint64_t *off_in, int out_fd,
	    uint64_t *off_out, uint64_t count, uint64_t n)
{
	struct m_fd *in = in_fd >= 0 ? fd_of(m, in_fd) : NULL;

	M_ASSERT(sc == M_COPY_FILE_RANGE || sc == M_SPLICE, "m_copy(%s)", sc_names[sc]);
	if (in) {
		uint64_t start = off_in ? *off_in : in->pos;

		M_ASSERT(n == readable(in->f, start, count), "model: %s of %llu at %llu moved %llu",
			 sc_names[sc], (unsigned long long)count, (unsigned long long)start,
			 (unsigned long long)n);
		record(in, sc, 2, count, start, (int64_t)n);
		if (off_in)
			*off_in += n;
		else
			in->pos += n;
	}
	if (out_fd >= 0) {
		struct m_fd *out = fd_of(m, out_fd);
		uint64_t start = off_out ? *off_out : m_pos(m, out_fd);

		record_side(out, sc, 3, count, start, (int64_t)n, !in || out->f != in->f);
		if (off_out)
			*off_out += n;
		else
			out->pos = start + n;
		if (start + n > out->f->size)
			out->f->size = start + n;
	}
}

void m_copy_fail(struct model *m, enum m_sc sc, int in_fd, const uint64_t *off_in, int out_fd,
		 const uint64_t *off_out, uint64_t count)
{
	struct m_fd *in = in_fd >= 0 ? fd_of(m, in_fd) : NULL;

	M_ASSERT(sc == M_COPY_FILE_RANGE || sc == M_SPLICE, "m_copy_fail(%s)", sc_names[sc]);
	if (in)
		record(in, sc, 2, count, off_in ? *off_in : in->pos, -1);
	if (out_fd >= 0) {
		struct m_fd *out = fd_of(m, out_fd);

		record_side(out, sc, 3, count, off_out ? *off_out : m_pos(m, out_fd), -1,
			    !in || out->f != in->f);
	}
}

/* a new stream on a side: counted, with its open flags (O_SYNC holds O_DSYNC's bit too) */
static void new_stream(struct m_side *side, const struct m_fd *d)
{
	bool sync = (d->flags & O_SYNC) == O_SYNC;

	side->streams++;
	side->oflags[0] += !!(d->flags & O_DIRECT);
	side->oflags[1] += sync;
	side->oflags[2] += !sync && (d->flags & O_DSYNC);
	side->oflags[3] += !!(d->flags & O_APPEND);
	side->oflags[4] += !!(d->flags & O_NOATIME);
}

int m_aio_submit(struct model *m, int fd, bool write, uint64_t count, uint64_t off)
{
	struct m_fd *d = fd_of(m, fd);
	int sidx = write ? 5 : 4;
	struct m_stream *st = &d->stream[sidx];
	struct m_aio *a;

	M_ASSERT(m->aio_cnt < sizeof(m->aio) / sizeof(m->aio[0]), "model: too many AIO requests");
	a = &m->aio[m->aio_cnt];
	*a = (struct m_aio){ .f = d->f, .write = write, .req = count };
	if (!st->used)
		new_stream(&d->f->side[sidx], d);
	st->used = true;
	if (write) {
		a->rewrite = st->have_start && st->last_start == off;
		st->have_start = true;
		st->last_start = off;
	}
	a->seq = off == st->next_off; /* the first request of a stream: at offset 0 */
	st->next_off = off + count;
	d->f->recorded = true;
	return (int)m->aio_cnt++;
}

/*
 * An asynchronous request counted on its side and syscall entry, with the
 * verdicts its submission (AIO) or completion (io_uring) gave it.
 */
static void count_async(struct m_side *side, struct m_sc_stats *s, uint64_t req, int64_t res,
			bool rewrite, bool seq)
{
	side->calls++;
	s->calls++;
	s->req[bucket(req)]++;
	side->rewrites += rewrite;
	if (res < 0) {
		side->errors++;
		s->errors++;
		return;
	}
	side->bytes += (uint64_t)res;
	side->any_ok = true;
	s->bytes += (uint64_t)res;
	s->done[bucket((uint64_t)res)]++;
	if (seq) {
		side->seq_calls++;
		side->seq_hist[bucket((uint64_t)res)]++;
	}
}

void m_aio_done(struct model *m, int handle, int64_t res)
{
	struct m_aio *a = &m->aio[handle];

	M_ASSERT(handle >= 0 && (size_t)handle < m->aio_cnt && !a->done, "model: AIO handle %d",
		 handle);
	a->done = true;
	count_async(&a->f->side[a->write ? 5 : 4], &a->f->sc[a->write ? M_AIO_PWRITE : M_AIO_PREAD],
		    a->req, res, a->rewrite, a->seq);
}

void m_uring(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t start, int64_t res)
{
	struct m_fd *d = fd_of(m, fd);
	bool write = sc_kind[sc] == 5, rewrite = false;
	int sidx = write ? 5 : 4;
	struct m_stream *st = &d->stream[sidx];

	M_ASSERT(sc >= M_URING_READ && sc <= M_URING_WRITE_FIXED, "model: m_uring(%s)",
		 sc_names[sc]);
	if (!st->used)
		new_stream(&d->f->side[sidx], d);
	st->used = true;
	d->f->recorded = true;
	if (write) {
		rewrite = st->have_start && st->last_start == start;
		st->have_start = true;
		st->last_start = start;
	}
	count_async(&d->f->side[sidx], &d->f->sc[sc], req, res, rewrite,
		    res >= 0 && start == st->next_off);
	if (res >= 0)
		st->next_off = start + (uint64_t)res;
}

void m_uring_sync(struct model *m, int fd, enum m_sc sc, int64_t res)
{
	struct m_file *f = fd_of(m, fd)->f;

	M_ASSERT(sc == M_URING_FSYNC || sc == M_URING_FDATASYNC, "model: m_uring_sync(%s)",
		 sc_names[sc]);
	f->recorded = true;
	f->sc[sc].calls++;
	f->sc[sc].errors += res < 0;
}

void m_fail(struct model *m, int fd, enum m_sc sc, uint64_t count, uint64_t start)
{
	M_ASSERT(sc_kind[sc] == 0 || sc_kind[sc] == 1, "model: m_fail(%s)", sc_names[sc]);
	record(fd_of(m, fd), sc, sc_kind[sc], count, start, -1);
}

void m_sync(struct model *m, int fd, enum m_sc sc, bool ok, uint64_t lat_ns)
{
	struct m_file *f = fd_of(m, fd)->f;
	struct m_sc_stats *s = &f->sc[sc];

	M_ASSERT(sc == M_FSYNC || sc == M_FDATASYNC, "m_sync(%s)", sc_names[sc]);
	f->recorded = true;
	s->calls++;
	s->errors += !ok;
	if (lat_ns) {
		M_ASSERT(s->lat_cnt < M_MAX_LAT, "more than %d latencies", M_MAX_LAT);
		s->lat[s->lat_cnt++] = lat_ns;
	}
}

void m_seek(struct model *m, int fd, uint64_t pos)
{
	fd_of(m, fd)->pos = pos;
}

/* close counts on files that have a record already (README: "What is counted") */
void m_close(struct model *m, int fd)
{
	struct m_fd *d = fd_of(m, fd);

	if (d->f->recorded)
		d->f->sc[M_CLOSE].calls++;
	if (!--d->refs)
		d->f = NULL; /* the last descriptor: the open file and its streams end */
	m->fds[fd] = NULL;
}

/* ---- comparison --------------------------------------------------------------------------- */

struct cmp {
	const struct model *m;
	const struct m_file *f;
	const struct model_report *r; /* NULL: count only */
	int bad;
};

__attribute__((format(printf, 2, 3))) static void report(const struct model_report *r,
							 const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->mismatch(r->ctx, msg);
}

#define MISMATCH(c, fmt, ...)                                                                      \
	do {                                                                                       \
		(c)->bad++;                                                                        \
		if ((c)->r)                                                                        \
			report((c)->r, "%s: " fmt, (c)->f->shown, __VA_ARGS__);                    \
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

/*
 * A latency histogram: buckets of the README's scheme, ascending, counts
 * adding up to calls; total_ns between the sums of lower and upper bounds;
 * and against the latencies the workload measured around each call (each
 * one contains the kernel's sys_enter..sys_exit span): sorted, the k-th
 * smallest bucket lower bound is at most the k-th smallest measured latency,
 * and total_ns at most their sum; and total_ns at most duration (the trace's,
 * or for overlapping requests the trace's times their count).
 */
static void cmp_lat(struct cmp *c, const struct jval *o, const char *what,
		    const struct m_sc_stats *s, uint64_t duration)
{
	const struct jval *h = jval_get(o, "lat_hist");
	uint64_t total, cnt_sum = 0, lo_sum = 0, hi_sum = 0, meas_sum = 0;
	uint64_t los[M_MAX_LAT], meas[M_MAX_LAT];
	size_t nlos = 0;
	int prev = -1;

	if (!h || h->type != JT_ARR) {
		MISMATCH(c, "%s.lat_hist: %s", what, "missing or not an array");
		return;
	}
	for (size_t b = 0; b < jval_len(h); b++) {
		const struct jval *t = jval_idx(h, b);
		uint64_t lo, hi, cnt, wlo = 0, whi = 0;
		int i;

		if (jval_len(t) != 3 || jval_u64(jval_idx(t, 0), &lo) ||
		    jval_u64(jval_idx(t, 1), &hi) || jval_u64(jval_idx(t, 2), &cnt)) {
			MISMATCH(c, "%s.lat_hist[%zu]: %s", what, b, "not [lo, hi, count]");
			return;
		}
		for (i = prev + 1; i < M_LAT_HIST; i++) {
			lat_bounds(i, &wlo, &whi);
			if (wlo == lo)
				break;
		}
		if (i == M_LAT_HIST || whi != hi || !cnt) {
			MISMATCH(
				c,
				"%s.lat_hist[%zu]: [%llu, %llu, %llu] is no bucket of the README's "
				"scheme (or not ascending, or empty)",
				what, b, (unsigned long long)lo, (unsigned long long)hi,
				(unsigned long long)cnt);
			return;
		}
		prev = i;
		cnt_sum += cnt;
		lo_sum += lo * cnt;
		hi_sum = hi == UINT64_MAX || hi_sum + hi * cnt < hi_sum ? UINT64_MAX
									: hi_sum + hi * cnt;
		for (uint64_t k = 0; k < cnt && nlos < M_MAX_LAT; k++)
			los[nlos++] = lo;
	}
	if (cnt_sum != s->calls)
		MISMATCH(c, "%s.lat_hist: counts add up to %llu, want %llu calls", what,
			 (unsigned long long)cnt_sum, (unsigned long long)s->calls);
	if (jval_u64(jval_get(o, "total_ns"), &total)) {
		MISMATCH(c, "%s.total_ns: %s", what, "missing or not an unsigned integer");
		return;
	}
	if (total < lo_sum || total > hi_sum)
		MISMATCH(c, "%s.total_ns %llu outside the histogram's bounds [%llu, %llu]", what,
			 (unsigned long long)total, (unsigned long long)lo_sum,
			 (unsigned long long)hi_sum);
	if (total > duration)
		MISMATCH(c, "%s.total_ns %llu > duration_ns %llu", what, (unsigned long long)total,
			 (unsigned long long)duration);
	if (!s->lat_cnt || s->lat_cnt != s->calls || nlos != s->lat_cnt)
		return;
	memcpy(meas, s->lat, s->lat_cnt * sizeof(meas[0]));
	for (size_t i = 1; i < s->lat_cnt; i++) /* insertion sort, a few entries */
		for (size_t j = i; j && meas[j - 1] > meas[j]; j--) {
			uint64_t x = meas[j];

			meas[j] = meas[j - 1];
			meas[j - 1] = x;
		}
	for (size_t i = 0; i < s->lat_cnt; i++) {
		meas_sum += meas[i];
		if (los[i] > meas[i])
			MISMATCH(c,
				 "%s.lat_hist: the %zu-th smallest latency is >= %llu ns, but the "
				 "workload measured at most %llu ns around that call",
				 what, i + 1, (unsigned long long)los[i],
				 (unsigned long long)meas[i]);
	}
	if (total > meas_sum)
		MISMATCH(c, "%s.total_ns %llu > %llu ns the workload measured around the calls",
			 what, (unsigned long long)total, (unsigned long long)meas_sum);
}

static void cmp_syscalls(struct cmp *c, const struct jval *rec, uint64_t duration)
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
		if (sc_kind[k] == -1)
			continue;
		if (sc_kind[k] <= -2) {
			cmp_lat(c, o, what, s, duration);
			continue;
		}
		cmp_u64(c, o, what, "bytes", s->bytes);
		cmp_hist(c, o, what, "req_hist", s->req);
		cmp_hist(c, o, what, "done_hist", s->done);
	}
}

/* a histogram of the size scheme whose buckets are each at most bound[i]; its count sum */
static uint64_t hist_within(struct cmp *c, const struct jval *h, const char *what,
			    const uint64_t *bound)
{
	uint64_t sum = 0;

	for (size_t b = 0; b < jval_len(h); b++) {
		const struct jval *t = jval_idx(h, b);
		uint64_t lo, hi, cnt, wlo, whi;
		int i;

		if (jval_len(t) != 3 || jval_u64(jval_idx(t, 0), &lo) ||
		    jval_u64(jval_idx(t, 1), &hi) || jval_u64(jval_idx(t, 2), &cnt)) {
			MISMATCH(c, "%s[%zu]: %s", what, b, "not [lo, hi, count]");
			return sum;
		}
		i = bucket(lo);
		bucket_bounds(i, &wlo, &whi);
		if (wlo != lo || whi != hi || cnt > bound[i])
			MISMATCH(c,
				 "%s[%zu]: [%llu, %llu, %llu], want a bucket of the scheme with at "
				 "most %llu (the completed sizes of that side)",
				 what, b, (unsigned long long)lo, (unsigned long long)hi,
				 (unsigned long long)cnt, (unsigned long long)bound[i]);
		sum += cnt;
	}
	return sum;
}

/* racing calls: sequential/rewrite counts have bounds only */
static void cmp_side_loose(struct cmp *c, const struct jval *o, const char *key, int idx)
{
	const struct m_side *s = &c->f->side[idx];
	uint64_t done[M_HIST] = { 0 }, seq, rew, hsum;
	char what[64];

	for (int k = 0; k < M_SC_CNT; k++)
		if (on_side(k, idx))
			for (int i = 0; i < M_HIST; i++)
				done[i] += c->f->sc[k].done[i];
	if (jval_u64(jval_get(o, "seq_calls"), &seq) || seq > s->calls - s->errors)
		MISMATCH(c, "%s.seq_calls: want at most %llu (the successful calls)", key,
			 (unsigned long long)(s->calls - s->errors));
	snprintf(what, sizeof(what), "%s.seq_hist", key);
	hsum = hist_within(c, jval_get(o, "seq_hist"), what, done);
	if (hsum != seq)
		MISMATCH(c, "%s: counts add up to %llu, seq_calls %llu", what,
			 (unsigned long long)hsum, (unsigned long long)seq);
	if ((idx & 1) && (jval_u64(jval_get(o, "rewrites"), &rew) || rew >= s->calls))
		MISMATCH(c, "%s.rewrites: want below %llu calls", key,
			 (unsigned long long)s->calls);
}

static void cmp_side(struct cmp *c, const struct jval *rec, const char *key, int idx,
		     uint64_t duration)
{
	const struct m_side *s = &c->f->side[idx];
	const struct jval *o = jval_get(rec, key), *last;
	uint64_t first = 0, lastv = 0;

	if (!s->calls) {
		if (!jval_is_null(o))
			MISMATCH(c, "%s: want null (no calls count on it)", key);
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
	if (c->f->loose_seq) {
		cmp_side_loose(c, o, key, idx);
	} else {
		cmp_u64(c, o, key, "seq_calls", s->seq_calls);
		cmp_u64(c, o, key, "streams", s->streams);
		cmp_hist(c, o, key, "seq_hist", s->seq_hist);
		if (idx & 1)
			cmp_u64(c, o, key, "rewrites", s->rewrites);
	}
	if (!c->f->loose_seq) {
		static const char *const names[5] = { "O_DIRECT", "O_SYNC", "O_DSYNC", "O_APPEND",
						      "O_NOATIME" };
		const struct jval *of = jval_get(o, "open_flags");
		char what[64];

		snprintf(what, sizeof(what), "%s.open_flags", key);
		for (int i = 0; i < 5; i++) {
			if (s->oflags[i])
				cmp_u64(c, of, what, names[i], s->oflags[i]);
			else if (jval_get(of, names[i]))
				MISMATCH(c, "%s.%s: present, want absent (no such stream)", what,
					 names[i]);
		}
		if (jval_len(of) > 5 || (of && of->type != JT_OBJ))
			MISMATCH(c, "%s: %s", what, "an object of the known flags only");
	}
	{
		/*
		 * every call's latency: the histogram counts the calls, its total in its
		 * bounds; asynchronous requests overlap, so each is within the trace,
		 * not their sum
		 */
		struct m_sc_stats lat = { .calls = s->calls };
		bool async = !strncmp(key, "async_", 6);

		cmp_lat(c, o, key, &lat, async ? duration * (s->calls ? s->calls : 1) : duration);
	}
	if (!(idx & 1) && jval_get(o, "rewrites"))
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
		MISMATCH(c,
			 "%s: want first_entry_ns %llu <= last_return_ns %llu <= duration_ns %llu",
			 key, (unsigned long long)first, (unsigned long long)lastv,
			 (unsigned long long)duration);
	}
}

/* the fsync object: fsync + fdatasync, the model's counts and the sum of the two entries */
static void cmp_fsync(struct cmp *c, const struct jval *rec, uint64_t duration)
{
	const struct m_sc_stats *fs = &c->f->sc[M_FSYNC], *fd = &c->f->sc[M_FDATASYNC];
	const struct jval *o = jval_get(rec, "fsync"), *scs = jval_get(rec, "syscalls");
	struct m_sc_stats both = { .calls = fs->calls + fd->calls,
				   .errors = fs->errors + fd->errors };
	uint64_t want_total = 0, t, sum[M_LAT_HIST] = { 0 };
	const struct jval *h;
	size_t idx = 0;

	if (!both.calls) {
		if (!jval_is_null(o))
			MISMATCH(c, "fsync: want null (%s)", "no fsync or fdatasync");
		return;
	}
	if (!o || o->type != JT_OBJ) {
		MISMATCH(c, "fsync: want an object (%llu calls)", (unsigned long long)both.calls);
		return;
	}
	cmp_u64(c, o, "fsync", "calls", both.calls);
	cmp_u64(c, o, "fsync", "errors", both.errors);
	cmp_lat(c, o, "fsync", &both, duration);
	/* and it is the bucket-wise sum of syscalls.fsync and syscalls.fdatasync */
	for (int k = M_FSYNC; k <= M_FDATASYNC; k++) {
		const struct jval *e = jval_get(scs, sc_names[k]);

		if (!e)
			continue;
		if (!jval_u64(jval_get(e, "total_ns"), &t))
			want_total += t;
		h = jval_get(e, "lat_hist");
		for (size_t b = 0; b < jval_len(h); b++) {
			uint64_t lo, cnt, wlo, whi;

			if (jval_u64(jval_idx(jval_idx(h, b), 0), &lo) ||
			    jval_u64(jval_idx(jval_idx(h, b), 2), &cnt))
				continue;
			for (int i = 0; i < M_LAT_HIST; i++) {
				lat_bounds(i, &wlo, &whi);
				if (wlo == lo)
					sum[i] += cnt;
			}
		}
	}
	cmp_u64(c, o, "fsync", "total_ns", want_total);
	h = jval_get(o, "lat_hist");
	for (int i = 0; i < M_LAT_HIST; i++) {
		uint64_t lo, cnt, wlo, whi;

		if (!sum[i])
			continue;
		lat_bounds(i, &wlo, &whi);
		if (jval_u64(jval_idx(jval_idx(h, idx), 0), &lo) ||
		    jval_u64(jval_idx(jval_idx(h, idx), 2), &cnt) || lo != wlo || cnt != sum[i]) {
			MISMATCH(c,
				 "fsync.lat_hist[%zu]: want [%llu, %llu, %llu], the sum of fsync's "
				 "and fdatasync's",
				 idx, (unsigned long long)wlo, (unsigned long long)whi,
				 (unsigned long long)sum[i]);
			return;
		}
		idx++;
	}
	if (jval_len(h) != idx)
		MISMATCH(c, "fsync.lat_hist: %zu buckets, want %zu", jval_len(h), idx);
}

static void cmp_comms(struct cmp *c, const struct jval *comms)
{
	const char *const *want = c->f->comms;
	const char *dflt[] = { c->m->comm, NULL };
	size_t n = 0;

	if (!want[0])
		want = dflt;
	for (; n < M_MAX_COMMS && want[n]; n++) {
		bool found = false;

		for (size_t i = 0; i < jval_len(comms); i++)
			found |= jval_str_eq(jval_idx(comms, i), want[n]);
		if (!found)
			MISMATCH(c, "comms: \"%s\" missing", want[n]);
	}
	if (jval_len(comms) != n)
		MISMATCH(c, "comms: %zu entries, want %zu (first %s)", jval_len(comms), n,
			 jval_str(jval_idx(comms, 0), NULL));
}

/* former_paths: [] for a file never renamed, else the name it had first */
static void cmp_former(struct cmp *c, const struct jval *rec)
{
	const struct jval *v = jval_get(rec, "former_paths");
	size_t want = c->f->former[0] ? 1 : 0;

	if (!v || v->type != JT_ARR) {
		MISMATCH(c, "former_paths: %s", "missing or not an array");
		return;
	}
	if (jval_len(v) != want)
		MISMATCH(c, "former_paths: %zu names, want %zu (%s)", jval_len(v), want,
			 want ? c->f->former : "never renamed");
	else if (want && !jval_str_eq(jval_idx(v, 0), c->f->former))
		MISMATCH(c, "former_paths[0]: got %s, want %s", jval_str(jval_idx(v, 0), NULL),
			 c->f->former);
}

static void cmp_identity(struct cmp *c, const struct jval *rec, bool per_process)
{
	const struct m_file *f = c->f;
	const struct jval *hex = jval_get(rec, "path_hex");
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
	cmp_former(c, rec);
	cmp_comms(c, jval_get(rec, "comms"));
	for (size_t i = 0; i < f->path_len; i++)
		sprintf(want_hex + 2 * i, "%02x", (unsigned char)f->path[i]);
	want_hex[2 * f->path_len] = '\0';
	if (f->hex && !jval_str_eq(hex, want_hex))
		MISMATCH(c, "path_hex: got %s, want %s", jval_str(hex, NULL), want_hex);
	if (!f->hex && hex)
		MISMATCH(c, "path_hex: present for a UTF-8 path (%s)", jval_str(hex, NULL));
	if (per_process) {
		const char *want = f->comms[0] ? f->comms[0] : c->m->comm;

		if (jval_u64(jval_get(rec, "pid"), &u) || !u)
			MISMATCH(c, "pid: %s", "missing with --per-process");
		else if (f->pid && u != f->pid)
			MISMATCH(c, "pid: got %llu, want %llu", (unsigned long long)u,
				 (unsigned long long)f->pid);
		if (!jval_str_eq(jval_get(rec, "comm"), want))
			MISMATCH(c, "comm: want \"%s\" (--per-process)", want);
	} else if (jval_get(rec, "pid") || jval_get(rec, "comm")) {
		MISMATCH(c, "pid/comm: %s", "present without --per-process");
	}
}

static int compare(const struct jval *rec, const struct model *m, const struct m_file *f,
		   uint64_t duration, bool per_process, const struct model_report *r)
{
	struct cmp c = { .m = m, .f = f, .r = r };

	cmp_identity(&c, rec, per_process);
	cmp_syscalls(&c, rec, duration);
	for (int s = 0; s < 6; s++)
		cmp_side(&c, rec, side_names[s], s, duration);
	cmp_fsync(&c, rec, duration);
	return c.bad;
}

static bool path_is(const struct jval *rec, const char *s, size_t len)
{
	size_t n;
	const char *p = jval_str(jval_get(rec, "path"), &n);

	return p && n == len && !memcmp(p, s, len);
}

/* records not ours: never a pipe, socket, device, memfd or anything not a regular file */
static size_t check_foreign(const struct jval *rec, const struct model_report *r)
{
	static const char *const never[] = { "/dev/",
					     "pipe:", "socket:", "anon_inode:", "/memfd:" };
	const char *p = jval_str(jval_get(rec, "path"), NULL);
	struct stat st;
	size_t bad = 0;

	if (!p) {
		report(r, "a record without a path");
		return 1;
	}
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (!strncmp(p, never[i], strlen(never[i])) && ++bad)
			report(r, "record for %s: not a named regular file, must have no record",
			       p);
	if ((stat(p, &st) || !S_ISREG(st.st_mode)) && ++bad)
		report(r, "record for %s: not an existing regular file", p);
	return bad;
}

static bool has_io(const struct m_file *f)
{
	for (int s = 0; s < 6; s++)
		if (f->side[s].calls)
			return true;
	return f->sc[M_FSYNC].calls || f->sc[M_FDATASYNC].calls;
}

static size_t check_dropped(const struct jval *doc, const struct model_report *r)
{
	const struct jval *dropped = jval_get(doc, "dropped");
	static const char *const keys[] = { "files", "events" };
	size_t bad = 0;
	uint64_t u = 1;

	for (int i = 0; i < 2; i++)
		if ((jval_u64(jval_get(dropped, keys[i]), &u) || u) && ++bad)
			report(r, "dropped.%s: %llu, want 0", keys[i], (unsigned long long)u);
	return bad;
}

/* the model's file a record stands for, compared; NULL when no file has its path */
static struct m_file *match_record(const struct jval *rec, struct model *m, uint64_t duration,
				   bool per_process)
{
	struct m_file *first = NULL;

	/* with --per-process several records share a path: take the one that fits */
	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];

		if (f->matched || !path_is(rec, f->shown, f->shown_len))
			continue;
		first = first ? first : f;
		if (!compare(rec, m, f, duration, per_process, NULL))
			return f;
	}
	return first;
}

size_t model_check(const struct jval *doc, struct model *m, const char *only,
		   const struct model_report *r)
{
	const struct jval *files = jval_get(doc, "files");
	size_t dir_len = strlen(m->dir), dir2_len = strlen(m->dir2), bad;
	char only_path[PATH_MAX + 256];
	uint64_t duration = 0;
	bool per_process = false;

	if (!files || files->type != JT_ARR || jval_u64(jval_get(doc, "duration_ns"), &duration)) {
		report(r, "files or duration_ns: missing");
		return 1;
	}
	jval_bool(jval_get(jval_get(doc, "filter"), "per_process"), &per_process);
	bad = check_dropped(doc, r);
	if (only)
		snprintf(only_path, sizeof(only_path), "%s/%s", m->dir, only);
	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];
		bool skip = only && strcmp(f->path, only_path);

		if (!f->have_stat && !skip && has_io(f))
			m_stat(f);
		f->matched = skip; /* files not checked count as matched */
	}
	for (size_t i = 0; i < jval_len(files); i++) {
		const struct jval *rec = jval_idx(files, i);
		const char *p = jval_str(jval_get(rec, "path"), NULL);
		bool ours =
			p && ((!strncmp(p, m->dir, dir_len) && p[dir_len] == '/') ||
			      (dir2_len && !strncmp(p, m->dir2, dir2_len) && p[dir2_len] == '/'));
		struct m_file *f;

		if (ours && only && strcmp(p, only_path))
			continue;
		f = match_record(rec, m, duration, per_process);
		if (!f && ours && ++bad)
			report(r, "unexpected record for %s", p);
		else if (!f)
			bad += check_foreign(rec, r);
		if (!f)
			continue;
		f->matched = true;
		bad += (size_t)compare(rec, m, f, duration, per_process, r);
	}
	for (size_t i = 0; i < m->file_cnt; i++) {
		struct m_file *f = m->files[i];
		bool any = has_io(f);

		if (only && strcmp(f->path, only_path))
			continue;
		if (!f->matched && any && ++bad)
			report(r, "%s: no record", f->shown);
		if (f->matched && !any && ++bad)
			report(r, "%s: a record, but the workload did no I/O on it", f->shown);
	}
	return bad;
}
