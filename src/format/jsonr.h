/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON reader (RFC 8259) into a small read-only DOM, for `iotrace report`
 * and the tests.  Strict: UTF-8 only, no comments, no trailing commas, no
 * NaN; nesting is limited to JSONR_MAX_DEPTH.  A document lives in one
 * arena, so jval_free() of the root frees everything at once.
 */
#ifndef IOTRACE_JSONR_H
#define IOTRACE_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONR_MAX_DEPTH 256

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

/* JT_NUM: which exact integer forms the number has (integer syntax only) */
#define JNUM_I64 1 /* .i holds it exactly */
#define JNUM_U64 2 /* .u holds it exactly */

struct jmember;

struct jval {
	enum jtype type;
	union {
		bool b;
		struct {
			double d; /* always set (nearest double) */
			int64_t i;
			uint64_t u;
			unsigned int flags; /* JNUM_* */
		} num;
		struct {
			const char *s; /* decoded UTF-8, NUL-terminated, may hold NULs */
			size_t len;
		} str;
		struct {
			struct jval *v;
			size_t cnt;
		} arr;
		struct {
			struct jmember *m; /* in document order, duplicates kept */
			size_t cnt;
		} obj;
	};
};

struct jmember {
	const char *key; /* decoded like a string value */
	size_t key_len;
	struct jval val;
};

struct jerr {
	size_t off;   /* byte offset into the input */
	char msg[96]; /* "offset 123: expected ',' or '}'" */
};

/*
 * Parse buf[0..len) as one JSON text (a leading UTF-8 BOM is skipped).
 * 0 and *out = root (free with jval_free), or -EINVAL (syntax; err says where
 * and what) or -ENOMEM.  err may be NULL.
 */
int jsonr_parse(const char *buf, size_t len, struct jval **out, struct jerr *err);
/* Free a root returned by jsonr_parse (never a value inside it); NULL is fine. */
void jval_free(struct jval *root);

/* Lookups: NULL when v is not of the right type or the member is absent. */
const struct jval *jval_get(const struct jval *obj, const char *key); /* first match */
const struct jval *jval_idx(const struct jval *arr, size_t idx);
/* members of an object / elements of an array / bytes of a string; else 0 */
size_t jval_len(const struct jval *v);
const struct jmember *jval_member(const struct jval *obj, size_t idx);

/* 0, -EINVAL (v NULL or of another type), -ERANGE (not exactly representable) */
int jval_u64(const struct jval *v, uint64_t *out);
int jval_i64(const struct jval *v, int64_t *out);
int jval_double(const struct jval *v, double *out);
int jval_bool(const struct jval *v, bool *out);
bool jval_is_null(const struct jval *v);
/* the string and its length (may be NULL); NULL when v is not a string */
const char *jval_str(const struct jval *v, size_t *len);
/* v is a string equal to the NUL-terminated s */
bool jval_str_eq(const struct jval *v, const char *s);

#endif
