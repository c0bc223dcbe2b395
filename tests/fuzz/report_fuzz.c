// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `iotrace report`'s reader (make fuzz).  Any input must
 * give 0 or an error with a message, never a crash; an input the reader
 * accepts is also merged with itself, grouped and written in every format,
 * and its JSON report must read back into the same report (reports compose).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/document.h"
#include "report/report.h"

static FILE *devnull;

/* the JSON report of m's entries, malloc'd */
static char *report_json(struct rmodel *m, size_t *len)
{
	struct rentry **v = malloc((m->files.cnt + 1) * sizeof(*v));
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!v || !f)
		abort();
	memcpy(v, m->files.v, m->files.cnt * sizeof(*v));
	report_write_json(f, m, v, m->files.cnt, m->meta.per_process, NULL, NULL);
	fclose(f);
	free(v);
	return buf;
}

static void exercise_views(struct rmodel *m)
{
	static const struct rgroup groups[] = { { BY_DIR, 1 }, { BY_EXT, 0 }, { BY_COMM, 0 } };
	struct rtext_opts t = { .sort = SORT_SEQ, .by_name = "dir:1" };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		struct rtable tab = { 0 };

		if (!report_group(&tab, m->files.v, m->files.cnt, &groups[g])) {
			report_text_table(devnull, m, tab.v, tab.cnt, &t);
			report_write_csv(devnull, m, tab.v, tab.cnt, false);
			for (size_t i = 0; i < tab.cnt && i < 4; i++)
				report_text_detail(devnull, m, tab.v[i], &t);
		}
		rtable_free(&tab);
	}
}

/* read the report back: it must be accepted and give the same report */
static void check_compose(struct rmodel *m)
{
	struct rmodel again;
	struct rerr err;
	size_t len1, len2;
	char *one = report_json(m, &len1), *two;

	rmodel_init(&again);
	if (report_read_buf(&again, one, len1, &err)) {
		fprintf(stderr, "report not readable: %s\n%s\n", err.msg, one);
		abort();
	}
	two = report_json(&again, &len2);
	if (len1 != len2 || memcmp(one, two, len1)) {
		fprintf(stderr, "report of the report differs:\n%s\n---\n%s\n", one, two);
		abort();
	}
	free(one);
	free(two);
	rmodel_free(&again);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct rmodel m;
	struct rerr err;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	rmodel_init(&m);
	if (!report_read_buf(&m, (const char *)data, size, &err)) {
		check_compose(&m);
		if (!report_read_buf(&m, (const char *)data, size, &err))
			exercise_views(&m);
	} else if (!err.msg[0]) {
		abort(); /* every failure says what failed */
	}
	rmodel_free(&m);
	return 0;
}
