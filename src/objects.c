// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF objects embedded in the binary by src/embed.S, opened as one
 * loader object: the C handlers plus the asm subprograms they call.
 */
#include <stdint.h>

#include "iotrace.h"
#include "loader.h"

struct embedded_obj {
	const char *name;
	const char *start;
	const char *end;
};

extern const struct embedded_obj embedded_objs[];
extern const uint64_t embedded_objs_cnt;

#define MAX_EMBEDDED 16

int objects_open(struct obj **out)
{
	struct obj_src srcs[MAX_EMBEDDED];
	size_t n = embedded_objs_cnt < MAX_EMBEDDED ? embedded_objs_cnt : MAX_EMBEDDED;

	for (size_t i = 0; i < n; i++) {
		srcs[i].name = embedded_objs[i].name;
		srcs[i].data = embedded_objs[i].start;
		srcs[i].size = (size_t)(embedded_objs[i].end - embedded_objs[i].start);
	}
	return obj__open_mem(out, srcs, n);
}
