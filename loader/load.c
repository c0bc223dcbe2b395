// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_LOAD of one linked program, without program BTF.  By default the
 * first attempt has no log; on failure the load is retried at log level 1 in
 * a growing buffer (64 KiB doubling to 16 MiB on ENOSPC) and the rejection is
 * reported once with the log tail, plus advice for known log lines (a
 * poisoned CO-RE insn is named by its field).  With opts->log_level 1 or 2
 * every load keeps its log (level | BPF_LOG_STATS), optionally to a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define LOG_MIN_SZ     (64u << 10)
#define LOG_MAX_SZ     (16u << 20)
#define LOG_TAIL_LINES 20
#define LOG_STATS      4 /* BPF_LOG_STATS */
#define POISON_MARK    "unknown#195896080"

/* known verifier lines and what to tell the user */
static const struct {
	const char *needle;
	const char *advice;
} log_advice[] = {
	{ "cannot call GPL-restricted function",
	  "the license section must say \"GPL\" (or a GPL-compatible license)" },
	{ "unreachable insn", "dead code in a subprogram: every insn must be reachable" },
	{ "invalid mem access 'scalar'",
	  "a kernel pointer was dereferenced directly; check the CO-RE relocations or use bpf_probe_read_kernel" },
};

static int load_once(const struct obj *o, const struct prog *p, char *log, size_t log_sz,
		     unsigned int level)
{
	struct prog_btf btf = { .fd = -1 };
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = p->type;
	attr.insns = (uintptr_t)p->insns;
	attr.insn_cnt = p->insn_cnt;
	attr.license = (uintptr_t)o->license;
	kernel_name(attr.prog_name, p->name);
	if (log && log_sz) {
		attr.log_level = level;
		attr.log_buf = (uintptr_t)log;
		attr.log_size = log_sz;
		log[0] = '\0';
	}
	if (prog__has_callbacks(p)) {
		fd = prog__callback_btf(p, &btf);
		if (fd)
			return fd;
		attr.prog_btf_fd = (uint32_t)btf.fd;
		attr.func_info = (uintptr_t)btf.fi;
		attr.func_info_cnt = btf.cnt;
		attr.func_info_rec_size = sizeof(*btf.fi);
	}
	fd = sys_bpf_prog_load(&attr);
	prog_btf__free(&btf);
	return fd;
}

/* load with a log, growing the buffer while the kernel says ENOSPC */
static int load_logged(const struct obj *o, const struct prog *p, unsigned int level, size_t max_sz,
		       char **log)
{
	size_t sz = LOG_MIN_SZ;
	char *buf = NULL, *n;
	int ret;

	for (;;) {
		n = realloc(buf, sz);
		if (!n) {
			free(buf);
			return -ENOMEM;
		}
		buf = n;
		ret = load_once(o, p, buf, sz, level);
		if (ret != -ENOSPC || sz >= max_sz)
			break;
		if (ret >= 0)
			close(ret);
		sz *= 2;
	}
	*log = buf;
	return ret;
}

char *log_tail(const char *log, size_t max_lines)
{
	size_t len = strlen(log), lines = 0, start = len;
	char *out = NULL;

	while (len && log[len - 1] == '\n')
		len--;
	start = len;
	while (start > 0 && lines < max_lines) {
		start--;
		if (log[start] == '\n' && ++lines == max_lines) {
			start++;
			break;
		}
	}
	if (start == 0) {
		if (asprintf(&out, "%.*s", (int)len, log) < 0)
			return NULL;
	} else if (asprintf(&out, "... skipped %zu bytes ...\n%.*s", start, (int)(len - start),
			    log + start) < 0) {
		return NULL;
	}
	return out;
}

/* the poison a "N: (85) call unknown#195896080" line names, else the first */
static const struct poison *find_poison(const struct prog *p, const char *log)
{
	const char *mark = strstr(log, POISON_MARK), *line;
	size_t i;
	unsigned long idx;

	if (!mark || !p->poison_cnt)
		return NULL;
	for (line = mark; line > log && line[-1] != '\n'; line--)
		;
	if (sscanf(line, "%lu: (85)", &idx) == 1) {
		for (i = 0; i < p->poison_cnt; i++)
			if (p->poisons[i].insn_idx == idx)
				return &p->poisons[i];
	}
	return &p->poisons[0];
}

static void report_advice(const struct prog *p, const char *log)
{
	const struct poison *poison = find_poison(p, log);
	size_t i;

	if (poison)
		pr_warn(p->pr, "prog '%s': %s %s (poisoned insn %zu)", p->name, poison->what,
			poison->why, poison->insn_idx);
	for (i = 0; i < sizeof(log_advice) / sizeof(log_advice[0]); i++)
		if (strstr(log, log_advice[i].needle))
			pr_warn(p->pr, "prog '%s': hint: %s", p->name, log_advice[i].advice);
}

static void report_rejection(const struct prog *p, int err, const char *log)
{
	char *tail = log && *log ? log_tail(log, LOG_TAIL_LINES) : NULL;

	pr_warn(p->pr, "prog '%s': kernel rejected program: %s%s%s", p->name, strerror(-err),
		tail ? "\n" : "", tail ? tail : "");
	free(tail);
	if (log)
		report_advice(p, log);
}

static int write_log(const struct prog *p, const char *dir)
{
	char *path;
	FILE *f;
	int err = 0;

	if (asprintf(&path, "%s/%s.log", dir, p->name) < 0)
		return -ENOMEM;
	f = fopen(path, "we");
	if (!f || fputs(p->log ? p->log : "", f) < 0)
		err = -errno;
	if (f && fclose(f) && !err)
		err = -errno;
	if (err)
		pr_warn(p->pr, "prog '%s': cannot write log '%s': %s", p->name, path,
			strerror(-err));
	free(path);
	return err;
}

/* opts->log_level 1/2: one logged load, log kept */
static int load_verbose(struct obj *o, struct prog *p, const struct obj_load_opts *opts)
{
	int ret, err;

	size_t max_sz = opts->log_max_sz ? opts->log_max_sz : LOG_MAX_SZ;

	ret = load_logged(o, p, opts->log_level | LOG_STATS, max_sz, &p->log);
	if (ret == -ENOSPC && opts->log_level > 1) {
		/* a level-2 log of a long walk outgrows the limit: keep level 1 */
		pr_info(p->pr, "prog '%s': level %u log exceeds %zu bytes, keeping the level 1 log",
			p->name, opts->log_level, max_sz);
		free(p->log);
		ret = load_logged(o, p, 1 | LOG_STATS, LOG_MAX_SZ, &p->log);
	}
	if (ret < 0 && ret != -ENOMEM)
		report_rejection(p, ret, p->log);
	if (opts->log_dir && p->log) {
		err = write_log(p, opts->log_dir);
		if (err && ret >= 0) {
			close(ret);
			return err;
		}
	}
	return ret;
}

/* level 0: quiet load, logged retry only on failure */
static int load_quiet(struct obj *o, struct prog *p)
{
	int ret;

	ret = load_once(o, p, NULL, 0, 0);
	if (ret >= 0)
		return ret;
	ret = load_logged(o, p, 1, LOG_MAX_SZ, &p->log);
	if (ret >= 0)
		return ret; /* passed on the second try */
	if (ret != -ENOMEM)
		report_rejection(p, ret, p->log);
	return ret;
}

int prog__load(struct obj *o, struct prog *p, const struct obj_load_opts *opts)
{
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	free(p->log);
	p->log = NULL;
	if (opts && opts->log_level)
		ret = load_verbose(o, p, opts);
	else
		ret = load_quiet(o, p);
	if (ret < 0)
		return ret;
	p->fd = ret;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pr_debug(p->pr, "prog '%s': loaded in %.1f ms, %zu insns, fd %d", p->name,
		 (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, p->insn_cnt,
		 p->fd);
	return 0;
}

int prog__test_run(const struct prog *p, const void *ctx, size_t ctx_sz, uint32_t *retval)
{
	int err;

	if (p->fd < 0) {
		pr_warn(p->pr, "prog '%s': test run: program is not loaded", p->name);
		return -EBADF;
	}
	err = sys_bpf_prog_test_run(p->fd, ctx, ctx_sz, retval);
	if (err)
		pr_warn(p->pr, "prog '%s': test run failed: %s", p->name, strerror(-err));
	return err;
}
