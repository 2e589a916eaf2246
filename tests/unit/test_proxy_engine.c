/*
 * test_proxy_engine.c - proxy.c's engine with a real libev loop and real
 * loopback sockets, the test playing both the clients and the backend:
 * many connections move streams both ways at once through the smallest
 * buffers, and one connection alone a download far larger than them, then
 * half-close; every byte arrives, in order, and the counts go back to none.
 *
 * The proxy has the test's main loop to itself; the peers run in a thread
 * of their own, as fast readers and writers, the way other processes
 * would.  A connection the proxy leaves with bytes in a buffer and no
 * watcher or flush to move them therefore stops the run: its loop blocks,
 * and the peers wait for bytes that never come.  A guard timer (far longer
 * than a run needs) then ends both loops and the test fails on the bytes
 * that never arrived, not on how long anything took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "guest-agent/agent.h"

#define NCONN_MAX	16
#define GUARD_SECS	60.0
#define DOWN_SEED	1000

/* Byte k of stream s: any reordering, loss or repetition shows. */
static uint8_t
stream_byte(uint32_t s, uint64_t k)
{
	uint64_t z = ((uint64_t)s << 40) + k + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint8_t)(z ^ (z >> 31));
}

/* One end of a test stream: sends stream tx, checks stream rx. */
struct end {
	ev_io		 io;
	int		 fd;
	int		 backend;	/* the backend's end: learns its id first */
	uint32_t	 id;		/* client index */
	uint8_t		 idb[4];
	ssize_t		 idlen;
	uint64_t	 sent, rcvd;	/* stream bytes */
	int		 shut, eof, bad;
};

static struct ev_loop	*ploop, *tloop;	/* the proxy's; the peers' (thread) */
static ev_async		 done_w, stop_w;	/* peers -> proxy loop; and back */
static struct end	 cl[NCONN_MAX], be[NCONN_MAX];
static unsigned		 nconn;
static uint64_t		 up_len, down_len;	/* each connection's streams */
static unsigned		 nbe, ndone;
static int		 blfd = -1;
static ev_io		 blio;
static ev_timer		 guard;
static int		 guard_fired;
static struct sources	 srcs;

static int
nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static uint32_t
tx_seed(const struct end *e)
{
	return e->backend ? e->id + DOWN_SEED : e->id;
}

static uint32_t
rx_seed(const struct end *e)
{
	return e->backend ? e->id : e->id + DOWN_SEED;
}

static void
end_done_check(struct end *e)
{
	if (e->eof && e->shut) {
		ev_io_stop(tloop, &e->io);
		close(e->fd);
		e->fd = -1;
		if (++ndone == 2 * nconn) {
			ev_async_send(ploop, &done_w);
			ev_break(tloop, EVBREAK_ALL);
		}
	}
}

static void
end_watch(struct end *e, int events)
{
	ev_io_stop(tloop, &e->io);
	ev_io_set(&e->io, e->fd, events);
	ev_io_start(tloop, &e->io);
}

static uint64_t
tx_len(const struct end *e)
{
	return e->backend ? down_len : up_len;
}

/* Reads and writes until the socket would block: a fast peer. */
static void
end_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct end	*e = w->data;
	static uint8_t	 b[65000];	/* not a power of two: reads split unevenly */
	ssize_t		 n, i;
	size_t		 len;

	(void)l;
	while ((revents & EV_READ) && !e->eof) {
		if ((n = read(e->fd, b, sizeof(b))) == 0)
			e->eof = 1;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				e->bad = 1;
			break;
		}
		i = 0;
		if (e->backend && e->idlen < 4) {	/* the client's id first */
			while (e->idlen < 4 && i < n)
				e->idb[e->idlen++] = b[i++];
			if (e->idlen == 4) {
				memcpy(&e->id, e->idb, 4);
				end_watch(e, EV_READ | EV_WRITE);
			}
		}
		for (; i < n; i++, e->rcvd++)
			if (b[i] != stream_byte(rx_seed(e), e->rcvd))
				e->bad = 1;
	}
	while ((revents & EV_WRITE) && !e->shut && (!e->backend || e->idlen == 4)) {
		for (len = 0; len < sizeof(b) && e->sent + len < tx_len(e); len++)
			b[len] = stream_byte(tx_seed(e), e->sent + len);
		n = len > 0 ? write(e->fd, b, len) : 0;
		if (n > 0)
			e->sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			e->bad = 1;
		if (e->sent == tx_len(e)) {
			shutdown(e->fd, SHUT_WR);
			e->shut = 1;
			end_watch(e, EV_READ);
		} else if (n < (ssize_t)len)
			break;
	}
	end_done_check(e);
}

static void
end_start(struct end *e, int fd, int backend, uint32_t id)
{
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->backend = backend;
	e->id = id;
	e->bad = nonblock(fd) == -1;
	ev_io_init(&e->io, end_cb, fd, backend ? EV_READ : EV_READ | EV_WRITE);
	e->io.data = e;
	ev_io_start(tloop, &e->io);
}

static void
backend_accept_cb(struct ev_loop *l, ev_io *w, int revents)
{
	int	fd;

	(void)l, (void)w, (void)revents;
	while (nbe < nconn && (fd = accept(blfd, NULL, NULL)) >= 0)
		end_start(&be[nbe++], fd, 1, 0);
}

static void
guard_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w, (void)revents;
	guard_fired = 1;
	ev_async_send(tloop, &stop_w);
	ev_break(l, EVBREAK_ALL);
}

static void
break_cb(struct ev_loop *l, ev_async *w, int revents)
{
	(void)w, (void)revents;
	ev_break(l, EVBREAK_ALL);
}

static void *
peers_main(void *arg)
{
	(void)arg;
	ev_run(tloop, 0);
	return NULL;
}

/* A listening socket on 127.0.0.1, any port; its port in *port. */
static int
listen_any(uint16_t *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
on_change(void *arg)
{
	(void)arg;
}

/* n connections, each sending up bytes and receiving down bytes. */
static void
run(unsigned n, uint64_t up, uint64_t down)
{
	static struct agent_conf c;
	struct conf		 cf;
	struct proxy		*px;
	struct sockaddr_in	 sin;
	char			 text[512], err[256];
	uint16_t		 bport, pport;
	unsigned		 i, total;
	int			 fd;
	pthread_t		 th;

	nconn = n;
	up_len = up;
	down_len = down;
	nbe = ndone = 0;
	guard_fired = 0;
	ploop = ev_loop_new(EVFLAG_AUTO);
	tloop = ev_loop_new(EVFLAG_AUTO);
	assert_true(ploop != NULL && tloop != NULL);
	blfd = listen_any(&bport);
	assert_int_not_equal(nonblock(blfd), -1);
	/* The proxy's port: free now, bound by proxy_new below. */
	fd = listen_any(&pport);
	close(fd);
	snprintf(text, sizeof(text),
	    "[agent]\ndomid = 1\n[service s]\nlisten = 127.0.0.1:%u\nbackend = 127.0.0.1:%u\n"
	    "protocol = tcp\nbuffer_size = 8K\n", pport, bport);
	memset(&cf, 0, sizeof(cf));
	config_defaults(&c, 0);
	if (config_load_buf(&c, &cf, "t", text, strlen(text)) != 0)
		fail_msg("config: %s", cf.errors[0]);
	sources_init(&srcs, on_change, NULL);
	px = proxy_new(ploop, &srcs, &c, err, sizeof(err));
	if (px == NULL)
		fail_msg("proxy_new: %s", err);
	ev_timer_init(&guard, guard_cb, GUARD_SECS, 0.);
	ev_timer_start(ploop, &guard);
	ev_async_init(&done_w, break_cb);
	ev_async_start(ploop, &done_w);

	ev_io_init(&blio, backend_accept_cb, blfd, EV_READ);
	ev_io_start(tloop, &blio);
	ev_async_init(&stop_w, break_cb);
	ev_async_start(tloop, &stop_w);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(pport);
	for (i = 0; i < nconn; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(write(fd, &i, 4), 4);	/* the backend's end learns i */
		end_start(&cl[i], fd, 0, i);
	}
	assert_int_equal(pthread_create(&th, NULL, peers_main, NULL), 0);
	ev_run(ploop, 0);
	assert_int_equal(pthread_join(th, NULL), 0);

	assert_false(guard_fired);
	assert_int_equal(nbe, nconn);
	for (i = 0; i < nconn; i++) {
		assert_false(cl[i].bad);
		assert_false(be[i].bad);
		assert_int_equal(cl[i].sent, up_len);
		assert_int_equal(cl[i].rcvd, down_len);
		assert_int_equal(be[i].sent, down_len);
		assert_int_equal(be[i].rcvd, up_len);
	}
	/* The peers closed: the proxy lets every connection go. */
	while (proxy_nconns(px) > 0 && !guard_fired)
		ev_run(ploop, EVRUN_ONCE);
	assert_int_equal(proxy_nconns(px), 0);
	total = 0;
	for (i = 0; i < srcs.n; i++) {
		unsigned r;

		for (r = 0; r < WIRE_REASON_MAX; r++)
			total += srcs.src[i]->counts[r];
	}
	assert_int_equal(total, 0);

	proxy_free(px);
	sources_close(&srcs);
	ev_timer_stop(ploop, &guard);
	ev_async_stop(ploop, &done_w);
	ev_io_stop(tloop, &blio);
	ev_async_stop(tloop, &stop_w);
	close(blfd);
	ev_loop_destroy(ploop);
	ev_loop_destroy(tloop);
}

/* Many connections at once: one poll reports many events. */
static void
test_many_both_ways(void **state)
{
	(void)state;
	run(NCONN_MAX, 192 * 1024, 192 * 1024);
}

/*
 * One connection alone, a download far larger than the buffers: the proxy
 * runs out of pump rounds and comes back to itself, with no other event
 * to wake the loop if it forgot to.
 */
static void
test_one_download(void **state)
{
	(void)state;
	run(1, 1000, 24 << 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_both_ways),
		cmocka_unit_test(test_one_download),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
