/*
 * test_migload_resp.c - migload's response-head parser (ml_resp.c): a
 * table of heads, each fed whole, byte by byte and split at every point;
 * the limits (an unterminated line, too many fields, a too long head).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/migload/ml_resp.h"

struct row {
	const char	*in;
	int		 state;		/* after the whole input */
	int		 status;
	long long	 length;	/* -1: none */
	int		 close;
	size_t		 body;		/* bytes left over after the head */
	const char	*comment;
};

static const struct row rows[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", RESP_DONE, 200, 12, 0, 0,
	  "plain keep-alive response" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", RESP_DONE, 200, 3, 0, 3,
	  "body bytes are left to the caller" },
	{ "HTTP/1.1 200 OK\nContent-Length:7\nConnection: Keep-Alive, close\n\n",
	  RESP_DONE, 200, 7, 1, 0, "bare LF, no OWS, close in a list" },
	{ "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", RESP_DONE, 200, 1, 1, 0,
	  "HTTP/1.0 closes unless keep-alive" },
	{ "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
	  RESP_DONE, 200, 1, 0, 0, "HTTP/1.0 keep-alive" },
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	  RESP_DONE, 404, 0, 0, 0, "interim response skipped" },
	{ "HTTP/1.1 200 OK\r\n", RESP_FIELDS, 200, -1, 0, 0, "incomplete head" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	  RESP_ERROR, 200, 1, 0, 0, "conflicting lengths" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", RESP_ERROR, 200, -1, 0, 0,
	  "negative length" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n", RESP_ERROR, 200,
	  -1, 0, 0, "length too long" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", RESP_ERROR, 200, -1, 0,
	  0, "chunked is refused" },
	{ "HTTP/1.1 200 OK\r\n folded\r\n\r\n", RESP_ERROR, 200, -1, 0, 0,
	  "obsolete folding" },
	{ "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", RESP_ERROR, 200, -1, 0, 0,
	  "space in a field name" },
	{ "HTTP/2 200 OK\r\n\r\n", RESP_ERROR, 0, -1, 0, 0, "not HTTP/1.x" },
	{ "HTTP/1.1 099 Low\r\n\r\n", RESP_ERROR, 0, -1, 0, 0, "status out of range" },
	{ "HTTP/1.1 20x OK\r\n\r\n", RESP_ERROR, 0, -1, 0, 0, "status not digits" },
};

static void
check(const struct row *r, const struct resp *p, size_t consumed)
{
	size_t len = strlen(r->in);

	assert_int_equal(p->state, r->state);
	assert_int_equal(p->status, r->status);
	if (r->length >= 0 && r->state == RESP_DONE)
		assert_int_equal(p->length, (uint64_t)r->length);
	if (r->state == RESP_DONE) {
		assert_int_equal(p->close, r->close);
		assert_int_equal(len - consumed, r->body);
	} else if (r->state == RESP_ERROR)
		assert_non_null(p->reason);
}

static void
test_table(void **state)
{
	struct resp p;
	size_t i, k, split, used, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		n = strlen(r->in);
		resp_init(&p);
		check(r, &p, resp_feed(&p, r->in, n));
		resp_init(&p);	/* byte by byte */
		for (used = 0, k = 0; k < n && p.state != RESP_DONE && p.state != RESP_ERROR; k++)
			used += resp_feed(&p, r->in + k, 1);
		check(r, &p, used);
		for (split = 0; split <= n; split++) {
			resp_init(&p);
			used = resp_feed(&p, r->in, split);
			if (used == split && p.state != RESP_DONE && p.state != RESP_ERROR)
				used += resp_feed(&p, r->in + split, n - split);
			check(r, &p, used);
		}
	}
}

static void
test_limits(void **state)
{
	static char	buf[RESP_HEAD_MAX * 2];
	struct resp	p;
	size_t		n;
	int		i;

	(void)state;
	/* An unterminated line. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 OK\r\nX: ", 20);
	resp_init(&p);
	resp_feed(&p, buf, RESP_LINE_MAX + 100);
	assert_int_equal(p.state, RESP_ERROR);
	assert_string_equal(p.reason, "line too long");
	/* Too many fields. */
	n = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i <= RESP_FIELDS_MAX; i++)
		n += (size_t)sprintf(buf + n, "X-%d: y\r\n", i);
	resp_init(&p);
	resp_feed(&p, buf, n);
	assert_int_equal(p.state, RESP_ERROR);
	assert_string_equal(p.reason, "too many header fields");
	/* A head longer than RESP_HEAD_MAX in lines and fields within limits. */
	n = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < 90; i++) {
		memset(buf + n, 'v', 1000);
		memcpy(buf + n, "X-Long: ", 8);
		n += 1000;
		buf[n++] = '\n';
	}
	resp_init(&p);
	resp_feed(&p, buf, n);
	assert_int_equal(p.state, RESP_ERROR);
	assert_string_equal(p.reason, "head too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
