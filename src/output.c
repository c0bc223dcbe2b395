// SPDX-License-Identifier: GPL-2.0
/*
 * The result document (shared/spec/output-format.md, schema 1) in JSON or
 * CSV, written to a temporary file created O_EXCL next to the target and
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

#include "iotrace.h"
#include "json.h"
#include "schema.h"

static void write_hist_nz(struct json *j, const char *key, const struct hist_nz *h,
			  void (*bounds)(int, uint64_t *, uint64_t *))
{
	json_arr_begin(j, key);
	for (uint32_t i = 0; i < h->cnt; i++) {
		uint64_t lo, hi;

		bounds((int)h->b[i].idx, &lo, &hi);
		json_u64_triple(j, NULL, lo, hi, h->b[i].cnt);
	}
	json_arr_end(j);
}

static void write_hist(struct json *j, const char *key, const struct hist_nz *h)
{
	write_hist_nz(j, key, h, hist_bucket_bounds);
}

static uint64_t rel_ns(const struct trace_result *res, uint64_t t)
{
	return t > res->start_mono_ns ? t - res->start_mono_ns : 0;
}

static void write_side(struct json *j, const struct trace_result *res, const char *key,
		       const struct file_side *s, bool is_write)
{
	if (!s->calls) {
		json_null(j, key);
		return;
	}
	json_obj_begin(j, key);
	json_u64(j, "calls", s->calls);
	json_u64(j, "errors", s->errors);
	json_u64(j, "bytes", s->bytes);
	json_u64(j, "first_entry_ns", rel_ns(res, s->first_entry_ns));
	if (s->last_return_ns)
		json_u64(j, "last_return_ns", rel_ns(res, s->last_return_ns));
	else
		json_null(j, "last_return_ns");
	json_u64(j, "seq_calls", s->seq_calls);
	write_hist(j, "seq_hist", &s->seq_hist);
	if (is_write)
		json_u64(j, "rewrites", s->rewrites);
	json_obj_end(j);
}

static void write_syscalls(struct json *j, const struct file_entry *f)
{
	json_obj_begin(j, "syscalls");
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sync *sy = f->sync[i];
		const struct file_sc *st = f->sc[i];
		int kind = sc_infos[i].kind;

		if (kind == SC_KIND_SYNC && sy && sy->calls) {
			json_obj_begin(j, sc_infos[i].name);
			json_u64(j, "calls", sy->calls);
			json_u64(j, "errors", sy->errors);
			write_hist_nz(j, "lat_hist", &sy->lat_hist, lat_bucket_bounds);
			json_u64(j, "total_ns", sy->total_ns);
			json_obj_end(j);
		}
		if (kind == SC_KIND_SYNC || !st || !st->calls)
			continue;
		json_obj_begin(j, sc_infos[i].name);
		json_u64(j, "calls", st->calls);
		json_u64(j, "errors", st->errors);
		if (kind != SC_KIND_CLOSE) {
			json_u64(j, "bytes", st->bytes);
			write_hist(j, "req_hist", &st->req_hist);
			write_hist(j, "done_hist", &st->done_hist);
		}
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* fsync and fdatasync together; the histogram bucket by bucket into lat_hist */
struct sync_sum {
	uint64_t calls, errors, total_ns;
	uint64_t lat_hist[LAT_BUCKETS];
};

static void sum_sync(const struct file_entry *f, struct sync_sum *sum, bool with_hist)
{
	sum->calls = sum->errors = sum->total_ns = 0;
	if (with_hist)
		memset(sum->lat_hist, 0, sizeof(sum->lat_hist));
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sync *st = f->sync[i];

		if (!st)
			continue;
		sum->calls += st->calls;
		sum->errors += st->errors;
		sum->total_ns += st->total_ns;
		for (uint32_t b = 0; with_hist && b < st->lat_hist.cnt; b++)
			sum->lat_hist[st->lat_hist.b[b].idx] += st->lat_hist.b[b].cnt;
	}
}

static void write_fsync(struct json *j, const struct file_entry *f)
{
	struct sync_sum sum;

	sum_sync(f, &sum, true);
	if (!sum.calls) {
		json_null(j, "fsync");
		return;
	}
	json_obj_begin(j, "fsync");
	json_u64(j, "calls", sum.calls);
	json_u64(j, "errors", sum.errors);
	json_u64(j, "total_ns", sum.total_ns);
	json_arr_begin(j, "lat_hist");
	for (int i = 0; i < LAT_BUCKETS; i++) {
		uint64_t lo, hi;

		if (!sum.lat_hist[i])
			continue;
		lat_bucket_bounds(i, &lo, &hi);
		json_u64_triple(j, NULL, lo, hi, sum.lat_hist[i]);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* "major:minor" of a kernel dev_t, built backwards from end */
static const char *fmt_dev(char *end, uint32_t dev)
{
	char *p = end;

	*--p = 0;
	p = ob_fmt_u64(p, dev & 0xfffff);
	*--p = ':';
	return ob_fmt_u64(p, dev >> 20);
}

static void write_file(struct json *j, const struct trace_result *res, const struct file_entry *f,
		       bool per_process)
{
	char dev[2 * U64_DIGITS + 2];

	json_obj_begin(j, NULL);
	json_bytes(j, "path", f->path, f->path_len);
	if (!json_is_utf8(f->path, f->path_len))
		json_hex(j, "path_hex", f->path, f->path_len);
	if (per_process) {
		json_u64(j, "pid", f->key.tgid);
		json_bytes(j, "comm", f->comm, strnlen(f->comm, COMM_LEN));
	}
	json_bool(j, "deleted", f->have_rec && f->deleted);
	json_str(j, "dev", fmt_dev(dev + sizeof(dev), f->key.dev));
	json_u64(j, "ino", f->key.ino);
	json_bytes(j, "fstype", f->fstype, strnlen(f->fstype, sizeof(f->fstype)));
	json_arr_begin(j, "comms");
	for (unsigned int i = 0; i < f->comm_cnt; i++)
		json_bytes(j, NULL, f->comms[i], strnlen(f->comms[i], COMM_LEN));
	json_arr_end(j);
	write_syscalls(j, f);
	write_side(j, res, "read", &f->side[SC_KIND_READ], false);
	write_side(j, res, "write", &f->side[SC_KIND_WRITE], true);
	write_fsync(j, f);
	json_obj_end(j);
}

static void write_filter(struct json *j, const struct options *opts)
{
	json_obj_begin(j, "filter");
	json_arr_begin(j, "pids");
	for (size_t i = 0; i < opts->pid_cnt; i++)
		json_u64(j, NULL, (uint64_t)opts->pids[i]);
	json_arr_end(j);
	json_arr_begin(j, "comms");
	for (size_t i = 0; i < opts->comm_cnt; i++)
		json_bytes(j, NULL, opts->comms[i], strnlen(opts->comms[i], COMM_LEN));
	json_arr_end(j);
	if (opts->command) {
		json_arr_begin(j, "command");
		for (char **a = opts->command; *a; a++)
			json_str(j, NULL, *a);
		json_arr_end(j);
	} else {
		json_null(j, "command");
	}
	json_bool(j, "per_process", opts->per_process);
	json_obj_end(j);
}

static void write_json(FILE *f, const struct trace_result *res, const struct options *opts)
{
	struct json j;
	char start[64];

	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", 1);
	json_obj_begin(&j, "tool");
	json_str(&j, "name", "iotrace");
	json_str(&j, "version", IOTRACE_VERSION);
	json_obj_end(&j);
	json_obj_begin(&j, "host");
	json_str(&j, "hostname", res->hostname);
	json_str(&j, "kernel", res->kernel);
	json_str(&j, "machine", res->machine);
	json_obj_end(&j);
	format_rfc3339(res->start_unix_ns, start, sizeof(start));
	json_str(&j, "start", start);
	json_u64(&j, "start_unix_ns", res->start_unix_ns);
	json_u64(&j, "duration_ns", res->duration_ns);
	write_filter(&j, opts);
	json_obj_begin(&j, "dropped");
	json_u64(&j, "files", res->dropped_files);
	json_u64(&j, "events", res->dropped_events);
	json_obj_end(&j);
	json_arr_begin(&j, "files");
	for (size_t i = 0; i < res->files.cnt; i++)
		write_file(&j, res, res->files.v[i], opts->per_process);
	json_arr_end(&j);
	json_obj_end(&j);
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_u64(struct outbuf *o, char before, uint64_t v)
{
	ob_putc(o, before);
	ob_u64(o, v);
}

/* csv_field, with the common case (nothing to quote) copied in place */
static void csv_put_field(struct outbuf *o, const char *s, size_t len)
{
	if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
	    !memchr(s, '\r', len)) {
		ob_write(o, s, len);
		return;
	}
	ob_flush(o);
	csv_field(o->f, s, len);
}

static void csv_side(struct outbuf *o, const struct trace_result *res, const struct file_side *s)
{
	if (!s->calls) {
		ob_put(o, ",,,,,,", 6);
		return;
	}
	csv_u64(o, ',', s->calls);
	csv_u64(o, ',', s->errors);
	csv_u64(o, ',', s->bytes);
	csv_u64(o, ',', s->seq_calls);
	csv_u64(o, ',', rel_ns(res, s->first_entry_ns));
	ob_putc(o, ',');
	if (s->last_return_ns)
		ob_u64(o, rel_ns(res, s->last_return_ns));
}

static void csv_syscalls(struct outbuf *o, const struct file_entry *e)
{
	for (int i = 0; i < SC_MAX; i++) {
		const struct file_sc *st = e->sc[i];
		const struct file_sync *sn = e->sync[i];
		int kind = sc_infos[i].kind;

		if (kind == SC_KIND_SYNC && sn && sn->calls) {
			csv_u64(o, ',', sn->calls);
			csv_u64(o, ',', sn->errors);
			ob_putc(o, ',');
		} else if (kind != SC_KIND_SYNC && st && st->calls) {
			csv_u64(o, ',', st->calls);
			csv_u64(o, ',', st->errors);
			ob_putc(o, ',');
		} else {
			ob_put(o, ",,,", 3);
		}
		if (st && st->calls && (kind == SC_KIND_READ || kind == SC_KIND_WRITE))
			ob_u64(o, st->bytes);
	}
}

static void csv_row(struct outbuf *o, const struct trace_result *res, const struct file_entry *e,
		    bool per_process)
{
	const struct file_side *w = &e->side[SC_KIND_WRITE];
	struct sync_sum sy;

	csv_put_field(o, e->path, e->path_len);
	if (per_process) {
		csv_u64(o, ',', e->key.tgid);
		ob_putc(o, ',');
		csv_put_field(o, e->comm, strnlen(e->comm, COMM_LEN));
	}
	csv_u64(o, ',', e->key.dev >> 20);
	csv_u64(o, ':', e->key.dev & 0xfffff);
	csv_u64(o, ',', e->key.ino);
	ob_putc(o, ',');
	csv_put_field(o, e->fstype, strnlen(e->fstype, sizeof(e->fstype)));
	ob_putc(o, ',');
	for (unsigned int i = 0; i < e->comm_cnt; i++) {
		if (i)
			ob_putc(o, ';');
		csv_put_field(o, e->comms[i], strnlen(e->comms[i], COMM_LEN));
	}
	csv_side(o, res, &e->side[SC_KIND_READ]);
	csv_side(o, res, w);
	if (w->calls)
		csv_u64(o, ',', w->rewrites);
	else
		ob_putc(o, ',');
	sum_sync(e, &sy, false);
	if (sy.calls) {
		csv_u64(o, ',', sy.calls);
		csv_u64(o, ',', sy.errors);
		csv_u64(o, ',', sy.total_ns);
	} else {
		ob_put(o, ",,,", 3);
	}
	csv_syscalls(o, e);
	ob_put(o, "\r\n", 2);
}

static void write_csv(FILE *f, const struct trace_result *res, const struct options *opts)
{
	struct outbuf o;

	csv_header(f, opts->per_process);
	ob_init(&o, f);
	for (size_t i = 0; i < res->files.cnt; i++)
		csv_row(&o, res, res->files.v[i], opts->per_process);
	ob_flush(&o);
}

/* ---- files ------------------------------------------------------------------ */

static void write_doc(FILE *f, const struct trace_result *res, const struct options *opts)
{
	if (opts->format == FORMAT_CSV)
		write_csv(f, res, opts);
	else
		write_json(f, res, opts);
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
	write_doc(f, res, opts);
	if (fflush(f) || ferror(f) || fsync(fd))
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
	write_doc(f, res, opts);
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

	if (!strcmp(opts->output, "-"))
		return write_to_stream(stdout, "stdout", res, opts);
	if (!stat(opts->output, &st) && !S_ISREG(st.st_mode))
		return write_to_special(opts->output, res, opts);
	return write_to_file(output_target(opts->output, real, sizeof(real)), res, opts);
}

/* ---- human summary ---------------------------------------------------------- */

static uint64_t file_bytes(const struct file_entry *f)
{
	return f->side[0].bytes + f->side[1].bytes;
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

void output_summary(const struct trace_result *res, FILE *f)
{
	size_t n = res->files.cnt, top = n < 10 ? n : 10;
	struct file_entry **v = malloc((n ? n : 1) * sizeof(*v));
	uint64_t rd = 0, wr = 0;
	char a[32], b[32];

	if (!v)
		return;
	memcpy(v, res->files.v, n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		rd += v[i]->side[0].bytes, wr += v[i]->side[1].bytes;
	qsort(v, n, sizeof(*v), by_bytes_desc);
	human_bytes(rd, a, sizeof(a));
	human_bytes(wr, b, sizeof(b));
	fprintf(f, "iotrace: %zu files, %s read, %s written in %.3f s\n", n, a, b,
		res->duration_ns / 1e9);
	if (top)
		fprintf(f, "%10s %10s %9s %9s  %s\n", "READ", "WRITE", "R_CALLS", "W_CALLS",
			"PATH");
	for (size_t i = 0; i < top; i++) {
		const struct file_entry *e = v[i];

		human_bytes(e->side[0].bytes, a, sizeof(a));
		human_bytes(e->side[1].bytes, b, sizeof(b));
		fprintf(f, "%10s %10s %9llu %9llu  %s\n", a, b,
			(unsigned long long)e->side[0].calls, (unsigned long long)e->side[1].calls,
			e->path);
	}
	free(v);
}
