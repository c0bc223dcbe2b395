// SPDX-License-Identifier: GPL-2.0
/*
 * Open options belong to one object: two objects opened with different
 * print callbacks and tracefs directories each keep their own, and the
 * options' size field lets older and newer callers in while refusing a
 * field this loader does not know.  No kernel needed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ltest.h"

struct inbox {
	char text[4096];
	size_t len;
	int calls;
};

static void to_inbox(enum loader_level level, const char *msg, void *ctx)
{
	struct inbox *in = ctx;
	int n;

	if (level == LOADER_DEBUG)
		return;
	in->calls++;
	n = snprintf(in->text + in->len, sizeof(in->text) - in->len, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof(in->text) - in->len)
		in->len += (size_t)n;
}

static struct obj *open_mini(const char *name, const struct obj_open_opts *opts)
{
	struct mini m;
	struct obj_src src;
	struct obj *o;

	mini_init(&m, 4);
	src = mini_build(&m, name);
	cr_assert_eq(obj__open_mem(&o, &src, 1, opts), 0);
	return o;
}

Test(opts, each_object_prints_to_its_own_callback)
{
	struct inbox a = { 0 }, b = { 0 }, c = { 0 };
	struct obj_open_opts oa = { .sz = sizeof(oa), .print = to_inbox, .print_ctx = &a };
	struct obj_open_opts ob = { .sz = sizeof(ob), .print = to_inbox, .print_ctx = &b };
	struct obj_open_opts oc = { .sz = sizeof(oc), .print = to_inbox, .print_ctx = &c };
	struct obj_src junk = { "junk.o",
				"not an object, but long enough to be checked: 64 bytes....", 64 };
	struct obj *x = open_mini("a.o", &oa), *y = open_mini("b.o", &ob), *z;
	uint32_t v = 1;

	cr_assert_eq(obj__set_max_entries(x, "only_in_a", 8), -ENOENT);
	cr_assert_eq(obj__set_global(y, "only_in_b", &v, sizeof(v)), -ENOENT);
	cr_assert_eq(obj__open_mem(&z, &junk, 1, &oc), -EINVAL);
	cr_assert_str_eq(a.text, "map 'only_in_a': no such map\n");
	cr_assert_str_eq(b.text,
			 "global 'only_in_b': no object defines it in .rodata, .data or .bss\n");
	cr_assert_str_eq(c.text, "junk.o: not an ELF file\n");
	cr_assert_eq(a.calls + b.calls + c.calls, 3);
	obj__close(x);
	obj__close(y);
}

/* tp.o: the minimal object with its program in "tp/syscalls/sys_enter_getppid" */
static struct obj *open_tp(const struct obj_open_opts *opts)
{
	struct mini m;
	struct obj_src src;
	struct obj *o;

	mini_init(&m, 4);
	mini_build(&m, "tp.o");
	m.eb.secs[MINI_PROG].name = "tp/syscalls/sys_enter_getppid";
	m.eb.cnt--; /* drop the .shstrtab mini_build added */
	src.name = "tp.o";
	src.data = eb_build(&m.eb, &src.size);
	cr_assert_eq(obj__open_mem(&o, &src, 1, opts), 0, "%s", cap_text());
	return o;
}

/* a directory that looks like tracefs: events/syscalls/sys_enter_getppid/id = id */
static void fake_tracefs(char *dir, const char *id)
{
	char path[256];
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	strcat(path, "/syscalls");
	cr_assert_eq(mkdir(path, 0755), 0);
	strcat(path, "/sys_enter_getppid");
	cr_assert_eq(mkdir(path, 0755), 0);
	strcat(path, "/id");
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(id, f);
	fclose(f);
}

static void drop_fake_tracefs(const char *dir)
{
	static const char *const parts[] = { "/events/syscalls/sys_enter_getppid/id",
					     "/events/syscalls/sys_enter_getppid",
					     "/events/syscalls", "/events", "" };
	char path[256];

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, parts[i]);
		remove(path);
	}
}

/* the event id of its one program, as attaching looks it up */
static int id_of(struct obj *o, uint64_t *id)
{
	struct prog *p = obj__prog(o, 0);

	return tracepoint_ids(o, &p, 1, id);
}

Test(opts, each_object_reads_its_own_tracefs)
{
	char one[] = "/tmp/loader-tracefs-1.XXXXXX", two[] = "/tmp/loader-tracefs-2.XXXXXX";
	char empty[] = "/tmp/loader-tracefs-3.XXXXXX";
	struct obj_open_opts o1 = { .sz = sizeof(o1), .tracefs = one };
	struct obj_open_opts o2 = { .sz = sizeof(o2), .tracefs = two };
	struct obj_open_opts o3 = *cap_opts();
	struct obj *x, *y, *z;
	uint64_t id = 0;

	fake_tracefs(one, "1111\n");
	fake_tracefs(two, "2222\n");
	cr_assert_not_null(mkdtemp(empty));
	o1.print = o2.print = cap_opts()->print;
	o3.tracefs = empty;
	cap_reset();
	x = open_tp(&o1);
	y = open_tp(&o2);
	z = open_tp(&o3);
	cr_assert_eq(id_of(x, &id), 0, "%s", cap_text());
	cr_assert_eq(id, 1111);
	cr_assert_eq(id_of(y, &id), 0, "%s", cap_text());
	cr_assert_eq(id, 2222);
	cr_assert_eq(id_of(z, &id), -ENOENT);
	cr_assert(strstr(cap_text(), "not a tracefs mount (no events directory)"), "%s",
		  cap_text());
	obj__close(x);
	obj__close(y);
	obj__close(z);
	drop_fake_tracefs(one);
	drop_fake_tracefs(two);
	rmdir(empty);
}

Test(opts, size_field_admits_older_and_newer_callers)
{
	struct {
		struct obj_open_opts known;
		uint64_t newer_field;
	} newer = { .known = { .sz = sizeof(newer) }, .newer_field = 0 };
	struct {
		size_t sz;
		loader_print_fn print;
	} older = { sizeof(older), cap_opts()->print };
	struct obj_open_opts bad = { .sz = 3 };
	char msg[128];
	struct mini m;
	struct obj_src src;
	struct obj *o;

	mini_init(&m, 4);
	src = mini_build(&m, "opts.o");
	cap_reset();
	cr_assert_eq(obj__open_mem(&o, &src, 1, (const void *)&older), 0);
	obj__close(o);
	newer.known.print = cap_opts()->print;
	cr_assert_eq(obj__open_mem(&o, &src, 1, &newer.known), 0, "unset newer fields are fine");
	obj__close(o);
	newer.newer_field = 1;
	cr_assert_eq(obj__open_mem(&o, &src, 1, &newer.known), -EINVAL);
	cr_assert_null(o);
	snprintf(msg, sizeof(msg), "obj: open options of %zu bytes set fields this loader lacks",
		 sizeof(newer));
	cr_assert(strstr(cap_text(), msg), "%s", cap_text());
	/* too small to be trusted with a callback: its message goes to stderr */
	cr_assert_eq(obj__open_mem(&o, &src, 1, &bad), -EINVAL);
}
