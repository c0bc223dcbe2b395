// SPDX-License-Identifier: GPL-2.0
/*
 * Open one BPF ELF object from memory with libelf and check everything the
 * later stages rely on before they touch it: header, section table, string
 * and symbol tables, relocation sections and where relocations point.  Each
 * malformed input gets one message naming the object and the section, symbol
 * or relocation; nothing later re-checks these facts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool sec_is_exec(const struct sec *s)
{
	return s->sh.sh_type == SHT_PROGBITS && (s->sh.sh_flags & SHF_EXECINSTR);
}

const uint8_t *sec_bytes(const struct sec *s)
{
	return s->data ? s->data->d_buf : NULL;
}

/*
 * Symbols are read in place: the object is 64-bit little-endian (checked) on
 * a little-endian host, so libelf's symbol data is the Elf64_Sym array, and
 * every st_name was checked against the string table at open.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "symbols are read in place");

int elf__sym(const struct elf_obj *e, size_t idx, GElf_Sym *sym)
{
	if (idx >= e->sym_cnt)
		return -EINVAL;
	*sym = e->syms[idx];
	return 0;
}

const char *elf__sym_name(const struct elf_obj *e, const GElf_Sym *sym)
{
	return e->strs + sym->st_name;
}

static int check_header(const struct obj_src *src, struct printer *pr)
{
	const unsigned char *id = src->data;

	if (src->size < sizeof(Elf64_Ehdr)) {
		pr_warn(pr, "%s: truncated file: %zu bytes, an ELF header needs %zu", src->name,
			src->size, sizeof(Elf64_Ehdr));
		return -EINVAL;
	}
	if (memcmp(id, ELFMAG, SELFMAG)) {
		pr_warn(pr, "%s: not an ELF file", src->name);
		return -EINVAL;
	}
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB) {
		pr_warn(pr, "%s: not a 64-bit little-endian ELF file", src->name);
		return -EINVAL;
	}
	return 0;
}

static int check_ehdr(const struct elf_obj *e, size_t size)
{
	GElf_Ehdr eh;
	uint64_t end;

	if (!gelf_getehdr(e->elf, &eh)) {
		pr_warn(e->pr, "%s: bad ELF header: %s", e->name, elf_errmsg(-1));
		return -EINVAL;
	}
	if (eh.e_machine != EM_BPF) {
		pr_warn(e->pr, "%s: wrong machine %u, expected EM_BPF (%u)", e->name, eh.e_machine,
			EM_BPF);
		return -EINVAL;
	}
	if (eh.e_type != ET_REL) {
		pr_warn(e->pr, "%s: ELF type %u is not a relocatable object", e->name, eh.e_type);
		return -EINVAL;
	}
	end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff < sizeof(Elf64_Ehdr) || end > size ||
	    end < eh.e_shoff) {
		pr_warn(e->pr, "%s: truncated file: section headers end at 0x%llx, file size 0x%zx",
			e->name, (unsigned long long)end, size);
		return -EINVAL;
	}
	return 0;
}

static int read_sec(struct elf_obj *e, size_t idx, size_t file_sz, size_t shstrndx)
{
	struct sec *s = &e->secs[idx];
	Elf_Scn *scn = elf_getscn(e->elf, idx);

	if (!scn || !gelf_getshdr(scn, &s->sh)) {
		pr_warn(e->pr, "%s: section #%zu: bad header: %s", e->name, idx, elf_errmsg(-1));
		return -EINVAL;
	}
	s->name = elf_strptr(e->elf, shstrndx, s->sh.sh_name);
	if (!s->name) {
		pr_warn(e->pr, "%s: section #%zu: name offset %u is out of range", e->name, idx,
			s->sh.sh_name);
		return -EINVAL;
	}
	if (s->sh.sh_type != SHT_NOBITS &&
	    (s->sh.sh_offset > file_sz || s->sh.sh_size > file_sz - s->sh.sh_offset)) {
		pr_warn(e->pr,
			"%s: section '%s': data 0x%llx+0x%llx is past the end of the file (0x%zx)",
			e->name, s->name, (unsigned long long)s->sh.sh_offset,
			(unsigned long long)s->sh.sh_size, file_sz);
		return -EINVAL;
	}
	if (s->sh.sh_type == SHT_NOBITS || s->sh.sh_type == SHT_NULL)
		return 0;
	s->data = elf_getdata(scn, NULL);
	if (!s->data || s->data->d_size != s->sh.sh_size) {
		pr_warn(e->pr, "%s: section '%s': cannot read data: %s", e->name, s->name,
			elf_errmsg(-1));
		return -EINVAL;
	}
	return 0;
}

static int read_secs(struct elf_obj *e, size_t file_sz)
{
	size_t shstrndx, i;
	int err;

	if (elf_getshdrnum(e->elf, &e->sec_cnt) || elf_getshdrstrndx(e->elf, &shstrndx)) {
		pr_warn(e->pr, "%s: bad section table: %s", e->name, elf_errmsg(-1));
		return -EINVAL;
	}
	if (!shstrndx || shstrndx >= e->sec_cnt) {
		pr_warn(e->pr, "%s: section name table index %zu is out of range", e->name,
			shstrndx);
		return -EINVAL;
	}
	e->secs = calloc(e->sec_cnt, sizeof(*e->secs));
	if (!e->secs)
		return -ENOMEM;
	e->secs[0].name = "";
	for (i = 1; i < e->sec_cnt; i++) {
		err = read_sec(e, i, file_sz, shstrndx);
		if (err)
			return err;
	}
	return 0;
}

/* sh_link/sh_info and flags of every section, and the one symbol table */
static int check_links(struct elf_obj *e)
{
	size_t i;

	for (i = 1; i < e->sec_cnt; i++) {
		const struct sec *s = &e->secs[i];

		if (s->sh.sh_link >= e->sec_cnt) {
			pr_warn(e->pr,
				"%s: section '%s': sh_link %u is out of range (%zu sections)",
				e->name, s->name, s->sh.sh_link, e->sec_cnt);
			return -EINVAL;
		}
		/* libelf hands compressed data out as Elf_Chdr: only DWARF, which we never read, may be */
		if ((s->sh.sh_flags & SHF_COMPRESSED) && strncmp(s->name, ".debug", 6)) {
			pr_warn(e->pr, "%s: section '%s': compressed sections are not supported",
				e->name, s->name);
			return -EINVAL;
		}
		if (s->sh.sh_type != SHT_SYMTAB)
			continue;
		if (e->symtab_idx) {
			pr_warn(e->pr, "%s: section '%s': more than one symbol table", e->name,
				s->name);
			return -EINVAL;
		}
		e->symtab_idx = i;
	}
	if (!e->symtab_idx) {
		pr_warn(e->pr, "%s: no symbol table", e->name);
		return -EINVAL;
	}
	return 0;
}

static int check_symtab(struct elf_obj *e)
{
	const struct sec *s = &e->secs[e->symtab_idx];
	const struct sec *str = &e->secs[s->sh.sh_link];

	if (str->sh.sh_type != SHT_STRTAB) {
		pr_warn(e->pr, "%s: section '%s': sh_link %u is not a string table", e->name,
			s->name, s->sh.sh_link);
		return -EINVAL;
	}
	if (s->sh.sh_entsize != sizeof(Elf64_Sym) || s->sh.sh_size % sizeof(Elf64_Sym)) {
		pr_warn(e->pr, "%s: section '%s': bad symbol entry size %llu", e->name, s->name,
			(unsigned long long)s->sh.sh_entsize);
		return -EINVAL;
	}
	e->sym_cnt = s->sh.sh_size / sizeof(Elf64_Sym);
	if (!s->data || s->data->d_type != ELF_T_SYM || !str->data || !str->data->d_size ||
	    ((const char *)str->data->d_buf)[str->data->d_size - 1]) {
		pr_warn(e->pr, "%s: section '%s': unreadable symbols or unterminated string table",
			e->name, s->name);
		return -EINVAL;
	}
	e->syms = s->data->d_buf;
	e->strs = str->data->d_buf;
	return 0;
}

static int check_func_sym(const struct elf_obj *e, const GElf_Sym *sym, const char *name)
{
	const struct sec *s = &e->secs[sym->st_shndx];

	if (!sec_is_exec(s)) {
		pr_warn(e->pr, "%s: symbol '%s': function in non-executable section '%s'", e->name,
			name, s->name);
		return -EINVAL;
	}
	if (sym->st_value % INSN_SZ || sym->st_size % INSN_SZ ||
	    sym->st_value + sym->st_size > s->sh.sh_size || sym->st_value >= s->sh.sh_size) {
		pr_warn(e->pr,
			"%s: symbol '%s': function 0x%llx+0x%llx is not inside section '%s' on instructions",
			e->name, name, (unsigned long long)sym->st_value,
			(unsigned long long)sym->st_size, s->name);
		return -EINVAL;
	}
	return 0;
}

static int check_sym(const struct elf_obj *e, size_t idx)
{
	size_t strtab = e->secs[e->symtab_idx].sh.sh_link;
	const char *name;
	GElf_Sym sym;

	if (elf__sym(e, idx, &sym))
		return -EINVAL;
	name = sym.st_name < e->secs[strtab].sh.sh_size ? e->strs + sym.st_name : NULL;
	if (!name) {
		pr_warn(e->pr, "%s: symbol #%zu: name offset %u is out of range", e->name, idx,
			sym.st_name);
		return -EINVAL;
	}
	if (sym.st_shndx == SHN_COMMON) {
		pr_warn(e->pr,
			"%s: symbol '%s': common symbols are not supported (build with -fno-common)",
			e->name, name);
		return -EINVAL;
	}
	if (sym.st_shndx >= e->sec_cnt && sym.st_shndx != SHN_ABS) {
		pr_warn(e->pr, "%s: symbol '%s': section index %u is out of range (%zu sections)",
			e->name, name, sym.st_shndx, e->sec_cnt);
		return -EINVAL;
	}
	if (GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF)
		return check_func_sym(e, &sym, name);
	return 0;
}

static int check_syms(struct elf_obj *e)
{
	size_t i;
	int err;

	for (i = 1; i < e->sym_cnt; i++) {
		err = check_sym(e, i);
		if (err)
			return err;
	}
	return 0;
}

static int check_exec_secs(const struct elf_obj *e)
{
	size_t i;

	for (i = 1; i < e->sec_cnt; i++) {
		const struct sec *s = &e->secs[i];

		if (sec_is_exec(s) && s->sh.sh_size % INSN_SZ) {
			pr_warn(e->pr, "%s: section '%s': size %llu is not a multiple of 8",
				e->name, s->name, (unsigned long long)s->sh.sh_size);
			return -EINVAL;
		}
		if (!strcmp(s->name, "maps"))
			((struct elf_obj *)e)->maps_idx = i;
	}
	return 0;
}

static int check_rel_insn(const struct elf_obj *e, const struct sec *rs, size_t no,
			  const struct sec *t, uint64_t off)
{
	const uint8_t *insn;

	if (off % INSN_SZ || off >= t->sh.sh_size) {
		pr_warn(e->pr,
			"%s: section '%s': relocation #%zu: offset 0x%llx is not on an instruction",
			e->name, rs->name, no, (unsigned long long)off);
		return -EINVAL;
	}
	insn = sec_bytes(t) + off;
	if (insn[0] != LD_IMM64 && insn[0] != CALL_INSN) {
		pr_warn(e->pr,
			"%s: section '%s': relocation #%zu: insn at 0x%llx (code 0x%02x) is neither ld_imm64 nor call",
			e->name, rs->name, no, (unsigned long long)off, insn[0]);
		return -EINVAL;
	}
	if (insn[0] == LD_IMM64 && off + 2 * INSN_SZ > t->sh.sh_size) {
		pr_warn(e->pr,
			"%s: section '%s': relocation #%zu: ld_imm64 at 0x%llx is cut off by the section end",
			e->name, rs->name, no, (unsigned long long)off);
		return -EINVAL;
	}
	return 0;
}

static int check_rel(const struct elf_obj *e, const struct sec *rs, size_t no)
{
	const struct sec *t = &e->secs[rs->sh.sh_info];
	GElf_Rel rel;
	size_t sym;

	if (!gelf_getrel(rs->data, (int)no, &rel))
		return -EINVAL;
	sym = GELF_R_SYM(rel.r_info);
	if (sym >= e->sym_cnt) {
		pr_warn(e->pr,
			"%s: section '%s': relocation #%zu: symbol index %zu is out of range (%zu symbols)",
			e->name, rs->name, no, sym, e->sym_cnt);
		return -EINVAL;
	}
	if (!(t->sh.sh_flags & SHF_ALLOC))
		return 0; /* .BTF, .BTF.ext, debug info: not used */
	if (!sec_is_exec(t)) {
		pr_warn(e->pr,
			"%s: section '%s': relocation #%zu: relocations in data section '%s' are not supported",
			e->name, rs->name, no, t->name);
		return -EINVAL;
	}
	return check_rel_insn(e, rs, no, t, rel.r_offset);
}

static int check_rel_sec(struct elf_obj *e, size_t idx)
{
	struct sec *rs = &e->secs[idx];
	size_t i, cnt;
	int err;

	if (rs->sh.sh_link != e->symtab_idx) {
		pr_warn(e->pr, "%s: section '%s': sh_link %u is not the symbol table", e->name,
			rs->name, rs->sh.sh_link);
		return -EINVAL;
	}
	if (!rs->sh.sh_info || rs->sh.sh_info >= e->sec_cnt) {
		pr_warn(e->pr, "%s: section '%s': sh_info %u is out of range (%zu sections)",
			e->name, rs->name, rs->sh.sh_info, e->sec_cnt);
		return -EINVAL;
	}
	if (rs->sh.sh_entsize != sizeof(Elf64_Rel) || rs->sh.sh_size % sizeof(Elf64_Rel)) {
		pr_warn(e->pr, "%s: section '%s': bad relocation entry size %llu", e->name,
			rs->name, (unsigned long long)rs->sh.sh_entsize);
		return -EINVAL;
	}
	cnt = rs->sh.sh_size / sizeof(Elf64_Rel);
	for (i = 0; i < cnt; i++) {
		err = check_rel(e, rs, i);
		if (err)
			return err;
	}
	e->secs[rs->sh.sh_info].rel_idx = idx;
	return 0;
}

static int check_rel_secs(struct elf_obj *e)
{
	size_t i;
	int err;

	for (i = 1; i < e->sec_cnt; i++) {
		if (e->secs[i].sh.sh_type == SHT_RELA) {
			pr_warn(e->pr, "%s: section '%s': RELA relocations are not supported",
				e->name, e->secs[i].name);
			return -EINVAL;
		}
		if (e->secs[i].sh.sh_type != SHT_REL)
			continue;
		err = check_rel_sec(e, i);
		if (err)
			return err;
	}
	return 0;
}

static char *name_prefix(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t len;

	base = base ? base + 1 : name;
	len = strcspn(base, ".");
	return strndup(base, len ? len : strlen(base));
}

/* ---- symbol indexes: the relocation pass looks symbols up ~1000 times ---- */

/* qsort_r comparators over symbol indexes; arg is the elf_obj */
static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct elf_obj *e = arg;
	const Elf64_Sym *x = &e->syms[*(const uint32_t *)a], *y = &e->syms[*(const uint32_t *)b];
	int c = strcmp(e->strs + x->st_name, e->strs + y->st_name);

	return c ? c : (int)GELF_ST_BIND(x->st_info) - (int)GELF_ST_BIND(y->st_info);
}

static int cmp_by_func(const void *a, const void *b, void *arg)
{
	const struct elf_obj *e = arg;
	const Elf64_Sym *x = &e->syms[*(const uint32_t *)a], *y = &e->syms[*(const uint32_t *)b];

	if (x->st_shndx != y->st_shndx)
		return x->st_shndx < y->st_shndx ? -1 : 1;
	return x->st_value < y->st_value ? -1 : x->st_value > y->st_value;
}

static int cmp_by_value(const void *a, const void *b, void *arg)
{
	const struct elf_obj *e = arg;
	const Elf64_Sym *x = &e->syms[*(const uint32_t *)a], *y = &e->syms[*(const uint32_t *)b];

	return x->st_value < y->st_value ? -1 : x->st_value > y->st_value;
}

static bool is_defined(const struct elf_obj *e, const Elf64_Sym *s)
{
	return s->st_shndx != SHN_UNDEF && s->st_shndx < e->sec_cnt;
}

static int index_syms(struct elf_obj *e)
{
	uint32_t i;
	int bind, type;

	e->by_name = malloc(3 * e->sym_cnt * sizeof(uint32_t) + 1);
	if (!e->by_name)
		return -ENOMEM;
	e->by_func = e->by_name + e->sym_cnt;
	e->by_map = e->by_func + e->sym_cnt;
	for (i = 1; i < e->sym_cnt; i++) {
		const Elf64_Sym *s = &e->syms[i];

		if (!is_defined(e, s))
			continue;
		bind = GELF_ST_BIND(s->st_info);
		type = GELF_ST_TYPE(s->st_info);
		if (bind == STB_GLOBAL || bind == STB_WEAK)
			e->by_name[e->by_name_cnt++] = i;
		if (type == STT_FUNC)
			e->by_func[e->by_func_cnt++] = i;
		if (e->maps_idx && s->st_shndx == e->maps_idx && type != STT_SECTION &&
		    type != STT_FILE)
			e->by_map[e->by_map_cnt++] = i;
	}
	qsort_r(e->by_name, e->by_name_cnt, sizeof(uint32_t), cmp_by_name, e);
	qsort_r(e->by_func, e->by_func_cnt, sizeof(uint32_t), cmp_by_func, e);
	qsort_r(e->by_map, e->by_map_cnt, sizeof(uint32_t), cmp_by_value, e);
	return 0;
}

/* the defined symbol called name with binding bind (STB_GLOBAL or STB_WEAK) */
int elf__find_defined(const struct elf_obj *e, const char *name, int bind, GElf_Sym *sym)
{
	size_t lo = 0, hi = e->by_name_cnt, mid;
	const Elf64_Sym *s;
	int c;

	while (lo < hi) { /* first entry not below (name, bind) */
		mid = lo + (hi - lo) / 2;
		s = &e->syms[e->by_name[mid]];
		c = strcmp(e->strs + s->st_name, name);
		if (!c)
			c = (int)GELF_ST_BIND(s->st_info) - bind;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == e->by_name_cnt)
		return -ENOENT;
	s = &e->syms[e->by_name[lo]];
	if (strcmp(e->strs + s->st_name, name) || (int)GELF_ST_BIND(s->st_info) != bind)
		return -ENOENT;
	*sym = *s;
	return 0;
}

/* the STT_FUNC symbol of section sec_idx that covers byte off */
int elf__func_at(const struct elf_obj *e, size_t sec_idx, uint64_t off, GElf_Sym *sym)
{
	size_t lo = 0, hi = e->by_func_cnt, mid;
	const Elf64_Sym *s;

	while (lo < hi) { /* first function past (sec_idx, off) */
		mid = lo + (hi - lo) / 2;
		s = &e->syms[e->by_func[mid]];
		if (s->st_shndx < sec_idx || (s->st_shndx == sec_idx && s->st_value <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* functions do not overlap, so only the one before can cover off */
	if (!lo)
		return -ENOENT;
	s = &e->syms[e->by_func[lo - 1]];
	if (s->st_shndx != sec_idx || off >= s->st_value + s->st_size)
		return -ENOENT;
	*sym = *s;
	return 0;
}

/* the map definition symbol at byte off of SEC("maps") */
int elf__map_at(const struct elf_obj *e, uint64_t off, GElf_Sym *sym)
{
	size_t lo = 0, hi = e->by_map_cnt, mid;
	const Elf64_Sym *s;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		s = &e->syms[e->by_map[mid]];
		if (s->st_value < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == e->by_map_cnt || e->syms[e->by_map[lo]].st_value != off)
		return -ENOENT;
	*sym = e->syms[e->by_map[lo]];
	return 0;
}

int elf__open(struct elf_obj *e, const struct obj_src *src, struct printer *pr)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->name = src->name;
	e->pr = pr;
	err = check_header(src, pr);
	if (err)
		return err;
	e->prefix = name_prefix(src->name);
	e->elf = elf_memory((char *)src->data, src->size);
	if (!e->prefix || !e->elf) {
		pr_warn(e->pr, "%s: cannot open ELF: %s", src->name, elf_errmsg(-1));
		return e->prefix ? -EINVAL : -ENOMEM;
	}
	err = check_ehdr(e, src->size);
	err = err ?: read_secs(e, src->size);
	err = err ?: check_links(e);
	err = err ?: check_symtab(e);
	err = err ?: check_exec_secs(e);
	err = err ?: check_syms(e);
	err = err ?: check_rel_secs(e);
	err = err ?: index_syms(e);
	return err;
}

void elf__close(struct elf_obj *e)
{
	size_t i;

	for (i = 0; e->secs && i < e->sec_cnt; i++)
		free(e->secs[i].relos);
	free(e->secs);
	btf_data__free(e->btf);
	free(e->core);
	free(e->by_name);
	free(e->prefix);
	if (e->elf)
		elf_end(e->elf);
	memset(e, 0, sizeof(*e));
}
