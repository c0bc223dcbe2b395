// SPDX-License-Identifier: GPL-2.0
/*
 * Message output and small helpers shared by every loader stage.  Each
 * object has its own printer, made from the options it was opened with:
 * the caller's callback and context, or warnings to stderr (one line each,
 * info and debug dropped).  Maps are created and programs loaded by several
 * threads, which all print: a printer calls its callback under its own lock,
 * one message at a time.  There is no process-wide loader state.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static void print_default(enum loader_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOADER_WARN)
		fprintf(stderr, "%s\n", msg);
}

void printer_init(struct printer *p, loader_print_fn fn, void *ctx)
{
	p->fn = fn ? fn : print_default;
	p->ctx = fn ? ctx : NULL;
	pthread_mutex_init(&p->lock, NULL);
}

void printer_destroy(struct printer *p)
{
	pthread_mutex_destroy(&p->lock);
}

void pr_log(struct printer *p, enum loader_level level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!p) {
		print_default(level, msg, NULL);
	} else {
		pthread_mutex_lock(&p->lock);
		p->fn(level, msg, p->ctx);
		pthread_mutex_unlock(&p->lock);
	}
	free(msg);
}

int grow(void *arr, size_t *cap, size_t need, size_t elem_sz)
{
	void **p = arr;
	size_t new_cap = *cap ? *cap : 8;
	void *n;

	if (need <= *cap)
		return 0;
	while (new_cap < need)
		new_cap *= 2;
	n = realloc(*p, new_cap * elem_sz);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = new_cap;
	return 0;
}

void kernel_name(char *dst, const char *name)
{
	size_t i;

	for (i = 0; i < OBJ_NAME_LEN - 1 && name[i]; i++)
		dst[i] = isalnum((unsigned char)name[i]) || name[i] == '.' ? name[i] : '_';
	dst[i] = '\0';
}

const char *opts_refusal(const void *opts)
{
	size_t sz;

	memcpy(&sz, opts, sizeof(sz));
	return sz < sizeof(size_t) ? "are too small to hold their size"
				   : "set fields this loader lacks";
}

int opts_copy(void *out, size_t out_sz, const void *opts)
{
	const uint8_t *in = opts;
	size_t sz, i;

	memset(out, 0, out_sz);
	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (i = out_sz; i < sz; i++)
		if (in[i])
			return -EINVAL;
	memcpy(out, opts, sz < out_sz ? sz : out_sz);
	return 0;
}

double lap_ms(struct timespec *t0)
{
	struct timespec t;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
	*t0 = t;
	return ms;
}
