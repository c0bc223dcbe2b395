// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE calculation alone (loader/relo_core.c): a local and a target BTF
 * built here, one relocation record at a time; no object, ELF or insn.
 *
 *   local                                  target (kernel-like)
 *   struct file      (40)                  struct file     (48)
 *     int f_mode @0                          long long f_mode @4
 *     struct path f_path @8                  union { struct path f_path; } @16
 *     long long f_pos @24                    long long f_pos @40
 *     int f_no_such_field @32
 *   const file_t -> typedef -> struct file
 *   struct file___old { int f_mode @0; long long f_pos @8; }
 *   struct task_struct { int pid @0; char comm[16] @4; }
 *                                          struct task_struct { char comm[16] @32; int pid @48; }
 *   struct inode { int i_flags:3; }        struct inode { long long i_flags @0; }
 *   struct super_block { int s_dev @0; }   struct super_block { int s_dev:20; }
 *   struct mount, struct nosuchtype        struct mount, twice
 *   struct path { void *mnt @0; void *dentry @8; } on both sides
 * With `second`, the target has a flavor struct file___v2 too, whose f_pos
 * agrees with file's (@40) and whose f_mode does not (@0).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "ltest.h"

static struct {
	uint32_t file, const_file, file_old, task, inode, super, mount, nosuch, int_t;
} L;
static struct {
	uint32_t file;
} T;

static struct btf_data *local_btf(void)
{
	static struct bb b;
	uint32_t i, ll, ptr, path, chr, arr, tdef;

	bb_init(&b);
	L.int_t = i = bb_int(&b, "int", 4);
	ll = bb_int(&b, "long long", 8);
	ptr = bb_type(&b, NULL, BTF_KIND_PTR, 0, 0, 0);
	path = bb_type(&b, "path", BTF_KIND_STRUCT, 2, 0, 16);
	bb_member(&b, "mnt", ptr, 0);
	bb_member(&b, "dentry", ptr, 64);
	L.file = bb_type(&b, "file", BTF_KIND_STRUCT, 4, 0, 40);
	bb_member(&b, "f_mode", i, 0);
	bb_member(&b, "f_path", path, 64);
	bb_member(&b, "f_pos", ll, 192);
	bb_member(&b, "f_no_such_field", i, 256);
	tdef = bb_type(&b, "file_t", BTF_KIND_TYPEDEF, 0, 0, L.file);
	L.const_file = bb_type(&b, NULL, BTF_KIND_CONST, 0, 0, tdef);
	L.file_old = bb_type(&b, "file___old", BTF_KIND_STRUCT, 2, 0, 16);
	bb_member(&b, "f_mode", i, 0);
	bb_member(&b, "f_pos", ll, 64);
	chr = bb_int(&b, "char", 1);
	arr = bb_array(&b, chr, i, 16);
	L.task = bb_type(&b, "task_struct", BTF_KIND_STRUCT, 2, 0, 20);
	bb_member(&b, "pid", i, 0);
	bb_member(&b, "comm", arr, 32);
	L.inode = bb_type(&b, "inode", BTF_KIND_STRUCT, 1, 1, 4);
	bb_member(&b, "i_flags", i, 3u << 24 | 0); /* kflag: 3-bit bitfield at bit 0 */
	L.super = bb_type(&b, "super_block", BTF_KIND_STRUCT, 1, 0, 4);
	bb_member(&b, "s_dev", i, 0);
	L.mount = bb_type(&b, "mount", BTF_KIND_STRUCT, 0, 0, 0);
	L.nosuch = bb_type(&b, "nosuchtype", BTF_KIND_STRUCT, 0, 0, 0);
	return bb_parse(&b);
}

static struct btf_data *target_btf(bool second)
{
	static struct bb b;
	uint32_t i, ll, ptr, path, anon, chr, arr;

	bb_init(&b);
	i = bb_int(&b, "int", 4);
	ll = bb_int(&b, "long long", 8);
	ptr = bb_type(&b, NULL, BTF_KIND_PTR, 0, 0, 0);
	path = bb_type(&b, "path", BTF_KIND_STRUCT, 2, 0, 16);
	bb_member(&b, "mnt", ptr, 0);
	bb_member(&b, "dentry", ptr, 64);
	anon = bb_type(&b, NULL, BTF_KIND_UNION, 1, 0, 16);
	bb_member(&b, "f_path", path, 0);
	T.file = bb_type(&b, "file", BTF_KIND_STRUCT, 3, 0, 48);
	bb_member(&b, "f_mode", ll, 32);
	bb_member(&b, NULL, anon, 128);
	bb_member(&b, "f_pos", ll, 320);
	if (second) {
		bb_type(&b, "file___v2", BTF_KIND_STRUCT, 2, 0, 48);
		bb_member(&b, "f_mode", ll, 0);
		bb_member(&b, "f_pos", ll, 320);
	}
	chr = bb_int(&b, "char", 1);
	arr = bb_array(&b, chr, i, 16);
	bb_type(&b, "task_struct", BTF_KIND_STRUCT, 2, 0, 64);
	bb_member(&b, "comm", arr, 256);
	bb_member(&b, "pid", i, 384);
	bb_type(&b, "inode", BTF_KIND_STRUCT, 1, 0, 8);
	bb_member(&b, "i_flags", ll, 0);
	bb_type(&b, "super_block", BTF_KIND_STRUCT, 1, 1, 4);
	bb_member(&b, "s_dev", i, 20u << 24 | 0); /* kflag: 20-bit bitfield */
	bb_type(&b, "mount", BTF_KIND_STRUCT, 0, 0, 0);
	bb_type(&b, "mount", BTF_KIND_STRUCT, 0, 0, 0);
	return bb_parse(&b);
}

static struct btf_data *local, *targ, *targ_second;

static void build(void)
{
	local = local_btf();
	targ_second = target_btf(true);
	targ = target_btf(false);
}

static void drop(void)
{
	btf_data__free(local);
	btf_data__free(targ);
	btf_data__free(targ_second);
}

TestSuite(relo_core, .init = build, .fini = drop);

/* relo_core_calc of (kind, type_id, access) against the base or `second` target */
static int calc(uint32_t kind, uint32_t type_id, const char *access, bool second,
		struct core_res *res)
{
	struct core_relo r = { kind, type_id, access };

	return relo_core_calc(local, second ? targ_second : targ, &r, res);
}

Test(relo_core, field_is_found_at_its_target_offset)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:2", false, &res), 0, "%s", res.reason);
	cr_assert_str_eq(res.name, "file.f_pos");
	cr_assert_eq(res.local_val, 24);
	cr_assert_eq(res.targ_val, 40);
	cr_assert_eq(res.local_sz, 8);
	cr_assert_eq(res.targ_sz, 8);
	cr_assert_not(res.poison);
}

Test(relo_core, anonymous_target_members_are_looked_through)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:1:1", false, &res), 0, "%s",
		     res.reason);
	cr_assert_str_eq(res.name, "file.f_path.dentry");
	cr_assert_eq(res.local_val, 16);
	cr_assert_eq(res.targ_val, 24, "anonymous union @16 + dentry @8");
}

Test(relo_core, modifiers_and_typedefs_on_the_root_are_skipped)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.const_file, "0:2", false, &res), 0, "%s",
		     res.reason);
	cr_assert_str_eq(res.name, "file.f_pos");
	cr_assert_eq(res.targ_val, 40);
}

Test(relo_core, missing_field_is_a_poison_not_an_error)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:3", false, &res), 0, "%s", res.reason);
	cr_assert(res.poison);
	cr_assert_str_eq(res.name, "file.f_no_such_field");
	cr_assert_eq(res.local_val, 32, "what clang compiled in, for the insn check");
}

Test(relo_core, field_exists_is_one_or_zero)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_EXISTS, L.file, "0:3", false, &res), 0);
	cr_assert_eq(res.local_val, 1);
	cr_assert_eq(res.targ_val, 0);
	cr_assert_not(res.poison, "a missing field is the answer here");
	cr_assert_eq(calc(CORE_FIELD_EXISTS, L.file, "0:0", false, &res), 0);
	cr_assert_eq(res.targ_val, 1);
}

Test(relo_core, field_sizes_of_both_sides_are_given)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_SIZE, L.file, "0:0", false, &res), 0);
	cr_assert_eq(res.local_val, 4);
	cr_assert_eq(res.targ_val, 8);
	/* an offset relocation reports the mismatch, for the insn's access size check */
	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:0", false, &res), 0);
	cr_assert_eq(res.targ_val, 4);
	cr_assert_eq(res.local_sz, 4);
	cr_assert_eq(res.targ_sz, 8);
}

Test(relo_core, flavor_suffix_of_the_local_root_is_ignored)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file_old, "0:1", false, &res), 0, "%s",
		     res.reason);
	cr_assert_str_eq(res.name, "file.f_pos");
	cr_assert_eq(res.local_val, 8);
	cr_assert_eq(res.targ_val, 40);
}

Test(relo_core, flavored_target_candidates_that_agree_give_one_answer)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:2", true, &res), 0, "%s", res.reason);
	cr_assert_eq(res.targ_val, 40);
}

Test(relo_core, target_candidates_that_disagree_are_an_error)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:0", true, &res), -EINVAL);
	cr_assert_str_eq(res.reason,
			 "CO-RE field 'file.f_mode': kernel types disagree (offset 4 vs 0)");
}

Test(relo_core, array_index_steps_by_the_element_size)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.task, "0:1:3", false, &res), 0, "%s",
		     res.reason);
	cr_assert_str_eq(res.name, "task_struct.comm[3]");
	cr_assert_eq(res.local_val, 4 + 3);
	cr_assert_eq(res.targ_val, 32 + 3);
	cr_assert_eq(res.targ_sz, 1);
}

Test(relo_core, local_bitfield_is_refused)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.inode, "0:0", false, &res), -EOPNOTSUPP);
	cr_assert_str_eq(res.reason,
			 "CO-RE field 'inode': member #0 is a bitfield (not supported)");
}

Test(relo_core, target_bitfield_is_refused)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.super, "0:0", false, &res), -EOPNOTSUPP);
	cr_assert_str_eq(
		res.reason,
		"CO-RE field 'super_block.s_dev' is a bitfield in kernel BTF (not supported)");
}

Test(relo_core, malformed_access_string_is_refused)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:x", false, &res), -EINVAL);
	cr_assert_str_eq(res.reason, "CO-RE access string '0:x' is malformed");
	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, NULL, false, &res), -EINVAL);
	cr_assert_str_eq(res.reason, "CO-RE access string '?' is malformed");
}

Test(relo_core, access_past_the_local_members_is_refused)
{
	struct core_res res;
	char want[128];

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.file, "0:9", false, &res), -EINVAL);
	snprintf(want, sizeof(want), "CO-RE access '0:9' does not fit local type [%u]", L.file);
	cr_assert_str_eq(res.reason, want);
}

Test(relo_core, root_must_be_a_named_struct_or_union)
{
	struct core_res res;
	char want[128];

	cr_assert_eq(calc(CORE_FIELD_BYTE_OFFSET, L.int_t, "0:0", false, &res), -EINVAL);
	snprintf(want, sizeof(want), "CO-RE root type [%u] is not a named struct or union",
		 L.int_t);
	cr_assert_str_eq(res.reason, want);
}

Test(relo_core, type_id_target_is_the_kernel_id_or_a_poison)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_TYPE_ID_TARGET, L.file, "0", false, &res), 0, "%s", res.reason);
	cr_assert_eq(res.targ_val, T.file);
	cr_assert_eq(res.local_val, L.file);
	cr_assert_not(res.poison);
	cr_assert_eq(calc(CORE_TYPE_ID_TARGET, L.nosuch, "0", false, &res), 0);
	cr_assert(res.poison);
	cr_assert_str_eq(res.name, "nosuchtype");
}

Test(relo_core, ambiguous_type_id_target_is_an_error)
{
	struct core_res res;

	cr_assert_eq(calc(CORE_TYPE_ID_TARGET, L.mount, "0", false, &res), -EINVAL);
	cr_assert(strstr(res.reason, "CO-RE type 'mount' is ambiguous in kernel BTF ("), "%s",
		  res.reason);
}

Test(relo_core, unsupported_kind_is_named)
{
	struct core_res res;

	cr_assert_eq(calc(8, L.file, "0", false, &res), -EOPNOTSUPP);
	cr_assert_str_eq(res.reason, "CO-RE relocation kind 8 (type_exists) is not supported");
}
