// SPDX-License-Identifier: GPL-2.0
/*
 * The result writer (output.c, json.c, outbuf.c) on records the test builds
 * itself, compared byte for byte with documents written out by hand here:
 * escaping, path_hex, histogram bounds, the fsync sum of fsync and
 * fdatasync, nulls, CSV quoting and empty fields.  The decimal formatter is
 * checked against snprintf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "record/record.h"
#include "format/json.h"
#include "format/outbuf.h"

static struct file_entry *add_file(struct trace_result *res, uint64_t ino, uint32_t gen,
				   uint32_t dev, const char *comps, size_t comps_sz,
				   const char *fstype, const char *comm)
{
	struct file_key k = { .ino = ino, .dev = dev, .gen = gen };
	struct file_entry *f = files_get(&res->files, &k);

	cr_assert(f);
	strcpy(f->fstype, fstype);
	files_add_comm(f, comm);
	cr_assert_eq(files_set_path(f, comps, comps_sz, false), 0);
	f->have_rec = true;
	return f;
}

/* a histogram with cnt[i] in bucket idx[i], through the drain's compaction */
static void hist(struct trace_result *res, int n, struct hist_nz *out, int k, const int *idx,
		 const uint64_t *cnt)
{
	__u64 dense[LAT_BUCKETS] = { 0 };

	for (int i = 0; i < k; i++)
		dense[idx[i]] = cnt[i];
	cr_assert_eq(files_hist(&res->files, dense, n, out), 0);
}

/*
 * Two files, sorted so that "/a\xff" (not UTF-8, with a comm to quote in
 * CSV) comes before "/dir/b\"c", which has a read side, pread64 stats and
 * both fsync kinds.
 */
static void build(struct trace_result *res)
{
	struct file_entry *f;
	struct file_sc *sc;
	struct file_sync *sy;

	memset(res, 0, sizeof(*res));
	res->mapped = true;
	res->start_mono_ns = 1000;
	res->start_unix_ns = 1795658138332360826ULL;
	res->duration_ns = 5;
	res->unseen[UNSEEN_SHARED_MMAP] = 3;
	strcpy(res->hostname, "h");
	strcpy(res->kernel, "k");
	strcpy(res->machine, "m");

	f = add_file(res, 42, 3000000000U, 8 << 20 | 1, "b\"c\0dir", 8, "ext4", "dd");
	f->deleted = true;
	f->former_path = strdup("/dir/b.tmp");
	f->former_len = strlen(f->former_path);
	f->side[SC_KIND_READ] = (struct file_side){ .calls = 2,
						    .bytes = 8192,
						    .streams = 2,
						    .first_entry_ns = 1500,
						    .seq_calls = 1,
						    .lat_total_ns = 11 };
	hist(res, HIST_BUCKETS, &f->side[SC_KIND_READ].seq_hist, 1, (int[]){ 13 },
	     (uint64_t[]){ 2 });
	hist(res, LAT_BUCKETS, &f->side[SC_KIND_READ].lat_hist, 2, (int[]){ 5, 6 },
	     (uint64_t[]){ 1, 1 });
	sc = files_alloc(&res->files, sizeof(*sc));
	*sc = (struct file_sc){ .calls = 2, .errors = 1, .bytes = UINT64_MAX };
	hist(res, HIST_BUCKETS, &sc->req_hist, 2, (int[]){ 0, 63 }, (uint64_t[]){ 1, 3 });
	f->sc[SC_pread64] = sc;
	sy = files_alloc(&res->files, sizeof(*sy));
	*sy = (struct file_sync){ .calls = 1, .total_ns = 100 };
	hist(res, LAT_BUCKETS, &sy->lat_hist, 1, (int[]){ 5 }, (uint64_t[]){ 1 });
	f->sync[SC_fsync] = sy;
	sy = files_alloc(&res->files, sizeof(*sy));
	*sy = (struct file_sync){ .calls = 2, .total_ns = 50 };
	hist(res, LAT_BUCKETS, &sy->lat_hist, 2, (int[]){ 5, 159 }, (uint64_t[]){ 2, 1 });
	f->sync[SC_fdatasync] = sy;
	f->mapped = (struct file_mapped){ 5, 2, 1600, 1900 }; /* times: mono, start at 1000 */
	f->cache_pages = 3;

	add_file(res, 7, 0, 3, "a\xff", 3, "", "a,b");
	files_sort_by_path(&res->files);
}

static const char want_json[] = "{\n"
				"  \"schema\": 2,\n"
				"  \"tool\": {\n"
				"    \"name\": \"iotrace\",\n"
				"    \"version\": \"" IOTRACE_VERSION "\"\n"
				"  },\n"
				"  \"host\": {\n"
				"    \"hostname\": \"h\",\n"
				"    \"kernel\": \"k\",\n"
				"    \"machine\": \"m\"\n"
				"  },\n"
				"  \"start\": \"2026-11-26T01:55:38.332360826Z\",\n"
				"  \"start_unix_ns\": 1795658138332360826,\n"
				"  \"duration_ns\": 5,\n"
				"  \"filter\": {\n"
				"    \"pids\": [],\n"
				"    \"comms\": [],\n"
				"    \"command\": [\n"
				"      \"cmd\",\n"
				"      \"a\"\n"
				"    ],\n"
				"    \"per_process\": false,\n"
				"    \"mapped\": true\n"
				"  },\n"
				"  \"dropped\": {\n"
				"    \"files\": 0,\n"
				"    \"events\": 0\n"
				"  },\n"
				"  \"unseen\": {\n"
				"    \"io_submit_calls\": 0,\n"
				"    \"aio_requests\": 0,\n"
				"    \"io_uring_enter_calls\": 0,\n"
				"    \"io_uring_submissions\": 0,\n"
				"    \"shared_file_mappings\": 3,\n"
				"    \"sync_file_range_calls\": 0,\n"
				"    \"shared_file_mapped_bytes\": 0,\n"
				"    \"io_uring_requests\": 0,\n"
				"    \"page_faults\": 0,\n"
				"    \"page_cache_pages\": 0\n"
				"  },\n"
				"  \"files\": [\n"
				"    {\n"
				"      \"path\": \"/a\xef\xbf\xbd\",\n"
				"      \"path_hex\": \"2f61ff\",\n"
				"      \"former_paths\": [],\n"
				"      \"deleted\": false,\n"
				"      \"dev\": \"0:3\",\n"
				"      \"ino\": 7,\n"
				"      \"generation\": 0,\n"
				"      \"fstype\": \"\",\n"
				"      \"comms\": [\n"
				"        \"a,b\"\n"
				"      ],\n"
				"      \"syscalls\": {},\n"
				"      \"read\": null,\n"
				"      \"write\": null,\n"
				"      \"copy_read\": null,\n"
				"      \"copy_write\": null,\n"
				"      \"async_read\": null,\n"
				"      \"async_write\": null,\n"
				"      \"fsync\": null\n"
				"    },\n"
				"    {\n"
				"      \"path\": \"/dir/b\\\"c\",\n"
				"      \"former_paths\": [\n"
				"        \"/dir/b.tmp\"\n"
				"      ],\n"
				"      \"deleted\": true,\n"
				"      \"dev\": \"8:1\",\n"
				"      \"ino\": 42,\n"
				"      \"generation\": 3000000000,\n"
				"      \"fstype\": \"ext4\",\n"
				"      \"comms\": [\n"
				"        \"dd\"\n"
				"      ],\n"
				"      \"syscalls\": {\n"
				"        \"pread64\": {\n"
				"          \"calls\": 2,\n"
				"          \"errors\": 1,\n"
				"          \"bytes\": 18446744073709551615,\n"
				"          \"req_hist\": [\n"
				"            [0, 0, 1],\n"
				"            [4611686018427387904, 18446744073709551615, 3]\n"
				"          ],\n"
				"          \"done_hist\": []\n"
				"        },\n"
				"        \"fsync\": {\n"
				"          \"calls\": 1,\n"
				"          \"errors\": 0,\n"
				"          \"lat_hist\": [\n"
				"            [5, 5, 1]\n"
				"          ],\n"
				"          \"total_ns\": 100\n"
				"        },\n"
				"        \"fdatasync\": {\n"
				"          \"calls\": 2,\n"
				"          \"errors\": 0,\n"
				"          \"lat_hist\": [\n"
				"            [5, 5, 2],\n"
				"            [1924145348608, 18446744073709551615, 1]\n"
				"          ],\n"
				"          \"total_ns\": 50\n"
				"        }\n"
				"      },\n"
				"      \"read\": {\n"
				"        \"calls\": 2,\n"
				"        \"errors\": 0,\n"
				"        \"bytes\": 8192,\n"
				"        \"first_entry_ns\": 500,\n"
				"        \"last_return_ns\": null,\n"
				"        \"seq_calls\": 1,\n"
				"        \"streams\": 2,\n"
				"        \"open_flags\": {},\n"
				"        \"seq_hist\": [\n"
				"          [4096, 8191, 2]\n"
				"        ],\n"
				"        \"total_ns\": 11,\n"
				"        \"lat_hist\": [\n"
				"          [5, 5, 1],\n"
				"          [6, 6, 1]\n"
				"        ]\n"
				"      },\n"
				"      \"write\": null,\n"
				"      \"copy_read\": null,\n"
				"      \"copy_write\": null,\n"
				"      \"async_read\": null,\n"
				"      \"async_write\": null,\n"
				"      \"fsync\": {\n"
				"        \"calls\": 3,\n"
				"        \"errors\": 0,\n"
				"        \"total_ns\": 150,\n"
				"        \"lat_hist\": [\n"
				"          [5, 5, 3],\n"
				"          [1924145348608, 18446744073709551615, 1]\n"
				"        ]\n"
				"      },\n"
				"      \"mapped\": {\n"
				"        \"faults\": 5,\n"
				"        \"write_faults\": 2,\n"
				"        \"first_fault_ns\": 600,\n"
				"        \"last_fault_ns\": 900\n"
				"      },\n"
				"      \"page_cache\": {\n"
				"        \"pages_added\": 3\n"
				"      }\n"
				"    }\n"
				"  ]\n"
				"}\n";

/* n empty fields */
static void empty(char *row, int n)
{
	while (n--)
		strcat(row, ",");
}

/*
 * The rows after the header: path, dev, ino, generation, fstype, deleted,
 * former_paths, comms; read and write sides (calls, errors, bytes,
 * seq_calls, streams, first, last, total_ns), write's rewrites; the same for
 * copy_read and copy_write; fsync calls, errors, total; then calls,
 * errors, bytes of the 16 syscalls, the 2 AIO and the 8 io_uring operations;
 * the four mapped columns and page_cache.pages_added.
 */
static void want_csv_rows(char *rows)
{
	strcpy(rows, "/a\xff,0:3,7,0,,false,,\"a,b\"");
	empty(rows, 3 * (8 + 8 + 1) + 3 + 26 * 3 + 4 + 1); /* no mapped, no page_cache either */
	strcat(rows, "\r\n\"/dir/b\"\"c\",8:1,42,3000000000,ext4,true,/dir/b.tmp,dd,2,0,8192,1,2,"
		     "500,,11");
	empty(rows, 8 + 1 + 2 * (8 + 8 + 1)); /* write side, rewrites, copy and async sides */
	strcat(rows, ",3,0,150");
	empty(rows, 2 * 3); /* read, readv */
	strcat(rows, ",2,1,18446744073709551615");
	empty(rows, 10 * 3); /* preadv to splice */
	strcat(rows, ",1,0,,2,0,");
	empty(rows, 11 * 3); /* close, aio_pread, aio_pwrite, the io_uring operations */
	strcat(rows, ",5,2,600,900,3\r\n"); /* mapped, page_cache */
}

static char *write_result(const struct trace_result *res, enum out_format format)
{
	static char *cmd[] = { "cmd", "a", NULL };
	char path[] = "/tmp/iotrace-output-test.XXXXXX", *doc = NULL;
	struct options o = { .command = cmd, .format = format, .output = path };
	size_t len = 0;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(output_write(res, &o), 0);
	f = fopen(path, "r");
	cr_assert(f);
	cr_assert_eq(getdelim(&doc, &len, '\0', f) > 0, 1);
	fclose(f);
	unlink(path);
	return doc;
}

Test(output, json_document_is_the_one_written_by_hand)
{
	struct trace_result res;
	char *doc;

	build(&res);
	doc = write_result(&res, FORMAT_JSON);
	cr_expect_str_eq(doc, want_json);
	free(doc);
	files_free(&res.files);
}

Test(output, csv_rows_are_the_ones_written_by_hand)
{
	struct trace_result res;
	char *doc, *rows, want[512];

	build(&res);
	want_csv_rows(want);
	doc = write_result(&res, FORMAT_CSV);
	rows = strstr(doc, "\r\n");
	cr_assert(rows);
	cr_expect_str_eq(rows + 2, want);
	free(doc);
	files_free(&res.files);
}

Test(output, decimal_formatting_agrees_with_snprintf)
{
	uint64_t v = 0;

	for (int i = 0; i < 200000; i++) {
		char want[32], buf[U64_DIGITS], *end = buf + sizeof(buf), *p;

		v = i < 1000   ? (uint64_t)i
		    : i < 1100 ? UINT64_MAX - (uint64_t)(i - 1000)
			       : v * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i >= 1100 && i % 3 == 0)
			v >>= (unsigned)(i % 64); /* every length */
		p = ob_fmt_u64(end, v);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		cr_assert(strlen(want) == (size_t)(end - p) && !memcmp(p, want, strlen(want)),
			  "%s formatted as %.*s", want, (int)(end - p), p);
	}
}

/*
 * Keys are escaped like string values: report keeps syscall names it does
 * not know from the documents it reads (make fuzz-report found a name with
 * a quote written raw, which the reader then refused).
 */
Test(output, keys_are_escaped_like_strings)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	cr_assert_not_null(f);
	json_init(&j, f, false);
	json_obj_begin(&j, NULL);
	json_u64(&j, "plain", 1);
	json_u64(&j, "q\"b\\s\x01", 2);
	json_u64(&j, "bad\xff", 3);
	json_obj_end(&j);
	fclose(f);
	cr_assert_str_eq(buf, "{\"plain\":1,\"q\\\"b\\\\s\\u0001\":2,\"bad\xef\xbf\xbd\":3}");
	free(buf);
}
