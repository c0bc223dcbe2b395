/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The skeleton generator: from an opened object set, a C header of typed
 * handles to its maps, programs and global variables, on the loader's public
 * API (obj__lookup_map, obj__lookup_prog, obj__set_global).  skel.c is the
 * command the build runs; emit.c writes the header, and the loader's tests
 * drive it directly.  Types are read from each object's .BTF (internal.h).
 */
#ifndef LOADER_GEN_SKEL_H
#define LOADER_GEN_SKEL_H

#include <stdint.h>
#include <stdio.h>

#include "loader.h"

struct btf_data;

/*
 * How a setter takes a global: "const <name> *v" pointing at cnt elements
 * (1, or an array's length) of size bytes in all.
 */
struct skel_type {
	char name[128]; /* "struct iot_config", "__u32", "char", "bool" */
	uint32_t cnt;
	uint32_t size;
};

/*
 * The spelling of type id, through const, volatile, restrict, type tags and
 * typedefs: a named struct or union by its tag, an integer or enum by size
 * and signedness (__u8 ... __s64; "char" and "bool" as such), a
 * one-dimensional array of those as its element.  0, or -EOPNOTSUPP for any
 * other type (an anonymous struct, a pointer, a bitfield, a float, void, a
 * two-dimensional array); the setter then takes "const void *v, size_t sz".
 */
int skel_spell(const struct btf_data *btf, uint32_t id, struct skel_type *out);

/*
 * Write the header of skeleton name (a C identifier; "iotrace" gives struct
 * iotrace_skel and iotrace.skel.h's guard IOTRACE_SKEL_H) for o, opened from
 * srcs.  0, -EINVAL (reported through o's printer: a name that is no C
 * identifier, a global whose size differs between objects), -ENOMEM or -EIO.
 */
int skel_write(FILE *f, const char *name, struct obj *o, const struct obj_src *srcs,
	       size_t src_cnt);

#endif
