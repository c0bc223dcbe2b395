// SPDX-License-Identifier: GPL-2.0
/*
 * read/write/pread64/pwrite64 end to end: iotrace runs the workload
 * generator on one scenario in a fresh directory; the test replays the same
 * calls on the model (expect.h) and compares every field of every record
 * below the directory, once the validators accept the document (docval.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static char *tdir;
static struct model model;
static struct trace tr;

static void teardown(void)
{
	const char *keep = getenv("IOTRACE_KEEP_TMP");

	trace_free(&tr);
	m_free(&model);
	if (!keep || strcmp(keep, "1"))
		e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

static struct model *setup_in(const char *base)
{
	e2e_require_tracer();
	tdir = e2e_tmpdir(base);
	m_init(&model, tdir);
	return &model;
}

static void run(const char *scenario, const char *const *extra)
{
	trace_workload(&tr, tdir, scenario, extra);
	trace_validate(&tr);
}

static void mkdir_in(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tdir, rel);
	cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
}

/* ---- scenarios, mirrored from tests/e2e/tools/workload.c ---------------------------------- */

static void expect_seqread(struct model *m)
{
	struct m_file *f = m_create(m, WL_SEQ_FILE, WL_SEQ_SZ);
	int fd = m_open(m, f, O_RDONLY);

	m_read(m, fd, 4096);
	m_read(m, fd, 65536);
	m_read(m, fd, 1000);
	m_read(m, fd, 65536);
	m_read(m, fd, 65536); /* short at EOF */
	m_read(m, fd, 4096);  /* 0 at EOF */
	m_seek(m, fd, 0);
	m_read(m, fd, 100);
	m_read(m, fd, 100);
	m_close(m, fd);
}

Test(rw, sequential_reads_of_mixed_sizes_on_the_tmp_file_system, .fini = teardown)
{
	struct model *m = setup_in("/tmp");

	expect_seqread(m);
	run("seqread", NULL);
	trace_check(&tr, m);
}

Test(rw, sequential_reads_on_tmpfs, .fini = teardown)
{
	struct model *m = setup_in("/dev/shm");

	expect_seqread(m);
	run("seqread", NULL);
	trace_check(&tr, m);
}

Test(rw, pread64_at_known_offsets_and_read_from_the_untouched_position, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_create(m, WL_RAND_FILE, WL_RAND_SZ);
	int fd = m_open(m, f, O_RDONLY);

	m_pread(m, fd, 4096, 8192);
	m_pread(m, fd, 4096, 0);
	m_pread(m, fd, 4096, 4096);
	m_pread(m, fd, 1000, 123457);
	m_pread(m, fd, 65536, WL_RAND_SZ - 100);
	m_pread(m, fd, 4096, 2 * WL_RAND_SZ);
	m_read(m, fd, 512);
	m_close(m, fd);
	run("pread", NULL);
	trace_check(&tr, m);
}

Test(rw, pwrite64_rewrites_at_one_offset_and_fails_at_a_negative_one, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_file(m, WL_PW_FILE, 0);
	int fd = m_open(m, f, O_CREAT | O_RDWR | O_TRUNC);

	m_pwrite(m, fd, 4096, 0);
	m_pwrite(m, fd, 4096, 0);
	m_pwrite(m, fd, 4096, 4096);
	m_pwrite(m, fd, 100, 4096);
	m_pwrite(m, fd, 10, 1000000);
	m_fail(m, fd, M_PWRITE64, 10, (uint64_t)-1); /* EINVAL */
	m_write(m, fd, 50);
	m_pread(m, fd, 100, 4096);
	m_read(m, fd, 8192);
	m_close(m, fd);
	run("pwrite", NULL);
	trace_check(&tr, m);
}

Test(rw, append_writes_start_at_the_file_size, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_create(m, WL_APPEND_FILE, WL_APPEND_SZ);
	int fd = m_open(m, f, O_WRONLY | O_APPEND);

	m_write(m, fd, 100);
	m_write(m, fd, 200);
	m_write(m, fd, 0);
	m_close(m, fd);
	fd = m_open(m, f, O_RDONLY);
	m_read(m, fd, 4096);
	m_close(m, fd);
	run("append", NULL);
	trace_check(&tr, m);
}

Test(rw, failed_calls_count_as_errors_on_their_file, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_create(m, WL_ERR_FILE, WL_ERR_SZ);
	int fd = m_open(m, f, O_WRONLY);

	m_fail(m, fd, M_READ, 100, m_pos(m, fd));    /* EBADF: fd is write-only */
	m_fail(m, fd, M_PREAD64, 10, 0);	     /* EBADF */
	m_fail(m, fd, M_WRITE, 100, m_pos(m, fd));   /* EFAULT: unmapped buffer */
	m_write(m, fd, 100);			     /* same start as the failed write */
	m_fail(m, fd, M_PWRITE64, 10, (uint64_t)-1); /* EINVAL */
	m_write(m, fd, 100);
	m_close(m, fd);
	run("errors", NULL);
	trace_check(&tr, m);
}

Test(rw, pipes_sockets_devices_memfds_and_directories_get_no_record, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_create(m, WL_SPECIAL_FILE, WL_SPECIAL_SZ);
	int fd = m_open(m, f, O_RDONLY);

	m_read(m, fd, 4096);
	m_close(m, fd);
	run("special", NULL);
	trace_check(&tr, m); /* everything outside the dir must be a real regular file */
}

Test(rw, two_threads_on_one_file_are_counted_exactly, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *f = m_create(m, WL_THR_FILE, WL_THR_SZ);
	int fd_rw = m_open(m, f, O_RDWR), fd_wo = m_open(m, f, O_WRONLY);

	/* offsets chosen so the order of the threads' calls changes no counter */
	for (int t = 0; t < WL_THREADS; t++) {
		for (int i = 0; i < WL_THR_ITERS; i++) {
			m_pread(m, fd_rw, WL_THR_RD_SZ, wl_thr_off(t, i));
			m_pwrite(m, fd_rw, WL_THR_WR_SZ, wl_thr_off(t, i));
			if (i % WL_THR_BAD_EVERY == 0)
				m_fail(m, fd_wo, M_READ, WL_THR_RD_SZ, 0);
		}
	}
	m_close(m, fd_rw);
	m_close(m, fd_wo);
	run("threads", NULL);
	trace_check(&tr, m);
}

/*
 * fork: child i (comm wl-child<i>) preads the shared file, writes its own,
 * then writes a brief file and exits without close(2).  per_process gives
 * each child its own record of the shared file, with its pid and comm.
 */
static const char *const child_comm[WL_FORK_CHILDREN] = { "wl-child0", "wl-child1" };

static void expect_fork(struct model *m, bool per_process, struct m_file *shared)
{
	for (int i = 0; i < WL_FORK_CHILDREN; i++) {
		struct m_file *f = shared, *cf;
		char name[64];
		uint64_t pid;
		int fd;

		snprintf(name, sizeof(name), "PID%d", i);
		pid = fx_wl_u64(name);
		if (per_process && i)
			f = m_file(m, WL_FORK_FILE, WL_FORK_SZ);
		if (per_process) {
			f->pid = pid;
			f->comms[0] = child_comm[i];
		} else {
			f->comms[i] = child_comm[i];
		}
		fd = m_open(m, f, O_RDONLY);
		for (int k = 0; k < WL_FORK_CALLS(i); k++)
			m_pread(m, fd, 4096, wl_fork_off(i, k));
		m_close(m, fd);
		snprintf(name, sizeof(name), WL_CHILD_FILE, i);
		cf = m_file(m, name, 0);
		cf->pid = pid;
		cf->comms[0] = child_comm[i];
		fd = m_open(m, cf, O_CREAT | O_WRONLY | O_TRUNC);
		for (int k = 0; k < WL_FORK_WRITES; k++)
			m_write(m, fd, WL_FORK_WR_SZ);
		m_close(m, fd);
		snprintf(name, sizeof(name), WL_BRIEF_FILE, i);
		cf = m_file(m, name, 0);
		cf->pid = pid;
		cf->comms[0] = child_comm[i];
		fd = m_open(m, cf, O_CREAT | O_WRONLY | O_TRUNC);
		m_write(m, fd, WL_BRIEF_SZ); /* then _exit: no close(2) */
	}
}

Test(rw, forked_children_are_followed_to_their_exit_right_after_io, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *shared = m_create(m, WL_FORK_FILE, WL_FORK_SZ);

	fx_run("fork", NULL);
	expect_fork(m, false, shared);
	trace_check(&fx_trace, m);
}

Test(rw, per_process_gives_two_processes_on_one_file_a_record_each, .fini = fx_teardown)
{
	static const char *const extra[] = { "--per-process", NULL };
	struct model *m = fx_setup("/tmp");
	struct m_file *shared = m_create(m, WL_FORK_FILE, WL_FORK_SZ);
	const struct jval *files;
	size_t n = 0;

	fx_run("fork", extra);
	expect_fork(m, true, shared);
	trace_check(&fx_trace, m); /* pid and comm exact for each record */
	files = jval_get(fx_trace.doc, "files");
	for (size_t i = 0; i < jval_len(files); i++)
		n += jval_str_eq(jval_get(jval_idx(files, i), "path"), fx_path(WL_FORK_FILE));
	cr_expect_eq(n, 2, "%s: %zu records, want one per child", WL_FORK_FILE, n);
}

Test(rw, a_file_unlinked_while_open_is_marked_deleted, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *g = m_create(m, WL_GONE_FILE, WL_GONE_SZ);
	int fd;

	m_create(m, WL_GONE2_FILE, 0); /* the workload needs it; the next test checks it */
	m_stat(g);		       /* the workload removes it */
	g->deleted = true;
	fd = m_open(m, g, O_RDWR);
	m_read(m, fd, 1000);
	m_pread(m, fd, 1000, 0);
	m_write(m, fd, 500);
	m_close(m, fd);
	run("unlink", NULL);
	trace_check_only(&tr, m, WL_GONE_FILE);
}

/*
 * The same run: gone_early.dat is opened, unlinked, then written.  It is a
 * named regular file (not O_TMPFILE, not memfd) whose first traced call
 * comes after the unlink; its name is known from the dentry.
 */
Test(rw, a_file_unlinked_before_its_first_io_still_gets_a_record, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	struct m_file *g2 = m_create(m, WL_GONE2_FILE, 0);
	struct m_file *g = m_create(m, WL_GONE_FILE, WL_GONE_SZ);
	int fd;

	(void)g;
	m_stat(g2);
	g2->deleted = true;
	fd = m_open(m, g2, O_RDWR);
	m_write(m, fd, 500);
	m_close(m, fd);
	run("unlink", NULL);
	trace_check_only(&tr, m, WL_GONE2_FILE);
}

static void expect_named(struct model *m, const char *rel, size_t n)
{
	struct m_file *f = m_file(m, rel, 0);
	int fd = m_open(m, f, O_CREAT | O_WRONLY | O_TRUNC);

	m_write(m, fd, n);
	m_close(m, fd);
}

Test(rw, relative_openat_and_dotdot_paths_and_odd_names_are_absolute, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	char longname[256], rel[PATH_MAX], shown[PATH_MAX];
	struct m_file *f;
	int fd;

	mkdir_in(WL_SUB_DIR);
	mkdir_in(WL_SUB_DIR "/dir");
	expect_named(m, WL_SUB_DIR "/" WL_REL_FILE, 10);
	f = m_file(m, WL_SUB_DIR "/dir/" WL_AT_FILE, 0);
	fd = m_open(m, f, O_CREAT | O_RDWR | O_TRUNC);
	m_write(m, fd, 20);
	m_pread(m, fd, 20, 0);
	m_close(m, fd);
	expect_named(m, WL_SUB_DIR "/up.dat", 30);
	wl_long_name(longname);
	for (size_t i = 0; i < WL_NAME_CNT; i++) {
		const struct wl_name *w = &wl_names[i];

		snprintf(rel, sizeof(rel), "%s/%s", WL_NAMES_DIR, w->raw ? w->raw : longname);
		snprintf(shown, sizeof(shown), "%s/%s", WL_NAMES_DIR, w->raw ? w->shown : longname);
		f = m_file_named(m, rel, shown, w->hex, 0);
		fd = m_open(m, f, O_CREAT | O_WRONLY | O_TRUNC);
		m_write(m, fd, WL_NAME_SZ);
		m_close(m, fd);
	}
	run("paths", NULL);
	trace_check(&tr, m);
}

Test(rw, paths_64_directories_deep_and_of_exactly_4095_bytes_are_whole, .fini = teardown)
{
	struct model *m = setup_in("/tmp");
	char rel[PATH_MAX] = "deep", comp[WL_LONG_COMP + 1];
	size_t n = strlen(rel), name_len;
	struct m_file *f;
	int levels, fd;

	for (int i = 0; i < WL_DEEP_LEVELS; i++)
		n += (size_t)snprintf(rel + n, sizeof(rel) - n, "/d%02d", i);
	snprintf(rel + n, sizeof(rel) - n, "/%s", WL_DEEP_FILE);
	expect_named(m, rel, 8);
	wl_long_layout(strlen(tdir), &levels, &name_len);
	n = (size_t)snprintf(rel, sizeof(rel), "long");
	for (int i = 0; i < levels; i++) {
		wl_long_comp(comp, i);
		n += (size_t)snprintf(rel + n, sizeof(rel) - n, "/%s", comp);
	}
	rel[n++] = '/';
	memset(rel + n, 'z', name_len);
	rel[n + name_len] = '\0';
	cr_assert_eq(strlen(tdir) + 1 + strlen(rel), WL_PATH_LEN, "long path layout");
	expect_named(m, rel, 9);
	f = m->files[m->file_cnt - 1];
	fd = m_open(m, f, O_RDONLY); /* opened again by its whole absolute name */
	m_read(m, fd, 100);
	m_close(m, fd);
	run("longpath", NULL);
	trace_check(&tr, m);
}
