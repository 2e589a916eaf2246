/*
 * test_track.c - the tracker registry and shared helpers (proto/track.c):
 * lookup, limits, the line accumulator, numbers, the dot scanner, tcp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "track.h"

static void
test_registry(void **state)
{
	static const char *names[] = { "http", "pop3", "ftp", "smtp", "imap", "tcp" };
	static const enum wire_proto ids[] = { WIRE_P_HTTP, WIRE_P_POP3, WIRE_P_FTP,
	    WIRE_P_SMTP, WIRE_P_IMAP, WIRE_P_TCP };
	const struct track_proto *p;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		p = track_lookup(names[i]);
		assert_non_null(p);
		assert_string_equal(p->name, names[i]);
		assert_int_equal(p->id, ids[i]);
		assert_ptr_equal(track_lookup_id(ids[i]), p);
		assert_ptr_equal(track_proto_at(i), p);
	}
	assert_null(track_proto_at(6));
	assert_null(track_lookup("gopher"));
	assert_null(track_lookup("HTTP"));
	assert_null(track_lookup(NULL));
	assert_null(track_lookup_id(0));
}

static void
test_init_unknown(void **state)
{
	struct track t;

	(void)state;
	assert_int_equal(track_init(&t, NULL, NULL), -1);
	assert_int_equal(track_feed(&t, TRACK_C2S, "x", 1), -1);
	assert_false(wire_reason_suitable(track_reason(&t)));
	assert_string_equal(track_error(&t), "unknown protocol");
}

static void
test_limits(void **state)
{
	struct track_limits lim = { 0, 0, 0 };
	struct track t;

	(void)state;
	track_limits_default(track_lookup("http"), &lim);
	assert_int_equal(lim.line_max, 8192);
	assert_int_equal(lim.header_max, 65536);
	assert_int_equal(lim.threshold, TRACK_THRESHOLD_DEFAULT);
	lim.line_max = 0;
	lim.threshold = 77;
	track_limits_default(track_lookup("pop3"), &lim);
	assert_int_equal(lim.line_max, 512);
	assert_int_equal(lim.threshold, 77);
	assert_int_equal(track_init(&t, track_lookup("smtp"), NULL), 0);
	assert_int_equal(t.lim.line_max, 1024);
	assert_int_equal(t.lim.threshold, TRACK_THRESHOLD_DEFAULT);
}

/* A long line reads the same (head and tail) whole or split. */
static void
test_line_cut(void **state)
{
	char line[1000], split[TRACK_LINE_HEAD + TRACK_LINE_TAIL];
	struct track_view v;
	struct track t;
	size_t used, i;

	(void)state;
	for (i = 0; i < sizeof(line); i++)
		line[i] = (char)('a' + i % 26);
	line[998] = '\r';
	line[999] = '\n';
	assert_int_equal(track_init(&t, track_lookup("imap"), NULL), 0);
	assert_int_equal(track_line_get(&t, TRACK_C2S, 4096, line, sizeof(line), &used, &v), 1);
	assert_int_equal(used, sizeof(line));
	assert_true(v.cut);
	assert_int_equal(v.len, TRACK_LINE_HEAD + TRACK_LINE_TAIL - 2);
	memcpy(split, v.p, v.len);
	for (i = 0; i < sizeof(line) - 1; i += 7) {
		size_t n = sizeof(line) - i < 7 ? sizeof(line) - i : 7;
		int r = track_line_get(&t, TRACK_C2S, 4096, line + i, n, &used, &v);

		assert_int_equal(used, n);
		assert_int_equal(r, i + n == sizeof(line));
	}
	assert_true(v.cut);
	assert_int_equal(v.len, TRACK_LINE_HEAD + TRACK_LINE_TAIL - 2);
	assert_memory_equal(v.p, split, v.len);
	assert_int_equal(track_line_pending(&t, TRACK_C2S), 0);
	/* Over the limit, split: fails once the count passes max. */
	assert_int_equal(track_line_get(&t, TRACK_S2C, 10, "abcdef", 6, &used, &v), 0);
	assert_int_equal(track_line_get(&t, TRACK_S2C, 10, "ghijk", 5, &used, &v), -1);
	assert_string_equal(track_error(&t), "line too long");
}

static void
test_numbers(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(track_parse_u64("0", 1, &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(track_parse_u64("123 octets", 10, &v), 3);
	assert_int_equal(v, 123);
	assert_int_equal(track_parse_u64("x1", 2, &v), 0);
	assert_int_equal(track_parse_u64("-1", 2, &v), 0);
	assert_int_equal(track_parse_u64("4611686018427387904", 19, &v), 19);
	assert_int_equal(track_parse_u64("4611686018427387905", 19, &v), -1);
	assert_int_equal(track_parse_u64("9999999999999999999", 19, &v), -1);
	assert_int_equal(track_parse_u64("00000000000000000001", 20, &v), -1);
	assert_int_equal(track_word("RETR 1", 6, "retr"), 1);
	assert_int_equal(track_word("RETRX", 5, "retr"), 0);
	assert_int_equal(track_word("RET", 3, "retr"), 0);
	assert_int_equal(track_word("Quit", 4, "quit"), 1);
}

static void
test_dot_scan(void **state)
{
	static const char data[] = "line\r\n..stuffed\r\n.x\r\n.\r\nNEXT";
	uint8_t st = 0;
	size_t i, n = 0;
	int done = 0;

	(void)state;
	assert_int_equal(track_dot_scan(&st, data, sizeof(data) - 1, &done), 24);
	assert_int_equal(done, 1);
	st = 0;
	done = 0;
	for (i = 0; i < sizeof(data) - 1 && !done; i++)
		n += track_dot_scan(&st, data + i, 1, &done);
	assert_int_equal(done, 1);
	assert_int_equal(n, 24);
	st = 0;
	assert_int_equal(track_dot_scan(&st, ".\n", 2, &done), 2);
	assert_int_equal(done, 1);
}

static void
test_tcp(void **state)
{
	struct track t;

	(void)state;
	assert_int_equal(track_init(&t, track_lookup("tcp"), NULL), 0);
	assert_int_equal(track_reason(&t), WIRE_R_NEW);
	assert_int_equal(track_feed(&t, TRACK_S2C, "\0\1\2", 3), 0);
	assert_string_equal(track_state_name(&t), "opaque");
	assert_false(wire_reason_suitable(track_reason(&t)));
	track_ftp_data(&t, 5);	/* no-op for other protocols */
	assert_string_equal(track_state_name(&t), "opaque");
	assert_int_equal(track_feed(&t, (enum track_dir)7, "x", 1), -1);
	assert_string_equal(track_error(&t), "bad direction");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_init_unknown),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_line_cut),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_dot_scan),
		cmocka_unit_test(test_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
