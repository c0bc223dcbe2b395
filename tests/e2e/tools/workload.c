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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	int fd = open_or_die(path_of(WL_FORK_FILE), O_RDONLY);

	for (int k = 0; k < WL_FORK_CALLS(i); k++)
		prd(fd, 4096, (off_t)wl_fork_off(i, k), 4096);
	close(fd);
	snprintf(name, sizeof(name), WL_CHILD_FILE, i);
	fd = open_or_die(path_of(name), O_CREAT | O_WRONLY | O_TRUNC);
	for (int k = 0; k < WL_FORK_WRITES; k++)
		wr(fd, WL_FORK_WR_SZ, WL_FORK_WR_SZ);
	close(fd);
	_exit(0); /* right after the last I/O */
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
	}
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
	char comp[WL_LONG_COMP + 1];

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
	for (int i = 0; i < WL_LONG_LEVELS; i++) {
		wl_long_comp(comp, i);
		enter_new_dir(comp);
	}
	write_named(WL_LONGP_FILE, 9);
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "seqread", scen_seqread }, { "pread", scen_pread },	{ "pwrite", scen_pwrite },
	{ "append", scen_append },   { "errors", scen_errors }, { "special", scen_special },
	{ "threads", scen_threads }, { "fork", scen_fork },	{ "unlink", scen_unlink },
	{ "paths", scen_paths },     { "longpath", scen_longpath },
};

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: workload DIR SCENARIO\n");
		return 2;
	}
	dir = argv[1];
	memset(buf, 'w', sizeof(buf));
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strcmp(argv[2], scenarios[i].name)) {
			scenarios[i].run();
			return 0;
		}
	}
	fprintf(stderr, "workload: unknown scenario '%s'\n", argv[2]);
	return 2;
}
