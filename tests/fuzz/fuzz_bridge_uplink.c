/*
 * fuzz_bridge_uplink.c - migbridge's side of the uplink (dom0-bridge/
 * uplink.c, with the domain table, the query module and the policy)
 * against an arbitrary byte stream from a "guest": the real unix channel,
 * frame reader, rate limit and dispatch, a real libev loop.  Whatever
 * arrives, migbridge must drop that channel or carry on, never crash,
 * leak or hang.
 *
 * Each input: a socketpair; one end becomes an agent channel (migbridge
 * sends its HELLO), the input is written to the other end, which is then
 * shut; the loop runs until the channel is gone; everything is freed.
 * Seeds start with a valid HELLO so STATE and BYE are reached.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "dom0-bridge/migbridge.h"

static struct bridge	fz_bridge;
struct bridge		*bridge = &fz_bridge;

uint64_t
bridge_unix_ms(void)
{
	return wire_mono_us() / 1000;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	log_init("fuzz_bridge_uplink", 1, 0);
	config_defaults(&bridge->conf);
	bridge->loop = ev_default_loop(0);
	domain_init();
	return 0;
}

/* Drain what migbridge sent to the "guest". */
static void
fz_drain(int fd)
{
	char	buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chan	*ch;
	char		 err[128];
	size_t		 off = 0;
	ssize_t		 n;
	int		 sv[2], i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if ((ch = chan_unix_adopt(sv[0], err, sizeof(err))) == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	/* An odd last byte: a channel whose domain is known (as a vchan's). */
	uplink_new(ch, size && (data[size - 1] & 1) ? 7 : WIRE_DOMID_NONE, "fuzz");
	for (i = 0; i < 1000 && (off < size || i < 4); i++) {
		if (off < size && (n = write(sv[1], data + off, size - off)) > 0)
			off += n;
		if (off == size)
			shutdown(sv[1], SHUT_WR);
		ev_run(bridge->loop, EVRUN_NOWAIT);
		fz_drain(sv[1]);
	}
	ev_run(bridge->loop, EVRUN_NOWAIT);
	close(sv[1]);
	uplink_shutdown();
	domain_free_all();
	return 0;
}
