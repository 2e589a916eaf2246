/*
 * ml_pop3.c - POP3 response push parser (see ml_pop3.h).  Follows RFC
 * 1939: a response is a status indicator ("+OK" or "-ERR") and a text up
 * to CRLF (section 3); a multi-line response goes on with lines ending in
 * CRLF, the lines beginning with "." byte-stuffed with one more ".", and
 * ends with ".CRLF" (section 3); a scan listing is "msg SP octets"
 * (section 5, LIST).  Status, listing and termination lines must end in
 * CRLF; message lines may end in a bare LF (the message's own business).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ml_pop3.h"

void
pop3_init(struct pop3 *p, enum pop3_expect expect)
{
	p->state = POP3_STATUS;
	p->expect = expect;
	p->ok = p->has_octets = 0;
	p->octets = p->data = p->lines = 0;
	p->nlist = 0;
	p->reason = NULL;
	p->bol = p->dot = p->cr = 0;
	p->col = p->line_len = 0;
}

static void
pop3_fail(struct pop3 *p, const char *why)
{
	p->state = POP3_ERROR;
	p->reason = why;
}

/* Decimal digits at *s, at most max; advances *s.  -1 if none or too big. */
static int
pop3_number(const char **s, const char *end, uint64_t max, uint64_t *out)
{
	const char *q = *s;
	uint64_t v = 0;

	if (q == end || !isdigit((unsigned char)*q))
		return -1;
	for (; q < end && isdigit((unsigned char)*q); q++) {
		v = v * 10 + (uint64_t)(*q - '0');
		if (v > max)
			return -1;
	}
	*s = q;
	*out = v;
	return 0;
}

/* The status line, CRLF stripped (section 3). */
static void
pop3_status_line(struct pop3 *p, const char *s, size_t n)
{
	const char *q, *end = s + n;
	uint64_t v;

	if (n >= 3 && memcmp(s, "+OK", 3) == 0 && (n == 3 || s[3] == ' '))
		p->ok = 1;
	else if (n >= 4 && memcmp(s, "-ERR", 4) == 0 && (n == 4 || s[4] == ' '))
		p->ok = 0;
	else {
		pop3_fail(p, "bad status indicator");
		return;
	}
	/* "+OK 120 octets": RETR's customary (not required) size. */
	q = s + 4;
	if (p->ok && n > 4 && pop3_number(&q, end, POP3_SIZE_MAX, &v) == 0 &&
	    (size_t)(end - q) >= 7 && strncasecmp(q, " octets", 7) == 0 &&
	    (q + 7 == end || q[7] == ' ')) {
		p->has_octets = 1;
		p->octets = v;
	}
	if (!p->ok || p->expect == POP3_SINGLE)
		p->state = POP3_DONE;
	else {
		p->state = POP3_DATA;
		p->bol = 1;
	}
}

/* One scan listing, CRLF and stuffing removed (section 5, LIST). */
static void
pop3_listing(struct pop3 *p, const char *s, size_t n)
{
	const char *q = s, *end = s + n;
	uint64_t msg, size;

	if (pop3_number(&q, end, UINT32_MAX, &msg) < 0 || q == end || *q++ != ' ' ||
	    pop3_number(&q, end, POP3_SIZE_MAX, &size) < 0 || (q != end && *q != ' ')) {
		pop3_fail(p, "bad scan listing");
		return;
	}
	if (p->nlist == POP3_LIST_MAX) {
		pop3_fail(p, "too many scan listings");
		return;
	}
	p->list_msg[p->nlist] = (uint32_t)msg;
	p->list_size[p->nlist++] = size;
}

/* A body line ended (its LF consumed). */
static void
pop3_line_end(struct pop3 *p)
{
	if (p->dot && p->col == 3 && p->cr) {	/* ".CRLF": the end */
		p->state = POP3_DONE;
		return;
	}
	if (p->dot && p->col == 2) {
		pop3_fail(p, "bare LF in the termination line");
		return;
	}
	p->data += p->col - (size_t)p->dot;
	p->lines++;
	p->bol = 1;
	if (p->expect != POP3_LISTING)
		return;
	if (!p->cr) {
		pop3_fail(p, "bare LF in a scan listing");
		return;
	}
	pop3_listing(p, p->line, p->line_len - 1);
}

/* Body bytes; returns how many were consumed (fewer only at the end or an error). */
static size_t
pop3_data(struct pop3 *p, const char *buf, size_t len)
{
	const char *lf;
	size_t i = 0, n;

	while (i < len && p->state == POP3_DATA) {
		if (p->bol) {
			p->bol = p->cr = 0;
			p->col = p->line_len = 0;
			p->dot = buf[i] == '.';
			if (p->dot) {
				p->col = 1;
				i++;
				continue;
			}
		}
		lf = memchr(buf + i, '\n', len - i);
		n = lf != NULL ? (size_t)(lf - (buf + i)) + 1 : len - i;
		if (p->col + n > POP3_TEXT_MAX + 1) {	/* + 1: a stuffed dot */
			pop3_fail(p, p->expect == POP3_LISTING ? "scan listing too long" :
			    "message line too long");
			break;
		}
		if (p->expect == POP3_LISTING) {
			if (p->line_len + n > sizeof(p->line)) {
				pop3_fail(p, "scan listing too long");
				break;
			}
			memcpy(p->line + p->line_len, buf + i, n);
			p->line_len += n;
		}
		p->col += n;
		if (lf == NULL) {
			p->cr = buf[len - 1] == '\r';
			i = len;
			break;
		}
		p->cr = n >= 2 ? buf[i + n - 2] == '\r' : p->cr;
		if (p->expect == POP3_LISTING && p->line_len > 0)
			p->line_len--;	/* the LF */
		i += n;
		pop3_line_end(p);
	}
	return i;
}

size_t
pop3_feed(struct pop3 *p, const char *buf, size_t len)
{
	const char *lf;
	size_t n, used = 0;

	if (p->state == POP3_STATUS) {
		lf = memchr(buf, '\n', len);
		n = lf != NULL ? (size_t)(lf - buf) + 1 : len;
		if (p->line_len + n > sizeof(p->line)) {
			pop3_fail(p, "status line too long");
			return 0;
		}
		memcpy(p->line + p->line_len, buf, n);
		p->line_len += n;
		used = n;
		if (lf == NULL)
			return used;
		if (p->line_len < 2 || p->line[p->line_len - 2] != '\r') {
			pop3_fail(p, "bare LF in the status line");
			return used;
		}
		pop3_status_line(p, p->line, p->line_len - 2);
		p->line_len = 0;
	}
	if (p->state == POP3_DATA)
		used += pop3_data(p, buf + used, len - used);
	return used;
}
