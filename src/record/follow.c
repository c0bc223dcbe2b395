// SPDX-License-Identifier: GPL-2.0
/*
 * Running the traced command: fork it stopped on a pipe, let the tracer add
 * its pid and attach, then release it so it execs with tracing already on
 * ("from its first instruction").  exec failures come back over a
 * close-on-exec pipe, like a shell reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/record.h"

/* 0, or why path cannot be exec'd as a shell would say it (126 vs 127) */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) || access(path, X_OK))
		return -EACCES;
	return 0;
}

/*
 * execvp's search, done up front so a typo fails before any BPF is loaded;
 * *path gets what follow_spawn will execv.  Unlike execvp, a file without
 * a #! line or ELF header is not handed to /bin/sh: its exec fails with
 * ENOEXEC, as under strace or gdb.
 */
int follow_check_command(const char *cmd, char *path, size_t path_sz)
{
	const char *dirs = getenv("PATH");
	int err = -ENOENT;

	if (strchr(cmd, '/')) {
		snprintf(path, path_sz, "%s", cmd);
		return check_executable(cmd);
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs) {
		size_t n = strcspn(dirs, ":");
		int e;

		if ((size_t)snprintf(path, path_sz, "%.*s/%s", (int)n, n ? dirs : ".", cmd) <
		    path_sz) {
			e = check_executable(path);
			if (!e)
				return 0;
			if (e == -EACCES) /* execvp: EACCES if found only unusable */
				err = e;
		}
		dirs += n + (dirs[n] == ':');
	}
	return err;
}

static void child_exec(int go_rd, int err_wr, const char *path, char *const argv[], bool null_stdio)
{
	sigset_t none;
	char c;
	int e;

	if (null_stdio) {
		int fd = open("/dev/null", O_RDWR);

		for (int i = 0; fd >= 0 && i < 3; i++)
			dup2(fd, i);
		if (fd > 2)
			close(fd);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* wait until the tracer closes its end: then tracing is on */
	while (read(go_rd, &c, 1) < 0 && errno == EINTR)
		;
	close(go_rd);
	execv(path, argv);
	e = errno;
	if (write(err_wr, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(e == ENOENT ? 127 : 126);
}

int follow_spawn(struct child *c, const char *path, char *const argv[])
{
	int go[2], errp[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(errp, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		int err = -errno;

		close(go[0]), close(go[1]), close(errp[0]), close(errp[1]);
		return err;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(errp[0]);
		child_exec(go[0], errp[1], path, argv, c->null_stdio);
	}
	close(go[0]);
	close(errp[1]);
	c->go_fd = go[1];
	c->err_fd = errp[0];
	return 0;
}

/* Let the child exec; -errno of a failed exec (the child then exits 126/127). */
int follow_release(struct child *c)
{
	ssize_t n;
	int e = 0;

	close(c->go_fd);
	c->go_fd = -1;
	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	return n == sizeof(e) ? -e : 0;
}

/* The shell's convention: the exit status, or 128+N after signal N. */
int exit_code_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}
