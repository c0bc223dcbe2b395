// SPDX-License-Identifier: GPL-2.0
/*
 * One wrapper per bpf(2) command, named after it.  Each fills a zeroed
 * union bpf_attr, calls the raw syscall and returns an fd, 0 or -errno
 * (errno is read once, right after the call).  New fds are O_CLOEXEC:
 * the kernel sets it on every fd bpf(2) returns.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "internal.h"

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
}

int sys_bpf_map_create(const char *name, uint32_t type, uint32_t key_sz, uint32_t value_sz,
		       uint32_t max_entries, uint32_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_sz;
	attr.value_size = value_sz;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}

int sys_bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)key;
	attr.value = (uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

int sys_bpf_map_freeze(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
}

int sys_bpf_btf_load(const void *data, uint32_t size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.btf = (uintptr_t)data;
	attr.btf_size = size;
	return sys_bpf(BPF_BTF_LOAD, &attr, sizeof(attr));
}

int sys_bpf_prog_load(union bpf_attr *attr)
{
	return sys_bpf(BPF_PROG_LOAD, attr, sizeof(*attr));
}

int sys_bpf_prog_test_run(int fd, const void *ctx, size_t ctx_sz, uint32_t *retval)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.ctx_in = (uintptr_t)ctx;
	attr.test.ctx_size_in = ctx_sz;
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr, sizeof(attr));
	if (!err)
		*retval = attr.test.retval;
	return err;
}

/* *len: the size of info, then the bytes the kernel filled (its own struct may be shorter) */
int sys_bpf_obj_get_info(int fd, void *info, uint32_t *len)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = *len;
	attr.info.info = (uintptr_t)info;
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	*len = attr.info.info_len;
	return err;
}

int sys_bpf_raw_tracepoint_open(const char *name, int prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = (uintptr_t)name;
	attr.raw_tracepoint.prog_fd = prog_fd;
	return sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
}

int sys_bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)key;
	attr.value = (uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

int sys_bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)key;
	attr.next_key = (uintptr_t)next_key;
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr));
}

/* *count: entries asked for, then entries returned; -ENOENT after the last batch */
int sys_bpf_map_lookup_batch(int fd, const void *in_batch, void *out_batch, void *keys,
			     void *values, uint32_t *count)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.batch.map_fd = fd;
	attr.batch.in_batch = (uintptr_t)in_batch;
	attr.batch.out_batch = (uintptr_t)out_batch;
	attr.batch.keys = (uintptr_t)keys;
	attr.batch.values = (uintptr_t)values;
	attr.batch.count = *count;
	err = sys_bpf(BPF_MAP_LOOKUP_BATCH, &attr, sizeof(attr));
	*count = attr.batch.count;
	return err;
}
