// SPDX-License-Identifier: GPL-2.0
/*
 * The tracers of `make bench`, started and stopped around every measurement:
 *   none      nothing attached
 *   floor     nop.bpf.o through our loader, in this process (no filter)
 *   pair      pair.bpf.o: tgid filter + tid-keyed hash pairing, in this process
 *   iotrace   ./iotrace -v -q --format csv -o RESULT -p PID (--mapped on the
 *             fault row; -c nomatchcomm for the miss path); ready at its
 *             "tracing: ready" line, ended with
 *             SIGINT; the calls of its result are summed for the bench's check
 *   bpftrace  iotrace's per-file aggregation for read, write, pread64 and fsync,
 *             filtered by pid; "ready" at its "Attaching N probes" line, which
 *             it prints before attaching, so the workload waits until the
 *             process holds N perf event fds ("attached")
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "bench.h"
#include "loader.h"

#define READY_WAIT_MS 30000 /* a tracer not ready by then is a broken run */
#define STOP_WAIT_MS  30000
#define RESEND_MS     1000 /* bpftrace: SIGINT again after this long */
#define TRACEFS_DIR   "/sys/kernel/tracing"

const char *const tracer_names[TRACERS] = { "none", "floor", "hash-pair", "iotrace", "bpftrace" };

/* ---- in-process tracers: our loader ---------------------------------------- */

static int slurp(const char *path, void **buf, size_t *sz)
{
	FILE *f = fopen(path, "rbe");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -ENOENT;
	}
	rewind(f);
	*buf = malloc((size_t)n);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*sz = (size_t)n;
	return 0;
}

static void loader_print(enum loader_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOADER_WARN)
		fprintf(stderr, "bench: loader: %s\n", msg);
}

static int load_obj(const char *file, struct obj **o)
{
	char path[4096];
	struct obj_src src = { .name = file };
	struct obj_open_opts opts = { .sz = sizeof(opts), .print = loader_print };
	void *data = NULL;
	int err;

	snprintf(path, sizeof(path), "%s/tests/bench/%s", OUT_DIR, file);
	err = slurp(path, &data, &src.size);
	src.data = data;
	err = err ?: obj__open_mem(o, &src, 1, &opts);
	/* io_uring's submission event has one of two names, by kernel; page faults are x86's */
	for (size_t i = 0; !err && i < obj__prog_cnt(*o); i++)
		if (strstr(prog__section(obj__prog(*o, i)), "/io_uring/") ||
		    strstr(prog__section(obj__prog(*o, i)), "/exceptions/"))
			prog__set_optional(obj__prog(*o, i), true);
	err = err ?: obj__load(*o, NULL);
	free(data);
	return err;
}

/* ---- bpftrace script ------------------------------------------------------- */

enum bt_kind { BT_READ, BT_WRITE, BT_SYNC };

struct bt_syscall {
	const char *name;
	enum bt_kind kind;
	const char *start; /* the starting offset, from $f (file) and $i (inode) */
};

#define BT_POS	  "(uint64)$f->f_pos"
#define BT_APPEND "($f->f_flags & 0x400 ? (uint64)$i->i_size : (uint64)$f->f_pos)" /* O_APPEND */

static const struct bt_syscall bt_syscalls[] = {
	{ "read", BT_READ, BT_POS },
	{ "write", BT_WRITE, BT_APPEND },
	{ "pread64", BT_READ, "(uint64)args->pos" },
	{ "fsync", BT_SYNC, "(uint64)0" },
};

/*
 * What iotrace keeps, as bpftrace keeps it: the fd resolved to its file in
 * the entry (a regular file, not on an internal mount, as iotrace's
 * filter_file), keyed by (dev, ino).  Per file and syscall: calls, errors,
 * bytes, request and completed size histograms, or for fsync the latency
 * histogram and total.  Per file and side (read or write): calls, errors,
 * bytes, first entry and last successful return times, sequential calls and
 * their size histogram (a call starting where the side's previous one
 * ended), and for writes the rewrites (a write starting where the previous
 * one started; the map holds start + 1, so 0 is "none yet").  Left out:
 * the path and comm events, made once per file.  $1 is the traced pid.
 */
static int bt_append(char *buf, size_t sz, size_t *off, const struct bt_syscall *s)
{
	const char *n = s->name, *d = s->kind == BT_READ ? "r" : "w";
	char count[2048];
	int len;

	if (s->kind == BT_SYNC)
		snprintf(count, sizeof(count),
			 "@sync_calls_%s[$d, $n] = count();\n"
			 "    if (args->ret < 0) { @sync_errors_%s[$d, $n] = count(); }\n"
			 "    @lat_%s[$d, $n] = hist(nsecs - $s.0);\n"
			 "    @total_ns_%s[$d, $n] = sum(nsecs - $s.0);",
			 n, n, n, n);
	else
		snprintf(count, sizeof(count),
			 "@calls_%s[$d, $n] = count();\n"
			 "    @req_%s[$d, $n] = hist($s.3);\n"
			 "    @%s_calls[$d, $n] = count();\n"
			 "    @%s_first[$d, $n] = min($s.0);\n"
			 "%s"
			 "    if (args->ret < 0) {\n"
			 "      @errors_%s[$d, $n] = count();\n"
			 "      @%s_errors[$d, $n] = count();\n"
			 "    } else {\n"
			 "      @bytes_%s[$d, $n] = sum(args->ret);\n"
			 "      @done_%s[$d, $n] = hist(args->ret);\n"
			 "      @%s_bytes[$d, $n] = sum(args->ret);\n"
			 "      @%s_last[$d, $n] = max(nsecs);\n"
			 "      if (@%s_next[$d, $n] == $o) {\n"
			 "        @%s_seq[$d, $n] = count();\n"
			 "        @%s_seq_hist[$d, $n] = hist(args->ret);\n"
			 "      }\n"
			 "      @%s_next[$d, $n] = $o + (uint64)args->ret;\n"
			 "    }",
			 n, n, d, d,
			 s->kind == BT_WRITE ? "    if (@w_last_start[$d, $n] == $o + 1) {"
					       " @w_rewrites[$d, $n] = count(); }\n"
					       "    @w_last_start[$d, $n] = $o + 1;\n"
					     : "",
			 n, d, n, n, d, d, d, d, d, d);
	len = snprintf(
		buf + *off, sz - *off,
		"tracepoint:syscalls:sys_enter_%s /pid == $1/ {\n"
		"  $f = *(curtask->files->fdt->fd + args->fd);\n"
		"  $i = $f->f_inode;\n"
		"  if (($i->i_mode & 0xf000) == 0x8000 && ($i->i_sb->s_flags & 0x400000) == 0) {\n"
		"    @start[tid] = (nsecs, (uint64)$i->i_sb->s_dev, (uint64)$i->i_ino,"
		" (uint64)%s, %s);\n"
		"  }\n"
		"}\n"
		"tracepoint:syscalls:sys_exit_%s /pid == $1/ {\n"
		"  $s = @start[tid];\n"
		"  if ($s.0 != 0) {\n"
		"    delete(@start[tid]);\n"
		"    $d = $s.1;\n"
		"    $n = $s.2;\n"
		"    $o = (uint64)$s.4;\n"
		"    %s\n"
		"  }\n"
		"}\n",
		n, s->kind == BT_SYNC ? "0" : "args->count", s->start, n, count);
	if (len < 0 || (size_t)len >= sz - *off)
		return -ENOSPC;
	*off += (size_t)len;
	return 0;
}

static int bt_script(char *buf, size_t sz)
{
	size_t off = 0;
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(bt_syscalls) / sizeof(bt_syscalls[0]); i++)
		err = bt_append(buf, sz, &off, &bt_syscalls[i]);
	return err;
}

int tracers_script(struct tracers *t)
{
	return bt_script(t->bpftrace_script, sizeof(t->bpftrace_script));
}

int tracers_init(struct tracers *t, const char *iotrace, const char *bpftrace)
{
	int hold_fd, err;

	t->iotrace = iotrace;
	t->bpftrace = bpftrace;
	t->links = NULL;
	err = load_obj("nop.bpf.o", &t->floor);
	err = err ?: load_obj("pair.bpf.o", &t->pair);
	err = err ?: bt_script(t->bpftrace_script, sizeof(t->bpftrace_script));
	err = err ?: idle_spawn(&t->idle_pid, &hold_fd);
	return err;
}

void tracers_fini(struct tracers *t)
{
	obj__close(t->floor);
	obj__close(t->pair);
	if (t->idle_pid > 0) {
		kill(t->idle_pid, SIGKILL);
		waitpid(t->idle_pid, NULL, 0);
	}
}

/* ---- tracefs for bpftrace --------------------------------------------------- */

static bool tracefs_found(void)
{
	return !access(TRACEFS_DIR "/events/syscalls", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/syscalls", F_OK);
}

/*
 * bpftrace needs tracefs mounted; iotrace does not (it mounts a private one
 * when needed), so tracefs is mounted only while bpftrace runs and iotrace
 * is measured in the system as found.
 */
int tracefs_ensure(bool *mounted)
{
	*mounted = false;
	if (tracefs_found())
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL)) {
		fprintf(stderr, "bench: mount tracefs on %s: %s\n", TRACEFS_DIR, strerror(errno));
		return -errno;
	}
	*mounted = true;
	return 0;
}

void tracefs_release(bool mounted)
{
	if (mounted && umount2(TRACEFS_DIR, MNT_DETACH))
		fprintf(stderr, "bench: umount %s: %s\n", TRACEFS_DIR, strerror(errno));
}

/* ---- external tracers -------------------------------------------------------- */

/* fork + exec argv with stdout/stderr (stdout only when both) into a pipe */
static int spawn(char *const argv[], bool both, pid_t *pid, int *out_fd)
{
	int p[2], devnull;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(both ? p[1] : devnull, 1);
		dup2(p[1], 2);
		close_others(2, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "bench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return 0;
}

/* Read r->err_fd until a line containing want; *line gets it. */
static int wait_line(struct tracer_run *r, const char *want, double t0, char *line, size_t sz)
{
	struct pollfd p = { .fd = r->err_fd, .events = POLLIN };
	size_t len = 0;
	char c;

	while (now_ms() - t0 < READY_WAIT_MS) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(r->err_fd, &c, 1) != 1)
			break;
		if (c != '\n') {
			if (len < sz - 1)
				line[len++] = c;
			continue;
		}
		line[len] = 0;
		if (strstr(line, want))
			return 0;
		if (!strstr(line, "RLIMIT_MEMLOCK")) /* bpftrace in a container */
			fprintf(stderr, "bench: %s: %s\n", tracer_names[r->id], line);
		len = 0;
	}
	fprintf(stderr, "bench: %s (pid %d) never printed '%s'\n", tracer_names[r->id], (int)r->pid,
		want);
	return -ETIMEDOUT;
}

static int perf_fds_of(pid_t pid)
{
	char dir_path[64], path[320], target[64];
	struct dirent *de;
	int cnt = 0;
	DIR *d;

	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", (int)pid);
	d = opendir(dir_path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir_path, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			cnt += !strcmp(target, "anon_inode:[perf_event]");
		}
	}
	closedir(d);
	return cnt;
}

static int start_iotrace(struct tracers *t, enum wl_id wl, pid_t target, struct tracer_run *r)
{
	char pid_s[16], line[512];
	char *argv[] = {
		(char *)t->iotrace,	"-v", "-q",  "--format",    "csv",	     "-o",
		(char *)t->result_path, "-p", pid_s, "--max-files", SCALE_MAX_FILES, NULL
	};
	double t0 = now_ms();
	const char *p;
	int err;

	snprintf(pid_s, sizeof(pid_s), "%d", (int)target);
	if (!wl_specs[wl].traced) {
		argv[7] = "-c";
		argv[8] = "nomatchcomm";
	}
	if (wl < WL_SCALE0)
		argv[9] = NULL;
	if (wl == WL_FAULT) { /* page faults are counted on request only */
		argv[9] = "--mapped";
		argv[10] = NULL;
	}
	err = spawn(argv, false, &r->pid, &r->err_fd);
	err = err ?: wait_line(r, "tracing: ready", t0, line, sizeof(line));
	if (err)
		return err;
	r->ready_ms = r->attached_ms = now_ms() - t0;
	p = strstr(line, "ready ");
	r->self_ready_ms = p ? atof(p + 6) : -1;
	return 0;
}

static int start_bpftrace(struct tracers *t, enum wl_id wl, pid_t target, struct tracer_run *r)
{
	char pid_s[16], line[512];
	/* --no-warnings: 0.17 warns of an "addrspace mismatch" at offset + ret */
	char *argv[] = {
		(char *)t->bpftrace, "--no-warnings", "-e", t->bpftrace_script, pid_s, NULL
	};
	double t0 = now_ms();
	const char *p;
	int err, n, want;

	snprintf(pid_s, sizeof(pid_s), "%d", (int)(wl_specs[wl].traced ? target : t->idle_pid));
	err = spawn(argv, true, &r->pid, &r->err_fd);
	err = err ?: wait_line(r, "Attaching ", t0, line, sizeof(line));
	if (err)
		return err;
	r->ready_ms = now_ms() - t0;
	p = strstr(line, "Attaching ");
	r->probes = atoi(p + 10);
	/* one BPF output perf event per CPU first, then one per probe, each set right after open */
	want = r->probes + (int)sysconf(_SC_NPROCESSORS_ONLN);
	while ((n = perf_fds_of(r->pid)) >= 0 && n < want && now_ms() - t0 < READY_WAIT_MS)
		usleep(500);
	if (n != want) {
		fprintf(stderr, "bench: bpftrace: %d perf events, expected %d (%d probes)\n", n,
			want, r->probes);
		return -ETIMEDOUT;
	}
	usleep(2000);
	r->attached_ms = now_ms() - t0;
	return 0;
}

static int start_in_process(struct tracers *t, enum tracer_id id, enum wl_id wl, pid_t target,
			    struct tracer_run *r)
{
	struct obj *o = id == TR_FLOOR ? t->floor : t->pair;
	uint32_t tgid = (uint32_t)(wl_specs[wl].traced ? target : t->idle_pid);
	int err = 0;

	if (id == TR_PAIR)
		err = obj__set_global(o, "target_tgid", &tgid, sizeof(tgid));
	err = err ?: bpf_usage_of(getpid(), &r->before);
	return err ?: obj__attach(o, &t->links);
}

int tracer_start(struct tracers *t, enum tracer_id id, enum wl_id wl, pid_t target,
		 struct tracer_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->err_fd = -1;
	switch (id) {
	case TR_NONE:
		return 0;
	case TR_FLOOR:
	case TR_PAIR:
		return start_in_process(t, id, wl, target, r);
	case TR_IOTRACE:
		return start_iotrace(t, wl, target, r);
	default:
		return start_bpftrace(t, wl, target, r);
	}
}

/* After the workload, before the stop: map memory and program counters. */
int tracer_sample(struct tracer_run *r, struct cell *c)
{
	int err;

	if (r->id == TR_NONE)
		return 0;
	err = bpf_usage_of(r->pid ? r->pid : getpid(), &c->usage);
	if (!err && !r->pid)
		bpf_usage_delta(&c->usage, &r->before);
	c->memlock = r->pid ? c->usage.map_memlock : 0;
	return err;
}

/* SIGINT, then drain its output to EOF and reap it; *stop_ms = SIGINT -> exit. */
/*
 * iotrace exits once its result is written and leaves closing its
 * attachments to a child named iotrace-detach (about a second of kernel
 * grace periods): wait for it, uncounted, so the next cell starts clean.
 */
static void wait_detach_children(void)
{
	double t0 = now_ms();
	bool found = true;

	while (found && now_ms() - t0 < STOP_WAIT_MS) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		char path[64], comm[32];

		found = false;
		while (d && !found && (de = readdir(d))) {
			FILE *f;

			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%.16s/comm", de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			found = fgets(comm, sizeof(comm), f) && !strcmp(comm, "iotrace-detach\n");
			fclose(f);
		}
		if (d)
			closedir(d);
		if (found)
			usleep(10000);
	}
}

/*
 * The calls bpftrace's maps counted, from the maps it prints at exit
 * ("@calls_pread64[2049, 12]: 202000"): the bench checks them against the
 * workload's, so a comparator that silently skips its work (a file not
 * resolved, a probe not attached) breaks the run instead of looking cheap.
 */
struct line_buf {
	char s[256];
	size_t len;
};

static void count_line(struct tracer_run *r, const char *line)
{
	const char *v = strstr(line, "]: ");

	if (v && (!strncmp(line, "@calls_", 7) || !strncmp(line, "@sync_calls_", 12)))
		r->counted += strtol(v + 3, NULL, 10);
}

static void count_calls(struct tracer_run *r, struct line_buf *l, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (l->len < sizeof(l->s) - 1)
				l->s[l->len++] = buf[i];
			continue;
		}
		l->s[l->len] = 0;
		count_line(r, l->s);
		l->len = 0;
	}
}

static int stop_external(struct tracer_run *r, double *stop_ms)
{
	struct line_buf bt_line = { .len = 0 };
	struct pollfd p = { .fd = r->err_fd, .events = POLLIN };
	double t0 = now_ms(), last_sig = t0;
	char buf[4096];
	int status, err = 0;
	ssize_t n = 1;

	kill(r->pid, SIGINT);
	while (n > 0 && !err) {
		/* bpftrace loses a SIGINT that comes before its handler is set: send again */
		if (r->id == TR_BPFTRACE && now_ms() - last_sig > RESEND_MS) {
			kill(r->pid, SIGINT);
			last_sig = now_ms();
		}
		if (now_ms() - t0 > STOP_WAIT_MS) {
			fprintf(stderr,
				"bench: %s (pid %d) still running %d s after SIGINT:"
				" killed\n",
				tracer_names[r->id], (int)r->pid, STOP_WAIT_MS / 1000);
			kill(r->pid, SIGKILL);
			err = -ETIMEDOUT;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(r->err_fd, buf, sizeof(buf));
		if (r->id == TR_IOTRACE && n > 0)
			fprintf(stderr, "bench: iotrace said: %.*s", (int)n, buf);
		if (r->id == TR_BPFTRACE && n > 0)
			count_calls(r, &bt_line, buf, (size_t)n);
	}
	if (waitpid(r->pid, &status, 0) < 0)
		return -errno;
	*stop_ms = now_ms() - t0;
	close(r->err_fd);
	if (r->id == TR_IOTRACE)
		wait_detach_children();
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		fprintf(stderr, "bench: %s ended with status 0x%x\n", tracer_names[r->id], status);
		err = -EIO;
	}
	return err;
}

/*
 * Split one CSV line into fields in place (RFC 4180 quoting, as iotrace
 * writes it); the field count, at most max.
 */
static int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *w = line;
	bool quoted = false;

	fields[n++] = w;
	for (char *c = line; *c && *c != '\n'; c++) {
		if (*c == '"') {
			if (quoted && c[1] == '"')
				*w++ = *c++;
			else
				quoted = !quoted;
		} else if (*c == ',' && !quoted) {
			*w++ = 0;
			if (n == max)
				break;
			fields[n++] = w;
		} else {
			*w++ = *c;
		}
	}
	*w = 0;
	return n;
}

#define CSV_COLS_MAX 256 /* iotrace's CSV has about 150 columns */

/*
 * iotrace's counted calls: read.calls + write.calls + fsync.calls over its
 * CSV rows (the per-file side totals), and the copy and async sides and the
 * page faults where the result has them (a copy counts on both its files)
 */
static int count_iotrace(const struct tracers *t, struct tracer_run *r)
{
	static const char *const cols[] = { "read.calls",	 "write.calls",
					    "fsync.calls",	 "copy_read.calls",
					    "copy_write.calls",	 "async_read.calls",
					    "async_write.calls", "mapped.faults" };
	int idx[8] = { -1, -1, -1, -1, -1, -1, -1, -1 }, n;
	char *line = NULL, *f[CSV_COLS_MAX];
	size_t cap = 0;
	FILE *in = fopen(t->result_path, "re");

	if (!in) {
		fprintf(stderr, "bench: iotrace's result %s: %s\n", t->result_path,
			strerror(errno));
		return -errno;
	}
	if (getline(&line, &cap, in) > 0) {
		n = csv_split(line, f, CSV_COLS_MAX);
		for (int i = 0; i < n; i++)
			for (int k = 0; k < 8; k++)
				idx[k] = idx[k] >= 0 || strcmp(f[i], cols[k]) ? idx[k] : i;
	}
	while (idx[0] >= 0 && idx[1] >= 0 && idx[2] >= 0 && getline(&line, &cap, in) > 0) {
		n = csv_split(line, f, CSV_COLS_MAX);
		for (int k = 0; k < 8; k++)
			r->counted += idx[k] >= 0 && idx[k] < n ? strtol(f[idx[k]], NULL, 10) : 0;
	}
	free(line);
	fclose(in);
	if (idx[0] >= 0 && idx[1] >= 0 && idx[2] >= 0)
		return 0;
	fprintf(stderr,
		"bench: iotrace's result %s: no read.calls/write.calls/fsync.calls columns\n",
		t->result_path);
	return -EPROTO;
}

int tracer_stop(struct tracers *t, struct tracer_run *r, double *stop_ms)
{
	int err;

	*stop_ms = 0;
	switch (r->id) {
	case TR_NONE:
		return 0;
	case TR_FLOOR:
	case TR_PAIR:
		links__destroy(t->links);
		t->links = NULL;
		return 0;
	default:
		err = stop_external(r, stop_ms);
		return err || r->id != TR_IOTRACE ? err : count_iotrace(t, r);
	}
}
