/*
 * fuzz_proxy_starttls.c - libFuzzer target for the proxy's STARTTLS line
 * filter (guest-agent/starttls.c), which reads untrusted client lines and
 * backend lines.  Input: byte 0 picks the protocol (POP3, IMAP, SMTP);
 * then records "D LINE\n" where D's low bit picks the direction (client
 * or backend) and bit 1 marks the TLS handshake as done before the line.
 * Checks: output within its bound, actions valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest-agent/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum wire_proto protos[] = { WIRE_P_POP3, WIRE_P_IMAP, WIRE_P_SMTP };
	static struct stls	st;
	static char		out[STLS_OUT_MAX];
	size_t			i = 1, n, olen;
	const uint8_t		*nl;

	if (size < 1)
		return 0;
	stls_init(&st, protos[data[0] % 3]);
	while (i + 1 < size) {
		uint8_t d = data[i++];

		nl = memchr(data + i, '\n', size - i);
		n = nl ? (size_t)(nl - (data + i)) + 1 : size - i;
		if (n > STLS_LINE_MAX)
			n = STLS_LINE_MAX;
		if ((d & 2) && st.upgrade)
			stls_tls_done(&st);
		if (d & 1) {
			olen = stls_server_line(&st, (const char *)data + i, n, out, sizeof(out));
			if (olen > sizeof(out))
				abort();
		} else {
			enum stls_act a = stls_client_line(&st, (const char *)data + i, n, out,
			    sizeof(out), &olen);
			if (a != STLS_FORWARD && a != STLS_REPLY && a != STLS_HOLD)
				abort();
			if (a == STLS_REPLY && (olen == 0 || olen > sizeof(out)))
				abort();
		}
		i += n;
	}
	return 0;
}
