/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A write buffer in front of a FILE for the result writers: bytes and
 * decimal numbers are appended in place and reach the FILE in OUTBUF_SZ
 * pieces, instead of one stdio call (and one printf parse) per token, which
 * cost seconds on a 100 MB document.  Write errors stay in the FILE for the
 * caller's final ferror/fclose check.
 */
#ifndef IOTRACE_OUTBUF_H
#define IOTRACE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OUTBUF_SZ  (64 * 1024)
#define U64_DIGITS 20 /* UINT64_MAX is 18446744073709551615 */

struct outbuf {
	FILE *f;
	size_t len;
	char buf[OUTBUF_SZ];
};

void ob_flush(struct outbuf *o);
/* any length, larger than the buffer too */
void ob_write(struct outbuf *o, const void *p, size_t n);
/* v in decimal at the end of buf[U64_DIGITS]; returns where it starts */
char *ob_fmt_u64(char *end, uint64_t v);

static inline void ob_init(struct outbuf *o, FILE *f)
{
	o->f = f;
	o->len = 0;
}

/* room for n <= OUTBUF_SZ more bytes */
static inline char *ob_room(struct outbuf *o, size_t n)
{
	if (OUTBUF_SZ - o->len < n)
		ob_flush(o);
	return o->buf + o->len;
}

static inline void ob_putc(struct outbuf *o, char c)
{
	*ob_room(o, 1) = c;
	o->len++;
}

/* short pieces (keys, punctuation): n <= OUTBUF_SZ */
static inline void ob_put(struct outbuf *o, const void *p, size_t n)
{
	memcpy(ob_room(o, n), p, n);
	o->len += n;
}

static inline void ob_str(struct outbuf *o, const char *s)
{
	ob_put(o, s, strlen(s));
}

static inline void ob_u64(struct outbuf *o, uint64_t v)
{
	char tmp[U64_DIGITS], *end = tmp + sizeof(tmp), *p = ob_fmt_u64(end, v);

	ob_put(o, p, (size_t)(end - p));
}

#endif
