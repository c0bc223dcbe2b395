// SPDX-License-Identifier: GPL-2.0
/*
 * The tables of `make bench`, one per measure, and the performance targets
 * evaluated on this run.  Every figure is min / median / max over the
 * counted rounds; "added" is a tracer's median minus none's median on the
 * same workload, "ratio" that added over the floor's added.  The same two
 * figures from the minimums follow: on a shared VM the other tenants only
 * ever add time to a round (steal, evicted caches), so each tracer's
 * fastest round is its cost with the least of that; iotrace/floor ratios
 * move much less between runs at the minimum than at the median.  The
 * per-call targets are judged on both, and a verdict says which held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

#define MIN_FLOOR_ADDED_NS 5.0	/* below, a ratio to the floor means nothing */
#define SCALE_TOL_NS	   20.0 /* "does not grow measurably": max(this, 10%) */
#define TOP_PROGS	   2
#define BUSY_HOST_FRAC	   0.10 /* untraced median this far above its min: a busy host */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct summary summarize(const double *v, int n)
{
	double s[ROUNDS * WLS];
	struct summary r = { 0, 0, 0, n };

	if (n <= 0)
		return r;
	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

static double field_of(const struct cell *c, enum cell_field f)
{
	switch (f) {
	case F_NS:
		return c->ns;
	case F_READY:
		return c->ready_ms;
	case F_ATTACHED:
		return c->attached_ms;
	case F_SELF_READY:
		return c->self_ready_ms;
	case F_STOP:
		return c->stop_ms;
	case F_RSS:
		return c->rss_kb / 1024.0;
	default:
		return c->memlock / 1024.0;
	}
}

static struct summary cell_sum(const struct cell *cells, int n, enum cell_field f)
{
	double v[ROUNDS * WLS];

	for (int i = 0; i < n; i++)
		v[i] = field_of(&cells[i], f);
	return summarize(v, n);
}

/* f over every main-run workload of one tracer */
static struct summary tracer_sum(const struct results *res, enum tracer_id t, enum cell_field f)
{
	double v[ROUNDS * WLS];
	int n = 0;

	for (int w = 0; w < WL_SCALE0; w++)
		for (int r = 0; r < res->cnt[t][w]; r++)
			v[n++] = field_of(&res->cells[t][w][r], f);
	return summarize(v, n);
}

static double med(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return cell_sum(res->cells[t][w], res->cnt[t][w], F_NS).med;
}

static double added(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return med(res, t, w) - med(res, TR_NONE, w);
}

static double min_ns(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return cell_sum(res->cells[t][w], res->cnt[t][w], F_NS).min;
}

static double added_min(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return min_ns(res, t, w) - min_ns(res, TR_NONE, w);
}

double report_added(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return added(res, t, w);
}

double report_added_min(const struct results *res, enum tracer_id t, enum wl_id w)
{
	return added_min(res, t, w);
}

struct summary report_sum(const struct results *res, enum tracer_id t, enum cell_field f)
{
	return tracer_sum(res, t, f);
}

double report_scale_ns(const struct results *res, int after)
{
	return cell_sum(res->scale[1][after ? 1 : 0], res->scale_cnt, F_NS).med;
}

double report_scale_stop_max(const struct results *res)
{
	return cell_sum(res->scale[1][1], res->scale_cnt, F_STOP).max;
}

void report_bpftrace_script(const char *script)
{
	printf("\n== the bpftrace comparator: bpftrace --no-warnings -e SCRIPT PID ==\n%s", script);
}

void report_machine(const char *bpftrace, const char *bpftrace_note)
{
	struct utsname u;
	char line[512], model[256] = "?";
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "model name : %255[^\n]", model) == 1)
			break;
	if (f)
		fclose(f);
	uname(&u);
	printf("machine: nproc %ld, kernel %s, cpu %s\n", sysconf(_SC_NPROCESSORS_ONLN), u.release,
	       model);
	printf("bpftrace: %s%s\n", bpftrace ? bpftrace : "not installed: its rows are left out",
	       bpftrace_note && *bpftrace_note ? bpftrace_note : "");
}

/* ---- tables ------------------------------------------------------------------ */

static void ratio_str(char *buf, size_t sz, enum tracer_id t, double a, double floor_a)
{
	if (t > TR_FLOOR && floor_a >= MIN_FLOOR_ADDED_NS)
		snprintf(buf, sz, "%.2fx", a / floor_a);
}

static void table_ns(const struct results *res)
{
	printf("\n== ns per call (bpf_stats off): min / median / max over %d rounds; added = median"
	       " - none's median; ratio = added / floor's added; the same two from the minimums"
	       " ==\n",
	       ROUNDS);
	printf("%-10s %-24s %-11s %8s %8s %8s %8s %7s %9s %9s\n", "tracer", "workload", "unit",
	       "min", "median", "max", "added", "ratio", "min-added", "min-ratio");
	for (int w = 0; w < WL_SCALE0; w++) {
		double floor_added = added(res, TR_FLOOR, w),
		       floor_min = added_min(res, TR_FLOOR, w);

		for (int t = 0; t < TRACERS; t++) {
			struct summary s = cell_sum(res->cells[t][w], res->cnt[t][w], F_NS);
			double a = added(res, t, w), am = added_min(res, t, w);
			char ratio[16] = "-", add[16] = "-", ratio_m[16] = "-", add_m[16] = "-";

			if (!s.n)
				continue;
			if (t != TR_NONE) {
				snprintf(add, sizeof(add), "%+.0f", a);
				snprintf(add_m, sizeof(add_m), "%+.0f", am);
			}
			ratio_str(ratio, sizeof(ratio), t, a, floor_added);
			ratio_str(ratio_m, sizeof(ratio_m), t, am, floor_min);
			printf("%-10s %-24s %-11s %8.0f %8.0f %8.0f %8s %7s %9s %9s\n",
			       tracer_names[t], wl_specs[w].name, wl_specs[w].unit, s.min, s.med,
			       s.max, add, ratio, add_m, ratio_m);
		}
	}
	printf("(ratio '-': the floor added under %.0f ns, within noise)\n", MIN_FLOOR_ADDED_NS);
}

static void noise_line(const struct results *res)
{
	double worst = 0, worst_rel = 0;
	int wt = 0, ww = 0;
	bool busy = false;

	for (int w = 0; w < WL_SCALE0; w++) {
		for (int t = 0; t < TRACERS; t++) {
			struct summary s = cell_sum(res->cells[t][w], res->cnt[t][w], F_NS);

			if (s.n && (s.max - s.min) / s.med > worst_rel) {
				worst_rel = (s.max - s.min) / s.med;
				worst = s.max - s.min;
				wt = t;
				ww = w;
			}
		}
	}
	printf("noise: widest max-min is %.0f ns (%.1f%% of its median), %s on %s\n", worst,
	       worst_rel * 100, tracer_names[wt], wl_specs[ww].name);
	/*
	 * The untraced rounds do the same work each time, so their median
	 * above their minimum is the host's interference, per workload.
	 */
	printf("noise: untraced median above its minimum:");
	for (int w = 0; w < WL_SCALE0; w++) {
		struct summary s = cell_sum(res->cells[TR_NONE][w], res->cnt[TR_NONE][w], F_NS);

		if (s.n && s.min > 0)
			printf(" %s %.0f%%%s", wl_specs[w].name, 100 * (s.med - s.min) / s.min,
			       w + 1 < WL_SCALE0 ? "," : "");
		if (s.n && s.min > 0 && (s.med - s.min) / s.min > BUSY_HOST_FRAC)
			busy = true;
	}
	printf("\n");
	if (busy)
		printf("noise: over %.0f%% somewhere: the host was busy during this run, and the"
		       " medians there say more about it than about the tracers\n",
		       BUSY_HOST_FRAC * 100);
}

static void row_ms(const char *name, struct summary s, const char *unit)
{
	if (s.n)
		printf("%-10s %8.1f %8.1f %8.1f %s (n=%d)\n", name, s.min, s.med, s.max, unit, s.n);
}

static void table_ready_stop_rss(const struct results *res)
{
	printf("\n== ready: launch -> ready line (bpftrace: 'Attaching N probes', printed before"
	       " it attaches; 'attached' = all its probes in place) ==\n");
	printf("%-10s %8s %8s %8s\n", "tracer", "min", "median", "max");
	row_ms("iotrace", tracer_sum(res, TR_IOTRACE, F_READY), "ms");
	row_ms("  (self)", tracer_sum(res, TR_IOTRACE, F_SELF_READY), "ms, iotrace's own figure");
	row_ms("bpftrace", tracer_sum(res, TR_BPFTRACE, F_READY), "ms");
	row_ms("  attached", tracer_sum(res, TR_BPFTRACE, F_ATTACHED), "ms");
	printf("\n== stop: SIGINT -> exit (results read and written: iotrace's CSV to tmpfs; bpftrace gets"
	       " SIGINT again every second, as it can lose one sent early) ==\n");
	printf("%-10s %8s %8s %8s\n", "tracer", "min", "median", "max");
	row_ms("iotrace", tracer_sum(res, TR_IOTRACE, F_STOP), "ms");
	row_ms("bpftrace", tracer_sum(res, TR_BPFTRACE, F_STOP), "ms");
	printf("\n== user-space RSS while tracing (VmRSS, sampled 30 ms into the workload) ==\n");
	printf("%-10s %8s %8s %8s\n", "tracer", "min", "median", "max");
	row_ms("iotrace", tracer_sum(res, TR_IOTRACE, F_RSS), "MiB");
	row_ms("bpftrace", tracer_sum(res, TR_BPFTRACE, F_RSS), "MiB");
}

static void table_memlock(const struct results *res)
{
	printf("\n== kernel memory of the tracer's maps (sum of memlock: over its map fds, after"
	       " the workload) ==\n");
	printf("%-10s %-24s %10s %10s %10s %5s\n", "tracer", "workload", "min KiB", "median", "max",
	       "maps");
	for (int t = TR_IOTRACE; t < TRACERS; t++) {
		for (int w = 0; w < WL_SCALE0; w++) {
			struct summary s = cell_sum(res->cells[t][w], res->cnt[t][w], F_MEMLOCK);

			if (s.n)
				printf("%-10s %-24s %10.0f %10.0f %10.0f %5zu\n", tracer_names[t],
				       wl_specs[w].name, s.min, s.med, s.max,
				       res->cells[t][w][0].usage.map_cnt);
		}
	}
	for (int k = 0; k < 2 && res->scale_cnt; k++) {
		struct summary s = cell_sum(res->scale[1][k], res->scale_cnt, F_MEMLOCK);

		printf("%-10s %-24s %10.0f %10.0f %10.0f %5zu\n", "iotrace",
		       wl_specs[WL_SCALE0 + k].name, s.min, s.med, s.max,
		       res->scale[1][k][0].usage.map_cnt);
	}
}

struct prog_total {
	char name[PROG_NAME_LEN];
	uint64_t run_ns, run_cnt;
};

/* Sum a tracer's program counters over n cells, by name; returns how many. */
static size_t prog_totals(const struct cell *cells, int n, struct prog_total *out)
{
	size_t cnt = 0;

	for (int r = 0; r < n; r++) {
		const struct bpf_usage *u = &cells[r].usage;

		for (size_t i = 0; i < u->prog_cnt; i++) {
			size_t j;

			if (!u->progs[i].run_cnt)
				continue;
			for (j = 0; j < cnt && strcmp(out[j].name, u->progs[i].name); j++)
				;
			if (j == cnt) {
				if (cnt == MAX_PROGS)
					continue;
				memset(&out[cnt], 0, sizeof(out[cnt]));
				memcpy(out[cnt++].name, u->progs[i].name, PROG_NAME_LEN);
			}
			out[j].run_ns += u->progs[i].run_ns;
			out[j].run_cnt += u->progs[i].run_cnt;
		}
	}
	return cnt;
}

static int cmp_total(const void *a, const void *b)
{
	const struct prog_total *x = a, *y = b;

	return x->run_ns < y->run_ns ? 1 : x->run_ns > y->run_ns ? -1 : 0;
}

static void table_bpf_time(const struct results *res)
{
	static struct prog_total tot[MAX_PROGS];

	printf("\n== BPF time (one round with kernel.bpf_stats_enabled=1, not in the ns tables;"
	       " run_time_ns / run_cnt from fdinfo) ==\n");
	printf("%-10s %-24s %9s   %s\n", "tracer", "workload", "bpf ns/call",
	       "top programs: ns/run (runs per workload call)");
	for (int w = 0; w < WL_SCALE0; w++) {
		double calls = (double)wl_specs[w].calls * wl_specs[w].threads;

		for (int t = TR_FLOOR; t < TRACERS; t++) {
			size_t cnt = prog_totals(&res->stat_cells[t][w], res->stat_cnt[t][w], tot);
			double sum = 0, n = calls * res->stat_cnt[t][w];

			if (!res->stat_cnt[t][w])
				continue;
			qsort(tot, cnt, sizeof(tot[0]), cmp_total);
			for (size_t i = 0; i < cnt; i++)
				sum += (double)tot[i].run_ns;
			printf("%-10s %-24s %9.0f  ", tracer_names[t], wl_specs[w].name, sum / n);
			for (size_t i = 0; i < cnt && i < TOP_PROGS; i++)
				printf(" %s %.0f (%.2f)", tot[i].name,
				       (double)tot[i].run_ns / (double)tot[i].run_cnt,
				       (double)tot[i].run_cnt / n);
			printf("\n");
		}
	}
	printf("(floor programs do not filter: they also count other processes' calls; names are"
	       " the kernel's 15 characters)\n");
}

static void table_scale(const struct results *res)
{
	static const char *const names[2] = { "none", "iotrace" };

	if (!res->scale_cnt)
		return;
	printf("\n== scale: %d rounds; iotrace --max-files %s in both cases; 100k = %d files in"
	       " tmpfs touched first (open, pread, close) ==\n",
	       res->scale_cnt, SCALE_MAX_FILES, SCALE_FILES);
	printf("%-10s %-24s %8s %8s %8s %8s %10s\n", "tracer", "workload", "min", "median", "max",
	       "added", "stop ms");
	for (int k = 0; k < 2; k++) {
		double base = cell_sum(res->scale[0][k], res->scale_cnt, F_NS).med;

		for (int t = 0; t < 2; t++) {
			struct summary s = cell_sum(res->scale[t][k], res->scale_cnt, F_NS);
			struct summary st = cell_sum(res->scale[t][k], res->scale_cnt, F_STOP);
			char add[16] = "-", stop[32] = "-";

			if (t) {
				snprintf(add, sizeof(add), "%+.0f", s.med - base);
				snprintf(stop, sizeof(stop), "%.0f..%.0f", st.min, st.max);
			}
			printf("%-10s %-24s %8.0f %8.0f %8.0f %8s %10s\n", names[t],
			       wl_specs[WL_SCALE0 + k].name, s.min, s.med, s.max, add, stop);
		}
	}
}

/* ---- targets ------------------------------------------------------------------- */

static void verdict(FILE *f, const char *what, const char *target, bool pass)
{
	fprintf(f, "  %-72s (target %s): %s\n", what, target, pass ? "PASS" : "MISS");
}

/* A per-call figure judged at the median and at the minimum. */
static void verdict2(FILE *f, const char *what, const char *target, bool pass_med, bool pass_min)
{
	const char *v = pass_med && pass_min ? "PASS"
			: pass_min	     ? "PASS at the min, MISS at the median"
			: pass_med	     ? "PASS at the median, MISS at the min"
					     : "MISS";

	fprintf(f, "  %-72s (%s): %s\n", what, target, v);
}

/*
 * Per traced call, every feature on: at most 2x the floor (2.5x for two
 * threads on one file, whose record's cache lines move between cores), at
 * most 0.8x the hash pairing program and a quarter of bpftrace.
 */
#define FLOOR_MAX	  2.0
#define FLOOR_MAX_THREADS 2.5
#define PAIR_MAX	  0.8
#define BPFTRACE_MAX	  0.25

static void targets_per_call(FILE *f, const struct results *res)
{
	char what[160], target[40];

	for (int w = 0; w <= WL_FSYNC; w++) {
		double io = added(res, TR_IOTRACE, w), fl = added(res, TR_FLOOR, w);
		double pair = added(res, TR_PAIR, w), bt = added(res, TR_BPFTRACE, w);
		double io_m = added_min(res, TR_IOTRACE, w), fl_m = added_min(res, TR_FLOOR, w);
		double pair_m = added_min(res, TR_PAIR, w), bt_m = added_min(res, TR_BPFTRACE, w);
		double fmax = w == WL_PREAD2 ? FLOOR_MAX_THREADS : FLOOR_MAX;

		snprintf(what, sizeof(what), "%s: iotrace/floor %.2fx (min %.2fx)",
			 wl_specs[w].name, io / fl, io_m / fl_m);
		snprintf(target, sizeof(target), "target ≤ %.1fx", fmax);
		verdict2(f, what, target, io <= fmax * fl, io_m <= fmax * fl_m);
		snprintf(what, sizeof(what), "%s: iotrace/hash-pair %.2f (min %.2f)",
			 wl_specs[w].name, io / pair, io_m / pair_m);
		snprintf(target, sizeof(target), "target ≤ %.1f", PAIR_MAX);
		verdict2(f, what, target, io <= PAIR_MAX * pair, io_m <= PAIR_MAX * pair_m);
		if (!res->have_bpftrace)
			continue;
		snprintf(what, sizeof(what), "%s: iotrace/bpftrace %.2f (min %.2f)",
			 wl_specs[w].name, io / bt, io_m / bt_m);
		snprintf(target, sizeof(target), "target ≤ %.2f", BPFTRACE_MAX);
		verdict2(f, what, target, io <= BPFTRACE_MAX * bt, io_m <= BPFTRACE_MAX * bt_m);
	}
}

static void targets_other(FILE *f, const struct results *res)
{
	struct summary none_g =
		cell_sum(res->cells[TR_NONE][WL_GETPPID], res->cnt[TR_NONE][WL_GETPPID], F_NS);
	double io_g = added(res, TR_IOTRACE, WL_GETPPID), fl_g = added(res, TR_FLOOR, WL_GETPPID);
	double tol = none_g.max - none_g.min;
	char what[160];

	double io_x = added(res, TR_IOTRACE, WL_MISS), fl_x = added(res, TR_FLOOR, WL_MISS);
	double io_xm = added_min(res, TR_IOTRACE, WL_MISS),
	       fl_xm = added_min(res, TR_FLOOR, WL_MISS);

	snprintf(what, sizeof(what), "miss path: iotrace/floor %.2fx (min %.2fx)", io_x / fl_x,
		 io_xm / fl_xm);
	verdict2(f, what, "target ≤ 1.3x", io_x <= 1.3 * fl_x, io_xm <= 1.3 * fl_xm);
	snprintf(what, sizeof(what), "getppid tax: iotrace %+.0f ns vs floor %+.0f ns (noise %.0f)",
		 io_g, fl_g, tol);
	verdict(f, what, "≤ floor + noise", io_g <= fl_g + tol);
	snprintf(what, sizeof(what), "ready: iotrace median %.1f ms",
		 tracer_sum(res, TR_IOTRACE, F_READY).med);
	verdict(f, what, "≤ 30 ms", tracer_sum(res, TR_IOTRACE, F_READY).med <= 30);
	snprintf(what, sizeof(what), "RSS: iotrace median %.1f MiB",
		 tracer_sum(res, TR_IOTRACE, F_RSS).med);
	verdict(f, what, "≤ 4 MiB", tracer_sum(res, TR_IOTRACE, F_RSS).med <= 4);
}

/*
 * Growth after 100k files: iotrace's own per-call time after them against
 * before, both medians.  Not the difference of the two "added" figures:
 * those subtract the untraced medians, whose round-to-round noise (100 ns
 * in a run where iotrace's medians differed by 6) swamped the comparison.
 * The tolerance is still relative to what iotrace adds.
 */
static void targets_scale(FILE *f, const struct results *res)
{
	double io[2], none0, grow, tol, added0;
	char what[160];
	struct summary stop;

	if (!res->scale_cnt)
		return;
	for (int k = 0; k < 2; k++)
		io[k] = cell_sum(res->scale[1][k], res->scale_cnt, F_NS).med;
	none0 = cell_sum(res->scale[0][0], res->scale_cnt, F_NS).med;
	added0 = io[0] - none0;
	grow = io[1] - io[0];
	tol = added0 / 10 > SCALE_TOL_NS ? added0 / 10 : SCALE_TOL_NS;
	snprintf(what, sizeof(what),
		 "scale: iotrace %.0f ns per call after 100k files vs %.0f (%+.0f)", io[1], io[0],
		 grow);
	verdict(f, what, "growth ≤ max(10%, 20 ns)", grow <= tol);
	stop = cell_sum(res->scale[1][1], res->scale_cnt, F_STOP);
	snprintf(what, sizeof(what), "scale: SIGINT -> exit with 100k files, max %.0f ms",
		 stop.max);
	verdict(f, what, "≤ 1000 ms", stop.max <= 1000);
}

void report_all(const struct results *res)
{
	table_ns(res);
	noise_line(res);
	table_ready_stop_rss(res);
	table_memlock(res);
	table_bpf_time(res);
	table_scale(res);
	printf("\n== the targets, from this run ==\n");
	report_targets(stdout, res);
}

void report_targets(FILE *f, const struct results *res)
{
	targets_per_call(f, res);
	targets_other(f, res);
	targets_scale(f, res);
	fprintf(f, "  verifier instructions per program: not measured here"
		   " (make check-verifier-logs)\n");
}
