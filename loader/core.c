// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE, the application: for every instruction of a linked program that
 * carries a CO-RE record (btf_ext.c) or a kernel symbol (extern.c), compute
 * the relocation against the kernel's BTF (relo_core.c) and patch the
 * instruction: LDX/ST/STX get the offset in `off`, ALU/MOV and ld_imm64 the
 * value in `imm`.  The insn must hold what the local type gives (clang's
 * value), and a memory access must keep its size.  A field or type this
 * kernel lacks, or a field accessed in place whose size differs here (a
 * u32 that is a u64 on an older kernel), is "poisoned": the insn becomes a
 * call to helper CORE_POISON_ID, so a reachable use fails verification
 * recognisably, load.c names the field when the kernel rejects the
 * program, and code the program guards by an existence check (dead on this
 * kernel) loads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* insn i becomes the poison call; what names it ("CO-RE field 'file.f_pos'") */
int prog__poison(struct prog *p, size_t i, const char *what, const char *why)
{
	struct poison *n = realloc(p->poisons, (p->poison_cnt + 1) * sizeof(*n));
	struct bpf_insn call = { .code = CALL_INSN, .imm = CORE_POISON_ID };

	if (!n)
		return -ENOMEM;
	p->poisons = n;
	n[p->poison_cnt].insn_idx = i;
	n[p->poison_cnt].why = why;
	n[p->poison_cnt].what = strdup(what);
	if (!n[p->poison_cnt].what)
		return -ENOMEM;
	p->poison_cnt++;
	if (p->insns[i].code == LD_IMM64)
		p->insns[i + 1] = call;
	p->insns[i] = call;
	pr_debug(p->pr, "prog '%s': insn %zu: %s %s, poisoned", p->name, i, what, why);
	return 0;
}

/* the value clang compiled into insn i */
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

static bool is_mem_insn(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);

	return cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
}

static int patch_value(struct prog *p, size_t i, uint32_t val, const char *ctx)
{
	struct bpf_insn *insn = &p->insns[i];

	if (is_mem_insn(insn)) {
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

#define POISON_MISSING "not found in kernel BTF"
#define POISON_SIZE    "of another size in kernel BTF than in the program"

/*
 * A field relocation fits insn i: the value the local type gives.  *size_off
 * when it is an access in place of a field whose size differs in the
 * kernel (the caller poisons it).
 */
static int check_field_insn(struct prog *p, size_t i, uint32_t kind, const struct core_res *res,
			    const char *ctx, bool *size_off)
{
	int64_t orig;

	if (insn_value(&p->insns[i], &orig)) {
		pr_warn(p->pr, "%s: CO-RE relocation on insn code 0x%02x is not supported", ctx,
			p->insns[i].code);
		return -EINVAL;
	}
	if (orig != res->local_val) {
		pr_warn(p->pr, "%s: CO-RE field '%s': insn holds %lld, local type says %u", ctx,
			res->name, (long long)orig, res->local_val);
		return -EINVAL;
	}
	*size_off = !res->poison && kind == CORE_FIELD_BYTE_OFFSET && is_mem_insn(&p->insns[i]) &&
		    res->local_sz != res->targ_sz;
	if (*size_off)
		pr_debug(p->pr,
			 "%s: CO-RE field '%s': size is %u bytes locally but %u in kernel BTF", ctx,
			 res->name, res->local_sz, res->targ_sz);
	return 0;
}

/* a type id goes into a 64-bit mov or an ld_imm64 (bpf_rdonly_cast's argument) */
static int check_type_id_insn(struct prog *p, size_t i, const char *ctx)
{
	const struct bpf_insn *in = &p->insns[i];

	if (in->code == LD_IMM64 ||
	    (BPF_CLASS(in->code) == BPF_ALU64 && BPF_SRC(in->code) == BPF_K))
		return 0;
	pr_warn(p->pr, "%s: CO-RE type id relocation on insn code 0x%02x is not supported", ctx,
		in->code);
	return -EINVAL;
}

static int relocate_insn(struct obj *o, struct prog *p, size_t i, const struct core_rec *rec,
			 const struct btf_data *vmlinux)
{
	const struct elf_obj *e = &o->elfs[p->orig[i].elf_idx];
	const struct core_relo r = { rec->kind, rec->type_id,
				     btf_data__str(e->btf, rec->access_off) };
	struct core_res res;
	bool size_off = false;
	char ctx[320];
	int err;

	snprintf(ctx, sizeof(ctx), "prog '%s': insn %zu", p->name, i);
	err = relo_core_calc(e->btf, vmlinux, &r, &res);
	if (err) {
		pr_warn(p->pr, "%s: %s", ctx, res.reason);
		return err;
	}
	if (rec->kind == CORE_TYPE_ID_TARGET)
		err = check_type_id_insn(p, i, ctx);
	else
		err = check_field_insn(p, i, rec->kind, &res, ctx, &size_off);
	if (err)
		return err;
	if (res.poison || size_off) {
		char what[sizeof(res.name) + 16];

		snprintf(what, sizeof(what), "CO-RE field '%s'", res.name);
		return prog__poison(p, i, what, size_off ? POISON_SIZE : POISON_MISSING);
	}
	pr_debug(p->pr, "%s: CO-RE %s '%s' %s -> %u", ctx,
		 rec->kind == CORE_TYPE_ID_TARGET ? "type" : "field", res.name,
		 relo_core_kind_name(rec->kind), res.targ_val);
	return patch_value(p, i, res.targ_val, ctx);
}

bool obj__needs_core(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->elf_cnt; i++)
		if (o->elfs[i].core_cnt)
			return true;
	return obj__has_ksyms(o);
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
			err = prog__resolve_ksym(o, p, i, r->ksym, vmlinux);
			if (err)
				return err;
		}
		rec = elf__core_rec_at(&o->elfs[p->orig[i].elf_idx], &p->orig[i]);
		if (!rec)
			continue;
		err = relocate_insn(o, p, i, rec, vmlinux);
		if (err)
			return err;
	}
	return 0;
}
