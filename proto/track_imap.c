/*
 * track_imap.c - IMAP4rev1 tracker (RFC 3501; IDLE RFC 2177, LITERAL+
 * RFC 7888, SASL-IR RFC 4959, literal8 RFC 3516).
 *
 * Client commands are tagged (RFC 3501 2.2.1) and complete, in any order,
 * with a tagged response; pending tags are kept as hashes.  A line that
 * ends with a literal "{n}" (or "{n+}", "~{n}") is followed by n octets
 * and then the rest of the same command or response (RFC 3501 4.3).  A
 * "+" continuation answers the newest command: an IDLE (RFC 2177 3: the
 * server is idling until the client's DONE), an AUTHENTICATE (one SASL
 * line follows) or a synchronising literal (the client may send it).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memrchr */
#endif
#include <string.h>

#include "track.h"

enum imap_phase { I_GREETING = 0, I_NOTAUTH, I_AUTHED, I_CLOSED };

enum imap_kind {
	KI_OTHER = 0,
	KI_LOGIN,
	KI_AUTHENTICATE,
	KI_STARTTLS,
	KI_IDLE,
	KI_LOGOUT,
};

#define IMAP_QMAX	16
/* RFC 4954 4's 12288 octets, the largest SASL line of the mail profiles. */
#define IMAP_SASL_MAX	12288

struct imap_cmd {
	uint8_t	 kind;
	uint64_t tag;		/* track_hash of the tag */
};

struct imap_state {
	uint8_t	 phase;
	uint8_t	 qlen;
	uint8_t	 sasl;		/* the next client line is a SASL response */
	uint8_t	 idling;	/* IDLE accepted, DONE not yet sent */
	uint8_t	 ccont;		/* next client line continues a command */
	uint8_t	 csync;		/* client literal awaits the server's "+" */
	uint8_t	 scont;		/* next server line continues a response */
	uint64_t clit, clit_size;	/* client literal: remaining, size */
	uint64_t slit, slit_size;	/* server literal: remaining, size */
	struct imap_cmd q[IMAP_QMAX];
};

_Static_assert(sizeof(struct imap_state) <= TRACK_PRIV_SIZE, "imap state");

#define ST(t)	((struct imap_state *)(void *)(t)->priv.u64)

/*
 * A literal at the end of a line: "{n}", "{n+}" (LITERAL+), with "~" for
 * literal8.  Returns 1 with *n and *sync set, 0 if none, -1 (failed) if
 * n exceeds RFC 3501's number (32 bits).
 */
static int
imap_literal(struct track *t, const struct track_view *v, uint64_t *n, int *sync)
{
	const char *p = v->p, *b;
	size_t len = v->len;
	int k;

	if (len < 3 || p[len - 1] != '}')
		return 0;
	b = memrchr(p, '{', len);
	if (b == NULL)
		return 0;
	*sync = p[len - 2] != '+';
	k = track_parse_u64(b + 1, (size_t)(p + len - b - 1), n);
	if (k < 0 || (k > 0 && *n > UINT32_MAX))
		return track_fail(t, "IMAP: literal size overflow");
	if (k <= 0 || (size_t)k + (*sync ? 2 : 3) != (size_t)(p + len - b))
		return 0;
	return 1;
}

/* After a client line: is a literal announced? */
static int
imap_client_literal(struct track *t, const struct track_view *v)
{
	struct imap_state *st = ST(t);
	uint64_t n;
	int r, sync;

	r = imap_literal(t, v, &n, &sync);
	if (r < 0)
		return -1;
	st->ccont = r == 1;
	st->clit = st->clit_size = r == 1 ? n : 0;
	st->csync = r == 1 && sync;
	return 0;
}

/* A new command: tag SP command (RFC 3501 6). */
static int
imap_command(struct track *t, const struct track_view *v)
{
	struct imap_state *st = ST(t);
	const char *p = v->p, *sp, *w;
	size_t n;
	uint8_t k = KI_OTHER;

	sp = memchr(p, ' ', v->len);
	if (sp == NULL || sp == p || p[0] == '*' || p[0] == '+')
		return track_fail(t, "IMAP: bad command tag");
	w = sp + 1;
	n = v->len - (size_t)(w - p);
	if (track_word(w, n, "login"))
		k = KI_LOGIN;
	else if (track_word(w, n, "authenticate"))
		k = KI_AUTHENTICATE;
	else if (track_word(w, n, "starttls"))
		k = KI_STARTTLS;
	else if (track_word(w, n, "idle"))
		k = KI_IDLE;
	else if (track_word(w, n, "logout"))
		k = KI_LOGOUT;
	if (st->qlen == IMAP_QMAX)
		return track_fail(t, "IMAP: too many commands in flight");
	st->q[st->qlen].kind = k;
	st->q[st->qlen++].tag = track_hash(p, (size_t)(sp - p));
	return imap_client_literal(t, v);
}

static int
imap_client_line(struct track *t, const struct track_view *v)
{
	struct imap_state *st = ST(t);

	if (st->sasl) {		/* RFC 3501 6.2.2: one line per challenge */
		st->sasl = 0;
		return 0;
	}
	if (st->qlen && st->q[st->qlen - 1].kind == KI_IDLE && !st->ccont) {
		if (!track_word(v->p, v->len, "done") || v->len != 4)
			return track_fail(t, "IMAP: expected DONE during IDLE");
		st->idling = 0;
		st->q[st->qlen - 1].kind = KI_OTHER;	/* awaits its OK */
		return 0;
	}
	if (st->ccont)
		return imap_client_literal(t, v);
	return imap_command(t, v);
}

/* A tagged response completes its command (RFC 3501 7.1). */
static int
imap_tagged(struct track *t, const struct track_view *v)
{
	struct imap_state *st = ST(t);
	const char *sp = memchr(v->p, ' ', v->len);
	uint64_t h;
	unsigned i;
	uint8_t k;
	int ok;

	if (sp == NULL)
		return track_fail(t, "IMAP: bad response line");
	h = track_hash(v->p, (size_t)(sp - v->p));
	for (i = 0; i < st->qlen && st->q[i].tag != h; i++)
		;
	if (i == st->qlen)
		return track_fail(t, "IMAP: response to no command");
	k = st->q[i].kind;
	ok = track_word(sp + 1, v->len - (size_t)(sp + 1 - v->p), "ok");
	if (i == st->qlen - 1u && st->csync) {	/* its literal is refused */
		st->csync = st->ccont = 0;
		st->clit = st->clit_size = 0;
	}
	memmove(&st->q[i], &st->q[i + 1], (st->qlen - i - 1) * sizeof(st->q[0]));
	st->qlen--;
	if (k == KI_AUTHENTICATE || k == KI_IDLE)
		st->sasl = st->idling = 0;
	if (ok && (k == KI_LOGIN || k == KI_AUTHENTICATE))
		st->phase = I_AUTHED;
	else if (ok && k == KI_STARTTLS)
		track_tls_begin(t);
	else if (k == KI_LOGOUT)
		st->phase = I_CLOSED;
	return 0;
}

/* "+" answers the newest command. */
static int
imap_continuation(struct track *t)
{
	struct imap_state *st = ST(t);
	uint8_t k;

	if (st->qlen == 0)
		return track_fail(t, "IMAP: continuation without command");
	k = st->q[st->qlen - 1].kind;
	if (k == KI_IDLE)
		st->idling = 1;
	else if (st->csync)
		st->csync = 0;
	else if (k == KI_AUTHENTICATE)
		st->sasl = 1;
	return 0;
}

static int
imap_server_line(struct track *t, const struct track_view *v)
{
	struct imap_state *st = ST(t);
	uint64_t n;
	int r, sync;

	if (st->phase == I_GREETING) {	/* RFC 3501 7.1: greeting */
		if (track_word(v->p, v->len, "* ok"))
			st->phase = I_NOTAUTH;
		else if (track_word(v->p, v->len, "* preauth"))
			st->phase = I_AUTHED;
		else if (track_word(v->p, v->len, "* bye"))
			st->phase = I_CLOSED;
		else
			return track_fail(t, "IMAP: bad greeting");
		return 0;
	}
	if (!st->scont && v->len >= 1 && v->p[0] == '+')
		return imap_continuation(t);
	if (!st->scont && (v->len < 2 || v->p[0] != '*' || v->p[1] != ' '))
		return imap_tagged(t, v);
	r = imap_literal(t, v, &n, &sync);
	if (r < 0)
		return -1;
	st->scont = r == 1;
	st->slit = st->slit_size = r == 1 ? n : 0;
	return 0;
}

static int
imap_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	struct imap_state *st = ST(t);
	uint64_t *lit = dir == TRACK_C2S ? &st->clit : &st->slit;
	struct track_view v;
	size_t used, max;
	int r;

	while (len > 0 && t->tls != TRACK_TLS_HANDSHAKE) {
		if (st->phase == I_CLOSED && dir == TRACK_C2S)
			return track_fail(t, "IMAP: command after LOGOUT");
		if (*lit > 0 && (dir == TRACK_S2C || !st->csync)) {
			used = *lit < len ? (size_t)*lit : len;
			*lit -= used;
		} else {
			max = dir == TRACK_C2S && st->sasl ? IMAP_SASL_MAX :
			    t->lim.line_max;
			r = track_line_get(t, dir, max, buf, len, &used, &v);
			if (r < 0)
				return -1;
			if (r == 1 && (dir == TRACK_C2S ? imap_client_line(t, &v) :
			    imap_server_line(t, &v)) < 0)
				return -1;
		}
		buf += used;
		len -= used;
	}
	return 0;
}

static void
imap_update(struct track *t)
{
	struct imap_state *st = ST(t);

	if (st->phase == I_GREETING)
		track_set(t, "greeting", WIRE_R_NEW, 0);
	else if (st->phase == I_CLOSED)
		track_set(t, "logout", WIRE_R_IDLE, 0);
	else if (st->phase == I_NOTAUTH)
		track_set(t, "not-authenticated", WIRE_R_AUTH, 0);
	else if (st->slit > 0)
		track_set(t, "literal-out", st->slit_size >= t->lim.threshold ?
		    WIRE_R_WRITING_LARGE : WIRE_R_WRITING_SMALL, st->slit_size);
	else if (st->clit > 0 && !st->csync)
		track_set(t, "literal-in", st->clit_size >= t->lim.threshold ?
		    WIRE_R_WRITING_LARGE : WIRE_R_READING, st->clit_size);
	else if (st->ccont && !st->csync)	/* a literal sent, line to come */
		track_set(t, "command", WIRE_R_READING, 0);
	else if (st->idling && st->qlen == 1)
		track_set(t, "idling", WIRE_R_IDLE, 0);
	else if (st->qlen > 0)
		track_set(t, "processing", WIRE_R_PROCESSING, 0);
	else if (st->ccont || track_line_pending(t, TRACK_C2S))
		track_set(t, "command", WIRE_R_READING, 0);
	else
		track_set(t, "idle", WIRE_R_IDLE, 0);
}

static void
imap_init(struct track *t)
{
	memset(ST(t), 0, sizeof(struct imap_state));
}

/* RFC 3501 6.2.1: after STARTTLS, still not authenticated, no greeting. */
static void
imap_tls_done(struct track *t)
{
	memset(ST(t), 0, sizeof(struct imap_state));
	ST(t)->phase = I_NOTAUTH;
}

/* RFC 7162 4: clients and servers should accept lines of 8192 octets. */
const struct track_proto track_proto_imap = {
	.name = "imap",
	.id = WIRE_P_IMAP,
	.defaults = { .line_max = 8192 },
	.init = imap_init,
	.feed = imap_feed,
	.update = imap_update,
	.tls_done = imap_tls_done,
};
