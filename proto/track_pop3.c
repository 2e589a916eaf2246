/*
 * track_pop3.c - POP3 tracker (RFC 1939, extensions RFC 2449, STLS
 * RFC 2595, AUTH RFC 5034).
 *
 * Client lines are commands (queued: RFC 2449 PIPELINING allows several
 * in flight) unless a SASL exchange is in progress.  Each command gets one
 * status line, "+OK" or "-ERR"; after "+OK" some are followed by a
 * multi-line body ended by "." (RFC 1939 3), scanned without buffering.
 * Message sizes come from "+OK n octets" (RETR), "LIST n", the LIST
 * listing and STAT when the maildrop holds one message; only sizes at or
 * above the threshold are kept (POP3_BIG of them), as only they matter.
 */
#include <string.h>

#include "track.h"

enum pop3_phase { P3_GREETING = 0, P3_AUTHZ, P3_TRANS, P3_CLOSED };

enum pop3_kind {
	K3_OTHER = 0,	/* single-line answer */
	K3_MULTI,	/* multi-line on +OK: CAPA, UIDL, AUTH (no argument) */
	K3_LIST,	/* LIST: multi-line, parsed */
	K3_LIST1,	/* LIST n */
	K3_STAT,
	K3_RETR,
	K3_TOP,
	K3_LOGIN,	/* PASS, APOP: +OK enters TRANSACTION */
	K3_AUTH,	/* AUTH mech: SASL exchange, +OK enters TRANSACTION */
	K3_STLS,
	K3_QUIT,
};

#define POP3_QMAX	16
#define POP3_BIG	16
/* RFC 4954 4's 12288 octets, the largest SASL line of the mail profiles. */
#define POP3_SASL_MAX	12288

struct pop3_cmd {
	uint8_t	 kind;
	uint8_t	 top0;		/* TOP n 0: headers only */
	uint32_t msg;
};

struct pop3_state {
	uint8_t	 phase;
	uint8_t	 sasl;		/* client lines are SASL responses */
	uint8_t	 multi;		/* a multi-line body is being received */
	uint8_t	 mlist;		/* ... of LIST, parsed line by line */
	uint8_t	 dot;		/* track_dot_scan state */
	uint8_t	 big_over;	/* more large messages than POP3_BIG */
	uint8_t	 nbig;
	uint8_t	 qhead, qlen;
	uint8_t	 xkind;		/* kind of the multi-line in progress */
	uint64_t xsize;		/* its announced size, or 0 */
	struct pop3_cmd q[POP3_QMAX];
	struct { uint32_t msg; uint64_t size; } big[POP3_BIG];
};

_Static_assert(sizeof(struct pop3_state) <= TRACK_PRIV_SIZE, "pop3 state");

#define ST(t)	((struct pop3_state *)(void *)(t)->priv.u64)

/* Remember a message's size if it is large. */
static void
pop3_note(struct track *t, uint32_t msg, uint64_t size)
{
	struct pop3_state *st = ST(t);
	unsigned i;

	if (size < t->lim.threshold)
		return;
	for (i = 0; i < st->nbig; i++)
		if (st->big[i].msg == msg)
			break;
	if (i == POP3_BIG) {
		st->big_over = 1;
		return;
	}
	st->big[i].msg = msg;
	st->big[i].size = size;
	if (i == st->nbig)
		st->nbig++;
}

static uint64_t
pop3_size_of(struct pop3_state *st, uint32_t msg)
{
	unsigned i;

	for (i = 0; i < st->nbig; i++)
		if (st->big[i].msg == msg)
			return st->big[i].size;
	return 0;
}

/*
 * "n size" at p (a scan listing, RFC 1939 5 LIST and STAT; more text may
 * follow).  Returns 0 with both set, -1 (failed) if malformed or a number
 * is out of range.
 */
static int
pop3_pair(struct track *t, const char *p, size_t n, uint64_t *a, uint64_t *b)
{
	int k, j;

	k = track_parse_u64(p, n, a);
	if (k <= 0 || (size_t)k >= n || p[k] != ' ' || *a > UINT32_MAX)
		return track_fail(t, "POP3: bad scan listing");
	j = track_parse_u64(p + k + 1, n - (size_t)k - 1, b);
	if (j <= 0)
		return track_fail(t, "POP3: bad scan listing");
	return 0;
}

/* A client command line (RFC 1939 3: keyword, arguments). */
static int
pop3_command(struct track *t, const struct track_view *v)
{
	struct pop3_state *st = ST(t);
	struct pop3_cmd c = { K3_OTHER, 0, 0 };
	const char *arg = NULL;
	uint64_t a = 0;
	size_t an = 0, sp;

	for (sp = 0; sp < v->len && v->p[sp] != ' '; sp++)
		;
	if (sp < v->len) {
		arg = v->p + sp + 1;
		an = v->len - sp - 1;
	}
	if ((track_word(v->p, sp, "retr") || track_word(v->p, sp, "top") ||
	    track_word(v->p, sp, "list")) && arg != NULL &&
	    track_parse_u64(arg, an, &a) < 0)
		return track_fail(t, "POP3: number overflow");
	if (track_word(v->p, sp, "retr"))
		c.kind = K3_RETR;
	else if (track_word(v->p, sp, "top")) {
		c.kind = K3_TOP;
		/* TOP msg n: n = 0 sends only the headers */
		c.top0 = arg != NULL && an >= 3 && arg[an - 2] == ' ' && arg[an - 1] == '0';
	} else if (track_word(v->p, sp, "list"))
		c.kind = arg ? K3_LIST1 : K3_LIST;
	else if (track_word(v->p, sp, "uidl") || track_word(v->p, sp, "capa"))
		c.kind = arg ? K3_OTHER : K3_MULTI;
	else if (track_word(v->p, sp, "stat"))
		c.kind = K3_STAT;
	else if (track_word(v->p, sp, "pass") || track_word(v->p, sp, "apop"))
		c.kind = K3_LOGIN;
	else if (track_word(v->p, sp, "auth")) {
		c.kind = arg ? K3_AUTH : K3_MULTI;
		st->sasl = arg != NULL;
	} else if (track_word(v->p, sp, "stls"))
		c.kind = K3_STLS;
	else if (track_word(v->p, sp, "quit"))
		c.kind = K3_QUIT;
	c.msg = a > UINT32_MAX ? 0 : (uint32_t)a;
	if (st->qlen == POP3_QMAX)
		return track_fail(t, "POP3: too many pipelined commands");
	st->q[(st->qhead + st->qlen++) % POP3_QMAX] = c;
	return 0;
}

/* +OK to a command that is followed by a multi-line body. */
static int
pop3_multi(struct track *t, const struct pop3_cmd *c, const struct track_view *v)
{
	struct pop3_state *st = ST(t);
	uint64_t n = 0;
	int k;

	st->multi = 1;
	st->mlist = c->kind == K3_LIST;
	st->dot = 0;
	st->xkind = c->kind;
	st->xsize = 0;
	if (c->kind == K3_RETR) {
		/* "+OK 120 octets" (RFC 1939 7 example, dovecot) */
		k = v->len > 4 ? track_parse_u64(v->p + 4, v->len - 4, &n) : 0;
		if (k < 0)
			return track_fail(t, "POP3: size overflow");
		if (k > 0 && 4 + (size_t)k + 1 < v->len &&
		    track_word(v->p + 4 + k + 1, v->len - 4 - k - 1, "octets"))
			st->xsize = n;
		else
			st->xsize = pop3_size_of(st, c->msg);
	} else if (c->kind == K3_TOP && !c->top0)
		st->xsize = pop3_size_of(st, c->msg);
	return 0;
}

/* A status line answering the oldest command. */
static int
pop3_status(struct track *t, const struct track_view *v)
{
	struct pop3_state *st = ST(t);
	struct pop3_cmd c;
	uint64_t a = 0, b = 0;
	int ok = track_word(v->p, v->len, "+ok");

	if (!ok && !track_word(v->p, v->len, "-err"))
		return track_fail(t, "POP3: bad status line");
	if (st->qlen == 0)
		return track_fail(t, "POP3: response without command");
	c = st->q[st->qhead];
	st->qhead = (st->qhead + 1) % POP3_QMAX;
	st->qlen--;
	if (c.kind == K3_AUTH)
		st->sasl = 0;
	if (!ok)
		return 0;
	switch (c.kind) {
	case K3_LOGIN:
	case K3_AUTH:
		st->phase = P3_TRANS;
		break;
	case K3_STLS:
		track_tls_begin(t);
		break;
	case K3_QUIT:
		st->phase = P3_CLOSED;
		break;
	case K3_STAT:
	case K3_LIST1:
		if (pop3_pair(t, v->p + 3 + (v->len > 3), v->len - 3 - (v->len > 3), &a, &b) < 0)
			return -1;
		if (c.kind == K3_LIST1 || a == 1)
			pop3_note(t, c.kind == K3_STAT ? 1 : (uint32_t)a, b);
		break;
	case K3_OTHER:
		break;
	default:
		return pop3_multi(t, &c, v);
	}
	return t->failed ? -1 : 0;
}

/* One complete server line. */
static int
pop3_server_line(struct track *t, const struct track_view *v)
{
	struct pop3_state *st = ST(t);
	uint64_t a, b;

	if (st->mlist) {	/* a LIST scan listing line, or "." */
		if (v->len == 1 && v->p[0] == '.') {
			st->multi = st->mlist = 0;
			return 0;
		}
		if (pop3_pair(t, v->p, v->len, &a, &b) < 0)
			return -1;
		pop3_note(t, (uint32_t)a, b);
		return 0;
	}
	if (st->phase == P3_GREETING) {
		if (!track_word(v->p, v->len, "+ok"))
			return track_fail(t, "POP3: no +OK greeting");
		st->phase = P3_AUTHZ;
		return 0;
	}
	/* RFC 5034 4: a SASL challenge is "+ " and base64. */
	if (st->sasl && st->qlen > 0 && v->len >= 1 && v->p[0] == '+' &&
	    (v->len == 1 || v->p[1] == ' '))
		return 0;
	return pop3_status(t, v);
}

static int
pop3_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	struct pop3_state *st = ST(t);
	struct track_view v;
	size_t used, max;
	int r, done;

	while (len > 0 && t->tls != TRACK_TLS_HANDSHAKE) {
		if (dir == TRACK_S2C && st->multi && !st->mlist) {
			used = track_dot_scan(&st->dot, buf, len, &done);
			if (done)
				st->multi = 0;
		} else {
			if (st->phase == P3_CLOSED)
				return track_fail(t, "POP3: data after QUIT");
			max = dir == TRACK_C2S && st->sasl ? POP3_SASL_MAX :
			    t->lim.line_max;
			r = track_line_get(t, dir, max, buf, len, &used, &v);
			if (r < 0)
				return -1;
			if (r == 1 && dir == TRACK_S2C && pop3_server_line(t, &v) < 0)
				return -1;
			if (r == 1 && dir == TRACK_C2S && !st->sasl &&
			    pop3_command(t, &v) < 0)
				return -1;
		}
		buf += used;
		len -= used;
	}
	return 0;
}

static void
pop3_update(struct track *t)
{
	struct pop3_state *st = ST(t);

	switch (st->phase) {
	case P3_GREETING:
		track_set(t, "greeting", WIRE_R_NEW, 0);
		return;
	case P3_CLOSED:
		track_set(t, "closed", WIRE_R_IDLE, 0);
		return;
	case P3_AUTHZ:
		track_set(t, "authorization", WIRE_R_AUTH, 0);
		return;
	}
	if (st->multi)
		track_set(t, "response", (st->xkind == K3_RETR || st->xkind == K3_TOP) &&
		    st->xsize >= t->lim.threshold ? WIRE_R_WRITING_LARGE :
		    WIRE_R_WRITING_SMALL, st->xsize);
	else if (st->qlen > 0)
		track_set(t, st->q[st->qhead].kind == K3_QUIT ? "update" :
		    "processing", WIRE_R_PROCESSING, 0);
	else if (track_line_pending(t, TRACK_C2S))
		track_set(t, "command", WIRE_R_READING, 0);
	else
		track_set(t, "transaction", WIRE_R_IDLE, 0);
}

static void
pop3_init(struct track *t)
{
	memset(ST(t), 0, sizeof(struct pop3_state));
}

/* RFC 2595 4: after STLS the session stays in AUTHORIZATION, no new
 * greeting; commands sent before are forgotten. */
static void
pop3_tls_done(struct track *t)
{
	struct pop3_state *st = ST(t);

	st->qlen = st->qhead = 0;
	st->sasl = st->multi = st->mlist = 0;
	st->phase = P3_AUTHZ;
}

/* RFC 2449 4: responses up to 512 octets, CRLF included. */
const struct track_proto track_proto_pop3 = {
	.name = "pop3",
	.id = WIRE_P_POP3,
	.defaults = { .line_max = 512 },
	.init = pop3_init,
	.feed = pop3_feed,
	.update = pop3_update,
	.tls_done = pop3_tls_done,
};
