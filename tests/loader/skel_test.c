// SPDX-License-Identifier: GPL-2.0
/*
 * The skeleton generator (loader/gen/).  The build generates link.skel.h
 * from the link fixtures, and this file compiles it with only loader.h
 * before it: its members and setter types are checked against what
 * tests/fixtures/link_c.bpf.c declares, written out here by hand, and its
 * bind against the loader's own look-ups.  The type spellings are checked on
 * BTF built in the test, and the header writer's refusals and fallbacks on
 * the opened fixtures.
 */
#include "loader.h"
#include "tests/link.skel.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_test.h"
#include "internal.h"
#include "ltest.h"
#include "gen/skel.h"

/* link_c.bpf.c: typedef unsigned int u32; typedef unsigned long long u64 */
typedef unsigned int fixture_u32;
typedef unsigned long long fixture_u64;

static struct obj *open_link(bool asm_first)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj_src swapped[2] = { srcs[1], srcs[0] };
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, asm_first ? swapped : srcs, 2, cap_opts()), 0, "%s",
		     cap_text());
	return o;
}

Test(skel, members_and_setters_are_what_the_fixture_declares)
{
	struct link_skel s;

	/* one map in SEC("maps"), counts; one program, link_prog; link_asm.o adds none */
	cr_assert_eq(sizeof(s.maps), sizeof(struct map *));
	cr_assert_eq(sizeof(s.progs), sizeof(struct prog *));
	cr_assert(__builtin_types_compatible_p(__typeof__(s.maps.counts), struct map *));
	cr_assert(__builtin_types_compatible_p(__typeof__(s.progs.link_prog), struct prog *));
	/* "const volatile u32 bias" in .rodata, "u64 calls" in .bss */
	cr_assert(__builtin_types_compatible_p(__typeof__(link_skel__set_bias),
					       int(struct link_skel *, const fixture_u32 *)),
		  "bias: a const u32 *");
	cr_assert(__builtin_types_compatible_p(__typeof__(link_skel__set_calls),
					       int(struct link_skel *, const fixture_u64 *)),
		  "calls: a const u64 *");
}

Test(skel, bind_finds_what_the_loader_finds_by_name)
{
	struct obj *o = open_link(false);
	struct link_skel s;

	memset(&s, 0xa5, sizeof(s));
	cr_assert_eq(link_skel__bind(&s, o), 0, "%s", cap_text());
	cr_assert_eq(s.obj, o);
	cr_assert_eq(s.maps.counts, obj__find_map(o, "counts"));
	cr_assert_eq(s.progs.link_prog, obj__find_prog(o, "link_prog"));
	cr_assert_str_empty(cap_text());
	obj__close(o);
}

Test(skel, setters_write_each_global_at_its_size)
{
	struct obj *o = open_link(false);
	fixture_u32 bias = 7;
	fixture_u64 calls = 40;
	struct link_skel s;

	cr_assert_eq(link_skel__bind(&s, o), 0, "%s", cap_text());
	cr_assert_eq(link_skel__set_bias(&s, &bias), 0, "%s", cap_text());
	cr_assert_eq(link_skel__set_calls(&s, &calls), 0, "%s", cap_text());
	cr_assert_eq(memcmp(obj__find_map(o, "link_c.rodata")->init, &bias, sizeof(bias)), 0);
	cr_assert_eq(memcmp(obj__find_map(o, "link_c.bss")->init, &calls, sizeof(calls)), 0);
	obj__close(o);
}

Test(skel, bind_names_the_first_member_the_objects_lack)
{
	struct obj_src src = fixture("core_file.bpf.o");
	struct link_skel s;
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(link_skel__bind(&s, o), -ENOENT);
	cr_assert_str_eq(cap_text(), "map 'counts': not in the BPF objects\n");
	obj__close(o);
}

Test(skel, set_before_load_reaches_the_program)
{
	struct obj *o;
	struct link_skel s;
	fixture_u32 bias = 7;
	uint64_t args[2] = { 1, 2 };
	uint32_t ret = 0;

	require_bpf();
	o = open_link(false);
	cr_assert_eq(link_skel__bind(&s, o), 0, "%s", cap_text());
	cr_assert_eq(link_skel__set_bias(&s, &bias), 0, "%s", cap_text());
	cr_assert_eq(obj__load(s.obj, NULL), 0, "%s", cap_text());
	cr_assert_eq(prog__test_run(s.progs.link_prog, args, sizeof(args), &ret), 0);
	/* c_twice(1) + asm_inc(c_back(1) + 2) + bias = 2 + 104 + 7 */
	cr_assert_eq(ret, 113);
	obj__close(o);
}

/* ---- type spellings ---------------------------------------------------------- */

static uint32_t int_type(struct bb *b, const char *name, uint32_t sz, uint32_t enc, uint32_t bits)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, 0, sz);

	bb_word(b, enc << 24 | bits);
	return id;
}

struct spell_case {
	const char *what;
	uint32_t id;
	int err;
	const char *name;
	uint32_t cnt, size;
};

Test(skel, types_are_spelled_by_tag_size_and_signedness)
{
	uint32_t u32, s64, chr, boolean, u16, cv_u32, cfg, val, anon, arr;
	struct skel_type t;
	struct bb b;

	bb_init(&b);
	u32 = int_type(&b, "unsigned int", 4, 0, 32);
	s64 = int_type(&b, "long", 8, BTF_INT_SIGNED, 64);
	chr = int_type(&b, "char", 1, BTF_INT_SIGNED, 8);
	boolean = int_type(&b, "_Bool", 1, BTF_INT_BOOL, 8);
	u16 = int_type(&b, "unsigned short", 2, 0, 16);
	cv_u32 = bb_type(&b, "u32", BTF_KIND_TYPEDEF, 0, 0, u32);
	cv_u32 = bb_type(&b, NULL, BTF_KIND_VOLATILE, 0, 0, cv_u32);
	cv_u32 = bb_type(&b, NULL, BTF_KIND_CONST, 0, 0, cv_u32);
	cfg = bb_type(&b, "cfg", BTF_KIND_STRUCT, 2, 0, 8);
	bb_member(&b, "a", u32, 0);
	bb_member(&b, "b", u32, 32);
	val = bb_type(&b, "val", BTF_KIND_UNION, 1, 0, 8);
	bb_member(&b, "l", s64, 0);
	anon = bb_type(&b, NULL, BTF_KIND_STRUCT, 1, 0, 4);
	bb_member(&b, "a", u32, 0);
	arr = bb_array(&b, u32, u32, 3);

	const struct spell_case cases[] = {
		{ "unsigned int", u32, 0, "__u32", 1, 4 },
		{ "long", s64, 0, "__s64", 1, 8 },
		{ "char", chr, 0, "char", 1, 1 },
		{ "_Bool", boolean, 0, "bool", 1, 1 },
		{ "unsigned short", u16, 0, "__u16", 1, 2 },
		{ "const volatile typedef", cv_u32, 0, "__u32", 1, 4 },
		{ "struct by tag", cfg, 0, "struct cfg", 1, 8 },
		{ "union by tag", val, 0, "union val", 1, 8 },
		{ "unsigned enum", bb_type(&b, "mode", BTF_KIND_ENUM, 0, 0, 4), 0, "__u32", 1, 4 },
		{ "signed enum", bb_type(&b, "delta", BTF_KIND_ENUM, 0, 1, 8), 0, "__s64", 1, 8 },
		{ "array", arr, 0, "__u32", 3, 12 },
		{ "char array", bb_array(&b, chr, u32, 16), 0, "char", 16, 16 },
		{ "const array of structs",
		  bb_type(&b, NULL, BTF_KIND_CONST, 0, 0, bb_array(&b, cfg, u32, 2)), 0,
		  "struct cfg", 2, 16 },
		{ "void", 0, -EOPNOTSUPP, NULL, 0, 0 },
		{ "anonymous struct", anon, -EOPNOTSUPP, NULL, 0, 0 },
		{ "pointer", bb_type(&b, NULL, BTF_KIND_PTR, 0, 0, u32), -EOPNOTSUPP, NULL, 0, 0 },
		{ "two-dimensional array", bb_array(&b, arr, u32, 2), -EOPNOTSUPP, NULL, 0, 0 },
		{ "empty array", bb_array(&b, u32, u32, 0), -EOPNOTSUPP, NULL, 0, 0 },
		{ "bitfield int", int_type(&b, "unsigned int", 4, 0, 3), -EOPNOTSUPP, NULL, 0, 0 },
		{ "16-byte int", int_type(&b, "__int128", 16, BTF_INT_SIGNED, 128), -EOPNOTSUPP,
		  NULL, 0, 0 },
		{ "4-byte bool", int_type(&b, "_Bool", 4, BTF_INT_BOOL, 32), -EOPNOTSUPP, NULL, 0,
		  0 },
		{ "float", bb_type(&b, "double", BTF_KIND_FLOAT, 0, 0, 8), -EOPNOTSUPP, NULL, 0,
		  0 },
		{ "id past the types", 1000, -EOPNOTSUPP, NULL, 0, 0 },
	};
	struct btf_data *btf = bb_parse(&b);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spell_case *c = &cases[i];
		int err = skel_spell(btf, c->id, &t);

		cr_assert_eq(err, c->err, "%s: %d", c->what, err);
		if (err)
			continue;
		cr_assert_str_eq(t.name, c->name, "%s", c->what);
		cr_assert_eq(t.cnt, c->cnt, "%s: %u elements", c->what, t.cnt);
		cr_assert_eq(t.size, c->size, "%s: %u bytes", c->what, t.size);
	}
	btf_data__free(btf);
}

/* ---- the header writer --------------------------------------------------------- */

/* the header skel_write makes of o, from its struct on (the comment lists the objects) */
static char *write_header_of(struct obj *o, const struct obj_src *srcs, size_t cnt,
			     const char *name, int want)
{
	char *buf = NULL, *body;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	cr_assert_not_null(f);
	err = skel_write(f, name, o, srcs, cnt);
	fclose(f);
	cr_assert_eq(err, want, "skel_write: %d, messages: %s", err, cap_text());
	body = strstr(buf, "\nstruct ");
	body = strdup(body ? body : "");
	free(buf);
	return body;
}

static char *write_header(struct obj *o, const char *name, int want)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };

	return write_header_of(o, srcs, 2, name, want);
}

Test(skel, members_are_sorted_whatever_the_object_order)
{
	struct mini m;
	struct obj_src fwd[4] = { fixture("link_c.bpf.o"), fixture("link_asm.o"),
				  fixture("core_file.bpf.o"),
				  mini_build((mini_init(&m, 4), &m), "mini.o") };
	struct obj_src rev[4] = { fwd[3], fwd[2], fwd[1], fwd[0] };
	struct obj *a, *b;
	char *ha, *hb;

	cap_reset();
	cr_assert_eq(obj__open_mem(&a, fwd, 4, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(obj__open_mem(&b, rev, 4, cap_opts()), 0, "%s", cap_text());
	ha = write_header_of(a, fwd, 4, "mix", 0);
	hb = write_header_of(b, rev, 4, "mix", 0);
	cr_assert_str_eq(ha, hb);
	/* core_file.bpf.o defines core_dentry, core_pos_size, core_exists in that order */
	cr_assert(strstr(ha, "\tstruct {\n"
			     "\t\tstruct map *counts;\n"
			     "\t\tstruct map *m1;\n"
			     "\t} maps;\n"
			     "\tstruct {\n"
			     "\t\tstruct prog *core_dentry;\n"
			     "\t\tstruct prog *core_exists;\n"
			     "\t\tstruct prog *core_pos_size;\n"
			     "\t\tstruct prog *link_prog;\n"
			     "\t\tstruct prog *mini;\n"
			     "\t} progs;\n"),
		  "%s", ha);
	/* link_c.bpf.o's symbol table has calls before bias */
	cr_assert(strstr(ha, "mix_skel__set_bias(") < strstr(ha, "mix_skel__set_calls("), "%s", ha);
	cr_assert_null(strstr(ha, "_license"), "the license section holds no global:\n%s", ha);
	cr_assert_null(strstr(ha, "rodata;"), "global data maps are no members:\n%s", ha);
	free(ha);
	free(hb);
	obj__close(a);
	obj__close(b);
}

Test(skel, globals_without_btf_get_untyped_setters)
{
	struct obj *o = open_link(false);
	char *h;

	for (size_t i = 0; i < o->global_cnt; i++)
		o->globals[i].btf_id = 0; /* as an asm object's */
	h = write_header(o, "link", 0);
	cr_assert(strstr(h, "static inline int link_skel__set_bias(struct link_skel *s, "
			    "const void *v, size_t sz)\n"
			    "{\n"
			    "\treturn obj__set_global(s->obj, \"bias\", v, sz);\n"
			    "}\n"),
		  "%s", h);
	cr_assert(strstr(h, "link_skel__set_calls(struct link_skel *s, const void *v, size_t sz)"),
		  "%s", h);
	free(h);
	obj__close(o);
}

static size_t global_idx(const struct obj *o, const char *name)
{
	struct obj_global g;

	for (size_t i = 0; i < obj__global_cnt(o); i++) {
		cr_assert_eq(obj__global(o, i, &g), 0);
		if (!strcmp(g.name, name))
			return i;
	}
	cr_assert_fail("no global %s", name);
	return 0;
}

Test(skel, globals_of_unspellable_or_disagreeing_types_get_untyped_setters)
{
	struct obj *o = open_link(false);
	const struct btf_data *btf = o->elfs[0].btf;
	uint32_t ptr = 0, license = btf_data__var_type(btf, "license", "_license");
	size_t bias = global_idx(o, "bias"), calls = global_idx(o, "calls");
	char *h;

	for (uint32_t id = 1; id < btf->type_cnt && !ptr; id++)
		if (BTF_INFO_KIND(btf->types[id]->info) == BTF_KIND_PTR)
			ptr = id; /* link_prog's "u64 *ctx" */
	cr_assert(ptr && license, "the fixture's BTF has a pointer and char _license[4]");
	o->globals[calls].btf_id = ptr;
	/* a second definition of bias, as if from another object, of type char[4] */
	o->globals = realloc(o->globals, (o->global_cnt + 1) * sizeof(*o->globals));
	cr_assert_not_null(o->globals);
	o->globals[o->global_cnt] = o->globals[bias];
	o->globals[o->global_cnt].key = strdup(o->globals[bias].key); /* the copy owns its name */
	o->globals[o->global_cnt++].btf_id = license;
	h = write_header(o, "link", 0);
	cr_assert(strstr(h, "link_skel__set_bias(struct link_skel *s, const void *v, size_t sz)"),
		  "%s", h);
	cr_assert(strstr(h, "link_skel__set_calls(struct link_skel *s, const void *v, size_t sz)"),
		  "%s", h);
	free(h);
	obj__close(o);
}

/* a copy of fixture name that the test may change (freed by the test) */
static struct obj_src fixture_copy(const char *name)
{
	struct obj_src src = fixture(name);
	void *img = malloc(src.size);

	cr_assert_not_null(img);
	src.data = memcpy(img, src.data, src.size);
	return src;
}

/* the symbol named name in the ELF image of src */
static Elf64_Sym *src_sym(struct obj_src *src, const char *name)
{
	uint8_t *img = (uint8_t *)src->data;
	size_t i, j;

	for (i = 1; i < img_ehdr(img)->e_shnum; i++) {
		const Elf64_Shdr *sh = img_shdr(img, i);
		const char *strs = (const char *)img + img_shdr(img, sh->sh_link)->sh_offset;
		Elf64_Sym *syms = (Elf64_Sym *)(img + sh->sh_offset);

		for (j = 1; sh->sh_type == SHT_SYMTAB && j < sh->sh_size / sizeof(*syms); j++)
			if (!strcmp(strs + syms[j].st_name, name))
				return &syms[j];
	}
	cr_assert_fail("no symbol %s", name);
	return NULL;
}

Test(skel, static_variables_get_no_setter)
{
	struct obj_src srcs[2] = { fixture_copy("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj *o;
	char *h;

	src_sym(&srcs[0], "calls")->st_info = ELF64_ST_INFO(STB_LOCAL, STT_OBJECT);
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	cr_assert(o->globals[global_idx(o, "calls")].btf_id, "listed, with its type");
	h = write_header(o, "link", 0);
	cr_assert(strstr(h, "link_skel__set_bias("), "%s", h);
	cr_assert_null(strstr(h, "calls"), "%s", h);
	free(h);
	obj__close(o);
	free((void *)srcs[0].data);
}

Test(skel, a_global_of_two_sizes_is_refused)
{
	struct obj_src srcs[2] = { fixture_copy("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj *o;

	/* "calls" (8 bytes, .bss) renamed: two definitions of bias, 4 and 8 bytes */
	src_sym(&srcs[0], "calls")->st_name = src_sym(&srcs[0], "bias")->st_name;
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	free(write_header(o, "link", -EINVAL));
	cr_assert_str_eq(cap_text(), "global 'bias': 8 bytes in link_c.bpf.o, 4 in link_c.bpf.o\n");
	obj__close(o);
	free((void *)srcs[0].data);
}

Test(skel, names_that_are_no_c_identifier_are_refused)
{
	struct obj *o = open_link(false);
	struct map *m = obj__find_map(o, "counts");

	free(write_header(o, "link-skel", -EINVAL));
	cr_assert_str_eq(cap_text(), "skeleton 'link-skel': not a C identifier\n");
	cap_reset();
	free(m->name);
	m->name = strdup("counts.v2");
	free(write_header(o, "link", -EINVAL));
	cr_assert_str_eq(cap_text(), "map 'counts.v2': not a C identifier\n");
	obj__close(o);
}
