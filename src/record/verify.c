// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace debug verify DIR` (hidden): load every production program through
 * our own loader at verifier log level 2 with statistics, and write
 * DIR/<prog>.log (normalised: no kernel pointers, map ids or timings),
 * DIR/summary.tsv, and the timings apart in DIR/times.tsv (they differ from
 * run to run).  `make verifier-logs` calls it; the loaded programs are
 * exactly the ones a trace loads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"
#include "loader.h"
#include "iotrace.skel.h"

struct prog_stats {
	unsigned long processed, max_states, total_states, peak_states, verify_us;
	char stack[64];
};

static void parse_stats(const char *log, struct prog_stats *s)
{
	const char *p;

	memset(s, 0, sizeof(*s));
	strcpy(s->stack, "-");
	/* the statistics line; newer kernels also print an "insns processed N" line before it */
	for (p = strstr(log, "processed "); p; p = strstr(p + 1, "processed "))
		if (sscanf(p,
			   "processed %lu insns (limit %*u) max_states_per_insn %lu "
			   "total_states %lu peak_states %lu",
			   &s->processed, &s->max_states, &s->total_states, &s->peak_states) == 4)
			break;
	p = strstr(log, "stack depth ");
	if (p)
		sscanf(p, "stack depth %63s", s->stack);
	p = strstr(log, "verification time ");
	if (p)
		sscanf(p, "verification time %lu usec", &s->verify_us);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static size_t hex_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_hex(s[i]))
		i++;
	return i;
}

/* Copy one log line, replacing kernel pointers (0xffff + 12 hex digits) and map ids. */
static void write_normalised_line(FILE *f, const char *l, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (n - i >= 18 && !strncmp(l + i, "0xffff", 6) &&
		    hex_run(l + i + 2, n - i - 2) == 16) {
			fputs("<ptr>", f);
			i += 18;
		} else if (n - i > 7 && !strncmp(l + i, "map[id:", 7)) {
			size_t j = i + 7;

			while (j < n && l[j] >= '0' && l[j] <= '9')
				j++;
			fputs("map[id:*", f);
			i = j;
		} else {
			fputc(l[i++], f);
		}
	}
	fputc('\n', f);
}

static int write_log(const char *dir, const char *name, const char *log)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	f = fopen(path, "w");
	if (!f) {
		pr_warn("verifier log '%s': %s", path, strerror(errno));
		return -errno;
	}
	while (*log) {
		size_t n = strcspn(log, "\n");

		if (strncmp(log, "verification time", 17))
			write_normalised_line(f, log, n);
		log += n + (log[n] == '\n');
	}
	if (fclose(f)) {
		pr_warn("verifier log '%s': %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t path_sz)
{
	FILE *f;

	snprintf(path, path_sz, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		pr_warn("verifier summary '%s': %s", path, strerror(errno));
	return f;
}

/* summary.tsv: the verifier's work per program; times.tsv: its time and the whole load's */
static int write_summary(struct obj *o, const char *dir, uint64_t load_ns)
{
	char path[4096];
	FILE *f = open_in(dir, "summary.tsv", path, sizeof(path)), *t;

	if (!f)
		return -errno;
	t = open_in(dir, "times.tsv", path, sizeof(path));
	if (!t) {
		fclose(f);
		return -errno;
	}
	fprintf(f, "program\tsection\tinsns\tprocessed\ttotal_states\tpeak_states\t"
		   "max_states_per_insn\tstack_depth\tloaded_as\n");
	fprintf(t, "program\tverify_us\n");
	for (size_t i = 0; i < obj__prog_cnt(o); i++) {
		struct prog *p = obj__prog(o, i);
		struct prog_stats s;

		parse_stats(prog__log(p) ? prog__log(p) : "", &s);
		fprintf(f, "%s\t%s\t%zu\t%lu\t%lu\t%lu\t%lu\t%s\t%s\n", prog__name(p),
			prog__section(p), prog__insn_cnt(p), s.processed, s.total_states,
			s.peak_states, s.max_states, s.stack,
			prog__twin(p) ? prog__name(prog__twin(p)) : "-");
		if (!prog__twin(p))
			fprintf(t, "%s\t%lu\n", prog__name(p), s.verify_us);
	}
	fprintf(t, "(load)\t%llu\n", (unsigned long long)(load_ns / 1000));
	return fclose(t) | fclose(f) ? -EIO : 0;
}

int verify_run(const char *dir)
{
	struct obj_load_opts lo = { .sz = sizeof(lo), .log_level = 2, .log_max_sz = 1 << 20 };
	/* a fixed self tgid keeps the logs identical from run to run */
	struct iot_config cfg = { .self_tgid = 1, .filter_mode = FILTER_PIDS };
	struct iotrace_skel s = { 0 };
	struct obj *o;
	uint64_t t0, load_ns;
	int err;

	err = objects_open(&s, NULL, 0, NULL);
	o = s.obj;
	err = err ?: iotrace_skel__set_iot_cfg(&s, &cfg);
	/* as a trace loads them */
	if (!err && !objects_can_count_faults())
		prog__set_autoload(s.progs.mapped_fault, false);
	if (!err)
		objects_choose_loops(&s);
	t0 = mono_ns();
	err = err ?: obj__load(o, &lo);
	load_ns = mono_ns() - t0;
	for (size_t i = 0; !err && i < obj__prog_cnt(o); i++) {
		struct prog *p = obj__prog(o, i);
		const struct prog *twin = prog__twin(p);
		char note[256];

		/* a twin was not verified on its own: point at the log that covers it */
		if (twin)
			snprintf(note, sizeof(note),
				 "the same instructions as %s: loaded once, as %s; see %s.log\n",
				 prog__name(twin), prog__name(twin), prog__name(twin));
		if (prog__fd(p) < 0)
			snprintf(note, sizeof(note),
				 "not loaded: a trace does not load it on this kernel\n");
		err = write_log(dir, prog__name(p),
				twin || prog__fd(p) < 0 ? note
				: prog__log(p)		? prog__log(p)
							: "");
	}
	err = err ?: write_summary(o, dir, load_ns);
	objects_close(o);
	return err;
}
