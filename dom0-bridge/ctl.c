/*
 * ctl.c - migbridge-ctl: what migbridge knows, for operators and scripts.
 * See migbridge-ctl(8).
 *
 *   status [--json]    one line (or a JSON object) per domain
 *   watch              status, refreshed
 *   metrics            Prometheus text format
 *   query DOMID ...    ask a DOMAIN-QUERY as the precopy hook would (debug)
 *   end DOMID ...      send MIGRATION-END (debug)
 *
 * A blocking client of the query socket: one request, its answers, with a
 * bound on every wait.
 */
#include <sys/random.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "migwire.h"

#define CTL_SOCKET	"/run/migstate/migbridge.sock"
#define CTL_TIMEOUT_MS	5000
#define CTL_MAX_DOMAINS	65536

struct ctl_reply {
	uint32_t		  want;		/* frame type that ends the wait */
	int			  done;
	const char		 *err;		/* a protocol error, or NULL */
	char			  errbuf[160];
	struct wire_verdict	  verdict;
	struct wire_bridge_status status;
	struct wire_domain_info	 *doms;
	unsigned		  ndoms;
	struct wire_migrate_info  minfo;	/* QEMU mode */
};

static const char	*ctl_socket = CTL_SOCKET;

static void __attribute__((noreturn))
ctl_usage(void)
{
	fprintf(stderr,
	    "usage: migbridge-ctl [-s socket] [--json] status\n"
	    "       migbridge-ctl [-s socket] watch [-i seconds] [-n count]\n"
	    "       migbridge-ctl [-s socket] metrics\n"
	    "       migbridge-ctl [-s socket] query DOMID [--iteration N] [--dirty N]\n"
	    "                     [--stock stop|continue] [--mig HEXID] [--fresh]\n"
	    "       migbridge-ctl [-s socket] end DOMID --mig HEXID [--result N]\n"
	    "       migbridge-ctl [-s socket] migrate DOMID --to URI [--downtime MS]\n"
	    "                     [--deadline S] [--no-wait]\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
ctl_die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "migbridge-ctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static struct chan *
ctl_connect(void)
{
	struct chan	*ch;
	char		 err[256];

	if ((ch = chan_unix_connect(ctl_socket, err, sizeof(err))) == NULL)
		ctl_die("migbridge not running? cannot connect to %s: %s", ctl_socket, err);
	return ch;
}

/* chan_frame_cb: sanitize and keep one answer frame. */
static int
ctl_frame(void *arg, uint32_t type, const uint8_t *p, uint32_t len)
{
	struct ctl_reply	*r = arg;
	struct wire_error	 e;
	struct wire_domain_info	*d;
	const char		*why = NULL;
	int			 rc = 0;

	switch (type) {
	case WIRE_T_VERDICT:
		rc = wire_sanitize_verdict(p, len, &r->verdict, &why);
		break;
	case WIRE_T_BRIDGE_STATUS:
		rc = wire_sanitize_bridge_status(p, len, &r->status, &why);
		break;
	case WIRE_T_DOMAIN_INFO:
		if (r->ndoms >= CTL_MAX_DOMAINS ||
		    (d = realloc(r->doms, (r->ndoms + 1) * sizeof(*d))) == NULL) {
			r->err = "too many domains";
			return -1;
		}
		r->doms = d;
		rc = wire_sanitize_domain_info(p, len, &r->doms[r->ndoms++], &why);
		break;
	case WIRE_T_LIST_END:
		break;
	case WIRE_T_MIGRATE_INFO:
		rc = wire_sanitize_migrate_info(p, len, &r->minfo, &why);
		break;
	case WIRE_T_ERROR:
		if (wire_sanitize_error(p, len, &e, &why) == 0) {
			snprintf(r->errbuf, sizeof(r->errbuf), "migbridge: %s", e.text);
			why = r->errbuf;
		}
		rc = -1;
		break;
	default:
		why = "unexpected frame";
		rc = -1;
	}
	if (rc == -1) {
		r->err = why;
		return -1;
	}
	if (type == r->want)
		r->done = 1;
	return 0;
}

/* Send frame (if len) and wait until r->want arrives; exits on failure. */
static void
ctl_exchange(struct chan *ch, const uint8_t *frame, size_t len, struct ctl_reply *r)
{
	struct pollfd	pfd = { .fd = chan_fd(ch) };
	int		n;

	r->done = 0;
	if (len && chan_send_frame(ch, frame, len) == -1)
		ctl_die("send: %s", chan_error(ch));
	while (!r->done) {
		pfd.events = POLLIN | (chan_want_write(ch) ? POLLOUT : 0);
		if ((n = poll(&pfd, 1, CTL_TIMEOUT_MS)) == -1 && errno != EINTR)
			ctl_die("poll: %s", strerror(errno));
		if (n == 0)
			ctl_die("no answer from migbridge within %d ms", CTL_TIMEOUT_MS);
		if ((pfd.revents & POLLOUT) && chan_flush(ch) == -1)
			ctl_die("send: %s", chan_error(ch));
		if ((pfd.revents & (POLLIN | POLLHUP)) && chan_read(ch, ctl_frame, r) == -1)
			ctl_die("%s", r->err ? r->err : chan_error(ch));
	}
}

static void
ctl_fetch(struct ctl_reply *r)
{
	uint8_t		 buf[WIRE_HDR_SIZE];
	struct chan	*ch = ctl_connect();

	memset(r, 0, sizeof(*r));
	r->want = WIRE_T_BRIDGE_STATUS;
	ctl_exchange(ch, buf, wire_encode_empty(buf, sizeof(buf), WIRE_T_STATUS), r);
	r->want = WIRE_T_LIST_END;
	ctl_exchange(ch, buf, wire_encode_empty(buf, sizeof(buf), WIRE_T_LIST), r);
	chan_close(ch);
}

static void
ctl_age(uint64_t age_us, char *buf, size_t cap)
{
	if (age_us == WIRE_AGE_NONE)
		snprintf(buf, cap, "-");
	else if (age_us < 10000000)
		snprintf(buf, cap, "%.1fs", age_us / 1e6);
	else
		snprintf(buf, cap, "%" PRIu64 "s", age_us / 1000000);
}

static const char *
ctl_link(const struct wire_domain_info *d)
{
	if (d->flags & WIRE_DI_GONE)
		return "gone";
	return d->flags & WIRE_DI_CONNECTED ? "connected" : "disconnected";
}

static void
ctl_print_status(const struct ctl_reply *r)
{
	const struct wire_bridge_status	*s = &r->status;
	const struct wire_domain_info	*d;
	char				 age[24], verdict[40];
	unsigned			 i, k;

	printf("migbridge: up %" PRIu64 "s, %s mode, %u domains (%u connected), "
	    "%" PRIu64 " queries (%" PRIu64 " fail-open), %" PRIu64 " rejects\n",
	    s->uptime_us / 1000000, s->mode ? "xen" : "unix", s->domains, s->connected,
	    s->queries, s->failopen, s->rejects);
	printf("%-6s %-16s %-22s %-12s %5s %6s %6s %-24s %s\n", "DOMID", "NAME", "AGENT",
	    "LINK", "CONNS", "UNSUIT", "AGE", "LAST VERDICT", "UNSUITABLE BY REASON");
	for (i = 0; i < r->ndoms; i++) {
		d = &r->doms[i];
		ctl_age(d->state_age_us, age, sizeof(age));
		if (d->last_vreason < WIRE_VR_MAX)
			snprintf(verdict, sizeof(verdict), "%s/%s",
			    d->last_decision == WIRE_D_STOP ? "stop" : "continue",
			    wire_vreason_name(d->last_vreason));
		else
			snprintf(verdict, sizeof(verdict), "-");
		printf("%-6u %-16s %-22s %-12s %5u %6u %6s %-24s", d->domid,
		    d->name[0] ? d->name : "-", d->software[0] ? d->software : "-",
		    ctl_link(d), d->total, d->unsuitable, age, verdict);
		for (k = 0; k < WIRE_REASON_FIRST_SUITABLE; k++)
			if (d->reasons[k])
				printf(" %s=%u", wire_reason_name(k), d->reasons[k]);
		printf("%s\n", d->unsuitable ? "" : " -");
	}
}

/* A JSON string; the wire only lets printable ASCII through. */
static void
ctl_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
ctl_json_domain(const struct wire_domain_info *d)
{
	unsigned	k;

	printf("{\"domid\":%u,\"name\":", d->domid);
	ctl_json_str(d->name);
	printf(",\"software\":");
	ctl_json_str(d->software);
	printf(",\"link\":\"%s\",\"migrating\":%s,\"connections\":%u,\"unsuitable\":%u",
	    ctl_link(d), d->flags & WIRE_DI_MIGRATING ? "true" : "false", d->total,
	    d->unsuitable);
	printf(",\"reasons\":{");
	for (k = 0; k < WIRE_REASON_MAX; k++)
		printf("%s\"%s\":%u", k ? "," : "", wire_reason_name(k), d->reasons[k]);
	if (d->state_age_us == WIRE_AGE_NONE)
		printf("},\"state_age_us\":null");
	else
		printf("},\"state_age_us\":%" PRIu64, d->state_age_us);
	printf(",\"state_seq\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"rejects\":%" PRIu64,
	    d->state_seq, d->frames, d->rejects);
	if (d->last_vreason < WIRE_VR_MAX)
		printf(",\"last_verdict\":\"%s\",\"last_reason\":\"%s\"",
		    d->last_decision == WIRE_D_STOP ? "stop" : "continue",
		    wire_vreason_name(d->last_vreason));
	else
		printf(",\"last_verdict\":null,\"last_reason\":null");
	printf(",\"verdicts\":{");
	for (k = 0; k < WIRE_VR_MAX; k++)
		printf("%s\"%s\":%u", k ? "," : "", wire_vreason_name(k), d->verdicts[k]);
	printf("}}");
}

static void
ctl_print_json(const struct ctl_reply *r)
{
	const struct wire_bridge_status	*s = &r->status;
	unsigned			 i;

	printf("{\"uptime_us\":%" PRIu64 ",\"mode\":\"%s\",\"version\":%u,\"queries\":%"
	    PRIu64 ",\"failopen\":%" PRIu64 ",\"rejects\":%" PRIu64 ",\"domains\":[",
	    s->uptime_us, s->mode ? "xen" : "unix", s->version, s->queries, s->failopen,
	    s->rejects);
	for (i = 0; i < r->ndoms; i++) {
		if (i)
			putchar(',');
		ctl_json_domain(&r->doms[i]);
	}
	printf("]}\n");
}

static void
ctl_metric_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus text exposition format, version 0.0.4. */
static void
ctl_print_metrics(const struct ctl_reply *r)
{
	const struct wire_bridge_status	*s = &r->status;
	const struct wire_domain_info	*d;
	unsigned			 i, k;

	ctl_metric_head("migbridge_uptime_seconds", "gauge", "Time since migbridge started.");
	printf("migbridge_uptime_seconds %.3f\n", s->uptime_us / 1e6);
	ctl_metric_head("migbridge_queries_total", "counter", "DOMAIN-QUERY answered.");
	printf("migbridge_queries_total %" PRIu64 "\n", s->queries);
	ctl_metric_head("migbridge_failopen_total", "counter", "Fail-open verdicts.");
	printf("migbridge_failopen_total %" PRIu64 "\n", s->failopen);
	ctl_metric_head("migbridge_rejects_total", "counter",
	    "Guest channels dropped for bad input.");
	printf("migbridge_rejects_total %" PRIu64 "\n", s->rejects);
	ctl_metric_head("migbridge_domains", "gauge", "Domains known.");
	printf("migbridge_domains %u\n", s->domains);
	ctl_metric_head("migbridge_agents_connected", "gauge", "Domains with a live agent channel.");
	printf("migbridge_agents_connected %u\n", s->connected);
#define DOMLOOP for (i = 0; i < r->ndoms && (d = &r->doms[i]); i++)
	ctl_metric_head("migbridge_domain_connected", "gauge", "1 if the agent channel is up.");
	DOMLOOP printf("migbridge_domain_connected{domid=\"%u\"} %d\n", d->domid,
	    !!(d->flags & WIRE_DI_CONNECTED));
	ctl_metric_head("migbridge_domain_connections", "gauge",
	    "Guest connections by state, from the latest report.");
	DOMLOOP for (k = 0; k < WIRE_REASON_MAX; k++)
		printf("migbridge_domain_connections{domid=\"%u\",reason=\"%s\"} %u\n",
		    d->domid, wire_reason_name(k), d->reasons[k]);
	ctl_metric_head("migbridge_domain_state_age_seconds", "gauge",
	    "Age of the latest report (absent if none).");
	DOMLOOP if (d->state_age_us != WIRE_AGE_NONE)
		printf("migbridge_domain_state_age_seconds{domid=\"%u\"} %.6f\n", d->domid,
		    d->state_age_us / 1e6);
	ctl_metric_head("migbridge_domain_verdicts_total", "counter", "Verdicts by reason.");
	DOMLOOP for (k = 0; k < WIRE_VR_MAX; k++)
		printf("migbridge_domain_verdicts_total{domid=\"%u\",reason=\"%s\"} %u\n",
		    d->domid, wire_vreason_name(k), d->verdicts[k]);
	ctl_metric_head("migbridge_domain_frames_total", "counter", "Frames accepted from the agent.");
	DOMLOOP printf("migbridge_domain_frames_total{domid=\"%u\"} %" PRIu64 "\n",
	    d->domid, d->frames);
	ctl_metric_head("migbridge_domain_rejects_total", "counter",
	    "Agent channels dropped for bad input.");
	DOMLOOP printf("migbridge_domain_rejects_total{domid=\"%u\"} %" PRIu64 "\n",
	    d->domid, d->rejects);
#undef DOMLOOP
}

static uint64_t
ctl_num(const char *opt, const char *v, int base)
{
	char			*end;
	unsigned long long	 n;

	errno = 0;
	n = strtoull(v, &end, base);
	if (errno || *end || end == v)
		ctl_die("%s: \"%s\" is not a number", opt, v);
	return n;
}

static uint32_t
ctl_domid(const char *v)
{
	uint64_t	n = ctl_num("DOMID", v, 10);

	if (n >= WIRE_DOMID_NONE)
		ctl_die("DOMID %s out of range", v);
	return n;
}

/* query DOMID [options]: one DOMAIN-QUERY, its VERDICT as one line. */
static int
ctl_query(int argc, char **argv)
{
	uint8_t			 buf[WIRE_HDR_SIZE + WIRE_DOMAIN_QUERY_SIZE];
	struct wire_domain_query dq;
	struct ctl_reply	 r;
	struct wire_verdict	*v = &r.verdict;
	struct chan		*ch;
	int			 i;

	if (argc < 2)
		ctl_usage();
	memset(&dq, 0, sizeof(dq));
	dq.domid = ctl_domid(argv[1]);
	dq.iteration = 5;
	dq.dirty_count = -1;
	dq.stock = WIRE_D_STOP;
	for (i = 2; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--fresh")) {
			dq.flags |= WIRE_DQ_FRESH;
			continue;
		}
		if (a == NULL)
			ctl_usage();
		i++;
		if (!strcmp(o, "--iteration"))
			dq.iteration = ctl_num(o, a, 10);
		else if (!strcmp(o, "--dirty"))
			dq.dirty_count = !strcmp(a, "-1") ? -1 : (int64_t)ctl_num(o, a, 10);
		else if (!strcmp(o, "--stock") && (!strcmp(a, "stop") || !strcmp(a, "continue")))
			dq.stock = !strcmp(a, "stop") ? WIRE_D_STOP : WIRE_D_CONTINUE;
		else if (!strcmp(o, "--mig"))
			dq.migration_id = ctl_num(o, a, 16);
		else
			ctl_usage();
	}
	while (dq.migration_id == 0)
		if (getrandom(&dq.migration_id, sizeof(dq.migration_id), 0) == -1)
			ctl_die("getrandom: %s", strerror(errno));
	ch = ctl_connect();
	memset(&r, 0, sizeof(r));
	r.want = WIRE_T_VERDICT;
	ctl_exchange(ch, buf, wire_encode_domain_query(buf, sizeof(buf), &dq), &r);
	chan_close(ch);
	printf("domid=%u mig=%" PRIx64 " verdict=%s reason=%s total=%u unsuitable=%u "
	    "tolerance=%u deferrals=%u age_us=%" PRId64 " deferred_us=%" PRIu64 "\n",
	    dq.domid, v->migration_id, v->decision == WIRE_D_STOP ? "stop" : "continue",
	    wire_vreason_name(v->vreason), v->total, v->unsuitable, v->tolerance,
	    v->deferrals, v->state_age_us == WIRE_AGE_NONE ? -1 : (int64_t)v->state_age_us,
	    v->deferred_us);
	return 0;
}

/* end DOMID --mig ID [--result N]: MIGRATION-END, then a STATUS as a barrier. */
static int
ctl_end(int argc, char **argv)
{
	uint8_t			  buf[WIRE_HDR_SIZE + WIRE_MIGRATION_END_SIZE];
	struct wire_migration_end me;
	struct ctl_reply	  r;
	struct chan		 *ch;
	int			  i;

	if (argc < 2)
		ctl_usage();
	memset(&me, 0, sizeof(me));
	me.domid = ctl_domid(argv[1]);
	me.stopped_unsuitable = UINT32_MAX;
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mig"))
			me.migration_id = ctl_num(argv[i], argv[i + 1], 16);
		else if (!strcmp(argv[i], "--result"))
			me.result = atoi(argv[i + 1]);
		else
			ctl_usage();
	}
	if (i != argc || me.migration_id == 0)
		ctl_usage();
	ch = ctl_connect();
	if (chan_send_frame(ch, buf, wire_encode_migration_end(buf, sizeof(buf), &me)) == -1)
		ctl_die("send: %s", chan_error(ch));
	memset(&r, 0, sizeof(r));
	r.want = WIRE_T_BRIDGE_STATUS;
	ctl_exchange(ch, buf, wire_encode_empty(buf, sizeof(buf), WIRE_T_STATUS), &r);
	chan_close(ch);
	return 0;
}

static const char *
ctl_mphase(uint32_t phase)
{
	static const char *const names[WIRE_MP_MAX] = { "none", "gated", "released",
	    "switchover", "completed", "failed" };

	return phase < WIRE_MP_MAX ? names[phase] : "?";
}

/* One MIGRATE or MIGRATE-STATUS exchange; the answer in r->minfo. */
static void
ctl_migrate_ask(const uint8_t *frame, size_t len, struct ctl_reply *r)
{
	struct chan	*ch = ctl_connect();

	memset(r, 0, sizeof(*r));
	r->want = WIRE_T_MIGRATE_INFO;
	ctl_exchange(ch, frame, len, r);
	chan_close(ch);
}

/*
 * migrate DOMID --to URI [--downtime MS] [--deadline S] [--no-wait]: QEMU
 * mode; migbridge drives the migration; wait for its end (every 200 ms a
 * MIGRATE-STATUS) and print one line.  Exit 0 if it completed.
 */
static int
ctl_migrate(int argc, char **argv)
{
	uint8_t				buf[WIRE_HDR_SIZE + WIRE_MIGRATE_SIZE];
	struct wire_migrate		m;
	struct wire_migrate_status	ms;
	struct ctl_reply		r;
	const struct wire_migrate_info	*mi = &r.minfo;
	int				i, nowait = 0;

	if (argc < 2)
		ctl_usage();
	memset(&m, 0, sizeof(m));
	ms.domid = m.domid = ctl_domid(argv[1]);
	m.downtime_ms = 300;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--no-wait")) {
			nowait = 1;
			continue;
		}
		if (i + 1 == argc)
			ctl_usage();
		if (!strcmp(argv[i], "--to") && strlen(argv[i + 1]) < sizeof(m.uri))
			snprintf(m.uri, sizeof(m.uri), "%s", argv[i + 1]);
		else if (!strcmp(argv[i], "--downtime"))
			m.downtime_ms = ctl_num(argv[i], argv[i + 1], 10);
		else if (!strcmp(argv[i], "--deadline"))
			m.deadline_ms = ctl_num(argv[i], argv[i + 1], 10) * 1000;
		else
			ctl_usage();
		i++;
	}
	if (m.uri[0] == '\0')
		ctl_usage();
	ctl_migrate_ask(buf, wire_encode_migrate(buf, sizeof(buf), &m), &r);
	while (!nowait && mi->phase != WIRE_MP_COMPLETED && mi->phase != WIRE_MP_FAILED) {
		usleep(200 * 1000);
		ctl_migrate_ask(buf, wire_encode_migrate_status(buf, sizeof(buf), &ms), &r);
	}
	printf("domid=%u migration=%s passes=%u deferrals=%u released_ms=%" PRId64
	    " elapsed_ms=%" PRIu64 " pre_total=%u pre_unsuitable=%d text=\"%s\"\n",
	    mi->domid, ctl_mphase(mi->phase), mi->passes, mi->deferrals,
	    mi->released_us == WIRE_AGE_NONE ? -1 : (int64_t)(mi->released_us / 1000),
	    mi->elapsed_us / 1000, mi->pre_total,
	    mi->pre_unsuitable == UINT32_MAX ? -1 : (int)mi->pre_unsuitable, mi->text);
	return nowait || mi->phase == WIRE_MP_COMPLETED ? 0 : 1;
}

/* watch [-i secs] [-n count]: status every interval, count times (0: forever). */
static int
ctl_watch(int argc, char **argv)
{
	struct ctl_reply r;
	double		 secs = 1;
	long		 count = 0, n;
	int		 i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-i") && (secs = atof(argv[i + 1])) >= 0.1)
			continue;
		if (!strcmp(argv[i], "-n") && (count = atol(argv[i + 1])) > 0)
			continue;
		ctl_usage();
	}
	if (i != argc)
		ctl_usage();
	for (n = 0; count == 0 || n < count; n++) {
		if (n > 0)
			usleep(secs * 1e6);
		ctl_fetch(&r);
		if (isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		ctl_print_status(&r);
		fflush(stdout);
		free(r.doms);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl_reply r;
	int		 json = 0;

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		if (!strcmp(argv[0], "-s") && argc > 1) {
			ctl_socket = argv[1];
			argc--, argv++;
		} else if (!strcmp(argv[0], "--json"))
			json = 1;
		else
			ctl_usage();
	}
	if (argc < 1)
		ctl_usage();
	if (!strcmp(argv[0], "status") && argc == 2 && !strcmp(argv[1], "--json"))
		json = 1, argc--;
	if (!strcmp(argv[0], "query"))
		return ctl_query(argc, argv);
	if (!strcmp(argv[0], "end"))
		return ctl_end(argc, argv);
	if (!strcmp(argv[0], "watch"))
		return ctl_watch(argc, argv);
	if (!strcmp(argv[0], "migrate"))
		return ctl_migrate(argc, argv);
	if (argc != 1 || (strcmp(argv[0], "status") && strcmp(argv[0], "metrics")))
		ctl_usage();
	ctl_fetch(&r);
	if (!strcmp(argv[0], "metrics"))
		ctl_print_metrics(&r);
	else if (json)
		ctl_print_json(&r);
	else
		ctl_print_status(&r);
	free(r.doms);
	return 0;
}
