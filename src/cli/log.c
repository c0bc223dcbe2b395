// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics: every message is one line "iotrace: <message>" on stderr.
 * pr_warn always, pr_info with -v, pr_debug with -vv.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/log.h"

int log_verbosity;

/* held messages (log_hold): kept in order, at most HELD_MAX; the last one apart */
#define HELD_MAX 64
static bool holding;
static char *held[HELD_MAX];
static size_t held_cnt, held_lost;
static char last[256];

static void vlog(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!holding) {
		fprintf(stderr, "iotrace: %s\n", buf);
		return;
	}
	memcpy(last, buf, sizeof(last) - 1); /* the status line shows its start */
	last[sizeof(last) - 1] = 0;
	if (held_cnt < HELD_MAX && (held[held_cnt] = strdup(buf)))
		held_cnt++;
	else
		held_lost++;
}

void log_hold(bool on)
{
	holding = on;
	if (on)
		return;
	for (size_t i = 0; i < held_cnt; i++) {
		fprintf(stderr, "iotrace: %s\n", held[i]);
		free(held[i]);
	}
	if (held_lost)
		fprintf(stderr, "iotrace: (%zu more messages)\n", held_lost);
	held_cnt = held_lost = 0;
	last[0] = 0;
}

const char *log_last(void)
{
	return last;
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void pr_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 2)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
