/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth for every tier that runs iotrace on a workload it knows (the
 * e2e tests, the kernel matrix's smoke check): a small model of the files,
 * open files, positions and sizes a scenario touches.  The caller replays
 * the workload's calls on the model (m_read, m_pwrite, ...), which derives
 * every field of docs/output-format.md the way that document defines it:
 * histograms, streams and the Sequential rule, rewrites, errors, bytes.
 * model_check() then compares each FILE of a result document with the
 * model and reports every difference through the caller's reporter.
 * Criterion-free: misuse of the model calls model_abort(), which a test
 * binary may define (the default prints and aborts).
 */
#ifndef TESTS_LIB_MODEL_H
#define TESTS_LIB_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/jsonr.h"

#define M_HIST	    64
#define M_LAT_HIST  160
#define M_MAX_FILES 96
#define M_MAX_FDS   64
#define M_MAX_COMMS 4
#define M_MAX_LAT   64

/* every syscall of the spec, in its order */
enum m_sc {
	M_READ,
	M_READV,
	M_PREAD64,
	M_PREADV,
	M_PREADV2,
	M_WRITE,
	M_WRITEV,
	M_PWRITE64,
	M_PWRITEV,
	M_PWRITEV2,
	M_SENDFILE,
	M_COPY_FILE_RANGE,
	M_SPLICE,
	M_FSYNC,
	M_FDATASYNC,
	M_CLOSE,
	M_AIO_PREAD, /* Linux AIO requests (io_submit) */
	M_AIO_PWRITE,
	M_URING_READ, /* io_uring requests, by opcode */
	M_URING_WRITE,
	M_URING_READV,
	M_URING_WRITEV,
	M_URING_READ_FIXED,
	M_URING_WRITE_FIXED,
	M_URING_FSYNC,
	M_URING_FDATASYNC,
	M_SC_CNT
};
/* the offset argument -1 of preadv2/pwritev2: use the file position */
#define M_POS UINT64_MAX

struct m_sc_stats {
	uint64_t calls, errors, bytes;
	uint64_t req[M_HIST], done[M_HIST];
	/* fsync/fdatasync: latencies the workload measured around each call (upper bounds) */
	uint64_t lat[M_MAX_LAT];
	size_t lat_cnt;
};

struct m_side {
	uint64_t calls, errors, bytes, seq_calls, rewrites;
	uint64_t streams; /* open files (model fds) that made calls on this side */
	uint64_t oflags
		[5]; /* of those, opened with O_DIRECT, O_SYNC, O_DSYNC alone, O_APPEND, O_NOATIME */
	uint64_t seq_hist[M_HIST];
	bool any_ok;
};

/*
 * A stream: one open file's state on one side of its file.  Sequential and
 * rewrites are judged per stream (output-format.md): each open file has its
 * own previous call.
 */
struct m_stream {
	bool used;	   /* made a call on this side */
	uint64_t next_off; /* end of the previous successful call; 0 before the first */
	bool have_start;
	uint64_t last_start; /* start of the previous call (write side: rewrites) */
};

struct m_file {
	char path[PATH_MAX + 256]; /* raw absolute path */
	size_t path_len;
	char shown[3 * PATH_MAX]; /* path as JSON shows it (U+FFFD for invalid bytes) */
	size_t shown_len;
	bool hex; /* path not UTF-8: expect path_hex */
	bool deleted;
	char former[PATH_MAX + 256]; /* the name it had first, when renamed since; "" when not */
	bool have_stat;		     /* dev, ino, fstype known (m_stat or m_set_id) */
	dev_t dev;
	ino_t ino;
	char fstype[32];
	uint64_t size;
	bool recorded;	/* a read/write/sync call was counted: close counts now */
	bool loose_seq; /* racing calls: seq_calls, seq_hist, rewrites only bounded */
	uint64_t pid;	/* --per-process: the expected pid, 0 = any */
	const char *comms[M_MAX_COMMS]; /* expected comms (a set); none = the model's comm */
	struct m_sc_stats sc[M_SC_CNT];
	struct m_side side[6]; /* read, write, copy_read, copy_write, async_read, async_write */
	bool matched;
};

/* an open file (struct file): what descriptors share after dup */
struct m_fd {
	struct m_file *f; /* NULL: free */
	int refs;	  /* descriptors that refer to it */
	uint64_t pos;
	bool append, rd, wr;
	int flags;		   /* as open(2) had them */
	struct m_stream stream[6]; /* this open file as a stream on each side */
};

struct model {
	char dir[PATH_MAX];
	char dir2
		[PATH_MAX]; /* "": none; else a second directory whose records are the scenario's */
	struct m_file *files[M_MAX_FILES];
	size_t file_cnt;
	struct m_fd files_open[M_MAX_FDS];
	struct m_fd *fds[M_MAX_FDS]; /* descriptor -> open file */
	const char *comm;	     /* the expected comms entry, "workload" by default */
	struct m_aio {
		struct m_file *f;
		bool write, seq, rewrite, done;
		uint64_t req;
	} aio[512]; /* submitted requests (m_aio_submit) */
	size_t aio_cnt;
};

void m_init(struct model *m, const char *dir);
void m_free(struct model *m);
/* a file dir/rel of size bytes (its size before the trace) */
struct m_file *m_file(struct model *m, const char *rel, uint64_t size);
/* the same, with the shown form of a name that is not valid UTF-8 */
struct m_file *m_file_named(struct model *m, const char *rel, const char *shown_rel, bool hex,
			    uint64_t size);
/* a file outside dir, by absolute path */
struct m_file *m_file_abs(struct model *m, const char *path, uint64_t size);
/* f was renamed from dir/from_rel: the record's former_paths holds that name */
void m_renamed_from(struct model *m, struct m_file *f, const char *from_rel);
/* stat f now (for files the workload deletes) */
void m_stat(struct m_file *f);
/* identity known otherwise (a file that is gone when the trace ends) */
void m_set_id(struct m_file *f, dev_t dev, ino_t ino, const char *fstype);

/* descriptors: flags as open(2); returns the model fd */
int m_open(struct model *m, struct m_file *f, int flags);
void m_close(struct model *m, int fd);
/* dup(fd): a new descriptor for the same open file (position, streams) */
int m_dup(struct model *m, int fd);
void m_seek(struct model *m, int fd, uint64_t pos);
void m_read(struct model *m, int fd, uint64_t count);
void m_pread(struct model *m, int fd, uint64_t count, uint64_t off);
void m_write(struct model *m, int fd, uint64_t count);
void m_pwrite(struct model *m, int fd, uint64_t count, uint64_t off);
/*
 * Any successful read-type (write-type) call of sc with request size req:
 * off = M_POS for the calls that use (and advance) the file position, else
 * the offset argument.
 */
void m_rcall(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t off);
void m_wcall(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t off);
/*
 * sendfile(out_fd, in_fd, off, count) that succeeds: out_fd = -1 when it is
 * no regular file (a pipe); off NULL = in_fd's position, else *off, advanced.
 * Returns the bytes moved.
 */
uint64_t m_sendfile(struct model *m, int out_fd, int in_fd, uint64_t *off, uint64_t count);
/* a sendfile that failed, counted on both files; out_fd -1 as above */
void m_sendfile_fail(struct model *m, int out_fd, int in_fd, const uint64_t *off, uint64_t count);
/*
 * copy_file_range or splice (sc) of count bytes that moved n: in_fd or
 * out_fd -1 for a pipe end; off_in/off_out NULL = that fd's position (moved
 * by n), else *off (advanced).  n is what the workload saw returned.
 */
void m_copy(struct model *m, enum m_sc sc, int in_fd, uint64_t *off_in, int out_fd,
	    uint64_t *off_out, uint64_t count, uint64_t n);
/* the same call failed: counted as an error on each file, nothing moved */
void m_copy_fail(struct model *m, enum m_sc sc, int in_fd, const uint64_t *off_in, int out_fd,
		 const uint64_t *off_out, uint64_t count);
/*
 * Linux AIO: a pread (write false) or pwrite request of count bytes at off
 * that io_submit accepted on fd; it is judged sequential and a rewrite
 * then, against its stream's previous request by requested size.  Returns
 * a handle for m_aio_done, which counts it with the result its event gave
 * (res, or -errno).
 */
int m_aio_submit(struct model *m, int fd, bool write, uint64_t count, uint64_t off);
void m_aio_done(struct model *m, int handle, int64_t res);
/*
 * An io_uring read or write request (sc M_URING_READ ... M_URING_WRITE_FIXED)
 * of req bytes at start (the file position it used, for an offset of -1)
 * on fd's open file that completed with res, counted at its completion:
 * sequential and rewrite judged then, in completion order.
 */
void m_uring(struct model *m, int fd, enum m_sc sc, uint64_t req, uint64_t start, int64_t res);
/* an io_uring fsync request (M_URING_FSYNC or M_URING_FDATASYNC) with result res */
void m_uring_sync(struct model *m, int fd, enum m_sc sc, int64_t res);
/* a call that failed (-errno): request count, starting offset as the spec defines it */
void m_fail(struct model *m, int fd, enum m_sc sc, uint64_t count, uint64_t start);
/* fsync or fdatasync; lat_ns: the latency the workload measured around it (0: unknown) */
void m_sync(struct model *m, int fd, enum m_sc sc, bool ok, uint64_t lat_ns);
/* the start of a call at the fd's position (file size for O_APPEND) */
uint64_t m_pos(struct model *m, int fd);

/* the file system type of the mount holding dev (/proc/self/mountinfo); 0 or -errno */
int m_fstype(dev_t dev, char *buf, size_t sz);

/* how model_check reports: one call per difference, msg without a newline */
struct model_report {
	void (*mismatch)(void *ctx, const char *msg);
	void *ctx;
};

/*
 * Compare every record of doc below m->dir (or, with only, the one file
 * dir/only) with the model, stat'ing files not yet identified; records
 * outside it must be named regular files (never pipes, devices, sockets or
 * memfds).  The number of differences, each reported.
 */
size_t model_check(const struct jval *doc, struct model *m, const char *only,
		   const struct model_report *r);

/* the model was used wrongly (a test bug): report and stop */
void model_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
