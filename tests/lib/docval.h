/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of result documents in the tests: tests/lib/validate-result
 * (docs/result.schema.json and the rules a schema cannot state) must accept
 * the document, and so must check-result, the independent validator kept
 * beside the repository, when it is there.  A clone with nothing beside it
 * runs the first alone; each test binary then says once on stderr that the
 * second opinion is skipped.
 */
#ifndef TESTS_LIB_DOCVAL_H
#define TESTS_LIB_DOCVAL_H

#include <stddef.h>

#define DOCVAL_VALIDATOR SRC_DIR "/tests/lib/validate-result"
#define DOCVAL_CHECKER	 SRC_DIR "/../shared/tools/check-result"

/* the document's histograms use iotrace's own bucket schemes (the tracer wrote it) */
#define DOCVAL_OWN_BUCKETS 1

/*
 * 0 when every validator accepts the document at path; -EINVAL when one
 * rejects it, -errno when one cannot run.  Otherwise msg says which
 * validator and what it printed.
 */
int doc_validate(const char *path, unsigned int flags, char *msg, size_t msg_sz);

#endif
