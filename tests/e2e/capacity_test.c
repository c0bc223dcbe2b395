// SPDX-License-Identifier: GPL-2.0
/*
 * A full table loses nothing silently.  With --max-files 2, a shell
 * that reads five files of our own after the dynamic loader read libc
 * leaves two records (libc and the first file) and counts the other four
 * files in dropped.files, their calls in dropped.events, and says so on
 * stderr.  The
 * ground truth is the script below.  Then, exactly: a process
 * already running (its libraries loaded) writes one byte to each of 10
 * files under -p and --max-files 4; stderr says why, one line per reason.
 * And a full per-syscall table: exactly the calls it cannot hold are lost.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"
#include "expect.h"
#include "format/jsonr.h"

#define FILE_CNT 5

Test(capacity, full_file_table_counts_lost_files_once_each)
{
	char script[FILE_CNT * (PATH_MAX + 16)] = "", out[PATH_MAX], path[PATH_MAX], *dir;
	const char *argv[] = { E2E_IOTRACE, "--max-files", "2",	 "-o",	 out,
			       "--",	    "/bin/sh",	   "-c", script, NULL };
	struct trace t = { 0 };
	const struct jval *files, *dropped;
	uint64_t lost_files = 0, lost_calls = 0;
	size_t in_dir = 0;
	struct e2e_proc p;

	e2e_require_tracer();
	dir = e2e_tmpdir("/tmp");
	for (int i = 1; i <= FILE_CNT; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		cr_assert_eq(e2e_make_file(path, 64, 'a' + i), 0);
		/* dash's read builtin: read(2) on the redirected file */
		snprintf(script + strlen(script), sizeof(script) - strlen(script),
			 "read x < '%s' || :; ", path);
	}
	snprintf(out, sizeof(out), "%s/out.json", dir);
	snprintf(t.out, sizeof(t.out), "%s", out);
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace exit %d: %s", p.status, p.err);
	cr_expect(
		strstr(p.err,
		       "iotrace: warning: 4 files not recorded: file table full (--max-files 2)\n"),
		"no warning on stderr: %s", p.err);
	trace_validate(&t);
	files = jval_get(t.doc, "files");
	dropped = jval_get(t.doc, "dropped");
	cr_assert_eq(jval_len(files), 2, "records: %zu, want --max-files 2", jval_len(files));
	for (size_t i = 0; i < jval_len(files); i++)
		in_dir += !strncmp(jval_str(jval_get(jval_idx(files, i), "path"), NULL), dir,
				   strlen(dir));
	cr_expect_eq(in_dir, 1, "records of our files: %zu, want the first one only", in_dir);
	cr_assert_eq(jval_u64(jval_get(dropped, "files"), &lost_files), 0);
	cr_assert_eq(jval_u64(jval_get(dropped, "events"), &lost_calls), 0);
	cr_expect_eq(lost_files, FILE_CNT - 1, "dropped.files %llu, want %d",
		     (unsigned long long)lost_files, FILE_CNT - 1);
	cr_expect_geq(lost_calls, FILE_CNT - 1,
		      "dropped.events %llu: at least one read per lost file",
		      (unsigned long long)lost_calls);
	e2e_proc_free(&p);
	trace_free(&t);
	e2e_rmtree(dir);
	free(dir);
}

#define FAULTLOAD  OUT_DIR "/tests/e2e/faultload"
#define MANY_FILES 10
#define MANY_MAX   4
#define MANY_MAX_S "4"
#define MANY_LOST  (MANY_FILES - MANY_MAX)
#define LOST_FILES "6 files not recorded: file table full (--max-files 4)"
#define LOST_CALLS "6 calls not counted: file table full (--max-files 4)"
_Static_assert(MANY_LOST == 6, "the pinned lines say 6");

static pid_t many_wl = -1, many_tracer = -1;

/* a failed assertion leaves no spinning workload or tracer behind */
static void many_teardown(void)
{
	if (many_wl > 0)
		kill(many_wl, SIGKILL), waitpid(many_wl, NULL, 0);
	if (many_tracer > 0)
		kill(many_tracer, SIGKILL), waitpid(many_tracer, NULL, 0);
}

/* stderr is exactly these lines, in any order */
static void expect_lines(const char *err, const char *const *want, size_t n)
{
	size_t lines = 0;

	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, n, "stderr has %zu lines, want %zu: %s", lines, n, err);
	for (size_t i = 0; i < n; i++) {
		char line[256];

		snprintf(line, sizeof(line), "iotrace: warning: %s\n", want[i]);
		cr_expect(strstr(err, line), "stderr lacks \"%s\": %s", want[i], err);
	}
}

/*
 * faultload DIR MODE N, started untraced and waiting (its loader's reads are
 * not in the trace), traced by iotrace -p --max-files MAX, then let go; once
 * both ended, iotrace's stderr (caller frees) and its validated result in *t.
 */
static char *trace_waiting(const char *dir, const char *mode, const char *n, const char *max,
			   struct trace *t)
{
	char out[PATH_MAX], pid_s[16], err_path[PATH_MAX], wl_err[PATH_MAX], *err = NULL;
	const char *wl_argv[] = { FAULTLOAD, dir, mode, n, NULL };
	const char *argv[] = {
		E2E_IOTRACE, "-q", "--max-files", max, "-p", pid_s, "-o", out, NULL
	};
	volatile uint64_t *progress;
	pid_t wl, tracer;
	size_t len;
	int fd, st;

	snprintf(out, sizeof(out), "%s/progress", dir);
	cr_assert_eq(e2e_make_file(out, 4096, 0), 0);
	fd = open(out, O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq((void *)progress, MAP_FAILED);
	close(fd);
	snprintf(wl_err, sizeof(wl_err), "%s/faultload.err", dir);
	many_wl = wl = e2e_spawn((char *const *)wl_argv, wl_err);
	cr_assert_gt(wl, 0);
	for (int i = 0; i < 1000 && !__atomic_load_n(&progress[1], __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	cr_assert(progress[1], "workload did not start");
	snprintf(pid_s, sizeof(pid_s), "%d", (int)wl);
	snprintf(out, sizeof(out), "%s/out.json", dir);
	snprintf(err_path, sizeof(err_path), "%s/iotrace.err", dir);
	many_tracer = tracer = e2e_spawn((char *const *)argv, err_path);
	cr_assert_gt(tracer, 0);
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	__atomic_store_n(&progress[2], 1, __ATOMIC_RELEASE);
	cr_assert_eq(waitpid(wl, &st, 0), wl);
	many_wl = -1;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "workload failed: %#x", st);
	st = e2e_wait(tracer, 60);
	many_tracer = -1;
	cr_assert_eq(e2e_read_file(err_path, &err, &len), 0);
	e2e_strip_attach_wait(err);
	cr_assert_eq(st, 0, "iotrace exit %d: %s", st, err);
	munmap((void *)progress, 4096);
	snprintf(t->out, sizeof(t->out), "%s", out);
	trace_validate(t);
	return err;
}

Test(capacity, full_file_table_warns_per_reason_with_exact_counts, .fini = many_teardown)
{
	const char *const want[] = { LOST_FILES, LOST_CALLS };
	const struct jval *files, *dropped;
	uint64_t lost_files = 1, lost_calls = 1;
	struct trace t = { 0 };
	char *dir, *err;

	e2e_require_tracer();
	dir = e2e_tmpdir("/tmp");
	err = trace_waiting(dir, "manywait", "10", MANY_MAX_S, &t);
	expect_lines(err, want, 2);
	files = jval_get(t.doc, "files");
	dropped = jval_get(t.doc, "dropped");
	cr_assert_eq(jval_len(files), MANY_MAX, "records: %zu, want %d", jval_len(files), MANY_MAX);
	/* the first MANY_MAX files, each one write and one close */
	for (int i = 0; i < MANY_MAX; i++) {
		const struct jval *rec = jval_idx(files, (size_t)i),
				  *sc = jval_get(rec, "syscalls");
		uint64_t w = 0, c = 0;
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/m/f%d", dir, i);
		cr_expect(jval_str_eq(jval_get(rec, "path"), path), "record %d is not %s", i, path);
		cr_assert_eq(jval_u64(jval_get(jval_get(sc, "write"), "calls"), &w), 0);
		cr_assert_eq(jval_u64(jval_get(jval_get(sc, "close"), "calls"), &c), 0);
		cr_expect(w == 1 && c == 1, "%s: %llu writes, %llu closes, want 1 and 1", path,
			  (unsigned long long)w, (unsigned long long)c);
	}
	/* every other file: no record, and its write (its close needs a record) not counted */
	cr_assert_eq(jval_u64(jval_get(dropped, "files"), &lost_files), 0);
	cr_assert_eq(jval_u64(jval_get(dropped, "events"), &lost_calls), 0);
	cr_expect_eq(lost_files, MANY_LOST, "dropped.files %llu, want %d",
		     (unsigned long long)lost_files, MANY_LOST);
	cr_expect_eq(lost_calls, MANY_LOST, "dropped.events %llu, want %d",
		     (unsigned long long)lost_calls, MANY_LOST);
	free(err);
	trace_free(&t);
	e2e_rmtree(dir);
	free(dir);
}

/* calls of syscall sc of rec, 0 when it has none */
static uint64_t sc_calls(const struct jval *rec, const char *sc)
{
	uint64_t n = 0;

	jval_u64(jval_get(jval_get(jval_get(rec, "syscalls"), sc), "calls"), &n);
	return n;
}

#define SC_LOST "4 calls not counted: per-syscall table full (4 entries, 4 per --max-files)"

/*
 * --max-files 1: the per-syscall table holds 4 entries.  faultload scfull
 * writes DIR/sc.dat by write (which makes the record and so keeps its
 * stats in it), then pwrite64, writev, pwritev and pwritev2 (4 entries: the
 * table is full), then 3 pread64 (no room: not counted anywhere), write
 * again (in the record: counted) and close (no room).  Exactly 4 calls are
 * lost, on one stderr line, and the record holds every other call.
 */
Test(capacity, full_per_syscall_table_loses_only_the_calls_it_cannot_hold, .fini = many_teardown)
{
	static const char *const kept[] = { "pwrite64", "writev", "pwritev", "pwritev2" };
	const char *const want[] = { SC_LOST };
	const struct jval *rec, *dropped, *w;
	uint64_t files = 1, events = 0, side_calls = 0;
	struct trace t = { 0 };
	char *dir, *err, path[PATH_MAX];

	e2e_require_tracer();
	dir = e2e_tmpdir("/tmp");
	err = trace_waiting(dir, "scfull", "0", "1", &t);
	expect_lines(err, want, 1);
	snprintf(path, sizeof(path), "%s/sc.dat", dir);
	rec = doc_record(t.doc, path);
	cr_assert_not_null(rec, "no record of %s", path);
	cr_expect_eq(sc_calls(rec, "write"), 2, "write: the record's own syscall");
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		cr_expect_eq(sc_calls(rec, kept[i]), 1, "%s", kept[i]);
	cr_expect_null(jval_get(jval_get(rec, "syscalls"), "pread64"), "pread64 had no room");
	cr_expect_null(jval_get(jval_get(rec, "syscalls"), "close"), "close had no room");
	cr_expect(jval_is_null(jval_get(rec, "read")), "the lost preads counted on the read side");
	w = jval_get(rec, "write");
	cr_assert_eq(jval_u64(jval_get(w, "calls"), &side_calls), 0);
	cr_expect_eq(side_calls, 6, "write side: %llu calls, want 6",
		     (unsigned long long)side_calls);
	dropped = jval_get(t.doc, "dropped");
	cr_assert_eq(jval_u64(jval_get(dropped, "files"), &files), 0);
	cr_assert_eq(jval_u64(jval_get(dropped, "events"), &events), 0);
	cr_expect_eq(files, 0);
	cr_expect_eq(events, 4, "dropped.events %llu, want the 3 preads and the close",
		     (unsigned long long)events);
	free(err);
	trace_free(&t);
	e2e_rmtree(dir);
	free(dir);
}
