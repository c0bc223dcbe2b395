// SPDX-License-Identifier: GPL-2.0
/*
 * Maps of an object set: legacy SEC("maps") definitions (five u32, one per
 * symbol, merged by name across objects) and one single-entry ARRAY map per
 * global data section (.rodata, .data, .bss and their ".x" variants), whose
 * variables are listed with their BTF type.  Creation fills global data from
 * the section image and freezes .rodata.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* larger global data sections are bugs (the kernel caps array values far lower) */
#define DATA_MAP_MAX_SZ (64u << 20)

struct map_def {
	uint32_t type, key_sz, value_sz, max_entries, flags;
};

int obj__find_map_idx(const struct obj *o, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < o->map_cnt; i++) {
		if (!strcmp(o->maps[i].name, name)) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int add_map(struct obj *o, size_t *cap, const char *name, struct map **out)
{
	struct map *m;

	if (grow(&o->maps, cap, o->map_cnt + 1, sizeof(*o->maps)))
		return -ENOMEM;
	m = &o->maps[o->map_cnt];
	memset(m, 0, sizeof(*m));
	m->obj = o;
	m->pr = o->pr;
	m->fd = -1;
	m->name = strdup(name);
	if (!m->name)
		return -ENOMEM;
	kernel_name(m->kname, name);
	o->map_cnt++;
	*out = m;
	return 0;
}

static int read_map_def(const struct elf_obj *e, const GElf_Sym *sym, const char *name,
			struct map_def *def)
{
	const struct sec *s = &e->secs[e->maps_idx];
	const uint8_t *p = sec_bytes(s);
	size_t i;

	if (sym->st_size < MAP_DEF_SZ || sym->st_value + sym->st_size > s->sh.sh_size) {
		pr_warn(e->pr,
			"%s: map '%s': definition is %llu bytes at 0x%llx, need %d inside section 'maps'",
			e->name, name, (unsigned long long)sym->st_size,
			(unsigned long long)sym->st_value, MAP_DEF_SZ);
		return -EINVAL;
	}
	memset(def, 0, sizeof(*def));
	if (!p)
		return 0; /* SHT_NOBITS: all zero */
	memcpy(def, p + sym->st_value, sizeof(*def));
	for (i = MAP_DEF_SZ; i < sym->st_size; i++) {
		if (p[sym->st_value + i]) {
			pr_warn(e->pr,
				"%s: map '%s': unknown non-zero field at byte %zu of the definition",
				e->name, name, i);
			return -EINVAL;
		}
	}
	return 0;
}

static bool def_equal(const struct map *m, const struct map_def *d)
{
	return m->type == d->type && m->key_sz == d->key_sz && m->value_sz == d->value_sz &&
	       m->max_entries == d->max_entries && m->flags == d->flags;
}

static int merge_map(struct obj *o, size_t idx, const struct elf_obj *e, const struct map_def *d)
{
	const struct map *m = &o->maps[idx];

	if (m->kind != MAP_USER) {
		pr_warn(e->pr, "%s: map '%s': name clashes with a global data map", e->name,
			m->name);
		return -EINVAL;
	}
	if (def_equal(m, d))
		return 0;
	pr_warn(e->pr,
		"%s: map '%s': definition (type %u, key %u, value %u, max %u, flags %u) differs from the one in %s (type %u, key %u, value %u, max %u, flags %u)",
		e->name, m->name, d->type, d->key_sz, d->value_sz, d->max_entries, d->flags,
		o->elfs[m->elf_idx].name, m->type, m->key_sz, m->value_sz, m->max_entries,
		m->flags);
	return -EINVAL;
}

static int add_user_map(struct obj *o, size_t *cap, size_t elf_idx, const GElf_Sym *sym)
{
	const struct elf_obj *e = &o->elfs[elf_idx];
	const char *name = elf__sym_name(e, sym);
	struct map_def d;
	struct map *m;
	size_t idx;
	int err;

	err = read_map_def(e, sym, name, &d);
	if (err)
		return err;
	if (!obj__find_map_idx(o, name, &idx))
		return merge_map(o, idx, e, &d);
	err = add_map(o, cap, name, &m);
	if (err)
		return err;
	m->kind = MAP_USER;
	m->type = d.type;
	m->key_sz = d.key_sz;
	m->value_sz = d.value_sz;
	m->max_entries = d.max_entries;
	m->flags = d.flags;
	m->elf_idx = elf_idx;
	return 0;
}

static int collect_user_maps(struct obj *o, size_t *cap, size_t elf_idx)
{
	const struct elf_obj *e = &o->elfs[elf_idx];
	GElf_Sym sym;
	size_t i;
	int err, type;

	for (i = 1; e->maps_idx && i < e->sym_cnt; i++) {
		if (elf__sym(e, i, &sym) || sym.st_shndx != e->maps_idx)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		err = add_user_map(o, cap, elf_idx, &sym);
		if (err)
			return err;
	}
	return 0;
}

static bool has_prefix_sec(const char *name, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) && (name[n] == '\0' || name[n] == '.');
}

static int data_kind(const struct sec *s, enum map_kind *kind)
{
	if (!(s->sh.sh_flags & SHF_ALLOC) || sec_is_exec(s) || !s->sh.sh_size)
		return -ENOENT;
	if (has_prefix_sec(s->name, ".rodata"))
		*kind = MAP_RODATA;
	else if (has_prefix_sec(s->name, ".data"))
		*kind = MAP_DATA;
	else if (has_prefix_sec(s->name, ".bss"))
		*kind = MAP_BSS;
	else
		return -ENOENT;
	return 0;
}

static int add_data_map(struct obj *o, size_t *cap, size_t elf_idx, size_t sec_idx,
			enum map_kind kind)
{
	struct elf_obj *e = &o->elfs[elf_idx];
	struct sec *s = &e->secs[sec_idx];
	struct map *m;
	char *name;
	int err;

	if (s->sh.sh_size > DATA_MAP_MAX_SZ) {
		pr_warn(e->pr, "%s: section '%s': %llu bytes is too large for a map value", e->name,
			s->name, (unsigned long long)s->sh.sh_size);
		return -E2BIG;
	}
	if (asprintf(&name, "%s%s", e->prefix, s->name) < 0)
		return -ENOMEM;
	err = add_map(o, cap, name, &m);
	free(name);
	if (err)
		return err;
	m->kind = kind;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_sz = 4;
	m->value_sz = s->sh.sh_size;
	m->max_entries = 1;
	m->flags = kind == MAP_RODATA ? BPF_F_RDONLY_PROG : 0;
	m->elf_idx = elf_idx;
	m->sec_idx = sec_idx;
	m->init = calloc(1, s->sh.sh_size);
	if (!m->init)
		return -ENOMEM;
	if (sec_bytes(s))
		memcpy(m->init, sec_bytes(s), s->sh.sh_size);
	s->map_idx = o->map_cnt - 1;
	s->has_map = true;
	return 0;
}

static int collect_data_maps(struct obj *o, size_t *cap, size_t elf_idx)
{
	enum map_kind kind;
	size_t i;
	int err;

	for (i = 1; i < o->elfs[elf_idx].sec_cnt; i++) {
		if (data_kind(&o->elfs[elf_idx].secs[i], &kind))
			continue;
		err = add_data_map(o, cap, elf_idx, i, kind);
		if (err)
			return err;
	}
	return 0;
}

int obj__collect_maps(struct obj *o)
{
	size_t cap = 0, i;
	int err = 0;

	for (i = 0; i < o->elf_cnt && !err; i++)
		err = collect_user_maps(o, &cap, i);
	for (i = 0; i < o->elf_cnt && !err; i++)
		err = collect_data_maps(o, &cap, i);
	return err;
}

static int add_global(struct obj *o, size_t *cap, size_t elf_idx, size_t sym_idx,
		      const GElf_Sym *sym)
{
	const struct elf_obj *e = &o->elfs[elf_idx];
	struct global_var *g;

	if (grow(&o->globals, cap, o->global_cnt + 1, sizeof(*o->globals)))
		return -ENOMEM;
	g = &o->globals[o->global_cnt];
	g->elf_idx = elf_idx;
	g->sym_idx = sym_idx;
	g->key = strdup(elf__sym_name(e, sym));
	if (!g->key)
		return -ENOMEM;
	o->global_cnt++;
	g->shndx = sym->st_shndx;
	g->value = sym->st_value;
	g->size = sym->st_size;
	g->local = GELF_ST_BIND(sym->st_info) == STB_LOCAL;
	g->btf_id = e->btf ? btf_data__var_type(e->btf, e->secs[sym->st_shndx].name,
						elf__sym_name(e, sym))
			   : 0;
	return 0;
}

/* every object symbol in a section that has a global data map (collect_data_maps) */
int obj__collect_globals(struct obj *o)
{
	const struct elf_obj *e;
	size_t cap = 0, i, j;
	GElf_Sym sym;
	int err;

	for (i = 0; i < o->elf_cnt; i++) {
		e = &o->elfs[i];
		for (j = 1; j < e->sym_cnt; j++) {
			if (elf__sym(e, j, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
			    sym.st_shndx >= e->sec_cnt || !e->secs[sym.st_shndx].has_map)
				continue;
			err = add_global(o, &cap, i, j, &sym);
			if (err)
				return err;
		}
	}
	return 0;
}

static int fill_data_map(const struct map *m)
{
	uint32_t key = 0;
	int err;

	err = sys_bpf_map_update_elem(m->fd, &key, m->init, 0);
	if (err) {
		pr_warn(m->pr, "map '%s': cannot set initial value: %s", m->name, strerror(-err));
		return err;
	}
	if (m->kind != MAP_RODATA)
		return 0;
	err = sys_bpf_map_freeze(m->fd);
	if (err)
		pr_warn(m->pr, "map '%s': cannot freeze: %s", m->name, strerror(-err));
	return err;
}

static void map__create_failed(const struct map *m, int err, int memlock_err)
{
	pr_warn(m->pr,
		"map '%s': cannot create (type %u, key %u, value %u, max %u, flags 0x%x): %s",
		m->name, m->type, m->key_sz, m->value_sz, m->max_entries, m->flags, strerror(-err));
	if (err == -EPERM && memlock_err)
		pr_warn(m->pr,
			"map '%s': kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK, which could not be raised: %s",
			m->name, strerror(-memlock_err));
}

/*
 * The kernel's part of map creation (mostly allocating and zeroing the
 * hash tables' bucket arrays, 1-3 ms each for maps of 64k entries) runs on two
 * threads; failures are reported afterwards, the first in map order only,
 * so a refusal is one message as it would be one map after the other.
 */
#define CREATE_THREADS 2

struct create_job {
	struct obj *o;
	size_t next; /* atomic cursor */
	int *errs;   /* per map: 0 or -errno */
	int failed;  /* atomic: stop creating */
};

static void *create_worker(void *arg)
{
	struct create_job *job = arg;
	struct map *m;
	size_t i;
	int fd;

	while (!__atomic_load_n(&job->failed, __ATOMIC_RELAXED) &&
	       (i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) < job->o->map_cnt) {
		m = &job->o->maps[i];
		fd = sys_bpf_map_create(m->kname, m->type, m->key_sz, m->value_sz, m->max_entries,
					m->flags);
		if (fd < 0) {
			job->errs[i] = fd;
			__atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
		} else {
			m->fd = fd;
		}
	}
	return NULL;
}

int obj__create_maps(struct obj *o)
{
	struct create_job job = { o, 0, calloc(o->map_cnt ? o->map_cnt : 1, sizeof(int)), 0 };
	pthread_t tid;
	bool threaded;
	size_t i;
	int err = 0;

	if (!job.errs)
		return -ENOMEM;
	threaded = o->map_cnt > 1 && CREATE_THREADS > 1 &&
		   !pthread_create(&tid, NULL, create_worker, &job);
	create_worker(&job);
	if (threaded)
		pthread_join(tid, NULL);
	/* the first failure in map order; none means every map was created */
	for (i = 0; i < o->map_cnt && !err; i++) {
		if (job.errs[i]) {
			map__create_failed(&o->maps[i], job.errs[i], o->memlock_err);
			err = job.errs[i];
		}
	}
	for (i = 0; i < o->map_cnt && !err; i++)
		if (o->maps[i].kind != MAP_USER)
			err = fill_data_map(&o->maps[i]);
	free(job.errs);
	return err;
}
