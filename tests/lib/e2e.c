// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end test support (see e2e.h).  Commands run through fork/execv
 * with their output on pipes drained by poll(), so a chatty child never
 * blocks and a hung one is killed at its deadline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/close_range.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "iotrace_abi.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int shell_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

static int append(char **buf, size_t *len, const char *data, size_t n)
{
	char *b = realloc(*buf, *len + n + 1);

	if (!b)
		return -ENOMEM;
	memcpy(b + *len, data, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
	return 0;
}

static void child_exec(char *const argv[], int out_fd, int err_fd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(126);
	/* nothing the test process holds (helper pipes, Criterion's) leaks into the child */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* drain both pipes until EOF on both or the deadline */
static void drain(int fds[2], struct e2e_proc *p, long long deadline)
{
	char chunk[4096];

	while (fds[0] >= 0 || fds[1] >= 0) {
		struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
		long long left = deadline - now_ms();

		if (left <= 0) {
			p->timed_out = true;
			return;
		}
		if (poll(pfd, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			return;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (fds[i] < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i], chunk, sizeof(chunk));
			if (n > 0 && i == 0)
				append(&p->out, &p->out_len, chunk, (size_t)n);
			else if (n > 0)
				append(&p->err, &p->err_len, chunk, (size_t)n);
			else if (n == 0 || errno != EINTR) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
}

int e2e_run(char *const argv[], int timeout_s, struct e2e_proc *p)
{
	int out[2], err[2], fds[2], st;
	long long deadline = now_ms() + timeout_s * 1000LL;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	append(&p->out, &p->out_len, "", 0);
	append(&p->err, &p->err_len, "", 0);
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]), close(out[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		return -errno;
	}
	if (!pid)
		child_exec(argv, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	fds[0] = out[0];
	fds[1] = err[0];
	drain(fds, p, deadline);
	if (p->timed_out)
		kill(pid, SIGKILL);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	p->status = shell_status(st);
	e2e_strip_attach_wait(p->err);
	p->err_len = strlen(p->err);
	return 0;
}

void e2e_proc_free(struct e2e_proc *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}

pid_t e2e_spawn(char *const argv[], const char *err_path)
{
	int fd = open(err_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	if (fd < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (!pid)
		child_exec(argv, fd, fd);
	close(fd);
	return pid;
}

int e2e_wait(pid_t pid, int timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return shell_status(st);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
}

static int count_attachments(pid_t pid)
{
	char dir[64], link[PATH_MAX], target[256];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t len;

		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, "perf_event") || strstr(target, "bpf_link") ||
		    strstr(target, "bpf-link"))
			n++;
	}
	closedir(d);
	return n;
}

void e2e_strip_attach_wait(char *err)
{
	static const char line[] = "iotrace: attaching waited ";
	char *p = err;

	while (p && (p = strstr(p, line))) {
		char *end = strchr(p, '\n');

		if (p != err && p[-1] != '\n') {
			p += sizeof(line) - 1;
			continue;
		}
		end = end ? end + 1 : p + strlen(p);
		memmove(p, end, strlen(end) + 1);
	}
}

char *e2e_join(const char *dir, const char *rel)
{
	static char p[8][PATH_MAX];
	static int next;
	char *s = p[next++ % 8];

	snprintf(s, PATH_MAX, "%s/%s", dir, rel);
	return s;
}

/*
 * iotrace's attachments: a perf event per syscall tracepoint (enter and exit of
 * each line of syscalls.def, the entries of the paths it only counts, UNSEEN_PROGS,
 * io_uring's submission and completion events, URING_PROGS, page cache
 * additions, CACHE_PROGS, and page faults, MAPPED_PROGS: this kernel has
 * bpf_find_vma)
 * and the fork and exit raw tracepoints' links.  Waiting for
 * all of them, not for a count that stopped moving: attaching can pause for
 * a second while the kernel still detaches an earlier trace (its event_mutex).
 */
#define X(name, tp, nargs, kind, fd, out, req, off) +2
static const int iotrace_attachments =
#include "syscalls.def"
	+2 + UNSEEN_PROGS + URING_PROGS + CACHE_PROGS + MAPPED_PROGS;
#undef X

int e2e_tracer_map(pid_t pid, const char *name)
{
	char dir[64], path[384], *text;
	struct dirent *de;
	int fd = -1;
	size_t len;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		struct bpf_map_info info = { 0 };
		union bpf_attr attr;
		const char *p;
		int cand;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || e2e_read_file(path, &text, &len))
			continue;
		p = strstr(text, "map_id:");
		memset(&attr, 0, sizeof(attr));
		attr.map_id = p ? (uint32_t)strtoul(p + 7, NULL, 10) : 0;
		free(text);
		cand = attr.map_id
			       ? (int)syscall(SYS_bpf, BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr))
			       : -1;
		if (cand < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (uint32_t)cand;
		attr.info.info_len = sizeof(info);
		attr.info.info = (uintptr_t)&info;
		if (!syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) &&
		    !strcmp(info.name, name))
			fd = cand;
		else
			close(cand);
	}
	closedir(d);
	return fd;
}

/* the tracer's trace is live: its iot_stopped (rw.bss, offset 0) is IOT_LIVE */
static bool tracer_live(pid_t pid)
{
	int fd = e2e_tracer_map(pid, "rw.bss");
	uint32_t key = 0, val = 1;
	union bpf_attr attr;

	if (fd < 0)
		return false;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&val;
	if (syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)))
		val = 1;
	close(fd);
	return val == 0;
}

bool e2e_wait_attached(pid_t pid, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (now_ms() < deadline) {
		int n = count_attachments(pid);

		if (n < 0)
			return false;
		/* the page-fault program is attached only with --mapped (and bpf_find_vma) */
		if (n >= iotrace_attachments - MAPPED_PROGS && tracer_live(pid))
			return true;
		usleep(10000);
	}
	return false;
}

void e2e_require_tracer(void)
{
	const char *ci = getenv("CI"), *req = getenv("IOTRACE_REQUIRE_BPF");
	bool required = (ci && !strcmp(ci, "true")) || (req && !strcmp(req, "1"));
	const char *why = NULL;

	if (geteuid() != 0)
		why = "not root: iotrace needs CAP_BPF and CAP_PERFMON";
	else if (access("/sys/kernel/btf/vmlinux", R_OK))
		why = "kernel without BTF (/sys/kernel/btf/vmlinux)";
	if (!why)
		return;
	if (required)
		cr_assert_fail("BPF required (CI=true or IOTRACE_REQUIRE_BPF=1) but %s", why);
	cr_skip_test("%s", why);
}

char *e2e_tmpdir(const char *base)
{
	char tmpl[PATH_MAX], *real;

	snprintf(tmpl, sizeof(tmpl), "%s/iotrace-e2e.XXXXXX", base);
	cr_assert_not_null(mkdtemp(tmpl), "mkdtemp %s: %s", tmpl, strerror(errno));
	real = realpath(tmpl, NULL);
	cr_assert_not_null(real, "realpath %s: %s", tmpl, strerror(errno));
	return real;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void e2e_rmtree(const char *dir)
{
	if (dir && *dir == '/' && strstr(dir, "/iotrace-e2e."))
		nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int e2e_read_file(const char *path, char **buf, size_t *len)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	err = append(buf, len, "", 0);
	while (!err && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		err = n < 0 ? -errno : append(buf, len, chunk, (size_t)n);
	}
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int e2e_make_file(const char *path, size_t size, char fill)
{
	char chunk[65536];
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644), err = 0;

	if (fd < 0)
		return -errno;
	memset(chunk, fill, sizeof(chunk));
	while (size && !err) {
		size_t n = size < sizeof(chunk) ? size : sizeof(chunk);
		ssize_t w = write(fd, chunk, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? -errno : -EIO;
		else
			size -= (size_t)w;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
char *e2e_iotrace(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("IOTRACE_BIN");

	snprintf(path, sizeof(path), "%s", env && *env ? env : SRC_DIR "/iotrace");
	return path;
}
