/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal of `iotrace top`, with nothing but termios and ANSI escape
 * sequences (no terminfo, no curses): raw input, the alternate screen,
 * the size, keys, and the terminal restored on every way out (a normal
 * end, an end signal, a crash of iotrace: SIGSEGV, SIGBUS, SIGFPE, SIGILL
 * and SIGABRT restore it before the default action).
 */
#ifndef IOTRACE_TOP_TERM_H
#define IOTRACE_TOP_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* raw mode on stdin, the alternate screen and no cursor on stdout; -errno */
int term_open(void);
/* back as it was (idempotent, async-signal-safe) */
void term_restore(void);
/* rows and columns of stdout's terminal (24 x 80 when unknown) */
void term_size(int *rows, int *cols);

enum key {
	KEY_NONE = 0,
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_PGUP,
	KEY_PGDN,
	KEY_HOME,
	KEY_END,
	KEY_ESC,
	KEY_ENTER,
	KEY_BACKSPACE,
};

/* the next key of what stdin has now (a byte, or KEY_*); KEY_NONE when nothing is left */
int term_key(void);

#endif
