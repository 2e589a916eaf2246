/*
 * qemu.c - migbridge's QEMU mode: per guest ([qemu NAME] in migbridge.conf)
 * a QMP connection and the host end of its virtio-serial chardev (the
 * agent's channel), and the migrations migbridge drives (MIGRATE on the
 * query socket, migbridge-ctl migrate).
 *
 * A driven migration holds QEMU's downtime-limit at 1 ms (QEMU then keeps
 * iterating unless a stop would be harmless anyway), asks the same policy
 * as Xen's hook at every precopy pass (MIGRATION_PASS events and
 * query-migrate's ram.dirty-sync-count), and raises the limit to the
 * operator's downtime when the policy says stop, or at the deadline.  With
 * pause-before-switchover, the agent's state at the real stop (source CPUs
 * stopped) is written to the decision log before migrate-continue; every
 * chardev is connected before that, so the destination's agent channel has
 * no gap.  Fail-open: any QMP error, no agent, a stale state: the
 * operator's downtime at once, as a plain QEMU migration.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "conf.h"
#include "log.h"
#include "migbridge.h"
#include "qmp.h"

#define QEMU_SLOTS_MAX		32
#define QEMU_PENDING_MAX	16	/* commands awaiting their answer */
#define QEMU_OUT_MAX		(64 * 1024)
#define QEMU_TICK		1.0	/* s: reconnect QMP and channels */
#define QEMU_POLL		0.1	/* s: query-migrate while migrating */
#define QEMU_LOW_DOWNTIME	1	/* ms: the gate closed */

enum qcmd_what { QC_CAPS, QC_SETCAPS, QC_SETLOW, QC_MIGRATE, QC_QUERY, QC_RELEASE,
	QC_CONTINUE, QC_RESTORE };

struct qslot {
	char		 name[32];
	char		 qmp_path[BRIDGE_PATH_MAX];
	char		 chan_path[BRIDGE_PATH_MAX];
	uint32_t	 domid;
	int		 line;
	/* QMP */
	int		 fd;
	int		 ready;			/* capabilities negotiated */
	ev_io		 rio, wio;
	struct qmp_reader *rd;
	char		*out;
	size_t		 outlen;
	int64_t		 next_id;
	struct { int64_t id; enum qcmd_what what; } pend[QEMU_PENDING_MAX];
	unsigned	 npend;
	int		 query_out;		/* a query-migrate is outstanding */
	int		 qmp_failures;
	/* The migration driven, if any. */
	uint32_t	 phase;			/* enum wire_mphase */
	char		 uri[WIRE_URI_LEN];
	uint32_t	 downtime_ms;
	uint64_t	 deadline_us;
	uint64_t	 mig_id, start_us, released_us, end_us;
	uint64_t	 sync_count;
	uint32_t	 passes, deferrals;
	uint32_t	 pre_total, pre_unsuitable;
	char		 text[WIRE_TEXT_LEN];
	ev_timer	 poll;
};

static struct qslot	 qemu_slots[QEMU_SLOTS_MAX];
static unsigned		 qemu_nslots;
static ev_timer		 qemu_tick;

static void	qemu_qmp_close(struct qslot *, const char *);
static void	qemu_finish(struct qslot *, int ok, const char *why);

/* ------------------------------------------------------------ config */
void
qemu_config_reset(void)
{
	memset(qemu_slots, 0, sizeof(qemu_slots));
	qemu_nslots = 0;
}

static struct qslot *
qemu_slot_named(struct conf *cf, const char *name)
{
	unsigned	i;

	for (i = 0; i < qemu_nslots; i++)
		if (!strcmp(qemu_slots[i].name, name))
			return &qemu_slots[i];
	if (qemu_nslots == QEMU_SLOTS_MAX) {
		conf_error(cf, "more than %d [qemu] sections", QEMU_SLOTS_MAX);
		return NULL;
	}
	if (name[0] == '\0' || strlen(name) >= sizeof(qemu_slots[0].name)) {
		conf_error(cf, "[qemu NAME]: a name of 1 to %zu characters is needed",
		    sizeof(qemu_slots[0].name) - 1);
		return NULL;
	}
	snprintf(qemu_slots[qemu_nslots].name, sizeof(qemu_slots[0].name), "%s", name);
	qemu_slots[qemu_nslots].domid = WIRE_DOMID_NONE;
	qemu_slots[qemu_nslots].line = cf->line;
	return &qemu_slots[qemu_nslots++];
}

void
qemu_config_key(struct conf *cf, const char *name, const char *key, const char *value)
{
	struct qslot	*s;
	uint64_t	 v;

	if ((s = qemu_slot_named(cf, name)) == NULL)
		return;
	if (!strcmp(key, "qmp") || !strcmp(key, "channel")) {
		if (value[0] != '/')
			conf_error(cf, "%s: \"%s\" is not an absolute path", key, value);
		else
			conf_string(cf, key, value, key[0] == 'q' ? s->qmp_path : s->chan_path,
			    BRIDGE_PATH_MAX);
	} else if (!strcmp(key, "domid")) {
		if (conf_uint(cf, key, value, 1, 0x7fef, &v) == 0)
			s->domid = (uint32_t)v;
	} else
		conf_error(cf, "unknown key \"%s\" in [qemu %s]", key, name);
}

void
qemu_config_check(struct conf *cf)
{
	unsigned	i, j;
	int		line = cf->line;

	for (i = 0; i < qemu_nslots; i++) {
		cf->line = qemu_slots[i].line;
		if (qemu_slots[i].domid == WIRE_DOMID_NONE || !qemu_slots[i].qmp_path[0] ||
		    !qemu_slots[i].chan_path[0])
			conf_error(cf, "[qemu %s] needs qmp, channel and domid",
			    qemu_slots[i].name);
		for (j = 0; j < i; j++)
			if (qemu_slots[j].domid == qemu_slots[i].domid)
				conf_error(cf, "[qemu %s] and [qemu %s] have the same domid",
				    qemu_slots[j].name, qemu_slots[i].name);
	}
	cf->line = line;
}

static struct qslot *
qemu_slot_of(uint32_t domid)
{
	unsigned	i;

	for (i = 0; i < qemu_nslots; i++)
		if (qemu_slots[i].domid == domid)
			return &qemu_slots[i];
	return NULL;
}

/* ------------------------------------------------------------ QMP I/O */
static void
qemu_qmp_update(struct qslot *s)
{
	if (s->outlen > 0)
		ev_io_start(bridge->loop, &s->wio);
	else
		ev_io_stop(bridge->loop, &s->wio);
}

/*
 * Send {"execute": cmd, "arguments": args, "id": N} (args stolen, may be
 * NULL) and remember what its answer is for.  0, or -1 (the QMP
 * connection is then closed, or was not up).
 */
static int
qemu_cmd(struct qslot *s, enum qcmd_what what, const char *cmd, json_t *args)
{
	json_t	*o;
	char	*txt = NULL;
	size_t	 n;
	int	 rc = -1;

	o = json_pack("{s:s, s:I}", "execute", cmd, "id", (json_int_t)s->next_id);
	if (o != NULL && args != NULL && json_object_set_new(o, "arguments", args) == 0)
		args = NULL;
	if (s->fd == -1 || s->npend == QEMU_PENDING_MAX || o == NULL ||
	    (txt = json_dumps(o, JSON_COMPACT)) == NULL)
		goto out;
	n = strlen(txt);
	if (s->outlen + n + 1 > QEMU_OUT_MAX) {
		qemu_qmp_close(s, "QMP output queue full");
		goto out;
	}
	memcpy(s->out + s->outlen, txt, n);
	s->out[s->outlen + n] = '\n';
	s->outlen += n + 1;
	s->pend[s->npend].id = s->next_id++;
	s->pend[s->npend++].what = what;
	log_debug("qemu %s: -> %s", s->name, txt);
	qemu_qmp_update(s);
	rc = 0;
out:
	free(txt);
	json_decref(o);
	json_decref(args);
	return rc;
}

static void
qemu_set_downtime(struct qslot *s, enum qcmd_what what, uint32_t ms)
{
	qemu_cmd(s, what, "migrate-set-parameters",
	    json_pack("{s:I}", "downtime-limit", (json_int_t)ms));
}

/* ------------------------------------------------------------ decisions */
static void
qemu_dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
qemu_dlog(const char *fmt, ...)
{
	char	line[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("qemu: %s", line);
	if (bridge->dlog)
		fprintf(bridge->dlog, "t=%" PRIu64 " %s\n", bridge_unix_ms(), line);
}

/* Let QEMU stop with the operator's downtime. */
static void
qemu_release(struct qslot *s, const char *why)
{
	if (s->phase != WIRE_MP_GATED)
		return;
	s->phase = WIRE_MP_RELEASED;
	s->released_us = wire_mono_us() - s->start_us;
	snprintf(s->text, sizeof(s->text), "released: %s", why);
	qemu_set_downtime(s, QC_RELEASE, s->downtime_ms);
	qemu_dlog("domid=%u mig=%" PRIx64 " release downtime_ms=%u after_ms=%" PRIu64
	    " why=%s", s->domid, s->mig_id, s->downtime_ms, s->released_us / 1000, why);
}

/*
 * Ask the policy (as the precopy hook does, stock = stop: QEMU with the
 * operator's downtime may stop now), log the verdict, release on stop.
 */
static void
qemu_decide(struct qslot *s)
{
	struct wire_domain_query dq;
	struct policy_conf	 pc = bridge->conf.policy;
	struct policy_input	 in;
	struct policy_output	 out;
	struct wire_verdict	 v;
	struct domain		*d;
	uint64_t		 now = wire_mono_us();

	if (s->phase != WIRE_MP_GATED)
		return;
	if ((d = domain_get(s->domid)) == NULL) {
		qemu_release(s, "out of memory");
		return;
	}
	memset(&in, 0, sizeof(in));
	memset(&v, 0, sizeof(v));
	memset(&dq, 0, sizeof(dq));
	pc.deadline_us = s->deadline_us;
	in.stock = WIRE_D_STOP;
	in.have_state = d->up != NULL && d->state_live;
	in.age_us = domain_state_age(d, now);
	in.unsuitable = d->have_state ? d->state.unsuitable : 0;
	in.iteration = s->passes;
	in.deferrals = s->deferrals;
	/* The operator's deadline counts from the start of the migration. */
	in.deferred_us = s->deferrals ? now - s->start_us : 0;
	policy_decide(&pc, &in, &out);
	if (out.vreason == WIRE_VR_DEFER)
		s->deferrals++;
	dq.domid = s->domid;
	dq.migration_id = s->mig_id;
	dq.iteration = s->passes;
	dq.dirty_count = (int64_t)s->sync_count;
	dq.stock = WIRE_D_STOP;
	v.migration_id = s->mig_id;
	v.decision = out.decision;
	v.vreason = out.vreason;
	v.total = d->have_state ? d->state.total : 0;
	v.unsuitable = in.unsuitable;
	v.tolerance = out.tolerance;
	v.deferrals = s->deferrals;
	v.state_age_us = in.age_us;
	domain_reasons(d, v.reasons);
	bridge->queries++;
	d->verdicts[v.vreason]++;
	d->last_decision = v.decision;
	d->last_vreason = v.vreason;
	query_log_verdict(&dq, &v);
	if (out.decision == WIRE_D_STOP)
		qemu_release(s, wire_vreason_name(out.vreason));
}

/* A new precopy pass (event or dirty-sync-count): ask the policy. */
static void
qemu_pass(struct qslot *s, uint64_t sync_count)
{
	if (sync_count <= s->sync_count)
		return;
	s->sync_count = sync_count;
	s->passes++;
	qemu_decide(s);
}

/*
 * Paused before the switchover (source CPUs stopped): connect every
 * channel (the destination's among them), record the agent's state at the
 * real stop, continue.
 */
static void
qemu_preswitch(struct qslot *s)
{
	struct domain	*d = domain_find(s->domid);
	uint32_t	 r[WIRE_REASON_MAX];
	uint64_t	 age;

	if (s->phase != WIRE_MP_GATED && s->phase != WIRE_MP_RELEASED)
		return;
	s->phase = WIRE_MP_SWITCHOVER;
	qemu_connect_channels();
	memset(r, 0, sizeof(r));
	age = d ? domain_state_age(d, wire_mono_us()) : WIRE_AGE_NONE;
	if (d != NULL && d->have_state && d->state_live) {
		s->pre_total = d->state.total;
		s->pre_unsuitable = d->state.unsuitable;
		domain_reasons(d, r);
	}
	qemu_dlog("domid=%u mig=%" PRIx64 " preswitch total=%u unsuitable=%d age_us=%" PRId64
	    " passes=%u deferrals=%u elapsed_ms=%" PRIu64 " new=%u reading=%u processing=%u"
	    " writing_small=%u handshake=%u auth=%u idle=%u writing_large=%u",
	    s->domid, s->mig_id, s->pre_total, s->pre_unsuitable == UINT32_MAX ? -1 :
	    (int)s->pre_unsuitable, age == WIRE_AGE_NONE ? -1 : (int64_t)age, s->passes,
	    s->deferrals, (wire_mono_us() - s->start_us) / 1000, r[WIRE_R_NEW],
	    r[WIRE_R_READING], r[WIRE_R_PROCESSING], r[WIRE_R_WRITING_SMALL],
	    r[WIRE_R_HANDSHAKE], r[WIRE_R_AUTH], r[WIRE_R_IDLE], r[WIRE_R_WRITING_LARGE]);
	snprintf(s->text, sizeof(s->text), "pre-switchover: continuing");
	qemu_cmd(s, QC_CONTINUE, "migrate-continue", json_pack("{s:s}", "state",
	    "pre-switchover"));
}

/*
 * A migration status from query-migrate (data: its answer) or a MIGRATION
 * event (data NULL).  "completed" is taken from query-migrate, which has
 * QEMU's measured downtime: the event only asks for it.
 */
static void
qemu_status(struct qslot *s, const char *status, json_t *data)
{
	char		why[64];
	uint64_t	downtime;

	if (status == NULL || s->phase == WIRE_MP_NONE || s->phase >= WIRE_MP_COMPLETED)
		return;
	if (!strcmp(status, "pre-switchover"))
		qemu_preswitch(s);
	else if (!strcmp(status, "completed") && data == NULL) {
		if (!s->query_out && qemu_cmd(s, QC_QUERY, "query-migrate", NULL) == 0)
			s->query_out = 1;
	} else if (!strcmp(status, "completed")) {
		if (qmp_get_uint(data, "downtime", &downtime) == 0)
			snprintf(why, sizeof(why), "completed downtime_ms=%" PRIu64, downtime);
		else
			snprintf(why, sizeof(why), "completed");
		qemu_finish(s, 1, why);
	}
	else if (!strcmp(status, "failed") || !strcmp(status, "cancelled"))
		qemu_finish(s, 0, status);
}

static void
qemu_finish(struct qslot *s, int ok, const char *why)
{
	struct domain	*d = domain_find(s->domid);

	if (s->phase == WIRE_MP_NONE || s->phase >= WIRE_MP_COMPLETED)
		return;
	if (!ok && s->phase == WIRE_MP_GATED)
		qemu_set_downtime(s, QC_RESTORE, s->downtime_ms);	/* leave no 1 ms */
	/* A later migration by someone else must not wait at pre-switchover. */
	if (!ok)
		qemu_cmd(s, QC_RESTORE, "migrate-set-capabilities", json_pack(
		    "{s:[{s:s,s:b}]}", "capabilities", "capability",
		    "pause-before-switchover", "state", 0));
	s->phase = ok ? WIRE_MP_COMPLETED : WIRE_MP_FAILED;
	s->end_us = wire_mono_us();
	ev_timer_stop(bridge->loop, &s->poll);
	snprintf(s->text, sizeof(s->text), "%s", why);
	if (d != NULL) {
		domain_migration_end(d, s->mig_id);
		if (d->up && !domain_migrating(d))
			uplink_migration(d->up, 0);
	}
	qemu_dlog("domid=%u mig=%" PRIx64 " end result=%d deferrals=%u passes=%u "
	    "elapsed_ms=%" PRIu64 " status=%s", s->domid, s->mig_id, ok ? 0 : -1,
	    s->deferrals, s->passes, (s->end_us - s->start_us) / 1000, why);
}

/* ------------------------------------------------------------ QMP input */
/*
 * A migration we do not drive (ours, before our QMP connection was lost, or
 * someone else's): never leave it paused at pre-switchover or gated.
 */
static void
qemu_adopt(struct qslot *s, const char *status)
{
	if (status == NULL)
		return;
	if (!strcmp(status, "pre-switchover")) {
		log_warnx("qemu %s: QEMU waits at pre-switchover: continuing", s->name);
		qemu_cmd(s, QC_CONTINUE, "migrate-continue",
		    json_pack("{s:s}", "state", "pre-switchover"));
	} else if (!strcmp(status, "active") && s->phase == WIRE_MP_FAILED &&
	    s->downtime_ms > 0) {
		log_warnx("qemu %s: a migration we lost track of is active: "
		    "downtime-limit %u ms", s->name, s->downtime_ms);
		qemu_set_downtime(s, QC_RESTORE, s->downtime_ms);
	}
}

static int
qemu_on_return(struct qslot *s, enum qcmd_what what, const struct qmp_msg *m)
{
	uint64_t	count;

	switch (what) {
	case QC_CAPS:
		s->ready = 1;
		s->qmp_failures = 0;
		log_info("qemu %s: QMP connected (%s)", s->name, s->qmp_path);
		/* Never leave a guest paused at pre-switchover or gated at 1 ms
		 * because our previous QMP connection was lost. */
		qemu_cmd(s, QC_QUERY, "query-migrate", NULL);
		s->query_out = 1;
		break;
	case QC_QUERY:
		s->query_out = 0;
		if (m->kind != QMP_RETURN)
			break;
		if (s->phase == WIRE_MP_NONE || s->phase >= WIRE_MP_COMPLETED) {
			qemu_adopt(s, qmp_get_str(m->data, "status"));
			break;
		}
		if (qmp_get_uint(m->data, "ram.dirty-sync-count", &count) == 0)
			qemu_pass(s, count);
		qemu_status(s, qmp_get_str(m->data, "status"), m->data);
		break;
	default:
		break;
	}
	return 0;
}

/* An error answer: fail open (the operator's downtime), or fail the start. */
static void
qemu_on_error(struct qslot *s, enum qcmd_what what, const struct qmp_msg *m)
{
	log_warnx("qemu %s: QMP error (%s): %s", s->name, m->errclass, m->errdesc);
	switch (what) {
	case QC_SETCAPS:
		snprintf(s->text, sizeof(s->text), "no pause-before-switchover: the state "
		    "at the stop is not recorded");
		break;
	case QC_SETLOW:
		qemu_release(s, "QMP error");
		break;
	case QC_MIGRATE:
		snprintf(s->text, sizeof(s->text), "migrate: %.80s", m->errdesc);
		qemu_finish(s, 0, s->text);
		break;
	case QC_CAPS:
		qemu_qmp_close(s, "qmp_capabilities refused");
		break;
	case QC_QUERY:
		s->query_out = 0;
		break;
	default:
		break;
	}
}

/* qmp_msg_cb: one message from QEMU. */
static int
qemu_on_msg(void *arg, const struct qmp_msg *m)
{
	struct qslot	*s = arg;
	enum qcmd_what	 what;
	uint64_t	 pass;

	if (m->kind == QMP_GREETING)
		return qemu_cmd(s, QC_CAPS, "qmp_capabilities", NULL);
	if (m->kind == QMP_EVENT) {
		log_debug("qemu %s: event %s", s->name, m->event);
		if (!strcmp(m->event, "MIGRATION") &&
		    (s->phase == WIRE_MP_NONE || s->phase >= WIRE_MP_COMPLETED))
			qemu_adopt(s, qmp_get_str(m->data, "status"));	/* not ours */
		else if (!strcmp(m->event, "MIGRATION"))
			qemu_status(s, qmp_get_str(m->data, "status"), NULL);
		else if (!strcmp(m->event, "MIGRATION_PASS") &&
		    qmp_get_uint(m->data, "pass", &pass) == 0)
			qemu_pass(s, pass);
		return 0;
	}
	/* QMP answers in order: the oldest pending command, with its id. */
	if (s->npend == 0 || m->id != s->pend[0].id) {
		log_warnx("qemu %s: QMP answer with unexpected id %" PRId64, s->name, m->id);
		return -1;
	}
	what = s->pend[0].what;
	memmove(&s->pend[0], &s->pend[1], --s->npend * sizeof(s->pend[0]));
	if (m->kind == QMP_ERROR)
		qemu_on_error(s, what, m);
	else
		qemu_on_return(s, what, m);
	return 0;
}

static void
qemu_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct qslot	*s = w->data;
	char		 buf[16384];
	ssize_t		 n;

	(void)loop; (void)revents;
	n = read(s->fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		qemu_qmp_close(s, n == 0 ? "QEMU closed QMP" : strerror(errno));
		return;
	}
	if (qmp_reader_feed(s->rd, buf, n, qemu_on_msg, s) == -1)
		qemu_qmp_close(s, s->rd->why);
}

static void
qemu_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct qslot	*s = w->data;
	ssize_t		 n;

	(void)loop; (void)revents;
	n = send(s->fd, s->out, s->outlen, MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		qemu_qmp_close(s, strerror(errno));
		return;
	}
	memmove(s->out, s->out + n, s->outlen - n);
	s->outlen -= n;
	qemu_qmp_update(s);
}

static void
qemu_qmp_close(struct qslot *s, const char *why)
{
	if (s->fd == -1)
		return;
	log_warnx("qemu %s: QMP connection lost: %s", s->name, why);
	ev_io_stop(bridge->loop, &s->rio);
	ev_io_stop(bridge->loop, &s->wio);
	close(s->fd);
	s->fd = -1;
	s->ready = 0;
	s->npend = 0;
	s->outlen = 0;
	s->query_out = 0;
	/* QEMU went away, or we can no longer steer it: the migration is
	 * QEMU's own now (failed for us; re-adopted at reconnect). */
	if (s->phase != WIRE_MP_NONE && s->phase < WIRE_MP_COMPLETED)
		qemu_finish(s, 0, "QMP connection lost");
}

static void
qemu_qmp_open(struct qslot *s)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->qmp_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (s->qmp_failures++ == 0)
			log_info("qemu %s: no QMP at %s yet: %s", s->name, s->qmp_path,
			    strerror(errno));
		close(fd);
		return;
	}
	s->fd = fd;
	s->next_id = 1;
	qmp_reader_init(s->rd);
	ev_io_init(&s->rio, qemu_read_cb, fd, EV_READ);
	ev_io_init(&s->wio, qemu_write_cb, fd, EV_WRITE);
	s->rio.data = s->wio.data = s;
	ev_io_start(bridge->loop, &s->rio);
}

/* ------------------------------------------------------------ channels */
/* Connect the agent channel of every guest that has none (local sockets:
 * this completes or fails at once).  The agent says HELLO when it runs. */
void
qemu_connect_channels(void)
{
	struct domain	*d;
	struct uplink	*up;
	struct chan	*ch;
	char		 err[160], label[48];
	unsigned	 i;

	for (i = 0; i < qemu_nslots; i++) {
		d = domain_find(qemu_slots[i].domid);
		if (d != NULL && d->up != NULL)
			continue;
		if ((ch = chan_unix_connect(qemu_slots[i].chan_path, err, sizeof(err))) == NULL)
			continue;
		snprintf(label, sizeof(label), "qemu %.31s", qemu_slots[i].name);
		if ((up = uplink_new(ch, qemu_slots[i].domid, label)) != NULL)
			uplink_patient(up);
	}
}

static void
qemu_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	unsigned	i;

	(void)loop; (void)w; (void)revents;
	for (i = 0; i < qemu_nslots; i++)
		if (qemu_slots[i].fd == -1)
			qemu_qmp_open(&qemu_slots[i]);
	qemu_connect_channels();
}

/* While migrating: query-migrate, and the deadline. */
static void
qemu_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct qslot	*s = w->data;

	(void)loop; (void)revents;
	if (s->phase == WIRE_MP_GATED && s->deferrals > 0 &&
	    wire_mono_us() - s->start_us >= s->deadline_us)
		qemu_decide(s);
	if (s->ready && !s->query_out && qemu_cmd(s, QC_QUERY, "query-migrate", NULL) == 0)
		s->query_out = 1;
}

/* ------------------------------------------------------------ requests */
static size_t
qemu_error(uint8_t *buf, size_t cap, uint32_t code, const char *text)
{
	struct wire_error	e;

	memset(&e, 0, sizeof(e));
	e.code = code;
	snprintf(e.text, sizeof(e.text), "%s", text);
	return wire_encode_error(buf, cap, &e);
}

static size_t
qemu_info(struct qslot *s, uint8_t *buf, size_t cap)
{
	struct wire_migrate_info	mi;
	uint64_t			now = wire_mono_us();

	memset(&mi, 0, sizeof(mi));
	mi.domid = s->domid;
	mi.phase = s->phase;
	mi.passes = s->passes;
	mi.deferrals = s->deferrals;
	mi.pre_total = s->pre_total;
	mi.pre_unsuitable = s->pre_unsuitable;
	if (s->phase != WIRE_MP_NONE)
		mi.elapsed_us = (s->end_us ? s->end_us : now) - s->start_us;
	mi.released_us = s->phase == WIRE_MP_NONE || (s->phase != WIRE_MP_RELEASED &&
	    s->released_us == 0) ? WIRE_AGE_NONE : s->released_us;
	snprintf(mi.text, sizeof(mi.text), "%s", s->text);
	return wire_encode_migrate_info(buf, cap, &mi);
}

/* Start driving a migration of s to uri. */
static int
qemu_start_migration(struct qslot *s, const struct wire_migrate *wm)
{
	struct domain	*d;
	int		 isnew;

	s->phase = WIRE_MP_GATED;
	snprintf(s->uri, sizeof(s->uri), "%s", wm->uri);
	s->downtime_ms = wm->downtime_ms;
	s->deadline_us = wm->deadline_ms ? wm->deadline_ms * 1000ull :
	    bridge->conf.policy.deadline_us;
	s->start_us = wire_mono_us();
	s->mig_id = (s->start_us << 8) ^ s->domid;
	s->released_us = s->end_us = s->sync_count = 0;
	s->passes = s->deferrals = 0;
	s->pre_total = 0;
	s->pre_unsuitable = UINT32_MAX;
	snprintf(s->text, sizeof(s->text), "started");
	if (qemu_cmd(s, QC_SETCAPS, "migrate-set-capabilities", json_pack(
	    "{s:[{s:s,s:b},{s:s,s:b}]}", "capabilities",
	    "capability", "pause-before-switchover", "state", 1,
	    "capability", "events", "state", 1)) == -1)
		return -1;
	qemu_set_downtime(s, QC_SETLOW, QEMU_LOW_DOWNTIME);
	if (qemu_cmd(s, QC_MIGRATE, "migrate", json_pack("{s:s}", "uri", s->uri)) == -1)
		return -1;
	if ((d = domain_get(s->domid)) != NULL) {
		domain_migration(d, s->mig_id, &isnew);
		if (d->up)
			uplink_migration(d->up, 1);
	}
	ev_timer_init(&s->poll, qemu_poll_cb, QEMU_POLL, QEMU_POLL);
	s->poll.data = s;
	ev_timer_start(bridge->loop, &s->poll);
	qemu_dlog("domid=%u mig=%" PRIx64 " start uri=%s downtime_ms=%u deadline_ms=%" PRIu64,
	    s->domid, s->mig_id, s->uri, s->downtime_ms, s->deadline_us / 1000);
	return 0;
}

/*
 * A query-socket request of QEMU mode (MIGRATE or MIGRATE-STATUS): the
 * answer frame (MIGRATE-INFO or ERROR) is encoded into buf; its length.
 */
size_t
qemu_query(uint32_t type, const uint8_t *payload, uint32_t len, uint8_t *buf, size_t cap)
{
	struct wire_migrate_status	ms;
	struct wire_migrate		wm;
	struct qslot			*s;
	const char			*why;

	if (type == WIRE_T_MIGRATE_STATUS) {
		if (wire_sanitize_migrate_status(payload, len, &ms, &why) == -1)
			return qemu_error(buf, cap, EINVAL, why);
		if ((s = qemu_slot_of(ms.domid)) == NULL)
			return qemu_error(buf, cap, ENOENT, "no [qemu] guest with this domid");
		return qemu_info(s, buf, cap);
	}
	if (wire_sanitize_migrate(payload, len, &wm, &why) == -1)
		return qemu_error(buf, cap, EINVAL, why);
	if ((s = qemu_slot_of(wm.domid)) == NULL)
		return qemu_error(buf, cap, ENOENT, "no [qemu] guest with this domid");
	if (!s->ready)
		return qemu_error(buf, cap, EAGAIN, "no QMP connection to this guest's QEMU");
	if (s->phase != WIRE_MP_NONE && s->phase < WIRE_MP_COMPLETED)
		return qemu_error(buf, cap, EBUSY, "a migration of this guest is running");
	if (qemu_start_migration(s, &wm) == -1) {
		qemu_finish(s, 0, "cannot send the QMP commands");
		return qemu_error(buf, cap, EIO, "cannot send the QMP commands");
	}
	return qemu_info(s, buf, cap);
}

/* ------------------------------------------------------------ start/stop */
void
qemu_start(void)
{
	unsigned	i;

	for (i = 0; i < qemu_nslots; i++) {
		qemu_slots[i].fd = -1;
		qemu_slots[i].rd = malloc(sizeof(*qemu_slots[i].rd));
		qemu_slots[i].out = malloc(QEMU_OUT_MAX);
		if (qemu_slots[i].rd == NULL || qemu_slots[i].out == NULL)
			fatalx("qemu: out of memory");
		log_info("qemu %s: domid %u, QMP %s, channel %s", qemu_slots[i].name,
		    qemu_slots[i].domid, qemu_slots[i].qmp_path, qemu_slots[i].chan_path);
	}
	if (qemu_nslots == 0)
		return;
	ev_timer_init(&qemu_tick, qemu_tick_cb, 0, QEMU_TICK);
	ev_timer_start(bridge->loop, &qemu_tick);
}

void
qemu_stop(void)
{
	unsigned	i;

	ev_timer_stop(bridge->loop, &qemu_tick);
	for (i = 0; i < qemu_nslots; i++) {
		ev_timer_stop(bridge->loop, &qemu_slots[i].poll);
		/* Best effort: leave no migration gated at 1 ms behind us. */
		if (qemu_slots[i].phase == WIRE_MP_GATED && qemu_slots[i].fd != -1) {
			qemu_slots[i].outlen = 0;
			qemu_set_downtime(&qemu_slots[i], QC_RELEASE, qemu_slots[i].downtime_ms);
			if (send(qemu_slots[i].fd, qemu_slots[i].out, qemu_slots[i].outlen,
			    MSG_NOSIGNAL) == -1)
				log_warn("qemu %s: cannot release the migration",
				    qemu_slots[i].name);
		}
		qemu_slots[i].phase = WIRE_MP_NONE;	/* no finish lines at exit */
		qemu_qmp_close(&qemu_slots[i], "migbridge exits");
		free(qemu_slots[i].rd);
		free(qemu_slots[i].out);
		qemu_slots[i].rd = NULL;
		qemu_slots[i].out = NULL;
	}
}
