// SPDX-License-Identifier: GPL-2.0
/*
 * Which files get a record, under which path, end to end: a tmpfs mounted
 * inside a tmpfs inside the test's file system and bind mounts, in a private
 * mount namespace of the workload (the path as that namespace sees it, the
 * identity the workload fstat'ed there); O_TMPFILE files (no record until
 * linked, then under the new name), memfds (never); and exact counts with
 * two threads and two processes on shared descriptors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

Test(files, nested_tmpfs_and_bind_mounts_in_a_private_namespace, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *a, *b, *c, *d;
	struct stat st;
	char fstype[32];
	int fd;

	cr_assert_eq(mkdir(fx_path(WL_BIND_SRC), 0755), 0);
	cr_assert_eq(e2e_make_file(fx_path(WL_BIND_SRC "/" WL_BIND_C), WL_BIND_C_SZ, 'c'), 0);
	fx_run("mounts", NULL);

	a = m_file(m, WL_MNT_A, 0); /* tmpfs on DIR/mnt */
	fd = m_open(m, a, O_CREAT | O_RDWR | O_TRUNC);
	m_write(m, fd, 111);
	m_pread(m, fd, 111, 0);
	m_close(m, fd);
	fx_reported_id(a, "a", "tmpfs");
	b = m_file(m, WL_MNT_B, 0); /* tmpfs on DIR/mnt/inner, opened relative to it */
	fd = m_open(m, b, O_CREAT | O_WRONLY | O_TRUNC);
	m_write(m, fd, 222);
	m_close(m, fd);
	fx_reported_id(b, "b", "tmpfs");
	d = m_file(m, WL_BIND2_DST "/" WL_BIND2_D, 0); /* DIR/mnt/inner/sub bound on DIR/bind2 */
	fd = m_open(m, d, O_RDWR);
	m_write(m, fd, 44);
	m_pread(m, fd, 100, 0);
	m_close(m, fd);
	fx_reported_id(d, "d", "tmpfs");
	c = m_file(m, WL_BIND_DST "/" WL_BIND_C, WL_BIND_C_SZ); /* DIR/src bound on DIR/bind */
	fd = m_open(m, c, O_RDONLY);
	m_read(m, fd, 4096);
	m_read(m, fd, 4096);
	m_close(m, fd);
	cr_assert_eq(stat(fx_path(WL_BIND_SRC "/" WL_BIND_C), &st), 0);
	cr_assert_eq(m_fstype(st.st_dev, fstype, sizeof(fstype)), 0);
	m_set_id(c, st.st_dev, st.st_ino, fstype);
	cr_expect_neq(a->dev, b->dev, "the inner tmpfs is a file system of its own");
	trace_check(&fx_trace, m);
}

Test(files, o_tmpfile_counts_once_linked_under_its_name_and_memfds_never, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *l = m_file(m, WL_TMPF_LINK, WL_TMPF_PRE);
	int fd = m_open(m, l, O_RDWR);

	/* before linkat: no name, nothing counted; after it, the file is a named one */
	m_seek(m, fd, WL_TMPF_PRE);
	m_write(m, fd, WL_TMPF_POST);
	m_close(m, fd);
	fx_run("tmpfile", NULL);
	trace_check(&fx_trace, m); /* an unnamed O_TMPFILE below DIR would be unexpected */
}

#define S WL_IOV_SMALL_SUM

Test(files, two_threads_on_shared_descriptors_are_counted_exactly, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_TS_FILE, WL_TS_SZ);
	int fa = m_open(m, f, O_WRONLY | O_APPEND), fr = m_open(m, f, O_RDONLY);

	f->loose_seq = true; /* both threads move one position: starts race */
	for (int t = 0; t < 2; t++) {
		for (int i = 0; i < WL_TS_ITERS; i++) {
			m_write(m, fa, WL_TS_WR);
			m_read(m, fr, WL_TS_RD);
			if (i % WL_TS_VEC_EVERY == 0)
				m_wcall(m, fa, M_WRITEV, S, M_POS);
		}
	}
	m_close(m, fa);
	m_close(m, fr);
	fx_run("tshared", NULL);
	trace_check(&fx_trace, m);
}

Test(files, two_processes_on_one_file_are_counted_exactly, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *f = m_create(m, WL_PS_FILE, WL_PS_SZ);
	int fa = m_open(m, f, O_WRONLY | O_APPEND);

	f->loose_seq = true; /* appends of both race for the size */
	for (int c = 0; c < 2; c++) {
		int frw = m_open(m, f, O_RDWR), fwo = m_open(m, f, O_WRONLY);

		for (int i = 0; i < WL_PS_ITERS; i++) {
			m_pread(m, frw, WL_PS_RD, wl_ps_off(c, i));
			m_pwrite(m, frw, WL_PS_WR, wl_ps_off(c, i));
			m_write(m, fa, WL_PS_WR);
			if (i % WL_PS_BAD_EVERY == 0)
				m_fail(m, fwo, M_READ, WL_PS_RD, 0);
		}
		m_close(m, frw);
		m_close(m, fwo);
	}
	m_close(m, fa); /* the parent's; the children's copies close at exit */
	fx_run("pshared", NULL);
	trace_check(&fx_trace, m);
}
