// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer (RFC 8259).  Keys are our own ASCII names; values
 * may be any bytes.  Output errors are left in the FILE for the caller's
 * final ferror/fclose check.
 */
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void newline(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* comma, indentation and "key": before a value */
static void member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth)
		newline(j);
	if (key)
		fprintf(j->f, j->pretty ? "\"%s\": " : "\"%s\":", key);
}

static void open(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
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
	fputc(c, j->f);
	if (!j->depth && j->pretty)
		fputc('\n', j->f);
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
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_u64_triple(struct json *j, const char *key, uint64_t a, uint64_t b, uint64_t c)
{
	member(j, key);
	fprintf(j->f, j->pretty ? "[%llu, %llu, %llu]" : "[%llu,%llu,%llu]", (unsigned long long)a,
		(unsigned long long)b, (unsigned long long)c);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
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

void json_bytes(struct json *j, const char *key, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	member(j, key);
	fputc('"', j->f);
	for (size_t i = 0; i < len;) {
		size_t n = json_utf8_seq(p + i, len - i);

		if (!n) {
			fputs("\xef\xbf\xbd", j->f); /* U+FFFD */
			i++;
		} else if (p[i] == '"' || p[i] == '\\') {
			fputc('\\', j->f);
			fputc(p[i++], j->f);
		} else if (p[i] < 0x20) {
			fprintf(j->f, "\\u%04x", p[i++]);
		} else {
			fwrite(p + i, 1, n, j->f);
			i += n;
		}
	}
	fputc('"', j->f);
}

void json_hex(struct json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	fputc('"', j->f);
	for (size_t i = 0; i < len; i++)
		fprintf(j->f, "%02x", (unsigned char)s[i]);
	fputc('"', j->f);
}
