// SPDX-License-Identifier: GPL-2.0
/*
 * The shared half of options-as-data: getopt_long tables and help lines
 * built from a command's struct opt_def table.
 */
#include <errno.h>
#include <string.h>

#include "cli/opt.h"

void opt_tables(const struct opt_def *defs, size_t cnt, const char *lead, struct option *longs,
		char *shorts)
{
	char *s = shorts + strlen(lead);

	memmove(shorts, lead, strlen(lead));
	memset(longs, 0, (cnt + 1) * sizeof(*longs));
	for (size_t i = 0; i < cnt; i++) {
		longs[i] = (struct option){ defs[i].name, defs[i].arg ? 1 : 0, NULL, defs[i].id };
		if (defs[i].id < 256) {
			*s++ = (char)defs[i].id;
			if (defs[i].arg)
				*s++ = ':';
		}
	}
	*s = '\0';
}

void opt_help(FILE *f, const struct opt_def *defs, size_t cnt, int width)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct opt_def *d = &defs[i];
		char lhs[96];

		snprintf(lhs, sizeof(lhs), "%c%c%c --%s%s%s", d->id < 256 ? '-' : ' ',
			 d->id < 256 ? (char)d->id : ' ', d->id < 256 ? ',' : ' ', d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-*s %s\n", width, lhs, d->help);
	}
}

int opt_usage_error(const char *prefix, const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "iotrace: %s", prefix);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see %s --help)\n", cmd);
	return -EINVAL;
}
