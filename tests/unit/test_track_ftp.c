/*
 * test_track_ftp.c - the FTP control tracker (proto/track_ftp.c).
 * Sessions as vsftpd answers them, RFC 959 reply forms, AUTH TLS (RFC
 * 4217), the data-progress hook, and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "track_feed.h"
#include "track_recorded.h"

#define VSFTPD		S("220 (vsFTPd 3.0.3)\r\n", "login", R_AUTH, 0)
#define LOGIN		C("USER ftp\r\n", "login", R_AUTH, 0), \
			S("331 Please specify the password.\r\n", "login", R_AUTH, 0), \
			C("PASS guest@\r\n", "login", R_AUTH, 0), \
			S("230 Login successful.\r\n", "idle", R_IDLE, 0)

static const struct trow rows[] = {
	{ "vsftpd: login, FEAT, large RETR announced in the 150", 0, 0, {
		INITIAL("greeting", R_NEW),
		VSFTPD, LOGIN,
		C("SYST\r\n", "processing", R_PROC, 0),
		S("215 UNIX Type: L8\r\n", "idle", R_IDLE, 0),
		C("FEAT\r\n", "processing", R_PROC, 0),
		S("211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n",
		    "processing", R_PROC, 0),
		S(" SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n", "idle", R_IDLE, 0),
		C("TYPE I\r\n", "processing", R_PROC, 0),
		S("200 Switching to Binary mode.\r\n", "idle", R_IDLE, 0),
		C("EPSV\r\n", "processing", R_PROC, 0),
		S("229 Entering Extended Passive Mode (|||30001|)\r\n", "idle", R_IDLE, 0),
		C("RETR big.iso\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for big.iso (5000000 bytes).\r\n",
		    "transfer", R_WLRG, 5000000),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("QUIT\r\n", "processing", R_PROC, 0),
		S("221 Goodbye.\r\n", "closed", R_IDLE, 0),
	} },
	{ "size from SIZE (RFC 3659 4)", 0, 0, {
		VSFTPD, LOGIN,
		C("SIZE /pub/big.iso\r\n", "processing", R_PROC, 0),
		S("213 5000000\r\n", "idle", R_IDLE, 0),
		C("RETR /pub/big.iso\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection\r\n", "transfer", R_WLRG, 5000000),
		S("226 Transfer complete\r\n", "idle", R_IDLE, 0),
		C("RETR /pub/other.iso\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection\r\n", "transfer", R_WSML, 0),
		S("226 Transfer complete\r\n", "idle", R_IDLE, 0),
	} },
	{ "small RETR, LIST, STOR", 0, 0, {
		VSFTPD, LOGIN,
		C("RETR README\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for README (1234 bytes).\r\n",
		    "transfer", R_WSML, 1234),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("LIST\r\n", "processing", R_PROC, 0),
		S("150 Here comes the directory listing.\r\n", "transfer", R_WSML, 0),
		S("226 Directory send OK.\r\n", "idle", R_IDLE, 0),
		C("STOR up.bin\r\n", "processing", R_PROC, 0),
		S("150 Ok to send data.\r\n", "transfer", R_READ, 0),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("RETR missing\r\n", "processing", R_PROC, 0),
		S("550 Failed to open file.\r\n", "idle", R_IDLE, 0),
	} },
	{ "ABOR during a transfer (RFC 959 4.1.3)", 0, 0, {
		VSFTPD, LOGIN,
		C("RETR big.iso\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for big.iso (5000000 bytes).\r\n",
		    "transfer", R_WLRG, 5000000),
		C("\xff\xf4\xff\xf2" "ABOR\r\n", "transfer", R_WLRG, 5000000),
		S("426 Failure writing network stream.\r\n", "processing", R_PROC, 0),
		S("226 Abort successful\r\n", "idle", R_IDLE, 0),
	} },
	{ "AUTH TLS (RFC 4217 4)", 0, 0, {
		VSFTPD,
		C("AUTH TLS\r\n", "login", R_AUTH, 0),
		S("234 Proceed with negotiation.\r\n", "tls-handshake", R_HAND, 0),
		C("\x16\x03\x01\x02\x00", "tls-handshake", R_HAND, 0),
		TLS_DONE("login", R_AUTH),
		C("PBSZ 0\r\n", "login", R_AUTH, 0),
		S("200 PBSZ set to 0.\r\n", "login", R_AUTH, 0),
		C("PROT P\r\n", "login", R_AUTH, 0),
		S("200 PROT now Private.\r\n", "login", R_AUTH, 0),
		LOGIN,
	} },
	{ "implicit TLS (port 990): handshake before the greeting", 0, 0, {
		TLS_IMPLICIT("tls-handshake", R_HAND),
		TLS_DONE("greeting", R_NEW),
		VSFTPD,
		C("PBSZ 0\r\n", "login", R_AUTH, 0),
		S("200 PBSZ=0\r\n", "login", R_AUTH, 0),
		LOGIN,
	} },
	{ "REST takes the offset off the announced size (RFC 3659 5)", 1000, 0, {
		VSFTPD, LOGIN,
		C("REST 1500\r\n", "processing", R_PROC, 0),
		S("350 Restart position accepted (1500).\r\n", "idle", R_IDLE, 0),
		C("RETR f\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for f (2000 bytes).\r\n",
		    "transfer", R_WSML, 500),
		FTPDATA(500, "transfer-end", R_PROC, 500),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("RETR f\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for f (2000 bytes).\r\n",
		    "transfer", R_WLRG, 2000),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("REST 100\r\n", "processing", R_PROC, 0),
		S("501 REST not understood.\r\n", "idle", R_IDLE, 0),
		C("RETR f\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for f (2000 bytes).\r\n",
		    "transfer", R_WLRG, 2000),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
	} },
	{ "ALLO announces an upload's size (RFC 959 4.1.3)", 1000, 0, {
		VSFTPD, LOGIN,
		C("ALLO 5000\r\n", "processing", R_PROC, 0),
		S("202 ALLO command ignored.\r\n", "idle", R_IDLE, 0),
		C("STOR up.bin\r\n", "processing", R_PROC, 0),
		S("150 Ok to send data.\r\n", "transfer", R_WLRG, 5000),
		FTPDATA(5000, "transfer-end", R_PROC, 5000),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("STOR up2.bin\r\n", "processing", R_PROC, 0),
		S("150 Ok to send data.\r\n", "transfer", R_READ, 0),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		C("ALLO 10\r\n", "processing", R_PROC, 0),
		S("202 ALLO command ignored.\r\n", "idle", R_IDLE, 0),
		C("STOR small.bin\r\n", "processing", R_PROC, 0),
		S("150 Ok to send data.\r\n", "transfer", R_READ, 10),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
	} },
	{ "data progress from the proxy", 1000, 0, {
		VSFTPD, LOGIN,
		C("RETR f\r\n", "processing", R_PROC, 0),
		S("150 Opening BINARY mode data connection for f (2000 bytes).\r\n",
		    "transfer", R_WLRG, 2000),
		FTPDATA(1500, "transfer", R_WLRG, 2000),
		FTPDATA(500, "transfer-end", R_PROC, 2000),
		S("226 Transfer complete.\r\n", "idle", R_IDLE, 0),
		FTPDATA(100, "idle", R_IDLE, 0),
	} },
	{ "greeting forms: 120 then multi-line 220", 0, 0, {
		S("120 Service ready in 1 minute.\r\n", "greeting", R_NEW, 0),
		S("220-Welcome\r\n220-to the archive\r\n", "greeting", R_NEW, 0),
		S("220 Ready\r\n", "login", R_AUTH, 0),
		C("USER a\r\n", "login", R_AUTH, 0),
		S("530 Login incorrect.\r\n", "login", R_AUTH, 0),
	} },
	{ "REIN and 421", 0, 0, {
		VSFTPD, LOGIN,
		C("REIN\r\n", "processing", R_PROC, 0),
		S("220 Ready\r\n", "login", R_AUTH, 0),
		LOGIN,
		C("NO", "command", R_READ, 0),
		S("421 Timeout.\r\n", "closed", R_IDLE, 0),
	} },
	{ "recorded: ftplib and vsftpd 3.0.3", 100000, 0, {
		RECS(FTP, 0, "login", R_AUTH, 0),
		RECC(FTP, 1, "login", R_AUTH, 0),
		RECS(FTP, 2, "login", R_AUTH, 0),
		RECC(FTP, 3, "login", R_AUTH, 0),
		RECS(FTP, 4, "idle", R_IDLE, 0),
		RECC(FTP, 5, "processing", R_PROC, 0),
		RECS(FTP, 6, "idle", R_IDLE, 0),
		RECC(FTP, 7, "processing", R_PROC, 0),
		RECS(FTP, 8, "idle", R_IDLE, 0),
		RECC(FTP, 9, "processing", R_PROC, 0),
		RECS(FTP, 10, "idle", R_IDLE, 0),
		RECC(FTP, 11, "processing", R_PROC, 0),
		RECS(FTP, 12, "idle", R_IDLE, 0),
		RECC(FTP, 13, "processing", R_PROC, 0),
		RECS(FTP, 14, "idle", R_IDLE, 0),
		RECC(FTP, 15, "processing", R_PROC, 0),
		RECS(FTP, 16, "transfer", R_WLRG, 200000),
		RECS(FTP, 17, "idle", R_IDLE, 0),
		RECC(FTP, 18, "processing", R_PROC, 0),
		RECS(FTP, 19, "idle", R_IDLE, 0),
		RECC(FTP, 20, "processing", R_PROC, 0),
		RECS(FTP, 21, "idle", R_IDLE, 0),
		RECC(FTP, 22, "processing", R_PROC, 0),
		RECS(FTP, 23, "transfer", R_WSML, 0),
		RECS(FTP, 24, "idle", R_IDLE, 0),
		RECC(FTP, 25, "processing", R_PROC, 0),
		RECS(FTP, 26, "idle", R_IDLE, 0),
		RECC(FTP, 27, "processing", R_PROC, 0),
		RECS(FTP, 28, "idle", R_IDLE, 0),
		RECC(FTP, 29, "processing", R_PROC, 0),
		RECS(FTP, 30, "idle", R_IDLE, 0),
		RECC(FTP, 31, "processing", R_PROC, 0),
		RECS(FTP, 32, "closed", R_IDLE, 0),
	} },
	/* hostile */
	{ "unterminated command over the limit", 0, 0, {
		VSFTPD,
		C("USER ", "login", R_AUTH, 0),
		CREP("a", 8200, ERR),
	} },
	{ "NUL in a command", 0, 0, {
		VSFTPD,
		CN("USER a\0\r\n", 9, ERR),
	} },
	{ "150 size overflow", 0, 0, {
		VSFTPD, LOGIN,
		C("RETR f\r\n", "processing", R_PROC, 0),
		S("150 Opening (99999999999999999999 bytes).\r\n", ERR),
	} },
	{ "SIZE overflow", 0, 0, {
		VSFTPD, LOGIN,
		C("SIZE f\r\n", "processing", R_PROC, 0),
		S("213 99999999999999999999\r\n", ERR),
	} },
	{ "negative SIZE", 0, 0, {
		VSFTPD, LOGIN,
		C("SIZE f\r\n", "processing", R_PROC, 0),
		S("213 -5\r\n", ERR),
	} },
	{ "reply without command", 0, 0, {
		VSFTPD, LOGIN,
		S("200 Surprise\r\n", ERR),
	} },
	{ "garbage reply", 0, 0, {
		VSFTPD,
		C("NOOP\r\n", "login", R_AUTH, 0),
		S("hello there\r\n", ERR),
	} },
	{ "refusing greeting", 0, 0, {
		S("500 Go away\r\n", ERR),
	} },
	{ "too many commands in flight", 0, 0, {
		VSFTPD,
		CREP("NOOP\r\n", 9, ERR),
	} },
};

static void
test_transcripts(void **state)
{
	(void)state;
	track_feed_rows("ftp", rows, sizeof(rows) / sizeof(rows[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
