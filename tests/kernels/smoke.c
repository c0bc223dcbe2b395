// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-matrix smoke test, one static binary for a guest that has only
 * busybox:
 *   smoke run A B            perform scenario.h below directories A and B,
 *                            printing "fact PATH MAJ:MIN INO" for each file
 *                            (stdout must be a pipe: a regular file would be
 *                            traced too)
 *   smoke check OUT FACTS A B  compare iotrace's result OUT with the scenario
 *                            (check.c)
 * run checks every return value and starting offset against the table and
 * exits 10 on the first difference, so a drifting workload cannot pass for
 * a broken tracer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/aio_abi.h>

#include "scenario.h"
#include "uring.h"
#include "smoke.h"

static char buf[128 * 1024];

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smoke: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(10);
}

int smoke_path(char *dst, size_t sz, const char *path, const char *a, const char *b)
{
	const char *dir = path[0] == 'A' ? a : path[0] == 'B' ? b : NULL;
	int n;

	n = dir ? snprintf(dst, sz, "%s/%s", dir, path + 2) : snprintf(dst, sz, "%s", path);
	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

/* the starting offset the spec gives a call that uses the file position */
static uint64_t pos_start(int fd)
{
	struct stat st;
	off_t pos;

	if (fcntl(fd, F_GETFL) & O_APPEND) {
		if (fstat(fd, &st))
			die("fstat: %s", strerror(errno));
		return (uint64_t)st.st_size;
	}
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		die("lseek: %s", strerror(errno));
	return (uint64_t)pos;
}

static int iov_of(const struct smoke_step *s, struct iovec *iov)
{
	int n = 0;

	for (; n < SMOKE_IOVS && s->len[n]; n++) {
		iov[n].iov_base = buf;
		iov[n].iov_len = s->len[n];
	}
	return n;
}

static void do_open(int *fds, const struct smoke_step *s, const char *a, const char *b)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (smoke_path(path, sizeof(path), s->path, a, b))
		die("path too long: %s", s->path);
	fd = open(path, s->flags | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st))
		die("open %s: %s", path, strerror(errno));
	fds[s->slot] = fd;
	/* stdout is a pipe: these writes are not traced as file I/O */
	printf("fact %s %u:%u %llu\n", path, major(st.st_dev), minor(st.st_dev),
	       (unsigned long long)st.st_ino);
	fflush(stdout);
}

/* one I/O step; returns the call's result as the table writes it */
static int64_t do_io(const int *fds, const struct smoke_step *s, uint64_t *start,
		     uint64_t *out_start)
{
	int fd = fds[s->slot], cnt;
	struct iovec iov[SMOKE_IOVS];
	off_t off = s->off;
	loff_t loff = s->off, loff_out = s->off_out;
	ssize_t r;

	if (s->op == S_COPY || s->op == S_SPLICE) {
		int out =
			fds[s->out]; /* fds[SMOKE_PIPE]: the pipe's read end, [+1] its write end */

		if (s->out == SMOKE_PIPE)
			out = fds[SMOKE_PIPE + 1];
		*start = s->slot == SMOKE_PIPE ? 0
			 : s->off == NOPTR     ? pos_start(fd)
					       : (uint64_t)s->off;
		*out_start = s->out == SMOKE_PIPE  ? 0
			     : s->off_out == NOPTR ? pos_start(out)
						   : (uint64_t)s->off_out;
		if (s->op == S_COPY)
			r = copy_file_range(fd, s->off == NOPTR ? NULL : &loff, out,
					    s->off_out == NOPTR ? NULL : &loff_out, s->len[0], 0);
		else
			r = splice(fd, s->off == NOPTR ? NULL : &loff, out,
				   s->off_out == NOPTR ? NULL : &loff_out, s->len[0], 0);
		return r < 0 ? -errno : r;
	}

	cnt = iov_of(s, iov);
	*start = s->off;
	switch (s->op) {
	case S_READ:
	case S_WRITE:
	case S_READV:
	case S_WRITEV:
		*start = pos_start(fd);
		break;
	case S_PREADV2:
	case S_PWRITEV2:
	case S_SENDFILE:
		if (s->off == NOPTR)
			*start = pos_start(fd);
		break;
	default:
		break;
	}
	switch (s->op) {
	case S_READ:
		r = read(fd, buf, s->len[0]);
		break;
	case S_READV:
		r = readv(fd, iov, cnt);
		break;
	case S_PREAD:
		r = pread(fd, buf, s->len[0], s->off);
		break;
	case S_PREADV:
		r = preadv(fd, iov, cnt, s->off);
		break;
	case S_PREADV2:
		r = preadv2(fd, iov, cnt, s->off, 0);
		break;
	case S_WRITE:
		r = write(fd, buf, s->len[0]);
		break;
	case S_WRITEV:
		r = writev(fd, iov, cnt);
		break;
	case S_PWRITE:
		r = pwrite(fd, buf, s->len[0], s->off);
		break;
	case S_PWRITEV:
		r = pwritev(fd, iov, cnt, s->off);
		break;
	case S_PWRITEV2:
		r = pwritev2(fd, iov, cnt, s->off, 0);
		break;
	case S_FSYNC:
		r = fsync(fd);
		break;
	case S_FDATASYNC:
		r = fdatasync(fd);
		break;
	case S_SENDFILE:
		*out_start = pos_start(fds[s->out]);
		r = sendfile(fds[s->out], fd, s->off == NOPTR ? NULL : &off, s->len[0]);
		break;
	default:
		die("step op %d is not I/O", s->op);
	}
	return r < 0 ? -errno : r;
}

/* The child returns and goes on with the steps; the parent waits and exits with its status. */
static void do_fork(size_t idx)
{
	pid_t pid;
	int st;

	fflush(stdout); /* the facts printed so far, once */
	pid = fork();
	if (pid < 0)
		die("step %zu: fork: %s", idx, strerror(errno));
	if (!pid)
		return;
	if (waitpid(pid, &st, 0) != pid)
		die("step %zu: waitpid: %s", idx, strerror(errno));
	exit(WIFEXITED(st) ? WEXITSTATUS(st) : 10);
}

/* Linux AIO requests queued for the next S_AIO_SUBMIT, and their steps */
#define AIO_QUEUE 8
static struct iocb aio_cb[AIO_QUEUE];
static size_t aio_step[AIO_QUEUE], aio_cnt;

static void aio_queue(const int *fds, const struct smoke_step *s, size_t idx)
{
	if (aio_cnt == AIO_QUEUE)
		die("step %zu: more than %d AIO requests queued", idx, AIO_QUEUE);
	aio_cb[aio_cnt] = (struct iocb){
		.aio_lio_opcode = s->op == S_AIO_WRITE ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
		.aio_fildes = (uint32_t)fds[s->slot],
		.aio_buf = (uint64_t)(uintptr_t)buf,
		.aio_nbytes = s->len[0],
		.aio_offset = s->off,
	};
	aio_step[aio_cnt++] = idx;
}

/* submit the queued requests with one io_submit, reap them with one io_getevents */
static void aio_submit(size_t idx)
{
	struct iocb *cbs[AIO_QUEUE];
	struct io_event ev[AIO_QUEUE];
	unsigned long ctx = 0;
	long n;

	for (size_t i = 0; i < aio_cnt; i++)
		cbs[i] = &aio_cb[i];
	if (syscall(SYS_io_setup, AIO_QUEUE, &ctx))
		die("step %zu: io_setup: %s", idx, strerror(errno));
	n = syscall(SYS_io_submit, ctx, (long)aio_cnt, cbs);
	if (n != (long)aio_cnt)
		die("step %zu: io_submit returned %ld of %zu", idx, n, aio_cnt);
	n = syscall(SYS_io_getevents, ctx, (long)aio_cnt, (long)AIO_QUEUE, ev, NULL);
	if (n != (long)aio_cnt)
		die("step %zu: io_getevents returned %ld of %zu", idx, n, aio_cnt);
	for (long i = 0; i < n; i++) {
		size_t k = (size_t)((struct iocb *)(uintptr_t)ev[i].obj - aio_cb);

		if (k >= aio_cnt || ev[i].res != smoke_steps[aio_step[k]].ret)
			die("step %zu: request of step %zu returned %lld", idx,
			    k < aio_cnt ? aio_step[k] : 0, (long long)ev[i].res);
	}
	syscall(SYS_io_destroy, ctx);
	aio_cnt = 0;
}

/* one io_uring request on the ring made at the first; its result must be the table's */
static void uring_step(const int *fds, const struct smoke_step *s, size_t idx)
{
	static struct ring r = { .fd = -1 };
	int64_t res;
	int err;

	if (r.fd < 0 && (err = ring_setup(&r, 4)))
		die("step %zu: io_uring_setup: %s", idx, strerror(-err));
	res = ring_op(&r,
		      s->op == S_URING_READ    ? IORING_OP_READ
		      : s->op == S_URING_WRITE ? IORING_OP_WRITE
					       : IORING_OP_FSYNC,
		      fds[s->slot], s->op == S_URING_FSYNC ? NULL : buf, s->len[0],
		      (unsigned long long)s->off, 0, 0);
	if (res != s->ret)
		die("step %zu: io_uring request returned %lld, the table says %lld", idx,
		    (long long)res, (long long)s->ret);
}

static long faults_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage: %s", strerror(errno));
	return ru.ru_minflt + ru.ru_majflt;
}

/* S_MAP_READ: the faults of reading through a shared mapping, as the kernel accounts them */
static void map_read(const int *fds, const struct smoke_step *s, size_t idx)
{
	volatile unsigned char *m = mmap(NULL, s->len[0], PROT_READ, MAP_SHARED, fds[s->slot], 0);
	unsigned long sum = 0;
	long f0;

	if (m == MAP_FAILED)
		die("step %zu: mmap: %s", idx, strerror(errno));
	f0 = faults_now(); /* twice: the first call may fault in what it uses */
	f0 = faults_now();
	for (uint32_t i = 0; i < s->len[0]; i += 4096)
		sum += m[i];
	f0 = faults_now() - f0;
	munmap((void *)m, s->len[0]);
	printf("mapfact %s %ld %lu\n", s->path, f0, sum);
	fflush(stdout);
}

static void run_step(int *fds, size_t idx, const char *a, const char *b)
{
	const struct smoke_step *s = &smoke_steps[idx];
	uint64_t start = 0, out_start = 0;
	char path[PATH_MAX], path2[PATH_MAX];
	int64_t ret;

	switch (s->op) {
	case S_OPEN:
		do_open(fds, s, a, b);
		return;
	case S_CLOSE:
		if (close(fds[s->slot]))
			die("step %zu: close: %s", idx, strerror(errno));
		fds[s->slot] = -1;
		return;
	case S_UNLINK:
		if (smoke_path(path, sizeof(path), s->path, a, b) || unlink(path))
			die("step %zu: unlink %s: %s", idx, s->path, strerror(errno));
		return;
	case S_LINK:
		if (smoke_path(path, sizeof(path), s->path, a, b) ||
		    smoke_path(path2, sizeof(path2), s->path2, a, b) || link(path, path2))
			die("step %zu: link %s: %s", idx, s->path2, strerror(errno));
		return;
	case S_RENAME:
		if (smoke_path(path, sizeof(path), s->path, a, b) ||
		    smoke_path(path2, sizeof(path2), s->path2, a, b) || rename(path, path2))
			die("step %zu: rename %s: %s", idx, s->path2, strerror(errno));
		return;
	case S_SEEK:
		if (lseek(fds[s->slot], s->off, SEEK_SET) != s->off)
			die("step %zu: lseek: %s", idx, strerror(errno));
		return;
	case S_FORK:
		do_fork(idx);
		return;
	case S_AIO_READ:
	case S_AIO_WRITE:
		aio_queue(fds, s, idx);
		return;
	case S_AIO_SUBMIT:
		aio_submit(idx);
		return;
	case S_URING_READ:
	case S_URING_WRITE:
	case S_URING_FSYNC:
		uring_step(fds, s, idx);
		return;
	case S_MAP_READ:
		map_read(fds, s, idx);
		return;
	default:
		break;
	}
	ret = do_io(fds, s, &start, &out_start);
	if (ret != s->ret)
		die("step %zu: returned %lld, the table says %lld", idx, (long long)ret,
		    (long long)s->ret);
	if (s->op != S_FSYNC && s->op != S_FDATASYNC && start != s->start)
		die("step %zu: started at %llu, the table says %llu", idx,
		    (unsigned long long)start, (unsigned long long)s->start);
	if ((s->op == S_SENDFILE || s->op == S_COPY || s->op == S_SPLICE) &&
	    out_start != s->out_start)
		die("step %zu: out side started at %llu, the table says %llu", idx,
		    (unsigned long long)out_start, (unsigned long long)s->out_start);
}

static int run(const char *a, const char *b)
{
	int fds[SMOKE_SLOTS + 2];

	for (int i = 0; i < SMOKE_SLOTS; i++)
		fds[i] = -1;
	if (pipe2(fds + SMOKE_PIPE, O_CLOEXEC)) /* for S_SPLICE: [SMOKE_PIPE] reads, [+1] writes */
		die("pipe: %s", strerror(errno));
	memset(buf, 'k', sizeof(buf));
	for (size_t i = 0; i < SMOKE_STEP_CNT; i++)
		run_step(fds, i, a, b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "check"))
		return smoke_check(argv[2], argv[3], argv[4], argv[5], false);
	if (argc == 7 && !strcmp(argv[1], "check") && !strcmp(argv[6], "exclude-a"))
		return smoke_check(argv[2], argv[3], argv[4], argv[5], true);
	fprintf(stderr, "usage: smoke run DIR_A DIR_B\n"
			"       smoke check RESULT.json FACTS DIR_A DIR_B [exclude-a]\n");
	return 2;
}
