// SPDX-License-Identifier: GPL-2.0
/*
 * The report reader: one pinned message per malformed document (syntax with
 * its byte offset, semantics with the JSON path of the value), file errors
 * naming the file, and what a valid document becomes in the model (raw
 * path bytes from path_hex, absolute times, unknown syscalls kept).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "format/document.h"
#include "report/report.h"

#define FILE_OK                                                                                       \
	"{\"path\": \"/a\", \"dev\": \"8:1\", \"ino\": 1, \"fstype\": \"ext4\", \"comms\": [\"x\"], " \
	"\"syscalls\": {\"read\": {\"calls\": 2, \"errors\": 0, \"bytes\": 10, "                      \
	"\"req_hist\": [[8, 15, 2]], \"done_hist\": [[4, 7, 2]]}}, "                                  \
	"\"read\": {\"calls\": 2, \"errors\": 0, \"bytes\": 10, \"first_entry_ns\": 1, "              \
	"\"last_return_ns\": 5, \"seq_calls\": 1, \"seq_hist\": [[4, 7, 1]]}, "                       \
	"\"write\": null, \"fsync\": null}"
#define DOC_OK                                                                                     \
	"{\"schema\": 1, \"start_unix_ns\": 1000, \"duration_ns\": 100, \"files\": [" FILE_OK "]}"

/* DOC_OK with the first occurrence of from replaced by to */
static char *doc_with(const char *from, const char *to)
{
	const char *at = strstr(DOC_OK, from);
	size_t head, len;
	char *s;

	cr_assert_not_null(at, "'%s' not in the template", from);
	head = (size_t)(at - DOC_OK);
	len = strlen(DOC_OK) - strlen(from) + strlen(to);
	s = malloc(len + 1);
	cr_assert_not_null(s);
	snprintf(s, len + 1, "%.*s%s%s", (int)head, DOC_OK, to, at + strlen(from));
	return s;
}

struct bad_case {
	const char *from, *to; /* DOC_OK edited; from NULL: to is the whole document */
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ NULL, "", "offset 0: empty document" },
	{ NULL, "{\"schema\": 1", "offset 12: unexpected end of input" },
	{ NULL, "{\"schema\": 1 \"files\": []}", "offset 13: expected ',' or '}'" },
	{ NULL, "[1]", "expected an object at the top level, got an array" },
	{ NULL, "path,dev,ino,fstype,comms,read.calls\r\n/a,8:1,1,ext4,x,2\r\n",
	  "a result in the CSV form: report reads the JSON form (iotrace -o FILE --format json, "
	  "the default)" },
	{ NULL, "{}", "missing 'schema'" },
	{ "\"schema\": 1", "\"schema\": 3",
	  "schema: unsupported schema 3 (this report reads schemas 1 to 2)" },
	{ "\"schema\": 1", "\"schema\": 0",
	  "schema: unsupported schema 0 (this report reads schemas 1 to 2)" },
	{ "\"ino\": 1", "\"ino\": 1, \"generation\": 4294967296",
	  "files[0]: generation 4294967296 does not fit 32 bits" },
	{ "\"ino\": 1", "\"ino\": 1, \"former_paths\": \"/b\"",
	  "files[0].former_paths: expected an array of strings, got a string" },
	{ "\"ino\": 1", "\"ino\": 1, \"former_paths\": [7]",
	  "files[0].former_paths[0]: expected a string, got a number" },
	{ "\"seq_calls\": 1", "\"seq_calls\": 1, \"streams\": -1",
	  "files[0].read.streams: expected an unsigned integer, got a negative number" },
	{ "\"schema\": 1", "\"schema\": \"1\"",
	  "schema: expected an unsigned integer, got a string" },
	{ "\"duration_ns\": 100", "\"duration_ns\": 18446744073709551615",
	  "duration_ns: start_unix_ns + duration_ns is beyond 2^64 - 1" },
	{ "\"files\": [", "\"fils\": [", "missing 'files'" },
	{ "\"start_unix_ns\": 1000", "\"start_unix_ns\": 1.5",
	  "start_unix_ns: expected an unsigned integer, got a non-integer number" },
	{ "\"dev\": \"8:1\", ", "", "files[0]: missing 'dev'" },
	{ "\"8:1\"", "\"8-1\"", "files[0].dev: expected \"MAJOR:MINOR\", got \"8-1\"" },
	{ "\"ino\": 1", "\"ino\": -1",
	  "files[0].ino: expected an unsigned integer, got a negative number" },
	{ "\"comms\": [\"x\"]", "\"comms\": [7]",
	  "files[0].comms[0]: expected a string, got a number" },
	{ "\"req_hist\": [[8, 15, 2]]", "\"req_hist\": [[8, 15, 3]]",
	  "files[0].syscalls.read.req_hist: counts add up to 3, want 2 (calls)" },
	{ "\"done_hist\": [[4, 7, 2]]", "\"done_hist\": [[4, 7, 1]]",
	  "files[0].syscalls.read.done_hist: counts add up to 1, want 2 (calls - errors)" },
	{ "[[8, 15, 2]]", "[[15, 8, 2]]", "files[0].syscalls.read.req_hist[0]: lo 15 > hi 8" },
	{ "[[8, 15, 2]]", "[[8, 15, 1], [15, 16, 1]]",
	  "files[0].syscalls.read.req_hist[1]: buckets not ascending or overlapping" },
	{ "[[8, 15, 2]]", "[[8, 15, 2], [16, 31, 0]]",
	  "files[0].syscalls.read.req_hist[1]: zero count (only non-zero buckets belong)" },
	{ "[[8, 15, 2]]", "[[8, 15]]",
	  "files[0].syscalls.read.req_hist[0]: expected [lo, hi, count], got an array" },
	{ "\"req_hist\": [[8, 15, 2]]", "\"req_hist\": {}",
	  "files[0].syscalls.read.req_hist: expected an array of [lo, hi, count], got an object" },
	{ "\"errors\": 0, \"bytes\": 10, \"req", "\"errors\": 3, \"bytes\": 10, \"req",
	  "files[0].syscalls.read: errors 3 > calls 2" },
	{ "\"syscalls\": {",
	  "\"syscalls\": {\"close\": {\"calls\": 1, \"errors\": 0}, \"close\": "
	  "{\"calls\": 1, \"errors\": 0}, ",
	  "files[0].syscalls: syscall 'close' twice" },
	{ "\"read\": {\"calls\": 2, \"errors\": 0, \"bytes\": 10, \"first",
	  "\"read\": {\"calls\": 3, \"errors\": 0, \"bytes\": 10, \"first",
	  "files[0].read: calls, errors or bytes differ from the sums over the read-type syscalls" },
	{ "\"read\": {\"calls\": 2, \"errors\": 0, \"bytes\": 10, \"first_entry_ns\": 1, "
	  "\"last_return_ns\": 5, \"seq_calls\": 1, \"seq_hist\": [[4, 7, 1]]}",
	  "\"read\": null", "files[0].read: null, but read-type syscalls are present" },
	{ "\"last_return_ns\": 5", "\"last_return_ns\": 0",
	  "files[0].read: last_return_ns 0 < first_entry_ns 1" },
	{ "\"seq_hist\": [[4, 7, 1]]", "\"seq_hist\": []",
	  "files[0].read.seq_hist: counts add up to 0, want 1 (seq_calls)" },
	{ "\"seq_calls\": 1", "\"seq_calls\": 3",
	  "files[0].read: seq_calls 3 > successful calls 2" },
	{ "\"write\": null", "\"write\": 5",
	  "files[0].write: expected an object or null, got a number" },
	{ "\"fsync\": null",
	  "\"fsync\": {\"calls\": 1, \"errors\": 0, \"total_ns\": 5, "
	  "\"lat_hist\": [[5, 5, 1]]}",
	  "files[0].fsync: calls differ from fsync + fdatasync calls" },
	{ "\"path\": \"/a\"", "\"path\": \"/a\", \"path_hex\": \"2f6\"",
	  "files[0].path_hex: odd number of hex digits" },
	{ "\"path\": \"/a\"", "\"path\": \"/a\", \"path_hex\": \"2fzz\"",
	  "files[0].path_hex: not a hex digit at character 2" },
	{ "\"fstype\": \"ext4\"", "\"fstype\": \"ex\\u0000t4\"",
	  "files[0].fstype: NUL byte in string" },
};

Test(report_read, every_malformed_document_gets_its_pinned_message)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct rmodel m;
		struct rerr err;
		char *doc;
		int ret;

		doc = c->from ? doc_with(c->from, c->to) : strdup(c->to);
		rmodel_init(&m);
		ret = report_read_buf(&m, doc, strlen(doc), &err);
		cr_expect_eq(ret, -EINVAL, "case %zu: ret %d", i, ret);
		cr_expect_str_eq(err.msg, c->msg, "case %zu (%s)", i, doc);
		rmodel_free(&m);
		free(doc);
	}
}

Test(report_read, the_template_document_is_valid)
{
	struct rmodel m;
	struct rerr err;
	const struct rentry *e;

	rmodel_init(&m);
	cr_assert_eq(report_read_buf(&m, DOC_OK, strlen(DOC_OK), &err), 0, "%s", err.msg);
	cr_assert_eq(m.files.cnt, 1);
	e = m.files.v[0];
	cr_expect_eq(e->side[0].first_ns, 1001);
	cr_expect_eq(e->side[0].last_ns, 1005);
	cr_expect(!e->side[1].present);
	cr_expect_eq(e->sc_cnt, 1);
	cr_expect_eq(e->sc[0].req.b[0].lo, 8);
	rmodel_free(&m);
}

Test(report_read, path_hex_gives_the_raw_bytes_and_unknown_syscalls_are_kept)
{
	char *doc = doc_with("\"path\": \"/a\"", "\"path\": \"/\\ufffd\", \"path_hex\": \"2FE9\"");
	char *doc2 = NULL;
	struct rmodel m;
	struct rerr err;
	const char *unk = "\"syscalls\": {\"mmap\": {\"calls\": 3, \"errors\": 1, \"bytes\": 7}, ";

	rmodel_init(&m);
	cr_assert_eq(report_read_buf(&m, doc, strlen(doc), &err), 0, "%s", err.msg);
	cr_expect_eq(m.files.v[0]->path_len, 2);
	cr_expect_eq(memcmp(m.files.v[0]->path, "/\xe9", 2), 0);
	rmodel_free(&m);
	doc2 = doc_with("\"syscalls\": {", unk);
	rmodel_init(&m);
	cr_assert_eq(report_read_buf(&m, doc2, strlen(doc2), &err), 0, "%s", err.msg);
	cr_assert_eq(m.files.v[0]->sc_cnt, 2);
	cr_expect_str_eq(m.files.v[0]->sc[1].name, "mmap");
	cr_expect_eq(m.files.v[0]->sc[1].has, RSC_BYTES);
	rmodel_free(&m);
	free(doc);
	free(doc2);
}

Test(report_read, file_errors_name_the_file)
{
	char dir[] = "/tmp/report-read-XXXXXX", path[64];
	struct rmodel m;
	struct rerr err;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	rmodel_init(&m);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	cr_expect_eq(report_read_file(&m, path, &err), -ENOENT);
	cr_expect(strstr(err.msg, "none.json: No such file or directory"), "%s", err.msg);
	cr_expect_eq(report_read_file(&m, dir, &err), -EISDIR);
	cr_expect(strstr(err.msg, ": Is a directory"), "%s", err.msg);
	snprintf(path, sizeof(path), "%s/empty.json", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_expect_eq(report_read_file(&m, path, &err), -EINVAL);
	cr_expect(strstr(err.msg, "empty.json: offset 0: empty document"), "%s", err.msg);
	f = fopen(path, "w");
	fputs(DOC_OK, f);
	fclose(f);
	cr_expect_eq(report_read_file(&m, path, &err), 0, "%s", err.msg);
	remove(path);
	rmdir(dir);
	rmodel_free(&m);
}

Test(report_read, a_truncated_document_fails_at_every_cut_without_a_crash)
{
	size_t len = strlen(DOC_OK);

	for (size_t cut = 0; cut < len; cut++) {
		struct rmodel m;
		struct rerr err;

		rmodel_init(&m);
		cr_expect_eq(report_read_buf(&m, DOC_OK, cut, &err), -EINVAL, "cut at %zu", cut);
		cr_expect(strstr(err.msg, "offset "), "cut at %zu: %s", cut, err.msg);
		rmodel_free(&m);
	}
}
