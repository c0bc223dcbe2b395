// SPDX-License-Identifier: GPL-2.0
/*
 * What users read agrees with the binary.  The options `iotrace --help`,
 * `iotrace report --help` and `iotrace top --help` print (short form, long
 * name, argument name) are the ones the OPTIONS sections of iotrace(1),
 * iotrace-report(1) and iotrace-top(1)
 * document, parsed from the roff (.TP tag lines); the bash and zsh
 * completions, run as the shells run them (tests/lib/bash-complete.bash,
 * tests/lib/zsh-complete.zsh), offer exactly those options, the values the
 * help lists for options that take one of a fixed set (each accepted by the
 * binary), files, pids and the traced command.  No kernel needed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"

#define MAX_OPTS  32
#define TIMEOUT_S 60

struct opt {
	char shrt;     /* 0: long only */
	char name[32]; /* the long name, without its dashes */
	char arg[32];  /* "" for a flag */
	char help[128];
};

struct opts {
	struct opt v[MAX_OPTS];
	size_t n;
};

/* a set of words: sorted, each once */
struct words {
	char **v;
	size_t n;
};

static const char *const record_help[] = { NULL, "--help", NULL };
static const char *const report_help[] = { NULL, "report", "--help", NULL };
static const char *const top_help[] = { NULL, "top", "--help", NULL };

/* ---- words ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void words_add(struct words *w, const char *s, size_t len)
{
	w->v = realloc(w->v, (w->n + 1) * sizeof(*w->v));
	cr_assert_not_null(w->v);
	w->v[w->n] = strndup(s, len);
	cr_assert_not_null(w->v[w->n]);
	w->n++;
}

static void words_sort(struct words *w)
{
	size_t k = 0;

	if (!w->n)
		return; /* w->v may be NULL, which qsort must not see */
	qsort(w->v, w->n, sizeof(*w->v), cmp_str);
	for (size_t i = 0; i < w->n; i++) {
		if (k && !strcmp(w->v[k - 1], w->v[i]))
			free(w->v[i]);
		else
			w->v[k++] = w->v[i];
	}
	w->n = k;
}

static bool words_has(const struct words *w, const char *s)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i], s))
			return true;
	return false;
}

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* got and want (both sorted) hold the same words; each difference is named */
static void expect_same_words(const struct words *got, const struct words *want, const char *what)
{
	for (size_t i = 0; i < want->n; i++)
		cr_expect(words_has(got, want->v[i]), "%s: '%s' is missing", what, want->v[i]);
	for (size_t i = 0; i < got->n; i++)
		cr_expect(words_has(want, got->v[i]), "%s: '%s' should not be there", what,
			  got->v[i]);
}

/* ---- --help ----------------------------------------------------------------------- */

/* argv with the binary under test as argv[0]; its stdout (exit 0, stderr empty) */
static char *run_ok(const char *const *args)
{
	const char *argv[8] = { E2E_IOTRACE };
	struct e2e_proc p;
	char *out;
	size_t n = 1;

	for (args++; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	cr_assert_eq(e2e_run((char *const *)argv, TIMEOUT_S, &p), 0);
	cr_assert_eq(p.status, 0, "%s %s: exit %d, stderr: %s", argv[0], argv[1], p.status, p.err);
	cr_assert_str_empty(p.err, "%s %s: stderr: %s", argv[0], argv[1], p.err);
	out = p.out;
	p.out = NULL;
	e2e_proc_free(&p);
	return out;
}

/*
 * "-p, --pid PID[,PID...]" or "--per-process": the option, its short form and
 * argument name into o; the rest of s, or NULL when s is not one.
 */
static const char *parse_option(const char *s, struct opt *o)
{
	size_t n;

	memset(o, 0, sizeof(*o));
	s += strspn(s, " ");
	if (s[0] == '-' && isalnum((unsigned char)s[1]) && s[2] == ',' && s[3] == ' ') {
		o->shrt = s[1];
		s += 4;
	}
	if (strncmp(s, "--", 2))
		return NULL;
	n = strcspn(s + 2, " ");
	if (!n || n >= sizeof(o->name))
		return NULL;
	memcpy(o->name, s + 2, n);
	s += 2 + n;
	if (s[0] == ' ' && s[1] && s[1] != ' ') {
		n = strcspn(s + 1, " ");
		if (n >= sizeof(o->arg))
			return NULL;
		memcpy(o->arg, s + 1, n);
		s += 1 + n;
	}
	return s;
}

/* The "options:" block of a --help: "  -p, --pid PID   description" lines up to a blank one. */
static void help_options(const char *const *args, struct opts *o)
{
	char *out = run_ok(args), *line = strstr(out, "\noptions:\n");

	cr_assert_not_null(line, "%s: no \"options:\" line in:\n%s", args[1], out);
	o->n = 0;
	for (line += 10; *line && *line != '\n'; line = strchr(line, '\n') + 1) {
		struct opt *op = &o->v[o->n];
		size_t len = strcspn(line, "\n");
		char text[256];
		const char *rest;

		cr_assert_lt(len, sizeof(text));
		memcpy(text, line, len);
		text[len] = '\0';
		rest = parse_option(text, op);
		cr_assert(rest && !strncmp(rest, "  ", 2),
			  "--help line not \"  -x, --name ARG  description\" with two blanks "
			  "before the description: \"%s\"",
			  text);
		rest += strspn(rest, " ");
		snprintf(op->help, sizeof(op->help), "%s", rest);
		cr_assert_lt(++o->n, MAX_OPTS);
		cr_assert(line[len] == '\n');
	}
	cr_assert_gt(o->n, 0, "%s: no options", args[1]);
	free(out);
}

/* ---- the man pages ---------------------------------------------------------------- */

/* roff escapes of text into plain text: 0, or -1 with *why naming what was not understood */
static int roff_plain(const char *in, char *out, size_t sz, const char **why)
{
	static const char *const chars[][2] = { { "aq", "'" }, { "dq", "\"" }, { "rs", "\\" } };
	size_t n = 0;

	for (; *in && n + 2 < sz; in++) {
		if (*in != '\\') {
			out[n++] = *in;
			continue;
		}
		switch (*++in) {
		case 'f': /* a font: \fB, \f(CW, \f[CR] */
			in += in[1] == '(' ? 3 : in[1] == '[' ? strcspn(in, "]") : 1;
			break;
		case '-':
		case 'e':
		case ' ':
			out[n++] = *in == 'e' ? '\\' : *in;
			break;
		case '&':
		case '%':
			break;
		case '(': {
			size_t i = 0;

			while (i < sizeof(chars) / sizeof(chars[0]) &&
			       strncmp(in + 1, chars[i][0], 2))
				i++;
			if (i == sizeof(chars) / sizeof(chars[0])) {
				*why = in - 1;
				return -1;
			}
			out[n++] = chars[i][1][0];
			in += 2;
			break;
		}
		default:
			*why = in - 1;
			return -1;
		}
		if (!*in)
			break;
	}
	out[n] = '\0';
	return 0;
}

/* the arguments of a macro line, quotes removed, into args[]; their count */
static size_t macro_args(char *s, char *args[], size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		if (*s == '"') {
			args[n++] = ++s;
			s += strcspn(s, "\"");
		} else {
			args[n++] = s;
			s += strcspn(s, " \t");
		}
		if (*s)
			*s++ = '\0';
	}
	return n;
}

/*
 * A tag line as it reads: text, or one of the font macros (.B and .I join
 * their arguments with blanks, .BR and the like alternate fonts without
 * any); then its escapes.
 */
static int roff_line_text(const char *line, char *out, size_t sz, const char **why)
{
	static const char *const fonts = " B I BR BI IB IR RB RI ";
	char buf[512], joined[512] = "", *args[16], name[8];
	size_t n;
	bool blanks;

	if (line[0] != '.')
		return roff_plain(line, out, sz, why);
	snprintf(buf, sizeof(buf), "%s", line + 1);
	n = macro_args(buf, args, 16);
	snprintf(name, sizeof(name), " %.5s ", n ? args[0] : "");
	if (!n || !strstr(fonts, name)) {
		*why = line;
		return -1;
	}
	blanks = !args[0][1];
	for (size_t i = 1; i < n; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			 blanks && i > 1 ? " " : "", args[i]);
	return roff_plain(joined, out, sz, why);
}

/* The options of a page's OPTIONS section: the line after each .TP at its level. */
static void man_options(const char *page, struct opts *o)
{
	char *text, *line, *next, path[256];
	bool in_options = false, tag = false;
	int depth = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/docs/man/%s", SRC_DIR, page);
	cr_assert_eq(e2e_read_file(path, &text, &len), 0, "cannot read %s", path);
	o->n = 0;
	for (line = text; line && *line; line = next) {
		char plain[256];
		const char *why = NULL, *rest;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, ".SH", 3)) {
			in_options = !strcmp(line, ".SH OPTIONS");
			continue;
		}
		if (!in_options)
			continue;
		depth += !strncmp(line, ".RS", 3) - !strncmp(line, ".RE", 3);
		if (tag) {
			cr_assert_eq(roff_line_text(line, plain, sizeof(plain), &why), 0,
				     "%s: a .TP tag I cannot read at \"%s\"", page, why);
			rest = parse_option(plain, &o->v[o->n]);
			cr_assert(rest && !*rest, "%s: .TP tag \"%s\" is not \"-x, --name ARG\"",
				  page, plain);
			cr_assert_lt(++o->n, MAX_OPTS);
		}
		tag = depth == 0 && !strcmp(line, ".TP");
	}
	cr_assert_gt(o->n, 0, "%s: no .TP blocks in OPTIONS", page);
	free(text);
}

static const struct opt *find_opt(const struct opts *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].name, name))
			return &o->v[i];
	return NULL;
}

static void expect_man_documents_help(const char *const *args, const char *page)
{
	struct opts help, man;

	help_options(args, &help);
	man_options(page, &man);
	for (size_t i = 0; i < help.n; i++) {
		const struct opt *h = &help.v[i], *m = find_opt(&man, h->name);

		cr_expect_not_null(m, "%s does not document --%s", page, h->name);
		if (!m)
			continue;
		cr_expect_eq(m->shrt, h->shrt, "--%s: short form '%c' in --help, '%c' in %s",
			     h->name, h->shrt ? h->shrt : ' ', m->shrt ? m->shrt : ' ', page);
		cr_expect_str_eq(m->arg, h->arg, "--%s: argument \"%s\" in --help, \"%s\" in %s",
				 h->name, h->arg, m->arg, page);
	}
	for (size_t i = 0; i < man.n; i++)
		cr_expect_not_null(find_opt(&help, man.v[i].name),
				   "%s documents --%s, which --help does not list", page,
				   man.v[i].name);
	cr_expect_eq(man.n, help.n, "%s: %zu options, --help: %zu (one documented twice?)", page,
		     man.n, help.n);
}

Test(docs, iotrace_1_documents_the_options_of_help)
{
	expect_man_documents_help(record_help, "iotrace.1");
}

Test(docs, iotrace_report_1_documents_the_options_of_report_help)
{
	expect_man_documents_help(report_help, "iotrace-report.1");
}

Test(docs, iotrace_top_1_documents_the_options_of_top_help)
{
	expect_man_documents_help(top_help, "iotrace-top.1");
}

Test(docs, man_pages_name_the_version_of_the_binary)
{
	static const char *const version[] = { NULL, "--version", NULL };
	static const char *const pages[] = { "iotrace.1", "iotrace-report.1", "iotrace-top.1" };
	char *out = run_ok(version), want[64];

	/* "iotrace X.Y.Z\n" is the .TH source field, "iotrace X.Y.Z" */
	snprintf(want, sizeof(want), "\"%.*s\"", (int)strcspn(out, "\n"), out);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char path[256], *text, *th;
		size_t len;

		snprintf(path, sizeof(path), "%s/docs/man/%s", SRC_DIR, pages[i]);
		cr_assert_eq(e2e_read_file(path, &text, &len), 0);
		th = strstr(text, "\n.TH ");
		cr_assert_not_null(th, "%s: no .TH line", pages[i]);
		th[strcspn(th + 1, "\n") + 1] = '\0';
		cr_expect_not_null(strstr(th, want), "%s: %s does not name %s", pages[i], th + 1,
				   want);
		free(text);
	}
	free(out);
}

/* ---- completions ------------------------------------------------------------------ */

enum shell { BASH, ZSH };

#define MAX_LINES 16

static const char *const shell_names[] = { "bash", "zsh" };

static void require_shell(enum shell sh)
{
	const char *argv[] = { "zsh", "-fc", "zmodload zsh/zpty", NULL };
	struct e2e_proc p;

	if (sh == BASH) {
		if (access("/usr/share/bash-completion/bash_completion", R_OK))
			cr_skip_test("bash-completion is not installed (make deps installs it)");
		return;
	}
	cr_assert_eq(e2e_run((char *const *)argv, TIMEOUT_S, &p), 0);
	e2e_proc_free(&p);
	if (p.status)
		cr_skip_test("no zsh with zsh/zpty here: the zsh completion is not checked");
}

/* what the shell offers, in dir, for each of lines[0..n): a set each in w[] */
static void complete(enum shell sh, const char *dir, const char *const *lines, size_t n,
		     struct words *w)
{
	const char *argv[8 + MAX_LINES] = { "bash", "--norc", "--noprofile",
					    SRC_DIR "/tests/lib/bash-complete.bash",
					    SRC_DIR "/completions/iotrace.bash" };
	size_t argc = 5, k = 0;
	struct e2e_proc p;

	if (sh == ZSH) {
		argv[0] = "zsh", argv[1] = "-f", argv[2] = SRC_DIR "/tests/lib/zsh-complete.zsh";
		argv[3] = SRC_DIR "/completions", argc = 4;
	}
	cr_assert_leq(n, MAX_LINES);
	argv[argc++] = dir;
	for (size_t i = 0; i < n; i++)
		argv[argc++] = lines[i];
	argv[argc] = NULL;
	cr_assert_eq(e2e_run((char *const *)argv, 120, &p), 0);
	cr_assert_eq(p.status, 0, "%s: completing '%s'...: exit %d, stderr: %s", argv[0], lines[0],
		     p.status, p.err);
	cr_expect_str_empty(p.err, "%s: completing '%s'...: stderr: %s", argv[0], lines[0], p.err);
	memset(w, 0, n * sizeof(*w));
	for (const char *s = p.out; *s; s += strcspn(s, "\n"), s += *s == '\n') {
		size_t len = strcspn(s, "\n");

		if (!len)
			continue;
		cr_assert_lt(k, n, "%s: more output than completions: %s", argv[0], s);
		if (len == 17 && !strncmp(s, "END_OF_COMPLETION", len))
			words_sort(&w[k++]);
		else
			words_add(&w[k], s, len);
	}
	cr_assert_eq(k, n, "%s: %zu of %zu completions ended", argv[0], k, n);
	e2e_proc_free(&p);
}

/* "-p", "--pid", ... of a --help; only the long ones with long_only */
static void option_words(const struct opts *o, bool long_only, struct words *w)
{
	char s[40];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < o->n; i++) {
		snprintf(s, sizeof(s), "-%c", o->v[i].shrt);
		if (o->v[i].shrt && !long_only)
			words_add(w, s, strlen(s));
		snprintf(s, sizeof(s), "--%s", o->v[i].name);
		words_add(w, s, strlen(s));
	}
	words_sort(w);
}

/* lines that complete options: every option of a --help, or every long one */
static const struct {
	const char *line;
	int cmd; /* 0 record, 1 report, 2 top */
	bool long_only;
} option_lines[] = {
	{ "iotrace -", 0, false },	  { "iotrace --", 0, true },
	{ "iotrace record -", 0, false }, { "iotrace report -", 1, false },
	{ "iotrace report --", 1, true }, { "iotrace top -", 2, false },
	{ "iotrace top --", 2, true },
};
#define OPTION_LINE_CNT (sizeof(option_lines) / sizeof(option_lines[0]))

static void expect_options_of_help(enum shell sh)
{
	const char *lines[OPTION_LINE_CNT];
	struct words got[OPTION_LINE_CNT], want;
	struct opts help[3];

	require_shell(sh);
	help_options(record_help, &help[0]);
	help_options(report_help, &help[1]);
	help_options(top_help, &help[2]);
	for (size_t i = 0; i < OPTION_LINE_CNT; i++)
		lines[i] = option_lines[i].line;
	complete(sh, "/", lines, OPTION_LINE_CNT, got);
	for (size_t i = 0; i < OPTION_LINE_CNT; i++) {
		char what[64];

		snprintf(what, sizeof(what), "%s: '%s'", shell_names[sh], lines[i]);
		option_words(&help[option_lines[i].cmd], option_lines[i].long_only, &want);
		expect_same_words(&got[i], &want, what);
		words_free(&got[i]);
		words_free(&want);
	}
}

Test(docs, bash_completion_offers_the_options_of_help)
{
	expect_options_of_help(BASH);
}

Test(docs, zsh_completion_offers_the_options_of_help)
{
	expect_options_of_help(ZSH);
}

/*
 * The values --help lists for an option: its argument "json|csv", or the
 * words of its description "bytes, calls, ... or fsync (default bytes)",
 * without parenthesized remarks and "[:DEPTH]".
 */
static void help_values(const struct opt *o, struct words *w)
{
	const char *list = strchr(o->arg, '|') ? o->arg : o->help;
	char buf[160], *item, *save = NULL;
	size_t n = 0;

	for (int paren = 0, br = 0; *list && n + 1 < sizeof(buf); list++) {
		paren += (*list == '(') - (*list == ')');
		br += (*list == '[') - (*list == ']');
		if (!paren && !br && !strchr("()[]", *list))
			buf[n++] = *list == '|' || *list == ',' ? ' ' : *list;
	}
	buf[n] = '\0';
	memset(w, 0, sizeof(*w));
	for (item = strtok_r(buf, " ", &save); item; item = strtok_r(NULL, " ", &save))
		if (strcmp(item, "or"))
			words_add(w, item, strlen(item));
	words_sort(w);
}

/* `iotrace [report] --name value --version|--help` exits 0: the value parses */
static int parse_status(bool report, const char *name, const char *value)
{
	char opt[40];
	const char *argv[8] = { E2E_IOTRACE };
	struct e2e_proc p;
	size_t n = 1;

	snprintf(opt, sizeof(opt), "--%s", name);
	if (report)
		argv[n++] = "report";
	argv[n++] = opt;
	argv[n++] = value;
	argv[n++] = report ? "--help" : "--version";
	argv[n] = NULL;
	cr_assert_eq(e2e_run((char *const *)argv, TIMEOUT_S, &p), 0);
	e2e_proc_free(&p);
	return p.status;
}

/* the options whose argument is one of a fixed set of words */
static const struct {
	bool report;
	const char *name;
	const char *line;
} fixed_sets[] = {
	{ false, "format", "iotrace --format " },
	{ true, "sort", "iotrace report --sort " },
	{ true, "by", "iotrace report --by " },
	{ true, "format", "iotrace report --format " },
	{ true, "color", "iotrace report --color " },
};
#define FIXED_CNT (sizeof(fixed_sets) / sizeof(fixed_sets[0]))

static void expect_value_set(enum shell sh, size_t i, struct words *got)
{
	bool report = fixed_sets[i].report;
	struct opts help;
	const struct opt *o;
	struct words want;
	char what[96];

	help_options(report ? report_help : record_help, &help);
	o = find_opt(&help, fixed_sets[i].name);
	cr_assert_not_null(o, "--help has no --%s", fixed_sets[i].name);
	help_values(o, &want);
	snprintf(what, sizeof(what), "%s: '%s'", shell_names[sh], fixed_sets[i].line);
	expect_same_words(got, &want, what);
	for (size_t k = 0; k < got->n; k++)
		cr_expect_eq(parse_status(report, o->name, got->v[k]), 0,
			     "%s: iotrace refuses '%s'", what, got->v[k]);
	cr_expect_eq(parse_status(report, o->name, "no-such-value"), 2,
		     "--%s no-such-value is not a usage error", o->name);
	words_free(&want);
}

static void expect_values_of_help(enum shell sh)
{
	const char *lines[FIXED_CNT];
	struct words got[FIXED_CNT];

	require_shell(sh);
	for (size_t i = 0; i < FIXED_CNT; i++)
		lines[i] = fixed_sets[i].line;
	complete(sh, "/", lines, FIXED_CNT, got);
	for (size_t i = 0; i < FIXED_CNT; i++) {
		expect_value_set(sh, i, &got[i]);
		words_free(&got[i]);
	}
}

Test(docs, bash_completion_offers_the_values_help_lists)
{
	expect_values_of_help(BASH);
}

Test(docs, zsh_completion_offers_the_values_help_lists)
{
	expect_values_of_help(ZSH);
}

/* files for -o and report's documents, commands, and "record" and "report" only first */
static const struct {
	const char *line;
	const char *word;
	bool offered;
} operands[] = {
	{ "iotrace -o ", "result.json", true },
	{ "iotrace record -o ", "result.json", true },
	{ "iotrace report ", "result.json", true },
	{ "iotrace report --by dir ", "result.json", true },
	{ "iotrace rep", "report", true },
	{ "iotrace rec", "record", true },
	{ "iotrace to", "top", true },
	{ "iotrace top -r ", "result.json", true },
	{ "iotrace top -o ", "result.json", true },
	{ "iotrace -q rep", "report", false },
	{ "iotrace record rep", "report", false },
	{ "iotrace -- tru", "true", true },
	{ "iotrace record -- tru", "true", true },
	/* the command's arguments are completed as the command's own */
	{ "iotrace -q -- iotrace --vers", "--version", true },
	{ "iotrace -q -- iotrace --vers", "--verbose", false },
};
#define OPERAND_CNT (sizeof(operands) / sizeof(operands[0]))

static void expect_operands(enum shell sh)
{
	const char *lines[OPERAND_CNT];
	struct words got[OPERAND_CNT];
	char *dir, path[512];

	require_shell(sh);
	dir = e2e_tmpdir("/tmp");
	snprintf(path, sizeof(path), "%s/result.json", dir);
	cr_assert_eq(e2e_make_file(path, 1, 'x'), 0);
	for (size_t i = 0; i < OPERAND_CNT; i++)
		lines[i] = operands[i].line;
	complete(sh, dir, lines, OPERAND_CNT, got);
	for (size_t i = 0; i < OPERAND_CNT; i++) {
		cr_expect_eq(words_has(&got[i], operands[i].word), operands[i].offered,
			     "%s: '%s' %s '%s'", shell_names[sh], lines[i],
			     operands[i].offered ? "does not offer" : "offers", operands[i].word);
		words_free(&got[i]);
	}
	e2e_rmtree(dir);
	free(dir);
}

Test(docs, bash_completion_offers_files_and_commands)
{
	expect_operands(BASH);
}

Test(docs, zsh_completion_offers_files_and_commands)
{
	expect_operands(ZSH);
}

/* bash: every pid (this one too), also after a comma; zsh: those of its terminal */
Test(docs, bash_completion_offers_pids)
{
	static const char *const lines[] = { "iotrace -p ", "iotrace -p 1," };
	struct words got[2];
	char me[24], after[32];

	require_shell(BASH);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	snprintf(after, sizeof(after), "1,%s", me);
	complete(BASH, "/", lines, 2, got);
	cr_expect(words_has(&got[0], me), "bash: 'iotrace -p ' does not offer %s", me);
	cr_expect(words_has(&got[1], after), "bash: 'iotrace -p 1,' does not offer %s", after);
	words_free(&got[0]);
	words_free(&got[1]);
}

Test(docs, zsh_completion_offers_pids)
{
	static const char *const line = "iotrace -p ";
	struct words got;

	require_shell(ZSH);
	complete(ZSH, "/", &line, 1, &got);
	cr_expect_gt(got.n, 0, "zsh: 'iotrace -p ' offers no pid");
	for (size_t i = 0; i < got.n; i++)
		cr_expect_eq(strspn(got.v[i], "0123456789"), strlen(got.v[i]),
			     "zsh: 'iotrace -p ' offers '%s'", got.v[i]);
	words_free(&got);
}

/*
 * The zsh descriptions are the help's, as _arguments wants them inside '...':
 * "[description]" with its brackets escaped (\[ \]) and a quote as '\''.
 */
static void zsh_description(const char *help, char *out, size_t sz)
{
	size_t n = 0;

	out[n++] = '[';
	for (; *help && n + 6 < sz; help++) {
		if (*help == '[' || *help == ']')
			out[n++] = '\\';
		if (*help == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
			continue;
		}
		out[n++] = *help;
	}
	out[n++] = ']';
	out[n] = '\0';
}

Test(docs, zsh_completion_describes_options_as_help_does)
{
	const char *const *helps[] = { record_help, report_help, top_help };
	char *text;
	size_t len;

	cr_assert_eq(e2e_read_file(SRC_DIR "/completions/_iotrace", &text, &len), 0);
	for (size_t i = 0; i < 3; i++) {
		struct opts help;
		char want[256];

		help_options(helps[i], &help);
		for (size_t k = 0; k < help.n; k++) {
			zsh_description(help.v[k].help, want, sizeof(want));
			cr_expect_not_null(strstr(text, want), "_iotrace: --%s is not described %s",
					   help.v[k].name, want);
		}
	}
	free(text);
}
