// SPDX-License-Identifier: GPL-2.0
/*
 * Faults lose nothing: SIGINT, SIGTERM and SIGHUP at three moments of a
 * trace, a crashed or killed command, a full disk under the result, two
 * tracers at once, a tracer killed with SIGKILL (no BPF program, map or
 * tracefs mount left), and byte counters past 4 GiB.  The workload is
 * tests/e2e/tools/faultload.c; it publishes how many calls have returned
 * through a shared mapping, which is what makes the bounds below provable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "e2e.h"
#include "expect.h"
#include "format/jsonr.h"

#define FAULTLOAD OUT_DIR "/tests/e2e/faultload"
#define DATA_SZ	  65536

static char *tdir;
/* [0] calls returned, [1] workload pid, [2] set by the test: spinexit may exit */
static volatile uint64_t *progress;
static pid_t tracer = -1;
static char mounted[2][4096];

static char *in_dir(const char *rel)
{
	return e2e_join(tdir, rel);
}

static void kill_workload(void)
{
	pid_t wl = progress ? (pid_t)progress[1] : 0;

	if (wl > 0) {
		kill(wl, SIGCONT);
		kill(wl, SIGKILL);
	}
}

static void teardown(void)
{
	if (tracer > 0) {
		kill(tracer, SIGKILL);
		waitpid(tracer, NULL, 0);
	}
	kill_workload();
	for (int i = 0; i < 2; i++)
		if (mounted[i][0])
			umount2(mounted[i], MNT_DETACH);
	if (progress)
		munmap((void *)progress, 4096);
	progress = NULL;
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

/* a fresh directory with DIR/data and the shared DIR/progress */
static void setup_dir(void)
{
	int fd;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(in_dir("data"), DATA_SZ, 'd'), 0);
	cr_assert_eq(e2e_make_file(in_dir("progress"), 4096, 0), 0);
	fd = open(in_dir("progress"), O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq((void *)progress, MAP_FAILED);
	close(fd);
}

static uint64_t calls_done(void)
{
	return __atomic_load_n(&progress[0], __ATOMIC_ACQUIRE);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* poll cond for up to ms milliseconds */
#define WAIT_FOR(cond, ms)                                                                         \
	({                                                                                         \
		long long _end = now_ms() + (ms);                                                  \
		while (!(cond) && now_ms() < _end)                                                 \
			usleep(1000);                                                              \
		(cond);                                                                            \
	})

/* iotrace -q -o DIR/<out> [extra...] -- faultload DIR MODE N, in the background */
static pid_t start_trace(const char *out, const char *mode, const char *n)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-o", in_dir(out), "--",
			       FAULTLOAD,   tdir, mode, n,	     NULL };
	pid_t pid = e2e_spawn((char *const *)argv, in_dir("iotrace.err"));

	cr_assert_gt(pid, 0, "spawn iotrace");
	return pid;
}

static int finish_trace(pid_t pid)
{
	int st = e2e_wait(pid, 60);

	if (pid == tracer)
		tracer = -1;
	return st;
}

static char *tracer_err(void)
{
	static char *err;
	size_t len;

	free(err);
	if (e2e_read_file(in_dir("iotrace.err"), &err, &len))
		err = strdup("");
	e2e_strip_attach_wait(err);
	return err;
}

/* SigBlk of /proc/pid/status has sig: iotrace blocked its end signals */
static bool signals_blocked(pid_t pid, int sig)
{
	char path[64], *text = NULL, *p;
	unsigned long long mask = 0;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (e2e_read_file(path, &text, &len))
		return false;
	p = strstr(text, "SigBlk:");
	if (p)
		mask = strtoull(p + 7, NULL, 16);
	free(text);
	return mask & (1ULL << (sig - 1));
}

/* pread64 calls on DIR/data in the validated result DIR/<out> (0 without a record) */
static uint64_t traced_preads(const char *out, const char *dir_path)
{
	struct trace t = { 0 };
	const struct jval *rec;
	char path[4096];
	uint64_t calls = 0;

	snprintf(t.out, sizeof(t.out), "%s", in_dir(out));
	trace_validate(&t);
	snprintf(path, sizeof(path), "%s/data", dir_path);
	rec = doc_record(t.doc, path);
	if (rec)
		cr_assert_eq(
			jval_u64(jval_get(jval_get(jval_get(rec, "syscalls"), "pread64"), "calls"),
				 &calls),
			0, "no syscalls.pread64.calls for %s", path);
	trace_free(&t);
	return calls;
}

/* ---- signals at three moments ---------------------------------------------- */

enum moment { AT_START, DURING_IO, DURING_IO_STOPPED, AT_EXIT };

struct sig_case {
	int sig;
	enum moment when;
};

static const char *const moment_names[] = { "right after start", "during I/O",
					    "during I/O, workload stopped",
					    "as the command exits" };

#define EXIT_CALLS 3000

ParameterizedTestParameters(robust, end_signal_writes_every_completed_call)
{
	static struct sig_case cases[] = {
		{ SIGINT, AT_START },	       { SIGTERM, AT_START },
		{ SIGHUP, AT_START },	       { SIGINT, DURING_IO },
		{ SIGTERM, DURING_IO },	       { SIGHUP, DURING_IO },
		{ SIGINT, DURING_IO_STOPPED }, { SIGTERM, DURING_IO_STOPPED },
		{ SIGHUP, DURING_IO_STOPPED }, { SIGINT, AT_EXIT },
		{ SIGTERM, AT_EXIT },	       { SIGHUP, AT_EXIT },
	};

	return cr_make_param_array(struct sig_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static bool workload_stopped(pid_t pid)
{
	char path[64], *text = NULL, *p;
	size_t len;
	bool stopped;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (e2e_read_file(path, &text, &len))
		return false;
	p = strrchr(text, ')');
	stopped = p && p[1] == ' ' && p[2] == 'T';
	free(text);
	return stopped;
}

/*
 * What is provable, with C = calls the workload had seen return when the
 * signal was sent and C' = that number once iotrace has exited:
 *  - C <= counted: each of those calls passed its sys_exit before kill(),
 *    hence before iotrace read the signal and set its stop flag;
 *  - counted <= C' + 1: nothing is counted after the flag, and the workload
 *    may have been between a counted return and its store to the counter.
 * A workload stopped (SIGSTOP, seen in /proc) before the signal makes C' = C:
 * counted is C or C + 1.  At exit, all EXIT_CALLS returned: exactly that.
 * During I/O the signal is passed on to the command, which dies of it (the
 * default action) while still traced: it is gone when iotrace has exited,
 * and counted is C' or C' + 1.
 */
ParameterizedTest(struct sig_case *c, robust, end_signal_writes_every_completed_call,
		  .fini = teardown)
{
	const char *what = moment_names[c->when];
	uint64_t before = 0, after, counted;
	pid_t wl;
	int st;

	setup_dir();
	tracer = start_trace("out.json", c->when == AT_EXIT ? "spinexit" : "spin",
			     c->when == AT_EXIT ? "3000" : "0");
	if (c->when == AT_START) {
		cr_assert(WAIT_FOR(signals_blocked(tracer, c->sig), 10000),
			  "signals never blocked");
	} else {
		cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
		if (c->when == AT_EXIT)
			cr_assert(WAIT_FOR(calls_done() == EXIT_CALLS, 30000), "workload stuck");
		else
			cr_assert(WAIT_FOR(calls_done() >= 2000, 30000), "workload stuck");
	}
	wl = (pid_t)progress[1];
	if (c->when == AT_EXIT)
		__atomic_store_n(&progress[2], 1, __ATOMIC_RELEASE); /* exit now */
	if (c->when == DURING_IO_STOPPED) {
		kill(wl, SIGSTOP);
		cr_assert(WAIT_FOR(workload_stopped(wl), 5000), "workload did not stop");
	}
	before = calls_done();
	kill(tracer, c->sig);
	st = finish_trace(tracer);
	after = calls_done();
	kill_workload();
	if (c->when == AT_EXIT)
		cr_expect(st == 0 || st == 128 + c->sig, "%s: exit %d; %s", what, st, tracer_err());
	else
		cr_expect_eq(st, 128 + c->sig, "%s: exit %d, want %d; %s", what, st, 128 + c->sig,
			     tracer_err());
	counted = traced_preads("out.json", tdir);
	cr_expect(counted >= before && counted <= after + 1,
		  "signal %d %s: %llu preads counted, %llu returned before the signal, %llu after",
		  c->sig, what, (unsigned long long)counted, (unsigned long long)before,
		  (unsigned long long)after);
	if (c->when == AT_EXIT)
		cr_expect_eq(counted, EXIT_CALLS, "at exit: %llu, want exactly %d",
			     (unsigned long long)counted, EXIT_CALLS);
	if (c->when == AT_START)
		cr_expect_eq(wl, 0, "the command ran although the trace ended before it started");
	if (c->when == DURING_IO || c->when == DURING_IO_STOPPED) {
		cr_expect(kill(wl, 0) && errno == ESRCH, "%s: the command outlived iotrace", what);
		cr_expect(counted == after || counted == after + 1,
			  "%s: %llu counted, the command made %llu calls before it died", what,
			  (unsigned long long)counted, (unsigned long long)after);
	}
}

/* ---- the end signal is passed on to the command -------------------------------- */

/* syscalls.NAME.calls of the record of DIR/rel in the validated result DIR/out.json */
static uint64_t traced_calls(const char *rel, const char *name)
{
	struct trace t = { 0 };
	const struct jval *rec;
	uint64_t calls = 0;

	snprintf(t.out, sizeof(t.out), "%s", in_dir("out.json"));
	trace_validate(&t);
	rec = doc_record(t.doc, in_dir(rel));
	if (rec)
		cr_assert_eq(jval_u64(jval_get(jval_get(jval_get(rec, "syscalls"), name), "calls"),
				      &calls),
			     0, "no syscalls.%s.calls for %s", name, rel);
	trace_free(&t);
	return calls;
}

/* ms from the signal until iotrace has written its result (renamed into place) */
static long long ms_until_result(long long signalled_ms)
{
	struct stat st;

	cr_assert(WAIT_FOR(!stat(in_dir("out.json"), &st), 30000), "no result written");
	return now_ms() - signalled_ms;
}

#define SHUTDOWN_WRITES 7

/*
 * kill -TERM of iotrace alone (not its process group): the command gets the
 * signal, its clean-up I/O is still traced, and its exit status is iotrace's.
 */
Test(robust, an_end_signal_reaches_the_command_and_its_cleanup_is_counted, .fini = teardown)
{
	char n[16];
	uint64_t before, after, preads;
	int st;

	setup_dir();
	snprintf(n, sizeof(n), "%d", SHUTDOWN_WRITES);
	tracer = start_trace("out.json", "graceful", n);
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	cr_assert(WAIT_FOR(calls_done() >= 2000, 30000), "workload stuck");
	before = calls_done();
	kill(tracer, SIGTERM);
	st = finish_trace(tracer);
	after = calls_done();
	cr_expect_eq(st, 3, "exit %d, want the command's 3; %s", st, tracer_err());
	cr_expect(kill((pid_t)progress[1], 0) && errno == ESRCH, "the command outlived iotrace");
	cr_expect_eq(traced_calls("shutdown", "pwrite64"), SHUTDOWN_WRITES,
		     "the command's clean-up writes after the signal were not all counted");
	preads = traced_calls("data", "pread64");
	cr_expect(preads >= before && (preads == after || preads == after + 1),
		  "%llu preads counted: %llu returned before the signal, %llu in all",
		  (unsigned long long)preads, (unsigned long long)before,
		  (unsigned long long)after);
}

/*
 * Ctrl-C typed at iotrace's terminal: the kernel sends SIGINT to the whole
 * foreground process group, the command included, so iotrace must not send
 * it a second one (many programs take a second Ctrl-C as "quit at once").
 * iotrace runs as the session leader of a pseudo-terminal; the command
 * counts every SIGINT for 300 ms after the first and exits 3.
 */
Test(robust, ctrl_c_at_the_terminal_reaches_the_command_once, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-o",	      NULL,  "--",
			       FAULTLOAD,   NULL, "countsig", "300", NULL };
	char *slave = NULL;
	int master, st;

	setup_dir();
	argv[3] = in_dir("out.json");
	argv[6] = tdir;
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(master, 0, "posix_openpt: %s", strerror(errno));
	cr_assert(!grantpt(master) && !unlockpt(master), "pty: %s", strerror(errno));
	slave = ptsname(master);
	cr_assert_not_null(slave, "ptsname: %s", strerror(errno));
	tracer = fork();
	cr_assert_geq(tracer, 0);
	if (!tracer) {
		int s;

		/* a new session whose controlling terminal is the pty's slave */
		if (setsid() < 0 || (s = open(slave, O_RDWR)) < 0)
			_exit(126);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	cr_assert(WAIT_FOR(calls_done() >= 100, 30000), "workload stuck");
	cr_assert_eq(write(master, "\x03", 1), 1, "typing ^C: %s", strerror(errno));
	st = finish_trace(tracer);
	close(master);
	cr_expect_eq(st, 3, "exit %d, want the command's 3", st);
	cr_expect_eq(__atomic_load_n(&progress[4], __ATOMIC_ACQUIRE), 1,
		     "the command got %llu SIGINTs for one ^C", (unsigned long long)progress[4]);
	cr_expect_eq(access(in_dir("out.json"), F_OK), 0, "no result document");
}

/*
 * A command that ignores the signal is traced for the grace period (3 s),
 * then killed: nothing lingers untraced, and iotrace exits 128+signal.  A
 * second signal ends the trace at once.
 */
ParameterizedTestParameters(robust, a_command_deaf_to_the_signal_is_killed_after_a_grace_period)
{
	static int second[] = { 0, SIGINT };

	return cr_make_param_array(int, second, 2);
}

ParameterizedTest(int *second, robust, a_command_deaf_to_the_signal_is_killed_after_a_grace_period,
		  .fini = teardown)
{
	uint64_t before, after, counted;
	long long sent, took;
	pid_t wl;
	int st;

	setup_dir();
	tracer = start_trace("out.json", "deaf", "0");
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	cr_assert(WAIT_FOR(calls_done() >= 2000, 30000), "workload stuck");
	wl = (pid_t)progress[1];
	before = calls_done();
	sent = now_ms();
	kill(tracer, SIGTERM);
	if (*second) {
		usleep(300000);
		kill(tracer, *second);
	}
	took = ms_until_result(sent);
	st = finish_trace(tracer);
	after = calls_done();
	cr_expect_eq(st, 128 + SIGTERM, "exit %d; %s", st, tracer_err());
	cr_expect(kill(wl, 0) && errno == ESRCH, "the deaf command outlived iotrace");
	if (*second)
		cr_expect_lt(took, 2900, "a second signal: result after %lld ms, not at once",
			     took);
	else
		cr_expect_geq(took, 2900, "result after %lld ms: the command got no grace", took);
	counted = traced_preads("out.json", tdir);
	cr_expect(counted >= before && counted <= after + 1,
		  "%llu preads counted, %llu returned before the signal, %llu in all",
		  (unsigned long long)counted, (unsigned long long)before,
		  (unsigned long long)after);
}

/* After -d the command runs on untraced, iotrace waiting for it: a signal still reaches it. */
Test(robust, after_the_duration_an_end_signal_still_reaches_the_command, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "-q",      "-d", "500ms", "-o", NULL,
			       "--",	    FAULTLOAD, NULL, "spin",  "0",  NULL };
	uint64_t at_end;
	pid_t wl;
	int st;

	setup_dir();
	argv[5] = in_dir("out.json");
	argv[8] = tdir;
	tracer = e2e_spawn((char *const *)argv, in_dir("iotrace.err"));
	cr_assert_gt(tracer, 0);
	ms_until_result(now_ms());
	at_end = traced_preads("out.json", tdir);
	wl = (pid_t)progress[1];
	cr_assert(wl > 0 && !kill(wl, 0), "the command should still run after -d");
	cr_assert(WAIT_FOR(calls_done() > at_end + 1000, 30000), "workload stuck");
	kill(tracer, SIGTERM);
	st = finish_trace(tracer);
	cr_expect_eq(st, 128 + SIGTERM, "exit %d; %s", st, tracer_err());
	cr_expect(kill(wl, 0) && errno == ESRCH, "the command outlived iotrace");
	cr_expect_eq(traced_preads("out.json", tdir), at_end, "the result changed after -d");
}

/* ---- the command crashes or is killed ----------------------------------------- */

Test(robust, a_crashing_command_is_counted_and_passed_on_as_128_plus_signal, .fini = teardown)
{
	int st;

	setup_dir();
	tracer = start_trace("out.json", "crash", "500");
	st = finish_trace(tracer);
	cr_expect_eq(st, 128 + SIGSEGV, "exit %d, want %d; %s", st, 128 + SIGSEGV, tracer_err());
	cr_expect_eq(traced_preads("out.json", tdir), 500);
}

Test(robust, a_command_killed_from_outside_is_counted_to_its_last_call, .fini = teardown)
{
	uint64_t counted, last;
	int st;

	setup_dir();
	tracer = start_trace("out.json", "spin", "0");
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	cr_assert(WAIT_FOR(calls_done() >= 2000, 30000), "workload stuck");
	kill((pid_t)progress[1], SIGKILL);
	st = finish_trace(tracer);
	last = calls_done();
	cr_expect_eq(st, 128 + SIGKILL, "exit %d; %s", st, tracer_err());
	/* the last pread may have returned (and been counted) before the counter store */
	counted = traced_preads("out.json", tdir);
	cr_expect(counted == last || counted == last + 1, "%llu counted, workload saw %llu",
		  (unsigned long long)counted, (unsigned long long)last);
}

/* ---- the disk fills while the result is written ---------------------------------- */

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

Test(robust, a_full_disk_leaves_no_partial_result, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-o",	  NULL, "--",
			       FAULTLOAD,   NULL, "many", "80", NULL };
	struct e2e_proc p;

	setup_dir();
	/* 8 KiB: the result of 80 files (about 90 KB of JSON) cannot fit */
	snprintf(mounted[0], sizeof(mounted[0]), "%s", in_dir("small"));
	cr_assert_eq(mkdir(mounted[0], 0755), 0);
	cr_assert_eq(mount("tmpfs", mounted[0], "tmpfs", 0, "size=8k"), 0, "mount: %s",
		     strerror(errno));
	argv[3] = in_dir("small/out.json");
	argv[6] = tdir;
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_expect_eq(p.status, 1, "exit %d, want 1; %s", p.status, p.err);
	cr_expect(strstr(p.err, "iotrace: output '") && strstr(p.err, "No space left on device"),
		  "stderr: %s", p.err);
	cr_expect_eq(count_entries(mounted[0]), 0, "the full directory is not empty");
	e2e_proc_free(&p);
}

/* ---- two tracers at once ---------------------------------------------------------- */

Test(robust, two_tracers_at_once_see_only_their_own_command, .fini = teardown)
{
	char a[4096], b[4096];
	pid_t ta, tb;
	int sa, sb;
	const char *argv_b[] = { E2E_IOTRACE, "-q", "-o",   NULL,   "--",
				 FAULTLOAD,   NULL, "spin", "4000", NULL };
	char *dir_b;

	setup_dir();
	dir_b = e2e_tmpdir(tdir);
	snprintf(a, sizeof(a), "%s", tdir);
	snprintf(b, sizeof(b), "%s", dir_b);
	{
		char p[4200];

		snprintf(p, sizeof(p), "%s/data", b);
		cr_assert_eq(e2e_make_file(p, DATA_SZ, 'b'), 0);
		snprintf(p, sizeof(p), "%s/progress", b);
		cr_assert_eq(e2e_make_file(p, 4096, 0), 0);
	}
	argv_b[3] = in_dir("b.json");
	argv_b[6] = b;
	ta = start_trace("a.json", "spin", "3000");
	tb = e2e_spawn((char *const *)argv_b, in_dir("b.err"));
	cr_assert_gt(tb, 0);
	sa = e2e_wait(ta, 60);
	sb = e2e_wait(tb, 60);
	cr_assert_eq(sa, 0, "first iotrace: exit %d; %s", sa, tracer_err());
	cr_assert_eq(sb, 0, "second iotrace: exit %d", sb);
	cr_expect_eq(traced_preads("a.json", a), 3000);
	cr_expect_eq(traced_preads("b.json", b), 4000);
	/* and neither saw the other's file */
	cr_expect_eq(traced_preads("a.json", b), 0, "a traced b's file");
	cr_expect_eq(traced_preads("b.json", a), 0, "b traced a's file");
	free(dir_b);
}

/* ---- SIGKILL leaves the kernel clean ------------------------------------------------ */

/* every id of BPF_{PROG,MAP}_GET_NEXT_ID, raw bpf(2) */
static size_t bpf_ids(int cmd, uint32_t *ids, size_t cap)
{
	union bpf_attr attr;
	uint32_t id = 0;
	size_t n = 0;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (syscall(SYS_bpf, cmd, &attr, sizeof(attr)))
			break;
		id = attr.next_id;
		if (n < cap)
			ids[n++] = id;
	}
	return n;
}

static bool id_in(uint32_t id, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* prog_id / map_id of pid's BPF fds, from /proc/PID/fdinfo */
static size_t held_ids(pid_t pid, const char *key, uint32_t *ids, size_t cap)
{
	char dir[64], path[384], *text;
	struct dirent *de;
	size_t n = 0, len;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		const char *p;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || e2e_read_file(path, &text, &len))
			continue;
		p = strstr(text, key);
		if (p && n < cap && !id_in((uint32_t)strtoul(p + strlen(key), NULL, 10), ids, n))
			ids[n++] = (uint32_t)strtoul(p + strlen(key), NULL, 10);
		free(text);
	}
	closedir(d);
	return n;
}

static int tracefs_mounts(void)
{
	char *text, *p;
	size_t len;
	int n = 0;

	cr_assert_eq(e2e_read_file("/proc/self/mountinfo", &text, &len), 0);
	for (p = text; (p = strstr(p, " - tracefs ")); p++)
		n++;
	free(text);
	return n;
}

#define MAX_IDS 4096

/* none of ids (of cmd's kind) is left, within 10 s (programs go after an RCU grace period) */
static bool all_gone(int cmd, const uint32_t *ids, size_t n)
{
	static uint32_t now[MAX_IDS];
	long long end = now_ms() + 10000;

	do {
		size_t m = bpf_ids(cmd, now, MAX_IDS), left = 0;

		for (size_t i = 0; i < n; i++)
			left += id_in(ids[i], now, m);
		if (!left)
			return true;
		usleep(20000);
	} while (now_ms() < end);
	return false;
}

/* a trace of a spinning workload, attached, and the program and map ids it holds */
static void trace_holding(uint32_t *progs, size_t *np, uint32_t *maps, size_t *nm)
{
	setup_dir();
	tracer = start_trace("out.json", "spin", "0");
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	*np = held_ids(tracer, "prog_id:", progs, MAX_IDS);
	*nm = held_ids(tracer, "map_id:", maps, MAX_IDS);
	cr_assert_geq(*np, 5, "iotrace holds %zu programs", *np);
	cr_assert_gt(*nm, 5, "iotrace holds %zu maps", *nm);
}

Test(robust, sigkill_of_the_tracer_leaves_no_program_map_or_mount, .fini = teardown)
{
	static uint32_t progs[MAX_IDS], maps[MAX_IDS], all[MAX_IDS];
	size_t np, nm, before;
	int mounts = tracefs_mounts(), st;

	trace_holding(progs, &np, maps, &nm);
	/* the enumeration sees them while iotrace runs */
	cr_assert_gt(before = bpf_ids(BPF_PROG_GET_NEXT_ID, all, MAX_IDS), 0);
	cr_assert(id_in(progs[0], all, before), "prog id %u not listed", progs[0]);
	kill(tracer, SIGKILL);
	st = finish_trace(tracer);
	kill_workload();
	cr_expect_eq(st, 128 + SIGKILL);
	cr_expect(all_gone(BPF_PROG_GET_NEXT_ID, progs, np),
		  "programs of the killed iotrace remain");
	cr_expect(all_gone(BPF_MAP_GET_NEXT_ID, maps, nm), "maps of the killed iotrace remain");
	cr_expect_eq(tracefs_mounts(), mounts, "a tracefs mount was left behind");
}

/*
 * A normal end hands the attachments to a child that closes them after
 * iotrace has exited (src/record/detach.c): they must still
 * all go, with the maps, and the document be complete before.
 */
Test(robust, after_a_normal_end_every_program_and_map_goes, .fini = teardown)
{
	static uint32_t progs[MAX_IDS], maps[MAX_IDS];
	size_t np, nm;
	int st;

	trace_holding(progs, &np, maps, &nm);
	kill(tracer, SIGTERM);
	st = finish_trace(tracer);
	kill_workload();
	cr_expect_eq(st, 128 + SIGTERM, "%s", tracer_err());
	cr_expect_eq(access(in_dir("out.json"), F_OK), 0, "no result document");
	cr_expect(all_gone(BPF_PROG_GET_NEXT_ID, progs, np),
		  "programs of the finished iotrace remain");
	cr_expect(all_gone(BPF_MAP_GET_NEXT_ID, maps, nm), "maps of the finished iotrace remain");
}

/* ---- 64-bit counters ------------------------------------------------------------------ */

Test(robust, bytes_past_4_gib_are_exact, .fini = teardown, .timeout = 120)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-o", NULL, "--", FAULTLOAD, NULL, "big", NULL };
	const struct jval *rec, *preadv;
	struct trace t = { 0 };
	uint64_t bytes = 0, calls = 0, sc_bytes = 0, done, total;
	struct e2e_proc p;
	int fd;

	setup_dir();
	fd = open(in_dir("sparse"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 8LL << 30), 0, "8 GiB sparse file: %s", strerror(errno));
	close(fd);
	argv[3] = in_dir("out.json");
	argv[6] = tdir;
	cr_assert_eq(e2e_run((char *const *)argv, 110, &p), 0);
	cr_assert_eq(p.status, 0, "exit %d: %s", p.status, p.err);
	cr_assert_eq(sscanf(strstr(p.out, "done ") ?: "", "done %llu", (unsigned long long *)&done),
		     1, "workload: %s", p.out);
	total = 3 * done;
	cr_assert_gt(total, 1ULL << 32, "the workload read only %llu bytes",
		     (unsigned long long)total);
	snprintf(t.out, sizeof(t.out), "%s", in_dir("out.json"));
	trace_validate(&t);
	rec = doc_record(t.doc, in_dir("sparse"));
	cr_assert_not_null(rec, "no record of the sparse file");
	preadv = jval_get(jval_get(rec, "syscalls"), "preadv");
	cr_assert_eq(jval_u64(jval_get(jval_get(rec, "read"), "bytes"), &bytes), 0);
	cr_assert_eq(jval_u64(jval_get(preadv, "calls"), &calls), 0);
	cr_assert_eq(jval_u64(jval_get(preadv, "bytes"), &sc_bytes), 0);
	cr_expect_eq(calls, 3);
	cr_expect_eq(bytes, total, "read.bytes %llu, want %llu", (unsigned long long)bytes,
		     (unsigned long long)total);
	cr_expect_eq(sc_bytes, total, "preadv.bytes %llu, want %llu", (unsigned long long)sc_bytes,
		     (unsigned long long)total);
	/* 2 GiB asked each time: bucket [2^31, 2^32 - 1] of req_hist holds the 3 calls */
	{
		const struct jval *req = jval_get(preadv, "req_hist"), *b = jval_idx(req, 0);
		uint64_t lo = 0, n = 0;

		cr_assert_eq(jval_len(req), 1);
		cr_assert_eq(jval_u64(jval_idx(b, 0), &lo), 0);
		cr_assert_eq(jval_u64(jval_idx(b, 2), &n), 0);
		cr_expect_eq(lo, 1ULL << 31);
		cr_expect_eq(n, 3);
	}
	e2e_proc_free(&p);
	trace_free(&t);
}
