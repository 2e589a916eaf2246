/*
 * track_ftp.c - FTP control connection tracker (RFC 959, security
 * extensions RFC 2228 and RFC 4217, SIZE from RFC 3659).
 *
 * Every command gets exactly one final reply (2xx-5xx), possibly after
 * preliminary 1xx replies (RFC 959 4.2); a reply may span lines
 * ("ddd-" ... "ddd ").  Commands are queued so that an ABOR sent during a
 * transfer finds its reply after the transfer's.  A transfer runs from a
 * 125/150 to its command's final reply; its size comes from "150 ...
 * (N bytes)" or from a 213 reply to SIZE of the same path (for uploads:
 * from ALLO, RFC 959 4.1.3); a REST offset accepted with 350 (RFC 3659 5)
 * is taken off it.  The proxy may report data-connection progress with
 * track_ftp_data().
 */
#include <string.h>

#include "track.h"

enum ftp_phase { F_GREETING = 0, F_LOGIN, F_READY, F_CLOSED };

enum ftp_kind {
	KF_OTHER = 0,
	KF_CONNECT,	/* pseudo-command: the greeting answers it */
	KF_LOGIN,	/* USER, PASS, ACCT: 230/232 logs in */
	KF_AUTH,	/* AUTH TLS/SSL: 234 starts the handshake */
	KF_SIZE,
	KF_RETR,	/* server -> client transfers */
	KF_LIST,
	KF_STOR,	/* client -> server transfers */
	KF_REIN,
	KF_QUIT,
	KF_REST,	/* REST n: 350 sets the next transfer's offset */
	KF_ALLO,	/* ALLO n: the size of the next upload */
};

#define FTP_QMAX	8

struct ftp_cmd {
	uint8_t	 kind;
	uint64_t hash;		/* of the argument (SIZE, RETR); REST, ALLO: its value */
};

struct ftp_state {
	uint8_t	 phase;
	uint8_t	 qhead, qlen;
	uint16_t mcode;		/* code of the multi-line reply in progress */
	uint8_t	 xfer;		/* a transfer is in progress */
	uint8_t	 xkind;
	uint64_t xsize;		/* its announced size, or 0 */
	uint64_t xbytes;	/* data bytes reported by the proxy */
	uint64_t size_hash;	/* last SIZE reply: path and size */
	uint64_t size_val;
	uint64_t rest;		/* REST offset accepted, for the next transfer */
	uint64_t allo;		/* ALLO size announced, for the next upload */
	struct ftp_cmd q[FTP_QMAX];
};

_Static_assert(sizeof(struct ftp_state) <= TRACK_PRIV_SIZE, "ftp state");

#define ST(t)	((struct ftp_state *)(void *)(t)->priv.u64)

extern const struct track_proto track_proto_ftp;

static int
ftp_push(struct track *t, uint8_t kind, uint64_t hash)
{
	struct ftp_state *st = ST(t);

	if (st->qlen == FTP_QMAX)
		return track_fail(t, "FTP: too many commands in flight");
	st->q[(st->qhead + st->qlen) % FTP_QMAX].kind = kind;
	st->q[(st->qhead + st->qlen++) % FTP_QMAX].hash = hash;
	return 0;
}

/* A command line (RFC 959 5.3): verb [SP argument]. */
static int
ftp_command(struct track *t, const struct track_view *v)
{
	const char *p = v->p;
	size_t n = v->len, sp;
	uint8_t k = KF_OTHER;

	/* Telnet IP and Synch (IAC IP IAC DM) may precede ABOR (RFC 959 4.1.3). */
	while (n >= 2 && (uint8_t)p[0] == 0xff)
		p += 2, n -= 2;
	for (sp = 0; sp < n && p[sp] != ' '; sp++)
		;
	if (track_word(p, sp, "user") || track_word(p, sp, "pass") ||
	    track_word(p, sp, "acct"))
		k = KF_LOGIN;
	else if (track_word(p, sp, "auth"))
		k = KF_AUTH;
	else if (track_word(p, sp, "size"))
		k = KF_SIZE;
	else if (track_word(p, sp, "retr"))
		k = KF_RETR;
	else if (track_word(p, sp, "list") || track_word(p, sp, "nlst") ||
	    track_word(p, sp, "mlsd"))
		k = KF_LIST;
	else if (track_word(p, sp, "stor") || track_word(p, sp, "stou") ||
	    track_word(p, sp, "appe"))
		k = KF_STOR;
	else if (track_word(p, sp, "rein"))
		k = KF_REIN;
	else if (track_word(p, sp, "quit"))
		k = KF_QUIT;
	else if (track_word(p, sp, "rest"))
		k = KF_REST;
	else if (track_word(p, sp, "allo"))
		k = KF_ALLO;
	if (sp < n)
		sp++;
	if (k == KF_REST || k == KF_ALLO) {
		uint64_t val = 0;

		/* A non-number (a REST marker of another mode) counts as 0. */
		if (track_parse_u64(p + sp, n - sp, &val) <= 0)
			val = 0;
		return ftp_push(t, k, val);
	}
	return ftp_push(t, k, v->cut ? 0 : track_hash(p + sp, n - sp));
}

/* "(N bytes)" in a 150 reply (vsftpd, proFTPd). 0 if absent. */
static int
ftp_bytes(struct track *t, const struct track_view *v, uint64_t *size)
{
	const char *p = v->p, *end = v->p + v->len, *q;
	int k;

	while ((q = memchr(p, '(', (size_t)(end - p))) != NULL) {
		p = q + 1;
		k = track_parse_u64(p, (size_t)(end - p), size);
		if (k < 0)
			return track_fail(t, "FTP: size overflow");
		if (k > 0 && (size_t)(end - p) >= (size_t)k + 7 &&
		    memcmp(p + k, " bytes)", 7) == 0)
			return 1;
	}
	*size = 0;
	return 0;
}

/* A preliminary reply: 125/150 to a transfer command starts it. */
static int
ftp_preliminary(struct track *t, unsigned code, const struct track_view *v)
{
	struct ftp_state *st = ST(t);
	struct ftp_cmd *c = &st->q[st->qhead];
	uint64_t n;
	int r;

	if ((code != 125 && code != 150) ||
	    (c->kind != KF_RETR && c->kind != KF_LIST && c->kind != KF_STOR))
		return 0;
	st->xfer = 1;
	st->xkind = c->kind;
	st->xbytes = 0;
	r = ftp_bytes(t, v, &n);
	if (r < 0)
		return -1;
	if (r == 0 && c->kind == KF_RETR && c->hash == st->size_hash)
		n = st->size_val;
	if (r == 0 && c->kind == KF_STOR)
		n = st->allo;
	/* After REST only the rest of the file travels (RFC 3659 5.5). */
	if (c->kind != KF_LIST && st->rest > 0)
		n = n > st->rest ? n - st->rest : 0;
	st->xsize = n;
	return 0;
}

/* A final reply ends the oldest command. */
static int
ftp_final(struct track *t, unsigned code, const struct track_view *v)
{
	struct ftp_state *st = ST(t);
	struct ftp_cmd c = st->q[st->qhead];
	uint64_t n;
	int k;

	st->qhead = (st->qhead + 1) % FTP_QMAX;
	st->qlen--;
	if (c.kind == KF_RETR || c.kind == KF_LIST || c.kind == KF_STOR) {
		st->xfer = 0;
		st->rest = 0;
		if (c.kind == KF_STOR)
			st->allo = 0;
	}
	switch (c.kind) {
	case KF_CONNECT:
		if (code / 100 != 2)
			return track_fail(t, "FTP: no 220 greeting");
		st->phase = F_LOGIN;
		break;
	case KF_LOGIN:
		if (code == 230 || code == 232)
			st->phase = F_READY;
		break;
	case KF_AUTH:
		if (code == 234)
			track_tls_begin(t);
		break;
	case KF_SIZE:	/* RFC 3659 4.2: 213 SP size */
		if (code != 213)
			break;
		k = v->len > 4 ? track_parse_u64(v->p + 4, v->len - 4, &n) : 0;
		if (k <= 0 || 4 + (size_t)k != v->len)
			return track_fail(t, "FTP: bad SIZE reply");
		st->size_hash = c.hash;
		st->size_val = n;
		break;
	case KF_REIN:
		if (code == 220)
			st->phase = F_LOGIN;
		break;
	case KF_QUIT:
		if (code == 221)
			st->phase = F_CLOSED;
		break;
	case KF_REST:
		st->rest = code == 350 ? c.hash : 0;
		break;
	case KF_ALLO:
		if (code / 100 == 2)	/* 202 "ignored" still announces the size */
			st->allo = c.hash;
		break;
	}
	return 0;
}

/* One server line: a reply line, or inside a multi-line reply. */
static int
ftp_reply_line(struct track *t, const struct track_view *v)
{
	struct ftp_state *st = ST(t);
	unsigned code;
	int more;

	if ((code = track_reply_code(v, '1', &more)) == 0) {
		if (st->mcode)	/* RFC 959 4.2: free text inside a reply */
			return 0;
		return track_fail(t, "FTP: bad reply line");
	}
	if (st->mcode) {
		if (code != st->mcode || more)
			return 0;
		st->mcode = 0;
	} else if (more) {
		st->mcode = (uint16_t)code;
		return 0;
	}
	if (code == 421) {	/* closing, may come unsolicited */
		st->phase = F_CLOSED;
		st->qlen = 0;
		st->xfer = 0;
		return 0;
	}
	if (st->qlen == 0)
		return track_fail(t, "FTP: reply without command");
	if (code < 200)
		return ftp_preliminary(t, code, v);
	return ftp_final(t, code, v);
}

static int
ftp_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	struct ftp_state *st = ST(t);
	struct track_view v;
	size_t used;
	int r;

	while (len > 0 && t->tls != TRACK_TLS_HANDSHAKE) {
		if (st->phase == F_CLOSED)
			return track_fail(t, "FTP: data after close");
		r = track_line_get(t, dir, t->lim.line_max, buf, len, &used, &v);
		if (r < 0)
			return -1;
		if (r == 1 && (dir == TRACK_S2C ? ftp_reply_line(t, &v) :
		    ftp_command(t, &v)) < 0)
			return -1;
		buf += used;
		len -= used;
	}
	return 0;
}

static void
ftp_update(struct track *t)
{
	struct ftp_state *st = ST(t);

	switch (st->phase) {
	case F_GREETING:
		track_set(t, "greeting", WIRE_R_NEW, 0);
		return;
	case F_CLOSED:
		track_set(t, "closed", WIRE_R_IDLE, 0);
		return;
	case F_LOGIN:
		track_set(t, "login", WIRE_R_AUTH, 0);
		return;
	}
	if (st->xfer && st->xsize > 0 && st->xbytes >= st->xsize)
		track_set(t, "transfer-end", WIRE_R_PROCESSING, st->xsize);
	else if (st->xfer)
		track_set(t, "transfer", st->xsize >= t->lim.threshold ?
		    WIRE_R_WRITING_LARGE : st->xkind == KF_STOR ? WIRE_R_READING :
		    WIRE_R_WRITING_SMALL, st->xsize);
	else if (st->qlen > 0)
		track_set(t, "processing", WIRE_R_PROCESSING, 0);
	else if (track_line_pending(t, TRACK_C2S))
		track_set(t, "command", WIRE_R_READING, 0);
	else
		track_set(t, "idle", WIRE_R_IDLE, 0);
}

static void
ftp_init(struct track *t)
{
	memset(ST(t), 0, sizeof(struct ftp_state));
	ftp_push(t, KF_CONNECT, 0);
}

/* RFC 4217 4: after AUTH TLS the session is still before login. */
static void
ftp_tls_done(struct track *t)
{
	struct ftp_state *st = ST(t);

	st->qlen = st->qhead = 0;
	st->mcode = 0;
	st->xfer = 0;
	st->phase = F_LOGIN;
}

void
track_ftp_data(struct track *t, uint64_t bytes)
{
	struct ftp_state *st = ST(t);

	if (t->failed || t->proto != &track_proto_ftp || !st->xfer ||
	    t->tls != TRACK_TLS_NONE)
		return;
	st->xbytes = st->xbytes + bytes < st->xbytes ? UINT64_MAX : st->xbytes + bytes;
	ftp_update(t);
}

/* RFC 959 sets no line limit: 8 KiB holds a PATH_MAX argument. */
const struct track_proto track_proto_ftp = {
	.name = "ftp",
	.id = WIRE_P_FTP,
	.defaults = { .line_max = 8192 },
	.init = ftp_init,
	.feed = ftp_feed,
	.update = ftp_update,
	.tls_done = ftp_tls_done,
};
