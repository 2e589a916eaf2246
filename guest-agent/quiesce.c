/*
 * quiesce.c - keeping the uplink alive across migrations (ARCHITECTURE.md,
 * "The vchan across a migration"; docs/quiesce.md has the sequence).
 *
 * Closing a vchan after the guest was migrated hits a guest kernel BUG, so
 * the channel is closed before the stop, on the precopy hook's request
 * through xenstore (data/migbridge/quiesce = 1), and served anew after the
 * resume (domid changed) or when the migration did not happen (quiesce
 * back to 0, or a timeout).  A domid change while the channel is still
 * open means the host has no migstate hook: the old channel is abandoned,
 * never closed.
 *
 * The state machine is pure: it acts only through its ops table, so the
 * unit test drives it with fakes.  The xenstore glue below feeds it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"

const char *
quiesce_state_name(enum quiesce_state s)
{
	return s == QUIESCE_SERVING ? "serving" : s == QUIESCE_QUIESCED ? "quiesced" : "?";
}

void
quiesce_init(struct quiesce *q, const struct quiesce_ops *ops, void *arg, long domid)
{
	memset(q, 0, sizeof(*q));
	q->state = QUIESCE_SERVING;
	q->ops = ops;
	q->arg = arg;
	q->domid = domid;
}

/*
 * Enter SERVING: a fresh channel, and the keys the hook looks at.  quiesce
 * is reset to 0 first, so that a stale 1 (a timeout, a hook that died) is
 * not taken for a new request.
 */
static void
quiesce_serve(struct quiesce *q)
{
	q->ops->timer(q->arg, 0);
	q->state = QUIESCE_SERVING;
	q->ops->write_key(q->arg, MIGXS_QUIESCE, "0");
	q->ops->serve_chan(q->arg);
	q->ops->write_key(q->arg, MIGXS_STATE, MIGXS_STATE_SERVING);
}

void
quiesce_start(struct quiesce *q)
{
	quiesce_serve(q);
}

void
quiesce_on_quiesce(struct quiesce *q, int value)
{
	if (value == 1 && q->state == QUIESCE_SERVING) {
		log_info("domain %ld: quiesce requested: last STATE, closing the uplink",
		    q->domid);
		q->quiesces++;
		q->ops->send_last_state(q->arg);
		q->ops->close_chan(q->arg);
		q->state = QUIESCE_QUIESCED;
		q->ops->write_key(q->arg, MIGXS_STATE, MIGXS_STATE_QUIESCED);
		q->ops->timer(q->arg, 1);
	} else if (value == 0 && q->state == QUIESCE_QUIESCED) {
		/* The migration failed or was cancelled: same domain, serve again. */
		log_info("domain %ld: quiesce cleared: serving again", q->domid);
		q->resumes++;
		quiesce_serve(q);
	}
	/* Otherwise nothing to do: the watch fires on registration and on our writes. */
}

void
quiesce_on_domid(struct quiesce *q, long domid)
{
	long	old = q->domid;

	if (domid < 0 || domid == old)
		return;
	q->domid = domid;
	if (q->state == QUIESCE_QUIESCED) {
		log_info("domain %ld: resumed as domain %ld after migration: serving anew",
		    old, domid);
		q->resumes++;
	} else {
		log_warnx("domain %ld: now domain %ld with the uplink still open: the host "
		    "lacks migstate's precopy hook; abandoning the old channel (never "
		    "closed: a guest kernel BUG) and serving anew", old, domid);
		q->abandons++;
		q->ops->abandon_chan(q->arg);
	}
	quiesce_serve(q);
}

void
quiesce_on_timeout(struct quiesce *q)
{
	if (q->state != QUIESCE_QUIESCED)
		return;
	log_warnx("domain %ld: quiesced and neither resumed nor cleared within the "
	    "quiesce timeout: serving again", q->domid);
	q->timeouts++;
	quiesce_serve(q);
}

/* ------------------------------------------------------------ xenstore glue */
#define QX_TOKEN_QUIESCE	"migstate-quiesce"
#define QX_TOKEN_DOMID		"migstate-domid"

/* A key's value as a number: digits with optional surrounding blanks. */
static long
quiesce_xs_number(struct migxs *xs, const char *path)
{
	char	 buf[MIGXS_VALUE_MAX], *p, *end;
	long	 v;

	if (migxs_read(xs, path, buf, sizeof(buf)) == -1)
		return -1;
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtol(p, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

long
quiesce_xs_domid(struct migxs *xs)
{
	long	id = quiesce_xs_number(xs, MIGXS_DOMID);

	return id >= 0 ? id : migxs_self_domid(xs);
}

static void
quiesce_xs_event(struct quiesce_xs *qx, const char *token)
{
	long	v;

	if (!strcmp(token, QX_TOKEN_QUIESCE)) {
		/* Absent (the tree was recreated by a migration) or garbage: not a request. */
		if ((v = quiesce_xs_number(qx->xs, MIGXS_QUIESCE)) == 0 || v == 1)
			quiesce_on_quiesce(qx->q, (int)v);
	} else if (!strcmp(token, QX_TOKEN_DOMID)) {
		if ((v = quiesce_xs_number(qx->xs, MIGXS_DOMID)) >= 0)
			quiesce_on_domid(qx->q, v);
	}
}

static void
quiesce_xs_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct quiesce_xs	*qx = w->data;
	char			 path[256], token[64];
	int			 n, rc;

	(void)revents;
	/* Bounded: a flood of events must not starve the uplink. */
	for (n = 0; n < 64; n++) {
		rc = migxs_next_event(qx->xs, path, sizeof(path), token, sizeof(token));
		if (rc == 0)
			break;
		if (rc == -1) {
			log_warn("xenstore: reading watch events");
			break;
		}
		quiesce_xs_event(qx, token);
	}
	if (n == 64)
		ev_feed_event(loop, w, EV_READ);	/* the rest on the next turn */
}

int
quiesce_xs_start(struct quiesce_xs *qx, struct ev_loop *loop, struct migxs *xs,
    struct quiesce *q)
{
	memset(qx, 0, sizeof(*qx));
	qx->xs = xs;
	qx->q = q;
	qx->loop = loop;
	if (migxs_watch(xs, MIGXS_QUIESCE, QX_TOKEN_QUIESCE) == -1 ||
	    migxs_watch(xs, MIGXS_DOMID, QX_TOKEN_DOMID) == -1) {
		log_warn("xenstore: cannot watch %s and %s", MIGXS_QUIESCE, MIGXS_DOMID);
		return -1;
	}
	ev_io_init(&qx->io, quiesce_xs_cb, migxs_fd(xs), EV_READ);
	qx->io.data = qx;
	ev_io_start(loop, &qx->io);
	/* Events may already be queued (the initial firing). */
	ev_feed_event(loop, &qx->io, EV_READ);
	return 0;
}

void
quiesce_xs_stop(struct quiesce_xs *qx)
{
	if (qx->xs == NULL)
		return;
	ev_io_stop(qx->loop, &qx->io);
	migxs_unwatch(qx->xs, MIGXS_QUIESCE, QX_TOKEN_QUIESCE);
	migxs_unwatch(qx->xs, MIGXS_DOMID, QX_TOKEN_DOMID);
	qx->xs = NULL;
}
