// SPDX-License-Identifier: GPL-2.0
/*
 * Loader ELF sanity checks: each malformed object, a row of a table that
 * spoils a valid object built in memory, is rejected with one message that
 * names the object and the culprit.  Then the merging of maps.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ltest.h"

static int open_one(struct obj_src src, struct obj **o)
{
	cap_reset();
	return obj__open_mem(o, &src, 1, cap_opts());
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

/*
 * The broken inputs, one row each: how the valid minimal object is spoiled
 * (in its parts before the image is built, or in the image), and the one
 * message the open must print.
 */
static void spoil_truncate_to_4(struct obj_src *src)
{
	src->data = "\177ELF";
	src->size = 4;
}

static void spoil_cut_section_table(struct obj_src *src)
{
	src->size -= 10;
}

static void spoil_script(struct obj_src *src)
{
	static const char junk[128] = "#!/bin/sh\necho not an object\n";

	src->data = junk;
	src->size = sizeof(junk);
}

static void spoil_machine(struct obj_src *src)
{
	img_ehdr((void *)src->data)->e_machine = EM_X86_64;
}

static void spoil_rel_link_99(struct obj_src *src)
{
	img_shdr((void *)src->data, MINI_REL)->sh_link = 99;
}

static void spoil_rel_link_strtab(struct obj_src *src)
{
	img_shdr((void *)src->data, MINI_REL)->sh_link = MINI_STRTAB;
}

static void spoil_code_size(struct obj_src *src)
{
	img_shdr((void *)src->data, MINI_PROG)->sh_size = 28;
}

/* "raw_tracepoint/t" -> "kprobe/t" in .shstrtab, in place (padded) */
static void spoil_section_name(struct obj_src *src)
{
	memcpy(memmem(src->data, src->size, "raw_tracepoint/t", 17), "kprobe/t\0", 9);
}

static void spoil_rel_on_mov(struct mini *m)
{
	m->rel[0].r_offset = 16;
}

static void spoil_rel_past_end(struct mini *m)
{
	m->rel[0].r_offset = 0x48;
}

static void spoil_rel_unaligned(struct mini *m)
{
	m->rel[0].r_offset = 4;
}

static void spoil_rel_sym_42(struct mini *m)
{
	m->rel[0].r_info = ELF64_R_INFO(42, R_BPF_64_64);
}

static void spoil_rel_type_3(struct mini *m)
{
	m->rel[0].r_info = ELF64_R_INFO(MINI_SYM_MAP, 3);
}

static void spoil_sym_shndx(struct mini *m)
{
	m->syms[MINI_SYM_MAP].st_shndx = 50;
}

static void spoil_sym_undefined(struct mini *m)
{
	m->syms[MINI_SYM_MAP].st_shndx = SHN_UNDEF;
	m->syms[MINI_SYM_MAP].st_name = str_add(&m->str, "nosuch");
}

static void spoil_map_def_size(struct mini *m)
{
	m->syms[MINI_SYM_MAP].st_size = 12;
}

static const struct broken {
	const char *obj_name;
	void (*spoil_parts)(struct mini *m);	  /* before the image is built, or NULL */
	void (*spoil_image)(struct obj_src *src); /* after, or NULL */
	const char *msg;
} broken[] = {
	{ "tiny.o", NULL, spoil_truncate_to_4, "tiny.o: truncated file: 4 bytes" },
	{ "cut.o", NULL, spoil_cut_section_table, "cut.o: truncated file: section headers end at" },
	{ "script.o", NULL, spoil_script, "script.o: not an ELF file" },
	{ "x86.o", NULL, spoil_machine, "x86.o: wrong machine 62, expected EM_BPF (247)" },
	{ "link.o", NULL, spoil_rel_link_99,
	  "link.o: section '.relraw_tracepoint/t': sh_link 99 is out of range" },
	{ "rel.o", NULL, spoil_rel_link_strtab,
	  "rel.o: section '.relraw_tracepoint/t': sh_link 5 is not the symbol table" },
	{ "odd.o", NULL, spoil_code_size,
	  "odd.o: section 'raw_tracepoint/t': size 28 is not a multiple of 8" },
	{ "k.o", NULL, spoil_section_name, "k.o: section 'kprobe/t': unknown program type" },
	{ "rw.bpf.o", spoil_rel_on_mov, NULL,
	  "rw.bpf.o: section '.relraw_tracepoint/t': relocation #0: insn at 0x10 (code 0xb7) is neither ld_imm64 nor call" },
	{ "rw.bpf.o", spoil_rel_past_end, NULL,
	  "rw.bpf.o: section '.relraw_tracepoint/t': relocation #0: offset 0x48 is not on an instruction" },
	{ "a.o", spoil_rel_unaligned, NULL, "relocation #0: offset 0x4 is not on an instruction" },
	{ "s.o", spoil_rel_sym_42, NULL,
	  "s.o: section '.relraw_tracepoint/t': relocation #0: symbol index 42 is out of range (3 symbols)" },
	{ "t.o", spoil_rel_type_3, NULL, "relocation #0: type 3 is not supported on ld_imm64" },
	{ "s.o", spoil_sym_shndx, NULL, "s.o: symbol 'm1': section index 50 is out of range" },
	{ "u.o", spoil_sym_undefined, NULL,
	  "u.o: section '.relraw_tracepoint/t': relocation #0: symbol 'nosuch' is not defined in any object" },
	{ "small.o", spoil_map_def_size, NULL,
	  "small.o: map 'm1': definition is 12 bytes at 0x0, need 20" },
};

#define BROKEN_CNT (sizeof(broken) / sizeof(broken[0]))

/* rows by index: the table itself holds pointers, which stay in this process */
ParameterizedTestParameters(elf, broken_input_is_rejected_with_one_message)
{
	static size_t rows[BROKEN_CNT];

	for (size_t i = 0; i < BROKEN_CNT; i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, BROKEN_CNT);
}

ParameterizedTest(size_t *row, elf, broken_input_is_rejected_with_one_message)
{
	const struct broken *b = &broken[*row];
	struct obj_src src;
	struct mini m;

	mini_init(&m, 4);
	if (b->spoil_parts)
		b->spoil_parts(&m);
	src = mini_build(&m, b->obj_name);
	if (b->spoil_image)
		b->spoil_image(&src);
	expect_reject(src, b->msg);
}

static int open_two(struct mini *a, struct mini *b, struct obj **o)
{
	struct obj_src srcs[2];

	srcs[0] = mini_build(a, "a.o");
	srcs[1] = mini_build(b, "b.o");
	/* the second program needs another name */
	memcpy(memmem(srcs[1].data, srcs[1].size, "mini", 5), "minb", 4);
	cap_reset();
	return obj__open_mem(o, srcs, 2, cap_opts());
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
