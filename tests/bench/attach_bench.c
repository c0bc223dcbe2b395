// SPDX-License-Identifier: GPL-2.0
/*
 * Which hook is cheaper: per-syscall tracepoints or the raw sys_enter /
 * sys_exit tracepoints with a dispatcher?  Both variants run the same
 * program body; we time pread64 of 4 KiB from a cached file (the traced
 * call) and getppid (a syscall the tracer does not care about), with
 * nothing attached, with the tracepoints and with the raw tracepoints,
 * interleaved over several rounds, and print min/median/max ns per call
 * and the added cost.  Not a test: `make bench-attach`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"

#define CALLS  200000
#define ROUNDS 7

enum setup { NONE, TP, RAW, SETUPS };
static const char *const setup_names[SETUPS] = { "none", "tracepoint", "raw_tp+dispatch" };

static void *slurp(const char *path, size_t *sz)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	rewind(f);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	*sz = (size_t)n;
	return buf;
}

static struct obj *load_variant(const char *file)
{
	char path[4096];
	struct obj_src src;
	struct obj *o;
	uint32_t tgid = (uint32_t)getpid();

	snprintf(path, sizeof(path), "%s/tests/bench/%s", OUT_DIR, file);
	src.name = file;
	src.data = slurp(path, &src.size);
	if (obj__open_mem(&o, &src, 1, NULL) ||
	    obj__set_global(o, "bench_tgid", &tgid, sizeof(tgid)) || obj__load(o, NULL))
		exit(1);
	return o;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per call of pread64 (4 KiB at offset 0) or getppid */
static double time_calls(int fd, int pread)
{
	static char buf[4096];
	double t0 = now_ns();

	for (int i = 0; i < CALLS; i++) {
		if (pread) {
			if (pread64(fd, buf, sizeof(buf), 0) != sizeof(buf))
				exit(1);
		} else {
			syscall(SYS_getppid);
		}
	}
	return (now_ns() - t0) / CALLS;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	struct obj *objs[SETUPS] = { NULL, load_variant("attach_tp.bpf.o"),
				     load_variant("attach_raw.bpf.o") };
	double t[2][SETUPS][ROUNDS];
	char file[] = "/tmp/iotrace-bench.XXXXXX", buf[4096] = { 1 };
	int fd = mkstemp(file);

	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf))
		return 1;
	unlink(file);
	for (int r = 0; r < ROUNDS; r++) {
		for (int s = 0; s < SETUPS; s++) {
			struct links *ls = NULL;

			if (objs[s] && obj__attach(objs[s], &ls))
				return 1;
			t[0][s][r] = time_calls(fd, 1);
			t[1][s][r] = time_calls(fd, 0);
			links__destroy(ls);
		}
	}
	printf("%-16s %-8s %8s %8s %8s %10s\n", "hooks", "call", "min_ns", "med_ns", "max_ns",
	       "added_ns");
	for (int w = 0; w < 2; w++) {
		double base;

		qsort(t[w][NONE], ROUNDS, sizeof(double), cmp);
		base = t[w][NONE][ROUNDS / 2];
		for (int s = 0; s < SETUPS; s++) {
			if (s)
				qsort(t[w][s], ROUNDS, sizeof(double), cmp);
			printf("%-16s %-8s %8.0f %8.0f %8.0f %10.0f\n", setup_names[s],
			       w ? "getppid" : "pread64", t[w][s][0], t[w][s][ROUNDS / 2],
			       t[w][s][ROUNDS - 1], t[w][s][ROUNDS / 2] - base);
		}
	}
	for (int s = 1; s < SETUPS; s++)
		obj__close(objs[s]);
	close(fd);
	return 0;
}
