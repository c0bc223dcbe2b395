// SPDX-License-Identifier: GPL-2.0
/*
 * Element access on created maps, for the loader's users: thin methods over
 * the bpf(2) wrappers that check the map exists and was created.
 */
#include <errno.h>

#include "internal.h"

static int map_fd_of(const struct map *m)
{
	return m && m->fd >= 0 ? m->fd : -EBADF;
}

int map__lookup_elem(const struct map *m, const void *key, void *value)
{
	int fd = map_fd_of(m);

	return fd < 0 ? fd : sys_bpf_map_lookup_elem(fd, key, value);
}

int map__update_elem(const struct map *m, const void *key, const void *value, uint64_t flags)
{
	int fd = map_fd_of(m);

	return fd < 0 ? fd : sys_bpf_map_update_elem(fd, key, value, flags);
}

int map__get_next_key(const struct map *m, const void *key, void *next_key)
{
	int fd = map_fd_of(m);

	return fd < 0 ? fd : sys_bpf_map_get_next_key(fd, key, next_key);
}
