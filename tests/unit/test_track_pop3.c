/*
 * test_track_pop3.c - the POP3 tracker (proto/track_pop3.c).  The RFC
 * 1939 example session, sessions as dovecot answers them, and hostile
 * input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "track_feed.h"
#include "track_recorded.h"

#define DOVECOT_HELLO	"+OK Dovecot (Debian) ready.\r\n"
#define DOVECOT_CAPA	"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n" \
			"AUTH-RESP-CODE\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\n.\r\n"
#define LOGGED_IN	C("USER alice\r\n", "authorization", R_AUTH, 0), \
			S("+OK\r\n", "authorization", R_AUTH, 0), \
			C("PASS secret\r\n", "authorization", R_AUTH, 0), \
			S("+OK Logged in.\r\n", "transaction", R_IDLE, 0)

static const struct trow rows[] = {
	{ "RFC 1939 10 example session", 0, 0, {
		INITIAL("greeting", R_NEW),
		S("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
		    "authorization", R_AUTH, 0),
		C("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", "authorization", R_AUTH, 0),
		S("+OK mrose's maildrop has 2 messages (320 octets)\r\n", "transaction", R_IDLE, 0),
		C("STAT\r\n", "processing", R_PROC, 0),
		S("+OK 2 320\r\n", "transaction", R_IDLE, 0),
		C("LIST\r\n", "processing", R_PROC, 0),
		S("+OK 2 messages (320 octets)\r\n", "response", R_WSML, 0),
		S("1 120\r\n2 200\r\n", "response", R_WSML, 0),
		S(".\r\n", "transaction", R_IDLE, 0),
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK 120 octets\r\n", "response", R_WSML, 120),
		S("From: a@b\r\nSubject: hi\r\n\r\n..stuffed\r\n.x\r\nbody\r\n", "response", R_WSML, 120),
		S(".\r\n", "transaction", R_IDLE, 0),
		C("DELE 1\r\n", "processing", R_PROC, 0),
		S("+OK message 1 deleted\r\n", "transaction", R_IDLE, 0),
		C("RETR 2\r\n", "processing", R_PROC, 0),
		S("+OK 200 octets\r\n.\r\n", "transaction", R_IDLE, 0),
		C("DELE 2\r\n", "processing", R_PROC, 0),
		S("+OK message 2 deleted\r\n", "transaction", R_IDLE, 0),
		C("QU", "command", R_READ, 0),
		C("IT\r\n", "update", R_PROC, 0),
		S("+OK dewey POP3 server signing off (maildrop empty)\r\n", "closed", R_IDLE, 0),
	} },
	{ "pop3s (RFC 8314 3.3): the greeting arrives during the handshake", 0, 0, {
		TLS_IMPLICIT("tls-handshake", R_HAND),
		S(DOVECOT_HELLO, "tls-handshake", R_HAND, 0),
		TLS_DONE("authorization", R_AUTH),
		LOGGED_IN,
	} },
	{ "pop3s: the greeting arrives after the handshake", 0, 0, {
		TLS_IMPLICIT("tls-handshake", R_HAND),
		TLS_DONE("greeting", R_NEW),
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		LOGGED_IN,
		C("LIST\r\n", "processing", R_PROC, 0),
	} },
	{ "dovecot: CAPA, USER/PASS, large RETR by octets", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("CAPA\r\n", "authorization", R_AUTH, 0),
		S(DOVECOT_CAPA, "authorization", R_AUTH, 0),
		LOGGED_IN,
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK 5000000 octets\r\n", "response", R_WLRG, 5000000),
		SREP("0123456789012345678901234567890123456789012345678\r\n", 100000,
		    "response", R_WLRG, 5000000),
		S(".\r\n", "transaction", R_IDLE, 0),
		C("RETR 1", "command", R_READ, 0),
	} },
	{ "size from the LIST listing, threshold 1000", 1000, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		LOGGED_IN,
		C("LIST\r\n", "processing", R_PROC, 0),
		S("+OK 3 messages:\r\n1 5000\r\n2 812\r\n3 1000\r\n.\r\n", "transaction", R_IDLE, 0),
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK message follows\r\n", "response", R_WLRG, 5000),
		S("x\r\n.\r\n", "transaction", R_IDLE, 0),
		C("RETR 2\r\n", "processing", R_PROC, 0),
		S("+OK message follows\r\n", "response", R_WSML, 0),
		S(".\r\n", "transaction", R_IDLE, 0),
		C("TOP 3 0\r\n", "processing", R_PROC, 0),
		S("+OK\r\n", "response", R_WSML, 0),
		S(".\r\n", "transaction", R_IDLE, 0),
		C("TOP 3 10\r\n", "processing", R_PROC, 0),
		S("+OK\r\n", "response", R_WLRG, 1000),
		S(".\r\n", "transaction", R_IDLE, 0),
	} },
	{ "size from LIST n and from STAT of one message", 1000, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		LOGGED_IN,
		C("STAT\r\n", "processing", R_PROC, 0),
		S("+OK 1 7000\r\n", "transaction", R_IDLE, 0),
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK\r\n", "response", R_WLRG, 7000),
		S("a\r\n.\r\n", "transaction", R_IDLE, 0),
		C("LIST 1\r\n", "processing", R_PROC, 0),
		S("+OK 1 9000\r\n", "transaction", R_IDLE, 0),
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK\r\n", "response", R_WLRG, 9000),
		S(".\r\n", "transaction", R_IDLE, 0),
	} },
	{ "pipelined commands (RFC 2449 PIPELINING)", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		LOGGED_IN,
		C("STAT\r\nLIST 1\r\nUIDL\r\nNOOP\r\n", "processing", R_PROC, 0),
		S("+OK 1 5000\r\n+OK 1 5000\r\n", "processing", R_PROC, 0),
		S("+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n", "response", R_WSML, 0),
		S(".\r\n", "processing", R_PROC, 0),
		S("+OK\r\n", "transaction", R_IDLE, 0),
		C("RETR 9\r\n", "processing", R_PROC, 0),
		S("-ERR [NONEXISTENT] No such message.\r\n", "transaction", R_IDLE, 0),
	} },
	{ "STLS (RFC 2595 4)", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("STLS\r\n", "authorization", R_AUTH, 0),
		S("+OK Begin TLS negotiation now.\r\n", "tls-handshake", R_HAND, 0),
		C("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "tls-handshake", R_HAND, 0),
		S("\x16\x03\x03\x00\x7a\x02", "tls-handshake", R_HAND, 0),
		TLS_DONE("authorization", R_AUTH),
		C("CAPA\r\n", "authorization", R_AUTH, 0),
		S(DOVECOT_CAPA, "authorization", R_AUTH, 0),
		LOGGED_IN,
	} },
	{ "AUTH PLAIN with a challenge, then failure and success", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("AUTH PLAIN\r\n", "authorization", R_AUTH, 0),
		S("+ \r\n", "authorization", R_AUTH, 0),
		C("AGFsaWNlAHdyb25n\r\n", "authorization", R_AUTH, 0),
		S("-ERR [AUTH] Authentication failed.\r\n", "authorization", R_AUTH, 0),
		C("AUTH PLAIN\r\n", "authorization", R_AUTH, 0),
		S("+\r\n", "authorization", R_AUTH, 0),
		C("*\r\n", "authorization", R_AUTH, 0),
		S("-ERR Authentication aborted\r\n", "authorization", R_AUTH, 0),
		C("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "authorization", R_AUTH, 0),
		S("+OK Logged in.\r\n", "transaction", R_IDLE, 0),
	} },
	{ "QUIT before login", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("QUIT\r\n", "authorization", R_AUTH, 0),
		S("+OK Logging out\r\n", "closed", R_IDLE, 0),
	} },
	{ "recorded: dovecot POP3 session", 5000, 0, {
		RECS(POP3, 0, "authorization", R_AUTH, 0),
		RECC(POP3, 1, "authorization", R_AUTH, 0),
		RECS(POP3, 2, "authorization", R_AUTH, 0),
		RECC(POP3, 3, "authorization", R_AUTH, 0),
		RECS(POP3, 4, "authorization", R_AUTH, 0),
		RECC(POP3, 5, "authorization", R_AUTH, 0),
		RECS(POP3, 6, "authorization", R_AUTH, 0),
		RECC(POP3, 7, "authorization", R_AUTH, 0),
		RECS(POP3, 8, "authorization", R_AUTH, 0),
		RECC(POP3, 9, "authorization", R_AUTH, 0),
		RECS(POP3, 10, "transaction", R_IDLE, 0),
		RECC(POP3, 11, "processing", R_PROC, 0),
		RECS(POP3, 12, "transaction", R_IDLE, 0),
		RECC(POP3, 13, "processing", R_PROC, 0),
		RECS(POP3, 14, "transaction", R_IDLE, 0),
		RECC(POP3, 15, "processing", R_PROC, 0),
		RECS(POP3, 16, "transaction", R_IDLE, 0),
		RECC(POP3, 17, "processing", R_PROC, 0),
		RECS(POP3, 18, "transaction", R_IDLE, 0),
		RECC(POP3, 19, "processing", R_PROC, 0),
		RECS(POP3, 20, "transaction", R_IDLE, 0),
		RECC(POP3, 21, "processing", R_PROC, 0),
		RECS(POP3, 22, "transaction", R_IDLE, 0),
		RECC(POP3, 23, "processing", R_PROC, 0),
		RECS(POP3, 24, "transaction", R_IDLE, 0),
		RECC(POP3, 25, "processing", R_PROC, 0),
		RECS(POP3, 26, "transaction", R_IDLE, 0),
		RECC(POP3, 27, "processing", R_PROC, 0),
		RECS(POP3, 28, "transaction", R_IDLE, 0),
		RECC(POP3, 29, "update", R_PROC, 0),
		RECS(POP3, 30, "closed", R_IDLE, 0),
	} },
	{ "recorded: dovecot RETR of 6041 octets, split", 5000, 0, {
		RECS(POP3, 0, "authorization", R_AUTH, 0),
		RECC(POP3, 9, "authorization", R_AUTH, 0),
		RECS(POP3, 10, "transaction", R_IDLE, 0),
		RECC(POP3, 23, "processing", R_PROC, 0),
		SN(REC_POP3_24, 100, "response", R_WLRG, 6041),
		SN(REC_POP3_24 + 100, REC_POP3_24_LEN - 100, "transaction", R_IDLE, 0),
	} },
	/* hostile */
	{ "unterminated command over 512", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("USER ", "authorization", R_AUTH, 0),
		CREP("a", 600, ERR),
	} },
	{ "unterminated status line over the limit", 0, 0, {
		SREP("+OK ", 200, ERR),
	} },
	{ "NUL in a command", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		CN("USER a\0b\r\n", 10, ERR),
	} },
	{ "LIST size overflow", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0), LOGGED_IN,
		C("LIST\r\n", "processing", R_PROC, 0),
		S("+OK\r\n1 99999999999999999999\r\n", ERR),
	} },
	{ "negative LIST size", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0), LOGGED_IN,
		C("LIST 1\r\n", "processing", R_PROC, 0),
		S("+OK 1 -5\r\n", ERR),
	} },
	{ "RETR octets overflow", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0), LOGGED_IN,
		C("RETR 1\r\n", "processing", R_PROC, 0),
		S("+OK 99999999999999999999 octets\r\n", ERR),
	} },
	{ "response without command", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		S("+OK surprise\r\n", ERR),
	} },
	{ "garbage status", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("NOOP\r\n", "authorization", R_AUTH, 0),
		S("HELLO THERE\r\n", ERR),
	} },
	{ "refusing greeting", 0, 0, {
		S("-ERR go away\r\n", ERR),
	} },
	{ "too many pipelined commands", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		CREP("NOOP\r\n", 17, ERR),
	} },
	{ "data after QUIT", 0, 0, {
		S(DOVECOT_HELLO, "authorization", R_AUTH, 0),
		C("QUIT\r\n", "authorization", R_AUTH, 0),
		S("+OK Logging out\r\n", "closed", R_IDLE, 0),
		C("NOOP\r\n", ERR),
	} },
};

static void
test_transcripts(void **state)
{
	(void)state;
	track_feed_rows("pop3", rows, sizeof(rows) / sizeof(rows[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
