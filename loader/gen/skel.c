// SPDX-License-Identifier: GPL-2.0
/*
 * skel NAME OBJ...: write the skeleton header of the BPF objects OBJ... to
 * stdout (gen/emit.c says what it holds).  The objects are only opened
 * (obj__open_mem), so no kernel is needed; the build runs this on the build
 * host and includes the header in the code that uses the objects.
 * Exit status: 0, 1 on an error (one "skel: " line on stderr), 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "gen/skel.h"

static void print(enum loader_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == LOADER_WARN)
		fprintf(stderr, "skel: %s\n", msg);
}

/* the whole file path, malloc'ed, into src */
static int read_object(const char *path, struct obj_src *src)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz = -1;
	int err = 0;

	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		err = -errno;
	else if (!(buf = malloc(sz ? (size_t)sz : 1)))
		err = -ENOMEM;
	else if (fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		err = ferror(f) ? -EIO : -EINVAL;
	if (f)
		fclose(f);
	if (err) {
		fprintf(stderr, "skel: bpf object '%s': %s\n", path, strerror(-err));
		free(buf);
		return err;
	}
	*src = (struct obj_src){ .name = path, .data = buf, .size = (size_t)sz };
	return 0;
}

int main(int argc, char **argv)
{
	struct obj_open_opts oo = { .sz = sizeof(oo), .print = print };
	size_t cnt = argc > 2 ? (size_t)argc - 2 : 0, i;
	struct obj_src *srcs;
	struct obj *o = NULL;
	int err = 0;

	if (argc < 3) {
		fprintf(stderr,
			"usage: skel NAME OBJ...  (the header of skeleton NAME on stdout)\n");
		return 2;
	}
	srcs = calloc(cnt, sizeof(*srcs));
	if (!srcs)
		return 1;
	for (i = 0; i < cnt && !err; i++)
		err = read_object(argv[i + 2], &srcs[i]);
	err = err ?: obj__open_mem(&o, srcs, cnt, &oo);
	err = err ?: skel_write(stdout, argv[1], o, srcs, cnt);
	/* the loader and skel_write report everything else */
	if (err == -EIO || err == -ENOMEM)
		fprintf(stderr, "skel: skeleton '%s': %s\n", argv[1], strerror(-err));
	obj__close(o);
	for (i = 0; i < cnt; i++)
		free((void *)srcs[i].data);
	free(srcs);
	return err ? 1 : 0;
}
