// SPDX-License-Identifier: GPL-2.0
/*
 * Read a result document of schema 1 or 2 (docs/output-format.md) into the model.  Syntax
 * errors come from jsonr with their byte offset; everything else the format
 * promises is checked here (types, histogram shape and totals, sums over
 * syscalls) and reported with the JSON path of the value:
 * "files[3].syscalls.read.req_hist: counts add up to 5, want 6 (calls)".  Times become absolute (start_unix_ns + ns).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/jsonr.h"
#include "format/document.h"
#include "format/schema.h"

#define AT_SZ 192

static int bad(struct rerr *err, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void strf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf whose truncation is expected (long JSON paths and messages are cut) */
static void strf(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

static int bad(struct rerr *err, const char *at, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strf(err->msg, sizeof(err->msg), "%s%s%s", at, *at ? ": " : "", msg);
	return -EINVAL;
}

/* at.key, with bytes outside printable ASCII in a key shown as \xNN */
static void join(char *buf, const char *at, const char *key, size_t key_len)
{
	size_t n = (size_t)snprintf(buf, AT_SZ, "%s%s", at, *at ? "." : "");

	if (n >= AT_SZ)
		n = AT_SZ - 1;

	for (size_t i = 0; i < key_len && n + 5 < AT_SZ; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c >= 0x20 && c < 0x7f)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, AT_SZ - n, "\\x%02x", c);
	}
	buf[n] = '\0';
}

static const char *type_desc(const struct jval *v)
{
	switch (v->type) {
	case JT_NULL:
		return "null";
	case JT_BOOL:
		return "a boolean";
	case JT_STR:
		return "a string";
	case JT_ARR:
		return "an array";
	case JT_OBJ:
		return "an object";
	case JT_NUM:
		break;
	}
	if (v->num.flags & JNUM_U64)
		return "a number";
	if (v->num.d < 0)
		return "a negative number";
	if (v->num.d >= 18446744073709551615.0)
		return "a number beyond 2^64 - 1";
	return "a non-integer number";
}

static int need(const struct jval *obj, const char *key, const char *at, const struct jval **out,
		struct rerr *err)
{
	*out = jval_get(obj, key);
	return *out ? 0 : bad(err, at, "missing '%s'", key);
}

static int need_type(const struct jval *v, enum jtype t, const char *at, const char *what,
		     struct rerr *err)
{
	if (v->type == t)
		return 0;
	return bad(err, at, "expected %s, got %s", what, type_desc(v));
}

static int get_u64(const struct jval *obj, const char *key, const char *at, uint64_t *out,
		   struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ];
	int ret = need(obj, key, at, &v, err);

	if (ret || !jval_u64(v, out))
		return ret;
	join(sub, at, key, strlen(key));
	return bad(err, sub, "expected an unsigned integer, got %s", type_desc(v));
}

/* a string without NUL bytes, copied */
static int get_str(const struct jval *obj, const char *key, const char *at, char **out,
		   struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ];
	int ret = need(obj, key, at, &v, err);

	if (ret)
		return ret;
	join(sub, at, key, strlen(key));
	ret = need_type(v, JT_STR, sub, "a string", err);
	if (ret)
		return ret;
	if (memchr(v->str.s, 0, v->str.len))
		return bad(err, sub, "NUL byte in string");
	*out = strdup(v->str.s);
	return *out ? 0 : -ENOMEM;
}

/* ---- histograms ----------------------------------------------------------------- */

static int read_bucket(const struct jval *t, const char *at, struct rbucket *b, struct rerr *err)
{
	uint64_t x[3];

	if (t->type != JT_ARR || t->arr.cnt != 3)
		return bad(err, at, "expected [lo, hi, count], got %s", type_desc(t));
	for (int i = 0; i < 3; i++)
		if (jval_u64(&t->arr.v[i], &x[i]))
			return bad(err, at, "expected [lo, hi, count] of unsigned integers, got %s",
				   type_desc(&t->arr.v[i]));
	if (x[0] > x[1])
		return bad(err, at, "lo %llu > hi %llu", (unsigned long long)x[0],
			   (unsigned long long)x[1]);
	if (!x[2])
		return bad(err, at, "zero count (only non-zero buckets belong)");
	*b = (struct rbucket){ x[0], x[1], x[2] };
	return 0;
}

static int read_buckets(const struct jval *v, const char *at, struct rhist *h, struct rerr *err)
{
	uint64_t sum = 0;
	char sub[AT_SZ];
	int ret;

	h->b = v->arr.cnt ? malloc(v->arr.cnt * sizeof(*h->b)) : NULL;
	if (v->arr.cnt && !h->b)
		return -ENOMEM;
	for (size_t i = 0; i < v->arr.cnt; i++) {
		struct rbucket *b = &h->b[i];

		strf(sub, sizeof(sub), "%s[%zu]", at, i);
		ret = read_bucket(&v->arr.v[i], sub, b, err);
		if (ret)
			return ret;
		h->cnt++;
		if (i && b->lo <= b[-1].hi)
			return bad(err, sub, "buckets not ascending or overlapping");
		if (__builtin_add_overflow(sum, b->cnt, &sum))
			return bad(err, at, "counts add up to more than 2^64 - 1");
	}
	return 0;
}

/* obj[key] as a histogram whose counts add up to want (want_what NULL: any total) */
static int get_hist(const struct jval *obj, const char *key, const char *at, struct rhist *h,
		    uint64_t want, const char *want_what, struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ];
	uint64_t sum;
	int ret = need(obj, key, at, &v, err);

	if (ret)
		return ret;
	join(sub, at, key, strlen(key));
	ret = need_type(v, JT_ARR, sub, "an array of [lo, hi, count]", err);
	ret = ret ?: read_buckets(v, sub, h, err);
	if (ret)
		return ret;
	sum = rhist_total(h);
	if (want_what && sum != want)
		return bad(err, sub, "counts add up to %llu, want %llu (%s)",
			   (unsigned long long)sum, (unsigned long long)want, want_what);
	return 0;
}

/* ---- syscalls ----------------------------------------------------------------- */

static int read_sc_rw(const struct jval *v, const char *at, struct rsc *sc, struct rerr *err)
{
	bool any_total = sc_infos[sc->idx].two; /* counted on two files: no fixed total */
	int ret;

	sc->has = RSC_BYTES | RSC_REQ | RSC_DONE;
	ret = get_u64(v, "bytes", at, &sc->bytes, err);
	ret = ret
		      ?: get_hist(v, "req_hist", at, &sc->req, sc->calls,
				  any_total ? NULL : "calls", err);
	return ret
		       ?: get_hist(v, "done_hist", at, &sc->done, sc->calls - sc->errors,
				   any_total ? NULL : "calls - errors", err);
}

static int read_sc_sync(const struct jval *v, const char *at, struct rsc *sc, struct rerr *err)
{
	int ret;

	sc->has = RSC_LAT | RSC_TOTAL;
	ret = get_u64(v, "total_ns", at, &sc->total_ns, err);
	return ret ?: get_hist(v, "lat_hist", at, &sc->lat, sc->calls, "calls", err);
}

/* a syscall this build does not know: whatever of the known members it has */
static int read_sc_other(const struct jval *v, const char *at, struct rsc *sc, struct rerr *err)
{
	static const struct {
		const char *key;
		unsigned int bit;
	} opt[] = { { "bytes", RSC_BYTES },
		    { "total_ns", RSC_TOTAL },
		    { "req_hist", RSC_REQ },
		    { "done_hist", RSC_DONE },
		    { "lat_hist", RSC_LAT } };
	struct rhist *hists[] = { NULL, NULL, &sc->req, &sc->done, &sc->lat };
	uint64_t *nums[] = { &sc->bytes, &sc->total_ns };
	int ret = 0;

	for (size_t i = 0; i < 5 && !ret; i++) {
		if (!jval_get(v, opt[i].key))
			continue;
		sc->has |= opt[i].bit;
		if (i < 2)
			ret = get_u64(v, opt[i].key, at, nums[i], err);
		else
			ret = get_hist(v, opt[i].key, at, hists[i], 0, NULL, err);
	}
	return ret;
}

static int read_sc(const struct jmember *mb, const char *at, struct rsc *sc, struct rerr *err)
{
	char sub[AT_SZ];
	int ret, kind;

	join(sub, at, mb->key, mb->key_len);
	if (memchr(mb->key, 0, mb->key_len))
		return bad(err, sub, "NUL byte in syscall name");
	sc->name = strdup(mb->key);
	if (!sc->name)
		return -ENOMEM;
	sc->idx = sc_lookup(mb->key, mb->key_len);
	ret = need_type(&mb->val, JT_OBJ, sub, "an object", err);
	ret = ret ?: get_u64(&mb->val, "calls", sub, &sc->calls, err);
	ret = ret ?: get_u64(&mb->val, "errors", sub, &sc->errors, err);
	if (!ret && sc->errors > sc->calls)
		ret = bad(err, sub, "errors %llu > calls %llu", (unsigned long long)sc->errors,
			  (unsigned long long)sc->calls);
	if (ret)
		return ret;
	kind = sc->idx < SC_MAX ? sc_infos[sc->idx].kind : -1;
	if (kind == SC_KIND_READ || kind == SC_KIND_WRITE || kind == SC_KIND_COPY ||
	    kind == SC_KIND_ASYNC || kind == (SC_KIND_ASYNC | 1))
		return read_sc_rw(&mb->val, sub, sc, err);
	if (kind == SC_KIND_SYNC || kind == SC_KIND_ASYNC_SYNC)
		return read_sc_sync(&mb->val, sub, sc, err);
	return kind == SC_KIND_CLOSE ? 0 : read_sc_other(&mb->val, sub, sc, err);
}

/* insert sc into e's sorted list; a second entry of one name is an error */
static int insert_sc(struct rentry *e, struct rsc *sc, const char *at, struct rerr *err)
{
	size_t pos = e->sc_cnt;
	struct rsc *v;

	while (pos && rsc_order(&e->sc[pos - 1], sc) > 0)
		pos--;
	if (pos && !rsc_order(&e->sc[pos - 1], sc))
		return bad(err, at, "syscall '%s' twice", sc->name);
	v = realloc(e->sc, (e->sc_cnt + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->sc = v;
	memmove(&v[pos + 1], &v[pos], (e->sc_cnt - pos) * sizeof(*v));
	v[pos] = *sc;
	e->sc_cnt++;
	return 0;
}

static int read_syscalls(const struct jval *f, const char *at, struct rentry *e, struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ];
	int ret = need(f, "syscalls", at, &v, err);

	join(sub, at, "syscalls", 8);
	ret = ret ?: need_type(v, JT_OBJ, sub, "an object", err);
	for (size_t i = 0; !ret && i < v->obj.cnt; i++) {
		struct rsc sc = { 0 };

		ret = read_sc(&v->obj.m[i], sub, &sc, err);
		/* the spec omits syscalls without calls; one that has none is dropped */
		if (!ret && sc.calls && !(ret = insert_sc(e, &sc, sub, err)))
			continue;
		rsc_free(&sc);
	}
	return ret;
}

/* ---- read, write, fsync ------------------------------------------------------------ */

static int abs_ns(uint64_t base, uint64_t rel, const char *at, const char *key, uint64_t *out,
		  struct rerr *err)
{
	if (!__builtin_add_overflow(base, rel, out))
		return 0;
	return bad(err, at, "%s: start_unix_ns + %llu is beyond 2^64 - 1", key,
		   (unsigned long long)rel);
}

static int read_times(const struct jval *v, uint64_t base, const char *at, struct rside *s,
		      struct rerr *err)
{
	const struct jval *last;
	uint64_t first, l;
	int ret = get_u64(v, "first_entry_ns", at, &first, err);

	ret = ret ?: need(v, "last_return_ns", at, &last, err);
	ret = ret ?: abs_ns(base, first, at, "first_entry_ns", &s->first_ns, err);
	if (ret || jval_is_null(last))
		return ret;
	ret = get_u64(v, "last_return_ns", at, &l, err);
	ret = ret ?: abs_ns(base, l, at, "last_return_ns", &s->last_ns, err);
	if (!ret && l < first)
		ret = bad(err, at, "last_return_ns %llu < first_entry_ns %llu",
			  (unsigned long long)l, (unsigned long long)first);
	s->has_last = !ret;
	return ret;
}

/* a side's open_flags (iotrace 0.2 and later): each known flag at most streams; others ignored */
static int read_oflags(const struct jval *v, const char *at, struct rside *s, struct rerr *err)
{
	char sub[AT_SZ];
	int ret;

	join(sub, at, "open_flags", 10);
	ret = need_type(v, JT_OBJ, sub, "an object", err);
	for (int i = 0; i < OFLAGS && !ret; i++) {
		if (!jval_get(v, oflag_keys[i]))
			continue;
		ret = get_u64(v, oflag_keys[i], sub, &s->oflags[i], err);
		if (!ret && s->oflags[i] > s->streams)
			ret = bad(err, sub, "%s %llu > streams %llu", oflag_keys[i],
				  (unsigned long long)s->oflags[i], (unsigned long long)s->streams);
	}
	return ret;
}

/* the copy and async sides are absent in documents of iotrace before 0.2: null */
static int read_side(const struct jval *f, int side, uint64_t base, const char *at, struct rside *s,
		     struct rerr *err)
{
	const char *key = side_keys[side];
	const struct jval *v = jval_get(f, key);
	char sub[AT_SZ];
	int ret = side >= SIDE_COPY_READ && !v ? 0 : need(f, key, at, &v, err);

	if (ret || !v || jval_is_null(v))
		return ret;
	join(sub, at, key, strlen(key));
	s->present = true;
	ret = need_type(v, JT_OBJ, sub, "an object or null", err);
	ret = ret ?: get_u64(v, "calls", sub, &s->calls, err);
	ret = ret ?: get_u64(v, "errors", sub, &s->errors, err);
	ret = ret ?: get_u64(v, "bytes", sub, &s->bytes, err);
	ret = ret ?: get_u64(v, "seq_calls", sub, &s->seq_calls, err);
	if (!ret && jval_get(v, "streams"))
		ret = get_u64(v, "streams", sub, &s->streams, err);
	if (!ret && jval_get(v, "open_flags"))
		ret = read_oflags(jval_get(v, "open_flags"), sub, s, err);
	ret = ret ?: read_times(v, base, sub, s, err);
	if (!ret && (side & 1))
		ret = get_u64(v, "rewrites", sub, &s->rewrites, err);
	/* latencies: since iotrace 0.2, both or neither */
	s->has_lat = jval_get(v, "total_ns") || jval_get(v, "lat_hist");
	if (!ret && s->has_lat) {
		ret = get_u64(v, "total_ns", sub, &s->total_ns, err);
		ret = ret ?: get_hist(v, "lat_hist", sub, &s->lat, s->calls, "calls", err);
	}
	if (!ret && s->errors > s->calls)
		ret = bad(err, sub, "errors %llu > calls %llu", (unsigned long long)s->errors,
			  (unsigned long long)s->calls);
	if (!ret && s->seq_calls > s->calls - s->errors)
		ret = bad(err, sub, "seq_calls %llu > successful calls %llu",
			  (unsigned long long)s->seq_calls,
			  (unsigned long long)(s->calls - s->errors));
	return ret ?: get_hist(v, "seq_hist", sub, &s->seq, s->seq_calls, "seq_calls", err);
}

static int read_fsync(const struct jval *f, const char *at, struct rfsync *fs, struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ];
	int ret = need(f, "fsync", at, &v, err);

	if (ret || jval_is_null(v))
		return ret;
	join(sub, at, "fsync", 5);
	fs->present = true;
	ret = need_type(v, JT_OBJ, sub, "an object or null", err);
	ret = ret ?: get_u64(v, "calls", sub, &fs->calls, err);
	ret = ret ?: get_u64(v, "errors", sub, &fs->errors, err);
	ret = ret ?: get_u64(v, "total_ns", sub, &fs->total_ns, err);
	if (!ret && fs->errors > fs->calls)
		ret = bad(err, sub, "errors %llu > calls %llu", (unsigned long long)fs->errors,
			  (unsigned long long)fs->calls);
	return ret ?: get_hist(v, "lat_hist", sub, &fs->lat, fs->calls, "calls", err);
}

/* "mapped" (iotrace 0.4 and later): page faults on the file's mappings, when it had any */
static int read_mapped(const struct jval *f, const char *at, uint64_t base, struct rmapped *m,
		       struct rerr *err)
{
	const struct jval *v = jval_get(f, "mapped");
	uint64_t first = 0, last = 0;
	char sub[AT_SZ];
	int ret;

	if (!v || jval_is_null(v))
		return 0;
	join(sub, at, "mapped", 6);
	m->present = true;
	ret = need_type(v, JT_OBJ, sub, "an object or null", err);
	ret = ret ?: get_u64(v, "faults", sub, &m->faults, err);
	ret = ret ?: get_u64(v, "write_faults", sub, &m->write_faults, err);
	ret = ret ?: get_u64(v, "first_fault_ns", sub, &first, err);
	ret = ret ?: get_u64(v, "last_fault_ns", sub, &last, err);
	if (!ret && (!m->faults || m->write_faults > m->faults))
		ret = bad(err, sub, "faults %llu: not at least 1 and write_faults %llu",
			  (unsigned long long)m->faults, (unsigned long long)m->write_faults);
	if (!ret && last < first)
		ret = bad(err, sub, "last_fault_ns before first_fault_ns");
	ret = ret ?: abs_ns(base, first, sub, "first_fault_ns", &m->first_ns, err);
	return ret ?: abs_ns(base, last, sub, "last_fault_ns", &m->last_ns, err);
}

/* "page_cache" (iotrace 0.4 and later): pages added to the page cache, when any */
static int read_page_cache(const struct jval *f, const char *at, uint64_t *pages, struct rerr *err)
{
	const struct jval *v = jval_get(f, "page_cache");
	char sub[AT_SZ];
	int ret;

	if (!v || jval_is_null(v))
		return 0;
	join(sub, at, "page_cache", 10);
	ret = need_type(v, JT_OBJ, sub, "an object or null", err);
	ret = ret ?: get_u64(v, "pages_added", sub, pages, err);
	if (!ret && !*pages)
		ret = bad(err, sub, "pages_added is 0: the object is there only for pages");
	return ret;
}

/*
 * The sums check-result insists on: each side against the syscalls that
 * count on it alone, and fsync against its syscalls.  A side that a
 * syscall of two files (sendfile, the copies) counts on has no fixed sum:
 * the syscall's entry does not tell which of its files this one was.
 */
static int check_sums(const struct rentry *e, const char *at, struct rerr *err)
{
	uint64_t sum[SIDES][3] = { { 0 } }; /* [side][calls, errors, bytes] */
	bool any[SIDES] = { false }, loose[SIDES] = { false };
	uint64_t sync_calls = 0;
	bool any_sync = false;
	char sub[AT_SZ];

	for (size_t i = 0; i < e->sc_cnt; i++) {
		const struct rsc *sc = &e->sc[i];
		const struct sc_info *in = sc->idx < SC_MAX ? &sc_infos[sc->idx] : NULL;

		if (in && in->kind == SC_KIND_SYNC) {
			any_sync = true;
			sync_calls += sc->calls;
		}
		for (int s = 0; in && s < SIDES; s++) {
			if (!(in->sides & 1 << s))
				continue;
			if (in->two) {
				loose[s] = true;
				continue;
			}
			any[s] = true;
			sum[s][0] += sc->calls;	 /* each < 2^64 and few: no overflow in practice, */
			sum[s][1] += sc->errors; /* and a wrapped sum only fails the check */
			sum[s][2] += sc->bytes;
		}
	}
	for (int s = 0; s < SIDES; s++) {
		static const char *const what[SIDES] = {
			"read-type syscalls",	      "write-type syscalls",
			"copies from the file",	      "copies into the file",
			"asynchronous read requests", "asynchronous write requests",
		};
		const struct rside *sd = &e->side[s];

		join(sub, at, side_keys[s], strlen(side_keys[s]));
		if (!sd->present && any[s])
			return bad(err, sub, "null, but %s are present", what[s]);
		if (sd->present && !loose[s] &&
		    (sd->calls != sum[s][0] || sd->errors != sum[s][1] || sd->bytes != sum[s][2]))
			return bad(err, sub,
				   "calls, errors or bytes differ from the sums over the %s",
				   what[s]);
	}
	join(sub, at, "fsync", 5);
	if (e->fsync.present ? e->fsync.calls != sync_calls : any_sync)
		return bad(err, sub, "calls differ from fsync + fdatasync calls");
	return 0;
}

/* ---- timelines --------------------------------------------------------------------- */

/* an array of n unsigned integers, or the length to take when n is 0 */
static int get_u64s(const struct jval *obj, const char *key, const char *at, size_t *n,
		    const struct jval **out, struct rerr *err)
{
	char sub[AT_SZ];
	int ret = need(obj, key, at, out, err);

	join(sub, at, key, strlen(key));
	ret = ret ?: need_type(*out, JT_ARR, sub, "an array of unsigned integers", err);
	if (ret)
		return ret;
	if (!*n)
		*n = (*out)->arr.cnt;
	if ((*out)->arr.cnt != *n)
		return bad(err, sub, "%zu values, want %zu (one per bin)", (*out)->arr.cnt, *n);
	for (size_t i = 0; i < *n; i++)
		if (jval_u64(&(*out)->arr.v[i], &(uint64_t){ 0 }))
			return bad(err, sub, "[%zu]: expected an unsigned integer, got %s", i,
				   type_desc(&(*out)->arr.v[i]));
	return 0;
}

/* one series: "bins" ascending below the document's bin count, a bin per call-holding interval */
static int read_series(const struct jval *v, const char *at, bool fsync, uint64_t bins,
		       struct rseries *s, struct rerr *err)
{
	static const char *const cols[] = { "calls", "errors", "bytes", "total_ns" };
	const struct jval *a[5];
	size_t n = 0;
	int ret = need_type(v, JT_OBJ, at, "an object", err);

	ret = ret ?: get_u64s(v, "bins", at, &n, &a[0], err);
	for (int c = 0; c < 4 && !ret; c++)
		ret = fsync && c == 2 ? 0 : get_u64s(v, cols[c], at, &n, &a[c + 1], err);
	if (ret || !n)
		return ret;
	s->b = calloc(n, sizeof(*s->b));
	if (!s->b)
		return -ENOMEM;
	s->cnt = n;
	for (size_t i = 0; i < n; i++) {
		struct rtbin *b = &s->b[i];

		jval_u64(&a[0]->arr.v[i], &b->bin);
		jval_u64(&a[1]->arr.v[i], &b->calls);
		jval_u64(&a[2]->arr.v[i], &b->errors);
		if (!fsync)
			jval_u64(&a[3]->arr.v[i], &b->bytes);
		jval_u64(&a[4]->arr.v[i], &b->total_ns);
		if (b->bin >= bins || (i && b->bin <= s->b[i - 1].bin))
			return bad(
				err, at,
				"bins[%zu] = %llu: bins must ascend and stay below timeline.bins "
				"(%llu)",
				i, (unsigned long long)b->bin, (unsigned long long)bins);
		if (!b->calls || b->errors > b->calls)
			return bad(err, at, "bin %llu: calls %llu, errors %llu",
				   (unsigned long long)b->bin, (unsigned long long)b->calls,
				   (unsigned long long)b->errors);
	}
	return 0;
}

/* a series adds up to what it is the timeline of (sums that wrap only fail the check) */
static int check_series(const struct rseries *s, const char *at, uint64_t calls, uint64_t errors,
			uint64_t bytes, bool has_total, uint64_t total_ns, struct rerr *err)
{
	struct rtbin t = rseries_total(s);

	if (t.calls != calls || t.errors != errors || t.bytes != bytes ||
	    (has_total && t.total_ns != total_ns))
		return bad(err, at,
			   "the bins add up to %llu calls, %llu errors, %llu bytes, %llu ns; the "
			   "totals are %llu, %llu, %llu, %llu",
			   (unsigned long long)t.calls, (unsigned long long)t.errors,
			   (unsigned long long)t.bytes, (unsigned long long)t.total_ns,
			   (unsigned long long)calls, (unsigned long long)errors,
			   (unsigned long long)bytes, (unsigned long long)total_ns);
	return 0;
}

/*
 * "timeline" (iotrace 0.5 and later): in every FILE of a document with a
 * top-level "timeline", one series per side and fsync that had calls,
 * adding up to their totals exactly.
 */
static int read_timeline(const struct jval *f, const char *at, const struct rmeta *doc,
			 struct rentry *e, struct rerr *err)
{
	const struct jval *v = jval_get(f, "timeline");
	char sub[AT_SZ], ser[AT_SZ];
	int ret = 0;

	if (doc->tl != 1)
		return v ? bad(err, at, "a timeline, but the document has no top-level timeline")
			 : 0;
	join(sub, at, "timeline", 8);
	if (!v)
		return bad(err, at, "missing 'timeline'");
	ret = need_type(v, JT_OBJ, sub, "an object", err);
	e->has_tl = true;
	for (int s = 0; s < TL_SERIES && !ret; s++) {
		const char *key = s == TL_FSYNC ? "fsync" : side_keys[s];
		const struct jval *sv = jval_get(v, key);
		const struct rside *sd = s == TL_FSYNC ? NULL : &e->side[s];

		join(ser, sub, key, strlen(key));
		if (sv)
			ret = read_series(sv, ser, s == TL_FSYNC, doc->bins, &e->tl[s], err);
		if (ret)
			break;
		if (sd)
			ret = check_series(&e->tl[s], ser, sd->present ? sd->calls : 0,
					   sd->present ? sd->errors : 0,
					   sd->present ? sd->bytes : 0, sd->present && sd->has_lat,
					   sd->total_ns, err);
		else
			ret = check_series(&e->tl[s], ser, e->fsync.calls, e->fsync.errors, 0, true,
					   e->fsync.total_ns, err);
	}
	for (size_t i = 0; !ret && v && i < jval_len(v); i++) {
		const struct jmember *mb = jval_member(v, i);
		bool known = mb->key_len == 5 && !memcmp(mb->key, "fsync", 5);

		for (int s = 0; s < SIDES && !known; s++)
			known = strlen(side_keys[s]) == mb->key_len &&
				!memcmp(mb->key, side_keys[s], mb->key_len);
		if (!known) {
			join(ser, sub, mb->key, mb->key_len);
			ret = bad(err, ser, "not a side or fsync");
		}
	}
	return ret;
}

/* ---- FILE ------------------------------------------------------------------------- */

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* path, or the raw bytes of path_hex when the writer gave them */
static int read_path(const struct jval *f, const char *at, struct rentry *e, struct rerr *err)
{
	const struct jval *p, *hex = jval_get(f, "path_hex");
	char sub[AT_SZ];
	int ret = need(f, "path", at, &p, err);

	join(sub, at, "path", 4);
	ret = ret ?: need_type(p, JT_STR, sub, "a string", err);
	if (ret)
		return ret;
	if (!hex) {
		e->path_len = p->str.len;
		e->path = malloc(p->str.len + 1);
		if (e->path)
			memcpy(e->path, p->str.s, p->str.len + 1);
		return e->path ? 0 : -ENOMEM;
	}
	join(sub, at, "path_hex", 8);
	ret = need_type(hex, JT_STR, sub, "a string", err);
	if (ret)
		return ret;
	if (hex->str.len % 2)
		return bad(err, sub, "odd number of hex digits");
	e->path_len = hex->str.len / 2;
	e->path = malloc(e->path_len + 1);
	if (!e->path)
		return -ENOMEM;
	for (size_t i = 0; i < e->path_len; i++) {
		int hi = hex_val(hex->str.s[2 * i]), lo = hex_val(hex->str.s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return bad(err, sub, "not a hex digit at character %zu", 2 * i + (hi >= 0));
		e->path[i] = (char)(hi << 4 | lo);
	}
	e->path[e->path_len] = '\0';
	return 0;
}

static int parse_dev(const char *s, uint32_t *major, uint32_t *minor)
{
	unsigned long long v[2] = { 0, 0 };
	int part = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s == ':' && !part && s[1]) {
			part = 1;
			continue;
		}
		if (*s < '0' || *s > '9' || v[part] > UINT32_MAX / 10)
			return -EINVAL;
		v[part] = v[part] * 10 + (unsigned long long)(*s - '0');
		if (v[part] > UINT32_MAX)
			return -EINVAL;
	}
	*major = (uint32_t)v[0];
	*minor = (uint32_t)v[1];
	return part ? 0 : -EINVAL;
}

static int read_ident(const struct jval *f, const char *at, struct rentry *e, struct rerr *err)
{
	const struct jval *v;
	char *dev = NULL, sub[AT_SZ];
	int ret = read_path(f, at, e, err);

	ret = ret ?: get_str(f, "dev", at, &dev, err);
	join(sub, at, "dev", 3);
	if (!ret && parse_dev(dev, &e->dev_major, &e->dev_minor))
		ret = bad(err, sub, "expected \"MAJOR:MINOR\", got \"%.32s\"", dev);
	free(dev);
	ret = ret ?: get_u64(f, "ino", at, &e->ino, err);
	if (!ret && jval_get(f, "generation"))
		ret = get_u64(f, "generation", at, &e->gen, err);
	if (!ret && e->gen > UINT32_MAX)
		ret = bad(err, at, "generation %llu does not fit 32 bits",
			  (unsigned long long)e->gen);
	ret = ret ?: get_str(f, "fstype", at, &e->fstype, err);
	if (!ret && jval_get(f, "pid")) {
		e->has_pid = true;
		ret = get_u64(f, "pid", at, &e->pid, err);
		if (!ret && jval_get(f, "comm"))
			ret = get_str(f, "comm", at, &e->comm, err);
	}
	v = jval_get(f, "deleted");
	join(sub, at, "deleted", 7);
	if (!ret && v && jval_bool(v, &e->deleted))
		ret = bad(err, sub, "expected a boolean, got %s", type_desc(v));
	return ret;
}

static int read_comms(const struct jval *f, const char *at, struct rentry *e, struct rerr *err)
{
	const struct jval *v;
	char sub[AT_SZ], idx[AT_SZ];
	int ret = need(f, "comms", at, &v, err);

	join(sub, at, "comms", 5);
	ret = ret ?: need_type(v, JT_ARR, sub, "an array of strings", err);
	for (size_t i = 0; !ret && i < v->arr.cnt; i++) {
		const struct jval *c = &v->arr.v[i];

		strf(idx, sizeof(idx), "%s[%zu]", sub, i);
		ret = need_type(c, JT_STR, idx, "a string", err);
		if (!ret && memchr(c->str.s, 0, c->str.len))
			ret = bad(err, idx, "NUL byte in string");
		ret = ret ?: rentry_add_comm(e, c->str.s);
	}
	return ret;
}

/* former_paths: absent in schema 1 */
static int read_former(const struct jval *f, const char *at, struct rentry *e, struct rerr *err)
{
	const struct jval *v = jval_get(f, "former_paths");
	char sub[AT_SZ], idx[AT_SZ];
	int ret;

	if (!v)
		return 0;
	join(sub, at, "former_paths", 12);
	ret = need_type(v, JT_ARR, sub, "an array of strings", err);
	for (size_t i = 0; !ret && i < v->arr.cnt; i++) {
		const struct jval *p = &v->arr.v[i];

		strf(idx, sizeof(idx), "%s[%zu]", sub, i);
		ret = need_type(p, JT_STR, idx, "a string", err);
		if (!ret && memchr(p->str.s, 0, p->str.len))
			ret = bad(err, idx, "NUL byte in string");
		ret = ret ?: rstrs_add(&e->former, p->str.s, p->str.len);
	}
	return ret;
}

static int read_file(const struct jval *f, const struct rmeta *doc, const char *at,
		     struct rentry *e, struct rerr *err)
{
	uint64_t base = doc->start_ns;
	int ret = need_type(f, JT_OBJ, at, "an object", err);

	ret = ret ?: read_ident(f, at, e, err);
	ret = ret ?: read_former(f, at, e, err);
	ret = ret ?: read_comms(f, at, e, err);
	ret = ret ?: read_syscalls(f, at, e, err);
	for (int s = 0; s < SIDES; s++)
		ret = ret ?: read_side(f, s, base, at, &e->side[s], err);
	ret = ret ?: read_fsync(f, at, &e->fsync, err);
	ret = ret ?: read_mapped(f, at, base, &e->mapped, err);
	ret = ret ?: read_page_cache(f, at, &e->cache_pages, err);
	ret = ret ?: check_sums(e, at, err);
	return ret ?: read_timeline(f, at, doc, e, err);
}

/* ---- top level ------------------------------------------------------------------- */

static int read_strs(const struct jval *v, const char *at, struct rstrs *s, struct rerr *err)
{
	char idx[AT_SZ];
	int ret = need_type(v, JT_ARR, at, "an array of strings", err);

	for (size_t i = 0; !ret && i < v->arr.cnt; i++) {
		strf(idx, sizeof(idx), "%s[%zu]", at, i);
		ret = need_type(&v->arr.v[i], JT_STR, idx, "a string", err);
		ret = ret ?: rstrs_add(s, v->arr.v[i].str.s, v->arr.v[i].str.len);
	}
	return ret;
}

/* "a,b" (a report of several hosts) is the set {a, b}: merging stays associative */
static int add_split(struct rstrs *set, const char *s, size_t len)
{
	const char *end = s + len;
	int ret = 0;

	while (!ret) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;

		ret = rstrs_add(set, s, (size_t)(stop - s));
		if (!comma)
			break;
		s = comma + 1;
	}
	return ret;
}

static int read_host(const struct jval *root, struct rmeta *m, struct rerr *err)
{
	static const char *const keys[] = { "hostname", "kernel", "machine" };
	struct rstrs *sets[] = { &m->hostname, &m->kernel, &m->machine };
	const struct jval *h = jval_get(root, "host");
	int ret = h ? need_type(h, JT_OBJ, "host", "an object", err) : 0;

	for (int i = 0; h && !ret && i < 3; i++) {
		const struct jval *v = jval_get(h, keys[i]);
		char sub[AT_SZ];

		join(sub, "host", keys[i], strlen(keys[i]));
		if (v)
			ret = need_type(v, JT_STR, sub, "a string", err);
		if (v && !ret)
			ret = add_split(sets[i], v->str.s, v->str.len);
	}
	return ret;
}

static int read_pids(const struct jval *v, struct rmeta *m, struct rerr *err)
{
	int ret = need_type(v, JT_ARR, "filter.pids", "an array of integers", err);

	if (!ret && v->arr.cnt) {
		m->pids = calloc(v->arr.cnt, sizeof(*m->pids));
		if (!m->pids)
			return -ENOMEM;
	}
	for (size_t i = 0; !ret && i < v->arr.cnt; i++) {
		if (jval_u64(&v->arr.v[i], &m->pids[i]))
			return bad(err, "filter.pids", "expected an array of unsigned integers");
		m->pid_cnt++;
	}
	return ret;
}

static int read_command(const struct jval *v, struct rmeta *m, struct rerr *err)
{
	int ret;

	if (jval_is_null(v))
		return 0;
	ret = need_type(v, JT_ARR, "filter.command", "an array of strings or null", err);
	m->command = ret ? NULL : calloc(v->arr.cnt + 1, sizeof(char *));
	if (!ret && !m->command)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < v->arr.cnt; i++) {
		ret = need_type(&v->arr.v[i], JT_STR, "filter.command", "an array of strings", err);
		m->command[i] = ret ? NULL : strdup(v->arr.v[i].str.s);
		if (!ret && !m->command[i])
			ret = -ENOMEM;
		m->command_cnt += !ret;
	}
	return ret;
}

static int read_filter(const struct jval *root, struct rmeta *m, struct rerr *err)
{
	const struct jval *f = jval_get(root, "filter"), *v;
	int ret = f ? need_type(f, JT_OBJ, "filter", "an object", err) : 0;

	m->mapped = -1;
	if (ret || !f)
		return ret;
	if ((v = jval_get(f, "pids")))
		ret = read_pids(v, m, err);
	if (!ret && (v = jval_get(f, "comms")))
		ret = read_strs(v, "filter.comms", &m->comms, err);
	if (!ret && (v = jval_get(f, "command")))
		ret = read_command(v, m, err);
	if (!ret && (v = jval_get(f, "per_process")) && jval_bool(v, &m->per_process))
		ret = bad(err, "filter.per_process", "expected a boolean, got %s", type_desc(v));
	if (!ret && (v = jval_get(f, "mapped"))) {
		bool b = false;

		if (jval_bool(v, &b))
			ret = bad(err, "filter.mapped", "expected a boolean, got %s", type_desc(v));
		m->mapped = b;
	}
	/* trace-time file filters (iotrace 0.4 and later, when given) */
	if (!ret && (v = jval_get(f, "paths")))
		ret = read_strs(v, "filter.paths", &m->ff.paths, err);
	if (!ret && (v = jval_get(f, "exclude")))
		ret = read_strs(v, "filter.exclude", &m->ff.exclude, err);
	if (!ret && (v = jval_get(f, "fstypes")))
		ret = read_strs(v, "filter.fstypes", &m->ff.fstypes, err);
	if (!ret && (v = jval_get(f, "exclude_fstypes")))
		ret = read_strs(v, "filter.exclude_fstypes", &m->ff.exclude_fstypes, err);
	if (!ret && jval_get(f, "excluded_files"))
		ret = get_u64(f, "excluded_files", "filter", &m->ff.excluded_files, err);
	return ret;
}

static int read_meta(const struct jval *root, struct rmeta *m, struct rerr *err)
{
	const struct jval *v;
	uint64_t schema, dur;
	int ret = need_type(root, JT_OBJ, "", "an object at the top level", err);

	ret = ret ?: get_u64(root, "schema", "", &schema, err);
	if (!ret && (schema < 1 || schema > FORMAT_SCHEMA))
		return bad(err, "schema",
			   "unsupported schema %llu (this report reads schemas 1 to %d)",
			   (unsigned long long)schema, FORMAT_SCHEMA);
	ret = ret ?: get_u64(root, "start_unix_ns", "", &m->start_ns, err);
	ret = ret ?: get_u64(root, "duration_ns", "", &dur, err);
	if (!ret && __builtin_add_overflow(m->start_ns, dur, &m->end_ns))
		return bad(err, "duration_ns", "start_unix_ns + duration_ns is beyond 2^64 - 1");
	v = jval_get(root, "dropped");
	if (!ret && v) {
		ret = need_type(v, JT_OBJ, "dropped", "an object", err);
		ret = ret ?: get_u64(v, "files", "dropped", &m->dropped_files, err);
		ret = ret ?: get_u64(v, "events", "dropped", &m->dropped_events, err);
		if (!ret && jval_get(v, "missed_runs")) {
			m->has_missed = true;
			ret = get_u64(v, "missed_runs", "dropped", &m->missed_runs, err);
		}
	}
	v = jval_get(root, "unseen");
	if (!ret && v) {
		m->has_unseen = true;
		ret = need_type(v, JT_OBJ, "unseen", "an object", err);
		for (int i = 0; i < UNSEEN_MAX && !ret; i++)
			if (jval_get(v, unseen_keys[i]))
				ret = get_u64(v, unseen_keys[i], "unseen", &m->unseen[i], err);
	}
	if (!ret && (v = jval_get(root, "tool")))
		ret = need_type(v, JT_OBJ, "tool", "an object", err);
	/* "timeline" (iotrace 0.5 and later): the bins of the FILE timelines */
	v = jval_get(root, "timeline");
	if (!ret && v) {
		ret = need_type(v, JT_OBJ, "timeline", "an object", err);
		ret = ret ?: get_u64(v, "bin_ns", "timeline", &m->bin_ns, err);
		ret = ret ?: get_u64(v, "bins", "timeline", &m->bins, err);
		if (!ret && !m->bin_ns)
			ret = bad(err, "timeline.bin_ns", "0: a bin must have a width");
		m->tl = 1;
	}
	ret = ret ?: read_host(root, m, err);
	m->docs = 1;
	return ret ?: read_filter(root, m, err);
}

/* factor: what the document's bins are divided by in the model's width; 0: not kept */
static int read_files(struct rmodel *m, const struct jval *root, const struct rmeta *doc,
		      uint64_t factor, struct rerr *err)
{
	const struct jval *files;
	int ret = need(root, "files", "", &files, err);

	ret = ret ?: need_type(files, JT_ARR, "files", "an array", err);
	for (size_t i = 0; !ret && i < files->arr.cnt; i++) {
		struct rentry *e = calloc(1, sizeof(*e));
		char at[AT_SZ];

		if (!e)
			return -ENOMEM;
		snprintf(at, sizeof(at), "files[%zu]", i);
		ret = read_file(&files->arr.v[i], doc, at, e, err);
		for (int s = 0; s < TL_SERIES; s++) {
			if (factor)
				rseries_rebin(&e->tl[s], factor);
			else
				rseries_free(&e->tl[s]);
		}
		e->has_tl &= factor != 0;
		ret = ret ?: rtable_add(&m->files, &e);
		if (ret == -EOVERFLOW)
			bad(err, at,
			    "merging it with an earlier record of the same file overflows "
			    "a counter");
		rentry_free(e);
	}
	return ret;
}

/* the CSV form starts with its header row, whose first column is "path" */
static bool is_csv_result(const char *buf, size_t len)
{
	static const char head[] = "path,";

	return len >= sizeof(head) - 1 && !memcmp(buf, head, sizeof(head) - 1);
}

int report_read_buf(struct rmodel *m, const char *buf, size_t len, struct rerr *err)
{
	struct rmeta meta = { 0 };
	uint64_t factor = 0;
	struct jval *root;
	struct jerr jerr;
	int ret;

	err->msg[0] = '\0';
	if (!len) {
		snprintf(err->msg, sizeof(err->msg), "offset 0: empty document");
		return -EINVAL;
	}
	if (is_csv_result(buf, len)) {
		snprintf(err->msg, sizeof(err->msg),
			 "a result in the CSV form: report reads the JSON form (iotrace -o FILE "
			 "--format json, the default)");
		return -EINVAL;
	}
	ret = jsonr_parse(buf, len, &root, &jerr);
	if (ret) {
		snprintf(err->msg, sizeof(err->msg), "%s", jerr.msg);
		return ret;
	}
	ret = read_meta(root, &meta, err);
	if (!ret)
		rmodel_timeline_meet(m, &meta, &factor);
	ret = ret ?: read_files(m, root, &meta, factor, err);
	ret = ret ?: rmeta_merge(&m->meta, &meta);
	if (ret == -EOVERFLOW && !err->msg[0])
		bad(err, "dropped", "merging with the other documents overflows a counter");
	rmeta_free(&meta);
	jval_free(root);
	return ret;
}

static int slurp(int fd, char **buf, size_t *len)
{
	size_t cap = 65536;
	ssize_t n;

	*len = 0;
	*buf = malloc(cap);
	if (!*buf)
		return -ENOMEM;
	while ((n = read(fd, *buf + *len, cap - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		*len += (size_t)n;
		if (*len == cap) {
			char *b = realloc(*buf, cap *= 2);

			if (!b)
				return -ENOMEM;
			*buf = b;
		}
	}
	return 0;
}

int report_read_file(struct rmodel *m, const char *path, struct rerr *err)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0, ret;
	struct stat st;
	char *buf = NULL;
	size_t len;

	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		strf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = S_ISDIR(st.st_mode) ? -EISDIR : slurp(fd, &buf, &len);
	if (ret) {
		strf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-ret));
		goto out;
	}
	ret = report_read_buf(m, buf, len, err);
	if (ret) {
		struct rerr inner = *err;

		strf(err->msg, sizeof(err->msg), "%s: %s", path, inner.msg);
	}
out:
	free(buf);
	if (fd > 0)
		close(fd);
	return ret;
}
