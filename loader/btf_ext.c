// SPDX-License-Identifier: GPL-2.0
/*
 * An object's .BTF (parsed by btf.c) and the CO-RE records of its .BTF.ext:
 * each record is bound to its ELF section and checked to point at an
 * instruction there, then sorted by (section, byte offset) so that the
 * application (core.c) finds the record of an insn by its origin.  The
 * func_info and line_info areas are not read: programs load without BTF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BTF_EXT_MAGIC 0xeB9F

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

static int sec_by_name(const struct elf_obj *e, const char *name, size_t *idx)
{
	size_t i;

	for (i = 1; i < e->sec_cnt; i++) {
		if (!strcmp(e->secs[i].name, name)) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int add_core_rec(struct elf_obj *e, size_t *cap, size_t sec_idx, const uint8_t *p)
{
	const struct sec *s = &e->secs[sec_idx];
	struct core_rec *r;

	if (grow(&e->core, cap, e->core_cnt + 1, sizeof(*e->core)))
		return -ENOMEM;
	r = &e->core[e->core_cnt];
	r->sec_idx = sec_idx;
	memcpy(&r->insn_off, p, 4);
	memcpy(&r->type_id, p + 4, 4);
	memcpy(&r->access_off, p + 8, 4);
	memcpy(&r->kind, p + 12, 4);
	if (!sec_is_exec(s) || r->insn_off % INSN_SZ || r->insn_off >= s->sh.sh_size) {
		pr_warn(e->pr,
			"%s: section '.BTF.ext': CO-RE record #%zu: insn offset 0x%x is not an instruction of '%s'",
			e->name, e->core_cnt, r->insn_off, s->name);
		return -EINVAL;
	}
	e->core_cnt++;
	return 0;
}

static int read_core_block(struct elf_obj *e, size_t *cap, const uint8_t **pp, const uint8_t *end,
			   uint32_t rec_sz)
{
	const uint8_t *p = *pp;
	uint32_t name_off, cnt, i;
	const char *name;
	size_t sec_idx;
	int err;

	if (end - p < 8)
		goto bad;
	memcpy(&name_off, p, 4);
	memcpy(&cnt, p + 4, 4);
	p += 8;
	if ((uint64_t)cnt * rec_sz > (uint64_t)(end - p))
		goto bad;
	name = btf_data__str(e->btf, name_off);
	if (!name || sec_by_name(e, name, &sec_idx)) {
		pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE records for unknown section '%s'",
			e->name, name ? name : "?");
		return -EINVAL;
	}
	for (i = 0; i < cnt; i++, p += rec_sz) {
		err = add_core_rec(e, cap, sec_idx, p);
		if (err)
			return err;
	}
	*pp = p;
	return 0;
bad:
	pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE record block is truncated", e->name);
	return -EINVAL;
}

static int cmp_core(const void *a, const void *b)
{
	const struct core_rec *x = a, *y = b;

	if (x->sec_idx != y->sec_idx)
		return x->sec_idx < y->sec_idx ? -1 : 1;
	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

static int read_core_area(struct elf_obj *e, const uint8_t *p, const uint8_t *end)
{
	uint32_t rec_sz;
	size_t cap = 0;
	int err;

	if (end - p < 4)
		return 0;
	memcpy(&rec_sz, p, 4);
	if (rec_sz < 16) {
		pr_warn(e->pr, "%s: section '.BTF.ext': CO-RE record size %u is too small", e->name,
			rec_sz);
		return -EINVAL;
	}
	for (p += 4; p < end;) {
		err = read_core_block(e, &cap, &p, end, rec_sz);
		if (err)
			return err;
	}
	qsort(e->core, e->core_cnt, sizeof(*e->core), cmp_core);
	return 0;
}

static int read_btf_ext(struct elf_obj *e, const struct sec *s)
{
	const uint8_t *data = sec_bytes(s);
	struct btf_ext_hdr h = { 0 };
	uint64_t start, end;

	if (s->sh.sh_size < 8)
		goto bad;
	memcpy(&h, data, s->sh.sh_size < sizeof(h) ? s->sh.sh_size : sizeof(h));
	if (h.magic != BTF_EXT_MAGIC || h.hdr_len > s->sh.sh_size)
		goto bad;
	if (h.hdr_len < sizeof(h))
		return 0; /* no CO-RE area */
	start = (uint64_t)h.hdr_len + h.core_relo_off;
	end = start + h.core_relo_len;
	if (end > s->sh.sh_size)
		goto bad;
	return read_core_area(e, data + start, data + end);
bad:
	pr_warn(e->pr, "%s: section '.BTF.ext': bad header or area out of range", e->name);
	return -EINVAL;
}

/* parse .BTF and the CO-RE records of .BTF.ext, when present */
int elf__read_btf(struct elf_obj *e)
{
	size_t btf_idx, ext_idx;
	char what[256];
	int err;

	if (sec_by_name(e, ".BTF", &btf_idx) || !sec_bytes(&e->secs[btf_idx]))
		return 0;
	snprintf(what, sizeof(what), "%s: section '.BTF'", e->name);
	err = btf_data__parse(&e->btf, sec_bytes(&e->secs[btf_idx]), e->secs[btf_idx].sh.sh_size,
			      what, e->pr);
	if (err)
		return err;
	if (sec_by_name(e, ".BTF.ext", &ext_idx) || !sec_bytes(&e->secs[ext_idx]))
		return 0;
	return read_btf_ext(e, &e->secs[ext_idx]);
}

/* the CO-RE record of the insn at org, or NULL */
const struct core_rec *elf__core_rec_at(const struct elf_obj *e, const struct insn_origin *org)
{
	struct core_rec key = { .sec_idx = org->sec_idx, .insn_off = org->off };

	if (!e->core_cnt)
		return NULL;
	return bsearch(&key, e->core, e->core_cnt, sizeof(*e->core), cmp_core);
}
