// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the loader's unit tests (see ltest.h).  Criterion runs each test
 * in its own process, so the message capture can be a plain buffer.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "internal.h"
#include "ltest.h"

static char cap_buf[1 << 16];
static size_t cap_len;

static void cap_print(enum loader_level level, const char *msg, void *ctx)
{
	int n;

	(void)ctx;
	if (level == LOADER_DEBUG)
		return;
	n = snprintf(cap_buf + cap_len, sizeof(cap_buf) - cap_len, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof(cap_buf) - cap_len)
		cap_len += n;
}

void cap_reset(void)
{
	cap_len = 0;
	cap_buf[0] = '\0';
}

const struct obj_open_opts *cap_opts(void)
{
	static const struct obj_open_opts opts = { .sz = sizeof(opts), .print = cap_print };

	return &opts;
}

struct printer *cap_printer(void)
{
	static struct printer pr;
	static bool ready;

	if (!ready)
		printer_init(&pr, cap_print, NULL);
	ready = true;
	return &pr;
}

const char *cap_text(void)
{
	return cap_buf;
}

struct obj_src fixture(const char *name)
{
	struct obj_src src = { .name = name };
	char path[512];
	FILE *f;
	long sz;
	void *buf;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", SRC_DIR, name);
	f = fopen(path, "rb");
	cr_assert(f, "fixture %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc(sz);
	cr_assert(buf && fread(buf, 1, sz, f) == (size_t)sz);
	fclose(f);
	src.data = buf;
	src.size = sz;
	return src;
}

uint32_t str_add(struct strtab *t, const char *s)
{
	uint32_t off;

	if (!t->len)
		t->buf[t->len++] = '\0';
	off = t->len;
	cr_assert(t->len + strlen(s) + 1 <= sizeof(t->buf));
	strcpy(t->buf + t->len, s);
	t->len += strlen(s) + 1;
	return off;
}

size_t eb_add(struct eb *b, const struct eb_sec *s)
{
	if (!b->cnt)
		b->cnt = 1;
	cr_assert(b->cnt < EB_MAX_SECS - 1);
	b->secs[b->cnt] = *s;
	return b->cnt++;
}

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

void *eb_build(struct eb *b, size_t *size)
{
	struct strtab names = { 0 };
	uint32_t name_off[EB_MAX_SECS] = { 0 };
	size_t data_off[EB_MAX_SECS] = { 0 };
	size_t off = sizeof(Elf64_Ehdr), i, shstr;
	uint8_t *img;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;

	shstr = eb_add(b, &(struct eb_sec){ .name = ".shstrtab", .type = SHT_STRTAB });
	for (i = 1; i < b->cnt; i++)
		name_off[i] = str_add(&names, b->secs[i].name);
	b->secs[shstr].data = names.buf;
	b->secs[shstr].size = names.len;
	for (i = 1; i < b->cnt; i++) {
		data_off[i] = off;
		if (b->secs[i].type != SHT_NOBITS)
			off = align8(off + b->secs[i].size);
	}
	img = calloc(1, off + b->cnt * sizeof(Elf64_Shdr));
	cr_assert(img);
	eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_BPF;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = off;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = b->cnt;
	eh->e_shstrndx = shstr;
	for (i = 1; i < b->cnt; i++) {
		sh = (Elf64_Shdr *)(img + off) + i;
		sh->sh_name = name_off[i];
		sh->sh_type = b->secs[i].type;
		sh->sh_flags = b->secs[i].flags;
		sh->sh_offset = data_off[i];
		sh->sh_size = b->secs[i].size;
		sh->sh_link = b->secs[i].link;
		sh->sh_info = b->secs[i].info;
		sh->sh_entsize = b->secs[i].entsize;
		sh->sh_addralign = 8;
		if (b->secs[i].type != SHT_NOBITS && b->secs[i].size)
			memcpy(img + data_off[i], b->secs[i].data, b->secs[i].size);
	}
	*size = off + b->cnt * sizeof(Elf64_Shdr);
	return img;
}

Elf64_Ehdr *img_ehdr(void *img)
{
	return img;
}

Elf64_Shdr *img_shdr(void *img, size_t idx)
{
	return (Elf64_Shdr *)((uint8_t *)img + img_ehdr(img)->e_shoff) + idx;
}

void mini_init(struct mini *m, uint32_t max_entries)
{
	memset(m, 0, sizeof(*m));
	m->insns[0] = 0x0000000000000118ull; /* r1 = 0 ll */
	m->insns[1] = 0;
	m->insns[2] = 0x00000000000000b7ull; /* r0 = 0 */
	m->insns[3] = 0x0000000000000095ull; /* exit */
	m->rel[0].r_offset = 0;
	m->rel[0].r_info = ELF64_R_INFO(MINI_SYM_MAP, R_BPF_64_64);
	m->mapdef[0] = BPF_MAP_TYPE_ARRAY;
	m->mapdef[1] = 4;
	m->mapdef[2] = 8;
	m->mapdef[3] = max_entries;
	m->syms[MINI_SYM_PROG] = (Elf64_Sym){ .st_name = str_add(&m->str, "mini"),
					      .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
					      .st_shndx = MINI_PROG,
					      .st_size = sizeof(m->insns) };
	m->syms[MINI_SYM_MAP] = (Elf64_Sym){ .st_name = str_add(&m->str, "m1"),
					     .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
					     .st_shndx = MINI_MAPS,
					     .st_size = sizeof(m->mapdef) };
}

struct obj_src mini_build(struct mini *m, const char *name)
{
	struct obj_src src = { .name = name };

	memset(&m->eb, 0, sizeof(m->eb));
	eb_add(&m->eb,
	       &(struct eb_sec){ "raw_tracepoint/t", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
				 m->insns, sizeof(m->insns), 0, 0, 0 });
	eb_add(&m->eb, &(struct eb_sec){ ".relraw_tracepoint/t", SHT_REL, 0, m->rel, sizeof(m->rel),
					 MINI_SYMTAB, MINI_PROG, sizeof(Elf64_Rel) });
	eb_add(&m->eb, &(struct eb_sec){ "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, m->mapdef,
					 sizeof(m->mapdef), 0, 0, 0 });
	eb_add(&m->eb, &(struct eb_sec){ ".symtab", SHT_SYMTAB, 0, m->syms, sizeof(m->syms),
					 MINI_STRTAB, 1, sizeof(Elf64_Sym) });
	eb_add(&m->eb,
	       &(struct eb_sec){ ".strtab", SHT_STRTAB, 0, m->str.buf, m->str.len, 0, 0, 0 });
	src.data = eb_build(&m->eb, &src.size);
	return src;
}

void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, len = 0, n;
	char *buf = NULL;

	if (!f)
		return NULL;
	do {
		buf = realloc(buf, cap);
		cr_assert(buf);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len == cap)
			cap *= 2;
	} while (n > 0);
	fclose(f);
	*size = len;
	return buf;
}

/* ---- reference BTF walk (independent of loader/btf.c) ---- */
struct ref_btf {
	const uint8_t *types, *end;
	const char *strs;
	const uint32_t **by_id; /* each type as u32 words */
	uint32_t cnt;
};

static size_t ref_rec_words(const uint32_t *t)
{
	uint32_t kind = (t[1] >> 24) & 0x1f, vlen = t[1] & 0xffff;

	switch (kind) {
	case 1:
		return 4; /* int */
	case 3:
		return 6; /* array */
	case 4:
	case 5:
		return 3 + 3 * vlen; /* struct, union */
	case 6:
		return 3 + 2 * vlen; /* enum */
	case 13:
		return 3 + 2 * vlen; /* func_proto */
	case 14:
		return 4; /* var */
	case 15:
		return 3 + 3 * vlen; /* datasec */
	case 17:
		return 4; /* decl_tag */
	case 19:
		return 3 + 3 * vlen; /* enum64 */
	default:
		return 3;
	}
}

static void ref_index(struct ref_btf *b, const void *btf)
{
	const uint32_t *h = btf; /* magic/ver/flags, hdr_len, type_off, len, str_off, len */
	const uint8_t *base = (const uint8_t *)btf + h[1];
	const uint32_t *t;
	size_t cap = 1024;

	b->types = base + h[2];
	b->end = b->types + h[3];
	b->strs = (const char *)base + h[4];
	b->by_id = malloc(cap * sizeof(*b->by_id));
	b->cnt = 1;
	for (t = (const uint32_t *)b->types; (const uint8_t *)t < b->end; t += ref_rec_words(t)) {
		if (b->cnt == cap)
			b->by_id = realloc(b->by_id, (cap *= 2) * sizeof(*b->by_id));
		b->by_id[b->cnt++] = t;
	}
}

static const uint32_t *ref_strip(const struct ref_btf *b, uint32_t id)
{
	const uint32_t *t = b->by_id[id];
	uint32_t kind = (t[1] >> 24) & 0x1f;

	/* typedef 8, volatile 9, const 10, restrict 11, type_tag 18 */
	if (kind == 8 || kind == 9 || kind == 10 || kind == 11 || kind == 18)
		return ref_strip(b, t[2]);
	return t;
}

static int ref_member(const struct ref_btf *b, const uint32_t *t, const char *name, uint32_t *bits,
		      uint32_t *type)
{
	uint32_t vlen = t[1] & 0xffff, kflag = t[1] >> 31, i, off, inner;
	const uint32_t *m = t + 3;

	for (i = 0; i < vlen; i++, m += 3) {
		off = kflag ? m[2] & 0xffffff : m[2];
		if (m[0] && !strcmp(b->strs + m[0], name)) {
			*bits += off;
			*type = m[1];
			return 0;
		}
		inner = 0;
		if (!m[0] && !ref_member(b, ref_strip(b, m[1]), name, &inner, type)) {
			*bits += off + inner;
			return 0;
		}
	}
	return -ENOENT;
}

static uint32_t ref_size(const struct ref_btf *b, uint32_t id)
{
	const uint32_t *t = ref_strip(b, id);
	uint32_t kind = (t[1] >> 24) & 0x1f;

	if (kind == 2)
		return 8;
	if (kind == 3)
		return t[5] * ref_size(b, t[3]);
	return t[2];
}

int ref_field(const void *btf, size_t btf_sz, const char *root, const char *path, uint32_t *off,
	      uint32_t *sz)
{
	struct ref_btf b;
	char buf[256], *name, *save = NULL;
	uint32_t id, bits = 0, type = 0;
	const uint32_t *t = NULL;

	cr_assert_gt(btf_sz, 24);
	ref_index(&b, btf);
	for (id = 1; id < b.cnt && !t; id++)
		if (((b.by_id[id][1] >> 24) & 0x1f) == 4 && !strcmp(b.strs + b.by_id[id][0], root))
			t = b.by_id[id];
	if (!t)
		return -ENOENT;
	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ".", &save); name; name = strtok_r(NULL, ".", &save)) {
		if (ref_member(&b, t, name, &bits, &type))
			return -ENOENT;
		t = ref_strip(&b, type);
	}
	*off = bits / 8;
	*sz = ref_size(&b, type);
	free(b.by_id);
	return 0;
}

/* ---- BTF writer ---------------------------------------------------------- */
void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
}

void bb_word(struct bb *b, uint32_t v)
{
	cr_assert_lt(b->cnt, sizeof(b->words) / sizeof(b->words[0]));
	b->words[b->cnt++] = v;
}

uint32_t bb_type(struct bb *b, const char *name, uint32_t kind, uint32_t vlen, uint32_t kflag,
		 uint32_t size_or_type)
{
	bb_word(b, name ? str_add(&b->str, name) : 0);
	bb_word(b, kind << 24 | vlen | kflag << 31);
	bb_word(b, size_or_type);
	return ++b->type_cnt;
}

void bb_member(struct bb *b, const char *name, uint32_t type_id, uint32_t bit_off)
{
	bb_word(b, name ? str_add(&b->str, name) : 0);
	bb_word(b, type_id);
	bb_word(b, bit_off);
}

uint32_t bb_int(struct bb *b, const char *name, uint32_t sz)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, 0, sz);

	bb_word(b, sz * 8); /* encoding 0, offset 0, bits */
	return id;
}

uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t nelems)
{
	uint32_t id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	bb_word(b, elem);
	bb_word(b, index);
	bb_word(b, nelems);
	return id;
}

struct btf_data *bb_parse(struct bb *b)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h) };
	struct btf_data *btf;
	uint8_t *blob;
	size_t sz;

	str_add(&b->str, ""); /* the string area starts with "\0" even without names */
	h.type_len = b->cnt * 4;
	h.str_off = h.type_len;
	h.str_len = b->str.len;
	sz = sizeof(h) + h.type_len + h.str_len;
	blob = malloc(sz);
	cr_assert_not_null(blob);
	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), b->words, h.type_len);
	memcpy(blob + sizeof(h) + h.type_len, b->str.buf, h.str_len);
	cr_assert_eq(btf_data__parse(&btf, blob, sz, "test BTF", cap_printer()), 0, "%s",
		     cap_text());
	free(blob);
	return btf;
}
