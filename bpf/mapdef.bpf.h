/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's legacy map definition (no BTF): type, key size, value size,
 * max entries, flags, in SEC("maps").  Shared by bpf/maps.bpf.h (iotrace's
 * maps) and the benchmark's own programs.
 */
#ifndef IOTRACE_MAPDEF_BPF_H
#define IOTRACE_MAPDEF_BPF_H

#include "helpers.bpf.h"

struct map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

#define MAP_HASH	  1
#define MAP_ARRAY	  2
#define MAP_PROG_ARRAY	  3
#define MAP_PERCPU_ARRAY  6
#define MAP_LRU_HASH	  9
#define MAP_RINGBUF	  27
#define MAP_F_NO_PREALLOC 1

#define DEFINE_MAP(name_, type_, key_, value_, max_, flags_)                                       \
	struct map_def name_ SEC("maps") = {                                                       \
		.type = (type_),                                                                   \
		.key_size = (key_),                                                                \
		.value_size = (value_),                                                            \
		.max_entries = (max_),                                                             \
		.map_flags = (flags_),                                                             \
	}

#endif
