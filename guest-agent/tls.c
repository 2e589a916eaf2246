/*
 * tls.c - OpenSSL 3 server contexts for the proxy: TLS 1.2 and later,
 * session resumption by the server-side cache and by tickets, the PEM
 * certificate chain and key of each service.  No SNI: one certificate a
 * service.  Handshakes themselves run in proxy.c.
 */
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
