// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace top` as a person uses it: in a real terminal (a tmux pane),
 * keys sent and the screen read back.  The workload is the bursts
 * scenario (its writes and fsyncs are known), so the screen is checked
 * against what it did: the file's row holds its writes, bytes and fsyncs;
 * reversing the sort and grouping by directory move the rows as they
 * should; the detail shows its histograms; a resize redraws to the new
 * width; q, Ctrl-C, SIGTERM and a crashing command all give the terminal
 * back (the pane leaves the alternate screen), and with -o the document
 * is written and valid.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "e2e.h"
#include "expect.h"
#include "workload.h"

static char sock[64];

/* tmux -L sock ARGS...: its stdout (malloc'd), asserting it ran */
static char *tmux(const char *arg0, ...)
{
	const char *argv[24] = { "tmux", "-L", sock };
	size_t argc = 3;
	struct e2e_proc r;
	va_list ap;
	char *out;

	va_start(ap, arg0);
	for (const char *a = arg0; a && argc < 23; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	cr_assert_eq(e2e_run((char *const *)argv, 20, &r), 0, "tmux did not run");
	out = r.out;
	r.out = NULL;
	e2e_proc_free(&r);
	return out;
}

static char *screen(void)
{
	return tmux("capture-pane", "-p", "-t", "t", NULL);
}

/* wait until the screen shows text; the screen then (malloc'd) */
static char *wait_for(const char *text, int timeout_ms)
{
	for (int t = 0;; t += 100) {
		char *s = screen();

		if (strstr(s, text))
			return s;
		if (t >= timeout_ms)
			cr_assert_fail("'%s' not on the screen after %d ms:\n%s", text, t, s);
		free(s);
		usleep(100000);
	}
}

static bool alternate_on(void)
{
	char *s = tmux("display-message", "-p", "-t", "t", "#{alternate_on}", NULL);
	bool on = s[0] == '1';

	free(s);
	return on;
}

static void keys(const char *k)
{
	free(tmux("send-keys", "-t", "t", k, NULL));
	usleep(300000);
}

static void start(const char *cmd, int cols, int rows)
{
	char x[16], y[16];

	static int starts;

	/* a server of its own each time: a new session never meets one being killed */
	snprintf(sock, sizeof(sock), "iotrace-top-test-%d-%d", (int)getpid(), starts++);
	snprintf(x, sizeof(x), "%d", cols);
	snprintf(y, sizeof(y), "%d", rows);
	free(tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", x, "-y", y, cmd, NULL));
}

static void stop(void)
{
	if (sock[0]) {
		const char *argv[] = { "tmux", "-L", sock, "kill-server", NULL };
		struct e2e_proc r;

		if (!e2e_run((char *const *)argv, 10, &r))
			e2e_proc_free(&r);
	}
	fx_teardown();
}

/* the words of the screen line holding needle */
static int words_of(const char *scr, const char *needle, char w[16][64])
{
	const char *p = strstr(scr, needle), *start;
	int n = 0;

	cr_assert_not_null(p, "no line with '%s' on the screen:\n%s", needle, scr);
	start = p;
	while (start > scr && start[-1] != '\n')
		start--;
	for (p = start; *p && *p != '\n' && n < 16;) {
		int k = 0;

		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && *p != '\n' && k < 63)
			w[n][k++] = *p++;
		w[n][k] = 0;
		if (k)
			n++;
	}
	return n;
}

/* the first row of the table, the line under its head (static) */
static const char *first_row(const char *scr)
{
	static char row[1024];
	const char *p = strstr(scr, "\nPATH");

	if (!p)
		p = strstr(scr, "\nGROUP");
	cr_assert_not_null(p, "no table head:\n%s", scr);
	p = strchr(p + 1, '\n');
	snprintf(row, sizeof(row), "%.*s", p ? (int)strcspn(p + 1, "\n") : 0, p ? p + 1 : "");
	return row;
}

/* 50 writes of 4 KiB and 4 fsyncs: the bursts scenario */
static uint64_t burst_writes(void)
{
	uint64_t n = 0;

	for (int p = 0; p < WL_BURST_PHASES; p++)
		n += WL_BURST_CALLS(p);
	return n;
}

Test(top, a_live_trace_shows_the_workload_and_the_keys_work, .fini = stop)
{
	char cmd[16384], done[4096], doc[4096], w[16][64], msg[2048], *s, *text;
	char want_bytes[16];
	size_t len;

	fx_setup("/tmp");
	snprintf(doc, sizeof(doc), "%s.json", fx_dir);
	snprintf(done, sizeof(done), "%s.exit", fx_dir);
	snprintf(cmd, sizeof(cmd), "%s top -o %s -- %s %s bursts; echo $? > %s; sleep 60",
		 E2E_IOTRACE, doc, E2E_WORKLOAD, fx_dir, done);
	start(cmd, 160, 40);
	s = wait_for("iotrace top - live", 20000);
	cr_expect(alternate_on(), "top does not draw on the alternate screen");
	free(s);

	/* the command ended: the totals of the whole trace stay on the screen */
	s = wait_for("trace ended", 30000);
	words_of(s, "/bursts.dat", w);
	cr_expect_eq(strtoull(w[3], NULL, 10), burst_writes(), "WRITES %s, want %llu:\n%s", w[3],
		     (unsigned long long)burst_writes(), s);
	snprintf(want_bytes, sizeof(want_bytes), "%lluK",
		 (unsigned long long)(burst_writes() * WL_BURST_WR / 1024));
	cr_expect_str_eq(w[5], want_bytes, "WBYTES");
	cr_expect_eq(strtoull(w[9], NULL, 10), WL_BURST_PHASES, "FSYNC %s", w[9]);
	cr_expect_str_eq(w[8], "100%", "SEQ%%");
	/* sorted by bytes written, largest first: the bursts file leads */
	cr_expect_not_null(strstr(first_row(s), "/bursts.dat"), "not first:\n%s", s);
	free(s);

	/* r: ascending, the file that wrote most goes to the end */
	keys("r");
	s = screen();
	cr_expect_null(strstr(first_row(s), "/bursts.dat"), "still first after r:\n%s", s);
	cr_expect_not_null(strstr(s, "ascending"), "the title does not say so:\n%s", s);
	free(s);
	keys("r");

	/* g: by directory; the workload's directory is one group with its writes */
	keys("g");
	s = wait_for("group by dir", 3000);
	{
		char dirrow[4096];

		snprintf(dirrow, sizeof(dirrow), "%s/ ", fx_dir);
		words_of(s, dirrow, w);
		cr_expect_eq(strtoull(w[3], NULL, 10), burst_writes(), "the group's WRITES:\n%s",
			     s);
	}
	free(s);
	keys("g");
	keys("g");
	keys("g");
	keys("g");
	s = wait_for("group by file", 3000);
	free(s);

	/* Enter: the detail of the selected row (the bursts file) with its histograms */
	keys("Enter");
	s = wait_for("write latency (", 3000);
	{
		char want[64];

		snprintf(want, sizeof(want),
			 "write latency (%llu):", (unsigned long long)burst_writes());
		cr_expect_not_null(strstr(s, want), "no '%s':\n%s", want, s);
		snprintf(want, sizeof(want), "fsync latency (%d):", WL_BURST_PHASES);
		cr_expect_not_null(strstr(s, want), "no '%s':\n%s", want, s);
		cr_expect_not_null(strstr(s, "timeline: bins"), "no timeline:\n%s", s);
	}
	free(s);
	keys("Escape");

	/* a resize redraws at the new width, without a key */
	free(tmux("resize-window", "-t", "t", "-x", "100", "-y", "30", NULL));
	usleep(600000);
	s = screen();
	for (char *l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		size_t n = strcspn(l, "\n");

		cr_expect_leq(n, 100, "a line of %zu columns after the resize: %.*s", n, (int)n, l);
	}
	cr_expect_not_null(strstr(s, "q quit"), "no key line after the resize:\n%s", s);
	{
		/* the key line is drawn on the last of the 30 rows */
		const char *help = strstr(s, "q quit");
		int row = 0;

		for (const char *p = s; help && p < help; p++)
			row += *p == '\n';
		cr_expect_eq(row, 29, "the key line on row %d after the resize to 30 rows",
			     row + 1);
	}
	free(s);

	/* q: the terminal back, the document written */
	keys("q");
	s = wait_for("", 0);
	free(s);
	for (int t = 0; t < 50 && access(done, F_OK); t++)
		usleep(100000);
	cr_assert_eq(e2e_read_file(done, &text, &len), 0, "top did not exit");
	cr_expect_eq(atoi(text), 0, "exit status %s", text);
	free(text);
	cr_expect(!alternate_on(), "the terminal is still on the alternate screen");
	cr_expect_eq(doc_validate(doc, DOCVAL_OWN_BUCKETS, msg, sizeof(msg)), 0, "%s", msg);

	/* -r: the same document in the same view */
	stop();
	fx_setup("/tmp");
	snprintf(cmd, sizeof(cmd), "%s top -r %s; sleep 60", E2E_IOTRACE, doc);
	start(cmd, 160, 40);
	s = wait_for("saved results", 10000);
	words_of(s, "/bursts.dat", w);
	cr_expect_eq(strtoull(w[3], NULL, 10), burst_writes(), "-r: WRITES %s", w[3]);
	free(s);
	keys("q");
	usleep(300000);
	cr_expect(!alternate_on(), "-r: the terminal is still on the alternate screen");
	unlink(doc);
}

/* how top ends, and the terminal given back each time */
static void ends_with(const char *what, const char *command, void (*end)(void))
{
	char cmd[16384], done[4096], *text;
	size_t len;

	fx_setup("/tmp");
	snprintf(done, sizeof(done), "%s.exit", fx_dir);
	/* a trap (not an ignore: exec resets it) keeps the shell alive past Ctrl-C */
	snprintf(cmd, sizeof(cmd), "trap : INT; %s top -- %s; echo $? > %s; sleep 60", E2E_IOTRACE,
		 command, done);
	start(cmd, 120, 30);
	free(wait_for("iotrace top - ", 20000));
	cr_expect(alternate_on(), "%s: not on the alternate screen", what);
	end();
	for (int t = 0; t < 100 && access(done, F_OK); t++)
		usleep(100000);
	cr_assert_eq(e2e_read_file(done, &text, &len), 0, "%s: top did not exit", what);
	free(text);
	cr_expect(!alternate_on(), "%s: the terminal is still on the alternate screen", what);
	{
		char *s = tmux("display-message", "-p", "-t", "t", "#{cursor_flag}", NULL);

		cr_expect_eq(s[0], '1', "%s: the cursor is still hidden", what);
		free(s);
	}
	stop();
}

static void send_ctrl_c(void)
{
	keys("C-c");
}

static void send_sigterm(void)
{
	char pat[4096];
	const char *argv[] = { "pkill", "-TERM", "-f", pat, NULL };
	struct e2e_proc r;

	/* anchored: tmux's own command line holds the same words */
	snprintf(pat, sizeof(pat), "^%s top -- sleep 30", E2E_IOTRACE);
	cr_assert_eq(e2e_run((char *const *)argv, 10, &r), 0);
	e2e_proc_free(&r);
}

static void wait_then_q(void)
{
	free(wait_for("trace ended", 20000));
	keys("q");
}

Test(top, ctrl_c_restores_the_terminal, .fini = stop)
{
	ends_with("Ctrl-C", "sleep 30", send_ctrl_c);
}

Test(top, sigterm_restores_the_terminal, .fini = stop)
{
	ends_with("SIGTERM", "sleep 30", send_sigterm);
}

Test(top, a_crashing_command_ends_the_trace_and_q_restores_the_terminal, .fini = stop)
{
	ends_with("a crash of the command", "sh -c 'sleep 1; kill -SEGV $$'", wait_then_q);
}

/* stdout not a terminal: a table per interval, and the totals at the end */
Test(top, without_a_terminal_it_prints_a_table_per_interval, .fini = fx_teardown)
{
	const char *argv[] = { E2E_IOTRACE,  "top", "--interval", "500ms", "--",
			       E2E_WORKLOAD, NULL,  "bursts",	  NULL };
	struct e2e_proc r;
	char w[16][64];
	const char *last;
	int tables = 0;

	fx_setup("/tmp");
	argv[6] = fx_dir;
	cr_assert_eq(e2e_run((char *const *)argv, 60, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	for (const char *p = r.out; (p = strstr(p, "iotrace top - live")); p++)
		tables++;
	cr_expect_geq(tables, 3, "%d tables in 2 s of 500 ms intervals", tables);
	last = strstr(r.out, "iotrace top - trace ended");
	cr_assert_not_null(last, "no final table:\n%s", r.out);
	words_of(last, "/bursts.dat", w);
	cr_expect_eq(strtoull(w[3], NULL, 10), burst_writes(), "final WRITES %s", w[3]);
	cr_expect_null(strchr(r.out, '\033'), "escape sequences without a terminal");
	e2e_proc_free(&r);
}
