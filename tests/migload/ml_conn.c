/*
 * ml_conn.c - one keep-alive HTTP/1.1 connection, plain or TLS (OpenSSL,
 * non-blocking), driven by libev.  conn_get() sends one GET and reads the
 * whole response, the body at a line rate when asked (a client on a slow
 * link: it reads no faster, so the server's writes block as on a WAN).
 * conn_pop3() sends one POP3 command (or none: the greeting) and reads its
 * response through the POP3 parser, at a line rate when asked.
 * The caller's callback runs once per conn_get or conn_pop3, last, with
 * NULL or why it failed; the connection may be reused from inside it.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "migload.h"

enum {
	CONN_CLOSED = 0, CONN_CONNECTING, CONN_HANDSHAKE, CONN_SEND, CONN_HEAD,
	CONN_BODY, CONN_IDLE
};

#define CONN_IO_WOULDBLOCK	(-1)
#define CONN_IO_ERROR		(-2)
#define CONN_READ_ROUNDS	16	/* reads per wake-up, for fairness */
#define CONN_MIN_CHUNK		4096	/* throttled reads wait for this much */

static struct sockaddr_storage	 conn_addr;
static socklen_t		 conn_addrlen;

static void	conn_io_cb(struct ev_loop *, ev_io *, int);
static void	conn_throttle_cb(struct ev_loop *, ev_timer *, int);
static void	conn_idle_cb(struct ev_loop *, ev_timer *, int);
static void	conn_recv(struct conn *);
static void	conn_connect(struct conn *);

/*
 * Resolve o->host:o->port once.  Returns 0, or -1 with a message on
 * stderr.
 */
int
conn_resolve(const struct ml_opts *o)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &res)) != 0) {
		fprintf(stderr, "migload: %s:%s: %s\n", o->host, o->port, gai_strerror(rc));
		return -1;
	}
	memcpy(&conn_addr, res->ai_addr, res->ai_addrlen);
	conn_addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * The client TLS context: peer verification against the system store and
 * the host name, unless o->verify is 0 (--insecure).  NULL on failure.
 */
SSL_CTX *
conn_tls_ctx(const struct ml_opts *o)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (o->verify) {
		if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* c starts closed; ctx may be NULL for plain HTTP. */
void
conn_init(struct conn *c, struct ev_loop *loop, const struct ml_opts *o, SSL_CTX *ctx)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->o = o;
	c->ctx = ctx;
	c->fd = -1;
	ev_init(&c->io, conn_io_cb);
	c->io.data = c;
	ev_init(&c->throttle, conn_throttle_cb);
	c->throttle.data = c;
	ev_init(&c->idle, conn_idle_cb);
	c->idle.data = c;
}

/* c has a socket (idle or busy). */
int
conn_is_open(const struct conn *c)
{
	return c->state != CONN_CLOSED;
}

/* A request is in flight on c. */
int
conn_busy(const struct conn *c)
{
	return c->state != CONN_CLOSED && c->state != CONN_IDLE;
}

static void
conn_want(struct conn *c, int events)
{
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(c->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->loop, &c->io);
}

/* Close the socket; c can be reused by conn_get.  Never fails. */
void
conn_close(struct conn *c)
{
	ev_io_stop(c->loop, &c->io);
	ev_timer_stop(c->loop, &c->throttle);
	ev_timer_stop(c->loop, &c->idle);
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_CLOSED;
	c->reused = 0;
}

/* The request ends: err NULL (the response is complete) or why not. */
static void
conn_finish(struct conn *c, const char *err)
{
	conn_cb cb = c->cb;

	ev_timer_stop(c->loop, &c->idle);
	ev_timer_stop(c->loop, &c->throttle);
	if (err != NULL || c->resp.close)
		conn_close(c);
	else {
		c->state = CONN_IDLE;
		c->reused = 1;
		conn_want(c, EV_READ);	/* notice the server closing it */
	}
	c->cb = NULL;
	if (cb != NULL)
		cb(c, c->cb_arg, err);
}

/*
 * A failure.  A reused keep-alive connection the server closed just as we
 * sent (EOF or reset before any byte of the answer) is retried once on a
 * fresh connection, as browsers do; anything else fails the request.
 */
static void
conn_fail(struct conn *c, const char *err)
{
	int stale = c->reused && c->bytes == 0 && c->state >= CONN_SEND &&
	    (strcmp(err, "eof") == 0 || strcmp(err, "reset") == 0);

	if (strcmp(err, "reset") == 0)
		c->resets++;
	if (stale && !c->retrying) {
		c->retrying = 1;
		c->retries++;
		conn_close(c);
		ev_timer_set(&c->idle, c->o->timeout, 0);
		ev_timer_start(c->loop, &c->idle);
		conn_connect(c);
		return;
	}
	conn_finish(c, err);
}

static void
conn_progress(struct conn *c)
{
	c->last_io = ev_now(c->loop);
}

/* A new exchange on c: its callback, rate and a fresh response. */
static void
conn_reset(struct conn *c, double rate, conn_cb cb, void *arg)
{
	c->cb = cb;
	c->cb_arg = arg;
	c->rate = rate;
	c->bytes = c->body_got = 0;
	resp_init(&c->resp);
}

/*
 * Send the n bytes formatted in c->out (none if n is out of range), on the
 * open connection or on a new one, with the idle timer armed.
 */
static void
conn_begin(struct conn *c, int n)
{
	c->out_len = n > 0 && (size_t)n < sizeof(c->out) ? (size_t)n : 0;
	c->out_off = 0;
	conn_progress(c);
	ev_timer_set(&c->idle, c->o->timeout, 0);
	ev_timer_start(c->loop, &c->idle);
	if (c->state == CONN_IDLE) {
		c->state = CONN_SEND;
		conn_want(c, EV_WRITE);
		return;
	}
	conn_connect(c);
}

/*
 * Send GET path; cb(c, arg, err) when the response is in or failed.  The
 * body is read at rate bytes/s at most (0: as fast as it comes).
 */
void
conn_get(struct conn *c, const char *path, double rate, conn_cb cb, void *arg)
{
	int n;

	conn_reset(c, rate, cb, arg);
	c->retrying = 0;
	c->pop3 = NULL;
	n = snprintf(c->out, sizeof(c->out), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: migload/1\r\nAccept: */*\r\n\r\n", path, c->o->host);
	conn_begin(c, n);
}

/*
 * POP3: send cmd and CRLF (cmd NULL: send nothing, connect and read the
 * greeting; c must then be closed, and open otherwise), read the response
 * into p (initialised by the caller for what cmd expects) at rate bytes/s
 * at most (0: as fast as it comes); cb(c, arg, err) when p is done or
 * the exchange failed.  A -ERR is a complete response: the caller judges
 * p->ok.  Never retried on a fresh connection (the server would greet).
 */
void
conn_pop3(struct conn *c, const char *cmd, struct pop3 *p, double rate, conn_cb cb,
    void *arg)
{
	int n = 0;

	conn_reset(c, rate, cb, arg);
	c->retrying = 1;
	c->pop3 = p;
	if (cmd != NULL)
		n = snprintf(c->out, sizeof(c->out), "%s\r\n", cmd);
	conn_begin(c, n);
}

static void
conn_connect(struct conn *c)
{
	int one = 1, fd;

	c->bytes = c->body_got = 0;
	resp_init(&c->resp);
	c->out_off = 0;
	c->reused = 0;
	if (c->pop3 != NULL)
		c->out_len = 0;	/* a new connection starts with the greeting */
	c->tokens = c->o->burst;	/* the line is idle: a full bucket */
	c->tokens_at = ev_time();
	if ((fd = socket(conn_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		goto fail;
	c->fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->o->rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c->o->rcvbuf, sizeof(c->o->rcvbuf));
	if (connect(fd, (struct sockaddr *)&conn_addr, conn_addrlen) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	c->state = CONN_CONNECTING;
	conn_want(c, EV_WRITE);
	return;
fail:
	conn_finish(c, "connect");
}

/* >0 bytes, 0 at EOF, CONN_IO_WOULDBLOCK (watching set), CONN_IO_ERROR (*err). */
static ssize_t
conn_read(struct conn *c, char *buf, size_t n, const char **err)
{
	size_t got;
	ssize_t r;
	int e;

	if (c->ssl == NULL) {
		if ((r = read(c->fd, buf, n)) >= 0)
			return r;
		if (errno == EAGAIN || errno == EINTR) {
			conn_want(c, EV_READ);
			return CONN_IO_WOULDBLOCK;
		}
		*err = errno == ECONNRESET ? "reset" : "read";
		return CONN_IO_ERROR;
	}
	ERR_clear_error();
	errno = 0;
	if (SSL_read_ex(c->ssl, buf, n, &got) == 1)
		return (ssize_t)got;
	switch ((e = SSL_get_error(c->ssl, 0))) {
	case SSL_ERROR_WANT_READ:
		conn_want(c, EV_READ);
		return CONN_IO_WOULDBLOCK;
	case SSL_ERROR_WANT_WRITE:
		conn_want(c, EV_WRITE);
		return CONN_IO_WOULDBLOCK;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		if (errno == ECONNRESET)
			*err = "reset";
		else if (e == SSL_ERROR_SYSCALL && errno == 0)
			return 0;
		else
			*err = "tls";
		return CONN_IO_ERROR;
	}
}

/* Like conn_read, for writes. */
static ssize_t
conn_write(struct conn *c, const char *buf, size_t n, const char **err)
{
	size_t put;
	ssize_t r;

	if (c->ssl == NULL) {
		if ((r = write(c->fd, buf, n)) >= 0)
			return r;
		if (errno == EAGAIN || errno == EINTR) {
			conn_want(c, EV_WRITE);
			return CONN_IO_WOULDBLOCK;
		}
		*err = errno == ECONNRESET || errno == EPIPE ? "reset" : "write";
		return CONN_IO_ERROR;
	}
	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(c->ssl, buf, n, &put) == 1)
		return (ssize_t)put;
	switch (SSL_get_error(c->ssl, 0)) {
	case SSL_ERROR_WANT_READ:
		conn_want(c, EV_READ);
		return CONN_IO_WOULDBLOCK;
	case SSL_ERROR_WANT_WRITE:
		conn_want(c, EV_WRITE);
		return CONN_IO_WOULDBLOCK;
	default:
		*err = errno == ECONNRESET || errno == EPIPE ? "reset" : "tls";
		return CONN_IO_ERROR;
	}
}

static void
conn_connected(struct conn *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		conn_fail(c, soerr == ECONNRESET ? "reset" : "connect");
		return;
	}
	conn_progress(c);
	if (c->ctx == NULL) {
		c->state = CONN_SEND;
		return;
	}
	if ((c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(c, "tls");
		return;
	}
	SSL_set_tlsext_host_name(c->ssl, c->o->host);
	if (c->o->verify)
		SSL_set1_host(c->ssl, c->o->host);
	c->state = CONN_HANDSHAKE;
}

static void
conn_handshake(struct conn *c)
{
	int r;

	ERR_clear_error();
	errno = 0;
	if ((r = SSL_connect(c->ssl)) == 1) {
		conn_progress(c);
		c->state = CONN_SEND;
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_want(c, EV_READ);
		break;
	case SSL_ERROR_WANT_WRITE:
		conn_want(c, EV_WRITE);
		break;
	default:
		conn_fail(c, errno == ECONNRESET ? "reset" : "tls");
	}
}

static void
conn_send(struct conn *c)
{
	const char *err = NULL;
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = conn_write(c, c->out + c->out_off, c->out_len - c->out_off, &err);
		if (n == CONN_IO_WOULDBLOCK)
			return;
		if (n < 0) {
			conn_fail(c, err);
			return;
		}
		c->out_off += (size_t)n;
		conn_progress(c);
	}
	c->state = CONN_HEAD;
	conn_want(c, EV_READ);
	conn_recv(c);
}

/* Drive the state machine as far as it goes now. */
static void
conn_step(struct conn *c)
{
	int s;

	do {
		s = c->state;
		switch (s) {
		case CONN_CONNECTING:
			conn_connected(c);
			break;
		case CONN_HANDSHAKE:
			conn_handshake(c);
			break;
		case CONN_SEND:
			conn_send(c);
			return;
		case CONN_HEAD:
		case CONN_BODY:
			conn_recv(c);
			return;
		default:
			return;
		}
	} while (c->state != s);
}

static void
conn_idle_event(struct conn *c)
{
	char buf[256];
	const char *err = NULL;
	ssize_t n = conn_read(c, buf, sizeof(buf), &err);

	if (n == CONN_IO_WOULDBLOCK)
		return;
	if (n < 0 && strcmp(err, "reset") == 0)
		c->resets++;
	/* EOF (the server's keep-alive timeout), or bytes nobody asked for. */
	conn_close(c);
}

static void
conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;

	(void)loop, (void)revents;
	if (c->state == CONN_IDLE)
		conn_idle_event(c);
	else
		conn_step(c);
}


/* Refill the token bucket; how many bytes may be read now. */
static double
conn_tokens(struct conn *c)
{
	double now = ev_time();

	c->tokens += (now - c->tokens_at) * c->rate;
	c->tokens_at = now;
	if (c->tokens > c->o->burst)
		c->tokens = c->o->burst;
	return c->tokens;
}

/*
 * How much to read next: 0 when the line rate says wait (the throttle
 * timer is then armed and the socket unwatched).
 */
static size_t
conn_allowance(struct conn *c, size_t room)
{
	uint64_t left;
	double t, need;

	if (c->pop3 == NULL) {
		if (c->state != CONN_BODY)
			return room;
		left = c->resp.length - c->body_got;
		if (left < room)
			room = (size_t)left;
	}
	if (c->rate <= 0)
		return room;
	t = conn_tokens(c);
	need = room < CONN_MIN_CHUNK ? (double)room : CONN_MIN_CHUNK;
	if (t < need) {
		ev_io_stop(c->loop, &c->io);
		ev_timer_set(&c->throttle, (need - t) / c->rate, 0);
		ev_timer_start(c->loop, &c->throttle);
		return 0;
	}
	return t < (double)room ? (size_t)t : room;
}

/* Bytes of a POP3 response.  1: the exchange ended. */
static int
conn_consume_pop3(struct conn *c, const char *buf, size_t n)
{
	size_t used = pop3_feed(c->pop3, buf, n);

	if (c->rate > 0)
		c->tokens -= (double)n;
	if (c->pop3->state == POP3_ERROR || (c->pop3->state == POP3_DONE && used != n)) {
		conn_fail(c, "pop3");	/* malformed, or bytes nobody asked for yet */
		return 1;
	}
	if (c->pop3->state != POP3_DONE)
		return 0;
	conn_finish(c, NULL);
	return 1;
}

/* Bytes of the response arrived: head, then body.  1: the request ended. */
static int
conn_consume(struct conn *c, const char *buf, size_t n)
{
	size_t used = 0;

	c->bytes += n;
	if (c->pop3 != NULL)
		return conn_consume_pop3(c, buf, n);
	if (c->state == CONN_HEAD) {
		used = resp_feed(&c->resp, buf, n);
		if (c->resp.state == RESP_ERROR) {
			conn_fail(c, "http");
			return 1;
		}
		if (c->resp.state != RESP_DONE)
			return 0;
		if (c->resp.status != 200 || !c->resp.has_length) {
			c->resp.close = 1;
			conn_finish(c, c->resp.status != 200 ? "status" : "length");
			return 1;
		}
		c->state = CONN_BODY;
	}
	c->body_got += n - used;
	if (c->rate > 0)
		c->tokens -= (double)(n - used);
	if (c->body_got > c->resp.length) {
		conn_fail(c, "http");
		return 1;
	}
	if (c->body_got == c->resp.length) {
		conn_finish(c, NULL);
		return 1;
	}
	return 0;
}

static void
conn_recv(struct conn *c)
{
	char buf[16384];
	const char *err = NULL;
	size_t want;
	ssize_t n;
	int round;

	for (round = 0; round < CONN_READ_ROUNDS; round++) {
		if ((want = conn_allowance(c, sizeof(buf))) == 0)
			return;
		n = conn_read(c, buf, want, &err);
		if (n == CONN_IO_WOULDBLOCK)
			return;
		if (n <= 0) {
			conn_fail(c, n == 0 ? "eof" : err);
			return;
		}
		conn_progress(c);
		if (conn_consume(c, buf, (size_t)n))
			return;
	}
	/* Fairness: come back soon; TLS may hold bytes the socket doesn't show. */
	if (c->ssl != NULL && SSL_pending(c->ssl) > 0) {
		ev_timer_set(&c->throttle, 0, 0);
		ev_timer_start(c->loop, &c->throttle);
	}
}

static void
conn_throttle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;

	(void)loop, (void)revents;
	conn_progress(c);
	if (c->state != CONN_BODY && c->state != CONN_HEAD)
		return;
	conn_want(c, EV_READ);
	conn_recv(c);
}

/* No progress for o->timeout seconds fails the request. */
static void
conn_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;
	double left = c->last_io + c->o->timeout - ev_now(loop);

	(void)revents;
	if (!conn_busy(c))
		return;
	if (left > 0.01) {
		ev_timer_set(w, left, 0);
		ev_timer_start(loop, w);
		return;
	}
	conn_fail(c, "timeout");
}
