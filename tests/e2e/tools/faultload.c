// SPDX-License-Identifier: GPL-2.0
/*
 * Workload of the fault tests (tests/e2e/robust_test.c): `faultload DIR MODE [N]`.
 * It reports progress through DIR/progress, a file the test created and both
 * map shared: word 0 = calls completed, word 1 = this process's pid, word 2
 * set by the test when spinexit may exit.  Memory
 * stores are no syscalls, so reporting adds nothing to the trace.  A call is
 * counted in word 0 only after it returned, so a test that reads C there knows
 * C calls have passed their sys_exit.
 *   spin N    pread64 4 KiB of DIR/data (64 KiB) in a loop, N times (0: forever)
 *   spinexit N  the same N, then wait (no syscall) for word 2 and exit
 *   crash N   N of those preads, then a NULL store (SIGSEGV)
 *   many N    write one byte into each of DIR/m/f0..f<N-1>
 *   manywait N  wait (no syscall) for word 2, then many N
 *   graceful N  spin until SIGINT, SIGTERM or SIGHUP, then N pwrite64 of one
 *             byte to DIR/shutdown (its "cleanup") and exit 3
 *   deaf      spin forever, ignoring SIGINT, SIGTERM and SIGHUP
 *   scfull    wait for word 2, then on the new DIR/sc.dat: write, pwrite64,
 *             writev, pwritev, pwritev2, 3 pread64, write, close, each of 4 KiB
 *             (capacity_test.c: the per-syscall table holds 4 of them)
 *   countsig N  spin until SIGINT, then N ms more with every SIGINT counted
 *             in word 4 (a duplicate sent meanwhile shows), and exit 3
 *   big       three preadv of 1024 x 2 MiB iovecs (2 GiB asked, the kernel's
 *             MAX_RW_COUNT done) at 0, 2 GiB and 4 GiB of the sparse DIR/sparse
 *   leaderexit  start a thread that sleeps forever, then end the main thread
 *             (the group leader) alone: the process lives on in that thread
 *             until it is killed (pids_test.c)
 * Exits 10 with a line on stderr when a call does not return what it should.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define DATA_SZ	    65536
#define CHUNK	    4096
#define BIG_IOV_CNT 1024
#define BIG_IOV_SZ  (2UL << 20)
#define BIG_CALLS   3

static const char *dir;
static volatile uint64_t *progress;

static void die(const char *what)
{
	fprintf(stderr, "faultload: %s: %s\n", what, strerror(errno));
	exit(10);
}

static char *path_of(const char *rel)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return p;
}

static void map_progress(void)
{
	int fd = open(path_of("progress"), O_RDWR | O_CLOEXEC);
	void *p;

	if (fd < 0)
		die("open progress");
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap progress");
	close(fd);
	progress = p;
	__atomic_store_n(&progress[1], (uint64_t)getpid(), __ATOMIC_RELEASE);
}

static void spin(unsigned long n)
{
	static char buf[CHUNK];
	int fd = open(path_of("data"), O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open data");
	for (unsigned long i = 0; !n || i < n; i++) {
		if (pread(fd, buf, CHUNK, (off_t)(i % (DATA_SZ / CHUNK)) * CHUNK) != CHUNK)
			die("pread data");
		__atomic_store_n(&progress[0], i + 1, __ATOMIC_RELEASE);
	}
	close(fd);
}

static void many(unsigned long n)
{
	char rel[64];

	if (mkdir(path_of("m"), 0755) && errno != EEXIST)
		die("mkdir m");
	for (unsigned long i = 0; i < n; i++) {
		int fd;

		snprintf(rel, sizeof(rel), "m/f%lu", i);
		fd = open(path_of(rel), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			die("write m/f");
		close(fd);
		__atomic_store_n(&progress[0], i + 1, __ATOMIC_RELEASE);
	}
}

static volatile sig_atomic_t end_signal;

static void on_end_signal(int sig)
{
	end_signal = sig;
}

static void graceful(unsigned long n)
{
	struct sigaction sa = { .sa_handler = on_end_signal, .sa_flags = SA_RESTART };
	static char buf[CHUNK];
	int fd = open(path_of("data"), O_RDONLY | O_CLOEXEC), out;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	out = open(path_of("shutdown"), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || out < 0)
		die("graceful setup");
	for (unsigned long i = 0; !end_signal; i++) {
		if (pread(fd, buf, CHUNK, (off_t)(i % (DATA_SZ / CHUNK)) * CHUNK) != CHUNK)
			die("pread data");
		__atomic_store_n(&progress[0], i + 1, __ATOMIC_RELEASE);
	}
	for (unsigned long k = 0; k < n; k++)
		if (pwrite(out, "x", 1, (off_t)k) != 1)
			die("pwrite shutdown");
	exit(3);
}

static void count_sigint(int sig)
{
	(void)sig;
	__atomic_fetch_add(&progress[4], 1, __ATOMIC_ACQ_REL);
}

static void countsig(unsigned long ms)
{
	struct sigaction sa = { .sa_handler = count_sigint };
	struct timespec left = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	static char buf[CHUNK];
	int fd = open(path_of("data"), O_RDONLY | O_CLOEXEC);

	sigaction(SIGINT, &sa, NULL);
	if (fd < 0)
		die("countsig setup");
	for (unsigned long i = 0; !__atomic_load_n(&progress[4], __ATOMIC_ACQUIRE); i++) {
		if (pread(fd, buf, CHUNK, 0) != CHUNK)
			die("pread data");
		__atomic_store_n(&progress[0], i + 1, __ATOMIC_RELEASE);
	}
	while (nanosleep(&left, &left) && errno == EINTR)
		;
	exit(3);
}

static void wait_go(void)
{
	while (!__atomic_load_n(&progress[2], __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void expect_n(const char *what, ssize_t got, ssize_t want)
{
	if (got != want)
		die(what);
}

static void scfull(void)
{
	static char buf[CHUNK];
	struct iovec iov = { buf, CHUNK };
	int fd;

	wait_go();
	fd = open(path_of("sc.dat"), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open sc.dat");
	expect_n("write", write(fd, buf, CHUNK), CHUNK);
	expect_n("pwrite64", pwrite(fd, buf, CHUNK, CHUNK), CHUNK);
	expect_n("writev", writev(fd, &iov, 1), CHUNK);
	expect_n("pwritev", pwritev(fd, &iov, 1, 2 * CHUNK), CHUNK);
	expect_n("pwritev2", pwritev2(fd, &iov, 1, -1, 0), CHUNK);
	for (int i = 0; i < 3; i++)
		expect_n("pread64", pread(fd, buf, CHUNK, 0), CHUNK);
	expect_n("write again", write(fd, buf, CHUNK), CHUNK);
	if (close(fd))
		die("close sc.dat");
}

static void big(void)
{
	static struct iovec iov[BIG_IOV_CNT];
	char *buf =
		mmap(NULL, BIG_IOV_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(path_of("sparse"), O_RDONLY | O_CLOEXEC);
	uint64_t total = 0;

	if (buf == MAP_FAILED || fd < 0)
		die("big setup");
	/* every iovec is the same 2 MiB: 2 GiB asked of the kernel, 2 MiB of memory */
	for (int i = 0; i < BIG_IOV_CNT; i++)
		iov[i] = (struct iovec){ buf, BIG_IOV_SZ };
	for (int k = 0; k < BIG_CALLS; k++) {
		ssize_t n = preadv(fd, iov, BIG_IOV_CNT, (off_t)k << 31);

		if (n <= 0)
			die("preadv sparse");
		total += (uint64_t)n;
		__atomic_store_n(&progress[0], (uint64_t)k + 1, __ATOMIC_RELEASE);
	}
	printf("done %zd\nbytes %llu\n", (ssize_t)(total / BIG_CALLS), (unsigned long long)total);
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void leaderexit(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sleep_forever, NULL))
		die("pthread_create");
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;

	if (argc < 3) {
		fprintf(stderr, "usage: faultload DIR spin|spinexit|crash|many|manywait|graceful|deaf|scfull|countsig|big|leaderexit [N]\n");
		return 2;
	}
	dir = argv[1];
	map_progress();
	if (!strcmp(argv[2], "spin")) {
		spin(n);
	} else if (!strcmp(argv[2], "spinexit")) {
		spin(n);
		wait_go();
	} else if (!strcmp(argv[2], "crash")) {
		spin(n);
		*(volatile int *)(uintptr_t)progress[3] = 1; /* word 3 is 0: a NULL store */
	} else if (!strcmp(argv[2], "many")) {
		many(n);
	} else if (!strcmp(argv[2], "manywait")) {
		wait_go();
		many(n);
	} else if (!strcmp(argv[2], "graceful")) {
		graceful(n);
	} else if (!strcmp(argv[2], "deaf")) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		spin(0);
	} else if (!strcmp(argv[2], "scfull")) {
		scfull();
	} else if (!strcmp(argv[2], "countsig")) {
		countsig(n);
	} else if (!strcmp(argv[2], "big")) {
		big();
	} else if (!strcmp(argv[2], "leaderexit")) {
		leaderexit();
	} else {
		fprintf(stderr, "faultload: unknown mode '%s'\n", argv[2]);
		return 2;
	}
	return 0;
}
