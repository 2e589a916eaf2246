/*
 * uplink.c - the agent's one channel to Dom-0 (migbridge).
 *
 * Open (unix: connect to migbridge's socket; vchan: serve the ring and
 * wait for Dom-0), exchange HELLO, then push STATE: on every change of a
 * count (coalesced to one per millisecond), as a heartbeat, and at once in
 * answer to a QUERY.  Anything wrong on the channel - end of stream, an
 * invalid or unexpected frame, no HELLO in time - closes it and opens a
 * new one after a backoff; a fresh HELLO each time, counts read afresh.
 * Nothing here touches the servers being tracked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"

static void uplink_io_cb(struct ev_loop *, ev_io *, int);
static void uplink_retry_cb(struct ev_loop *, ev_timer *, int);
static void uplink_poll_cb(struct ev_loop *, ev_timer *, int);
static void uplink_hb_cb(struct ev_loop *, ev_timer *, int);
static void uplink_push_cb(struct ev_loop *, ev_timer *, int);
static void uplink_open(struct uplink *);

/* The poll interval in seconds: shorter while a migration is running. */
static double
uplink_poll_interval(const struct uplink *u)
{
	uint64_t	ms = u->agent->conf.poll_ms;

	if (u->migrating)
		ms = ms / 10 > 0 ? ms / 10 : 1;
	return ms / 1000.0;
}

void
uplink_init(struct uplink *u, struct agent *a)
{
	memset(u, 0, sizeof(*u));
	u->agent = a;
	u->phase = UPLINK_IDLE;
	u->backoff_ms = AGENT_BACKOFF_MIN_MS;
	ev_init(&u->io, uplink_io_cb);
	ev_init(&u->retry_tm, uplink_retry_cb);
	ev_init(&u->poll_tm, uplink_poll_cb);
	ev_init(&u->hb_tm, uplink_hb_cb);
	ev_init(&u->push_tm, uplink_push_cb);
	u->io.data = u->retry_tm.data = u->poll_tm.data = u->hb_tm.data =
	    u->push_tm.data = u;
}

/* Stop every watcher; the channel itself is the caller's business. */
static void
uplink_quiet(struct uplink *u)
{
	struct ev_loop	*loop = u->agent->loop;

	ev_io_stop(loop, &u->io);
	ev_timer_stop(loop, &u->retry_tm);
	ev_timer_stop(loop, &u->poll_tm);
	ev_timer_stop(loop, &u->hb_tm);
	ev_timer_stop(loop, &u->push_tm);
}

/*
 * Keep the io watcher's interest in step with the output queue.  A vchan's
 * fd is its event channel, always "writable": there the queue is flushed
 * when the peer signals (it consumed data) and on every poll instead.
 */
static void
uplink_io_update(struct uplink *u)
{
	int	want = EV_READ;

	if (chan_want_write(u->chan) && strcmp(chan_kind(u->chan), "vchan") != 0)
		want |= EV_WRITE;

	if (ev_is_active(&u->io) && (u->io.events & (EV_READ | EV_WRITE)) == want)
		return;
	ev_io_stop(u->agent->loop, &u->io);
	ev_io_set(&u->io, chan_fd(u->chan), want);
	ev_io_start(u->agent->loop, &u->io);
}

static void
uplink_send_bye(struct uplink *u, enum wire_bye_reason reason, const char *text)
{
	struct wire_bye	bye = { .reason = reason };
	uint8_t		frame[WIRE_HDR_SIZE + WIRE_BYE_SIZE];
	size_t		n;

	if (u->chan == NULL || chan_is_open(u->chan) != 1)
		return;
	snprintf(bye.text, sizeof(bye.text), "%s", text);
	if ((n = wire_encode_bye(frame, sizeof(frame), &bye)) > 0)
		(void)chan_send_frame(u->chan, frame, n);	/* best effort */
}

/* Close or abandon the channel, never closing a vchan that outlived its domain. */
static void
uplink_release(struct uplink *u, enum uplink_stop_how how)
{
	if (u->chan == NULL)
		return;
	if (how == UPLINK_STOP_CLOSE && strcmp(chan_kind(u->chan), "vchan") == 0 &&
	    agent_chan_stale(u->agent, u->chan_domid)) {
		log_warnx("uplink: the guest moved since the vchan was served: "
		    "abandoning it instead of closing it");
		how = UPLINK_STOP_ABANDON;
	}
	if (how == UPLINK_STOP_ABANDON)
		chan_abandon(u->chan);
	else
		chan_close(u->chan);
	u->chan = NULL;
	u->have_last = 0;
	u->migrating = 0;
}

static void
uplink_backoff(struct uplink *u)
{
	uint64_t	max = u->agent->conf.reconnect_max_ms;

	u->phase = UPLINK_BACKOFF;
	ev_timer_set(&u->retry_tm, u->backoff_ms / 1000.0, 0.);
	ev_timer_start(u->agent->loop, &u->retry_tm);
	u->backoff_ms = u->backoff_ms * 2 > max ? max : u->backoff_ms * 2;
}

/*
 * The channel failed or the peer misbehaved: say why (BYE, if bye >= 0),
 * close, and re-open after the backoff.  A link that stayed up longer than
 * the backoff cap starts the backoff afresh.
 */
static void
uplink_fail(struct uplink *u, int bye, const char *why)
{
	if (u->phase == UPLINK_UP &&
	    wire_mono_us() - u->up_since_us >= u->agent->conf.reconnect_max_ms * 1000)
		u->backoff_ms = AGENT_BACKOFF_MIN_MS;
	log_warnx("uplink: %s; closing, re-opening in %llums", why,
	    (unsigned long long)u->backoff_ms);
	if (bye >= 0)
		uplink_send_bye(u, bye, why);
	uplink_quiet(u);
	uplink_release(u, UPLINK_STOP_CLOSE);
	uplink_backoff(u);
}

/* Encode and queue our HELLO: 0, or -1 (nothing closed here). */
static int
uplink_write_hello(struct uplink *u)
{
	struct agent		*a = u->agent;
	struct wire_hello	 h = {
		.version_min = WIRE_VERSION_MIN,
		.version_max = WIRE_VERSION,
		.caps = WIRE_CAP_ALL,
	};
	uint8_t			 frame[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];
	size_t			 n;
	long			 domid = agent_domid(a);

	h.domid = domid >= 0 ? (uint32_t)domid : WIRE_DOMID_NONE;
	snprintf(h.software, sizeof(h.software), "%s", AGENT_SOFTWARE);
	snprintf(h.name, sizeof(h.name), "%s", a->conf.name);
	memcpy(h.boot_id, a->boot_id, sizeof(h.boot_id));
	n = wire_encode_hello(frame, sizeof(frame), &h);
	return n == 0 ? -1 : chan_send_frame(u->chan, frame, n);
}

static void
uplink_send_hello(struct uplink *u)
{
	struct agent	*a = u->agent;

	if (uplink_write_hello(u) == -1) {
		uplink_fail(u, -1, "cannot send HELLO");
		return;
	}
	u->phase = UPLINK_HELLO;
	ev_timer_set(&u->retry_tm, AGENT_HELLO_TIMEOUT_MS / 1000.0, 0.);
	ev_timer_start(a->loop, &u->retry_tm);
	uplink_io_update(u);
}

/*
 * virtio: while the host end has no client the port polls readable and hung
 * up, so it is watched on a timer instead (every 50 ms), and HELLO goes out
 * when the host connects.  Returns 1 if waiting.
 */
static int
uplink_virtio_wait(struct uplink *u)
{
	if (strcmp(chan_kind(u->chan), "virtio") != 0 || chan_is_open(u->chan) != 2)
		return 0;
	if (u->phase != UPLINK_PEER)
		log_info("uplink: virtio port %s open, waiting for the host end",
		    u->agent->conf.virtio_port);
	u->phase = UPLINK_PEER;
	ev_timer_set(&u->retry_tm, 0.05, 0.05);
	ev_timer_start(u->agent->loop, &u->retry_tm);
	return 1;
}

/* virtio, on the timer: has the host end connected? */
static void
uplink_virtio_check(struct uplink *u)
{
	int	open = chan_is_open(u->chan);

	if (open == 2)
		return;
	ev_timer_stop(u->agent->loop, &u->retry_tm);
	if (open != 1) {
		uplink_fail(u, -1, "virtio port closed");
		return;
	}
	ev_io_set(&u->io, chan_fd(u->chan), EV_READ);
	ev_io_start(u->agent->loop, &u->io);
	uplink_send_hello(u);
}

static void
uplink_open(struct uplink *u)
{
	struct agent	*a = u->agent;
	char		 err[256] = "";
	struct chan	*c;

	if (a->conf.uplink == AGENT_UPLINK_UNIX)
		c = chan_unix_connect(a->conf.socket, err, sizeof(err));
	else if (a->conf.uplink == AGENT_UPLINK_VIRTIO)
		c = chan_virtio_open(a->conf.virtio_port, err, sizeof(err));
	else
		c = chan_vchan_serve(err, sizeof(err));
	if (c == NULL) {
		/* Loud once, then quiet until it works: the bridge may be down for long. */
		if (u->open_failures++ == 0)
			log_warnx("uplink: cannot open %s: %s; re-trying with backoff "
			    "(at most %llums)", a->conf.uplink == AGENT_UPLINK_UNIX ?
			    a->conf.socket : a->conf.uplink == AGENT_UPLINK_VIRTIO ?
			    a->conf.virtio_port : "vchan", err,
			    (unsigned long long)a->conf.reconnect_max_ms);
		else
			log_debug("uplink: cannot open: %s", err);
		uplink_backoff(u);
		return;
	}
	u->open_failures = 0;
	u->chan = c;
	u->chan_domid = agent_domid(a);
	if (uplink_virtio_wait(u))
		return;
	ev_io_set(&u->io, chan_fd(c), EV_READ);
	ev_io_start(a->loop, &u->io);
	if (chan_is_open(c) == 2) {
		u->phase = UPLINK_PEER;
		log_info("uplink: vchan served at %s, waiting for Dom-0", CHAN_VCHAN_PATH);
		return;
	}
	uplink_send_hello(u);
}

void
uplink_start(struct uplink *u)
{
	if (u->phase != UPLINK_IDLE && u->phase != UPLINK_BACKOFF)
		return;
	ev_timer_stop(u->agent->loop, &u->retry_tm);
	u->backoff_ms = AGENT_BACKOFF_MIN_MS;
	uplink_open(u);
}

void
uplink_stop(struct uplink *u, enum uplink_stop_how how)
{
	if (how == UPLINK_STOP_CLOSE)
		uplink_send_bye(u, WIRE_BYE_QUIESCE, "closing before a migration's stop");
	uplink_quiet(u);
	uplink_release(u, how);
	u->phase = UPLINK_IDLE;
}

void
uplink_shutdown(struct uplink *u)
{
	uplink_send_bye(u, WIRE_BYE_NORMAL, "agent shutting down");
	uplink_quiet(u);
	uplink_release(u, UPLINK_STOP_CLOSE);
	u->phase = UPLINK_IDLE;
}

/* Encode and send st as the next STATE.  0, or -1 (the uplink then failed). */
static int
uplink_send_state(struct uplink *u, struct wire_state *st, uint64_t nonce)
{
	uint8_t	frame[WIRE_HDR_SIZE + WIRE_STATE_SIZE(WIRE_MAX_PROTO)];
	size_t	n;

	st->seq = ++u->seq;
	st->mono_us = wire_mono_us();
	st->nonce = nonce;
	st->flags = u->migrating ? WIRE_STATE_DETAILED : 0;
	n = wire_encode_state(frame, sizeof(frame), st);
	if (n == 0 || chan_send_frame(u->chan, frame, n) == -1) {
		snprintf(u->drop_buf, sizeof(u->drop_buf), "cannot send STATE: %s",
		    n == 0 ? "not encodable" : chan_error(u->chan));
		return -1;
	}
	u->last = *st;
	u->have_last = 1;
	u->last_push_us = st->mono_us;
	ev_timer_stop(u->agent->loop, &u->push_tm);
	uplink_io_update(u);
	return 0;
}

/* Aggregate the cached counts and send them if they differ (or force). */
static int
uplink_push(struct uplink *u, int force, uint64_t nonce)
{
	struct wire_state	st;

	if (u->phase != UPLINK_UP)
		return 0;
	sources_aggregate(&u->agent->srcs, &st);
	if (!force && u->have_last && !sources_differ(&st, &u->last))
		return 0;
	return uplink_send_state(u, &st, nonce);
}

/* Push from a timer or a source: failure closes the uplink here. */
static void
uplink_push_or_fail(struct uplink *u, int force)
{
	if (uplink_push(u, force, 0) == -1)
		uplink_fail(u, -1, u->drop_buf);
}

void
uplink_push_now(struct uplink *u)
{
	if (u->phase != UPLINK_UP)
		return;
	sources_poll(&u->agent->srcs, 1);
	uplink_push_or_fail(u, 1);
}

void
uplink_changed(struct uplink *u)
{
	struct wire_state	st;
	uint64_t		gap;

	if (u->phase != UPLINK_UP || ev_is_active(&u->push_tm))
		return;
	sources_aggregate(&u->agent->srcs, &st);
	if (u->have_last && !sources_differ(&st, &u->last))
		return;
	gap = wire_mono_us() - u->last_push_us;
	if (gap >= AGENT_PUSH_GAP_US) {
		if (uplink_send_state(u, &st, 0) == -1)
			uplink_fail(u, -1, u->drop_buf);
		return;
	}
	/* Pushed less than a millisecond ago: push the rest when it is up. */
	ev_now_update(u->agent->loop);
	ev_timer_set(&u->push_tm, (AGENT_PUSH_GAP_US - gap) / 1e6, 0.);
	ev_timer_start(u->agent->loop, &u->push_tm);
}

/*
 * libev's timers run on the loop's cached time, which may lag the clock the
 * gap is measured with: check the gap again (uplink_changed re-arms).
 */
static void
uplink_push_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	uplink_changed(w->data);
}

static void
uplink_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct uplink	*u = w->data;

	(void)loop;
	(void)revents;
	if (chan_want_write(u->chan) && chan_flush(u->chan) == -1) {
		uplink_fail(u, -1, chan_error(u->chan));
		return;
	}
	sources_poll(&u->agent->srcs, 0);
	uplink_changed(u);
}

/*
 * Heartbeat: a thorough read (dead writers dropped), and a STATE unless one
 * went out less than half a heartbeat ago with the same counts.
 */
static void
uplink_hb_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct uplink	*u = w->data;
	uint64_t	 half_us = u->agent->conf.heartbeat_ms * 500;

	(void)loop;
	(void)revents;
	sources_poll(&u->agent->srcs, 1);
	uplink_push_or_fail(u, wire_mono_us() - u->last_push_us >= half_us);
}

static void
uplink_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct uplink	*u = w->data;

	(void)loop;
	(void)revents;
	if (u->phase == UPLINK_BACKOFF)
		uplink_open(u);
	else if (u->phase == UPLINK_PEER && u->chan != NULL)
		uplink_virtio_check(u);
	else if (u->phase == UPLINK_HELLO)
		uplink_fail(u, WIRE_BYE_PROTOCOL, "no HELLO from Dom-0 in time");
}

/* ------------------------------------------------------------ frames */
/*
 * Record why the peer is dropped and tell it (BYE, if bye >= 0) while the
 * channel still takes output; the frame handler then returns -1.
 */
static int
uplink_reject(struct uplink *u, int bye, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(u->drop_buf, sizeof(u->drop_buf), fmt, ap);
	va_end(ap);
	u->drop_why = u->drop_buf;
	if (bye >= 0)
		uplink_send_bye(u, bye, u->drop_buf);
	return -1;
}

static int
uplink_on_hello(struct uplink *u, const uint8_t *untrusted, uint32_t len)
{
	struct wire_hello	h;
	const char		*why;

	/* virtio: a HELLO while up comes from a new host end (the guest was
	 * migrated and Dom-0 there connected before the switchover): answer. */
	if (u->phase == UPLINK_UP && strcmp(chan_kind(u->chan), "virtio") == 0) {
		log_info("uplink: HELLO from a new host end: saying HELLO again");
		if (uplink_write_hello(u) == -1)
			return uplink_reject(u, -1, "cannot send HELLO: %s",
			    chan_error(u->chan));
		u->phase = UPLINK_HELLO;
	}
	if (u->phase == UPLINK_UP)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "second HELLO from Dom-0");
	/*
	 * vchan: Dom-0 connected and spoke before we saw it connect (its HELLO
	 * was in the ring with the first event).  Ours still goes first, before
	 * any STATE: HELLO first both ways (PROTOCOL.md).  Seen on real Xen.
	 */
	if (u->phase == UPLINK_PEER) {
		if (uplink_write_hello(u) == -1)
			return uplink_reject(u, -1, "cannot send HELLO: %s",
			    chan_error(u->chan));
		u->phase = UPLINK_HELLO;
	}
	if (wire_sanitize_hello(untrusted, len, &h, &why) == -1)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "invalid HELLO: %s", why);
	/* h is sanitized from here on. */
	if ((u->version = wire_negotiate(&h)) == 0)
		return uplink_reject(u, WIRE_BYE_VERSION, "no common protocol version "
		    "(Dom-0 speaks %u-%u, we %u-%u)", h.version_min, h.version_max,
		    WIRE_VERSION_MIN, WIRE_VERSION);
	ev_timer_stop(u->agent->loop, &u->retry_tm);
	u->phase = UPLINK_UP;
	u->up_since_us = wire_mono_us();
	u->connects++;
	log_info("uplink: up over %s, protocol version %u, Dom-0 runs \"%s\"",
	    chan_kind(u->chan), u->version, h.software);
	ev_timer_set(&u->poll_tm, uplink_poll_interval(u), uplink_poll_interval(u));
	ev_timer_start(u->agent->loop, &u->poll_tm);
	ev_timer_set(&u->hb_tm, u->agent->conf.heartbeat_ms / 1000.0,
	    u->agent->conf.heartbeat_ms / 1000.0);
	ev_timer_start(u->agent->loop, &u->hb_tm);
	/* The first STATE at once, from a fresh read: nothing stale carries over. */
	sources_poll(&u->agent->srcs, 1);
	if (uplink_push(u, 1, 0) == -1)
		return uplink_reject(u, -1, "%s", u->drop_buf);
	return 0;
}

static int
uplink_on_bye(struct uplink *u, const uint8_t *untrusted, uint32_t len)
{
	struct wire_bye	bye;
	const char	*why;

	if (wire_sanitize_bye(untrusted, len, &bye, &why) == -1)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "invalid BYE: %s", why);
	return uplink_reject(u, -1, "Dom-0 said BYE (%s): \"%s\"",
	    wire_bye_name(bye.reason), bye.text);
}

static int
uplink_on_query(struct uplink *u, const uint8_t *untrusted, uint32_t len)
{
	struct wire_query	q;
	struct wire_state	st;
	const char		*why;

	if (wire_sanitize_query(untrusted, len, &q, &why) == -1)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "invalid QUERY: %s", why);
	/* A fresh read of every source, answered at once. */
	sources_poll(&u->agent->srcs, 1);
	sources_aggregate(&u->agent->srcs, &st);
	if (uplink_send_state(u, &st, q.nonce) == -1)
		return uplink_reject(u, -1, "%s", u->drop_buf);
	return 0;
}

static int
uplink_on_migration(struct uplink *u, const uint8_t *untrusted, uint32_t len)
{
	struct wire_migration	m;
	const char		*why;

	if (wire_sanitize_migration(untrusted, len, &m, &why) == -1)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "invalid MIGRATION: %s", why);
	if ((int)m.active == u->migrating)
		return 0;
	u->migrating = m.active;
	log_info("uplink: migration %s: polling every %.1fms", m.active ? "started" :
	    "ended", uplink_poll_interval(u) * 1000);
	ev_timer_stop(u->agent->loop, &u->poll_tm);
	ev_timer_set(&u->poll_tm, uplink_poll_interval(u), uplink_poll_interval(u));
	ev_timer_start(u->agent->loop, &u->poll_tm);
	return 0;
}

/* chan_frame_cb: one flat dispatch; every refusal in one place. */
static int
uplink_frame(void *arg, uint32_t type, const uint8_t *untrusted, uint32_t len)
{
	struct uplink	*u = arg;

	if (!wire_type_allowed(WIRE_ROLE_AGENT, type))
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "frame type 0x%x (%s) not "
		    "accepted from Dom-0", type, wire_type_name(type));
	if (u->phase != UPLINK_UP && type != WIRE_T_HELLO && type != WIRE_T_BYE)
		return uplink_reject(u, WIRE_BYE_PROTOCOL, "%s before HELLO",
		    wire_type_name(type));
	switch (type) {
	case WIRE_T_HELLO:	return uplink_on_hello(u, untrusted, len);
	case WIRE_T_BYE:	return uplink_on_bye(u, untrusted, len);
	case WIRE_T_QUERY:	return uplink_on_query(u, untrusted, len);
	case WIRE_T_MIGRATION:	return uplink_on_migration(u, untrusted, len);
	}
	return uplink_reject(u, WIRE_BYE_PROTOCOL, "unexpected frame type 0x%x", type);
}

static void
uplink_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct uplink	*u = w->data;

	(void)loop;
	if ((revents & EV_WRITE) && chan_flush(u->chan) == -1) {
		uplink_fail(u, -1, chan_error(u->chan));
		return;
	}
	if ((revents & EV_READ) && chan_want_write(u->chan) && chan_flush(u->chan) == -1) {
		uplink_fail(u, -1, chan_error(u->chan));
		return;
	}
	if (revents & EV_READ) {
		u->drop_why = NULL;
		if (chan_read(u->chan, uplink_frame, u) == -1) {
			if (u->drop_why != NULL)
				uplink_fail(u, -1, u->drop_why);
			else
				uplink_fail(u, -1, chan_error(u->chan)[0] ?
				    chan_error(u->chan) : "end of stream");
			return;
		}
		/* A vchan served earlier: Dom-0 has now connected. */
		if (u->phase == UPLINK_PEER && chan_is_open(u->chan) == 1)
			uplink_send_hello(u);
	}
	if (u->chan != NULL)
		uplink_io_update(u);
}
