/*
 * testbridge.c - a test peer playing Dom-0 (migbridge) on the unix uplink.
 *
 *   testbridge [-n] [-V min:max] socket
 *
 * Listens on socket, takes one agent at a time (a new one replaces the
 * old), prints every event and frame as one line on stdout, and sends
 * frames on command from stdin lines.  It sends HELLO on accept unless -n;
 * -V sets the versions it offers.  Lines printed:
 *
 *   listening PATH | connected | disconnected WHY
 *   hello version=V min=A max=B domid=D name=N software="S" caps=C
 *   state seq=S total=T unsuitable=U nonce=X flags=F new=.. reading=..
 *         processing=.. writing_small=.. handshake=.. auth=.. idle=..
 *         writing_large=.. nproto=N protos=http,pop3 mono_us=M rx_us=R
 *   bye reason=R text="T"
 *   invalid type=0xT why=W
 *
 * Commands: hello [min max] | query NONCE | migration 0|1 | bye [reason] |
 * garbage | oversize | unknown | badquery | state | close | unlisten |
 * listen | quit.  EOF on stdin ends it.  rx_us is CLOCK_MONOTONIC at
 * receipt, comparable with the agent's mono_us on one machine.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "migwire.h"

static const char	*tb_path;
static int		 tb_lfd = -1;
static struct chan	*tb_peer;
static uint32_t		 tb_vmin = WIRE_VERSION_MIN, tb_vmax = WIRE_VERSION;
static const char	*tb_drop;

static uint64_t
tb_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
tb_close(const char *why)
{
	if (tb_peer == NULL)
		return;
	chan_close(tb_peer);
	tb_peer = NULL;
	printf("disconnected %s\n", why);
}

static void
tb_hello(uint32_t vmin, uint32_t vmax)
{
	struct wire_hello	h = { .version_min = vmin, .version_max = vmax,
				      .caps = 0, .domid = WIRE_DOMID_NONE };
	uint8_t			f[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];

	snprintf(h.software, sizeof(h.software), "testbridge");
	snprintf(h.name, sizeof(h.name), "dom0");
	chan_send_frame(tb_peer, f, wire_encode_hello(f, sizeof(f), &h));
}

static void
tb_print_state(const struct wire_state *st, uint64_t rx)
{
	uint64_t	r[WIRE_REASON_MAX] = { 0 };
	unsigned	i, j;

	for (i = 0; i < st->nproto; i++)
		for (j = 0; j < WIRE_REASON_MAX; j++)
			r[j] += st->proto[i].count[j];
	printf("state seq=%llu total=%u unsuitable=%u nonce=%llu flags=%u",
	    (unsigned long long)st->seq, st->total, st->unsuitable,
	    (unsigned long long)st->nonce, st->flags);
	for (j = 0; j < WIRE_REASON_MAX; j++)
		printf(" %s=%llu", wire_reason_name(j), (unsigned long long)r[j]);
	printf(" nproto=%u protos=", st->nproto);
	for (i = 0; i < st->nproto; i++)
		printf("%s%s", i ? "," : "", wire_proto_name(st->proto[i].proto));
	printf(" mono_us=%llu rx_us=%llu\n", (unsigned long long)st->mono_us,
	    (unsigned long long)rx);
}

static int
tb_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	uint64_t		 rx = tb_now_us();
	struct wire_hello	 h;
	struct wire_state	 st;
	struct wire_bye		 bye;
	const char		*why = "type not expected from an agent";
	int			 ok = -1;

	(void)arg;
	if (type == WIRE_T_HELLO && (ok = wire_sanitize_hello(p, len, &h, &why)) == 0)
		printf("hello version=%u min=%u max=%u domid=%u name=%s software=\"%s\" "
		    "caps=%u\n", wire_negotiate(&h), h.version_min, h.version_max,
		    h.domid, h.name, h.software, h.caps);
	else if (type == WIRE_T_STATE && (ok = wire_sanitize_state(p, len, &st, &why)) == 0)
		tb_print_state(&st, rx);
	else if (type == WIRE_T_BYE && (ok = wire_sanitize_bye(p, len, &bye, &why)) == 0)
		printf("bye reason=%s text=\"%s\"\n", wire_bye_name(bye.reason), bye.text);
	if (ok == -1) {
		printf("invalid type=0x%x why=%s\n", type, why);
		tb_drop = "invalid frame";
		return -1;
	}
	return 0;
}

/* Raw bytes, bypassing the framing: for the hostile commands. */
static void
tb_raw(const void *buf, size_t len)
{
	if (write(chan_fd(tb_peer), buf, len) != (ssize_t)len)
		printf("error raw write: %s\n", strerror(errno));
}

static void
tb_hostile(const char *cmd)
{
	uint8_t	f[64] = { 0 };
	size_t	n;

	if (!strcmp(cmd, "garbage")) {
		/* A plausible length and a type from nowhere. */
		tb_raw("\xef\xbe\xad\xde\x08\0\0\0GARBAGE!", 16);
	} else if (!strcmp(cmd, "oversize")) {
		uint32_t len = WIRE_MAX_PAYLOAD + 1;
		f[0] = WIRE_T_QUERY & 0xff; f[1] = WIRE_T_QUERY >> 8;
		memcpy(f + 4, &len, 4);		/* little-endian host */
		tb_raw(f, 16);
	} else if (!strcmp(cmd, "unknown")) {
		chan_send(tb_peer, 0x0300, f, 8);
	} else if (!strcmp(cmd, "badquery")) {
		chan_send(tb_peer, WIRE_T_QUERY, f, 4);
	} else if (!strcmp(cmd, "state")) {
		struct wire_state st = { .seq = 1 };
		uint8_t sf[WIRE_HDR_SIZE + WIRE_STATE_FIXED_SIZE];
		n = wire_encode_state(sf, sizeof(sf), &st);
		chan_send_frame(tb_peer, sf, n);
	}
}

static void
tb_command(char *line)
{
	char		cmd[32] = "";
	unsigned long long a = 0, b = 0;
	uint8_t		f[WIRE_HDR_SIZE + WIRE_BYE_SIZE];
	int		n = sscanf(line, "%31s %llu %llu", cmd, &a, &b);

	if (n < 1)
		return;
	if (!strcmp(cmd, "quit"))
		exit(0);
	if (!strcmp(cmd, "unlisten")) {
		close(tb_lfd);
		tb_lfd = -1;
		unlink(tb_path);
		printf("unlistened\n");
		return;
	}
	if (!strcmp(cmd, "listen")) {
		char err[256];
		if (tb_lfd == -1 && (tb_lfd = chan_unix_listen(tb_path, err, sizeof(err))) == -1)
			printf("error listen: %s\n", err);
		else
			printf("listening %s\n", tb_path);
		return;
	}
	if (tb_peer == NULL) {
		printf("error no peer for %s\n", cmd);
		return;
	}
	if (!strcmp(cmd, "hello"))
		tb_hello(n >= 3 ? a : tb_vmin, n >= 3 ? b : tb_vmax);
	else if (!strcmp(cmd, "query")) {
		struct wire_query q = { .nonce = a };
		chan_send_frame(tb_peer, f, wire_encode_query(f, sizeof(f), &q));
	} else if (!strcmp(cmd, "migration")) {
		struct wire_migration m = { .active = (uint32_t)a };
		chan_send_frame(tb_peer, f, wire_encode_migration(f, sizeof(f), &m));
	} else if (!strcmp(cmd, "bye")) {
		struct wire_bye bye = { .reason = (uint32_t)a };
		snprintf(bye.text, sizeof(bye.text), "testbridge says bye");
		chan_send_frame(tb_peer, f, wire_encode_bye(f, sizeof(f), &bye));
	} else if (!strcmp(cmd, "close"))
		tb_close("closed by command");
	else
		tb_hostile(cmd);
}

static void
tb_accept(int send_hello)
{
	char		 err[256];
	struct chan	*c = chan_unix_accept(tb_lfd, err, sizeof(err));

	if (c == NULL) {
		printf("error accept: %s\n", err);
		return;
	}
	tb_close("replaced by a new connection");
	tb_peer = c;
	printf("connected\n");
	if (send_hello)
		tb_hello(tb_vmin, tb_vmax);
}

static void
tb_stdin(void)
{
	static char	buf[4096];
	static size_t	have;
	ssize_t		n = read(0, buf + have, sizeof(buf) - 1 - have);
	char		*nl;

	if (n <= 0)
		exit(0);
	have += n;
	buf[have] = '\0';
	while ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		tb_command(buf);
		have -= nl + 1 - buf;
		memmove(buf, nl + 1, have + 1);
	}
	if (have == sizeof(buf) - 1)
		have = 0;
}

int
main(int argc, char *argv[])
{
	char	err[256];
	int	ch, send_hello = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt(argc, argv, "nV:")) != -1) {
		if (ch == 'n')
			send_hello = 0;
		else if (ch == 'V' && sscanf(optarg, "%u:%u", &tb_vmin, &tb_vmax) == 2)
			;
		else {
			fprintf(stderr, "usage: testbridge [-n] [-V min:max] socket\n");
			return 2;
		}
	}
	if (optind + 1 != argc)
		return 2;
	tb_path = argv[optind];
	if ((tb_lfd = chan_unix_listen(tb_path, err, sizeof(err))) == -1) {
		fprintf(stderr, "testbridge: %s\n", err);
		return 1;
	}
	printf("listening %s\n", tb_path);
	for (;;) {
		struct pollfd	pfd[3] = { { .fd = 0, .events = POLLIN },
			{ .fd = tb_lfd, .events = POLLIN }, { .fd = -1 } };

		if (tb_peer != NULL) {
			pfd[2].fd = chan_fd(tb_peer);
			pfd[2].events = POLLIN | (chan_want_write(tb_peer) ? POLLOUT : 0);
		}
		if (poll(pfd, 3, -1) == -1 && errno != EINTR)
			return 1;
		if (pfd[0].revents)
			tb_stdin();
		if (tb_lfd != -1 && (pfd[1].revents & POLLIN))
			tb_accept(send_hello);
		if (tb_peer != NULL && (pfd[2].revents & POLLOUT))
			chan_flush(tb_peer);
		if (tb_peer != NULL && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			tb_drop = NULL;
			if (chan_read(tb_peer, tb_frame, NULL) == -1)
				tb_close(tb_drop ? tb_drop : chan_error(tb_peer)[0] ?
				    chan_error(tb_peer) : "end of stream");
		}
	}
}
