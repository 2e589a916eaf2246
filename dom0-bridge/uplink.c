/*
 * uplink.c - the agents' channels, Dom-0 side: HELLO and version
 * negotiation, STATE intake, QUERY and MIGRATION out, and dropping a guest
 * that misbehaves (invalid frame, flood, silence) without touching anyone
 * else.  Every frame from a guest is untrusted until a wire_sanitize_*()
 * accepted it.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "migbridge.h"

struct uplink {
	struct uplink	*next, *prev;		/* live list, or the reap list */
	struct chan	*ch;
	ev_io		 rio, wio;
	ev_timer	 hello_timer;
	uint32_t	 domid;			/* known (vchan) or from HELLO */
	struct domain	*dom;			/* bound once HELLO is accepted */
	int		 helloed;
	uint32_t	 version, caps;
	uint64_t	 win_start_us;		/* rate limit: this second's start */
	uint64_t	 win_frames;		/* frames in it */
	int		 bye;			/* peer said BYE: orderly close */
	int		 abandon;		/* chan_abandon, not chan_close */
	int		 closed;		/* on the reap list */
	int		 patient;		/* QEMU chardev: see uplink_patient() */
	char		 drop[160];		/* why the handler stopped reading */
	char		 label[48];
};

static struct uplink	*uplink_live, *uplink_dead;
static ev_prepare	 uplink_reaper;
static ev_io		 uplink_lio;
static int		 uplink_lfd = -1;
static uint64_t		 uplink_nonce;
static unsigned		 uplink_seq;

static void	uplink_read_cb(struct ev_loop *, ev_io *, int);
static void	uplink_write_cb(struct ev_loop *, ev_io *, int);
static int	uplink_bind(struct uplink *, uint32_t);

static void
uplink_unlink(struct uplink **head, struct uplink *up)
{
	if (up->prev)
		up->prev->next = up->next;
	else
		*head = up->next;
	if (up->next)
		up->next->prev = up->prev;
	up->next = up->prev = NULL;
}

static void
uplink_push(struct uplink **head, struct uplink *up)
{
	up->prev = NULL;
	up->next = *head;
	if (*head)
		(*head)->prev = up;
	*head = up;
}

/* Free closed uplinks outside of any of their callbacks. */
static void
uplink_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct uplink	*up;

	(void)loop; (void)w; (void)revents;
	while ((up = uplink_dead) != NULL) {
		uplink_unlink(&uplink_dead, up);
		if (up->abandon)
			chan_abandon(up->ch);
		else
			chan_close(up->ch);
		free(up);
	}
}

/* Watch for writability while output is queued. */
static void
uplink_update(struct uplink *up)
{
	if (chan_want_write(up->ch))
		ev_io_start(bridge->loop, &up->wio);
	else
		ev_io_stop(bridge->loop, &up->wio);
}

/* Send a frame; a channel that does not take it is closed. */
static int
uplink_send(struct uplink *up, uint32_t type, const void *payload, uint32_t len)
{
	if (chan_send(up->ch, type, payload, len) == -1) {
		uplink_close(up, chan_error(up->ch), 0);
		return -1;
	}
	uplink_update(up);
	return 0;
}

static void
uplink_send_hello(struct uplink *up)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];
	struct wire_hello	h;
	size_t			n;

	memset(&h, 0, sizeof(h));
	h.version_min = WIRE_VERSION_MIN;
	h.version_max = WIRE_VERSION;
	h.caps = WIRE_CAP_ALL;
	h.domid = up->domid;
	snprintf(h.software, sizeof(h.software), "migbridge 0.1");
	n = wire_encode_hello(buf, sizeof(buf), &h);
	uplink_send(up, WIRE_T_HELLO, buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE);
}

/* Best effort: tell the peer why it is dropped. */
static void
uplink_send_bye(struct uplink *up, uint32_t reason, const char *text)
{
	uint8_t		buf[WIRE_HDR_SIZE + WIRE_BYE_SIZE];
	struct wire_bye	b;
	size_t		n;

	memset(&b, 0, sizeof(b));
	b.reason = reason;
	snprintf(b.text, sizeof(b.text), "%s", text);
	if ((n = wire_encode_bye(buf, sizeof(buf), &b)) != 0 &&
	    chan_send_frame(up->ch, buf, n) == 0)
		chan_flush(up->ch);
}

static void
uplink_hello_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct uplink	*up = w->data;

	(void)loop; (void)revents;
	uplink_close(up, "no HELLO in time", 1);
}

/*
 * Take over ch.  Returns the uplink, or NULL if out of memory (ch closed).
 * Our HELLO goes out at once; the agent's is awaited for
 * BRIDGE_HELLO_TIMEOUT seconds.
 */
struct uplink *
uplink_new(struct chan *ch, uint32_t domid, const char *label)
{
	struct uplink	*up;

	if ((up = calloc(1, sizeof(*up))) == NULL) {
		log_warn("%s: uplink", label);
		chan_close(ch);
		return NULL;
	}
	up->ch = ch;
	up->domid = domid;
	snprintf(up->label, sizeof(up->label), "%s", label);
	ev_io_init(&up->rio, uplink_read_cb, chan_fd(ch), EV_READ);
	ev_io_init(&up->wio, uplink_write_cb, chan_fd(ch), EV_WRITE);
	up->rio.data = up->wio.data = up;
	ev_timer_init(&up->hello_timer, uplink_hello_timeout_cb, BRIDGE_HELLO_TIMEOUT, 0);
	up->hello_timer.data = up;
	uplink_push(&uplink_live, up);
	if (domid != WIRE_DOMID_NONE && uplink_bind(up, domid) == -1) {
		uplink_close(up, "out of memory", 0);
		return NULL;
	}
	ev_io_start(bridge->loop, &up->rio);
	ev_timer_start(bridge->loop, &up->hello_timer);
	log_debug("%s: agent channel opened (%s)", up->label, chan_kind(ch));
	uplink_send_hello(up);
	return up;
}

static void
uplink_stop(struct uplink *up)
{
	ev_io_stop(bridge->loop, &up->rio);
	ev_io_stop(bridge->loop, &up->wio);
	ev_timer_stop(bridge->loop, &up->hello_timer);
	uplink_unlink(&uplink_live, up);
	uplink_push(&uplink_dead, up);
}

/*
 * Close an uplink (freed later, outside its callbacks).  The domain keeps
 * its last state, marked disconnected; queries waiting on it are answered.
 * reject: the guest misbehaved (counted, logged as a warning).
 */
void
uplink_close(struct uplink *up, const char *why, int reject)
{
	struct domain	*d = up->dom;

	if (up->closed)
		return;
	up->closed = 1;
	if (reject) {
		bridge->rejects++;
		if (d)
			d->rejects++;
		log_warnx("%s: dropping agent channel: %s", up->label, why);
	} else
		log_info("%s: agent channel closed: %s", up->label, why);
	uplink_stop(up);
	if (d && d->up == up) {
		d->up = NULL;
		d->quiet_us = wire_mono_us();
		d->state_live = 0;
		query_agent_lost(d);
	}
	up->dom = NULL;
}

void
uplink_patient(struct uplink *up)
{
	up->patient = 1;
	ev_timer_stop(bridge->loop, &up->hello_timer);
}

void
uplink_abandon(struct uplink *up, const char *why)
{
	up->abandon = 1;
	uplink_close(up, why, 0);
}

/*
 * Stop reading with a reason; returns -1 for the frame handler.  The BYE
 * goes out now: once the handler stopped it, the chan refuses to send.
 */
static int __attribute__((format(printf, 2, 3)))
uplink_reject(struct uplink *up, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(up->drop, sizeof(up->drop), fmt, ap);
	va_end(ap);
	uplink_send_bye(up, WIRE_BYE_PROTOCOL, up->drop);
	return -1;
}

/*
 * Attach up to the domain domid (a vchan's at once, a unix agent's at its
 * HELLO); a live channel of the same domain is replaced.  0, or -1 if out
 * of memory.
 */
static int
uplink_bind(struct uplink *up, uint32_t domid)
{
	struct domain	*d;

	if ((d = domain_get(domid)) == NULL)
		return -1;
	if (d->up != NULL && d->up != up)
		uplink_close(d->up, "replaced by a new channel for the same domain", 0);
	snprintf(up->label, sizeof(up->label), "domain %u", domid);
	up->domid = domid;
	up->dom = d;
	d->up = up;
	d->gone = 0;
	d->channels++;
	return 0;
}

/* HELLO: negotiate, then bind the channel to its domain. */
static int
uplink_hello(struct uplink *up, const uint8_t *untrusted, uint32_t len)
{
	struct wire_hello	h;
	struct domain		*d;
	const char		*why;
	uint32_t		 v;

	if (up->helloed)
		return uplink_reject(up, "second HELLO");
	if (wire_sanitize_hello(untrusted, len, &h, &why) == -1)
		return uplink_reject(up, "%s", why);
	if ((v = wire_negotiate(&h)) == 0) {
		uplink_send_bye(up, WIRE_BYE_VERSION, "no common protocol version");
		snprintf(up->drop, sizeof(up->drop), "no common version (agent speaks %u-%u)",
		    h.version_min, h.version_max);
		return -1;
	}
	if (up->dom == NULL && h.domid == WIRE_DOMID_NONE)
		return uplink_reject(up, "HELLO names no domain");
	/*
	 * A unix agent names its domain: while another agent holds it and
	 * keeps its state fresh, the newcomer is the mistake (two agents
	 * configured with one domid would otherwise replace each other at
	 * every reconnection).  A holder gone quiet is replaced.
	 */
	if (up->dom == NULL && (d = domain_find(h.domid)) != NULL && d->up != NULL &&
	    d->up != up && d->state_live &&
	    wire_mono_us() - d->state_us < bridge->conf.stale_after_ms * 1000) {
		return uplink_reject(up, "agent \"%s\" refused: domain %u already has a "
		    "live agent (\"%s\")", h.name, h.domid, d->name);
	}
	if (up->dom == NULL && uplink_bind(up, h.domid) == -1)
		return uplink_reject(up, "out of memory");
	d = up->dom;
	up->helloed = 1;
	up->version = v;
	up->caps = h.caps;
	memcpy(d->name, h.name, sizeof(d->name));
	memcpy(d->software, h.software, sizeof(d->software));
	ev_timer_stop(bridge->loop, &up->hello_timer);
	log_info("%s: agent \"%s\" (%s) connected over %s, protocol %u",
	    up->label, d->name, d->software, chan_kind(up->ch), v);
	if (domain_migrating(d))
		uplink_migration(up, 1);
	return 0;
}

static int
uplink_state(struct uplink *up, const uint8_t *untrusted, uint32_t len)
{
	struct domain		*d = up->dom;
	struct wire_state	 s;
	const char		*why;

	if (wire_sanitize_state(untrusted, len, &s, &why) == -1)
		return uplink_reject(up, "%s", why);
	d->state = s;
	d->have_state = d->state_live = 1;
	d->state_us = wire_mono_us();
	log_debug("%s: STATE seq %llu total %u unsuitable %u nonce %llu", up->label,
	    (unsigned long long)d->state.seq, d->state.total, d->state.unsuitable,
	    (unsigned long long)d->state.nonce);
	if (d->state.nonce != 0)
		query_state_arrived(d, d->state.nonce);
	return 0;
}

static int
uplink_bye(struct uplink *up, const uint8_t *untrusted, uint32_t len)
{
	struct wire_bye	b;
	const char	*why;

	if (wire_sanitize_bye(untrusted, len, &b, &why) == -1)
		return uplink_reject(up, "%s", why);
	snprintf(up->drop, sizeof(up->drop), "agent said BYE (%s%s%s)",
	    wire_bye_name(b.reason), b.text[0] ? ": " : "", b.text);
	up->bye = 1;
	return -1;
}

/* Rate limit: more than max_frame_rate frames in a second drops the guest. */
static int
uplink_rate_ok(struct uplink *up)
{
	uint64_t	now = wire_mono_us();

	if (now - up->win_start_us >= 1000000) {
		up->win_start_us = now;
		up->win_frames = 0;
	}
	return ++up->win_frames <= bridge->conf.max_frame_rate;
}

/* chan_frame_cb: one frame from the agent; -1 drops it (reason in up->drop). */
static int
uplink_frame(void *arg, uint32_t type, const uint8_t *untrusted, uint32_t len)
{
	struct uplink	*up = arg;
	int		 rc;

	if (up->closed)
		return -1;
	if (!uplink_rate_ok(up))
		return uplink_reject(up, "more than %llu frames/s",
		    (unsigned long long)bridge->conf.max_frame_rate);
	if (!wire_type_allowed(WIRE_ROLE_BRIDGE, type))
		return uplink_reject(up, "frame type 0x%x not allowed", type);
	if (!up->helloed && type == WIRE_T_STATE && up->patient)
		return 0;
	if (!up->helloed && type != WIRE_T_HELLO)
		return uplink_reject(up, "%s before HELLO", wire_type_name(type));
	switch (type) {
	case WIRE_T_HELLO:	rc = uplink_hello(up, untrusted, len); break;
	case WIRE_T_STATE:	rc = uplink_state(up, untrusted, len); break;
	case WIRE_T_BYE:	rc = uplink_bye(up, untrusted, len); break;
	default:		rc = uplink_reject(up, "unexpected %s", wire_type_name(type));
	}
	if (rc == 0 && up->dom)
		up->dom->frames++;
	return rc;
}

static void
uplink_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct uplink	*up = w->data;

	(void)loop; (void)revents;
	up->drop[0] = '\0';
	if (chan_read(up->ch, uplink_frame, up) == 0) {
		if (!up->closed)
			uplink_update(up);
		return;
	}
	if (up->closed)
		return;
	if (up->bye)
		uplink_close(up, up->drop, 0);
	else if (up->drop[0])
		uplink_close(up, up->drop, 1);
	else if (!strcmp(chan_error(up->ch), "peer closed the connection"))
		uplink_close(up, chan_error(up->ch), 0);
	else
		uplink_close(up, chan_error(up->ch), 1);
}

static void
uplink_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct uplink	*up = w->data;

	(void)loop; (void)revents;
	if (chan_flush(up->ch) == -1)
		uplink_close(up, chan_error(up->ch), 0);
	else
		uplink_update(up);
}

/*
 * Ask the agent for a fresh STATE.  Returns the QUERY's nonce, or 0 if the
 * agent cannot answer (no HELLO yet, no WIRE_CAP_QUERY, send failed: the
 * uplink may then be closed).
 */
uint64_t
uplink_query(struct uplink *up)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_QUERY_SIZE];
	struct wire_query	q;
	size_t			n;

	if (up->closed || !up->helloed || !(up->caps & WIRE_CAP_QUERY))
		return 0;
	if (++uplink_nonce == 0)
		uplink_nonce = 1;
	q.nonce = uplink_nonce;
	n = wire_encode_query(buf, sizeof(buf), &q);
	if (uplink_send(up, WIRE_T_QUERY, buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE) == -1)
		return 0;
	log_debug("%s: QUERY nonce %llu", up->label, (unsigned long long)q.nonce);
	return q.nonce;
}

void
uplink_migration(struct uplink *up, int active)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_MIGRATION_SIZE];
	struct wire_migration	m = { .active = active ? 1 : 0 };
	size_t			n;

	if (up->closed || !up->helloed || !(up->caps & WIRE_CAP_MIGRATION))
		return;
	n = wire_encode_migration(buf, sizeof(buf), &m);
	if (uplink_send(up, WIRE_T_MIGRATION, buf + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE) == 0)
		log_info("%s: migration %s", up->label, active ? "started" : "ended");
}

static void
uplink_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct chan	*ch;
	char		 err[128], label[48];

	(void)loop; (void)w; (void)revents;
	if ((ch = chan_unix_accept(uplink_lfd, err, sizeof(err))) == NULL) {
		log_debug("agent socket: %s", err);
		return;
	}
	snprintf(label, sizeof(label), "agent connection #%u", ++uplink_seq);
	uplink_new(ch, WIRE_DOMID_NONE, label);
}

/* Start the reaper; in unix mode listen on agent_socket (fatal if it can't). */
void
uplink_listen(void)
{
	char	err[256];

	ev_prepare_init(&uplink_reaper, uplink_reap_cb);
	ev_prepare_start(bridge->loop, &uplink_reaper);
	uplink_nonce = ((uint64_t)getpid() << 32) ^ wire_mono_us();
	if (bridge->conf.mode != BRIDGE_MODE_UNIX)
		return;
	uplink_lfd = chan_unix_listen(bridge->conf.agent_socket, err, sizeof(err));
	if (uplink_lfd == -1)
		fatalx("agent socket %s: %s", bridge->conf.agent_socket, err);
	ev_io_init(&uplink_lio, uplink_accept_cb, uplink_lfd, EV_READ);
	ev_io_start(bridge->loop, &uplink_lio);
	log_info("listening for agents on %s", bridge->conf.agent_socket);
}

/* Close every channel (BYE NORMAL first) and the listening socket. */
void
uplink_shutdown(void)
{
	while (uplink_live != NULL) {
		if (uplink_live->helloed)
			uplink_send_bye(uplink_live, WIRE_BYE_NORMAL, "migbridge exits");
		uplink_close(uplink_live, "migbridge exits", 0);
	}
	uplink_reap_cb(bridge->loop, &uplink_reaper, 0);
	if (uplink_lfd != -1) {
		ev_io_stop(bridge->loop, &uplink_lio);
		close(uplink_lfd);
		unlink(bridge->conf.agent_socket);
		uplink_lfd = -1;
	}
}
