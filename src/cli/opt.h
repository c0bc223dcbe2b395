/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line options declared as data: one table per command drives both
 * getopt_long and the help text, so the two cannot disagree (iotrace and
 * iotrace report).
 */
#ifndef IOTRACE_OPT_H
#define IOTRACE_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct opt_def {
	int id;		  /* the short option letter, or >= 256 for long-only ones */
	const char *name; /* the long option */
	const char *arg;  /* the argument's name; NULL: takes no argument */
	const char *help;
};

/* getopt_long's short options need at most this many bytes after `lead` */
#define OPT_SHORTS_SZ(cnt) (2 * (cnt) + 1)

/*
 * Fill longs[0..cnt] (zero-terminated) and shorts, which starts with lead
 * ("+:" to stop at the first operand, ":" to permute) and must hold
 * strlen(lead) + OPT_SHORTS_SZ(cnt) bytes.
 */
void opt_tables(const struct opt_def *defs, size_t cnt, const char *lead, struct option *longs,
		char *shorts);

/* "  -p, --pid PID   help" lines, the option column `width` wide */
void opt_help(FILE *f, const struct opt_def *defs, size_t cnt, int width);

/*
 * A usage error: one line "iotrace: <prefix><fmt with arg> (see <cmd> --help)"
 * on stderr; returns -EINVAL.
 */
int opt_usage_error(const char *prefix, const char *cmd, const char *fmt, const char *arg);

#endif
