// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel test support: privilege gate, object loading from OUT_DIR and
 * raw bpf(2) map wrappers (tests must not depend on the loader for reading
 * back results, or a loader bug could hide behind itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <criterion/criterion.h>

#include "bpf_test.h"

static char *messages;
static size_t messages_len;

static void capture(enum loader_level level, const char *msg, void *ctx)
{
	size_t n = strlen(msg);
	char *m = realloc(messages, messages_len + n + 2);

	(void)level; /* kept, not echoed: failing tests print test_loader_messages() */
	(void)ctx;
	if (!m)
		return;
	messages = m;
	memcpy(messages + messages_len, msg, n);
	messages_len += n;
	messages[messages_len++] = '\n';
	messages[messages_len] = '\0';
}

const char *test_loader_messages(void)
{
	return messages ? messages : "";
}

void test_capture_messages(void)
{
	free(messages);
	messages = NULL;
	messages_len = 0;
}

const struct obj_open_opts *test_open_opts(void)
{
	static const struct obj_open_opts opts = { .sz = sizeof(opts), .print = capture };

	return &opts;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static bool bpf_required(void)
{
	const char *ci = getenv("CI");
	const char *req = getenv("IOTRACE_REQUIRE_BPF");

	return (ci && !strcmp(ci, "true")) || (req && !strcmp(req, "1"));
}

void require_bpf(void)
{
	union bpf_attr attr;
	const char *why = NULL;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		why = errno == EPERM ? "no CAP_BPF (run as root)" : "bpf(2) unavailable";
	else
		close((int)fd);
	if (!why && access("/sys/kernel/btf/vmlinux", R_OK))
		why = "kernel without BTF (/sys/kernel/btf/vmlinux)";
	if (!why)
		return;
	if (bpf_required())
		cr_assert_fail("BPF required (CI=true or IOTRACE_REQUIRE_BPF=1) but %s", why);
	cr_skip_test("%s", why);
}

static int read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	*data = malloc(st.st_size ? st.st_size : 1);
	if (!*data) {
		err = -ENOMEM;
		goto out;
	}
	n = read(fd, *data, st.st_size);
	if (n != st.st_size) {
		err = n < 0 ? -errno : -EIO;
		free(*data);
		*data = NULL;
		goto out;
	}
	*size = st.st_size;
out:
	close(fd);
	return err;
}

int test_obj_load(struct test_obj *to, const char *const *rel_paths, size_t cnt,
		  const struct obj_load_opts *opts)
{
	struct obj_src srcs[8];
	char path[4096];
	size_t i;
	int err;

	memset(to, 0, sizeof(*to));
	if (cnt > sizeof(srcs) / sizeof(srcs[0]))
		return -E2BIG;
	test_capture_messages();
	for (i = 0; i < cnt; i++) {
		snprintf(path, sizeof(path), "%s/%s", OUT_DIR, rel_paths[i]);
		err = read_file(path, &to->bufs[i], &srcs[i].size);
		if (err) {
			fprintf(stderr, "test: %s: %s\n", path, strerror(-err));
			goto err_free;
		}
		to->buf_cnt++;
		srcs[i].name = rel_paths[i];
		srcs[i].data = to->bufs[i];
	}
	err = obj__open_mem(&to->obj, srcs, cnt, test_open_opts());
	if (err)
		goto err_free;
	err = obj__load(to->obj, opts);
	if (err)
		goto err_free;
	return 0;
err_free:
	test_obj_close(to);
	return err;
}

void test_obj_close(struct test_obj *to)
{
	size_t i;

	obj__close(to->obj);
	to->obj = NULL;
	for (i = 0; i < to->buf_cnt; i++)
		free(to->bufs[i]);
	to->buf_cnt = 0;
}

int test_map_fd(struct test_obj *to, const char *name)
{
	struct map *m = obj__find_map(to->obj, name);

	return m ? map__fd(m) : -ENOENT;
}

int test_map_lookup(int map_fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) ? -errno : 0;
}

int test_map_update(int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) ? -errno : 0;
}

int test_map_delete(int map_fd, const void *key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (uint64_t)(uintptr_t)key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &attr) ? -errno : 0;
}

int test_run_args(struct test_obj *to, const char *prog_name, const uint64_t *args, size_t cnt,
		  uint32_t *retval)
{
	struct prog *p = obj__find_prog(to->obj, prog_name);

	if (!p)
		return -ENOENT;
	return prog__test_run(p, args, cnt * sizeof(*args), retval);
}
