// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader: valid documents and what the DOM holds, one pinned
 * message and offset per malformed input, robustness on truncated and
 * mutated input, and a round trip through src/format/json.c's writer (control
 * characters, NULs, invalid UTF-8 replaced by U+FFFD).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "format/json.h"
#include "format/jsonr.h"

static struct jval *parse_ok(const char *s, size_t len)
{
	struct jerr err;
	struct jval *v = NULL;
	int ret = jsonr_parse(s, len, &v, &err);

	cr_assert_eq(ret, 0, "parse of '%.*s' failed: %d %s", (int)len, s, ret, err.msg);
	cr_assert_not_null(v);
	return v;
}

static struct jval *parse_str(const char *s)
{
	return parse_ok(s, strlen(s));
}

/* ---- valid documents ------------------------------------------------------------ */

Test(jsonr, parses_scalars_at_top_level)
{
	struct jval *v;
	bool b;

	v = parse_str("true");
	cr_assert_eq(jval_bool(v, &b), 0);
	cr_assert(b);
	jval_free(v);
	v = parse_str(" false ");
	cr_assert_eq(jval_bool(v, &b), 0);
	cr_assert(!b);
	jval_free(v);
	v = parse_str("null");
	cr_assert(jval_is_null(v));
	jval_free(v);
	v = parse_str("\"x\"");
	cr_assert(jval_str_eq(v, "x"));
	jval_free(v);
}

struct num_case {
	const char *text;
	unsigned int flags;
	uint64_t u;
	int64_t i;
	double d;
};

static const struct num_case num_cases[] = {
	{ "0", JNUM_I64 | JNUM_U64, 0, 0, 0.0 },
	{ "-0", JNUM_I64 | JNUM_U64, 0, 0, -0.0 },
	{ "1", JNUM_I64 | JNUM_U64, 1, 1, 1.0 },
	{ "9007199254740993", JNUM_I64 | JNUM_U64, 9007199254740993ULL, 9007199254740993LL,
	  9007199254740992.0 },
	{ "9223372036854775807", JNUM_I64 | JNUM_U64, INT64_MAX, INT64_MAX, 9223372036854775807.0 },
	{ "9223372036854775808", JNUM_U64, 9223372036854775808ULL, 0, 9223372036854775808.0 },
	{ "18446744073709551615", JNUM_U64, UINT64_MAX, 0, 18446744073709551615.0 },
	{ "18446744073709551616", 0, 0, 0, 18446744073709551616.0 },
	{ "-9223372036854775808", JNUM_I64, 0, INT64_MIN, -9223372036854775808.0 },
	{ "-9223372036854775809", 0, 0, 0, -9223372036854775809.0 },
	{ "-42", JNUM_I64, 0, -42, -42.0 },
	{ "1.5", 0, 0, 0, 1.5 },
	{ "1e3", 0, 0, 0, 1000.0 },
	{ "1E+3", 0, 0, 0, 1000.0 },
	{ "25e-2", 0, 0, 0, 0.25 },
	{ "-0.0", 0, 0, 0, -0.0 },
	{ "1e-400", 0, 0, 0, 0.0 },
	{ "123456789012345678901234567890123456789012345678901234567890123456789", 0, 0, 0,
	  123456789012345678901234567890123456789012345678901234567890123456789.0 },
};

Test(jsonr, keeps_integers_exact_and_doubles_nearest)
{
	for (size_t k = 0; k < sizeof(num_cases) / sizeof(num_cases[0]); k++) {
		const struct num_case *c = &num_cases[k];
		struct jval *v = parse_str(c->text);
		uint64_t u = 7;
		int64_t i = 7;
		double d;

		cr_assert_eq(v->type, JT_NUM, "%s", c->text);
		cr_expect_eq(v->num.flags, c->flags, "%s: flags %u, want %u", c->text, v->num.flags,
			     c->flags);
		cr_expect_eq(jval_u64(v, &u), c->flags & JNUM_U64 ? 0 : -ERANGE, "%s", c->text);
		if (c->flags & JNUM_U64)
			cr_expect_eq(u, c->u, "%s: u64 %llu", c->text, (unsigned long long)u);
		cr_expect_eq(jval_i64(v, &i), c->flags & JNUM_I64 ? 0 : -ERANGE, "%s", c->text);
		if (c->flags & JNUM_I64)
			cr_expect_eq(i, c->i, "%s: i64 %lld", c->text, (long long)i);
		cr_assert_eq(jval_double(v, &d), 0);
		cr_expect_eq(d, c->d, "%s: double %.17g, want %.17g", c->text, d, c->d);
		jval_free(v);
	}
}

struct str_case {
	const char *text;
	const char *want;
	size_t want_len;
};

#define S(t, w)                                                                                    \
	{                                                                                          \
		t, w, sizeof(w) - 1                                                                \
	}
static const struct str_case str_cases[] = {
	S("\"\"", ""),
	S("\"abc\"", "abc"),
	S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"),
	S("\"a\\u0000b\"", "a\0b"),
	S("\"\\u001f\\u007f\"", "\x1f\x7f"),
	S("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9"),
	S("\"\\u20ac\"", "\xe2\x82\xac"),
	S("\"\\uffff\"", "\xef\xbf\xbf"),
	S("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"),
	S("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf"),
	S("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80"),
	S("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	S("\"\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"",
	  "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80"),
	S("\"\x7f\"", "\x7f"),
};

Test(jsonr, decodes_strings_with_escapes_and_utf8)
{
	for (size_t k = 0; k < sizeof(str_cases) / sizeof(str_cases[0]); k++) {
		const struct str_case *c = &str_cases[k];
		struct jval *v = parse_str(c->text);
		size_t len = 99;
		const char *s = jval_str(v, &len);

		cr_assert_not_null(s, "%s", c->text);
		cr_expect_eq(len, c->want_len, "%s: len %zu, want %zu", c->text, len, c->want_len);
		cr_expect(len == c->want_len && !memcmp(s, c->want, len), "%s: content", c->text);
		cr_expect_eq(s[len], '\0', "%s: not NUL-terminated", c->text);
		cr_expect_eq(jval_len(v), c->want_len);
		jval_free(v);
	}
}

Test(jsonr, keeps_object_members_in_order_with_duplicates)
{
	struct jval *v = parse_str("{\"b\":1,\"a\":2,\"b\":3,\"a\\u0000b\":4}");
	const struct jmember *m;
	uint64_t u;

	cr_assert_eq(jval_len(v), 4);
	m = jval_member(v, 0);
	cr_assert(m && m->key_len == 1 && m->key[0] == 'b');
	m = jval_member(v, 1);
	cr_assert(m && m->key_len == 1 && m->key[0] == 'a');
	m = jval_member(v, 3);
	cr_assert(m && m->key_len == 3 && !memcmp(m->key, "a\0b", 3));
	cr_assert_null(jval_member(v, 4));
	cr_assert_eq(jval_u64(jval_get(v, "b"), &u), 0);
	cr_expect_eq(u, 1, "first member wins");
	cr_assert_eq(jval_u64(jval_get(v, "a"), &u), 0);
	cr_expect_eq(u, 2, "a key with a NUL must not match its prefix");
	cr_expect_null(jval_get(v, "c"));
	jval_free(v);
}

Test(jsonr, navigates_nested_containers)
{
	const char *doc = " \t\r\n{ \"files\" : [ { \"path\" : \"/x\" , \"n\" : [ 1 , 2 , 3 ] } ] ,"
			  "\"e\":{},\"f\":[],\"g\":[[]] } \n";
	struct jval *v = parse_str(doc);
	const struct jval *f = jval_idx(jval_get(v, "files"), 0), *n;
	uint64_t u;

	cr_assert_not_null(f);
	cr_expect(jval_str_eq(jval_get(f, "path"), "/x"));
	n = jval_get(f, "n");
	cr_assert_eq(jval_len(n), 3);
	cr_assert_eq(jval_u64(jval_idx(n, 2), &u), 0);
	cr_expect_eq(u, 3);
	cr_expect_null(jval_idx(n, 3));
	cr_expect_eq(jval_get(v, "e")->type, JT_OBJ);
	cr_expect_eq(jval_len(jval_get(v, "e")), 0);
	cr_expect_eq(jval_get(v, "f")->type, JT_ARR);
	cr_expect_eq(jval_len(jval_get(v, "f")), 0);
	cr_expect_eq(jval_len(jval_idx(jval_get(v, "g"), 0)), 0);
	jval_free(v);
}

Test(jsonr, accessors_reject_the_wrong_type)
{
	struct jval *v = parse_str("[1, \"s\", {\"k\": null}, true]");
	uint64_t u;
	int64_t i;
	double d;
	bool b;

	cr_expect_null(jval_get(v, "k"), "array is no object");
	cr_expect_null(jval_idx(jval_idx(v, 2), 0), "object is no array");
	cr_expect_null(jval_get(NULL, "k"));
	cr_expect_null(jval_idx(NULL, 0));
	cr_expect_eq(jval_u64(NULL, &u), -EINVAL);
	cr_expect_eq(jval_u64(jval_idx(v, 1), &u), -EINVAL);
	cr_expect_eq(jval_i64(jval_idx(v, 3), &i), -EINVAL);
	cr_expect_eq(jval_double(jval_idx(v, 1), &d), -EINVAL);
	cr_expect_eq(jval_bool(jval_idx(v, 0), &b), -EINVAL);
	cr_expect_null(jval_str(jval_idx(v, 0), NULL));
	cr_expect(!jval_str_eq(jval_idx(v, 0), "1"));
	cr_expect(jval_is_null(jval_get(jval_idx(v, 2), "k")));
	cr_expect(!jval_is_null(NULL));
	cr_expect_eq(jval_len(jval_idx(v, 0)), 0);
	cr_expect_eq(jval_len(NULL), 0);
	jval_free(v);
	jval_free(NULL);
}

Test(jsonr, skips_a_leading_bom)
{
	struct jval *v = parse_str("\xef\xbb\xbf[1]");

	cr_expect_eq(jval_len(v), 1);
	jval_free(v);
}

static char *nested(int depth)
{
	char *s = malloc(2 * (size_t)depth + 1);

	memset(s, '[', (size_t)depth);
	memset(s + depth, ']', (size_t)depth);
	s[2 * depth] = '\0';
	return s;
}

Test(jsonr, accepts_nesting_up_to_the_limit)
{
	char *s = nested(JSONR_MAX_DEPTH);
	struct jval *v = parse_str(s);
	const struct jval *p = v;
	int depth = 0;

	while (p && p->type == JT_ARR) {
		depth++;
		p = jval_idx(p, 0);
	}
	cr_expect_eq(depth, JSONR_MAX_DEPTH);
	jval_free(v);
	free(s);
}

Test(jsonr, parses_large_documents)
{
	size_t n = 200000, cap = n * 24 + 16, off = 0;
	char *s = malloc(cap);
	struct jval *v;
	uint64_t u;

	off += (size_t)sprintf(s + off, "{\"a\":[");
	for (size_t i = 0; i < n; i++)
		off += (size_t)sprintf(s + off, "%s%zu", i ? "," : "", i * 1000003);
	off += (size_t)sprintf(s + off, "],\"k\":\"%s\"}", "end");
	v = parse_ok(s, off);
	cr_assert_eq(jval_len(jval_get(v, "a")), n);
	for (size_t i = 0; i < n; i += 9973) {
		cr_assert_eq(jval_u64(jval_idx(jval_get(v, "a"), i), &u), 0);
		cr_assert_eq(u, i * 1000003);
	}
	cr_expect(jval_str_eq(jval_get(v, "k"), "end"));
	jval_free(v);
	free(s);
}

/* ---- errors: one pinned message (with its offset) per malformed input -------------------- */

struct err_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *msg;
};

static const struct err_case err_cases[] = {
	{ "", 0, "offset 0: unexpected end of input" },
	{ "   ", 0, "offset 3: unexpected end of input" },
	{ "\xef\xbb\xbf", 0, "offset 3: unexpected end of input" },
	{ "{", 0, "offset 1: unexpected end of input" },
	{ "[1,2", 0, "offset 4: unexpected end of input" },
	{ "{\"a\"", 0, "offset 4: unexpected end of input" },
	{ "{\"a\":", 0, "offset 5: unexpected end of input" },
	{ "[1,]", 0, "offset 3: expected value" },
	{ "[,1]", 0, "offset 1: expected value" },
	{ "]", 0, "offset 0: expected value" },
	{ "+1", 0, "offset 0: expected value" },
	{ ".5", 0, "offset 0: expected value" },
	{ "'a'", 0, "offset 0: expected value" },
	{ "NaN", 0, "offset 0: expected value" },
	{ "[1,\0]", 5, "offset 3: expected value" },
	{ "[1 2]", 0, "offset 3: expected ',' or ']'" },
	{ "[\"a\":1]", 0, "offset 4: expected ',' or ']'" },
	{ "{\"a\":1 \"b\":2}", 0, "offset 7: expected ',' or '}'" },
	{ "{\"a\":1]", 0, "offset 6: expected ',' or '}'" },
	{ "{\"a\" 1}", 0, "offset 5: expected ':'" },
	{ "{1:2}", 0, "offset 1: expected string key or '}'" },
	{ "{\"a\":1,}", 0, "offset 7: expected string key" },
	{ "{\"a\":1,a:2}", 0, "offset 7: expected string key" },
	{ "[1]x", 0, "offset 3: trailing characters after the document" },
	{ "1 2", 0, "offset 2: trailing characters after the document" },
	{ "nulll", 0, "offset 4: trailing characters after the document" },
	{ "{\"a\":1}/*c*/", 0, "offset 7: trailing characters after the document" },
	{ "{}\0", 3, "offset 2: trailing characters after the document" },
	{ "tru", 0, "offset 3: unexpected end of input" },
	{ "trUe", 0, "offset 0: invalid literal" },
	{ "[nul]", 0, "offset 1: invalid literal" },
	{ "falsy", 0, "offset 0: invalid literal" },
	{ "01", 0, "offset 1: invalid number: digit after leading zero" },
	{ "[-007]", 0, "offset 3: invalid number: digit after leading zero" },
	{ "-", 0, "offset 1: unexpected end of input" },
	{ "-x", 0, "offset 1: invalid number: expected digit" },
	{ "-Infinity", 0, "offset 1: invalid number: expected digit" },
	{ "1.", 0, "offset 2: unexpected end of input" },
	{ "1.e5", 0, "offset 2: invalid number: expected digit after '.'" },
	{ "1e+", 0, "offset 3: unexpected end of input" },
	{ "[1ex]", 0, "offset 3: invalid number: expected digit in exponent" },
	{ "1e999", 0, "offset 0: number out of range" },
	{ "[-1e400]", 0, "offset 1: number out of range" },
	{ "\"abc", 0, "offset 0: unterminated string" },
	{ "[\"abc\\\"]", 0, "offset 1: unterminated string" },
	{ "\"\\", 0, "offset 2: unexpected end of input" },
	{ "[\"a\x01\"]", 0, "offset 3: control character in string" },
	{ "\"\n\"", 0, "offset 1: control character in string" },
	{ "\"a\0\"", 4, "offset 2: control character in string" },
	{ "\"\\x\"", 0, "offset 1: invalid escape" },
	{ "\"\\'\"", 0, "offset 1: invalid escape" },
	{ "\"\\\0\"", 4, "offset 1: invalid escape" },
	{ "\"\\u12G4\"", 0, "offset 1: invalid \\u escape" },
	{ "\"\\u12\"", 0, "offset 1: invalid \\u escape" },
	{ "\"ab\\U0041\"", 0, "offset 3: invalid escape" },
	{ "\"\\udc00\"", 0, "offset 1: lone surrogate in \\u escape" },
	{ "\"\\ud800\"", 0, "offset 1: lone surrogate in \\u escape" },
	{ "\"x\\ud800\\u0041\"", 0, "offset 2: lone surrogate in \\u escape" },
	{ "\"\\ud800\\ud800\"", 0, "offset 1: lone surrogate in \\u escape" },
	{ "\"\\ud800\\n\"", 0, "offset 1: lone surrogate in \\u escape" },
	{ "\"a\xff\"", 0, "offset 2: invalid UTF-8 in string" },
	{ "\"\x80\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xc0\xaf\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xc1\xbf\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xe0\x80\xaf\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xed\xa0\x80\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xf0\x8f\xbf\xbf\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xf4\x90\x80\x80\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"\xf5\x80\x80\x80\"", 0, "offset 1: invalid UTF-8 in string" },
	{ "\"ok\xe2\x82\"", 0, "offset 3: invalid UTF-8 in string" },
	{ "\"\xe2\x82", 0, "offset 1: invalid UTF-8 in string" },
	{ "{\"\xff\":1}", 0, "offset 2: invalid UTF-8 in string" },
	{ "[\xc3\xa9]", 0, "offset 1: expected value" },
};

Test(jsonr, reports_each_error_with_offset_and_message)
{
	for (size_t k = 0; k < sizeof(err_cases) / sizeof(err_cases[0]); k++) {
		const struct err_case *c = &err_cases[k];
		size_t len = c->len ? c->len : strlen(c->text);
		struct jval *v = (struct jval *)1;
		struct jerr err;
		int ret = jsonr_parse(c->text, len, &v, &err);
		size_t off = 0;

		cr_expect_eq(ret, -EINVAL, "case %zu: ret %d", k, ret);
		cr_expect_null(v, "case %zu: *out must be NULL on error", k);
		cr_expect_str_eq(err.msg, c->msg, "case %zu: got \"%s\", want \"%s\"", k, err.msg,
				 c->msg);
		sscanf(c->msg, "offset %zu:", &off);
		cr_expect_eq(err.off, off, "case %zu: off %zu, want %zu", k, err.off, off);
	}
}

Test(jsonr, limits_nesting_depth)
{
	char *s = nested(JSONR_MAX_DEPTH + 1);
	struct jval *v;
	struct jerr err;

	cr_assert_eq(jsonr_parse(s, strlen(s), &v, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "offset 256: nesting deeper than 256");
	free(s);
	s = malloc(100001);
	memset(s, '{', 100000);
	s[100000] = 0;
	cr_assert_eq(jsonr_parse(s, 100000, &v, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "offset 1: expected string key or '}'");
	for (size_t i = 0; i < 50000; i++)
		memcpy(s + 2 * i, "[{", 2);
	cr_assert_eq(jsonr_parse(s, 100000, &v, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "offset 2: expected string key or '}'");
	memset(s, '[', 100000);
	cr_assert_eq(jsonr_parse(s, 100000, &v, &err), -EINVAL);
	cr_expect_str_eq(err.msg, "offset 256: nesting deeper than 256");
	free(s);
}

Test(jsonr, accepts_a_null_error_pointer)
{
	struct jval *v;

	cr_expect_eq(jsonr_parse("[", 1, &v, NULL), -EINVAL);
	cr_expect_null(v);
}

/* ---- robustness ---------------------------------------------------------------------------- */

static const char sample[] =
	"{\"schema\":1,\"files\":[{\"path\":\"/t/\\u00e9\\ud83d\\ude00\\n\",\"ino\":123,"
	"\"deleted\":false,\"read\":null,\"h\":[[0,0,1],[4096,8191,2]],\"x\":-1.5e-3}],"
	"\"s\":\"\xc3\xa9\\\"\",\"t\":true}";

Test(jsonr, rejects_every_proper_prefix_of_a_document)
{
	size_t len = strlen(sample);
	struct jval *v;
	struct jerr err;

	for (size_t n = 0; n < len; n++) {
		int ret = jsonr_parse(sample, n, &v, &err);

		cr_assert_eq(ret, -EINVAL, "prefix %zu parsed", n);
		cr_assert_leq(err.off, n, "prefix %zu: offset %zu", n, err.off);
	}
	cr_assert_eq(jsonr_parse(sample, len, &v, &err), 0, "%s", err.msg);
	jval_free(v);
}

/* xorshift: reproducible mutations */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(jsonr, survives_random_mutations)
{
	static const char alphabet[] =
		"{}[]\",:\\u0123456789.eE+-tfnrl \x00\x1f\x80\xbf\xc3\xed\xf4\xff";
	size_t len = strlen(sample);
	char *buf = malloc(len + 8);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	for (int iter = 0; iter < 50000; iter++) {
		size_t n = len;
		struct jval *v;
		struct jerr err;
		int ret;

		memcpy(buf, sample, len);
		for (int k = 1 + (int)(rnd(&seed) % 4); k > 0; k--) {
			size_t at = rnd(&seed) % n;

			switch (rnd(&seed) % 3) {
			case 0:
				buf[at] = alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
				break;
			case 1:
				buf[at] = (char)rnd(&seed);
				break;
			default:
				n = at + 1; /* truncate */
			}
		}
		ret = jsonr_parse(buf, n, &v, &err);
		cr_assert(ret == 0 || ret == -EINVAL, "iteration %d: ret %d", iter, ret);
		if (ret == 0)
			jval_free(v);
		else
			cr_assert_leq(err.off, n, "iteration %d: offset %zu past %zu", iter,
				      err.off, n);
	}
	free(buf);
}

/* ---- round trip through the writer (src/format/json.c) ------------------------------------------- */

struct memout {
	char *buf;
	size_t len;
	FILE *f;
};

static void memout_open(struct memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
}

static struct jval *memout_parse(struct memout *m)
{
	struct jval *v;

	cr_assert_eq(fclose(m->f), 0);
	v = parse_ok(m->buf, m->len);
	free(m->buf);
	return v;
}

static void expect_bytes(const struct jval *v, const char *want, size_t want_len, const char *what)
{
	size_t len;
	const char *s = jval_str(v, &len);

	cr_assert_not_null(s, "%s: not a string", what);
	cr_expect_eq(len, want_len, "%s: %zu bytes, want %zu", what, len, want_len);
	cr_expect(len == want_len && !memcmp(s, want, len), "%s: content differs", what);
}

Test(jsonr, round_trips_control_characters_and_utf8_from_the_writer)
{
	char ctl[0x20 + 3];
	static const char utf8[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\x7f/";
	struct memout m;
	struct json j;
	struct jval *v;

	for (int i = 0; i < 0x20; i++)
		ctl[i] = (char)i;
	ctl[0x20] = '"';
	ctl[0x21] = '\\';
	ctl[0x22] = '\0';
	for (int pretty = 0; pretty < 2; pretty++) {
		memout_open(&m);
		json_init(&j, m.f, pretty);
		json_obj_begin(&j, NULL);
		json_bytes(&j, "ctl", ctl, sizeof(ctl));
		json_bytes(&j, "utf8", utf8, sizeof(utf8) - 1);
		json_str(&j, "plain", "/tmp/x y");
		json_bytes(&j, "empty", "", 0);
		json_obj_end(&j);
		v = memout_parse(&m);
		expect_bytes(jval_get(v, "ctl"), ctl, sizeof(ctl), "ctl");
		expect_bytes(jval_get(v, "utf8"), utf8, sizeof(utf8) - 1, "utf8");
		expect_bytes(jval_get(v, "plain"), "/tmp/x y", 8, "plain");
		expect_bytes(jval_get(v, "empty"), "", 0, "empty");
		cr_expect_eq(jval_len(v), 4);
		jval_free(v);
	}
}

#define FFFD "\xef\xbf\xbd"
struct bad_utf8 {
	const char *in;
	size_t in_len;
	const char *want; /* each invalid byte became U+FFFD */
	size_t want_len;
};
#define B(i, w)                                                                                    \
	{                                                                                          \
		i, sizeof(i) - 1, w, sizeof(w) - 1                                                 \
	}
static const struct bad_utf8 bad_utf8[] = {
	B("a\xff"
	  "b",
	  "a" FFFD "b"),
	B("\xc0\xaf", FFFD FFFD),
	B("\xed\xa0\x80", FFFD FFFD FFFD),
	B("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD),
	B("x\xe2\x82", "x" FFFD FFFD),
	B("\x80\xc3\xa9\x80", FFFD "\xc3\xa9" FFFD),
	B("/tmp/\xfe\xff\0z", "/tmp/" FFFD FFFD "\0z"),
};

Test(jsonr, reads_writer_output_for_invalid_utf8_as_replacement_characters)
{
	for (size_t k = 0; k < sizeof(bad_utf8) / sizeof(bad_utf8[0]); k++) {
		const struct bad_utf8 *c = &bad_utf8[k];
		struct memout m;
		struct json j;
		struct jval *v;
		size_t len;
		const char *hex;
		char want_hex[64] = "";

		memout_open(&m);
		json_init(&j, m.f, false);
		json_obj_begin(&j, NULL);
		json_bytes(&j, "p", c->in, c->in_len);
		json_hex(&j, "h", c->in, c->in_len);
		json_obj_end(&j);
		v = memout_parse(&m);
		expect_bytes(jval_get(v, "p"), c->want, c->want_len, "replaced");
		for (size_t i = 0; i < c->in_len; i++)
			sprintf(want_hex + 2 * i, "%02x", (unsigned char)c->in[i]);
		hex = jval_str(jval_get(v, "h"), &len);
		cr_expect(hex && !strcmp(hex, want_hex), "case %zu: hex %s, want %s", k, hex,
			  want_hex);
		jval_free(v);
	}
}

Test(jsonr, round_trips_every_byte_value)
{
	char in[256], want[128 + 128 * 3];
	struct memout m;
	struct json j;
	struct jval *v;

	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	/* ASCII stays; 0x80..0xff in ascending order never form a valid sequence */
	memcpy(want, in, 128);
	for (int i = 0; i < 128; i++)
		memcpy(want + 128 + 3 * i, FFFD, 3);
	memout_open(&m);
	json_init(&j, m.f, true);
	json_arr_begin(&j, NULL);
	json_bytes(&j, NULL, in, sizeof(in));
	json_arr_end(&j);
	v = memout_parse(&m);
	expect_bytes(jval_idx(v, 0), want, sizeof(want), "all bytes");
	jval_free(v);
}

Test(jsonr, round_trips_numbers_and_structure_from_the_writer)
{
	struct memout m;
	struct json j;
	struct jval *v;
	const struct jval *a;
	uint64_t u;
	int64_t i;
	bool b;

	memout_open(&m);
	json_init(&j, m.f, true);
	json_obj_begin(&j, NULL);
	json_u64(&j, "max", UINT64_MAX);
	json_i64(&j, "min", INT64_MIN);
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_arr_begin(&j, "hist");
	json_arr_begin(&j, NULL);
	json_u64(&j, NULL, 4096);
	json_u64(&j, NULL, 8191);
	json_u64(&j, NULL, 3);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_begin(&j, "empty");
	json_obj_end(&j);
	json_obj_end(&j);
	v = memout_parse(&m);
	cr_assert_eq(jval_u64(jval_get(v, "max"), &u), 0);
	cr_expect_eq(u, UINT64_MAX);
	cr_assert_eq(jval_i64(jval_get(v, "min"), &i), 0);
	cr_expect_eq(i, INT64_MIN);
	cr_assert_eq(jval_bool(jval_get(v, "t"), &b), 0);
	cr_expect(b);
	cr_expect(jval_is_null(jval_get(v, "n")));
	a = jval_idx(jval_get(v, "hist"), 0);
	cr_assert_eq(jval_len(a), 3);
	cr_assert_eq(jval_u64(jval_idx(a, 1), &u), 0);
	cr_expect_eq(u, 8191);
	cr_expect_eq(jval_get(v, "empty")->type, JT_OBJ);
	cr_expect_eq(jval_len(v), 6);
	jval_free(v);
}
