/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics of every command: one line "iotrace: <message>" on stderr;
 * pr_warn always, pr_info with -v, pr_debug with -vv.
 */
#ifndef IOTRACE_LOG_H
#define IOTRACE_LOG_H

extern int log_verbosity;
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * While a screen is drawn on the terminal (iotrace top): messages are held
 * and printed on stderr, in order, when the hold ends; log_last is the
 * last one held ("" when none).
 */
#include <stdbool.h>
void log_hold(bool on);
const char *log_last(void);

#endif
