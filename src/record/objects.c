// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF objects embedded in the binary by src/record/embed.S, opened as one
 * loader object: the C handlers plus the asm subprograms they call, bound to
 * the skeleton the build generated from them.  A developer may replace the
 * whole set by files (--bpf-object), read here into memory and opened the
 * same way; they must define the same maps and programs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "record/record.h"
#include "loader.h"
#include "iotrace.skel.h"

struct embedded_obj {
	const char *name;
	const char *start;
	const char *end;
};

extern const struct embedded_obj embedded_objs[];
extern const uint64_t embedded_objs_cnt;

#define MAX_EMBEDDED 16

/*
 * The loader's messages are iotrace's: "iotrace: <message>", info with -v,
 * debug with -vv; written whole (a rejection carries a log tail, longer
 * than cli/log.c's line buffer).
 */
static void loader_print(enum loader_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if ((level == LOADER_INFO && log_verbosity < 1) ||
	    (level == LOADER_DEBUG && log_verbosity < 2))
		return;
	fprintf(stderr, "iotrace: %s\n", msg);
}

static int open_embedded(struct obj **out, const struct obj_open_opts *opts)
{
	struct obj_src srcs[MAX_EMBEDDED];
	size_t n = embedded_objs_cnt < MAX_EMBEDDED ? embedded_objs_cnt : MAX_EMBEDDED;

	for (size_t i = 0; i < n; i++) {
		srcs[i].name = embedded_objs[i].name;
		srcs[i].data = embedded_objs[i].start;
		srcs[i].size = (size_t)(embedded_objs[i].end - embedded_objs[i].start);
	}
	return obj__open_mem(out, srcs, n, opts);
}

#define MAX_OBJECT_SZ (64 << 20)

/* the whole regular file path, malloc'd */
static int read_object(const char *path, struct obj_src *src)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_OBJECT_SZ) {
		err = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0 && !(n < 0 && errno == EINTR)) {
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += n > 0 ? (size_t)n : 0;
	}
	src->name = path;
	src->data = buf;
	src->size = got;
	buf = NULL;
out:
	if (err)
		pr_warn("bpf object '%s': %s", path,
			err == -EINVAL ? "not a regular file" : strerror(-err));
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The loader keeps pointers into the object bytes (libelf reads them in
 * place), so the buffers live until objects_close.
 */
static struct obj_src *file_srcs;
static size_t file_src_cnt;

static int open_files(struct obj **out, const char *const *files, size_t file_cnt,
		      const struct obj_open_opts *opts)
{
	struct obj_src *srcs = calloc(file_cnt, sizeof(*srcs));
	int err = srcs ? 0 : -ENOMEM;

	for (size_t i = 0; i < file_cnt && !err; i++)
		err = read_object(files[i], &srcs[i]);
	err = err ?: obj__open_mem(out, srcs, file_cnt, opts);
	file_srcs = srcs;
	file_src_cnt = srcs ? file_cnt : 0;
	if (err)
		objects_close(NULL);
	return err;
}

/*
 * Once loaded, the embedded objects' pages (about 0.5 MB, touched while
 * parsing) leave the resident set: they are clean pages of the binary, read
 * again from it if the loader looks at them later (they stay mapped).
 */
void objects_release_embedded(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo, hi;

	for (size_t i = 0; page > 0 && i < embedded_objs_cnt; i++) {
		lo = ((uintptr_t)embedded_objs[i].start + (uintptr_t)page - 1) &
		     ~((uintptr_t)page - 1);
		hi = (uintptr_t)embedded_objs[i].end & ~((uintptr_t)page - 1);
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
}

void objects_close(struct obj *o)
{
	obj__close(o);
	for (size_t i = 0; i < file_src_cnt; i++)
		free((void *)file_srcs[i].data);
	free(file_srcs);
	file_srcs = NULL;
	file_src_cnt = 0;
}

bool objects_can_count_faults(void)
{
	return loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_find_vma) == 1;
}

void objects_choose_loops(struct iotrace_skel *s)
{
	struct prog *const first[TAIL_CNT] = {
#define X(idx, prog) [idx] = s->progs.prog,
		IOT_TAILS(X)
#undef X
	};
	bool loop = loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop) == 1;

	/* each slot of IOT_TAIL_LOOPS: its first form, or its loop form */
#define X(idx, prog)                                                                               \
	prog__set_autoload(first[idx], !loop);                                                     \
	prog__set_autoload(s->progs.prog, loop);
	IOT_TAIL_LOOPS(X)
#undef X
}

int objects_open(struct iotrace_skel *s, const char *const *files, size_t file_cnt,
		 const char *tracefs)
{
	struct obj_open_opts opts = {
		.sz = sizeof(opts),
		.print = loader_print,
		.tracefs = tracefs,
	};
	struct obj *o = NULL;
	int err;

	err = file_cnt ? open_files(&o, files, file_cnt, &opts) : open_embedded(&o, &opts);
	s->obj = o;
	return err ?: iotrace_skel__bind(s, o);
}
