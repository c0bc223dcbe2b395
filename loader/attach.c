// SPDX-License-Identifier: GPL-2.0
/*
 * Attach loaded programs by section name.
 *   tracepoint/CAT/NAME: event id from tracefs (the open options' directory,
 *   else the usual mount points, else read by a child that mounts tracefs in
 *   its own mount namespace),
 *   then one perf event (pid -1, cpu 0: it fires on every CPU) with
 *   PERF_EVENT_IOC_SET_BPF and PERF_EVENT_IOC_ENABLE.
 *   raw_tracepoint/NAME: BPF_RAW_TRACEPOINT_OPEN.
 * The attachment fd (perf event or raw tracepoint) is kept in prog->attach_fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "internal.h"

#define PRIVATE_TRACEFS "/sys/kernel/tracing"

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* -EOPNOTSUPP from lookup_id: the event's whole category is missing from tracefs */
#define ERR_NO_CATEGORY (-EOPNOTSUPP)

static int read_id(const char *root, const char *tp, uint64_t *id)
{
	char path[512], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/id", root, tp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*id = strtoull(buf, NULL, 10);
	return *id ? 0 : -EIO;
}

/* root/events/ exists (cat_len 0), or root/events/CAT for the first cat_len bytes of tp */
static bool events_dir_exists(const char *root, const char *tp, int cat_len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%.*s", root, cat_len, tp);
	return access(path, F_OK) == 0;
}

/*
 * The id of tp ("CAT/NAME") under root; -ENOENT when the event is missing,
 * ERR_NO_CATEGORY when events/CAT is: a kernel built without
 * CONFIG_FTRACE_SYSCALLS has no events/syscalls at all.
 */
static int lookup_id(const char *root, const char *tp, uint64_t *id)
{
	int err = read_id(root, tp, id);

	if (err == -ENOENT && !events_dir_exists(root, tp, (int)strcspn(tp, "/")))
		return ERR_NO_CATEGORY;
	return err;
}

/* res[i]: the id of names[i] under root, or -errno */
static void lookup_all(const char *root, const char *const *names, size_t cnt, int64_t *res)
{
	for (size_t i = 0; i < cnt; i++) {
		uint64_t id = 0;
		int err = lookup_id(root, names[i], &id);

		res[i] = err ? err : (int64_t)id;
	}
}

/*
 * tracefs is not mounted: look the ids up in a child that mounts tracefs in
 * a mount namespace of its own.  The mount dies with the child, so nothing
 * is left behind even if we are killed meanwhile, and nobody else sees it.
 * The child writes an errno (0: mounted), then lookup_all's results.
 */
static void private_tracefs_child(int out, const char *const *names, size_t cnt, int64_t *res)
{
	const char *root = PRIVATE_TRACEFS;
	int err = 0;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		err = errno;
	else if (mount("tracefs", root, "tracefs", 0, NULL)) {
		root = "/tmp";
		if (mount("tracefs", root, "tracefs", 0, NULL))
			err = errno;
	}
	if (write(out, &err, sizeof(err)) != sizeof(err) || err)
		_exit(1);
	lookup_all(root, names, cnt, res);
	if (write(out, res, cnt * sizeof(*res)) != (ssize_t)(cnt * sizeof(*res)))
		_exit(1);
	_exit(0);
}

static int read_all(int fd, void *buf, size_t sz)
{
	size_t got = 0;
	ssize_t n;

	while (got < sz) {
		n = read(fd, (char *)buf + got, sz - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

static int private_tracefs_ids(const char *const *names, size_t cnt, int64_t *res,
			       struct printer *pr)
{
	int pfd[2], err, child_err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		private_tracefs_child(pfd[1], names, cnt, res);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -errno;
	}
	err = read_all(pfd[0], &child_err, sizeof(child_err));
	if (!err && child_err)
		err = -child_err;
	if (!err)
		err = read_all(pfd[0], res, cnt * sizeof(*res));
	close(pfd[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (err)
		pr_warn(pr, "tracefs is not mounted and mounting it privately failed: %s",
			strerror(-err));
	return err;
}

/* the first usual mount point that holds tracefs (its events/), or NULL */
static const char *mounted_tracefs(void)
{
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++)
		if (events_dir_exists(tracefs_dirs[i], "", 0))
			return tracefs_dirs[i];
	return NULL;
}

/*
 * One message for the first tracepoint that has no id.  A missing
 * syscalls category means the kernel has no syscall tracepoints at all:
 * say which option brings them rather than naming one event.
 */
static int report_missing(struct printer *pr, const char *where, const char *prog, const char *tp,
			  int err)
{
	int cat_len = (int)strcspn(tp, "/");

	if (err == ERR_NO_CATEGORY && !strncmp(tp, "syscalls/", 9))
		pr_warn(pr,
			"syscall tracepoints not found (no events/syscalls in %s): tracing "
			"syscalls needs a kernel built with CONFIG_FTRACE_SYSCALLS=y",
			where);
	else if (err == ERR_NO_CATEGORY)
		pr_warn(pr, "prog '%s': tracepoint '%s': no category '%.*s' in %s", prog, tp,
			cat_len, tp, where);
	else if (err == -ENOENT)
		pr_warn(pr, "prog '%s': tracepoint '%s': no such event in %s", prog, tp, where);
	else
		pr_warn(pr, "prog '%s': tracepoint '%s': cannot read its id in %s: %s", prog, tp,
			where, strerror(-err));
	return err == ERR_NO_CATEGORY ? -ENOENT : err;
}

static bool needs_tp_id(const struct prog *p)
{
	return p->attach && p->type == BPF_PROG_TYPE_TRACEPOINT;
}

/*
 * ids[i] for every tracepoint program, from the open options' tracefs
 * directory when set, else from a mounted tracefs, else from a private one.
 */
int tracepoint_ids(const struct obj *o, uint64_t *ids)
{
	const char **names = calloc(o->prog_cnt ? o->prog_cnt : 1, sizeof(*names));
	int64_t *res = calloc(o->prog_cnt ? o->prog_cnt : 1, sizeof(*res));
	const char *root = o->tracefs ? o->tracefs : mounted_tracefs();
	size_t i, j, n = 0;
	int err = 0;

	if (!names || !res) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < o->prog_cnt; i++)
		if (needs_tp_id(&o->progs[i]))
			names[n++] = o->progs[i].tp_name;
	if (!n)
		goto out;
	if (o->tracefs && !events_dir_exists(o->tracefs, "", 0)) {
		pr_warn(o->pr, "tracefs '%s': not a tracefs mount (no events directory)",
			o->tracefs);
		err = -ENOENT;
		goto out;
	}
	if (root)
		lookup_all(root, names, n, res);
	else
		err = private_tracefs_ids(names, n, res, o->pr);
	for (i = 0, j = 0; !err && i < o->prog_cnt; i++) {
		if (!needs_tp_id(&o->progs[i]))
			continue;
		if (res[j] <= 0)
			err = report_missing(o->pr, root ? root : "a private tracefs mount",
					     o->progs[i].name, names[j], (int)res[j]);
		else
			ids[i] = (uint64_t)res[j];
		j++;
	}
out:
	free(names);
	free(res);
	return err;
}

static int perf_tracepoint(uint64_t id)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static int attach_tracepoint(struct prog *p, uint64_t id)
{
	const char *step = "perf_event_open";
	int fd, err;

	fd = perf_tracepoint(id);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	step = "PERF_EVENT_IOC_SET_BPF";
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, p->fd) == 0) {
		step = "PERF_EVENT_IOC_ENABLE";
		if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) == 0) {
			p->attach_fd = fd;
			return 0;
		}
	}
	err = -errno;
	close(fd);
out:
	pr_warn(p->pr, "prog '%s': tracepoint '%s': %s failed: %s", p->name, p->tp_name, step,
		strerror(-err));
	return err;
}

static int attach_raw_tracepoint(struct prog *p)
{
	int fd = sys_bpf_raw_tracepoint_open(p->tp_name, p->fd);

	if (fd < 0) {
		pr_warn(p->pr, "prog '%s': raw tracepoint '%s': cannot attach: %s", p->name,
			p->tp_name, strerror(-fd));
		return fd;
	}
	p->attach_fd = fd;
	return 0;
}

int prog__attach(struct prog *p, uint64_t tp_id)
{
	if (p->fd < 0) {
		pr_warn(p->pr, "prog '%s': cannot attach: program is not loaded", p->name);
		return -EBADF;
	}
	if (p->attach_fd >= 0)
		return 0;
	if (p->type == BPF_PROG_TYPE_TRACEPOINT)
		return attach_tracepoint(p, tp_id);
	return attach_raw_tracepoint(p);
}

void prog__detach(struct prog *p)
{
	if (p->attach_fd >= 0)
		close(p->attach_fd);
	p->attach_fd = -1;
}
