// SPDX-License-Identifier: GPL-2.0
/*
 * Every production program loads through our loader on this kernel, and the
 * verifier's work on it (instructions processed) has not grown by more than
 * 10% against verifier-logs/<arch>/<release>/summary.tsv, when logs for
 * this kernel are committed: its own release, else the newest one of the
 * same version (6.18.44-*, the same source built again).  Regenerate them
 * with `make verifier-logs`.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "bpf_test.h"
#include "iotrace_abi.h"
#include "loader.h"

/* the objects iotrace embeds (src/record/embed.S), as built in OUT_DIR */
static const char *const prod_objs[] = {
	"bpf/rw.bpf.o", "bpf/task.bpf.o", "asm/hist.o", "asm/seq.o", "asm/filter.o",
};
#define PROD_OBJ_CNT (sizeof(prod_objs) / sizeof(prod_objs[0]))

struct loaded {
	struct obj *obj;
	void *bufs[PROD_OBJ_CNT];
	size_t left_out_cnt; /* programs this kernel does not take, as a trace leaves them out */
	const char *left_out[4];
};

static void leave_out(struct loaded *l, const char *name)
{
	prog__set_autoload(obj__find_prog(l->obj, name), false);
	l->left_out[l->left_out_cnt++] = name;
}

static bool left_out(const struct loaded *l, const struct prog *p)
{
	for (size_t i = 0; i < l->left_out_cnt; i++)
		if (!strcmp(l->left_out[i], prog__name(p)))
			return true;
	return false;
}

static void *slurp(const char *rel, size_t *sz)
{
	char path[4096];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", OUT_DIR, rel);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s (run make bpf)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*sz = (size_t)n;
	return buf;
}

/* Open and load like `iotrace -p PID` does, with a level-1 log for the stats. */
static void load_production(struct loaded *l, uint32_t mode, const struct obj_open_opts *open_opts)
{
	struct obj_src srcs[PROD_OBJ_CNT];
	struct iot_config cfg = { .self_tgid = 1, .filter_mode = mode };
	struct obj_load_opts opts = { .sz = sizeof(opts), .log_level = 1 };
	bool loop;

	for (size_t i = 0; i < PROD_OBJ_CNT; i++) {
		srcs[i].name = prod_objs[i];
		srcs[i].data = l->bufs[i] = slurp(prod_objs[i], &srcs[i].size);
	}
	cr_assert_eq(obj__open_mem(&l->obj, srcs, PROD_OBJ_CNT, open_opts), 0, "%s",
		     test_loader_messages());
	cr_assert_eq(obj__set_global(l->obj, "iot_cfg", &cfg, sizeof(cfg)), 0);
	/* as src/record/record.c: a kernel has one of the two io_uring submission events */
	prog__set_optional(obj__find_prog(l->obj, "uring_submit_req"), true);
	prog__set_optional(obj__find_prog(l->obj, "uring_submit_sqe"), true);
	prog__set_optional(obj__find_prog(l->obj, "uring_complete"), true);
	/* and page faults only where the kernel has bpf_find_vma */
	prog__set_optional(obj__find_prog(l->obj, "mapped_fault"), true);
	l->left_out_cnt = 0;
	if (loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma) != 1)
		leave_out(l, "mapped_fault");
	/* and Linux AIO's loops where it has bpf_loop, its steps elsewhere */
	loop = loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop) == 1;
	leave_out(l, loop ? "aio_submit_step" : "aio_submit_loop");
	leave_out(l, loop ? "aio_done_step" : "aio_done_loop");
	cr_assert_eq(obj__load(l->obj, &opts), 0, "load failed: %s", test_loader_messages());
}

static void unload(struct loaded *l)
{
	obj__close(l->obj);
	for (size_t i = 0; i < PROD_OBJ_CNT; i++)
		free(l->bufs[i]);
}

static unsigned long processed_of(const char *log)
{
	const char *p = log ? strstr(log, "processed ") : NULL;
	unsigned long n = 0;

	if (p)
		sscanf(p, "processed %lu insns", &n);
	return n;
}

/* the committed summary for this kernel (see above); NULL when none */
static FILE *committed_summary(void)
{
	char path[4096], best[256] = "", dir[512];
	size_t ver;
	struct utsname u;
	struct dirent *de;
	DIR *d;
	FILE *f;

	uname(&u);
	snprintf(path, sizeof(path), "%s/verifier-logs/%s/%s/summary.tsv", SRC_DIR, u.machine,
		 u.release);
	f = fopen(path, "r");
	if (f)
		return f;
	ver = strcspn(u.release, "-");
	snprintf(dir, sizeof(dir), "%s/verifier-logs/%s", SRC_DIR, u.machine);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, u.release, ver) && de->d_name[ver] == '-' &&
		    strverscmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	if (d)
		closedir(d);
	if (!best[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/%s/summary.tsv", dir, best);
	return fopen(path, "r");
}

/* processed insns of prog in the committed summary; 0 when not there */
static unsigned long committed_processed(const char *prog, int *have_logs)
{
	char line[1024], name[256];
	unsigned long n, found = 0;
	FILE *f = committed_summary();

	*have_logs = f != NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %*s %*u %lu", name, &n) == 2 && !strcmp(name, prog))
			found = n;
	fclose(f);
	return found;
}

Test(verifier, every_program_loads_in_each_filter_mode)
{
	static const uint32_t modes[] = { FILTER_ALL, FILTER_PIDS, FILTER_PIDS | FILTER_COMMS };

	require_bpf();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct loaded l;

		load_production(&l, modes[m], test_open_opts());
		cr_assert_gt(obj__prog_cnt(l.obj), 2 * SC_aio_pread, "mode %u: %zu programs",
			     modes[m], obj__prog_cnt(l.obj));
		for (size_t i = 0; i < obj__prog_cnt(l.obj); i++)
			if (!left_out(&l, obj__prog(l.obj, i)))
				cr_expect_geq(prog__fd(obj__prog(l.obj, i)), 0,
					      "mode %u: %s not loaded", modes[m],
					      prog__name(obj__prog(l.obj, i)));
		unload(&l);
	}
}

Test(verifier, processed_insns_within_10_percent_of_committed_logs)
{
	struct loaded l;
	int have_logs = 0;

	require_bpf();
	load_production(&l, FILTER_PIDS, test_open_opts());
	for (size_t i = 0; i < obj__prog_cnt(l.obj); i++) {
		struct prog *p = obj__prog(l.obj, i);
		unsigned long now, then;

		if (left_out(&l, p))
			continue;
		now = processed_of(prog__log(p));
		then = committed_processed(prog__name(p), &have_logs);
		cr_assert_gt(now, 0, "%s: no 'processed N insns' in the log", prog__name(p));
		if (!have_logs)
			break;
		cr_expect_neq(then, 0, "%s: not in the committed summary (make verifier-logs)",
			      prog__name(p));
		cr_expect_leq(now * 10, then * 11, "%s: %lu insns processed, committed %lu (>10%%)",
			      prog__name(p), now, then);
	}
	unload(&l);
	if (!have_logs)
		cr_log_info("no verifier-logs for this kernel: only loading was checked");
}

/* this process's fds whose /proc/self/fd link is exactly target */
static size_t fds_linked_to(const char *target)
{
	char path[300], link[256];
	struct dirent *de;
	size_t n = 0;
	ssize_t len;
	DIR *d = opendir("/proc/self/fd");

	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		n += !strcmp(link, target);
	}
	closedir(d);
	return n;
}

static size_t progs_in_sections(struct obj *o, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < obj__prog_cnt(o); i++)
		n += !strncmp(prog__section(obj__prog(o, i)), prefix, strlen(prefix));
	return n;
}

/*
 * links__destroy closes the attachments from many threads at once: after
 * it, none of the perf events (one per tracepoint program) or raw
 * tracepoint links (one per raw_tracepoint program) that obj__attach opened
 * is left.  Of the two io_uring submission programs, optional, exactly one
 * finds its event in a kernel (the event was renamed): the other is left
 * out, not an error.
 */
Test(attach, detach_closes_every_attachment_of_the_production_set)
{
	const char *perf = "anon_inode:[perf_event]", *link = "anon_inode:bpf_link";
	size_t perf0 = fds_linked_to(perf), link0 = fds_linked_to(link), tps, raws;
	struct links *ls;
	struct loaded l;
	int err;

	require_bpf();
	load_production(&l, FILTER_PIDS, test_open_opts());
	tps = progs_in_sections(l.obj, "tracepoint/");
	raws = progs_in_sections(l.obj, "raw_tracepoint/");
	cr_assert_gt(tps, 2 * SC_aio_pread - 1, "%zu tracepoint programs", tps);
	err = obj__attach(l.obj, &ls);
	cr_assert_eq(err, 0, "attach: %s: %s", strerror(-err), test_loader_messages());
	cr_assert_neq(prog__attached(obj__find_prog(l.obj, "uring_submit_req")),
		      prog__attached(obj__find_prog(l.obj, "uring_submit_sqe")),
		      "one io_uring submission program attached");
	tps--;
	cr_assert_eq(fds_linked_to(perf), perf0 + tps, "perf events after attach");
	cr_assert_eq(fds_linked_to(link), link0 + raws, "raw tracepoint links after attach");
	cr_assert_eq(links__cnt(ls), tps + raws);
	links__destroy(ls);
	cr_expect_eq(fds_linked_to(perf), perf0, "perf events left after detach");
	cr_expect_eq(fds_linked_to(link), link0, "raw tracepoint links left after detach");
	unload(&l);
}

/*
 * Maps are created from two threads (loader/maps.c): when several are
 * refused, the user still reads one message, for the first of them in map
 * order, as when they were created one after the other.
 */
Test(maps, refused_maps_give_one_message_for_the_first)
{
	static const char *const refused[] = { "files", "scstats", "syncstats" };
	struct obj_src srcs[PROD_OBJ_CNT];
	const char *msgs, *first = NULL, *p;
	struct loaded l = { 0 };
	size_t n = 0;

	require_bpf();
	for (size_t i = 0; i < PROD_OBJ_CNT; i++) {
		srcs[i].name = prod_objs[i];
		srcs[i].data = l.bufs[i] = slurp(prod_objs[i], &srcs[i].size);
	}
	cr_assert_eq(obj__open_mem(&l.obj, srcs, PROD_OBJ_CNT, test_open_opts()), 0, "%s",
		     test_loader_messages());
	/* 0 entries: EINVAL from every kernel */
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		cr_assert_eq(obj__set_max_entries(l.obj, refused[i], 0), 0);
	for (size_t i = 0; i < obj__map_cnt(l.obj) && !first; i++)
		for (size_t j = 0; j < sizeof(refused) / sizeof(refused[0]); j++)
			if (!strcmp(map__name(obj__map(l.obj, i)), refused[j]))
				first = refused[j];
	cr_assert_not_null(first);
	test_capture_messages();
	cr_assert_lt(obj__load(l.obj, NULL), 0, "maps of 0 entries were created");
	msgs = test_loader_messages();
	for (p = msgs; (p = strstr(p, "cannot create")); p++)
		n++;
	cr_expect_eq(n, 1, "messages: %s", msgs);
	cr_expect(strstr(msgs, first) && strstr(msgs, "cannot create"), "not about '%s': %s", first,
		  msgs);
	unload(&l);
}

/*
 * The loader creates maps and loads programs on several threads, which all
 * print (a debug line per program loaded): a callback that is not
 * thread-safe (a realloc'ed buffer, as the tests' own) must still never be
 * entered twice at once.  Each call stays inside for 2 ms so that an
 * overlap, when the loader allows one, is all but certain to show; the
 * callers' thread ids show that several threads did print.
 */
static int print_inside, print_overlaps, print_calls;
static pid_t print_tids[2];

static void slow_print(enum loader_level level, const char *msg, void *ctx)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)level;
	(void)msg;
	(void)ctx;
	if (__atomic_add_fetch(&print_inside, 1, __ATOMIC_SEQ_CST) > 1)
		__atomic_add_fetch(&print_overlaps, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&print_tids[0], __ATOMIC_SEQ_CST))
		__atomic_store_n(&print_tids[0], tid, __ATOMIC_SEQ_CST);
	else if (tid != __atomic_load_n(&print_tids[0], __ATOMIC_SEQ_CST))
		__atomic_store_n(&print_tids[1], tid, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&print_calls, 1, __ATOMIC_SEQ_CST);
	usleep(2000);
	__atomic_sub_fetch(&print_inside, 1, __ATOMIC_SEQ_CST);
}

Test(loader, print_callback_is_never_entered_twice_at_once)
{
	const struct obj_open_opts slow_opts = { .sz = sizeof(slow_opts), .print = slow_print };
	struct loaded l;

	require_bpf();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		cr_skip_test("one CPU: the loader loads on one thread");
	load_production(&l, FILTER_PIDS, &slow_opts);
	unload(&l);
	cr_assert_gt(print_calls, 10, "only %d messages", print_calls);
	cr_assert_neq(print_tids[1], 0, "every message came from one thread (%d)", print_tids[0]);
	cr_expect_eq(print_overlaps, 0,
		     "%d of %d messages entered the callback while another was in it",
		     print_overlaps, print_calls);
}
