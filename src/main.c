// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: a table of commands (record, the default; report; the
 * hidden debug commands), and record's options, declared once in a table
 * that drives both getopt_long and --help, so the two cannot disagree.
 * Usage errors exit 2, runtime errors 1; with a command to trace, iotrace
 * exits with that command's status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "top/top.h"
#include "cli/opt.h"
#include "format/document.h"
#include "report/report.h"

/* include/linux/threads.h: no pid is ever above 4 * 1024 * 1024 (64-bit) */
#define PID_MAX_LIMIT 4194304
#define PID_MAX_STR   "4194304"

enum opt_id {
	OPT_PID = 'p',
	OPT_COMM = 'c',
	OPT_DURATION = 'd',
	OPT_OUTPUT = 'o',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_FORMAT = 256,
	OPT_PER_PROCESS,
	OPT_MAX_FILES,
	OPT_VERIFIER_LOG,
	OPT_BPF_OBJECT,
	OPT_PATH,
	OPT_EXCLUDE,
	OPT_FSTYPE,
	OPT_EXCLUDE_FSTYPE,
	OPT_MAPPED,
	OPT_INTERVAL,
	OPT_STREAM,
	OPT_RESULT = 'r', /* iotrace top only */
};

static const struct opt_def opt_defs[] = {
	{ OPT_PID, "pid", "PID[,PID...]", "trace these processes (and what they fork)" },
	{ OPT_COMM, "comm", "NAME[,NAME...]", "trace processes with this command name (comm)" },
	{ OPT_DURATION, "duration", "TIME", "stop after TIME seconds (suffix ms, s, m or h)" },
	{ OPT_OUTPUT, "output", "FILE",
	  "write the result to FILE (default iotrace.json, - = stdout)" },
	{ OPT_FORMAT, "format", "json|csv", "result format (default json)" },
	{ OPT_PATH, "path", "PREFIX", "only files at or below PREFIX (repeatable)" },
	{ OPT_EXCLUDE, "exclude", "PREFIX", "no files at or below PREFIX (repeatable)" },
	{ OPT_FSTYPE, "fstype", "FS[,FS...]", "only files on these file system types" },
	{ OPT_EXCLUDE_FSTYPE, "exclude-fstype", "FS[,FS...]",
	  "no files on these file system types (proc,sysfs,...)" },
	{ OPT_MAPPED, "mapped", NULL, "count page faults on file mappings (costs each fault)" },
	{ OPT_INTERVAL, "interval", "TIME",
	  "timeline bins of TIME (default 1 s, doubling past 128 bins); with -o -, stream" },
	{ OPT_STREAM, "stream", "FILE", "write each interval's changes to FILE as a JSON line" },
	{ OPT_PER_PROCESS, "per-process", NULL, "one record per process and file" },
	{ OPT_MAX_FILES, "max-files", "N", "track at most N records (default 65536)" },
	{ OPT_VERIFIER_LOG, "verifier-log", "DIR", "save every program's verifier log in DIR" },
	{ OPT_BPF_OBJECT, "bpf-object", "FILE",
	  "load these BPF objects instead of the built-in ones (repeat for each)" },
	{ OPT_QUIET, "quiet", NULL, "no summary on stderr" },
	{ OPT_VERBOSE, "verbose", NULL, "more messages (-vv: debug)" },
	{ OPT_VERSION, "version", NULL, "print the version" },
	{ OPT_HELP, "help", NULL, "print this help" },
};

#define OPT_CNT (sizeof(opt_defs) / sizeof(opt_defs[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: iotrace [record] [OPTIONS] [-- COMMAND [ARGS...]]\n\n"
		   "Trace file I/O per file: calls, sizes, offsets, sequential access, fsync.\n"
		   "Targets: -p, -c and a COMMAND may be combined; children are followed.\n"
		   "With no target, every process but iotrace is traced.  The trace ends when\n"
		   "COMMAND and every -p process exited, after -d, or at SIGINT/SIGTERM/SIGHUP.\n"
		   "Such a signal is passed on to COMMAND, which is traced while it exits: 3 s\n"
		   "at most (then it is killed), none after a second signal.\n\n"
		   "options:\n");
	opt_help(f, opt_defs, OPT_CNT, 35);
	fprintf(f, "\nexamples:\n"
		   "  iotrace -o dd.json -- dd if=/dev/zero of=/tmp/x bs=64k count=256\n"
		   "  iotrace -c postgres -d 60 -o pg.json\n"
		   "\nAnalyze saved results: iotrace report --help\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	return opt_usage_error("", "iotrace", fmt, arg);
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > max)
		return -ERANGE;
	return 0;
}

/* split a comma list and hand each item to add(); empty items are errors */
static int each_item(const char *list, const char *what, int (*add)(struct options *, const char *),
		     struct options *o)
{
	char *copy = strdup(list), *save = NULL, *item;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	if (!*list || list[strlen(list) - 1] == ',' || *list == ',' || strstr(list, ",,"))
		err = usage_error(what, list);
	for (item = strtok_r(copy, ",", &save); item && !err; item = strtok_r(NULL, ",", &save))
		err = add(o, item);
	free(copy);
	return err;
}

static int add_pid(struct options *o, const char *s)
{
	unsigned long long v;
	pid_t *p;

	if (parse_u64(s, PID_MAX_LIMIT, &v) || v == 0)
		return usage_error("invalid pid '%s' (1 to " PID_MAX_STR ")", s);
	p = realloc(o->pids, (o->pid_cnt + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	o->pids = p;
	o->pids[o->pid_cnt++] = (pid_t)v;
	return 0;
}

static int add_comm(struct options *o, const char *s)
{
	char(*c)[COMM_LEN];

	if (strlen(s) >= COMM_LEN)
		pr_warn("comm '%s' is longer than %d bytes: matching '%.*s', as the kernel "
			"truncates command names",
			s, COMM_LEN - 1, COMM_LEN - 1, s);
	c = realloc(o->comms, (o->comm_cnt + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	o->comms = c;
	memset(c[o->comm_cnt], 0, COMM_LEN);
	strncpy(c[o->comm_cnt++], s, COMM_LEN - 1);
	return 0;
}

/* fio's and timeout(1)'s spelling: "90", "1.5", "500ms", "30s", "10m", "2h" */
static const struct {
	const char *suffix;
	double scale;
} duration_units[] = { { "", 1 }, { "s", 1 }, { "ms", 1e-3 }, { "m", 60 }, { "h", 3600 } };

/* seconds in [min, 1e9], or -EINVAL */
static int parse_time(const char *s, double min, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (!*s || end == s || errno || !isfinite(d))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		if (strcmp(end, duration_units[i].suffix))
			continue;
		d *= duration_units[i].scale;
		if (d < min || d > 1e9)
			return -EINVAL;
		*out = d;
		return 0;
	}
	return -EINVAL;
}

static int parse_duration(struct options *o, const char *s)
{
	if (!parse_time(s, 1e-3, &o->duration_s))
		return 0;
	return usage_error("invalid duration '%s' (seconds from 0.001 to 1e9, or a number "
			   "with ms, s, m or h)",
			   s);
}

static int parse_interval(struct options *o, const char *s)
{
	double d;

	if (!parse_time(s, 0.01, &d) && d <= 86400) {
		o->interval_ns = (uint64_t)(d * 1e9 + 0.5);
		return 0;
	}
	return usage_error("invalid interval '%s' (seconds from 0.01 to 86400, or a number "
			   "with ms, s, m or h)",
			   s);
}

static int add_bpf_object(struct options *o, const char *path)
{
	const char **v;

	if (!*path)
		return usage_error("empty --bpf-object path%s", "");
	v = realloc(o->bpf_objects, (o->bpf_object_cnt + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->bpf_objects = v;
	v[o->bpf_object_cnt++] = path;
	return 0;
}

static int add_prefix(struct options *o, bool exclude, const char *arg)
{
	char why[128];
	int err = filters_add_prefix(&o->filters, exclude, arg, why, sizeof(why));

	if (err == -EINVAL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "invalid --%s '%%s': %s", exclude ? "exclude" : "path",
			 why);
		return usage_error(msg, arg);
	}
	return err;
}

static int add_fstype(struct options *o, const char *name, bool exclude)
{
	char why[128];
	int err = filters_add_fstype(&o->filters, exclude, name, why, sizeof(why));

	if (err == -EINVAL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "invalid --%s '%%s': %s",
			 exclude ? "exclude-fstype" : "fstype", why);
		return usage_error(msg, name);
	}
	return err;
}

static int add_fstype_in(struct options *o, const char *name)
{
	return add_fstype(o, name, false);
}

static int add_fstype_out(struct options *o, const char *name)
{
	return add_fstype(o, name, true);
}

static int parse_one(struct options *o, int id, const char *arg)
{
	unsigned long long v;

	switch (id) {
	case OPT_PID:
		return each_item(arg, "invalid pid list '%s'", add_pid, o);
	case OPT_COMM:
		return each_item(arg, "invalid comm list '%s'", add_comm, o);
	case OPT_DURATION:
		return parse_duration(o, arg);
	case OPT_INTERVAL:
		return parse_interval(o, arg);
	case OPT_STREAM:
		if (!*arg)
			return usage_error("empty --stream path%s", "");
		o->stream = arg;
		return 0;
	case OPT_OUTPUT:
		if (!*arg)
			return usage_error("empty output path%s", "");
		o->output = arg;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(arg, "json") || !strcmp(arg, "csv")) {
			o->format = !strcmp(arg, "csv") ? FORMAT_CSV : FORMAT_JSON;
			return 0;
		}
		return usage_error("unknown format '%s' (json or csv)", arg);
	case OPT_PER_PROCESS:
		o->per_process = true;
		return 0;
	case OPT_MAPPED:
		o->mapped = true;
		return 0;
	case OPT_MAX_FILES:
		if (parse_u64(arg, 1U << 24, &v) || v == 0)
			return usage_error("invalid --max-files '%s' (1 to 16777216)", arg);
		o->max_files = (uint32_t)v;
		return 0;
	case OPT_VERIFIER_LOG:
		o->verifier_log_dir = arg;
		return 0;
	case OPT_BPF_OBJECT:
		return add_bpf_object(o, arg);
	case OPT_PATH:
	case OPT_EXCLUDE:
		return add_prefix(o, id == OPT_EXCLUDE, arg);
	case OPT_FSTYPE:
		return each_item(arg, "invalid --fstype list '%s'", add_fstype_in, o);
	case OPT_EXCLUDE_FSTYPE:
		return each_item(arg, "invalid --exclude-fstype list '%s'", add_fstype_out, o);
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_RESULT: {
		const char **v = realloc(o->results, (o->result_cnt + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->results = v;
		v[o->result_cnt++] = arg;
		return 0;
	}
	case OPT_VERBOSE:
		log_verbosity++;
		return 0;
	}
	return -EINVAL;
}

/* getopt's '?': an unknown option, or "--flag=value" for a flag without one */
static int unknown_option(const char *word)
{
	size_t n = strcspn(word, "=");

	for (size_t i = 0; i < OPT_CNT && !strncmp(word, "--", 2) && word[n]; i++)
		if (!opt_defs[i].arg && strlen(opt_defs[i].name) == n - 2 &&
		    !strncmp(word + 2, opt_defs[i].name, n - 2))
			return usage_error("option '--%s' takes no argument", opt_defs[i].name);
	return usage_error("unknown option '%s'", word);
}

/*
 * Combinations refused up front.  -o - with a command: the command's own
 * stdout would run into the document on the same stream (perf record -o -
 * has the same trap); write the result to a file or redirect the command.
 */
static int check_conflicts(struct options *o)
{
	bool out_stdout = o->output && !strcmp(o->output, "-");

	if (o->command && (out_stdout || (o->stream && !strcmp(o->stream, "-"))))
		return usage_error("%s with a command: its own output would mix with the result "
				   "on stdout (use a file)",
				   out_stdout ? "-o -" : "--stream -");
	/* -o - --interval: the intervals stream to stdout, the document ends it on one line */
	if (out_stdout && o->interval_ns && !o->stream)
		o->stream = "-";
	if (o->stream && !strcmp(o->stream, "-") && out_stdout && o->format == FORMAT_CSV)
		return usage_error("the stream on stdout is JSON lines: not with -o - --format "
				   "csv%s",
				   "");
	return 0;
}

/* edit distance of a and b (insertions, deletions, substitutions), for short words */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32], prev, tmp;

	if (lb >= sizeof(row) / sizeof(row[0]))
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *const command_names[] = { "record", "report", "top" };

/*
 * A first word that is no program here but nearly a command name
 * (`iotrace reprot x.json`) is a typo, not a command to trace.  After --,
 * a word is always the command.
 */
static int check_typo(char *const *command, bool after_dashes)
{
	char path[4096];

	if (after_dashes || !follow_check_command(command[0], path, sizeof(path)))
		return 0;
	for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++) {
		if (distance(command[0], command_names[i]) > 2)
			continue;
		snprintf(path, sizeof(path),
			 "'%.64s' is not a command of iotrace nor a program: "
			 "did you mean '%s'?",
			 command[0], command_names[i]);
		return usage_error("%s", path);
	}
	return 0;
}

/*
 * 0: parsed; 1: --help/--version done; -EINVAL: usage error (reported).
 * A value option given twice: the last one wins, as in perf and fio.
 */
struct cmd_opts {
	const struct opt_def *defs;
	size_t cnt;
	void (*usage)(FILE *f);
};

static int parse_args(int argc, char **argv, struct options *o, const struct cmd_opts *c)
{
	struct option longs[OPT_CNT + 2];
	char shorts[2 + OPT_SHORTS_SZ(OPT_CNT + 1)];
	int id, err = 0;

	opt_tables(c->defs, c->cnt, "+:", longs, shorts);
	opterr = 0;
	while (!err && (id = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (id == '?')
			return unknown_option(argv[optind - 1]);
		if (id == ':')
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		if (id == OPT_HELP) {
			c->usage(stdout);
			return 1;
		}
		if (id == OPT_VERSION) {
			printf("iotrace %s\n", IOTRACE_VERSION);
			return 1;
		}
		err = parse_one(o, id, optarg);
	}
	if (err)
		return err;
	if (optind < argc) {
		bool dashes = optind > 0 && !strcmp(argv[optind - 1], "--");

		if (dashes && !argv[optind][0])
			return usage_error("empty command after --%s", "");
		o->command = argv + optind;
		err = check_typo(o->command, dashes);
		if (err)
			return err;
	} else if (optind > 0 && !strcmp(argv[optind - 1], "--")) {
		return usage_error("no command after --%s", "");
	}
	return check_conflicts(o);
}

/* `iotrace [record] [OPTIONS] [-- COMMAND...]`; argv[0] is the program or "record" */
static int record_main(int argc, char **argv)
{
	struct options o = { .output = "iotrace.json", .max_files = 65536 };
	int err, code = 1;

	/* testing hook, not an option: CO-RE against another vmlinux BTF */
	o.btf_path = getenv("IOTRACE_BTF");
	/* tracefs mounted somewhere unusual (or, in tests, a tree without some events) */
	o.tracefs = getenv("IOTRACE_TRACEFS");
	err = parse_args(argc, argv, &o, &(struct cmd_opts){ opt_defs, OPT_CNT, usage });
	if (err > 0)
		code = 0; /* --help, --version */
	else if (err < 0)
		code = 2;
	else if (record_run(&o, &code))
		code = code > 1 ? code : 1;
	free(o.pids);
	free(o.comms);
	free(o.bpf_objects);
	filters_free(&o.filters);
	return code;
}

/* iotrace top: record's options (but --stream and -o -), and -r */
static struct opt_def top_defs[OPT_CNT + 1];
static size_t top_cnt;

static void top_usage(FILE *f)
{
	fprintf(f, "usage: iotrace top [OPTIONS] [-- COMMAND [ARGS...]]\n"
		   "       iotrace top -r RESULT.json [-r MORE.json...]\n\n"
		   "A live per-file view of the traced processes, refreshed every interval (1 s,\n"
		   "or --interval): calls and bytes per second, mean sizes, sequential share,\n"
		   "fsync per second and p99 latency, errors, rewrites.  Targets as for iotrace;\n"
		   "with -o the result document is written as a trace writes it.  -r shows\n"
		   "saved results in the same view.  When stdout is not a terminal, a table is\n"
		   "printed per interval.\n\n"
		   "keys: q quit, < > sort column, r reverse, g group (file, dir, ext, comm,\n"
		   "fstype), / filter, t totals or rates, p pause, + - interval, Up Down select,\n"
		   "Enter detail (histograms, timeline; <- -> scroll it), Esc back.\n\n"
		   "options:\n");
	opt_help(f, top_defs, top_cnt, 35);
}

static int top_main(int argc, char **argv)
{
	struct options o = { .output = NULL, .max_files = 65536 };
	int err, code = 2;

	top_cnt = 0;
	for (size_t i = 0; i < OPT_CNT; i++) {
		struct opt_def d = opt_defs[i];

		if (d.id == OPT_STREAM || d.id == OPT_FORMAT || d.id == OPT_QUIET)
			continue;
		if (d.id == OPT_OUTPUT)
			d.help = "also write the result document to FILE, as a trace does";
		if (d.id == OPT_INTERVAL)
			d.help = "refresh every TIME (default 1 s), the timeline's bins too";
		top_defs[top_cnt++] = d;
	}
	top_defs[top_cnt++] =
		(struct opt_def){ OPT_RESULT, "result", "FILE",
				  "show saved results instead of tracing (repeatable)" };
	o.btf_path = getenv("IOTRACE_BTF");
	o.tracefs = getenv("IOTRACE_TRACEFS");
	err = parse_args(argc, argv, &o, &(struct cmd_opts){ top_defs, top_cnt, top_usage });
	if (!err && o.output && !strcmp(o.output, "-"))
		err = opt_usage_error("top: ", "iotrace top",
				      "-o - would mix the document with the screen (use -o FILE)%s",
				      "");
	if (!err && o.result_cnt && (o.command || o.pid_cnt || o.comm_cnt || o.output))
		err = opt_usage_error("top: ", "iotrace top",
				      "-r shows saved results: no targets or -o with it%s", "");
	if (err > 0)
		code = 0;
	else if (!err)
		code = top_run(&o);
	free(o.pids);
	free(o.comms);
	free(o.bpf_objects);
	free(o.results);
	filters_free(&o.filters);
	return code;
}

/* `iotrace debug verify [DIR]`: the verifier-logs generator (make verifier-logs) */
static int debug_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "verify")) {
		usage_error("debug: the only debug command is 'verify [DIR]'%s", "");
		return 2;
	}
	return verify_run(argc > 2 ? argv[2] : ".") ? 1 : 0;
}

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
};

/* the first word picks a command; anything else is record's */
static const struct command commands[] = {
	{ "record", record_main },
	{ "report", report_main },
	{ "top", top_main },
	{ "debug", debug_main }, /* for developers: not in --help */
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return record_main(argc, argv);
}
