// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, as a table: each row is the arguments (and environment) a user
 * might give, the exit status and the substring of the one line
 * "iotrace: ..." that must explain it; nothing may be written to the output.
 * The README's "Bad input and faults" table is this one.  Placeholders:
 *   @D/x      x in the test's directory, where the setup below made:
 *             file (regular), dir/, dangling -> nowhere, noexec (0644),
 *             badexec (0755, neither ELF nor #!), trunc.o (300 bytes of
 *             rw.bpf.o), report documents trunc/empty/schema7/neg/bin.json,
 *             nosys/events/sched/ (a tracefs tree without syscall events),
 *             and ro/ (a read-only tmpfs, for the row that asks for it)
 *   @DEAD     a pid that has exited and been reaped
 *   @ZOMBIE   a pid that has exited, not reaped: it exists but will never run
 *   @LONG     @D/ and a file name of 305 bytes (NAME_MAX is 255)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "e2e.h"
#include "expect.h"
#include "format/jsonr.h"

enum need {
	NEED_NONE,
	NEED_TRACER = 1, /* root and BTF: the check runs after those */
	NEED_RO = 2,	 /* mount @D/ro read-only */
	NEED_NOCAP = 4,	 /* run through setpriv as nobody without capabilities */
};

struct bad_input {
	const char *args[8];
	int exit;
	const char *msg;
	unsigned int need;
	const char *env; /* NAME=VALUE for iotrace; VALUE may be a placeholder */
};

#define FIX_REPORT SRC_DIR "/tests/fixtures/report/basic.json"
#define RW_OBJ	   OUT_DIR "/bpf/rw.bpf.o"
#define T	   NEED_TRACER

/* rows leave need and env out when they need nothing */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct bad_input cases[] = {
	/* usage: exit 2 */
	{ { "--bogus", "--", "true" }, 2, "unknown option '--bogus'" },
	{ { "-x", "--", "true" }, 2, "unknown option '-x'" },
	{ { "--per-process=yes", "--", "true" }, 2, "option '--per-process' takes no argument" },
	{ { "-p" }, 2, "option '-p' needs an argument" },
	{ { "-p", "abc" }, 2, "invalid pid 'abc' (1 to 4194304)" },
	{ { "-p", "0" }, 2, "invalid pid '0'" },
	{ { "-p", "-5" }, 2, "invalid pid '-5'" },
	{ { "-p", "12x" }, 2, "invalid pid '12x'" },
	{ { "-p", "4194305" }, 2, "invalid pid '4194305' (1 to 4194304)" },
	{ { "-p", "99999999999999999999" }, 2, "invalid pid '99999999999999999999'" },
	{ { "-p", "1,,2" }, 2, "invalid pid list '1,,2'" },
	{ { "-p", ",1" }, 2, "invalid pid list ',1'" },
	{ { "-c", "" }, 2, "invalid comm list ''" },
	{ { "-c", "a," }, 2, "invalid comm list 'a,'" },
	{ { "-d", "abc", "--", "true" }, 2, "invalid duration 'abc'" },
	{ { "-d", "0", "--", "true" }, 2, "invalid duration '0'" },
	{ { "-d", "-1", "--", "true" }, 2, "invalid duration '-1'" },
	{ { "-d", "nan", "--", "true" }, 2, "invalid duration 'nan'" },
	{ { "-d", "inf", "--", "true" }, 2, "invalid duration 'inf'" },
	{ { "-d", "2e9", "--", "true" }, 2, "invalid duration '2e9'" },
	{ { "-d", "10x", "--", "true" }, 2, "invalid duration '10x' (seconds from 0.001 to 1e9" },
	{ { "-d", "0.5ms", "--", "true" }, 2, "invalid duration '0.5ms'" },
	{ { "-d", "", "--", "true" }, 2, "invalid duration ''" },
	{ { "-o", "" }, 2, "empty output path" },
	{ { "-o", "-", "--", "true" }, 2, "-o - with a command: its own output would mix" },
	{ { "--format", "xml", "--", "true" }, 2, "unknown format 'xml' (json or csv)" },
	{ { "--format" }, 2, "option '--format' needs an argument" },
	{ { "--max-files", "0" }, 2, "invalid --max-files '0' (1 to 16777216)" },
	{ { "--max-files", "16777217" }, 2, "invalid --max-files '16777217'" },
	{ { "--bpf-object", "", "--", "true" }, 2, "empty --bpf-object path" },
	{ { "--" }, 2, "no command after --" },
	{ { "--", "" }, 2, "empty command after --" },
	{ { "report" }, 2, "report: no result document given" },
	{ { "record", "--bogus", "--", "true" }, 2, "unknown option '--bogus'" },
	{ { "debug" }, 2, "debug: the only debug command is 'verify [DIR]'" },
	{ { "reprot", "x.json" },
	  2,
	  "'reprot' is not a command of iotrace nor a program: did you mean 'report'?" },
	{ { "recrod" },
	  2,
	  "'recrod' is not a command of iotrace nor a program: did you mean 'record'?" },
	{ { "debug", "verfy" }, 2, "debug: the only debug command is 'verify [DIR]'" },
	{ { "report", "--sort", "size", FIX_REPORT }, 2, "unknown sort key 'size'" },
	/* targets */
	{ { "-p", "@DEAD" }, 1, ": no such process", T },
	{ { "-p", "@ZOMBIE" }, 1, ": exited before tracing started", T },
	{ { "--", "/nonexistent/iotrace-e2e" },
	  127,
	  "cannot run '/nonexistent/iotrace-e2e': No such file or directory",
	  T },
	{ { "--", "iotrace-e2e-no-such-command" }, 127, "No such file or directory", T },
	/* after --, a word near a command name is the command to run all the same */
	{ { "--", "reprot" }, 127, "cannot run 'reprot': No such file or directory", T },
	{ { "--", "@D/noexec" }, 126, "/noexec': Permission denied", T },
	{ { "--", "@D/dir" }, 126, "/dir': Is a directory", T },
	{ { "--", "@D/badexec" }, 126, "/badexec': Exec format error", T },
	/* output */
	{ { "-o", "@D/no/such/out.json", "--", "true" },
	  1,
	  "cannot create a file there: No such file or directory",
	  T },
	{ { "-o", "@D/file/out.json", "--", "true" },
	  1,
	  "cannot create a file there: Not a directory",
	  T },
	{ { "-o", "@D/ro/out.json", "--", "true" },
	  1,
	  "cannot create a file there: Read-only file system",
	  T | NEED_RO },
	{ { "-o", "/proc/iotrace-e2e.json", "--", "true" }, 1, "cannot create a file there", T },
	{ { "-o", "@D/dir", "--", "true" }, 1, "/dir': is a directory", T },
	{ { "-o", "@D/dangling", "--", "true" }, 1, "/dangling': dangling symbolic link", T },
	{ { "-o", "@LONG", "--", "true" }, 1, "File name too long", T },
	/* privileges and kernel */
	{ { "--", "true" }, 1, "permission denied: tracing needs root", NEED_NOCAP },
	{ { "--", "true" },
	  1,
	  "kernel BTF not found at /nonexistent",
	  T,
	  "IOTRACE_BTF=/nonexistent" },
	{ { "--", "true" }, 1, "/etc/passwd: bad BTF header", T, "IOTRACE_BTF=/etc/passwd" },
	{ { "--", "true" },
	  1,
	  "syscall tracepoints not found (no events/syscalls in /tmp/",
	  T,
	  "IOTRACE_TRACEFS=@D/nosys" },
	{ { "--", "true" },
	  1,
	  "tracing syscalls needs a kernel built with CONFIG_FTRACE_SYSCALLS=y",
	  T,
	  "IOTRACE_TRACEFS=@D/nosys" },
	{ { "--", "true" },
	  1,
	  "/dir': not a tracefs mount (no events directory)",
	  T,
	  "IOTRACE_TRACEFS=@D/dir" },
	/* BPF objects */
	{ { "--bpf-object", "@D/missing.o", "--", "true" },
	  1,
	  "/missing.o': No such file or directory",
	  T },
	{ { "--bpf-object", "@D/dir", "--", "true" }, 1, "/dir': not a regular file", T },
	{ { "--bpf-object", "/etc/passwd", "--", "true" }, 1, "/etc/passwd: not an ELF file", T },
	{ { "--bpf-object", "@D/trunc.o", "--", "true" }, 1, "/trunc.o: truncated file", T },
	/* the first asm routine its relocations name, whichever that is */
	{ { "--bpf-object", RW_OBJ, "--", "true" }, 1, "' is not defined in any object", T },
	/* objects that link but lack programs of the built-in set: refused when bound */
	{ { "--bpf-object", OUT_DIR "/bpf/task.bpf.o", "--bpf-object", OUT_DIR "/asm/filter.o",
	    "--", "true" },
	  1,
	  "': not in the BPF objects", /* the first program of the skeleton missing */
	  T },
	{ { "--verifier-log", "@D/no/dir", "--", "true" }, 1, "verifier log directory '", T },
	{ { "--verifier-log", "@D/file", "--", "true" }, 1, "/file': Not a directory", T },
	/* result documents given to report: exit 1 */
	{ { "report", "@D/trunc.json" }, 1, "/trunc.json: offset 400: unexpected end of input" },
	{ { "report", "@D/empty.json" }, 1, "/empty.json: offset 0: empty document" },
	{ { "report", "@D/missing.json" }, 1, "/missing.json: No such file or directory" },
	{ { "report", "@D/schema7.json" }, 1, "unsupported schema 7" },
	{ { "report", "@D/neg.json" },
	  1,
	  "files[0].syscalls.pread64.calls: expected an unsigned integer, got a negative number" },
	{ { "report", "@D/bin.json" }, 1, "/bin.json: offset 0: expected value" },
};
#pragma GCC diagnostic pop

static char *tdir;
static pid_t zombie = -1;
static char ro_mount[4096];

static void teardown(void)
{
	if (ro_mount[0])
		umount2(ro_mount, MNT_DETACH);
	if (zombie > 0)
		waitpid(zombie, NULL, 0);
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

static char *in_dir(const char *rel)
{
	return e2e_join(tdir, rel);
}

static void put(const char *rel, const char *text, size_t len, mode_t mode)
{
	int fd = open(in_dir(rel), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0, "%s: %s", rel, strerror(errno));
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* text with the first `from` replaced by `to`, written to rel */
static void put_edited(const char *rel, const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	cr_assert_not_null(at, "'%s' not in the fixture", from);
	cr_assert(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) > 0);
	put(rel, out, strlen(out), 0644);
	free(out);
}

static void make_fixtures(void)
{
	char *doc, *obj;
	size_t len, obj_len;

	cr_assert_eq(e2e_make_file(in_dir("file"), 10, 'f'), 0);
	cr_assert_eq(mkdir(in_dir("dir"), 0755), 0);
	cr_assert_eq(mkdir(in_dir("nosys"), 0755), 0);
	cr_assert_eq(mkdir(in_dir("nosys/events"), 0755), 0);
	cr_assert_eq(mkdir(in_dir("nosys/events/sched"), 0755), 0);
	cr_assert_eq(symlink(in_dir("nowhere"), in_dir("dangling")), 0);
	put("noexec", "#!/bin/sh\n", 10, 0644);
	put("badexec", "neither ELF nor a script\n", 25, 0755);
	cr_assert_eq(e2e_read_file(RW_OBJ, &obj, &obj_len), 0, "%s", RW_OBJ);
	put("trunc.o", obj, 300, 0644);
	free(obj);
	cr_assert_eq(e2e_read_file(FIX_REPORT, &doc, &len), 0);
	put("trunc.json", doc, 400, 0644);
	put("empty.json", "", 0, 0644);
	put_edited("schema7.json", doc, "\"schema\": 1", "\"schema\": 7");
	put_edited("neg.json", doc, "\"calls\": ", "\"calls\": -");
	put("bin.json", "\0\377{", 3, 0644);
	free(doc);
}

static pid_t exited_child(bool reap)
{
	pid_t pid = fork();
	char path[64];

	cr_assert_geq(pid, 0);
	if (!pid)
		_exit(0);
	if (reap) {
		waitpid(pid, NULL, 0);
		return pid;
	}
	/* a zombie once the state in /proc says so */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		char *text;
		size_t len;
		bool z;

		cr_assert_eq(e2e_read_file(path, &text, &len), 0);
		z = strstr(text, ") Z ") != NULL;
		free(text);
		if (z)
			return pid;
		usleep(1000);
	}
	cr_assert_fail("child %d never became a zombie", (int)pid);
	return -1;
}

/* the argument with its placeholder filled in, malloc'd */
static char *fill(const char *arg)
{
	char *out = NULL;

	if (!strcmp(arg, "@DEAD"))
		cr_assert(asprintf(&out, "%d", (int)exited_child(true)) > 0);
	else if (!strcmp(arg, "@ZOMBIE"))
		cr_assert(asprintf(&out, "%d", (int)(zombie = exited_child(false))) > 0);
	else if (!strcmp(arg, "@LONG")) {
		cr_assert(asprintf(&out, "%s/%0300d.json", tdir, 0) > 0);
	} else if (!strncmp(arg, "@D/", 3)) {
		cr_assert(asprintf(&out, "%s%s", tdir, arg + 2) > 0);
	} else {
		out = strdup(arg);
	}
	return out;
}

static bool has_output_opt(const struct bad_input *c)
{
	for (size_t i = 0; i < 8 && c->args[i]; i++)
		if (!strcmp(c->args[i], "-o") || !strcmp(c->args[i], "--output"))
			return true;
	return false;
}

static void describe(const struct bad_input *c, char *buf, size_t sz)
{
	size_t n =
		(size_t)snprintf(buf, sz, "%s%siotrace", c->env ? c->env : "", c->env ? " " : "");

	for (size_t i = 0; i < 8 && c->args[i] && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, " '%s'", c->args[i]);
}

#define CASE_CNT (sizeof(cases) / sizeof(cases[0]))

/*
 * Criterion runs each parameter in a fresh process of this binary, where
 * (PIE, ASLR) the strings of the table may sit elsewhere: it gets the row's
 * index, and the row is read from this process's table.
 */
ParameterizedTestParameters(bad_input, one_line_and_exit_status)
{
	static size_t idx[CASE_CNT];

	for (size_t i = 0; i < CASE_CNT; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, CASE_CNT);
}

ParameterizedTest(size_t *row, bad_input, one_line_and_exit_status, .fini = teardown)
{
	const struct bad_input *c = &cases[*row];
	static const char *const nocap[] = { "setpriv",
					     "--reuid=65534",
					     "--regid=65534",
					     "--clear-groups",
					     "--inh-caps=-all",
					     "--bounding-set=-all",
					     "--" };
	char *argv[32], what[512], *nl;
	size_t n = 0, first_filled, i = 0;
	const char *cmd;
	struct e2e_proc p;
	struct stat st;

	if (c->need & (NEED_TRACER | NEED_NOCAP))
		e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	make_fixtures();
	if (c->need & NEED_RO) {
		snprintf(ro_mount, sizeof(ro_mount), "%s", in_dir("ro"));
		cr_assert_eq(mkdir(ro_mount, 0755), 0);
		cr_assert_eq(mount("tmpfs", ro_mount, "tmpfs", MS_RDONLY, "size=64k"), 0,
			     "mount: %s", strerror(errno));
	}
	if (c->need & NEED_NOCAP) {
		for (size_t i = 0; i < sizeof(nocap) / sizeof(nocap[0]); i++)
			argv[n++] = (char *)nocap[i];
		cr_assert_eq(chmod(tdir, 0777), 0);
	}
	argv[n++] = E2E_IOTRACE;
	first_filled = n;
	cmd = c->args[0] ? c->args[0] : "";
	/* a trace's options follow the command word, when it is given */
	if (!strcmp(cmd, "record"))
		argv[n++] = strdup(c->args[i++]);
	if (strcmp(cmd, "report") && strcmp(cmd, "debug")) {
		argv[n++] = strdup("-q");
		if (!has_output_opt(c)) {
			argv[n++] = strdup("-o");
			argv[n++] = strdup(in_dir("out.json"));
		}
	}
	for (; i < 8 && c->args[i]; i++)
		argv[n++] = fill(c->args[i]);
	argv[n] = NULL;
	if (c->env) {
		char *name = strndup(c->env, strcspn(c->env, "=")),
		     *value = fill(strchr(c->env, '=') + 1);

		cr_assert_eq(setenv(name, value, 1), 0);
		free(name);
		free(value);
	}
	describe(c, what, sizeof(what));
	cr_assert_eq(e2e_run(argv, 60, &p), 0);
	cr_expect_eq(p.status, c->exit, "%s: exit %d, want %d; stderr: %s", what, p.status, c->exit,
		     p.err);
	nl = strchr(p.err, '\n');
	cr_expect(!strncmp(p.err, "iotrace: ", 9) && nl && nl[1] == '\0',
		  "%s: stderr is not one \"iotrace: ...\" line: \"%s\"", what, p.err);
	cr_expect(strstr(p.err, c->msg), "%s: stderr \"%s\" does not say \"%s\"", what, p.err,
		  c->msg);
	cr_expect(stat(in_dir("out.json"), &st), "%s: an output file was written", what);
	e2e_proc_free(&p);
	for (size_t i = first_filled; i < n; i++)
		free(argv[i]);
}

/* ---- a comm longer than the kernel keeps ----------------------------------------- */

#define LONG_COMM "iotrace-e2e-very-long-name" /* 26 bytes; the kernel keeps 15 */

Test(bad_input, a_long_comm_is_truncated_like_the_kernel_with_a_warning, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE, "-o", NULL, "-q", "-c", LONG_COMM, NULL };
	char truncated[16], err_path[4096], *err = NULL, path[4096];
	struct trace t = { 0 };
	const struct jval *files, *rec = NULL;
	pid_t tracer, helper;
	int go[2], st;
	size_t len;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	snprintf(truncated, sizeof(truncated), "%.15s", LONG_COMM);
	cr_assert_eq(e2e_make_file(in_dir("named.dat"), 5000, 'n'), 0);
	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	helper = fork();
	cr_assert_geq(helper, 0);
	if (!helper) {
		char buf[8192], c;
		int fd;

		prctl(PR_SET_NAME, LONG_COMM); /* the kernel keeps the first 15 bytes */
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(20);
		fd = open(in_dir("named.dat"), O_RDONLY);
		_exit(fd >= 0 && read(fd, buf, sizeof(buf)) == 5000 ? 0 : 21);
	}
	close(go[0]);
	argv[2] = in_dir("out.json");
	snprintf(err_path, sizeof(err_path), "%s", in_dir("iotrace.err"));
	tracer = e2e_spawn((char *const *)argv, err_path);
	cr_assert_gt(tracer, 0);
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	close(go[1]);
	cr_assert_eq(waitpid(helper, &st, 0), helper);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "helper failed: %#x", st);
	kill(tracer, SIGINT);
	cr_assert_eq(e2e_wait(tracer, 30), 0);
	cr_assert_eq(e2e_read_file(err_path, &err, &len), 0);
	e2e_strip_attach_wait(err);
	cr_expect(
		strstr(err, "iotrace: comm '" LONG_COMM "' is longer than 15 bytes: matching '") &&
			strstr(err, truncated),
		"no truncation warning: %s", err);
	free(err);
	snprintf(t.out, sizeof(t.out), "%s", in_dir("out.json"));
	trace_validate(&t);
	files = jval_get(t.doc, "files");
	snprintf(path, sizeof(path), "%s", in_dir("named.dat"));
	for (size_t i = 0; i < jval_len(files); i++)
		if (jval_str_eq(jval_get(jval_idx(files, i), "path"), path))
			rec = jval_idx(files, i);
	cr_assert_not_null(rec, "the process named '%s' was not traced", truncated);
	cr_expect(jval_str_eq(jval_idx(jval_get(rec, "comms"), 0), truncated));
	cr_expect(jval_str_eq(jval_idx(jval_get(jval_get(t.doc, "filter"), "comms"), 0), truncated),
		  "filter.comms should show the name as matched");
	trace_free(&t);
}

/* ---- --bpf-object: the same objects from files trace as the built-in ones ---------- */

Test(bad_input, bpf_object_files_replace_the_built_in_objects, .fini = teardown)
{
	const char *argv[] = { E2E_IOTRACE,    "-q",
			       "-o",	       NULL,
			       "--bpf-object", OUT_DIR "/bpf/rw.bpf.o",
			       "--bpf-object", OUT_DIR "/bpf/task.bpf.o",
			       "--bpf-object", OUT_DIR "/asm/hist.o",
			       "--bpf-object", OUT_DIR "/asm/seq.o",
			       "--bpf-object", OUT_DIR "/asm/filter.o",
			       "--",	       "/bin/cat",
			       NULL,	       NULL };
	struct trace t = { 0 };
	struct e2e_proc p;
	char path[4096];
	bool found = false;
	const struct jval *files;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(in_dir("in.dat"), 3000, 'i'), 0);
	argv[3] = in_dir("out.json");
	argv[16] = in_dir("in.dat");
	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "exit %d: %s", p.status, p.err);
	e2e_proc_free(&p);
	snprintf(t.out, sizeof(t.out), "%s", in_dir("out.json"));
	trace_validate(&t);
	snprintf(path, sizeof(path), "%s", in_dir("in.dat"));
	files = jval_get(t.doc, "files");
	for (size_t i = 0; i < jval_len(files); i++)
		found |= jval_str_eq(jval_get(jval_idx(files, i), "path"), path);
	cr_expect(found, "cat's input was not traced with --bpf-object");
	trace_free(&t);
}
