// SPDX-License-Identifier: GPL-2.0
/*
 * Program BTF for callbacks.  A program that hands one of its functions to
 * a helper (bpf_find_vma, bpf_loop: an ld_imm64 of BPF_PSEUDO_FUNC) must
 * come with BTF and one func_info record per subprogram, or the kernel
 * refuses it ("missing btf func_info").  The objects' own BTF is not sent
 * (its data sections would need fixing up, and asm objects have none):
 * each subprogram gets a FUNC of one prototype, `int (void)`, with static
 * linkage, which is all the verifier checks of a static subprogram and of
 * a callback (a callback's arguments are the helper's to define).
 * Programs without callbacks load without BTF, as before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static bool is_callback_ref(const struct bpf_insn *in)
{
	return in->code == LD_IMM64 && in->src_reg == BPF_PSEUDO_FUNC;
}

bool prog__has_callbacks(const struct prog *p)
{
	for (size_t i = 0; i + 1 < p->insn_cnt; i++)
		if (is_callback_ref(&p->insns[i]))
			return true;
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* where subprograms start, as the verifier finds them: 0, call and callback targets */
static uint32_t *subprog_starts(const struct prog *p, uint32_t *cnt)
{
	uint32_t *v = malloc((p->insn_cnt + 1) * sizeof(*v)), n = 0, k = 0;

	if (!v)
		return NULL;
	v[n++] = 0;
	for (size_t i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];

		if ((in->code == CALL_INSN && in->src_reg == BPF_PSEUDO_CALL) ||
		    is_callback_ref(in))
			v[n++] = (uint32_t)((int64_t)i + in->imm + 1);
		if (in->code == LD_IMM64)
			i++;
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	for (uint32_t i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	*cnt = k;
	return v;
}

/* [1] int, [2] int (void), [3 + i] FUNC "fI" of subprogram i */
static void *build_btf(uint32_t funcs, uint32_t *size)
{
	uint32_t type_len = (uint32_t)(sizeof(struct btf_type) + 4 + sizeof(struct btf_type) +
				       funcs * sizeof(struct btf_type));
	uint32_t str_len = 5 + funcs * 8, str_at = 5;
	struct btf_header *h;
	struct btf_type *t;
	char *blob, *str;

	*size = (uint32_t)sizeof(*h) + type_len + str_len;
	blob = calloc(1, *size);
	if (!blob)
		return NULL;
	h = (struct btf_header *)blob;
	h->magic = BTF_MAGIC;
	h->version = BTF_VERSION;
	h->hdr_len = sizeof(*h);
	h->type_len = type_len;
	h->str_off = type_len;
	h->str_len = str_len;
	str = blob + sizeof(*h) + type_len;
	memcpy(str + 1, "int", 4);
	t = (struct btf_type *)(blob + sizeof(*h));
	*t = (struct btf_type){ .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 };
	*(uint32_t *)(t + 1) = (BTF_INT_SIGNED << 24) | 32;
	t = (struct btf_type *)((char *)(t + 1) + 4);
	*t++ = (struct btf_type){ .info = BTF_KIND_FUNC_PROTO << 24, .type = 1 };
	for (uint32_t i = 0; i < funcs; i++) {
		int n = snprintf(str + str_at, 8, "f%u", i);

		*t++ = (struct btf_type){ .name_off = str_at,
					  .info = BTF_KIND_FUNC << 24,
					  .type = 2 };
		str_at += (uint32_t)n + 1;
	}
	h->str_len = str_at;
	*size = (uint32_t)sizeof(*h) + type_len + str_at;
	return blob;
}

int prog__callback_btf(const struct prog *p, struct prog_btf *out)
{
	uint32_t cnt = 0, size;
	uint32_t *starts = subprog_starts(p, &cnt);
	void *blob = starts ? build_btf(cnt, &size) : NULL;
	int err = -ENOMEM;

	out->fd = -1;
	out->fi = calloc(cnt ? cnt : 1, sizeof(*out->fi));
	if (!starts || !blob || !out->fi)
		goto out;
	for (uint32_t i = 0; i < cnt; i++)
		out->fi[i] = (struct bpf_func_info){ .insn_off = starts[i], .type_id = 3 + i };
	out->cnt = cnt;
	out->fd = sys_bpf_btf_load(blob, size);
	err = out->fd < 0 ? out->fd : 0;
	if (err)
		pr_warn(p->pr, "prog '%s': the kernel refused the BTF of its %u functions: %s",
			p->name, cnt, strerror(-err));
out:
	if (err) {
		free(out->fi);
		out->fi = NULL;
	}
	free(starts);
	free(blob);
	return err;
}

void prog_btf__free(struct prog_btf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->fi);
	b->fd = -1;
	b->fi = NULL;
}
