// SPDX-License-Identifier: GPL-2.0
/*
 * Selecting, grouping and ordering entries for `iotrace report`: --path and
 * --glob select files, --by puts each selected file once into each of its
 * groups (dir[:DEPTH], ext, comm, fstype), --sort orders the table.  Also the
 * derived values the views share (bytes, sequential share, active window).
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "format/document.h"
#include "report/report.h"
#include "format/schema.h"

/* prefix "/tmp" selects /tmp and everything below it, not /tmpfoo */
static bool has_prefix(const struct rentry *e, const char *prefix)
{
	size_t n = strlen(prefix);

	if (e->path_len < n || memcmp(e->path, prefix, n))
		return false;
	return !n || prefix[n - 1] == '/' || e->path_len == n || e->path[n] == '/';
}

bool report_matches(const struct rentry *e, const char *glob)
{
	return !fnmatch(glob, e->path, 0); /* '*' matches '/' too: "*.log" anywhere */
}

bool report_under(const struct rentry *e, const char *prefix)
{
	return has_prefix(e, prefix);
}

bool report_selected(const struct rentry *e, char *const *prefixes, size_t prefix_cnt,
		     char *const *globs, size_t glob_cnt)
{
	bool ok = !prefix_cnt;

	for (size_t i = 0; i < prefix_cnt && !ok; i++)
		ok = has_prefix(e, prefixes[i]);
	if (!ok)
		return false;
	ok = !glob_cnt;
	for (size_t i = 0; i < glob_cnt && !ok; i++)
		ok = !fnmatch(globs[i], e->path, 0); /* '*' matches '/' too: "*.log" anywhere */
	return ok;
}

/* ---- group keys ----------------------------------------------------------------- */

/* the directory of the path (through its last '/'), cut to depth components */
static size_t dir_key_len(const struct rentry *e, unsigned int depth)
{
	const char *p = e->path, *slash = memrchr(p, '/', e->path_len);
	size_t dir_len = slash ? (size_t)(slash - p) + 1 : 0, pos = p[0] == '/';

	for (unsigned int d = 0; d < depth && pos < dir_len; d++) {
		const char *next = memchr(p + pos, '/', dir_len - pos);

		pos = (size_t)(next - p) + 1; /* dir_len ends in '/': next exists */
	}
	return pos < dir_len ? pos : dir_len;
}

static char *key_of(const char *prefix, const char *s, size_t len)
{
	size_t n = strlen(prefix);
	char *k = malloc(n + len + 1);

	if (k) {
		memcpy(k, prefix, n);
		memcpy(k + n, s, len);
		k[n + len] = '\0';
	}
	return k;
}

/*
 * Group keys are the paths of the groups in report's json output, and the
 * spec wants absolute paths there: directories are paths already; the other
 * groupings get names under pseudo-directories no file system has:
 * "/[ext]/ *.dat" (without the space), "/[ext]/(none)", "/[comm]/dd",
 * "/[fstype]/ext4".
 */
#define EXT_PREFIX    "/[ext]/"
#define COMM_PREFIX   "/[comm]/"
#define FSTYPE_PREFIX "/[fstype]/"
#define NO_COMM	      COMM_PREFIX "(none)"
#define PID_PREFIX    "/[pid]/"

/* "*.dat"; a leading dot (".bashrc") or a trailing one is no extension */
static char *ext_key(const struct rentry *e)
{
	const char *slash = memrchr(e->path, '/', e->path_len);
	const char *base = slash ? slash + 1 : e->path, *end = e->path + e->path_len;
	const char *dot = memrchr(base, '.', (size_t)(end - base));

	if (!dot || dot == base || dot + 1 == end)
		return strdup(EXT_PREFIX "(none)");
	return key_of(EXT_PREFIX "*", dot, (size_t)(end - dot));
}

static char *one_key(const struct rentry *e, const struct rgroup *g, size_t i)
{
	switch (g->by) {
	case BY_DIR:
		if (!e->path_len || !memchr(e->path, '/', e->path_len))
			return strdup("./");
		return key_of("", e->path, dir_key_len(e, g->depth));
	case BY_EXT:
		return ext_key(e);
	case BY_COMM:
		return e->comm_cnt ? key_of(COMM_PREFIX, e->comms[i], strlen(e->comms[i]))
				   : strdup(NO_COMM);
	case BY_FSTYPE:
		return key_of(FSTYPE_PREFIX, e->fstype, strlen(e->fstype));
	case BY_PID: {
		/* "/[pid]/1234 postgres": a process of a --per-process document */
		char k[sizeof(PID_PREFIX) + 24 + COMM_LEN];

		if (!e->has_pid)
			return strdup(PID_PREFIX "(none)");
		snprintf(k, sizeof(k), PID_PREFIX "%llu%s%s", (unsigned long long)e->pid,
			 e->comm ? " " : "", e->comm ? e->comm : "");
		return strdup(k);
	}
	case BY_FILE:
		break;
	}
	return key_of("", e->path, e->path_len);
}

int report_group_keys(const struct rentry *e, const struct rgroup *g, char ***keys, size_t *cnt)
{
	size_t n = g->by == BY_COMM && e->comm_cnt ? e->comm_cnt : 1;

	*cnt = 0;
	*keys = calloc(n, sizeof(char *));
	if (!*keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		(*keys)[i] = one_key(e, g, i);
		if (!(*keys)[i])
			return -ENOMEM;
		(*cnt)++;
	}
	return 0;
}

/* ---- grouping ---------------------------------------------------------------------- */

static int new_group(struct rtable *t, const struct rentry *e, char *key)
{
	struct rentry *grp;
	int err = rentry_clone(&grp, e);

	if (err)
		return err;
	free(grp->path);
	free(grp->comm);
	grp->path = key;
	grp->path_len = strlen(key);
	grp->comm = NULL;
	grp->has_pid = grp->deleted = false;
	grp->pid = grp->ino = grp->gen = 0;
	rstrs_free(&grp->former); /* a group has no names of its own */
	err = rtable_insert(t, grp);
	if (err) {
		grp->path = NULL;
		rentry_free(grp);
	}
	return err;
}

static int group_one(struct rtable *t, const struct rentry *e, const struct rgroup *g)
{
	char **keys;
	size_t cnt, i;
	int err = report_group_keys(e, g, &keys, &cnt);

	for (i = 0; i < cnt && !err; i++) {
		struct rentry probe = { .path = keys[i], .path_len = strlen(keys[i]) };
		struct rentry *grp = rtable_find(t, &probe);

		if (grp) {
			err = rentry_merge(grp, e, true);
			continue;
		}
		err = new_group(t, e, keys[i]);
		keys[i] = err ? keys[i] : NULL; /* the group owns it */
	}
	for (i = 0; i < cnt; i++)
		free(keys[i]);
	free(keys);
	return err;
}

/* a comm group names one comm: its comms are that comm alone */
static int comm_of_group(struct rentry *grp)
{
	const char *c = grp->path + strlen(COMM_PREFIX);

	for (unsigned int i = 0; i < grp->comm_cnt; i++)
		free(grp->comms[i]);
	grp->comm_cnt = 0;
	return strcmp(grp->path, NO_COMM) ? rentry_add_comm(grp, c) : 0;
}

int report_group(struct rtable *dst, struct rentry *const *v, size_t n, const struct rgroup *g)
{
	int err = 0;

	dst->groups = true;
	for (size_t i = 0; i < n && !err; i++)
		err = group_one(dst, v[i], g);
	for (size_t i = 0; i < dst->cnt && !err && g->by == BY_COMM; i++)
		err = comm_of_group(dst->v[i]);
	return err;
}

/* ---- derived values ----------------------------------------------------------------- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

uint64_t rentry_bytes(const struct rentry *e)
{
	uint64_t n = 0;

	for (int s = 0; s < SIDES; s++)
		n = sat_add(n, e->side[s].bytes);
	return n;
}

uint64_t rentry_calls(const struct rentry *e)
{
	uint64_t n = 0;

	for (int s = 0; s < SIDES; s++)
		n = sat_add(n, e->side[s].calls);
	return n;
}

uint64_t rentry_errors(const struct rentry *e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < e->sc_cnt; i++)
		n = sat_add(n, e->sc[i].errors);
	return n;
}

bool rentry_seq_permille(const struct rentry *e, int side, unsigned int *pm)
{
	unsigned __int128 ok = 0, seq = 0;

	for (int s = 0; s < SIDES; s++) {
		if (side != s && side != SIDES_ALL)
			continue;
		ok += e->side[s].calls - e->side[s].errors;
		seq += e->side[s].seq_calls;
	}
	if (!ok)
		return false;
	*pm = (unsigned int)(seq * 1000 / ok);
	return true;
}

/*
 * A syscall of two files (sendfile, the copies) counts toward the first of
 * its sides the entry has: the source's, or the destination's of a file
 * only written.
 */
static int sc_hist(const struct rentry *e, int side, bool done, struct rhist *out)
{
	int err = 0;

	out->b = NULL;
	out->cnt = 0;
	for (size_t i = 0; i < e->sc_cnt && !err; i++) {
		const struct rsc *sc = &e->sc[i];
		unsigned int sides = sc->idx < SC_MAX ? (unsigned int)sc_infos[sc->idx].sides : 0;

		if (sc->idx < SC_MAX && sc_infos[sc->idx].two) {
			int first = __builtin_ctz(sides | 1u << SIDES);

			if (first < SIDES && !e->side[first].present)
				first++;
			sides = 1u << first;
		}
		if (sides & 1u << side)
			err = rhist_add(out, done ? &sc->done : &sc->req);
	}
	if (err)
		rhist_free(out);
	return err;
}

int rentry_req_hist(const struct rentry *e, int side, struct rhist *out)
{
	return sc_hist(e, side, false, out);
}

int rentry_done_hist(const struct rentry *e, int side, struct rhist *out)
{
	return sc_hist(e, side, true, out);
}

const int rdir_sides[2][3] = { { SIDE_READ, SIDE_COPY_READ, SIDE_ASYNC_READ },
			       { SIDE_WRITE, SIDE_COPY_WRITE, SIDE_ASYNC_WRITE } };

uint64_t rentry_dir_bytes(const struct rentry *e, int d)
{
	uint64_t v = 0;

	for (int k = 0; k < 3; k++)
		v += e->side[rdir_sides[d][k]].bytes;
	return v;
}

uint64_t rentry_dir_calls(const struct rentry *e, int d, bool ok_only)
{
	uint64_t v = 0;

	for (int k = 0; k < 3; k++) {
		const struct rside *s = &e->side[rdir_sides[d][k]];

		v += s->calls - (ok_only ? s->errors : 0);
	}
	return v;
}

uint64_t rentry_active_ns(const struct rentry *e, const struct rmeta *mt)
{
	uint64_t first, last, sum = 0;

	if (!rentry_window(e, &first, &last))
		return 0;
	if (mt->run_cnt < 2)
		return last - first;
	for (size_t i = 0; i < mt->run_cnt; i++) {
		uint64_t lo = first > mt->runs[i].start_ns ? first : mt->runs[i].start_ns;
		uint64_t hi = last < mt->runs[i].end_ns ? last : mt->runs[i].end_ns;

		sum += hi > lo ? hi - lo : 0;
	}
	return sum;
}

bool rentry_window(const struct rentry *e, uint64_t *first, uint64_t *last)
{
	bool any = false;

	*first = UINT64_MAX;
	*last = 0;
	for (int s = 0; s < SIDES; s++) {
		const struct rside *sd = &e->side[s];

		if (sd->present && sd->first_ns < *first)
			*first = sd->first_ns;
		if (sd->has_last && sd->last_ns >= *last) {
			*last = sd->last_ns;
			any = true;
		}
	}
	return any && *last >= *first;
}

/* ---- order ---------------------------------------------------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* the sort key; entries without a value (no successful call for seq) sort last */
static void key_of_sort(const struct rentry *e, enum rsort key, uint64_t v[2])
{
	unsigned int pm;

	v[1] = 0;
	switch (key) {
	case SORT_BYTES:
		v[0] = rentry_bytes(e);
		break;
	case SORT_CALLS:
		v[0] = rentry_calls(e);
		break;
	case SORT_ERRORS:
		v[0] = rentry_errors(e);
		break;
	case SORT_SEQ:
		v[0] = rentry_seq_permille(e, SIDES_ALL, &pm) ? pm + 1 : 0;
		v[1] = rentry_calls(e);
		break;
	case SORT_REWRITES:
		v[0] = sat_add(e->side[SIDE_WRITE].rewrites, e->side[SIDE_COPY_WRITE].rewrites);
		break;
	case SORT_FSYNC:
		v[0] = e->fsync.total_ns;
		v[1] = e->fsync.calls;
		break;
	}
}

static int cmp_by_key(const void *pa, const void *pb, void *ctx)
{
	enum rsort key = *(const enum rsort *)ctx;
	uint64_t a[2], b[2];
	int c;

	key_of_sort(*(struct rentry *const *)pa, key, a);
	key_of_sort(*(struct rentry *const *)pb, key, b);
	c = cmp_u64(b[0], a[0]);
	c = c ?: cmp_u64(b[1], a[1]);
	return c ?: rentry_cmp_ident(pa, pb);
}

void report_sort(struct rentry **v, size_t n, enum rsort key)
{
	qsort_r(v, n, sizeof(*v), cmp_by_key, &key);
}
