// SPDX-License-Identifier: GPL-2.0
/*
 * JSON reader (RFC 8259): recursive descent with a depth limit, so the C
 * stack stays bounded (JSONR_MAX_DEPTH small frames) whatever the input.
 * Values are built on two scratch stacks (array elements, object members)
 * and copied into the document's arena when their container closes, so a
 * container's children are one contiguous array and freeing is one walk
 * over the arena's chunks.  Every error names the byte offset it found.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/jsonr.h"

#define CHUNK_SZ (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

/* what jsonr_parse hands out: the root is a member, found back by jval_free */
struct jdoc {
	struct chunk *chunks;
	struct jval root;
};

struct parser {
	const unsigned char *p;
	size_t len, pos;
	struct jdoc *doc;
	struct jerr *err;
	int depth;
	struct jval *vals; /* pending array elements of every open array */
	size_t vals_cnt, vals_cap;
	struct jmember *mems; /* pending members of every open object */
	size_t mems_cnt, mems_cap;
	char *sbuf; /* string decoding */
	size_t sbuf_cap;
};

/* ---- memory ---------------------------------------------------------------- */

static void *arena_alloc(struct jdoc *doc, size_t sz)
{
	struct chunk *c = doc->chunks;
	size_t need = (sz + 15) & ~(size_t)15;

	if (need < sz)
		return NULL;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK_SZ ? need : CHUNK_SZ;

		if (cap > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	c->used += need;
	return c->data + c->used - need;
}

/* grow *v (elements of sz bytes) to hold at least want; 0 or -ENOMEM */
static int grow(void **v, size_t *cap, size_t want, size_t sz)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (want <= *cap)
		return 0;
	while (n < want) {
		if (n > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		n *= 2;
	}
	p = realloc(*v, n * sz);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

void jval_free(struct jval *root)
{
	struct jdoc *doc;
	struct chunk *c, *next;

	if (!root)
		return;
	doc = (struct jdoc *)((char *)root - offsetof(struct jdoc, root));
	for (c = doc->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

/* ---- errors ------------------------------------------------------------------- */

static int fail(struct parser *ps, size_t off, const char *msg)
{
	if (ps->err) {
		ps->err->off = off;
		snprintf(ps->err->msg, sizeof(ps->err->msg), "offset %zu: %s", off, msg);
	}
	return -EINVAL;
}

static int fail_nomem(struct parser *ps)
{
	if (ps->err) {
		ps->err->off = ps->pos;
		snprintf(ps->err->msg, sizeof(ps->err->msg), "offset %zu: out of memory", ps->pos);
	}
	return -ENOMEM;
}

/* "expected X" at the current position, or the end of the input there */
static int fail_expected(struct parser *ps, const char *msg)
{
	if (ps->pos >= ps->len)
		return fail(ps, ps->len, "unexpected end of input");
	return fail(ps, ps->pos, msg);
}

/* ---- lexing ------------------------------------------------------------------- */

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

/* next non-blank byte, -1 at the end */
static int peek(struct parser *ps)
{
	skip_ws(ps);
	return ps->pos < ps->len ? ps->p[ps->pos] : -1;
}

static int parse_literal(struct parser *ps, const char *word, struct jval *out)
{
	size_t n = strlen(word);

	if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n)) {
		/* a prefix of the word cut off by the end is an end-of-input error */
		size_t avail = ps->len - ps->pos;

		if (avail < n && !memcmp(ps->p + ps->pos, word, avail))
			return fail(ps, ps->len, "unexpected end of input");
		return fail(ps, ps->pos, "invalid literal");
	}
	ps->pos += n;
	if (word[0] == 'n') {
		out->type = JT_NULL;
	} else {
		out->type = JT_BOOL;
		out->b = word[0] == 't';
	}
	return 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int digits(struct parser *ps, const char *what)
{
	if (ps->pos >= ps->len)
		return fail(ps, ps->len, "unexpected end of input");
	if (!is_digit(ps->p[ps->pos]))
		return fail(ps, ps->pos, what);
	while (ps->pos < ps->len && is_digit(ps->p[ps->pos]))
		ps->pos++;
	return 0;
}

static locale_t c_locale(void)
{
	static locale_t loc;
	locale_t l = __atomic_load_n(&loc, __ATOMIC_ACQUIRE), expect = (locale_t)0;

	if (l)
		return l;
	l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!l)
		return (locale_t)0;
	if (!__atomic_compare_exchange_n(&loc, &expect, l, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		freelocale(l);
		return expect;
	}
	return l;
}

/* exact integer forms of the digits [s, e), negative when neg */
static void integer_forms(const unsigned char *s, const unsigned char *e, bool neg,
			  struct jval *out)
{
	uint64_t u = 0;

	for (; s < e; s++) {
		unsigned int d = *s - '0';

		if (u > (UINT64_MAX - d) / 10)
			return; /* beyond uint64: the double only */
		u = u * 10 + d;
	}
	if (!neg) {
		out->num.u = u;
		out->num.flags |= JNUM_U64;
		if (u <= INT64_MAX) {
			out->num.i = (int64_t)u;
			out->num.flags |= JNUM_I64;
		}
	} else if (u <= (uint64_t)INT64_MAX + 1) {
		out->num.i = u ? (int64_t)(0 - u) : 0;
		out->num.flags |= JNUM_I64;
		if (!u) {
			out->num.u = 0; /* -0 */
			out->num.flags |= JNUM_U64;
		}
	}
}

static int to_double(struct parser *ps, size_t start, struct jval *out)
{
	size_t n = ps->pos - start;
	char small[64], *tmp = n < sizeof(small) ? small : malloc(n + 1);
	locale_t loc = c_locale();
	int err = 0;

	if (!tmp)
		return fail_nomem(ps);
	if (!loc) {
		err = fail_nomem(ps);
		goto out;
	}
	memcpy(tmp, ps->p + start, n);
	tmp[n] = '\0';
	errno = 0;
	out->num.d = strtod_l(tmp, NULL, loc);
	if (errno == ERANGE && isinf(out->num.d))
		err = fail(ps, start, "number out of range");
out:
	if (tmp != small)
		free(tmp);
	return err;
}

/* number = [ "-" ] int [ frac ] [ exp ], int = "0" / digit1-9 *DIGIT */
static int parse_number(struct parser *ps, struct jval *out)
{
	size_t start = ps->pos, int_start;
	bool neg = false, integral = true;
	int err;

	out->type = JT_NUM;
	out->num.flags = 0;
	out->num.i = 0;
	out->num.u = 0;
	if (ps->p[ps->pos] == '-') {
		neg = true;
		ps->pos++;
	}
	int_start = ps->pos;
	err = digits(ps, "invalid number: expected digit");
	if (err)
		return err;
	if (ps->p[int_start] == '0' && ps->pos - int_start > 1)
		return fail(ps, int_start + 1, "invalid number: digit after leading zero");
	integer_forms(ps->p + int_start, ps->p + ps->pos, neg, out);
	if (ps->pos < ps->len && ps->p[ps->pos] == '.') {
		ps->pos++;
		integral = false;
		err = digits(ps, "invalid number: expected digit after '.'");
		if (err)
			return err;
	}
	if (ps->pos < ps->len && (ps->p[ps->pos] == 'e' || ps->p[ps->pos] == 'E')) {
		ps->pos++;
		integral = false;
		if (ps->pos < ps->len && (ps->p[ps->pos] == '+' || ps->p[ps->pos] == '-'))
			ps->pos++;
		err = digits(ps, "invalid number: expected digit in exponent");
		if (err)
			return err;
	}
	if (!integral)
		out->num.flags = 0, out->num.i = 0, out->num.u = 0;
	return to_double(ps, start, out);
}

/* ---- strings ------------------------------------------------------------------ */

static int hex4(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if none */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static size_t put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at ps->pos (the backslash), with a following low surrogate if needed */
static int unicode_escape(struct parser *ps, uint32_t *cp)
{
	size_t at = ps->pos;
	uint32_t lo;

	if (ps->len - at < 6)
		return fail(ps, at, "invalid \\u escape");
	if (hex4(ps->p + at + 2, cp))
		return fail(ps, at, "invalid \\u escape");
	ps->pos += 6;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(ps, at, "lone surrogate in \\u escape");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (ps->len - ps->pos < 6 || ps->p[ps->pos] != '\\' || ps->p[ps->pos + 1] != 'u' ||
	    hex4(ps->p + ps->pos + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return fail(ps, at, "lone surrogate in \\u escape");
	ps->pos += 6;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

static int escape(struct parser *ps, char *d, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	uint32_t cp;
	int err;

	if (ps->pos + 1 >= ps->len)
		return fail(ps, ps->len, "unexpected end of input");
	if (ps->p[ps->pos + 1] == 'u') {
		err = unicode_escape(ps, &cp);
		if (!err)
			*n = put_utf8(d, cp);
		return err;
	}
	e = ps->p[ps->pos + 1] ? strchr(from, ps->p[ps->pos + 1]) : NULL;
	if (!e)
		return fail(ps, ps->pos, "invalid escape");
	d[0] = to[e - from];
	*n = 1;
	ps->pos += 2;
	return 0;
}

/*
 * The string whose opening quote is at ps->pos, decoded into the arena.
 * Decoded text is never longer than its source, which sizes the buffer.
 */
static int parse_string(struct parser *ps, const char **s, size_t *len)
{
	size_t open = ps->pos, n = 0, k;
	char *d;
	int err;

	ps->pos++;
	for (;;) {
		unsigned char c;

		if (ps->pos >= ps->len)
			return fail(ps, open, "unterminated string");
		c = ps->p[ps->pos];
		if (c == '"')
			break;
		if (grow((void **)&ps->sbuf, &ps->sbuf_cap, n + 8, 1))
			return fail_nomem(ps);
		if (c == '\\') {
			err = escape(ps, ps->sbuf + n, &k);
			if (err)
				return err;
			n += k;
			continue;
		}
		if (c < 0x20)
			return fail(ps, ps->pos, "control character in string");
		k = utf8_len(ps->p + ps->pos, ps->len - ps->pos);
		if (!k)
			return fail(ps, ps->pos, "invalid UTF-8 in string");
		memcpy(ps->sbuf + n, ps->p + ps->pos, k);
		n += k;
		ps->pos += k;
	}
	ps->pos++;
	d = arena_alloc(ps->doc, n + 1);
	if (!d)
		return fail_nomem(ps);
	if (n)
		memcpy(d, ps->sbuf, n);
	d[n] = '\0';
	*s = d;
	*len = n;
	return 0;
}

/* ---- containers ----------------------------------------------------------------- */

static int parse_value(struct parser *ps, struct jval *out);

static int enter(struct parser *ps)
{
	if (ps->depth >= JSONR_MAX_DEPTH)
		return fail(ps, ps->pos, "nesting deeper than 256");
	ps->depth++;
	ps->pos++;
	return 0;
}

/* after an element: ',' (another follows) or the closing bracket */
static int next_or_close(struct parser *ps, char close, const char *msg, bool *more)
{
	int c = peek(ps);

	if (c == ',' || c == close) {
		ps->pos++;
		*more = c == ',';
		return 0;
	}
	return fail_expected(ps, msg);
}

static int parse_array(struct parser *ps, struct jval *out)
{
	size_t base = ps->vals_cnt, cnt;
	bool more = true;
	struct jval v;
	int err = enter(ps);

	if (err)
		return err;
	if (peek(ps) == ']') {
		ps->pos++;
		more = false;
	}
	while (more) {
		err = parse_value(ps, &v);
		if (err)
			return err;
		if (grow((void **)&ps->vals, &ps->vals_cap, ps->vals_cnt + 1, sizeof(v)))
			return fail_nomem(ps);
		ps->vals[ps->vals_cnt++] = v;
		err = next_or_close(ps, ']', "expected ',' or ']'", &more);
		if (err)
			return err;
	}
	cnt = ps->vals_cnt - base;
	out->type = JT_ARR;
	out->arr.cnt = cnt;
	out->arr.v = cnt ? arena_alloc(ps->doc, cnt * sizeof(v)) : NULL;
	if (cnt && !out->arr.v)
		return fail_nomem(ps);
	if (cnt)
		memcpy(out->arr.v, ps->vals + base, cnt * sizeof(v));
	ps->vals_cnt = base;
	ps->depth--;
	return 0;
}

static int parse_member(struct parser *ps, struct jmember *m, bool first)
{
	int err;

	if (peek(ps) != '"')
		return fail_expected(ps,
				     first ? "expected string key or '}'" : "expected string key");
	err = parse_string(ps, &m->key, &m->key_len);
	if (err)
		return err;
	if (peek(ps) != ':')
		return fail_expected(ps, "expected ':'");
	ps->pos++;
	return parse_value(ps, &m->val);
}

static int parse_object(struct parser *ps, struct jval *out)
{
	size_t base = ps->mems_cnt, cnt;
	bool more = true;
	struct jmember m;
	int err = enter(ps);

	if (err)
		return err;
	if (peek(ps) == '}') {
		ps->pos++;
		more = false;
	}
	while (more) {
		err = parse_member(ps, &m, ps->mems_cnt == base);
		if (err)
			return err;
		if (grow((void **)&ps->mems, &ps->mems_cap, ps->mems_cnt + 1, sizeof(m)))
			return fail_nomem(ps);
		ps->mems[ps->mems_cnt++] = m;
		err = next_or_close(ps, '}', "expected ',' or '}'", &more);
		if (err)
			return err;
	}
	cnt = ps->mems_cnt - base;
	out->type = JT_OBJ;
	out->obj.cnt = cnt;
	out->obj.m = cnt ? arena_alloc(ps->doc, cnt * sizeof(m)) : NULL;
	if (cnt && !out->obj.m)
		return fail_nomem(ps);
	if (cnt)
		memcpy(out->obj.m, ps->mems + base, cnt * sizeof(m));
	ps->mems_cnt = base;
	ps->depth--;
	return 0;
}

static int parse_value(struct parser *ps, struct jval *out)
{
	int c = peek(ps);

	memset(out, 0, sizeof(*out));
	switch (c) {
	case '{':
		return parse_object(ps, out);
	case '[':
		return parse_array(ps, out);
	case '"':
		out->type = JT_STR;
		return parse_string(ps, &out->str.s, &out->str.len);
	case 't':
		return parse_literal(ps, "true", out);
	case 'f':
		return parse_literal(ps, "false", out);
	case 'n':
		return parse_literal(ps, "null", out);
	case '-':
		return parse_number(ps, out);
	default:
		if (is_digit(c))
			return parse_number(ps, out);
		return fail_expected(ps, "expected value");
	}
}

int jsonr_parse(const char *buf, size_t len, struct jval **out, struct jerr *err)
{
	struct parser ps = { .p = (const unsigned char *)buf, .len = len, .err = err };
	int ret;

	*out = NULL;
	if (err) {
		err->off = 0;
		err->msg[0] = '\0';
	}
	ps.doc = calloc(1, sizeof(*ps.doc));
	if (!ps.doc)
		return fail_nomem(&ps);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		ps.pos = 3;
	ret = parse_value(&ps, &ps.doc->root);
	if (!ret && peek(&ps) >= 0)
		ret = fail(&ps, ps.pos, "trailing characters after the document");
	free(ps.vals);
	free(ps.mems);
	free(ps.sbuf);
	if (ret) {
		jval_free(&ps.doc->root);
		return ret;
	}
	*out = &ps.doc->root;
	return 0;
}

/* ---- access ----------------------------------------------------------------------- */

const struct jval *jval_get(const struct jval *obj, const char *key)
{
	size_t n;

	if (!obj || obj->type != JT_OBJ || !key)
		return NULL;
	n = strlen(key);
	for (size_t i = 0; i < obj->obj.cnt; i++) {
		const struct jmember *m = &obj->obj.m[i];

		if (m->key_len == n && !memcmp(m->key, key, n))
			return &m->val;
	}
	return NULL;
}

const struct jval *jval_idx(const struct jval *arr, size_t idx)
{
	if (!arr || arr->type != JT_ARR || idx >= arr->arr.cnt)
		return NULL;
	return &arr->arr.v[idx];
}

const struct jmember *jval_member(const struct jval *obj, size_t idx)
{
	if (!obj || obj->type != JT_OBJ || idx >= obj->obj.cnt)
		return NULL;
	return &obj->obj.m[idx];
}

size_t jval_len(const struct jval *v)
{
	if (!v)
		return 0;
	switch (v->type) {
	case JT_ARR:
		return v->arr.cnt;
	case JT_OBJ:
		return v->obj.cnt;
	case JT_STR:
		return v->str.len;
	default:
		return 0;
	}
}

int jval_u64(const struct jval *v, uint64_t *out)
{
	if (!v || v->type != JT_NUM)
		return -EINVAL;
	if (!(v->num.flags & JNUM_U64))
		return -ERANGE;
	*out = v->num.u;
	return 0;
}

int jval_i64(const struct jval *v, int64_t *out)
{
	if (!v || v->type != JT_NUM)
		return -EINVAL;
	if (!(v->num.flags & JNUM_I64))
		return -ERANGE;
	*out = v->num.i;
	return 0;
}

int jval_double(const struct jval *v, double *out)
{
	if (!v || v->type != JT_NUM)
		return -EINVAL;
	*out = v->num.d;
	return 0;
}

int jval_bool(const struct jval *v, bool *out)
{
	if (!v || v->type != JT_BOOL)
		return -EINVAL;
	*out = v->b;
	return 0;
}

bool jval_is_null(const struct jval *v)
{
	return v && v->type == JT_NULL;
}

const char *jval_str(const struct jval *v, size_t *len)
{
	if (!v || v->type != JT_STR)
		return NULL;
	if (len)
		*len = v->str.len;
	return v->str.s;
}

bool jval_str_eq(const struct jval *v, const char *s)
{
	size_t n = strlen(s);

	return v && v->type == JT_STR && v->str.len == n && !memcmp(v->str.s, s, n);
}
