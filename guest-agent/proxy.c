/*
 * proxy.c - the TLS-terminating tracking proxy: listeners, connections,
 * the two bounded buffers of each connection, backpressure, half-close,
 * timeouts, and the feeding of each connection's tracker.
 *
 * A connection is a client socket (plaintext, implicit TLS, or STARTTLS
 * with starttls.c's filter in its first phase) and a backend socket
 * (always plaintext, optionally opened by a PROXY v2 header).  Bytes from
 * the client go to c2s, from the backend to s2c; each buffer holds at most
 * buffer_size bytes and a side is read only while its buffer has room, so
 * a slow reader slows its writer down (backpressure) and memory stays
 * bounded.  After every event the connection is "pumped": every possible
 * read and write is tried until none makes progress, then the events
 * watched are recomputed from what blocked.  The connections with events
 * in one poll are pumped after the last of them, in event order, for
 * their reads first and then for their writes (see proxy_runq_cb).
 * Buffers are allocated when bytes arrive and freed once empty, so idle
 * connections hold none.
 *
 * FTP (protocol = ftp): the control connection runs through ftp_filter.c
 * (via the STARTTLS filter's calls) for its whole life; the backend's
 * replies to PASV/EPSV are answered with a data port of the proxy's
 * (proxy_ftp.c), and each data connection accepted there is a connection
 * of its own here, relayed to the port the backend announced, with TLS on
 * the client side when the session asked PROT P (the service's context:
 * the client may resume the control connection's TLS session).  Data
 * connections are not counted: the bytes they move are reported to their
 * control connection's tracker (track_ftp_data()).
 *
 * End of stream: an EOF from one side is passed on as shutdown(SHUT_WR)
 * (and a TLS close_notify) once its buffer is flushed; the connection
 * closes once both directions ended.  An error on either side closes both,
 * with one log line naming the service and the client.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent.h"
#include "log.h"
#include "track.h"

#define PROXY_BACKLOG		511
#define PROXY_ACCEPTS		64	/* accepts per listener event */
#define PROXY_PUMPS		16	/* pump rounds per event: fairness */
#define PROXY_EMFILE_PAUSE	1.0	/* seconds without accepting when out of fds */
#define PROXY_NAME_LEN		64
#define PROXY_POOL_MAX		64	/* empty buffers kept a service for reuse */

struct pbuf {
	struct pbuf	*next;		/* in the service's pool */
	size_t		 off, len;
	char		 data[];
};

struct proxy_svc;

struct proxy_lst {
	ev_io			 io;
	ev_timer		 pause;		/* out of file descriptors */
	int			 fd;
	struct svc_addr		 addr;
	struct proxy_svc	*svc;
};

struct proxy_svc {
	struct proxy_svc	*next;
	struct proxy		*px;
	struct svc_conf		 conf;
	SSL_CTX			*ctx;
	const struct track_proto *tp;
	struct source		*src;
	struct proxy_lst	 lst[SVC_MAX_LISTEN];
	unsigned		 nlst;
	unsigned		 nconns;
	int			 retired;	/* removed by a reload: freed at its last close */
	struct pbuf		*pool;		/* empty buffers (buffer_size) for reuse */
	unsigned		 npool;
	ev_tstamp		 full_logged;	/* max_connections log, once a second */
	unsigned		 full_count;
	uint64_t		 hs_failures;
};

struct proxy {
	struct ev_loop		*loop;
	ev_check		 runq_w;	/* pumps the queued connections after a poll */
	struct proxy_conn	*runq;		/* connections with events, in event order */
	unsigned		 flushed;	/* ev_iteration() of runq_w's last run */
	int			 reading;	/* runq_w's first pass: no writes */
	struct sources		*srcs;
	struct source		*src[WIRE_PROTO_MAX];
	struct proxy_svc	*svcs;
	struct proxy_conn	*conns;
	unsigned		 nconns;
	int			 draining;
	void			(*done)(void *);
	void			*done_arg;
};

/* The STARTTLS phase: the filter and its two line buffers. */
struct proxy_filter {
	struct stls	 st;
	size_t		 lclen, lslen;
	char		 lc[STLS_LINE_MAX];
	char		 ls[STLS_LINE_MAX];
};

struct proxy_conn {
	struct proxy_conn	*prev, *next;	/* all connections (proxy_free) */
	struct proxy_conn	*rnext, **rprevp;	/* on px->runq; rprevp NULL: not */
	struct proxy_svc	*svc;
	struct ev_loop		*loop;
	int			 cfd, bfd;
	ev_io			 cio, bio;
	int			 cev, bev;	/* events watched now */
	ev_timer		 tm;
	SSL			*ssl;
	struct tls_sock		 ts;		/* ssl's socket */
	struct proxy_filter	*f;
	struct pbuf		*c2s, *s2c;
	int			 hs;		/* TLS handshake in progress */
	int			 hs_want;	/* EV_READ/EV_WRITE the handshake waits for */
	int			 rd_want, wr_want;	/* same for SSL_read, SSL_write */
	int			 bconn;		/* backend connected */
	int			 crd_eof, brd_eof, cwr_shut, bwr_shut;
	int			 cw_blocked, bw_blocked;
	int			 crdy, brdy;	/* a read may find bytes: no futile syscalls */
	int			 reason;	/* counted under, -1 none */
	int			 trk_logged;
	ev_tstamp		 start, last;
	char			 name[PROXY_NAME_LEN];	/* client ADDR:PORT */
	struct svc_addr		 baddr;		/* the backend to connect to */
	struct proxy_ftp	*ftp;		/* FTP control: its data port */
	struct proxy_conn	*ctl;		/* FTP data: its control connection */
	int			 data;		/* FTP data connection (never counted) */
	struct track		 tr;
};

static void	proxy_conn_io_cb(struct ev_loop *, ev_io *, int);
static void	proxy_conn_free(struct proxy_conn *);

/* ------------------------------------------------------------ buffers */
static size_t
pbuf_room(const struct proxy_conn *c, const struct pbuf *b)
{
	if (b == NULL)
		return c->svc->conf.buffer_size;
	return c->svc->conf.buffer_size - b->len;
}

/*
 * The free tail of *bp (allocated; compacted when its tail is under need
 * bytes or the data sits in its last quarter); NULL if out of memory.
 */
static char *
pbuf_tail(struct proxy_conn *c, struct pbuf **bp, size_t *room, size_t need)
{
	struct pbuf	*b = *bp;
	size_t		 cap = c->svc->conf.buffer_size;

	if (b == NULL) {
		/* A pooled buffer: no malloc, no fresh pages, no heap trim a cycle. */
		if ((b = c->svc->pool) != NULL) {
			c->svc->pool = b->next;
			c->svc->npool--;
		} else if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->off = b->len = 0;
		*bp = b;
	}
	if (b->off > 0 && (b->len == 0 || b->off + b->len > cap - cap / 4 ||
	    cap - b->off - b->len < need)) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	*room = cap - b->off - b->len;
	return b->data + b->off + b->len;
}

static int
pbuf_put(struct proxy_conn *c, struct pbuf **bp, const void *p, size_t n)
{
	size_t	room;
	char	*t;

	if ((t = pbuf_tail(c, bp, &room, n)) == NULL || room < n)
		return -1;
	memcpy(t, p, n);
	(*bp)->len += n;
	return 0;
}

/* Give an empty buffer back (to the pool, or free it); NULL is a no-op. */
static void
pbuf_release(struct proxy_svc *svc, struct pbuf **bp)
{
	if (*bp == NULL || (*bp)->len != 0)
		return;
	if (svc->npool < PROXY_POOL_MAX) {
		(*bp)->next = svc->pool;
		svc->pool = *bp;
		svc->npool++;
	} else
		free(*bp);
	*bp = NULL;
}

static void
pbuf_pool_free(struct proxy_svc *svc)
{
	struct pbuf	*b;

	while ((b = svc->pool) != NULL) {
		svc->pool = b->next;
		free(b);
	}
	svc->npool = 0;
}

/* ------------------------------------------------------------ accounting */
static void
proxy_conn_account(struct proxy_conn *c)
{
	int	r = (int)track_reason(&c->tr);

	if (c->data)
		return;
	if (r != c->reason) {
		src_proxy_move(c->svc->src, c->reason, r);
		c->reason = r;
	}
}

/* Feed the tracker what passed; a tracker error is logged once and the
 * connection stays open, counted unsuitable (proxy(8), "Bad input"). */
static void
proxy_conn_feed(struct proxy_conn *c, enum track_dir dir, const void *p, size_t n)
{
	if (c->data) {		/* FTP data: progress of the control's transfer */
		if (c->ctl != NULL) {
			track_ftp_data(&c->ctl->tr, n);
			proxy_conn_account(c->ctl);
			/* A control connection is quiet during a transfer, not idle. */
			c->ctl->last = ev_now(c->loop);
		}
		return;
	}
	if (track_feed(&c->tr, dir, p, n) == -1 && !c->trk_logged) {
		c->trk_logged = 1;
		log_info("service %s: client %s: tracker: %s; counted as busy from now on",
		    c->svc->conf.name, c->name, track_error(&c->tr));
	}
	proxy_conn_account(c);
}

/* ------------------------------------------------------------ client I/O */

/* Read from the client: >0 bytes, 0 EOF, -1 would block, -2 error (*why). */
static ssize_t
proxy_cread(struct proxy_conn *c, char *p, size_t n, const char **why, char *e, size_t elen)
{
	ssize_t	r;
	int	err;

	if (c->ssl == NULL) {
		if ((r = read(c->cfd, p, n)) >= 0)
			return r;
		if (errno == EAGAIN || errno == EINTR)
			return -1;
		*why = strerror(errno);
		return -2;
	}
	ERR_clear_error();
	if ((r = SSL_read(c->ssl, p, (int)(n > INT_MAX ? INT_MAX : n))) > 0)
		return r;
	switch ((err = SSL_get_error(c->ssl, (int)r))) {
	case SSL_ERROR_WANT_READ:
		c->rd_want = EV_READ;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		c->rd_want = EV_WRITE;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		*why = errno ? strerror(errno) : "unexpected end of stream";
		return errno ? -2 : 0;
	default:
		*why = tls_errstr(e, elen);
		return -2;
	}
}

/* Write to the client: >0 bytes, -1 would block, -2 error. */
static ssize_t
proxy_cwrite(struct proxy_conn *c, const char *p, size_t n, const char **why, char *e,
    size_t elen)
{
	ssize_t	r;

	if (c->ssl == NULL) {
		if ((r = send(c->cfd, p, n, MSG_NOSIGNAL)) >= 0)
			return r;
		if (errno == EAGAIN || errno == EINTR)
			return -1;
		*why = strerror(errno);
		return -2;
	}
	ERR_clear_error();
	if ((r = SSL_write(c->ssl, p, (int)(n > INT_MAX ? INT_MAX : n))) > 0)
		return r;
	switch (SSL_get_error(c->ssl, (int)r)) {
	case SSL_ERROR_WANT_READ:
		c->wr_want = EV_READ;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		c->wr_want = EV_WRITE;
		return -1;
	case SSL_ERROR_SYSCALL:
		*why = errno ? strerror(errno) : "unexpected end of stream";
		return -2;
	default:
		*why = tls_errstr(e, elen);
		return -2;
	}
}

/* Start the TLS handshake on the client socket.  0, or -1 (out of memory). */
static int
proxy_tls_start(struct proxy_conn *c)
{
	if ((c->ssl = SSL_new(c->svc->ctx)) == NULL || tls_sock_attach(c->ssl, &c->ts, c->cfd) != 0)
		return -1;
	SSL_set_accept_state(c->ssl);
	c->hs = 1;
	c->hs_want = EV_READ;
	c->rd_want = EV_READ;
	c->wr_want = EV_WRITE;
	if (c->svc->conf.tls == SVC_TLS_IMPLICIT)
		track_tls_implicit(&c->tr);
	else
		track_tls_begin(&c->tr);	/* no-op if the tracker did it (STLS +OK) */
	proxy_conn_account(c);
	return 0;
}

/* One handshake step: 1 done now, 0 waiting, -1 failed (*why). */
static int
proxy_tls_step(struct proxy_conn *c, const char **why, char *e, size_t elen)
{
	int	r;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) == 1) {
		c->hs = 0;
		c->crdy = 1;	/* the client may have sent data with its Finished */
		track_tls_done(&c->tr);
		if (c->f != NULL)
			stls_tls_done(&c->f->st);
		proxy_conn_account(c);
		log_debug("service %s: client %s: %s, %s", c->svc->conf.name, c->name,
		    SSL_get_version(c->ssl), SSL_session_reused(c->ssl) ? "resumed" : "full handshake");
		return 1;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->hs_want = EV_READ;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->hs_want = EV_WRITE;
		return 0;
	case SSL_ERROR_SYSCALL:
		*why = errno ? strerror(errno) : "closed by the client";
		return -1;
	default:
		*why = ERR_peek_error() ? tls_errstr(e, elen) : "closed by the client";
		return -1;
	}
}

/* ------------------------------------------------------------ FTP */

static void	proxy_data_accepted(void *, int, const struct sockaddr_storage *, uint16_t);

/*
 * The backend answered PASV/EPSV with its port f->st.ftp.bport: open the
 * proxy's data port and write the client's reply into out (cap >= 128).
 * The port listens on the address the client reached; a 227 names
 * ftp_pasv_address instead, if set (the address clients reach through a
 * NAT).  Returns its length.
 */
static size_t
proxy_conn_pasv(struct proxy_conn *c, char *out, size_t cap)
{
	struct stls		*st = &c->f->st;
	struct sockaddr_storage	 local;
	socklen_t		 llen = sizeof(local);
	uint16_t		 port = 0;
	int			 kind = st->ftp.pasv;

	st->ftp.pasv = 0;
	if (c->ftp != NULL && getsockname(c->cfd, (struct sockaddr *)&local, &llen) == 0) {
		if (kind == STLS_K_PASV && local.ss_family != AF_INET)
			return ftpf_pasv_reply(kind, &local, 0, out, cap);	/* its 425 */
		port = proxy_ftp_listen(c->ftp, &local, st->ftp.bport);
		if (kind == STLS_K_PASV && c->svc->conf.pasv_addr_set)
			((struct sockaddr_in *)&local)->sin_addr = c->svc->conf.pasv_addr;
	}
	if (port == 0) {
		int n = snprintf(out, cap, "425 Cannot open a data connection.\r\n");

		return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	}
	return ftpf_pasv_reply(kind, &local, port, out, cap);
}

/* ------------------------------------------------------------ STARTTLS phase */

/* Client lines through the filter.  1 progress, 0 none, -2 error (*why). */
static int
proxy_filter_client(struct proxy_conn *c, const char **why)
{
	struct proxy_filter	*f = c->f;
	char			 out[STLS_OUT_MAX], *nl;
	size_t			 used, olen;
	int			 progress = 0;

	while (!f->st.pass_c && !f->st.upgrade && f->lclen > 0) {
		if ((nl = memchr(f->lc, '\n', f->lclen)) == NULL) {
			if (c->crd_eof) {
				/* The client's last bytes, unterminated: pass them on. */
				f->st.pass_c = 1;
				f->st.pass_s |= f->st.qn == 0;
				break;
			}
			if (f->lclen < STLS_LINE_MAX)
				break;
			*why = c->ftp != NULL ? "command line too long" :
			    "command line too long before TLS";
			return -2;
		}
		used = (size_t)(nl - f->lc) + 1;
		if (pbuf_room(c, c->c2s) < used || pbuf_room(c, c->s2c) < STLS_OUT_MAX)
			break;
		enum stls_act act = stls_client_line(&f->st, f->lc, used, out, sizeof(out), &olen);
		if (act == STLS_HOLD)
			break;
		if (f->st.ftp.refused)
			log_info("service %s: client %s: active mode (%.4s) refused: "
			    "only passive data connections go through the proxy",
			    c->svc->conf.name, c->name, f->lc);
		proxy_conn_feed(c, TRACK_C2S, f->lc, used);
		if (act == STLS_FORWARD ? pbuf_put(c, &c->c2s, f->lc, used) :
		    pbuf_put(c, &c->s2c, out, olen)) {
			*why = "out of memory";
			return -2;
		}
		if (act == STLS_REPLY)
			proxy_conn_feed(c, TRACK_S2C, out, olen);
		memmove(f->lc, f->lc + used, f->lclen - used);
		f->lclen -= used;
		progress = 1;
	}
	if (f->st.pass_c && f->lclen > 0 && pbuf_room(c, c->c2s) >= f->lclen) {
		proxy_conn_feed(c, TRACK_C2S, f->lc, f->lclen);
		if (pbuf_put(c, &c->c2s, f->lc, f->lclen) == -1) {
			*why = "out of memory";
			return -2;
		}
		f->lclen = 0;
		progress = 1;
	}
	return progress;
}

/* Backend lines through the filter.  1 progress, 0 none, -2 error. */
static int
proxy_filter_server(struct proxy_conn *c, const char **why)
{
	struct proxy_filter	*f = c->f;
	char			*nl, *t;
	size_t			 used, room, olen;
	int			 progress = 0;

	while (!f->st.pass_s && f->lslen > 0) {
		if ((nl = memchr(f->ls, '\n', f->lslen)) != NULL)
			used = (size_t)(nl - f->ls) + 1;
		else if (f->lslen < STLS_LINE_MAX)
			break;
		else if (c->svc->conf.proto == WIRE_P_FTP)
			used = f->lslen;	/* its head filtered, the rest passed */
		else {				/* not a capability list: stop */
			f->st.pass_c = f->st.pass_s = 1;
			break;
		}
		if (pbuf_room(c, c->s2c) < STLS_OUT_MAX)
			break;
		if ((t = pbuf_tail(c, &c->s2c, &room, STLS_OUT_MAX)) == NULL)
			goto oom;
		olen = stls_server_line(&f->st, f->ls, used, t, room);
		if (f->st.ftp.pasv)
			olen += proxy_conn_pasv(c, t + olen, room - olen);
		c->s2c->len += olen;
		proxy_conn_feed(c, TRACK_S2C, t, olen);
		memmove(f->ls, f->ls + used, f->lslen - used);
		f->lslen -= used;
		progress = 1;
	}
	if (f->st.pass_s && f->lslen > 0 && pbuf_room(c, c->s2c) >= f->lslen) {
		if (pbuf_put(c, &c->s2c, f->ls, f->lslen) == -1)
			goto oom;
		proxy_conn_feed(c, TRACK_S2C, f->ls, f->lslen);
		f->lslen = 0;
		progress = 1;
	}
	return progress;
oom:
	*why = "out of memory";
	return -2;
}

/* The upgrade reply is flushed: start TLS (RFC 3207 5: no plaintext kept). */
static int
proxy_filter_upgrade(struct proxy_conn *c, const char **why)
{
	if (c->f->lclen > 0) {
		log_info("service %s: client %s: %zu bytes sent after the TLS upgrade "
		    "command discarded", c->svc->conf.name, c->name, c->f->lclen);
		c->f->lclen = 0;
	}
	c->f->st.upgrade = 0;
	if (proxy_tls_start(c) == -1) {
		*why = "cannot start TLS (out of memory)";
		return -2;
	}
	return 1;
}

/* ------------------------------------------------------------ the pump */

/* client -> c2s -> backend.  1 progress, 0 none, -2 error (*why set). */
static int
proxy_pump_c2b(struct proxy_conn *c, const char **why, char *e, size_t elen)
{
	struct proxy_filter	*f = c->f;
	int			 progress = 0, r;
	size_t			 room;
	ssize_t			 n;
	char			*t;

	if (f != NULL && !f->st.pass_c && (r = proxy_filter_client(c, why)) != 0) {
		if (r < 0)
			return r;
		progress = 1;
	}
	if (!c->hs && !c->crd_eof && (f == NULL || !f->st.upgrade)) {
		int line = f != NULL && (!f->st.pass_c || f->lclen > 0);

		if (line) {
			t = f->lc + f->lclen;
			room = STLS_LINE_MAX - f->lclen;
		} else if ((t = pbuf_tail(c, &c->c2s, &room, 1)) == NULL) {
			*why = "out of memory";
			return -2;
		}
		if (room > 0 && c->crdy) {
			if ((n = proxy_cread(c, t, room, why, e, elen)) == -2)
				return -2;
			/*
			 * A drained socket (a short read, under TLS with nothing
			 * left in OpenSSL) waits for its next event: level-triggered.
			 */
			c->crdy = n != -1 && (c->ssl != NULL ? !tls_drained(c->ssl, &c->ts) :
			    n == (ssize_t)room);
			if (n == 0)
				c->crd_eof = 1;
			else if (n > 0 && line)
				f->lclen += (size_t)n;
			else if (n > 0) {
				c->c2s->len += (size_t)n;
				proxy_conn_feed(c, TRACK_C2S, t, (size_t)n);
			}
			progress |= n >= 0;
		}
	}
	if (c->bconn && c->c2s != NULL && c->c2s->len > 0 && !c->svc->px->reading) {
		n = send(c->bfd, c->c2s->data + c->c2s->off, c->c2s->len, MSG_NOSIGNAL);
		if (n > 0) {
			c->c2s->off += (size_t)n;
			c->c2s->len -= (size_t)n;
			c->bw_blocked = 0;
			progress = 1;
		} else if (errno == EAGAIN || errno == EINTR)
			c->bw_blocked = 1;
		else {
			*why = strerror(errno);
			return -3;
		}
	}
	if (c->bconn && c->crd_eof && !c->bwr_shut && (c->c2s == NULL || c->c2s->len == 0) &&
	    (f == NULL || f->lclen == 0)) {
		shutdown(c->bfd, SHUT_WR);
		c->bwr_shut = 1;
		progress = 1;
	}
	return progress;
}

/* backend -> s2c -> client.  1 progress, 0 none, -2 client error, -3 backend error. */
static int
proxy_pump_b2c(struct proxy_conn *c, const char **why, char *e, size_t elen)
{
	struct proxy_filter	*f = c->f;
	int			 progress = 0, r;
	size_t			 room;
	ssize_t			 n;
	char			*t;

	if (c->bconn && !c->brd_eof) {
		int line = f != NULL && (!f->st.pass_s || f->lslen > 0);

		if (line) {
			t = f->ls + f->lslen;
			room = pbuf_room(c, c->s2c) >= STLS_OUT_MAX ? STLS_LINE_MAX - f->lslen : 0;
		} else if ((t = pbuf_tail(c, &c->s2c, &room, 1)) == NULL) {
			*why = "out of memory";
			return -2;
		}
		if (room > 0 && c->brdy) {
			n = read(c->bfd, t, room);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				*why = strerror(errno);
				return -3;
			}
			c->brdy = n == (ssize_t)room;	/* short: drained, as above */
			if (n == 0)
				c->brd_eof = 1;
			else if (n > 0 && line)
				f->lslen += (size_t)n;
			else if (n > 0) {
				c->s2c->len += (size_t)n;
				proxy_conn_feed(c, TRACK_S2C, t, (size_t)n);
			}
			progress |= n >= 0;
		}
	}
	if (f != NULL && (r = proxy_filter_server(c, why)) != 0) {
		if (r < 0)
			return r;
		progress = 1;
	}
	if (!c->hs && c->s2c != NULL && c->s2c->len > 0 && !c->svc->px->reading) {
		n = proxy_cwrite(c, c->s2c->data + c->s2c->off, c->s2c->len, why, e, elen);
		if (n == -2)
			return -2;
		c->cw_blocked = n < 0;
		if (n > 0) {
			c->s2c->off += (size_t)n;
			c->s2c->len -= (size_t)n;
			progress = 1;
		}
	}
	if (f != NULL && f->st.upgrade && (c->s2c == NULL || c->s2c->len == 0))
		return proxy_filter_upgrade(c, why);
	if (!c->hs && c->brd_eof && !c->cwr_shut && (c->s2c == NULL || c->s2c->len == 0) &&
	    (f == NULL || f->lslen == 0)) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			SSL_shutdown(c->ssl);	/* close_notify; the reply is not awaited */
		}
		shutdown(c->cfd, SHUT_WR);
		c->cwr_shut = 1;
		progress = 1;
	}
	return progress;
}

/* ------------------------------------------------------------ connection life */

/* Close both sides; log the reason (NULL: an orderly end, debug only). */
static void
proxy_conn_close(struct proxy_conn *c, const char *what, const char *why)
{
	if (why != NULL)
		log_info("service %s: client %s: %s: %s; connection closed",
		    c->svc->conf.name, c->name, what, why);
	else
		log_debug("service %s: client %s: closed", c->svc->conf.name, c->name);
	proxy_conn_free(c);
}

static void
proxy_io_set(struct ev_loop *loop, ev_io *w, int *cur, int want)
{
	if (*cur == want)
		return;
	ev_io_stop(loop, w);
	if (want != 0) {
		ev_io_set(w, w->fd, want);
		ev_io_start(loop, w);
	}
	*cur = want;
}

/* Watch what the connection now waits for. */
static void
proxy_conn_events(struct proxy_conn *c)
{
	struct proxy_filter	*f = c->f;
	int			 cw = 0, bw = 0;

	if (c->hs)
		cw = c->hs_want;
	else {
		int hold = f != NULL && (f->st.upgrade || (!f->st.pass_c && f->lclen == STLS_LINE_MAX));

		if (!c->crd_eof && !hold && pbuf_room(c, c->c2s) > 0)
			cw |= c->ssl ? c->rd_want : EV_READ;
		if (c->cw_blocked && c->s2c != NULL && c->s2c->len > 0)
			cw |= c->ssl ? c->wr_want : EV_WRITE;
	}
	if (!c->bconn)
		bw = EV_WRITE;
	else {
		if (!c->brd_eof && pbuf_room(c, c->s2c) > (f != NULL ? STLS_OUT_MAX : 0))
			bw |= EV_READ;
		if (c->bw_blocked && c->c2s != NULL && c->c2s->len > 0)
			bw |= EV_WRITE;
	}
	proxy_io_set(c->loop, &c->cio, &c->cev, cw);
	proxy_io_set(c->loop, &c->bio, &c->bev, bw);
}

/* Pump until nothing moves; the connection may be freed (returns -1). */
static int
proxy_conn_run(struct proxy_conn *c)
{
	const char	*why = NULL;
	char		 e[256];
	int		 r, progress, rounds = 0;

	do {
		progress = 0;
		if (c->hs) {
			if ((r = proxy_tls_step(c, &why, e, sizeof(e))) < 0) {
				c->svc->hs_failures++;
				proxy_conn_close(c, "TLS handshake failed", why);
				return -1;
			}
			progress |= r;
		}
		if ((r = proxy_pump_c2b(c, &why, e, sizeof(e))) >= 0)
			progress |= r;
		if (r >= 0 && (r = proxy_pump_b2c(c, &why, e, sizeof(e))) >= 0)
			progress |= r;
		if (r < 0) {
			proxy_conn_close(c, r == -2 ? "client" : "backend", why);
			return -1;
		}
		if (progress)
			c->last = ev_now(c->loop);
	} while (progress && ++rounds < PROXY_PUMPS);
	if (c->crd_eof && c->brd_eof && c->cwr_shut && c->bwr_shut) {
		proxy_conn_close(c, "", NULL);
		return -1;
	}
	/* FTP keeps its filter: data connections read its PROT level. */
	if (c->f != NULL && c->ftp == NULL && c->f->st.pass_c && c->f->st.pass_s &&
	    c->f->lclen == 0 && c->f->lslen == 0 && !c->f->st.upgrade && c->f->st.hlen == 0) {
		free(c->f);
		c->f = NULL;
	}
	pbuf_release(c->svc, &c->c2s);
	pbuf_release(c->svc, &c->s2c);
	if (rounds >= PROXY_PUMPS) {
		c->brdy = 1;	/* the callback sets crdy */
		ev_feed_event(c->loop, &c->cio, EV_CUSTOM);	/* more to do: come back */
	}
	proxy_conn_events(c);
	return 0;
}

/* The backend socket became writable while connecting. */
static int
proxy_conn_connected(struct proxy_conn *c)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);
	char		 b[PROXY_NAME_LEN], m[160];

	if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		snprintf(m, sizeof(m), "connect: %s", strerror(err));
		proxy_conn_close(c, svc_addr_str(&c->svc->conf.backend.ss, b, sizeof(b)), m);
		return -1;
	}
	c->bconn = 1;
	return 0;
}

/*
 * Reads first, then writes, in the order the kernel reported the events.
 * The callbacks of one poll's events only note what is ready and queue
 * their connection (libev calls them last event first: pushing in front
 * undoes that).  A check watcher of the lowest priority, which libev runs
 * after every other callback of the same poll, then pumps the queue twice:
 * first for reads only (and handshakes), then again for writes.  Each peer
 * gets the replies of a whole poll in one burst and wakes once for them,
 * not once for each as they trickle out between our reads; and the first
 * connection ready is the first served, as with haproxy, whose tasks run
 * after its I/O.  A callback that runs after the flush of its iteration
 * (an event fed by the flush itself, or one run while libev prepares the
 * next poll) pumps at once: nothing is ever queued without a flush to
 * follow before the loop can block.
 */
static void
proxy_runq_unlink(struct proxy_conn *c)
{
	if (c->rprevp == NULL)
		return;
	if (c->rnext != NULL)
		c->rnext->rprevp = c->rprevp;
	*c->rprevp = c->rnext;
	c->rprevp = NULL;
	c->rnext = NULL;
}

static void
proxy_runq_push(struct proxy_conn *c)
{
	struct proxy	*px = c->svc->px;

	if (c->rprevp != NULL)
		return;
	c->rnext = px->runq;
	if (px->runq != NULL)
		px->runq->rprevp = &c->rnext;
	px->runq = c;
	c->rprevp = &px->runq;
}

static void
proxy_runq_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct proxy		*px = w->data;
	struct proxy_conn	*c, *next;

	(void)revents;
	px->flushed = ev_iteration(loop);
	/* Running one connection never frees another: next stays valid. */
	px->reading = 1;
	for (c = px->runq; c != NULL; c = next) {
		next = c->rnext;
		proxy_conn_run(c);
	}
	px->reading = 0;
	while ((c = px->runq) != NULL) {
		proxy_runq_unlink(c);
		proxy_conn_run(c);
	}
}

static void
proxy_conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proxy_conn	*c = w->data;

	if (w == &c->cio)
		c->crdy = 1;	/* any event: SSL_read may wait for writability */
	else if (revents & EV_READ)
		c->brdy = 1;
	if (w == &c->bio && !c->bconn && proxy_conn_connected(c) == -1)
		return;
	if (c->svc->px->flushed == ev_iteration(loop))	/* after this poll's flush */
		proxy_conn_run(c);
	else
		proxy_runq_push(c);
}

static void
proxy_conn_tm_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proxy_conn	*c = w->data;
	struct svc_conf		*sc = &c->svc->conf;
	ev_tstamp		 now = ev_now(loop), left;

	(void)revents;
	if (c->hs || !c->bconn) {
		left = c->start + sc->handshake_ms / 1000.0 - now;
		if (left <= 0) {
			if (c->hs)
				c->svc->hs_failures++;
			proxy_conn_close(c, c->hs ? "TLS handshake" : "backend connect", "timed out");
			return;
		}
	} else {
		left = c->last + sc->idle_ms / 1000.0 - now;
		if (left <= 0) {
			proxy_conn_close(c, "idle", "timed out");
			return;
		}
	}
	ev_timer_set(w, left, 0.);
	ev_timer_start(loop, w);
}

static void
proxy_conn_free(struct proxy_conn *c)
{
	struct proxy_svc	*svc = c->svc;
	struct proxy		*px = svc->px;

	ev_io_stop(c->loop, &c->cio);
	ev_io_stop(c->loop, &c->bio);
	ev_timer_stop(c->loop, &c->tm);
	ev_clear_pending(c->loop, &c->cio);
	proxy_runq_unlink(c);
	if (c->ftp != NULL) {
		struct proxy_conn *d;

		proxy_ftp_free(c->ftp);
		for (d = px->conns; d != NULL; d = d->next)
			if (d->ctl == c)
				d->ctl = NULL;	/* transfers in flight finish on their own */
	}
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->bfd >= 0)
		close(c->bfd);
	src_proxy_move(svc->src, c->reason, -1);
	free(c->c2s);
	free(c->s2c);
	free(c->f);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		px->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
	svc->nconns--;
	px->nconns--;
	if (svc->retired && svc->nconns == 0) {
		struct proxy_svc **pp;

		for (pp = &px->svcs; *pp != NULL; pp = &(*pp)->next)
			if (*pp == svc) {
				*pp = svc->next;
				break;
			}
		tls_ctx_free(svc->ctx);
		pbuf_pool_free(svc);
		free(svc);
	}
	if (px->draining && px->nconns == 0 && px->done != NULL)
		px->done(px->done_arg);
}

/* ------------------------------------------------------------ accept */

/* Open the backend socket and start connecting.  0, or -1 (*why). */
static int
proxy_conn_backend(struct proxy_conn *c, const char **why)
{
	const struct svc_addr	*b = &c->baddr;
	int			 one = 1;

	c->bfd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->bfd == -1) {
		*why = strerror(errno);
		return -1;
	}
	setsockopt(c->bfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->bfd, (const struct sockaddr *)&b->ss, b->len) == 0)
		c->bconn = 1;
	else if (errno != EINPROGRESS) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* A connection object for fd (owned from here on), linked and timed; NULL
 * (logged, fd closed) if out of memory. */
static struct proxy_conn *
proxy_conn_alloc(struct proxy_svc *svc, int fd, const struct sockaddr_storage *peer)
{
	struct proxy		*px = svc->px;
	struct proxy_conn	*c;
	char			 name[PROXY_NAME_LEN];
	int			 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("service %s: client %s: out of memory; connection refused",
		    svc->conf.name, svc_addr_str(peer, name, sizeof(name)));
		close(fd);
		return NULL;
	}
	c->svc = svc;
	c->baddr = svc->conf.backend;
	c->loop = px->loop;
	c->cfd = fd;
	c->bfd = -1;
	c->reason = -1;
	c->crdy = c->brdy = 1;
	c->start = c->last = ev_now(px->loop);
	svc_addr_str(peer, c->name, sizeof(c->name));
	svc->nconns++;
	px->nconns++;
	if ((c->next = px->conns) != NULL)
		c->next->prev = c;
	px->conns = c;
	ev_io_init(&c->cio, proxy_conn_io_cb, fd, 0);
	ev_io_init(&c->bio, proxy_conn_io_cb, -1, 0);
	ev_timer_init(&c->tm, proxy_conn_tm_cb, (svc->conf.handshake_ms < svc->conf.idle_ms ?
	    svc->conf.handshake_ms : svc->conf.idle_ms) / 1000.0, 0.);
	c->cio.data = c->bio.data = c->tm.data = c;
	ev_timer_start(px->loop, &c->tm);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

/* Set up a freshly accepted connection; it owns fd from here on. */
static void
proxy_conn_new(struct proxy_svc *svc, int fd, const struct sockaddr_storage *peer)
{
	struct proxy_conn	*c;
	struct sockaddr_storage	 local;
	socklen_t		 llen = sizeof(local);
	uint8_t			 hdr[64];
	size_t			 hlen;
	const char		*why = "out of memory";
	char			 name[PROXY_NAME_LEN];

	if ((c = proxy_conn_alloc(svc, fd, peer)) == NULL)
		return;
	track_init(&c->tr, svc->tp, NULL);
	proxy_conn_account(c);
	if (svc->conf.tls == SVC_TLS_STARTTLS || svc->conf.proto == WIRE_P_FTP) {
		if ((c->f = malloc(sizeof(*c->f))) == NULL)
			goto fail;
		stls_init(&c->f->st, svc->conf.proto);
		c->f->lclen = c->f->lslen = 0;
	}
	if (svc->conf.proto == WIRE_P_FTP) {
		ftpf_init(&c->f->st, svc->conf.tls);
		if ((c->ftp = proxy_ftp_new(c->loop, &svc->conf, c->name, peer,
		    proxy_data_accepted, c)) == NULL)
			goto fail;
	}
	if (svc->conf.tls == SVC_TLS_IMPLICIT && proxy_tls_start(c) == -1)
		goto fail;
	if (svc->conf.proxy_v2 && getsockname(fd, (struct sockaddr *)&local, &llen) == 0 &&
	    (hlen = proxyproto_v2(peer, &local, hdr, sizeof(hdr))) > 0 &&
	    pbuf_put(c, &c->c2s, hdr, hlen) == -1)
		goto fail;
	if (proxy_conn_backend(c, &why) == -1) {
		proxy_conn_close(c, svc_addr_str(&svc->conf.backend.ss, name, sizeof(name)), why);
		return;
	}
	ev_io_set(&c->bio, c->bfd, 0);
	log_debug("service %s: client %s: accepted", svc->conf.name, c->name);
	proxy_conn_run(c);
	return;
fail:
	proxy_conn_close(c, "setup", why);
}

/*
 * A client's data connection on the port of its control connection ctl
 * (proxy_ftp.c checked its address): relayed to the backend's port bport,
 * with TLS if the session asked PROT P.
 */
static void
proxy_data_accepted(void *arg, int fd, const struct sockaddr_storage *peer, uint16_t bport)
{
	struct proxy_conn	*ctl = arg, *c;
	const char		*why = "out of memory";
	char			 name[PROXY_NAME_LEN];

	if ((c = proxy_conn_alloc(ctl->svc, fd, peer)) == NULL)
		return;
	c->data = 1;
	c->ctl = ctl;
	/* Its log lines name it "ADDR:PORT (data)"; proxy_ftp.c's, the control. */
	snprintf(c->name, sizeof(c->name), "%.*s (data)", (int)sizeof(c->name) - 8,
	    svc_addr_str(peer, name, sizeof(name)));
	if (c->baddr.ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&c->baddr.ss)->sin6_port = htons(bport);
	else
		((struct sockaddr_in *)&c->baddr.ss)->sin_port = htons(bport);
	track_init(&c->tr, track_lookup_id(WIRE_P_TCP), NULL);
	if (ctl->f != NULL && ctl->f->st.ftp.prot == 'P' && proxy_tls_start(c) == -1)
		goto fail;
	if (proxy_conn_backend(c, &why) == -1) {
		proxy_conn_close(c, svc_addr_str(&c->baddr.ss, name, sizeof(name)), why);
		return;
	}
	ev_io_set(&c->bio, c->bfd, 0);
	proxy_conn_run(c);
	return;
fail:
	proxy_conn_close(c, "data setup", why);
}

static void
proxy_lst_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proxy_lst	*l = w->data;

	(void)revents;
	if (l->fd >= 0)
		ev_io_start(loop, &l->io);
}

/* Over max_connections: accepted and closed at once, logged once a second. */
static void
proxy_lst_full(struct proxy_svc *svc, int fd, const struct sockaddr_storage *peer)
{
	ev_tstamp	now = ev_now(svc->px->loop);
	char		name[PROXY_NAME_LEN];

	close(fd);
	svc->full_count++;
	if (now - svc->full_logged < 1.0)
		return;
	log_warnx("service %s: max_connections (%llu) reached: client %s closed "
	    "(%u refused since the last such line)", svc->conf.name,
	    (unsigned long long)svc->conf.max_conns, svc_addr_str(peer, name, sizeof(name)),
	    svc->full_count);
	svc->full_logged = now;
	svc->full_count = 0;
}

static void
proxy_lst_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proxy_lst	*l = w->data;
	struct proxy_svc	*svc = l->svc;
	struct sockaddr_storage	 peer;
	socklen_t		 len;
	int			 fd, i;

	(void)revents;
	for (i = 0; i < PROXY_ACCEPTS; i++) {
		len = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				log_warn("service %s: accept (pausing for %.0f s)", svc->conf.name,
				    PROXY_EMFILE_PAUSE);
				ev_io_stop(loop, &l->io);
				ev_timer_set(&l->pause, PROXY_EMFILE_PAUSE, 0.);
				ev_timer_start(loop, &l->pause);
			}
			return;
		}
		if (svc->nconns >= svc->conf.max_conns)
			proxy_lst_full(svc, fd, &peer);
		else
			proxy_conn_new(svc, fd, &peer);
	}
}

/* ------------------------------------------------------------ services */

/* Open a listening socket on a; -1 with err set. */
static int
proxy_listen(const struct svc_addr *a, char *err, size_t errlen)
{
	int	fd, one = 1;
	char	b[PROXY_NAME_LEN];

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1 ||
	    listen(fd, PROXY_BACKLOG) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "listen %s: %s", svc_addr_str(&a->ss, b, sizeof(b)),
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
proxy_lst_close(struct proxy *px, struct proxy_lst *l)
{
	ev_io_stop(px->loop, &l->io);
	ev_timer_stop(px->loop, &l->pause);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* A listening socket for a from a service being replaced, or -1. */
static int
proxy_lst_take(struct proxy *px, const struct svc_addr *a, struct proxy_svc *except)
{
	struct proxy_svc	*s;
	unsigned		 i;
	int			 fd;

	for (s = px->svcs; s != NULL; s = s->next)
		for (i = 0; s != except && i < s->nlst; i++)
			if (s->lst[i].fd >= 0 && s->lst[i].addr.len == a->len &&
			    memcmp(&s->lst[i].addr.ss, &a->ss, a->len) == 0) {
				fd = s->lst[i].fd;
				ev_io_stop(px->loop, &s->lst[i].io);
				ev_timer_stop(px->loop, &s->lst[i].pause);
				s->lst[i].fd = -1;
				return fd;
			}
	return -1;
}

/* A service object (TLS context made), not listening yet; NULL with err. */
static struct proxy_svc *
proxy_svc_new(struct proxy *px, const struct svc_conf *sc, char *err, size_t errlen)
{
	struct proxy_svc	*svc;
	char			 e[512];

	if ((svc = calloc(1, sizeof(*svc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	svc->px = px;
	svc->conf = *sc;
	svc->tp = track_lookup_id(sc->proto);
	if (sc->tls != SVC_TLS_NONE &&
	    (svc->ctx = tls_ctx_new(sc->name, sc->cert, sc->key, e, sizeof(e))) == NULL) {
		snprintf(err, errlen, "service %s: %s", sc->name, e);
		free(svc);
		return NULL;
	}
	if (px != NULL && px->src[sc->proto] == NULL) {
		if ((px->src[sc->proto] = src_proxy_new(sc->proto)) == NULL ||
		    sources_add(px->srcs, px->src[sc->proto]) == -1) {
			snprintf(err, errlen, "service %s: cannot add its source", sc->name);
			tls_ctx_free(svc->ctx);
			free(svc);
			return NULL;
		}
	}
	if (px != NULL)
		svc->src = px->src[sc->proto];
	return svc;
}

/* Listen on every address of svc (taking over sockets of old services). */
static int
proxy_svc_listen(struct proxy_svc *svc, char *err, size_t errlen)
{
	struct proxy	*px = svc->px;
	struct proxy_lst *l;
	unsigned	 i;
	char		 b[PROXY_NAME_LEN], bb[PROXY_NAME_LEN];
	int		 rc = 0;

	for (i = 0; i < svc->conf.nlisten; i++) {
		l = &svc->lst[svc->nlst];
		l->addr = svc->conf.listen[i];
		l->svc = svc;
		if ((l->fd = proxy_lst_take(px, &l->addr, svc)) == -1 &&
		    (l->fd = proxy_listen(&l->addr, err, errlen)) == -1) {
			rc = -1;
			continue;
		}
		ev_io_init(&l->io, proxy_lst_cb, l->fd, EV_READ);
		ev_timer_init(&l->pause, proxy_lst_pause_cb, PROXY_EMFILE_PAUSE, 0.);
		l->io.data = l->pause.data = l;
		if (!px->draining)
			ev_io_start(px->loop, &l->io);
		svc->nlst++;
		log_info("service %s: listening on %s (%s, tls %s) -> %s", svc->conf.name,
		    svc_addr_str(&l->addr.ss, b, sizeof(b)), wire_proto_name(svc->conf.proto),
		    svc->conf.tls == SVC_TLS_NONE ? "none" : svc->conf.tls ==
		    SVC_TLS_IMPLICIT ? "implicit" : "starttls",
		    svc_addr_str(&svc->conf.backend.ss, bb, sizeof(bb)));
	}
	return rc;
}

/* Stop listening; free now if no connection uses it, else when the last ends. */
static void
proxy_svc_retire(struct proxy *px, struct proxy_svc *svc)
{
	struct proxy_svc	**pp;
	unsigned		  i;

	for (i = 0; i < svc->nlst; i++)
		proxy_lst_close(px, &svc->lst[i]);
	svc->retired = 1;
	if (svc->nconns > 0)
		return;
	for (pp = &px->svcs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == svc) {
			*pp = svc->next;
			break;
		}
	tls_ctx_free(svc->ctx);
	pbuf_pool_free(svc);
	free(svc);
}

/* ------------------------------------------------------------ API */

/* The same service in both configurations (its line aside)? */
static int
proxy_svc_same(const struct svc_conf *a, const struct svc_conf *b)
{
	struct svc_conf	x = *a, y = *b;

	x.line = y.line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

struct proxy *
proxy_new(struct ev_loop *loop, struct sources *srcs, const struct agent_conf *c,
    char *err, size_t errlen)
{
	struct proxy	*px;

	if ((px = calloc(1, sizeof(*px))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	px->loop = loop;
	px->srcs = srcs;
	ev_check_init(&px->runq_w, proxy_runq_cb);
	px->runq_w.data = px;
	ev_set_priority(&px->runq_w, EV_MINPRI);	/* after the I/O callbacks */
	ev_check_start(loop, &px->runq_w);
	ev_unref(loop);		/* the queue alone does not keep the loop running */
	px->flushed = ev_iteration(loop);
	if (proxy_reload(px, c, err, errlen) == -1) {
		proxy_free(px);
		return NULL;
	}
	return px;
}

/* Reload a kept service's TLS context (certificates renewed on disk). */
static void
proxy_svc_renew(struct proxy_svc *svc)
{
	SSL_CTX	*ctx;
	char	 e[512];

	if (svc->conf.tls == SVC_TLS_NONE)
		return;
	if ((ctx = tls_ctx_new(svc->conf.name, svc->conf.cert, svc->conf.key, e,
	    sizeof(e))) == NULL) {
		log_warnx("service %s: %s; keeping the certificate loaded before", svc->conf.name, e);
		return;
	}
	tls_ctx_free(svc->ctx);		/* open connections hold their own reference */
	svc->ctx = ctx;
}

int
proxy_reload(struct proxy *px, const struct agent_conf *c, char *err, size_t errlen)
{
	struct proxy_svc	*keep[AGENT_MAX_SERVICES] = { 0 };
	struct proxy_svc	*fresh[AGENT_MAX_SERVICES] = { 0 };
	struct proxy_svc	*s, *next;
	unsigned		 i, j;
	int			 rc = 0;

	for (i = 0; i < c->nsvc; i++) {
		for (s = px->svcs; s != NULL && keep[i] == NULL; s = s->next)
			if (!s->retired && proxy_svc_same(&s->conf, &c->svc[i]))
				keep[i] = s;
		if (keep[i] != NULL)
			continue;
		if ((fresh[i] = proxy_svc_new(px, &c->svc[i], err, errlen)) == NULL) {
			for (j = 0; j < i; j++)
				if (fresh[j] != NULL) {
					tls_ctx_free(fresh[j]->ctx);
					free(fresh[j]);
				}
			return -1;
		}
	}
	for (i = 0; i < c->nsvc; i++) {
		if (keep[i] != NULL) {
			proxy_svc_renew(keep[i]);
			continue;
		}
		fresh[i]->next = px->svcs;
		px->svcs = fresh[i];
		if (proxy_svc_listen(fresh[i], err, errlen) == -1)
			rc = -1;
	}
	for (s = px->svcs; s != NULL; s = next) {
		next = s->next;
		for (i = 0; i < c->nsvc && keep[i] != s && fresh[i] != s; i++)
			;
		if (i == c->nsvc && !s->retired) {
			log_info("service %s: removed%s", s->conf.name, s->nconns ?
			    "; its open connections go on" : "");
			proxy_svc_retire(px, s);
		}
	}
	return rc;
}

int
proxy_check(const struct agent_conf *c, char *err, size_t errlen)
{
	struct proxy_svc	*svc;
	unsigned		 i;

	for (i = 0; i < c->nsvc; i++) {
		if ((svc = proxy_svc_new(NULL, &c->svc[i], err, errlen)) == NULL)
			return -1;
		tls_ctx_free(svc->ctx);
		free(svc);
	}
	return 0;
}

void
proxy_drain(struct proxy *px, void (*done)(void *), void *arg)
{
	struct proxy_svc	*s;
	unsigned		 i;

	px->draining = 1;
	px->done = done;
	px->done_arg = arg;
	for (s = px->svcs; s != NULL; s = s->next)
		for (i = 0; i < s->nlst; i++)
			proxy_lst_close(px, &s->lst[i]);
	if (px->nconns == 0)
		done(arg);
}

unsigned
proxy_nconns(const struct proxy *px)
{
	return px->nconns;
}

void
proxy_free(struct proxy *px)
{
	struct proxy_svc	*s, *next;
	unsigned		 i;

	if (px == NULL)
		return;
	px->done = NULL;
	if (ev_is_active(&px->runq_w)) {
		ev_ref(px->loop);
		ev_check_stop(px->loop, &px->runq_w);
	}
	while (px->conns != NULL) {
		log_info("service %s: client %s: closed at shutdown", px->conns->svc->conf.name,
		    px->conns->name);
		proxy_conn_free(px->conns);
	}
	for (s = px->svcs; s != NULL; s = next) {
		next = s->next;
		for (i = 0; i < s->nlst; i++)
			proxy_lst_close(px, &s->lst[i]);
		tls_ctx_free(s->ctx);
		pbuf_pool_free(s);
		free(s);
	}
	free(px);
}
