/*
 * migbridge.c - the Dom-0 daemon's lifecycle: options, configuration,
 * logging, daemonizing, signals, the event loop.  See migbridge(8).
 *
 * migbridge keeps the latest state every guest agent reports (uplink.c,
 * over unix sockets or vchans found through xenstore, xen.c) and answers
 * the precopy hook and migbridge-ctl on the query socket (query.c) with
 * verdicts from the policy (policy.c).
 */
#include <sys/stat.h>
#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "migbridge.h"

static struct bridge	 bridge_store;
struct bridge		*bridge = &bridge_store;

uint64_t
bridge_unix_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: migbridge [-dnv] [-f file]\n");
	exit(1);
}

static void
bridge_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: configuration reload not supported, restart migbridge");
		return;
	}
	log_info("%s: exiting", strsignal(w->signum));
	ev_break(loop, EVBREAK_ALL);
}

/* Create the folder of a socket path if missing (one level, mode 0755). */
static void
bridge_mkdir_for(const char *path)
{
	char	copy[BRIDGE_PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	if (mkdir(dirname(copy), 0755) == -1 && errno != EEXIST)
		log_warn("mkdir %s", copy);
}

static void
bridge_open_dlog(void)
{
	const char	*path = bridge->conf.decision_log;

	if (path[0] == '\0')
		return;
	if ((bridge->dlog = fopen(path, "a")) == NULL)
		fatal("decision log %s", path);
	setvbuf(bridge->dlog, NULL, _IOLBF, 0);
}

/* Read the configuration; -n: report and exit. */
static void
bridge_configure(const char *file, int explicit, int check)
{
	struct conf	cf;

	if (config_load(&bridge->conf, file, !explicit, &cf) > 0) {
		conf_print_errors(&cf);
		if (check)
			exit(1);
		fatalx("%s: %d configuration error(s)", file, cf.nerrors);
	}
	if (check) {
		printf("configuration OK\n");
		exit(0);
	}
}

int
main(int argc, char *argv[])
{
	ev_signal	 sigs[3];
	const char	*file = BRIDGE_CONF_FILE;
	int		 ch, fg = 0, check = 0, verbose = 0, explicit = 0, i;
	static const int signums[3] = { SIGTERM, SIGINT, SIGHUP };

	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd': fg = 1; break;
		case 'f': file = optarg; explicit = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("migbridge", 1, verbose);
	bridge_configure(file, explicit, check);
	if (!fg && daemon(0, 0) == -1)
		fatal("daemon");
	log_init("migbridge", fg, verbose);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Each channel holds a 64 KiB frame buffer (struct wire_reader) that
	 * small frames barely touch.  Served by mmap, its untouched pages cost
	 * no memory; from the heap, calloc would clear (touch) all of it.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
	if ((bridge->loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fatalx("cannot initialise libev");
	bridge->start_us = wire_mono_us();
	domain_init();
	bridge_open_dlog();
	bridge_mkdir_for(bridge->conf.query_socket);
	query_listen();
	if (bridge->conf.mode == BRIDGE_MODE_UNIX)
		bridge_mkdir_for(bridge->conf.agent_socket);
	uplink_listen();
	if (bridge->conf.mode == BRIDGE_MODE_XEN)
		xen_start();
	qemu_start();
	for (i = 0; i < 3; i++) {
		ev_signal_init(&sigs[i], bridge_signal_cb, signums[i]);
		ev_signal_start(bridge->loop, &sigs[i]);
	}
	log_info("started (%s mode, policy %s)", bridge->conf.mode ? "xen" : "unix",
	    bridge->conf.policy.enabled ? "enabled" : "disabled");
	ev_run(bridge->loop, 0);
	qemu_stop();
	if (bridge->conf.mode == BRIDGE_MODE_XEN)
		xen_stop();
	uplink_shutdown();
	query_shutdown();
	domain_free_all();
	if (bridge->dlog)
		fclose(bridge->dlog);
	return 0;
}
