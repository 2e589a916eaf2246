/*
 * starttls.c - STARTTLS done by the proxy for POP3 (STLS, RFC 2595 4),
 * IMAP (STARTTLS, RFC 3501 6.2.1) and SMTP (STARTTLS, RFC 3207 4): the
 * backend only ever sees plaintext.  (FTP's AUTH TLS goes through the same
 * calls to ftp_filter.c, whose filter lasts the whole session.)  A line filter with no I/O, run by
 * proxy.c on each complete line of either direction while the session is
 * in its first phase:
 *
 *  - client lines: the capability request (CAPA, CAPABILITY, EHLO) and the
 *    harmless NOOP/QUIT/LOGOUT/HELO/RSET are forwarded and their replies
 *    awaited; the upgrade command is answered by the proxy itself (once
 *    every reply before it has arrived), and TLS starts when that answer is
 *    flushed; any other command ends the filter ("pass": bytes flow
 *    untouched from then on, in both directions once the replies awaited
 *    are through).
 *  - backend lines: capability lists are rewritten: the backend's own
 *    upgrade offer is removed, and before TLS the proxy's is added.
 *
 * The filter ends at the first other command (a login, usually), so it
 * never sees the mail itself.  After the filter, a client that sends the
 * upgrade command again is the backend's business.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"

void
stls_init(struct stls *st, enum wire_proto proto)
{
	memset(st, 0, sizeof(*st));
	st->proto = proto;
	st->q[0] = STLS_K_GREETING;
	st->qn = 1;
}

/* The first token of p[0..len): its start and length. */
static size_t
stls_token(const char *p, size_t len, const char **tok)
{
	size_t	i = 0, n;

	while (i < len && p[i] == ' ')
		i++;
	*tok = p + i;
	for (n = 0; i + n < len && p[i + n] != ' ' && p[i + n] != '\r' && p[i + n] != '\n'; n++)
		;
	return n;
}

/* Is the token t[0..n) the word w (case-insensitive)? */
static int
stls_is(const char *t, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(t, w, n) == 0;
}

/* Length of the line without its LF or CRLF. */
static size_t
stls_body(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

static void
stls_push(struct stls *st, uint8_t kind)
{
	st->q[(st->qh + st->qn) % STLS_QUEUE] = kind;
	st->qn++;
}

static void
stls_pop(struct stls *st)
{
	if (st->qn == 0)
		return;
	st->qh = (st->qh + 1) % STLS_QUEUE;
	st->qn--;
	if (st->pass_c && st->qn == 0)
		st->pass_s = 1;
}

static void
stls_pass(struct stls *st)
{
	st->pass_c = 1;
	if (st->qn == 0)
		st->pass_s = 1;
}

/* Append s[0..n) to out; the caller guarantees room (cap >= 2 lines + 64). */
static void
stls_emit(char *out, size_t cap, size_t *olen, const char *s, size_t n)
{
	if (*olen + n > cap)
		n = cap - *olen;
	memcpy(out + *olen, s, n);
	*olen += n;
}

/* The proxy's own reply to the upgrade command (tag: IMAP's). */
static enum stls_act
stls_upgrade(struct stls *st, const char *tag, size_t tlen, char *out, size_t cap,
    size_t *olen)
{
	if (!st->tls && st->qn > 0)
		return STLS_HOLD;		/* replies to earlier commands first */
	*olen = 0;
	if (st->proto == WIRE_P_IMAP) {
		stls_emit(out, cap, olen, tag, tlen);
		*olen += (size_t)snprintf(out + *olen, cap - *olen, st->tls ?
		    " BAD TLS is already active\r\n" : " OK Begin TLS negotiation now\r\n");
	} else if (st->proto == WIRE_P_POP3)
		*olen = (size_t)snprintf(out, cap, st->tls ? "-ERR TLS is already active\r\n"
		    : "+OK Begin TLS negotiation\r\n");
	else
		*olen = (size_t)snprintf(out, cap, st->tls ? "503 5.5.1 TLS already active\r\n"
		    : "220 2.0.0 Ready to start TLS\r\n");
	if (!st->tls)
		st->upgrade = 1;
	return STLS_REPLY;
}

static void stls_smtp_ehlo(struct stls *, const char *, size_t, int, char *, size_t,
    size_t *);

/* SMTP, after TLS: answer the client's EHLO with the remembered reply. */
static enum stls_act
stls_smtp_replay(struct stls *st, char *out, size_t cap, size_t *olen)
{
	size_t	 i = 0, n;
	char	*nl;

	if (st->qn > 0)
		return STLS_HOLD;
	*olen = 0;
	/* Only a complete reply (its last line final) is replayed. */
	for (i = st->elen - 1; i > 0 && st->ecache[i - 1] != '\n'; i--)
		;
	if (st->elen - i < 5 || st->ecache[i + 3] != ' ') {
		st->elen = 0;
		return STLS_FORWARD;
	}
	i = 0;
	st->hlen = 0;
	while (i < st->elen && (nl = memchr(st->ecache + i, '\n', st->elen - i)) != NULL) {
		n = (size_t)(nl - st->ecache - i) + 1;
		if (n > 4)
			stls_smtp_ehlo(st, st->ecache + i, n, st->ecache[i + 3] == ' ', out, cap,
			    olen);
		i += n;
	}
	st->elen = 0;			/* once: a later EHLO goes to the backend */
	return STLS_REPLY;
}

enum stls_act
stls_client_line(struct stls *st, const char *line, size_t len, char *out, size_t cap,
    size_t *olen)
{
	const char	*tag = line, *cmd;
	size_t		 tlen = 0, n, body = stls_body(line, len);
	int		 kind = -1, up = 0;

	*olen = 0;
	if (st->pass_c)
		return STLS_FORWARD;
	if (st->proto == WIRE_P_FTP)
		return ftpf_client_line(st, line, len, out, cap, olen);
	if (st->proto == WIRE_P_IMAP) {
		tlen = stls_token(line, body, &tag);
		n = tlen ? stls_token(tag + tlen, body - (size_t)(tag + tlen - line), &cmd) : 0;
	} else
		n = stls_token(line, body, &cmd);
	if (n == 0)
		;
	else if (st->proto == WIRE_P_POP3) {
		if (stls_is(cmd, n, "capa"))
			kind = STLS_K_CAPA;
		else if (stls_is(cmd, n, "noop") || stls_is(cmd, n, "quit"))
			kind = STLS_K_OTHER;
		up = stls_is(cmd, n, "stls");
	} else if (st->proto == WIRE_P_IMAP) {
		if (stls_is(cmd, n, "capability"))
			kind = STLS_K_CAPA;
		else if (stls_is(cmd, n, "noop") || stls_is(cmd, n, "logout"))
			kind = STLS_K_OTHER;
		up = stls_is(cmd, n, "starttls");
	} else {
		if (stls_is(cmd, n, "ehlo"))
			kind = STLS_K_CAPA;
		else if (stls_is(cmd, n, "helo") || stls_is(cmd, n, "noop") ||
		    stls_is(cmd, n, "rset") || stls_is(cmd, n, "quit"))
			kind = STLS_K_OTHER;
		up = stls_is(cmd, n, "starttls");
	}
	if (up && cmd + n == line + body)
		return stls_upgrade(st, tag, tlen, out, cap, olen);
	if (st->proto == WIRE_P_SMTP && kind == STLS_K_CAPA && st->tls &&
	    st->elen > 0 && st->elen <= STLS_LINE_MAX &&
	    stls_smtp_replay(st, out, cap, olen) != STLS_FORWARD)
		return *olen > 0 ? STLS_REPLY : STLS_HOLD;
	if (st->proto == WIRE_P_SMTP && kind == STLS_K_CAPA && !st->tls)
		st->elen = 0;		/* a new reply to remember */
	if (kind < 0 || st->qn >= STLS_QUEUE)
		stls_pass(st);
	else
		stls_push(st, (uint8_t)kind);
	return STLS_FORWARD;
}

/* IMAP: rewrite the capability atoms in line[from..to) (RFC 3501 7.2.1). */
static void
stls_imap_caps(struct stls *st, const char *line, size_t len, size_t from, size_t to,
    char *out, size_t cap, size_t *olen)
{
	const char	*tok;
	size_t		 i = from, n;

	stls_emit(out, cap, olen, line, from);
	while (i < to) {
		n = stls_token(line + i, to - i, &tok);
		if (n == 0)
			break;
		if (!stls_is(tok, n, "starttls") && !(st->tls && stls_is(tok, n,
		    "logindisabled"))) {
			if (*olen > 0 && out[*olen - 1] != ' ' && out[*olen - 1] != '[')
				stls_emit(out, cap, olen, " ", 1);
			stls_emit(out, cap, olen, tok, n);
		}
		i = (size_t)(tok - line) + n;
	}
	if (!st->tls)
		stls_emit(out, cap, olen, " STARTTLS", 9);
	stls_emit(out, cap, olen, line + to, len - to);
}

static void
stls_imap_line(struct stls *st, const char *line, size_t len, char *out, size_t cap,
    size_t *olen)
{
	size_t		 body = stls_body(line, len), k;
	const char	*p;
	int		 untagged = body >= 2 && line[0] == '*' && line[1] == ' ';

	if (untagged && body >= 13 && strncasecmp(line + 2, "CAPABILITY ", 11) == 0)
		stls_imap_caps(st, line, len, 12, body, out, cap, olen);
	else if ((p = memmem(line, body, "[CAPABILITY ", 12)) != NULL &&
	    (k = (size_t)(p - line) + 12, memchr(line + k, ']', body - k) != NULL))
		stls_imap_caps(st, line, len, k, (size_t)((const char *)memchr(line + k, ']',
		    body - k) - line), out, cap, olen);
	else
		stls_emit(out, cap, olen, line, len);
	if (body > 0 && line[body - 1] == '}') {
		/* A literal follows: its bytes are not lines; stop filtering. */
		st->pass_c = st->pass_s = 1;
		return;
	}
	if (line[0] == '+')
		return;
	if (!untagged || (st->qn > 0 && st->q[st->qh] == STLS_K_GREETING))
		stls_pop(st);
}

static void
stls_pop3_line(struct stls *st, const char *line, size_t len, char *out, size_t cap,
    size_t *olen)
{
	size_t		 body = stls_body(line, len), n;
	const char	*tok;

	if (st->multi) {
		n = stls_token(line, body, &tok);
		if (body == 1 && line[0] == '.') {
			if (st->capa && !st->tls)
				stls_emit(out, cap, olen, "STLS\r\n", 6);
			stls_emit(out, cap, olen, line, len);
			st->multi = st->capa = 0;
			stls_pop(st);
		} else if (!(st->capa && stls_is(tok, n, "stls")))
			stls_emit(out, cap, olen, line, len);
		return;
	}
	stls_emit(out, cap, olen, line, len);
	if (st->qn > 0 && st->q[st->qh] == STLS_K_CAPA && body >= 3 &&
	    strncmp(line, "+OK", 3) == 0)
		st->multi = st->capa = 1;
	else
		stls_pop(st);
}

/* SMTP EHLO reply (RFC 5321 4.2.1): one kept line held back, so that the
 * last line sent can be made the final one. */
static void
stls_smtp_ehlo(struct stls *st, const char *line, size_t len, int final, char *out,
    size_t cap, size_t *olen)
{
	const char	*tok;
	size_t		 body = stls_body(line, len), n;
	char		 code[4];

	memcpy(code, line, 3);
	code[3] = '\0';
	n = stls_token(line + 4, body - 4, &tok);
	if (!stls_is(tok, n, "starttls")) {
		stls_emit(out, cap, olen, st->hold, st->hlen);
		memcpy(st->hold, line, len);
		st->hlen = len;
		st->hold[3] = '-';
	}
	if (!final)
		return;
	if (!st->tls) {
		stls_emit(out, cap, olen, st->hold, st->hlen);
		*olen += (size_t)snprintf(out + *olen, cap - *olen, "%s STARTTLS\r\n", code);
	} else if (st->hlen > 0) {
		st->hold[3] = ' ';
		stls_emit(out, cap, olen, st->hold, st->hlen);
	} else
		*olen += (size_t)snprintf(out + *olen, cap - *olen, "%s OK\r\n", code);
	st->hlen = 0;
}

static void
stls_smtp_line(struct stls *st, const char *line, size_t len, char *out, size_t cap,
    size_t *olen)
{
	size_t	body = stls_body(line, len);
	int	final;

	if (body < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9' || (body > 3 && line[3] != ' ' && line[3] != '-')) {
		/* Not a reply line: stop filtering rather than guess. */
		stls_emit(out, cap, olen, st->hold, st->hlen);
		st->hlen = 0;
		stls_emit(out, cap, olen, line, len);
		st->pass_c = st->pass_s = 1;
		return;
	}
	final = body == 3 || line[3] == ' ';
	if (st->qn > 0 && st->q[st->qh] == STLS_K_CAPA && line[0] == '2' && body > 4) {
		if (!st->tls && st->elen + len <= STLS_LINE_MAX) {
			memcpy(st->ecache + st->elen, line, len);
			st->elen += len;
		} else if (!st->tls)
			st->elen = STLS_LINE_MAX + 1;
		stls_smtp_ehlo(st, line, len, final, out, cap, olen);
	}
	else
		stls_emit(out, cap, olen, line, len);
	if (final)
		stls_pop(st);
}

size_t
stls_server_line(struct stls *st, const char *line, size_t len, char *out, size_t cap)
{
	size_t	olen = 0;

	if (st->pass_s || len > STLS_LINE_MAX)
		stls_emit(out, cap, &olen, line, len);
	else if (st->proto == WIRE_P_FTP)
		olen = ftpf_server_line(st, line, len, out, cap);
	else if (st->proto == WIRE_P_POP3)
		stls_pop3_line(st, line, len, out, cap, &olen);
	else if (st->proto == WIRE_P_IMAP)
		stls_imap_line(st, line, len, out, cap, &olen);
	else
		stls_smtp_line(st, line, len, out, cap, &olen);
	return olen;
}

void
stls_tls_done(struct stls *st)
{
	st->tls = 1;
	st->upgrade = 0;
}
