// SPDX-License-Identifier: GPL-2.0
/*
 * The result document (docs/output-format.md, schema 1) in JSON or
 * CSV, written by the format's one writer (format/write.c) from a view of
 * each file_entry, to a temporary file created O_EXCL next to the target and
 * renamed into place, so a reader never sees half a document.  Also the
 * short human summary printed at the end of a trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/record.h"
#include "format/json.h"
#include "format/document.h"
#include "format/schema.h"

/*
 * One file_entry as a struct rentry, the model the format's writer takes
 * (format/write.c): the strings are the entry's own, the syscall entries and
 * histogram buckets go to scratch space reused for every file.  Times are
 * made relative to the start here, so the writer's base is 0.
 */
/* more than all the buckets of a file: 2 per syscall, 2 sides, fsync, none over LAT_BUCKETS */
#define VIEW_BUCKETS ((SC_MAX + 2) * 2 * LAT_BUCKETS)

struct view {
	struct rentry e;
	struct rsc sc[SC_MAX];
	struct rbucket b[VIEW_BUCKETS];
	size_t b_cnt;
	char *former[1];		 /* e.former: the record's former path */
	bool hists;			 /* false for CSV, which has no histograms */
	uint64_t fsync_lat[LAT_BUCKETS]; /* fsync and fdatasync together */
};

static void view_hist(struct view *v, struct rhist *out, const struct hist_nz *h,
		      void (*bounds)(int, uint64_t *, uint64_t *))
{
	out->b = v->b + v->b_cnt;
	out->cnt = v->hists ? h->cnt : 0;
	for (uint32_t i = 0; i < out->cnt; i++) {
		struct rbucket *b = &v->b[v->b_cnt++];

		bounds((int)h->b[i].idx, &b->lo, &b->hi);
		b->cnt = h->b[i].cnt;
	}
}

static uint64_t rel_ns(const struct trace_result *res, uint64_t t)
{
	return t > res->start_mono_ns ? t - res->start_mono_ns : 0;
}

static void view_side(struct view *v, struct rside *out, const struct trace_result *res,
		      const struct file_side *s)
{
	*out = (struct rside){
		.present = s->calls,
		.has_last = s->last_return_ns,
		.calls = s->calls,
		.errors = s->errors,
		.bytes = s->bytes,
		.seq_calls = s->seq_calls,
		.streams = s->streams,
		.rewrites = s->rewrites,
		.first_ns = rel_ns(res, s->first_entry_ns),
		.last_ns = rel_ns(res, s->last_return_ns),
		.has_lat = true,
		.total_ns = s->lat_total_ns,
	};
	view_hist(v, &out->seq, &s->seq_hist, hist_bucket_bounds);
	view_hist(v, &out->lat, &s->lat_hist, lat_bucket_bounds);
	memcpy(out->oflags, s->oflag_streams, sizeof(out->oflags));
}

/* fsync and fdatasync together: counters summed, histograms bucket by bucket */
static void view_fsync(struct view *v, const struct file_entry *f)
{
	struct rfsync *fs = &v->e.fsync;

	memset(fs, 0, sizeof(*fs));
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sync *sy = sc_infos[i].kind == SC_KIND_SYNC ? f->sync[i] : NULL;

		if (!sy)
			continue;
		fs->calls += sy->calls;
		fs->errors += sy->errors;
		fs->total_ns += sy->total_ns;
	}
	fs->present = fs->calls;
	if (!fs->present || !v->hists)
		return;
	memset(v->fsync_lat, 0, sizeof(v->fsync_lat));
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sync *sy = sc_infos[i].kind == SC_KIND_SYNC ? f->sync[i] : NULL;

		for (uint32_t b = 0; sy && b < sy->lat_hist.cnt; b++)
			v->fsync_lat[sy->lat_hist.b[b].idx] += sy->lat_hist.b[b].cnt;
	}
	fs->lat.b = v->b + v->b_cnt;
	for (int i = 0; i < LAT_BUCKETS; i++) {
		struct rbucket *b = &v->b[v->b_cnt];

		if (!v->fsync_lat[i])
			continue;
		lat_bucket_bounds(i, &b->lo, &b->hi);
		b->cnt = v->fsync_lat[i];
		v->b_cnt++, fs->lat.cnt++;
	}
}

/* the syscalls the file saw, in syscalls.def order */
static void view_syscalls(struct view *v, const struct file_entry *f)
{
	v->e.sc_cnt = 0;
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sync *sy = f->sync[i];
		const struct file_sc *st = f->sc[i];
		int kind = sc_infos[i].kind;
		bool sync = kind == SC_KIND_SYNC || kind == SC_KIND_ASYNC_SYNC;
		struct rsc *sc = &v->sc[v->e.sc_cnt];

		if (sync ? !sy || !sy->calls : !st || !st->calls)
			continue;
		v->e.sc_cnt++;
		sc->name = (char *)sc_infos[i].name;
		sc->idx = i;
		if (sync) {
			sc->has = RSC_LAT | RSC_TOTAL;
			sc->calls = sy->calls, sc->errors = sy->errors, sc->total_ns = sy->total_ns;
			view_hist(v, &sc->lat, &sy->lat_hist, lat_bucket_bounds);
			continue;
		}
		sc->has = kind == SC_KIND_CLOSE ? 0 : RSC_BYTES | RSC_REQ | RSC_DONE;
		sc->calls = st->calls, sc->errors = st->errors, sc->bytes = st->bytes;
		view_hist(v, &sc->req, &st->req_hist, hist_bucket_bounds);
		view_hist(v, &sc->done, &st->done_hist, hist_bucket_bounds);
	}
}

/* the writer only reads the strings: the casts drop a const the model does not carry */
static const struct rentry *view_of(struct view *v, const struct trace_result *res,
				    const struct file_entry *f, bool per_process)
{
	struct rentry *e = &v->e;

	v->b_cnt = 0;
	e->path = f->path;
	e->path_len = f->path_len;
	e->dev_major = f->key.dev >> 20;
	e->dev_minor = f->key.dev & 0xfffff;
	e->ino = f->key.ino;
	e->gen = f->key.gen;
	v->former[0] = f->former_path;
	e->former = (struct rstrs){ .v = v->former, .cnt = f->former_path ? 1 : 0 };
	e->has_pid = per_process;
	e->pid = f->key.tgid;
	e->comm = (char *)f->comm;
	e->deleted = f->have_rec && f->deleted;
	e->fstype = (char *)f->fstype;
	e->comm_cnt = f->comm_cnt;
	for (unsigned int i = 0; i < f->comm_cnt; i++)
		e->comms[i] = (char *)f->comms[i];
	e->sc = v->sc;
	view_syscalls(v, f);
	view_fsync(v, f);
	for (int s = 0; s < SIDES; s++)
		view_side(v, &e->side[s], res, &f->side[s]);
	e->mapped = (struct rmapped){
		.present = f->mapped.faults != 0,
		.faults = f->mapped.faults,
		.write_faults = f->mapped.write_faults,
		.first_ns = rel_ns(res, f->mapped.first_ns),
		.last_ns = rel_ns(res, f->mapped.last_ns),
	};
	e->cache_pages = f->cache_pages;
	e->has_tl = res->tl.bin_ns != 0;
	for (int s = 0; s < TL_SERIES; s++)
		e->tl[s] = f->tl ? (struct rseries){ f->tl->s[s].b, f->tl->s[s].cnt }
				 : (struct rseries){ 0 };
	return e;
}

static int write_json(FILE *f, const struct trace_result *res, const struct options *opts,
		      struct view *v)
{
	const struct trace_filters *tf = &opts->filters;
	char *fs_in[FSTYPE_FILTERS], *fs_out[FSTYPE_FILTERS];
	struct {
		struct rstrs paths, exclude, fstypes, exclude_fstypes;
	} ff = {
		{ (char **)tf->paths, tf->path_cnt },
		{ (char **)tf->excludes, tf->exclude_cnt },
		{ fs_in, tf->fstype_cnt },
		{ fs_out, tf->exclude_fstype_cnt },
	};
	uint64_t *pids = calloc(opts->pid_cnt + 1, sizeof(*pids));
	char **comms = calloc(opts->comm_cnt + 1, sizeof(*comms));
	struct rdoc d = {
		.hostname = res->hostname,
		.kernel = res->kernel,
		.machine = res->machine,
		.start_ns = res->start_unix_ns,
		.duration_ns = res->duration_ns,
		.pids = pids,
		.pid_cnt = opts->pid_cnt,
		.comms = comms,
		.comm_cnt = opts->comm_cnt,
		.command = opts->command,
		.per_process = opts->per_process,
		.mapped = res->mapped,
		.paths = &ff.paths,
		.exclude = &ff.exclude,
		.fstypes = &ff.fstypes,
		.exclude_fstypes = &ff.exclude_fstypes,
		.excluded_files = res->excluded_files,
		.dropped_files = res->dropped_files,
		.dropped_events = res->dropped_events,
		.missed_runs = res->missed_counted ? &res->missed_runs : NULL,
		.unseen = res->unseen,
		.bin_ns = res->tl.bin_ns,
		.bins = res->tl.bins,
		.compact = opts->stream && !strcmp(opts->stream, "-") && !strcmp(opts->output, "-"),
	};
	struct json j;
	int err = -ENOMEM;

	if (!pids || !comms)
		goto out;
	for (size_t i = 0; i < opts->pid_cnt; i++)
		pids[i] = (uint64_t)opts->pids[i];
	for (size_t i = 0; i < opts->comm_cnt; i++)
		comms[i] = opts->comms[i];
	for (size_t i = 0; i < tf->fstype_cnt; i++)
		fs_in[i] = (char *)tf->fstypes[i];
	for (size_t i = 0; i < tf->exclude_fstype_cnt; i++)
		fs_out[i] = (char *)tf->exclude_fstypes[i];
	while (d.command && d.command[d.command_cnt])
		d.command_cnt++;
	rdoc_json_begin(&j, f, &d);
	for (size_t i = 0; i < res->files.cnt; i++)
		rentry_write_json(&j, view_of(v, res, res->files.v[i], opts->per_process), 0);
	rdoc_json_end(&j);
	if (d.compact)
		fputc('\n', f);
	err = 0;
out:
	free(pids);
	free(comms);
	return err;
}

static void write_csv(FILE *f, const struct trace_result *res, const struct options *opts,
		      struct view *v)
{
	struct outbuf o;

	csv_header(f, opts->per_process);
	ob_init(&o, f);
	for (size_t i = 0; i < res->files.cnt; i++)
		rentry_write_csv(&o, view_of(v, res, res->files.v[i], opts->per_process), 0,
				 opts->per_process);
	ob_flush(&o);
}

/* ---- files ------------------------------------------------------------------ */

static int write_doc(FILE *f, const struct trace_result *res, const struct options *opts)
{
	struct view *v = malloc(sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	v->hists = opts->format != FORMAT_CSV;
	if (opts->format == FORMAT_CSV)
		write_csv(f, res, opts, v);
	else
		err = write_json(f, res, opts, v);
	free(v);
	return err;
}

/* through a symbolic link to a file: the file (the link is kept); else path */
static const char *output_target(const char *path, char *real, size_t sz)
{
	struct stat st;

	if (sz >= PATH_MAX && !lstat(path, &st) && S_ISLNK(st.st_mode) && realpath(path, real))
		return real;
	return path;
}

/*
 * The temporary name next to path: ".NAME.XXXXXX" in its directory, or
 * ".iotrace.XXXXXX" when NAME is too long to take 8 more bytes.
 */
static int temp_name(const char *path, char *tmp, size_t sz)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	int dir_len = slash ? (int)(slash - path) : 1; /* "/x": "" + "/.x.XXXXXX" */
	const char *dir = slash ? path : ".";

	if (strlen(base) + 8 > NAME_MAX)
		base = "iotrace";
	if ((size_t)snprintf(tmp, sz, "%.*s/.%s.XXXXXX", dir_len, dir, base) >= sz)
		return -ENAMETOOLONG;
	return 0;
}

/* the last component of path is longer than its directory allows (the rename would fail) */
static bool name_too_long(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
	long max = pathconf(dir ? dir : ".", _PC_NAME_MAX);

	free(dir);
	return strlen(slash ? slash + 1 : path) > (size_t)(max > 0 ? max : NAME_MAX);
}

/* mkostemp (O_EXCL, mode 0600) of the temporary name of path */
static int create_temp(const char *path, char *tmp, size_t sz)
{
	int fd, err = temp_name(path, tmp, sz);

	if (err)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Before tracing: can the result be written there?  The check creates and
 * removes the very temporary file the end of the trace will write, so
 * whatever refuses it (a read-only or special file system such as /proc,
 * permissions, a name too long) refuses it now and not after the trace.
 */
int output_check_path(const char *path)
{
	if (!path)
		return 0; /* iotrace top without -o: no document */
	char tmp[PATH_MAX], real[PATH_MAX];
	const char *target;
	struct stat st;
	int fd;

	if (!strcmp(path, "-"))
		return 0;
	if (!lstat(path, &st) && S_ISLNK(st.st_mode) && stat(path, &st)) {
		pr_warn("output '%s': dangling symbolic link", path);
		return -ENOENT;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		pr_warn("output '%s': is a directory", path);
		return -EISDIR;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return 0; /* a fifo, a tty, /dev/null: written in place */
	target = output_target(path, real, sizeof(real));
	if (name_too_long(target)) {
		pr_warn("output '%s': %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	fd = create_temp(target, tmp, sizeof(tmp));
	if (fd < 0) {
		pr_warn("output '%s': cannot create a file there: %s", path, strerror(-fd));
		return fd;
	}
	unlink(tmp);
	close(fd);
	return 0;
}

/* a decimal id from the environment; -1 when absent or malformed */
static long env_id(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long id;

	if (!v || !*v)
		return -1;
	errno = 0;
	id = strtol(v, &end, 10);
	return errno || *end || id < 0 ? -1 : id;
}

/*
 * Run through sudo, the result belongs to the user who asked for it (it
 * names files other users may not see, hence mode 0600).
 */
static void give_to_sudo_user(int fd)
{
	long uid = env_id("SUDO_UID"), gid = env_id("SUDO_GID");

	if (getuid() != 0 || uid < 0 || gid < 0)
		return;
	if (fchown(fd, (uid_t)uid, (gid_t)gid))
		pr_warn("output: cannot hand the result to uid %ld: %s", uid, strerror(errno));
}

static int write_to_file(const char *path, const struct trace_result *res,
			 const struct options *opts)
{
	char tmp[PATH_MAX];
	int fd, err = 0;
	FILE *f;

	fd = create_temp(path, tmp, sizeof(tmp));
	if (fd < 0) {
		pr_warn("output '%s': cannot create temporary file: %s", path, strerror(-fd));
		return fd;
	}
	give_to_sudo_user(fd);
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto err_unlink;
	}
	err = write_doc(f, res, opts);
	if (!err && (fflush(f) || ferror(f) || fsync(fd)))
		err = -(errno ? errno : EIO);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (!err)
		return 0;
err_unlink:
	pr_warn("output '%s': %s", path, strerror(-err));
	unlink(tmp);
	return err;
}

static int write_to_stream(FILE *f, const char *what, const struct trace_result *res,
			   const struct options *opts)
{
	int err = write_doc(f, res, opts);

	if (err) {
		pr_warn("output '%s': %s", what, strerror(-err));
		return err;
	}
	if (fflush(f) || ferror(f)) {
		pr_warn("output '%s': %s", what, strerror(errno));
		return -EIO;
	}
	return 0;
}

/*
 * Something that is not a regular file (a fifo, /dev/null, a tty) is
 * written in place: renaming a temporary over it would replace it.
 */
static int write_to_special(const char *path, const struct trace_result *res,
			    const struct options *opts)
{
	FILE *f = fopen(path, "we");
	int err;

	if (!f) {
		err = -errno;
		pr_warn("output '%s': %s", path, strerror(errno));
		return err;
	}
	err = write_to_stream(f, path, res, opts);
	if (fclose(f) && !err) {
		err = -errno;
		pr_warn("output '%s': %s", path, strerror(errno));
	}
	return err;
}

int output_write(const struct trace_result *res, const struct options *opts)
{
	char real[PATH_MAX];
	struct stat st;

	if (!opts->output)
		return 0;
	if (!strcmp(opts->output, "-"))
		return write_to_stream(stdout, "stdout", res, opts);
	if (!stat(opts->output, &st) && !S_ISREG(st.st_mode))
		return write_to_special(opts->output, res, opts);
	return write_to_file(output_target(opts->output, real, sizeof(real)), res, opts);
}

/* ---- human summary ---------------------------------------------------------- */

/* what a file gave (s = 0) or took (1): its read or write side, copy and async sides alike */
static uint64_t side_bytes(const struct file_entry *f, int s)
{
	return f->side[s].bytes + f->side[SIDE_COPY_READ + s].bytes +
	       f->side[SIDE_ASYNC_READ + s].bytes;
}

static uint64_t side_calls(const struct file_entry *f, int s)
{
	return f->side[s].calls + f->side[SIDE_COPY_READ + s].calls +
	       f->side[SIDE_ASYNC_READ + s].calls;
}

static uint64_t file_bytes(const struct file_entry *f)
{
	return side_bytes(f, 0) + side_bytes(f, 1);
}

static int by_bytes_desc(const void *a, const void *b)
{
	uint64_t x = file_bytes(*(struct file_entry *const *)a);
	uint64_t y = file_bytes(*(struct file_entry *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void human_bytes(uint64_t v, char *buf, size_t sz)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5)
		d /= 1024, u++;
	if (u)
		snprintf(buf, sz, "%.1f %s", d, units[u]);
	else
		snprintf(buf, sz, "%llu B", (unsigned long long)v);
}

void output_summary(const struct trace_result *res, const struct options *opts, FILE *f)
{
	size_t n = res->files.cnt, top = n < 10 ? n : 10;
	struct file_entry **v = malloc((n ? n : 1) * sizeof(*v));
	uint64_t rd = 0, wr = 0, crd = 0, cwr = 0;
	char a[32], b[32], c[128] = "";

	if (!v)
		return;
	memcpy(v, res->files.v, n * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		rd += side_bytes(v[i], 0), wr += side_bytes(v[i], 1);
		crd += v[i]->side[SIDE_COPY_READ].bytes, cwr += v[i]->side[SIDE_COPY_WRITE].bytes;
	}
	qsort(v, n, sizeof(*v), by_bytes_desc);
	human_bytes(rd, a, sizeof(a));
	human_bytes(wr, b, sizeof(b));
	if (crd || cwr) {
		char d[32], e[32];

		human_bytes(crd, d, sizeof(d));
		human_bytes(cwr, e, sizeof(e));
		snprintf(c, sizeof(c), " (in-kernel copies: %s read, %s written)", d, e);
	}
	fprintf(f, "iotrace: %zu files, %s read, %s written%s in %.3f s\n", n, a, b, c,
		res->duration_ns / 1e9);
	if (top)
		fprintf(f, "%10s %10s %9s %9s  %s\n", "READ", "WRITE", "R_CALLS", "W_CALLS",
			"PATH");
	for (size_t i = 0; i < top; i++) {
		const struct file_entry *e = v[i];

		human_bytes(side_bytes(e, 0), a, sizeof(a));
		human_bytes(side_bytes(e, 1), b, sizeof(b));
		fprintf(f, "%10s %10s %9llu %9llu  %s\n", a, b,
			(unsigned long long)side_calls(e, 0), (unsigned long long)side_calls(e, 1),
			e->path);
	}
	if (n > top)
		fprintf(f, "%*s  ... and %zu more files\n", 41, "", n - top);
	if (filters_any(&opts->filters))
		fprintf(f,
			"iotrace: %llu more files left out by --path, --exclude, --fstype or "
			"--exclude-fstype\n",
			(unsigned long long)res->excluded_files);
	if (opts->output && strcmp(opts->output, "-"))
		fprintf(f, "iotrace: result in %s (iotrace report %s)\n", opts->output,
			opts->output);
	free(v);
}

/*
 * Each -c NAME that no record names among its comms: no process of that
 * name did traced file I/O (it may not have run at all, or have a longer
 * name than the 15 bytes the kernel keeps).
 */
void output_warn_unmatched(const struct trace_result *res, const struct options *opts)
{
	for (size_t c = 0; c < opts->comm_cnt; c++) {
		bool seen = false;

		for (size_t i = 0; i < res->files.cnt && !seen; i++)
			for (unsigned int k = 0; k < res->files.v[i]->comm_cnt && !seen; k++)
				seen = !strncmp(res->files.v[i]->comms[k], opts->comms[c],
						COMM_LEN);
		if (!seen)
			pr_warn("warning: -c %s: no process of that name did traced file I/O",
				opts->comms[c]);
	}
}
