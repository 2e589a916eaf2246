/*
 * track_http.c - HTTP/1.0 and HTTP/1.1 tracker (RFC 9112, RFC 9110).
 *
 * A push parser in the style of picohttpparser, written for this purpose
 * rather than built on libhttp-parser: the tracker needs both directions
 * of one connection, a queue of pipelined requests (a HEAD's response has
 * no body), bodies skipped in O(1), and a fixed-size state with no
 * callbacks; it reads only the three fields that decide a message's length
 * and the connection's fate (Content-Length, Transfer-Encoding,
 * Connection).  Lines come from the shared accumulator, zero-copy when a
 * line is whole in the buffer.  States and classes: proto/TRACKERS.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memrchr */
#endif
#include <string.h>

#include "track.h"

/* Phases of one direction's parser. */
enum http_phase {
	HP_START = 0,		/* expecting a request or status line */
	HP_HEAD,		/* header lines */
	HP_BODY,		/* remain body bytes */
	HP_CHUNK_SIZE,		/* chunk-size line (RFC 9112 7.1) */
	HP_CHUNK_DATA,		/* remain chunk bytes */
	HP_CHUNK_END,		/* the CRLF after chunk data */
	HP_TRAILER,		/* trailer section (RFC 9112 7.1.2) */
	HP_UNTIL_CLOSE,		/* close-delimited response body (6.3 rule 8) */
	HP_TUNNEL,		/* after 101 or a 2xx to CONNECT: opaque */
	HP_CLOSED,		/* the connection is being closed: ignored */
};

/* What the header section told about the message being read. */
struct http_msg {
	uint64_t clen;
	uint16_t status;
	uint8_t	 has_clen, te, chunked, close, keep, v11;
};

struct http_side {
	uint8_t	 phase;		/* enum http_phase */
	uint32_t head;		/* bytes of the head (or trailer) so far */
	uint64_t remain;	/* of the body or chunk */
	uint64_t size;		/* announced Content-Length of the body */
	struct http_msg m;
};

/* Flags of an outstanding request. */
#define HQ_HEAD		0x01
#define HQ_CONNECT	0x02
#define HQ_CLOSE	0x04	/* the request asked to close after it */

#define HTTP_QMAX	32	/* pipelined requests awaiting a response */

struct http_state {
	struct http_side side[2];	/* by enum track_dir */
	uint64_t responses;		/* complete final responses */
	uint8_t	 qhead, qlen;
	uint8_t	 q[HTTP_QMAX];
};

_Static_assert(sizeof(struct http_state) <= TRACK_PRIV_SIZE, "http state");

#define ST(t)	((struct http_state *)(void *)(t)->priv.u64)

/* RFC 9110 5.6.2 tchar. */
static const uint8_t http_tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* 1 if p[0..n) equals the lowercase literal lit, ignoring case.  Only
 * for tchar input: (c | 0x20) then maps exactly the letters' cases. */
static int
http_ieq(const char *p, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != lit[i])
			return 0;
	return 1;
}

static void
http_trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t'))
		(*p)++, (*n)--;
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Connection (RFC 9110 7.6.1): a list of tokens; close and keep-alive. */
static void
http_connection(struct http_msg *m, const char *p, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
			i++;
		for (j = i; j < n && p[j] != ',' && p[j] != ' ' && p[j] != '\t'; j++)
			;
		if (j - i == 5 && http_ieq(p + i, "close", 5))
			m->close = 1;
		else if (j - i == 10 && http_ieq(p + i, "keep-alive", 10))
			m->keep = 1;
		i = j;
	}
}

/* Transfer-Encoding (RFC 9112 6.1): is chunked the final coding? */
static int
http_final_chunked(const char *p, size_t n)
{
	if (n < 7 || !http_ieq(p + n - 7, "chunked", 7))
		return 0;
	if (n == 7)
		return 1;
	p += n - 8;
	return *p == ',' || *p == ' ' || *p == '\t';
}

static int
http_content_length(struct track *t, struct http_msg *m, const char *p, size_t n)
{
	uint64_t v;
	int k;

	k = track_parse_u64(p, n, &v);
	if (k <= 0 || (size_t)k != n)
		return track_fail(t, "HTTP: bad Content-Length");
	if (m->has_clen && m->clen != v)
		return track_fail(t, "HTTP: conflicting Content-Length");
	m->has_clen = 1;
	m->clen = v;
	return 0;
}

/* One header field line (RFC 9112 5): only three names matter. */
static int
http_field(struct track *t, struct http_msg *m, const struct track_view *v)
{
	const char *p = v->p, *val;
	size_t i, vn;

	if (p[0] == ' ' || p[0] == '\t')
		return track_fail(t, "HTTP: obsolete line folding");
	for (i = 0; i < v->len && http_tchar[(uint8_t)p[i]]; i++)
		;
	if (i == 0 || i == v->len || p[i] != ':')
		return track_fail(t, "HTTP: bad header field name");
	if (i != 14 && i != 17 && i != 10)
		return 0;
	val = p + i + 1;
	vn = v->len - i - 1;
	if (i == 14 && http_ieq(p, "content-length", 14)) {
		if (v->cut)
			return track_fail(t, "HTTP: Content-Length too long");
		http_trim(&val, &vn);
		return http_content_length(t, m, val, vn);
	}
	if (i == 17 && http_ieq(p, "transfer-encoding", 17)) {
		http_trim(&val, &vn);
		m->te = 1;
		m->chunked = http_final_chunked(val, vn);
	} else if (i == 10 && http_ieq(p, "connection", 10)) {
		if (v->cut)
			return track_fail(t, "HTTP: Connection too long");
		http_connection(m, val, vn);
	}
	return 0;
}

/* Request line (RFC 9112 3): method SP target SP HTTP/1.x */
static int
http_request_line(struct track *t, struct http_side *c, const struct track_view *v)
{
	struct http_state *st = ST(t);
	const char *p = v->p, *sp;
	size_t i;
	uint8_t f = 0;

	for (i = 0; i < v->len && http_tchar[(uint8_t)p[i]]; i++)
		;
	if (i == 0 || i == v->len || p[i] != ' ')
		return track_fail(t, "HTTP: bad request method");
	if (i == 4 && memcmp(p, "HEAD", 4) == 0)
		f |= HQ_HEAD;
	else if (i == 7 && memcmp(p, "CONNECT", 7) == 0)
		f |= HQ_CONNECT;
	sp = memrchr(p, ' ', v->len);
	if (sp == p + i || v->len - (size_t)(sp - p) != 9 ||
	    memcmp(sp + 1, "HTTP/1.", 7) != 0 || (sp[8] != '0' && sp[8] != '1'))
		return track_fail(t, "HTTP: bad request line");
	if (st->qlen == HTTP_QMAX)
		return track_fail(t, "HTTP: too many pipelined requests");
	memset(&c->m, 0, sizeof(c->m));
	c->m.v11 = sp[8] == '1';
	st->q[(st->qhead + st->qlen) % HTTP_QMAX] = f;
	c->phase = HP_HEAD;
	return 0;
}

/* Status line (RFC 9112 4): HTTP/1.x SP 3DIGIT [SP reason] */
static int
http_status_line(struct track *t, struct http_side *s, const struct track_view *v)
{
	const char *p = v->p;

	if (ST(t)->qlen == 0)
		return track_fail(t, "HTTP: response without request");
	if (v->len < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9' || (v->len > 12 && p[12] != ' '))
		return track_fail(t, "HTTP: bad status line");
	memset(&s->m, 0, sizeof(s->m));
	s->m.v11 = p[7] == '1';
	s->m.status = (uint16_t)((p[9] - '0') * 100 + (p[10] - '0') * 10 + p[11] - '0');
	s->phase = HP_HEAD;
	return 0;
}

/* Both directions enter the same final phase (tunnel, closed). */
static void
http_both(struct http_state *st, enum http_phase ph)
{
	st->side[TRACK_C2S].phase = ph;
	st->side[TRACK_S2C].phase = ph;
}

/* A message of direction dir is complete. */
static void
http_message_done(struct http_state *st, enum track_dir dir)
{
	struct http_side *s = &st->side[dir];
	uint8_t f;

	s->phase = HP_START;
	s->size = 0;
	s->head = 0;
	if (dir == TRACK_C2S)
		return;
	f = st->q[st->qhead];
	st->qhead = (st->qhead + 1) % HTTP_QMAX;
	st->qlen--;
	st->responses++;
	/* RFC 9112 9.3: close after this response? */
	if ((f & HQ_CLOSE) || s->m.close || (!s->m.v11 && !s->m.keep))
		http_both(st, HP_CLOSED);
}

/* Request head complete: queue it, find its body (RFC 9112 6.3). */
static int
http_request_done(struct track *t, struct http_state *st, struct http_side *c)
{
	uint8_t *f = &st->q[(st->qhead + st->qlen) % HTTP_QMAX];

	st->qlen++;
	if (c->m.close || (!c->m.v11 && !c->m.keep))
		*f |= HQ_CLOSE;
	if (c->m.te) {
		if (!c->m.chunked)
			return track_fail(t, "HTTP: request coding not chunked");
		c->phase = HP_CHUNK_SIZE;
	} else if (c->m.clen > 0) {
		c->phase = HP_BODY;
		c->remain = c->size = c->m.clen;
	} else
		http_message_done(st, TRACK_C2S);
	/* CONNECT: the client waits for the answer; bytes until then are
	 * the tunnel's (ignored) if it is a 2xx. */
	if ((*f & HQ_CONNECT) && c->phase == HP_START)
		c->phase = HP_TUNNEL;
	return 0;
}

/* Response head complete (RFC 9112 6.3 rules 1-8). */
static void
http_response_done(struct http_state *st, struct http_side *s)
{
	uint8_t f = st->q[st->qhead];
	uint16_t code = s->m.status;

	if ((f & HQ_CONNECT) && code >= 200 && code < 300) {
		http_both(st, HP_TUNNEL);
		return;
	}
	if (f & HQ_CONNECT)
		st->side[TRACK_C2S].phase = HP_START;
	if (code == 101) {
		http_both(st, HP_TUNNEL);
		return;
	}
	if (code < 200) {	/* interim: the final response follows */
		s->phase = HP_START;
		s->head = 0;
		return;
	}
	if ((f & HQ_HEAD) || code == 204 || code == 304)
		http_message_done(st, TRACK_S2C);
	else if (s->m.te)
		s->phase = s->m.chunked ? HP_CHUNK_SIZE : HP_UNTIL_CLOSE;
	else if (s->m.has_clen) {
		s->remain = s->size = s->m.clen;
		s->phase = HP_BODY;
		if (s->remain == 0)
			http_message_done(st, TRACK_S2C);
	} else
		s->phase = HP_UNTIL_CLOSE;
}

/* chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1) */
static int
http_chunk_size(struct track *t, struct http_side *s, const struct track_view *v)
{
	uint64_t n = 0;
	size_t i;
	int d;
	char c;

	for (i = 0; i < v->len; i++) {
		c = v->p[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (i == 15)
			return track_fail(t, "HTTP: chunk size overflow");
		n = n * 16 + (uint64_t)d;
	}
	if (i == 0 || (i < v->len && c != ';' && c != ' ' && c != '\t'))
		return track_fail(t, "HTTP: bad chunk size");
	s->remain = n;
	s->phase = n ? HP_CHUNK_DATA : HP_TRAILER;
	s->head = 0;
	return 0;
}

/* One complete line in direction dir. */
static int
http_line(struct track *t, enum track_dir dir, const struct track_view *v)
{
	struct http_state *st = ST(t);
	struct http_side *s = &st->side[dir];

	switch (s->phase) {
	case HP_START:
		if (v->len == 0)	/* RFC 9112 2.2: ignore a leading CRLF */
			return dir == TRACK_C2S ? 0 :
			    track_fail(t, "HTTP: empty status line");
		return dir == TRACK_C2S ? http_request_line(t, s, v) :
		    http_status_line(t, s, v);
	case HP_HEAD:
		if (v->len > 0)
			return http_field(t, &s->m, v);
		if (dir == TRACK_C2S)
			return http_request_done(t, st, s);
		http_response_done(st, s);
		return 0;
	case HP_CHUNK_SIZE:
		return http_chunk_size(t, s, v);
	case HP_CHUNK_END:
		if (v->len != 0)
			return track_fail(t, "HTTP: no CRLF after chunk data");
		s->phase = HP_CHUNK_SIZE;
		return 0;
	case HP_TRAILER:
		if (v->len == 0)
			http_message_done(st, dir);
		else if (memchr(v->p, ':', v->len) == NULL)
			return track_fail(t, "HTTP: bad trailer field");
		return 0;
	}
	return track_fail(t, "HTTP: internal phase");
}

static int
http_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	struct http_state *st = ST(t);
	struct http_side *s = &st->side[dir];
	struct track_view v;
	size_t used;
	int r;

	while (len > 0) {
		switch (s->phase) {
		case HP_BODY:
		case HP_CHUNK_DATA:
			used = s->remain < len ? (size_t)s->remain : len;
			s->remain -= used;
			if (s->remain == 0) {
				if (s->phase == HP_BODY)
					http_message_done(st, dir);
				else
					s->phase = HP_CHUNK_END;
			}
			break;
		case HP_UNTIL_CLOSE:
		case HP_TUNNEL:
		case HP_CLOSED:
			return 0;
		default:
			r = track_line_get(t, dir, t->lim.line_max, buf, len, &used, &v);
			if (r < 0)
				return -1;
			/* Heads and trailers count against header_max. */
			if (s->phase == HP_HEAD || s->phase == HP_TRAILER ||
			    (s->phase == HP_START && (r == 0 || v.len > 0))) {
				s->head += (uint32_t)used;
				if (s->head > t->lim.header_max)
					return track_fail(t, "HTTP: head too large");
			}
			if (r == 1 && http_line(t, dir, &v) == -1)
				return -1;
			break;
		}
		buf += used;
		len -= used;
	}
	return 0;
}

static int
http_busy(const struct track *t, const struct http_side *s, enum track_dir dir)
{
	return s->phase != HP_START || track_line_pending(t, dir);
}

static void
http_update(struct track *t)
{
	struct http_state *st = ST(t);
	struct http_side *c = &st->side[TRACK_C2S], *s = &st->side[TRACK_S2C];

	if (s->phase == HP_TUNNEL)
		track_set(t, "tunnel", WIRE_R_PROCESSING, 0);
	else if (s->phase == HP_CLOSED)
		track_set(t, "closing", WIRE_R_IDLE, 0);
	else if (http_busy(t, s, TRACK_S2C)) {
		if (s->phase == HP_START || s->phase == HP_HEAD)
			track_set(t, "response-head", WIRE_R_WRITING_SMALL, 0);
		else
			track_set(t, "response-body", s->size >= t->lim.threshold ?
			    WIRE_R_WRITING_LARGE : WIRE_R_WRITING_SMALL, s->size);
	} else if (c->phase == HP_TUNNEL)
		track_set(t, "processing", WIRE_R_PROCESSING, 0);
	else if (http_busy(t, c, TRACK_C2S))
		track_set(t, (c->phase == HP_START || c->phase == HP_HEAD) ?
		    "request-head" : "request-body", WIRE_R_READING, c->size);
	else if (st->qlen > 0)
		track_set(t, "processing", WIRE_R_PROCESSING, 0);
	else if (st->responses > 0)
		track_set(t, "idle", WIRE_R_IDLE, 0);
	else
		track_set(t, "new", WIRE_R_NEW, 0);
}

static void
http_init(struct track *t)
{
	memset(ST(t), 0, sizeof(struct http_state));
}

/* HTTP over TLS (Upgrade: TLS, RFC 2817, or an implicit-TLS port): after
 * the handshake nothing has been exchanged yet. */
static void
http_tls_done(struct track *t)
{
	uint64_t responses = ST(t)->responses;

	http_init(t);
	ST(t)->responses = responses;
}

/* RFC 9112 3: at least 8000 octets of request line; 64 KiB of head. */
const struct track_proto track_proto_http = {
	.name = "http",
	.id = WIRE_P_HTTP,
	.defaults = { .line_max = 8192, .header_max = 65536 },
	.init = http_init,
	.feed = http_feed,
	.update = http_update,
	.tls_done = http_tls_done,
};
