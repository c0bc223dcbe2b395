// SPDX-License-Identifier: GPL-2.0
/*
 * User-space CO-RE: read the core_relo records of .BTF.ext, resolve each one
 * against the kernel's BTF and patch the final instruction.  Supported kinds:
 * FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, and TYPE_ID_TARGET (the
 * vmlinux id of a struct, the argument of bpf_rdonly_cast).
 *
 * Resolution: the local root type (modifiers and typedefs skipped, "___flavor"
 * suffix stripped) names candidate STRUCT/UNIONs in the target.  The access
 * string "0:2:1" is an array index on the root, then member indices of the
 * LOCAL type; each member is found BY NAME in the target, looking inside
 * anonymous struct/union members (6.18 keeps file.f_path in one) and adding
 * their offsets.  Every candidate is tried; they must agree.  A field this
 * kernel lacks is "poisoned": the insn becomes a call to helper
 * CORE_POISON_ID, so a reachable use fails verification recognisably.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "internal.h"

#define BTF_EXT_MAGIC 0xeB9F
#define MAX_ACCESS    32

enum core_kind {
	CORE_FIELD_BYTE_OFFSET = 0,
	CORE_FIELD_BYTE_SIZE = 1,
	CORE_FIELD_EXISTS = 2,
	CORE_TYPE_ID_TARGET = 7,
};

static const char *const core_kind_names[] = {
	"field_byte_offset", "field_byte_size",	 "field_exists",   "field_signed",
	"field_lshift_u64",  "field_rshift_u64", "type_id_local",  "type_id_target",
	"type_exists",	     "type_size",	 "enumval_exists", "enumval_value",
	"type_matches",
};

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

struct access {
	uint32_t idx[MAX_ACCESS];
	size_t cnt;
};

/* one resolved walk: byte offset and size of the field */
struct field_loc {
	uint32_t off;
	uint32_t sz;
};

static const char *kind_name(uint32_t kind)
{
	size_t n = sizeof(core_kind_names) / sizeof(core_kind_names[0]);

	return kind < n ? core_kind_names[kind] : "unknown";
}

/* ---- .BTF.ext ---------------------------------------------------------- */

static int sec_by_name(const struct elf_obj *e, const char *name, size_t *idx)
{
	size_t i;

	for (i = 1; i < e->sec_cnt; i++) {
		if (!strcmp(e->secs[i].name, name)) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int add_core_rec(struct elf_obj *e, size_t *cap, size_t sec_idx, const uint8_t *p)
{
	const struct sec *s = &e->secs[sec_idx];
	struct core_rec *r;

	if (grow(&e->core, cap, e->core_cnt + 1, sizeof(*e->core)))
		return -ENOMEM;
	r = &e->core[e->core_cnt];
	r->sec_idx = sec_idx;
	memcpy(&r->insn_off, p, 4);
	memcpy(&r->type_id, p + 4, 4);
	memcpy(&r->access_off, p + 8, 4);
	memcpy(&r->kind, p + 12, 4);
	if (!sec_is_exec(s) || r->insn_off % INSN_SZ || r->insn_off >= s->sh.sh_size) {
		pr_warn(e->pr,
			"%s: section '.BTF.ext': CO-RE record #%zu: insn offset 0x%x is not an instruction of '%s'",
			e->name, e->core_cnt, r->insn_off, s->name);
		return -EINVAL;
	}
	e->core_cnt++;
	return 0;
}

static int read_core_block(struct elf_obj *e, size_t *cap, const uint8_t **pp, const uint8_t *end,
			   uint32_t rec_sz)
{
	const uint8_t *p = *pp;
	uint32_t name_off, cnt, i;
	const char *name;
	size_t sec_idx;
	int err;

	if (end - p < 8)
		goto bad;
	memcpy(&name_off, p, 4);
	memcpy(&cnt, p + 4, 4);
	p += 8;
	if ((uint64_t)cnt * rec_sz > (uint64_t)(end - p))
		goto bad;
	name = btf_data__str(e->btf, name_off);
	if (!name || sec_by_name(e, name, &sec_idx)) {
		pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE records for unknown section '%s'",
			e->name, name ? name : "?");
		return -EINVAL;
	}
	for (i = 0; i < cnt; i++, p += rec_sz) {
		err = add_core_rec(e, cap, sec_idx, p);
		if (err)
			return err;
	}
	*pp = p;
	return 0;
bad:
	pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE record block is truncated", e->name);
	return -EINVAL;
}

static int cmp_core(const void *a, const void *b)
{
	const struct core_rec *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

static int read_core_area(struct elf_obj *e, const uint8_t *p, const uint8_t *end)
{
	uint32_t rec_sz;
	size_t cap = 0;
	int err;

	if (end - p < 4)
		return 0;
	memcpy(&rec_sz, p, 4);
	if (rec_sz < 16) {
		pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE record size %u is too small", e->name,
			rec_sz);
		return -EINVAL;
	}
	for (p += 4; p < end;) {
		err = read_core_block(e, &cap, &p, end, rec_sz);
		if (err)
			return err;
	}
	qsort(e->core, e->core_cnt, sizeof(*e->core), cmp_core);
	return 0;
}

static int read_btf_ext(struct elf_obj *e, const struct sec *s)
{
	const uint8_t *data = sec_bytes(s);
	struct btf_ext_hdr h = { 0 };
	uint64_t start, end;

	if (s->sh.sh_size < 8)
		goto bad;
	memcpy(&h, data, s->sh.sh_size < sizeof(h) ? s->sh.sh_size : sizeof(h));
	if (h.magic != BTF_EXT_MAGIC || h.hdr_len > s->sh.sh_size)
		goto bad;
	if (h.hdr_len < sizeof(h))
		return 0; /* no CO-RE area */
	start = (uint64_t)h.hdr_len + h.core_relo_off;
	end = start + h.core_relo_len;
	if (end > s->sh.sh_size)
		goto bad;
	return read_core_area(e, data + start, data + end);
bad:
	pr_warn(e->pr, "%s: section '.BTF.ext': bad header or area out of range", e->name);
	return -EINVAL;
}

/* parse .BTF and the CO-RE records of .BTF.ext, when present */
int elf__read_btf(struct elf_obj *e)
{
	size_t btf_idx, ext_idx;
	char what[256];
	int err;

	if (sec_by_name(e, ".BTF", &btf_idx) || !sec_bytes(&e->secs[btf_idx]))
		return 0;
	snprintf(what, sizeof(what), "%s: section '.BTF'", e->name);
	err = btf_data__parse(&e->btf, sec_bytes(&e->secs[btf_idx]), e->secs[btf_idx].sh.sh_size,
			      what, e->pr);
	if (err)
		return err;
	if (sec_by_name(e, ".BTF.ext", &ext_idx) || !sec_bytes(&e->secs[ext_idx]))
		return 0;
	return read_btf_ext(e, &e->secs[ext_idx]);
}

/* ---- resolution ---------------------------------------------------------- */

static int parse_access(const char *s, struct access *a)
{
	char *end;
	unsigned long v;

	a->cnt = 0;
	while (*s) {
		v = strtoul(s, &end, 10);
		if (end == s || a->cnt == MAX_ACCESS || v > UINT32_MAX)
			return -EINVAL;
		a->idx[a->cnt++] = v;
		s = *end == ':' ? end + 1 : end;
		if (*end && *end != ':')
			return -EINVAL;
	}
	return a->cnt ? 0 : -EINVAL;
}

static bool is_composite(const struct btf_type *t)
{
	return t && (type_kind(t) == BTF_KIND_STRUCT || type_kind(t) == BTF_KIND_UNION);
}

/* a bitfield member: bitfield size, or bit offset/int width not on bytes */
static bool is_bitfield(const struct btf_data *btf, const struct btf_type *t, uint32_t idx)
{
	const struct btf_type *mt;
	uint32_t bit_off, bit_sz, enc;

	type_member_bits(t, idx, &bit_off, &bit_sz);
	if (bit_sz || bit_off % 8)
		return true;
	mt = btf_data__type(btf, btf_data__skip_mods(btf, type_members(t)[idx].type));
	if (!mt || type_kind(mt) != BTF_KIND_INT)
		return false;
	memcpy(&enc, mt + 1, 4);
	return BTF_INT_BITS(enc) != mt->size * 8 || BTF_INT_OFFSET(enc);
}

struct walk_ctx {
	const struct btf_data *local;
	const struct btf_data *targ;
	const struct access *acc;
	char *field; /* "file.f_path", built by the local walk */
	size_t field_sz;
	const char *ctx; /* message prefix: "prog 'x': insn 5" */
	struct printer *pr;
};

static void field_append(struct walk_ctx *c, const char *fmt, const char *name, uint32_t idx)
{
	size_t len = strlen(c->field);

	if (len < c->field_sz)
		snprintf(c->field + len, c->field_sz - len, fmt, name ? name : "", idx);
}

static int local_step(struct walk_ctx *c, uint32_t *cur, uint32_t idx, uint32_t *bits)
{
	const struct btf_type *t = btf_data__type(c->local, btf_data__skip_mods(c->local, *cur));
	const char *name;
	uint32_t bit_off, bit_sz, esz;

	if (t && type_kind(t) == BTF_KIND_ARRAY) {
		if (btf_data__type_size(c->local, type_array(t)->type, &esz))
			return -EINVAL;
		*bits += idx * esz * 8;
		*cur = type_array(t)->type;
		field_append(c, "%s[%u]", NULL, idx);
		return 0;
	}
	if (!is_composite(t) || idx >= type_vlen(t))
		return -EINVAL;
	if (is_bitfield(c->local, t, idx)) {
		pr_warn(c->pr, "%s: CO-RE field '%s': member #%u is a bitfield (not supported)",
			c->ctx, c->field, idx);
		return -EOPNOTSUPP;
	}
	type_member_bits(t, idx, &bit_off, &bit_sz);
	*bits += bit_off;
	*cur = type_members(t)[idx].type;
	name = btf_data__str(c->local, type_members(t)[idx].name_off);
	if (name && *name)
		field_append(c, ".%s", name, 0);
	return 0;
}

/* walk the local type: offset and size clang compiled in, and the field name */
static int local_walk(struct walk_ctx *c, uint32_t root, struct field_loc *loc)
{
	uint32_t cur = root, bits, sz;
	size_t k;
	int err;

	if (btf_data__type_size(c->local, root, &sz))
		return -EINVAL;
	bits = c->acc->idx[0] * sz * 8;
	for (k = 1; k < c->acc->cnt; k++) {
		err = local_step(c, &cur, c->acc->idx[k], &bits);
		if (err)
			return err;
	}
	if (btf_data__type_size(c->local, cur, &loc->sz))
		return -EINVAL;
	loc->off = bits / 8;
	return 0;
}

/* member by name in struct/union id of the target, through anonymous members */
static int targ_member(const struct btf_data *btf, uint32_t id, const char *name, uint32_t *bits,
		       uint32_t *type, int depth)
{
	const struct btf_type *t = btf_data__type(btf, btf_data__skip_mods(btf, id));
	const struct btf_member *m;
	uint32_t i, bit_off, bit_sz, inner = 0;
	const char *mname;

	if (!is_composite(t) || depth > 16)
		return -ENOENT;
	for (i = 0, m = type_members(t); i < type_vlen(t); i++, m++) {
		mname = btf_data__str(btf, m->name_off);
		type_member_bits(t, i, &bit_off, &bit_sz);
		if (mname && *mname && !strcmp(mname, name)) {
			if (is_bitfield(btf, t, i))
				return -EOPNOTSUPP;
			*bits += bit_off;
			*type = m->type;
			return 0;
		}
		if ((!mname || !*mname) &&
		    !targ_member(btf, m->type, name, &inner, type, depth + 1)) {
			*bits += bit_off + inner;
			return 0;
		}
	}
	return -ENOENT;
}

/* step k of the target walk, driven by the local type lcur */
static int targ_step(struct walk_ctx *c, uint32_t *lcur, uint32_t *tcur, uint32_t idx,
		     uint32_t *bits)
{
	const struct btf_type *lt = btf_data__type(c->local, btf_data__skip_mods(c->local, *lcur));
	const struct btf_type *tt = btf_data__type(c->targ, btf_data__skip_mods(c->targ, *tcur));
	const char *name;
	uint32_t esz;

	if (type_kind(lt) == BTF_KIND_ARRAY) {
		if (!tt || type_kind(tt) != BTF_KIND_ARRAY ||
		    btf_data__type_size(c->targ, type_array(tt)->type, &esz))
			return -ENOENT;
		*bits += idx * esz * 8;
		*lcur = type_array(lt)->type;
		*tcur = type_array(tt)->type;
		return 0;
	}
	name = btf_data__str(c->local, type_members(lt)[idx].name_off);
	*lcur = type_members(lt)[idx].type;
	if (!name || !*name)
		return 0; /* anonymous local member: matched by its members' names */
	return targ_member(c->targ, *tcur, name, bits, tcur, 0);
}

static int targ_walk(struct walk_ctx *c, uint32_t lroot, uint32_t troot, struct field_loc *loc)
{
	uint32_t lcur = lroot, tcur = troot, bits, sz;
	size_t k;
	int err;

	if (btf_data__type_size(c->targ, troot, &sz))
		return -ENOENT;
	bits = c->acc->idx[0] * sz * 8;
	for (k = 1; k < c->acc->cnt; k++) {
		err = targ_step(c, &lcur, &tcur, c->acc->idx[k], &bits);
		if (err)
			return err;
	}
	if (btf_data__type_size(c->targ, tcur, &loc->sz))
		return -ENOENT;
	loc->off = bits / 8;
	return 0;
}

static bool same_name_kind(const struct btf_data *targ, const struct btf_type *tt,
			   const struct btf_type *lt, const char *lname)
{
	const char *tname = btf_data__str(targ, tt->name_off);
	size_t len = essential_len(lname);

	return type_kind(tt) == type_kind(lt) && tname && essential_len(tname) == len &&
	       !strncmp(tname, lname, len);
}

/* try every target candidate; they must agree */
static int match_candidates(struct walk_ctx *c, uint32_t lroot, struct field_loc *out)
{
	const struct btf_type *lt = btf_data__type(c->local, lroot);
	const char *lname = btf_data__str(c->local, lt->name_off);
	struct field_loc loc;
	bool found = false;
	uint32_t i, first, cnt;
	int err;

	btf_data__composites_named(c->targ, lname, essential_len(lname), &first, &cnt);
	for (i = first; i < first + cnt; i++) {
		uint32_t id = c->targ->composites[i];

		if (!same_name_kind(c->targ, c->targ->types[id], lt, lname))
			continue;
		err = targ_walk(c, lroot, id, &loc);
		if (err == -EOPNOTSUPP) {
			pr_warn(c->pr,
				"%s: CO-RE field '%s' is a bitfield in kernel BTF (not supported)",
				c->ctx, c->field);
			return err;
		}
		if (err)
			continue;
		if (found && (loc.off != out->off || loc.sz != out->sz)) {
			pr_warn(c->pr,
				"%s: CO-RE field '%s': kernel types disagree (offset %u vs %u)",
				c->ctx, c->field, out->off, loc.off);
			return -EINVAL;
		}
		*out = loc;
		found = true;
	}
	return found ? 0 : -ESRCH;
}

static int local_root(struct walk_ctx *c, const struct core_rec *rec, uint32_t *root)
{
	const struct btf_type *t;
	const char *name;

	*root = btf_data__skip_mods(c->local, rec->type_id);
	t = btf_data__type(c->local, *root);
	name = t ? btf_data__str(c->local, t->name_off) : NULL;
	if (!is_composite(t) || !name || !*name) {
		pr_warn(c->pr, "%s: CO-RE root type [%u] is not a named struct or union", c->ctx,
			rec->type_id);
		return -EINVAL;
	}
	snprintf(c->field, c->field_sz, "%.*s", (int)essential_len(name), name);
	return 0;
}

int core_resolve(const struct btf_data *local, const struct core_rec *rec,
		 const struct btf_data *targ, struct core_result *res, char *field, size_t field_sz,
		 const char *ctx, struct printer *pr)
{
	struct walk_ctx c = { local, targ, NULL, field, field_sz, ctx, pr };
	const char *acc_str = btf_data__str(local, rec->access_off);
	struct field_loc lloc, tloc = { 0 };
	struct access acc;
	uint32_t root;
	int err;

	memset(res, 0, sizeof(*res));
	field[0] = '\0';
	if (!acc_str || parse_access(acc_str, &acc)) {
		pr_warn(pr, "%s: CO-RE access string '%s' is malformed", ctx,
			acc_str ? acc_str : "?");
		return -EINVAL;
	}
	c.acc = &acc;
	err = local_root(&c, rec, &root);
	err = err ?: local_walk(&c, root, &lloc);
	if (err == -EINVAL)
		pr_warn(pr, "%s: CO-RE access '%s' does not fit local type [%u]", ctx, acc_str,
			rec->type_id);
	if (err)
		return err;
	res->local_val = lloc.off;
	res->local_sz = lloc.sz;
	err = match_candidates(&c, root, &tloc);
	res->exists = !err;
	res->targ_val = tloc.off;
	res->targ_sz = tloc.sz;
	return err;
}

/* ---- patching ------------------------------------------------------------- */

static const struct core_rec *find_core(const struct elf_obj *e, const struct insn_origin *org)
{
	struct core_rec key = { .sec_idx = org->sec_idx, .insn_off = org->off };

	if (!e->core_cnt)
		return NULL;
	return bsearch(&key, e->core, e->core_cnt, sizeof(*e->core), cmp_core);
}

static int add_poison(struct prog *p, size_t i, const char *field)
{
	struct poison *n = realloc(p->poisons, (p->poison_cnt + 1) * sizeof(*n));
	struct bpf_insn call = { .code = CALL_INSN, .imm = CORE_POISON_ID };

	if (!n)
		return -ENOMEM;
	p->poisons = n;
	n[p->poison_cnt].insn_idx = i;
	n[p->poison_cnt].field = strdup(field);
	if (!n[p->poison_cnt].field)
		return -ENOMEM;
	p->poison_cnt++;
	if (p->insns[i].code == LD_IMM64)
		p->insns[i + 1] = call;
	p->insns[i] = call;
	pr_debug(p->pr, "prog '%s': insn %zu: CO-RE field '%s' not in kernel BTF, poisoned",
		 p->name, i, field);
	return 0;
}

/* the value clang compiled into insn i, and where to patch it */
static int insn_value(const struct bpf_insn *insn, int64_t *val)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		*val = insn->off;
		return 0;
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			return -EINVAL;
		*val = insn->imm;
		return 0;
	case BPF_LD:
		if (insn->code != LD_IMM64)
			return -EINVAL;
		*val = insn->imm;
		return 0;
	}
	return -EINVAL;
}

static int patch_value(struct prog *p, size_t i, uint32_t val, const char *ctx)
{
	struct bpf_insn *insn = &p->insns[i];
	uint8_t cls = BPF_CLASS(insn->code);

	if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		if (val > INT16_MAX) {
			pr_warn(p->pr, "%s: CO-RE offset %u does not fit the insn's 16-bit offset",
				ctx, val);
			return -ERANGE;
		}
		insn->off = val;
	} else {
		insn->imm = val;
		if (insn->code == LD_IMM64)
			insn[1].imm = 0;
	}
	return 0;
}

static bool is_mem_insn(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);

	return cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
}

static uint32_t kind_value(uint32_t kind, const struct core_result *r, bool local)
{
	if (kind == CORE_FIELD_EXISTS)
		return local ? 1 : r->exists;
	if (kind == CORE_FIELD_BYTE_SIZE)
		return local ? r->local_sz : r->targ_sz;
	return local ? r->local_val : r->targ_val;
}

static int check_insn(struct prog *p, size_t i, const struct core_rec *rec,
		      const struct core_result *res, const char *field, const char *ctx)
{
	int64_t orig;

	if (insn_value(&p->insns[i], &orig)) {
		pr_warn(p->pr, "%s: CO-RE relocation on insn code 0x%02x is not supported", ctx,
			p->insns[i].code);
		return -EINVAL;
	}
	if (orig != kind_value(rec->kind, res, true)) {
		pr_warn(p->pr, "%s: CO-RE field '%s': insn holds %lld, local type says %u", ctx,
			field, (long long)orig, kind_value(rec->kind, res, true));
		return -EINVAL;
	}
	if (res->exists && rec->kind == CORE_FIELD_BYTE_OFFSET && is_mem_insn(&p->insns[i]) &&
	    res->local_sz != res->targ_sz) {
		pr_warn(p->pr,
			"%s: CO-RE field '%s': size is %u bytes locally but %u in kernel BTF", ctx,
			field, res->local_sz, res->targ_sz);
		return -EINVAL;
	}
	return 0;
}

/*
 * TYPE_ID_TARGET: the id of the one kernel struct/union of the local root
 * type's name and kind; poisoned when the kernel has none.
 */
static int relocate_type_id(struct prog *p, size_t i, const struct btf_data *local,
			    const struct core_rec *rec, const struct btf_data *vmlinux,
			    const char *ctx)
{
	struct walk_ctx c = { local, vmlinux, NULL, NULL, 0, ctx, p->pr };
	char name[256];
	const struct btf_type *lt;
	uint32_t root, first, cnt, j, id = 0;

	c.field = name;
	c.field_sz = sizeof(name);
	if (local_root(&c, rec, &root))
		return -EINVAL;
	lt = btf_data__type(local, root);
	btf_data__composites_named(vmlinux, name, strlen(name), &first, &cnt);
	for (j = first; j < first + cnt; j++) {
		const struct btf_type *tt = vmlinux->types[vmlinux->composites[j]];

		if (!same_name_kind(vmlinux, tt, lt, name))
			continue;
		if (id) {
			pr_warn(p->pr,
				"%s: CO-RE type '%s' is ambiguous in kernel BTF ([%u], [%u])", ctx,
				name, id, vmlinux->composites[j]);
			return -EINVAL;
		}
		id = vmlinux->composites[j];
	}
	if (p->insns[i].code != LD_IMM64 &&
	    !(BPF_CLASS(p->insns[i].code) == BPF_ALU64 && BPF_SRC(p->insns[i].code) == BPF_K)) {
		pr_warn(p->pr, "%s: CO-RE type id relocation on insn code 0x%02x is not supported",
			ctx, p->insns[i].code);
		return -EINVAL;
	}
	if (!id)
		return add_poison(p, i, name);
	pr_debug(p->pr, "%s: CO-RE type '%s' type_id_target -> %u", ctx, name, id);
	return patch_value(p, i, id, ctx);
}

static int relocate_insn(struct obj *o, struct prog *p, size_t i, const struct core_rec *rec,
			 const struct btf_data *vmlinux)
{
	const struct elf_obj *e = &o->elfs[p->orig[i].elf_idx];
	struct core_result res;
	char field[256], ctx[320];
	int err;

	snprintf(ctx, sizeof(ctx), "prog '%s': insn %zu", p->name, i);
	if (rec->kind == CORE_TYPE_ID_TARGET)
		return relocate_type_id(p, i, e->btf, rec, vmlinux, ctx);
	if (rec->kind > CORE_FIELD_EXISTS) {
		pr_warn(p->pr, "%s: CO-RE relocation kind %u (%s) is not supported", ctx, rec->kind,
			kind_name(rec->kind));
		return -EOPNOTSUPP;
	}
	err = core_resolve(e->btf, rec, vmlinux, &res, field, sizeof(field), ctx, p->pr);
	if (err && err != -ESRCH)
		return err;
	err = check_insn(p, i, rec, &res, field, ctx);
	if (err)
		return err;
	if (!res.exists && rec->kind != CORE_FIELD_EXISTS)
		return add_poison(p, i, field);
	pr_debug(p->pr, "%s: CO-RE field '%s' %s -> %u", ctx, field, kind_name(rec->kind),
		 kind_value(rec->kind, &res, false));
	return patch_value(p, i, kind_value(rec->kind, &res, false), ctx);
}

/* ---- kernel symbols --------------------------------------------------------- */

/* the id of FUNC name in vmlinux BTF, 0 if none (a linear scan: one per kfunc use) */
static uint32_t kernel_func(const struct btf_data *vmlinux, const char *name)
{
	const struct btf_type *t;
	const char *tn;
	uint32_t id;

	for (id = 1; id < vmlinux->type_cnt; id++) {
		t = vmlinux->types[id];
		if (type_kind(t) != BTF_KIND_FUNC)
			continue;
		tn = btf_data__str(vmlinux, t->name_off);
		if (tn && !strcmp(tn, name))
			return id;
	}
	return 0;
}

/*
 * A weak kernel symbol, the only kind the loader accepts (see relo.c):
 *   call f        -> a kfunc call (src_reg BPF_PSEUDO_KFUNC_CALL, imm = BTF id),
 *                    or r0 = 0 when the kernel lacks f;
 *   r = f ll      -> the constant 1 if the kernel has f, else 0: what
 *                    `if (!f)` tests, so the verifier prunes the branch that
 *                    calls a kfunc this kernel lacks.
 */
/* kernel_func, once per name per object (a scan of every vmlinux type) */
static int ksym_id(struct obj *o, const char *name, const struct btf_data *vmlinux, uint32_t *id)
{
	struct ksym_id *n;
	size_t i;

	for (i = 0; i < o->ksym_id_cnt; i++) {
		if (!strcmp(o->ksym_ids[i].name, name)) {
			*id = o->ksym_ids[i].id;
			return 0;
		}
	}
	n = realloc(o->ksym_ids, (o->ksym_id_cnt + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	o->ksym_ids = n;
	*id = kernel_func(vmlinux, name);
	n[o->ksym_id_cnt++] = (struct ksym_id){ name, *id };
	return 0;
}

static int resolve_ksym(struct obj *o, struct prog *p, size_t i, const char *name,
			const struct btf_data *vmlinux)
{
	struct bpf_insn *insn = &p->insns[i];
	uint32_t id;

	if (ksym_id(o, name, vmlinux, &id))
		return -ENOMEM;

	pr_debug(p->pr, "prog '%s': insn %zu: kernel function '%s' %s", p->name, i, name,
		 id ? "found" : "missing");
	if (insn->code == LD_IMM64) {
		insn[0].src_reg = 0;
		insn[0].imm = id != 0;
		insn[1].imm = 0;
		return 0;
	}
	if (insn->code != CALL_INSN) {
		pr_warn(p->pr, "prog '%s': insn %zu: kernel symbol '%s' used by insn code 0x%02x",
			p->name, i, name, insn->code);
		return -EINVAL;
	}
	if (!id) {
		*insn = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 };
		return 0;
	}
	insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
	insn->off = 0; /* the BTF id is vmlinux's */
	insn->imm = (int32_t)id;
	return 0;
}

static bool obj_has_ksyms(const struct obj *o)
{
	const struct sec *s;
	size_t i, j, k;

	for (i = 0; i < o->elf_cnt; i++)
		for (j = 1; j < o->elfs[i].sec_cnt; j++)
			for (s = &o->elfs[i].secs[j], k = 0; k < s->relo_cnt; k++)
				if (s->relos[k].kind == RELO_KSYM)
					return true;
	return false;
}

bool obj__needs_core(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->elf_cnt; i++)
		if (o->elfs[i].core_cnt)
			return true;
	return obj_has_ksyms(o);
}

int prog__core(struct obj *o, struct prog *p, const struct btf_data *vmlinux)
{
	const struct core_rec *rec;
	const struct relo *r;
	size_t i;
	int err;

	for (i = 0; i < p->insn_cnt; i++) {
		r = obj__relo_at(o, &p->orig[i]);
		if (r && r->kind == RELO_KSYM) {
			err = resolve_ksym(o, p, i, r->ksym, vmlinux);
			if (err)
				return err;
		}
		rec = find_core(&o->elfs[p->orig[i].elf_idx], &p->orig[i]);
		if (!rec)
			continue;
		err = relocate_insn(o, p, i, rec, vmlinux);
		if (err)
			return err;
	}
	return 0;
}
