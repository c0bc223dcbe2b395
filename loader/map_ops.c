// SPDX-License-Identifier: GPL-2.0
/*
 * Element access on created maps, for the loader's users: thin methods over
 * the bpf(2) wrappers that check the map exists and was created.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

#define DUMP_BATCH 1024

static int dump_by_key(const struct map *m, map_batch_fn fn, void *ctx, uint8_t *key, uint8_t *next,
		       uint8_t *value)
{
	bool first = true;
	int err;

	while (!(err = sys_bpf_map_get_next_key(m->fd, first ? NULL : key, next))) {
		memcpy(key, next, m->key_sz);
		first = false;
		err = sys_bpf_map_lookup_elem(m->fd, key, value);
		if (err == -ENOENT)
			continue; /* deleted meanwhile */
		if (err || (err = fn(key, value, 1, ctx)))
			return err;
	}
	return err == -ENOENT ? 0 : err;
}

/*
 * 1: read it key by key instead (batches unsupported before 5.6 or by this
 * map type, or a hash bucket holds more than DUMP_BATCH entries).  The batch
 * token is a u32 bucket index for hash maps, a key for arrays: 16 bytes hold
 * either.
 */
static int dump_batched(const struct map *m, map_batch_fn fn, void *ctx, uint8_t *keys,
			uint8_t *values)
{
	uint64_t token[2] = { 0 }, next[2] = { 0 };
	bool first = true, last = false;
	int err;

	while (!last) {
		uint32_t cnt = DUMP_BATCH;

		err = sys_bpf_map_lookup_batch(m->fd, first ? NULL : token, next, keys, values,
					       &cnt);
		if (first &&
		    (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP || err == -ENOSPC))
			return 1;
		if (err && err != -ENOENT)
			return err;
		last = err == -ENOENT;
		first = false;
		memcpy(token, next, sizeof(token));
		if (cnt && (err = fn(keys, values, cnt, ctx)))
			return err;
	}
	return 0;
}

int map__dump_batch(const struct map *m, map_batch_fn fn, void *ctx)
{
	uint8_t *keys, *values;
	int fd = map_fd_of(m), err;

	if (fd < 0)
		return fd;
	keys = calloc(DUMP_BATCH + 1, m->key_sz);
	values = calloc(DUMP_BATCH, m->value_sz);
	if (!keys || !values) {
		err = -ENOMEM;
		goto out;
	}
	err = dump_batched(m, fn, ctx, keys, values);
	if (err == 1)
		err = dump_by_key(m, fn, ctx, keys, keys + DUMP_BATCH * (size_t)m->key_sz, values);
out:
	free(keys);
	free(values);
	return err;
}

struct each {
	const struct map *m;
	map_dump_fn fn;
	void *ctx;
};

static int each_elem(const void *keys, const void *values, uint32_t cnt, void *ctx)
{
	const struct each *e = ctx;
	int err = 0;

	for (uint32_t i = 0; i < cnt && !err; i++)
		err = e->fn((const uint8_t *)keys + (size_t)i * e->m->key_sz,
			    (const uint8_t *)values + (size_t)i * e->m->value_sz, e->ctx);
	return err;
}

int map__dump(const struct map *m, map_dump_fn fn, void *ctx)
{
	struct each e = { m, fn, ctx };

	return map__dump_batch(m, each_elem, &e);
}
