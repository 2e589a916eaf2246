/*
 * xg_harness.c - libxenguest-harness.so: a stand-in for libxenguest that
 * exports xc_domain_save@@VERS_4.17.0 with the real prototype and runs the
 * shape of Xen 4.17's live send loop (xg_sr_save.c, send_memory_live and
 * suspend_and_send_dirty) over a model of memory instead of a domain.  It
 * lets libmigstate-precopy.so be driven through the real callback ABI on a
 * host without a hypervisor (tests, benchmarks, `make demo`).
 *
 * The loop, as libxenguest runs it:
 *   stats = { iteration 0, total_written 0, dirty_count = p2m_size }
 *   each round: d = policy(stats); x++;
 *     if pages are dirty and d != ABORT: send them (live);
 *     if d != CONTINUE: leave;
 *     iteration = x; total_written += dirty_count; dirty_count = -1;
 *     d = policy(stats); if d != CONTINUE: leave;
 *     dirty_count = pages dirtied since the last scan (log-dirty CLEAN).
 *   on STOP: suspend callback, then send what was dirtied since the last
 *   scan (the downtime).  No policy: libxenguest's simple one.
 *
 * The memory model, from the environment:
 *   MIGHARNESS_PAGES       guest size in 4 KiB pages (131072 = 512 MiB)
 *   MIGHARNESS_DIRTY_RATE  page writes per second, at random (2000)
 *   MIGHARNESS_HOT_PAGES   the working set they hit (8192 = 32 MiB): the
 *                          pages dirtied in t s are HOT*(1-exp(-RATE*t/HOT))
 *   MIGHARNESS_BANDWIDTH   bits per second (100e6): n pages take n*32768/BW s
 *   MIGHARNESS_ROUND_MS    fixed cost of a round, the log-dirty scan (50;
 *                          extra rounds took ~90 ms on Xen 4.17)
 *   MIGHARNESS_CLOCK       sim (default): a simulated clock, nothing sleeps;
 *                          real: the model's time is slept, so that agents,
 *                          migbridge and the hook's deadline see it pass
 *   MIGHARNESS_TIMESCALE   real clock: model seconds per real second (1)
 *
 * The report (MIGHARNESS_REPORT, else stderr; never stdout) is key=value
 * lines: one per policy call (call iter dirty written decision stock t_ms
 * wall_ms; stock is libxenguest's answer to the same stats), then the
 * totals (live iterations policy_calls pages_sent stop_pages suspend_ms
 * downtime_ms total_ms stop_wall_ms result).  Times are model time, wall_ms
 * is CLOCK_REALTIME for correlating with other logs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenguest.h>

#define HARNESS_PAGE_BITS	(4096.0 * 8)

struct harness_conf {
	double	 pages;
	double	 rate;		/* page writes per second */
	double	 hot;		/* working set, pages */
	double	 bandwidth;	/* bits per second */
	double	 round_ms;	/* fixed cost of a round */
	double	 timescale;	/* real clock: model seconds per real second */
	int	 real;		/* 1: sleep, 0: simulated clock */
};

struct harness {
	struct harness_conf c;
	FILE		*report;
	uint64_t	 t0_us;		/* CLOCK_MONOTONIC at start */
	double		 sim_us;	/* simulated clock */
	double		 scan_us;	/* model time of the last log-dirty scan */
	unsigned	 calls;
	double		 pages_sent;
};

static uint64_t
harness_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static unsigned long long
harness_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
harness_env(const char *name, double def)
{
	const char	*s = getenv(name);
	char		*end;
	double		 v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtod(s, &end);
	if (*end != '\0' || !(v >= 0)) {
		fprintf(stderr, "xg_harness: ignoring %s=%s\n", name, s);
		return def;
	}
	return v;
}

static void
harness_conf_load(struct harness_conf *c)
{
	const char *clock = getenv("MIGHARNESS_CLOCK");

	c->pages = harness_env("MIGHARNESS_PAGES", 131072);
	c->rate = harness_env("MIGHARNESS_DIRTY_RATE", 2000);
	c->hot = harness_env("MIGHARNESS_HOT_PAGES", 8192);
	c->bandwidth = harness_env("MIGHARNESS_BANDWIDTH", 100e6);
	c->round_ms = harness_env("MIGHARNESS_ROUND_MS", 50);
	c->timescale = harness_env("MIGHARNESS_TIMESCALE", 1);
	c->real = clock != NULL && strcmp(clock, "real") == 0;
	if (c->pages < 1)
		c->pages = 1;
	if (c->hot > c->pages)
		c->hot = c->pages;
	if (c->bandwidth < 1e3)
		c->bandwidth = 1e3;
	if (c->timescale <= 0)
		c->timescale = 1;
}

/* Model time now, microseconds since the start. */
static double
harness_now(const struct harness *h)
{
	if (!h->c.real)
		return h->sim_us;
	return (double)(harness_mono_us() - h->t0_us) * h->c.timescale;
}

/* Let us model microseconds pass. */
static void
harness_advance(struct harness *h, double us)
{
	struct timespec	 ts;
	double		 real_us = us / h->c.timescale;

	if (!h->c.real) {
		h->sim_us += us;
		return;
	}
	ts.tv_sec = (time_t)(real_us / 1e6);
	ts.tv_nsec = (long)((real_us - ts.tv_sec * 1e6) * 1e3);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Send n pages: the time the link takes. */
static void
harness_send(struct harness *h, double n)
{
	h->pages_sent += n;
	harness_advance(h, n * HARNESS_PAGE_BITS / h->c.bandwidth * 1e6);
}

/* A log-dirty scan: the pages dirtied since the previous one. */
static long
harness_scan(struct harness *h)
{
	double now = harness_now(h), writes, dirty = 0;

	writes = h->c.rate * (now - h->scan_us) / 1e6;
	if (h->c.hot > 0)
		dirty = h->c.hot * (1 - exp(-writes / h->c.hot));
	h->scan_us = now;
	return lround(dirty);
}

/* libxenguest 4.17's simple_precopy_policy, as a fact. */
static int
harness_stock(struct precopy_stats st, void *data)
{
	(void)data;
	return ((st.dirty_count >= 0 && st.dirty_count < 50) || st.iteration >= 5)
	    ? XGS_POLICY_STOP_AND_COPY : XGS_POLICY_CONTINUE_PRECOPY;
}

static const char *
harness_dname(int d)
{
	switch (d) {
	case XGS_POLICY_CONTINUE_PRECOPY:	return "continue";
	case XGS_POLICY_STOP_AND_COPY:		return "stop";
	case XGS_POLICY_ABORT:			return "abort";
	default:				return "invalid";
	}
}

/* Call the policy and report the call. */
static int
harness_policy(struct harness *h, precopy_policy_t policy, struct precopy_stats st,
    void *data)
{
	int d = policy(st, data);

	h->calls++;
	fprintf(h->report, "call=%u iter=%u dirty=%ld written=%lu decision=%s "
	    "stock=%s t_ms=%.1f wall_ms=%llu\n", h->calls, st.iteration,
	    st.dirty_count, st.total_written, harness_dname(d),
	    harness_dname(harness_stock(st, NULL)), harness_now(h) / 1e3,
	    harness_wall_ms());
	return d;
}

/* send_memory_live's loop.  Returns the final decision. */
static int
harness_live(struct harness *h, struct save_callbacks *cb, unsigned *rounds)
{
	precopy_policy_t	 policy = cb->precopy_policy;
	struct precopy_stats	 st = { .dirty_count = (long)h->c.pages };
	long			 dirty = (long)h->c.pages;	/* the scan's count */
	unsigned		 x = 0;
	int			 d;

	if (policy == NULL)
		policy = harness_stock;
	for (;;) {
		d = harness_policy(h, policy, st, cb->data);
		x++;
		if (dirty > 0 && d != XGS_POLICY_ABORT)
			harness_send(h, dirty);
		if (d != XGS_POLICY_CONTINUE_PRECOPY)
			break;
		st.iteration = x;
		st.total_written += st.dirty_count;
		st.dirty_count = -1;
		d = harness_policy(h, policy, st, cb->data);
		if (d != XGS_POLICY_CONTINUE_PRECOPY)
			break;
		harness_advance(h, h->c.round_ms * 1e3);
		dirty = harness_scan(h);
		st.dirty_count = dirty;
	}
	*rounds = x;
	return d;
}

/* Suspend and send the rest: the downtime.  0, or -1. */
static int
harness_stop(struct harness *h, struct save_callbacks *cb, unsigned rounds,
    int live)
{
	double		 t_suspend, stop_pages, live_pages = h->pages_sent;
	unsigned long long wall = harness_wall_ms();

	t_suspend = harness_now(h);
	if (cb->suspend == NULL || !cb->suspend(cb->data)) {
		fprintf(h->report, "error=suspend callback failed\n");
		return -1;
	}
	stop_pages = live ? harness_scan(h) : h->c.pages;
	harness_send(h, stop_pages);
	fprintf(h->report, "live=%d\niterations=%u\npolicy_calls=%u\npages_sent=%.0f\n"
	    "stop_pages=%.0f\nsuspend_ms=%.1f\ndowntime_ms=%.1f\ntotal_ms=%.1f\n"
	    "stop_wall_ms=%llu\n", live, rounds, h->calls, live_pages, stop_pages,
	    t_suspend / 1e3, (harness_now(h) - t_suspend) / 1e3, harness_now(h) / 1e3,
	    wall);
	return 0;
}

static FILE *
harness_report_open(void)
{
	const char	*path = getenv("MIGHARNESS_REPORT");
	FILE		*f = NULL;

	if (path != NULL && *path != '\0')
		f = fopen(path, "w");
	if (f == NULL)
		f = fdopen(dup(STDERR_FILENO), "w");
	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

/*
 * xc_domain_save, modelled.  xch, io_fd and recv_fd are ignored (no
 * hypervisor, no stream).  Returns 0 on a completed save, -1 (errno set)
 * on an aborted loop, a failed suspend or an unmodelled stream type.
 */
__attribute__((visibility("default"))) int
xc_domain_save(xc_interface *xch, int io_fd, uint32_t dom, uint32_t flags,
    struct save_callbacks *callbacks, xc_stream_type_t stream_type, int recv_fd)
{
	struct harness	 h = { .calls = 0 };
	unsigned	 rounds = 0;
	int		 d = XGS_POLICY_STOP_AND_COPY, rc = -1, live = !!(flags & XCFLAGS_LIVE);

	(void)xch, (void)io_fd, (void)recv_fd;
	if ((h.report = harness_report_open()) == NULL)
		return -1;
	harness_conf_load(&h.c);
	h.t0_us = harness_mono_us();
	fprintf(h.report, "domid=%u\nflags=%u\nstream=%d\npolicy=%s\nclock=%s\n", dom,
	    flags, (int)stream_type, callbacks && callbacks->precopy_policy ?
	    "caller" : "stock", h.c.real ? "real" : "sim");
	if (stream_type != XC_STREAM_PLAIN || callbacks == NULL) {
		fprintf(h.report, "error=stream not modelled\n");
		errno = EINVAL;
		goto done;
	}
	if (live)
		d = harness_live(&h, callbacks, &rounds);
	if (d == XGS_POLICY_ABORT) {
		fprintf(h.report, "error=policy aborted\n");
		errno = ECANCELED;
		goto done;
	}
	rc = harness_stop(&h, callbacks, rounds, live);
	if (rc < 0)
		errno = EIO;
done:
	fprintf(h.report, "result=%d\n", rc);
	fclose(h.report);
	return rc;
}
