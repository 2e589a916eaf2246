/*
 * track_smtp.c - SMTP tracker (RFC 5321; SIZE RFC 1870, PIPELINING
 * RFC 2920, CHUNKING RFC 3030, STARTTLS RFC 3207, AUTH RFC 4954).
 *
 * Commands are queued (PIPELINING); every command gets one final reply,
 * multi-line as "ddd-" ... "ddd " (RFC 5321 4.2.1).  Two replies are
 * intermediate: 334 (AUTH challenge; the client answers with one SASL
 * line) and 354 (DATA: the client sends the message, dot-stuffed, up to
 * "." - then that end-of-data awaits its own final reply).  BDAT chunks
 * are counted, not scanned.  The transaction's announced size is the
 * MAIL FROM SIZE= parameter (RFC 1870 6).
 */
#include <string.h>

#include "track.h"

enum smtp_phase { S_GREETING = 0, S_GREETED, S_SESSION, S_CLOSED };

enum smtp_kind {
	KS_OTHER = 0,
	KS_CONNECT,	/* pseudo-command: the greeting answers it */
	KS_HELO,	/* HELO, EHLO */
	KS_AUTH,
	KS_STARTTLS,
	KS_MAIL,
	KS_DATA,
	KS_DOT,		/* pseudo-command: end of DATA */
	KS_BDAT,
	KS_BDAT_LAST,
	KS_RSET,
	KS_QUIT,
};

#define SMTP_QMAX	32
/* RFC 4954 4: a SASL response line may be up to 12288 octets. */
#define SMTP_SASL_MAX	12288

struct smtp_state {
	uint8_t	 phase;
	uint8_t	 qhead, qlen;
	uint8_t	 sasl;		/* the next client line is a SASL response */
	uint8_t	 txn;		/* a mail transaction is open */
	uint8_t	 data;		/* the client is sending DATA */
	uint8_t	 dot;		/* track_dot_scan state */
	uint16_t mcode;		/* code of the multi-line reply in progress */
	uint64_t size;		/* SIZE= of the transaction, or 0 */
	uint64_t bdat;		/* bytes of the BDAT chunk still to come */
	uint8_t	 q[SMTP_QMAX];
};

_Static_assert(sizeof(struct smtp_state) <= TRACK_PRIV_SIZE, "smtp state");

#define ST(t)	((struct smtp_state *)(void *)(t)->priv.u64)

static int
smtp_push(struct track *t, uint8_t kind)
{
	struct smtp_state *st = ST(t);

	if (st->qlen == SMTP_QMAX)
		return track_fail(t, "SMTP: too many pipelined commands");
	st->q[(st->qhead + st->qlen++) % SMTP_QMAX] = kind;
	return 0;
}

/* MAIL FROM:<path> [SP params]: find SIZE=n (RFC 1870 6). */
static int
smtp_mail(struct track *t, const struct track_view *v)
{
	struct smtp_state *st = ST(t);
	size_t i;
	int k;

	st->txn = 1;
	st->size = 0;
	for (i = 0; i + 6 <= v->len; i++) {
		if (v->p[i] != ' ' || !track_word(v->p + i + 1, 4, "size") ||
		    v->p[i + 5] != '=')
			continue;
		k = track_parse_u64(v->p + i + 6, v->len - i - 6, &st->size);
		if (k <= 0)
			return track_fail(t, "SMTP: bad SIZE parameter");
	}
	return smtp_push(t, KS_MAIL);
}

/* BDAT chunk-size [SP LAST] (RFC 3030 2). */
static int
smtp_bdat(struct track *t, const char *arg, size_t n)
{
	struct smtp_state *st = ST(t);
	uint64_t sz;
	int k;

	k = track_parse_u64(arg, n, &sz);
	if (k <= 0)
		return track_fail(t, "SMTP: bad BDAT size");
	st->bdat = sz;
	st->txn = 1;
	return smtp_push(t, (size_t)k + 5 <= n &&
	    track_word(arg + k + 1, n - (size_t)k - 1, "last") ? KS_BDAT_LAST : KS_BDAT);
}

/* A command line (RFC 5321 4.1.1). */
static int
smtp_command(struct track *t, const struct track_view *v)
{
	const char *p = v->p;
	size_t sp;

	for (sp = 0; sp < v->len && p[sp] != ' '; sp++)
		;
	if (track_word(p, sp, "ehlo") || track_word(p, sp, "helo"))
		return smtp_push(t, KS_HELO);
	if (track_word(p, sp, "mail"))
		return smtp_mail(t, v);
	if (track_word(p, sp, "data"))
		return smtp_push(t, KS_DATA);
	if (track_word(p, sp, "bdat"))
		return sp < v->len ? smtp_bdat(t, p + sp + 1, v->len - sp - 1) :
		    track_fail(t, "SMTP: bad BDAT size");
	if (track_word(p, sp, "auth"))
		return smtp_push(t, KS_AUTH);
	if (track_word(p, sp, "starttls"))
		return smtp_push(t, KS_STARTTLS);
	if (track_word(p, sp, "rset"))
		return smtp_push(t, KS_RSET);
	if (track_word(p, sp, "quit"))
		return smtp_push(t, KS_QUIT);
	return smtp_push(t, KS_OTHER);
}

/* A complete reply with code for the oldest command. */
static int
smtp_reply(struct track *t, unsigned code)
{
	struct smtp_state *st = ST(t);
	uint8_t k = st->q[st->qhead];

	if (k == KS_AUTH && code == 334) {	/* challenge: stays pending */
		st->sasl = 1;
		return 0;
	}
	st->qhead = (st->qhead + 1) % SMTP_QMAX;
	st->qlen--;
	switch (k) {
	case KS_CONNECT:
		if (code != 220)
			return track_fail(t, "SMTP: no 220 greeting");
		st->phase = S_GREETED;
		break;
	case KS_HELO:	/* RFC 5321 4.1.4: also resets any transaction */
		if (code == 250) {
			st->phase = S_SESSION;
			st->txn = 0;
		}
		break;
	case KS_AUTH:
		st->sasl = 0;
		break;
	case KS_STARTTLS:
		if (code == 220)
			track_tls_begin(t);
		break;
	case KS_MAIL:
		if (code / 100 != 2)
			st->txn = 0;
		break;
	case KS_DATA:
		st->data = code == 354;
		st->dot = 0;
		break;
	case KS_DOT:
	case KS_BDAT_LAST:
	case KS_RSET:
		st->txn = 0;
		break;
	case KS_QUIT:
		if (code == 221)
			st->phase = S_CLOSED;
		break;
	}
	return 0;
}

/* One server line (RFC 5321 4.2: code, "-" or SP, text). */
static int
smtp_reply_line(struct track *t, const struct track_view *v)
{
	struct smtp_state *st = ST(t);
	unsigned code;
	int more;

	if ((code = track_reply_code(v, '2', &more)) == 0)
		return track_fail(t, "SMTP: bad reply line");
	if (st->mcode && code != st->mcode)
		return track_fail(t, "SMTP: reply code changed in a reply");
	if (more) {
		st->mcode = (uint16_t)code;
		return 0;
	}
	st->mcode = 0;
	if (code == 421) {	/* closing, may come unsolicited */
		st->phase = S_CLOSED;
		return 0;
	}
	if (st->qlen == 0)
		return track_fail(t, "SMTP: reply without command");
	return smtp_reply(t, code);
}

static int
smtp_client(struct track *t, const char *buf, size_t len, size_t *used)
{
	struct smtp_state *st = ST(t);
	struct track_view v;
	int r, done;

	if (st->data) {
		*used = track_dot_scan(&st->dot, buf, len, &done);
		if (done) {
			st->data = 0;
			return smtp_push(t, KS_DOT);
		}
		return 0;
	}
	if (st->bdat > 0) {
		*used = st->bdat < len ? (size_t)st->bdat : len;
		st->bdat -= *used;
		return 0;
	}
	r = track_line_get(t, TRACK_C2S, st->sasl ? SMTP_SASL_MAX : t->lim.line_max,
	    buf, len, used, &v);
	if (r <= 0)
		return r;
	if (st->sasl) {
		st->sasl = 0;
		return 0;
	}
	return smtp_command(t, &v);
}

static int
smtp_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	struct track_view v;
	size_t used;
	int r;

	while (len > 0 && t->tls != TRACK_TLS_HANDSHAKE) {
		if (ST(t)->phase == S_CLOSED)
			return track_fail(t, "SMTP: data after close");
		if (dir == TRACK_C2S)
			r = smtp_client(t, buf, len, &used);
		else {
			r = track_line_get(t, dir, t->lim.line_max, buf, len, &used, &v);
			if (r == 1)
				r = smtp_reply_line(t, &v);
		}
		if (r < 0)
			return -1;
		buf += used;
		len -= used;
	}
	return 0;
}

static void
smtp_update(struct track *t)
{
	struct smtp_state *st = ST(t);

	if (st->phase == S_GREETING)
		track_set(t, "greeting", WIRE_R_NEW, 0);
	else if (st->phase == S_CLOSED)
		track_set(t, "closed", WIRE_R_IDLE, 0);
	else if (st->phase == S_GREETED)
		track_set(t, st->qlen ? "helo" : "greeted",
		    st->qlen ? WIRE_R_PROCESSING : WIRE_R_NEW, 0);
	else if (st->sasl || (st->qlen && st->q[st->qhead] == KS_AUTH))
		track_set(t, "auth", WIRE_R_AUTH, 0);
	else if (st->data || st->bdat > 0)
		track_set(t, "data", st->size >= t->lim.threshold ?
		    WIRE_R_WRITING_LARGE : WIRE_R_READING, st->size);
	else if (st->txn)
		track_set(t, "transaction", st->qlen ? WIRE_R_PROCESSING :
		    WIRE_R_READING, st->size);
	else if (st->qlen)
		track_set(t, "processing", WIRE_R_PROCESSING, 0);
	else if (track_line_pending(t, TRACK_C2S))
		track_set(t, "command", WIRE_R_READING, 0);
	else
		track_set(t, "idle", WIRE_R_IDLE, 0);
}

static void
smtp_init(struct track *t)
{
	memset(&t->priv, 0, sizeof(t->priv));
	smtp_push(t, KS_CONNECT);
}

/* RFC 3207 4.2: the server forgets everything; the client says EHLO
 * again, with no new greeting. */
static void
smtp_tls_done(struct track *t)
{
	memset(&t->priv, 0, sizeof(t->priv));
	ST(t)->phase = S_GREETED;
}

/* RFC 5321 4.5.3.1.4-5: 512 octets for a command or reply line, which
 * extensions may raise (SIZE, DSN parameters): 1024. */
const struct track_proto track_proto_smtp = {
	.name = "smtp",
	.id = WIRE_P_SMTP,
	.defaults = { .line_max = 1024 },
	.init = smtp_init,
	.feed = smtp_feed,
	.update = smtp_update,
	.tls_done = smtp_tls_done,
};
