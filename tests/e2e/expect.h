/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The e2e tier around the shared ground-truth model (tests/lib/model.h):
 * running iotrace on a workload scenario, validating and parsing its
 * document, comparing it with the model through Criterion expectations,
 * and one test's fixture.
 */
#ifndef TESTS_E2E_EXPECT_H
#define TESTS_E2E_EXPECT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

/* create dir/rel with size bytes, as the test's own setup (not traced) */
struct m_file *m_create(struct model *m, const char *rel, uint64_t size);

/* run iotrace on `workload DIR scenario`, validate and parse the result */
struct trace {
	char out[PATH_MAX];
	char *text;
	size_t text_len;
	struct jval *doc;
	uint64_t duration_ns;
	char *wl_out; /* the workload's stdout: lines "KEY VALUE..." it reports */
};
void trace_workload(struct trace *t, const char *dir, const char *scenario,
		    const char *const *extra_args);
void trace_validate(struct trace *t); /* the validators accept it (docval.h), then jsonr parse */
void trace_free(struct trace *t);
/* the rest of the workload's stdout line "KEY ..." (static buffer), or NULL */
const char *trace_wl_value(const struct trace *t, const char *key);
/* the FILE object of absolute path in a result document, or NULL */
const struct jval *doc_record(const struct jval *doc, const char *path);
/* a JSON file (a result document, or fio's output) parsed; the caller frees it (jval_free) */
struct jval *doc_load(const char *path);

/*
 * Compare every record below m->dir with the model (stat'ing files not yet
 * stat'ed), and check that nothing outside it came from pipes, devices,
 * sockets or memfds.  Mismatches are Criterion expectation failures.
 */
void trace_check(struct trace *t, struct model *m);
/* the same for the one file dir/rel; other records below dir are ignored */
void trace_check_only(struct trace *t, struct model *m, const char *rel);

/*
 * One test's fixture: a fresh directory below base (skips without root/BPF,
 * fails then under CI), the model in it, and the trace of one run.
 */
extern char *fx_dir;
extern struct model fx_model;
extern struct trace fx_trace;
struct model *fx_setup(const char *base);
void fx_run(const char *scenario, const char *const *extra); /* trace + validate */
void fx_teardown(void);					     /* .fini */
char *fx_path(const char *rel);				     /* fx_dir/rel, static */
/*
 * f's identity as the workload reported it ("STAT:key MAJ:MIN INO", for a
 * file gone by the end); fstype NULL: the type of the mount holding it
 */
void fx_reported_id(struct m_file *f, const char *key, const char *fstype);
/* the workload reported "KEY N": N */
uint64_t fx_wl_u64(const char *key);

#endif
