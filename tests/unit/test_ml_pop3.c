/*
 * test_ml_pop3.c - migload's POP3 response parser (ml_pop3.c): a table of
 * responses, each fed whole, byte by byte and split at every point; the
 * limits (an unterminated status line, an over-long message line, too
 * many scan listings).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/migload/ml_pop3.h"

struct row {
	const char	*in;
	int		 expect;	/* enum pop3_expect */
	int		 state;		/* after the whole input */
	int		 ok;
	long long	 octets;	/* -1: none announced */
	long long	 data;		/* body bytes, un-stuffed (checked when DONE) */
	int		 nlist;
	size_t		 left;		/* bytes left over after the response */
	const char	*comment;
};

static const struct row rows[] = {
	{ "+OK Dovecot ready.\r\n", POP3_SINGLE, POP3_DONE, 1, -1, 0, 0, 0, "greeting" },
	{ "+OK\r\n", POP3_SINGLE, POP3_DONE, 1, -1, 0, 0, 0, "bare +OK" },
	{ "-ERR [AUTH] Authentication failed.\r\n", POP3_SINGLE, POP3_DONE, 0, -1, 0, 0, 0,
	  "-ERR" },
	{ "-ERR no such message\r\n", POP3_MULTI, POP3_DONE, 0, -1, 0, 0, 0,
	  "-ERR to RETR is one line" },
	{ "+OK Logged in.\r\n+OK", POP3_SINGLE, POP3_DONE, 1, -1, 0, 0, 3,
	  "bytes after the response are left" },
	{ "+OK 12 octets\r\nabc\r\ndefg\r\n.\r\n", POP3_MULTI, POP3_DONE, 1, 12, 11, 0, 0,
	  "RETR with its size" },
	{ "+OK 5 OCTETS follow\r\n..x\r\n.\r\n", POP3_MULTI, POP3_DONE, 1, 5, 4, 0, 0,
	  "stuffed dot removed; octets case-insensitive" },
	{ "+OK\r\n.y\r\n...\r\n.\r\n", POP3_MULTI, POP3_DONE, 1, -1, 7, 0, 0,
	  "a dot line and a single-stuffed line" },
	{ "+OK\r\n.\r\n", POP3_MULTI, POP3_DONE, 1, -1, 0, 0, 0, "empty multi-line" },
	{ "+OK\r\nbare\nlf\r\n.\r\n", POP3_MULTI, POP3_DONE, 1, -1, 9, 0, 0,
	  "bare LF inside a message is the message's business" },
	{ "+OK 2 messages:\r\n1 10240\r\n2 5242880 extra\r\n.\r\n", POP3_LISTING,
	  POP3_DONE, 1, -1, 26, 2, 0, "LIST" },
	{ "+OK 12 octets\r\nabc\r\n", POP3_MULTI, POP3_DATA, 1, 12, 0, 0, 0,
	  "incomplete body" },
	{ "+OK\r\n.\n", POP3_MULTI, POP3_ERROR, 1, -1, 0, 0, 0, "bare LF terminator" },
	{ "+OK\n", POP3_SINGLE, POP3_ERROR, 0, -1, 0, 0, 0, "bare LF status" },
	{ "+OKAY\r\n", POP3_SINGLE, POP3_ERROR, 0, -1, 0, 0, 0, "not +OK" },
	{ "OK\r\n", POP3_SINGLE, POP3_ERROR, 0, -1, 0, 0, 0, "no indicator" },
	{ "+OK\r\n1 x\r\n.\r\n", POP3_LISTING, POP3_ERROR, 1, -1, 0, 0, 0,
	  "bad listing size" },
	{ "+OK\r\n1 2\n.\r\n", POP3_LISTING, POP3_ERROR, 1, -1, 0, 0, 0,
	  "bare LF in a listing" },
	{ "+OK\r\n99999999999 2\r\n.\r\n", POP3_LISTING, POP3_ERROR, 1, -1, 0, 0, 0,
	  "message number too big" },
	{ "+OK 99999999999999999999 octets\r\n", POP3_MULTI, POP3_DATA, 1, -1, 0, 0, 0,
	  "absurd octets: not taken as a size" },
};

static void
check(const struct row *r, const struct pop3 *p, size_t consumed)
{
	assert_int_equal(p->state, r->state);
	if (r->state == POP3_ERROR) {
		assert_non_null(p->reason);
		return;
	}
	assert_int_equal(p->ok, r->ok);
	assert_int_equal(p->has_octets, r->octets >= 0);
	if (r->octets >= 0)
		assert_int_equal(p->octets, (uint64_t)r->octets);
	if (r->state == POP3_DONE) {
		assert_int_equal(p->data, (uint64_t)r->data);
		assert_int_equal(p->nlist, r->nlist);
		assert_int_equal(strlen(r->in) - consumed, r->left);
	}
}

/* Feed in pieces of at most step bytes (0: split once at split). */
static size_t
feed(struct pop3 *p, const char *in, size_t len, size_t step, size_t split)
{
	size_t off = 0, n, used;

	while (off < len && p->state != POP3_DONE && p->state != POP3_ERROR) {
		n = step ? (len - off < step ? len - off : step) :
		    (off < split ? split - off : len - off);
		used = pop3_feed(p, in + off, n);
		assert_true(used <= n);
		off += used;
		if (used < n)
			break;
	}
	return off;
}

static void
test_table(void **state)
{
	struct pop3 p;
	size_t i, k, len;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		len = strlen(rows[i].in);
		print_message("row %zu: %s\n", i, rows[i].comment);
		pop3_init(&p, rows[i].expect);
		check(&rows[i], &p, feed(&p, rows[i].in, len, len ? len : 1, 0));
		pop3_init(&p, rows[i].expect);
		check(&rows[i], &p, feed(&p, rows[i].in, len, 1, 0));
		for (k = 0; k <= len; k++) {
			pop3_init(&p, rows[i].expect);
			check(&rows[i], &p, feed(&p, rows[i].in, len, 0, k));
		}
	}
}

static void
test_listing_values(void **state)
{
	const char *in = "+OK\r\n1 10240\r\n.2 7\r\n18 9993216\r\n.\r\n";
	struct pop3 p;

	(void)state;
	pop3_init(&p, POP3_LISTING);
	assert_int_equal(pop3_feed(&p, in, strlen(in)), strlen(in));
	assert_int_equal(p.state, POP3_DONE);
	assert_int_equal(p.nlist, 3);
	assert_int_equal(p.list_msg[0], 1);
	assert_int_equal(p.list_size[0], 10240);
	assert_int_equal(p.list_msg[1], 2);	/* stuffed dot removed */
	assert_int_equal(p.list_size[1], 7);
	assert_int_equal(p.list_msg[2], 18);
	assert_int_equal(p.list_size[2], 9993216);
}

static void
test_status_unterminated(void **state)
{
	char buf[POP3_LINE_MAX + 10];
	struct pop3 p;
	size_t i;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "+OK ", 4);
	pop3_init(&p, POP3_SINGLE);
	for (i = 0; i < sizeof(buf) && p.state == POP3_STATUS; i++)
		pop3_feed(&p, buf + i, 1);
	assert_int_equal(p.state, POP3_ERROR);
	assert_string_equal(p.reason, "status line too long");
	assert_true(i <= POP3_LINE_MAX + 1);
	/* Sticky. */
	assert_int_equal(pop3_feed(&p, "\r\n", 2), 0);
	assert_int_equal(p.state, POP3_ERROR);
}

static void
test_text_unterminated(void **state)
{
	char buf[4096];
	struct pop3 p;

	(void)state;
	pop3_init(&p, POP3_MULTI);
	assert_int_equal(pop3_feed(&p, "+OK\r\n", 5), 5);
	memset(buf, 'y', sizeof(buf));
	/* POP3_TEXT_MAX bytes of a line are fine, more are not. */
	assert_int_equal(pop3_feed(&p, buf, POP3_TEXT_MAX), POP3_TEXT_MAX);
	assert_int_equal(p.state, POP3_DATA);
	pop3_feed(&p, buf, sizeof(buf));
	assert_int_equal(p.state, POP3_ERROR);
	assert_string_equal(p.reason, "message line too long");
}

static void
test_listing_limits(void **state)
{
	char line[64];
	struct pop3 p;
	unsigned i;

	(void)state;
	pop3_init(&p, POP3_LISTING);
	pop3_feed(&p, "+OK\r\n", 5);
	for (i = 1; i <= POP3_LIST_MAX + 1 && p.state == POP3_DATA; i++) {
		snprintf(line, sizeof(line), "%u 100\r\n", i);
		pop3_feed(&p, line, strlen(line));
	}
	assert_int_equal(p.state, POP3_ERROR);
	assert_string_equal(p.reason, "too many scan listings");
	assert_int_equal(p.nlist, POP3_LIST_MAX);

	/* An unterminated scan listing stops at the status-line limit. */
	pop3_init(&p, POP3_LISTING);
	pop3_feed(&p, "+OK\r\n1 ", 7);
	for (i = 0; i < POP3_LINE_MAX && p.state == POP3_DATA; i++)
		pop3_feed(&p, "9", 1);
	assert_int_equal(p.state, POP3_ERROR);
	assert_string_equal(p.reason, "scan listing too long");
}

static void
test_large_body(void **state)
{
	static char body[200000];
	struct pop3 p;
	size_t i, off = 0;
	const char *line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567\r\n";
	size_t ll = strlen(line);

	(void)state;
	for (i = 0; i + ll + 3 < sizeof(body) - ll; i += ll)
		memcpy(body + i, line, ll);
	memcpy(body + i, ".\r\n", 3);
	pop3_init(&p, POP3_MULTI);
	pop3_feed(&p, "+OK 99 octets\r\n", 15);
	/* Odd-sized chunks, as TLS records come. */
	while (off < i + 3 && p.state == POP3_DATA)
		off += pop3_feed(&p, body + off, (i + 3 - off) < 1237 ? i + 3 - off : 1237);
	assert_int_equal(p.state, POP3_DONE);
	assert_int_equal(off, i + 3);
	assert_int_equal(p.data, i);
	assert_int_equal(p.lines, i / ll);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_listing_values),
		cmocka_unit_test(test_status_unterminated),
		cmocka_unit_test(test_text_unterminated),
		cmocka_unit_test(test_listing_limits),
		cmocka_unit_test(test_large_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
