// SPDX-License-Identifier: GPL-2.0
/*
 * A trace from start to end: check the request, load the BPF objects, fill
 * the target maps, start the command stopped, attach, release it, consume
 * events until the trace ends, then stop counting (a flag every handler
 * checks), read the maps, write the result and detach.  The flag is set
 * after the end signal was read, so every call that returned before the
 * signal was sent is in the result.  An end signal is passed on to the
 * command, which is traced while it winds down (END_GRACE_MS at most).
 */
#include <errno.h>
#include <malloc.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"
#include "loader.h"
#include "iotrace.skel.h"

#define SCSTATS_PER_FILE 4 /* syscalls a file sees: read, write, close, one more */
#define POLL_MS		 200
#define END_GRACE_MS	 3000 /* how long a signalled command is waited for */

struct trace {
	const struct options *opts;
	struct iotrace_skel skel; /* the loader object and its maps and programs */
	struct links *links;	  /* from start to detach */
	struct ringbuf *rb;
	struct child child;
	bool child_running;
	int child_status;
	int sig_fd;
	int *pidfds; /* one per -p pid, -1 once it exited */
	size_t pids_alive;
	int end_signal;		 /* the first SIGINT, SIGTERM or SIGHUP */
	bool end_now;		 /* a second one: the command is not waited for */
	uint64_t grace_end_ns;	 /* CLOCK_MONOTONIC: the signalled command's time is up */
	bool command_killed;	 /* by us, at the end of its grace period */
	char cmd_path[PATH_MAX]; /* what follow_spawn execs */
	FILE *stream;		 /* --stream, or NULL */
	struct trace_result res;
};

#define DEFAULT_VMLINUX "/sys/kernel/btf/vmlinux"

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t launch_ns;

/* -vv: how long each phase took since launch */
static void phase(const char *what)
{
	pr_debug("%s: %.1f ms since launch", what, (now_ns(CLOCK_MONOTONIC) - launch_ns) / 1e6);
}

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT	  38
#define CAP_BPF_BIT	  39

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* Loading tracing programs needs CAP_BPF + CAP_PERFMON (5.8+) or CAP_SYS_ADMIN. */
static int check_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return 0; /* cannot tell: let the kernel decide */
	if (has_cap(d, CAP_SYS_ADMIN_BIT) ||
	    (has_cap(d, CAP_BPF_BIT) && has_cap(d, CAP_PERFMON_BIT)))
		return 0;
	pr_warn("permission denied: tracing needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
	return -EPERM;
}

static int check_environment(const struct options *opts)
{
	const char *btf = opts->btf_path ? opts->btf_path : DEFAULT_VMLINUX;
	int err = check_privileges();

	if (err)
		return err;
	if (access(btf, R_OK)) {
		pr_warn("kernel BTF not found at %s: iotrace needs a kernel built with "
			"CONFIG_DEBUG_INFO_BTF=y",
			btf);
		return -ENOENT;
	}
	return 0;
}

/* --verifier-log DIR must exist and take files: checked before any program loads */
static int check_log_dir(const char *dir)
{
	struct stat st;
	int err = 0;

	if (!dir)
		return 0;
	if (stat(dir, &st))
		err = -errno;
	else if (!S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	else if (access(dir, W_OK | X_OK))
		err = -errno;
	if (err)
		pr_warn("verifier log directory '%s': %s", dir, strerror(-err));
	return err;
}

/* *exit_code: 127 for a command not found, 126 for one not executable, as a shell */
static int check_targets(struct trace *t, int *exit_code)
{
	const struct options *opts = t->opts;
	int err;

	for (size_t i = 0; i < opts->pid_cnt; i++) {
		if (kill(opts->pids[i], 0) && errno == ESRCH) {
			pr_warn("pid %d: no such process", (int)opts->pids[i]);
			return -ESRCH;
		}
	}
	if (!opts->command)
		return 0;
	err = follow_check_command(opts->command[0], t->cmd_path, sizeof(t->cmd_path));
	if (err) {
		pr_warn("cannot run '%s': %s", opts->command[0], strerror(-err));
		*exit_code = err == -ENOENT ? 127 : 126;
	}
	return err;
}

static uint32_t filter_mode(const struct options *opts)
{
	uint32_t mode = 0;

	if (opts->pid_cnt || opts->command || opts->comm_cnt)
		mode |= FILTER_PIDS; /* descendants of any target land in pids */
	if (opts->comm_cnt)
		mode |= FILTER_COMMS;
	return mode ? mode : FILTER_ALL;
}

/*
 * The tail-call table: programs reached only through bpf_tail_call.  Each
 * IOT_TAILS entry names a skeleton member, so the list and the BPF objects
 * cannot disagree without breaking the build.
 */
static int fill_tails(const struct iotrace_skel *s)
{
	struct prog *tail_progs[TAIL_CNT] = {
#define X(idx, prog) [idx] = s->progs.prog,
		IOT_TAILS(X)
#undef X
	};

	/* the loop forms, where objects_choose_loops loaded them */
#define X(idx, prog)                                                                               \
	if (prog__fd(s->progs.prog) >= 0)                                                          \
		tail_progs[idx] = s->progs.prog;
	IOT_TAIL_LOOPS(X)
#undef X

	for (uint32_t idx = 0; idx < TAIL_CNT; idx++) {
		int fd = prog__fd(tail_progs[idx]);
		int err = map__update_elem(s->maps.tails, &idx, &fd, 0);

		if (err) {
			pr_warn("map 'tails': cannot add prog '%s': %s",
				prog__name(tail_progs[idx]), strerror(-err));
			return err;
		}
	}
	return 0;
}

static int load(struct trace *t)
{
	const uint32_t not_yet = IOT_NOT_YET;
	const struct options *opts = t->opts;
	struct iot_config cfg = {
		.self_tgid = (uint32_t)getpid(),
		.filter_mode = filter_mode(opts),
		.per_process = opts->per_process,
	};
	struct obj_load_opts lo = {
		.sz = sizeof(lo),
		.log_dir = opts->verifier_log_dir,
		.log_level = opts->verifier_log_dir ? 1 : 0,
		.btf_path = opts->btf_path,
	};
	uint64_t sc_max = (uint64_t)opts->max_files * SCSTATS_PER_FILE;
	struct stat exe;
	int err;

	if (!stat("/proc/self/exe", &exe)) {
		cfg.self_exe_ino = exe.st_ino;
		cfg.self_exe_dev = major(exe.st_dev) << 20 | minor(exe.st_dev);
	}
	/* few comm targets are compared in place (asm filter_task); more, in the comms hash */
	if (opts->comm_cnt <= COMM_LIST_MAX) {
		cfg.comms.cnt = (uint32_t)opts->comm_cnt;
		for (size_t i = 0; i < opts->comm_cnt; i++)
			strncpy((char *)cfg.comms.names[i], opts->comms[i], COMM_LEN - 1);
	}
	filters_to_cfg(&opts->filters, &cfg);
	err = objects_open(&t->skel, opts->bpf_objects, opts->bpf_object_cnt, opts->tracefs);
	err = err ?: iotrace_skel__set_iot_cfg(&t->skel, &cfg);
	err = err ?: iotrace_skel__set_iot_stopped(&t->skel, &not_yet);
	if (!err)
		objects_choose_loops(&t->skel);
	err = err ?: map__set_max_entries(t->skel.maps.files, opts->max_files);
	err = err
		      ?: map__set_max_entries(t->skel.maps.scstats,
					      sc_max > UINT32_MAX ? UINT32_MAX : (uint32_t)sc_max);
	err = err ?: map__set_max_entries(t->skel.maps.syncstats, opts->max_files);
	err = err ?: map__set_max_entries(t->skel.maps.cachestats, opts->max_files);
	/* an LRU map is preallocated: its full size only when a filter may use it */
	if (!err && !filters_any(&opts->filters))
		err = map__set_max_entries(t->skel.maps.excluded, 1);
	if (!err) {
		/* one of the io_uring submission events; no io_uring in the kernel at all */
		prog__set_optional(t->skel.progs.uring_submit_req, true);
		prog__set_optional(t->skel.progs.uring_submit_sqe, true);
		prog__set_optional(t->skel.progs.uring_complete, true);
		/*
		 * page faults per file, with --mapped: x86's page_fault_user event and
		 * bpf_find_vma, which costs a traced process about 8 us per fault
		 */
		prog__set_optional(t->skel.progs.mapped_fault, true);
		/* the end's path walk (names.c): loaded then, unless every log is asked for now */
		prog__set_deferred(t->skel.progs.name_walk, !opts->verifier_log_dir);
		t->res.mapped = opts->mapped && objects_can_count_faults();
		t->res.mapped_unable = opts->mapped && !t->res.mapped;
		if (t->res.mapped_unable)
			pr_warn("warning: --mapped: page faults on mappings are not counted: this "
				"kernel has no bpf_find_vma (5.17)");
		if (!t->res.mapped)
			prog__set_autoload(t->skel.progs.mapped_fault, false);
		/* without the program nothing counts in mapstats: a hash map's buckets take time */
		err = map__set_max_entries(t->skel.maps.mapstats,
					   t->res.mapped ? opts->max_files : 1);
	}
	err = err ?: obj__load(t->skel.obj, &lo);
	err = err ?: fill_tails(&t->skel);
	if (err == -EPERM)
		pr_warn("loading BPF programs was refused: run as root (CAP_BPF and CAP_PERFMON)");
	return err;
}

/* Set the pid's bit in the pids bitmap; before attaching, so no BPF program writes it meanwhile. */
static int add_target_pid(struct trace *t, pid_t pid)
{
	struct map *pids = t->skel.maps.pids;
	uint32_t key = (uint32_t)pid >> PID_WORD_SHIFT;
	uint64_t word = 0;
	int err = (uint32_t)pid < PID_LIMIT ? 0 : -ERANGE;

	err = err ?: map__lookup_elem(pids, &key, &word);
	word |= PID_BIT((uint32_t)pid);
	err = err ?: map__update_elem(pids, &key, &word, 0);
	if (err)
		pr_warn("pid %d: cannot add to the pids map: %s", (int)pid, strerror(-err));
	return err;
}

static int fill_targets(struct trace *t)
{
	const struct options *opts = t->opts;
	struct map *comms = t->skel.maps.comms;
	uint32_t one = 1;
	int err = 0;

	for (size_t i = 0; i < opts->pid_cnt && !err; i++)
		err = add_target_pid(t, opts->pids[i]);
	for (size_t i = 0; i < opts->comm_cnt && !err; i++) {
		err = map__update_elem(comms, opts->comms[i], &one, 0);
		if (err)
			pr_warn("comm '%s': cannot add to the comms map: %s", opts->comms[i],
				strerror(-err));
	}
	return err;
}

static int open_pidfds(struct trace *t)
{
	const struct options *opts = t->opts;

	t->pidfds = calloc(opts->pid_cnt ? opts->pid_cnt : 1, sizeof(int));
	if (!t->pidfds)
		return -ENOMEM;
	for (size_t i = 0; i < opts->pid_cnt; i++) {
		t->pidfds[i] = (int)syscall(SYS_pidfd_open, opts->pids[i], 0);
		if (t->pidfds[i] < 0 && errno == ESRCH) {
			pr_warn("pid %d: exited before tracing started", (int)opts->pids[i]);
			continue;
		}
		if (t->pidfds[i] < 0) {
			pr_warn("pid %d: pidfd_open: %s", (int)opts->pids[i], strerror(errno));
			return -errno;
		}
		t->pids_alive++;
	}
	return 0;
}

static int block_signals(struct trace *t)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	t->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return t->sig_fd < 0 ? -errno : 0;
}

/* an attach this much longer than usual waited for an earlier trace's detach */
#define ATTACH_WAIT_NS 100000000

/*
 * Attach, then go live: the trace's clock starts when every program is in
 * place, and the handlers count from that instant on (IOT_LIVE), so
 * `start`, `duration_ns` and -d measure what was traced.  Attaching waits
 * while an earlier trace's programs are being detached (the kernel
 * serializes tracepoint registration): that wait is said, not hidden.
 */
/*
 * The start is read just after the flag turned live, so a call that entered
 * in between is counted with an entry before it: the start moves back to
 * the earliest entry counted (a few microseconds at most), and every call
 * of the trace lies inside [start, start + duration_ns].
 */
static void start_at_first_entry(struct trace_result *res)
{
	uint64_t first = res->start_mono_ns, back;

	for (size_t i = 0; i < res->files.cnt; i++)
		for (int s = 0; s < SIDES; s++) {
			uint64_t e = res->files.v[i]->side[s].first_entry_ns;

			if (e && e < first)
				first = e;
		}
	back = res->start_mono_ns - first;
	res->start_mono_ns -= back;
	res->start_unix_ns -= back;
	res->duration_ns += back;
}

/*
 * The monotonic clock now and the wall clock at the same instant: the wall
 * clock is read between two monotonic reads and set back by half their
 * gap, the narrowest of three tries.  Read one after the other, a thread
 * preempted in between would date the whole trace late on the wall clock
 * by the time it waited.
 */
static void clock_pair(uint64_t *mono, uint64_t *unix_ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t m1 = now_ns(CLOCK_MONOTONIC), r = now_ns(CLOCK_REALTIME);
		uint64_t m2 = now_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best) {
			best = m2 - m1;
			*mono = m1;
			*unix_ns = r - (m2 - m1) / 2;
		}
	}
}

static int attach_live(struct trace *t)
{
	const uint32_t live = IOT_LIVE;
	pid_t lingering[64];
	size_t n = detach_lingering(DETACH_COMM, lingering, 64);
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	int err = obj__attach(t->skel.obj, &t->links);

	if (!err && t->res.mapped && !prog__attached(t->skel.progs.mapped_fault)) {
		t->res.mapped = false;
		t->res.mapped_unable = true;
		pr_warn("warning: --mapped: page faults on mappings are not counted: this kernel "
			"has no exceptions:page_fault_user event (x86 has it)");
	}

	/* the clocks after the flag: every call that enters from then on is counted */
	err = err ?: iotrace_skel__set_iot_stopped(&t->skel, &live);
	clock_pair(&t->res.start_mono_ns, &t->res.start_unix_ns);
	/* our programs hold the tracepoints now: the earlier ones close without a wait */
	detach_wake(lingering, n);
	if (!err && n && t->res.start_mono_ns - t0 > ATTACH_WAIT_NS)
		pr_warn("attaching waited %.2f s for an earlier trace to finish detaching; the trace "
			"starts now",
			(t->res.start_mono_ns - t0) / 1e9);
	return err;
}

static void on_signal(struct trace *t);

/*
 * Between the batches of a timeline read: the events that came meanwhile,
 * and an end signal, which abandons the read (the trace ends at once)
 */
static bool pump_events(void *ctx)
{
	struct trace *t = ctx;

	drain_events(t->rb);
	on_signal(t);
	return t->end_signal != 0;
}

static int start(struct trace *t)
{
	int err;

	err = drain_events_open(&t->rb, &t->skel, &t->res);
	if (err)
		return err;
	t->res.tl.pump = pump_events;
	t->res.tl.pump_ctx = t;
	if (t->opts->command) {
		/* a live view draws on the terminal: the command keeps off it */
		t->child.null_stdio = t->opts->ui && t->opts->ui->fd >= 0;
		err = follow_spawn(&t->child, t->cmd_path, t->opts->command);
		if (err) {
			pr_warn("cannot start '%s': %s", t->opts->command[0], strerror(-err));
			return err;
		}
		t->child_running = true;
		err = add_target_pid(t, t->child.pid);
		if (err)
			return err;
	}
	return attach_live(t);
}

/*
 * A -p process that exited (or was already a zombie) before the programs
 * were attached had nothing traced.  Say so; with nothing else to trace
 * that is an error, before any result is written.
 */
static int check_pids_alive(struct trace *t)
{
	const struct options *opts = t->opts;

	for (size_t i = 0; i < opts->pid_cnt; i++) {
		struct pollfd pfd = { .fd = t->pidfds[i], .events = POLLIN };

		if (t->pidfds[i] >= 0 && poll(&pfd, 1, 0) == 1) {
			pr_warn("pid %d: exited before tracing started", (int)opts->pids[i]);
			close(t->pidfds[i]);
			t->pidfds[i] = -1;
			t->pids_alive--;
		}
	}
	if (opts->pid_cnt && !t->pids_alive && !opts->command && !opts->comm_cnt)
		return -ESRCH;
	return 0;
}

static void reap_child(struct trace *t)
{
	int st;

	if (t->child_running && waitpid(t->child.pid, &st, WNOHANG) == t->child.pid) {
		t->child_running = false;
		t->child_status = st;
	}
}

/* the command runs: released from its start pipe (it exec'd) and not yet reaped */
static bool command_running(const struct trace *t)
{
	return t->child_running && t->child.go_fd < 0;
}

/*
 * The end signal is passed on to the command, as strace does (perf record
 * sends SIGTERM): a command left running would go on untraced and
 * orphaned.  A signal typed at the terminal (SI_KERNEL) went to the whole
 * foreground process group, the command included, and is not sent twice:
 * many programs take a second Ctrl-C as "quit now, skip the cleanup".
 * SIGCONT lets a stopped command act on it.  The command is still traced
 * while it winds down, for END_GRACE_MS at most.
 */
static void forward_end_signal(struct trace *t, const struct signalfd_siginfo *si)
{
	if (!command_running(t))
		return;
	if (si->ssi_code != SI_KERNEL)
		kill(t->child.pid, (int)si->ssi_signo);
	kill(t->child.pid, SIGCONT);
	t->grace_end_ns = now_ns(CLOCK_MONOTONIC) + END_GRACE_MS * 1000000ULL;
}

static void on_signal(struct trace *t)
{
	struct signalfd_siginfo si;

	while (read(t->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap_child(t);
		} else if (!t->end_signal) {
			phase("end signal");
			t->end_signal = (int)si.ssi_signo;
			forward_end_signal(t, &si);
		} else {
			t->end_now = true;
		}
	}
}

static bool grace_over(const struct trace *t)
{
	return t->end_now || (t->grace_end_ns && now_ns(CLOCK_MONOTONIC) >= t->grace_end_ns);
}

/* After an end signal, a command that outlived its grace period is killed and reaped. */
static void end_command(struct trace *t)
{
	if (!t->end_signal || !command_running(t) || !grace_over(t))
		return;
	kill(t->child.pid, SIGKILL);
	while (waitpid(t->child.pid, &t->child_status, 0) < 0 && errno == EINTR)
		;
	t->child_running = false;
	t->command_killed = true;
}

static bool trace_done(const struct trace *t)
{
	const struct options *opts = t->opts;

	if (t->end_signal)
		return !command_running(t) || grace_over(t);
	if (!opts->command && !opts->pid_cnt)
		return false; /* -c or everything: until a signal or -d */
	return !t->child_running && !t->pids_alive;
}

/*
 * The user quit the live view: the trace ends as at SIGTERM, which the
 * command is sent (it is traced while it exits, as after a signal).
 */
static void quit_from_ui(struct trace *t)
{
	if (t->end_signal)
		return;
	t->end_signal = SIGTERM;
	if (command_running(t)) {
		kill(t->child.pid, SIGTERM);
		kill(t->child.pid, SIGCONT);
		t->grace_end_ns = now_ns(CLOCK_MONOTONIC) + END_GRACE_MS * 1000000ULL;
	}
}

static int poll_once(struct trace *t, int timeout_ms)
{
	const struct live_ui *ui = t->opts->ui;
	size_t n = t->opts->pid_cnt;
	struct pollfd pfd[3 + n];

	pfd[0] = (struct pollfd){ .fd = t->sig_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = ringbuf__fd(t->rb), .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = ui ? ui->fd : -1, .events = POLLIN };
	for (size_t i = 0; i < n; i++)
		pfd[3 + i] = (struct pollfd){ .fd = t->pidfds[i], .events = POLLIN };
	if (poll(pfd, 3 + n, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	on_signal(t);
	if (ui && pfd[2].revents && ui->on_input(ui->ctx))
		quit_from_ui(t);
	if (ui)
		ui->on_idle(ui->ctx);
	for (size_t i = 0; i < n; i++) {
		if (t->pidfds[i] >= 0 && (pfd[3 + i].revents & (POLLIN | POLLHUP))) {
			close(t->pidfds[i]);
			t->pidfds[i] = -1;
			t->pids_alive--;
		}
	}
	return drain_events(t->rb);
}

/* the end of the trace's current interval, when the timeline reads the maps */
static int interval_end(struct trace *t)
{
	int err = timeline_tick(&t->skel, &t->res, now_ns(CLOCK_MONOTONIC), t->stream,
				t->opts->per_process);

	if (!err && t->stream && ferror(t->stream)) {
		pr_warn("--stream: write error: the stream stops, the trace goes on");
		if (t->stream != stdout)
			fclose(t->stream);
		t->stream = NULL;
	}
	return err;
}

/* the live view's refresh, when its time came: the counters read, then drawn */
static int ui_refresh(struct trace *t, uint64_t now, uint64_t *next)
{
	const struct live_ui *ui = t->opts->ui;
	int err;

	if (!ui || now < *next)
		return 0;
	err = timeline_read(&t->skel, &t->res);
	if (!err)
		ui->on_refresh(ui->ctx, &t->skel, &t->res);
	*next = now + ui->refresh_ns(ui->ctx);
	return err == -ECANCELED ? 0 : err;
}

static int event_loop(struct trace *t)
{
	const struct live_ui *ui = t->opts->ui;
	uint64_t end = 0, next_ui = 0;
	int err = 0;

	if (t->opts->duration_s > 0)
		end = t->res.start_mono_ns + (uint64_t)(t->opts->duration_s * 1e9);
	reap_child(t);
	while (!err && !trace_done(t)) {
		uint64_t deadline = end, edge = timeline_next_edge(&t->res);
		uint64_t now, wait = (uint64_t)POLL_MS * 1000000;

		if (t->grace_end_ns && (!deadline || t->grace_end_ns < deadline))
			deadline = t->grace_end_ns;
		now = now_ns(CLOCK_MONOTONIC);
		if (deadline && now >= deadline)
			break;
		if (now >= edge) {
			err = interval_end(t);
			continue;
		}
		err = ui_refresh(t, now, &next_ui);
		if (err)
			break;
		if (deadline && deadline - now < wait)
			wait = deadline - now;
		if (edge - now < wait)
			wait = edge - now;
		if (ui && next_ui - now < wait)
			wait = next_ui - now;
		err = poll_once(t, (int)((wait + 999999) / 1000000));
	}
	return err;
}

static void host_info(struct trace_result *res)
{
	struct utsname u;

	if (uname(&u))
		return;
	snprintf(res->hostname, sizeof(res->hostname), "%s", u.nodename);
	snprintf(res->kernel, sizeof(res->kernel), "%s", u.release);
	snprintf(res->machine, sizeof(res->machine), "%s", u.machine);
}

/*
 * The runs of the programs the kernel skipped: a tracepoint program does
 * not run while a BPF program or a BPF syscall (a map read, of any
 * process) is active on its CPU, and the kernel counts that for each
 * program from 6.7 on (recursion_misses; 5.12 to 6.6 have the count but
 * leave tracepoint skips out of it, so there it is not reported).
 */
static void count_missed_runs(struct trace *t)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;
	size_t n = obj__prog_cnt(t->skel.obj);

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
	    major * 1000 + minor < 6007)
		return;
	t->res.missed_runs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct prog *p = obj__prog(t->skel.obj, i);
		bool attached = prog__attached(p);
		uint64_t m;

		/* a twin is the same kernel program as its first: one count for all of them */
		if (prog__twin(p) || prog__fd(p) < 0)
			continue;
		for (size_t k = i + 1; k < n && !attached; k++) {
			const struct prog *q = obj__prog(t->skel.obj, k);

			attached = prog__twin(q) == p && prog__attached(q);
		}
		if (!attached)
			continue;
		if (prog__missed_runs(p, &m))
			return;
		if (m)
			pr_debug("%s: the kernel skipped %llu of its runs", prog__name(p),
				 (unsigned long long)m);
		t->res.missed_runs += m;
	}
	t->res.missed_counted = true;
}

static int count_one(const void *key, const void *value, void *ctx)
{
	(void)key, (void)value;
	(*(uint64_t *)ctx)++;
	return 0;
}

/*
 * What was not counted, one line per reason: the "calls" lines add up to
 * dropped.events and the "files" lines to dropped.files.  A file without a
 * record is in lostfiles when the table was full, else its record was
 * dropped for want of a path (the event that carries it was lost).
 * drain_maps warns about the reasons that affect neither (pids, lostfiles).
 */
static void warn_dropped(const struct trace *t)
{
	const uint64_t *d = t->res.drops;
	unsigned int max = t->opts->max_files;
	uint64_t lost = 0, sc_max = (uint64_t)max * SCSTATS_PER_FILE;

	if (t->res.dropped_files)
		map__dump(t->skel.maps.lostfiles, count_one, &lost);
	if (lost)
		pr_warn("warning: %llu files not recorded: file table full (--max-files %u)",
			(unsigned long long)lost, max);
	if (t->res.dropped_files > lost)
		pr_warn("warning: %llu files not recorded: their path was lost (event buffer full)",
			(unsigned long long)(t->res.dropped_files - lost));
	if (d[DROP_FILES_FULL])
		pr_warn("warning: %llu calls not counted: file table full (--max-files %u)",
			(unsigned long long)d[DROP_FILES_FULL], max);
	if (d[DROP_SCSTATS_FULL])
		pr_warn("warning: %llu calls not counted: per-syscall table full (%llu entries, "
			"%d per --max-files)",
			(unsigned long long)d[DROP_SCSTATS_FULL],
			(unsigned long long)(sc_max > UINT32_MAX ? UINT32_MAX : sc_max),
			SCSTATS_PER_FILE);
	if (d[DROP_INFLIGHT_FULL])
		pr_warn("warning: %llu calls not counted: too many calls in flight at once",
			(unsigned long long)d[DROP_INFLIGHT_FULL]);
	if (d[DROP_FD_READ])
		pr_warn("warning: %llu calls not counted: their file descriptor could not be read",
			(unsigned long long)d[DROP_FD_READ]);
	if (t->res.missed_runs)
		pr_warn("warning: the kernel skipped %llu run%s of iotrace's programs (another BPF "
			"program or a BPF map access was in progress on that CPU): up to as many "
			"calls may be missing",
			(unsigned long long)t->res.missed_runs, t->res.missed_runs == 1 ? "" : "s");
	if (d[DROP_EVENTS_FULL])
		pr_warn("warning: %llu path or comm events lost: event buffer full",
			(unsigned long long)d[DROP_EVENTS_FULL]);
	if (d[DROP_PATH_TRUNC])
		pr_warn("warning: %llu paths truncated (deeper than %d levels or longer than %d "
			"bytes)",
			(unsigned long long)d[DROP_PATH_TRUNC], PATH_MAX_DEPTH, PATH_BUF_SZ);
}

/* Detach last, in the background (detach.c). */
static void detach(struct trace *t)
{
	pid_t pid;

	detach_in_background(t->links, DETACH_COMM, &pid);
	t->links = NULL;
	if (pid > 0)
		pr_debug("attachments handed to process %d to close", (int)pid);
	phase("detached");
}

/*
 * Stop counting first (the iot_stopped flag), read and write, and detach
 * last: every detach waits for RCU grace periods, which would otherwise
 * stretch the trace.  A handler
 * that passed the flag check just before it was set finishes within
 * microseconds: STOP_SETTLE_NS covers it.
 */
#define STOP_SETTLE_NS 5000000

static int finish(struct trace *t)
{
	struct timespec settle = { 0, STOP_SETTLE_NS };
	const uint32_t ended = IOT_ENDED;
	int err;

	err = iotrace_skel__set_iot_stopped(&t->skel, &ended);
	t->res.duration_ns = now_ns(CLOCK_MONOTONIC) - t->res.start_mono_ns;
	phase("trace ended");
	if (err) {
		links__destroy(t->links);
		t->links = NULL;
	} else {
		nanosleep(&settle, NULL);
	}
	count_missed_runs(t);
	host_info(&t->res);
	err = drain_events(t->rb);
	err = err ?: drain_maps(&t->skel, &t->res);
	err = err ?: timeline_finish(&t->res, t->stream, t->opts->per_process);
	if (!err)
		start_at_first_entry(&t->res);
	phase("maps read");
	err = err ?: names_refresh(&t->skel, &t->res);
	if (!err) {
		drain_named_only(&t->res);
		filters_apply(&t->opts->filters, &t->res);
	}
	phase("files named");
	err = err ?: output_write(&t->res, t->opts);
	if (err)
		return err;
	phase("written");
	if (!t->opts->quiet)
		output_summary(&t->res, t->opts, stderr);
	warn_dropped(t);
	output_warn_unmatched(&t->res, t->opts);
	detach(t);
	return 0;
}

/*
 * The trace ended at -d with the command still running: it runs on
 * untraced and iotrace waits for it, passing end signals on as during the
 * trace (END_GRACE_MS after the first, then it is killed).
 */
static void wait_command(struct trace *t)
{
	while (command_running(t)) {
		struct pollfd pfd = { .fd = t->sig_fd, .events = POLLIN };

		end_command(t);
		if (!command_running(t))
			break;
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR) {
			waitpid(t->child.pid, &t->child_status, 0);
			t->child_running = false;
		}
		on_signal(t);
	}
}

/* exit status: the command's, 128+signal if it had to be killed after one, else 0 */
static int final_exit_code(struct trace *t)
{
	if (!t->opts->command)
		return 0;
	wait_command(t);
	if (t->command_killed)
		return 128 + t->end_signal;
	return exit_code_of(t->child_status);
}

static void cleanup(struct trace *t)
{
	for (size_t i = 0; t->pidfds && i < t->opts->pid_cnt; i++)
		if (t->pidfds[i] >= 0)
			close(t->pidfds[i]);
	free(t->pidfds);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
	ringbuf__close(t->rb);
	if (t->stream && t->stream != stdout)
		fclose(t->stream);
	links__destroy(t->links);
	objects_close(t->skel.obj);
	files_free(&t->res.files);
}

static void abandon_child(struct trace *t)
{
	if (!t->child_running)
		return;
	kill(t->child.pid, SIGKILL);
	waitpid(t->child.pid, NULL, 0);
	t->child_running = false;
}

/*
 * A signal that came while loading ends the trace before the command ran:
 * it is killed before its exec and counts as killed by that signal.
 */
static void stop_unreleased_command(struct trace *t)
{
	on_signal(t);
	if (!t->end_signal || !t->child_running)
		return;
	abandon_child(t);
	t->child_status = t->end_signal; /* the wait status of "killed by end_signal" */
	close(t->child.go_fd);
	close(t->child.err_fd);
	t->child.go_fd = t->child.err_fd = -1;
}

/* --stream FILE, created (or truncated) before anything is loaded */
static int open_stream(struct trace *t)
{
	const char *path = t->opts->stream;

	timeline_init(&t->res.tl, t->opts);
	if (!path)
		return 0;
	t->stream = strcmp(path, "-") ? fopen(path, "we") : stdout;
	if (!t->stream) {
		int err = -errno;

		pr_warn("--stream %s: %s", path, strerror(errno));
		return err;
	}
	return 0;
}

int record_run(const struct options *opts, int *exit_code)
{
	struct trace t = { .opts = opts, .sig_fd = -1, .child = { .go_fd = -1, .err_fd = -1 } };
	int err;

	launch_ns = now_ns(CLOCK_MONOTONIC);
	/* first, so SIGINT at any later moment still ends in a written result */
	err = block_signals(&t);
	err = err ?: check_environment(opts);
	err = err ?: check_targets(&t, exit_code);
	err = err ?: output_check_path(opts->output);
	err = err ?: open_stream(&t);
	err = err ?: check_log_dir(opts->verifier_log_dir);
	err = err ?: load(&t);
	/* the loader's working memory and the embedded objects out of the resident set */
	malloc_trim(0);
	objects_release_embedded();
	phase("loaded");
	err = err ?: fill_targets(&t);
	err = err ?: open_pidfds(&t);
	/*
	 * Before attaching: a target gone by now left nothing to trace.  One that
	 * exits once attached was traced to its end, however soon that is.
	 */
	err = err ?: check_pids_alive(&t);
	err = err ?: start(&t);
	if (!err)
		pr_info("tracing: ready %.1f ms after launch",
			(now_ns(CLOCK_MONOTONIC) - launch_ns) / 1e6);
	if (err) {
		abandon_child(&t);
		goto out;
	}
	stop_unreleased_command(&t);
	if (t.child_running) {
		err = follow_release(&t.child);
		if (err) {
			pr_warn("cannot run '%s': %s", opts->command[0], strerror(-err));
			waitpid(t.child.pid, &t.child_status, 0);
			*exit_code = exit_code_of(t.child_status);
			goto out;
		}
	}
	err = event_loop(&t);
	end_command(&t);
	err = err ?: finish(&t);
	if (!err && opts->ui)
		opts->ui->on_end(opts->ui->ctx, &t.res, t.end_signal != 0);
	if (!err)
		*exit_code = final_exit_code(&t);
out:
	cleanup(&t);
	return err;
}
