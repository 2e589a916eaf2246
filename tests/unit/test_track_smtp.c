/*
 * test_track_smtp.c - the SMTP tracker (proto/track_smtp.c).  RFC 5321
 * D.1, sessions as Postfix answers them (PIPELINING, SIZE, STARTTLS,
 * AUTH, CHUNKING), and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "track_feed.h"

#define POSTFIX		S("220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n", "greeted", R_NEW, 0)
#define EHLO		C("EHLO client.example.org\r\n", "helo", R_PROC, 0), \
			S("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
			  "250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n" \
			  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n" \
			  "250-SMTPUTF8\r\n250 CHUNKING\r\n", "idle", R_IDLE, 0)

static const struct trow rows[] = {
	{ "RFC 5321 D.1 typical transaction", 0, 0, {
		INITIAL("greeting", R_NEW),
		S("220 foo.com Simple Mail Transfer Service Ready\r\n", "greeted", R_NEW, 0),
		C("EHLO bar.com\r\n", "helo", R_PROC, 0),
		S("250-foo.com greets bar.com\r\n250-8BITMIME\r\n", "helo", R_PROC, 0),
		S("250-SIZE\r\n250-DSN\r\n250 HELP\r\n", "idle", R_IDLE, 0),
		C("MAIL FROM:<Smith@bar.com>\r\n", "transaction", R_PROC, 0),
		S("250 OK\r\n", "transaction", R_READ, 0),
		C("RCPT TO:<Jones@foo.com>\r\n", "transaction", R_PROC, 0),
		S("250 OK\r\n", "transaction", R_READ, 0),
		C("RCPT TO:<Green@foo.com>\r\n", "transaction", R_PROC, 0),
		S("550 No such user here\r\n", "transaction", R_READ, 0),
		C("RCPT TO:<Brown@foo.com>\r\n", "transaction", R_PROC, 0),
		S("250 OK\r\n", "transaction", R_READ, 0),
		C("DATA\r\n", "transaction", R_PROC, 0),
		S("354 Start mail input; end with <CRLF>.<CRLF>\r\n", "data", R_READ, 0),
		C("Blah blah blah...\r\n...etc. etc. etc.\r\n", "data", R_READ, 0),
		C(".\r\n", "transaction", R_PROC, 0),
		S("250 OK\r\n", "idle", R_IDLE, 0),
		C("QUIT\r\n", "processing", R_PROC, 0),
		S("221 foo.com Service closing transmission channel\r\n", "closed", R_IDLE, 0),
	} },
	{ "Postfix: pipelined transaction with SIZE over the threshold", 0, 0, {
		POSTFIX, EHLO,
		C("MAIL FROM:<alice@example.org> SIZE=5000000 BODY=8BITMIME\r\n"
		  "RCPT TO:<bob@example.com>\r\nDATA\r\n", "transaction", R_PROC, 5000000),
		S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n", "transaction", R_PROC, 5000000),
		S("354 End data with <CR><LF>.<CR><LF>\r\n", "data", R_WLRG, 5000000),
		CREP("0123456789012345678901234567890123456789012345678\r\n", 100000,
		    "data", R_WLRG, 5000000),
		C(".\r\n", "transaction", R_PROC, 5000000),
		S("250 2.0.0 Ok: queued as 4Y1Xq52Qz5z9vRb\r\n", "idle", R_IDLE, 0),
	} },
	{ "SIZE under the threshold", 0, 0, {
		POSTFIX, EHLO,
		C("MAIL FROM:<a@b> size=4194303\r\n", "transaction", R_PROC, 4194303),
		S("250 Ok\r\n", "transaction", R_READ, 4194303),
		C("RCPT TO:<c@d>\r\nDATA\r\n", "transaction", R_PROC, 4194303),
		S("250 Ok\r\n354 go\r\n", "data", R_READ, 4194303),
	} },
	{ "STARTTLS (RFC 3207 4.2)", 0, 0, {
		POSTFIX, EHLO,
		C("STARTTLS\r\n", "processing", R_PROC, 0),
		S("220 2.0.0 Ready to start TLS\r\n", "tls-handshake", R_HAND, 0),
		C("\x16\x03\x01\x02\x00", "tls-handshake", R_HAND, 0),
		TLS_DONE("greeted", R_NEW),
		EHLO,
	} },
	{ "AUTH LOGIN (RFC 4954)", 0, 0, {
		POSTFIX, EHLO,
		C("AUTH LOGIN\r\n", "auth", R_AUTH, 0),
		S("334 VXNlcm5hbWU6\r\n", "auth", R_AUTH, 0),
		C("YWxpY2U=\r\n", "auth", R_AUTH, 0),
		S("334 UGFzc3dvcmQ6\r\n", "auth", R_AUTH, 0),
		C("c2VjcmV0\r\n", "auth", R_AUTH, 0),
		S("235 2.7.0 Authentication successful\r\n", "idle", R_IDLE, 0),
		C("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "auth", R_AUTH, 0),
		S("503 5.5.1 Error: already authenticated\r\n", "idle", R_IDLE, 0),
	} },
	{ "BDAT chunks (RFC 3030)", 1000, 0, {
		POSTFIX, EHLO,
		C("MAIL FROM:<a@b> SIZE=2000\r\nRCPT TO:<c@d>\r\n", "transaction", R_PROC, 2000),
		S("250 Ok\r\n250 Ok\r\n", "transaction", R_READ, 2000),
		C("BDAT 1500\r\n", "data", R_WLRG, 2000),
		CREP("x", 1500, "transaction", R_PROC, 2000),
		C("BDAT 500 LAST\r\n", "data", R_WLRG, 2000),
		CREP("y", 500, "transaction", R_PROC, 2000),
		S("250 2.0.0 Ok: 1500 bytes\r\n", "transaction", R_PROC, 2000),
		S("250 2.0.0 Ok: queued\r\n", "idle", R_IDLE, 0),
	} },
	{ "RSET, refused MAIL, refused DATA, HELO", 0, 0, {
		POSTFIX,
		C("HELO old.example\r\n", "helo", R_PROC, 0),
		S("250 mail.example.com\r\n", "idle", R_IDLE, 0),
		C("MAIL FROM:<a@b>\r\n", "transaction", R_PROC, 0),
		S("250 Ok\r\n", "transaction", R_READ, 0),
		C("RSET\r\n", "transaction", R_PROC, 0),
		S("250 Ok\r\n", "idle", R_IDLE, 0),
		C("MAIL FROM:<spam@b>\r\n", "transaction", R_PROC, 0),
		S("553 5.7.1 Sender rejected\r\n", "idle", R_IDLE, 0),
		C("MAIL FROM:<a@b>\r\nDATA\r\n", "transaction", R_PROC, 0),
		S("250 Ok\r\n554 5.5.1 Error: no valid recipients\r\n", "transaction", R_READ, 0),
		C("VRFY", "transaction", R_READ, 0),
		C(" x\r\n", "transaction", R_PROC, 0),
		S("252 2.0.0 x\r\n", "transaction", R_READ, 0),
		C("QUIT\r\n", "transaction", R_PROC, 0),
		S("221 2.0.0 Bye\r\n", "closed", R_IDLE, 0),
	} },
	{ "unsolicited 421", 0, 0, {
		POSTFIX, EHLO,
		S("421 4.4.2 mail.example.com Error: timeout exceeded\r\n", "closed", R_IDLE, 0),
	} },
	/* hostile */
	{ "unterminated command over the limit", 0, 0, {
		POSTFIX,
		C("EHLO ", "greeted", R_NEW, 0),
		CREP("a", 1100, ERR),
	} },
	{ "NUL in a command", 0, 0, {
		POSTFIX,
		CN("EHLO a\0\r\n", 9, ERR),
	} },
	{ "SIZE overflow", 0, 0, {
		POSTFIX, EHLO,
		C("MAIL FROM:<a@b> SIZE=99999999999999999999\r\n", ERR),
	} },
	{ "negative SIZE", 0, 0, {
		POSTFIX, EHLO,
		C("MAIL FROM:<a@b> SIZE=-5\r\n", ERR),
	} },
	{ "BDAT size overflow", 0, 0, {
		POSTFIX, EHLO,
		C("BDAT 99999999999999999999 LAST\r\n", ERR),
	} },
	{ "reply without command", 0, 0, {
		POSTFIX,
		S("250 Ok\r\n", ERR),
	} },
	{ "garbage reply", 0, 0, {
		POSTFIX,
		C("NOOP\r\n", "helo", R_PROC, 0),
		S("+OK wrong protocol\r\n", ERR),
	} },
	{ "reply code changes inside a reply", 0, 0, {
		POSTFIX,
		C("EHLO a\r\n", "helo", R_PROC, 0),
		S("250-a\r\n251 b\r\n", ERR),
	} },
	{ "too many pipelined commands", 0, 0, {
		POSTFIX,
		CREP("NOOP\r\n", 33, ERR),
	} },
};

static void
test_transcripts(void **state)
{
	(void)state;
	track_feed_rows("smtp", rows, sizeof(rows) / sizeof(rows[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
