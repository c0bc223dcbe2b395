// SPDX-License-Identifier: GPL-2.0
/*
 * The e2e side of the ground-truth model (see expect.h): running the
 * tracer on a workload, the comparison as Criterion expectations, and the
 * fixture.  No Test() here: the file name ends in _test.c only so the
 * Makefile links it into .output/test-e2e.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <criterion/criterion.h>

#include "docval.h"
#include "e2e.h"
#include "expect.h"

/* the model's misuse fails the test that made it */
void model_abort(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cr_assert_fail("model: %s", msg);
	abort(); /* not reached */
}

struct m_file *m_create(struct model *m, const char *rel, uint64_t size)
{
	struct m_file *f = m_file(m, rel, size);
	int err = e2e_make_file(f->path, size, 'x');

	cr_assert_eq(err, 0, "create %s: %s", f->path, strerror(-err));
	return f;
}

/* ---- running the tracer ------------------------------------------------------------------- */

void trace_workload(struct trace *t, const char *dir, const char *scenario,
		    const char *const *extra_args)
{
	const char *argv[32];
	struct e2e_proc p;
	size_t n = 0;
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(t->out, sizeof(t->out), "%s/out.json", dir);
	argv[n++] = E2E_IOTRACE;
	argv[n++] = "-q";
	argv[n++] = "-o";
	argv[n++] = t->out;
	for (; extra_args && *extra_args; extra_args++)
		argv[n++] = *extra_args;
	argv[n++] = "--";
	argv[n++] = E2E_WORKLOAD;
	argv[n++] = dir;
	argv[n++] = scenario;
	argv[n] = NULL;
	err = e2e_run((char *const *)argv, 120, &p);
	cr_assert_eq(err, 0, "running iotrace: %s", strerror(-err));
	cr_assert(!p.timed_out, "iotrace timed out; stderr:\n%s", p.err);
	cr_assert_eq(p.status, 0, "iotrace ... workload %s: exit %d; stderr:\n%s", scenario,
		     p.status, p.err);
	t->wl_out = p.out; /* what the workload reported */
	p.out = NULL;
	e2e_proc_free(&p);
}

const struct jval *doc_record(const struct jval *doc, const char *path)
{
	const struct jval *files = jval_get(doc, "files");

	for (size_t i = 0; i < jval_len(files); i++)
		if (jval_str_eq(jval_get(jval_idx(files, i), "path"), path))
			return jval_idx(files, i);
	return NULL;
}

struct jval *doc_load(const char *path)
{
	struct jval *doc;
	struct jerr jerr;
	char *text;
	size_t len;

	cr_assert_eq(e2e_read_file(path, &text, &len), 0, "%s", path);
	cr_assert_eq(jsonr_parse(text, len, &doc, &jerr), 0, "%s: %s", path, jerr.msg);
	free(text);
	return doc;
}

const char *trace_wl_value(const struct trace *t, const char *key)
{
	static char val[4096];
	size_t klen = strlen(key);

	for (const char *l = t->wl_out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		if (!strncmp(l, key, klen) && l[klen] == ' ') {
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(l + klen + 1, "\n"),
				 l + klen + 1);
			return val;
		}
	}
	return NULL;
}

void trace_validate(struct trace *t)
{
	struct jerr jerr;
	char msg[2048];
	int err;

	err = doc_validate(t->out, DOCVAL_OWN_BUCKETS, msg, sizeof(msg));
	cr_expect_eq(err, 0, "%s", msg);
	err = e2e_read_file(t->out, &t->text, &t->text_len);
	cr_assert_eq(err, 0, "read %s: %s", t->out, strerror(-err));
	err = jsonr_parse(t->text, t->text_len, &t->doc, &jerr);
	cr_assert_eq(err, 0, "%s: %s", t->out, jerr.msg);
	cr_assert_eq(jval_u64(jval_get(t->doc, "duration_ns"), &t->duration_ns), 0,
		     "duration_ns missing");
}

void trace_free(struct trace *t)
{
	jval_free(t->doc);
	free(t->text);
	free(t->wl_out);
	t->doc = NULL;
	t->text = NULL;
	t->wl_out = NULL;
}

/* ---- comparison --------------------------------------------------------------------------- */

static void expect_mismatch(void *ctx, const char *msg)
{
	(void)ctx;
	cr_expect(0, "%s", msg);
}

void trace_check(struct trace *t, struct model *m)
{
	const struct model_report r = { expect_mismatch, NULL };

	if (model_check(t->doc, m, NULL, &r))
		cr_log_info("the result: %s", t->out);
}

void trace_check_only(struct trace *t, struct model *m, const char *rel)
{
	const struct model_report r = { expect_mismatch, NULL };

	if (model_check(t->doc, m, rel, &r))
		cr_log_info("the result: %s", t->out);
}

/* ---- fixture ------------------------------------------------------------------------------ */

char *fx_dir;
struct model fx_model;
struct trace fx_trace;

struct model *fx_setup(const char *base)
{
	e2e_require_tracer();
	fx_dir = e2e_tmpdir(base);
	m_init(&fx_model, fx_dir);
	return &fx_model;
}

void fx_run(const char *scenario, const char *const *extra)
{
	trace_workload(&fx_trace, fx_dir, scenario, extra);
	trace_validate(&fx_trace);
}

void fx_teardown(void)
{
	const char *keep = getenv("IOTRACE_KEEP_TMP");

	trace_free(&fx_trace);
	m_free(&fx_model);
	if (!keep || strcmp(keep, "1"))
		e2e_rmtree(fx_dir);
	free(fx_dir);
	fx_dir = NULL;
}

char *fx_path(const char *rel)
{
	return e2e_join(fx_dir, rel);
}

void fx_reported_id(struct m_file *f, const char *key, const char *fstype)
{
	char k[64], fs[32];
	const char *v;
	unsigned int maj, min;
	unsigned long long ino;

	snprintf(k, sizeof(k), "STAT:%s", key);
	v = trace_wl_value(&fx_trace, k);
	cr_assert_not_null(v, "the workload did not report %s", k);
	cr_assert_eq(sscanf(v, "%u:%u %llu", &maj, &min, &ino), 3, "%s %s", k, v);
	if (!fstype) {
		cr_assert_eq(m_fstype(makedev(maj, min), fs, sizeof(fs)), 0, "no mount for %s", v);
		fstype = fs;
	}
	m_set_id(f, makedev(maj, min), (ino_t)ino, fstype);
}

uint64_t fx_wl_u64(const char *key)
{
	const char *v = trace_wl_value(&fx_trace, key);
	char *end;
	unsigned long long n;

	cr_assert_not_null(v, "the workload did not report %s", key);
	n = strtoull(v, &end, 10);
	cr_assert(end != v, "workload: %s %s: not a number", key, v);
	return n;
}
