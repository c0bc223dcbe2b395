// SPDX-License-Identifier: GPL-2.0
/*
 * The traced set, read from the running iotrace's `pids` map (a bitmap,
 * bit tgid % 64 of word tgid / 64): the command's shell is in it, so is a
 * child it forks, and the child leaves it when it exits while the shell
 * stays.  Ground truth: the shell writes its own pid and its child's to a
 * file; the test kills the child itself.  Without the exit handler, a
 * tgid reused by an unrelated process later would be traced.  A process
 * whose main thread (the group leader) ends first leaves the set with its
 * last thread, on kernels whose sched_process_exit tracepoint passes
 * group_dead (read from its tracefs format, mounted aside by the test).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>

#include "bpf_test.h"
#include "e2e.h"
#include "iotrace_abi.h"

#define FAULTLOAD OUT_DIR "/tests/e2e/faultload"

static char *tdir;
static pid_t tracer = -1;
static pid_t victim = -1; /* a process the test made, killed at teardown */

static void teardown(void)
{
	if (victim > 0)
		kill(victim, SIGKILL);
	if (tracer > 0) {
		kill(tracer, SIGKILL);
		e2e_wait(tracer, 30);
	}
	if (tdir)
		e2e_rmtree(tdir);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* an fd of the map called name among the maps pid holds (from /proc/PID/fdinfo) */
static bool traced(int pids, pid_t pid)
{
	uint32_t key = (uint32_t)pid >> PID_WORD_SHIFT;
	uint64_t word = 0;

	cr_assert_eq(test_map_lookup(pids, &key, &word), 0);
	return word & PID_BIT((uint32_t)pid);
}

Test(pids, a_forked_child_joins_the_traced_set_and_leaves_it_at_exit, .fini = teardown)
{
	char script[512], *text = NULL;
	const char *argv[] = { NULL, "-q", "-o", NULL, "--", "/bin/sh", "-c", script, NULL };
	int sh = 0, child = 0, pids;
	long long end;
	size_t len;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	/* the file appears whole: written aside, then renamed */
	snprintf(
		script, sizeof(script),
		"sleep 60 & echo $$ $! > '%s/p.tmp' && mv '%s/p.tmp' '%s/pids'; wait; exec sleep 60",
		tdir, tdir, tdir);
	argv[0] = E2E_IOTRACE;
	argv[3] = e2e_join(tdir, "out.json");
	tracer = e2e_spawn((char *const *)argv, e2e_join(tdir, "iotrace.err"));
	cr_assert_gt(tracer, 0);
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	for (end = now_ms() + 10000; now_ms() < end; usleep(10000))
		if (!e2e_read_file(e2e_join(tdir, "pids"), &text, &len))
			break;
	cr_assert_not_null(text, "the shell did not write its pids");
	cr_assert_eq(sscanf(text, "%d %d", &sh, &child), 2, "pids file: '%s'", text);
	free(text);

	pids = e2e_tracer_map(tracer, "pids");
	cr_assert_geq(pids, 0, "iotrace holds no map called pids");
	cr_expect(traced(pids, sh), "the command (pid %d) is not in the set", sh);
	cr_expect(traced(pids, child), "its child (pid %d) is not in the set", child);

	cr_assert_eq(kill(child, SIGKILL), 0);
	for (end = now_ms() + 5000; traced(pids, child) && now_ms() < end;)
		usleep(5000);
	cr_expect(!traced(pids, child), "the child (pid %d) is still in the set after its exit",
		  child);
	cr_expect(traced(pids, sh), "the shell (pid %d) left the set with its child", sh);
	close(pids);

	cr_assert_eq(kill(tracer, SIGTERM), 0);
	cr_expect_eq(e2e_wait(tracer, 30), 128 + SIGTERM);
	tracer = -1;
}

/* Does sched_process_exit pass group_dead here?  Its format, from a tracefs mounted aside. */
static bool exit_passes_group_dead(void)
{
	char *mnt = e2e_tmpdir("/tmp"), *text = NULL;
	bool found = false;
	size_t len;

	if (!mount("tracefs", mnt, "tracefs", 0, NULL)) {
		if (!e2e_read_file(e2e_join(mnt, "events/sched/sched_process_exit/format"), &text,
				   &len))
			found = strstr(text, "group_dead") != NULL;
		free(text);
		umount2(mnt, MNT_DETACH);
	}
	rmdir(mnt);
	free(mnt);
	return found;
}

/* /proc/PID/stat's state letter, 0 when gone */
static char state_of(pid_t pid)
{
	char path[64], *text = NULL, *p, state = 0;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (e2e_read_file(path, &text, &len))
		return 0;
	p = strrchr(text, ')');
	if (p && p[1] == ' ')
		state = p[2];
	free(text);
	return state;
}

Test(pids, a_group_whose_leader_ends_first_leaves_the_set_with_its_last_thread, .fini = teardown)
{
	char script[512];
	const char *argv[] = { NULL, "-q", "-o", NULL, "--", "/bin/sh", "-c", script, NULL };
	volatile uint64_t *progress;
	long long end;
	int fd, pids;

	e2e_require_tracer();
	if (!exit_passes_group_dead())
		cr_skip_test("sched_process_exit has no group_dead here: the leader alone clears");
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(e2e_make_file(e2e_join(tdir, "progress"), 4096, 0), 0);
	fd = open(e2e_join(tdir, "progress"), O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	cr_assert_neq((void *)progress, MAP_FAILED);
	snprintf(script, sizeof(script), "'%s' '%s' leaderexit & wait; exec sleep 60", FAULTLOAD,
		 tdir);
	argv[0] = E2E_IOTRACE;
	argv[3] = e2e_join(tdir, "out.json");
	tracer = e2e_spawn((char *const *)argv, e2e_join(tdir, "iotrace.err"));
	cr_assert_gt(tracer, 0);
	cr_assert(e2e_wait_attached(tracer, 30000), "iotrace did not attach");
	for (end = now_ms() + 10000; !progress[1] && now_ms() < end;)
		usleep(5000);
	victim = (pid_t)__atomic_load_n(&progress[1], __ATOMIC_ACQUIRE);
	cr_assert_gt(victim, 0, "faultload did not start");
	/* the leader is a zombie once its thread ended; the process lives on */
	for (end = now_ms() + 5000; state_of(victim) != 'Z' && now_ms() < end;)
		usleep(5000);
	cr_assert_eq(state_of(victim), 'Z', "the leader of %d did not end alone", (int)victim);

	pids = e2e_tracer_map(tracer, "pids");
	cr_assert_geq(pids, 0, "iotrace holds no map called pids");
	cr_expect(traced(pids, victim), "%d left the set while a thread of it lives", (int)victim);
	cr_assert_eq(kill(victim, SIGKILL), 0);
	for (end = now_ms() + 5000; traced(pids, victim) && now_ms() < end;)
		usleep(5000);
	cr_expect(!traced(pids, victim), "%d is still in the set after its last thread's exit",
		  (int)victim);
	victim = -1;
	close(pids);
	munmap((void *)progress, 4096);

	cr_assert_eq(kill(tracer, SIGTERM), 0);
	cr_expect_eq(e2e_wait(tracer, 30), 128 + SIGTERM);
	tracer = -1;
}
