/*
 * proxyproto.c - the PROXY protocol version 2 header (haproxy's
 * proxy-protocol.txt, section 2.2) that tells the backend the client's
 * real address: dovecot (haproxy_trusted_networks) and postfix
 * (smtpd_upstream_proxy_protocol = haproxy) accept it.
 */
#include <netinet/in.h>
#include <string.h>

#include "agent.h"

static const uint8_t proxyproto_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define PP2_VERSION_PROXY	0x21	/* version 2, command PROXY */
#define PP2_TCP4		0x11	/* AF_INET, SOCK_STREAM */
#define PP2_TCP6		0x21	/* AF_INET6, SOCK_STREAM */

size_t
proxyproto_v2(const struct sockaddr_storage *src, const struct sockaddr_storage *dst,
    uint8_t *buf, size_t cap)
{
	size_t	alen, n = 16;

	if (src->ss_family != dst->ss_family)
		return 0;
	if (src->ss_family == AF_INET)
		alen = 12;
	else if (src->ss_family == AF_INET6)
		alen = 36;
	else
		return 0;
	if (cap < n + alen)
		return 0;
	memcpy(buf, proxyproto_sig, sizeof(proxyproto_sig));
	buf[12] = PP2_VERSION_PROXY;
	buf[13] = src->ss_family == AF_INET ? PP2_TCP4 : PP2_TCP6;
	buf[14] = 0;
	buf[15] = (uint8_t)alen;	/* length, network order: < 256 */
	if (src->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;

		memcpy(buf + n, &s->sin_addr, 4);
		memcpy(buf + n + 4, &d->sin_addr, 4);
		memcpy(buf + n + 8, &s->sin_port, 2);
		memcpy(buf + n + 10, &d->sin_port, 2);
	} else {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;

		memcpy(buf + n, &s->sin6_addr, 16);
		memcpy(buf + n + 16, &d->sin6_addr, 16);
		memcpy(buf + n + 32, &s->sin6_port, 2);
		memcpy(buf + n + 34, &d->sin6_port, 2);
	}
	return n + alen;
}
