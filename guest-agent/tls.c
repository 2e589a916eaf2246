/*
 * tls.c - OpenSSL 3 server contexts for the proxy: TLS 1.2 and later,
 * session resumption by the server-side cache and by tickets, the PEM
 * certificate chain and key of each service.  No SNI: one certificate a
 * service.  Handshakes themselves run in proxy.c.
 *
 * OpenSSL reads and writes the client socket through tls_sock, a BIO of
 * our own: recv/send rather than read/write (the socket calls skip the VFS
 * layer), and a note of short reads, so that the proxy stops calling
 * SSL_read when the socket is drained instead of learning it from an
 * EAGAIN: one system call fewer per request on a keep-alive connection.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent.h"

#define TLS_SESS_CACHE		20480	/* sessions kept for resumption */
#define TLS_SESS_TIMEOUT	7200	/* seconds (RFC 8446 4.6.1 allows 7 days) */

const char *
tls_errstr(char *buf, size_t cap)
{
	unsigned long	e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;		/* the last is the most specific */
	if (last == 0)
		snprintf(buf, cap, "unknown error");
	else
		ERR_error_string_n(last, buf, cap);
	return buf;
}

/* Load the certificate chain and key; 0, or -1 with err set. */
static int
tls_ctx_load(SSL_CTX *ctx, const char *cert, const char *key, char *err, size_t errlen)
{
	char	e[256];

	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, errlen, "certificate %s: %s", cert, tls_errstr(e, sizeof(e)));
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "key %s: %s", key, tls_errstr(e, sizeof(e)));
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "key %s does not match certificate %s: %s", key, cert,
		    tls_errstr(e, sizeof(e)));
		return -1;
	}
	return 0;
}

SSL_CTX *
tls_ctx_new(const char *service, const char *cert, const char *key, char *err,
    size_t errlen)
{
	SSL_CTX		*ctx;
	char		 e[256];

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new: %s", tls_errstr(e, sizeof(e)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * A peer that closes without close_notify ends the stream like an
	 * orderly close (the bytes it sent are all delivered); the protocols
	 * carried have their own framing.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * Idle connections give back their 2 x 17 KiB record buffers.  Whole
	 * writes (no partial mode): one SSL_write sends a whole buffer's worth
	 * of records; a retry may pass the (compacted) buffer grown.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/*
	 * Read as many records as the socket holds in one read(2), rather than
	 * a header and then a body each; SSL_read is called until it wants
	 * more, so nothing read ahead is left waiting for a socket event.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, TLS_SESS_CACHE);
	SSL_CTX_set_timeout(ctx, TLS_SESS_TIMEOUT);
	/* Sessions of one service only resume on that service. */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)service,
	    (unsigned)strnlen(service, SSL_MAX_SID_CTX_LENGTH));
	if (tls_ctx_load(ctx, cert, key, err, errlen) == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void
tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

/* ------------------------------------------------------------ socket BIO */

static BIO_METHOD	*tls_sock_method;

static int
tls_sock_read(BIO *b, char *buf, size_t len, size_t *done)
{
	struct tls_sock	*s = BIO_get_data(b);
	ssize_t		 n;

	BIO_clear_retry_flags(b);
	if ((n = recv(s->fd, buf, len, 0)) > 0) {
		s->short_read = (size_t)n < len;
		*done = (size_t)n;
		return 1;
	}
	if (n == 0)
		s->eof = 1;
	else if (errno == EAGAIN || errno == EINTR) {
		s->short_read = 1;
		BIO_set_retry_read(b);
	}
	*done = 0;
	return 0;		/* errno stays for SSL_ERROR_SYSCALL */
}

static int
tls_sock_write(BIO *b, const char *buf, size_t len, size_t *done)
{
	struct tls_sock	*s = BIO_get_data(b);
	ssize_t		 n;

	BIO_clear_retry_flags(b);
	if ((n = send(s->fd, buf, len, MSG_NOSIGNAL)) >= 0) {
		*done = (size_t)n;
		return 1;
	}
	if (errno == EAGAIN || errno == EINTR)
		BIO_set_retry_write(b);
	*done = 0;
	return 0;
}

static long
tls_sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_sock	*s = BIO_get_data(b);

	(void)num, (void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* nothing is held back */
	case BIO_CTRL_EOF:
		return s != NULL && s->eof;
	case BIO_C_GET_FD:
		if (s != NULL && ptr != NULL)
			*(int *)ptr = s->fd;
		return s != NULL ? s->fd : -1;
	default:
		return 0;	/* no KTLS, no pending bytes, nothing else */
	}
}

static int
tls_sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

int
tls_sock_attach(SSL *ssl, struct tls_sock *s, int fd)
{
	BIO	*b;

	if (tls_sock_method == NULL) {
		BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK |
		    BIO_TYPE_DESCRIPTOR, "migstate socket");

		if (m == NULL || !BIO_meth_set_read_ex(m, tls_sock_read) ||
		    !BIO_meth_set_write_ex(m, tls_sock_write) ||
		    !BIO_meth_set_ctrl(m, tls_sock_ctrl) || !BIO_meth_set_create(m, tls_sock_create)) {
			BIO_meth_free(m);
			return -1;
		}
		tls_sock_method = m;
	}
	if ((b = BIO_new(tls_sock_method)) == NULL)
		return -1;
	s->fd = fd;
	s->short_read = 0;
	s->eof = 0;
	BIO_set_data(b, s);
	SSL_set_bio(ssl, b, b);		/* one reference serves both sides */
	return 0;
}

int
tls_drained(SSL *ssl, const struct tls_sock *s)
{
	return s->short_read && !SSL_has_pending(ssl);
}
