// SPDX-License-Identifier: GPL-2.0
/*
 * Loader ELF sanity checks: each malformed object, built in memory, is
 * rejected with one message that names the object and the culprit.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ltest.h"

static int open_one(struct obj_src src, struct obj **o)
{
	cap_reset();
	return obj__open_mem(o, &src, 1);
}

static void expect_reject(struct obj_src src, const char *msg)
{
	struct obj *o = (void *)1;
	int err = open_one(src, &o);

	cr_assert_lt(err, 0, "open succeeded, expected '%s'", msg);
	cr_assert_null(o);
	cr_assert(strstr(cap_text(), msg), "message '%s' not in: %s", msg, cap_text());
	cr_assert_eq(strchr(cap_text(), '\n'), cap_text() + strlen(cap_text()) - 1,
		     "more than one message: %s", cap_text());
}

Test(elf, valid_minimal_object_opens)
{
	struct mini m;
	struct obj *o;

	mini_init(&m, 4);
	cr_assert_eq(open_one(mini_build(&m, "mini.o"), &o), 0, "%s", cap_text());
	cr_assert_str_empty(cap_text());
	cr_assert_eq(obj__prog_cnt(o), 1);
	cr_assert_str_eq(prog__name(obj__prog(o, 0)), "mini");
	cr_assert_str_eq(prog__section(obj__prog(o, 0)), "raw_tracepoint/t");
	cr_assert_eq(obj__map_cnt(o), 1);
	cr_assert_eq(map__max_entries(obj__find_map(o, "m1")), 4);
	obj__close(o);
}

Test(elf, truncated_file_is_rejected)
{
	struct obj_src src = { "tiny.o", "\177ELF", 4 };

	expect_reject(src, "tiny.o: truncated file: 4 bytes");
}

Test(elf, section_table_past_the_end_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "cut.o");
	src.size -= 10;
	expect_reject(src, "cut.o: truncated file: section headers end at");
}

Test(elf, non_elf_data_is_rejected)
{
	static const char junk[128] = "#!/bin/sh\necho not an object\n";
	struct obj_src src = { "script.o", junk, sizeof(junk) };

	expect_reject(src, "script.o: not an ELF file");
}

Test(elf, wrong_machine_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "x86.o");
	img_ehdr((void *)src.data)->e_machine = EM_X86_64;
	expect_reject(src, "x86.o: wrong machine 62, expected EM_BPF (247)");
}

Test(elf, bad_sh_link_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "link.o");
	img_shdr((void *)src.data, MINI_REL)->sh_link = 99;
	expect_reject(src, "link.o: section '.relraw_tracepoint/t': sh_link 99 is out of range");
}

Test(elf, relocation_section_not_linked_to_symtab_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "rel.o");
	img_shdr((void *)src.data, MINI_REL)->sh_link = MINI_STRTAB;
	expect_reject(src,
		      "rel.o: section '.relraw_tracepoint/t': sh_link 5 is not the symbol table");
}

Test(elf, relocation_on_non_ld64_insn_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.rel[0].r_offset = 16;
	expect_reject(
		mini_build(&m, "rw.bpf.o"),
		"rw.bpf.o: section '.relraw_tracepoint/t': relocation #0: insn at 0x10 (code 0xb7) is neither ld_imm64 nor call");
}

Test(elf, relocation_offset_out_of_range_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.rel[0].r_offset = 0x48;
	expect_reject(
		mini_build(&m, "rw.bpf.o"),
		"rw.bpf.o: section '.relraw_tracepoint/t': relocation #0: offset 0x48 is not on an instruction");
}

Test(elf, unaligned_relocation_offset_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.rel[0].r_offset = 4;
	expect_reject(mini_build(&m, "a.o"), "relocation #0: offset 0x4 is not on an instruction");
}

Test(elf, relocation_symbol_index_out_of_range_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.rel[0].r_info = ELF64_R_INFO(42, R_BPF_64_64);
	expect_reject(
		mini_build(&m, "s.o"),
		"s.o: section '.relraw_tracepoint/t': relocation #0: symbol index 42 is out of range (3 symbols)");
}

Test(elf, symbol_section_index_out_of_range_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.syms[MINI_SYM_MAP].st_shndx = 50;
	expect_reject(mini_build(&m, "s.o"), "s.o: symbol 'm1': section index 50 is out of range");
}

Test(elf, code_section_not_multiple_of_8_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "odd.o");
	img_shdr((void *)src.data, MINI_PROG)->sh_size = 28;
	expect_reject(src, "odd.o: section 'raw_tracepoint/t': size 28 is not a multiple of 8");
}

Test(elf, unsupported_relocation_type_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.rel[0].r_info = ELF64_R_INFO(MINI_SYM_MAP, 3);
	expect_reject(mini_build(&m, "t.o"), "relocation #0: type 3 is not supported on ld_imm64");
}

Test(elf, undefined_symbol_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.syms[MINI_SYM_MAP].st_shndx = SHN_UNDEF;
	m.syms[MINI_SYM_MAP].st_name = str_add(&m.str, "nosuch");
	expect_reject(
		mini_build(&m, "u.o"),
		"u.o: section '.relraw_tracepoint/t': relocation #0: symbol 'nosuch' is not defined in any object");
}

Test(elf, unknown_program_section_is_rejected)
{
	struct mini m;
	struct obj_src src;

	mini_init(&m, 4);
	src = mini_build(&m, "k.o");
	/* "raw_tracepoint/t" -> "kprobe/t" in .shstrtab, same length padded */
	memcpy(memmem(src.data, src.size, "raw_tracepoint/t", 17), "kprobe/t\0", 9);
	expect_reject(src, "k.o: section 'kprobe/t': unknown program type");
}

Test(maps, map_definition_too_small_is_rejected)
{
	struct mini m;

	mini_init(&m, 4);
	m.syms[MINI_SYM_MAP].st_size = 12;
	expect_reject(mini_build(&m, "small.o"),
		      "small.o: map 'm1': definition is 12 bytes at 0x0, need 20");
}

static int open_two(struct mini *a, struct mini *b, struct obj **o)
{
	struct obj_src srcs[2];

	srcs[0] = mini_build(a, "a.o");
	srcs[1] = mini_build(b, "b.o");
	/* the second program needs another name */
	memcpy(memmem(srcs[1].data, srcs[1].size, "mini", 5), "minb", 4);
	cap_reset();
	return obj__open_mem(o, srcs, 2);
}

Test(maps, duplicate_map_with_different_definition_is_rejected)
{
	struct mini a, b;
	struct obj *o;

	mini_init(&a, 4);
	mini_init(&b, 8);
	cr_assert_eq(open_two(&a, &b, &o), -EINVAL);
	cr_assert(
		strstr(cap_text(),
		       "b.o: map 'm1': definition (type 2, key 4, value 8, max 8, flags 0) differs from the one in a.o (type 2, key 4, value 8, max 4, flags 0)"),
		"%s", cap_text());
}

Test(maps, same_map_in_two_objects_is_one_map)
{
	struct mini a, b;
	struct obj *o;

	mini_init(&a, 4);
	mini_init(&b, 4);
	cr_assert_eq(open_two(&a, &b, &o), 0, "%s", cap_text());
	cr_assert_eq(obj__map_cnt(o), 1);
	cr_assert_eq(obj__prog_cnt(o), 2);
	obj__close(o);
}

Test(maps, long_map_name_is_truncated_for_the_kernel)
{
	struct mini m;
	struct obj *o;
	struct map *map;

	mini_init(&m, 4);
	m.syms[MINI_SYM_MAP].st_name = str_add(&m.str, "a_rather_long_map-name");
	cr_assert_eq(open_one(mini_build(&m, "n.o"), &o), 0, "%s", cap_text());
	map = obj__find_map(o, "a_rather_long_map-name");
	cr_assert_not_null(map);
	cr_assert_str_eq(map->kname, "a_rather_long_m");
	obj__close(o);
}

Test(maps, extra_zero_bytes_after_definition_are_accepted)
{
	struct {
		uint32_t def[5];
		uint32_t pad[3];
	} big = { { BPF_MAP_TYPE_HASH, 4, 4, 16, 0 }, { 0 } };
	struct mini m;
	struct obj_src src;
	struct obj *o;

	mini_init(&m, 4);
	m.syms[MINI_SYM_MAP].st_size = sizeof(big);
	src = mini_build(&m, "big.o");
	/* swap the maps section data for the bigger definition */
	img_shdr((void *)src.data, MINI_MAPS)->sh_size = 0;
	m.eb.secs[MINI_MAPS].data = &big;
	m.eb.secs[MINI_MAPS].size = sizeof(big);
	m.eb.cnt--; /* drop the .shstrtab eb_build added */
	src.data = eb_build(&m.eb, &src.size);
	cr_assert_eq(open_one(src, &o), 0, "%s", cap_text());
	cr_assert_eq(map__type(obj__find_map(o, "m1")), BPF_MAP_TYPE_HASH);
	obj__close(o);
}
