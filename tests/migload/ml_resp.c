/*
 * ml_resp.c - HTTP/1.x response-head push parser (see ml_resp.h).
 * Follows RFC 9112: status-line = HTTP-version SP status-code SP
 * [reason-phrase] (section 4); field-line = name ":" OWS value OWS
 * (section 5); a bare LF is accepted as a line end (section 2.2).
 * Obsolete line folding is refused (section 5.2).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ml_resp.h"

void
resp_init(struct resp *r)
{
	r->state = RESP_STATUS;
	r->status = r->minor = r->close = r->keepalive = r->has_length = 0;
	r->length = 0;
	r->reason = NULL;
	r->head_len = 0;
	r->fields = 0;
	r->line_len = 0;
}

static void
resp_fail(struct resp *r, const char *why)
{
	r->state = RESP_ERROR;
	r->reason = why;
}

/* status-line (RFC 9112 section 4). */
static void
resp_status_line(struct resp *r, const char *s, size_t n)
{
	int code;

	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)s[7]) ||
	    s[8] != ' ') {
		resp_fail(r, "bad status line");
		return;
	}
	if (!isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]) || (n > 12 && s[12] != ' ')) {
		resp_fail(r, "bad status code");
		return;
	}
	code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (code < 100 || code > 599) {
		resp_fail(r, "status code out of range");
		return;
	}
	r->minor = s[7] - '0';
	r->status = code;
	r->state = RESP_FIELDS;
}

/* Does the comma-separated list v (n bytes) hold token tok? */
static int
resp_has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, tl = strlen(tok), b, e;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		b = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - b == tl && strncasecmp(v + b, tok, tl) == 0)
			return 1;
	}
	return 0;
}

/* Content-Length = 1*DIGIT (RFC 9110 section 8.6); repeats must agree. */
static void
resp_length(struct resp *r, const char *v, size_t n)
{
	uint64_t len = 0;
	size_t i;

	if (n == 0 || n > 15) {
		resp_fail(r, "bad Content-Length");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i])) {
			resp_fail(r, "bad Content-Length");
			return;
		}
		len = len * 10 + (uint64_t)(v[i] - '0');
	}
	if (r->has_length && r->length != len) {
		resp_fail(r, "conflicting Content-Length");
		return;
	}
	r->has_length = 1;
	r->length = len;
}

/* field-line (RFC 9112 section 5). */
static void
resp_field_line(struct resp *r, const char *s, size_t n)
{
	const char *colon, *v;
	size_t nl, vn;

	if (s[0] == ' ' || s[0] == '\t') {
		resp_fail(r, "obsolete line folding");
		return;
	}
	if (++r->fields > RESP_FIELDS_MAX) {
		resp_fail(r, "too many header fields");
		return;
	}
	if ((colon = memchr(s, ':', n)) == NULL || colon == s) {
		resp_fail(r, "bad header field");
		return;
	}
	nl = (size_t)(colon - s);
	if (memchr(s, ' ', nl) != NULL || memchr(s, '\t', nl) != NULL) {
		resp_fail(r, "whitespace in field name");
		return;
	}
	v = colon + 1;
	vn = n - nl - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (nl == 14 && strncasecmp(s, "Content-Length", 14) == 0)
		resp_length(r, v, vn);
	else if (nl == 10 && strncasecmp(s, "Connection", 10) == 0) {
		if (resp_has_token(v, vn, "close"))
			r->close = 1;
		if (resp_has_token(v, vn, "keep-alive"))
			r->keepalive = 1;
	} else if (nl == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0)
		resp_fail(r, "Transfer-Encoding not supported");
}

/* One complete line (without its end). */
static void
resp_line(struct resp *r)
{
	size_t n = r->line_len;

	if (n > 0 && r->line[n - 1] == '\r')
		n--;
	if (memchr(r->line, '\0', n) != NULL) {
		resp_fail(r, "NUL in head");
		return;
	}
	if (r->state == RESP_STATUS) {
		resp_status_line(r, r->line, n);
		return;
	}
	if (n == 0) {
		if (r->status >= 100 && r->status < 200) {
			/* An interim response: its head is skipped (section 4). */
			r->state = RESP_STATUS;
			r->fields = 0;
			return;
		}
		if (r->minor == 0 && !r->keepalive)
			r->close = 1;
		r->state = RESP_DONE;
		return;
	}
	resp_field_line(r, r->line, n);
}

size_t
resp_feed(struct resp *r, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (r->state == RESP_DONE || r->state == RESP_ERROR)
			return i;
		if (++r->head_len > RESP_HEAD_MAX) {
			resp_fail(r, "head too long");
			return i;
		}
		if (buf[i] == '\n') {
			resp_line(r);
			r->line_len = 0;
			continue;
		}
		if (r->line_len >= sizeof(r->line)) {
			resp_fail(r, "line too long");
			return i;
		}
		r->line[r->line_len++] = buf[i];
	}
	return i;
}
