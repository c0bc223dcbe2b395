// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbols: a weak extern function no object defines (relo.c) is a
 * kfunc, looked up by name among the FUNCs of vmlinux BTF (once per name
 * per object) and resolved where it is used.  A weak extern named
 * loader_feature_NAME is a question to the loader instead (feature.c): its
 * address is the constant 1 when this kernel has the feature, else 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/*
 * A weak kernel symbol, the only kind the loader accepts (see relo.c):
 *   call f        -> a kfunc call (src_reg BPF_PSEUDO_KFUNC_CALL, imm = BTF id),
 *                    or r0 = 0 when the kernel lacks f;
 *   r = f ll      -> the constant 1 if the kernel has f, else 0: what
 *                    `if (!f)` tests, so the verifier prunes the branch that
 *                    calls a kfunc this kernel lacks.
 */
int prog__resolve_ksym(struct obj *o, struct prog *p, size_t i, const char *name,
		       const struct btf_data *vmlinux)
{
	struct bpf_insn *insn = &p->insns[i];
	uint32_t id;
	int err, val;

	err = obj__feature_value(o, name, &val);
	if (err < 0)
		return err;
	if (err && insn->code != LD_IMM64) {
		pr_warn(p->pr, "prog '%s': insn %zu: loader feature '%s' is only a constant",
			p->name, i, name);
		return -EINVAL;
	}
	if (err) {
		insn[0].src_reg = 0;
		insn[0].imm = val;
		insn[1].imm = 0;
		return 0;
	}
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

bool obj__has_ksyms(const struct obj *o)
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
