/*
 * test_ml_stats.c - migload's QoS rules (ml_stats.c, stats_classify): a
 * table of records (page, download, POP3 command, RETR; finished or cut
 * short by the end of the run) and the class each must get with the
 * default bounds (pages 3 / 5 s, downloads 99000 / 95000 B/s, line rate
 * 100000 B/s).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/migload/migload.h"

struct row {
	int		 kind;
	int		 done;
	double		 secs;
	uint64_t	 bytes, expected;
	const char	*err;
	enum qos	 qos;
	const char	*comment;
};

#define MB	1000000ULL

static const struct row rows[] = {
	{ KIND_PAGE, 1, 2.9, 50000, 50000, NULL, QOS_GOOD, "page within 3 s" },
	{ KIND_PAGE, 1, 4.0, 50000, 50000, NULL, QOS_TOLERABLE, "page within 5 s" },
	{ KIND_PAGE, 1, 5.5, 50000, 50000, NULL, QOS_FAIL, "page over 5 s" },
	{ KIND_PAGE, 1, 0.1, 0, 0, "reset", QOS_FAIL, "an error fails" },
	{ KIND_PAGE, 0, 1.0, 0, 0, NULL, QOS_NONE, "unfinished page, not judged yet" },
	{ KIND_PAGE, 0, 6.0, 0, 0, NULL, QOS_FAIL, "unfinished page past 5 s" },
	{ KIND_DOWNLOAD, 1, 10.0, MB, MB, NULL, QOS_GOOD, "100 kB/s" },
	{ KIND_DOWNLOAD, 1, 10.4, MB, MB, NULL, QOS_TOLERABLE, "96 kB/s" },
	{ KIND_DOWNLOAD, 1, 11.0, MB, MB, NULL, QOS_FAIL, "91 kB/s" },
	{ KIND_COMMAND, 1, 2.0, 20, 0, NULL, QOS_GOOD, "a POP3 command is a page" },
	{ KIND_COMMAND, 1, 4.5, 20, 0, NULL, QOS_TOLERABLE, "POP3 command within 5 s" },
	{ KIND_COMMAND, 1, 5.1, 20, 0, NULL, QOS_FAIL, "POP3 command over 5 s" },
	{ KIND_COMMAND, 1, 0.1, 20, 0, "pop3-err", QOS_FAIL, "-ERR fails" },
	{ KIND_RETR, 1, 3.0, 10240, 10240, NULL, QOS_GOOD,
	  "small RETR: 3 s + 0.1 s allowed for Good" },
	{ KIND_RETR, 1, 3.2, 10240, 10240, NULL, QOS_TOLERABLE,
	  "small RETR: a 3 s stall is Tolerable" },
	{ KIND_RETR, 1, 5.2, 10240, 10240, NULL, QOS_FAIL, "small RETR over 5.1 s" },
	{ KIND_RETR, 1, 13.0, MB, MB, NULL, QOS_GOOD,
	  "1 MB RETR: 3 s + 10.1 s for Good" },
	{ KIND_RETR, 1, 15.0, MB, MB, NULL, QOS_TOLERABLE,
	  "1 MB RETR: 5 s + 10.5 s for Tolerable" },
	{ KIND_RETR, 1, 15.6, MB, MB, NULL, QOS_FAIL, "1 MB RETR too slow" },
	{ KIND_RETR, 0, 2.0, 100000, MB, NULL, QOS_GOOD,
	  "unfinished RETR: projected 2 + 9 s at the line rate" },
	{ KIND_RETR, 0, 8.0, 100000, MB, NULL, QOS_FAIL,
	  "unfinished RETR: projected 8 + 9 s" },
	{ KIND_RETR, 1, 1.0, MB, MB, "timeout", QOS_FAIL, "an error fails a RETR" },
};

static void
test_table(void **state)
{
	struct ml_opts o;
	struct ml_record r;
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.page_good = 3, o.page_tol = 5;
	o.dl_good = 99000, o.dl_tol = 95000;
	o.line_rate = 100000;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("row %zu: %s\n", i, rows[i].comment);
		memset(&r, 0, sizeof(r));
		r.kind = rows[i].kind;
		r.done = rows[i].done;
		r.start = 1000;
		r.end = 1000 + rows[i].secs;
		r.bytes = rows[i].bytes;
		r.expected = rows[i].expected;
		r.err = rows[i].err;
		assert_int_equal(stats_classify(&o, &r), rows[i].qos);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
