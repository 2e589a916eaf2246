/*
 * test_chan_virtio.c - proto/chan_virtio.c without a VM.  A socketpair
 * stands in for the virtio-serial port: like the port, its end polls
 * POLLHUP once the other side (here: the "host") is gone, reads return 0
 * then, and writes would block while the other side does not read.  The
 * real port is exercised by make check-vm (tests/vm/).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "chan.h"
#include "migwire.h"

struct got {
	uint32_t	type, len, n;
	uint8_t		payload[64];
};

static int
on_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	struct got	*g = arg;

	g->type = type;
	g->len = len;
	g->n++;
	memcpy(g->payload, p, len < sizeof(g->payload) ? len : sizeof(g->payload));
	return 0;
}

/* guest = the port's stand-in as a virtio chan; *host = the other end. */
static struct chan *
pair(int *host)
{
	struct chan	*c;
	char		 err[128];
	int		 sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c = chan_virtio_adopt(sv[0], err, sizeof(err));
	assert_non_null(c);
	*host = sv[1];
	return c;
}

static void
test_frames_both_ways(void **state)
{
	struct got	 g = { 0 };
	struct chan	*c;
	uint8_t		 buf[64];
	int		 host;

	(void)state;
	c = pair(&host);
	assert_string_equal(chan_kind(c), "virtio");
	assert_int_equal(chan_is_open(c), 1);
	assert_int_equal(chan_send(c, WIRE_T_STATE, "abc", 3), 0);
	assert_int_equal(read(host, buf, sizeof(buf)), WIRE_HDR_SIZE + 3);
	assert_memory_equal(buf + WIRE_HDR_SIZE, "abc", 3);
	/* host -> guest: a QUERY-typed frame of 2 bytes */
	memcpy(buf, "\x00\x02\x00\x00\x02\x00\x00\x00xy", 10);
	assert_int_equal(write(host, buf, 10), 10);
	assert_int_equal(chan_read(c, on_frame, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.type, WIRE_T_QUERY);
	assert_int_equal(g.len, 2);
	/* nothing more: would block, still open */
	assert_int_equal(chan_read(c, on_frame, &g), 0);
	assert_int_equal(chan_is_open(c), 1);
	close(host);
	chan_close(c);
}

/* The host end goes away: "host not connected" (2), sends refused, the
 * next read ends the stream with that reason. */
static void
test_host_gone(void **state)
{
	struct got	 g = { 0 };
	struct chan	*c;
	int		 host;

	(void)state;
	c = pair(&host);
	close(host);
	assert_int_equal(chan_is_open(c), 2);
	assert_int_equal(chan_send(c, WIRE_T_STATE, "abc", 3), -1);
	assert_string_equal(chan_error(c), "channel not connected");
	assert_int_equal(chan_read(c, on_frame, &g), -1);
	assert_string_equal(chan_error(c), "host end not connected");
	assert_int_equal(chan_is_open(c), 0);
	assert_int_equal(g.n, 0);
	chan_close(c);
}

/* A host that does not read: writes would block (EAGAIN), frames queue,
 * and go out once it reads. */
static void
test_backpressure(void **state)
{
	uint8_t		 payload[1000], buf[65536];
	struct chan	*c;
	int		 host, i, queued = 0;
	ssize_t		 n;

	(void)state;
	memset(payload, 7, sizeof(payload));
	c = pair(&host);
	for (i = 0; i < 2000 && !queued; i++) {
		assert_int_equal(chan_send(c, WIRE_T_STATE, payload, sizeof(payload)), 0);
		queued = chan_want_write(c);
	}
	assert_true(queued);
	assert_int_equal(chan_is_open(c), 1);
	while (chan_want_write(c)) {
		n = read(host, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(chan_flush(c), 0);
	}
	close(host);
	chan_close(c);
}

static void
test_open_missing_port(void **state)
{
	char	err[256] = "";

	(void)state;
	assert_null(chan_virtio_open("org.migstate.no-such-port", err, sizeof(err)));
	assert_true(err[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_both_ways),
		cmocka_unit_test(test_host_gone),
		cmocka_unit_test(test_backpressure),
		cmocka_unit_test(test_open_missing_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
