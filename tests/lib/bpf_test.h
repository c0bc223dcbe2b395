/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for Criterion tests that run BPF in the kernel: a gate that skips
 * without privileges (and fails instead under CI=true or
 * IOTRACE_REQUIRE_BPF=1), loading objects built into OUT_DIR through our
 * loader, and raw bpf(2) map access from user space.
 */
#ifndef TESTS_LIB_BPF_TEST_H
#define TESTS_LIB_BPF_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

/*
 * Skip the test (cr_skip_test with the reason) when this process cannot
 * load BPF or the kernel has no BTF; fail it instead when the environment
 * says BPF is required.  Call first in every in-kernel test.
 */
void require_bpf(void);

/* objects opened from memory: the loader may keep pointers into the buffers */
struct test_obj {
	struct obj *obj;
	void *bufs[8];
	size_t buf_cnt;
};

/*
 * Read OUT_DIR/<rel_paths[i]> into memory, obj__open_mem + obj__load them.
 * 0 or -errno; loader messages are passed to the capture (see below).
 */
int test_obj_load(struct test_obj *to, const char *const *rel_paths, size_t cnt,
		  const struct obj_load_opts *opts);
void test_obj_close(struct test_obj *to);

/* loader messages of this process since the last test_obj_load, "" if none */
const char *test_loader_messages(void);
/* Empty the capture. */
void test_capture_messages(void);
/* open options whose messages go to the capture */
const struct obj_open_opts *test_open_opts(void);

/* fd of a map or program by name; -ENOENT when absent */
int test_map_fd(struct test_obj *to, const char *name);

/* BPF_MAP_LOOKUP_ELEM / UPDATE_ELEM / DELETE_ELEM; 0 or -errno */
int test_map_lookup(int map_fd, const void *key, void *value);
int test_map_update(int map_fd, const void *key, const void *value, uint64_t flags);
int test_map_delete(int map_fd, const void *key);

/*
 * prog__test_run of the program named prog_name with ctx = args[0..cnt),
 * as a raw_tracepoint harness sees them; 0 or -errno, *retval = its r0.
 */
int test_run_args(struct test_obj *to, const char *prog_name, const uint64_t *args, size_t cnt,
		  uint32_t *retval);

#endif
