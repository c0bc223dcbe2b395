/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: it tracks commas and nesting, escapes
 * strings, and writes byte strings that are not UTF-8 with U+FFFD in place
 * of each invalid byte (the caller adds the raw bytes as hex when that
 * happens, see json_is_utf8).
 */
#ifndef IOTRACE_JSON_H
#define IOTRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format/outbuf.h"

#define JSON_MAX_DEPTH 16

/*
 * Output goes through an outbuf and reaches the FILE whenever a value at
 * the top level is complete (and when the buffer fills), so a document is
 * in the FILE once its last json_*_end returned.
 */
struct json {
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no member written yet at this level */
	bool pretty;
	struct outbuf out;
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* [a, b, c] on one line, e.g. a histogram bucket */
void json_u64_triple(struct json *j, const char *key, uint64_t a, uint64_t b, uint64_t c);
/* [v0, v1, ...] on one line: n u64 values stride bytes apart from base */
void json_u64_row(struct json *j, const char *key, const void *base, size_t stride, size_t n);
void json_str(struct json *j, const char *key, const char *s);
void json_bytes(struct json *j, const char *key, const char *s, size_t len);
void json_hex(struct json *j, const char *key, const char *s, size_t len);
bool json_is_utf8(const char *s, size_t len);
/* length of the valid UTF-8 sequence at s, 0 if the byte there starts none */
size_t json_utf8_seq(const unsigned char *s, size_t len);

#endif
