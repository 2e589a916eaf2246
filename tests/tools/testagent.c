/*
 * testagent.c - a scriptable stand-in for migstate-agent, for migbridge's
 * and the precopy hook's tests.
 *
 *   testagent -s AGENT_SOCKET -D DOMID [-n NAME] [-u SCHEDULE] [-x XSDIR]
 *             [-Q normal|never] [-H garbage|oversize|flood|badstate|nohello|nodomid] [-v]
 *
 * It connects over the unix chan, sends HELLO, pushes STATE on every
 * change and as a 1 s heartbeat, and answers QUERY (nonce echoed).
 * SCHEDULE "COUNT:SECONDS,...,COUNT": unsuitable = COUNT (HTTP, processing,
 * plus 1 idle connection) for SECONDS, ..., the last forever (default "0").
 * With -x it plays the agent's side of the quiesce handshake through the
 * migxs dir backend.  -H: misbehave once connected, then report whether
 * migbridge closed the channel ("closed: ...", exit 0) or not (exit 1).
 * One line per event on stdout (connected, hello, query nonce=N, state,
 * migration active=N, quiesced, serving, disconnected); SIGTERM exits.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "migwire.h"
#include "migxs.h"

#define TA_MAX_STEPS	32
#define TA_RECONNECT_MS	500

struct ta_step {
	uint32_t	count;
	double		secs;		/* < 0: forever */
};

struct ta {
	const char	*sock, *name, *xsdir, *hostile;
	uint32_t	 domid;
	int		 never_quiesce, verbose;
	struct ta_step	 steps[TA_MAX_STEPS];
	int		 nsteps;
	struct chan	*ch;
	struct migxs	*xs;
	int		 quiesced;
	uint64_t	 start_ms, last_push_ms, next_connect_ms, seq;
	uint32_t	 unsuitable;	/* last pushed */
};

static volatile sig_atomic_t	ta_stop;

static uint64_t
ta_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((format(printf, 1, 2)))
ta_event(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((noreturn))
ta_usage(void)
{
	fprintf(stderr, "usage: testagent -s AGENT_SOCKET -D DOMID [-n NAME] [-u SCHEDULE]\n"
	    "       [-x XSDIR] [-Q normal|never] [-H garbage|oversize|flood|badstate|nohello|nodomid] [-v]\n");
	exit(2);
}

static void
ta_parse_schedule(struct ta *ta, const char *s)
{
	char	*copy = strdup(s), *tok, *save = NULL, *colon;

	ta->nsteps = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (ta->nsteps == TA_MAX_STEPS)
			ta_usage();
		colon = strchr(tok, ':');
		ta->steps[ta->nsteps].count = strtoul(tok, NULL, 10);
		ta->steps[ta->nsteps].secs = colon ? atof(colon + 1) : -1;
		ta->nsteps++;
	}
	free(copy);
	if (ta->nsteps == 0)
		ta_usage();
}

/* The unsuitable count the schedule gives now. */
static uint32_t
ta_scheduled(const struct ta *ta)
{
	double	t = (ta_now_ms() - ta->start_ms) / 1000.0;
	int	i;

	for (i = 0; i < ta->nsteps - 1; i++) {
		if (ta->steps[i].secs < 0 || t < ta->steps[i].secs)
			return ta->steps[i].count;
		t -= ta->steps[i].secs;
	}
	return ta->steps[ta->nsteps - 1].count;
}

static int
ta_send_state(struct ta *ta, uint32_t unsuitable, uint64_t nonce)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_STATE_SIZE(1)];
	struct wire_state	st;
	size_t			n;

	memset(&st, 0, sizeof(st));
	st.seq = ++ta->seq;
	st.mono_us = ta_now_ms() * 1000;
	st.nonce = nonce;
	st.nproto = 1;
	st.proto[0].proto = WIRE_P_HTTP;
	st.proto[0].count[WIRE_R_PROCESSING] = unsuitable;
	st.proto[0].count[WIRE_R_IDLE] = 1;
	wire_state_sum(&st);
	n = wire_encode_state(buf, sizeof(buf), &st);
	ta->last_push_ms = ta_now_ms();
	ta->unsuitable = unsuitable;
	return chan_send_frame(ta->ch, buf, n);
}

static int
ta_send_hello(struct ta *ta)
{
	uint8_t			buf[WIRE_HDR_SIZE + WIRE_HELLO_SIZE];
	struct wire_hello	h;

	memset(&h, 0, sizeof(h));
	h.version_min = WIRE_VERSION_MIN;
	h.version_max = WIRE_VERSION;
	h.caps = WIRE_CAP_ALL;
	h.domid = ta->domid;
	snprintf(h.software, sizeof(h.software), "testagent 0.1");
	snprintf(h.name, sizeof(h.name), "%s", ta->name);
	return chan_send_frame(ta->ch, buf, wire_encode_hello(buf, sizeof(buf), &h));
}

static void
ta_send_bye(struct ta *ta, uint32_t reason, const char *text)
{
	uint8_t		buf[WIRE_HDR_SIZE + WIRE_BYE_SIZE];
	struct wire_bye	b;

	memset(&b, 0, sizeof(b));
	b.reason = reason;
	snprintf(b.text, sizeof(b.text), "%s", text);
	if (chan_send_frame(ta->ch, buf, wire_encode_bye(buf, sizeof(buf), &b)) == 0)
		chan_flush(ta->ch);
}

static void
ta_disconnect(struct ta *ta, const char *why)
{
	ta_event("disconnected: %s", why);
	chan_close(ta->ch);
	ta->ch = NULL;
	ta->next_connect_ms = ta_now_ms() + TA_RECONNECT_MS;
}

/* chan_frame_cb: migbridge's frames. */
static int
ta_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	struct ta		*ta = arg;
	struct wire_hello	 h;
	struct wire_query	 q;
	struct wire_migration	 m;
	struct wire_bye		 b;
	const char		*why = "type not allowed";

	if (!wire_type_allowed(WIRE_ROLE_AGENT, type))
		goto bad;
	switch (type) {
	case WIRE_T_HELLO:
		if (wire_sanitize_hello(p, len, &h, &why) == -1)
			goto bad;
		ta_event("hello version=%u software=%s", wire_negotiate(&h), h.software);
		return 0;
	case WIRE_T_QUERY:
		if (wire_sanitize_query(p, len, &q, &why) == -1)
			goto bad;
		ta_event("query nonce=%llu", (unsigned long long)q.nonce);
		return ta_send_state(ta, ta_scheduled(ta), q.nonce);
	case WIRE_T_MIGRATION:
		if (wire_sanitize_migration(p, len, &m, &why) == -1)
			goto bad;
		ta_event("migration active=%u", m.active);
		return 0;
	case WIRE_T_BYE:
		if (wire_sanitize_bye(p, len, &b, &why) == -1)
			goto bad;
		ta_event("bye reason=%s text=%s", wire_bye_name(b.reason), b.text);
		return 0;
	}
bad:
	ta_event("bad frame from migbridge: %s", why);
	return -1;
}

static void
ta_connect(struct ta *ta)
{
	char	err[256];

	if ((ta->ch = chan_unix_connect(ta->sock, err, sizeof(err))) == NULL) {
		if (ta->verbose)
			fprintf(stderr, "testagent: connect %s: %s\n", ta->sock, err);
		ta->next_connect_ms = ta_now_ms() + TA_RECONNECT_MS;
		return;
	}
	ta_event("connected");
	if (ta->hostile && !strcmp(ta->hostile, "nohello"))
		return;
	/* A hostile agent goes on regardless: migbridge may drop it at once. */
	if (ta_send_hello(ta) == -1 && !ta->hostile)
		ta_disconnect(ta, chan_error(ta->ch));
	else if (ta->hostile && !strcmp(ta->hostile, "nodomid"))
		return;		/* nothing after the HELLO: see migbridge's BYE */
	else if (ta_send_state(ta, ta_scheduled(ta), 0) == -1 && !ta->hostile)
		ta_disconnect(ta, chan_error(ta->ch));
}

static void
ta_put32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

/* Misbehave as asked, right after connecting. */
static void
ta_misbehave(struct ta *ta)
{
	/* A header of an unknown type (0x42424242), a short length, junk. */
	static const char	 garbage[] = "BBBB\x10\0\0\0junk junk junk !";
	uint8_t			 buf[WIRE_HDR_SIZE + WIRE_STATE_FIXED_SIZE];
	const char		*h = ta->hostile;
	int			 i, fd = chan_fd(ta->ch);

	if (!strcmp(h, "garbage")) {
		if (write(fd, garbage, sizeof(garbage) - 1) == -1)
			ta_event("write: %s", strerror(errno));
	} else if (!strcmp(h, "oversize")) {
		ta_put32(buf, WIRE_T_STATE);
		ta_put32(buf + 4, 16u << 20);	/* 16 MiB: beyond WIRE_MAX_FRAME */
		memset(buf + 8, 0, sizeof(buf) - 8);
		if (write(fd, buf, sizeof(buf)) == -1)
			ta_event("write: %s", strerror(errno));
	} else if (!strcmp(h, "flood")) {
		for (i = 0; i < 20000; i++) {
			while (chan_want_write(ta->ch) && chan_flush(ta->ch) == 0 &&
			    chan_want_write(ta->ch))
				poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 100);
			if (ta_send_state(ta, i % 2, 0) == -1)
				break;
		}
		ta_event("flood sent=%d", i);
	} else if (!strcmp(h, "nodomid")) {
		/* The HELLO already named no domain (WIRE_DOMID_NONE). */
	} else if (!strcmp(h, "badstate") || !strcmp(h, "nohello")) {
		/* A STATE claiming 5 unsuitable of 1 connection (or before HELLO). */
		memset(buf, 0, sizeof(buf));
		ta_put32(buf, WIRE_T_STATE);
		ta_put32(buf + 4, WIRE_STATE_FIXED_SIZE);
		buf[8] = 1;			/* seq */
		ta_put32(buf + 8 + 24, 1);	/* total */
		ta_put32(buf + 8 + 28, !strcmp(h, "badstate") ? 5 : 0);
		if (write(fd, buf, sizeof(buf)) == -1)
			ta_event("write: %s", strerror(errno));
	} else
		ta_usage();
}

/* After misbehaving: did migbridge close the channel within 5 s? */
static int
ta_hostile_wait(struct ta *ta)
{
	uint64_t	deadline = ta_now_ms() + 5000;
	struct pollfd	pfd = { .fd = chan_fd(ta->ch), .events = POLLIN };

	while (ta_now_ms() < deadline && !ta_stop) {
		if (poll(&pfd, 1, 100) > 0 && chan_read(ta->ch, ta_frame, ta) == -1) {
			ta_event("closed: %s", chan_error(ta->ch));
			return 0;
		}
	}
	ta_event("still open");
	return 1;
}

static void
ta_xs_open(struct ta *ta)
{
	char	err[256];

	if ((ta->xs = migxs_open_dir(ta->xsdir, ta->domid, err, sizeof(err))) == NULL) {
		fprintf(stderr, "testagent: %s: %s\n", ta->xsdir, err);
		exit(1);
	}
	if (migxs_write(ta->xs, MIGXS_QUIESCE, "0") == -1 ||
	    migxs_write(ta->xs, MIGXS_STATE, MIGXS_STATE_SERVING) == -1 ||
	    migxs_watch(ta->xs, MIGXS_QUIESCE, "quiesce") == -1) {
		fprintf(stderr, "testagent: %s: cannot set up the quiesce keys\n", ta->xsdir);
		exit(1);
	}
	ta_event("serving");
}

/* The quiesce key changed: 1 = close before the stop, 0 = serve again. */
static void
ta_xs_event(struct ta *ta)
{
	char	path[256], token[64], val[MIGXS_VALUE_MAX];

	while (migxs_next_event(ta->xs, path, sizeof(path), token, sizeof(token)) == 1) {
		if (migxs_read(ta->xs, MIGXS_QUIESCE, val, sizeof(val)) == -1)
			continue;
		if (!strcmp(val, "1") && !ta->quiesced) {
			if (ta->never_quiesce) {
				ta_event("quiesce ignored");
				continue;
			}
			if (ta->ch) {
				ta_send_state(ta, ta_scheduled(ta), 0);
				ta_send_bye(ta, WIRE_BYE_QUIESCE, "quiesced for migration");
				chan_close(ta->ch);
				ta->ch = NULL;
			}
			ta->quiesced = 1;
			migxs_write(ta->xs, MIGXS_STATE, MIGXS_STATE_QUIESCED);
			ta_event("quiesced");
		} else if (!strcmp(val, "0") && ta->quiesced) {
			ta->quiesced = 0;
			ta->next_connect_ms = 0;
			migxs_write(ta->xs, MIGXS_STATE, MIGXS_STATE_SERVING);
			ta_event("serving");
		}
	}
}

/* Push on a change of the schedule and as a 1 s heartbeat. */
static void
ta_tick(struct ta *ta)
{
	uint32_t	u = ta_scheduled(ta);

	if (ta->ch == NULL)
		return;
	if (u != ta->unsuitable)
		ta_event("state unsuitable=%u", u);
	if (u != ta->unsuitable || ta_now_ms() - ta->last_push_ms >= 1000)
		if (ta_send_state(ta, u, 0) == -1)
			ta_disconnect(ta, chan_error(ta->ch));
}

static void
ta_poll(struct ta *ta)
{
	struct pollfd	pfd[2];
	int		n = 0, ci = -1, xi = -1;

	if (ta->ch) {
		pfd[n].fd = chan_fd(ta->ch);
		pfd[n].events = POLLIN | (chan_want_write(ta->ch) ? POLLOUT : 0);
		ci = n++;
	}
	if (ta->xs) {
		pfd[n].fd = migxs_fd(ta->xs);
		pfd[n].events = POLLIN;
		xi = n++;
	}
	if (poll(pfd, n, 50) <= 0)
		return;
	if (ci >= 0 && (pfd[ci].revents & POLLOUT) && chan_flush(ta->ch) == -1)
		ta_disconnect(ta, chan_error(ta->ch));
	else if (ci >= 0 && (pfd[ci].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    chan_read(ta->ch, ta_frame, ta) == -1)
		ta_disconnect(ta, chan_error(ta->ch));
	if (xi >= 0 && pfd[xi].revents)
		ta_xs_event(ta);
}

static void
ta_sigterm(int sig)
{
	(void)sig;
	ta_stop = 1;
}

int
main(int argc, char **argv)
{
	struct ta	ta = { .name = "testagent", .domid = WIRE_DOMID_NONE };
	int		ch;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ta_parse_schedule(&ta, "0");
	while ((ch = getopt(argc, argv, "s:D:n:u:x:Q:H:v")) != -1) {
		switch (ch) {
		case 's': ta.sock = optarg; break;
		case 'D': ta.domid = strtoul(optarg, NULL, 10); break;
		case 'n': ta.name = optarg; break;
		case 'u': ta_parse_schedule(&ta, optarg); break;
		case 'x': ta.xsdir = optarg; break;
		case 'Q': ta.never_quiesce = !strcmp(optarg, "never"); break;
		case 'H': ta.hostile = optarg; break;
		case 'v': ta.verbose = 1; break;
		default: ta_usage();
		}
	}
	if (ta.hostile && !strcmp(ta.hostile, "nodomid"))
		ta.domid = WIRE_DOMID_NONE;
	if (ta.sock == NULL || (ta.domid == WIRE_DOMID_NONE && !ta.hostile))
		ta_usage();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, ta_sigterm);
	signal(SIGINT, ta_sigterm);
	ta.start_ms = ta_now_ms();
	if (ta.xsdir)
		ta_xs_open(&ta);
	if (ta.hostile) {
		while (ta.ch == NULL && !ta_stop) {
			ta_connect(&ta);
			if (ta.ch == NULL)
				usleep(100000);
		}
		if (ta_stop)
			return 1;
		ta_misbehave(&ta);
		ch = ta_hostile_wait(&ta);
		chan_close(ta.ch);
		return ch;
	}
	while (!ta_stop) {
		if (ta.ch == NULL && !ta.quiesced && ta_now_ms() >= ta.next_connect_ms)
			ta_connect(&ta);
		ta_tick(&ta);
		ta_poll(&ta);
	}
	if (ta.ch) {
		ta_send_bye(&ta, WIRE_BYE_NORMAL, "testagent exits");
		chan_close(ta.ch);
	}
	if (ta.xs)
		migxs_close(ta.xs);
	ta_event("exit");
	return 0;
}
