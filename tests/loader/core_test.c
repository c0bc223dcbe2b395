// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE application: the records of tests/fixtures/core_file.bpf.o applied
 * to their insns against a small BTF built here (a kernel-like struct file with f_path in an
 * anonymous union) and against /sys/kernel/btf/vmlinux, where the expected
 * offsets come from ref_field (an independent BTF walk).  No bpf(2) needed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>

#include "internal.h"
#include "ltest.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

/*
 * [1] int   [2] void *   [3] struct path { mnt @0; dentry @8 }  (16 bytes)
 * [4] union { struct path f_path; }   [5] long long
 * [6] struct file { u32 f_mode @4; union { f_path } @16; long long f_pos @40 }
 * [7] struct file (a second candidate with the same layout, must agree)
 */
static struct btf_data *fixture_btf(bool second_differs)
{
	static struct bb b;

	bb_init(&b);
	bb_type(&b, "int", BTF_KIND_INT, 0, 0, 4);
	bb_word(&b, 32);
	bb_type(&b, NULL, BTF_KIND_PTR, 0, 0, 0);
	bb_type(&b, "path", BTF_KIND_STRUCT, 2, 0, 16);
	bb_member(&b, "mnt", 2, 0);
	bb_member(&b, "dentry", 2, 64);
	bb_type(&b, NULL, BTF_KIND_UNION, 1, 0, 16);
	bb_member(&b, "f_path", 3, 0);
	bb_type(&b, "long long", BTF_KIND_INT, 0, 0, 8);
	bb_word(&b, 64);
	bb_type(&b, "file", BTF_KIND_STRUCT, 3, 0, 48);
	bb_member(&b, "f_mode", 1, 32);
	bb_member(&b, NULL, 4, 128);
	bb_member(&b, "f_pos", 5, 320);
	bb_type(&b, "file", BTF_KIND_STRUCT, 3, 0, 48);
	bb_member(&b, "f_mode", 1, 32);
	bb_member(&b, NULL, 4, second_differs ? 192 : 128);
	bb_member(&b, "f_pos", 5, 320);
	return bb_parse(&b);
}

static struct obj *open_fixture(const char *name)
{
	struct obj_src src = fixture(name);
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	return o;
}

static const struct bpf_insn *insns_of(struct obj *o, const char *prog)
{
	struct prog *p = obj__find_prog(o, prog);

	cr_assert_not_null(p, "no prog %s", prog);
	return prog__insns(p);
}

Test(core, records_are_read_from_btf_ext)
{
	struct obj *o = open_fixture("core_file.bpf.o");

	cr_assert_not_null(o->elfs[0].btf);
	cr_assert_eq(o->elfs[0].core_cnt, 4, "dentry offset, f_pos size, two exists");
	obj__close(o);
}

Test(core, offsets_are_found_through_anonymous_unions)
{
	struct obj *o = open_fixture("core_file.bpf.o");
	struct btf_data *targ = fixture_btf(false);

	cr_assert_eq(obj__relocate(o, targ), 0, "%s", cap_text());
	/* r2 = 16 (local) -> 24 = union @16 + dentry @8 */
	cr_assert_eq(insns_of(o, "core_dentry")[0].imm, 24);
	cr_assert_eq(insns_of(o, "core_pos_size")[0].imm, 8);
	/* r0 = exists(f_iotrace_missing), r1 = exists(f_mode) */
	cr_assert_eq(insns_of(o, "core_exists")[0].imm, 0);
	cr_assert_eq(insns_of(o, "core_exists")[1].imm, 1);
	btf_data__free(targ);
	obj__close(o);
}

Test(core, disagreeing_candidates_are_an_error)
{
	struct obj *o = open_fixture("core_file.bpf.o");
	struct btf_data *targ = fixture_btf(true);

	cr_assert_eq(obj__relocate(o, targ), -EINVAL);
	cr_assert(
		strstr(cap_text(),
		       "prog 'core_dentry': insn 0: CO-RE field 'file.f_path.dentry': kernel types disagree (offset 24 vs 32)"),
		"%s", cap_text());
	btf_data__free(targ);
	obj__close(o);
}

Test(core, missing_field_poisons_the_insn)
{
	struct obj *o = open_fixture("core_missing.bpf.o");
	struct btf_data *targ = fixture_btf(false);
	struct prog *p;

	cr_assert_eq(obj__relocate(o, targ), 0, "%s", cap_text());
	p = obj__find_prog(o, "core_missing");
	cr_assert_eq(p->insns[0].code, BPF_JMP | BPF_CALL);
	cr_assert_eq(p->insns[0].imm, 0xbad2310);
	cr_assert_eq(p->poison_cnt, 1);
	cr_assert_str_eq(p->poisons[0].what, "CO-RE field 'file.f_iotrace_missing'");
	btf_data__free(targ);
	obj__close(o);
}

Test(core, unsupported_kind_is_named)
{
	struct obj *o = open_fixture("core_file.bpf.o");
	struct btf_data *targ = fixture_btf(false);

	o->elfs[0].core[0].kind = 8;
	cr_assert_eq(obj__relocate(o, targ), -EOPNOTSUPP);
	cr_assert(strstr(cap_text(), "CO-RE relocation kind 8 (type_exists) is not supported"),
		  "%s", cap_text());
	btf_data__free(targ);
	obj__close(o);
}

/*
 * The fixture's record for the field path, calculated against vmlinux as
 * an offset relocation whatever its kind: offset and size of the field.
 */
static void resolve_vmlinux(const char *path, struct core_res *res)
{
	struct obj *o = open_fixture("core_file.bpf.o");
	const struct elf_obj *e = &o->elfs[0];
	struct btf_data *vml;
	size_t i;

	if (access(VMLINUX, R_OK))
		cr_skip_test("no %s", VMLINUX);
	cr_assert_eq(btf_data__load_file(&vml, VMLINUX, cap_printer()), 0);
	for (i = 0; i < e->core_cnt; i++) {
		struct core_relo r = { CORE_FIELD_BYTE_OFFSET, e->core[i].type_id,
				       btf_data__str(e->btf, e->core[i].access_off) };

		if (!relo_core_calc(e->btf, vml, &r, res) && !res->poison &&
		    !strcmp(res->name, path))
			break;
	}
	cr_assert_lt(i, e->core_cnt, "no record for %s", path);
	btf_data__free(vml);
	obj__close(o);
}

Test(core, vmlinux_offsets_match_an_independent_walk)
{
	struct core_res res;
	uint32_t off, sz;
	size_t size;
	void *raw;

	raw = read_all(VMLINUX, &size);
	if (!raw)
		cr_skip_test("no %s", VMLINUX);
	resolve_vmlinux("file.f_path.dentry", &res);
	cr_assert_eq(ref_field(raw, size, "file", "f_path.dentry", &off, &sz), 0);
	cr_assert_eq(res.targ_val, off);
	cr_assert_eq(res.targ_sz, sz);
	cr_assert_eq(res.local_val, 16, "local layout of the fixture");
	resolve_vmlinux("file.f_pos", &res);
	cr_assert_eq(ref_field(raw, size, "file", "f_pos", &off, &sz), 0);
	cr_assert_eq(res.targ_val, off);
	cr_assert_eq(res.targ_sz, sz);
	free(raw);
}

Test(core, truncated_btf_is_rejected)
{
	struct btf_header h = { .magic = BTF_MAGIC,
				.version = 1,
				.hdr_len = sizeof(h),
				.type_len = 12,
				.str_off = 12,
				.str_len = 1 };
	uint8_t blob[sizeof(h) + 8] = { 0 };
	struct btf_data *btf;

	memcpy(blob, &h, sizeof(h));
	cap_reset();
	cr_assert_eq(btf_data__parse(&btf, blob, sizeof(blob), "tiny", cap_printer()), -EINVAL);
	cr_assert(strstr(cap_text(), "tiny: BTF type or string area is out of range"), "%s",
		  cap_text());
}

/* ---- kernel functions and type ids (tests/fixtures/ksym.bpf.o) ---------- */

/*
 * [1] long long   [2] struct file { long long f_pos @0 }   [3] func_proto
 * [4] FUNC bpf_rdonly_cast (only with_kfunc)   [4 or 5] struct inode
 */
static struct btf_data *ksym_btf(bool with_kfunc)
{
	static struct bb b;

	bb_init(&b);
	bb_type(&b, "long long", BTF_KIND_INT, 0, 0, 8);
	bb_word(&b, 64);
	bb_type(&b, "file", BTF_KIND_STRUCT, 1, 0, 8);
	bb_member(&b, "f_pos", 1, 0);
	bb_type(&b, NULL, BTF_KIND_FUNC_PROTO, 0, 0, 0);
	if (with_kfunc)
		bb_type(&b, "bpf_rdonly_cast", BTF_KIND_FUNC, 1, 0, 3);
	bb_type(&b, "inode", BTF_KIND_STRUCT, 0, 0, 0);
	return bb_parse(&b);
}

#define MOV64_IMM (BPF_ALU64 | BPF_MOV | BPF_K)

Test(core, kfunc_becomes_a_kfunc_call_and_its_test_a_constant)
{
	struct obj *o = open_fixture("ksym.bpf.o");
	struct btf_data *targ = ksym_btf(true);
	const struct bpf_insn *in;

	cr_assert_eq(obj__relocate(o, targ), 0, "%s", cap_text());
	in = insns_of(o, "ksym_cast");
	cr_assert_eq(in[1].code, BPF_LD | BPF_DW | BPF_IMM);
	cr_assert_eq(in[1].src_reg, 0, "a plain constant, not a pseudo ld_imm64");
	cr_assert_eq(in[1].imm, 1, "`if (!bpf_rdonly_cast)`: the kernel has it");
	cr_assert_eq(in[2].imm, 0);
	cr_assert_eq(in[4].imm, 2, "type_id_target of struct file");
	cr_assert_eq(in[6].code, BPF_JMP | BPF_CALL);
	cr_assert_eq(in[6].src_reg, BPF_PSEUDO_KFUNC_CALL);
	cr_assert_eq(in[6].imm, 4, "the FUNC's BTF id");
	cr_assert_eq(in[6].off, 0, "vmlinux, not a module");
	/* a kfunc this kernel lacks: its test is 0 and its call r0 = 0 */
	in = insns_of(o, "ksym_missing");
	cr_assert_eq(in[1].imm, 0);
	cr_assert_eq(in[4].code, MOV64_IMM);
	cr_assert_eq(in[4].dst_reg, 0);
	cr_assert_eq(in[4].imm, 0);
	btf_data__free(targ);
	obj__close(o);
}

Test(core, kernel_without_the_kfunc_gets_constant_zero)
{
	struct obj *o = open_fixture("ksym.bpf.o");
	struct btf_data *targ = ksym_btf(false);
	const struct bpf_insn *in;

	cr_assert_eq(obj__relocate(o, targ), 0, "%s", cap_text());
	in = insns_of(o, "ksym_cast");
	cr_assert_eq(in[1].imm, 0);
	cr_assert_eq(in[6].code, MOV64_IMM);
	cr_assert_eq(in[6].src_reg, 0);
	btf_data__free(targ);
	obj__close(o);
}

Test(core, kfunc_and_type_id_against_vmlinux)
{
	struct obj *o = open_fixture("ksym.bpf.o");
	const struct bpf_insn *in;
	const struct btf_type *t;
	struct btf_data *vml;

	if (access(VMLINUX, R_OK))
		cr_skip_test("no %s", VMLINUX);
	cr_assert_eq(btf_data__load_file(&vml, VMLINUX, cap_printer()), 0);
	cr_assert_eq(obj__relocate(o, vml), 0, "%s", cap_text());
	in = insns_of(o, "ksym_cast");
	t = btf_data__type(vml, in[4].imm);
	cr_assert_not_null(t);
	cr_assert_eq(type_kind(t), BTF_KIND_STRUCT);
	cr_assert_str_eq(btf_data__str(vml, t->name_off), "file");
	if (in[1].imm) {
		t = btf_data__type(vml, in[6].imm);
		cr_assert_eq(type_kind(t), BTF_KIND_FUNC);
		cr_assert_str_eq(btf_data__str(vml, t->name_off), "bpf_rdonly_cast");
	} else {
		cr_assert_eq(in[6].code, MOV64_IMM);
	}
	btf_data__free(vml);
	obj__close(o);
}
