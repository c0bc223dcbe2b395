// SPDX-License-Identifier: GPL-2.0
/*
 * What a tracer uses, read from outside: VmRSS from /proc/PID/status; for
 * each BPF fd in /proc/PID/fdinfo, map memory (memlock:, summed once per
 * map_id) and program counters (run_time_ns, run_cnt: counted while
 * kernel.bpf_stats_enabled is 1).  The fdinfo has no program name, so the
 * name comes from BPF_OBJ_GET_INFO_BY_FD on a fd got by the prog_id.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "bench.h"

#define BPF_STATS_PATH "/proc/sys/kernel/bpf_stats_enabled"

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int rss_kb_of(pid_t pid, long *kb)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	*kb = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", kb) == 1)
			break;
	fclose(f);
	return *kb < 0 ? -ENODATA : 0;
}

/* The program's name as the kernel keeps it (15 chars); "?" when it cannot be read. */
static void prog_name(uint32_t id, char name[PROG_NAME_LEN])
{
	union bpf_attr attr = { .prog_id = id };
	struct bpf_prog_info info = { 0 };
	int fd;

	snprintf(name, PROG_NAME_LEN, "?");
	fd = (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(unsigned long)&info;
	if (!syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)))
		snprintf(name, PROG_NAME_LEN, "%s", info.name);
	close(fd);
}

struct fdinfo {
	uint32_t prog_id, map_id;
	uint64_t memlock, run_ns, run_cnt;
};

static int read_fdinfo(const char *path, struct fdinfo *fi)
{
	char line[256];
	unsigned long long v;
	FILE *f = fopen(path, "re");

	memset(fi, 0, sizeof(*fi));
	if (!f)
		return -errno; /* the fd closed meanwhile */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "prog_id: %llu", &v) == 1)
			fi->prog_id = (uint32_t)v;
		else if (sscanf(line, "map_id: %llu", &v) == 1)
			fi->map_id = (uint32_t)v;
		else if (sscanf(line, "memlock: %llu", &v) == 1)
			fi->memlock = v;
		else if (sscanf(line, "run_time_ns: %llu", &v) == 1)
			fi->run_ns = v;
		else if (sscanf(line, "run_cnt: %llu", &v) == 1)
			fi->run_cnt = v;
	}
	fclose(f);
	return 0;
}

static bool seen(const uint32_t *ids, size_t cnt, uint32_t id)
{
	for (size_t i = 0; i < cnt; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void add_fdinfo(struct bpf_usage *u, const struct fdinfo *fi, uint32_t *map_ids)
{
	struct prog_usage *p;

	for (size_t i = 0; fi->prog_id && i < u->prog_cnt; i++)
		if (u->progs[i].id == fi->prog_id)
			return;
	if (fi->prog_id && u->prog_cnt < MAX_PROGS) {
		p = &u->progs[u->prog_cnt++];
		p->id = fi->prog_id;
		p->run_ns = fi->run_ns;
		p->run_cnt = fi->run_cnt;
		prog_name(p->id, p->name);
	} else if (fi->map_id && u->map_cnt < 4096 && !seen(map_ids, u->map_cnt, fi->map_id)) {
		map_ids[u->map_cnt++] = fi->map_id;
		u->map_memlock += fi->memlock;
	}
}

/* Every BPF program and map a process holds a fd of. */
int bpf_usage_of(pid_t pid, struct bpf_usage *u)
{
	static uint32_t map_ids[4096];
	char dir_path[64], path[320];
	struct dirent *de;
	struct fdinfo fi;
	DIR *d;

	memset(u, 0, sizeof(*u));
	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir_path);
	if (!d) {
		fprintf(stderr, "bench: %s: %s\n", dir_path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, de->d_name);
		if (!read_fdinfo(path, &fi))
			add_fdinfo(u, &fi, map_ids);
	}
	closedir(d);
	return 0;
}

/* after -= before, per program id (programs of in-process tracers keep counting) */
void bpf_usage_delta(struct bpf_usage *after, const struct bpf_usage *before)
{
	for (size_t i = 0; i < after->prog_cnt; i++) {
		for (size_t j = 0; j < before->prog_cnt; j++) {
			if (before->progs[j].id != after->progs[i].id)
				continue;
			after->progs[i].run_ns -= before->progs[j].run_ns;
			after->progs[i].run_cnt -= before->progs[j].run_cnt;
		}
	}
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* kernel.bpf_stats_enabled = 1 for the run; *saved = the value to restore */
int bpf_stats_enable(int *saved)
{
	char buf[16] = { 0 };
	int fd = open(BPF_STATS_PATH, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		fprintf(stderr, "bench: %s: %s\n", BPF_STATS_PATH, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	close(fd);
	*saved = atoi(buf);
	err = write_str(BPF_STATS_PATH, "1");
	if (err)
		fprintf(stderr, "bench: cannot enable %s: %s\n", BPF_STATS_PATH, strerror(-err));
	return err;
}

/* On only for the BPF time round: it reads the clock twice per program run. */
int bpf_stats_set(bool on)
{
	return write_str(BPF_STATS_PATH, on ? "1" : "0");
}

void bpf_stats_restore(int saved)
{
	write_str(BPF_STATS_PATH, saved ? "1" : "0");
}
