/*
 * query.c - the query socket (root only, mode 0600): the precopy hook's
 * DOMAIN-QUERY and MIGRATION-END, migbridge-ctl's LIST and STATUS.
 *
 * Each client is served in order, one request at a time: while a
 * DOMAIN-QUERY waits (at most query_timeout) for the agent's fresh STATE,
 * or a long LIST drains, that client's further frames wait in a small
 * backlog and its socket is not read.  Nothing a client does blocks
 * another: sockets are non-blocking and a client that does not read its
 * answers is dropped when its output queue is full.
 */
#include <sys/stat.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "migbridge.h"

#define QUERY_BACKLOG	8			/* pipelined requests kept */
#define QUERY_REQ_MAX	WIRE_DOMAIN_QUERY_SIZE	/* largest request payload */

struct qframe {
	uint32_t	 type, len;
	uint8_t		 buf[QUERY_REQ_MAX];
};

struct qclient {
	struct qclient	*next, *prev;		/* live list, or reap list */
	struct chan	*ch;
	ev_io		 rio, wio;
	unsigned	 id;
	int		 dead;			/* on the reap list */
	int		 closing;		/* close once output is flushed */
	/* A DOMAIN-QUERY waiting for a fresh STATE. */
	int		 waiting;
	struct domain	*wdom;
	struct qclient	*wnext;			/* in wdom->waiting */
	uint64_t	 wnonce;
	struct wire_domain_query wq;
	ev_timer	 wtimer;
	/* A LIST being sent. */
	uint32_t	*list;
	unsigned	 list_n, list_i, list_sent;
	struct qframe	 backlog[QUERY_BACKLOG];
	unsigned	 nbacklog;
};

static struct qclient	*query_live, *query_dead;
static ev_io		 query_lio;
static ev_prepare	 query_reaper;
static int		 query_lfd = -1;
static unsigned		 query_seq;

static void	query_read_cb(struct ev_loop *, ev_io *, int);
static void	query_write_cb(struct ev_loop *, ev_io *, int);
static int	query_dispatch(struct qclient *, uint32_t, const uint8_t *, uint32_t);
static void	query_resume(struct qclient *);

static void
query_unlink(struct qclient **head, struct qclient *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void
query_push(struct qclient **head, struct qclient *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void
query_unwait(struct qclient *c)
{
	struct qclient	**pp;

	if (!c->waiting)
		return;
	for (pp = &c->wdom->waiting; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == c) {
			*pp = c->wnext;
			break;
		}
	ev_timer_stop(bridge->loop, &c->wtimer);
	c->waiting = 0;
	c->wdom = NULL;
	c->wnext = NULL;
}

/* Drop a client now; freed by the reaper, outside its callbacks. */
static void
query_kill(struct qclient *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("query client #%u: closed: %s", c->id, why);
	c->dead = 1;
	query_unwait(c);
	ev_io_stop(bridge->loop, &c->rio);
	ev_io_stop(bridge->loop, &c->wio);
	query_unlink(&query_live, c);
	query_push(&query_dead, c);
}

static void
query_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct qclient	*c;

	(void)loop; (void)w; (void)revents;
	while ((c = query_dead) != NULL) {
		query_unlink(&query_dead, c);
		chan_close(c->ch);
		free(c->list);
		free(c);
	}
}

/* Watchers follow the state: write while output is queued, read when idle. */
static void
query_update(struct qclient *c)
{
	if (c->dead)
		return;
	if (chan_want_write(c->ch))
		ev_io_start(bridge->loop, &c->wio);
	else {
		ev_io_stop(bridge->loop, &c->wio);
		if (c->closing) {
			query_kill(c, "after ERROR");
			return;
		}
	}
	if (c->waiting || c->list || c->closing)
		ev_io_stop(bridge->loop, &c->rio);
	else
		ev_io_start(bridge->loop, &c->rio);
}

/* Queue an encoded frame; a client that does not read is dropped. */
static int
query_send(struct qclient *c, const uint8_t *frame, size_t len)
{
	if (c->dead)
		return -1;
	if (len == 0 || chan_send_frame(c->ch, frame, len) == -1) {
		query_kill(c, len ? chan_error(c->ch) : "encoding failed");
		return -1;
	}
	return 0;
}

/* Answer ERROR and close; returns -1 for the frame handler. */
static int
query_error(struct qclient *c, uint32_t code, const char *text)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_ERROR_SIZE];
	struct wire_error	e;

	log_warnx("query client #%u: %s", c->id, text);
	memset(&e, 0, sizeof(e));
	e.code = code;
	snprintf(e.text, sizeof(e.text), "%s", text);
	query_send(c, buf, wire_encode_error(buf, sizeof(buf), &e));
	c->closing = 1;
	return -1;
}

/* The decision log line (and a log_info twin) for one VERDICT. */
void
query_log_verdict(const struct wire_domain_query *dq, const struct wire_verdict *v)
{
	char		 line[512], age[24];
	const uint32_t	*r = v->reasons;

	if (v->state_age_us == WIRE_AGE_NONE)
		snprintf(age, sizeof(age), "-1");
	else
		snprintf(age, sizeof(age), "%" PRIu64, v->state_age_us);
	snprintf(line, sizeof(line), "domid=%u mig=%" PRIx64 " iter=%u dirty=%" PRId64
	    " stock=%s verdict=%s reason=%s total=%u unsuitable=%u tolerance=%u"
	    " deferrals=%u age_us=%s new=%u reading=%u processing=%u"
	    " writing_small=%u handshake=%u auth=%u idle=%u writing_large=%u",
	    dq->domid, dq->migration_id, dq->iteration, dq->dirty_count,
	    policy_decision_name(dq->stock), policy_decision_name(v->decision),
	    wire_vreason_name(v->vreason), v->total, v->unsuitable, v->tolerance,
	    v->deferrals, age, r[WIRE_R_NEW], r[WIRE_R_READING], r[WIRE_R_PROCESSING],
	    r[WIRE_R_WRITING_SMALL], r[WIRE_R_HANDSHAKE], r[WIRE_R_AUTH], r[WIRE_R_IDLE],
	    r[WIRE_R_WRITING_LARGE]);
	log_info("verdict %s", line);
	if (bridge->dlog)
		fprintf(bridge->dlog, "t=%" PRIu64 " %s\n", bridge_unix_ms(), line);
}

static int
query_failopen(uint32_t vreason)
{
	return vreason == WIRE_VR_NO_AGENT || vreason == WIRE_VR_STALE ||
	    vreason == WIRE_VR_ERROR || vreason == WIRE_VR_DISABLED;
}

/* Decide for dq from what the domain table holds now, and answer. */
static void
query_verdict(struct qclient *c, const struct wire_domain_query *dq)
{
	uint8_t			 buf[WIRE_HDR_SIZE + WIRE_VERDICT_SIZE];
	struct domain		*d;
	struct migration	*m;
	struct policy_input	 in;
	struct policy_output	 out;
	struct wire_verdict	 v;
	uint64_t		 now = wire_mono_us();
	int			 isnew;

	memset(&in, 0, sizeof(in));
	memset(&v, 0, sizeof(v));
	if ((d = domain_get(dq->domid)) == NULL) {
		query_error(c, ENOMEM, "out of memory");
		return;
	}
	m = domain_migration(d, dq->migration_id, &isnew);
	m->last_use_us = now;
	in.stock = dq->stock;
	in.have_state = d->up != NULL && d->state_live;
	in.age_us = domain_state_age(d, now);
	in.unsuitable = d->have_state ? d->state.unsuitable : 0;
	in.iteration = dq->iteration;
	in.deferrals = m->deferrals;
	in.deferred_us = m->deferrals ? now - m->first_defer_us : 0;
	policy_decide(&bridge->conf.policy, &in, &out);
	if (out.vreason == WIRE_VR_DEFER && m->deferrals++ == 0)
		m->first_defer_us = now;
	v.migration_id = dq->migration_id;
	v.decision = out.decision;
	v.vreason = out.vreason;
	v.total = d->have_state ? d->state.total : 0;
	v.unsuitable = in.unsuitable;
	v.tolerance = out.tolerance;
	v.deferrals = m->deferrals;
	v.state_age_us = in.age_us;
	v.deferred_us = m->deferrals ? now - m->first_defer_us : 0;
	domain_reasons(d, v.reasons);
	bridge->queries++;
	bridge->failopen += query_failopen(v.vreason);
	d->verdicts[v.vreason]++;
	d->last_decision = v.decision;
	d->last_vreason = v.vreason;
	query_log_verdict(dq, &v);
	query_send(c, buf, wire_encode_verdict(buf, sizeof(buf), &v));
}

static void
query_wait_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct qclient	*c = w->data;

	(void)loop; (void)revents;
	log_debug("domain %u: no fresh STATE within %llu ms, answering from cache",
	    c->wq.domid, (unsigned long long)bridge->conf.query_timeout_ms);
	query_unwait(c);
	query_verdict(c, &c->wq);
	query_resume(c);
}

/*
 * DOMAIN-QUERY: the first one of a migration tells the agent (MIGRATION
 * active); with WIRE_DQ_FRESH and a live agent, ask it for a fresh STATE
 * and answer when it comes or at query_timeout, else answer now.
 */
static int
query_domain_query(struct qclient *c, const uint8_t *payload, uint32_t len)
{
	struct wire_domain_query dq;
	struct migration	*m;
	struct domain		*d;
	const char		*why;
	int			 isnew;

	if (wire_sanitize_domain_query(payload, len, &dq, &why) == -1)
		return query_error(c, EINVAL, why);
	if ((d = domain_get(dq.domid)) == NULL)
		return query_error(c, ENOMEM, "out of memory");
	m = domain_migration(d, dq.migration_id, &isnew);
	m->last_use_us = wire_mono_us();
	if (isnew && d->up)
		uplink_migration(d->up, 1);
	if ((dq.flags & WIRE_DQ_FRESH) && d->up && (c->wnonce = uplink_query(d->up))) {
		c->wq = dq;
		c->waiting = 1;
		c->wdom = d;
		c->wnext = d->waiting;
		d->waiting = c;
		ev_timer_set(&c->wtimer, bridge->conf.query_timeout_ms / 1000.0, 0);
		ev_timer_start(bridge->loop, &c->wtimer);
		return 0;
	}
	query_verdict(c, &dq);
	return 0;
}

/* MIGRATION-END: no answer; log it and forget the migration. */
static int
query_migration_end(struct qclient *c, const uint8_t *payload, uint32_t len)
{
	struct wire_migration_end me;
	struct domain		*d;
	const char		*why;
	uint32_t		 deferrals = 0;
	char			 line[160];

	if (wire_sanitize_migration_end(payload, len, &me, &why) == -1)
		return query_error(c, EINVAL, why);
	if ((d = domain_find(me.domid)) != NULL) {
		deferrals = domain_migration_end(d, me.migration_id);
		if (d->up && !domain_migrating(d))
			uplink_migration(d->up, 0);
	}
	snprintf(line, sizeof(line), "domid=%u mig=%" PRIx64 " end result=%d deferrals=%u",
	    me.domid, me.migration_id, me.result, deferrals);
	log_info("migration %s", line);
	if (bridge->dlog)
		fprintf(bridge->dlog, "t=%" PRIu64 " %s\n", bridge_unix_ms(), line);
	return 0;
}

/* Send DOMAIN-INFOs until the socket is full; LIST-END when all went. */
static void
query_list_pump(struct qclient *c)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_DOMAIN_INFO_SIZE];
	struct wire_domain_info	di;
	struct wire_list_end	le;
	struct domain		*d;
	uint64_t		now = wire_mono_us();

	while (c->list_i < c->list_n && !chan_want_write(c->ch) && !c->dead) {
		if ((d = domain_find(c->list[c->list_i++])) == NULL)
			continue;
		domain_info(d, now, &di);
		if (query_send(c, buf, wire_encode_domain_info(buf, sizeof(buf), &di)) == 0)
			c->list_sent++;
	}
	if (c->list_i < c->list_n || c->dead)
		return;
	le.count = c->list_sent;
	free(c->list);
	c->list = NULL;
	query_send(c, buf, wire_encode_list_end(buf, sizeof(buf), &le));
	query_resume(c);
}

static int
query_list(struct qclient *c, const uint8_t *payload, uint32_t len)
{
	const char	*why;

	if (wire_sanitize_empty(payload, len, &why) == -1)
		return query_error(c, EINVAL, why);
	c->list_n = domain_ids(&c->list);
	c->list_i = c->list_sent = 0;
	if (c->list == NULL && c->list_n > 0)
		return query_error(c, ENOMEM, "out of memory");
	if (c->list == NULL && (c->list = malloc(sizeof(uint32_t))) == NULL)
		return query_error(c, ENOMEM, "out of memory");
	query_list_pump(c);
	return 0;
}

static int
query_status(struct qclient *c, const uint8_t *payload, uint32_t len)
{
	uint8_t			  buf[WIRE_HDR_SIZE + WIRE_BRIDGE_STATUS_SIZE];
	struct wire_bridge_status s;
	const char		 *why;
	unsigned		  connected;

	if (wire_sanitize_empty(payload, len, &why) == -1)
		return query_error(c, EINVAL, why);
	memset(&s, 0, sizeof(s));
	s.uptime_us = wire_mono_us() - bridge->start_us;
	s.queries = bridge->queries;
	s.failopen = bridge->failopen;
	s.rejects = bridge->rejects;
	s.domains = domain_count(&connected);
	s.connected = connected;
	s.mode = bridge->conf.mode;
	s.version = WIRE_VERSION;
	query_send(c, buf, wire_encode_bridge_status(buf, sizeof(buf), &s));
	return 0;
}

/* QEMU mode's MIGRATE and MIGRATE-STATUS, answered at once by qemu.c
 * (an ERROR closes, as query_error does). */
static int
query_qemu(struct qclient *c, uint32_t type, const uint8_t *payload, uint32_t len)
{
	uint8_t	buf[WIRE_HDR_SIZE + WIRE_MIGRATE_INFO_SIZE + WIRE_ERROR_SIZE];
	size_t	n = qemu_query(type, payload, len, buf, sizeof(buf));

	query_send(c, buf, n);
	if (n >= WIRE_HDR_SIZE && buf[0] == (WIRE_T_ERROR & 0xff) &&
	    buf[1] == (WIRE_T_ERROR >> 8)) {
		log_warnx("query client #%u: %s", c->id, wire_type_name(type));
		c->closing = 1;
		return -1;
	}
	return 0;
}

static int
query_dispatch(struct qclient *c, uint32_t type, const uint8_t *payload, uint32_t len)
{
	char	text[64];

	if (!wire_type_allowed(WIRE_ROLE_QSERVER, type)) {
		snprintf(text, sizeof(text), "frame type 0x%x not allowed", type);
		return query_error(c, EPROTO, text);
	}
	switch (type) {
	case WIRE_T_DOMAIN_QUERY:	return query_domain_query(c, payload, len);
	case WIRE_T_MIGRATION_END:	return query_migration_end(c, payload, len);
	case WIRE_T_LIST:		return query_list(c, payload, len);
	case WIRE_T_STATUS:		return query_status(c, payload, len);
	case WIRE_T_MIGRATE:
	case WIRE_T_MIGRATE_STATUS:	return query_qemu(c, type, payload, len);
	default:			return query_error(c, EPROTO, "unexpected frame");
	}
}

/* chan_frame_cb: a request; kept in the backlog while one is in progress. */
static int
query_frame(void *arg, uint32_t type, const uint8_t *payload, uint32_t len)
{
	struct qclient	*c = arg;
	struct qframe	*f;

	if (c->dead || c->closing)
		return -1;
	if (!c->waiting && c->list == NULL && c->nbacklog == 0)
		return query_dispatch(c, type, payload, len);
	if (c->nbacklog == QUERY_BACKLOG || len > QUERY_REQ_MAX)
		return query_error(c, EBUSY, "too many requests in flight");
	f = &c->backlog[c->nbacklog++];
	f->type = type;
	f->len = len;
	memcpy(f->buf, payload, len);
	return 0;
}

/* The request in progress is done: run the backlog, then read again. */
static void
query_resume(struct qclient *c)
{
	struct qframe	f;

	while (!c->dead && !c->closing && !c->waiting && c->list == NULL &&
	    c->nbacklog > 0) {
		f = c->backlog[0];
		memmove(&c->backlog[0], &c->backlog[1], --c->nbacklog * sizeof(f));
		query_dispatch(c, f.type, f.buf, f.len);
	}
	query_update(c);
}

static void
query_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct qclient	*c = w->data;

	(void)loop; (void)revents;
	if (chan_read(c->ch, query_frame, c) == -1 && !c->closing) {
		query_kill(c, chan_error(c->ch));
		return;
	}
	query_update(c);
}

static void
query_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct qclient	*c = w->data;

	(void)loop; (void)revents;
	if (chan_flush(c->ch) == -1) {
		query_kill(c, chan_error(c->ch));
		return;
	}
	if (c->list && !chan_want_write(c->ch))
		query_list_pump(c);
	query_update(c);
}

static void
query_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct qclient	*c;
	struct chan	*ch;
	char		 err[128];

	(void)loop; (void)w; (void)revents;
	if ((ch = chan_unix_accept(query_lfd, err, sizeof(err))) == NULL) {
		log_debug("query socket: %s", err);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("query client");
		chan_close(ch);
		return;
	}
	c->ch = ch;
	c->id = ++query_seq;
	ev_io_init(&c->rio, query_read_cb, chan_fd(ch), EV_READ);
	ev_io_init(&c->wio, query_write_cb, chan_fd(ch), EV_WRITE);
	ev_timer_init(&c->wtimer, query_wait_timeout_cb, 0, 0);
	c->rio.data = c->wio.data = c->wtimer.data = c;
	/* Verdicts first: a burst of agent frames must not delay the hook. */
	ev_set_priority(&c->rio, EV_MAXPRI);
	ev_set_priority(&c->wio, EV_MAXPRI);
	ev_set_priority(&c->wtimer, EV_MAXPRI);
	query_push(&query_live, c);
	ev_io_start(bridge->loop, &c->rio);
}

/* A STATE answering QUERY nonce arrived for d: answer who waited for it. */
void
query_state_arrived(struct domain *d, uint64_t nonce)
{
	struct qclient	*c;

	for (;;) {
		for (c = d->waiting; c != NULL && c->wnonce != nonce; c = c->wnext)
			;
		if (c == NULL)
			return;
		query_unwait(c);
		query_verdict(c, &c->wq);
		query_resume(c);
	}
}

/* d's agent channel closed: nothing fresh will come, answer from cache. */
void
query_agent_lost(struct domain *d)
{
	struct qclient	*c;

	while ((c = d->waiting) != NULL) {
		query_unwait(c);
		query_verdict(c, &c->wq);
		query_resume(c);
	}
}

/* Listen on query_socket, mode 0600 (fatal if it can't). */
void
query_listen(void)
{
	char	err[256];
	mode_t	old;

	ev_prepare_init(&query_reaper, query_reap_cb);
	ev_prepare_start(bridge->loop, &query_reaper);
	old = umask(077);
	query_lfd = chan_unix_listen(bridge->conf.query_socket, err, sizeof(err));
	umask(old);
	if (query_lfd == -1)
		fatalx("query socket %s: %s", bridge->conf.query_socket, err);
	if (chmod(bridge->conf.query_socket, 0600) == -1)
		fatal("chmod %s", bridge->conf.query_socket);
	ev_io_init(&query_lio, query_accept_cb, query_lfd, EV_READ);
	ev_set_priority(&query_lio, EV_MAXPRI);
	ev_io_start(bridge->loop, &query_lio);
	log_info("answering queries on %s", bridge->conf.query_socket);
}

void
query_shutdown(void)
{
	while (query_live != NULL)
		query_kill(query_live, "migbridge exits");
	query_reap_cb(bridge->loop, &query_reaper, 0);
	if (query_lfd != -1) {
		ev_io_stop(bridge->loop, &query_lio);
		close(query_lfd);
		unlink(bridge->conf.query_socket);
		query_lfd = -1;
	}
}
