// SPDX-License-Identifier: GPL-2.0
/*
 * The result file as an attacker on the same host would try it: its
 * temporary name is random (watched with inotify, it differs run to run, so
 * no symlink can be planted there in advance) and created O_EXCL 0600; a
 * symlink at the target is written through to its file and kept; through
 * sudo the file goes to SUDO_UID/SUDO_GID; and no shell anywhere in the
 * sources iotrace is built from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "e2e.h"
#include "expect.h"

static char *tdir;

static void teardown(void)
{
	e2e_rmtree(tdir);
	free(tdir);
	tdir = NULL;
}

static char *in_dir(const char *rel)
{
	return e2e_join(tdir, rel);
}

static void run_ok(const char *out)
{
	const char *argv[] = { E2E_IOTRACE, "-q", "-o", out, "--", "true", NULL };
	struct e2e_proc p;

	cr_assert_eq(e2e_run((char *const *)argv, 60, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace -o %s: exit %d; %s", out, p.status, p.err);
	e2e_proc_free(&p);
}

/* names created in dir while iotrace writes dir/out.json, joined by '\n' */
static void created_names(char *buf, size_t sz)
{
	char ev[8192] __attribute__((aligned(8)));
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	size_t n = 0;
	ssize_t len;

	cr_assert_geq(fd, 0);
	cr_assert_geq(inotify_add_watch(fd, tdir, IN_CREATE | IN_MOVED_TO), 0);
	run_ok(in_dir("out.json"));
	buf[0] = '\0';
	while ((len = read(fd, ev, sizeof(ev))) > 0) {
		for (char *p = ev; p < ev + len;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if ((e->mask & IN_CREATE) && e->len)
				n += (size_t)snprintf(buf + n, sz - n, "%s\n", e->name);
			p += sizeof(*e) + e->len;
		}
	}
	close(fd);
}

Test(security, the_temporary_name_is_random_and_the_result_is_0600, .fini = teardown)
{
	char first[1024], second[1024];
	regex_t re;
	struct stat st;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(regcomp(&re, "^\\.out\\.json\\.[A-Za-z0-9]{6}$", REG_EXTENDED | REG_NOSUB), 0);
	created_names(first, sizeof(first));
	created_names(second, sizeof(second));
	/* the start-up check and the final write each create one temporary name */
	for (char *names[] = { first, second, NULL }, **n = names; *n; n++) {
		char copy[1024], *save = NULL, *tok;
		int cnt = 0;

		snprintf(copy, sizeof(copy), "%s", *n);
		for (tok = strtok_r(copy, "\n", &save); tok;
		     tok = strtok_r(NULL, "\n", &save), cnt++)
			cr_expect_eq(regexec(&re, tok, 0, NULL, 0), 0, "temporary name '%s'", tok);
		cr_expect_geq(cnt, 1, "no temporary file seen: %s", *n);
	}
	cr_expect_str_neq(first, second, "the temporary names repeat: %s", first);
	regfree(&re);
	cr_assert_eq(lstat(in_dir("out.json"), &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_expect_eq(st.st_uid, 0);
}

Test(security, a_symlink_planted_at_a_guessable_temporary_name_is_not_followed, .fini = teardown)
{
	static const char *const guesses[] = { ".out.json.XXXXXX", ".out.json.000000",
					       ".out.json.tmp", "out.json.tmp", ".out.json" };
	struct stat st;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	for (size_t i = 0; i < sizeof(guesses) / sizeof(guesses[0]); i++)
		cr_assert_eq(symlink(in_dir("victim"), in_dir(guesses[i])), 0);
	run_ok(in_dir("out.json"));
	cr_expect(lstat(in_dir("victim"), &st) && errno == ENOENT,
		  "a planted symlink was followed: victim exists");
	cr_assert_eq(lstat(in_dir("out.json"), &st), 0);
	cr_expect(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
}

Test(security, a_symlink_at_the_target_is_kept_and_its_file_replaced, .fini = teardown)
{
	struct trace t = { 0 };
	struct stat st;
	char target[4096];
	ssize_t n;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	cr_assert_eq(mkdir(in_dir("real"), 0755), 0);
	cr_assert_eq(e2e_make_file(in_dir("real/result.json"), 3, 'o'), 0);
	cr_assert_eq(symlink("real/result.json", in_dir("link.json")), 0);
	run_ok(in_dir("link.json"));
	cr_assert_eq(lstat(in_dir("link.json"), &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the symbolic link was replaced");
	n = readlink(in_dir("link.json"), target, sizeof(target) - 1);
	cr_assert_gt(n, 0);
	target[n] = '\0';
	cr_expect_str_eq(target, "real/result.json");
	snprintf(t.out, sizeof(t.out), "%s", in_dir("real/result.json"));
	trace_validate(&t); /* the file behind the link holds the whole new document */
	cr_assert_eq(stat(in_dir("real/result.json"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	trace_free(&t);
}

static void run_as_sudo(const char *uid, const char *gid, struct stat *st)
{
	setenv("SUDO_UID", uid, 1);
	setenv("SUDO_GID", gid, 1);
	run_ok(in_dir("out.json"));
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	cr_assert_eq(stat(in_dir("out.json"), st), 0);
}

Test(security, through_sudo_the_result_belongs_to_the_invoking_user, .fini = teardown)
{
	struct stat st;

	e2e_require_tracer();
	tdir = e2e_tmpdir("/tmp");
	run_as_sudo("65534", "65533", &st);
	cr_expect_eq(st.st_uid, 65534);
	cr_expect_eq(st.st_gid, 65533);
	cr_expect_eq(st.st_mode & 07777, 0600);
	/* malformed ids are ignored: the file stays root's */
	run_as_sudo("nobody", "-1", &st);
	cr_expect_eq(st.st_uid, 0);
	cr_expect_eq(st.st_gid, 0);
}

/* ---- no shell: the sources iotrace is built from --------------------------------- */

static void scan_dir(const char *rel, regex_t *re, char *hits, size_t sz)
{
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", SRC_DIR, rel);
	d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), n = strlen(hits);
		char *text, *line, *save = NULL;
		size_t text_len;
		int no = 0;

		if (len < 3 ||
		    (strcmp(de->d_name + len - 2, ".c") && strcmp(de->d_name + len - 2, ".h")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cr_assert_eq(e2e_read_file(path, &text, &text_len), 0);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			no++;
			if (!regexec(re, line, 0, NULL, 0))
				n += (size_t)snprintf(hits + n, sz - n, "%s/%s:%d: %s\n", rel,
						      de->d_name, no, line);
		}
		free(text);
	}
	closedir(d);
}

Test(security, no_system_popen_or_shell_in_the_sources)
{
	/*
	 * system(), popen(), the exec*p() family (execvp hands a file without
	 * a #! line to /bin/sh) and any "sh" string literal
	 */
	static const char pattern[] =
		"(^|[^_a-z])(system|popen|execvp|execlp|execvpe|posix_spawnp?)"
		"[ \t]*\\(|\"(/bin/|/usr/bin/)?(ba|da)?sh\"";
	char hits[8192] = "";
	regex_t re;

	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	scan_dir("src", &re, hits, sizeof(hits));
	scan_dir("loader", &re, hits, sizeof(hits));
	regfree(&re);
	cr_expect_str_empty(hits, "a shell or system() in iotrace:\n%s", hits);
}
