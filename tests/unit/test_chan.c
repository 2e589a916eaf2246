/*
 * test_chan.c - proto/chan.c through the unix backend: two processes
 * exchange 100k frames, whole and in random splits, nothing lost or
 * reordered; listen/connect/accept; framing errors; backpressure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "chan.h"
#include "migwire.h"

#define NFRAMES	100000

/* Frame i: type and payload derived from i, so the reader can check it. */
static uint32_t
frame_len(uint32_t i)
{
	return (i * 2654435761u) % 1500;
}

static void
frame_fill(uint32_t i, uint8_t *p, uint32_t len)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		p[j] = (uint8_t)(i * 31 + j);
	if (len >= 4)
		memcpy(p, &i, 4);
}

struct rx {
	uint32_t	next;
	int		bad;
};

static int
rx_frame(void *arg, uint32_t type, const uint8_t *payload, uint32_t len)
{
	struct rx	*rx = arg;
	uint8_t		 want[1500];

	if (type != 0x100 + rx->next % 7 || len != frame_len(rx->next)) {
		rx->bad++;
		return -1;
	}
	frame_fill(rx->next, want, len);
	if (memcmp(want, payload, len) != 0) {
		rx->bad++;
		return -1;
	}
	rx->next++;
	return 0;
}

static void
wait_fd(int fd, short ev)
{
	struct pollfd pfd = { .fd = fd, .events = ev };

	while (poll(&pfd, 1, 5000) == -1 && errno == EINTR)
		;
}

/* Child: send NFRAMES through a chan, honouring backpressure. */
static void
send_frames_chan(int fd)
{
	char		 err[128];
	struct chan	*c = chan_unix_adopt(fd, err, sizeof(err));
	uint8_t		 buf[1500];
	uint32_t	 i;

	if (c == NULL)
		_exit(2);
	for (i = 0; i < NFRAMES; i++) {
		frame_fill(i, buf, frame_len(i));
		while (chan_send(c, 0x100 + i % 7, buf, frame_len(i)) == -1) {
			if (!chan_is_open(c))
				_exit(3);
			/* Queue full: wait for the reader, then flush. */
			wait_fd(chan_fd(c), POLLOUT);
			if (chan_flush(c) == -1)
				_exit(4);
		}
	}
	while (chan_want_write(c)) {
		wait_fd(chan_fd(c), POLLOUT);
		if (chan_flush(c) == -1)
			_exit(5);
	}
	chan_close(c);
	_exit(0);
}

/* Child: write the encoded stream raw, in random chunks of 1..700 bytes. */
static void
send_frames_raw(int fd)
{
	static uint8_t	 out[WIRE_HDR_SIZE + 1500];
	uint32_t	 i, len;
	size_t		 off, n;
	ssize_t		 w;

	srand(getpid());
	for (i = 0; i < NFRAMES; i++) {
		uint32_t type = 0x100 + i % 7;
		len = frame_len(i);
		memcpy(out, &type, 4);
		memcpy(out + 4, &len, 4);
		frame_fill(i, out + 8, len);
		for (off = 0; off < len + 8; off += w) {
			n = (size_t)(rand() % 700) + 1;
			if (n > len + 8 - off)
				n = len + 8 - off;
			if ((w = write(fd, out + off, n)) <= 0)
				_exit(6);
		}
	}
	_exit(0);
}

static void
run_pair(void (*sender)(int))
{
	int		 sv[2], status;
	char		 err[128];
	struct chan	*c;
	struct rx	 rx = { 0, 0 };
	pid_t		 pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		sender(sv[1]);
	}
	close(sv[1]);
	c = chan_unix_adopt(sv[0], err, sizeof(err));
	assert_non_null(c);
	while (chan_read(c, rx_frame, &rx) == 0)
		wait_fd(chan_fd(c), POLLIN);
	/* The stream ends with the peer's close, after every frame. */
	assert_int_equal(rx.bad, 0);
	assert_int_equal(rx.next, NFRAMES);
	assert_string_equal(chan_error(c), "peer closed the connection");
	assert_int_equal(chan_is_open(c), 0);
	chan_close(c);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_100k_frames_chan(void **st)
{
	(void)st;
	run_pair(send_frames_chan);
}

static void
test_100k_frames_random_splits(void **st)
{
	(void)st;
	run_pair(send_frames_raw);
}

static int
count_frame(void *arg, uint32_t type, const uint8_t *payload, uint32_t len)
{
	(void)type; (void)payload; (void)len;
	(*(int *)arg)++;
	return 0;
}

static void
test_listen_connect_accept(void **st)
{
	char		 dir[] = "/tmp/test_chan.XXXXXX", path[256], err[128];
	struct chan	*cl, *sv;
	struct wire_query q = { 77 };
	uint8_t		 frame[64];
	int		 lfd, got = 0;
	(void)st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	/* Nobody listens: connect fails at once with a reason. */
	assert_null(chan_unix_connect(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	lfd = chan_unix_listen(path, err, sizeof(err));
	assert_true(lfd >= 0);
	cl = chan_unix_connect(path, err, sizeof(err));
	assert_non_null(cl);
	wait_fd(lfd, POLLIN);
	sv = chan_unix_accept(lfd, err, sizeof(err));
	assert_non_null(sv);
	assert_string_equal(chan_kind(sv), "unix");
	assert_int_equal(chan_is_open(sv), 1);
	assert_int_equal(chan_send_frame(cl, frame, wire_encode_query(frame, sizeof(frame), &q)), 0);
	assert_int_equal(chan_send(cl, WIRE_T_LIST, NULL, 0), 0);
	while (got < 2) {
		wait_fd(chan_fd(sv), POLLIN);
		assert_int_equal(chan_read(sv, count_frame, &got), 0);
	}
	chan_close(cl);
	chan_close(sv);
	close(lfd);
	/* A stale socket is replaced; a regular file is not. */
	lfd = chan_unix_listen(path, err, sizeof(err));
	assert_true(lfd >= 0);
	close(lfd);
	unlink(path);
	close(creat(path, 0600));
	assert_int_equal(chan_unix_listen(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a socket"));
	unlink(path);
	rmdir(dir);
}

static void
test_oversize_frame(void **st)
{
	int		 sv[2], got = 0;
	char		 err[128];
	struct chan	*c;
	uint32_t	 hdr[2] = { WIRE_T_STATE, WIRE_MAX_PAYLOAD + 1 };
	(void)st;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c = chan_unix_adopt(sv[0], err, sizeof(err));
	assert_int_equal(write(sv[1], hdr, sizeof(hdr)), sizeof(hdr));
	assert_int_equal(chan_read(c, count_frame, &got), -1);
	assert_non_null(strstr(chan_error(c), "64 KiB"));
	assert_int_equal(got, 0);
	/* Sends on a failed channel fail too. */
	assert_int_equal(chan_send(c, WIRE_T_LIST, NULL, 0), -1);
	chan_close(c);
	close(sv[1]);
}

static int
stop_frame(void *arg, uint32_t type, const uint8_t *payload, uint32_t len)
{
	(void)arg; (void)type; (void)payload; (void)len;
	return -1;
}

static void
test_backpressure_and_handler_stop(void **st)
{
	int		 sv[2], n = 0, got = 0;
	char		 err[128];
	struct chan	*c, *d;
	static uint8_t	 big[WIRE_MAX_PAYLOAD];
	(void)st;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c = chan_unix_adopt(sv[0], err, sizeof(err));
	d = chan_unix_adopt(sv[1], err, sizeof(err));
	/* The peer never reads: the queue fills, then sends fail. */
	while (chan_send(c, WIRE_T_STATE, big, sizeof(big)) == 0 && n < 1000)
		n++;
	assert_true(n < 1000);
	assert_true(chan_want_write(c));
	assert_non_null(strstr(chan_error(c), "queue full"));
	assert_int_equal(chan_send(c, WIRE_T_STATE, big, WIRE_MAX_PAYLOAD + 1), -1);
	/* A handler returning -1 stops reading. */
	assert_int_equal(chan_read(d, stop_frame, &got), -1);
	assert_string_equal(chan_error(d), "stopped by handler");
	chan_close(c);
	chan_close(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_100k_frames_chan),
		cmocka_unit_test(test_100k_frames_random_splits),
		cmocka_unit_test(test_listen_connect_accept),
		cmocka_unit_test(test_oversize_frame),
		cmocka_unit_test(test_backpressure_and_handler_stop),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
