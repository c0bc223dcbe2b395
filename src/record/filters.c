// SPDX-License-Identifier: GPL-2.0
/*
 * Trace-time file filters: --path and --exclude PREFIX, --fstype and
 * --exclude-fstype NAME.  The BPF side judges a file once, when its record
 * is created (bpf/rw.bpf.c, emit_files), from the prefixes encoded here
 * into iot_cfg; what it cannot judge there (a file first seen by an
 * asynchronous request, named only at the end; a path too deep to walk
 * whole) is judged here by the same rules on the file's first name.
 *
 * A prefix selects itself and everything below it: /data selects /data and
 * /data/x, not /database.  Prefixes are made absolute and canonical when
 * given: realpath(3) when the path exists (the kernel names files by their
 * real path, so /var/run selects what the kernel calls /run), else a
 * lexical clean-up of an absolute path (a directory the command will
 * create).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

/* "/a//b/./c/../d/" -> "/a/b/d"; false when it does not fit out */
static bool clean_path(const char *in, char *out, size_t out_sz)
{
	size_t len = 0, n;
	const char *p = in, *e;

	while (*p) {
		while (*p == '/')
			p++;
		e = p + strcspn(p, "/");
		n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--; /* the '/' before the component; /.. is / */
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (len + 1 + n >= out_sz)
				return false;
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = e;
	}
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return true;
}

/* bytes of prefix as the BPF path walk writes it ("/a/b": "b\0a\0", 4) */
static size_t encoded_len(const char *prefix)
{
	size_t n = 0;

	for (const char *p = prefix; *p; p++)
		n += *p != '/' || p[1] ? 1 : 0; /* each '/' but a trailing one counts as a NUL */
	return strcmp(prefix, "/") ? n : 0;
}

int filters_add_prefix(struct trace_filters *f, bool exclude, const char *arg, char *why,
		       size_t why_sz)
{
	char **list = exclude ? f->excludes : f->paths;
	size_t *cnt = exclude ? &f->exclude_cnt : &f->path_cnt;
	char buf[PATH_MAX], *copy;

	if (!*arg) {
		snprintf(why, why_sz, "empty prefix");
		return -EINVAL;
	}
	if (!realpath(arg, buf)) {
		if (arg[0] != '/') {
			snprintf(why, why_sz,
				 "not an absolute path, and no such file or directory");
			return -EINVAL;
		}
		if (!clean_path(arg, buf, sizeof(buf))) {
			snprintf(why, why_sz, "longer than PATH_MAX");
			return -EINVAL;
		}
	}
	if (encoded_len(buf) > NAME_FILTER_SZ) {
		snprintf(why, why_sz, "longer than %d bytes", NAME_FILTER_SZ);
		return -EINVAL;
	}
	if (*cnt == NAME_FILTERS) {
		snprintf(why, why_sz, "more than %d prefixes", NAME_FILTERS);
		return -EINVAL;
	}
	copy = strdup(buf);
	if (!copy)
		return -ENOMEM;
	list[(*cnt)++] = copy;
	return 0;
}

int filters_add_fstype(struct trace_filters *f, bool exclude, const char *name, char *why,
		       size_t why_sz)
{
	char(*list)[FSTYPE_NAME_SZ] = exclude ? f->exclude_fstypes : f->fstypes;
	size_t *cnt = exclude ? &f->exclude_fstype_cnt : &f->fstype_cnt;

	if (strlen(name) >= FSTYPE_NAME_SZ || strchr(name, '/')) {
		snprintf(why, why_sz, "not a file system type name (at most %d bytes)",
			 FSTYPE_NAME_SZ - 1);
		return -EINVAL;
	}
	if (*cnt == FSTYPE_FILTERS) {
		snprintf(why, why_sz, "more than %d names", FSTYPE_FILTERS);
		return -EINVAL;
	}
	memset(list[*cnt], 0, FSTYPE_NAME_SZ);
	memcpy(list[(*cnt)++], name, strlen(name));
	return 0;
}

bool filters_any(const struct trace_filters *f)
{
	return f->path_cnt || f->exclude_cnt || f->fstype_cnt || f->exclude_fstype_cnt;
}

/* components leaf first, each ending in NUL: what walk_steps writes */
static void encode(const char *prefix, struct name_filter *nf)
{
	const char *end = prefix + strlen(prefix), *p;
	size_t n = 0, len;

	memset(nf, 0, sizeof(*nf));
	while (end > prefix) {
		for (p = end; p > prefix && p[-1] != '/'; p--)
			;
		len = (size_t)(end - p);
		if (len) {
			memcpy(nf->enc + n, p, len);
			n += len + 1;
		}
		end = p > prefix ? p - 1 : prefix;
	}
	nf->len = (__u32)n;
}

void filters_to_cfg(const struct trace_filters *f, struct iot_config *cfg)
{
	struct file_filters *ff = &cfg->ff;

	cfg->file_filters = filters_any(f);
	ff->path_cnt = (__u32)f->path_cnt;
	ff->exclude_cnt = (__u32)f->exclude_cnt;
	ff->fstype_cnt = (__u32)f->fstype_cnt;
	ff->exclude_fs_cnt = (__u32)f->exclude_fstype_cnt;
	for (size_t i = 0; i < f->path_cnt; i++)
		encode(f->paths[i], &ff->path[i]);
	for (size_t i = 0; i < f->exclude_cnt; i++)
		encode(f->excludes[i], &ff->exclude[i]);
	for (size_t i = 0; i < f->fstype_cnt; i++)
		memcpy(ff->fstype[i], f->fstypes[i], FSTYPE_NAME_SZ);
	for (size_t i = 0; i < f->exclude_fstype_cnt; i++)
		memcpy(ff->exclude_fs[i], f->exclude_fstypes[i], FSTYPE_NAME_SZ);
}

/* path (len bytes) is prefix or below it; prefix is canonical ("/" or no trailing '/') */
static bool under(const char *path, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1)
		return path[0] == '/';
	return len >= n && !memcmp(path, prefix, n) && (len == n || path[n] == '/');
}

bool filters_keep(const struct trace_filters *f, const char *path, size_t len, const char *fstype)
{
	bool in = !f->fstype_cnt;

	for (size_t i = 0; i < f->fstype_cnt && !in; i++)
		in = !strncmp(fstype, f->fstypes[i], FSTYPE_NAME_SZ);
	for (size_t i = 0; i < f->exclude_fstype_cnt && in; i++)
		in = strncmp(fstype, f->exclude_fstypes[i], FSTYPE_NAME_SZ) != 0;
	if (!in)
		return false;
	in = !f->path_cnt;
	for (size_t i = 0; i < f->path_cnt && !in; i++)
		in = under(path, len, f->paths[i]);
	for (size_t i = 0; i < f->exclude_cnt && in; i++)
		in = !under(path, len, f->excludes[i]);
	return in;
}

/* Leave out the records the BPF side could not judge (by their first name). */
void filters_apply(const struct trace_filters *f, struct trace_result *res)
{
	struct file_table *t = &res->files;
	size_t kept = 0;

	if (!filters_any(f))
		return;
	for (size_t i = 0; i < t->cnt; i++) {
		struct file_entry *e = t->v[i];
		const char *first = e->former_path ? e->former_path : e->path;
		size_t len = e->former_path ? e->former_len : e->path_len;

		if (e->filtered || filters_keep(f, first, len, e->fstype)) {
			t->v[kept++] = e;
			continue;
		}
		res->excluded_files++;
		free(e->path); /* the entry itself lives in the table's chunks */
		free(e->former_path);
		e->path = e->former_path = NULL;
	}
	t->cnt = kept;
}

void filters_free(struct trace_filters *f)
{
	for (size_t i = 0; i < f->path_cnt; i++)
		free(f->paths[i]);
	for (size_t i = 0; i < f->exclude_cnt; i++)
		free(f->excludes[i]);
	memset(f, 0, sizeof(*f));
}
