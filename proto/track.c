/*
 * track.c - the tracker registry and the helpers every tracker shares:
 * the sticky error, the bounded line accumulator, number parsing and the
 * dot-terminated data scanner.  See track.h.
 */
#include <string.h>

#include "track.h"

extern const struct track_proto track_proto_http;
extern const struct track_proto track_proto_pop3;
extern const struct track_proto track_proto_ftp;
extern const struct track_proto track_proto_smtp;
extern const struct track_proto track_proto_imap;
static const struct track_proto track_proto_tcp;

/* The registry: adding a protocol is one file and one row here. */
static const struct track_proto *const track_registry[] = {
	&track_proto_http,
	&track_proto_pop3,
	&track_proto_ftp,
	&track_proto_smtp,
	&track_proto_imap,
	&track_proto_tcp,
};
#define TRACK_NREGISTRY	(sizeof(track_registry) / sizeof(track_registry[0]))

const struct track_proto *
track_proto_at(size_t i)
{
	return i < TRACK_NREGISTRY ? track_registry[i] : NULL;
}

const struct track_proto *
track_lookup(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < TRACK_NREGISTRY; i++)
		if (strcmp(track_registry[i]->name, name) == 0)
			return track_registry[i];
	return NULL;
}

const struct track_proto *
track_lookup_id(enum wire_proto id)
{
	size_t i;

	for (i = 0; i < TRACK_NREGISTRY; i++)
		if (track_registry[i]->id == id)
			return track_registry[i];
	return NULL;
}

void
track_limits_default(const struct track_proto *proto, struct track_limits *lim)
{
	if (lim->line_max == 0)
		lim->line_max = proto->defaults.line_max;
	if (lim->header_max == 0)
		lim->header_max = proto->defaults.header_max;
	if (lim->threshold == 0)
		lim->threshold = proto->defaults.threshold ?
		    proto->defaults.threshold : TRACK_THRESHOLD_DEFAULT;
}

int
track_init(struct track *t, const struct track_proto *proto,
    const struct track_limits *lim)
{
	memset(t, 0, sizeof(*t));
	if (proto == NULL) {
		track_fail(t, "unknown protocol");
		return -1;
	}
	t->proto = proto;
	if (lim != NULL)
		t->lim = *lim;
	track_limits_default(proto, &t->lim);
	proto->init(t);
	proto->update(t);
	return 0;
}

int
track_fail(struct track *t, const char *why)
{
	if (!t->failed) {
		t->failed = 1;
		t->error = why;
	}
	t->state = "error";
	t->reason = WIRE_R_PROCESSING;
	t->size = 0;
	return -1;
}

void
track_set(struct track *t, const char *state, enum wire_reason r, uint64_t size)
{
	t->state = state;
	t->reason = (uint8_t)r;
	t->size = size;
}

int
track_feed(struct track *t, enum track_dir dir, const void *buf, size_t len)
{
	if (t->failed)
		return -1;
	if (dir != TRACK_C2S && dir != TRACK_S2C)
		return track_fail(t, "bad direction");
	if (t->tls == TRACK_TLS_HANDSHAKE || len == 0)
		return 0;
	if (t->proto->feed(t, dir, buf, len) == -1 || t->failed)
		return track_fail(t, t->error);
	if (t->tls != TRACK_TLS_NONE)
		track_set(t, "tls-handshake", WIRE_R_HANDSHAKE, 0);
	else
		t->proto->update(t);
	return 0;
}

enum wire_reason
track_reason(const struct track *t)
{
	return t->failed ? WIRE_R_PROCESSING : (enum wire_reason)t->reason;
}

uint64_t
track_size(const struct track *t)
{
	return t->failed ? 0 : t->size;
}

const char *
track_state_name(const struct track *t)
{
	return t->failed ? "error" : (t->state ? t->state : "?");
}

const char *
track_error(const struct track *t)
{
	return t->failed ? t->error : NULL;
}

void
track_tls_begin(struct track *t)
{
	if (t->failed)
		return;
	t->tls = TRACK_TLS_HANDSHAKE;
	/* Half-read lines belong to the plaintext before the upgrade. */
	memset(&t->line, 0, sizeof(t->line));
	track_set(t, "tls-handshake", WIRE_R_HANDSHAKE, 0);
}

void
track_tls_implicit(struct track *t)
{
	if (t->failed)
		return;
	t->tls = TRACK_TLS_IMPLICIT;
	track_set(t, "tls-handshake", WIRE_R_HANDSHAKE, 0);
}

void
track_tls_done(struct track *t)
{
	int	upgrade = t->tls == TRACK_TLS_HANDSHAKE;

	if (t->failed || t->tls == TRACK_TLS_NONE)
		return;
	t->tls = TRACK_TLS_NONE;
	if (upgrade && t->proto->tls_done != NULL)
		t->proto->tls_done(t);
	t->proto->update(t);
}

/* ------------------------------------------------------------ lines */

/* Append n bytes to an unfinished line: head first, then the tail ring. */
static void
track_line_append(struct track_line *l, const char *p, size_t n)
{
	size_t k;

	if (l->hlen < TRACK_LINE_HEAD) {
		k = TRACK_LINE_HEAD - l->hlen;
		if (k > n)
			k = n;
		memcpy(l->head + l->hlen, p, k);
		l->hlen += k;
		p += k;
		n -= k;
	}
	if (n >= TRACK_LINE_TAIL) {
		memcpy(l->tail, p + n - TRACK_LINE_TAIL, TRACK_LINE_TAIL);
		l->tlen = TRACK_LINE_TAIL;
	} else if (n > 0) {
		k = l->tlen + n > TRACK_LINE_TAIL ? l->tlen + n - TRACK_LINE_TAIL : 0;
		memmove(l->tail, l->tail + k, l->tlen - k);
		memcpy(l->tail + l->tlen - k, p, n);
		l->tlen = l->tlen - k + n;
	}
}

/* Strip the terminator and set v from p[0..n) (terminator included). */
static void
track_view_set(struct track_view *v, const char *p, size_t n, int cut)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	v->p = p;
	v->len = n;
	v->cut = cut;
}

int
track_line_get(struct track *t, enum track_dir dir, size_t max,
    const char *buf, size_t len, size_t *used, struct track_view *v)
{
	struct track_line *l = &t->line[dir];
	const char *nl;
	size_t n, total;

	nl = memchr(buf, '\n', len);
	n = nl ? (size_t)(nl - buf) + 1 : len;
	*used = n;
	if (memchr(buf, '\0', n) != NULL)
		return track_fail(t, "NUL byte in a line");
	total = l->len + n;
	if (total > max || total < n)
		return track_fail(t, "line too long");
	if (nl != NULL && l->len == 0) {
		/* The common case: the whole line is in buf, no copy. */
		if (n <= TRACK_LINE_HEAD + TRACK_LINE_TAIL) {
			track_view_set(v, buf, n, 0);
			return 1;
		}
		memcpy(t->scratch, buf, TRACK_LINE_HEAD);
		memcpy(t->scratch + TRACK_LINE_HEAD, buf + n - TRACK_LINE_TAIL,
		    TRACK_LINE_TAIL);
		track_view_set(v, t->scratch, sizeof(t->scratch), 1);
		return 1;
	}
	track_line_append(l, buf, n);
	l->len = (uint32_t)total;
	if (nl == NULL)
		return 0;
	memcpy(t->scratch, l->head, l->hlen);
	memcpy(t->scratch + l->hlen, l->tail, l->tlen);
	track_view_set(v, t->scratch, l->hlen + l->tlen,
	    total > TRACK_LINE_HEAD + TRACK_LINE_TAIL);
	memset(l, 0, offsetof(struct track_line, head));
	return 1;
}

int
track_line_pending(const struct track *t, enum track_dir dir)
{
	return t->line[dir].len != 0;
}

/* ---------------------------------------------------------- helpers */

int
track_parse_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == 19)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (i == 0)
		return 0;
	if (v > TRACK_SIZE_MAX)
		return -1;
	*out = v;
	return (int)i;
}

unsigned
track_reply_code(const struct track_view *v, char first, int *more)
{
	const char *p = v->p;

	if (v->len < 3 || p[0] < first || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || (v->len > 3 && p[3] != ' ' && p[3] != '-'))
		return 0;
	*more = v->len > 3 && p[3] == '-';
	return (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0');
}

int
track_word(const char *p, size_t len, const char *w)
{
	size_t i;
	char c;

	for (i = 0; w[i] != '\0'; i++) {
		if (i >= len)
			return 0;
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != w[i])
			return 0;
	}
	if (i == len)
		return 1;
	c = p[i];
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_');
}

uint64_t
track_hash(const char *p, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Scanner states: at a line start, after "." there, after ".\r", mid-line. */
#define DOT_BOL		0
#define DOT_DOT		1
#define DOT_DOTCR	2
#define DOT_MID		3

size_t
track_dot_scan(uint8_t *st, const char *buf, size_t len, int *done)
{
	const char *p;
	size_t i = 0;
	char c;

	*done = 0;
	while (i < len) {
		switch (*st) {
		case DOT_MID:
			p = memchr(buf + i, '\n', len - i);
			if (p == NULL)
				return len;
			i = (size_t)(p - buf) + 1;
			*st = DOT_BOL;
			break;
		case DOT_BOL:
			if (buf[i] == '.') {
				*st = DOT_DOT;
				i++;
			} else
				*st = DOT_MID;
			break;
		default:	/* DOT_DOT, DOT_DOTCR */
			c = buf[i++];
			if (c == '\n') {
				*st = DOT_BOL;
				*done = 1;
				return i;
			}
			*st = (c == '\r' && *st == DOT_DOT) ? DOT_DOTCR : DOT_MID;
			break;
		}
	}
	return i;
}

/* -------------------------------------------------------------- tcp */
/*
 * tcp: opaque TCP, counted and not inspected.  It cannot tell a busy
 * connection from an idle one, so it is unsuitable: "new" before the
 * first byte, "opaque" (processing) after.
 */
static void
tcp_init(struct track *t)
{
	t->priv.u64[0] = 0;
}

static int
tcp_feed(struct track *t, enum track_dir dir, const char *buf, size_t len)
{
	(void)dir;
	(void)buf;
	(void)len;
	t->priv.u64[0] = 1;
	return 0;
}

static void
tcp_update(struct track *t)
{
	if (t->priv.u64[0])
		track_set(t, "opaque", WIRE_R_PROCESSING, 0);
	else
		track_set(t, "new", WIRE_R_NEW, 0);
}

static const struct track_proto track_proto_tcp = {
	.name = "tcp",
	.id = WIRE_P_TCP,
	.defaults = { .line_max = 1 },
	.init = tcp_init,
	.feed = tcp_feed,
	.update = tcp_update,
	.tls_done = NULL,
};
