// SPDX-License-Identifier: GPL-2.0
/*
 * Attach loaded programs by section name.
 *   tracepoint/CAT/NAME: event id from tracefs (the usual mount points, else
 *   read by a child that mounts tracefs in its own mount namespace),
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

/*
 * tracefs is not mounted: read the ids in a child that mounts tracefs in a
 * mount namespace of its own.  The mount dies with the child, so nothing
 * is left behind even if we are killed meanwhile, and nobody else sees it.
 * The child writes an errno (0: mounted), then one u64 id per name (0: none).
 */
static void private_tracefs_child(int out, const char *const *names, size_t cnt)
{
	int err = 0;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    (mount("tracefs", PRIVATE_TRACEFS, "tracefs", 0, NULL) &&
	     mount("tracefs", "/tmp", "tracefs", 0, NULL)))
		err = errno;
	if (write(out, &err, sizeof(err)) != sizeof(err) || err)
		_exit(1);
	for (size_t i = 0; i < cnt; i++) {
		uint64_t id = 0;

		if (read_id(PRIVATE_TRACEFS, names[i], &id))
			read_id("/tmp", names[i], &id);
		if (write(out, &id, sizeof(id)) != sizeof(id))
			_exit(1);
	}
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

static int private_tracefs_ids(const char *const *names, size_t cnt, uint64_t *ids)
{
	int pfd[2], err, child_err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		private_tracefs_child(pfd[1], names, cnt);
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
		err = read_all(pfd[0], ids, cnt * sizeof(*ids));
	close(pfd[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return err;
}

static bool needs_tp_id(const struct prog *p)
{
	return p->attach && p->type == BPF_PROG_TYPE_TRACEPOINT;
}

/* ids[i] for every tracepoint program: from a mounted tracefs, else a private one */
int tracepoint_ids(const struct obj *o, uint64_t *ids)
{
	const char **missing = calloc(o->prog_cnt ? o->prog_cnt : 1, sizeof(*missing));
	uint64_t *found = calloc(o->prog_cnt ? o->prog_cnt : 1, sizeof(*found));
	size_t i, j, n = 0;
	int err = 0;

	if (!missing || !found) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < o->prog_cnt; i++) {
		if (!needs_tp_id(&o->progs[i]))
			continue;
		for (j = 0; j < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); j++)
			if (!read_id(tracefs_dirs[j], o->progs[i].tp_name, &ids[i]))
				break;
		if (!ids[i])
			missing[n++] = o->progs[i].tp_name;
	}
	if (n && (err = private_tracefs_ids(missing, n, found)))
		pr_warn("tracefs is not mounted and mounting it privately failed: %s",
			strerror(-err));
	for (i = 0, j = 0; !err && i < o->prog_cnt; i++) {
		if (!needs_tp_id(&o->progs[i]) || ids[i])
			continue;
		ids[i] = found[j++];
		if (!ids[i]) {
			pr_warn("prog '%s': tracepoint '%s': no such event in tracefs",
				o->progs[i].name, o->progs[i].tp_name);
			err = -ENOENT;
		}
	}
out:
	free(missing);
	free(found);
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
	pr_warn("prog '%s': tracepoint '%s': %s failed: %s", p->name, p->tp_name, step,
		strerror(-err));
	return err;
}

static int attach_raw_tracepoint(struct prog *p)
{
	int fd = sys_bpf_raw_tracepoint_open(p->tp_name, p->fd);

	if (fd < 0) {
		pr_warn("prog '%s': raw tracepoint '%s': cannot attach: %s", p->name, p->tp_name,
			strerror(-fd));
		return fd;
	}
	p->attach_fd = fd;
	return 0;
}

int prog__attach(struct prog *p, uint64_t tp_id)
{
	if (p->fd < 0) {
		pr_warn("prog '%s': cannot attach: program is not loaded", p->name);
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
