/*
 * agent.c - migstate-agent: start-up, the event loop, signals, and the
 * wiring between the sources, the uplink and the quiesce state machine.
 *
 *   migstate-agent [-dnv] [-f file]
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"

static void __attribute__((noreturn))
agent_usage(void)
{
	fprintf(stderr, "usage: migstate-agent [-dnv] [-f file]\n");
	exit(1);
}

long
agent_domid(struct agent *a)
{
	if (a->xs != NULL)
		return a->q.domid;
	return a->conf.domid_set ? (long)a->conf.domid : -1;
}

int
agent_chan_stale(struct agent *a, long chan_domid)
{
	long	now;

	if (a->xs == NULL)
		return 0;
	now = quiesce_xs_domid(a->xs);
	return now >= 0 && now != chan_domid;
}

/* The kernel's boot id (a UUID) for HELLO; zeroes if unreadable. */
static void
agent_boot_id(uint8_t id[16])
{
	FILE	*fp;
	char	 line[64], *p;
	int	 n = 0, hi = -1;

	memset(id, 0, 16);
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), fp) != NULL) {
		for (p = line; *p != '\0' && n < 16; p++) {
			if (!isxdigit((unsigned char)*p))
				continue;
			int v = isdigit((unsigned char)*p) ? *p - '0' :
			    tolower((unsigned char)*p) - 'a' + 10;
			if (hi < 0)
				hi = v;
			else {
				id[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
	}
	fclose(fp);
}

/* ------------------------------------------------------------ quiesce ops */
static void
agent_q_last_state(void *arg)
{
	struct agent	*a = arg;

	uplink_push_now(&a->up);
}

static void
agent_q_close(void *arg)
{
	struct agent	*a = arg;

	uplink_stop(&a->up, UPLINK_STOP_CLOSE);
}

static void
agent_q_abandon(void *arg)
{
	struct agent	*a = arg;

	uplink_stop(&a->up, UPLINK_STOP_ABANDON);
}

static void
agent_q_serve(void *arg)
{
	struct agent	*a = arg;

	uplink_start(&a->up);
}

static void
agent_q_write(void *arg, const char *path, const char *value)
{
	struct agent	*a = arg;

	if (migxs_write(a->xs, path, value) == -1)
		log_warn("xenstore: cannot write %s = %s", path, value);
}

static void
agent_q_timer(void *arg, int on)
{
	struct agent	*a = arg;

	ev_timer_stop(a->loop, &a->quiesce_tm);
	if (on) {
		ev_timer_set(&a->quiesce_tm, a->conf.quiesce_timeout_ms / 1000.0, 0.);
		ev_timer_start(a->loop, &a->quiesce_tm);
	}
}

static const struct quiesce_ops agent_quiesce_ops = {
	.send_last_state = agent_q_last_state,
	.close_chan = agent_q_close,
	.abandon_chan = agent_q_abandon,
	.serve_chan = agent_q_serve,
	.write_key = agent_q_write,
	.timer = agent_q_timer,
};

static void
agent_quiesce_tm_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct agent	*a = w->data;

	(void)loop;
	(void)revents;
	quiesce_on_timeout(&a->q);
}

/* ------------------------------------------------------------ lifecycle */
static void
agent_source_changed(void *arg)
{
	struct agent	*a = arg;

	uplink_changed(&a->up);
}

/* SIGHUP: re-read the file; only the [service] sections are applied. */
static void
agent_reload(struct agent *a)
{
	static struct agent_conf	 nc;
	struct conf			 cf = { 0 };
	char				 err[512];
	int				 i;

	config_defaults(&nc, config_xen_guest());
	if (config_load(&nc, &cf, a->conf_file) != 0) {
		for (i = 0; i < cf.nerrors && i < CONF_MAX_ERRORS; i++)
			log_warnx("SIGHUP: %s", cf.errors[i]);
		log_warnx("SIGHUP: %s has errors; the running configuration stays",
		    a->conf_file);
		return;
	}
	if (a->proxy == NULL && nc.nsvc > 0)
		a->proxy = proxy_new(a->loop, &a->srcs, &nc, err, sizeof(err));
	else if (a->proxy != NULL && proxy_reload(a->proxy, &nc, err, sizeof(err)) == -1)
		log_warnx("SIGHUP: %s", err);
	if (a->proxy == NULL && nc.nsvc > 0) {
		log_warnx("SIGHUP: %s; services not started", err);
		return;
	}
	memcpy(a->conf.svc, nc.svc, sizeof(nc.svc));
	a->conf.nsvc = nc.nsvc;
	a->conf.shutdown_timeout_ms = nc.shutdown_timeout_ms;
	log_info("SIGHUP: services reloaded (%u); [agent] and [apache] changes need a "
	    "restart", nc.nsvc);
}

/* The end: orderly BYE, xenstore keys removed, the loop left. */
static void
agent_finish(void *arg)
{
	struct agent	*a = arg;

	ev_timer_stop(a->loop, &a->shutdown_tm);
	uplink_shutdown(&a->up);
	if (a->xs != NULL) {
		quiesce_xs_stop(&a->qx);
		/* No agent: the hook finds no keys and does not wait for one. */
		migxs_rm(a->xs, MIGXS_QUIESCE);
		migxs_rm(a->xs, MIGXS_STATE);
	}
	ev_break(a->loop, EVBREAK_ALL);
}

static void
agent_shutdown_tm_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct agent	*a = w->data;

	(void)loop;
	(void)revents;
	log_info("shutdown_timeout: closing %u open connections", proxy_nconns(a->proxy));
	agent_finish(a);
}

static void
agent_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct agent	*a = w->data;

	(void)revents;
	if (w->signum == SIGHUP) {
		agent_reload(a);
		return;
	}
	if (a->proxy == NULL || ev_is_active(&a->shutdown_tm) ||
	    proxy_nconns(a->proxy) == 0 || a->conf.shutdown_timeout_ms == 0) {
		log_info("signal %d: shutting down", w->signum);
		agent_finish(a);
		return;
	}
	log_info("signal %d: no longer accepting; waiting up to %.1f s for %u open "
	    "connections", w->signum, a->conf.shutdown_timeout_ms / 1000.0,
	    proxy_nconns(a->proxy));
	ev_timer_set(&a->shutdown_tm, a->conf.shutdown_timeout_ms / 1000.0, 0.);
	ev_timer_start(loop, &a->shutdown_tm);
	proxy_drain(a->proxy, agent_finish, a);
}

/* Open xenstore as configured; fatal if it is configured and unreachable. */
static void
agent_open_xs(struct agent *a)
{
	char	err[256] = "";

	switch (a->conf.xs) {
	case AGENT_XS_XEN:
		a->xs = migxs_open_xen(err, sizeof(err));
		break;
	case AGENT_XS_DIR:
		a->xs = migxs_open_dir(a->conf.xs_dir, a->conf.domid_set ?
		    a->conf.domid : 0, err, sizeof(err));
		break;
	default:
		return;
	}
	if (a->xs == NULL)
		fatalx("xenstore: %s", err);
}

static void
agent_setup(struct agent *a)
{
	struct source	*s;

	agent_boot_id(a->boot_id);
	sources_init(&a->srcs, agent_source_changed, a);
	if (a->conf.apache) {
		if ((s = src_shm_new("apache", a->conf.apache_shm)) == NULL ||
		    sources_add(&a->srcs, s) == -1)
			fatalx("cannot create the apache source");
	}
	uplink_init(&a->up, a);
	ev_signal_init(&a->sig_term, agent_signal_cb, SIGTERM);
	ev_signal_init(&a->sig_int, agent_signal_cb, SIGINT);
	ev_signal_init(&a->sig_hup, agent_signal_cb, SIGHUP);
	a->sig_term.data = a->sig_int.data = a->sig_hup.data = a;
	ev_signal_start(a->loop, &a->sig_term);
	ev_signal_start(a->loop, &a->sig_int);
	ev_signal_start(a->loop, &a->sig_hup);
	ev_init(&a->quiesce_tm, agent_quiesce_tm_cb);
	a->quiesce_tm.data = a;
	ev_init(&a->shutdown_tm, agent_shutdown_tm_cb);
	a->shutdown_tm.data = a;
	if (a->conf.nsvc > 0) {
		char	err[512];

		if ((a->proxy = proxy_new(a->loop, &a->srcs, &a->conf, err, sizeof(err))) == NULL)
			fatalx("%s", err);
	}

	agent_open_xs(a);
	if (a->xs == NULL) {
		uplink_start(&a->up);
		return;
	}
	quiesce_init(&a->q, &agent_quiesce_ops, a, quiesce_xs_domid(a->xs));
	if (quiesce_xs_start(&a->qx, a->loop, a->xs, &a->q) == -1)
		fatalx("xenstore: cannot watch the quiesce keys");
	quiesce_start(&a->q);
}

static void
agent_teardown(struct agent *a)
{
	proxy_free(a->proxy);
	a->proxy = NULL;
	sources_close(&a->srcs);
	if (a->xs != NULL)
		migxs_close(a->xs);
}

int
main(int argc, char *argv[])
{
	static struct agent	 agent;
	struct agent		*a = &agent;
	struct conf		 cf = { 0 };
	const char		*file = AGENT_CONF_DEFAULT;
	int			 ch, debug = 0, check = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd': debug = 1; break;
		case 'f': file = optarg; break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		default: agent_usage();
		}
	}
	if (optind != argc)
		agent_usage();
	log_init("migstate-agent", debug || check, verbose);
	{
		static char	abs[PATH_MAX];

		/* daemon() changes to /: SIGHUP needs the absolute path. */
		a->conf_file = realpath(file, abs) != NULL ? abs : file;
	}
	config_defaults(&a->conf, config_xen_guest());
	if (config_load(&a->conf, &cf, file) != 0) {
		conf_print_errors(&cf);
		return 1;
	}
	if (check) {
		char	err[512];

		if (proxy_check(&a->conf, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", file, err);
			return 1;
		}
		fprintf(stderr, "configuration OK\n");
		return 0;
	}
	if (!debug && daemon(0, 0) == -1)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	if ((a->loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("cannot initialise libev");
	log_info("starting: %s uplink%s%s, domain %ld, name \"%s\"",
	    a->conf.uplink == AGENT_UPLINK_UNIX ? "unix" : "vchan",
	    a->conf.uplink == AGENT_UPLINK_UNIX ? " to " : "",
	    a->conf.uplink == AGENT_UPLINK_UNIX ? a->conf.socket : "",
	    a->conf.domid_set ? (long)a->conf.domid : -1L, a->conf.name);
	agent_setup(a);
	ev_run(a->loop, 0);
	agent_teardown(a);
	log_info("stopped");
	return 0;
}
