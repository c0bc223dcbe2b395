// SPDX-License-Identifier: GPL-2.0
/*
 * asm/filter.S in the kernel through tests/asm/filter.bpf.c.  filter_task
 * runs inside production's caller (bpf/filter.bpf.h) against pids/comms
 * maps filled from user space, and against in-place comm lists (all
 * targets, the first two, a count over COMM_LIST_MAX), for every mode
 * combination, target and non-target tgids and comms, and self-exclusion;
 * and alone, against the bitmap words and answers of its own contract;
 * filter_file against every file type and the KERNMOUNT flag.  References
 * are plain C over the same tables (and <sys/stat.h> for file types).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/mount.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "bpf_test.h"
#include "iotrace_abi.h"

/* ---- the targets, in user space and in the maps ---------------------- */

/* bits at both ends of the bitmap and of a word; 65 shares word 1 with 64 */
static const uint32_t target_pids[] = { 100, PID_LIMIT - 1, 0, 64, 63 };
static const char *const target_comms[] = { "cat", "dd", "fifteen-chars-x", "" };

static bool pid_is_target(uint32_t tgid)
{
	size_t i;

	for (i = 0; i < sizeof(target_pids) / sizeof(target_pids[0]); i++)
		if (target_pids[i] == tgid && tgid < PID_LIMIT)
			return true;
	return false;
}

static bool comm_is_target(const char comm[COMM_LEN])
{
	char padded[COMM_LEN];
	size_t i;

	for (i = 0; i < sizeof(target_comms) / sizeof(target_comms[0]); i++) {
		memset(padded, 0, sizeof(padded));
		strncpy(padded, target_comms[i], sizeof(padded) - 1);
		if (!memcmp(padded, comm, COMM_LEN))
			return true;
	}
	return false;
}

/*
 * The comm list filter_task is given (struct comm_list): LIST_HASH has cnt 0
 * (the comms hash holds the targets); the others hold target_comms in order,
 * LIST_FIRST2 counting only the first 2, LIST_OVER a cnt above COMM_LIST_MAX.
 */
enum list_state { LIST_HASH, LIST_ALL, LIST_FIRST2, LIST_OVER, LIST_STATES };
static const uint32_t list_cnt[LIST_STATES] = { 0, 4, 2, COMM_LIST_MAX + 1 };

static bool comm_in_list(const char comm[COMM_LEN], enum list_state list)
{
	char padded[COMM_LEN];

	if (list_cnt[list] > COMM_LIST_MAX)
		return false;
	for (uint32_t i = 0; i < list_cnt[list]; i++) {
		memset(padded, 0, sizeof(padded));
		strncpy(padded, target_comms[i], sizeof(padded) - 1);
		if (!memcmp(padded, comm, COMM_LEN))
			return true;
	}
	return false;
}

static bool ref_filter_task(uint32_t tgid, const char comm[COMM_LEN], uint32_t self, uint32_t mode,
			    enum list_state list)
{
	if (tgid == self)
		return false;
	if (mode & FILTER_ALL)
		return true;
	if ((mode & FILTER_PIDS) && pid_is_target(tgid))
		return true;
	if (!(mode & FILTER_COMMS))
		return false;
	return list == LIST_HASH ? comm_is_target(comm) : comm_in_list(comm, list);
}

/* ---- vectors ---------------------------------------------------------- */

struct task_vec {
	uint64_t tgid; /* as the harness passes it: high bits must be ignored */
	uint64_t self;
	uint64_t mode;
	char comm[COMM_LEN];
	enum list_state list;
};

#define TASK_VEC_CAP ((4 * 4 * 4 * 8 + 48) * LIST_STATES)

static void add_task(struct task_vec *v, size_t *n, uint64_t tgid, const char *comm, uint64_t self,
		     uint64_t mode)
{
	struct task_vec *t = &v[(*n)++];

	memset(t, 0, sizeof(*t));
	t->tgid = tgid;
	t->self = self;
	t->mode = mode;
	t->list = LIST_HASH;
	memcpy(t->comm, comm, strnlen(comm, COMM_LEN));
}

static size_t fill_task_vectors(struct task_vec *v)
{
	static const uint64_t tgids[] = { 100, 300, UINT32_MAX, 0 };
	static const char *const comms[] = { "cat", "vim", "", "fifteen-chars-x" };
	static const uint64_t selfs[] = { 100, 300, 0, 999 };
	size_t n = 0, t, c, s;
	uint64_t mode;

	/* every combination: 4 tgids x 4 comms x 4 selfs x 8 modes */
	static const uint32_t edges[] = { 62,
					  63,
					  64,
					  65,
					  127,
					  128,
					  PID_LIMIT - 2,
					  PID_LIMIT - 1,
					  PID_LIMIT,
					  PID_LIMIT + 63,
					  PID_LIMIT + 64 };

	for (t = 0; t < 4; t++)
		for (c = 0; c < 4; c++)
			for (s = 0; s < 4; s++)
				for (mode = 0; mode < 8; mode++)
					add_task(v, &n, tgids[t], comms[c], selfs[s], mode);
	/* high halves of the u32 arguments are not part of the value */
	add_task(v, &n, 0xdead00000064ULL, "vim", 300, FILTER_PIDS);	 /* tgid 100 */
	add_task(v, &n, 0xdead00000064ULL, "vim", 0xbeef00000064ULL, 7); /* self 100 */
	add_task(v, &n, 300, "vim", 0x100000000ULL | 300, FILTER_ALL);	 /* self 300 */
	add_task(v, &n, 0x100000000ULL, "vim", 999, FILTER_PIDS);	 /* tgid 0 */
	add_task(v, &n, 300, "vim", 999, 0x100000000ULL | FILTER_ALL);
	add_task(v, &n, 300, "cat", 999, 0xfffffff8ULL); /* no known bit */
	/* comm keys are all 16 bytes: a prefix or a longer name is no match */
	add_task(v, &n, 300, "ca", 999, FILTER_COMMS);
	add_task(v, &n, 300, "cats", 999, FILTER_COMMS);
	add_task(v, &n, 300, "fifteen-chars-", 999, FILTER_COMMS);
	add_task(v, &n, 300, "fifteen-chars-xy", 999, FILTER_COMMS); /* 16, no NUL */
	/* the bitmap's word and end boundaries; past PID_LIMIT nothing is a pid */
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		add_task(v, &n, edges[i], "x", 999, FILTER_PIDS);
	/* all of it again with each in-place comm list */
	for (size_t base = n, l = LIST_ALL; l < LIST_STATES; l++)
		for (size_t i = 0; i < base; i++) {
			v[n] = v[i];
			v[n++].list = (enum list_state)l;
		}
	return n;
}

/* ---- harness ---------------------------------------------------------- */

static struct test_obj to;

/* set or clear tgid's bit in the pids bitmap, as iotrace does from user space */
static void set_pid_bit(int pids, uint32_t tgid, bool on)
{
	uint32_t key = tgid >> PID_WORD_SHIFT;
	uint64_t word;

	cr_assert_eq(test_map_lookup(pids, &key, &word), 0);
	word = on ? word | PID_BIT(tgid) : word & ~PID_BIT(tgid);
	cr_assert_eq(test_map_update(pids, &key, &word, 0), 0);
}

static void fill_maps(void)
{
	int pids = test_map_fd(&to, "pids"), comms = test_map_fd(&to, "comms");
	char key[COMM_LEN];
	uint32_t one = 1;
	size_t i;

	cr_assert_geq(pids, 0);
	cr_assert_geq(comms, 0);
	for (i = 0; i < sizeof(target_pids) / sizeof(target_pids[0]); i++)
		set_pid_bit(pids, target_pids[i], true);
	for (i = 0; i < sizeof(target_comms) / sizeof(target_comms[0]); i++) {
		memset(key, 0, sizeof(key));
		strncpy(key, target_comms[i], sizeof(key) - 1);
		cr_assert_eq(test_map_update(comms, key, &one, 0), 0);
	}
}

static void load(void)
{
	static const char *const files[] = { "tests/asm/filter.bpf.o", "asm/filter.o" };

	require_bpf();
	cr_assert_eq(test_obj_load(&to, files, 2, NULL), 0, "load failed:\n%s",
		     test_loader_messages());
	fill_maps();
}

static void unload(void)
{
	test_obj_close(&to);
}

static uint64_t run(const char *prog, const uint64_t *args, size_t cnt)
{
	int results = test_map_fd(&to, "results");
	uint64_t res = UINT64_MAX;
	uint32_t key = 0, retval = 1;

	cr_assert_eq(test_map_update(results, &key, &res, 0), 0);
	cr_assert_eq(test_run_args(&to, prog, args, cnt, &retval), 0);
	cr_assert_eq(retval, 0, "%s returned %u", prog, retval);
	cr_assert_eq(test_map_lookup(results, &key, &res), 0);
	return res;
}

/* the harness's comm_targets global for list state l */
static void set_list(enum list_state l)
{
	struct comm_list list = { .cnt = list_cnt[l] };

	for (size_t i = 0; l != LIST_HASH && i < sizeof(target_comms) / sizeof(target_comms[0]);
	     i++)
		memcpy(list.names[i], target_comms[i], strnlen(target_comms[i], COMM_LEN - 1));
	cr_assert_eq(obj__set_global(to.obj, "comm_targets", &list, sizeof(list)), 0, "%s",
		     test_loader_messages());
}

static uint64_t run_filter_task(const struct task_vec *v)
{
	uint64_t args[5] = { v->tgid, v->self, v->mode, 0, 0 };

	set_list(v->list);
	memcpy(&args[3], v->comm, COMM_LEN);
	return run("harness_filter_task", args, 5);
}

ParameterizedTestParameters(filter, task_matches_reference)
{
	static struct task_vec vec[TASK_VEC_CAP];
	size_t n = fill_task_vectors(vec);

	return cr_make_param_array(struct task_vec, vec, n);
}

ParameterizedTest(struct task_vec *v, filter, task_matches_reference, .init = load, .fini = unload)
{
	uint64_t got = run_filter_task(v);
	bool want = ref_filter_task(v->tgid, v->comm, v->self, v->mode, v->list);

	cr_assert_eq(
		got, want,
		"filter_task(tgid %#llx, comm \"%.16s\", self %#llx, mode %#llx, list cnt %u) = %llu",
		(unsigned long long)v->tgid, v->comm, (unsigned long long)v->self,
		(unsigned long long)v->mode, list_cnt[v->list], (unsigned long long)got);
}

/*
 * The asm alone (harness_filter_task_raw): filter_task sees the bitmap word
 * its caller read and answers FILTER_TASK_ASK where the caller has to look
 * in the comms hash.  Its reference, over the same comm lists.
 */
static uint64_t ref_filter_task_raw(uint64_t ids, uint64_t word, const char comm[COMM_LEN],
				    uint64_t mode, enum list_state list)
{
	uint32_t tgid = (uint32_t)ids, self = (uint32_t)(ids >> 32);

	if (tgid == self)
		return FILTER_TASK_NO;
	if (mode & FILTER_ALL)
		return FILTER_TASK_YES;
	if ((mode & FILTER_PIDS) && (word >> (tgid & 63) & 1))
		return FILTER_TASK_YES;
	if (!(mode & FILTER_COMMS))
		return FILTER_TASK_NO;
	if (list == LIST_HASH)
		return FILTER_TASK_ASK;
	return comm_in_list(comm, list) ? FILTER_TASK_YES : FILTER_TASK_NO;
}

Test(filter, task_raw_matches_reference, .init = load, .fini = unload)
{
	static const uint64_t ids[] = {
		100, 999ULL << 32 | 100, 100ULL << 32 | 100, 999ULL << 32 | 63, 999ULL << 32 | 64, 0
	};
	static const uint64_t words[] = { 0,	      PID_BIT(100), PID_BIT(63),
					  PID_BIT(0), UINT64_MAX,   ~PID_BIT(100) };
	static const uint64_t modes[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 0xfffffff8ULL, 0x100000000ULL | FILTER_COMMS
	};
	static const char *const comms[] = { "cat", "dd", "vim", "", "fifteen-chars-x" };
	for (int l = 0; l < LIST_STATES; l++) {
		set_list((enum list_state)l);
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
				for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
					for (size_t c = 0; c < sizeof(comms) / sizeof(comms[0]);
					     c++) {
						char comm[COMM_LEN] = { 0 };
						uint64_t args[5] = { ids[i], words[w], modes[m] },
							 got, want;

						strncpy(comm, comms[c], COMM_LEN - 1);
						memcpy(&args[3], comm, COMM_LEN);
						got = run("harness_filter_task_raw", args, 5);
						want = ref_filter_task_raw(ids[i], words[w], comm,
									   modes[m],
									   (enum list_state)l);
						cr_assert_eq(
							got, want,
							"filter_task(ids %#llx, word %#llx, comm \"%s\", mode %#llx, list cnt %u) = %llu, want %llu",
							(unsigned long long)ids[i],
							(unsigned long long)words[w], comms[c],
							(unsigned long long)modes[m], list_cnt[l],
							(unsigned long long)got,
							(unsigned long long)want);
					}
	}
}

/* The maps are read at run time: removing a target stops tracing it. */
Test(filter, task_follows_map_contents, .init = load, .fini = unload)
{
	struct task_vec v = { .tgid = 100, .self = 999, .mode = FILTER_PIDS | FILTER_COMMS };
	char cat[COMM_LEN] = "cat";

	memcpy(v.comm, cat, COMM_LEN);
	cr_assert_eq(run_filter_task(&v), 1);
	set_pid_bit(test_map_fd(&to, "pids"), 100, false);
	v.mode = FILTER_PIDS;
	cr_assert_eq(run_filter_task(&v), 0, "bit 100 cleared");
	v.tgid = 101; /* its neighbour in the word was never set */
	cr_assert_eq(run_filter_task(&v), 0);
	v.tgid = 64;
	cr_assert_eq(run_filter_task(&v), 1, "another bit of the word stays set");
	v.tgid = 100;
	v.mode = FILTER_PIDS | FILTER_COMMS;
	cr_assert_eq(run_filter_task(&v), 1, "comm still matches");
	cr_assert_eq(test_map_delete(test_map_fd(&to, "comms"), cat), 0);
	cr_assert_eq(run_filter_task(&v), 0, "nothing matches any more");
}

/* ---- filter_file ------------------------------------------------------ */

struct file_vec {
	uint64_t i_mode;
	uint64_t s_flags;
};

#define FILE_VEC_CAP 128

static size_t fill_file_vectors(struct file_vec *v)
{
	static const uint64_t types[] = { S_IFREG, S_IFDIR,  S_IFCHR, S_IFBLK, S_IFIFO,
					  S_IFLNK, S_IFSOCK, 0,	      S_IFMT };
	static const uint64_t perms[] = { 0644, 07777 };
	static const uint64_t flags[] = { 0,
					  MS_KERNMOUNT,
					  MS_RDONLY,
					  MS_KERNMOUNT | MS_RDONLY,
					  ~(uint64_t)MS_KERNMOUNT,
					  UINT64_MAX };
	size_t n = 0, t, p, f;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (p = 0; p < 2; p++)
			for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
				v[n++] = (struct file_vec){ types[t] | perms[p], flags[f] };
	/* i_mode is a u32 passed in a u64: the high half is not part of it */
	v[n++] = (struct file_vec){ 0xffff0000ULL | S_IFREG, 0 };
	v[n++] = (struct file_vec){ 0xdead00000000ULL | S_IFREG | 0644, 0 };
	v[n++] = (struct file_vec){ 0xdead00000000ULL | S_IFDIR, 0 };
	return n;
}

ParameterizedTestParameters(filter, file_matches_reference)
{
	static struct file_vec vec[FILE_VEC_CAP];
	size_t n = fill_file_vectors(vec);

	return cr_make_param_array(struct file_vec, vec, n);
}

ParameterizedTest(struct file_vec *v, filter, file_matches_reference, .init = load, .fini = unload)
{
	uint64_t args[2] = { v->i_mode, v->s_flags };
	uint64_t got = run("harness_filter_file", args, 2);
	bool want = S_ISREG((uint32_t)v->i_mode) && !(v->s_flags & MS_KERNMOUNT);

	cr_assert_eq(got, want, "filter_file(i_mode %#llo, s_flags %#llx) = %llu",
		     (unsigned long long)v->i_mode, (unsigned long long)v->s_flags,
		     (unsigned long long)got);
}
