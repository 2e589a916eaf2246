/*
 * fakeagents.c - load for migbridge's benchmark (tests/bench/bench-bridge.sh).
 *
 *   fakeagents agents -s AGENT_SOCKET [-n COUNT] [-r RATE] [-d FIRST_DOMID]
 *       one process, libev, COUNT agent connections (default 1000), each
 *       pushing STATE RATE times a second (default 10) and answering QUERY;
 *       prints "connected COUNT" once all are up; runs until SIGTERM.
 *   fakeagents query -q QUERY_SOCKET [-n COUNT] [-d FIRST_DOMID] [-c DOMAINS]
 *       COUNT DOMAIN-QUERYs (default 20000) without WIRE_DQ_FRESH over one
 *       connection, round-robin over DOMAINS domains; prints latency
 *       percentiles in microseconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ev.h>

#include "chan.h"
#include "migwire.h"

struct fa {
	struct chan	*ch;
	ev_io		 io;
	ev_timer	 push;
	uint32_t	 domid;
	uint64_t	 seq;
};

static struct fa	*fa_all;
static int		 fa_n = 1000, fa_up, fa_next, fa_failed;
static double		 fa_rate = 10;
static uint32_t		 fa_first = 10000;
static const char	*fa_sock;
static struct ev_loop	*fa_loop;

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
fa_state(struct fa *a, uint64_t nonce)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_STATE_SIZE(1)];
	struct wire_state	st;

	memset(&st, 0, sizeof(st));
	st.seq = ++a->seq;
	st.mono_us = now_us();
	st.nonce = nonce;
	st.nproto = 1;
	st.proto[0].proto = WIRE_P_HTTP;
	st.proto[0].count[WIRE_R_PROCESSING] = a->seq % 3;
	st.proto[0].count[WIRE_R_IDLE] = 2;
	wire_state_sum(&st);
	chan_send_frame(a->ch, buf, wire_encode_state(buf, sizeof(buf), &st));
}

static int
fa_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	struct fa		*a = arg;
	struct wire_query	 q;
	const char		*why;

	if (type == WIRE_T_QUERY && wire_sanitize_query(p, len, &q, &why) == 0)
		fa_state(a, q.nonce);
	return 0;
}

static void
fa_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fa	*a = w->data;

	(void)revents;
	if (chan_read(a->ch, fa_frame, a) == -1) {
		fprintf(stderr, "fakeagents: domain %u: %s\n", a->domid, chan_error(a->ch));
		ev_io_stop(loop, &a->io);
		ev_timer_stop(loop, &a->push);
		fa_failed++;
	}
}

static void
fa_push_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)revents;
	fa_state(w->data, 0);
}

static int
fa_connect(struct fa *a)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];
	struct wire_hello	h;
	char			err[256];

	if ((a->ch = chan_unix_connect(fa_sock, err, sizeof(err))) == NULL)
		return -1;
	memset(&h, 0, sizeof(h));
	h.version_min = h.version_max = WIRE_VERSION;
	h.caps = WIRE_CAP_ALL;
	h.domid = a->domid;
	snprintf(h.software, sizeof(h.software), "fakeagents");
	snprintf(h.name, sizeof(h.name), "fake%u", a->domid);
	chan_send_frame(a->ch, buf, wire_encode_hello(buf, sizeof(buf), &h));
	fa_state(a, 0);
	ev_io_init(&a->io, fa_read_cb, chan_fd(a->ch), EV_READ);
	a->io.data = a;
	ev_io_start(fa_loop, &a->io);
	/* Spread the pushes over the period. */
	ev_timer_init(&a->push, fa_push_cb, (rand() % 1000) / 1000.0 / fa_rate, 1.0 / fa_rate);
	a->push.data = a;
	ev_timer_start(fa_loop, &a->push);
	return 0;
}

/* Connect in small batches so migbridge's listen backlog never overflows. */
static void
fa_connect_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	int	i;

	(void)revents;
	for (i = 0; i < 20 && fa_next < fa_n; i++) {
		if (fa_connect(&fa_all[fa_next]) == -1)
			return;		/* retry at the next tick */
		fa_next++;
		fa_up++;
	}
	if (fa_next == fa_n) {
		printf("connected %d\n", fa_up);
		fflush(stdout);
		ev_timer_stop(loop, w);
	}
}

static void
fa_term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w; (void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static int
agents_main(void)
{
	ev_timer	conn;
	ev_signal	term;
	int		i;

	if (fa_sock == NULL)
		return 2;
	fa_loop = ev_default_loop(0);
	fa_all = calloc(fa_n, sizeof(*fa_all));
	for (i = 0; i < fa_n; i++)
		fa_all[i].domid = fa_first + i;
	ev_timer_init(&conn, fa_connect_cb, 0, 0.005);
	ev_timer_start(fa_loop, &conn);
	ev_signal_init(&term, fa_term_cb, SIGTERM);
	ev_signal_start(fa_loop, &term);
	ev_run(fa_loop, 0);
	printf("exit failed=%d\n", fa_failed);
	return 0;
}

struct qwait {
	int			 done;
	struct wire_verdict	 v;
};

static int
q_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	struct qwait	*w = arg;
	const char	*why;

	if (type != WIRE_T_VERDICT || wire_sanitize_verdict(p, len, &w->v, &why) == -1)
		return -1;
	w->done = 1;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One DOMAIN-QUERY and its VERDICT; returns the round trip in us, or 0. */
static uint64_t
q_one(struct chan *ch, struct wire_domain_query *dq)
{
	uint8_t		buf[WIRE_HDR_SIZE + WIRE_DOMAIN_QUERY_SIZE];
	struct pollfd	pfd = { .fd = chan_fd(ch), .events = POLLIN };
	struct qwait	w = { 0 };
	uint64_t	t0 = now_us();

	if (chan_send_frame(ch, buf, wire_encode_domain_query(buf, sizeof(buf), dq)) == -1)
		return 0;
	while (!w.done) {
		if (poll(&pfd, 1, 2000) <= 0 || chan_read(ch, q_frame, &w) == -1)
			return 0;
	}
	return now_us() - t0 ? now_us() - t0 : 1;
}

static int
query_main(const char *qsock, int count, int ndoms)
{
	struct wire_domain_query dq;
	struct chan		*ch;
	uint64_t		*lat, sum = 0;
	char			 err[256];
	int			 i;

	if (qsock == NULL || count <= 0 || ndoms <= 0)
		return 2;
	if ((ch = chan_unix_connect(qsock, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fakeagents: %s: %s\n", qsock, err);
		return 1;
	}
	lat = calloc(count, sizeof(*lat));
	memset(&dq, 0, sizeof(dq));
	dq.stock = WIRE_D_STOP;
	dq.dirty_count = 10;
	dq.iteration = 5;
	for (i = 0; i < count; i++) {
		dq.domid = fa_first + i % ndoms;
		dq.migration_id = 1 + i % ndoms;
		if ((lat[i] = q_one(ch, &dq)) == 0) {
			fprintf(stderr, "fakeagents: query %d failed: %s\n", i, chan_error(ch));
			return 1;
		}
		sum += lat[i];
	}
	qsort(lat, count, sizeof(*lat), cmp_u64);
	printf("queries=%d p50_us=%" PRIu64 " p90_us=%" PRIu64 " p99_us=%" PRIu64
	    " max_us=%" PRIu64 " mean_us=%" PRIu64 "\n", count, lat[count / 2],
	    lat[count * 9 / 10], lat[count * 99 / 100], lat[count - 1], sum / count);
	chan_close(ch);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	const char	*qsock = NULL;
	int		 ch, count = -1, ndoms = 1000;

	if (argc < 2)
		goto usage;
	optind = 2;
	while ((ch = getopt(argc, argv, "s:q:n:r:d:c:")) != -1) {
		switch (ch) {
		case 's': fa_sock = optarg; break;
		case 'q': qsock = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 'r': fa_rate = atof(optarg); break;
		case 'd': fa_first = strtoul(optarg, NULL, 10); break;
		case 'c': ndoms = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!strcmp(argv[1], "agents")) {
		if (count > 0)
			fa_n = count;
		if (fa_rate > 0 && agents_main() == 0)
			return 0;
	} else if (!strcmp(argv[1], "query"))
		return query_main(qsock, count > 0 ? count : 20000, ndoms);
usage:
	fprintf(stderr, "usage: fakeagents agents -s SOCK [-n N] [-r RATE] [-d FIRST]\n"
	    "       fakeagents query -q SOCK [-n COUNT] [-d FIRST] [-c DOMAINS]\n");
	return 2;
}
