/*
 * test_agent_quiesce.c - the quiesce state machine (quiesce.c) with fake
 * ops, every transition; then its xenstore glue over the migxs dir backend
 * and a real libev loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest-agent/agent.h"
#include "log.h"

/* The fakes append what they were asked to do to one log string. */
static char	acts[1024];

static void
act(const char *fmt, ...)
{
	va_list	ap;
	size_t	l = strlen(acts);

	if (l)
		acts[l++] = ';';
	va_start(ap, fmt);
	vsnprintf(acts + l, sizeof(acts) - l, fmt, ap);
	va_end(ap);
}

static void f_last(void *a) { (void)a; act("last"); }
static void f_close(void *a) { (void)a; act("close"); }
static void f_abandon(void *a) { (void)a; act("abandon"); }
static void f_serve(void *a) { (void)a; act("serve"); }
static void f_write(void *a, const char *p, const char *v) { (void)a; act("%s=%s", p, v); }
static void f_timer(void *a, int on) { (void)a; act("timer %s", on ? "on" : "off"); }

static const struct quiesce_ops fake_ops = {
	f_last, f_close, f_abandon, f_serve, f_write, f_timer
};

#define SERVE_SEQ	"timer off;data/migbridge/quiesce=0;serve;data/migbridge/state=serving"
#define QUIESCE_SEQ	"last;close;data/migbridge/state=quiesced;timer on"

static void
expect(const char *want)
{
	assert_string_equal(acts, want);
	acts[0] = '\0';
}

static void
start(struct quiesce *q)
{
	acts[0] = '\0';
	quiesce_init(q, &fake_ops, NULL, 7);
	expect("");			/* init does nothing */
	quiesce_start(q);
	expect(SERVE_SEQ);
	assert_int_equal(q->state, QUIESCE_SERVING);
}

static void
quiesced(struct quiesce *q)
{
	start(q);
	quiesce_on_quiesce(q, 1);
	expect(QUIESCE_SEQ);
	assert_int_equal(q->state, QUIESCE_QUIESCED);
}

/* SERVING: quiesce 0 (the watch's first firing, our own writes) is nothing. */
static void
test_serving_noise(void **state)
{
	struct quiesce	q;

	(void)state;
	start(&q);
	quiesce_on_quiesce(&q, 0);
	quiesce_on_domid(&q, 7);	/* unchanged */
	quiesce_on_domid(&q, -1);	/* unreadable */
	quiesce_on_timeout(&q);		/* a stale timer */
	expect("");
	assert_int_equal(q.state, QUIESCE_SERVING);
}

/* SERVING + quiesce 1: last STATE, close (never abandon), state = quiesced. */
static void
test_quiesce(void **state)
{
	struct quiesce	q;

	(void)state;
	quiesced(&q);
	assert_int_equal(q.quiesces, 1);
	quiesce_on_quiesce(&q, 1);	/* repeated: nothing more */
	expect("");
}

/* QUIESCED + domid change: the guest resumed elsewhere; serve anew. */
static void
test_resume_new_domid(void **state)
{
	struct quiesce	q;

	(void)state;
	quiesced(&q);
	quiesce_on_domid(&q, 7);	/* same domid: nothing */
	expect("");
	quiesce_on_domid(&q, 12);
	expect(SERVE_SEQ);
	assert_int_equal(q.state, QUIESCE_SERVING);
	assert_int_equal(q.domid, 12);
	assert_int_equal(q.resumes, 1);
	assert_int_equal(q.abandons, 0);
	/* The old quiesce key is gone on the destination: reads as nothing. */
	quiesce_on_quiesce(&q, 0);
	expect("");
}

/* QUIESCED + quiesce 0: the migration failed; same domid, serve again. */
static void
test_cleared(void **state)
{
	struct quiesce	q;

	(void)state;
	quiesced(&q);
	quiesce_on_quiesce(&q, 0);
	expect(SERVE_SEQ);
	assert_int_equal(q.state, QUIESCE_SERVING);
	assert_int_equal(q.domid, 7);
	/* And the cycle repeats. */
	quiesce_on_quiesce(&q, 1);
	expect(QUIESCE_SEQ);
}

/* QUIESCED + timeout: nobody cleared it; serve again, quiesce reset to 0. */
static void
test_timeout(void **state)
{
	struct quiesce	q;

	(void)state;
	quiesced(&q);
	quiesce_on_timeout(&q);
	expect(SERVE_SEQ);
	assert_int_equal(q.state, QUIESCE_SERVING);
	assert_int_equal(q.timeouts, 1);
}

/* SERVING + domid change: a host without the hook; abandon, never close. */
static void
test_no_hook(void **state)
{
	struct quiesce	q;

	(void)state;
	start(&q);
	quiesce_on_domid(&q, 9);
	expect("abandon;" SERVE_SEQ);
	assert_int_equal(q.state, QUIESCE_SERVING);
	assert_int_equal(q.domid, 9);
	assert_int_equal(q.abandons, 1);
	/* Twice in a row (two migrations without the hook). */
	quiesce_on_domid(&q, 10);
	expect("abandon;" SERVE_SEQ);
	assert_int_equal(q.abandons, 2);
}

/* ------------------------------------------------------------ xenstore glue */
static void
spin(struct ev_loop *loop)
{
	int	i;

	for (i = 0; i < 20; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(5000);
	}
}

static void
write_file(const char *path, const char *value)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(value, fp);
	fclose(fp);
}

static void
test_xs_glue(void **state)
{
	char			 root[] = "/tmp/test_agent_quiesce.XXXXXX", path[256], cmd[300];
	char			 err[256];
	struct ev_loop		*loop = ev_loop_new(EVFLAG_AUTO);
	struct migxs		*xs;
	struct quiesce		 q;
	struct quiesce_xs	 qx;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(xs = migxs_open_dir(root, 7, err, sizeof(err)));
	assert_int_equal(quiesce_xs_domid(xs), 7);	/* no key: the backend's self */
	acts[0] = '\0';
	quiesce_init(&q, &fake_ops, NULL, quiesce_xs_domid(xs));
	assert_int_equal(quiesce_xs_start(&qx, loop, xs, &q), 0);
	assert_int_equal(migxs_write(xs, MIGXS_QUIESCE, "0"), 0);
	spin(loop);
	expect("");		/* initial firings: nothing to do */

	/* The hook (another process) writes quiesce = 1, with a newline even. */
	snprintf(path, sizeof(path), "%s/local/domain/7/data/migbridge/quiesce", root);
	write_file(path, "1\n");
	spin(loop);
	expect(QUIESCE_SEQ);
	write_file(path, "0");
	spin(loop);
	expect(SERVE_SEQ);
	write_file(path, "garbage");
	spin(loop);
	expect("");

	/* The domain id changes (a migration without the hook). */
	snprintf(path, sizeof(path), "%s/local/domain/7/domid", root);
	write_file(path, "8");
	spin(loop);
	expect("abandon;" SERVE_SEQ);
	assert_int_equal(q.domid, 8);

	quiesce_xs_stop(&qx);
	migxs_close(xs);
	ev_loop_destroy(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serving_noise),
		cmocka_unit_test(test_quiesce),
		cmocka_unit_test(test_resume_new_domid),
		cmocka_unit_test(test_cleared),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_no_hook),
		cmocka_unit_test(test_xs_glue),
	};

	log_init("test_agent_quiesce", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
