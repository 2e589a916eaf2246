/*
 * test_conf.c - common/conf.c: keys with sections and line numbers, every
 * error collected with file:line, value helpers' ranges and units.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

struct seen {
	char	keys[16][96];
	int	n;
};

static void
record(struct conf *cf, void *arg, const char *section, const char *key, const char *value)
{
	struct seen *s = arg;

	if (s->n < 16)
		snprintf(s->keys[s->n++], 96, "%d [%s] %s=%s", cf->line, section, key, value);
	if (strcmp(key, "bad") == 0)
		conf_error(cf, "%s: not allowed here", key);
}

static void
test_keys_and_lines(void **st)
{
	static struct conf	cf;
	struct seen		s = { .n = 0 };
	const char		*text =
	    "# comment\n"
	    "top = 1\n"
	    "\n"
	    "[agent]\n"
	    "name = web-1   ; inline comment\n"
	    "[service pop3s]\n"
	    "listen=0.0.0.0:995\n";
	(void)st;

	memset(&cf, 0, sizeof(cf));
	assert_int_equal(conf_parse_buf(&cf, "t.conf", text, strlen(text), record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.keys[0], "2 [] top=1");
	assert_string_equal(s.keys[1], "5 [agent] name=web-1");
	assert_string_equal(s.keys[2], "7 [service pop3s] listen=0.0.0.0:995");
}

static void
test_all_errors_listed(void **st)
{
	static struct conf	cf;
	struct seen		s = { .n = 0 };
	char			text[1024];
	(void)st;

	memset(&cf, 0, sizeof(cf));
	snprintf(text, sizeof(text),
	    "[a]\n"
	    "bad = 1\n"
	    "this line has no equals sign\n"
	    "ok = 2\n"
	    "bad = 3\n"
	    "long = %0300d\n"
	    "after = 4\n", 7);
	assert_int_equal(conf_parse_buf(&cf, "x.conf", text, strlen(text), record, &s), 4);
	assert_string_equal(cf.errors[0], "x.conf:2: bad: not allowed here");
	assert_string_equal(cf.errors[1], "x.conf:3: syntax error (expected [section] or key = value)");
	assert_string_equal(cf.errors[2], "x.conf:5: bad: not allowed here");
	assert_non_null(strstr(cf.errors[3], "x.conf:6: line longer than"));
	/* Parsing went on after the long line, with the right line numbers. */
	assert_string_equal(s.keys[s.n - 1], "7 [a] after=4");
}

static void
test_file(void **st)
{
	static struct conf	cf;
	struct seen		s = { .n = 0 };
	char			path[] = "/tmp/test_conf.XXXXXX";
	int			fd;
	(void)st;

	memset(&cf, 0, sizeof(cf));
	assert_int_equal(conf_parse_file(&cf, "/nonexistent/migstate.conf", record, &s), 1);
	assert_non_null(strstr(cf.errors[0], "cannot open: No such file"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[s]\nk = v\n", 10), 10);
	close(fd);
	memset(&cf, 0, sizeof(cf));
	assert_int_equal(conf_parse_file(&cf, path, record, &s), 0);
	assert_string_equal(s.keys[0], "2 [s] k=v");
	unlink(path);
}

static void
test_values(void **st)
{
	static struct conf	cf;
	uint64_t		v;
	int			b;
	char			out[8];
	(void)st;

	memset(&cf, 0, sizeof(cf));
	cf.file = "v.conf";
	assert_int_equal(conf_msec(&cf, "deadline", "60s", 0, UINT64_MAX, &v), 0);
	assert_true(v == 60000);
	assert_int_equal(conf_msec(&cf, "t", "200ms", 0, UINT64_MAX, &v), 0);
	assert_true(v == 200);
	assert_int_equal(conf_msec(&cf, "t", "250", 0, UINT64_MAX, &v), 0);
	assert_true(v == 250);
	assert_int_equal(conf_size(&cf, "s", "4MiB", 0, UINT64_MAX, &v), 0);
	assert_true(v == 4194304);
	assert_int_equal(conf_size(&cf, "s", "64K", 0, UINT64_MAX, &v), 0);
	assert_true(v == 65536);
	assert_int_equal(cf.nerrors, 0);

	assert_int_equal(conf_msec(&cf, "deadline", "soon", 0, 100, &v), -1);
	assert_int_equal(conf_uint(&cf, "n", "-1", 0, 100, &v), -1);
	assert_int_equal(conf_uint(&cf, "n", "101", 0, 100, &v), -1);
	assert_int_equal(conf_uint(&cf, "n", "99999999999999999999999", 0, UINT64_MAX, &v), -1);
	assert_int_equal(conf_size(&cf, "s", "18446744073709551615G", 0, UINT64_MAX, &v), -1);
	assert_int_equal(conf_bool(&cf, "b", "maybe", &b), -1);
	assert_int_equal(conf_string(&cf, "str", "too long for it", out, sizeof(out)), -1);
	assert_int_equal(conf_string(&cf, "str", "", out, sizeof(out)), -1);
	assert_int_equal(cf.nerrors, 8);
	assert_string_equal(cf.errors[0], "v.conf:0: deadline: \"soon\" is not a duration (e.g. 200ms, 60s)");
	assert_string_equal(cf.errors[2], "v.conf:0: n: 101 is out of range [0, 100]");
	assert_int_equal(conf_bool(&cf, "b", "On", &b), 0);
	assert_int_equal(b, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_lines),
		cmocka_unit_test(test_all_errors_listed),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
