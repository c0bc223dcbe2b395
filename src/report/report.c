// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report RESULT.json...`: the command line (options declared once
 * in a table that drives getopt_long and --help) and the pipeline: read and
 * merge every document, select (--path, --glob), group (--by), pick one
 * entry (--file), then write a table, a detail, a document or CSV.
 * Usage errors exit 2, every other error 1 with one message.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "format/document.h"
#include "report/report.h"
#include "format/json.h"
#include "cli/log.h"
#include "cli/opt.h"

enum ropt_id {
	RO_TOP = 'n',
	RO_SORT = 's',
	RO_BY = 'b',
	RO_FILE = 'f',
	RO_HELP = 'h',
	RO_WIDE = 'w',
	RO_PATH = 256,
	RO_GLOB,
	RO_EXCLUDE,
	RO_FORMAT,
	RO_COLOR,
	RO_TABLE,
	RO_NO_FINDINGS,
	RO_HTML,
	RO_FIO,
};

static const struct opt_def ropt_defs[] = {
	{ RO_TOP, "top", "N", "show the first N rows of the table (default 20, 0 = all)" },
	{ RO_SORT, "sort", "KEY", "bytes, calls, errors, seq, rewrites or fsync (default bytes)" },
	{ RO_BY, "by", "GROUPING", "dir[:DEPTH], ext, comm, pid, fstype or file (default file)" },
	{ RO_PATH, "path", "PREFIX", "only files at or below PREFIX (repeatable)" },
	{ RO_GLOB, "glob", "PATTERN", "only files whose path matches PATTERN (repeatable)" },
	{ RO_EXCLUDE, "exclude", "PATTERN",
	  "leave out files whose path matches PATTERN (repeatable)" },
	{ RO_WIDE, "wide", NULL, "never shorten paths (default: fit the terminal width)" },
	{ RO_NO_FINDINGS, "no-findings", NULL,
	  "leave out the findings (rules that turn the figures into advice)" },
	{ RO_FILE, "file", "PATH",
	  "the detail of one file (a unique end of its path will do), or group" },
	{ RO_FORMAT, "format", "FORMAT", "text, json (a result document) or csv" },
	{ RO_FIO, "fio-job", "OUT.fio",
	  "also write a fio job file that replays the I/O of the busiest files" },
	{ RO_HTML, "html", "OUT.html",
	  "also write one self-contained HTML page: charts, findings, a sortable table" },
	{ RO_TABLE, "table", "TABLE",
	  "with csv: files (default), or a long table: timeline, syscalls or hist" },
	{ RO_COLOR, "color", "WHEN", "auto (a terminal without NO_COLOR), always or never" },
	{ RO_HELP, "help", NULL, "print this help" },
};

#define ROPT_CNT (sizeof(ropt_defs) / sizeof(ropt_defs[0]))

enum rformat { RF_TEXT, RF_JSON, RF_CSV };

/* the CSV tables (--table) */
enum { TABLE_FILES, TABLE_TIMELINE, TABLE_SYSCALLS, TABLE_HIST, TABLE_CNT };
static const char *const tables[TABLE_CNT] = { "files", "timeline", "syscalls", "hist" };

struct ropts {
	enum rsort sort;
	size_t top;
	struct rgroup group;
	const char *by_name; /* NULL for files */
	char **prefixes, **globs, **excludes;
	size_t prefix_cnt, glob_cnt, exclude_cnt;
	bool wide;
	bool no_findings;
	const char *html; /* --html OUT.html */
	const char *fio;  /* --fio-job OUT.fio */
	const char *file;
	enum rformat format;
	int table; /* --table: an index of tables[] */
	int color; /* -1: auto */
	char **inputs;
	size_t input_cnt;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: iotrace report [OPTIONS] RESULT.json [MORE.json...]\n\n"
		   "Analyze saved results: the same file (path, dev, ino; and pid with\n"
		   "--per-process results) in several documents is one entry with its counters\n"
		   "summed and its histograms merged.  A document may be '-' (stdin).  --path,\n"
		   "--glob and --exclude select files before grouping; -n and --sort shape the\n"
		   "table only: json and csv hold every entry, sorted by path.\n\noptions:\n");
	opt_help(f, ropt_defs, ROPT_CNT, 26);
	fprintf(f, "\nexamples:\n"
		   "  iotrace report run1.json run2.json\n"
		   "  iotrace report --by dir:2 --sort calls -n 10 pg.json\n"
		   "  iotrace report --glob '*.log' --file /var/log/app.log pg.json\n"
		   "  iotrace report --exclude '/usr/*' --exclude '/etc/*' -w run.json\n"
		   "  iotrace report --by ext --format json pg.json > by-ext.json\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	return opt_usage_error("report: ", "iotrace report", fmt, arg);
}

/* s is one of names[0..n): its index, else -1 */
static int pick(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_by(struct ropts *o, const char *arg)
{
	static const char *const names[] = { "file", "dir", "ext", "comm", "fstype", "pid" };
	const char *colon = strchr(arg, ':');
	char name[8] = "";
	int by;

	if ((size_t)(colon ? colon - arg : (long)strlen(arg)) < sizeof(name))
		snprintf(name, sizeof(name), "%.*s", (int)(colon ? colon - arg : 7), arg);
	by = pick(name, names, 6);
	o->group = (struct rgroup){ .by = (enum rby)by, .depth = UINT_MAX };
	if (by < 0 || (colon && by != BY_DIR))
		return usage_error("unknown grouping '%s'", arg);
	if (colon) {
		char *end;
		unsigned long d;

		errno = 0;
		d = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || errno || d > 4096 || colon[1] == '-')
			return usage_error("invalid directory depth in '%s'", arg);
		o->group.depth = (unsigned int)d;
	}
	o->by_name = by == BY_FILE ? NULL : arg;
	return 0;
}

static int parse_top(struct ropts *o, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *arg == '-' || v > SIZE_MAX)
		return usage_error("invalid row count '%s'", arg);
	o->top = (size_t)v;
	return 0;
}

static int parse_one(struct ropts *o, int id, char *arg)
{
	static const char *const sorts[] = {
		"bytes", "calls", "errors", "seq", "rewrites", "fsync"
	};
	static const char *const formats[] = { "text", "json", "csv" };
	static const char *const colors[] = { "never", "always", "auto" };
	int v;

	switch (id) {
	case RO_TOP:
		return parse_top(o, arg);
	case RO_SORT:
		v = pick(arg, sorts, 6);
		o->sort = (enum rsort)v;
		return v < 0 ? usage_error("unknown sort key '%s'", arg) : 0;
	case RO_BY:
		return parse_by(o, arg);
	case RO_PATH:
		o->prefixes[o->prefix_cnt++] = arg;
		return 0;
	case RO_GLOB:
		o->globs[o->glob_cnt++] = arg;
		return 0;
	case RO_EXCLUDE:
		o->excludes[o->exclude_cnt++] = arg;
		return 0;
	case RO_WIDE:
		o->wide = true;
		return 0;
	case RO_NO_FINDINGS:
		o->no_findings = true;
		return 0;
	case RO_HTML:
		o->html = arg;
		return 0;
	case RO_FIO:
		o->fio = arg;
		return 0;
	case RO_FILE:
		o->file = arg;
		return 0;
	case RO_FORMAT:
		v = pick(arg, formats, 3);
		o->format = (enum rformat)v;
		return v < 0 ? usage_error("unknown format '%s' (text, json or csv)", arg) : 0;
	case RO_TABLE:
		o->table = pick(arg, tables, TABLE_CNT);
		return o->table < 0
			       ? usage_error("unknown --table '%s' (files, timeline, syscalls or "
					     "hist)",
					     arg)
			       : 0;
	case RO_COLOR:
		v = pick(arg, colors, 3);
		o->color = v == 2 ? -1 : v;
		return v < 0 ? usage_error("unknown --color '%s' (auto, always or never)", arg) : 0;
	}
	return -EINVAL;
}

/* 0: parsed; 1: --help done; -EINVAL: usage error (reported) */
static int parse_args(int argc, char **argv, struct ropts *o)
{
	struct option longs[ROPT_CNT + 1];
	char shorts[1 + OPT_SHORTS_SZ(ROPT_CNT)]; /* ":": options may follow the files */
	int id, err = 0;

	opt_tables(ropt_defs, ROPT_CNT, ":", longs, shorts);
	opterr = 0;
	optind = 0; /* glibc: a full restart, for callers that parse twice (tests) */
	while (!err && (id = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (id == '?')
			return usage_error("unknown option '%s'", argv[optind - 1]);
		if (id == ':')
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		if (id == RO_HELP)
			return 1;
		err = parse_one(o, id, optarg);
	}
	o->inputs = argv + optind;
	o->input_cnt = (size_t)(argc - optind);
	if (!err && !o->input_cnt)
		return usage_error("no result document given%s", "");
	if (!err && o->table != TABLE_FILES && o->format != RF_CSV)
		return usage_error("--table %s is a CSV table: give --format csv",
				   tables[o->table]);
	return err;
}

/* ---- the pipeline ------------------------------------------------------------------ */

static int read_all(struct rmodel *m, const struct ropts *o)
{
	struct rerr err;
	int ret = 0;

	for (size_t i = 0; i < o->input_cnt && !ret; i++) {
		ret = report_read_file(m, o->inputs[i], &err);
		if (ret == -ENOMEM)
			pr_warn("report: %s: out of memory", o->inputs[i]);
		else if (ret)
			pr_warn("report: %s", err.msg);
	}
	return ret;
}

/* name ends path at a component boundary: "db/table.dat" ends "/data/db/table.dat" */
static bool ends(const char *path, size_t len, const char *name)
{
	size_t nl = strlen(name);

	return nl && nl <= len && !memcmp(path + len - nl, name, nl) &&
	       (nl == len || name[0] == '/' || path[len - nl - 1] == '/');
}

/* e's path, or a name it had before, ends with name (see ends) */
static bool named_by_suffix(const struct rentry *e, const char *name)
{
	if (ends(e->path, e->path_len, name))
		return true;
	for (size_t i = 0; i < e->former.cnt; i++)
		if (ends(e->former.v[i], strlen(e->former.v[i]), name))
			return true;
	return false;
}

/* e is called name: its path, or a name it had before (former_paths) */
static bool named(const struct rentry *e, const char *name)
{
	if (e->path_len == strlen(name) && !memcmp(e->path, name, e->path_len))
		return true;
	for (size_t i = 0; i < e->former.cnt; i++)
		if (!strcmp(e->former.v[i], name))
			return true;
	return false;
}

static bool excluded(const struct rentry *e, const struct ropts *o)
{
	for (size_t i = 0; i < o->exclude_cnt; i++)
		if (report_matches(e, o->excludes[i]))
			return true;
	return false;
}

/* a --path, --glob or --exclude that matches no file of the documents is said, once */
static void warn_unmatched(const struct rmodel *m, const struct ropts *o)
{
	static const char *const names[3] = { "--path", "--glob", "--exclude" };
	char *const *lists[3] = { o->prefixes, o->globs, o->excludes };
	size_t cnts[3] = { o->prefix_cnt, o->glob_cnt, o->exclude_cnt };

	for (int l = 0; l < 3; l++)
		for (size_t k = 0; k < cnts[l]; k++) {
			bool any = false;

			for (size_t i = 0; i < m->files.cnt && !any; i++)
				any = l ? report_matches(m->files.v[i], lists[l][k])
					: report_under(m->files.v[i], lists[l][k]);
			if (!any)
				pr_warn("report: %s '%s' matches no file of the documents",
					names[l], lists[l][k]);
		}
}

/* the entries to show: selected, grouped, and with --file the one asked for */
static int select_entries(const struct rmodel *m, const struct ropts *o, struct rtable *groups,
			  struct rentry ***out, size_t *n, bool *ambiguous)
{
	bool exact;
	struct rentry **v = malloc((m->files.cnt + 1) * sizeof(*v)), **all;
	size_t k = 0, cnt = 0;
	int err = 0;

	if (!v)
		return -ENOMEM;
	warn_unmatched(m, o);
	for (size_t i = 0; i < m->files.cnt; i++)
		if (report_selected(m->files.v[i], o->prefixes, o->prefix_cnt, o->globs,
				    o->glob_cnt) &&
		    !excluded(m->files.v[i], o))
			v[cnt++] = m->files.v[i];
	if (o->group.by != BY_FILE) {
		err = report_group(groups, v, cnt, &o->group);
		all = err ? NULL : realloc(v, (groups->cnt + 1) * sizeof(*v));
		err = err ?: all ? 0 : -ENOMEM;
		v = all ? all : v;
		cnt = err ? 0 : groups->cnt;
		memcpy(v, groups->v, cnt * sizeof(*v));
	}
	for (size_t i = 0; i < cnt && o->file; i++)
		if (named(v[i], o->file))
			v[k++] = v[i];
	/* no entry of that name: the entries of the one path that ends with it */
	exact = k > 0;
	for (size_t i = 0; i < cnt && o->file && !exact; i++) {
		if (!named_by_suffix(v[i], o->file))
			continue;
		if (k && (v[0]->path_len != v[i]->path_len ||
			  memcmp(v[0]->path, v[i]->path, v[i]->path_len))) {
			*ambiguous = true;
			k = 0;
			break;
		}
		v[k++] = v[i];
	}
	*out = v;
	*n = o->file ? k : cnt;
	return err;
}

static bool use_color(const struct ropts *o, FILE *out)
{
	const char *no = getenv("NO_COLOR");

	if (o->color >= 0)
		return o->color;
	return isatty(fileno(out)) && !(no && *no);
}

/*
 * The table's width: the terminal's when out is one, else $COLUMNS, else
 * 100; never below what the columns and a short path need.
 */
static int term_width(FILE *out)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	int w = 100;

	if (isatty(fileno(out)) && !ioctl(fileno(out), TIOCGWINSZ, &ws) && ws.ws_col)
		w = ws.ws_col;
	else if (env && atoi(env) > 0)
		w = atoi(env);
	/* narrower than 80, the table would lose its path: it wraps instead */
	return w < 80 ? 80 : w;
}

/* some entry is a process's record (the documents were traced --per-process) */
static bool any_pid(struct rentry *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->has_pid)
			return true;
	return false;
}

/* "findings": [{rule, threshold, advice, entries: [{path, dev, ino, [pid,] what}]}] */
static void write_findings(struct json *j, void *ctx)
{
	const struct rfindings *fs = ctx;

	if (!fs)
		return;
	json_arr_begin(j, "findings");
	for (size_t i = 0; i < fs->cnt; i++) {
		const struct rfinding *x = &fs->v[i];
		char dev[24];

		/* a rule's object, its entries following while the rule is the same */
		if (!i || x->rule != fs->v[i - 1].rule) {
			if (i)
				json_arr_end(j), json_obj_end(j);
			json_obj_begin(j, NULL);
			json_str(j, "rule", x->rule->id);
			json_str(j, "threshold", x->rule->threshold);
			json_str(j, "advice", x->rule->advice);
			json_arr_begin(j, "entries");
		}
		json_obj_begin(j, NULL);
		json_bytes(j, "path", x->e->path, x->e->path_len);
		snprintf(dev, sizeof(dev), "%u:%u", x->e->dev_major, x->e->dev_minor);
		json_str(j, "dev", dev);
		json_u64(j, "ino", x->e->ino);
		if (x->e->has_pid)
			json_u64(j, "pid", x->e->pid);
		json_str(j, "what", x->what);
		json_obj_end(j);
	}
	if (fs->cnt)
		json_arr_end(j), json_obj_end(j);
	json_arr_end(j);
}

struct side_out {
	const struct rmodel *m;
	const struct ropts *o;
	struct rentry **v;
	size_t n;
	const struct rfindings *fs;
};

/* with --no-findings the page has no findings section, the embedded document none */
static int html_out(FILE *f, const struct side_out *x)
{
	const struct rfindings *fs = x->o->no_findings ? NULL : x->fs;

	return report_write_html(f, x->m, x->v, x->n, x->m->meta.per_process && any_pid(x->v, x->n),
				 fs, write_findings, (void *)fs);
}

static int fio_out(FILE *f, const struct side_out *x)
{
	return report_write_fio(f, x->v, x->n);
}

/* what fn writes, into path whole or not at all (a temporary file renamed into place) */
static int write_whole(const char *opt, const char *path, const struct side_out *x,
		       int (*fn)(FILE *, const struct side_out *))
{
	char *tmp = NULL;
	FILE *f;
	int err;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	f = fopen(tmp, "w");
	if (!f) {
		err = -errno;
		pr_warn("report: %s %s: %s", opt, path, strerror(errno));
		free(tmp);
		return err;
	}
	err = fn(f, x);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		pr_warn("report: %s %s: %s", opt, path, strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	return err;
}

static void write_out(FILE *out, const struct rmodel *m, const struct ropts *o, struct rentry **v,
		      size_t n, const struct rfindings *fs)
{
	struct rtext_opts t = { .sort = o->sort,
				.top = o->top,
				.color = use_color(o, out),
				.by_name = o->by_name,
				.width = o->wide ? 0 : term_width(out) };
	bool pids = any_pid(v, n);

	if (o->format == RF_JSON)
		report_write_json(out, m, v, n, m->meta.per_process && pids, write_findings,
				  o->no_findings ? NULL : (void *)fs);
	else if (o->format == RF_CSV && o->table == TABLE_TIMELINE)
		report_write_timeline_csv(out, m, v, n, pids);
	else if (o->format == RF_CSV && o->table == TABLE_SYSCALLS)
		report_write_syscalls_csv(out, v, n, pids);
	else if (o->format == RF_CSV && o->table == TABLE_HIST)
		report_write_hist_csv(out, v, n, pids);
	else if (o->format == RF_CSV)
		report_write_csv(out, m, v, n, pids);
	else if (!o->file)
		report_text_table(out, m, v, n, &t);
	for (size_t i = 0; o->format == RF_TEXT && o->file && i < n; i++) {
		if (i)
			fputc('\n', out);
		report_text_detail(out, m, v[i], &t);
	}
	if (o->format == RF_TEXT)
		report_text_findings(out, fs, t.width);
}

static int run(const struct ropts *o, FILE *out)
{
	struct rtable groups = { 0 };
	struct rfindings fs = { 0 };
	struct rentry **v = NULL;
	bool ambiguous = false;
	struct rmodel m;
	size_t n;
	int err;

	rmodel_init(&m);
	err = read_all(&m, o);
	if (!err) {
		err = select_entries(&m, o, &groups, &v, &n, &ambiguous);
		if (err)
			pr_warn("report: %s",
				err == -ENOMEM ? "out of memory" : "grouping overflows a counter");
	}
	if (!err && ambiguous) {
		pr_warn("report: '%s' ends more than one path: give more of it", o->file);
		err = -ENOENT;
	}
	if (!err && o->table == TABLE_TIMELINE && m.meta.tl != 1) {
		pr_warn("report: --table timeline: %s no timeline (iotrace 0.5 and later write one)",
			m.meta.docs > 1 ? "one of the documents has" : "the document has");
		err = -ENOENT;
	}
	if (!err && o->file && !n) {
		pr_warn("report: no %s '%s' in the %s", o->by_name ? "group" : "file", o->file,
			o->prefix_cnt || o->glob_cnt ? "selected entries" : "documents");
		err = -ENOENT;
	}
	if (!err && !o->no_findings &&
	    (o->html || (o->table == TABLE_FILES && o->format != RF_CSV)) &&
	    report_findings(v, n, &fs)) {
		pr_warn("report: out of memory");
		err = -ENOMEM;
	}
	if (!err && o->html)
		err = write_whole("--html", o->html, &(struct side_out){ &m, o, v, n, &fs },
				  html_out);
	if (!err && o->fio)
		err = write_whole("--fio-job", o->fio, &(struct side_out){ &m, o, v, n, &fs },
				  fio_out);
	if (!err)
		write_out(out, &m, o, v, n, &fs);
	report_findings_free(&fs);
	if (!err && (fflush(out) || ferror(out))) {
		pr_warn("report: output: %s", strerror(errno));
		err = -EIO;
	}
	free(v);
	rtable_free(&groups);
	rmodel_free(&m);
	return err;
}

int report_cli(int argc, char **argv, FILE *out)
{
	struct ropts o = { .top = 20, .color = -1, .group = { BY_FILE, UINT_MAX } };
	int err, code;

	o.prefixes = calloc((size_t)argc + 1, sizeof(char *));
	o.globs = calloc((size_t)argc + 1, sizeof(char *));
	o.excludes = calloc((size_t)argc + 1, sizeof(char *));
	err = o.prefixes && o.globs && o.excludes ? parse_args(argc, argv, &o) : -ENOMEM;
	if (err == 1)
		usage(out);
	code = err == 1 ? 0 : err == -EINVAL ? 2 : err ? 1 : run(&o, out) ? 1 : 0;
	if (err == -ENOMEM)
		pr_warn("report: out of memory");
	free(o.prefixes);
	free(o.globs);
	free(o.excludes);
	return code;
}

int report_main(int argc, char **argv)
{
	return report_cli(argc, argv, stdout);
}
