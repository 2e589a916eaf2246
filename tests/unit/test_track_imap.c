/*
 * test_track_imap.c - the IMAP tracker (proto/track_imap.c).  RFC 3501 8,
 * sessions as dovecot answers them (IDLE, LITERAL+, SASL-IR, STARTTLS),
 * and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "track_feed.h"
#include "track_recorded.h"

#define DOVECOT		S("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE " \
			  "IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n", \
			  "not-authenticated", R_AUTH, 0)
#define LOGIN		C("a1 LOGIN alice secret\r\n", "not-authenticated", R_AUTH, 0), \
			S("a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n", "idle", R_IDLE, 0)

static const struct trow rows[] = {
	{ "RFC 3501 8 sample session", 0, 0, {
		INITIAL("greeting", R_NEW),
		S("* OK IMAP4rev1 Service Ready\r\n", "not-authenticated", R_AUTH, 0),
		C("a001 login mrc secret\r\n", "not-authenticated", R_AUTH, 0),
		S("a001 OK LOGIN completed\r\n", "idle", R_IDLE, 0),
		C("a002 select inbox\r\n", "processing", R_PROC, 0),
		S("* 18 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
		  "* 2 RECENT\r\n* OK [UNSEEN 17] Message 17 is the first unseen message\r\n"
		  "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "processing", R_PROC, 0),
		S("a002 OK [READ-WRITE] SELECT completed\r\n", "idle", R_IDLE, 0),
		C("a004 fetch 12 body[header]\r\n", "processing", R_PROC, 0),
		S("* 12 FETCH (BODY[HEADER] {45}\r\n", "literal-out", R_WSML, 45),
		S("Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n", "processing", R_PROC, 0),
		S(")\r\n", "processing", R_PROC, 0),
		S("a004 OK FETCH completed\r\n", "idle", R_IDLE, 0),
		C("a005 store 12 +flags \\deleted\r\n", "processing", R_PROC, 0),
		S("* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na005 OK +FLAGS completed\r\n",
		    "idle", R_IDLE, 0),
		C("a006 logout\r\n", "processing", R_PROC, 0),
		S("* BYE IMAP4rev1 server terminating connection\r\n", "processing", R_PROC, 0),
		S("a006 OK LOGOUT completed\r\n", "logout", R_IDLE, 0),
	} },
	{ "dovecot: large FETCH literal", 0, 0, {
		DOVECOT, LOGIN,
		C("a2 UID FETCH 5 (BODY.PEEK[])\r\n", "processing", R_PROC, 0),
		S("* 1 FETCH (UID 5 BODY[] {5100000}\r\n", "literal-out", R_WLRG, 5100000),
		SREP("0123456789012345678901234567890123456789012345678\r\n", 100000,
		    "processing", R_PROC, 0),
		S(")\r\na2 OK Fetch completed (0.010 + 0.000 secs).\r\n", "idle", R_IDLE, 0),
	} },
	{ "IDLE (RFC 2177)", 0, 0, {
		DOVECOT, LOGIN,
		C("a3 IDLE\r\n", "processing", R_PROC, 0),
		S("+ idling\r\n", "idling", R_IDLE, 0),
		S("* 4 EXISTS\r\n* 1 RECENT\r\n", "idling", R_IDLE, 0),
		C("DONE\r\n", "processing", R_PROC, 0),
		S("a3 OK Idle completed (0.001 + 5.000 secs).\r\n", "idle", R_IDLE, 0),
	} },
	{ "APPEND: synchronising literal, LITERAL+ large", 1000, 0, {
		DOVECOT, LOGIN,
		C("a4 APPEND INBOX {12}\r\n", "processing", R_PROC, 0),
		S("+ OK\r\n", "literal-in", R_READ, 12),
		C("Subject: x\r\n", "command", R_READ, 0),
		C("\r\n", "processing", R_PROC, 0),
		S("a4 OK [APPENDUID 1 7] Append completed.\r\n", "idle", R_IDLE, 0),
		C("a5 APPEND INBOX (\\Seen) {2000+}\r\n", "literal-in", R_WLRG, 2000),
		CREP("x", 2000, "command", R_READ, 0),
		C("\r\n", "processing", R_PROC, 0),
		S("a5 OK Append completed.\r\n", "idle", R_IDLE, 0),
	} },
	{ "a refused synchronising literal is not sent", 0, 0, {
		DOVECOT, LOGIN,
		C("a6 APPEND INBOX {99999}\r\n", "processing", R_PROC, 0),
		S("a6 NO [OVERQUOTA] Quota exceeded\r\n", "idle", R_IDLE, 0),
		C("a7 NOOP\r\n", "processing", R_PROC, 0),
		S("a7 OK NOOP completed.\r\n", "idle", R_IDLE, 0),
	} },
	{ "STARTTLS (RFC 3501 6.2.1)", 0, 0, {
		DOVECOT,
		C("a1 STARTTLS\r\n", "not-authenticated", R_AUTH, 0),
		S("a1 OK Begin TLS negotiation now.\r\n", "tls-handshake", R_HAND, 0),
		C("\x16\x03\x01\x02\x00", "tls-handshake", R_HAND, 0),
		TLS_DONE("not-authenticated", R_AUTH),
		C("a2 LOGIN alice secret\r\n", "not-authenticated", R_AUTH, 0),
		S("a2 OK Logged in\r\n", "idle", R_IDLE, 0),
	} },
	{ "AUTHENTICATE with a challenge, and SASL-IR", 0, 0, {
		DOVECOT,
		C("a1 AUTHENTICATE PLAIN\r\n", "not-authenticated", R_AUTH, 0),
		S("+ \r\n", "not-authenticated", R_AUTH, 0),
		C("AGFsaWNlAHdyb25n\r\n", "not-authenticated", R_AUTH, 0),
		S("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
		    "not-authenticated", R_AUTH, 0),
		C("a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n", "not-authenticated", R_AUTH, 0),
		S("a2 OK Logged in\r\n", "idle", R_IDLE, 0),
	} },
	{ "LOGIN with literals", 0, 0, {
		DOVECOT,
		C("a1 LOGIN {5}\r\n", "not-authenticated", R_AUTH, 0),
		S("+ OK\r\n", "not-authenticated", R_AUTH, 0),
		C("alice {6}\r\n", "not-authenticated", R_AUTH, 0),
		S("+ OK\r\n", "not-authenticated", R_AUTH, 0),
		C("secret\r\n", "not-authenticated", R_AUTH, 0),
		S("a1 OK Logged in\r\n", "idle", R_IDLE, 0),
	} },
	{ "PREAUTH, out-of-order completion, literal8", 0, 0, {
		S("* PREAUTH IMAP4rev1 server logged in as alice\r\n", "idle", R_IDLE, 0),
		C("a1 NOOP\r\na2 FETCH 1 BINARY[1]\r\n", "processing", R_PROC, 0),
		S("* 1 FETCH (BINARY[1] ~{3}\r\nabc)\r\n", "processing", R_PROC, 0),
		S("a2 OK done\r\n", "processing", R_PROC, 0),
		S("a1 OK done\r\n", "idle", R_IDLE, 0),
		C("a3 NO", "command", R_READ, 0),
	} },
	{ "recorded: dovecot IMAP session", 5000, 0, {
		RECS(IMAP, 0, "not-authenticated", R_AUTH, 0),
		RECC(IMAP, 1, "not-authenticated", R_AUTH, 0),
		RECS(IMAP, 2, "not-authenticated", R_AUTH, 0),
		RECC(IMAP, 3, "not-authenticated", R_AUTH, 0),
		RECS(IMAP, 4, "idle", R_IDLE, 0),
		RECC(IMAP, 5, "processing", R_PROC, 0),
		RECS(IMAP, 6, "idle", R_IDLE, 0),
		RECC(IMAP, 7, "processing", R_PROC, 0),
		RECS(IMAP, 8, "idle", R_IDLE, 0),
		RECC(IMAP, 9, "processing", R_PROC, 0),
		RECS(IMAP, 10, "idle", R_IDLE, 0),
		RECC(IMAP, 11, "processing", R_PROC, 0),
		RECS(IMAP, 12, "idling", R_IDLE, 0),
		RECC(IMAP, 13, "processing", R_PROC, 0),
		RECS(IMAP, 14, "idle", R_IDLE, 0),
		RECC(IMAP, 15, "processing", R_PROC, 0),
		RECS(IMAP, 16, "literal-in", R_READ, 22),
		RECC(IMAP, 17, "processing", R_PROC, 0),
		RECS(IMAP, 18, "idle", R_IDLE, 0),
		RECC(IMAP, 19, "processing", R_PROC, 0),
		RECS(IMAP, 20, "logout", R_IDLE, 0),
	} },
	{ "recorded: dovecot FETCH of 6041 octets, split", 5000, 0, {
		RECS(IMAP, 0, "not-authenticated", R_AUTH, 0),
		RECC(IMAP, 3, "not-authenticated", R_AUTH, 0),
		RECS(IMAP, 4, "idle", R_IDLE, 0),
		RECC(IMAP, 9, "processing", R_PROC, 0),
		SN(REC_IMAP_10, 100, "literal-out", R_WLRG, 6041),
		SN(REC_IMAP_10 + 100, REC_IMAP_10_LEN - 100, "idle", R_IDLE, 0),
	} },
	/* hostile */
	{ "unterminated line over the limit", 0, 0, {
		DOVECOT,
		C("a1 LOGIN ", "not-authenticated", R_AUTH, 0),
		CREP("a", 8200, ERR),
	} },
	{ "NUL in a command", 0, 0, {
		DOVECOT,
		CN("a1 LOGIN a\0 b\r\n", 15, ERR),
	} },
	{ "literal size overflow", 0, 0, {
		DOVECOT, LOGIN,
		C("a2 FETCH 1 BODY[]\r\n", "processing", R_PROC, 0),
		S("* 1 FETCH (BODY[] {99999999999999999999}\r\n", ERR),
	} },
	{ "literal above 32 bits", 0, 0, {
		DOVECOT, LOGIN,
		C("a2 APPEND INBOX {4294967296+}\r\n", ERR),
	} },
	{ "tagged response to no command", 0, 0, {
		DOVECOT, LOGIN,
		S("zz9 OK surprise\r\n", ERR),
	} },
	{ "continuation without command", 0, 0, {
		DOVECOT,
		S("+ go ahead\r\n", ERR),
	} },
	{ "bad greeting", 0, 0, {
		S("220 this is SMTP\r\n", ERR),
	} },
	{ "garbage during IDLE", 0, 0, {
		DOVECOT, LOGIN,
		C("a3 IDLE\r\n", "processing", R_PROC, 0),
		S("+ idling\r\n", "idling", R_IDLE, 0),
		C("a4 NOOP\r\n", ERR),
	} },
	{ "too many commands in flight", 0, 0, {
		DOVECOT, LOGIN,
		CREP("a NOOP\r\n", 17, ERR),
	} },
	{ "command after LOGOUT", 0, 0, {
		DOVECOT, LOGIN,
		C("a9 LOGOUT\r\n", "processing", R_PROC, 0),
		S("* BYE bye\r\na9 OK Logout completed.\r\n", "logout", R_IDLE, 0),
		C("a10 NOOP\r\n", ERR),
	} },
};

static void
test_transcripts(void **state)
{
	(void)state;
	track_feed_rows("imap", rows, sizeof(rows) / sizeof(rows[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
