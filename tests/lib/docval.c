// SPDX-License-Identifier: GPL-2.0
/*
 * Result documents through both validators (see docval.h), each run as a
 * command: validate-result by its own path (its #! picks the python that
 * python3-jsonschema is installed for), check-result with python3.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>

#include "docval.h"
#include "e2e.h"

static bool checker_present(void)
{
	return !access(DOCVAL_CHECKER, R_OK);
}

/* once per test binary, in Criterion's runner before any test */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	if (!checker_present())
		fprintf(stderr, "check-result not found beside the repository: independent second "
				"opinion skipped\n");
}

static int run_one(char *const argv[], const char *name, char *msg, size_t msg_sz)
{
	struct e2e_proc p;
	int err = e2e_run(argv, 120, &p);

	if (err) {
		snprintf(msg, msg_sz, "%s: cannot run: %s", name, strerror(-err));
		return err;
	}
	if (p.status || p.timed_out) {
		snprintf(msg, msg_sz, "%s (exit %d%s): %s%s", name, p.status,
			 p.timed_out ? ", timed out" : "", p.out, p.err);
		err = -EINVAL;
	}
	e2e_proc_free(&p);
	return err;
}

int doc_validate(const char *path, unsigned int flags, char *msg, size_t msg_sz)
{
	char *own[] = { DOCVAL_VALIDATOR, "--own-buckets", (char *)path, NULL };
	char *any[] = { DOCVAL_VALIDATOR, (char *)path, NULL };
	char *second[] = { "python3", DOCVAL_CHECKER, (char *)path, NULL };
	int err;

	msg[0] = '\0';
	if (access(DOCVAL_VALIDATOR, X_OK)) {
		err = -errno;
		snprintf(msg, msg_sz, "%s: %s", DOCVAL_VALIDATOR, strerror(-err));
		return err;
	}
	err = run_one(flags & DOCVAL_OWN_BUCKETS ? own : any, "validate-result", msg, msg_sz);
	if (err || !checker_present())
		return err;
	return run_one(second, "check-result", msg, msg_sz);
}
