// SPDX-License-Identifier: GPL-2.0
/*
 * Pieces of the result format shared by the tracer's writer and by
 * `iotrace report` (see schema.h): syscall names, histogram bucket bounds,
 * the start time's text form, the CSV header and quoting.
 */
#include <string.h>
#include <time.h>

#include "format/schema.h"

const struct sc_info sc_infos[SC_MAX] = {
#define X(name, tp, nargs, kind, fd, out, req, off) [SC_##name] = { #name, kind },
#include "syscalls.def"
#undef X
};

int sc_lookup(const char *name, size_t len)
{
	for (int i = 0; i < SC_MAX; i++)
		if (strlen(sc_infos[i].name) == len && !memcmp(sc_infos[i].name, name, len))
			return i;
	return SC_MAX;
}

void hist_bucket_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	*lo = i == 0 ? 0 : 1ULL << (i - 1);
	*hi = i == 0 ? 0 : i == HIST_LAST ? UINT64_MAX : (1ULL << i) - 1;
}

void lat_bucket_bounds(int i, uint64_t *lo, uint64_t *hi)
{
	int k = i / 4 + 1;
	uint64_t sub = (uint64_t)(i % 4);

	if (i < 4) {
		*lo = *hi = (uint64_t)i;
		return;
	}
	*lo = (4 + sub) << (k - 2);
	*hi = i == LAT_LAST ? UINT64_MAX : ((5 + sub) << (k - 2)) - 1;
}

void format_rfc3339(uint64_t unix_ns, char *buf, size_t sz)
{
	time_t secs = (time_t)(unix_ns / 1000000000ULL);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sz, "%s.%09lluZ", base, (unsigned long long)(unix_ns % 1000000000ULL));
}

void csv_field(FILE *f, const char *s, size_t len)
{
	bool quote = false;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

/*
 * Each column is named by the JSON path of its value (read.calls,
 * syscalls.read.calls), so no two columns share a name.
 */
void csv_header(FILE *f, bool per_process)
{
	fputs("path", f);
	if (per_process)
		fputs(",pid,comm", f);
	fputs(",dev,ino,generation,fstype,deleted,former_paths,comms", f);
	for (int s = 0; s < 2; s++) {
		const char *p = s ? "write" : "read";

		fprintf(f,
			",%s.calls,%s.errors,%s.bytes,%s.seq_calls,%s.streams,%s.first_entry_ns,"
			"%s.last_return_ns",
			p, p, p, p, p, p, p);
	}
	fputs(",write.rewrites,fsync.calls,fsync.errors,fsync.total_ns", f);
	for (int i = 0; i < SC_MAX; i++)
		fprintf(f, ",syscalls.%s.calls,syscalls.%s.errors,syscalls.%s.bytes",
			sc_infos[i].name, sc_infos[i].name, sc_infos[i].name);
	fputs("\r\n", f);
}
