// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads of `make bench`, each in a child process forked from the
 * bench: it opens its files, says 'r' on its result pipe, waits for the go
 * byte (sent once the tracer is ready), runs WARMUP_CALLS untimed calls and
 * then its timed loop, writes the ns per call, and stays alive until the go
 * pipe is closed, so a tracer following its pid is still attached when the
 * bench reads the tracer's memory and program counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include "uring.h"

#include "bench.h"

#define IO_SZ	       4096
#define SMALL_SZ       512
#define DD_IN_SZ       (1 << 20)
#define FSYNC_WRAP     (1 << 20) /* rewind the fsync file past 1 MiB */
#define MANY_SZ	       64
#define RESULT_WAIT_MS 120000 /* a workload that takes longer is a broken run */
#define RSS_SAMPLE_MS  30     /* the tracer's RSS is read this long into the loop */

/*
 * Call counts: enough for ~0.1-0.3 s per loop untraced on the 2-core CI
 * machine, so a round of every tracer x workload stays near 30 s.
 */
const struct wl_spec wl_specs[WLS] = {
	[WL_PREAD1] = { "pread64", "call", 200000, 1, false, true },
	[WL_PREAD2] = { "pread64 x2 threads", "call/thread", 200000, 2, false, true },
	[WL_DD] = { "read+write 4k (dd)", "pair", 100000, 1, false, true },
	[WL_FSYNC] = { "write 512+fsync", "pair", 100000, 1, false, true },
	[WL_MISS] = { "pread64 untraced (miss)", "call", 200000, 1, false, false },
	[WL_GETPPID] = { "getppid", "call", 500000, 1, false, true },
	[WL_COPY] = { "copy_file_range 4k", "call", 100000, 1, false, true },
	[WL_AIO] = { "aio pread 4k", "request", 100000, 1, false, true },
	[WL_URING] = { "io_uring read 4k", "request", 100000, 1, false, true },
	[WL_FAULT] = { "fault on a file mapping", "fault", 200000, 1, false, true },
	[WL_SCALE0] = { "pread64, few files", "call", 200000, 1, false, true },
	[WL_SCALE] = { "pread64 after 100k files", "call", 200000, 1, true, true },
};

/* ---- files ---------------------------------------------------------------- */

static int write_file(const char *path, size_t sz)
{
	static const char buf[IO_SZ] = { 1 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = fd < 0 ? -errno : 0;

	while (!err && sz) {
		size_t n = sz < sizeof(buf) ? sz : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			err = -EIO;
		sz -= n;
	}
	if (fd >= 0)
		close(fd);
	if (err)
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-err));
	return err;
}

/* tmpfs, so "cached" holds and no writeback thread competes for the 2 cores */
int files_create(struct bench_files *f)
{
	int err;

	snprintf(f->dir, sizeof(f->dir), "/dev/shm/iotrace-bench.XXXXXX");
	if (!mkdtemp(f->dir)) {
		fprintf(stderr, "bench: mkdtemp %s: %s\n", f->dir, strerror(errno));
		f->dir[0] = 0;
		return -errno;
	}
	snprintf(f->pread_path, sizeof(f->pread_path), "%s/pread.dat", f->dir);
	snprintf(f->dd_in, sizeof(f->dd_in), "%s/dd.in", f->dir);
	snprintf(f->dd_out, sizeof(f->dd_out), "%s/dd.out", f->dir);
	snprintf(f->fsync_path, sizeof(f->fsync_path), "%s/fsync.dat", f->dir);
	snprintf(f->result_path, sizeof(f->result_path), "%s/iotrace.csv", f->dir);
	snprintf(f->many_dir, sizeof(f->many_dir), "%s/many", f->dir);
	err = write_file(f->pread_path, IO_SZ);
	err = err ?: write_file(f->dd_in, DD_IN_SZ);
	err = err ?: write_file(f->dd_out, DD_IN_SZ);
	err = err ?: write_file(f->fsync_path, 0);
	if (err)
		return err;
	snprintf(f->uring_dir, sizeof(f->uring_dir), "%s/iotrace-bench.XXXXXX", URING_DIR);
	if (!mkdtemp(f->uring_dir)) {
		fprintf(stderr, "bench: mkdtemp %s: %s\n", f->uring_dir, strerror(errno));
		f->uring_dir[0] = 0;
		return -errno;
	}
	snprintf(f->uring_path, sizeof(f->uring_path), "%s/uring.dat", f->uring_dir);
	return write_file(f->uring_path, IO_SZ);
}

static void many_path(const struct bench_files *f, long i, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/f%06ld", f->many_dir, i);
}

int files_create_many(struct bench_files *f)
{
	char path[128];
	int err = 0;

	if (mkdir(f->many_dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "bench: mkdir %s: %s\n", f->many_dir, strerror(errno));
		return -errno;
	}
	for (; !err && f->many_cnt < SCALE_FILES; f->many_cnt++) {
		many_path(f, f->many_cnt, path, sizeof(path));
		err = write_file(path, MANY_SZ);
	}
	return err;
}

void files_remove(struct bench_files *f)
{
	char path[128];

	if (!f->dir[0])
		return;
	for (long i = 0; i < f->many_cnt; i++) {
		many_path(f, i, path, sizeof(path));
		unlink(path);
	}
	rmdir(f->many_dir);
	unlink(f->pread_path);
	unlink(f->dd_in);
	unlink(f->dd_out);
	unlink(f->fsync_path);
	unlink(f->result_path);
	rmdir(f->dir);
	f->dir[0] = 0;
	if (f->uring_dir[0]) {
		unlink(f->uring_path);
		rmdir(f->uring_dir);
		f->uring_dir[0] = 0;
	}
}

/* ---- the child ------------------------------------------------------------ */

struct loop {
	enum wl_id wl;
	int fd, fd2;
	long calls;
	double ns;		  /* out: per call */
	pthread_barrier_t *start; /* NULL with one thread */
};

static double mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int pread_loop(int fd, long n)
{
	static __thread char buf[IO_SZ];

	for (long i = 0; i < n; i++)
		if (pread(fd, buf, IO_SZ, 0) != IO_SZ)
			return -1;
	return 0;
}

/* dd bs=4k: read A into B, both rewound at the end of A */
static int dd_loop(int in, int out, long n)
{
	static char buf[IO_SZ];

	for (long i = 0; i < n; i++) {
		ssize_t got = read(in, buf, IO_SZ);

		if (got == 0) {
			if (lseek(in, 0, SEEK_SET) || lseek(out, 0, SEEK_SET))
				return -1;
			got = read(in, buf, IO_SZ);
		}
		if (got != IO_SZ || write(out, buf, IO_SZ) != IO_SZ)
			return -1;
	}
	return 0;
}

static int fsync_loop(int fd, long n)
{
	static const char buf[SMALL_SZ] = { 2 };

	for (long i = 0; i < n; i++) {
		if ((i * SMALL_SZ) % FSYNC_WRAP == 0 && lseek(fd, 0, SEEK_SET))
			return -1;
		if (write(fd, buf, SMALL_SZ) != SMALL_SZ || fsync(fd))
			return -1;
	}
	return 0;
}

/* copy_file_range of 4 KiB at explicit offsets, through a 1 MiB file into another */
static int copy_loop(int in, int out, long n)
{
	for (long i = 0; i < n; i++) {
		loff_t off = (loff_t)((i * IO_SZ) % DD_IN_SZ), off2 = off;

		if (copy_file_range(in, &off, out, &off2, IO_SZ, 0) != IO_SZ)
			return -1;
	}
	return 0;
}

/* one Linux AIO pread of 4 KiB per request: io_submit, then io_getevents reaps it */
static int aio_loop(int fd, long n)
{
	static char buf[IO_SZ];
	struct iocb cb = { .aio_lio_opcode = IOCB_CMD_PREAD,
			   .aio_fildes = (uint32_t)fd,
			   .aio_buf = (uint64_t)(uintptr_t)buf,
			   .aio_nbytes = IO_SZ };
	struct iocb *cbs[1] = { &cb };
	struct io_event ev;
	unsigned long ctx = 0;
	int err = 0;

	if (syscall(SYS_io_setup, 8, &ctx))
		return -1;
	for (long i = 0; i < n && !err; i++)
		err = syscall(SYS_io_submit, ctx, 1, cbs) != 1 ||
		      syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1 || ev.res != IO_SZ;
	syscall(SYS_io_destroy, ctx);
	return err ? -1 : 0;
}

/* one io_uring read of 4 KiB at offset 0 per request, one io_uring_enter each */
static int uring_loop(int fd, long n)
{
	static char buf[IO_SZ];
	struct ring r = { .fd = -1 };
	int err = ring_setup(&r, 8);

	for (long i = 0; i < n && !err; i++)
		err = ring_op(&r, IORING_OP_READ, fd, buf, IO_SZ, 0, 0, 0) != IO_SZ;
	if (r.fd >= 0)
		close(r.fd);
	return err ? -1 : 0;
}

/*
 * One write fault per call on a private mapping of the dd input (copy on
 * write: no fault-around); every FAULT_PAGES faults the copies are dropped
 * (MADV_DONTNEED) so the pages fault again.
 */
#define FAULT_PAGES 64
static int fault_loop(int fd, long n)
{
	volatile char *m =
		mmap(NULL, FAULT_PAGES * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	if (m == MAP_FAILED)
		return -1;
	for (long i = 0; i < n; i++) {
		long page = i % FAULT_PAGES;

		if (!page && i && madvise((void *)m, FAULT_PAGES * 4096L, MADV_DONTNEED))
			break;
		m[page * 4096] = 1;
	}
	munmap((void *)m, FAULT_PAGES * 4096L);
	return 0;
}

static int getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

static int run_calls(const struct loop *l, long n)
{
	switch (l->wl) {
	case WL_DD:
		return dd_loop(l->fd, l->fd2, n);
	case WL_FSYNC:
		return fsync_loop(l->fd, n);
	case WL_GETPPID:
		return getppid_loop(n);
	case WL_COPY:
		return copy_loop(l->fd, l->fd2, n);
	case WL_AIO:
		return aio_loop(l->fd, n);
	case WL_URING:
		return uring_loop(l->fd, n);
	case WL_FAULT:
		return fault_loop(l->fd, n);
	default:
		return pread_loop(l->fd, n);
	}
}

static void *timed_loop(void *arg)
{
	struct loop *l = arg;
	double t0;

	if (run_calls(l, WARMUP_CALLS))
		return (void *)1;
	if (l->start)
		pthread_barrier_wait(l->start);
	t0 = mono_ns();
	if (run_calls(l, l->calls))
		return (void *)1;
	l->ns = (mono_ns() - t0) / l->calls;
	return NULL;
}

/* First contact with every scale file: open, one pread, close. */
static int touch_many(const struct bench_files *f)
{
	char path[128], buf[MANY_SZ];

	for (long i = 0; i < f->many_cnt; i++) {
		int fd;

		many_path(f, i, path, sizeof(path));
		fd = open(path, O_RDONLY);
		if (fd < 0 || pread(fd, buf, sizeof(buf), 0) != MANY_SZ)
			return -1;
		close(fd);
	}
	return 0;
}

static int open_files(enum wl_id wl, const struct bench_files *f, struct loop *l)
{
	l->fd = l->fd2 = -1;
	switch (wl) {
	case WL_FAULT:
		l->fd = open(f->dd_in, O_RDONLY);
		break;
	case WL_DD:
	case WL_COPY:
		l->fd = open(f->dd_in, O_RDONLY);
		l->fd2 = open(f->dd_out, O_WRONLY);
		return l->fd < 0 || l->fd2 < 0 ? -1 : 0;
	case WL_FSYNC:
		l->fd = open(f->fsync_path, O_WRONLY);
		break;
	case WL_GETPPID:
		return 0;
	case WL_URING:
		l->fd = open(f->uring_path, O_RDONLY);
		break;
	default:
		l->fd = open(f->pread_path, O_RDONLY);
	}
	return l->fd < 0 ? -1 : 0;
}

/* Start the threads (they wait at the barrier), then run them; *ns = mean per thread. */
static int run_threads(struct loop *l, int cnt, double *ns)
{
	pthread_t th[2];
	pthread_barrier_t start;
	void *ret;
	int bad = 0;

	pthread_barrier_init(&start, NULL, cnt);
	for (int i = 0; i < cnt; i++) {
		l[i].start = &start;
		if (pthread_create(&th[i], NULL, timed_loop, &l[i]))
			return -1;
	}
	*ns = 0;
	for (int i = 0; i < cnt; i++) {
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
		*ns += l[i].ns / cnt;
	}
	return bad ? -1 : 0;
}

static int child_main(enum wl_id wl, const struct bench_files *f, int go, int res)
{
	const struct wl_spec *s = &wl_specs[wl];
	struct loop l[2] = { { .wl = wl, .calls = s->calls } };
	double ns;
	char c;

	if (open_files(wl, f, &l[0]))
		return 1;
	l[1] = l[0];
	if (write(res, "r", 1) != 1 || read(go, &c, 1) != 1)
		return 1;
	if (s->touch && touch_many(f))
		return 1;
	if (s->threads == 1) {
		if (timed_loop(&l[0]))
			return 1;
		ns = l[0].ns;
	} else if (run_threads(l, s->threads, &ns)) {
		return 1;
	}
	if (write(res, &ns, sizeof(ns)) != sizeof(ns))
		return 1;
	while (read(go, &c, 1) > 0)
		;
	return 0;
}

/* Close every fd but two (a child must not keep the bench's BPF fds alive). */
int close_others(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;

	if (lo > 3)
		syscall(SYS_close_range, 3, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	return (int)syscall(SYS_close_range, hi + 1, ~0U, 0);
}

int workload_spawn(enum wl_id wl, const struct bench_files *f, struct wl_proc *w)
{
	int go[2], res[2];
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		fprintf(stderr, "bench: pipe: %s\n", strerror(errno));
		return -errno;
	}
	w->pid = fork();
	if (w->pid < 0) {
		fprintf(stderr, "bench: fork: %s\n", strerror(errno));
		return -errno;
	}
	if (w->pid == 0) {
		signal(SIGINT, SIG_DFL);
		close_others(go[0], res[1]);
		prctl(PR_SET_NAME, "bench-workload");
		_exit(child_main(wl, f, go[0], res[1]));
	}
	close(go[0]);
	close(res[1]);
	w->go_fd = go[1];
	w->res_fd = res[0];
	if (read(w->res_fd, &c, 1) != 1 || c != 'r') {
		fprintf(stderr, "bench: workload '%s' failed to set up\n", wl_specs[wl].name);
		return -EIO;
	}
	return 0;
}

int workload_go(struct wl_proc *w)
{
	return write(w->go_fd, "g", 1) == 1 ? 0 : -errno;
}

/*
 * Wait for the ns per call.  When sample_pid is not 0, its VmRSS is read
 * RSS_SAMPLE_MS into the loop (or at the end of a shorter one).
 */
int workload_result(struct wl_proc *w, double *ns, pid_t sample_pid, long *rss_kb)
{
	struct pollfd p = { .fd = w->res_fd, .events = POLLIN };
	double t0 = now_ms();
	int err = 0;

	*rss_kb = -1;
	while (!err) {
		int n = poll(&p, 1, sample_pid && *rss_kb < 0 ? RSS_SAMPLE_MS : 1000);

		if (n < 0)
			return -errno;
		if (sample_pid && *rss_kb < 0)
			err = rss_kb_of(sample_pid, rss_kb);
		if (n > 0)
			break;
		if (now_ms() - t0 > RESULT_WAIT_MS) {
			fprintf(stderr, "bench: workload pid %d: no result in %d s\n", (int)w->pid,
				RESULT_WAIT_MS / 1000);
			return -ETIMEDOUT;
		}
	}
	if (!err && read(w->res_fd, ns, sizeof(*ns)) != sizeof(*ns)) {
		fprintf(stderr, "bench: workload pid %d failed during its loop\n", (int)w->pid);
		err = -EIO;
	}
	return err;
}

/* Close the go pipe (the child exits) and reap it: 0 only for a clean exit. */
int workload_end(struct wl_proc *w)
{
	int status = 0;

	if (w->pid <= 0)
		return 0;
	close(w->go_fd);
	close(w->res_fd);
	if (waitpid(w->pid, &status, 0) < 0)
		return -errno;
	w->pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: workload child ended with status 0x%x\n", status);
		return -EIO;
	}
	return 0;
}

/* A process that only waits for EOF on *hold_fd: the miss path's target. */
int idle_spawn(pid_t *pid, int *hold_fd)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		close_others(p[0], p[0]);
		prctl(PR_SET_NAME, "bench-idle");
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*hold_fd = p[1];
	return 0;
}
