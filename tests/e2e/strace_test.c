// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-check against an independent tracer: iotrace runs `strace -f -y`
 * on a seeded random workload (every traced syscall, with successes, short
 * and failed calls, on O_RDONLY, O_WRONLY and O_APPEND descriptors of three
 * files).  strace's log, parsed here, gives per file and syscall the calls,
 * errors and completed bytes; iotrace's record must have the same numbers,
 * and the read/write/fsync objects their sums.  The seed is in the failure
 * messages; IOTRACE_E2E_SEED=N repeats a run.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"
#include "workload.h"

static const char *const names[] = { "read",	 "readv",  "pread64",	"preadv",  "preadv2",
				     "write",	 "writev", "pwrite64",	"pwritev", "pwritev2",
				     "sendfile", "fsync",  "fdatasync", "close" };
#define NSC (sizeof(names) / sizeof(names[0]))
enum { K_READ, K_WRITE, K_SYNC, K_CLOSE };

static int kind_of(size_t sc)
{
	return sc < 5 ? K_READ : sc < 11 ? K_WRITE : sc < 13 ? K_SYNC : K_CLOSE;
}

struct cnt {
	unsigned long long calls, errors, bytes;
};
struct st_file {
	struct cnt sc[NSC];
	struct cnt side[3]; /* read, write, sync */
};

/* the file index of "<path>" at s (s points at '<'), or -1 */
static int file_at(const char *s, char paths[][PATH_MAX])
{
	size_t n = strcspn(s + 1, ">");

	for (int f = 0; f < WL_RND_FILES; f++)
		if (strlen(paths[f]) == n && !strncmp(s + 1, paths[f], n))
			return f;
	return -1;
}

static void count(struct st_file *sf, size_t sc, int side, long long ret)
{
	struct cnt *c[2] = { &sf->sc[sc], side >= 0 ? &sf->side[side] : NULL };

	for (int i = 0; i < 2; i++) {
		if (!c[i])
			continue;
		c[i]->calls++;
		if (ret < 0)
			c[i]->errors++;
		else if (side != K_SYNC)
			c[i]->bytes += (unsigned long long)ret;
	}
}

/* "PID  name(FD<path>, ...) = RET ..." */
static void parse_log(const char *log, char paths[][PATH_MAX], struct st_file *sf)
{
	for (const char *l = log; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		size_t len = strcspn(l, "\n"), nlen;
		const char *p = l, *eq = NULL, *fd2;
		char line[8192];
		long long ret;
		int f;

		if (len >= sizeof(line))
			continue;
		memcpy(line, l, len);
		line[len] = '\0';
		p = line;
		while (isdigit((unsigned char)*p))
			p++;
		while (*p == ' ')
			p++;
		nlen = strcspn(p, "(");
		for (const char *q = strstr(line, " = "); q; q = strstr(q + 1, " = "))
			eq = q;
		cr_assert(eq && !strstr(line, "unfinished") && !strstr(line, "resumed"),
			  "strace line not understood: %s", line);
		ret = strtoll(eq + 3, NULL, 10);
		for (size_t sc = 0; sc < NSC; sc++) {
			if (strlen(names[sc]) != nlen || strncmp(p, names[sc], nlen))
				continue;
			p += nlen + 1;
			p += strspn(p, "0123456789");
			if (*p != '<')
				break;
			f = file_at(p, paths);
			if (sc == 10) { /* sendfile(out, in, ...): in read-type, out write-type */
				fd2 = strstr(p, ">, ");
				fd2 = fd2 ? fd2 + 3 + strspn(fd2 + 3, "0123456789") : NULL;
				cr_assert(fd2 && *fd2 == '<', "sendfile line: %s", line);
				if (file_at(fd2, paths) >= 0)
					count(&sf[file_at(fd2, paths)], sc, K_READ, ret);
				if (f >= 0)
					count(&sf[f], sc, K_WRITE, ret);
			} else if (f >= 0) {
				count(&sf[f], sc, kind_of(sc) == K_CLOSE ? -1 : kind_of(sc), ret);
			}
			break;
		}
	}
}

static void expect_cnt(const struct jval *o, const char *what, const struct cnt *c, bool bytes,
		       unsigned long long seed)
{
	static const char *const keys[] = { "calls", "errors", "bytes" };
	unsigned long long want[3] = { c->calls, c->errors, c->bytes };

	for (int k = 0; k < (bytes ? 3 : 2); k++) {
		uint64_t got = 0;

		cr_expect(!jval_u64(jval_get(o, keys[k]), &got) && got == want[k],
			  "seed %llu: %s.%s: got %llu, strace says %llu", seed, what, keys[k],
			  (unsigned long long)got, want[k]);
	}
}

Test(strace, a_random_workload_matches_strace_per_file_and_syscall, .fini = fx_teardown)
{
	char paths[WL_RND_FILES][PATH_MAX], log[PATH_MAX], seed_s[32], what[4 * PATH_MAX];
	const char *env = getenv("IOTRACE_E2E_SEED");
	unsigned long long seed =
		env ? strtoull(env, NULL, 0)
		    : (unsigned long long)time(NULL) ^ (unsigned long long)getpid();
	const char *argv[] = { E2E_IOTRACE,
			       "-q",
			       "-o",
			       NULL,
			       "--",
			       "strace",
			       "-f",
			       "-qq",
			       "-y",
			       "-s",
			       "0",
			       "-e",
			       "trace=read,readv,pread64,preadv,preadv2,write,writev,pwrite64,"
			       "pwritev,pwritev2,sendfile,fsync,fdatasync,close",
			       "-o",
			       log,
			       "--",
			       E2E_WORKLOAD,
			       NULL,
			       "random",
			       NULL };
	struct st_file sf[WL_RND_FILES];
	const struct jval *files;
	struct e2e_proc p;
	char *text;
	size_t len;

	fx_setup("/tmp");
	if (access("/usr/bin/strace", X_OK) && access("/bin/strace", X_OK))
		cr_skip_test("strace is not installed");
	memset(sf, 0, sizeof(sf));
	for (int f = 0; f < WL_RND_FILES; f++) {
		char name[32];

		snprintf(name, sizeof(name), WL_RND_FILE, f);
		snprintf(paths[f], sizeof(paths[f]), "%s", fx_path(name));
		cr_assert_eq(e2e_make_file(paths[f], WL_RND_SZ, 'r'), 0);
	}
	snprintf(log, sizeof(log), "%s", fx_path("strace.log"));
	snprintf(fx_trace.out, sizeof(fx_trace.out), "%s", fx_path("out.json"));
	argv[3] = fx_trace.out;
	argv[17] = fx_dir;
	snprintf(seed_s, sizeof(seed_s), "%llu", seed);
	setenv("WL_SEED", seed_s, 1);
	cr_assert_eq(e2e_run((char *const *)argv, 120, &p), 0);
	cr_assert_eq(p.status, 0, "seed %llu: iotrace -- strace -- workload: exit %d: %s", seed,
		     p.status, p.err);
	e2e_proc_free(&p);
	trace_validate(&fx_trace);
	cr_assert_eq(e2e_read_file(log, &text, &len), 0);
	parse_log(text, paths, sf);
	free(text);

	files = jval_get(fx_trace.doc, "files");
	for (int f = 0; f < WL_RND_FILES; f++) {
		const struct jval *rec = NULL, *scs;
		static const char *const side_key[] = { "read", "write", "fsync" };

		for (size_t r = 0; r < jval_len(files); r++)
			if (jval_str_eq(jval_get(jval_idx(files, r), "path"), paths[f]))
				rec = jval_idx(files, r);
		cr_assert_not_null(rec, "seed %llu: no record for %s", seed, paths[f]);
		scs = jval_get(rec, "syscalls");
		for (size_t sc = 0; sc < NSC; sc++) {
			const struct jval *o = jval_get(scs, names[sc]);

			snprintf(what, sizeof(what), "%s: syscalls.%s", paths[f], names[sc]);
			if (!sf[f].sc[sc].calls) {
				cr_expect_null(o, "seed %llu: %s present, strace saw no call", seed,
					       what);
				continue;
			}
			cr_expect_not_null(o, "seed %llu: %s missing, strace saw %llu calls", seed,
					   what, sf[f].sc[sc].calls);
			expect_cnt(o, what, &sf[f].sc[sc], kind_of(sc) <= K_WRITE, seed);
		}
		for (int s = 0; s < 3; s++) {
			const struct jval *o = jval_get(rec, side_key[s]);

			snprintf(what, sizeof(what), "%s: %s", paths[f], side_key[s]);
			if (!sf[f].side[s].calls) {
				cr_expect(jval_is_null(o), "seed %llu: %s: want null", seed, what);
				continue;
			}
			expect_cnt(o, what, &sf[f].side[s], s < 2, seed);
		}
	}
}
