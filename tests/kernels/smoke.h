/* SPDX-License-Identifier: GPL-2.0 */
/* What smoke.c (the workload) and check.c (the comparison) share. */
#ifndef TESTS_KERNELS_SMOKE_H
#define TESTS_KERNELS_SMOKE_H

#include <stdbool.h>
#include <stddef.h>

/* "A/x" -> DIR_A/x, "B/x" -> DIR_B/x, anything else as is; 0 or -ENAMETOOLONG */
int smoke_path(char *dst, size_t sz, const char *path, const char *a, const char *b);

/*
 * Compare the result document with the scenario; facts holds the workload's
 * "fact PATH MAJ:MIN INO" lines.  Prints each difference, then one summary
 * line; 0 when everything matched, 1 otherwise.  exclude_a: the trace ran
 * with --exclude DIR_A (and --exclude-fstype proc).
 */
int smoke_check(const char *result, const char *facts, const char *a, const char *b,
		bool exclude_a);

#endif
