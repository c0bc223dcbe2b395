// SPDX-License-Identifier: GPL-2.0
/*
 * The skeleton header of an object set: a struct with one member per map
 * (SEC("maps"); global data is reached through the setters) and per
 * program, a bind function that looks each up once, and a typed setter per
 * global variable that is not static.  Members and setters are sorted by
 * name, so the header depends on what the objects define, not on their
 * order.  Setter types come from .BTF (skel_spell); a type that cannot be
 * spelled, or that objects disagree on, gives an untyped setter.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "gen/skel.h"

static bool is_ident(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* ---- types ------------------------------------------------------------- */

static int spell_int(uint32_t sz, bool is_signed, char *buf, size_t buf_sz)
{
	if (sz != 1 && sz != 2 && sz != 4 && sz != 8)
		return -EOPNOTSUPP;
	snprintf(buf, buf_sz, "__%c%u", is_signed ? 's' : 'u', sz * 8);
	return 0;
}

static int spell_int_type(const struct btf_type *t, const char *name, char *buf, size_t buf_sz)
{
	uint32_t enc = *(const uint32_t *)(t + 1);

	if (BTF_INT_OFFSET(enc) || BTF_INT_BITS(enc) != t->size * 8)
		return -EOPNOTSUPP; /* a bitfield */
	if ((BTF_INT_ENCODING(enc) & BTF_INT_BOOL) || (name && !strcmp(name, "char"))) {
		if (t->size != 1)
			return -EOPNOTSUPP;
		snprintf(buf, buf_sz, "%s", BTF_INT_ENCODING(enc) & BTF_INT_BOOL ? "bool" : "char");
		return 0;
	}
	return spell_int(t->size, BTF_INT_ENCODING(enc) & BTF_INT_SIGNED, buf, buf_sz);
}

/* a type that is no array */
static int spell_elem(const struct btf_data *btf, uint32_t id, char *buf, size_t buf_sz)
{
	const struct btf_type *t = btf_data__type(btf, btf_data__skip_mods(btf, id));
	const char *name;
	int n;

	if (!t)
		return -EOPNOTSUPP;
	name = btf_data__str(btf, t->name_off);
	switch (type_kind(t)) {
	case BTF_KIND_INT:
		return spell_int_type(t, name, buf, buf_sz);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		/* the enum's tag need not be visible where the header is used */
		return spell_int(t->size, BTF_INFO_KFLAG(t->info), buf, buf_sz);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (!is_ident(name))
			return -EOPNOTSUPP;
		n = snprintf(buf, buf_sz, "%s %s",
			     type_kind(t) == BTF_KIND_STRUCT ? "struct" : "union", name);
		return n > 0 && (size_t)n < buf_sz ? 0 : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

int skel_spell(const struct btf_data *btf, uint32_t id, struct skel_type *out)
{
	const struct btf_type *t = btf_data__type(btf, btf_data__skip_mods(btf, id));
	uint32_t elem = id, elem_sz;

	out->cnt = 1;
	if (t && type_kind(t) == BTF_KIND_ARRAY) {
		elem = type_array(t)->type;
		out->cnt = type_array(t)->nelems;
	}
	if (!out->cnt || spell_elem(btf, elem, out->name, sizeof(out->name)) ||
	    btf_data__type_size(btf, elem, &elem_sz) || !elem_sz ||
	    (uint64_t)elem_sz * out->cnt > UINT32_MAX)
		return -EOPNOTSUPP;
	out->size = elem_sz * out->cnt;
	return 0;
}

/* ---- what the objects define -------------------------------------------- */

/* one global variable, merged over the objects that define it */
struct var {
	const char *name;
	const char *section; /* of its first definition */
	size_t size;
	bool exported; /* some definition is not static */
	bool typed;    /* type holds the spelling every definition with BTF agrees on */
	struct skel_type type;
};

struct defs {
	const char **maps, **progs;
	size_t map_cnt, prog_cnt;
	struct var *vars;
	size_t var_cnt;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct def {
	struct obj_global g;
	size_t idx;
};

/* by name, then in object order */
static int cmp_def(const void *a, const void *b)
{
	const struct def *x = a, *y = b;
	int c = strcmp(x->g.name, y->g.name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int check_ident(struct obj *o, const char *kind, const char *name)
{
	if (is_ident(name))
		return 0;
	pr_warn(o->pr, "%s '%s': not a C identifier", kind, name);
	return -EINVAL;
}

static int collect_maps_progs(struct obj *o, struct defs *d)
{
	size_t i;
	int err = 0;

	d->maps = calloc(obj__map_cnt(o) + 1, sizeof(*d->maps));
	d->progs = calloc(obj__prog_cnt(o) + 1, sizeof(*d->progs));
	if (!d->maps || !d->progs)
		return -ENOMEM;
	for (i = 0; i < obj__map_cnt(o) && !err; i++) {
		if (obj__map(o, i)->kind != MAP_USER)
			continue; /* global data: the setters */
		d->maps[d->map_cnt] = map__name(obj__map(o, i));
		err = check_ident(o, "map", d->maps[d->map_cnt++]);
	}
	for (i = 0; i < obj__prog_cnt(o) && !err; i++) {
		d->progs[d->prog_cnt] = prog__name(obj__prog(o, i));
		err = check_ident(o, "prog", d->progs[d->prog_cnt++]);
	}
	qsort(d->maps, d->map_cnt, sizeof(*d->maps), cmp_str);
	qsort(d->progs, d->prog_cnt, sizeof(*d->progs), cmp_str);
	return err;
}

/* def, one more definition of v (by name), merged in; first is v's first */
static int merge_def(struct obj *o, const struct obj_src *srcs, struct var *v,
		     const struct def *first, const struct def *def, bool *disagree)
{
	const struct btf_data *btf = o->elfs[def->g.src_idx].btf;
	struct skel_type t;

	if (def->g.size != v->size) {
		pr_warn(o->pr, "global '%s': %zu bytes in %s, %zu in %s", v->name, v->size,
			srcs[first->g.src_idx].name, def->g.size, srcs[def->g.src_idx].name);
		return -EINVAL;
	}
	v->exported = v->exported || !def->g.local;
	if (!def->g.btf_id || !btf)
		return 0; /* no BTF here (an asm object): the others tell */
	if (skel_spell(btf, def->g.btf_id, &t) || t.size != v->size) {
		*disagree = true;
	} else if (!v->typed) {
		v->type = t;
		v->typed = true;
	} else if (strcmp(t.name, v->type.name) || t.cnt != v->type.cnt) {
		*disagree = true;
	}
	return 0;
}

static int collect_vars(struct obj *o, const struct obj_src *srcs, struct defs *d)
{
	size_t n = obj__global_cnt(o), i, j;
	struct def *defs = calloc(n + 1, sizeof(*defs));
	bool disagree;
	int err = defs ? 0 : -ENOMEM;

	for (i = 0; i < n && !err; i++) {
		defs[i].idx = i;
		err = obj__global(o, i, &defs[i].g);
	}
	d->vars = calloc(n + 1, sizeof(*d->vars));
	if (!err && !d->vars)
		err = -ENOMEM;
	if (!err)
		qsort(defs, n, sizeof(*defs), cmp_def);
	for (i = 0; i < n && !err; i = j) {
		struct var *v = &d->vars[d->var_cnt];

		*v = (struct var){
			.name = defs[i].g.name,
			.section = defs[i].g.section,
			.size = defs[i].g.size,
		};
		disagree = false;
		for (j = i; j < n && !err && !strcmp(defs[j].g.name, v->name); j++)
			err = merge_def(o, srcs, v, &defs[i], &defs[j], &disagree);
		v->typed = v->typed && !disagree;
		if (!err && v->exported) {
			err = check_ident(o, "global", v->name);
			d->var_cnt++;
		}
	}
	free(defs);
	return err;
}

static void defs_free(struct defs *d)
{
	free(d->maps);
	free(d->progs);
	free(d->vars);
}

/* ---- the header ----------------------------------------------------------- */

static void write_top(FILE *f, const char *name, const struct obj_src *srcs, size_t src_cnt)
{
	fprintf(f,
		"/*\n * %s_skel: typed handles to the maps, programs and global variables of\n *",
		name);
	for (size_t i = 0; i < src_cnt; i++) {
		const char *base = strrchr(srcs[i].name, '/');

		fprintf(f, " %s", base ? base + 1 : srcs[i].name);
	}
	fprintf(f,
		".\n"
		" * Generated by the loader's skeleton generator (loader/gen/skel.c): do not edit.\n"
		" * Include loader.h, and the header that defines the globals' struct types,\n"
		" * before this one.\n"
		" */\n");
	fputs("#ifndef ", f);
	for (const char *c = name; *c; c++)
		fputc(toupper((unsigned char)*c), f);
	fputs("_SKEL_H\n#define ", f);
	for (const char *c = name; *c; c++)
		fputc(toupper((unsigned char)*c), f);
	fputs("_SKEL_H\n\n#include <stddef.h>\n#include <linux/types.h>\n\n", f);
}

static void write_struct(FILE *f, const char *name, const struct defs *d)
{
	size_t i;

	fprintf(f, "struct %s_skel {\n\tstruct obj *obj;\n", name);
	if (d->map_cnt) {
		fputs("\tstruct {\n", f);
		for (i = 0; i < d->map_cnt; i++)
			fprintf(f, "\t\tstruct map *%s;\n", d->maps[i]);
		fputs("\t} maps;\n", f);
	}
	if (d->prog_cnt) {
		fputs("\tstruct {\n", f);
		for (i = 0; i < d->prog_cnt; i++)
			fprintf(f, "\t\tstruct prog *%s;\n", d->progs[i]);
		fputs("\t} progs;\n", f);
	}
	fputs("};\n\n", f);
}

/* ISO C (no "?:" without its middle), as the rest of the header: any C17 compiler takes it */
static void write_bind(FILE *f, const char *name, const struct defs *d)
{
	size_t i;

	fprintf(f,
		"/*\n"
		" * Bind s to o: look up every map and program once.  0, or -ENOENT for the\n"
		" * first one that o lacks, which the loader reports.\n"
		" */\n"
		"static inline int %s_skel__bind(struct %s_skel *s, struct obj *o)\n"
		"{\n\tint err = 0;\n\n\ts->obj = o;\n",
		name, name);
	for (i = 0; i < d->map_cnt; i++)
		fprintf(f, "\tif (!err)\n\t\terr = obj__lookup_map(o, \"%s\", &s->maps.%s);\n",
			d->maps[i], d->maps[i]);
	for (i = 0; i < d->prog_cnt; i++)
		fprintf(f, "\tif (!err)\n\t\terr = obj__lookup_prog(o, \"%s\", &s->progs.%s);\n",
			d->progs[i], d->progs[i]);
	fputs("\treturn err;\n}\n", f);
}

static void write_setter(FILE *f, const char *name, const struct var *v)
{
	const char *when = strncmp(v->section, ".rodata", 7)
				   ? "before obj__load the initial value, after it the live one"
				   : "before obj__load only (then frozen)";
	char cnt[32] = "";

	if (!v->typed) {
		fprintf(f,
			"\n/* %s: %s, %zu bytes of a type not spelled here (sz); %s */\n"
			"static inline int %s_skel__set_%s(struct %s_skel *s, const void *v, size_t sz)\n"
			"{\n\treturn obj__set_global(s->obj, \"%s\", v, sz);\n}\n",
			v->name, v->section, v->size, when, name, v->name, name, v->name);
		return;
	}
	if (v->type.cnt > 1)
		snprintf(cnt, sizeof(cnt), "%u * ", v->type.cnt);
	fprintf(f, "\n/* %s: %s, ", v->name, v->section);
	if (v->type.cnt > 1)
		fprintf(f, "%u x %s, ", v->type.cnt, v->type.name);
	fprintf(f,
		"%zu bytes; %s */\n"
		"static inline int %s_skel__set_%s(struct %s_skel *s, const %s *v)\n"
		"{\n"
		"\t_Static_assert(%ssizeof(*v) == %zu,\n"
		"\t\t       \"global '%s': %s is not the %zu bytes of the BPF objects\");\n"
		"\treturn obj__set_global(s->obj, \"%s\", v, %ssizeof(*v));\n"
		"}\n",
		v->size, when, name, v->name, name, v->type.name, cnt, v->size, v->name,
		v->type.name, v->size, v->name, cnt);
}

int skel_write(FILE *f, const char *name, struct obj *o, const struct obj_src *srcs, size_t src_cnt)
{
	struct defs d = { 0 };
	int err;

	err = check_ident(o, "skeleton", name);
	err = err ?: collect_maps_progs(o, &d);
	err = err ?: collect_vars(o, srcs, &d);
	if (!err) {
		write_top(f, name, srcs, src_cnt);
		write_struct(f, name, &d);
		write_bind(f, name, &d);
		for (size_t i = 0; i < d.var_cnt; i++)
			write_setter(f, name, &d.vars[i]);
		fputs("\n#endif\n", f);
		err = fflush(f) || ferror(f) ? -EIO : 0;
	}
	defs_free(&d);
	return err;
}
