/*
 * test_qmp.c - dom0-bridge/qmp.c: QMP messages classified, hostile input
 * refused (not JSON, not an object, duplicate keys, too deep, too long,
 * wrong types), lines split anywhere across reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dom0-bridge/qmp.h"

static int
parse(const char *s, struct qmp_msg *m)
{
	const char	*why;

	return qmp_parse(s, strlen(s), m, &why);
}

static void
test_kinds(void **state)
{
	struct qmp_msg	m;
	uint64_t	v;

	(void)state;
	assert_int_equal(parse("{\"QMP\": {\"version\": {}, \"capabilities\": []}}", &m), 0);
	assert_int_equal(m.kind, QMP_GREETING);
	qmp_msg_free(&m);
	assert_int_equal(parse("{\"return\": {}, \"id\": 4}", &m), 0);
	assert_int_equal(m.kind, QMP_RETURN);
	assert_int_equal(m.id, 4);
	qmp_msg_free(&m);
	assert_int_equal(parse("{\"return\": {\"status\": \"active\", \"ram\": "
	    "{\"dirty-sync-count\": 12}}, \"id\": 5}", &m), 0);
	assert_string_equal(qmp_get_str(m.data, "status"), "active");
	assert_int_equal(qmp_get_uint(m.data, "ram.dirty-sync-count", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(qmp_get_uint(m.data, "ram.missing", &v), -1);
	assert_int_equal(qmp_get_uint(m.data, "status", &v), -1);
	assert_null(qmp_get_str(m.data, "ram.dirty-sync-count"));
	qmp_msg_free(&m);
	assert_int_equal(parse("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"},"
	    " \"id\": 6}", &m), 0);
	assert_int_equal(m.kind, QMP_ERROR);
	assert_string_equal(m.errdesc, "no");
	qmp_msg_free(&m);
	assert_int_equal(parse("{\"event\": \"MIGRATION_PASS\", \"data\": {\"pass\": 3},"
	    " \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}", &m), 0);
	assert_int_equal(m.kind, QMP_EVENT);
	assert_string_equal(m.event, "MIGRATION_PASS");
	assert_int_equal(qmp_get_uint(m.data, "pass", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(m.id, -1);
	qmp_msg_free(&m);
}

static void
test_hostile(void **state)
{
	static const char *const bad[] = {
		"", "[]", "42", "\"return\"", "{", "{\"return\": 1,}",
		"{\"return\": {}, \"return\": {}}",		/* duplicate key */
		"{\"return\": {}, \"id\": -1}",
		"{\"return\": {}, \"id\": \"x\"}",
		"{\"error\": {\"class\": \"X\"}}",		/* no desc */
		"{\"error\": \"boom\"}",
		"{\"event\": 7}",
		"{\"event\": \"X\", \"data\": [1]}",
		"{\"nothing\": 1}",
		"{\"return\": {\"a\": \"\\u0000\"}}",		/* NUL inside a string */
		"{\"return\": 1} trailing",
	};
	struct qmp_msg	m;
	char		deep[200];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &m) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_null(m.root);
	}
	/* {"return":[[[[...]]]]} deeper than QMP_DEPTH_MAX */
	strcpy(deep, "{\"return\":");
	for (i = 0; i < QMP_DEPTH_MAX + 2; i++)
		strcat(deep, "[");
	for (i = 0; i < QMP_DEPTH_MAX + 2; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	assert_int_equal(parse(deep, &m), -1);
}

struct seen {
	int	n;
	int64_t	last_id;
};

static int
count_cb(void *arg, const struct qmp_msg *m)
{
	struct seen	*s = arg;

	s->n++;
	s->last_id = m->id;
	return 0;
}

static void
test_reader_splits(void **state)
{
	const char		*in = "{\"QMP\": {}}\r\n\r\n{\"return\": {}, \"id\": 1}\r\n"
	    "{\"return\": {}, \"id\": 2}\n";
	struct qmp_reader	*r = malloc(sizeof(*r));
	struct seen		 s;
	size_t			 i, len = strlen(in);

	(void)state;
	assert_non_null(r);
	/* every split point, one byte at a time and in two pieces */
	for (i = 0; i <= len; i++) {
		memset(&s, 0, sizeof(s));
		qmp_reader_init(r);
		assert_int_equal(qmp_reader_feed(r, in, i, count_cb, &s), 0);
		assert_int_equal(qmp_reader_feed(r, in + i, len - i, count_cb, &s), 0);
		assert_int_equal(s.n, 3);
		assert_int_equal(s.last_id, 2);
	}
	memset(&s, 0, sizeof(s));
	qmp_reader_init(r);
	for (i = 0; i < len; i++)
		assert_int_equal(qmp_reader_feed(r, in + i, 1, count_cb, &s), 0);
	assert_int_equal(s.n, 3);
	free(r);
}

static void
test_reader_limits(void **state)
{
	struct qmp_reader	*r = malloc(sizeof(*r));
	struct seen		 s = { 0 };
	char			*big = malloc(QMP_LINE_MAX + 2);

	(void)state;
	assert_non_null(r);
	assert_non_null(big);
	memset(big, ' ', QMP_LINE_MAX + 1);
	qmp_reader_init(r);
	assert_int_equal(qmp_reader_feed(r, big, QMP_LINE_MAX + 1, count_cb, &s), -1);
	assert_true(strstr(r->why, "longer") != NULL);
	qmp_reader_init(r);
	assert_int_equal(qmp_reader_feed(r, "{\"return\": 1\n", 13, count_cb, &s), -1);
	assert_string_equal(r->why, "not valid JSON");
	assert_int_equal(s.n, 0);
	free(big);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_reader_splits),
		cmocka_unit_test(test_reader_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
