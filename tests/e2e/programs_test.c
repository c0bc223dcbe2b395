// SPDX-License-Identifier: GPL-2.0
/*
 * Real programs against an independent tracer: iotrace runs `strace -ff -y`
 * on sqlite3 (rollback journal, then WAL), git (init, add, commit) and
 * rsync (a tree, -a), cp and cat (in-kernel copies), all in a fresh
 * directory.  strace names each call's
 * file as it was at the call ("<path>", "<path (deleted)>"); iotrace names
 * a file by its last name and keeps the ones before.  So names and records
 * are joined into groups (a record with every name it had; a name with
 * every record that had it, as when a file is deleted and created again
 * under one name), and per group and syscall the calls, errors and bytes
 * must be the same.  Only regular files below the directory are compared,
 * and close is left out (iotrace counts a close only once the file has a
 * record).  The programs come from Debian (tests/lib/install-deps.sh).
 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>

#include "docval.h"
#include "e2e.h"
#include "loader.h"
#include "uring.h"
#include "expect.h"
#include "format/jsonr.h"

static const char *const names[] = { "read",	"readv",    "pread64",	"preadv",
				     "preadv2", "write",    "writev",	"pwrite64",
				     "pwritev", "pwritev2", "sendfile", "copy_file_range",
				     "splice",	"fsync",    "fdatasync" };
#define SC_FIRST_SYNC 13 /* fsync, fdatasync: no bytes */
#define NSC	      (sizeof(names) / sizeof(names[0]))
#define MAX_NAMES     512
#define MAX_GROUPS    MAX_NAMES

struct cnt {
	unsigned long long calls, errors, bytes;
};

/* names (strace's) and records (iotrace's), joined into groups by union-find */
struct join {
	char *name[MAX_NAMES];
	size_t name_cnt;
	int parent[2 * MAX_NAMES]; /* names 0..MAX_NAMES-1, records MAX_NAMES + i */
	struct cnt st[2 * MAX_NAMES][NSC], io[2 * MAX_NAMES][NSC];
};

static char *tdir;

static void teardown(void)
{
	if (tdir)
		e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

static int find(struct join *j, int x)
{
	while (j->parent[x] != x)
		x = j->parent[x] = j->parent[j->parent[x]];
	return x;
}

static void unite(struct join *j, int a, int b)
{
	j->parent[find(j, a)] = find(j, b);
}

static int name_idx(struct join *j, const char *s, size_t len)
{
	for (size_t i = 0; i < j->name_cnt; i++)
		if (strlen(j->name[i]) == len && !strncmp(j->name[i], s, len))
			return (int)i;
	cr_assert_lt(j->name_cnt, MAX_NAMES, "more than %d file names", MAX_NAMES);
	j->name[j->name_cnt] = strndup(s, len);
	return (int)j->name_cnt++;
}

/* "<path>" or "<path (deleted)>" at s: the path's index, when below tdir; else -1 */
static int path_at(struct join *j, const char *s)
{
	size_t len = strcspn(s + 1, ">"), dl = strlen(tdir);
	static const char del[] = " (deleted)";

	if (len > sizeof(del) - 1 &&
	    !strncmp(s + 1 + len - (sizeof(del) - 1), del, sizeof(del) - 1))
		len -= sizeof(del) - 1;
	if (len <= dl || strncmp(s + 1, tdir, dl) || s[1 + dl] != '/')
		return -1;
	return name_idx(j, s + 1, len);
}

static void count(struct cnt *c, long long ret, bool sync)
{
	c->calls++;
	if (ret < 0)
		c->errors++;
	else if (!sync)
		c->bytes += (unsigned long long)ret;
}

/* one line of a strace -y log: "name(FD<path>, ...) = RET ..." */
static void parse_line(struct join *j, const char *l)
{
	const char *fd, *eq = strstr(l, ") = ");
	long long ret;
	size_t sc, nl = strcspn(l, "(");

	for (sc = 0; sc < NSC; sc++)
		if (strlen(names[sc]) == nl && !strncmp(l, names[sc], nl))
			break;
	if (sc == NSC || !eq || sscanf(eq + 4, "%lld", &ret) != 1)
		return;
	if (!strncmp(eq + 4, "-1 ", 3))
		ret = -1;
	fd = strchr(l, '<');
	if (!fd)
		return;
	if (!strcmp(names[sc], "sendfile") || sc == 11 || sc == 12) {
		/*
		 * sendfile(OUT<path>, IN<path>, ...); copy_file_range and splice
		 * (IN<path>, off, OUT<path>, ...): counted on each file, once on one
		 * file that is both
		 */
		const char *second = strchr(strchr(fd, '>') + 1, '<');
		bool sf = !strcmp(names[sc], "sendfile");
		int out_i = path_at(j, sf ? fd : second ? second : "<>");
		int in_i = sf ? (second ? path_at(j, second) : -1) : path_at(j, fd);

		if (in_i >= 0)
			count(&j->st[in_i][sc], ret, false);
		if (out_i >= 0 && out_i != in_i)
			count(&j->st[out_i][sc], ret, false);
		return;
	}
	if (path_at(j, fd) >= 0)
		count(&j->st[path_at(j, fd)][sc], ret, sc >= SC_FIRST_SYNC);
}

/* every strace.* file of -ff (one per thread, so no call is split over two lines) */
static void parse_logs(struct join *j, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		char *log, *line;
		size_t len;

		if (strncmp(de->d_name, "strace.", 7))
			continue;
		cr_assert_eq(e2e_read_file(e2e_join(dir, de->d_name), &log, &len), 0);
		for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
			parse_line(j, line);
		free(log);
	}
	closedir(d);
}

static bool below_tdir(const char *path)
{
	size_t dl = strlen(tdir);

	return !strncmp(path, tdir, dl) && path[dl] == '/';
}

/* iotrace's records below tdir: their counts, united with each name they had */
static void read_records(struct join *j, const struct jval *doc)
{
	const struct jval *files = jval_get(doc, "files");
	size_t r = 0;

	for (size_t i = 0; i < jval_len(files); i++) {
		const struct jval *f = jval_idx(files, i), *former = jval_get(f, "former_paths");
		const struct jval *scs = jval_get(f, "syscalls");
		const char *path = jval_str(jval_get(f, "path"), NULL);
		int rec = MAX_NAMES + (int)r;

		if (!path || !below_tdir(path))
			continue;
		cr_assert_lt(r, MAX_NAMES);
		r++;
		unite(j, rec, name_idx(j, path, strlen(path)));
		for (size_t k = 0; k < jval_len(former); k++) {
			const char *p = jval_str(jval_idx(former, k), NULL);

			unite(j, rec, name_idx(j, p, strlen(p)));
		}
		for (size_t sc = 0; sc < NSC; sc++) {
			const struct jval *s = jval_get(scs, names[sc]);

			if (!s)
				continue;
			jval_u64(jval_get(s, "calls"), (uint64_t *)&j->io[rec][sc].calls);
			jval_u64(jval_get(s, "errors"), (uint64_t *)&j->io[rec][sc].errors);
			jval_u64(jval_get(s, "bytes"), (uint64_t *)&j->io[rec][sc].bytes);
		}
	}
}

/* per group and syscall, strace's counts against iotrace's; the number of groups */
static size_t compare(struct join *j, const char *what)
{
	static struct cnt st[2 * MAX_NAMES][NSC], io[2 * MAX_NAMES][NSC];
	size_t groups = 0;

	memset(st, 0, sizeof(st));
	memset(io, 0, sizeof(io));
	for (int x = 0; x < 2 * MAX_NAMES; x++) {
		int g = find(j, x);

		for (size_t sc = 0; sc < NSC; sc++) {
			st[g][sc].calls += j->st[x][sc].calls;
			st[g][sc].errors += j->st[x][sc].errors;
			st[g][sc].bytes += j->st[x][sc].bytes;
			io[g][sc].calls += j->io[x][sc].calls;
			io[g][sc].errors += j->io[x][sc].errors;
			io[g][sc].bytes += j->io[x][sc].bytes;
		}
	}
	for (int g = 0; g < 2 * MAX_NAMES; g++) {
		const char *name = NULL;
		bool any = false;

		for (size_t i = 0; i < j->name_cnt && !name; i++)
			name = find(j, (int)i) == g ? j->name[i] : NULL;
		for (size_t sc = 0; sc < NSC; sc++) {
			any |= st[g][sc].calls || io[g][sc].calls;
			cr_expect(!memcmp(&st[g][sc], &io[g][sc], sizeof(st[g][sc])),
				  "%s: %s: %s: strace %llu calls, %llu errors, %llu bytes; iotrace "
				  "%llu, %llu, %llu",
				  what, name ? name : "?", names[sc], st[g][sc].calls,
				  st[g][sc].errors, st[g][sc].bytes, io[g][sc].calls,
				  io[g][sc].errors, io[g][sc].bytes);
		}
		groups += any;
	}
	return groups;
}

/* run `sh -c script` in tdir under iotrace and strace; the document, validated and parsed */
static struct jval *trace_script(const char *script, const char *what, struct join *j)
{
	char out[PATH_MAX], logs[PATH_MAX], prefix[PATH_MAX + 16], msg[512];
	const char *argv[] = { E2E_IOTRACE,
			       "-q",
			       "-o",
			       out,
			       "--",
			       "strace",
			       "-ff",
			       "-y",
			       "-qq",
			       "-o",
			       prefix,
			       "-e",
			       "trace=read,readv,pread64,preadv,preadv2,write,writev,pwrite64,"
			       "pwritev,pwritev2,sendfile,copy_file_range,splice,fsync,fdatasync",
			       "--",
			       "sh",
			       "-c",
			       script,
			       NULL };
	struct e2e_proc p;
	struct jval *doc;

	snprintf(out, sizeof(out), "%s.json", tdir);
	snprintf(logs, sizeof(logs), "%s.logs", tdir);
	cr_assert_eq(mkdir(logs, 0755), 0);
	snprintf(prefix, sizeof(prefix), "%s/strace", logs);
	cr_assert_eq(chdir(tdir), 0);
	cr_assert_eq(e2e_run((char *const *)argv, 300, &p), 0);
	cr_assert_eq(p.status, 0, "%s under iotrace and strace: exit %d; %s", what, p.status,
		     p.err);
	e2e_proc_free(&p);
	cr_assert_eq(doc_validate(out, 0, msg, sizeof(msg)), 0, "%s", msg);
	doc = doc_load(out);
	for (int x = 0; x < 2 * MAX_NAMES; x++)
		j->parent[x] = x;
	parse_logs(j, logs);
	read_records(j, doc);
	e2e_rmtree(logs);
	unlink(out);
	return doc;
}

static const struct jval *record_named(const struct jval *doc, const char *rel)
{
	return doc_record(doc, e2e_join(tdir, rel));
}

static bool has_former(const struct jval *rec, const char *rel)
{
	const struct jval *former = jval_get(rec, "former_paths");

	for (size_t i = 0; i < jval_len(former); i++)
		if (jval_str_eq(jval_idx(former, i), e2e_join(tdir, rel)))
			return true;
	return false;
}

static struct join *new_join(void)
{
	struct join *j = calloc(1, sizeof(*j));

	cr_assert_not_null(j);
	return j;
}

static void free_join(struct join *j)
{
	for (size_t i = 0; i < j->name_cnt; i++)
		free(j->name[i]);
	free(j);
}

Test(programs, sqlite3_with_a_rollback_journal_then_wal, .fini = teardown)
{
	static const char script[] =
		"sqlite3 t.db 'create table t(k integer primary key, v blob);"
		" insert into t(v) select randomblob(3000) from generate_series(1, 200);"
		" delete from t where k % 3 = 0;'"
		" && sqlite3 t.db 'pragma journal_mode=wal;"
		" insert into t(v) select randomblob(5000) from generate_series(1, 300);"
		" update t set v = randomblob(100) where k % 5 = 0;"
		" select count(*), sum(length(v)) from t;' > /dev/null";
	struct join *j = new_join();
	struct jval *doc;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	doc = trace_script(script, "sqlite3", j);
	cr_expect_geq(compare(j, "sqlite3"), 3, "t.db, its journal and its WAL");
	cr_expect_not_null(record_named(doc, "t.db-wal"), "t.db-wal has no record");
	cr_expect_not_null(record_named(doc, "t.db"), "t.db has no record");
	jval_free(doc);
	free_join(j);
}

Test(programs, git_init_add_commit_names_lock_files_by_their_final_names, .fini = teardown)
{
	static const char script[] =
		"git init -q . && for i in 1 2 3; do seq $((i * 1000)) > f$i.txt; done"
		" && git add . && git -c user.name=t -c user.email=t@t commit -qm first"
		" && seq 5000 > f1.txt && git -c user.name=t -c user.email=t@t commit -qam second";
	struct join *j = new_join();
	const struct jval *config;
	struct jval *doc;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	doc = trace_script(script, "git", j);
	compare(j, "git");
	config = record_named(doc, ".git/config");
	cr_expect_not_null(config, ".git/config has no record (under its final name)");
	if (config)
		cr_expect(has_former(config, ".git/config.lock"),
			  ".git/config: former_paths lacks .git/config.lock");
	cr_expect_not_null(record_named(doc, ".git/index"), ".git/index has no record");
	/*
	 * Every lock file is renamed over its target or deleted: a record still
	 * under a .lock name is a replaced (so deleted) earlier version
	 */
	for (size_t i = 0; i < jval_len(jval_get(doc, "files")); i++) {
		const struct jval *f = jval_idx(jval_get(doc, "files"), i);
		const char *p = jval_str(jval_get(f, "path"), NULL);
		size_t n = p ? strlen(p) : 0;
		bool deleted = false;

		if (n < 5 || strcmp(p + n - 5, ".lock"))
			continue;
		cr_expect(!jval_bool(jval_get(f, "deleted"), &deleted) && deleted,
			  "%s: a lock file that is not deleted", p);
	}
	jval_free(doc);
	free_join(j);
}

Test(programs, rsync_a_tree_names_every_destination_by_its_final_name, .fini = teardown)
{
	static const char script[] = "mkdir -p src/a/b src/c && for i in 1 2 3 4 5; do"
				     " head -c $((i * 70000)) /dev/urandom > src/a/f$i.bin;"
				     " head -c $((i * 900)) /dev/urandom > src/a/b/g$i.dat;"
				     " head -c $((i * 3)) /dev/urandom > src/c/h$i; done"
				     " && rsync -a src/ dst/";
	static const char *const files[] = { "a/f1.bin",   "a/f3.bin", "a/f5.bin", "a/b/g2.dat",
					     "a/b/g4.dat", "c/h1",     "c/h5" };
	struct join *j = new_join();
	struct jval *doc;
	char rel[64];

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	doc = trace_script(script, "rsync", j);
	compare(j, "rsync");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct jval *r;

		snprintf(rel, sizeof(rel), "dst/%s", files[i]);
		r = record_named(doc, rel);
		cr_expect_not_null(r, "%s has no record under its final name", rel);
		cr_expect(!r || jval_len(jval_get(r, "former_paths")) == 1,
			  "%s: rsync writes a temporary file first; want one former path", rel);
	}
	/* no record is left under a temporary name: every dst file's record has its final name */
	for (size_t i = 0; i < jval_len(jval_get(doc, "files")); i++) {
		const char *p =
			jval_str(jval_get(jval_idx(jval_get(doc, "files"), i), "path"), NULL);
		const char *base = p ? strrchr(p, '/') : NULL;

		cr_expect(!base || strncmp(base, "/.", 2), "a record under a temporary name: %s",
			  p);
	}
	jval_free(doc);
	free_join(j);
}

/* the bytes of a record's side, 0 when it is null */
static uint64_t side_bytes(const struct jval *rec, const char *side)
{
	uint64_t v = 0;

	jval_u64(jval_get(jval_get(rec, side), "bytes"), &v);
	return v;
}

Test(programs, cp_and_cat_copy_in_the_kernel_and_every_byte_is_counted, .fini = teardown)
{
	static const char script[] =
		"head -c 16777216 /dev/urandom > big"
		" && cp big copy1 && cat big > copy2 && cat copy1 | cat > copy3";
	const struct jval *big, *c1, *c2, *c3;
	struct join *j = new_join();
	struct jval *doc;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	doc = trace_script(script, "cp and cat", j);
	compare(j, "cp and cat");
	big = record_named(doc, "big");
	c1 = record_named(doc, "copy1");
	c2 = record_named(doc, "copy2");
	c3 = record_named(doc, "copy3");
	cr_assert(big && c1 && c2 && c3, "a record is missing");
	/* cp and the first cat copy in the kernel; the last cat reads a pipe and writes */
	cr_expect_eq(side_bytes(big, "copy_read"), 2 * 16777216ULL);
	cr_expect_eq(side_bytes(c1, "copy_write"), 16777216ULL);
	cr_expect_eq(side_bytes(c2, "copy_write"), 16777216ULL);
	cr_expect_eq(side_bytes(c1, "copy_read") + side_bytes(c1, "read"), 16777216ULL);
	cr_expect_eq(side_bytes(c3, "write") + side_bytes(c3, "copy_write"), 16777216ULL);
	jval_free(doc);
	free_join(j);
}

static uint64_t u64_of(const struct jval *o, const char *a, const char *b)
{
	uint64_t v = UINT64_MAX;

	jval_u64(jval_get(jval_get(o, a), b), &v);
	return v;
}

/*
 * fio's script, `sh -c script` in a new directory on /tmp (O_DIRECT needs a
 * disk file system) under iotrace alone: the document, validated and parsed
 */
static struct jval *trace_fio_with(const char *opt, const char *script)
{
	char out[PATH_MAX + 16], msg[512];
	const char *argv[] = { E2E_IOTRACE, "-q", "-o", out, opt, "--", "sh", "-c", script, NULL };
	struct e2e_proc p;

	tdir = e2e_tmpdir("/tmp");
	snprintf(out, sizeof(out), "%s/out.json", tdir);
	cr_assert_eq(chdir(tdir), 0);
	cr_assert_eq(e2e_run((char *const *)argv, 300, &p), 0);
	cr_assert_eq(p.status, 0, "fio under iotrace: exit %d; %s", p.status, p.err);
	e2e_proc_free(&p);
	cr_assert_eq(doc_validate(out, 0, msg, sizeof(msg)), 0, "%s", msg);
	return doc_load(out);
}

static struct jval *trace_fio(const char *script)
{
	return trace_fio_with("-q", script); /* -q twice: no option of its own */
}

/*
 * fio's libaio engine: a sequential read with O_DIRECT at iodepth 8, then
 * random writes at iodepth 16, against fio's own JSON counts (jobs[0].read
 * or .write: io_bytes, total_ios).
 */
Test(programs, fio_libaio_requests_match_fios_own_counts, .fini = teardown)
{
	static const char script[] =
		"head -c 8388608 /dev/urandom > data"
		" && fio --name=r --filename=data --size=8M --bs=64k --rw=read --ioengine=libaio"
		" --iodepth=8 --direct=1 --output-format=json --output=r.fio"
		" && fio --name=w --filename=wdata --size=4M --bs=16k --rw=randwrite"
		" --ioengine=libaio --iodepth=16 --direct=1 --output-format=json --output=w.fio";
	const struct jval *data, *wdata, *rjob, *wjob;
	struct jval *doc, *rfio, *wfio;

	e2e_require_tracer();
	doc = trace_fio(script);
	rfio = doc_load(e2e_join(tdir, "r.fio"));
	wfio = doc_load(e2e_join(tdir, "w.fio"));
	rjob = jval_idx(jval_get(rfio, "jobs"), 0);
	wjob = jval_idx(jval_get(wfio, "jobs"), 0);
	data = record_named(doc, "data");
	wdata = record_named(doc, "wdata");
	cr_assert(data && wdata, "a record is missing");
	cr_expect_eq(u64_of(data, "async_read", "bytes"), u64_of(rjob, "read", "io_bytes"));
	cr_expect_eq(u64_of(data, "async_read", "calls"), u64_of(rjob, "read", "total_ios"));
	cr_expect_eq(u64_of(data, "async_read", "errors"), 0);
	cr_expect_eq(u64_of(wdata, "async_write", "bytes"), u64_of(wjob, "write", "io_bytes"));
	cr_expect_eq(u64_of(wdata, "async_write", "calls"), u64_of(wjob, "write", "total_ios"));
	cr_expect_eq(u64_of(doc, "unseen", "aio_requests"), 0);
	jval_free(wfio);
	jval_free(rfio);
	jval_free(doc);
}

/*
 * fio's io_uring engine, one file per job: random reads and writes at
 * iodepth 16 (buffered); the same with registered buffers and files and
 * O_DIRECT (read_fixed, write_fixed on a registered file); the same with
 * an SQPOLL thread submitting.  Each file's async sides against fio's own
 * JSON counts per direction (io_bytes, total_ios); nothing left unseen.
 */
Test(programs, fio_io_uring_requests_match_fios_own_counts, .fini = teardown)
{
	static const char *const jobs[] = { "plain", "fixed", "sqpoll" };
	static const char script[] =
		"fio --name=plain --filename=plain --size=4M --bs=16k --rw=randrw --ioengine=io_uring"
		" --iodepth=16 --output-format=json --output=plain.fio"
		" && fio --name=fixed --filename=fixed --size=4M --bs=4k --rw=randrw"
		" --ioengine=io_uring --iodepth=16 --fixedbufs=1 --registerfiles=1 --direct=1"
		" --output-format=json --output=fixed.fio"
		" && fio --name=sqpoll --filename=sqpoll --size=2M --bs=8k --rw=randrw"
		" --ioengine=io_uring --iodepth=8 --sqthread_poll=1 --output-format=json"
		" --output=sqpoll.fio";
	char name[32];
	struct jval *doc;

	e2e_require_tracer();
	if (!uring_attributed())
		cr_skip_test("io_uring requests are attributed on 6.1 and later only");
	doc = trace_fio(script);
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		const struct jval *rec = record_named(doc, jobs[i]), *job;
		struct jval *fio;

		snprintf(name, sizeof(name), "%s.fio", jobs[i]);
		fio = doc_load(e2e_join(tdir, name));
		job = jval_idx(jval_get(fio, "jobs"), 0);
		cr_assert(rec, "no record of %s", jobs[i]);
		cr_expect_gt(u64_of(job, "read", "total_ios"), 0, "%s", jobs[i]);
		cr_expect_gt(u64_of(job, "write", "total_ios"), 0, "%s", jobs[i]);
		cr_expect_eq(u64_of(rec, "async_read", "bytes"), u64_of(job, "read", "io_bytes"),
			     "%s", jobs[i]);
		cr_expect_eq(u64_of(rec, "async_read", "calls"), u64_of(job, "read", "total_ios"),
			     "%s", jobs[i]);
		cr_expect_eq(u64_of(rec, "async_write", "bytes"), u64_of(job, "write", "io_bytes"),
			     "%s", jobs[i]);
		cr_expect_eq(u64_of(rec, "async_write", "calls"), u64_of(job, "write", "total_ios"),
			     "%s", jobs[i]);
		cr_expect_eq(u64_of(rec, "async_read", "errors"), 0, "%s", jobs[i]);
		jval_free(fio);
	}
	cr_expect_eq(u64_of(doc, "unseen", "io_uring_requests"), 0);
	cr_expect_eq(u64_of(doc, "unseen", "io_uring_enter_calls"), 0);
	jval_free(doc);
}

/*
 * Mapped I/O of real programs (--mapped): fio's mmap engine does its random reads and
 * writes with memcpy through a shared mapping of its file, and sqlite3 with
 * mmap_size reads its database through one.  Each file appears with page
 * faults, its writes among them for fio; none of fio's I/Os are reads or
 * writes (the read side is empty), and its faults stay within fio's own
 * count of the job's faults (minf + majf, which counts anonymous memory too).
 */
Test(programs, fio_mmap_and_sqlite_mmap_size_show_their_page_faults, .fini = teardown)
{
	static const char script[] =
		"fio --name=m --filename=mdata --size=4M --bs=4k --rw=randrw --ioengine=mmap"
		" --thread --output-format=json --output=m.fio"
		" && sqlite3 s.db 'create table t(v blob);"
		" insert into t(v) select randomblob(4000) from generate_series(1, 300);'"
		" && sqlite3 s.db 'pragma mmap_size=268435456; select sum(length(v)) from t;'"
		" > /dev/null";
	const struct jval *mdata, *sdb, *job;
	struct jval *doc, *fio;
	uint64_t faults, minf = 0, majf = 0;

	e2e_require_tracer();
	if (loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma) != 1)
		cr_skip_test("this kernel has no bpf_find_vma (5.17+): faults are not attributed");
	doc = trace_fio_with("--mapped", script);
	fio = doc_load(e2e_join(tdir, "m.fio"));
	job = jval_idx(jval_get(fio, "jobs"), 0);
	mdata = record_named(doc, "mdata");
	sdb = record_named(doc, "s.db");
	cr_assert(mdata && sdb, "a record is missing");
	faults = u64_of(mdata, "mapped", "faults");
	cr_expect(faults >= 1 && faults != UINT64_MAX, "mdata: no page faults");
	cr_expect_geq(u64_of(mdata, "mapped", "write_faults"), 1, "randrw wrote through it");
	cr_assert_eq(jval_u64(jval_get(job, "minf"), &minf), 0);
	cr_assert_eq(jval_u64(jval_get(job, "majf"), &majf), 0);
	cr_expect_leq(faults, minf + majf, "more faults on mdata than fio counted in all");
	cr_expect(jval_is_null(jval_get(mdata, "read")), "fio's mmap I/Os are not reads");
	cr_expect_geq(u64_of(sdb, "mapped", "faults"), 1, "s.db read with mmap_size: no faults");
	jval_free(fio);
	jval_free(doc);
}
