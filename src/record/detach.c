// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a trace's attachments, in the background.  Closing them takes
 * about a grace period per tracepoint (links__destroy overlaps them, still
 * about a second for iotrace's programs), and the result is written by
 * then: a child process inherits the link fds and closes them while
 * iotrace exits.  Counting has stopped already (iot_stopped), so until they
 * go the programs cost a traced call no more than the floor.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "record/record.h"
#include "loader.h"

/* the links' fds, sorted; their count */
static size_t link_fds(struct links *ls, int *fds)
{
	size_t n = 0, i, j;
	int fd;

	for (i = 0; i < links__cnt(ls); i++) {
		fd = link__fd(links__link(ls, i));
		if (fd < 0)
			continue;
		for (j = n++; j > 0 && fds[j - 1] > fd; j--)
			fds[j] = fds[j - 1];
		fds[j] = fd;
	}
	return n;
}

/* close fds lo..hi (hi inclusive; lo > hi: none) */
static void close_span(unsigned int lo, unsigned int hi)
{
	struct rlimit rl;

	if (lo > hi || !syscall(SYS_close_range, lo, hi, 0))
		return;
	/* before 5.9: one by one, up to the fd limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur - 1 < hi)
		hi = (unsigned int)(rl.rlim_cur - 1);
	for (; lo <= hi && lo < (1u << 20); lo++)
		close((int)lo);
}

/*
 * How long the child keeps the attachments before it closes them.  A trace
 * that starts meanwhile attaches to tracepoints that are registered still,
 * with no wait, then wakes the child (SIGUSR1, detach_wake): its closes are
 * not the last on their tracepoints and wait for no grace period either.
 * Without it, a trace started right after another waits at attach for each
 * of the earlier one's closes (the kernel serializes them, a grace period
 * each: most of a second for iotrace's programs).
 */
#define DETACH_LINGER_MS 1000

/* the child: every other fd goes first (a pipe on stdout must see its end now) */
static void __attribute__((noreturn))
detach_child(struct links *ls, const int *fds, size_t n, const char *comm)
{
	struct timespec linger = { DETACH_LINGER_MS / 1000, DETACH_LINGER_MS % 1000 * 1000000L };
	sigset_t wake;

	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	for (size_t i = 0; i <= n; i++)
		close_span(i ? (unsigned int)fds[i - 1] + 1 : 0,
			   i < n ? (unsigned int)fds[i] - 1 : ~0u);
	/* blocked since iotrace's start: taken here, never delivered */
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR1);
	sigprocmask(SIG_BLOCK, &wake, NULL);
	sigtimedwait(&wake, NULL, &linger);
	links__destroy(ls);
	_exit(0);
}

void detach_in_background(struct links *ls, const char *comm, pid_t *child)
{
	size_t cnt = ls ? links__cnt(ls) : 0, n, i;
	int *fds = calloc(cnt ? cnt : 1, sizeof(*fds));
	pid_t pid;

	*child = 0;
	n = fds && ls ? link_fds(ls, fds) : 0;
	pid = n ? fork() : -1;
	if (pid == 0)
		detach_child(ls, fds, n, comm);
	free(fds);
	if (pid > 0) {
		/* our copies: closing them does not wait, the child holds the attachments */
		for (i = 0; i < cnt; i++)
			link__detach(links__link(ls, i));
		*child = pid;
	}
	/* nothing attached, or no child: detached here, synchronously */
	links__destroy(ls);
}

size_t detach_lingering(const char *comm, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	while (d && n < max && (de = readdir(d))) {
		char path[64], name[32] = "";
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		fclose(f);
		if (!strcmp(name, comm))
			pids[n++] = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

void detach_wake(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGUSR1); /* gone meanwhile, or another user's: nothing to do */
}
