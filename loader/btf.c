// SPDX-License-Identifier: GPL-2.0
/*
 * A small reader of raw BTF blobs: the .BTF section of a clang object (local
 * types for CO-RE) and /sys/kernel/btf/vmlinux (target types).  It checks
 * that every type record lies inside the type area and indexes them by id;
 * only little-endian, self-contained (non-split) BTF is supported.
 * vmlinux BTF (5.5 MB, 126k types on 6.18) is mapped, not read, where the
 * kernel allows it (6.16+); it is parsed in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/btf.h>

#include "internal.h"

const struct btf_type *btf_data__type(const struct btf_data *btf, uint32_t id)
{
	return id && id < btf->type_cnt ? btf->types[id] : NULL;
}

const char *btf_data__str(const struct btf_data *btf, uint32_t off)
{
	return off < btf->str_sz ? btf->strs + off : NULL;
}

/* bytes of a type record after struct btf_type; -1 for an unknown kind */
static long type_extra(const struct btf_type *t)
{
	uint32_t vlen = type_vlen(t);

	switch (type_kind(t)) {
	case BTF_KIND_INT:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	default:
		return -1;
	}
}

/*
 * Every record is at least a struct btf_type, which bounds the type count:
 * one allocation, of which only the pages of the real count are touched.
 */
static int index_types(struct btf_data *btf, const uint8_t *p, const uint8_t *end, const char *what,
		       struct printer *pr)
{
	size_t cap = (size_t)(end - p) / sizeof(struct btf_type) + 1;
	long extra;

	btf->types = malloc(cap * sizeof(*btf->types));
	if (!btf->types)
		return -ENOMEM;
	btf->types[btf->type_cnt++] = NULL;
	while (p < end) {
		const struct btf_type *t = (const void *)p;

		extra = (size_t)(end - p) >= sizeof(*t) ? type_extra(t) : -1;
		if (extra < 0 || (size_t)(end - p) < sizeof(*t) + extra) {
			pr_warn(pr, "%s: BTF type [%u] is malformed or of unknown kind", what,
				btf->type_cnt);
			return -EINVAL;
		}
		btf->types[btf->type_cnt++] = t;
		p += sizeof(*t) + extra;
	}
	return 0;
}

static int check_hdr(const struct btf_header *h, size_t size, const char *what, struct printer *pr)
{
	uint64_t type_end, str_end;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > size) {
		pr_warn(pr, "%s: bad BTF header", what);
		return -EINVAL;
	}
	type_end = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	str_end = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	if (type_end > size || str_end > size || !h->str_len) {
		pr_warn(pr, "%s: BTF type or string area is out of range", what);
		return -EINVAL;
	}
	/* types are read as u32 words in place (the blob is copied to malloc'ed memory) */
	if ((h->hdr_len + h->type_off) % 4) {
		pr_warn(pr, "%s: BTF type area is not 4-byte aligned", what);
		return -EINVAL;
	}
	return 0;
}

/* name length without a "___flavor" suffix */
size_t essential_len(const char *name)
{
	const char *p = strstr(name, "___");

	return p ? (size_t)(p - name) : strlen(name);
}

/* a named struct or union, its essential name measured once for the sort */
struct comp_key {
	const char *name;
	uint32_t len;
	uint32_t id;
};

/* by essential name; ties keep id order so lookups see candidates in order */
static int cmp_comp_key(const void *a, const void *b)
{
	const struct comp_key *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Index the named structs and unions by name once, so each CO-RE
 * relocation finds its candidates by binary search instead of scanning
 * every type of vmlinux (126k on 6.18).  Each name is measured once
 * (9,748 of them on 6.18), not at every comparison of the sort.
 */
static int index_composites(struct btf_data *btf)
{
	struct comp_key *keys;
	uint32_t id, i, n = 0;

	btf->composites = malloc(btf->type_cnt * sizeof(uint32_t));
	keys = malloc(btf->type_cnt * sizeof(*keys));
	if (!btf->composites || !keys) {
		free(keys);
		return -ENOMEM;
	}
	for (id = 1; id < btf->type_cnt; id++) {
		unsigned int kind = type_kind(btf->types[id]);
		const char *name;

		if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION)
			continue;
		name = btf_data__str(btf, btf->types[id]->name_off);
		if (name && *name)
			keys[n++] = (struct comp_key){ name, essential_len(name), id };
	}
	qsort(keys, n, sizeof(*keys), cmp_comp_key);
	for (i = 0; i < n; i++)
		btf->composites[i] = keys[i].id;
	btf->composite_cnt = n;
	free(keys);
	return 0;
}

static int cmp_name_to(const struct btf_data *btf, uint32_t id, const char *name, size_t len)
{
	const char *x = btf_data__str(btf, btf->types[id]->name_off);
	size_t lx = essential_len(x);
	int c = strncmp(x, name, lx < len ? lx : len);

	if (c)
		return c;
	return lx < len ? -1 : lx > len;
}

void btf_data__composites_named(const struct btf_data *btf, const char *name, size_t len,
				uint32_t *first, uint32_t *cnt)
{
	uint32_t lo = 0, hi = btf->composite_cnt, end;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cmp_name_to(btf, btf->composites[mid], name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < btf->composite_cnt; end++)
		if (cmp_name_to(btf, btf->composites[end], name, len))
			break;
	*first = lo;
	*cnt = end - lo;
}

/* index a blob *btf owns (btf->data, btf->size) */
static int parse_owned(struct btf_data *btf, const char *what, struct printer *pr)
{
	const struct btf_header *h = btf->data;
	const uint8_t *types;
	int err;

	err = check_hdr(h, btf->size, what, pr);
	if (err)
		return err;
	types = (const uint8_t *)btf->data + h->hdr_len + h->type_off;
	btf->strs = (const char *)btf->data + h->hdr_len + h->str_off;
	btf->str_sz = h->str_len;
	if (btf->strs[btf->str_sz - 1]) {
		pr_warn(pr, "%s: BTF string area is not NUL-terminated", what);
		return -EINVAL;
	}
	err = index_types(btf, types, types + h->type_len, what, pr);
	return err ?: index_composites(btf);
}

int btf_data__parse(struct btf_data **out, const void *data, size_t size, const char *what,
		    struct printer *pr)
{
	struct btf_data *btf;
	int err;

	btf = calloc(1, sizeof(*btf));
	if (!btf || !(btf->data = malloc(size ? size : 1))) {
		free(btf);
		return -ENOMEM;
	}
	memcpy(btf->data, data, size);
	btf->size = size;
	err = parse_owned(btf, what, pr);
	if (err) {
		btf_data__free(btf);
		return err;
	}
	*out = btf;
	return 0;
}

/*
 * The whole file into malloc'ed memory.  sysfs hands out at most a page per
 * read(), so the buffer is sized from st_size up front (and grows if the
 * file turns out longer).
 */
static int read_fd(int fd, size_t size_hint, void **buf, size_t *size)
{
	size_t cap = 0, len = 0;
	char *p = NULL;
	ssize_t n;

	do {
		if (grow(&p, &cap, len + (size_hint > len ? size_hint - len : 65536), 1)) {
			free(p);
			return -ENOMEM;
		}
		n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(p);
			return (int)n;
		}
		len += (size_t)n;
	} while (n > 0);
	*buf = p;
	*size = len;
	return 0;
}

/* map the file, or read it where mmap is refused (sysfs BTF before 6.16) */
static int map_or_read(const char *path, struct btf_data *btf)
{
	struct stat st;
	void *p;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			btf->data = p;
			btf->size = (size_t)st.st_size;
			btf->mapped = true;
			goto out;
		}
	}
	err = read_fd(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, &btf->data, &btf->size);
out:
	close(fd);
	return err;
}

int btf_data__load_file(struct btf_data **out, const char *path, struct printer *pr)
{
	struct btf_data *btf = calloc(1, sizeof(*btf));
	int err;

	if (!btf)
		return -ENOMEM;
	err = map_or_read(path, btf);
	if (err) {
		pr_warn(pr, "btf '%s': cannot read: %s", path, strerror(-err));
		free(btf);
		return err;
	}
	err = parse_owned(btf, path, pr);
	if (err) {
		btf_data__free(btf);
		return err;
	}
	*out = btf;
	return 0;
}

void btf_data__free(struct btf_data *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->composites);
	if (btf->mapped)
		munmap(btf->data, btf->size);
	else
		free(btf->data);
	free(btf);
}

uint32_t btf_data__skip_mods(const struct btf_data *btf, uint32_t id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		t = btf_data__type(btf, id);
		if (!t)
			return 0;
		switch (type_kind(t)) {
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

static int type_size(const struct btf_data *btf, uint32_t id, uint32_t *sz, int depth)
{
	const struct btf_type *t = btf_data__type(btf, btf_data__skip_mods(btf, id));
	uint32_t elem_sz;

	if (!t || depth > 32)
		return -EINVAL;
	switch (type_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_DATASEC:
		*sz = t->size;
		return 0;
	case BTF_KIND_PTR:
		*sz = 8;
		return 0;
	case BTF_KIND_ARRAY:
		if (type_size(btf, type_array(t)->type, &elem_sz, depth + 1))
			return -EINVAL;
		*sz = elem_sz * type_array(t)->nelems;
		return 0;
	default:
		return -EINVAL;
	}
}

int btf_data__type_size(const struct btf_data *btf, uint32_t id, uint32_t *sz)
{
	return type_size(btf, id, sz, 0);
}

/*
 * clang describes each global variable as a VAR listed in the DATASEC of its
 * section (".rodata", ".bss", ...); the offsets there are left 0 in objects,
 * so the variable is found by name.
 */
uint32_t btf_data__var_type(const struct btf_data *btf, const char *sec_name, const char *name)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *t, *v;
	const char *n;
	uint32_t id, i;

	for (id = 1; id < btf->type_cnt; id++) {
		t = btf->types[id];
		n = btf_data__str(btf, t->name_off);
		if (type_kind(t) != BTF_KIND_DATASEC || !n || strcmp(n, sec_name))
			continue;
		vs = (const struct btf_var_secinfo *)(t + 1);
		for (i = 0; i < type_vlen(t); i++) {
			v = btf_data__type(btf, vs[i].type);
			n = v ? btf_data__str(btf, v->name_off) : NULL;
			if (v && type_kind(v) == BTF_KIND_VAR && n && !strcmp(n, name))
				return v->type;
		}
	}
	return 0;
}
