// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE, the calculation: what one relocation record (kind, local root
 * type, access string) comes to against a target BTF, from the two BTFs
 * alone; no object, ELF or instruction (core.c applies the result).
 *
 * Fields: the local root type (modifiers and typedefs skipped, "___flavor"
 * suffix stripped) names candidate STRUCT/UNIONs of the target.  The access
 * string "0:2:1" is an array index on the root, then member indices of the
 * LOCAL type; each member is found BY NAME in the target, looking inside
 * anonymous struct/union members (6.18 keeps file.f_path in one) and adding
 * their offsets; array steps add index * element size.  Every candidate is
 * tried and they must agree.  For the local type in
 *   struct file___old { int f_mode; struct path f_path; }   access "0:1:1"
 * and a kernel's
 *   struct file { u32 f_mode @4; union { struct path f_path; } @16; }
 * the walk is file -> member #1 f_path (local offset 8; in the target found
 * inside the anonymous union: 16 + 0) -> member #1 dentry (+8): local 16,
 * target 24, the name "file.f_path.dentry".
 * Type ids: the one target STRUCT/UNION of the local root's name and kind.
 * What the target lacks is no error: the result says to poison the insn
 * (FIELD_EXISTS says 0 instead).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_ACCESS 32

static const char *const kind_names[] = {
	"field_byte_offset", "field_byte_size",	 "field_exists",   "field_signed",
	"field_lshift_u64",  "field_rshift_u64", "type_id_local",  "type_id_target",
	"type_exists",	     "type_size",	 "enumval_exists", "enumval_value",
	"type_matches",
};

const char *relo_core_kind_name(uint32_t kind)
{
	size_t n = sizeof(kind_names) / sizeof(kind_names[0]);

	return kind < n ? kind_names[kind] : "unknown";
}

struct access {
	uint32_t idx[MAX_ACCESS];
	size_t cnt;
};

/* one resolved walk: byte offset and size of the field */
struct field_loc {
	uint32_t off;
	uint32_t sz;
};

struct walk_ctx {
	const struct btf_data *local;
	const struct btf_data *targ;
	const struct access *acc;
	struct core_res *res; /* res->name is built by the local walk */
};

__attribute__((format(printf, 2, 3))) static void fail(struct core_res *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

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

static void name_append(struct walk_ctx *c, const char *fmt, const char *name, uint32_t idx)
{
	size_t len = strlen(c->res->name);

	if (len < sizeof(c->res->name))
		snprintf(c->res->name + len, sizeof(c->res->name) - len, fmt, name ? name : "",
			 idx);
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
		name_append(c, "%s[%u]", NULL, idx);
		return 0;
	}
	if (!is_composite(t) || idx >= type_vlen(t))
		return -EINVAL;
	if (is_bitfield(c->local, t, idx)) {
		fail(c->res, "CO-RE field '%s': member #%u is a bitfield (not supported)",
		     c->res->name, idx);
		return -EOPNOTSUPP;
	}
	type_member_bits(t, idx, &bit_off, &bit_sz);
	*bits += bit_off;
	*cur = type_members(t)[idx].type;
	name = btf_data__str(c->local, type_members(t)[idx].name_off);
	if (name && *name)
		name_append(c, ".%s", name, 0);
	return 0;
}

/* walk the local type: offset and size clang compiled in, and the field's name */
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

/* try every target candidate; they must agree.  -ESRCH: none has the field */
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
			fail(c->res, "CO-RE field '%s' is a bitfield in kernel BTF (not supported)",
			     c->res->name);
			return err;
		}
		if (err)
			continue;
		if (found && (loc.off != out->off || loc.sz != out->sz)) {
			fail(c->res, "CO-RE field '%s': kernel types disagree (offset %u vs %u)",
			     c->res->name, out->off, loc.off);
			return -EINVAL;
		}
		*out = loc;
		found = true;
	}
	return found ? 0 : -ESRCH;
}

/* the local root: a named struct or union, its essential name into res->name */
static int local_root(struct walk_ctx *c, uint32_t type_id, uint32_t *root)
{
	const struct btf_type *t;
	const char *name;

	*root = btf_data__skip_mods(c->local, type_id);
	t = btf_data__type(c->local, *root);
	name = t ? btf_data__str(c->local, t->name_off) : NULL;
	if (!is_composite(t) || !name || !*name) {
		fail(c->res, "CO-RE root type [%u] is not a named struct or union", type_id);
		return -EINVAL;
	}
	snprintf(c->res->name, sizeof(c->res->name), "%.*s", (int)essential_len(name), name);
	return 0;
}

static int calc_field(struct walk_ctx *c, const struct core_relo *r)
{
	struct field_loc lloc, tloc = { 0 };
	struct core_res *res = c->res;
	uint32_t root;
	int err;

	err = local_root(c, r->type_id, &root);
	if (err)
		return err;
	err = local_walk(c, root, &lloc);
	if (err == -EINVAL)
		fail(res, "CO-RE access '%s' does not fit local type [%u]", r->access, r->type_id);
	if (err)
		return err;
	err = match_candidates(c, root, &tloc);
	if (err && err != -ESRCH)
		return err;
	res->local_sz = lloc.sz;
	res->targ_sz = tloc.sz;
	switch (r->kind) {
	case CORE_FIELD_EXISTS:
		res->local_val = 1;
		res->targ_val = !err;
		return 0;
	case CORE_FIELD_BYTE_SIZE:
		res->local_val = lloc.sz;
		res->targ_val = tloc.sz;
		break;
	default:
		res->local_val = lloc.off;
		res->targ_val = tloc.off;
	}
	res->poison = err == -ESRCH;
	return 0;
}

/* TYPE_ID_TARGET: the one target struct/union of the local root's name and kind */
static int calc_type_id(struct walk_ctx *c, const struct core_relo *r)
{
	const struct btf_data *targ = c->targ;
	struct core_res *res = c->res;
	const struct btf_type *lt;
	uint32_t root, first, cnt, j, id = 0;

	if (local_root(c, r->type_id, &root))
		return -EINVAL;
	lt = btf_data__type(c->local, root);
	btf_data__composites_named(targ, res->name, strlen(res->name), &first, &cnt);
	for (j = first; j < first + cnt; j++) {
		const struct btf_type *tt = targ->types[targ->composites[j]];

		if (!same_name_kind(targ, tt, lt, res->name))
			continue;
		if (id) {
			fail(res, "CO-RE type '%s' is ambiguous in kernel BTF ([%u], [%u])",
			     res->name, id, targ->composites[j]);
			return -EINVAL;
		}
		id = targ->composites[j];
	}
	res->local_val = r->type_id;
	res->targ_val = id;
	res->poison = !id;
	return 0;
}

int relo_core_calc(const struct btf_data *local, const struct btf_data *targ,
		   const struct core_relo *r, struct core_res *res)
{
	struct walk_ctx c = { local, targ, NULL, res };
	struct access acc;

	memset(res, 0, sizeof(*res));
	if (r->kind != CORE_TYPE_ID_TARGET && r->kind > CORE_FIELD_EXISTS) {
		fail(res, "CO-RE relocation kind %u (%s) is not supported", r->kind,
		     relo_core_kind_name(r->kind));
		return -EOPNOTSUPP;
	}
	if (r->kind == CORE_TYPE_ID_TARGET)
		return calc_type_id(&c, r);
	if (!r->access || parse_access(r->access, &acc)) {
		fail(res, "CO-RE access string '%s' is malformed", r->access ? r->access : "?");
		return -EINVAL;
	}
	c.acc = &acc;
	return calc_field(&c, r);
}
