// SPDX-License-Identifier: GPL-2.0
/*
 * Accessors of objects, programs, maps and global variables, and the
 * settings a caller may change between obj__open_mem and obj__load (map
 * sizes, global variables).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

size_t obj__prog_cnt(const struct obj *o)
{
	return o->prog_cnt;
}

struct prog *obj__prog(struct obj *o, size_t idx)
{
	return idx < o->prog_cnt ? &o->progs[idx] : NULL;
}

struct prog *obj__find_prog(struct obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->prog_cnt; i++)
		if (!strcmp(o->progs[i].name, name))
			return &o->progs[i];
	return NULL;
}

size_t obj__map_cnt(const struct obj *o)
{
	return o->map_cnt;
}

struct map *obj__map(struct obj *o, size_t idx)
{
	return idx < o->map_cnt ? &o->maps[idx] : NULL;
}

struct map *obj__find_map(struct obj *o, const char *name)
{
	size_t idx;

	return obj__find_map_idx(o, name, &idx) ? NULL : &o->maps[idx];
}

const char *prog__name(const struct prog *p)
{
	return p->name;
}

const char *prog__section(const struct prog *p)
{
	return p->sec_name;
}

int prog__fd(const struct prog *p)
{
	return p->fd;
}

int prog__missed_runs(const struct prog *p, uint64_t *out)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int err;

	if (p->fd < 0)
		return -EBADF;
	memset(&info, 0, sizeof(info));
	err = sys_bpf_obj_get_info(p->fd, &info, &len);
	if (err)
		return err;
	if (len < offsetof(struct bpf_prog_info, recursion_misses) + sizeof(info.recursion_misses))
		return -EOPNOTSUPP;
	*out = info.recursion_misses;
	return 0;
}

size_t prog__insn_cnt(const struct prog *p)
{
	return p->insn_cnt;
}

const struct bpf_insn *prog__insns(const struct prog *p)
{
	return p->insns;
}

const struct prog *prog__twin(const struct prog *p)
{
	return p->twin;
}

void prog__set_optional(struct prog *p, bool optional)
{
	p->optional = optional;
}

bool prog__attached(const struct prog *p)
{
	return p->attached;
}

void prog__set_autoload(struct prog *p, bool autoload)
{
	p->noload = !autoload;
}

void prog__set_deferred(struct prog *p, bool deferred)
{
	p->deferred = deferred;
}

const char *prog__log(const struct prog *p)
{
	return p->log;
}

const char *map__name(const struct map *m)
{
	return m->name;
}

int map__fd(const struct map *m)
{
	return m->fd;
}

uint32_t map__type(const struct map *m)
{
	return m->type;
}

uint32_t map__key_size(const struct map *m)
{
	return m->key_sz;
}

uint32_t map__value_size(const struct map *m)
{
	return m->value_sz;
}

uint32_t map__max_entries(const struct map *m)
{
	return m->max_entries;
}

int obj__lookup_prog(struct obj *o, const char *name, struct prog **out)
{
	*out = obj__find_prog(o, name);
	if (!*out) {
		pr_warn(o->pr, "prog '%s': not in the BPF objects", name);
		return -ENOENT;
	}
	return 0;
}

int obj__lookup_map(struct obj *o, const char *name, struct map **out)
{
	*out = obj__find_map(o, name);
	if (!*out) {
		pr_warn(o->pr, "map '%s': not in the BPF objects", name);
		return -ENOENT;
	}
	return 0;
}

int map__set_max_entries(struct map *m, uint32_t max_entries)
{
	if (m->obj->loaded || m->kind != MAP_USER) {
		pr_warn(m->pr,
			"map '%s': max_entries can only change before load, on SEC(\"maps\") maps",
			m->name);
		return -EINVAL;
	}
	m->max_entries = max_entries;
	return 0;
}

int obj__set_max_entries(struct obj *o, const char *map_name, uint32_t max_entries)
{
	struct map *m = obj__find_map(o, map_name);

	if (!m) {
		pr_warn(o->pr, "map '%s': no such map", map_name);
		return -ENOENT;
	}
	return map__set_max_entries(m, max_entries);
}

size_t obj__global_cnt(const struct obj *o)
{
	return o->global_cnt;
}

int obj__global(const struct obj *o, size_t idx, struct obj_global *out)
{
	const struct global_var *g = idx < o->global_cnt ? &o->globals[idx] : NULL;

	if (!g)
		return -ENOENT;
	out->name = g->key;
	out->section = o->elfs[g->elf_idx].secs[g->shndx].name;
	out->src_idx = g->elf_idx;
	out->size = g->size;
	out->local = g->local;
	out->btf_id = g->btf_id;
	return 0;
}

/*
 * Before load: into the initial value.  After load (.data/.bss only): a
 * read-modify-write of the map's single value, so other variables of the
 * section keep what the programs stored (a program storing to them between
 * the read and the write loses that store).
 */
static int write_global(struct obj *o, struct map *m, const char *name, size_t off, const void *val,
			size_t val_sz)
{
	uint32_t key = 0;
	int err;

	if (!o->loaded) {
		memcpy(m->init + off, val, val_sz);
		return 0;
	}
	if (m->kind == MAP_RODATA || m->fd < 0) {
		pr_warn(o->pr, "global '%s': read-only or not created after load", name);
		return -EPERM;
	}
	err = sys_bpf_map_lookup_elem(m->fd, &key, m->init);
	if (!err) {
		memcpy(m->init + off, val, val_sz);
		err = sys_bpf_map_update_elem(m->fd, &key, m->init, 0);
	}
	if (err)
		pr_warn(o->pr, "global '%s': cannot update map '%s': %s", name, m->name,
			strerror(-err));
	return err;
}

/* check (write == false) or write every definition of a global variable */
static int each_global(struct obj *o, const char *name, const void *val, size_t val_sz, bool write,
		       size_t *cnt)
{
	const struct global_var *g;
	const struct elf_obj *e;
	const struct sec *s;
	size_t i;

	for (i = 0, *cnt = 0; i < o->global_cnt; i++) {
		g = &o->globals[i];
		e = &o->elfs[g->elf_idx];
		if (strcmp(g->key, name))
			continue;
		s = &e->secs[g->shndx];
		if (g->size != val_sz || g->value + val_sz > s->sh.sh_size) {
			pr_warn(o->pr, "%s: global '%s': is %llu bytes, got %zu", e->name, name,
				(unsigned long long)g->size, val_sz);
			return -EINVAL;
		}
		if (write) {
			int err =
				write_global(o, &o->maps[s->map_idx], name, g->value, val, val_sz);

			if (err)
				return err;
		}
		(*cnt)++;
	}
	return 0;
}

int obj__set_global(struct obj *o, const char *sym_name, const void *val, size_t val_sz)
{
	size_t cnt;
	int err;

	err = each_global(o, sym_name, val, val_sz, false, &cnt);
	if (err)
		return err;
	if (!cnt) {
		pr_warn(o->pr, "global '%s': no object defines it in .rodata, .data or .bss",
			sym_name);
		return -ENOENT;
	}
	return each_global(o, sym_name, val, val_sz, true, &cnt);
}
