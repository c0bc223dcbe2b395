// SPDX-License-Identifier: GPL-2.0
/*
 * Classify every relocation of every code section once, at open time:
 * a map reference, a global data reference, a bpf-to-bpf call or a function
 * address, with its resolved target.  Linking (link.c) only applies these
 * records; a relocation that cannot be classified fails the open.
 *
 * Targets follow one rule (the one clang and GNU as both encode):
 *   call:      target byte = sym.st_value + (imm + 1) * 8 in the symbol's section
 *   ld_imm64:  value byte  = sym.st_value + imm
 * Undefined symbols resolve to the GLOBAL (or WEAK) definition of any object.
 * A WEAK undefined symbol that no object defines is a kernel symbol (a kfunc
 * declared `extern ... __weak`), resolved against vmlinux BTF when linking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct relo_ctx {
	const struct obj *o;
	size_t elf_idx;
	const struct sec *rs; /* the SHT_REL section */
	const struct sec *ts; /* the code section it patches */
	size_t no;
};

#define relo_warn(c, fmt, ...)                                                                     \
	pr_warn((c)->o->pr, "%s: section '%s': relocation #%zu: " fmt,                             \
		(c)->o->elfs[(c)->elf_idx].name, (c)->rs->name, (c)->no, ##__VA_ARGS__)

static int find_global(const struct obj *o, const char *name, size_t *elf_idx, GElf_Sym *out,
		       bool want_weak)
{
	size_t i;

	for (i = 0; i < o->elf_cnt; i++) {
		if (!elf__find_defined(&o->elfs[i], name, want_weak ? STB_WEAK : STB_GLOBAL, out)) {
			*elf_idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

int obj__resolve_sym(const struct obj *o, const char *name, size_t *elf_idx, GElf_Sym *sym)
{
	if (!find_global(o, name, elf_idx, sym, false))
		return 0;
	return find_global(o, name, elf_idx, sym, true);
}

static int32_t insn_imm(const uint8_t *insn)
{
	int32_t imm;

	memcpy(&imm, insn + 4, sizeof(imm));
	return imm;
}

/* the map whose definition starts at off in the maps section of elf_idx */
static int map_at(const struct relo_ctx *c, size_t elf_idx, uint64_t off, size_t *map_idx)
{
	const struct elf_obj *e = &c->o->elfs[elf_idx];
	GElf_Sym sym;

	if (!elf__map_at(e, off, &sym))
		return obj__find_map_idx(c->o, elf__sym_name(e, &sym), map_idx);
	relo_warn(c, "no map definition at offset 0x%llx of section 'maps' in %s",
		  (unsigned long long)off, e->name);
	return -EINVAL;
}

static int classify_call(const struct relo_ctx *c, struct relo *r, const struct sec *ds,
			 const GElf_Sym *sym, int32_t imm)
{
	int64_t tgt = (int64_t)sym->st_value + ((int64_t)imm + 1) * INSN_SZ;

	if (!sec_is_exec(ds)) {
		relo_warn(c, "call target is in non-code section '%s'", ds->name);
		return -EINVAL;
	}
	if (tgt < 0 || (uint64_t)tgt >= ds->sh.sh_size || tgt % INSN_SZ) {
		relo_warn(c, "call target 0x%llx is outside section '%s'", (long long)tgt,
			  ds->name);
		return -EINVAL;
	}
	r->kind = RELO_CALL;
	r->tgt_off = tgt;
	return 0;
}

static int classify_ld(const struct relo_ctx *c, struct relo *r, size_t def_elf,
		       const struct sec *ds, const GElf_Sym *sym, int32_t imm)
{
	const struct elf_obj *e = &c->o->elfs[def_elf];
	int64_t off = (int64_t)sym->st_value + imm;

	if (e->maps_idx && ds == &e->secs[e->maps_idx]) {
		r->kind = RELO_MAP;
		return map_at(c, def_elf, off, &r->map_idx);
	}
	if (off < 0 || (uint64_t)off > ds->sh.sh_size) {
		relo_warn(c, "offset %lld is outside section '%s'", (long long)off, ds->name);
		return -EINVAL;
	}
	if (ds->has_map) {
		r->kind = RELO_DATA;
		r->map_idx = ds->map_idx;
		r->data_off = off;
		return 0;
	}
	if (sec_is_exec(ds) && off % INSN_SZ == 0 && (uint64_t)off < ds->sh.sh_size) {
		r->kind = RELO_FUNC;
		r->tgt_off = off;
		return 0;
	}
	relo_warn(c, "ld_imm64 refers to section '%s', which is neither maps, global data nor code",
		  ds->name);
	return -EINVAL;
}

/*
 * The defining symbol and object of relocation symbol sym_idx; 1 (and the
 * name) for a weak symbol no object defines: a kernel symbol.
 */
static int def_sym(const struct relo_ctx *c, size_t sym_idx, size_t *def_elf, GElf_Sym *sym,
		   const char **ksym)
{
	const struct elf_obj *e = &c->o->elfs[c->elf_idx];
	const char *name;

	if (elf__sym(e, sym_idx, sym))
		return -EINVAL;
	*def_elf = c->elf_idx;
	if (sym->st_shndx != SHN_UNDEF && sym->st_shndx != SHN_ABS)
		return 0;
	name = elf__sym_name(e, sym);
	if (sym->st_shndx == SHN_UNDEF && !obj__resolve_sym(c->o, name, def_elf, sym))
		return 0;
	if (sym->st_shndx == SHN_UNDEF && GELF_ST_BIND(sym->st_info) == STB_WEAK && *name) {
		*ksym = name;
		return 1;
	}
	relo_warn(c, "symbol '%s' is not defined in any object", name);
	return -ENOENT;
}

static int classify(const struct relo_ctx *c, const GElf_Rel *rel, struct relo *r)
{
	const uint8_t *insn = sec_bytes(c->ts) + rel->r_offset;
	unsigned int type = GELF_R_TYPE(rel->r_info);
	bool is_call = insn[0] == CALL_INSN;
	const char *ksym = NULL;
	const struct sec *ds;
	size_t def_elf;
	GElf_Sym sym;
	int err;

	if (type != (is_call ? R_BPF_64_32 : R_BPF_64_64)) {
		relo_warn(c, "type %u is not supported on %s", type, is_call ? "call" : "ld_imm64");
		return -EINVAL;
	}
	err = def_sym(c, GELF_R_SYM(rel->r_info), &def_elf, &sym, &ksym);
	r->insn_off = rel->r_offset;
	r->relo_no = c->no;
	if (err == 1) {
		r->kind = RELO_KSYM;
		r->ksym = ksym;
		return 0;
	}
	if (err)
		return err;
	ds = &c->o->elfs[def_elf].secs[sym.st_shndx];
	r->tgt_elf = def_elf;
	r->tgt_sec = sym.st_shndx;
	if (is_call)
		return classify_call(c, r, ds, &sym, insn_imm(insn));
	return classify_ld(c, r, def_elf, ds, &sym, insn_imm(insn));
}

static int cmp_relo(const void *a, const void *b)
{
	const struct relo *x = a, *y = b;

	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

static int classify_sec(struct obj *o, size_t elf_idx, struct sec *ts)
{
	struct elf_obj *e = &o->elfs[elf_idx];
	struct relo_ctx c = { .o = o, .elf_idx = elf_idx, .ts = ts };
	size_t cnt;
	GElf_Rel rel;
	int err;

	c.rs = &e->secs[ts->rel_idx];
	cnt = c.rs->sh.sh_size / sizeof(Elf64_Rel);
	ts->relos = calloc(cnt ? cnt : 1, sizeof(*ts->relos));
	if (!ts->relos)
		return -ENOMEM;
	for (c.no = 0; c.no < cnt; c.no++) {
		if (!gelf_getrel(c.rs->data, (int)c.no, &rel))
			return -EINVAL;
		err = classify(&c, &rel, &ts->relos[c.no]);
		if (err)
			return err;
	}
	ts->relo_cnt = cnt;
	qsort(ts->relos, cnt, sizeof(*ts->relos), cmp_relo);
	return 0;
}

int obj__classify_relos(struct obj *o)
{
	struct sec *s;
	size_t i, j;
	int err;

	for (i = 0; i < o->elf_cnt; i++) {
		for (j = 1; j < o->elfs[i].sec_cnt; j++) {
			s = &o->elfs[i].secs[j];
			if (!sec_is_exec(s) || !s->rel_idx)
				continue;
			err = classify_sec(o, i, s);
			if (err)
				return err;
		}
	}
	return 0;
}
