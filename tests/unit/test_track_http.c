/*
 * test_track_http.c - the HTTP/1.x tracker (proto/track_http.c).
 * Transcripts as curl and Apache produce them, RFC 9112's framing cases,
 * and hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "track_feed.h"
#include "track_recorded.h"

#define GET_CURL	"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
#define OK_APACHE(n)	"HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 15:00:00 GMT\r\n" \
			"Server: Apache/2.4.62 (Debian)\r\nLast-Modified: Mon, 02 Nov 2026 10:00:00 GMT\r\n" \
			"ETag: \"29cd-5f0\"\r\nAccept-Ranges: bytes\r\nContent-Length: " n "\r\n" \
			"Vary: Accept-Encoding\r\nContent-Type: text/html\r\n\r\n"

static const struct trow rows[] = {
	{ "curl GET, Apache keep-alive", 0, 0, {
		INITIAL("new", R_NEW),
		C("GET / HT", "request-head", R_READ, 0),
		C("TP/1.1\r\nHost: localhost\r\n", "request-head", R_READ, 0),
		C("User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200", "response-head", R_WSML, 0),
		S(" OK\r\nContent-Length: 10\r\nContent-Type: text/html\r\n\r\n",
		    "response-body", R_WSML, 10),
		S("01234", "response-body", R_WSML, 10),
		S("56789", "idle", R_IDLE, 0),
		C(GET_CURL, "processing", R_PROC, 0),
		S(OK_APACHE("3") "abc", "idle", R_IDLE, 0),
	} },
	{ "large response: Content-Length >= 4 MiB", 0, 0, {
		C(GET_CURL, "processing", R_PROC, 0),
		S(OK_APACHE("4194304"), "response-body", R_WLRG, 4194304),
		SREP("0123456789abcdef", 262143, "response-body", R_WLRG, 4194304),
		S("0123456789abcdef", "idle", R_IDLE, 0),
	} },
	{ "just under the threshold", 0, 0, {
		C(GET_CURL, "processing", R_PROC, 0),
		S(OK_APACHE("4194303"), "response-body", R_WSML, 4194303),
	} },
	{ "pipelined GET, HEAD, GET chunked", 0, 0, {
		C("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
		  "GET /c HTTP/1.1\r\nHost: h\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		    "response-body", R_WSML, 0),
		S("5\r\nhello\r\n", "response-body", R_WSML, 0),
		S("0\r\n\r\n", "idle", R_IDLE, 0),
	} },
	{ "response written while the next request arrives", 100, 0, {
		C("GET /big HTTP/1.1\r\nHost: h\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n", "response-body", R_WLRG, 200),
		C("GET /next HTTP/1.1\r\n", "response-body", R_WLRG, 200),
		SREP("x", 200, "request-head", R_READ, 0),
		C("\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 204 No Content\r\n\r\n", "idle", R_IDLE, 0),
	} },
	{ "HTTP/1.0 without keep-alive closes", 0, 0, {
		C("GET / HTTP/1.0\r\nUser-Agent: Wget/1.21.3\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", "closing", R_IDLE, 0),
		C("GET / HTTP/1.0\r\n\r\n", "closing", R_IDLE, 0),
	} },
	{ "HTTP/1.0 keep-alive", 0, 0, {
		C("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
		    "idle", R_IDLE, 0),
	} },
	{ "Connection: close in a 1.1 request", 0, 0, {
		C("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "closing", R_IDLE, 0),
	} },
	{ "Connection: close in a response", 0, 0, {
		C("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 503 Busy\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n",
		    "closing", R_IDLE, 0),
	} },
	{ "close-delimited body (RFC 9112 6.3 rule 8)", 0, 0, {
		C("GET / HTTP/1.0\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome", "response-body", R_WSML, 0),
		S("more bytes\r\n\r\nHTTP/1.1 200 OK\r\n", "response-body", R_WSML, 0),
	} },
	{ "Transfer-Encoding not chunked in a response: until close", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz", "response-body", R_WSML, 0),
	} },
	{ "Expect: 100-continue upload", 0, 0, {
		C("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
		    "request-body", R_READ, 5),
		S("HTTP/1.1 100 Continue\r\n\r\n", "request-body", R_READ, 5),
		C("hel", "request-body", R_READ, 5),
		C("lo", "processing", R_PROC, 0),
		S("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", "idle", R_IDLE, 0),
	} },
	{ "interim 103 then 200", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!", "idle", R_IDLE, 0),
	} },
	{ "304 and 204 have no body", 0, 0, {
		C("GET / HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\nDELETE /r HTTP/1.1\r\n\r\n",
		    "processing", R_PROC, 0),
		S("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 204 No Content\r\n\r\n", "idle", R_IDLE, 0),
	} },
	{ "chunked upload with extension and trailer", 0, 0, {
		C("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
		    "request-body", R_READ, 0),
		C("4;name=v\r\nWiki\r\n", "request-body", R_READ, 0),
		C("0\r\nX-Checksum: 1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1A\r\n"
		  "abcdefghijklmnopqrstuvwxyz\r\n0\r\nExpires: never\r\n\r\n", "idle", R_IDLE, 0),
	} },
	{ "101 Switching Protocols: tunnel", 0, 0, {
		C("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		    "processing", R_PROC, 0),
		S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "tunnel", R_PROC, 0),
		CN("\x81\x85\0\0\0\0hello", 11, "tunnel", R_PROC, 0),
	} },
	{ "CONNECT: tunnel after 2xx", 0, 0, {
		C("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
		    "processing", R_PROC, 0),
		S("HTTP/1.1 200 Connection established\r\n\r\n", "tunnel", R_PROC, 0),
		C("\x16\x03\x01\x02", "tunnel", R_PROC, 0),
	} },
	{ "CONNECT refused: back to requests", 0, 0, {
		C("CONNECT x:1 HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "idle", R_IDLE, 0),
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
	} },
	{ "leading CRLF and bare LF lines", 0, 0, {
		C("\r\n\nGET / HTTP/1.1\nHost: h\n\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\ncontent-length:4\n\nbody", "idle", R_IDLE, 0),
	} },
	{ "header names in any case, repeated equal lengths", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200\r\nCONTENT-LENGTH: 5\r\ncontent-length:5 \r\n\r\n", "response-body", R_WSML, 5),
		S("12345", "idle", R_IDLE, 0),
	} },
	{ "a long cookie line is fine", 0, 0, {
		C("GET / HTTP/1.1\r\nCookie: ", "request-head", R_READ, 0),
		CREP("abcdefgh", 900, "request-head", R_READ, 0),
		C("\r\n\r\n", "processing", R_PROC, 0),
	} },
	{ "a long target: the version is read from the line's tail", 0, 0, {
		C("HEAD /search?q=", "request-head", R_READ, 0),
		CREP("0123456789", 300, "request-head", R_READ, 0),
		C(" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 7\r\n\r\n",
		    "idle", R_IDLE, 0),
	} },
	{ "TLS from the start (implicit port)", 0, 0, {
		TLS_BEGIN("tls-handshake", R_HAND),
		C("\x16\x03\x01\x00\xa5\x01", "tls-handshake", R_HAND, 0),
		TLS_DONE("new", R_NEW),
		C(GET_CURL, "processing", R_PROC, 0),
	} },
	/* recorded: curl 7.88.1 and Apache 2.4.71 (track_recorded.h) */
	{ "recorded: curl -I, three HEADs on one connection", 0, 0, {
		RECC(HEAD, 0, "processing", R_PROC, 0),
		RECS(HEAD, 1, "idle", R_IDLE, 0),
		RECC(HEAD, 2, "processing", R_PROC, 0),
		RECS(HEAD, 3, "idle", R_IDLE, 0),
		RECC(HEAD, 4, "processing", R_PROC, 0),
		RECS(HEAD, 5, "idle", R_IDLE, 0),
	} },
	{ "recorded: curl --compressed, GET, gzip GET, 404", 0, 0, {
		RECC(GET, 0, "processing", R_PROC, 0),
		RECS(GET, 1, "idle", R_IDLE, 0),
		RECC(GET, 2, "processing", R_PROC, 0),
		RECS(GET, 3, "idle", R_IDLE, 0),
		RECC(GET, 4, "processing", R_PROC, 0),
		RECS(GET, 5, "idle", R_IDLE, 0),
	} },
	{ "recorded: curl POST with Expect: 100-continue", 0, 0, {
		RECC(POST, 0, "request-body", R_READ, 4053),
		RECS(POST, 1, "request-body", R_READ, 4053),
		RECC(POST, 2, "processing", R_PROC, 0),
		RECS(POST, 3, "idle", R_IDLE, 0),
	} },
	{ "recorded: curl -0 (HTTP/1.0), Apache closes", 0, 0, {
		RECC(H10, 0, "processing", R_PROC, 0),
		RECS(H10, 1, "closing", R_IDLE, 0),
	} },
	/* hostile */
	{ "unterminated request line over the limit", 0, 100, {
		C("GET /", "request-head", R_READ, 0),
		CREP("a", 96, ERR),
		C(" HTTP/1.1\r\n\r\n", ERR),
	} },
	{ "unterminated header over the default limit", 0, 0, {
		C("GET / HTTP/1.1\r\nX-Big: ", "request-head", R_READ, 0),
		CREP("y", 9000, ERR),
	} },
	{ "head over 64 KiB", 0, 0, {
		C("GET / HTTP/1.1\r\n", "request-head", R_READ, 0),
		CREP("X-A: b\r\n", 8300, ERR),
	} },
	{ "NUL in the request line", 0, 0, {
		CN("GET /\0 HTTP/1.1\r\n", 17, ERR),
	} },
	{ "NUL in a header", 0, 0, {
		C("GET / HTTP/1.1\r\n", "request-head", R_READ, 0),
		CN("Host: a\0b\r\n", 11, ERR),
	} },
	{ "negative Content-Length", 0, 0, {
		C("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", ERR),
	} },
	{ "Content-Length overflow", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", ERR),
	} },
	{ "Content-Length not a number", 0, 0, {
		C("POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", ERR),
	} },
	{ "conflicting Content-Length", 0, 0, {
		C("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ERR),
	} },
	{ "chunk size overflow", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "response-body", R_WSML, 0),
		S("fffffffffffffffff\r\n", ERR),
	} },
	{ "bad chunk size", 0, 0, {
		C("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ERR),
	} },
	{ "chunk data without CRLF", 0, 0, {
		C("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", ERR),
	} },
	{ "response without request", 0, 0, {
		S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ERR),
		C(GET_CURL, ERR),
	} },
	{ "a second response without request", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "idle", R_IDLE, 0),
		S("HTTP/1.1 200 OK\r\n", ERR),
	} },
	{ "binary garbage from the client", 0, 0, {
		C("\x01\x02\x03 garbage \xff\r\n", ERR),
	} },
	{ "garbage interleaved in a response", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 200 OK\r\n", "response-head", R_WSML, 0),
		S("@@@@ not a header\r\n", ERR),
	} },
	{ "obsolete line folding", 0, 0, {
		C("GET / HTTP/1.1\r\nX-A: b\r\n  c\r\n\r\n", ERR),
	} },
	{ "space before the colon", 0, 0, {
		C("POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", ERR),
	} },
	{ "HTTP/2 preface is not HTTP/1", 0, 0, {
		C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ERR),
	} },
	{ "bad status line", 0, 0, {
		C("GET / HTTP/1.1\r\n\r\n", "processing", R_PROC, 0),
		S("HTTP/1.1 2000 OK\r\n", ERR),
	} },
	{ "request coding not chunked", 0, 0, {
		C("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", ERR),
	} },
	{ "too many pipelined requests", 0, 0, {
		CREP("GET / HTTP/1.1\r\n\r\n", 33, ERR),
	} },
};

static void
test_transcripts(void **state)
{
	(void)state;
	track_feed_rows("http", rows, sizeof(rows) / sizeof(rows[0]));
}

/* Errors are sticky: after one, nothing brings the tracker back. */
static void
test_sticky(void **state)
{
	struct track t;

	(void)state;
	assert_int_equal(track_init(&t, track_lookup("http"), NULL), 0);
	assert_int_equal(track_feed(&t, TRACK_C2S, "BAD\r\n", 5), -1);
	assert_string_equal(track_error(&t), "HTTP: bad request method");
	assert_int_equal(track_feed(&t, TRACK_C2S, GET_CURL, sizeof(GET_CURL) - 1), -1);
	track_tls_begin(&t);
	track_tls_done(&t);
	assert_int_equal(track_reason(&t), WIRE_R_PROCESSING);
	assert_string_equal(track_state_name(&t), "error");
	assert_false(wire_reason_suitable(track_reason(&t)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
		cmocka_unit_test(test_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
