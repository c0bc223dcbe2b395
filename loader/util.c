// SPDX-License-Identifier: GPL-2.0
/*
 * Message output and small helpers shared by every loader stage.  The print
 * callback is the loader's only global: by default warnings go to stderr,
 * one line each, and info/debug messages are dropped (a tool prefixes its
 * name in a callback of its own).  Maps are
 * created and programs loaded by several threads, which all print: the
 * callback is called under a lock, one message at a time.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void print_default(enum loader_level level, const char *msg)
{
	if (level == LOADER_WARN)
		fprintf(stderr, "%s\n", msg);
}

static loader_print_fn print_fn = print_default;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

void loader_set_print(loader_print_fn fn)
{
	print_fn = fn ? fn : print_default;
}

void pr(enum loader_level level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pthread_mutex_lock(&print_lock);
	print_fn(level, msg);
	pthread_mutex_unlock(&print_lock);
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
