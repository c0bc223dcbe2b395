// SPDX-License-Identifier: GPL-2.0
/*
 * Every record's name as the trace ends.  A record is named when it is
 * created, by a path walk from its dentry in BPF; by the end the file may
 * have been renamed (written under a temporary name, then renamed into
 * place) or unlinked, by any process.  A record whose name still leads to
 * it (stat gives its device and inode, and no other record of another
 * generation shares them) keeps it; the others are walked again from the
 * same dentry by the name_walk program (a rename moves the dentry along
 * with the file), which also reads the link count.  When the dentry or
 * inode are gone by then (the file was closed and evicted), name_walk says
 * so: the record keeps the name it had, deleted when that name is gone
 * from a file system still mounted here.  The name it had first is kept as
 * its former path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "loader.h"
#include "record/record.h"
#include "iotrace.skel.h"

struct namer {
	struct obj *obj;
	struct prog *prog; /* deferred: loaded by the first walk */
	struct map *map;
	struct walk_state *w;
	bool unloadable; /* the program did not load: no walk at all */
};

/* kernel dev_t (major << 20 | minor), as the records hold it */
static uint32_t kdev_of(dev_t d)
{
	return (uint32_t)major(d) << 20 | minor(d);
}

struct ident {
	const struct file_entry *f;
	size_t idx;
};

static int cmp_ident(const void *a, const void *b)
{
	const struct file_key *x = &((const struct ident *)a)->f->key;
	const struct file_key *y = &((const struct ident *)b)->f->key;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/*
 * shared[i]: another record has v[i]'s device and inode number but another
 * generation, so a stat of the name cannot tell which of them it names
 */
static int mark_shared(struct file_entry *const *v, size_t n, bool *shared)
{
	struct ident *s = malloc((n + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct ident){ v[i], i };
	qsort(s, n, sizeof(*s), cmp_ident);
	/* runs of one device and inode number, by generation: mixed when first and last differ */
	for (size_t i = 0, j; i < n; i = j) {
		const struct file_key *a = &s[i].f->key;

		for (j = i + 1; j < n && s[j].f->key.dev == a->dev && s[j].f->key.ino == a->ino;
		     j++)
			;
		for (size_t k = i; k < j && s[j - 1].f->key.gen != a->gen; k++)
			shared[s[k].idx] = true;
	}
	free(s);
	return 0;
}

/* the name leads to this file: its device and inode */
static bool name_leads_to(const struct file_entry *f)
{
	struct stat st;

	return !stat(f->path, &st) && kdev_of(st.st_dev) == f->key.dev &&
	       (uint64_t)st.st_ino == f->key.ino;
}

/*
 * The name is gone from a file system that is still there: nothing (or
 * another file) answers to it, and its directory is on the record's
 * device.  A name whose file system is not visible here (the mount
 * namespace of a process that has ended) tells nothing.
 */
static bool name_gone(const struct file_entry *f, bool shared)
{
	char *dir = strndup(f->path, f->path_len), *slash;
	struct stat st;
	bool gone;

	if (!dir)
		return false;
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	gone = (shared || !name_leads_to(f)) && !stat(dir, &st) && kdev_of(st.st_dev) == f->key.dev;
	free(dir);
	return gone;
}

/* run name_walk from f's pointers until it is done; the result in n->w */
static int walk(struct namer *n, const struct file_entry *f)
{
	struct name_walk_args a = {
		.dentry = f->name_dentry,
		.mnt = f->name_mnt,
		.inode = f->name_inode,
		.ino = f->key.ino,
		.dev_gen = (uint64_t)f->key.dev << 32 | f->key.gen,
	};
	uint32_t done = 0, zero = 0;
	int err = 0;

	if (prog__fd(n->prog) < 0 && obj__load_deferred(n->obj, NULL)) {
		n->unloadable = true;
		return -ENOEXEC;
	}
	/* one run per WALK_STEP levels: PATH_MAX_DEPTH runs is more than enough */
	for (int run = 0; !err && !done && run < PATH_MAX_DEPTH; run++) {
		err = prog__test_run(n->prog, &a, sizeof(a), &done);
		a.dentry = 0; /* go on */
	}
	return err ?: map__lookup_elem(n->map, &zero, n->w);
}

/* a new name for f from the walk: the old one is kept as its former path */
static int rename_to(struct file_entry *f, const struct ev_file *ev)
{
	char *old = f->path;
	size_t old_len = f->path_len;
	size_t sz = ev->path_sz < sizeof(ev->path) ? ev->path_sz : sizeof(ev->path);
	int err;

	f->path = NULL;
	err = files_set_path(f, ev->path, sz, ev->truncated != NAME_WHOLE);
	if (err) {
		f->path = old;
		return err;
	}
	if (f->path_len == old_len && !memcmp(f->path, old, old_len)) {
		free(old);
		return 0;
	}
	if (f->former_path) {
		free(old); /* the first name stays the former one */
		return 0;
	}
	f->former_path = old;
	f->former_len = old_len;
	return 0;
}

/*
 * A file announced without its path (first seen by an asynchronous request):
 * its first name, from the pointers; one that cannot be walked stays unnamed
 * and is counted as dropped.
 */
static int name_first(struct namer *n, struct file_entry *f)
{
	const struct ev_file *ev = &n->w->ev;
	int err = f->name_dentry && f->name_inode ? walk(n, f) : -ENOENT;

	if (err == -ENOENT || (!err && (ev->truncated == NAME_STALE || ev->truncated == NAME_GONE)))
		return 0;
	if (err)
		return err;
	f->deleted = ev->nlink == 0;
	return files_set_path(f, ev->path,
			      ev->path_sz < sizeof(ev->path) ? ev->path_sz : sizeof(ev->path),
			      ev->truncated != NAME_WHOLE);
}

static int name_again(struct namer *n, struct file_entry *f, bool shared)
{
	int err;

	if (!shared && !f->deleted && name_leads_to(f))
		return 0;
	err = f->name_dentry && f->name_inode ? walk(n, f) : -ENOENT;
	if (err == -ENOENT || (!err && n->w->ev.truncated == NAME_STALE)) {
		/* closed and gone from memory: unlinked, if its name is gone too */
		f->deleted = f->deleted || name_gone(f, shared);
		return 0;
	}
	if (err)
		return err;
	f->deleted = n->w->ev.nlink == 0;
	/* its mount is gone: no path to compare, the name it had stays */
	return n->w->ev.truncated == NAME_GONE ? 0 : rename_to(f, &n->w->ev);
}

int names_refresh(const struct iotrace_skel *s, struct trace_result *res)
{
	struct file_table *t = &res->files;
	struct namer n = { .obj = s->obj, .prog = s->progs.name_walk, .map = s->maps.namewalk };
	bool *shared;
	int err;

	shared = calloc(t->cnt + 1, sizeof(*shared));
	n.w = malloc(sizeof(*n.w));
	err = shared && n.w ? mark_shared(t->v, t->cnt, shared) : -ENOMEM;
	for (size_t i = 0; !err && i < t->cnt; i++)
		if (t->v[i]->path && t->v[i]->have_rec)
			err = name_again(&n, t->v[i], shared[i]);
		else if (t->v[i]->have_rec)
			err = name_first(&n, t->v[i]);
	if (n.unloadable) {
		/* the loader said why; nothing was renamed before the first walk */
		pr_warn("warning: the files keep the names they had when first seen: the path-walk "
			"program did not load");
		err = 0;
	}
	if (err)
		pr_warn("naming the files again: %s", strerror(-err));
	else
		files_sort_by_path(t); /* renamed files move */
	free(shared);
	free(n.w);
	return err;
}
