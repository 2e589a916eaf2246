/*
 * ftp_filter.c - the FTP control connection through the proxy: a line
 * filter with no I/O, run by proxy.c (through starttls.c's stls_*) on
 * every complete line of both directions, for the whole session:
 *
 *  - client lines: AUTH TLS (RFC 4217 4), PBSZ and PROT (RFC 4217 8-9) and
 *    CCC are answered by the proxy, which terminates TLS: the backend only
 *    ever sees plaintext.  Active mode (PORT, EPRT, LPRT) is refused: data
 *    connections go through the proxy's passive ports only.  Every other
 *    command is forwarded and the kind of its reply remembered; replies
 *    come in command order (RFC 959 4.2), so a command the proxy answers
 *    waits until every earlier reply has arrived.
 *  - backend lines: FEAT's list (RFC 2389 3.2) loses the backend's own
 *    security and active-mode features and gains the proxy's; the reply to
 *    PASV or EPSV is taken out so that proxy.c can answer it with a port
 *    of its own (ftpf_pasv_reply()).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"

void
ftpf_init(struct stls *st, enum svc_tls mode)
{
	memset(&st->ftp, 0, sizeof(st->ftp));
	st->ftp.mode = (uint8_t)mode;
	/* Implicit FTPS protects data by convention (lftp's ftps:initial-prot). */
	st->ftp.prot = mode == SVC_TLS_IMPLICIT ? 'P' : 'C';
	st->tls = mode == SVC_TLS_IMPLICIT;
}

/* Length of the line without its LF or CRLF. */
static size_t
ftpf_body(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

/* Is p[0..n) the word w (case-insensitive)? */
static int
ftpf_is(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(p, w, n) == 0;
}

/* The proxy's own reply: once earlier replies are in (order, RFC 959 4.2). */
static enum stls_act
ftpf_reply(struct stls *st, const char *text, char *out, size_t cap, size_t *olen)
{
	if (st->qn > 0)
		return STLS_HOLD;
	*olen = (size_t)snprintf(out, cap, "%s\r\n", text);
	if (*olen >= cap)
		*olen = cap - 1;
	return STLS_REPLY;
}

/* AUTH (RFC 2228 3, RFC 4217 4). */
static enum stls_act
ftpf_auth(struct stls *st, const char *arg, size_t alen, char *out, size_t cap,
    size_t *olen)
{
	const char	*r;

	if (st->ftp.mode == SVC_TLS_NONE)
		r = "534 TLS is not offered on this service.";
	else if (st->tls)
		r = "503 TLS is already active.";
	else if (!ftpf_is(arg, alen, "tls") && !ftpf_is(arg, alen, "ssl") &&
	    !ftpf_is(arg, alen, "tls-c") && !ftpf_is(arg, alen, "tls-p"))
		r = "504 Only AUTH TLS is supported.";
	else {
		if (st->qn > 0)
			return STLS_HOLD;
		st->upgrade = 1;
		r = "234 Proceed with negotiation.";
	}
	return ftpf_reply(st, r, out, cap, olen);
}

/* PROT (RFC 4217 9): C and P only; S and E need a security mechanism. */
static enum stls_act
ftpf_prot(struct stls *st, const char *arg, size_t alen, char *out, size_t cap,
    size_t *olen)
{
	const char	*r;

	if (!st->tls)
		r = "503 PROT needs AUTH TLS first.";
	else if (ftpf_is(arg, alen, "c") || ftpf_is(arg, alen, "p")) {
		if (st->qn > 0)
			return STLS_HOLD;
		st->ftp.prot = (char)(arg[0] & ~0x20);
		r = st->ftp.prot == 'P' ? "200 PROT now Private." : "200 PROT now Clear.";
	} else if (ftpf_is(arg, alen, "s") || ftpf_is(arg, alen, "e"))
		r = "536 Protection level not supported.";
	else
		r = "504 Unknown protection level.";
	return ftpf_reply(st, r, out, cap, olen);
}

/* Queue the kind of the backend reply this command awaits. */
static enum stls_act
ftpf_forward(struct stls *st, uint8_t kind)
{
	if (st->qn >= STLS_QUEUE)
		return STLS_HOLD;	/* pipelining client: wait for replies */
	st->q[(st->qh + st->qn) % STLS_QUEUE] = kind;
	st->qn++;
	return STLS_FORWARD;
}

enum stls_act
ftpf_client_line(struct stls *st, const char *line, size_t len, char *out, size_t cap,
    size_t *olen)
{
	const char	*p = line, *arg;
	size_t		 n = ftpf_body(line, len), vl, al;

	*olen = 0;
	st->ftp.refused = 0;
	/* Telnet IP and Synch (IAC IP IAC DM) may precede ABOR (RFC 959 4.1.3). */
	while (n >= 2 && (uint8_t)p[0] == 0xff)
		p += 2, n -= 2;
	for (vl = 0; vl < n && p[vl] != ' '; vl++)
		;
	arg = p + (vl < n ? vl + 1 : n);
	al = (size_t)(p + n - arg);
	if (ftpf_is(p, vl, "auth"))
		return ftpf_auth(st, arg, al, out, cap, olen);
	if (ftpf_is(p, vl, "pbsz")) {
		if (st->tls)
			st->ftp.pbsz = 1;
		return ftpf_reply(st, st->tls ? "200 PBSZ=0" : "503 PBSZ needs AUTH TLS first.",
		    out, cap, olen);
	}
	if (ftpf_is(p, vl, "prot"))
		return ftpf_prot(st, arg, al, out, cap, olen);
	if (ftpf_is(p, vl, "ccc"))
		return ftpf_reply(st, "533 The control connection stays protected.", out,
		    cap, olen);
	if (ftpf_is(p, vl, "port") || ftpf_is(p, vl, "eprt") || ftpf_is(p, vl, "lprt")) {
		enum stls_act a = ftpf_reply(st, "502 Active mode is not available through "
		    "this proxy: use PASV or EPSV.", out, cap, olen);

		st->ftp.refused = a == STLS_REPLY;
		return a;
	}
	if (ftpf_is(p, vl, "pasv"))
		return ftpf_forward(st, STLS_K_PASV);
	if (ftpf_is(p, vl, "epsv") && !ftpf_is(arg, al, "all"))
		return ftpf_forward(st, STLS_K_EPSV);
	if (ftpf_is(p, vl, "feat"))
		return ftpf_forward(st, STLS_K_CAPA);
	return ftpf_forward(st, STLS_K_OTHER);
}

/* ------------------------------------------------------------ replies */

static void
ftpf_emit(char *out, size_t cap, size_t *olen, const char *s, size_t n)
{
	if (*olen + n > cap)
		n = cap - *olen;
	memcpy(out + *olen, s, n);
	*olen += n;
}

/* The features the proxy adds to FEAT (RFC 4217 6). */
static void
ftpf_feat_add(struct stls *st, char *out, size_t cap, size_t *olen)
{
	if (st->ftp.mode == SVC_TLS_STARTTLS)
		ftpf_emit(out, cap, olen, " AUTH TLS\r\n", 11);
	if (st->ftp.mode != SVC_TLS_NONE)
		ftpf_emit(out, cap, olen, " PBSZ\r\n PROT\r\n", 14);
}

/* A feature line of the backend's FEAT list (RFC 2389 3.2): kept or not. */
static void
ftpf_feat_line(const char *line, size_t len, char *out, size_t cap, size_t *olen)
{
	size_t		 body = ftpf_body(line, len), i = 0, n;

	while (i < body && line[i] == ' ')
		i++;
	for (n = 0; i + n < body && line[i + n] != ' '; n++)
		;
	if (ftpf_is(line + i, n, "auth") || ftpf_is(line + i, n, "pbsz") ||
	    ftpf_is(line + i, n, "prot") || ftpf_is(line + i, n, "ccc") ||
	    ftpf_is(line + i, n, "eprt") || ftpf_is(line + i, n, "lprt"))
		return;
	ftpf_emit(out, cap, olen, line, len);
}

static void
ftpf_pop(struct stls *st)
{
	if (st->qn == 0)
		return;
	st->qh = (st->qh + 1) % STLS_QUEUE;
	st->qn--;
}

/* A final single-line reply (or a multi-line one's last line). */
static size_t
ftpf_final(struct stls *st, unsigned code, const char *line, size_t len, char *out,
    size_t cap, size_t olen)
{
	uint8_t		kind = st->qn > 0 ? st->q[st->qh] : STLS_K_OTHER;
	uint16_t	port;

	if (code == 421 && st->qn == 0) {	/* unsolicited: the server closes */
		ftpf_emit(out, cap, &olen, line, len);
		return olen;
	}
	ftpf_pop(st);
	if ((kind == STLS_K_PASV || kind == STLS_K_EPSV) && (code == 227 || code == 229)) {
		if ((code == 227 ? ftpf_parse_227(line, len, &port) :
		    ftpf_parse_229(line, len, &port)) == 0) {
			st->ftp.pasv = kind;
			st->ftp.bport = port;
			return olen;
		}
		ftpf_emit(out, cap, &olen, "425 Bad passive reply from the server.\r\n", 40);
		return olen;
	}
	if (kind == STLS_K_CAPA && code == 211 && !st->ftp.feat &&
	    st->ftp.mode != SVC_TLS_NONE) {
		/* "211 no features": made a list of the proxy's. */
		ftpf_emit(out, cap, &olen, "211-Features:\r\n", 15);
		ftpf_feat_add(st, out, cap, &olen);
		ftpf_emit(out, cap, &olen, "211 End\r\n", 9);
		return olen;
	}
	st->ftp.feat = 0;
	ftpf_emit(out, cap, &olen, line, len);
	return olen;
}

size_t
ftpf_server_line(struct stls *st, const char *line, size_t len, char *out, size_t cap)
{
	size_t		 olen = 0, body = ftpf_body(line, len);
	unsigned	 code;
	int		 valid, cont;

	st->ftp.pasv = 0;
	if (st->ftp.raw) {		/* the rest of a line too long to filter */
		st->ftp.raw = len == 0 || line[len - 1] != '\n';
		ftpf_emit(out, cap, &olen, line, len);
		return olen;
	}
	st->ftp.raw = len == 0 || line[len - 1] != '\n';
	valid = body >= 3 && line[0] >= '1' && line[0] <= '5' && line[1] >= '0' &&
	    line[1] <= '9' && line[2] >= '0' && line[2] <= '9' &&
	    (body == 3 || line[3] == ' ' || line[3] == '-');
	code = valid ? (unsigned)((line[0] - '0') * 100 + (line[1] - '0') * 10 +
	    line[2] - '0') : 0;
	cont = valid && body > 3 && line[3] == '-';
	if (st->ftp.mcode != 0 && (!valid || code != st->ftp.mcode || cont)) {
		/* Inside a multi-line reply (RFC 959 4.2): text. */
		if (st->ftp.feat && !st->ftp.raw)
			ftpf_feat_line(line, len, out, cap, &olen);
		else
			ftpf_emit(out, cap, &olen, line, len);
		return olen;
	}
	if (st->ftp.mcode != 0 || !valid || code < 200) {
		/* A multi-line reply's end, text out of place, or a 1xx. */
		if (st->ftp.mcode != 0) {
			st->ftp.mcode = 0;
			return ftpf_final(st, code, line, len, out, cap, olen);
		}
		ftpf_emit(out, cap, &olen, line, len);
		if (cont)
			st->ftp.mcode = (uint16_t)code;
		return olen;
	}
	if (cont) {
		st->ftp.mcode = (uint16_t)code;
		ftpf_emit(out, cap, &olen, line, len);
		if (st->qn > 0 && st->q[st->qh] == STLS_K_CAPA && code == 211) {
			st->ftp.feat = 1;
			ftpf_feat_add(st, out, cap, &olen);
		}
		return olen;
	}
	return ftpf_final(st, code, line, len, out, cap, olen);
}

/* ------------------------------------------------------------ passive replies */

/* A decimal number of 1-5 digits at p[*i]: its value, or -1. */
static long
ftpf_num(const char *p, size_t len, size_t *i)
{
	long	v = 0;
	size_t	d = 0;

	while (*i < len && p[*i] >= '0' && p[*i] <= '9' && d < 5) {
		v = v * 10 + (p[*i] - '0');
		(*i)++;
		d++;
	}
	if (d == 0 || (*i < len && p[*i] >= '0' && p[*i] <= '9'))
		return -1;
	return v;
}

int
ftpf_parse_227(const char *line, size_t len, uint16_t *port)
{
	size_t	i = 4, k;
	long	v[6];

	if (len < 4 || strncmp(line, "227", 3) != 0)
		return -1;
	while (i < len && (line[i] < '0' || line[i] > '9'))
		i++;
	for (k = 0; k < 6; k++) {
		if ((v[k] = ftpf_num(line, len, &i)) < 0 || v[k] > 255)
			return -1;
		if (k < 5 && (i >= len || line[i++] != ','))
			return -1;
	}
	if (v[4] * 256 + v[5] == 0)
		return -1;
	*port = (uint16_t)(v[4] * 256 + v[5]);
	return 0;
}

int
ftpf_parse_229(const char *line, size_t len, uint16_t *port)
{
	const char	*p;
	size_t		 i;
	long		 v;
	char		 d;

	if (len < 4 || strncmp(line, "229", 3) != 0 ||
	    (p = memchr(line, '(', len)) == NULL)
		return -1;
	i = (size_t)(p - line) + 1;
	if (len - i < 6)
		return -1;
	d = line[i];
	/* RFC 2428 3: the delimiter is printable ASCII 33-126, not a digit. */
	if (d < 33 || d > 126 || (d >= '0' && d <= '9') || line[i + 1] != d ||
	    line[i + 2] != d)
		return -1;
	i += 3;
	if ((v = ftpf_num(line, len, &i)) <= 0 || v > 65535)
		return -1;
	if (i + 1 >= len || line[i] != d || line[i + 1] != ')')
		return -1;
	*port = (uint16_t)v;
	return 0;
}

size_t
ftpf_pasv_reply(int kind, const struct sockaddr_storage *local, uint16_t port, char *out,
    size_t cap)
{
	const uint8_t	*a;
	int		 n;

	if (kind == STLS_K_EPSV)
		n = snprintf(out, cap, "229 Entering Extended Passive Mode (|||%u|).\r\n",
		    port);
	else if (local->ss_family != AF_INET)
		n = snprintf(out, cap, "425 PASV needs IPv4: use EPSV.\r\n");
	else {
		a = (const uint8_t *)&((const struct sockaddr_in *)local)->sin_addr;
		n = snprintf(out, cap, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).\r\n",
		    a[0], a[1], a[2], a[3], port >> 8, port & 0xff);
	}
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
