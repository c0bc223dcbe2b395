/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `iotrace top`: a live per-file view of a trace, refreshed every interval,
 * or (-r) the same view of saved result documents.  On a terminal it
 * draws a screen (term.c); otherwise it prints a table per interval.
 */
#ifndef IOTRACE_TOP_H
#define IOTRACE_TOP_H

#include "record/record.h"

/* run top with the trace options o (o->results: browse those instead); the exit code */
int top_run(struct options *o);

#endif
