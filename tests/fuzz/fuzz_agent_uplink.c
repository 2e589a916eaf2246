/*
 * fuzz_agent_uplink.c - the agent's uplink (guest-agent/uplink.c) against
 * an arbitrary byte stream from "Dom-0": the real unix channel, the real
 * frame reader and dispatch, a real libev loop.  Whatever arrives, the
 * agent must drop the uplink or carry on, never crash, leak or hang.
 *
 * Each input: the agent connects to a socket the fuzzer listens on (it
 * sends HELLO), the fuzzer writes the input and closes, the loop runs
 * until the uplink is gone, then the uplink is stopped for the next run.
 * An input starting with a valid HELLO reaches the HELLO-exchanged state,
 * so QUERY and MIGRATION paths are explored too (see the seed corpus).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-agent/agent.h"
#include "log.h"

static struct agent	fz;
static struct source	fz_src;
static int		fz_lfd = -1;
static char		fz_dir[64];

static const struct source_ops fz_ops = { NULL, NULL };

/* What agent.c provides to uplink.c. */
long
agent_domid(struct agent *a)
{
	return a->conf.domid;
}

int
agent_chan_stale(struct agent *a, long chan_domid)
{
	(void)a;
	(void)chan_domid;
	return 0;
}

/* No Xen here. */
struct chan *
chan_vchan_serve(char *err, size_t errlen)
{
	snprintf(err, errlen, "no vchan in the fuzzer");
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint32_t	c[WIRE_REASON_MAX] = { 1, 2, 3, 0, 0, 0, 4, 5 };
	char		err[256];

	(void)argc;
	(void)argv;
	log_init("fuzz_agent_uplink", 0, 0);	/* syslog: keeps stderr for libFuzzer */
	snprintf(fz_dir, sizeof(fz_dir), "/tmp/fuzz_agent_uplink.XXXXXX");
	if (mkdtemp(fz_dir) == NULL)
		abort();
	config_defaults(&fz.conf, 0);
	fz.conf.domid = 7;
	fz.conf.domid_set = 1;
	snprintf(fz.conf.socket, sizeof(fz.conf.socket), "%s/s", fz_dir);
	if ((fz_lfd = chan_unix_listen(fz.conf.socket, err, sizeof(err))) == -1)
		abort();
	fz.loop = ev_default_loop(EVFLAG_AUTO);
	sources_init(&fz.srcs, NULL, NULL);
	fz_src.proto = WIRE_P_HTTP;
	fz_src.ops = &fz_ops;
	sources_add(&fz.srcs, &fz_src);
	source_changed(&fz_src, c);
	uplink_init(&fz.up, &fz);
	return 0;
}

/* Read and discard what the agent sent; never block. */
static void
drain(int fd)
{
	char	buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	fd, i;

	uplink_start(&fz.up);			/* connects: the backlog takes it */
	if (fz.up.phase != UPLINK_HELLO)
		abort();
	if ((fd = accept(fz_lfd, NULL, NULL)) == -1)
		abort();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* The socket buffer takes a few hundred KiB; -max_len is far below. */
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	shutdown(fd, SHUT_WR);
	for (i = 0; i < 64 && fz.up.phase != UPLINK_BACKOFF; i++) {
		ev_run(fz.loop, EVRUN_NOWAIT);
		drain(fd);
	}
	/* End of stream always ends the uplink. */
	if (fz.up.phase != UPLINK_BACKOFF)
		abort();
	uplink_stop(&fz.up, UPLINK_STOP_CLOSE);
	close(fd);
	return 0;
}
