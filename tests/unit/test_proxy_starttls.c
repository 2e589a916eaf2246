/*
 * test_proxy_starttls.c - the STARTTLS filter (starttls.c): capability
 * lists rewritten (the backend's offer removed, the proxy's added before
 * TLS only), the upgrade answered by the proxy once earlier replies are
 * in, refusals after TLS, the end of filtering at the first other command,
 * SMTP's EHLO replayed after TLS; each session fed line by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest-agent/agent.h"

static char	out[STLS_OUT_MAX];

/* One backend line; returns what the client sees (NUL-terminated). */
static const char *
srv(struct stls *st, const char *line)
{
	size_t	n = stls_server_line(st, line, strlen(line), out, sizeof(out));

	out[n] = '\0';
	return out;
}

/* One client line; the action, with any reply in out. */
static enum stls_act
cli(struct stls *st, const char *line)
{
	size_t		n = 0;
	enum stls_act	a = stls_client_line(st, line, strlen(line), out, sizeof(out), &n);

	out[n] = '\0';
	return a;
}

static void
test_pop3(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_POP3);
	assert_string_equal(srv(&st, "+OK Dovecot ready.\r\n"), "+OK Dovecot ready.\r\n");
	assert_int_equal(cli(&st, "CAPA\r\n"), STLS_FORWARD);
	/* A STLS before the CAPA reply is in waits. */
	assert_int_equal(cli(&st, "STLS\r\n"), STLS_HOLD);
	assert_string_equal(srv(&st, "+OK\r\n"), "+OK\r\n");
	assert_string_equal(srv(&st, "TOP\r\n"), "TOP\r\n");
	assert_string_equal(srv(&st, "STLS\r\n"), "");		/* the backend's: removed */
	assert_string_equal(srv(&st, "USER\r\n"), "USER\r\n");
	assert_string_equal(srv(&st, ".\r\n"), "STLS\r\n.\r\n");	/* the proxy's: added */
	assert_int_equal(cli(&st, "STLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "+OK Begin TLS negotiation\r\n");
	assert_true(st.upgrade);
	stls_tls_done(&st);
	assert_false(st.upgrade);
	assert_int_equal(cli(&st, "capa\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "+OK Capability list follows\r\n"),
	    "+OK Capability list follows\r\n");
	assert_string_equal(srv(&st, "STLS\r\n"), "");
	assert_string_equal(srv(&st, "SASL PLAIN\r\n"), "SASL PLAIN\r\n");
	assert_string_equal(srv(&st, ".\r\n"), ".\r\n");		/* nothing added after TLS */
	assert_int_equal(cli(&st, "STLS\r\n"), STLS_REPLY);	/* again: refused by the proxy */
	assert_string_equal(out, "-ERR TLS is already active\r\n");
	assert_false(st.upgrade);
	/* A login ends the filter: both ways once the replies awaited are in. */
	assert_int_equal(cli(&st, "USER test\r\n"), STLS_FORWARD);
	assert_true(st.pass_c);
	assert_true(st.pass_s);
	assert_string_equal(srv(&st, "+OK\r\n"), "+OK\r\n");
}

static void
test_pop3_pass_waits(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_POP3);
	/* Pipelined: CAPA then USER before the greeting: the CAPA reply is
	 * still rewritten, then the filter ends. */
	assert_int_equal(cli(&st, "CAPA\r\n"), STLS_FORWARD);
	assert_int_equal(cli(&st, "USER x\r\n"), STLS_FORWARD);
	assert_true(st.pass_c);
	assert_false(st.pass_s);
	srv(&st, "+OK hi\r\n");
	srv(&st, "+OK\r\n");
	assert_string_equal(srv(&st, ".\r\n"), "STLS\r\n.\r\n");
	assert_true(st.pass_s);
	assert_string_equal(srv(&st, "STLS\r\n"), "STLS\r\n");	/* no longer filtered */
}

static void
test_imap(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_IMAP);
	assert_string_equal(srv(&st, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready.\r\n"),
	    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN STARTTLS] ready.\r\n");
	assert_int_equal(cli(&st, "a1 CAPABILITY\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "* CAPABILITY IMAP4rev1 LITERAL+ STARTTLS LOGINDISABLED\r\n"),
	    "* CAPABILITY IMAP4rev1 LITERAL+ LOGINDISABLED STARTTLS\r\n");
	assert_int_equal(cli(&st, "a2 STARTTLS\r\n"), STLS_HOLD);
	assert_string_equal(srv(&st, "a1 OK done\r\n"), "a1 OK done\r\n");
	assert_int_equal(cli(&st, "a2 STARTTLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "a2 OK Begin TLS negotiation now\r\n");
	stls_tls_done(&st);
	assert_int_equal(cli(&st, "a3 capability\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN\r\n"),
	    "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
	assert_string_equal(srv(&st, "a3 OK Capability completed.\r\n"),
	    "a3 OK Capability completed.\r\n");
	assert_int_equal(cli(&st, "a4 STARTTLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "a4 BAD TLS is already active\r\n");
	assert_int_equal(cli(&st, "a5 LOGIN test secret\r\n"), STLS_FORWARD);
	assert_true(st.pass_s);
}

static void
test_imap_literal(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_IMAP);
	srv(&st, "* OK ready\r\n");
	assert_int_equal(cli(&st, "a NOOP\r\n"), STLS_FORWARD);
	/* A literal from the server: its bytes are no lines; stop filtering. */
	srv(&st, "* 1 FETCH (BODY[] {5}\r\n");
	assert_true(st.pass_c);
	assert_true(st.pass_s);
}

static void
test_smtp(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_SMTP);
	assert_string_equal(srv(&st, "220-mx ESMTP\r\n"), "220-mx ESMTP\r\n");
	assert_string_equal(srv(&st, "220 ready\r\n"), "220 ready\r\n");
	assert_int_equal(cli(&st, "EHLO client\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "250-mx Hello\r\n"), "");	/* held back */
	assert_string_equal(srv(&st, "250-STARTTLS\r\n"), "");
	assert_string_equal(srv(&st, "250-SIZE 1000\r\n"), "250-mx Hello\r\n");
	assert_string_equal(srv(&st, "250 HELP\r\n"),
	    "250-SIZE 1000\r\n250-HELP\r\n250 STARTTLS\r\n");
	assert_int_equal(cli(&st, "STARTTLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "220 2.0.0 Ready to start TLS\r\n");
	stls_tls_done(&st);
	/* The EHLO after TLS is answered from the remembered reply. */
	assert_int_equal(cli(&st, "EHLO client\r\n"), STLS_REPLY);
	assert_string_equal(out, "250-mx Hello\r\n250-SIZE 1000\r\n250 HELP\r\n");
	/* A second one goes to the backend; its STARTTLS as last line removed. */
	assert_int_equal(cli(&st, "EHLO again\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "250-mx\r\n"), "");
	assert_string_equal(srv(&st, "250 STARTTLS\r\n"), "250 mx\r\n");
	assert_int_equal(cli(&st, "STARTTLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "503 5.5.1 TLS already active\r\n");
	assert_int_equal(cli(&st, "MAIL FROM:<a@b>\r\n"), STLS_FORWARD);
	assert_true(st.pass_c);
	assert_true(st.pass_s);
}

static void
test_smtp_single_line(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_SMTP);
	srv(&st, "220 mx\r\n");
	assert_int_equal(cli(&st, "EHLO c\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "250 mx\r\n"), "250-mx\r\n250 STARTTLS\r\n");
	/* A garbled reply stops the filter rather than guessing. */
	assert_int_equal(cli(&st, "NOOP\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "hello\r\n"), "hello\r\n");
	assert_true(st.pass_s);
}

static void
test_odd_lines(void **state)
{
	struct stls	st;

	(void)state;
	stls_init(&st, WIRE_P_POP3);
	srv(&st, "+OK\r\n");
	/* An upgrade word with arguments is not the upgrade: forwarded, filter ends. */
	assert_int_equal(cli(&st, "STLS now\r\n"), STLS_FORWARD);
	assert_true(st.pass_c);
	stls_init(&st, WIRE_P_IMAP);
	srv(&st, "* OK\r\n");
	assert_int_equal(cli(&st, "\r\n"), STLS_FORWARD);		/* empty: filter ends */
	assert_true(st.pass_c);
	stls_init(&st, WIRE_P_POP3);
	srv(&st, "+OK\n");
	assert_int_equal(cli(&st, "stls\n"), STLS_REPLY);		/* LF alone is a line end */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pop3),
		cmocka_unit_test(test_pop3_pass_waits),
		cmocka_unit_test(test_imap),
		cmocka_unit_test(test_imap_literal),
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_smtp_single_line),
		cmocka_unit_test(test_odd_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
