/*
 * migload - a SPECweb2005 Support-like HTTP(S) load generator (libev,
 * OpenSSL): sessions of users walking the Support site's Markov chain
 * with think times, pages with embedded images, downloads read at a line
 * rate; the quality of service as SPECweb counts it, per record in a CSV
 * and summed for the run and for a window (the migration's).  See
 * migload(1).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>

#include "migload.h"

struct migload {
	struct ev_loop		*loop;
	struct ml_opts		 o;
	struct ml_stats		*stats;
	struct session		**s;
	struct psess		**p;	/* POP3 mode */
	ev_timer		 end, progress;
	ev_signal		 sigint, sigterm, sigusr1, sigusr2;
	int			 over;
};

enum {
	OPT_THINK_MEAN = 256, OPT_THINK_MAX, OPT_THINK_MIN, OPT_RAMP, OPT_END_PROB,
	OPT_LINE_RATE, OPT_PAGE_RATE, OPT_BURST, OPT_TIMEOUT, OPT_RCVBUF, OPT_IMAGES, OPT_NO_DL,
	OPT_PAGE_GOOD, OPT_PAGE_TOL, OPT_DL_GOOD, OPT_DL_TOL, OPT_CSV, OPT_WINDOW,
	OPT_WINDOW_FILE, OPT_PROGRESS, OPT_FILESET, OPT_CHAIN, OPT_USER, OPT_PASS, OPT_RETRS
};

static const struct option migload_longopts[] = {
	{ "url",		required_argument, NULL, 'u' },
	{ "sessions",		required_argument, NULL, 'c' },
	{ "duration",		required_argument, NULL, 'd' },
	{ "seed",		required_argument, NULL, 's' },
	{ "insecure",		no_argument,	   NULL, 'k' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "think-mean",		required_argument, NULL, OPT_THINK_MEAN },
	{ "think-max",		required_argument, NULL, OPT_THINK_MAX },
	{ "think-min",		required_argument, NULL, OPT_THINK_MIN },
	{ "ramp",		required_argument, NULL, OPT_RAMP },
	{ "end-prob",		required_argument, NULL, OPT_END_PROB },
	{ "line-rate",		required_argument, NULL, OPT_LINE_RATE },
	{ "page-rate",		required_argument, NULL, OPT_PAGE_RATE },
	{ "burst",		required_argument, NULL, OPT_BURST },
	{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
	{ "rcvbuf",		required_argument, NULL, OPT_RCVBUF },
	{ "images",		required_argument, NULL, OPT_IMAGES },
	{ "no-downloads",	no_argument,	   NULL, OPT_NO_DL },
	{ "page-good",		required_argument, NULL, OPT_PAGE_GOOD },
	{ "page-tolerable",	required_argument, NULL, OPT_PAGE_TOL },
	{ "download-good",	required_argument, NULL, OPT_DL_GOOD },
	{ "download-tolerable",	required_argument, NULL, OPT_DL_TOL },
	{ "csv",		required_argument, NULL, OPT_CSV },
	{ "window",		required_argument, NULL, OPT_WINDOW },
	{ "window-file",	required_argument, NULL, OPT_WINDOW_FILE },
	{ "progress",		required_argument, NULL, OPT_PROGRESS },
	{ "make-fileset",	required_argument, NULL, OPT_FILESET },
	{ "print-chain",	no_argument,	   NULL, OPT_CHAIN },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "password",		required_argument, NULL, OPT_PASS },
	{ "retrs",		required_argument, NULL, OPT_RETRS },
	{ NULL, 0, NULL, 0 }
};

static void
migload_usage(FILE *f)
{
	fputs(
"usage: migload -u URL [options]\n"
"       migload -u pop3[s]://[USER[:PASS]@]HOST[:PORT] [options]\n"
"       migload --make-fileset DIR\n"
"       migload --print-chain\n"
"SPECweb2005 Support-like HTTP(S) load: sessions with think times walk the\n"
"home/search/catalog/product/fileCatalog/file/download chain; pages fetch\n"
"their images on the same keep-alive connection; downloads are read at a\n"
"line rate.  QoS per SPECweb: page Good <= 3 s, Tolerable <= 5 s; download\n"
"Good >= 99000 B/s, Tolerable >= 95000 B/s; else (or on error) Fail.\n"
"POP3 mode (pop3:// or pop3s:// URL): sessions log in, LIST, RETR 1-3\n"
"messages at the line rate thinking after each, QUIT; a command is judged\n"
"as a page; a RETR of N bytes is Good within page-good + N/download-good\n"
"seconds, Tolerable within page-tolerable + N/download-tolerable.\n"
"\n"
"  -u, --url URL            http[s]://host[:port][/prefix]; the file set\n"
"                           (--make-fileset) must be served under prefix\n"
"  -c, --sessions N         concurrent users (default 10)\n"
"  -d, --duration S         seconds to run, 0: until SIGINT/SIGTERM (60)\n"
"  -s, --seed N             random seed (1); same seed, same workload\n"
"  -k, --insecure           do not verify the server's certificate\n"
"      --think-mean S       mean think time, exponential (5)\n"
"      --think-max S        think time cap (75)\n"
"      --think-min S        think time floor (0)\n"
"      --ramp S             spread session starts over S seconds (think-mean)\n"
"      --end-prob P         a user logs off after a page with probability P,\n"
"                           a new one starts at home on a new connection;\n"
"                           below 0.081, home's share (0.05)\n"
"      --line-rate B        download read rate per connection, bytes/s (100000)\n"
"      --page-rate B        page and image read rate per connection, bytes/s;\n"
"                           0: unlimited (default: the line rate, as SPECweb)\n"
"      --burst B            line-rate bucket depth, bytes (16384)\n"
"      --timeout S          fail a request after S seconds without progress (60)\n"
"      --rcvbuf B           client socket receive buffer, bytes (kernel default)\n"
"      --images MIN-MAX     embedded images per page (8-28)\n"
"      --no-downloads       never take the download step\n"
"      --page-good S        page Good bound, seconds (3)\n"
"      --page-tolerable S   page Tolerable bound, seconds (5)\n"
"      --download-good B    download Good rate, bytes/s (99000)\n"
"      --download-tolerable B  download Tolerable rate, bytes/s (95000)\n"
"      --csv FILE           one line per page request or download:\n"
"                           start_ms,end_ms,session,kind,page,done,requests,\n"
"                           bytes,expected,elapsed_ms,rate_Bps,qos,err\n"
"      --window A,B         also sum records overlapping [A, B] (ms since epoch)\n"
"      --window-file FILE   read \"A B\" from FILE at the end (if it exists)\n"
"                           SIGUSR1 / SIGUSR2 mark the window's start / end too\n"
"      --progress S         a progress line on stderr every S seconds (5; 0 off)\n"
"      --make-fileset DIR   create the file set under DIR/support and exit\n"
"      --print-chain        print the transition matrix and exit\n"
"      --user NAME          POP3 user (or in the URL)\n"
"      --password PASS      POP3 password (or in the URL)\n"
"      --retrs MIN-MAX      RETRs per POP3 session (1-3)\n"
"  -h, --help               this text\n", f);
}

static int
migload_num(const char *s, double min, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= min)) {
		fprintf(stderr, "migload: bad number: %s\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* The user[:password]@ of a pop3 URL, if any: into o; advances *h.  0 or -1. */
static int
migload_userinfo(struct ml_opts *o, const char **h)
{
	const char *at = strchr(*h, '@'), *colon;
	size_t ul, pl;

	if (at == NULL || (strchr(*h, '/') != NULL && strchr(*h, '/') < at))
		return 0;
	colon = memchr(*h, ':', (size_t)(at - *h));
	ul = (size_t)((colon ? colon : at) - *h);
	pl = colon ? (size_t)(at - colon - 1) : 0;
	if (ul == 0 || ul >= sizeof(o->user) || pl >= sizeof(o->pass))
		return -1;
	memcpy(o->user, *h, ul);
	o->user[ul] = '\0';
	if (colon != NULL) {
		memcpy(o->pass, colon + 1, pl);
		o->pass[pl] = '\0';
	}
	*h = at + 1;
	return 0;
}

/* http[s]://host[:port][/prefix] or pop3[s]://[user[:pass]@]host[:port] into o.  0 or -1. */
static int
migload_url(struct ml_opts *o, const char *url)
{
	const char *h, *p, *slash;
	size_t hl;

	if (strncasecmp(url, "https://", 8) == 0)
		o->tls = 1, h = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		o->tls = 0, h = url + 7;
	else if (strncasecmp(url, "pop3s://", 8) == 0)
		o->tls = 1, o->proto = ML_POP3, h = url + 8;
	else if (strncasecmp(url, "pop3://", 7) == 0)
		o->tls = 0, o->proto = ML_POP3, h = url + 7;
	else
		goto bad;
	if (o->proto == ML_POP3 && migload_userinfo(o, &h) < 0)
		goto bad;
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = h + strlen(h);
	if (*h == '[') {	/* [v6]:port */
		if ((p = memchr(h, ']', (size_t)(slash - h))) == NULL)
			goto bad;
		hl = (size_t)(p - h - 1), h++, p++;
	} else {
		p = memchr(h, ':', (size_t)(slash - h));
		hl = (size_t)((p ? p : slash) - h);
	}
	if (hl == 0 || hl >= sizeof(o->host))
		goto bad;
	memcpy(o->host, h, hl);
	o->host[hl] = '\0';
	if (p != NULL && *p == ':') {
		if ((size_t)(slash - p - 1) == 0 || (size_t)(slash - p - 1) >= sizeof(o->port))
			goto bad;
		memcpy(o->port, p + 1, (size_t)(slash - p - 1));
		o->port[slash - p - 1] = '\0';
	} else if (o->proto == ML_POP3)
		strcpy(o->port, o->tls ? "995" : "110");
	else
		strcpy(o->port, o->tls ? "443" : "80");
	if (strlen(slash) >= sizeof(o->prefix))
		goto bad;
	strcpy(o->prefix, slash);
	hl = strlen(o->prefix);
	while (hl > 0 && o->prefix[hl - 1] == '/')
		o->prefix[--hl] = '\0';
	return 0;
bad:
	fprintf(stderr, "migload: bad URL: %s\n", url);
	return -1;
}

static void
migload_defaults(struct ml_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->verify = 1;
	o->sessions = 10;
	o->duration = 60;
	o->seed = 1;
	o->think_mean = 5;
	o->think_max = 75;
	o->ramp = -1;
	o->end_prob = 0.05;
	o->line_rate = 100000;
	o->page_rate = -1;
	o->burst = 16384;
	o->timeout = 60;
	o->page_good = 3;
	o->page_tol = 5;
	o->dl_good = 99000;
	o->dl_tol = 95000;
	o->progress = 5;
	o->images_min = 8;
	o->images_max = 28;
	o->retrs_min = 1;
	o->retrs_max = 3;
}

static void
migload_print_chain(void)
{
	int i, j;

	printf("%-12s", "from\\to");
	for (j = 0; j < PAGE_NTYPES; j++)
		printf(" %11s", work_page_name(j));
	printf("\n");
	for (i = 0; i < PAGE_NTYPES; i++) {
		printf("%-12s", work_page_name(i));
		for (j = 0; j < PAGE_NTYPES; j++)
			printf(" %11.4f", work_prob(i, j));
		printf("\n");
	}
	printf("%-12s", "share %");
	for (j = 0; j < PAGE_NTYPES; j++)
		printf(" %11.2f", work_shares(j));
	printf("\n");
}


/* A POP3 option; 0 or -1 on a bad value. */
static int
migload_opt_pop3(struct ml_opts *o, int ch, const char *arg)
{
	int a, b;

	if (ch == OPT_RETRS) {
		if (sscanf(arg, "%d-%d", &a, &b) != 2 || a < 0 || b < a || b > 1000) {
			fprintf(stderr, "migload: bad --retrs: %s\n", arg);
			return -1;
		}
		o->retrs_min = a, o->retrs_max = b;
		return 0;
	}
	if (strlen(arg) >= sizeof(o->user)) {
		fprintf(stderr, "migload: --user or --password too long\n");
		return -1;
	}
	strcpy(ch == OPT_USER ? o->user : o->pass, arg);
	return 0;
}

/* One option; 0, -1 on a bad value, 1 for "exit 0 now". */
static int
migload_opt(struct ml_opts *o, int ch, const char *arg)
{
	double v;
	int a, b;

	switch (ch) {
	case 'u':	return migload_url(o, arg);
	case 'k':	o->verify = 0; return 0;
	case 'c':	if (migload_num(arg, 1, &v) < 0) return -1;
			o->sessions = (int)v; return 0;
	case 'd':	return migload_num(arg, 0, &o->duration);
	case 's':	if (migload_num(arg, 0, &v) < 0) return -1;
			o->seed = (unsigned long)v; return 0;
	case OPT_THINK_MEAN:	return migload_num(arg, 0, &o->think_mean);
	case OPT_THINK_MAX:	return migload_num(arg, 0, &o->think_max);
	case OPT_THINK_MIN:	return migload_num(arg, 0, &o->think_min);
	case OPT_RAMP:		return migload_num(arg, 0, &o->ramp);
	case OPT_END_PROB:	return migload_num(arg, 0, &o->end_prob);
	case OPT_LINE_RATE:	return migload_num(arg, 0, &o->line_rate);
	case OPT_PAGE_RATE:	return migload_num(arg, 0, &o->page_rate);
	case OPT_BURST:		return migload_num(arg, 4096, &o->burst);
	case OPT_TIMEOUT:	return migload_num(arg, 0.1, &o->timeout);
	case OPT_RCVBUF:	if (migload_num(arg, 0, &v) < 0) return -1;
				o->rcvbuf = (int)v; return 0;
	case OPT_IMAGES:
		if (sscanf(arg, "%d-%d", &a, &b) != 2 || a < 0 || b < a || b > 1000) {
			fprintf(stderr, "migload: bad --images: %s\n", arg);
			return -1;
		}
		o->images_min = a, o->images_max = b;
		return 0;
	case OPT_NO_DL:		o->no_downloads = 1; return 0;
	case OPT_PAGE_GOOD:	return migload_num(arg, 0, &o->page_good);
	case OPT_PAGE_TOL:	return migload_num(arg, 0, &o->page_tol);
	case OPT_DL_GOOD:	return migload_num(arg, 0, &o->dl_good);
	case OPT_DL_TOL:	return migload_num(arg, 0, &o->dl_tol);
	case OPT_CSV:		o->csv = arg; return 0;
	case OPT_WINDOW:
		if (sscanf(arg, "%lf,%lf", &o->win_start, &o->win_end) != 2 ||
		    o->win_end < o->win_start) {
			fprintf(stderr, "migload: bad --window: %s\n", arg);
			return -1;
		}
		return 0;
	case OPT_WINDOW_FILE:	o->window_file = arg; return 0;
	case OPT_PROGRESS:	return migload_num(arg, 0, &o->progress);
	case OPT_FILESET:
		if (work_make_fileset(arg, o->seed) < 0)
			return -1;
		return 1;
	case OPT_CHAIN:
		if (work_chain_init(o->end_prob) < 0)
			return -1;
		migload_print_chain();
		return 1;
	case OPT_USER:
	case OPT_PASS:
	case OPT_RETRS:		return migload_opt_pop3(o, ch, arg);
	case 'h':		migload_usage(stdout); return 1;
	default:		migload_usage(stderr); return -1;
	}
}

static void
migload_finish(struct migload *m)
{
	double now = ev_time();
	int i;

	if (m->over)
		return;
	m->over = 1;
	for (i = 0; i < m->o.sessions; i++)
		if (m->p != NULL)
			psess_stop(m->p[i], now);
		else
			session_stop(m->s[i], now);
	ev_break(m->loop, EVBREAK_ALL);
}

static void
migload_end_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	migload_finish(w->data);
}

static void
migload_progress_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct migload *m = w->data;
	int i, busy = 0;

	(void)loop, (void)revents;
	for (i = 0; i < m->o.sessions; i++)
		busy += m->p != NULL ? psess_active(m->p[i]) : session_active(m->s[i]);
	stats_progress(m->stats, ev_time(), busy);
}

static void
migload_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct migload *m = w->data;
	double now = ev_time() * 1e3;

	(void)loop, (void)revents;
	switch (w->signum) {
	case SIGUSR1:
		m->o.win_start = now, m->o.win_end = 0;
		fprintf(stderr, "migload: window starts at %.0f\n", now);
		break;
	case SIGUSR2:
		if (m->o.win_start > 0)
			m->o.win_end = now;
		fprintf(stderr, "migload: window ends at %.0f\n", now);
		break;
	default:
		migload_finish(m);
	}
}

static void
migload_watch(struct migload *m, ev_signal *w, int sig)
{
	ev_signal_init(w, migload_signal_cb, sig);
	w->data = m;
	ev_signal_start(m->loop, w);
}

static int	migload_setup_pop3(struct migload *, SSL_CTX *, uint64_t, double);
static int	migload_timers(struct migload *);

/* Sessions and timers; 0 or -1. */
static int
migload_setup(struct migload *m, SSL_CTX *ctx)
{
	uint64_t seed = m->o.seed * 0x2545f4914f6cdd1dULL + 1;
	double ramp = m->o.ramp >= 0 ? m->o.ramp : m->o.think_mean;
	int i;

	if (m->o.proto == ML_POP3)
		return migload_setup_pop3(m, ctx, seed, ramp);
	if ((m->s = calloc((size_t)m->o.sessions, sizeof(*m->s))) == NULL)
		return -1;
	for (i = 0; i < m->o.sessions; i++) {
		if ((m->s[i] = session_new(m->loop, &m->o, ctx, m->stats, i,
		    seed + (uint64_t)i * 0x9e3779b97f4a7c15ULL)) == NULL)
			return -1;
		session_start(m->s[i], ramp * i / m->o.sessions);
	}
	return migload_timers(m);
}

/* POP3 sessions, then the timers; 0 or -1. */
static int
migload_setup_pop3(struct migload *m, SSL_CTX *ctx, uint64_t seed, double ramp)
{
	int i;

	if ((m->p = calloc((size_t)m->o.sessions, sizeof(*m->p))) == NULL)
		return -1;
	for (i = 0; i < m->o.sessions; i++) {
		if ((m->p[i] = psess_new(m->loop, &m->o, ctx, m->stats, i,
		    seed + (uint64_t)i * 0x9e3779b97f4a7c15ULL)) == NULL)
			return -1;
		psess_start(m->p[i], ramp * i / m->o.sessions);
	}
	return migload_timers(m);
}

/* The end and progress timers and the signals; 0. */
static int
migload_timers(struct migload *m)
{
	if (m->o.duration > 0) {
		ev_timer_init(&m->end, migload_end_cb, m->o.duration, 0);
		m->end.data = m;
		ev_timer_start(m->loop, &m->end);
	}
	if (m->o.progress > 0) {
		ev_timer_init(&m->progress, migload_progress_cb, m->o.progress,
		    m->o.progress);
		m->progress.data = m;
		ev_timer_start(m->loop, &m->progress);
	}
	migload_watch(m, &m->sigint, SIGINT);
	migload_watch(m, &m->sigterm, SIGTERM);
	migload_watch(m, &m->sigusr1, SIGUSR1);
	migload_watch(m, &m->sigusr2, SIGUSR2);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct migload m;
	SSL_CTX *ctx = NULL;
	int ch, rc, i;

	memset(&m, 0, sizeof(m));
	migload_defaults(&m.o);
	while ((ch = getopt_long(argc, argv, "u:c:d:s:kh", migload_longopts, NULL)) != -1)
		if ((rc = migload_opt(&m.o, ch, optarg)) != 0)
			return rc > 0 ? 0 : 2;
	if (work_chain_init(m.o.end_prob) < 0) {
		fprintf(stderr, "migload: --end-prob must be below home's share, 0.081\n");
		return 2;
	}
	if (m.o.page_rate < 0)
		m.o.page_rate = m.o.line_rate;
	if (optind != argc || m.o.host[0] == '\0') {
		migload_usage(stderr);
		return 2;
	}
	if (m.o.proto == ML_POP3 && m.o.user[0] == '\0') {
		fprintf(stderr, "migload: POP3 needs a user (in the URL or --user)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (conn_resolve(&m.o) < 0)
		return 1;
	if (m.o.tls && (ctx = conn_tls_ctx(&m.o)) == NULL) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	m.loop = EV_DEFAULT;
	if ((m.stats = stats_open(&m.o)) == NULL || migload_setup(&m, ctx) < 0) {
		fprintf(stderr, "migload: set-up failed\n");
		return 1;
	}
	fprintf(stderr, "migload: %d sessions on %s%s://%s:%s%s for %.0f s, seed %lu\n",
	    m.o.sessions, m.o.proto == ML_POP3 ? "pop3" : "http", m.o.tls ? "s" : "",
	    m.o.host, m.o.port, m.o.prefix, m.o.duration, m.o.seed);
	ev_run(m.loop, 0);
	stats_summary(m.stats, stdout);
	stats_close(m.stats);
	for (i = 0; i < m.o.sessions; i++)
		if (m.p != NULL)
			psess_free(m.p[i]);
		else
			session_free(m.s[i]);
	free(m.s);
	free(m.p);
	SSL_CTX_free(ctx);
	return 0;
}
