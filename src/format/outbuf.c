// SPDX-License-Identifier: GPL-2.0
/*
 * The slow paths of outbuf.h: handing the buffer to the FILE, long writes,
 * and decimal formatting two digits at a time.
 */
#include "format/outbuf.h"

void ob_flush(struct outbuf *o)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, o->f);
	o->len = 0;
}

void ob_write(struct outbuf *o, const void *p, size_t n)
{
	if (n <= OUTBUF_SZ) {
		ob_put(o, p, n);
		return;
	}
	ob_flush(o);
	fwrite(p, 1, n, o->f);
}

static const char digit_pairs[201] = "00010203040506070809"
				     "10111213141516171819"
				     "20212223242526272829"
				     "30313233343536373839"
				     "40414243444546474849"
				     "50515253545556575859"
				     "60616263646566676869"
				     "70717273747576777879"
				     "80818283848586878889"
				     "90919293949596979899";

char *ob_fmt_u64(char *end, uint64_t v)
{
	char *p = end;

	while (v >= 100) {
		const char *d = digit_pairs + 2 * (v % 100);

		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = digit_pairs[2 * v + 1];
		*--p = digit_pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}
