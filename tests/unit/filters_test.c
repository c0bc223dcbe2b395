// SPDX-License-Identifier: GPL-2.0
/*
 * Trace-time filters in user space (src/record/filters.c): prefixes made
 * canonical, their encoding for the BPF side written out by hand as the
 * path walk writes a path (components leaf first, each NUL-ended), the
 * rules a file is judged by, and the refusals.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "record/record.h"

static char why[128];

static const char *canonical(const char *arg)
{
	static struct trace_filters f;

	filters_free(&f);
	cr_assert_eq(filters_add_prefix(&f, false, arg, why, sizeof(why)), 0, "%s: %s", arg, why);
	return f.paths[0];
}

Test(filters, prefixes_are_made_absolute_and_canonical)
{
	char cwd[PATH_MAX];

	cr_expect_str_eq(canonical("/nonexistent-iotrace//a/./b/../c/"),
			 "/nonexistent-iotrace/a/c");
	cr_expect_str_eq(canonical("/nonexistent-iotrace/../.."), "/");
	cr_expect_str_eq(canonical("/"), "/");
	cr_assert(getcwd(cwd, sizeof(cwd)));
	cr_expect_str_eq(canonical("."), cwd, "an existing relative path, by realpath");
}

Test(filters, bad_prefixes_and_types_are_refused_with_a_reason)
{
	struct trace_filters f = { 0 };
	char long_prefix[NAME_FILTER_SZ + 8];

	cr_expect_eq(filters_add_prefix(&f, false, "no-such-relative-dir", why, sizeof(why)),
		     -EINVAL);
	cr_expect(strstr(why, "not an absolute path"), "%s", why);
	cr_expect_eq(filters_add_prefix(&f, true, "", why, sizeof(why)), -EINVAL);
	memset(long_prefix, 'x', sizeof(long_prefix));
	long_prefix[0] = '/';
	long_prefix[NAME_FILTER_SZ + 1] = '\0'; /* "/" and 256 bytes: 257 encoded */
	cr_expect_eq(filters_add_prefix(&f, false, long_prefix, why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "longer than"), "%s", why);
	long_prefix[NAME_FILTER_SZ] = '\0'; /* 255 bytes and their NUL: fits */
	cr_expect_eq(filters_add_prefix(&f, false, long_prefix, why, sizeof(why)), 0, "%s", why);
	for (int i = 1; i < NAME_FILTERS; i++)
		cr_assert_eq(filters_add_prefix(&f, false, "/x", why, sizeof(why)), 0);
	cr_expect_eq(filters_add_prefix(&f, false, "/y", why, sizeof(why)), -EINVAL);
	cr_expect(strstr(why, "more than 8"), "%s", why);
	cr_expect_eq(filters_add_fstype(&f, false, "a-name-of-16-byt", why, sizeof(why)), -EINVAL);
	cr_expect_eq(filters_add_fstype(&f, true, "fuse.sshfs", why, sizeof(why)), 0, "%s", why);
	filters_free(&f);
}

Test(filters, the_bpf_side_gets_prefixes_as_the_path_walk_writes_paths)
{
	struct trace_filters f = { 0 };
	struct iot_config cfg;

	cr_assert_eq(filters_add_prefix(&f, false, "/nonexistent-iotrace/db", why, sizeof(why)), 0);
	cr_assert_eq(filters_add_prefix(&f, false, "/", why, sizeof(why)), 0);
	cr_assert_eq(filters_add_prefix(&f, true, "/nonexistent-iotrace/db/tmp", why, sizeof(why)),
		     0);
	cr_assert_eq(filters_add_fstype(&f, true, "proc", why, sizeof(why)), 0);
	memset(&cfg, 0xff, sizeof(cfg));
	filters_to_cfg(&f, &cfg);
	cr_expect_eq(cfg.file_filters, 1);
	cr_expect_eq(cfg.ff.path_cnt, 2);
	cr_expect_eq(cfg.ff.exclude_cnt, 1);
	cr_expect_eq(cfg.ff.fstype_cnt, 0);
	cr_expect_eq(cfg.ff.exclude_fs_cnt, 1);
	cr_expect_eq(cfg.ff.path[0].len, 23);
	cr_expect_eq(memcmp(cfg.ff.path[0].enc, "db\0nonexistent-iotrace\0", 23), 0);
	cr_expect_eq(cfg.ff.path[0].enc[23], 0, "the rest is zeroed");
	cr_expect_eq(cfg.ff.path[1].len, 0, "/ is every path");
	cr_expect_eq(cfg.ff.exclude[0].len, 27);
	cr_expect_eq(memcmp(cfg.ff.exclude[0].enc, "tmp\0db\0nonexistent-iotrace\0", 27), 0);
	cr_expect_eq(memcmp(cfg.ff.exclude_fs[0], "proc\0\0\0\0\0\0\0\0\0\0\0\0", 16), 0);
	filters_free(&f);
	memset(&cfg, 0, sizeof(cfg));
	filters_to_cfg(&f, &cfg);
	cr_expect_eq(cfg.file_filters, 0, "no filter: the BPF side's checks are dead code");
}

static bool keep(const struct trace_filters *f, const char *path, const char *fstype)
{
	return filters_keep(f, path, strlen(path), fstype);
}

Test(filters, a_file_is_kept_at_or_below_a_path_below_no_exclusion_and_of_a_chosen_type)
{
	struct trace_filters f = { 0 };

	cr_expect(keep(&f, "/anything", "proc"), "no filter keeps everything");
	cr_assert_eq(filters_add_prefix(&f, false, "/nonexistent-iotrace/data", why, sizeof(why)),
		     0);
	cr_assert_eq(
		filters_add_prefix(&f, true, "/nonexistent-iotrace/data/tmp", why, sizeof(why)), 0);
	cr_expect(keep(&f, "/nonexistent-iotrace/data", "ext4"));
	cr_expect(keep(&f, "/nonexistent-iotrace/data/db/x", "ext4"));
	cr_expect(!keep(&f, "/nonexistent-iotrace/database", "ext4"), "not a component boundary");
	cr_expect(!keep(&f, "/nonexistent-iotrace", "ext4"));
	cr_expect(!keep(&f, "/nonexistent-iotrace/data/tmp/x", "ext4"), "the exclusion wins");
	cr_expect(keep(&f, "/nonexistent-iotrace/data/tmpx", "ext4"));
	cr_assert_eq(filters_add_fstype(&f, false, "ext4", why, sizeof(why)), 0);
	cr_assert_eq(filters_add_fstype(&f, false, "xfs", why, sizeof(why)), 0);
	cr_expect(keep(&f, "/nonexistent-iotrace/data/x", "xfs"));
	cr_expect(!keep(&f, "/nonexistent-iotrace/data/x", "tmpfs"));
	cr_assert_eq(filters_add_fstype(&f, true, "xfs", why, sizeof(why)), 0);
	cr_expect(!keep(&f, "/nonexistent-iotrace/data/x", "xfs"), "the exclusion wins");
	filters_free(&f);
}
