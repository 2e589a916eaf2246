/*
 * test_ftp_filter.c - the FTP control filter (ftp_filter.c, through
 * starttls.c's stls_*): AUTH TLS, PBSZ, PROT and CCC answered by the proxy
 * in reply order; active mode refused; FEAT rewritten; the backend's 227 and
 * 229 taken out (port parsed) and the proxy's made; the parsers of 227 and
 * 229 on good, odd and hostile replies; a line too long passed raw.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "guest-agent/agent.h"

static char	out[STLS_OUT_MAX];

static const char *
srv(struct stls *st, const char *line)
{
	size_t	n = stls_server_line(st, line, strlen(line), out, sizeof(out));

	out[n] = '\0';
	return out;
}

static enum stls_act
cli(struct stls *st, const char *line)
{
	size_t		n = 0;
	enum stls_act	a = stls_client_line(st, line, strlen(line), out, sizeof(out), &n);

	out[n] = '\0';
	return a;
}

static void
start(struct stls *st, enum svc_tls mode)
{
	stls_init(st, WIRE_P_FTP);
	ftpf_init(st, mode);
	assert_string_equal(srv(st, "220 (vsFTPd 3.0.3)\r\n"), "220 (vsFTPd 3.0.3)\r\n");
}

static void
test_explicit(void **state)
{
	struct stls	st;

	(void)state;
	start(&st, SVC_TLS_STARTTLS);
	assert_int_equal(cli(&st, "PBSZ 0\r\n"), STLS_REPLY);
	assert_string_equal(out, "503 PBSZ needs AUTH TLS first.\r\n");
	assert_int_equal(cli(&st, "FEAT\r\n"), STLS_FORWARD);
	/* AUTH waits for the FEAT reply: replies stay in order (RFC 959 4.2). */
	assert_int_equal(cli(&st, "AUTH TLS\r\n"), STLS_HOLD);
	assert_string_equal(srv(&st, "211-Features:\r\n"),
	    "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n");
	assert_string_equal(srv(&st, " EPRT\r\n"), "");
	assert_string_equal(srv(&st, " AUTH SSL\r\n"), "");
	assert_string_equal(srv(&st, " EPSV\r\n"), " EPSV\r\n");
	assert_string_equal(srv(&st, "211 End\r\n"), "211 End\r\n");
	assert_int_equal(cli(&st, "auth tls\r\n"), STLS_REPLY);
	assert_string_equal(out, "234 Proceed with negotiation.\r\n");
	assert_true(st.upgrade);
	stls_tls_done(&st);
	assert_int_equal(cli(&st, "AUTH TLS\r\n"), STLS_REPLY);
	assert_string_equal(out, "503 TLS is already active.\r\n");
	assert_int_equal(cli(&st, "PBSZ 0\r\n"), STLS_REPLY);
	assert_string_equal(out, "200 PBSZ=0\r\n");
	assert_int_equal(st.ftp.prot, 'C');
	assert_int_equal(cli(&st, "PROT P\r\n"), STLS_REPLY);
	assert_string_equal(out, "200 PROT now Private.\r\n");
	assert_int_equal(st.ftp.prot, 'P');
	assert_int_equal(cli(&st, "PROT S\r\n"), STLS_REPLY);
	assert_string_equal(out, "536 Protection level not supported.\r\n");
	assert_int_equal(cli(&st, "PROT X\r\n"), STLS_REPLY);
	assert_string_equal(out, "504 Unknown protection level.\r\n");
	assert_int_equal(st.ftp.prot, 'P');
	assert_int_equal(cli(&st, "CCC\r\n"), STLS_REPLY);
	assert_int_equal(strncmp(out, "533 ", 4), 0);
	assert_int_equal(cli(&st, "PROT C\r\n"), STLS_REPLY);
	assert_int_equal(st.ftp.prot, 'C');
	/* The filter never ends: a login and later PASV still go through it. */
	assert_int_equal(cli(&st, "USER anonymous\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "230 Login successful.\r\n"), "230 Login successful.\r\n");
	assert_false(st.pass_c);
	assert_false(st.pass_s);
}

static void
test_auth_refusals(void **state)
{
	struct stls	st;

	(void)state;
	start(&st, SVC_TLS_NONE);
	assert_int_equal(cli(&st, "AUTH TLS\r\n"), STLS_REPLY);
	assert_int_equal(strncmp(out, "534 ", 4), 0);
	assert_false(st.upgrade);
	assert_int_equal(cli(&st, "FEAT\r\n"), STLS_FORWARD);
	/* No TLS on this service: nothing added, the backend's AUTH removed. */
	assert_string_equal(srv(&st, "211-Features:\r\n"), "211-Features:\r\n");
	assert_string_equal(srv(&st, " AUTH TLS\r\n"), "");
	assert_string_equal(srv(&st, "211 End\r\n"), "211 End\r\n");
	start(&st, SVC_TLS_STARTTLS);
	assert_int_equal(cli(&st, "AUTH GSSAPI\r\n"), STLS_REPLY);
	assert_int_equal(strncmp(out, "504 ", 4), 0);
	assert_int_equal(cli(&st, "PROT P\r\n"), STLS_REPLY);
	assert_int_equal(strncmp(out, "503 ", 4), 0);
	assert_int_equal(st.ftp.prot, 'C');
	/* Implicit TLS: protected data by default, no AUTH offered. */
	start(&st, SVC_TLS_IMPLICIT);
	assert_int_equal(st.ftp.prot, 'P');
	assert_int_equal(cli(&st, "FEAT\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "211 No features\r\n"),
	    "211-Features:\r\n PBSZ\r\n PROT\r\n211 End\r\n");
}

static void
test_active_refused(void **state)
{
	struct stls	st;

	(void)state;
	start(&st, SVC_TLS_NONE);
	assert_int_equal(cli(&st, "PORT 127,0,0,1,4,1\r\n"), STLS_REPLY);
	assert_int_equal(strncmp(out, "502 ", 4), 0);
	assert_true(st.ftp.refused);
	assert_int_equal(cli(&st, "NOOP\r\n"), STLS_FORWARD);
	assert_false(st.ftp.refused);
	/* An EPRT behind a NOOP waits for the NOOP's reply. */
	assert_int_equal(cli(&st, "EPRT |1|127.0.0.1|1025|\r\n"), STLS_HOLD);
	assert_string_equal(srv(&st, "200 NOOP ok.\r\n"), "200 NOOP ok.\r\n");
	assert_int_equal(cli(&st, "eprt |1|127.0.0.1|1025|\r\n"), STLS_REPLY);
	assert_true(st.ftp.refused);
}

static void
test_passive(void **state)
{
	struct stls		st;
	struct sockaddr_storage	ss;
	struct sockaddr_in	*in = (struct sockaddr_in *)&ss;
	char			r[128];

	(void)state;
	start(&st, SVC_TLS_NONE);
	assert_int_equal(cli(&st, "PASV\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "227 Entering Passive Mode (10,0,0,9,156,64).\r\n"), "");
	assert_int_equal(st.ftp.pasv, STLS_K_PASV);
	assert_int_equal(st.ftp.bport, 156 * 256 + 64);
	/* The next line clears it. */
	assert_int_equal(cli(&st, "EPSV\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "229 Entering Extended Passive Mode (|||30001|)\r\n"), "");
	assert_int_equal(st.ftp.pasv, STLS_K_EPSV);
	assert_int_equal(st.ftp.bport, 30001);
	/* A 227 not answering PASV passes untouched. */
	assert_int_equal(cli(&st, "NOOP\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "227 odd (1,2,3,4,5,6)\r\n"), "227 odd (1,2,3,4,5,6)\r\n");
	assert_int_equal(st.ftp.pasv, 0);
	/* A bad passive reply never reaches the client: it would bypass us. */
	assert_int_equal(cli(&st, "PASV\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "227 Entering Passive Mode (1,2,3,4,5)\r\n"),
	    "425 Bad passive reply from the server.\r\n");
	assert_int_equal(st.ftp.pasv, 0);
	/* EPSV ALL: an ordinary 200. */
	assert_int_equal(cli(&st, "EPSV ALL\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "200 EPSV ALL ok.\r\n"), "200 EPSV ALL ok.\r\n");
	/* A refusal passes. */
	assert_int_equal(cli(&st, "PASV\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "550 Permission denied.\r\n"), "550 Permission denied.\r\n");
	assert_int_equal(st.ftp.pasv, 0);

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	inet_pton(AF_INET, "192.168.1.20", &in->sin_addr);
	ftpf_pasv_reply(STLS_K_PASV, &ss, 40001, r, sizeof(r));
	assert_string_equal(r, "227 Entering Passive Mode (192,168,1,20,156,65).\r\n");
	ftpf_pasv_reply(STLS_K_EPSV, &ss, 40001, r, sizeof(r));
	assert_string_equal(r, "229 Entering Extended Passive Mode (|||40001|).\r\n");
	ss.ss_family = AF_INET6;
	ftpf_pasv_reply(STLS_K_PASV, &ss, 40001, r, sizeof(r));
	assert_int_equal(strncmp(r, "425 ", 4), 0);
}

static const struct {
	const char	*line;
	int		 rc;
	uint16_t	 port;
} p227[] = {
	{ "227 Entering Passive Mode (127,0,0,1,4,1).", 0, 1025 },
	{ "227 Entering Passive Mode 127,0,0,1,255,255", 0, 65535 },	/* RFC 1123 4.1.2.6 */
	{ "227 =127,0,0,1,0,21", 0, 21 },
	{ "227 Entering Passive Mode (127,0,0,1,0,0).", -1, 0 },
	{ "227 Entering Passive Mode (127,0,0,1,256,1).", -1, 0 },
	{ "227 Entering Passive Mode (127,0,0,1,4).", -1, 0 },
	{ "227 Entering Passive Mode (127,0,0,1,4,000001).", -1, 0 },
	{ "227 Entering Passive Mode (127,0,0,1,4,99999999999999999999).", -1, 0 },
	{ "227 Entering Passive Mode", -1, 0 },
	{ "228 (127,0,0,1,4,1)", -1, 0 },
	{ "227", -1, 0 },
};

static const struct {
	const char	*line;
	int		 rc;
	uint16_t	 port;
} p229[] = {
	{ "229 Entering Extended Passive Mode (|||6446|)", 0, 6446 },
	{ "229 ok (!!!65535!)", 0, 65535 },
	{ "229 ok (|||65536|)", -1, 0 },
	{ "229 ok (|||0|)", -1, 0 },
	{ "229 ok (||1|)", -1, 0 },
	{ "229 ok (1116661)", -1, 0 },		/* a digit is no delimiter */
	{ "229 ok (|||6446!)", -1, 0 },
	{ "229 ok (|||6446|", -1, 0 },
	{ "229 ok (|||", -1, 0 },
	{ "229 ok |||6446|", -1, 0 },
	{ "229 ok (|2|::1|6446|)", -1, 0 },	/* RFC 2428: net and address empty */
};

static void
test_parse(void **state)
{
	size_t		i;
	uint16_t	port;
	int		rc;

	(void)state;
	for (i = 0; i < sizeof(p227) / sizeof(p227[0]); i++) {
		port = 0;
		rc = ftpf_parse_227(p227[i].line, strlen(p227[i].line), &port);
		if (rc != p227[i].rc || port != p227[i].port)
			fail_msg("227 row %zu \"%s\": rc %d port %u", i, p227[i].line, rc, port);
	}
	for (i = 0; i < sizeof(p229) / sizeof(p229[0]); i++) {
		port = 0;
		rc = ftpf_parse_229(p229[i].line, strlen(p229[i].line), &port);
		if (rc != p229[i].rc || port != p229[i].port)
			fail_msg("229 row %zu \"%s\": rc %d port %u", i, p229[i].line, rc, port);
	}
}

static void
test_multiline_and_raw(void **state)
{
	struct stls	st;
	char		long_head[STLS_LINE_MAX];

	(void)state;
	start(&st, SVC_TLS_NONE);
	/* A multi-line reply with a line that looks like a reply (RFC 959 4.2). */
	assert_int_equal(cli(&st, "HELP\r\n"), STLS_FORWARD);
	assert_int_equal(cli(&st, "PASV\r\n"), STLS_FORWARD);
	assert_string_equal(srv(&st, "214-The following commands\r\n"), "214-The following commands\r\n");
	assert_string_equal(srv(&st, "227 is not the end\r\n"), "227 is not the end\r\n");
	assert_string_equal(srv(&st, "214 Help OK.\r\n"), "214 Help OK.\r\n");
	assert_int_equal(st.qn, 1);
	/* A line too long for the filter: its head, then the rest, passed. */
	memset(long_head, 'x', sizeof(long_head));
	memcpy(long_head, "150 ", 4);
	assert_int_equal(stls_server_line(&st, long_head, sizeof(long_head), out, sizeof(out)),
	    sizeof(long_head));
	assert_true(st.ftp.raw);
	assert_string_equal(srv(&st, "(|||1|)\r\n"), "(|||1|)\r\n");
	assert_false(st.ftp.raw);
	assert_string_equal(srv(&st, "227 Entering Passive Mode (127,0,0,1,4,1).\r\n"), "");
	assert_int_equal(st.ftp.bport, 1025);
	/* A queue full: the client waits. */
	start(&st, SVC_TLS_NONE);
	for (int i = 0; i < STLS_QUEUE; i++)
		assert_int_equal(cli(&st, "NOOP\r\n"), STLS_FORWARD);
	assert_int_equal(cli(&st, "NOOP\r\n"), STLS_HOLD);
	srv(&st, "200 ok\r\n");
	assert_int_equal(cli(&st, "NOOP\r\n"), STLS_FORWARD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explicit),
		cmocka_unit_test(test_auth_refusals),
		cmocka_unit_test(test_active_refused),
		cmocka_unit_test(test_passive),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_multiline_and_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
