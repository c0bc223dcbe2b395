// SPDX-License-Identifier: GPL-2.0
/*
 * termios and ANSI sequences, as every terminal emulator in use (and the
 * Linux console) understands them: CSI ?1049h/l for the alternate screen,
 * ?25l/h for the cursor.  Input is read without blocking and decoded a
 * key at a time; an ESC alone (no sequence after it) is the Esc key.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "top/term.h"

static struct termios saved;
static volatile sig_atomic_t active;

void term_restore(void)
{
	static const char seq[] = "\033[0m\033[?25h\033[?1049l";

	if (!active)
		return;
	active = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	(void)!write(STDOUT_FILENO, seq, sizeof(seq) - 1);
}

/* a crash: the terminal back first, then the default action (a core, if enabled) */
static void on_crash(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int term_open(void)
{
	static const char seq[] = "\033[?1049h\033[?25l\033[H\033[2J";
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved))
		return -errno;
	raw = saved;
	/* no line editing, no echo; ISIG stays: Ctrl-C is SIGINT, the trace's end */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw))
		return -errno;
	active = 1;
	atexit(term_restore);
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		signal(crashes[i], on_crash);
	(void)!write(STDOUT_FILENO, seq, sizeof(seq) - 1);
	return 0;
}

void term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24, *cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		*rows = ws.ws_row, *cols = ws.ws_col;
}

static unsigned char in[64];
static size_t in_len, in_pos;

static int next_byte(void)
{
	if (in_pos == in_len) {
		ssize_t n = read(STDIN_FILENO, in, sizeof(in));

		in_pos = 0;
		in_len = n > 0 ? (size_t)n : 0;
		if (!in_len)
			return -1;
	}
	return in[in_pos++];
}

/* CSI A, B, C, D, H, F; CSI 5~ 6~ 1~ 4~; SS3 A ... (application cursor keys) */
static int escape(void)
{
	int c = next_byte(), d, e;

	if (c != '[' && c != 'O')
		return KEY_ESC;
	d = next_byte();
	switch (d) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	}
	if (d < '0' || d > '9')
		return KEY_NONE;
	e = next_byte();
	while (e >= 0 && e != '~' && !(e >= 'A' && e <= 'Z'))
		e = next_byte(); /* modifiers: ignored */
	switch (d) {
	case '5':
		return KEY_PGUP;
	case '6':
		return KEY_PGDN;
	case '1':
	case '7':
		return KEY_HOME;
	case '4':
	case '8':
		return KEY_END;
	}
	return KEY_NONE;
}

int term_key(void)
{
	int c = next_byte();

	if (c < 0)
		return KEY_NONE;
	if (c == 27)
		return escape();
	if (c == '\r' || c == '\n')
		return KEY_ENTER;
	if (c == 127 || c == 8)
		return KEY_BACKSPACE;
	return c;
}
