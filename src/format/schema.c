// SPDX-License-Identifier: GPL-2.0
/*
 * Pieces of the result format shared by the tracer's writer and by
 * `iotrace report` (see schema.h): syscall names, histogram bucket bounds,
 * the start time's text form, the CSV header and quoting.
 */
#include <string.h>
#include <time.h>

#include "format/schema.h"

/* only whether a syscall has a destination fd matters here */
#define OUT_NONE       0
#define OUT_FD(n, off) 1
/* the sides a kind counts on: its own, and with a destination the one | 1 */
#define SIDES_OF(kind, out)                                                                        \
	((kind) == SC_KIND_READ || (kind) == SC_KIND_WRITE ? 1 << (kind) | (out) << 1              \
	 : (kind) == SC_KIND_COPY ? 1 << SIDE_COPY_READ | 1 << SIDE_COPY_WRITE                     \
				  : 0)

const struct sc_info sc_infos[SC_MAX] = {
#define X(name, tp, nargs, kind, fd, out, req, off)                                                \
	[SC_##name] = { #name, kind, out, SIDES_OF(kind, out) },
#include "syscalls.def"
#undef X
	[SC_aio_pread] = { "aio_pread", SC_KIND_ASYNC, false, 1 << SIDE_ASYNC_READ },
	[SC_aio_pwrite] = { "aio_pwrite", SC_KIND_ASYNC | 1, false, 1 << SIDE_ASYNC_WRITE },
	[SC_uring_read] = { "io_uring_read", SC_KIND_ASYNC, false, 1 << SIDE_ASYNC_READ },
	[SC_uring_write] = { "io_uring_write", SC_KIND_ASYNC | 1, false, 1 << SIDE_ASYNC_WRITE },
	[SC_uring_readv] = { "io_uring_readv", SC_KIND_ASYNC, false, 1 << SIDE_ASYNC_READ },
	[SC_uring_writev] = { "io_uring_writev", SC_KIND_ASYNC | 1, false, 1 << SIDE_ASYNC_WRITE },
	[SC_uring_read_fixed] = { "io_uring_read_fixed", SC_KIND_ASYNC, false,
				  1 << SIDE_ASYNC_READ },
	[SC_uring_write_fixed] = { "io_uring_write_fixed", SC_KIND_ASYNC | 1, false,
				   1 << SIDE_ASYNC_WRITE },
	[SC_uring_fsync] = { "io_uring_fsync", SC_KIND_ASYNC_SYNC, false, 0 },
	[SC_uring_fdatasync] = { "io_uring_fdatasync", SC_KIND_ASYNC_SYNC, false, 0 },
};

const char *const side_keys[SIDES] = { "read",	     "write",	   "copy_read",
				       "copy_write", "async_read", "async_write" };
const char *const unseen_keys[UNSEEN_MAX] = {
	[UNSEEN_IO_SUBMIT] = "io_submit_calls",
	[UNSEEN_AIO_IOCBS] = "aio_requests",
	[UNSEEN_URING_ENTER] = "io_uring_enter_calls",
	[UNSEEN_URING_SUBMIT] = "io_uring_submissions",
	[UNSEEN_SHARED_MMAP] = "shared_file_mappings",
	[UNSEEN_SYNC_FILE_RANGE] = "sync_file_range_calls",
	[UNSEEN_MMAP_BYTES] = "shared_file_mapped_bytes",
	[UNSEEN_URING_REQS] = "io_uring_requests",
	[UNSEEN_FAULTS] = "page_faults",
	[UNSEEN_CACHE_PAGES] = "page_cache_pages",
};
void unseen_text(const uint64_t *u, char *buf, size_t sz)
{
	size_t n = 0;

#define UNSEEN_PUT(...)                                                                            \
	do {                                                                                       \
		int w_ = snprintf(buf + n, sz - n, "%s", n ? ", " : "");                           \
		n += w_ > 0 && (size_t)w_ < sz - n ? (size_t)w_ : 0;                               \
		w_ = snprintf(buf + n, sz - n, __VA_ARGS__);                                       \
		n += w_ > 0 && (size_t)w_ < sz - n ? (size_t)w_ : 0;                               \
	} while (0)
	buf[0] = 0;
	if (u[UNSEEN_AIO_IOCBS])
		UNSEEN_PUT("%llu Linux AIO requests in %llu io_submit calls (other than preads "
			   "and pwrites of files)",
			   (unsigned long long)u[UNSEEN_AIO_IOCBS],
			   (unsigned long long)u[UNSEEN_IO_SUBMIT]);
	if (u[UNSEEN_URING_ENTER])
		UNSEEN_PUT("%llu io_uring_enter calls (%llu submissions)",
			   (unsigned long long)u[UNSEEN_URING_ENTER],
			   (unsigned long long)u[UNSEEN_URING_SUBMIT]);
	if (u[UNSEEN_URING_REQS])
		UNSEEN_PUT("%llu io_uring requests (splice, sync_file_range, no completion, or "
			   "past a table's room)",
			   (unsigned long long)u[UNSEEN_URING_REQS]);
	if (u[UNSEEN_SHARED_MMAP]) {
		double kib = (double)u[UNSEEN_MMAP_BYTES] / 1024;

		UNSEEN_PUT("%llu shared file mappings of %.*f %s in all (mmap)",
			   (unsigned long long)u[UNSEEN_SHARED_MMAP], kib < 10240 ? 1 : 0,
			   kib < 10240 ? kib : kib / 1024, kib < 10240 ? "KiB" : "MiB");
	}
	if (u[UNSEEN_FAULTS])
		UNSEEN_PUT("%llu page faults whose mapping could not be looked up",
			   (unsigned long long)u[UNSEEN_FAULTS]);
	/* UNSEEN_CACHE_PAGES is mostly file system metadata: in the document, not a warning */
	if (u[UNSEEN_SYNC_FILE_RANGE])
		UNSEEN_PUT("%llu sync_file_range calls",
			   (unsigned long long)u[UNSEEN_SYNC_FILE_RANGE]);
#undef UNSEEN_PUT
}

const char *const oflag_keys[OFLAGS] = {
	[OFLAG_DIRECT] = "O_DIRECT", [OFLAG_SYNC] = "O_SYNC",	    [OFLAG_DSYNC] = "O_DSYNC",
	[OFLAG_APPEND] = "O_APPEND", [OFLAG_NOATIME] = "O_NOATIME",
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
	for (int s = 0; s < SIDES; s++) {
		const char *p = side_keys[s];

		fprintf(f,
			",%s.calls,%s.errors,%s.bytes,%s.seq_calls,%s.streams,%s.first_entry_ns,"
			"%s.last_return_ns,%s.total_ns",
			p, p, p, p, p, p, p, p);
		if (s & 1)
			fprintf(f, ",%s.rewrites", p);
	}
	fputs(",fsync.calls,fsync.errors,fsync.total_ns", f);
	for (int i = 0; i < SC_MAX; i++)
		fprintf(f, ",syscalls.%s.calls,syscalls.%s.errors,syscalls.%s.bytes",
			sc_infos[i].name, sc_infos[i].name, sc_infos[i].name);
	fputs(",mapped.faults,mapped.write_faults,mapped.first_fault_ns,mapped.last_fault_ns"
	      ",page_cache.pages_added\r\n",
	      f);
}
