// SPDX-License-Identifier: GPL-2.0
/*
 * Merging for `iotrace report`: the same file (path, dev, ino and, with
 * --per-process, pid) seen in several documents or groups of files become
 * one entry: counters summed (an overflow is an error, never a wrap),
 * histograms added bucket by bucket, the earliest first entry and the latest
 * last return.  Every rule is commutative and associative, so the order of
 * the documents never changes the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/document.h"
#include "format/schema.h"

static int add(uint64_t *dst, uint64_t v)
{
	return __builtin_add_overflow(*dst, v, dst) ? -EOVERFLOW : 0;
}

static char *dup_bytes(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* ---- string sets ------------------------------------------------------------------ */

int rstrs_add(struct rstrs *s, const char *str, size_t len)
{
	size_t pos = s->cnt;
	char **v, *copy;

	while (pos && strcmp(s->v[pos - 1], str) > 0)
		pos--;
	if (pos && !strcmp(s->v[pos - 1], str))
		return 0;
	copy = dup_bytes(str, len);
	v = copy ? realloc(s->v, (s->cnt + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	s->v = v;
	memmove(&v[pos + 1], &v[pos], (s->cnt - pos) * sizeof(*v));
	v[pos] = copy;
	s->cnt++;
	return 0;
}

static int rstrs_union(struct rstrs *dst, const struct rstrs *src)
{
	int err = 0;

	for (size_t i = 0; i < src->cnt && !err; i++)
		err = rstrs_add(dst, src->v[i], strlen(src->v[i]));
	return err;
}

/* dst = dst ∩ src */
static void rstrs_intersect(struct rstrs *dst, const struct rstrs *src)
{
	size_t kept = 0, j;

	for (size_t i = 0; i < dst->cnt; i++) {
		for (j = 0; j < src->cnt && strcmp(dst->v[i], src->v[j]); j++)
			;
		if (j < src->cnt)
			dst->v[kept++] = dst->v[i];
		else
			free(dst->v[i]);
	}
	dst->cnt = kept;
}

void rstrs_free(struct rstrs *s)
{
	for (size_t i = 0; i < s->cnt; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->cnt = 0;
}

int rentry_add_comm(struct rentry *e, const char *c)
{
	unsigned int pos = e->comm_cnt;
	char *copy;

	while (pos && strcmp(e->comms[pos - 1], c) > 0)
		pos--;
	if ((pos && !strcmp(e->comms[pos - 1], c)) || pos == MAX_COMMS)
		return 0;
	copy = strdup(c);
	if (!copy)
		return -ENOMEM;
	if (e->comm_cnt == MAX_COMMS)
		free(e->comms[--e->comm_cnt]); /* keep the smallest: order-independent */
	memmove(&e->comms[pos + 1], &e->comms[pos], (e->comm_cnt - pos) * sizeof(char *));
	e->comms[pos] = copy;
	e->comm_cnt++;
	return 0;
}

/* ---- entries ---------------------------------------------------------------------- */

void rsc_free(struct rsc *sc)
{
	free(sc->name);
	rhist_free(&sc->req);
	rhist_free(&sc->done);
	rhist_free(&sc->lat);
}

void rentry_free(struct rentry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e->comm);
	free(e->fstype);
	rstrs_free(&e->former);
	for (unsigned int i = 0; i < e->comm_cnt; i++)
		free(e->comms[i]);
	for (size_t i = 0; i < e->sc_cnt; i++)
		rsc_free(&e->sc[i]);
	free(e->sc);
	for (int s = 0; s < SIDES; s++) {
		rhist_free(&e->side[s].seq);
		rhist_free(&e->side[s].lat);
	}
	rhist_free(&e->fsync.lat);
	for (int s = 0; s < TL_SERIES; s++)
		rseries_free(&e->tl[s]);
	free(e);
}

int rsc_order(const struct rsc *a, const struct rsc *b)
{
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int sc_sum(struct rsc *d, const struct rsc *s)
{
	int err = add(&d->calls, s->calls);

	err = err ?: add(&d->errors, s->errors);
	err = err ?: add(&d->bytes, s->bytes);
	err = err ?: add(&d->total_ns, s->total_ns);
	err = err ?: rhist_add(&d->req, &s->req);
	err = err ?: rhist_add(&d->done, &s->done);
	err = err ?: rhist_add(&d->lat, &s->lat);
	d->has |= s->has;
	return err;
}

/* a new syscall entry for e, in order, copied from s */
static int sc_insert(struct rentry *e, size_t pos, const struct rsc *s)
{
	struct rsc *v = realloc(e->sc, (e->sc_cnt + 1) * sizeof(*v)), n = { 0 };

	if (!v)
		return -ENOMEM;
	e->sc = v;
	n.name = strdup(s->name);
	n.idx = s->idx;
	if (!n.name || sc_sum(&n, s)) {
		rsc_free(&n);
		return -ENOMEM;
	}
	memmove(&v[pos + 1], &v[pos], (e->sc_cnt - pos) * sizeof(*v));
	v[pos] = n;
	e->sc_cnt++;
	return 0;
}

static int merge_syscalls(struct rentry *d, const struct rentry *s)
{
	int err = 0;

	for (size_t i = 0; i < s->sc_cnt && !err; i++) {
		size_t pos = 0;

		while (pos < d->sc_cnt && rsc_order(&d->sc[pos], &s->sc[i]) < 0)
			pos++;
		if (pos < d->sc_cnt && !rsc_order(&d->sc[pos], &s->sc[i]))
			err = sc_sum(&d->sc[pos], &s->sc[i]);
		else
			err = sc_insert(d, pos, &s->sc[i]);
	}
	return err;
}

static int merge_side(struct rside *d, const struct rside *s)
{
	int err;

	if (!s->present)
		return 0;
	/* latencies stay only while every merged side has them: they must count every call */
	if (d->present && d->has_lat && !s->has_lat) {
		rhist_free(&d->lat);
		d->total_ns = 0;
	}
	d->has_lat = (d->present ? d->has_lat : true) && s->has_lat;
	if (d->has_lat) {
		err = add(&d->total_ns, s->total_ns);
		err = err ?: rhist_add(&d->lat, &s->lat);
		if (err)
			return err;
	}
	if (!d->present || (s->first_ns < d->first_ns))
		d->first_ns = s->first_ns;
	if (s->has_last && (!d->has_last || s->last_ns > d->last_ns))
		d->last_ns = s->last_ns;
	d->has_last |= s->has_last;
	d->present = true;
	err = add(&d->calls, s->calls);
	err = err ?: add(&d->errors, s->errors);
	err = err ?: add(&d->bytes, s->bytes);
	err = err ?: add(&d->seq_calls, s->seq_calls);
	err = err ?: add(&d->streams, s->streams);
	err = err ?: add(&d->rewrites, s->rewrites);
	for (int i = 0; i < OFLAGS; i++)
		err = err ?: add(&d->oflags[i], s->oflags[i]);
	return err ?: rhist_add(&d->seq, &s->seq);
}

static int merge_fsync(struct rfsync *d, const struct rfsync *s)
{
	int err;

	if (!s->present)
		return 0;
	d->present = true;
	err = add(&d->calls, s->calls);
	err = err ?: add(&d->errors, s->errors);
	err = err ?: add(&d->total_ns, s->total_ns);
	return err ?: rhist_add(&d->lat, &s->lat);
}

static int merge_mapped(struct rmapped *d, const struct rmapped *s)
{
	int err;

	if (!s->present)
		return 0;
	if (!d->present || s->first_ns < d->first_ns)
		d->first_ns = s->first_ns;
	if (!d->present || s->last_ns > d->last_ns)
		d->last_ns = s->last_ns;
	d->present = true;
	err = add(&d->faults, s->faults);
	return err ?: add(&d->write_faults, s->write_faults);
}

/* two values that may differ become "mixed" (absorbing, so the rule is associative) */
static int merge_label(char **d, const char *s)
{
	if (!strcmp(*d, s))
		return 0;
	free(*d);
	*d = strdup("mixed");
	return *d ? 0 : -ENOMEM;
}

int rentry_merge(struct rentry *d, const struct rentry *s, bool group)
{
	int err = merge_label(&d->fstype, s->fstype);

	if (d->dev_major != s->dev_major || d->dev_minor != s->dev_minor)
		d->dev_major = d->dev_minor = 0;
	if (!group)
		d->deleted |= s->deleted;
	if (!err && d->comm && s->comm && strcmp(s->comm, d->comm) < 0) {
		free(d->comm);
		d->comm = strdup(s->comm);
		err = d->comm ? 0 : -ENOMEM;
	}
	if (d->gen != s->gen)
		d->gen = 0;
	for (unsigned int i = 0; i < s->comm_cnt && !err; i++)
		err = rentry_add_comm(d, s->comms[i]);
	if (!group)
		err = err ?: rstrs_union(&d->former, &s->former);
	err = err ?: merge_syscalls(d, s);
	for (int i = 0; i < SIDES; i++)
		err = err ?: merge_side(&d->side[i], &s->side[i]);
	err = err ?: merge_mapped(&d->mapped, &s->mapped);
	err = err ?: add(&d->cache_pages, s->cache_pages);
	d->has_tl |= s->has_tl;
	for (int i = 0; i < TL_SERIES; i++)
		err = err ?: rseries_add(&d->tl[i], &s->tl[i]);
	return err ?: merge_fsync(&d->fsync, &s->fsync);
}

int rentry_clone(struct rentry **out, const struct rentry *s)
{
	struct rentry *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	*e = (struct rentry){ .dev_major = s->dev_major,
			      .dev_minor = s->dev_minor,
			      .ino = s->ino,
			      .gen = s->gen,
			      .has_pid = s->has_pid,
			      .pid = s->pid,
			      .deleted = s->deleted,
			      .path_len = s->path_len };
	e->path = dup_bytes(s->path, s->path_len);
	e->fstype = strdup(s->fstype);
	e->comm = s->comm ? strdup(s->comm) : NULL;
	err = !e->path || !e->fstype || (s->comm && !e->comm) ? -ENOMEM : 0;
	err = err ?: rentry_merge(e, s, false);
	if (err) {
		rentry_free(e);
		return err;
	}
	*out = e;
	return 0;
}

/* ---- the table of entries by identity ---------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/*
 * The bits of h spread over all of it (splitmix64's finalizer): a multiply
 * only carries low bits upwards, so without it numbers that differ in high
 * bits alone (inode numbers of other machines, pids) fall in one slot.
 */
static uint64_t avalanche(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t ident_hash(const struct rtable *t, const struct rentry *e)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < e->path_len; i++)
		h = mix(h, (unsigned char)e->path[i]);
	if (t->groups)
		return avalanche(h);
	h = mix(h, (uint64_t)e->dev_major << 32 | e->dev_minor);
	h = mix(h, e->ino);
	h = mix(h, e->gen);
	return avalanche(mix(h, e->has_pid ? e->pid + 1 : 0));
}

static bool ident_eq(const struct rtable *t, const struct rentry *a, const struct rentry *b)
{
	if (a->path_len != b->path_len || memcmp(a->path, b->path, a->path_len))
		return false;
	return t->groups ||
	       (a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino &&
		a->gen == b->gen && a->has_pid == b->has_pid && a->pid == b->pid);
}

static int grow_index(struct rtable *t)
{
	size_t cap = t->idx_cap ? t->idx_cap * 2 : 64, *idx = malloc(cap * sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		idx[i] = SIZE_MAX;
	free(t->idx);
	t->idx = idx;
	t->idx_cap = cap;
	for (size_t k = 0; k < t->cnt; k++) {
		size_t i = ident_hash(t, t->v[k]) & (cap - 1);

		while (idx[i] != SIZE_MAX)
			i = (i + 1) & (cap - 1);
		idx[i] = k;
	}
	return 0;
}

struct rentry *rtable_find(const struct rtable *t, const struct rentry *e)
{
	size_t i;

	if (!t->idx_cap)
		return NULL;
	for (i = ident_hash(t, e) & (t->idx_cap - 1); t->idx[i] != SIZE_MAX;
	     i = (i + 1) & (t->idx_cap - 1))
		if (ident_eq(t, t->v[t->idx[i]], e))
			return t->v[t->idx[i]];
	return NULL;
}

/* append e (its identity is new) */
int rtable_insert(struct rtable *t, struct rentry *e)
{
	size_t i;

	if (t->cnt == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct rentry **v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (2 * (t->cnt + 1) > t->idx_cap && grow_index(t))
		return -ENOMEM;
	for (i = ident_hash(t, e) & (t->idx_cap - 1); t->idx[i] != SIZE_MAX;)
		i = (i + 1) & (t->idx_cap - 1);
	t->idx[i] = t->cnt;
	t->v[t->cnt++] = e;
	return 0;
}

int rtable_add(struct rtable *t, struct rentry **e)
{
	struct rentry *old = rtable_find(t, *e);
	int err;

	if (old)
		return rentry_merge(old, *e, t->groups);
	err = rtable_insert(t, *e);
	if (!err)
		*e = NULL;
	return err;
}

void rtable_free(struct rtable *t)
{
	for (size_t i = 0; i < t->cnt; i++)
		rentry_free(t->v[i]);
	free(t->v);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}

/* ---- document metadata ------------------------------------------------------------- */

static int add_pid(struct rmeta *m, uint64_t pid)
{
	size_t pos = m->pid_cnt;
	uint64_t *v;

	while (pos && m->pids[pos - 1] > pid)
		pos--;
	if (pos && m->pids[pos - 1] == pid)
		return 0;
	v = realloc(m->pids, (m->pid_cnt + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->pids = v;
	memmove(&v[pos + 1], &v[pos], (m->pid_cnt - pos) * sizeof(*v));
	v[pos] = pid;
	m->pid_cnt++;
	return 0;
}

static bool same_command(const struct rmeta *a, const struct rmeta *b)
{
	if (!a->command || !b->command)
		return !a->command && !b->command;
	if (a->command_cnt != b->command_cnt)
		return false;
	for (size_t i = 0; i < a->command_cnt; i++)
		if (strcmp(a->command[i], b->command[i]))
			return false;
	return true;
}

static void free_command(struct rmeta *m)
{
	for (size_t i = 0; m->command && i < m->command_cnt; i++)
		free(m->command[i]);
	free(m->command);
	m->command = NULL;
	m->command_cnt = 0;
}

static int copy_command(struct rmeta *d, const struct rmeta *s)
{
	if (!s->command)
		return 0;
	d->command = calloc(s->command_cnt + 1, sizeof(char *));
	if (!d->command)
		return -ENOMEM;
	for (size_t i = 0; i < s->command_cnt; i++) {
		d->command[i] = strdup(s->command[i]);
		if (!d->command[i])
			return -ENOMEM;
		d->command_cnt++;
	}
	return 0;
}

/* the command every document shares; null (mixed) when two differ */
static int merge_command(struct rmeta *d, const struct rmeta *s, bool first)
{
	if (first) {
		d->command_mixed = s->command_mixed;
		return copy_command(d, s);
	}
	if (!d->command_mixed && !s->command_mixed && same_command(d, s))
		return 0;
	d->command_mixed = true;
	free_command(d);
	return 0;
}

/* a selecting list (paths, fstypes): empty selects everything */
static int merge_selecting(struct rstrs *d, const struct rstrs *s, bool first)
{
	if (!first && (!d->cnt || !s->cnt)) {
		rstrs_free(d);
		return 0;
	}
	return rstrs_union(d, s);
}

static int merge_filters(struct rfilters *d, const struct rfilters *s, bool first)
{
	int err = merge_selecting(&d->paths, &s->paths, first);

	err = err ?: merge_selecting(&d->fstypes, &s->fstypes, first);
	if (first) {
		err = err ?: rstrs_union(&d->exclude, &s->exclude);
		err = err ?: rstrs_union(&d->exclude_fstypes, &s->exclude_fstypes);
	} else {
		rstrs_intersect(&d->exclude, &s->exclude);
		rstrs_intersect(&d->exclude_fstypes, &s->exclude_fstypes);
	}
	return err ?: add(&d->excluded_files, s->excluded_files);
}

/* span into the sorted, disjoint runs of d, joined with those it overlaps */
static int add_run(struct rmeta *d, struct rspan span)
{
	size_t lo = 0, hi;
	struct rspan *v;

	while (lo < d->run_cnt && d->runs[lo].end_ns < span.start_ns)
		lo++;
	hi = lo;
	while (hi < d->run_cnt && d->runs[hi].start_ns <= span.end_ns) {
		span.start_ns =
			d->runs[hi].start_ns < span.start_ns ? d->runs[hi].start_ns : span.start_ns;
		span.end_ns = d->runs[hi].end_ns > span.end_ns ? d->runs[hi].end_ns : span.end_ns;
		hi++;
	}
	if (hi == lo) { /* a run of its own at lo */
		v = realloc(d->runs, (d->run_cnt + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->runs = v;
		memmove(v + lo + 1, v + lo, (d->run_cnt - lo) * sizeof(*v));
		d->run_cnt++;
		v[lo] = span;
		return 0;
	}
	d->runs[lo] = span;
	memmove(d->runs + lo + 1, d->runs + hi, (d->run_cnt - hi) * sizeof(*d->runs));
	d->run_cnt -= hi - lo - 1;
	return 0;
}

int rmeta_merge(struct rmeta *d, const struct rmeta *s)
{
	bool first = !d->docs;
	int err = 0;

	if (first || s->start_ns < d->start_ns)
		d->start_ns = s->start_ns;
	if (first || s->end_ns > d->end_ns)
		d->end_ns = s->end_ns;
	d->per_process = (first || d->per_process) && s->per_process;
	/* unknown (a document before iotrace 0.4) absorbs, then "not counted" */
	d->mapped = first			     ? s->mapped
		    : d->mapped < 0 || s->mapped < 0 ? -1
						     : d->mapped && s->mapped;
	d->docs += s->docs;
	for (size_t i = 0; i < s->run_cnt && !err; i++)
		err = add_run(d, s->runs[i]);
	if (!s->run_cnt && s->docs)
		err = err ?: add_run(d, (struct rspan){ s->start_ns, s->end_ns });
	err = err ?: add(&d->dropped_files, s->dropped_files);
	err = err ?: add(&d->dropped_events, s->dropped_events);
	err = err ?: add(&d->missed_runs, s->missed_runs);
	d->has_missed |= s->has_missed;
	d->has_unseen |= s->has_unseen;
	for (int i = 0; i < UNSEEN_MAX; i++)
		err = err ?: add(&d->unseen[i], s->unseen[i]);
	err = err ?: rstrs_union(&d->hostname, &s->hostname);
	err = err ?: rstrs_union(&d->kernel, &s->kernel);
	err = err ?: rstrs_union(&d->machine, &s->machine);
	err = err ?: rstrs_union(&d->comms, &s->comms);
	for (size_t i = 0; i < s->pid_cnt && !err; i++)
		err = add_pid(d, s->pids[i]);
	err = err ?: merge_filters(&d->ff, &s->ff, first);
	return err ?: merge_command(d, s, first);
}

void rmeta_free(struct rmeta *m)
{
	rstrs_free(&m->hostname);
	rstrs_free(&m->kernel);
	rstrs_free(&m->machine);
	rstrs_free(&m->comms);
	rstrs_free(&m->ff.paths);
	rstrs_free(&m->ff.exclude);
	rstrs_free(&m->ff.fstypes);
	rstrs_free(&m->ff.exclude_fstypes);
	free(m->pids);
	free(m->runs);
	free_command(m);
	memset(m, 0, sizeof(*m));
}

void rmodel_init(struct rmodel *m)
{
	memset(m, 0, sizeof(*m));
}

void rmodel_free(struct rmodel *m)
{
	rmeta_free(&m->meta);
	rtable_free(&m->files);
}

/* ---- order ---------------------------------------------------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int rentry_cmp_ident(const void *pa, const void *pb)
{
	const struct rentry *a = *(struct rentry *const *)pa, *b = *(struct rentry *const *)pb;
	size_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
	int c = memcmp(a->path, b->path, n);

	if (c)
		return c;
	c = cmp_u64(a->path_len, b->path_len);
	c = c
		    ?: cmp_u64((uint64_t)a->dev_major << 32 | a->dev_minor,
			       (uint64_t)b->dev_major << 32 | b->dev_minor);
	c = c ?: cmp_u64(a->ino, b->ino);
	c = c ?: cmp_u64(a->gen, b->gen);
	c = c ?: cmp_u64(a->has_pid, b->has_pid);
	return c ?: cmp_u64(a->pid, b->pid);
}

void rentry_sort_path(struct rentry **v, size_t n)
{
	qsort(v, n, sizeof(*v), rentry_cmp_ident);
}
