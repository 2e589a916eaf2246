/*
 * fuzz_ftp_reply.c - libFuzzer target for the proxy's FTP control filter
 * (guest-agent/ftp_filter.c through starttls.c), which reads untrusted
 * client commands and backend replies, and for its 227/229 parsers.
 * Input: byte 0 picks the service's TLS mode (none, implicit, starttls);
 * then records "D LINE\n": D's low bit picks the direction (client or
 * backend), bit 1 completes a pending TLS upgrade before the line.
 * Checks: output within its bound, valid actions, a parsed port never 0,
 * and every passive reply the proxy makes parses back to its port.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest-agent/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The proxy's reply for port parses back to it. */
static void
fuzz_roundtrip(int kind, uint16_t port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*in = (struct sockaddr_in *)&ss;
	char			 r[128];
	size_t			 n;
	uint16_t		 back = 0;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(0x7f000001);
	n = ftpf_pasv_reply(kind, &ss, port, r, sizeof(r));
	if (n == 0 || n >= sizeof(r))
		abort();
	if ((kind == STLS_K_EPSV ? ftpf_parse_229(r, n, &back) : ftpf_parse_227(r, n, &back)) != 0 ||
	    back != port)
		abort();
}

static void
fuzz_server(struct stls *st, const char *line, size_t n, char *out, size_t cap)
{
	uint16_t	port = 0;
	size_t		olen;

	if (ftpf_parse_227(line, n, &port) == 0 && port == 0)
		abort();
	if (ftpf_parse_229(line, n, &port) == 0 && port == 0)
		abort();
	olen = stls_server_line(st, line, n, out, cap);
	if (olen > cap)
		abort();
	if (st->ftp.pasv) {
		if (olen != 0 || st->ftp.bport == 0)
			abort();
		fuzz_roundtrip(st->ftp.pasv, st->ftp.bport);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum svc_tls modes[] = { SVC_TLS_NONE, SVC_TLS_IMPLICIT, SVC_TLS_STARTTLS };
	static struct stls	st;
	static char		out[STLS_OUT_MAX];
	size_t			i = 1, n, olen;
	const uint8_t		*nl;

	if (size < 1)
		return 0;
	stls_init(&st, WIRE_P_FTP);
	ftpf_init(&st, modes[data[0] % 3]);
	while (i + 1 < size) {
		uint8_t d = data[i++];

		nl = memchr(data + i, '\n', size - i);
		n = nl ? (size_t)(nl - (data + i)) + 1 : size - i;
		if (n > STLS_LINE_MAX)
			n = STLS_LINE_MAX;
		if ((d & 2) && st.upgrade)
			stls_tls_done(&st);
		if (d & 1)
			fuzz_server(&st, (const char *)data + i, n, out, sizeof(out));
		else {
			enum stls_act a = stls_client_line(&st, (const char *)data + i, n, out,
			    sizeof(out), &olen);
			if (a != STLS_FORWARD && a != STLS_REPLY && a != STLS_HOLD)
				abort();
			if (a == STLS_REPLY && (olen == 0 || olen > sizeof(out)))
				abort();
			if (st.qn > STLS_QUEUE)
				abort();
		}
		i += n;
	}
	return 0;
}
