// SPDX-License-Identifier: GPL-2.0
/*
 * Loader against the running kernel: load and test-run the linked fixtures,
 * a rejected program's report, CO-RE against /sys/kernel/btf/vmlinux (the
 * expectation comes from ref_field, an independent BTF walk), logs and
 * attach.  Skips without bpf(2); fails instead under CI / IOTRACE_REQUIRE_BPF.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bpf_test.h"
#include "internal.h"
#include "ltest.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static struct obj *load_srcs(struct obj_src *srcs, size_t cnt, const struct obj_load_opts *opts,
			     int want)
{
	struct obj *o;
	int err;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, cnt, cap_opts()), 0, "%s", cap_text());
	err = obj__load(o, opts);
	cr_assert_eq(err, want, "load: %d (%s), messages: %s", err, strerror(-err), cap_text());
	return o;
}

static struct obj *load_link(uint32_t bias)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	struct obj *o;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(obj__set_global(o, "bias", &bias, sizeof(bias)), 0);
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	return o;
}

static uint32_t run(struct obj *o, const char *prog, uint64_t a0, uint64_t a1)
{
	uint64_t args[2] = { a0, a1 };
	uint32_t ret = 0;

	cr_assert_eq(prog__test_run(obj__find_prog(o, prog), args, sizeof(args), &ret), 0, "%s",
		     cap_text());
	return ret;
}

static uint64_t map_u64(struct obj *o, const char *map)
{
	uint32_t key = 0;
	uint64_t v = 0;

	cr_assert_eq(map__lookup_elem(obj__find_map(o, map), &key, &v), 0);
	return v;
}

Test(load, linked_c_and_asm_program_runs)
{
	struct obj *o;

	require_bpf();
	o = load_link(7);
	/* c_twice(1) + asm_inc(c_back(1) + 2) + bias = 2 + 104 + 7 */
	cr_assert_eq(run(o, "link_prog", 1, 2), 113);
	cr_assert_eq(run(o, "link_prog", 10, 0), 20 + 111 + 7);
	cr_assert_eq(map_u64(o, "counts"), 2, "map update in the program");
	cr_assert_eq(map_u64(o, "link_c.bss"), 2, ".bss counter");
	obj__close(o);
}

Test(load, rodata_is_frozen_after_load)
{
	uint32_t key = 0, v = 1;
	uint64_t v64 = 1;
	struct obj *o;

	require_bpf();
	o = load_link(0);
	cr_assert_eq(map__update_elem(obj__find_map(o, "link_c.rodata"), &key, &v, 0), -EPERM);
	cr_assert_eq(map__update_elem(obj__find_map(o, "link_c.bss"), &key, &v64, 0), 0,
		     ".bss stays writable");
	obj__close(o);
}

Test(load, set_global_after_load_updates_bss_and_refuses_rodata)
{
	uint64_t calls = 40;
	uint32_t bias = 1;
	struct obj *o;

	require_bpf();
	o = load_link(0);
	cr_assert_eq(obj__set_global(o, "calls", &calls, sizeof(calls)), 0, "%s", cap_text());
	cr_assert_eq(map_u64(o, "link_c.bss"), 40, "the kernel's .bss holds the new value");
	run(o, "link_prog", 1, 2);
	cr_assert_eq(map_u64(o, "link_c.bss"), 41, "the program counts on from it");
	cap_reset();
	cr_assert_eq(obj__set_global(o, "bias", &bias, sizeof(bias)), -EPERM);
	cr_assert(strstr(cap_text(), "global 'bias': read-only"), "%s", cap_text());
	obj__close(o);
}

Test(load, rejected_program_reports_error_and_log_tail)
{
	struct mini m;
	struct obj_src src;
	struct obj *o;

	require_bpf();
	mini_init(&m, 4);
	m.insns[2] = 0x01b7; /* r1 = 0: r0 is never set */
	src = mini_build(&m, "bad.o");
	o = load_srcs(&src, 1, NULL, -EACCES);
	cr_assert(strstr(cap_text(), "prog 'mini': kernel rejected program: Permission denied\n"),
		  "%s", cap_text());
	cr_assert(strstr(cap_text(), "R0 !read_ok"), "%s", cap_text());
	cr_assert_not_null(prog__log(obj__find_prog(o, "mini")));
	obj__close(o);
}

Test(load, log_tail_skips_leading_bytes)
{
	char log[4096] = "";
	char *tail;
	int i;

	for (i = 0; i < 30; i++)
		sprintf(log + strlen(log), "line %02d\n", i);
	tail = log_tail(log, 20);
	cr_assert_str_eq(tail,
			 "... skipped 80 bytes ...\nline 10\nline 11\nline 12\nline 13\nline 14\n"
			 "line 15\nline 16\nline 17\nline 18\nline 19\nline 20\nline 21\n"
			 "line 22\nline 23\nline 24\nline 25\nline 26\nline 27\nline 28\nline 29");
	free(tail);
	tail = log_tail("a\nb\n", 20);
	cr_assert_str_eq(tail, "a\nb");
	free(tail);
}

static void ref_vmlinux(const char *root, const char *path, uint32_t *off, uint32_t *sz)
{
	size_t size;
	void *btf = read_all(VMLINUX, &size);

	if (!btf)
		cr_skip_test("no %s", VMLINUX);
	cr_assert_eq(ref_field(btf, size, root, path, off, sz), 0, "%s.%s", root, path);
	free(btf);
}

Test(load, core_programs_see_kernel_offsets)
{
	struct obj_src src = fixture("core_file.bpf.o");
	uint32_t off, sz;
	struct obj *o;

	require_bpf();
	ref_vmlinux("file", "f_path.dentry", &off, &sz);
	o = load_srcs(&src, 1, NULL, 0);
	cr_assert_eq(run(o, "core_dentry", 0, 0), off);
	ref_vmlinux("file", "f_pos", &off, &sz);
	cr_assert_eq(run(o, "core_pos_size", 0, 0), sz);
	cr_assert_eq(run(o, "core_exists", 0, 0), 10, "f_mode exists, f_iotrace_missing does not");
	obj__close(o);
}

Test(load, missing_core_field_is_named_when_rejected)
{
	struct obj_src src = fixture("core_missing.bpf.o");
	struct obj *o;

	require_bpf();
	o = load_srcs(&src, 1, NULL, -EINVAL);
	cr_assert(strstr(cap_text(), "prog 'core_missing': kernel rejected program"), "%s",
		  cap_text());
	cr_assert(
		strstr(cap_text(),
		       "prog 'core_missing': CO-RE field 'file.f_iotrace_missing' not found in kernel BTF"),
		"%s", cap_text());
	obj__close(o);
}

/*
 * Atomics beyond add: the loader asks the kernel, and a kernel without them
 * (played by forcing the answer) gets the feature symbol as 0 and the
 * cmpxchg poisoned; guarded, the program loads and takes the other branch.
 */
static struct obj *load_atomics(const char *fixture_name, int atomics, int want)
{
	struct obj_src src = fixture(fixture_name);
	struct obj *o;
	int err;

	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	o->atomics = atomics;
	err = obj__load(o, NULL);
	cr_assert_eq(err, want, "load: %d (%s), messages: %s", err, strerror(-err), cap_text());
	return o;
}

Test(load, atomics_feature_symbol_follows_the_kernel)
{
	struct obj *o;

	require_bpf();
	o = load_atomics("atomics.bpf.o", -1, 0);
	cr_assert_eq(o->atomics, 1, "this kernel (5.12+) takes cmpxchg; the probe said no");
	cr_assert_eq(run(o, "atomics_guarded", 0, 0), 7);
	cr_assert_eq(obj__find_prog(o, "atomics_guarded")->poison_cnt, 0);
	obj__close(o);

	o = load_atomics("atomics.bpf.o", 0, 0);
	cr_assert_eq(obj__find_prog(o, "atomics_guarded")->poison_cnt, 1);
	cr_assert_eq(run(o, "atomics_guarded", 0, 0), 1, "without atomics: the guarded branch");
	obj__close(o);
}

Test(load, unguarded_atomic_on_a_kernel_without_it_is_named)
{
	struct obj *o;

	require_bpf();
	o = load_atomics("atomics_bare.bpf.o", 0, -EINVAL);
	cr_assert(strstr(cap_text(),
			 "prog 'atomics_bare': atomic cmpxchg is not supported by this kernel "
			 "(5.12 and later) (poisoned insn 4)"),
		  "%s", cap_text());
	obj__close(o);
}

/* a callback needs program BTF and func_info, which the loader makes (funcinfo.c) */
Test(load, a_program_with_a_callback_loads_with_its_own_btf)
{
	struct obj_src src = fixture("callback.bpf.o");
	struct obj *o;

	require_bpf();
	if (loader_has_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, 181) != 1)
		cr_skip_test("no bpf_loop in this kernel (5.17+)");
	o = load_srcs(&src, 1, NULL, 0);
	cr_assert_eq(run(o, "callback_loop", 0, 0), 90);
	obj__close(o);
}

Test(load, helpers_are_told_apart_by_the_kernel)
{
	require_bpf();
	cr_expect_eq(loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, 5), 1, "bpf_ktime_get_ns");
	cr_expect_eq(loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, 100000), 0, "no such helper");
	/* bpf_skb_load_bytes exists, but not for tracepoints */
	cr_expect_eq(loader_has_helper(BPF_PROG_TYPE_SOCKET_FILTER, 26), 1);
	cr_expect_eq(loader_has_helper(BPF_PROG_TYPE_TRACEPOINT, 26), 0);
}

Test(load, a_program_not_autoloaded_is_left_out)
{
	struct obj_src src = fixture("atomics_bare.bpf.o");
	struct obj *o;

	require_bpf();
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, cap_opts()), 0, "%s", cap_text());
	o->atomics = 0; /* the program would be refused: it is not loaded at all */
	prog__set_autoload(obj__find_prog(o, "atomics_bare"), false);
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	cr_expect_eq(prog__fd(obj__find_prog(o, "atomics_bare")), -1);
	obj__close(o);
}

Test(load, a_deferred_program_loads_later_with_its_maps_relocated)
{
	struct obj_src srcs[2] = { fixture("link_c.bpf.o"), fixture("link_asm.o") };
	uint32_t bias = 7;
	struct prog *p;
	struct obj *o;

	require_bpf();
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, srcs, 2, cap_opts()), 0, "%s", cap_text());
	cr_assert_eq(obj__set_global(o, "bias", &bias, sizeof(bias)), 0);
	p = obj__find_prog(o, "link_prog");
	prog__set_deferred(p, true);
	cr_expect_eq(obj__load_deferred(o, NULL), -EINVAL, "before obj__load");
	cr_assert_eq(obj__load(o, NULL), 0, "%s", cap_text());
	cr_expect_eq(prog__fd(p), -1, "obj__load left it");
	cr_assert_eq(obj__load_deferred(o, NULL), 0, "%s", cap_text());
	cr_assert_geq(prog__fd(p), 0);
	/* as when loaded with the rest: linked, its map and .bss relocated */
	cr_assert_eq(run(o, "link_prog", 1, 2), 113);
	cr_assert_eq(map_u64(o, "counts"), 1, "map update in the program");
	cr_assert_eq(map_u64(o, "link_c.bss"), 1, ".bss counter");
	cr_assert_eq(obj__load_deferred(o, NULL), 0, "again: nothing left to load");
	obj__close(o);
}

Test(load, log_level_keeps_the_log_and_writes_log_dir)
{
	struct obj_src src = fixture("core_file.bpf.o");
	char dir[] = "/tmp/loader-logs.XXXXXX", path[512];
	struct obj_load_opts opts = { .sz = sizeof(opts), .log_level = 1 };
	struct stat st;
	struct obj *o;

	require_bpf();
	cr_assert_not_null(mkdtemp(dir));
	opts.log_dir = dir;
	o = load_srcs(&src, 1, &opts, 0);
	cr_assert(strstr(prog__log(obj__find_prog(o, "core_dentry")), "processed"), "%s",
		  prog__log(obj__find_prog(o, "core_dentry")));
	snprintf(path, sizeof(path), "%s/core_dentry.log", dir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_gt(st.st_size, 0);
	obj__close(o);
	unlink(path);
	snprintf(path, sizeof(path), "%s/core_pos_size.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/core_exists.log", dir);
	unlink(path);
	rmdir(dir);
}

Test(attach, raw_tracepoint_program_runs_on_syscalls)
{
	struct links *ls;
	struct obj *o;
	uint64_t before;

	require_bpf();
	o = load_link(0);
	cr_assert_eq(obj__attach(o, &ls), 0, "%s", cap_text());
	cr_assert_eq(links__cnt(ls), 1);
	cr_assert_geq(link__fd(links__link(ls, 0)), 0);
	before = map_u64(o, "link_c.bss");
	(void)getppid();
	cr_assert_gt(map_u64(o, "link_c.bss"), before, "sys_enter did not run the program");
	links__destroy(ls);
	before = map_u64(o, "link_c.bss");
	(void)getppid();
	cr_assert_eq(map_u64(o, "link_c.bss"), before, "still attached after detach");
	obj__close(o);
}

Test(attach, links_outlive_their_object)
{
	char path[64], target[64] = "";
	struct links *ls;
	struct obj *o;
	int fd;

	require_bpf();
	o = load_link(0);
	cr_assert_eq(obj__attach(o, &ls), 0, "%s", cap_text());
	obj__close(o);
	fd = link__fd(links__link(ls, 0));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cr_assert_gt(readlink(path, target, sizeof(target) - 1), 0, "fd %d closed with its object",
		     fd);
	cr_assert(strstr(target, "bpf_link"), "fd %d is %s", fd, target);
	links__destroy(ls);
	cr_assert_lt(readlink(path, target, sizeof(target) - 1), 0, "fd %d left open", fd);
}

Test(attach, tracepoint_program_attaches_through_perf_event)
{
	struct mini m;
	struct obj_src src;
	struct link *lk;
	struct obj *o;
	int err;

	require_bpf();
	mini_init(&m, 4);
	src = mini_build(&m, "tp.o");
	/* section "raw_tracepoint/t" -> "tp/syscalls/sys_enter_getppid" does not fit in
	 * place, so rebuild with the new name */
	m.eb.secs[MINI_PROG].name = "tp/syscalls/sys_enter_getppid";
	m.eb.cnt--;
	src.data = eb_build(&m.eb, &src.size);
	o = load_srcs(&src, 1, NULL, 0);
	err = prog__attach(obj__prog(o, 0), &lk);
	if (err == -EPERM || err == -ENODEV || err == -ENOENT)
		cr_skip_test("no tracefs here: %s", cap_text());
	cr_assert_eq(err, 0, "%s", cap_text());
	cr_assert_geq(link__fd(lk), 0);
	link__detach(lk);
	cr_assert_eq(link__fd(lk), -1);
	link__destroy(lk);
	obj__close(o);
}

/* A program that ran without competition was skipped 0 times; one never loaded has no count. */
Test(attach, missed_runs_of_a_program_that_ran_alone_are_zero)
{
	struct links *ls;
	struct obj *o;
	uint64_t missed = 1;
	int err;

	require_bpf();
	o = load_link(0);
	cr_assert_eq(obj__attach(o, &ls), 0, "%s", cap_text());
	(void)getppid();
	err = prog__missed_runs(obj__prog(o, 0), &missed);
	if (err == -EOPNOTSUPP)
		cr_skip_test("this kernel's program info has no recursion_misses (before 5.12)");
	cr_assert_eq(err, 0, "%s", strerror(-err));
	cr_expect_eq(missed, 0);
	links__destroy(ls);
	obj__close(o);
}
