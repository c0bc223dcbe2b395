// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics: every message is one line "iotrace: <message>" on stderr.
 * pr_warn always, pr_info with -v, pr_debug with -vv.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli/log.h"

int log_verbosity;

static void vlog(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "iotrace: %s\n", buf);
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
