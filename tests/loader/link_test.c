// SPDX-License-Identifier: GPL-2.0
/*
 * Loader linking on the committed fixtures (tests/fixtures/README.md): a C
 * program calling a static C function and a global asm function, which calls
 * back into C and into a local asm function.  Checks the rewritten call imms
 * (by the origin of the target insn), that only reachable functions are
 * appended, and the map / global data patches; then that the leaves among
 * them (c_twice, c_back, asm_inc) are inlined at their calls; the settings
 * made before load and the listing of globals.  No kernel needed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "ltest.h"

static struct obj *open_link_opt(bool asm_first, bool inline_leaves)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj_src swapped[2] = { srcs[1], srcs[0] };
	struct obj *o;
	size_t i;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, asm_first ? swapped : srcs, 2, cap_opts()), 0, "%s",
		     cap_text());
	o->no_inline = !inline_leaves;
	for (i = 0; i < obj__map_cnt(o); i++)
		o->maps[i].fd = 100 + i; /* fake fds: patched in as-is */
	cr_assert_eq(obj__relocate(o, NULL), 0, "%s", cap_text());
	return o;
}

/* linked as written: every call kept */
static struct obj *open_link(bool asm_first)
{
	return open_link_opt(asm_first, false);
}

/* the function symbol that starts at the origin of insn idx, read with gelf */
static const char *func_at_insn(const struct obj *o, const struct prog *p, size_t idx)
{
	const struct insn_origin *org = &p->orig[idx];
	const struct elf_obj *e = &o->elfs[org->elf_idx];
	GElf_Sym sym;
	size_t i;

	for (i = 1; i < e->sym_cnt; i++) {
		cr_assert_eq(elf__sym(e, i, &sym), 0);
		if (GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx == org->sec_idx &&
		    sym.st_value == org->off)
			return elf__sym_name(e, &sym);
	}
	return "?";
}

static size_t func_insns(const struct obj *o, const char *name)
{
	GElf_Sym sym;
	size_t i, j;

	for (i = 0; i < o->elf_cnt; i++)
		for (j = 1; j < o->elfs[i].sym_cnt; j++) {
			cr_assert_eq(elf__sym(&o->elfs[i], j, &sym), 0);
			if (GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
			    !strcmp(elf__sym_name(&o->elfs[i], &sym), name))
				return sym.st_size / 8;
		}
	cr_assert_fail("no function %s", name);
	return 0;
}

/* "caller->callee" for every pseudo call, in program order */
static void call_graph(const struct obj *o, const struct prog *p, char *out, size_t out_sz)
{
	const struct bpf_insn *insns = prog__insns(p);
	size_t i, len = 0;
	int64_t tgt;

	out[0] = '\0';
	for (i = 0; i < prog__insn_cnt(p); i++) {
		if (insns[i].code != (BPF_JMP | BPF_CALL) || insns[i].src_reg != BPF_PSEUDO_CALL)
			continue;
		tgt = (int64_t)i + insns[i].imm + 1;
		cr_assert(tgt >= 0 && (size_t)tgt < prog__insn_cnt(p), "call at %zu leaves", i);
		len += snprintf(out + len, out_sz - len, "%s ", func_at_insn(o, p, tgt));
	}
}

Test(link, reachable_c_and_asm_functions_are_appended_once)
{
	struct obj *o = open_link(false);
	struct prog *p = obj__find_prog(o, "link_prog");
	size_t want;

	cr_assert_not_null(p);
	want = func_insns(o, "link_prog") + func_insns(o, "c_twice") + func_insns(o, "asm_add") +
	       func_insns(o, "c_back") + func_insns(o, "asm_inc");
	cr_assert_eq(prog__insn_cnt(p), want,
		     "got %zu insns, want %zu (c_unused/asm_unused must stay out)",
		     prog__insn_cnt(p), want);
	obj__close(o);
}

Test(link, call_imms_point_at_the_right_functions)
{
	struct obj *o = open_link(false);
	char graph[256];

	call_graph(o, obj__find_prog(o, "link_prog"), graph, sizeof(graph));
	cr_assert_str_eq(graph, "c_twice asm_add c_back asm_inc ");
	obj__close(o);
}

Test(link, object_order_does_not_change_the_call_graph)
{
	struct obj *o = open_link(true);
	char graph[256];

	call_graph(o, obj__find_prog(o, "link_prog"), graph, sizeof(graph));
	cr_assert_str_eq(graph, "c_twice asm_add c_back asm_inc ");
	obj__close(o);
}

/*
 * Inlined: c_twice (into link_prog), c_back and asm_inc (into asm_add) are
 * leaves, so their calls give way to their bodies (without their exit)
 * and they are no longer appended: 2 insns
 * fewer per leaf called once.  asm_add calls and uses r6: kept as a call.
 * Each body keeps its origin, which CO-RE and map patching go by.
 */
Test(link, leaf_functions_are_inlined_at_their_calls)
{
	struct obj *o = open_link_opt(false, true);
	struct prog *p = obj__find_prog(o, "link_prog");
	const struct bpf_insn *insns = prog__insns(p);
	size_t want, exits = 0, i;
	char graph[256], starts[256] = "";
	size_t len = 0;

	cr_assert_not_null(p);
	want = func_insns(o, "link_prog") + func_insns(o, "c_twice") + func_insns(o, "asm_add") +
	       func_insns(o, "c_back") + func_insns(o, "asm_inc") - 3 * 2;
	cr_assert_eq(prog__insn_cnt(p), want, "got %zu insns, want %zu", prog__insn_cnt(p), want);
	call_graph(o, p, graph, sizeof(graph));
	cr_assert_str_eq(graph, "asm_add ");
	for (i = 0; i < prog__insn_cnt(p); i++) {
		const char *f = func_at_insn(o, p, i);

		exits += insns[i].code == (BPF_JMP | BPF_EXIT);
		if (strcmp(f, "?"))
			len += snprintf(starts + len, sizeof(starts) - len, "%s ", f);
	}
	cr_expect_eq(exits, 2, "%zu exits: only link_prog's and asm_add's should be left", exits);
	cr_expect_str_eq(starts, "link_prog c_twice asm_add c_back asm_inc ");
	obj__close(o);
}

static const struct bpf_insn *find_ld(const struct prog *p, uint8_t src_reg, int32_t imm)
{
	const struct bpf_insn *insns = prog__insns(p);
	size_t i;

	for (i = 0; i + 1 < prog__insn_cnt(p); i++)
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg == src_reg &&
		    insns[i].imm == imm)
			return &insns[i];
	return NULL;
}

Test(link, map_and_global_data_references_are_patched)
{
	struct obj *o = open_link(false);
	struct prog *p = obj__find_prog(o, "link_prog");
	const struct bpf_insn *ld;

	cr_assert_not_null(obj__find_map(o, "link_c.bss"));
	cr_assert_not_null(obj__find_map(o, "link_c.rodata"));
	cr_assert_eq(map__value_size(obj__find_map(o, "link_c.rodata")), 4);
	ld = find_ld(p, BPF_PSEUDO_MAP_FD, map__fd(obj__find_map(o, "counts")));
	cr_assert_not_null(ld, "counts not patched");
	ld = find_ld(p, BPF_PSEUDO_MAP_VALUE, map__fd(obj__find_map(o, "link_c.bss")));
	cr_assert(ld && ld[1].imm == 0, "calls not patched");
	ld = find_ld(p, BPF_PSEUDO_MAP_VALUE, map__fd(obj__find_map(o, "link_c.rodata")));
	cr_assert(ld && ld[1].imm == 0, "bias not patched");
	obj__close(o);
}

Test(link, rodata_map_is_read_only_for_programs)
{
	struct obj *o = open_link(false);

	cr_assert_eq(obj__find_map(o, "link_c.rodata")->flags, BPF_F_RDONLY_PROG);
	cr_assert_eq(obj__find_map(o, "link_c.bss")->flags, 0);
	obj__close(o);
}

Test(link, set_global_overrides_initial_bytes)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	uint32_t bias = 7;
	uint64_t wrong = 1;
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(obj__set_global(o, "bias", &bias, sizeof(bias)), 0);
	cr_assert_eq(memcmp(obj__find_map(o, "link_c.rodata")->init, &bias, 4), 0);
	cr_assert_eq(obj__set_global(o, "bias", &wrong, sizeof(wrong)), -EINVAL);
	cr_assert(strstr(cap_text(), "link_c.bpf.o: global 'bias': is 4 bytes, got 8"), "%s",
		  cap_text());
	cr_assert_eq(obj__set_global(o, "nosuch", &bias, sizeof(bias)), -ENOENT);
	obj__close(o);
}

static struct obj *open_link_plain(void)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	return o;
}

/* the global named name, which must be listed once */
static struct obj_global global_named(const struct obj *o, const char *name)
{
	struct obj_global g, found = { 0 };
	size_t i, n = 0;

	for (i = 0; i < obj__global_cnt(o); i++) {
		cr_assert_eq(obj__global(o, i, &g), 0);
		if (!strcmp(g.name, name)) {
			found = g;
			n++;
		}
	}
	cr_assert_eq(n, 1, "global '%s' listed %zu times", name, n);
	return found;
}

/* the kinds and names along a chain of BTF types from id, read from the raw records */
static void btf_chain(const struct btf_data *btf, uint32_t id, char *out, size_t out_sz)
{
	size_t len = 0;
	int depth;

	out[0] = '\0';
	for (depth = 0; id && depth < 8; depth++) {
		const struct btf_type *t = btf_data__type(btf, id);
		uint32_t kind = BTF_INFO_KIND(t->info);

		len += snprintf(out + len, out_sz - len, "%s%u:%s", depth ? " " : "", kind,
				btf_data__str(btf, t->name_off));
		id = kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_TYPEDEF
			     ? t->type
			     : 0;
	}
}

Test(link, globals_are_listed_with_section_size_and_btf_type)
{
	struct obj *o = open_link_plain();
	struct obj_global bias, calls, g;
	char chain[256];

	/* link_c.bpf.c: "const volatile u32 bias" and "u64 calls"; link_asm.o has none */
	cr_assert_eq(obj__global_cnt(o), 2);
	cr_assert_eq(obj__global(o, 2, &g), -ENOENT);
	bias = global_named(o, "bias");
	calls = global_named(o, "calls");
	cr_assert_str_eq(bias.section, ".rodata");
	cr_assert_str_eq(calls.section, ".bss");
	cr_assert_eq(bias.size, 4);
	cr_assert_eq(calls.size, 8);
	cr_assert(bias.src_idx == 0 && calls.src_idx == 0 && !bias.local && !calls.local);
	btf_chain(o->elfs[0].btf, bias.btf_id, chain, sizeof(chain));
	cr_assert_str_eq(chain, "10: 9: 8:u32 1:unsigned int"); /* const volatile typedef int */
	btf_chain(o->elfs[0].btf, calls.btf_id, chain, sizeof(chain));
	cr_assert_str_eq(chain, "8:u64 1:unsigned long long");
	obj__close(o);
}

Test(link, lookups_by_name_report_what_is_missing)
{
	struct obj *o = open_link_plain();
	struct prog *p;
	struct map *m;

	cr_assert_eq(obj__lookup_map(o, "counts", &m), 0);
	cr_assert_eq(m, obj__find_map(o, "counts"));
	cr_assert_eq(obj__lookup_prog(o, "link_prog", &p), 0);
	cr_assert_eq(p, obj__find_prog(o, "link_prog"));
	cr_assert_str_empty(cap_text());
	cr_assert_eq(obj__lookup_map(o, "link_prog", &m), -ENOENT);
	cr_assert_null(m);
	cr_assert_str_eq(cap_text(), "map 'link_prog': not in the BPF objects\n");
	cap_reset();
	cr_assert_eq(obj__lookup_prog(o, "c_twice", &p), -ENOENT, "a subprogram is no program");
	cr_assert_str_eq(cap_text(), "prog 'c_twice': not in the BPF objects\n");
	obj__close(o);
}

Test(link, max_entries_changes_on_maps_of_sec_maps_only)
{
	struct obj *o = open_link_plain();

	cr_assert_eq(map__set_max_entries(obj__find_map(o, "counts"), 9), 0);
	cr_assert_eq(map__max_entries(obj__find_map(o, "counts")), 9);
	cr_assert_eq(map__set_max_entries(obj__find_map(o, "link_c.bss"), 9), -EINVAL);
	cr_assert_str_eq(
		cap_text(),
		"map 'link_c.bss': max_entries can only change before load, on SEC(\"maps\") maps\n");
	cr_assert_eq(map__max_entries(obj__find_map(o, "link_c.bss")), 1);
	obj__close(o);
}

Test(link, missing_asm_object_leaves_an_undefined_symbol)
{
	struct obj_src src = fixture("link_c.bpf.o");
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), -ENOENT);
	cr_assert(
		strstr(cap_text(),
		       "link_c.bpf.o: section '.relraw_tracepoint/sys_enter': relocation #3: symbol 'asm_add' is not defined in any object"),
		"%s", cap_text());
}

Test(link, call_into_code_outside_any_function_is_an_error)
{
	struct mini m;
	struct obj_src src;
	struct obj *o;

	mini_init(&m, 4);
	m.insns[0] = 0x0000000100001085ull; /* call +1 -> byte 16 */
	m.insns[1] = 0x95;		    /* exit */
	m.rel[0].r_info = ELF64_R_INFO(MINI_SYM_PROG, R_BPF_64_32);
	m.syms[MINI_SYM_PROG].st_size = 16; /* bytes 16..31 belong to no function */
	src = mini_build(&m, "nofunc.o");
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(obj__relocate(o, NULL), -EINVAL);
	cr_assert(
		strstr(cap_text(),
		       "prog 'mini': insn 0: call target nofunc.o:raw_tracepoint/t+0x10 is not inside a function"),
		"%s", cap_text());
	obj__close(o);
}
