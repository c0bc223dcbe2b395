// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier contracts of the asm routines.  Each harness tests/asm/contract_*
 * .bpf.c says beside its code what the verifier must make of it
 * (EXPECT_LOADS, EXPECT_LOG, EXPECT_REJECT in harness.bpf.h): one that
 * relies on a routine's bound must load, one that breaks a precondition must
 * be refused with the named message.  This file reads those records back
 * from each built object and checks them; it knows no harness by name but
 * for the two that also run, where every value must land in its bucket.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

#define MAX_EXPECT 16

struct expect {
	char kind[8];	/* with, loads, log, reject */
	char prog[64];	/* the program (with: "-") */
	char text[128]; /* with: the object to link; log, reject: the substring */
};

struct contract {
	char obj[128]; /* below OUT_DIR */
	struct expect e[MAX_EXPECT];
	size_t cnt;
};

static struct test_obj to;

static void unload(void)
{
	test_obj_close(&to);
}

/* the records of the object's .expect section: "KIND\0PROG\0TEXT\0" each */
static int read_expectations(struct contract *c)
{
	char path[512];
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int fd, err = -ENOENT;

	snprintf(path, sizeof(path), "%s/%s", OUT_DIR, c->obj);
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name, *p, *end;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".expect") || !(d = elf_getdata(scn, NULL)))
			continue;
		p = d->d_buf;
		end = p + d->d_size;
		for (err = 0; p < end && !err; c->cnt++) {
			struct expect *e = &c->e[c->cnt];
			char *dst[3] = { e->kind, e->prog, e->text };
			size_t sz[3] = { sizeof(e->kind), sizeof(e->prog), sizeof(e->text) };

			if (c->cnt == MAX_EXPECT)
				err = -E2BIG;
			for (int i = 0; i < 3 && !err; i++) {
				size_t n = strnlen(p, (size_t)(end - p));

				if (n >= sz[i] || p + n == end)
					err = -EINVAL;
				else
					memcpy(dst[i], p, n + 1);
				p += n + 1;
			}
		}
	}
out:
	elf_end(elf);
	close(fd);
	return err;
}

static bool has_kind(const struct contract *c, const char *kind)
{
	for (size_t i = 0; i < c->cnt; i++)
		if (!strcmp(c->e[i].kind, kind))
			return true;
	return false;
}

/*
 * text in the log: "A ... B" means A, then B later on the same line (an
 * instruction and the register state the verifier prints after it)
 */
static bool log_has(const char *log, const char *text)
{
	char parts[4][128];
	size_t n = 0;

	for (const char *p = text; n < 4;) {
		const char *sep = strstr(p, " ... ");
		size_t len = sep ? (size_t)(sep - p) : strlen(p);

		snprintf(parts[n++], sizeof(parts[0]), "%.*s", (int)len, p);
		if (!sep)
			break;
		p = sep + 5;
	}
	for (const char *line = log; line && *line;) {
		const char *eol = strchr(line, '\n'), *at = line;
		size_t i;

		for (i = 0; i < n; i++) {
			at = strstr(at, parts[i]);
			if (!at || (eol && at > eol))
				break;
			at += strlen(parts[i]);
		}
		if (i == n)
			return true;
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

static void check_loaded(const struct contract *c)
{
	for (size_t i = 0; i < c->cnt; i++) {
		const struct expect *e = &c->e[i];
		const struct prog *p = obj__find_prog(to.obj, e->prog);
		const char *log = p ? prog__log(p) : NULL;

		if (!strcmp(e->kind, "loads"))
			cr_expect_not_null(p, "%s: no program %s", c->obj, e->prog);
		if (strcmp(e->kind, "log"))
			continue;
		cr_assert_not_null(log, "%s: %s has no level-2 log", c->obj, e->prog);
		cr_expect(log_has(log, e->text), "%s: \"%s\" not in %s's level-2 log", c->obj,
			  e->text, e->prog);
	}
}

static void check_contract(const struct contract *c)
{
	const char *files[1 + MAX_EXPECT] = { c->obj };
	struct obj_load_opts opts = { .sz = sizeof(opts), .log_level = 2 };
	bool reject = has_kind(c, "reject");
	size_t n = 1;
	int err;

	for (size_t i = 0; i < c->cnt; i++)
		if (!strcmp(c->e[i].kind, "with"))
			files[n++] = c->e[i].text;
	err = test_obj_load(&to, files, n, reject ? NULL : &opts);
	if (!reject) {
		cr_assert_eq(err, 0, "%s rejected:\n%s", c->obj, test_loader_messages());
		check_loaded(c);
		return;
	}
	cr_assert_neq(err, 0, "%s loaded, but it breaks an asm precondition", c->obj);
	for (size_t i = 0; i < c->cnt; i++)
		if (!strcmp(c->e[i].kind, "reject"))
			cr_expect_not_null(strstr(test_loader_messages(), c->e[i].text),
					   "%s rejected (%d), but not with \"%s\":\n%s", c->obj,
					   err, c->e[i].text, test_loader_messages());
}

ParameterizedTestParameters(contract, every_harness_meets_the_expectations_beside_it)
{
	static char names[32][128];
	glob_t g;
	size_t n = 0, skip = strlen(OUT_DIR) + 1;

	if (glob(OUT_DIR "/tests/asm/contract_*.bpf.o", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && n < 32; i++)
			snprintf(names[n++], sizeof(names[0]), "%s", g.gl_pathv[i] + skip);
		globfree(&g);
	}
	return cr_make_param_array(char[128], names, n);
}

ParameterizedTest(char (*obj)[128], contract, every_harness_meets_the_expectations_beside_it,
		  .fini = unload)
{
	struct contract c = { 0 };
	int err;

	require_bpf();
	snprintf(c.obj, sizeof(c.obj), "%s", *obj);
	err = read_expectations(&c);
	cr_assert_eq(err, 0, "%s: no readable .expect section (%s)", c.obj, strerror(-err));
	cr_assert(has_kind(&c, "loads") || has_kind(&c, "reject"),
		  "%s expects neither a load nor a rejection", c.obj);
	check_contract(&c);
}

/* the contract harnesses that load also run: each value in its bucket */
static void run_values(const char *obj, const char *asm_obj, const char *prog, const char *map,
		       const uint64_t *values, size_t cnt, uint64_t *hist, size_t buckets)
{
	const char *files[] = { obj, asm_obj };
	uint32_t key = 0, retval;

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, NULL), 0, "rejected:\n%s",
		     test_loader_messages());
	for (size_t i = 0; i < cnt; i++)
		cr_assert_eq(test_run_args(&to, prog, &values[i], 1, &retval), 0);
	memset(hist, 0, buckets * sizeof(*hist));
	cr_assert_eq(test_map_lookup(test_map_fd(&to, map), &key, hist), 0);
}

Test(contract, hist_bucket_result_indexes_histogram_unchecked, .fini = unload)
{
	static const uint64_t values[] = { 0, 1, 4096, 1ULL << 62, UINT64_MAX };
	uint64_t hist[HIST_BUCKETS], res;
	uint32_t key = 0;

	run_values("tests/asm/contract_hist.bpf.o", "asm/hist.o", "contract_hist_index", "hists",
		   values, 5, hist, HIST_BUCKETS);
	cr_expect_eq(hist[0], 1);
	cr_expect_eq(hist[1], 1);
	cr_expect_eq(hist[13], 1);
	cr_expect_eq(hist[HIST_LAST], 2, "2^62 and UINT64_MAX share the last bucket");
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	cr_expect_eq(res, HIST_LAST);
}

Test(contract, lat_bucket_result_indexes_histogram_unchecked, .fini = unload)
{
	static const uint64_t values[] = { 0, 9, 1024, 7ULL << 38, UINT64_MAX };
	uint64_t lat[LAT_BUCKETS], res;
	uint32_t key = 0;

	run_values("tests/asm/contract_lat.bpf.o", "asm/hist.o", "contract_lat_index", "lats",
		   values, 5, lat, LAT_BUCKETS);
	cr_expect_eq(lat[0], 1);
	cr_expect_eq(lat[8], 1);
	cr_expect_eq(lat[36], 1);
	cr_expect_eq(lat[LAT_LAST], 2, "7 << 38 and UINT64_MAX share the last bucket");
	cr_assert_eq(test_map_lookup(test_map_fd(&to, "results"), &key, &res), 0);
	cr_expect_eq(res, LAT_LAST);
}
