// SPDX-License-Identifier: GPL-2.0
/*
 * Attach loaded programs by section name.
 *   tracepoint/CAT/NAME: event id from tracefs (the usual mount points, else
 *   a private tracefs mount on a temporary dir, made once per obj__attach),
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
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "internal.h"

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

static int mount_tracefs(char **dir)
{
	char tmpl[] = "/tmp/iotrace-tracefs.XXXXXX";
	int err;

	if (!mkdtemp(tmpl))
		return -errno;
	if (mount("tracefs", tmpl, "tracefs", 0, NULL)) {
		err = -errno;
		rmdir(tmpl);
		return err;
	}
	*dir = strdup(tmpl);
	if (*dir)
		return 0;
	umount2(tmpl, MNT_DETACH);
	rmdir(tmpl);
	return -ENOMEM;
}

void tracefs_release(char *dir)
{
	if (!dir)
		return;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	free(dir);
}

static int tracepoint_id(const struct prog *p, char **tracefs_dir, uint64_t *id)
{
	size_t i;
	int err;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++)
		if (!read_id(tracefs_dirs[i], p->tp_name, id))
			return 0;
	if (!*tracefs_dir) {
		err = mount_tracefs(tracefs_dir);
		if (err) {
			pr_warn("prog '%s': tracefs is not mounted and mounting it failed: %s",
				p->name, strerror(-err));
			return err;
		}
	}
	err = read_id(*tracefs_dir, p->tp_name, id);
	if (err)
		pr_warn("prog '%s': tracepoint '%s': no event id in tracefs: %s", p->name,
			p->tp_name, strerror(-err));
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

static int attach_tracepoint(struct prog *p, char **tracefs_dir)
{
	const char *step = "perf_event_open";
	uint64_t id;
	int fd, err;

	err = tracepoint_id(p, tracefs_dir, &id);
	if (err)
		return err;
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

int prog__attach(struct prog *p, char **tracefs_dir)
{
	if (p->fd < 0) {
		pr_warn("prog '%s': cannot attach: program is not loaded", p->name);
		return -EBADF;
	}
	if (p->attach_fd >= 0)
		return 0;
	if (p->type == BPF_PROG_TYPE_TRACEPOINT)
		return attach_tracepoint(p, tracefs_dir);
	return attach_raw_tracepoint(p);
}

void prog__detach(struct prog *p)
{
	if (p->attach_fd >= 0)
		close(p->attach_fd);
	p->attach_fd = -1;
}
