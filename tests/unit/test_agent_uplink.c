/*
 * test_agent_uplink.c - the uplink (uplink.c) with a real libev loop and
 * unix channel, the test playing Dom-0: pushes are coalesced to at most one
 * STATE per millisecond and the last one carries the last counts; an event
 * driven source's change is pushed; nothing flows before HELLO; a QUERY is
 * answered with its nonce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest-agent/agent.h"
#include "log.h"

static struct agent		ag;
static struct source		src;
static const struct source_ops	src_ops = { NULL, NULL };
static char			dir[64];
static int			lfd = -1, bfd = -1;	/* listener, Dom-0's end */
static struct wire_reader	rd;
static struct wire_state	states[4096];
static unsigned			nstates;

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

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
on_change(void *arg)
{
	(void)arg;
	uplink_changed(&ag.up);
}

/* Run the agent's loop once and collect the STATEs Dom-0 received. */
static void
pump_once(void)
{
	uint8_t		 buf[65536];
	const uint8_t	*p;
	ssize_t		 n;
	size_t		 used;
	const char	*why;

	ev_run(ag.loop, EVRUN_NOWAIT);
	while ((n = read(bfd, buf, sizeof(buf))) > 0) {
		for (p = buf; n > 0; p += used, n -= used) {
			if (wire_reader_feed(&rd, p, n, &used) != WIRE_RD_FRAME)
				continue;
			if (rd.type == WIRE_T_STATE) {
				assert_true(nstates < sizeof(states) / sizeof(states[0]));
				assert_int_equal(wire_sanitize_state(rd.payload, rd.len,
				    &states[nstates], &why), 0);
				nstates++;
			}
		}
	}
}

static void
pump(unsigned ms)
{
	uint64_t	end = now_us() + ms * 1000ull;

	while (now_us() < end) {
		pump_once();
		usleep(200);
	}
}

static void
send_frame(const uint8_t *f, size_t n)
{
	assert_int_equal(write(bfd, f, n), (ssize_t)n);
}

static void
send_hello(void)
{
	struct wire_hello	h = { .version_min = 1, .version_max = 1 };
	uint8_t			f[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];

	snprintf(h.software, sizeof(h.software), "test");
	send_frame(f, wire_encode_hello(f, sizeof(f), &h));
}

static int
setup(void **state)
{
	char	err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_agent_uplink.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	memset(&ag, 0, sizeof(ag));
	config_defaults(&ag.conf, 0);
	ag.conf.domid = 7;
	ag.conf.heartbeat_ms = 60000;	/* no heartbeat in the way */
	snprintf(ag.conf.socket, sizeof(ag.conf.socket), "%s/s", dir);
	if ((lfd = chan_unix_listen(ag.conf.socket, err, sizeof(err))) == -1)
		return -1;
	ag.loop = ev_loop_new(EVFLAG_AUTO);
	sources_init(&ag.srcs, on_change, NULL);
	memset(&src, 0, sizeof(src));
	src.proto = WIRE_P_POP3;
	src.ops = &src_ops;
	sources_add(&ag.srcs, &src);
	uplink_init(&ag.up, &ag);
	uplink_start(&ag.up);
	if (ag.up.phase != UPLINK_HELLO || (bfd = accept(lfd, NULL, NULL)) == -1)
		return -1;
	fcntl(bfd, F_SETFL, O_NONBLOCK);
	wire_reader_init(&rd);
	nstates = 0;
	return 0;
}

static int
teardown(void **state)
{
	char	path[128];

	(void)state;
	uplink_shutdown(&ag.up);
	ev_loop_destroy(ag.loop);
	close(bfd);
	close(lfd);
	snprintf(path, sizeof(path), "%s/s", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
test_nothing_before_hello(void **state)
{
	uint32_t	c[WIRE_REASON_MAX] = { 0, 3 };

	(void)state;
	source_changed(&src, c);
	pump(20);
	assert_int_equal(nstates, 0);
	send_hello();
	pump(20);
	/* The first STATE at once, with the counts as they are. */
	assert_int_equal(nstates, 1);
	assert_int_equal(states[0].seq, 1);
	assert_int_equal(states[0].nproto, 1);
	assert_int_equal(states[0].proto[0].proto, WIRE_P_POP3);
	assert_int_equal(states[0].unsuitable, 3);
}

/* A burst of changes: at most one STATE a millisecond, the last counts last. */
static void
test_coalesced(void **state)
{
	uint32_t	c[WIRE_REASON_MAX] = { 0 };
	uint64_t	start, elapsed;
	unsigned	i, first;

	(void)state;
	send_hello();
	pump(20);
	assert_int_equal(nstates, 1);
	first = nstates;
	start = now_us();
	for (i = 1; i <= 3000; i++) {
		c[WIRE_R_READING] = i;
		source_changed(&src, c);
		if (i % 10 == 0)
			pump_once();
	}
	elapsed = now_us() - start;
	pump(20);
	assert_true(nstates > first);
	/* Never two pushes within a millisecond... */
	for (i = first + 1; i < nstates; i++) {
		assert_true(states[i].mono_us - states[i - 1].mono_us >= AGENT_PUSH_GAP_US);
		assert_int_equal(states[i].seq, states[i - 1].seq + 1);
	}
	assert_true(nstates - first <= elapsed / 1000 + 25);
	/* ...and the last change is not lost. */
	assert_int_equal(states[nstates - 1].proto[0].count[WIRE_R_READING], 3000);
}

static void
test_query_and_migration(void **state)
{
	struct wire_query	q = { .nonce = 0x1122334455667788ull };
	struct wire_migration	m = { .active = 1 };
	uint8_t			f[64];
	uint32_t		c[WIRE_REASON_MAX] = { 0, 0, 0, 0, 0, 0, 9 };

	(void)state;
	send_hello();
	pump(20);
	source_changed(&src, c);
	send_frame(f, wire_encode_migration(f, sizeof(f), &m));
	send_frame(f, wire_encode_query(f, sizeof(f), &q));
	pump(20);
	assert_true(nstates >= 2);
	assert_int_equal(states[nstates - 1].nonce, q.nonce);
	assert_int_equal(states[nstates - 1].flags, WIRE_STATE_DETAILED);
	assert_int_equal(states[nstates - 1].total, 9);
	assert_int_equal(states[nstates - 1].unsuitable, 0);
	assert_int_equal(ag.up.phase, UPLINK_UP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_before_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_and_migration, setup, teardown),
	};

	log_init("test_agent_uplink", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
