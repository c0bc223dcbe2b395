/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process and file helpers for the end-to-end tests: run a command with
 * fork/exec (never system()) capturing its output and exit status, temp
 * directories, whole-file reads.  libc and
 * Criterion only: this file is linked into every test binary.
 */
#ifndef TESTS_LIB_E2E_H
#define TESTS_LIB_E2E_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct e2e_proc {
	int status;	 /* shell convention: exit code, or 128+signal */
	bool timed_out;	 /* killed after the timeout */
	char *out, *err; /* NUL-terminated captures */
	size_t out_len, err_len;
};

/*
 * Run argv[0] (searched in PATH without a slash) with argv, stdin from /dev/null, capturing stdout and
 * stderr; kill it after timeout_s seconds.  0 or -errno (the run itself failed).
 */
int e2e_run(char *const argv[], int timeout_s, struct e2e_proc *p);
void e2e_proc_free(struct e2e_proc *p);

/*
 * Drop iotrace's "attaching waited ..." lines from a stderr capture: when
 * tests run in parallel, a trace may start while another one's programs are
 * being detached, and says so; tests that compare stderr whole ignore it.
 * e2e_run does it for its captures.
 */
void e2e_strip_attach_wait(char *err);

/* Start argv in the background, stdout and stderr to err_path; its pid or -errno. */
/* dir/rel in one of 8 rotating static buffers (a few may be live at once) */
char *e2e_join(const char *dir, const char *rel);
pid_t e2e_spawn(char *const argv[], const char *err_path);
/* Wait for pid up to timeout_s (then SIGKILL); shell-style status or -errno. */
int e2e_wait(pid_t pid, int timeout_s);

/*
 * Block until the tracer pid holds all its attachments (a perf event per
 * syscall tracepoint, and a bpf link) and its trace is live (it counts from
 * then on); false on timeout.
 */
bool e2e_wait_attached(pid_t pid, int timeout_ms);

/* an fd of the BPF map called name that process pid holds, or -1 */
int e2e_tracer_map(pid_t pid, const char *name);

/* Skip unless this process may load BPF and the kernel has BTF; fail instead under CI. */
void e2e_require_tracer(void);

/* A fresh directory below base (realpath'd, malloc'd); remove with e2e_rmtree. */
char *e2e_tmpdir(const char *base);
void e2e_rmtree(const char *dir);

/* Whole file, NUL-terminated; 0 or -errno. */
int e2e_read_file(const char *path, char **buf, size_t *len);
/* Create path with size bytes of fill (0644); 0 or -errno. */
int e2e_make_file(const char *path, size_t size, char fill);

/* The binaries under test */
/* the binary under test: $IOTRACE_BIN (make test-san sets it), else SRC_DIR/iotrace */
char *e2e_iotrace(void);
#define E2E_IOTRACE  e2e_iotrace()
#define E2E_WORKLOAD OUT_DIR "/tests/e2e/workload"

#endif
