// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench`: what iotrace adds to each traced call, against the floor (nop
 * programs on the same hooks, loaded by our loader), a minimal hash-paired
 * program and bpftrace, on the workloads of the performance targets.  One
 * interleaved run: an uncounted warm-up (every tracer once on pread64), then ROUNDS rounds,
 * each running every tracer x workload once, in an order rotated every
 * round so drift spreads over all rows; then the scale phase.  A benchmark,
 * not a test: exit 0 whatever the figures, 1 only when a run broke (a tracer
 * or a workload failed).
 *
 *   overhead-bench [IOTRACE]    (default ./iotrace; run as root)
 *   BENCH_BPFTRACE_NOTE         appended to the bpftrace line (make bench says
 *                               when it installed bpftrace)
 *   BENCH_DOC                   a Markdown file whose generated part is replaced
 *                               with this run's tables (docs/performance.md)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct bench {
	struct tracers tr;
	struct bench_files files;
	struct results res;
	int stats_saved;
	bool stats_set;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * iotrace and bpftrace counted what the workload did: its traced syscalls
 * (two per pair for dd and fsync), at least the timed ones, and nothing on
 * the miss path.  A tracer that silently skipped its work (a file not
 * resolved, a probe not attached) breaks the run instead of looking cheap.
 */
static int check_counted(enum tracer_id t, enum wl_id wl, const struct tracer_run *run)
{
	const struct wl_spec *s = &wl_specs[wl];
	long want = s->calls * s->threads * (wl == WL_DD || wl == WL_FSYNC ? 2 : 1);

	if ((t != TR_BPFTRACE && t != TR_IOTRACE) || wl == WL_GETPPID)
		return 0;
	if (s->traced ? run->counted >= want : run->counted == 0)
		return 0;
	fprintf(stderr, "bench: %s counted %ld calls on %s, the workload made %s%ld\n",
		tracer_names[t], run->counted, s->name, s->traced ? "at least " : "",
		s->traced ? want : 0L);
	return -EPROTO;
}

/* One measurement: workload child, tracer up, timed loop, readings, tracer down. */
static int run_cell(struct bench *b, enum tracer_id t, enum wl_id wl, struct cell *c)
{
	struct wl_proc w = { 0 };
	struct tracer_run run = { .id = TR_NONE };
	bool mounted = false;
	int err, err2;

	memset(c, 0, sizeof(*c));
	err = workload_spawn(wl, &b->files, &w);
	if (!err && t == TR_BPFTRACE)
		err = tracefs_ensure(&mounted);
	err = err ?: tracer_start(&b->tr, t, wl, w.pid, &run);
	err = err ?: workload_go(&w);
	err = err ?: workload_result(&w, &c->ns, run.pid, &c->rss_kb);
	err = err ?: tracer_sample(&run, c);
	err2 = run.id != TR_NONE ? tracer_stop(&b->tr, &run, &c->stop_ms) : 0;
	err = err ?: err2;
	err = err ?: check_counted(t, wl, &run);
	err2 = workload_end(&w);
	err = err ?: err2;
	tracefs_release(mounted);
	c->ready_ms = run.ready_ms;
	c->attached_ms = run.attached_ms;
	c->self_ready_ms = run.self_ready_ms;
	if (err)
		fprintf(stderr, "bench: %s on %s: broken run\n", tracer_names[t],
			wl_specs[wl].name);
	return err ?: interrupted ? -EINTR : 0;
}

/*
 * Every tracer x main workload once; round r rotates both orders by r.
 * The BPF time round (stats) keeps its cells apart: with bpf_stats on,
 * every program run also reads the clock twice, about 140 ns per traced
 * call here, so its wall-clock figures are not counted.
 */
static int run_round(struct bench *b, int r, bool stats)
{
	struct cell c;
	int err = 0;

	for (int wi = 0; !err && wi < WL_SCALE0; wi++) {
		enum wl_id wl = (enum wl_id)((wi + r) % WL_SCALE0);

		for (int ti = 0; !err && ti < TRACERS; ti++) {
			enum tracer_id t = (enum tracer_id)((ti + r) % TRACERS);

			if (t == TR_BPFTRACE && !b->tr.bpftrace)
				continue;
			/* the hash pairing and the bpftrace script follow the read/write syscalls only */
			if ((t == TR_PAIR || t == TR_BPFTRACE) &&
			    (wl == WL_COPY || wl == WL_AIO || wl == WL_URING || wl == WL_FAULT))
				continue;
			err = run_cell(b, t, wl, &c);
			if (!err && stats) {
				b->res.stat_cells[t][wl] = c;
				b->res.stat_cnt[t][wl] = 1;
			} else if (!err) {
				b->res.cells[t][wl][b->res.cnt[t][wl]++] = c;
			}
		}
	}
	return err;
}

/* Every tracer once on pread64, not counted: caches, JIT, bpftrace's first compile. */
static int warm_up(struct bench *b)
{
	struct cell c;
	int err = 0;

	for (int t = 0; !err && t < TRACERS; t++)
		if (t != TR_BPFTRACE || b->tr.bpftrace)
			err = run_cell(b, (enum tracer_id)t, WL_PREAD1, &c);
	return err;
}

/* none and iotrace, each on few files and after touching 100k, rotated */
static int run_scale(struct bench *b)
{
	static const enum tracer_id ts[2] = { TR_NONE, TR_IOTRACE };
	int err = 0;

	printf("scale: creating %d files in %s ...\n", SCALE_FILES, b->files.many_dir);
	fflush(stdout);
	err = files_create_many(&b->files);
	for (int r = 0; !err && r < SCALE_ROUNDS; r++) {
		for (int i = 0; !err && i < 4; i++) {
			int k = ((i + r) % 4) / 2, t = (i + r) % 2;
			enum wl_id wl = (enum wl_id)(WL_SCALE0 + k);

			err = run_cell(b, ts[t], wl, &b->res.scale[t][k][r]);
		}
		b->res.scale_cnt = err ? r : r + 1;
	}
	return err;
}

static const char *find_bpftrace(void)
{
	static const char *const paths[] = { "/usr/bin/bpftrace", "/usr/sbin/bpftrace",
					     "/usr/local/bin/bpftrace" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

static int setup(struct bench *b, const char *iotrace)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	if (geteuid()) {
		fprintf(stderr, "bench: needs root (BPF, bpf_stats_enabled, tracefs)\n");
		return -EPERM;
	}
	if (access(iotrace, X_OK)) {
		fprintf(stderr, "bench: %s: %s\n", iotrace, strerror(errno));
		return -errno;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	err = bpf_stats_enable(&b->stats_saved);
	b->stats_set = !err;
	err = err ?: files_create(&b->files);
	err = err ?: tracers_init(&b->tr, iotrace, find_bpftrace());
	b->tr.result_path = b->files.result_path;
	return err;
}

static void teardown(struct bench *b)
{
	tracers_fini(&b->tr);
	files_remove(&b->files);
	if (b->stats_set)
		bpf_stats_restore(b->stats_saved);
}

static void print_plan(const struct bench *b)
{
	printf("plan: warm-up (each tracer once on pread64, not counted) + %d rounds x %d tracers"
	       " x %d workloads with bpf_stats off, order rotated per round, + one round with"
	       " bpf_stats on for BPF time only; each workload does %d untimed calls, then:\n",
	       ROUNDS, b->tr.bpftrace ? TRACERS : TRACERS - 1, WL_SCALE0, WARMUP_CALLS);
	for (int w = 0; w < WLS; w++)
		printf("  %-26s %7ld x %s\n", wl_specs[w].name, wl_specs[w].calls,
		       wl_specs[w].unit);
	printf("files on tmpfs (%s), io_uring's in %s (io_uring reads a tmpfs file in a worker"
	       " thread); iotrace: %s -v -q --format csv -o %s -p PID (-c nomatchcomm on the miss"
	       " path)\n",
	       b->files.dir, b->files.uring_dir, b->tr.iotrace, b->files.result_path);
	printf("each run of iotrace and bpftrace must count at least the workload's timed calls"
	       " (none on the miss path), or the run is broken\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct bench b;
	const char *iotrace = argc > 1 ? argv[1] : "./iotrace";
	double t0 = now_ms();
	int err;

	if (argc > 1 && !strcmp(argv[1], "--bpftrace-script")) {
		/* the comparator's script alone, to run it by hand */
		if (tracers_script(&b.tr))
			return 1;
		fputs(b.tr.bpftrace_script, stdout);
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = setup(&b, iotrace);
	b.res.have_bpftrace = b.tr.bpftrace != NULL;
	report_machine(b.tr.bpftrace, getenv("BENCH_BPFTRACE_NOTE"));
	if (!err)
		print_plan(&b);
	err = err ?: warm_up(&b);
	err = err ?: bpf_stats_set(false);
	for (int r = 0; !err && r < ROUNDS; r++) {
		err = run_round(&b, r, false);
		printf("round %d done, %.0f s elapsed\n", r + 1, (now_ms() - t0) / 1e3);
	}
	err = err ?: bpf_stats_set(true);
	err = err ?: run_round(&b, ROUNDS, true);
	if (!err)
		printf("BPF time round done, %.0f s elapsed\n", (now_ms() - t0) / 1e3);
	err = err ?: bpf_stats_set(false);
	err = err ?: run_scale(&b);
	teardown(&b);
	if (err) {
		fprintf(stderr, "bench: broken run (%s): no tables\n", strerror(-err));
		return 1;
	}
	report_all(&b.res);
	if (getenv("BENCH_DOC") && report_doc(getenv("BENCH_DOC"), &b.res, b.tr.bpftrace))
		return 1;
	if (b.tr.bpftrace)
		report_bpftrace_script(b.tr.bpftrace_script);
	printf("\ntotal %.0f s\n", (now_ms() - t0) / 1e3);
	return 0;
}
