// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel matrix's scenario, here on the host: tests/kernels/scenario.h
 * is one table of calls that drives both the workload (`smoke run`) and its
 * expectations (`smoke check` replays it on the shared model of
 * tests/lib/model.h), on every kernel the matrix boots and, through this
 * test, in every `make test`.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "e2e.h"

#define SMOKE OUT_DIR "/tests/kernels/smoke"

static char *dir_a, *dir_b;

static void teardown(void)
{
	char *dirs[] = { dir_a, dir_b };

	for (int i = 0; i < 2; i++)
		if (dirs[i])
			e2e_rmtree(dirs[i]);
	free(dir_a);
	free(dir_b);
	dir_a = dir_b = NULL;
}

Test(scenario, the_kernel_matrix_scenario_passes_its_check_on_this_kernel, .fini = teardown)
{
	char out[PATH_MAX], facts[PATH_MAX];
	const char *run[] = { E2E_IOTRACE, "-q", "-o", out, "--", SMOKE, "run", NULL, NULL, NULL };
	const char *check[] = { SMOKE, "check", out, facts, NULL, NULL, NULL };
	struct e2e_proc p;
	FILE *f;

	e2e_require_tracer();
	dir_a = e2e_tmpdir("/dev/shm"); /* a tmpfs, as the guests have on /tmp */
	dir_b = e2e_tmpdir("/tmp");
	snprintf(out, sizeof(out), "%s/result.json", dir_b);
	snprintf(facts, sizeof(facts), "%s/facts.txt", dir_b);
	run[7] = dir_a;
	run[8] = dir_b;
	cr_assert_eq(e2e_run((char *const *)run, 120, &p), 0);
	cr_assert_eq(p.status, 0, "iotrace -- smoke run: exit %d; %s", p.status, p.err);
	/* the workload's stdout holds its "fact" lines: where each file lives */
	f = fopen(facts, "we");
	cr_assert_not_null(f);
	fputs(p.out, f);
	fclose(f);
	e2e_proc_free(&p);
	check[4] = dir_a;
	check[5] = dir_b;
	cr_assert_eq(e2e_run((char *const *)check, 60, &p), 0);
	cr_expect_eq(p.status, 0, "smoke check:\n%s%s", p.out, p.err);
	cr_expect_not_null(strstr(p.out, "smoke check: ok"), "%s", p.out);
	e2e_proc_free(&p);
}
