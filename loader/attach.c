// SPDX-License-Identifier: GPL-2.0
/*
 * Attach loaded programs by section name.
 *   tracepoint/CAT/NAME: event id from tracefs (the open options' directory,
 *   else the usual mount points, else read by a child that mounts tracefs in
 *   its own mount namespace),
 *   then one perf event (pid -1, cpu 0: it fires on every CPU) with
 *   PERF_EVENT_IOC_SET_BPF and PERF_EVENT_IOC_ENABLE.
 *   raw_tracepoint/NAME: BPF_RAW_TRACEPOINT_OPEN.
 * Each attachment is a link handle owning its fd (perf event or raw
 * tracepoint link): closing the fd detaches, whatever became of the object.
 * The caller decides when and how links are destroyed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

struct link {
	int fd; /* perf event or raw tracepoint link; -1 once detached */
};

struct links {
	size_t cnt;
	struct link v[];
};

static bool needs_tp_id(const struct prog *p)
{
	return p->type == BPF_PROG_TYPE_TRACEPOINT;
}

/*
 * ids[k] for the tracepoint programs among progs[0..cnt), from the open
 * options' tracefs directory when set, else from a mounted tracefs, else
 * from a private one: one lookup for them all.
 */
int tracepoint_ids(const struct obj *o, struct prog *const *progs, size_t cnt, uint64_t *ids)
{
	const char **names = calloc(cnt ? cnt : 1, sizeof(*names));
	int64_t *res = calloc(cnt ? cnt : 1, sizeof(*res));
	const char *root = o->tracefs ? o->tracefs : mounted_tracefs();
	size_t i, j, n = 0;
	int err = 0;

	if (!names || !res) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cnt; i++)
		if (needs_tp_id(progs[i]))
			names[n++] = progs[i]->tp_name;
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
	for (i = 0, j = 0; !err && i < cnt; i++) {
		if (!needs_tp_id(progs[i]))
			continue;
		if (res[j] <= 0 && progs[i]->optional &&
		    (res[j] == -ENOENT || res[j] == ERR_NO_CATEGORY))
			pr_debug(o->pr,
				 "prog '%s': tracepoint '%s' not in this kernel: not attached",
				 progs[i]->name, names[j]);
		else if (res[j] <= 0)
			err = report_missing(o->pr, root ? root : "a private tracefs mount",
					     progs[i]->name, names[j], (int)res[j]);
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

static int attach_tracepoint(const struct prog *p, uint64_t id, int *link_fd)
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
			*link_fd = fd;
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

static int attach_raw_tracepoint(const struct prog *p, int *link_fd)
{
	int fd = sys_bpf_raw_tracepoint_open(p->tp_name, p->fd);

	if (fd < 0) {
		pr_warn(p->pr, "prog '%s': raw tracepoint '%s': cannot attach: %s", p->name,
			p->tp_name, strerror(-fd));
		return fd;
	}
	*link_fd = fd;
	return 0;
}

/* tp_id: the event's id, for a tracepoint program */
static int attach_one(const struct prog *p, uint64_t tp_id, struct link *l)
{
	l->fd = -1;
	if (p->fd < 0) {
		pr_warn(p->pr, "prog '%s': cannot attach: program is not loaded", p->name);
		return -EBADF;
	}
	if (p->type == BPF_PROG_TYPE_TRACEPOINT)
		return attach_tracepoint(p, tp_id, &l->fd);
	return attach_raw_tracepoint(p, &l->fd);
}

int prog__attach(struct prog *p, struct link **out)
{
	struct link *l = malloc(sizeof(*l));
	uint64_t id = 0;
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	err = p->fd < 0 ? 0 : tracepoint_ids(p->obj, &p, 1, &id);
	err = err ?: attach_one(p, id, l);
	if (err) {
		free(l);
		return err;
	}
	*out = l;
	return 0;
}

int link__fd(const struct link *l)
{
	return l->fd;
}

void link__detach(struct link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

void link__destroy(struct link *l)
{
	if (!l)
		return;
	link__detach(l);
	free(l);
}

size_t links__cnt(const struct links *ls)
{
	return ls->cnt;
}

struct link *links__link(struct links *ls, size_t idx)
{
	return idx < ls->cnt ? &ls->v[idx] : NULL;
}

/* the programs obj__attach attaches: all but those reached by tail calls */
static size_t attachable(struct obj *o, struct prog **progs)
{
	size_t n = 0;

	for (size_t i = 0; i < o->prog_cnt; i++)
		if (o->progs[i].attach && !o->progs[i].noload)
			progs[n++] = &o->progs[i];
	return n;
}

int obj__attach(struct obj *o, struct links **out)
{
	size_t n = o->prog_cnt ? o->prog_cnt : 1, cnt, i;
	struct prog **progs = calloc(n, sizeof(*progs));
	uint64_t *ids = calloc(n, sizeof(*ids));
	struct links *ls = calloc(1, sizeof(*ls) + n * sizeof(ls->v[0]));
	struct timespec t0;
	double ids_ms;
	int err = 0;

	*out = NULL;
	if (!progs || !ids || !ls) {
		err = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cnt = attachable(o, progs);
	err = tracepoint_ids(o, progs, cnt, ids);
	ids_ms = lap_ms(&t0);
	for (i = 0; i < cnt && !err; i++) {
		if (needs_tp_id(progs[i]) && !ids[i])
			continue; /* optional, and this kernel lacks its tracepoint */
		err = attach_one(progs[i], ids[i], &ls->v[ls->cnt]);
		progs[i]->attached = !err;
		ls->cnt += !err;
	}
	for (i = 0; i < cnt && err; i++)
		progs[i]->attached = false;
	pr_debug(o->pr, "obj: tracepoint ids read in %.1f ms, programs attached in %.1f ms", ids_ms,
		 lap_ms(&t0));
	if (!err) {
		*out = ls;
		ls = NULL;
	}
out:
	links__destroy(ls);
	free(progs);
	free(ids);
	return err;
}

/*
 * Closing the last perf event of a tracepoint waits in the kernel for RCU
 * grace periods (perf_trace_event_unreg -> tracepoint_synchronize_unregister),
 * under the global event_mutex, so closes of different tracepoints mostly
 * queue on each other: 35-70 ms each on 6.18.  Closing from a thread per
 * link, created first and released together, overlaps what does not hold
 * the mutex: 29 attachments took 2.0-2.1 s one after the other and
 * 1.05-1.2 s this way (2 cores, 6.18; measured with no other tracer on the
 * tracepoints: another holder of a tracepoint skips its wait).  The threads
 * only sleep in close(), so a small stack is enough; whatever no thread
 * took, the caller closes.
 */
#define DETACH_THREADS_MAX 64
#define DETACH_STACK_SZ	   (256u << 10)

struct detach_job {
	struct links *ls;
	size_t next; /* atomic cursor */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool go; /* under lock: every thread is started */
};

static void *detach_worker(void *arg)
{
	struct detach_job *job = arg;
	size_t i;

	pthread_mutex_lock(&job->lock);
	while (!job->go)
		pthread_cond_wait(&job->cond, &job->lock);
	pthread_mutex_unlock(&job->lock);
	while ((i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) < job->ls->cnt)
		link__detach(&job->ls->v[i]);
	return NULL;
}

static void detach_concurrently(struct links *ls, size_t attached)
{
	struct detach_job job = { .ls = ls,
				  .lock = PTHREAD_MUTEX_INITIALIZER,
				  .cond = PTHREAD_COND_INITIALIZER };
	pthread_t tids[DETACH_THREADS_MAX];
	size_t started = 0, i;
	pthread_attr_t attr;
	bool attr_ok = !pthread_attr_init(&attr);

	if (attr_ok)
		pthread_attr_setstacksize(&attr, DETACH_STACK_SZ);
	for (i = 1; i < attached && started < DETACH_THREADS_MAX; i++)
		if (!pthread_create(&tids[started], attr_ok ? &attr : NULL, detach_worker, &job))
			started++;
	pthread_mutex_lock(&job.lock);
	job.go = true;
	pthread_cond_broadcast(&job.cond);
	pthread_mutex_unlock(&job.lock);
	detach_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (attr_ok)
		pthread_attr_destroy(&attr);
}

void links__destroy(struct links *ls)
{
	size_t attached = 0, i;

	if (!ls)
		return;
	for (i = 0; i < ls->cnt; i++)
		attached += ls->v[i].fd >= 0;
	if (attached > 1)
		detach_concurrently(ls, attached);
	for (i = 0; i < ls->cnt; i++)
		link__detach(&ls->v[i]);
	free(ls);
}
