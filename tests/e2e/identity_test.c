// SPDX-License-Identifier: GPL-2.0
/*
 * A record is the file the user thinks of: a file that gets the inode
 * number of a deleted one is a record of its own (ext4 reuses numbers at
 * once; on tmpfs the second file is simply new), a file written under a
 * temporary name and renamed into place is reported under its final name
 * with the temporary one as its former path, a file unlinked while open is
 * deleted when it is closed; and sequential access is judged per open
 * file (stream), so threads that each read their own part of one file in
 * order are sequential, and two threads taking turns on one descriptor
 * are one stream.  Ground truth: the model replays the workload's calls.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static uint64_t generation_of(const char *path)
{
	const struct jval *r = doc_record(fx_trace.doc, path);
	uint64_t gen = 0;

	cr_assert_not_null(r, "no record for %s", path);
	cr_assert_eq(jval_u64(jval_get(r, "generation"), &gen), 0, "%s: generation", path);
	return gen;
}

static void identity_on(const char *base, bool must_reuse)
{
	struct model *m = fx_setup(base);
	struct m_file *a, *b, *t, *shm;
	int fd;

	fx_run("identity", NULL);
	a = m_file(m, WL_ID_A, 0);
	fd = m_open(m, a, O_CREAT | O_WRONLY | O_TRUNC);
	m_write(m, fd, WL_ID_A_WR);
	m_close(m, fd);
	a->deleted = true;
	fx_reported_id(a, "ida", NULL);
	b = m_file(m, WL_ID_B, 0);
	fd = m_open(m, b, O_CREAT | O_WRONLY | O_EXCL);
	m_write(m, fd, WL_ID_B_WR);
	m_close(m, fd);
	fx_reported_id(b, "idb", NULL);
	t = m_file(m, WL_ID_FINAL, 0);
	fd = m_open(m, t, O_CREAT | O_WRONLY | O_TRUNC);
	m_write(m, fd, WL_ID_TMP_WR);
	m_close(m, fd);
	m_renamed_from(m, t, WL_ID_TMP);
	shm = m_file(m, WL_ID_SHM, 0);
	fd = m_open(m, shm, O_CREAT | O_RDWR | O_TRUNC);
	m_write(m, fd, WL_ID_SHM_WR);
	m_close(m, fd);
	shm->deleted = true;
	fx_reported_id(shm, "idshm", NULL);

	trace_check(&fx_trace, m);
	if (must_reuse)
		cr_expect_eq(fx_wl_u64("REUSED"), 1,
			     "%s did not give B the inode of A: the case "
			     "this test is about did not happen",
			     base);
	if (a->ino == b->ino)
		cr_expect_neq(generation_of(fx_path(WL_ID_A)), generation_of(fx_path(WL_ID_B)),
			      "A and B share an inode number: their generations must differ");
}

Test(identity, reused_inode_renamed_and_unlinked_files_on_ext4_or_the_tmp_file_system,
     .fini = fx_teardown)
{
	struct stat st;
	char fstype[32];

	cr_assert_eq(stat("/tmp", &st), 0);
	cr_assert_eq(m_fstype(st.st_dev, fstype, sizeof(fstype)), 0);
	/* ext4 hands the freed inode number to the next file at once */
	identity_on("/tmp", !strcmp(fstype, "ext4"));
}

Test(identity, reused_inode_renamed_and_unlinked_files_on_tmpfs, .fini = fx_teardown)
{
	identity_on("/dev/shm", false);
}

Test(streams, threads_reading_their_own_quarter_and_turns_on_one_descriptor, .fini = fx_teardown)
{
	struct model *m = fx_setup("/tmp");
	struct m_file *q = m_create(m, WL_ST_FILE, WL_ST_SZ);
	struct m_file *sh = m_create(m, WL_ST_SHARED, 2 * WL_ST_TURNS * WL_ST_RD);
	int fd;

	fx_run("streams", NULL);
	/* each thread its own open file: four streams, each in order from its start */
	for (int t = 0; t < WL_ST_THREADS; t++) {
		fd = m_open(m, q, O_RDONLY);
		for (int k = 0; k < WL_ST_CALLS; k++)
			m_pread(m, fd, WL_ST_RD, (uint64_t)(t * WL_ST_CALLS + k) * WL_ST_RD);
		m_close(m, fd);
	}
	/* one descriptor, two threads in turn: one stream, every read where the last ended */
	fd = m_open(m, sh, O_RDONLY);
	for (int k = 0; k < 2 * WL_ST_TURNS; k++)
		m_read(m, fd, WL_ST_RD);
	m_close(m, fd);
	trace_check(&fx_trace, m);
	cr_expect_eq(q->side[0].streams, WL_ST_THREADS);
	/* every call but the first of the three streams that start past 0 */
	cr_expect_eq(q->side[0].seq_calls, WL_ST_THREADS * WL_ST_CALLS - (WL_ST_THREADS - 1));
	cr_expect_eq(sh->side[0].seq_calls, 2 * WL_ST_TURNS);
}

/* report finds a renamed file by its former name too */
Test(identity, report_finds_a_renamed_file_by_either_name, .fini = fx_teardown)
{
	const char *argv[] = {
		E2E_IOTRACE, "report", "--format", "json", "--file", NULL, NULL, NULL
	};
	struct jval *doc;
	struct jerr jerr;
	struct e2e_proc p;

	fx_setup("/tmp");
	fx_run("identity", NULL);
	argv[6] = fx_trace.out;
	for (int by_former = 0; by_former < 2; by_former++) {
		const struct jval *rec;

		argv[5] = fx_path(by_former ? WL_ID_TMP : WL_ID_FINAL);
		cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
		cr_assert_eq(p.status, 0, "report --file %s: exit %d; %s", argv[5], p.status,
			     p.err);
		cr_assert_eq(jsonr_parse(p.out, p.out_len, &doc, &jerr), 0, "%s", jerr.msg);
		cr_expect_eq(jval_len(jval_get(doc, "files")), 1, "report --file %s", argv[5]);
		rec = doc_record(doc, fx_path(WL_ID_FINAL));
		cr_expect_not_null(rec, "report --file %s: not the renamed file", argv[5]);
		jval_free(doc);
		e2e_proc_free(&p);
	}
}
