// SPDX-License-Identifier: GPL-2.0
/*
 * The command line end to end: usage errors (exit 2) and runtime errors
 * (exit 1) as one "iotrace: ..." line with nothing written; exit codes of
 * the command passed through (127/126 like a shell, 128+signal); -p on a
 * running process, -c by command name, and the CSV header of the spec.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"

static char *tdir;
static struct model model;
static struct trace tr;
static pid_t helper = -1, tracer_pid = -1;

static void teardown(void)
{
	const char *keep = getenv("IOTRACE_KEEP_TMP");

	if (helper > 0) {
		kill(helper, SIGKILL);
		waitpid(helper, NULL, 0);
	}
	if (tracer_pid > 0) {
		kill(tracer_pid, SIGKILL);
		waitpid(tracer_pid, NULL, 0);
	}
	trace_free(&tr);
	m_free(&model);
	if (!keep || strcmp(keep, "1"))
		e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

static char *in_dir(const char *rel)
{
	return e2e_join(tdir, rel);
}

/* one line "iotrace: ...", exit want, and no output file */
static void expect_refusal(const char *const *args, int want, const char *what)
{
	const char *argv[16] = { E2E_IOTRACE, "-q", "-o", in_dir("out.json") };
	size_t n = 4;
	struct e2e_proc p;
	struct stat st;
	char *nl;

	for (; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_expect_eq(p.status, want, "%s: exit %d, want %d; stderr: %s", what, p.status, want,
		     p.err);
	nl = strchr(p.err, '\n');
	cr_expect(!strncmp(p.err, "iotrace: ", 9) && nl && nl[1] == '\0',
		  "%s: stderr is not one \"iotrace: ...\" line: \"%s\"", what, p.err);
	cr_expect(stat(in_dir("out.json"), &st), "%s: an output file was written", what);
	e2e_proc_free(&p);
}

Test(cli, usage_errors_exit_2_with_one_line, .fini = teardown)
{
	static const char *const cases[][6] = {
		{ "--bogus", "--", "true", NULL },
		{ "-x", "--", "true", NULL },
		{ "-p", "1,,2", "--", "true", NULL },
		{ "-p", ",1", "--", "true", NULL },
		{ "-p", "1,", "--", "true", NULL },
		{ "-p", "abc", "--", "true", NULL },
		{ "-p", "0", "--", "true", NULL },
		{ "-p", "-5", "--", "true", NULL },
		{ "-p", "99999999999999999999", NULL },
		{ "-p", NULL },
		{ "-c", "", NULL },
		{ "-d", "abc", "--", "true", NULL },
		{ "-d", "0", "--", "true", NULL },
		{ "-d", "-1", "--", "true", NULL },
		{ "-d", "nan", "--", "true", NULL },
		{ "-d", "", "--", "true", NULL },
		{ "--", NULL },
		{ "--", "", NULL },
		{ "--format", "xml", "--", "true", NULL },
		{ "--format", NULL },
	};

	tdir = e2e_tmpdir("/tmp");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[128] = "iotrace";

		for (size_t k = 0; cases[i][k]; k++)
			snprintf(what + strlen(what), sizeof(what) - strlen(what), " '%s'",
				 cases[i][k]);
		expect_refusal(cases[i], 2, what);
	}
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

Test(cli, a_pid_that_does_not_exist_exits_1, .fini = teardown)
{
	char pid[32];
	const char *args[] = { "-p", pid, NULL };

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	snprintf(pid, sizeof(pid), "%d", (int)dead_pid());
	expect_refusal(args, 1, "-p <exited pid>");
}

Test(cli, an_output_directory_that_cannot_be_written_exits_1, .fini = teardown)
{
	const char *missing[] = { "-o", NULL, "--", "true", NULL };
	const char *notdir[] = { "-o", NULL, "--", "true", NULL };
	struct stat st;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	missing[1] = in_dir("no/such/dir/out.json");
	expect_refusal(missing, 1, "-o in a missing directory");
	cr_assert_eq(e2e_make_file(in_dir("file"), 1, 'x'), 0);
	notdir[1] = in_dir("file/out.json");
	expect_refusal(notdir, 1, "-o below a regular file");
	cr_expect(stat(in_dir("no"), &st), "the output directory was created");
}

Test(cli, a_command_that_does_not_exist_exits_127, .fini = teardown)
{
	const char *abs[] = { "--", "/nonexistent/iotrace-e2e-cmd", NULL };
	const char *rel[] = { "--", "iotrace-e2e-no-such-command", NULL };
	const char *noexec[] = { "--", NULL, NULL };

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	expect_refusal(abs, 127, "-- /nonexistent/...");
	expect_refusal(rel, 127, "-- <not in PATH>");
	cr_assert_eq(e2e_make_file(in_dir("noexec"), 10, '#'), 0);
	noexec[1] = in_dir("noexec");
	expect_refusal(noexec, 126, "-- <not executable>");
}

static void expect_passthrough(const char *script, int want)
{
	const char *argv[] = { E2E_IOTRACE, "-q",   "-o", in_dir("out.json"), "--", "/bin/sh",
			       "-c",	    script, NULL };
	struct e2e_proc p;

	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_expect_eq(p.status, want, "sh -c '%s': exit %d, want %d; stderr: %s", script, p.status,
		     want, p.err);
	e2e_proc_free(&p);
	snprintf(tr.out, sizeof(tr.out), "%s", in_dir("out.json"));
	trace_validate(&tr); /* results are written in every case */
	trace_free(&tr);
}

Test(cli, the_exit_status_of_the_command_is_passed_through, .fini = teardown)
{
	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	expect_passthrough("exit 3", 3);
	expect_passthrough("exit 0", 0);
	expect_passthrough("kill -9 $$", 128 + SIGKILL);
	expect_passthrough("kill -TERM $$", 128 + SIGTERM);
}

/*
 * A helper process of the test itself: named comm, it opens `pre` before
 * the trace, waits for the go byte, then reads `pre` and writes `post`.
 */
#define HELPER_PRE_SZ 10000
static pid_t start_helper(const char *comm, const char *pre, const char *post, int *go_fd)
{
	int go[2];
	pid_t pid;

	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		char buf[4096], c;
		int fd, out;

		close(go[1]);
		prctl(PR_SET_NAME, comm);
		fd = open(pre, O_RDONLY);
		if (fd < 0 || read(go[0], &c, 1) != 0)
			_exit(20);
		if (read(fd, buf, 4096) != 4096 || read(fd, buf, 4096) != 4096 ||
		    read(fd, buf, 4096) != HELPER_PRE_SZ - 8192)
			_exit(21);
		out = open(post, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (out < 0 || write(out, buf, 100) != 100 || write(out, buf, 200) != 200)
			_exit(22);
		_exit(0);
	}
	close(go[0]);
	*go_fd = go[1];
	return pid;
}

static void expect_helper_io(struct model *m, const char *comm)
{
	struct m_file *pre = m_create(m, "pre.dat", HELPER_PRE_SZ);
	struct m_file *post = m_file(m, "post.dat", 0);
	int fd = m_open(m, pre, O_RDONLY);

	m->comm = comm;
	m_read(m, fd, 4096);
	m_read(m, fd, 4096);
	m_read(m, fd, 4096);
	fd = m_open(m, post, O_CREAT | O_WRONLY | O_TRUNC);
	m_write(m, fd, 100);
	m_write(m, fd, 200);
}

static pid_t start_tracer(const char *const *args)
{
	const char *argv[16] = { E2E_IOTRACE, "-q", "-o", in_dir("out.json") };
	size_t n = 4;
	pid_t pid;

	for (; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = e2e_spawn((char *const *)argv, in_dir("iotrace.err"));
	cr_assert_gt(pid, 0, "spawn iotrace");
	tracer_pid = pid;
	return pid;
}

static void release_helper(pid_t tracer, int go_fd)
{
	int st;

	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach within 30 s");
	close(go_fd);
	cr_assert_eq(waitpid(helper, &st, 0), helper);
	helper = -1;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "helper failed: status %#x", st);
}

static void expect_tracer_exit(pid_t tracer, int want)
{
	char *err = NULL;
	size_t len;
	int status = e2e_wait(tracer, 30);

	tracer_pid = -1;

	e2e_read_file(in_dir("iotrace.err"), &err, &len);
	e2e_strip_attach_wait(err);
	cr_assert_eq(status, want, "iotrace exit %d, want %d; stderr: %s", status, want, err);
	free(err);
}

Test(cli, pid_traces_a_running_process_until_it_exits, .fini = teardown)
{
	char comm[16], pid[32];
	const char *args[] = { "-p", pid, NULL };
	pid_t tracer;
	int go;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	m_init(&model, tdir);
	snprintf(comm, sizeof(comm), "iotp%d", (int)(getpid() % 100000));
	expect_helper_io(&model, comm);
	helper = start_helper(comm, in_dir("pre.dat"), in_dir("post.dat"), &go);
	snprintf(pid, sizeof(pid), "%d", (int)helper);
	tracer = start_tracer(args);
	release_helper(tracer, go);
	expect_tracer_exit(tracer, 0); /* ends by itself: its only -p process exited */
	snprintf(tr.out, sizeof(tr.out), "%s", in_dir("out.json"));
	trace_validate(&tr);
	trace_check(&tr, &model);
}

Test(cli, comm_traces_processes_by_name_until_sigterm, .fini = teardown)
{
	char comm[16];
	const char *args[] = { "-c", comm, NULL };
	pid_t tracer;
	int go;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	m_init(&model, tdir);
	snprintf(comm, sizeof(comm), "iotc%d", (int)(getpid() % 100000));
	expect_helper_io(&model, comm);
	helper = start_helper(comm, in_dir("pre.dat"), in_dir("post.dat"), &go);
	tracer = start_tracer(args);
	release_helper(tracer, go);
	kill(tracer, SIGTERM);
	expect_tracer_exit(tracer, 0);
	snprintf(tr.out, sizeof(tr.out), "%s", in_dir("out.json"));
	trace_validate(&tr);
	trace_check(&tr, &model);
}

/*
 * The header docs/output-format.md describes, built from its words: each
 * column is named by the JSON path of its value.
 */
static void doc_csv_header(char *buf, size_t sz, bool per_process)
{
	static const char *const names[] = { "read",
					     "readv",
					     "pread64",
					     "preadv",
					     "preadv2",
					     "write",
					     "writev",
					     "pwrite64",
					     "pwritev",
					     "pwritev2",
					     "sendfile",
					     "copy_file_range",
					     "splice",
					     "fsync",
					     "fdatasync",
					     "close",
					     "aio_pread",
					     "aio_pwrite",
					     "io_uring_read",
					     "io_uring_write",
					     "io_uring_readv",
					     "io_uring_writev",
					     "io_uring_read_fixed",
					     "io_uring_write_fixed",
					     "io_uring_fsync",
					     "io_uring_fdatasync" };
	static const char *const eight[] = { "calls",	       "errors",  "bytes",
					     "seq_calls",      "streams", "first_entry_ns",
					     "last_return_ns", "total_ns" };
	size_t n = (size_t)snprintf(buf, sz,
				    "path%s,dev,ino,generation,fstype,deleted,former_paths,comms",
				    per_process ? ",pid,comm" : "");

	static const char *const sides[] = { "read",	   "write",	 "copy_read",
					     "copy_write", "async_read", "async_write" };

	for (int s = 0; s < 6; s++) {
		for (int i = 0; i < 8; i++)
			n += (size_t)snprintf(buf + n, sz - n, ",%s.%s", sides[s], eight[i]);
		if (s & 1)
			n += (size_t)snprintf(buf + n, sz - n, ",%s.rewrites", sides[s]);
	}
	n += (size_t)snprintf(buf + n, sz - n, ",fsync.calls,fsync.errors,fsync.total_ns");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += (size_t)snprintf(buf + n, sz - n,
				      ",syscalls.%s.calls,syscalls.%s.errors,syscalls.%s.bytes",
				      names[i], names[i], names[i]);
	n += (size_t)snprintf(buf + n, sz - n, ",mapped.faults,mapped.write_faults");
	n += (size_t)snprintf(buf + n, sz - n, ",mapped.first_fault_ns,mapped.last_fault_ns");
	n += (size_t)snprintf(buf + n, sz - n, ",page_cache.pages_added");
}

static void csv_run(bool per_process, char **text)
{
	const char *argv[] = { E2E_IOTRACE,
			       "-q",
			       "-o",
			       in_dir("out.csv"),
			       "--format",
			       "csv",
			       per_process ? "--per-process" : "-q",
			       "--",
			       E2E_WORKLOAD,
			       tdir,
			       "seqread",
			       NULL };
	struct e2e_proc p;
	size_t len;

	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace --format csv: exit %d; %s", p.status, p.err);
	e2e_proc_free(&p);
	cr_assert_eq(e2e_read_file(in_dir("out.csv"), text, &len), 0);
}

/* field idx of the row (no quoted fields in our rows) */
static const char *csv_field(const char *row, int idx, char *buf, size_t sz)
{
	for (int i = 0; i < idx && row; i++) {
		row = strchr(row, ',');
		row = row ? row + 1 : NULL;
	}
	if (!row)
		return NULL;
	snprintf(buf, sz, "%.*s", (int)strcspn(row, ",\r\n"), row);
	return buf;
}

/* the index of the header's column called name; every name must be there once */
static int csv_column(const char *header, const char *name)
{
	char f[64];
	int idx = -1;

	for (int i = 0; csv_field(header, i, f, sizeof(f)); i++) {
		if (strcmp(f, name))
			continue;
		cr_assert_eq(idx, -1, "CSV column '%s' at %d and %d", name, idx, i);
		idx = i;
	}
	cr_assert_geq(idx, 0, "CSV column '%s' missing", name);
	return idx;
}

/* the row's value in the column called name */
static const char *csv_value(const char *header, const char *row, const char *name, char *buf,
			     size_t sz)
{
	return csv_field(row, csv_column(header, name), buf, sz);
}

Test(cli, csv_has_the_documented_header_and_a_row_per_file, .fini = teardown)
{
	char want[8192], path[PATH_MAX], f[64], *text, *row;
	size_t hdr_len;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(in_dir("seq.dat"), 200000, 'x'), 0);
	for (int pp = 0; pp < 2; pp++) {
		csv_run(pp, &text);
		doc_csv_header(want, sizeof(want), pp);
		hdr_len = strcspn(text, "\r\n");
		cr_expect(hdr_len == strlen(want) && !strncmp(text, want, hdr_len),
			  "CSV header:\n got %.*s\nwant %s", (int)hdr_len, text, want);
		snprintf(path, sizeof(path), "%s/seq.dat,", tdir);
		row = strstr(text, path);
		cr_assert_not_null(row, "no row for %s", path);
		cr_expect(row[-1] == '\n', "row for %s does not start a line", path);
		/* the seqread scenario: 8 reads, 200200 bytes, 7 sequential */
		cr_expect_str_eq(csv_value(text, row, "read.calls", f, sizeof(f)), "8");
		cr_expect_str_eq(csv_value(text, row, "read.errors", f, sizeof(f)), "0");
		cr_expect_str_eq(csv_value(text, row, "read.bytes", f, sizeof(f)), "200200");
		cr_expect_str_eq(csv_value(text, row, "read.seq_calls", f, sizeof(f)), "7");
		cr_expect_str_eq(csv_value(text, row, "read.streams", f, sizeof(f)), "1");
		cr_expect_str_eq(csv_value(text, row, "deleted", f, sizeof(f)), "false");
		cr_expect_str_eq(csv_value(text, row, "write.calls", f, sizeof(f)), "");
		cr_expect_str_eq(csv_value(text, row, "comms", f, sizeof(f)), "workload");
		cr_expect_str_eq(csv_value(text, row, "syscalls.read.calls", f, sizeof(f)), "8");
		cr_expect_str_eq(csv_value(text, row, "syscalls.read.bytes", f, sizeof(f)),
				 "200200");
		cr_expect_str_eq(csv_value(text, row, "syscalls.pread64.calls", f, sizeof(f)), "");
		free(text);
	}
}

/* report refuses the CSV form with one line naming the file, not a JSON syntax error */
Test(cli, report_refuses_a_csv_result_with_one_line, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "report", NULL, NULL };
	struct e2e_proc p;
	char *text;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(in_dir("seq.dat"), 200000, 'x'), 0);
	csv_run(false, &text);
	free(text);
	argv[2] = in_dir("out.csv");
	cr_assert_eq(e2e_run((char *const *)argv, 30, &p), 0);
	cr_expect_eq(p.status, 1, "report of a CSV result: exit %d", p.status);
	cr_expect(strstr(p.err, "out.csv: a result in the CSV form") != NULL &&
			  strchr(p.err, '\n') == p.err + strlen(p.err) - 1,
		  "report of a CSV result said: %s", p.err);
	e2e_proc_free(&p);
}

/* `iotrace record OPTIONS -- CMD` is the default command spelled out */
Test(cli, record_is_the_default_command_and_may_be_named, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "record", "-q",	    "--format", "csv",	   "-o",
			       NULL,	    "--",     E2E_WORKLOAD, NULL,	"seqread", NULL };
	char path[PATH_MAX], f[64], *text, *row;
	struct e2e_proc p;
	size_t len;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(in_dir("seq.dat"), 200000, 'x'), 0);
	argv[6] = in_dir("out.csv");
	argv[9] = tdir;
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace record: exit %d; %s", p.status, p.err);
	e2e_proc_free(&p);
	cr_assert_eq(e2e_read_file(in_dir("out.csv"), &text, &len), 0);
	snprintf(path, sizeof(path), "%s/seq.dat,", tdir);
	row = strstr(text, path);
	cr_assert_not_null(row, "no row for %s", path);
	/* the seqread scenario: 8 reads of 200200 bytes */
	cr_expect_str_eq(csv_value(text, row, "read.calls", f, sizeof(f)), "8");
	cr_expect_str_eq(csv_value(text, row, "read.bytes", f, sizeof(f)), "200200");
	free(text);
}

/* the end-of-trace summary names the result file, and says how many files it did not list */
Test(cli, the_summary_names_the_result_and_the_files_it_leaves_out, .fini = teardown)
{
	const char *argv[] = {
		E2E_IOTRACE, "-o", NULL, "--", E2E_WORKLOAD, NULL, "identity", NULL
	};
	char want[PATH_MAX + 64];
	const struct jval *files;
	struct jval *doc;
	struct e2e_proc p;
	size_t n;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	argv[2] = in_dir("out.json");
	argv[5] = tdir;
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace: exit %d; %s", p.status, p.err);
	snprintf(want, sizeof(want), "iotrace: result in %s (iotrace report %s)\n",
		 in_dir("out.json"), in_dir("out.json"));
	cr_expect_not_null(strstr(p.err, want), "no \"%s\" in:\n%s", want, p.err);
	doc = doc_load(in_dir("out.json"));
	files = jval_get(doc, "files");
	n = jval_len(files);
	if (n > 10) {
		snprintf(want, sizeof(want), "... and %zu more files\n", n - 10);
		cr_expect_not_null(strstr(p.err, want), "no \"%s\" in:\n%s", want, p.err);
	} else {
		cr_expect_null(strstr(p.err, "more files"), "%zu files, but: %s", n, p.err);
	}
	jval_free(doc);
	e2e_proc_free(&p);
}

/* a -c name that no traced process had is named at the end */
Test(cli, a_comm_target_that_matched_nothing_is_named, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-c", "iotrace-nomatch", "-d", "0.3",
			       "-o",	    NULL, NULL };
	struct e2e_proc p;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	argv[7] = in_dir("out.json");
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_expect_eq(p.status, 0, "exit %d: %s", p.status, p.err);
	cr_expect_str_eq(p.err, "iotrace: warning: -c iotrace-nomatch: no process of that name did "
				"traced file I/O\n");
	e2e_proc_free(&p);
}
