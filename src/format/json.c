// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer (RFC 8259).  Keys are our own ASCII names; values
 * may be any bytes.  Output errors are left in the FILE for the caller's
 * final ferror/fclose check.
 */
#include <string.h>

#include "format/json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	j->depth = 0;
	memset(j->first, 0, sizeof(j->first));
	j->first[0] = true;
	j->pretty = pretty;
	ob_init(&j->out, f);
}

/* after each call: a complete top-level value goes to the FILE */
static void done(struct json *j)
{
	if (!j->depth)
		ob_flush(&j->out);
}

/* "\n" and two spaces per level, for every level a document can reach */
static const char indent[] = "\n                                ";
_Static_assert(sizeof(indent) - 2 >= 2 * (JSON_MAX_DEPTH - 1), "indent too short");

static void newline(struct json *j)
{
	if (j->pretty)
		ob_put(&j->out, indent, 1 + 2 * (size_t)j->depth);
}

static bool is_plain(unsigned char c);
static size_t put_escaped(struct outbuf *o, const unsigned char *p, size_t len);

/* a key that is not printable ASCII without " and \ (report keeps unknown syscall names) */
static bool key_needs_escape(const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_plain((unsigned char)key[i]))
			return true;
	return false;
}

/* comma, indentation and "key": before a value, in one piece of the buffer */
static void member(struct json *j, const char *key)
{
	size_t key_len = key ? strlen(key) : 0;
	size_t ind_len = j->depth && j->pretty ? 1 + 2 * (size_t)j->depth : 0;
	char *start = ob_room(&j->out, 1 + ind_len + key_len + 4), *p = start;

	if (!j->first[j->depth])
		*p++ = ',';
	j->first[j->depth] = false;
	memcpy(p, indent, ind_len);
	p += ind_len;
	if (key && key_needs_escape(key, key_len)) {
		*p++ = '"';
		j->out.len += (size_t)(p - start);
		for (size_t i = 0; i < key_len;)
			i += put_escaped(&j->out, (const unsigned char *)key + i, key_len - i);
		ob_put(&j->out, "\": ", j->pretty ? 3 : 2);
		return;
	}
	if (key) {
		*p++ = '"';
		memcpy(p, key, key_len);
		p += key_len;
		*p++ = '"';
		*p++ = ':';
		if (j->pretty)
			*p++ = ' ';
	}
	j->out.len += (size_t)(p - start);
}

static void open(struct json *j, const char *key, char c)
{
	member(j, key);
	ob_putc(&j->out, c);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		newline(j);
	ob_putc(&j->out, c);
	if (!j->depth && j->pretty)
		ob_putc(&j->out, '\n');
	done(j);
}

void json_obj_begin(struct json *j, const char *key)
{
	open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	close_(j, '}');
}

void json_arr_begin(struct json *j, const char *key)
{
	open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	close_(j, ']');
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	ob_u64(&j->out, v);
	done(j);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	if (v < 0)
		ob_putc(&j->out, '-');
	ob_u64(&j->out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	done(j);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	ob_put(&j->out, v ? "true" : "false", v ? 4 : 5);
	done(j);
}

void json_u64_triple(struct json *j, const char *key, uint64_t a, uint64_t b, uint64_t c)
{
	const char *sep = j->pretty ? ", " : ",";
	size_t sep_len = j->pretty ? 2 : 1;

	member(j, key);
	ob_putc(&j->out, '[');
	ob_u64(&j->out, a);
	ob_put(&j->out, sep, sep_len);
	ob_u64(&j->out, b);
	ob_put(&j->out, sep, sep_len);
	ob_u64(&j->out, c);
	ob_putc(&j->out, ']');
	done(j);
}

void json_u64_row(struct json *j, const char *key, const void *base, size_t stride, size_t n)
{
	const char *p = base;

	member(j, key);
	ob_putc(&j->out, '[');
	for (size_t i = 0; i < n; i++, p += stride) {
		if (i)
			ob_put(&j->out, ", ", j->pretty ? 2 : 1);
		ob_u64(&j->out, *(const uint64_t *)(const void *)p);
	}
	ob_putc(&j->out, ']');
	done(j);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	ob_put(&j->out, "null", 4);
	done(j);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_bytes(j, key, s, strlen(s));
}

size_t json_utf8_seq(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool json_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = json_utf8_seq(p + i, len - i);

		if (!n)
			return false;
		i += n;
	}
	return true;
}

static const char hex_digits[] = "0123456789abcdef";

/* printable ASCII other than " and \: copied as it is */
static bool is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* the bytes from p[0] that need no escaping, then one escaped sequence */
static size_t put_escaped(struct outbuf *o, const unsigned char *p, size_t len)
{
	size_t run = 0, n;

	while (run < len && is_plain(p[run]))
		run++;
	ob_write(o, p, run);
	if (run == len)
		return run;
	p += run;
	n = json_utf8_seq(p, len - run);
	if (!n) {
		ob_put(o, "\xef\xbf\xbd", 3); /* U+FFFD */
		return run + 1;
	}
	if (p[0] == '"' || p[0] == '\\') {
		char esc[2] = { '\\', (char)p[0] };

		ob_put(o, esc, 2);
	} else if (p[0] < 0x20) {
		char esc[6] = { '\\', 'u', '0', '0', hex_digits[p[0] >> 4], hex_digits[p[0] & 15] };

		ob_put(o, esc, 6);
	} else {
		ob_put(o, p, n);
	}
	return run + n;
}

void json_bytes(struct json *j, const char *key, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	member(j, key);
	ob_putc(&j->out, '"');
	for (size_t i = 0; i < len;)
		i += put_escaped(&j->out, p + i, len - i);
	ob_putc(&j->out, '"');
	done(j);
}

void json_hex(struct json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	ob_putc(&j->out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char h[2] = { hex_digits[c >> 4], hex_digits[c & 15] };

		ob_put(&j->out, h, 2);
	}
	ob_putc(&j->out, '"');
	done(j);
}
