/*
 * hook.c - libmigstate-precopy.so: an LD_PRELOAD interposer on libxenguest's
 * xc_domain_save that makes an unmodified `xl migrate` ask migbridge before
 * the stop-and-copy phase (ARCHITECTURE.md, "The precopy hook").
 *
 * libxl leaves save_callbacks.precopy_policy NULL, so libxenguest 4.17 runs
 * its simple_precopy_policy: stop when fewer than 50 pages are dirty or
 * after 5 rounds.  For plain live streams without a policy of their own we
 * install ours, which behaves exactly like the stock one except when the
 * stock one would stop: then migbridge is asked, on the call right before
 * the suspend, whether the guest's connections can take a pause now.
 *
 * The send loop (xg_sr_save.c, send_memory_live) calls the policy twice a
 * round: before sending (dirty_count known), and after sending
 * (dirty_count == -1, iteration already incremented).  A STOP on the first
 * call still sends that round's pages live, so turning it into CONTINUE and
 * deciding on the second call changes nothing but the freshness of the
 * state judged.  We only do so when the bridge is reachable; otherwise
 * every answer is the stock one, call for call.
 *
 * Fail open everywhere: no bridge, a slow or broken answer, any error means
 * the stock decision.  The hook bounds deferring on its own (deadline,
 * round cap) whatever the bridge says, and never returns ABORT.
 *
 * Before every STOP it returns, whoever decided it, the quiesce handshake
 * runs (quiesce.c): it does not depend on migbridge, and an agent whose
 * bridge is down still holds a vchan that must be closed before the
 * suspend.  It costs nothing without an agent (no state key: skipped).
 *
 * stdout belongs to libxl (the save helper's control pipe): never written.
 * Logs go to stderr (libxl copies it into its log) or syslog.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenguest.h>

#include "migwire.h"
#include "hook.h"

#define HOOK_SAVE_VERSION	"VERS_4.17.0"

typedef int (*hook_save_fn)(xc_interface *, int, uint32_t, uint32_t,
    struct save_callbacks *, xc_stream_type_t, int);

enum hook_logmode { HOOK_LOG_STDERR, HOOK_LOG_SYSLOG, HOOK_LOG_OFF };

/* One migration.  libxl owns callbacks->data, so our state lives here. */
struct hook_mig {
	struct hook_conf conf;
	uint32_t	 domid;
	uint64_t	 id;		/* migration_id on the wire, nonzero */
	int		 fd;		/* query socket, or -1 */
	unsigned	 queries;	/* DOMAIN-QUERY sent */
	unsigned	 verdicts;	/* VERDICT received */
	unsigned	 deferrals;	/* CONTINUE verdicts while stock would stop */
	int		 round_stop;	/* stock said STOP on this round's 1st call */
	int		 stopping;	/* STOP returned (quiesce done) */
	uint64_t	 start_us;
	uint64_t	 defer_start_us; /* first deferral, or 0 */
	uint32_t	 stop_unsuitable; /* from the STOP verdict, or ~0 */
	struct quiesce	*q;
};

static struct hook_mig		hook_mig = { .fd = -1 };
static int			hook_active;
static enum hook_logmode	hook_logmode;
static struct wire_reader	hook_reader;	/* 64 KiB: not on the stack */

/* ------------------------------------------------------------- utilities */

/* Log one line about the current domain; keeps errno. */
void
hook_log(const char *fmt, ...)
{
	char	 line[512];
	va_list	 ap;
	int	 saved = errno, n;

	if (hook_logmode == HOOK_LOG_OFF)
		return;
	n = snprintf(line, sizeof(line), "migstate-precopy: dom %u: ", hook_mig.domid);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (hook_logmode == HOOK_LOG_SYSLOG) {
		syslog(LOG_DAEMON | LOG_INFO, "%s", line + strlen("migstate-precopy: "));
	} else {
		n = strlen(line);
		line[n++] = '\n';
		/* A failed write has nowhere else to be reported. */
		(void)!write(STDERR_FILENO, line, n);
	}
	errno = saved;
}

/*
 * libxenguest 4.17's simple_precopy_policy, as a fact: STOP when the dirty
 * count is known and below 50, or once 5 rounds are done.
 */
int
hook_stock(unsigned iteration, long dirty_count)
{
	if ((dirty_count >= 0 && dirty_count < HOOK_STOCK_TARGET_DIRTY) ||
	    iteration >= HOOK_STOCK_MAX_ITERATIONS)
		return HOOK_STOP;
	return HOOK_CONTINUE;
}

/* An integer from the environment within [min, max], else def (logged). */
static int
hook_env_int(const char *name, int def, int min, int max)
{
	const char	*s = getenv(name);
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min) {
		hook_log("ignoring %s=%s, using %d", name, s, def);
		return def;
	}
	return v > max ? max : (int)v;
}

/* Read the environment knobs (docs/libmigstate-precopy.8). */
static void
hook_conf_load(struct hook_conf *c)
{
	const char *s = getenv("MIGSTATE_HOOK_LOG");

	hook_logmode = HOOK_LOG_STDERR;
	if (s != NULL && strcmp(s, "off") == 0)
		hook_logmode = HOOK_LOG_OFF;
	else if (s != NULL && strcmp(s, "syslog") == 0) {
		hook_logmode = HOOK_LOG_SYSLOG;
		openlog("migstate-precopy", LOG_PID, LOG_DAEMON);
	}
	s = getenv("MIGSTATE_QUERY_SOCKET");
	if (s == NULL || *s == '\0' || strlen(s) >= sizeof(c->query_socket))
		s = HOOK_QUERY_SOCKET;
	snprintf(c->query_socket, sizeof(c->query_socket), "%s", s);
	c->query_timeout_ms = hook_env_int("MIGSTATE_QUERY_TIMEOUT_MS",
	    HOOK_QUERY_TIMEOUT_MS, 1, 5000);
	c->deadline_s = hook_env_int("MIGSTATE_DEADLINE_S", HOOK_DEADLINE_S, 0,
	    HOOK_DEADLINE_MAX_S);
	c->quiesce_ms = hook_env_int("MIGSTATE_QUIESCE_MS", HOOK_QUIESCE_MS, 0,
	    HOOK_QUIESCE_MAX_MS);
	c->xs = getenv("MIGSTATE_XS");
}

/* ------------------------------------------------------ the query socket */

static void
hook_bridge_close(struct hook_mig *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* Connect to migbridge without blocking.  0, or -1 with *why. */
static int
hook_bridge_connect(struct hook_mig *m, const char **why)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	int			 fd;

	memcpy(sun.sun_path, m->conf.query_socket, sizeof(m->conf.query_socket));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	/* A Unix stream connect completes at once, or fails (EAGAIN: backlog). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	m->fd = fd;
	return 0;
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int
hook_bridge_wait(int fd, short events, uint64_t deadline)
{
	struct pollfd	 p = { .fd = fd, .events = events };
	uint64_t	 now;
	int		 r;

	for (;;) {
		now = wire_mono_us();
		if (now >= deadline)
			return 0;
		r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Write all of buf before deadline.  MSG_NOSIGNAL: a dead bridge must not
 * kill the save helper with SIGPIPE.  0, or -1 with *why. */
static int
hook_bridge_send(int fd, const uint8_t *buf, size_t len, uint64_t deadline,
    const char **why)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (hook_bridge_wait(fd, POLLOUT, deadline) > 0)
				continue;
			*why = "timed out sending";
			return -1;
		}
		*why = n < 0 ? strerror(errno) : "short send";
		return -1;
	}
	return 0;
}

/*
 * Read exactly one frame before deadline into hook_reader.  Bytes past it
 * are a protocol violation (we asked one question).  0, or -1 with *why.
 */
static int
hook_bridge_recv(int fd, uint64_t deadline, const char **why)
{
	uint8_t			 buf[512];
	size_t			 off, used;
	ssize_t			 n;
	enum wire_rstatus	 st;

	wire_reader_init(&hook_reader);
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (hook_bridge_wait(fd, POLLIN, deadline) > 0)
				continue;
			*why = "no answer in time";
			return -1;
		}
		if (n <= 0) {
			*why = n == 0 ? "connection closed" : strerror(errno);
			return -1;
		}
		for (off = 0; off < (size_t)n; off += used) {
			st = wire_reader_feed(&hook_reader, buf + off, n - off, &used);
			if (st == WIRE_RD_ERROR) {
				*why = hook_reader.why;
				return -1;
			}
			if (st == WIRE_RD_FRAME) {
				*why = "unexpected bytes after the answer";
				return off + used == (size_t)n ? 0 : -1;
			}
		}
	}
}

/* Take the frame in hook_reader as the verdict for m.  0, or -1 with *why. */
static int
hook_bridge_verdict(struct hook_mig *m, struct wire_verdict *v, const char **why)
{
	static char		 text[WIRE_TEXT_LEN + 32];
	struct wire_error	 e;

	if (!wire_type_allowed(WIRE_ROLE_QCLIENT, hook_reader.type)) {
		*why = "frame type not allowed";
		return -1;
	}
	switch (hook_reader.type) {
	case WIRE_T_VERDICT:
		if (wire_sanitize_verdict(hook_reader.payload, hook_reader.len, v, why) < 0)
			return -1;
		if (v->migration_id != m->id) {
			*why = "verdict for another migration";
			return -1;
		}
		if (v->decision != WIRE_D_CONTINUE && v->decision != WIRE_D_STOP) {
			*why = "bad decision";
			return -1;
		}
		return 0;
	case WIRE_T_ERROR:
		if (wire_sanitize_error(hook_reader.payload, hook_reader.len, &e, why) < 0)
			return -1;
		snprintf(text, sizeof(text), "error %u: %s", e.code, e.text);
		*why = text;
		return -1;
	default:
		*why = "unexpected frame";
		return -1;
	}
}

/* One DOMAIN-QUERY -> VERDICT exchange on m->fd.  0, or -1 with *why. */
static int
hook_bridge_exchange(struct hook_mig *m, const struct precopy_stats *st,
    struct wire_verdict *v, uint64_t deadline, const char **why)
{
	struct wire_domain_query q = {
		.domid = m->domid,
		.iteration = st->iteration,
		.migration_id = m->id,
		.dirty_count = st->dirty_count,
		.total_written = st->total_written,
		.stock = WIRE_D_STOP,
		.flags = WIRE_DQ_FRESH | (m->queries == 0 ? WIRE_DQ_FIRST : 0),
		.mono_us = wire_mono_us(),
	};
	uint8_t	 frame[WIRE_HDR_SIZE + WIRE_DOMAIN_QUERY_SIZE];
	size_t	 len;

	len = wire_encode_domain_query(frame, sizeof(frame), &q);
	if (len == 0) {
		*why = "cannot encode DOMAIN-QUERY";
		return -1;
	}
	if (hook_bridge_send(m->fd, frame, len, deadline, why) < 0)
		return -1;
	m->queries++;
	if (hook_bridge_recv(m->fd, deadline, why) < 0)
		return -1;
	return hook_bridge_verdict(m, v, why);
}

/*
 * Ask migbridge whether m's domain may stop now, within the query timeout.
 * A failure on a connection kept from an earlier call is retried once on a
 * new one (the bridge may have restarted).  0 with *v, or -1 (logged).
 */
static int
hook_bridge_ask(struct hook_mig *m, const struct precopy_stats *st, struct wire_verdict *v)
{
	uint64_t	 deadline = wire_mono_us() + m->conf.query_timeout_ms * 1000ull;
	const char	*why = "?";
	int		 fresh, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		fresh = m->fd < 0;
		if (fresh && hook_bridge_connect(m, &why) < 0)
			break;
		if (hook_bridge_exchange(m, st, v, deadline, &why) == 0) {
			m->verdicts++;
			return 0;
		}
		hook_bridge_close(m);
		if (fresh || wire_mono_us() >= deadline)
			break;
	}
	hook_log("iteration %u: bridge %s: %s; stock decision (fail open)",
	    st->iteration, m->conf.query_socket, why);
	return -1;
}

/*
 * 1 if a query could be sent now: the kept connection is neither closed
 * nor carrying unasked-for bytes, or a new one connects.  Never blocks.
 */
static int
hook_bridge_ready(struct hook_mig *m)
{
	struct pollfd	 p = { .fd = m->fd, .events = POLLIN };
	const char	*why;

	if (m->fd >= 0 && poll(&p, 1, 0) == 0)
		return 1;
	hook_bridge_close(m);
	if (hook_bridge_connect(m, &why) == 0)
		return 1;
	hook_log("bridge %s unreachable (%s): stock decision", m->conf.query_socket, why);
	return 0;
}

/* Tell migbridge the save returned (no answer expected).  Best effort. */
static void
hook_bridge_end(struct hook_mig *m, int result)
{
	struct wire_migration_end e = {
		.domid = m->domid,
		.result = result,
		.migration_id = m->id,
		.stopped_unsuitable = m->stop_unsuitable,
	};
	uint8_t		 frame[WIRE_HDR_SIZE + WIRE_MIGRATION_END_SIZE];
	uint64_t	 deadline = wire_mono_us() + m->conf.query_timeout_ms * 1000ull;
	const char	*why = "cannot encode";
	size_t		 len;

	len = wire_encode_migration_end(frame, sizeof(frame), &e);
	if (len == 0 || (m->fd < 0 && hook_bridge_connect(m, &why) < 0) ||
	    hook_bridge_send(m->fd, frame, len, deadline, &why) < 0)
		hook_log("MIGRATION-END not sent: %s", why);
	hook_bridge_close(m);
}

/* ------------------------------------------------------------ the policy */

/* The hook's own bounds, whatever the bridge says.  1: stop now. */
static int
hook_net(struct hook_mig *m, const struct precopy_stats *st)
{
	uint64_t deferred;

	if (st->iteration >= HOOK_MAX_ITERATIONS) {
		hook_log("iteration %u: round cap %d reached: stop", st->iteration,
		    HOOK_MAX_ITERATIONS);
		return 1;
	}
	if (m->defer_start_us == 0)
		return m->conf.deadline_s == 0;
	deferred = wire_mono_us() - m->defer_start_us;
	if (deferred >= m->conf.deadline_s * 1000000ull) {
		hook_log("iteration %u: deferred %.1f s, hook deadline %d s: stop",
		    st->iteration, deferred / 1e6, m->conf.deadline_s);
		return 1;
	}
	return 0;
}

/* First call of a round (dirty_count known). */
static int
hook_first_call(struct hook_mig *m, const struct precopy_stats *st)
{
	m->round_stop = hook_stock(st->iteration, st->dirty_count) == HOOK_STOP;
	if (!m->round_stop)
		return HOOK_CONTINUE;
	/* The pages are sent live either way; decide after sending. */
	if (!hook_net(m, st) && hook_bridge_ready(m))
		return HOOK_CONTINUE;
	return HOOK_STOP;
}

/* Second call of a round (dirty_count -1): where the bridge is asked. */
static int
hook_second_call(struct hook_mig *m, const struct precopy_stats *st)
{
	struct wire_verdict	 v;
	int			 stop;

	stop = m->round_stop || hook_stock(st->iteration, st->dirty_count) == HOOK_STOP;
	m->round_stop = 0;
	if (!stop)
		return HOOK_CONTINUE;
	if (hook_net(m, st) || hook_bridge_ask(m, st, &v) < 0)
		return HOOK_STOP;
	if (v.decision == WIRE_D_STOP) {
		m->stop_unsuitable = v.unsuitable;
		hook_log("iteration %u: bridge says stop (%s, unsuitable %u of %u)",
		    st->iteration, wire_vreason_name(v.vreason), v.unsuitable, v.total);
		return HOOK_STOP;
	}
	if (m->defer_start_us == 0)
		m->defer_start_us = wire_mono_us();
	m->deferrals++;
	/* Deferral 1, 2, 4, 8... and every 50th: libxl's log stays readable
	 * over a minute of ~90 ms rounds; the bridge logs every verdict. */
	if ((m->deferrals & (m->deferrals - 1)) == 0 || m->deferrals % 50 == 0)
		hook_log("iteration %u: deferred (%s, unsuitable %u > tolerance %u, "
		    "deferral %u)", st->iteration, wire_vreason_name(v.vreason),
		    v.unsuitable, v.tolerance, m->deferrals);
	return HOOK_CONTINUE;
}

int
hook_policy(struct precopy_stats st, void *data)
{
	struct hook_mig	*m = &hook_mig;
	int		 d;

	(void)data;
	if (m->stopping)	/* libxenguest stops calling after a STOP */
		return HOOK_STOP;
	d = st.dirty_count >= 0 ? hook_first_call(m, &st) : hook_second_call(m, &st);
	if (d == HOOK_STOP) {
		m->stopping = 1;
		hook_log("stop at iteration %u (%u deferrals, %.1f s deferred, "
		    "%.1f s since start)", st.iteration, m->deferrals,
		    m->defer_start_us ? (wire_mono_us() - m->defer_start_us) / 1e6 : 0.0,
		    (wire_mono_us() - m->start_us) / 1e6);
		m->q = quiesce_run(m->domid, m->conf.xs, m->conf.quiesce_ms);
	}
	return d;
}

/* ------------------------------------------------------- the interposer */

/* The next xc_domain_save (libxenguest's), resolved once.  NULL if none. */
static hook_save_fn
hook_next(void)
{
	static hook_save_fn	 next;
	void			*sym;

	if (next != NULL)
		return next;
	sym = dlvsym(RTLD_NEXT, "xc_domain_save", HOOK_SAVE_VERSION);
	if (sym == NULL) {
		hook_log("no xc_domain_save@%s, trying the default version",
		    HOOK_SAVE_VERSION);
		sym = dlsym(RTLD_NEXT, "xc_domain_save");
	}
	if (sym == (void *)xc_domain_save)
		sym = NULL;
	next = (hook_save_fn)sym;
	return next;
}

/* A random nonzero migration id (getrandom; clock and pid if it fails). */
static uint64_t
hook_new_id(void)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = wire_mono_us() * 6364136223846793005ull ^ (uint64_t)getpid();
	return id != 0 ? id : 1;
}

/* A new migration of dom: fresh state, the environment read again. */
void
hook_begin(uint32_t dom)
{
	struct hook_mig *m = &hook_mig;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->domid = dom;
	m->stop_unsuitable = UINT32_MAX;
	hook_conf_load(&m->conf);
	m->id = hook_new_id();
	m->start_us = wire_mono_us();
	hook_log("live migration %016llx: stop decided with migbridge at %s",
	    (unsigned long long)m->id, m->conf.query_socket);
}

/* The save returned rc: reset quiesce, MIGRATION-END, close, summary. */
void
hook_end(int rc)
{
	struct hook_mig *m = &hook_mig;

	quiesce_reset(m->q);
	m->q = NULL;
	if (m->queries > 0)
		hook_bridge_end(m, rc);
	hook_bridge_close(m);
	hook_log("save returned %d after %.1f s: %u queries, %u verdicts, %u deferrals",
	    rc, (wire_mono_us() - m->start_us) / 1e6, m->queries, m->verdicts,
	    m->deferrals);
}

/*
 * The interposed entry point, same ABI as libxenguest's.  Plain live
 * streams whose caller has no precopy policy get ours for the duration of
 * the call; everything else is passed through untouched.  Returns what the
 * real xc_domain_save returns, with its errno.
 */
__attribute__((visibility("default"))) int
xc_domain_save(xc_interface *xch, int io_fd, uint32_t dom, uint32_t flags,
    struct save_callbacks *callbacks, xc_stream_type_t stream_type, int recv_fd)
{
	hook_save_fn	 next = hook_next();
	int		 rc, saved_errno;

	if (next == NULL) {
		hook_mig.domid = dom;
		hook_log("cannot find libxenguest's xc_domain_save: %s", dlerror());
		errno = ENOSYS;
		return -1;
	}
	if (hook_active || stream_type != XC_STREAM_PLAIN || !(flags & XCFLAGS_LIVE) ||
	    callbacks == NULL)
		return next(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
	if (callbacks->precopy_policy != NULL) {
		/* A libxl patched to have its own policy: say why we stand aside. */
		hook_mig.domid = dom;
		hook_log("the caller has its own precopy policy: not consulting migbridge");
		return next(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
	}

	hook_active = 1;
	hook_begin(dom);
	callbacks->precopy_policy = hook_policy;
	rc = next(xch, io_fd, dom, flags, callbacks, stream_type, recv_fd);
	saved_errno = errno;
	callbacks->precopy_policy = NULL;
	hook_end(rc);
	hook_active = 0;
	errno = saved_errno;
	return rc;
}
