// SPDX-License-Identifier: GPL-2.0
/*
 * e2e workload generator: `workload DIR SCENARIO` performs one scripted
 * scenario of file I/O below DIR with exactly known calls, sizes, offsets
 * and errors.  The tests hold the expectations (tests/e2e/rw_test.c); this
 * program only checks that each call returned what the script says, and
 * exits 10 with one line on stderr when one did not, so a broken workload
 * cannot pass for a broken tracer.  Files named in tests/lib/workload.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>

#include "uring.h"
#include "workload.h"

static const char *dir;
static char buf[128 * 1024];

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "workload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(10);
}

static char *path_of(const char *name)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* the call returned want (>= 0) or failed with errno -want */
static void check(const char *what, ssize_t got, ssize_t want)
{
	if (want >= 0 && got == want)
		return;
	if (want < 0 && got < 0 && errno == -want)
		return;
	die("%s: returned %zd (%s), want %zd", what, got, got < 0 ? strerror(errno) : "ok", want);
}

static void rd(int fd, size_t n, ssize_t want)
{
	check("read", read(fd, buf, n), want);
}

static void prd(int fd, size_t n, off_t off, ssize_t want)
{
	check("pread64", pread(fd, buf, n, off), want);
}

static void wr(int fd, size_t n, ssize_t want)
{
	check("write", write(fd, buf, n), want);
}

static void pwr(int fd, size_t n, off_t off, ssize_t want)
{
	check("pwrite64", pwrite(fd, buf, n, off), want);
}

/* ---- scenarios (the tests mirror each line) ------------------------------------- */

static void scen_seqread(void)
{
	int fd = open_or_die(path_of(WL_SEQ_FILE), O_RDONLY);

	rd(fd, 4096, 4096);
	rd(fd, 65536, 65536);
	rd(fd, 1000, 1000);
	rd(fd, 65536, 65536);
	rd(fd, 65536, WL_SEQ_SZ - 4096 - 65536 - 1000 - 65536); /* short read at EOF */
	rd(fd, 4096, 0);					 /* EOF */
	if (lseek(fd, 0, SEEK_SET))
		die("lseek: %s", strerror(errno));
	rd(fd, 100, 100);
	rd(fd, 100, 100);
	close(fd);
}

static void scen_pread(void)
{
	int fd = open_or_die(path_of(WL_RAND_FILE), O_RDONLY);

	prd(fd, 4096, 8192, 4096);
	prd(fd, 4096, 0, 4096);
	prd(fd, 4096, 4096, 4096);
	prd(fd, 1000, 123457, 1000);
	prd(fd, 65536, WL_RAND_SZ - 100, 100);
	prd(fd, 4096, 2 * WL_RAND_SZ, 0);
	rd(fd, 512, 512); /* pread does not move the position: starts at 0 */
	close(fd);
}

static void scen_pwrite(void)
{
	int fd = open_or_die(path_of(WL_PW_FILE), O_CREAT | O_RDWR | O_TRUNC);

	pwr(fd, 4096, 0, 4096);
	pwr(fd, 4096, 0, 4096);
	pwr(fd, 4096, 4096, 4096);
	pwr(fd, 100, 4096, 100);
	pwr(fd, 10, 1000000, 10);
	pwr(fd, 10, -1, -EINVAL);
	wr(fd, 50, 50);
	prd(fd, 100, 4096, 100);
	rd(fd, 8192, 8192);
	close(fd);
}

static void scen_append(void)
{
	int fd = open_or_die(path_of(WL_APPEND_FILE), O_WRONLY | O_APPEND);

	wr(fd, 100, 100);
	wr(fd, 200, 200);
	wr(fd, 0, 0);
	close(fd);
	fd = open_or_die(path_of(WL_APPEND_FILE), O_RDONLY);
	rd(fd, 4096, WL_APPEND_SZ + 300);
	close(fd);
}

static void scen_errors(void)
{
	int fd = open_or_die(path_of(WL_ERR_FILE), O_WRONLY);
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (bad == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	rd(fd, 100, -EBADF);
	prd(fd, 10, 0, -EBADF);
	check("write(bad buffer)", write(fd, bad, 100), -EFAULT);
	wr(fd, 100, 100);
	pwr(fd, 10, -1, -EINVAL);
	wr(fd, 100, 100);
	close(fd);
	/* no file behind these: no record */
	check("write(-1)", write(-1, buf, 10), -EBADF);
	check("read(closed fd)", read(fd, buf, 10), -EBADF);
}

static void scen_special(void)
{
	int p[2], sv[2], fd;

	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("pipe: %s", strerror(errno));
	wr(p[1], 100, 100);
	rd(p[0], 100, 100);
	wr(sv[0], 100, 100);
	rd(sv[1], 100, 100);
	fd = open_or_die("/dev/null", O_RDWR);
	wr(fd, 100, 100);
	rd(fd, 100, 0);
	close(fd);
	fd = open_or_die("/dev/zero", O_RDONLY);
	rd(fd, 100, 100);
	close(fd);
	fd = memfd_create("workload", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	wr(fd, 100, 100);
	prd(fd, 100, 0, 100);
	close(fd);
	fd = open_or_die(dir, O_RDONLY | O_DIRECTORY);
	rd(fd, 100, -EISDIR);
	close(fd);
	fd = open_or_die(path_of(WL_SPECIAL_FILE), O_RDONLY);
	rd(fd, 4096, WL_SPECIAL_SZ);
	close(fd);
}

struct thr_arg {
	int thread, fd_rw, fd_wo;
	pthread_barrier_t *barrier;
};

static void *thread_main(void *p)
{
	struct thr_arg *a = p;
	char b[WL_THR_RD_SZ];

	pthread_barrier_wait(a->barrier);
	for (int i = 0; i < WL_THR_ITERS; i++) {
		off_t off = (off_t)wl_thr_off(a->thread, i);

		check("pread64", pread(a->fd_rw, b, WL_THR_RD_SZ, off), WL_THR_RD_SZ);
		check("pwrite64", pwrite(a->fd_rw, b, WL_THR_WR_SZ, off), WL_THR_WR_SZ);
		if (i % WL_THR_BAD_EVERY == 0)
			check("read(O_WRONLY)", read(a->fd_wo, b, WL_THR_RD_SZ), -EBADF);
	}
	return NULL;
}

static void scen_threads(void)
{
	pthread_t tid[WL_THREADS];
	struct thr_arg args[WL_THREADS];
	pthread_barrier_t barrier;
	int fd_rw = open_or_die(path_of(WL_THR_FILE), O_RDWR);
	int fd_wo = open_or_die(path_of(WL_THR_FILE), O_WRONLY);

	pthread_barrier_init(&barrier, NULL, WL_THREADS);
	for (int t = 0; t < WL_THREADS; t++) {
		args[t] = (struct thr_arg){ t, fd_rw, fd_wo, &barrier };
		if (pthread_create(&tid[t], NULL, thread_main, &args[t]))
			die("pthread_create failed");
	}
	for (int t = 0; t < WL_THREADS; t++)
		pthread_join(tid[t], NULL);
	close(fd_rw);
	close(fd_wo);
}

static void fork_child(int i)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), WL_CHILD_COMM, i);
	prctl(PR_SET_NAME, name);
	fd = open_or_die(path_of(WL_FORK_FILE), O_RDONLY);

	for (int k = 0; k < WL_FORK_CALLS(i); k++)
		prd(fd, 4096, (off_t)wl_fork_off(i, k), 4096);
	close(fd);
	snprintf(name, sizeof(name), WL_CHILD_FILE, i);
	fd = open_or_die(path_of(name), O_CREAT | O_WRONLY | O_TRUNC);
	for (int k = 0; k < WL_FORK_WRITES; k++)
		wr(fd, WL_FORK_WR_SZ, WL_FORK_WR_SZ);
	close(fd);
	/* the last I/O, then exit at once: the fd is closed by exit, not by close(2) */
	snprintf(name, sizeof(name), WL_BRIEF_FILE, i);
	fd = open_or_die(path_of(name), O_CREAT | O_WRONLY | O_TRUNC);
	wr(fd, WL_BRIEF_SZ, WL_BRIEF_SZ);
	_exit(0);
}

static void scen_fork(void)
{
	pid_t pid[WL_FORK_CHILDREN];

	for (int i = 0; i < WL_FORK_CHILDREN; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork: %s", strerror(errno));
		if (!pid[i])
			fork_child(i);
		printf("PID%d %d\n", i, (int)pid[i]);
	}
	fflush(stdout);
	for (int i = 0; i < WL_FORK_CHILDREN; i++) {
		int st;

		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			die("child %d failed (status %#x)", i, st);
	}
}

static void scen_unlink(void)
{
	int fd = open_or_die(path_of(WL_GONE_FILE), O_RDWR);

	rd(fd, 1000, 1000);
	if (unlink(path_of(WL_GONE_FILE)))
		die("unlink: %s", strerror(errno));
	prd(fd, 1000, 0, 1000);
	wr(fd, 500, 500);
	close(fd);
	/* first seen only after the unlink */
	fd = open_or_die(path_of(WL_GONE2_FILE), O_RDWR);
	if (unlink(path_of(WL_GONE2_FILE)))
		die("unlink: %s", strerror(errno));
	wr(fd, 500, 500);
	close(fd);
}

static void mkdir_p(char *path)
{
	for (char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			die("mkdir %s: %s", path, strerror(errno));
		if (!s)
			return;
		*s = '/';
	}
}

static void write_named(const char *name, size_t n)
{
	int fd = open_or_die(name, O_CREAT | O_WRONLY | O_TRUNC);

	wr(fd, n, (ssize_t)n);
	close(fd);
}

static void scen_paths(void)
{
	char p[PATH_MAX], longname[256];
	int dfd, fd;

	if (chdir(path_of(WL_SUB_DIR)))
		die("chdir: %s", strerror(errno));
	write_named(WL_REL_FILE, 10);
	dfd = open_or_die("dir", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, WL_AT_FILE, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("openat: %s", strerror(errno));
	wr(fd, 20, 20);
	prd(fd, 20, 0, 20);
	close(fd);
	close(dfd);
	if (chdir("dir"))
		die("chdir: %s", strerror(errno));
	write_named(WL_UP_FILE, 30);

	snprintf(p, sizeof(p), "%s/%s", dir, WL_NAMES_DIR);
	mkdir_p(p);
	wl_long_name(longname);
	for (size_t i = 0; i < WL_NAME_CNT; i++) {
		snprintf(p, sizeof(p), "%s/%s/%s", dir, WL_NAMES_DIR,
			 wl_names[i].raw ? wl_names[i].raw : longname);
		write_named(p, WL_NAME_SZ);
	}
}

static void enter_new_dir(const char *name)
{
	if ((mkdir(name, 0755) && errno != EEXIST) || chdir(name))
		die("mkdir/chdir %s: %s", name, strerror(errno));
}

static void scen_longpath(void)
{
	char comp[WL_LONG_COMP + 1], name[256], full[PATH_MAX + 16];
	size_t name_len;
	int levels, fd;

	if (chdir(dir))
		die("chdir: %s", strerror(errno));
	enter_new_dir("deep");
	for (int i = 0; i < WL_DEEP_LEVELS; i++) {
		snprintf(comp, sizeof(comp), "d%02d", i);
		enter_new_dir(comp);
	}
	write_named(WL_DEEP_FILE, 8);
	if (chdir(dir))
		die("chdir: %s", strerror(errno));
	enter_new_dir("long");
	wl_long_layout(strlen(dir), &levels, &name_len);
	for (int i = 0; i < levels; i++) {
		wl_long_comp(comp, i);
		enter_new_dir(comp);
	}
	memset(name, 'z', name_len);
	name[name_len] = '\0';
	write_named(name, 9);
	/* and by its whole absolute name of PATH_MAX - 1 bytes, which open(2) takes */
	if (getcwd(full, sizeof(full)) == NULL)
		die("getcwd: %s", strerror(errno));
	snprintf(full + strlen(full), sizeof(full) - strlen(full), "/%s", name);
	if (strlen(full) != WL_PATH_LEN)
		die("long path is %zu bytes, want %d", strlen(full), WL_PATH_LEN);
	if (chdir("/"))
		die("chdir /: %s", strerror(errno));
	fd = open_or_die(full, O_RDONLY);
	rd(fd, 100, 9);
	close(fd);
}

/* ---- vectored calls --------------------------------------------------------------------- */

static struct iovec small_iov[WL_IOV_SMALL_CNT], big_iov[WL_IOV_MAX + 1];

static void init_iovs(void)
{
	for (int i = 0; i < WL_IOV_SMALL_CNT; i++)
		small_iov[i] = (struct iovec){ buf, wl_iov_small[i] };
	for (int i = 0; i <= WL_IOV_MAX; i++)
		big_iov[i] = (struct iovec){ buf, wl_iov_big(i) };
}

static void scen_vector(void)
{
	const ssize_t S = WL_IOV_SMALL_SUM, B = (ssize_t)wl_iov_big_sum(WL_IOV_MAX);
	struct iovec zero[3] = { { buf, 0 }, { buf, 0 }, { buf, 0 } };
	int fd = open_or_die(path_of(WL_VEC_FILE), O_RDONLY);

	check("readv", readv(fd, small_iov, 5), S);
	check("preadv", preadv(fd, small_iov, 5, 65536), S);
	check("preadv2(-1)", preadv2(fd, small_iov, 5, -1, 0), S);
	check("preadv2(2S)", preadv2(fd, small_iov, 5, 2 * S, 0), S);
	check("readv(1024)", readv(fd, big_iov, WL_IOV_MAX), B);
	check("readv(1025)", readv(fd, big_iov, WL_IOV_MAX + 1), -EINVAL);
	check("preadv(short)", preadv(fd, small_iov, 5, WL_VEC_SZ - 50), 50);
	check("preadv2(EOF)", preadv2(fd, small_iov, 5, WL_VEC_SZ, 0), 0);
	check("preadv2(-1, 1024)", preadv2(fd, big_iov, WL_IOV_MAX, -1, 0), B);
	check("preadv(1025)", preadv(fd, big_iov, WL_IOV_MAX + 1, 0), -EINVAL);
	check("preadv2(1025)", preadv2(fd, big_iov, WL_IOV_MAX + 1, 0, 0), -EINVAL);
	close(fd);

	fd = open_or_die(path_of(WL_VECW_FILE), O_CREAT | O_RDWR | O_TRUNC);
	check("writev", writev(fd, small_iov, 5), S);
	check("pwritev(0)", pwritev(fd, small_iov, 5, 0), S);
	check("pwritev2(-1)", pwritev2(fd, small_iov, 5, -1, 0), S);
	check("pwritev2(100)", pwritev2(fd, small_iov, 5, 100, 0), S);
	check("writev(1024)", writev(fd, big_iov, WL_IOV_MAX), B);
	check("writev(1025)", writev(fd, big_iov, WL_IOV_MAX + 1), -EINVAL);
	check("pwritev(1025)", pwritev(fd, big_iov, WL_IOV_MAX + 1, 0), -EINVAL);
	check("pwritev2(-1, 1025)", pwritev2(fd, big_iov, WL_IOV_MAX + 1, -1, 0), -EINVAL);
	check("pwritev(-5)", pwritev(fd, small_iov, 5, -5), -EINVAL);
	check("writev(zero)", writev(fd, zero, 3), 0);
	check("readv(EOF)", readv(fd, small_iov, 5), 0);
	check("preadv(0)", preadv(fd, small_iov, 5, 0), S);
	close(fd);

	fd = open_or_die(path_of(WL_VECA_FILE), O_WRONLY | O_APPEND);
	check("writev(append)", writev(fd, small_iov, 5), S);
	check("pwritev2(append, -1)", pwritev2(fd, small_iov, 5, -1, 0), S);
	wr(fd, 10, 10);
	close(fd);
}

/* failed vectored and plain calls of both kinds, on both access modes */
static void scen_errors2(void)
{
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec bad_iov[2];
	int fd;

	if (bad == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	bad_iov[0] = (struct iovec){ bad, 100 };
	bad_iov[1] = (struct iovec){ buf, 50 };
	fd = open_or_die(path_of(WL_ERR2_FILE), O_WRONLY);
	check("readv(O_WRONLY)", readv(fd, small_iov, 5), -EBADF);
	check("preadv(O_WRONLY)", preadv(fd, small_iov, 5, 10), -EBADF);
	check("preadv2(O_WRONLY, -1)", preadv2(fd, small_iov, 5, -1, 0), -EBADF);
	check("preadv2(O_WRONLY, 20)", preadv2(fd, small_iov, 5, 20, 0), -EBADF);
	check("writev(bad)", writev(fd, bad_iov, 2), -EFAULT);
	check("pwritev(bad)", pwritev(fd, bad_iov, 2, 0), -EFAULT);
	check("pwrite(bad)", pwrite(fd, bad, 10, 0), -EFAULT);
	wr(fd, 10, 10);
	check("pwritev2(-7)", pwritev2(fd, small_iov, 5, -7, 0), -EINVAL);
	close(fd);
	fd = open_or_die(path_of(WL_ERR2_FILE), O_RDONLY);
	check("writev(O_RDONLY)", writev(fd, small_iov, 5), -EBADF);
	check("pwritev(O_RDONLY)", pwritev(fd, small_iov, 5, 0), -EBADF);
	check("pwritev2(O_RDONLY, -1)", pwritev2(fd, small_iov, 5, -1, 0), -EBADF);
	wr(fd, 10, -EBADF);
	check("read(bad)", read(fd, bad, 100), -EFAULT);
	check("readv(bad)", readv(fd, bad_iov, 2), -EFAULT);
	check("preadv(-3)", preadv(fd, small_iov, 5, -3), -EINVAL);
	prd(fd, 10, -1, -EINVAL);
	rd(fd, 100, 100);
	close(fd);
}

/* ---- sendfile ----------------------------------------------------------------------------- */

static void sf(const char *what, int out, int in, off_t *off, size_t n, ssize_t want)
{
	check(what, sendfile(out, in, off, n), want);
}

static void scen_sendfile(void)
{
	int in = open_or_die(path_of(WL_SF_SRC), O_RDONLY);
	int out = open_or_die(path_of(WL_SF_DST), O_CREAT | O_WRONLY | O_TRUNC);
	int p[2], ro, app, wo, same_r, same_w;
	off_t off;

	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	sf("sendfile", out, in, NULL, 4096, 4096);
	off = 50000;
	sf("sendfile(&50000)", out, in, &off, 1000, 1000);
	if (off != 51000 || lseek(in, 0, SEEK_CUR) != 4096)
		die("sendfile moved the wrong offset");
	sf("sendfile", out, in, NULL, 4096, 4096);
	off = WL_SF_SRC_SZ - 10;
	sf("sendfile(short)", out, in, &off, 100, 10);
	off = 2 * WL_SF_SRC_SZ;
	sf("sendfile(EOF)", out, in, &off, 100, 0);
	sf("sendfile(pipe)", p[1], in, NULL, 500, 500);
	ro = open_or_die(path_of(WL_SF_DST), O_RDONLY);
	sf("sendfile(out O_RDONLY)", ro, in, NULL, 10, -EBADF);
	app = open_or_die(path_of(WL_SF_APP), O_WRONLY | O_APPEND);
	sf("sendfile(out O_APPEND)", app, in, NULL, 10, -EINVAL);
	wo = open_or_die(path_of(WL_SF_SRC), O_WRONLY);
	sf("sendfile(in O_WRONLY)", out, wo, NULL, 10, -EBADF);
	/* a file to itself by two descriptors, appended: one sendfile call of that file */
	same_r = open_or_die(path_of(WL_SF_SRC), O_RDONLY);
	same_w = open_or_die(path_of(WL_SF_SRC), O_WRONLY);
	if (lseek(same_w, WL_SF_SRC_SZ, SEEK_SET) != WL_SF_SRC_SZ)
		die("lseek: %s", strerror(errno));
	off = 0;
	sf("sendfile(same file)", same_w, same_r, &off, 4096, 4096);
	close(same_w);
	close(same_r);
	close(wo);
	close(app);
	close(ro);
	close(out);
	close(in);
}

/* ---- copy_file_range and splice ---------------------------------------------------------- */

static void cfr(const char *what, int in, loff_t *off_in, int out, loff_t *off_out, size_t n,
		ssize_t want)
{
	check(what, copy_file_range(in, off_in, out, off_out, n, 0), want);
}

static void spl(const char *what, int in, loff_t *off_in, int out, loff_t *off_out, size_t n,
		ssize_t want)
{
	check(what, splice(in, off_in, out, off_out, n, 0), want);
}

static off_t pos_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void scen_copies(void)
{
	int in = open_or_die(path_of(WL_CP_SRC), O_RDONLY);
	int out = open_or_die(path_of(WL_CP_DST), O_CREAT | O_WRONLY | O_TRUNC);
	int p[2], ro, wo, same_r, same_w;
	loff_t off, off2;

	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	cfr("copy_file_range", in, NULL, out, NULL, 4096, 4096);
	off = 50000, off2 = 10000;
	cfr("copy_file_range(&50000, &10000)", in, &off, out, &off2, 1000, 1000);
	if (off != 51000 || off2 != 11000 || pos_of(in) != 4096 || pos_of(out) != 4096)
		die("copy_file_range moved the wrong offsets");
	cfr("copy_file_range", in, NULL, out, NULL, 4096, 4096);
	off = WL_CP_SRC_SZ - 10;
	cfr("copy_file_range(short)", in, &off, out, NULL, 100, 10);
	off = 2 * WL_CP_SRC_SZ;
	cfr("copy_file_range(EOF)", in, &off, out, NULL, 100, 0);
	/* file -> pipe -> file: each splice has one file side */
	off = 20000;
	spl("splice(file, &20000 -> pipe)", in, &off, p[1], NULL, 500, 500);
	spl("splice(pipe -> file)", p[0], NULL, out, NULL, 500, 500);
	spl("splice(file -> pipe)", in, NULL, p[1], NULL, 300, 300);
	if (pos_of(in) != 8492 || read(p[0], buf, 300) != 300)
		die("splice moved the wrong offsets");
	ro = open_or_die(path_of(WL_CP_DST), O_RDONLY);
	cfr("copy_file_range(out O_RDONLY)", in, NULL, ro, NULL, 10, -EBADF);
	wo = open_or_die(path_of(WL_CP_SRC), O_WRONLY);
	cfr("copy_file_range(in O_WRONLY)", wo, NULL, out, NULL, 10, -EBADF);
	/* a file to itself by two descriptors, past its end: one call of that file */
	same_r = open_or_die(path_of(WL_CP_SRC), O_RDONLY);
	same_w = open_or_die(path_of(WL_CP_SRC), O_WRONLY);
	off = 0, off2 = WL_CP_SRC_SZ;
	cfr("copy_file_range(same file)", same_r, &off, same_w, &off2, 4096, 4096);
	close(same_w);
	close(same_r);
	close(wo);
	close(ro);
	close(p[0]);
	close(p[1]);
	close(out);
	close(in);
}

/* ---- open flags ---------------------------------------------------------------------------- */

/*
 * One file read through four open files: O_DIRECT (aligned buffer and
 * sizes), O_NOATIME, plain, and O_DIRECT again; another written through
 * O_SYNC, O_DSYNC and O_APPEND opens.
 */
static void scen_oflags(void)
{
	static char abuf[8192] __attribute__((aligned(4096)));
	int d1 = open_or_die(path_of(WL_OF_FILE), O_RDONLY | O_DIRECT);
	int na = open_or_die(path_of(WL_OF_FILE), O_RDONLY | O_NOATIME);
	int pl = open_or_die(path_of(WL_OF_FILE), O_RDONLY);
	int d2 = open_or_die(path_of(WL_OF_FILE), O_RDWR | O_DIRECT);
	int sy = open_or_die(path_of(WL_OF_LOG), O_CREAT | O_WRONLY | O_TRUNC | O_SYNC);
	int ds = open_or_die(path_of(WL_OF_LOG), O_WRONLY | O_DSYNC);
	int ap = open_or_die(path_of(WL_OF_LOG), O_WRONLY | O_APPEND);

	check("read(O_DIRECT)", read(d1, abuf, 8192), 8192);
	check("read(O_DIRECT)", read(d1, abuf, 4096), 4096);
	check("read(O_NOATIME)", read(na, buf, 100), 100);
	check("pread(plain)", pread(pl, buf, 100, 1000), 100);
	check("pread(O_DIRECT)", pread(d2, abuf, 4096, 8192), 4096);
	check("pwrite(O_DIRECT)", pwrite(d2, abuf, 4096, 16384), 4096);
	check("write(O_SYNC)", write(sy, buf, 300), 300);
	check("pwrite(O_DSYNC)", pwrite(ds, buf, 200, 300), 200);
	check("write(O_APPEND)", write(ap, buf, 50), 50);
	close(ap);
	close(ds);
	close(sy);
	close(d2);
	close(pl);
	close(na);
	close(d1);
}

/* ---- io_uring ------------------------------------------------------------------------------ */

/* one request of a ring (tests/lib/uring.h) that must not fail to run; its result */
static int uring_op(struct ring *r, int op, int fd, const void *addr, unsigned int len,
		    unsigned long long off, unsigned int sqe_flags, unsigned int op_flags)
{
	int64_t res = ring_op(r, op, fd, addr, len, off, sqe_flags, op_flags);

	if (res == RING_FAILED)
		die("io_uring_enter (opcode %d): %s", op, strerror(errno));
	return (int)res;
}

/*
 * io_uring, one request at a time (so completions come in submission
 * order): reads at 0 and 4096, a read at the file position (0), a write at
 * 100000 twice (a rewrite), a readv of 100 + 200 at 0, a writev of
 * 10 + 20 + 30 at 200000; with a registered buffer a read_fixed of 4096 at
 * 8192 and a write_fixed of 512 at 300000; a read of 512 at 0 through a
 * registered file (a second descriptor, its own stream); an fsync and an
 * fdatasync; a read through a write-only descriptor (-EBADF, an error on
 * the file); a read of a pipe and a read of a closed descriptor (neither
 * on a file); a read asking for no completion (IOSQE_CQE_SKIP_SUCCESS: not
 * counted, named in unseen); a nop.  Each result: "UR:<i> <res>".
 */
static void scen_uring(void)
{
	int fd = open_or_die(path_of(WL_UR_FILE), O_RDWR), fd2, wo, p[2], i = 0;
	static char fixed[8192] __attribute__((aligned(4096)));
	struct iovec rv[2] = { { buf, 100 }, { buf + 100, 200 } };
	struct iovec wv[3] = { { buf, 10 }, { buf + 10, 20 }, { buf + 30, 30 } };
	struct iovec reg = { fixed, sizeof(fixed) };
	struct ring r;

	if (ring_setup(&r, 8))
		die("io_uring_setup: %s", strerror(errno));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, fd, buf, 4096, 0, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, fd, buf, 4096, 4096, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, fd, buf, 4096, -1ULL, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_WRITE, fd, buf, 1000, 100000, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_WRITE, fd, buf, 1000, 100000, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READV, fd, rv, 2, 0, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_WRITEV, fd, wv, 3, 200000, 0, 0));
	check("IORING_REGISTER_BUFFERS",
	      syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &reg, 1), 0);
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ_FIXED, fd, fixed, 4096, 8192, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_WRITE_FIXED, fd, fixed, 512, 300000, 0, 0));
	fd2 = open_or_die(path_of(WL_UR_FILE), O_RDONLY);
	check("IORING_REGISTER_FILES",
	      syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_FILES, &fd2, 1), 0);
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, 0, buf, 512, 0, IOSQE_FIXED_FILE, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_FSYNC, fd, NULL, 0, 0, 0, 0));
	printf("UR:%d %d\n", i++,
	       uring_op(&r, IORING_OP_FSYNC, fd, NULL, 0, 0, 0, IORING_FSYNC_DATASYNC));
	wo = open_or_die(path_of(WL_UR_FILE), O_WRONLY);
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, wo, buf, 100, 0, 0, 0));
	if (pipe(p))
		die("pipe: %s", strerror(errno));
	check("write(pipe)", write(p[1], buf, 10), 10);
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, p[0], buf, 10, -1ULL, 0, 0));
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_READ, 1000, buf, 10, 0, 0, 0));
	uring_op(&r, IORING_OP_READ, fd, buf, 100, 0, IOSQE_CQE_SKIP_SUCCESS, 0);
	printf("UR:%d %d\n", i++, uring_op(&r, IORING_OP_NOP, -1, NULL, 0, 0, 0, 0));
	close(p[0]);
	close(p[1]);
	close(wo);
	close(r.fd);
	close(fd2);
	close(fd);
}

/* ---- paths counted only as "unseen" --------------------------------------------------------- */

static void cb_set(struct iocb *cb, int op, int fd, void *b, unsigned long long n, long long off)
{
	*cb = (struct iocb){ .aio_lio_opcode = (unsigned short)op,
			     .aio_fildes = (unsigned int)fd,
			     .aio_buf = (unsigned long long)(unsigned long)b,
			     .aio_nbytes = n,
			     .aio_offset = off };
}

/* submit n requests at once, reap them all with one io_getevents; each event's result */
static void aio_batch(unsigned long ctx, struct iocb *cb, int n, long long *res)
{
	struct iocb *cbs[WL_AIO_MANY];
	struct io_event ev[WL_AIO_MANY];

	for (int i = 0; i < n; i++)
		cbs[i] = &cb[i];
	check("io_submit", syscall(SYS_io_submit, ctx, n, cbs), n);
	check("io_getevents", syscall(SYS_io_getevents, ctx, n, WL_AIO_MANY, ev, NULL), n);
	for (int i = 0; i < n; i++)
		res[(struct iocb *)(unsigned long)ev[i].obj - cb] = ev[i].res;
}

/*
 * Linux AIO: five requests (4 preads in order, a pwrite at 100000), then a
 * pwrite at 100000 again (a rewrite), a pread past the end, a pread where
 * the reads ended, and an fsync request (not counted per file), then 20
 * preads of 512 through a second descriptor, reaped by one io_getevents;
 * last an io_submit of a pread and an iocb with a bad fd, which it refuses.
 * Each result is reported: "AIO<batch>:<i> <res>".
 */
static void scen_aio(void)
{
	int fd = open_or_die(path_of(WL_AIO_FILE), O_RDWR), fd2;
	struct iocb cb[WL_AIO_MANY];
	long long res[WL_AIO_MANY];
	unsigned long ctx = 0;

	if (syscall(SYS_io_setup, 64, &ctx))
		die("io_setup: %s", strerror(errno));
	for (int i = 0; i < 4; i++)
		cb_set(&cb[i], IOCB_CMD_PREAD, fd, buf + i * 4096, 4096, i * 4096);
	cb_set(&cb[4], IOCB_CMD_PWRITE, fd, buf, 1000, 100000);
	aio_batch(ctx, cb, 5, res);
	for (int i = 0; i < 5; i++)
		printf("AIO1:%d %lld\n", i, res[i]);
	cb_set(&cb[0], IOCB_CMD_PWRITE, fd, buf, 1000, 100000);
	cb_set(&cb[1], IOCB_CMD_PREAD, fd, buf, 4096, 200000);
	cb_set(&cb[2], IOCB_CMD_PREAD, fd, buf, 100, 16384);
	cb_set(&cb[3], IOCB_CMD_FSYNC, fd, NULL, 0, 0);
	aio_batch(ctx, cb, 4, res);
	for (int i = 0; i < 4; i++)
		printf("AIO2:%d %lld\n", i, res[i]);
	fd2 = open_or_die(path_of(WL_AIO_FILE), O_RDONLY);
	for (int i = 0; i < WL_AIO_MANY; i++)
		cb_set(&cb[i], IOCB_CMD_PREAD, fd2, buf + i * 512, 512, i * 512);
	aio_batch(ctx, cb, WL_AIO_MANY, res);
	for (int i = 0; i < WL_AIO_MANY; i++)
		printf("AIO3:%d %lld\n", i, res[i]);
	/* an invalid iocb (a bad fd) after a valid one: io_submit takes the first only */
	cb_set(&cb[0], IOCB_CMD_PREAD, fd, buf, 300, 0);
	cb_set(&cb[1], IOCB_CMD_PREAD, 1000, buf, 300, 0);
	{
		struct iocb *cbs[2] = { &cb[0], &cb[1] };
		struct io_event ev[2];

		check("io_submit(bad fd)", syscall(SYS_io_submit, ctx, 2, cbs), 1);
		check("io_getevents", syscall(SYS_io_getevents, ctx, 1, 2, ev, NULL), 1);
		printf("AIO4:0 %lld\n", (long long)ev[0].res);
	}
	syscall(SYS_io_destroy, ctx);
	close(fd2);
	close(fd);
}

/*
 * Linux AIO in bulk: WL_AIO_BIG preads of 512 in order through one
 * descriptor, by one io_submit, reaped by one io_getevents; reports how
 * many read 512 bytes ("AIOBIG <n>").
 */
static void scen_aio_big(void)
{
	static struct iocb cb[WL_AIO_BIG], *cbs[WL_AIO_BIG];
	static struct io_event ev[WL_AIO_BIG];
	static char big[WL_AIO_BIG * 512];
	int fd = open_or_die(path_of(WL_AIO_BIG_FILE), O_RDONLY), ok = 0;
	unsigned long ctx = 0;

	if (syscall(SYS_io_setup, WL_AIO_BIG, &ctx))
		die("io_setup: %s", strerror(errno));
	for (int i = 0; i < WL_AIO_BIG; i++) {
		cb_set(&cb[i], IOCB_CMD_PREAD, fd, big + i * 512, 512, i * 512);
		cbs[i] = &cb[i];
	}
	check("io_submit", syscall(SYS_io_submit, ctx, WL_AIO_BIG, cbs), WL_AIO_BIG);
	check("io_getevents", syscall(SYS_io_getevents, ctx, WL_AIO_BIG, WL_AIO_BIG, ev, NULL),
	      WL_AIO_BIG);
	for (int i = 0; i < WL_AIO_BIG; i++)
		ok += ev[i].res == 512;
	printf("AIOBIG %d\n", ok);
	syscall(SYS_io_destroy, ctx);
	close(fd);
}

/*
 * Linux AIO: one io_submit of a pread and an fdsync request (not counted
 * per file), reaped; io_uring: two
 * io_uring_enter calls asking for 3 and 0 submissions on an empty ring
 * (its rings are not mapped, which would be a shared mapping of a non-file);
 * mmap: one shared mapping of the file, one private, one shared anonymous;
 * sync_file_range twice.  Reports "URING 1" when io_uring_setup worked.
 */

static void scen_unseen(void)
{
	int fd = open_or_die(path_of(WL_UN_FILE), O_RDWR), ufd;
	unsigned long ctx = 0;
	struct iocb cb[2] = { { .aio_lio_opcode = IOCB_CMD_PREAD, .aio_fildes = (unsigned int)fd,
				.aio_nbytes = 4096 },
			      { .aio_lio_opcode = IOCB_CMD_FDSYNC, .aio_fildes = (unsigned int)fd } };
	struct iocb *cbs[2] = { &cb[0], &cb[1] };
	struct io_event ev[2];
	unsigned int params[30] = { 0 }; /* struct io_uring_params: 120 bytes */
	void *p;

	cb[0].aio_buf = (unsigned long long)(unsigned long)buf;
	if (syscall(SYS_io_setup, 4, &ctx))
		die("io_setup: %s", strerror(errno));
	check("io_submit", syscall(SYS_io_submit, ctx, 2, cbs), 2);
	check("io_getevents", syscall(SYS_io_getevents, ctx, 2, 2, ev, NULL), 2);
	syscall(SYS_io_destroy, ctx);
	ufd = (int)syscall(SYS_io_uring_setup, 4, params);
	if (ufd >= 0) {
		check("io_uring_enter", syscall(SYS_io_uring_enter, ufd, 3, 0, 0, NULL, 0), 0);
		check("io_uring_enter", syscall(SYS_io_uring_enter, ufd, 0, 0, 0, NULL, 0), 0);
		close(ufd);
		printf("URING 1\n");
	} else {
		printf("URING 0\n");
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	munmap(p, 4096);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	munmap(p, 4096);
	check("sync_file_range", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE), 0);
	check("sync_file_range", sync_file_range(fd, 0, 4096, SYNC_FILE_RANGE_WRITE), 0);
	close(fd);
}

/* ---- fsync / fdatasync -------------------------------------------------------------------- */

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* fsync or fdatasync, timed around the call; reports "LAT:<file>:<syscall>:<k> <ns>" */
static void timed_sync(const char *file, bool data, int k, int fd, int want)
{
	unsigned long long t0 = mono_ns(), t1;
	int r = data ? fdatasync(fd) : fsync(fd);

	t1 = mono_ns();
	check(data ? "fdatasync" : "fsync", r, want);
	printf("LAT:%s:%s:%d %llu\n", file, data ? "fdatasync" : "fsync", k, t1 - t0);
}

static void scen_sync(void)
{
	int fd = open_or_die(path_of(WL_SYNC_FILE), O_CREAT | O_RDWR | O_TRUNC), p[2];
	ssize_t n;

	wr(fd, 4096, 4096);
	timed_sync(WL_SYNC_FILE, false, 0, fd, 0);
	wr(fd, 4096, 4096);
	timed_sync(WL_SYNC_FILE, true, 0, fd, 0);
	timed_sync(WL_SYNC_FILE, true, 1, fd, 0);
	timed_sync(WL_SYNC_FILE, false, 1, fd, 0);
	close(fd);
	fd = open_or_die(path_of(WL_SYNC_ONLY), O_RDONLY);
	timed_sync(WL_SYNC_ONLY, false, 0, fd, 0);
	close(fd);
	/* procfs has no fsync: EINVAL on a named regular file */
	fd = open_or_die(WL_PROC_FILE, O_RDONLY);
	n = read(fd, buf, 4096);
	if (n <= 0)
		die("read %s: %s", WL_PROC_FILE, strerror(errno));
	printf("PROCLEN %zd\n", n);
	timed_sync("proc", false, 0, fd, -EINVAL);
	timed_sync("proc", true, 0, fd, -EINVAL);
	close(fd);
	if (pipe(p))
		die("pipe: %s", strerror(errno));
	check("fsync(pipe)", fsync(p[0]), -EINVAL);
	fflush(stdout);
}

/*
 * The last call on each file is an fsync: one under a comm the file has not
 * seen, one after the file's unlink.
 */
static void scen_syncmeta(void)
{
	int fc = open_or_die(path_of(WL_SYNCM_COMM), O_RDWR);
	int fg = open_or_die(path_of(WL_SYNCM_GONE), O_RDWR);

	wr(fc, WL_SYNCM_WR, WL_SYNCM_WR);
	timed_sync(WL_SYNCM_COMM, false, 0, fc, 0);
	wr(fg, WL_SYNCM_WR, WL_SYNCM_WR);
	timed_sync(WL_SYNCM_GONE, false, 0, fg, 0);
	if (unlink(path_of(WL_SYNCM_GONE)))
		die("unlink %s: %s", WL_SYNCM_GONE, strerror(errno));
	timed_sync(WL_SYNCM_GONE, false, 1, fg, 0);
	if (prctl(PR_SET_NAME, WL_SYNCM_NAME))
		die("prctl(PR_SET_NAME): %s", strerror(errno));
	timed_sync(WL_SYNCM_COMM, false, 1, fc, 0);
	close(fc);
	close(fg);
	fflush(stdout);
}

/* ---- times -------------------------------------------------------------------------------- */

/*
 * One call timed around on CLOCK_MONOTONIC, bpf_ktime_get_ns()'s clock:
 * "TIME:<tag> <before> <after>".  Its entry and return lie in between.
 */
static void timed(const char *tag, void (*call)(int, size_t, ssize_t), int fd)
{
	unsigned long long t0 = mono_ns();

	call(fd, 4096, 4096);
	printf("TIME:%s %llu %llu\n", tag, t0, mono_ns());
}

/*
 * A's first read, more reads of A (the entries after the first need no
 * timestamp), B's first read, then A's first and last writes; sleeps
 * between them make a wrong first entry or last return show by 30 ms.
 */
static void scen_times(void)
{
	int a = open_or_die(path_of(WL_TIMES_A), O_RDWR), b = open_or_die(path_of(WL_TIMES_B), O_RDONLY);
	const struct timespec gap = { 0, 30 * 1000 * 1000 };

	timed("a_read0", rd, a);
	nanosleep(&gap, NULL);
	rd(a, 4096, 4096);
	rd(a, 4096, 4096);
	timed("b_read0", rd, b);
	timed("a_read_last", rd, a);
	nanosleep(&gap, NULL);
	timed("a_write0", wr, a);
	nanosleep(&gap, NULL);
	timed("a_write_last", wr, a);
	close(b);
	close(a);
	fflush(stdout);
}

/* ---- close -------------------------------------------------------------------------------- */

static void scen_close(void)
{
	int fd = open_or_die(path_of(WL_CLOSE_ONLY), O_RDONLY), fd2;

	check("close", close(fd), 0);
	fd = open_or_die(path_of(WL_CLOSE_LATER), O_RDONLY);
	check("close", close(fd), 0); /* no record yet: not counted */
	fd = open_or_die(path_of(WL_CLOSE_LATER), O_RDONLY);
	rd(fd, 100, 100);
	fd2 = dup(fd);
	check("close(dup)", close(fd2), 0);
	rd(fd, 100, 100);
	check("close", close(fd), 0);
	check("close(again)", close(fd), -EBADF);
	fd = open_or_die(path_of(WL_CLOSE_LATER), O_WRONLY);
	check("close", close(fd), 0);
}

/* ---- mounts in a private mount namespace, O_TMPFILE ---------------------------------------- */

static void report_stat(const char *key, int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat: %s", strerror(errno));
	printf("STAT:%s %u:%u %llu\n", key, major(st.st_dev), minor(st.st_dev),
	       (unsigned long long)st.st_ino);
}

static void mount_tmpfs(const char *rel)
{
	if (mkdir(path_of(rel), 0755) && errno != EEXIST)
		die("mkdir %s: %s", rel, strerror(errno));
	if (mount("iotrace-e2e", path_of(rel), "tmpfs", 0, "size=4m"))
		die("mount tmpfs on %s: %s", rel, strerror(errno));
}

static void bind_dir(const char *from, const char *to)
{
	char src[PATH_MAX];

	snprintf(src, sizeof(src), "%s", path_of(from));
	if (mkdir(path_of(to), 0755) && errno != EEXIST)
		die("mkdir %s: %s", to, strerror(errno));
	if (mount(src, path_of(to), NULL, MS_BIND, NULL))
		die("bind %s on %s: %s", from, to, strerror(errno));
}

static void scen_mounts(void)
{
	int fd;

	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / rprivate: %s", strerror(errno));
	mount_tmpfs(WL_MNT_DIR);
	fd = open_or_die(path_of(WL_MNT_A), O_CREAT | O_RDWR | O_TRUNC);
	wr(fd, 111, 111);
	prd(fd, 111, 0, 111);
	report_stat("a", fd);
	close(fd);
	mount_tmpfs(WL_MNT_INNER); /* a tmpfs inside a tmpfs inside the test's fs */
	if (chdir(path_of(WL_MNT_INNER)))
		die("chdir: %s", strerror(errno));
	fd = open_or_die("b.dat", O_CREAT | O_WRONLY | O_TRUNC);
	wr(fd, 222, 222);
	report_stat("b", fd);
	close(fd);
	if (mkdir("sub", 0755))
		die("mkdir sub: %s", strerror(errno));
	close(open_or_die("sub/" WL_BIND2_D, O_CREAT | O_WRONLY)); /* no I/O on this name */
	bind_dir(WL_MNT_INNER "/sub", WL_BIND2_DST);
	fd = open_or_die(path_of(WL_BIND2_DST "/" WL_BIND2_D), O_RDWR);
	wr(fd, 44, 44);
	prd(fd, 100, 0, 44);
	report_stat("d", fd);
	close(fd);
	bind_dir(WL_BIND_SRC, WL_BIND_DST);
	if (chdir(path_of(WL_BIND_DST)))
		die("chdir: %s", strerror(errno));
	fd = open_or_die(WL_BIND_C, O_RDONLY);
	rd(fd, 4096, 4096);
	rd(fd, 4096, WL_BIND_C_SZ - 4096);
	close(fd);
	fflush(stdout);
}

static void scen_tmpfile(void)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);

	if (fd < 0)
		die("O_TMPFILE: %s", strerror(errno));
	wr(fd, WL_TMPF_PRE, WL_TMPF_PRE); /* no name yet: not counted */
	prd(fd, 10, 0, 10);
	if (linkat(fd, "", AT_FDCWD, path_of(WL_TMPF_LINK), AT_EMPTY_PATH))
		die("linkat: %s", strerror(errno));
	wr(fd, WL_TMPF_POST, WL_TMPF_POST);
	close(fd);
	/* one that never gets a name */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0)
		die("O_TMPFILE: %s", strerror(errno));
	wr(fd, 100, 100);
	prd(fd, 100, 0, 100);
	timed_sync("tmpfile", false, 0, fd, 0);
	close(fd);
	/* and a memfd with every kind of call */
	fd = memfd_create("iotrace-e2e", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	check("writev(memfd)", writev(fd, small_iov, 5), WL_IOV_SMALL_SUM);
	check("preadv(memfd)", preadv(fd, small_iov, 5, 0), WL_IOV_SMALL_SUM);
	check("fsync(memfd)", fsync(fd), 0);
	close(fd);
	fflush(stdout);
}

/* ---- concurrency on shared descriptors ---------------------------------------------------- */

struct ts_arg {
	int fd_app, fd_rd;
	pthread_barrier_t *barrier;
};

static void *ts_main(void *p)
{
	struct ts_arg *a = p;
	char b[WL_TS_RD];

	pthread_barrier_wait(a->barrier);
	for (int i = 0; i < WL_TS_ITERS; i++) {
		check("write(append)", write(a->fd_app, b, WL_TS_WR), WL_TS_WR);
		check("read(shared)", read(a->fd_rd, b, WL_TS_RD), WL_TS_RD);
		if (i % WL_TS_VEC_EVERY == 0)
			check("writev(append)", writev(a->fd_app, small_iov, 5), WL_IOV_SMALL_SUM);
	}
	return NULL;
}

static void scen_tshared(void)
{
	pthread_t tid[2];
	pthread_barrier_t barrier;
	struct ts_arg arg = { open_or_die(path_of(WL_TS_FILE), O_WRONLY | O_APPEND),
			      open_or_die(path_of(WL_TS_FILE), O_RDONLY), &barrier };

	pthread_barrier_init(&barrier, NULL, 2);
	for (int t = 0; t < 2; t++)
		if (pthread_create(&tid[t], NULL, ts_main, &arg))
			die("pthread_create failed");
	for (int t = 0; t < 2; t++)
		pthread_join(tid[t], NULL);
	close(arg.fd_app);
	close(arg.fd_rd);
}

/*
 * What databases, editors and version control do to files: a file unlinked
 * whose inode number the next file gets (ext4 gives it at once; tmpfs
 * never does, then B is simply a new file), a file written under a
 * temporary name and renamed into place, and one unlinked while open and
 * closed after.  Reports REUSED 1 when B got A's inode number.
 */
static void scen_identity(void)
{
	char tmp[PATH_MAX];
	struct stat a, b;
	int fd, tries;

	fd = open_or_die(path_of(WL_ID_A), O_CREAT | O_WRONLY | O_TRUNC);
	wr(fd, WL_ID_A_WR, WL_ID_A_WR);
	if (fstat(fd, &a))
		die("fstat: %s", strerror(errno));
	report_stat("ida", fd);
	close(fd);
	if (unlink(path_of(WL_ID_A)))
		die("unlink: %s", strerror(errno));
	/* creates without I/O make no record: only the B that is written counts */
	for (tries = 1;; tries++) {
		fd = open_or_die(path_of(WL_ID_B), O_CREAT | O_WRONLY | O_EXCL);
		if (fstat(fd, &b))
			die("fstat: %s", strerror(errno));
		if (b.st_ino == a.st_ino || tries == WL_ID_TRIES)
			break;
		close(fd);
		if (unlink(path_of(WL_ID_B)))
			die("unlink: %s", strerror(errno));
	}
	wr(fd, WL_ID_B_WR, WL_ID_B_WR);
	report_stat("idb", fd);
	close(fd);
	printf("REUSED %d\n", b.st_ino == a.st_ino);

	fd = open_or_die(path_of(WL_ID_TMP), O_CREAT | O_WRONLY | O_TRUNC);
	wr(fd, WL_ID_TMP_WR, WL_ID_TMP_WR);
	close(fd);
	snprintf(tmp, sizeof(tmp), "%s", path_of(WL_ID_TMP)); /* path_of's buffer is one */
	if (rename(tmp, path_of(WL_ID_FINAL)))
		die("rename: %s", strerror(errno));

	fd = open_or_die(path_of(WL_ID_SHM), O_CREAT | O_RDWR | O_TRUNC);
	wr(fd, WL_ID_SHM_WR, WL_ID_SHM_WR);
	report_stat("idshm", fd);
	if (unlink(path_of(WL_ID_SHM)))
		die("unlink: %s", strerror(errno));
	close(fd);
}

static void *quarter_main(void *arg)
{
	int t = (int)(long)arg, fd = open_or_die(path_of(WL_ST_FILE), O_RDONLY);
	char b[WL_ST_RD];

	for (int k = 0; k < WL_ST_CALLS; k++) {
		off_t off = (off_t)(t * WL_ST_CALLS + k) * WL_ST_RD;

		check("pread64", pread(fd, b, WL_ST_RD, off), WL_ST_RD);
	}
	close(fd);
	return NULL;
}

struct turns {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int turn, fd;
};

struct turn_arg {
	struct turns *tu;
	int me; /* reads when turn % 2 == me */
};

static void *turn_main(void *arg)
{
	struct turns *tu = ((struct turn_arg *)arg)->tu;
	int me = ((struct turn_arg *)arg)->me;
	static __thread char b[WL_ST_RD];

	for (int k = 0; k < WL_ST_TURNS; k++) {
		pthread_mutex_lock(&tu->lock);
		while (tu->turn % 2 != me)
			pthread_cond_wait(&tu->cond, &tu->lock);
		check("read", read(tu->fd, b, WL_ST_RD), WL_ST_RD);
		tu->turn++;
		pthread_cond_broadcast(&tu->cond);
		pthread_mutex_unlock(&tu->lock);
	}
	return NULL;
}

/*
 * Streams: four threads, each with its own open file, read their own
 * quarter of one file in order; then two threads take turns reading one
 * shared descriptor, which is one stream.
 */
static void scen_streams(void)
{
	struct turns tu = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1 };
	struct turn_arg ta[2] = { { &tu, 0 }, { &tu, 1 } };
	pthread_t tid[WL_ST_THREADS];

	for (long t = 0; t < WL_ST_THREADS; t++)
		if (pthread_create(&tid[t], NULL, quarter_main, (void *)t))
			die("pthread_create failed");
	for (int t = 0; t < WL_ST_THREADS; t++)
		pthread_join(tid[t], NULL);
	tu.fd = open_or_die(path_of(WL_ST_SHARED), O_RDONLY);
	for (int t = 0; t < 2; t++)
		if (pthread_create(&tid[t], NULL, turn_main, &ta[t]))
			die("pthread_create failed");
	for (int t = 0; t < 2; t++)
		pthread_join(tid[t], NULL);
	close(tu.fd);
}

static unsigned long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/*
 * A steady writer, one WL_STEADY_WR-byte write a millisecond for
 * WL_STEADY_MS, traced by -p from outside.  At the end, one line per write
 * with the wall clock just before and just after it: "W BEFORE AFTER".
 */
static void scen_steady(void)
{
	static unsigned long long t[WL_STEADY_MS][2];
	int fd = open_or_die(path_of(WL_STEADY_FILE), O_CREAT | O_WRONLY | O_TRUNC);
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < WL_STEADY_MS; i++) {
		t[i][0] = realtime_ns();
		wr(fd, WL_STEADY_WR, WL_STEADY_WR);
		t[i][1] = realtime_ns();
		nanosleep(&ms, NULL);
	}
	close(fd);
	for (int i = 0; i < WL_STEADY_MS; i++)
		printf("W %llu %llu\n", t[i][0], t[i][1]);
}

/*
 * Bursts: phase p writes WL_BURST_CALLS(p) blocks and fsyncs, then sleeps
 * WL_BURST_GAP_MS.  One line per call, "W|F BEFORE AFTER", on the wall
 * clock just before and just after it.
 */
/* findings: see tests/lib/workload.h */
static void scen_findings(void)
{
	int fd;

	fd = open_or_die(path_of("small.dat"), O_CREAT | O_WRONLY | O_TRUNC);
	for (int i = 0; i < WL_FN_SMALL_CALLS; i++)
		wr(fd, WL_FN_SMALL_SZ, WL_FN_SMALL_SZ);
	close(fd);
	fd = open_or_die(path_of("rand.dat"), O_CREAT | O_RDWR | O_TRUNC);
	for (int i = 0; i < 16; i++)
		wr(fd, 65536, 65536);
	/* block 2k, 2k + 2, ...: never the block after the previous one */
	for (int i = 0; i < WL_FN_RAND_CALLS; i++)
		prd(fd, 4096, (off_t)((i * 2 * 37) % 256) * 4096, 4096);
	close(fd);
	fd = open_or_die(path_of("rewr.dat"), O_CREAT | O_WRONLY | O_TRUNC);
	for (int i = 0; i < WL_FN_REWR_CALLS; i++)
		for (int again = 0; again < 2; again++)
			pwr(fd, 4096, (off_t)i * 4096, 4096);
	close(fd);
	fd = open_or_die(path_of("sync.dat"), O_CREAT | O_WRONLY | O_TRUNC);
	for (int i = 0; i < WL_FN_SYNC_CALLS; i++) {
		wr(fd, 4096, 4096);
		if (fsync(fd))
			die("fsync: %s", strerror(errno));
	}
	close(fd);
	fd = open_or_die(path_of("tiny.dat"), O_CREAT | O_RDWR | O_TRUNC);
	for (int i = 0; i < WL_FN_TINY_CALLS / 64; i++)
		wr(fd, 65536, 65536);
	for (int i = 0; i < WL_FN_TINY_CALLS; i++)
		prd(fd, 1024, (off_t)i * 1024, 1024);
	close(fd);
	fd = open_or_die(path_of("spill.dat"), O_CREAT | O_RDWR | O_TRUNC);
	for (int i = 0; i < 16; i++)
		wr(fd, 65536, 65536);
	for (int i = 0; i < 16; i++)
		prd(fd, 65536, (off_t)i * 65536, 65536);
	close(fd);
	if (unlink(path_of("spill.dat")))
		die("unlink: %s", strerror(errno));
	fd = open_or_die(path_of("shared.dat"), O_CREAT | O_WRONLY | O_TRUNC);
	for (int i = 0; i < 4; i++)
		wr(fd, 65536, 65536);
	close(fd);
	for (int c = 0; c < WL_FN_READERS; c++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (!pid) {
			fd = open_or_die(path_of("shared.dat"), O_RDONLY);
			for (int i = 0; i < 4; i++)
				rd(fd, 65536, 65536);
			_exit(0);
		}
	}
	for (int c = 0; c < WL_FN_READERS; c++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			die("a reader of shared.dat failed");
	}
	fd = open_or_die(path_of("calm.dat"), O_CREAT | O_RDWR | O_TRUNC);
	for (int i = 0; i < 16; i++)
		wr(fd, 65536, 65536);
	if (fsync(fd))
		die("fsync: %s", strerror(errno));
	for (int i = 0; i < 16; i++)
		prd(fd, 65536, (off_t)i * 65536, 65536);
	close(fd);
}

static void scen_bursts(void)
{
	static unsigned long long t[WL_BURST_PHASES * (WL_BURST_CALLS(WL_BURST_PHASES) + 1)][2];
	static char kind[sizeof(t) / sizeof(t[0])];
	int fd = open_or_die(path_of(WL_BURST_FILE), O_CREAT | O_WRONLY | O_TRUNC);
	struct timespec gap = { 0, WL_BURST_GAP_MS * 1000000L };
	size_t n = 0;

	for (int p = 0; p < WL_BURST_PHASES; p++) {
		for (int i = 0; i < WL_BURST_CALLS(p); i++, n++) {
			kind[n] = 'W';
			t[n][0] = realtime_ns();
			wr(fd, WL_BURST_WR, WL_BURST_WR);
			t[n][1] = realtime_ns();
		}
		kind[n] = 'F';
		t[n][0] = realtime_ns();
		if (fsync(fd))
			die("fsync: %s", strerror(errno));
		t[n++][1] = realtime_ns();
		if (p + 1 < WL_BURST_PHASES)
			nanosleep(&gap, NULL);
	}
	close(fd);
	for (size_t i = 0; i < n; i++)
		printf("%c %llu %llu\n", kind[i], t[i][0], t[i][1]);
}

static void ps_child(int c, int go, int fd_app)
{
	int fd_rw = open_or_die(path_of(WL_PS_FILE), O_RDWR);
	int fd_wo = open_or_die(path_of(WL_PS_FILE), O_WRONLY);
	char b;

	if (read(go, &b, 1) != 0) /* both start when the parent closes the pipe */
		die("go pipe");
	for (int i = 0; i < WL_PS_ITERS; i++) {
		off_t off = (off_t)wl_ps_off(c, i);

		prd(fd_rw, WL_PS_RD, off, WL_PS_RD);
		pwr(fd_rw, WL_PS_WR, off, WL_PS_WR);
		wr(fd_app, WL_PS_WR, WL_PS_WR);
		if (i % WL_PS_BAD_EVERY == 0)
			rd(fd_wo, WL_PS_RD, -EBADF);
	}
	close(fd_rw);
	close(fd_wo);
	_exit(0);
}

static void scen_pshared(void)
{
	int fd_app = open_or_die(path_of(WL_PS_FILE), O_WRONLY | O_APPEND), go[2];
	pid_t pid[2];

	if (pipe(go))
		die("pipe: %s", strerror(errno));
	for (int c = 0; c < 2; c++) {
		pid[c] = fork();
		if (pid[c] < 0)
			die("fork: %s", strerror(errno));
		if (!pid[c]) {
			close(go[1]);
			ps_child(c, go[0], fd_app);
		}
	}
	close(go[0]);
	close(go[1]);
	for (int c = 0; c < 2; c++) {
		int st;

		if (waitpid(pid[c], &st, 0) != pid[c] || !WIFEXITED(st) || WEXITSTATUS(st))
			die("child %d failed (status %#x)", c, st);
	}
	close(fd_app);
}

/* ---- random: no expectations here, the test compares with strace's log ------------------- */

static unsigned long long rnd_state;

static unsigned long long rnd(unsigned long long n)
{
	rnd_state ^= rnd_state << 13; /* xorshift64 */
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return n ? rnd_state % n : 0;
}

static void scen_random(void)
{
	const char *seed = getenv("WL_SEED");
	int fds[WL_RND_FILES][3], p[2];
	struct iovec iov[8];

	rnd_state = seed ? strtoull(seed, NULL, 0) : 1;
	rnd_state = rnd_state ? rnd_state : 1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		die("pipe: %s", strerror(errno));
	for (int f = 0; f < WL_RND_FILES; f++) {
		char name[32];

		snprintf(name, sizeof(name), WL_RND_FILE, f);
		fds[f][0] = open_or_die(path_of(name), O_RDONLY);
		fds[f][1] = open_or_die(path_of(name), O_WRONLY);
		fds[f][2] = open_or_die(path_of(name), O_RDWR | (f == 2 ? O_APPEND : 0));
		for (int k = 0; k < 3; k++) /* every fd does I/O before its close */
			if (pread(fds[f][k], buf, 1, 0) < 0 && errno != EBADF)
				die("pread: %s", strerror(errno));
	}
	for (int op = 0; op < WL_RND_OPS; op++) {
		int fi = (int)rnd(WL_RND_FILES), fd = fds[fi][rnd(3)], cnt = (int)rnd(8) + 1;
		int out = fds[(fi + 1 + (int)rnd(WL_RND_FILES - 1)) % WL_RND_FILES][rnd(3)];
		size_t n = (size_t)rnd(70000);
		off_t off = (off_t)rnd(400000) - (rnd(20) ? 0 : 500000); /* some negative */
		off_t so = (off_t)rnd(300000);

		for (int i = 0; i < cnt; i++)
			iov[i] = (struct iovec){ buf, (size_t)rnd(16000) };
		switch (rnd(16)) {
		case 0: (void)!read(fd, buf, n); break;
		case 1: (void)!readv(fd, iov, cnt); break;
		case 2: (void)!pread(fd, buf, n, off); break;
		case 3: (void)!preadv(fd, iov, cnt, off); break;
		case 4: (void)!preadv2(fd, iov, cnt, rnd(2) ? -1 : off, 0); break;
		case 5: (void)!write(fd, buf, n); break;
		case 6: (void)!writev(fd, iov, cnt); break;
		case 7: (void)!pwrite(fd, buf, n, off); break;
		case 8: (void)!pwritev(fd, iov, cnt, off); break;
		case 9: (void)!pwritev2(fd, iov, cnt, rnd(2) ? -1 : off, 0); break;
		case 10: (void)!sendfile(out, fd, rnd(2) ? &so : NULL, n); break; /* another file */
		case 11: (void)!sendfile(p[1], fd, NULL, n % 4096); (void)!read(p[0], buf, 65536); break;
		case 12: (void)!fsync(fd); break;
		case 13: (void)!fdatasync(fd); break;
		case 14: (void)!lseek(fd, (off_t)rnd(300000), SEEK_SET); break;
		default: (void)!ftruncate(fd, (off_t)rnd(WL_RND_SZ)); break;
		}
	}
	for (int f = 0; f < WL_RND_FILES; f++)
		for (int k = 0; k < 3; k++)
			close(fds[f][k]);
}

/* the process's page faults so far, minor and major, as the kernel accounts them */
static long faults_now(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage: %s", strerror(errno));
	return ru.ru_minflt + ru.ru_majflt;
}

/*
 * mapped: reads through a shared read-only mapping (one byte of each
 * page), then writes through a shared writable one; each phase's faults
 * from getrusage, which the test holds the trace's counts to.
 */
static void scen_mapped(void)
{
	int fd = open_or_die(path_of(WL_MAP_FILE), O_RDWR);
	volatile char *r = mmap(NULL, WL_MAP_SZ, PROT_READ, MAP_SHARED, fd, 0);
	volatile char *w = mmap(NULL, WL_MAP_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned long sum = 0;
	long f0, f1, f2;

	if (r == MAP_FAILED || w == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	f0 = faults_now(); /* twice: the first call may fault in what it uses */
	f0 = faults_now();
	for (long i = 0; i < WL_MAP_SZ; i += 4096)
		sum += (unsigned char)r[i];
	f1 = faults_now();
	for (long i = 0; i < WL_MAP_WR_PAGES; i++)
		w[i * 4096] = 'm';
	f2 = faults_now();
	munmap((void *)r, WL_MAP_SZ);
	munmap((void *)w, WL_MAP_SZ);
	close(fd);
	printf("MAPRD %ld\nMAPWR %ld\nSUM %lu\n", f1 - f0, f2 - f1, sum);
}

/* pages of fd's first sz bytes in the page cache (mincore on a mapping, which faults nothing) */
static long resident_pages(int fd, long sz)
{
	unsigned char vec[WL_CACHE_SZ / 4096];
	void *m = mmap(NULL, (size_t)sz, PROT_READ, MAP_SHARED, fd, 0);
	long n = 0;

	if (m == MAP_FAILED || mincore(m, (size_t)sz, vec))
		die("mincore: %s", strerror(errno));
	for (long i = 0; i < sz / 4096; i++)
		n += vec[i] & 1;
	munmap(m, (size_t)sz);
	return n;
}

/* cached: the whole file by read(2), then how much of it the page cache holds */
static void scen_cached(void)
{
	int fd = open_or_die(path_of(WL_CACHE_FILE), O_RDONLY);

	while (read(fd, buf, 65536) > 0)
		;
	printf("CACHED %ld\n", resident_pages(fd, WL_CACHE_SZ));
	close(fd);
}

/*
 * filters: a pread and a pwrite on each WL_FLT_SYNC file, one AIO pread on
 * each WL_FLT_ASYNC file, and a read of /proc/self/stat; "PID <pid>".
 */
static void scen_filters(void)
{
	static const char *const sync_files[] = WL_FLT_SYNC, *const async_files[] = WL_FLT_ASYNC;
	struct iocb cb[2];
	long long res[2];
	unsigned long ctx = 0;
	int fd, afd[2];

	for (size_t i = 0; i < sizeof(sync_files) / sizeof(sync_files[0]); i++) {
		fd = open_or_die(path_of(sync_files[i]), O_RDWR);
		check("pread", pread(fd, buf, WL_FLT_RD_SZ, 0), WL_FLT_RD_SZ);
		check("pwrite", pwrite(fd, buf, WL_FLT_WR_SZ, WL_FLT_WR_AT), WL_FLT_WR_SZ);
		close(fd);
	}
	if (syscall(SYS_io_setup, 8, &ctx))
		die("io_setup: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		afd[i] = open_or_die(path_of(async_files[i]), O_RDONLY);
		cb_set(&cb[i], IOCB_CMD_PREAD, afd[i], buf + i * WL_FLT_AIO_SZ, WL_FLT_AIO_SZ, 0);
	}
	aio_batch(ctx, cb, 2, res);
	for (int i = 0; i < 2; i++) {
		if (res[i] != WL_FLT_AIO_SZ)
			die("aio pread %d: %lld", i, res[i]);
		close(afd[i]);
	}
	syscall(SYS_io_destroy, ctx);
	fd = open_or_die("/proc/self/stat", O_RDONLY);
	if (read(fd, buf, 4096) <= 0)
		die("read /proc/self/stat: %s", strerror(errno));
	close(fd);
	printf("PID %d\n", (int)getpid());
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "seqread", scen_seqread }, { "pread", scen_pread },	{ "pwrite", scen_pwrite },
	{ "append", scen_append },   { "errors", scen_errors }, { "special", scen_special },
	{ "threads", scen_threads }, { "fork", scen_fork },	{ "unlink", scen_unlink },
	{ "paths", scen_paths },     { "longpath", scen_longpath }, { "vector", scen_vector },
	{ "errors2", scen_errors2 }, { "sendfile", scen_sendfile }, { "copies", scen_copies }, { "oflags", scen_oflags }, { "unseen", scen_unseen }, { "aio", scen_aio }, { "aio_big", scen_aio_big }, { "uring", scen_uring }, { "sync", scen_sync }, { "syncmeta", scen_syncmeta },
	{ "close", scen_close },     { "times", scen_times },     { "mounts", scen_mounts },	{ "tmpfile", scen_tmpfile },
	{ "tshared", scen_tshared }, { "pshared", scen_pshared }, { "random", scen_random },
	{ "identity", scen_identity }, { "streams", scen_streams }, { "steady", scen_steady },
	{ "filters", scen_filters }, { "mapped", scen_mapped }, { "cached", scen_cached },
	{ "bursts", scen_bursts }, { "findings", scen_findings },
};

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: workload DIR SCENARIO\n");
		return 2;
	}
	dir = argv[1];
	memset(buf, 'w', sizeof(buf));
	init_iovs();
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strcmp(argv[2], scenarios[i].name)) {
			scenarios[i].run();
			return 0;
		}
	}
	fprintf(stderr, "workload: unknown scenario '%s'\n", argv[2]);
	return 2;
}
