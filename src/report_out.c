// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report --format json|csv`: the entries (files or groups) again as
 * a schema-1 document, so reports compose, or in the spec's CSV form.  Times
 * are relative to the earliest start of the documents read; keys come in
 * the tracer's order (output.c) so both writers' documents look alike.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "schema.h"

static void write_hist(struct json *j, const char *key, const struct rhist *h)
{
	json_arr_begin(j, key);
	for (size_t i = 0; i < h->cnt; i++)
		json_u64_triple(j, NULL, h->b[i].lo, h->b[i].hi, h->b[i].cnt);
	json_arr_end(j);
}

static void write_sc(struct json *j, const struct rsc *sc)
{
	json_obj_begin(j, sc->name);
	json_u64(j, "calls", sc->calls);
	json_u64(j, "errors", sc->errors);
	if (sc->has & RSC_BYTES)
		json_u64(j, "bytes", sc->bytes);
	if (sc->has & RSC_REQ)
		write_hist(j, "req_hist", &sc->req);
	if (sc->has & RSC_DONE)
		write_hist(j, "done_hist", &sc->done);
	if (sc->has & RSC_LAT)
		write_hist(j, "lat_hist", &sc->lat);
	if (sc->has & RSC_TOTAL)
		json_u64(j, "total_ns", sc->total_ns);
	json_obj_end(j);
}

static void write_side(struct json *j, const char *key, const struct rside *s, uint64_t base,
		       bool is_write)
{
	if (!s->present) {
		json_null(j, key);
		return;
	}
	json_obj_begin(j, key);
	json_u64(j, "calls", s->calls);
	json_u64(j, "errors", s->errors);
	json_u64(j, "bytes", s->bytes);
	json_u64(j, "first_entry_ns", s->first_ns - base);
	if (s->has_last)
		json_u64(j, "last_return_ns", s->last_ns - base);
	else
		json_null(j, "last_return_ns");
	json_u64(j, "seq_calls", s->seq_calls);
	write_hist(j, "seq_hist", &s->seq);
	if (is_write)
		json_u64(j, "rewrites", s->rewrites);
	json_obj_end(j);
}

static void write_fsync(struct json *j, const struct rfsync *fs)
{
	if (!fs->present) {
		json_null(j, "fsync");
		return;
	}
	json_obj_begin(j, "fsync");
	json_u64(j, "calls", fs->calls);
	json_u64(j, "errors", fs->errors);
	json_u64(j, "total_ns", fs->total_ns);
	write_hist(j, "lat_hist", &fs->lat);
	json_obj_end(j);
}

static void write_file(struct json *j, const struct rentry *e, uint64_t base)
{
	char dev[32];

	json_obj_begin(j, NULL);
	json_bytes(j, "path", e->path, e->path_len);
	if (!json_is_utf8(e->path, e->path_len))
		json_hex(j, "path_hex", e->path, e->path_len);
	if (e->has_pid) {
		json_u64(j, "pid", e->pid);
		json_str(j, "comm", e->comm ? e->comm : "");
	}
	json_bool(j, "deleted", e->deleted);
	snprintf(dev, sizeof(dev), "%u:%u", e->dev_major, e->dev_minor);
	json_str(j, "dev", dev);
	json_u64(j, "ino", e->ino);
	json_str(j, "fstype", e->fstype);
	json_arr_begin(j, "comms");
	for (unsigned int i = 0; i < e->comm_cnt; i++)
		json_str(j, NULL, e->comms[i]);
	json_arr_end(j);
	json_obj_begin(j, "syscalls");
	for (size_t i = 0; i < e->sc_cnt; i++)
		write_sc(j, &e->sc[i]);
	json_obj_end(j);
	write_side(j, "read", &e->side[SC_KIND_READ], base, false);
	write_side(j, "write", &e->side[SC_KIND_WRITE], base, true);
	write_fsync(j, &e->fsync);
	json_obj_end(j);
}

/* distinct values of a host field, comma-separated */
static void write_joined(struct json *j, const char *key, const struct rstrs *s)
{
	size_t len = 0;
	char *buf;

	for (size_t i = 0; i < s->cnt; i++)
		len += strlen(s->v[i]) + 1;
	buf = calloc(1, len + 1);
	for (size_t i = 0; buf && i < s->cnt; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, s->v[i]);
	}
	json_str(j, key, buf ? buf : "");
	free(buf);
}

static void write_filter(struct json *j, const struct rmeta *m, bool per_process)
{
	json_obj_begin(j, "filter");
	json_arr_begin(j, "pids");
	for (size_t i = 0; i < m->pid_cnt; i++)
		json_u64(j, NULL, m->pids[i]);
	json_arr_end(j);
	json_arr_begin(j, "comms");
	for (size_t i = 0; i < m->comms.cnt; i++)
		json_str(j, NULL, m->comms.v[i]);
	json_arr_end(j);
	if (m->command) {
		json_arr_begin(j, "command");
		for (size_t i = 0; i < m->command_cnt; i++)
			json_str(j, NULL, m->command[i]);
		json_arr_end(j);
	} else {
		json_null(j, "command");
	}
	json_bool(j, "per_process", per_process);
	json_obj_end(j);
}

/* the span of the documents, stretched to hold every time of the entries */
static uint64_t duration_of(const struct rmeta *m, struct rentry **v, size_t n)
{
	uint64_t end = m->end_ns;

	for (size_t i = 0; i < n; i++) {
		for (int s = 0; s < 2; s++) {
			const struct rside *sd = &v[i]->side[s];

			if (sd->present && sd->first_ns > end)
				end = sd->first_ns;
			if (sd->has_last && sd->last_ns > end)
				end = sd->last_ns;
		}
	}
	return end - m->start_ns;
}

void report_write_json(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		       bool per_process)
{
	const struct rmeta *mt = &m->meta;
	struct json j;
	char start[64];

	report_sort_path(v, n);
	json_init(&j, f, true);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", 1);
	json_obj_begin(&j, "tool");
	json_str(&j, "name", "iotrace");
	json_str(&j, "version", IOTRACE_VERSION);
	json_obj_end(&j);
	json_obj_begin(&j, "host");
	write_joined(&j, "hostname", &mt->hostname);
	write_joined(&j, "kernel", &mt->kernel);
	write_joined(&j, "machine", &mt->machine);
	json_obj_end(&j);
	format_rfc3339(mt->start_ns, start, sizeof(start));
	json_str(&j, "start", start);
	json_u64(&j, "start_unix_ns", mt->start_ns);
	json_u64(&j, "duration_ns", duration_of(mt, v, n));
	write_filter(&j, mt, per_process);
	json_obj_begin(&j, "dropped");
	json_u64(&j, "files", mt->dropped_files);
	json_u64(&j, "events", mt->dropped_events);
	json_obj_end(&j);
	json_arr_begin(&j, "files");
	for (size_t i = 0; i < n; i++)
		write_file(&j, v[i], mt->start_ns);
	json_arr_end(&j);
	json_obj_end(&j);
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_u64(FILE *f, uint64_t v)
{
	fprintf(f, ",%llu", (unsigned long long)v);
}

static void csv_side(FILE *f, const struct rside *s, uint64_t base)
{
	if (!s->present) {
		fputs(",,,,,,", f);
		return;
	}
	csv_u64(f, s->calls);
	csv_u64(f, s->errors);
	csv_u64(f, s->bytes);
	csv_u64(f, s->seq_calls);
	csv_u64(f, s->first_ns - base);
	fputc(',', f);
	if (s->has_last)
		fprintf(f, "%llu", (unsigned long long)(s->last_ns - base));
}

/* calls, errors, bytes of each syscall of syscalls.def; unknown ones have no column */
static void csv_syscalls(FILE *f, const struct rentry *e)
{
	size_t k = 0;

	for (int i = 0; i < SC_MAX; i++) {
		const struct rsc *sc = k < e->sc_cnt && e->sc[k].idx == i ? &e->sc[k++] : NULL;

		if (!sc) {
			fputs(",,,", f);
			continue;
		}
		csv_u64(f, sc->calls);
		csv_u64(f, sc->errors);
		fputc(',', f);
		if (sc->has & RSC_BYTES)
			fprintf(f, "%llu", (unsigned long long)sc->bytes);
	}
}

static void csv_row(FILE *f, const struct rentry *e, uint64_t base, bool per_process)
{
	const struct rside *w = &e->side[SC_KIND_WRITE];

	csv_field(f, e->path, e->path_len);
	if (per_process) {
		fputc(',', f);
		if (e->has_pid)
			fprintf(f, "%llu", (unsigned long long)e->pid);
		fputc(',', f);
		if (e->comm)
			csv_field(f, e->comm, strlen(e->comm));
	}
	fprintf(f, ",%u:%u,%llu,", e->dev_major, e->dev_minor, (unsigned long long)e->ino);
	csv_field(f, e->fstype, strlen(e->fstype));
	fputc(',', f);
	for (unsigned int i = 0; i < e->comm_cnt; i++) {
		if (i)
			fputc(';', f);
		csv_field(f, e->comms[i], strlen(e->comms[i]));
	}
	csv_side(f, &e->side[SC_KIND_READ], base);
	csv_side(f, w, base);
	if (w->present)
		csv_u64(f, w->rewrites);
	else
		fputc(',', f);
	if (e->fsync.present) {
		csv_u64(f, e->fsync.calls);
		csv_u64(f, e->fsync.errors);
		csv_u64(f, e->fsync.total_ns);
	} else {
		fputs(",,,", f);
	}
	csv_syscalls(f, e);
	fputs("\r\n", f);
}

void report_write_csv(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process)
{
	report_sort_path(v, n);
	csv_header(f, per_process);
	for (size_t i = 0; i < n; i++)
		csv_row(f, v[i], m->meta.start_ns, per_process);
}
